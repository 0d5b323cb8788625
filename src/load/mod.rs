//! Stage 1, **load**: GeoJSON (FeatureCollection, one Feature per line, or RFC 8142 text
//! sequences) and OpenStreetMap readers that turn input files into compact typed records.
//!
//! The whole file is read once; a structural scan splits it into one byte range per feature,
//! and the features are parsed in parallel into just what the analysis needs (anchor, population,
//! id, a few properties). No document tree of the whole file is built.

mod feature;
mod geometry;
pub mod osm;
mod scan;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

pub use geometry::PolygonProblem;

use crate::error::{Error, Location, Result};
use crate::network::WalkLine;
use feature::{parse_feature, Flat, RawFeature};

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
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// `properties.id`, else the Feature's `id`, else its 0-based index.
    pub id: String,
    /// Longitude/latitude (degrees) of the anchor: the polygon's centroid, or the point.
    pub anchor: [f64; 2],
    /// Population (1 for every block when no block has the population field).
    pub population: f64,
    /// Value of the `--group-by` field, if asked for and present.
    pub group: Option<String>,
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

/// What to read from the blocks file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFields {
    /// The population property (default `population`).
    pub population: String,
    /// The grouping property, if any.
    pub group_by: Option<String>,
    /// Keep each block's rings (lon/lat) for drawing maps.
    pub keep_shapes: bool,
}

impl Default for BlockFields {
    fn default() -> Self {
        BlockFields {
            population: "population".to_owned(),
            group_by: None,
            keep_shapes: false,
        }
    }
}

/// One block's outline for maps: its rings in lon/lat (shells and holes alike; fill even-odd).
/// Empty for a point block.
pub type Shape = Vec<Vec<[f64; 2]>>;

/// Blocks read from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockSet {
    /// The file.
    pub path: PathBuf,
    /// The blocks, in input order.
    pub blocks: Vec<Block>,
    /// Whether blocks carry a population (else every block weighs 1).
    pub weighted: bool,
    /// The fields read.
    pub fields: BlockFields,
    /// Outlines, when [`BlockFields::keep_shapes`] was set.
    pub shapes: Option<Vec<Shape>>,
}

impl BlockSet {
    /// Blocks with an invalid polygon, as `(index, id, problem)`.
    pub fn invalid(&self) -> Vec<(usize, &str, PolygonProblem)> {
        self.blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.problem.map(|p| (i, b.id.as_str(), p)))
            .collect()
    }

    /// Total population.
    pub fn total_population(&self) -> f64 {
        self.blocks.iter().map(|b| b.population).sum()
    }
}

/// A file split into features, ready to parse.
pub(crate) struct Source {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub features: Vec<std::ops::Range<usize>>,
}

impl Source {
    /// Reads and splits a GeoJSON file, checking its `crs` member.
    pub(crate) fn open(path: &Path) -> Result<Source> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let layout = match scan::layout(&bytes) {
            Ok(l) => l,
            Err(e) => {
                return Err(syntax_error(
                    path,
                    &bytes,
                    0..bytes.len(),
                    e.offset,
                    &e.message,
                ))
            }
        };
        for (key, range) in &layout.members {
            let value: Value = serde_json::from_slice(&bytes[range.clone()])
                .map_err(|e| json_error(path, &bytes, range.start, &e))?;
            match key.as_str() {
                "type" if value != "FeatureCollection" => {
                    return Err(Error::Json {
                        location: Location::file(path),
                        message: format!("expected type \"FeatureCollection\", found {value}"),
                    })
                }
                "crs" => check_crs(path, &value)?,
                _ => {}
            }
        }
        Ok(Source {
            path: path.to_path_buf(),
            bytes,
            features: layout.features,
        })
    }

    /// Parses every feature in parallel (ordered), keeping the `wanted` properties, and maps each
    /// with `f`. The first error in file order is returned.
    pub(crate) fn parse<T: Send>(
        &self,
        wanted: &[&str],
        f: impl Fn(usize, RawFeature) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        let results: Vec<Result<T>> = self
            .features
            .par_iter()
            .enumerate()
            .map(|(i, range)| {
                let raw = parse_feature(&self.bytes[range.clone()], wanted)
                    .map_err(|e| json_error(&self.path, &self.bytes, range.start, &e))
                    .map_err(|e| with_feature(e, i))?;
                if raw.kind.as_deref() != Some("Feature") {
                    return Err(Error::Json {
                        location: Location::feature(&self.path, i, feature_id(&raw, 0)),
                        message: format!(
                            "expected a Feature, found {}",
                            raw.kind
                                .as_deref()
                                .map_or("an object without \"type\"".to_owned(), |k| format!(
                                    "type {k:?}"
                                ))
                        ),
                    });
                }
                f(i, raw)
            })
            .collect();
        results.into_iter().collect()
    }
}

fn with_feature(e: Error, index: usize) -> Error {
    match e {
        Error::Json {
            mut location,
            message,
        } => {
            location.feature = Some(index);
            Error::Json { location, message }
        }
        other => other,
    }
}

