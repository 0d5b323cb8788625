//! Stage 1, **load**: GeoJSON (FeatureCollection, one Feature per line, or RFC 8142 text
//! sequences) and OpenStreetMap readers that turn input files into compact typed records.
//!
//! A GeoJSON file is streamed in chunks (see [`ReadOptions`]): each chunk's features are found and
//! parsed in one pass, in parallel, straight into just what the analysis needs (anchor,
//! population, id, a few properties), in file order. Neither the whole file nor a document tree
//! of it is ever held in memory. A hand-written parser reads the common shape of features; it
//! hands anything unusual to `serde_json`, whose results and errors are the reference.

mod block_set;
mod blocks;
mod context;
mod feature;
mod geometry;
mod groups;
mod located;
mod osm;
mod properties;
mod records;
mod scan;
mod source;
mod stations;
mod walk_lines;

pub(crate) use block_set::FileStamp;
pub use block_set::{BlockFields, BlockSet, BlockSetBuilder, OutlineRings};
pub use blocks::{read_blocks, read_blocks_with};
pub use context::{read_context, ContextLayer};
pub use geometry::PolygonProblem;
pub use groups::{GroupId, GroupNames};
pub use osm::read_walk_lines;
pub(crate) use properties::properties_member;
pub use records::{Block, Station, StationSet};
pub(crate) use source::FeatureStream;
pub use source::ReadOptions;
pub use stations::{read_station_property, read_stations, read_stations_with};
pub use walk_lines::{read_network, read_network_with};
