//! Stage 1, **load**: GeoJSON (FeatureCollection, one Feature per line, or RFC 8142 text
//! sequences) and OpenStreetMap readers that turn input files into compact typed records.
//!
//! A GeoJSON file is streamed in chunks (see [`ReadOptions`]): each chunk's features are found and
//! parsed in one pass, in parallel, straight into just what the analysis needs (anchor,
//! population, id, a few properties), in file order. Neither the whole file nor a document tree
//! of it is ever held in memory. A hand-written parser reads the common shape of features; it
//! hands anything unusual to `serde_json`, whose results and errors are the reference.

mod feature;
mod geometry;
pub mod osm;
mod scan;

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

pub use geometry::PolygonProblem;

use crate::error::{Error, Location, Result};
use crate::network::WalkLine;
use feature::{fast_feature_into, parse_feature, Flat, RawFeature, Stop};
use scan::{Batch, Cut, Failure, Member, Problem};

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
    pub id: Box<str>,
    /// Longitude/latitude (degrees) of the anchor: the polygon's centroid, or the point.
    pub anchor: [f64; 2],
    /// Population (1 for every block when no block has the population field).
    pub population: f64,
    /// Value of the `--group-by` field, if asked for and present. Blocks read from a file share
    /// one allocation per distinct value (per reading thread).
    pub group: Option<Arc<str>>,
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

/// One block's outline for maps, as given to [`BlockSet::new`]: its rings in lon/lat (shells and
/// holes alike; fill even-odd). Empty for a point block.
pub type Shape = Vec<Vec<[f64; 2]>>;

/// Blocks read from one file, with what an analysis needs to know of them as a whole (the
/// anchors' bounding box, the blocks whose polygon is invalid), noted as they were read rather
/// than found by another pass over a million records.
///
/// # Examples
///
/// ```
/// use walkshed::{Block, BlockFields, BlockSet};
/// let block = |id: &str, lon: f64| Block { id: id.into(), anchor: [lon, 30.72],
///                                          population: 10.0, group: None, problem: None };
/// let set = BlockSet::new("blocks.geojson", vec![block("a", 121.33), block("b", 121.34)],
///                         true, BlockFields::default(), None);
/// assert_eq!(set.anchor_bbox(), [121.33, 30.72, 121.34, 30.72]);
/// assert_eq!(set.total_population(), 20.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BlockSet {
    path: PathBuf,
    blocks: Vec<Block>,
    weighted: bool,
    fields: BlockFields,
    outlines: Option<Outlines>,
    survey: Survey,
}

/// What is noted of blocks as they are added to a [`BlockSet`].
#[derive(Debug, Clone, PartialEq)]
struct Survey {
    /// Corners of the bounding box of the finite anchors (`[∞, ∞]`, `[−∞, −∞]` for none).
    lo: [f64; 2],
    hi: [f64; 2],
    /// Indices of the blocks whose polygon is invalid, ascending.
    invalid: Vec<usize>,
}

impl Survey {
    fn new() -> Self {
        Survey {
            lo: [f64::INFINITY; 2],
            hi: [f64::NEG_INFINITY; 2],
            invalid: Vec::new(),
        }
    }

    /// Notes block `i` (blocks are added in order).
    #[inline]
    fn add(&mut self, i: usize, b: &Block) {
        // `min` and `max` pass over NaN.
        for k in 0..2 {
            self.lo[k] = self.lo[k].min(b.anchor[k]);
            self.hi[k] = self.hi[k].max(b.anchor[k]);
        }
        if b.problem.is_some() {
            self.invalid.push(i);
        }
    }
}

/// Blocks' outlines for maps, kept compactly: every ring's points in one array, as offsets from
/// their block's anchor in single precision (within a millimetre of the input for blocks up to
/// 10 km across, far below a map's pixel), instead of a vector per ring and per block.
#[derive(Debug, Clone, PartialEq)]
struct Outlines {
    /// `first_point[first_ring[i]..=first_ring[i + 1]]` bound block `i`'s rings.
    first_ring: Vec<usize>,
    /// `points[first_point[r]..first_point[r + 1]]` are ring `r`'s points.
    first_point: Vec<usize>,
    points: Vec<[f32; 2]>,
}

