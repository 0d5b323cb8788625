//! The station index against brute force: the R-tree's nearest station (ties → the station
//! first in the input) for single points and in bulk, with fixed seeds, and a whole analysis of
//! the real Helsinki data against an independent brute-force scan.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use walkshed::{analyse, BlockFields, StationIndex, StraightLine};

use crate::common::minutes;

/// Up to 700 stations of one or two entrances each, on a `cells` × `cells` grid of `step`
/// metres: coarse coordinates make exact ties common.
fn grid_entrances(rng: &mut StdRng, cells: i32, step: f64) -> Vec<Vec<[f64; 2]>> {
    (0..rng.gen_range(1..700))
        .map(|_| {
            (0..rng.gen_range(1..3))
                .map(|_| {
                    [
                        f64::from(rng.gen_range(0..cells)) * step,
                        f64::from(rng.gen_range(0..cells)) * step,
                    ]
                })
                .collect()
        })
        .collect()
}

#[test]
fn rtree_nearest_agrees_with_brute_force() {
    for seed in [1u64, 2, 3, 42] {
        let mut rng = StdRng::seed_from_u64(seed);
        let entrances = grid_entrances(&mut rng, 200, 10.0);
        let index = StationIndex::new(&entrances);
        for _ in 0..2000 {
            let p = [
                rng.gen_range(-100.0..2100.0f64).round(),
                rng.gen_range(-100.0..2100.0f64).round(),
            ];
            assert_eq!(
                index.nearest(p),
                StationIndex::nearest_brute_force(&entrances, p),
                "seed {seed} at {p:?}"
            );
        }
    }
}

#[test]
fn nearest_all_agrees_with_brute_force() {
    for seed in [1u64, 2, 3, 42] {
        let mut rng = StdRng::seed_from_u64(seed);
        let entrances = grid_entrances(&mut rng, 50, 40.0);
        let index = StationIndex::new(&entrances);
        // More points than one chunk, on a grid too.
        let points: Vec<[f64; 2]> = (0..5000)
            .map(|_| {
                [
                    rng.gen_range(-5..105) as f64 * 20.0,
                    rng.gen_range(-5..105) as f64 * 20.0,
                ]
            })
            .collect();
        // And runs of points far apart (the candidate list of a run is then long, and the run
        // is halved): a few clusters 100 km from the stations and from each other.
        let far: Vec<[f64; 2]> = (0..700)
            .map(|k| {
                let c = (k % 3) as f64 * 1e5;
                [
                    c + rng.gen_range(0..10) as f64,
                    -c + rng.gen_range(0..10) as f64,
                ]
            })
            .collect();
        let points: Vec<[f64; 2]> = points.into_iter().chain(far).collect();
        let all = index.nearest_all(&points);
        assert_eq!(all.len(), points.len());
        for (p, found) in points.iter().zip(&all) {
            let expected = StationIndex::nearest_brute_force(&entrances, *p);
            assert_eq!(*found, expected, "seed {seed} at {p:?}");
        }
    }
    // Degenerate boxes: points on a line, all at one place, a single point.
    let entrances: Vec<Vec<[f64; 2]>> = (0..40)
        .map(|k| vec![[f64::from(k % 8) * 30.0, f64::from(k / 8) * 30.0]])
        .collect();
    let index = StationIndex::new(&entrances);
    let line: Vec<[f64; 2]> = (0..400).map(|k| [f64::from(k) * 0.6, 45.0]).collect();
    let same = vec![[15.0, 15.0]; 100];
    for points in [line, same, vec![[1e5, -1e5]]] {
        let all = index.nearest_all(&points);
        for (p, found) in points.iter().zip(&all) {
            assert_eq!(
                *found,
                StationIndex::nearest_brute_force(&entrances, *p),
                "{p:?}"
            );
        }
    }
    // Entrances spread unevenly (a crowd, and one far away): the cells' candidates come from
    // the R-tree rather than from a grid of entrances.
    let mut rng = StdRng::seed_from_u64(9);
    let mut entrances: Vec<Vec<[f64; 2]>> = (0..300)
        .map(|_| vec![[rng.gen_range(0..100) as f64, rng.gen_range(0..100) as f64]])
        .collect();
    entrances.push(vec![[5e4, 5e4]]);
    let index = StationIndex::new(&entrances);
    let points: Vec<[f64; 2]> = (0..3000)
        .map(|_| [rng.gen_range(-50.0..150.0), rng.gen_range(-50.0..150.0)])
        .chain([[4e4, 4e4], [5e4, 5.1e4]])
        .collect();
    for (p, found) in points.iter().zip(index.nearest_all(&points)) {
        assert_eq!(
            found,
            StationIndex::nearest_brute_force(&entrances, *p),
            "{p:?}"
        );
    }
    let empty = StationIndex::new(&[]);
    assert_eq!(empty.nearest_all(&[[0.0, 0.0]]), vec![None]);
}

