//! The options of one coverage analysis, defined once for the command line and the batch file.
//!
//! [`CoverageOptions`] derives both `clap::Args` (`walkshed coverage --stations … --minutes …`)
//! and `serde::Deserialize` (a batch file's `[defaults]` and `[[scenario]]` tables, whose keys
//! are the long option names with underscores). Each option is one field: its doc comment is its
//! `--help` text, its default one function below used by both derives, and its check lives in
//! [`CoverageOptions::problems`]. [`CoverageOptions::job`] turns valid options into a
//! [`Job`]. A new option is one new field.
//!
//! # Examples
//!
//! ```
//! use walkshed::CoverageOptions;
//!
//! let table: toml::Table = toml::from_str("minutes = [5, 10]\nspeed = 0").unwrap();
//! let options: CoverageOptions = table.try_into().unwrap();
//! let problems: Vec<String> = options.problems(None).iter().map(|e| e.to_string()).collect();
//! assert_eq!(problems, ["invalid --speed: expected a positive finite number of metres per minute, found 0"]);
//! assert_eq!(options.missing(), ["stations", "blocks"]);
//! assert!(CoverageOptions::keys().contains(&"max_snap"));
//! ```

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

use crate::circle::CircleOptions;
use crate::config::{DEFAULT_DETOUR, DEFAULT_MAX_SNAP_M, DEFAULT_SPEED_M_PER_MIN};
use crate::coords::Coords;
use crate::error::{Error, Result};
use crate::levels::Standard;
use crate::load::{BlockFields, InputFile, InputOptions, InputSettings, TextEncoding};
use crate::render::{Lang, MapOptions, ReachStyle};
use crate::report::Outputs;
use crate::run::Job;
use crate::service_areas::ServiceGrid;
use crate::{Params, ParamsBuilder};

mod suggest;
pub use suggest::{SuggestChoice, SuggestOptions};