/// One block's outline, as a parsing thread makes it for [`Outlines`].
#[derive(Debug, Default)]
struct Outline {
    /// Where each ring ends in `points`.
    ends: Vec<usize>,
    /// Offsets from the block's anchor, degrees.
    points: Vec<[f32; 2]>,
}

impl Outline {
    /// The outline of rings of longitude/latitude points, about `anchor`.
    fn new<'r>(anchor: [f64; 2], rings: impl IntoIterator<Item = &'r [[f64; 2]]>) -> Self {
        let mut outline = Outline::default();
        for ring in rings {
            outline.points.extend(
                ring.iter()
                    .map(|p| [(p[0] - anchor[0]) as f32, (p[1] - anchor[1]) as f32]),
            );
            outline.ends.push(outline.points.len());
        }
        outline
    }
}

impl Outlines {
    fn new() -> Self {
        Outlines {
            first_ring: vec![0],
            first_point: vec![0],
            points: Vec::new(),
        }
    }

    /// Adds the next block's outline.
    fn push(&mut self, outline: &Outline) {
        let start = self.points.len();
        self.points.extend_from_slice(&outline.points);
        self.first_point
            .extend(outline.ends.iter().map(|&end| start + end));
        self.first_ring.push(self.first_point.len() - 1);
    }

    /// Block `i`'s rings, about its anchor.
    fn rings(
        &self,
        i: usize,
        anchor: [f64; 2],
    ) -> impl ExactSizeIterator<Item = impl ExactSizeIterator<Item = [f64; 2]> + '_> + '_ {
        let bounds = &self.first_point[self.first_ring[i]..=self.first_ring[i + 1]];
        bounds.windows(2).map(move |w| {
            self.points[w[0]..w[1]]
                .iter()
                .map(move |d| [anchor[0] + f64::from(d[0]), anchor[1] + f64::from(d[1])])
        })
    }
}

impl BlockSet {
    /// A set of blocks made by the caller rather than read from a file. `weighted` says whether
    /// the populations were given (else every block weighs 1); `shapes`, if given, holds each
    /// block's outline for maps, in the same order.
    ///
    /// # Panics
    ///
    /// If `shapes` is given and its length is not that of `blocks`.
    pub fn new(
        path: impl Into<PathBuf>,
        blocks: Vec<Block>,
        weighted: bool,
        fields: BlockFields,
        shapes: Option<Vec<Shape>>,
    ) -> Self {
        let outlines = shapes.map(|shapes| {
            assert_eq!(shapes.len(), blocks.len(), "one shape per block");
            let mut outlines = Outlines::new();
            for (b, shape) in blocks.iter().zip(&shapes) {
                outlines.push(&Outline::new(b.anchor, shape.iter().map(Vec::as_slice)));
            }
            outlines
        });
        let mut survey = Survey::new();
        for (i, b) in blocks.iter().enumerate() {
            survey.add(i, b);
        }
        BlockSet {
            path: path.into(),
            blocks,
            weighted,
            fields,
            outlines,
            survey,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The blocks, in input order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The blocks, in input order, taken out of the set.
    pub fn into_blocks(self) -> Vec<Block> {
        self.blocks
    }

    /// Whether blocks carry a population (else every block weighs 1).
    pub fn weighted(&self) -> bool {
        self.weighted
    }

    /// The fields read.
    pub fn fields(&self) -> &BlockFields {
        &self.fields
    }

    /// Whether the blocks' outlines were kept ([`BlockFields::keep_shapes`]).
    pub fn has_outlines(&self) -> bool {
        self.outlines.is_some()
    }

    /// Block `i`'s outline for maps, if outlines were kept: its rings in longitude/latitude
    /// (shells and holes alike; fill even-odd), none for a point block. Outlines are kept in
    /// single precision about the block's anchor: each point is within a millimetre of the
    /// input's for blocks up to 10 km across.
    ///
    /// # Panics
    ///
    /// If there is no block `i`.
    pub fn outline(
        &self,
        i: usize,
    ) -> Option<impl ExactSizeIterator<Item = impl ExactSizeIterator<Item = [f64; 2]> + '_> + '_>
    {
        let anchor = self.blocks[i].anchor;
        self.outlines.as_ref().map(|o| o.rings(i, anchor))
    }

    /// Blocks with an invalid polygon, as `(index, id, problem)`.
    pub fn invalid(&self) -> Vec<(usize, &str, PolygonProblem)> {
        self.survey
            .invalid
            .iter()
            .filter_map(|&i| {
                let b = &self.blocks[i];
                b.problem.map(|p| (i, &*b.id, p))
            })
            .collect()
    }

    /// Total population.
    pub fn total_population(&self) -> f64 {
        self.blocks.iter().map(|b| b.population).sum()
    }

    /// The bounding box `[west, south, east, north]` of the blocks' anchors, degrees (all zero
    /// when no anchor is finite).
    pub fn anchor_bbox(&self) -> [f64; 4] {
        let Survey { lo, hi, .. } = self.survey;
        let bbox = [lo[0], lo[1], hi[0], hi[1]];
        match bbox.iter().all(|v| v.is_finite()) {
            true => bbox,
            false => [0.0; 4],
        }
    }
}

/// How input files are read. Every setting gives the same records; the defaults are the fastest.
///
/// # Examples
///
/// ```no_run
/// use walkshed::load::{read_blocks_with, BlockFields, ReadOptions};
/// // Hold at most about 8 MB of the file in memory at a time.
/// let options = ReadOptions { chunk_bytes: 8 << 20, ..ReadOptions::default() };
/// let blocks = read_blocks_with("blocks.geojson".as_ref(), &BlockFields::default(), &options)?;
/// # Ok::<(), walkshed::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Bytes read at a time (default 32 MiB). Memory holds about one chunk of the file, plus the
    /// records read; a feature longer than a chunk is read whole all the same.
    pub chunk_bytes: usize,
    /// Parse the features of a chunk in parallel, on rayon's current thread pool (default on).
    pub parallel: bool,
    /// Parse features with the fast hand-written parser, which hands anything unusual to
    /// `serde_json` (default on); off, every feature is parsed by `serde_json`.
    pub fast: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            chunk_bytes: scan::DEFAULT_CHUNK,
            parallel: true,
            fast: true,
        }
    }
}

