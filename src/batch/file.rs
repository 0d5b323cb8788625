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

use crate::options::{CoverageOptions, SuggestChoice, SuggestOptions};
use crate::run::Job;
use crate::suggest::job::SuggestJob;
use crate::Error;

/// File names the batch writes beside the scenario folders; no scenario may take them.
const RESERVED: &[&str] = &["batch.csv", "batch.json", "batch.svg", "diff.csv"];

/// One scenario of a batch: a name (its output folder) and the job it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario's name, a safe folder name, unique in the batch (ignoring case).
    pub name: String,
    /// The coverage job. Its `out_dir` is the bare name; [`super::run_batch`] puts it under the
    /// batch's output folder.
    pub job: Job,
    /// The scenario's own base for the diff (`diff = "today-network"`), overriding `--diff`;
    /// [`DiffBase::None`] (`diff = false`) compares it with nothing.
    pub diff: DiffBase,
    /// What it runs: coverage, or site suggestions (`kind = "suggest"`).
    pub kind: ScenarioKind,
    /// Suggest scenarios, earlier in the file, whose picks join this scenario's stations as
    /// `add_stations` files would (`add_suggested = ["next-five"]`).
    pub add_suggested: Vec<String>,
}

/// What a scenario runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ScenarioKind {
    /// `walkshed coverage`.
    #[default]
    Coverage,
    /// `walkshed suggest`, with the scenario's job as its coverage part (the same as
    /// [`Scenario::job`]).
    Suggest(Box<SuggestJob>),
}

/// Keys of a scenario table that are neither coverage nor suggestion options.
const SCENARIO_KEYS: &[&str] = &["name", "diff", "kind", "add_suggested"];

/// What a scenario is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DiffBase {
    /// The batch's `--diff` base, if any.
    #[default]
    Batch,
    /// This scenario.
    Named(String),
    /// Nothing (`diff = false`).
    None,
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
pub struct BatchProblem {
    /// Where: `None` for the file as a whole, `Some("[defaults]")`, or `Some("scenario \"x\"")`.
    pub table: Option<String>,
    /// The key, when one is at fault.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for BatchProblem {
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
pub struct BatchFileError {
    /// The batch file.
    pub path: PathBuf,
    /// The problems, in file order.
    pub problems: Vec<BatchProblem>,
}

impl fmt::Display for BatchFileError {
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

/// Collects problems while reading tables.
struct Reader<'a> {
    dir: &'a Path,
    problems: Vec<BatchProblem>,
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
    let keys = CoverageOptions::keys();
    let near = keys
        .iter()
        .map(|k| (edit_distance(&key.replace('-', "_"), k), *k))
        .min();
    match near {
        Some((d, k)) if d <= 2 => format!("unknown key; did you mean {k:?}?"),
        _ => format!("unknown key; expected one of {}", keys.join(", ")),
    }
}

/// A value of the wrong type, in the voice of the other messages: serde's "invalid type: A,
/// expected B" becomes "expected B, found A".
fn type_message(serde_message: &str, v: &Value) -> String {
    match serde_message.split_once(", expected ") {
        Some((_, expected)) => format!(
            "expected {}, found {}",
            expected.replace('`', "\""),
            kind(v)
        ),
        None => serde_message.to_owned(),
    }
}

/// The batch key and message of an option's error (`--max-snap` → `max_snap`).
fn key_and_message(e: Error) -> (Option<String>, String) {
    match e {
        Error::Parameter { name, message } => (
            Some(name.trim_start_matches('-').replace('-', "_")),
            message,
        ),
        other => (None, other.to_string()),
    }
}

/// The tables of a scenario merged: the scenario's keys over `[defaults]`. Thresholds are taken
/// whole from one table: a scenario that gives `distance` drops the defaults' `minutes`, and the
/// other way round.
fn merge(defaults: &toml::Table, scenario: &toml::Table) -> toml::Table {
    let mut merged = defaults.clone();
    if scenario.contains_key("minutes") || scenario.contains_key("distance") {
        merged.remove("minutes");
        merged.remove("distance");
    }
    merged.extend(scenario.iter().map(|(k, v)| (k.clone(), v.clone())));
    merged
}

impl Reader<'_> {
    fn problem(&mut self, table: &str, key: Option<&str>, message: impl Into<String>) {
        self.problems.push(BatchProblem {
            table: Some(table.to_owned()),
            key: key.map(str::to_owned),
            message: message.into(),
        });
    }

