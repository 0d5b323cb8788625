//! The swap pass: replace one pick by one other candidate while that covers more people.

use rayon::prelude::*;

use super::Covers;

/// A swap: the pick at `position` gives way to `candidate`, which changes the newly covered
/// population by `delta` (as estimated; checked exactly before it is made).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Swap {
    delta: f64,
    position: usize,
    candidate: u32,
}

/// Improves `picks` by single swaps, best first: each pass finds, over every pick and every
/// unpicked candidate, the swap that raises the newly covered population most (ties → the
/// lowest candidate index, then the earliest pick), and makes it if the population, summed
/// afresh in block order, really rises. Stops when no swap improves, or after `max_swaps`
/// swaps. The new candidate takes the place of the pick it replaces. Blocks `covered` already
/// count for no one. `initial` holds each candidate's gain with no pick made, which bounds what
/// it could bring in a swap (see [`best_swap`]). Returns the number of swaps made.
pub(crate) fn improve(
    covers: &Covers,
    population: &[f64],
    covered: &[bool],
    initial: &[f64],
    picks: &mut [u32],
    max_swaps: usize,
) -> usize {
    if picks.is_empty() {
        return 0;
    }
    // How many picks cover each block (blocks covered already: more than any picks could).
    let mut count: Vec<u32> = covered
        .iter()
        .map(|&c| if c { u32::MAX / 2 } else { 0 })
        .collect();
    for &c in picks.iter() {
        for &b in covers.of(c as usize) {
            count[b as usize] += 1;
        }
    }
    let mut f = objective(population, &count);
    let mut swaps = 0;
    while swaps < max_swaps {
        let Some(swap) = best_swap(covers, population, initial, picks, &count) else {
            break;
        };
        let old = picks[swap.position];
        apply(covers, &mut count, old, swap.candidate);
        let f_new = objective(population, &count);
        if f_new > f {
            picks[swap.position] = swap.candidate;
            f = f_new;
            swaps += 1;
        } else {
            apply(covers, &mut count, swap.candidate, old);
            break;
        }
    }
    swaps
}

/// The newly covered population: blocks covered by a pick, summed in block order.
fn objective(population: &[f64], count: &[u32]) -> f64 {
    population
        .iter()
        .zip(count)
        .fold(0.0, |s, (&p, &n)| s + if n > 0 { p } else { 0.0 })
}

/// Moves the counts from candidate `out` to candidate `into`.
fn apply(covers: &Covers, count: &mut [u32], out: u32, into: u32) {
    for &b in covers.of(out as usize) {
        count[b as usize] -= 1;
    }
    for &b in covers.of(into as usize) {
        count[b as usize] += 1;
    }
}

/// Candidates evaluated together by [`best_swap`] before it checks whether the rest can win.
const SWAP_CHUNK: usize = 512;

