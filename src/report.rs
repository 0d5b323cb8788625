//! Stage 6, **report**: the summary (text and JSON), and the tables GIS tools read back —
//! `blocks.geojson`, `stations.csv`, `walk_time.csv`, `groups.csv` — written atomically.
//!
//! Every file is first written to a temporary file in the output folder and renamed into place
//! only when all of them are complete, so a failed run leaves no partial outputs.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::aggregate::{covered, Coverage, Group, NetworkSummary};
use crate::capacity::CapacitySummary;
use crate::config::{Params, ThresholdUnit};
use crate::coverage::Reach;
use crate::error::{Error, Result};
use crate::levels::{LevelCoverage, ACCEPTED_LEVELS};
use crate::load::{BlockSet, FeatureStream, ReadOptions};
use crate::publish::Staged;
use crate::Analysis;

/// The tool's name and version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    /// `walkshed`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// The input files of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Inputs {
    /// Station files: the base file, then any added ones.
    pub stations: Vec<PathBuf>,
    /// The blocks file.
    pub blocks: PathBuf,
    /// The network file, in network mode.
    pub network: Option<PathBuf>,
    /// How many stations each station file gave, in the order of `stations` (empty when not
    /// known: then every station counts as base).
    #[serde(skip)]
    pub station_counts: Vec<usize>,
    /// The inputs converted from web-map coordinates (`blocks: gcj02 → wgs84`); absent when
    /// none was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub converted: Vec<String>,
}

impl Inputs {
    /// Where station `i` (input order) came from: `base` for the `--stations` file, else the
    /// name of the `--add-stations` file that added it.
    pub fn station_source(&self, i: usize) -> String {
        let mut end = 0;
        for (k, n) in self.station_counts.iter().enumerate() {
            end += n;
            if i < end {
                return match (k, self.stations.get(k)) {
                    (0, _) | (_, None) => "base".to_owned(),
                    (_, Some(p)) => p.file_name().map_or_else(
                        || p.display().to_string(),
                        |f| f.to_string_lossy().into_owned(),
                    ),
                };
            }
        }
        "base".to_owned()
    }
}

/// Station names the gap map left off (`--labels`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labels {
    /// Stations with a name.
    pub named: usize,
    /// How many names were left off because they would overlap.
    pub dropped: usize,
    /// Their names, in input order.
    pub dropped_names: Vec<String>,
}

/// Parameters as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameters {
    /// `straight-line` or `network`.
    pub mode: &'static str,
    /// The thresholds and how they were given.
    #[serde(flatten)]
    pub params: Params,
    /// The population field, and whether it was found (else every block weighs 1).
    pub population_field: String,
    /// Whether the result is population-weighted.
    pub weighted: bool,
    /// The grouping field.
    pub group_by: Option<String>,
    /// Centre `[lon, lat]` of the transverse Mercator plane.
    pub projection_centre: [f64; 2],
}

/// Counts of the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    /// Stations (base and added).
    pub stations: usize,
    /// Stations given as areas and reduced to their centroid.
    pub stations_from_areas: usize,
    /// Blocks.
    pub blocks: usize,
    /// Blocks with an invalid polygon (kept, with their centroid anchor).
    pub invalid_polygons: usize,
}

/// An invalid polygon, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvalidPolygon {
    /// Feature index.
    pub index: usize,
    /// Feature id.
    pub id: String,
    /// What is wrong.
    pub problem: &'static str,
}

/// Everything the summary reports, in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Name and version.
    pub tool: Tool,
    /// Input paths.
    pub inputs: Inputs,
    /// Parameters.
    pub parameters: Parameters,
    /// Counts.
    pub counts: Counts,
    /// Total population.
    pub population: f64,
    /// Coverage per threshold.
    pub coverage: Vec<Coverage>,
    /// Coverage per group, worst first.
    pub groups: Option<Vec<Group>>,
    /// Network figures.
    pub network: Option<NetworkSummary>,
    /// With `--levels`: the standard measured against (`gb50180`, `gb50180+custom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    /// With `--levels`: the population served per level with a reach, highest first, then
    /// `complete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<LevelCoverage>>,
    /// With `--capacity`: the two-step floating catchment's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacitySummary>,
    /// With `--add-stations`: the residents the added stations gain, in total and per group,
    /// against the base stations alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<crate::ChangeSummary>,
    /// Invalid polygons (at most the first 100).
    pub invalid_polygons: Vec<InvalidPolygon>,
    /// Warnings for the reader.
    pub warnings: Vec<String>,
    /// With `--labels` and maps: the station names left off the gap map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Labels>,
    /// The files the run published, sorted (`summary.json` included when written): the
    /// manifest by which a later run knows the folder as walkshed's. Empty until written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// `walkshed suggest`: the suggested sites (absent from a coverage run's summary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggest: Option<crate::suggest::tables::SuggestSummary>,
}

/// How many invalid polygons the summary lists by name.
const INVALID_LISTED: usize = 100;

