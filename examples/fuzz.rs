//! A fuzz harness for the input readers that runs on stable Rust: the GeoJSON readers (blocks,
//! stations, network), the OpenStreetMap `.osm.pbf` reader, the batch file, and whole coverage
//! runs on fuzzed blocks or stations whose every output is read back.
//!
//! Inputs are made structure-aware: features of the sample data in `data/` are put into a small
//! collection, a document tree that keeps duplicate members and numbers as written, then mutated
//! (wrong types, huge, tiny and non-JSON numbers, odd strings and escapes, duplicate, missing and
//! renamed members, deep nesting, long coordinate lists), written as a FeatureCollection, one
//! Feature per line or an RFC 8142 sequence, and sometimes damaged byte by byte (truncation,
//! flips, invalid UTF-8, control bytes). Some inputs are random bytes. The `.osm.pbf` input is
//! `data/jingan`'s extract, damaged byte by byte; the batch file is random TOML over the option
//! keys.
//!
//! What counts as a finding:
//! - a panic (caught with `catch_unwind`): its input is kept in `<out>/panic-<seed>-<n>/`, one
//!   per panic location;
//! - the same GeoJSON read with other [`ReadOptions`] (tiny chunks, one thread) giving another
//!   result: kept in `<out>/differ-<seed>-<n>/`;
//! - an output file of a coverage run that does not read back (JSON through `serde_json`, SVG
//!   through `roxmltree`, CSV as UTF-8): kept in `<out>/output-<seed>-<n>/`;
//! - an input taking over 2 s: kept in `<out>/slow-<seed>-<n>/`; over `--limit` seconds (default 30)
//!   the harness stops with exit code 3, leaving the input in `<out>/current/`. A crash that
//!   cannot be caught (a stack overflow) leaves it there too; `scripts/fuzz.sh` saves it and
//!   restarts.
//!
//! ```text
//! cargo run --release --example fuzz -- --minutes 30 --seed 1 --out /tmp/fuzz
//! ```
//!
//! It keeps a summary (iterations per target, findings) in `<out>/summary-<seed>.txt`, brought
//! up to date every 500 inputs and at the end.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use walkshed::{
    read_blocks_with, read_network_with, read_stations_with, Batch, BlockFields, CoverageOptions,
    ReadOptions,
};

/// A JSON document as written: members in order (duplicates kept), numbers and strings as their
/// source text (so `1e400`, `NaN` and `"\ud800"` can be written).
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    /// A number's text.
    Num(String),
    /// A string's text between the quotes, escapes as written.
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
    /// Text written as it is (deep nesting, made without recursion).
    Raw(String),
}

/// Numbers that have broken readers somewhere: signed zero, the edges of lon/lat, overflow,
/// underflow, integers past 64 bits, and text that is not a JSON number at all.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "180",
    "-180",
    "180.0000001",
    "-180.5",
    "90",
    "-90",
    "90.5",
    "-90.0",
    "1e400",
    "-1e400",
    "1e-400",
    "1e308",
    "-1e308",
    "5e-324",
    "123e400",
    "1.5",
    "121.33",
    "30.72",
    "24.94",
    "60.17",
    "18446744073709551616",
    "-9223372036854775809",
    "12345678901234567890123",
    "0.1e1",
    "1E2",
    "NaN",
    "Infinity",
    "-",
    "01",
    "1.",
    "+1",
    ".5",
    "1e",
    "0x10",
    "1_000",
];

/// String texts: the GeoJSON type names, member names, escapes (NUL, lone and paired
/// surrogates, invalid ones), markup characters, numbers as strings, CJK.
const STRINGS: &[&str] = &[
    "",
    "Feature",
    "FeatureCollection",
    "Point",
    "MultiPoint",
    "Polygon",
    "MultiPolygon",
    "LineString",
    "MultiLineString",
    "GeometryCollection",
    "population",
    "id",
    "name",
    "level",
    "\\u0000",
    "\\ud800",
    "\\udc00x",
    "\\ud83d\\ude00",
    "\\\"",
    "\\\\",
    "<&>\\\"'",
    "a\\nb",
    "\\t",
    "中文 社区",
    "\\x",
    "\\u12",
    "1",
    "01",
    "1e400",
    "123e400",
    "true",
    "null",
    "-0",
    "NaN",
    "\u{200B}",
    "\u{202e}rtl",
];

