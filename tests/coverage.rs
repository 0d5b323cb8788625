//! Straight-line coverage: hand-computed cases, invariants (proptest), the R-tree against brute
//! force, the metric plane against geodesic distance, determinism, and the real data in `data/`.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use walkshed::load::{GroupId, GroupNames};
use walkshed::{
    analyse, projection_for, Block, BlockFields, BlockSet, Params, Projection, Station,
    StationIndex, StraightLine,
};

const LAT: f64 = 30.72;
const LON: f64 = 121.33;

fn station(id: &str, lon: f64, lat: f64) -> Station {
    Station {
        id: id.into(),
        name: None,
        level: None,
        entrances: vec![[lon, lat]],
        from_area: false,
    }
}

fn block(id: &str, lon: f64, lat: f64, population: f64, group: Option<GroupId>) -> Block {
    Block {
        id: id.into(),
        anchor: [lon, lat],
        population,
        group,
        problem: None,
    }
}

fn set(blocks: Vec<Block>, group_by: bool) -> BlockSet {
    let fields = BlockFields {
        group_by: group_by.then(|| "committee".to_owned()),
        ..BlockFields::default()
    };
    BlockSet::builder("blocks.geojson")
        .fields(fields)
        .build(blocks)
}

/// A set grouped by `committee`, whose blocks' groups are named by `groups`.
fn grouped(blocks: Vec<Block>, groups: GroupNames) -> BlockSet {
    let fields = BlockFields {
        group_by: Some("committee".to_owned()),
        ..BlockFields::default()
    };
    BlockSet::builder("blocks.geojson")
        .fields(fields)
        .groups(groups)
        .build(blocks)
}

/// The same set with its blocks changed by `change`.
fn changed(set: &BlockSet, change: impl FnOnce(&mut Vec<Block>)) -> BlockSet {
    let mut blocks = set.blocks().to_vec();
    change(&mut blocks);
    BlockSet::builder(set.path())
        .weighted(set.weighted())
        .fields(set.fields().clone())
        .groups(set.groups().clone())
        .build(blocks)
}

fn minutes(m: &[f64]) -> Params {
    Params::builder().minutes(m).build().unwrap()
}

/// Longitude offset (degrees) of a point `metres` east of (LON, LAT), in the plane centred there.
fn east(metres: f64) -> f64 {
    let p = Projection::centred_on(LON, LAT);
    let [lon, _] = p.inverse([metres, 0.0]);
    lon
}

#[test]
fn tie_goes_to_the_station_first_in_input() {
    // Two stations at the same spot (as when one facility is mapped twice): an exact tie.
    let b = set(vec![block("b", LON, LAT, 10.0, None)], false);
    let d = 0.001;
    let stations = [
        station("first", LON + d, LAT),
        station("second", LON + d, LAT),
    ];
    let a = analyse(&stations, &b, &StraightLine::default(), &minutes(&[5.0]));
    assert_eq!(a.measurement.blocks[0].station, Some(0));
    let swapped = [stations[1].clone(), stations[0].clone()];
    let a = analyse(&swapped, &b, &StraightLine::default(), &minutes(&[5.0]));
    assert_eq!(a.measurement.blocks[0].station, Some(0));
    assert_eq!(a.stations[0].id, "second");
    // In the plane, equal distances in different directions tie too.
    let index = StationIndex::new(&[vec![[3.0, 4.0]], vec![[-4.0, 3.0]], vec![[0.0, -5.0]]]);
    assert_eq!(index.nearest([0.0, 0.0]), Some((0, 5.0)));
    let index = StationIndex::new(&[vec![[0.0, -5.0]], vec![[-4.0, 3.0]], vec![[3.0, 4.0]]]);
    assert_eq!(index.nearest([0.0, 0.0]), Some((0, 5.0)));
}

#[test]
fn a_block_exactly_at_the_threshold_is_covered() {
    let blocks = set(vec![block("b", LON, LAT, 1.0, None)], false);
    let s = [station("s", east(250.0), LAT)];
    let probe = analyse(&s, &blocks, &StraightLine::default(), &minutes(&[5.0]));
    let d = probe.measurement.blocks[0].distance_m.unwrap();
    assert!((d - 250.0).abs() < 1e-6, "{d}");
    let at = Params::builder().distance_m(&[d]).build().unwrap();
    let a = analyse(&s, &blocks, &StraightLine::default(), &at);
    assert_eq!(a.aggregates.coverage[0].share, 1.0);
    let below = Params::builder()
        .distance_m(&[d * (1.0 - 1e-12)])
        .build()
        .unwrap();
    let a = analyse(&s, &blocks, &StraightLine::default(), &below);
    assert_eq!(a.aggregates.coverage[0].share, 0.0);
}

