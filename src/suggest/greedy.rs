//! Lazy greedy: pick the candidate that newly covers the most population, again and again.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::sums::CoveredSums;
use super::Covers;

/// The population candidate `c` would newly cover: its blocks not covered yet, summed in block
/// order. With populations ≥ 0 this never grows as blocks get covered, to the bit (rounding is
/// monotone), which is what makes the lazy evaluation exact.
#[inline]
pub(crate) fn gain(covers: &Covers, population: &[f64], sums: &CoveredSums, c: usize) -> f64 {
    covers.of(c).iter().fold(0.0, |s, &b| {
        s + if sums.is_covered(b) {
            0.0
        } else {
            population[b as usize]
        }
    })
}

/// Every candidate's gain, computed in parallel (each sum in block order, so the same on any
/// number of threads).
pub(crate) fn gains(covers: &Covers, population: &[f64], sums: &CoveredSums) -> Vec<f64> {
    (0..covers.len())
        .into_par_iter()
        .map(|c| gain(covers, population, sums, c))
        .collect()
}

/// A candidate's gain as last computed, after `round` picks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stale {
    pub(crate) gain: f64,
    pub(crate) candidate: u32,
    pub(crate) round: usize,
}

/// Larger gain first; equal gains, the lower candidate index first.
impl Ord for Stale {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then(other.candidate.cmp(&self.candidate))
    }
}

impl PartialOrd for Stale {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Stale {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Stale {}

/// A max-heap of gains that are upper bounds of the true ones (gains only shrink).
pub(crate) fn heap(initial: &[f64]) -> BinaryHeap<Stale> {
    initial
        .iter()
        .enumerate()
        .map(|(c, &gain)| Stale {
            gain,
            candidate: c as u32,
            round: 0,
        })
        .collect()
}

/// Pops the candidate with the largest true gain after `round` picks (ties → lowest index),
/// recomputing stale gains on the way: a gain computed in this round that tops every stale
/// bound is the largest, and on equal gains the lowest index comes first because equal stale
/// bounds of lower indices are popped (and refreshed) before it.
pub(crate) fn pop_best(
    heap: &mut BinaryHeap<Stale>,
    covers: &Covers,
    population: &[f64],
    sums: &CoveredSums,
    round: usize,
) -> Option<Stale> {
    while let Some(top) = heap.pop() {
        if top.round == round {
            return Some(top);
        }
        heap.push(Stale {
            gain: gain(covers, population, sums, top.candidate as usize),
            round,
            ..top
        });
    }
    None
}

/// The greedy run: candidates in the order picked, and each one's gain when picked.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Run {
    pub(crate) order: Vec<u32>,
    pub(crate) gains: Vec<f64>,
}

/// Lazy greedy from the blocks covered in `sums`: up to `max_picks` picks, stopping early when
/// the covered share reaches `target` or when no candidate adds anyone. `initial` holds every
/// candidate's gain before any pick. Leaves `sums` with the picks' blocks covered.
pub(crate) fn lazy(
    covers: &Covers,
    population: &[f64],
    sums: &mut CoveredSums,
    initial: &[f64],
    max_picks: usize,
    target: Option<f64>,
) -> Run {
    let mut heap = heap(initial);
    let mut run = Run::default();
    while run.order.len() < max_picks && !target.is_some_and(|t| sums.share() >= t) {
        let round = run.order.len();
        let Some(best) = pop_best(&mut heap, covers, population, sums, round) else {
            break;
        };
        if best.gain <= 0.0 {
            break;
        }
        sums.add(covers.of(best.candidate as usize));
        run.order.push(best.candidate);
        run.gains.push(best.gain);
    }
    run
}

/// Plain greedy with the same rules as [`lazy`], every gain recomputed at every pick: the
/// oracle for the lazy one.
#[cfg(test)]
pub(crate) fn plain(
    covers: &Covers,
    population: &[f64],
    sums: &mut CoveredSums,
    max_picks: usize,
    target: Option<f64>,
) -> Run {
    let mut run = Run::default();
    while run.order.len() < max_picks && !target.is_some_and(|t| sums.share() >= t) {
        let all = gains(covers, population, sums);
        let mut best: Option<(usize, f64)> = None;
        for (c, &g) in all.iter().enumerate() {
            if best.is_none_or(|(_, b)| g > b) {
                best = Some((c, g));
            }
        }
        match best {
            Some((c, g)) if g > 0.0 => {
                sums.add(covers.of(c));
                run.order.push(c as u32);
                run.gains.push(g);
            }
            _ => break,
        }
    }
    run
}
