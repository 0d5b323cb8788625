//! `curve.svg` and `groups.svg`, drawn with plotters' SVG backend.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::config::ThresholdUnit;
use crate::levels::GroupLevels;
use crate::{Analysis, Coverage, Group, Level};

use super::gaps::{palette, GAP_COLOUR};
use super::svg::{text_width, xml_chars, FONT_FAMILY};
use super::words::{percent, Words};
use super::MapOptions;

/// What went wrong inside plotters (drawing into a string does not fail in practice).
pub(crate) type ChartError = Box<dyn std::error::Error + Send + Sync>;

/// Width of both charts, pixels.
pub(super) const CHART_W: u32 = 900;
/// Height of the coverage curve, pixels.
pub(super) const CURVE_H: u32 = 560;
/// At most this many groups are drawn (the worst-covered).
pub const GROUPS_SHOWN: usize = 40;
/// Height of one group's row, pixels.
pub(super) const GROUP_ROW: u32 = 26;
/// Width of one column of the group chart's level table (`--levels`), pixels.
const LEVEL_COL: u32 = 96;

pub(super) fn colour(hex: &str) -> RGBColor {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

pub(super) fn font(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size)
        .into_font()
        .color(&RGBColor(0x22, 0x22, 0x22))
}

/// The drawing area of a whole chart.
pub(super) type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A chart with two linear axes.
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws `title` at the top of `root` and returns the area below it.
pub(super) fn title_area<'a>(root: &Root<'a>, title: &str) -> Result<Root<'a>, ChartError> {
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(
        xml_chars(title),
        (w as i32 / 2, 14),
        font(22.0).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(err)?;
    Ok(root.margin(48, 0, 0, 0))
}

pub(super) fn err<E: std::error::Error + Send + Sync + 'static>(e: E) -> ChartError {
    Box::new(e)
}

/// The population share reached against walking minutes (or metres), from 0 to 3× the
/// largest threshold, with every threshold marked.
pub fn curve_svg(
    analysis: &Analysis,
    weighted: bool,
    options: &MapOptions,
) -> Result<String, ChartError> {
    let params = &analysis.params;
    let words = Words {
        lang: options.lang,
        unit: params.unit,
        weighted,
    };
    let x_of = |minutes: f64, distance_m: f64| match params.unit {
        ThresholdUnit::Minutes => minutes,
        ThresholdUnit::Metres => distance_m,
    };
    let last = params
        .thresholds
        .last()
        .map_or(1.0, |t| x_of(t.minutes, t.distance_m));
    let x_max = (3.0 * last).max(f64::MIN_POSITIVE);
    let colours = palette(params.thresholds.len());
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (CHART_W, CURVE_H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let area = title_area(&root, words.curve_title())?;
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .margin_right(40)
            .x_label_area_size(52)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..x_max, 0f64..100f64)
            .map_err(err)?;
        curve_mesh(&mut chart, &words)?;
        let points: Vec<(f64, f64)> = analysis
            .aggregates
            .walk_time
            .iter()
            .map(|r| {
                (
                    x_of(r.minutes, r.distance_m).min(x_max),
                    r.share_within * 100.0,
                )
            })
            .collect();
        chart
            .draw_series(LineSeries::new(
                points,
                RGBColor(0x11, 0x11, 0x11).stroke_width(2),
            ))
            .map_err(err)?;
        for (k, c) in analysis.aggregates.coverage.iter().enumerate() {
            let x = x_of(c.threshold.minutes, c.threshold.distance_m);
            let label = words.share_at(&c.threshold, c.share);
            threshold_mark(&root, &mut chart, (x, c.share * 100.0), &colours[k], label)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// The curve's axes and grid.
fn curve_mesh(chart: &mut Chart, words: &Words) -> Result<(), ChartError> {
    chart
        .configure_mesh()
        .x_desc(xml_chars(words.curve_x()))
        .y_desc(xml_chars(&words.share_axis(None)))
        .y_label_formatter(&|v| format!("{v:.0}%"))
        .x_label_formatter(&|v| format!("{}", (v * 100.0).round() / 100.0))
        .axis_desc_style(font(15.0))
        .label_style(font(13.0))
        .light_line_style(RGBColor(0xF5, 0xF5, 0xF5))
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .draw()
        .map_err(err)
}

/// A threshold's mark on the curve at `(x, y)` (y in percent): a dashed vertical line, a dot of
/// the threshold's `colour` at the share reached, and `label` beside it.
fn threshold_mark(
    root: &Root,
    chart: &mut Chart,
    (x, y): (f64, f64),
    colour_hex: &str,
    label: String,
) -> Result<(), ChartError> {
    let dark = RGBColor(0x55, 0x55, 0x55);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x, 0.0), (x, 100.0)],
            6,
            4,
            dark.stroke_width(1),
        ))
        .map_err(err)?;
    let fill = colour(colour_hex).filled();
    chart
        .draw_series(std::iter::once(Circle::new((x, y), 6, fill)))
        .map_err(err)?;
    let ring = RGBColor(0x11, 0x11, 0x11).stroke_width(1);
    chart
        .draw_series(std::iter::once(Circle::new((x, y), 6, ring)))
        .map_err(err)?;
    // Below the dot near the top, else above it.
    let below = y > 88.0;
    let v = if below { VPos::Top } else { VPos::Bottom };
    let style = font(13.0).pos(Pos::new(HPos::Left, v));
    let (px, py) = chart.backend_coord(&(x, y));
    let at = (px + 8, if below { py + 8 } else { py - 6 });
    root.draw(&Text::new(xml_chars(&label), at, style))
        .map_err(err)
}

