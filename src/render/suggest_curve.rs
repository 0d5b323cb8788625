//! `suggest_curve.svg`: the covered share against the number of sites added, with the target.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::suggest::Suggestion;

use super::charts::{colour, err, font, title_area, ChartError, CHART_W, CURVE_H};
use super::gaps::rank_colour;
use super::{Lang, MapOptions};

/// The share of residents within `reach_m` with the first 0, 1, 2, … suggested sites added, a
/// dot per site in its rank colour, and the target share as a dashed line when one was given.
pub fn suggest_curve_svg(
    s: &Suggestion,
    target: Option<f64>,
    reach_m: f64,
    options: &MapOptions,
) -> Result<String, ChartError> {
    let zh = options.lang == Lang::Zh;
    let n = s.picks.len();
    let x_max = n.max(1) as f64;
    let points: Vec<(f64, f64)> = std::iter::once((0.0, s.base_share * 100.0))
        .chain(
            s.picks
                .iter()
                .enumerate()
                .map(|(k, p)| ((k + 1) as f64, p.share * 100.0)),
        )
        .collect();
    let title = if zh {
        format!("新增站点与 {} 米内居民覆盖率", reach_m.round())
    } else {
        format!(
            "Share of residents within {} m as sites are added",
            reach_m.round()
        )
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (CHART_W, CURVE_H)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let area = title_area(&root, &title)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(18)
            .margin_right(40)
            .x_label_area_size(52)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..x_max, 0f64..100f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(if zh { "新增站点数" } else { "sites added" })
            .y_desc(if zh {
                "覆盖居民比例"
            } else {
                "share of residents covered"
            })
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .x_label_formatter(&|v| {
                // Whole numbers of sites only (plotters may put ticks at halves).
                if (v - v.round()).abs() < 1e-9 {
                    format!("{}", v.round())
                } else {
                    String::new()
                }
            })
            .axis_desc_style(font(15.0))
            .label_style(font(13.0))
            .light_line_style(RGBColor(0xF5, 0xF5, 0xF5))
            .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
            .draw()
            .map_err(err)?;
        if let Some(t) = target {
            let y = t * 100.0;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, y), (x_max, y)],
                    6,
                    4,
                    RGBColor(0xC0, 0x39, 0x2B).stroke_width(2),
                ))
                .map_err(err)?;
            let label = if zh {
                format!("目标 {y:.1}%")
            } else {
                format!("target {y:.1}%")
            };
            let (px, py) = chart.backend_coord(&(0.0, y));
            let style = font(13.0).pos(Pos::new(HPos::Left, VPos::Top));
            root.draw(&Text::new(label, (px + 8, py + 6), style))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                points.clone(),
                RGBColor(0x11, 0x11, 0x11).stroke_width(2),
            ))
            .map_err(err)?;
        for (k, &(x, y)) in points.iter().enumerate() {
            let fill = if k == 0 {
                RGBColor(0x11, 0x11, 0x11).filled()
            } else {
                colour(&rank_colour(k - 1, n)).filled()
            };
            chart
                .draw_series(std::iter::once(Circle::new((x, y), 5, fill)))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}
