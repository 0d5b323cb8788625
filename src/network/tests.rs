//! Hand-computed cases and oracle tests for the graph, snapping and the search.
//!
//! Lines are written in plane metres and mapped back to longitude/latitude with the test
//! projection, so expected lengths are the metres written here (to a micrometre).

use approx::assert_abs_diff_eq;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

use super::dijkstra::Seed;
use super::*;
use crate::project::distance;

/// Tolerance for lengths that went through the projection and back, metres.
pub(crate) const EPS_M: f64 = 1e-6;

/// The plane of the tests: central Helsinki.
pub(crate) fn projection() -> Projection {
    Projection::centred_on(24.94, 60.17)
}

/// A line through plane points (metres), as longitude/latitude.
pub(crate) fn line(id: &str, points_m: &[XY]) -> WalkLine {
    let p = projection();
    WalkLine {
        id: id.to_owned(),
        coords: points_m.iter().map(|&xy| p.inverse(xy)).collect(),
    }
}

/// A network from lines in plane metres.
pub(crate) fn network(lines: &[&[XY]]) -> Network {
    let lines: Vec<WalkLine> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| line(&i.to_string(), l))
        .collect();
    Network::build(&lines, &projection())
}

/// A point in the tests' plane, after the same round trip the lines took.
pub(crate) fn at(xy: XY) -> XY {
    let p = projection();
    let [lon, lat] = p.inverse(xy);
    p.forward(lon, lat)
}

/// Square loop 0–100 m with a 100 m spur north from (100, 100), and a separate 100 m island.
pub(crate) fn square_with_spur_and_island() -> Network {
    network(&[
        &[
            [0.0, 0.0],
            [100.0, 0.0],
            [100.0, 100.0],
            [0.0, 100.0],
            [0.0, 0.0],
        ],
        &[[100.0, 100.0], [100.0, 200.0]],
        &[[300.0, 0.0], [400.0, 0.0]],
    ])
}

fn source(net: &Network, station: u32, p: XY) -> Origin {
    Origin {
        station,
        snap: net.snap(at(p)).expect("the test network has edges"),
    }
}

#[test]
fn square_spur_island_graph() {
    let net = square_with_spur_and_island();
    assert_eq!(net.node_count(), 7); // the loop closes on its first node
    assert_eq!(net.edge_count(), 6);
    assert_eq!(net.piece_count(), 2);
    assert_abs_diff_eq!(net.length_m(), 600.0, epsilon = EPS_M);
    assert_eq!(net.edges()[3].nodes, [3, 0]);
    assert_eq!(net.edges()[4].nodes, [2, 4]);
    assert_eq!(net.neighbours(2).len(), 3);
    assert_eq!(net.neighbours(4).len(), 1);
    assert_eq!(
        (0..5).map(|n| net.piece_of_node(n)).collect::<Vec<_>>(),
        [0; 5]
    );
    assert_eq!(net.piece_of_node(5), 1);
    assert_eq!(net.piece_of_edge(5), 1);
    for e in net.edges() {
        let [a, b] = e.nodes;
        assert_eq!(
            e.length_m,
            distance(net.nodes()[a as usize], net.nodes()[b as usize])
        );
    }
}

