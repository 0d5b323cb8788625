//! The GeoJSON copy of an input in another format than GeoJSON, or in the coordinates of
//! Chinese web maps: its features written one per line in WGS84, for the GeoJSON reader to read
//! like any other file. `walkshed convert` writes the same features as a FeatureCollection.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::input::{Format, InputFile};
use super::{csv, gpkg, shapefile, xlsx, FeatureStream, InputOptions, ReadOptions};
use crate::coords::Coords;
use crate::error::{Error, Result};

/// A geometry read from a table or a GIS file, in the file's coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Geom {
    Point([f64; 2]),
    MultiPoint(Vec<[f64; 2]>),
    LineString(Vec<[f64; 2]>),
    MultiLineString(Vec<Vec<[f64; 2]>>),
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geom {
    /// A GeoJSON geometry's positions as a `Geom` (a third ordinate dropped); `None` for `null`,
    /// a GeometryCollection or anything malformed.
    pub(crate) fn from_geojson(g: &Value) -> Option<Geom> {
        fn pt(v: &Value) -> Option<[f64; 2]> {
            Some([v.get(0)?.as_f64()?, v.get(1)?.as_f64()?])
        }
        fn line(v: &Value) -> Option<Vec<[f64; 2]>> {
            v.as_array()?.iter().map(pt).collect()
        }
        fn rings(v: &Value) -> Option<Vec<Vec<[f64; 2]>>> {
            v.as_array()?.iter().map(line).collect()
        }
        let c = g.get("coordinates")?;
        Some(match g.get("type")?.as_str()? {
            "Point" => Geom::Point(pt(c)?),
            "MultiPoint" => Geom::MultiPoint(line(c)?),
            "LineString" => Geom::LineString(line(c)?),
            "MultiLineString" => Geom::MultiLineString(rings(c)?),
            "Polygon" => Geom::Polygon(rings(c)?),
            "MultiPolygon" => {
                Geom::MultiPolygon(c.as_array()?.iter().map(rings).collect::<Option<_>>()?)
            }
            _ => return None,
        })
    }

    /// Calls `f` with every position.
    pub(crate) fn for_each_point(&self, f: &mut dyn FnMut([f64; 2])) {
        let mut line = |l: &Vec<[f64; 2]>| l.iter().for_each(|p| f(*p));
        match self {
            Geom::Point(p) => line(&vec![*p]),
            Geom::MultiPoint(l) | Geom::LineString(l) => line(l),
            Geom::MultiLineString(r) | Geom::Polygon(r) => r.iter().for_each(line),
            Geom::MultiPolygon(m) => m.iter().flatten().for_each(line),
        }
    }

    /// The geometry as a JSON tree, in WGS84: the reference [`write_geometry`] is tested
    /// against.
    #[cfg(test)]
    fn to_json(&self, c: Coords) -> Value {
        let p = |p: &[f64; 2]| {
            let q = c.to_wgs84(*p);
            Value::from(vec![q[0], q[1]])
        };
        let line = |l: &Vec<[f64; 2]>| Value::Array(l.iter().map(p).collect());
        let poly = |r: &Vec<Vec<[f64; 2]>>| Value::Array(r.iter().map(line).collect());
        let (kind, coordinates) = match self {
            Geom::Point(q) => ("Point", p(q)),
            Geom::MultiPoint(l) => ("MultiPoint", line(l)),
            Geom::LineString(l) => ("LineString", line(l)),
            Geom::MultiLineString(r) => ("MultiLineString", poly(r)),
            Geom::Polygon(r) => ("Polygon", poly(r)),
            Geom::MultiPolygon(m) => ("MultiPolygon", Value::Array(m.iter().map(poly).collect())),
        };
        let mut g = Map::new();
        g.insert("type".to_owned(), kind.into());
        g.insert("coordinates".to_owned(), coordinates);
        Value::Object(g)
    }
}

/// Writes features as GeoJSON, one per line, converting their coordinates to WGS84.
pub(super) struct FeatureWriter<W: Write> {
    w: W,
    coords: Coords,
    /// Where errors of writing point to.
    path: PathBuf,
}

impl<W: Write> FeatureWriter<W> {
    /// Writes one feature (a geometry of `None` is written as `null`). The geometry is written
    /// as text straight from its positions (no JSON tree: a Shapefile of 100,000 blocks has
    /// millions of them).
    pub(super) fn feature(
        &mut self,
        properties: Map<String, Value>,
        geom: Option<&Geom>,
    ) -> Result<()> {
        let io = |source| Error::Write {
            path: self.path.clone(),
            source,
        };
        self.w
            .write_all(b"{\"type\":\"Feature\",\"properties\":")
            .map_err(io)?;
        serde_json::to_writer(&mut self.w, &properties).map_err(|e| io(e.into()))?;
        self.w.write_all(b",\"geometry\":").map_err(io)?;
        match geom {
            None => self.w.write_all(b"null").map_err(io)?,
            Some(g) => write_geometry(&mut self.w, g, self.coords).map_err(io)?,
        }
        self.w.write_all(b"}\n").map_err(io)
    }