impl Summary {
    /// Builds the summary of an analysis.
    pub fn new(analysis: &Analysis, blocks: &BlockSet, inputs: Inputs) -> Self {
        let invalid = blocks.invalid();
        let mut warnings = Vec::new();
        if !blocks.weighted() {
            warnings.push(format!(
                "no block has the population field {:?}: every block weighs 1 (the result is unweighted)",
                blocks.fields().population
            ));
        }
        if !invalid.is_empty() {
            warnings.push(format!(
                "{} block(s) have invalid polygons; they keep their centroid anchor",
                invalid.len()
            ));
        }
        if let Some(n) = &analysis.network {
            if !n.stations_off_network.is_empty() {
                warnings.push(format!(
                    "{} station(s) ignored as off-network (snap leg > {} m): {}",
                    n.stations_off_network.len(),
                    analysis.params.max_snap_m,
                    n.stations_off_network.join(", ")
                ));
            }
        }
        let unknown = crate::levels::unknown_levels(&analysis.stations);
        if unknown > 0 && analysis.levels.is_none() {
            warnings.push(format!(
                "{unknown} station(s) have a level that is not one of {ACCEPTED_LEVELS}; they are drawn as \"other\""
            ));
        }
        let network_mode = analysis.network.is_some();
        let mut params = analysis.params.clone();
        if network_mode {
            params.detour = 1.0;
        }
        Summary {
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            inputs,
            parameters: Parameters {
                mode: analysis.model,
                params,
                population_field: blocks.fields().population.clone(),
                weighted: blocks.weighted(),
                group_by: blocks.fields().group_by.clone(),
                projection_centre: analysis.projection.centre(),
            },
            counts: Counts {
                stations: analysis.stations.len(),
                stations_from_areas: analysis.stations.iter().filter(|s| s.from_area).count(),
                blocks: blocks.blocks().len(),
                invalid_polygons: invalid.len(),
            },
            population: analysis.aggregates.population,
            coverage: analysis.aggregates.coverage.clone(),
            groups: analysis.aggregates.groups.clone(),
            network: analysis.network.clone(),
            standard: analysis
                .levels
                .as_ref()
                .map(|l| l.distances.standard.name.clone()),
            levels: analysis.levels.as_ref().map(|l| l.coverage.clone()),
            change: None,
            capacity: analysis.capacity.as_ref().map(|c| {
                let population: Vec<f64> = blocks.blocks().iter().map(|b| b.population).collect();
                let ids: Vec<&str> = analysis.stations.iter().map(|s| s.id.as_str()).collect();
                c.summary(&population, &ids)
            }),
            invalid_polygons: invalid
                .iter()
                .take(INVALID_LISTED)
                .map(|&(index, id, p)| InvalidPolygon {
                    index,
                    id: id.to_owned(),
                    problem: p.describe(),
                })
                .collect(),
            warnings,
            labels: None,
            files: Vec::new(),
            suggest: None,
        }
    }

    /// Notes the station names the gap map left off (`dropped`, of the stations with a name),
    /// with a warning when there are any.
    pub fn note_labels(&mut self, named: usize, dropped: &[String]) {
        if !dropped.is_empty() {
            self.warnings.push(format!(
                "{} of {} station labels left off the gap map (they would overlap): {}",
                dropped.len(),
                named,
                dropped.join(", ")
            ));
        }
        self.labels = Some(Labels {
            named,
            dropped: dropped.len(),
            dropped_names: dropped.to_vec(),
        });
    }