    /// The options one table sets (`name`, `diff`, `kind` and `add_suggested` are the
    /// caller's), each checked alone: unknown keys, values of the wrong type, values out of
    /// range and missing files are recorded, in key order, and left out of the table returned.
    /// With `suggest`, the keys of [`SuggestChoice`] are options too (checked for their type
    /// here, together in [`Reader::job`]).
    fn options(&mut self, table: &str, t: &toml::Table, suggest: bool) -> toml::Table {
        let mut found: Vec<(Option<String>, String)> = Vec::new();
        let mut good = toml::Table::new();
        let mut choice = toml::Table::new();
        let choice_keys = SuggestOptions::choice_keys();
        for (key, v) in t
            .iter()
            .filter(|(k, _)| !SCENARIO_KEYS.contains(&k.as_str()))
        {
            let one = toml::Table::from_iter([(key.clone(), v.clone())]);
            if choice_keys.contains(&key.as_str()) {
                if !suggest {
                    found.push((
                        Some(key.clone()),
                        "a key of site suggestions: it belongs in a scenario with kind = \"suggest\""
                            .to_owned(),
                    ));
                } else if let Err(e) = one.try_into::<SuggestChoice>() {
                    found.push((Some(key.clone()), type_message(e.message(), v)));
                } else {
                    choice.insert(key.clone(), v.clone());
                }
                continue;
            }
            if !CoverageOptions::keys().contains(&key.as_str()) {
                found.push((Some(key.clone()), unknown_key_message(key)));
                continue;
            }
            match one.try_into::<CoverageOptions>() {
                Ok(_) => {
                    good.insert(key.clone(), v.clone());
                }
                Err(e) => found.push((Some(key.clone()), type_message(e.message(), v))),
            }
        }
        match good.clone().try_into::<CoverageOptions>() {
            Ok(options) => found.extend(
                options
                    .problems(Some(self.dir))
                    .into_iter()
                    .map(key_and_message),
            ),
            Err(e) => found.push((None, e.message().to_owned())),
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, message) in found {
            if let Some(k) = &key {
                good.remove(k);
            }
            self.problem(table, key.as_deref(), message);
        }
        good.extend(choice);
        good
    }

    /// The job of a scenario, from its checked table over the checked `[defaults]`, and for a
    /// suggest scenario its suggestion job; `None` after recording a problem. `raw` holds the
    /// tables as written: a required key either sets but got wrong was reported already.
    fn job(
        &mut self,
        table: &str,
        checked: [&toml::Table; 2],
        raw: [&toml::Table; 2],
        out_dir: PathBuf,
        suggest: bool,
    ) -> Option<(Job, ScenarioKind)> {
        let [scenario, defaults] = checked;
        let options = match SuggestOptions::from_table(merge(defaults, scenario)) {
            Ok(o) => o,
            Err(message) => {
                self.problem(table, None, message);
                return None;
            }
        };
        let missing: Vec<&str> = options.coverage.missing();
        for key in &missing {
            if !raw.iter().any(|t| t.contains_key(*key)) {
                self.problem(
                    table,
                    Some(key),
                    "missing; give it in the scenario or in [defaults]",
                );
            }
        }
        if !missing.is_empty() {
            return None;
        }
        let built = if suggest {
            let problems = options.problems(Some(self.dir));
            if !problems.is_empty() {
                for e in problems {
                    let (key, message) = key_and_message(e);
                    self.problem(table, key.as_deref(), message);
                }
                return None;
            }
            options
                .job(Some(self.dir), out_dir)
                .map(|s| (s.job.clone(), ScenarioKind::Suggest(Box::new(s))))
        } else {
            options
                .coverage
                .job(Some(self.dir), out_dir)
                .map(|job| (job, ScenarioKind::Coverage))
        };
        match built {
            Ok(built) => Some(built),
            Err(e) => {
                let (key, message) = key_and_message(e);
                self.problem(table, key.as_deref(), message);
                None
            }
        }
    }

    /// Whether a scenario table asks for site suggestions (`kind = "suggest"`); a bad `kind`
    /// is recorded.
    fn kind(&mut self, table: &str, t: &toml::Table) -> bool {
        match t.get("kind") {
            None => false,
            Some(Value::String(k)) if k == "suggest" => true,
            Some(Value::String(k)) if k == "coverage" => false,
            Some(other) => {
                self.problem(
                    table,
                    Some("kind"),
                    format!(
                        "expected \"coverage\" or \"suggest\", found {}",
                        kind(other)
                    ),
                );
                false
            }
        }
    }

