//! `walkshed merge`: the tiles' partial outputs combined into exactly the outputs of one run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::partial::{self, Manifest, Row, TileId, Tiling};
use crate::circle::CircleInputs;
use crate::coverage::{DistanceModel, Measured, Measurement, NetworkModel, StraightLine, Walk};
use crate::error::{Error, Result};
use crate::pipeline::{analyse_measured, Projected};
use crate::publish::Publication;
use crate::report::Summary;
use crate::run::{self, Job, Loaded, Stage};
use crate::Analysis;

/// The tile folders of one tiled run, their manifests read and checked against each other.
#[derive(Debug, Clone, PartialEq)]
pub struct TileSet {
    tiles: Vec<(PathBuf, Manifest)>,
}

/// A merge error.
fn refuse(message: String) -> Error {
    Error::parameter("merge", message)
}

impl TileSet {
    /// Reads the manifests of `dirs` and checks that they are the tiles of one run: the same
    /// format, run, arguments and tiling, and every tile of the tiling exactly once.
    ///
    /// # Errors
    ///
    /// [`Error::Read`] for a folder without a manifest, [`Error::Parameter`] (named `merge`)
    /// for a malformed one, or tiles that do not make one whole run.
    pub fn read(dirs: &[PathBuf]) -> Result<TileSet> {
        let mut tiles = Vec::with_capacity(dirs.len());
        for dir in dirs {
            tiles.push((dir.clone(), partial::read_manifest(dir)?));
        }
        let Some((first_dir, first)) = tiles.first() else {
            return Err(refuse("no tile folders given".to_owned()));
        };
        for (dir, m) in &tiles[1..] {
            let differs = if m.run != first.run {
                Some("was run with other options")
            } else if m.cwd != first.cwd {
                Some("was run from another folder")
            } else if m.tiling != first.tiling {
                Some("belongs to another tiling")
            } else if m.blocks_total != first.blocks_total || m.plane_centre != first.plane_centre {
                Some("read another blocks file")
            } else {
                None
            };
            if let Some(why) = differs {
                return Err(refuse(format!(
                    "{} {why} than {}: the tiles are not of one run",
                    dir.display(),
                    first_dir.display()
                )));
            }
        }
        let mut ids: Vec<(&TileId, &PathBuf)> = tiles.iter().map(|(d, m)| (&m.tile, d)).collect();
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(refuse(format!(
                "{} and {} are the same tile",
                w[0].1.display(),
                w[1].1.display()
            )));
        }
        if let Tiling::Grid { columns, rows } = first.tiling {
            let count = columns as usize * rows as usize;
            let missing: Vec<String> = (0..count)
                .filter(|i| !ids.iter().any(|(t, _)| **t == TileId::Index(*i)))
                .map(|i| i.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(refuse(format!(
                    "tiles {} of {columns}x{rows} are missing",
                    missing.join(", ")
                )));
            }
        }
        Ok(TileSet { tiles })
    }

    /// The `walkshed` arguments the tiles were run with.
    pub fn args(&self) -> &[String] {
        &self.tiles[0].1.args
    }

    /// The folder the tiles were run from: relative paths in [`args`](Self::args) are taken
    /// from it.
    pub fn cwd(&self) -> &Path {
        &self.tiles[0].1.cwd
    }

    /// Every block's row, by block index; each block must be in exactly one tile.
    fn rows(&self, total: usize) -> Result<Vec<Row>> {
        let mut rows: Vec<Option<Row>> = vec![None; total];
        for (dir, m) in &self.tiles {
            let path = dir.join(partial::BLOCKS_FILE);
            let read = partial::read_rows(&path)?;
            if read.len() != m.blocks {
                return Err(partial::bad(
                    &path,
                    1,
                    &format!("{} rows, the manifest says {}", read.len(), m.blocks),
                ));
            }
            for row in read {
                let slot = rows.get_mut(row.index).ok_or_else(|| {
                    refuse(format!(
                        "{}: block {} is beyond the blocks file's {total}",
                        path.display(),
                        row.index
                    ))
                })?;
                if slot.replace(row).is_some() {
                    return Err(refuse(format!("block {} is in two tiles", row.index)));
                }
            }
        }
        let missing = rows.iter().filter(|r| r.is_none()).count();
        if missing > 0 {
            return Err(refuse(format!(
                "{missing} blocks are in no tile: a tile folder is missing"
            )));
        }
        Ok(rows.into_iter().flatten().collect())
    }

    /// Every reached node's distance, by the bits of its plane point.
    fn nodes(&self) -> Result<HashMap<[u64; 2], f64>> {
        let mut nodes = HashMap::new();
        for (dir, _) in &self.tiles {
            for (p, d) in partial::read_nodes(&dir.join(partial::NODES_FILE))? {
                if nodes.insert([p[0].to_bits(), p[1].to_bits()], d).is_some() {
                    return Err(refuse(format!(
                        "a network node is in two tiles ({})",
                        dir.display()
                    )));
                }
            }
        }
        Ok(nodes)
    }
}

