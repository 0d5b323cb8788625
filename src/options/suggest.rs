//! The options of `walkshed suggest`: every coverage option, and how many sites to choose among
//! which candidates.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

use crate::coords::Coords;
use crate::error::{Error, Result};
use crate::levels::{Level, Standard, ACCEPTED_LEVELS};
use crate::suggest::job::{CandidateSource, SuggestJob};
use crate::suggest::Goal;

use super::{de, file_problem, resolve, CoverageOptions};

/// The options of one site-suggestion run: `walkshed suggest`'s flags, and a batch table's
/// keys (the coverage keys and those of [`SuggestChoice`]).
#[derive(Debug, Clone, PartialEq, Args)]
pub struct SuggestOptions {
    /// Inputs, thresholds (the first is the reach), outputs.
    #[command(flatten)]
    pub coverage: CoverageOptions,

    /// How many sites, among which candidates.
    #[command(flatten)]
    pub choice: SuggestChoice,
}

/// What `walkshed suggest` adds to the coverage options.
#[derive(Debug, Clone, Default, PartialEq, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestChoice {
    /// Number of new sites to choose (K ≥ 1).
    #[arg(long, value_name = "K", conflicts_with = "target")]
    #[serde(default)]
    pub count: Option<usize>,

    /// Instead of --count: choose sites until this share of residents (existing stations and
    /// new sites together, within the reach) is covered, e.g. 0.9; says how many it took.
    #[arg(long, value_name = "SHARE")]
    #[serde(default, deserialize_with = "de::number_opt")]
    pub target: Option<f64>,

    /// With --target: the most sites to choose [default: as many as there are candidates].
    #[arg(long, value_name = "K", requires = "target")]
    #[serde(default)]
    pub max_count: Option<usize>,

    /// Candidate sites: a point file in any input format (`id`, `name` kept; a MultiPoint's
    /// first point), or `uncovered` for the anchors of the blocks no station covers.
    #[arg(long, value_name = "FILE|uncovered", conflicts_with = "candidate_grid")]
    #[serde(default)]
    pub candidates: Option<String>,

    /// Candidate sites on a square grid of this spacing in metres over the blocks (only cell
    /// centres within the reach of an uncovered block are kept).
    #[arg(long, value_name = "M")]
    #[serde(default, deserialize_with = "de::number_opt")]
    pub candidate_grid: Option<f64>,

    /// Coordinates of a --candidates file: wgs84, gcj02 (Amap 高德, Tencent) or bd09 (Baidu);
    /// converted to WGS84 on reading.
    #[arg(long, value_name = "SYSTEM", default_value_t = Coords::Wgs84)]
    #[serde(default)]
    pub candidates_coords: Coords,

    /// Drop the candidates inside these polygons (GeoJSON Polygon/MultiPolygon: water,
    /// farmland, protected land).
    #[arg(long, value_name = "FILE")]
    #[serde(default, deserialize_with = "de::path")]
    pub exclude: Option<PathBuf>,

    /// Suggest sites of this level (center, subcenter, station, point): the reach is the
    /// level's reach in --standard after --level-reach (GB 50180-2018: subcenter 1000 m, station
    /// and point 300 m) instead of the first threshold, and only existing stations of this level
    /// or higher count.
    #[arg(long, value_name = "LEVEL")]
    #[serde(default)]
    pub level: Option<String>,
}