#[test]
fn square_spur_island_distances() {
    let net = square_with_spur_and_island();
    // Station 10 m west of the west side's middle: edge 3 ((0,100) → (0,0)) at 50 m.
    let s = source(&net, 0, [-10.0, 50.0]);
    assert_eq!(s.snap.edge, 3);
    assert_abs_diff_eq!(s.snap.along_m, 50.0, epsilon = EPS_M);
    assert_abs_diff_eq!(s.snap.leg_m, 10.0, epsilon = EPS_M);
    let paths = net.shortest_paths(vec![s], 1000.0);
    let expected = [60.0, 160.0, 160.0, 60.0, 260.0];
    for (n, want) in expected.iter().enumerate() {
        assert_abs_diff_eq!(
            paths.node_distance_m(n as u32).unwrap(),
            want,
            epsilon = EPS_M
        );
    }
    assert_eq!(paths.node(5), None);
    assert_eq!(paths.node(6), None);
    // Block 10 m east of the spur, 80 m up it.
    let b = net.snap(at([110.0, 180.0])).unwrap();
    assert_eq!(b.edge, 4);
    let (d, k) = paths.to_snap(&net, &b).unwrap();
    assert_abs_diff_eq!(d, 250.0, epsilon = EPS_M);
    assert_eq!(k, 0);
    // Bounded: the spur's tip is beyond 255 m, the block at 250 m is not.
    let bounded = net.shortest_paths(vec![s], 255.0);
    assert_eq!(bounded.node(4), None);
    assert_abs_diff_eq!(bounded.to_snap(&net, &b).unwrap().0, 250.0, epsilon = EPS_M);
    let short = net.shortest_paths(vec![s], 249.0);
    assert_eq!(short.to_snap(&net, &b), None);
    // The island is never reached.
    let island = net.snap(at([350.0, 10.0])).unwrap();
    assert_eq!(island.edge, 5);
    assert_eq!(paths.to_snap(&net, &island), None);
}

#[test]
fn station_and_block_on_the_same_edge_both_orders() {
    let net = network(&[&[[0.0, 0.0], [1000.0, 0.0]]]);
    for (station, block) in [
        ([200.0, 10.0], [300.0, -5.0]),
        ([300.0, -5.0], [200.0, 10.0]),
    ] {
        let s = source(&net, 0, station);
        let paths = net.shortest_paths(vec![s], 500.0);
        let b = net.snap(at(block)).unwrap();
        let (d, k) = paths.to_snap(&net, &b).unwrap();
        assert_abs_diff_eq!(d, 115.0, epsilon = EPS_M);
        assert_eq!(k, 0);
        // Within the bound only when the whole walk is.
        let tight = net.shortest_paths(vec![s], 114.0);
        assert_eq!(tight.to_snap(&net, &b), None);
    }
}

#[test]
fn same_edge_walk_goes_straight_along_the_edge() {
    // A 10 × 100 m loop; station and block both on its west side (edge 0, (0,0) → (0,100)),
    // 10 m and 90 m up: 1 + 80 + 1 m along the side, where round the loop is 142 m.
    let net = network(&[&[
        [0.0, 0.0],
        [0.0, 100.0],
        [10.0, 100.0],
        [10.0, 0.0],
        [0.0, 0.0],
    ]]);
    let s = source(&net, 0, [-1.0, 10.0]);
    let b = net.snap(at([-1.0, 90.0])).unwrap();
    assert_eq!((s.snap.edge, b.edge), (0, 0));
    let paths = net.shortest_paths(vec![s], 1000.0);
    assert_abs_diff_eq!(paths.to_snap(&net, &b).unwrap().0, 82.0, epsilon = EPS_M);
    // Without the station's own edge in the reckoning, the walk would go round via the nodes.
    let via_nodes = net.shortest_paths_from_seeds(
        &[
            Seed {
                node: 0,
                dist_m: 11.0,
                source: 0,
            },
            Seed {
                node: 1,
                dist_m: 91.0,
                source: 0,
            },
        ],
        1000.0,
    );
    assert_abs_diff_eq!(
        via_nodes.to_snap(&net, &b).unwrap().0,
        102.0,
        epsilon = EPS_M
    );
}

#[test]
fn two_blocks_on_one_edge() {
    // Station at the west end of a 100 m edge (via a 50 m approach line).
    let net = network(&[&[[-50.0, 0.0], [0.0, 0.0]], &[[0.0, 0.0], [100.0, 0.0]]]);
    let s = source(&net, 0, [-50.0, 0.0]);
    assert_abs_diff_eq!(s.snap.leg_m, 0.0, epsilon = EPS_M);
    let paths = net.shortest_paths(vec![s], 1000.0);
    let b1 = net.snap(at([30.0, 4.0])).unwrap();
    let b2 = net.snap(at([70.0, -3.0])).unwrap();
    assert_eq!((b1.edge, b2.edge), (1, 1));
    assert_abs_diff_eq!(
        paths.to_snap(&net, &b1).unwrap().0,
        50.0 + 30.0 + 4.0,
        epsilon = EPS_M
    );
    assert_abs_diff_eq!(
        paths.to_snap(&net, &b2).unwrap().0,
        50.0 + 70.0 + 3.0,
        epsilon = EPS_M
    );
}

