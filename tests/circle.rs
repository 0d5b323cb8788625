//! The four-level circle and capacity: hand-computed cases (a block served at station level only
//! by a sub-centre, a station with no residents, ties), properties (complete ⇒ served at each
//! level; Σ P·A = Σ S), the same results for any number of threads, both modes, bad input, and
//! the batch keys.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::{json, Value};

use walkshed::circle::{CircleInputs, CircleOptions};
use walkshed::run::{analyse_loaded, load, Job};
use walkshed::{
    analyse_with, Analysis, Block, BlockSet, Level, Params, Standard, Station, StraightLine,
};

use crate::common::{point, repo, write_collection};

const LAT: f64 = 30.72;
const LON: f64 = 121.33;

/// Longitude `m` metres east of `LON` at `LAT` (near the plane's centre, within millimetres).
fn east(m: f64) -> f64 {
    LON + m / (111_319.49 * LAT.to_radians().cos())
}

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

/// Sub-centre SC 200 m east of block A, station ST 600 m west, point SP 3 km east (no residents
/// within reach); block A (100 residents) at 0, B (300) 700 m west, C (50) 1500 m west.
fn hand_made(dir: &Path, capacity: [Value; 3]) -> (PathBuf, PathBuf) {
    let [sc, st, sp] = capacity;
    let stations = write_collection(
        dir,
        "stations.geojson",
        &[
            point(
                east(200.0),
                LAT,
                json!({"id": "SC", "level": "分中心", "volunteers": sc}),
            ),
            point(
                east(-600.0),
                LAT,
                json!({"id": "ST", "level": "Station", "volunteers": st}),
            ),
            point(
                east(3000.0),
                LAT,
                json!({"id": "SP", "level": "point", "volunteers": sp}),
            ),
        ],
    );
    let blocks = write_collection(
        dir,
        "blocks.geojson",
        &[
            point(
                LON,
                LAT,
                json!({"id": "A", "population": 100, "committee": "east"}),
            ),
            point(
                east(-700.0),
                LAT,
                json!({"id": "B", "population": 300, "committee": "west"}),
            ),
            point(
                east(-1500.0),
                LAT,
                json!({"id": "C", "population": 50, "committee": "west"}),
            ),
        ],
    );
    (stations, blocks)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The `properties` of each feature of `blocks.geojson`.
fn block_props(out: &Path) -> Vec<Value> {
    read_json(&out.join("blocks.geojson"))["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"].clone())
        .collect()
}

