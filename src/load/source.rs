//! The streaming source: a GeoJSON file read feature by feature, in chunks and in parallel, and
//! its FeatureCollection's members checked.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::feature::{parse_feature, quick_feature_into, QuickStop, RawFeature};
use super::located::{failure, located_json_error};
use super::properties::feature_id;
use super::scan::{self, ElementRun, Member, Unparsed};
use crate::error::{Error, Location, Result};

/// How input files are read. Every setting gives the same records; the defaults are the fastest.
///
/// # Examples
///
/// ```no_run
/// use walkshed::{read_blocks_with, BlockFields, ReadOptions};
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
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            chunk_bytes: scan::DEFAULT_CHUNK,
            parallel: true,
        }
    }
}

/// A GeoJSON file to stream feature by feature.
pub(crate) struct FeatureStream {
    /// The file.
    pub path: PathBuf,
    options: ReadOptions,
}

/// What the parse of one feature gives: its record, or the parsed feature to make it from once
/// its index is known.
pub(super) enum Parsed<T> {
    /// The record, made without needing the feature's index.
    Done(T),
    /// A feature whose record needs its index: one without an id, or one with a problem to
    /// report (rare; boxed, to keep the common case small).
    Later(Box<RawFeature>),
}

/// Makes a feature's record where the index is not needed (see [`Parsed`]); `None` otherwise,
/// leaving the feature as it was.
pub(super) type Quick<'q, T> = &'q (dyn Fn(&mut RawFeature) -> Option<T> + Sync);

/// Features parsed by the fast parser into a per-thread reusable [`RawFeature`], else by
/// `serde_json`, and made into records by `quick` where it can.
pub(super) struct Features<'w, 'q, T> {
    wanted: &'w [&'w str],
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
    ) -> std::result::Result<(Parsed<T>, usize), Unparsed> {
        let fast = SCRATCH.with(|scratch| {
            let mut raw = scratch.borrow_mut();
            let end = quick_feature_into(b, at, self.wanted, &mut raw)?;
            let parsed = match (self.quick)(&mut raw) {
                Some(t) => Parsed::Done(t),
                None => Parsed::Later(Box::new(std::mem::take(&mut *raw))),
            };
            Ok((parsed, end))
        });
        match fast {
            Ok(parsed) => return Ok(parsed),
            Err(QuickStop::Incomplete) if !eof => return Err(Unparsed::Incomplete),
            Err(_) => {}
        }
        let end = match scan::skip_value(b, at) {
            Ok(end) => end,
            Err(scan::SkipError::More) if !eof => return Err(Unparsed::Incomplete),
            Err(_) => return Err(Unparsed::Invalid),
        };
        parse_feature(&b[at..end], self.wanted)
            .map(|f| (Parsed::Later(Box::new(f)), end))
            .map_err(|_| Unparsed::Invalid)
    }
}

impl FeatureStream {
    /// A GeoJSON file to read with `options`.
    pub(crate) fn new(path: &Path, options: ReadOptions) -> FeatureStream {
        FeatureStream {
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

    /// [`FeatureStream::parse_each`], where `quick` makes the records of features it can without their
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
            if let Some(crs) = &raw.crs {
                check_crs(path, crs).map_err(|e| match e {
                    Error::Crs { name, .. } => Error::Crs {
                        location: Location::feature(path, i, feature_id(&raw, i)),
                        name,
                    },
                    other => other,
                })?;
            }
            f(i, raw)
        };
        let mut batches = |batch: ElementRun<'_, Parsed<T>>| -> Result<()> {
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
        let element = Features { wanted, quick };
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

    /// Parses every feature (see [`FeatureStream::parse_each`]) into one vector.
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
        let mut batches = |batch: ElementRun<'_, ()>| {
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
pub(super) fn check_header(path: &Path, members: Vec<Member>, seen_type: &mut bool) -> Result<()> {
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

pub(super) fn check_crs(path: &Path, crs: &Value) -> Result<()> {
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
