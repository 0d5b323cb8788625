//! Batch analyses: many coverage scenarios in one run (`walkshed batch FILE.toml`).
//!
//! A batch file holds a `[defaults]` table and one `[[scenario]]` table per run. Each scenario
//! has a `name` — its output folder — and overrides whatever it needs. The keys are the long
//! option names of `walkshed coverage` with underscores, one [`CoverageOptions`](crate::CoverageOptions)
//! field each ([`keys`](crate::CoverageOptions::keys)); `add_stations` is a list of extra station files laid over the
//! base stations (e.g. proposed sites), and `network = false` turns a network from `[defaults]`
//! off. A scenario with `kind = "suggest"` runs `walkshed suggest` (its keys are
//! [`SuggestOptions::keys`](crate::SuggestOptions::keys); the suggestion ones in the scenario
//! only), and `add_suggested = ["name"]` adds the picks of a suggest scenario above to a
//! scenario's stations, as `add_stations` would add its `suggestions.geojson`. Paths are relative
//! to the batch file. Unknown keys,
//! bad values, duplicate or unsafe names and missing files are all reported together, naming the
//! scenario and the key, before any work starts ([`Batch::read`], [`BatchFileError`]).
//!
//! [`run_batch`] then
//! 1. reads every input file once however many scenarios use it, and builds each network graph
//!    once per network and blocks file ([`LoadCounts`] counts it);
//! 2. runs the scenarios in parallel, each exactly as `walkshed coverage` (or `walkshed
//!    suggest`) would with the same options (through [`crate::run`]), writing `OUT/<scenario>/`;
//!    scenarios that add picks wait for them (they run in a later wave); a scenario that fails
//!    is reported with its reason and leaves no folder, and the others finish;
//! 3. writes `OUT/batch.csv` and `OUT/batch.json` (one row per scenario × threshold: [`BatchRow`],
//!    and under `"files"` every file of the run), `OUT/batch.svg` (the shares side by side and, with a diff, the residents each
//!    proposal gains, ranked), and with a base scenario `OUT/diff.csv` (residents gained and
//!    lost against the base, in total and per group: [`Diff`]; when no base ran, there is no
//!    `diff.csv` and a warning says so). A scenario names its own base with `diff = "other"`
//!    (or compares with nothing: `diff = false`); `--diff` is the base of the others.
//!
//! The whole of `OUT` is published as one unit ([`crate::publish`]): checked and locked before
//! anything is read, and replaced only when every file is written, so it holds either the
//! previous batch's files or this one's.
//!
//! # Examples
//!
//! The sample batch of the Shihua data (`data/shihua/batch.toml`): 5, 10 and 15 minutes in a
//! straight line, along the walking network, and with proposed stations added.
//!
//! ```toml
//! [defaults]
//! stations = "stations.geojson"
//! blocks = "blocks.geojson"
//! minutes = [5, 10, 15]
//! group_by = "committee"
//!
//! [[scenario]]
//! name = "today"
//!
//! [[scenario]]
//! name = "today-network"
//! network = "walk.geojson"
//! diff = false                  # network and straight-line distances do not compare
//!
//! [[scenario]]
//! name = "proposed"
//! add_stations = ["proposed-stations.geojson"]
//!
//! [[scenario]]
//! name = "proposed-network"
//! add_stations = ["proposed-stations.geojson"]
//! network = "walk.geojson"
//! diff = "today-network"        # its own base: today's stations along the network
//! ```
//!
//! ```text
//! walkshed batch data/shihua/batch.toml --out shihua-batch --diff today
//! ```
//!
//! Problems are found before anything is read:
//!
//! ```
//! use std::path::Path;
//! use walkshed::Batch;
//!
//! let text = r#"
//! [defaults]
//! minutes = [5, 10]
//!
//! [[scenario]]
//! name = "a"
//! speeed = 70
//! "#;
//! let err = Batch::parse(text, Path::new("batch.toml")).unwrap_err();
//! let messages: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
//! assert_eq!(messages, [
//!     r#"scenario "a", key "speeed": unknown key; did you mean "speed"?"#,
//!     r#"scenario "a", key "stations": missing; give it in the scenario or in [defaults]"#,
//!     r#"scenario "a", key "blocks": missing; give it in the scenario or in [defaults]"#,
//! ]);
//! ```

mod cache;
mod change;
mod chart;
mod diff;
mod file;
mod report;
mod table;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

pub use cache::{LoadCounts, LoadStep};
pub use diff::{Diff, DiffRow, DiffScope};
pub use file::{Batch, BatchFileError, BatchProblem, DiffBase, Scenario, ScenarioKind};
pub use table::BatchRow;

