//! Area mode (`--measure area`, straight line): the share of each block's area that lies within
//! D/detour of a station entrance, with walksheds as regular polygons (`docs/method.md`, Area
//! mode).
//!
//! Each block is computed on its own, in a local frame centred on its bounding box (geo's boolean
//! operations snap to an integer grid scaled to their inputs' extent, so small coordinates keep
//! them exact to well below a millimetre), against only the disks that can reach it (an R-tree
//! query of station entrances within `radius + block radius`). Two fast paths skip the overlay:
//! no disk reaches the block (fraction 0), or one disk polygon holds every vertex of the block
//! (fraction 1, the disk being convex).

use geo::{unary_union, Area, BooleanOps, Coord, LineString, MultiPolygon, OpType, Polygon};
use rayon::prelude::*;
use rstar::{primitives::GeomWithData, RTree};

use crate::error::{Error, Result};
use crate::project::XY;

/// A block as area mode sees it, in the metric plane.
///
/// # Units
///
/// Metres (plane coordinates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockOutline {
    /// The block's anchor (its centroid, or its point for a Point block). Used only when the
    /// block has no area: see [`AreaModel::covered_fractions`].
    pub anchor: XY,
    /// The block's rings — shells and holes of all its parts, in any order and orientation,
    /// closed or not. The block is the set of points inside an odd number of rings (the
    /// even-odd rule): a valid polygon or multipolygon is itself, a self-crossing "bow-tie"
    /// ring is its two triangles.
    pub rings: Vec<Vec<XY>>,
}

/// Area mode: straight-line walksheds as regular polygons, intersected with block areas.
///
/// A station entrance's walkshed for a threshold `D` is the regular polygon of `sides` sides
/// **inscribed** in the circle of radius `D / detour`, with a vertex due east of the centre
/// (angle 0) — the construction of shapely/GEOS `buffer(r, quad_segs = sides / 4)`, whose area
/// is `sides / 2 · r² · sin(2π / sides)` (0.16 % below the circle's at 64 sides).
///
/// # Examples
///
/// ```
/// use walkshed::{AreaModel, BlockOutline};
/// // A 100 m × 100 m block whose west half lies within 1 km of a station 1,000 m to the west
/// // of its centre: the 64-gon's east vertex is the block's centre, and its two flat edges
/// // leave out 2,500 m² · tan(π/64) ≈ 123 m², so 48.8 % is covered.
/// let block = BlockOutline {
///     anchor: [0.0, 0.0],
///     rings: vec![vec![[-50.0, -50.0], [50.0, -50.0], [50.0, 50.0], [-50.0, 50.0]]],
/// };
/// let model = AreaModel::new(1.0, 64)?;
/// let fractions = model.covered_fractions(&[block], &[vec![[-1000.0, 0.0]]], &[1000.0, 2000.0]);
/// assert!((fractions[0][0] - 0.4877).abs() < 1e-4);
/// assert_eq!(fractions[0][1], 1.0);
/// # Ok::<(), walkshed::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaModel {
    detour: f64,
    sides: usize,
}

impl AreaModel {
    /// Sides of the disk polygons unless told otherwise: 64, the polygon that shapely's
    /// `Point.buffer(r, quad_segs=16)` (GEOS) builds.
    pub const DEFAULT_SIDES: usize = 64;

    /// An area model with the detour factor (finite, ≥ 1) and disk polygons of `sides` sides
    /// (at least 64, a multiple of 4 so that the polygon matches GEOS's buffer).
    pub fn new(detour: f64, sides: usize) -> Result<Self> {
        if !(detour.is_finite() && detour >= 1.0) {
            return Err(Error::parameter(
                "--detour",
                format!("expected a finite number ≥ 1, found {detour}"),
            ));
        }
        if sides < Self::DEFAULT_SIDES || !sides.is_multiple_of(4) {
            return Err(Error::parameter(
                "disk sides",
                format!(
                    "expected a multiple of 4, at least {}, found {sides}",
                    Self::DEFAULT_SIDES
                ),
            ));
        }
        Ok(AreaModel { detour, sides })
    }

    /// The detour factor.
    pub fn detour(&self) -> f64 {
        self.detour
    }

