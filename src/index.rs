//! Stage 3, **index**: an R-tree of station entrances in the metric plane.
//!
//! Queries return station indices in input order; of several entrances at exactly the same
//! distance, the one of the station that comes first in the input wins.

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};

use crate::project::XY;

/// An entrance in the R-tree; its data is its number in [`StationIndex`]'s tables.
type Entry = GeomWithData<[f64; 2], u32>;

/// Points per batch of [`StationIndex::nearest_all`] (each batch's points, answers and sort fit
/// in a core's L2 cache).
const BATCH: usize = 1 << 14;

/// Candidate entrances of a cell beyond which [`StationIndex::nearest_all`] searches the R-tree
/// for each point of the cell instead.
const LONG_LIST: usize = 512;

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
    /// Per entrance (in the order given): its point and its station.
    at: Vec<XY>,
    station: Vec<u32>,
}

impl StationIndex {
    /// Builds the index from each station's entrances (plane metres); `entrances[s]` belongs to
    /// station `s`. Non-finite points are left out, and so is an entrance at exactly the place
    /// of an earlier one: that one's station comes first and wins every tie, so the answers are
    /// the same, and ten thousand stations at one point cost what one does.
    pub fn new(entrances: &[Vec<XY>]) -> Self {
        let mut seen = std::collections::HashSet::new();
        let (at, station): (Vec<XY>, Vec<u32>) = entrances
            .iter()
            .enumerate()
            .flat_map(|(s, pts)| pts.iter().map(move |&p| (p, s as u32)))
            // `+ 0.0` makes -0.0 into 0.0: one place, one key.
            .filter(|&(p, _)| finite(p) && seen.insert(p.map(|v| (v + 0.0).to_bits())))
            .unzip();
        let entries = (0..at.len())
            .map(|e| GeomWithData::new(at[e], e as u32))
            .collect();
        StationIndex {
            tree: RTree::bulk_load(entries),
            at,
            station,
        }
    }

    /// Number of entrances indexed (places: entrances at one place count once).
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether no entrance is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The nearest station to `p` and its distance in metres; ties go to the lowest station
    /// index. A point that is not finite has none.
    ///
    /// One branch-and-bound search finds a nearest entrance; a second, bounded by its distance,
    /// finds every entrance at exactly that distance, for the tie-break. (The sorted
    /// nearest-neighbour iterator gives the same answer, but keeps a heap per query.)
    pub fn nearest(&self, p: XY) -> Option<(u32, f64)> {
        if !finite(p) {
            return None;
        }
        let first = self.tree.nearest_neighbor(&p)?;
        let d2 = first.distance_2(&p);
        let best = self
            .tree
            .locate_within_distance(p, d2)
            .filter(|e| e.distance_2(&p) == d2)
            .map(|e| self.station[e.data as usize])
            .fold(self.station[first.data as usize], u32::min);
        Some((best, d2.sqrt()))
    }

