//! The `walkshed` binary: parses arguments, runs the library, prints.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use cli::{BatchArgs, Cli, Command, ConvertArgs, CoverageArgs, MergeArgs, SuggestArgs};
use walkshed::{
    run, run_batch, run_suggest, Batch, BatchEvent, BatchOptions, Job, LoadStep, Stage,
};

/// mimalloc: a reader makes millions of small allocations (ids, group names, coordinate
/// vectors) from two threads at once, where it is several times cheaper than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    on_interrupt_clean_up();
    match run_cli(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// On SIGINT or SIGTERM, removes the temporary folder and the lock of the run in progress (the
/// output folder keeps its previous files), then exits with 128 + the signal (130, 143).
fn on_interrupt_clean_up() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::iterator::Signals;
        // Without a handler the signals keep their default action: the process ends at once.
        if let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) {
            let _ = std::thread::Builder::new()
                .name("walkshed-signals".to_owned())
                .spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        walkshed::clean_up_interrupted();
                        std::process::exit(128 + signal);
                    }
                });
        }
    }
}

fn run_cli(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Coverage(args) => coverage(&args),
        Command::Batch(args) => batch(&args),
        Command::Convert(args) => convert(&args),
        Command::Suggest(args) => suggest(&args),
        Command::Merge(args) => merge(&args),
    }
}

fn convert(args: &ConvertArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.to == walkshed::Coords::Wgs84,
        "invalid --to: walkshed converts to wgs84 only, found {}",
        args.to
    );
    let options = walkshed::InputOptions {
        coords: args.from,
        encoding: args.encoding,
        lon_column: args.lon_column.clone(),
        lat_column: args.lat_column.clone(),
    };
    let n = walkshed::convert_to_geojson(&args.input, &options, &args.output)?;
    eprintln!(
        "{} features converted from {} to wgs84: {}",
        n,
        args.from,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The most worker threads `--threads` accepts: far more than any machine walkshed runs on has
/// cores, and few enough to start in a moment.
const MAX_THREADS: usize = 1024;

fn set_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        anyhow::ensure!(
            (1..=MAX_THREADS).contains(&n),
            "invalid --threads: expected a whole number from 1 to {MAX_THREADS}, found {n}"
        );
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    Ok(())
}

/// A progress bar on stderr; hidden when stderr is not a terminal or with `--quiet`.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>3} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The stages a coverage job goes through, in order.
fn stages(job: &Job) -> Vec<Stage> {
    let mut s = vec![Stage::LoadStations, Stage::LoadBlocks];
    if job.network.is_some() {
        s.push(Stage::LoadNetwork);
    }
    s.push(Stage::Measure);
    if job.needs_bands() {
        s.push(Stage::ServiceAreas);
    }
    if job.outputs.maps || job.outputs.report {
        s.push(Stage::Render);
    }
    s.push(Stage::WriteTables);
    s
}

/// Runs `work` with a progress bar over `stages`; with `timings`, prints each stage's wall time.
fn staged<T>(
    stages: &[Stage],
    quiet: bool,
    timings: bool,
    work: impl FnOnce(&mut dyn FnMut(Stage)) -> T,
) -> T {
    let bar = progress_bar(quiet);
    bar.set_length(stages.len() as u64);
    let start = Instant::now();
    let mut marks: Vec<(&str, Instant)> = Vec::new();
    let result = work(&mut |stage: Stage| {
        if let Some(i) = stages.iter().position(|s| *s == stage) {
            bar.set_position(i as u64);
        }
        bar.set_message(stage.describe());
        marks.push((stage.describe(), Instant::now()));
    });
    bar.finish_and_clear();
    if timings {
        let end = Instant::now();
        for (k, (what, at)) in marks.iter().enumerate() {
            let until = marks.get(k + 1).map_or(end, |m| m.1);
            eprintln!("{:>8.3} s  {what}", (until - *at).as_secs_f64());
        }
        eprintln!("{:>8.3} s  in all", (end - start).as_secs_f64());
    }
    result
}

