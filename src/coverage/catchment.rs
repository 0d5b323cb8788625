//! Catchments: every station within a distance of every block (not only the nearest), as the
//! two-step floating catchment of [`crate::capacity`] needs.

use rayon::prelude::*;

use crate::capacity::Access;
use crate::network::{Network, Snap, Source};
use crate::project::XY;

/// For each block, the stations within a distance `D` of it and their distances, by station
/// index; stored block after block (compressed rows).
///
/// # Units
///
/// Metres.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catchment {
    /// Block `b`'s pairs are `pairs[start[b]..start[b + 1]]`.
    start: Vec<usize>,
    /// `(station, distance_m)`, ascending by station within a block.
    pairs: Vec<(u32, f64)>,
}

impl Catchment {
    /// Builds a catchment from each block's `(station, distance_m)` pairs (in block order); sorts
    /// each block's pairs by station.
    pub fn new(rows: Vec<Vec<(u32, f64)>>) -> Self {
        let mut start = Vec::with_capacity(rows.len() + 1);
        start.push(0);
        let mut pairs = Vec::with_capacity(rows.iter().map(Vec::len).sum());
        for mut row in rows {
            row.sort_unstable_by_key(|&(s, _)| s);
            pairs.extend(row);
            start.push(pairs.len());
        }
        Catchment { start, pairs }
    }

