//! What each candidate would cover: the uncovered blocks within reach of it, by the run's
//! distance model, kept sparse (one list per candidate, never a candidate × block matrix).

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

use crate::coverage::DistanceModel;
use crate::project::{self, XY};

use super::Candidate;

/// Candidates measured together by [`Covers::measure`].
pub(crate) const CHUNK: usize = 2048;

/// For each candidate, the uncovered blocks within the reach of a station placed there, by block
/// index (input order), ascending; stored candidate after candidate (compressed rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Covers {
    /// Candidate `c`'s blocks are `blocks[start[c]..start[c + 1]]`.
    start: Vec<usize>,
    blocks: Vec<u32>,
}

impl Covers {
    /// Measures, under `model`, which uncovered blocks (`covered[b]` false) lie within
    /// `reach_m` of each candidate, as if it were a station with one entrance: one
    /// [`DistanceModel::catchment`] per run of 2,048 consecutive candidates, with those
    /// candidates as stations and the uncovered anchors within `reach_m` of their bounding box
    /// (in a straight line), turned round into lists by candidate. Memory stays in proportion
    /// to the pairs found; grid candidates, which come row by row, make compact runs.
    ///
    /// The model must never measure less than the straight-line distance (true of
    /// [`crate::StraightLine`] with a detour ≥ 1 and of [`crate::NetworkModel`]).
    ///
    /// # Units
    ///
    /// Plane metres for `anchors` and `reach_m`.
    pub fn measure(
        model: &dyn DistanceModel,
        candidates: &[Candidate],
        anchors: &[XY],
        covered: &[bool],
        reach_m: f64,
    ) -> Covers {
        let uncovered: Vec<GeomWithData<XY, u32>> = (0..anchors.len())
            .filter(|&b| !covered[b] && anchors[b].iter().all(|v| v.is_finite()))
            .map(|b| GeomWithData::new(anchors[b], b as u32))
            .collect();
        let tree = RTree::bulk_load(uncovered);
        let mut covers = Covers {
            start: vec![0],
            blocks: Vec::new(),
        };
        for chunk in candidates.chunks(CHUNK) {
            let (lo, hi) = project::bounds(chunk.par_iter().map(|c| c.xy));
            let near = AABB::from_corners(
                [lo[0] - reach_m, lo[1] - reach_m],
                [hi[0] + reach_m, hi[1] + reach_m],
            );
            let mut local: Vec<u32> = tree.locate_in_envelope(&near).map(|e| e.data).collect();
            local.sort_unstable();
            let points: Vec<XY> = local.iter().map(|&b| anchors[b as usize]).collect();
            let entrances: Vec<Vec<XY>> = chunk.iter().map(|c| vec![c.xy]).collect();
            let catchment = model.catchment(&entrances, &points, reach_m);
            let rows = (0..catchment.blocks()).map(|u| {
                let row = catchment.of_block(u);
                (local[u], row.iter().map(|&(c, _)| c))
            });
            covers.append(chunk.len(), rows);
        }
        covers
    }

    /// Appends `candidates` more candidates, given lists by block: for each block (ascending),
    /// which of the new candidates (numbered from 0) cover it.
    fn append<I: Iterator<Item = u32>>(
        &mut self,
        candidates: usize,
        rows: impl Iterator<Item = (u32, I)> + Clone,
    ) {
        let offset = *self.start.last().expect("start holds 0 at least");
        let mut start = vec![0usize; candidates + 1];
        for (_, row) in rows.clone() {
            for c in row {
                start[c as usize + 1] += 1;
            }
        }
        for c in 1..start.len() {
            start[c] += start[c - 1];
        }
        let mut next = start.clone();
        self.blocks.resize(offset + start[candidates], 0);
        for (b, row) in rows {
            for c in row {
                self.blocks[offset + next[c as usize]] = b;
                next[c as usize] += 1;
            }
        }
        self.start.extend(start[1..].iter().map(|s| offset + s));
    }

    /// Builds covers from each candidate's blocks (sorted and deduplicated here).
    pub fn new(lists: Vec<Vec<u32>>) -> Covers {
        let mut start = Vec::with_capacity(lists.len() + 1);
        start.push(0);
        let mut blocks = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for mut list in lists {
            list.sort_unstable();
            list.dedup();
            blocks.extend(list);
            start.push(blocks.len());
        }
        Covers { start, blocks }
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Whether there are no candidates.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The blocks candidate `c` would cover, ascending.
    pub fn of(&self, c: usize) -> &[u32] {
        &self.blocks[self.start[c]..self.start[c + 1]]
    }

    /// The number of (candidate, block) pairs.
    pub fn pairs(&self) -> usize {
        self.blocks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::StraightLine;

    #[test]
    fn covers_list_uncovered_blocks_within_reach_by_candidate() {
        let anchors = [[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [300.0, 0.0]];
        let covered = [false, true, false, false];
        let candidates = [
            Candidate {
                id: "a".into(),
                name: None,
                xy: [90.0, 0.0],
            },
            Candidate {
                id: "b".into(),
                name: None,
                xy: [1000.0, 0.0],
            },
            Candidate {
                id: "c".into(),
                name: None,
                xy: [250.0, 0.0],
            },
        ];
        let model = StraightLine { detour: 1.0 };
        let covers = Covers::measure(&model, &candidates, &anchors, &covered, 110.0);
        assert_eq!(covers.len(), 3);
        assert_eq!(covers.of(0), [0, 2]); // block 1 is covered already
        assert!(covers.of(1).is_empty());
        assert_eq!(covers.of(2), [2, 3]);
        assert_eq!(covers, Covers::new(vec![vec![2, 0], vec![], vec![3, 2]]));
    }

    #[test]
    fn covers_measured_in_chunks_match_a_brute_force_scan() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(13);
        let mut point = || [rng.gen_range(0.0..3000.0), rng.gen_range(0.0..3000.0)];
        let anchors: Vec<XY> = (0..4000).map(|_| point()).collect();
        let candidates: Vec<Candidate> = (0..2 * CHUNK + 17)
            .map(|k| Candidate {
                id: k.to_string(),
                name: None,
                xy: point(),
            })
            .collect();
        let covered: Vec<bool> = (0..anchors.len()).map(|b| b % 3 == 0).collect();
        let model = StraightLine { detour: 1.25 };
        let covers = Covers::measure(&model, &candidates, &anchors, &covered, 200.0);
        let want: Vec<Vec<u32>> = candidates
            .iter()
            .map(|c| {
                (0..anchors.len() as u32)
                    .filter(|&b| {
                        !covered[b as usize]
                            && 1.25 * project::distance(c.xy, anchors[b as usize]) <= 200.0
                    })
                    .collect()
            })
            .collect();
        assert_eq!(covers, Covers::new(want));
        assert!(covers.pairs() > candidates.len());
    }
}
