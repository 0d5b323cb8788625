//! Candidate sites: given points, the centres of a square grid near the uncovered blocks, or the
//! anchors of the uncovered blocks; and the exclusion zones that drop some of them.

use geo::{BoundingRect, LineString, Polygon};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::error::{Error, Result};
use crate::project::{self, XY};

/// A place where a new station could go.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The name it is reported under: the point's `id`, the grid cell (`r{row}c{column}`), or
    /// the uncovered block's `id`.
    pub id: String,
    /// A display name, for candidates read from a point file that have one.
    pub name: Option<String>,
    /// Where it is, in the metric plane (metres).
    pub xy: XY,
}

/// The most cells [`grid`] looks at (a 10 km square at 2 m): beyond, the spacing is surely a
/// mistake, and the search would take minutes.
pub const MAX_GRID_CELLS: u64 = 25_000_000;

/// The centres of a square grid of spacing `spacing_m` that lie within straight-line
/// `reach_m` of an uncovered block's anchor (`covered[b]` false).
///
/// The grid tiles the bounding box of **all** finite anchors from its south-west corner
/// `(x0, y0)`: cell `(i, j)` has its centre at `(x0 + (i + ½)·M, y0 + (j + ½)·M)`, for
/// `i < ⌈width / M⌉` and `j < ⌈height / M⌉` (at least one of each). So the cells cover the box
/// and no more: a centre lies at most `M/2` beyond its east or north edge, and the grid does not
/// reach further out even where an uncovered block on the edge could be served from outside.
/// Candidates come row by row from the south-west (`j` outer, `i` inner) and are named
/// `r{j}c{i}`. Whatever the distance model, a centre farther than `reach_m` in a straight line
/// from every uncovered block cannot cover one (network walks are never shorter), so it is
/// dropped; the rest keep their order.
///
/// # Units
///
/// Plane metres for `anchors`, `spacing_m` and `reach_m`.
///
/// # Errors
///
/// A spacing or reach that is not a positive finite number, or a grid of more than
/// [`MAX_GRID_CELLS`] cells.
pub fn grid(
    anchors: &[XY],
    covered: &[bool],
    spacing_m: f64,
    reach_m: f64,
) -> Result<Vec<Candidate>> {
    positive("--grid", spacing_m)?;
    positive("reach", reach_m)?;
    let (lo, hi) = project::bounds(anchors.par_iter().copied().filter(|p| finite(*p)));
    if lo[0] > hi[0] {
        return Ok(Vec::new());
    }
    let cells = |extent: f64| ((extent / spacing_m).ceil() as u64).max(1);
    let (nx, ny) = (cells(hi[0] - lo[0]), cells(hi[1] - lo[1]));
    if nx.saturating_mul(ny) > MAX_GRID_CELLS {
        return Err(Error::parameter(
            "--grid",
            format!(
                "a spacing of {spacing_m} m gives {nx} × {ny} cells over the blocks, more than \
                 {MAX_GRID_CELLS}; choose a larger spacing"
            ),
        ));
    }
    let uncovered: Vec<XY> = anchors
        .iter()
        .zip(covered)
        .filter(|&(p, &c)| !c && finite(*p))
        .map(|(&p, _)| p)
        .collect();
    let tree = RTree::bulk_load(uncovered);
    let rows: Vec<Vec<Candidate>> = (0..ny)
        .into_par_iter()
        .map(|j| {
            let y = lo[1] + (j as f64 + 0.5) * spacing_m;
            (0..nx)
                .map(|i| [lo[0] + (i as f64 + 0.5) * spacing_m, y])
                .enumerate()
                .filter(|&(_, xy)| {
                    tree.locate_within_distance(xy, reach_m * reach_m)
                        .next()
                        .is_some()
                })
                .map(|(i, xy)| Candidate {
                    id: format!("r{j}c{i}"),
                    name: None,
                    xy,
                })
                .collect()
        })
        .collect();
    Ok(rows.into_iter().flatten().collect())
}

