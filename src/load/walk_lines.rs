//! The walking network reader: GeoJSON lines, or OpenStreetMap through [`super::osm`].

use std::path::Path;

use super::properties::take_id;
use super::{geometry, osm, FeatureStream, ReadOptions};
use crate::error::{Error, Result};
use crate::network::WalkLine;

/// Reads a walking network: GeoJSON LineString/MultiLineString features, or an OpenStreetMap
/// `.osm.pbf` file (by its extension), filtered for pedestrians (see [`read_walk_lines`](super::read_walk_lines)).
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
        let source = FeatureStream::new(path, *options);
        let mut lines = Vec::new();
        source.parse_each(
            &["id"],
            |i, mut raw| {
                let id = take_id(&mut raw, i);
                let (kind, flat) = geometry::checked(
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
    if !lines.iter().any(usable) {
        return Err(Error::Unusable {
            location: crate::error::Location::file(path),
            message: format!(
                "none of its {} line(s) has two distinct positions, so there is no street to \
                 walk along",
                lines.len()
            ),
        });
    }
    Ok(lines)
}

/// Whether a line has a segment to walk along: two consecutive distinct finite positions (what
/// the network keeps as an edge).
fn usable(line: &WalkLine) -> bool {
    let finite = |p: &&[f64; 2]| p[0].is_finite() && p[1].is_finite();
    line.coords
        .windows(2)
        .any(|w| w[0] != w[1] && finite(&&w[0]) && finite(&&w[1]))
}
