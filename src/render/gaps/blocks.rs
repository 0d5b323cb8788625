//! The block layer: every block filled by its walking-time class, decimated at render
//! resolution, the blocks of a class merged into a few `<path>` elements.

use std::collections::HashSet;
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::load::BlockSet;
use crate::project::{BoxForward, Projection, XY};
use crate::render::svg::{self, push_ring, write_paths, Tenths};

use super::classes::{Classes, GAP_COLOUR};
use super::frame::{grow, Frame};

/// Vertices closer than this to the last kept vertex are dropped, in tenths of a pixel.
pub const MIN_STEP: i64 = 8;
/// Blocks smaller than this across (both ways), in tenths of a pixel, are drawn as a dot.
pub const DOT_BELOW: i64 = 25;
/// Smallest side of a dot, tenths of a pixel.
const DOT_SIDE: i64 = 15;
/// Side of a point block's mark, tenths of a pixel.
const POINT_SIDE: i64 = 30;

/// The blocks in the plane: anchors projected, outlines projected as they are needed.
///
/// Outlines are projected through an interpolant of the projection over their box, not kept: at
/// a million blocks a copy of them all in the plane would be the largest thing in memory.
pub(super) struct Plane<'a> {
    blocks: &'a BlockSet,
    /// The fast projection of the outlines' box.
    fast: BoxForward,
    /// Each block's anchor, metres.
    anchors: Vec<XY>,
}

