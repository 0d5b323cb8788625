//! Exclusion zones (`--exclude`): a GeoJSON file of Polygon/MultiPolygon features (water,
//! farmland, protected land) read at full precision into the metric plane.
//!
//! The block reader keeps outlines in single precision about each anchor (a millimetre), which
//! is fine for maps but not for deciding on which side of a shore a candidate lies; these files
//! are small, so a plain `serde_json` reading is quick enough.

use std::path::Path;

use geo::{LineString, Polygon};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::project::Projection;

/// Reads the polygons of `path` (a FeatureCollection, a Feature or a bare geometry; Polygon and
/// MultiPolygon geometries, others ignored) into the plane of `projection`. Each polygon (each
/// part of a MultiPolygon) is one [`Polygon`] with its holes.
///
/// # Errors
///
/// An unreadable file, invalid JSON, or a Polygon whose coordinates are not
/// `[[[lon, lat], …], …]` with finite numbers in range.
pub fn read_zones(path: &Path, projection: &Projection) -> Result<Vec<Polygon<f64>>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bad =
        |message: String| Error::parameter("--exclude", format!("{}: {message}", path.display()));
    let json: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let mut geometries = Vec::new();
    collect_geometries(&json, &mut geometries);
    let mut zones = Vec::new();
    for (k, g) in geometries.into_iter().enumerate() {
        let coords = &g["coordinates"];
        let polygons: Vec<&Value> = match g["type"].as_str() {
            Some("Polygon") => vec![coords],
            Some("MultiPolygon") => coords
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => continue,
        };
        for p in polygons {
            let rings = rings(p, projection)
                .ok_or_else(|| bad(format!("geometry {k}: expected polygon coordinates")))?;
            let mut rings = rings.into_iter();
            if let Some(exterior) = rings.next() {
                zones.push(Polygon::new(exterior, rings.collect()));
            }
        }
    }
    Ok(zones)
}

/// The geometries of a FeatureCollection, a Feature, a GeometryCollection or a geometry.
fn collect_geometries<'a>(json: &'a Value, into: &mut Vec<&'a Value>) {
    match json["type"].as_str() {
        Some("FeatureCollection") => {
            for f in json["features"].as_array().into_iter().flatten() {
                collect_geometries(f, into);
            }
        }
        Some("Feature") => collect_geometries(&json["geometry"], into),
        Some("GeometryCollection") => {
            for g in json["geometries"].as_array().into_iter().flatten() {
                collect_geometries(g, into);
            }
        }
        Some(_) => into.push(json),
        None => {}
    }
}

/// A polygon's rings in the plane, or `None` when they are not lists of `[lon, lat]`.
fn rings(polygon: &Value, projection: &Projection) -> Option<Vec<LineString<f64>>> {
    polygon
        .as_array()?
        .iter()
        .map(|ring| {
            ring.as_array()?
                .iter()
                .map(|p| {
                    let (lon, lat) = (p.get(0)?.as_f64()?, p.get(1)?.as_f64()?);
                    let ok = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
                    ok.then(|| {
                        let [x, y] = projection.forward(lon, lat);
                        geo::coord! { x: x, y: y }
                    })
                })
                .collect::<Option<Vec<_>>>()
                .map(LineString::new)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::candidates::inside;

    #[test]
    fn polygons_and_multipolygons_with_holes_are_read_at_full_precision() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zones.geojson");
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":
            [[[121.0,30.0],[121.01,30.0],[121.01,30.01],[121.0,30.01],[121.0,30.0]],
             [[121.004,30.004],[121.006,30.004],[121.006,30.006],[121.004,30.006],[121.004,30.004]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":
            [[[[121.02,30.0],[121.03,30.0],[121.03,30.01],[121.02,30.0]]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[121.0,30.0]}}
        ]}"#;
        std::fs::write(&path, text).unwrap();
        let projection = Projection::centred_on(121.0, 30.0);
        let zones = read_zones(&path, &projection).unwrap();
        assert_eq!(zones.len(), 2);
        assert_eq!(zones[0].interiors().len(), 1);
        let at = |lon, lat| projection.forward(lon, lat);
        assert!(inside(&zones[0], at(121.001, 30.001)));
        assert!(!inside(&zones[0], at(121.005, 30.005)), "in the hole");
        assert_eq!(zones[0].exterior().0[1].x, at(121.01, 30.0)[0]);

        std::fs::write(&path, r#"{"type":"Polygon","coordinates":[[1,2]]}"#).unwrap();
        let err = read_zones(&path, &projection).unwrap_err().to_string();
        assert!(err.starts_with("invalid --exclude: "), "{err}");
        assert!(
            err.ends_with("geometry 0: expected polygon coordinates"),
            "{err}"
        );
    }
}