    /// The summary as pretty JSON (keys in a fixed order), with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The summary as text for a terminal.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let p = &self.parameters;
        let _ = writeln!(o, "walkshed {} — {} coverage", self.tool.version, p.mode);
        let stations: Vec<String> = self
            .inputs
            .stations
            .iter()
            .map(|s| s.display().to_string())
            .collect();
        let _ = writeln!(o, "  stations  {}", stations.join(" + "));
        let _ = writeln!(o, "  blocks    {}", self.inputs.blocks.display());
        if let Some(n) = &self.inputs.network {
            let _ = writeln!(o, "  network   {}", n.display());
        }
        let thresholds: Vec<String> = p
            .params
            .thresholds
            .iter()
            .map(|t| threshold_text(t, p.params.unit, true))
            .collect();
        let _ = write!(o, "  walking   {}", thresholds.join(", "));
        if p.params.unit == ThresholdUnit::Minutes {
            let _ = write!(
                o,
                " at {} m/min",
                fmt_num(
                    p.params.speed_m_per_min,
                    speed_decimals(p.params.speed_m_per_min)
                )
            );
        }
        if self.network.is_some() {
            let _ = write!(
                o,
                ", along the network (max snap {} m)",
                fmt_num(p.params.max_snap_m, 0)
            );
        } else {
            let _ = write!(o, ", straight line × detour {}", p.params.detour);
        }
        if p.params.unit == ThresholdUnit::Metres {
            let _ = write!(
                o,
                " (minutes in the tables at {} m/min)",
                fmt_num(
                    p.params.speed_m_per_min,
                    speed_decimals(p.params.speed_m_per_min)
                )
            );
        }
        o.push('\n');
        let c = &self.counts;
        let _ = writeln!(
            o,
            "\n  {} stations ({} given as areas), {} blocks ({} invalid polygons)",
            fmt_int(c.stations),
            c.stations_from_areas,
            fmt_int(c.blocks),
            c.invalid_polygons
        );
        let _ = writeln!(
            o,
            "  population {}{}",
            fmt_num(self.population, 0),
            if p.weighted {
                format!(" (field {:?})", p.population_field)
            } else {
                " — unweighted: every block counts 1".to_owned()
            }
        );
        if let Some(n) = &self.network {
            let _ = writeln!(
                o,
                "  network   {} nodes, {} edges, {} km, {} pieces ({} with a station)",
                fmt_int(n.nodes),
                fmt_int(n.edges),
                fmt_num(n.length_km, 1),
                fmt_int(n.pieces),
                fmt_int(n.pieces_with_station)
            );
            let _ = writeln!(
                o,
                "  off-network: {} blocks, population {}; on pieces without a station: {} blocks, population {}",
                fmt_int(n.blocks_off_network),
                fmt_num(n.population_off_network, 0),
                fmt_int(n.blocks_on_pieces_without_station),
                fmt_num(n.population_on_pieces_without_station, 0)
            );
        }
        let _ = writeln!(
            o,
            "\n  {:<10} {:>14} {:>8} {:>16}",
            "within", "residents", "share", "blocks"
        );
        for cov in &self.coverage {
            let _ = writeln!(o, "  {}", coverage_line(cov, c.blocks, p.params.unit));
        }
        if let Some(groups) = &self.groups {
            let _ = writeln!(
                o,
                "\n  by {} — worst first (by share within {}):",
                p.group_by.as_deref().unwrap_or(""),
                threshold_text(&self.coverage[0].threshold, p.params.unit, false)
            );
            let width = groups
                .iter()
                .map(|g| display_width(&group_name(g)))
                .max()
                .unwrap_or(5)
                .clamp(5, 40);
            let _ = write!(
                o,
                "  {:<width$} {:>7} {:>11}",
                "group", "blocks", "residents"
            );
            for c in &self.coverage {
                let head = format!("≤{}", short_threshold(&c.threshold, p.params.unit));
                let _ = write!(o, " {}", pad_left(&head, 9));
            }
            o.push('\n');
            for g in groups {
                let name = group_name(g);
                let pad = width.saturating_sub(display_width(&name));
                let _ = write!(
                    o,
                    "  {name}{:pad$} {:>7} {:>11}",
                    "",
                    g.blocks,
                    fmt_num(g.population, 0)
                );
                for c in &g.coverage {
                    let _ = write!(o, " {:>8.1}%", c.share * 100.0);
                }
                o.push('\n');
            }
        }
        if let Some(change) = &self.change {
            let within = threshold_text(&self.coverage[0].threshold, p.params.unit, false);
            let _ = writeln!(o, "\n  {}", change.sentence(&within));
        }
        self.levels_text(&mut o);
        self.capacity_text(&mut o);
        if let Some(s) = &self.suggest {
            o.push_str(&s.to_text());
        }
        for w in &self.warnings {
            let _ = writeln!(o, "\n  warning: {w}");
        }
        o
    }

    /// The level table, with the standard used.
    fn levels_text(&self, o: &mut String) {
        let (Some(levels), Some(standard)) = (&self.levels, &self.standard) else {
            return;
        };
        let _ = writeln!(
            o,
            "\n  levels — standard {standard} (mapping 文明实践 levels onto GB 50180-2018's circles is a planning convention)"
        );
        let _ = writeln!(
            o,
            "  {:<10} {:>8} {:>14} {:>8} {:>16}",
            "served at", "reach", "residents", "share", "blocks"
        );
        for l in levels {
            let reach = l
                .reach_m
                .map_or("every".to_owned(), |r| format!("{} m", fmt_num(r, 0)));
            let _ = writeln!(
                o,
                "  {:<10} {:>8} {:>14} {:>7.1}% {:>9}/{}",
                l.level,
                reach,
                fmt_num(l.population, 0),
                l.share * 100.0,
                l.blocks,
                self.counts.blocks
            );
        }
    }

    /// The capacity figures, and the overloaded stations worst first.
    fn capacity_text(&self, o: &mut String) {
        let Some(c) = &self.capacity else {
            return;
        };
        let _ = writeln!(
            o,
            "\n  capacity ({:?}): {} in all; {} per 1,000 residents within reach on average; {:.1}% of residents reach none",
            c.field,
            fmt_num(c.total, 1),
            fmt_num(c.mean_access_per_1000, 2),
            c.share_without * 100.0
        );
        if let (Some(limit), Some(over)) = (c.max_load, &c.overloaded) {
            let list: Vec<String> = over
                .iter()
                .map(|s| match s.load_per_capacity {
                    Some(l) => format!("{} ({})", s.id, fmt_num(l, 0)),
                    None => format!("{} (no capacity)", s.id),
                })
                .collect();
            let _ = writeln!(
                o,
                "  overloaded (more than {} residents per unit), worst first: {}",
                fmt_num(limit, 0),
                if list.is_empty() {
                    "none".to_owned()
                } else {
                    list.join(", ")
                }
            );
        }
    }
}

