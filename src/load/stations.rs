//! The stations reader.

use std::path::Path;

use super::properties::{take_checked_id, take_id, take_text};
use super::{
    geojson_copy, geometry, FeatureStream, InputOptions, ReadOptions, Station, StationSet,
};
use crate::error::{Error, Result};

/// Reads stations: Point, MultiPoint (entrances), Polygon/MultiPolygon (reduced to centroid).
pub fn read_stations(path: &Path) -> Result<StationSet> {
    read_stations_with(path, &ReadOptions::default())
}

/// Reads stations like [`read_stations`], from a file in any format walkshed reads (see
/// [`InputOptions`]), converted to WGS84. Errors name `path`.
pub fn read_stations_from(path: &Path, input: &InputOptions) -> Result<StationSet> {
    match geojson_copy(path, input)? {
        None => read_stations(path),
        Some(copy) => {
            let mut set = read_stations(copy.path()).map_err(|e| e.with_path(copy.path(), path))?;
            set.path = path.to_path_buf();
            Ok(set)
        }
    }
}

/// Reads stations like [`read_stations`], with the given [`ReadOptions`].
pub fn read_stations_with(path: &Path, options: &ReadOptions) -> Result<StationSet> {
    let source = FeatureStream::new(path, *options);
    let stations = source.parse(&["id", "name", "level"], |i, mut raw| {
        let id = take_checked_id(path, &mut raw, i)?;
        let (kind, flat) = geometry::checked(
            path,
            i,
            &|| id.clone(),
            &raw,
            &["Point", "MultiPoint", "Polygon", "MultiPolygon"],
            "Point, MultiPoint, Polygon or MultiPolygon",
        )?;
        if let Some(p) = flat.points.iter().find(|p| p[1].abs() >= 90.0) {
            return Err(Error::Geometry {
                location: crate::error::Location::feature(path, i, id.clone()),
                message: format!(
                    "a station at a pole (latitude {}), where the local plane does not measure distances; walkshed cannot use it",
                    p[1]
                ),
            });
        }
        let from_area = kind.ends_with("Polygon");
        let entrances = if from_area {
            vec![geometry::area_centroid(flat)]
        } else {
            flat.points.clone()
        };
        let given = id.is_some();
        let station = Station {
            id: id.unwrap_or_else(|| i.to_string()),
            name: take_text(raw.props[1].take()),
            level: take_text(raw.props[2].take()),
            entrances,
            from_area,
        };
        Ok((station, given))
    })?;
    let (stations, given): (Vec<Station>, Vec<bool>) = stations.into_iter().unzip();
    if stations.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
            what: "stations",
        });
    }
    check_unique_ids(path, &stations, &given)?;
    Ok(StationSet {
        path: path.to_path_buf(),
        stations,
    })
}

/// One property of every station of a file, in file order, with the station's id as the file
/// gives it (`None` for a station without one, which [`read_stations`] names by its index, and
/// messages by "(no id)"): `None` where the feature lacks the property or it is `null`. A file in
/// another format than GeoJSON is read through its GeoJSON copy, made with `input` (the same
/// options the stations were read with: coordinate columns, encoding, sheet or layer).
pub(crate) fn station_property(
    path: &Path,
    field: &str,
    input: &InputOptions,
) -> Result<Vec<(Option<String>, Option<serde_json::Value>)>> {
    let copy = geojson_copy(path, input)?;
    let source = FeatureStream::new(
        copy.as_ref().map_or(path, |c| c.path()),
        ReadOptions::default(),
    );
    source.parse(&["id", field], |i, mut raw| {
        let id = take_id(&mut raw, i);
        let value = raw
            .props
            .get_mut(1)
            .and_then(Option::take)
            .filter(|v| !v.is_null());
        Ok((id, value))
    })
}

/// Fails on the first station whose id an earlier station has; `given` says which stations have
/// an id of their own (the others are named by their index, and "(no id)" in the message).
fn check_unique_ids(path: &Path, stations: &[Station], given: &[bool]) -> Result<()> {
    let mut seen = std::collections::HashMap::with_capacity(stations.len());
    for (i, s) in stations.iter().enumerate() {
        if let Some(&first) = seen.get(s.id.as_str()) {
            return Err(Error::DuplicateStation {
                location: crate::error::Location::feature(path, i, given[i].then(|| s.id.clone())),
                id: s.id.clone(),
                first,
            });
        }
        seen.insert(s.id.as_str(), i);
    }
    Ok(())
}
