//! `walkshed batch`: scenarios against the same runs one by one (byte-identical files), the diff
//! against hand-computed gains, every kind of batch-file error, a failing scenario beside passing
//! ones, and inputs loaded once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::json;

use crate::common::{point, write_collection};
use walkshed::{run_batch, Batch, BatchOptions, DiffScope};

const LAT: f64 = 30.72;
const LON: f64 = 121.33;

/// Inputs of a small district, all within 2 km: one station today at (LON, LAT), one proposed
/// 0.010° (≈ 957 m) east, five point blocks along the parallel, and a street along them.
///
/// | block | east of today | from proposed | population | committee |
/// | --- | --- | --- | --- | --- |
/// | a | 0.001° ≈ 96 m | 861 m | 100 | east |
/// | b | 0.002° ≈ 191 m | 766 m | 200 | east |
/// | c | 0.009° ≈ 861 m | 96 m | 300 | far |
/// | d | 0.0115° ≈ 1,100 m | 144 m | 50 | mid |
/// | e | 0.020° ≈ 1,914 m | 957 m | 1,000 | far |
fn district(dir: &Path) {
    write_collection(
        dir,
        "stations.geojson",
        &[point(
            LON,
            LAT,
            json!({"id": "today-1", "name": "Centre", "level": "center"}),
        )],
    );
    write_collection(
        dir,
        "proposed.geojson",
        &[point(
            LON + 0.010,
            LAT,
            json!({"id": "new-1", "level": "station"}),
        )],
    );
    let blocks = [
        ("a", 0.001, 100, "east"),
        ("b", 0.002, 200, "east"),
        ("c", 0.009, 300, "far"),
        ("d", 0.0115, 50, "mid"),
        ("e", 0.020, 1000, "far"),
    ];
    let features: Vec<String> = blocks
        .iter()
        .map(|(id, east, population, committee)| {
            point(
                LON + east,
                LAT,
                json!({"id": id, "population": population, "committee": committee, "street": "s1"}),
            )
        })
        .collect();
    write_collection(dir, "blocks.geojson", &features);
    let coords: Vec<[f64; 2]> = (0..=25)
        .map(|k| [LON - 0.001 + 0.001 * k as f64, LAT + 0.0003])
        .collect();
    let line = json!({"type": "Feature", "properties": {"id": "street"},
        "geometry": {"type": "LineString", "coordinates": coords}})
    .to_string();
    write_collection(dir, "walk.geojson", &[line]);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

const SCENARIOS: &str = r#"
[defaults]
stations = "stations.geojson"
blocks = "blocks.geojson"
minutes = [5, 10]
group_by = "committee"

[[scenario]]
name = "today"

[[scenario]]
name = "proposed"
add_stations = ["proposed.geojson"]

[[scenario]]
name = "detour"
detour = 2
outputs = "summary,blocks"

[[scenario]]
name = "metres"
distance = [300, 500]
speed = 75
population = "population"
group_by = "street"
labels = true
lang = "zh"

[[scenario]]
name = "network"
network = "walk.geojson"
max_snap = 100
add_stations = ["proposed.geojson"]
"#;

/// `coverage` arguments equivalent to each scenario of [`SCENARIOS`].
fn coverage_args(dir: &Path, name: &str) -> Vec<String> {
    let f = |n: &str| dir.join(n).display().to_string();
    let mut a: Vec<String> = vec![
        "coverage".into(),
        "--stations".into(),
        f("stations.geojson"),
    ];
    let mut push = |x: &[&str]| a.extend(x.iter().map(|s| s.to_string()));
    push(&["--blocks", &f("blocks.geojson")]);
    match name {
        "today" => push(&["--minutes", "5,10", "--group-by", "committee"]),
        "proposed" => push(&[
            "--minutes",
            "5,10",
            "--group-by",
            "committee",
            "--add-stations",
            &f("proposed.geojson"),
        ]),
        "detour" => push(&[
            "--minutes",
            "5,10",
            "--group-by",
            "committee",
            "--detour",
            "2",
            "--outputs",
            "summary,blocks",
        ]),
        "metres" => push(&[
            "--distance",
            "300,500",
            "--speed",
            "75",
            "--group-by",
            "street",
            "--labels",
            "--lang",
            "zh",
        ]),
        "network" => push(&[
            "--minutes",
            "5,10",
            "--group-by",
            "committee",
            "--network",
            &f("walk.geojson"),
            "--max-snap",
            "100",
            "--add-stations",
            &f("proposed.geojson"),
        ]),
        other => panic!("no scenario {other}"),
    }
    a
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("prefix").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

#[test]
fn scenarios_match_coverage_run_alone_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    let toml = write(dir, "batch.toml", SCENARIOS);
    let out = dir.join("out");
    walkshed()
        .args(["batch", "--quiet", "--threads", "3", "--out"])
        .arg(&out)
        .arg(&toml)
        .assert()
        .success()
        .stdout("");
    for name in ["today", "proposed", "detour", "metres", "network"] {
        let alone = dir.join(format!("alone-{name}"));
        walkshed()
            .args(coverage_args(dir, name))
            .arg("--out")
            .arg(&alone)
            .arg("--quiet")
            .assert()
            .success();
        let batch_files = files(&out.join(name));
        let alone_files = files(&alone);
        assert!(!alone_files.is_empty());
        assert_eq!(
            batch_files.keys().collect::<Vec<_>>(),
            alone_files.keys().collect::<Vec<_>>(),
            "{name}: same files"
        );
        for (file, bytes) in &alone_files {
            assert!(
                batch_files[file] == *bytes,
                "{name}/{}: files differ",
                file.display()
            );
        }
    }
    // The combined outputs are there, and --json prints batch.json.
    for f in ["batch.csv", "batch.json", "batch.svg"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let printed = walkshed()
        .args(["batch", "--json", "--out"])
        .arg(&out)
        .arg(&toml)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(printed, std::fs::read(out.join("batch.json")).unwrap());
    let json: serde_json::Value = serde_json::from_slice(&printed).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 10);
    assert_eq!(json["scenarios"][0]["status"], "ok");
}

#[test]
fn combined_table_has_a_row_per_scenario_and_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    let toml = write(dir, "batch.toml", SCENARIOS);
    let batch = Batch::read(&toml).unwrap();
    let options = BatchOptions {
        out_dir: dir.join("out"),
        diff_base: None,
    };
    let report = run_batch(&batch, &options, &|_| {}).unwrap();
    let csv = std::fs::read_to_string(dir.join("out/batch.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "scenario,mode,threshold,minutes,distance_m,population,covered,share,blocks,blocks_covered,off_network_blocks,off_network_population"
    );
    assert_eq!(
        lines[1],
        "today,straight-line,5,5,300,1650,300,0.18181818181818182,5,2,,"
    );
    assert_eq!(
        lines[3],
        "proposed,straight-line,5,5,300,1650,650,0.3939393939393939,5,4,,"
    );
    // Detour 2 doubles distances: b (191 m) is 383 m away, beyond 5 minutes.
    assert_eq!(
        lines[5],
        "detour,straight-line,5,5,300,1650,100,0.06060606060606061,5,1,,"
    );
    assert_eq!(
        lines[7],
        "metres,straight-line,300m,4,300,1650,300,0.18181818181818182,5,2,,"
    );
    assert_eq!(lines.len(), 11);
    assert_eq!(report.rows.len(), 10);
    assert!(
        report.rows[8].off_network_population.is_some(),
        "network rows report off-network"
    );
    let svg = std::fs::read_to_string(dir.join("out/batch.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    for label in [
        "today",
        "proposed",
        "5 min (300 m)",
        "10 min (600 m)",
        "300 m",
    ] {
        assert!(svg.contains(label), "batch.svg names {label}");
    }
    // Shares to one decimal, so 70.4 % and 69.9 % do not both read 70 %.
    for r in &report.rows {
        let label = format!(">{:.1}%<", r.share * 100.0);
        assert!(svg.contains(&label), "batch.svg labels {label}");
    }
}

#[test]
fn diff_counts_hand_computed_gains_and_losses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    let toml = write(dir, "batch.toml", SCENARIOS);
    let batch = Batch::read(&toml).unwrap();
    let options = BatchOptions {
        out_dir: dir.join("out"),
        diff_base: Some("today".into()),
    };
    let report = run_batch(&batch, &options, &|_| {}).unwrap();
    let diff = report.diff.as_ref().expect("a diff");
    assert_eq!(diff.base.as_deref(), Some("today"));
    let row = |scenario: &str, threshold: &str, group: Option<&str>| {
        diff.rows
            .iter()
            .find(|r| {
                r.scenario == scenario
                    && r.threshold == threshold
                    && r.group.as_deref() == group
                    && (r.scope == DiffScope::Total) == group.is_none()
            })
            .unwrap_or_else(|| panic!("row {scenario} {threshold} {group:?}"))
    };
    // The proposed station covers c (300, far) and d (50, mid) within 5 and 10 minutes.
    let p5 = row("proposed", "5", None);
    assert_eq!((p5.base_covered, p5.covered, p5.net), (300.0, 650.0, 350.0));
    assert_eq!(
        (p5.gained, p5.lost, p5.blocks_gained, p5.blocks_lost),
        (Some(350.0), Some(0.0), Some(2), Some(0))
    );
    assert_eq!(row("proposed", "5", Some("far")).gained, Some(300.0));
    assert_eq!(row("proposed", "5", Some("mid")).gained, Some(50.0));
    assert_eq!(row("proposed", "5", Some("east")).gained, Some(0.0));
    assert_eq!(row("proposed", "10", None).gained, Some(350.0));
    // Detour 2 loses b (200, east) within 5 minutes, nothing within 10 (b at 383 m ≤ 600 m).
    let d5 = row("detour", "5", None);
    assert_eq!(
        (d5.net, d5.gained, d5.lost),
        (-200.0, Some(0.0), Some(200.0))
    );
    assert_eq!(row("detour", "5", Some("east")).lost, Some(200.0));
    assert_eq!(row("detour", "10", None).net, 0.0);
    // Thresholds are matched by distance: 300 m (4 min at 75 m/min) is compared with 5 minutes
    // at 60 m/min; 500 m has no counterpart.
    assert_eq!(row("metres", "300m", None).net, 0.0);
    assert!(!diff.rows.iter().any(|r| r.threshold == "500m"));
    assert!(diff.text.contains(
        &"proposed vs today, within 5 min: with 1 more station, covers 350 more residents (350 gained, 0 lost), most in committee far (+300)"
            .to_owned()
    ), "{:#?}", diff.text);
    assert!(diff.text.contains(
        &"detour vs today, within 5 min: covers 200 fewer residents (0 gained, 200 lost), most lost in committee east (−200)"
            .to_owned()
    ), "{:#?}", diff.text);
    let csv = std::fs::read_to_string(dir.join("out/diff.csv")).unwrap();
    assert!(csv.starts_with("scenario,base,threshold,minutes,distance_m,scope,committee,base_covered,covered,net,gained,lost,blocks_gained,blocks_lost\n"));
    assert!(
        csv.contains("\nproposed,today,5,5,300,total,,300,650,350,350,0,2,0\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nproposed,today,5,5,300,group,far,0,300,300,300,0,1,0\n"),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/batch.json")).unwrap())
            .unwrap();
    assert_eq!(json["diff"]["base"], "today");

    // The CLI prints the sentences.
    walkshed()
        .args(["batch", "--diff", "today", "--out"])
        .arg(dir.join("out2"))
        .arg(&toml)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "covers 350 more residents (350 gained, 0 lost), most in committee far (+300)",
        ));
    // An unknown base stops the batch before any work.
    walkshed()
        .args(["batch", "--diff", "tomorrow", "--out"])
        .arg(dir.join("out3"))
        .arg(&toml)
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "invalid --diff: no scenario is named \"tomorrow\"; the scenarios are today, proposed, detour, metres, network",
        ));
    assert!(!dir.join("out3").exists());
}

