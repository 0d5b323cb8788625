//! What a proposal changes: the blocks that an analysis *after* (e.g. with `--add-stations`, or a
//! batch scenario) covers and one *before* (the base stations, or the scenario's base) does not,
//! and the residents gained and lost, in total and per group, at every threshold.
//!
//! Both analyses must be of the same blocks, in the same order. A block's nearest station is
//! compared by its place (entrances), so two scenarios that list the same stations in another
//! order compare as unchanged.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::aggregate::covered;
use crate::load::{BlockSet, Station};
use crate::report::{csv_field, fmt_num, num};
use crate::Analysis;

/// How one block fares, at the first threshold (the one the maps' titles speak of).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockChange {
    /// Covered after, not before.
    Gained,
    /// Covered before and after, its nearest station now another one (e.g. a proposed one).
    NearestChanged,
    /// Covered before and after, by the same station.
    StillCovered,
    /// Covered before, not after.
    Lost,
    /// Covered neither before nor after.
    StillGap,
}

impl BlockChange {
    /// Every kind, in the order the map's legend lists them.
    pub const ALL: [BlockChange; 5] = [
        BlockChange::Gained,
        BlockChange::NearestChanged,
        BlockChange::Lost,
        BlockChange::StillGap,
        BlockChange::StillCovered,
    ];
}

/// Residents before and after, at one threshold, in total or in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRow {
    /// The threshold's label (`5`, `300m`).
    pub threshold: String,
    /// The group's value; `None` in the total row (and for blocks without the field).
    pub group: Option<String>,
    /// Whether this is the total row.
    pub total: bool,
    /// Residents (or blocks, unweighted) covered before.
    pub before: f64,
    /// Residents covered after.
    pub after: f64,
    /// Residents of blocks covered after and not before.
    pub gained: f64,
    /// Residents of blocks covered before and not after.
    pub lost: f64,
    /// Blocks gained.
    pub blocks_gained: usize,
    /// Blocks lost.
    pub blocks_lost: usize,
}

/// The residents gained and lost, as `summary.json` (`change`) and `change.csv` give them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeSummary {
    /// The share covered within the first threshold, before and after, in [0, 1].
    pub shares: [f64; 2],
    /// Per threshold: the total row, then one row per group (by name), when grouping.
    pub rows: Vec<ChangeRow>,
}

/// What changes from one analysis to another of the same blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Each block's change at the first threshold, in block order.
    pub blocks: Vec<BlockChange>,
    /// Residents gained and lost, in total and per group.
    pub summary: ChangeSummary,
    /// For each station after, whether it stands where no station stood before (a proposed
    /// station), in input order.
    pub new_stations: Vec<bool>,
}

impl Change {
    /// Compares `after` with `before`, both analyses of `blocks`, threshold by threshold in
    /// order (each side at its own distance: a threshold of 5 minutes stays 5 minutes when the
    /// speed changes); rows are labelled by `after`'s thresholds.
    ///
    /// # Panics
    ///
    /// When the two analyses do not hold one measure per block of `blocks`.
    pub fn between(before: &Analysis, after: &Analysis, blocks: &BlockSet) -> Change {
        let mb = &before.measurement.blocks;
        let ma = &after.measurement.blocks;
        assert!(mb.len() == blocks.blocks().len() && ma.len() == mb.len());
        let place = |stations: &[Station], i: Option<u32>| {
            i.and_then(|i| stations.get(i as usize))
                .map(|s| s.entrances.clone())
        };
        let (tb, ta) = (&before.params.thresholds, &after.params.thresholds);
        let (first_b, first_a) = (tb[0].distance_m, ta[0].distance_m);
        let kinds = mb
            .iter()
            .zip(ma)
            .map(|(b, a)| {
                match (
                    covered(b.distance_m, first_b),
                    covered(a.distance_m, first_a),
                ) {
                    (false, true) => BlockChange::Gained,
                    (true, false) => BlockChange::Lost,
                    (false, false) => BlockChange::StillGap,
                    (true, true) => {
                        if place(&before.stations, b.station) == place(&after.stations, a.station) {
                            BlockChange::StillCovered
                        } else {
                            BlockChange::NearestChanged
                        }
                    }
                }
            })
            .collect();
        let mut rows = Vec::new();
        for (t, b_t) in ta.iter().zip(tb) {
            let (d, db) = (t.distance_m, b_t.distance_m);
            let mut total = Tally::default();
            let mut groups: BTreeMap<Option<&str>, Tally> = BTreeMap::new();
            for (i, (b, a)) in mb.iter().zip(ma).enumerate() {
                let block = &blocks.blocks()[i];
                let (cb, ca) = (covered(b.distance_m, db), covered(a.distance_m, d));
                total.add(block.population, cb, ca);
                if blocks.fields().group_by.is_some() {
                    let name = block.group.map(|g| blocks.groups().name(g));
                    groups
                        .entry(name)
                        .or_default()
                        .add(block.population, cb, ca);
                }
            }
            rows.push(total.row(&t.label, None, true));
            for (g, tally) in &groups {
                rows.push(tally.row(&t.label, g.map(str::to_owned), false));
            }
        }
        let all = blocks.total_population();
        let share = |x: f64| if all > 0.0 { x / all } else { 0.0 };
        let shares = [share(rows[0].before), share(rows[0].after)];
        let new_stations = after
            .stations
            .iter()
            .map(|a| !before.stations.iter().any(|b| b.entrances == a.entrances))
            .collect();
        Change {
            blocks: kinds,
            summary: ChangeSummary { shares, rows },
            new_stations,
        }
    }

