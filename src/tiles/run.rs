//! One tile of a tiled coverage run: its blocks measured exactly, written as partial outputs.

use std::path::PathBuf;
use std::sync::Arc;

use super::grid::{bounds_of, grow, segment_meets, Grid};
use super::partial::{self, Manifest, Row, TileId, Tiling, Tool};
use crate::coverage::{DistanceModel, NetworkModel, StraightLine};
use crate::error::{Error, Result};
use crate::network::{Network, WalkLine};
use crate::pipeline::Projected;
use crate::project::{Projection, XY};
use crate::publish::{Publication, Staged};
use crate::run::{self, Job, Stage};

/// Which tile to run.
#[derive(Debug, Clone, PartialEq)]
pub enum TileSpec {
    /// Tile `index` (row by row from the south-west, from 0) of a `columns × rows` grid over
    /// the block anchors' box (`--tiles NxM --tile I`).
    Grid {
        /// Tiles west to east.
        columns: u32,
        /// Tiles south to north.
        rows: u32,
        /// The tile.
        index: usize,
    },
    /// The blocks whose `--group-by` field has this value (`--tile-by FIELD VALUE`).
    Field {
        /// The field: must be the run's `--group-by` field.
        field: String,
        /// The value.
        value: String,
    },
}

impl TileSpec {
    /// The tile from the command line's `--tiles NxM` and `--tile I`.
    ///
    /// # Errors
    ///
    /// [`Error::Parameter`] for a shape that is not `NxM` or a tile number out of range.
    pub fn grid(shape: &str, index: usize) -> Result<TileSpec> {
        let (columns, rows) = Grid::parse_shape(shape)?;
        let count = columns as usize * rows as usize;
        if index >= count {
            return Err(Error::parameter(
                "--tile",
                format!(
                    "expected a tile number from 0 to {} for --tiles {shape}, found {index}",
                    count - 1
                ),
            ));
        }
        Ok(TileSpec::Grid {
            columns,
            rows,
            index,
        })
    }

    fn tiling(&self) -> (Tiling, TileId) {
        match self {
            TileSpec::Grid {
                columns,
                rows,
                index,
            } => (
                Tiling::Grid {
                    columns: *columns,
                    rows: *rows,
                },
                TileId::Index(*index),
            ),
            TileSpec::Field { field, value } => (
                Tiling::Field {
                    field: field.clone(),
                },
                TileId::Value(value.clone()),
            ),
        }
    }
}

/// What the tile run wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct TileReport {
    /// Blocks of this tile.
    pub blocks: usize,
    /// Blocks in the whole file.
    pub blocks_total: usize,
    /// Network lines kept for the tile (its box grown by the halo), and in the whole network.
    pub lines: Option<(usize, usize)>,
    /// The halo, metres.
    pub halo_m: f64,
    /// The files written, in the tile folder.
    pub files: Vec<PathBuf>,
}

/// Why a job cannot be tiled, if it cannot: levels and capacity need distances to other tiles'
/// blocks that tiles do not exchange yet.
pub(crate) fn refuse(job: &Job, spec: Option<&TileSpec>) -> Result<()> {
    let what = if job.circle.standard.is_some() {
        Some("--levels")
    } else if job.circle.capacity.is_some() {
        Some("--capacity")
    } else if job.measure == crate::options::Measure::Area {
        Some("--measure area")
    } else {
        None
    };
    if let Some(what) = what {
        return Err(Error::parameter(
            "--tiles",
            format!(
                "cannot be combined with {what} yet: it needs what other tiles hold \
                 (see docs/tiles.md); run it on one machine"
            ),
        ));
    }
    if let Some(TileSpec::Field { field, .. }) = spec {
        if job.fields.group_by.as_deref() != Some(field.as_str()) {
            return Err(Error::parameter(
                "--tile-by",
                format!("the field must be the --group-by field, found {field:?}"),
            ));
        }
        if job.network.is_some() {
            return Err(Error::parameter(
                "--tile-by",
                "cannot be combined with --network yet (the network's nodes need a tile each \
                 for the maps): use --tiles NxM",
            ));
        }
    }
    Ok(())
}

