//! The output folder as a unit: a planner's files are never overwritten or removed, a run's
//! files replace the previous run's all at once, two runs never mix, and an interrupted run
//! leaves nothing behind (issue 19, section 1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::json;

use crate::common::{point, write_collection};

const LON: f64 = 116.3;
const LAT: f64 = 39.9;

/// One station and three blocks east of it (100 m, 500 m, 2 km), two committees.
fn city(dir: &Path) -> (PathBuf, PathBuf) {
    let stations = write_collection(
        dir,
        "stations.geojson",
        &[point(LON, LAT, json!({"id": "s1", "name": "Centre"}))],
    );
    let blocks: Vec<String> = [
        ("a", 0.001, 100, "east"),
        ("b", 0.005, 200, "east"),
        ("c", 0.02, 300, "far"),
    ]
    .iter()
    .map(|(id, east, population, committee)| {
        point(
            LON + east,
            LAT,
            json!({"id": id, "population": population, "committee": committee}),
        )
    })
    .collect();
    let blocks = write_collection(dir, "blocks.geojson", &blocks);
    (stations, blocks)
}

fn walkshed() -> Command {
    Command::cargo_bin("walkshed").expect("binary")
}

fn coverage(stations: &Path, blocks: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = walkshed();
    cmd.args([
        "coverage",
        "-q",
        "--outputs",
        "summary,blocks,stations,walk-time",
        "--stations",
    ])
    .arg(stations)
    .arg("--blocks")
    .arg(blocks)
    .arg("--out")
    .arg(out)
    .args(extra);
    cmd
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                found.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    found
}

/// Names in `dir` that are walkshed's temporaries or locks.
fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn an_input_inside_the_output_folder_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (stations, blocks) = city(dir);
    let before = files(dir);
    let assert = coverage(&stations, &blocks, dir, &[]).assert().code(1);
    let err = stderr(&assert);
    assert!(
        err.contains("is inside the output folder") && err.contains("choose another --out"),
        "{err}"
    );
    assert_eq!(files(dir), before, "the planner's files are untouched");
    assert!(hidden(dir).is_empty(), "{:?}", hidden(dir));
    // The same through another spelling of the folder, and in a batch.
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let assert = coverage(&stations, &blocks, &sub.join(".."), &[])
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("is inside the output folder"));
    let toml = dir.join("batch.toml");
    std::fs::write(
        &toml,
        "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\n[[scenario]]\nname = \"a\"\n",
    )
    .unwrap();
    let assert = walkshed()
        .args(["batch", "-q", "--out"])
        .arg(dir)
        .arg(&toml)
        .assert()
        .code(1);
    assert!(stderr(&assert).contains("is inside the output folder"));
    assert!(!dir.join("a").exists());
}

#[test]
fn a_folder_of_the_planners_own_files_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let assert = coverage(&stations, &blocks, &out, &[]).assert().code(1);
    let err = stderr(&assert);
    assert!(
        err.contains("holds files walkshed did not write (notes.txt)")
            && err.contains("choose another --out folder, or empty this one"),
        "{err}"
    );
    assert_eq!(files(&out).len(), 1);
    // An empty folder is fine.
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    coverage(&stations, &blocks, &out, &[]).assert().success();
}

#[test]
fn a_failing_rerun_leaves_the_previous_set_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let out = tmp.path().join("out");
    coverage(&stations, &blocks, &out, &["--minutes", "5"])
        .assert()
        .success();
    // Something that is in the way of one output file.
    std::fs::remove_file(out.join("walk_time.csv")).unwrap();
    std::fs::create_dir(out.join("walk_time.csv")).unwrap();
    let before = files(&out);
    coverage(&stations, &blocks, &out, &["--minutes", "7"])
        .assert()
        .code(1);
    assert_eq!(
        files(&out),
        before,
        "no file of the failed run was published"
    );
    assert_eq!(hidden(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_rerun_leaves_no_stale_file_and_lists_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let out = tmp.path().join("out");
    coverage(&stations, &blocks, &out, &["--group-by", "committee"])
        .assert()
        .success();
    assert!(out.join("groups.csv").is_file());
    let assert = coverage(&stations, &blocks, &out, &["--json"])
        .assert()
        .success();
    let printed = assert.get_output().stdout.clone();
    let on_disk: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(
        on_disk,
        [
            "blocks.geojson",
            "stations.csv",
            "summary.json",
            "walk_time.csv"
        ],
        "groups.csv of the earlier run is gone"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["files"], json!(on_disk));
    let keys: Vec<&String> = summary.as_object().unwrap().keys().collect();
    assert_eq!(
        keys.last().unwrap().as_str(),
        "files",
        "the manifest comes last"
    );
    assert_eq!(printed, std::fs::read(out.join("summary.json")).unwrap());
    assert!(hidden(tmp.path()).is_empty(), "{:?}", hidden(tmp.path()));
}

#[test]
fn a_second_run_waits_for_the_lock_and_a_dead_holder_is_taken_over() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let out = tmp.path().join("out");
    let lock = tmp.path().join(".out.walkshed.lock");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    // A live holder: this test process.
    let me = std::process::id();
    std::fs::write(
        &lock,
        format!("pid {me}\nhost {host}\nstarted 2026-01-01T00:00:00Z\n"),
    )
    .unwrap();
    let assert = coverage(&stations, &blocks, &out, &[]).assert().code(1);
    let err = stderr(&assert);
    assert!(
        err.contains(&format!(
            "is being written by walkshed (pid {me} on {host}, started 2026-01-01T00:00:00Z)"
        )) && err.contains("wait for it to finish, or remove the lock"),
        "{err}"
    );
    assert!(!out.exists());
    if cfg!(target_os = "linux") {
        // A holder that is gone.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        std::fs::write(
            &lock,
            format!("pid {dead}\nhost {host}\nstarted 2026-01-01T00:00:00Z\n"),
        )
        .unwrap();
        let assert = coverage(&stations, &blocks, &out, &[]).assert().success();
        assert!(stderr(&assert).contains("taking over the lock"));
        assert!(out.join("summary.json").is_file());
        assert!(!lock.exists(), "the lock is released");
    }
}