/// The options of one coverage analysis: `walkshed coverage`'s flags, and a batch table's keys.
///
/// Parsed values are not yet checked: [`problems`](Self::problems) lists what is wrong, and
/// [`job`](Self::job) checks and builds the job.
#[derive(Debug, Clone, PartialEq, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageOptions {
    /// Stations: GeoJSON Point/MultiPoint (entrances) or Polygon (reduced to its centroid);
    /// properties `id`, `name`, `level`.
    #[arg(long, value_name = "FILE", required = true)]
    #[serde(default, deserialize_with = "de::path")]
    pub stations: Option<PathBuf>,

    /// Extra stations laid over --stations (e.g. proposed sites); may be repeated.
    #[arg(long, value_name = "FILE")]
    #[serde(default, deserialize_with = "de::paths")]
    pub add_stations: Vec<PathBuf>,

    /// Residential blocks: GeoJSON Polygon/MultiPolygon (anchor = centroid) or Point, with a
    /// population field.
    #[arg(long, value_name = "FILE", required = true)]
    #[serde(default, deserialize_with = "de::path")]
    pub blocks: Option<PathBuf>,

    /// Walking thresholds in minutes, comma-separated, each a walk of at most 100 km at --speed
    /// [default: 5].
    #[arg(
        long,
        value_name = "MIN[,MIN…]",
        value_delimiter = ',',
        conflicts_with = "distance"
    )]
    #[serde(default, deserialize_with = "de::numbers")]
    pub minutes: Option<Vec<f64>>,

    /// Walking speed in metres per minute, from 1 to 1000; 60 m/min ≈ 3.6 km/h.
    #[arg(long, value_name = "M_PER_MIN", default_value_t = default::speed())]
    #[serde(default = "default::speed", deserialize_with = "de::number")]
    pub speed: f64,

    /// Thresholds given directly in metres, comma-separated, instead of --minutes (e.g.
    /// 300,500,1000 for GB 50180-2018's 5/10/15-minute circles), each at most 100000 (100 km);
    /// walking minutes in the outputs still use --speed.
    #[arg(long, value_name = "M[,M…]", value_delimiter = ',')]
    #[serde(default, deserialize_with = "de::numbers")]
    pub distance: Option<Vec<f64>>,

    /// Straight-line detour factor from 1 to 10 multiplying crow-fly distance to stand in for street
    /// circuity (planners often use 1.2–1.4); ignored with --network.
    #[arg(long, value_name = "FACTOR", default_value_t = default::detour())]
    #[serde(default = "default::detour", deserialize_with = "de::number")]
    pub detour: f64,

    /// Walking network: GeoJSON LineString/MultiLineString, or an OpenStreetMap .osm.pbf
    /// (filtered to ways a pedestrian may use). Distances then run along the network.
    #[arg(long, value_name = "FILE")]
    #[serde(default, deserialize_with = "de::network")]
    pub network: Option<PathBuf>,

    /// With --network: longest straight snap leg, in metres, from a station or block anchor to
    /// the nearest network edge (at most 100000); points farther away are off-network.
    #[arg(long, value_name = "M", default_value_t = default::max_snap())]
    #[serde(default = "default::max_snap", deserialize_with = "de::number")]
    pub max_snap: f64,

    /// Block property holding the population; if no block has it, every block counts 1.
    #[arg(long, value_name = "FIELD", default_value_t = default::population())]
    #[serde(default = "default::population")]
    pub population: String,

    /// Block property to report coverage by (e.g. a street/town or residential committee).
    #[arg(long, value_name = "FIELD")]
    #[serde(default)]
    pub group_by: Option<String>,

    /// The groups' name in chart titles (e.g. 居委会 for --group-by committee) [default: the
    /// --group-by field].
    #[arg(long, value_name = "NAME")]
    #[serde(default)]
    pub group_label: Option<String>,

    /// How a block counts as covered: `anchor` (its anchor is within reach) or `area` (its
    /// population times the share of its area within D/detour metres of a station, the disks
    /// drawn as 64-sided polygons; straight-line only).
    #[arg(long, value_enum, default_value_t = Measure::default())]
    #[serde(default)]
    pub measure: Measure,

    /// With --network: spacing in metres (at most 25) of the grid of points whose walking
    /// distances are contoured into service areas.
    #[arg(long, value_name = "M", default_value_t = default::service_grid())]
    #[serde(default = "default::service_grid", deserialize_with = "de::number")]
    pub service_grid: f64,

    /// What the gap map draws for the reach: `circles` (straight line: the first threshold's
    /// circle about each station; network: the streets reached) or `bands` (the service areas).
    #[arg(long, value_enum, default_value_t = ReachStyle::default())]
    #[serde(default)]
    pub reach: ReachStyle,

    /// Outputs to write, comma-separated: summary (summary.json and groups.csv), blocks
    /// (blocks.geojson), stations (stations.csv), walk-time (walk_time.csv), groups
    /// (groups.csv), maps (gaps.svg, curve.svg, groups.svg; levels.svg and capacity.svg with
    /// --levels/--capacity; change.svg with --add-stations), report (report.html),
    /// service-areas (service_areas.geojson), or all. With --add-stations, summary or groups
    /// also write change.csv (residents gained per group).
    #[arg(long, value_name = "LIST", default_value_t = default::outputs())]
    #[serde(default = "default::outputs", deserialize_with = "de::list")]
    pub outputs: String,

    /// Put station names on the gap map (labels that would overlap are skipped).
    #[arg(long)]
    #[serde(default, deserialize_with = "de::flag")]
    pub labels: bool,

    /// Context for the maps: a GeoJSON file of lines or polygons (a subdistrict boundary,
    /// committee outlines, water) drawn under the blocks in grey and named in the legend by its
    /// features' shared `name` property, else by the file name; may be repeated.
    #[arg(long, value_name = "FILE")]
    #[serde(default, deserialize_with = "de::paths")]
    pub context: Vec<PathBuf>,

    /// Also write each map and chart as a PNG at twice its size (gaps.png, curve.png, …), for
    /// Word and WPS documents; text is set in the machine's fonts (a CJK font for --lang zh).
    #[arg(long)]
    #[serde(default, deserialize_with = "de::flag")]
    pub png: bool,

    /// Turn on the level analysis: each block served at each level (sub-centre, station, point)
    /// when a station of that level or higher is within the level's reach; needs a `level` on
    /// every station (center, subcenter, station, point, or the Chinese names).
    #[arg(long)]
    #[serde(default, deserialize_with = "de::flag")]
    pub levels: bool,

    /// With --levels: the preset reaches — gb50180 (GB 50180-2018's circles: sub-centre 1000 m,
    /// station 300 m, point 300 m, centre none).
    #[arg(long, value_name = "NAME", default_value_t = default::standard())]
    #[serde(default = "default::standard")]
    pub standard: String,

    /// With --levels (or suggest --level): reaches replacing the preset's, comma-separated
    /// LEVEL=REACH, a reach being minutes at --speed (5), metres (1000m) or none; e.g.
    /// subcenter=1000m,station=5.
    #[arg(long, value_name = "LEVEL=REACH[,…]", value_delimiter = ',', value_parser = LevelReach::parse)]
    #[serde(default, deserialize_with = "de::reaches")]
    pub level_reach: Vec<LevelReach>,

    /// Station property holding each station's capacity (e.g. volunteers): a number ≥ 0 on every
    /// station. Turns on the two-step floating catchment within the first threshold.
    #[arg(long, value_name = "FIELD")]
    #[serde(default)]
    pub capacity: Option<String>,

    /// With --capacity: residents per unit of capacity beyond which a station is flagged as
    /// overloaded (e.g. 500 residents per volunteer).
    #[arg(long, value_name = "RESIDENTS")]
    #[serde(default, deserialize_with = "de::number_opt")]
    pub max_load: Option<f64>,

    /// Language of map labels and legends.
    #[arg(long, value_enum, default_value_t = Lang::default())]
    #[serde(default)]
    pub lang: Lang,

    /// Refuse suspicious data instead of warning about it: duplicate block or station ids, the
    /// same file as stations and blocks, no block near any station (default off: warn and go
    /// on).
    #[arg(long)]
    #[serde(default, deserialize_with = "de::flag")]
    pub strict: bool,

    /// Coordinates of --stations and --add-stations: wgs84 (GPS, OpenStreetMap, GIS), gcj02
    /// (Amap 高德, Tencent) or bd09 (Baidu); converted to WGS84 on reading.
    #[arg(long, value_name = "SYSTEM", default_value_t = Coords::Wgs84)]
    #[serde(default)]
    pub stations_coords: Coords,

    /// Coordinates of --blocks: wgs84, gcj02 or bd09 (as --stations-coords).
    #[arg(long, value_name = "SYSTEM", default_value_t = Coords::Wgs84)]
    #[serde(default)]
    pub blocks_coords: Coords,

    /// Coordinates of the --context layers: wgs84, gcj02 or bd09 (as --stations-coords).
    #[arg(long, value_name = "SYSTEM", default_value_t = Coords::Wgs84)]
    #[serde(default)]
    pub context_coords: Coords,

    /// Text encoding of CSV inputs and of Shapefile .dbf files without a .cpg: utf-8 or gbk
    /// (GB18030, what Excel in China writes) [default: detected: UTF-8 if the bytes are valid
    /// UTF-8, else GBK].
    #[arg(long, value_name = "ENCODING")]
    #[serde(default)]
    pub encoding: Option<TextEncoding>,

    /// Longitude column of CSV and Excel inputs [default: the column named lon, lng, long,
    /// longitude, x or 经度, any case].
    #[arg(long, value_name = "NAME")]
    #[serde(default)]
    pub lon_column: Option<String>,

    /// Latitude column of CSV and Excel inputs [default: the column named lat, latitude, y or
    /// 纬度, any case].
    #[arg(long, value_name = "NAME")]
    #[serde(default)]
    pub lat_column: Option<String>,

    /// Format of the GIS tables: geojson (blocks.geojson and CSV files), or gpkg to add
    /// walkshed.gpkg, one GeoPackage with the blocks (every input field, names intact, and the
    /// ws_* fields) and stations layers, which QGIS and ArcGIS open (it implies the blocks
    /// output).
    #[arg(long, value_enum, default_value_t = TableFormat::default())]
    #[serde(default)]
    pub format: TableFormat,

    /// Write the CSV tables (stations.csv, groups.csv, walk_time.csv) with a UTF-8 byte-order
    /// mark, so that Excel shows their Chinese text correctly when opened by a double click
    /// (default off: plain UTF-8, which scripts and other tools read as it is).
    #[arg(long)]
    #[serde(default, deserialize_with = "de::flag")]
    pub excel: bool,
}

