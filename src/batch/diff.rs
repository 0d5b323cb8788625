//! `--diff BASE` and a scenario's `diff = "…"`: residents gained and lost by every scenario
//! against its base scenario (its own, else the batch's), in total and per group, at every
//! threshold the two share.
//!
//! When both scenarios read the same blocks file with the same population field, blocks are
//! compared one by one: a block is *gained* when the scenario covers it and the base does not,
//! *lost* the other way round. Otherwise only the net change of covered residents is known.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::aggregate::covered;
use crate::report::fmt_num;

use super::file::DiffBase;
use super::table::{csv_field, num, opt};
use super::Done;

/// Whether a diff row covers all blocks or one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every block.
    Total,
    /// The blocks of one group.
    Group,
}

/// One scenario against the base at one threshold, in total or for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    /// The scenario.
    pub scenario: String,
    /// The base scenario.
    pub base: String,
    /// The threshold's label.
    pub threshold: String,
    /// The threshold in walking minutes.
    pub minutes: f64,
    /// The threshold in metres.
    pub distance_m: f64,
    /// Total or one group.
    pub scope: Scope,
    /// The group's value (`None` in total rows and for blocks without the field).
    pub group: Option<String>,
    /// Residents the base covers.
    pub base_covered: f64,
    /// Residents the scenario covers.
    pub covered: f64,
    /// `covered − base_covered`.
    pub net: f64,
    /// Residents of blocks the scenario covers and the base does not (block-by-block
    /// comparisons only).
    pub gained: Option<f64>,
    /// Residents of blocks the base covers and the scenario does not.
    pub lost: Option<f64>,
    /// Blocks gained.
    pub blocks_gained: Option<usize>,
    /// Blocks lost.
    pub blocks_lost: Option<usize>,
}

/// The diff of a batch: each scenario against its base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The batch's base scenario (`--diff`), if one was given; each row names its own base.
    pub base: Option<String>,
    /// The grouping field of the per-group rows, if any.
    pub group_by: Option<String>,
    /// Rows: per scenario, per threshold, the total then each group (by name).
    pub rows: Vec<DiffRow>,
    /// One sentence per scenario and threshold, for people.
    pub text: Vec<String>,
}

#[derive(Default, Clone)]
struct Tally {
    base: f64,
    covered: f64,
    gained: f64,
    lost: f64,
    blocks_gained: usize,
    blocks_lost: usize,
}

/// The base of a scenario whose own choice is `own`, given the batch's base `batch`.
pub(super) fn base_of<'a>(own: &'a DiffBase, batch: Option<&'a str>) -> Option<&'a str> {
    match own {
        DiffBase::Batch => batch,
        DiffBase::Named(b) => Some(b),
        DiffBase::None => None,
    }
}

