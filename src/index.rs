//! Stage 3, **index**: an R-tree of station entrances in the metric plane.
//!
//! Queries return station indices in input order; of several entrances at exactly the same
//! distance, the one of the station that comes first in the input wins.

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};

use crate::project::XY;

type Entry = GeomWithData<[f64; 2], u32>;

/// Points per chunk of [`StationIndex::nearest_all`]: a fixed size, so that the work done for
/// each point does not depend on the number of threads.
const NEAREST_CHUNK: usize = 1024;

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
    /// cut into fixed chunks of 1024 (so the work, and the answers, do not depend on the number
    /// of threads). Within a chunk, the entrance nearest to one point is a hint for the next,
    /// which lies close by: every entrance within the distance from the point to that hint
    /// (inclusive) is found by one radius query, and the nearest of them (ties to the lowest
    /// station index) is the answer, exactly, since the true nearest is never farther than the
    /// hint. Only the first point of a chunk pays for a full nearest-neighbour search.
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
        let found: Vec<Option<(u32, f64)>> = order
            .par_chunks(NEAREST_CHUNK)
            .flat_map_iter(|chunk| {
                let mut hint: Option<XY> = None;
                chunk.iter().map(move |&i| {
                    let p = points[i as usize];
                    if !(p[0].is_finite() && p[1].is_finite()) {
                        return self.nearest_by_iterator(p);
                    }
                    let (station, d2, at) = match hint {
                        Some(h) => self.nearest_within(p, h.distance_2(&p))?,
                        None => self.nearest_entry(p)?,
                    };
                    hint = Some(at);
                    Some((station, d2.sqrt()))
                })
            })
            .collect();
        let mut out = vec![None; points.len()];
        for (&i, n) in order.iter().zip(found) {
            out[i as usize] = n;
        }
        out
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
    keys.par_sort_unstable();
    keys.into_iter().map(|k| k as u32).collect()
}

/// The low 16 bits of `x` spread to the even bits.
fn spread(x: u32) -> u32 {
    let mut x = x & 0xffff;
    x = (x | x << 8) & 0x00ff_00ff;
    x = (x | x << 4) & 0x0f0f_0f0f;
    x = (x | x << 2) & 0x3333_3333;
    (x | x << 1) & 0x5555_5555
}
