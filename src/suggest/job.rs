//! One whole `walkshed suggest` run: load the coverage inputs, measure what the existing
//! stations cover within the reach, lay the candidate sites, choose, and write.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::coverage::{DistanceModel, NetworkModel, StraightLine};
use crate::error::Result;
use crate::levels::{Level, Standard};
use crate::load::{self, Station, StationSet};
use crate::project::{Projection, XY};
use crate::publish::{Publication, Staged};
use crate::report::Summary;
use crate::run::{self, Job, Loaded, Stage};
use crate::{analyse, Analysis, Params};

use super::{candidates, zones, Candidate, Covers, Goal, Suggestion};

/// Where the candidate sites come from.
#[derive(Debug, Clone, PartialEq)]
pub enum CandidateSource {
    /// Points of a file, read like stations (`id` and `name` kept; a MultiPoint's first point).
    File(PathBuf),
    /// The centres of a square grid of this spacing in metres, near the uncovered blocks.
    Grid(f64),
    /// The anchors of the uncovered blocks.
    Uncovered,
}

/// Everything one suggestion run needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestJob {
    /// The coverage inputs and parameters; the reach is the first threshold (unless
    /// `level` is set), and the outputs go into its `out_dir`.
    pub job: Job,
    /// The candidate sites.
    pub candidates: CandidateSource,
    /// Polygons inside which no candidate may lie.
    pub exclude: Option<PathBuf>,
    /// How many to pick, or up to which share.
    pub goal: Goal,
    /// With a level: the reach is the standard's reach of it, and only existing stations of that
    /// level or higher count.
    pub level: Option<(Level, Standard)>,
}

impl SuggestJob {
    /// Every input file: the coverage job's, the candidate file, the exclusion zones.
    pub fn inputs(&self) -> Vec<&Path> {
        let mut inputs = self.job.inputs();
        if let CandidateSource::File(path) = &self.candidates {
            inputs.push(path);
        }
        inputs.extend(self.exclude.as_deref());
        inputs
    }

    /// The reach in metres: the level's, or the first threshold.
    pub fn reach_m(&self) -> f64 {
        match &self.level {
            Some((level, standard)) => standard.reach_m[level.rank()]
                .expect("the options check that the level has a reach"),
            None => self.job.params.thresholds[0].distance_m,
        }
    }
}

/// A finished suggestion run: the existing coverage, the candidates and the choice.
#[derive(Debug, Clone)]
pub struct Suggested {
    /// The reach, metres.
    pub reach_m: f64,
    /// The existing stations' coverage within the reach (all thresholds given, or the level's
    /// reach alone).
    pub analysis: Analysis,
    /// Whether each block is within the reach of an existing station that counts.
    pub covered: Vec<bool>,
    /// The candidates chosen among, in their order (after exclusion and, in network mode,
    /// without the off-network ones).
    pub candidates: Vec<Candidate>,
    /// Each candidate's longitude/latitude, as written to the outputs.
    pub lonlat: Vec<[f64; 2]>,
    /// Candidates dropped inside the exclusion zones.
    pub dropped_excluded: usize,
    /// Candidates dropped as off-network (snap leg longer than `--max-snap`).
    pub dropped_off_network: usize,
    /// Existing stations that do not count (below the level, or without a level) with a level.
    pub stations_not_counted: usize,
    /// The picks.
    pub suggestion: Suggestion,
    /// For each pick in order, the blocks it newly covers (ascending).
    pub newly: Vec<Vec<u32>>,
}

/// Loads, measures and chooses; writes nothing.
pub fn suggest_job(
    job: &SuggestJob,
    progress: &mut dyn FnMut(Stage),
) -> Result<(Loaded, Suggested)> {
    let loaded = run::load(&job.job, progress)?;
    progress(Stage::Measure);
    let suggested = suggest_loaded(job, &loaded)?;
    Ok((loaded, suggested))
}

