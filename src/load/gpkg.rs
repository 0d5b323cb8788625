//! The GeoPackage reader: a layer's features (its geometry column decoded from the GeoPackage
//! header + WKB; its other columns as properties), with the layer's CRS checked.

use std::io::Write;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{Map, Value};

use super::copy::FeatureWriter;
use super::wkb;
use crate::error::{Error, Location, Result};

/// The EPSG codes read as WGS84 longitude/latitude: WGS84 and CGCS2000.
const GEOGRAPHIC: [i64; 2] = [4326, 4490];

/// A layer's table, geometry column and primary key.
struct Layer {
    table: String,
    geometry: String,
    key: Option<String>,
}

/// Writes the features of layer `layer` (else the only one) of the GeoPackage `path`.
pub(super) fn read<W: Write>(
    path: &Path,
    layer: Option<&str>,
    out: &mut FeatureWriter<W>,
) -> Result<()> {
    let sql =
        |e: rusqlite::Error| Error::input(path, None, format!("cannot read the GeoPackage: {e}"));
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    let layer = choose_layer(path, &db, layer)?;
    check_crs(path, &db, &layer.table)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let order = layer.key.as_deref().map_or("rowid".to_owned(), quote);
    let mut stmt = db
        .prepare(&format!(
            "SELECT * FROM {} ORDER BY {order}",
            quote(&layer.table)
        ))
        .map_err(sql)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut index = 0;
    while let Some(row) = rows.next().map_err(sql)? {
        let mut props = Map::new();
        let mut geom = None;
        for (k, name) in names.iter().enumerate() {
            let v = row.get_ref(k).map_err(sql)?;
            if *name == layer.geometry {
                if let ValueRef::Blob(b) = v {
                    geom = geometry(b).map_err(|message| Error::Geometry {
                        location: Location::feature(path, index, None),
                        message: format!("layer {:?}: {message}", layer.table),
                    })?;
                }
            } else if Some(name) != layer.key.as_ref() {
                props.insert(name.clone(), value(v));
            }
        }
        out.feature(props, geom.as_ref())?;
        index += 1;
    }
    Ok(())
}

/// The feature layer named, or the only one.
fn choose_layer(path: &Path, db: &Connection, wanted: Option<&str>) -> Result<Layer> {
    let sql = |e: rusqlite::Error| {
        Error::input(path, None, format!("not a GeoPackage with features ({e})"))
    };
    let mut stmt = db
        .prepare(
            "SELECT c.table_name, g.column_name FROM gpkg_contents c \
             JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
             WHERE c.data_type = 'features' ORDER BY c.table_name",
        )
        .map_err(sql)?;
    let layers: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sql)?
        .collect::<rusqlite::Result<_>>()
        .map_err(sql)?;
    let list = || {
        layers
            .iter()
            .map(|(t, _)| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (table, geometry) = match (wanted, layers.as_slice()) {
        (None, [one]) => one.clone(),
        (None, []) => {
            return Err(Error::input(
                path,
                None,
                "the GeoPackage has no feature layer",
            ))
        }
        (None, _) => {
            return Err(Error::input(
                path,
                None,
                format!(
                    "the GeoPackage has several layers ({}); name one as FILE.gpkg:LAYER",
                    list()
                ),
            ))
        }
        (Some(w), _) => match layers.iter().find(|(t, _)| t == w) {
            Some(l) => l.clone(),
            None => {
                return Err(Error::input(
                    path,
                    Some(format!("layer {w:?}")),
                    format!("no such feature layer; the GeoPackage has {}", list()),
                ))
            }
        },
    };
    let key = db
        .prepare(&format!(
            "PRAGMA table_info(\"{}\")",
            table.replace('"', "\"\"")
        ))
        .and_then(|mut s| {
            let cols: Vec<(String, i64)> = s
                .query_map([], |r| Ok((r.get(1)?, r.get(5)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(cols.into_iter().find(|(_, pk)| *pk == 1).map(|(n, _)| n))
        })
        .map_err(sql)?;
    Ok(Layer {
        table,
        geometry,
        key,
    })
}

/// A layer's SRS: its id, name, organization and the organization's code.
type SrsRow = (i64, Option<String>, Option<String>, Option<i64>);

/// Fails unless the layer's CRS is WGS84 or CGCS2000 longitude/latitude (or undefined
/// geographic, srs_id 0, whose coordinates are then range-checked).
fn check_crs(path: &Path, db: &Connection, table: &str) -> Result<()> {
    let row: Option<SrsRow> = db
        .query_row(
            "SELECT g.srs_id, s.srs_name, s.organization, s.organization_coordsys_id \
             FROM gpkg_geometry_columns g LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id \
             WHERE g.table_name = ?1",
            [table],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(|e| Error::input(path, None, format!("cannot read the GeoPackage: {e}")))?;
    let Some((srs_id, name, org, code)) = row else {
        return Ok(());
    };
    let epsg = org
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("epsg"));
    if srs_id == 0
        || (epsg || org.is_none()) && GEOGRAPHIC.contains(&srs_id)
        || epsg && code.is_some_and(|c| GEOGRAPHIC.contains(&c))
    {
        return Ok(());
    }
    let id = match (org, code) {
        (Some(o), Some(c)) => format!("{o}:{c}"),
        _ => format!("srs_id {srs_id}"),
    };
    let name = match name {
        Some(n) => format!("{id} ({n})"),
        None => id,
    };
    Err(Error::Crs {
        location: Location {
            id: None,
            ..Location::file(path)
        },
        name: format!("{name} of layer {table:?}"),
    })
}

/// A GeoPackage geometry blob: its header (magic, version, flags, srs_id, envelope), then WKB.
fn geometry(b: &[u8]) -> std::result::Result<Option<super::copy::Geom>, String> {
    if b.len() < 8 || &b[..2] != b"GP" {
        return Err("not a GeoPackage geometry".to_owned());
    }
    let flags = b[3];
    if flags & 0x10 != 0 {
        return Ok(None);
    }
    let envelope = match (flags >> 1) & 0x07 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("unknown envelope type {other}")),
    };
    let start = 8 + envelope;
    let body = b.get(start..).ok_or("the geometry ends too early")?;
    wkb::read(body)
}

/// A column's value as a property.
fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
    }
}