#[test]
fn several_thresholds_detour_and_weights() {
    // Blocks 100, 250, 450 and 800 m east of the only station, populations 1, 2, 3, 4.
    let s = [station("s", LON, LAT)];
    let blocks = set(
        [100.0, 250.0, 450.0, 800.0]
            .iter()
            .enumerate()
            .map(|(i, &m)| block(&format!("b{i}"), east(m), LAT, (i + 1) as f64, None))
            .collect(),
        false,
    );
    let p = minutes(&[10.0, 5.0, 15.0]); // 300, 600, 900 m
    let a = analyse(&s, &blocks, &StraightLine::default(), &p);
    let shares: Vec<f64> = a.aggregates.coverage.iter().map(|c| c.share).collect();
    assert_eq!(shares, vec![3.0 / 10.0, 6.0 / 10.0, 1.0]);
    let block_shares: Vec<f64> = a
        .aggregates
        .coverage
        .iter()
        .map(|c| c.block_share)
        .collect();
    assert_eq!(block_shares, vec![0.5, 0.75, 1.0]);
    for (m, x) in [100.0, 250.0, 450.0, 800.0]
        .iter()
        .zip(&a.measurement.blocks)
    {
        assert!(
            (x.distance_m.unwrap() - m).abs() < 0.01,
            "{m} vs {:?}",
            x.distance_m
        );
    }
    // Detour 1.3: 100 → 130, 250 → 325 (now beyond 300 m), 450 → 585, 800 → 1040.
    let p = Params::builder()
        .minutes(&[5.0, 10.0, 15.0])
        .detour(1.3)
        .build()
        .unwrap();
    let a = analyse(&s, &blocks, &StraightLine { detour: 1.3 }, &p);
    let shares: Vec<f64> = a.aggregates.coverage.iter().map(|c| c.share).collect();
    assert_eq!(shares, vec![0.1, 0.6, 0.6]);
    // Unweighted: every block weighs 1.
    let unweighted = changed(&blocks, |blocks| {
        for b in blocks {
            b.population = 1.0;
        }
    });
    let a = analyse(&s, &unweighted, &StraightLine::default(), &minutes(&[5.0]));
    assert_eq!(a.aggregates.coverage[0].share, 0.5);
    // Station load: the station serves the population within the first threshold.
    assert_eq!(a.aggregates.station_load, vec![(2.0, 2)]);
}

#[test]
fn groups_are_sorted_worst_first_and_blocks_without_the_field_form_a_group() {
    let s = [station("s", LON, LAT)];
    let mut g = GroupNames::default();
    let blocks = vec![
        block("a1", east(100.0), LAT, 10.0, Some(g.id("A"))),
        block("a2", east(500.0), LAT, 30.0, Some(g.id("A"))),
        block("b1", east(200.0), LAT, 5.0, Some(g.id("B"))),
        block("n1", east(700.0), LAT, 7.0, None),
    ];
    let blocks = grouped(blocks, g);
    let a = analyse(&s, &blocks, &StraightLine::default(), &minutes(&[5.0]));
    let groups = a.aggregates.groups.unwrap();
    let got: Vec<(Option<&str>, f64, f64)> = groups
        .iter()
        .map(|g| (g.name.as_deref(), g.population, g.coverage[0].share))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, 7.0, 0.0),
            (Some("A"), 40.0, 0.25),
            (Some("B"), 5.0, 1.0)
        ]
    );
}

#[test]
fn multipoint_station_uses_its_nearest_entrance() {
    let mut s = station("m", east(1000.0), LAT);
    s.entrances.push([east(120.0), LAT]);
    let blocks = set(vec![block("b", LON, LAT, 1.0, None)], false);
    let a = analyse(&[s], &blocks, &StraightLine::default(), &minutes(&[5.0]));
    assert!((a.measurement.blocks[0].distance_m.unwrap() - 120.0).abs() < 0.01);
}

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

