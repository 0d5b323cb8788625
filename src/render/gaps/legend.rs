//! The legend, right of the map: the walking-time classes with their residents, what the reach
//! layer means, the context layers by name, and the station levels present.

use std::fmt::Write as _;

use crate::levels::Level;
use crate::render::svg::{self, px};
use crate::render::words::{percent, Words, DRAWN_LEVELS};

use super::classes::Classes;
use super::context;
use super::reach::STREET_KINDS;
use super::stations::{symbol, Placed, ADDED_STYLE, BASE_STYLE, OVERLOADED_COLOUR};
use super::GapMap;

/// Width of the legend, pixels: at least this, more for long labels.
const LEGEND_MIN_W: f64 = 200.0;
/// Width of the legend, pixels: at most this.
const LEGEND_MAX_W: f64 = 460.0;
/// Attributes of body text.
const BODY: &str = "font-size=\"12\" fill=\"#111\"";
/// Attributes of headings.
const HEADING: &str = "font-size=\"13\" font-weight=\"bold\" fill=\"#111\"";

/// One walking-time class as the legend shows it.
#[derive(Debug, Clone)]
struct Item {
    /// The class, which is also its index among the classes.
    class: usize,
    /// Its colour.
    colour: String,
    /// What it is: `0–5 min`, `beyond 15 min` ...
    label: String,
    /// Its residents and their share of all.
    population: String,
}

/// The legend's texts.
#[derive(Debug, Clone)]
pub(super) struct Legend {
    /// The classes shown: every threshold band and the gap, and off-network in network mode or
    /// when some block is.
    items: Vec<Item>,
    /// The reach layer: in network mode one entry per kind of street drawn (its index in
    /// [`STREET_KINDS`] and its label); else the walkshed circle (`None` and its label).
    reach: Vec<(Option<usize>, String)>,
    /// The context layers' names, in drawing order.
    context: Vec<String>,
    /// The station levels present, most important first.
    levels: Vec<Option<Level>>,
    /// Whether some station was added to the base (`--add-stations`): drawn hollow.
    added: bool,
    /// What the ring around overloaded stations means, when some station has one.
    overloaded: Option<String>,
    words: Words,
}

impl Legend {
    /// The legend of `map`, its blocks sorted into `classes`, its stations `stations`;
    /// straight-line walksheds are `radius_m` metres; `streets` tells which kinds of street
    /// were drawn (network mode).
    pub fn new(
        map: &GapMap,
        classes: &Classes,
        stations: &[Placed],
        radius_m: f64,
        streets: Option<[bool; 3]>,
        words: Words,
    ) -> Legend {
        let thresholds = &map.params.thresholds;
        let n = thresholds.len();
        let show_off = map.streets.is_some() || classes.blocks[n + 1] > 0;
        let items = (0..n + 1 + usize::from(show_off))
            .map(|k| Item {
                class: k,
                colour: classes.colours[k].clone(),
                label: match k {
                    0 => words.class_first(&thresholds[0]),
                    k if k < n => words.class_band(&thresholds[k - 1], &thresholds[k]),
                    k if k == n => words.class_gap(&thresholds[n - 1]),
                    _ => words.class_off_network(map.params.max_snap_m),
                },
                population: format!(
                    "{} · {}",
                    words.population(classes.population[k]),
                    percent(share(classes.population[k], map.population), words.lang)
                ),
            })
            .collect();
        let reach = match streets {
            Some(drawn) => (0..3)
                .filter(|&k| drawn[k])
                .map(|k| {
                    let label = match k {
                        0 => words.streets_within(&thresholds[0]),
                        1 => words.streets_between(&thresholds[0], &thresholds[n - 1]),
                        _ => words.streets_beyond(&thresholds[n - 1]),
                    };
                    (Some(k), label)
                })
                .collect(),
            None => vec![(None, words.walkshed(&thresholds[0], radius_m))],
        };
        Legend {
            items,
            reach,
            context: map.context.iter().map(|c| c.name.clone()).collect(),
            levels: DRAWN_LEVELS
                .into_iter()
                .filter(|l| stations.iter().any(|s| s.level == *l))
                .collect(),
            added: stations.iter().any(|s| s.added),
            overloaded: map.staffing.and_then(|st| {
                let limit = st.max_load?;
                (0..st.capacity.len())
                    .any(|j| st.overloaded(j))
                    .then(|| words.overloaded(limit))
            }),
            words,
        }
    }

