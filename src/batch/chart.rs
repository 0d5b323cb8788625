//! `batch.svg`: the scenarios' coverage shares side by side, one group of bars per threshold,
//! each bar labelled with its share and a legend naming the scenarios.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::render::{xml_chars, FONT_FAMILY as FONT};

use super::table::Row;

/// Colours of the scenarios (Tableau 10), in batch order, repeating after ten.
const COLOURS: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// Horizontal pixels per bar.
const BAR_PX: u32 = 28;
/// Pixels between threshold groups.
const GAP_PX: u32 = 36;

/// An estimate of a label's width in pixels at `size` (CJK characters count double).
fn text_px(s: &str, size: u32) -> u32 {
    let units: u32 = s
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum();
    units * size * 6 / 10
}

/// The label of a threshold row.
fn threshold_label(r: &Row) -> String {
    match r.label.strip_suffix('m') {
        Some(m) => format!("{m} m"),
        None => format!("{} min ({} m)", r.label, super::table::num(r.distance_m)),
    }
}

/// Draws the chart of `rows` (successful scenarios, in batch order) as SVG text.
pub(super) fn batch_svg(rows: &[Row]) -> Result<String> {
    let mut scenarios: Vec<&str> = Vec::new();
    let mut thresholds: Vec<(f64, String)> = Vec::new();
    for r in rows {
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
        if !thresholds.iter().any(|(d, _)| *d == r.distance_m) {
            thresholds.push((r.distance_m, threshold_label(r)));
        }
    }
    thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = scenarios.len().max(1) as u32;
    let n = thresholds.len().max(1) as u32;
    let legend_w = scenarios
        .iter()
        .map(|s| text_px(s, 14))
        .max()
        .unwrap_or(0)
        .clamp(80, 320)
        + 44;
    let plot_w = (n * (k * BAR_PX + GAP_PX)).max(360);
    let width = 80 + plot_w + 20 + legend_w;
    let height = 460;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw(&root, rows, &scenarios, &thresholds, legend_w).map_err(|e| Error::Write {
            path: "batch.svg".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
    }
    Ok(svg)
}

type DrawResult = std::result::Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn draw(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    rows: &[Row],
    scenarios: &[&str],
    thresholds: &[(f64, String)],
    legend_w: u32,
) -> DrawResult {
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let (plot, legend) = root.split_horizontally(w - legend_w);
    let n = thresholds.len().max(1) as f64;
    let k = scenarios.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            "Share of residents within walking distance, by scenario",
            (FONT, 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..n, 0f64..1.05)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_labels(11)
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .y_desc("share of residents")
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()?;

    // Bars fill 80 % of each threshold's slot; each takes 90 % of its own width.
    let slot = 0.8 / k;
    let value_style =
        TextStyle::from((FONT, 11).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (j, name) in scenarios.iter().enumerate() {
        let colour = COLOURS[j % COLOURS.len()];
        for r in rows.iter().filter(|r| r.scenario == *name) {
            let Some(i) = thresholds.iter().position(|(d, _)| *d == r.distance_m) else {
                continue;
            };
            let x0 = i as f64 + 0.1 + j as f64 * slot;
            let x1 = x0 + slot * 0.9;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, 0.0), (x1, r.share)],
                colour.filled(),
            )))?;
            let (px, py) = chart.backend_coord(&((x0 + x1) / 2.0, r.share));
            plot.draw(&Text::new(
                format!("{:.0}%", r.share * 100.0),
                (px, py - 2),
                value_style.clone(),
            ))?;
        }
    }
    let label_style =
        TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, (_, label)) in thresholds.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        plot.draw(&Text::new(
            xml_chars(label),
            (px, py + 8),
            label_style.clone(),
        ))?;
    }

    let heading = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    legend.draw(&Text::new("scenario", (8, 48), heading.clone()))?;
    for (j, name) in scenarios.iter().enumerate() {
        let y = 74 + 22 * j as i32;
        let colour = COLOURS[j % COLOURS.len()];
        legend.draw(&Rectangle::new([(8, y - 7), (22, y + 7)], colour.filled()))?;
        legend.draw(&Text::new(xml_chars(name), (30, y), heading.clone()))?;
    }
    root.present()?;
    Ok(())
}
