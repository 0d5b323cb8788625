//! One criterion group per stage of the pipeline (load, project, index, measure, aggregate,
//! write), each pairing walkshed's path with a straightforward baseline, on synthetic cities of
//! 10,000 and 100,000 blocks generated here (1 station per 100 blocks).
//!
//! ```sh
//! cargo bench --bench stages            # all groups
//! cargo bench --bench stages -- load    # one group
//! ```

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use walkshed::Job;
use walkshed::{
    analyse, projection_for, read_blocks, read_stations, BlockFields, BlockSet, DistanceModel,
    Params, StationIndex, StationSet, StraightLine,
};
use walkshed::{Inputs, Outputs, Summary};

/// Block counts benchmarked.
const SIZES: [usize; 2] = [10_000, 100_000];

/// A synthetic city: `n` square blocks (≈ 30 m) in clustered towns around Jinshan, with
/// `population` and `district`, one feature per line in a FeatureCollection, and `n / 100`
/// Point stations. Deterministic.
struct City {
    _dir: tempfile::TempDir,
    blocks: PathBuf,
    stations: PathBuf,
    bytes: u64,
}

fn city(n: usize) -> City {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = StdRng::seed_from_u64(n as u64);
    let towns: Vec<[f64; 2]> = (0..11)
        .map(|_| {
            [
                121.20 + rng.gen::<f64>() * 0.25,
                30.62 + rng.gen::<f64>() * 0.2,
            ]
        })
        .collect();
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for i in 0..n {
        let t = i % towns.len();
        let [lon, lat] = towns[t];
        let (x, y) = (
            lon + rng.gen_range(-0.03..0.03),
            lat + rng.gen_range(-0.03..0.03),
        );
        let h = 0.00015;
        let ring = [
            [x - h, y - h],
            [x + h, y - h],
            [x + h, y + h],
            [x - h, y + h],
            [x - h, y - h],
        ]
        .iter()
        .map(|p| format!("[{:.7},{:.7}]", p[0], p[1]))
        .collect::<Vec<_>>()
        .join(",");
        let sep = if i + 1 < n { "," } else { "" };
        text.push_str(&format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"B{i:07}\",\"population\":{},\"district\":\"镇{t}\",\"committee\":\"镇{t}-{:04}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{ring}]]}}}}{sep}\n",
            rng.gen_range(5..60),
            i % 997
        ));
    }
    text.push_str("]}\n");
    let blocks = dir.path().join("blocks.geojson");
    std::fs::write(&blocks, &text).expect("write blocks");
    let stations: Vec<String> = (0..(n / 100).max(1))
        .map(|i| {
            let [lon, lat] = towns[i % towns.len()];
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"id\":\"S{i}\",\"level\":\"station\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.7},{:.7}]}}}}",
                lon + rng.gen_range(-0.03..0.03),
                lat + rng.gen_range(-0.03..0.03)
            )
        })
        .collect();
    let stations_path = dir.path().join("stations.geojson");
    std::fs::write(
        &stations_path,
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
            stations.join(",\n")
        ),
    )
    .expect("write stations");
    City {
        bytes: text.len() as u64,
        _dir: dir,
        blocks,
        stations: stations_path,
    }
}

fn fields() -> BlockFields {
    BlockFields {
        group_by: Some("district".to_owned()),
        ..BlockFields::default()
    }
}

fn params() -> Params {
    Params::builder()
        .minutes(&[5.0, 10.0, 15.0])
        .build()
        .expect("params")
}

/// Loaded inputs and their plane coordinates.
struct Prepared {
    city: City,
    stations: StationSet,
    blocks: BlockSet,
    entrances: Vec<Vec<[f64; 2]>>,
    anchors: Vec<[f64; 2]>,
}

