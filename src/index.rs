//! Stage 3, **index**: an R-tree of station entrances in the metric plane.
//!
//! Queries return station indices in input order; of several entrances at exactly the same
//! distance, the one of the station that comes first in the input wins.

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};

use crate::project::{distance, XY};

type Entry = GeomWithData<[f64; 2], u32>;

/// Points per run of [`StationIndex::nearest_all`]: a fixed size, so that the work done for
/// each point does not depend on the number of threads.
const NEAREST_CHUNK: usize = 256;

/// Candidate entrances beyond which a run of [`StationIndex::nearest_all`] is halved.
const MAX_CANDIDATES: usize = 256;

/// An R-tree of station entrances (bulk-loaded).
///
/// # Examples
///
/// ```
/// use walkshed::StationIndex;
/// let index = StationIndex::new(&[vec![[0.0, 0.0]], vec![[10.0, 0.0], [0.0, 3.0]]]);
/// assert_eq!(index.nearest([0.0, 2.0]), Some((1, 1.0)));
/// assert_eq!(index.nearest([0.0, 1.5]), Some((0, 1.5))); // a tie goes to the first station
/// ```
#[derive(Debug, Clone)]
pub struct StationIndex {
    tree: RTree<Entry>,
}

impl StationIndex {
    /// Builds the index from each station's entrances (plane metres); `entrances[s]` belongs to
    /// station `s`. Non-finite points are left out.
    pub fn new(entrances: &[Vec<XY>]) -> Self {
        let entries: Vec<Entry> = entrances
            .iter()
            .enumerate()
            .flat_map(|(s, pts)| {
                pts.iter()
                    .filter(|p| p[0].is_finite() && p[1].is_finite())
                    .map(move |&p| GeomWithData::new(p, s as u32))
            })
            .collect();
        StationIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Number of entrances indexed.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether no entrance is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The nearest station to `p` and its distance in metres; ties go to the lowest station
    /// index.
    ///
    /// One branch-and-bound search finds a nearest entrance; a second, bounded by its distance,
    /// finds every entrance at exactly that distance, for the tie-break. (The sorted
    /// nearest-neighbour iterator gives the same answer, but keeps a heap per query.)
    pub fn nearest(&self, p: XY) -> Option<(u32, f64)> {
        if !(p[0].is_finite() && p[1].is_finite()) {
            return self.nearest_by_iterator(p);
        }
        let (best, d2, _) = self.nearest_entry(p)?;
        Some((best, d2.sqrt()))
    }

    /// [`StationIndex::nearest`] for every point, in order: the same answers, found faster.
    ///
    /// The points are visited in the order of a Z-order (Morton) curve over their bounding box,
    /// cut into fixed runs of 256 (so the work, and the answers, do not depend on the number of
    /// threads). A run of points close together shares one short list of candidate entrances:
    /// with `U` the largest distance from the run's bounding box to the entrance nearest its
    /// centre, no point of the run has its nearest entrance farther than `U`, so every entrance
    /// that can be nearest lies within `U` of the box. One R-tree search finds the entrance near
    /// the centre, one more the candidates; each point then takes the nearest candidate (ties to
    /// the lowest station index), exactly as a scan of every entrance would. A run whose list
    /// comes out long (points far apart) is halved until it is short.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::StationIndex;
    /// let index = StationIndex::new(&[vec![[0.0, 0.0]], vec![[10.0, 0.0], [0.0, 3.0]]]);
    /// let points = [[0.0, 2.0], [0.0, 1.5], [9.0, 0.0]];
    /// assert_eq!(index.nearest_all(&points), vec![Some((1, 1.0)), Some((0, 1.5)), Some((1, 1.0))]);
    /// ```
    pub fn nearest_all(&self, points: &[XY]) -> Vec<Option<(u32, f64)>> {
        let order = z_order(points);
        let sorted: Vec<XY> = order.par_iter().map(|&i| points[i as usize]).collect();
        let found: Vec<Option<(u32, f64)>> = sorted
            .par_chunks(NEAREST_CHUNK)
            .flat_map_iter(|run| {
                let mut out = Vec::with_capacity(run.len());
                self.nearest_run(run, &mut out);
                out
            })
            .collect();
        // Back to input order: where each point's answer is, then a parallel gather.
        let mut rank = vec![0u32; points.len()];
        for (k, &i) in order.iter().enumerate() {
            rank[i as usize] = k as u32;
        }
        rank.into_par_iter().map(|k| found[k as usize]).collect()
    }

    /// The nearest station to each point of `run`, pushed onto `out` in order, by one list of
    /// candidate entrances for the run (see [`StationIndex::nearest_all`]).
    fn nearest_run(&self, run: &[XY], out: &mut Vec<Option<(u32, f64)>>) {
        let finite = |p: &XY| p[0].is_finite() && p[1].is_finite();
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in run.iter().filter(|p| finite(p)) {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let Some(near) = finite(&centre)
            .then(|| self.tree.nearest_neighbor(&centre))
            .flatten()
        else {
            // No finite point in the run, or no entrance at all.
            out.extend(run.iter().map(|&p| self.nearest_by_iterator(p)));
            return;
        };
        // U: the farthest any point of the box is from `near`, with a margin for rounding.
        let g = near.geom();
        let far = [0, 1].map(|k| (g[k] - lo[k]).abs().max((g[k] - hi[k]).abs()));
        let u = far[0].hypot(far[1]) * (1.0 + 1e-9) + 1e-9;
        let reach = rstar::AABB::from_corners([lo[0] - u, lo[1] - u], [hi[0] + u, hi[1] + u]);
        let candidates: Vec<(XY, u32)> = self
            .tree
            .locate_in_envelope_intersecting(&reach)
            .filter(|e| {
                let q = e.geom();
                let gap = [0, 1].map(|k| (lo[k] - q[k]).max(q[k] - hi[k]).max(0.0));
                gap[0].hypot(gap[1]) <= u
            })
            .map(|e| (*e.geom(), e.data))
            .collect();
        if candidates.len() > MAX_CANDIDATES && run.len() > 1 {
            let (a, b) = run.split_at(run.len() / 2);
            self.nearest_run(a, out);
            self.nearest_run(b, out);
            return;
        }
        // Nearest the box's centre first: a point of the box is at most `radius` from the
        // centre, so once a candidate is farther from the centre than the best distance found
        // plus `radius`, neither it nor any later candidate can be nearer.
        let radius = ((hi[0] - lo[0]) / 2.0).hypot((hi[1] - lo[1]) / 2.0);
        let mut candidates: Vec<(f64, XY, u32)> = candidates
            .into_iter()
            .map(|(q, s)| (distance(q, centre) - radius, q, s))
            .collect();
        candidates.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        out.extend(run.iter().map(|&p| {
            if !finite(&p) {
                return self.nearest_by_iterator(p);
            }
            let (mut best, mut best_d2, mut bound) = (u32::MAX, f64::INFINITY, f64::INFINITY);
            for &(lower, q, s) in &candidates {
                if lower > bound {
                    break;
                }
                let d2 = (q[0] - p[0]) * (q[0] - p[0]) + (q[1] - p[1]) * (q[1] - p[1]);
                if d2 < best_d2 || (d2 == best_d2 && s < best) {
                    (best, best_d2) = (s, d2);
                    // With a margin for the rounding of `lower`.
                    bound = d2.sqrt() * (1.0 + 1e-9) + 1e-9;
                }
            }
            Some((best, best_d2.sqrt()))
        }));
    }

    /// The nearest entrance to a finite `p`: its station (ties to the lowest index), its squared
    /// distance, and its position.
    fn nearest_entry(&self, p: XY) -> Option<(u32, f64, XY)> {
        let first = self.tree.nearest_neighbor(&p)?;
        self.nearest_within(p, first.distance_2(&p))
    }

    /// The nearest of the entrances within `sqrt(max_d2)` of `p` (inclusive), as
    /// [`StationIndex::nearest_entry`] gives it; `None` when there is none.
    fn nearest_within(&self, p: XY, max_d2: f64) -> Option<(u32, f64, XY)> {
        let mut best: Option<(u32, f64, XY)> = None;
        for e in self.tree.locate_within_distance(p, max_d2) {
            let d2 = e.distance_2(&p);
            match best {
                Some((s, b2, _)) if d2 > b2 || (d2 == b2 && e.data >= s) => {}
                _ => best = Some((e.data, d2, *e.geom())),
            }
        }
        best
    }

    /// [`StationIndex::nearest`] by walking the entrances in order of distance: the reference
    /// for the tie-break, and the path for a non-finite `p`.
    pub fn nearest_by_iterator(&self, p: XY) -> Option<(u32, f64)> {
        let mut iter = self.tree.nearest_neighbor_iter_with_distance_2(&p);
        let (first, d2) = iter.next()?;
        let mut best = first.data;
        for (e, e2) in iter {
            if e2 > d2 {
                break;
            }
            best = best.min(e.data);
        }
        Some((best, d2.sqrt()))
    }

    /// The nearest station by scanning every entrance: the reference the R-tree is tested
    /// against.
    pub fn nearest_brute_force(entrances: &[Vec<XY>], p: XY) -> Option<(u32, f64)> {
        let mut best: Option<(u32, f64)> = None;
        for (s, pts) in entrances.iter().enumerate() {
            for q in pts {
                let d2 = (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2);
                if best.is_none_or(|(_, b)| d2 < b) {
                    best = Some((s as u32, d2));
                }
            }
        }
        best.map(|(s, d2)| (s, d2.sqrt()))
    }
}

/// The indices of `points` in Z order (Morton order of their positions on a 2¹⁶ × 2¹⁶ grid over
/// the bounding box of the finite ones), ties by index; non-finite points go last. Indices are
/// `u32`, as station indices are: fewer than 2³² points.
fn z_order(points: &[XY]) -> Vec<u32> {
    let finite = |p: &XY| p[0].is_finite() && p[1].is_finite();
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in points.iter().filter(|p| finite(p)) {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let scale = [0, 1].map(|k| {
        let span = hi[k] - lo[k];
        if span > 0.0 {
            65535.0 / span
        } else {
            0.0
        }
    });
    let mut keys: Vec<u64> = points
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let cell = if finite(p) {
                let q = [0, 1].map(|k| ((p[k] - lo[k]) * scale[k]) as u32);
                spread(q[0]) | spread(q[1]) << 1
            } else {
                u32::MAX
            };
            u64::from(cell) << 32 | i as u64
        })
        .collect();
    radix_sort_by_high_half(&mut keys);
    keys.into_iter().map(|k| k as u32).collect()
}

/// Sorts `keys` by their high 32 bits, stably: a least-significant-digit radix sort, three
/// passes of 11 bits (a counting sort each), linear in the number of keys.
fn radix_sort_by_high_half(keys: &mut Vec<u64>) {
    const BITS: u32 = 11;
    let mut other = vec![0u64; keys.len()];
    for pass in 0..3 {
        let shift = 32 + pass * BITS;
        let digit = |k: u64| ((k >> shift) & ((1 << BITS) - 1)) as usize;
        let mut starts = vec![0usize; 1 << BITS];
        for &k in keys.iter() {
            starts[digit(k)] += 1;
        }
        let mut sum = 0;
        for s in &mut starts {
            (*s, sum) = (sum, sum + *s);
        }
        for &k in keys.iter() {
            let d = digit(k);
            other[starts[d]] = k;
            starts[d] += 1;
        }
        std::mem::swap(keys, &mut other);
    }
}

/// The low 16 bits of `x` spread to the even bits.
fn spread(x: u32) -> u32 {
    let mut x = x & 0xffff;
    x = (x | x << 8) & 0x00ff_00ff;
    x = (x | x << 4) & 0x0f0f_0f0f;
    x = (x | x << 2) & 0x3333_3333;
    (x | x << 1) & 0x5555_5555
}
