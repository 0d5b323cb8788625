//! Where should the next stations go? Existing stations stay; among candidate sites, choose up
//! to `k` that newly cover the most residents within the reach `D`.
//!
//! 1. [`candidates`] — the sites: given points, a square grid near the uncovered blocks, or the
//!    uncovered blocks' anchors; minus exclusion zones.
//! 2. [`Covers`] — for each candidate, the uncovered blocks within `D` of it by the run's
//!    [`DistanceModel`].
//! 3. [`choose`] — lazy greedy on the population newly covered (equal gains → the lowest
//!    candidate index), then single swaps while one raises the total, and an upper bound on what
//!    any `k` candidates could add.
//!
//! [`suggest`] runs steps 2 and 3. The result is the same, to the bit, on any number of threads.

mod bound;
pub mod candidates;
mod covers;
mod greedy;
pub mod job;
mod sums;
mod swap;
pub mod tables;
#[cfg(test)]
mod tests;
pub mod zones;

pub use candidates::Candidate;
pub use covers::Covers;

use crate::coverage::DistanceModel;
use crate::error::{Error, Result};
use crate::project::XY;
use sums::CoveredSums;

/// When to stop picking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// The most candidates to pick (`k`, or the cap with a target), ≥ 1.
    pub max_picks: usize,
    /// Stop as soon as the covered share (existing and new stations together) reaches this, in
    /// (0, 1].
    pub target_share: Option<f64>,
    /// The most swaps the improvement pass makes (0: none).
    pub max_swaps: usize,
}

impl Goal {
    /// `k` picks, no target, up to 100 swaps.
    pub fn picks(k: usize) -> Goal {
        Goal {
            max_picks: k,
            target_share: None,
            max_swaps: 100,
        }
    }
}

/// One chosen site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Index of the candidate (in the list given).
    pub candidate: u32,
    /// The population it newly covers after the picks before it (its marginal gain).
    pub gain: f64,
    /// The population covered by the existing stations and the picks up to this one.
    pub population_covered: f64,
    /// `population_covered` ÷ the population of all blocks, in [0, 1].
    pub share: f64,
}

/// The chosen sites and how good they are.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The picks in their final order: the greedy order, a swapped-in candidate in the place of
    /// the one it replaced; each gain and cumulative figure along that order.
    pub picks: Vec<Pick>,
    /// The candidates in the order the greedy run picked them, before any swap; their gains
    /// never grow along it.
    pub greedy: Vec<u32>,
    /// How many swaps improved the greedy picks.
    pub swaps: usize,
    /// The population of all blocks.
    pub population: f64,
    /// The population covered by the existing stations alone.
    pub base_population_covered: f64,
    /// Their share, in [0, 1].
    pub base_share: f64,
    /// The population the picks newly cover (the sum of their gains).
    pub gain: f64,
    /// No set of as many candidates as there are picks could newly cover more than this.
    pub bound: f64,
    /// `gain / bound` (1 when the bound is 0).
    pub fraction_of_bound: f64,
    /// With a target share: whether the final share reaches it.
    pub target_reached: Option<bool>,
}

