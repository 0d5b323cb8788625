//! Catchments: every station within a distance of every block (not only the nearest), as the
//! two-step floating catchment of [`crate::capacity`] needs.

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};

use crate::network::{Network, Origin, Snap};
use crate::project::XY;

/// For each block, the stations within a distance `D` of it and their distances, by station
/// index; stored block after block (compressed rows).
///
/// # Units
///
/// Metres.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catchment {
    /// Block `b`'s pairs are `pairs[start[b]..start[b + 1]]`.
    start: Vec<usize>,
    /// `(station, distance_m)`, ascending by station within a block.
    pairs: Vec<(u32, f64)>,
}

impl Catchment {
    /// Builds a catchment from each block's `(station, distance_m)` pairs (in block order); sorts
    /// each block's pairs by station.
    pub fn new(rows: Vec<Vec<(u32, f64)>>) -> Self {
        let mut start = Vec::with_capacity(rows.len() + 1);
        start.push(0);
        let mut pairs = Vec::with_capacity(rows.iter().map(Vec::len).sum());
        for mut row in rows {
            row.sort_unstable_by_key(|&(s, _)| s);
            pairs.extend(row);
            start.push(pairs.len());
        }
        Catchment { start, pairs }
    }

    /// Number of blocks.
    pub fn blocks(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// The stations within reach of block `b`, with their distances, ascending by station.
    pub fn of_block(&self, b: usize) -> &[(u32, f64)] {
        &self.pairs[self.start[b]..self.start[b + 1]]
    }
}

/// Straight line: every station with an entrance within `reach_m / detour` of each anchor; a
/// station's distance is that of its nearest entrance, times `detour`.
pub(crate) fn straight(
    entrances: &[Vec<XY>],
    anchors: &[XY],
    reach_m: f64,
    detour: f64,
) -> Catchment {
    let entries: Vec<GeomWithData<XY, u32>> = entrances
        .iter()
        .enumerate()
        .flat_map(|(s, pts)| {
            pts.iter()
                .filter(|p| p[0].is_finite() && p[1].is_finite())
                .map(move |&p| GeomWithData::new(p, s as u32))
        })
        .collect();
    let tree = RTree::bulk_load(entries);
    let radius = reach_m / detour;
    let rows = anchors
        .par_iter()
        .map(|&p| {
            if !(p[0].is_finite() && p[1].is_finite()) {
                return Vec::new();
            }
            let mut row: Vec<(u32, f64)> = tree
                .locate_within_distance(p, radius * radius)
                .map(|e| (e.data, detour * e.distance_2(&p).sqrt()))
                .filter(|&(_, d)| d <= reach_m)
                .collect();
            nearest_per_station(&mut row);
            row
        })
        .collect();
    Catchment::new(rows)
}

/// Keeps one pair per station: its smallest distance.
fn nearest_per_station(row: &mut Vec<(u32, f64)>) {
    row.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    row.dedup_by_key(|&mut (s, _)| s);
}

/// Network: for each station, one Dijkstra bounded at `reach_m` from its snapped entrances; a
/// block is within reach when its snapped anchor is, snap legs included. `origins` are the
/// snapped entrances in station order; `block_snaps` the blocks' snaps (`None` off-network).
pub(crate) fn network(
    net: &Network,
    origins: &[Origin],
    block_snaps: &[Option<Snap>],
    reach_m: f64,
) -> Catchment {
    // The blocks snapped onto each edge (compressed rows by edge).
    let mut on_edge_start = vec![0usize; net.edge_count() + 1];
    for s in block_snaps.iter().flatten() {
        on_edge_start[s.edge as usize + 1] += 1;
    }
    for e in 1..on_edge_start.len() {
        on_edge_start[e] += on_edge_start[e - 1];
    }
    let mut next = on_edge_start.clone();
    let mut on_edge = vec![0u32; on_edge_start[net.edge_count()]];
    for (b, s) in block_snaps.iter().enumerate() {
        if let Some(s) = s {
            on_edge[next[s.edge as usize]] = b as u32;
            next[s.edge as usize] += 1;
        }
    }
    let edges_of = |e: u32| &on_edge[on_edge_start[e as usize]..on_edge_start[e as usize + 1]];

    // Sources grouped by station.
    let mut by_station: Vec<(u32, Vec<Origin>)> = Vec::new();
    for s in origins {
        match by_station.last_mut() {
            Some((station, list)) if *station == s.station => list.push(*s),
            _ => by_station.push((s.station, vec![*s])),
        }
    }
    let found: Vec<Vec<(u32, u32, f64)>> = by_station
        .par_iter()
        .map(|(station, list)| {
            let paths = net.shortest_paths(list.clone(), reach_m);
            let mut edges: Vec<u32> = list.iter().map(|s| s.snap.edge).collect();
            for n in paths.reached_nodes() {
                edges.extend(net.neighbours(n).iter().map(|a| a.edge));
            }
            edges.sort_unstable();
            edges.dedup();
            let mut hits = Vec::new();
            for e in edges {
                for &b in edges_of(e) {
                    let Some(snap) = &block_snaps[b as usize] else {
                        continue;
                    };
                    if let Some((d, _)) = paths.to_snap(net, snap) {
                        hits.push((b, *station, d));
                    }
                }
            }
            hits
        })
        .collect();
    let mut rows = vec![Vec::new(); block_snaps.len()];
    for (b, s, d) in found.into_iter().flatten() {
        rows[b as usize].push((s, d));
    }
    Catchment::new(rows)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::coverage::{DistanceModel, NetworkModel, StraightLine};
    use crate::network::tests::{at, network};

    /// The catchment as the oracle sees it: each station measured alone by `model`.
    fn one_by_one(
        model: &dyn DistanceModel,
        entrances: &[Vec<XY>],
        anchors: &[XY],
        reach_m: f64,
    ) -> Catchment {
        let mut rows = vec![Vec::new(); anchors.len()];
        for s in 0..entrances.len() {
            let alone: Vec<Vec<XY>> = (0..entrances.len())
                .map(|k| {
                    if k == s {
                        entrances[k].clone()
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            let m = model.measure(&alone, anchors, reach_m);
            for (b, measured) in m.blocks.iter().enumerate() {
                if let Some(d) = measured.distance_m.filter(|&d| d <= reach_m) {
                    rows[b].push((s as u32, d));
                }
            }
        }
        Catchment::new(rows)
    }

    fn random_points(rng: &mut rand::rngs::StdRng, n: usize, side_m: f64) -> Vec<XY> {
        (0..n)
            .map(|_| at([rng.gen_range(0.0..side_m), rng.gen_range(0.0..side_m)]))
            .collect()
    }

    #[test]
    fn straight_line_catchments_match_stations_measured_one_by_one() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let entrances: Vec<Vec<XY>> = (0..25)
            .map(|k| random_points(&mut rng, 1 + k % 3, 2000.0))
            .collect();
        let anchors = random_points(&mut rng, 400, 2000.0);
        let model = StraightLine { detour: 1.3 };
        let got = model.catchment(&entrances, &anchors, 450.0);
        assert_eq!(got, one_by_one(&model, &entrances, &anchors, 450.0));
        assert!(
            got.pairs.len() > anchors.len(),
            "the case should have overlaps"
        );
    }

    #[test]
    fn network_catchments_match_stations_measured_one_by_one() {
        // A 6 × 6 grid of 100 m streets with a diagonal that crosses without a shared vertex.
        let mut lines: Vec<Vec<XY>> = Vec::new();
        for k in 0..6 {
            let c = 100.0 * k as f64;
            lines.push((0..6).map(|i| [100.0 * i as f64, c]).collect());
            lines.push((0..6).map(|i| [c, 100.0 * i as f64]).collect());
        }
        lines.push(vec![[0.0, 0.0], [500.0, 500.0]]);
        let refs: Vec<&[XY]> = lines.iter().map(Vec::as_slice).collect();
        let model = NetworkModel::new(Arc::new(network(&refs)), 40.0);
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let entrances: Vec<Vec<XY>> = (0..12)
            .map(|k| random_points(&mut rng, 1 + k % 2, 500.0))
            .collect();
        let anchors = random_points(&mut rng, 300, 550.0);
        let got = model.catchment(&entrances, &anchors, 260.0);
        let want = one_by_one(&model, &entrances, &anchors, 260.0);
        assert_eq!(got.start, want.start);
        for (g, w) in got.pairs.iter().zip(&want.pairs) {
            assert_eq!(g.0, w.0);
            assert!((g.1 - w.1).abs() < 1e-9, "{g:?} vs {w:?}");
        }
    }
}