#[test]
fn a_sub_centre_serves_the_station_level_and_capacity_is_shared_out_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = hand_made(tmp.path(), [json!(10), json!(4), json!(2)]);
    let out = tmp.path().join("out");
    walkshed()
        .args(["coverage", "--stations"])
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .args(["--minutes", "5", "--group-by", "committee", "--levels"])
        .args([
            "--capacity",
            "volunteers",
            "--max-load",
            "50",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();

    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["standard"], "gb50180");
    let levels: Vec<(String, f64, u64)> = summary["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap().to_owned(),
                l["population"].as_f64().unwrap(),
                l["blocks"].as_u64().unwrap(),
            )
        })
        .collect();
    // A: sub-centre at 200 m serves every level (the station is 600 m away); B: the station at
    // 100 m, the sub-centre at 900 m; C: nothing within 900 m.
    let want = [
        ("subcenter", 400.0, 2),
        ("station", 400.0, 2),
        ("point", 400.0, 2),
    ];
    for ((level, pop, n), (wl, wp, wn)) in levels.iter().zip(want) {
        assert_eq!((level.as_str(), *pop, *n), (wl, wp, wn));
    }
    assert_eq!(levels[3], ("complete".to_owned(), 400.0, 2));

    let props = block_props(&out);
    let d = |b: usize, key: &str| props[b][key].as_f64().unwrap();
    // Within a metre: `east` is a spherical approximation of the plane.
    assert!((d(0, "ws_level_station_m") - 200.0).abs() < 1.0);
    assert_eq!(d(0, "ws_level_subcenter_m"), d(0, "ws_level_station_m"));
    assert_eq!(props[0]["ws_served_station"], true);
    assert_eq!(props[0]["ws_complete"], true);
    assert!((d(2, "ws_level_point_m") - 900.0).abs() < 1.0);
    assert_eq!(props[2]["ws_served_point"], false);
    assert_eq!(props[2]["ws_complete"], false);
    // Access per 1,000 residents: A reaches SC (10 volunteers for 100 residents), B reaches ST
    // (4 for 300), C nothing.
    assert!((d(0, "ws_access_per_1000") - 100.0).abs() < 1e-6);
    assert!((d(1, "ws_access_per_1000") - 4000.0 / 300.0).abs() < 1e-6);
    assert_eq!(d(2, "ws_access_per_1000"), 0.0);

    let csv = std::fs::read_to_string(out.join("stations.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].ends_with(
        "load_threshold,source,capacity,residents_within,load_per_capacity,ratio_per_1000,overloaded"
    ));
    assert!(rows[1].ends_with(",10,100,10,100,false"), "{}", rows[1]);
    assert!(rows[2].ends_with(",4,300,75,13.3333,true"), "{}", rows[2]);
    // The point has nobody within reach: no ratio.
    assert!(rows[3].ends_with(",2,0,0,,false"), "{}", rows[3]);

    let c = &summary["capacity"];
    assert_eq!(c["total"], 16.0);
    assert!((c["mean_access_per_1000"].as_f64().unwrap() - 14000.0 / 450.0).abs() < 1e-9);
    assert!((c["share_without"].as_f64().unwrap() - 50.0 / 450.0).abs() < 1e-12);
    assert_eq!(c["overloaded"][0]["id"], "ST");

    let groups = std::fs::read_to_string(out.join("groups.csv")).unwrap();
    assert!(groups.contains("\nwest,complete,,,2,350,300,"), "{groups}");
    for svg in ["levels.svg", "capacity.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(text.starts_with("<svg"), "{svg}");
    }
    let gaps = std::fs::read_to_string(out.join("gaps.svg")).unwrap();
    assert!(gaps.contains("class=\"overloaded\" data-stations=\"1\""));
}

#[test]
fn tied_stations_share_a_block_and_the_lower_index_takes_its_load() {
    let station = |id: &str, m: f64, level| Station {
        id: id.into(),
        name: None,
        level: Some(level),
        entrances: vec![[east(m), LAT]],
        from_area: false,
    };
    let stations = [
        // Two stations at one place: a tie at 150 m.
        station("s0", 150.0, "station".into()),
        station("s1", 150.0, "station".into()),
    ];
    let block = Block {
        id: "b".into(),
        anchor: [LON, LAT],
        population: 80.0,
        group: None,
        problem: None,
    };
    let blocks = BlockSet::builder("b.geojson").build(vec![block]);
    let params = Params::builder().minutes(&[5.0]).build().unwrap();
    let circle = CircleInputs {
        levels: Some((Standard::gb50180(), vec![Level::Station, Level::Station])),
        capacity: Some(("volunteers".into(), vec![3.0, 5.0])),
        max_load: None,
    };
    let a = analyse_with(
        &stations,
        &blocks,
        &StraightLine { detour: 1.0 },
        &params,
        &circle,
    );
    let c = a.capacity.as_ref().unwrap();
    assert_eq!(c.access.residents_within, vec![80.0, 80.0]);
    assert!((c.access.per_resident[0] - 8.0 / 80.0).abs() < 1e-15);
    assert_eq!(a.aggregates.station_load[0].0, 80.0);
    assert_eq!(c.load_per_capacity, vec![Some(80.0 / 3.0), Some(0.0)]);
    let levels = a.levels.as_ref().unwrap();
    // No sub-centre: served at station and point level, not complete.
    assert_eq!(levels.distances.served(0, Level::Subcenter), Some(false));
    assert_eq!(levels.distances.served(0, Level::Station), Some(true));
    assert_eq!(levels.coverage.last().unwrap().blocks, 0);
}