/// Chooses sites among `candidates` for the blocks at `anchors` (plane metres), with their
/// `population`, where `covered[b]` says whether block `b` is already within `reach_m` of an
/// existing station: measures [`Covers`] under `model`, then [`choose`]s.
///
/// # Units
///
/// Plane metres for positions and `reach_m`; populations in residents.
///
/// # Errors
///
/// See [`choose`].
///
/// # Examples
///
/// ```
/// use walkshed::{suggest, Candidate, Goal};
/// use walkshed::StraightLine;
///
/// // Four blocks on a line, 0–300 m; the first is covered already. Reach 120 m.
/// let anchors = [[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [300.0, 0.0]];
/// let population = [50.0, 10.0, 40.0, 30.0];
/// let covered = [true, false, false, false];
/// let site = |id: &str, x: f64| Candidate { id: id.into(), name: None, xy: [x, 0.0] };
/// let candidates = [site("west", 50.0), site("east", 250.0)];
/// let model = StraightLine { detour: 1.0 };
/// let s = suggest(&model, &candidates, &anchors, &population, &covered, 120.0, &Goal::picks(1))?;
/// assert_eq!(s.picks[0].candidate, 1); // "east" covers 40 + 30
/// assert_eq!(s.picks[0].gain, 70.0);
/// assert_eq!(s.picks[0].share, 120.0 / 130.0);
/// assert_eq!(s.fraction_of_bound, 1.0);
/// # Ok::<(), walkshed::Error>(())
/// ```
pub fn suggest(
    model: &dyn DistanceModel,
    candidates: &[Candidate],
    anchors: &[XY],
    population: &[f64],
    covered: &[bool],
    reach_m: f64,
    goal: &Goal,
) -> Result<Suggestion> {
    if candidates.is_empty() {
        return Err(no_candidates());
    }
    let covers = Covers::measure(model, candidates, anchors, covered, reach_m);
    choose(&covers, population, covered, goal)
}

/// Chooses up to `goal.max_picks` candidates that newly cover the most population (blocks not
/// `covered` yet), given what each candidate covers.
///
/// Lazy greedy picks, each time, the candidate with the largest gain (equal gains → the lowest
/// index), until `k` picks, the target share, or no gain left. Then single swaps, best first,
/// replace a pick by another candidate while that covers more. The bound is the least of
/// `f(S) + (sum of the k largest gains w.r.t. S)` over every prefix `S` of the greedy run and
/// the final set, for `k` the number of picks (never below what the picks achieve).
///
/// # Errors
///
/// No candidates; a `max_picks` of 0; a target share outside (0, 1].
pub fn choose(
    covers: &Covers,
    population: &[f64],
    covered: &[bool],
    goal: &Goal,
) -> Result<Suggestion> {
    check(covers, population, covered, goal)?;
    let base = CoveredSums::new(population, covered);
    let initial = greedy::gains(covers, population, &base);
    let mut sums = base.clone();
    let run = greedy::lazy(
        covers,
        population,
        &mut sums,
        &initial,
        goal.max_picks,
        goal.target_share,
    );
    let mut order = run.order.clone();
    let swaps = swap::improve(
        covers,
        population,
        covered,
        &initial,
        &mut order,
        goal.max_swaps,
    );

    let mut sums = base.clone();
    let mut picks = Vec::with_capacity(order.len());
    let mut gain = 0.0;
    for &c in &order {
        let g = greedy::gain(covers, population, &sums, c as usize);
        sums.add(covers.of(c as usize));
        gain += g;
        picks.push(Pick {
            candidate: c,
            gain: g,
            population_covered: sums.population_covered(),
            share: sums.share(),
        });
    }
    let k = order.len();
    let bound = bound::over_greedy_prefixes(covers, population, &base, &initial, &run.order)
        .min(bound::at_set(covers, population, &sums, gain, k))
        .max(gain);
    Ok(Suggestion {
        picks,
        greedy: run.order,
        swaps,
        population: base.population(),
        base_population_covered: base.population_covered(),
        base_share: base.share(),
        gain,
        bound,
        fraction_of_bound: if bound > 0.0 { gain / bound } else { 1.0 },
        target_reached: goal.target_share.map(|t| sums.share() >= t),
    })
}

fn check(covers: &Covers, population: &[f64], covered: &[bool], goal: &Goal) -> Result<()> {
    if covers.is_empty() {
        return Err(no_candidates());
    }
    assert_eq!(
        population.len(),
        covered.len(),
        "one covered flag per block"
    );
    if goal.max_picks == 0 {
        return Err(Error::parameter("--picks", "expected at least 1, found 0"));
    }
    if let Some(t) = goal.target_share {
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::parameter(
                "--target",
                format!("expected a share in (0, 1], found {t}"),
            ));
        }
    }
    Ok(())
}

fn no_candidates() -> Error {
    Error::parameter(
        "candidates",
        "there are no candidate sites to choose from (none given, or none within reach of an \
         uncovered block)",
    )
}