impl SuggestOptions {
    /// The option names as a batch file spells them: the coverage keys, then the suggestion
    /// keys.
    pub fn keys() -> Vec<&'static str> {
        let mut keys = CoverageOptions::keys().to_vec();
        keys.extend_from_slice(de::field_names::<SuggestChoice>());
        keys
    }

    /// The keys [`SuggestChoice`] adds to the coverage keys.
    pub(crate) fn choice_keys() -> &'static [&'static str] {
        de::field_names::<SuggestChoice>()
    }

    /// Options from a batch table: the suggestion keys go to [`SuggestChoice`], the others to
    /// [`CoverageOptions`] (so an unknown key is reported as the coverage options report it).
    ///
    /// # Errors
    ///
    /// The message of the first key of the wrong type, or unknown.
    pub fn from_table(table: toml::Table) -> std::result::Result<Self, String> {
        let own = de::field_names::<SuggestChoice>();
        let (choice, coverage): (toml::Table, toml::Table) = table
            .into_iter()
            .partition(|(k, _)| own.contains(&k.as_str()));
        let message = |e: toml::de::Error| e.message().to_owned();
        Ok(SuggestOptions {
            coverage: coverage.try_into().map_err(message)?,
            choice: choice.try_into().map_err(message)?,
        })
    }

    /// The level asked for, if any, with the standard its reach comes from: `--standard` with
    /// `--level-reach` applied, as `--levels` measures. `Ok(None)` also when the standard itself
    /// is wrong (the coverage options report that).
    fn level(&self) -> Result<Option<(Level, Standard)>> {
        let Some(raw) = &self.choice.level else {
            return Ok(None);
        };
        let level = Level::parse(raw).ok_or_else(|| {
            Error::parameter(
                "--level",
                format!("unknown level {raw:?}; expected one of {ACCEPTED_LEVELS}"),
            )
        })?;
        let Ok(standard) = self.coverage.standard() else {
            return Ok(None);
        };
        if standard.reach_m[level.rank()].is_none() {
            return Err(Error::parameter(
                "--level",
                format!(
                    "the level {level} has no reach in {} (give one with --level-reach {level}=REACH)",
                    standard.name
                ),
            ));
        }
        Ok(Some((level, standard)))
    }

    /// Every problem of the options given (the coverage options' first), each naming its
    /// option; empty when [`job`](Self::job) will succeed.
    pub fn problems(&self, base_dir: Option<&Path>) -> Vec<Error> {
        let mut problems = self.coverage.problems(base_dir);
        let c = &self.choice;
        match (c.count, c.target) {
            (None, None) => problems.push(Error::parameter(
                "--count",
                "give the number of sites (--count K) or a share to reach (--target 0.9)",
            )),
            (Some(0), _) => {
                problems.push(Error::parameter("--count", "expected at least 1, found 0"))
            }
            (_, Some(t)) if !(t > 0.0 && t <= 1.0) => problems.push(Error::parameter(
                "--target",
                format!("expected a share in (0, 1], found {t}"),
            )),
            _ => {}
        }
        if c.count.is_some() && c.target.is_some() {
            problems.push(Error::parameter(
                "--target",
                "give --count or --target, not both",
            ));
        }
        if c.max_count == Some(0) {
            problems.push(Error::parameter(
                "--max-count",
                "expected at least 1, found 0",
            ));
        }
        match (&c.candidates, c.candidate_grid) {
            (None, None) => problems.push(Error::parameter(
                "--candidates",
                "give a point file, `uncovered`, or --candidate-grid M",
            )),
            (Some(_), Some(_)) => problems.push(Error::parameter(
                "--candidate-grid",
                "give --candidates or --candidate-grid, not both",
            )),
            (Some(file), None) if file != "uncovered" => problems.extend(file_problem(
                "--candidates",
                &resolve(base_dir, Path::new(file)),
            )),
            (None, Some(m)) if !(m.is_finite() && m > 0.0) => problems.push(Error::parameter(
                "--candidate-grid",
                format!("expected a positive number of metres, found {m}"),
            )),
            _ => {}
        }
        if let Some(path) = &c.exclude {
            problems.extend(file_problem("--exclude", &resolve(base_dir, path)));
        }
        if let Err(e) = self.level() {
            problems.push(e);
        }
        problems
    }

    /// The validated job writing into `out_dir`: fails with the first of
    /// [`problems`](Self::problems). Relative paths are taken from `base_dir` when given.
    pub fn job(&self, base_dir: Option<&Path>, out_dir: PathBuf) -> Result<SuggestJob> {
        if let Some(first) = self.problems(base_dir).into_iter().next() {
            return Err(first);
        }
        let c = &self.choice;
        let candidates = match (&c.candidates, c.candidate_grid) {
            (Some(u), _) if u == "uncovered" => CandidateSource::Uncovered,
            (Some(file), _) => CandidateSource::File(resolve(base_dir, Path::new(file))),
            (None, Some(m)) => CandidateSource::Grid(m),
            (None, None) => unreachable!("problems() requires one"),
        };
        let goal = Goal {
            max_picks: c.count.or(c.max_count).unwrap_or(usize::MAX),
            target_share: c.target,
            ..Goal::picks(1)
        };
        let mut job = self.coverage.job(base_dir, out_dir)?;
        job.input.candidates.coords = c.candidates_coords;
        Ok(SuggestJob {
            job,
            candidates,
            exclude: c.exclude.as_ref().map(|p| resolve(base_dir, p)),
            goal,
            level: self.level()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(Debug, clap::Parser)]
    struct Cli {
        #[command(flatten)]
        options: SuggestOptions,
    }

    #[test]
    fn every_flag_is_a_key_and_every_key_a_flag() {
        let flags: Vec<String> = Cli::command()
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|l| l.replace('-', "_"))
            .collect();
        assert_eq!(flags, SuggestOptions::keys());
    }

    #[test]
    fn command_line_and_table_agree() {
        use clap::Parser;
        let cli = Cli::try_parse_from([
            "x",
            "--stations=s.geojson",
            "--blocks=b.geojson",
            "--distance=300",
            "--target=0.9",
            "--max-count=12",
            "--candidate-grid=150",
            "--exclude=water.geojson",
            "--level=station",
        ])
        .unwrap();
        let table: toml::Table = toml::from_str(
            "stations = \"s.geojson\"\nblocks = \"b.geojson\"\ndistance = 300\ntarget = 0.9\n\
             max_count = 12\ncandidate_grid = 150\nexclude = \"water.geojson\"\n\
             level = \"station\"\n",
        )
        .unwrap();
        assert_eq!(cli.options, SuggestOptions::from_table(table).unwrap());
        let table: toml::Table = toml::from_str("count = 3\nspeeed = 1").unwrap();
        let err = SuggestOptions::from_table(table).unwrap_err();
        assert!(err.starts_with("unknown field `speeed`"), "{err}");
    }

    #[test]
    fn problems_name_each_suggestion_option() {
        let table: toml::Table = toml::from_str(
            "stations = \"/nowhere/s\"\ncount = 0\ncandidate_grid = -5\nlevel = \"kiosk\"",
        )
        .unwrap();
        let o = SuggestOptions::from_table(table).unwrap();
        let names: Vec<String> = o
            .problems(None)
            .into_iter()
            .map(|e| match e {
                Error::Parameter { name, .. } => name,
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(
            names,
            ["--stations", "--count", "--candidate-grid", "--level"]
        );
        let table: toml::Table =
            toml::from_str("target = 1.5\ncandidates = \"uncovered\"\nlevel = \"center\"").unwrap();
        let o = SuggestOptions::from_table(table).unwrap();
        let messages: Vec<String> = o.problems(None).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "invalid --target: expected a share in (0, 1], found 1.5",
                "invalid --level: the level center has no reach in gb50180 (give one with --level-reach center=REACH)"
            ]
        );
    }
}
