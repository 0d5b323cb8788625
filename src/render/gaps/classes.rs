//! Walking-time classes: which class each block falls in, the colour of each class, and the
//! blocks and residents per class.

use crate::config::Threshold;
use crate::coverage::{Measured, Reach};
use crate::load::BlockSet;

/// Colours of the covered classes: Okabe–Ito blue, lightening band by band.
const COVERED_DARK: [u8; 3] = [0x00, 0x72, 0xB2];
const COVERED_LIGHT: [u8; 3] = [0xA8, 0xD5, 0xF2];
/// The gap colour: Okabe–Ito vermilion.
pub const GAP_COLOUR: &str = "#D55E00";
/// Off-network blocks.
pub const OFF_NETWORK_COLOUR: &str = "#A3A3A3";

/// The fill of each walking-time class: one per threshold band, then the gap, then off-network.
/// Blue–vermilion keeps covered and uncovered apart for every kind of colour blindness, and the
/// blue bands differ in lightness.
pub fn palette(thresholds: usize) -> Vec<String> {
    let mut out: Vec<String> = (0..thresholds)
        .map(|k| {
            let t = if thresholds > 1 {
                k as f64 / (thresholds - 1) as f64
            } else {
                0.0
            };
            let c: Vec<u8> = (0..3)
                .map(|i| {
                    (COVERED_DARK[i] as f64
                        + t * (COVERED_LIGHT[i] as f64 - COVERED_DARK[i] as f64))
                        .round() as u8
                })
                .collect();
            format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2])
        })
        .collect();
    out.push(GAP_COLOUR.to_owned());
    out.push(OFF_NETWORK_COLOUR.to_owned());
    out
}

/// A block's walking-time class: the first threshold band it falls in (`0..n`), `n` beyond
/// the last threshold or unreached, `n + 1` off the network.
pub(crate) fn class_of(m: &Measured, thresholds: &[Threshold]) -> usize {
    if m.reach == Reach::OffNetwork {
        return thresholds.len() + 1;
    }
    match m.distance_m {
        Some(d) => band_of(d, thresholds),
        None => thresholds.len(),
    }
}

/// The first threshold band distance `d` (metres) falls in, or `thresholds.len()` beyond the
/// last.
pub(super) fn band_of(d: f64, thresholds: &[Threshold]) -> usize {
    thresholds
        .iter()
        .position(|t| d <= t.distance_m)
        .unwrap_or(thresholds.len())
}

/// The blocks sorted into walking-time classes: `n` threshold bands, the gap, off-network.
#[derive(Debug, Clone)]
pub(super) struct Classes {
    /// Each block's class, in block order.
    pub of_block: Vec<usize>,
    /// Blocks per class.
    pub blocks: Vec<usize>,
    /// Residents (or blocks, unweighted) per class.
    pub population: Vec<f64>,
    /// Fill per class ([`palette`]).
    pub colours: Vec<String>,
}

impl Classes {
    /// Sorts `blocks`, measured as `measured` (in block order), by `thresholds`.
    pub fn new(blocks: &BlockSet, measured: &[Measured], thresholds: &[Threshold]) -> Classes {
        let n = thresholds.len();
        let of_block: Vec<usize> = measured.iter().map(|m| class_of(m, thresholds)).collect();
        let mut population = vec![0.0f64; n + 2];
        let mut count = vec![0usize; n + 2];
        for (b, &c) in blocks.blocks().iter().zip(&of_block) {
            population[c] += b.population;
            count[c] += 1;
        }
        Classes {
            of_block,
            blocks: count,
            population,
            colours: palette(n),
        }
    }

    /// The threshold bands, the gap, off-network: `n + 2`.
    pub fn len(&self) -> usize {
        self.colours.len()
    }

    /// The blocks of class `k`, in block order.
    pub fn members(&self, k: usize) -> Vec<usize> {
        (0..self.of_block.len())
            .filter(|&i| self.of_block[i] == k)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_has_gap_and_grey() {
        let p = palette(3);
        assert_eq!(p.len(), 5);
        assert_eq!(p[0], "#0072B2");
        assert_eq!(p[3], GAP_COLOUR);
        assert_eq!(p[4], OFF_NETWORK_COLOUR);
    }
}
