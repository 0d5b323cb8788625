//! Anchors and validity of parsed geometries.
//!
//! A polygon's anchor is its area-weighted centroid (holes subtract), taken in a local metric
//! plane: an equirectangular plane with the WGS84 metres-per-degree at the polygon's first vertex.
//! Over a block a few hundred metres across this plane agrees with the analysis' transverse
//! Mercator plane to well under a centimetre, so the anchor is the metric-plane centroid that
//! `docs/method.md` (Inputs › Block anchors) describes, at a fraction of the cost of projecting
//! every vertex.

use std::cell::RefCell;
use std::ops::Range;

use std::path::Path;

use super::feature::{FlatCoords, RawFeature};
use crate::error::{Error, Location, Result};
use crate::project::metres_per_degree;

/// What is wrong with a polygon that is still used (its centroid anchor is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolygonProblem {
    /// A ring whose last position differs from its first (it is closed implicitly).
    UnclosedRing,
    /// A ring with fewer than three distinct positions.
    TooFewPoints,
    /// A polygon of zero area.
    ZeroArea,
    /// A ring that crosses or touches itself, or two rings that cross.
    SelfIntersection,
    /// A hole that lies outside its polygon's shell (the anchor reads it by the even-odd rule:
    /// as more area, not less).
    HoleOutsideShell,
}

impl PolygonProblem {
    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            PolygonProblem::UnclosedRing => "ring not closed",
            PolygonProblem::TooFewPoints => "ring with fewer than 3 distinct points",
            PolygonProblem::ZeroArea => "zero area",
            PolygonProblem::SelfIntersection => "self-intersection",
            PolygonProblem::HoleOutsideShell => "hole outside its shell",
        }
    }
}

/// The rings of a Polygon (`depth == 2`) or MultiPolygon (`depth == 3`), each as
/// `(polygon index, ring range in points)`.
pub(crate) fn rings(flat: &FlatCoords) -> Vec<(usize, Range<usize>)> {
    ring_iter(flat).collect()
}

/// [`rings`], without collecting them.
fn ring_iter(flat: &FlatCoords) -> impl Iterator<Item = (usize, Range<usize>)> + Clone + '_ {
    let poly_ends = &flat.ends[2];
    let multi = flat.depth == Some(3);
    let mut start = 0;
    let mut polygon = 0;
    flat.ends[1].iter().enumerate().map(move |(r, &end)| {
        if multi {
            while polygon < poly_ends.len() && poly_ends[polygon] <= r {
                polygon += 1;
            }
        }
        let ring = (polygon, start..end);
        start = end;
        ring
    })
}

/// Whether the ring `xy` (positions in plane metres) has fewer than three distinct positions,
/// without allocating unless a coordinate is NaN (then by sorting a copy, as equality is not an
/// order there).
fn too_few_distinct(xy: impl Iterator<Item = [f64; 2]> + Clone) -> bool {
    if xy.clone().any(|p| p[0].is_nan() || p[1].is_nan()) {
        let mut distinct: Vec<[f64; 2]> = xy.collect();
        distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        distinct.dedup();
        return distinct.len() < 3;
    }
    let mut seen: [Option<[f64; 2]>; 2] = [None, None];
    for p in xy {
        match seen {
            [None, _] => seen[0] = Some(p),
            [Some(a), None] if p != a => seen[1] = Some(p),
            [Some(a), Some(b)] if p != a && p != b => return false,
            _ => {}
        }
    }
    true
}

