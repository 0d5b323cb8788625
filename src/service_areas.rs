//! Service areas: for each threshold, the region within D of a station, as disjoint bands
//! `[0, D1]`, `(D1, D2]`, … (`docs/method.md`, Service areas).
//!
//! - [`straight_line_bands`]: the union of the disk polygons of radius D/detour of
//!   [`AreaModel`], unioned square tile by square tile (one union of everything is slow, and
//!   tiles are independent, so they run in parallel).
//! - [`contoured_bands`]: any [`DistanceModel`] (the network model in practice), evaluated exactly
//!   at the points of a square grid, then contoured by marching squares with linear
//!   interpolation (the `contour` crate); holes are kept.
//!
//! Bands are computed in the metric plane (their area in m²) and returned in WGS84
//! longitude/latitude; [`service_areas_geojson`] writes them as a GeoJSON FeatureCollection.

use contour::ContourBuilder;
use geo::{
    orient::Direction, unary_union, Area, BooleanOps, Coord, LineString, MapCoords, MultiPolygon,
    Orient, Polygon,
};
use rayon::prelude::*;
use rstar::RTree;

use crate::coverage::{disk_polygon, in_regular_polygon, AreaModel, DistanceModel};
use crate::error::{Error, Result};
use crate::index::StationIndex;
use crate::project::{Projection, XY};

/// One band of a service area: the points whose distance to the nearest station is in
/// `(from_m, to_m]` (`[0, to_m]` for the first band).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// 1 for the first threshold, 2 for the second, …
    pub band: usize,
    /// Lower bound of the band's distances, metres (0 for the first band; excluded otherwise).
    pub from_m: f64,
    /// Upper bound (included), metres: the band's threshold.
    pub to_m: f64,
    /// Area of the band in the metric plane, m².
    pub area_m2: f64,
    /// Population of the blocks whose anchor's distance (by the same model as the band) is in
    /// the band.
    pub population: f64,
    /// The band in WGS84 longitude/latitude, exteriors counter-clockwise, holes clockwise.
    pub geometry: MultiPolygon,
}

/// Blocks as points with a population, for the population of each band.
#[derive(Debug, Clone, Copy)]
pub struct Residents<'a> {
    /// Block anchors in the plane, metres.
    pub anchors: &'a [XY],
    /// Population of each block, same order.
    pub population: &'a [f64],
}

/// Straight-line service areas: band `k` is `U_k \ U_(k−1)`, where `U_k` is the union of the
/// [`disk_polygon`]s of radius `D_k / detour` (with `model`'s sides) around every finite station
/// entrance. Thresholds are sorted and deduplicated (non-positive and non-finite ones dropped).
/// Populations follow the straight-line model: a block counts in the band of
/// `detour × |anchor − nearest entrance|`.
///
/// # Units
///
/// Thresholds in metres of walk; entrances and anchors in plane metres.
pub fn straight_line_bands(
    model: &AreaModel,
    entrances: &[Vec<XY>],
    thresholds_m: &[f64],
    residents: Residents<'_>,
    projection: &Projection,
) -> Vec<Band> {
    let thresholds = sorted_thresholds(thresholds_m);
    let mut points: Vec<XY> = entrances
        .iter()
        .flatten()
        .copied()
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .collect();
    points.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    points.dedup();
    let radii: Vec<f64> = thresholds.iter().map(|d| d / model.detour()).collect();
    let regions: Vec<MultiPolygon> = (0..radii.len())
        .into_par_iter()
        .map(|k| {
            let inner = k.checked_sub(1).map(|j| radii[j]);
            disk_band(&points, radii[k], inner, model.sides())
        })
        .collect();
    let index = StationIndex::new(entrances);
    let distances: Vec<Option<f64>> = index
        .nearest_all(residents.anchors)
        .into_iter()
        .map(|n| n.map(|(_, d)| d * model.detour()))
        .collect();
    bands(regions, &thresholds, &distances, residents, projection)
}

/// The grid of [`contoured_bands`]: its spacing, at most 25 m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceGrid {
    spacing_m: f64,
}

impl ServiceGrid {
    /// The largest spacing allowed (and the default), metres.
    pub const MAX_SPACING_M: f64 = 25.0;

    /// Grid points are at most this many (about 2 GB of work); a larger grid is an error.
    pub const MAX_POINTS: usize = 50_000_000;