    /// Sides of each disk polygon.
    pub fn sides(&self) -> usize {
        self.sides
    }

    /// Per block (input order) and per threshold (given order), the covered fraction of the
    /// block's area, in [0, 1]: `area(block ∩ ⋃ disks of radius D/detour) / area(block)`.
    ///
    /// `entrances[s]` holds station `s`'s entrances in the plane; non-finite points are ignored.
    /// Non-finite block vertices are dropped, and rings left with fewer than three distinct
    /// vertices are dropped. A block with no area left (a Point block, or degenerate rings)
    /// falls back to its anchor: fraction 1 when the anchor is within `D/detour` of an entrance
    /// (the straight-line model's test), else 0 (also for a non-finite anchor). The result does
    /// not depend on the number of threads.
    ///
    /// # Units
    ///
    /// Thresholds in metres of walk; coordinates in plane metres.
    pub fn covered_fractions(
        &self,
        blocks: &[BlockOutline],
        entrances: &[Vec<XY>],
        thresholds_m: &[f64],
    ) -> Vec<Vec<f64>> {
        self.covered_fractions_by(blocks.len(), |i| blocks[i].clone(), entrances, thresholds_m)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// [`covered_fractions`](Self::covered_fractions) of `count` blocks made one at a time by
    /// `block(i)` (so that a million blocks need not be held in the plane at once), each with
    /// the [`AreaBasis`] its fractions rest on.
    pub fn covered_fractions_by(
        &self,
        count: usize,
        block: impl Fn(usize) -> BlockOutline + Sync,
        entrances: &[Vec<XY>],
        thresholds_m: &[f64],
    ) -> Vec<(AreaBasis, Vec<f64>)> {
        let tree = entrance_tree(entrances);
        let radii: Vec<f64> = thresholds_m
            .iter()
            .map(|d| (d / self.detour).max(0.0))
            .collect();
        (0..count)
            .into_par_iter()
            .map(|i| self.block_fractions(&block(i), &tree, &radii))
            .collect()
    }

    /// One block's fractions, one per radius, and what they rest on.
    fn block_fractions(
        &self,
        block: &BlockOutline,
        tree: &EntranceTree,
        radii: &[f64],
    ) -> (AreaBasis, Vec<f64>) {
        let Some(outline) = LocalOutline::new(&block.rings) else {
            return (
                AreaBasis::Anchor,
                anchor_fractions(block.anchor, tree, radii),
            );
        };
        // Most blocks lie wholly inside the nearest entrance's 64-gon or beyond every disk: the
        // nearest entrance settles them without gathering the others (same answers as the
        // overlay path, whose first tests these are).
        let nearest = tree
            .nearest_neighbor(&outline.centre)
            .map(|e| (e.geom()[0] - outline.centre[0]).hypot(e.geom()[1] - outline.centre[1]));
        let settled: Vec<Option<f64>> = radii
            .iter()
            .map(|&r| self.settled(nearest, outline.radius, r))
            .collect();
        let max_r = radii
            .iter()
            .zip(&settled)
            .filter(|(_, s)| s.is_none())
            .map(|(&r, _)| r)
            .fold(f64::NEG_INFINITY, f64::max);
        if max_r == f64::NEG_INFINITY {
            return (outline.basis, settled.into_iter().flatten().collect());
        }
        let reach = max_r + outline.radius;
        let mut near: Vec<(u32, XY, f64)> = tree
            .locate_within_distance(outline.centre, reach * reach)
            .map(|e| {
                let local = [
                    e.geom()[0] - outline.centre[0],
                    e.geom()[1] - outline.centre[1],
                ];
                (e.data, local, local[0].hypot(local[1]))
            })
            .collect();
        near.sort_by_key(|e| e.0);
        let fractions = radii
            .iter()
            .zip(settled)
            .map(|(&r, s)| s.unwrap_or_else(|| self.fraction(&outline, &near, r)))
            .collect();
        (outline.basis, fractions)
    }

    /// The fraction at radius `r` of a block within `radius` of its frame's origin, when the
    /// distance `nearest` from the origin to the nearest entrance settles it: 0 when no disk
    /// can reach the block (or `r` ≤ 0, or there is no entrance), 1 when the block lies inside
    /// the circle inscribed in the nearest entrance's polygon; `None` otherwise.
    fn settled(&self, nearest: Option<f64>, radius: f64, r: f64) -> Option<f64> {
        let apothem = r * (std::f64::consts::PI / self.sides as f64).cos();
        match nearest {
            _ if r <= 0.0 => Some(0.0),
            None => Some(0.0),
            Some(d) if d > r + radius => Some(0.0),
            Some(d) if d + radius <= apothem => Some(1.0),
            Some(_) => None,
        }
    }

    /// The covered fraction of `outline` by disks of radius `r` around the `near` entrances (local
    /// frame, with their distances from the frame's origin).
    fn fraction(&self, outline: &LocalOutline, near: &[(u32, XY, f64)], r: f64) -> f64 {
        let reaching: Vec<XY> = near
            .iter()
            .filter(|e| e.2 <= r + outline.radius)
            .map(|e| e.1)
            .collect();
        if reaching.is_empty() || r <= 0.0 {
            return 0.0;
        }
        let sides = self.sides;
        let holds_all = |c: &XY| {
            outline
                .vertices()
                .all(|p| in_regular_polygon(p, *c, r, sides))
        };
        if reaching.iter().any(holds_all) {
            return 1.0;
        }
        let disks: Vec<Polygon> = reaching
            .iter()
            .map(|&c| disk_polygon(c, r, sides))
            .collect();
        let union = if disks.len() == 1 {
            MultiPolygon(disks)
        } else {
            unary_union(&disks)
        };
        let covered = outline.polygons.intersection(&union).unsigned_area();
        (covered / outline.area).clamp(0.0, 1.0)
    }
}

/// What a block's area-mode fractions rest on: its polygon, the even-odd reading of rings that
/// do not form a valid polygon (the documented repair), or its anchor when no area is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaBasis {
    /// The rings form one valid polygon (first ring the shell, the others its holes), or a
    /// single ring: the block is that polygon.
    Polygon,
    /// The rings do not form a valid polygon (crossing rings, a shell given after its holes,
    /// several parts, a self-crossing ring): the block is the set of points inside an odd number
    /// of rings, as geo's overlay resolves it.
    EvenOdd,
    /// No ring with area is left (a Point block, or degenerate or non-finite rings): fraction 1
    /// where the anchor is within reach, else 0.
    Anchor,
}

