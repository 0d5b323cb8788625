//! `walkshed suggest` end to end: coverage with the picks added reproduces the predicted share
//! to the bit (straight line and network, every kind of candidate); the same files for any
//! `--threads`; `--target`; bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::common::{repo, square, write_collection};

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

fn shihua(file: &str) -> String {
    repo(&format!("data/shihua/{file}")).display().to_string()
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// Runs `suggest` with `extra` arguments into `out`, then `coverage` with the picks added, and
/// checks that the share the suggestion predicts is the share coverage measures, exactly.
fn suggest_then_cover(out: &Path, extra: &[&str], network: bool) -> Value {
    let mut args = vec![
        "suggest".to_owned(),
        format!("--stations={}", shihua("stations.geojson")),
        format!("--blocks={}", shihua("blocks.geojson")),
        format!("--out={}", out.display()),
        "-q".to_owned(),
    ];
    if network {
        args.push(format!("--network={}", shihua("walk.geojson")));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    walkshed().args(&args).assert().success();
    let s = summary(out)["suggest"].clone();
    let covered = out.with_extension("coverage");
    let mut args = vec![
        "coverage".to_owned(),
        format!("--stations={}", shihua("stations.geojson")),
        format!(
            "--add-stations={}",
            out.join("suggestions.geojson").display()
        ),
        format!("--blocks={}", shihua("blocks.geojson")),
        format!("--distance={}", s["reach_m"]),
        "--outputs=summary".to_owned(),
        format!("--out={}", covered.display()),
        "-q".to_owned(),
    ];
    if network {
        args.push(format!("--network={}", shihua("walk.geojson")));
    }
    // The distance options that are not the threshold.
    args.extend(
        extra
            .iter()
            .filter(|a| a.starts_with("--detour") || a.starts_with("--max-snap"))
            .map(|s| s.to_string()),
    );
    walkshed().args(&args).assert().success();
    let measured = summary(&covered)["coverage"][0]["share"].as_f64().unwrap();
    assert_eq!(s["share"].as_f64().unwrap(), measured, "{extra:?}");
    s
}

#[test]
fn coverage_with_the_picks_reproduces_the_predicted_share_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str], bool); 4] = [
        (
            "grid",
            &["--minutes=5", "--count=6", "--candidate-grid=150"],
            false,
        ),
        (
            "uncovered",
            &[
                "--distance=300",
                "--count=8",
                "--candidates=uncovered",
                "--detour=1.3",
            ],
            false,
        ),
        (
            "net-grid",
            &["--minutes=5", "--count=5", "--candidate-grid=100"],
            true,
        ),
        (
            "net-uncovered",
            &["--minutes=5", "--target=0.8", "--candidates=uncovered"],
            true,
        ),
    ];
    for (name, extra, network) in cases {
        let s = suggest_then_cover(&dir.path().join(name), extra, network);
        assert!(s["gain"].as_f64().unwrap() > 0.0, "{name}");
        assert!(s["upper_bound"].as_f64().unwrap() >= s["gain"].as_f64().unwrap());
    }
    // The target is reached, and said so.
    let s = summary(&dir.path().join("net-uncovered"))["suggest"].clone();
    assert_eq!(s["target_reached"], json!(true));
    assert!(s["share"].as_f64().unwrap() >= 0.8);
    // A candidate file: the picks keep the candidates' ids and names.
    let file = write_collection(
        dir.path(),
        "sites.geojson",
        &[
            crate::common::point(121.3300, 30.7266, json!({"id": "north", "name": "北站"})),
            crate::common::point(121.3426, 30.7076, json!({"id": "east"})),
            crate::common::point(100.0, 10.0, json!({"id": "far away"})),
        ],
    );
    let out = dir.path().join("file");
    let s = suggest_then_cover(
        &out,
        &[
            "--minutes=5",
            "--count=2",
            &format!("--candidates={}", file.display()),
        ],
        false,
    );
    assert_eq!(s["picks"][0]["candidate"], json!("north"));
    assert_eq!(s["picks"][0]["name"], json!("北站"));
    let csv = std::fs::read_to_string(out.join("suggestions.csv")).unwrap();
    assert!(csv.starts_with("rank,candidate,name,lon,lat,gain_population,covered_population,share\n1,north,北站,121.33,30.7266,"), "{csv}");
}