/// Measures and chooses on inputs loaded already (a batch's); writes nothing.
pub(crate) fn suggest_loaded(job: &SuggestJob, loaded: &Loaded) -> Result<Suggested> {
    let reach_m = job.reach_m();
    let params = match &job.level {
        Some(_) => Params::builder()
            .distance_m(&[reach_m])
            .speed_m_per_min(job.job.params.speed_m_per_min)
            .detour(job.job.params.detour)
            .max_snap_m(job.job.params.max_snap_m)
            .build()?,
        None => job.job.params.clone(),
    };
    let all = loaded.all_stations();
    let counted: Vec<Station> = match &job.level {
        Some((level, _)) => all
            .iter()
            .filter(|s| {
                s.level
                    .as_deref()
                    .and_then(Level::parse)
                    .is_some_and(|l| l <= *level)
            })
            .cloned()
            .collect(),
        None => all.clone(),
    };
    let stations_not_counted = all.len() - counted.len();
    let model: Box<dyn DistanceModel> = match &loaded.network {
        Some(net) => Box::new(NetworkModel::new(Arc::clone(net), params.max_snap_m)),
        None => Box::new(StraightLine {
            detour: params.detour,
        }),
    };
    let analysis = analyse(&counted, &loaded.blocks, model.as_ref(), &params);
    let covered: Vec<bool> = analysis
        .measurement
        .blocks
        .par_iter()
        .map(|m| crate::aggregate::covered(m.distance_m, reach_m))
        .collect();
    let projection = &analysis.projection;
    let blocks = loaded.blocks.blocks();
    let anchors = projection
        .over_box(loaded.blocks.anchor_bbox())
        .forward_all(blocks, |b| b.anchor);

    let (laid, lonlat) = lay(job, loaded, projection, &anchors, &covered, reach_m)?;
    let total = laid.len();
    let keep = match &job.exclude {
        Some(path) => candidates::outside(&laid, &zones::read_zones(path, projection)?),
        None => vec![true; total],
    };
    let (laid, lonlat) = keep_where(laid, lonlat, &keep);
    let dropped_excluded = total - laid.len();
    if laid.is_empty() && total > 0 && dropped_excluded > 0 {
        return Err(candidates::all_excluded(total));
    }
    let keep: Vec<bool> = match &loaded.network {
        Some(net) => net
            .snap_all(&laid.iter().map(|c| c.xy).collect::<Vec<XY>>())
            .into_iter()
            .map(|s| s.is_some_and(|s| s.leg_m <= params.max_snap_m))
            .collect(),
        None => vec![true; laid.len()],
    };
    let before = laid.len();
    let (laid, lonlat) = keep_where(laid, lonlat, &keep);
    let dropped_off_network = before - laid.len();
    if laid.is_empty() && before > 0 {
        return Err(crate::Error::parameter(
            "--max-snap",
            format!(
                "all {before} candidate sites are off the network; none is left to choose from"
            ),
        ));
    }
    let population: Vec<f64> = blocks.iter().map(|b| b.population).collect();
    let covers = Covers::measure(model.as_ref(), &laid, &anchors, &covered, reach_m);
    let goal = Goal {
        max_picks: job.goal.max_picks.min(laid.len().max(1)),
        ..job.goal
    };
    let suggestion = super::choose(&covers, &population, &covered, &goal)?;
    let newly = newly_covered(&covers, &covered, &suggestion);
    Ok(Suggested {
        reach_m,
        analysis,
        covered,
        candidates: laid,
        lonlat,
        dropped_excluded,
        dropped_off_network,
        stations_not_counted,
        suggestion,
        newly,
    })
}