/// The format of the GIS tables a run writes (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase", expecting = "\"geojson\" or \"gpkg\"")]
pub enum TableFormat {
    /// `blocks.geojson` and the CSV files.
    #[default]
    Geojson,
    /// Also `walkshed.gpkg` (GeoPackage): the `blocks` and `stations` layers.
    Gpkg,
}

/// Defaults, each used by the option's `clap` attribute and its `serde` attribute.
mod default {
    use super::*;

    pub fn speed() -> f64 {
        DEFAULT_SPEED_M_PER_MIN
    }

    pub fn detour() -> f64 {
        DEFAULT_DETOUR
    }

    pub fn max_snap() -> f64 {
        DEFAULT_MAX_SNAP_M
    }

    pub fn population() -> String {
        BlockFields::default().population
    }

    pub fn outputs() -> String {
        "all".to_owned()
    }

    pub fn service_grid() -> f64 {
        ServiceGrid::MAX_SPACING_M
    }

    pub fn standard() -> String {
        "gb50180".to_owned()
    }
}

/// One `LEVEL=REACH` of `--level-reach` (`station=5`, `subcenter=1000m`), as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelReach {
    /// The level, as given (`subcenter`, `实践站` …).
    pub level: String,
    /// The reach, as given: minutes (`5`), metres (`1000m`) or `none`.
    pub reach: String,
}

