//! Command-line arguments (clap derive). The analysis options are the library's
//! [`CoverageOptions`], which batch files share; this module adds what belongs to one run.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use walkshed::{CoverageOptions, SuggestOptions};

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
    Coverage(Box<CoverageArgs>),

    /// Run many coverage scenarios from one TOML batch file, and compare them.
    ///
    /// The file holds a [defaults] table and one [[scenario]] table per run, each with a `name`
    /// (its output folder under --out) and whatever it overrides. The keys are the options of
    /// `walkshed coverage --help` (their units and defaults are there) with underscores, except
    /// --out and --timings: e.g. speed (m/min) or max_snap (m). minutes, distance, add_stations
    /// and outputs take one value or a list, and network = false turns a network of [defaults]
    /// off. Paths are relative to the batch file. Unknown keys, bad values, duplicate names and
    /// missing files are all reported before any work starts.
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

    /// Where should the next stations go? Choose sites among candidates to cover the most
    /// residents not yet within reach.
    ///
    /// Existing stations (and --add-stations) stay. The reach D is the first threshold (--minutes
    /// at --speed, or --distance), or with --level the level's reach in GB 50180-2018, counting
    /// existing stations of that level or higher. Candidates are a point file, the anchors of the
    /// uncovered blocks (--candidates uncovered) or a square grid (--candidate-grid M), minus
    /// those inside --exclude polygons and, with --network, those off the network.
    ///
    /// Sites are picked one by one, each time the one that newly covers the most residents
    /// (lazy greedy; equal gains go to the earlier candidate), then single swaps improve the
    /// set while they can. The summary gives an upper bound on what any K candidates could add
    /// and the fraction of it reached: the answer is at least that close to the best.
    ///
    /// Writes suggestions.csv and suggestions.geojson (one point per pick, in order; pass the
    /// GeoJSON to `walkshed coverage --add-stations` to check the share), summary.json with a
    /// "suggest" section, suggest.svg (the gap map with the picks) and suggest_curve.svg.
    Suggest(Box<SuggestArgs>),

    /// Combine the tile folders of a tiled run (`coverage … --tiles NxM --tile I`) into the
    /// outputs one `walkshed coverage` run writes, byte for byte.
    ///
    /// Every tile of the run must be given, each once. The merge reads the stations and the
    /// blocks again (and the network, in network mode: its pieces and snaps, no search), takes
    /// each block's walk from its tile, and writes summary.json, the tables and the maps into
    /// --out. See docs/tiles.md.
    Merge(MergeArgs),

    /// Convert a file of Amap/Tencent (GCJ-02) or Baidu (BD-09) coordinates to WGS84 GeoJSON,
    /// once, for other tools.
    ///
    /// IN is any file walkshed reads (GeoJSON, CSV/TSV, .xlsx[:SHEET], .shp, .gpkg[:LAYER]);
    /// OUT is written as a GeoJSON FeatureCollection with every property kept.
    Convert(ConvertArgs),
}

/// Options of `walkshed merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output folder of the merged run (created if missing; files are replaced atomically).
    #[arg(long, value_name = "DIR", required = true)]
    pub out: PathBuf,

    /// The tile folders, each written by `walkshed coverage … --tiles NxM --tile I --out DIR`.
    #[arg(value_name = "TILE_DIR", required = true)]
    pub tiles: Vec<PathBuf>,

    /// Print each stage's wall time in seconds to stderr when done.
    #[arg(long)]
    pub timings: bool,

    /// Threads, JSON output, quiet.
    #[command(flatten)]
    pub run: RunFlags,
}

/// Which tile of a tiled run to compute (`docs/tiles.md`).
#[derive(Debug, Args)]
pub struct TileArgs {
    /// Cut the run into N × M tiles over the blocks' box (columns x rows, e.g. 4x4) and compute
    /// only tile --tile, writing partial outputs into --out for `walkshed merge`. A block is in
    /// the tile that holds its anchor; stations and the network within a halo (three times the
    /// largest threshold, plus --max-snap) are read, so its results are exact. Not with
    /// --levels or --capacity.
    #[arg(
        long,
        value_name = "NxM",
        requires = "tile",
        conflicts_with = "tile_by"
    )]
    pub tiles: Option<String>,

    /// With --tiles: the tile to compute, numbered row by row from the south-west, from 0.
    #[arg(long, value_name = "I", requires = "tiles")]
    pub tile: Option<usize>,

    /// Compute only the blocks whose FIELD (the --group-by field) is VALUE, writing partial
    /// outputs for `walkshed merge` (straight-line mode only).
    #[arg(long, num_args = 2, value_names = ["FIELD", "VALUE"])]
    pub tile_by: Option<Vec<String>>,
}