/// Bars of the share per group at the first threshold, worst first, with the overall share as a
/// reference line, and with `--levels` a table right of them: each group's share served at each
/// level and at every level (complete); `None` when the analysis was not grouped.
pub fn groups_svg(
    analysis: &Analysis,
    field: &str,
    weighted: bool,
    options: &MapOptions,
) -> Result<Option<String>, ChartError> {
    let Some(groups) = analysis.aggregates.groups.as_ref() else {
        return Ok(None);
    };
    let words = Words {
        lang: options.lang,
        unit: analysis.params.unit,
        weighted,
    };
    let first = &analysis.aggregates.coverage[0];
    let shown = &groups[..groups.len().min(GROUPS_SHOWN)];
    let rows = shown.len().max(1);
    let names = group_names(shown, &words);
    let name_w = names
        .iter()
        .map(|n| text_width(n, 13.0))
        .fold(40.0f64, f64::max)
        .min(320.0);
    let height = 150 + GROUP_ROW * rows as u32;
    let levels = analysis.levels.as_ref().and_then(|l| l.groups.as_ref());
    let columns = levels.and_then(|l| l.first()).map_or(0, |g| g.levels.len());
    let table_w = LEVEL_COL * columns as u32;
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (CHART_W + table_w, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let area = title_area(&root, &words.groups_title(field, &first.threshold))?;
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .margin_top(30)
            .margin_right(150 + table_w)
            .x_label_area_size(52)
            .y_label_area_size((name_w + 16.0) as u32)
            .build_cartesian_2d(0f64..100f64, 0f64..rows as f64)
            .map_err(err)?;
        groups_mesh(&mut chart, &words, first)?;
        group_bars(&root, &mut chart, shown, &names, first.share, &words)?;
        if let Some(levels) = levels {
            level_table(&root, &chart, &levels[..shown.len()], &words)?;
        }
        overall_line(&root, &mut chart, first.share, rows as f64, &words)?;
        if groups.len() > shown.len() {
            root.draw(&Text::new(
                xml_chars(&words.groups_shown(shown.len(), groups.len())),
                (18, height as i32 - 8),
                font(12.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(Some(out))
}

/// The groups' names as the chart shows them: at most 28 characters, the 28th an ellipsis.
fn group_names(shown: &[Group], words: &Words) -> Vec<String> {
    shown
        .iter()
        .map(|g| {
            let name = g.name.as_deref().unwrap_or(words.no_value());
            if name.chars().count() > 28 {
                format!("{}…", name.chars().take(27).collect::<String>())
            } else {
                name.to_owned()
            }
        })
        .collect()
}

/// The group chart's share axis and grid, at the `first` threshold.
fn groups_mesh(chart: &mut Chart, words: &Words, first: &Coverage) -> Result<(), ChartError> {
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(xml_chars(&words.share_axis(Some(&first.threshold))))
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .axis_desc_style(font(15.0))
        .label_style(font(13.0))
        .light_line_style(RGBColor(0xF0, 0xF0, 0xF0))
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .draw()
        .map_err(err)
}

/// One bar per group in `shown`, top down, its name (`names`) left of it and its share and
/// residents right of it; a label that would cross the overall line (at `overall`, 0–1) moves
/// to the right of the line.
fn group_bars(
    root: &Root,
    chart: &mut Chart,
    shown: &[Group],
    names: &[String],
    overall: f64,
    words: &Words,
) -> Result<(), ChartError> {
    let (line_x, _) = chart.backend_coord(&(overall * 100.0, 0.0));
    let top = shown.len().max(1) as f64;
    let bar = colour(&palette(1)[0]);
    chart
        .draw_series(shown.iter().enumerate().map(|(i, g)| {
            let s = g.coverage[0].share * 100.0;
            let y0 = top - i as f64 - 0.82;
            Rectangle::new([(0.0, y0), (s, top - i as f64 - 0.18)], bar.filled())
        }))
        .map_err(err)?;
    for (i, (g, name)) in shown.iter().zip(names).enumerate() {
        let yc = top - i as f64 - 0.5;
        let (x, y) = chart.backend_coord(&(0.0, yc));
        let right = font(13.0).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(xml_chars(name), (x - 8, y), right))
            .map_err(err)?;
        let s = g.coverage[0].share;
        let (x, y) = chart.backend_coord(&(s * 100.0, yc));
        let label = format!(
            "{} · {}",
            percent(s, words.lang),
            words.population(g.population)
        );
        let w = text_width(&label, 12.0).ceil() as i32;
        let mut start = x + 6;
        if start <= line_x + 4 && start + w >= line_x - 4 {
            start = line_x + 6;
        }
        let left = font(12.0).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(xml_chars(&label), (start, y), left))
            .map_err(err)?;
    }
    Ok(())
}

/// The table right of the group bars (`--levels`): a column per level with a reach and one for
/// complete, a row per group shown (`levels`, in the bars' order), each cell a share.
fn level_table(
    root: &Root,
    chart: &Chart,
    levels: &[GroupLevels],
    words: &Words,
) -> Result<(), ChartError> {
    let top = levels.len().max(1) as f64;
    let (right, head_y) = chart.backend_coord(&(100.0, top));
    let x0 = right + 130;
    let centre = |k: usize| x0 + (LEVEL_COL as i32) * k as i32 + LEVEL_COL as i32 / 2;
    let Some(first) = levels.first() else {
        return Ok(());
    };
    root.draw(&Text::new(
        xml_chars(words.levels_served_heading()),
        (x0 + 8, head_y - 38),
        font(13.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))
    .map_err(err)?;
    // Each column's level, and its reach below it.
    let head = font(12.0).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (k, l) in first.levels.iter().enumerate() {
        let name = match Level::parse(l.level) {
            Some(level) => words.level(Some(level)),
            None => words.complete_column(),
        };
        root.draw(&Text::new(
            xml_chars(name),
            (centre(k), head_y - 20),
            head.clone(),
        ))
        .map_err(err)?;
        if let Some(r) = l.reach_m {
            let reach = format!("≤ {}", words.metres(r));
            root.draw(&Text::new(
                xml_chars(&reach),
                (centre(k), head_y - 6),
                head.clone(),
            ))
            .map_err(err)?;
        }
    }
    let cell = font(12.0).pos(Pos::new(HPos::Center, VPos::Center));
    for (i, g) in levels.iter().enumerate() {
        let (_, y) = chart.backend_coord(&(0.0, top - i as f64 - 0.5));
        for (k, l) in g.levels.iter().enumerate() {
            let text = percent(l.share, words.lang);
            root.draw(&Text::new(text, (centre(k), y), cell.clone()))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The overall share (`share`, 0–1) as a dashed reference line up to `top`, labelled.
fn overall_line(
    root: &Root,
    chart: &mut Chart,
    share: f64,
    top: f64,
    words: &Words,
) -> Result<(), ChartError> {
    let reference = colour(GAP_COLOUR);
    let overall = share * 100.0;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(overall, 0.0), (overall, top)],
            6,
            4,
            reference.stroke_width(2),
        ))
        .map_err(err)?;
    let (x, y) = chart.backend_coord(&(overall, top));
    let style = font(13.0)
        .color(&reference)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new(
        xml_chars(&words.overall(share)),
        (x + 4, y - 4),
        style,
    ))
    .map_err(err)
}