    /// A grid of spacing `spacing_m`, which must be in (0, 25] metres.
    pub fn new(spacing_m: f64) -> Result<Self> {
        if spacing_m > 0.0 && spacing_m <= Self::MAX_SPACING_M {
            Ok(ServiceGrid { spacing_m })
        } else {
            Err(Error::parameter(
                "--service-grid",
                format!("expected a spacing in (0, 25] metres, found {spacing_m}"),
            ))
        }
    }

    /// The spacing, metres.
    pub fn spacing_m(&self) -> f64 {
        self.spacing_m
    }
}

impl Default for ServiceGrid {
    fn default() -> Self {
        ServiceGrid {
            spacing_m: Self::MAX_SPACING_M,
        }
    }
}

/// Service areas under any distance model (the network model in practice), by contouring.
///
/// The grid covers the finite entrances' bounding box widened by the largest threshold plus two
/// spacings (enough for every model whose distance is at least the straight-line distance from
/// an entrance, as the network model's is). Each grid point is measured by `model.measure` exactly
/// as a block anchor (network: snap, off-network limit, Dijkstra bound `D_max + 2 spacings`);
/// unreached and off-network points take the distance `D_max + 2 spacings`. The region
/// `distance ≤ D_k` is contoured by marching squares with linear interpolation between grid
/// points, so every grid point lies in the band of its own distance; band `k` is
/// `U_k \ U_(k−1)`. Populations: a block counts in the band of its anchor's distance by `model`.
///
/// Errors when the grid would have more than [`ServiceGrid::MAX_POINTS`] points.
///
/// # Units
///
/// Thresholds in metres of walk; entrances and anchors in plane metres.
pub fn contoured_bands(
    model: &dyn DistanceModel,
    entrances: &[Vec<XY>],
    thresholds_m: &[f64],
    grid: ServiceGrid,
    residents: Residents<'_>,
    projection: &Projection,
) -> Result<Vec<Band>> {
    let thresholds = sorted_thresholds(thresholds_m);
    let Some(&d_max) = thresholds.last() else {
        return Ok(vec![]);
    };
    let s = grid.spacing_m;
    let cap = d_max + 2.0 * s;
    let points = grid_points(entrances, cap, s)?;
    let regions: Vec<MultiPolygon> = match &points {
        None => vec![MultiPolygon::new(vec![]); thresholds.len()],
        Some(g) => {
            let measured = model.measure(entrances, &g.points, cap);
            let values: Vec<f64> = measured
                .blocks
                .iter()
                .map(|m| -m.distance_m.map_or(cap, |d| d.min(cap)))
                .collect();
            contour_regions(g, &values, &thresholds)
        }
    };
    let distances: Vec<Option<f64>> = model
        .measure(entrances, residents.anchors, d_max)
        .blocks
        .iter()
        .map(|m| m.distance_m)
        .collect();
    Ok(bands(
        regions,
        &thresholds,
        &distances,
        residents,
        projection,
    ))
}

/// A row-major grid of plane points (`points[row * columns + column]`), rows going north.
struct Grid {
    origin: XY,
    spacing_m: f64,
    columns: usize,
    rows: usize,
    points: Vec<XY>,
}

/// The grid over the entrances' bounding box widened by `margin_m`, or `None` with no finite
/// entrance.
fn grid_points(entrances: &[Vec<XY>], margin_m: f64, spacing_m: f64) -> Result<Option<Grid>> {
    let finite = entrances
        .iter()
        .flatten()
        .filter(|p| p[0].is_finite() && p[1].is_finite());
    let (lo, hi) = finite.fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        },
    );
    if lo[0] > hi[0] {
        return Ok(None);
    }
    let origin = [lo[0] - margin_m, lo[1] - margin_m];
    let count = |extent: f64| ((extent + 2.0 * margin_m) / spacing_m).ceil() + 1.0;
    let (columns, rows) = (count(hi[0] - lo[0]), count(hi[1] - lo[1]));
    if columns * rows > ServiceGrid::MAX_POINTS as f64 {
        return Err(Error::parameter(
            "--service-grid",
            format!(
                "a grid of {columns} × {rows} points at {spacing_m} m is larger than {} points",
                ServiceGrid::MAX_POINTS
            ),
        ));
    }
    let (columns, rows) = (columns as usize, rows as usize);
    let points = (0..rows * columns)
        .map(|i| {
            let (row, column) = (i / columns, i % columns);
            [
                origin[0] + column as f64 * spacing_m,
                origin[1] + row as f64 * spacing_m,
            ]
        })
        .collect();
    Ok(Some(Grid {
        origin,
        spacing_m,
        columns,
        rows,
        points,
    }))
}