/// The digest of a job's analysis options, the same in every tile of one run.
pub(crate) fn fingerprint(job: &Job) -> String {
    let mut job = job.clone();
    job.out_dir = PathBuf::new();
    partial::digest(&format!("{job:?}"))
}

/// The halo a tile's box is grown by so that its blocks' results are exact: the farthest any
/// output looks (three times the largest threshold, where the walking-time table ends), plus
/// the longest snap leg in network mode. Straight-line tiles read every station and need none.
pub fn halo_m(job: &Job) -> f64 {
    match job.network {
        Some(_) => job.params.reach_m() + job.params.max_snap_m,
        None => 0.0,
    }
}

/// Runs one tile of `job` and writes its partial outputs into `job.out_dir`. `args` are the
/// `walkshed` arguments (recorded for `walkshed merge`).
///
/// Every tile reads every station and the whole blocks file (so the plane is the whole file's,
/// and a block's tile is decided by its anchor in that plane), measures its own blocks only,
/// and in network mode builds the network from the lines that come within the halo of its box.
///
/// # Errors
///
/// As [`crate::run()`], and [`Error::Parameter`] for options that cannot be tiled (`--levels`,
/// `--capacity`; `--tile-by` with `--network` or another field than `--group-by`).
pub fn run_tile(
    job: &Job,
    spec: &TileSpec,
    args: &[String],
    progress: &mut dyn FnMut(Stage),
) -> Result<TileReport> {
    refuse(job, Some(spec))?;
    let mut publication = Publication::begin(&job.out_dir, &job.inputs())?;
    let mut report = tile_into(job, spec, args, publication.staged(), progress)?;
    report.files = publication.commit()?;
    Ok(report)
}

/// [`run_tile`] into a staged folder (a batch tile's scenario folder).
pub(crate) fn tile_into(
    job: &Job,
    spec: &TileSpec,
    args: &[String],
    staged: &mut Staged,
    progress: &mut dyn FnMut(Stage),
) -> Result<TileReport> {
    refuse(job, Some(spec))?;
    let mut light = job.clone();
    light.network = None;
    light.outputs.maps = false;
    light.outputs.report = false;
    let loaded = run::load(&light, progress)?;
    let stations = loaded.all_stations();
    let blocks = &loaded.blocks;
    let plane = Projected::new(&stations, blocks);
    let bounds = bounds_of(&plane.anchors);
    let (owned, region, grid): (Vec<usize>, [XY; 2], Option<(Grid, usize)>) = match spec {
        TileSpec::Grid {
            columns,
            rows,
            index,
        } => {
            let grid = Grid {
                columns: *columns,
                rows: *rows,
                bounds,
            };
            let owned = (0..plane.anchors.len())
                .filter(|&b| grid.tile_of(plane.anchors[b]) == *index)
                .collect();
            (owned, grid.tile_box(*index), Some((grid, *index)))
        }
        TileSpec::Field { field, value } => {
            let groups = blocks.groups();
            let owned: Vec<usize> = blocks
                .blocks()
                .iter()
                .enumerate()
                .filter(|(_, b)| b.group.is_some_and(|g| groups.name(g) == value))
                .map(|(i, _)| i)
                .collect();
            if owned.is_empty() {
                return Err(Error::parameter(
                    "--tile-by",
                    format!("no block has {field} = {value:?}"),
                ));
            }
            let region = bounds_of(owned.iter().map(|&b| &plane.anchors[b]));
            (owned, region, None)
        }
    };
    let anchors: Vec<XY> = owned.iter().map(|&b| plane.anchors[b]).collect();
    let halo = halo_m(job);
    progress(Stage::Measure);
    let (m, nodes, lines) = match &job.network {
        None => {
            let model = StraightLine {
                detour: job.params.detour,
            };
            let m = model.measure(&plane.entrances, &anchors, job.params.reach_m());
            (m, Vec::new(), None)
        }
        Some(path) => {
            progress(Stage::LoadNetwork);
            let all = crate::load::read_network(path)?;
            let kept = cut(&all, &plane.projection, grow(region, halo));
            let net = Network::build(&kept, &plane.projection);
            let model = NetworkModel::new(Arc::new(net), job.params.max_snap_m);
            let m = model.measure(&plane.entrances, &anchors, job.params.reach_m());
            let nodes = grid.map_or_else(Vec::new, |(grid, index)| owned_nodes(&m, &grid, index));
            (m, nodes, Some((kept.len(), all.len())))
        }
    };
    let legs = m.network.as_ref().map(|n| &n.legs);
    let rows: Vec<Row> = owned
        .iter()
        .zip(&m.blocks)
        .enumerate()
        .map(|(k, (&index, x))| Row {
            index,
            walk: x.station.zip(x.distance_m),
            station_leg_m: legs.and_then(|l| l[k].station_m),
        })
        .collect();

    progress(Stage::WriteTables);
    staged.add(partial::BLOCKS_FILE, |w| partial::write_rows(w, &rows))?;
    if job.network.is_some() {
        staged.add(partial::NODES_FILE, |w| partial::write_nodes(w, &nodes))?;
    }
    let (tiling, tile) = spec.tiling();
    let cwd = current_dir()?;
    let manifest = Manifest {
        format: partial::FORMAT.to_owned(),
        version: partial::VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        run: fingerprint(job),
        args: args.to_vec(),
        cwd,
        tiling,
        tile,
        mode: if job.network.is_some() {
            "network"
        } else {
            "straight-line"
        }
        .to_owned(),
        halo_m: halo,
        plane_centre: plane.projection.centre(),
        blocks_total: blocks.blocks().len(),
        blocks: rows.len(),
        nodes: nodes.len(),
        files: staged.manifest(&["summary.json"]),
    };
    staged.add("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest)?;
        writeln!(w)
    })?;
    Ok(TileReport {
        blocks: rows.len(),
        blocks_total: blocks.blocks().len(),
        lines,
        halo_m: halo,
        files: Vec::new(),
    })
}

