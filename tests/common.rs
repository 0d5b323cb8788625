//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Path of a file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Writes a GeoJSON FeatureCollection of `features` (JSON texts) into `dir/name`.
pub fn write_collection(dir: &Path, name: &str, features: &[String]) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    );
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// A Point feature with properties.
pub fn point(lon: f64, lat: f64, props: serde_json::Value) -> String {
    serde_json::json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    .to_string()
}

/// A square Polygon feature of side `side_deg` centred at (lon, lat).
pub fn square(lon: f64, lat: f64, side_deg: f64, props: serde_json::Value) -> String {
    let h = side_deg / 2.0;
    serde_json::json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [[[lon - h, lat - h], [lon + h, lat - h],
            [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]]}})
    .to_string()
}
