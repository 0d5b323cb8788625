//! Inputs in other formats than GeoJSON, and in web-map coordinates. The fixtures are made here,
//! from the shipped data (`data/shihua`, `data/helsinki`), in a temporary folder: the blocks as a
//! Shapefile (Shihua's `.dbf` in GBK, without `.cpg`) and a GeoPackage, the point stations as CSV
//! (UTF-8 with BOM, and GBK) and `.xlsx`. Each must give the `summary.json` of the GeoJSON.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Map, Value};

use crate::common::repo;

fn features(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["features"].as_array().unwrap().clone()
}

/// The Point stations of `path`, as a GeoJSON file and as rows (id, name, level, lon, lat).
fn point_stations(path: &Path, dir: &Path) -> (PathBuf, Vec<[String; 5]>) {
    let points: Vec<Value> = features(path)
        .into_iter()
        .filter(|f| f["geometry"]["type"] == "Point")
        .collect();
    let out = dir.join("points.geojson");
    let fc = serde_json::json!({"type": "FeatureCollection", "features": points});
    std::fs::write(&out, fc.to_string()).unwrap();
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let rows = points
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            let p = &f["properties"];
            [
                text(&p["id"]),
                text(&p["name"]),
                text(&p["level"]),
                text(&c[0]),
                text(&c[1]),
            ]
        })
        .collect();
    (out, rows)
}

fn csv_text(rows: &[[String; 5]]) -> String {
    let mut s = "id,name,level,经度,纬度\n".to_owned();
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

fn write_xlsx(rows: &[[String; 5]], path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("站点").unwrap();
    for (c, h) in ["id", "name", "level", "Longitude", "Latitude"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for c in 0..3 {
            sheet.write_string(r, c, &row[c as usize]).unwrap();
        }
        sheet
            .write_number(r, 3, row[3].parse::<f64>().unwrap())
            .unwrap();
        sheet
            .write_number(r, 4, row[4].parse::<f64>().unwrap())
            .unwrap();
    }
    book.save(path).unwrap();
}

/// Writes the Polygon blocks of `from` as a Shapefile whose `.dbf` is in `encoding`, keeping
/// the properties whose names fit in 10 characters.
fn write_shapefile(from: &Path, shp: &Path, encoding: &'static encoding_rs::Encoding) {
    use dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    use shapefile::{Point, Polygon, PolygonRing};
    let feats = features(from);
    let props = feats[0]["properties"].as_object().unwrap().clone();
    let keys: Vec<String> = props.keys().filter(|k| k.len() <= 10).cloned().collect();
    let numeric = |k: &str| feats.iter().all(|f| f["properties"][k].is_number());
    let mut table = TableWriterBuilder::with_encoding(dbase::encoding::EncodingRs::from(encoding));
    for k in &keys {
        let name = FieldName::try_from(k.as_str()).unwrap();
        table = if numeric(k) {
            table.add_numeric_field(name, 18, 3)
        } else {
            table.add_character_field(name, 80)
        };
    }
    let mut w = shapefile::Writer::from_path(shp, table).unwrap();
    for f in &feats {
        let rings = f["geometry"]["coordinates"].as_array().unwrap();
        let ring = |r: &Value, outer: bool| {
            let pts: Vec<Point> = r
                .as_array()
                .unwrap()
                .iter()
                .map(|p| Point::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            if outer {
                PolygonRing::Outer(pts)
            } else {
                PolygonRing::Inner(pts)
            }
        };
        let poly = Polygon::with_rings(
            rings
                .iter()
                .enumerate()
                .map(|(i, r)| ring(r, i == 0))
                .collect(),
        );
        let mut record = Record::default();
        for k in &keys {
            let v = &f["properties"][k.as_str()];
            let value = match v {
                Value::Number(n) if numeric(k) => FieldValue::Numeric(n.as_f64()),
                Value::String(s) => FieldValue::Character(Some(s.clone())),
                Value::Null => FieldValue::Character(None),
                other => FieldValue::Character(Some(other.to_string())),
            };
            record.insert(k.clone(), value);
        }
        w.write_shape_and_record(&poly, &record).unwrap();
    }
}

/// Writes the features of `from` as GeoPackage layer `layer` (SRS 4326), the way GDAL does:
/// an `fid` key, a `geom` column of GeoPackage header + WKB, one column per property.
fn write_gpkg(from: &Path, gpkg: &Path, layer: &str, srs: i64) {
    let feats = features(from);
    let keys: Vec<String> = feats[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let db = rusqlite::Connection::open(gpkg).unwrap();
    db.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, \
         organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, \
         definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS[]', NULL);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / UTM zone 51N', 32651, 'EPSG', 32651, 'PROJCS[]', NULL);
         CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, \
         identifier TEXT, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, \
         geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);",
    )
    .unwrap();
    db.execute(
        "INSERT INTO gpkg_contents VALUES (?1, 'features', ?1, ?2)",
        rusqlite::params![layer, srs],
    )
    .unwrap();
    db.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'GEOMETRY', ?2, 0, 0)",
        rusqlite::params![layer, srs],
    )
    .unwrap();
    let cols: String = keys.iter().map(|k| format!(", \"{k}\"")).collect();
    db.execute(
        &format!("CREATE TABLE \"{layer}\" (fid INTEGER PRIMARY KEY, geom BLOB{cols})"),
        [],
    )
    .unwrap();
    let marks: String = (0..keys.len()).map(|i| format!(", ?{}", i + 2)).collect();
    let sql = format!("INSERT INTO \"{layer}\" VALUES (NULL, ?1{marks})");
    for f in &feats {
        let mut blob = b"GP\x00\x01".to_vec();
        blob.extend_from_slice(&(srs as i32).to_le_bytes());
        wkb_polygon(&f["geometry"]["coordinates"], &mut blob);
        let mut values: Vec<rusqlite::types::Value> = vec![blob.into()];
        for k in &keys {
            values.push(match &f["properties"][k.as_str()] {
                Value::Number(n) if n.is_i64() => n.as_i64().unwrap().into(),
                Value::Number(n) => n.as_f64().unwrap().into(),
                Value::String(s) => s.clone().into(),
                _ => rusqlite::types::Value::Null,
            });
        }
        db.execute(&sql, rusqlite::params_from_iter(values))
            .unwrap();
    }
}

