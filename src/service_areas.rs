//! Service areas: for each threshold, the region within D of a station, as disjoint bands
//! `[0, D1]`, `(D1, D2]`, … (`docs/method.md`, Service areas).
//!
//! - [`straight_line_bands`]: the union of the disk polygons of radius D/detour of
//!   [`AreaModel`], unioned per cluster of overlapping disks (one union of everything is slow, and
//!   clusters are independent, so they run in parallel).
//! - [`contoured_bands`]: any [`DistanceModel`] (the network model in practice), evaluated exactly
//!   at the points of a square grid, then contoured by marching squares with linear
//!   interpolation (the `contour` crate); holes are kept.
//!
//! Bands are computed in the metric plane (their area in m²) and returned in WGS84
//! longitude/latitude; [`service_areas_geojson`] writes them as a GeoJSON FeatureCollection.

use contour::ContourBuilder;
use geo::{
    orient::Direction, unary_union, Area, BooleanOps, Coord, MapCoords, MultiPolygon, Orient,
    Polygon,
};
use rayon::prelude::*;
use rstar::{primitives::GeomWithData, RTree};

use crate::coverage::{disk_polygon, AreaModel, DistanceModel};
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

/// `⋃ disks(r) \ ⋃ disks(inner)` over `points`, computed per cluster of points whose disks of
/// radius `r` overlap (clusters of the inner radius nest in them).
fn disk_band(points: &[XY], r: f64, inner: Option<f64>, sides: usize) -> MultiPolygon {
    let pieces: Vec<MultiPolygon> = clusters(points, 2.0 * r)
        .into_par_iter()
        .map(|cluster| {
            let outer = disk_union(&cluster, r, sides);
            match inner {
                None => outer,
                Some(ri) => outer.difference(&disk_union(&cluster, ri, sides)),
            }
        })
        .collect();
    MultiPolygon(pieces.into_iter().flat_map(|m| m.0).collect())
}

/// The union of the disks of radius `r` around `centres`.
fn disk_union(centres: &[XY], r: f64, sides: usize) -> MultiPolygon {
    let disks: Vec<Polygon> = centres.iter().map(|&c| disk_polygon(c, r, sides)).collect();
    if disks.len() == 1 {
        MultiPolygon(disks)
    } else {
        unary_union(&disks)
    }
}

/// Groups of `points` linked by distances ≤ `link_m`, each in input order, ordered by their
/// first point.
fn clusters(points: &[XY], link_m: f64) -> Vec<Vec<XY>> {
    let tree = RTree::bulk_load(
        points
            .iter()
            .enumerate()
            .map(|(i, &p)| GeomWithData::new(p, i))
            .collect(),
    );
    let mut parent: Vec<usize> = (0..points.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, p) in points.iter().enumerate() {
        for near in tree.locate_within_distance(*p, link_m * link_m) {
            let (a, b) = (root(&mut parent, i), root(&mut parent, near.data));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: Vec<Vec<XY>> = Vec::new();
    let mut slot = vec![usize::MAX; points.len()];
    for (i, &p) in points.iter().enumerate() {
        let r = root(&mut parent, i);
        if slot[r] == usize::MAX {
            slot[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[r]].push(p);
    }
    groups
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
