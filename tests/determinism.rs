//! Determinism: per-block results do not depend on the order of the blocks or of the features
//! in the file, aggregates do not depend on how groups are numbered, and the CLI writes the same
//! bytes with one thread and with two.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use walkshed::{analyse, projection_for, GroupId, GroupNames, StraightLine};

use crate::common::{
    block, changed, east, files_of, grouped, minutes, random_case, run_coverage_cli, station, LAT,
    LON,
};

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
    let one = run_coverage_cli(&args, "1");
    let two = run_coverage_cli(&args, "2");
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
        let out = run_coverage_cli(
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, rng_seed: proptest::test_runner::RngSeed::Fixed(1), ..ProptestConfig::default() })]

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
