//! Command-line arguments (clap derive) and their conversion into validated jobs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use walkshed::config::{DEFAULT_MAX_SNAP_M, DEFAULT_SPEED_M_PER_MIN};
use walkshed::render::{Lang, MapOptions};
use walkshed::report::Outputs;
use walkshed::run::Job;
use walkshed::{BlockFields, Params, ThresholdUnit};

/// walkshed — what share of residents live within an N-minute walk of a service station, and
/// where are the gaps?
#[derive(Debug, Parser)]
#[command(name = "walkshed", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute walking coverage of blocks by stations, and write tables and maps.
    ///
    /// Reads stations and residential blocks (GeoJSON, WGS84 lon/lat), measures each block's
    /// walking distance from its anchor (polygon centroid) to the nearest station — in a
    /// straight line, or along --network — and reports the share of residents within each
    /// threshold. Defaults follow GB 50180-2018: a five-minute walk at 60 m/min = 300 m.
    Coverage(CoverageArgs),

    /// Run many coverage scenarios from one TOML batch file, and compare them.
    ///
    /// The file holds a [defaults] table and one [[scenario]] table per run, each with a `name`
    /// (its output folder under --out) and whatever it overrides. Keys are coverage's long
    /// option names with underscores: stations, add_stations (a list of extra station files,
    /// e.g. proposed sites), blocks, network (or false), minutes (a list), distance (a list, in
    /// metres), speed (m/min, default 60), detour, population, group_by, max_snap (m, default
    /// 200), outputs, labels, lang. Paths are relative to the batch file. Unknown keys, bad
    /// values, duplicate names and missing files are all reported before any work starts.
    ///
    /// Each input file is read once however many scenarios use it, and each network built once;
    /// the scenarios then run in parallel, each writing OUT/<scenario>/ exactly as coverage
    /// would, plus OUT/batch.csv, OUT/batch.json and OUT/batch.svg (one row per scenario ×
    /// threshold). A failed scenario is reported with its reason and leaves no folder; the others
    /// finish, and the exit code is 1.
    ///
    /// Example:
    ///
    ///   [defaults]
    ///   stations = "stations.geojson"
    ///   blocks = "blocks.geojson"
    ///   minutes = [5, 10, 15]
    ///   group_by = "committee"
    ///
    ///   [[scenario]]
    ///   name = "today"
    ///
    ///   [[scenario]]
    ///   name = "proposed"
    ///   add_stations = ["proposed-stations.geojson"]
    #[command(verbatim_doc_comment)]
    Batch(BatchArgs),
}

/// Options of `walkshed batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The batch file (TOML): [defaults] and [[scenario]] tables.
    #[arg(value_name = "FILE.toml")]
    pub file: PathBuf,

    /// Output folder: one folder per scenario, and batch.csv, batch.json, batch.svg (created if
    /// missing; files are replaced atomically).
    #[arg(long, value_name = "DIR", default_value = "walkshed-out")]
    pub out: PathBuf,

    /// Compare every scenario with this one: residents gained and lost, in total and per group
    /// (printed, and written to diff.csv and batch.json).
    #[arg(long, value_name = "SCENARIO")]
    pub diff: Option<String>,

    /// Threads, JSON output, quiet.
    #[command(flatten)]
    pub run: RunFlags,
}

