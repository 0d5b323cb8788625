//! Area mode and service areas, against hand-computed geometry.

use std::f64::consts::PI;
use std::sync::Arc;

use geo::{unary_union, Area, BooleanOps, Contains, Coord, MapCoords, MultiPolygon, Point};
use walkshed::XY;
use walkshed::{
    contoured_bands, service_areas_geojson, straight_line_bands, Band, Residents, ServiceGrid,
};
use walkshed::{disk_polygon, AreaModel, BlockOutline};
use walkshed::{Network, NetworkModel, Projection, StraightLine, WalkLine};

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<XY> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
}

fn block(rings: Vec<Vec<XY>>) -> BlockOutline {
    BlockOutline {
        anchor: [0.0, 0.0],
        rings,
    }
}

fn fractions(blocks: &[BlockOutline], entrances: &[XY], thresholds: &[f64]) -> Vec<Vec<f64>> {
    let entrances: Vec<Vec<XY>> = entrances.iter().map(|&e| vec![e]).collect();
    AreaModel::new(1.0, 64)
        .unwrap()
        .covered_fractions(blocks, &entrances, thresholds)
}

/// The sliver between a 64-gon's flat edge and the line through its vertex at angle 0,
/// within `h` metres on each side of the vertex: `h² tan(π/64)`.
fn sliver(h: f64) -> f64 {
    h * h * (PI / 64.0).tan()
}

#[test]
fn square_half_inside_a_disk_loses_the_flat_edges_sliver() {
    // The 64-gon of radius 1 km around (−1000, 0) has its east vertex at (0, 0).
    let f = fractions(
        &[block(vec![square(-50., -50., 50., 50.)])],
        &[[-1000., 0.]],
        &[1000.],
    );
    let expected = (5000.0 - sliver(50.0)) / 10_000.0;
    assert!(
        (f[0][0] - expected).abs() < 1e-7,
        "{} vs {expected}",
        f[0][0]
    );
}

#[test]
fn block_inside_one_disk_is_covered_and_far_block_is_not() {
    let blocks = [
        block(vec![square(-50., -50., 50., 50.)]),
        block(vec![square(5000., 0., 5100., 100.)]),
    ];
    let f = fractions(&blocks, &[[-300., 0.]], &[300., 500.]);
    assert_eq!(f[0], vec![f[0][0], 1.0]);
    assert!(f[0][0] > 0.4 && f[0][0] < 0.5);
    assert_eq!(f[1], vec![0.0, 0.0]);
}

#[test]
fn hole_is_not_counted_and_ring_order_does_not_matter() {
    // The hole given first, clockwise; the shell second: the even-odd rule reads them alike.
    let mut hole = square(-10., -10., 10., 10.);
    hole.reverse();
    let b = block(vec![hole, square(-50., -50., 50., 50.)]);
    let f = fractions(&[b], &[[-1000., 0.]], &[1000.]);
    let covered = (5000.0 - sliver(50.0)) - (200.0 - sliver(10.0));
    let expected = covered / 9600.0;
    assert!(
        (f[0][0] - expected).abs() < 1e-7,
        "{} vs {expected}",
        f[0][0]
    );
}

#[test]
fn two_overlapping_disks_cover_all_but_two_slivers() {
    let f = fractions(
        &[block(vec![square(-50., -50., 50., 50.)])],
        &[[-1000., 0.], [1000., 0.], [9000., 0.]],
        &[1000.],
    );
    let expected = 1.0 - 2.0 * sliver(50.0) / 10_000.0;
    assert!(
        (f[0][0] - expected).abs() < 1e-7,
        "{} vs {expected}",
        f[0][0]
    );
}

#[test]
fn bow_tie_counts_as_its_two_triangles() {
    // Left triangle (0,0)-(50,50)-(0,100) lies inside the disk, right one outside.
    let bow_tie = vec![[0., 0.], [100., 100.], [100., 0.], [0., 100.], [0., 0.]];
    let f = fractions(&[block(vec![bow_tie])], &[[-950., 50.]], &[1000., 5000.]);
    assert!((f[0][0] - 0.5).abs() < 1e-9, "{}", f[0][0]);
    assert_eq!(f[0][1], 1.0);
}