/// Σ P·A = Σ S over stations with residents within reach, and complete ⇒ served at each level.
fn check_identities(a: &Analysis, blocks: &BlockSet) {
    let c = a.capacity.as_ref().unwrap();
    let given: f64 = blocks
        .blocks()
        .iter()
        .zip(&c.access.per_resident)
        .map(|(b, x)| b.population * x)
        .sum();
    let held: f64 = c
        .capacity
        .iter()
        .zip(&c.access.ratio)
        .filter(|(_, r)| r.is_some())
        .map(|(s, _)| s)
        .sum();
    assert!(
        (given - held).abs() <= 1e-9 * held.max(1.0),
        "{given} vs {held}"
    );
    let l = a.levels.as_ref().unwrap();
    for b in 0..blocks.blocks().len() {
        if l.distances.complete(b) {
            for (level, _) in l.distances.standard.reaches() {
                assert_eq!(l.distances.served(b, level), Some(true));
            }
        }
    }
}

fn shihua_job(network: bool) -> Job {
    let mut options = walkshed::CoverageOptions {
        stations: Some(repo("data/shihua/stations.geojson")),
        blocks: Some(repo("data/shihua/blocks.geojson")),
        minutes: Some(vec![5.0, 10.0]),
        group_by: Some("committee".into()),
        levels: true,
        capacity: Some("volunteers".into()),
        max_load: Some(300.0),
        ..Default::default()
    };
    if network {
        options.network = Some(repo("data/shihua/walk.geojson"));
    }
    options.job(None, PathBuf::from("unused")).unwrap()
}

#[test]
fn the_sample_keeps_the_identities_and_gives_the_same_results_for_any_threads() {
    for network in [false, true] {
        let job = shihua_job(network);
        let loaded = load(&job, &mut |_| {}).unwrap();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| analyse_loaded(&job, &loaded).unwrap())
        };
        let one = run(1);
        check_identities(&one, &loaded.blocks);
        assert_eq!(one, run(3), "network {network}");
        // Served at point level is covered within 300 m: the point level's reach is the first
        // threshold, and every station is a point or higher.
        let l = one.levels.as_ref().unwrap();
        assert_eq!(
            l.coverage[2].population,
            one.aggregates.coverage[0].population_covered
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn identities_hold_for_random_cities(
        stations in prop::collection::vec((-1500.0..1500.0f64, -1500.0..1500.0f64, 0usize..4, 0.0..30.0f64), 1..12),
        blocks in prop::collection::vec((-1500.0..1500.0f64, -1500.0..1500.0f64, 0.0..500.0f64), 1..60),
    ) {
        let north = |m: f64| LAT + m / 110_574.0;
        let list: Vec<Station> = stations.iter().enumerate().map(|(k, &(x, y, _, _))| Station {
            id: format!("s{k}"), name: None, level: None,
            entrances: vec![[east(x), north(y)]], from_area: false,
        }).collect();
        let set = BlockSet::builder("b.geojson").build(blocks.iter().enumerate().map(|(k, &(x, y, p))| Block {
            id: format!("b{k}").into(), anchor: [east(x), north(y)], population: p, group: None, problem: None,
        }).collect());
        let circle = CircleInputs {
            levels: Some((Standard::gb50180(), stations.iter().map(|s| Level::ALL[s.2]).collect())),
            capacity: Some(("c".into(), stations.iter().map(|s| s.3).collect())),
            max_load: Some(100.0),
        };
        let params = Params::builder().minutes(&[5.0, 10.0]).build().unwrap();
        let a = analyse_with(&list, &set, &StraightLine { detour: 1.2 }, &params, &circle);
        check_identities(&a, &set);
    }
}

#[test]
fn levels_must_be_known_with_levels_and_are_counted_without() {
    let tmp = tempfile::tempdir().unwrap();
    let stations = write_collection(
        tmp.path(),
        "stations.geojson",
        &[
            point(LON, LAT, json!({"id": "ok", "level": "实践站"})),
            point(east(100.0), LAT, json!({"id": "odd", "level": "kiosk"})),
            point(east(200.0), LAT, json!({"id": "bare"})),
        ],
    );
    let blocks = write_collection(
        tmp.path(),
        "blocks.geojson",
        &[point(LON, LAT, json!({"id": "b", "population": 5}))],
    );
    let run = |extra: &[&str], out: &str| {
        let mut cmd = walkshed();
        cmd.args(["coverage", "--stations"])
            .arg(&stations)
            .arg("--blocks")
            .arg(&blocks)
            .args(extra)
            .args(["-q", "--out"])
            .arg(tmp.path().join(out));
        cmd.assert()
    };
    let failed = run(&["--levels"], "levels").failure();
    let err = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
    assert!(
        err.contains("stations.geojson, feature 1 (id \"odd\")"),
        "{err}"
    );
    assert!(err.contains("unknown level \"kiosk\""), "{err}");
    assert!(err.contains("center, subcenter, station, point"), "{err}");
    assert!(!tmp.path().join("levels").exists());

    run(&["--outputs", "summary"], "plain").success();
    let summary = read_json(&tmp.path().join("plain/summary.json"));
    let warnings = summary["warnings"].to_string();
    assert!(
        warnings.contains("1 station(s) have a level that is not one of"),
        "{warnings}"
    );
    assert!(summary.get("levels").is_none());
}