/// Options of `walkshed coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Stations: GeoJSON Point/MultiPoint (entrances) or Polygon (reduced to its centroid);
    /// properties `id`, `name`, `level`.
    #[arg(long, value_name = "FILE")]
    pub stations: PathBuf,

    /// Extra stations laid over --stations (e.g. proposed sites); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub add_stations: Vec<PathBuf>,

    /// Residential blocks: GeoJSON Polygon/MultiPolygon (anchor = centroid) or Point, with a
    /// population field.
    #[arg(long, value_name = "FILE")]
    pub blocks: PathBuf,

    /// Walking thresholds in minutes, comma-separated [default: 5].
    #[arg(
        long,
        value_name = "MIN[,MIN…]",
        value_delimiter = ',',
        conflicts_with = "distance"
    )]
    pub minutes: Vec<f64>,

    /// Walking speed in metres per minute; 60 m/min ≈ 3.6 km/h.
    #[arg(long, value_name = "M_PER_MIN", default_value_t = DEFAULT_SPEED_M_PER_MIN)]
    pub speed: f64,

    /// Thresholds given directly in metres, comma-separated, instead of --minutes (e.g.
    /// 300,500,1000 for GB 50180-2018's 5/10/15-minute circles); walking minutes in the
    /// outputs still use --speed.
    #[arg(long, value_name = "M[,M…]", value_delimiter = ',')]
    pub distance: Vec<f64>,

    /// Straight-line detour factor ≥ 1 multiplying crow-fly distance to stand in for street
    /// circuity (planners often use 1.2–1.4); ignored with --network.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub detour: f64,

    /// Walking network: GeoJSON LineString/MultiLineString, or an OpenStreetMap .osm.pbf
    /// (filtered to ways a pedestrian may use). Distances then run along the network.
    #[arg(long, value_name = "FILE")]
    pub network: Option<PathBuf>,

    /// With --network: longest straight snap leg, in metres, from a station or block anchor to
    /// the nearest network edge; points farther away are off-network.
    #[arg(long, value_name = "M", default_value_t = DEFAULT_MAX_SNAP_M)]
    pub max_snap: f64,

    /// Block property holding the population; if no block has it, every block counts 1.
    #[arg(long, value_name = "FIELD", default_value = "population")]
    pub population: String,

    /// Block property to report coverage by (e.g. a street/town or residential committee).
    #[arg(long, value_name = "FIELD")]
    pub group_by: Option<String>,

    /// Output folder (created if missing; files are replaced atomically).
    #[arg(long, value_name = "DIR", default_value = "walkshed-out")]
    pub out: PathBuf,

    /// Outputs to write, comma-separated: summary, blocks, stations, walk-time, maps, or all.
    #[arg(long, value_name = "LIST", default_value = "all")]
    pub outputs: String,

    /// Put station names on the gap map (labels that would overlap are skipped).
    #[arg(long)]
    pub labels: bool,

    /// Language of map labels and legends.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,

    /// Print each stage's wall time in seconds to stderr when done (reading stations, reading
    /// blocks, building the network, measuring, writing, drawing).
    #[arg(long)]
    pub timings: bool,

    /// Threads, JSON output, quiet.
    #[command(flatten)]
    pub run: RunFlags,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct RunFlags {
    /// Worker threads [default: all cores]; results are identical for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print the summary (coverage) or batch.json (batch) as JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,

    /// No progress display and no summary text (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Map language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// English.
    En,
    /// Chinese.
    Zh,
}

impl CoverageArgs {
    /// The validated job.
    pub fn job(&self) -> walkshed::Result<Job> {
        let (values, unit) = if !self.distance.is_empty() {
            (self.distance.clone(), ThresholdUnit::Metres)
        } else if !self.minutes.is_empty() {
            (self.minutes.clone(), ThresholdUnit::Minutes)
        } else {
            (
                vec![walkshed::config::DEFAULT_MINUTES],
                ThresholdUnit::Minutes,
            )
        };
        let params = Params::new(&values, unit, self.speed, self.detour, self.max_snap)?;
        Ok(Job {
            stations: self.stations.clone(),
            add_stations: self.add_stations.clone(),
            blocks: self.blocks.clone(),
            network: self.network.clone(),
            fields: BlockFields {
                population: self.population.clone(),
                group_by: self.group_by.clone(),
                keep_shapes: false,
            },
            params,
            out_dir: self.out.clone(),
            outputs: Outputs::parse(&self.outputs)?,
            map: MapOptions {
                labels: self.labels,
                lang: match self.lang {
                    LangArg::En => Lang::En,
                    LangArg::Zh => Lang::Zh,
                },
                ..MapOptions::default()
            },
        })
    }
}
