//! The reader against the bare-parse baseline, interleaved in one run.
//!
//! The baseline reads the whole file, splits it into lines and lets `serde_json` deserialise each
//! feature (geometry, id, population, district) into borrowed structs, in parallel on rayon's
//! pool: about the least any GeoJSON reader can do. Each round times the baseline and then
//! walkshed's block reader (`read_blocks`, grouping by `district`, as `coverage --group-by
//! district` reads them), so that a noisy machine slows both alike; the medians and the
//! median of the rounds' ratios are printed.
//!
//! ```text
//! cargo run --release --example bare_parse -- /tmp/s1m/blocks.geojson 9
//! ```

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use walkshed::{read_blocks, BlockFields};

#[derive(Deserialize)]
struct Feature<'a> {
    #[serde(borrow)]
    properties: Properties<'a>,
    geometry: Geometry<'a>,
}

#[derive(Deserialize)]
struct Properties<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    population: f64,
    #[serde(borrow)]
    district: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Geometry<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    coordinates: Positions,
}

/// Every position of a geometry's coordinates, at any depth, in one vector.
struct Positions(Vec<[f64; 2]>);

impl<'de> Deserialize<'de> for Positions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = Vec::new();
        Flatten(&mut out).deserialize(d)?;
        Ok(Positions(out))
    }
}

/// Pushes the positions of one level of nesting.
struct Flatten<'a>(&'a mut Vec<[f64; 2]>);

impl<'de> DeserializeSeed<'de> for Flatten<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Flatten<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("coordinates")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // A position is a sequence of numbers; anything else nests further.
        let mut numbers = Vec::new();
        while let Some(e) = seq.next_element_seed(Element(&mut *self.0))? {
            if let Some(x) = e {
                numbers.push(x);
            }
        }
        if numbers.len() >= 2 {
            self.0.push([numbers[0], numbers[1]]);
        }
        Ok(())
    }
}

/// A number (returned) or a nested list (flattened into the vector).
struct Element<'a>(&'a mut Vec<[f64; 2]>);

impl<'de> DeserializeSeed<'de> for Element<'_> {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Element<'_> {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a list")
    }
    fn visit_f64<E>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(Some(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<f64>, A::Error> {
        Flatten(self.0).visit_seq(seq).map(|()| None)
    }
}

/// The baseline: read, split into lines, deserialise each feature line in parallel. Returns a
/// checksum so that nothing is optimised away.
fn bare(path: &Path) -> f64 {
    let bytes = std::fs::read(path).expect("the blocks file");
    let lines: Vec<&[u8]> = bytes.split(|&c| c == b'\n').collect();
    lines
        .par_iter()
        .filter_map(|line| {
            let line = line.strip_suffix(b",").unwrap_or(line);
            line.starts_with(b"{\"type\":\"Feature\"").then_some(line)
        })
        .map(|line| {
            let f: Feature = serde_json::from_slice(line).expect("a feature");
            let g = &f.geometry;
            f.properties.population
                + (g.coordinates.0.len() + g.kind.len() + f.properties.id.len()) as f64
                + f.properties.district.len() as f64
        })
        .sum()
}

/// walkshed's reader, as `coverage --group-by district` calls it; returns the block count.
fn walkshed(path: &Path) -> usize {
    let fields = BlockFields {
        group_by: Some("district".to_owned()),
        ..BlockFields::default()
    };
    read_blocks(path, &fields).expect("blocks").blocks().len()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    (v[(n - 1) / 2] + v[n / 2]) / 2.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "/tmp/s1m/blocks.geojson".to_owned());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7);
    let path = Path::new(&path);
    let time = |f: &dyn Fn() -> f64| {
        let start = Instant::now();
        std::hint::black_box(f());
        start.elapsed().as_secs_f64()
    };
    let (mut base, mut ours, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let b = time(&|| bare(path));
        let w = time(&|| walkshed(path) as f64);
        println!(
            "round {round}: bare serde {b:.3} s, walkshed {w:.3} s, ratio {:.3}",
            w / b
        );
        base.push(b);
        ours.push(w);
        ratios.push(w / b);
    }
    println!(
        "medians: bare serde {:.3} s, walkshed {:.3} s; median ratio {:.3}",
        median(base),
        median(ours),
        median(ratios)
    );
}