#[test]
fn block_inside_the_circle_but_across_the_64_gon_edge_is_partly_covered() {
    // Around an entrance at the origin, r = 3 km: the 64-gon's first edge has its midpoint at
    // the apothem a = r cos(π/64) (3.6 m inside the circle), along the normal n at angle π/64.
    // A 3 m × 1 m rectangle along n from a − 2 to a + 1 lies inside the circle but one third of
    // it lies beyond the edge: the fraction is 2/3, not 1.
    let r = 3000.0;
    let a = r * (PI / 64.0).cos();
    let (n, t) = (
        [(PI / 64.0).cos(), (PI / 64.0).sin()],
        [-(PI / 64.0).sin(), (PI / 64.0).cos()],
    );
    let at = |u: f64, v: f64| [n[0] * u + t[0] * v, n[1] * u + t[1] * v];
    let ring = vec![
        at(a - 2.0, -0.5),
        at(a + 1.0, -0.5),
        at(a + 1.0, 0.5),
        at(a - 2.0, 0.5),
    ];
    assert!(ring.iter().all(|p| p[0].hypot(p[1]) < r));
    let f = fractions(&[block(vec![ring])], &[[0.0, 0.0]], &[r]);
    // (geo's overlay snaps to a grid scaled to the 3 km disk: within 1e-5 of the 3 m² block.)
    assert!((f[0][0] - 2.0 / 3.0).abs() < 1e-5, "{}", f[0][0]);
}

#[test]
fn fractions_match_one_overlay_with_every_disk() {
    // Oracle: block ∩ the union of every station's 64-gon, with no shortcut (in the global
    // frame, where geo's overlay snaps to a coarser grid: agreement to 1e-6). Rectangles of
    // 20–200 m scattered over 3 km with 40 stations, so that some blocks lie wholly inside a
    // disk, some beyond every disk and many across disk edges (fixed seed).
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(18);
    let entrances: Vec<XY> = (0..40)
        .map(|_| [rng.gen_range(0.0..3000.0), rng.gen_range(0.0..3000.0)])
        .collect();
    let blocks: Vec<BlockOutline> = (0..300)
        .map(|_| {
            let (x, y) = (rng.gen_range(0.0..3000.0), rng.gen_range(0.0..3000.0));
            let (w, h) = (rng.gen_range(20.0..200.0), rng.gen_range(20.0..200.0));
            block(vec![square(x, y, x + w, y + h)])
        })
        .collect();
    let thresholds = [150.0, 300.0, 600.0];
    let f = fractions(&blocks, &entrances, &thresholds);
    let (mut partial, mut whole, mut none) = (0, 0, 0);
    for (k, &r) in thresholds.iter().enumerate() {
        let disks: Vec<geo::Polygon> = entrances.iter().map(|&c| disk_polygon(c, r, 64)).collect();
        let union = unary_union(&disks);
        for (b, fb) in blocks.iter().zip(&f) {
            let poly = geo::Polygon::new(
                b.rings[0]
                    .iter()
                    .map(|p| Coord { x: p[0], y: p[1] })
                    .collect(),
                vec![],
            );
            let expected = MultiPolygon(vec![poly.clone()])
                .intersection(&union)
                .unsigned_area()
                / poly.unsigned_area();
            assert!((fb[k] - expected).abs() < 1e-6, "{} vs {expected}", fb[k]);
            match fb[k] {
                0.0 => none += 1,
                1.0 => whole += 1,
                _ => partial += 1,
            }
        }
    }
    assert!(
        partial > 50 && whole > 50 && none > 50,
        "{partial} {whole} {none}"
    );
}