fn syntax_error(
    path: &Path,
    bytes: &[u8],
    whole: std::ops::Range<usize>,
    offset: usize,
    message: &str,
) -> Error {
    // Prefer serde_json's own account of the problem, which is exact.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes[whole.clone()]) {
        return json_error(path, bytes, whole.start, &e);
    }
    Error::Json {
        location: Location {
            line_column: Some(scan::line_column(bytes, offset)),
            ..Location::file(path)
        },
        message: message.to_owned(),
    }
}

/// A `serde_json` error within the text starting at `base`, located in the whole file.
fn json_error(path: &Path, bytes: &[u8], base: usize, e: &serde_json::Error) -> Error {
    let offset = base + scan::offset_of(&bytes[base..], e.line().max(1), e.column());
    let message = e.to_string();
    // serde_json appends " at line L column C" relative to the fragment; drop it.
    let message = match message.rfind(" at line ") {
        Some(p) => message[..p].to_owned(),
        None => message,
    };
    Error::Json {
        location: Location {
            line_column: Some(scan::line_column(bytes, offset)),
            ..Location::file(path)
        },
        message,
    }
}

fn check_crs(path: &Path, crs: &Value) -> Result<()> {
    if crs.is_null() {
        return Ok(());
    }
    let name = crs
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| crs.to_string());
    let upper = name.to_ascii_uppercase();
    let accepted = upper.ends_with("CRS84")
        || ["4326", "4490"].iter().any(|code| {
            upper.ends_with(&format!("EPSG::{code}")) || upper.ends_with(&format!("EPSG:{code}"))
        });
    if accepted {
        Ok(())
    } else {
        Err(Error::Crs {
            location: Location::file(path),
            name,
        })
    }
}

/// A feature's id: `properties.id` (the first wanted property), else its `id` member, else its
/// index.
fn feature_id(raw: &RawFeature, index: usize) -> Option<String> {
    raw.props
        .first()
        .cloned()
        .flatten()
        .or_else(|| raw.id.clone())
        .filter(|v| !v.is_null())
        .map(|v| value_text(&v))
        .or(Some(index.to_string()))
}

/// A property value as text: strings as they are, anything else as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The geometry of a feature with its type checked against `allowed` and its coordinates against
/// longitude/latitude range.
fn geometry<'r>(
    path: &Path,
    index: usize,
    id: &Option<String>,
    raw: &'r RawFeature,
    allowed: &[&str],
    expected: &'static str,
) -> Result<(&'r str, &'r Flat)> {
    let location = || Location::feature(path, index, id.clone());
    let g = raw.geometry.as_ref().ok_or_else(|| Error::GeometryType {
        location: location(),
        expected,
        found: "null".to_owned(),
    })?;
    let kind = g.kind.as_deref().unwrap_or("");
    if !allowed.contains(&kind) {
        return Err(Error::GeometryType {
            location: location(),
            expected,
            found: if kind.is_empty() {
                "a geometry without \"type\"".to_owned()
            } else {
                kind.to_owned()
            },
        });
    }
    let want_depth = match kind {
        "Point" => 0,
        "MultiPoint" | "LineString" => 1,
        "Polygon" | "MultiLineString" => 2,
        _ => 3,
    };
    if g.coords.points.is_empty() {
        return Err(Error::Geometry {
            location: location(),
            message: format!("{kind} without coordinates"),
        });
    }
    if g.coords.depth != Some(want_depth) {
        return Err(Error::Geometry {
            location: location(),
            message: format!("coordinates are not nested as a {kind}'s"),
        });
    }
    for p in &g.coords.points {
        if !(p[0].is_finite()
            && p[1].is_finite()
            && (-180.0..=180.0).contains(&p[0])
            && (-90.0..=90.0).contains(&p[1]))
        {
            return Err(Error::OutOfRange {
                location: location(),
                x: p[0],
                y: p[1],
            });
        }
    }
    Ok((kind, &g.coords))
}

/// Index of `name` in `wanted`, adding it if missing.
fn wanted_index<'a>(wanted: &mut Vec<&'a str>, name: &'a str) -> usize {
    match wanted.iter().position(|w| *w == name) {
        Some(k) => k,
        None => {
            wanted.push(name);
            wanted.len() - 1
        }
    }
}

fn text_prop(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(value_text)
}

/// Reads stations: Point, MultiPoint (entrances), Polygon/MultiPolygon (reduced to centroid).
pub fn read_stations(path: &Path) -> Result<StationSet> {
    let source = Source::open(path)?;
    let stations = source.parse(&["id", "name", "level"], |i, raw| {
        let id = feature_id(&raw, i);
        let (kind, flat) = geometry(
            path,
            i,
            &id,
            &raw,
            &["Point", "MultiPoint", "Polygon", "MultiPolygon"],
            "Point, MultiPoint, Polygon or MultiPolygon",
        )?;
        let from_area = kind.ends_with("Polygon");
        let entrances = if from_area {
            vec![geometry::area_centroid(flat)]
        } else {
            flat.points.clone()
        };
        Ok(Station {
            id: id.unwrap_or_else(|| i.to_string()),
            name: text_prop(&raw.props[1]),
            level: text_prop(&raw.props[2]),
            entrances,
            from_area,
        })
    })?;
    if stations.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
            what: "stations",
        });
    }
    Ok(StationSet {
        path: path.to_path_buf(),
        stations,
    })
}

