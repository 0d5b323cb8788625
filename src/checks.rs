//! Checks of loaded inputs as a whole, beyond what one feature can show: the extent that one
//! local plane measures well ([`extent`], an error), and data that are probably not what the
//! planner meant ([`warnings`]: the same file as stations and blocks, duplicate ids, stations
//! nowhere near the blocks).
//!
//! # Examples
//!
//! ```
//! use walkshed::MAX_SPAN_DEG;
//! assert_eq!(MAX_SPAN_DEG, 15.0);
//! ```

use std::path::Path;

use crate::error::{Error, Result};
use crate::load::BlockSet;
use crate::{Analysis, Station};

/// The widest extent of block anchors, in degrees of longitude or latitude, that one local plane
/// measures well (about 1,600 km): a city or a region, not a continent.
pub const MAX_SPAN_DEG: f64 = 15.0;

/// How many examples a warning lists.
const EXAMPLES: usize = 3;

/// Fails when the blocks spread over more than [`MAX_SPAN_DEG`] in longitude or latitude, or
/// touch a pole: distances in one local plane would be wrong there.
pub fn extent(blocks: &BlockSet) -> Result<()> {
    let [w, s, e, n] = blocks.anchor_bbox();
    let (dx, dy) = (e - w, n - s);
    let message = if dx > MAX_SPAN_DEG || dy > MAX_SPAN_DEG {
        format!(
            "the blocks spread over {dx:.1}° of longitude and {dy:.1}° of latitude \
             ({w:.3}, {s:.3} to {e:.3}, {n:.3}); walkshed measures in one local plane, good for \
             at most {MAX_SPAN_DEG}°: split the study area (or look for blocks placed far away by mistake)"
        )
    } else if s <= -89.0 || n >= 89.0 {
        "the blocks reach within 1° of a pole, where the local plane does not measure distances; \
         walkshed cannot analyse them"
            .to_owned()
    } else {
        return Ok(());
    };
    Err(Error::Extent {
        path: blocks.path().to_path_buf(),
        message,
    })
}

/// Warnings about inputs that are valid but probably not what was meant: `stations` are the
/// station files, `blocks` the blocks file.
pub fn warnings(stations: &[&Path], blocks: &BlockSet, analysis: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if let Some(s) = stations.iter().find(|s| same(s, blocks.path())) {
        out.push(format!(
            "{} is both a stations file and the blocks file: every block is at a station",
            s.display()
        ));
    }
    let ids = blocks.blocks().iter().map(|b| &*b.id);
    if let Some(w) = duplicates("block", ids) {
        out.push(w);
    }
    if let Some(w) = duplicates("station", analysis.stations.iter().map(|s| s.id.as_str())) {
        out.push(w);
    }
    out.extend(far_apart(blocks, analysis));
    out
}

/// A warning naming ids given to more than one of `what`, if any: how many and a few examples,
/// in the order their second use appears. Found by a parallel sort rather than a hash map: a
/// million block ids take a fraction of the time.
fn duplicates<'a>(what: &str, ids: impl Iterator<Item = &'a str>) -> Option<String> {
    use rayon::prelude::*;
    let mut sorted: Vec<(&str, u32)> = ids.enumerate().map(|(i, id)| (id, i as u32)).collect();
    sorted.par_sort_unstable();
    // Per repeated id: where its second use is, the id, how many uses.
    let mut repeated: Vec<(u32, &str, usize)> = Vec::new();
    let mut k = 0;
    while k < sorted.len() {
        let run = sorted[k..]
            .iter()
            .take_while(|e| e.0 == sorted[k].0)
            .count();
        if run > 1 {
            repeated.push((sorted[k + 1].1, sorted[k].0, run));
        }
        k += run;
    }
    if repeated.is_empty() {
        return None;
    }
    repeated.sort_unstable();
    let examples: Vec<String> = repeated
        .iter()
        .take(EXAMPLES)
        .map(|(_, id, n)| format!("{id:?} ({n} times)"))
        .collect();
    Some(format!(
        "{} {what} id(s) are given to more than one {what}, e.g. {}; their rows cannot be told apart",
        repeated.len(),
        examples.join(", ")
    ))
}

/// A warning when no block is within the largest threshold of any station: how far the nearest
/// is, and the likely cause when the data lie far apart.
fn far_apart(blocks: &BlockSet, analysis: &Analysis) -> Option<String> {
    let last = analysis.aggregates.coverage.last()?;
    if last.blocks_covered > 0 || analysis.stations.is_empty() {
        return None;
    }
    let [w, s, e, n] = blocks.anchor_bbox();
    let centre = [(w + e) / 2.0, (s + n) / 2.0];
    let (station, km) = nearest_station(&analysis.stations, centre)?;
    let mut text = format!(
        "no block is within {} of a station",
        words_threshold(&last.threshold.label)
    );
    if km > 50.0 {
        let swapped = [station[1], station[0]];
        let hint = if great_circle_m(swapped, centre) / 1000.0 < km / 10.0 {
            ": are longitude and latitude swapped in the stations file?"
        } else {
            ": are the files of the same place, in longitude/latitude (WGS84)?"
        };
        text.push_str(&format!(
            "; the nearest station lies {km:.0} km from the middle of the blocks{hint}"
        ));
    }
    Some(text)
}

/// The station entrance nearest to `at` (lon/lat) and its distance in kilometres.
fn nearest_station(stations: &[Station], at: [f64; 2]) -> Option<([f64; 2], f64)> {
    stations
        .iter()
        .flat_map(|s| s.entrances.iter().copied())
        .map(|p| (p, great_circle_m(p, at) / 1000.0))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The great-circle distance between two lon/lat points, metres (a sphere of 6,371 km).
fn great_circle_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dlat = la2 - la1;
    let dlon = (b[0] - a[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().min(1.0).asin()
}

/// A threshold label as words: `5` → `5 min`, `300m` → `300 m`.
fn words_threshold(label: &str) -> String {
    match label.strip_suffix('m') {
        Some(metres) => format!("{metres} m"),
        None => format!("{label} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_counted_with_examples() {
        assert_eq!(duplicates("block", ["a", "b", "c"].into_iter()), None);
        assert_eq!(
            duplicates("block", ["a", "b", "a", "c", "a", "b"].into_iter()).unwrap(),
            "2 block id(s) are given to more than one block, e.g. \"a\" (3 times), \"b\" (2 times); \
             their rows cannot be told apart"
        );
    }
}
