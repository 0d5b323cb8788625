//! Stage 6b, **render**: SVG maps and charts a planner can hand on.
//!
//! - `gaps.svg`, the gap map ([`gaps_svg`]): blocks filled by walking-time class, stations by
//!   level, straight-line walksheds (or, in network mode, the streets reached, coloured by
//!   walking time), legend with the population per class, scale bar, north arrow, title and
//!   attribution. Drawn in the analysis' metric plane, so distances read true.
//! - `curve.svg` ([`curve_svg`]): the share of residents reached against walking time.
//! - `groups.svg` ([`groups_svg`]), when grouping: the share per group, worst first.
//! - `levels.svg` ([`levels_svg`]), with `--levels`: which levels each block lacks.
//! - `capacity.svg` ([`capacity_svg`]), with `--capacity`: stations ranked by load per unit of
//!   capacity, with `--max-load` drawn.
//! - `report.html` ([`report_html`]): one self-contained page with the answer, the map, the
//!   curve, the groups, the stations and the method, printable on A4.
//!
//! Labels come in English or Chinese ([`Lang`]); every text carries a font-family list with CJK
//! fallbacks ([`FONT_FAMILY`]). Output is deterministic: the same inputs give byte-identical
//! files.
//!
//! # Size
//!
//! The gap map merges all blocks of a class into a few `<path>` elements, writes coordinates in
//! tenths of a pixel as relative moves, drops vertices closer than 0.8 px to the last kept one,
//! and draws blocks under 2.5 px across as square dots, one per pixel cell and size. The block layer therefore
//! grows with the drawn detail, not with the data: at 100,000 blocks it stays within a few
//! megabytes (the integration tests hold it to 4 MB).

mod charts;
mod gaps;
pub(crate) mod html;
mod png;
mod staffing;
mod suggest_curve;
mod svg;
pub(crate) mod words;

pub use charts::{curve_svg, groups_svg};
pub use gaps::{
    change_svg, draw_gaps, gaps_svg, levels_svg, suggest_svg, DrawnMap, GapMap, PickLayer,
    GAP_COLOUR, OFF_NETWORK_COLOUR,
};
pub use html::report_html;
pub use png::{svg_to_png, PNG_SCALE};
pub use staffing::capacity_svg;
pub use suggest_curve::suggest_curve_svg;
pub(crate) use svg::escape;
pub use svg::text_width;
pub use svg::FONT_FAMILY;

use crate::error::{Error, Result};
use crate::load::{BlockSet, ContextLayer};
use crate::publish::Staged;
use crate::report::Summary;
use crate::Analysis;

/// The attribution printed in a corner of the gap map unless [`MapOptions::attribution`] says
/// otherwise.
pub const DEFAULT_ATTRIBUTION: &str = "Map data © OpenStreetMap contributors, ODbL";

/// Language of map labels and legends: `en` or `zh` on the command line and in a batch file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase", expecting = "\"en\" or \"zh\"")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

/// Options for maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapOptions {
    /// Put station names on the gap map (leaving off labels that would overlap; those near a
    /// gap are placed first).
    pub labels: bool,
    /// Language of labels.
    pub lang: Lang,
    /// The data attribution printed in the gap map's bottom-right corner; `None` prints none.
    /// Defaults to [`DEFAULT_ATTRIBUTION`].
    pub attribution: Option<String>,
    /// The name the groups go by in titles (`--group-label`, e.g. 居委会); `None` uses the
    /// `--group-by` field.
    pub group_label: Option<String>,
    /// Context files (`--context`): lines and polygons drawn under the blocks, read (as
    /// [`ContextLayer`](crate::ContextLayer)s) with the other inputs.
    pub context: Vec<std::path::PathBuf>,
    /// Also write each SVG as a PNG at twice its size (`--png`, see [`svg_to_png`]).
    pub png: bool,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            labels: false,
            lang: Lang::En,
            attribution: Some(DEFAULT_ATTRIBUTION.to_owned()),
            group_label: None,
            context: Vec::new(),
            png: false,
        }
    }
}

