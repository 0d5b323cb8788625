//! The reach layer, over the blocks: in network mode the streets reached, coloured by walking
//! time; in straight-line mode each station's walkshed circle; or, with `--reach bands`, the
//! service-area bands.

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

/// Draws the streets reached: grey where beyond the last threshold (or reached from one end
/// only), else in the colour (`colours`) of the band of their mid-point's walking distance.
/// Segments that snap to a point or repeat one already drawn are left out.
pub(super) fn streets(
    o: &mut String,
    report: &NetworkReport,
    thresholds: &[Threshold],
    colours: &[String],
    frame: &Frame,
) {
    let by_class = street_paths(report, thresholds, frame);
    let n = thresholds.len();
    let _ = writeln!(
        o,
        "<g class=\"streets\" fill=\"none\" stroke-linecap=\"round\">"
    );
    write_paths(o, &by_class[n], "stroke=\"#BDBDBD\" stroke-width=\"0.7\"");
    for k in (0..n).rev() {
        let attrs = format!(
            "data-class=\"{k}\" stroke=\"{}\" stroke-width=\"1.6\"",
            colours[k]
        );
        write_paths(o, &by_class[k], &attrs);
    }
    o.push_str("</g>\n");
}

/// The street segments as subpaths, per threshold band and then beyond the last.
fn street_paths(
    report: &NetworkReport,
    thresholds: &[Threshold],
    frame: &Frame,
) -> Vec<Vec<String>> {
    let n = thresholds.len();
    let last = thresholds[n - 1].distance_m;
    let mut by_class: Vec<Vec<String>> = vec![Vec::new(); n + 1];
    let mut seen: HashSet<(Tenths, Tenths)> = HashSet::new();
    let snap = |t: Tenths| {
        [
            (t[0] / STREET_GRID) * STREET_GRID,
            (t[1] / STREET_GRID) * STREET_GRID,
        ]
    };
    for (ends, dist) in &report.edges_reached {
        let (a, b) = (snap(frame.tenths(ends[0])), snap(frame.tenths(ends[1])));
        if a == b || !seen.insert(if a <= b { (a, b) } else { (b, a) }) {
            continue;
        }
        let k = match dist {
            [Some(x), Some(y)] if x.max(*y) <= last => band_of((x + y) / 2.0, thresholds),
            _ => n,
        };
        let mut s = String::new();
        push_line(&mut s, &[a, b]);
        by_class[k].push(s);
    }
    by_class
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
