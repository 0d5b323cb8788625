//! Tiled batches: one tile of every scenario of a batch file, and their merge into the batch's
//! outputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::merge::TileSet;
use super::partial::{self, Tool};
use super::run::{current_dir, refuse, tile_into, TileSpec};
use crate::batch::{run_batch_with, Batch, BatchEvent, BatchOptions, BatchReport, ScenarioKind};
use crate::error::{Error, Result};
use crate::publish::{Publication, Staged};

/// The format of a batch tile's `summary.json`.
const BATCH_FORMAT: &str = "walkshed-batch-tile";

/// A batch tile folder's `summary.json`: one scenario tile folder per scenario beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct BatchManifest {
    /// Always [`BATCH_FORMAT`].
    format: String,
    /// [`partial::VERSION`].
    version: u32,
    /// The tool.
    tool: Tool,
    /// The `walkshed batch` arguments.
    args: Vec<String>,
    /// The folder the tile was run from.
    cwd: PathBuf,
    /// The scenarios, in batch order: one tile folder each.
    scenarios: Vec<String>,
    /// The files of the folder, sorted (`scenario/file` for the scenarios').
    files: Vec<String>,
}

/// Runs tile `spec` of every scenario of `batch` into `out_dir/<scenario>/`; `args` are the
/// `walkshed` arguments, recorded for `walkshed merge`. Each scenario's tile reads its own
/// inputs. Fails if any scenario fails (a tile is all or nothing) or cannot be tiled.
///
/// # Errors
///
/// As [`super::run_tile`].
pub fn run_batch_tile(
    batch: &Batch,
    spec: &TileSpec,
    args: &[String],
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    for s in &batch.scenarios {
        if !matches!(s.kind, ScenarioKind::Coverage) || !s.add_suggested.is_empty() {
            return Err(Error::parameter(
                "--tiles",
                format!(
                    "scenario {:?}: suggest scenarios, and scenarios that add their picks, \
                     cannot be tiled yet (docs/tiles.md); run the batch on one machine",
                    s.name
                ),
            ));
        }
        refuse(&s.job, Some(spec))
            .map_err(|e| Error::parameter("--tiles", format!("scenario {:?}: {e}", s.name)))?;
    }
    let mut inputs: Vec<&Path> = vec![&batch.path];
    inputs.extend(batch.scenarios.iter().flat_map(|s| s.job.inputs()));
    let mut publication = Publication::begin(out_dir, &inputs)?;
    let root = publication.staged().dir().to_path_buf();
    for s in &batch.scenarios {
        let mut folder = Staged::create(&root.join(&s.name))?;
        tile_into(&s.job, spec, args, &mut folder, &mut |_| {})?;
        publication.staged().adopt(&s.name, &folder);
    }
    let staged = publication.staged();
    let manifest = BatchManifest {
        format: BATCH_FORMAT.to_owned(),
        version: partial::VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        args: args.to_vec(),
        cwd: current_dir()?,
        scenarios: batch.scenarios.iter().map(|s| s.name.clone()).collect(),
        files: staged.manifest(&["summary.json"]),
    };
    staged.add("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest)?;
        writeln!(w)
    })?;
    publication.commit()
}

/// The folders of a tiled batch: per scenario, its tiles.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchTiles {
    args: Vec<String>,
    cwd: PathBuf,
    scenarios: BTreeMap<String, TileSet>,
}

impl BatchTiles {
    /// The tiles of a batch in `dirs`, or `None` when `dirs` are tiles of a coverage run.
    ///
    /// # Errors
    ///
    /// As [`TileSet::read`], for each scenario; and when the folders are of different batches.
    pub fn read(dirs: &[PathBuf]) -> Result<Option<BatchTiles>> {
        let mut manifests = Vec::with_capacity(dirs.len());
        for dir in dirs {
            let path = dir.join("summary.json");
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| partial::bad(&path, e.line(), &e.to_string()))?;
            if value["format"] != BATCH_FORMAT {
                if manifests.is_empty() {
                    return Ok(None);
                }
                return Err(partial::bad(&path, 1, "a coverage tile among batch tiles"));
            }
            let m: BatchManifest = serde_json::from_value(value)
                .map_err(|e| partial::bad(&path, 1, &e.to_string()))?;
            if m.version != partial::VERSION {
                return Err(partial::bad(&path, 1, &format!("version {}", m.version)));
            }
            manifests.push(m);
        }
        let first = &manifests[0];
        if let Some(k) = manifests
            .iter()
            .position(|m| m.scenarios != first.scenarios || m.cwd != first.cwd)
        {
            return Err(Error::parameter(
                "merge",
                format!(
                    "{} is a tile of another batch than {}",
                    dirs[k].display(),
                    dirs[0].display()
                ),
            ));
        }
        let mut scenarios = BTreeMap::new();
        for name in &first.scenarios {
            let folders: Vec<PathBuf> = dirs.iter().map(|d| d.join(name)).collect();
            scenarios.insert(name.clone(), TileSet::read(&folders)?);
        }
        Ok(Some(BatchTiles {
            args: first.args.clone(),
            cwd: first.cwd.clone(),
            scenarios,
        }))
    }

    /// The `walkshed batch` arguments the tiles were run with.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The folder they were run from.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }
}

/// Merges a tiled batch into `options.out_dir`: the files one `walkshed batch` run writes.
///
/// # Errors
///
/// As [`crate::run_batch`]; a scenario whose tiles do not merge fails as a scenario does.
pub fn merge_batch(
    batch: &Batch,
    tiles: &BatchTiles,
    options: &BatchOptions,
    progress: &(dyn Fn(BatchEvent<'_>) + Sync),
) -> Result<BatchReport> {
    let mut names: Vec<&String> = batch.scenarios.iter().map(|s| &s.name).collect();
    names.sort();
    if !names.into_iter().eq(tiles.scenarios.keys()) {
        return Err(Error::parameter(
            "merge",
            "the tiles are of a batch with other scenarios",
        ));
    }
    run_batch_with(batch, options, progress, &|s, loaded| {
        super::merge::analyse_merged(&s.job, loaded, &tiles.scenarios[&s.name])
    })
}