#[test]
fn leftovers_of_a_dead_run_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let out = tmp.path().join("out");
    let leftover = tmp.path().join(".out.walkshed-4000000-0");
    std::fs::create_dir(&leftover).unwrap();
    std::fs::write(leftover.join("blocks.geojson"), "half").unwrap();
    let other = tmp.path().join(".outer.walkshed-4000000-0");
    std::fs::create_dir(&other).unwrap();
    coverage(&stations, &blocks, &out, &[]).assert().success();
    assert!(!leftover.exists());
    assert!(
        other.exists(),
        "another folder's temporaries are not touched"
    );
    // A run killed between the two renames of a swap: the old set goes back in place (here the
    // run then fails reading its stations, so the folder is left as it was put back).
    let before = files(&out);
    std::fs::rename(&out, tmp.path().join(".out.walkshed-old-4000000-1")).unwrap();
    let broken = tmp.path().join("broken.geojson");
    std::fs::write(&broken, "{").unwrap();
    coverage(&broken, &blocks, &out, &[]).assert().code(1);
    assert_eq!(files(&out), before);
    assert_eq!(hidden(tmp.path()), [".outer.walkshed-4000000-0"]);
}

#[test]
fn an_out_that_is_a_file_or_a_link_loop_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let file = tmp.path().join("out.txt");
    std::fs::write(&file, "x").unwrap();
    let assert = coverage(&stations, &blocks, &file, &[]).assert().code(1);
    let err = stderr(&assert);
    assert!(
        err.contains("a file of that name exists; give a folder name"),
        "{err}"
    );
    #[cfg(unix)]
    {
        let link = tmp.path().join("loop");
        std::os::unix::fs::symlink(&link, &link).unwrap();
        let assert = coverage(&stations, &blocks, &link, &[]).assert().code(1);
        let err = stderr(&assert);
        assert!(err.contains("symbolic link that leads nowhere"), "{err}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

fn batch_file(dir: &Path, second_blocks: &str) -> PathBuf {
    let toml = dir.join("batch.toml");
    std::fs::write(
        &toml,
        format!(
            "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\n\
             [[scenario]]\nname = \"today\"\n[[scenario]]\nname = \"other\"\nblocks = \"{second_blocks}\"\n"
        ),
    )
    .unwrap();
    toml
}

#[test]
fn a_batch_is_published_whole_and_a_failing_scenario_keeps_no_old_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    city(dir);
    std::fs::write(
        dir.join("bad.geojson"),
        "{\"type\": \"FeatureCollection\", \"features\": [ {]}",
    )
    .unwrap();
    let out = dir.join("out");
    walkshed()
        .args(["batch", "-q", "--diff", "other", "--out"])
        .arg(&out)
        .arg(batch_file(dir, "blocks.geojson"))
        .assert()
        .success();
    assert!(out.join("other/summary.json").is_file());
    assert!(out.join("diff.csv").is_file());
    let batch: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("batch.json")).unwrap()).unwrap();
    let listed: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(batch["files"], json!(listed));

    // Now the diff base fails: it leaves no folder, and no diff.csv, and says so.
    let assert = walkshed()
        .args(["batch", "-q", "--diff", "other", "--out"])
        .arg(&out)
        .arg(batch_file(dir, "bad.geojson"))
        .assert()
        .code(1);
    let err = stderr(&assert);
    assert!(
        err.contains(
            "warning: the --diff base scenario \"other\" failed, so diff.csv is not written"
        ),
        "{err}"
    );
    assert!(
        !out.join("other").exists(),
        "the failed scenario's old folder is gone"
    );
    assert!(!out.join("diff.csv").exists(), "the old diff.csv is gone");
    let batch: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("batch.json")).unwrap()).unwrap();
    assert_eq!(
        batch["warnings"],
        json!(["the --diff base scenario \"other\" failed, so diff.csv is not written"])
    );
    let listed: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(batch["files"], json!(listed));
    assert!(hidden(dir).is_empty(), "{:?}", hidden(dir));
}

/// SIGINT and SIGTERM while a run waits on its input: the temporary folder and the lock go, the
/// previous set stays, and the exit code is 128 + the signal.
#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    use std::time::{Duration, Instant};
    let tmp = tempfile::tempdir().unwrap();
    let (stations, blocks) = city(tmp.path());
    let out = tmp.path().join("out");
    coverage(&stations, &blocks, &out, &[]).assert().success();
    let before = files(&out);
    // A named pipe nobody writes: the run waits on it, after taking the lock and its folder.
    let fifo = tmp.path().join("slow.geojson");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("walkshed"))
            .args(["coverage", "-q", "--stations"])
            .arg(&fifo)
            .arg("--blocks")
            .arg(&blocks)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while hidden(tmp.path()).len() < 2 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the run never started"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap()
            .success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert_eq!(hidden(tmp.path()), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(files(&out), before);
    }
}