#[test]
fn inputs_are_loaded_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    // Five scenarios, the same station and blocks files (one spelled differently), two
    // grouping fields, one network used twice.
    let text = r#"
[defaults]
stations = "stations.geojson"
blocks = "blocks.geojson"

[[scenario]]
name = "a"
[[scenario]]
name = "b"
minutes = [5, 10, 15]
add_stations = ["proposed.geojson"]
[[scenario]]
name = "c"
stations = "./stations.geojson"
network = "walk.geojson"
[[scenario]]
name = "d"
network = "walk.geojson"
add_stations = ["proposed.geojson"]
[[scenario]]
name = "e"
group_by = "committee"
"#;
    let toml = write(dir, "batch.toml", text);
    let batch = Batch::read(&toml).unwrap();
    let options = BatchOptions {
        out_dir: dir.join("out"),
        diff_base: None,
    };
    let report = run_batch(&batch, &options, &|_| {}).unwrap();
    let l = report.loads;
    assert_eq!(
        (
            l.station_files,
            l.block_files,
            l.network_files,
            l.networks_built
        ),
        (2, 2, 1, 1)
    );
    assert_eq!(l.files_read, 5);
    assert_eq!(report.failed(), 0);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["loads"]["files_read"], 5);
}

#[test]
fn a_failing_scenario_leaves_no_folder_and_the_others_finish() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    write(
        dir,
        "bad-blocks.geojson",
        "{\"type\": \"FeatureCollection\",\n \"features\": [ {\"type\": \"Feature\" ]}\n",
    );
    let text = r#"