    fn raw(&mut self, feature: &Value) -> Result<()> {
        let io = |source| Error::Write {
            path: self.path.clone(),
            source,
        };
        serde_json::to_writer(&mut self.w, feature).map_err(|e| io(e.into()))?;
        self.w.write_all(b"\n").map_err(io)
    }
}

/// Writes `g` as a GeoJSON geometry, its positions converted from `coords` to WGS84 (each
/// number as `serde_json` writes an `f64`: the shortest text that reads back the same).
fn write_geometry(w: &mut impl Write, g: &Geom, coords: Coords) -> std::io::Result<()> {
    fn point(w: &mut impl Write, p: [f64; 2], c: Coords) -> std::io::Result<()> {
        let [x, y] = c.to_wgs84(p);
        w.write_all(b"[")?;
        serde_json::to_writer(&mut *w, &x)?;
        w.write_all(b",")?;
        serde_json::to_writer(&mut *w, &y)?;
        w.write_all(b"]")
    }
    fn line(w: &mut impl Write, l: &[[f64; 2]], c: Coords) -> std::io::Result<()> {
        w.write_all(b"[")?;
        for (i, p) in l.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            point(w, *p, c)?;
        }
        w.write_all(b"]")
    }
    fn rings(w: &mut impl Write, r: &[Vec<[f64; 2]>], c: Coords) -> std::io::Result<()> {
        w.write_all(b"[")?;
        for (i, l) in r.iter().enumerate() {
            if i > 0 {
                w.write_all(b",")?;
            }
            line(w, l, c)?;
        }
        w.write_all(b"]")
    }
    let kind = match g {
        Geom::Point(_) => "Point",
        Geom::MultiPoint(_) => "MultiPoint",
        Geom::LineString(_) => "LineString",
        Geom::MultiLineString(_) => "MultiLineString",
        Geom::Polygon(_) => "Polygon",
        Geom::MultiPolygon(_) => "MultiPolygon",
    };
    write!(w, "{{\"type\":\"{kind}\",\"coordinates\":")?;
    match g {
        Geom::Point(p) => point(w, *p, coords)?,
        Geom::MultiPoint(l) | Geom::LineString(l) => line(w, l, coords)?,
        Geom::MultiLineString(r) | Geom::Polygon(r) => rings(w, r, coords)?,
        Geom::MultiPolygon(m) => {
            w.write_all(b"[")?;
            for (i, r) in m.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                rings(w, r, coords)?;
            }
            w.write_all(b"]")?;
        }
    }
    w.write_all(b"}")
}

/// A GeoJSON copy of an input, in WGS84, one Feature per line, in the temporary folder
/// (`walkshed-input-*.geojsonl`): removed when dropped or [`removed`](GeoJsonCopy::remove), and
/// by an interrupted process's clean-up.
#[derive(Debug)]
pub struct GeoJsonCopy {
    temp: tempfile::TempPath,
}

impl GeoJsonCopy {
    /// The copy's file.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Removes the file now, for a holder that is done with it but whose memory is freed later
    /// (perhaps never, by a thread the process does not wait for).
    pub(crate) fn remove(&self) {
        let _ = std::fs::remove_file(self.path());
        crate::publish::unregister(self.path());
    }
}

impl Drop for GeoJsonCopy {
    fn drop(&mut self) {
        // The file itself is removed by the `TempPath`, dropped next.
        crate::publish::unregister(self.path());
    }
}

impl PartialEq for GeoJsonCopy {
    fn eq(&self, other: &Self) -> bool {
        self.path() == other.path()
    }
}

/// The GeoJSON copy to read `given` through, or `None` when it is GeoJSON in WGS84 and is read
/// as it is. Errors name `given`.
pub fn geojson_copy(given: &Path, options: &InputOptions) -> Result<Option<GeoJsonCopy>> {
    let input = InputFile::parse(given)?;
    if input.format == Format::GeoJson && options.coords == Coords::Wgs84 {
        return Ok(None);
    }
    if !input.path.is_file() {
        return Err(Error::Read {
            path: input.path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        });
    }
    let file = tempfile::Builder::new()
        .prefix("walkshed-input-")
        .suffix(".geojsonl")
        .tempfile()
        .map_err(|source| Error::Write {
            path: std::env::temp_dir(),
            source,
        })?;
    let (file, temp) = file.into_parts();
    crate::publish::register(&temp);
    // Removed on every path from here: when `copy` is dropped, on an error as on success.
    let copy = GeoJsonCopy { temp };
    let mut out = FeatureWriter {
        w: BufWriter::with_capacity(1 << 20, file),
        coords: options.coords,
        path: copy.path().to_path_buf(),
    };
    write_features(&input, options, &mut out)?;
    out.w.flush().map_err(|source| Error::Write {
        path: copy.path().to_path_buf(),
        source,
    })?;
    drop(out);
    Ok(Some(copy))
}