/// Member names worth putting where they do not belong.
const KEYS: &[&str] = &[
    "type",
    "geometry",
    "coordinates",
    "properties",
    "features",
    "population",
    "id",
    "crs",
    "bbox",
    "name",
    "level",
    "geometries",
    "committee",
    "pop",
    "",
];

/// Keys of a batch file besides the option keys.
const BATCH_KEYS: &[&str] = &["name", "scenario", "defaults", "out", "diff"];

/// What is fuzzed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Blocks,
    Stations,
    Network,
    Osm,
    Batch,
    /// A whole coverage run on fuzzed blocks (or stations), every output read back.
    Coverage,
}

/// The harness's settings and findings.
struct Harness {
    rng: StdRng,
    out: PathBuf,
    current: PathBuf,
    seeds: Seeds,
    /// Iterations and results (`ok`, `error`) per target.
    counts: BTreeMap<(Target, &'static str), u64>,
    /// Findings by kind and key (panic location, …), with how often each was seen.
    findings: BTreeMap<String, u64>,
    saved: u64,
    seed: u64,
}

/// Sample features to start from.
struct Seeds {
    blocks: Vec<Value>,
    stations: Vec<Value>,
    lines: Vec<Value>,
    pbf: Vec<u8>,
}

/// When the current input started (ms since the epoch; 0 between inputs), for the watchdog.
static STARTED: AtomicU64 = AtomicU64::new(0);
/// The last panic's message and location, from the panic hook.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_owned())
    };
    let minutes: f64 = arg("--minutes", "1").parse().expect("--minutes: a number");
    let seed: u64 = arg("--seed", "1").parse().expect("--seed: an integer");
    let limit: u64 = arg("--limit", "30").parse().expect("--limit: seconds");
    let out = PathBuf::from(arg("--out", "/tmp/walkshed-fuzz"));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let current = out.join("current");
    let _ = std::fs::remove_dir_all(&current);
    std::fs::create_dir_all(&current).expect("cannot make the output folder");
    panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        *LAST_PANIC.lock().unwrap() = format!("{} | {payload}", at.unwrap_or_default());
    }));
    watchdog(limit, current.clone());
    let mut h = Harness {
        rng: StdRng::seed_from_u64(seed),
        out: out.clone(),
        current,
        seeds: Seeds::load(&repo),
        counts: BTreeMap::new(),
        findings: BTreeMap::new(),
        saved: 0,
        seed,
    };
    let end = Instant::now() + Duration::from_secs_f64(minutes * 60.0);
    let started = Instant::now();
    let mut iterations = 0u64;
    let summary = out.join(format!("summary-{seed}.txt"));
    while Instant::now() < end {
        h.one();
        iterations += 1;
        if iterations.is_multiple_of(500) {
            // Kept up to date, so that a run the watchdog stops still has its counts.
            let report = h.report(seed, iterations, started.elapsed());
            std::fs::write(&summary, report).expect("cannot write");
        }
    }
    let report = h.report(seed, iterations, started.elapsed());
    print!("{report}");
    std::fs::write(&summary, report).expect("cannot write");
}

/// Stops the process (exit code 3) when one input runs over `limit` seconds, leaving it in
/// `current` with a `HANG` note.
fn watchdog(limit: u64, current: PathBuf) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(250));
        let started = STARTED.load(Ordering::SeqCst);
        if started != 0 && now_ms().saturating_sub(started) > limit * 1000 {
            let _ = std::fs::write(current.join("HANG"), format!("over {limit} s\n"));
            eprintln!(
                "an input ran over {limit} s; it is in {}",
                current.display()
            );
            std::process::exit(3);
        }
    });
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64)
}

impl Seeds {
    fn load(repo: &Path) -> Seeds {
        let features = |files: &[&str]| -> Vec<Value> {
            let mut all = Vec::new();
            for file in files {
                let text = std::fs::read_to_string(repo.join(file)).expect("sample data");
                let v: Value = serde_json::from_str(&text).expect("sample GeoJSON");
                all.extend(v["features"].as_array().cloned().unwrap_or_default());
            }
            all
        };
        Seeds {
            blocks: features(&[
                "data/shihua/blocks.geojson",
                "data/helsinki/bad-geometries.geojson",
                "data/helsinki/population-grid.geojson",
            ]),
            stations: features(&[
                "data/shihua/stations.geojson",
                "data/helsinki/stations.geojson",
            ]),
            lines: features(&["data/shihua/walk.geojson"]),
            pbf: std::fs::read(repo.join("data/jingan/jingan-drive-network.osm.pbf"))
                .expect("sample PBF"),
        }
    }
}