fn wkb_polygon(rings: &Value, o: &mut Vec<u8>) {
    o.push(1);
    o.extend_from_slice(&3u32.to_le_bytes());
    let rings = rings.as_array().unwrap();
    o.extend_from_slice(&(rings.len() as u32).to_le_bytes());
    for r in rings {
        let r = r.as_array().unwrap();
        o.extend_from_slice(&(r.len() as u32).to_le_bytes());
        for p in r {
            o.extend_from_slice(&p[0].as_f64().unwrap().to_le_bytes());
            o.extend_from_slice(&p[1].as_f64().unwrap().to_le_bytes());
        }
    }
}

/// `walkshed coverage` with `args`, into `out`; its summary without the input names and files.
fn summary(args: &[&str], out: &Path) -> Map<String, Value> {
    let mut cmd = Command::cargo_bin("walkshed").unwrap();
    cmd.arg("coverage")
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("-q");
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("summary.json")).unwrap();
    let mut s: Map<String, Value> = serde_json::from_str(&text).unwrap();
    s.remove("inputs");
    s.remove("files");
    s
}

/// `walkshed coverage` with `args`, into `out`, which must fail without creating `out`; its
/// error message.
fn fails(args: &[&str], out: &Path) -> String {
    let mut cmd = Command::cargo_bin("walkshed").unwrap();
    cmd.arg("coverage")
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("-q");
    let o = cmd.output().unwrap();
    assert!(!o.status.success());
    assert!(!out.exists(), "no partial output: {} exists", out.display());
    String::from_utf8_lossy(&o.stderr).trim().to_owned()
}