/// `s` right-aligned in `width` terminal columns ([`display_width`]).
fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// Decimals to print a speed with: none when whole.
fn speed_decimals(speed: f64) -> usize {
    if speed.fract() == 0.0 {
        0
    } else {
        1
    }
}

/// Columns a string takes in a terminal: CJK and other wide characters take two, combining
/// marks and zero-width characters none (East Asian Width, as terminals use it).
pub(crate) fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[cfg(test)]
/// The former hand-written width table, kept to show the crate agrees with it on CJK.
fn display_width_table(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

fn short_threshold(t: &crate::config::Threshold, unit: ThresholdUnit) -> String {
    match unit {
        ThresholdUnit::Minutes => format!("{}min", t.label),
        ThresholdUnit::Metres => format!("{}m", fmt_num(t.distance_m, 0)),
    }
}

fn group_name(g: &Group) -> String {
    g.name.clone().unwrap_or_else(|| "(no value)".to_owned())
}

/// A threshold as the text summary prints it everywhere: `5 min` (with `metres`, `5 min
/// (300 m)`), `1,000 m`.
fn threshold_text(t: &crate::config::Threshold, unit: ThresholdUnit, metres: bool) -> String {
    match unit {
        ThresholdUnit::Minutes if metres => {
            format!("{} min ({} m)", t.label, fmt_num(t.distance_m, 0))
        }
        ThresholdUnit::Minutes => format!("{} min", t.label),
        ThresholdUnit::Metres => format!("{} m", fmt_num(t.distance_m, 0)),
    }
}

fn coverage_line(c: &Coverage, blocks: usize, unit: ThresholdUnit) -> String {
    let within = threshold_text(&c.threshold, unit, false);
    format!(
        "{:<10} {:>14} {:>7.1}% {:>9} ({:>4.1}%)",
        within,
        fmt_num(c.population_covered, 0),
        c.share * 100.0,
        format!("{}/{}", c.blocks_covered, blocks),
        c.block_share * 100.0
    )
}

/// A number with thousands separators and `decimals` decimals.
pub(crate) fn fmt_num(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if x < 0.0 && out.chars().any(|c| c != '0' && c != '.' && c != ',') {
        out.insert(0, '-');
    }
    out
}

fn fmt_int(n: usize) -> String {
    fmt_num(n as f64, 0)
}

/// Which files a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outputs {
    /// `summary.json`.
    pub summary: bool,
    /// `blocks.geojson`.
    pub blocks: bool,
    /// `stations.csv`.
    pub stations: bool,
    /// `walk_time.csv`.
    pub walk_time: bool,
    /// `gaps.svg`, `curve.svg`, `groups.svg`.
    pub maps: bool,
    /// `groups.csv` (when grouping); `summary` writes it too.
    pub groups: bool,
    /// `report.html`.
    pub report: bool,
    /// `walkshed.gpkg` (`--format gpkg`, not part of `--outputs`): the blocks (which it needs)
    /// and stations layers in one GeoPackage.
    pub gpkg: bool,
    /// The CSV tables begin with a UTF-8 byte-order mark, so that Excel opens their Chinese
    /// text as UTF-8 (`--excel`, not part of `--outputs`).
    pub excel: bool,
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            summary: true,
            blocks: true,
            stations: true,
            walk_time: true,
            maps: true,
            groups: true,
            report: true,
            gpkg: false,
            excel: false,
        }
    }
}

impl Outputs {
    /// The outputs with what `walkshed.gpkg` is made from turned on when it is asked for: its
    /// `blocks` layer is read from `blocks.geojson`.
    pub fn with_gpkg_needs(mut self) -> Self {
        self.blocks |= self.gpkg;
        self
    }

    /// Parses a comma list of `summary`, `blocks`, `stations`, `walk-time`, `groups`, `maps`,
    /// `report` (or `all`). `groups.csv` is written with `groups` or `summary`.
    pub fn parse(list: &str) -> Result<Self> {
        const NONE: Outputs = Outputs {
            summary: false,
            blocks: false,
            stations: false,
            walk_time: false,
            maps: false,
            groups: false,
            report: false,
            gpkg: false,
            excel: false,
        };
        let mut o = NONE;
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item {
                "summary" => o.summary = true,
                "blocks" => o.blocks = true,
                "stations" => o.stations = true,
                "walk-time" | "walk_time" => o.walk_time = true,
                "maps" => o.maps = true,
                "groups" => o.groups = true,
                "report" => o.report = true,
                "all" => o = Outputs::default(),
                other => {
                    return Err(Error::parameter(
                        "--outputs",
                        format!("unknown output {other:?}; expected summary, blocks, stations, walk-time, groups, maps, report or all"),
                    ))
                }
            }
        }
        if o == NONE {
            return Err(Error::parameter(
                "--outputs",
                "expected at least one of summary, blocks, stations, walk-time, groups, maps, report or all, found none",
            ));
        }
        Ok(o)
    }
}

