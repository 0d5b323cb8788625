//! `gaps.svg`, the gap map, written directly as SVG text.
//!
//! The map is drawn in the analysis' metric plane (uniform scale, north up), so distances read
//! true. To stay small and quick to open at 100,000 blocks and more, every block of one
//! walking-time class goes into a few `<path>` elements of many subpaths, coordinates are
//! rounded to tenths of a pixel and written as relative moves, vertices closer than
//! [`MIN_STEP`] to the last kept one are dropped, and blocks under [`DOT_BELOW`] across are
//! drawn as square dots, one per pixel cell and size.

use std::collections::HashSet;
use std::fmt::Write as _;

use rayon::prelude::*;

use crate::config::Threshold;
use crate::coverage::{Measured, Reach};
use crate::load::BlockSet;
use crate::project::{BoxForward, XY};
use crate::report::Summary;
use crate::Analysis;

use super::svg::{self, escape, push_line, push_ring, px, to_tenths, Tenths, FONT_FAMILY};
use super::words::{percent, Level, Words};
use super::MapOptions;

/// Vertices closer than this to the last kept vertex are dropped, in tenths of a pixel.
pub const MIN_STEP: i64 = 8;
/// Blocks smaller than this across (both ways), in tenths of a pixel, are drawn as a dot.
pub const DOT_BELOW: i64 = 25;
/// Smallest side of a dot, tenths of a pixel.
const DOT_SIDE: i64 = 15;
/// Side of a point block's mark, tenths of a pixel.
const POINT_SIDE: i64 = 30;
/// Street end points are snapped to this grid (tenths of a pixel) and repeated segments dropped.
const STREET_GRID: i64 = 5;
/// Subpaths per `<path>` element at most.
const SUBPATHS_PER_PATH: usize = 20_000;
/// Largest map panel, pixels.
const MAP_MAX: f64 = 820.0;
/// Margins, pixels.
const MARGIN: f64 = 20.0;
/// Header height (title, two subtitle lines), pixels.
const HEADER: f64 = 92.0;
/// Footer height (attribution), pixels.
const FOOTER: f64 = 34.0;

/// Colours of the covered classes: Okabe–Ito blue, lightening band by band.
const COVERED_DARK: [u8; 3] = [0x00, 0x72, 0xB2];
const COVERED_LIGHT: [u8; 3] = [0xA8, 0xD5, 0xF2];
/// The gap colour: Okabe–Ito vermilion.
pub const GAP_COLOUR: &str = "#D55E00";
/// Off-network blocks.
pub const OFF_NETWORK_COLOUR: &str = "#A3A3A3";

/// The fill of each walking-time class: one per threshold band, then the gap, then off-network.
/// Blue–vermilion keeps covered and uncovered apart for every kind of colour blindness, and the
/// blue bands differ in lightness.
pub fn palette(thresholds: usize) -> Vec<String> {
    let mut out: Vec<String> = (0..thresholds)
        .map(|k| {
            let t = if thresholds > 1 {
                k as f64 / (thresholds - 1) as f64
            } else {
                0.0
            };
            let c: Vec<u8> = (0..3)
                .map(|i| {
                    (COVERED_DARK[i] as f64
                        + t * (COVERED_LIGHT[i] as f64 - COVERED_DARK[i] as f64))
                        .round() as u8
                })
                .collect();
            format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2])
        })
        .collect();
    out.push(GAP_COLOUR.to_owned());
    out.push(OFF_NETWORK_COLOUR.to_owned());
    out
}

/// A block's walking-time class: the first threshold band it falls in (`0..n`), `n` beyond
/// the last threshold or unreached, `n + 1` off the network.
pub fn class_of(m: &Measured, thresholds: &[Threshold]) -> usize {
    if m.reach == Reach::OffNetwork {
        return thresholds.len() + 1;
    }
    match m.distance_m {
        Some(d) => thresholds
            .iter()
            .position(|t| d <= t.distance_m)
            .unwrap_or(thresholds.len()),
        None => thresholds.len(),
    }
}

