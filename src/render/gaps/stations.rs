//! The station layer: a symbol per entrance by level, and station names placed where they
//! overlap nothing.

use std::fmt::Write as _;

use crate::capacity::Staffing;
use crate::levels::Level;
use crate::load::Station;
use crate::project::{Projection, XY};
use crate::render::svg::{self, push_ring, px, to_tenths, Tenths};
use crate::render::words::{drawn_level, drawn_rank, DRAWN_LEVELS};

use super::frame::{overlaps, Frame, Rect};

/// Label font size, pixels.
const LABEL_FONT: f64 = 11.0;

/// A station in the plane.
#[derive(Debug, Clone)]
pub(super) struct Placed<'a> {
    /// Its index among the stations.
    pub index: usize,
    /// Its level, which picks the symbol (`None`: missing or unknown, drawn as "other").
    pub level: Option<Level>,
    /// Its entrances, metres.
    pub points: Vec<XY>,
    /// Its name, if it has one that is not blank.
    pub name: Option<&'a str>,
}

/// `stations` in the plane of `projection`, in input order.
pub(super) fn place<'a>(stations: &'a [Station], projection: &Projection) -> Vec<Placed<'a>> {
    stations
        .iter()
        .enumerate()
        .map(|(index, s)| Placed {
            index,
            level: drawn_level(s.level.as_deref()),
            points: s
                .entrances
                .iter()
                .map(|p| projection.forward(p[0], p[1]))
                .collect(),
            name: s.name.as_deref().filter(|s| !s.trim().is_empty()),
        })
        .collect()
}

/// Draws the station symbols, least important level first so centres sit on top; returns the
/// box of every symbol drawn, with its station's index.
pub(super) fn draw(o: &mut String, stations: &[Placed], frame: &Frame) -> Vec<(usize, Rect)> {
    let mut boxes: Vec<(usize, Rect)> = Vec::new();
    o.push_str("<g class=\"stations\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"1.3\" stroke-linejoin=\"round\">\n");
    for level in DRAWN_LEVELS.into_iter().rev() {
        let mut d = String::new();
        let mut count = 0;
        for s in stations.iter().filter(|s| s.level == level) {
            for p in &s.points {
                let c = frame.px(*p);
                d.push_str(&symbol(level, c));
                let r = symbol_radius(level);
                boxes.push((s.index, [c[0] - r, c[1] - r, c[0] + r, c[1] + r]));
                count += 1;
            }
        }
        if count > 0 {
            let _ = writeln!(
                o,
                "<path data-level=\"{}\" data-stations=\"{count}\" d=\"{d}\"/>",
                level_key(level)
            );
        }
    }
    o.push_str("</g>\n");
    boxes
}

/// Colour of the ring around an overloaded station: Okabe–Ito vermilion.
pub(super) const OVERLOADED_COLOUR: &str = "#D55E00";

/// Draws a ring around every entrance of each station `staffing` finds overloaded.
pub(super) fn overloaded(o: &mut String, stations: &[Placed], staffing: &Staffing, frame: &Frame) {
    let over: Vec<&Placed> = stations
        .iter()
        .filter(|s| staffing.overloaded(s.index))
        .collect();
    if over.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<g class=\"overloaded\" data-stations=\"{}\" fill=\"none\" stroke=\"{OVERLOADED_COLOUR}\" stroke-width=\"2.2\">",
        over.len()
    );
    for s in over {
        for p in &s.points {
            let c = frame.px(*p);
            let r = symbol_radius(s.level) + 4.0;
            let _ = writeln!(
                o,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
                px(c[0]),
                px(c[1]),
                px(r)
            );
        }
    }
    o.push_str("</g>\n");
}