/// A GeoJSON file to stream feature by feature.
pub(crate) struct Source {
    /// The file.
    pub path: PathBuf,
    options: ReadOptions,
}

/// What the parse of one feature gives: its record, or the parsed feature to make it from once
/// its index is known.
enum Parsed<T> {
    /// The record, made without needing the feature's index.
    Done(T),
    /// A feature whose record needs its index: one without an id, or one with a problem to
    /// report (rare; boxed, to keep the common case small).
    Later(Box<RawFeature>),
}

/// Makes a feature's record where the index is not needed (see [`Parsed`]); `None` otherwise,
/// leaving the feature as it was.
type Quick<'q, T> = &'q (dyn Fn(&mut RawFeature) -> Option<T> + Sync);

/// Features parsed by the fast parser into a per-thread reusable [`RawFeature`], else by
/// `serde_json`, and made into records by `quick` where it can.
struct Features<'w, 'q, T> {
    wanted: &'w [&'w str],
    fast: bool,
    quick: Quick<'q, T>,
}

thread_local! {
    /// The feature the fast parser fills, reused from feature to feature.
    static SCRATCH: std::cell::RefCell<RawFeature> = std::cell::RefCell::default();
}

impl<T: Send> scan::Element for Features<'_, '_, T> {
    type Out = Parsed<T>;

    fn parse(
        &self,
        b: &[u8],
        at: usize,
        eof: bool,
    ) -> std::result::Result<(Parsed<T>, usize), Cut> {
        if self.fast {
            let fast = SCRATCH.with(|scratch| {
                let mut raw = scratch.borrow_mut();
                let end = fast_feature_into(b, at, self.wanted, &mut raw)?;
                let parsed = match (self.quick)(&mut raw) {
                    Some(t) => Parsed::Done(t),
                    None => Parsed::Later(Box::new(std::mem::take(&mut *raw))),
                };
                Ok((parsed, end))
            });
            match fast {
                Ok(parsed) => return Ok(parsed),
                Err(Stop::Incomplete) if !eof => return Err(Cut::Incomplete),
                Err(_) => {}
            }
        }
        let end = match scan::skip_value(b, at) {
            Ok(end) => end,
            Err(scan::Scan::More) if !eof => return Err(Cut::Incomplete),
            Err(_) => return Err(Cut::Invalid),
        };
        parse_feature(&b[at..end], self.wanted)
            .map(|f| (Parsed::Later(Box::new(f)), end))
            .map_err(|_| Cut::Invalid)
    }
}

