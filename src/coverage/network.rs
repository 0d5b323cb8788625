//! Network distance: the shortest walk along a street network, with nearest-edge snapping and
//! one bounded multi-source Dijkstra from all stations (`docs/method.md`, Distances ›
//! Along a walking network).

use std::sync::Arc;

use rayon::prelude::*;

use super::{
    catchment, Catchment, DistanceModel, Legs, Measured, Measurement, NetworkReport, Reach,
};
use crate::network::{Network, Origin, Snap};
use crate::project::XY;

/// Walking distance along a [`Network`]:
/// `d(block) = snap leg(station) + shortest path between the snapped points + snap leg(block)`,
/// minimised over stations.
///
/// A station entrance or block anchor whose snap leg is longer than `max_snap_m` (strictly) is
/// off-network: a station whose every entrance is off-network is ignored (and listed in
/// [`NetworkReport::stations_off_network`]); such a block is [`Reach::OffNetwork`]. A block is
/// [`Reach::Reached`] when a station is within `reach_m` of it (the Dijkstra bound), otherwise
/// [`Reach::Unreached`]. Ties go to the station with the lower index. The network is shared,
/// so one build serves every scenario of a batch.
///
/// # Units
///
/// Metres.
#[derive(Debug, Clone)]
pub struct NetworkModel {
    network: Arc<Network>,
    max_snap_m: f64,
}

impl NetworkModel {
    /// A network model on `network`, with the off-network limit `max_snap_m` (metres; the
    /// CLI's default is 200 m).
    pub fn new(network: Arc<Network>, max_snap_m: f64) -> Self {
        NetworkModel {
            network,
            max_snap_m,
        }
    }

    /// The network measured on.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The off-network limit, metres.
    pub fn max_snap_m(&self) -> f64 {
        self.max_snap_m
    }

    /// Snaps `p`, or `None` when it is off-network (no edge, or a leg longer than `max_snap_m`).
    fn snap_on(&self, p: XY) -> Option<Snap> {
        self.network.snap(p).filter(|s| s.leg_m <= self.max_snap_m)
    }

    /// The snapped station entrances in (station, entrance) order, so that a lower source index
    /// means a lower station index; and the stations whose every entrance is off-network.
    fn origins(&self, entrances: &[Vec<XY>]) -> (Vec<Origin>, Vec<u32>) {
        let entrance_snaps: Vec<Vec<Option<Snap>>> = entrances
            .par_iter()
            .map(|points| points.iter().map(|&p| self.snap_on(p)).collect())
            .collect();
        let mut origins = Vec::new();
        let mut off_network = Vec::new();
        for (station, snaps) in entrance_snaps.iter().enumerate() {
            let before = origins.len();
            origins.extend(snaps.iter().flatten().map(|&snap| Origin {
                station: station as u32,
                snap,
            }));
            if origins.len() == before {
                off_network.push(station as u32);
            }
        }
        (origins, off_network)
    }

    /// Per piece of the network, whether a snapped station entrance lies on it.
    fn pieces_with_station(&self, origins: &[Origin]) -> Vec<bool> {
        let net = &*self.network;
        let mut piece_has_station = vec![false; net.piece_count()];
        for s in origins {
            piece_has_station[net.piece_of_edge(s.snap.edge) as usize] = true;
        }
        piece_has_station
    }

    /// [`DistanceModel::measure`] with the walks found elsewhere: `walk(b, snap)` is block
    /// `b`'s walk from its snap on this network, `node_distance(n)` node `n`'s distance from
    /// the nearest station (both `None` beyond the reach). Snaps, pieces, legs and the
    /// report are made here exactly as `measure` makes them; a tiled run (`--tiles`) merges
    /// the walks its tiles measured this way.
    pub(crate) fn measure_walked(
        &self,
        entrances: &[Vec<XY>],
        anchors: &[XY],
        walk: impl Fn(usize, &Snap) -> Option<Walk> + Sync,
        node_distance: impl Fn(u32) -> Option<f64> + Sync,
    ) -> Measurement {
        let (origins, stations_off_network) = self.origins(entrances);
        let piece_has_station = self.pieces_with_station(&origins);
        let block_snaps = self.network.snap_all(anchors);
        self.assemble(
            &block_snaps,
            &piece_has_station,
            stations_off_network,
            walk,
            node_distance,
        )
    }