impl<'a> Plane<'a> {
    /// `blocks` in the plane of `projection`.
    pub fn new(blocks: &'a BlockSet, projection: &Projection) -> Plane<'a> {
        let (lo, hi) = crate::project::bounds(outline_points(blocks));
        let anchors = blocks
            .blocks()
            .par_iter()
            .map(|b| projection.forward(b.anchor[0], b.anchor[1]))
            .collect();
        Plane {
            blocks,
            fast: projection.over_box([lo[0], lo[1], hi[0], hi[1]]),
            anchors,
        }
    }

    /// Each block's anchor, metres in the plane.
    pub fn anchors(&self) -> &[XY] {
        &self.anchors
    }

    /// The box of every finite anchor and outline vertex, metres; empty (infinite) if none.
    pub fn extent(&self) -> (XY, XY) {
        let mut min = [f64::INFINITY; 2];
        let mut max = [f64::NEG_INFINITY; 2];
        for a in &self.anchors {
            grow(&mut min, &mut max, *a, 0.0);
        }
        if self.blocks.has_outlines() {
            let (lo, hi) = crate::project::bounds(
                outline_points(self.blocks)
                    .map(|p| self.fast.forward(p[0], p[1]))
                    .filter(|p| p[0].is_finite() && p[1].is_finite()),
            );
            if lo[0].is_finite() && hi[0].is_finite() {
                grow(&mut min, &mut max, lo, 0.0);
                grow(&mut min, &mut max, hi, 0.0);
            }
        }
        (min, max)
    }

    /// Block `i`'s outline in the plane (empty for a point block or without outlines).
    fn outline(&self, i: usize) -> Vec<Vec<XY>> {
        match self.blocks.outline(i) {
            Some(rings) => rings
                .map(|ring| ring.map(|p| self.fast.forward(p[0], p[1])).collect())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Draws the block layer: one group per class, class by class, so that only one class's
    /// drawings are held at a time.
    pub fn draw(&self, o: &mut String, classes: &Classes, frame: &Frame) {
        for k in 0..classes.len() {
            if classes.blocks[k] == 0 {
                continue;
            }
            let (rings, dots) = self.class_paths(&classes.members(k), frame);
            let _ = writeln!(
                o,
                "<g class=\"blocks\" data-class=\"{k}\" data-blocks=\"{}\" fill=\"{}\">",
                classes.blocks[k], classes.colours[k]
            );
            write_paths(o, &rings, "fill-rule=\"evenodd\"");
            write_paths(o, &dots, "class=\"dots\"");
            o.push_str("</g>\n");
        }
    }

    /// Area mode: shades the blocks partly covered at the first threshold (`fractions[i][0]`
    /// in (0, 1)) with the gap colour at an opacity of their uncovered share, in tenths (so
    /// that there are at most nine groups).
    pub fn draw_partial(&self, o: &mut String, fractions: &[Vec<f64>], frame: &Frame) {
        let mut by_step: Vec<Vec<usize>> = vec![Vec::new(); 10];
        for (i, f) in fractions.iter().enumerate() {
            let f = f.first().copied().unwrap_or(0.0);
            if f > 0.0 && f < 1.0 {
                let step = ((1.0 - f) * 10.0).round().clamp(1.0, 9.0) as usize;
                by_step[step].push(i);
            }
        }
        for (step, members) in by_step.iter().enumerate() {
            if members.is_empty() {
                continue;
            }
            let (rings, dots) = self.class_paths(members, frame);
            let _ = writeln!(
                o,
                "<g class=\"partial\" data-uncovered=\"0.{step}\" data-blocks=\"{}\" fill=\"{GAP_COLOUR}\" fill-opacity=\"0.{step}\">",
                members.len()
            );
            write_paths(o, &rings, "fill-rule=\"evenodd\"");
            write_paths(o, &dots, "class=\"dots\"");
            o.push_str("</g>\n");
        }
    }

    /// The subpaths of the blocks `members`: their rings, and their dots, one per pixel cell and
    /// size.
    pub(super) fn class_paths(
        &self,
        members: &[usize],
        frame: &Frame,
    ) -> (Vec<String>, Vec<String>) {
        let drawn: Vec<Drawn> = members
            .par_iter()
            .map(|&i| draw_block(&self.outline(i), self.anchors[i], frame))
            .collect();
        let mut rings: Vec<String> = Vec::new();
        let mut dots: Vec<String> = Vec::new();
        let mut seen: HashSet<(Tenths, i64)> = HashSet::new();
        for d in drawn {
            match d {
                Drawn::Rings(s, c) if c > 0 => rings.push(s),
                Drawn::Rings(..) => {}
                Drawn::Dot(c, side) => {
                    let cell = [c[0].div_euclid(10) * 10 + 5, c[1].div_euclid(10) * 10 + 5];
                    if seen.insert((cell, side)) {
                        dots.push(dot(cell, side));
                    }
                }
            }
        }
        (rings, dots)
    }
}

/// Every outline vertex of every block, longitude/latitude (none without outlines).
fn outline_points(blocks: &BlockSet) -> impl ParallelIterator<Item = [f64; 2]> + '_ {
    (0..blocks.blocks().len())
        .into_par_iter()
        .flat_map_iter(|i| blocks.outline(i).into_iter().flatten().flatten())
}

/// How one block is drawn.
enum Drawn {
    /// Closed rings, already written as subpaths, and their count.
    Rings(String, usize),
    /// A dot of `side` tenths centred on a pixel cell.
    Dot(Tenths, i64),
}

/// Draws one block: its rings decimated, or a dot when it is under a pixel or so.
fn draw_block(rings: &[Vec<XY>], anchor: XY, frame: &Frame) -> Drawn {
    if rings.is_empty() {
        return Drawn::Dot(frame.tenths(anchor), POINT_SIDE);
    }
    let mut d = String::new();
    let mut count = 0;
    for (k, ring) in rings.iter().enumerate() {
        let t: Vec<Tenths> = ring.iter().map(|&p| frame.tenths(p)).collect();
        let (lo, hi) = extent_of(&t);
        let tiny = hi[0] - lo[0] < DOT_BELOW && hi[1] - lo[1] < DOT_BELOW;
        let kept = if tiny { None } else { decimate(&t) };
        match kept {
            Some(kept) => {
                push_ring(&mut d, &kept);
                count += 1;
            }
            // The outer ring is below a pixel or so: the whole block becomes a dot.
            None if k == 0 => return dot_of(lo, hi),
            None => {} // a hole under a pixel is dropped
        }
    }
    Drawn::Rings(d, count)
}

/// The dot standing for a block whose outer ring spans `lo`–`hi` (tenths of a pixel). Dots come
/// in a few sizes only, so that one pixel cell holds one dot per size.
fn dot_of(lo: Tenths, hi: Tenths) -> Drawn {
    let side = (hi[0] - lo[0])
        .max(hi[1] - lo[1])
        .clamp(DOT_SIDE, DOT_BELOW);
    let side = (side + 2) / 5 * 5;
    Drawn::Dot([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2], side)
}

/// Decimates one ring at render resolution: drops vertices closer than [`MIN_STEP`] to the last
/// kept one and the closing repeat. `None` if fewer than three vertices are left.
fn decimate(ring: &[Tenths]) -> Option<Vec<Tenths>> {
    let mut kept: Vec<Tenths> = Vec::with_capacity(ring.len().min(64));
    for &p in ring {
        match kept.last() {
            Some(l) if (p[0] - l[0]).abs().max((p[1] - l[1]).abs()) < MIN_STEP => {}
            _ => kept.push(p),
        }
    }
    while kept.len() > 1 {
        let (f, l) = (kept[0], kept[kept.len() - 1]);
        if (f[0] - l[0]).abs().max((f[1] - l[1]).abs()) < MIN_STEP {
            kept.pop();
        } else {
            break;
        }
    }
    (kept.len() >= 3).then_some(kept)
}

/// The box of `pts`: lowest and highest coordinates.
fn extent_of(pts: &[Tenths]) -> (Tenths, Tenths) {
    let mut lo = [i64::MAX, i64::MAX];
    let mut hi = [i64::MIN, i64::MIN];
    for p in pts {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    (lo, hi)
}

/// A dot as a square subpath of side `side` tenths centred on `c`.
fn dot(c: Tenths, side: i64) -> String {
    let mut d = String::with_capacity(24);
    let h = side / 2;
    d.push('M');
    svg::push_tenths(&mut d, c[0] - h);
    d.push(' ');
    svg::push_tenths(&mut d, c[1] - h);
    d.push('h');
    svg::push_tenths(&mut d, side);
    d.push('v');
    svg::push_tenths(&mut d, side);
    d.push('h');
    svg::push_tenths(&mut d, -side);
    d.push('z');
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_drops_sub_pixel_steps() {
        let ring = [
            [0, 0],
            [3, 0],
            [100, 0],
            [100, 100],
            [0, 100],
            [0, 2],
            [0, 0],
        ];
        assert_eq!(
            decimate(&ring),
            Some(vec![[0, 0], [100, 0], [100, 100], [0, 100]])
        );
        assert_eq!(decimate(&[[0, 0], [5, 0], [5, 5], [0, 0]]), None);
    }

    #[test]
    fn small_blocks_become_dots_of_a_few_sizes() {
        let Drawn::Dot(c, side) = dot_of([0, 0], [12, 4]) else {
            panic!("a dot")
        };
        assert_eq!((c, side), ([6, 2], 15));
        let Drawn::Dot(_, side) = dot_of([0, 0], [22, 4]) else {
            panic!("a dot")
        };
        assert_eq!(side, 20);
        assert_eq!(dot([15, 15], 10), "M1 1h1v1h-1z");
    }
}
