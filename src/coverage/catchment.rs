//! Catchments: every station within a distance of every block (not only the nearest), as the
//! two-step floating catchment of [`crate::capacity`] needs.

use rayon::prelude::*;

use crate::capacity::Access;
use crate::network::{Network, Origin, Snap};
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
/// The entrances are put once into a grid of squares a third of the radius wide, so each
/// anchor looks at the squares its disk meets; anchors are taken in fixed runs whose pairs are
/// joined in block order.
pub(crate) fn straight(
    entrances: &[Vec<XY>],
    anchors: &[XY],
    reach_m: f64,
    detour: f64,
) -> Catchment {
    Grid::new(entrances, reach_m / detour).catchment(anchors, reach_m, detour, entrances.len())
}

/// Straight line: the two-step floating catchment of [`straight`]'s catchment, without holding
/// it — a dense city has hundreds of stations within reach of each block.
///
/// The blocks are put into squares a fifth of the radius wide ([`Squares`]). Against the
/// bounding box of each square's blocks, every entrance nearby is either surely within reach
/// of all of them (its station is then counted for the whole square, once), surely beyond
/// reach of all, or near the edge of its circle: only the last are tested block by block, about
/// a third of the pairs. Then:
///
/// 1. each station's residents are added up block after block, in block order (the same sums
///    to the bit as [`Access::compute`], for any number of threads);
/// 2. each block's ratios are added up in parallel, in station order (the square's sure
///    stations merged with the block's own).
pub(crate) fn straight_access(
    entrances: &[Vec<XY>],
    anchors: &[XY],
    reach_m: f64,
    detour: f64,
    population: &[f64],
    capacity: &[f64],
) -> Access {
    let radius = reach_m / detour;
    if !(radius.is_finite() && radius > 0.0) {
        let catchment = straight(entrances, anchors, reach_m, detour);
        return Access::compute(&catchment, population, capacity);
    }
    let grid = Grid::new(entrances, radius);
    let squares = Squares::new(&grid, anchors, radius);
    let r2 = radius * radius;
    // The test of `Grid::found`, for an entrance near a circle's edge.
    let within = |q: XY, p: XY| {
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        let d2 = dx * dx + dy * dy;
        d2 <= r2 && detour * d2.sqrt() <= reach_m
    };
    let mut residents_within = vec![0.0; capacity.len()];
    for (b, (&p, &pop)) in anchors.iter().zip(population).enumerate() {
        let Some(k) = squares.of(b) else { continue };
        for &s in squares.sure(k) {
            residents_within[s as usize] += pop;
        }
        let mut last = u32::MAX;
        for &(q, s) in squares.edge(k) {
            if s != last && within(q, p) {
                residents_within[s as usize] += pop;
                last = s;
            }
        }
    }
    let ratio: Vec<Option<f64>> = residents_within
        .iter()
        .zip(capacity)
        .map(|(&w, &c)| (w > 0.0).then(|| c / w))
        .collect();
    let per_resident = anchors
        .par_iter()
        .enumerate()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(own, ids): &mut (Vec<u32>, Vec<u32>), (b, &p)| {
                ids.clear();
                if let Some(k) = squares.of(b) {
                    own.clear();
                    for &(q, s) in squares.edge(k) {
                        if own.last() != Some(&s) && within(q, p) {
                            own.push(s);
                        }
                    }
                    merge(squares.sure(k), own, ids);
                }
                ids.iter().filter_map(|&s| ratio[s as usize]).sum::<f64>()
            },
        )
        .collect();
    Access {
        residents_within,
        ratio,
        per_resident,
    }
}

