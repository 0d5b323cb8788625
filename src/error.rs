//! Typed errors of the library. Every error that comes from an input file carries a
//! [`Location`]: the file, and where it applies the feature index, its `id`, and the line and
//! column of a JSON syntax error.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input an error was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The input file.
    pub path: PathBuf,
    /// 0-based index of the feature in the file.
    pub feature: Option<usize>,
    /// The feature's id as the user sees it (`properties.id`, else the Feature's `id`); with a
    /// `feature` and no `line_column`, `None` is shown as "(no id)".
    pub id: Option<String>,
    /// 1-based line and column of a syntax error.
    pub line_column: Option<(usize, usize)>,
}

impl Location {
    /// A location naming only the file.
    pub fn file(path: &Path) -> Self {
        Location {
            path: path.to_path_buf(),
            ..Location::default()
        }
    }

    /// A location naming a feature of a file.
    pub fn feature(path: &Path, index: usize, id: Option<String>) -> Self {
        Location {
            path: path.to_path_buf(),
            feature: Some(index),
            id,
            line_column: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.line_column {
            write!(f, ", line {line}, column {column}")?;
        }
        if let Some(i) = self.feature {
            write!(f, ", feature {i}")?;
        }
        match (&self.id, self.feature, self.line_column) {
            (Some(id), _, _) => write!(f, " (id {id:?})")?,
            // A feature named by its position only: it has no id (a syntax error's location
            // may just not have read it).
            (None, Some(_), None) => write!(f, " (no id)")?,
            _ => {}
        }
        Ok(())
    }
}

/// Everything that can go wrong in walkshed's library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An input walkshed cannot use as it is: an id or property value of the wrong kind, a
    /// pipe that would have to be read twice, a file that changed while it was being used.
    #[error("{location}: {message}")]
    Unusable {
        /// Where.
        location: Location,
        /// What is wrong and what is expected.
        message: String,
    },
    /// An output could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The input is not well-formed JSON, or not GeoJSON of the expected shape.
    #[error("{location}: invalid GeoJSON: {message}")]
    Json {
        /// Where.
        location: Location,
        /// What the parser expected and found.
        message: String,
    },
    /// A geometry of a type this input does not take.
    #[error("{location}: expected {expected} geometry, found {found}")]
    GeometryType {
        /// Where.
        location: Location,
        /// The types this input takes.
        expected: &'static str,
        /// The type found.
        found: String,
    },
    /// A geometry that cannot be used at all (no coordinates, not numbers, a ring of one point).
    #[error("{location}: invalid geometry: {message}")]
    Geometry {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A coordinate outside longitude/latitude range.
    #[error(
        "{location}: coordinate ({x}, {y}) is outside [-180, 180] × [-90, 90]; \
         the file may be in a projected CRS, but walkshed reads WGS84 longitude/latitude (RFC 7946)"
    )]
    OutOfRange {
        /// Where.
        location: Location,
        /// First coordinate (longitude).
        x: f64,
        /// Second coordinate (latitude).
        y: f64,
    },
    /// A `crs` member naming a reference system walkshed does not read.
    #[error(
        "{location}: unsupported crs {name:?}; walkshed reads WGS84 longitude/latitude \
         (OGC CRS84, EPSG:4326, or EPSG:4490 CGCS2000) — reproject the file first"
    )]
    Crs {
        /// Where.
        location: Location,
        /// The CRS name found.
        name: String,
    },
    /// A file without a single feature of the kind needed.
    #[error("{}: no {what} found; at least one is needed", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// What is missing ("stations", "blocks", "walkable lines").
        what: &'static str,
    },
    /// Two stations with one id (ids join the tables: each must name one station).
    #[error("{location}: duplicate station id {id:?}: feature {first} has it too; station ids must be unique")]
    DuplicateStation {
        /// Where: the second station with the id.
        location: Location,
        /// The id.
        id: String,
        /// Index of the first feature with the id.
        first: usize,
    },
    /// Populations whose total is beyond the largest finite number.
    #[error(
        "{}: the populations in field {field:?} add up to more than {:e}; check the field's values",
        path.display(),
        f64::MAX
    )]
    PopulationTotal {
        /// The blocks file.
        path: PathBuf,
        /// The population field.
        field: String,
    },
    /// Suspicious data (the checks listed in docs/bad-input.md) refused by `--strict`.
    #[error(
        "suspicious data, refused by --strict: {}",
        warnings.join("\n  and: ")
    )]
    Suspicious {
        /// The warnings that would have been printed, in order.
        warnings: Vec<String>,
    },
    /// Data too spread out for one local plane.
    #[error("{}: {message}", path.display())]
    Extent {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A population value that is not a finite number ≥ 0.
    #[error(
        "{location}: invalid population {value}: expected a finite number ≥ 0 in field {field:?}"
    )]
    Population {
        /// Where.
        location: Location,
        /// The population field.
        field: String,
        /// The value found, as JSON.
        value: String,
    },
    /// Some blocks have the population field and others lack it.
    #[error(
        "{location}: has no {field:?} field although other blocks have it (first with it: \
         feature {first_with}); give every block a population, or none"
    )]
    MissingPopulation {
        /// The first block without the field.
        location: Location,
        /// The population field.
        field: String,
        /// Index of the first block that has the field.
        first_with: usize,
    },
    /// With `--levels`, a station whose `level` is missing or not one of the four levels.
    #[error("{location}: {}; with --levels every station needs one of: {accepted}", match found {
        Some(v) => format!("unknown level {v:?}"),
        None => "no level".to_owned(),
    })]
    Level {
        /// Where.
        location: Location,
        /// The value found, if any.
        found: Option<String>,
        /// The values accepted.
        accepted: &'static str,
    },
    /// A capacity value that is not a finite number ≥ 0, or missing while other stations have it.
    #[error("{location}: invalid capacity {value}: expected a finite number ≥ 0 in field {field:?} on every station (or on none)")]
    Capacity {
        /// Where.
        location: Location,
        /// The capacity field.
        field: String,
        /// The value found, as JSON (`missing` when absent).
        value: String,
    },
    /// `--group-by` names a field no block has.
    #[error("{}: no block has the field {field:?} named by --group-by", path.display())]
    GroupField {
        /// The blocks file.
        path: PathBuf,
        /// The field.
        field: String,
    },
    /// An OpenStreetMap file that could not be read.
    #[error("{}: cannot read OpenStreetMap data: {message}", path.display())]
    Osm {
        /// The file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The output folder cannot be one: a file, a broken link, the root.
    #[error("cannot write into {} (--out): {message}", path.display())]
    OutputPath {
        /// The output folder as given.
        path: PathBuf,
        /// What it is, and what to do.
        message: String,
    },
    /// An input file is the output folder or lies inside it, so publishing would remove it.
    #[error(
        "input {} is inside the output folder {}, which walkshed replaces as a whole; \
         choose another --out folder",
        input.display(),
        out.display()
    )]
    InputInOutput {
        /// The input file.
        input: PathBuf,
        /// The output folder.
        out: PathBuf,
    },
    /// The output folder holds files walkshed did not write.
    #[error(
        "{} holds files walkshed did not write ({found}); walkshed replaces its output folder \
         as a whole, so choose another --out folder, or empty this one",
        path.display()
    )]
    OutputNotOurs {
        /// The output folder.
        path: PathBuf,
        /// The first few entries that are not walkshed's, comma-separated.
        found: String,
    },
    /// Another run is writing the output folder.
    #[error(
        "{} is being written by walkshed ({holder}); wait for it to finish, or remove the lock \
         {} if that process is gone",
        path.display(),
        lock.display()
    )]
    OutputLocked {
        /// The output folder.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// Who holds it: pid, host, start time.
        holder: String,
    },
    /// A problem in a CSV, Excel, Shapefile or GeoPackage input: the file, the place in it
    /// (`line 7, column "lon"`, `sheet "Sheet2"`, `layer "blocks"`) and what is wrong.
    #[error("{}{}: {message}", path.display(), place.as_deref().map(|p| format!(", {p}")).unwrap_or_default())]
    Input {
        /// The file.
        path: PathBuf,
        /// Where in the file, when it applies.
        place: Option<String>,
        /// What was expected and found.
        message: String,
    },
    /// A parameter out of its range.
    #[error("invalid {name}: {message}")]
    Parameter {
        /// The parameter, as the user gives it (e.g. `--speed`).
        name: String,
        /// What was expected and found.
        message: String,
    },
}