/// Compares every successful scenario (name, outcome, own base) with its base (its own, else
/// `batch`); a scenario whose base failed is named in the text. `None` when nothing was
/// compared (no base given, or none ran).
pub(super) fn diff(batch: Option<&str>, done: &[(&str, &Done, &DiffBase)]) -> Option<Diff> {
    let mut rows = Vec::new();
    let mut text = Vec::new();
    let mut group_field = None;
    for (name, s, own) in done {
        let Some(base_name) = base_of(own, batch).filter(|b| b != name) else {
            continue;
        };
        let Some((_, base, _)) = done.iter().find(|(n, _, _)| *n == base_name) else {
            text.push(format!(
                "{name} vs {base_name}: the base scenario failed, nothing to compare"
            ));
            continue;
        };
        let same_blocks = s.blocks.path() == base.blocks.path()
            || std::fs::canonicalize(s.blocks.path()).ok()
                == std::fs::canonicalize(base.blocks.path()).ok();
        let comparable = same_blocks
            && s.blocks.fields().population == base.blocks.fields().population
            && s.blocks.blocks().len() == base.blocks.blocks().len();
        // Groups come from the scenario's field, else the base's.
        let grouping = [s, base]
            .into_iter()
            .find(|d| d.blocks.fields().group_by.is_some())
            .filter(|_| comparable);
        if let Some(g) = grouping {
            group_field = group_field.or_else(|| g.blocks.fields().group_by.clone());
        }
        let station_delta = s.summary.counts.stations as i64 - base.summary.counts.stations as i64;
        let mut shared = 0;
        for (ti, t) in s.analysis.params.thresholds.iter().enumerate() {
            let Some(bi) = base
                .analysis
                .params
                .thresholds
                .iter()
                .position(|b| b.distance_m == t.distance_m)
            else {
                continue;
            };
            shared += 1;
            let row = |scope, group: Option<String>, tally: &Tally, exact: bool| DiffRow {
                scenario: (*name).to_owned(),
                base: base_name.to_owned(),
                threshold: t.label.clone(),
                minutes: t.minutes,
                distance_m: t.distance_m,
                scope,
                group,
                base_covered: tally.base,
                covered: tally.covered,
                net: tally.covered - tally.base,
                gained: exact.then_some(tally.gained),
                lost: exact.then_some(tally.lost),
                blocks_gained: exact.then_some(tally.blocks_gained),
                blocks_lost: exact.then_some(tally.blocks_lost),
            };
            let mut total = Tally {
                base: base.summary.coverage[bi].population_covered,
                covered: s.summary.coverage[ti].population_covered,
                ..Tally::default()
            };
            // Keyed by the blocks' shared names: no text copied per block.
            let mut groups: BTreeMap<Option<&str>, Tally> = BTreeMap::new();
            if comparable {
                let d = t.distance_m;
                let pairs = s
                    .analysis
                    .measurement
                    .blocks
                    .iter()
                    .zip(&base.analysis.measurement.blocks);
                for (i, (ms, mb)) in pairs.enumerate() {
                    let (cs, cb) = (covered(ms.distance_m, d), covered(mb.distance_m, d));
                    let pop = s.blocks.blocks()[i].population;
                    let add = |tally: &mut Tally, per_block: bool| {
                        if per_block {
                            if cb {
                                tally.base += pop;
                            }
                            if cs {
                                tally.covered += pop;
                            }
                        }
                        if cs && !cb {
                            tally.gained += pop;
                            tally.blocks_gained += 1;
                        } else if cb && !cs {
                            tally.lost += pop;
                            tally.blocks_lost += 1;
                        }
                    };
                    add(&mut total, false);
                    if let Some(g) = grouping {
                        add(
                            groups
                                .entry(
                                    g.blocks.blocks()[i]
                                        .group
                                        .map(|id| g.blocks.groups().name(id)),
                                )
                                .or_default(),
                            true,
                        );
                    }
                }
            }
            rows.push(row(Scope::Total, None, &total, comparable));
            for (g, tally) in &groups {
                rows.push(row(Scope::Group, g.map(str::to_owned), tally, true));
            }
            text.push(sentence(
                name,
                base_name,
                &t.label,
                station_delta,
                &total,
                comparable,
                grouping.and_then(|g| g.blocks.fields().group_by.as_deref()),
                &groups,
            ));
        }
        if shared == 0 {
            text.push(format!(
                "{name} vs {base_name}: no threshold in common, nothing to compare"
            ));
        }
    }
    if rows.is_empty() {
        return None;
    }
    Some(Diff {
        base: batch.map(str::to_owned),
        group_by: group_field,
        rows,
        text,
    })
}

fn within(label: &str) -> String {
    match label.strip_suffix('m') {
        Some(m) => format!("{m} m"),
        None => format!("{label} min"),
    }
}

