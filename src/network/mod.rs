//! The walking network: an undirected graph built from walkable lines, an R-tree of its edge
//! segments for snapping points onto it, and a bounded multi-source Dijkstra.
//!
//! - [`Network::build`] ([`build`](self) stage): every vertex of every [`WalkLine`] is a node,
//!   vertices with bit-identical longitude/latitude are the same node, consecutive distinct
//!   vertices form an undirected edge whose length is their distance in the metric plane.
//!   Lines that cross without a shared vertex do not connect (bridges, tunnels).
//! - [`Network::snap`]: the closest point of the closest edge (perpendicular projection clamped
//!   to the segment); ties go to the edge that comes first in the input.
//! - [`Network::shortest_paths`]: one bounded multi-source Dijkstra from snapped station
//!   entrances ([`Origin`]s), whose [`ShortestPaths`] then gives the walking distance to any
//!   other snapped point ([`ShortestPaths::to_snap`]), the same-edge case included.
//!
//! # Units
//!
//! Coordinates of [`WalkLine`]s are WGS84 longitude/latitude in degrees; everything else
//! (node positions, edge lengths, snap legs, distances) is metres in the plane of the
//! [`Projection`] the network was built with.

mod build;
mod dijkstra;
mod snap;

use rstar::RTree;

use crate::project::{Projection, XY};

pub use dijkstra::{Origin, ShortestPaths};
pub use snap::Snap;

use snap::Segment;

/// One walkable line in WGS84 longitude/latitude degrees.
///
/// A MultiLineString feature becomes several `WalkLine`s with the same `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkLine {
    /// The feature's id (`w<way id>` for OpenStreetMap ways, `w<way id>.<k>` for the pieces
    /// of a way that was split where nodes were missing).
    pub id: String,
    /// The vertices, `[longitude, latitude]` in degrees.
    pub coords: Vec<[f64; 2]>,
}

/// An undirected edge between two consecutive distinct vertices of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// The first and second node, in the line's vertex order.
    pub nodes: [u32; 2],
    /// Length in metres (plane distance between the two nodes).
    pub length_m: f64,
}

/// One entry of a node's adjacency list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The node at the other end.
    pub to: u32,
    /// The edge (index in [`Network::edges`]).
    pub edge: u32,
    /// The edge's length in metres.
    pub length_m: f64,
}

/// A walking network: nodes in the metric plane, undirected edges in input order, compact
/// adjacency (CSR), connected pieces, and an R-tree of edge segments.
///
/// Built once with [`Network::build`] and shared (read-only, `Sync`) by every scenario that
/// measures against it.
#[derive(Debug, Clone)]
pub struct Network {
    /// Plane position of each node, metres.
    node_xy: Vec<XY>,
    /// Edges in input order (line order, then vertex order).
    edges: Vec<Edge>,
    /// CSR offsets: node `n`'s arcs are `arcs[arc_start[n]..arc_start[n + 1]]`.
    arc_start: Vec<u32>,
    /// CSR arcs, each edge twice (once from each end), in edge order per node.
    arcs: Vec<Neighbour>,
    /// Connected piece of each node, numbered by lowest node.
    piece_of_node: Vec<u32>,
    /// Number of connected pieces.
    pieces: usize,
    /// Sum of edge lengths, metres.
    length_m: f64,
    /// R-tree of edge segments, for snapping.
    tree: RTree<Segment>,
}

impl Network {
    /// Number of nodes (distinct vertices).
    pub fn node_count(&self) -> usize {
        self.node_xy.len()
    }

    /// Number of edges (pairs of consecutive distinct vertices).
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Total length of all edges.
    ///
    /// # Units
    ///
    /// Metres.
    pub fn length_m(&self) -> f64 {
        self.length_m
    }

    /// Number of connected pieces (a vertex without edges is a piece of its own).
    pub fn piece_count(&self) -> usize {
        self.pieces
    }

    /// Plane position of every node, metres, indexed by node.
    pub fn nodes(&self) -> &[XY] {
        &self.node_xy
    }

    /// Every edge, in input order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The two end points of edge `edge` in the plane, metres.
    pub fn edge_points(&self, edge: u32) -> [XY; 2] {
        let [a, b] = self.edges[edge as usize].nodes;
        [self.node_xy[a as usize], self.node_xy[b as usize]]
    }

    /// The neighbours of `node`: one entry per incident edge, in edge order.
    pub fn neighbours(&self, node: u32) -> &[Neighbour] {
        let n = node as usize;
        &self.arcs[self.arc_start[n] as usize..self.arc_start[n + 1] as usize]
    }

    /// The connected piece that holds `node`, in `0..piece_count()`.
    pub fn piece_of_node(&self, node: u32) -> u32 {
        self.piece_of_node[node as usize]
    }

    /// The connected piece that holds edge `edge`.
    pub fn piece_of_edge(&self, edge: u32) -> u32 {
        self.piece_of_node[self.edges[edge as usize].nodes[0] as usize]
    }

    /// A network measured in `projection`'s plane, from walkable lines: a node wherever lines
    /// share a vertex with exactly the same longitude/latitude (numbered by first appearance),
    /// one edge per pair of consecutive distinct vertices (numbered in input order). A vertex
    /// with a non-finite coordinate is skipped and breaks its line in two.
    pub fn build(lines: &[WalkLine], projection: &Projection) -> Network {
        build::build(lines, projection)
    }
}

#[cfg(test)]
pub(crate) mod tests;