/// The bands from grid values (negated distances): `U_k` is the contour `value ≥ −D_k`.
fn contour_regions(grid: &Grid, values: &[f64], thresholds: &[f64]) -> Vec<MultiPolygon> {
    // The contour crate (as d3-contour) puts value `i` at coordinate `i + 0.5`.
    let half = grid.spacing_m / 2.0;
    let builder = ContourBuilder::new(grid.columns, grid.rows, true)
        .x_origin(grid.origin[0] - half)
        .y_origin(grid.origin[1] - half)
        .x_step(grid.spacing_m)
        .y_step(grid.spacing_m);
    let levels: Vec<f64> = thresholds.iter().map(|d| -d).collect();
    // The values match the grid's size and thresholds are finite: contour cannot fail here.
    let unions: Vec<MultiPolygon> = match builder.contours(values, &levels) {
        Ok(contours) => contours.into_iter().map(|c| c.into_inner().0).collect(),
        Err(_) => vec![MultiPolygon::new(vec![]); thresholds.len()],
    };
    (0..unions.len())
        .into_par_iter()
        .map(|k| match k.checked_sub(1) {
            None => unions[k].clone(),
            Some(j) => unions[k].difference(&unions[j]),
        })
        .collect()
}

/// Band regions (plane) → [`Band`]s with areas, populations and WGS84 geometry.
fn bands(
    regions: Vec<MultiPolygon>,
    thresholds: &[f64],
    distances: &[Option<f64>],
    residents: Residents<'_>,
    projection: &Projection,
) -> Vec<Band> {
    let mut population = vec![0.0; thresholds.len()];
    for (d, p) in distances.iter().zip(residents.population) {
        if let Some(k) = d.and_then(|d| thresholds.iter().position(|&t| d <= t)) {
            population[k] += p;
        }
    }
    regions
        .into_par_iter()
        .enumerate()
        .map(|(k, region)| {
            let region = region.orient(Direction::Default);
            Band {
                band: k + 1,
                from_m: if k == 0 { 0.0 } else { thresholds[k - 1] },
                to_m: thresholds[k],
                area_m2: region.unsigned_area(),
                population: population[k],
                geometry: region.map_coords(|c| {
                    let [lon, lat] = projection.inverse([c.x, c.y]);
                    Coord { x: lon, y: lat }
                }),
            }
        })
        .collect()
}

/// Positive finite thresholds, ascending, without repeats.
fn sorted_thresholds(thresholds_m: &[f64]) -> Vec<f64> {
    let mut t: Vec<f64> = thresholds_m
        .iter()
        .copied()
        .filter(|d| d.is_finite() && *d > 0.0)
        .collect();
    t.sort_by(f64::total_cmp);
    t.dedup();
    t
}

/// Side of the square tiles [`disk_band`] works in, for disks of radius at least `r`: half of
/// it, within [50 m, 1 km] — small enough that where stations are dense one disk often holds a
/// whole tile, which then needs no overlay at all.
fn tile_side(r: f64) -> f64 {
    (r / 2.0).clamp(50.0, 1000.0)
}

