//! Stage 1, **load**: GeoJSON (FeatureCollection, one Feature per line, or RFC 8142 text
//! sequences) and OpenStreetMap readers that turn input files into compact typed records.
//!
//! Stations and blocks may also come as CSV/TSV or Excel points, Shapefile or GeoPackage, and in
//! the GCJ-02/BD-09 coordinates of Chinese web maps ([`InputOptions`]): such a file is first
//! turned into a GeoJSON copy in WGS84 ([`geojson_copy`]), then read like GeoJSON.
//!
//! A GeoJSON file is streamed in chunks (see [`ReadOptions`]): each chunk's features are found and
//! parsed in one pass, in parallel, straight into just what the analysis needs (anchor,
//! population, id, a few properties), in file order. Neither the whole file nor a document tree
//! of it is ever held in memory. A hand-written parser reads the common shape of features; it
//! hands anything unusual to `serde_json`, whose results and errors are the reference.

mod block_set;
mod blocks;
mod context;
mod copy;
mod csv;
mod encoding;
mod feature;
mod geometry;
mod gpkg;
mod groups;
mod input;
mod located;
mod osm;
mod properties;
mod records;
mod scan;
mod shapefile;
mod source;
mod stations;
mod table;
mod walk_lines;
mod wkb;
mod xlsx;

pub(crate) use block_set::FileStamp;
pub use block_set::{BlockFields, BlockSet, BlockSetBuilder, OutlineRings};
pub use blocks::{read_blocks, read_blocks_from, read_blocks_with};
pub use context::{read_context, read_context_from, ContextLayer};
pub use copy::convert_to_geojson;
pub(crate) use copy::{geojson_copy, GeoJsonCopy, Geom};
pub use encoding::TextEncoding;
pub use geometry::PolygonProblem;
pub use groups::{GroupId, GroupNames};
pub(crate) use input::InputFile;
pub use input::{InputOptions, InputSettings};
pub use osm::read_walk_lines;
pub(crate) use properties::properties_member;
pub use records::{Block, Station, StationSet};
pub(crate) use source::FeatureStream;
pub use source::ReadOptions;
pub use stations::{read_station_property, read_stations, read_stations_from, read_stations_with};
pub(crate) use table::cell_value;
pub use walk_lines::{read_network, read_network_with};
pub(crate) use wkb::write as write_wkb;