#[test]
fn non_finite_coordinates_do_not_panic() {
    let mut ring = square(-50., -50., 50., 50.);
    ring.insert(2, [f64::NAN, 3.0]);
    let blocks = [
        block(vec![ring]),
        BlockOutline {
            anchor: [10.0, 0.0],
            rings: vec![vec![[f64::NAN, 0.0], [f64::INFINITY, 1.0], [0.0, 2.0]]],
        },
        BlockOutline {
            anchor: [f64::NAN, 0.0],
            rings: vec![],
        },
    ];
    let f = fractions(&blocks, &[[-1000., 0.], [f64::NAN, 0.0]], &[1000., 1200.]);
    let expected = (5000.0 - sliver(50.0)) / 10_000.0;
    assert!((f[0][0] - expected).abs() < 1e-7);
    assert_eq!(f[0][1], 1.0);
    // No area left: the anchor (10, 0) is 1,010 m from the entrance.
    assert_eq!(f[1], vec![0.0, 1.0]);
    assert_eq!(f[2], vec![0.0, 0.0]);
}

#[test]
fn area_model_rejects_few_sides_and_bad_detour() {
    assert!(AreaModel::new(1.0, 32).is_err());
    assert!(AreaModel::new(1.0, 66).is_err());
    assert!(AreaModel::new(0.5, 64).is_err());
    assert!(AreaModel::new(f64::NAN, 64).is_err());
    assert_eq!(AreaModel::new(1.3, 128).unwrap().sides(), 128);
}

/// A band's geometry back in the plane.
fn plane(band: &Band, projection: &Projection) -> MultiPolygon {
    band.geometry.map_coords(|c| {
        let [x, y] = projection.forward(c.x, c.y);
        Coord { x, y }
    })
}

fn residents<'a>(anchors: &'a [XY], population: &'a [f64]) -> Residents<'a> {
    Residents {
        anchors,
        population,
    }
}

#[test]
fn single_disk_band_is_the_64_gon() {
    let projection = Projection::centred_on(121.33, 30.72);
    let model = AreaModel::new(1.25, 64).unwrap();
    let anchors = [[0.0, 100.0], [0.0, 500.0]];
    let bands = straight_line_bands(
        &model,
        &[vec![[0.0, 0.0]]],
        &[500.0],
        residents(&anchors, &[7.0, 11.0]),
        &projection,
    );
    let r = 400.0;
    let gon = 32.0 * r * r * (2.0 * PI / 64.0).sin();
    assert_eq!(bands.len(), 1);
    assert!((bands[0].area_m2 - gon).abs() < 1e-6 * gon);
    assert_eq!(
        (bands[0].band, bands[0].from_m, bands[0].to_m),
        (1, 0.0, 500.0)
    );
    assert_eq!(bands[0].population, 7.0); // 125 m of walk in, 625 m out
    let lonlat = bands[0].geometry.0[0].exterior().0[0];
    assert!((lonlat.x - 121.33).abs() < 0.01 && (lonlat.y - 30.72).abs() < 0.01);
    assert!((plane(&bands[0], &projection).unsigned_area() - gon).abs() < 1e-3);
}