[defaults]
stations = "stations.geojson"
blocks = "blocks.geojson"

[[scenario]]
name = "today"
[[scenario]]
name = "broken"
blocks = "bad-blocks.geojson"
[[scenario]]
name = "proposed"
add_stations = ["proposed.geojson"]
"#;
    let toml = write(dir, "batch.toml", text);
    let out = dir.join("out");
    let assert = walkshed()
        .args(["batch", "--out"])
        .arg(&out)
        .arg(&toml)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error: scenario \"broken\" failed: ")
            && stderr.contains("bad-blocks.geojson, line 2, column"),
        "{stderr}"
    );
    assert!(
        !out.join("broken").exists(),
        "no folder for the failed scenario"
    );
    for name in ["today", "proposed"] {
        assert!(
            out.join(name).join("summary.json").is_file(),
            "{name} completed"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("batch.json")).unwrap()).unwrap();
    assert_eq!(json["scenarios"][1]["status"], "failed");
    assert!(json["scenarios"][1]["error"]
        .as_str()
        .unwrap()
        .contains("bad-blocks.geojson"));
    assert_eq!(json["scenarios"][2]["status"], "ok");
    assert_eq!(json["rows"].as_array().unwrap().len(), 2);
}

/// The problems of a batch file, as messages.
fn problems(dir: &Path, text: &str) -> Vec<String> {
    let toml = write(dir, "batch.toml", text);
    match Batch::read(&toml) {
        Ok(_) => panic!("expected problems"),
        Err(e) => e.problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn unknown_keys_name_scenario_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    district(tmp.path());
    let p = problems(
        tmp.path(),
        "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\n\n[[scenario]]\nname = \"a\"\nminute = [5]\n\n[[scenario]]\nname = \"b\"\ncolour = \"red\"\n\n[output]\nx = 1\n",
    );
    assert_eq!(
        p,
        [
            "key \"output\": unknown top-level key; expected a [defaults] table and [[scenario]] tables",
            "scenario \"a\", key \"minute\": unknown key; did you mean \"minutes\"?",
            "scenario \"b\", key \"colour\": unknown key; expected one of stations, add_stations, blocks, minutes, speed, distance, detour, network, max_snap, population, group_by, group_label, outputs, labels, context, png, levels, standard, level_reach, capacity, max_load, lang, strict, stations_coords, blocks_coords, context_coords, encoding, lon_column, lat_column, format, excel",
        ]
    );
}

#[test]
fn duplicate_and_unsafe_names_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    district(tmp.path());
    let p = problems(
        tmp.path(),
        "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\n[[scenario]]\nname = \"today\"\n[[scenario]]\nname = \"Today\"\n[[scenario]]\nname = \"../up\"\n[[scenario]]\nminutes = 5\n",
    );
    assert_eq!(
        p,
        [
            "scenario \"Today\", key \"name\": duplicate name: scenario \"today\" has it already (names are folder names and must differ, ignoring case)",
            "scenario \"../up\", key \"name\": \"../up\" is not a safe folder name: use letters, digits, '-', '_' and '.', starting with a letter or digit",
            "scenario #4, key \"name\": missing; every scenario needs a name",
        ]
    );
}