#[test]
fn crossing_lines_without_shared_vertex_do_not_connect() {
    let bridge = network(&[
        &[[-100.0, 0.0], [100.0, 0.0]],
        &[[0.0, -100.0], [0.0, 100.0]],
    ]);
    assert_eq!(bridge.node_count(), 4);
    assert_eq!(bridge.piece_count(), 2);
    let s = source(&bridge, 0, [-100.0, 0.0]);
    let paths = bridge.shortest_paths(vec![s], 10_000.0);
    let b = bridge.snap(at([0.0, 100.0])).unwrap();
    assert_eq!(b.edge, 1);
    assert_eq!(paths.to_snap(&bridge, &b), None);

    // The same streets meeting at a shared vertex do connect.
    let junction = network(&[
        &[[-100.0, 0.0], [0.0, 0.0], [100.0, 0.0]],
        &[[0.0, -100.0], [0.0, 0.0], [0.0, 100.0]],
    ]);
    assert_eq!(junction.piece_count(), 1);
    let s = source(&junction, 0, [-100.0, 0.0]);
    let paths = junction.shortest_paths(vec![s], 10_000.0);
    let b = junction.snap(at([0.0, 100.0])).unwrap();
    assert_abs_diff_eq!(
        paths.to_snap(&junction, &b).unwrap().0,
        200.0,
        epsilon = EPS_M
    );
}

#[test]
fn nodes_key_on_exact_bits() {
    let p = projection();
    let a = p.inverse([0.0, 0.0]);
    let b = p.inverse([100.0, 0.0]);
    let nudged = [f64::from_bits(a[0].to_bits() + 1), a[1]];
    let lines = [
        WalkLine {
            id: "a".into(),
            coords: vec![a, b],
        },
        WalkLine {
            id: "b".into(),
            coords: vec![nudged, p.inverse([0.0, 100.0])],
        },
        // Consecutive duplicates give no edge; a non-finite vertex breaks the line.
        WalkLine {
            id: "c".into(),
            coords: vec![b, b, [f64::NAN, 0.0], p.inverse([200.0, 0.0])],
        },
    ];
    let net = Network::build(&lines, &p);
    assert_eq!(net.node_count(), 5);
    assert_eq!(net.edge_count(), 2);
    assert_eq!(net.piece_count(), 3);
}

#[test]
fn snapping_tie_goes_to_the_lower_edge_index() {
    // Two edges meeting at (100, 0); a point beyond the corner is equally close to both.
    for (lines, want_edge, want_along_m) in [
        (
            vec![
                line("a", &[[0.0, 0.0], [100.0, 0.0]]),
                line("b", &[[100.0, 0.0], [100.0, 100.0]]),
            ],
            0,
            100.0,
        ),
        (
            vec![
                line("b", &[[100.0, 100.0], [100.0, 0.0]]),
                line("a", &[[0.0, 0.0], [100.0, 0.0]]),
            ],
            0,
            100.0,
        ),
        (
            vec![
                line("b", &[[100.0, 0.0], [100.0, 100.0]]),
                line("a", &[[100.0, 0.0], [0.0, 0.0]]),
            ],
            0,
            0.0,
        ),
    ] {
        let net = Network::build(&lines, &projection());
        let s = net.snap(at([110.0, -10.0])).unwrap();
        assert_eq!(s.edge, want_edge);
        assert_abs_diff_eq!(s.along_m, want_along_m, epsilon = EPS_M);
        assert_abs_diff_eq!(s.leg_m, 200f64.sqrt(), epsilon = EPS_M);
        assert_eq!(
            s.point,
            net.nodes()[net.edges()[0].nodes[usize::from(want_along_m > 0.0)] as usize]
        );
    }
}

#[test]
fn snap_of_an_empty_network_or_a_nan_point_is_none() {
    let empty = Network::build(&[], &projection());
    assert_eq!(empty.snap([0.0, 0.0]), None);
    let net = network(&[&[[0.0, 0.0], [1.0, 0.0]]]);
    assert_eq!(net.snap([f64::NAN, 0.0]), None);
}

