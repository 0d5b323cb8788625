//! The map's frame: its extent in the plane, the plane → pixel transform every layer draws
//! through, and the page around it.

use std::fmt::Write as _;

use crate::project::XY;

use crate::render::svg::{escape, px, to_tenths, Tenths, FONT_FAMILY};

/// Largest map panel, pixels.
const MAP_MAX: f64 = 820.0;
/// Margins, pixels.
pub(super) const MARGIN: f64 = 20.0;
/// Header height (title, two subtitle lines), pixels.
pub(super) const HEADER: f64 = 92.0;
/// Footer height (attribution), pixels.
const FOOTER: f64 = 34.0;
/// Gap between the map panel and the legend, pixels.
const LEGEND_GAP: f64 = 24.0;

/// An axis-aligned box in pixels: `[x0, y0, x1, y1]`.
pub(super) type Rect = [f64; 4];

/// Whether two boxes overlap (touching edges do not).
pub(super) fn overlaps(a: &Rect, b: &Rect) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The plane → pixel transform of the map panel: uniform scale, y flipped so north is up.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    /// South-west corner of the extent, metres in the plane.
    min: XY,
    /// North-east corner of the extent, metres in the plane.
    max: XY,
    /// Pixels per metre.
    pub scale: f64,
    /// Left edge of the panel, pixels.
    pub left: f64,
    /// Top edge of the panel, pixels.
    pub top: f64,
}

impl Frame {
    /// The frame that shows the extent `(min, max)` (metres) at the largest scale that fits
    /// [`MAP_MAX`] pixels both ways, below the header.
    pub fn fit((min, max): (XY, XY)) -> Frame {
        let (w_m, h_m) = (max[0] - min[0], max[1] - min[1]);
        Frame {
            min,
            max,
            scale: (MAP_MAX / w_m).min(MAP_MAX / h_m),
            left: MARGIN,
            top: HEADER,
        }
    }

    /// Plane point `p` (metres) in pixels.
    pub fn px(&self, p: XY) -> [f64; 2] {
        [
            self.left + (p[0] - self.min[0]) * self.scale,
            self.top + (self.max[1] - p[1]) * self.scale,
        ]
    }

    /// Plane point `p` (metres) in tenths of a pixel.
    pub fn tenths(&self, p: XY) -> Tenths {
        let q = self.px(p);
        [to_tenths(q[0]), to_tenths(q[1])]
    }

    /// Width of the panel, pixels.
    pub fn width(&self) -> f64 {
        (self.max[0] - self.min[0]) * self.scale
    }

    /// Height of the panel, pixels.
    pub fn height(&self) -> f64 {
        (self.max[1] - self.min[1]) * self.scale
    }

    /// The panel's box, pixels.
    pub fn rect(&self) -> Rect {
        [
            self.left,
            self.top,
            self.left + self.width(),
            self.top + self.height(),
        ]
    }

    /// Left edge of the legend, pixels.
    pub fn legend_x(&self) -> f64 {
        MARGIN + self.width() + LEGEND_GAP
    }

    /// The panel's `x`, `y`, `width` and `height` attributes.
    fn attrs(&self) -> String {
        format!(
            "x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
            px(self.left),
            px(self.top),
            px(self.width()),
            px(self.height())
        )
    }

    /// Opens the panel: its clip path and background, then the clipped group the layers go in.
    pub fn open(&self, o: &mut String) {
        let a = self.attrs();
        let _ = writeln!(
            o,
            "<defs><clipPath id=\"map\"><rect {a}/></clipPath></defs>"
        );
        let _ = writeln!(o, "<rect class=\"map-frame\" {a} fill=\"#F5F5F2\"/>");
        o.push_str("<g clip-path=\"url(#map)\">\n");
    }

    /// Closes the clipped group and draws the panel's border.
    pub fn close(&self, o: &mut String) {
        o.push_str("</g>\n");
        let _ = writeln!(
            o,
            "<rect {} fill=\"none\" stroke=\"#888\" stroke-width=\"1\"/>",
            self.attrs()
        );
    }
}