#[test]
fn straight_line_bands_are_disjoint_and_sum_to_the_union() {
    let projection = Projection::centred_on(24.94, 60.17);
    let model = AreaModel::new(1.0, 64).unwrap();
    let entrances: Vec<Vec<XY>> = vec![
        vec![[0.0, 0.0], [150.0, 40.0]],
        vec![[700.0, 100.0]],
        vec![[5000.0, 5000.0]],
        vec![[f64::NAN, 0.0]],
    ];
    let anchors = [[10.0, 0.0], [350.0, 0.0], [5000.0, 5600.0], [9000.0, 0.0]];
    let population = [1.0, 2.0, 4.0, 8.0];
    let thresholds = [600.0, 300.0];
    let bands = straight_line_bands(
        &model,
        &entrances,
        &thresholds,
        residents(&anchors, &population),
        &projection,
    );
    assert_eq!(bands.len(), 2);
    assert_eq!((bands[1].from_m, bands[1].to_m), (300.0, 600.0));
    assert_eq!([bands[0].population, bands[1].population], [3.0, 4.0]);
    let planes: Vec<MultiPolygon> = bands.iter().map(|b| plane(b, &projection)).collect();
    // Disjoint up to the overlay's integer grid (micrometres along the common boundary) and
    // the round trip through longitude/latitude.
    let overlap = planes[0].intersection(&planes[1]).unsigned_area();
    assert!(overlap < 1e-7 * bands[0].area_m2, "{overlap}");
    let points = [[0.0, 0.0], [150.0, 40.0], [700.0, 100.0], [5000.0, 5000.0]];
    for (k, r) in [300.0, 600.0].into_iter().enumerate() {
        let disks: Vec<_> = points.iter().map(|&c| disk_polygon(c, r, 64)).collect();
        let union = unary_union(&disks).unsigned_area();
        let sum: f64 = bands[..=k].iter().map(|b| b.area_m2).sum();
        assert!((sum - union).abs() < 1e-6 * union, "{sum} vs {union}");
    }
}

#[test]
fn contoured_bands_put_every_grid_point_in_its_band() {
    // A street 2 km long along the x axis; one station on it at its west end.
    let projection = Projection::centred_on(121.33, 30.72);
    let line: Vec<[f64; 2]> = [-1000.0, 0.0, 1000.0]
        .iter()
        .map(|&x| projection.inverse([x, 0.0]))
        .collect();
    let lines = [WalkLine {
        id: "w1".into(),
        coords: line,
    }];
    let network = Network::build(&lines, &projection);
    let model = NetworkModel::new(Arc::new(network), 60.0);
    let entrances = vec![vec![[-990.0, 3.0]]];
    let thresholds = [203.7, 401.3];
    let spacing = 10.0;
    let anchors = [[-900.0, 20.0], [-700.0, 30.0], [0.0, 0.0]];
    let bands = contoured_bands(
        &model,
        &entrances,
        &thresholds,
        ServiceGrid::new(spacing).unwrap(),
        residents(&anchors, &[1.0, 2.0, 4.0]),
        &projection,
    )
    .unwrap();
    assert_eq!([bands[0].population, bands[1].population], [1.0, 2.0]);
    let planes: Vec<MultiPolygon> = bands.iter().map(|b| plane(b, &projection)).collect();
    // Disjoint up to the overlay's integer grid (micrometres along the common boundary) and
    // the round trip through longitude/latitude.
    let overlap = planes[0].intersection(&planes[1]).unsigned_area();
    assert!(overlap < 1e-7 * bands[0].area_m2, "{overlap}");
    // The grid: the entrance's box widened by D_max + 2 spacings.
    let margin = 401.3 + 2.0 * spacing;
    let n = (2.0 * margin / spacing).ceil() as usize + 1;
    let grid: Vec<XY> = (0..n * n)
        .map(|i| {
            let (row, col) = ((i / n) as f64, (i % n) as f64);
            [
                -990.0 - margin + col * spacing,
                3.0 - margin + row * spacing,
            ]
        })
        .collect();
    use walkshed::DistanceModel;
    let measured = model.measure(&entrances, &grid, margin);
    let mut inside = 0;
    for (p, m) in grid.iter().zip(&measured.blocks) {
        let band = m
            .distance_m
            .and_then(|d| thresholds.iter().position(|&t| d <= t));
        let point = Point::new(p[0], p[1]);
        for (k, region) in planes.iter().enumerate() {
            assert_eq!(
                region.contains(&point),
                band == Some(k),
                "{p:?} {m:?} band {k}"
            );
        }
        inside += usize::from(band.is_some());
    }
    assert!(inside > 100, "{inside}");
    assert!(ServiceGrid::new(30.0).is_err() && ServiceGrid::new(0.0).is_err());
}

