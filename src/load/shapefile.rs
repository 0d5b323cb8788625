//! The Shapefile reader: the `.shp` geometries with the `.dbf` attributes, decoded by the
//! `.cpg` code page (else by `--encoding`, else detected), and the `.prj` checked.

use std::io::{BufReader, Write};
use std::path::Path;

use dbase::{FieldValue, ReaderBuilder};
use serde_json::{Map, Value};
use shapefile::record::polygon::GenericPolygon;
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, Shape, ShapeReader};

use super::copy::{FeatureWriter, Geom};
use super::{InputOptions, TextEncoding};
use crate::error::{Error, Location, Result};

/// Writes the features of the Shapefile `path` (`.shp`, with its `.dbf` beside it).
pub(super) fn read<W: Write>(
    path: &Path,
    options: &InputOptions,
    out: &mut FeatureWriter<W>,
) -> Result<()> {
    check_prj(path)?;
    let dbf = path.with_extension("dbf");
    if !dbf.is_file() {
        return Err(Error::input(
            path,
            None,
            format!(
                "no attribute table {} beside it; a Shapefile is read with its .dbf (and .shx)",
                dbf.display()
            ),
        ));
    }
    let encoding = dbf_encoding(path, &dbf, options)?;
    let broken = |e: &dyn std::fmt::Display, what: &Path| {
        Error::input(what, None, format!("cannot read the Shapefile: {e}"))
    };
    let mut shapes = ShapeReader::from_path(path).map_err(|e| broken(&e, path))?;
    let file = std::fs::File::open(&dbf).map_err(|source| Error::Read {
        path: dbf.clone(),
        source,
    })?;
    let mut table = ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding.encoding()))
        .build(BufReader::new(file))
        .map_err(|e| broken(&e, &dbf))?;
    let names: Vec<String> = table.fields().iter().map(|f| f.name().to_owned()).collect();
    let mut records = table.iter_records();
    for (index, shape) in shapes.iter_shapes().enumerate() {
        let shape = shape.map_err(|e| broken(&e, path))?;
        let place = || Some(format!("record {}", index + 1));
        let record = match records.next() {
            Some(r) => r.map_err(|e| Error::input(&dbf, place(), e.to_string()))?,
            None => {
                return Err(Error::input(
                    &dbf,
                    place(),
                    "fewer records than shapes in the .shp",
                ))
            }
        };
        let mut props = Map::new();
        for name in &names {
            let v = record.get(name).map_or(Value::Null, value);
            props.insert(name.clone(), v);
        }
        let geom = geometry(shape).map_err(|found| Error::GeometryType {
            location: Location::feature(path, index, None),
            expected: "Point, MultiPoint, Polyline or Polygon",
            found,
        })?;
        out.feature(props, geom.as_ref())?;
    }
    Ok(())
}

/// The encoding of the `.dbf`: its `.cpg`, else `--encoding`, else its language driver byte
/// (0x4D–0x7A are Chinese code pages), else UTF-8 if its records are valid UTF-8, else GB18030.
fn dbf_encoding(path: &Path, dbf: &Path, options: &InputOptions) -> Result<TextEncoding> {
    if let Ok(cpg) = std::fs::read_to_string(path.with_extension("cpg")) {
        let label = cpg.trim().trim_start_matches('\u{feff}');
        return match label.parse::<TextEncoding>() {
            Ok(e) => Ok(e),
            Err(_) if label.eq_ignore_ascii_case("utf8") => Ok(TextEncoding::Utf8),
            Err(_) if options.encoding.is_some() => {
                Ok(options.encoding.unwrap_or(TextEncoding::Utf8))
            }
            Err(_) if ["ascii", "us-ascii"].contains(&label.to_ascii_lowercase().as_str()) => {
                Ok(TextEncoding::Utf8)
            }
            Err(_) => Err(Error::input(
                &path.with_extension("cpg"),
                None,
                format!(
                    "code page {label:?} is not one walkshed reads (UTF-8, GBK/GB18030); \
                     give the encoding with --encoding"
                ),
            )),
        };
    }
    if let Some(e) = options.encoding {
        return Ok(e);
    }
    let bytes = std::fs::read(dbf).map_err(|source| Error::Read {
        path: dbf.to_path_buf(),
        source,
    })?;
    let header = bytes.get(8..10).map_or(bytes.len(), |h| {
        usize::from(u16::from_le_bytes([h[0], h[1]]))
    });
    if bytes.get(29) == Some(&0x4d) || bytes.get(29) == Some(&0x7a) {
        return Ok(TextEncoding::Gb18030);
    }
    Ok(TextEncoding::detect(
        bytes.get(header..).unwrap_or_default(),
    ))
}