#[test]
fn search_ties_go_to_the_lower_source() {
    // Path 0 – 1 – 2; sources at both ends with starting distances chosen so that node 1 is
    // exactly as far from each (a + b == b + a in floating point).
    let net = network(&[&[[0.0, 0.0], [70.0, 0.0], [100.0, 0.0]]]);
    let (l01, l12) = (net.edges()[0].length_m, net.edges()[1].length_m);
    for (left, right) in [(0, 1), (1, 0)] {
        let seeds = [
            Seed {
                node: 0,
                dist_m: l12,
                source: left,
            },
            Seed {
                node: 2,
                dist_m: l01,
                source: right,
            },
        ];
        let paths = net.shortest_paths_from_seeds(&seeds, 1000.0);
        assert_eq!(paths.node(1), Some((l01 + l12, 0)));
    }
    // Two sources at the same spot: the lower index wins everywhere.
    let sources = vec![source(&net, 0, [50.0, 5.0]), source(&net, 1, [50.0, 5.0])];
    let paths = net.shortest_paths(sources, 1000.0);
    for n in 0..3 {
        assert_eq!(paths.node(n).unwrap().1, 0);
    }
    let b = net.snap(at([20.0, 1.0])).unwrap();
    assert_eq!(paths.to_snap(&net, &b).unwrap().1, 0);
}

#[test]
fn snap_matches_a_brute_force_scan() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut lines = Vec::new();
    for i in 0..200 {
        let mut pts = vec![[rng.gen_range(0.0..1000.0), rng.gen_range(0.0..1000.0)]];
        for _ in 0..rng.gen_range(1..4) {
            let [x, y]: XY = pts[pts.len() - 1];
            pts.push([
                x + rng.gen_range(-80.0..80.0),
                y + rng.gen_range(-80.0..80.0),
            ]);
        }
        lines.push(line(&i.to_string(), &pts));
    }
    let net = Network::build(&lines, &projection());
    for _ in 0..2000 {
        let p = [rng.gen_range(-100.0..1100.0), rng.gen_range(-100.0..1100.0)];
        let s = net.snap(p).unwrap();
        let brute = (0..net.edge_count() as u32)
            .map(|e| {
                let seg = Segment {
                    a: net.edge_points(e)[0],
                    b: net.edge_points(e)[1],
                    edge: e,
                };
                (seg.distance_2(&p), e)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .unwrap();
        assert_eq!(s.edge, brute.1);
        assert_abs_diff_eq!(s.leg_m * s.leg_m, brute.0, epsilon = 1e-6);
        assert_abs_diff_eq!(
            distance(s.point, net.edge_points(s.edge)[0]),
            s.along_m,
            epsilon = 1e-9
        );
    }
}

#[test]
fn snap_all_keeps_input_order() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let net = network(&[
        &[[0.0, 0.0], [300.0, 40.0], [600.0, 0.0]],
        &[[100.0, -200.0], [120.0, 300.0]],
    ]);
    let mut points: Vec<XY> = (0..3000)
        .map(|_| [rng.gen_range(-50.0..650.0), rng.gen_range(-250.0..350.0)])
        .collect();
    points.push([f64::NAN, 1.0]);
    let one_by_one: Vec<_> = points.iter().map(|&p| net.snap(p)).collect();
    assert_eq!(net.snap_all(&points), one_by_one);
    assert_eq!(net.snap_all(&[]), []);
}

use rstar::PointDistance;

/// A random connected-or-not graph: `n` random points, `m` random two-point lines.
fn random_network(points: &[XY], pairs: &[(usize, usize)]) -> Network {
    let lines: Vec<WalkLine> = pairs
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| line(&i.to_string(), &[points[a], points[b]]))
        .collect();
    Network::build(&lines, &projection())
}

/// Points, lines as pairs of point indices, seeds as (point index, starting distance), bound.
type GraphCase = (Vec<XY>, Vec<(usize, usize)>, Vec<(usize, f64)>, f64);