/// The `walkshed-input-*` copies in the folder `tmp`.
fn input_copies(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("walkshed-input-"))
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_format_gives_the_summary_of_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let (points, rows) = point_stations(&shihua.join("stations.geojson"), d);
    let blocks = shihua.join("blocks.geojson");
    let args = [
        "--minutes",
        "5,10,15",
        "--group-by",
        "committee",
        "--outputs",
        "summary",
    ];
    let run = |stations: &Path, blocks: &Path, name: &str, extra: &[&str]| {
        let mut a = vec!["--stations", s(stations), "--blocks", s(blocks)];
        a.extend(args);
        a.extend(extra);
        summary(&a, &d.join(name))
    };
    let reference = run(&points, &blocks, "ref", &[]);

    let utf8 = d.join("stations.csv");
    std::fs::write(&utf8, format!("\u{feff}{}", csv_text(&rows))).unwrap();
    let gbk = d.join("stations-gbk.csv");
    std::fs::write(&gbk, encoding_rs::GBK.encode(&csv_text(&rows)).0).unwrap();
    let xlsx = d.join("stations.xlsx");
    write_xlsx(&rows, &xlsx);
    let shp = d.join("blocks.shp");
    write_shapefile(&blocks, &shp, encoding_rs::GBK);
    let gpkg = d.join("blocks.gpkg");
    write_gpkg(&blocks, &gpkg, "blocks", 4326);

    assert_eq!(run(&utf8, &blocks, "csv", &[]), reference);
    assert_eq!(run(&gbk, &blocks, "gbk", &[]), reference);
    assert_eq!(
        run(&gbk, &blocks, "gbk-forced", &["--encoding", "gbk"]),
        reference
    );
    let sheet = PathBuf::from(format!("{}:站点", s(&xlsx)));
    assert_eq!(run(&sheet, &blocks, "xlsx", &[]), reference);
    assert_eq!(run(&points, &shp, "shp", &[]), reference);
    assert_eq!(run(&points, &gpkg, "gpkg", &[]), reference);

    // Helsinki's blocks as a UTF-8 Shapefile with a .cpg, and as a GeoPackage.
    let helsinki = repo("data/helsinki");
    let (hpoints, _) = point_stations(&helsinki.join("stations.geojson"), &d.join(""));
    let hblocks = helsinki.join("blocks.geojson");
    let hshp = d.join("helsinki.shp");
    write_shapefile(&hblocks, &hshp, encoding_rs::UTF_8);
    std::fs::write(d.join("helsinki.cpg"), "UTF-8").unwrap();
    let hgpkg = d.join("helsinki.gpkg");
    write_gpkg(&hblocks, &hgpkg, "blocks", 4326);
    let hargs = ["--group-by", "district", "--outputs", "summary"];
    let hrun = |blocks: &Path, name: &str| {
        let mut a = vec!["--stations", s(&hpoints), "--blocks", s(blocks)];
        a.extend(hargs);
        summary(&a, &d.join(name))
    };
    let href = hrun(&hblocks, "href");
    assert_eq!(hrun(&hshp, "hshp"), href);
    assert_eq!(hrun(&hgpkg, "hgpkg"), href);
}

#[test]
fn blocks_geojson_echoes_a_shapefile_s_properties() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let shp = d.join("blocks.shp");
    write_shapefile(&shihua.join("blocks.geojson"), &shp, encoding_rs::GBK);
    let stations = shihua.join("stations.geojson");
    let out = d.join("out");
    let a = [
        "--stations",
        s(&stations),
        "--blocks",
        s(&shp),
        "--outputs",
        "summary,blocks",
    ];
    summary(&a, &out);
    let blocks = features(&out.join("blocks.geojson"));
    assert_eq!(blocks.len(), 491);
    assert_eq!(blocks[0]["properties"]["committee"], "第21居委会");
    assert_eq!(blocks[0]["properties"]["population"], 78);
    assert!(
        blocks[0]["properties"]["ws_covered_5"].is_boolean(),
        "{}",
        blocks[0]
    );
}