    /// [`StationIndex::nearest`] for every point, in order: the same answers, found faster.
    ///
    /// A grid of square cells is laid over the points' bounding box, about one cell per two
    /// entrances (fewer for few points). Each cell gets one list of candidate entrances: with `U`
    /// the largest distance from the cell to the entrance nearest its centre, no point of the
    /// cell has its nearest entrance farther than `U`, so every entrance that can be nearest lies
    /// within `U` of the cell (found in a grid of the entrances, about two to a square; or, for
    /// entrances spread too unevenly for one, by two R-tree searches per cell). The list is
    /// sorted by distance from the cell's centre; a point `p` at `dp` from the centre scans it
    /// until a candidate's distance from the centre exceeds `dp` plus the best distance found
    /// (nothing later can be nearer), keeping the nearest (ties to the lowest station index),
    /// exactly as a scan of every entrance would. A point whose cell has an unusually long list (points and stations
    /// far apart) gets its own search; a point that is not finite has no nearest station.
    ///
    /// Points are measured in parallel batches of consecutive points. Within a batch they are
    /// taken cell by cell (a counting sort), so each cell's list is read once per batch, and the
    /// lists are read in the order they are stored, rather than one list per point in the order
    /// of the input, which for scattered input is a cache miss per point. The answers do not
    /// depend on the order.
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
        self.nearest_all_as(points, None, |s, d| Some((s, d)))
    }

    /// [`StationIndex::nearest_all`], each answer made into a `T` as it is found (`none` for a
    /// point with no nearest station): no vector of intermediate answers.
    pub(crate) fn nearest_all_as<T: Copy + Send + Sync>(
        &self,
        points: &[XY],
        none: T,
        some: impl Fn(u32, f64) -> T + Sync,
    ) -> Vec<T> {
        let answer = |n: Option<(u32, f64)>| n.map_or(none, |(s, d)| some(s, d));
        let (lo, hi) = crate::project::bounds(points.par_iter().copied().filter(|&p| finite(p)));
        if self.is_empty() || !(finite(lo) && finite(hi)) {
            return points.iter().map(|&p| answer(self.nearest(p))).collect();
        }
        let grid = Grid::over(lo, hi, (self.len() / 2).min(points.len() / 16).max(1));
        let buckets = Buckets::new(&self.at);
        let lists: Vec<Vec<Candidate>> = (0..grid.cells())
            .into_par_iter()
            .map(|c| self.candidates(buckets.as_ref(), grid.cell_box(c)))
            .collect();
        // One array, cell after cell: fewer cache misses than a vector per cell.
        let mut cells = Vec::with_capacity(lists.len());
        let mut flat = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for (c, l) in lists.iter().enumerate() {
            let (lo, hi) = grid.cell_box(c);
            cells.push(Cell {
                centre: midpoint(lo, hi),
                start: flat.len(),
                end: flat.len() + l.len(),
            });
            flat.extend_from_slice(l);
        }
        drop(lists);
        // Sorting a batch costs a pass over a counter per cell: batches at least as large.
        let batch = BATCH.max(cells.len());
        // Filled in parallel: a vector of a million answers takes a while to write.
        let mut nearest: Vec<T> = (0..points.len()).into_par_iter().map(|_| none).collect();
        nearest
            .par_chunks_mut(batch)
            .zip(points.par_chunks(batch))
            .for_each(|(nearest, points)| {
                // The batch's points by cell, copied with their place in the batch:
                // `sorted[first[c]..first[c + 1]]` are those of cell c.
                let cell_of: Vec<u32> = points
                    .iter()
                    .map(|p| match finite(*p) {
                        true => grid.cell_of(*p) as u32,
                        false => u32::MAX,
                    })
                    .collect();
                let mut first = vec![0u32; cells.len() + 1];
                for &c in cell_of.iter().filter(|&&c| c != u32::MAX) {
                    first[c as usize + 1] += 1;
                }
                for c in 1..first.len() {
                    first[c] += first[c - 1];
                }
                let mut sorted = vec![([0.0; 2], 0u32); first[cells.len()] as usize];
                let mut next = first.clone();
                // A point that is not finite is in no cell, and keeps `none`.
                for (k, &c) in cell_of.iter().enumerate().filter(|(_, &c)| c != u32::MAX) {
                    sorted[next[c as usize] as usize] = (points[k], k as u32);
                    next[c as usize] += 1;
                }
                for (cell, span) in cells.iter().zip(first.windows(2)) {
                    let list = &flat[cell.start..cell.end];
                    for &(p, k) in &sorted[span[0] as usize..span[1] as usize] {
                        nearest[k as usize] = match list.len() > LONG_LIST {
                            true => answer(self.nearest(p)),
                            false => {
                                let (s, d) =
                                    nearest_in(self, list, plain_distance(p, cell.centre), p);
                                some(s, d)
                            }
                        };
                    }
                }
            });
        nearest
    }

    /// The entrances that can be nearest to a point of the box `(lo, hi)`, in order of distance
    /// from its centre (then station); found in `buckets` if given, else in the R-tree.
    fn candidates(&self, buckets: Option<&Buckets>, (lo, hi): (XY, XY)) -> Vec<Candidate> {
        let centre = midpoint(lo, hi);
        let near = match buckets {
            Some(b) => b.nearest(&self.at, centre),
            None => self.tree.nearest_neighbor(&centre).map(|e| e.data),
        };
        let Some(near) = near else {
            return Vec::new();
        };
        // U: the farthest any point of the box is from `near`, with a margin for rounding.
        let g = self.at[near as usize];
        let far = [0, 1].map(|k| (g[k] - lo[k]).abs().max((g[k] - hi[k]).abs()));
        let u = plain_distance(far, [0.0, 0.0]) * (1.0 + 1e-9) + 1e-9;
        let (reach_lo, reach_hi) = ([lo[0] - u, lo[1] - u], [hi[0] + u, hi[1] + u]);
        let within = |e: u32| {
            let q = self.at[e as usize];
            let gap = [0, 1].map(|k| (lo[k] - q[k]).max(q[k] - hi[k]).max(0.0));
            (plain_distance(gap, [0.0, 0.0]) <= u).then(|| (plain_distance(q, centre), e))
        };
        let mut list: Vec<(f64, u32)> = match buckets {
            Some(b) => {
                let mut list = Vec::new();
                b.each_in(reach_lo, reach_hi, |e| list.extend(within(e)));
                list
            }
            None => {
                let reach = rstar::AABB::from_corners(reach_lo, reach_hi);
                self.tree
                    .locate_in_envelope_intersecting(&reach)
                    .filter_map(|e| within(e.data))
                    .collect()
            }
        };
        list.sort_unstable_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then(self.station[a.1 as usize].cmp(&self.station[b.1 as usize]))
        });
        list.into_iter()
            .map(|(from_centre, entrance)| Candidate {
                from_centre: round_down(from_centre),
                entrance,
            })
            .collect()
    }

    /// [`StationIndex::nearest`] by walking the entrances in order of distance: the reference
    /// for the tie-break.
    pub fn nearest_by_iterator(&self, p: XY) -> Option<(u32, f64)> {
        if !finite(p) {
            return None;
        }
        let mut iter = self.tree.nearest_neighbor_iter_with_distance_2(&p);
        let (first, d2) = iter.next()?;
        let mut best = self.station[first.data as usize];
        for (e, e2) in iter {
            if e2 > d2 {
                break;
            }
            best = best.min(self.station[e.data as usize]);
        }
        Some((best, d2.sqrt()))
    }

    /// The nearest station by scanning every entrance: the reference the R-tree is tested
    /// against.
    pub fn nearest_brute_force(entrances: &[Vec<XY>], p: XY) -> Option<(u32, f64)> {
        if !finite(p) {
            return None;
        }
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

/// The nearest of a cell's candidates to its point `p`, at `dp` from the cell's centre (see
/// [`StationIndex::nearest_all`]).
#[inline]
fn nearest_in(index: &StationIndex, list: &[Candidate], dp: f64, p: XY) -> (u32, f64) {
    let (mut best, mut best_d2, mut bound) = (u32::MAX, f64::INFINITY, f64::INFINITY);
    for c in list {
        if f64::from(c.from_centre) - dp > bound {
            break;
        }
        let (q, station) = (
            index.at[c.entrance as usize],
            index.station[c.entrance as usize],
        );
        let d2 = (q[0] - p[0]) * (q[0] - p[0]) + (q[1] - p[1]) * (q[1] - p[1]);
        if d2 < best_d2 || (d2 == best_d2 && station < best) {
            (best, best_d2) = (station, d2);
            // With a margin for the rounding of the distances.
            bound = d2.sqrt() * (1.0 + 1e-9) + 1e-9;
        }
    }
    (best, best_d2.sqrt())
}

/// Entrances sorted into the square cells of a grid over their bounding box (about two to a
/// cell): the candidates of [`StationIndex::nearest_all`]'s cells are found there with a few
/// array reads, where two R-tree searches per cell take several microseconds.
struct Buckets {
    grid: Grid,
    /// `entrances[first[b]..first[b + 1]]` are the entrances of cell `b`.
    first: Vec<u32>,
    entrances: Vec<u32>,
}

/// Most entrances a cell of [`Buckets`] may hold: more, and the entrances are too unevenly
/// spread (a few far from the rest stretch the grid) for the cells to pay; the R-tree is used.
const BUCKET_MOST: usize = 64;

impl Buckets {
    /// The buckets of the entrances at `at` (all finite), if they are spread evenly enough.
    fn new(at: &[XY]) -> Option<Buckets> {
        let (lo, hi) = crate::project::bounds(at.par_iter().copied());
        if at.is_empty() || !(finite(lo) && finite(hi)) {
            return None;
        }
        let grid = Grid::over(lo, hi, (at.len() / 2).max(1));
        let cell: Vec<u32> = at.iter().map(|&p| grid.cell_of(p) as u32).collect();
        let mut first = vec![0u32; grid.cells() + 1];
        for &c in &cell {
            first[c as usize + 1] += 1;
        }
        if first.iter().any(|&n| n as usize > BUCKET_MOST) {
            return None;
        }
        for c in 1..first.len() {
            first[c] += first[c - 1];
        }
        let mut next = first.clone();
        let mut entrances = vec![0u32; at.len()];
        for (e, &c) in cell.iter().enumerate() {
            entrances[next[c as usize] as usize] = e as u32;
            next[c as usize] += 1;
        }
        Some(Buckets {
            grid,
            first,
            entrances,
        })
    }

    /// Calls `f` with every entrance in the box `(lo, hi)`, and others near it. (A cell's
    /// column and row are rounded down from the coordinates and clamped, steps that keep the
    /// order: every entrance in the box is in a cell between those of the box's corners.)
    fn each_in(&self, lo: XY, hi: XY, mut f: impl FnMut(u32)) {
        let g = &self.grid;
        let (c0, r0) = (g.column_of(lo[0]), g.row_of(lo[1]));
        let (c1, r1) = (g.column_of(hi[0]), g.row_of(hi[1]));
        for row in r0..=r1 {
            let (a, b) = (row * g.columns + c0, row * g.columns + c1);
            let run = self.first[a] as usize..self.first[b + 1] as usize;
            for &e in &self.entrances[run] {
                f(e);
            }
        }
    }

    /// An entrance nearest to `p` (of several at the same distance, any), if there is one.
    fn nearest(&self, at: &[XY], p: XY) -> Option<u32> {
        if !finite(p) {
            return None;
        }
        let nearest_within = |half: f64| {
            let mut best: Option<(f64, u32)> = None;
            self.each_in(
                [p[0] - half, p[1] - half],
                [p[0] + half, p[1] + half],
                |e| {
                    let d = plain_distance(at[e as usize], p);
                    if best.is_none_or(|(b, _)| d < b) {
                        best = Some((d, e));
                    }
                },
            );
            best
        };
        // Squares around `p`, from one that reaches the grid, doubling until one holds an
        // entrance at `d` (at the latest, one that covers the grid); then every entrance nearer
        // than `d` is in the square of half-side `d` (with a margin for rounding).
        let g = &self.grid;
        let (lo, hi) = g.bounds();
        let reach = (0..2)
            .map(|k| (lo[k] - p[k]).max(p[k] - hi[k]).max(0.0))
            .fold(0.0, f64::max);
        let cover = (0..2)
            .map(|k| (p[k] - lo[k]).abs().max((p[k] - hi[k]).abs()))
            .fold(0.0, f64::max);
        let mut half = reach + g.side;
        loop {
            if let Some((d, e)) = nearest_within(half) {
                return Some(nearest_within(d * (1.0 + 1e-9) + 1e-9).map_or(e, |(_, e)| e));
            }
            if half >= cover {
                return None;
            }
            half = (2.0 * half).min(cover);
        }
    }
}

/// Whether both coordinates are finite.
#[inline]
fn finite(p: XY) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

/// `|a − b|` as `sqrt(dx² + dy²)`: for the bounds of the search, where the care `hypot` takes
/// against overflow (and its cost) is not needed; the margins cover the rounding.
#[inline]
fn plain_distance(a: XY, b: XY) -> f64 {
    ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1])).sqrt()
}