use crate::error::{Error, Result};
use crate::load::{BlockSet, StationSet};
use crate::publish::{Publication, Staged};
use crate::report::{fmt_num, Summary, Tool};
use crate::run::{self, Loaded};
use crate::Analysis;
use cache::Cache;

/// How to run a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchOptions {
    /// The output folder: one folder per scenario, and the combined files.
    pub out_dir: PathBuf,
    /// The base scenario to compare every other scenario with (`--diff`), unless a scenario
    /// names its own (`diff = "…"` in its table).
    pub diff_base: Option<String>,
}

/// Progress of a batch, announced to a callback (from several threads while scenarios run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchEvent<'a> {
    /// An input is being loaded: step `done + 1` of `total`.
    Load {
        /// What is loaded.
        step: LoadStep<'a>,
        /// Steps finished.
        done: usize,
        /// All steps.
        total: usize,
    },
    /// The scenarios start.
    Start {
        /// How many scenarios.
        total: usize,
    },
    /// A scenario finished (`ok`) or failed.
    Finished {
        /// Its name.
        name: &'a str,
        /// Whether it succeeded.
        ok: bool,
        /// Scenarios finished so far, this one included.
        done: usize,
        /// All scenarios.
        total: usize,
    },
    /// Writing `batch.csv`, `batch.json`, `batch.svg` (and `diff.csv`).
    Combine,
}

/// How one scenario went.
#[derive(Debug, Clone)]
pub struct ScenarioReport {
    /// The scenario.
    pub name: String,
    /// Its output folder.
    pub folder: PathBuf,
    /// Its summary, or why it failed.
    pub outcome: std::result::Result<Summary, String>,
}

/// The result of a batch run.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// The batch file.
    pub batch: PathBuf,
    /// The output folder.
    pub out_dir: PathBuf,
    /// How much was loaded: each distinct input once.
    pub loads: LoadCounts,
    /// Every scenario, in batch order.
    pub scenarios: Vec<ScenarioReport>,
    /// The combined table: per successful scenario, per threshold.
    pub rows: Vec<BatchRow>,
    /// The comparison with the base scenario, when one was asked for and it succeeded.
    pub diff: Option<Diff>,
    /// The combined files written (`batch.csv`, `batch.json`, `batch.svg`, `diff.csv`).
    pub written: Vec<PathBuf>,
    /// Every file the batch published, relative to the output folder and sorted (scenario files
    /// as `scenario/file`): the manifest in `batch.json`.
    pub files: Vec<String>,
    /// Warnings (e.g. no `diff.csv` because the base scenario failed).
    pub warnings: Vec<String>,
}

/// A scenario that ran: what the diff needs.
#[derive(Debug)]
pub(crate) struct Done {
    summary: Summary,
    analysis: Analysis,
    blocks: Arc<BlockSet>,
    /// Its folder inside the batch's temporary folder.
    folder: Staged,
    /// A suggest scenario's picks, as stations for the scenarios that add them.
    picks: Option<Arc<StationSet>>,
}