fn graph_case() -> impl Strategy<Value = GraphCase> {
    (3usize..12).prop_flat_map(|n| {
        (
            prop::collection::vec([0.0..500.0f64, 0.0..500.0f64], n),
            prop::collection::vec((0..n, 0..n), 1..3 * n),
            prop::collection::vec((0..n, 0.0..50.0f64), 1..4),
            100.0..1500.0f64,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(42),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Bounded multi-source Dijkstra agrees with Floyd–Warshall from every seed.
    #[test]
    fn dijkstra_matches_floyd_warshall((points, pairs, seeds, bound_m) in graph_case()) {
        let net = random_network(&points, &pairs);
        let n = net.node_count();
        // Node ids follow first appearance; map the seeds' point indices through coordinates.
        let node_of = |i: usize| {
            let xy = at(points[i]);
            net.nodes().iter().position(|&q| distance(q, xy) < 1e-9)
        };
        let seeds: Vec<Seed> = seeds
            .iter()
            .enumerate()
            .filter_map(|(k, &(i, d))| node_of(i).map(|node| Seed { node: node as u32, dist_m: d, source: k as u32 }))
            .collect();
        let mut fw = vec![vec![f64::INFINITY; n]; n];
        for (i, row) in fw.iter_mut().enumerate() {
            row[i] = 0.0;
        }
        for e in net.edges() {
            let [a, b] = e.nodes.map(|x| x as usize);
            fw[a][b] = fw[a][b].min(e.length_m);
            fw[b][a] = fw[b][a].min(e.length_m);
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    if fw[i][k] + fw[k][j] < fw[i][j] {
                        fw[i][j] = fw[i][k] + fw[k][j];
                    }
                }
            }
        }
        let paths = net.shortest_paths_from_seeds(&seeds, bound_m);
        for v in 0..n as u32 {
            let mut labels: Vec<(f64, u32)> = seeds
                .iter()
                .map(|s| (s.dist_m + fw[s.node as usize][v as usize], s.source))
                .collect();
            labels.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let best = labels.first().copied().unwrap_or((f64::INFINITY, u32::MAX));
            match paths.node(v) {
                Some((d, s)) => {
                    prop_assert!((d - best.0).abs() < 1e-6, "node {v}: {d} vs {}", best.0);
                    prop_assert!(d <= bound_m);
                    let runner_up = labels.iter().find(|l| l.1 != best.1).map_or(f64::INFINITY, |l| l.0);
                    if runner_up - best.0 > 1e-6 {
                        prop_assert_eq!(s, best.1);
                    }
                }
                None => prop_assert!(best.0 > bound_m - 1e-6, "node {v} unreached at {}", best.0),
            }
        }
    }

    /// Adding an edge never makes any node farther.
    #[test]
    fn adding_an_edge_never_increases_distances(
        (points, pairs, seeds, bound_m) in graph_case(),
        extra in (0usize..12, 0usize..12),
    ) {
        let before = random_network(&points, &pairs);
        let (a, b) = (extra.0 % points.len(), extra.1 % points.len());
        let mut more = pairs.clone();
        more.push((a, b));
        let after = random_network(&points, &more);
        prop_assert!(after.node_count() >= before.node_count());
        // Node numbering is by first appearance, so the old nodes keep their ids.
        prop_assert_eq!(&after.nodes()[..before.node_count()], before.nodes());
        let seeds: Vec<Seed> = seeds
            .iter()
            .enumerate()
            .filter(|(_, &(i, _))| i < before.node_count())
            .map(|(k, &(i, d))| Seed { node: i as u32, dist_m: d, source: k as u32 })
            .collect();
        let p0 = before.shortest_paths_from_seeds(&seeds, bound_m);
        let p1 = after.shortest_paths_from_seeds(&seeds, bound_m);
        for v in 0..before.node_count() as u32 {
            if let Some(d0) = p0.node_distance_m(v) {
                let d1 = p1.node_distance_m(v);
                prop_assert!(d1.is_some_and(|d1| d1 <= d0 + 1e-9), "node {v}: {d0} → {d1:?}");
            }
        }
    }
}