/// The plane → pixel transform: uniform scale, y flipped so north is up.
#[derive(Debug, Clone, Copy)]
struct Frame {
    min: XY,
    max: XY,
    scale: f64,
    left: f64,
    top: f64,
}

impl Frame {
    fn px(&self, p: XY) -> [f64; 2] {
        [
            self.left + (p[0] - self.min[0]) * self.scale,
            self.top + (self.max[1] - p[1]) * self.scale,
        ]
    }
    fn tenths(&self, p: XY) -> Tenths {
        let q = self.px(p);
        [to_tenths(q[0]), to_tenths(q[1])]
    }
    fn width(&self) -> f64 {
        (self.max[0] - self.min[0]) * self.scale
    }
    fn height(&self) -> f64 {
        (self.max[1] - self.min[1]) * self.scale
    }
}

/// How one block is drawn.
enum Drawn {
    /// Closed rings, already written as subpaths, and their count.
    Rings(String, usize),
    /// A dot of `side` tenths centred on a pixel cell.
    Dot(Tenths, i64),
}

/// Decimates one ring at render resolution: drops vertices closer than [`MIN_STEP`] to the last
/// kept one and the closing repeat. `None` if fewer than three vertices are left.
fn decimate(ring: &[Tenths]) -> Option<Vec<Tenths>> {
    let mut kept: Vec<Tenths> = Vec::with_capacity(ring.len().min(64));
    for &p in ring {
        match kept.last() {
            Some(l) if (p[0] - l[0]).abs().max((p[1] - l[1]).abs()) < MIN_STEP => {}
            _ => kept.push(p),
        }
    }
    while kept.len() > 1 {
        let (f, l) = (kept[0], kept[kept.len() - 1]);
        if (f[0] - l[0]).abs().max((f[1] - l[1]).abs()) < MIN_STEP {
            kept.pop();
        } else {
            break;
        }
    }
    (kept.len() >= 3).then_some(kept)
}