#[test]
fn web_map_coordinates_are_converted_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let (points, rows) = point_stations(&shihua.join("stations.geojson"), d);
    let blocks = shihua.join("blocks.geojson");
    let moved: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            let p = [r[3].parse().unwrap(), r[4].parse().unwrap()];
            let q = walkshed::Coords::Gcj02.from_wgs84(p);
            [
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                q[0].to_string(),
                q[1].to_string(),
            ]
        })
        .collect();
    let gcj = d.join("amap.csv");
    std::fs::write(&gcj, csv_text(&moved)).unwrap();
    let a = |st: &Path| {
        vec![
            "--stations".to_owned(),
            s(st).to_owned(),
            "--blocks".to_owned(),
            s(&blocks).to_owned(),
        ]
    };
    let reference = summary(
        &a(&points).iter().map(String::as_str).collect::<Vec<_>>(),
        &d.join("ref"),
    );
    let mut args = a(&gcj);
    args.extend(["--stations-coords".to_owned(), "gcj02".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let converted = summary(&args, &d.join("gcj"));
    assert_eq!(
        converted["coverage"][0]["covered_population"],
        reference["coverage"][0]["covered_population"]
    );
    let text = std::fs::read_to_string(d.join("gcj/summary.json")).unwrap();
    let full: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        full["inputs"]["converted"],
        serde_json::json!(["stations: gcj02 → wgs84"])
    );
    // Read without conversion, the stations are some 500 m off: coverage changes.
    let off = summary(&args[..4], &d.join("off"));
    assert_ne!(off["coverage"], reference["coverage"]);

    // walkshed convert writes the WGS84 GeoJSON once.
    let fixed = d.join("fixed.geojson");
    Command::cargo_bin("walkshed")
        .unwrap()
        .args(["convert", s(&gcj), s(&fixed), "--from", "gcj02"])
        .assert()
        .success();
    let f = features(&fixed);
    let back = [
        f[0]["geometry"]["coordinates"][0].as_f64().unwrap(),
        f[0]["geometry"]["coordinates"][1].as_f64().unwrap(),
    ];
    let orig: [f64; 2] = [rows[0][3].parse().unwrap(), rows[0][4].parse().unwrap()];
    assert!((back[0] - orig[0]).abs() < 1e-7 && (back[1] - orig[1]).abs() < 1e-7);
    assert_eq!(f[0]["properties"]["name"], rows[0][1].as_str());
}

#[test]
fn capacity_is_read_with_the_stations_read_options() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let (points, rows) = point_stations(&shihua.join("stations.geojson"), d);
    // The GeoJSON stations with a capacity each, and the same as a CSV whose coordinate
    // columns have names walkshed does not know.
    let mut fc: Value = serde_json::from_str(&std::fs::read_to_string(&points).unwrap()).unwrap();
    let features = fc["features"].as_array_mut().unwrap();
    let mut csv = "id,name,level,东,北,staff\n".to_owned();
    for (i, (f, r)) in features.iter_mut().zip(&rows).enumerate() {
        let staff = 3 + i % 5;
        f["properties"]["staff"] = staff.into();
        csv.push_str(&format!("{},{staff}\n", r.join(",")));
    }
    std::fs::write(&points, fc.to_string()).unwrap();
    let table = d.join("stations.csv");
    std::fs::write(&table, csv).unwrap();
    let blocks = shihua.join("blocks.geojson");
    let args = |stations: &Path| -> Vec<String> {
        let mut a: Vec<String> = ["--stations", s(stations), "--blocks", s(&blocks)]
            .map(str::to_owned)
            .to_vec();
        a.extend(["--capacity", "staff", "--outputs", "summary"].map(str::to_owned));
        a
    };
    let run = |a: Vec<String>, name: &str| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        summary(&a, &d.join(name))
    };
    let reference = run(args(&points), "ref");
    assert!(reference.contains_key("capacity"), "{reference:?}");
    let mut a = args(&table);
    a.extend(["--lon-column", "东", "--lat-column", "北"].map(str::to_owned));
    assert_eq!(run(a, "csv"), reference);
}

#[test]
fn converted_copies_are_removed_after_a_run_and_after_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tmp = d.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let shihua = repo("data/shihua");
    let (_, rows) = point_stations(&shihua.join("stations.geojson"), d);
    let stations = d.join("stations.csv");
    std::fs::write(&stations, csv_text(&rows)).unwrap();
    let shp = d.join("blocks.shp");
    write_shapefile(&shihua.join("blocks.geojson"), &shp, encoding_rs::GBK);
    let coverage = |extra: &[&str], out: &str| {
        let mut cmd = Command::cargo_bin("walkshed").unwrap();
        cmd.env("TMPDIR", &tmp)
            .arg("coverage")
            .args(["--stations", s(&stations), "--blocks", s(&shp)])
            .args(extra)
            .arg("--out")
            .arg(d.join(out))
            .arg("-q");
        cmd.output().unwrap()
    };
    // Every output, blocks.geojson (echoed from the blocks' copy) among them.
    let o = coverage(&["--outputs", "all"], "out");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join("out/blocks.geojson").is_file());
    assert_eq!(input_copies(&tmp), Vec::<String>::new());
    // A failure after both copies are made (no station has the capacity field).
    let o = coverage(&["--capacity", "staff"], "failed");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("staff"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(input_copies(&tmp), Vec::<String>::new());
    // A failure while a copy is being written (text in a longitude).
    std::fs::write(&stations, "id,lon,lat\na,121.3,30.7\nb,x,30.7\n").unwrap();
    let o = coverage(&[], "failed");
    assert!(!o.status.success());
    assert_eq!(input_copies(&tmp), Vec::<String>::new());
}

