//! The batch file: a `[defaults]` table and `[[scenario]]` tables, parsed and validated into one
//! [`Job`] per scenario before any work starts.
//!
//! Every problem of the file is collected — unknown keys, values of the wrong type or out of
//! range, duplicate or unsafe names, missing files — and reported together, each naming the
//! table (`[defaults]` or the scenario) and the key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::Value;

use crate::config::{DEFAULT_MAX_SNAP_M, DEFAULT_MINUTES, DEFAULT_SPEED_M_PER_MIN};
use crate::load::BlockFields;
use crate::render::{Lang, MapOptions};
use crate::report::Outputs;
use crate::run::Job;
use crate::{Error, Params, ThresholdUnit};

/// The keys a `[defaults]` or `[[scenario]]` table takes: `coverage`'s long option names with
/// underscores, plus `add_stations` as a list.
pub const KEYS: &[&str] = &[
    "stations",
    "add_stations",
    "blocks",
    "network",
    "minutes",
    "distance",
    "speed",
    "detour",
    "population",
    "group_by",
    "max_snap",
    "outputs",
    "labels",
    "lang",
];

/// File names the batch writes beside the scenario folders; no scenario may take them.
const RESERVED: &[&str] = &["batch.csv", "batch.json", "batch.svg", "diff.csv"];

/// One scenario of a batch: a name (its output folder) and the job it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario's name, a safe folder name, unique in the batch (ignoring case).
    pub name: String,
    /// The coverage job. Its `out_dir` is the bare name; [`super::run()`] puts it under the
    /// batch's output folder.
    pub job: Job,
}

/// A validated batch file.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The batch file.
    pub path: PathBuf,
    /// The scenarios, in file order.
    pub scenarios: Vec<Scenario>,
}

/// One problem of a batch file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `None` for the file as a whole, `Some("[defaults]")`, or `Some("scenario \"x\"")`.
    pub table: Option<String>,
    /// The key, when one is at fault.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.table, &self.key) {
            (Some(t), Some(k)) => write!(f, "{t}, key {k:?}: ")?,
            (Some(t), None) => write!(f, "{t}: ")?,
            (None, Some(k)) => write!(f, "key {k:?}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

/// A batch file that cannot be run, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The batch file.
    pub path: PathBuf,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{}: {one}", self.path.display()),
            many => {
                write!(f, "{}: {} problems", self.path.display(), many.len())?;
                for p in many {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
        }
    }
}

/// What one table sets; `None` where it says nothing.
#[derive(Debug, Clone, Default)]
struct Settings {
    stations: Option<PathBuf>,
    add_stations: Option<Vec<PathBuf>>,
    blocks: Option<PathBuf>,
    /// `Some(None)`: `network = false`, straight-line even if `[defaults]` names a network.
    network: Option<Option<PathBuf>>,
    thresholds: Option<(Vec<f64>, ThresholdUnit)>,
    speed: Option<f64>,
    detour: Option<f64>,
    population: Option<String>,
    group_by: Option<String>,
    max_snap: Option<f64>,
    outputs: Option<Outputs>,
    labels: Option<bool>,
    lang: Option<Lang>,
}

impl Settings {
    /// `self` over `defaults`. Thresholds are taken whole from one table: a scenario that gives
    /// `distance` drops the defaults' `minutes`, and the other way round.
    fn over(self, d: &Settings) -> Settings {
        Settings {
            stations: self.stations.or_else(|| d.stations.clone()),
            add_stations: self.add_stations.or_else(|| d.add_stations.clone()),
            blocks: self.blocks.or_else(|| d.blocks.clone()),
            network: self.network.or_else(|| d.network.clone()),
            thresholds: self.thresholds.or_else(|| d.thresholds.clone()),
            speed: self.speed.or(d.speed),
            detour: self.detour.or(d.detour),
            population: self.population.or_else(|| d.population.clone()),
            group_by: self.group_by.or_else(|| d.group_by.clone()),
            max_snap: self.max_snap.or(d.max_snap),
            outputs: self.outputs.or(d.outputs),
            labels: self.labels.or(d.labels),
            lang: self.lang.or(d.lang),
        }
    }
}

/// Collects problems while reading tables.
struct Reader<'a> {
    dir: &'a Path,
    problems: Vec<Problem>,
}

