//! Map furniture: the title and subtitles above the map, the north arrow and scale bar beside
//! it (under the legend, never over the data), the credits below.

use std::fmt::Write as _;

use crate::render::svg::{self, px};
use crate::render::words::Words;

use super::frame::{Frame, Page, MARGIN};
use super::GapMap;

/// The texts above the map.
#[derive(Debug, Clone)]
pub(super) struct Header {
    /// The title: the share reached within the first threshold.
    pub title: String,
    /// The parameters: mode, speed, stations, blocks, population.
    pub parameters: String,
    /// The share reached within every threshold.
    pub shares: String,
}

impl Header {
    /// The header of `map`.
    pub fn new(map: &GapMap, words: &Words) -> Header {
        let params = map.params;
        let first = &map.coverage[0];
        let mut parameters =
            vec![words.mode(map.streets.is_some(), params.detour, params.max_snap_m)];
        if map.fractions.is_some() {
            parameters.push(words.area_measure().to_owned());
        }
        parameters.extend([
            words.speed(params.speed_m_per_min),
            words.stations(map.stations.len()),
            words.blocks(map.blocks.blocks().len()),
        ]);
        if map.blocks.weighted() {
            parameters.push(words.population(map.population));
        } else {
            parameters.push(words.unweighted().to_owned());
        }
        let shares: Vec<String> = map
            .coverage
            .iter()
            .map(|c| words.share_at(&c.threshold, c.share))
            .collect();
        Header {
            title: words.map_title(&first.threshold, first.share),
            parameters: parameters.join(" · "),
            shares: shares.join(" · "),
        }
    }

    /// The width of the widest line that sets the page width, pixels (the shares line is left
    /// to overflow).
    pub fn width(&self) -> f64 {
        svg::text_width(&self.title, 20.0).max(svg::text_width(&self.parameters, 13.0))
    }

    /// Draws the header.
    pub fn draw(&self, o: &mut String) {
        let title = "class=\"title\" font-size=\"20\" font-weight=\"bold\" fill=\"#111\"";
        let subtitle = "class=\"subtitle\" font-size=\"13\" fill=\"#333\"";
        svg::text(o, MARGIN, 34.0, title, &self.title);
        svg::text(o, MARGIN, 57.0, subtitle, &self.parameters);
        svg::text(o, MARGIN, 76.0, subtitle, &self.shares);
    }
}

/// Height the north arrow and scale bar take under the legend, pixels.
pub(super) const FURNITURE_H: f64 = 70.0;

/// Draws the north arrow and, right of it, the scale bar (a nice length at most `width` − 56
/// pixels and a quarter of the map wide), in the box of `width` × [`FURNITURE_H`] pixels whose
/// top left corner is (`x`, `y`): outside the map panel, so they cover no data.
pub(super) fn north_and_scale(
    o: &mut String,
    frame: &Frame,
    words: &Words,
    x: f64,
    y: f64,
    width: f64,
) {
    north_arrow(o, x + 15.0, y + 4.0, words);
    let room = (width - 56.0).min(frame.width() * 0.25).max(20.0);
    scale_bar(o, frame, words, x + 44.0, y + 36.0, room);
}

/// Draws the scale bar with its bar's left end at (`bx`, `by`) pixels, at most `room` pixels
/// long.
fn scale_bar(o: &mut String, frame: &Frame, words: &Words, bx: f64, by: f64, room: f64) {
    let len_m = nice_length(room / frame.scale);
    let bar = len_m * frame.scale;
    let _ = writeln!(
        o,
        "<g class=\"scale-bar\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"30\" fill=\"#FFF\" fill-opacity=\"0.85\"/>",
        px(bx - 6.0),
        px(by - 22.0),
        px(bar + 12.0)
    );
    let _ = writeln!(
        o,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"5\" fill=\"#111\"/><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"5\" fill=\"#FFF\" stroke=\"#111\" stroke-width=\"0.8\"/>",
        px(bx),
        px(by),
        px(bar / 2.0),
        px(bx + bar / 2.0),
        px(by),
        px(bar / 2.0)
    );
    let font = "font-size=\"11\" fill=\"#111\"";
    svg::text(o, bx, by - 5.0, font, "0");
    let end = format!("{font} text-anchor=\"end\"");
    svg::text(o, bx + bar, by - 5.0, &end, &words.scale(len_m));
    o.push_str("</g>\n");
}

/// A nice scale-bar length (1, 2 or 5 × 10ᵏ metres) of at most `target_m`.
fn nice_length(target_m: f64) -> f64 {
    if !(target_m.is_finite() && target_m > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(target_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&v| v <= target_m)
        .unwrap_or(p)
}

/// Draws the north arrow centred on `nx`, its top at `ny` (pixels).
fn north_arrow(o: &mut String, nx: f64, ny: f64, words: &Words) {
    let _ = writeln!(
        o,
        "<g class=\"north-arrow\"><circle cx=\"{}\" cy=\"{}\" r=\"15\" fill=\"#FFF\" fill-opacity=\"0.85\"/><path d=\"M{} {}l6 14-6-4-6 4z\" fill=\"#111\"/>",
        px(nx),
        px(ny + 13.0),
        px(nx),
        px(ny + 3.0)
    );
    svg::text(
        o,
        nx,
        ny + 42.0,
        "font-size=\"12\" font-weight=\"bold\" fill=\"#111\" text-anchor=\"middle\"",
        words.north(),
    );
    o.push_str("</g>\n");
}

/// Draws the credits below the map: the tool and `version` bottom left, the data `attribution`
/// (if any) bottom right.
pub(super) fn credits(o: &mut String, page: &Page, version: &str, attribution: Option<&str>) {
    let foot = page.height - 12.0;
    svg::text(
        o,
        MARGIN,
        foot,
        "class=\"credit\" font-size=\"10\" fill=\"#666\"",
        &format!("walkshed {version}"),
    );
    if let Some(a) = attribution.filter(|a| !a.is_empty()) {
        svg::text(
            o,
            page.width - MARGIN,
            foot,
            "class=\"attribution\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\"",
            a,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_scale_lengths() {
        assert_eq!(nice_length(260.0), 200.0);
        assert_eq!(nice_length(999.0), 500.0);
        assert_eq!(nice_length(1000.0), 1000.0);
        assert_eq!(nice_length(0.0), 1.0);
    }
}