fn prepared(n: usize) -> Prepared {
    let city = city(n);
    let stations = read_stations(&city.stations).expect("stations");
    let blocks = read_blocks(&city.blocks, &fields()).expect("blocks");
    let projection = projection_for(&blocks);
    let entrances = stations
        .stations
        .iter()
        .map(|s| {
            s.entrances
                .iter()
                .map(|p| projection.forward(p[0], p[1]))
                .collect()
        })
        .collect();
    let anchors = blocks
        .blocks()
        .iter()
        .map(|b| projection.forward(b.anchor[0], b.anchor[1]))
        .collect();
    Prepared {
        city,
        stations,
        blocks,
        entrances,
        anchors,
    }
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    for n in SIZES {
        let city = city(n);
        g.throughput(Throughput::Bytes(city.bytes));
        g.bench_with_input(
            BenchmarkId::new("streaming fast parser", n),
            &city,
            |b, city| b.iter(|| read_blocks(black_box(&city.blocks), &fields()).expect("blocks")),
        );
        g.bench_with_input(
            BenchmarkId::new("baseline: serde_json::Value of the file", n),
            &city,
            |b, city| {
                b.iter(|| {
                    let bytes = std::fs::read(black_box(&city.blocks)).expect("read");
                    serde_json::from_slice::<serde_json::Value>(&bytes).expect("parse")
                })
            },
        );
    }
    g.finish();
}

/// Every block's anchor projected by `forward`, in parallel.
fn project_anchors(
    blocks: &BlockSet,
    forward: impl Fn(f64, f64) -> [f64; 2] + Sync,
) -> Vec<[f64; 2]> {
    blocks
        .blocks()
        .par_iter()
        .map(|x| forward(x.anchor[0], x.anchor[1]))
        .collect()
}

fn project(c: &mut Criterion) {
    let mut g = c.benchmark_group("project");
    for n in SIZES {
        let p = prepared(n);
        let projection = projection_for(&p.blocks);
        let fast = projection.over_box(p.blocks.anchor_bbox());
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(
            BenchmarkId::new("transverse Mercator exact, parallel", n),
            &p,
            |b, p| b.iter(|| project_anchors(&p.blocks, |x, y| projection.forward(x, y))),
        );
        g.bench_with_input(
            BenchmarkId::new("Chebyshev box interpolant, four at a time, parallel", n),
            &p,
            |b, p| b.iter(|| fast.forward_all(p.blocks.blocks(), |x| x.anchor)),
        );
        g.bench_with_input(BenchmarkId::new("baseline: sequential", n), &p, |b, p| {
            b.iter(|| {
                p.blocks
                    .blocks()
                    .iter()
                    .map(|x| projection.forward(x.anchor[0], x.anchor[1]))
                    .collect::<Vec<_>>()
            })
        });
    }
    g.finish();
}

fn index(c: &mut Criterion) {
    let mut g = c.benchmark_group("index");
    for n in SIZES {
        let p = prepared(n);
        let index = StationIndex::new(&p.entrances);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("build", n), &p, |b, p| {
            b.iter(|| StationIndex::new(black_box(&p.entrances)))
        });
        g.bench_with_input(
            BenchmarkId::new("nearest (branch and bound + ties)", n),
            &p,
            |b, p| {
                b.iter(|| {
                    p.anchors
                        .iter()
                        .map(|&a| index.nearest(a))
                        .collect::<Vec<_>>()
                })
            },
        );
        // On one thread, to compare per query with the sequential loops around it.
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool");
        g.bench_with_input(
            BenchmarkId::new("nearest_all (grid of candidate lists, 1 thread)", n),
            &p,
            |b, p| b.iter(|| one_thread.install(|| index.nearest_all(black_box(&p.anchors)))),
        );
        g.bench_with_input(
            BenchmarkId::new("baseline: nearest-neighbour iterator", n),
            &p,
            |b, p| {
                b.iter(|| {
                    p.anchors
                        .iter()
                        .map(|&a| index.nearest_by_iterator(a))
                        .collect::<Vec<_>>()
                })
            },
        );
        if n <= 10_000 {
            g.bench_with_input(BenchmarkId::new("baseline: brute force", n), &p, |b, p| {
                b.iter(|| {
                    p.anchors
                        .iter()
                        .map(|&a| StationIndex::nearest_brute_force(&p.entrances, a))
                        .collect::<Vec<_>>()
                })
            });
        }
    }
    g.finish();
}