/// Writes the chosen table outputs of an analysis into `staged`, except `summary.json`, which is
/// written last by [`stage_summary`]. Maps are staged by [`crate::render`].
pub(crate) fn stage_tables(
    staged: &mut Staged,
    analysis: &Analysis,
    blocks: &BlockSet,
    inputs: &Inputs,
    outputs: Outputs,
) -> Result<()> {
    let bom: &[u8] = if outputs.excel { b"\xef\xbb\xbf" } else { b"" };
    let mut add_csv = |name: &str, csv: String| {
        staged.add(name, |w| {
            w.write_all(bom)?;
            w.write_all(csv.as_bytes())
        })
    };
    if outputs.stations {
        add_csv("stations.csv", stations_csv(analysis, inputs))?;
    }
    if outputs.walk_time {
        add_csv("walk_time.csv", walk_time_csv(analysis))?;
    }
    if outputs.summary || outputs.groups {
        if let Some(csv) = groups_csv(analysis, blocks) {
            add_csv("groups.csv", csv)?;
        }
    }
    if outputs.blocks {
        stage_blocks_geojson(staged, analysis, blocks)?;
        if outputs.gpkg {
            let blocks_geojson = staged.dir().join("blocks.geojson");
            let csv = stations_csv(analysis, inputs);
            staged.add_path("walkshed.gpkg", |path| {
                crate::geopackage::write(path, &blocks_geojson, &csv)
            })?;
        }
    }
    Ok(())
}

/// Lists the files of `staged` in `summary.files` — with `summary.json` itself when `write` —
/// and, when `write`, writes `summary.json`: call it after every other file of the run.
pub(crate) fn stage_summary(staged: &mut Staged, summary: &mut Summary, write: bool) -> Result<()> {
    let own: &[&str] = if write { &["summary.json"] } else { &[] };
    summary.files = staged.manifest(own);
    if write {
        let json = summary.to_json();
        staged.add("summary.json", |w| w.write_all(json.as_bytes()))?;
    }
    Ok(())
}

/// A CSV field, quoted when needed.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A number for tables: shortest round-trip form, with `-0` as `0`; a non-finite value (which
/// the checks on inputs and parameters leave no way to reach) as `null`, never a bare `inf`.
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        "null".to_owned()
    } else if x == 0.0 {
        "0".to_owned()
    } else {
        format!("{x}")
    }
}

/// Rounds to `decimals` decimals for output (comparisons use the unrounded value); a value too
/// large to scale stays as it is.
fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let scaled = x * f;
    if scaled.is_finite() {
        scaled.round() / f
    } else {
        x
    }
}

/// `stations.csv`: id, name, level, lon, lat, entrances, from_area, each station's load, and
/// its `source` (`base`, or the `--add-stations` file that added it, from `inputs`); with
/// `--capacity`, its capacity, the residents within the first threshold, its load per unit of
/// capacity and its capacity per 1,000 residents within reach (and `overloaded` with
/// `--max-load`).
pub fn stations_csv(analysis: &Analysis, inputs: &Inputs) -> String {
    let label = &analysis.params.thresholds[0].label;
    let mut o = String::from(
        "id,name,level,lon,lat,entrances,from_area,load_population,load_blocks,load_threshold,source",
    );
    let staffing = analysis.capacity.as_ref();
    if let Some(c) = staffing {
        o.push_str(",capacity,residents_within,load_per_capacity,ratio_per_1000");
        if c.max_load.is_some() {
            o.push_str(",overloaded");
        }
    }
    o.push('\n');
    for (j, (s, (pop, n))) in analysis
        .stations
        .iter()
        .zip(&analysis.aggregates.station_load)
        .enumerate()
    {
        let [lon, lat] = s.entrances[0];
        let _ = write!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&s.id),
            csv_field(s.name.as_deref().unwrap_or("")),
            csv_field(s.level.as_deref().unwrap_or("")),
            num(round_to(lon, 7)),
            num(round_to(lat, 7)),
            s.entrances.len(),
            s.from_area,
            num(*pop),
            n,
            csv_field(label),
            csv_field(&inputs.station_source(j))
        );
        if let Some(c) = staffing {
            let optional = |x: Option<f64>, decimals| {
                x.filter(|v| v.is_finite())
                    .map_or(String::new(), |v| num(round_to(v, decimals)))
            };
            let _ = write!(
                o,
                ",{},{},{},{}",
                num(c.capacity[j]),
                num(c.access.residents_within[j]),
                optional(c.load_per_capacity[j], 3),
                optional(c.access.ratio[j].map(|r| r * 1000.0), 4)
            );
            if c.max_load.is_some() {
                let _ = write!(o, ",{}", c.overloaded(j));
            }
        }
        o.push('\n');
    }
    o
}

