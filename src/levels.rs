//! Levels of the service circle and their standards (docs/method.md, "Levels and standards").
//!
//! The four levels, highest first: district centre, street/town sub-centre, residential
//! committee station, service point. A higher level provides what the lower ones provide, so a
//! block is **served at level L** when a station of level L *or higher* is within the reach
//! `R(L)`, and **complete** when it is served at every level that has a reach.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::coverage::DistanceModel;
use crate::error::{Error, Location, Result};
use crate::load::Station;
use crate::project::XY;

/// A station's level, highest first (`Center < Subcenter < Station < Point` in rank order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// District centre (中心, 实践中心).
    Center,
    /// Street/town sub-centre (分中心, 实践所).
    Subcenter,
    /// Residential-committee station (站, 实践站).
    Station,
    /// Service point (点, 实践点).
    Point,
}

/// The values a `level` property may take, for messages.
pub const ACCEPTED_LEVELS: &str = "center, subcenter, station, point (any case), \
     中心/实践中心, 分中心/实践所, 站/实践站, 点/实践点";

impl Level {
    /// All levels, highest first.
    pub const ALL: [Level; 4] = [
        Level::Center,
        Level::Subcenter,
        Level::Station,
        Level::Point,
    ];

    /// Reads a `level` value: the English names in any case (`-`, `_` and spaces ignored, `centre`
    /// spelt either way) or the Chinese names.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::Level;
    /// assert_eq!(Level::parse("SubCenter"), Some(Level::Subcenter));
    /// assert_eq!(Level::parse("实践站"), Some(Level::Station));
    /// assert_eq!(Level::parse("kiosk"), None);
    /// ```
    pub fn parse(raw: &str) -> Option<Level> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match s.as_str() {
            "center" | "centre" | "districtcenter" | "districtcentre" | "中心" | "实践中心"
            | "区级中心" => Level::Center,
            "subcenter" | "subcentre" | "分中心" | "实践所" | "街镇分中心" => {
                Level::Subcenter
            }
            "station" | "站" | "实践站" | "站点" | "居村站" => Level::Station,
            "point" | "servicepoint" | "点" | "实践点" | "服务点" => Level::Point,
            _ => return None,
        })
    }

    /// The level's English name, as in outputs (`center`, `subcenter`, `station`, `point`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Center => "center",
            Level::Subcenter => "subcenter",
            Level::Station => "station",
            Level::Point => "point",
        }
    }

    /// 0 for the centre, 3 for a service point.
    pub fn rank(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Each level's reach in metres (`None`: the level has no reach and is not checked).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standard {
    /// `gb50180`, or `gb50180+custom` once `--level-reach` changed it.
    pub name: String,
    /// Reach per level, by rank, metres.
    pub reach_m: [Option<f64>; 4],
}

impl Standard {
    /// GB 50180-2018's circles: sub-centre 1000 m (15 minutes), station 300 m and point 300 m
    /// (5 minutes), the centre no reach.
    pub fn gb50180() -> Standard {
        Standard {
            name: "gb50180".to_owned(),
            reach_m: [None, Some(1000.0), Some(300.0), Some(300.0)],
        }
    }

    /// A preset by name.
    pub fn preset(name: &str) -> Result<Standard> {
        match name.to_ascii_lowercase().as_str() {
            "gb50180" => Ok(Standard::gb50180()),
            other => Err(Error::parameter(
                "--standard",
                format!("expected gb50180, found {other:?}"),
            )),
        }
    }

    /// This standard with some levels' reaches replaced: `(level, reach)` pairs where a reach is
    /// minutes at `speed_m_per_min` (a bare number), metres (`1000m`), or `none`.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::{Level, Standard};
    /// let s = Standard::gb50180().with_reaches(&[("station", "5"), ("subcenter", "800m")], 60.0)?;
    /// assert_eq!(s.reach_m, [None, Some(800.0), Some(300.0), Some(300.0)]);
    /// # Ok::<(), walkshed::Error>(())
    /// ```
    pub fn with_reaches(
        mut self,
        reaches: &[(&str, &str)],
        speed_m_per_min: f64,
    ) -> Result<Standard> {
        for &(level, reach) in reaches {
            let l = Level::parse(level).ok_or_else(|| {
                Error::parameter(
                    "--level-reach",
                    format!("unknown level {level:?}; expected one of {ACCEPTED_LEVELS}"),
                )
            })?;
            self.reach_m[l.rank()] = parse_reach(reach, speed_m_per_min)?;
        }
        if !reaches.is_empty() {
            self.name = format!("{}+custom", self.name);
        }
        Ok(self)
    }