fn measure(c: &mut Criterion) {
    let mut g = c.benchmark_group("measure");
    for n in SIZES {
        let p = prepared(n);
        let model = StraightLine { detour: 1.0 };
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(
            BenchmarkId::new("straight line, parallel", n),
            &p,
            |b, p| b.iter(|| model.measure(&p.entrances, &p.anchors, 900.0)),
        );
        g.bench_with_input(BenchmarkId::new("baseline: one thread", n), &p, |b, p| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .expect("pool");
            b.iter(|| pool.install(|| model.measure(&p.entrances, &p.anchors, 900.0)))
        });
    }
    g.finish();
}

fn aggregate(c: &mut Criterion) {
    let mut g = c.benchmark_group("aggregate");
    for n in SIZES {
        let p = prepared(n);
        let params = params();
        let m = StraightLine { detour: 1.0 }.measure(&p.entrances, &p.anchors, params.reach_m());
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(
            BenchmarkId::new("shares, groups, loads, walk time", n),
            &p,
            |b, p| {
                b.iter(|| {
                    walkshed::aggregate(
                        p.blocks.blocks(),
                        p.stations.stations.len(),
                        &m,
                        &params,
                        Some(p.blocks.groups()),
                    )
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("baseline: shares only", n), &p, |b, p| {
            b.iter(|| {
                params
                    .thresholds
                    .iter()
                    .map(|t| {
                        let covered: f64 = p
                            .blocks
                            .blocks()
                            .iter()
                            .zip(&m.blocks)
                            .filter(|(_, x)| x.distance_m.is_some_and(|d| d <= t.distance_m))
                            .map(|(b, _)| b.population)
                            .sum();
                        covered / p.blocks.total_population()
                    })
                    .collect::<Vec<_>>()
            })
        });
    }
    g.finish();
}

fn write(c: &mut Criterion) {
    let mut g = c.benchmark_group("write");
    g.sample_size(10);
    for n in SIZES {
        let p = prepared(n);
        let out = tempfile::tempdir().expect("tempdir");
        let job = Job {
            stations: p.city.stations.clone(),
            add_stations: Vec::new(),
            blocks: p.city.blocks.clone(),
            network: None,
            fields: fields(),
            params: params(),
            out_dir: out.path().to_path_buf(),
            outputs: Outputs::parse("summary,blocks,stations,walk-time").expect("outputs"),
            map: Default::default(),
            strict: false,
            input: Default::default(),
            circle: Default::default(),
        };
        let analysis = analyse(
            &p.stations.stations,
            &p.blocks,
            &StraightLine { detour: 1.0 },
            &job.params,
        );
        let summary = Summary::new(&analysis, &p.blocks, Inputs::default());
        g.throughput(Throughput::Bytes(p.city.bytes));
        g.bench_with_input(
            BenchmarkId::new("tables and streamed blocks.geojson", n),
            &p,
            |b, _| {
                b.iter(|| {
                    walkshed::write_outputs(&job, &p.blocks, &analysis, &summary, &mut |_| {})
                        .expect("write")
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("baseline: blocks.geojson via serde_json::Value", n),
            &p,
            |b, p| {
                b.iter(|| {
                    rewrite_with_values(
                        &p.city.blocks,
                        &out.path().join("baseline.geojson"),
                        &analysis,
                    )
                })
            },
        );
    }
    g.finish();
}

/// The straightforward writer: the whole input as a `serde_json::Value`, properties added,
/// serialised again.
fn rewrite_with_values(input: &Path, output: &Path, analysis: &walkshed::Analysis) {
    let bytes = std::fs::read(input).expect("read");
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
    if let Some(features) = v["features"].as_array_mut() {
        for (f, m) in features.iter_mut().zip(&analysis.measurement.blocks) {
            f["properties"]["ws_distance_m"] = serde_json::Value::from(m.distance_m);
        }
    }
    std::fs::write(output, serde_json::to_vec(&v).expect("serialise")).expect("write");
}

criterion_group!(stages, load, project, index, measure, aggregate, write);
criterion_main!(stages);
