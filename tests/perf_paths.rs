//! The fast paths give the same results as the straightforward ones, byte for byte: streaming in
//! chunks of any size vs the whole file at once, parallel vs sequential, every layout of the same
//! features — and the same errors, with the same line, column and feature index. (The
//! hand-written feature parser is checked against `serde_json` feature by feature in its own
//! module's tests.)

use std::path::{Path, PathBuf};

use walkshed::Error;
use walkshed::{read_blocks_with, read_stations_with, BlockFields, BlockSet, ReadOptions};

/// Every way of reading: chunk size, parallel.
fn options(chunk_bytes: usize, parallel: bool) -> ReadOptions {
    ReadOptions {
        chunk_bytes,
        parallel,
    }
}

/// The straightforward reading: the whole file in one window, sequentially.
fn reference() -> ReadOptions {
    options(usize::MAX / 4, false)
}

fn fields() -> BlockFields {
    BlockFields {
        group_by: Some("district".to_owned()),
        keep_outlines: true,
        ..BlockFields::default()
    }
}

/// Block features of every shape the readers meet: escapes, non-ASCII text, numbers with
/// exponents, members in any order, nested and extra members, a pretty-printed feature whose
/// nested objects start lines with `{`, a MultiPolygon with a hole, a point.
fn varied_features() -> Vec<String> {
    vec![
        r#"{"type":"Feature","properties":{"id":"B0","population":26,"district":"金山卫镇","committee":"金山卫镇-0600"},"geometry":{"type":"Polygon","coordinates":[[[121.2751995,30.7164351],[121.2753580,30.7163994],[121.2753926,30.7165244],[121.2752247,30.7165690],[121.2751995,30.7164351]]]}}"#.to_owned(),
        r#"{ "geometry" : { "coordinates" : [ 1.2133e2 , 3072E-2 ] , "type" : "Point" } , "id" : 17 , "type" : "Feature" , "properties" : { "district" : "a\"b\\c\u00e9\ud83d\ude00", "population" : 1.5e1 } }"#.to_owned(),
        "{\n  \"type\": \"Feature\",\n  \"properties\":\n  {\n    \"id\": \"B2\",\n    \"population\": 0,\n    \"extra\":\n    {\n      \"nested\": [1, {\"deep\": [true, false, null]}]\n    }\n  },\n  \"geometry\":\n  {\n    \"type\": \"Polygon\",\n    \"coordinates\": [[[121.30, 30.70], [121.301, 30.70], [121.301, 30.701], [121.30, 30.70]]]\n  }\n}".to_owned(),
        r#"{"type":"Feature","bbox":[0,0,1,1],"properties":{"id":"B3","population":7,"district":"廊下镇"},"geometry":{"type":"MultiPolygon","coordinates":[[[[121.31,30.71],[121.312,30.71],[121.312,30.712],[121.31,30.712],[121.31,30.71]],[[121.3105,30.7105],[121.3106,30.7105],[121.3106,30.7106],[121.3105,30.7105]]],[[[121.32,30.72],[121.3201,30.72],[121.3201,30.7201],[121.32,30.72]]]]}}"#.to_owned(),
        r#"{"properties":{"population":3,"id":null},"type":"Feature","id":"own-id","geometry":{"type":"Point","coordinates":[121.3300000000000000001,30.720000000000001,12.5]}}"#.to_owned(),
        r#"{"type":"Feature","properties":{"id":42,"population":1000000,"district":null},"geometry":{"type":"Polygon","coordinates":[[[121.34,30.73],[121.341,30.731],[121.341,30.73],[121.34,30.731],[121.34,30.73]]]}}"#.to_owned(),
        // No id at all: the block is named by its index.
        r#"{"type":"Feature","properties":{"population":4,"district":"廊下镇"},"geometry":{"type":"Point","coordinates":[121.35,30.74]}}"#.to_owned(),
    ]
}

/// `n` features cycling through [`varied_features`], each moved a little so all differ.
fn many_features(n: usize) -> Vec<String> {
    let base = varied_features();
    (0..n)
        .map(|i| {
            let f = &base[i % base.len()];
            let id = format!("\"id\":\"F{i}\"");
            f.replacen("\"id\":\"B0\"", &id, 1).replacen(
                "121.27",
                &format!("121.{:02}", 27 + i % 50),
                1,
            )
        })
        .collect()
}

fn collection(features: &[String]) -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"name\":\"blocks\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:OGC:1.3:CRS84\"}}}},\"features\":[\n{}\n],\"bbox\":[121,30,122,31]}}\n",
        features.join(",\n")
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

fn read(path: &Path, options: &ReadOptions) -> BlockSet {
    match read_blocks_with(path, &fields(), options) {
        Ok(b) => b,
        Err(e) => panic!("{options:?}: {e}"),
    }
}