#[test]
fn bad_inputs_name_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let stations = shihua.join("stations.geojson");
    let blocks = shihua.join("blocks.geojson");
    let out = d.join("out");
    let with_blocks = |b: &Path| fails(&["--stations", s(&stations), "--blocks", s(b)], &out);
    let with_stations = |st: &Path| fails(&["--stations", s(st), "--blocks", s(&blocks)], &out);

    let shp = d.join("nodbf.shp");
    write_shapefile(&blocks, &shp, encoding_rs::UTF_8);
    std::fs::remove_file(d.join("nodbf.dbf")).unwrap();
    let e = with_blocks(&shp);
    assert!(
        e.contains(&format!("{}: no attribute table", s(&shp))),
        "{e}"
    );

    let prj = d.join("utm.shp");
    write_shapefile(&blocks, &prj, encoding_rs::UTF_8);
    std::fs::write(
        d.join("utm.prj"),
        "PROJCS[\"WGS_1984_UTM_Zone_51N\",GEOGCS[\"GCS_WGS_1984\"]]",
    )
    .unwrap();
    let e = with_blocks(&prj);
    assert!(
        e.contains("unsupported crs \"WGS_1984_UTM_Zone_51N\""),
        "{e}"
    );
    assert!(e.contains("utm.prj"), "{e}");

    let gpkg = d.join("utm.gpkg");
    write_gpkg(&blocks, &gpkg, "blocks", 32651);
    let e = with_blocks(&gpkg);
    assert!(
        e.contains(
            "unsupported crs \"EPSG:32651 (WGS 84 / UTM zone 51N) of layer \\\"blocks\\\"\""
        ),
        "{e}"
    );

    let nocols = d.join("nocols.csv");
    std::fs::write(&nocols, "id,east,north\na,121.3,30.7\n").unwrap();
    let e = with_stations(&nocols);
    assert!(
        e.contains(&format!("{}, header: no longitude column", s(&nocols))),
        "{e}"
    );

    let text = d.join("text.csv");
    std::fs::write(&text, "id,lon,lat\na,121.3,30.7\nb,东经121度,30.7\n").unwrap();
    let e = with_stations(&text);
    assert_eq!(
        e,
        format!(
            "error: {}, line 3, column \"lon\": expected a number of degrees, found \"东经121度\"",
            s(&text)
        )
    );

    let xlsx = d.join("s.xlsx");
    write_xlsx(&[], &xlsx);
    let e = with_stations(&PathBuf::from(format!("{}:Sheet9", s(&xlsx))));
    assert_eq!(
        e,
        format!(
            "error: {}, sheet \"Sheet9\": no such sheet; the workbook has \"站点\"",
            s(&xlsx)
        )
    );

    let kml = d.join("s.kml");
    std::fs::write(&kml, "<kml/>").unwrap();
    let e = with_stations(&kml);
    assert!(
        e.contains("unsupported format; walkshed reads GeoJSON"),
        "{e}"
    );
}

/// A GDAL command-line tool, or `None` (with a message) where GDAL is not installed; in CI
/// (`CI` set) a missing tool fails the test instead: `.ci/run` installs Debian's `gdal-bin`.
fn gdal(tool: &str) -> Option<std::process::Command> {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(std::process::Command::new(tool));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} (Debian gdal-bin) is required in CI"
    );
    eprintln!("skipped: {tool} not found (install gdal-bin to run this test)");
    None
}

