//! Tiled runs: any tiling of a run, merged, writes the bytes one run writes
//! (`docs/tiles.md`).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use walkshed::{CoverageOptions, TileSet, TileSpec};

use crate::common::{files_of, repo, write_collection, LAT, LON};

/// A random small city in `dir`: blocks (squares and points, fractional populations, two
/// committees), stations (points, some with two entrances) and, with `network`, a street grid
/// with gaps and a diagonal. Returns the batch-style options naming them.
fn city(dir: &Path, seed: u64, blocks: usize, stations: usize, network: bool) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let span = rng.gen_range(0.004..0.02);
    let mut at = || {
        (
            LON + rng.gen_range(-span..span),
            LAT + rng.gen_range(-span..span),
        )
    };
    let mut features = Vec::new();
    for i in 0..blocks {
        let (lon, lat) = at();
        features.push((i, lon, lat));
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let block_features: Vec<String> = features
        .iter()
        .map(|&(i, lon, lat)| {
            // Populations with a long binary fraction: sums depend on order unless exact.
            let population = rng.gen_range(0.0..500.0) / 7.0;
            let props = serde_json::json!({"id": format!("b{i}"), "population": population,
                "committee": if i % 3 == 0 { "东" } else { "West" }});
            if i % 4 == 0 {
                crate::common::point(lon, lat, props)
            } else {
                crate::common::square(lon, lat, 0.0004, props)
            }
        })
        .collect();
    let station_features: Vec<String> = (0..stations)
        .map(|i| {
            let lon = LON + rng.gen_range(-span..span);
            let lat = LAT + rng.gen_range(-span..span);
            let props = serde_json::json!({"id": format!("s{i}"), "name": format!("S{i}")});
            if i % 3 == 2 {
                serde_json::json!({"type": "Feature", "properties": props, "geometry":
                    {"type": "MultiPoint", "coordinates": [[lon, lat], [lon + 0.001, lat]]}})
                .to_string()
            } else {
                crate::common::point(lon, lat, props)
            }
        })
        .collect();
    write_collection(dir, "blocks.geojson", &block_features);
    write_collection(dir, "stations.geojson", &station_features);
    let mut options = format!(
        "stations = {:?}\nblocks = {:?}\ngroup_by = \"committee\"\nlabels = true\n",
        dir.join("stations.geojson"),
        dir.join("blocks.geojson")
    );
    if network {
        let step = span / rng.gen_range(3.0..8.0);
        let mut lines = Vec::new();
        let mut k = -span - step;
        while k <= span + step {
            for vertical in [false, true] {
                if rng.gen_bool(0.15) {
                    continue; // a missing street
                }
                let coords: Vec<[f64; 2]> = (0..=8)
                    .map(|j| {
                        let t = -span - step + (2.0 * (span + step)) * f64::from(j) / 8.0;
                        if vertical {
                            [LON + k, LAT + t]
                        } else {
                            [LON + t, LAT + k]
                        }
                    })
                    .collect();
                lines.push(
                    serde_json::json!({"type": "Feature", "properties": {},
                    "geometry": {"type": "LineString", "coordinates": coords}})
                    .to_string(),
                );
            }
            k += step;
        }
        lines.push(serde_json::json!({"type": "Feature", "properties": {}, "geometry":
            {"type": "LineString", "coordinates": [[LON - span, LAT - span], [LON + span, LAT + span]]}})
            .to_string());
        write_collection(dir, "walk.geojson", &lines);
        options += &format!(
            "network = {:?}\nmax_snap = {}\n",
            dir.join("walk.geojson"),
            rng.gen_range(20.0..200.0)
        );
    }
    options
}

/// The files of a folder, by name.
type Files = Vec<(String, Vec<u8>)>;

