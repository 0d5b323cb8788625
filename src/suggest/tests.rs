//! Hand-built cases, oracles (plain greedy, brute force over k-subsets) and property tests.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};

use super::greedy::{self, Run};
use super::*;
use crate::coverage::StraightLine;

/// The population newly covered by the candidates `set`.
fn value(covers: &Covers, population: &[f64], covered: &[bool], set: &[usize]) -> f64 {
    let mut hit = covered.to_vec();
    let mut total = 0.0;
    for &c in set {
        for &b in covers.of(c) {
            if !hit[b as usize] {
                hit[b as usize] = true;
                total += population[b as usize];
            }
        }
    }
    total
}

/// The best value of any `k` candidates, by trying every k-subset.
fn brute_force(covers: &Covers, population: &[f64], covered: &[bool], k: usize) -> f64 {
    let m = covers.len();
    let k = k.min(m);
    let mut best = 0.0f64;
    for mask in 0u32..(1 << m) {
        if mask.count_ones() as usize == k {
            let set: Vec<usize> = (0..m).filter(|&c| mask >> c & 1 == 1).collect();
            best = best.max(value(covers, population, covered, &set));
        }
    }
    best
}

/// Six blocks of one resident each; candidate 0 takes the middle four, 1 and 2 each two of them
/// and one of their own. Greedy takes 0, then 1 (ties → lowest index): 5; the pair {1, 2}
/// covers 6.
fn greedy_trap() -> (Covers, Vec<f64>, Vec<bool>) {
    let covers = Covers::new(vec![vec![0, 1, 2, 3], vec![0, 1, 4], vec![2, 3, 5]]);
    (covers, vec![1.0; 6], vec![false; 6])
}

#[test]
fn the_swap_pass_mends_a_greedy_trap() {
    let (covers, population, covered) = greedy_trap();
    let s = choose(&covers, &population, &covered, &Goal::picks(2)).unwrap();
    assert_eq!(s.greedy, [0, 1]);
    assert_eq!(s.swaps, 1);
    let got: Vec<(u32, f64)> = s.picks.iter().map(|p| (p.candidate, p.gain)).collect();
    // Candidate 2 takes the place of candidate 0, first.
    assert_eq!(got, [(2, 3.0), (1, 3.0)]);
    assert_eq!(s.gain, 6.0);
    assert_eq!(s.picks[1].population_covered, 6.0);
    assert_eq!(s.picks[1].share, 1.0);
    assert_eq!((s.bound, s.fraction_of_bound), (6.0, 1.0));
}

#[test]
fn the_bound_is_tighter_than_the_first_gains_and_shows_what_greedy_missed() {
    let (covers, population, covered) = greedy_trap();
    let goal = Goal {
        max_swaps: 0,
        ..Goal::picks(2)
    };
    let s = choose(&covers, &population, &covered, &goal).unwrap();
    assert_eq!((s.gain, s.swaps), (5.0, 0));
    // Before any pick the two largest gains add to 4 + 3 = 7; after the first pick,
    // 4 + (1 + 1) = 6, which is the optimum: greedy reached 5/6 of what was possible.
    assert_eq!(s.bound, 6.0);
    assert_eq!(s.fraction_of_bound, 5.0 / 6.0);
}

#[test]
fn equal_gains_go_to_the_lowest_candidate_index() {
    let covers = Covers::new(vec![vec![0], vec![1], vec![2], vec![1]]);
    let s = choose(&covers, &[5.0, 7.0, 7.0], &[false; 3], &Goal::picks(3)).unwrap();
    let order: Vec<u32> = s.picks.iter().map(|p| p.candidate).collect();
    assert_eq!(order, [1, 2, 0]);
}