    /// The levels that have a reach, highest first, with their reach in metres.
    pub fn reaches(&self) -> impl Iterator<Item = (Level, f64)> + '_ {
        Level::ALL
            .into_iter()
            .filter_map(|l| self.reach_m[l.rank()].map(|r| (l, r)))
    }
}

/// Longest reach a level may be given, metres.
const MAX_REACH_M: f64 = 100_000.0;

/// `5` (minutes), `1000m` (metres) or `none`.
fn parse_reach(text: &str, speed_m_per_min: f64) -> Result<Option<f64>> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let (number, metres) = match t.strip_suffix('m') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let value: f64 = number.parse().map_err(|_| bad_reach(text))?;
    let reach_m = if metres {
        value
    } else {
        value * speed_m_per_min
    };
    if !(reach_m.is_finite() && reach_m > 0.0 && reach_m <= MAX_REACH_M) {
        return Err(bad_reach(text));
    }
    Ok(Some(reach_m))
}

fn bad_reach(text: &str) -> Error {
    Error::parameter(
        "--level-reach",
        format!(
            "expected minutes (5), metres (1000m) or none, up to {MAX_REACH_M} m, found {text:?}"
        ),
    )
}

/// Per block, the distance (metres, by the run's mode) to the nearest station of each level or
/// higher, for the levels that have a reach; `None` where none is within the search bound.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelDistances {
    /// The standard measured against.
    pub standard: Standard,
    /// `distance_m[b][rank]`.
    pub distance_m: Vec<[Option<f64>; 4]>,
}

impl LevelDistances {
    /// Measures every block against the stations of each level with a reach (and higher).
    /// `levels[s]` is station `s`'s level; `bound_m` is how far a search may need to look (at
    /// least the largest reach).
    pub fn measure(
        standard: &Standard,
        levels: &[Level],
        entrances: &[Vec<XY>],
        anchors: &[XY],
        model: &dyn DistanceModel,
        bound_m: f64,
    ) -> LevelDistances {
        Self::measure_with(standard, levels, entrances, anchors, model, bound_m, None)
    }

    /// [`measure`](Self::measure), reusing `all`, a measurement of every station by the same
    /// model with a search bound of at least `bound_m` and every level's reach, for the levels
    /// every station is (or is higher than) — the lowest level, usually — instead of measuring
    /// them again.
    pub fn measure_with(
        standard: &Standard,
        levels: &[Level],
        entrances: &[Vec<XY>],
        anchors: &[XY],
        model: &dyn DistanceModel,
        bound_m: f64,
        all: Option<&crate::coverage::Measurement>,
    ) -> LevelDistances {
        let mut distance_m = vec![[None; 4]; anchors.len()];
        for (level, reach_m) in standard.reaches() {
            if let Some(all) = all.filter(|_| levels.iter().all(|&l| l <= level)) {
                for (row, measured) in distance_m.iter_mut().zip(&all.blocks) {
                    row[level.rank()] = measured.distance_m;
                }
                continue;
            }
            // Stations of this level or higher keep their entrances; the others have none, so
            // station indices (and tie-breaks) stay those of the whole set.
            let subset: Vec<Vec<XY>> = entrances
                .iter()
                .zip(levels)
                .map(|(e, &l)| if l <= level { e.clone() } else { Vec::new() })
                .collect();
            let m = model.measure(&subset, anchors, bound_m.max(reach_m));
            for (row, measured) in distance_m.iter_mut().zip(&m.blocks) {
                row[level.rank()] = measured.distance_m;
            }
        }
        LevelDistances {
            standard: standard.clone(),
            distance_m,
        }
    }