impl LevelReach {
    /// Reads `LEVEL=REACH`.
    pub fn parse(text: &str) -> std::result::Result<LevelReach, String> {
        match text.split_once('=') {
            Some((level, reach)) if !level.trim().is_empty() && !reach.trim().is_empty() => {
                Ok(LevelReach {
                    level: level.trim().to_owned(),
                    reach: reach.trim().to_owned(),
                })
            }
            _ => Err(format!(
                "expected LEVEL=REACH (e.g. station=5 or subcenter=1000m), found {text:?}"
            )),
        }
    }
}

/// How a block counts as covered (`--measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase", expecting = "\"anchor\" or \"area\"")]
pub enum Measure {
    /// The whole block is covered when its anchor is within reach.
    #[default]
    Anchor,
    /// The block counts the share of its area within reach (straight-line mode only).
    Area,
}

impl Default for CoverageOptions {
    /// No input files; every other option at its default.
    fn default() -> Self {
        CoverageOptions {
            stations: None,
            add_stations: Vec::new(),
            blocks: None,
            minutes: None,
            speed: default::speed(),
            distance: None,
            detour: default::detour(),
            network: None,
            max_snap: default::max_snap(),
            population: default::population(),
            group_by: None,
            measure: Measure::default(),
            service_grid: default::service_grid(),
            reach: ReachStyle::default(),
            group_label: None,
            outputs: default::outputs(),
            labels: false,
            context: Vec::new(),
            png: false,
            levels: false,
            standard: default::standard(),
            level_reach: Vec::new(),
            capacity: None,
            max_load: None,
            lang: Lang::default(),
            strict: false,
            stations_coords: Coords::Wgs84,
            blocks_coords: Coords::Wgs84,
            context_coords: Coords::Wgs84,
            encoding: None,
            lon_column: None,
            lat_column: None,
            format: TableFormat::Geojson,
            excel: false,
        }
    }
}