    /// Number of blocks.
    pub fn blocks(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// The stations within reach of block `b`, with their distances, ascending by station.
    pub fn of_block(&self, b: usize) -> &[(u32, f64)] {
        &self.pairs[self.start[b]..self.start[b + 1]]
    }
}

/// Straight line: every station with an entrance within `reach_m / detour` of each anchor; a
/// station's distance is that of its nearest entrance, times `detour`.
///
/// The entrances are put once into a grid of squares at least the radius wide, so each anchor
/// looks at the 3 × 3 squares around its own; anchors are taken in fixed runs whose pairs are
/// joined in block order.
pub(crate) fn straight(
    entrances: &[Vec<XY>],
    anchors: &[XY],
    reach_m: f64,
    detour: f64,
) -> Catchment {
    Grid::new(entrances, reach_m / detour).catchment(anchors, reach_m, detour)
}

/// Straight line: the two-step floating catchment of [`straight`]'s catchment, made a batch of
/// blocks at a time (twice: once per step), so that no more than a batch's pairs are held —
/// a dense city has hundreds of stations within reach of each block. The grid is built once.
pub(crate) fn straight_access(
    entrances: &[Vec<XY>],
    anchors: &[XY],
    reach_m: f64,
    detour: f64,
    population: &[f64],
    capacity: &[f64],
) -> Access {
    let grid = Grid::new(entrances, reach_m / detour);
    Access::compute_by_batch(population, capacity, |range| {
        grid.catchment(&anchors[range], reach_m, detour)
    })
}

/// One run of anchors' catchment: each anchor's number of pairs, and the pairs.
type Run = (Vec<usize>, Vec<(u32, f64)>);

/// Entrances in a grid of squares (compressed rows by square), for radius queries.
struct Grid {
    /// South-west corner, metres.
    origin: XY,
    /// Side of a square, metres (at least the radius).
    side: f64,
    /// Squares across and up.
    nx: i64,
    ny: i64,
    /// Square `k`'s entrances are `items[start[k]..start[k + 1]]`.
    start: Vec<usize>,
    /// `(point, station)`, square by square, in input order within a square.
    items: Vec<(XY, u32)>,
}

/// Most squares a grid may have (more would cost more memory than the entrances).
const MAX_SQUARES: f64 = 4_000_000.0;

impl Grid {
    fn new(entrances: &[Vec<XY>], radius: f64) -> Grid {
        let points: Vec<(XY, u32)> = entrances
            .iter()
            .enumerate()
            .flat_map(|(s, pts)| pts.iter().map(move |&p| (p, s as u32)))
            .filter(|(p, _)| p[0].is_finite() && p[1].is_finite())
            .collect();
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for (p, _) in &points {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        if points.is_empty() {
            (lo, hi) = ([0.0; 2], [0.0; 2]);
        }
        let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1.0);
        let mut side = radius.max(span / MAX_SQUARES.sqrt()).max(1e-3);
        if !side.is_finite() {
            side = span;
        }
        let nx = ((hi[0] - lo[0]) / side).floor() as i64 + 1;
        let ny = ((hi[1] - lo[1]) / side).floor() as i64 + 1;
        let square = |p: XY| {
            let i = (((p[0] - lo[0]) / side).floor() as i64).clamp(0, nx - 1);
            let j = (((p[1] - lo[1]) / side).floor() as i64).clamp(0, ny - 1);
            (j * nx + i) as usize
        };
        let mut start = vec![0usize; (nx * ny) as usize + 1];
        for (p, _) in &points {
            start[square(*p) + 1] += 1;
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let mut next = start.clone();
        let mut items = vec![([0.0; 2], 0u32); points.len()];
        for &(p, s) in &points {
            let k = square(p);
            items[next[k]] = (p, s);
            next[k] += 1;
        }
        Grid {
            origin: lo,
            side,
            nx,
            ny,
            start,
            items,
        }
    }

    /// Every station within `reach_m` (after `detour`) of each anchor; the grid's squares must be
    /// at least `reach_m / detour` wide. Anchors are taken in fixed runs whose pairs are joined
    /// in block order.
    fn catchment(&self, anchors: &[XY], reach_m: f64, detour: f64) -> Catchment {
        let radius = reach_m / detour;
        let runs: Vec<Run> = anchors
            .par_chunks(1024)
            .map(|run| {
                let mut counts = Vec::with_capacity(run.len());
                let mut pairs = Vec::new();
                let mut row = Vec::new();
                for &p in run {
                    row.clear();
                    self.within(p, radius, |s, d2| {
                        let d = detour * d2.sqrt();
                        if d <= reach_m {
                            row.push((s, d));
                        }
                    });
                    nearest_per_station(&mut row);
                    counts.push(row.len());
                    pairs.extend_from_slice(&row);
                }
                (counts, pairs)
            })
            .collect();
        let mut start = Vec::with_capacity(anchors.len() + 1);
        start.push(0);
        let mut pairs = Vec::with_capacity(runs.iter().map(|r| r.1.len()).sum());
        for (counts, run_pairs) in runs {
            for c in counts {
                start.push(start.last().copied().unwrap_or(0) + c);
            }
            pairs.extend(run_pairs);
        }
        Catchment { start, pairs }
    }

    /// Calls `f(station, squared distance)` for every entrance within `radius` of `p`
    /// (inclusive).
    fn within(&self, p: XY, radius: f64, mut f: impl FnMut(u32, f64)) {
        if !(p[0].is_finite() && p[1].is_finite()) {
            return;
        }
        let r2 = radius * radius;
        let ci = ((p[0] - self.origin[0]) / self.side).floor();
        let cj = ((p[1] - self.origin[1]) / self.side).floor();
        // Anchors far outside the grid: nothing near (and no overflow below).
        if ci < -2.0 || cj < -2.0 || ci > self.nx as f64 + 1.0 || cj > self.ny as f64 + 1.0 {
            return;
        }
        let (ci, cj) = (ci as i64, cj as i64);
        for j in (cj - 1).max(0)..=(cj + 1).min(self.ny - 1) {
            let row = j * self.nx;
            let (i0, i1) = ((ci - 1).max(0), (ci + 1).min(self.nx - 1));
            if i0 > i1 {
                continue;
            }
            let (a, b) = (
                self.start[(row + i0) as usize],
                self.start[(row + i1) as usize + 1],
            );
            for &(q, s) in &self.items[a..b] {
                let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
                let d2 = dx * dx + dy * dy;
                if d2 <= r2 {
                    f(s, d2);
                }
            }
        }
    }
}

/// Keeps one pair per station: its smallest distance.
fn nearest_per_station(row: &mut Vec<(u32, f64)>) {
    row.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    row.dedup_by_key(|&mut (s, _)| s);
}

/// Network: for each station, one Dijkstra bounded at `reach_m` from its snapped entrances; a
/// block is within reach when its snapped anchor is, snap legs included. `sources` are the
/// snapped entrances in station order; `block_snaps` the blocks' snaps (`None` off-network).
pub(crate) fn network(
    net: &Network,
    sources: &[Source],
    block_snaps: &[Option<Snap>],
    reach_m: f64,
) -> Catchment {
    // The blocks snapped onto each edge (compressed rows by edge).
    let mut on_edge_start = vec![0usize; net.edge_count() + 1];
    for s in block_snaps.iter().flatten() {
        on_edge_start[s.edge as usize + 1] += 1;
    }
    for e in 1..on_edge_start.len() {
        on_edge_start[e] += on_edge_start[e - 1];
    }
    let mut next = on_edge_start.clone();
    let mut on_edge = vec![0u32; on_edge_start[net.edge_count()]];
    for (b, s) in block_snaps.iter().enumerate() {
        if let Some(s) = s {
            on_edge[next[s.edge as usize]] = b as u32;
            next[s.edge as usize] += 1;
        }
    }
    let edges_of = |e: u32| &on_edge[on_edge_start[e as usize]..on_edge_start[e as usize + 1]];

    // Sources grouped by station.
    let mut by_station: Vec<(u32, Vec<Source>)> = Vec::new();
    for s in sources {
        match by_station.last_mut() {
            Some((station, list)) if *station == s.station => list.push(*s),
            _ => by_station.push((s.station, vec![*s])),
        }
    }
    let found: Vec<Vec<(u32, u32, f64)>> = by_station
        .par_iter()
        .map(|(station, list)| {
            let paths = net.shortest_paths(list.clone(), reach_m);
            let mut edges: Vec<u32> = list.iter().map(|s| s.snap.edge).collect();
            for n in paths.reached_nodes() {
                edges.extend(net.neighbours(n).iter().map(|a| a.edge));
            }
            edges.sort_unstable();
            edges.dedup();
            let mut hits = Vec::new();
            for e in edges {
                for &b in edges_of(e) {
                    let Some(snap) = &block_snaps[b as usize] else {
                        continue;
                    };
                    if let Some((d, _)) = paths.to_snap(net, snap) {
                        hits.push((b, *station, d));
                    }
                }
            }
            hits
        })
        .collect();
    let mut rows = vec![Vec::new(); block_snaps.len()];
    for (b, s, d) in found.into_iter().flatten() {
        rows[b as usize].push((s, d));
    }
    Catchment::new(rows)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::coverage::{DistanceModel, NetworkModel, StraightLine};
    use crate::network::tests::{at, network};

    /// The catchment as the oracle sees it: each station measured alone by `model`.
    fn one_by_one(
        model: &dyn DistanceModel,
        entrances: &[Vec<XY>],
        anchors: &[XY],
        reach_m: f64,
    ) -> Catchment {
        let mut rows = vec![Vec::new(); anchors.len()];
        for s in 0..entrances.len() {
            let alone: Vec<Vec<XY>> = (0..entrances.len())
                .map(|k| {
                    if k == s {
                        entrances[k].clone()
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            let m = model.measure(&alone, anchors, reach_m);
            for (b, measured) in m.blocks.iter().enumerate() {
                if let Some(d) = measured.distance_m.filter(|&d| d <= reach_m) {
                    rows[b].push((s as u32, d));
                }
            }
        }
        Catchment::new(rows)
    }

    fn random_points(rng: &mut rand::rngs::StdRng, n: usize, side_m: f64) -> Vec<XY> {
        (0..n)
            .map(|_| at([rng.gen_range(0.0..side_m), rng.gen_range(0.0..side_m)]))
            .collect()
    }

    #[test]
    fn straight_line_catchments_match_stations_measured_one_by_one() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let entrances: Vec<Vec<XY>> = (0..25)
            .map(|k| random_points(&mut rng, 1 + k % 3, 2000.0))
            .collect();
        let anchors = random_points(&mut rng, 400, 2000.0);
        let model = StraightLine { detour: 1.3 };
        let got = model.catchment(&entrances, &anchors, 450.0);
        assert_eq!(got, one_by_one(&model, &entrances, &anchors, 450.0));
        assert!(
            got.pairs.len() > anchors.len(),
            "the case should have overlaps"
        );
        // The two steps made a batch at a time equal the steps over the whole catchment.
        let population: Vec<f64> = (0..anchors.len()).map(|i| (i % 7) as f64 * 13.5).collect();
        let capacity: Vec<f64> = (0..entrances.len()).map(|j| (j % 5) as f64).collect();
        assert_eq!(
            straight_access(&entrances, &anchors, 450.0, 1.3, &population, &capacity),
            Access::compute(&got, &population, &capacity)
        );
    }

    #[test]
    fn network_catchments_match_stations_measured_one_by_one() {
        // A 6 × 6 grid of 100 m streets with a diagonal that crosses without a shared vertex.
        let mut lines: Vec<Vec<XY>> = Vec::new();
        for k in 0..6 {
            let c = 100.0 * k as f64;
            lines.push((0..6).map(|i| [100.0 * i as f64, c]).collect());
            lines.push((0..6).map(|i| [c, 100.0 * i as f64]).collect());
        }
        lines.push(vec![[0.0, 0.0], [500.0, 500.0]]);
        let refs: Vec<&[XY]> = lines.iter().map(Vec::as_slice).collect();
        let model = NetworkModel::new(Arc::new(network(&refs)), 40.0);
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let entrances: Vec<Vec<XY>> = (0..12)
            .map(|k| random_points(&mut rng, 1 + k % 2, 500.0))
            .collect();
        let anchors = random_points(&mut rng, 300, 550.0);
        let got = model.catchment(&entrances, &anchors, 260.0);
        let want = one_by_one(&model, &entrances, &anchors, 260.0);
        assert_eq!(got.start, want.start);
        for (g, w) in got.pairs.iter().zip(&want.pairs) {
            assert_eq!(g.0, w.0);
            assert!((g.1 - w.1).abs() < 1e-9, "{g:?} vs {w:?}");
        }
    }
}