/// Runs `options` on one machine and as `columns × rows` tiles merged (the tile folders given
/// to merge in `order`), and returns both outputs' files.
fn one_and_tiled(
    dir: &Path,
    options: &str,
    columns: u32,
    rows: u32,
    reverse: bool,
) -> (Files, Files) {
    let options: CoverageOptions = toml::from_str(options).unwrap();
    let one = dir.join("one");
    walkshed::run(&options.job(None, one.clone()).unwrap(), &mut |_| {}).unwrap();
    let shape = format!("{columns}x{rows}");
    let mut tiles: Vec<PathBuf> = Vec::new();
    for i in 0..(columns * rows) as usize {
        let out = dir.join(format!("tile{i}"));
        let job = options.job(None, out.clone()).unwrap();
        let spec = TileSpec::grid(&shape, i).unwrap();
        walkshed::run_tile(&job, &spec, &[], &mut |_| {}).unwrap();
        tiles.push(out);
    }
    if reverse {
        tiles.reverse();
    }
    let merged = dir.join("merged");
    let set = TileSet::read(&tiles).unwrap();
    walkshed::merge(
        &options.job(None, merged.clone()).unwrap(),
        &set,
        &mut |_| {},
    )
    .unwrap();
    (files_of(&one), files_of(&merged))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Random tilings of random small cities, straight line and along a network, merge to the
    /// bytes of one run: summary.json, every table, the maps and the report.
    #[test]
    fn random_tilings_merge_to_the_bytes_of_one_run(
        seed in 0u64..1_000_000,
        blocks in 1usize..70,
        stations in 1usize..6,
        network in any::<bool>(),
        columns in 1u32..5,
        rows in 1u32..5,
        reverse in any::<bool>(),
        minutes in prop_oneof![Just("[5]"), Just("[2, 4.5]"), Just("[1, 3, 6]")],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let options = city(dir.path(), seed, blocks, stations, network)
            + &format!("minutes = {minutes}\n");
        let (one, merged) = one_and_tiled(dir.path(), &options, columns, rows, reverse);
        let names: Vec<&String> = one.iter().map(|f| &f.0).collect();
        prop_assert!(names.iter().any(|n| *n == "gaps.svg"), "{names:?}");
        for ((a, x), (b, y)) in one.iter().zip(&merged) {
            prop_assert_eq!(a, b);
            prop_assert!(x == y, "{a} differs between one run and the merged tiles");
        }
        prop_assert_eq!(one.len(), merged.len());
    }
}

fn walkshed() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("walkshed").unwrap()
}

/// The Shihua sample's arguments, straight line or along its network.
fn shihua(network: bool) -> Vec<String> {
    let d = |f: &str| {
        repo(&format!("data/shihua/{f}"))
            .to_string_lossy()
            .into_owned()
    };
    let mut args: Vec<String> = [
        "coverage",
        "--stations",
        &d("stations.geojson"),
        "--blocks",
        &d("blocks.geojson"),
        "--minutes",
        "5,10,15",
        "--group-by",
        "committee",
        "--quiet",
    ]
    .map(str::to_owned)
    .to_vec();
    if network {
        args.extend(["--network".to_owned(), d("walk.geojson")]);
    }
    args
}

#[test]
fn the_cli_merges_shihua_tiles_to_the_bytes_of_one_run() {
    for network in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let out = |name: &str| dir.path().join(name);
        walkshed()
            .args(shihua(network))
            .arg("--out")
            .arg(out("one"))
            .assert()
            .success();
        let mut tiles = Vec::new();
        for i in 0..4 {
            walkshed()
                .args(shihua(network))
                .args(["--tiles", "2x2", "--tile", &i.to_string(), "--out"])
                .arg(out(&format!("t{i}")))
                .assert()
                .success();
            tiles.push(out(&format!("t{i}")));
        }
        walkshed()
            .args(["merge", "--quiet", "--out"])
            .arg(out("merged"))
            .args(tiles.iter().rev())
            .assert()
            .success();
        assert_eq!(
            files_of(&out("one")),
            files_of(&out("merged")),
            "network {network}"
        );

        // A missing tile, or a tile of another run, is refused.
        walkshed()
            .args(["merge", "--out"])
            .arg(out("partial"))
            .args(&tiles[..3])
            .assert()
            .failure()
            .stderr(predicates::str::contains("tiles 3 of 2x2 are missing"));
        walkshed()
            .args(shihua(network))
            .args(["--minutes", "7", "--tiles", "2x2", "--tile", "3", "--out"])
            .arg(out("other"))
            .assert()
            .success();
        walkshed()
            .args(["merge", "--out"])
            .arg(out("mixed"))
            .args(&tiles[..3])
            .arg(out("other"))
            .assert()
            .failure()
            .stderr(predicates::str::contains("was run with other options"));
    }
}

