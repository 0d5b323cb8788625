//! Stage 5, **aggregate**: coverage shares per threshold and group, station loads, and the
//! population-weighted walking-time distribution.
//!
//! The blocks are cut into fixed runs of 65,536 in input order and the runs summed in parallel.
//! Every sum is an [`ExactSum`] (the exact sum, rounded once), so the result does not depend on
//! the order of the additions: not on the number of threads, and not on how a tiled run
//! (`--tiles`) split the blocks either.

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Params, Threshold};
use crate::coverage::{Measurement, Reach};
use crate::load::{Block, GroupId, GroupNames};
use crate::sum::ExactSum;

/// Coverage at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// The threshold.
    #[serde(flatten)]
    pub threshold: Threshold,
    /// Population within the threshold.
    pub population_covered: f64,
    /// `population_covered / population`, in [0, 1] (0 when the population is 0).
    pub share: f64,
    /// Blocks within the threshold.
    pub blocks_covered: usize,
    /// `blocks_covered / blocks`.
    pub block_share: f64,
}

/// Coverage of one group of blocks (`--group-by`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The field's value; `None` for blocks without it.
    pub name: Option<String>,
    /// Blocks in the group.
    pub blocks: usize,
    /// Population of the group.
    pub population: f64,
    /// Coverage per threshold.
    pub coverage: Vec<Coverage>,
}

/// One row of the walking-time distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WalkTimeRow {
    /// Walking minutes.
    pub minutes: f64,
    /// Walking distance, metres.
    pub distance_m: f64,
    /// Population whose distance is in `(previous row, this row]`.
    pub population: f64,
    /// Population within this distance.
    pub population_within: f64,
    /// Share of the total population within this distance.
    pub share_within: f64,
}

/// Network-mode figures of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkSummary {
    /// Graph nodes.
    pub nodes: usize,
    /// Graph edges.
    pub edges: usize,
    /// Total length, km.
    pub length_km: f64,
    /// Connected pieces.
    pub pieces: usize,
    /// Pieces holding at least one station.
    pub pieces_with_station: usize,
    /// Ids of stations ignored as off-network.
    pub stations_off_network: Vec<String>,
    /// Blocks whose snap leg exceeds `--max-snap`.
    pub blocks_off_network: usize,
    /// Their population.
    pub population_off_network: f64,
    /// Blocks snapped onto a piece that holds no station.
    pub blocks_on_pieces_without_station: usize,
    /// Their population.
    pub population_on_pieces_without_station: f64,
}

/// Everything computed from per-block measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregates {
    /// Total population (blocks count 1 each when unweighted).
    pub population: f64,
    /// Coverage per threshold, ascending.
    pub coverage: Vec<Coverage>,
    /// Per group, worst-covered first (by share at the first threshold), when grouping.
    pub groups: Option<Vec<Group>>,
    /// Per station (input order): population and blocks for which it is the nearest station
    /// within the first threshold.
    pub station_load: Vec<(f64, usize)>,
    /// The walking-time distribution.
    pub walk_time: Vec<WalkTimeRow>,
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Whether a measured block is within `distance_m` (inclusive).
#[inline]
pub fn covered(distance: Option<f64>, distance_m: f64) -> bool {
    distance.is_some_and(|d| d <= distance_m)
}

/// Blocks per run of [`aggregate`]: fixed, so the order of every sum is too. Site suggestions
/// sum covered populations in the same runs, so that a predicted share is the reported one.
pub(crate) const RUN: usize = 1 << 16;

/// Running sums for the coverage of a set of blocks, added to in input order.
struct Tally {
    population: ExactSum,
    blocks: usize,
    /// Per threshold: population and blocks covered.
    covered: Vec<(ExactSum, usize)>,
}

impl Tally {
    fn new(params: &Params) -> Self {
        Tally {
            population: ExactSum::new(),
            blocks: 0,
            covered: vec![(ExactSum::new(), 0); params.thresholds.len()],
        }
    }

