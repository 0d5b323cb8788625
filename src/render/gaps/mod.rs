//! `gaps.svg`, the gap map, written directly as SVG text.
//!
//! The map is drawn in the analysis' metric plane (uniform scale, north up), so distances read
//! true. It is assembled from the parts a map has, each drawing through one shared [`Frame`]
//! (the plane → pixel transform):
//!
//! - [`frame`]: the extent, the transform, the page;
//! - [`classes`]: the walking-time classes and their colours;
//! - [`context`]: the context layers under the blocks (`--context`);
//! - [`blocks`]: the block layer;
//! - [`reach`]: the streets reached (network mode) or the walkshed circles (straight line);
//! - [`stations`]: station symbols by level and their names;
//! - [`legend`]: the classes with their residents, the reach, the levels;
//! - [`furniture`]: title, north arrow and scale bar (under the legend, off the data), credits.
//!
//! To stay small and quick to open at 100,000 blocks and more, every block of one walking-time
//! class goes into a few `<path>` elements of many subpaths, coordinates are rounded to tenths
//! of a pixel and written as relative moves, vertices closer than [`blocks::MIN_STEP`] to the
//! last kept one are dropped, and blocks under [`blocks::DOT_BELOW`] across are drawn as square
//! dots, one per pixel cell and size.

mod blocks;
mod change;
mod classes;
mod context;
mod frame;
mod furniture;
mod legend;
mod levels;
mod picks;
mod reach;
mod stations;

pub use change::change_svg;
pub use classes::{palette, GAP_COLOUR, OFF_NETWORK_COLOUR};
pub use levels::levels_svg;
pub use picks::{rank_colour, PickLayer};

use crate::aggregate::Coverage;
use crate::capacity::Staffing;
use crate::config::Params;
use crate::coverage::{Measured, NetworkReport};
use crate::load::{BlockSet, ContextLayer, Station};
use crate::project::{Projection, XY};
use crate::Analysis;

use super::words::Words;
use super::MapOptions;
use blocks::Plane;
use classes::Classes;
use frame::{Frame, Page};
use furniture::Header;
use legend::Legend;

/// What the gap map draws: the blocks and how far each is from a station, the stations, the
/// streets reached, and the figures of the header and legend.
#[derive(Debug, Clone, Copy)]
pub struct GapMap<'a> {
    /// The parameters: thresholds, unit, speed, detour, largest snap distance.
    pub params: &'a Params,
    /// The metric plane the map is drawn in.
    pub projection: &'a Projection,
    /// The blocks: anchors, outlines (when kept), residents.
    pub blocks: &'a BlockSet,
    /// Each block's walking distance, in block order.
    pub measured: &'a [Measured],
    /// The stations (base and added), in input order.
    pub stations: &'a [Station],
    /// How many of `stations` are the base; those after were added (`--add-stations`) and are
    /// drawn hollow.
    pub base_stations: usize,
    /// In network mode, the streets reached; `None` draws straight-line walksheds.
    pub streets: Option<&'a NetworkReport>,
    /// The share reached per threshold, for the title and subtitle.
    pub coverage: &'a [Coverage],
    /// All residents (or blocks, unweighted): the whole of the legend's shares.
    pub population: f64,
    /// The tool version printed in the credits.
    pub version: &'a str,
    /// Context layers drawn under the blocks and named in the legend (none by default).
    pub context: &'a [ContextLayer],
    /// With `--capacity` and `--max-load`: the stations' staffing, whose overloaded stations
    /// get a ring.
    pub staffing: Option<&'a Staffing>,
}

impl<'a> GapMap<'a> {
    /// The gap map of `analysis` of `blocks`, crediting walkshed `version`.
    pub fn new(analysis: &'a Analysis, blocks: &'a BlockSet, version: &'a str) -> GapMap<'a> {
        GapMap {
            params: &analysis.params,
            projection: &analysis.projection,
            blocks,
            measured: &analysis.measurement.blocks,
            stations: &analysis.stations,
            base_stations: analysis.stations.len(),
            streets: analysis.measurement.network.as_ref(),
            coverage: &analysis.aggregates.coverage,
            population: analysis.aggregates.population,
            version,
            context: &[],
            staffing: analysis.capacity.as_ref(),
        }
    }
}

/// Height of the suggested sites' legend, pixels.
const PICKS_LEGEND_H: f64 = 110.0;

/// The gap map drawn, and what could not be drawn on it.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnMap {
    /// The SVG text.
    pub svg: String,
    /// Station names left off because they would overlap (with `--labels`), in input order.
    pub labels_dropped: Vec<String>,
}

/// Writes the whole gap map: header, the map's layers (blocks, reach, stations, names) and
/// furniture, legend, credits.
pub fn gaps_svg(map: &GapMap, options: &MapOptions) -> String {
    draw_gaps(map, options).svg
}

/// [`gaps_svg`], with the station names left off.
pub fn draw_gaps(map: &GapMap, options: &MapOptions) -> DrawnMap {
    draw(map, options, None)
}

/// Writes `suggest.svg`: the gap map of the existing stations with the suggested sites of
/// `layer` on top (numbered, coloured by rank, the blocks each newly covers outlined), its
/// title the share before and after, and their legend below the classes.
pub fn suggest_svg(map: &GapMap, layer: &PickLayer, options: &MapOptions) -> String {
    draw(map, options, Some(layer)).svg
}

