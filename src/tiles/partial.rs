//! The partial outputs of one tile: an internal, versioned format that only `walkshed merge`
//! reads (`docs/tiles.md`, "The partial format").
//!
//! A tile folder holds three files:
//!
//! - `summary.json`, the manifest: `format` (`"walkshed-tile"`), `version` (1), the tool, the
//!   run's fingerprint and arguments, the tiling and this tile, the mode, the halo, the plane's
//!   centre, the number of blocks in the whole file and in this tile, and `files`;
//! - `tile-blocks.tsv`: one row per block of the tile, ascending by its index in the blocks
//!   file (0-based): `index`, `station` (the nearest station's index in input order, base
//!   stations first), `distance_m`, `station_leg_m` (network mode), tab-separated, the last
//!   three empty when no station is reached; numbers in the shortest form that reads back to
//!   the same double;
//! - `tile-nodes.tsv` (network mode): one row per network node of the tile that a station
//!   reaches: the bits of its plane `x` and `y` (16 hex digits each) and its distance, metres.
//!
//! Each file starts with a `#` line naming the format, version and columns.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::project::XY;

/// The format's name, in every file of a tile folder.
pub const FORMAT: &str = "walkshed-tile";
/// The format's version: merge refuses any other.
pub const VERSION: u32 = 1;
/// The rows of the tile's blocks.
pub const BLOCKS_FILE: &str = "tile-blocks.tsv";
/// The reached nodes of the tile (network mode).
pub const NODES_FILE: &str = "tile-nodes.tsv";

/// The tool that wrote a tile, as in a summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `walkshed`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// How a run was cut into tiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tiling {
    /// An N × M grid over the block anchors' box (`--tiles NxM`).
    Grid {
        /// Tiles west to east.
        columns: u32,
        /// Tiles south to north.
        rows: u32,
    },
    /// One tile per value of a block field (`--tile-by FIELD VALUE`).
    Field {
        /// The field.
        field: String,
    },
}

/// Which tile of the tiling.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TileId {
    /// The tile's number in a grid, row by row from the south-west.
    Index(usize),
    /// The field's value.
    Value(String),
}

/// A tile folder's `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The tool.
    pub tool: Tool,
    /// A digest of the analysis options (the job without its output folder): tiles of one run
    /// have the same.
    pub run: String,
    /// The `walkshed` arguments the tile was run with, for merge to rebuild the job.
    pub args: Vec<String>,
    /// The folder the tile was run from (relative paths in `args` are taken from it).
    pub cwd: PathBuf,
    /// The tiling.
    pub tiling: Tiling,
    /// This tile.
    pub tile: TileId,
    /// `straight-line` or `network`.
    pub mode: String,
    /// The halo around the tile's box, metres.
    pub halo_m: f64,
    /// The plane's centre (longitude, latitude): the whole blocks file's, in every tile.
    pub plane_centre: [f64; 2],
    /// Blocks in the whole blocks file.
    pub blocks_total: usize,
    /// Blocks of this tile.
    pub blocks: usize,
    /// Reached network nodes of this tile.
    pub nodes: usize,
    /// The files of the folder, sorted.
    pub files: Vec<String>,
}

/// One block's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Index of the block in the blocks file.
    pub index: usize,
    /// The nearest station's index and the distance, metres; `None` when unreached.
    pub walk: Option<(u32, f64)>,
    /// Network mode: the station's snap leg, metres.
    pub station_leg_m: Option<f64>,
}

/// Writes the rows of `rows` (ascending by index).
pub fn write_rows(w: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(
        w,
        "# {FORMAT} {VERSION} blocks: index\tstation\tdistance_m\tstation_leg_m"
    )?;
    for r in rows {
        match r.walk {
            Some((s, d)) => write!(w, "{}\t{s}\t{d:?}\t", r.index)?,
            None => write!(w, "{}\t\t\t", r.index)?,
        }
        match r.station_leg_m {
            Some(l) => writeln!(w, "{l:?}")?,
            None => writeln!(w)?,
        }
    }
    Ok(())
}

/// Writes reached nodes: plane point and distance, metres.
pub fn write_nodes(w: &mut dyn Write, nodes: &[(XY, f64)]) -> std::io::Result<()> {
    writeln!(w, "# {FORMAT} {VERSION} nodes: x_bits\ty_bits\tdistance_m")?;
    for (p, d) in nodes {
        writeln!(w, "{:016x}\t{:016x}\t{d:?}", p[0].to_bits(), p[1].to_bits())?;
    }
    Ok(())
}