/// Entrances in an R-tree, each with its station index.
type EntranceTree = RTree<GeomWithData<XY, u32>>;

/// The finite entrances of every station, bulk-loaded.
fn entrance_tree(entrances: &[Vec<XY>]) -> EntranceTree {
    let points = entrances
        .iter()
        .enumerate()
        .flat_map(|(s, points)| points.iter().map(move |&p| GeomWithData::new(p, s as u32)))
        .filter(|e| e.geom()[0].is_finite() && e.geom()[1].is_finite())
        .collect();
    RTree::bulk_load(points)
}

/// A block without area: 1 where its anchor is within `r` of an entrance, else 0.
fn anchor_fractions(anchor: XY, tree: &EntranceTree, radii: &[f64]) -> Vec<f64> {
    let nearest = if anchor[0].is_finite() && anchor[1].is_finite() {
        tree.nearest_neighbor(&anchor)
            .map(|e| (e.geom()[0] - anchor[0]).hypot(e.geom()[1] - anchor[1]))
    } else {
        None
    };
    radii
        .iter()
        .map(|&r| match nearest {
            Some(d) if d <= r => 1.0,
            _ => 0.0,
        })
        .collect()
}

/// A block's rings moved into a local frame centred on their bounding box, with the block's
/// even-odd area.
struct LocalOutline {
    /// The frame's origin in the plane.
    centre: XY,
    /// Largest distance from the origin to a vertex, metres.
    radius: f64,
    /// Each ring as the exterior of its own polygon, so that geo's boolean operations (even-odd
    /// fill rule) read the rings as the block.
    polygons: MultiPolygon,
    /// The block's area (even-odd), m² (> 0).
    area: f64,
    /// Whether the rings formed a valid polygon or were read by the even-odd rule.
    basis: AreaBasis,
}

