//! The context layers (`--context`), under the blocks: lines and polygon outlines in greys, one
//! stroke per layer, for orientation (a subdistrict boundary, committee outlines, a canal).

use crate::load::ContextLayer;
use crate::project::Projection;
use crate::render::svg::{push_line, push_ring, write_paths, Tenths};

use super::frame::Frame;

/// The strokes of the layers, in order (a fifth layer takes the first again): neutral greys,
/// told apart by width and dash, none of them the reach layer's strokes.
pub(super) const CONTEXT_STROKES: [&str; 4] = [
    "stroke=\"#6E6E6E\" stroke-width=\"1.8\" stroke-dasharray=\"8 3 2 3\"",
    "stroke=\"#B4B4B0\" stroke-width=\"4\"",
    "stroke=\"#8A8A86\" stroke-width=\"1\" stroke-dasharray=\"3 2\"",
    "stroke=\"#4A4A4A\" stroke-width=\"0.8\"",
];

/// Vertices closer than this to the last kept one are dropped, tenths of a pixel.
const MIN_STEP: i64 = 8;

/// The stroke of layer `k`.
pub(super) fn stroke(k: usize) -> &'static str {
    CONTEXT_STROKES[k % CONTEXT_STROKES.len()]
}

/// Draws every layer, the first lowest: its polygon rings closed and its lines open, unfilled.
pub(super) fn draw(
    o: &mut String,
    layers: &[ContextLayer],
    projection: &Projection,
    frame: &Frame,
) {
    if layers.is_empty() {
        return;
    }
    o.push_str(
        "<g class=\"context\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n",
    );
    for (k, layer) in layers.iter().enumerate() {
        let pixels = |part: &[[f64; 2]]| {
            thin(
                part.iter()
                    .map(|p| frame.tenths(projection.forward(p[0], p[1]))),
            )
        };
        let mut subpaths: Vec<String> = Vec::new();
        for ring in &layer.rings {
            let mut d = String::new();
            push_ring(&mut d, &pixels(ring));
            subpaths.push(d);
        }
        for line in &layer.lines {
            let mut d = String::new();
            push_line(&mut d, &pixels(line));
            subpaths.push(d);
        }
        write_paths(o, &subpaths, &format!("data-context=\"{k}\" {}", stroke(k)));
    }
    o.push_str("</g>\n");
}

/// The points of `pts` at least [`MIN_STEP`] from the last kept one, and the last point.
fn thin(pts: impl Iterator<Item = Tenths>) -> Vec<Tenths> {
    let mut kept: Vec<Tenths> = Vec::new();
    let mut last = None;
    for p in pts {
        let far = kept
            .last()
            .is_none_or(|q| (p[0] - q[0]).abs().max((p[1] - q[1]).abs()) >= MIN_STEP);
        if far {
            kept.push(p);
            last = None;
        } else {
            last = Some(p);
        }
    }
    kept.extend(last);
    kept
}

/// One legend row for layer `k` named `name`, its top left corner at (`x`, `y`) pixels: a short
/// stroke in the layer's style and the name (26 px tall).
pub(super) fn legend_row(o: &mut String, k: usize, name: &str, x: f64, y: f64) {
    use std::fmt::Write as _;
    let _ = writeln!(
        o,
        "<path class=\"legend-context\" data-context=\"{k}\" d=\"M{} {}h18\" {} fill=\"none\"/>",
        crate::render::svg::px(x),
        crate::render::svg::px(y + 9.0),
        stroke(k),
    );
    crate::render::svg::text(
        o,
        x + 26.0,
        y + 13.0,
        "font-size=\"12\" fill=\"#111\"",
        name,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_ends() {
        let pts = [[0, 0], [3, 0], [10, 0], [12, 0], [13, 1]];
        assert_eq!(thin(pts.into_iter()), [[0, 0], [10, 0], [13, 1]]);
        assert_eq!(thin([[5, 5]].into_iter()), [[5, 5]]);
    }
}