    /// Whether block `b` is served at `level` (`None` when the level has no reach).
    pub fn served(&self, b: usize, level: Level) -> Option<bool> {
        let reach = self.standard.reach_m[level.rank()]?;
        Some(self.distance_m[b][level.rank()].is_some_and(|d| d <= reach))
    }

    /// Whether block `b` is served at every level that has a reach.
    pub fn complete(&self, b: usize) -> bool {
        self.standard
            .reaches()
            .all(|(l, _)| self.served(b, l) == Some(true))
    }

    /// How many levels with a reach block `b` is not served at.
    pub fn missing(&self, b: usize) -> usize {
        self.standard
            .reaches()
            .filter(|&(l, _)| self.served(b, l) == Some(false))
            .count()
    }
}

/// Each station's level, for the level analysis: every station of every file must have one of
/// the four levels, else an [`Error::Level`] naming the file, the feature and its id.
pub fn station_levels<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [Station])>,
) -> Result<Vec<Level>> {
    let mut levels = Vec::new();
    for (path, stations) in files {
        for (i, s) in stations.iter().enumerate() {
            let level = s.level.as_deref().and_then(Level::parse);
            levels.push(level.ok_or_else(|| Error::Level {
                location: Location::feature(path, i, id_as_given(path, i, s)),
                found: s.level.clone(),
                accepted: ACCEPTED_LEVELS,
            })?);
        }
    }
    Ok(levels)
}

/// Station `i` of `path`'s id as the file gives it, `None` when it has none (its id is then
/// its index, and messages say "(no id)"). Read again from the file, on the error path only; if
/// that fails, the station's id.
fn id_as_given(path: &Path, i: usize, station: &Station) -> Option<String> {
    match crate::load::station_property(path, "id", &crate::load::InputOptions::default()) {
        Ok(mut ids) if i < ids.len() => ids.swap_remove(i).0,
        _ => Some(station.id.clone()),
    }
}

/// Stations whose `level` is given but not one of the four levels (without `--levels` they are
/// drawn apart and reported in one warning).
pub fn unknown_levels(stations: &[Station]) -> usize {
    stations
        .iter()
        .filter(|s| {
            s.level
                .as_deref()
                .is_some_and(|l| Level::parse(l).is_none())
        })
        .count()
}

/// The population served at one level (or at every level: `complete`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCoverage {
    /// `center`, `subcenter`, `station`, `point`, or `complete`.
    pub level: &'static str,
    /// The level's reach, metres (`None` for `complete`).
    pub reach_m: Option<f64>,
    /// Residents served (blocks, when unweighted).
    pub population: f64,
    /// `population` over all residents, in [0, 1] (0 when there are none).
    pub share: f64,
    /// Blocks served.
    pub blocks: usize,
}

/// The levels of one group of blocks (`--group-by`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLevels {
    /// The group's value (`None` for blocks without it).
    pub name: Option<String>,
    /// Per level with a reach, then `complete`.
    pub levels: Vec<LevelCoverage>,
}

/// The level analysis of one run: distances, and the population served at each level.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelReport {
    /// Per block and level, the distance to the nearest station of that level or higher.
    pub distances: LevelDistances,
    /// Per level with a reach (highest first), then `complete`.
    pub coverage: Vec<LevelCoverage>,
    /// Per group, in the order of the analysis' groups, when grouping.
    pub groups: Option<Vec<GroupLevels>>,
}

/// Running sums of blocks served per level (by rank) and complete (index 4).
#[derive(Debug, Clone, Default)]
struct Served {
    population: f64,
    covered: [(f64, usize); 5],
}

impl Served {
    fn add(&mut self, d: &LevelDistances, b: usize, population: f64) {
        self.population += population;
        for (level, _) in d.standard.reaches() {
            if d.served(b, level) == Some(true) {
                let c = &mut self.covered[level.rank()];
                c.0 += population;
                c.1 += 1;
            }
        }
        if d.complete(b) {
            self.covered[4].0 += population;
            self.covered[4].1 += 1;
        }
    }