/// `⋃ disks(r) \ ⋃ disks(inner)` over `points`, computed tile by tile.
///
/// The plane is cut into squares of side [`tile_side`] (of the inner radius, if any) on a grid anchored at the plane's
/// origin. In each square that a disk reaches, each union is the whole square when one disk
/// holds its four corners (the disk polygons being convex), else the union of the disks clipped
/// to the square; the band piece is the outer union less the inner one. Squares are independent
/// (run in parallel, in a fixed order), and a union of one square's disks is small where one of
/// everything would be one giant overlay of crossing disks. The squares' pieces, which meet
/// only along square edges, are then dissolved into the band (holes kept): a light overlay, as
/// no two pieces cross.
fn disk_band(points: &[XY], r: f64, inner: Option<f64>, sides: usize) -> MultiPolygon {
    if points.is_empty() || r <= 0.0 {
        return MultiPolygon::new(vec![]);
    }
    let side = tile_side(inner.unwrap_or(r));
    let tree = RTree::bulk_load(points.to_vec());
    let (lo, hi) = points.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        },
    );
    let cell = |v: f64| (v / side).floor() as i64;
    let (x0, x1) = (cell(lo[0] - r), cell(hi[0] + r));
    let (y0, y1) = (cell(lo[1] - r), cell(hi[1] + r));
    let pieces: Vec<Vec<Polygon>> = reached_tiles(points, r, cell, [x0, x1], [y0, y1])
        .into_par_iter()
        .map(|(iy, ix)| {
            let tile = Tile {
                lo: [ix as f64 * side, iy as f64 * side],
                hi: [(ix + 1) as f64 * side, (iy + 1) as f64 * side],
            };
            tile.band(&tree, r, inner, sides)
        })
        .collect();
    // Pieces meet only along tile edges, never cross: dissolving them is a light overlay.
    let pieces: Vec<Polygon> = pieces.into_iter().flatten().collect();
    unary_union(&pieces)
}

/// The squares `(row, column)` of [`disk_band`] in row order: every square of the points'
/// bounding box widened by `r` when they are close together, else only the squares each point's
/// disk can reach (stations far apart, e.g. one placed in another country by mistake, would
/// otherwise make billions of empty squares). The squares no disk reaches give no piece, so both
/// lists give the same band.
fn reached_tiles(
    points: &[XY],
    r: f64,
    cell: impl Fn(f64) -> i64,
    [x0, x1]: [i64; 2],
    [y0, y1]: [i64; 2],
) -> Vec<(i64, i64)> {
    let span = |a: i64, b: i64| (b - a + 1) as u128;
    let whole = span(x0, x1) * span(y0, y1);
    let reach = |p: &XY| {
        (
            [cell(p[0] - r), cell(p[0] + r)],
            [cell(p[1] - r), cell(p[1] + r)],
        )
    };
    let per_point: u128 = points
        .iter()
        .map(|p| {
            let ([a, b], [c, d]) = reach(p);
            span(a, b) * span(c, d)
        })
        .sum();
    if whole <= per_point {
        return (y0..=y1)
            .flat_map(|iy| (x0..=x1).map(move |ix| (iy, ix)))
            .collect();
    }
    let mut tiles: Vec<(i64, i64)> = points
        .iter()
        .flat_map(|p| {
            let ([a, b], [c, d]) = reach(p);
            (c..=d).flat_map(move |iy| (a..=b).map(move |ix| (iy, ix)))
        })
        .collect();
    tiles.sort_unstable();
    tiles.dedup();
    tiles
}

/// One square of [`disk_band`], corners in plane metres.
struct Tile {
    lo: XY,
    hi: XY,
}

/// The union of some disks within a [`Tile`].
enum TileUnion {
    /// No disk reaches the tile.
    Empty,
    /// One disk holds the whole tile.
    Full,
    /// The union of the disks clipped to the tile.
    Part(MultiPolygon),
}

impl Tile {
    /// The band's pieces in this tile.
    fn band(&self, tree: &RTree<XY>, r: f64, inner: Option<f64>, sides: usize) -> Vec<Polygon> {
        let outer = self.union(tree, r, sides);
        if matches!(outer, TileUnion::Empty) {
            return vec![];
        }
        let inner = inner.map_or(TileUnion::Empty, |ri| self.union(tree, ri, sides));
        match (outer, inner) {
            (TileUnion::Empty, _) | (_, TileUnion::Full) => vec![],
            (TileUnion::Full, TileUnion::Empty) => vec![self.polygon()],
            (TileUnion::Full, TileUnion::Part(i)) => {
                MultiPolygon(vec![self.polygon()]).difference(&i).0
            }
            (TileUnion::Part(o), TileUnion::Empty) => o.0,
            (TileUnion::Part(o), TileUnion::Part(i)) => o.difference(&i).0,
        }
    }