fn run_tool(mut cmd: std::process::Command) -> String {
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn gpkg_output_opens_in_gdal_with_every_field_name() {
    let Some(mut ogrinfo) = gdal("ogrinfo") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let out = d.join("out");
    let common = ["--minutes", "5,10,15", "--group-by", "committee"];
    let mut a = vec![
        "--stations",
        "../stations.geojson",
        "--blocks",
        "../blocks.geojson",
    ];
    let stations = shihua.join("stations.geojson");
    let blocks = shihua.join("blocks.geojson");
    a[1] = s(&stations);
    a[3] = s(&blocks);
    a.extend(common);
    let mut with_gpkg = a.clone();
    with_gpkg.extend(["--format", "gpkg", "--outputs", "summary"]);
    summary(&with_gpkg, &out);
    let gpkg = out.join("walkshed.gpkg");
    ogrinfo.arg("-al").arg("-so").arg(&gpkg);
    let info = run_tool(ogrinfo);
    for expected in [
        "Layer name: blocks",
        "Layer name: stations",
        "Feature Count: 491",
        "committee: String",
        "population: Integer",
        "ws_station: String",
        "ws_distance_m: Real",
        "ws_covered_5: Integer(Boolean)",
        "ws_covered_10: Integer(Boolean)",
        "ws_covered_15: Integer(Boolean)",
        "load_population: ",
        "load_blocks: Integer",
        "ID[\"EPSG\",4326]",
    ] {
        assert!(info.contains(expected), "{expected:?} not in\n{info}");
    }
    // Every blocks feature and property, as blocks.geojson has them.
    let Some(mut ogr2ogr) = gdal("ogr2ogr") else {
        return;
    };
    let back = d.join("back.geojson");
    ogr2ogr
        .args(["-f", "GeoJSON"])
        .arg(&back)
        .arg(&gpkg)
        .arg("blocks");
    run_tool(ogr2ogr);
    let geojson = features(&out.join("blocks.geojson"));
    let read = features(&back);
    assert_eq!(read.len(), geojson.len());
    for (r, g) in read.iter().zip(&geojson) {
        let r = r["properties"].as_object().unwrap();
        for (k, v) in g["properties"].as_object().unwrap() {
            let got = r.get(k).unwrap_or(&Value::Null);
            match v {
                Value::Number(n) => {
                    assert!(
                        (got.as_f64().unwrap() - n.as_f64().unwrap()).abs() < 1e-9,
                        "{k}"
                    )
                }
                _ => assert_eq!(got, v, "{k}"),
            }
        }
    }
    // walkshed reads its own GeoPackage back as blocks.
    let mut again = a.clone();
    let layer = format!("{}:blocks", s(&gpkg));
    again[3] = &layer;
    again.extend(["--outputs", "summary"]);
    a.extend(["--outputs", "summary"]);
    assert_eq!(
        summary(&again, &d.join("again")),
        summary(&a, &d.join("ref"))
    );
}

#[test]
fn files_written_by_gdal_give_the_summary_of_geojson() {
    let Some(mut to_shp) = gdal("ogr2ogr") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let blocks = shihua.join("blocks.geojson");
    let (points, _) = point_stations(&shihua.join("stations.geojson"), d);
    // Blocks: a Shapefile with a GBK .dbf (as ArcGIS in China writes it) and a GeoPackage.
    let shp = d.join("blocks.shp");
    to_shp
        .args(["-f", "ESRI Shapefile", "-lco", "ENCODING=CP936"])
        .arg(&shp)
        .arg(&blocks);
    run_tool(to_shp);
    let gpkg = d.join("blocks.gpkg");
    let mut to_gpkg = gdal("ogr2ogr").unwrap();
    to_gpkg.args(["-f", "GPKG"]).arg(&gpkg).arg(&blocks);
    run_tool(to_gpkg);
    // Stations: a CSV with X and Y columns.
    let csv = d.join("stations.csv");
    let mut to_csv = gdal("ogr2ogr").unwrap();
    to_csv
        .args(["-f", "CSV", "-lco", "GEOMETRY=AS_XY"])
        .arg(&csv)
        .arg(&points);
    run_tool(to_csv);
    let args = ["--minutes", "5,10,15", "--group-by", "committee"];
    let run = |stations: &Path, blocks: &Path, name: &str| {
        let mut a = vec!["--stations", s(stations), "--blocks", s(blocks)];
        a.extend(args);
        summary(&a, &d.join(name))
    };
    let reference = run(&points, &blocks, "ref");
    assert_eq!(run(&points, &shp, "shp"), reference);
    assert_eq!(run(&points, &gpkg, "gpkg"), reference);
    assert_eq!(run(&csv, &blocks, "csv"), reference);
    // Without its .cpg, the GBK .dbf is recognised as GBK.
    std::fs::remove_file(d.join("blocks.cpg")).unwrap();
    assert_eq!(run(&points, &shp, "shp-no-cpg"), reference);
}

#[test]
fn excel_csv_tables_begin_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let stations = shihua.join("stations.geojson");
    let blocks = shihua.join("blocks.geojson");
    let mut a = vec![
        "--stations",
        s(&stations),
        "--blocks",
        s(&blocks),
        "--group-by",
        "committee",
        "--outputs",
        "summary,stations,walk-time",
    ];
    summary(&a, &d.join("plain"));
    a.push("--excel");
    summary(&a, &d.join("excel"));
    for table in ["stations.csv", "groups.csv", "walk_time.csv"] {
        let plain = std::fs::read(d.join("plain").join(table)).unwrap();
        let excel = std::fs::read(d.join("excel").join(table)).unwrap();
        assert_eq!(&excel[..3], b"\xef\xbb\xbf", "{table}");
        assert_eq!(&excel[3..], &plain[..], "{table}");
        assert_ne!(&plain[..3], b"\xef\xbb\xbf", "{table}");
    }
}

