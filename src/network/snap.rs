//! Snapping a point onto the network: the closest point of the closest edge.

use rayon::prelude::*;
use rstar::{PointDistance, RTreeObject, AABB};

use super::Network;
use crate::project::{distance, XY};

/// Where a point joins the network.
///
/// # Units
///
/// Metres in the network's plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// The edge snapped onto (index in input order, see [`Network::edges`]).
    pub edge: u32,
    /// Distance along the edge from its first node to the snapped point, in `[0, length_m]`.
    pub along_m: f64,
    /// Length of the straight snap leg from the point to the snapped point.
    pub leg_m: f64,
    /// The snapped point.
    pub point: XY,
}

/// An edge's segment in the R-tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Segment {
    pub(super) a: XY,
    pub(super) b: XY,
    pub(super) edge: u32,
}

impl Segment {
    /// The parameter `t ∈ [0, 1]` of the point of the segment closest to `p`, and that point.
    #[inline]
    fn closest(&self, p: XY) -> (f64, XY) {
        let d = [self.b[0] - self.a[0], self.b[1] - self.a[1]];
        let len_2 = d[0] * d[0] + d[1] * d[1];
        let t = if len_2 > 0.0 {
            (((p[0] - self.a[0]) * d[0] + (p[1] - self.a[1]) * d[1]) / len_2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let q = if t == 0.0 {
            self.a
        } else if t == 1.0 {
            self.b
        } else {
            [self.a[0] + t * d[0], self.a[1] + t * d[1]]
        };
        (t, q)
    }
}

impl RTreeObject for Segment {
    type Envelope = AABB<XY>;

    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.a, self.b)
    }
}

impl PointDistance for Segment {
    #[inline]
    fn distance_2(&self, p: &XY) -> f64 {
        let (_, q) = self.closest(*p);
        let (dx, dy) = (p[0] - q[0], p[1] - q[1]);
        dx * dx + dy * dy
    }
}

/// Squared distances this close to the minimum count as equally close: rounding in the
/// projection onto two different segments must not break a geometric tie. Relative 1e-12 of
/// the squared distance, or 1e-12 m² (1 µm) near zero.
#[inline]
fn tie_limit_2(min_2: f64) -> f64 {
    min_2 + (min_2 * 1e-12).max(1e-12)
}

impl Network {
    /// Snaps `p` onto the closest point of the closest edge (perpendicular projection, clamped
    /// to the segment). A point equally close to several edges takes the one with the lowest
    /// index (the first in the input). `None` when the network has no edge or `p` is not
    /// finite.
    ///
    /// Whether the snap is close enough is the caller's decision: the off-network rule of
    /// `docs/method.md` (Distances › Along a walking network) is `leg_m > max_snap_m` (strictly).
    ///
    /// # Units
    ///
    /// `p` and the result are metres in the network's plane.
    pub fn snap(&self, p: XY) -> Option<Snap> {
        if !(p[0].is_finite() && p[1].is_finite()) {
            return None;
        }
        // The nearest segment, then every segment as close (within rounding): the lowest
        // edge index among them wins. Two pruned queries are several times faster than
        // rstar's incremental nearest-neighbour iterator.
        let mut best = self.tree.nearest_neighbor(&p)?;
        let limit_2 = tie_limit_2(best.distance_2(&p));
        for seg in self.tree.locate_within_distance(p, limit_2) {
            if seg.edge < best.edge {
                best = seg;
            }
        }
        let (t, point) = best.closest(p);
        let length_m = self.edges[best.edge as usize].length_m;
        let along_m = if t == 1.0 { length_m } else { t * length_m };
        Some(Snap {
            edge: best.edge,
            along_m,
            leg_m: distance(p, point),
            point,
        })
    }

    /// [`Network::snap`] for many points, in parallel; the result is in the order of `points`
    /// and the same for any number of threads.
    ///
    /// The points are visited in Z-order (Morton) of their position, so that consecutive
    /// queries walk the same branches of the R-tree: on a million random points this is
    /// markedly faster than the input order.
    pub fn snap_all(&self, points: &[XY]) -> Vec<Option<Snap>> {
        let mut order: Vec<(u32, u32)> = z_order_keys(points)
            .into_iter()
            .enumerate()
            .map(|(i, key)| (key, i as u32))
            .collect();
        order.par_sort_unstable();
        let snapped: Vec<Option<Snap>> = order
            .par_iter()
            .map(|&(_, i)| self.snap(points[i as usize]))
            .collect();
        let mut out = vec![None; points.len()];
        for (&(_, i), snap) in order.iter().zip(snapped) {
            out[i as usize] = snap;
        }
        out
    }
}

/// A 32-bit Z-order key per point: coordinates scaled to 16 bits over the points' bounding box
/// and bit-interleaved. Non-finite points get key 0.
fn z_order_keys(points: &[XY]) -> Vec<u32> {
    let finite = |p: &&XY| p[0].is_finite() && p[1].is_finite();
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in points.iter().filter(finite) {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let scale = [0, 1].map(|k| {
        if hi[k] > lo[k] {
            65535.0 / (hi[k] - lo[k])
        } else {
            0.0
        }
    });
    points
        .par_iter()
        .map(|p| {
            if !finite(&p) {
                return 0;
            }
            let q = [0, 1].map(|k| ((p[k] - lo[k]) * scale[k]) as u32);
            spread_bits(q[0]) | (spread_bits(q[1]) << 1)
        })
        .collect()
}

/// The low 16 bits of `v` moved to the even bit positions.
fn spread_bits(v: u32) -> u32 {
    let mut x = v & 0xFFFF;
    x = (x | (x << 8)) & 0x00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333;
    x = (x | (x << 1)) & 0x5555_5555;
    x
}