    /// The union of the disks of radius `r` around the points of `tree`, within the tile.
    fn union(&self, tree: &RTree<XY>, r: f64, sides: usize) -> TileUnion {
        let centre = [
            (self.lo[0] + self.hi[0]) / 2.0,
            (self.lo[1] + self.hi[1]) / 2.0,
        ];
        let half = (self.hi[0] - self.lo[0]) / 2.0 * std::f64::consts::SQRT_2;
        let mut near: Vec<XY> = tree
            .locate_within_distance(centre, (r + half) * (r + half))
            .copied()
            .filter(|p| {
                let dx = (self.lo[0] - p[0]).max(p[0] - self.hi[0]).max(0.0);
                let dy = (self.lo[1] - p[1]).max(p[1] - self.hi[1]).max(0.0);
                dx * dx + dy * dy <= r * r
            })
            .collect();
        if near.is_empty() {
            return TileUnion::Empty;
        }
        let corners = self.corners();
        if near
            .iter()
            .any(|&c| corners.iter().all(|&k| in_regular_polygon(k, c, r, sides)))
        {
            return TileUnion::Full;
        }
        // A fixed order: the tree's order of results is its own.
        near.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        let clipped: Vec<Polygon> = near
            .iter()
            .filter_map(|&c| self.clip(&disk_polygon(c, r, sides)))
            .collect();
        TileUnion::Part(match clipped.len() {
            0 => MultiPolygon::new(vec![]),
            1 => MultiPolygon(clipped),
            _ => unary_union(&clipped),
        })
    }

    /// The tile's corners, counter-clockwise from the south-west.
    fn corners(&self) -> [XY; 4] {
        let (lo, hi) = (self.lo, self.hi);
        [lo, [hi[0], lo[1]], hi, [lo[0], hi[1]]]
    }

    /// The tile as a polygon.
    fn polygon(&self) -> Polygon {
        let ring = self.corners().map(|c| Coord { x: c[0], y: c[1] });
        Polygon::new(LineString::from(ring.to_vec()), vec![])
    }

    /// A convex polygon clipped to the tile (Sutherland–Hodgman, one tile side at a time; points
    /// on a side take the side's coordinate exactly, so neighbouring tiles' pieces meet
    /// exactly), or `None` when nothing with area is left.
    fn clip(&self, convex: &Polygon) -> Option<Polygon> {
        let mut ring: Vec<XY> = convex.exterior().coords().map(|c| [c.x, c.y]).collect();
        ring.pop(); // the closing point
        for (axis, bound, keep_below) in [
            (0, self.lo[0], false),
            (0, self.hi[0], true),
            (1, self.lo[1], false),
            (1, self.hi[1], true),
        ] {
            let inside = |p: &XY| {
                if keep_below {
                    p[axis] <= bound
                } else {
                    p[axis] >= bound
                }
            };
            let mut out = Vec::with_capacity(ring.len() + 2);
            for (i, &p) in ring.iter().enumerate() {
                let q = ring[(i + 1) % ring.len()];
                if inside(&p) {
                    out.push(p);
                }
                if inside(&p) != inside(&q) {
                    let t = (bound - p[axis]) / (q[axis] - p[axis]);
                    let other = 1 - axis;
                    let mut x = [0.0; 2];
                    x[axis] = bound;
                    x[other] = p[other] + t * (q[other] - p[other]);
                    out.push(x);
                }
            }
            out.dedup();
            ring = out;
            if ring.len() < 3 {
                return None;
            }
        }
        let polygon = Polygon::new(
            LineString::from_iter(ring.iter().map(|p| Coord { x: p[0], y: p[1] })),
            vec![],
        );
        (polygon.unsigned_area() > 0.0).then_some(polygon)
    }
}

/// The bands as a GeoJSON FeatureCollection, one feature per band in band order, with the
/// properties `band`, `from_m`, `to_m`, `area_m2` and `population`.
pub fn service_areas_geojson(bands: &[Band]) -> String {
    let features = bands.iter().map(|b| {
        let mut properties = geojson::JsonObject::new();
        properties.insert("band".into(), b.band.into());
        properties.insert("from_m".into(), b.from_m.into());
        properties.insert("to_m".into(), b.to_m.into());
        properties.insert("area_m2".into(), b.area_m2.into());
        properties.insert("population".into(), b.population.into());
        geojson::Feature {
            geometry: Some(geojson::Geometry::from(&b.geometry)),
            properties: Some(properties),
            ..Default::default()
        }
    });
    geojson::FeatureCollection::new(features).to_string()
}
