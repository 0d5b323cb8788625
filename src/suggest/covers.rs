//! What each candidate would cover: the uncovered blocks within reach of it, by the run's
//! distance model, kept sparse (one list per candidate, never a candidate × block matrix).

use crate::coverage::DistanceModel;
use crate::project::XY;

use super::Candidate;

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
    /// [`DistanceModel::catchment`] with the candidates as stations and the uncovered blocks'
    /// anchors, turned round into lists by candidate.
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
        let uncovered: Vec<u32> = (0..anchors.len() as u32)
            .filter(|&b| !covered[b as usize])
            .collect();
        let points: Vec<XY> = uncovered.iter().map(|&b| anchors[b as usize]).collect();
        let entrances: Vec<Vec<XY>> = candidates.iter().map(|c| vec![c.xy]).collect();
        let catchment = model.catchment(&entrances, &points, reach_m);
        let rows = (0..catchment.blocks()).map(|u| {
            let row = catchment.of_block(u);
            (uncovered[u], row.iter().map(|&(c, _)| c))
        });
        Covers::from_block_rows(candidates.len(), rows)
    }

    /// Builds covers from lists by block: for each block (ascending), the candidates that cover
    /// it.
    pub(crate) fn from_block_rows<I: Iterator<Item = u32>>(
        candidates: usize,
        rows: impl Iterator<Item = (u32, I)> + Clone,
    ) -> Covers {
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
        let mut blocks = vec![0u32; start[candidates]];
        for (b, row) in rows {
            for c in row {
                blocks[next[c as usize]] = b;
                next[c as usize] += 1;
            }
        }
        Covers { start, blocks }
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
}