impl TileArgs {
    /// The tile asked for, if any.
    pub fn spec(&self) -> walkshed::Result<Option<walkshed::TileSpec>> {
        if let (Some(shape), Some(index)) = (&self.tiles, self.tile) {
            return walkshed::TileSpec::grid(shape, index).map(Some);
        }
        Ok(self.tile_by.as_ref().and_then(|v| match v.as_slice() {
            [field, value] => Some(walkshed::TileSpec::Field {
                field: field.clone(),
                value: value.clone(),
            }),
            _ => None,
        }))
    }
}

/// Options of `walkshed convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The file to convert.
    #[arg(value_name = "IN")]
    pub input: PathBuf,

    /// The GeoJSON file to write.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,

    /// The coordinates of IN: gcj02 (Amap 高德, Tencent) or bd09 (Baidu); wgs84 only changes
    /// the format.
    #[arg(long, value_name = "SYSTEM")]
    pub from: walkshed::Coords,

    /// The coordinates of OUT: only wgs84.
    #[arg(long, value_name = "SYSTEM", default_value = "wgs84")]
    pub to: walkshed::Coords,

    /// Text encoding of a CSV IN or a .dbf without .cpg: utf-8 or gbk [default: detected].
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<walkshed::TextEncoding>,

    /// Longitude column of a CSV or Excel IN [default: found by name].
    #[arg(long, value_name = "NAME")]
    pub lon_column: Option<String>,

    /// Latitude column of a CSV or Excel IN [default: found by name].
    #[arg(long, value_name = "NAME")]
    pub lat_column: Option<String>,
}

/// Options of `walkshed suggest`: the analysis and the choice (shared with batch files), and
/// where and how this one run writes.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// What to analyse and choose.
    #[command(flatten)]
    pub options: SuggestOptions,

    /// Output folder (created if missing; its files are replaced as one unit).
    #[arg(long, value_name = "DIR", default_value = "walkshed-out")]
    pub out: PathBuf,

    /// Print each stage's wall time in seconds to stderr when done.
    #[arg(long)]
    pub timings: bool,

    /// Threads, JSON output, quiet.
    #[command(flatten)]
    pub run: RunFlags,
}

impl SuggestArgs {
    /// The validated job.
    pub fn job(&self) -> walkshed::Result<walkshed::SuggestJob> {
        self.options.job(None, self.out.clone())
    }
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

    /// One tile of every scenario (--tiles NxM --tile I, or --tile-by FIELD VALUE), for
    /// `walkshed merge`.
    #[command(flatten)]
    pub tiles: TileArgs,

    /// Threads, JSON output, quiet.
    #[command(flatten)]
    pub run: RunFlags,
}

/// Options of `walkshed coverage`: the analysis (shared with batch files), and where and how
/// this one run writes.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// What to analyse: inputs, thresholds, outputs.
    #[command(flatten)]
    pub options: CoverageOptions,

    /// One tile of a tiled run.
    #[command(flatten)]
    pub tiles: TileArgs,

    /// Output folder (created if missing; files are replaced atomically).
    #[arg(long, value_name = "DIR", default_value = "walkshed-out")]
    pub out: PathBuf,

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
    /// Worker threads, 1 to 1024 [default: all cores]; results are identical for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print the summary (coverage) or batch.json (batch) as JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,

    /// No progress display and no summary text (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

impl CoverageArgs {
    /// The validated job.
    pub fn job(&self) -> walkshed::Result<walkshed::Job> {
        self.options.job(None, self.out.clone())
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every long option of `coverage` but the ones about this run alone is a batch key, and
    /// every batch key is an option of `coverage`.
    #[test]
    fn coverage_options_are_the_batch_keys() {
        let cli = Cli::command();
        let coverage = cli.find_subcommand("coverage").expect("coverage");
        let run_only = [
            "out", "timings", "threads", "json", "quiet", "help", "tiles", "tile", "tile_by",
        ];
        let mut flags: Vec<String> = coverage
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| l.replace('-', "_"))
            .filter(|l| !run_only.contains(&l.as_str()))
            .collect();
        let mut keys = walkshed::CoverageOptions::keys().to_vec();
        flags.sort();
        keys.sort_unstable();
        assert_eq!(flags, keys);
    }

    /// The same for `suggest`: its options are the coverage keys and the suggestion keys.
    #[test]
    fn suggest_options_are_its_batch_keys() {
        let cli = Cli::command();
        let suggest = cli.find_subcommand("suggest").expect("suggest");
        let run_only = ["out", "timings", "threads", "json", "quiet", "help"];
        let mut flags: Vec<String> = suggest
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| l.replace('-', "_"))
            .filter(|l| !run_only.contains(&l.as_str()))
            .collect();
        let mut keys = walkshed::SuggestOptions::keys();
        flags.sort();
        keys.sort_unstable();
        assert_eq!(flags, keys);
    }
}
