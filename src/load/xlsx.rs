//! The Excel reader: points in longitude and latitude columns of a sheet of an `.xlsx` (the first
//! sheet, or the one named), by the same column rules as CSV.

use std::io::Write;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use super::copy::{FeatureWriter, Geom};
use super::table::{cell_value, coordinate, Columns};
use super::InputOptions;
use crate::error::{Error, Result};

/// Writes the rows of sheet `sheet` (else the first) of the workbook `path` as point features.
pub(super) fn read<W: Write>(
    path: &Path,
    sheet: Option<&str>,
    options: &InputOptions,
    out: &mut FeatureWriter<W>,
) -> Result<()> {
    let mut book: Xlsx<_> = calamine::open_workbook(path)
        .map_err(|e| Error::input(path, None, format!("cannot read the workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_owned(),
        Some(s) => {
            let list = names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::input(
                path,
                Some(format!("sheet {s:?}")),
                format!("no such sheet; the workbook has {list}"),
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::input(path, None, "the workbook has no sheet"))?,
    };
    let place = format!("sheet {name:?}");
    let range = book
        .worksheet_range(&name)
        .map_err(|e| Error::input(path, Some(place.clone()), e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range.rows();
    let header = rows
        .next()
        .ok_or_else(|| Error::input(path, Some(place.clone()), "the sheet is empty"))?;
    let names = header.iter().map(|c| text(c).unwrap_or_default()).collect();
    let columns = Columns::find(path, names, options).map_err(|e| match e {
        Error::Input { path, message, .. } => Error::Input {
            path,
            place: Some(format!("{place}, header row")),
            message,
        },
        other => other,
    })?;
    for (i, row) in rows.enumerate() {
        if row.iter().all(|c| *c == Data::Empty) {
            continue;
        }
        let number = first_row + i + 2;
        let cell = |k: usize, limit: f64| {
            let c = row.get(k).unwrap_or(&Data::Empty);
            let value = match c {
                Data::Int(n) => Some(*n as f64),
                Data::Float(x) => Some(*x),
                Data::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            let shown = text(c).unwrap_or_default();
            let at = || format!("{place}, row {number}, column {:?}", columns.names[k]);
            coordinate(path, at, value, &shown, limit)
        };
        let lon = cell(columns.lon, 180.0)?;
        let lat = cell(columns.lat, 90.0)?;
        let props = columns.properties(row.iter().map(value));
        out.feature(props, Some(&Geom::Point([lon, lat])))?;
    }
    Ok(())
}

/// A cell as text, if it has any.
fn text(c: &Data) -> Option<String> {
    match c {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A cell as a property value: numbers as numbers (whole numbers as integers), text read by the
/// CSV rules, empty as `null`.
fn value(c: &Data) -> Value {
    match c {
        Data::Empty => Value::Null,
        Data::Int(n) => (*n).into(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 9e15 => (*x as i64).into(),
        Data::Float(x) => (*x).into(),
        Data::Bool(b) => (*b).into(),
        Data::String(s) => cell_value(s),
        other => other.to_string().into(),
    }
}