impl CoverageOptions {
    /// The option names as a batch file spells them (`max_snap`), in `--help` order: exactly the
    /// keys serde accepts.
    pub fn keys() -> &'static [&'static str] {
        de::field_names::<CoverageOptions>()
    }

    /// The thresholds, speed, detour and snap limit, not yet checked.
    fn params(&self) -> ParamsBuilder {
        let builder = match (&self.distance, &self.minutes) {
            (Some(metres), _) => Params::builder().distance_m(metres),
            (None, Some(minutes)) => Params::builder().minutes(minutes),
            (None, None) => Params::builder(),
        };
        builder
            .speed_m_per_min(self.speed)
            .detour(self.detour)
            .max_snap_m(self.max_snap)
    }

    /// Every problem of the options given, each an [`Error::Parameter`] naming its option
    /// (`--max-snap`); empty when [`job`](Self::job) will succeed (given the required files).
    /// Files must exist; relative paths are taken from `base_dir` when given.
    pub fn problems(&self, base_dir: Option<&Path>) -> Vec<Error> {
        let mut problems = Vec::new();
        let files = [("--stations", &self.stations), ("--blocks", &self.blocks)]
            .into_iter()
            .filter_map(|(name, p)| Some((name, p.as_ref()?)))
            .chain(self.add_stations.iter().map(|p| ("--add-stations", p)))
            .chain(self.network.iter().map(|p| ("--network", p)))
            .chain(self.context.iter().map(|p| ("--context", p)));
        for (name, path) in files {
            problems.extend(file_problem(name, &resolve(base_dir, path)));
        }
        if self.minutes.is_some() && self.distance.is_some() {
            problems.push(Error::parameter(
                "--distance",
                "give thresholds in minutes or in metres, not both",
            ));
        }
        problems.extend(self.params().problems());
        let fields = [
            ("--population", Some(&self.population)),
            ("--group-by", self.group_by.as_ref()),
            ("--group-label", self.group_label.as_ref()),
            ("--lon-column", self.lon_column.as_ref()),
            ("--lat-column", self.lat_column.as_ref()),
        ];
        for (name, field) in fields {
            if field.is_some_and(|f| f.trim().is_empty()) {
                problems.push(Error::parameter(
                    name,
                    "expected a non-empty string, found an empty one",
                ));
            }
        }
        if self.measure == Measure::Area && self.network.is_some() {
            problems.push(Error::parameter(
                "--measure",
                "area is straight-line only: area coverage along a network is not defined yet; \
                 drop --network or use --measure anchor",
            ));
        }
        if let Err(e) = ServiceGrid::new(self.service_grid) {
            problems.push(e);
        }
        if let Err(e) = Outputs::parse(&self.outputs) {
            problems.push(e);
        }
        if let Err(e) = self.standard() {
            problems.push(e);
        }
        problems.extend(self.capacity_problems());
        problems
    }

    /// The standard `--levels` measures against (and `walkshed suggest --level` takes its reach
    /// from): the preset `--standard` with `--level-reach` applied.
    pub(crate) fn standard(&self) -> Result<Standard> {
        let reaches: Vec<(&str, &str)> = self
            .level_reach
            .iter()
            .map(|r| (r.level.as_str(), r.reach.as_str()))
            .collect();
        Standard::preset(&self.standard)?.with_reaches(&reaches, self.speed)
    }

    /// What is wrong with `--capacity` and `--max-load`.
    fn capacity_problems(&self) -> Vec<Error> {
        let mut problems = Vec::new();
        if self.capacity.as_ref().is_some_and(|f| f.trim().is_empty()) {
            problems.push(Error::parameter(
                "--capacity",
                "expected a non-empty string, found an empty one",
            ));
        }
        if let Some(limit) = self.max_load {
            if !(limit.is_finite() && limit > 0.0) {
                problems.push(Error::parameter(
                    "--max-load",
                    format!("expected a positive finite number of residents per unit of capacity, found {limit}"),
                ));
            } else if self.capacity.is_none() {
                problems.push(Error::parameter(
                    "--max-load",
                    "needs --capacity (the station property holding capacity)",
                ));
            }
        }
        problems
    }

    /// The options that must be given but are not, as batch keys (`stations`, `blocks`).
    pub fn missing(&self) -> Vec<&'static str> {
        [("stations", &self.stations), ("blocks", &self.blocks)]
            .into_iter()
            .filter(|(_, p)| p.is_none())
            .map(|(key, _)| key)
            .collect()
    }

    /// The validated job writing into `out_dir`: fails with the first of
    /// [`problems`](Self::problems), or a missing required option. Relative input paths are
    /// taken from `base_dir` when given (a batch file's folder).
    pub fn job(&self, base_dir: Option<&Path>, out_dir: PathBuf) -> Result<Job> {
        if let Some(first) = self.problems(base_dir).into_iter().next() {
            return Err(first);
        }
        let required = |name: &str, path: &Option<PathBuf>| match path {
            Some(p) => Ok(resolve(base_dir, p)),
            None => Err(Error::parameter(name, "missing; an input file is needed")),
        };
        Ok(Job {
            stations: required("--stations", &self.stations)?,
            add_stations: self
                .add_stations
                .iter()
                .map(|p| resolve(base_dir, p))
                .collect(),
            blocks: required("--blocks", &self.blocks)?,
            network: self.network.as_ref().map(|p| resolve(base_dir, p)),
            fields: BlockFields {
                population: self.population.clone(),
                group_by: self.group_by.clone(),
                keep_outlines: false,
            },
            params: self.params().build()?,
            measure: self.measure,
            service_grid: ServiceGrid::new(self.service_grid)?,
            out_dir,
            outputs: Outputs {
                gpkg: self.format == TableFormat::Gpkg,
                excel: self.excel,
                ..Outputs::parse(&self.outputs)?
            }
            .with_gpkg_needs(),
            map: MapOptions {
                labels: self.labels,
                png: self.png,
                lang: self.lang,
                reach: self.reach,
                group_label: self.group_label.clone(),
                context: self.context.iter().map(|p| resolve(base_dir, p)).collect(),
                ..MapOptions::default()
            },
            strict: self.strict,
            input: self.input_settings(),
            circle: CircleOptions {
                standard: if self.levels {
                    Some(self.standard()?)
                } else {
                    None
                },
                capacity: self.capacity.clone(),
                max_load: self.max_load,
            },
        })
    }

    /// How the stations and blocks files are read beyond their format.
    fn input_settings(&self) -> InputSettings {
        let with = |coords| InputOptions {
            coords,
            encoding: self.encoding,
            lon_column: self.lon_column.clone(),
            lat_column: self.lat_column.clone(),
        };
        InputSettings {
            stations: with(self.stations_coords),
            blocks: with(self.blocks_coords),
            context: with(self.context_coords),
            candidates: with(Coords::Wgs84),
        }
    }
}

