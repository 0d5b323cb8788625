//! The `walkshed` binary: parses arguments, runs the library, prints.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use cli::{Cli, Command, CoverageArgs};
use walkshed::run::{self, Stage};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run_cli(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run_cli(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Coverage(args) => coverage(&args),
    }
}

fn set_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        anyhow::ensure!(
            n > 0,
            "invalid --threads: expected a whole number ≥ 1, found 0"
        );
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    Ok(())
}

/// A spinner on stderr naming the current stage; hidden when stderr is not a terminal or with
/// `--quiet`.
fn spinner(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn coverage(args: &CoverageArgs) -> anyhow::Result<ExitCode> {
    set_threads(args.threads)?;
    let job = args.job()?;
    let bar = spinner(args.quiet);
    let result = run::run(&job, &mut |stage: Stage| bar.set_message(stage.describe()));
    bar.finish_and_clear();
    let summary = result?;
    if args.json {
        print!("{}", summary.to_json());
    } else if !args.quiet {
        print!("{}", summary.to_text());
        println!("\n  outputs in {}", job.out_dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
