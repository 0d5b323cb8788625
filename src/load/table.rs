//! What CSV and Excel inputs share: a header row, the longitude and latitude columns found by
//! name (or given), and the other cells as properties, numbers as numbers.

use std::path::Path;

use serde_json::{Map, Value};

use super::input::InputOptions;
use crate::error::{Error, Result};

/// Names of a longitude column, compared without case.
const LON_NAMES: [&str; 6] = ["lon", "lng", "long", "longitude", "x", "经度"];
/// Names of a latitude column, compared without case.
const LAT_NAMES: [&str; 4] = ["lat", "latitude", "y", "纬度"];

/// A table's columns: the header, and which hold the longitude and latitude.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Columns {
    pub names: Vec<String>,
    pub lon: usize,
    pub lat: usize,
}

impl Columns {
    /// Finds the coordinate columns of the header `names` of `path`, by the names given in
    /// `options` or else by the usual names.
    pub(super) fn find(path: &Path, names: Vec<String>, options: &InputOptions) -> Result<Columns> {
        let lon = column(
            path,
            &names,
            options.lon_column.as_deref(),
            &LON_NAMES,
            "longitude",
            "--lon-column",
        )?;
        let lat = column(
            path,
            &names,
            options.lat_column.as_deref(),
            &LAT_NAMES,
            "latitude",
            "--lat-column",
        )?;
        Ok(Columns { names, lon, lat })
    }

    /// The properties of a row: every cell but the coordinates, under its column's name.
    pub(super) fn properties(&self, cells: impl IntoIterator<Item = Value>) -> Map<String, Value> {
        let mut props = Map::new();
        for (k, v) in cells.into_iter().enumerate() {
            if k != self.lon && k != self.lat {
                if let Some(name) = self.names.get(k) {
                    props.insert(name.clone(), v);
                }
            }
        }
        props
    }
}

fn column(
    path: &Path,
    names: &[String],
    given: Option<&str>,
    usual: &[&str],
    what: &str,
    option: &str,
) -> Result<usize> {
    let found = match given {
        Some(g) => names.iter().position(|n| n.trim() == g.trim()),
        None => usual
            .iter()
            .find_map(|u| names.iter().position(|n| n.trim().to_lowercase() == *u)),
    };
    found.ok_or_else(|| {
        let header = names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = match given {
            Some(g) => format!("the {what} column {g:?} given by {option}"),
            None => format!(
                "a {what} column named {} (any case), or {option}",
                usual.join(", ")
            ),
        };
        Error::input(
            path,
            Some("header".to_owned()),
            format!("no {what} column: expected {expected}; found columns {header}"),
        )
    })
}

/// A cell's text as a property value: empty as `null`, a number as a number (but not text like
/// `007` or `+1` that would not read back the same), anything else as text.
pub(crate) fn cell_value(text: &str) -> Value {
    let t = text.trim();
    if t.is_empty() {
        return Value::Null;
    }
    if let Ok(n) = t.parse::<i64>() {
        if n.to_string() == t {
            return n.into();
        }
    }
    let leading_zero = t.trim_start_matches('-').starts_with('0')
        && t.trim_start_matches('-')
            .chars()
            .nth(1)
            .is_some_and(|c| c.is_ascii_digit());
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && !leading_zero && !t.starts_with('+') && !t.ends_with('.') => {
            x.into()
        }
        _ => text.into(),
    }
}

/// A coordinate cell: a finite number within `limit` of zero, or an error at `place`.
pub(super) fn coordinate(
    path: &Path,
    place: impl FnOnce() -> String,
    value: Option<f64>,
    text: &str,
    limit: f64,
) -> Result<f64> {
    match value {
        Some(x) if x.is_finite() && x.abs() <= limit => Ok(x),
        Some(x) if x.is_finite() => Err(Error::input(
            path,
            Some(place()),
            format!(
                "coordinate {x} is outside [-{limit}, {limit}]; the file may be in a projected \
                 CRS, but walkshed reads longitude/latitude in degrees"
            ),
        )),
        _ => Err(Error::input(
            path,
            Some(place()),
            format!("expected a number of degrees, found {text:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_numbers_only_when_they_read_back() {
        assert_eq!(cell_value("12"), 12);
        assert_eq!(cell_value("-3.5"), -3.5);
        assert_eq!(cell_value("007"), "007");
        assert_eq!(cell_value("+1"), "+1");
        assert_eq!(cell_value(""), Value::Null);
        assert_eq!(cell_value("金山"), "金山");
        assert_eq!(cell_value("0.25"), 0.25);
    }

    #[test]
    fn columns_by_usual_or_given_names() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = InputOptions::default();
        let c = Columns::find(Path::new("a.csv"), names(&["id", "经度", "纬度"]), &o).unwrap();
        assert_eq!((c.lon, c.lat), (1, 2));
        let c = Columns::find(Path::new("a.csv"), names(&["LNG", "Lat"]), &o).unwrap();
        assert_eq!((c.lon, c.lat), (0, 1));
        let e = Columns::find(Path::new("a.csv"), names(&["id", "east"]), &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a.csv, header: no longitude column: expected a longitude column named lon, lng, \
             long, longitude, x, 经度 (any case), or --lon-column; found columns \"id\", \"east\""
        );
        let given = InputOptions {
            lon_column: Some("east".into()),
            lat_column: Some("north".into()),
            ..o
        };
        let c = Columns::find(Path::new("a.csv"), names(&["north", "east"]), &given).unwrap();
        assert_eq!((c.lon, c.lat), (1, 0));
    }
}