/// `path` taken from `base_dir`, when given.
fn resolve(base_dir: Option<&Path>, path: &Path) -> PathBuf {
    match base_dir {
        Some(dir) => dir.join(path),
        None => path.to_path_buf(),
    }
}

/// Why the input file `path` of option `name` cannot be read, if it cannot: `FILE.xlsx:SHEET`
/// and `FILE.gpkg:LAYER` name the file before the colon, and the format must be one walkshed
/// reads (the network only GeoJSON or `.osm.pbf`).
fn file_problem(name: &str, path: &Path) -> Option<Error> {
    let file = match InputFile::parse(path) {
        _ if name == "--network" || path.as_os_str().is_empty() => path.to_path_buf(),
        Ok(input) => input.path,
        Err(e) => return Some(Error::parameter(name, e.to_string())),
    };
    let path = file.as_path();
    let message = if path.as_os_str().is_empty() {
        "expected a non-empty string, found an empty one".to_owned()
    } else if path.is_dir() {
        format!("{} is a folder, not a file", path.display())
    } else if path.exists() {
        // A regular file, or a pipe or device the reader streams.
        return None;
    } else {
        format!("file not found: {}", path.display())
    };
    Some(Error::parameter(name, message))
}

/// How a batch table spells values the command line spells its own way: one number or a list
/// of them, a list of files, `network = false`. Each says what it expected in plain words.
mod de {
    use std::fmt;
    use std::path::PathBuf;