/// Blocks compared bit for bit (`PartialEq` would take `-0.0` for `0.0`).
fn assert_same(a: &BlockSet, b: &BlockSet, what: &str) {
    assert_eq!(a, b, "{what}");
    let bits = |s: &BlockSet| -> Vec<u64> {
        s.blocks()
            .iter()
            .flat_map(|b| {
                [
                    b.anchor[0].to_bits(),
                    b.anchor[1].to_bits(),
                    b.population.to_bits(),
                ]
            })
            .collect()
    };
    assert_eq!(bits(a), bits(b), "{what}");
}

/// In a pool of `threads` threads.
fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

#[test]
fn every_chunk_boundary_reads_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = collection(&varied_features());
    let path = write(dir.path(), "blocks.geojson", &text);
    let expected = read(&path, &reference());
    assert_eq!(expected.blocks().len(), 7);
    assert_eq!(&*expected.blocks()[6].id, "6");
    for chunk in 1..=text.len() + 1 {
        let got = read(&path, &options(chunk, true));
        assert_same(&got, &expected, &format!("chunk {chunk}"));
    }
}

#[test]
fn parallel_pieces_read_the_same_as_one_sequential_pass() {
    // Large enough for several pieces per window (pieces are at least 256 KiB), with
    // pretty-printed features whose inner lines start with `{`, so some guesses are wrong.
    let dir = tempfile::tempdir().expect("tempdir");
    let features = many_features(16_000);
    let text = collection(&features);
    assert!(text.len() > 3 << 20, "{}", text.len());
    let path = write(dir.path(), "blocks.geojson", &text);
    let expected = read(&path, &reference());
    assert_eq!(expected.blocks().len(), features.len());
    for chunk in [1 << 20, 777_777, 3 << 20, 64 << 20] {
        for threads in [1, 2, 3] {
            let got = with_threads(threads, || read(&path, &options(chunk, true)));
            assert_same(
                &got,
                &expected,
                &format!("chunk {chunk}, {threads} threads"),
            );
        }
    }
}

#[test]
fn every_layout_reads_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let features = varied_features();
    // One Feature per line needs each feature on one line.
    let one_line: Vec<String> = features
        .iter()
        .map(|f| {
            serde_json::from_str::<serde_json::Value>(f)
                .expect("valid")
                .to_string()
        })
        .collect();
    let collection_path = write(dir.path(), "c.geojson", &collection(&features));
    let lines = write(dir.path(), "l.geojsonl", &(one_line.join("\n") + "\n"));
    let rs: String = one_line.iter().map(|f| format!("\x1e{f}\n")).collect();
    let sequence = write(dir.path(), "s.geojsons", &rs);
    let bom = write(
        dir.path(),
        "b.geojson",
        &format!("\u{feff}{}", collection(&features)),
    );
    let expected = read(&collection_path, &reference());
    for path in [&collection_path, &lines, &sequence, &bom] {
        // Chunks of 1 and 2 bytes cut the byte order mark.
        for chunk in [1, 2, 7, 100, 1 << 20] {
            let got = read(path, &options(chunk, true));
            assert_eq!(
                got.blocks(),
                expected.blocks(),
                "{} chunk {chunk}",
                path.display()
            );
            let outlines = |set: &BlockSet| -> Vec<Vec<Vec<[f64; 2]>>> {
                (0..set.blocks().len())
                    .map(|i| {
                        let rings = set.outline(i).expect("outlines kept");
                        rings.map(Iterator::collect).collect()
                    })
                    .collect()
            };
            assert_eq!(
                outlines(&got),
                outlines(&expected),
                "{} chunk {chunk}",
                path.display()
            );
        }
    }
}

#[test]
fn stations_read_the_same_on_every_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let features = [
        r#"{"type":"Feature","properties":{"id":"S0","name":"志愿服务中心0","level":"center"},"geometry":{"type":"Point","coordinates":[121.3571452,30.7357179]}}"#,
        r#"{"type":"Feature","properties":{"id":"S1","name":"a\tb","level":"point"},"geometry":{"type":"MultiPoint","coordinates":[[121.35,30.73],[121.351,30.731]]}}"#,
        r#"{"type":"Feature","properties":{"id":"S2"},"geometry":{"type":"Polygon","coordinates":[[[121.36,30.74],[121.361,30.74],[121.361,30.741],[121.36,30.74]]]}}"#,
    ]
    .map(str::to_owned);
    let path = write(dir.path(), "stations.geojson", &collection(&features));
    let expected = read_stations_with(&path, &reference()).expect("stations");
    for chunk in 1..200 {
        let got = read_stations_with(&path, &options(chunk, true)).expect("stations");
        assert_eq!(got, expected, "chunk {chunk}");
    }
}

/// The error of reading `text` as blocks, the same on every path.
fn error_on_every_path(text: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "blocks.geojson", text);
    let message = |o: &ReadOptions| match read_blocks_with(&path, &fields(), o) {
        Ok(_) => panic!("{o:?}: read {text}"),
        Err(e) => e.to_string().replace(&path.display().to_string(), "FILE"),
    };
    let expected = message(&reference());
    for chunk in [1, 5, 64, 1 << 20] {
        assert_eq!(message(&options(chunk, true)), expected, "chunk {chunk}");
    }
    expected
}