#[test]
fn outputs_are_identical_for_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| -> PathBuf {
        let out = dir.path().join(format!("t{threads}"));
        walkshed()
            .args([
                "suggest",
                &format!("--stations={}", shihua("stations.geojson")),
                &format!("--blocks={}", shihua("blocks.geojson")),
                &format!("--network={}", shihua("walk.geojson")),
                "--minutes=5",
                "--count=10",
                "--candidate-grid=60",
                "--group-by=committee",
                &format!("--threads={threads}"),
                &format!("--out={}", out.display()),
                "-q",
            ])
            .assert()
            .success();
        out
    };
    let (one, two) = (run("1"), run("2"));
    for file in [
        "suggestions.csv",
        "suggestions.geojson",
        "summary.json",
        "suggest.svg",
        "suggest_curve.svg",
    ] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
}

#[test]
fn an_empty_candidate_set_after_exclusion_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // One polygon over the whole Shihua sample.
    let zone = write_collection(
        dir.path(),
        "water.geojson",
        &[square(121.33, 30.72, 0.2, json!({"name": "lake"}))],
    );
    let out = dir.path().join("out");
    let assert = walkshed()
        .args([
            "suggest",
            &format!("--stations={}", shihua("stations.geojson")),
            &format!("--blocks={}", shihua("blocks.geojson")),
            "--count=3",
            "--candidate-grid=200",
            &format!("--exclude={}", zone.display()),
            &format!("--out={}", out.display()),
        ])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        err.contains("invalid --exclude: all ") && err.contains("inside the exclusion zones"),
        "{err}"
    );
    assert!(!out.exists(), "no output folder after a failure");

    // Neither --count nor --target; no candidates.
    let assert = walkshed()
        .args([
            "suggest",
            &format!("--stations={}", shihua("stations.geojson")),
            &format!("--blocks={}", shihua("blocks.geojson")),
            &format!("--out={}", out.display()),
        ])
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        err.contains("invalid --count: give the number of sites"),
        "{err}"
    );
}

#[test]
fn a_level_uses_its_reach_and_only_stations_of_that_level_or_higher() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sub");
    walkshed()
        .args([
            "suggest",
            &format!("--stations={}", shihua("stations.geojson")),
            &format!("--blocks={}", shihua("blocks.geojson")),
            "--level=subcenter",
            "--count=2",
            "--candidate-grid=250",
            &format!("--out={}", out.display()),
            "-q",
        ])
        .assert()
        .success();
    let s = summary(&out)["suggest"].clone();
    assert_eq!(s["reach_m"], json!(1000.0));
    assert_eq!(s["level"], json!("subcenter"));
    assert!(s["base_share"].as_f64().unwrap() < 1.0);

    // The reach is the standard's after --level-reach, as --levels measures it.
    let out = dir.path().join("sub-800");
    walkshed()
        .args([
            "suggest",
            &format!("--stations={}", shihua("stations.geojson")),
            &format!("--blocks={}", shihua("blocks.geojson")),
            "--level=subcenter",
            "--level-reach=subcenter=800m,station=4",
            "--count=2",
            "--candidate-grid=250",
            &format!("--out={}", out.display()),
            "-q",
        ])
        .assert()
        .success();
    assert_eq!(summary(&out)["suggest"]["reach_m"], json!(800.0));
}

