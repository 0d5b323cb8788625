//! Site suggestions, straight line: 100,000 uncovered block anchors spread over a 40 km square
//! (as many covered ones again), a 150 m candidate grid near them, reach 500 m, k = 50 — the
//! grid, the covers, and the choice (lazy greedy, swaps, bound) — beside a baseline choice with
//! the swap pass turned off.
//!
//! ```sh
//! cargo bench --bench suggest
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use walkshed::StraightLine;
use walkshed::XY;
use walkshed::{candidate_grid, choose, Covers, Goal};

const REACH_M: f64 = 500.0;
const K: usize = 50;

/// Blocks clustered in towns (so that coverage sets overlap unevenly, as in a city), every other
/// one covered already.
fn city(n: usize) -> (Vec<XY>, Vec<f64>, Vec<bool>) {
    let mut rng = StdRng::seed_from_u64(1);
    let towns: Vec<(XY, f64)> = (0..60)
        .map(|_| {
            let centre = [rng.gen_range(0.0..40_000.0), rng.gen_range(0.0..40_000.0)];
            (centre, rng.gen_range(300.0..3000.0))
        })
        .collect();
    let anchors = (0..n)
        .map(|_| {
            let (c, r) = towns[rng.gen_range(0..towns.len())];
            [c[0] + rng.gen_range(-r..r), c[1] + rng.gen_range(-r..r)]
        })
        .collect();
    let population = (0..n).map(|_| rng.gen_range(10.0..800.0)).collect();
    let covered = (0..n).map(|b| b % 2 == 0).collect();
    (anchors, population, covered)
}

fn suggest(c: &mut Criterion) {
    let (anchors, population, covered) = city(200_000);
    let model = StraightLine { detour: 1.0 };
    let mut group = c.benchmark_group("suggest");
    group.sample_size(10);
    group.bench_function("grid 150 m", |b| {
        b.iter(|| candidate_grid(black_box(&anchors), &covered, 150.0, REACH_M).unwrap())
    });
    let sites = candidate_grid(&anchors, &covered, 150.0, REACH_M).unwrap();
    group.bench_function("covers", |b| {
        b.iter(|| Covers::measure(&model, black_box(&sites), &anchors, &covered, REACH_M))
    });
    let covers = Covers::measure(&model, &sites, &anchors, &covered, REACH_M);
    eprintln!(
        "suggest bench: {} candidates, {} (candidate, block) pairs",
        sites.len(),
        covers.pairs()
    );
    let no_swaps = Goal {
        max_swaps: 0,
        ..Goal::picks(K)
    };
    group.bench_function("choose k=50, no swaps (baseline)", |b| {
        b.iter(|| choose(black_box(&covers), &population, &covered, &no_swaps).unwrap())
    });
    group.bench_function("choose k=50", |b| {
        b.iter(|| choose(black_box(&covers), &population, &covered, &Goal::picks(K)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, suggest);
criterion_main!(benches);
