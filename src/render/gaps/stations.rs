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
/// How base stations are drawn: filled black, a white rim.
pub(super) const BASE_STYLE: &str = "fill=\"#111\" stroke=\"#FFF\" stroke-width=\"1.3\"";
/// How added (proposed) stations are drawn: hollow, a thick black rim.
pub(super) const ADDED_STYLE: &str = "fill=\"#FFF\" stroke=\"#111\" stroke-width=\"2\"";

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
    /// Whether it was added to the base stations (`--add-stations`).
    pub added: bool,
}

/// `stations` in the plane of `projection`, in input order; those from index `base` on were
/// added to the base stations.
pub(super) fn place<'a>(
    stations: &'a [Station],
    projection: &Projection,
    base: usize,
) -> Vec<Placed<'a>> {
    stations
        .iter()
        .enumerate()
        .map(|(index, s)| Placed {
            added: index >= base,
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

/// Draws the station symbols, base stations then added ones (hollow), least important level
/// first so centres sit on top; returns the box of every symbol drawn, with its station's index.
pub(super) fn draw(o: &mut String, stations: &[Placed], frame: &Frame) -> Vec<(usize, Rect)> {
    let mut boxes = draw_set(o, stations, false, frame);
    if stations.iter().any(|s| s.added) {
        boxes.extend(draw_set(o, stations, true, frame));
    }
    boxes
}

/// Draws the base (`added` false) or the added stations.
fn draw_set(o: &mut String, stations: &[Placed], added: bool, frame: &Frame) -> Vec<(usize, Rect)> {
    let mut boxes: Vec<(usize, Rect)> = Vec::new();
    let (class, style) = if added {
        ("stations added", ADDED_STYLE)
    } else {
        ("stations", BASE_STYLE)
    };
    let _ = writeln!(o, "<g class=\"{class}\" {style} stroke-linejoin=\"round\">");
    for level in DRAWN_LEVELS.into_iter().rev() {
        let mut d = String::new();
        let mut count = 0;
        for s in stations
            .iter()
            .filter(|s| s.level == level && s.added == added)
        {
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

/// Draws station names by the first entrance: those with more of the gap about them first
/// (`near_gap`: residents of gap blocks nearby, by station index), then by level; each right of its symbol, else left, above, below or on a diagonal. A
/// name that would leave the map, overlap a name already placed or another station's symbol
/// (`symbols`) is left off; returns the names left off, in input order.
pub(super) fn labels<'a>(
    o: &mut String,
    stations: &[Placed<'a>],
    symbols: &[(usize, Rect)],
    near_gap: &[f64],
    frame: &Frame,
) -> Vec<&'a str> {
    let mut order: Vec<&Placed> = stations.iter().collect();
    order.sort_by(|a, b| {
        near_gap[b.index]
            .total_cmp(&near_gap[a.index])
            .then((drawn_rank(a.level), a.index).cmp(&(drawn_rank(b.level), b.index)))
    });
    let map_box = frame.rect();
    let mut placed: Vec<Rect> = Vec::new();
    let mut dropped: Vec<(usize, &'a str)> = Vec::new();
    o.push_str("<g class=\"labels\" font-size=\"11\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n");
    for s in order {
        let (Some(name), Some(p)) = (s.name, s.points.first()) else {
            continue;
        };
        let c = frame.px(*p);
        let tw = svg::text_width(name, LABEL_FONT);
        let spot = label_spots(c, tw, symbol_radius(s.level) + 2.0)
            .into_iter()
            .map(|(x, y)| (x, y, label_box(x, y, tw)))
            .find(|(_, _, b)| {
                let inside = b[0] >= map_box[0]
                    && b[1] >= map_box[1]
                    && b[2] <= map_box[2]
                    && b[3] <= map_box[3];
                inside
                    && !placed.iter().any(|q| overlaps(b, q))
                    && !symbols.iter().any(|(j, q)| *j != s.index && overlaps(b, q))
            });
        match spot {
            Some((x, y, b)) => {
                svg::text(o, x, y, "", name);
                placed.push(b);
            }
            None => dropped.push((s.index, name)),
        }
    }
    o.push_str("</g>\n");
    dropped.sort_by_key(|d| d.0);
    dropped.into_iter().map(|d| d.1).collect()
}

/// The box a label `tw` pixels wide takes with its text starting at `x` on baseline `y`.
pub(super) fn label_box(x: f64, y: f64, tw: f64) -> Rect {
    [x - 1.0, y - LABEL_FONT, x + tw + 1.0, y + LABEL_FONT * 0.3]
}

/// Where a label `tw` pixels wide may go about a symbol at `c` of radius `r` (pixels), in order
/// of preference: right, left, above, below, then the four diagonals; as (x of the text start,
/// baseline y).
fn label_spots(c: [f64; 2], tw: f64, r: f64) -> [(f64, f64); 8] {
    let mid = c[1] + LABEL_FONT * 0.35;
    let (up, down) = (c[1] - r - 2.0, c[1] + r + LABEL_FONT);
    [
        (c[0] + r, mid),
        (c[0] - r - tw, mid),
        (c[0] - tw / 2.0, up),
        (c[0] - tw / 2.0, down),
        (c[0] + r * 0.7, up),
        (c[0] - r * 0.7 - tw, up),
        (c[0] + r * 0.7, down),
        (c[0] - r * 0.7 - tw, down),
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
