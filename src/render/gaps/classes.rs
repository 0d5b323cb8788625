//! Walking-time classes: which class each block falls in, the colour of each class, and the
//! blocks and residents per class.

use crate::config::Threshold;
use crate::coverage::{Measured, Reach};
use crate::load::BlockSet;

/// The covered class (within the first threshold): Okabe–Ito blue.
const COVERED: [u8; 3] = [0x00, 0x72, 0xB2];
/// The lightest shade of the gap (just beyond the first threshold).
const GAP_LIGHT: [u8; 3] = [0xF6, 0xC1, 0x8F];
/// The gap colour, beyond the last threshold: Okabe–Ito vermilion.
const GAP_DARK: [u8; 3] = [0xD5, 0x5E, 0x00];
/// The gap colour: Okabe–Ito vermilion.
pub const GAP_COLOUR: &str = "#D55E00";
/// Off-network blocks.
pub const OFF_NETWORK_COLOUR: &str = "#A3A3A3";

/// The fill of each walking-time class: one per threshold band, then beyond the last, then
/// off-network. The title speaks of the first threshold, so only its band is covered (blue);
/// every class beyond it is a gap, in shades of vermilion darkening with the walk, the darkest
/// beyond the last threshold. Blue–vermilion keeps covered and uncovered apart for every kind of
/// colour blindness, and the gap shades differ in lightness.
pub fn palette(thresholds: usize) -> Vec<String> {
    let hex = |c: [u8; 3]| format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2]);
    let mut out = vec![hex(COVERED)];
    for k in 1..=thresholds {
        let t = if thresholds > 1 {
            (k - 1) as f64 / (thresholds - 1) as f64
        } else {
            1.0
        };
        let c: [u8; 3] = std::array::from_fn(|i| {
            (GAP_LIGHT[i] as f64 + t * (GAP_DARK[i] as f64 - GAP_LIGHT[i] as f64)).round() as u8
        });
        out.push(hex(c));
    }
    out.push(OFF_NETWORK_COLOUR.to_owned());
    out
}

/// Whether class `k` is a gap: beyond the first threshold, on the network (`thresholds` bands).
pub(super) fn is_gap(k: usize, thresholds: usize) -> bool {
    k >= 1 && k <= thresholds
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
        assert_eq!(
            p[1], "#F6C18F",
            "just beyond the first threshold: the lightest gap"
        );
        assert_eq!(p[3], GAP_COLOUR);
        assert_eq!(p[4], OFF_NETWORK_COLOUR);
    }
}