/// Writes every feature of `input` to `out`.
fn write_features<W: Write>(
    input: &InputFile,
    options: &InputOptions,
    out: &mut FeatureWriter<W>,
) -> Result<()> {
    match input.format {
        Format::GeoJson => convert_geojson(&input.path, out),
        Format::Csv(delimiter) => csv::read(&input.path, delimiter, options, out),
        Format::Xlsx => xlsx::read(&input.path, input.layer.as_deref(), options, out),
        Format::Shapefile => shapefile::read(&input.path, options, out),
        Format::GeoPackage => gpkg::read(&input.path, input.layer.as_deref(), out),
    }
}

/// Copies the features of a GeoJSON file with their coordinates converted.
fn convert_geojson<W: Write>(path: &Path, out: &mut FeatureWriter<W>) -> Result<()> {
    let source = FeatureStream::new(path, ReadOptions::default());
    let coords = out.coords;
    source.texts(|first, texts| {
        for (k, text) in texts.into_iter().enumerate() {
            let mut feature: Value = serde_json::from_slice(text).map_err(|e| Error::Json {
                location: crate::error::Location::feature(path, first + k, None),
                message: e.to_string(),
            })?;
            if let Some(c) = feature.pointer_mut("/geometry/coordinates") {
                convert_positions(c, coords);
            }
            out.raw(&feature)?;
        }
        Ok(())
    })
}

/// Converts every position (an array whose first items are numbers) inside `v`.
fn convert_positions(v: &mut Value, coords: Coords) {
    let Value::Array(items) = v else { return };
    if let (Some(x), Some(y)) = (
        items.first().and_then(Value::as_f64),
        items.get(1).and_then(Value::as_f64),
    ) {
        let [x, y] = coords.to_wgs84([x, y]);
        items[0] = x.into();
        items[1] = y.into();
    } else {
        items.iter_mut().for_each(|i| convert_positions(i, coords));
    }
}

/// Writes `given` converted to WGS84 as a GeoJSON FeatureCollection at `out` (`walkshed
/// convert`); returns the number of features.
pub fn convert_to_geojson(given: &Path, options: &InputOptions, out: &Path) -> Result<usize> {
    let input = InputFile::parse(given)?;
    let io = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    let mut lines = FeatureWriter {
        w: Vec::new(),
        coords: options.coords,
        path: out.to_path_buf(),
    };
    write_features(&input, options, &mut lines)?;
    let text = String::from_utf8_lossy(&lines.w);
    let mut w = BufWriter::new(File::create(out).map_err(io)?);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")
        .map_err(io)?;
    let mut count = 0;
    for line in text.lines() {
        if count > 0 {
            w.write_all(b",\n").map_err(io)?;
        }
        w.write_all(line.as_bytes()).map_err(io)?;
        count += 1;
    }
    w.write_all(b"\n]}\n").map_err(io)?;
    w.flush().map_err(io)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_convert_at_any_depth() {
        let mut v: Value = serde_json::json!([[[116.404, 39.915, 5.0]]]);
        convert_positions(&mut v, Coords::Gcj02);
        let p = [v[0][0][0].as_f64().unwrap(), v[0][0][1].as_f64().unwrap()];
        assert_eq!(p, Coords::Gcj02.to_wgs84([116.404, 39.915]));
        assert_eq!(v[0][0][2], 5.0);
    }

    #[test]
    fn geometry_text_is_the_json_of_the_geometry() {
        let sq = vec![vec![
            [121.3, 30.7],
            [121.31, 30.7],
            [121.31, 30.71],
            [121.3, 30.7],
        ]];
        for g in [
            Geom::Point([121.3, 30.7]),
            Geom::MultiPoint(vec![[121.0, 31.0], [121.5, 31.25]]),
            Geom::LineString(vec![[121.0, 31.0], [121.5, 31.25]]),
            Geom::MultiLineString(vec![vec![[121.0, 31.0], [121.5, 31.25]]]),
            Geom::Polygon(sq.clone()),
            Geom::MultiPolygon(vec![sq.clone(), sq.clone()]),
        ] {
            for c in [Coords::Wgs84, Coords::Gcj02, Coords::Bd09] {
                let mut text = Vec::new();
                write_geometry(&mut text, &g, c).unwrap();
                let expected = serde_json::to_string(&g.to_json(c)).unwrap();
                assert_eq!(String::from_utf8(text).unwrap(), expected);
            }
        }
    }
}
