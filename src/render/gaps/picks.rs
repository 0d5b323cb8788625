//! `suggest.svg`: the gap map of the existing stations with the suggested sites on top, numbered
//! in the order picked and coloured by rank, and the blocks each one newly covers outlined in
//! its colour.

use std::fmt::Write as _;

use crate::project::XY;
use crate::render::svg::{self, px, write_paths};
use crate::render::Lang;

use super::blocks::Plane;
use super::frame::Frame;

/// The suggested sites to draw over a gap map.
#[derive(Debug, Clone, Copy)]
pub struct PickLayer<'a> {
    /// Each pick's position in the map's plane, metres, in rank order.
    pub sites: &'a [XY],
    /// For each pick, the blocks it newly covers.
    pub newly: &'a [Vec<u32>],
    /// The share (existing stations) before and after the picks, in [0, 1].
    pub shares: [f64; 2],
    /// The reach, metres.
    pub reach_m: f64,
}

/// Colour stops of the rank ramp, first pick to last (dark violet to orange, all readable on
/// the map's light background and distinct from the walking-time classes).
const RAMP: [[u8; 3]; 4] = [
    [0x3B, 0x0F, 0x70],
    [0x8C, 0x29, 0x81],
    [0xDE, 0x49, 0x68],
    [0xF0, 0x7A, 0x2A],
];

/// The colour of pick `rank` (0-based) of `n`.
pub fn rank_colour(rank: usize, n: usize) -> String {
    let t = if n > 1 {
        rank as f64 / (n - 1) as f64
    } else {
        0.0
    };
    let x = t * (RAMP.len() - 1) as f64;
    let k = (x.floor() as usize).min(RAMP.len() - 2);
    let f = x - k as f64;
    let c: Vec<u8> = (0..3)
        .map(|i| (RAMP[k][i] as f64 * (1.0 - f) + RAMP[k + 1][i] as f64 * f).round() as u8)
        .collect();
    format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2])
}

/// The map's title with the picks: `12 suggested sites: 300 m coverage 61.2% → 78.4%`.
pub(super) fn title(layer: &PickLayer, lang: Lang) -> String {
    let [a, b] = layer.shares;
    let n = layer.sites.len();
    let pct = |s: f64| format!("{:.1}%", s * 100.0);
    match lang {
        Lang::Zh => format!(
            "建议新增 {n} 处站点：{} 米覆盖率 {} → {}",
            layer.reach_m.round(),
            pct(a),
            pct(b)
        ),
        _ => format!(
            "{n} suggested site{}: coverage within {} m {} → {}",
            if n == 1 { "" } else { "s" },
            layer.reach_m.round(),
            pct(a),
            pct(b)
        ),
    }
}

/// Outlines the blocks each pick newly covers in its colour, last pick first so the first
/// picks' outlines sit on top.
pub(super) fn outlines(o: &mut String, layer: &PickLayer, plane: &Plane, frame: &Frame) {
    let n = layer.sites.len();
    for r in (0..n).rev() {
        let members: Vec<usize> = layer.newly[r].iter().map(|&b| b as usize).collect();
        let (rings, dots) = plane.class_paths(&members, frame);
        let colour = rank_colour(r, n);
        let _ = writeln!(
            o,
            "<g class=\"newly-covered\" data-rank=\"{}\" data-blocks=\"{}\">",
            r + 1,
            members.len()
        );
        write_paths(
            o,
            &rings,
            &format!("fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\""),
        );
        write_paths(o, &dots, &format!("fill=\"{colour}\""));
        o.push_str("</g>\n");
    }
}

/// Radius of a pick's disc, pixels.
const DISC: f64 = 9.0;

/// Draws each pick as a disc of its colour with its rank in white, last pick first.
pub(super) fn sites(o: &mut String, layer: &PickLayer, frame: &Frame) {
    let n = layer.sites.len();
    o.push_str(
        "<g class=\"picks\" font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\">\n",
    );
    for r in (0..n).rev() {
        let [x, y] = frame.px(layer.sites[r]);
        let _ = writeln!(
            o,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{DISC}\" fill=\"{}\" stroke=\"#FFF\" stroke-width=\"1.5\"/>",
            px(x),
            px(y),
            rank_colour(r, n)
        );
        svg::text(o, x, y + 3.5, "fill=\"#FFF\"", &(r + 1).to_string());
    }
    o.push_str("</g>\n");
}

/// The legend's lines for the picks: a ramp from the first pick to the last.
pub(super) fn legend(o: &mut String, layer: &PickLayer, lang: Lang, x: f64, y: f64) -> f64 {
    let n = layer.sites.len();
    let heading = match lang {
        Lang::Zh => "建议站点（按顺序）",
        _ => "Suggested sites, in order",
    };
    svg::text(
        o,
        x,
        y + 14.0,
        "font-size=\"13\" font-weight=\"bold\" fill=\"#111\"",
        heading,
    );
    let shown: Vec<usize> = match n {
        0 => Vec::new(),
        1..=3 => (0..n).collect(),
        _ => vec![0, n / 2, n - 1],
    };
    let mut yy = y + 24.0;
    for r in shown {
        let _ = writeln!(
            o,
            "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"{}\"/>",
            px(x + 8.0),
            px(yy + 8.0),
            rank_colour(r, n)
        );
        let label = match lang {
            Lang::Zh => format!("第 {} 处", r + 1),
            _ => format!("pick {}", r + 1),
        };
        svg::text(
            o,
            x + 22.0,
            yy + 12.0,
            "font-size=\"12\" fill=\"#222\"",
            &label,
        );
        yy += 20.0;
    }
    let note = match lang {
        Lang::Zh => "描边：该站点新覆盖的地块",
        _ => "outline: blocks it newly covers",
    };
    svg::text(o, x, yy + 12.0, "font-size=\"12\" fill=\"#444\"", note);
    yy + 20.0 - y
}