/// The lines of `path` after its header, which must name [`FORMAT`], [`VERSION`] and `what`.
fn lines(path: &Path, what: &str) -> Result<impl Iterator<Item = (usize, Result<String>)>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header = format!("# {FORMAT} {VERSION} {what}:");
    let first = lines.next().transpose().map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !first.as_deref().is_some_and(|l| l.starts_with(&header)) {
        return Err(bad(
            path,
            1,
            &format!("expected a first line starting {header:?}"),
        ));
    }
    let path = path.to_path_buf();
    Ok(lines.enumerate().map(move |(k, l)| {
        (
            k + 2,
            l.map_err(|source| Error::Read {
                path: path.clone(),
                source,
            }),
        )
    }))
}

/// A malformed tile file.
pub fn bad(path: &Path, line: usize, message: &str) -> Error {
    Error::parameter(
        "merge",
        format!(
            "{}, line {line}: not a walkshed tile file of version {VERSION}: {message}",
            path.display()
        ),
    )
}

/// Reads the rows of a tile's blocks file.
pub fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (n, line) in lines(path, "blocks")? {
        let line = line?;
        let f: Vec<&str> = line.split('\t').collect();
        let row = (|| {
            let [index, station, distance, leg] = f.as_slice() else {
                return None;
            };
            let walk = match (station.is_empty(), distance.is_empty()) {
                (true, true) => None,
                (false, false) => Some((station.parse().ok()?, distance.parse().ok()?)),
                _ => return None,
            };
            let station_leg_m = if leg.is_empty() {
                None
            } else {
                Some(leg.parse().ok()?)
            };
            Some(Row {
                index: index.parse().ok()?,
                walk,
                station_leg_m,
            })
        })()
        .ok_or_else(|| {
            bad(
                path,
                n,
                "expected index, station, distance_m, station_leg_m",
            )
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// Reads the reached nodes of a tile.
pub fn read_nodes(path: &Path) -> Result<Vec<(XY, f64)>> {
    let mut nodes = Vec::new();
    for (n, line) in lines(path, "nodes")? {
        let line = line?;
        let f: Vec<&str> = line.split('\t').collect();
        let node = (|| {
            let [x, y, d] = f.as_slice() else {
                return None;
            };
            let bits = |s: &str| u64::from_str_radix(s, 16).ok().map(f64::from_bits);
            Some(([bits(x)?, bits(y)?], d.parse().ok()?))
        })()
        .ok_or_else(|| bad(path, n, "expected x_bits, y_bits, distance_m"))?;
        nodes.push(node);
    }
    Ok(nodes)
}

/// Reads a tile folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        bad(
            &path,
            e.line(),
            &format!(
                "{e} (is {} a tile folder of `walkshed coverage --tiles`?)",
                dir.display()
            ),
        )
    })?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(bad(
            &path,
            1,
            &format!("format {:?} version {}", manifest.format, manifest.version),
        ));
    }
    Ok(manifest)
}

/// A digest of `text` (64-bit FNV-1a, in hex): stable across builds and platforms.
pub fn digest(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_nodes_read_back_to_the_bit() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            Row {
                index: 3,
                walk: Some((7, 0.1 + 0.2)),
                station_leg_m: Some(1e-300),
            },
            Row {
                index: 9,
                walk: None,
                station_leg_m: None,
            },
        ];
        let nodes = vec![([-1.5e6 / 7.0, 2.0 / 3.0], 123.456_789)];
        let rp = dir.path().join(BLOCKS_FILE);
        let np = dir.path().join(NODES_FILE);
        let mut buf = Vec::new();
        write_rows(&mut buf, &rows).unwrap();
        std::fs::write(&rp, &buf).unwrap();
        let mut buf = Vec::new();
        write_nodes(&mut buf, &nodes).unwrap();
        std::fs::write(&np, &buf).unwrap();
        assert_eq!(read_rows(&rp).unwrap(), rows);
        assert_eq!(read_nodes(&np).unwrap(), nodes);
        std::fs::write(&rp, "# walkshed-tile 2 blocks: …\n").unwrap();
        assert!(read_rows(&rp).is_err());
    }
}
