//! The blocks reader.

use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::block_set::{Outline, Outlines, Seen};
use super::feature::RawFeature;
use super::properties::{
    feature_id, take_checked_id, take_text, text_prop, value_kind, wanted_index,
};
use super::{
    geojson_copy, geometry, Block, BlockFields, BlockSet, FeatureStream, GroupNames, InputOptions,
    ReadOptions,
};
use crate::error::{Error, Location, Result};

/// Reads residential blocks: Polygon, MultiPolygon (anchor = centroid) or Point.
pub fn read_blocks(path: &Path, fields: &BlockFields) -> Result<BlockSet> {
    read_blocks_with(path, fields, &ReadOptions::default())
}

/// Reads residential blocks like [`read_blocks`], from a file in any format walkshed reads (see
/// [`InputOptions`]), converted to WGS84. Errors name `path`; the set keeps the GeoJSON copy
/// for `blocks.geojson` ([`BlockSet::geojson_path`]).
pub fn read_blocks_from(
    path: &Path,
    fields: &BlockFields,
    input: &InputOptions,
) -> Result<BlockSet> {
    match geojson_copy(path, input)? {
        None => read_blocks(path, fields),
        Some(copy) => {
            let mut set =
                read_blocks(copy.path(), fields).map_err(|e| e.with_path(copy.path(), path))?;
            set.path = path.to_path_buf();
            set.copy = Some(std::sync::Arc::new(copy));
            Ok(set)
        }
    }
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

/// What reading a block gives, before its group is numbered.
struct Read {
    block: Block,
    pop: Pop,
    outline: Option<Outline>,
    /// The group's name.
    group: Option<String>,
    /// Whether the feature has an id (else it is named by its index).
    id_given: bool,
}

/// Numbers the blocks of `chunk` whose group is among `known` (in parallel if asked): the
/// groups first met in the chunk are left for the caller to number, in file order.
fn number_known_groups(chunk: &mut [Read], known: &GroupNames, parallel: bool) {
    let number = |r: &mut Read| {
        if let Some(id) = r.group.as_deref().and_then(|name| known.find(name)) {
            r.block.group = Some(id);
            r.group = None;
        }
    };
    if parallel {
        chunk.par_iter_mut().for_each(number);
    } else {
        chunk.iter_mut().for_each(number);
    }
}

/// Reads residential blocks like [`read_blocks`], with the given [`ReadOptions`].
pub fn read_blocks_with(
    path: &Path,
    fields: &BlockFields,
    options: &ReadOptions,
) -> Result<BlockSet> {
    // Taken before reading: a change during the read shows as well as one after it.
    let stamp = super::block_set::FileStamp::of(path);
    let source = FeatureStream::new(path, *options);
    let mut wanted = vec!["id"];
    let population_at = wanted_index(&mut wanted, &fields.population);
    let group_at = fields
        .group_by
        .as_deref()
        .map(|g| wanted_index(&mut wanted, g));
    let mut blocks: Vec<Block> = Vec::new();
    let mut seen = Seen::new();
    let mut outlines: Option<Outlines> = fields.keep_outlines.then(Outlines::new);
    let mut first_with: Option<usize> = None;
    let mut first_absent: Option<(usize, bool)> = None;
    let mut first_invalid: Option<(usize, bool, String)> = None;
    let mut groups = GroupNames::default();
    // A block's record, with its group's name (numbered in file order by the sink); `raw` is
    // only read until nothing can fail.
    let make = |i: usize, raw: &mut RawFeature| -> Result<Read> {
        let (kind, flat) = geometry::checked(
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
        let outline = fields.keep_outlines.then(|| {
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
        if let Some(v) = group_at.and_then(|k| raw.props[k].as_ref()) {
            if v.is_object() || v.is_array() {
                return Err(Error::Unusable {
                    location: Location::feature(path, i, feature_id(raw, i)),
                    message: format!(
                        "the value {v} of the --group-by field {:?} is {}; a group is named by a string, a number or true/false",
                        fields.group_by.as_deref().unwrap_or_default(),
                        value_kind(v)
                    ),
                });
            }
        }
        let group = match group_at {
            Some(k) if k == 0 || k == population_at => text_prop(&raw.props[k]),
            Some(k) => take_text(raw.props[k].take()),
            None => None,
        };
        let id = take_checked_id(path, raw, i)?;
        let id_given = id.is_some();
        let block = Block {
            id: id.unwrap_or_else(|| i.to_string()).into_boxed_str(),
            anchor,
            population,
            group: None,
            problem,
        };
        Ok(Read {
            block,
            pop,
            outline,
            group,
            id_given,
        })
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
        |mut chunk, estimate| {
            number_known_groups(&mut chunk, &groups, options.parallel);
            blocks.reserve(estimate.saturating_sub(blocks.len()));
            if let Some(o) = outlines.as_mut() {
                let blocks_now = blocks.len().max(1);
                let more = estimate.saturating_sub(blocks.len());
                o.first_ring.reserve(more);
                o.first_point
                    .reserve(more * o.first_point.len() / blocks_now);
                o.points.reserve(more * o.points.len() / blocks_now);
            }
            for Read {
                mut block,
                pop,
                outline,
                group,
                id_given,
            } in chunk
            {
                let i = blocks.len();
                if let Some(name) = group {
                    block.group = Some(groups.id(&name));
                }
                seen.add(i, &block);
                match pop {
                    Pop::Absent => {
                        first_absent.get_or_insert((i, id_given));
                    }
                    Pop::Valid => {
                        first_with.get_or_insert(i);
                    }
                    Pop::Invalid(value) => {
                        first_with.get_or_insert(i);
                        if first_invalid.is_none() {
                            first_invalid = Some((i, id_given, value));
                        }
                    }
                }
                blocks.push(block);
                if let (Some(o), Some(s)) = (outlines.as_mut(), outline) {
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
        let location = |i: usize, given: bool| {
            Location::feature(path, i, given.then(|| blocks[i].id.to_string()))
        };
        match (first_absent, first_invalid) {
            (Some((i, given)), invalid) if invalid.as_ref().is_none_or(|(j, _, _)| i < *j) => {
                return Err(Error::MissingPopulation {
                    location: location(i, given),
                    field: fields.population.clone(),
                    first_with,
                })
            }
            (_, Some((i, given, value))) => {
                return Err(Error::Population {
                    location: location(i, given),
                    field: fields.population.clone(),
                    value,
                })
            }
            _ => {}
        }
    }
    if !blocks.iter().map(|b| b.population).sum::<f64>().is_finite() {
        return Err(Error::PopulationTotal {
            path: path.to_path_buf(),
            field: fields.population.clone(),
        });
    }
    Ok(BlockSet {
        path: path.to_path_buf(),
        blocks,
        weighted: first_with.is_some(),
        fields: fields.clone(),
        groups,
        outlines,
        seen,
        source: stamp,
        copy: None,
    })
}