#[test]
fn capacity_is_a_number_on_every_station_or_an_error_naming_it() {
    for (values, want) in [
        (
            [json!(3), json!(-1), json!(2)],
            "feature 1 (id \"ST\"): invalid capacity -1",
        ),
        (
            [json!(3), json!("many"), json!(2)],
            "invalid capacity \"many\"",
        ),
        (
            [json!(3), Value::Null, json!(2)],
            "feature 1 (id \"ST\"): invalid capacity missing",
        ),
        (
            [Value::Null, Value::Null, Value::Null],
            "no station has the field \"volunteers\"",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (stations, blocks) = hand_made(tmp.path(), values);
        let failed = walkshed()
            .args(["coverage", "--stations"])
            .arg(&stations)
            .arg("--blocks")
            .arg(&blocks)
            .args(["--capacity", "volunteers", "-q", "--out"])
            .arg(tmp.path().join("out"))
            .assert()
            .failure();
        let err = String::from_utf8_lossy(&failed.get_output().stderr).into_owned();
        assert!(err.contains(want), "{err}");
    }
}

#[test]
fn batch_keys_match_the_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = hand_made(tmp.path(), [json!(10), json!(4), json!(2)]);
    let batch = tmp.path().join("batch.toml");
    std::fs::write(
        &batch,
        format!(
            "[defaults]\nstations = {:?}\nblocks = {:?}\nlevels = true\ncapacity = \"volunteers\"\n\n\
             [[scenario]]\nname = \"custom\"\nlevel_reach = {{subcenter = \"150m\", station = 15}}\n",
            stations.display().to_string(),
            blocks.display().to_string()
        ),
    )
    .unwrap();
    walkshed()
        .arg("batch")
        .arg(&batch)
        .args(["-q", "--out"])
        .arg(tmp.path().join("out"))
        .assert()
        .success();
    let batch_summary = read_json(&tmp.path().join("out/custom/summary.json"));
    let cli = tmp.path().join("cli");
    walkshed()
        .args(["coverage", "--stations"])
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .args(["--levels", "--capacity", "volunteers"])
        .args(["--level-reach", "station=15,subcenter=150m", "-q", "--out"])
        .arg(&cli)
        .assert()
        .success();
    let cli_summary = read_json(&cli.join("summary.json"));
    assert_eq!(batch_summary["standard"], "gb50180+custom");
    assert_eq!(batch_summary["levels"], cli_summary["levels"]);
    assert_eq!(batch_summary["capacity"], cli_summary["capacity"]);
    // Station reach 15 minutes at 60 m/min; the sub-centre's 150 m reaches nobody.
    assert_eq!(batch_summary["levels"][1]["reach_m"], 900.0);
    assert_eq!(batch_summary["levels"][0]["population"], 0.0);
}

#[test]
fn options_are_checked() {
    let problems = |toml: &str| -> Vec<String> {
        let table: toml::Table = toml::from_str(toml).unwrap();
        let o: walkshed::CoverageOptions = table.try_into().unwrap();
        o.problems(None).iter().map(ToString::to_string).collect()
    };
    assert_eq!(
        problems("standard = \"iso\""),
        ["invalid --standard: expected gb50180, found \"iso\""]
    );
    assert!(problems("level_reach = {hub = 5}")[0].contains("unknown level \"hub\""));
    assert_eq!(
        problems("max_load = 5"),
        ["invalid --max-load: needs --capacity (the station property holding capacity)"]
    );
    assert!(problems("max_load = 0\ncapacity = \"v\"")[0].contains("positive finite"));
    let _ = CircleOptions::default();
}
