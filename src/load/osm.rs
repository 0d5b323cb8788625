//! OpenStreetMap `.osm.pbf` reader: the ways a pedestrian may walk, as [`WalkLine`]s.
//!
//! # Which ways
//!
//! A way is kept when it has a `highway` tag and
//! - its `highway` is one of footway, path, pedestrian, steps, living_street, residential,
//!   service, unclassified, tertiary, secondary, primary, primary_link, secondary_link,
//!   tertiary_link, track, cycleway, bridleway, and it has neither `foot=no` nor
//!   `access=private|no` (unless `foot=yes|designated|permissive` allows walkers again); or
//! - whatever its `highway`, it has `foot=yes|designated|permissive` — a trunk road with a
//!   sidewalk, a platform, a corridor;
//!
//! and it is dropped, whatever else it says, when it is a motorway or motorway link, a road that
//! does not exist (`proposed`, `abandoned`, `razed`, `disused`), or an area (`area=yes`) other
//! than a pedestrian square (`highway=pedestrian`, whose outline is walkable and joins the
//! streets that open onto it). Trunk roads and their links are not in the list, so without a foot
//! permission they are left out. Ways without a `highway` tag are never walkable, even with
//! `foot=yes` (in central Helsinki those are rows of bollards and parking lots, and walking along
//! a row of bollards would join streets that do not meet).
//!
//! The shared Helsinki `walk.geojson` was made with the same list but without the foot-permission
//! rule and with every area outline kept; the tests pin the difference (10 ways more, 19 fewer)
//! and check every common line bit for bit. Jing'an's `walk.geojson` is matched exactly.
//!
//! # Coordinates and ids
//!
//! Coordinates are the nodes' stored locations at 7 decimals (`decimicrodegrees / 1e7`), so a
//! node shared by two ways gives bit-identical coordinates and the two lines connect in the
//! [`Network`](crate::network::Network). A line's id is `w<way id>`. Nodes that the file lacks
//! (an extract cut at its edge) split the way: the runs of at least two present nodes are kept,
//! and when there are several they are numbered `w<way id>.1`, `w<way id>.2`, … Lines come out by
//! way id ascending, the same for any number of threads.
//!
//! The file is read twice: once for the ways, once for the locations of just the nodes they
//! use, so memory stays proportional to the walking network, not to the extract.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use osmpbf::{BlobDecode, BlobReader, Element};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::network::WalkLine;

/// `highway` values a pedestrian may walk (unless `foot=no` or `access=private|no`).
const WALK_HIGHWAYS: &[&str] = &[
    "footway",
    "path",
    "pedestrian",
    "steps",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "tertiary",
    "secondary",
    "primary",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "track",
    "cycleway",
    "bridleway",
];

/// Whether a way with these tags is walkable (see the [module documentation](self)).
fn walkable<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
    let (mut highway, mut foot, mut access, mut area) = (None, None, None, None);
    for (key, value) in tags {
        match key {
            "highway" => highway = Some(value),
            "foot" => foot = Some(value),
            "access" => access = Some(value),
            "area" => area = Some(value),
            _ => {}
        }
    }
    let Some(highway) = highway else {
        return false;
    };
    if foot == Some("no") || NEVER_WALKED.contains(&highway) {
        return false;
    }
    if area == Some("yes") && highway != "pedestrian" {
        return false;
    }
    if matches!(foot, Some("yes" | "designated" | "permissive")) {
        return true;
    }
    WALK_HIGHWAYS.contains(&highway) && !matches!(access, Some("private" | "no"))
}

/// `highway` values never walked, whatever their `foot` tag says: motorways, and roads that do
/// not exist (yet, or any more).
const NEVER_WALKED: [&str; 6] = [
    "motorway",
    "motorway_link",
    "proposed",
    "abandoned",
    "razed",
    "disused",
];