/// A chart that plotters failed to draw, as a write error of `name`.
fn chart_error(name: &str, e: charts::ChartError) -> Error {
    Error::Write {
        path: name.into(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// The maps and charts of one analysis, drawn and not yet written.
#[derive(Debug, Clone, PartialEq)]
pub struct Maps {
    /// File names and SVG texts: `gaps.svg`, `curve.svg`, and `groups.svg` when grouping (and
    /// `change.svg` with added stations, when the run adds it).
    pub files: Vec<(&'static str, String)>,
    /// Station names left off the gap map because they would overlap (with `--labels`).
    pub labels_dropped: Vec<String>,
}

impl Maps {
    /// Stages every file, each with its PNG when `png`.
    pub(crate) fn stage(&self, staged: &mut Staged, png: bool) -> Result<()> {
        for (name, text) in &self.files {
            stage_svg(staged, name, text, png)?;
        }
        Ok(())
    }
}

/// Stages the SVG `text` as `name`, and when `png` its PNG (`gaps.svg` → `gaps.png`).
pub(crate) fn stage_svg(staged: &mut Staged, name: &str, text: &str, png: bool) -> Result<()> {
    staged.add(name, |w| w.write_all(text.as_bytes()))?;
    if png {
        let png_name = png::png_name(name);
        let bytes = svg_to_png(text).map_err(|e| Error::Write {
            path: png_name.clone().into(),
            source: std::io::Error::other(e),
        })?;
        staged.add(&png_name, |w| w.write_all(&bytes))?;
    }
    Ok(())
}

/// Draws `gaps.svg`, `curve.svg` and (when grouping) `groups.svg`.
///
/// `blocks` should hold the block outlines (read with
/// [`BlockFields::keep_outlines`](crate::BlockFields::keep_outlines)); without them blocks are drawn
/// as points at their anchors. In network mode the streets come from the measurement's
/// [`NetworkReport`](crate::NetworkReport). The gap map credits the version in
/// `summary`, draws the stations added to its first station file hollow, and the `context`
/// layers under the blocks.
pub fn draw_maps(
    analysis: &Analysis,
    blocks: &BlockSet,
    context: &[ContextLayer],
    summary: &Summary,
    options: &MapOptions,
) -> Result<Maps> {
    let mut map = GapMap::new(analysis, blocks, summary.tool.version);
    map.context = context;
    if let Some(&base) = summary.inputs.station_counts.first() {
        map.base_stations = base;
    }
    let gaps = draw_gaps(&map, options);
    let mut files = vec![("gaps.svg", gaps.svg)];
    if let Some(levels) = &analysis.levels {
        files.push(("levels.svg", levels_svg(&map, levels, options)));
    }
    let curve =
        curve_svg(analysis, blocks.weighted(), options).map_err(|e| chart_error("curve.svg", e))?;
    files.push(("curve.svg", curve));
    let field = options
        .group_label
        .as_deref()
        .or(blocks.fields().group_by.as_deref())
        .unwrap_or("group");
    if let Some(groups) = groups_svg(analysis, field, blocks.weighted(), options)
        .map_err(|e| chart_error("groups.svg", e))?
    {
        files.push(("groups.svg", groups));
    }
    if let Some(chart) =
        capacity_svg(analysis, options).map_err(|e| chart_error("capacity.svg", e))?
    {
        files.push(("capacity.svg", chart));
    }
    Ok(Maps {
        files,
        labels_dropped: gaps.labels_dropped,
    })
}

/// Draws `change.svg`: what `change` makes of the blocks, on the map of `analysis` (the
/// analysis after), its title starting with `heading`; the `context` layers under the blocks.
pub(crate) fn draw_change(
    analysis: &Analysis,
    blocks: &BlockSet,
    context: &[ContextLayer],
    change: &crate::Change,
    heading: &str,
    options: &MapOptions,
) -> String {
    let mut map = GapMap::new(analysis, blocks, env!("CARGO_PKG_VERSION"));
    map.context = context;
    change_svg(&map, change, heading, options)
}

/// The title's start of a single run's `change.svg`.
pub(crate) fn proposal_heading(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "新增站点",
        Lang::En => "Proposed stations",
    }
}

/// Stages `suggest.svg` (the gap map of the existing stations with the picks) and
/// `suggest_curve.svg` (the share against the number of sites added); the `context` layers lie
/// under the blocks.
pub(crate) fn stage_suggest_maps(
    staged: &mut Staged,
    suggested: &crate::suggest::job::Suggested,
    blocks: &BlockSet,
    context: &[ContextLayer],
    summary: &Summary,
    job: &crate::suggest::job::SuggestJob,
    options: &MapOptions,
) -> Result<()> {
    let s = &suggested.suggestion;
    let analysis = &suggested.analysis;
    let sites: Vec<crate::project::XY> = s
        .picks
        .iter()
        .map(|p| suggested.candidates[p.candidate as usize].xy)
        .collect();
    let last = s.picks.last().map_or(s.base_share, |p| p.share);
    let layer = PickLayer {
        sites: &sites,
        newly: &suggested.newly,
        shares: [s.base_share, last],
        reach_m: suggested.reach_m,
    };
    let mut gap_map = GapMap::new(analysis, blocks, summary.tool.version);
    gap_map.context = context;
    let map = suggest_svg(&gap_map, &layer, options);
    stage_svg(staged, "suggest.svg", &map, options.png)?;
    let curve = suggest_curve_svg(s, job.goal.target_share, suggested.reach_m, options)
        .map_err(|e| chart_error("suggest_curve.svg", e))?;
    stage_svg(staged, "suggest_curve.svg", &curve, options.png)
}