/// Reads residential blocks: Polygon, MultiPolygon (anchor = centroid) or Point.
pub fn read_blocks(path: &Path, fields: &BlockFields) -> Result<BlockSet> {
    let source = Source::open(path)?;
    let mut wanted = vec!["id"];
    let population_at = wanted_index(&mut wanted, &fields.population);
    let group_at = fields
        .group_by
        .as_deref()
        .map(|g| wanted_index(&mut wanted, g));
    struct Parsed {
        block: Block,
        population: Option<Value>,
        has_group: bool,
        shape: Option<Shape>,
    }
    let parsed = source.parse(&wanted, |i, raw| {
        let id = feature_id(&raw, i);
        let (kind, flat) = geometry(
            path,
            i,
            &id,
            &raw,
            &["Polygon", "MultiPolygon", "Point"],
            "Polygon, MultiPolygon or Point",
        )?;
        let (anchor, problem) = if kind == "Point" {
            (flat.points[0], None)
        } else {
            geometry::polygon_anchor(flat)
        };
        let shape = fields.keep_shapes.then(|| {
            geometry::rings(flat)
                .into_iter()
                .map(|(_, r)| flat.points[r].to_vec())
                .collect()
        });
        let group = group_at.and_then(|k| text_prop(&raw.props[k]));
        Ok(Parsed {
            has_group: group.is_some(),
            block: Block {
                id: id.unwrap_or_else(|| i.to_string()),
                anchor,
                population: 1.0,
                group,
                problem,
            },
            population: raw.props[population_at].clone(),
            shape,
        })
    })?;
    if parsed.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
            what: "blocks",
        });
    }
    if let Some(g) = &fields.group_by {
        if !parsed.iter().any(|p| p.has_group) {
            return Err(Error::GroupField {
                path: path.to_path_buf(),
                field: g.clone(),
            });
        }
    }
    let first_with = parsed.iter().position(|p| p.population.is_some());
    let weighted = first_with.is_some();
    let mut blocks = Vec::with_capacity(parsed.len());
    let mut shapes = fields.keep_shapes.then(|| Vec::with_capacity(parsed.len()));
    for (i, p) in parsed.into_iter().enumerate() {
        let mut block = p.block;
        if let Some(first_with) = first_with {
            let location = || Location::feature(path, i, Some(block.id.clone()));
            match &p.population {
                None => {
                    return Err(Error::MissingPopulation {
                        location: location(),
                        field: fields.population.clone(),
                        first_with,
                    })
                }
                Some(v) => match v.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => block.population = x,
                    _ => {
                        return Err(Error::Population {
                            location: location(),
                            field: fields.population.clone(),
                            value: v.to_string(),
                        })
                    }
                },
            }
        }
        blocks.push(block);
        if let (Some(shapes), Some(s)) = (shapes.as_mut(), p.shape) {
            shapes.push(s);
        }
    }
    Ok(BlockSet {
        path: path.to_path_buf(),
        blocks,
        weighted,
        fields: fields.clone(),
        shapes,
    })
}

/// Reads a walking network: GeoJSON LineString/MultiLineString features, or an OpenStreetMap
/// `.osm.pbf` file (by its extension), filtered for pedestrians (see [`osm`]).
pub fn read_network(path: &Path) -> Result<Vec<WalkLine>> {
    let is_pbf = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pbf"));
    let lines = if is_pbf {
        osm::read_walk_lines(path)?
    } else {
        let source = Source::open(path)?;
        let per_feature = source.parse(&["id"], |i, raw| {
            let id = feature_id(&raw, i);
            let (kind, flat) = geometry(
                path,
                i,
                &id,
                &raw,
                &["LineString", "MultiLineString"],
                "LineString or MultiLineString",
            )?;
            let id = id.unwrap_or_else(|| i.to_string());
            Ok(if kind == "LineString" {
                vec![WalkLine {
                    id,
                    coords: flat.points.clone(),
                }]
            } else {
                let mut start = 0;
                flat.ends[1]
                    .iter()
                    .map(|&end| {
                        let line = WalkLine {
                            id: id.clone(),
                            coords: flat.points[start..end].to_vec(),
                        };
                        start = end;
                        line
                    })
                    .collect()
            })
        })?;
        per_feature.into_iter().flatten().collect::<Vec<_>>()
    };
    if lines.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
            what: "walkable lines",
        });
    }
    Ok(lines)
}

/// The members `(key, value range)` of the JSON object `text`, or `None` if it is not one.
pub(crate) fn scan_members(text: &[u8]) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let start = text.iter().position(|c| !c.is_ascii_whitespace())?;
    if text[start] != b'{' {
        return None;
    }
    scan::object_members(text, start).ok()
}