#[test]
fn straight_line_contours_approach_the_disk() {
    let projection = Projection::centred_on(121.33, 30.72);
    let anchors: [XY; 0] = [];
    let bands = contoured_bands(
        &StraightLine { detour: 1.0 },
        &[vec![[0.0, 0.0]]],
        &[500.0],
        ServiceGrid::new(5.0).unwrap(),
        residents(&anchors, &[]),
        &projection,
    )
    .unwrap();
    let circle = PI * 500.0 * 500.0;
    assert!(
        (bands[0].area_m2 - circle).abs() < 0.002 * circle,
        "{}",
        bands[0].area_m2
    );
}

#[test]
fn geojson_has_one_multipolygon_feature_per_band() {
    let projection = Projection::centred_on(121.33, 30.72);
    let model = AreaModel::new(1.0, 64).unwrap();
    let anchors = [[0.0, 100.0]];
    let bands = straight_line_bands(
        &model,
        &[vec![[0.0, 0.0]]],
        &[300.0, 600.0],
        residents(&anchors, &[5.0]),
        &projection,
    );
    let json: serde_json::Value = serde_json::from_str(&service_areas_geojson(&bands)).unwrap();
    let features = json["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(features[1]["geometry"]["type"], "MultiPolygon");
    let p = &features[1]["properties"];
    assert_eq!(
        (p["band"].as_u64(), p["from_m"].as_f64()),
        (Some(2), Some(300.0))
    );
    assert_eq!(features[0]["properties"]["population"].as_f64(), Some(5.0));
    // The second band is a ring: one polygon with a hole.
    let rings = features[1]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap();
    assert_eq!(rings.len(), 2);
}

#[test]
fn tiled_bands_of_dense_disks_match_one_union_of_everything() {
    // 60 disks on a jittered 120 m lattice: every tile is partly or wholly inside some disk, so
    // the tiles' fast paths (whole tile, no disk) and overlays all occur.
    let projection = Projection::centred_on(121.33, 30.72);
    let model = AreaModel::new(1.0, 64).unwrap();
    let points: Vec<XY> = (0..60)
        .map(|i| {
            let (col, row) = (f64::from(i % 10), f64::from(i / 10));
            [
                col * 120.0 + (row * 7.0) % 23.0,
                row * 120.0 - (col * 11.0) % 17.0,
            ]
        })
        .collect();
    let entrances: Vec<Vec<XY>> = points.iter().map(|&p| vec![p]).collect();
    let thresholds = [150.0, 400.0, 1000.0];
    let bands = straight_line_bands(
        &model,
        &entrances,
        &thresholds,
        residents(&[], &[]),
        &projection,
    );
    let planes: Vec<MultiPolygon> = bands.iter().map(|b| plane(b, &projection)).collect();
    for (k, r) in thresholds.into_iter().enumerate() {
        let disks: Vec<_> = points.iter().map(|&c| disk_polygon(c, r, 64)).collect();
        let union = unary_union(&disks).unsigned_area();
        let sum: f64 = bands[..=k].iter().map(|b| b.area_m2).sum();
        assert!((sum - union).abs() < 1e-6 * union, "{sum} vs {union}");
        // The band's pieces do not overlap one another: their union has their summed area.
        let dissolved = unary_union(&planes[k].0).unsigned_area();
        assert!((dissolved - planes[k].unsigned_area()).abs() < 1e-3 * union);
    }
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        assert!(planes[a].intersection(&planes[b]).unsigned_area() < 1e-2);
    }
}

mod area_runs {
    use std::path::Path;

    use serde_json::{json, Value};
    use walkshed::Measure;
    use walkshed::{CoverageOptions, Projection};

    use crate::common::{point, write_collection};

    /// A plane point of `projection` as a (lon, lat) pair.
    fn lonlat(projection: &Projection, x: f64, y: f64) -> [f64; 2] {
        projection.inverse([x, y])
    }