/// The candidate sites before exclusion, and each one's longitude/latitude: the point read
/// (file), the block's anchor (uncovered), or the grid centre taken back from the plane; each
/// candidate is placed exactly where a station read back from that longitude/latitude would be,
/// so that coverage with the picks added agrees to the bit.
fn lay(
    job: &SuggestJob,
    loaded: &Loaded,
    projection: &Projection,
    anchors: &[XY],
    covered: &[bool],
    reach_m: f64,
) -> Result<(Vec<Candidate>, Vec<[f64; 2]>)> {
    let (mut laid, lonlat): (Vec<Candidate>, Vec<[f64; 2]>) = match &job.candidates {
        // Any format walkshed reads, in the coordinates of --candidates-coords.
        CandidateSource::File(path) => load::read_stations_from(path, &job.job.input.candidates)?
            .stations
            .into_iter()
            .map(|s| {
                let lonlat = s.entrances[0];
                let c = Candidate {
                    xy: [f64::NAN; 2],
                    id: s.id,
                    name: s.name,
                };
                (c, lonlat)
            })
            .unzip(),
        CandidateSource::Grid(spacing_m) => {
            let grid = candidates::grid(anchors, covered, *spacing_m, reach_m)?;
            let lonlat = grid.iter().map(|c| projection.inverse(c.xy)).collect();
            (grid, lonlat)
        }
        CandidateSource::Uncovered => {
            let ids = loaded.blocks.blocks().iter().map(|b| &*b.id);
            let laid = candidates::uncovered_anchors(ids, anchors, covered);
            let lonlat = (loaded.blocks.blocks().iter().zip(anchors).zip(covered))
                .filter(|&((_, a), &c)| !c && a.iter().all(|v| v.is_finite()))
                .map(|((b, _), _)| b.anchor)
                .collect();
            (laid, lonlat)
        }
    };
    laid.par_iter_mut()
        .zip(&lonlat)
        .for_each(|(c, &[lon, lat])| {
            c.xy = projection.forward(lon, lat);
        });
    Ok((laid, lonlat))
}

/// The candidates (and their longitudes/latitudes) where `keep` is true.
fn keep_where(
    laid: Vec<Candidate>,
    lonlat: Vec<[f64; 2]>,
    keep: &[bool],
) -> (Vec<Candidate>, Vec<[f64; 2]>) {
    laid.into_iter()
        .zip(lonlat)
        .zip(keep)
        .filter(|&(_, &k)| k)
        .map(|(pair, _)| pair)
        .unzip()
}

/// For each pick in order, the blocks it covers that no earlier pick (nor an existing station)
/// does.
fn newly_covered(covers: &Covers, covered: &[bool], s: &Suggestion) -> Vec<Vec<u32>> {
    let mut hit = covered.to_vec();
    s.picks
        .iter()
        .map(|p| {
            covers
                .of(p.candidate as usize)
                .iter()
                .copied()
                .filter(|&b| !std::mem::replace(&mut hit[b as usize], true))
                .collect()
        })
        .collect()
}

/// Loads, chooses and writes a suggestion job as one unit; returns the summary (with its
/// `suggest` section) and the run.
pub fn run_suggest(
    job: &SuggestJob,
    progress: &mut dyn FnMut(Stage),
) -> Result<(Summary, Suggested)> {
    let mut publication = Publication::begin(&job.job.out_dir, &job.inputs())?;
    let (loaded, suggested) = suggest_job(job, progress)?;
    let summary = write_suggested(job, &loaded, &suggested, publication.staged(), progress)?;
    publication.commit()?;
    Ok((summary, suggested))
}

/// Summarises a finished run and writes its files into `staged`; returns the summary (with its
/// `suggest` section).
pub(crate) fn write_suggested(
    job: &SuggestJob,
    loaded: &Loaded,
    suggested: &Suggested,
    staged: &mut Staged,
    progress: &mut dyn FnMut(Stage),
) -> Result<Summary> {
    let mut summary = run::summarise(&job.job, loaded, &suggested.analysis)?;
    if let CandidateSource::File(path) = &job.candidates {
        summary.inputs.stations.retain(|p| p != path);
    }
    summary.suggest = Some(super::tables::SuggestSummary::new(job, suggested));
    super::tables::stage(staged, job, loaded, suggested, &mut summary, progress)?;
    Ok(summary)
}

impl Suggested {
    /// The picks as stations, read back as `suggestions.geojson` would be (`id` the
    /// candidate's, the name, one entrance at the written longitude/latitude), with the level
    /// suggested for when there is one; `path` is the file they stand for.
    pub fn as_stations(&self, path: PathBuf, level: Option<Level>) -> StationSet {
        let stations = (self.suggestion.picks.iter())
            .map(|p| {
                let c = p.candidate as usize;
                Station {
                    id: self.candidates[c].id.clone(),
                    name: self.candidates[c].name.clone(),
                    level: level.map(|l| l.name().to_owned()),
                    entrances: vec![self.lonlat[c]],
                    from_area: false,
                }
            })
            .collect();
        StationSet { path, stations }
    }
}
