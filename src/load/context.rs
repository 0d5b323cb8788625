//! Context layers (`--context`): lines and polygon outlines a map draws under the blocks for
//! orientation — a subdistrict boundary, committee outlines, a canal. They take no part in the
//! analysis.

use std::path::Path;

use super::properties::{take_id, text_prop};
use super::{geojson_copy, geometry, FeatureStream, InputOptions, ReadOptions};
use crate::error::Result;

/// One context file: its name for the legend and its lines, in longitude/latitude.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContextLayer {
    /// The legend's name: the `name` property its features share (a boundary file's one
    /// feature `石化街道`), else the file name without its extension.
    pub name: String,
    /// Lines (LineString, each part of a MultiLineString), as `[lon, lat]` positions.
    pub lines: Vec<Vec<[f64; 2]>>,
    /// Polygon rings (outer and holes, of Polygons and MultiPolygons), as `[lon, lat]`
    /// positions; drawn closed.
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// Reads a context layer: GeoJSON features of type LineString, MultiLineString, Polygon or
/// MultiPolygon (in WGS84 longitude/latitude, like every input).
///
/// # Errors
///
/// The file cannot be read, is not GeoJSON, or holds another geometry type (a Point, say).
///
/// # Examples
///
/// ```
/// let layer = walkshed::read_context("data/shihua/canal.geojson".as_ref()).unwrap();
/// assert_eq!(layer.name, "示意河道");
/// assert_eq!((layer.lines.len(), layer.rings.len()), (1, 0));
/// ```
pub fn read_context(path: &Path) -> Result<ContextLayer> {
    read_context_from(path, &InputOptions::default())
}

/// Reads a context layer like [`read_context`], from a file in any format walkshed reads (see
/// [`InputOptions`]), converted to WGS84. Errors name `path`.
pub fn read_context_from(path: &Path, input: &InputOptions) -> Result<ContextLayer> {
    // A file in another format than GeoJSON, or in web-map coordinates, is read through its
    // WGS84 GeoJSON copy.
    let copy = geojson_copy(path, input)?;
    let read = copy.as_ref().map_or(path, |c| c.path());
    let source = FeatureStream::new(read, ReadOptions::default());
    let mut features = Vec::new();
    source
        .parse_each(
            &["id", "name"],
            |i, mut raw| {
                let id = take_id(&mut raw, i);
                let name = text_prop(&raw.props[1]).filter(|n| !n.trim().is_empty());
                let (kind, flat) = geometry::checked(
                    path,
                    i,
                    &|| id.clone(),
                    &raw,
                    &["LineString", "MultiLineString", "Polygon", "MultiPolygon"],
                    "LineString, MultiLineString, Polygon or MultiPolygon",
                )?;
                let mut parts = Vec::new();
                let mut start = 0;
                let ends = if kind == "LineString" {
                    vec![flat.points.len()]
                } else {
                    flat.ends[1].clone()
                };
                for end in ends {
                    parts.push(flat.points[start..end].to_vec());
                    start = end;
                }
                Ok((name, kind.ends_with("Polygon"), parts))
            },
            |chunk, _| {
                features.extend(chunk);
                Ok(())
            },
        )
        .map_err(|e| e.with_path(read, path))?;
    let mut layer = ContextLayer {
        name: shared_name(features.iter().map(|f| f.0.as_deref()))
            .unwrap_or_else(|| file_stem(path)),
        ..ContextLayer::default()
    };
    for (_, polygon, parts) in features {
        if polygon {
            layer.rings.extend(parts);
        } else {
            layer.lines.extend(parts);
        }
    }
    Ok(layer)
}

/// The name every feature has, if they all have the same one.
fn shared_name<'a>(mut names: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let first = names.next()??;
    names
        .all(|n| n == Some(first))
        .then(|| first.trim().to_owned())
}

/// The file name of `path` without its extension (`boundary` of `data/boundary.geojson`).
fn file_stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = name.unwrap_or_else(|| path.display().to_string());
    match name.split_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_name_or_none() {
        let name = |v: &[Option<&str>]| shared_name(v.iter().copied());
        assert_eq!(name(&[Some("石化街道")]), Some("石化街道".to_owned()));
        assert_eq!(name(&[Some("a"), Some("a")]), Some("a".to_owned()));
        assert_eq!(name(&[Some("a"), Some("b")]), None);
        assert_eq!(name(&[Some("a"), None]), None);
        assert_eq!(name(&[]), None);
    }

    #[test]
    fn file_stem_drops_every_extension() {
        assert_eq!(file_stem(Path::new("d/water.geojson")), "water");
        assert_eq!(file_stem(Path::new("d/water.geo.json")), "water");
        assert_eq!(file_stem(Path::new(".hidden")), ".hidden");
    }

    #[test]
    fn boundary_polygon_is_rings_named_by_its_feature() {
        let layer = read_context(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/shihua/boundary.geojson"),
        )
        .unwrap();
        assert_eq!(layer.name, "石化街道");
        assert!(layer.lines.is_empty());
        assert!(!layer.rings.is_empty() && layer.rings[0].len() > 10);
    }
}
