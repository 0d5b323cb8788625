//! Input files in other formats than GeoJSON (CSV/TSV, Excel, Shapefile, GeoPackage), or in the
//! coordinates of Chinese web maps: chosen by extension, and turned into a GeoJSON copy (one
//! Feature per line, WGS84) that the GeoJSON reader then reads like any other file. A GeoJSON
//! file in WGS84 is read as it is, with no copy.

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::{Map, Value};

use super::{csv, gpkg, shapefile, xlsx, ReadOptions, Source};
use crate::coords::Coords;
use crate::error::{Error, Result};

/// The text encoding of a CSV file or a Shapefile's `.dbf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB18030, which includes GBK and GB2312: what Excel and GIS programs in China write.
    Gb18030,
}

impl TextEncoding {
    /// The encoding of `bytes` when none is given: UTF-8 if they are valid UTF-8, else GB18030.
    pub fn detect(bytes: &[u8]) -> TextEncoding {
        match std::str::from_utf8(bytes) {
            Ok(_) => TextEncoding::Utf8,
            Err(_) => TextEncoding::Gb18030,
        }
    }

    /// The `encoding_rs` encoding.
    pub(super) fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
        }
    }

    /// `bytes` as text (a UTF-8 byte-order mark dropped; undecodable bytes replaced).
    pub(super) fn decode(self, bytes: &[u8]) -> String {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        self.encoding()
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
        })
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    /// `utf-8`, or `gbk`/`gb2312`/`gb18030`/`cp936`/`936` (any case).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" => Ok(TextEncoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" | "936" => Ok(TextEncoding::Gb18030),
            _ => Err(format!(
                "expected utf-8 or gbk (also gb2312, gb18030, cp936), found {s:?}"
            )),
        }
    }
}

impl TryFrom<String> for TextEncoding {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        s.parse()
    }
}

/// How to read one input file beyond its format: its coordinates, its text encoding, its
/// coordinate columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct InputOptions {
    /// The coordinate system of the file's longitudes and latitudes (converted to WGS84 on
    /// reading).
    pub coords: Coords,
    /// The encoding of a CSV file or a `.dbf` (detected when not given).
    pub encoding: Option<TextEncoding>,
    /// The longitude column of a CSV or Excel file (found by name when not given).
    pub lon_column: Option<String>,
    /// The latitude column of a CSV or Excel file (found by name when not given).
    pub lat_column: Option<String>,
}

/// How a job's stations (and added stations) and blocks files are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct InputSettings {
    /// The stations files.
    pub stations: InputOptions,
    /// The blocks file.
    pub blocks: InputOptions,
}

impl InputSettings {
    /// The inputs converted from web-map coordinates, as the summary lists them
    /// (`stations: gcj02 → wgs84`).
    pub fn converted(&self) -> Vec<String> {
        [("stations", &self.stations), ("blocks", &self.blocks)]
            .into_iter()
            .filter(|(_, o)| o.coords != Coords::Wgs84)
            .map(|(what, o)| format!("{what}: {} → wgs84", o.coords))
            .collect()
    }
}

/// The formats walkshed reads, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.geojson`, `.json`, `.geojsonl`, `.geojsons`: GeoJSON.
    GeoJson,
    /// `.csv` (comma) or `.tsv`/`.txt` (tab): points in longitude and latitude columns.
    Csv(u8),
    /// `.xlsx`: points in longitude and latitude columns of a sheet.
    Xlsx,
    /// `.shp` with its `.dbf` and `.shx`.
    Shapefile,
    /// `.gpkg`: a layer of a GeoPackage.
    GeoPackage,
}

/// The formats, as an error lists them.
pub const SUPPORTED: &str = "GeoJSON (.geojson, .json, .geojsonl, .geojsons), CSV (.csv), \
    TSV (.tsv, .txt), Excel (.xlsx, FILE.xlsx:SHEET), Shapefile (.shp) or GeoPackage (.gpkg, \
    FILE.gpkg:LAYER)";

/// An input as given: the file, and the sheet or layer named after a colon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file.
    pub path: PathBuf,
    /// The sheet of an `.xlsx` or the layer of a `.gpkg` (`FILE.xlsx:SHEET`).
    pub layer: Option<String>,
    /// The format.
    pub format: Format,
}

impl InputFile {
    /// The input `given`: its format by extension, and `FILE.xlsx:SHEET` / `FILE.gpkg:LAYER`
    /// split when no file has the whole name.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::load::{Format, InputFile};
    /// let input = InputFile::parse("/nowhere/blocks.gpkg:blocks".as_ref()).unwrap();
    /// assert_eq!((input.format, input.layer.as_deref()), (Format::GeoPackage, Some("blocks")));
    /// assert!(InputFile::parse("blocks.kml".as_ref()).is_err());
    /// ```
    pub fn parse(given: &Path) -> Result<InputFile> {
        let text = given.to_string_lossy();
        if !given.exists() {
            if let Some((file, layer)) = text.rsplit_once(':') {
                let file = PathBuf::from(file);
                let format = format_of(&file);
                if matches!(format, Some(Format::Xlsx | Format::GeoPackage)) && !layer.is_empty() {
                    return Ok(InputFile {
                        path: file,
                        layer: Some(layer.to_owned()),
                        format: format.unwrap_or(Format::GeoJson),
                    });
                }
            }
        }
        match format_of(given) {
            Some(format) => Ok(InputFile {
                path: given.to_path_buf(),
                layer: None,
                format,
            }),
            None => Err(Error::input(
                given,
                None,
                format!("unsupported format; walkshed reads {SUPPORTED}"),
            )),
        }
    }
}