    fn polygon(projection: &Projection, ring: &[[f64; 2]], props: Value) -> String {
        let ring: Vec<[f64; 2]> = ring
            .iter()
            .map(|p| lonlat(projection, p[0], p[1]))
            .collect();
        json!({"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [ring]}})
        .to_string()
    }

    /// A half-covered square (100 residents), a point block within reach (50), a point block out
    /// of reach (300), and a far bow-tie (10), around one station 1 km west of the square.
    fn inputs(dir: &Path) -> CoverageOptions {
        let p = Projection::centred_on(121.33, 30.72);
        let square = [
            [-50., -50.],
            [50., -50.],
            [50., 50.],
            [-50., 50.],
            [-50., -50.],
        ];
        // Lobes of 6,667 m² and 1,667 m²: its centroid (the anchor) is near it.
        let bow_tie = [
            [0., 3000.],
            [100., 3100.],
            [100., 3000.],
            [0., 3200.],
            [0., 3000.],
        ];
        let at = |x: f64, y: f64, props: Value| {
            let [lon, lat] = lonlat(&p, x, y);
            point(lon, lat, props)
        };
        let blocks = vec![
            polygon(&p, &square, json!({"id": "half", "population": 100})),
            at(-1500.0, 0.0, json!({"id": "near", "population": 50})),
            at(3000.0, 0.0, json!({"id": "far", "population": 300})),
            polygon(&p, &bow_tie, json!({"id": "bow", "population": 10})),
        ];
        let stations = vec![at(-1000.0, 0.0, json!({"id": "S"}))];
        CoverageOptions {
            stations: Some(write_collection(dir, "stations.geojson", &stations)),
            blocks: Some(write_collection(dir, "blocks.geojson", &blocks)),
            distance: Some(vec![1000.0, 2000.0]),
            detour: 1.0,
            measure: Measure::Area,
            ..CoverageOptions::default()
        }
    }

    fn read(path: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn area_mode_counts_population_times_fraction() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let job = inputs(dir.path()).job(None, out.clone()).unwrap();
        let summary = walkshed::run(&job, &mut |_| {}).unwrap();
        // The doc example's fraction: half the square less the 64-gon's sliver.
        let half = (5000.0 - 2500.0 * (std::f64::consts::PI / 64.0).tan()) / 10_000.0;
        let covered = summary.coverage[0].population_covered;
        assert!((covered - (100.0 * half + 50.0)).abs() < 1e-2, "{covered}");
        assert_eq!(summary.coverage[0].blocks_covered, 1);
        assert_eq!(summary.coverage[1].population_covered, 150.0);
        assert_eq!(summary.coverage[1].blocks_covered, 2);

        let json = read(&out.join("summary.json"));
        assert_eq!(json["parameters"]["measure"], "area");
        assert_eq!(json["parameters"]["disk_sides"], 64);
        assert_eq!(
            json["area_bases"],
            json!({"polygon": 1, "even_odd": 1, "anchor": 2})
        );

        let blocks = read(&out.join("blocks.geojson"));
        let props = |i: usize| &blocks["features"][i]["properties"];
        let fraction = props(0)["ws_fraction_1000m"].as_f64().unwrap();
        assert!((fraction - half).abs() < 1e-4, "{fraction}");
        assert_eq!(props(0)["ws_covered_1000m"], false);
        assert_eq!(props(0)["ws_fraction_2000m"], 1);
        assert_eq!(props(0)["ws_covered_2000m"], true);
        assert_eq!(props(1)["ws_fraction_1000m"], 1);
        assert_eq!(props(2)["ws_fraction_2000m"], 0);
        assert_eq!(props(3)["ws_fraction_2000m"], 0);

        let svg = std::fs::read_to_string(out.join("gaps.svg")).unwrap();
        assert!(svg.contains("class=\"partial\" data-uncovered=\"0.5\""));
        assert!(svg.contains("residents by share of block area within reach"));
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains("times the share of its area within D/detour"));
        assert!(!html.contains("straight line from each block"));

        // Both bands hold the square's anchor (at 1 km, on the edge) and the near block.
        let areas = read(&out.join("service_areas.geojson"));
        let features = areas["features"].as_array().unwrap();
        assert_eq!(features.len(), 2);
        let population: f64 = features
            .iter()
            .map(|f| f["properties"]["population"].as_f64().unwrap())
            .sum();
        assert_eq!(population, 150.0);
        let r: f64 = 1000.0;
        let gon = 32.0 * r * r * (2.0 * std::f64::consts::PI / 64.0).sin();
        let area = features[0]["properties"]["area_m2"].as_f64().unwrap();
        assert!((area - gon).abs() < 1e-6 * gon, "{area} vs {gon}");
        assert_eq!(features[0]["geometry"]["type"], "MultiPolygon");
    }

    #[test]
    fn a_valid_multipolygon_is_a_polygon_not_a_repair() {
        let dir = tempfile::tempdir().unwrap();
        let p = Projection::centred_on(121.33, 30.72);
        let square = |x: f64| {
            let ring: Vec<[f64; 2]> = [[0., 0.], [20., 0.], [20., 20.], [0., 20.], [0., 0.]]
                .iter()
                .map(|c| lonlat(&p, x + c[0], c[1]))
                .collect();
            vec![ring]
        };
        // Two 20 m squares 30 m apart, both within 100 m of the station between them.
        let two = json!({"type": "Feature", "properties": {"id": "two", "population": 40},
            "geometry": {"type": "MultiPolygon", "coordinates": [square(-30.0), square(10.0)]}});
        let [lon, lat] = lonlat(&p, 0.0, 10.0);
        let mut options = inputs(dir.path());
        options.blocks = Some(write_collection(
            dir.path(),
            "two.geojson",
            &[two.to_string()],
        ));
        options.stations = Some(write_collection(
            dir.path(),
            "one.geojson",
            &[point(lon, lat, json!({"id": "S"}))],
        ));
        options.distance = Some(vec![100.0]);
        options.outputs = "summary".to_owned();
        let out = dir.path().join("out");
        let summary = walkshed::run(&options.job(None, out.clone()).unwrap(), &mut |_| {}).unwrap();
        assert_eq!(summary.coverage[0].population_covered, 40.0);
        let json = read(&out.join("summary.json"));
        assert_eq!(
            json["area_bases"],
            json!({"polygon": 1, "even_odd": 0, "anchor": 0})
        );
        assert_eq!(json["counts"]["invalid_polygons"], 0);
    }

    #[test]
    fn service_areas_alone_can_be_written_again_into_the_same_folder() {
        // Without summary.json no manifest lists the file: its name alone marks it as ours.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut options = inputs(dir.path());
        options.outputs = "service-areas".to_owned();
        let job = options.job(None, out.clone()).unwrap();
        walkshed::run(&job, &mut |_| {}).unwrap();
        walkshed::run(&job, &mut |_| {}).unwrap();
        assert!(out.join("service_areas.geojson").exists());
        assert!(!out.join("summary.json").exists());
    }

    #[test]
    fn area_mode_is_straight_line_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = inputs(dir.path());
        options.network = options.blocks.clone();
        let err = options.job(None, dir.path().join("out")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid --measure: area is straight-line only"),
            "{err}"
        );
    }

    #[test]
    fn reach_bands_draws_the_service_areas_on_the_gap_map() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut options = inputs(dir.path());
        options.measure = Measure::Anchor;
        options.reach = walkshed::ReachStyle::Bands;
        options.outputs = "maps".to_owned();
        walkshed::run(&options.job(None, out.clone()).unwrap(), &mut |_| {}).unwrap();
        let svg = std::fs::read_to_string(out.join("gaps.svg")).unwrap();
        assert!(svg.contains("<g class=\"bands\""));
        assert!(svg.contains("data-band=\"2\""));
        assert!(!svg.contains("class=\"walksheds\""));
        assert!(!out.join("service_areas.geojson").exists());
    }
}
