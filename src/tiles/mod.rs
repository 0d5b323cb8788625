//! Tiled runs: one coverage run cut into tiles that run anywhere (another process, another
//! machine, a Dask or Spark worker) and merged into exactly the outputs of one run.
//!
//! - `walkshed coverage … --tiles NxM --tile I` (or `--tile-by FIELD VALUE`) measures the
//!   blocks whose anchor lies in tile I ([`run_tile`]) and writes partial outputs;
//! - `walkshed merge --out DIR TILE_DIR…` combines them ([`TileSet`], [`merge`]).
//!
//! Why it is exact: every tile reads the whole blocks file, so the metric plane is the whole
//! file's; every tile reads every station (stations are few), so straight-line distances are
//! exact; in network mode a tile keeps the lines within a halo of its box, the farthest any
//! output looks plus the longest snap leg, and no walk that short can leave the halo because a
//! walk along the network is never shorter than the straight line. Sums are exact
//! ([`crate::ExactSum`]) so the order of the blocks does not matter. See `docs/tiles.md`.

mod batch;
mod grid;
mod merge;
mod partial;
mod run;

pub use batch::{merge_batch, run_batch_tile, BatchTiles};
pub use merge::{merge, TileSet};
pub use run::{halo_m, run_tile, TileReport, TileSpec};
