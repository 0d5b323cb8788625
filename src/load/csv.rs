//! The CSV/TSV reader: points in longitude and latitude columns, UTF-8 (with or without a BOM)
//! or GB18030/GBK, detected or given.

use std::io::Write;
use std::path::Path;

use super::copy::{FeatureWriter, Geom};
use super::table::{cell_value, coordinate, Columns};
use super::{InputOptions, TextEncoding};
use crate::error::{Error, Result};

/// Writes the rows of the CSV file `path` (fields separated by `delimiter`) as point features.
pub(super) fn read<W: Write>(
    path: &Path,
    delimiter: u8,
    options: &InputOptions,
    out: &mut FeatureWriter<W>,
) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let encoding = options
        .encoding
        .unwrap_or_else(|| TextEncoding::detect(&bytes));
    let text = encoding.decode(&bytes);
    drop(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bad = |e: ::csv::Error| {
        let place = e.position().map(|p| format!("line {}", p.line()));
        Error::input(path, place, e.to_string())
    };
    let names = reader
        .headers()
        .map_err(bad)?
        .iter()
        .map(str::to_owned)
        .collect();
    let columns = Columns::find(path, names, options)?;
    let mut record = ::csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(bad)? {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |k: usize, limit: f64| {
            let text = record.get(k).unwrap_or("");
            let place = || format!("line {line}, column {:?}", columns.names[k]);
            coordinate(path, place, text.trim().parse().ok(), text, limit)
        };
        let lon = cell(columns.lon, 180.0)?;
        let lat = cell(columns.lat, 90.0)?;
        let props = columns.properties(record.iter().map(cell_value));
        out.feature(props, Some(&Geom::Point([lon, lat])))?;
    }
    Ok(())
}
