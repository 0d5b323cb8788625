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
//! The pipeline follows the data; every stage is usable on its own:
//!
//! 1. load — [`read_stations`], [`read_blocks`], [`read_network`] (GeoJSON, text sequences,
//!    `.osm.pbf`) → [`StationSet`], [`BlockSet`] of [`Block`]s, [`WalkLine`]s;
//! 2. project — [`Projection`]: longitude/latitude → a local transverse Mercator plane in metres
//!    ([`projection_for`] picks the plane of a set of blocks);
//! 3. index — [`StationIndex`]: an R-tree of stations (ties go to the station first in the input);
//! 4. measure — distance models behind the [`DistanceModel`] trait: [`StraightLine`] and
//!    [`NetworkModel`] (on a [`Network`] graph), per-block [`Measurement`]s; covered area
//!    fractions with [`AreaModel`], each station's [`Catchment`], per-level distances with
//!    [`LevelDistances`], capacity-aware [`Access`];
//! 5. aggregate — [`Aggregates`]: shares per threshold and group ([`Coverage`], [`Group`]),
//!    station load, walking-time distribution ([`WalkTimeRow`]);
//! 6. report and render — [`Summary`] and the tables chosen by [`Outputs`]; SVG maps
//!    ([`gaps_svg`] of a [`GapMap`]) and charts ([`curve_svg`], [`groups_svg`]); service areas as
//!    disjoint bands ([`straight_line_bands`], [`contoured_bands`], [`service_areas_geojson`]).
//!
//! [`analyse`] runs stages 2–5 on loaded inputs and returns an [`Analysis`]; [`run`] runs a whole
//! coverage [`Job`] (its options: [`CoverageOptions`]; [`Job::analyse`] without writing,
//! [`write_outputs`] to write an analysis); [`run_batch`] runs many scenarios of a [`Batch`] file
//! with inputs read once. [`suggest`] proposes sites for new stations.
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

mod aggregate;
mod batch;
mod capacity;
mod change;
mod checks;
mod circle;
mod config;
mod coords;
mod coverage;
mod error;
mod geopackage;
mod index;
mod levels;
mod load;
mod network;
mod options;
mod pipeline;
mod project;
mod publish;
mod render;
mod report;
mod run;
mod service_areas;
mod suggest;
mod sum;
mod tiles;

pub use aggregate::{aggregate, Aggregates, Coverage, Group, NetworkSummary, WalkTimeRow};
pub use batch::{
    run_batch, Batch, BatchEvent, BatchFileError, BatchOptions, BatchProblem, BatchReport,
    BatchRow, Diff, DiffBase, DiffRow, DiffScope, LoadCounts, LoadStep, Scenario, ScenarioKind,
    ScenarioReport,
};
pub use capacity::{Access, Staffing};
pub use change::{BlockChange, Change, ChangeRow, ChangeSummary};
pub use checks::MAX_SPAN_DEG;
pub use circle::{CircleInputs, CircleOptions};
pub use config::{Params, ParamsBuilder, Threshold, ThresholdUnit};
pub use coords::Coords;
pub use coverage::{
    disk_polygon, AreaBasis, AreaModel, BlockOutline, Catchment, DistanceModel, Legs, Measured,
    Measurement, NetworkModel, NetworkReport, Reach, StraightLine,
};
pub use error::{Error, Location, Result};
pub use index::StationIndex;
pub use levels::{Level, LevelDistances, LevelReport, Standard};
pub use load::{
    convert_to_geojson, read_blocks, read_blocks_from, read_blocks_with, read_context,
    read_context_from, read_network, read_network_with, read_stations, read_stations_from,
    read_stations_with, read_walk_lines, Block, BlockFields, BlockSet, BlockSetBuilder,
    ContextLayer, GroupId, GroupNames, InputOptions, InputSettings, OutlineRings, PolygonProblem,
    ReadOptions, Station, StationSet, TextEncoding,
};
pub use network::{Edge, Neighbour, Network, Origin, ShortestPaths, Snap, WalkLine};
pub use options::{CoverageOptions, Measure, SuggestChoice, SuggestOptions, TableFormat};
pub use pipeline::{
    analyse, analyse_area, analyse_with, projection_for, Analysis, AreaBases, AreaCoverage,
};
pub use project::{BoxForward, Projection, XY};
pub use publish::clean_up_interrupted;
pub use render::{
    change_svg, curve_svg, draw_gaps, draw_maps, gaps_svg, groups_svg, report_html, svg_to_png,
    text_width, DrawnMap, GapMap, Lang, MapOptions, Maps, ReachStyle, DEFAULT_ATTRIBUTION,
    FONT_FAMILY, GAP_COLOUR, OFF_NETWORK_COLOUR, PNG_SCALE,
};
pub use report::{
    write_walk_lines, Counts, Inputs, InvalidPolygon, Outputs, Parameters, Summary, Tool,
};
pub use run::{run, write_outputs, Job, Stage};
pub use service_areas::{
    contoured_bands, service_areas_geojson, straight_line_bands, Band, Residents, ServiceGrid,
};
pub use suggest::candidates::{
    exclude as exclude_candidates, grid as candidate_grid, uncovered_anchors,
};
pub use suggest::job::{run_suggest, CandidateSource, SuggestJob, Suggested};
pub use suggest::{choose, suggest, Candidate, Covers, Goal, Pick, Suggestion};
pub use sum::ExactSum;
pub use tiles::{
    halo_m, merge, merge_batch, run_batch_tile, run_tile, BatchTiles, TileReport, TileSet, TileSpec,
};
