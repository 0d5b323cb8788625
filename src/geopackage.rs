//! `walkshed.gpkg` (`--format gpkg`): the `blocks` layer (every input property, names intact,
//! and the `ws_*` fields of `blocks.geojson`) and the `stations` layer (the columns of
//! `stations.csv`, as points) in one GeoPackage (OGC 12-128r18, version 1.3) that QGIS and GDAL
//! open. A Shapefile would cut `ws_covered_5` to ten characters; a GeoPackage keeps every name.
//!
//! The file is written with the bundled SQLite; its `last_change` stamps are the Unix epoch, so
//! that two runs on the same inputs write the same tables.

use std::path::Path;

use rusqlite::{params_from_iter, Connection};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::load::{write_wkb, FeatureStream, Geom, ReadOptions};

/// The GeoPackage's `application_id` ("GPKG") and `user_version` (1.3.0).
const APPLICATION_ID: i32 = 0x4750_4B47;
const USER_VERSION: i32 = 10300;

/// A column's SQLite type: the narrowest that holds every value of the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Boolean,
    Integer,
    Real,
    Text,
}

impl Kind {
    fn of(v: &Value) -> Option<Kind> {
        match v {
            Value::Null => None,
            Value::Bool(_) => Some(Kind::Boolean),
            Value::Number(n) if n.is_i64() => Some(Kind::Integer),
            Value::Number(_) => Some(Kind::Real),
            _ => Some(Kind::Text),
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Kind::Boolean => "BOOLEAN",
            Kind::Integer => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text => "TEXT",
        }
    }
}

/// One layer to write: its features' geometries (WGS84) and properties, and its columns in
/// first-seen order.
struct Layer {
    name: &'static str,
    geometry_type: &'static str,
    columns: Vec<(String, Option<Kind>)>,
    rows: Vec<(Option<Geom>, serde_json::Map<String, Value>)>,
}

impl Layer {
    fn new(name: &'static str, geometry_type: &'static str) -> Layer {
        Layer {
            name,
            geometry_type,
            columns: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, geom: Option<Geom>, props: serde_json::Map<String, Value>) {
        for (k, v) in &props {
            let kind = Kind::of(v);
            match self
                .columns
                .iter_mut()
                .find(|(c, _)| c.eq_ignore_ascii_case(k))
            {
                Some((_, known)) => *known = (*known).max(kind),
                None => self.columns.push((k.clone(), kind)),
            }
        }
        self.rows.push((geom, props));
    }
}

/// Writes `path` (which must not exist) from the staged `blocks.geojson` and the text of
/// `stations.csv`.
pub(crate) fn write(path: &Path, blocks_geojson: &Path, stations_csv: &str) -> Result<()> {
    let blocks = blocks_layer(blocks_geojson)?;
    let stations = stations_layer(stations_csv);
    let sql = |e: rusqlite::Error| Error::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut db = Connection::open(path).map_err(sql)?;
    let tx = db.transaction().map_err(sql)?;
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};"
    ))
    .map_err(sql)?;
    tx.execute_batch(SCHEMA).map_err(sql)?;
    for layer in [&blocks, &stations] {
        write_layer(&tx, layer).map_err(sql)?;
    }
    tx.commit().map_err(sql)?;
    Ok(())
}

/// The tables every GeoPackage has, and the WGS84 spatial reference system.
const SCHEMA: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"#;

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn write_layer(tx: &rusqlite::Transaction<'_>, layer: &Layer) -> rusqlite::Result<()> {
    let columns: Vec<&(String, Option<Kind>)> = layer
        .columns
        .iter()
        .filter(|(c, _)| !c.eq_ignore_ascii_case("fid") && !c.eq_ignore_ascii_case("geom"))
        .collect();
    let mut create = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {}",
        quote(layer.name),
        layer.geometry_type
    );
    for (c, kind) in &columns {
        create.push_str(&format!(
            ", {} {}",
            quote(c),
            kind.unwrap_or(Kind::Text).sql()
        ));
    }
    create.push(')');
    tx.execute_batch(&create)?;
    let marks = vec!["?"; columns.len() + 1].join(", ");
    let names: String = columns
        .iter()
        .map(|(c, _)| format!(", {}", quote(c)))
        .collect();
    let mut insert = tx.prepare(&format!(
        "INSERT INTO {} (geom{names}) VALUES ({marks})",
        quote(layer.name)
    ))?;
    let mut bounds = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (geom, props) in &layer.rows {
        let blob = geom.as_ref().map(|g| blob(g, &mut bounds));
        let mut values: Vec<rusqlite::types::Value> =
            vec![blob.map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Blob)];
        for (c, kind) in &columns {
            values.push(sql_value(props.get(c.as_str()), *kind));
        }
        insert.execute(params_from_iter(values))?;
    }
    let extent = bounds[0].is_finite().then_some(bounds);
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, \
         min_x, min_y, max_x, max_y, srs_id) \
         VALUES (?1, 'features', ?1, ?2, '1970-01-01T00:00:00.000Z', ?3, ?4, ?5, ?6, 4326)",
        rusqlite::params![
            layer.name,
            format!("walkshed {}", layer.name),
            extent.map(|b| b[0]),
            extent.map(|b| b[1]),
            extent.map(|b| b[2]),
            extent.map(|b| b[3]),
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
        rusqlite::params![layer.name, layer.geometry_type],
    )?;
    Ok(())
}