fn extent_of(pts: &[Tenths]) -> (Tenths, Tenths) {
    let mut lo = [i64::MAX, i64::MAX];
    let mut hi = [i64::MIN, i64::MIN];
    for p in pts {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    (lo, hi)
}

/// Draws one block: its rings decimated, or a dot when it is under a pixel or so.
fn draw_block(rings: &[Vec<XY>], anchor: XY, frame: &Frame) -> Drawn {
    if rings.is_empty() {
        return Drawn::Dot(frame.tenths(anchor), POINT_SIDE);
    }
    let mut d = String::new();
    let mut count = 0;
    for (k, ring) in rings.iter().enumerate() {
        let t: Vec<Tenths> = ring.iter().map(|&p| frame.tenths(p)).collect();
        let (lo, hi) = extent_of(&t);
        let tiny = hi[0] - lo[0] < DOT_BELOW && hi[1] - lo[1] < DOT_BELOW;
        let kept = if tiny { None } else { decimate(&t) };
        match kept {
            Some(kept) => {
                push_ring(&mut d, &kept);
                count += 1;
            }
            None if k == 0 => {
                // The outer ring is below a pixel or so: the whole block becomes a dot.
                let side = (hi[0] - lo[0])
                    .max(hi[1] - lo[1])
                    .clamp(DOT_SIDE, DOT_BELOW);
                // Dots come in a few sizes only, so that one pixel cell holds one dot per size.
                let side = (side + 2) / 5 * 5;
                return Drawn::Dot([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2], side);
            }
            None => {} // a hole under a pixel is dropped
        }
    }
    Drawn::Rings(d, count)
}

/// Writes `subpaths` as `<path>` elements of at most [`SUBPATHS_PER_PATH`] subpaths each.
fn write_paths(o: &mut String, subpaths: &[String], attrs: &str) {
    for chunk in subpaths.chunks(SUBPATHS_PER_PATH) {
        o.push_str("<path ");
        o.push_str(attrs);
        o.push_str(" d=\"");
        for s in chunk {
            o.push_str(s);
        }
        o.push_str("\"/>\n");
    }
}

/// A dot as a square subpath of side `side` tenths centred on `c`.
fn dot(c: Tenths, side: i64) -> String {
    let mut d = String::with_capacity(24);
    let h = side / 2;
    d.push('M');
    svg::push_tenths(&mut d, c[0] - h);
    d.push(' ');
    svg::push_tenths(&mut d, c[1] - h);
    d.push('h');
    svg::push_tenths(&mut d, side);
    d.push('v');
    svg::push_tenths(&mut d, side);
    d.push('h');
    svg::push_tenths(&mut d, -side);
    d.push('z');
    d
}

/// A station symbol of `level` centred on `c` (pixels), as a closed path.
fn symbol(level: Level, c: [f64; 2], scale: f64) -> String {
    let t =
        |x: f64, y: f64| -> Tenths { [to_tenths(c[0] + x * scale), to_tenths(c[1] + y * scale)] };
    let mut d = String::new();
    match level {
        Level::Center => {
            let pts: Vec<Tenths> = (0..10)
                .map(|k| {
                    let a = std::f64::consts::PI * (k as f64) / 5.0 - std::f64::consts::FRAC_PI_2;
                    let r = if k % 2 == 0 { 9.5 } else { 4.0 };
                    t(r * a.cos(), r * a.sin())
                })
                .collect();
            push_ring(&mut d, &pts);
        }
        Level::Subcenter => push_ring(
            &mut d,
            &[t(0.0, -7.5), t(7.5, 0.0), t(0.0, 7.5), t(-7.5, 0.0)],
        ),
        Level::Station => {
            let r = svg::tenths(to_tenths(5.0 * scale));
            let _ = write!(
                d,
                "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0z",
                px(c[0] - 5.0 * scale),
                px(c[1]),
                svg::tenths(to_tenths(10.0 * scale)),
                svg::tenths(to_tenths(10.0 * scale))
            );
        }
        Level::Point => push_ring(&mut d, &[t(0.0, -5.5), t(5.0, 3.5), t(-5.0, 3.5)]),
        Level::Other => push_ring(
            &mut d,
            &[t(-3.5, -3.5), t(3.5, -3.5), t(3.5, 3.5), t(-3.5, 3.5)],
        ),
    }
    d
}

/// Half the size of a level's symbol, pixels (for label placement).
fn symbol_radius(level: Level) -> f64 {
    match level {
        Level::Center => 9.5,
        Level::Subcenter => 7.5,
        Level::Station => 5.0,
        Level::Point => 5.5,
        Level::Other => 3.5,
    }
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

/// An axis-aligned box in pixels: `[x0, y0, x1, y1]`.
type Rect = [f64; 4];

fn overlaps(a: &Rect, b: &Rect) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The longitude/latitude box `[west, south, east, north]` of every outline vertex.
fn outline_bbox(blocks: &BlockSet) -> [f64; 4] {
    let (lo, hi) = crate::project::bounds(outline_points(blocks));
    [lo[0], lo[1], hi[0], hi[1]]
}

/// Every outline vertex of every block, longitude/latitude (none without outlines).
fn outline_points(blocks: &BlockSet) -> impl ParallelIterator<Item = [f64; 2]> + '_ {
    (0..blocks.blocks().len())
        .into_par_iter()
        .flat_map_iter(|i| blocks.outline(i).into_iter().flatten().flatten())
}

/// Block `i`'s outline in the plane (empty for a point block or without shapes).
fn outline(blocks: &BlockSet, i: usize, fast: &BoxForward) -> Vec<Vec<XY>> {
    match blocks.outline(i) {
        Some(rings) => rings
            .map(|ring| ring.map(|p| fast.forward(p[0], p[1])).collect())
            .collect(),
        None => Vec::new(),
    }
}

/// Writes the whole gap map.
pub fn gaps_svg(
    analysis: &Analysis,
    blocks: &BlockSet,
    summary: &Summary,
    options: &MapOptions,
) -> String {
    let params = &analysis.params;
    let thresholds = &params.thresholds;
    let n = thresholds.len();
    let network = analysis.measurement.network.as_ref();
    let words = Words {
        lang: options.lang,
        unit: params.unit,
        weighted: blocks.weighted(),
    };
    let colours = palette(n);
    let projection = &analysis.projection;

    // Geometry in the plane. Outlines are projected as they are needed (through an
    // interpolant of the projection over their box), not kept: at a million blocks a copy of
    // them all in the plane would be the largest thing in memory.
    let fast = projection.over_box(outline_bbox(blocks));
    let anchors: Vec<XY> = blocks
        .blocks()
        .par_iter()
        .map(|b| projection.forward(b.anchor[0], b.anchor[1]))
        .collect();
    let stations: Vec<(usize, Level, Vec<XY>)> = analysis
        .stations
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pts = s
                .entrances
                .iter()
                .map(|p| projection.forward(p[0], p[1]))
                .collect();
            (i, Level::of(s.level.as_deref()), pts)
        })
        .collect();
    let radius_m = thresholds[0].distance_m / params.detour.max(1.0);

    // Extent: the blocks, and the walksheds of stations among them.
    let mut min = [f64::INFINITY; 2];
    let mut max = [f64::NEG_INFINITY; 2];
    fn grow(min: &mut XY, max: &mut XY, p: XY, r: f64) {
        if p[0].is_finite() && p[1].is_finite() {
            *min = [min[0].min(p[0] - r), min[1].min(p[1] - r)];
            *max = [max[0].max(p[0] + r), max[1].max(p[1] + r)];
        }
    }
    for a in &anchors {
        grow(&mut min, &mut max, *a, 0.0);
    }
    if blocks.has_outlines() {
        let (lo, hi) = crate::project::bounds(
            outline_points(blocks)
                .map(|p| fast.forward(p[0], p[1]))
                .filter(|p| p[0].is_finite() && p[1].is_finite()),
        );
        if lo[0].is_finite() && hi[0].is_finite() {
            grow(&mut min, &mut max, lo, 0.0);
            grow(&mut min, &mut max, hi, 0.0);
        }
    }
    let (bmin, bmax) = (min, max);
    let near = |p: &XY| {
        p[0] >= bmin[0] - radius_m
            && p[0] <= bmax[0] + radius_m
            && p[1] >= bmin[1] - radius_m
            && p[1] <= bmax[1] + radius_m
    };
    let circle_r = if network.is_none() { radius_m } else { 0.0 };
    for (_, _, pts) in &stations {
        for p in pts.iter().filter(|p| near(p)) {
            grow(&mut min, &mut max, *p, circle_r);
        }
    }
    if !(min[0].is_finite() && max[0].is_finite()) {
        min = [-radius_m, -radius_m];
        max = [radius_m, radius_m];
    }
    // At least 100 m (or the walkshed) across, centred; then a 3 % margin.
    let least = (2.0 * radius_m).max(100.0);
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
    let (w_m, h_m) = (max[0] - min[0], max[1] - min[1]);
    let scale = (MAP_MAX / w_m).min(MAP_MAX / h_m);
    let frame = Frame {
        min,
        max,
        scale,
        left: MARGIN,
        top: HEADER,
    };
    let (map_w, map_h) = (frame.width(), frame.height());

    // Classes and their population.
    let classes: Vec<usize> = analysis
        .measurement
        .blocks
        .iter()
        .map(|m| class_of(m, thresholds))
        .collect();
    let mut class_pop = vec![0.0f64; n + 2];
    let mut class_blocks = vec![0usize; n + 2];
    for (b, &c) in blocks.blocks().iter().zip(&classes) {
        class_pop[c] += b.population;
        class_blocks[c] += 1;
    }
    let total = analysis.aggregates.population;
    let show_off = network.is_some() || class_blocks[n + 1] > 0;
    let class_labels: Vec<String> = (0..n + 2)
        .map(|k| match k {
            0 => words.class_first(&thresholds[0]),
            k if k < n => words.class_band(&thresholds[k - 1], &thresholds[k]),
            k if k == n => words.class_gap(&thresholds[n - 1]),
            _ => words.class_off_network(params.max_snap_m),
        })
        .collect();

    // Texts of the header and legend, to size the page.
    let first = &analysis.aggregates.coverage[0];
    let title = words.map_title(&first.threshold, first.share);
    let mut sub1 = vec![
        words.mode(network.is_some(), params.detour, params.max_snap_m),
        words.speed(params.speed_m_per_min),
        words.stations(analysis.stations.len()),
        words.blocks(blocks.blocks().len()),
    ];
    if blocks.weighted() {
        sub1.push(words.population(total));
    } else {
        sub1.push(words.unweighted().to_owned());
    }
    let sub1 = sub1.join(" · ");
    let sub2 = analysis
        .aggregates
        .coverage
        .iter()
        .map(|c| words.share_at(&c.threshold, c.share))
        .collect::<Vec<_>>()
        .join(" · ");
    let levels_present: Vec<Level> = Level::ALL
        .into_iter()
        .filter(|l| stations.iter().any(|(_, s, _)| s == l))
        .collect();
    let mut legend_texts: Vec<(String, f64)> = vec![(words.legend_heading().to_owned(), 13.0)];
    for (k, label) in class_labels.iter().enumerate() {
        if k == n + 1 && !show_off {
            continue;
        }
        legend_texts.push((label.clone(), 12.0));
        legend_texts.push((
            format!(
                "{} · {}",
                words.population(class_pop[k]),
                percent(share(class_pop[k], total), options.lang)
            ),
            11.0,
        ));
    }
    let reach_label = if network.is_some() {
        words.streets().to_owned()
    } else {
        words.walkshed(&thresholds[0], radius_m)
    };
    legend_texts.push((reach_label.clone(), 12.0));
    legend_texts.push((words.stations_heading().to_owned(), 13.0));
    for l in &levels_present {
        legend_texts.push((words.level(*l).to_owned(), 12.0));
    }
    let legend_w = legend_texts
        .iter()
        .map(|(t, f)| svg::text_width(t, *f) + 34.0)
        .fold(200.0f64, f64::max)
        .min(460.0);
    let legend_x = MARGIN + map_w + 24.0;
    let width = (legend_x + legend_w + MARGIN)
        .max(MARGIN * 2.0 + svg::text_width(&title, 20.0))
        .max(MARGIN * 2.0 + svg::text_width(&sub1, 13.0))
        .ceil();
    let legend_rows = 2 * (n + 1 + usize::from(show_off)) + levels_present.len() + 4;
    let legend_h = 26.0 * legend_rows as f64 + 30.0;
    let height = (HEADER + map_h.max(legend_h) + FOOTER).ceil();

    let mut o = String::with_capacity(1 << 16);
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\">",
        w = width,
        h = height
    );
    let _ = writeln!(o, "<title>{}</title>", escape(&title));
    let _ = writeln!(
        o,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#FFFFFF\"/>"
    );
    // Header.
    svg::text(
        &mut o,
        MARGIN,
        34.0,
        "class=\"title\" font-size=\"20\" font-weight=\"bold\" fill=\"#111\"",
        &title,
    );
    svg::text(
        &mut o,
        MARGIN,
        57.0,
        "class=\"subtitle\" font-size=\"13\" fill=\"#333\"",
        &sub1,
    );
    svg::text(
        &mut o,
        MARGIN,
        76.0,
        "class=\"subtitle\" font-size=\"13\" fill=\"#333\"",
        &sub2,
    );

    // Map frame and clip.
    let (fx, fy) = (px(frame.left), px(frame.top));
    let (fw, fh) = (px(map_w), px(map_h));
    let _ = writeln!(
        o,
        "<defs><clipPath id=\"map\"><rect x=\"{fx}\" y=\"{fy}\" width=\"{fw}\" height=\"{fh}\"/></clipPath></defs>"
    );
    let _ = writeln!(o, "<rect class=\"map-frame\" x=\"{fx}\" y=\"{fy}\" width=\"{fw}\" height=\"{fh}\" fill=\"#F5F5F2\"/>");
    o.push_str("<g clip-path=\"url(#map)\">\n");

    // Blocks, one group per class.
    // Class by class, so that only one class's drawings are held at a time.
    for k in 0..n + 2 {
        if class_blocks[k] == 0 {
            continue;
        }
        let members: Vec<usize> = (0..classes.len()).filter(|&i| classes[i] == k).collect();
        let drawn: Vec<Drawn> = members
            .par_iter()
            .map(|&i| draw_block(&outline(blocks, i, &fast), anchors[i], &frame))
            .collect();
        let mut rings: Vec<String> = Vec::new();
        let mut dots: Vec<String> = Vec::new();
        let mut seen: HashSet<(Tenths, i64)> = HashSet::new();
        for d in &drawn {
            match d {
                Drawn::Rings(s, c) if *c > 0 => rings.push(s.clone()),
                Drawn::Rings(..) => {}
                Drawn::Dot(c, side) => {
                    // One dot per pixel cell and class.
                    let cell = [c[0].div_euclid(10) * 10 + 5, c[1].div_euclid(10) * 10 + 5];
                    if seen.insert((cell, *side)) {
                        dots.push(dot(cell, *side));
                    }
                }
            }
        }
        let _ = writeln!(
            o,
            "<g class=\"blocks\" data-class=\"{k}\" data-blocks=\"{}\" fill=\"{}\">",
            class_blocks[k], colours[k]
        );
        write_paths(&mut o, &rings, "fill-rule=\"evenodd\"");
        write_paths(&mut o, &dots, "class=\"dots\"");
        o.push_str("</g>\n");
    }

    // Network mode: streets, grey where beyond the last threshold, else by class.
    if let Some(report) = network {
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
            if a == b {
                continue;
            }
            let key = if a <= b { (a, b) } else { (b, a) };
            if !seen.insert(key) {
                continue;
            }
            let k = match dist {
                [Some(x), Some(y)] if x.max(*y) <= last => {
                    let d = (x + y) / 2.0;
                    thresholds
                        .iter()
                        .position(|t| d <= t.distance_m)
                        .unwrap_or(n)
                }
                _ => n,
            };
            let mut s = String::new();
            push_line(&mut s, &[a, b]);
            by_class[k].push(s);
        }
        let _ = writeln!(
            o,
            "<g class=\"streets\" fill=\"none\" stroke-linecap=\"round\">"
        );
        write_paths(
            &mut o,
            &by_class[n],
            "stroke=\"#BDBDBD\" stroke-width=\"0.7\"",
        );
        for k in (0..n).rev() {
            write_paths(
                &mut o,
                &by_class[k],
                &format!(
                    "data-class=\"{k}\" stroke=\"{}\" stroke-width=\"1.6\"",
                    colours[k]
                ),
            );
        }
        o.push_str("</g>\n");
    } else {
        // Straight-line walksheds: circles of radius D/detour at the first threshold.
        let r = svg::tenths(to_tenths(radius_m * scale));
        let d2 = svg::tenths(to_tenths(2.0 * radius_m * scale));
        let mut d = String::new();
        for (_, _, pts) in &stations {
            for p in pts {
                let c = frame.px(*p);
                let _ = write!(
                    d,
                    "M{} {}a{r} {r} 0 1 0 {d2} 0a{r} {r} 0 1 0 -{d2} 0z",
                    px(c[0] - radius_m * scale),
                    px(c[1])
                );
            }
        }
        let _ = writeln!(
            o,
            "<path class=\"walksheds\" fill=\"none\" stroke=\"#222\" stroke-opacity=\"0.75\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\" d=\"{d}\"/>"
        );
    }

    // Stations, least important first so centres sit on top.
    let mut boxes: Vec<(usize, Rect)> = Vec::new();
    o.push_str("<g class=\"stations\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"1.3\" stroke-linejoin=\"round\">\n");
    for level in Level::ALL.into_iter().rev() {
        let mut d = String::new();
        let mut count = 0;
        for (i, l, pts) in stations.iter().filter(|(_, l, _)| *l == level) {
            for p in pts {
                let c = frame.px(*p);
                d.push_str(&symbol(*l, c, 1.0));
                let r = symbol_radius(*l);
                boxes.push((*i, [c[0] - r, c[1] - r, c[0] + r, c[1] + r]));
                count += 1;
            }
        }
        if count > 0 {
            let _ = writeln!(
                o,
                "<path data-level=\"{}\" data-stations=\"{count}\" d=\"{d}\"/>",
                words_level_key(level)
            );
        }
    }
    o.push_str("</g>\n");

    // Station names, most important first; a label that would overlap is skipped.
    if options.labels {
        let font = 11.0;
        let mut order: Vec<&(usize, Level, Vec<XY>)> = stations.iter().collect();
        order.sort_by_key(|(i, l, _)| (*l, *i));
        let map_box: Rect = [frame.left, frame.top, frame.left + map_w, frame.top + map_h];
        let mut placed: Vec<Rect> = Vec::new();
        o.push_str("<g class=\"labels\" font-size=\"11\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n");
        for (i, l, pts) in order {
            let Some(name) = analysis.stations[*i]
                .name
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            else {
                continue;
            };
            let Some(p) = pts.first() else { continue };
            let c = frame.px(*p);
            let (tw, r) = (svg::text_width(name, font), symbol_radius(*l) + 2.0);
            // Right, left, above, below; (x of the text start, baseline y).
            let candidates = [
                (c[0] + r, c[1] + font * 0.35),
                (c[0] - r - tw, c[1] + font * 0.35),
                (c[0] - tw / 2.0, c[1] - r - 2.0),
                (c[0] - tw / 2.0, c[1] + r + font),
            ];
            for (x, y) in candidates {
                let b: Rect = [x - 1.0, y - font, x + tw + 1.0, y + font * 0.3];
                let inside = b[0] >= map_box[0]
                    && b[1] >= map_box[1]
                    && b[2] <= map_box[2]
                    && b[3] <= map_box[3];
                let clash = placed.iter().any(|q| overlaps(&b, q))
                    || boxes.iter().any(|(j, q)| j != i && overlaps(&b, q));
                if inside && !clash {
                    svg::text(&mut o, x, y, "", name);
                    placed.push(b);
                    break;
                }
            }
        }
        o.push_str("</g>\n");
    }
    o.push_str("</g>\n");
    let _ = writeln!(
        o,
        "<rect x=\"{fx}\" y=\"{fy}\" width=\"{fw}\" height=\"{fh}\" fill=\"none\" stroke=\"#888\" stroke-width=\"1\"/>"
    );

    // Scale bar, bottom left of the map.
    let target = (map_w * 0.25) / scale;
    let len_m = nice_length(target);
    let bar = len_m * scale;
    let (bx, by) = (frame.left + 12.0, frame.top + map_h - 16.0);
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
    svg::text(&mut o, bx, by - 5.0, "font-size=\"11\" fill=\"#111\"", "0");
    svg::text(
        &mut o,
        bx + bar,
        by - 5.0,
        "font-size=\"11\" fill=\"#111\" text-anchor=\"end\"",
        &words.scale(len_m),
    );
    o.push_str("</g>\n");

    // North arrow, top right of the map.
    let (nx, ny) = (frame.left + map_w - 22.0, frame.top + 14.0);
    let _ = writeln!(
        o,
        "<g class=\"north-arrow\"><circle cx=\"{}\" cy=\"{}\" r=\"15\" fill=\"#FFF\" fill-opacity=\"0.85\"/><path d=\"M{} {}l6 14-6-4-6 4z\" fill=\"#111\"/>",
        px(nx),
        px(ny + 13.0),
        px(nx),
        px(ny + 3.0)
    );
    svg::text(
        &mut o,
        nx,
        ny + 36.0,
        "font-size=\"12\" font-weight=\"bold\" fill=\"#111\" text-anchor=\"middle\"",
        words.north(),
    );
    o.push_str("</g>\n");

    // Legend.
    let mut y = frame.top + 6.0;
    let lx = legend_x;
    o.push_str("<g class=\"legend\">\n");
    svg::text(
        &mut o,
        lx,
        y + 12.0,
        "font-size=\"13\" font-weight=\"bold\" fill=\"#111\"",
        words.legend_heading(),
    );
    y += 24.0;
    for k in 0..n + 2 {
        if k == n + 1 && !show_off {
            continue;
        }
        let _ = writeln!(
            o,
            "<g class=\"legend-item\" data-class=\"{k}\"><rect x=\"{}\" y=\"{}\" width=\"18\" height=\"18\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.6\"/>",
            px(lx),
            px(y),
            colours[k]
        );
        svg::text(
            &mut o,
            lx + 26.0,
            y + 13.0,
            "font-size=\"12\" fill=\"#111\"",
            &class_labels[k],
        );
        let pop = format!(
            "{} · {}",
            words.population(class_pop[k]),
            percent(share(class_pop[k], total), options.lang)
        );
        svg::text(
            &mut o,
            lx + 26.0,
            y + 29.0,
            "class=\"population\" font-size=\"11\" fill=\"#444\"",
            &pop,
        );
        o.push_str("</g>\n");
        y += 42.0;
    }
    // What the reach overlay means.
    if network.is_some() {
        let _ = writeln!(
            o,
            "<path d=\"M{} {}h18\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"/>",
            px(lx),
            px(y + 9.0),
            colours[0]
        );
    } else {
        let _ = writeln!(
            o,
            "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"/>",
            px(lx + 9.0),
            px(y + 9.0)
        );
    }
    svg::text(
        &mut o,
        lx + 26.0,
        y + 13.0,
        "font-size=\"12\" fill=\"#111\"",
        &reach_label,
    );
    y += 34.0;
    if !levels_present.is_empty() {
        svg::text(
            &mut o,
            lx,
            y + 12.0,
            "font-size=\"13\" font-weight=\"bold\" fill=\"#111\"",
            words.stations_heading(),
        );
        y += 24.0;
        for l in &levels_present {
            let _ = writeln!(
                o,
                "<path d=\"{}\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"1.3\"/>",
                symbol(*l, [lx + 9.0, y + 9.0], 1.0)
            );
            svg::text(
                &mut o,
                lx + 26.0,
                y + 13.0,
                "font-size=\"12\" fill=\"#111\"",
                words.level(*l),
            );
            y += 24.0;
        }
    }
    o.push_str("</g>\n");

    // Credits: the tool bottom left, the data attribution bottom right.
    let foot = height - 12.0;
    svg::text(
        &mut o,
        MARGIN,
        foot,
        "class=\"credit\" font-size=\"10\" fill=\"#666\"",
        &format!("walkshed {}", summary.tool.version),
    );
    if let Some(a) = options.attribution.as_deref().filter(|a| !a.is_empty()) {
        svg::text(
            &mut o,
            width - MARGIN,
            foot,
            "class=\"attribution\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\"",
            a,
        );
    }
    o.push_str("</svg>\n");
    o
}

/// The `data-level` key of a level.
fn words_level_key(level: Level) -> &'static str {
    match level {
        Level::Center => "center",
        Level::Subcenter => "subcenter",
        Level::Station => "station",
        Level::Point => "point",
        Level::Other => "other",
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_drops_sub_pixel_steps() {
        let ring = [
            [0, 0],
            [3, 0],
            [100, 0],
            [100, 100],
            [0, 100],
            [0, 2],
            [0, 0],
        ];
        assert_eq!(
            decimate(&ring),
            Some(vec![[0, 0], [100, 0], [100, 100], [0, 100]])
        );
        assert_eq!(decimate(&[[0, 0], [5, 0], [5, 5], [0, 0]]), None);
    }

    #[test]
    fn nice_scale_lengths() {
        assert_eq!(nice_length(260.0), 200.0);
        assert_eq!(nice_length(999.0), 500.0);
        assert_eq!(nice_length(1000.0), 1000.0);
        assert_eq!(nice_length(0.0), 1.0);
    }

    #[test]
    fn palette_has_gap_and_grey() {
        let p = palette(3);
        assert_eq!(p.len(), 5);
        assert_eq!(p[0], "#0072B2");
        assert_eq!(p[3], GAP_COLOUR);
    }
}