impl Harness {
    /// One input: pick a target, make its input, run it, note what came out.
    fn one(&mut self) {
        let target = *[
            Target::Blocks,
            Target::Blocks,
            Target::Blocks,
            Target::Stations,
            Target::Network,
            Target::Osm,
            Target::Batch,
            Target::Coverage,
            Target::Coverage,
        ]
        .choose(&mut self.rng)
        .unwrap();
        let _ = std::fs::remove_dir_all(&self.current);
        std::fs::create_dir_all(&self.current).expect("cannot make the work folder");
        let started = Instant::now();
        STARTED.store(now_ms(), Ordering::SeqCst);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| self.run(target)));
        STARTED.store(0, Ordering::SeqCst);
        let result = match outcome {
            Ok(Ok(())) => "ok",
            Ok(Err(())) => "error",
            Err(_) => {
                let message = LAST_PANIC.lock().unwrap().clone();
                self.found("panic", &message);
                "panic"
            }
        };
        *self.counts.entry((target, result)).or_default() += 1;
        if started.elapsed() > Duration::from_secs(2) {
            let note = format!("{target:?} took {:.1} s", started.elapsed().as_secs_f64());
            self.found("slow", &note);
        }
    }

    /// Runs one target on a new input; `Err(())` when the library reported an error (the
    /// expected answer to most fuzzed inputs). Findings other than panics are noted here.
    fn run(&mut self, target: Target) -> Result<(), ()> {
        let dir = self.current.clone();
        match target {
            Target::Blocks => {
                let path = self.geojson_file(&dir, "blocks.geojson", Kind::Blocks);
                let fields = self.fields();
                let read = |o: &ReadOptions| read_blocks_with(&path, &fields, o);
                self.differential(&path, read)
            }
            Target::Stations => {
                let path = self.geojson_file(&dir, "stations.geojson", Kind::Stations);
                let read = |o: &ReadOptions| read_stations_with(&path, o);
                self.differential(&path, read)
            }
            Target::Network => {
                let path = self.geojson_file(&dir, "walk.geojson", Kind::Lines);
                let read = |o: &ReadOptions| read_network_with(&path, o);
                self.differential(&path, read)
            }
            Target::Osm => {
                let mut bytes = self.seeds.pbf.clone();
                for _ in 0..self.rng.gen_range(0..4) {
                    self.damage_pbf(&mut bytes);
                }
                let path = dir.join("walk.osm.pbf");
                std::fs::write(&path, bytes).expect("cannot write");
                read_network_with(&path, &ReadOptions::default())
                    .map(drop)
                    .map_err(drop)
            }
            Target::Batch => self.batch(&dir),
            Target::Coverage => self.coverage(&dir),
        }
    }

    /// Reads `path` with the default options and with tiny chunks on one thread; a different
    /// answer is a finding.
    /// Chunks are tiny only for small files: a feature longer than a chunk is read again
    /// chunk by chunk (quadratic; the default chunk is 32 MiB).
    fn differential<T: PartialEq + std::fmt::Debug>(
        &mut self,
        path: &Path,
        read: impl Fn(&ReadOptions) -> walkshed::Result<T>,
    ) -> Result<(), ()> {
        let first = read(&ReadOptions::default()).map_err(|e| e.to_string());
        let small = std::fs::metadata(path).is_ok_and(|m| m.len() < 100_000);
        let other = ReadOptions {
            chunk_bytes: if small {
                self.rng.gen_range(1..4096)
            } else {
                1 << 16
            },
            parallel: self.rng.gen_bool(0.5),
        };
        let second = read(&other).map_err(|e| e.to_string());
        if first != second {
            let shape = |r: &Result<T, String>| match r {
                Ok(_) => "records".to_owned(),
                Err(e) => e
                    .replace(|c: char| c.is_ascii_digit(), "")
                    .chars()
                    .take(90)
                    .collect(),
            };
            let name = path.file_name().unwrap().to_string_lossy();
            let key = format!("{name}: {} / {}", shape(&first), shape(&second));
            let detail = format!("{other:?}\n{first:?}\n{second:?}\n");
            self.found_with("differ", &key, &detail);
        }
        first.map(drop).map_err(drop)
    }

    /// Population and grouping fields, now and then unusual ones.
    fn fields(&mut self) -> BlockFields {
        let population = ["population", "population", "pop", "id", "name", ""]
            .choose(&mut self.rng)
            .unwrap();
        let group = [
            None,
            None,
            Some("committee"),
            Some("name"),
            Some("population"),
            Some("id"),
        ]
        .choose(&mut self.rng)
        .unwrap();
        BlockFields {
            population: population.to_string(),
            group_by: group.map(str::to_owned),
            keep_outlines: self.rng.gen_bool(0.3),
        }
    }

    /// A whole coverage run (tables, and maps now and then) on fuzzed blocks and sample
    /// stations or the other way round; every output file must read back.
    fn coverage(&mut self, dir: &Path) -> Result<(), ()> {
        let fuzz_blocks = self.rng.gen_bool(0.7);
        let blocks = if fuzz_blocks {
            self.geojson_file(dir, "blocks.geojson", Kind::Blocks)
        } else {
            self.sample_file(dir, "blocks.geojson", Kind::Blocks)
        };
        let stations = if fuzz_blocks {
            self.sample_file(dir, "stations.geojson", Kind::Stations)
        } else {
            self.geojson_file(dir, "stations.geojson", Kind::Stations)
        };
        let maps = self.rng.gen_bool(0.15);
        let options = CoverageOptions {
            stations: Some(stations),
            blocks: Some(blocks),
            minutes: Some(vec![5.0, 10.0, 15.0]),
            group_by: [None, Some("committee"), Some("name")]
                .choose(&mut self.rng)
                .unwrap()
                .map(str::to_owned),
            outputs: if maps {
                "all"
            } else {
                "summary,blocks,stations,walk-time"
            }
            .to_owned(),
            labels: maps && self.rng.gen_bool(0.5),
            ..CoverageOptions::default()
        };
        let out = dir.join("out");
        let job = options.job(None, out.clone()).map_err(drop)?;
        walkshed::run(&job, &mut |_| {}).map_err(drop)?;
        for entry in std::fs::read_dir(&out).expect("the output folder") {
            let path = entry.expect("a folder entry").path();
            if let Some(problem) = unreadable(&path) {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                self.found("output", &format!("{name}: {problem}"));
            }
        }
        Ok(())
    }

    /// A batch file of random keys and values, read and checked (not run).
    fn batch(&mut self, dir: &Path) -> Result<(), ()> {
        self.sample_file(dir, "stations.geojson", Kind::Stations);
        self.sample_file(dir, "blocks.geojson", Kind::Blocks);
        let keys: Vec<&str> = CoverageOptions::keys()
            .iter()
            .copied()
            .chain(BATCH_KEYS.iter().copied())
            .collect();
        let mut text = String::new();
        if self.rng.gen_bool(0.4) {
            text.push_str(
                "[defaults]\nstations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\n",
            );
            text.push_str("[[scenario]]\nname = \"a\"\n");
        }
        let tables = self.rng.gen_range(0..5);
        for t in 0..=tables {
            let header = if t == 0 { "[defaults]" } else { "[[scenario]]" };
            if self.rng.gen_bool(0.9) {
                let _ = writeln!(text, "{header}");
            }
            for _ in 0..self.rng.gen_range(0..3) {
                let key = *keys.choose(&mut self.rng).unwrap();
                let value = self.toml_value();
                let _ = writeln!(text, "{key} = {value}");
            }
        }
        let mut bytes = text.into_bytes();
        if self.rng.gen_bool(0.2) {
            self.damage(&mut bytes);
        }
        let path = dir.join("batch.toml");
        std::fs::write(&path, bytes).expect("cannot write");
        Batch::read(&path).map(drop).map_err(drop)
    }

    fn toml_value(&mut self) -> String {
        let names = [
            "\"today\"",
            "\"\"",
            "\"..\"",
            "\"a/b\"",
            "\"CON\"",
            "\"summary.json\"",
            "\"x\"",
            "\"stations.geojson\"",
            "\"blocks.geojson\"",
            "\"missing.geojson\"",
            "\"all\"",
            "\"maps,blocks\"",
            "\"zh\"",
            "\"中文\"",
            "\"\\u0000\"",
        ];
        match self.rng.gen_range(0..6) {
            0 => names.choose(&mut self.rng).unwrap().to_string(),
            1 => [
                "0", "-1", "5", "1e400", "nan", "inf", "1e9", "0.5", "100001", "true",
            ]
            .choose(&mut self.rng)
            .unwrap()
            .to_string(),
            2 => "[5, 10, 15]".to_owned(),
            3 => [
                "[]", "[0]", "[-5]", "[\"5\"]", "[nan]", "[5, 5]", "[1e400]", "[[1]]",
            ]
            .choose(&mut self.rng)
            .unwrap()
            .to_string(),
            4 => "{ a = 1 }".to_owned(),
            _ => "[\"stations.geojson\", \"stations.geojson\"]".to_owned(),
        }
    }

    /// Writes a sample collection of a few features of `kind`, undamaged.
    fn sample_file(&mut self, dir: &Path, name: &str, kind: Kind) -> PathBuf {
        let n = self.rng.gen_range(1..6);
        let features = self.pick(kind, n);
        let doc = collection(features.iter().map(J::from_value).collect());
        let mut text = String::new();
        doc.write(&mut text, &mut self.rng, false);
        let path = dir.join(name);
        std::fs::write(&path, text).expect("cannot write");
        path
    }

    /// Writes a fuzzed GeoJSON file of mostly `kind` features.
    fn geojson_file(&mut self, dir: &Path, name: &str, kind: Kind) -> PathBuf {
        let path = dir.join(name);
        let bytes = self.geojson(kind);
        std::fs::write(&path, bytes).expect("cannot write");
        path
    }

    fn pick(&mut self, kind: Kind, n: usize) -> Vec<Value> {
        let pool = match kind {
            Kind::Blocks => &self.seeds.blocks,
            Kind::Stations => &self.seeds.stations,
            Kind::Lines => &self.seeds.lines,
        };
        pool.choose_multiple(&mut self.rng, n).cloned().collect()
    }

    /// A fuzzed GeoJSON text: random bytes now and then; otherwise sample features, mutated,
    /// written in one of the three layouts, and sometimes damaged byte by byte.
    fn geojson(&mut self, kind: Kind) -> Vec<u8> {
        if self.rng.gen_bool(0.04) {
            let alphabet = b"{}[]\":,.-+0123456789eE \n\x1etrufalsn\\\xff\xc3";
            let n = self.rng.gen_range(0..400);
            return (0..n)
                .map(|_| *alphabet.choose(&mut self.rng).unwrap())
                .collect();
        }
        let n = self.rng.gen_range(1..6);
        let mut features = self.pick(kind, n);
        if self.rng.gen_bool(0.1) {
            let other = [Kind::Blocks, Kind::Stations, Kind::Lines];
            let other = *other.choose(&mut self.rng).unwrap();
            features.extend(self.pick(other, 1));
        }
        let mut doc = collection(features.iter().map(J::from_value).collect());
        for _ in 0..self.rng.gen_range(0..4) {
            self.mutate(&mut doc);
        }
        let mut text = String::new();
        let pretty = self.rng.gen_bool(0.2);
        match (self.rng.gen_range(0..10), &doc) {
            (0, J::Obj(members)) | (1, J::Obj(members)) => {
                let rs = self.rng.gen_bool(0.5);
                let features = members.iter().find(|(k, _)| k == "features");
                if let Some((_, J::Arr(items))) = features {
                    for item in items.clone() {
                        if rs {
                            text.push('\x1e');
                        }
                        item.write(&mut text, &mut self.rng, false);
                        text.push('\n');
                    }
                } else {
                    doc.write(&mut text, &mut self.rng, pretty);
                }
            }
            _ => doc.write(&mut text, &mut self.rng, pretty),
        }
        let mut bytes = text.into_bytes();
        if self.rng.gen_bool(0.15) {
            for _ in 0..self.rng.gen_range(1..4) {
                self.damage(&mut bytes);
            }
        }
        bytes
    }

    /// One structural mutation somewhere in `doc`.
    fn mutate(&mut self, doc: &mut J) {
        let rng = &mut self.rng;
        let node = pick_node(doc, rng);
        let choice = rng.gen_range(0..10);
        match node {
            J::Obj(members) if choice < 6 && !members.is_empty() => {
                let i = rng.gen_range(0..members.len());
                match choice {
                    0 => {
                        let mut copy = members[i].clone();
                        if rng.gen_bool(0.5) {
                            copy.1 = interesting(rng);
                        }
                        let at = rng.gen_range(0..=members.len());
                        members.insert(at, copy);
                    }
                    1 => {
                        members.remove(i);
                    }
                    2 => members[i].0 = KEYS.choose(rng).unwrap().to_string(),
                    3 => members.push((KEYS.choose(rng).unwrap().to_string(), interesting(rng))),
                    4 => members[i].1 = interesting(rng),
                    _ => members.shuffle(rng),
                }
            }
            J::Arr(items) if choice < 6 && !items.is_empty() => {
                let i = rng.gen_range(0..items.len());
                match choice {
                    0 => {
                        let copy = items[i].clone();
                        items.insert(i, copy);
                    }
                    1 => {
                        items.remove(i);
                    }
                    2 => items.truncate(rng.gen_range(0..2)),
                    3 => items.push(interesting(rng)),
                    4 => items[i] = interesting(rng),
                    _ => items.reverse(),
                }
            }
            J::Num(text) if choice < 8 => *text = NUMBERS.choose(rng).unwrap().to_string(),
            J::Str(text) if choice < 8 => *text = STRINGS.choose(rng).unwrap().to_string(),
            _ if choice == 9 => *node = many_positions(rng),
            _ => *node = interesting(rng),
        }
    }

    /// Byte damage: truncation, flips, inserted bytes (invalid UTF-8, NUL, record separators),
    /// deleted or repeated ranges, a byte order mark.
    fn damage(&mut self, bytes: &mut Vec<u8>) {
        let rng = &mut self.rng;
        if bytes.is_empty() {
            bytes.push(b'{');
        }
        let at = rng.gen_range(0..bytes.len());
        match rng.gen_range(0..7) {
            0 => bytes.truncate(at),
            1 => bytes[at] ^= 1 << rng.gen_range(0..8),
            2 => {
                let junk: &[&[u8]] = &[
                    b"\xff",
                    b"\xc3",
                    b"\xe4\xb8",
                    b"\0",
                    b"\x1e",
                    b"\r",
                    b"\"",
                    b"\\",
                ];
                let junk = junk.choose(rng).unwrap();
                bytes.splice(at..at, junk.iter().copied());
            }
            3 => {
                let end = (at + rng.gen_range(1..64)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + rng.gen_range(1..256)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            5 => {
                bytes.splice(0..0, *b"\xef\xbb\xbf");
            }
            _ => bytes[at] = rng.gen(),
        };
    }

    /// Damage to a PBF file: byte damage, or a 32-bit big-endian length overwritten.
    fn damage_pbf(&mut self, bytes: &mut Vec<u8>) {
        if self.rng.gen_bool(0.3) && bytes.len() > 4 {
            let at = self.rng.gen_range(0..bytes.len() - 4);
            let value: u32 = *[0, 1, 0x7fff_ffff, 0xffff_ffff, 32 << 20, 64 << 10]
                .choose(&mut self.rng)
                .unwrap();
            bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
        } else {
            self.damage(bytes);
        }
    }

    /// Notes a finding; keeps the input of the first of each key.
    fn found(&mut self, kind: &str, key: &str) {
        self.found_with(kind, key, "");
    }

    /// Notes a finding like [`found`](Self::found), with `detail` kept next to the input.
    fn found_with(&mut self, kind: &str, key: &str, detail: &str) {
        let key = format!("{kind}: {key}");
        let seen = self.findings.entry(key.clone()).or_default();
        *seen += 1;
        if *seen == 1 && self.saved < 200 {
            self.saved += 1;
            let dest = self
                .out
                .join(format!("{kind}-{}-{}", self.seed, self.saved));
            let _ = std::fs::create_dir_all(&dest);
            for entry in std::fs::read_dir(&self.current)
                .into_iter()
                .flatten()
                .flatten()
            {
                if entry.path().is_file() {
                    let _ = std::fs::copy(entry.path(), dest.join(entry.file_name()));
                }
            }
            let _ = std::fs::write(dest.join("FINDING"), format!("{key}\n{detail}"));
            eprintln!("{key} (input kept in {})", dest.display());
        }
    }

    fn report(&self, seed: u64, iterations: u64, took: Duration) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "seed {seed}: {iterations} inputs in {:.1} min",
            took.as_secs_f64() / 60.0
        );
        for ((target, result), n) in &self.counts {
            let _ = writeln!(s, "  {target:?} {result}: {n}");
        }
        let _ = writeln!(s, "findings: {}", self.findings.len());
        for (key, n) in &self.findings {
            let _ = writeln!(s, "  {n} × {key}");
        }
        s
    }
}