    /// Width and height, pixels: the widest text and its swatch, the rows the items take.
    pub fn size(&self) -> [f64; 2] {
        let w = self.words;
        let mut texts: Vec<(&str, f64)> = vec![(w.legend_heading(), 13.0)];
        for item in &self.items {
            texts.push((&item.label, 12.0));
            texts.push((&item.population, 11.0));
        }
        texts.extend(self.reach.iter().map(|(_, t)| (t.as_str(), 12.0)));
        texts.extend(self.context.iter().map(|t| (t.as_str(), 12.0)));
        texts.push((w.stations_heading(), 13.0));
        texts.extend(self.levels.iter().map(|l| (w.level(*l), 12.0)));
        if self.added {
            texts.push((w.added_stations(), 12.0));
        }
        texts.extend(self.overloaded.iter().map(|t| (t.as_str(), 12.0)));
        let width = texts
            .iter()
            .map(|(t, f)| svg::text_width(t, *f) + 34.0)
            .fold(LEGEND_MIN_W, f64::max)
            .min(LEGEND_MAX_W);
        [width, self.height()]
    }

    /// Height, pixels: exactly what [`draw`](Self::draw) takes.
    fn height(&self) -> f64 {
        let stations =
            self.levels.len() + usize::from(self.added) + usize::from(self.overloaded.is_some());
        let heading = if stations > 0 { 24.0 } else { 0.0 };
        6.0 + 24.0
            + 42.0 * self.items.len() as f64
            + 26.0 * (self.reach.len() + self.context.len()) as f64
            + 8.0
            + heading
            + 24.0 * stations as f64
    }

    /// Draws the legend with its top left corner at (`x`, `top`) pixels.
    pub fn draw(&self, o: &mut String, x: f64, top: f64) {
        let mut y = top + 6.0;
        o.push_str("<g class=\"legend\">\n");
        svg::text(o, x, y + 12.0, HEADING, self.words.legend_heading());
        y += 24.0;
        for item in &self.items {
            item.draw(o, x, y);
            y += 42.0;
        }
        for (kind, label) in &self.reach {
            self.draw_reach(o, x, y, *kind, label);
            y += 26.0;
        }
        for (k, name) in self.context.iter().enumerate() {
            context::legend_row(o, k, name, x, y);
            y += 26.0;
        }
        y += 8.0;
        if !self.levels.is_empty() || self.added {
            svg::text(o, x, y + 12.0, HEADING, self.words.stations_heading());
            y += 24.0;
            let main = self.levels.first().copied().unwrap_or(Some(Level::Station));
            let rows = self
                .levels
                .iter()
                .map(|l| (*l, BASE_STYLE, self.words.level(*l)));
            let added = self
                .added
                .then_some((main, ADDED_STYLE, self.words.added_stations()));
            for (l, style, label) in rows.chain(added) {
                let _ = writeln!(
                    o,
                    "<path class=\"legend-station\" d=\"{}\" {style}/>",
                    symbol(l, [x + 9.0, y + 9.0])
                );
                svg::text(o, x + 26.0, y + 13.0, BODY, label);
                y += 24.0;
            }
        }
        if let Some(label) = &self.overloaded {
            let _ = writeln!(
                o,
                "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"none\" stroke=\"{OVERLOADED_COLOUR}\" stroke-width=\"2.2\"/>",
                px(x + 9.0),
                px(y + 9.0)
            );
            svg::text(o, x + 26.0, y + 13.0, BODY, label);
        }
        o.push_str("</g>\n");
    }

    /// Draws one entry of the reach layer at (`x`, `y`): a street stroke of `kind`
    /// ([`STREET_KINDS`]), or without one a walkshed circle.
    fn draw_reach(&self, o: &mut String, x: f64, y: f64, kind: Option<usize>, label: &str) {
        match kind {
            Some(k) => {
                let (key, stroke) = STREET_KINDS[k];
                let _ = writeln!(
                    o,
                    "<path class=\"legend-streets\" data-streets=\"{key}\" d=\"M{} {}h18\" {stroke} fill=\"none\"/>",
                    px(x),
                    px(y + 9.0),
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"/>",
                    px(x + 9.0),
                    px(y + 9.0)
                );
            }
        }
        svg::text(o, x + 26.0, y + 13.0, BODY, label);
    }
}

impl Item {
    /// Draws the item at (`x`, `y`): swatch, label, residents.
    fn draw(&self, o: &mut String, x: f64, y: f64) {
        let _ = writeln!(
            o,
            "<g class=\"legend-item\" data-class=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"18\" height=\"18\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.6\"/>",
            self.class,
            px(x),
            px(y),
            self.colour
        );
        svg::text(o, x + 26.0, y + 13.0, BODY, &self.label);
        let population = "class=\"population\" font-size=\"11\" fill=\"#444\"";
        svg::text(o, x + 26.0, y + 29.0, population, &self.population);
        o.push_str("</g>\n");
    }
}

/// `part / whole` within [0, 1]; 0 when `whole` is not positive.
fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0)
    } else {
        0.0
    }
}