#[test]
fn plane_distance_is_within_0_05_percent_of_geodesic_up_to_100_km() {
    use geo::{Distance, Geodesic, Point};
    let mut rng = StdRng::seed_from_u64(7);
    let mut worst: f64 = 0.0;
    for _ in 0..2000 {
        // A study area up to 100 km across, anywhere from the equator to 70° N/S.
        let lat0 = rng.gen_range(-70.0..70.0);
        let lon0 = rng.gen_range(-179.0..179.0);
        let span_lat = 100_000.0 / 111_000.0;
        let span_lon = span_lat / f64::cos(f64::to_radians(lat0)).max(0.3);
        let pick = |rng: &mut StdRng| {
            [
                lon0 + rng.gen_range(-0.5..0.5) * span_lon,
                lat0 + rng.gen_range(-0.5..0.5) * span_lat,
            ]
        };
        let (a, b) = (pick(&mut rng), pick(&mut rng));
        let geodesic = Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]));
        if !(1.0..=100_000.0).contains(&geodesic) {
            continue;
        }
        let p = Projection::centred_on(lon0, lat0);
        let plane = walkshed::project::distance(p.forward(a[0], a[1]), p.forward(b[0], b[1]));
        worst = worst.max((plane - geodesic).abs() / geodesic);
    }
    assert!(worst < 0.0005, "worst relative error {worst}");
}