/// Runs a batch: loads each input once, runs the scenarios in parallel, writes each scenario's
/// folder and the combined files into `options.out_dir`.
///
/// A scenario that fails is reported in [`BatchReport::scenarios`] and leaves no folder; the
/// function itself fails only when the batch cannot start (an unknown `--diff` base, an output
/// folder that cannot be locked or replaced) or the combined files cannot be
/// written.
pub fn run_batch(
    batch: &Batch,
    options: &BatchOptions,
    progress: &(dyn Fn(BatchEvent<'_>) + Sync),
) -> Result<BatchReport> {
    run_batch_with(batch, options, progress, &|s, loaded| {
        run::analyse_loaded(&s.job, loaded)
    })
}

/// How a scenario's analysis is made from its loaded inputs: measured ([`run_batch`]), or
/// merged from tiles (`walkshed merge`).
pub(crate) type Analyser<'a> = dyn Fn(&Scenario, &Loaded) -> Result<Analysis> + Sync + 'a;

/// [`run_batch`], each scenario's analysis made by `analyse`.
pub(crate) fn run_batch_with(
    batch: &Batch,
    options: &BatchOptions,
    progress: &(dyn Fn(BatchEvent<'_>) + Sync),
    analyse: &Analyser<'_>,
) -> Result<BatchReport> {
    if let Some(base) = &options.diff_base {
        if batch.scenario(base).is_none() {
            let names: Vec<&str> = batch.scenarios.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::parameter(
                "--diff",
                format!(
                    "no scenario is named {base:?}; the scenarios are {}",
                    names.join(", ")
                ),
            ));
        }
    }
    let mut inputs: Vec<&Path> = vec![&batch.path];
    inputs.extend(batch.scenarios.iter().flat_map(Scenario::inputs));
    let mut publication = Publication::begin(&options.out_dir, &inputs)?;
    let root = publication.staged().dir().to_path_buf();
    let total_steps = Cache::steps(&batch.scenarios);
    let mut done_steps = 0;
    let cache = Cache::load(&batch.scenarios, &mut |step| {
        progress(BatchEvent::Load {
            step,
            done: done_steps,
            total: total_steps,
        });
        done_steps += 1;
    });

    let total = batch.scenarios.len();
    progress(BatchEvent::Start { total });
    let mut outcomes = run_waves(batch, &cache, options, &root, progress, analyse);

    progress(BatchEvent::Combine);
    change::stage_change_maps(batch, options.diff_base.as_deref(), &cache, &mut outcomes)?;
    let mut rows = Vec::new();
    let mut ran: Vec<(&str, &Done, &DiffBase)> = Vec::new();
    for (scenario, (_, outcome)) in batch.scenarios.iter().zip(&outcomes) {
        if let Ok(done) = outcome {
            rows.extend(table::rows(&scenario.name, &done.summary));
            ran.push((&scenario.name, done, &scenario.diff));
        }
    }
    let diff = diff::diff(options.diff_base.as_deref(), &ran);
    let mut warnings = Vec::new();
    if let (Some(base), None) = (&options.diff_base, &diff) {
        warnings.push(format!(
            "the --diff base scenario {base:?} failed, so diff.csv is not written"
        ));
    }
    let staged = publication.staged();
    for (scenario, (_, outcome)) in batch.scenarios.iter().zip(&outcomes) {
        if let Ok(done) = outcome {
            staged.adopt(&scenario.name, &done.folder);
        }
    }
    let scenarios = batch
        .scenarios
        .iter()
        .zip(outcomes)
        .map(|(s, (folder, outcome))| ScenarioReport {
            name: s.name.clone(),
            folder,
            outcome: outcome.map(|d| d.summary),
        })
        .collect();
    let mut report = BatchReport {
        batch: batch.path.clone(),
        out_dir: options.out_dir.clone(),
        loads: cache.counts,
        scenarios,
        rows,
        diff,
        written: Vec::new(),
        files: Vec::new(),
        warnings,
    };
    let lang = batch
        .scenarios
        .first()
        .map_or_else(Default::default, |s| s.job.map.lang);
    let png = batch.scenarios.iter().any(|s| s.job.map.png);
    let html = batch.scenarios.iter().any(|s| s.job.outputs.report);
    let combined = write_combined(&mut report, publication.staged(), lang, png, html)?;
    publication.commit()?;
    report.written = combined.iter().map(|n| report.out_dir.join(n)).collect();
    Ok(report)
}

/// How one scenario went, with its folder.
type Outcome = (PathBuf, std::result::Result<Done, String>);

/// Outcomes of a batch's scenarios, in batch order.
type Outcomes = Vec<Outcome>;

/// Runs the scenarios wave after wave (see [`waves`]), those of one wave in parallel, each
/// writing its folder under `root` (the batch's temporary folder).
fn run_waves(
    batch: &Batch,
    cache: &Cache,
    options: &BatchOptions,
    root: &Path,
    progress: &(dyn Fn(BatchEvent<'_>) + Sync),
    analyse: &Analyser<'_>,
) -> Outcomes {
    let total = batch.scenarios.len();
    let finished = AtomicUsize::new(0);
    let waves = waves(&batch.scenarios);
    let mut outcomes: Vec<Option<Outcome>> = (0..total).map(|_| None).collect();
    for wave in 0..=waves.iter().copied().max().unwrap_or(0) {
        let ran: Vec<(usize, Outcome)> = (0..total)
            .into_par_iter()
            .filter(|&i| waves[i] == wave)
            .map(|i| {
                let scenario = &batch.scenarios[i];
                let folder = options.out_dir.join(&scenario.name);
                let staged = root.join(&scenario.name);
                let outcome = match &cache.loaded[i] {
                    Err(reason) => Err(reason.clone()),
                    Ok(loaded) if scenario.add_suggested.is_empty() => {
                        run_scenario(scenario, &staged, loaded, &folder, analyse)
                    }
                    Ok(loaded) => with_suggested(batch, &outcomes, scenario, loaded.clone())
                        .and_then(|loaded| {
                            run_scenario(scenario, &staged, &loaded, &folder, analyse)
                        }),
                };
                let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                progress(BatchEvent::Finished {
                    name: &scenario.name,
                    ok: outcome.is_ok(),
                    done,
                    total,
                });
                (i, (folder, outcome))
            })
            .collect();
        for (i, outcome) in ran {
            outcomes[i] = Some(outcome);
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every scenario runs in some wave"))
        .collect()
}

/// The wave each scenario runs in: 0 for those that need no picks, and one after the latest
/// wave of the suggest scenarios whose picks it adds (always earlier in the file).
fn waves(scenarios: &[Scenario]) -> Vec<usize> {
    let mut waves: Vec<usize> = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        let wave = (s.add_suggested.iter())
            .filter_map(|name| scenarios.iter().position(|o| &o.name == name))
            .filter(|&j| j < waves.len())
            .map(|j| waves[j] + 1)
            .max()
            .unwrap_or(0);
        waves.push(wave);
    }
    waves
}

/// The scenario's inputs with the picks of the suggest scenarios it names added as station
/// sets (each standing for `OUT/<suggest scenario>/suggestions.geojson`); fails when one of
/// those failed.
fn with_suggested(
    batch: &Batch,
    outcomes: &[Option<Outcome>],
    scenario: &Scenario,
    mut loaded: Loaded,
) -> std::result::Result<Loaded, String> {
    for name in &scenario.add_suggested {
        let i = (batch.scenarios.iter())
            .position(|s| &s.name == name)
            .expect("the batch file checks the names");
        match &outcomes[i] {
            Some((
                _,
                Ok(Done {
                    picks: Some(picks), ..
                }),
            )) => loaded.stations.push(Arc::clone(picks)),
            _ => {
                return Err(format!(
                    "the suggest scenario {name:?} whose picks it adds failed"
                ))
            }
        }
    }
    Ok(loaded)
}

/// Runs one scenario on its loaded inputs and writes its folder `folder` (inside the batch's
/// temporary folder; `published` once the batch is published); on failure removes it.
fn run_scenario(
    scenario: &Scenario,
    folder: &Path,
    loaded: &Loaded,
    published: &Path,
    analyse: &Analyser<'_>,
) -> std::result::Result<Done, String> {
    let job = &scenario.job;
    let written = match &scenario.kind {
        ScenarioKind::Coverage => analyse(scenario, loaded).and_then(|analysis| {
            let mut summary = run::summarise(job, loaded, &analysis)?;
            let mut staged = Staged::create(folder)?;
            let change = run::change_of(job, loaded, &analysis);
            summary.change = change.as_ref().map(|c| c.summary.clone());
            run::stage(
                job,
                &loaded.stage_inputs(),
                &analysis,
                change.as_ref(),
                &mut summary,
                &mut staged,
                &mut |_| {},
            )?;
            Ok((summary, analysis, None, staged))
        }),
        ScenarioKind::Suggest(suggest) => crate::suggest::job::suggest_loaded(suggest, loaded)
            .and_then(|suggested| {
                let mut staged = Staged::create(folder)?;
                let summary = crate::suggest::job::write_suggested(
                    suggest,
                    loaded,
                    &suggested,
                    &mut staged,
                    &mut |_| {},
                )?;
                let level = suggest.level.as_ref().map(|(l, _)| *l);
                let picks = suggested.as_stations(published.join("suggestions.geojson"), level);
                Ok((summary, suggested.analysis, Some(Arc::new(picks)), staged))
            }),
    };
    match written {
        Ok((summary, analysis, picks, folder)) => Ok(Done {
            summary,
            analysis,
            blocks: Arc::clone(&loaded.blocks),
            folder,
            picks,
        }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(folder);
            Err(e.with_causes())
        }
    }
}

/// Writes the combined files into `staged`, `batch.json` last with the manifest of the whole
/// batch; returns their names. With `png` (any scenario's `--png`), `batch.png` too; with
/// `html` (any scenario's report), `report.html` comparing the scenarios.
fn write_combined(
    report: &mut BatchReport,
    staged: &mut Staged,
    lang: crate::render::Lang,
    png: bool,
    html: bool,
) -> Result<Vec<&'static str>> {
    let mut names = vec!["batch.csv", "batch.svg"];
    let csv = table::batch_csv(&report.rows);
    staged.add("batch.csv", |w| w.write_all(csv.as_bytes()))?;
    let svg = chart::batch_svg(&report.rows, report.diff.as_ref(), lang);
    crate::render::stage_svg(staged, "batch.svg", &svg, png)?;
    if png {
        names.push("batch.png");
    }
    if html {
        let page = report::batch_report_html(report, &svg, lang);
        staged.add("report.html", |w| w.write_all(page.as_bytes()))?;
        names.push("report.html");
    }
    if let Some(d) = &report.diff {
        let csv = diff::diff_csv(d);
        staged.add("diff.csv", |w| w.write_all(csv.as_bytes()))?;
        names.push("diff.csv");
    }
    report.files = staged.manifest(&["batch.json"]);
    let json = report.to_json();
    staged.add("batch.json", |w| w.write_all(json.as_bytes()))?;
    names.insert(1, "batch.json");
    Ok(names)
}

/// A scenario as `batch.json` lists it.
#[derive(Serialize)]
struct ScenarioJson<'a> {
    name: &'a str,
    status: &'static str,
    folder: Option<&'a Path>,
    mode: Option<&'static str>,
    stations: Option<usize>,
    error: Option<&'a str>,
}

/// `batch.json`.
#[derive(Serialize)]
struct BatchJson<'a> {
    tool: Tool,
    batch: &'a Path,
    loads: LoadCounts,
    scenarios: Vec<ScenarioJson<'a>>,
    rows: &'a [BatchRow],
    diff: Option<&'a Diff>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    files: &'a [String],
}

impl BatchReport {
    /// How many scenarios failed.
    pub fn failed(&self) -> usize {
        self.scenarios.iter().filter(|s| s.outcome.is_err()).count()
    }

    /// The content of `batch.json`: pretty JSON in a fixed key order, with a final newline.
    pub fn to_json(&self) -> String {
        let json = BatchJson {
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            batch: &self.batch,
            loads: self.loads,
            scenarios: self
                .scenarios
                .iter()
                .map(|s| ScenarioJson {
                    name: &s.name,
                    status: if s.outcome.is_ok() { "ok" } else { "failed" },
                    folder: s.outcome.is_ok().then_some(s.folder.as_path()),
                    mode: s.outcome.as_ref().ok().map(|m| m.parameters.mode),
                    stations: s.outcome.as_ref().ok().map(|m| m.counts.stations),
                    error: s.outcome.as_ref().err().map(String::as_str),
                })
                .collect(),
            rows: &self.rows,
            diff: self.diff.as_ref(),
            warnings: &self.warnings,
            files: &self.files,
        };
        let mut s = serde_json::to_string_pretty(&json).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The combined table and the diff as text for a terminal.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "walkshed {} — batch {} ({} scenarios, {} failed)",
            env!("CARGO_PKG_VERSION"),
            self.batch.display(),
            self.scenarios.len(),
            self.failed()
        );
        let l = &self.loads;
        let _ = writeln!(
            o,
            "  read {} input files ({} station, {} blocks, {} network), built {} network graph(s)",
            l.files_read, l.station_files, l.block_files, l.network_files, l.networks_built
        );
        let width = self
            .rows
            .iter()
            .map(|r| r.scenario.chars().count())
            .max()
            .unwrap_or(8)
            .clamp(8, 40);
        let _ = writeln!(
            o,
            "\n  {:<width$} {:<13} {:>10} {:>14} {:>8} {:>13}",
            "scenario", "mode", "within", "residents", "share", "off-network"
        );
        for r in &self.rows {
            let within = match r.label.strip_suffix('m') {
                Some(m) => format!("{m} m"),
                None => format!("{} min", r.label),
            };
            let pad = width.saturating_sub(r.scenario.chars().count());
            let _ = writeln!(
                o,
                "  {}{:pad$} {:<13} {:>10} {:>14} {:>7.1}% {:>13}",
                r.scenario,
                "",
                r.mode,
                within,
                fmt_num(r.covered, 0),
                r.share * 100.0,
                r.off_network_population
                    .map_or_else(|| "—".to_owned(), |p| fmt_num(p, 0)),
            );
        }
        let failed: Vec<&str> = self
            .scenarios
            .iter()
            .filter(|s| s.outcome.is_err())
            .map(|s| s.name.as_str())
            .collect();
        if !failed.is_empty() {
            let _ = writeln!(o, "\n  failed (no folder written): {}", failed.join(", "));
        }
        if let Some(d) = &self.diff {
            match &d.base {
                Some(base) => {
                    let _ = writeln!(o, "\n  against {base}:");
                }
                None => {
                    let _ = writeln!(o, "\n  against each scenario's base:");
                }
            }
            for line in &d.text {
                let _ = writeln!(o, "  {line}");
            }
        }
        o
    }
}