#[test]
fn tiles_by_district_merge_to_the_bytes_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);
    walkshed()
        .args(shihua(false))
        .arg("--out")
        .arg(out("one"))
        .assert()
        .success();
    let text = std::fs::read_to_string(out("one/groups.csv")).unwrap();
    let mut values: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    values.sort();
    values.dedup();
    assert!(values.len() > 5, "{values:?}");
    for (i, v) in values.iter().enumerate() {
        walkshed()
            .args(shihua(false))
            .args(["--tile-by", "committee", v, "--out"])
            .arg(out(&format!("t{i}")))
            .assert()
            .success();
    }
    walkshed()
        .args(["merge", "--quiet", "--out"])
        .arg(out("merged"))
        .args((0..values.len()).map(|i| out(&format!("t{i}"))))
        .assert()
        .success();
    assert_eq!(files_of(&out("one")), files_of(&out("merged")));
    // One district left out: its blocks are in no tile.
    walkshed()
        .args(["merge", "--out"])
        .arg(out("partial"))
        .args((1..values.len()).map(|i| out(&format!("t{i}"))))
        .assert()
        .failure()
        .stderr(predicates::str::contains("blocks are in no tile"));
}

#[test]
fn options_that_cannot_be_tiled_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, message) in [
        (vec!["--levels"], "cannot be combined with --levels"),
        (
            vec!["--capacity", "volunteers"],
            "cannot be combined with --capacity",
        ),
        (
            vec!["--measure", "area"],
            "cannot be combined with --measure area",
        ),
    ] {
        walkshed()
            .args(shihua(false))
            .args(extra)
            .args(["--tiles", "2x2", "--tile", "0", "--out"])
            .arg(dir.path().join("t"))
            .assert()
            .failure()
            .stderr(predicates::str::contains(message));
    }
    walkshed()
        .args(shihua(false))
        .args(["--tiles", "2x2", "--tile", "4", "--out"])
        .arg(dir.path().join("t"))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "expected a tile number from 0 to 3",
        ));
    walkshed()
        .args(shihua(true))
        .args(["--tile-by", "committee", "x", "--out"])
        .arg(dir.path().join("t"))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "cannot be combined with --network",
        ));
}

#[test]
fn a_tiled_batch_merges_to_the_bytes_of_one_batch_run() {
    let dir = tempfile::tempdir().unwrap();
    let batch = repo("data/shihua/batch.toml");
    let run = |extra: &[&str], out: &str| {
        walkshed()
            .current_dir(dir.path())
            .arg("batch")
            .arg(&batch)
            .args(["--diff", "today", "--quiet", "--out", out])
            .args(extra)
            .assert()
            .success();
    };
    // batch.json names the output folder: the one run and the merge both write into `out`.
    run(&[], "out");
    std::fs::rename(dir.path().join("out"), dir.path().join("one")).unwrap();
    for i in 0..4 {
        run(
            &["--tiles", "2x2", "--tile", &i.to_string()],
            &format!("t{i}"),
        );
    }
    walkshed()
        .current_dir(dir.path())
        .args(["merge", "--quiet", "--out", "out", "t3", "t0", "t2", "t1"])
        .assert()
        .success();
    fn tree(root: &Path, prefix: &str, files: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(root).unwrap() {
            let p = entry.unwrap().path();
            let name = format!("{prefix}{}", p.file_name().unwrap().to_string_lossy());
            if p.is_dir() {
                tree(&p, &format!("{name}/"), files);
            } else {
                files.push((name, std::fs::read(&p).unwrap()));
            }
        }
        files.sort();
    }
    let (mut one, mut merged) = (Vec::new(), Vec::new());
    tree(&dir.path().join("one"), "", &mut one);
    tree(&dir.path().join("out"), "", &mut merged);
    assert!(one.iter().any(|(n, _)| n == "proposed-network/gaps.svg"));
    assert_eq!(one, merged);
}