#[test]
fn missing_files_are_errors_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    let text = "[defaults]\nstations = \"stations.geojson\"\nblocks = \"nowhere.geojson\"\n[[scenario]]\nname = \"a\"\nblocks = \"blocks.geojson\"\n[[scenario]]\nname = \"b\"\nadd_stations = [\"proposed.geojson\", \"gone.geojson\"]\nnetwork = \"walk.geojson\"\n";
    let p = problems(dir, text);
    assert_eq!(
        p,
        [
            format!(
                "[defaults], key \"blocks\": file not found: {}",
                dir.join("nowhere.geojson").display()
            ),
            format!(
                "scenario \"b\", key \"add_stations\": file not found: {}",
                dir.join("gone.geojson").display()
            ),
        ]
    );
    // Through the binary: every problem on stderr, exit code 1, nothing written.
    let out = dir.join("out");
    walkshed()
        .args(["batch", "--out"])
        .arg(&out)
        .arg(dir.join("batch.toml"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "batch.toml: 2 problems\n  [defaults], key \"blocks\": file not found: ",
        ))
        .stderr(predicates::str::contains(
            "scenario \"b\", key \"add_stations\": file not found: ",
        ));
    assert!(!out.exists());
}

#[test]
fn bad_values_name_scenario_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    district(tmp.path());
    let text = r#"
