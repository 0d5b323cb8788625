//! `batch.svg`: the scenarios' coverage shares side by side (one group of bars per threshold,
//! each bar labelled with its share to one decimal), and with a diff the residents each
//! scenario gains against its base, ranked, so the proposal that helps most is on top.
//!
//! Written directly as SVG text, in the batch's language, with the Okabe–Ito palette (safe for
//! every kind of colour blindness).

use std::fmt::Write as _;

use crate::render::{escape, Lang, FONT_FAMILY};
use crate::report::fmt_num;

use super::diff::{Diff, Scope};
use super::table::Row;

/// Colours of the scenarios (Okabe–Ito), in batch order, repeating after eight.
const COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// Horizontal pixels per bar.
const BAR_PX: f64 = 34.0;
/// Pixels between threshold groups.
const GAP_PX: f64 = 36.0;
/// Height of the shares panel's plot, pixels.
const PLOT_H: f64 = 280.0;
/// Height of one row of the gains panel, pixels.
const GAIN_ROW: f64 = 30.0;

/// An estimate of a label's width in pixels at `size` (CJK characters count double).
fn text_px(s: &str, size: f64) -> f64 {
    crate::report::display_width(s) as f64 * size * 0.6
}

/// The words of the chart.
struct Words {
    lang: Lang,
}

impl Words {
    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    fn title(&self) -> &'static str {
        if self.zh() {
            "各方案步行可达居民比例"
        } else {
            "Share of residents within walking distance, by scenario"
        }
    }
    fn axis(&self) -> &'static str {
        if self.zh() {
            "可达居民比例"
        } else {
            "share of residents"
        }
    }
    fn scenario(&self) -> &'static str {
        if self.zh() {
            "方案"
        } else {
            "scenario"
        }
    }
    fn threshold(&self, r: &Row) -> String {
        match (r.label.strip_suffix('m'), self.zh()) {
            (Some(_), false) => format!("{} m", fmt_num(r.distance_m, 0)),
            (Some(_), true) => format!("{} 米", fmt_num(r.distance_m, 0)),
            (None, false) => format!("{} min ({} m)", r.label, fmt_num(r.distance_m, 0)),
            (None, true) => format!("{} 分钟（{} 米）", r.label, fmt_num(r.distance_m, 0)),
        }
    }
    fn gains_title(&self, within: &str) -> String {
        if self.zh() {
            format!("相对基准方案新增覆盖居民（{within}内），按多少排序")
        } else {
            format!("Residents gained against the base, within {within}, most first")
        }
    }
    fn versus(&self, base: &str) -> String {
        if self.zh() {
            format!("对比 {base}")
        } else {
            format!("vs {base}")
        }
    }
}

/// One share as a label: `70.4%`.
fn share_label(share: f64) -> String {
    format!("{}%", fmt_num(share * 100.0, 1))
}

/// A signed count of residents: `+1,234`, `−56`, `0`.
fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", fmt_num(x, 0))
    } else if x < 0.0 {
        format!("−{}", fmt_num(-x, 0))
    } else {
        "0".to_owned()
    }
}

/// A text element.
fn text(o: &mut String, x: f64, y: f64, attrs: &str, s: &str) {
    let _ = writeln!(
        o,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" {attrs}>{}</text>",
        escape(s)
    );
}

/// The gains of every scenario compared with a base at the diff's smallest threshold: (scenario,
/// base, net residents), most first, then by name; and that threshold's row label.
fn gains(diff: &Diff) -> (Vec<(&str, &str, f64)>, Option<f64>) {
    let first = diff
        .rows
        .iter()
        .filter(|r| r.scope == Scope::Total)
        .map(|r| r.distance_m)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
    let mut out: Vec<(&str, &str, f64)> = diff
        .rows
        .iter()
        .filter(|r| r.scope == Scope::Total && Some(r.distance_m) == first)
        .map(|r| (r.scenario.as_str(), r.base.as_str(), r.net))
        .collect();
    out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(b.0)));
    (out, first)
}

