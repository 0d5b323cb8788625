//! Writes the walkable ways of an OpenStreetMap `.osm.pbf` file as GeoJSON LineStrings, with
//! walkshed's own pedestrian filter (see `walkshed::osm`):
//!
//! ```sh
//! cargo run --release --example osm_to_geojson -- data/helsinki/Helsinki.osm.pbf walk.geojson
//! ```

use std::io::Write;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(pbf), Some(out)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: osm_to_geojson INPUT.osm.pbf OUTPUT.geojson");
    };
    let lines = walkshed::read_walk_lines(&pbf)?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(&out)?);
    walkshed::write_walk_lines(&lines, &mut w)?;
    w.flush()?;
    eprintln!("{} walkable lines → {}", lines.len(), out.display());
    Ok(())
}
