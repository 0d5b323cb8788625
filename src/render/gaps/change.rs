//! `change.svg`, what a proposal changes: the blocks newly covered within the first threshold,
//! those still covered but now nearest another station, those no longer covered, and the rest
//! in pale tones; the proposed stations hollow. The subtitle names the groups that gain most.
//! Drawn from the gap map's parts (frame, block layer, context, stations, furniture); the
//! classes, header and legend are its own.

use crate::change::{BlockChange, Change};
use crate::render::svg::{self, px};
use crate::render::words::{percent, Words, DRAWN_LEVELS};
use crate::render::{Lang, MapOptions};

use super::blocks::Plane;
use super::classes::Classes;
use super::context;
use super::frame::{self, Page};
use super::furniture::{self, Header};
use super::stations::{self, symbol, ADDED_STYLE, BASE_STYLE};
use super::GapMap;

/// The fill of each kind, in [`BlockChange::ALL`] order: gained in the gap map's covered blue,
/// nearest changed in sky blue, lost in vermilion, still a gap in the palest gap shade, still
/// covered in light grey (Okabe–Ito hues, apart in lightness too).
const CHANGE_COLOURS: [&str; 5] = ["#0072B2", "#56B4E9", "#D55E00", "#F6C18F", "#DDDDDD"];

/// Width of the legend, pixels: at least this.
const LEGEND_MIN_W: f64 = 220.0;

/// How many groups the subtitle names.
const GROUPS_NAMED: usize = 5;

fn label(kind: BlockChange, lang: Lang) -> &'static str {
    match (kind, lang) {
        (BlockChange::Gained, Lang::Zh) => "新覆盖",
        (BlockChange::Gained, _) => "newly covered",
        (BlockChange::NearestChanged, Lang::Zh) => "仍覆盖，最近站点改变",
        (BlockChange::NearestChanged, _) => "still covered, nearest station changed",
        (BlockChange::Lost, Lang::Zh) => "不再覆盖",
        (BlockChange::Lost, _) => "no longer covered",
        (BlockChange::StillGap, Lang::Zh) => "仍未覆盖",
        (BlockChange::StillGap, _) => "still not covered",
        (BlockChange::StillCovered, Lang::Zh) => "仍覆盖，最近站点不变",
        (BlockChange::StillCovered, _) => "still covered, same station",
    }
}