impl Error {
    /// A problem in an input file of another format than GeoJSON ([`Error::Input`]).
    pub fn input(path: &Path, place: Option<String>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.to_path_buf(),
            place,
            message: message.into(),
        }
    }

    /// The error with every mention of the file `from` made one of `to` (an input read through
    /// a converted copy names the file the user gave).
    pub fn with_path(mut self, from: &Path, to: &Path) -> Self {
        let fix = |p: &mut PathBuf| {
            if p == from {
                *p = to.to_path_buf();
            }
        };
        match &mut self {
            Error::Read { path, .. }
            | Error::Empty { path, .. }
            | Error::GroupField { path, .. }
            | Error::Input { path, .. } => fix(path),
            Error::Json { location, .. }
            | Error::GeometryType { location, .. }
            | Error::Geometry { location, .. }
            | Error::OutOfRange { location, .. }
            | Error::Crs { location, .. }
            | Error::Population { location, .. }
            | Error::MissingPopulation { location, .. } => fix(&mut location.path),
            _ => {}
        }
        self
    }

    /// A parameter error.
    pub fn parameter(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Parameter {
            name: name.into(),
            message: message.into(),
        }
    }
}

impl Error {
    /// The error with its causes, joined by `": "` (e.g. `cannot read x.geojson: No such file or
    /// directory (os error 2)`), for reports that keep errors as text.
    pub fn with_causes(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
