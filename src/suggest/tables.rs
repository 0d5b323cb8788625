//! What a suggestion run writes: `suggestions.csv`, `suggestions.geojson` (one point per pick,
//! which `walkshed coverage --add-stations` reads back), the `suggest` section of
//! `summary.json` and of the text summary.

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::Result;
use crate::load::BlockSet;
use crate::publish::Staged;
use crate::report::{self, csv_field, fmt_num, num, Summary};
use crate::run::{Loaded, Stage};

use super::job::{CandidateSource, SuggestJob, Suggested};

/// One pick as the summary lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PickSummary {
    /// 1 for the first pick.
    pub rank: usize,
    /// The candidate's id.
    pub candidate: String,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Longitude, latitude (degrees).
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Residents it newly covers after the picks before it.
    pub gain_population: f64,
    /// Residents covered by the existing stations and the picks up to this one.
    pub covered_population: f64,
    /// That as a share of all residents, in [0, 1].
    pub share: f64,
}

/// The `suggest` section of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestSummary {
    /// How many sites were picked.
    pub k: usize,
    /// Residents the picks newly cover.
    pub gain: f64,
    /// No `k` candidates could newly cover more than this.
    pub upper_bound: f64,
    /// `gain / upper_bound` (1 when the bound is 0): how close to the best the answer is at
    /// worst.
    pub fraction_of_bound: f64,
    /// The reach, metres.
    pub reach_m: f64,
    /// The level whose reach is used, if any.
    pub level: Option<&'static str>,
    /// How the candidates were made: `file`, `grid`, `uncovered`.
    pub candidate_source: &'static str,
    /// The grid spacing, metres, for grid candidates.
    pub grid_spacing_m: Option<f64>,
    /// Candidates chosen among.
    pub candidates: usize,
    /// Candidates dropped: inside the exclusion zones, or off the network.
    pub candidates_dropped: usize,
    /// Of which inside the exclusion zones.
    pub candidates_excluded: usize,
    /// Of which off the network (snap leg longer than `--max-snap`).
    pub candidates_off_network: usize,
    /// Residents covered by the existing stations alone, and their share.
    pub base_covered_population: f64,
    /// Their share, in [0, 1].
    pub base_share: f64,
    /// The share with the picks added.
    pub share: f64,
    /// The target share, if one was given.
    pub target: Option<f64>,
    /// Whether the target was reached.
    pub target_reached: Option<bool>,
    /// How many swaps improved on the greedy picks.
    pub swaps: usize,
    /// The picks in order.
    pub picks: Vec<PickSummary>,
}

impl SuggestSummary {
    /// The summary of a finished run.
    pub fn new(job: &SuggestJob, s: &Suggested) -> SuggestSummary {
        let g = &s.suggestion;
        let (candidate_source, grid_spacing_m) = match job.candidates {
            CandidateSource::File(_) => ("file", None),
            CandidateSource::Grid(m) => ("grid", Some(m)),
            CandidateSource::Uncovered => ("uncovered", None),
        };
        SuggestSummary {
            k: g.picks.len(),
            gain: g.gain,
            upper_bound: g.bound,
            fraction_of_bound: g.fraction_of_bound,
            reach_m: s.reach_m,
            level: job.level.as_ref().map(|(l, _)| l.name()),
            candidate_source,
            grid_spacing_m,
            candidates: s.candidates.len(),
            candidates_dropped: s.dropped_excluded + s.dropped_off_network,
            candidates_excluded: s.dropped_excluded,
            candidates_off_network: s.dropped_off_network,
            base_covered_population: g.base_population_covered,
            base_share: g.base_share,
            share: g.picks.last().map_or(g.base_share, |p| p.share),
            target: job.goal.target_share,
            target_reached: g.target_reached,
            swaps: g.swaps,
            picks: picks(s),
        }
    }

    /// The section of the text summary.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let level = self
            .level
            .map(|l| format!(" ({l} level)"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "\n  suggested sites — reach {} m{level}, {} candidates ({} dropped: {} excluded, {} off-network)",
            fmt_num(self.reach_m, 0),
            self.candidates,
            self.candidates_dropped,
            self.candidates_excluded,
            self.candidates_off_network
        );
        let _ = writeln!(
            o,
            "  {:>4}  {:<24} {:>12} {:>14} {:>8}",
            "rank", "candidate", "gain", "covered", "share"
        );
        let _ = writeln!(
            o,
            "  {:>4}  {:<24} {:>12} {:>14} {:>7.1}%",
            "—",
            "existing stations",
            "",
            fmt_num(self.base_covered_population, 0),
            self.base_share * 100.0
        );
        for p in &self.picks {
            let name = match &p.name {
                Some(n) => format!("{} {n}", p.candidate),
                None => p.candidate.clone(),
            };
            let _ = writeln!(
                o,
                "  {:>4}  {:<24} {:>12} {:>14} {:>7.1}%",
                p.rank,
                name,
                format!("+{}", fmt_num(p.gain_population, 0)),
                fmt_num(p.covered_population, 0),
                p.share * 100.0
            );
        }
        let _ = writeln!(
            o,
            "\n  {} sites newly cover {} residents; no {} candidates could cover more than {} \
             (this answer reaches at least {:.1}% of the best){}",
            self.k,
            fmt_num(self.gain, 0),
            self.k,
            fmt_num(self.upper_bound, 0),
            self.fraction_of_bound * 100.0,
            if self.swaps > 0 {
                format!("; {} swap(s) improved the greedy picks", self.swaps)
            } else {
                String::new()
            }
        );
        if let (Some(t), Some(reached)) = (self.target, self.target_reached) {
            let _ = writeln!(
                o,
                "  target {:.1}%: {} with {} sites",
                t * 100.0,
                if reached { "reached" } else { "NOT reached" },
                self.k
            );
        }
        o
    }
}