/// Draws station names, most important first, by the first entrance: right of the symbol, else
/// left, above or below; a name that would leave the map, overlap a name already placed or
/// another station's symbol (`symbols`) is skipped.
pub(super) fn labels(
    o: &mut String,
    stations: &[Placed],
    symbols: &[(usize, Rect)],
    frame: &Frame,
) {
    let mut order: Vec<&Placed> = stations.iter().collect();
    order.sort_by_key(|s| (drawn_rank(s.level), s.index));
    let map_box = frame.rect();
    let mut placed: Vec<Rect> = Vec::new();
    o.push_str("<g class=\"labels\" font-size=\"11\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n");
    for s in order {
        let (Some(name), Some(p)) = (s.name, s.points.first()) else {
            continue;
        };
        let c = frame.px(*p);
        let tw = svg::text_width(name, LABEL_FONT);
        for (x, y) in label_spots(c, tw, symbol_radius(s.level) + 2.0) {
            let b: Rect = [x - 1.0, y - LABEL_FONT, x + tw + 1.0, y + LABEL_FONT * 0.3];
            let inside = b[0] >= map_box[0]
                && b[1] >= map_box[1]
                && b[2] <= map_box[2]
                && b[3] <= map_box[3];
            let clash = placed.iter().any(|q| overlaps(&b, q))
                || symbols
                    .iter()
                    .any(|(j, q)| *j != s.index && overlaps(&b, q));
            if inside && !clash {
                svg::text(o, x, y, "", name);
                placed.push(b);
                break;
            }
        }
    }
    o.push_str("</g>\n");
}

/// Where a label `tw` pixels wide may go about a symbol at `c` of radius `r` (pixels), in order
/// of preference: right, left, above, below; as (x of the text start, baseline y).
fn label_spots(c: [f64; 2], tw: f64, r: f64) -> [(f64, f64); 4] {
    [
        (c[0] + r, c[1] + LABEL_FONT * 0.35),
        (c[0] - r - tw, c[1] + LABEL_FONT * 0.35),
        (c[0] - tw / 2.0, c[1] - r - 2.0),
        (c[0] - tw / 2.0, c[1] + r + LABEL_FONT),
    ]
}

/// A station symbol of `level` centred on `c` (pixels), as a closed path.
pub(super) fn symbol(level: Option<Level>, c: [f64; 2]) -> String {
    let t = |x: f64, y: f64| -> Tenths { [to_tenths(c[0] + x), to_tenths(c[1] + y)] };
    let mut d = String::new();
    match level {
        Some(Level::Center) => {
            let pts: Vec<Tenths> = (0..10)
                .map(|k| {
                    let a = std::f64::consts::PI * (k as f64) / 5.0 - std::f64::consts::FRAC_PI_2;
                    let r = if k % 2 == 0 { 9.5 } else { 4.0 };
                    t(r * a.cos(), r * a.sin())
                })
                .collect();
            push_ring(&mut d, &pts);
        }
        Some(Level::Subcenter) => push_ring(
            &mut d,
            &[t(0.0, -7.5), t(7.5, 0.0), t(0.0, 7.5), t(-7.5, 0.0)],
        ),
        Some(Level::Station) => {
            let r = svg::tenths(to_tenths(5.0));
            let _ = write!(
                d,
                "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0z",
                px(c[0] - 5.0),
                px(c[1]),
                svg::tenths(to_tenths(10.0)),
                svg::tenths(to_tenths(10.0))
            );
        }
        Some(Level::Point) => push_ring(&mut d, &[t(0.0, -5.5), t(5.0, 3.5), t(-5.0, 3.5)]),
        None => push_ring(
            &mut d,
            &[t(-3.5, -3.5), t(3.5, -3.5), t(3.5, 3.5), t(-3.5, 3.5)],
        ),
    }
    d
}

/// Half the size of a level's symbol, pixels (for label placement).
fn symbol_radius(level: Option<Level>) -> f64 {
    match level {
        Some(Level::Center) => 9.5,
        Some(Level::Subcenter) => 7.5,
        Some(Level::Station) => 5.0,
        Some(Level::Point) => 5.5,
        None => 3.5,
    }
}

/// The `data-level` key of a level.
fn level_key(level: Option<Level>) -> &'static str {
    level.map_or("other", Level::name)
}