/// The anchors of the uncovered blocks (`covered[b]` false) as candidates, in block order, each
/// named by its block's `id` (`ids` in block order, as many as `anchors`).
pub fn uncovered_anchors<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    anchors: &[XY],
    covered: &[bool],
) -> Vec<Candidate> {
    ids.into_iter()
        .zip(anchors)
        .zip(covered)
        .filter(|&((_, p), &c)| !c && finite(*p))
        .map(|((id, &xy), _)| Candidate {
            id: id.to_string(),
            name: None,
            xy,
        })
        .collect()
}

/// Drops the candidates inside any of `zones` (polygons in the metric plane; a point is inside
/// a polygon when a ray from it crosses its rings, holes included, an odd number of times, so a
/// hole's inside is outside). Returns the candidates left, in their order, and how many were
/// dropped. A point exactly on a ring may fall on either side.
///
/// # Errors
///
/// When there were candidates and every one of them is inside a zone.
pub fn exclude(
    candidates: Vec<Candidate>,
    zones: &[Polygon<f64>],
) -> Result<(Vec<Candidate>, usize)> {
    let keep = outside(&candidates, zones);
    let total = candidates.len();
    let kept: Vec<Candidate> = candidates
        .into_iter()
        .zip(&keep)
        .filter(|&(_, &k)| k)
        .map(|(c, _)| c)
        .collect();
    let dropped = total - kept.len();
    if kept.is_empty() && total > 0 {
        return Err(all_excluded(total));
    }
    Ok((kept, dropped))
}

/// The error of an exclusion that leaves none of `total` candidates.
pub(crate) fn all_excluded(total: usize) -> Error {
    Error::parameter(
        "--exclude",
        format!(
            "all {total} candidate sites lie inside the exclusion zones; none is left to \
             choose from"
        ),
    )
}