/// The blocks sorted by kind of change.
fn classes(map: &GapMap, change: &Change) -> Classes {
    let of_block: Vec<usize> = change
        .blocks
        .iter()
        .map(|k| BlockChange::ALL.iter().position(|a| a == k).unwrap_or(0))
        .collect();
    let mut population = vec![0.0; 5];
    let mut count = vec![0usize; 5];
    for (b, &c) in map.blocks.blocks().iter().zip(&of_block) {
        population[c] += b.population;
        count[c] += 1;
    }
    Classes {
        of_block,
        blocks: count,
        population,
        colours: CHANGE_COLOURS.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// The header: `heading` (e.g. "Proposed stations") with the share before and after and the
/// residents gained; the gap map's parameters; the groups that gained most.
fn header(map: &GapMap, change: &Change, heading: &str, words: &Words) -> Header {
    let t = &map.params.thresholds[0];
    let total = &change.summary.rows[0];
    let net = total.after - total.before;
    let signed = format!(
        "{}{}",
        if net >= 0.0 { "+" } else { "−" },
        words.population(net.abs())
    );
    let [a, b] = change.summary.shares;
    let within = words.threshold(t);
    let title = match words.lang {
        Lang::Zh => format!(
            "{heading}：{within}覆盖率 {} → {}（{signed}）",
            percent(a, words.lang),
            percent(b, words.lang)
        ),
        Lang::En => format!(
            "{heading}: coverage within {within} {} → {} ({signed})",
            percent(a, words.lang),
            percent(b, words.lang)
        ),
    };
    let groups = change.summary.groups_by_gain();
    let named: Vec<String> = groups
        .iter()
        .take(GROUPS_NAMED)
        .map(|r| {
            let n = r.gained - r.lost;
            format!(
                "{} {}{}",
                r.group.as_deref().unwrap_or("—"),
                if n >= 0.0 { "+" } else { "−" },
                words.population(n.abs())
            )
        })
        .collect();
    let shares = if named.is_empty() {
        String::new()
    } else {
        let more = groups.len().saturating_sub(GROUPS_NAMED);
        match words.lang {
            Lang::Zh => format!(
                "获益最多：{}{}",
                named.join(" · "),
                if more > 0 {
                    format!(" 等（另 {more} 个）")
                } else {
                    String::new()
                }
            ),
            Lang::En => format!(
                "Gained most: {}{}",
                named.join(" · "),
                if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                }
            ),
        }
    };
    Header {
        title,
        parameters: Header::new(map, words).parameters,
        shares,
    }
}

/// Writes the change map of `map` (the analysis after) under `change`; `heading` starts the
/// title (e.g. "Proposed stations", or "new-sites vs today" in a batch).
pub fn change_svg(map: &GapMap, change: &Change, heading: &str, options: &MapOptions) -> String {
    let words = Words {
        lang: options.lang,
        unit: map.params.unit,
        weighted: map.blocks.weighted(),
    };
    let plane = Plane::new(map.blocks, map.projection);
    let mut placed = stations::place(map.stations, map.projection, map.stations.len());
    for (p, &new) in placed.iter_mut().zip(&change.new_stations) {
        p.added = new;
    }
    let frame = frame::Frame::fit(frame::extent(
        plane.extent(),
        placed.iter().flat_map(|s| &s.points).copied(),
        0.0,
        0.0,
    ));
    let classes = classes(map, change);
    let header = header(map, change, heading, &words);
    let shown: Vec<_> = DRAWN_LEVELS
        .into_iter()
        .filter(|l| placed.iter().any(|s| !s.added && s.level == *l))
        .collect();
    let any_new = placed.iter().any(|s| s.added);
    let items: Vec<(usize, String, String)> = (0..5)
        .filter(|&k| classes.blocks[k] > 0)
        .map(|k| {
            let share = if map.population > 0.0 {
                classes.population[k] / map.population
            } else {
                0.0
            };
            (
                k,
                label(BlockChange::ALL[k], words.lang).to_owned(),
                format!(
                    "{} · {}",
                    words.population(classes.population[k]),
                    percent(share, words.lang)
                ),
            )
        })
        .collect();
    let names: Vec<&str> = map.context.iter().map(|c| c.name.as_str()).collect();
    let heading_text = match words.lang {
        Lang::Zh => format!("{}内的变化", words.threshold(&map.params.thresholds[0])),
        Lang::En => format!(
            "Change within {}",
            words.threshold(&map.params.thresholds[0])
        ),
    };
    let legend_w = items
        .iter()
        .map(|(_, l, p)| svg::text_width(l, 12.0).max(svg::text_width(p, 11.0)) + 34.0)
        .chain(names.iter().map(|n| svg::text_width(n, 12.0) + 34.0))
        .chain(std::iter::once(svg::text_width(&heading_text, 13.0)))
        .chain(std::iter::once(
            svg::text_width(proposed(words.lang), 12.0) + 34.0,
        ))
        .fold(LEGEND_MIN_W, f64::max);
    let station_rows = shown.len() + usize::from(any_new);
    let legend_h = 30.0
        + 42.0 * items.len() as f64
        + 26.0 * names.len() as f64
        + 10.0
        + 24.0 * (station_rows as f64 + 1.0);
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

    let x = frame.legend_x();
    let head = "font-size=\"13\" font-weight=\"bold\" fill=\"#111\"";
    let body = "font-size=\"12\" fill=\"#111\"";
    let mut y = frame.top + 6.0;
    o.push_str("<g class=\"legend\">\n");
    svg::text(&mut o, x, y + 12.0, head, &heading_text);
    y += 24.0;
    for (k, text, population) in &items {
        o.push_str(&format!(
            "<g class=\"legend-item\" data-change=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"18\" height=\"18\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.6\"/>\n",
            serde_json::to_value(BlockChange::ALL[*k]).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            px(x),
            px(y),
            CHANGE_COLOURS[*k]
        ));
        svg::text(&mut o, x + 26.0, y + 13.0, body, text);
        let small = "class=\"population\" font-size=\"11\" fill=\"#444\"";
        svg::text(&mut o, x + 26.0, y + 29.0, small, population);
        o.push_str("</g>\n");
        y += 42.0;
    }
    for (k, name) in names.iter().enumerate() {
        context::legend_row(&mut o, k, name, x, y);
        y += 26.0;
    }
    y += 10.0;
    svg::text(&mut o, x, y + 12.0, head, words.stations_heading());
    y += 24.0;
    for l in &shown {
        o.push_str(&format!(
            "<path class=\"legend-station\" d=\"{}\" {BASE_STYLE}/>\n",
            symbol(*l, [x + 9.0, y + 9.0])
        ));
        svg::text(&mut o, x + 26.0, y + 13.0, body, words.level(*l));
        y += 24.0;
    }
    if any_new {
        let level = placed.iter().find(|s| s.added).and_then(|s| s.level);
        o.push_str(&format!(
            "<path class=\"legend-station added\" d=\"{}\" {ADDED_STYLE}/>\n",
            symbol(level, [x + 9.0, y + 9.0])
        ));
        svg::text(&mut o, x + 26.0, y + 13.0, body, proposed(words.lang));
    }
    o.push_str("</g>\n");
    let below = frame.top + legend_h + 6.0;
    furniture::north_and_scale(&mut o, &frame, &words, x, below, legend_w);
    furniture::credits(&mut o, &page, map.version, options.attribution.as_deref());
    o.push_str("</svg>\n");
    o
}

/// The legend's name of the proposed stations.
fn proposed(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "新增（拟建）站点",
        Lang::En => "proposed stations",
    }
}
