//! An upper bound on the population any `k` candidates could newly cover.
//!
//! Coverage is submodular: for any set `S` and any `k` candidates `O`,
//! `f(O) ≤ f(S ∪ O) ≤ f(S) + Σ_{o ∈ O} Δ(o | S) ≤ f(S) + (sum of the k largest gains Δ(· | S))`.
//! Every prefix of the greedy run is such an `S`, and so is the final (swapped) set; the bound is
//! the least of them (Minoux; Leskovec et al., "Cost-effective outbreak detection", 2007).

use rayon::prelude::*;

use super::greedy::{gain, heap, pop_best, Stale};
use super::sums::CoveredSums;
use super::Covers;

/// The least of `f(Sᵢ) + top-k gains w.r.t. Sᵢ` over the prefixes `Sᵢ` (`i = 0..=k`) of the
/// greedy `order` (`k = order.len()`), replayed from `base` with the lazy heap: the top `k` of
/// each round are popped until all are fresh, so only a few gains are computed per round.
pub(crate) fn over_greedy_prefixes(
    covers: &Covers,
    population: &[f64],
    base: &CoveredSums,
    initial: &[f64],
    order: &[u32],
) -> f64 {
    let k = order.len();
    let mut sums = base.clone();
    let mut heap = heap(initial);
    let mut f = 0.0;
    let mut least = f64::INFINITY;
    for round in 0..=k {
        let mut top: Vec<Stale> = Vec::with_capacity(k);
        while top.len() < k {
            match pop_best(&mut heap, covers, population, &sums, round) {
                Some(best) => top.push(best),
                None => break,
            }
        }
        let sum = top.iter().fold(0.0, |s, t| s + t.gain);
        least = least.min(f + sum);
        heap.extend(top);
        if let Some(&c) = order.get(round) {
            f += gain(covers, population, &sums, c as usize);
            sums.add(covers.of(c as usize));
        }
    }
    least
}

/// `f(S) + top-k gains w.r.t. S` for the set `S` whose blocks are covered in `sums`, with
/// `f(S) = f_s`: every gain computed (in parallel), the `k` largest summed from the largest.
pub(crate) fn at_set(
    covers: &Covers,
    population: &[f64],
    sums: &CoveredSums,
    f_s: f64,
    k: usize,
) -> f64 {
    let mut all: Vec<f64> = (0..covers.len())
        .into_par_iter()
        .map(|c| gain(covers, population, sums, c))
        .collect();
    all.sort_unstable_by(|a, b| b.total_cmp(a));
    f_s + all.iter().take(k).fold(0.0, |s, g| s + g)
}