/// For each candidate, whether it lies outside every zone (see [`exclude`]).
pub fn outside(candidates: &[Candidate], zones: &[Polygon<f64>]) -> Vec<bool> {
    if zones.is_empty() {
        return vec![true; candidates.len()];
    }
    let boxes: Vec<GeomWithData<Rectangle<XY>, usize>> = zones
        .iter()
        .enumerate()
        .filter_map(|(z, polygon)| {
            let r = polygon.bounding_rect()?;
            let corners = ([r.min().x, r.min().y], [r.max().x, r.max().y]);
            Some(GeomWithData::new(
                Rectangle::from_corners(corners.0, corners.1),
                z,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    candidates
        .par_iter()
        .map(|c| {
            !tree
                .locate_in_envelope_intersecting(&AABB::from_point(c.xy))
                .any(|r| inside(&zones[r.data], c.xy))
        })
        .collect()
}

/// Whether `p` is inside `polygon` by the even-odd rule over all its rings.
pub fn inside(polygon: &Polygon<f64>, p: XY) -> bool {
    std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .fold(false, |odd, ring| odd ^ crosses_odd(ring, p))
}

/// Whether a ray from `p` towards +x crosses `ring` an odd number of times (each edge taken as
/// half-open in y, so a vertex on the ray counts once).
fn crosses_odd(ring: &LineString<f64>, [x, y]: XY) -> bool {
    ring.lines().fold(false, |odd, line| {
        let (a, b) = (line.start, line.end);
        if (a.y > y) != (b.y > y) {
            let at = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x);
            odd ^ (x < at)
        } else {
            odd
        }
    })
}

fn finite(p: XY) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

fn positive(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::parameter(
            name,
            format!("expected a positive number of metres, found {value}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use geo::{polygon, Contains, Point};
    use rand::{Rng, SeedableRng};

    use super::*;

    #[test]
    fn grid_centres_are_numbered_row_by_row_from_the_south_west() {
        // Anchors span 0..250 × 0..100: ⌈250/100⌉ = 3 columns, ⌈100/100⌉ = 1 row of 100 m cells.
        let anchors = [[0.0, 0.0], [250.0, 100.0], [120.0, 40.0]];
        let all = grid(&anchors, &[false; 3], 100.0, 1000.0).unwrap();
        let got: Vec<(&str, XY)> = all.iter().map(|c| (c.id.as_str(), c.xy)).collect();
        assert_eq!(
            got,
            [
                ("r0c0", [50.0, 50.0]),
                ("r0c1", [150.0, 50.0]),
                ("r0c2", [250.0, 50.0])
            ]
        );

        // 180 × 201 m from (10, 20): 2 columns, 3 rows.
        let anchors = [[10.0, 20.0], [190.0, 221.0]];
        let all = grid(&anchors, &[false; 2], 100.0, 1000.0).unwrap();
        let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["r0c0", "r0c1", "r1c0", "r1c1", "r2c0", "r2c1"]);
        assert_eq!(all[3].xy, [160.0, 170.0]);
    }

    #[test]
    fn grid_keeps_only_centres_within_reach_of_an_uncovered_anchor() {
        // A 1 km line of anchors; only the west end is uncovered.
        let anchors: Vec<XY> = (0..=10).map(|k| [100.0 * k as f64, 0.0]).collect();
        let covered: Vec<bool> = (0..=10).map(|k| k > 0).collect();
        let kept = grid(&anchors, &covered, 100.0, 260.0).unwrap();
        let ids: Vec<&str> = kept.iter().map(|c| c.id.as_str()).collect();
        // Centres at x = 50, 150, 250 are within 260 m of (0, 0) (y = 50); 350 is not.
        assert_eq!(ids, ["r0c0", "r0c1", "r0c2"]);
        assert!(grid(&anchors, &[true; 11], 100.0, 260.0)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn grid_rejects_bad_spacing_and_huge_grids() {
        let anchors = [[0.0, 0.0], [100_000.0, 100_000.0]];
        let err = grid(&anchors, &[false; 2], 0.0, 500.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --grid: expected a positive number of metres, found 0"
        );
        let err = grid(&anchors, &[false; 2], 10.0, 500.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --grid: a spacing of 10 m gives 10000 × 10000 cells over the blocks, more \
             than 25000000; choose a larger spacing"
        );
    }

    #[test]
    fn uncovered_anchors_keep_block_ids_and_order() {
        let anchors = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]];
        let got = uncovered_anchors(["a", "b", "c"], &anchors, &[false, true, false]);
        let ids: Vec<&str> = got.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(got[1].xy, [2.0, 2.0]);
    }

    fn at(id: &str, xy: XY) -> Candidate {
        Candidate {
            id: id.into(),
            name: None,
            xy,
        }
    }

    #[test]
    fn exclusion_drops_points_inside_and_keeps_holes() {
        let zone = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        );
        let candidates = vec![
            at("in", [1.0, 1.0]),
            at("hole", [5.0, 5.0]),
            at("out", [11.0, 5.0]),
        ];
        let (kept, dropped) = exclude(candidates, std::slice::from_ref(&zone)).unwrap();
        let ids: Vec<&str> = kept.iter().map(|c| c.id.as_str()).collect();
        assert_eq!((ids, dropped), (vec!["hole", "out"], 1));

        let err = exclude(vec![at("in", [1.0, 1.0])], &[zone]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --exclude: all 1 candidate sites lie inside the exclusion zones; none is \
             left to choose from"
        );
    }

    #[test]
    fn even_odd_test_agrees_with_geo_contains_off_the_boundary() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        // A star-shaped (concave) polygon with a hole.
        let star: Vec<(f64, f64)> = (0..14)
            .map(|k| {
                let angle = k as f64 * std::f64::consts::TAU / 14.0;
                let r = if k % 2 == 0 { 100.0 } else { 45.0 };
                (r * angle.cos(), r * angle.sin())
            })
            .collect();
        let hole: Vec<(f64, f64)> = [(-10.0, -10.0), (10.0, -10.0), (0.0, 15.0)].into();
        let zone = Polygon::new(star.into(), vec![hole.into()]);
        for _ in 0..20_000 {
            let p = [rng.gen_range(-110.0..110.0), rng.gen_range(-110.0..110.0)];
            assert_eq!(
                inside(&zone, p),
                zone.contains(&Point::new(p[0], p[1])),
                "{p:?}"
            );
        }
    }
}
