//! How an input file is given and read beyond GeoJSON: its format (by extension, with a sheet or
//! layer after a colon), its coordinates, its encoding and its coordinate columns.

use std::path::{Path, PathBuf};

use super::TextEncoding;
use crate::coords::Coords;
use crate::error::{Error, Result};

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

/// How a job's input files are read: stations (and added stations), blocks, context layers
/// and suggestion candidates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct InputSettings {
    /// The stations files (`--stations`, `--add-stations`).
    pub stations: InputOptions,
    /// The blocks file.
    pub blocks: InputOptions,
    /// The context layers drawn under the maps (`--context`).
    pub context: InputOptions,
    /// The candidate sites of `walkshed suggest` (`--candidates FILE`).
    pub candidates: InputOptions,
}

impl InputSettings {
    /// The inputs converted from web-map coordinates, as the summary lists them
    /// (`stations: gcj02 → wgs84`).
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::{Coords, InputOptions, InputSettings};
    /// let gcj02 = InputOptions { coords: Coords::Gcj02, ..InputOptions::default() };
    /// let settings = InputSettings { stations: gcj02, ..InputSettings::default() };
    /// assert_eq!(settings.converted(), ["stations: gcj02 → wgs84"]);
    /// ```
    pub fn converted(&self) -> Vec<String> {
        [
            ("stations", &self.stations),
            ("blocks", &self.blocks),
            ("context", &self.context),
            ("candidates", &self.candidates),
        ]
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
}