/// Draws the chart of `rows` (successful scenarios, in batch order), with the gains of `diff`
/// when given, in `lang`, as SVG text.
pub(super) fn batch_svg(rows: &[Row], diff: Option<&Diff>, lang: Lang) -> String {
    let words = Words { lang };
    let mut scenarios: Vec<&str> = Vec::new();
    let mut thresholds: Vec<(f64, String)> = Vec::new();
    for r in rows {
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
        if !thresholds.iter().any(|(d, _)| *d == r.distance_m) {
            thresholds.push((r.distance_m, words.threshold(r)));
        }
    }
    thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (gained, first) = diff.map(gains).unwrap_or_default();
    let k = scenarios.len().max(1) as f64;
    let n = thresholds.len().max(1) as f64;
    let legend_w = scenarios
        .iter()
        .map(|s| text_px(s, 14.0))
        .fold(80.0, f64::max)
        .min(320.0)
        + 44.0;
    let plot_w = (n * (k * BAR_PX + GAP_PX)).max(360.0);
    let (left, top) = (72.0, 60.0);
    let width = (left + plot_w + 24.0 + legend_w).max(640.0).ceil();
    let gains_top = top + PLOT_H + 70.0;
    let height = if gained.is_empty() {
        gains_top
    } else {
        gains_top + 40.0 + GAIN_ROW * gained.len() as f64 + 20.0
    }
    .ceil();

    let mut o = String::new();
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{FONT_FAMILY}\">"
    );
    let _ = writeln!(o, "<title>{}</title>", escape(words.title()));
    let _ = writeln!(
        o,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#FFFFFF\"/>"
    );
    text(
        &mut o,
        20.0,
        32.0,
        "font-size=\"18\" font-weight=\"bold\" fill=\"#111\"",
        words.title(),
    );

    // The shares panel: grid and axis, then one group of bars per threshold.
    let y_of = |share: f64| top + PLOT_H * (1.0 - share.clamp(0.0, 1.0));
    for step in 0..=10 {
        let v = step as f64 / 10.0;
        let y = y_of(v);
        let _ = writeln!(
            o,
            "<path d=\"M{left} {y:.1}h{plot_w:.1}\" stroke=\"{}\" stroke-width=\"1\"/>",
            if step == 0 { "#444" } else { "#E5E5E5" }
        );
        text(
            &mut o,
            left - 6.0,
            y + 4.0,
            "font-size=\"12\" fill=\"#333\" text-anchor=\"end\"",
            &format!("{}%", step * 10),
        );
    }
    let _ = writeln!(
        o,
        "<text transform=\"translate(18 {:.1}) rotate(-90)\" font-size=\"13\" fill=\"#333\" text-anchor=\"middle\">{}</text>",
        top + PLOT_H / 2.0,
        escape(words.axis())
    );
    let slot_w = plot_w / n;
    o.push_str("<g class=\"shares\">\n");
    for (j, name) in scenarios.iter().enumerate() {
        let colour = COLOURS[j % COLOURS.len()];
        for r in rows.iter().filter(|r| r.scenario == *name) {
            let Some(i) = thresholds.iter().position(|(d, _)| *d == r.distance_m) else {
                continue;
            };
            let x0 = left + i as f64 * slot_w + (slot_w - k * BAR_PX) / 2.0 + j as f64 * BAR_PX;
            let y = y_of(r.share);
            let _ = writeln!(
                o,
                "<rect data-scenario=\"{}\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                escape(name),
                x0 + 2.0,
                BAR_PX - 4.0,
                top + PLOT_H - y
            );
            text(
                &mut o,
                x0 + BAR_PX / 2.0,
                y - 4.0,
                "class=\"value\" font-size=\"10\" fill=\"#111\" text-anchor=\"middle\"",
                &share_label(r.share),
            );
        }
    }
    o.push_str("</g>\n");
    for (i, (_, label)) in thresholds.iter().enumerate() {
        let x = left + (i as f64 + 0.5) * slot_w;
        text(
            &mut o,
            x,
            top + PLOT_H + 22.0,
            "font-size=\"13\" fill=\"#111\" text-anchor=\"middle\"",
            label,
        );
    }
    let lx = left + plot_w + 24.0;
    text(
        &mut o,
        lx,
        top + 4.0,
        "font-size=\"14\" font-weight=\"bold\" fill=\"#111\"",
        words.scenario(),
    );
    for (j, name) in scenarios.iter().enumerate() {
        let y = top + 26.0 + 22.0 * j as f64;
        let _ = writeln!(
            o,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"{}\"/>",
            y - 11.0,
            COLOURS[j % COLOURS.len()]
        );
        text(&mut o, lx + 22.0, y, "font-size=\"14\" fill=\"#111\"", name);
    }

    let within = thresholds.iter().find(|(d, _)| Some(*d) == first);
    if let (false, Some((_, within))) = (gained.is_empty(), within) {
        draw_gains(
            &mut o, &words, &gained, within, &scenarios, gains_top, width,
        );
    }
    o.push_str("</svg>\n");
    o
}