/// Which sample features to start from.
#[derive(Clone, Copy)]
enum Kind {
    Blocks,
    Stations,
    Lines,
}

/// Why an output file does not read back, if it does not.
fn unreadable(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "json" | "geojson" => serde_json::from_slice::<Value>(&bytes)
            .err()
            .map(|e| e.to_string()),
        "svg" => match std::str::from_utf8(&bytes) {
            Ok(text) => roxmltree::Document::parse(text)
                .err()
                .map(|e| e.to_string()),
            Err(e) => Some(e.to_string()),
        },
        _ => std::str::from_utf8(&bytes).err().map(|e| e.to_string()),
    }
}

fn collection(features: Vec<J>) -> J {
    J::Obj(vec![
        ("type".to_owned(), J::Str("FeatureCollection".to_owned())),
        ("features".to_owned(), J::Arr(features)),
    ])
}

/// A node of `doc`, reached by a random walk from its root.
fn pick_node<'a>(doc: &'a mut J, rng: &mut StdRng) -> &'a mut J {
    let len = match &*doc {
        J::Arr(items) => items.len(),
        J::Obj(members) => members.len(),
        _ => 0,
    };
    if len == 0 || rng.gen_bool(0.2) {
        return doc;
    }
    let i = rng.gen_range(0..len);
    match doc {
        J::Arr(items) => pick_node(&mut items[i], rng),
        J::Obj(members) => pick_node(&mut members[i].1, rng),
        other => other,
    }
}