    fn coverage(&self, standard: &Standard) -> Vec<LevelCoverage> {
        let row = |level, reach_m, (population, blocks): (f64, usize)| LevelCoverage {
            level,
            reach_m,
            population,
            share: if self.population > 0.0 {
                (population / self.population).clamp(0.0, 1.0)
            } else {
                0.0
            },
            blocks,
        };
        let mut rows: Vec<LevelCoverage> = standard
            .reaches()
            .map(|(l, r)| row(l.name(), Some(r), self.covered[l.rank()]))
            .collect();
        rows.push(row("complete", None, self.covered[4]));
        rows
    }
}

impl LevelReport {
    /// Sums the population served per level, overall and per group. `population[b]` and
    /// `group[b]` are block `b`'s; `groups` lists the group names in the order to report them
    /// (`None` when not grouping). Sums run in block order, whatever the number of threads.
    pub fn new<'g>(
        distances: LevelDistances,
        population: &[f64],
        group: impl Fn(usize) -> Option<&'g str>,
        groups: Option<Vec<Option<String>>>,
    ) -> LevelReport {
        let mut all = Served::default();
        let mut by_group: std::collections::HashMap<Option<&str>, Served> = Default::default();
        for (b, &p) in population.iter().enumerate() {
            all.add(&distances, b, p);
            if groups.is_some() {
                by_group.entry(group(b)).or_default().add(&distances, b, p);
            }
        }
        let standard = &distances.standard;
        let groups = groups.map(|names| {
            names
                .into_iter()
                .map(|name| {
                    let served = by_group.get(&name.as_deref()).cloned().unwrap_or_default();
                    GroupLevels {
                        levels: served.coverage(standard),
                        name,
                    }
                })
                .collect()
        });
        LevelReport {
            coverage: all.coverage(standard),
            groups,
            distances,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::StraightLine;

    #[test]
    fn chinese_and_english_names_are_read() {
        for (raw, level) in [
            ("center", Level::Center),
            ("实践中心", Level::Center),
            ("分中心", Level::Subcenter),
            ("实践所", Level::Subcenter),
            ("STATION", Level::Station),
            ("站", Level::Station),
            ("Point", Level::Point),
            ("实践点", Level::Point),
        ] {
            assert_eq!(Level::parse(raw), Some(level), "{raw}");
        }
        assert_eq!(Level::parse(""), None);
        assert_eq!(Level::parse("hub"), None);
    }

    #[test]
    fn reaches_are_minutes_metres_or_none() {
        let s = Standard::gb50180()
            .with_reaches(&[("point", "none"), ("center", "30")], 50.0)
            .unwrap();
        assert_eq!(s.reach_m, [Some(1500.0), Some(1000.0), Some(300.0), None]);
        assert_eq!(s.name, "gb50180+custom");
        for bad in ["-5", "0", "fivem", "1e300", "nan"] {
            assert!(
                Standard::gb50180()
                    .with_reaches(&[("station", bad)], 60.0)
                    .is_err(),
                "{bad}"
            );
        }
        assert!(Standard::gb50180()
            .with_reaches(&[("hub", "5")], 60.0)
            .is_err());
    }

    /// A block 200 m from a sub-centre and 500 m from the nearest station is served at station
    /// level by the sub-centre: a higher level provides what the lower ones provide.
    #[test]
    fn a_higher_level_serves_the_lower_levels() {
        let levels = [Level::Subcenter, Level::Station, Level::Point];
        let entrances = vec![vec![[200.0, 0.0]], vec![[-500.0, 0.0]], vec![[0.0, 900.0]]];
        let anchors = [[0.0, 0.0], [-500.0, 350.0]];
        let d = LevelDistances::measure(
            &Standard::gb50180(),
            &levels,
            &entrances,
            &anchors,
            &StraightLine::default(),
            3000.0,
        );
        assert_eq!(d.distance_m[0][Level::Station.rank()], Some(200.0));
        assert_eq!(d.distance_m[0][Level::Point.rank()], Some(200.0));
        assert_eq!(d.served(0, Level::Station), Some(true));
        assert!(d.complete(0));
        // The second block: 350 m from the station, sub-centre √(700² + 350²) ≈ 782.6 m.
        assert_eq!(d.served(1, Level::Subcenter), Some(true));
        assert_eq!(d.served(1, Level::Station), Some(false));
        assert_eq!(d.served(1, Level::Center), None);
        assert!(!d.complete(1));
        assert_eq!(d.missing(1), 2);
    }
}