    fn add(&mut self, params: &Params, block: &Block, distance: Option<f64>, area: Option<&[f64]>) {
        self.population.add(block.population);
        self.blocks += 1;
        if let Some(fractions) = area {
            // Area mode: population × fraction; a block counts as covered when wholly covered.
            for (f, c) in fractions.iter().zip(&mut self.covered) {
                c.0.add(block.population * f);
                c.1 += usize::from(*f >= 1.0);
            }
            return;
        }
        for (t, c) in params.thresholds.iter().zip(&mut self.covered) {
            if covered(distance, t.distance_m) {
                c.0.add(block.population);
                c.1 += 1;
            }
        }
    }

    /// Adds the sums of blocks that come after this tally's.
    fn merge(&mut self, later: &Tally) {
        self.population.merge(&later.population);
        self.blocks += later.blocks;
        for (c, l) in self.covered.iter_mut().zip(&later.covered) {
            c.0.merge(&l.0);
            c.1 += l.1;
        }
    }

    fn coverage(&self, params: &Params) -> Vec<Coverage> {
        let population = self.population.value();
        params
            .thresholds
            .iter()
            .zip(&self.covered)
            .map(|(t, (pop, n))| (t, pop.value(), *n))
            .map(|(t, pop, n)| Coverage {
                threshold: t.clone(),
                population_covered: pop,
                share: share(pop, population),
                blocks_covered: n,
                block_share: share(n as f64, self.blocks as f64),
            })
            .collect()
    }
}

/// No place yet in [`Sums::groups`].
const UNSEEN: u32 = u32::MAX;

/// The sums of one run of blocks (or of the runs merged so far).
struct Sums {
    all: Tally,
    /// Each group's place in `groups` (or [`UNSEEN`]), by its number plus one; place 0 is for
    /// blocks without a group. Empty when not grouping.
    place: Vec<u32>,
    /// The groups met, in order of first appearance.
    groups: Vec<(Option<GroupId>, Tally)>,
    /// Per station: population and blocks within the first threshold of it.
    station_load: Vec<(ExactSum, usize)>,
    /// Population per row of the walking-time distribution.
    bins: Vec<ExactSum>,
}

impl Sums {
    /// Empty sums, over `groups` groups (`None` when not grouping).
    fn new(params: &Params, stations: usize, rows: usize, groups: Option<usize>) -> Self {
        Sums {
            all: Tally::new(params),
            place: groups.map_or_else(Vec::new, |n| vec![UNSEEN; n + 1]),
            groups: Vec::new(),
            station_load: vec![(ExactSum::new(), 0); stations],
            bins: vec![ExactSum::new(); rows + 1],
        }
    }

    #[inline]
    fn group(&mut self, params: &Params, group: Option<GroupId>) -> &mut Tally {
        let place = &mut self.place[group.map_or(0, |g| g.index() + 1)];
        if *place == UNSEEN {
            *place = self.groups.len() as u32;
            self.groups.push((group, Tally::new(params)));
        }
        &mut self.groups[*place as usize].1
    }

    /// Adds the sums of blocks that come after these.
    fn merge(&mut self, params: &Params, later: Sums) {
        self.all.merge(&later.all);
        for (group, tally) in &later.groups {
            self.group(params, *group).merge(tally);
        }
        for (s, l) in self.station_load.iter_mut().zip(&later.station_load) {
            s.0.merge(&l.0);
            s.1 += l.1;
        }
        for (b, l) in self.bins.iter_mut().zip(&later.bins) {
            b.merge(l);
        }
    }
}

/// Aggregates per-block measures. `groups` names the blocks' groups when they were read with a
/// group field ([`crate::BlockSet::groups`]); `None` when not grouping.
pub fn aggregate(
    blocks: &[Block],
    stations: usize,
    m: &Measurement,
    params: &Params,
    groups: Option<&GroupNames>,
) -> Aggregates {
    aggregate_with(blocks, stations, m, params, groups, None)
}