/// A value of any kind: scalars from the lists, empty containers, deep nesting.
fn interesting(rng: &mut StdRng) -> J {
    match rng.gen_range(0..12) {
        0 => J::Null,
        1 => J::Bool(rng.gen()),
        2 | 3 => J::Num(NUMBERS.choose(rng).unwrap().to_string()),
        4 | 5 => J::Str(STRINGS.choose(rng).unwrap().to_string()),
        6 => J::Arr(Vec::new()),
        7 => J::Obj(Vec::new()),
        8 => {
            let depth = *[10, 200, 129, 10_000, 20_000].choose(rng).unwrap();
            let (open, close) = if rng.gen_bool(0.5) {
                ("[", "]")
            } else {
                ("{\"a\":", "}")
            };
            J::Raw(format!("{}1{}", open.repeat(depth), close.repeat(depth)))
        }
        9 => J::Str("x".repeat(rng.gen_range(100..20_000))),
        10 => J::Arr(vec![J::Num("121.33".into()), J::Num("30.72".into())]),
        _ => many_positions(rng),
    }
}

/// A ring of many positions (a circle near Shihua), sometimes unclosed.
fn many_positions(rng: &mut StdRng) -> J {
    let n = *[1, 2, 3, 4, 1000, 20_000].choose(rng).unwrap();
    let mut ring: Vec<J> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            J::Arr(vec![
                J::Num(format!("{}", 121.33 + 0.001 * a.cos())),
                J::Num(format!("{}", 30.72 + 0.001 * a.sin())),
            ])
        })
        .collect();
    if rng.gen_bool(0.7) {
        ring.push(ring[0].clone());
    }
    J::Arr(vec![J::Arr(ring)])
}

impl J {
    fn from_value(v: &Value) -> J {
        match v {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Num(n.to_string()),
            Value::String(s) => {
                let quoted = serde_json::to_string(s).unwrap();
                J::Str(quoted[1..quoted.len() - 1].to_owned())
            }
            Value::Array(items) => J::Arr(items.iter().map(J::from_value).collect()),
            Value::Object(members) => J::Obj(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), J::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// Writes the text, with random spacing when `pretty`.
    fn write(&self, out: &mut String, rng: &mut StdRng, pretty: bool) {
        let space = |out: &mut String, rng: &mut StdRng| {
            if pretty {
                out.push_str([" ", "\n  ", "\t", "\r\n"].choose(rng).unwrap());
            }
        };
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Num(text) | J::Raw(text) => out.push_str(text),
            J::Str(text) => {
                out.push('"');
                out.push_str(text);
                out.push('"');
            }
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    space(out, rng);
                    item.write(out, rng, pretty);
                }
                out.push(']');
            }
            J::Obj(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    space(out, rng);
                    let _ = write!(out, "\"{key}\":");
                    value.write(out, rng, pretty);
                }
                out.push('}');
            }
        }
    }
}