/// `walk_time.csv`: the population-weighted walking-time distribution.
pub fn walk_time_csv(analysis: &Analysis) -> String {
    let mut o = String::from("minutes,distance_m,population,population_within,share_within\n");
    for r in &analysis.aggregates.walk_time {
        let _ = writeln!(
            o,
            "{},{},{},{},{}",
            num(round_to(r.minutes, 4)),
            num(round_to(r.distance_m, 3)),
            num(r.population),
            num(r.population_within),
            num(r.share_within)
        );
    }
    o
}

/// `groups.csv`, one row per group × threshold, when grouping; with `--levels`, then one row
/// per group × level with a reach (`threshold` is the level's name, `distance_m` its reach), and
/// a `complete` row.
pub fn groups_csv(analysis: &Analysis, blocks: &BlockSet) -> Option<String> {
    let groups = analysis.aggregates.groups.as_ref()?;
    let level_groups = analysis.levels.as_ref().and_then(|l| l.groups.as_ref());
    let field = blocks.fields().group_by.as_deref().unwrap_or("group");
    let mut o = format!(
        "{},threshold,minutes,distance_m,blocks,population,population_covered,share,blocks_covered\n",
        csv_field(field)
    );
    for g in groups {
        for c in &g.coverage {
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{},{},{}",
                csv_field(g.name.as_deref().unwrap_or("")),
                csv_field(&c.threshold.label),
                num(c.threshold.minutes),
                num(c.threshold.distance_m),
                g.blocks,
                num(g.population),
                num(c.population_covered),
                num(c.share),
                c.blocks_covered
            );
        }
        if let Some(levels) = level_groups.and_then(|l| l.iter().find(|l| l.name == g.name)) {
            for l in &levels.levels {
                let (minutes, distance) = l.reach_m.map_or((String::new(), String::new()), |r| {
                    (num(r / analysis.params.speed_m_per_min), num(r))
                });
                let _ = writeln!(
                    o,
                    "{},{},{minutes},{distance},{},{},{},{},{}",
                    csv_field(g.name.as_deref().unwrap_or("")),
                    l.level,
                    g.blocks,
                    num(g.population),
                    num(l.population),
                    num(l.share),
                    l.blocks
                );
            }
        }
    }
    Some(o)
}

/// The `ws_*` properties of blocks, as JSON members without braces; what does not change from
/// block to block (station ids as JSON, member names) is made once.
struct WsMembers<'a> {
    analysis: &'a Analysis,
    /// Each station's id as a JSON string.
    station_ids: Vec<String>,
    /// `,"ws_covered_<label>":` for each threshold.
    covered_keys: Vec<String>,
    /// With `--levels`: each level with a reach, with its `ws_level_<level>_m` and
    /// `ws_served_<level>` member names.
    level_keys: Vec<(crate::Level, String, String)>,
}

impl<'a> WsMembers<'a> {
    fn new(analysis: &'a Analysis) -> Self {
        WsMembers {
            analysis,
            station_ids: analysis
                .stations
                .iter()
                .map(|s| serde_json::Value::from(s.id.as_str()).to_string())
                .collect(),
            covered_keys: analysis
                .params
                .thresholds
                .iter()
                .map(|t| {
                    format!(
                        ",{}:",
                        serde_json::Value::from(format!("ws_covered_{}", t.label))
                    )
                })
                .collect(),
            level_keys: analysis.levels.as_ref().map_or(Vec::new(), |l| {
                l.distances
                    .standard
                    .reaches()
                    .map(|(level, _)| {
                        (
                            level,
                            format!(",\"ws_level_{level}_m\":"),
                            format!(",\"ws_served_{level}\":"),
                        )
                    })
                    .collect()
            }),
        }
    }

    /// Block `i`'s level and capacity members, appended to `o`.
    fn write_circle(&self, i: usize, o: &mut Vec<u8>) {
        if let Some(levels) = &self.analysis.levels {
            let d = &levels.distances;
            for (level, distance_key, served_key) in &self.level_keys {
                o.extend_from_slice(distance_key.as_bytes());
                match d.distance_m[i][level.rank()] {
                    Some(m) => o.extend_from_slice(num(round_to(m, 2)).as_bytes()),
                    None => o.extend_from_slice(b"null"),
                }
                o.extend_from_slice(served_key.as_bytes());
                let served = d.served(i, *level) == Some(true);
                o.extend_from_slice(if served { b"true" } else { b"false" });
            }
            let complete = d.complete(i);
            let _ = write!(o, ",\"ws_complete\":{complete}");
        }
        if let Some(c) = &self.analysis.capacity {
            let a = c.access.per_resident[i] * 1000.0;
            let _ = write!(o, ",\"ws_access_per_1000\":{}", num(round_to(a, 6)));
        }
    }