/// The extent to draw, metres in the plane: the blocks' box `blocks` (empty, that is
/// infinite, when no block is finite), grown by the walkshed circles of radius `circle_m` about
/// the `stations` within `radius_m` of it; at least 100 m (or the walkshed) across, then a 3 %
/// margin.
pub(super) fn extent(
    blocks: (XY, XY),
    stations: impl Iterator<Item = XY>,
    radius_m: f64,
    circle_m: f64,
) -> (XY, XY) {
    let (mut min, mut max) = blocks;
    for p in stations.filter(|p| within(p, blocks, radius_m)) {
        grow(&mut min, &mut max, p, circle_m);
    }
    if !(min[0].is_finite() && max[0].is_finite()) {
        min = [-radius_m, -radius_m];
        max = [radius_m, radius_m];
    }
    pad(min, max, (2.0 * radius_m).max(100.0))
}

/// Widens the box `min`–`max` to at least `least` metres across each way (about its centre),
/// then by 3 % on every side.
fn pad(mut min: XY, mut max: XY, least: f64) -> (XY, XY) {
    for k in 0..2 {
        if max[k] - min[k] < least {
            let c = (max[k] + min[k]) / 2.0;
            min[k] = c - least / 2.0;
            max[k] = c + least / 2.0;
        }
        let pad = 0.03 * (max[k] - min[k]);
        min[k] -= pad;
        max[k] += pad;
    }
    (min, max)
}

/// Grows the box `min`–`max` by the square of half-side `r` about `p`, if `p` is finite.
pub(super) fn grow(min: &mut XY, max: &mut XY, p: XY, r: f64) {
    if p[0].is_finite() && p[1].is_finite() {
        *min = [min[0].min(p[0] - r), min[1].min(p[1] - r)];
        *max = [max[0].max(p[0] + r), max[1].max(p[1] + r)];
    }
}

/// Whether `p` lies within `r` of the box `(lo, hi)` (per axis).
fn within(p: &XY, (lo, hi): (XY, XY), r: f64) -> bool {
    p[0] >= lo[0] - r && p[0] <= hi[0] + r && p[1] >= lo[1] - r && p[1] <= hi[1] + r
}

/// The page: the map panel under the header, the legend to its right, the footer below.
#[derive(Debug, Clone, Copy)]
pub(super) struct Page {
    /// Width, whole pixels.
    pub width: f64,
    /// Height, whole pixels.
    pub height: f64,
}

impl Page {
    /// The page that holds `frame`'s panel, a legend `legend` (width, height; pixels) to its
    /// right, and header lines `widest` pixels wide at most.
    pub fn new(frame: &Frame, legend: [f64; 2], widest: f64) -> Page {
        Page {
            width: (frame.legend_x() + legend[0] + MARGIN)
                .max(MARGIN * 2.0 + widest)
                .ceil(),
            height: (HEADER + frame.height().max(legend[1]) + FOOTER).ceil(),
        }
    }

    /// Opens the document: the `<svg>` element, its `title` and the white background.
    pub fn open(&self, o: &mut String, title: &str) {
        let (w, h) = (self.width, self.height);
        let _ = writeln!(
            o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\">",
        );
        let _ = writeln!(o, "<title>{}</title>", escape(title));
        let _ = writeln!(o, "<rect width=\"{w}\" height=\"{h}\" fill=\"#FFFFFF\"/>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_is_padded_and_at_least_100_m() {
        let (min, max) = extent(([0.0, 0.0], [10.0, 1000.0]), std::iter::empty(), 40.0, 40.0);
        assert_eq!((min[0], max[0]), (-48.0, 58.0));
        assert_eq!((min[1], max[1]), (-30.0, 1030.0));
    }

    #[test]
    fn extent_takes_walksheds_of_stations_near_the_blocks() {
        let blocks = ([0.0, 0.0], [200.0, 200.0]);
        let near_and_far = [[250.0, 100.0], [5000.0, 100.0]].into_iter();
        let (_, max) = extent(blocks, near_and_far, 100.0, 100.0);
        assert!((max[0] - 360.5).abs() < 1e-9, "{max:?}");
    }

    #[test]
    fn north_is_up() {
        let f = Frame::fit(([0.0, 0.0], [100.0, 50.0]));
        assert_eq!(f.px([0.0, 50.0]), [MARGIN, HEADER]);
        assert_eq!(f.tenths([100.0, 0.0]), [8400, 5020], "820 by 410 pixels");
    }
}