/// Reads the walkable ways of an OpenStreetMap `.osm.pbf` file (see the
/// [module documentation](self) for the filter, ids and coordinates).
///
/// # Errors
///
/// [`Error::Read`] when the file cannot be opened, [`Error::Osm`] when it is not valid
/// OpenStreetMap PBF data (an empty file included). A valid file without a walkable way gives
/// an empty list, not an error.
pub fn read_walk_lines(path: &Path) -> Result<Vec<WalkLine>> {
    // Pass 1: the walkable ways and their node references.
    let mut ways: Vec<(i64, Vec<i64>)> = scan(path, |element, out| {
        if let Element::Way(way) = element {
            if walkable(way.tags()) {
                out.push((way.id(), way.refs().collect()));
            }
        }
    })?;
    ways.sort_unstable();
    ways.dedup_by_key(|w| w.0);

    let mut needed: Vec<i64> = ways.iter().flat_map(|w| w.1.iter().copied()).collect();
    needed.par_sort_unstable();
    needed.dedup();

    // Pass 2: the locations of the nodes those ways use, in decimicrodegrees.
    let wanted = |id: i64| needed.binary_search(&id).is_ok();
    let mut nodes: Vec<(i64, [i32; 2])> = scan(path, |element, out| match element {
        Element::DenseNode(n) if wanted(n.id()) => {
            out.push((n.id(), [n.decimicro_lon(), n.decimicro_lat()]));
        }
        Element::Node(n) if wanted(n.id()) => {
            out.push((n.id(), [n.decimicro_lon(), n.decimicro_lat()]));
        }
        _ => {}
    })?;
    nodes.par_sort_unstable();
    nodes.dedup_by_key(|n| n.0);
    let location = |id: i64| {
        nodes
            .binary_search_by_key(&id, |n| n.0)
            .ok()
            .map(|i| nodes[i].1.map(|v| f64::from(v) / 1e7))
    };

    let per_way: Vec<Vec<WalkLine>> = ways
        .par_iter()
        .map(|(id, refs)| {
            let mut runs: Vec<Vec<[f64; 2]>> = Vec::new();
            let mut run = Vec::new();
            for &r in refs {
                match location(r) {
                    Some(p) => run.push(p),
                    None => close_run(&mut runs, &mut run),
                }
            }
            close_run(&mut runs, &mut run);
            let split = runs.len() > 1;
            runs.into_iter()
                .enumerate()
                .map(|(k, coords)| WalkLine {
                    id: if split {
                        format!("w{id}.{}", k + 1)
                    } else {
                        format!("w{id}")
                    },
                    coords,
                })
                .collect()
        })
        .collect();
    Ok(per_way.into_iter().flatten().collect())
}

/// Ends the current run of present nodes: kept if it makes a line (two nodes or more).
fn close_run(runs: &mut Vec<Vec<[f64; 2]>>, run: &mut Vec<[f64; 2]>) {
    if run.len() >= 2 {
        runs.push(std::mem::take(run));
    } else {
        run.clear();
    }
}

/// The largest blob header an OpenStreetMap PBF file may have, bytes (the format's own limit).
const MAX_BLOB_HEADER: u32 = 64 * 1024;

/// Checks that `file` starts as an OpenStreetMap PBF file does: a big-endian blob-header length
/// of at most 64 KiB. A text file (GeoJSON or OSM XML named `.osm.pbf`) is told apart from a
/// damaged one.
fn check_start(path: &Path, file: &mut BufReader<File>) -> Result<()> {
    use std::io::BufRead;
    let start = file.fill_buf().map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let Some(head) = start.get(..4) else {
        return Ok(());
    };
    let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    if length <= MAX_BLOB_HEADER {
        return Ok(());
    }
    let text = start
        .iter()
        .take(64)
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace() || b >= 0x80);
    let what = match start.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') if text => " (it starts like JSON: is it GeoJSON named .osm.pbf?)",
        Some(b'<') if text => " (it starts like XML: OSM XML is not read; convert it to .osm.pbf)",
        _ => "",
    };
    Err(Error::Osm {
        path: path.to_path_buf(),
        message: format!("not an OpenStreetMap PBF file{what}"),
    })
}