/// The format of `path` by its extension (any case); files with no extension, pipes and
/// devices are taken as GeoJSON.
fn format_of(path: &Path) -> Option<Format> {
    let ext = match path.extension() {
        Some(e) => e.to_string_lossy().to_ascii_lowercase(),
        None => return Some(Format::GeoJson),
    };
    match ext.as_str() {
        "geojson" | "json" | "geojsonl" | "geojsons" | "ndjson" | "jsonl" => Some(Format::GeoJson),
        "csv" => Some(Format::Csv(b',')),
        "tsv" | "txt" | "tab" => Some(Format::Csv(b'\t')),
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "shp" => Some(Format::Shapefile),
        "gpkg" => Some(Format::GeoPackage),
        _ if !path.is_file() && path.exists() => Some(Format::GeoJson),
        _ => None,
    }
}

/// A geometry read from a table or a GIS file, in the file's coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Geom {
    Point([f64; 2]),
    MultiPoint(Vec<[f64; 2]>),
    LineString(Vec<[f64; 2]>),
    MultiLineString(Vec<Vec<[f64; 2]>>),
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geom {
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
    /// Writes one feature (a geometry of `None` is written as `null`).
    pub(super) fn feature(
        &mut self,
        properties: Map<String, Value>,
        geom: Option<&Geom>,
    ) -> Result<()> {
        let geometry = geom.map_or(Value::Null, |g| g.to_json(self.coords));
        let mut f = Map::new();
        f.insert("type".to_owned(), "Feature".into());
        f.insert("properties".to_owned(), Value::Object(properties));
        f.insert("geometry".to_owned(), geometry);
        self.raw(&Value::Object(f))
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

/// A GeoJSON copy of an input, in WGS84, one Feature per line; removed when dropped.
#[derive(Debug)]
pub struct GeoJsonCopy {
    temp: tempfile::TempPath,
}

impl GeoJsonCopy {
    /// The copy's file.
    pub fn path(&self) -> &Path {
        &self.temp
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
    let mut out = FeatureWriter {
        w: BufWriter::with_capacity(1 << 20, file),
        coords: options.coords,
        path: temp.to_path_buf(),
    };
    write_features(&input, options, &mut out)?;
    out.w.flush().map_err(|source| Error::Write {
        path: temp.to_path_buf(),
        source,
    })?;
    Ok(Some(GeoJsonCopy { temp }))
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
    let source = Source::new(path, ReadOptions::default());
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
    fn formats_by_extension() {
        let f = |s: &str| InputFile::parse(Path::new(s)).map(|i| i.format);
        assert_eq!(f("a.GeoJSON").unwrap(), Format::GeoJson);
        assert_eq!(f("a.csv").unwrap(), Format::Csv(b','));
        assert_eq!(f("a.tsv").unwrap(), Format::Csv(b'\t'));
        assert_eq!(f("a.shp").unwrap(), Format::Shapefile);
        let e = f("a.kml").unwrap_err().to_string();
        assert!(
            e.starts_with("a.kml: unsupported format; walkshed reads GeoJSON"),
            "{e}"
        );
        let sheet = InputFile::parse(Path::new("/no/b.xlsx:Sheet 2")).unwrap();
        assert_eq!(sheet.path, Path::new("/no/b.xlsx"));
        assert_eq!(sheet.layer.as_deref(), Some("Sheet 2"));
    }

    #[test]
    fn encodings_parse_and_detect() {
        assert_eq!("GBK".parse(), Ok(TextEncoding::Gb18030));
        assert_eq!("utf_8".parse(), Ok(TextEncoding::Utf8));
        assert!("latin1".parse::<TextEncoding>().is_err());
        let (gbk, _, _) = encoding_rs::GBK.encode("经度");
        assert_eq!(TextEncoding::detect(&gbk), TextEncoding::Gb18030);
        assert_eq!(TextEncoding::Gb18030.decode(&gbk), "经度");
        assert_eq!(TextEncoding::detect("经度".as_bytes()), TextEncoding::Utf8);
    }

    #[test]
    fn positions_convert_at_any_depth() {
        let mut v: Value = serde_json::json!([[[116.404, 39.915, 5.0]]]);
        convert_positions(&mut v, Coords::Gcj02);
        let p = [v[0][0][0].as_f64().unwrap(), v[0][0][1].as_f64().unwrap()];
        assert_eq!(p, Coords::Gcj02.to_wgs84([116.404, 39.915]));
        assert_eq!(v[0][0][2], 5.0);
    }
}