/// Fails unless the `.prj` beside `path`, if any, is geographic WGS84 or CGCS2000.
fn check_prj(path: &Path) -> Result<()> {
    let prj = path.with_extension("prj");
    let Ok(text) = std::fs::read_to_string(&prj) else {
        return Ok(());
    };
    let wkt = text.trim();
    let upper = wkt.to_ascii_uppercase();
    let geographic = upper.starts_with("GEOGCS[") || upper.starts_with("GEOGCRS[");
    let datum_ok = [
        "WGS_1984",
        "WGS 84",
        "WGS84",
        "CGCS_2000",
        "CGCS2000",
        "CHINA_2000",
        "CHINA GEODETIC COORDINATE SYSTEM 2000",
    ]
    .iter()
    .any(|d| upper.contains(d));
    if wkt.is_empty() || geographic && datum_ok {
        return Ok(());
    }
    let name = wkt
        .split('"')
        .nth(1)
        .map_or_else(|| wkt.chars().take(60).collect(), str::to_owned);
    Err(Error::Crs {
        location: Location::file(&prj),
        name,
    })
}

/// A shape as a geometry: polygons counter-clockwise outside (RFC 7946), each outer ring with the
/// holes that follow it; the type's name when it is not one walkshed reads.
fn geometry(shape: Shape) -> std::result::Result<Option<Geom>, String> {
    fn xy<P: HasXY>(p: &P) -> [f64; 2] {
        [p.x(), p.y()]
    }
    fn polygons<P: HasXY>(poly: &GenericPolygon<P>) -> Geom {
        let mut parts: Vec<Vec<Vec<[f64; 2]>>> = Vec::new();
        for ring in poly.rings() {
            let points: Vec<[f64; 2]> = ring.points().iter().rev().map(xy).collect();
            match (ring, parts.last_mut()) {
                (PolygonRing::Inner(_), Some(last)) => last.push(points),
                _ => parts.push(vec![points]),
            }
        }
        match parts.len() {
            1 => Geom::Polygon(parts.remove(0)),
            _ => Geom::MultiPolygon(parts),
        }
    }
    fn lines<P: HasXY>(parts: &[Vec<P>]) -> Geom {
        let mut l: Vec<Vec<[f64; 2]>> = parts.iter().map(|p| p.iter().map(xy).collect()).collect();
        match l.len() {
            1 => Geom::LineString(l.remove(0)),
            _ => Geom::MultiLineString(l),
        }
    }
    Ok(Some(match shape {
        Shape::NullShape => return Ok(None),
        Shape::Point(p) => Geom::Point(xy(&p)),
        Shape::PointM(p) => Geom::Point(xy(&p)),
        Shape::PointZ(p) => Geom::Point(xy(&p)),
        Shape::Multipoint(m) => Geom::MultiPoint(m.points().iter().map(xy).collect()),
        Shape::MultipointM(m) => Geom::MultiPoint(m.points().iter().map(xy).collect()),
        Shape::MultipointZ(m) => Geom::MultiPoint(m.points().iter().map(xy).collect()),
        Shape::Polyline(l) => lines(l.parts()),
        Shape::PolylineM(l) => lines(l.parts()),
        Shape::PolylineZ(l) => lines(l.parts()),
        Shape::Polygon(p) => polygons(&p),
        Shape::PolygonM(p) => polygons(&p),
        Shape::PolygonZ(p) => polygons(&p),
        Shape::Multipatch(_) => return Err("Multipatch".to_owned()),
    }))
}

/// A `.dbf` value as a property: whole numbers as integers.
fn value(v: &FieldValue) -> Value {
    let number = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 9e15 {
            Value::from(x as i64)
        } else {
            serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
        }
    };
    match v {
        FieldValue::Character(s) => s.as_ref().map_or(Value::Null, |s| s.trim_end().into()),
        FieldValue::Memo(s) => s.as_str().into(),
        FieldValue::Numeric(x) => x.map_or(Value::Null, number),
        FieldValue::Float(x) => x.map_or(Value::Null, |x| number(f64::from(x))),
        FieldValue::Double(x) | FieldValue::Currency(x) => number(*x),
        FieldValue::Integer(n) => (*n).into(),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::from),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| {
            format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()).into()
        }),
        FieldValue::DateTime(t) => {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()).into()
        }
    }
}