/// Decodes every data blob of the file in parallel, letting `visit` push what it wants from each
/// element. The order of the output is not defined; callers sort it.
fn scan<T, F>(path: &Path, visit: F) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(Element<'_>, &mut Vec<T>) + Sync,
{
    let osm_error = |e: osmpbf::Error| Error::Osm {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut file = BufReader::new(file);
    check_start(path, &mut file)?;
    let per_blob: Vec<(bool, Vec<T>)> = BlobReader::new(file)
        .par_bridge()
        .map(|blob| {
            let mut out = Vec::new();
            let header = match blob.map_err(osm_error)?.decode().map_err(osm_error)? {
                BlobDecode::OsmData(block) => {
                    block.for_each_element(|element| visit(element, &mut out));
                    false
                }
                BlobDecode::OsmHeader(_) => true,
                BlobDecode::Unknown(_) => false,
            };
            Ok((header, out))
        })
        .collect::<Result<_>>()?;
    if !per_blob.iter().any(|(header, _)| *header) {
        return Err(Error::Osm {
            path: path.to_path_buf(),
            message: "no OSMHeader block found: not an OpenStreetMap PBF file, or an empty one"
                .into(),
        });
    }
    Ok(per_blob.into_iter().flat_map(|(_, out)| out).collect())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;

    /// A file of the crate's test data.
    fn data(relative: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join(relative)
    }

    /// `id → coordinates` of a walk GeoJSON file of LineStrings.
    fn geojson_lines(path: &Path) -> BTreeMap<String, Vec<[f64; 2]>> {
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let id = f["properties"]["id"].as_str().unwrap().to_owned();
                assert_eq!(f["geometry"]["type"], "LineString");
                let coords = f["geometry"]["coordinates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
                    .collect();
                (id, coords)
            })
            .collect()
    }

    /// The lines read from `pbf` are those of `geojson` (same ids, bit-identical coordinates),
    /// less `missing` and plus `extra` lines that the two filters treat differently.
    fn assert_same_lines(pbf: &Path, geojson: &Path, count: usize, missing_extra: (usize, usize)) {
        let lines = read_walk_lines(pbf).unwrap();
        let want = geojson_lines(geojson);
        let got: BTreeMap<String, Vec<[f64; 2]>> = lines
            .iter()
            .map(|l| (l.id.clone(), l.coords.clone()))
            .collect();
        assert_eq!(got.len(), lines.len(), "ids are unique");
        let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
        let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
        assert_eq!(
            (missing.len(), extra.len()),
            missing_extra,
            "missing {missing:?}, extra {extra:?}"
        );
        for (id, coords) in want.iter().filter(|(k, _)| got.contains_key(*k)) {
            let bits = |c: &[[f64; 2]]| c.iter().map(|p| p.map(f64::to_bits)).collect::<Vec<_>>();
            assert_eq!(bits(&got[id]), bits(coords), "line {id}");
        }
        assert_eq!(lines.len(), count);
        // Way id ascending.
        let way_id = |l: &WalkLine| {
            let digits = l.id[1..].split('.').next().unwrap_or_default().to_owned();
            digits.parse::<i64>().unwrap()
        };
        assert!(lines.windows(2).all(|w| way_id(&w[0]) <= way_id(&w[1])));
    }

    #[test]
    fn helsinki_pbf_gives_the_lines_of_walk_geojson_but_for_areas_and_foot_permissions() {
        // The shared walk.geojson was made without the foot-permission rule and kept every
        // `area=yes` outline: walkshed adds 10 ways (platforms, corridors… with foot=yes) and drops
        // 19 area outlines that are not pedestrian squares.
        assert_same_lines(
            &data("helsinki/Helsinki.osm.pbf"),
            &data("helsinki/walk.geojson"),
            2288,
            (19, 10),
        );
    }

    #[test]
    fn jingan_pbf_gives_the_lines_of_walk_geojson() {
        assert_same_lines(
            &data("jingan/jingan-drive-network.osm.pbf"),
            &data("jingan/walk.geojson"),
            693,
            (0, 0),
        );
    }

    #[test]
    fn real_networks_have_the_documented_shape() {
        use crate::network::Network;
        use crate::project::Projection;
        // Helsinki with walkshed's filter: 6,009 distinct vertices in 25 pieces (the shared
        // walk.geojson, with area outlines kept, has 6,109 in 22); Jing'an: 75 pieces, as its README.
        let helsinki = read_walk_lines(&data("helsinki/Helsinki.osm.pbf")).unwrap();
        let net = Network::build(&helsinki, &Projection::centred_on(24.944, 60.1716));
        assert_eq!((net.node_count(), net.piece_count()), (6009, 25));
        let jingan = read_walk_lines(&data("jingan/jingan-drive-network.osm.pbf")).unwrap();
        let net = Network::build(&jingan, &Projection::centred_on(121.474, 31.230));
        assert_eq!(net.piece_count(), 75);
    }

    #[test]
    fn the_filter_follows_the_walk_rules() {
        let ok = |tags: &[(&str, &str)]| walkable(tags.iter().copied());
        assert!(ok(&[("highway", "footway")]));
        assert!(ok(&[("highway", "bridleway")]));
        assert!(ok(&[("highway", "pedestrian"), ("area", "yes")]));
        assert!(!ok(&[("highway", "residential"), ("foot", "no")]));
        assert!(!ok(&[("highway", "service"), ("access", "private")]));
        assert!(!ok(&[("highway", "service"), ("access", "no")]));
        assert!(ok(&[
            ("highway", "service"),
            ("access", "private"),
            ("foot", "permissive")
        ]));
        assert!(ok(&[
            ("highway", "track"),
            ("access", "no"),
            ("foot", "designated")
        ]));
        assert!(ok(&[("highway", "trunk"), ("foot", "yes")]));
        assert!(!ok(&[("highway", "trunk")]));
        assert!(!ok(&[("highway", "motorway"), ("foot", "yes")]));
        assert!(!ok(&[("highway", "footway"), ("area", "yes")]));
        assert!(!ok(&[("highway", "proposed"), ("foot", "designated")]));
        assert!(!ok(&[("highway", "motorway_link")]));
        assert!(!ok(&[("barrier", "bollard"), ("foot", "yes")]));
        assert!(ok(&[("highway", "platform"), ("foot", "yes")]));
        assert!(!ok(&[("highway", "platform")]));
        assert!(!ok(&[]));
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.osm.pbf");
        assert!(matches!(read_walk_lines(&missing), Err(Error::Read { .. })));

        let garbage = dir.path().join("garbage.osm.pbf");
        std::fs::write(
            &garbage,
            b"{\"type\": \"FeatureCollection\", \"features\": []}",
        )
        .unwrap();
        let err = read_walk_lines(&garbage).unwrap_err();
        assert!(
            matches!(&err, Error::Osm { path, .. } if path == &garbage),
            "{err}"
        );
        assert!(
            err.to_string().contains("cannot read OpenStreetMap data"),
            "{err}"
        );

        let whole = std::fs::read(data("helsinki/Helsinki.osm.pbf")).unwrap();
        for cut in [3, 20, 200, whole.len() / 2, whole.len() - 1] {
            let truncated = dir.path().join(format!("cut{cut}.osm.pbf"));
            std::fs::write(&truncated, &whole[..cut]).unwrap();
            let err = read_walk_lines(&truncated).unwrap_err();
            assert!(matches!(err, Error::Osm { .. }), "cut at {cut}: {err}");
        }
        let mut flipped = whole.clone();
        for i in (1000..flipped.len()).step_by(997) {
            flipped[i] ^= 0x5a;
        }
        let corrupt = dir.path().join("corrupt.osm.pbf");
        std::fs::write(&corrupt, &flipped).unwrap();
        assert!(read_walk_lines(&corrupt).is_err());

        let empty = dir.path().join("empty.osm.pbf");
        std::fs::write(&empty, b"").unwrap();
        let err = read_walk_lines(&empty).unwrap_err();
        assert!(
            err.to_string().contains("no OSMHeader block found"),
            "{err}"
        );
    }
}