#[allow(clippy::too_many_arguments)]
fn sentence(
    name: &str,
    base: &str,
    label: &str,
    station_delta: i64,
    total: &Tally,
    exact: bool,
    field: Option<&str>,
    groups: &BTreeMap<Option<&str>, Tally>,
) -> String {
    let net = total.covered - total.base;
    let mut o = format!("{name} vs {base}, within {}: ", within(label));
    if station_delta != 0 {
        let n = station_delta.unsigned_abs();
        let _ = write!(
            o,
            "with {n} {} station{}, ",
            if station_delta > 0 { "more" } else { "fewer" },
            if n == 1 { "" } else { "s" }
        );
    }
    if net > 0.0 {
        let _ = write!(o, "covers {} more residents", fmt_num(net, 0));
    } else if net < 0.0 {
        let _ = write!(o, "covers {} fewer residents", fmt_num(-net, 0));
    } else {
        o.push_str("covers as many residents");
    }
    if exact {
        let _ = write!(
            o,
            " ({} gained, {} lost)",
            fmt_num(total.gained, 0),
            fmt_num(total.lost, 0)
        );
    }
    // Where the change went: with more residents covered in all (or as many, and some gained),
    // the group that gained most; with fewer, the group that lost most. Ties to the first name.
    let pick = |key: fn(&Tally) -> f64| {
        groups.iter().filter(|(_, t)| key(t) > 0.0).fold(
            None::<(&Option<&str>, &Tally)>,
            |best, (g, t)| match best {
                Some((_, b)) if key(b) >= key(t) => best,
                _ => Some((g, t)),
            },
        )
    };
    let group_name = |g: &Option<&str>| g.unwrap_or("(no value)").to_owned();
    if let Some(field) = field {
        let gained = pick(|t| t.gained).filter(|_| net >= 0.0);
        if let Some((g, t)) = gained {
            let _ = write!(
                o,
                ", most in {field} {} (+{})",
                group_name(g),
                fmt_num(t.gained, 0)
            );
        } else if let Some((g, t)) = pick(|t| t.lost) {
            let _ = write!(
                o,
                ", most lost in {field} {} (−{})",
                group_name(g),
                fmt_num(t.lost, 0)
            );
        }
    }
    o
}

/// `diff.csv`.
pub(super) fn diff_csv(d: &Diff) -> String {
    let mut o = format!(
        "scenario,base,threshold,minutes,distance_m,scope,{},base_covered,covered,net,gained,lost,blocks_gained,blocks_lost\n",
        csv_field(d.group_by.as_deref().unwrap_or("group"))
    );
    for r in &d.rows {
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.scenario),
            csv_field(&r.base),
            csv_field(&r.threshold),
            num(r.minutes),
            num(r.distance_m),
            match r.scope {
                Scope::Total => "total",
                Scope::Group => "group",
            },
            csv_field(r.group.as_deref().unwrap_or("")),
            num(r.base_covered),
            num(r.covered),
            num(r.net),
            opt(r.gained.map(num)),
            opt(r.lost.map(num)),
            opt(r.blocks_gained),
            opt(r.blocks_lost),
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(base: f64, covered: f64, gained: f64, lost: f64) -> Tally {
        Tally {
            base,
            covered,
            gained,
            lost,
            ..Tally::default()
        }
    }

    #[test]
    fn the_sentence_names_where_the_change_went() {
        // Fewer residents in all, though one group gained: name where most were lost.
        let groups = BTreeMap::from([
            (Some("east"), tally(500.0, 200.0, 0.0, 300.0)),
            (Some("west"), tally(100.0, 200.0, 100.0, 0.0)),
        ]);
        let total = tally(600.0, 400.0, 100.0, 300.0);
        let s = sentence(
            "new",
            "old",
            "5",
            1,
            &total,
            true,
            Some("committee"),
            &groups,
        );
        assert_eq!(
            s,
            "new vs old, within 5 min: with 1 more station, covers 200 fewer residents \
             (100 gained, 300 lost), most lost in committee east (−300)"
        );
        // More in all, though one group lost: name where most were gained.
        let groups = BTreeMap::from([
            (Some("east"), tally(500.0, 450.0, 0.0, 50.0)),
            (Some("west"), tally(100.0, 400.0, 300.0, 0.0)),
        ]);
        let total = tally(600.0, 850.0, 300.0, 50.0);
        let s = sentence(
            "new",
            "old",
            "300m",
            0,
            &total,
            true,
            Some("committee"),
            &groups,
        );
        assert_eq!(
            s,
            "new vs old, within 300 m: covers 250 more residents (300 gained, 50 lost), \
             most in committee west (+300)"
        );
    }
}