/// Centroid in lon/lat of a (multi)polygon's rings, and the first problem found, if any.
///
/// Allocation-free for well-formed input: positions are taken to the plane as they are read.
pub(crate) fn polygon_anchor(flat: &FlatCoords) -> ([f64; 2], Option<PolygonProblem>) {
    let origin = flat.points[0];
    let [m_lat, m_lon] = metres_per_degree(origin[1]);
    let to_xy = |p: [f64; 2]| [(p[0] - origin[0]) * m_lon, (p[1] - origin[1]) * m_lat];
    let mut problem: Option<PolygonProblem> = None;
    let note = |problem: &mut Option<PolygonProblem>, p: PolygonProblem| {
        if problem.is_none() {
            *problem = Some(p);
        }
    };
    let (mut area, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    // The area of the current polygon, and whether an earlier one had zero area.
    let mut polygon_area: Option<f64> = None;
    let mut zero_area = false;
    let mut last_polygon = usize::MAX;
    // The current polygon's shell, and what the holes found outside it added by mistake.
    let mut shell: &[[f64; 2]] = &[];
    let (mut outside_area, mut outside_x, mut outside_y) = (0.0f64, 0.0f64, 0.0f64);
    let mut hole_outside = false;
    for (polygon, range) in ring_iter(flat) {
        let pts = &flat.points[range];
        if pts.first() != pts.last() {
            note(&mut problem, PolygonProblem::UnclosedRing);
        }
        // The ring in the plane, without its closing position.
        let mut n = pts.len();
        if n > 1 && to_xy(pts[0]) == to_xy(pts[n - 1]) {
            n -= 1;
        }
        let xy = pts[..n].iter().map(|&p| to_xy(p));
        if too_few_distinct(xy.clone()) {
            note(&mut problem, PolygonProblem::TooFewPoints);
        }
        // Shoelace over the implicitly closed ring.
        let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
        if n > 0 {
            let first = to_xy(pts[0]);
            let mut p = first;
            for q in xy.skip(1).chain(std::iter::once(first)) {
                let cross = p[0] * q[1] - q[0] * p[1];
                a2 += cross;
                cx += (p[0] + q[0]) * cross;
                cy += (p[1] + q[1]) * cross;
                p = q;
            }
        }
        // The first ring of each polygon is its shell; the others are holes.
        let sign = if polygon != last_polygon { 1.0 } else { -1.0 };
        if polygon != last_polygon {
            zero_area |= polygon_area.is_some_and(|a| a.abs() <= 0.0);
            polygon_area = Some(0.0);
            last_polygon = polygon;
        }
        let s = sign * a2.signum();
        area += s * a2 / 2.0;
        mx += s * cx / 6.0;
        my += s * cy / 6.0;
        if sign < 0.0 && outside(shell, pts) {
            hole_outside = true;
            outside_area += s * a2 / 2.0;
            outside_x += s * cx / 6.0;
            outside_y += s * cy / 6.0;
        }
        if sign > 0.0 {
            shell = pts;
        }
        if let Some(last) = polygon_area.as_mut() {
            *last += s * a2 / 2.0;
        }
    }
    zero_area |= polygon_area.is_some_and(|a| a.abs() <= 0.0);
    if problem.is_none() {
        if crosses(flat) {
            note(&mut problem, PolygonProblem::SelfIntersection);
        } else if hole_outside {
            // By the even-odd rule a hole outside its shell is area of its own: add back what
            // was taken away, and as much again.
            area -= 2.0 * outside_area;
            mx -= 2.0 * outside_x;
            my -= 2.0 * outside_y;
            note(&mut problem, PolygonProblem::HoleOutsideShell);
        } else if zero_area {
            note(&mut problem, PolygonProblem::ZeroArea);
        }
    }
    let centre = if area.abs() > 1e-9 {
        [mx / area, my / area]
    } else {
        fallback_centre(&flat.points.iter().map(|&p| to_xy(p)).collect::<Vec<_>>())
    };
    (
        [origin[0] + centre[0] / m_lon, origin[1] + centre[1] / m_lat],
        problem,
    )
}

/// Whether the ring `hole` lies outside the ring `shell` (both in lon/lat, which is affine to
/// the local plane, so inside and outside are the same): judged by its first position that is
/// not on the shell's outline (rings that cross are found by [`crosses`]). O(shell) per hole.
fn outside(shell: &[[f64; 2]], hole: &[[f64; 2]]) -> bool {
    hole.iter()
        .find_map(|&p| inside_ring(shell, p))
        .is_some_and(|inside| !inside)
}

/// Whether `p` is inside the ring `ring` (implicitly closed) by the crossing rule; `None` when it
/// lies on its outline.
fn inside_ring(ring: &[[f64; 2]], p: [f64; 2]) -> Option<bool> {
    let mut inside = false;
    let n = ring.len();
    for k in 0..n {
        let (a, b) = (ring[k], ring[(k + 1) % n]);
        if orient(a, b, p) == 0.0 && on_segment(a, b, p) {
            return None;
        }
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
        {
            inside = !inside;
        }
    }
    Some(inside)
}

/// Centre of a degenerate shape: the length-weighted centre of its segments, else the mean.
fn fallback_centre(xy: &[[f64; 2]]) -> [f64; 2] {
    let (mut len, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for w in xy.windows(2) {
        let l = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
        len += l;
        sx += l * (w[0][0] + w[1][0]) / 2.0;
        sy += l * (w[0][1] + w[1][1]) / 2.0;
    }
    if len > 0.0 {
        return [sx / len, sy / len];
    }
    let n = xy.len().max(1) as f64;
    [
        xy.iter().map(|p| p[0]).sum::<f64>() / n,
        xy.iter().map(|p| p[1]).sum::<f64>() / n,
    ]
}

/// Centroid in lon/lat of a polygon's area (for stations given as areas).
pub(crate) fn area_centroid(flat: &FlatCoords) -> [f64; 2] {
    polygon_anchor(flat).0
}

fn orient(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

fn on_segment(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> bool {
    p[0] >= a[0].min(b[0])
        && p[0] <= a[0].max(b[0])
        && p[1] >= a[1].min(b[1])
        && p[1] <= a[1].max(b[1])
}

/// Whether segments `ab` and `cd` share any point.
fn segments_touch(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> bool {
    segments_cross(a, b, c, d)
        || (orient(a, b, c) == 0.0 && on_segment(a, b, c))
        || (orient(a, b, d) == 0.0 && on_segment(a, b, d))
        || (orient(c, d, a) == 0.0 && on_segment(c, d, a))
        || (orient(c, d, b) == 0.0 && on_segment(c, d, b))
}

/// Whether segments `ab` and `cd` cross at a single interior point of both.
fn segments_cross(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> bool {
    let opposite = |x: f64, y: f64| (x > 0.0 && y < 0.0) || (x < 0.0 && y > 0.0);
    opposite(orient(a, b, c), orient(a, b, d)) && opposite(orient(c, d, a), orient(c, d, b))
}

/// A segment between two positions.
type Segment = ([f64; 2], [f64; 2]);

/// A ring's polygon index and the range of its segments.
type RingSegments = (usize, Range<usize>);

thread_local! {
    /// [`crosses`]' scratch: every ring's segments, and where each ring's are.
    static SEGMENTS: RefCell<(Vec<Segment>, Vec<RingSegments>)> =
        const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Whether any ring touches itself (other than adjacent segments at their shared vertex), or
/// two rings of one polygon cross. Works on lon/lat directly: the predicates are affine-invariant.
fn crosses(flat: &FlatCoords) -> bool {
    SEGMENTS.with(|scratch| {
        let (segments, all) = &mut *scratch.borrow_mut();
        segments.clear();
        all.clear();
        for (polygon, r) in ring_iter(flat) {
            let pts = &flat.points[r];
            let start = segments.len();
            let mut push = |a: [f64; 2], b: [f64; 2]| {
                if a != b {
                    segments.push((a, b));
                }
            };
            for w in pts.windows(2) {
                push(w[0], w[1]);
            }
            if pts.len() > 1 && pts.first() != pts.last() {
                push(pts[pts.len() - 1], pts[0]);
            }
            all.push((polygon, start..segments.len()));
        }
        crosses_in(segments, all)
    })
}

/// Polygons with at most this many segments are checked pair by pair; larger ones by a sweep.
const PAIRWISE_MAX: usize = 64;

/// [`crosses`] over the rings' segments: `all` holds each ring's polygon and its range in
/// `segments`.
///
/// Two segments can only touch or cross where their bounding boxes overlap, so larger polygons
/// are swept along x (segments sorted by their least x, each compared with those that start
/// before it ends) and only pairs whose boxes overlap are tested, with the same predicates as
/// every pair: the same answer in about O(n log n) for real outlines (a 1M-vertex ring in well
/// under a second) instead of O(n²).
fn crosses_in(segments: &[Segment], all: &[RingSegments]) -> bool {
    if segments.len() <= PAIRWISE_MAX {
        return crosses_pairwise(segments, all);
    }
    let mut ring_of = Vec::with_capacity(segments.len());
    for (ri, (_, r)) in all.iter().enumerate() {
        ring_of.extend(std::iter::repeat_n(ri, r.len()));
    }
    let lo = |s: &Segment, k: usize| s.0[k].min(s.1[k]);
    let hi = |s: &Segment, k: usize| s.0[k].max(s.1[k]);
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_unstable_by(|&a, &b| lo(&segments[a], 0).total_cmp(&lo(&segments[b], 0)));
    for (k, &i) in order.iter().enumerate() {
        let si = &segments[i];
        let (x_end, y_lo, y_hi) = (hi(si, 0), lo(si, 1), hi(si, 1));
        for &j in &order[k + 1..] {
            let sj = &segments[j];
            if lo(sj, 0) > x_end {
                break;
            }
            if lo(sj, 1) > y_hi || hi(sj, 1) < y_lo {
                continue;
            }
            let (i, j) = (i.min(j), i.max(j));
            if pair_meets(segments, all, (ring_of[i], i), (ring_of[j], j)) {
                return true;
            }
        }
    }
    false
}

/// [`crosses_in`] by testing every pair of segments.
fn crosses_pairwise(segments: &[Segment], all: &[RingSegments]) -> bool {
    for (ri, (_, r)) in all.iter().enumerate() {
        for i in r.clone() {
            for j in i + 1..r.end {
                if pair_meets(segments, all, (ri, i), (ri, j)) {
                    return true;
                }
            }
            for (rj, (_, r2)) in all.iter().enumerate().skip(ri + 1) {
                for j in r2.clone() {
                    if pair_meets(segments, all, (ri, i), (rj, j)) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Whether segments `i` < `j` (each with its ring's index in `all`) make the polygon invalid:
/// in one ring, non-adjacent segments that share any point or adjacent ones that fold back onto
/// each other; in two rings of one polygon, segments that cross.
fn pair_meets(
    segments: &[Segment],
    all: &[RingSegments],
    (ri, i): (usize, usize),
    (rj, j): (usize, usize),
) -> bool {
    let ((a, b), (c, d)) = (segments[i], segments[j]);
    if ri != rj {
        return all[ri].0 == all[rj].0 && segments_cross(a, b, c, d);
    }
    let ring = &all[ri].1;
    let adjacent = j == i + 1 || (i == ring.start && j == ring.end - 1);
    if !adjacent {
        return segments_touch(a, b, c, d);
    }
    // Adjacent segments may only share their common vertex: a fold back is a touch.
    let (shared, other_i, other_j) = if b == c { (b, a, d) } else { (a, b, c) };
    orient(other_i, shared, other_j) == 0.0
        && (on_segment(shared, other_i, other_j) || on_segment(shared, other_j, other_i))
}

/// The longitude step of the first ring edge longer than half the world (more than 180°): an
/// edge that crosses the antimeridian, which a local plane would draw the long way round.
fn antimeridian_step(flat: &FlatCoords) -> Option<f64> {
    ring_iter(flat).find_map(|(_, r)| {
        flat.points[r]
            .windows(2)
            .map(|w| (w[1][0] - w[0][0]).abs())
            .find(|&step| step > 180.0)
    })
}

/// The geometry of a feature with its type checked against `allowed` and its coordinates against
/// longitude/latitude range.
pub(super) fn checked<'r>(
    path: &Path,
    index: usize,
    id: &dyn Fn() -> Option<String>,
    raw: &'r RawFeature,
    allowed: &[&str],
    expected: &'static str,
) -> Result<(&'r str, &'r FlatCoords)> {
    let location = || Location::feature(path, index, id());
    let g = raw.geometry.as_ref().ok_or_else(|| Error::GeometryType {
        location: location(),
        expected,
        found: "null".to_owned(),
    })?;
    let kind = g.kind.as_deref().unwrap_or("");
    if !allowed.contains(&kind) {
        return Err(Error::GeometryType {
            location: location(),
            expected,
            found: if kind.is_empty() {
                "a geometry without \"type\"".to_owned()
            } else {
                kind.to_owned()
            },
        });
    }
    let want_depth = match kind {
        "Point" => 0,
        "MultiPoint" | "LineString" => 1,
        "Polygon" | "MultiLineString" => 2,
        _ => 3,
    };
    if g.coords.points.is_empty() {
        return Err(Error::Geometry {
            location: location(),
            message: format!("{kind} without coordinates"),
        });
    }
    if g.coords.depth != Some(want_depth) {
        return Err(Error::Geometry {
            location: location(),
            message: format!("coordinates are not nested as a {kind}'s"),
        });
    }
    for p in &g.coords.points {
        if !(p[0].is_finite()
            && p[1].is_finite()
            && (-180.0..=180.0).contains(&p[0])
            && (-90.0..=90.0).contains(&p[1]))
        {
            return Err(Error::OutOfRange {
                location: location(),
                x: p[0],
                y: p[1],
            });
        }
    }
    if kind.ends_with("Polygon") {
        if let Some(step) = antimeridian_step(&g.coords) {
            return Err(Error::Geometry {
                location: location(),
                message: format!(
                    "the polygon crosses the antimeridian (one edge steps {step}° in longitude); \
                     split it at ±180° as RFC 7946 §3.1.9 says"
                ),
            });
        }
    }
    Ok((kind, &g.coords))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat_polygon(rings: &[&[[f64; 2]]]) -> FlatCoords {
        let mut f = FlatCoords {
            depth: Some(2),
            ..FlatCoords::default()
        };
        for r in rings {
            f.points.extend_from_slice(r);
            f.ends[1].push(f.points.len());
        }
        f
    }

    #[test]
    fn square_centroid_and_hole() {
        let d = 0.001;
        let sq = [[0.0, 0.0], [d, 0.0], [d, d], [0.0, d], [0.0, 0.0]];
        let (c, p) = polygon_anchor(&flat_polygon(&[&sq]));
        assert!(p.is_none());
        assert!((c[0] - d / 2.0).abs() < 1e-12 && (c[1] - d / 2.0).abs() < 1e-9);
        // A hole in the right half pulls the centroid left.
        let hole = [
            [0.6 * d, 0.4 * d],
            [0.8 * d, 0.4 * d],
            [0.8 * d, 0.6 * d],
            [0.6 * d, 0.6 * d],
            [0.6 * d, 0.4 * d],
        ];
        let (c2, p2) = polygon_anchor(&flat_polygon(&[&sq, &hole]));
        assert!(p2.is_none());
        assert!(c2[0] < c[0]);
    }

    /// The rings of `flat` as [`crosses`] builds them, for calling the two checks directly.
    fn segments_of(flat: &FlatCoords) -> (Vec<Segment>, Vec<RingSegments>) {
        crosses(flat);
        SEGMENTS.with(|s| s.borrow().clone())
    }

    #[test]
    fn sweep_and_pairwise_agree() {
        // Rings of 65–200 vertices jittered on a coarse grid, so that touches, shared vertices,
        // folds and crossings all happen; holes and second polygons too.
        let mut state = 7u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let (mut crossing, mut clean) = (0, 0);
        for round in 0..400 {
            let mut f = FlatCoords {
                depth: Some(3),
                ..FlatCoords::default()
            };
            for polygon in 0..1 + next(2) {
                for _ring in 0..1 + next(2) {
                    let n = 65 + next(136) as usize;
                    let spread = if round % 2 == 0 { 4.0 } else { 400.0 };
                    for k in 0..n {
                        let a = k as f64 / n as f64 * std::f64::consts::TAU;
                        let jitter = next(3) as f64 - 1.0;
                        let r = 100.0 + jitter * spread / 100.0 + polygon as f64 * 30.0;
                        f.points
                            .push([(r * a.cos()).round(), (r * a.sin()).round()]);
                    }
                    f.points.push(f.points[f.points.len() - n]);
                    f.ends[1].push(f.points.len());
                }
                f.ends[2].push(f.ends[1].len());
            }
            let (segments, all) = segments_of(&f);
            let sweep = crosses_in(&segments, &all);
            assert_eq!(sweep, crosses_pairwise(&segments, &all), "round {round}");
            if sweep {
                crossing += 1;
            } else {
                clean += 1;
            }
        }
        assert!(
            crossing > 20 && clean > 20,
            "{crossing} crossing, {clean} clean"
        );
    }

    #[test]
    fn a_million_vertex_ring_is_checked_quickly() {
        let n = 1_000_000;
        let mut ring: Vec<[f64; 2]> = (0..n)
            .map(|k| {
                let a = k as f64 / n as f64 * std::f64::consts::TAU;
                [121.33 + 0.01 * a.cos(), 30.72 + 0.01 * a.sin()]
            })
            .collect();
        ring.push(ring[0]);
        let started = std::time::Instant::now();
        let (_, problem) = polygon_anchor(&flat_polygon(&[&ring]));
        assert_eq!(problem, None);
        // Pair by pair this took hours; even unoptimised, the sweep takes seconds.
        assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    }

    #[test]
    fn problems_are_found() {
        let bow = [[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
        assert_eq!(
            polygon_anchor(&flat_polygon(&[&bow])).1,
            Some(PolygonProblem::SelfIntersection)
        );
        let open = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]];
        assert_eq!(
            polygon_anchor(&flat_polygon(&[&open])).1,
            Some(PolygonProblem::UnclosedRing)
        );
        let sq = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]];
        let away = [[3.0, 0.0], [4.0, 0.0], [4.0, 1.0], [3.0, 1.0], [3.0, 0.0]];
        let (anchor, problem) = polygon_anchor(&flat_polygon(&[&sq, &away]));
        assert_eq!(problem, Some(PolygonProblem::HoleOutsideShell));
        // Read by the even-odd rule: two unit squares, centred between them.
        assert!((anchor[0] - 2.0).abs() < 0.01 && (anchor[1] - 0.5).abs() < 0.01);
        // A hole touching its shell from inside at a vertex is valid.
        let corner = [[0.0, 0.0], [0.5, 0.2], [0.2, 0.5], [0.0, 0.0]];
        assert_eq!(polygon_anchor(&flat_polygon(&[&sq, &corner])).1, None);
        let flat_line = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 0.0]];
        assert!(polygon_anchor(&flat_polygon(&[&flat_line])).1.is_some());
    }
}