/// [`aggregate`] in area mode: coverage per threshold and group counts each block's
/// population × its covered fraction (`fractions[block][threshold]`), and its blocks covered
/// those wholly covered (fraction 1); station loads and the walking-time distribution stay
/// by the blocks' anchors.
pub fn aggregate_area(
    blocks: &[Block],
    stations: usize,
    m: &Measurement,
    params: &Params,
    groups: Option<&GroupNames>,
    fractions: &[Vec<f64>],
) -> Aggregates {
    aggregate_with(blocks, stations, m, params, groups, Some(fractions))
}

fn aggregate_with(
    blocks: &[Block],
    stations: usize,
    m: &Measurement,
    params: &Params,
    groups: Option<&GroupNames>,
    fractions: Option<&[Vec<f64>]>,
) -> Aggregates {
    let names = groups;
    let group_count = names.map(GroupNames::len);
    let first = params.thresholds[0].distance_m;
    let step = walk_time_step_m(params);
    let rows = (params.reach_m() / step).ceil() as usize;
    // The sums hold the rows up to the farthest block measured, not all the reach: the
    // distribution's tail is empty, and a run's sums are made once per 65,536 blocks.
    let used = m
        .blocks
        .iter()
        .filter_map(|x| x.distance_m.and_then(|d| row_of(d, step, rows)))
        .max()
        .unwrap_or(0);
    let runs: Vec<Sums> = blocks
        .par_chunks(RUN)
        .zip(m.blocks.par_chunks(RUN))
        .enumerate()
        .map(|(run, (blocks, measured))| {
            let mut sums = Sums::new(params, stations, used, group_count);
            for (i, (b, x)) in blocks.iter().zip(measured).enumerate() {
                let area = fractions.map(|f| f[run * RUN + i].as_slice());
                sums.all.add(params, b, x.distance_m, area);
                if group_count.is_some() {
                    sums.group(params, b.group)
                        .add(params, b, x.distance_m, area);
                }
                if let (Some(s), true) = (x.station, covered(x.distance_m, first)) {
                    let load = &mut sums.station_load[s as usize];
                    load.0.add(b.population);
                    load.1 += 1;
                }
                if let Some(k) = x.distance_m.and_then(|d| row_of(d, step, used)) {
                    sums.bins[k].add(b.population);
                }
            }
            sums
        })
        .collect();
    let mut total = Sums::new(params, stations, used, group_count);
    for run in runs {
        total.merge(params, run);
    }
    let population = total.all.population.value();
    let coverage = total.all.coverage(params);

    let groups = names.map(|names| {
        let mut groups: Vec<Group> = total
            .groups
            .into_iter()
            .map(|(group, tally)| Group {
                name: group.map(|g| names.name(g).to_owned()),
                blocks: tally.blocks,
                population: tally.population.value(),
                coverage: tally.coverage(params),
            })
            .collect();
        groups.sort_by(|a, b| {
            a.coverage[0]
                .share
                .total_cmp(&b.coverage[0].share)
                .then(b.population.total_cmp(&a.population))
                .then(a.name.cmp(&b.name))
        });
        groups
    });

    let mut bins = total.bins;
    bins.resize(rows + 1, ExactSum::new());
    let walk_time = walk_time(&bins, params, population);
    Aggregates {
        population,
        coverage,
        groups,
        station_load: total
            .station_load
            .iter()
            .map(|(p, n)| (p.value(), *n))
            .collect(),
        walk_time,
    }
}

/// The row of the walking-time distribution that holds distance `d`: row `k` holds
/// `((k − 1)·step, k·step]`; `None` beyond row `rows`.
///
/// `⌈d / step⌉` is taken in signed 64-bit integers, without a call to the C library's `ceil`
/// (x86-64's baseline has no rounding instruction, and converts unsigned integers to and from
/// floating point in several instructions each). Quotients are clamped at 2⁵³, far beyond any
/// row a vector could hold.
#[inline]
fn row_of(d: f64, step: f64, rows: usize) -> Option<usize> {
    const FAR: f64 = 9_007_199_254_740_992.0; // 2⁵³
    let q = (d / step).clamp(0.0, FAR);
    let t = q as i64;
    let mut k = t + i64::from((t as f64) < q);
    if k > 0 && (k - 1) as f64 * step >= d {
        k -= 1;
    }
    usize::try_from(k).ok().filter(|&k| k <= rows)
}

