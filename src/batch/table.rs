//! The combined table of a batch: one row per scenario × threshold, as `batch.csv`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::report::Summary;

/// One row of the combined table: a scenario's coverage at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRow {
    /// The scenario.
    pub scenario: String,
    /// `straight-line` or `network`.
    pub mode: &'static str,
    /// The threshold's label (`5`, `300m`).
    pub label: String,
    /// The threshold in walking minutes.
    pub minutes: f64,
    /// The threshold in metres.
    pub distance_m: f64,
    /// Total population of the scenario's blocks.
    pub population: f64,
    /// Population within the threshold.
    pub covered: f64,
    /// `covered / population`, in [0, 1].
    pub share: f64,
    /// Blocks.
    pub blocks: usize,
    /// Blocks within the threshold.
    pub blocks_covered: usize,
    /// Network mode: blocks whose snap leg exceeds the snap limit (uncovered).
    pub off_network_blocks: Option<usize>,
    /// Network mode: their population.
    pub off_network_population: Option<f64>,
}

/// The rows of one scenario's summary, in threshold order.
pub(super) fn rows(scenario: &str, summary: &Summary) -> Vec<BatchRow> {
    summary
        .coverage
        .iter()
        .map(|c| BatchRow {
            scenario: scenario.to_owned(),
            mode: summary.parameters.mode,
            label: c.threshold.label.clone(),
            minutes: c.threshold.minutes,
            distance_m: c.threshold.distance_m,
            population: summary.population,
            covered: c.population_covered,
            share: c.share,
            blocks: summary.counts.blocks,
            blocks_covered: c.blocks_covered,
            off_network_blocks: summary.network.as_ref().map(|n| n.blocks_off_network),
            off_network_population: summary.network.as_ref().map(|n| n.population_off_network),
        })
        .collect()
}

pub(super) use crate::report::{csv_field, num};

/// An optional number; empty when absent.
pub(super) fn opt<T: ToString>(x: Option<T>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

/// `batch.csv`.
pub(super) fn batch_csv(rows: &[BatchRow]) -> String {
    let mut o = String::from(
        "scenario,mode,threshold,minutes,distance_m,population,covered,share,blocks,blocks_covered,off_network_blocks,off_network_population\n",
    );
    for r in rows {
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.scenario),
            r.mode,
            csv_field(&r.label),
            num(r.minutes),
            num(r.distance_m),
            num(r.population),
            num(r.covered),
            num(r.share),
            r.blocks,
            r.blocks_covered,
            opt(r.off_network_blocks),
            opt(r.off_network_population.map(num)),
        );
    }
    o
}