/// The lines with a segment that may come into `region` (plane metres), whole and in input
/// order: edges keep their order, so ties between equally near edges go the same way as in
/// the whole network.
fn cut(lines: &[WalkLine], projection: &Projection, region: [XY; 2]) -> Vec<WalkLine> {
    use rayon::prelude::*;
    lines
        .par_iter()
        .filter(|line| {
            let points: Vec<Option<XY>> = line
                .coords
                .iter()
                .map(|&[lon, lat]| {
                    (lon.is_finite() && lat.is_finite()).then(|| projection.forward(lon, lat))
                })
                .collect();
            match points.as_slice() {
                [Some(p)] => segment_meets(region, *p, *p),
                _ => points.windows(2).any(|w| match (w[0], w[1]) {
                    (Some(a), Some(b)) => segment_meets(region, a, b),
                    _ => false,
                }),
            }
        })
        .cloned()
        .collect()
}

/// The nodes of tile `index` a station reaches, with their distances, by plane point; sorted.
fn owned_nodes(m: &crate::coverage::Measurement, grid: &Grid, index: usize) -> Vec<(XY, f64)> {
    let Some(report) = &m.network else {
        return Vec::new();
    };
    let mut nodes: Vec<(XY, f64)> = report
        .edges_reached
        .iter()
        .flat_map(|(points, d)| points.iter().copied().zip(d.iter().copied()))
        .filter_map(|(p, d)| Some((p, d?)))
        .filter(|(p, _)| grid.tile_of(*p) == index)
        .collect();
    nodes.sort_by(|a, b| {
        (a.0[0].to_bits(), a.0[1].to_bits()).cmp(&(b.0[0].to_bits(), b.0[1].to_bits()))
    });
    nodes.dedup_by(|a, b| {
        a.0[0].to_bits() == b.0[0].to_bits() && a.0[1].to_bits() == b.0[1].to_bits()
    });
    nodes
}

/// The current folder, recorded in a tile's manifest.
pub(crate) fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|source| Error::Read {
        path: PathBuf::from("."),
        source,
    })
}