/// Two ascending lists of distinct stations, disjoint, into `out`, ascending.
fn merge(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// Anchors per parallel task of [`Grid::catchment`].
const RUN: usize = 1024;

/// Squares of blocks across a radius in [`Squares`]: the entrances to test block by block lie
/// in a ring at most `2√2 / 5` of the disk's area (less, as a square's blocks' box is smaller
/// than the square); larger squares would test more, smaller ones classify more often.
const SQUARES_PER_RADIUS: f64 = 5.0;

/// One square's sure stations and entrances to test.
type SquareRow = (Vec<u32>, Vec<(XY, u32)>);

/// Blocks in squares, each square with the stations surely within reach of all its blocks and
/// the entrances that may be within reach of some (compressed rows by square).
struct Squares {
    /// Per block, its square (`u32::MAX` for a block without a finite anchor).
    of_block: Vec<u32>,
    /// Square `k`'s sure stations are `sure[sure_start[k]..sure_start[k + 1]]`, ascending.
    sure_start: Vec<usize>,
    sure: Vec<u32>,
    /// Square `k`'s entrances to test are `edge[edge_start[k]..edge_start[k + 1]]`, by
    /// station; none of a sure station.
    edge_start: Vec<usize>,
    edge: Vec<(XY, u32)>,
}

impl Squares {
    fn new(grid: &Grid, anchors: &[XY], radius: f64) -> Squares {
        let finite = |p: &XY| p[0].is_finite() && p[1].is_finite();
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in anchors.iter().filter(|p| finite(p)) {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1.0);
        let side = (radius / SQUARES_PER_RADIUS).max(span / MAX_SQUARES.sqrt());
        let nx = if lo[0] <= hi[0] {
            ((hi[0] - lo[0]) / side) as usize + 1
        } else {
            0
        };
        let ny = if lo[1] <= hi[1] {
            ((hi[1] - lo[1]) / side) as usize + 1
        } else {
            0
        };
        // Squares numbered in order of their first block; each with its blocks' box.
        let mut number = vec![u32::MAX; nx * ny];
        let mut boxes: Vec<[XY; 2]> = Vec::new();
        let of_block: Vec<u32> = anchors
            .iter()
            .map(|p| {
                if !finite(p) {
                    return u32::MAX;
                }
                let i = (((p[0] - lo[0]) / side) as usize).min(nx - 1);
                let j = (((p[1] - lo[1]) / side) as usize).min(ny - 1);
                let k = &mut number[j * nx + i];
                if *k == u32::MAX {
                    *k = boxes.len() as u32;
                    boxes.push([*p, *p]);
                }
                let b = &mut boxes[*k as usize];
                for c in 0..2 {
                    b[0][c] = b[0][c].min(p[c]);
                    b[1][c] = b[1][c].max(p[c]);
                }
                *k
            })
            .collect();
        let reach = radius * (1.0 + 1e-9) + MARGIN_M;
        let sure_reach = radius * (1.0 - 1e-9) - MARGIN_M;
        let (reach2, sure_reach2) = (reach * reach, sure_reach.max(0.0).powi(2));
        let rows: Vec<SquareRow> = boxes
            .par_iter()
            .map(|&[blo, bhi]| {
                let (mut sure, mut edge) = (Vec::new(), Vec::new());
                grid.in_box(
                    [blo[0] - reach, blo[1] - reach],
                    [bhi[0] + reach, bhi[1] + reach],
                    |q, s| {
                        let near = |c: usize| (blo[c] - q[c]).max(q[c] - bhi[c]).max(0.0);
                        let far = |c: usize| (q[c] - blo[c]).max(bhi[c] - q[c]);
                        let (n0, n1, f0, f1) = (near(0), near(1), far(0), far(1));
                        if n0 * n0 + n1 * n1 > reach2 {
                            return;
                        }
                        if f0 * f0 + f1 * f1 <= sure_reach2 {
                            sure.push(s);
                        } else {
                            edge.push((q, s));
                        }
                    },
                );
                sure.sort_unstable();
                sure.dedup();
                edge.retain(|(_, s)| sure.binary_search(s).is_err());
                edge.sort_by_key(|&(_, s)| s);
                (sure, edge)
            })
            .collect();
        let (mut sure_start, mut edge_start) = (vec![0], vec![0]);
        let (mut sure, mut edge) = (Vec::new(), Vec::new());
        for (s, e) in rows {
            sure.extend(s);
            edge.extend(e);
            sure_start.push(sure.len());
            edge_start.push(edge.len());
        }
        Squares {
            of_block,
            sure_start,
            sure,
            edge_start,
            edge,
        }
    }

    /// Block `b`'s square, if it has one.
    fn of(&self, b: usize) -> Option<usize> {
        let k = *self.of_block.get(b)?;
        (k != u32::MAX).then_some(k as usize)
    }

    /// The stations surely within reach of every block of square `k`, ascending.
    fn sure(&self, k: usize) -> &[u32] {
        &self.sure[self.sure_start[k]..self.sure_start[k + 1]]
    }

    /// The entrances to test for each block of square `k`, by station.
    fn edge(&self, k: usize) -> &[(XY, u32)] {
        &self.edge[self.edge_start[k]..self.edge_start[k + 1]]
    }
}

/// The stations found near one anchor: deduplicated as they are found, given back in station
/// order. A bitmap over all stations, of which only the words touched are read back (or the
/// few stations found sorted, when they are spread over many words).
struct Found {
    /// Bit `s` is set when station `s` was found.
    seen: Vec<u64>,
    /// Per station found, its smallest squared distance.
    best_d2: Vec<f64>,
    /// The stations found, in finding order.
    list: Vec<u32>,
    /// The words touched: `lo..hi`.
    lo: usize,
    hi: usize,
}

impl Found {
    fn new(stations: usize) -> Found {
        Found {
            seen: vec![0; stations.div_ceil(64)],
            best_d2: vec![0.0; stations],
            list: Vec::new(),
            lo: usize::MAX,
            hi: 0,
        }
    }

    /// Station `s` found at squared distance `d2`.
    #[inline]
    fn add(&mut self, s: u32, d2: f64) {
        let (w, bit) = (s as usize / 64, 1u64 << (s % 64));
        if self.seen[w] & bit == 0 {
            self.seen[w] |= bit;
            self.best_d2[s as usize] = d2;
            self.list.push(s);
            self.lo = self.lo.min(w);
            self.hi = self.hi.max(w + 1);
        } else if d2 < self.best_d2[s as usize] {
            self.best_d2[s as usize] = d2;
        }
    }

    /// Station `s`'s smallest squared distance (`s` must have been found).
    fn d2(&self, s: u32) -> f64 {
        self.best_d2[s as usize]
    }

    /// Puts the stations found into `out` (cleared first), ascending, and forgets them.
    fn drain_ascending(&mut self, out: &mut Vec<u32>) {
        out.clear();
        if self.list.is_empty() {
            return;
        }
        if self.hi - self.lo > 2 * self.list.len() + 8 {
            out.extend_from_slice(&self.list);
            out.sort_unstable();
            for &s in out.iter() {
                self.seen[s as usize / 64] = 0;
            }
        } else {
            for w in self.lo..self.hi {
                let mut bits = std::mem::take(&mut self.seen[w]);
                while bits != 0 {
                    out.push((w * 64) as u32 + bits.trailing_zeros());
                    bits &= bits - 1;
                }
            }
        }
        self.list.clear();
        (self.lo, self.hi) = (usize::MAX, 0);
    }
}

/// One run of anchors' catchment: each anchor's number of pairs, and the pairs.
type PairRun = (Vec<usize>, Vec<(u32, f64)>);

/// Entrances in a grid of squares (compressed rows by square), for radius queries.
struct Grid {
    /// South-west corner, metres.
    origin: XY,
    /// Side of a square, metres (a third of the radius, or more for a large area).
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

/// Squares across a radius: a disk is looked for in the squares of a (2k + 1)² block that
/// it meets, about 5.4 r² with k = 3 instead of 9 r² with squares a radius wide.
const PER_RADIUS: f64 = 3.0;

/// Margin on the squares a disk meets, metres: a square is skipped only when it is surely
/// farther than the radius.
const MARGIN_M: f64 = 1e-6;

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
        let mut side = (radius / PER_RADIUS)
            .max(span / MAX_SQUARES.sqrt())
            .max(1e-3);
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

    /// Every station within `reach_m` (after `detour`) of each anchor, with its distance; any
    /// radius may be asked of the grid. Anchors are taken in fixed runs
    /// whose pairs are joined in block order.
    fn catchment(&self, anchors: &[XY], reach_m: f64, detour: f64, stations: usize) -> Catchment {
        let runs: Vec<PairRun> = anchors
            .par_chunks(RUN)
            .map_init(
                || (Found::new(stations), Vec::new()),
                |(found, ids), run| {
                    let mut counts = Vec::with_capacity(run.len());
                    let mut pairs = Vec::new();
                    for &p in run {
                        self.found(p, reach_m, detour, found, ids);
                        counts.push(ids.len());
                        pairs.extend(ids.iter().map(|&s| (s, detour * found.d2(s).sqrt())));
                    }
                    (counts, pairs)
                },
            )
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

    /// The stations within `reach_m` (after `detour`) of `p` into `ids`, ascending; their
    /// squared distances stay in `found`.
    #[inline]
    fn found(&self, p: XY, reach_m: f64, detour: f64, found: &mut Found, ids: &mut Vec<u32>) {
        self.within(p, reach_m / detour, |s, d2| {
            if detour * d2.sqrt() <= reach_m {
                found.add(s, d2);
            }
        });
        found.drain_ascending(ids);
    }

    /// Calls `f(point, station)` for every entrance in the squares that the box `lo..hi`
    /// meets (and maybe a few more), in square order.
    fn in_box(&self, lo: XY, hi: XY, mut f: impl FnMut(XY, u32)) {
        let at = |v: f64, o: f64, n: i64| ((v - o) / self.side).clamp(-1.0, n as f64) as i64;
        let (i0, i1) = (
            at(lo[0], self.origin[0], self.nx),
            at(hi[0], self.origin[0], self.nx),
        );
        let (j0, j1) = (
            at(lo[1], self.origin[1], self.ny),
            at(hi[1], self.origin[1], self.ny),
        );
        let (i0, i1) = (i0.max(0), i1.min(self.nx - 1));
        if i0 > i1 {
            return;
        }
        for j in j0.max(0)..=j1.min(self.ny - 1) {
            let row = j * self.nx;
            let (a, b) = (
                self.start[(row + i0) as usize],
                self.start[(row + i1) as usize + 1],
            );
            for &(q, s) in &self.items[a..b] {
                f(q, s);
            }
        }
    }

    /// Calls `f(station, squared distance)` for every entrance within `radius` of `p`
    /// (inclusive): the entrances of each row of squares the disk meets, from the first square
    /// to the last it meets in that row.
    fn within(&self, p: XY, radius: f64, mut f: impl FnMut(u32, f64)) {
        if !(p[0].is_finite() && p[1].is_finite() && radius >= 0.0) {
            return;
        }
        let r2 = radius * radius;
        let reach = radius * (1.0 + 1e-9) + MARGIN_M;
        // Square numbers, clamped to the grid and one beyond before truncating, which floors
        // them once negatives are taken to 0 (`floor` is a call into libm on this target).
        let column = |x: f64| ((x - self.origin[0]) / self.side).clamp(-1.0, self.nx as f64);
        let [j0, j1] = [p[1] - reach, p[1] + reach]
            .map(|y| ((y - self.origin[1]) / self.side).clamp(-1.0, self.ny as f64) as i64);
        for j in j0.max(0)..=j1.min(self.ny - 1) {
            // The disk's widest chord in this row.
            let y0 = self.origin[1] + j as f64 * self.side;
            let gap = (y0 - p[1]).max(p[1] - (y0 + self.side)).max(0.0);
            if gap > reach {
                continue;
            }
            let half = (reach * reach - gap * gap).max(0.0).sqrt() + MARGIN_M;
            let (i0, i1) = (column(p[0] - half) as i64, column(p[0] + half) as i64);
            let (i0, i1) = (i0.max(0), i1.min(self.nx - 1));
            if i0 > i1 {
                continue;
            }
            let row = j * self.nx;
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

/// Network: for each station, one Dijkstra bounded at `reach_m` from its snapped entrances; a
/// block is within reach when its snapped anchor is, snap legs included. `origins` are the
/// snapped entrances in station order; `block_snaps` the blocks' snaps (`None` off-network).
pub(crate) fn network(
    net: &Network,
    origins: &[Origin],
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
    let mut by_station: Vec<(u32, Vec<Origin>)> = Vec::new();
    for s in origins {
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

    /// Many stations, few near each anchor: each anchor's stations are sorted rather than read
    /// back from the bitmap, with the same result.
    #[test]
    fn sparse_stations_spread_over_many_words_match_too() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let entrances: Vec<Vec<XY>> = (0..1000)
            .map(|k| random_points(&mut rng, 1 + k % 2, 14_000.0))
            .collect();
        let anchors = random_points(&mut rng, 300, 14_000.0);
        let model = StraightLine { detour: 1.2 };
        let got = model.catchment(&entrances, &anchors, 700.0);
        assert_eq!(got, one_by_one(&model, &entrances, &anchors, 700.0));
        let mut found = Found::new(entrances.len());
        for (s, d2) in [(999, 4.0), (3, 1.0), (999, 2.0), (500, 9.0)] {
            found.add(s, d2);
        }
        let mut ids = Vec::new();
        found.drain_ascending(&mut ids);
        assert_eq!(ids, vec![3, 500, 999]);
        assert!(found.seen.iter().all(|&w| w == 0) && found.list.is_empty());
        let population: Vec<f64> = (0..anchors.len()).map(|i| (i % 5) as f64 * 7.25).collect();
        let capacity: Vec<f64> = (0..entrances.len()).map(|j| (j % 3) as f64).collect();
        assert_eq!(
            straight_access(&entrances, &anchors, 700.0, 1.2, &population, &capacity),
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