fn coverage(args: &CoverageArgs) -> anyhow::Result<ExitCode> {
    set_threads(args.run.threads)?;
    let job = args.job()?;
    if let Some(tile) = args.tiles.spec()? {
        return coverage_tile(args, &job, &tile);
    }
    let result = staged(&stages(&job), args.run.quiet, args.timings, |progress| {
        run(&job, progress)
    });
    let summary = result?;
    if let Some(l) = summary.labels.as_ref().filter(|l| l.dropped > 0) {
        eprintln!(
            "warning: {} of {} station labels left off the gap map (they would overlap): {}",
            l.dropped,
            l.named,
            l.dropped_names.join(", ")
        );
    }
    if args.run.json {
        print!("{}", summary.to_json());
    } else if !args.run.quiet {
        print!("{}", summary.to_text());
        println!("\n  outputs in {}", job.out_dir.display());
    }
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

/// One tile of a tiled run: partial outputs for `walkshed merge`.
fn coverage_tile(
    args: &CoverageArgs,
    job: &Job,
    tile: &walkshed::TileSpec,
) -> anyhow::Result<ExitCode> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let report = staged(&stages(job), args.run.quiet, args.timings, |progress| {
        walkshed::run_tile(job, tile, &argv, progress)
    })?;
    if !args.run.quiet {
        println!(
            "tile: {} of {} blocks measured (halo {} m); partial outputs in {}",
            report.blocks,
            report.blocks_total,
            report.halo_m,
            job.out_dir.display()
        );
        if let Some((kept, all)) = report.lines {
            println!("  network lines within the halo: {kept} of {all}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Merges tile folders into the outputs of one run.
fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    set_threads(args.run.threads)?;
    let absolute = |p: &std::path::Path| -> anyhow::Result<std::path::PathBuf> {
        std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()))
    };
    let dirs = args
        .tiles
        .iter()
        .map(|d| absolute(d))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let out = absolute(&args.out)?;
    if let Some(tiles) = walkshed::BatchTiles::read(&dirs)? {
        return merge_batch(args, &tiles);
    }
    let tiles = walkshed::TileSet::read(&dirs)?;
    // The tiles' arguments are read as `coverage` read them, from the folder they ran in.
    std::env::set_current_dir(tiles.cwd())
        .with_context(|| format!("cannot enter {}", tiles.cwd().display()))?;
    let argv = std::iter::once("walkshed".to_owned()).chain(tiles.args().iter().cloned());
    let Command::Coverage(coverage) = Cli::try_parse_from(argv)?.command else {
        anyhow::bail!("the tiles were not made by `walkshed coverage`");
    };
    let mut job = coverage.options.job(None, out.clone())?;
    job.out_dir = out;
    let summary = staged(&stages(&job), args.run.quiet, args.timings, |progress| {
        walkshed::merge(&job, &tiles, progress)
    })?;
    if args.run.json {
        print!("{}", summary.to_json());
    } else if !args.run.quiet {
        print!("{}", summary.to_text());
        println!("\n  outputs in {}", job.out_dir.display());
    }
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Merges the tiles of a batch into the outputs of one `walkshed batch` run.
fn merge_batch(args: &MergeArgs, tiles: &walkshed::BatchTiles) -> anyhow::Result<ExitCode> {
    // `--out` as given when merging from the tiles' folder (batch.json names the scenario
    // folders by it), else absolute.
    let here = std::env::current_dir().context("cannot read the current folder")?;
    let out = if here == tiles.cwd() {
        args.out.clone()
    } else {
        std::path::absolute(&args.out)?
    };
    std::env::set_current_dir(tiles.cwd())
        .with_context(|| format!("cannot enter {}", tiles.cwd().display()))?;
    let argv = std::iter::once("walkshed".to_owned()).chain(tiles.args().iter().cloned());
    let Command::Batch(mut batch_args) = Cli::try_parse_from(argv)?.command else {
        anyhow::bail!("the tiles were not made by `walkshed batch`");
    };
    batch_args.run.quiet = args.run.quiet;
    batch_args.run.json = args.run.json;
    let batch = Batch::read(&batch_args.file)?;
    let options = BatchOptions {
        out_dir: out,
        diff_base: batch_args.diff.clone(),
    };
    batch_report(&batch, &options, &batch_args, |batch, options, progress| {
        walkshed::merge_batch(batch, tiles, options, progress)
    })
}

fn suggest(args: &SuggestArgs) -> anyhow::Result<ExitCode> {
    set_threads(args.run.threads)?;
    let job = args.job()?;
    let result = staged(
        &stages(&job.job),
        args.run.quiet,
        args.timings,
        |progress| run_suggest(&job, progress),
    );
    let (summary, _) = result?;
    if args.run.json {
        print!("{}", summary.to_json());
    } else if !args.run.quiet {
        print!("{}", summary.to_text());
        println!("\n  outputs in {}", job.job.out_dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn batch(args: &BatchArgs) -> anyhow::Result<ExitCode> {
    set_threads(args.run.threads)?;
    let batch = Batch::read(&args.file)?;
    if let Some(tile) = args.tiles.spec()? {
        let argv: Vec<String> = std::env::args().skip(1).collect();
        walkshed::run_batch_tile(&batch, &tile, &argv, &args.out)?;
        if !args.run.quiet {
            println!("batch tile: partial outputs in {}", args.out.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let options = BatchOptions {
        out_dir: args.out.clone(),
        diff_base: args.diff.clone(),
    };
    batch_report(&batch, &options, args, |batch, options, progress| {
        run_batch(batch, options, progress)
    })
}

/// Runs a batch (or merges a tiled one) with a progress bar, prints its report.
fn batch_report(
    batch: &Batch,
    options: &BatchOptions,
    args: &BatchArgs,
    work: impl FnOnce(
        &Batch,
        &BatchOptions,
        &(dyn Fn(BatchEvent<'_>) + Sync),
    ) -> walkshed::Result<walkshed::BatchReport>,
) -> anyhow::Result<ExitCode> {
    let bar = progress_bar(args.run.quiet);
    let report = work(batch, options, &|event: BatchEvent<'_>| match event {
        BatchEvent::Load { step, done, total } => {
            let (what, path) = match step {
                LoadStep::Stations(p) => ("reading stations", p),
                LoadStep::Blocks(p) => ("reading blocks", p),
                LoadStep::Network(p) => ("reading the network", p),
                LoadStep::Graph(p) => ("building the network graph of", p),
            };
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(format!("{what} {}", path.display()));
        }
        BatchEvent::Start { total } => {
            bar.set_length(total as u64);
            bar.set_position(0);
            bar.set_message("computing scenarios");
        }
        BatchEvent::Finished { name, done, .. } => {
            bar.set_position(done as u64);
            bar.set_message(format!("finished {name}"));
        }
        BatchEvent::Combine => bar.set_message("writing batch tables and chart"),
    });
    bar.finish_and_clear();
    let report = report?;
    if args.run.json {
        print!("{}", report.to_json());
    } else if !args.run.quiet {
        print!("{}", report.to_text());
        println!("\n  outputs in {}", report.out_dir.display());
    }
    for s in &report.scenarios {
        if let Err(reason) = &s.outcome {
            eprintln!("error: scenario {:?} failed: {reason}", s.name);
        }
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(if report.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
