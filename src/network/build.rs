//! Building a [`Network`] from walkable lines.

use std::collections::HashMap;

use rayon::prelude::*;
use rstar::RTree;

use super::snap::Segment;
use super::{Edge, Neighbour, Network, WalkLine};
use crate::project::{distance, Projection};

/// Builds the network: nodes keyed on the exact bits of longitude/latitude (numbered by first
/// appearance), one edge per pair of consecutive distinct vertices (numbered in input order),
/// CSR adjacency, connected pieces and the segment R-tree.
///
/// A vertex with a non-finite coordinate is skipped and breaks its line in two.
pub(super) fn build(lines: &[WalkLine], projection: &Projection) -> Network {
    let mut node_of: HashMap<[u64; 2], u32> = HashMap::new();
    let mut node_lonlat: Vec<[f64; 2]> = Vec::new();
    let mut edge_nodes: Vec<[u32; 2]> = Vec::new();
    for line in lines {
        let mut previous: Option<u32> = None;
        for &[lon, lat] in &line.coords {
            if !(lon.is_finite() && lat.is_finite()) {
                previous = None;
                continue;
            }
            let next_id = node_lonlat.len() as u32;
            let node = *node_of
                .entry([lon.to_bits(), lat.to_bits()])
                .or_insert_with(|| {
                    node_lonlat.push([lon, lat]);
                    next_id
                });
            if let Some(p) = previous {
                if p != node {
                    edge_nodes.push([p, node]);
                }
            }
            previous = Some(node);
        }
    }
    drop(node_of);

    let node_xy: Vec<_> = node_lonlat
        .par_iter()
        .map(|&[lon, lat]| projection.forward(lon, lat))
        .collect();
    drop(node_lonlat);

    let edges: Vec<Edge> = edge_nodes
        .par_iter()
        .map(|&[a, b]| Edge {
            nodes: [a, b],
            length_m: distance(node_xy[a as usize], node_xy[b as usize]),
        })
        .collect();
    drop(edge_nodes);
    let length_m = crate::sum::exact_sum(edges.iter().map(|e| e.length_m));

    let (arc_start, arcs) = adjacency(node_xy.len(), &edges);
    let (piece_of_node, pieces) = pieces(&arc_start, &arcs);

    let segments: Vec<Segment> = edges
        .par_iter()
        .enumerate()
        .map(|(i, e)| Segment {
            a: node_xy[e.nodes[0] as usize],
            b: node_xy[e.nodes[1] as usize],
            edge: i as u32,
        })
        .collect();
    let tree = RTree::bulk_load(segments);

    Network {
        node_xy,
        edges,
        arc_start,
        arcs,
        piece_of_node,
        pieces,
        length_m,
        tree,
    }
}

/// CSR adjacency: per node, its arcs in edge order.
fn adjacency(nodes: usize, edges: &[Edge]) -> (Vec<u32>, Vec<Neighbour>) {
    let mut arc_start = vec![0u32; nodes + 1];
    for e in edges {
        arc_start[e.nodes[0] as usize + 1] += 1;
        arc_start[e.nodes[1] as usize + 1] += 1;
    }
    for n in 0..nodes {
        arc_start[n + 1] += arc_start[n];
    }
    let mut fill = arc_start.clone();
    let mut arcs = vec![
        Neighbour {
            to: 0,
            edge: 0,
            length_m: 0.0
        };
        2 * edges.len()
    ];
    for (k, e) in edges.iter().enumerate() {
        let [a, b] = e.nodes;
        let edge = k as u32;
        arcs[fill[a as usize] as usize] = Neighbour {
            to: b,
            edge,
            length_m: e.length_m,
        };
        fill[a as usize] += 1;
        arcs[fill[b as usize] as usize] = Neighbour {
            to: a,
            edge,
            length_m: e.length_m,
        };
        fill[b as usize] += 1;
    }
    (arc_start, arcs)
}

/// Connected pieces by breadth-first search, numbered in order of their lowest node.
fn pieces(arc_start: &[u32], arcs: &[Neighbour]) -> (Vec<u32>, usize) {
    const NONE: u32 = u32::MAX;
    let nodes = arc_start.len() - 1;
    let mut piece = vec![NONE; nodes];
    let mut count = 0u32;
    let mut queue = Vec::new();
    for start in 0..nodes {
        if piece[start] != NONE {
            continue;
        }
        piece[start] = count;
        queue.push(start as u32);
        while let Some(n) = queue.pop() {
            let n = n as usize;
            for arc in &arcs[arc_start[n] as usize..arc_start[n + 1] as usize] {
                if piece[arc.to as usize] == NONE {
                    piece[arc.to as usize] = count;
                    queue.push(arc.to);
                }
            }
        }
        count += 1;
    }
    (piece, count as usize)
}