#[test]
fn context_and_candidate_coordinates_are_converted_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shihua = repo("data/shihua");
    let stations = shihua.join("stations.geojson");
    let blocks = shihua.join("blocks.geojson");
    let boundary = shihua.join("boundary.geojson");
    let run = |extra: &[&str], name: &str| {
        let out = d.join(name);
        let mut cmd = Command::cargo_bin("walkshed").unwrap();
        cmd.arg("coverage")
            .args(["--stations", s(&stations), "--blocks", s(&blocks)])
            .args(["--context", s(&boundary), "--outputs", "summary,maps"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .arg("-q");
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let svg = std::fs::read_to_string(out.join("gaps.svg")).unwrap();
        (summary["inputs"]["converted"].clone(), svg)
    };
    let (none, plain) = run(&[], "wgs84");
    assert_eq!(none, Value::Null);
    let (converted, moved) = run(&["--context-coords", "gcj02"], "gcj02");
    assert_eq!(converted, serde_json::json!(["context: gcj02 → wgs84"]));
    assert_ne!(plain, moved, "the boundary is drawn where its WGS84 lies");

    // A candidate file in BD-09: its sites land where the WGS84 file's do.
    let candidates = d.join("candidates.geojson");
    let bd09 = d.join("candidates-bd09.geojson");
    let sites = [
        [121.34137, 30.7276],
        [121.3100, 30.7150],
        [121.3300, 30.7050],
    ];
    let collection = |convert: &dyn Fn([f64; 2]) -> [f64; 2]| {
        let features: Vec<Value> = sites
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let [x, y] = convert(p);
                serde_json::json!({"type": "Feature", "properties": {"id": format!("c{i}")},
                    "geometry": {"type": "Point", "coordinates": [x, y]}})
            })
            .collect();
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
    };
    std::fs::write(&candidates, collection(&|p| p)).unwrap();
    std::fs::write(&bd09, collection(&|p| walkshed::Coords::Bd09.from_wgs84(p))).unwrap();
    let suggest = |file: &Path, extra: &[&str], name: &str| {
        let out = d.join(name);
        let mut cmd = Command::cargo_bin("walkshed").unwrap();
        cmd.arg("suggest")
            .args(["--stations", s(&stations), "--blocks", s(&blocks)])
            .args([
                "--candidates",
                s(file),
                "--count",
                "2",
                "--outputs",
                "summary",
            ])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .arg("-q");
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut summary: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let converted = summary["inputs"]["converted"].take();
        (summary["suggest"].take(), converted)
    };
    let (wgs84, _) = suggest(&candidates, &[], "s-wgs84");
    let (from_bd09, recorded) = suggest(&bd09, &["--candidates-coords", "bd09"], "s-bd09");
    assert_eq!(recorded, serde_json::json!(["candidates: bd09 → wgs84"]));
    let picks = |s: &Value| -> Vec<(Value, Value)> {
        s["picks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["candidate"].clone(), p["gain_population"].clone()))
            .collect()
    };
    assert_eq!(picks(&wgs84).len(), 2);
    assert_eq!(picks(&wgs84), picks(&from_bd09));
}
