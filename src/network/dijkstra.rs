//! Bounded multi-source Dijkstra, and the walking distance to snapped points.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::{Network, Snap};

/// A snapped station entrance: where a search starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Origin {
    /// The station's index (input order).
    pub station: u32,
    /// Where the entrance joins the network.
    pub snap: Snap,
}

/// A start node of the search, with its starting distance and the label it carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Seed {
    /// The node.
    pub node: u32,
    /// Distance already walked when standing on the node, metres.
    pub dist_m: f64,
    /// The source the distance is measured from (a smaller index wins ties).
    pub source: u32,
}

/// Label of an unreached node.
const NO_SOURCE: u32 = u32::MAX;

/// The result of one bounded multi-source search: for every node within the bound, the
/// distance to its nearest source and which source that is.
///
/// Labels compare lexicographically as `(distance, source index)`, so equal distances go to
/// the lower source index, whatever order the work was done in.
#[derive(Debug, Clone)]
pub struct ShortestPaths {
    bound_m: f64,
    dist_m: Vec<f64>,
    source: Vec<u32>,
    origins: Vec<Origin>,
    /// Indices into `origins`, sorted by (edge, index): the origins on each edge.
    by_edge: Vec<u32>,
}

/// A heap entry; ordered so that `BinaryHeap` pops the smallest `(dist, source, node)`.
#[derive(Debug, Clone, Copy)]
struct Entry {
    dist_m: f64,
    source: u32,
    node: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .dist_m
            .total_cmp(&self.dist_m)
            .then(other.source.cmp(&self.source))
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// Whether label `(d, s)` is strictly better than `(best_d, best_s)`.
#[inline]
fn better(d: f64, s: u32, best_d: f64, best_s: u32) -> bool {
    d < best_d || (d == best_d && s < best_s)
}

impl Network {
    /// One bounded multi-source Dijkstra from the snapped station entrances `origins`.
    ///
    /// A source snapped onto edge `(u, v)` at `along_m` with leg `leg_m` seeds `u` with
    /// `leg_m + along_m` and `v` with `leg_m + (length_m − along_m)`. Nodes farther than
    /// `bound_m` from every source stay unreached. Give the origins in station order (then
    /// entrance order): ties between equal distances go to the lower source index, hence to the
    /// lower station index.
    ///
    /// # Units
    ///
    /// Metres.
    pub fn shortest_paths(&self, origins: Vec<Origin>, bound_m: f64) -> ShortestPaths {
        let mut seeds = Vec::with_capacity(2 * origins.len());
        for (k, s) in origins.iter().enumerate() {
            let edge = self.edges[s.snap.edge as usize];
            let k = k as u32;
            seeds.push(Seed {
                node: edge.nodes[0],
                dist_m: s.snap.leg_m + s.snap.along_m,
                source: k,
            });
            seeds.push(Seed {
                node: edge.nodes[1],
                dist_m: s.snap.leg_m + (edge.length_m - s.snap.along_m),
                source: k,
            });
        }
        let mut paths = self.shortest_paths_from_seeds(&seeds, bound_m);
        let mut by_edge: Vec<u32> = (0..origins.len() as u32).collect();
        by_edge.sort_unstable_by_key(|&k| (origins[k as usize].snap.edge, k));
        paths.origins = origins;
        paths.by_edge = by_edge;
        paths
    }

    /// The bounded multi-source Dijkstra itself, from explicit node seeds (binary heap, lazy
    /// deletion). The result knows no [`Origin`]s, so [`ShortestPaths::to_snap`] only walks
    /// through nodes.
    ///
    /// # Units
    ///
    /// Metres.
    pub(crate) fn shortest_paths_from_seeds(&self, seeds: &[Seed], bound_m: f64) -> ShortestPaths {
        let n = self.node_count();
        let mut dist_m = vec![f64::INFINITY; n];
        let mut source = vec![NO_SOURCE; n];
        let mut heap = BinaryHeap::new();
        for s in seeds {
            let i = s.node as usize;
            if s.dist_m <= bound_m && better(s.dist_m, s.source, dist_m[i], source[i]) {
                dist_m[i] = s.dist_m;
                source[i] = s.source;
                heap.push(Entry {
                    dist_m: s.dist_m,
                    source: s.source,
                    node: s.node,
                });
            }
        }
        while let Some(Entry {
            dist_m: d,
            source: s,
            node,
        }) = heap.pop()
        {
            let i = node as usize;
            if d != dist_m[i] || s != source[i] {
                continue; // stale entry
            }
            for arc in self.neighbours(node) {
                let nd = d + arc.length_m;
                let j = arc.to as usize;
                if nd <= bound_m && better(nd, s, dist_m[j], source[j]) {
                    dist_m[j] = nd;
                    source[j] = s;
                    heap.push(Entry {
                        dist_m: nd,
                        source: s,
                        node: arc.to,
                    });
                }
            }
        }
        ShortestPaths {
            bound_m,
            dist_m,
            source,
            origins: Vec::new(),
            by_edge: Vec::new(),
        }
    }
}

impl ShortestPaths {
    /// The search bound, metres.
    pub fn bound_m(&self) -> f64 {
        self.bound_m
    }

    /// The origins the search started from, in the order given.
    pub fn origins(&self) -> &[Origin] {
        &self.origins
    }

    /// Distance (metres) from `node` to its nearest source and that source's index, or `None`
    /// when no source is within the bound.
    pub fn node(&self, node: u32) -> Option<(f64, u32)> {
        let i = node as usize;
        (self.source[i] != NO_SOURCE).then(|| (self.dist_m[i], self.source[i]))
    }

    /// The nodes within the bound, ascending.
    pub fn reached_nodes(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.source.len() as u32).filter(|&n| self.source[n as usize] != NO_SOURCE)
    }

    /// Distance (metres) from `node` to its nearest source, or `None` beyond the bound.
    pub fn node_distance_m(&self, node: u32) -> Option<f64> {
        self.node(node).map(|(d, _)| d)
    }

    /// The walking distance from the nearest source to a point snapped at `snap`, snap leg
    /// included, and that source's index; `None` when it is farther than the bound.
    ///
    /// With the snapped point at `along_b` on edge `(u, v)` and leg `leg_b`, the distance is
    /// `min(d(u) + along_b, d(v) + length − along_b, leg_s + |along_s − along_b|) + leg_b`, the
    /// last term for every source `s` snapped onto the same edge. Ties go to the lower source
    /// index.
    ///
    /// # Units
    ///
    /// Metres.
    pub fn to_snap(&self, network: &Network, snap: &Snap) -> Option<(f64, u32)> {
        let edge = network.edges[snap.edge as usize];
        let mut best = (f64::INFINITY, NO_SOURCE);
        let mut consider = |d: f64, s: u32| {
            if better(d, s, best.0, best.1) {
                best = (d, s);
            }
        };
        let [u, v] = edge.nodes;
        if let Some((d, s)) = self.node(u) {
            consider(d + snap.along_m, s);
        }
        if let Some((d, s)) = self.node(v) {
            consider(d + (edge.length_m - snap.along_m), s);
        }
        let first = self
            .by_edge
            .partition_point(|&k| self.origins[k as usize].snap.edge < snap.edge);
        for &k in &self.by_edge[first..] {
            let s = &self.origins[k as usize].snap;
            if s.edge != snap.edge {
                break;
            }
            consider(s.leg_m + (s.along_m - snap.along_m).abs(), k);
        }
        if best.1 == NO_SOURCE {
            return None;
        }
        let total_m = best.0 + snap.leg_m;
        (total_m <= self.bound_m).then_some((total_m, best.1))
    }
}