fn random_case(seed: u64, n_stations: usize, n_blocks: usize) -> (Vec<Station>, BlockSet) {
    let mut rng = StdRng::seed_from_u64(seed);
    let stations = (0..n_stations)
        .map(|i| {
            station(
                &format!("s{i}"),
                LON + rng.gen_range(-0.02..0.02),
                LAT + rng.gen_range(-0.02..0.02),
            )
        })
        .collect();
    let mut groups = GroupNames::default();
    let blocks = (0..n_blocks)
        .map(|i| {
            block(
                &format!("b{i}"),
                LON + rng.gen_range(-0.025..0.025),
                LAT + rng.gen_range(-0.025..0.025),
                rng.gen_range(0..500) as f64,
                Some(groups.id(["x", "y", "z"][i % 3])),
            )
        })
        .collect();
    (stations, grouped(blocks, groups))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, rng_seed: proptest::test_runner::RngSeed::Fixed(1), ..ProptestConfig::default() })]

    #[test]
    fn shares_are_in_range_and_monotone(seed in 0u64..1000, n_s in 1usize..12, n_b in 1usize..80,
                                         extra_lon in -0.02..0.02f64, extra_lat in -0.02..0.02f64,
                                         m1 in 0.5..20.0f64, dm in 0.0..10.0f64) {
        let (stations, blocks) = random_case(seed, n_s, n_b);
        let p = minutes(&[m1, m1 + dm + 0.01]);
        let a = analyse(&stations, &blocks, &StraightLine::default(), &p);
        for c in &a.aggregates.coverage {
            prop_assert!((0.0..=1.0).contains(&c.share));
            prop_assert!((0.0..=1.0).contains(&c.block_share));
        }
        // Raising a threshold never lowers coverage.
        prop_assert!(a.aggregates.coverage[1].population_covered >= a.aggregates.coverage[0].population_covered);
        // Adding a station never lowers coverage (nor raises any block's distance).
        let mut more = stations.clone();
        more.push(station("new", LON + extra_lon, LAT + extra_lat));
        let b = analyse(&more, &blocks, &StraightLine::default(), &p);
        for (x, y) in a.measurement.blocks.iter().zip(&b.measurement.blocks) {
            prop_assert!(y.distance_m.unwrap() <= x.distance_m.unwrap());
        }
        for (x, y) in a.aggregates.coverage.iter().zip(&b.aggregates.coverage) {
            prop_assert!(y.population_covered >= x.population_covered);
        }
    }

    #[test]
    fn block_order_changes_no_per_block_result(seed in 0u64..1000, n_s in 1usize..10, n_b in 2usize..60, rot in 1usize..59) {
        let (stations, blocks) = random_case(seed, n_s, n_b);
        let p = minutes(&[5.0, 10.0]);
        let a = analyse(&stations, &blocks, &StraightLine::default(), &p);
        let shuffled = changed(&blocks, |blocks| {
            blocks.rotate_left(rot % n_b);
            blocks.reverse();
        });
        let b = analyse(&stations, &shuffled, &StraightLine::default(), &p);
        for (i, blk) in blocks.blocks().iter().enumerate() {
            let j = shuffled.blocks().iter().position(|x| x.id == blk.id).unwrap();
            let (x, y) = (a.measurement.blocks[i], b.measurement.blocks[j]);
            prop_assert_eq!(x.station, y.station);
            // Same plane (same bbox of anchors), so distances agree to the last bit.
            prop_assert_eq!(x.distance_m, y.distance_m);
        }
        prop_assert_eq!(projection_for(&blocks), projection_for(&shuffled));
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

#[test]
fn geojson_and_newline_delimited_inputs_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let features: Vec<String> = (0..20)
        .map(|i| {
            crate::common::square(
                LON + i as f64 * 0.001,
                LAT,
                0.0004,
                json!({"id": format!("b{i}"), "population": i * 10}),
            )
        })
        .collect();
    let fc = crate::common::write_collection(dir.path(), "fc.geojson", &features);
    let nd = dir.path().join("nd.geojsonl");
    std::fs::write(&nd, features.join("\n") + "\n").unwrap();
    let seq = dir.path().join("seq.geojsons");
    std::fs::write(
        &seq,
        features
            .iter()
            .map(|f| format!("\x1e{f}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let a = walkshed::read_blocks(&fc, &BlockFields::default()).unwrap();
    for other in [&nd, &seq] {
        let b = walkshed::read_blocks(other, &BlockFields::default()).unwrap();
        assert_eq!(a.blocks(), b.blocks());
    }
    assert_eq!(a.blocks()[3].population, 30.0);
}

/// Runs `walkshed coverage` with `args` into a fresh folder; returns the folder.
fn run_cli(args: &[&str], threads: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("walkshed")
        .unwrap()
        .arg("coverage")
        .args(args)
        .args(["--threads", threads, "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    out
}

fn files_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads() {
    let s = crate::common::repo("data/helsinki/stations.geojson");
    let b = crate::common::repo("data/helsinki/blocks.geojson");
    let args = [
        "--stations",
        s.to_str().unwrap(),
        "--blocks",
        b.to_str().unwrap(),
        "--minutes",
        "5,10,15",
        "--group-by",
        "district",
        "--outputs",
        "summary,blocks,stations,walk-time",
    ];
    let one = run_cli(&args, "1");
    let two = run_cli(&args, "2");
    let (a, b) = (files_of(one.path()), files_of(two.path()));
    assert_eq!(
        a.len(),
        5,
        "summary.json, groups.csv, stations.csv, walk_time.csv, blocks.geojson"
    );
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between 1 and 2 threads");
    }
}

#[test]
fn shuffled_feature_order_gives_the_same_per_block_results() {
    let src = crate::common::repo("data/helsinki/blocks.geojson");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&src).unwrap()).unwrap();
    let mut features: Vec<String> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    let mut rng = StdRng::seed_from_u64(11);
    for i in (1..features.len()).rev() {
        features.swap(i, rng.gen_range(0..=i));
    }
    let dir = tempfile::tempdir().unwrap();
    let shuffled = crate::common::write_collection(dir.path(), "shuffled.geojson", &features);
    let s = crate::common::repo("data/helsinki/stations.geojson");
    let per_block = |blocks: &std::path::Path| {
        let out = run_cli(
            &[
                "--stations",
                s.to_str().unwrap(),
                "--blocks",
                blocks.to_str().unwrap(),
                "--outputs",
                "blocks,summary",
            ],
            "2",
        );
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("blocks.geojson")).unwrap())
                .unwrap();
        let mut rows: Vec<String> = v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = &f["properties"];
                format!(
                    "{} {} {} {}",
                    p["id"], p["ws_station"], p["ws_distance_m"], p["ws_covered_5"]
                )
            })
            .collect();
        rows.sort();
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap())
                .unwrap();
        (rows, summary["coverage"].clone())
    };
    assert_eq!(per_block(&src), per_block(&shuffled));
}

