//! walkshed's area-mode fractions and straight-line service-area band areas, as JSON, for the
//! comparison with `scripts/area_reference.py` (shapely/GEOS) on the same inputs.
//!
//! ```text
//! cargo run --release --example area_fractions -- STATIONS BLOCKS THRESHOLDS_M DETOUR \
//!     [--limit N] [--walk WALK.geojson --grid M]
//! ```
//!
//! THRESHOLDS_M is a comma-separated list of walking distances in metres. `--limit N` computes
//! the first N blocks only (the bands always use all blocks). `--walk` adds network service
//! areas contoured on a grid of M metres (default 25). Timings go to standard error.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use serde_json::{json, Value};
use walkshed::XY;
use walkshed::{contoured_bands, straight_line_bands, Residents, ServiceGrid};
use walkshed::{projection_for, read_blocks, read_network, read_stations, BlockFields};
use walkshed::{AreaModel, BlockOutline};
use walkshed::{Network, NetworkModel, Projection};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        bail!("usage: area_fractions STATIONS BLOCKS THRESHOLDS_M DETOUR [--limit N] [--walk WALK --grid M]");
    }
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let thresholds: Vec<f64> = args[2]
        .split(',')
        .map(|t| t.trim().parse())
        .collect::<Result<_, _>>()
        .context("thresholds")?;
    let detour: f64 = args[3].parse().context("detour")?;
    let model = AreaModel::new(detour, AreaModel::DEFAULT_SIDES)?;

    let stations = read_stations(Path::new(&args[0]))?;
    let blocks = read_blocks(Path::new(&args[1]), &BlockFields::default())?;
    let projection = projection_for(&blocks);
    let entrances: Vec<Vec<XY>> = stations
        .stations
        .iter()
        .map(|s| {
            let project = |p: &[f64; 2]| projection.forward(p[0], p[1]);
            s.entrances.iter().map(project).collect()
        })
        .collect();
    let anchors: Vec<XY> = blocks
        .blocks()
        .iter()
        .map(|b| projection.forward(b.anchor[0], b.anchor[1]))
        .collect();
    let population: Vec<f64> = blocks.blocks().iter().map(|b| b.population).collect();
    let outlines = block_outlines(Path::new(&args[1]), &projection, &anchors)?;
    let limit: usize = option("--limit").map_or(Ok(outlines.len()), |n| n.parse())?;
    let outlines = &outlines[..limit.min(outlines.len())];

    let start = Instant::now();
    let fractions = model.covered_fractions(outlines, &entrances, &thresholds);
    eprintln!(
        "fractions of {} blocks: {:.3} s",
        outlines.len(),
        start.elapsed().as_secs_f64()
    );

    let residents = Residents {
        anchors: &anchors,
        population: &population,
    };
    let start = Instant::now();
    let bands = straight_line_bands(&model, &entrances, &thresholds, residents, &projection);
    eprintln!(
        "straight-line service areas: {:.3} s",
        start.elapsed().as_secs_f64()
    );

    let mut out = json!({
        "sides": model.sides(),
        "centre": projection.centre(),
        "thresholds_m": thresholds,
        "detour": detour,
        "share": shares(&fractions, &population),
        "band_areas_m2": bands.iter().map(|b| b.area_m2).collect::<Vec<_>>(),
        "band_population": bands.iter().map(|b| b.population).collect::<Vec<_>>(),
        "fractions": blocks.blocks().iter().zip(&fractions)
            .map(|(b, f)| (b.id.to_string(), json!(f))).collect::<serde_json::Map<_, _>>(),
    });
    if let Some(walk) = option("--walk") {
        let spacing: f64 = option("--grid").map_or(Ok(25.0), |g| g.parse())?;
        let lines = read_network(Path::new(walk))?;
        let start = Instant::now();
        let network = NetworkModel::new(Arc::new(Network::build(&lines, &projection)), 200.0);
        let grid = ServiceGrid::new(spacing)?;
        let net_bands = contoured_bands(
            &network,
            &entrances,
            &thresholds,
            grid,
            residents,
            &projection,
        )?;
        eprintln!(
            "network service areas: {:.3} s",
            start.elapsed().as_secs_f64()
        );
        out["network_band_areas_m2"] =
            json!(net_bands.iter().map(|b| b.area_m2).collect::<Vec<_>>());
    }
    println!("{}", serde_json::to_string(&out)?);
    Ok(())
}

/// Population-weighted mean fraction per threshold.
fn shares(fractions: &[Vec<f64>], population: &[f64]) -> Vec<f64> {
    let total: f64 = population[..fractions.len()].iter().sum();
    let width = fractions.first().map_or(0, Vec::len);
    (0..width)
        .map(|k| {
            let covered: f64 = fractions
                .iter()
                .zip(population)
                .map(|(f, p)| f[k] * p)
                .sum();
            covered / total
        })
        .collect()
}

/// Every feature's rings in the plane (Polygon and MultiPolygon; none for other geometries),
/// read at full precision.
fn block_outlines(
    path: &Path,
    projection: &Projection,
    anchors: &[XY],
) -> anyhow::Result<Vec<BlockOutline>> {
    let text = std::fs::read_to_string(path)?;
    let json: Value = serde_json::from_str(&text)?;
    let features = json["features"].as_array().context("no features")?;
    if features.len() != anchors.len() {
        bail!(
            "{} features but {} blocks read",
            features.len(),
            anchors.len()
        );
    }
    let ring = |r: &Value| -> Vec<XY> {
        r.as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let (lon, lat) = (
                    p[0].as_f64().unwrap_or(f64::NAN),
                    p[1].as_f64().unwrap_or(f64::NAN),
                );
                projection.forward(lon, lat)
            })
            .collect()
    };
    Ok(features
        .iter()
        .zip(anchors)
        .map(|(f, &anchor)| {
            let g = &f["geometry"];
            let coordinates = g["coordinates"].as_array();
            let rings = match g["type"].as_str() {
                Some("Polygon") => coordinates.into_iter().flatten().map(ring).collect(),
                Some("MultiPolygon") => coordinates
                    .into_iter()
                    .flatten()
                    .flat_map(|p| p.as_array().into_iter().flatten().map(ring))
                    .collect(),
                _ => vec![],
            };
            BlockOutline { anchor, rings }
        })
        .collect())
}