    use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};

    /// A number, integer or not.
    struct Number(f64);

    impl<'de> Deserialize<'de> for Number {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Number;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a number")
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                    Ok(Number(v as f64))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                    Ok(Number(v as f64))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                    Ok(Number(v))
                }
            }
            d.deserialize_any(V)
        }
    }

    /// One value or a list of them.
    struct OneOrMany<T>(Vec<T>);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(std::marker::PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
                type Value = OneOrMany<T>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("one value or a list")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                    let mut items = Vec::new();
                    while let Some(item) = seq.next_element()? {
                        items.push(item);
                    }
                    Ok(OneOrMany(items))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                    one(de::value::I64Deserializer::new(v))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                    one(de::value::U64Deserializer::new(v))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                    one(de::value::F64Deserializer::new(v))
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                    one(de::value::BoolDeserializer::new(v))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    one(de::value::StrDeserializer::new(v))
                }
            }
            fn one<'de, T: Deserialize<'de>, E: de::Error>(
                d: impl Deserializer<'de, Error = E>,
            ) -> Result<OneOrMany<T>, E> {
                T::deserialize(d).map(|v| OneOrMany(vec![v]))
            }
            d.deserialize_any(V(std::marker::PhantomData))
        }
    }

    /// A file name.
    pub fn path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
        String::deserialize(d).map(|s| Some(PathBuf::from(s)))
    }

    /// One file name or a list of them.
    pub fn paths<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
        let items = OneOrMany::<String>::deserialize(d)?.0;
        Ok(items.into_iter().map(PathBuf::from).collect())
    }

    /// A number.
    pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Number::deserialize(d).map(|n| n.0)
    }

    /// A number, for an option that may be left out.
    pub fn number_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Number::deserialize(d).map(|n| Some(n.0))
    }

    /// A table of level reaches: `{subcenter = "1000m", station = 5}`.
    pub fn reaches<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<super::LevelReach>, D::Error> {
        /// A reach: minutes as a number, or text (`1000m`, `none`).
        struct Reach(String);
        impl<'de> Deserialize<'de> for Reach {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Reach;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("minutes (5), metres (\"1000m\") or \"none\"")
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Reach, E> {
                        Ok(Reach(v.to_string()))
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Reach, E> {
                        Ok(Reach(v.to_string()))
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Reach, E> {
                        Ok(Reach(v.to_string()))
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<Reach, E> {
                        Ok(Reach(v.to_owned()))
                    }
                }
                d.deserialize_any(V)
            }
        }
        let table = std::collections::BTreeMap::<String, Reach>::deserialize(d)?;
        Ok(table
            .into_iter()
            .map(|(level, Reach(reach))| super::LevelReach { level, reach })
            .collect())
    }

    /// One number or a list of them.
    pub fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
        let items = OneOrMany::<Number>::deserialize(d)?.0;
        Ok(Some(items.into_iter().map(|n| n.0).collect()))
    }

    /// One string or a list of them, as the command line's comma list.
    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(OneOrMany::<String>::deserialize(d)?.0.join(","))
    }

    /// `true` or `false`.
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = bool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
                Ok(v)
            }
        }
        d.deserialize_bool(V)
    }

    /// A file name, or `false` for none (turning off a network that `[defaults]` names).
    pub fn network<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Option<PathBuf>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file name or false")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(PathBuf::from(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                if v {
                    Err(E::invalid_value(de::Unexpected::Bool(v), &self))
                } else {
                    Ok(None)
                }
            }
        }
        d.deserialize_any(V)
    }

    /// The field names a struct's `Deserialize` accepts, as serde hands them to a deserializer.
    pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
        struct Fields<'a>(&'a mut &'static [&'static str]);
        impl<'de> Deserializer<'de> for Fields<'_> {
            type Error = de::value::Error;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(de::Error::custom("not a struct"))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                *self.0 = fields;
                Err(de::Error::custom("fields read"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut fields: &'static [&'static str] = &[];
        let _ = T::deserialize(Fields(&mut fields));
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        options: CoverageOptions,
    }

    fn options(toml: &str) -> std::result::Result<CoverageOptions, String> {
        let table: toml::Table = toml::from_str(toml).map_err(|e| e.to_string())?;
        table
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_owned())
    }

    #[test]
    fn every_flag_is_a_key_and_every_key_a_flag() {
        let cmd = Cli::command();
        let flags: Vec<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| l.replace('-', "_"))
            .collect();
        assert_eq!(flags, CoverageOptions::keys());
    }

    #[test]
    fn command_line_and_table_agree() {
        use clap::Parser;
        let cli = Cli::try_parse_from([
            "x",
            "--stations=s.geojson",
            "--blocks=b.geojson",
            "--minutes=5,10",
            "--add-stations=p.geojson",
            "--speed=75",
            "--outputs=summary,maps",
            "--lang=zh",
            "--labels",
            "--measure=area",
            "--reach=bands",
            "--service-grid=10",
            "--context=b.geojson",
            "--context=w.geojson",
        ])
        .unwrap();
        let table = options(
            "stations = \"s.geojson\"\nblocks = \"b.geojson\"\nminutes = [5, 10]\n\
             add_stations = \"p.geojson\"\nspeed = 75\noutputs = [\"summary\", \"maps\"]\n\
             lang = \"zh\"\nlabels = true\nmeasure = \"area\"\nreach = \"bands\"\n\
             service_grid = 10\ncontext = [\"b.geojson\", \"w.geojson\"]\n",
        )
        .unwrap();
        assert_eq!(cli.options, table);
        let defaults = Cli::try_parse_from(["x", "--stations=s", "--blocks=b"]).unwrap();
        let table = options("stations = \"s\"\nblocks = \"b\"").unwrap();
        assert_eq!(defaults.options, table);
        let mut bare = CoverageOptions::default();
        (bare.stations, bare.blocks) = (table.stations.clone(), table.blocks.clone());
        assert_eq!(bare, table);
    }

    #[test]
    fn context_files_are_inputs_of_the_job() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/shihua");
        let o = options(
            "stations = \"stations.geojson\"\nblocks = \"blocks.geojson\"\n\
             context = [\"boundary.geojson\", \"canal.geojson\"]",
        )
        .unwrap();
        let job = o.job(Some(&data), PathBuf::from("out")).unwrap();
        let (boundary, canal) = (data.join("boundary.geojson"), data.join("canal.geojson"));
        assert_eq!(job.inputs()[2..], [boundary.as_path(), canal.as_path()]);
        let missing = options("context = \"nowhere.geojson\"").unwrap();
        assert!(matches!(
            &missing.problems(None)[..],
            [Error::Parameter { name, .. }] if name == "--context"
        ));
    }

    #[test]
    fn network_false_is_none_and_true_an_error() {
        assert_eq!(options("network = false").unwrap().network, None);
        assert_eq!(
            options("network = \"w.geojson\"").unwrap().network,
            Some(PathBuf::from("w.geojson"))
        );
        assert_eq!(
            options("network = true").unwrap_err(),
            "invalid value: boolean `true`, expected a file name or false"
        );
    }

    #[test]
    fn numbers_come_one_or_many() {
        assert_eq!(options("minutes = 5").unwrap().minutes, Some(vec![5.0]));
        assert_eq!(
            options("distance = [300, 500.5]").unwrap().distance,
            Some(vec![300.0, 500.5])
        );
        assert_eq!(
            options("minutes = [5, \"x\"]").unwrap_err(),
            "invalid type: string \"x\", expected a number"
        );
        assert_eq!(
            options("speed = \"fast\"").unwrap_err(),
            "invalid type: string \"fast\", expected a number"
        );
    }

    #[test]
    fn problems_name_each_option() {
        let o = options(
            "minutes = []\ndistance = [300]\ndetour = 0.5\nmax_snap = -1\ngroup_by = \"\"\n\
             outputs = \"maps,pictures\"\nstations = \"/nowhere/s.geojson\"\n\
             measure = \"area\"\nnetwork = \"/nowhere/w.geojson\"\nservice_grid = 30",
        )
        .unwrap();
        let names: Vec<String> = o
            .problems(None)
            .into_iter()
            .map(|e| match e {
                Error::Parameter { name, .. } => name,
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(
            names,
            [
                "--stations",
                "--network",
                "--distance",
                "--detour",
                "--max-snap",
                "--group-by",
                "--measure",
                "--service-grid",
                "--outputs"
            ]
        );
        let err = o.job(None, PathBuf::from("out")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid --stations: file not found: /nowhere/s.geojson"
        );
    }
}