/// The midpoint of two points.
#[inline]
fn midpoint(a: XY, b: XY) -> XY {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

/// An entrance that can be nearest to the points of a cell: eight bytes, so that the lists of
/// a city's cells stay in a core's cache (the entrance's point is looked up in a small table).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Distance from the cell's centre, rounded down to single precision (which keeps the
    /// search's bound on what lies further down the list a true bound).
    from_centre: f32,
    /// The entrance's number in [`StationIndex`]'s tables.
    entrance: u32,
}

/// The largest `f32` that is not above `x`.
fn round_down(x: f64) -> f32 {
    let f = x as f32;
    if f64::from(f) > x {
        f.next_down()
    } else {
        f
    }
}

/// Where a cell's candidates lie in the flat list of all cells' candidates, and its centre.
#[derive(Debug, Clone, Copy)]
struct Cell {
    centre: XY,
    start: usize,
    end: usize,
}

/// A grid of square cells over a bounding box.
#[derive(Debug, Clone, Copy)]
struct Grid {
    lo: XY,
    /// Cell side.
    side: f64,
    columns: usize,
    rows: usize,
}

impl Grid {
    /// About `cells` square cells covering the box from `lo` to `hi`.
    fn over(lo: XY, hi: XY, cells: usize) -> Grid {
        let (w, h) = (hi[0] - lo[0], hi[1] - lo[1]);
        let area = (w * h).max(0.0);
        let mut side = (area / cells as f64).sqrt();
        if !(side.is_finite() && side > 0.0) {
            // A line or a point: cells along its length.
            side = (w.max(h) / cells as f64).max(f64::MIN_POSITIVE);
        }
        if !(side.is_finite() && side > 0.0) {
            side = 1.0;
        }
        let count = |span: f64| ((span / side).floor() as usize + 1).min(1 << 12);
        let (columns, rows) = (count(w), count(h));
        // Cells capped at 4096 a side: widen them to still cover the box.
        let side = side.max(w / columns as f64).max(h / rows as f64);
        Grid {
            lo,
            side,
            columns,
            rows,
        }
    }