/// The swap with the largest positive estimated gain, if any (ties → the lowest candidate
/// index, then the earliest pick).
///
/// A candidate `c` swapped in for pick `p` gains what it covers that no other pick does, at most
/// `initial[c]` (its gain with no pick made: those blocks are a subset), and loses `loss[p]`
/// (what `p` alone covers): so `delta ≤ initial[c] − least loss`. Candidates are evaluated in
/// decreasing order of that bound, a chunk at a time, until the bound of the next one falls
/// below the best swap found: the ones left out could not beat it, nor tie with it, so the
/// answer is the one a scan of every candidate gives. The bound is widened by a relative 10⁻⁹
/// against the rounding of sums taken in another order.
fn best_swap(
    covers: &Covers,
    population: &[f64],
    initial: &[f64],
    picks: &[u32],
    count: &[u32],
) -> Option<Swap> {
    let k = picks.len();
    let mut owner = vec![0u32; population.len()];
    let mut picked = vec![false; covers.len()];
    for (p, &c) in picks.iter().enumerate() {
        picked[c as usize] = true;
        for &b in covers.of(c as usize) {
            owner[b as usize] = p as u32;
        }
    }
    // What each pick alone covers: lost if it goes.
    let loss: Vec<f64> = picks
        .iter()
        .map(|&c| {
            covers.of(c as usize).iter().fold(0.0, |s, &b| {
                s + if count[b as usize] == 1 {
                    population[b as usize]
                } else {
                    0.0
                }
            })
        })
        .collect();
    let least_loss = loss.iter().fold(f64::INFINITY, |a, &l| a.min(l));
    let bound = |c: u32| initial[c as usize] * (1.0 + 1e-9) - least_loss * (1.0 - 1e-9);
    let mut order: Vec<u32> = (0..covers.len() as u32)
        .into_par_iter()
        .filter(|&c| !picked[c as usize] && bound(c) > 0.0)
        .collect();
    order.par_sort_unstable_by(|&a, &b| bound(b).total_cmp(&bound(a)).then(a.cmp(&b)));
    let evaluate = |c: usize| -> Option<Swap> {
        // Gain w.r.t. all picks, and what it would win back from each pick's own blocks.
        let mut base = 0.0;
        let mut extra = vec![0.0; k];
        for &b in covers.of(c) {
            match count[b as usize] {
                0 => base += population[b as usize],
                1 => extra[owner[b as usize] as usize] += population[b as usize],
                _ => {}
            }
        }
        let mut best: Option<Swap> = None;
        for p in 0..k {
            let delta = base + extra[p] - loss[p];
            if delta > 0.0 && best.is_none_or(|s| delta > s.delta) {
                best = Some(Swap {
                    delta,
                    position: p,
                    candidate: c as u32,
                });
            }
        }
        best
    };
    let mut best: Option<Swap> = None;
    for chunk in order.chunks(SWAP_CHUNK) {
        if best.is_some_and(|s| bound(chunk[0]) < s.delta) {
            break;
        }
        let found: Vec<Option<Swap>> = chunk.par_iter().map(|&c| evaluate(c as usize)).collect();
        for s in found.into_iter().flatten() {
            let wins = best.is_none_or(|b| {
                s.delta > b.delta || (s.delta == b.delta && s.candidate < b.candidate)
            });
            if wins {
                best = Some(s);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn pruned_search_finds_the_swap_a_full_scan_finds() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(15);
        for round in 0..200 {
            let blocks = rng.gen_range(5..60);
            let population: Vec<f64> = (0..blocks)
                .map(|_| f64::from(rng.gen_range(0u32..8)) * 0.7)
                .collect();
            let covered: Vec<bool> = (0..blocks).map(|_| rng.gen_bool(0.2)).collect();
            let lists: Vec<Vec<u32>> = (0..rng.gen_range(2..40))
                .map(|_| {
                    let n = rng.gen_range(0..8);
                    (0..n)
                        .map(|_| rng.gen_range(0..blocks as u32))
                        .filter(|&b| !covered[b as usize])
                        .collect()
                })
                .collect();
            let covers = Covers::new(lists);
            let k = rng.gen_range(1..=covers.len().min(5));
            let picks: Vec<u32> = (0..k as u32).map(|p| p * 2 % covers.len() as u32).collect();
            let mut picks = picks;
            picks.sort_unstable();
            picks.dedup();
            let mut count: Vec<u32> = covered
                .iter()
                .map(|&c| if c { u32::MAX / 2 } else { 0 })
                .collect();
            for &c in &picks {
                for &b in covers.of(c as usize) {
                    count[b as usize] += 1;
                }
            }
            let initial: Vec<f64> = (0..covers.len())
                .map(|c| {
                    covers
                        .of(c)
                        .iter()
                        .fold(0.0, |s, &b| s + population[b as usize])
                })
                .collect();
            let unbounded = vec![f64::INFINITY; covers.len()];
            let pruned = best_swap(&covers, &population, &initial, &picks, &count);
            let full = best_swap(&covers, &population, &unbounded, &picks, &count);
            assert_eq!(pruned, full, "round {round}");
        }
    }
}