#[test]
fn a_target_stops_early_or_is_reported_out_of_reach() {
    // Ten blocks of 10; blocks 0–1 covered already (share 0.2); candidate c covers block c + 2.
    let covers = Covers::new((2..10).map(|b| vec![b]).collect());
    let population = vec![10.0; 10];
    let mut covered = vec![false; 10];
    covered[..2].fill(true);
    let goal = |t: f64, k: usize| Goal {
        target_share: Some(t),
        ..Goal::picks(k)
    };
    let s = choose(&covers, &population, &covered, &goal(0.5, 20)).unwrap();
    assert_eq!((s.picks.len(), s.target_reached), (3, Some(true)));
    assert_eq!(s.base_share, 0.2);
    assert_eq!(s.picks[2].share, 0.5);
    let s = choose(&covers, &population, &covered, &goal(0.5, 2)).unwrap();
    assert_eq!((s.picks.len(), s.target_reached), (2, Some(false)));
    let s = choose(&covers, &population, &covered, &goal(0.1, 5)).unwrap();
    assert_eq!((s.picks.len(), s.target_reached), (0, Some(true)));
    // Block 0 uncovered but out of every candidate's reach: 0.9 at most.
    covered[0] = false;
    let s = choose(&covers, &population, &covered, &goal(0.95, 50)).unwrap();
    assert_eq!((s.picks.len(), s.target_reached), (8, Some(false)));
    assert_eq!(s.picks[7].share, 0.9);
}

#[test]
fn bad_goals_and_no_candidates_are_errors() {
    let (covers, population, covered) = greedy_trap();
    let err = choose(&covers, &population, &covered, &Goal::picks(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid --picks: expected at least 1, found 0"
    );
    let goal = Goal {
        target_share: Some(1.5),
        ..Goal::picks(2)
    };
    let err = choose(&covers, &population, &covered, &goal).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid --target: expected a share in (0, 1], found 1.5"
    );
    let model = StraightLine { detour: 1.0 };
    let err = suggest(
        &model,
        &[],
        &[[0.0, 0.0]],
        &[1.0],
        &[false],
        100.0,
        &Goal::picks(1),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid candidates: there are no candidate sites to choose from (none given, or none \
         within reach of an uncovered block)"
    );
}

#[test]
fn predicted_shares_are_those_coverage_reports_with_the_picks_added() {
    use crate::aggregate::aggregate;
    use crate::{Block, Params};
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let anchors: Vec<XY> = (0..3000)
        .map(|_| [rng.gen_range(0.0..4000.0), rng.gen_range(0.0..4000.0)])
        .collect();
    let population: Vec<f64> = (0..3000).map(|_| rng.gen_range(0.0..500.0)).collect();
    let stations: Vec<Vec<XY>> = (0..6)
        .map(|_| vec![[rng.gen_range(0.0..4000.0), rng.gen_range(0.0..4000.0)]])
        .collect();
    let model = StraightLine { detour: 1.2 };
    let reach_m = 500.0;
    let params = Params::builder()
        .distance_m(&[reach_m])
        .speed_m_per_min(80.0)
        .detour(1.2)
        .build()
        .unwrap();
    let blocks: Vec<Block> = population
        .iter()
        .enumerate()
        .map(|(b, &p)| Block {
            id: b.to_string().into(),
            anchor: [0.0, 0.0],
            population: p,
            group: None,
            problem: None,
        })
        .collect();
    let share_with = |entrances: &[Vec<XY>]| {
        let m = model.measure(entrances, &anchors, reach_m);
        let covered: Vec<bool> = m
            .blocks
            .iter()
            .map(|x| x.distance_m.is_some_and(|d| d <= reach_m))
            .collect();
        let a = aggregate(&blocks, entrances.len(), &m, &params, None);
        (
            covered,
            a.coverage[0].population_covered,
            a.coverage[0].share,
        )
    };
    let (covered, base_population, base_share) = share_with(&stations);
    let candidates = candidates::grid(&anchors, &covered, 150.0, reach_m).unwrap();
    let s = suggest(
        &model,
        &candidates,
        &anchors,
        &population,
        &covered,
        reach_m,
        &Goal::picks(8),
    )
    .unwrap();
    assert_eq!(
        (s.base_population_covered, s.base_share),
        (base_population, base_share)
    );
    let mut entrances = stations.clone();
    for pick in &s.picks {
        entrances.push(vec![candidates[pick.candidate as usize].xy]);
        let (_, population_covered, share) = share_with(&entrances);
        assert_eq!(
            (pick.population_covered, pick.share),
            (population_covered, share)
        );
    }
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let anchors: Vec<XY> = (0..20_000)
        .map(|_| [rng.gen_range(0.0..8000.0), rng.gen_range(0.0..8000.0)])
        .collect();
    let population: Vec<f64> = (0..20_000).map(|_| rng.gen_range(0.0..300.0)).collect();
    let covered: Vec<bool> = (0..20_000).map(|_| rng.gen_bool(0.4)).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let candidates = candidates::grid(&anchors, &covered, 200.0, 400.0).unwrap();
            let model = StraightLine { detour: 1.0 };
            suggest(
                &model,
                &candidates,
                &anchors,
                &population,
                &covered,
                400.0,
                &Goal::picks(12),
            )
            .unwrap()
        })
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one, four);
    assert_eq!(one.gain.to_bits(), four.gain.to_bits());
    assert_eq!(one.bound.to_bits(), four.bound.to_bits());
}