    /// The names in a scenario's `add_suggested` list; a value of the wrong type is recorded.
    fn add_suggested(&mut self, table: &str, t: &toml::Table) -> Vec<String> {
        let names: Option<Vec<String>> = match t.get("add_suggested") {
            None => Some(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(one)) => Some(vec![one.clone()]),
            Some(_) => None,
        };
        names.unwrap_or_else(|| {
            self.problem(
                table,
                Some("add_suggested"),
                "expected a list of names of suggest scenarios",
            );
            Vec::new()
        })
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
    pub fn read(path: &Path) -> Result<Batch, BatchFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| BatchFileError {
            path: path.to_path_buf(),
            problems: vec![BatchProblem {
                table: None,
                key: None,
                message: format!("cannot read the batch file: {e}"),
            }],
        })?;
        Batch::parse(&text, path)
    }

    /// Parses and validates the text of a batch file that lives at `path` (relative paths in it
    /// are taken from `path`'s folder; named files must exist).
    pub fn parse(text: &str, path: &Path) -> Result<Batch, BatchFileError> {
        let fail = |problems| BatchFileError {
            path: path.to_path_buf(),
            problems,
        };
        let root: toml::Table = toml::from_str(text).map_err(|e| {
            fail(vec![BatchProblem {
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
        let empty = toml::Table::new();
        let mut defaults = toml::Table::new();
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
                    defaults = r.options("[defaults]", t, false);
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
                ("scenario", other) => r.problems.push(BatchProblem {
                    table: None,
                    key: Some("scenario".to_owned()),
                    message: format!("expected [[scenario]] tables, found {}", kind(other)),
                }),
                (other, _) => r.problems.push(BatchProblem {
                    table: None,
                    key: Some(other.to_owned()),
                    message:
                        "unknown top-level key; expected a [defaults] table and [[scenario]] tables"
                            .to_owned(),
                }),
            }
        }
        if !saw_scenario {
            r.problems.push(BatchProblem {
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
            let diff = match t.get("diff") {
                None => DiffBase::Batch,
                Some(Value::String(base)) => DiffBase::Named(base.clone()),
                Some(Value::Boolean(false)) => DiffBase::None,
                Some(other) => {
                    r.problem(
                        &table,
                        Some("diff"),
                        format!(
                            "expected the name of another scenario or false, found {}",
                            kind(other)
                        ),
                    );
                    DiffBase::Batch
                }
            };
            let suggest = r.kind(&table, t);
            let add_suggested = r.add_suggested(&table, t);
            for source in &add_suggested {
                let earlier = scenarios
                    .iter()
                    .any(|s: &Scenario| &s.name == source && s.is_suggest());
                if !earlier {
                    r.problem(
                        &table,
                        Some("add_suggested"),
                        format!("{source:?} is not a suggest scenario (kind = \"suggest\") above this one"),
                    );
                }
            }
            let checked = r.options(&table, t, suggest);
            let out_dir = PathBuf::from(name.as_deref().unwrap_or_default());
            let job = r.job(
                &table,
                [&checked, &defaults],
                [t, defaults_raw],
                out_dir,
                suggest,
            );
            if let (Some(name), Some((job, kind))) = (name, job) {
                scenarios.push(Scenario {
                    name,
                    job,
                    diff,
                    kind,
                    add_suggested,
                });
            }
        }
        for s in &scenarios {
            if let DiffBase::Named(base) = &s.diff {
                let table = format!("scenario {:?}", s.name);
                if base == &s.name {
                    r.problem(&table, Some("diff"), "a scenario cannot be its own base");
                } else if !scenarios.iter().any(|o| &o.name == base) {
                    let names: Vec<&str> = scenarios.iter().map(|o| o.name.as_str()).collect();
                    r.problem(
                        &table,
                        Some("diff"),
                        format!(
                            "no scenario is named {base:?}; the scenarios are {}",
                            names.join(", ")
                        ),
                    );
                }
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

impl Scenario {
    /// Every input file it reads (a suggest scenario's candidates and exclusion zones too).
    pub fn inputs(&self) -> Vec<&Path> {
        match &self.kind {
            ScenarioKind::Coverage => self.job.inputs(),
            ScenarioKind::Suggest(suggest) => suggest.inputs(),
        }
    }

    /// Whether it runs site suggestions.
    pub fn is_suggest(&self) -> bool {
        matches!(self.kind, ScenarioKind::Suggest(_))
    }
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
    fn a_scenario_base_is_a_name_or_false() {
        let p = problems("[[scenario]]\nname = \"b\"\ndiff = 3\n");
        assert!(
            p.contains(&"scenario \"b\", key \"diff\": expected the name of another scenario or false, found the integer 3".to_owned()),
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
