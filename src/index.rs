//! Stage 3, **index**: an R-tree of station entrances in the metric plane.
//!
//! Queries return station indices in input order; of several entrances at exactly the same
//! distance, the one of the station that comes first in the input wins.

use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};

use crate::project::XY;

type Entry = GeomWithData<[f64; 2], u32>;

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
        let first = self.tree.nearest_neighbor(&p)?;
        let d2 = first.distance_2(&p);
        let best = self
            .tree
            .locate_within_distance(p, d2)
            .filter(|e| e.distance_2(&p) == d2)
            .map(|e| e.data)
            .fold(first.data, u32::min);
        Some((best, d2.sqrt()))
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
