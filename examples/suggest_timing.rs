//! Times site suggestions, straight line, on a blocks and a stations file: the blocks already
//! within the reach of a station, a square candidate grid near the others, what each candidate
//! covers, and the choice of `k` sites (lazy greedy, swaps, bound). Prints each stage's time and
//! the result's figures to stderr. A measuring tool until `walkshed suggest` exists.
//!
//! ```text
//! cargo run --release --example suggest_timing -- BLOCKS STATIONS [REACH_M] [GRID_M] [K] [EVERY]
//! ```
//!
//! Defaults: reach 300 m (5 minutes at 60 m/min), grid 150 m, k = 50, every station (`EVERY` = n
//! keeps one station in n, to leave more of a well-served city uncovered).

use std::path::Path;
use std::time::Instant;

use walkshed::{candidate_grid, choose, Covers, Goal};
use walkshed::{projection_for, read_blocks, read_stations, BlockFields, DistanceModel};
use walkshed::{StraightLine, XY};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    anyhow::ensure!(
        args.len() >= 2,
        "usage: suggest_timing BLOCKS STATIONS [REACH_M] [GRID_M] [K] [EVERY]"
    );
    let number = |i: usize, default: f64| -> anyhow::Result<f64> {
        Ok(args
            .get(i)
            .map(|a| a.parse())
            .transpose()?
            .unwrap_or(default))
    };
    let (reach_m, grid_m, k) = (
        number(2, 300.0)?,
        number(3, 150.0)?,
        number(4, 50.0)? as usize,
    );
    let every = number(5, 1.0)?.max(1.0) as usize;

    let clock = Instant::now();
    let blocks = read_blocks(Path::new(&args[0]), &BlockFields::default())?;
    let stations = read_stations(Path::new(&args[1]))?;
    eprintln!("read: {:.2} s", clock.elapsed().as_secs_f64());

    let start = Instant::now();
    let projection = projection_for(&blocks);
    let anchors: Vec<XY> = blocks
        .blocks()
        .iter()
        .map(|b| projection.forward(b.anchor[0], b.anchor[1]))
        .collect();
    let population: Vec<f64> = blocks.blocks().iter().map(|b| b.population).collect();
    let entrances: Vec<Vec<XY>> = stations
        .stations
        .iter()
        .step_by(every)
        .map(|s| {
            s.entrances
                .iter()
                .map(|p| projection.forward(p[0], p[1]))
                .collect()
        })
        .collect();
    let model = StraightLine { detour: 1.0 };
    let measured = model.measure(&entrances, &anchors, reach_m);
    let covered: Vec<bool> = measured
        .blocks
        .iter()
        .map(|m| m.distance_m.is_some_and(|d| d <= reach_m))
        .collect();
    let uncovered = covered.iter().filter(|&&c| !c).count();
    eprintln!(
        "project and measure existing stations: {:.2} s ({} blocks, {uncovered} uncovered)",
        start.elapsed().as_secs_f64(),
        anchors.len()
    );

    let start = Instant::now();
    let sites = candidate_grid(&anchors, &covered, grid_m, reach_m)?;
    let grid_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let covers = Covers::measure(&model, &sites, &anchors, &covered, reach_m);
    let covers_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let s = choose(&covers, &population, &covered, &Goal::picks(k))?;
    let choose_s = start.elapsed().as_secs_f64();
    eprintln!(
        "grid {grid_m} m: {grid_s:.2} s ({} candidates); covers: {covers_s:.2} s ({} pairs); \
         choose k = {k}: {choose_s:.2} s; suggest in all: {:.2} s",
        sites.len(),
        covers.pairs(),
        grid_s + covers_s + choose_s
    );
    eprintln!(
        "share {:.4} → {:.4}; gain {:.0}, bound {:.0} ({:.4} of it); {} swaps",
        s.base_share,
        s.picks.last().map_or(s.base_share, |p| p.share),
        s.gain,
        s.bound,
        s.fraction_of_bound,
        s.swaps
    );
    Ok(())
}
