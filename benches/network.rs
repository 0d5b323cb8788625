//! Network mode, stage by stage — graph build, snapping, Dijkstra, and the whole measure — each
//! beside a straightforward baseline, on a synthetic street grid generated here (a jittered
//! 1 km-scale grid of streets with shape points; 10,000 and 100,000 blocks, 1 station per 100).
//!
//! ```sh
//! cargo bench --bench network
//! ```

use std::collections::BinaryHeap;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use walkshed::XY;
use walkshed::{DistanceModel, NetworkModel, Projection};
use walkshed::{Network, Origin, WalkLine};

const LON: f64 = 121.33;
const LAT: f64 = 30.72;

/// A street grid of `k × k` blocks of ~100 m, each street cut into 4 shape-point segments.
fn grid(k: usize, rng: &mut StdRng) -> Vec<WalkLine> {
    let step = 0.001;
    let mut lines = Vec::new();
    let at = |i: usize, j: usize| [LON + i as f64 * step, LAT + j as f64 * step];
    for i in 0..=k {
        for j in 0..k {
            for (a, b) in [(at(i, j), at(i, j + 1)), (at(j, i), at(j + 1, i))] {
                let mut coords = vec![a];
                for s in 1..4 {
                    let t = s as f64 / 4.0;
                    coords.push([
                        a[0] + (b[0] - a[0]) * t + rng.gen_range(-0.00002..0.00002),
                        a[1] + (b[1] - a[1]) * t + rng.gen_range(-0.00002..0.00002),
                    ]);
                }
                coords.push(b);
                lines.push(WalkLine {
                    id: format!("w{}", lines.len()),
                    coords,
                });
            }
        }
    }
    lines
}

struct Case {
    network: Arc<Network>,
    stations: Vec<Vec<XY>>,
    blocks: Vec<XY>,
}

fn case(blocks: usize) -> Case {
    let mut rng = StdRng::seed_from_u64(blocks as u64);
    let k = ((blocks as f64 / 10.0).sqrt() as usize).max(10);
    let lines = grid(k, &mut rng);
    let projection = Projection::centred_on(LON, LAT);
    let network = Arc::new(Network::build(&lines, &projection));
    let span = k as f64 * 0.001;
    let point = |rng: &mut StdRng| {
        projection.forward(LON + rng.gen::<f64>() * span, LAT + rng.gen::<f64>() * span)
    };
    let stations = (0..blocks / 100).map(|_| vec![point(&mut rng)]).collect();
    let blocks = (0..blocks).map(|_| point(&mut rng)).collect();
    Case {
        network,
        stations,
        blocks,
    }
}

/// The closest point of every edge, scanned one by one: the baseline for the segment R-tree.
fn snap_brute_force(network: &Network, p: XY) -> (u32, f64) {
    let mut best = (0, f64::INFINITY);
    for e in 0..network.edge_count() as u32 {
        let [a, b] = network.edge_points(e);
        let d = [b[0] - a[0], b[1] - a[1]];
        let len2 = d[0] * d[0] + d[1] * d[1];
        let t = if len2 > 0.0 {
            (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let q = [a[0] + d[0] * t, a[1] + d[1] * t];
        let dist = (p[0] - q[0]).hypot(p[1] - q[1]);
        if dist < best.1 {
            best = (e, dist);
        }
    }
    best
}

/// Dijkstra from one node at a time, unbounded, with a plain heap: the baseline for one bounded
/// multi-source search (what a naive "per station" pipeline does).
#[derive(PartialEq)]
struct Item(f64, u32);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

fn dijkstra_per_source(network: &Network, sources: &[u32]) -> Vec<f64> {
    let mut best = vec![f64::INFINITY; network.node_count()];
    for &s in sources {
        let mut dist = vec![f64::INFINITY; network.node_count()];
        let mut heap = BinaryHeap::new();
        dist[s as usize] = 0.0;
        heap.push(Item(0.0, s));
        while let Some(Item(d, n)) = heap.pop() {
            if d > dist[n as usize] {
                continue;
            }
            for nb in network.neighbours(n) {
                let nd = d + nb.length_m;
                if nd < dist[nb.to as usize] {
                    dist[nb.to as usize] = nd;
                    heap.push(Item(nd, nb.to));
                }
            }
        }
        for (b, d) in best.iter_mut().zip(dist) {
            *b = b.min(d);
        }
    }
    best
}

fn bench_network(c: &mut Criterion) {
    for n in [10_000usize, 100_000] {
        let mut rng = StdRng::seed_from_u64(7);
        let k = ((n as f64 / 10.0).sqrt() as usize).max(10);
        let lines = grid(k, &mut rng);
        let projection = Projection::centred_on(LON, LAT);
        let cs = case(n);
        let net = &cs.network;

        let mut g = c.benchmark_group("network/build");
        g.sample_size(10);
        g.bench_with_input(BenchmarkId::new("walkshed", n), &lines, |b, l| {
            b.iter(|| black_box(Network::build(l, &projection)))
        });
        g.finish();

        let probe: Vec<XY> = cs.blocks.iter().take(200).copied().collect();
        let mut g = c.benchmark_group("network/snap-200-points");
        g.sample_size(10);
        g.bench_with_input(BenchmarkId::new("rtree", n), &probe, |b, p| {
            b.iter(|| black_box(net.snap_all(p)))
        });
        g.bench_with_input(BenchmarkId::new("brute-force", n), &probe, |b, p| {
            b.iter(|| {
                black_box(
                    p.iter()
                        .map(|&q| snap_brute_force(net, q))
                        .collect::<Vec<_>>(),
                )
            })
        });
        g.finish();

        let snaps: Vec<Origin> = cs
            .stations
            .iter()
            .enumerate()
            .filter_map(|(s, e)| {
                net.snap(e[0]).map(|snap| Origin {
                    station: s as u32,
                    snap,
                })
            })
            .collect();
        let nodes: Vec<u32> = snaps
            .iter()
            .map(|s| net.edges()[s.snap.edge as usize].nodes[0])
            .collect();
        let mut g = c.benchmark_group("network/dijkstra");
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("multi-source-bounded-2700m", n), |b| {
            b.iter(|| black_box(net.shortest_paths(snaps.clone(), 2700.0)))
        });
        let few = &nodes[..nodes.len().min(10)];
        g.bench_function(
            BenchmarkId::new("per-source-unbounded-10-stations", n),
            |b| b.iter(|| black_box(dijkstra_per_source(net, few))),
        );
        g.finish();

        let mut g = c.benchmark_group("network/measure");
        g.sample_size(10);
        let model = NetworkModel::new(Arc::clone(net), 200.0);
        g.bench_function(BenchmarkId::new("walkshed", n), |b| {
            b.iter(|| black_box(model.measure(&cs.stations, &cs.blocks, 2700.0)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench_network);
criterion_main!(benches);