    /// Block `i`'s members, appended to `o`.
    fn write(&self, i: usize, o: &mut Vec<u8>) {
        let analysis = self.analysis;
        let m = &analysis.measurement.blocks[i];
        o.extend_from_slice(b"\"ws_station\":");
        match m.station {
            Some(s) => o.extend_from_slice(self.station_ids[s as usize].as_bytes()),
            None => o.extend_from_slice(b"null"),
        }
        match m.distance_m {
            Some(d) => {
                let _ = write!(
                    o,
                    ",\"ws_distance_m\":{},\"ws_minutes\":{}",
                    num(round_to(d, 2)),
                    num(round_to(d / analysis.params.speed_m_per_min, 3))
                );
            }
            None => o.extend_from_slice(b",\"ws_distance_m\":null,\"ws_minutes\":null"),
        }
        for (t, key) in analysis.params.thresholds.iter().zip(&self.covered_keys) {
            o.extend_from_slice(key.as_bytes());
            o.extend_from_slice(if covered(m.distance_m, t.distance_m) {
                b"true"
            } else {
                b"false"
            });
        }
        if let Some(network) = &analysis.measurement.network {
            let legs = network.legs[i];
            let leg = |x: Option<f64>| x.map_or("null".to_owned(), |v| num(round_to(v, 2)));
            let _ = write!(
                o,
                ",\"ws_block_leg_m\":{},\"ws_station_leg_m\":{},\"ws_off_network\":{},\"ws_unreached\":{}",
                leg(legs.block_m),
                leg(legs.station_m),
                m.reach == Reach::OffNetwork,
                match unreached(m) {
                    Some(why) => format!("\"{why}\""),
                    None => "null".to_owned(),
                }
            );
        }
        self.write_circle(i, o);
    }
}

/// Why no station reaches a block in network mode: `off_network` (its snap leg is longer than
/// `--max-snap`), `no_station_on_piece` (its piece of the network holds no station), or
/// `beyond_limit` (the nearest station is farther than the search bound); `None` when reached.
pub fn unreached(m: &crate::coverage::Measured) -> Option<&'static str> {
    match m.reach {
        Reach::Reached => None,
        Reach::OffNetwork => Some("off_network"),
        Reach::Unreached if m.piece_has_station == Some(false) => Some("no_station_on_piece"),
        Reach::Unreached => Some("beyond_limit"),
    }
}

/// One output feature: the input feature's text with the `ws_*` members added to its
/// properties (existing `ws_*` members are replaced).
#[cfg(test)]
fn block_feature(text: &[u8], ws: &str) -> String {
    let mut o = Vec::new();
    block_feature_into(text, ws.as_bytes(), &mut o);
    String::from_utf8(o).expect("UTF-8")
}

/// [`block_feature`], appended to `o`. The common case (a `properties` object without `ws_*`
/// members, or `null`) is spliced as bytes; anything else is rebuilt with `serde_json`.
fn block_feature_into(text: &[u8], ws: &[u8], o: &mut Vec<u8>) {
    if std::str::from_utf8(text).is_err() {
        // Not the text that was read (the file changed): carried over, made valid.
        o.extend_from_slice(String::from_utf8_lossy(text).as_bytes());
        return;
    }
    match crate::load::properties_member(text) {
        Some(Some(r))
            if text[r.start] == b'{' && !text[r.clone()].windows(4).any(|w| w == b"\"ws_") =>
        {
            let inner = &text[r.start + 1..r.end - 1];
            o.extend_from_slice(&text[..r.end - 1]);
            if inner.iter().any(|c| !c.is_ascii_whitespace()) {
                o.push(b',');
            }
            o.extend_from_slice(ws);
            o.extend_from_slice(&text[r.end - 1..]);
        }
        Some(Some(r)) if &text[r.clone()] == b"null" => {
            o.extend_from_slice(&text[..r.start]);
            o.push(b'{');
            o.extend_from_slice(ws);
            o.push(b'}');
            o.extend_from_slice(&text[r.end..]);
        }
        _ => o.extend_from_slice(rebuilt_feature(text, ws).as_bytes()),
    }
}

/// Rare paths (no properties member, properties not an object, `ws_` members already present,
/// escaped member names): the feature rebuilt with `serde_json`.
fn rebuilt_feature(text: &[u8], ws: &[u8]) -> String {
    let mut v: serde_json::Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(_) => return String::from_utf8_lossy(text).into_owned(),
    };
    let mut braced = Vec::with_capacity(ws.len() + 2);
    braced.push(b'{');
    braced.extend_from_slice(ws);
    braced.push(b'}');
    let ws_obj: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&braced).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        let props = obj
            .entry("properties")
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        if !props.is_object() {
            *props = serde_json::Value::Object(Default::default());
        }
        if let Some(p) = props.as_object_mut() {
            for (k, val) in ws_obj {
                p.insert(k, val);
            }
        }
    }
    v.to_string()
}