    /// The blocks of one kind, in block order.
    pub fn members(&self, kind: BlockChange) -> Vec<usize> {
        (0..self.blocks.len())
            .filter(|&i| self.blocks[i] == kind)
            .collect()
    }
}

impl ChangeSummary {
    /// The rows of the first threshold: the total, then the groups.
    pub fn first_rows(&self) -> &[ChangeRow] {
        let label = &self.rows[0].threshold;
        let n = self
            .rows
            .iter()
            .take_while(|r| &r.threshold == label)
            .count();
        &self.rows[..n]
    }

    /// The groups of the first threshold that gained or lost, most gained first (then by name).
    pub fn groups_by_gain(&self) -> Vec<&ChangeRow> {
        let mut g: Vec<&ChangeRow> = self.first_rows()[1..]
            .iter()
            .filter(|r| r.gained > 0.0 || r.lost > 0.0)
            .collect();
        g.sort_by(|a, b| (b.gained - b.lost).total_cmp(&(a.gained - a.lost)));
        g
    }

    /// `change.csv`: one row per threshold × (total, each group). `field` names the group
    /// column.
    pub fn csv(&self, field: &str) -> String {
        let mut o = format!(
            "threshold,scope,{},before,after,net,gained,lost,blocks_gained,blocks_lost\n",
            csv_field(field)
        );
        for r in &self.rows {
            let _ = writeln!(
                o,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(&r.threshold),
                if r.total { "total" } else { "group" },
                csv_field(r.group.as_deref().unwrap_or("")),
                num(r.before),
                num(r.after),
                num(r.after - r.before),
                num(r.gained),
                num(r.lost),
                r.blocks_gained,
                r.blocks_lost
            );
        }
        o
    }

    /// One line for people: residents gained at the first threshold (`within`, e.g. `5 min`)
    /// and the groups that gained most (at most five).
    pub fn sentence(&self, within: &str) -> String {
        let t = &self.rows[0];
        let mut o = format!(
            "added stations, within {within}: {} → {} covered ({}{} residents; {} gained, {} lost)",
            pct(self.shares[0]),
            pct(self.shares[1]),
            if t.after >= t.before { "+" } else { "−" },
            fmt_num((t.after - t.before).abs(), 0),
            fmt_num(t.gained, 0),
            fmt_num(t.lost, 0),
        );
        let groups = self.groups_by_gain();
        if !groups.is_empty() {
            let shown: Vec<String> = groups
                .iter()
                .take(5)
                .map(|r| {
                    format!(
                        "{} +{}",
                        r.group.as_deref().unwrap_or("(none)"),
                        fmt_num(r.gained, 0)
                    )
                })
                .collect();
            let _ = write!(o, "; most in {}", shown.join(", "));
            if groups.len() > 5 {
                let _ = write!(o, " (and {} more)", groups.len() - 5);
            }
        }
        o
    }
}

fn pct(s: f64) -> String {
    format!("{:.1}%", s * 100.0)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    before: f64,
    after: f64,
    gained: f64,
    lost: f64,
    blocks_gained: usize,
    blocks_lost: usize,
}

impl Tally {
    fn add(&mut self, pop: f64, before: bool, after: bool) {
        if before {
            self.before += pop;
        }
        if after {
            self.after += pop;
        }
        if after && !before {
            self.gained += pop;
            self.blocks_gained += 1;
        } else if before && !after {
            self.lost += pop;
            self.blocks_lost += 1;
        }
    }

    fn row(&self, threshold: &str, group: Option<String>, total: bool) -> ChangeRow {
        ChangeRow {
            threshold: threshold.to_owned(),
            group,
            total,
            before: self.before,
            after: self.after,
            gained: self.gained,
            lost: self.lost,
            blocks_gained: self.blocks_gained,
            blocks_lost: self.blocks_lost,
        }
    }
}