/// The gains panel from `top` (pixels): one bar per scenario compared, most residents gained
/// first, in the scenario's colour, labelled with the count and its base.
fn draw_gains(
    o: &mut String,
    words: &Words,
    gained: &[(&str, &str, f64)],
    within: &str,
    scenarios: &[&str],
    top: f64,
    width: f64,
) {
    text(
        o,
        20.0,
        top,
        "font-size=\"16\" font-weight=\"bold\" fill=\"#111\"",
        &words.gains_title(within),
    );
    let name_w = gained
        .iter()
        .map(|g| text_px(g.0, 13.0))
        .fold(60.0, f64::max)
        .min(260.0);
    let zero = 20.0 + name_w + 12.0;
    let room = (width - zero - 200.0).max(120.0);
    let most = gained.iter().map(|g| g.2.abs()).fold(1.0, f64::max);
    let any_negative = gained.iter().any(|g| g.2 < 0.0);
    let (zero, scale) = if any_negative {
        (zero + room / 2.0, room / 2.0 / most)
    } else {
        (zero, room / most)
    };
    o.push_str("<g class=\"gains\">\n");
    for (i, (name, base, net)) in gained.iter().enumerate() {
        let y = top + 24.0 + GAIN_ROW * i as f64;
        let j = scenarios.iter().position(|s| s == name).unwrap_or(0);
        let w = net.abs() * scale;
        let x = if *net < 0.0 { zero - w } else { zero };
        text(o, 20.0, y + 15.0, "font-size=\"13\" fill=\"#111\"", name);
        let _ = writeln!(
            o,
            "<rect data-scenario=\"{}\" data-net=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"20\" fill=\"{}\"/>",
            escape(name),
            net,
            COLOURS[j % COLOURS.len()]
        );
        let label = format!("{} ({})", signed(*net), words.versus(base));
        let lx = if *net < 0.0 { zero + 6.0 } else { x + w + 6.0 };
        text(
            o,
            lx,
            y + 15.0,
            "class=\"gain\" font-size=\"12\" fill=\"#111\"",
            &label,
        );
    }
    let _ = writeln!(
        o,
        "<path d=\"M{zero:.1} {:.1}v{:.1}\" stroke=\"#444\" stroke-width=\"1\"/>",
        top + 18.0,
        GAIN_ROW * gained.len() as f64 + 6.0
    );
    o.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_have_one_decimal_and_signs() {
        assert_eq!(share_label(0.704), "70.4%");
        assert_eq!(share_label(0.699), "69.9%");
        assert_eq!(signed(1234.0), "+1,234");
        assert_eq!(signed(-56.0), "−56");
    }
}