/// A property as the column's SQLite value: numbers as numbers, other JSON as its text.
fn sql_value(v: Option<&Value>, kind: Option<Kind>) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        None | Some(Value::Null) => V::Null,
        Some(Value::Number(n)) if kind != Some(Kind::Text) => match n.as_i64() {
            Some(i) if kind == Some(Kind::Integer) => V::Integer(i),
            _ => n.as_f64().map_or(V::Null, V::Real),
        },
        Some(Value::String(s)) => V::Text(s.clone()),
        Some(Value::Bool(b)) if kind == Some(Kind::Boolean) => V::Integer(i64::from(*b)),
        Some(other) => V::Text(other.to_string()),
    }
}

/// A GeoPackage geometry blob: `GP`, version 0, flags (little-endian, an xy envelope), the
/// SRS id 4326, the envelope, then little-endian WKB. Widens `bounds` (min x, min y, max x,
/// max y) by the geometry's envelope.
fn blob(g: &Geom, bounds: &mut [f64; 4]) -> Vec<u8> {
    let mut wkb = Vec::new();
    write_wkb(g, &mut wkb);
    let mut e = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    g.for_each_point(&mut |[x, y]| {
        e = [e[0].min(x), e[1].max(x), e[2].min(y), e[3].max(y)];
    });
    *bounds = [
        bounds[0].min(e[0]),
        bounds[1].min(e[2]),
        bounds[2].max(e[1]),
        bounds[3].max(e[3]),
    ];
    let mut b = Vec::with_capacity(8 + 32 + wkb.len());
    b.extend_from_slice(b"GP");
    b.push(0);
    b.push(0b0000_0011);
    b.extend_from_slice(&4326i32.to_le_bytes());
    for v in e {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&wkb);
    b
}

/// The `blocks` layer: every feature of the staged `blocks.geojson`.
fn blocks_layer(blocks_geojson: &Path) -> Result<Layer> {
    let mut layer = Layer::new("blocks", "GEOMETRY");
    FeatureStream::new(blocks_geojson, ReadOptions::default()).texts(|first, texts| {
        for (k, text) in texts.into_iter().enumerate() {
            let feature: Value = serde_json::from_slice(text).map_err(|e| Error::Json {
                location: crate::error::Location::feature(blocks_geojson, first + k, None),
                message: e.to_string(),
            })?;
            let geom = Geom::from_geojson(&feature["geometry"]);
            let props = match feature.get("properties") {
                Some(Value::Object(p)) => p.clone(),
                _ => serde_json::Map::new(),
            };
            layer.push(geom, props);
        }
        Ok(())
    })?;
    Ok(layer)
}

/// The `stations` layer: the rows of `stations.csv`, each a point at its `lon`, `lat`.
fn stations_layer(stations_csv: &str) -> Layer {
    let mut layer = Layer::new("stations", "POINT");
    let mut reader = csv::Reader::from_reader(stations_csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_owned).collect())
        .unwrap_or_default();
    for record in reader.records().flatten() {
        let mut props = serde_json::Map::new();
        for (name, cell) in header.iter().zip(record.iter()) {
            let value = if cell.is_empty() {
                Value::Null
            } else if name == "id" || name == "name" || name == "level" {
                Value::String(cell.to_owned())
            } else if let Ok(b) = cell.parse::<bool>() {
                Value::Bool(b)
            } else {
                crate::load::cell_value(cell)
            };
            props.insert(name.clone(), value);
        }
        let coord = |k: &str| props.get(k).and_then(Value::as_f64);
        let geom = coord("lon")
            .zip(coord("lat"))
            .map(|(x, y)| Geom::Point([x, y]));
        layer.push(geom, props);
    }
    layer
}