    /// The measurement from each block's snap and walk, and each node's distance.
    fn assemble(
        &self,
        block_snaps: &[Option<Snap>],
        piece_has_station: &[bool],
        stations_off_network: Vec<u32>,
        walk: impl Fn(usize, &Snap) -> Option<Walk> + Sync,
        node_distance: impl Fn(u32) -> Option<f64> + Sync,
    ) -> Measurement {
        let net = &*self.network;
        let (blocks, legs): (Vec<Measured>, Vec<Legs>) = block_snaps
            .par_iter()
            .enumerate()
            .map(|(b, snap)| {
                let block_m = snap.map(|s| s.leg_m);
                let (measured, station_m) = match snap.filter(|s| s.leg_m <= self.max_snap_m) {
                    None => (
                        Measured {
                            station: None,
                            distance_m: None,
                            reach: Reach::OffNetwork,
                            piece_has_station: None,
                        },
                        None,
                    ),
                    Some(snap) => {
                        let has_station =
                            Some(piece_has_station[net.piece_of_edge(snap.edge) as usize]);
                        match walk(b, &snap) {
                            Some(w) => {
                                let measured = Measured {
                                    station: Some(w.station),
                                    distance_m: Some(w.distance_m),
                                    reach: Reach::Reached,
                                    piece_has_station: has_station,
                                };
                                (measured, Some(w.station_leg_m))
                            }
                            None => {
                                let measured = Measured {
                                    piece_has_station: has_station,
                                    ..Measured::unreached()
                                };
                                (measured, None)
                            }
                        }
                    }
                };
                (measured, Legs { block_m, station_m })
            })
            .unzip();

        let edges_reached = net
            .edges()
            .iter()
            .enumerate()
            .map(|(e, edge)| {
                let d = edge.nodes.map(&node_distance);
                (net.edge_points(e as u32), d)
            })
            .collect();

        Measurement {
            blocks,
            network: Some(NetworkReport {
                nodes: net.node_count(),
                edges: net.edge_count(),
                length_km: net.length_m() / 1000.0,
                pieces: net.piece_count(),
                pieces_with_station: piece_has_station.iter().filter(|&&h| h).count(),
                stations_off_network,
                legs,
                edges_reached,
            }),
        }
    }
}

/// One block's walk to its nearest station along the network.
///
/// # Units
///
/// Metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Walk {
    /// The station (input order).
    pub station: u32,
    /// The whole walk, both snap legs included.
    pub distance_m: f64,
    /// The station's snap leg.
    pub station_leg_m: f64,
}