/// A TOML value's kind, for messages.
fn kind(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {s:?}"),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Float(x) => format!("the number {x}"),
        Value::Boolean(b) => format!("{b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "a list".to_owned(),
        Value::Table(_) => "a table".to_owned(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// Edit distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn unknown_key_message(key: &str) -> String {
    let near = KEYS
        .iter()
        .map(|k| (edit_distance(&key.replace('-', "_"), k), *k))
        .min();
    match near {
        Some((d, k)) if d <= 2 => format!("unknown key; did you mean {k:?}?"),
        _ => format!("unknown key; expected one of {}", KEYS.join(", ")),
    }
}

impl Reader<'_> {
    fn problem(&mut self, table: &str, key: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            table: Some(table.to_owned()),
            key: key.map(str::to_owned),
            message: message.into(),
        });
    }

    fn string(&mut self, table: &str, key: &str, v: &Value) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::String(_) => {
                self.problem(
                    table,
                    Some(key),
                    "expected a non-empty string, found an empty one",
                );
                None
            }
            other => {
                self.problem(
                    table,
                    Some(key),
                    format!("expected a string, found {}", kind(other)),
                );
                None
            }
        }
    }

    /// A file path, relative to the batch file's folder; the file must exist.
    fn file(&mut self, table: &str, key: &str, v: &Value) -> Option<PathBuf> {
        let s = self.string(table, key, v)?;
        let path = self.dir.join(&s);
        if path.is_file() {
            Some(path)
        } else if path.exists() {
            self.problem(
                table,
                Some(key),
                format!("{} is not a file", path.display()),
            );
            None
        } else {
            self.problem(
                table,
                Some(key),
                format!("file not found: {}", path.display()),
            );
            None
        }
    }

    /// One number, or a list of them.
    fn numbers(&mut self, table: &str, key: &str, v: &Value, what: &str) -> Option<Vec<f64>> {
        let items: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            one => vec![one],
        };
        if items.is_empty() {
            self.problem(
                table,
                Some(key),
                format!("expected at least one number of {what}, found an empty list"),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match number(item) {
                Some(x) if x.is_finite() && x > 0.0 => out.push(x),
                Some(x) => {
                    self.problem(
                        table,
                        Some(key),
                        format!("expected a positive number of {what}, found {x}"),
                    );
                    return None;
                }
                None => {
                    self.problem(
                        table,
                        Some(key),
                        format!("expected a number of {what}, found {}", kind(item)),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }

    /// One number with `ok` as its range.
    fn scalar(
        &mut self,
        table: &str,
        key: &str,
        v: &Value,
        expected: &str,
        ok: impl Fn(f64) -> bool,
    ) -> Option<f64> {
        match number(v) {
            Some(x) if x.is_finite() && ok(x) => Some(x),
            Some(x) => {
                self.problem(table, Some(key), format!("expected {expected}, found {x}"));
                None
            }
            None => {
                self.problem(
                    table,
                    Some(key),
                    format!("expected {expected}, found {}", kind(v)),
                );
                None
            }
        }
    }

    /// Reads the settings keys of one table (`name` is handled by the caller).
    fn settings(&mut self, table: &str, t: &toml::Table) -> Settings {
        let mut s = Settings::default();
        if t.contains_key("minutes") && t.contains_key("distance") {
            self.problem(
                table,
                Some("distance"),
                "conflicts with \"minutes\" in the same table; give thresholds in minutes or in metres",
            );
        }
        for (key, v) in t {
            let k = key.as_str();
            match k {
                "name" => {}
                "stations" => s.stations = self.file(table, k, v),
                "blocks" => s.blocks = self.file(table, k, v),
                "network" => {
                    s.network = match v {
                        Value::Boolean(false) => Some(None),
                        _ => self.file(table, k, v).map(Some),
                    }
                }
                "add_stations" => {
                    let items: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        one => vec![one],
                    };
                    let files: Vec<Option<PathBuf>> =
                        items.iter().map(|i| self.file(table, k, i)).collect();
                    s.add_stations = files.into_iter().collect();
                }
                "minutes" => {
                    s.thresholds = self
                        .numbers(table, k, v, "minutes")
                        .map(|x| (x, ThresholdUnit::Minutes))
                }
                "distance" => {
                    s.thresholds = self
                        .numbers(table, k, v, "metres")
                        .map(|x| (x, ThresholdUnit::Metres))
                }
                "speed" => {
                    s.speed =
                        self.scalar(table, k, v, "a positive number of metres per minute", |x| {
                            x > 0.0
                        })
                }
                "detour" => s.detour = self.scalar(table, k, v, "a number ≥ 1", |x| x >= 1.0),
                "max_snap" => {
                    s.max_snap = self.scalar(table, k, v, "a number of metres ≥ 0", |x| x >= 0.0)
                }
                "population" => s.population = self.string(table, k, v),
                "group_by" => s.group_by = self.string(table, k, v),
                "outputs" => {
                    let list = match v {
                        Value::Array(a) => {
                            let items: Vec<Option<String>> =
                                a.iter().map(|i| self.string(table, k, i)).collect();
                            items
                                .into_iter()
                                .collect::<Option<Vec<String>>>()
                                .map(|l| l.join(","))
                        }
                        one => self.string(table, k, one),
                    };
                    if let Some(list) = list {
                        match Outputs::parse(&list) {
                            Ok(o) => s.outputs = Some(o),
                            Err(Error::Parameter { message, .. }) => {
                                self.problem(table, Some(k), message)
                            }
                            Err(e) => self.problem(table, Some(k), e.to_string()),
                        }
                    }
                }
                "labels" => match v {
                    Value::Boolean(b) => s.labels = Some(*b),
                    other => self.problem(
                        table,
                        Some(k),
                        format!("expected true or false, found {}", kind(other)),
                    ),
                },
                "lang" => match v.as_str() {
                    Some("en") => s.lang = Some(Lang::En),
                    Some("zh") => s.lang = Some(Lang::Zh),
                    _ => self.problem(
                        table,
                        Some(k),
                        format!("expected \"en\" or \"zh\", found {}", kind(v)),
                    ),
                },
                other => self.problem(table, Some(other), unknown_key_message(other)),
            }
        }
        s
    }
}

/// Why `name` cannot be a folder name, if it cannot.
fn unsafe_name(name: &str) -> Option<String> {
    const WINDOWS: &[&str] = &[
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if name.is_empty() {
        return Some("expected a non-empty name".to_owned());
    }
    if name.chars().count() > 100 {
        return Some(format!("{name:?} is longer than 100 characters"));
    }
    if !name.chars().next().is_some_and(char::is_alphanumeric)
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.".contains(c))
    {
        return Some(format!(
            "{name:?} is not a safe folder name: use letters, digits, '-', '_' and '.', starting with a letter or digit"
        ));
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    if WINDOWS.contains(&stem.as_str()) {
        return Some(format!("{name:?} is a reserved device name on Windows"));
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Some(format!("{name:?} is the name of a file the batch writes"));
    }
    None
}

impl Batch {
    /// Reads and validates a batch file. Relative paths in it are taken from its folder.
    pub fn read(path: &Path) -> Result<Batch, FileError> {
        let text = std::fs::read_to_string(path).map_err(|e| FileError {
            path: path.to_path_buf(),
            problems: vec![Problem {
                table: None,
                key: None,
                message: format!("cannot read the batch file: {e}"),
            }],
        })?;
        Batch::parse(&text, path)
    }

    /// Parses and validates the text of a batch file that lives at `path` (relative paths in it
    /// are taken from `path`'s folder; named files must exist).
    pub fn parse(text: &str, path: &Path) -> Result<Batch, FileError> {
        let fail = |problems| FileError {
            path: path.to_path_buf(),
            problems,
        };
        let root: toml::Table = toml::from_str(text).map_err(|e| {
            fail(vec![Problem {
                table: None,
                key: None,
                message: format!("invalid TOML: {}", e.to_string().trim_end()),
            }])
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let mut r = Reader {
            dir,
            problems: Vec::new(),
        };
        let mut defaults = Settings::default();
        let empty = toml::Table::new();
        let mut defaults_raw = &empty;
        let mut tables: Vec<&toml::Table> = Vec::new();
        let mut saw_scenario = false;
        for (key, v) in &root {
            match (key.as_str(), v) {
                ("defaults", Value::Table(t)) => {
                    if t.contains_key("name") {
                        r.problem(
                            "[defaults]",
                            Some("name"),
                            "a name belongs in a [[scenario]] table",
                        );
                    }
                    defaults = r.settings("[defaults]", t);
                    defaults_raw = t;
                }
                ("defaults", other) => r.problem(
                    "[defaults]",
                    None,
                    format!("expected a table, found {}", kind(other)),
                ),
                ("scenario", Value::Array(items)) => {
                    saw_scenario = true;
                    for (i, item) in items.iter().enumerate() {
                        match item {
                            Value::Table(t) => tables.push(t),
                            other => r.problem(
                                &format!("scenario #{}", i + 1),
                                None,
                                format!("expected a table, found {}", kind(other)),
                            ),
                        }
                    }
                }
                ("scenario", other) => r.problems.push(Problem {
                    table: None,
                    key: Some("scenario".to_owned()),
                    message: format!("expected [[scenario]] tables, found {}", kind(other)),
                }),
                (other, _) => r.problems.push(Problem {
                    table: None,
                    key: Some(other.to_owned()),
                    message:
                        "unknown top-level key; expected a [defaults] table and [[scenario]] tables"
                            .to_owned(),
                }),
            }
        }
        if !saw_scenario {
            r.problems.push(Problem {
                table: None,
                key: None,
                message: "no [[scenario]] table; at least one is needed".to_owned(),
            });
        }
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut scenarios = Vec::with_capacity(tables.len());
        for (i, t) in tables.into_iter().enumerate() {
            let name = t.get("name");
            let table = match name.and_then(Value::as_str) {
                Some(n) => format!("scenario {n:?}"),
                None => format!("scenario #{}", i + 1),
            };
            let name = match name {
                None => {
                    r.problem(&table, Some("name"), "missing; every scenario needs a name");
                    None
                }
                Some(Value::String(n)) => match unsafe_name(n) {
                    Some(why) => {
                        r.problem(&table, Some("name"), why);
                        None
                    }
                    None => match seen.insert(n.to_lowercase(), n.clone()) {
                        Some(first) => {
                            r.problem(
                                &table,
                                Some("name"),
                                format!(
                                    "duplicate name: scenario {first:?} has it already (names are folder names and must differ, ignoring case)"
                                ),
                            );
                            None
                        }
                        None => Some(n.clone()),
                    },
                },
                Some(other) => {
                    r.problem(
                        &table,
                        Some("name"),
                        format!("expected a string, found {}", kind(other)),
                    );
                    None
                }
            };
            let settings = r.settings(&table, t).over(&defaults);
            let job = job(&mut r, &table, [t, defaults_raw], settings);
            if let (Some(name), Some(mut job)) = (name, job) {
                job.out_dir = PathBuf::from(&name);
                scenarios.push(Scenario { name, job });
            }
        }
        if r.problems.is_empty() {
            Ok(Batch {
                path: path.to_path_buf(),
                scenarios,
            })
        } else {
            Err(fail(r.problems))
        }
    }

    /// The scenario named `name`, if any.
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

/// The job of one scenario's merged settings; `None` after recording a problem. `raw` holds the
/// scenario's table and `[defaults]`: a key either sets but got wrong was reported already.
fn job(r: &mut Reader<'_>, table: &str, raw: [&toml::Table; 2], s: Settings) -> Option<Job> {
    let mut ok = true;
    for (key, value) in [
        ("stations", s.stations.is_some()),
        ("blocks", s.blocks.is_some()),
    ] {
        if !value && !raw.iter().any(|t| t.contains_key(key)) {
            r.problem(
                table,
                Some(key),
                "missing; give it in the scenario or in [defaults]",
            );
            ok = false;
        }
    }
    let (values, unit) = s
        .thresholds
        .unwrap_or_else(|| (vec![DEFAULT_MINUTES], ThresholdUnit::Minutes));
    let params = Params::new(
        &values,
        unit,
        s.speed.unwrap_or(DEFAULT_SPEED_M_PER_MIN),
        s.detour.unwrap_or(1.0),
        s.max_snap.unwrap_or(DEFAULT_MAX_SNAP_M),
    );
    let params = match params {
        Ok(p) => p,
        Err(Error::Parameter { name, message }) => {
            let key = match name.trim_start_matches('-').replace('-', "_") {
                k if k == "thresholds" => "minutes".to_owned(),
                k => k,
            };
            r.problem(table, Some(&key), message);
            return None;
        }
        Err(e) => {
            r.problem(table, None, e.to_string());
            return None;
        }
    };
    if !ok {
        return None;
    }
    Some(Job {
        stations: s.stations?,
        add_stations: s.add_stations.unwrap_or_default(),
        blocks: s.blocks?,
        network: s.network.flatten(),
        fields: BlockFields {
            population: s
                .population
                .unwrap_or_else(|| BlockFields::default().population),
            group_by: s.group_by,
            keep_shapes: false,
        },
        params,
        out_dir: PathBuf::new(),
        outputs: s.outputs.unwrap_or_default(),
        map: MapOptions {
            labels: s.labels.unwrap_or(false),
            lang: s.lang.unwrap_or_default(),
            ..MapOptions::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match Batch::parse(text, Path::new("b.toml")) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn hints_at_near_keys() {
        let p = problems("[defaults]\nminute = 5\n[[scenario]]\nname = \"a\"\n");
        assert!(
            p.contains(
                &"[defaults], key \"minute\": unknown key; did you mean \"minutes\"?".to_owned()
            ),
            "{p:?}"
        );
    }

    #[test]
    fn names_must_be_folder_names() {
        assert!(unsafe_name("today").is_none());
        assert!(unsafe_name("石化街道-5min").is_none());
        assert!(unsafe_name("../x").is_some());
        assert!(unsafe_name(".hidden").is_some());
        assert!(unsafe_name("a b").is_some());
        assert!(unsafe_name("con").is_some());
        assert!(unsafe_name("batch.csv").is_some());
    }

    #[test]
    fn reports_toml_syntax_with_line() {
        let p = problems("[defaults]\nspeed = = 3\n");
        assert!(
            p[0].contains("invalid TOML") && p[0].contains("line 2"),
            "{p:?}"
        );
    }
}