/// A batch with a suggest scenario whose picks a coverage scenario adds: the picks are those of
/// `walkshed suggest` with the same options, and the coverage scenario's share is the share the
/// suggestion predicts, to the bit.
#[test]
fn a_batch_suggest_scenario_feeds_its_picks_to_later_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[defaults]\nstations = {s:?}\nblocks = {b:?}\ndistance = 300\n\n\
         [[scenario]]\nname = \"next-three\"\nkind = \"suggest\"\ncount = 3\n\
         candidate_grid = 150\n\n\
         [[scenario]]\nname = \"with-next\"\nadd_suggested = [\"next-three\"]\n\n\
         [[scenario]]\nname = \"today\"\n",
        s = shihua("stations.geojson"),
        b = shihua("blocks.geojson"),
    );
    let file = dir.path().join("batch.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.path().join("out");
    walkshed()
        .args(["batch", file.to_str().unwrap(), "-q"])
        .arg(format!("--out={}", out.display()))
        .assert()
        .success();
    let alone = dir.path().join("alone");
    walkshed()
        .args([
            "suggest",
            &format!("--stations={}", shihua("stations.geojson")),
            &format!("--blocks={}", shihua("blocks.geojson")),
            "--distance=300",
            "--count=3",
            "--candidate-grid=150",
            &format!("--out={}", alone.display()),
            "-q",
        ])
        .assert()
        .success();
    let read = |p: PathBuf| std::fs::read_to_string(p).unwrap();
    assert_eq!(
        read(out.join("next-three/suggestions.csv")),
        read(alone.join("suggestions.csv"))
    );
    let predicted = summary(&out.join("next-three"))["suggest"]["share"].clone();
    let with = summary(&out.join("with-next"));
    assert_eq!(with["coverage"][0]["share"], predicted);
    let today = summary(&out.join("today"));
    let stations = |s: &Value| s["counts"]["stations"].as_u64().unwrap();
    assert_eq!(stations(&with), stations(&today) + 3);
}

#[test]
fn a_batch_adds_only_the_picks_of_earlier_suggest_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[defaults]\nstations = {s:?}\nblocks = {b:?}\ndistance = 300\ncount = 2\n\n\
         [[scenario]]\nname = \"a\"\nadd_suggested = [\"b\", \"c\"]\n\n\
         [[scenario]]\nname = \"b\"\nkind = \"suggest\"\ncount = 2\n\
         candidates = \"uncovered\"\n\n\
         [[scenario]]\nname = \"c\"\nkind = \"suggest\"\n",
        s = shihua("stations.geojson"),
        b = shihua("blocks.geojson"),
    );
    let file = dir.path().join("batch.toml");
    std::fs::write(&file, toml).unwrap();
    let err = walkshed::Batch::read(&file).unwrap_err();
    let messages: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        messages,
        [
            "[defaults], key \"count\": a key of site suggestions: it belongs in a scenario with kind = \"suggest\"",
            "scenario \"a\", key \"add_suggested\": \"b\" is not a suggest scenario (kind = \"suggest\") above this one",
            "scenario \"a\", key \"add_suggested\": \"c\" is not a suggest scenario (kind = \"suggest\") above this one",
            "scenario \"c\", key \"count\": give the number of sites (--count K) or a share to reach (--target 0.9)",
            "scenario \"c\", key \"candidates\": give a point file, `uncovered`, or --candidate-grid M",
        ]
    );
}