#[test]
fn nearest_all_in_batches_agrees_with_nearest() {
    // Enough points for several batches (the last one partial), scattered in input order as in
    // the synthetic city, on a coarse grid (ties), with a few points that are not finite.
    for seed in [5u64, 6] {
        let mut rng = StdRng::seed_from_u64(seed);
        let entrances = grid_entrances(&mut rng, 60, 25.0);
        let index = StationIndex::new(&entrances);
        let points: Vec<[f64; 2]> = (0..40_000)
            .map(|k| match k % 9_973 {
                17 => [f64::NAN, 5.0],
                4_242 => [0.0, f64::INFINITY],
                _ => [
                    f64::from(rng.gen_range(-20..320)) * 5.0,
                    f64::from(rng.gen_range(-20..320)) * 5.0,
                ],
            })
            .collect();
        let bits = |n: Option<(u32, f64)>| n.map(|(s, d)| (s, d.to_bits()));
        let all = index.nearest_all(&points);
        assert_eq!(all.len(), points.len());
        for (p, found) in points.iter().zip(&all) {
            assert_eq!(
                bits(*found),
                bits(index.nearest(*p)),
                "seed {seed} at {p:?}"
            );
        }
    }
}

/// Brute force, independent of the library's centroid code: geo's centroid of each polygon
/// projected vertex by vertex, then a scan of every station.
#[test]
fn real_helsinki_data_matches_an_independent_brute_force() {
    use geo::{Centroid, LineString, Polygon};
    let dir = crate::common::repo("data/helsinki");
    let stations_v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stations.geojson")).unwrap())
            .unwrap();
    let blocks_v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("blocks.geojson")).unwrap())
            .unwrap();

    let blocks =
        walkshed::read_blocks(&dir.join("blocks.geojson"), &BlockFields::default()).unwrap();
    let stations = walkshed::read_stations(&dir.join("stations.geojson")).unwrap();
    let params = minutes(&[5.0, 10.0, 15.0]);
    let a = analyse(
        &stations.stations,
        &blocks,
        &StraightLine::default(),
        &params,
    );
    let proj = a.projection;

    let st: Vec<[f64; 2]> = stations_v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            proj.forward(c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
        })
        .collect();
    let mut total = 0.0;
    let mut covered = [0.0f64; 3];
    for (i, f) in blocks_v["features"].as_array().unwrap().iter().enumerate() {
        let rings: Vec<LineString<f64>> = f["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        let xy = proj.forward(p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
                        (xy[0], xy[1])
                    })
                    .collect()
            })
            .collect();
        let poly = Polygon::new(rings[0].clone(), rings[1..].to_vec());
        let c = poly.centroid().unwrap();
        let d = st
            .iter()
            .map(|s| (s[0] - c.x()).hypot(s[1] - c.y()))
            .fold(f64::INFINITY, f64::min);
        let got = a.measurement.blocks[i].distance_m.unwrap();
        assert!(
            (got - d).abs() < 0.1 + 0.0005 * d,
            "block {i}: {got} vs {d}"
        );
        let pop = f["properties"]["population"].as_f64().unwrap();
        total += pop;
        for (k, t) in [300.0, 600.0, 900.0].iter().enumerate() {
            if d <= *t {
                covered[k] += pop;
            }
        }
    }
    assert_eq!(total, 10_645.0);
    assert_eq!(a.aggregates.population, total);
    for (c, brute) in a.aggregates.coverage.iter().zip(covered) {
        assert!((c.share - brute / total).abs() < 0.0005);
    }
}