impl LocalOutline {
    /// `None` when no ring with area is left after dropping non-finite and repeated vertices.
    fn new(rings: &[Vec<XY>]) -> Option<Self> {
        let rings: Vec<Vec<XY>> = rings.iter().filter_map(|r| clean_ring(r)).collect();
        let (lo, hi) = rings.iter().flatten().fold(
            ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
            |(lo, hi), p| {
                (
                    [lo[0].min(p[0]), lo[1].min(p[1])],
                    [hi[0].max(p[0]), hi[1].max(p[1])],
                )
            },
        );
        let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let polygons = MultiPolygon(
            rings
                .iter()
                .map(|ring| {
                    let local = ring.iter().map(|p| Coord {
                        x: p[0] - centre[0],
                        y: p[1] - centre[1],
                    });
                    Polygon::new(LineString::from_iter(local), vec![])
                })
                .collect(),
        );
        let radius = polygons
            .iter()
            .flat_map(|p| p.exterior().coords())
            .fold(0.0, |m: f64, c| m.max(c.x.hypot(c.y)));
        let (area, basis) = even_odd_area(&polygons);
        (area > 0.0 && area.is_finite()).then_some(LocalOutline {
            centre,
            radius,
            polygons,
            area,
            basis,
        })
    }

    /// Every vertex of every ring, local frame.
    fn vertices(&self) -> impl Iterator<Item = XY> + '_ {
        self.polygons
            .iter()
            .flat_map(|p| p.exterior().coords())
            .map(|c| [c.x, c.y])
    }
}

/// A ring without non-finite or consecutive repeated vertices, or `None` when fewer than three
/// distinct vertices remain.
fn clean_ring(ring: &[XY]) -> Option<Vec<XY>> {
    let mut out: Vec<XY> = ring
        .iter()
        .copied()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect();
    out.dedup();
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= 3).then_some(out)
}

/// The even-odd area of rings held as the exteriors of `polygons`: the area formula when they
/// form one valid polygon (the first ring the shell, the others its holes), else the area of
/// the region geo's overlay (even-odd rule) resolves them to; with the basis used.
fn even_odd_area(polygons: &MultiPolygon) -> (f64, AreaBasis) {
    use geo::Validation;
    if let Some((shell, holes)) = polygons.0.split_first() {
        let holes = holes.iter().map(|p| p.exterior().clone()).collect();
        let polygon = Polygon::new(shell.exterior().clone(), holes);
        if polygon.is_valid() {
            return (polygon.unsigned_area(), AreaBasis::Polygon);
        }
    }
    let area = polygons
        .boolean_op(&MultiPolygon::new(vec![]), OpType::Union)
        .unsigned_area();
    (area, AreaBasis::EvenOdd)
}

/// The regular polygon of `sides` sides inscribed in the circle of radius `r` around `c`,
/// counter-clockwise from the vertex at angle 0 (the [`AreaModel`] construction).
pub fn disk_polygon(c: XY, r: f64, sides: usize) -> Polygon {
    let step = std::f64::consts::TAU / sides as f64;
    let ring = (0..sides).map(|k| {
        let (sin, cos) = (step * k as f64).sin_cos();
        Coord {
            x: c[0] + r * cos,
            y: c[1] + r * sin,
        }
    });
    Polygon::new(LineString::from_iter(ring), vec![])
}

/// Whether `p` lies in (or on) the polygon [`disk_polygon`]`(c, r, sides)`: on the inner side of the
/// edge of the sector that holds it.
pub fn in_regular_polygon(p: XY, c: XY, r: f64, sides: usize) -> bool {
    let (dx, dy) = (p[0] - c[0], p[1] - c[1]);
    let d2 = dx * dx + dy * dy;
    let apothem = r * (std::f64::consts::PI / sides as f64).cos();
    if d2 <= apothem * apothem {
        return true;
    }
    if d2 > r * r {
        return false;
    }
    let step = std::f64::consts::TAU / sides as f64;
    let k = (dy.atan2(dx).rem_euclid(std::f64::consts::TAU) / step).floor();
    let (s0, c0) = (step * k).sin_cos();
    let (s1, c1) = (step * (k + 1.0)).sin_cos();
    let (ax, ay) = (r * c0, r * s0);
    let (bx, by) = (r * c1, r * s1);
    (bx - ax) * (dy - ay) - (by - ay) * (dx - ax) >= 0.0
}
