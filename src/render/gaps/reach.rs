//! The reach layer, over the blocks: in network mode the streets reached, coloured by walking
//! time, every piece of the network drawn; in straight-line mode each station's walkshed circle;
//! or, with `--reach bands`, the service-area bands.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::config::Threshold;
use crate::coverage::NetworkReport;
use crate::project::Projection;
use crate::render::svg::{self, push_line, push_ring, px, to_tenths, write_paths, Tenths};
use crate::service_areas::Band;

use super::classes::band_of;
use super::frame::Frame;

/// Street end points are snapped to this grid (tenths of a pixel) and repeated segments dropped.
const STREET_GRID: i64 = 5;

/// The kinds of street drawn, each with its stroke: reached within the first threshold (dark,
/// wide: they read on the blue and the vermilion blocks alike), reached within the last, and
/// beyond the last or not reached at all (light, thin: every piece of the network is drawn, so
/// blocks left without a station on their piece sit on visible streets).
pub(super) const STREET_KINDS: [(&str, &str); 3] = [
    ("within-first", "stroke=\"#1A1A1A\" stroke-width=\"1.6\""),
    (
        "within-last",
        "stroke=\"#5E5E5E\" stroke-width=\"1\" stroke-dasharray=\"4 2\"",
    ),
    ("beyond", "stroke=\"#9E9E9E\" stroke-width=\"0.7\""),
];

/// Draws the streets ([`street_paths`]), kind by kind, the nearest on top.
pub(super) fn streets(o: &mut String, by_kind: &[Vec<String>; 3]) {
    let _ = writeln!(
        o,
        "<g class=\"streets\" fill=\"none\" stroke-linecap=\"round\">"
    );
    for k in (0..3).rev() {
        let (key, stroke) = STREET_KINDS[k];
        write_paths(o, &by_kind[k], &format!("data-streets=\"{key}\" {stroke}"));
    }
    o.push_str("</g>\n");
}

/// The kind of street ([`STREET_KINDS`]) whose ends are `dist` metres from a station.
fn street_kind(dist: &[Option<f64>; 2], thresholds: &[Threshold]) -> usize {
    let n = thresholds.len();
    match dist {
        [Some(x), Some(y)] if x.max(*y) <= thresholds[n - 1].distance_m => {
            if band_of((x + y) / 2.0, thresholds) == 0 {
                0
            } else {
                1
            }
        }
        _ => 2,
    }
}

/// Every street of the network in the map as subpaths, per kind ([`STREET_KINDS`]): by how far
/// its ends are from a station. Segments outside the map, that snap to a point or repeat one
/// already drawn are left out.
pub(super) fn street_paths(
    report: &NetworkReport,
    thresholds: &[Threshold],
    frame: &Frame,
) -> [Vec<String>; 3] {
    let mut by_kind: [Vec<String>; 3] = Default::default();
    let mut seen: HashSet<(Tenths, Tenths)> = HashSet::new();
    let snap = |t: Tenths| {
        [
            (t[0] / STREET_GRID) * STREET_GRID,
            (t[1] / STREET_GRID) * STREET_GRID,
        ]
    };
    let r = frame.rect().map(to_tenths);
    let outside = |a: Tenths, b: Tenths| {
        (a[0] < r[0] && b[0] < r[0])
            || (a[0] > r[2] && b[0] > r[2])
            || (a[1] < r[1] && b[1] < r[1])
            || (a[1] > r[3] && b[1] > r[3])
    };
    for (ends, dist) in &report.edges_reached {
        let (a, b) = (snap(frame.tenths(ends[0])), snap(frame.tenths(ends[1])));
        if a == b || outside(a, b) || !seen.insert(if a <= b { (a, b) } else { (b, a) }) {
            continue;
        }
        let mut s = String::new();
        push_line(&mut s, &[a, b]);
        by_kind[street_kind(dist, thresholds)].push(s);
    }
    by_kind
}

/// Draws straight-line walksheds: a dashed circle of radius `radius_m` (metres) about every
/// station entrance in `points`.
pub(super) fn walksheds<'a>(
    o: &mut String,
    points: impl Iterator<Item = &'a [f64; 2]>,
    radius_m: f64,
    frame: &Frame,
) {
    let scale = frame.scale;
    let r = svg::tenths(to_tenths(radius_m * scale));
    let d2 = svg::tenths(to_tenths(2.0 * radius_m * scale));
    let mut d = String::new();
    for p in points {
        let c = frame.px(*p);
        let _ = write!(
            d,
            "M{} {}a{r} {r} 0 1 0 {d2} 0a{r} {r} 0 1 0 -{d2} 0z",
            px(c[0] - radius_m * scale),
            px(c[1])
        );
    }
    let _ = writeln!(
        o,
        "<path class=\"walksheds\" fill=\"none\" stroke=\"#222\" stroke-opacity=\"0.75\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\" d=\"{d}\"/>"
    );
}

/// Draws the service-area bands (WGS84, projected by `projection`): band `k` filled lightly in
/// the colour of threshold class `k`, without outlines (straight-line bands are made of tiles'
/// pieces, whose shared edges an outline would show).
pub(super) fn bands(
    o: &mut String,
    bands: &[Band],
    projection: &Projection,
    colours: &[String],
    frame: &Frame,
) {
    let _ = writeln!(o, "<g class=\"bands\" fill-rule=\"evenodd\">");
    for band in bands.iter().rev() {
        let k = band.band - 1;
        let mut rings: Vec<String> = Vec::new();
        for polygon in &band.geometry {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                let mut pts: Vec<Tenths> = ring
                    .coords()
                    .map(|c| frame.tenths(projection.forward(c.x, c.y)))
                    .collect();
                pts.dedup();
                if pts.len() >= 3 {
                    let mut d = String::new();
                    push_ring(&mut d, &pts);
                    rings.push(d);
                }
            }
        }
        let attrs = format!(
            "data-band=\"{}\" fill=\"{c}\" fill-opacity=\"0.3\"",
            band.band,
            c = colours[k]
        );
        write_paths(o, &rings, &attrs);
    }
    o.push_str("</g>\n");
}
