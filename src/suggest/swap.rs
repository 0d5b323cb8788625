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
/// count for no one. Returns the number of swaps made.
pub(crate) fn improve(
    covers: &Covers,
    population: &[f64],
    covered: &[bool],
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
        let Some(swap) = best_swap(covers, population, picks, &count) else {
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

/// The swap with the largest positive estimated gain, if any.
fn best_swap(covers: &Covers, population: &[f64], picks: &[u32], count: &[u32]) -> Option<Swap> {
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
    let per_candidate: Vec<Option<Swap>> = (0..covers.len())
        .into_par_iter()
        .map(|c| {
            if picked[c] {
                return None;
            }
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
        })
        .collect();
    per_candidate
        .into_iter()
        .flatten()
        .fold(None, |best: Option<Swap>, s| {
            if best.is_none_or(|b| s.delta > b.delta) {
                Some(s)
            } else {
                best
            }
        })
}