[defaults]
stations = "stations.geojson"
blocks = "blocks.geojson"
speed = -60

[[scenario]]
name = "a"
minutes = [5, 0]

[[scenario]]
name = "b"
detour = 0.5
max_snap = "far"
labels = "yes"

[[scenario]]
name = "c"
lang = "fr"
outputs = "summary,pictures"
minutes = 5
distance = 300

[[scenario]]
name = "d"
blocks = 3
add_stations = []
group_by = ""
"#;
    let p = problems(tmp.path(), text);
    assert_eq!(
        p,
        [
            "[defaults], key \"speed\": expected a positive finite number of metres per minute, found -60",
            "scenario \"a\", key \"minutes\": expected a positive finite number of minutes, found 0",
            "scenario \"b\", key \"detour\": expected a finite number ≥ 1, found 0.5",
            "scenario \"b\", key \"labels\": expected true or false, found the string \"yes\"",
            "scenario \"b\", key \"max_snap\": expected a number, found the string \"far\"",
            "scenario \"c\", key \"distance\": give thresholds in minutes or in metres, not both",
            "scenario \"c\", key \"lang\": expected \"en\" or \"zh\", found the string \"fr\"",
            "scenario \"c\", key \"outputs\": unknown output \"pictures\"; expected summary, blocks, stations, walk-time, groups, maps, report or all",
            "scenario \"d\", key \"blocks\": expected a string, found the integer 3",
            "scenario \"d\", key \"group_by\": expected a non-empty string, found an empty one",
        ]
    );
}

#[test]
fn toml_syntax_errors_give_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = problems(
        tmp.path(),
        "[defaults]\nminutes = [5, 10\n[[scenario]]\nname = \"a\"\n",
    );
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("invalid TOML: TOML parse error at line "),
        "{p:?}"
    );
    let p = problems(tmp.path(), "[defaults]\nminutes = 5\n");
    assert_eq!(p, ["no [[scenario]] table; at least one is needed"]);
}

#[test]
fn a_scenario_overrides_defaults_key_by_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    district(dir);
    let toml = write(
        dir,
        "batch.toml",
        "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\nnetwork = \"walk.geojson\"\nminutes = [5, 10]\nspeed = 75\n\n[[scenario]]\nname = \"net\"\n\n[[scenario]]\nname = \"straight\"\nnetwork = false\ndistance = 300\nlang = \"zh\"\n",
    );
    let batch = Batch::read(&toml).unwrap();
    let labels = |name: &str| -> Vec<String> {
        let job = &batch.scenario(name).unwrap().job;
        job.params
            .thresholds
            .iter()
            .map(|t| t.label.clone())
            .collect()
    };
    let net = &batch.scenario("net").unwrap().job;
    assert_eq!(net.network, Some(dir.join("walk.geojson")));
    assert_eq!(net.stations, dir.join("stations.geojson"));
    assert_eq!(net.out_dir, PathBuf::from("net"));
    assert_eq!(labels("net"), ["5", "10"]);
    // `network = false` turns the default network off; `distance` replaces the default minutes.
    let straight = &batch.scenario("straight").unwrap().job;
    assert_eq!(straight.network, None);
    assert_eq!(labels("straight"), ["300m"]);
    assert_eq!(straight.params.speed_m_per_min, 75.0);
    assert_eq!(straight.map.lang, walkshed::Lang::Zh);
}