/// Step of the walking-time distribution: a quarter minute, or 10 m for metre thresholds.
fn walk_time_step_m(params: &Params) -> f64 {
    match params.unit {
        crate::config::ThresholdUnit::Minutes => params.speed_m_per_min / 4.0,
        crate::config::ThresholdUnit::Metres => 10.0,
    }
}

/// The walking-time distribution from the population per row; the running total is the exact
/// sum of the rows so far.
fn walk_time(bins: &[ExactSum], params: &Params, total: f64) -> Vec<WalkTimeRow> {
    let step = walk_time_step_m(params);
    let mut within = ExactSum::new();
    bins.iter()
        .enumerate()
        .map(|(k, p)| {
            within.merge(p);
            let within = within.value();
            let distance_m = k as f64 * step;
            WalkTimeRow {
                minutes: distance_m / params.speed_m_per_min,
                distance_m,
                population: p.value(),
                population_within: within,
                share_within: share(within, total),
            }
        })
        .collect()
}

/// Network-mode figures, from the measurement's network report.
pub fn network_summary(
    blocks: &[Block],
    station_ids: &[&str],
    m: &Measurement,
) -> Option<NetworkSummary> {
    let report = m.network.as_ref()?;
    let mut s = NetworkSummary {
        nodes: report.nodes,
        edges: report.edges,
        length_km: report.length_km,
        pieces: report.pieces,
        pieces_with_station: report.pieces_with_station,
        stations_off_network: report
            .stations_off_network
            .iter()
            .map(|&i| station_ids[i as usize].to_owned())
            .collect(),
        blocks_off_network: 0,
        population_off_network: 0.0,
        blocks_on_pieces_without_station: 0,
        population_on_pieces_without_station: 0.0,
    };
    let (mut off, mut pieceless) = (ExactSum::new(), ExactSum::new());
    for (b, x) in blocks.iter().zip(&m.blocks) {
        if x.reach == Reach::OffNetwork {
            s.blocks_off_network += 1;
            off.add(b.population);
        } else if x.piece_has_station == Some(false) {
            s.blocks_on_pieces_without_station += 1;
            pieceless.add(b.population);
        }
    }
    s.population_off_network = off.value();
    s.population_on_pieces_without_station = pieceless.value();
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `row_of` as its definition reads, with the C library's `ceil`.
    fn row_by_ceil(d: f64, step: f64, rows: usize) -> Option<usize> {
        let mut k = (d / step).max(0.0).ceil();
        if k > 0.0 && (k - 1.0) * step >= d {
            k -= 1.0;
        }
        (k <= rows as f64).then_some(k as usize)
    }

    #[test]
    fn rows_hold_distances_up_to_and_including_their_own() {
        // A quarter minute at 60 m/min is 15 m.
        assert_eq!(row_of(0.0, 15.0, 60), Some(0));
        assert_eq!(row_of(0.1, 15.0, 60), Some(1));
        assert_eq!(row_of(15.0, 15.0, 60), Some(1));
        assert_eq!(row_of(15.000001, 15.0, 60), Some(2));
        assert_eq!(row_of(900.0, 15.0, 60), Some(60));
        assert_eq!(row_of(900.1, 15.0, 60), None);
        assert_eq!(row_of(1e300, 15.0, 60), None);
        assert_eq!(row_of(f64::INFINITY, 15.0, 60), None);
    }

    proptest! {
        #[test]
        fn rows_agree_with_the_definition(
            d in prop_oneof![0.0..2000.0f64, (0u32..200).prop_map(|k| f64::from(k) * 12.5)],
            step in prop_oneof![Just(12.5), Just(10.0), Just(15.0), 0.1..50.0f64],
        ) {
            prop_assert_eq!(row_of(d, step, 100), row_by_ceil(d, step, 100));
        }
    }
}
