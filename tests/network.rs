//! Network mode on the real data in `data/`: the same network read from `.osm.pbf` and from
//! GeoJSON gives identical results; network coverage never exceeds straight-line coverage; the
//! reported pieces and off-network counts add up.

use walkshed::{read_blocks, BlockFields, Job, Params, Reach};

fn job(stations: &str, blocks: &str, network: Option<&str>) -> Job {
    let repo = crate::common::repo;
    Job {
        stations: repo(stations),
        add_stations: Vec::new(),
        blocks: repo(blocks),
        network: network.map(repo),
        fields: BlockFields::default(),
        params: Params::builder()
            .minutes(&[5.0, 10.0, 15.0])
            .build()
            .unwrap(),
        out_dir: "unused".into(),
        outputs: walkshed::Outputs::default(),
        map: Default::default(),
        strict: false,
        input: Default::default(),
        circle: Default::default(),
    }
}

#[test]
fn osm_pbf_and_geojson_networks_give_identical_results() {
    // The GeoJSON is made from the PBF by walkshed itself (as `examples/osm_to_geojson.rs` does).
    let pbf = crate::common::repo("data/helsinki/Helsinki.osm.pbf");
    let dir = tempfile::tempdir().unwrap();
    let geojson = dir.path().join("walk.geojson");
    let lines = walkshed::read_walk_lines(&pbf).unwrap();
    let mut file = std::fs::File::create(&geojson).unwrap();
    walkshed::write_walk_lines(&lines, &mut file).unwrap();
    drop(file);

    let s = "data/helsinki/stations.geojson";
    let b = "data/helsinki/blocks.geojson";
    let from_pbf = job(s, b, Some("data/helsinki/Helsinki.osm.pbf"));
    let mut from_geojson = job(s, b, None);
    from_geojson.network = Some(geojson);
    let a = from_pbf.analyse().unwrap();
    let g = from_geojson.analyse().unwrap();
    assert_eq!(a.measurement, g.measurement);
    assert_eq!(a.aggregates, g.aggregates);
    assert_eq!(a.network, g.network);
    let n = a.network.unwrap();
    assert_eq!((n.nodes, n.pieces), (6_009, 25));
}

#[test]
fn network_coverage_never_exceeds_straight_line_and_pieces_add_up() {
    for (s, b, w) in [
        (
            "data/helsinki/stations.geojson",
            "data/helsinki/blocks.geojson",
            "data/helsinki/walk.geojson",
        ),
        (
            "data/shihua/stations.geojson",
            "data/shihua/blocks.geojson",
            "data/shihua/walk.geojson",
        ),
    ] {
        let straight = job(s, b, None);
        let network = job(s, b, Some(w));
        let st = straight.analyse().unwrap();
        let nw = network.analyse().unwrap();
        for (x, y) in st.aggregates.coverage.iter().zip(&nw.aggregates.coverage) {
            assert!(
                y.population_covered <= x.population_covered,
                "{b}: {} > {}",
                y.share,
                x.share
            );
        }
        // Per block, the walk is never shorter than the crow flies to the nearest station.
        for (x, y) in st.measurement.blocks.iter().zip(&nw.measurement.blocks) {
            if let Some(d) = y.distance_m {
                assert!(d + 1e-6 >= x.distance_m.unwrap());
            }
        }
        let n = nw.network.as_ref().unwrap();
        assert!(n.pieces_with_station >= 1 && n.pieces_with_station <= n.pieces);
        // Every block is reached, unreached on a piece, or off-network — and the counts match.
        let blocks = read_blocks(&network.blocks, &network.fields).unwrap();
        let (mut off, mut off_pop, mut lone, mut lone_pop) = (0, 0.0, 0, 0.0);
        let legs = &nw.measurement.network.as_ref().unwrap().legs;
        for ((blk, m), legs) in blocks.blocks().iter().zip(&nw.measurement.blocks).zip(legs) {
            match (m.reach, m.piece_has_station) {
                (Reach::OffNetwork, _) => {
                    off += 1;
                    off_pop += blk.population;
                    assert!(m.distance_m.is_none() && legs.block_m.unwrap() > 200.0);
                }
                (_, Some(false)) => {
                    lone += 1;
                    lone_pop += blk.population;
                    assert!(m.distance_m.is_none());
                }
                (Reach::Reached, Some(true)) => assert!(m.distance_m.is_some()),
                (Reach::Unreached, Some(true)) => assert!(m.distance_m.is_none()),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            (n.blocks_off_network, n.population_off_network),
            (off, off_pop)
        );
        assert_eq!(
            (
                n.blocks_on_pieces_without_station,
                n.population_on_pieces_without_station
            ),
            (lone, lone_pop)
        );
    }
}

#[test]
fn shihua_sample_reports_its_deliberate_gaps() {
    // data/README.md: 8 farmland blocks (447 residents) lie beyond 200 m of any street, and an
    // island village of 7 blocks (792 residents) sits on a piece of network with no station.
    let network = job(
        "data/shihua/stations.geojson",
        "data/shihua/blocks.geojson",
        Some("data/shihua/walk.geojson"),
    );
    let a = network.analyse().unwrap();
    let n = a.network.unwrap();
    assert_eq!((n.blocks_off_network, n.population_off_network), (8, 447.0));
    assert_eq!(
        (
            n.blocks_on_pieces_without_station,
            n.population_on_pieces_without_station
        ),
        (7, 792.0)
    );
    assert_eq!((n.pieces, n.pieces_with_station), (2, 1));
    assert!(n.stations_off_network.is_empty());
}