impl Source {
    /// A GeoJSON file to read with `options`.
    pub(crate) fn new(path: &Path, options: ReadOptions) -> Source {
        Source {
            path: path.to_path_buf(),
            options,
        }
    }

    fn plan(&self) -> scan::Plan {
        scan::Plan {
            chunk: self.options.chunk_bytes,
            parallel: self.options.parallel,
        }
    }

    /// Parses every feature, keeping the `wanted` properties, and maps each with `f` (in
    /// parallel, unless the options say otherwise); `sink` gets the results chunk by chunk, in
    /// file order, with an estimate of the number of features in the file. The first error in
    /// file order is returned. A FeatureCollection's `type` and `crs` members are checked.
    pub(crate) fn parse_each<T: Send>(
        &self,
        wanted: &[&str],
        f: impl Fn(usize, RawFeature) -> Result<T> + Sync,
        sink: impl FnMut(Vec<T>, usize) -> Result<()>,
    ) -> Result<()> {
        self.parse_each_quick(wanted, &|_| None, f, sink)
    }

    /// [`Source::parse_each`], where `quick` makes the records of features it can without their
    /// index, as they are parsed (in the parsing threads, with no parsed feature kept); it must
    /// give what `f` gives, and leave the feature untouched when it gives `None`.
    pub(crate) fn parse_each_quick<T: Send>(
        &self,
        wanted: &[&str],
        quick: Quick<'_, T>,
        f: impl Fn(usize, RawFeature) -> Result<T> + Sync,
        mut sink: impl FnMut(Vec<T>, usize) -> Result<()>,
    ) -> Result<()> {
        let path = self.path.as_path();
        let file_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let parallel = self.options.parallel;
        let one = |i: usize, parsed: Parsed<T>| -> Result<T> {
            let raw = match parsed {
                Parsed::Done(t) => return Ok(t),
                Parsed::Later(raw) => *raw,
            };
            if raw.kind.as_deref() != Some("Feature") {
                return Err(Error::Json {
                    location: Location::feature(path, i, feature_id(&raw, i)),
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
        };
        let mut batches = |batch: Batch<'_, Parsed<T>>| -> Result<()> {
            let first = batch.first;
            let span = match (batch.items.first(), batch.items.last()) {
                (Some(a), Some(b)) => b.0.end - a.0.start,
                _ => 0,
            };
            let n = batch.items.len();
            let estimate = if span == 0 {
                first + n
            } else {
                ((file_len as f64 / (span as f64 / n as f64)) * 1.02) as usize
            };
            let later = batch
                .items
                .iter()
                .any(|(_, p)| matches!(p, Parsed::Later(_)));
            let out = if parallel && later {
                let results: Vec<Result<T>> = batch
                    .items
                    .into_par_iter()
                    .enumerate()
                    .map(|(k, (_, parsed))| one(first + k, parsed))
                    .collect();
                results.into_iter().collect::<Result<Vec<T>>>()?
            } else {
                let mut out = Vec::with_capacity(n);
                for (k, (_, parsed)) in batch.items.into_iter().enumerate() {
                    out.push(one(first + k, parsed)?);
                }
                out
            };
            sink(out, estimate.max(first + n))
        };
        let element = Features {
            wanted,
            fast: self.options.fast,
            quick,
        };
        let mut seen_type = false;
        let collection = {
            let mut header = |members: Vec<Member>| check_header(path, members, &mut seen_type);
            scan::stream(path, self.plan(), &element, &mut header, &mut batches)
                .map_err(|e| failure(path, wanted, e))?
        };
        if collection && !seen_type {
            return Err(Error::Json {
                location: Location::file(path),
                message: "expected type \"FeatureCollection\", found an object without \"type\""
                    .to_owned(),
            });
        }
        Ok(())
    }

    /// Parses every feature (see [`Source::parse_each`]) into one vector.
    pub(crate) fn parse<T: Send>(
        &self,
        wanted: &[&str],
        f: impl Fn(usize, RawFeature) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        let mut all = Vec::new();
        self.parse_each(wanted, f, |chunk, estimate| {
            all.reserve(estimate.saturating_sub(all.len()).max(chunk.len()));
            all.extend(chunk);
            Ok(())
        })?;
        Ok(all)
    }

    /// Streams the text of every feature, unparsed: `sink` gets the index of the first feature
    /// of each run and their texts, in file order.
    pub(crate) fn texts(
        &self,
        mut sink: impl FnMut(usize, Vec<&[u8]>) -> Result<()>,
    ) -> Result<()> {
        let path = self.path.as_path();
        let mut header = |_: Vec<Member>| Ok(());
        let mut batches = |batch: Batch<'_, ()>| {
            let window = batch.window;
            sink(
                batch.first,
                batch.items.into_iter().map(|(r, ())| &window[r]).collect(),
            )
        };
        scan::stream(path, self.plan(), &scan::Delimit, &mut header, &mut batches)
            .map(drop)
            .map_err(|e| failure(path, &[], e))
    }
}

/// Checks a FeatureCollection's members: `type` must be `FeatureCollection`, `crs` one walkshed
/// reads.
fn check_header(path: &Path, members: Vec<Member>, seen_type: &mut bool) -> Result<()> {
    for m in members {
        let value: Value = serde_json::from_slice(&m.value).map_err(|e| {
            let at = m.offset + scan::offset_of(&m.value, e.line().max(1), e.column()) as u64;
            located_json_error(path, at, &e)
        })?;
        match m.key.as_str() {
            "type" => {
                *seen_type = true;
                if value != "FeatureCollection" {
                    return Err(Error::Json {
                        location: Location::file(path),
                        message: format!("expected type \"FeatureCollection\", found {value}"),
                    });
                }
            }
            "crs" => check_crs(path, &value)?,
            _ => {}
        }
    }
    Ok(())
}

/// The error for a streaming failure. A problem in the file is worded on this error path,
/// which reads the whole file again: `serde_json`'s own account of the file (for a
/// FeatureCollection) or of the feature, which is exact, with its line and column.
fn failure(path: &Path, wanted: &[&str], f: Failure) -> Error {
    let problem = match f {
        Failure::Error(e) => return e,
        Failure::Problem(Problem::Io(source)) => {
            return Error::Read {
                path: path.to_path_buf(),
                source,
            }
        }
        Failure::Problem(p) => p,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(source) => {
            return Error::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let bom = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        3
    } else {
        0
    };
    let (offset, collection) = match &problem {
        Problem::Element {
            offset, collection, ..
        }
        | Problem::At {
            offset, collection, ..
        } => (*offset, *collection),
        Problem::Io(_) => (0, false),
    };
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let element = match problem {
        Problem::Element { index, .. } => Some(index),
        _ => None,
    };
    if collection {
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes[bom..]) {
            let error = json_error(path, &bytes, bom, &e);
            // A syntax error inside the feature the scan stopped at: name that feature too.
            let at = bom + scan::offset_of(&bytes[bom..], e.line().max(1), e.column());
            return match element {
                Some(index) if at >= offset => {
                    with_feature(error, index, loose_id(&bytes[offset..at]))
                }
                _ => error,
            };
        }
    }
    if let Some(index) = element {
        if let Err(e) = feature::parse_feature_prefix(&bytes[offset..], wanted) {
            let at = offset + scan::offset_of(&bytes[offset..], e.line().max(1), e.column());
            return with_feature(
                json_error(path, &bytes, offset, &e),
                index,
                loose_id(&bytes[offset..at]),
            );
        }
    }
    let expected = match problem {
        Problem::At { expected, .. } => expected,
        _ => "a valid GeoJSON Feature",
    };
    let found = match bytes.get(offset) {
        None => "the end of the file".to_owned(),
        Some(_) => {
            let text = String::from_utf8_lossy(&bytes[offset..(offset + 16).min(bytes.len())])
                .into_owned();
            format!("{:?}", text.chars().take(8).collect::<String>())
        }
    };
    Error::Json {
        location: Location {
            line_column: Some(scan::line_column(&bytes, offset)),
            ..Location::file(path)
        },
        message: format!("expected {expected}, found {found}"),
    }
}

/// A `serde_json` error in a small piece of the file (a member's value) at file offset `at`.
fn located_json_error(path: &Path, at: u64, e: &serde_json::Error) -> Error {
    let line_column = std::fs::read(path)
        .ok()
        .map(|bytes| scan::line_column(&bytes, usize::try_from(at).unwrap_or(usize::MAX)));
    Error::Json {
        location: Location {
            line_column,
            ..Location::file(path)
        },
        message: strip_position(e),
    }
}

fn with_feature(e: Error, index: usize, id: Option<String>) -> Error {
    match e {
        Error::Json {
            mut location,
            message,
        } => {
            location.feature = Some(index);
            location.id = id;
            Error::Json { location, message }
        }
        other => other,
    }
}

/// The id of a feature whose text is broken, read leniently from the text before the break:
/// the first `"id"` member with a string or number value (`properties.id` or the Feature's own).
fn loose_id(text: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    let mut rest = text.as_ref();
    while let Some(p) = rest.find("\"id\"") {
        rest = &rest[p + 4..];
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        if let Some(s) = value.strip_prefix('"') {
            if let Some(end) = s.find('"') {
                return Some(s[..end].to_owned());
            }
        } else {
            let n: String = value
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+'))
                .collect();
            if !n.is_empty() {
                return Some(n);
            }
        }
    }
    None
}

/// A `serde_json` error's message without the " at line L column C" it appends.
fn strip_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(p) => message[..p].to_owned(),
        None => message,
    }
}

