//! Which tile a point belongs to: an N × M grid over the bounding box of the block anchors in
//! the run's metric plane, and the tile's box grown by a halo.

use crate::error::{Error, Result};
use crate::project::XY;

/// A grid of `columns × rows` tiles over the block anchors' box, numbered row by row from the
/// south-west: tile `row · columns + column`.
///
/// A point belongs to the column of the interior boundaries at or west of it (and the row of
/// those at or south of it): the rule looks at the point and the boundaries only, never at the
/// neighbouring tiles, so every point is in exactly one tile. The outer tiles reach to
/// infinity, so points outside the anchors' box (stations, network nodes) have a tile too.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Tiles west to east.
    pub columns: u32,
    /// Tiles south to north.
    pub rows: u32,
    /// The anchors' box in the plane, metres: `[[x_min, y_min], [x_max, y_max]]`.
    pub bounds: [XY; 2],
}

/// The most tiles a grid may have on a side.
const MAX_SIDE: u32 = 1 << 16;

impl Grid {
    /// `NxM` (`4x4`, `16x1`): N columns, M rows, each 1 to 65,536.
    pub fn parse_shape(text: &str) -> Result<(u32, u32)> {
        let bad = || {
            Error::parameter(
                "--tiles",
                format!(
                    "expected NxM, e.g. 4x4 (columns x rows, each 1 to {MAX_SIDE}), found {text:?}"
                ),
            )
        };
        let (n, m) = text.split_once(['x', 'X']).ok_or_else(bad)?;
        let side = |s: &str| {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|v| (1..=MAX_SIDE).contains(v))
        };
        Ok((side(n).ok_or_else(bad)?, side(m).ok_or_else(bad)?))
    }

    /// Number of tiles.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.columns as usize * self.rows as usize
    }

    /// The `k`-th interior boundary (1 ≤ k < n) of `n` equal parts of `[lo, hi]`: one formula,
    /// so every tile computes the same bits.
    fn boundary(lo: f64, hi: f64, k: u32, n: u32) -> f64 {
        lo + (hi - lo) * (f64::from(k) / f64::from(n))
    }

    /// The part of `v` among `n` parts of `[lo, hi]`: how many interior boundaries are ≤ `v`.
    fn part(lo: f64, hi: f64, n: u32, v: f64) -> u32 {
        (1..n)
            .take_while(|&k| Self::boundary(lo, hi, k, n) <= v)
            .count() as u32
    }

    /// The tile holding plane point `p`.
    pub fn tile_of(&self, p: XY) -> usize {
        let [lo, hi] = self.bounds;
        let c = Self::part(lo[0], hi[0], self.columns, p[0]);
        let r = Self::part(lo[1], hi[1], self.rows, p[1]);
        r as usize * self.columns as usize + c as usize
    }

    /// Tile `index`'s box, `[[x_min, y_min], [x_max, y_max]]`; the outer tiles reach to ±∞.
    pub fn tile_box(&self, index: usize) -> [XY; 2] {
        let c = (index % self.columns as usize) as u32;
        let r = (index / self.columns as usize) as u32;
        let [lo, hi] = self.bounds;
        let edge = |lo: f64, hi: f64, k: u32, n: u32| match k {
            0 => f64::NEG_INFINITY,
            k if k == n => f64::INFINITY,
            k => Self::boundary(lo, hi, k, n),
        };
        [
            [
                edge(lo[0], hi[0], c, self.columns),
                edge(lo[1], hi[1], r, self.rows),
            ],
            [
                edge(lo[0], hi[0], c + 1, self.columns),
                edge(lo[1], hi[1], r + 1, self.rows),
            ],
        ]
    }
}

/// The box of plane points `points`, `[[x_min, y_min], [x_max, y_max]]` (empty: infinities the
/// wrong way round, which nothing intersects).
pub fn bounds_of<'a>(points: impl IntoIterator<Item = &'a XY>) -> [XY; 2] {
    let mut b = [[f64::INFINITY; 2], [f64::NEG_INFINITY; 2]];
    for p in points {
        for k in 0..2 {
            b[0][k] = b[0][k].min(p[k]);
            b[1][k] = b[1][k].max(p[k]);
        }
    }
    b
}

/// `bounds` grown by `halo_m` metres on every side.
pub fn grow(bounds: [XY; 2], halo_m: f64) -> [XY; 2] {
    let [lo, hi] = bounds;
    [
        [lo[0] - halo_m, lo[1] - halo_m],
        [hi[0] + halo_m, hi[1] + halo_m],
    ]
}

/// Whether the segment `a`–`b` may come into `bounds`: its box meets the box (a superset of the
/// segments that do, which is all a halo needs).
pub fn segment_meets(bounds: [XY; 2], a: XY, b: XY) -> bool {
    let [lo, hi] = bounds;
    a[0].max(b[0]) >= lo[0]
        && a[0].min(b[0]) <= hi[0]
        && a[1].max(b[1]) >= lo[1]
        && a[1].min(b[1]) <= hi[1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shapes() {
        assert_eq!(Grid::parse_shape("4x4").unwrap(), (4, 4));
        assert_eq!(Grid::parse_shape("16X1").unwrap(), (16, 1));
        for bad in ["4", "0x2", "x3", "2x-1", "ax2", "70000x1"] {
            assert!(Grid::parse_shape(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// Every point is in exactly one tile, and inside that tile's box.
        #[test]
        fn every_point_in_exactly_one_tile(
            columns in 1u32..7, rows in 1u32..7,
            x in -50.0..150.0f64, y in -50.0..150.0f64,
        ) {
            let grid = Grid { columns, rows, bounds: [[0.0, 0.0], [100.0, 37.0]] };
            let t = grid.tile_of([x, y]);
            prop_assert!(t < grid.len());
            let inside: Vec<usize> = (0..grid.len())
                .filter(|&i| {
                    let [lo, hi] = grid.tile_box(i);
                    lo[0] <= x && x < hi[0] && lo[1] <= y && y < hi[1]
                })
                .collect();
            prop_assert_eq!(inside, vec![t]);
        }
    }
}