/// Merges the tiles into `job`'s output folder: the files one `walkshed coverage` run of `job`
/// writes, byte for byte.
///
/// Reads the stations, the blocks (and the whole network in network mode: its pieces, the
/// block and station snaps and the map's streets come from it; no search is made) and the
/// tiles' rows, then aggregates and writes as one run does.
///
/// # Errors
///
/// [`Error::Parameter`] (named `merge`) when the tiles are not of this job, or not all of
/// them; reading and writing errors as [`run::run`].
pub fn merge(job: &Job, tiles: &TileSet, progress: &mut dyn FnMut(Stage)) -> Result<Summary> {
    super::run::refuse(job, None)?;
    let first = &tiles.tiles[0].1;
    if first.run != super::run::fingerprint(job) {
        return Err(refuse(
            "the tiles were run with other options than these".to_owned(),
        ));
    }
    let mut publication = Publication::begin(&job.out_dir, &job.inputs())?;
    let loaded = run::load(job, progress)?;
    progress(Stage::Measure);
    let analysis = analyse_merged(job, &loaded, tiles)?;
    let mut summary = run::summarise(job, &loaded, &analysis)?;
    // With --add-stations, the change against the base stations alone is measured here, on
    // one machine, as one run does (not tiled yet: docs/tiles.md).
    let change = run::change_of(job, &loaded, &analysis);
    summary.change = change.as_ref().map(|c| c.summary.clone());
    run::stage(
        job,
        &loaded.stage_inputs(),
        &analysis,
        change.as_ref(),
        &mut summary,
        publication.staged(),
        progress,
    )?;
    publication.commit()?;
    Ok(summary)
}

/// The analysis of `job` on its `loaded` inputs, each block's walk taken from `tiles`.
pub(crate) fn analyse_merged(job: &Job, loaded: &Loaded, tiles: &TileSet) -> Result<Analysis> {
    super::run::refuse(job, None)?;
    let first = &tiles.tiles[0].1;
    if first.run != super::run::fingerprint(job) {
        return Err(refuse(
            "the tiles were run with other options than these".to_owned(),
        ));
    }
    let stations = loaded.all_stations();
    let blocks = &loaded.blocks;
    let plane = Projected::new(&stations, blocks);
    if plane.projection.centre() != first.plane_centre {
        return Err(refuse(
            "the tiles were measured in another plane (another blocks file?)".to_owned(),
        ));
    }
    let rows = tiles.rows(blocks.blocks().len())?;
    let straight = StraightLine {
        detour: job.params.detour,
    };
    let network_model = loaded
        .network
        .as_ref()
        .map(|net| NetworkModel::new(Arc::clone(net), job.params.max_snap_m));
    let (model, measurement): (&dyn DistanceModel, Measurement) = match &network_model {
        None => {
            let blocks = rows
                .iter()
                .map(|r| match r.walk {
                    Some((s, d)) => Measured::straight(s, d),
                    None => Measured::unreached(),
                })
                .collect();
            (
                &straight,
                Measurement {
                    blocks,
                    network: None,
                },
            )
        }
        Some(model) => {
            let nodes = tiles.nodes()?;
            let xy = model.network().nodes();
            let m = model.measure_walked(
                &plane.entrances,
                &plane.anchors,
                |b, _| {
                    let r = &rows[b];
                    r.walk.map(|(station, distance_m)| Walk {
                        station,
                        distance_m,
                        station_leg_m: r.station_leg_m.unwrap_or(f64::NAN),
                    })
                },
                |n| {
                    let p = xy[n as usize];
                    nodes.get(&[p[0].to_bits(), p[1].to_bits()]).copied()
                },
            );
            (model, m)
        }
    };
    Ok(analyse_measured(
        &stations,
        blocks,
        model,
        &job.params,
        &CircleInputs::default(),
        plane,
        measurement,
    ))
}