/// A `serde_json` error within the text starting at `base`, located in the whole file.
fn json_error(path: &Path, bytes: &[u8], base: usize, e: &serde_json::Error) -> Error {
    let offset = base + scan::offset_of(&bytes[base..], e.line().max(1), e.column());
    Error::Json {
        location: Location {
            line_column: Some(scan::line_column(bytes, offset)),
            ..Location::file(path)
        },
        message: strip_position(e),
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
        .or_else(|| Some(index.to_string()))
}

/// A feature's id like [`feature_id`], taken out of the parsed feature.
fn take_id(raw: &mut RawFeature, index: usize) -> Option<String> {
    raw.props
        .first_mut()
        .and_then(Option::take)
        .or_else(|| raw.id.take())
        .filter(|v| !v.is_null())
        .map(|v| take_text(Some(v)).unwrap_or_default())
        .or_else(|| Some(index.to_string()))
}

/// Distinct values kept by [`shared_name`] per thread before it starts afresh (a field with
/// more distinct values than this is hardly a grouping).
const SHARED_NAMES: usize = 1 << 12;

thread_local! {
    /// Group names already met by this thread, for [`shared_name`].
    static NAMES: RefCell<HashMap<Box<str>, Arc<str>, BuildHasherDefault<crate::aggregate::WordHash>>> =
        RefCell::default();
}

/// `name` as a shared string: the one this thread made before for the same text, if any. A
/// million blocks of a dozen districts hold a few dozen names rather than a million strings,
/// and the aggregation can tell most groups apart by address.
fn shared_name(name: String) -> Arc<str> {
    NAMES.with_borrow_mut(|names| {
        if let Some(shared) = names.get(name.as_str()) {
            return Arc::clone(shared);
        }
        if names.len() >= SHARED_NAMES {
            names.clear();
        }
        let shared: Arc<str> = Arc::from(name.as_str());
        names.insert(name.into_boxed_str(), Arc::clone(&shared));
        shared
    })
}

/// A property value as text, taken: strings as they are, anything else as JSON.
fn take_text(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
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
    id: &dyn Fn() -> Option<String>,
    raw: &'r RawFeature,
    allowed: &[&str],
    expected: &'static str,
) -> Result<(&'r str, &'r Flat)> {
    let location = || Location::feature(path, index, id());
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
    read_stations_with(path, &ReadOptions::default())
}

/// Reads stations like [`read_stations`], with the given [`ReadOptions`].
pub fn read_stations_with(path: &Path, options: &ReadOptions) -> Result<StationSet> {
    let source = Source::new(path, *options);
    let stations = source.parse(&["id", "name", "level"], |i, mut raw| {
        let id = take_id(&mut raw, i);
        let (kind, flat) = geometry(
            path,
            i,
            &|| id.clone(),
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
            name: take_text(raw.props[1].take()),
            level: take_text(raw.props[2].take()),
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

/// One property of every station of a file, in file order, with the station's id (as
/// [`read_stations`] gives it): `None` where the feature lacks the property or it is `null`.
pub fn read_station_property(path: &Path, field: &str) -> Result<Vec<(String, Option<Value>)>> {
    let source = Source::new(path, ReadOptions::default());
    source.parse(&["id", field], |i, mut raw| {
        let id = take_id(&mut raw, i).unwrap_or_else(|| i.to_string());
        let value = raw
            .props
            .get_mut(1)
            .and_then(Option::take)
            .filter(|v| !v.is_null());
        Ok((id, value))
    })
}

/// Reads residential blocks: Polygon, MultiPolygon (anchor = centroid) or Point.
pub fn read_blocks(path: &Path, fields: &BlockFields) -> Result<BlockSet> {
    read_blocks_with(path, fields, &ReadOptions::default())
}

/// A block's population value, as read.
enum Pop {
    /// No population field (or `null`).
    Absent,
    /// A finite number ≥ 0 (stored in the block).
    Valid,
    /// Anything else, as JSON.
    Invalid(String),
}

/// Reads residential blocks like [`read_blocks`], with the given [`ReadOptions`].
pub fn read_blocks_with(
    path: &Path,
    fields: &BlockFields,
    options: &ReadOptions,
) -> Result<BlockSet> {
    let source = Source::new(path, *options);
    let mut wanted = vec!["id"];
    let population_at = wanted_index(&mut wanted, &fields.population);
    let group_at = fields
        .group_by
        .as_deref()
        .map(|g| wanted_index(&mut wanted, g));
    let mut blocks: Vec<Block> = Vec::new();
    let mut survey = Survey::new();
    let mut outlines: Option<Outlines> = fields.keep_shapes.then(Outlines::new);
    let mut first_with: Option<usize> = None;
    let mut first_absent: Option<usize> = None;
    let mut first_invalid: Option<(usize, String)> = None;
    // A block's record; `raw` is only read until nothing can fail.
    let make = |i: usize, raw: &mut RawFeature| -> Result<(Block, Pop, Option<Outline>)> {
        let (kind, flat) = geometry(
            path,
            i,
            &|| feature_id(raw, i),
            raw,
            &["Polygon", "MultiPolygon", "Point"],
            "Polygon, MultiPolygon or Point",
        )?;
        let (anchor, problem) = if kind == "Point" {
            (flat.points[0], None)
        } else {
            geometry::polygon_anchor(flat)
        };
        let shape = fields.keep_shapes.then(|| {
            Outline::new(
                anchor,
                geometry::rings(flat)
                    .into_iter()
                    .map(|(_, r)| &flat.points[r]),
            )
        });
        let (pop, population) = match &raw.props[population_at] {
            None => (Pop::Absent, 1.0),
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => (Pop::Valid, x),
                _ => (Pop::Invalid(v.to_string()), 1.0),
            },
        };
        let group = match group_at {
            Some(k) if k == 0 || k == population_at => text_prop(&raw.props[k]),
            Some(k) => take_text(raw.props[k].take()),
            None => None,
        }
        .map(shared_name);
        let id = take_id(raw, i);
        let block = Block {
            id: id.unwrap_or_else(|| i.to_string()).into_boxed_str(),
            anchor,
            population,
            group,
            problem,
        };
        Ok((block, pop, shape))
    };
    // Without the index: a Feature with an id, whose geometry is fine.
    let quick = |raw: &mut RawFeature| {
        if raw.kind.as_deref() != Some("Feature") {
            return None;
        }
        let id = match raw.props.first() {
            Some(Some(v)) => Some(v),
            _ => raw.id.as_ref(),
        };
        if id.is_none_or(Value::is_null) {
            return None;
        }
        make(usize::MAX, raw).ok()
    };
    source.parse_each_quick(
        &wanted,
        &quick,
        |i, mut raw| make(i, &mut raw),
        |chunk, estimate| {
            blocks.reserve(estimate.saturating_sub(blocks.len()));
            if let Some(o) = outlines.as_mut() {
                let blocks_now = blocks.len().max(1);
                let more = estimate.saturating_sub(blocks.len());
                o.first_ring.reserve(more);
                o.first_point
                    .reserve(more * o.first_point.len() / blocks_now);
                o.points.reserve(more * o.points.len() / blocks_now);
            }
            for (block, pop, shape) in chunk {
                let i = blocks.len();
                survey.add(i, &block);
                match pop {
                    Pop::Absent => {
                        first_absent.get_or_insert(i);
                    }
                    Pop::Valid => {
                        first_with.get_or_insert(i);
                    }
                    Pop::Invalid(value) => {
                        first_with.get_or_insert(i);
                        if first_invalid.is_none() {
                            first_invalid = Some((i, value));
                        }
                    }
                }
                blocks.push(block);
                if let (Some(o), Some(s)) = (outlines.as_mut(), shape) {
                    o.push(&s);
                }
            }
            Ok(())
        },
    )?;
    if blocks.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
            what: "blocks",
        });
    }
    if let Some(g) = &fields.group_by {
        if !blocks.iter().any(|b| b.group.is_some()) {
            return Err(Error::GroupField {
                path: path.to_path_buf(),
                field: g.clone(),
            });
        }
    }
    if let Some(first_with) = first_with {
        let location = |i: usize| Location::feature(path, i, Some(blocks[i].id.to_string()));
        match (first_absent, first_invalid) {
            (Some(i), invalid) if invalid.as_ref().is_none_or(|(j, _)| i < *j) => {
                return Err(Error::MissingPopulation {
                    location: location(i),
                    field: fields.population.clone(),
                    first_with,
                })
            }
            (_, Some((i, value))) => {
                return Err(Error::Population {
                    location: location(i),
                    field: fields.population.clone(),
                    value,
                })
            }
            _ => {}
        }
    }
    Ok(BlockSet {
        path: path.to_path_buf(),
        blocks,
        weighted: first_with.is_some(),
        fields: fields.clone(),
        outlines,
        survey,
    })
}

/// Reads a walking network: GeoJSON LineString/MultiLineString features, or an OpenStreetMap
/// `.osm.pbf` file (by its extension), filtered for pedestrians (see [`osm`]).
pub fn read_network(path: &Path) -> Result<Vec<WalkLine>> {
    read_network_with(path, &ReadOptions::default())
}

/// Reads a walking network like [`read_network`], with the given [`ReadOptions`] (for GeoJSON).
pub fn read_network_with(path: &Path, options: &ReadOptions) -> Result<Vec<WalkLine>> {
    let is_pbf = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pbf"));
    let lines = if is_pbf {
        osm::read_walk_lines(path)?
    } else {
        let source = Source::new(path, *options);
        let mut lines = Vec::new();
        source.parse_each(
            &["id"],
            |i, mut raw| {
                let id = take_id(&mut raw, i);
                let (kind, flat) = geometry(
                    path,
                    i,
                    &|| id.clone(),
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
            },
            |chunk, _| {
                lines.extend(chunk.into_iter().flatten());
                Ok(())
            },
        )?;
        lines
    };
    if lines.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
            what: "walkable lines",
        });
    }
    Ok(lines)
}

/// The range of the `properties` value of the JSON object `text` (see [`scan::find_member`]):
/// `Some(None)` without one, `None` when the quick scan cannot tell.
pub(crate) fn properties_member(text: &[u8]) -> Option<Option<std::ops::Range<usize>>> {
    let start = text.iter().position(|c| !c.is_ascii_whitespace())?;
    if text[start] != b'{' {
        return None;
    }
    scan::find_member(text, start, b"\"properties\"")
}
