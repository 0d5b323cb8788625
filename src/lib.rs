//! # walkshed
//!
//! What share of residents live within an N-minute walk of a service station, where are the
//! gaps, and where should the next stations go?
//!
//! walkshed reads station locations and residential blocks as GeoJSON and measures every block's
//! walking distance to its nearest station, in a straight line or along a walking network; it
//! reports the covered share of residents per threshold and group, each station's load, the
//! walking-time distribution, and writes tables that GIS tools read back, and SVG gap maps.
//! The method (inputs, distances, thresholds, results, bad input, tolerances) is written out in
//! the repository's `docs/method.md`.
//!
//! The modules follow the data:
//!
//! 1. [`load`] — GeoJSON and OpenStreetMap readers → [`Station`], [`Block`], [`WalkLine`] records;
//! 2. [`project`] — longitude/latitude → a local transverse Mercator plane in metres;
//! 3. [`index`] — an R-tree of stations (ties go to the station first in the input);
//! 4. [`coverage`] — distance models behind the [`DistanceModel`] trait: [`StraightLine`] and
//!    [`NetworkModel`] (built on [`network`]);
//! 5. [`aggregate`] — shares per threshold and group, station load, walking-time distribution;
//! 6. [`report`] — summary, CSV and GeoJSON writers (stable order, atomic writes), and
//!    [`render`] — SVG maps and charts.
//!
//! 7. [`batch`] — many scenarios from one TOML file, inputs read once, combined tables and diff.
//! 8. [`service_areas`] — the region within each threshold as disjoint bands (MultiPolygons).
//!
//! [`analyse`] runs stages 2–5 on loaded inputs; [`run`] runs a whole coverage job.
//!
//! # Examples
//!
//! ```
//! use walkshed::{analyse, BlockSet, Block, Params, Station, StraightLine};
//!
//! // One station, two point blocks 250 m and 400 m to its east (0.0026° ≈ 250 m at 30.7° N).
//! let station = Station { id: "s1".into(), name: None, level: None,
//!                         entrances: vec![[121.33, 30.72]], from_area: false };
//! let block = |id: &str, lon: f64, population: f64| Block { id: id.into(), anchor: [lon, 30.72],
//!                         population, group: None, problem: None };
//! let blocks = BlockSet::builder("blocks.geojson")
//!     .build(vec![block("a", 121.3326, 100.0), block("b", 121.3342, 300.0)]);
//! let params = Params::builder().minutes(&[5.0, 10.0]).build()?;
//! let analysis = analyse(&[station], &blocks, &StraightLine { detour: 1.0 }, &params);
//! assert_eq!(analysis.aggregates.coverage[0].share, 0.25); // 100 of 400 within 300 m
//! assert_eq!(analysis.aggregates.coverage[1].share, 1.0);  // all within 600 m
//! # Ok::<(), walkshed::Error>(())
//! ```

pub mod aggregate;
pub mod batch;
pub mod capacity;
pub mod checks;
pub mod circle;
pub mod config;
pub mod coords;
pub mod coverage;
pub mod error;
pub mod index;
pub mod levels;
pub mod load;
pub mod network;
pub mod options;
pub mod project;
pub mod publish;
pub mod render;
pub mod report;
pub mod run;
pub mod service_areas;
pub mod suggest;

pub use aggregate::{Aggregates, Coverage, Group, NetworkSummary, WalkTimeRow};
pub use capacity::Staffing;
pub use circle::{CircleInputs, CircleOptions};
pub use config::{Params, ParamsBuilder, Threshold, ThresholdUnit};
pub use coords::Coords;
pub use coverage::{DistanceModel, Legs, Measured, Measurement, NetworkModel, Reach, StraightLine};
pub use error::{Error, Location, Result};
pub use index::StationIndex;
pub use levels::{Level, LevelReport, Standard};
pub use load::{
    read_blocks, read_network, read_stations, Block, BlockFields, BlockSet, Station, StationSet,
};
pub use network::{Network, WalkLine};
pub use options::{CoverageOptions, SuggestOptions};
pub use project::Projection;

/// The result of one coverage analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The parameters.
    pub params: Params,
    /// The distance model's name.
    pub model: &'static str,
    /// The metric plane the analysis was measured in.
    pub projection: Projection,
    /// The stations (base and added), in input order.
    pub stations: Vec<Station>,
    /// Per-block measures, in input order.
    pub measurement: Measurement,
    /// Shares, groups, loads, walking-time distribution.
    pub aggregates: Aggregates,
    /// Network-mode figures.
    pub network: Option<NetworkSummary>,
    /// The level analysis (`--levels`).
    pub levels: Option<LevelReport>,
    /// Capacity (`--capacity`).
    pub capacity: Option<Staffing>,
}

/// The metric plane for a set of blocks: a transverse Mercator centred on the middle of the
/// bounding box of their anchors. Stations far from every block do not move it, so scenarios
/// that add stations to the same blocks share one plane (and one network graph).
pub fn projection_for(blocks: &BlockSet) -> Projection {
    Projection::centred_on_bbox(blocks.anchor_bbox())
}

/// Measures and aggregates: every block against `stations` under `model`.
pub fn analyse(
    stations: &[Station],
    blocks: &BlockSet,
    model: &dyn DistanceModel,
    params: &Params,
) -> Analysis {
    analyse_with(stations, blocks, model, params, &CircleInputs::default())
}

/// [`analyse`], with the levels and capacity `circle` asks for (read for these `stations`).
pub fn analyse_with(
    stations: &[Station],
    blocks: &BlockSet,
    model: &dyn DistanceModel,
    params: &Params,
    circle: &CircleInputs,
) -> Analysis {
    use rayon::prelude::*;
    let bbox = blocks.anchor_bbox();
    let projection = Projection::centred_on_bbox(bbox);
    let entrances: Vec<Vec<project::XY>> = stations
        .par_iter()
        .map(|s| {
            s.entrances
                .iter()
                .map(|p| projection.forward(p[0], p[1]))
                .collect()
        })
        .collect();
    let fast = projection.over_box(bbox);
    let anchors = fast.forward_all(blocks.blocks(), |b| b.anchor);
    let measurement = model.measure(&entrances, &anchors, params.reach_m());
    let aggregates = aggregate::aggregate(
        blocks.blocks(),
        stations.len(),
        &measurement,
        params,
        blocks.fields().group_by.is_some().then(|| blocks.groups()),
    );
    let ids: Vec<&str> = stations.iter().map(|s| s.id.as_str()).collect();
    let network = aggregate::network_summary(blocks.blocks(), &ids, &measurement);
    let (levels, capacity) = if circle.is_empty() {
        (None, None)
    } else {
        let loads: Vec<f64> = aggregates.station_load.iter().map(|l| l.0).collect();
        let groups = aggregates
            .groups
            .as_ref()
            .map(|g| g.iter().map(|g| g.name.clone()).collect());
        let plane = circle::Plane {
            entrances: &entrances,
            anchors: &anchors,
        };
        circle::measure(
            circle,
            &plane,
            model,
            &measurement,
            params,
            blocks,
            &loads,
            groups,
        )
    };
    Analysis {
        params: params.clone(),
        model: model.name(),
        projection,
        stations: stations.to_vec(),
        measurement,
        aggregates,
        network,
        levels,
        capacity,
    }
}
