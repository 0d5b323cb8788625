//! Straight-line coverage: hand-computed cases, invariants (proptest), reading and grouping
//! blocks, and the real data in `data/`.

use proptest::prelude::*;
use serde_json::json;

use walkshed::{analyse, BlockFields, BlockSet, GroupNames, Params, StationIndex, StraightLine};

use crate::common::{block, changed, east, grouped, minutes, random_case, set, station, LAT, LON};

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

#[test]
fn real_invalid_polygons_are_counted_and_keep_their_anchor() {
    use walkshed::PolygonProblem;
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
}
