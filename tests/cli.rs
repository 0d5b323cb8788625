//! The binary: help text, `--json`, `--quiet`, and every kind of bad input listed in
//! `docs/method.md` (Bad input) — the message names the file, the feature index and `id`, the
//! exit code is non-zero, and the output folder holds no files afterwards.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::json;

use crate::common::{point, square, write_collection};

const LAT: f64 = 30.72;
const LON: f64 = 121.33;

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

/// A valid station file and blocks file in `dir`.
fn inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let stations = write_collection(
        dir,
        "stations.geojson",
        &[point(LON, LAT, json!({"id": "s1"}))],
    );
    let blocks = write_collection(
        dir,
        "blocks.geojson",
        &[
            square(
                LON + 0.001,
                LAT,
                0.0005,
                json!({"id": "b1", "population": 120}),
            ),
            square(
                LON + 0.005,
                LAT,
                0.0005,
                json!({"id": "b2", "population": 80}),
            ),
        ],
    );
    (stations, blocks)
}

#[test]
fn help_gives_units_and_defaults() {
    let out = walkshed()
        .args(["coverage", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    for needle in [
        "300 m",
        "GB 50180-2018",
        "m/min",
        "[default: 60]",
        "[default: 200]",
        "metres",
    ] {
        assert!(
            help.contains(needle),
            "coverage --help mentions {needle:?}:\n{help}"
        );
    }
    let out = walkshed()
        .args(["batch", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    for needle in [
        "[[scenario]]",
        "add_stations",
        "m/min",
        "batch.csv",
        "--diff",
    ] {
        assert!(
            help.contains(needle),
            "batch --help mentions {needle:?}:\n{help}"
        );
    }
}

#[test]
fn json_prints_the_summary_and_quiet_prints_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = inputs(tmp.path());
    let out = walkshed()
        .args(["coverage", "--json", "--minutes", "5,10", "--stations"])
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: serde_json::Value = serde_json::from_slice(&out).expect("stdout is JSON");
    assert_eq!(summary["population"], 200.0);
    assert_eq!(summary["coverage"][0]["share"], 0.6);
    assert_eq!(summary["coverage"][1]["share"], 1.0);
    assert_eq!(
        std::fs::read(tmp.path().join("out/summary.json")).unwrap(),
        out,
        "--json prints summary.json"
    );

    walkshed()
        .args(["coverage", "--quiet", "--stations"])
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .arg("--out")
        .arg(tmp.path().join("quiet"))
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(tmp.path().join("quiet/summary.json").is_file());

    // Without a terminal the progress bar stays hidden; the text summary goes to stdout.
    walkshed()
        .args(["coverage", "--stations"])
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .arg("--out")
        .arg(tmp.path().join("text"))
        .assert()
        .success()
        .stderr("")
        .stdout(predicates::str::contains("5 min (300 m)"));
}

/// A bad-input case: the station and block features, the extra arguments, and what the error
/// message must contain.
struct Case {
    name: &'static str,
    stations: Option<String>,
    blocks: Option<String>,
    args: &'static [&'static str],
    expect: &'static [&'static str],
}

fn collection(features: &[String]) -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

fn line_feature(id: &str) -> String {
    json!({"type": "Feature", "properties": {"id": id},
        "geometry": {"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.001, LAT]]}})
    .to_string()
}

fn cases() -> Vec<Case> {
    let s1 = point(LON, LAT, json!({"id": "s1"}));
    let b = |id: &str, population: serde_json::Value| {
        square(
            LON + 0.001,
            LAT,
            0.0005,
            json!({"id": id, "population": population}),
        )
    };
    vec![
        Case {
            name: "invalid JSON",
            stations: None,
            blocks: Some(format!(
                "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{{\"type\": \"Feature\", \"properties\": {{\"id\": \"b2\",}}}}\n]}}\n",
                b("b1", json!(10))
            )),
            args: &[],
            expect: &["blocks.geojson, line 3, column 47, feature 1 (id \"b2\"): invalid GeoJSON: key must be a string"],
        },
        Case {
            name: "wrong geometry type",
            stations: Some(collection(&[s1.clone(), line_feature("s2")])),
            blocks: None,
            args: &[],
            expect: &[
                "stations.geojson, feature 1 (id \"s2\"): expected Point, MultiPoint, Polygon or MultiPolygon geometry, found LineString",
            ],
        },
        Case {
            name: "out-of-range coordinates",
            stations: None,
            blocks: Some(collection(&[b("b1", json!(10)), point(352_000.0, 3_400_000.0, json!({"id": "b2", "population": 5}))])),
            args: &[],
            expect: &["blocks.geojson, feature 1 (id \"b2\"): coordinate (352000, 3400000) is outside", "projected CRS"],
        },
        Case {
            name: "unsupported crs",
            stations: Some(format!(
                "{{\"type\":\"FeatureCollection\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::3857\"}}}},\"features\":[{s1}]}}"
            )),
            blocks: None,
            args: &[],
            expect: &["stations.geojson: unsupported crs \"urn:ogc:def:crs:EPSG::3857\"", "EPSG:4490"],
        },
        Case {
            name: "empty station set",
            stations: Some(collection(&[])),
            blocks: None,
            args: &[],
            expect: &["stations.geojson: no stations found; at least one is needed"],
        },
        Case {
            name: "empty block set",
            stations: None,
            blocks: Some(collection(&[])),
            args: &[],
            expect: &["blocks.geojson: no blocks found; at least one is needed"],
        },
        Case {
            name: "invalid population",
            stations: None,
            blocks: Some(collection(&[b("b1", json!(10)), b("b2", json!(-3))])),
            args: &[],
            expect: &["blocks.geojson, feature 1 (id \"b2\"): invalid population -3"],
        },
        Case {
            name: "text population",
            stations: None,
            blocks: Some(collection(&[b("b1", json!(10)), b("b2", json!("many"))])),
            args: &[],
            expect: &["blocks.geojson, feature 1 (id \"b2\"): invalid population \"many\""],
        },
        Case {
            name: "mixed population",
            stations: None,
            blocks: Some(collection(&[
                b("b1", json!(10)),
                square(LON + 0.002, LAT, 0.0005, json!({"id": "b2"})),
            ])),
            args: &[],
            expect: &["blocks.geojson, feature 1 (id \"b2\"): has no \"population\" field although other blocks have it"],
        },
        Case {
            name: "zero threshold",
            stations: None,
            blocks: None,
            args: &["--minutes", "5,0"],
            expect: &["invalid --minutes: expected a positive finite number of minutes, found 0"],
        },
        Case {
            name: "negative distance",
            stations: None,
            blocks: None,
            args: &["--distance=-300"],
            expect: &["invalid --distance: expected a positive finite number of metres, found -300"],
        },
        Case {
            name: "infinite speed",
            stations: None,
            blocks: None,
            args: &["--speed", "inf"],
            expect: &["invalid --speed: expected a positive finite number of metres per minute, found inf"],
        },
    ]
}

#[test]
fn bad_inputs_are_named_and_leave_no_files() {
    for case in cases() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let (stations, blocks) = inputs(dir);
        if let Some(text) = &case.stations {
            std::fs::write(&stations, text).unwrap();
        }
        if let Some(text) = &case.blocks {
            std::fs::write(&blocks, text).unwrap();
        }
        let out = dir.join("out");
        let assert = walkshed()
            .arg("coverage")
            .arg("--stations")
            .arg(&stations)
            .arg("--blocks")
            .arg(&blocks)
            .arg("--out")
            .arg(&out)
            .args(case.args)
            .assert()
            .failure();
        let output = assert.get_output();
        assert_eq!(output.status.code(), Some(1), "{}", case.name);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("error: "), "{}: {stderr}", case.name);
        for needle in case.expect {
            assert!(
                stderr.contains(needle),
                "{}: expected {needle:?} in\n{stderr}",
                case.name
            );
        }
        assert!(output.stdout.is_empty(), "{}: nothing on stdout", case.name);
        let leftovers: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        assert!(
            leftovers.is_empty(),
            "{}: no files in the output folder: {leftovers:?}",
            case.name
        );
    }
}
