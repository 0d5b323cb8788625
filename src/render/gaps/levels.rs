//! `levels.svg`, the level map: which levels each block lacks — complete, missing one level,
//! missing several — with the stations by level. It is drawn from the gap map's parts: the same
//! frame, block layer, station symbols and furniture; only the classes, header and legend are
//! its own.

use crate::levels::{Level, LevelReport};
use crate::render::svg::{self, px};
use crate::render::words::{percent, Words, DRAWN_LEVELS};
use crate::render::MapOptions;

use super::blocks::Plane;
use super::classes::Classes;
use super::context;
use super::frame::{self, Frame, Page};
use super::furniture::{self, Header};
use super::stations::{self, symbol, ADDED_STYLE};
use super::GapMap;

/// Fills of the three classes, Okabe–Ito: bluish green, orange, vermilion (told apart under
/// every kind of colour blindness, and in lightness).
const LEVEL_COLOURS: [&str; 3] = ["#009E73", "#E69F00", "#D55E00"];

/// Width of the legend, pixels: at least this.
const LEGEND_MIN_W: f64 = 200.0;

/// The blocks sorted by how many levels they lack: 0 complete, 1 one, 2 several.
fn classes(map: &GapMap, levels: &LevelReport) -> Classes {
    let blocks = map.blocks.blocks();
    let of_block: Vec<usize> = (0..blocks.len())
        .map(|b| levels.distances.missing(b).min(2))
        .collect();
    let mut population = vec![0.0; 3];
    let mut count = vec![0usize; 3];
    for (b, &c) in blocks.iter().zip(&of_block) {
        population[c] += b.population;
        count[c] += 1;
    }
    Classes {
        of_block,
        blocks: count,
        population,
        colours: LEVEL_COLOURS.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// The header: the complete share, the standard, the share served at each level.
fn header(levels: &LevelReport, words: &Words) -> Header {
    let complete = levels.coverage.last().map_or(0.0, |c| c.share);
    let standard = &levels.distances.standard;
    let reaches: Vec<(Level, f64)> = standard.reaches().collect();
    let shares: Vec<String> = standard
        .reaches()
        .zip(&levels.coverage)
        .map(|((l, _), c)| words.served_at(l, c.share))
        .collect();
    Header {
        title: words.levels_title(complete),
        parameters: words.standard_line(&standard.name, &reaches),
        shares: shares.join(" · "),
    }
}

/// Writes the level map of `map` measured by `levels`.
pub fn levels_svg(map: &GapMap, levels: &LevelReport, options: &MapOptions) -> String {
    let words = Words {
        lang: options.lang,
        unit: map.params.unit,
        weighted: map.blocks.weighted(),
    };
    let plane = Plane::new(map.blocks, map.projection);
    let placed = stations::place(map.stations, map.projection, map.base_stations);
    let frame = Frame::fit(frame::extent(
        plane.extent(),
        placed.iter().flat_map(|s| &s.points).copied(),
        0.0,
        0.0,
    ));
    let classes = classes(map, levels);
    let header = header(levels, &words);
    let shown: Vec<Option<Level>> = DRAWN_LEVELS
        .into_iter()
        .filter(|l| placed.iter().any(|s| s.level == *l))
        .collect();
    let legend = legend_texts(&classes, map.population, &words);
    let context: Vec<&str> = map.context.iter().map(|c| c.name.as_str()).collect();
    let legend_w = legend
        .iter()
        .map(|(label, pop)| svg::text_width(label, 12.0).max(svg::text_width(pop, 11.0)) + 34.0)
        .chain(context.iter().map(|n| svg::text_width(n, 12.0) + 34.0))
        .fold(LEGEND_MIN_W, f64::max);
    // Added stations (drawn hollow) get a legend row of their own.
    let added = placed.iter().find(|s| s.added).map(|s| s.level);
    let rows = shown.len() + usize::from(added.is_some());
    let legend_h = 30.0 + 42.0 * 3.0 + 26.0 * context.len() as f64 + 24.0 * (rows as f64 + 2.0);
    let page = Page::new(
        &frame,
        [legend_w, legend_h + furniture::FURNITURE_H],
        header.width(),
    );

    let mut o = String::with_capacity(1 << 16);
    page.open(&mut o, &header.title);
    header.draw(&mut o);
    frame.open(&mut o);
    context::draw(&mut o, map.context, map.projection, &frame);
    plane.draw(&mut o, &classes, &frame);
    stations::draw(&mut o, &placed, &frame);
    frame.close(&mut o);
    draw_legend(
        &mut o,
        &legend,
        &context,
        &shown,
        added,
        &words,
        frame.legend_x(),
        frame.top,
    );
    let below = frame.top + legend_h + 6.0;
    furniture::north_and_scale(&mut o, &frame, &words, frame.legend_x(), below, legend_w);
    furniture::credits(&mut o, &page, map.version, options.attribution.as_deref());
    o.push_str("</svg>\n");
    o
}

/// Each class's label and residents line.
fn legend_texts(classes: &Classes, total: f64, words: &Words) -> Vec<(String, String)> {
    (0..3)
        .map(|k| {
            let share = if total > 0.0 {
                classes.population[k] / total
            } else {
                0.0
            };
            (
                words.level_class(k).to_owned(),
                format!(
                    "{} · {}",
                    words.population(classes.population[k]),
                    percent(share, words.lang)
                ),
            )
        })
        .collect()
}

/// Draws the legend at (`x`, `top`): the three classes, the context layers (`context`, their
/// names), then the station levels drawn, and the added stations (`added`: the level of the
/// first, whose symbol stands for them) when there are any.
#[allow(clippy::too_many_arguments)]
fn draw_legend(
    o: &mut String,
    items: &[(String, String)],
    context: &[&str],
    shown: &[Option<Level>],
    added: Option<Option<Level>>,
    words: &Words,
    x: f64,
    top: f64,
) {
    let heading = "font-size=\"13\" font-weight=\"bold\" fill=\"#111\"";
    let body = "font-size=\"12\" fill=\"#111\"";
    let mut y = top + 6.0;
    o.push_str("<g class=\"legend\">\n");
    svg::text(o, x, y + 12.0, heading, words.levels_heading());
    y += 24.0;
    for (k, (label, population)) in items.iter().enumerate() {
        o.push_str(&format!(
            "<g class=\"legend-item\" data-class=\"{k}\"><rect x=\"{}\" y=\"{}\" width=\"18\" height=\"18\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.6\"/>\n",
            px(x),
            px(y),
            LEVEL_COLOURS[k]
        ));
        svg::text(o, x + 26.0, y + 13.0, body, label);
        let small = "class=\"population\" font-size=\"11\" fill=\"#444\"";
        svg::text(o, x + 26.0, y + 29.0, small, population);
        o.push_str("</g>\n");
        y += 42.0;
    }
    for (k, name) in context.iter().enumerate() {
        super::context::legend_row(o, k, name, x, y);
        y += 26.0;
    }
    y += 10.0;
    svg::text(o, x, y + 12.0, heading, words.stations_heading());
    y += 24.0;
    for l in shown {
        o.push_str(&format!(
            "<path d=\"{}\" fill=\"#111\" stroke=\"#FFF\" stroke-width=\"1.3\"/>\n",
            symbol(*l, [x + 9.0, y + 9.0])
        ));
        svg::text(o, x + 26.0, y + 13.0, body, words.level(*l));
        y += 24.0;
    }
    if let Some(level) = added {
        o.push_str(&format!(
            "<path class=\"legend-station added\" d=\"{}\" {ADDED_STYLE}/>\n",
            symbol(level, [x + 9.0, y + 9.0])
        ));
        svg::text(o, x + 26.0, y + 13.0, body, words.added_stations());
    }
    o.push_str("</g>\n");
}