/// A small random city: blocks (squares) with whole-number populations, stations and candidate
/// points, in the files `blocks.geojson`, `stations.geojson` and `candidates.geojson` of `dir`.
fn random_city(dir: &Path, seed: u64) -> (usize, Vec<String>) {
    use crate::common::point;
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let at = |rng: &mut rand::rngs::StdRng| {
        (
            121.30 + rng.gen_range(0.0..0.02),
            30.70 + rng.gen_range(0.0..0.02),
        )
    };
    let blocks: Vec<String> = (0..rng.gen_range(20..80))
        .map(|b| {
            let (lon, lat) = at(&mut rng);
            let population = rng.gen_range(0..60);
            square(
                lon,
                lat,
                0.0004,
                json!({"id": format!("b{b}"), "population": population}),
            )
        })
        .collect();
    let stations: Vec<String> = (0..rng.gen_range(1..4))
        .map(|s| {
            let (lon, lat) = at(&mut rng);
            point(lon, lat, json!({"id": format!("s{s}")}))
        })
        .collect();
    let ids: Vec<String> = (0..rng.gen_range(3..25)).map(|c| format!("c{c}")).collect();
    let candidates: Vec<String> = ids
        .iter()
        .map(|id| {
            let (lon, lat) = at(&mut rng);
            point(lon, lat, json!({"id": id, "name": format!("site {id}")}))
        })
        .collect();
    write_collection(dir, "blocks.geojson", &blocks);
    write_collection(dir, "stations.geojson", &stations);
    write_collection(dir, "candidates.geojson", &candidates);
    (blocks.len(), ids)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// On random cities, through the command line: the picks are distinct candidates, each gain
    /// is what its pick adds, the share never falls along the picks, the bound is never below
    /// the gain, a target is reached or reported out of reach, the files are the same on 1 and 2
    /// threads, and coverage with the picks added measures the predicted share exactly.
    #[test]
    fn suggest_keeps_its_promises_on_random_cities(
        seed in 0u64..10_000,
        k in 1usize..6,
        target in proptest::option::of(0.3f64..1.0),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (_, ids) = random_city(dir.path(), seed);
        let goal = match target {
            Some(t) => format!("--target={t}"),
            None => format!("--count={k}"),
        };
        let run = |threads: &str| -> PathBuf {
            let out = dir.path().join(format!("t{threads}"));
            walkshed()
                .args([
                    "suggest",
                    &format!("--stations={}", dir.path().join("stations.geojson").display()),
                    &format!("--blocks={}", dir.path().join("blocks.geojson").display()),
                    &format!("--candidates={}", dir.path().join("candidates.geojson").display()),
                    "--distance=300",
                    &goal,
                    &format!("--threads={threads}"),
                    &format!("--out={}", out.display()),
                    "-q",
                ])
                .assert()
                .success();
            out
        };
        let (one, two) = (run("1"), run("2"));
        for file in ["suggestions.csv", "suggestions.geojson", "summary.json"] {
            let a = std::fs::read(one.join(file)).unwrap();
            let b = std::fs::read(two.join(file)).unwrap();
            proptest::prop_assert!(a == b, "{} differs between 1 and 2 threads", file);
        }
        let s = summary(&one)["suggest"].clone();
        let picks = s["picks"].as_array().unwrap();
        let mut picked: Vec<&str> = picks.iter().map(|p| p["candidate"].as_str().unwrap()).collect();
        proptest::prop_assert!(picked.iter().all(|p| ids.iter().any(|id| id == p)));
        picked.sort_unstable();
        picked.dedup();
        proptest::prop_assert_eq!(picked.len(), picks.len());
        let base = s["base_covered_population"].as_f64().unwrap();
        let mut covered = base;
        let mut share = s["base_share"].as_f64().unwrap();
        for p in picks {
            let gain = p["gain_population"].as_f64().unwrap();
            proptest::prop_assert!(gain >= 0.0);
            covered += gain;
            proptest::prop_assert_eq!(p["covered_population"].as_f64().unwrap(), covered);
            proptest::prop_assert!(p["share"].as_f64().unwrap() >= share);
            share = p["share"].as_f64().unwrap();
        }
        let gain = s["gain"].as_f64().unwrap();
        proptest::prop_assert_eq!(gain, covered - base);
        proptest::prop_assert!(s["upper_bound"].as_f64().unwrap() >= gain);
        match target {
            Some(t) => {
                let reached = s["target_reached"].as_bool().unwrap();
                proptest::prop_assert_eq!(reached, s["share"].as_f64().unwrap() >= t);
                // Out of reach only when no candidate adds anyone any more: then nothing bounds
                // the gain but the gain itself.
                proptest::prop_assert!(reached || s["upper_bound"].as_f64() == Some(gain));
            }
            None => proptest::prop_assert!(picks.len() <= k),
        }
        if !picks.is_empty() {
            let covered_dir = dir.path().join("cover");
            walkshed()
                .args([
                    "coverage",
                    &format!("--stations={}", dir.path().join("stations.geojson").display()),
                    &format!("--add-stations={}", one.join("suggestions.geojson").display()),
                    &format!("--blocks={}", dir.path().join("blocks.geojson").display()),
                    "--distance=300",
                    "--outputs=summary",
                    &format!("--out={}", covered_dir.display()),
                    "-q",
                ])
                .assert()
                .success();
            let measured = summary(&covered_dir)["coverage"][0].clone();
            proptest::prop_assert_eq!(measured["share"].as_f64(), s["share"].as_f64());
            proptest::prop_assert_eq!(measured["population_covered"].as_f64(), Some(covered));
        }
    }
}
