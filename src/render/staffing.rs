//! `capacity.svg`: the stations ranked by load per unit of capacity (the residents for whom each
//! is the nearest station within the first threshold, per volunteer say), with `--max-load`
//! drawn as a limit. Drawn with plotters, like the other charts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::capacity::Staffing;
use crate::report::fmt_num;
use crate::Analysis;

use super::charts::{
    colour, err, font, title_area, Chart, ChartError, Root, CHART_W, GROUPS_SHOWN, GROUP_ROW,
};
use super::gaps::{palette, GAP_COLOUR};
use super::words::Words;
use super::MapOptions;

/// One station's bar.
struct Bar {
    /// Its id.
    id: String,
    /// Residents per unit of capacity (infinite: load without capacity).
    load: f64,
    /// Its capacity.
    capacity: f64,
    /// Whether it is beyond the limit.
    over: bool,
}

/// The stations with a load per unit of capacity, worst first (ties in input order), at most
/// [`GROUPS_SHOWN`].
fn bars(analysis: &Analysis, staffing: &Staffing) -> Vec<Bar> {
    let mut bars: Vec<Bar> = analysis
        .stations
        .iter()
        .enumerate()
        .filter_map(|(j, s)| {
            Some(Bar {
                id: s.id.clone(),
                load: staffing.load_per_capacity[j]?,
                capacity: staffing.capacity[j],
                over: staffing.overloaded(j),
            })
        })
        .collect();
    bars.sort_by(|a, b| b.load.total_cmp(&a.load));
    bars.truncate(GROUPS_SHOWN);
    bars
}

/// `capacity.svg` of an analysis with capacity; `None` without.
pub fn capacity_svg(
    analysis: &Analysis,
    options: &MapOptions,
) -> Result<Option<String>, ChartError> {
    let Some(staffing) = analysis.capacity.as_ref() else {
        return Ok(None);
    };
    let words = Words {
        lang: options.lang,
        unit: analysis.params.unit,
        weighted: true,
    };
    let bars = bars(analysis, staffing);
    let finite_max = bars
        .iter()
        .map(|b| b.load)
        .filter(|l| l.is_finite())
        .fold(0.0f64, f64::max);
    let x_max = (finite_max.max(staffing.max_load.unwrap_or(0.0)) * 1.2).max(1.0);
    let rows = bars.len().max(1);
    let height = 150 + GROUP_ROW * rows as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (CHART_W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let area = title_area(&root, &words.capacity_title(&staffing.field))?;
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .margin_top(30)
            .margin_right(170)
            .x_label_area_size(52)
            .y_label_area_size(120)
            .build_cartesian_2d(0f64..x_max, 0f64..rows as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(words.capacity_axis())
            .x_label_formatter(&|v| fmt_num(*v, 0))
            .axis_desc_style(font(15.0))
            .label_style(font(13.0))
            .light_line_style(RGBColor(0xF0, 0xF0, 0xF0))
            .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
            .draw()
            .map_err(err)?;
        draw_bars(&root, &mut chart, &bars, x_max, &staffing.field)?;
        if let Some(limit) = staffing.max_load {
            limit_line(&root, &mut chart, limit, rows as f64, &words)?;
        }
        root.present().map_err(err)?;
    }
    Ok(Some(out))
}

/// One bar per station, top down, its id left of it and its load and capacity right of it.
fn draw_bars(
    root: &Root,
    chart: &mut Chart,
    bars: &[Bar],
    x_max: f64,
    field: &str,
) -> Result<(), ChartError> {
    let top = bars.len().max(1) as f64;
    let under = colour(&palette(1)[0]);
    let over = colour(GAP_COLOUR);
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            let x = if b.load.is_finite() { b.load } else { x_max };
            let fill = if b.over { over } else { under };
            let y = top - i as f64;
            Rectangle::new([(0.0, y - 0.82), (x, y - 0.18)], fill.filled())
        }))
        .map_err(err)?;
    for (i, b) in bars.iter().enumerate() {
        let yc = top - i as f64 - 0.5;
        let (x, y) = chart.backend_coord(&(0.0, yc));
        let right = font(13.0).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(b.id.clone(), (x - 8, y), right))
            .map_err(err)?;
        let end = if b.load.is_finite() { b.load } else { x_max };
        let (x, y) = chart.backend_coord(&(end, yc));
        let load = if b.load.is_finite() {
            fmt_num(b.load, 0)
        } else {
            "∞".to_owned()
        };
        let label = format!("{load} · {} {field}", fmt_num(b.capacity, 0));
        let left = font(12.0).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(label, (x + 6, y), left))
            .map_err(err)?;
    }
    Ok(())
}

/// `--max-load` as a dashed line up to `top`, labelled.
fn limit_line(
    root: &Root,
    chart: &mut Chart,
    limit: f64,
    top: f64,
    words: &Words,
) -> Result<(), ChartError> {
    let red = colour(GAP_COLOUR);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(limit, 0.0), (limit, top)],
            6,
            4,
            red.stroke_width(2),
        ))
        .map_err(err)?;
    let (x, y) = chart.backend_coord(&(limit, top));
    let style = font(13.0)
        .color(&red)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new(words.limit(limit), (x + 4, y - 4), style))
        .map_err(err)
}