impl DistanceModel for NetworkModel {
    fn name(&self) -> &'static str {
        "network"
    }

    fn measure(&self, entrances: &[Vec<XY>], anchors: &[XY], reach_m: f64) -> Measurement {
        let net = &*self.network;
        let (origins, stations_off_network) = self.origins(entrances);
        let piece_has_station = self.pieces_with_station(&origins);

        // The search and the block snaps are independent: run them side by side.
        let (paths, block_snaps) = rayon::join(
            || net.shortest_paths(origins, reach_m),
            || net.snap_all(anchors),
        );
        let walk = |_: usize, snap: &Snap| {
            paths.to_snap(net, snap).map(|(distance_m, k)| {
                let source = &paths.origins()[k as usize];
                Walk {
                    station: source.station,
                    distance_m,
                    station_leg_m: source.snap.leg_m,
                }
            })
        };
        self.assemble(
            &block_snaps,
            &piece_has_station,
            stations_off_network,
            walk,
            |n| paths.node_distance_m(n),
        )
    }

    fn catchment(&self, entrances: &[Vec<XY>], anchors: &[XY], reach_m: f64) -> Catchment {
        let (origins, _) = self.origins(entrances);
        let block_snaps: Vec<Option<Snap>> = self
            .network
            .snap_all(anchors)
            .into_iter()
            .map(|s| s.filter(|s| s.leg_m <= self.max_snap_m))
            .collect();
        catchment::network(&self.network, &origins, &block_snaps, reach_m)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use approx::assert_abs_diff_eq;
    use proptest::prelude::*;

    use super::*;
    use crate::network::tests::{
        at, line, network, projection, square_with_spur_and_island, EPS_M,
    };
    use crate::project::distance;

    fn model(net: Network, max_snap_m: f64) -> NetworkModel {
        NetworkModel::new(Arc::new(net), max_snap_m)
    }

    #[test]
    fn square_spur_island_measure_and_report() {
        let m = model(square_with_spur_and_island(), 50.0);
        let stations = vec![vec![at([-10.0, 50.0])]];
        let anchors = [
            at([110.0, 180.0]), // spur: 10 + 50 + 100 + 80 + 10
            at([350.0, 10.0]),  // island: no station there
            at([100.0, 400.0]), // 200 m from the spur's tip: off-network
            at([50.0, -5.0]),   // bottom side: 60 + 50 + 5
        ];
        let out = m.measure(&stations, &anchors, 300.0);
        let b = &out.blocks;
        let legs = &out.network.as_ref().unwrap().legs;
        assert_eq!(b[0].reach, Reach::Reached);
        assert_eq!(b[0].station, Some(0));
        assert_abs_diff_eq!(b[0].distance_m.unwrap(), 250.0, epsilon = EPS_M);
        assert_abs_diff_eq!(legs[0].block_m.unwrap(), 10.0, epsilon = EPS_M);
        assert_abs_diff_eq!(legs[0].station_m.unwrap(), 10.0, epsilon = EPS_M);
        assert_eq!(b[0].piece_has_station, Some(true));
        assert_eq!(
            (
                b[1].reach,
                b[1].station,
                b[1].distance_m,
                b[1].piece_has_station
            ),
            (Reach::Unreached, None, None, Some(false))
        );
        assert_abs_diff_eq!(legs[1].block_m.unwrap(), 10.0, epsilon = EPS_M);
        assert_eq!(
            (b[2].reach, b[2].station, b[2].piece_has_station),
            (Reach::OffNetwork, None, None)
        );
        assert_abs_diff_eq!(legs[2].block_m.unwrap(), 200.0, epsilon = EPS_M);
        assert_abs_diff_eq!(b[3].distance_m.unwrap(), 115.0, epsilon = EPS_M);

        let r = out.network.unwrap();
        assert_eq!(
            (r.nodes, r.edges, r.pieces, r.pieces_with_station),
            (7, 6, 2, 1)
        );
        assert_abs_diff_eq!(r.length_km, 0.6, epsilon = 1e-9);
        assert!(r.stations_off_network.is_empty());
        // Every edge is listed: the loop and spur have a reached end; the island's has none.
        assert_eq!(r.edges_reached.len(), 6);
        assert_eq!(r.edges_reached[5].1, [None, None]);
        let spur = r.edges_reached[4];
        assert_abs_diff_eq!(spur.1[0].unwrap(), 160.0, epsilon = EPS_M);
        assert_abs_diff_eq!(spur.1[1].unwrap(), 260.0, epsilon = EPS_M);

        // A bound of 240 m leaves the spur block unreached but still on a piece with a station.
        let near = m.measure(&stations, &anchors, 240.0);
        assert_eq!(near.blocks[0].reach, Reach::Unreached);
        assert_eq!(near.blocks[0].distance_m, None);
        assert_eq!(near.blocks[0].piece_has_station, Some(true));
        assert_eq!(near.network.unwrap().edges_reached[4].1[1], None);
    }

    #[test]
    fn station_and_block_on_one_edge_both_orders() {
        let m = model(network(&[&[[0.0, 0.0], [1000.0, 0.0]]]), 200.0);
        let (p, q) = (at([200.0, 10.0]), at([300.0, -5.0]));
        for (s, b) in [(p, q), (q, p)] {
            let out = m.measure(&[vec![s]], &[b], 300.0);
            assert_abs_diff_eq!(out.blocks[0].distance_m.unwrap(), 115.0, epsilon = EPS_M);
        }
    }

    #[test]
    fn max_snap_is_strict() {
        let net = network(&[&[[0.0, 0.0], [100.0, 0.0]]]);
        let block = at([50.0, 30.0]);
        let leg_m = net.snap(block).unwrap().leg_m;
        let station = vec![vec![at([0.0, -1.0])]];
        let at_limit = model(net.clone(), leg_m).measure(&station, &[block], 300.0);
        assert_eq!(at_limit.blocks[0].reach, Reach::Reached);
        let below = model(net, leg_m.next_down()).measure(&station, &[block], 300.0);
        assert_eq!(below.blocks[0].reach, Reach::OffNetwork);
    }

    #[test]
    fn multipoint_station_with_one_entrance_off_network() {
        let m = model(network(&[&[[0.0, 0.0], [100.0, 0.0]]]), 20.0);
        let stations = vec![
            vec![at([5000.0, 5000.0]), at([100.0, 5.0])], // second entrance 5 m off the east end
            vec![at([-500.0, 0.0])],                      // every entrance off-network
            vec![at([0.0, 300.0]), at([50.0, 50.0])],     // all off-network too
        ];
        let out = m.measure(&stations, &[at([10.0, 2.0])], 300.0);
        let b = out.blocks[0];
        assert_eq!(b.station, Some(0));
        assert_abs_diff_eq!(b.distance_m.unwrap(), 5.0 + 90.0 + 2.0, epsilon = EPS_M);
        let r = out.network.unwrap();
        assert_abs_diff_eq!(r.legs[0].station_m.unwrap(), 5.0, epsilon = EPS_M);
        assert_eq!(r.stations_off_network, [1, 2]);
        assert_eq!(r.pieces_with_station, 1);
    }

    #[test]
    fn ties_go_to_the_lower_station_index() {
        let m = model(network(&[&[[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]]]), 200.0);
        let same = at([60.0, 3.0]);
        let far = at([190.0, 0.0]);
        for stations in [
            vec![vec![far], vec![same], vec![same]],
            vec![vec![same], vec![same], vec![far]],
        ] {
            let want = stations.iter().position(|s| s[0] == same).unwrap() as u32;
            let out = m.measure(&stations, &[at([150.0, 10.0]), at([20.0, -4.0])], 1000.0);
            // Block 0 is nearer to `far`; block 1 to the tied pair, and the lower index wins.
            assert_eq!(out.blocks[0].station, Some(if want == 1 { 0 } else { 2 }));
            assert_eq!(out.blocks[1].station, Some(want));
        }
    }

    #[test]
    fn results_do_not_depend_on_thread_count() {
        let lines: Vec<_> = (0..30)
            .map(|i| {
                let y = f64::from(i) * 37.0;
                line(&i.to_string(), &[[0.0, y], [500.0, y + 40.0], [1000.0, y]])
            })
            .chain((0..10).map(|i| {
                line(
                    "x",
                    &[[f64::from(i) * 100.0, 0.0], [f64::from(i) * 100.0, 1200.0]],
                )
            }))
            .collect();
        let m = NetworkModel::new(Arc::new(Network::build(&lines, &projection())), 200.0);
        let stations: Vec<Vec<XY>> = (0..7)
            .map(|i| vec![[f64::from(i) * 150.0, f64::from(i) * 170.0]])
            .collect();
        let anchors: Vec<XY> = (0..5000)
            .map(|i| [f64::from(i % 100) * 10.3, f64::from(i / 100) * 23.9])
            .collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| m.measure(&stations, &anchors, 600.0))
        };
        assert_eq!(run(1), run(3));
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 48,
            rng_seed: proptest::test_runner::RngSeed::Fixed(7),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Walking is never shorter than the straight line between station and block.
        #[test]
        fn network_distance_is_at_least_straight_line(
            polylines in prop::collection::vec(prop::collection::vec([0.0..400.0f64, 0.0..400.0f64], 2..5), 1..8),
            stations in prop::collection::vec([0.0..400.0f64, 0.0..400.0f64], 1..4),
            anchors in prop::collection::vec([0.0..400.0f64, 0.0..400.0f64], 1..20),
        ) {
            let lines: Vec<_> = polylines.iter().enumerate().map(|(i, l)| line(&i.to_string(), l)).collect();
            let m = NetworkModel::new(Arc::new(Network::build(&lines, &projection())), 1000.0);
            let entrances: Vec<Vec<XY>> = stations.iter().map(|&s| vec![s]).collect();
            let out = m.measure(&entrances, &anchors, 5000.0);
            for (b, a) in out.blocks.iter().zip(&anchors) {
                if let (Some(s), Some(d)) = (b.station, b.distance_m) {
                    let straight = distance(stations[s as usize], *a);
                    prop_assert!(d >= straight - 1e-6, "{d} < {straight}");
                }
            }
        }
    }
}