/// The gap map, with the suggested sites of `layer` when given.
fn draw(map: &GapMap, options: &MapOptions, layer: Option<&PickLayer>) -> DrawnMap {
    let thresholds = &map.params.thresholds;
    let words = Words {
        lang: options.lang,
        unit: map.params.unit,
        weighted: map.blocks.weighted(),
    };
    let plane = Plane::new(map.blocks, map.projection);
    let stations = stations::place(map.stations, map.projection, map.base_stations);
    let entrances = || stations.iter().flat_map(|s| &s.points);
    let radius_m = thresholds[0].distance_m / map.params.detour.max(1.0);
    let circle_m = if map.streets.is_none() { radius_m } else { 0.0 };
    let sites = layer.map_or(&[][..], |l| l.sites);
    let frame = Frame::fit(frame::extent(
        plane.extent(),
        entrances().copied().chain(sites.iter().copied()),
        radius_m,
        circle_m,
    ));
    let classes = Classes::new(map.blocks, map.measured, thresholds);
    let mut header = Header::new(map, &words);
    if let Some(layer) = layer {
        header.title = picks::title(layer, options.lang);
    }
    let streets = map
        .streets
        .map(|report| reach::street_paths(report, thresholds, &frame));
    let drawn = streets
        .as_ref()
        .map(|s| std::array::from_fn(|k| !s[k].is_empty()));
    let legend = Legend::new(map, &classes, &stations, radius_m, drawn, words);
    let [legend_w, legend_h] = legend.size();
    let picks_h = if layer.is_some() { PICKS_LEGEND_H } else { 0.0 };
    let page = Page::new(
        &frame,
        [legend_w, legend_h + picks_h + furniture::FURNITURE_H],
        header.width(),
    );

    let mut o = String::with_capacity(1 << 16);
    page.open(&mut o, &header.title);
    header.draw(&mut o);
    frame.open(&mut o);
    context::draw(&mut o, map.context, map.projection, &frame);
    plane.draw(&mut o, &classes, &frame);
    match &streets {
        Some(by_kind) => reach::streets(&mut o, by_kind),
        None => reach::walksheds(&mut o, entrances(), radius_m, &frame),
    }
    if let Some(layer) = layer {
        picks::outlines(&mut o, layer, &plane, &frame);
    }
    let symbols = stations::draw(&mut o, &stations, &frame);
    if let Some(staffing) = map.staffing {
        stations::overloaded(&mut o, &stations, staffing, &frame);
    }
    let mut labels_dropped = Vec::new();
    if options.labels {
        let near = near_gap(map, &plane, &classes, &stations);
        labels_dropped = stations::labels(&mut o, &stations, &symbols, &near, &frame)
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    if let Some(layer) = layer {
        picks::sites(&mut o, layer, &frame);
    }
    frame.close(&mut o);
    legend.draw(&mut o, frame.legend_x(), frame.top);
    if let Some(layer) = layer {
        picks::legend(
            &mut o,
            layer,
            options.lang,
            frame.legend_x(),
            frame.top + legend_h,
        );
    }
    let below = frame.top + legend_h + picks_h + 6.0;
    furniture::north_and_scale(&mut o, &frame, &words, frame.legend_x(), below, legend_w);
    furniture::credits(&mut o, &page, map.version, options.attribution.as_deref());
    o.push_str("</svg>\n");
    DrawnMap {
        svg: o,
        labels_dropped,
    }
}

/// For each station, the residents (or blocks, unweighted) of gap blocks (beyond the first
/// threshold) about it: anchors are binned on a grid as wide as the first threshold's distance,
/// and the 3 × 3 cells about each entrance counted. Names of stations with more of the gap
/// about them are placed first.
fn near_gap(
    map: &GapMap,
    plane: &Plane,
    classes: &Classes,
    stations: &[stations::Placed],
) -> Vec<f64> {
    let thresholds = &map.params.thresholds;
    let cell_m = thresholds[0].distance_m.max(1.0);
    let cell = |p: &XY| {
        (
            (p[0] / cell_m).floor() as i64,
            (p[1] / cell_m).floor() as i64,
        )
    };
    let mut gaps: std::collections::HashMap<(i64, i64), f64> = std::collections::HashMap::new();
    for ((p, &k), b) in plane
        .anchors()
        .iter()
        .zip(&classes.of_block)
        .zip(map.blocks.blocks())
    {
        if classes::is_gap(k, thresholds.len()) && p[0].is_finite() && p[1].is_finite() {
            *gaps.entry(cell(p)).or_default() += b.population;
        }
    }
    stations
        .iter()
        .map(|s| {
            let mut cells: Vec<(i64, i64)> = s
                .points
                .iter()
                .flat_map(|p| {
                    let (cx, cy) = cell(p);
                    (-1..=1).flat_map(move |dx| (-1..=1).map(move |dy| (cx + dx, cy + dy)))
                })
                .collect();
            cells.sort_unstable();
            cells.dedup();
            cells.iter().filter_map(|c| gaps.get(c)).sum()
        })
        .collect()
}