#[test]
fn errors_are_the_same_on_every_path_with_line_and_column() {
    let good = varied_features();
    // A syntax error inside the third feature's properties.
    let mut features = good.clone();
    features[3] = features[3].replacen("\"population\":7", "\"population\":7x", 1);
    let e = error_on_every_path(&collection(&features));
    assert!(e.starts_with("FILE, line 21, column 74"), "{e}");
    assert!(e.contains("invalid GeoJSON: expected `,` or `}`"), "{e}");

    // A missing comma between features.
    let text = collection(&good).replacen("]]]}},\n{ \"geometry\"", "]]]}}\n{ \"geometry\"", 1);
    let e = error_on_every_path(&text);
    assert!(
        e.contains("line 3, column 1") && e.contains("expected `,` or `]`"),
        "{e}"
    );

    // The file ends inside a feature.
    let text = collection(&good);
    let e = error_on_every_path(&text[..text.len() / 2]);
    assert!(e.contains("EOF while parsing"), "{e}");

    // Valid JSON, not a Feature: the feature index is named.
    let mut features = good.clone();
    features[4] = r#"{"type":"Point","coordinates":[1,2]}"#.to_owned();
    let e = error_on_every_path(&collection(&features));
    assert!(
        e.contains("feature 4") && e.contains("expected a Feature, found type \"Point\""),
        "{e}"
    );

    // A wrong type of value where the feature parser wants one.
    let mut features = good;
    features[1] = features[1].replacen("\"type\" : \"Point\"", "\"type\" : 5", 1);
    let e = error_on_every_path(&collection(&features));
    assert!(
        e.contains("feature 1") && e.contains("invalid type: integer `5`, expected a string"),
        "{e}"
    );

    // A coordinate out of range: the feature's index and id are named.
    let mut features = varied_features();
    features[0] = features[0].replacen("121.2751995", "221.2751995", 1);
    let e = error_on_every_path(&collection(&features));
    assert!(
        e.contains("feature 0") && e.contains("B0") && e.contains("outside [-180, 180]"),
        "{e}"
    );

    // Line-delimited: something that is not a feature at the start of a line.
    let e = error_on_every_path("{\"type\":\"Feature\",\"properties\":{\"population\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}\n[1,2]\n");
    assert!(e.contains("line 2, column 1"), "{e}");
}

#[test]
fn a_collection_with_an_unsupported_crs_is_refused_before_its_features() {
    let text = collection(&varied_features()).replace("OGC:1.3:CRS84", "EPSG::3857");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "blocks.geojson", &text);
    for chunk in [1, 50, 1 << 20] {
        match read_blocks_with(&path, &fields(), &options(chunk, true)) {
            Err(Error::Crs { name, .. }) => assert!(name.contains("3857")),
            other => panic!("chunk {chunk}: {other:?}"),
        }
    }
}

#[test]
fn blocks_geojson_keeps_every_input_feature_and_adds_the_results() {
    use walkshed::Outputs;
    use walkshed::{run, Job};
    let dir = tempfile::tempdir().expect("tempdir");
    let features = many_features(3_000);
    let blocks = write(dir.path(), "blocks.geojson", &collection(&features));
    let stations = write(
        dir.path(),
        "stations.geojson",
        &collection(&[r#"{"type":"Feature","properties":{"id":"S0"},"geometry":{"type":"Point","coordinates":[121.31,30.71]}}"#.to_owned()]),
    );
    let job = |out: &str| Job {
        stations: stations.clone(),
        add_stations: Vec::new(),
        blocks: blocks.clone(),
        network: None,
        fields: BlockFields {
            group_by: Some("district".to_owned()),
            ..BlockFields::default()
        },
        params: walkshed::Params::builder()
            .minutes(&[5.0])
            .build()
            .expect("params"),
        out_dir: dir.path().join(out),
        outputs: Outputs::parse("blocks").expect("outputs"),
        map: Default::default(),
        strict: false,
        input: Default::default(),
        circle: Default::default(),
    };
    let one = with_threads(1, || run(&job("one"), &mut |_| {})).expect("run");
    let two = with_threads(2, || run(&job("two"), &mut |_| {})).expect("run");
    assert_eq!(one, two);
    let a = std::fs::read(dir.path().join("one/blocks.geojson")).expect("output");
    let b = std::fs::read(dir.path().join("two/blocks.geojson")).expect("output");
    assert_eq!(a, b, "1 and 2 threads");
    let out: serde_json::Value = serde_json::from_slice(&a).expect("valid JSON");
    let out = out["features"].as_array().expect("features");
    assert_eq!(out.len(), features.len());
    for (i, (o, f)) in out.iter().zip(&features).enumerate() {
        let mut o = o.clone();
        let props = o["properties"].as_object_mut().expect("properties");
        assert!(
            props.contains_key("ws_station") && props.contains_key("ws_covered_5"),
            "feature {i}"
        );
        props.retain(|k, _| !k.starts_with("ws_"));
        let f: serde_json::Value = serde_json::from_str(f).expect("valid");
        assert_eq!(o, f, "feature {i}");
    }
}
