//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use walkshed::{Block, BlockFields, BlockSet, GroupId, GroupNames, Params, Projection, Station};

/// Latitude of the synthetic fixtures (Jinshan, Shanghai).
pub const LAT: f64 = 30.72;
/// Longitude of the synthetic fixtures.
pub const LON: f64 = 121.33;

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Writes a GeoJSON FeatureCollection of `features` (JSON texts) into `dir/name`.
pub fn write_collection(dir: &Path, name: &str, features: &[String]) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    );
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// A Point feature with properties.
pub fn point(lon: f64, lat: f64, props: serde_json::Value) -> String {
    serde_json::json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    .to_string()
}

/// A square Polygon feature of side `side_deg` centred at (lon, lat).
pub fn square(lon: f64, lat: f64, side_deg: f64, props: serde_json::Value) -> String {
    let h = side_deg / 2.0;
    serde_json::json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [[[lon - h, lat - h], [lon + h, lat - h],
            [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]]}})
    .to_string()
}

/// A station with one entrance at (lon, lat).
pub fn station(id: &str, lon: f64, lat: f64) -> Station {
    Station {
        id: id.into(),
        name: None,
        level: None,
        entrances: vec![[lon, lat]],
        from_area: false,
    }
}

/// A point block at (lon, lat).
pub fn block(id: &str, lon: f64, lat: f64, population: f64, group: Option<GroupId>) -> Block {
    Block {
        id: id.into(),
        anchor: [lon, lat],
        population,
        group,
        problem: None,
    }
}

/// A set of `blocks`, grouped by `committee` when `group_by`.
pub fn set(blocks: Vec<Block>, group_by: bool) -> BlockSet {
    let fields = BlockFields {
        group_by: group_by.then(|| "committee".to_owned()),
        ..BlockFields::default()
    };
    BlockSet::builder("blocks.geojson")
        .fields(fields)
        .build(blocks)
}

/// A set grouped by `committee`, whose blocks' groups are named by `groups`.
pub fn grouped(blocks: Vec<Block>, groups: GroupNames) -> BlockSet {
    let fields = BlockFields {
        group_by: Some("committee".to_owned()),
        ..BlockFields::default()
    };
    BlockSet::builder("blocks.geojson")
        .fields(fields)
        .groups(groups)
        .build(blocks)
}

/// The same set with its blocks changed by `change`.
pub fn changed(set: &BlockSet, change: impl FnOnce(&mut Vec<Block>)) -> BlockSet {
    let mut blocks = set.blocks().to_vec();
    change(&mut blocks);
    BlockSet::builder(set.path())
        .weighted(set.weighted())
        .fields(set.fields().clone())
        .groups(set.groups().clone())
        .build(blocks)
}

/// Parameters with thresholds of `m` minutes.
pub fn minutes(m: &[f64]) -> Params {
    Params::builder().minutes(m).build().unwrap()
}

/// A random district around (LON, LAT): `n_stations` stations and `n_blocks` blocks in three
/// groups, from `seed`.
pub fn random_case(seed: u64, n_stations: usize, n_blocks: usize) -> (Vec<Station>, BlockSet) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stations = (0..n_stations)
        .map(|i| {
            station(
                &format!("s{i}"),
                LON + rng.gen_range(-0.02..0.02),
                LAT + rng.gen_range(-0.02..0.02),
            )
        })
        .collect();
    let mut groups = GroupNames::default();
    let blocks = (0..n_blocks)
        .map(|i| {
            block(
                &format!("b{i}"),
                LON + rng.gen_range(-0.025..0.025),
                LAT + rng.gen_range(-0.025..0.025),
                rng.gen_range(0..500) as f64,
                Some(groups.id(["x", "y", "z"][i % 3])),
            )
        })
        .collect();
    (stations, grouped(blocks, groups))
}

/// Runs `walkshed coverage` with `args` into a fresh folder; returns the folder.
pub fn run_coverage_cli(args: &[&str], threads: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("walkshed")
        .unwrap()
        .arg("coverage")
        .args(args)
        .args(["--threads", threads, "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    out
}

/// Every file of `dir` with its bytes, sorted by name.
pub fn files_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Longitude offset (degrees) of a point `metres` east of (LON, LAT), in the plane centred there.
pub fn east(metres: f64) -> f64 {
    let p = Projection::centred_on(LON, LAT);
    let [lon, _] = p.inverse([metres, 0.0]);
    lon
}