    fn cells(&self) -> usize {
        self.columns * self.rows
    }

    /// The cell holding `p` (clamped to the grid, against rounding at the box's far edges).
    #[inline]
    fn cell_of(&self, p: XY) -> usize {
        self.row_of(p[1]) * self.columns + self.column_of(p[0])
    }

    /// The column holding `x` (clamped): never less for a greater `x`.
    #[inline]
    fn column_of(&self, x: f64) -> usize {
        (((x - self.lo[0]) / self.side).max(0.0) as usize).min(self.columns - 1)
    }

    /// The row holding `y` (clamped): never less for a greater `y`.
    #[inline]
    fn row_of(&self, y: f64) -> usize {
        (((y - self.lo[1]) / self.side).max(0.0) as usize).min(self.rows - 1)
    }

    /// The corners `(lo, hi)` of the whole grid.
    fn bounds(&self) -> (XY, XY) {
        let far = [
            self.lo[0] + self.side * self.columns as f64,
            self.lo[1] + self.side * self.rows as f64,
        ];
        (self.lo, far)
    }

    /// The box `(lo, hi)` of cell `c`.
    fn cell_box(&self, c: usize) -> (XY, XY) {
        let (row, column) = (c / self.columns, c % self.columns);
        let lo = [
            self.lo[0] + column as f64 * self.side,
            self.lo[1] + row as f64 * self.side,
        ];
        (lo, [lo[0] + self.side, lo[1] + self.side])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stations_at_one_place_are_indexed_once_and_the_first_wins() {
        // Ten thousand stations at one point (took 36 s to measure in release, as every cell's
        // candidate list held them all), one station elsewhere.
        let mut entrances = vec![vec![[0.0, 0.0]]; 10_000];
        entrances.push(vec![[500.0, 0.0], [-0.0, 0.0]]);
        let index = StationIndex::new(&entrances);
        assert_eq!(index.len(), 2);
        let points: Vec<XY> = (0..50_000)
            .map(|k| [(k % 500) as f64 * 2.0 - 300.0, (k / 500) as f64 - 50.0])
            .collect();
        let started = std::time::Instant::now();
        let all = index.nearest_all(&points);
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
        for (p, got) in points.iter().zip(&all).step_by(97) {
            assert_eq!(*got, StationIndex::nearest_brute_force(&entrances, *p));
        }
        assert_eq!(index.nearest([1.0, 0.0]), Some((0, 1.0)));
    }
}