#[test]
fn real_invalid_polygons_are_counted_and_keep_their_anchor() {
    use walkshed::load::PolygonProblem;
    // data/helsinki/bad-geometries.geojson: 43 building outlines cut by the extract boundary and one
    // self-intersecting district. 22 cut rings are left open; of the 21 that still close, shapely
    // (GEOS) finds 4 self-intersecting, 3 with too few points and 14 valid.
    let path = crate::common::repo("data/helsinki/bad-geometries.geojson");
    let blocks = walkshed::read_blocks(&path, &BlockFields::default()).unwrap();
    let invalid = blocks.invalid();
    assert_eq!(blocks.blocks().len(), 44);
    let count = |p: PolygonProblem| invalid.iter().filter(|x| x.2 == p).count();
    assert_eq!(count(PolygonProblem::UnclosedRing), 22);
    assert_eq!(count(PolygonProblem::SelfIntersection), 5);
    assert_eq!(count(PolygonProblem::TooFewPoints), 3);
    let geos_valid = [
        "w122886603",
        "w123522917",
        "w123522919",
        "w123554599",
        "w123586001",
        "w137931581",
        "w17361610",
        "w21240853",
        "w22145802",
        "w22466181",
        "w22905074",
        "w22907244",
        "w24337154",
        "w37264746",
    ];
    for b in blocks.blocks() {
        assert_eq!(
            b.problem.is_none(),
            geos_valid.contains(&&*b.id),
            "{} {:?}",
            b.id,
            b.problem
        );
        assert!(
            (24.9..25.0).contains(&b.anchor[0]) && (60.16..60.25).contains(&b.anchor[1]),
            "{b:?}"
        );
    }
    assert_eq!(invalid.len(), 30);
    // What the reader noted as it read (invalid blocks, the anchors' box) is what a set made of
    // the same blocks finds by going over them.
    let made = BlockSet::builder(blocks.path())
        .weighted(blocks.weighted())
        .fields(blocks.fields().clone())
        .groups(blocks.groups().clone())
        .build(blocks.blocks().to_vec());
    assert_eq!(made, blocks);
    assert_eq!(made.invalid(), invalid);
    let [w, s, e, n] = blocks.anchor_bbox();
    assert!(blocks
        .blocks()
        .iter()
        .all(|b| { (w..=e).contains(&b.anchor[0]) && (s..=n).contains(&b.anchor[1]) }));
    assert!(blocks.blocks().iter().any(|b| b.anchor[0] == w));
    assert!(blocks.blocks().iter().any(|b| b.anchor[1] == n));
}

#[test]
fn groups_do_not_depend_on_how_they_are_numbered() {
    // Over two runs of the aggregation (65,536 blocks each): the same blocks, their groups
    // numbered in one order and then in the reverse order.
    let s = [station("s", LON, LAT)];
    let names = ["A", "B", "长安镇"];
    let n = 70_000;
    let make = |reverse: bool| {
        let mut groups = GroupNames::default();
        let ids: Vec<GroupId> = if reverse {
            let mut ids: Vec<GroupId> = names.iter().rev().map(|n| groups.id(n)).collect();
            ids.reverse();
            ids
        } else {
            names.iter().map(|n| groups.id(n)).collect()
        };
        let blocks = (0..n)
            .map(|i| {
                let metres = (i * 7919 % 1200) as f64;
                let group = (i % 4 < 3).then(|| ids[i % 4]);
                block(&i.to_string(), east(metres), LAT, (i % 13) as f64, group)
            })
            .collect();
        analyse(
            &s,
            &grouped(blocks, groups),
            &StraightLine::default(),
            &minutes(&[5.0, 10.0]),
        )
    };
    let (forward, reverse) = (make(false), make(true));
    let groups = forward.aggregates.groups.as_ref().unwrap();
    assert_eq!(groups.len(), 4);
    assert_eq!(groups.iter().map(|g| g.blocks).sum::<usize>(), n);
    assert_eq!(forward.aggregates, reverse.aggregates);
}

#[test]
fn blocks_read_from_a_file_are_grouped_by_number_in_order_of_first_appearance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blocks.geojson");
    // More distinct groups than any cache of names would hold: 6,000 of them.
    let features: Vec<String> = (0..12_000)
        .map(|i| {
            format!(
                r#"{{"type":"Feature","properties":{{"id":"b{i}","committee":"c{}"}},"geometry":{{"type":"Point","coordinates":[121.3,30.7]}}}}"#,
                i % 6_000
            )
        })
        .collect();
    std::fs::write(&path, features.join("\n")).unwrap();
    let fields = BlockFields {
        group_by: Some("committee".to_owned()),
        ..BlockFields::default()
    };
    let set = walkshed::read_blocks(&path, &fields).unwrap();
    let groups = set.groups();
    assert_eq!(groups.len(), 6_000);
    for (i, b) in set.blocks().iter().enumerate() {
        let g = b.group.expect("every block has a committee");
        assert_eq!(g.index(), i % 6_000);
        assert_eq!(groups.name(g), format!("c{}", i % 6_000));
    }
    let a = analyse(
        &[station("s", 121.3, 30.7)],
        &set,
        &StraightLine::default(),
        &minutes(&[5.0]),
    );
    assert_eq!(a.aggregates.groups.unwrap().len(), 6_000);
    #[cfg(target_pointer_width = "64")]
    assert!(
        std::mem::size_of::<Block>() <= 64,
        "a block fits in a cache line"
    );
}