/// A random instance: what each candidate covers, populations, blocks covered already.
fn instance() -> impl Strategy<Value = (Covers, Vec<f64>, Vec<bool>)> {
    (2usize..12, 1usize..9).prop_flat_map(|(blocks, candidates)| {
        (
            prop::collection::vec(prop::collection::vec(0..blocks as u32, 0..6), candidates),
            prop::collection::vec(
                prop_oneof![0.0..100.0, (0u32..5).prop_map(f64::from)],
                blocks,
            ),
            prop::collection::vec(prop::bool::weighted(0.2), blocks),
        )
            .prop_map(|(lists, population, covered)| (Covers::new(lists), population, covered))
    })
}

fn run_with(
    covers: &Covers,
    population: &[f64],
    covered: &[bool],
    k: usize,
    target: Option<f64>,
    lazy: bool,
) -> Run {
    let mut sums = sums::CoveredSums::new(population, covered);
    if lazy {
        let initial = greedy::gains(covers, population, &sums);
        greedy::lazy(covers, population, &mut sums, &initial, k, target)
    } else {
        greedy::plain(covers, population, &mut sums, k, target)
    }
}

proptest! {
    #[test]
    fn lazy_greedy_picks_what_plain_greedy_picks(
        (covers, population, covered) in instance(),
        k in 1usize..6,
        target in prop::option::of(0.05f64..1.0),
    ) {
        let lazy = run_with(&covers, &population, &covered, k, target, true);
        let plain = run_with(&covers, &population, &covered, k, target, false);
        prop_assert_eq!(&lazy, &plain);
        for w in lazy.gains.windows(2) {
            prop_assert!(w[0] >= w[1], "gains grow: {:?}", lazy.gains);
        }
    }

    #[test]
    fn bound_and_guarantee_hold_against_brute_force(
        (covers, population, covered) in instance(),
        k in 1usize..4,
    ) {
        let s = choose(&covers, &population, &covered, &Goal::picks(k)).unwrap();
        let optimum = brute_force(&covers, &population, &covered, k);
        let tolerance = 1e-9 * (1.0 + optimum);
        prop_assert!(s.bound >= s.gain);
        prop_assert!(s.bound + tolerance >= optimum, "bound {} < optimum {}", s.bound, optimum);
        prop_assert!(s.gain <= optimum + tolerance);
        prop_assert!(s.gain + tolerance >= (1.0 - (-1.0f64).exp()) * optimum);
        let greedy_value: f64 = value(&covers, &population, &covered,
            &s.greedy.iter().map(|&c| c as usize).collect::<Vec<_>>());
        prop_assert!(s.gain + tolerance >= greedy_value);
        let picked: Vec<usize> = s.picks.iter().map(|p| p.candidate as usize).collect();
        prop_assert!((value(&covers, &population, &covered, &picked) - s.gain).abs() <= tolerance);
        prop_assert!((0.0..=1.0).contains(&s.fraction_of_bound));
    }

    #[test]
    fn a_target_is_reached_or_out_of_reach(
        (covers, population, covered) in instance(),
        k in 1usize..6,
        target in 0.05f64..1.0,
    ) {
        let goal = Goal { target_share: Some(target), ..Goal::picks(k) };
        let s = choose(&covers, &population, &covered, &goal).unwrap();
        let last = s.picks.last().map_or(s.base_share, |p| p.share);
        if s.target_reached == Some(true) {
            prop_assert!(last >= target);
        } else {
            prop_assert_eq!(s.target_reached, Some(false));
            prop_assert!(last < target);
            // Either the cap was hit or nothing more can be covered.
            let all: Vec<usize> = (0..covers.len()).collect();
            let everything = value(&covers, &population, &covered, &all);
            prop_assert!(s.picks.len() == k || (s.gain - everything).abs() <= 1e-9 * (1.0 + everything));
        }
    }
}