fn picks(s: &Suggested) -> Vec<PickSummary> {
    s.suggestion
        .picks
        .iter()
        .enumerate()
        .map(|(r, p)| {
            let c = &s.candidates[p.candidate as usize];
            let [lon, lat] = s.lonlat[p.candidate as usize];
            PickSummary {
                rank: r + 1,
                candidate: c.id.clone(),
                name: c.name.clone(),
                lon,
                lat,
                gain_population: p.gain,
                covered_population: p.population_covered,
                share: p.share,
            }
        })
        .collect()
}

/// Each pick's gain per group (group id order; the last column for blocks without a value,
/// when there are any), and the column names; `None` without `--group-by`.
fn group_gains(s: &Suggested, blocks: &BlockSet) -> Option<(Vec<String>, Vec<Vec<f64>>)> {
    blocks.fields().group_by.as_ref()?;
    let groups = blocks.groups();
    let mut names: Vec<String> = groups.iter().map(|g| format!("gain_{g}")).collect();
    let none = names.len();
    if blocks.blocks().iter().any(|b| b.group.is_none()) {
        names.push("gain_(no value)".to_owned());
    }
    let rows = s
        .newly
        .iter()
        .map(|newly| {
            let mut row = vec![0.0; names.len()];
            for &b in newly {
                let block = &blocks.blocks()[b as usize];
                row[block.group.map_or(none, |g| g.index())] += block.population;
            }
            row
        })
        .collect();
    Some((names, rows))
}

/// `suggestions.csv`: `rank, candidate, name, lon, lat, gain_population, covered_population,
/// share`, and `gain_<group>` columns with `--group-by`.
pub fn suggestions_csv(s: &Suggested, blocks: &BlockSet) -> String {
    let groups = group_gains(s, blocks);
    let mut o =
        String::from("rank,candidate,name,lon,lat,gain_population,covered_population,share");
    for name in groups.iter().flat_map(|(names, _)| names) {
        let _ = write!(o, ",{}", csv_field(name));
    }
    o.push('\n');
    for (k, p) in picks(s).iter().enumerate() {
        let _ = write!(
            o,
            "{},{},{},{},{},{},{},{}",
            p.rank,
            csv_field(&p.candidate),
            csv_field(p.name.as_deref().unwrap_or("")),
            num(p.lon),
            num(p.lat),
            num(p.gain_population),
            num(p.covered_population),
            num(p.share)
        );
        for g in groups.iter().flat_map(|(_, rows)| &rows[k]) {
            let _ = write!(o, ",{}", num(*g));
        }
        o.push('\n');
    }
    o
}

/// `suggestions.geojson`: one Point per pick with `id` (the candidate's), `name`, `rank`,
/// `gain_population`, `covered_population`, `share`; coordinates written so that they read back
/// to the same numbers.
pub fn suggestions_geojson(s: &Suggested) -> String {
    let features: Vec<serde_json::Value> = picks(s)
        .into_iter()
        .map(|p| {
            serde_json::json!({
                "type": "Feature",
                "properties": {
                    "id": p.candidate,
                    "name": p.name,
                    "rank": p.rank,
                    "gain_population": p.gain_population,
                    "covered_population": p.covered_population,
                    "share": p.share,
                },
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            })
        })
        .collect();
    let mut o = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (k, f) in features.iter().enumerate() {
        if k > 0 {
            o.push_str(",\n");
        }
        o.push_str(&f.to_string());
    }
    o.push_str("\n]}\n");
    o
}

/// Writes the suggestion tables, the maps (when asked for) and `summary.json` (when asked for)
/// into `staged`.
pub fn stage(
    staged: &mut Staged,
    job: &SuggestJob,
    loaded: &Loaded,
    s: &Suggested,
    summary: &mut Summary,
    progress: &mut dyn FnMut(Stage),
) -> Result<()> {
    progress(Stage::WriteTables);
    let csv = suggestions_csv(s, &loaded.blocks);
    staged.add("suggestions.csv", |w| w.write_all(csv.as_bytes()))?;
    let geojson = suggestions_geojson(s);
    staged.add("suggestions.geojson", |w| w.write_all(geojson.as_bytes()))?;
    if job.job.outputs.maps {
        progress(Stage::Render);
        crate::render::stage_suggest_maps(
            staged,
            s,
            &loaded.blocks,
            &loaded.context,
            summary,
            job,
            &job.job.map,
        )?;
    }
    report::stage_summary(staged, summary, job.job.outputs.summary)
}
