//! The records read: stations and blocks.

use std::path::PathBuf;

#[cfg(doc)]
use super::BlockSet;
use super::{GroupId, PolygonProblem};

/// A service station.
#[derive(Debug, Clone, PartialEq)]
pub struct Station {
    /// `properties.id`, else the Feature's `id`, else its 0-based index.
    pub id: String,
    /// `properties.name`, if any.
    pub name: Option<String>,
    /// `properties.level` (`center`, `subcenter`, `station`, `point`, …), if any.
    pub level: Option<String>,
    /// Longitude/latitude (degrees) of each entrance: one for a Point, several for a MultiPoint,
    /// the centroid for a station given as an area.
    pub entrances: Vec<[f64; 2]>,
    /// Whether the station was given as a Polygon/MultiPolygon and reduced to its centroid.
    pub from_area: bool,
}

/// A residential block (or building, or census unit).
///
/// Performance note, not a contract: on 64-bit targets a block fits in one 64-byte cache line
/// (56 bytes with Rust 1.88), which keeps the scans of a million-block city fast
/// (`benches/stages.rs`). Keep new per-block data in [`BlockSet`] unless every stage needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// `properties.id`, else the Feature's `id`, else its 0-based index.
    pub id: Box<str>,
    /// Longitude/latitude (degrees) of the anchor: the polygon's centroid, or the point.
    pub anchor: [f64; 2],
    /// Population (1 for every block when no block has the population field).
    pub population: f64,
    /// The group of the `--group-by` field's value, if asked for and present; its name is in
    /// the set's [`BlockSet::groups`].
    pub group: Option<GroupId>,
    /// Why the polygon is invalid, if it is (it keeps its centroid anchor).
    pub problem: Option<PolygonProblem>,
}

/// Stations read from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct StationSet {
    /// The file.
    pub path: PathBuf,
    /// The stations, in input order.
    pub stations: Vec<Station>,
}

impl StationSet {
    /// How many stations were given as areas and reduced to their centroid.
    pub fn from_areas(&self) -> usize {
        self.stations.iter().filter(|s| s.from_area).count()
    }
}