/// `blocks.geojson`: every input block feature, unchanged, with the `ws_*` properties added.
/// The input file is streamed again chunk by chunk, so no block geometry is held for it; each
/// chunk's features are rewritten in parallel pieces, then written in order.
fn stage_blocks_geojson(staged: &mut Staged, analysis: &Analysis, blocks: &BlockSet) -> Result<()> {
    let source = FeatureStream::new(blocks.geojson_path(), ReadOptions::default());
    let expected = blocks.blocks().len();
    let members = WsMembers::new(analysis);
    let changed = || {
        Error::Unusable {
        location: crate::error::Location::file(blocks.path()),
        message: "the file changed while walkshed was running (blocks.geojson copies each block from it, so it is read again); run again once it stays put".to_owned(),
    }
    };
    if let Some(read) = blocks.source() {
        if read.is_stream() {
            return Err(crate::load::FileStamp::stream_error(blocks.path()));
        }
        // The stamp is of the file read: the blocks file, or its GeoJSON copy.
        if crate::load::FileStamp::of(blocks.geojson_path()).as_ref() != Some(read) {
            return Err(changed());
        }
    }
    // An error that is not the output's own write error, kept while the write unwinds.
    let mut failure: Option<Error> = None;
    let written = staged.add("blocks.geojson", |w| {
        w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        let mut count = 0;
        let streamed = source.texts(|first, texts| {
            if first + texts.len() > expected {
                return Err(changed());
            }
            // Pieces of 1024 features, each rewritten into one buffer.
            let pieces: Vec<Vec<u8>> = texts
                .par_chunks(1024)
                .enumerate()
                .map(|(c, piece)| {
                    let mut o = Vec::with_capacity(piece.iter().map(|t| t.len() + 200).sum());
                    let mut ws = Vec::with_capacity(256);
                    for (k, text) in piece.iter().enumerate() {
                        let i = first + c * 1024 + k;
                        if i > 0 {
                            o.extend_from_slice(b",\n");
                        }
                        ws.clear();
                        members.write(i, &mut ws);
                        block_feature_into(text, &ws, &mut o);
                    }
                    o
                })
                .collect();
            let io = |source| Error::Write {
                path: blocks.path().to_path_buf(),
                source,
            };
            for piece in &pieces {
                w.write_all(piece).map_err(io)?;
            }
            count += texts.len();
            Ok(())
        });
        match streamed {
            Ok(()) if count == expected => w.write_all(b"\n]}\n"),
            Ok(()) => {
                failure = Some(changed());
                Err(std::io::Error::other("the blocks file changed"))
            }
            Err(Error::Write { source, .. }) => Err(source),
            Err(e) => {
                failure = Some(e);
                Err(std::io::Error::other("cannot read the blocks file again"))
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => written,
    }
}

/// Writes walkable lines as a GeoJSON FeatureCollection of LineStrings with an `id` property,
/// one feature per line (e.g. to turn an `.osm.pbf` network into GeoJSON other tools read).
pub fn write_walk_lines(
    lines: &[crate::network::WalkLine],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, line) in lines.iter().enumerate() {
        let feature = serde_json::json!({
            "type": "Feature",
            "properties": {"id": line.id},
            "geometry": {"type": "LineString", "coordinates": line.coords},
        });
        let sep = if i + 1 < lines.len() { ",\n" } else { "\n" };
        write!(w, "{feature}{sep}")?;
    }
    w.write_all(b"]}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_width_counts_wide_characters_twice() {
        for s in ["第20居委会", "服务点02", "abc", "（无值）", "石化街道"] {
            assert_eq!(display_width(s), display_width_table(s), "{s}");
        }
        assert_eq!(display_width("第20居委会"), 10);
        assert_eq!(pad_left("第20", 6), "  第20");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(1234567.4, 0), "1,234,567");
        assert_eq!(fmt_num(999.0, 1), "999.0");
        assert_eq!(fmt_num(0.0, 0), "0");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    #[test]
    fn splices_properties() {
        let f = br#"{"type":"Feature","properties":{"a":1},"geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature","properties":{"a":1,"ws_x":2},"geometry":null}"#
        );
        let f = br#"{"type":"Feature","properties":null,"geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature","properties":{"ws_x":2},"geometry":null}"#
        );
        let f = br#"{"type":"Feature","properties":{"ws_x":1,"b":2},"geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature","properties":{"ws_x":2,"b":2},"geometry":null}"#
        );
        // An empty object, spaces kept.
        let f = br#"{"type":"Feature", "properties" : { } ,"geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature", "properties" : { "ws_x":2} ,"geometry":null}"#
        );
        // No properties member, an escaped member name, properties not an object: rebuilt.
        let f = br#"{"type":"Feature","geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature","geometry":null,"properties":{"ws_x":2}}"#
        );
        let f = br#"{"type":"Feature","propert\u0069es":{"a":1},"geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature","properties":{"a":1,"ws_x":2},"geometry":null}"#
        );
        let f = br#"{"type":"Feature","properties":[1],"geometry":null}"#;
        assert_eq!(
            block_feature(f, "\"ws_x\":2"),
            r#"{"type":"Feature","properties":{"ws_x":2},"geometry":null}"#
        );
    }
}
