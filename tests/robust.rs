//! Hostile and mistaken inputs (issue 19): every rejected input and warning of
//! `docs/bad-input.md` is run here, and its message must appear in that document word for word.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::json;

use crate::common::{point, repo, square, write_collection};

const LAT: f64 = 30.72;
const LON: f64 = 121.33;

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

/// A case: station and block features (JSON texts), extra arguments, and the message.
struct Case {
    name: &'static str,
    stations: Vec<String>,
    blocks: Vec<String>,
    args: Vec<String>,
    /// Fails with this message (`error: …`), or succeeds with this warning (`warning: …`).
    message: String,
}

fn station(id: &str, lon: f64, lat: f64) -> String {
    point(lon, lat, json!({"id": id}))
}

fn block(id: &str, lon: f64, lat: f64, population: serde_json::Value) -> String {
    square(
        lon,
        lat,
        0.0005,
        json!({"id": id, "population": population}),
    )
}

fn good_stations() -> Vec<String> {
    vec![station("s1", LON, LAT)]
}

fn good_blocks() -> Vec<String> {
    vec![
        block("b1", LON + 0.001, LAT, json!(120)),
        block("b2", LON + 0.005, LAT, json!(80)),
    ]
}

/// A point block near the station whose properties object is `props` (JSON members as written,
/// duplicates and all).
fn raw_block(props: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Point","coordinates":[{},{LAT}]}}}}"#,
        LON + 0.001
    )
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn cases() -> Vec<Case> {
    let antimeridian = json!({"type": "Feature", "properties": {"id": "fiji", "population": 5},
        "geometry": {"type": "Polygon", "coordinates": [[[179.9, -17.0], [-179.9, -17.0],
            [-179.9, -17.1], [179.9, -17.1], [179.9, -17.0]]]}})
    .to_string();
    vec![
        Case {
            name: "threshold beyond 100 km",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--minutes", "1e300"]),
            message: "error: invalid --minutes: expected a walk of at most 100 km, found 1e300 minutes (6e301 m at 60 m/min)".into(),
        },
        Case {
            name: "distance beyond 100 km",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--distance", "150000"]),
            message: "error: invalid --distance: expected a walk of at most 100 km, found 150000 m".into(),
        },
        Case {
            name: "huge detour",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--detour", "1e308"]),
            message: "error: invalid --detour: expected a factor of at most 10, found 1e308".into(),
        },
        Case {
            name: "slow speed",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--speed", "0.001"]),
            message: "error: invalid --speed: expected a walking speed from 1 to 1000 metres per minute, found 0.001".into(),
        },
        Case {
            name: "long snap",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--max-snap", "1e6"]),
            message: "error: invalid --max-snap: expected at most 100000 metres, found 1000000".into(),
        },
        Case {
            name: "too many threads",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--threads", "10000"]),
            message: "error: invalid --threads: expected a whole number from 1 to 1024, found 10000".into(),
        },
        Case {
            name: "no outputs",
            stations: good_stations(),
            blocks: good_blocks(),
            args: args(&["--outputs="]),
            message: "error: invalid --outputs: expected at least one of summary, blocks, stations, walk-time, groups, maps, report or all, found none".into(),
        },
        Case {
            name: "duplicate station id",
            stations: vec![station("s1", LON, LAT), station("s1", LON + 0.4, LAT)],
            blocks: good_blocks(),
            args: vec![],
            message: "error: stations.geojson, feature 1 (id \"s1\"): duplicate station id \"s1\": feature 0 has it too; station ids must be unique".into(),
        },
        Case {
            name: "population total overflows",
            stations: good_stations(),
            blocks: vec![
                block("b1", LON + 0.001, LAT, json!(1e308)),
                block("b2", LON + 0.002, LAT, json!(1e308)),
            ],
            args: vec![],
            message: "error: blocks.geojson: the populations in field \"population\" add up to more than 1.7976931348623157e308; check the field's values".into(),
        },
        Case {
            name: "polygon across the antimeridian",
            stations: good_stations(),
            blocks: vec![antimeridian],
            args: vec![],
            message: "error: blocks.geojson, feature 0 (id \"fiji\"): invalid geometry: the polygon crosses the antimeridian (one edge steps 359.8° in longitude); split it at ±180° as RFC 7946 §3.1.9 says".into(),
        },
        Case {
            name: "blocks spread over a continent",
            stations: good_stations(),
            blocks: vec![block("b1", LON, LAT, json!(1)), block("b2", LON - 40.0, LAT + 20.0, json!(1))],
            args: vec![],
            message: "error: blocks.geojson: the blocks spread over 40.0° of longitude and 20.0° of latitude (81.330, 30.720 to 121.330, 50.720); walkshed measures in one local plane, good for at most 15°: split the study area (or look for blocks placed far away by mistake)".into(),
        },
        Case {
            name: "duplicate block ids",
            stations: good_stations(),
            blocks: vec![
                block("b1", LON + 0.001, LAT, json!(1)),
                block("b1", LON + 0.002, LAT, json!(1)),
            ],
            args: vec![],
            message: "warning: 1 block id(s) are given to more than one block, e.g. \"b1\" (2 times); their rows cannot be told apart".into(),
        },
        Case {
            name: "a population given twice",
            stations: good_stations(),
            blocks: vec![raw_block(r#""id":"b1","population":5,"population":7"#)],
            args: vec![],
            message: "error: blocks.geojson, line 2, column 69, feature 0 (id \"b1\"): invalid GeoJSON: duplicate member \"population\" in the properties: keep one".into(),
        },
        Case {
            name: "a geometry given twice",
            stations: good_stations(),
            blocks: vec![format!(
                r#"{{"type":"Feature","geometry":null,{}"#,
                &raw_block(r#""id":"b1","population":5"#)[18..]
            )],
            args: vec![],
            message: "error: blocks.geojson, line 2, column 84, feature 0 (id \"b1\"): invalid GeoJSON: duplicate member \"geometry\" in the Feature: keep one".into(),
        },
        Case {
            name: "a number beyond f64 in a property walkshed does not read",
            stations: good_stations(),
            blocks: vec![raw_block(r#""id":"b1","population":5,"note":1e400"#)],
            args: vec![],
            message: "error: blocks.geojson, line 2, column 69, feature 0 (id \"b1\"): invalid GeoJSON: number out of range".into(),
        },
        Case {
            name: "a property nested 10,000 deep",
            stations: good_stations(),
            blocks: vec![raw_block(&format!(
                r#""id":"b1","population":5,"note":{}1{}"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            ))],
            args: vec![],
            message: "error: blocks.geojson, line 2, column 190, feature 0 (id \"b1\"): invalid GeoJSON: recursion limit exceeded".into(),
        },
        Case {
            name: "a lone surrogate escape in a property walkshed does not read",
            stations: good_stations(),
            blocks: vec![raw_block(r#""id":"b1","population":5,"note":"a\ud800b""#)],
            args: vec![],
            message: "error: blocks.geojson, line 2, column 73, feature 0 (id \"b1\"): invalid GeoJSON: unexpected end of hex escape".into(),
        },
        Case {
            name: "a station at a pole",
            stations: vec![station("s1", LON, LAT), station("pole", 0.0, 90.0)],
            blocks: good_blocks(),
            args: vec![],
            message: "error: stations.geojson, feature 1 (id \"pole\"): invalid geometry: a station at a pole (latitude 90), where the local plane does not measure distances; walkshed cannot use it".into(),
        },
        Case {
            name: "a crs member on a Feature",
            stations: good_stations(),
            blocks: vec![format!(
                r#"{{"crs":{{"type":"name","properties":{{"name":"EPSG:3857"}}}},{}"#,
                &raw_block(r#""id":"b1","population":5"#)[1..]
            )],
            args: vec![],
            message: "error: blocks.geojson, feature 0 (id \"b1\"): unsupported crs \"EPSG:3857\"; walkshed reads WGS84 longitude/latitude (OGC CRS84, EPSG:4326, or EPSG:4490 CGCS2000) — reproject the file first".into(),
        },
        Case {
            name: "duplicate block ids with --strict",
            stations: good_stations(),
            blocks: vec![
                block("b1", LON + 0.001, LAT, json!(1)),
                block("b1", LON + 0.002, LAT, json!(1)),
            ],
            args: args(&["--strict"]),
            message: "error: suspicious data, refused by --strict: 1 block id(s) are given to more than one block, e.g. \"b1\" (2 times); their rows cannot be told apart".into(),
        },
        Case {
            name: "a feature without an id is named by its position only",
            stations: good_stations(),
            blocks: vec![raw_block(r#""population":5"#), raw_block(r#""population":-1"#)],
            args: vec![],
            message: "error: blocks.geojson, feature 1 (no id): invalid population -1: expected a finite number ≥ 0 in field \"population\"".into(),
        },
        Case {
            name: "an object as a block id",
            stations: good_stations(),
            blocks: vec![raw_block(r#""id":"b1","population":5"#), raw_block(r#""id":{"a":1},"population":5"#)],
            args: vec![],
            message: "error: blocks.geojson: feature 1 has the id {\"a\":1}, an object; an id must be a string or a number".into(),
        },
        Case {
            name: "an array as a station id",
            stations: vec![point(LON, LAT, json!({"id": [1, 2]}))],
            blocks: good_blocks(),
            args: vec![],
            message: "error: stations.geojson: feature 0 has the id [1,2], an array; an id must be a string or a number".into(),
        },
        Case {
            name: "an array as a group value",
            stations: good_stations(),
            blocks: vec![raw_block(r#""id":"b1","population":5,"street":"a""#), raw_block(r#""id":"b2","population":5,"street":["a"]"#)],
            args: args(&["--group-by", "street"]),
            message: "error: blocks.geojson, feature 1 (id \"b2\"): the value [\"a\"] of the --group-by field \"street\" is an array; a group is named by a string, a number or true/false".into(),
        },
        Case {
            name: "an id out of range is named whole",
            stations: good_stations(),
            blocks: vec![raw_block(r#""id":123e400,"population":5"#)],
            args: vec![],
            message: "error: blocks.geojson, line 2, column 44, feature 0 (id \"123e400\"): invalid GeoJSON: number out of range".into(),
        },
    ]
}

/// `features` given as an object is named, with its place, rather than "no blocks found".
#[test]
fn features_that_are_not_an_array_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let stations = write_collection(tmp.path(), "stations.geojson", &good_stations());
    let blocks = tmp.path().join("blocks.geojson");
    std::fs::write(
        &blocks,
        "{\"type\":\"FeatureCollection\",\n\"features\":{\"a\":1}}\n",
    )
    .unwrap();
    let output = walkshed()
        .args(["coverage", "--stations"])
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("blocks.geojson, line 2, column 12: invalid GeoJSON: expected \"features\" to be an array of Features"),
        "{stderr}"
    );
}

/// A FIFO as blocks, with `blocks.geojson` wanted (which reads the blocks file twice), is
/// refused before any work instead of hanging on the second read; without `blocks.geojson` it
/// is read once and works.
#[cfg(unix)]
#[test]
fn a_fifo_as_blocks_works_or_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let stations = write_collection(tmp.path(), "stations.geojson", &good_stations());
    let file = write_collection(tmp.path(), "b.geojson", &good_blocks());
    let fifo = tmp.path().join("blocks.fifo");
    for (outputs, ok) in [("all", false), ("summary", true)] {
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // The writer blocks until walkshed opens the FIFO; a refused run never does, so the
        // writer is ended from here after the run.
        let mut writer = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("cat {} > {}", file.display(), fifo.display()))
            .spawn()
            .unwrap();
        let out = tmp.path().join(format!("out-{outputs}"));
        let output = walkshed()
            .args(["coverage", "-q", "--stations"])
            .arg(&stations)
            .arg("--blocks")
            .arg(&fifo)
            .arg("--outputs")
            .arg(outputs)
            .arg("--out")
            .arg(&out)
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if ok {
            assert_eq!(output.status.code(), Some(0), "{stderr}");
            assert!(out.join("summary.json").is_file());
        } else {
            assert_eq!(output.status.code(), Some(1), "{stderr}");
            assert!(
                stderr.contains("blocks.fifo: a pipe or device can be read only once, but blocks.geojson copies each block from the blocks file"),
                "{stderr}"
            );
            assert!(!out.exists());
            // Unblock the writer: open the FIFO for reading once.
            let _ = std::fs::read(&fifo);
        }
        writer.wait().unwrap();
    }
}

/// A blocks file replaced (same feature count) between reading and writing `blocks.geojson`
/// is detected by its size, time and identity: an error, and no output.
#[test]
fn blocks_changed_during_the_run_are_refused() {
    use walkshed::{analyse, read_blocks, read_stations, BlockFields, Params, StraightLine};
    let tmp = tempfile::tempdir().unwrap();
    let stations_path = write_collection(tmp.path(), "stations.geojson", &good_stations());
    let path = write_collection(tmp.path(), "blocks.geojson", &good_blocks());
    let blocks = read_blocks(&path, &BlockFields::default()).unwrap();
    let stations = read_stations(&stations_path).unwrap();
    let params = Params::builder().minutes(&[5.0]).build().unwrap();
    let analysis = analyse(
        &stations.stations,
        &blocks,
        &StraightLine::default(),
        &params,
    );
    let out = tmp.path().join("out");
    let job = walkshed::Job {
        stations: stations_path.clone(),
        add_stations: Vec::new(),
        blocks: path.clone(),
        network: None,
        fields: BlockFields::default(),
        params,
        out_dir: out.clone(),
        outputs: walkshed::Outputs::default(),
        map: Default::default(),
        strict: false,
        circle: Default::default(),
        input: Default::default(),
    };
    let inputs = walkshed::Inputs {
        stations: vec![stations_path],
        blocks: path.clone(),
        network: None,
        station_counts: Vec::new(),
        converted: Vec::new(),
    };
    let summary = walkshed::Summary::new(&analysis, &blocks, inputs);
    // Another file, as many features, put in its place.
    let other = write_collection(
        tmp.path(),
        "other.geojson",
        &[
            block("x1", LON + 0.001, LAT, json!(1)),
            block("x2", LON + 0.002, LAT, json!(2)),
        ],
    );
    std::fs::rename(&other, &path).unwrap();
    let err = walkshed::write_outputs(&job, &blocks, &analysis, &summary, &mut |_| {})
        .expect_err("a changed file");
    assert!(!out.exists(), "no output folder");
    assert!(
        err.to_string()
            .contains("blocks.geojson: the file changed while walkshed was running"),
        "{err}"
    );
}

/// Runs walkshed on a case in `dir`: (exit code, stderr).
fn run_case(dir: &Path, case: &Case) -> (Option<i32>, String) {
    let stations = write_collection(dir, "stations.geojson", &case.stations);
    let blocks = write_collection(dir, "blocks.geojson", &case.blocks);
    let output = walkshed()
        .current_dir(dir)
        .args([
            "coverage",
            "--stations",
            "stations.geojson",
            "--blocks",
            "blocks.geojson",
        ])
        .arg("--out")
        .arg(dir.join("out"))
        .arg("-q")
        .args(&case.args)
        .output()
        .unwrap();
    let _ = (stations, blocks);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_bad_input_gives_its_documented_message() {
    let doc = std::fs::read_to_string(repo("docs/bad-input.md")).unwrap();
    for case in cases() {
        let tmp = tempfile::tempdir().unwrap();
        let (code, stderr) = run_case(tmp.path(), &case);
        let want_failure = case.message.starts_with("error: ");
        assert_eq!(
            code,
            Some(if want_failure { 1 } else { 0 }),
            "{}: {stderr}",
            case.name
        );
        assert!(
            stderr.lines().any(|l| l == case.message),
            "{}: expected the line\n{}\nin\n{stderr}",
            case.name,
            case.message
        );
        assert!(
            doc.contains(&case.message),
            "{}: docs/bad-input.md must quote\n{}",
            case.name,
            case.message
        );
    }
}

/// Stations with lon and lat swapped lie thousands of kilometres away: a warning says so.
#[test]
fn swapped_coordinates_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let case = Case {
        name: "swapped",
        stations: vec![station("s1", 30.0, 60.0)],
        blocks: vec![
            block("b1", 60.0, 30.0, json!(1)),
            block("b2", 60.01, 30.0, json!(1)),
        ],
        args: vec![],
        message: String::new(),
    };
    let (code, stderr) = run_case(tmp.path(), &case);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: no block is within 5 min of a station; the nearest station lies")
            && stderr.contains("are longitude and latitude swapped in the stations file?"),
        "{stderr}"
    );
}

/// The same file as stations and blocks is warned about.
#[test]
fn same_file_for_stations_and_blocks_is_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let blocks = write_collection(tmp.path(), "blocks.geojson", &good_blocks());
    let output = walkshed()
        .arg("coverage")
        .arg("--stations")
        .arg(&blocks)
        .arg("--blocks")
        .arg(&blocks)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("-q")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is both a stations file and the blocks file: every block is at a station"),
        "{stderr}"
    );
}

/// A device that never ends is refused at its first bytes, not read whole.
#[test]
fn an_endless_device_fails_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, blocks) = (0, write_collection(tmp.path(), "b.geojson", &good_blocks()));
    let start = std::time::Instant::now();
    let output = walkshed()
        .args(["coverage", "--stations", "/dev/zero", "--blocks"])
        .arg(&blocks)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("/dev/zero: invalid GeoJSON: expected a GeoJSON object at byte 0"),
        "{stderr}"
    );
    assert!(start.elapsed().as_secs() < 10);
}

/// GeoJSON named `.osm.pbf` is called what it is.
#[test]
fn geojson_named_osm_pbf_is_recognised() {
    let tmp = tempfile::tempdir().unwrap();
    let stations = write_collection(tmp.path(), "s.geojson", &good_stations());
    let blocks = write_collection(tmp.path(), "b.geojson", &good_blocks());
    let fake = write_collection(tmp.path(), "walk.osm.pbf", &good_blocks());
    let output = walkshed()
        .arg("coverage")
        .arg("--stations")
        .arg(&stations)
        .arg("--blocks")
        .arg(&blocks)
        .arg("--network")
        .arg(&fake)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "not an OpenStreetMap PBF file (it starts like JSON: is it GeoJSON named .osm.pbf?)"
        ),
        "{stderr}"
    );
}

/// Group values and station names with control characters leave every SVG well-formed XML, in
/// `coverage` and in `batch`.
#[test]
fn hostile_names_leave_every_svg_well_formed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let hostile = [
        "a\u{1}b",
        "back\u{8}space",
        "tab\u{b}v",
        "esc\u{1b}[31m",
        "<&\"'>",
    ];
    let stations: Vec<String> = hostile
        .iter()
        .enumerate()
        .map(|(k, name)| {
            point(
                LON + 0.01 * k as f64,
                LAT,
                json!({"id": format!("s{k}"), "name": name}),
            )
        })
        .collect();
    let blocks: Vec<String> = hostile
        .iter()
        .enumerate()
        .map(|(k, name)| {
            square(
                LON + 0.01 * k as f64 + 0.001,
                LAT,
                0.0005,
                json!({"id": format!("b{k}"), "population": 10, "group": name}),
            )
        })
        .collect();
    write_collection(dir, "stations.geojson", &stations);
    write_collection(dir, "blocks.geojson", &blocks);
    walkshed()
        .current_dir(dir)
        .args([
            "coverage",
            "--stations",
            "stations.geojson",
            "--blocks",
            "blocks.geojson",
            "--group-by",
            "group",
            "--labels",
            "--out",
            "cov",
            "-q",
        ])
        .assert()
        .success();
    std::fs::write(
        dir.join("batch.toml"),
        "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\ngroup_by = \"group\"\n\
         [[scenario]]\nname = \"x\\u0001y\"\n[[scenario]]\nname = \"plain\"\n",
    )
    .unwrap();
    let batch = walkshed()
        .current_dir(dir)
        .args(["batch", "batch.toml", "--out", "bat", "-q"])
        .output()
        .unwrap();
    let mut svgs: Vec<PathBuf> = Vec::new();
    for folder in ["cov", "bat", "bat/plain"] {
        for e in std::fs::read_dir(dir.join(folder))
            .into_iter()
            .flatten()
            .flatten()
        {
            if e.path().extension().is_some_and(|x| x == "svg") {
                svgs.push(e.path());
            }
        }
    }
    assert!(
        svgs.iter().any(|p| p.ends_with("cov/groups.svg")),
        "{svgs:?}"
    );
    let _ = batch;
    for svg in &svgs {
        let text = std::fs::read_to_string(svg).unwrap();
        if let Err(e) = roxmltree::Document::parse(&text) {
            panic!("{} is not well-formed XML: {e}", svg.display());
        }
    }
}

/// The parameters' bounds, in the library.
#[test]
fn parameters_are_bounded() {
    use walkshed::Params;
    let err = |b: walkshed::ParamsBuilder| b.build().unwrap_err().to_string();
    assert_eq!(
        err(Params::builder().minutes(&[1e12])),
        "invalid --minutes: expected a walk of at most 100 km, found 1e12 minutes (6e13 m at 60 m/min)"
    );
    assert!(Params::builder()
        .minutes(&[1000.0])
        .speed_m_per_min(100.0)
        .build()
        .is_ok());
    assert!(Params::builder().distance_m(&[100_000.0]).build().is_ok());
    assert!(Params::builder().distance_m(&[100_000.5]).build().is_err());
}
