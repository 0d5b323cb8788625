//! One whole coverage job, as the `coverage` command runs it: load → analyse → write.
//!
//! The binary and the batch runner both go through [`Job`], so a scenario of a batch and the same
//! analysis run alone write identical files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::circle::{CircleInputs, CircleOptions};
use crate::coverage::{AreaModel, DistanceModel, NetworkModel, StraightLine};
use crate::error::Result;
use crate::load::{self, BlockFields, BlockSet, ContextLayer, InputSettings, StationSet};
use crate::network::Network;
use crate::options::Measure;
use crate::project::XY;
use crate::publish::{Publication, Staged};
use crate::render::{MapOptions, ReachStyle};
use crate::report::{self, Inputs, Outputs, Summary};
use crate::service_areas::{
    contoured_bands, service_areas_geojson, straight_line_bands, Band, Residents, ServiceGrid,
};
use crate::{analyse_area, analyse_with, projection_for, Analysis, Change, Params};

/// Everything one coverage run needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The station file.
    pub stations: PathBuf,
    /// Extra station files laid over the base stations (e.g. proposed sites).
    pub add_stations: Vec<PathBuf>,
    /// The blocks file.
    pub blocks: PathBuf,
    /// The walking network (GeoJSON lines or `.osm.pbf`); straight-line mode without it.
    pub network: Option<PathBuf>,
    /// Population and grouping fields.
    pub fields: BlockFields,
    /// Thresholds, speed, detour, snap limit.
    pub params: Params,
    /// Whether blocks count by their anchor or by the share of their area within reach.
    pub measure: Measure,
    /// Network mode: the grid contoured into service areas.
    pub service_grid: ServiceGrid,
    /// The output folder.
    pub out_dir: PathBuf,
    /// Which files to write.
    pub outputs: Outputs,
    /// Map options.
    pub map: MapOptions,
    /// How the stations and blocks files are read: coordinates, encoding, columns.
    pub input: InputSettings,
    /// The level analysis and capacity, when asked for.
    pub circle: CircleOptions,
    /// Fail on suspicious data (see docs/bad-input.md) instead of warning.
    pub strict: bool,
}

impl Job {
    /// Every input file: stations, added stations, blocks, network, context layers.
    pub fn inputs(&self) -> Vec<&Path> {
        let mut inputs = vec![self.stations.as_path()];
        inputs.extend(self.add_stations.iter().map(PathBuf::as_path));
        inputs.push(&self.blocks);
        inputs.extend(self.network.as_deref());
        inputs.extend(self.map.context.iter().map(PathBuf::as_path));
        inputs
    }

    /// Reads the job's inputs and analyses them, writing nothing ([`run`] also writes).
    pub fn analyse(&self) -> Result<Analysis> {
        let loaded = load(self, &mut |_| {})?;
        analyse_loaded(self, &loaded)
    }

    /// Whether the blocks' outlines must be kept when reading them: for maps and the report,
    /// and for area mode.
    pub fn keeps_outlines(&self) -> bool {
        self.outputs.maps || self.outputs.report || self.measure == Measure::Area
    }

    /// Whether the run computes service areas: for `service_areas.geojson`, or for a gap map
    /// that draws them.
    pub fn needs_bands(&self) -> bool {
        self.outputs.service_areas
            || ((self.outputs.maps || self.outputs.report) && self.map.reach == ReachStyle::Bands)
    }
}

/// Stages of a job, announced to a progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading station files.
    LoadStations,
    /// Reading the blocks file.
    LoadBlocks,
    /// Reading the network and building its graph.
    LoadNetwork,
    /// Measuring distances and aggregating.
    Measure,
    /// Writing tables.
    WriteTables,
    /// Computing service areas.
    ServiceAreas,
    /// Drawing maps.
    Render,
}

impl Stage {
    /// What the stage does, for progress displays.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::LoadStations => "reading stations",
            Stage::LoadBlocks => "reading blocks",
            Stage::LoadNetwork => "building the walking network",
            Stage::Measure => "measuring walking distances",
            Stage::WriteTables => "writing tables",
            Stage::ServiceAreas => "computing service areas",
            Stage::Render => "drawing maps",
        }
    }
}

/// Loaded inputs, shareable between analyses.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// Station files, base first.
    pub stations: Vec<Arc<StationSet>>,
    /// Blocks.
    pub blocks: Arc<BlockSet>,
    /// The network graph, built in the blocks' plane.
    pub network: Option<Arc<Network>>,
    /// The maps' context layers ([`MapOptions::context`]), read when maps or the report are
    /// written.
    pub context: Vec<ContextLayer>,
}

impl Loaded {
    /// All stations, base then added, in input order.
    pub fn all_stations(&self) -> Vec<crate::Station> {
        self.stations
            .iter()
            .flat_map(|s| s.stations.iter().cloned())
            .collect()
    }
}

/// Loads a job's inputs.
pub(crate) fn load(job: &Job, progress: &mut dyn FnMut(Stage)) -> Result<Loaded> {
    // A pipe as blocks cannot be read twice: refused before any work, not after it.
    if job.outputs.blocks && load::FileStamp::of(&job.blocks).is_some_and(|s| s.is_stream()) {
        return Err(load::FileStamp::stream_error(&job.blocks));
    }
    progress(Stage::LoadStations);
    let read = |file| load::read_stations_from(file, &job.input.stations);
    let mut stations = vec![Arc::new(read(&job.stations)?)];
    for extra in &job.add_stations {
        stations.push(Arc::new(read(extra)?));
    }
    progress(Stage::LoadBlocks);
    let mut fields = job.fields.clone();
    fields.keep_outlines = job.keeps_outlines();
    let blocks = Arc::new(load::read_blocks_from(
        &job.blocks,
        &fields,
        &job.input.blocks,
    )?);
    crate::checks::extent(&blocks)?;
    let network = match &job.network {
        Some(path) => {
            progress(Stage::LoadNetwork);
            let lines = load::read_network(path)?;
            Some(Arc::new(Network::build(&lines, &projection_for(&blocks))))
        }
        None => None,
    };
    Ok(Loaded {
        stations,
        blocks,
        network,
        context: read_context(job)?,
    })
}

/// The job's context layers, when it draws maps (none otherwise).
pub(crate) fn read_context(job: &Job) -> Result<Vec<ContextLayer>> {
    if !(job.outputs.maps || job.outputs.report) {
        return Ok(Vec::new());
    }
    job.map
        .context
        .iter()
        .map(|p| load::read_context_from(p, &job.input.context))
        .collect()
}

/// Runs the analysis of loaded inputs; fails when `--levels` finds a station without a known
/// level, or `--capacity` a station without a valid capacity.
pub(crate) fn analyse_loaded(job: &Job, loaded: &Loaded) -> Result<Analysis> {
    let files: Vec<(&std::path::Path, &[crate::Station])> = loaded
        .stations
        .iter()
        .map(|s| (s.path.as_path(), s.stations.as_slice()))
        .collect();
    let circle = CircleInputs::read(&job.circle, &files, &job.input.stations)?;
    // One station file (the usual case) is used as it is, without a copy.
    let joined;
    let stations = match loaded.stations.as_slice() {
        [only] => &only.stations,
        _ => {
            joined = loaded.all_stations();
            &joined
        }
    };
    Ok(measure(job, loaded, stations, &circle))
}

/// Analyses the loaded blocks against `stations` under the job's distance model.
fn measure(
    job: &Job,
    loaded: &Loaded,
    stations: &[crate::Station],
    circle: &CircleInputs,
) -> Analysis {
    match &loaded.network {
        Some(net) => {
            let model = NetworkModel::new(Arc::clone(net), job.params.max_snap_m);
            analyse_with(
                stations,
                &loaded.blocks,
                &model as &dyn DistanceModel,
                &job.params,
                circle,
            )
        }
        None => {
            let model = StraightLine {
                detour: job.params.detour,
            };
            match job.measure {
                Measure::Anchor => {
                    analyse_with(stations, &loaded.blocks, &model, &job.params, circle)
                }
                Measure::Area => {
                    let area = AreaModel::new(job.params.detour, AreaModel::DEFAULT_SIDES)
                        .expect("the detour was checked with the options");
                    analyse_area(stations, &loaded.blocks, &area, &job.params, circle)
                }
            }
        }
    }
}

/// The service areas of an analysis: straight-line disks, or the network contoured on the
/// job's grid.
fn service_bands(job: &Job, inputs: &StageInputs<'_>, analysis: &Analysis) -> Result<Vec<Band>> {
    let projection = &analysis.projection;
    let entrances: Vec<Vec<XY>> = analysis
        .stations
        .iter()
        .map(|s| {
            let forward = |p: &[f64; 2]| projection.forward(p[0], p[1]);
            s.entrances.iter().map(forward).collect()
        })
        .collect();
    let blocks = inputs.blocks.blocks();
    let anchors: Vec<XY> = blocks
        .iter()
        .map(|b| projection.forward(b.anchor[0], b.anchor[1]))
        .collect();
    let population: Vec<f64> = blocks.iter().map(|b| b.population).collect();
    let residents = Residents {
        anchors: &anchors,
        population: &population,
    };
    let thresholds: Vec<f64> = job.params.thresholds.iter().map(|t| t.distance_m).collect();
    match inputs.network {
        Some(net) => {
            let model = NetworkModel::new(Arc::clone(net), job.params.max_snap_m);
            contoured_bands(
                &model,
                &entrances,
                &thresholds,
                job.service_grid,
                residents,
                projection,
            )
        }
        None => {
            let model = AreaModel::new(job.params.detour, AreaModel::DEFAULT_SIDES)?;
            Ok(straight_line_bands(
                &model,
                &entrances,
                &thresholds,
                residents,
                projection,
            ))
        }
    }
}

/// With `--add-stations`: what the added stations change, against an analysis of the base
/// stations alone (one more measurement, without levels or capacity); `None` without added
/// stations.
pub(crate) fn change_of(job: &Job, loaded: &Loaded, after: &Analysis) -> Option<Change> {
    let base = &loaded.stations.first()?.stations;
    if job.add_stations.is_empty() {
        return None;
    }
    let before = measure(job, loaded, base, &CircleInputs::default());
    Some(Change::between(&before, after, &loaded.blocks))
}

/// The summary of an analysis of a job, with the warnings of [`crate::checks::warnings`].
///
/// # Errors
///
/// [`Error::Suspicious`](crate::Error::Suspicious) when the job is
/// [`strict`](Job::strict) and there are such warnings.
pub(crate) fn summarise(job: &Job, loaded: &Loaded, analysis: &Analysis) -> Result<Summary> {
    let mut inputs = Inputs {
        stations: vec![job.stations.clone()],
        blocks: job.blocks.clone(),
        network: job.network.clone(),
        converted: job.input.converted(),
        station_counts: loaded.stations.iter().map(|s| s.stations.len()).collect(),
    };
    inputs.stations.extend(job.add_stations.iter().cloned());
    let mut summary = Summary::new(analysis, &loaded.blocks, inputs);
    let station_files: Vec<&Path> = job.inputs()[..1 + job.add_stations.len()].to_vec();
    let suspicious = crate::checks::warnings(&station_files, &loaded.blocks, analysis);
    if job.strict && !suspicious.is_empty() {
        return Err(crate::Error::Suspicious {
            warnings: suspicious,
        });
    }
    summary.warnings.extend(suspicious);
    Ok(summary)
}

/// Writes every chosen output of an analysis of `blocks` into the job's folder, as one unit
/// (the folder is replaced only when every file is written); returns the files written. The
/// job's context layers are read for the maps, and its network for network service areas.
pub fn write_outputs(
    job: &Job,
    blocks: &BlockSet,
    analysis: &Analysis,
    summary: &Summary,
    progress: &mut dyn FnMut(Stage),
) -> Result<Vec<PathBuf>> {
    let mut publication = Publication::begin(&job.out_dir, &job.inputs())?;
    let context = read_context(job)?;
    let network = match &job.network {
        Some(path) if job.needs_bands() => {
            let lines = load::read_network(path)?;
            Some(Arc::new(Network::build(&lines, &projection_for(blocks))))
        }
        _ => None,
    };
    let mut summary = summary.clone();
    let inputs = StageInputs {
        blocks,
        network: network.as_ref(),
        context: &context,
    };
    stage(
        job,
        &inputs,
        analysis,
        None,
        &mut summary,
        publication.staged(),
        progress,
    )?;
    publication.commit()
}

/// The loaded inputs [`stage`] draws and tabulates besides the analysis.
pub(crate) struct StageInputs<'a> {
    /// The blocks analysed.
    pub blocks: &'a BlockSet,
    /// The network graph (network mode), for network service areas.
    pub network: Option<&'a Arc<Network>>,
    /// The maps' context layers.
    pub context: &'a [ContextLayer],
}

impl Loaded {
    /// What [`stage`] needs of the loaded inputs.
    pub fn stage_inputs(&self) -> StageInputs<'_> {
        StageInputs {
            blocks: &self.blocks,
            network: self.network.as_ref(),
            context: &self.context,
        }
    }
}

/// Writes every chosen output of an analysis into `staged`, `summary.json` last, and lists
/// them in `summary.files`. The maps are drawn first, so that `summary` notes the station names
/// they left off (with `--labels`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn stage(
    job: &Job,
    inputs: &StageInputs<'_>,
    analysis: &Analysis,
    change: Option<&Change>,
    summary: &mut Summary,
    staged: &mut Staged,
    progress: &mut dyn FnMut(Stage),
) -> Result<()> {
    let bands = if job.needs_bands() {
        progress(Stage::ServiceAreas);
        Some(service_bands(job, inputs, analysis)?)
    } else {
        None
    };
    let maps = if job.outputs.maps || job.outputs.report {
        progress(Stage::Render);
        let mut maps = crate::render::draw_maps(
            analysis,
            inputs.blocks,
            inputs.context,
            summary,
            &job.map,
            bands.as_deref(),
        )?;
        if let Some(change) = change {
            let heading = crate::render::proposal_heading(job.map.lang);
            let svg = crate::render::draw_change(
                analysis,
                inputs.blocks,
                inputs.context,
                change,
                heading,
                &job.map,
            );
            maps.files.push(("change.svg", svg));
        }
        if job.map.labels {
            let named = analysis
                .stations
                .iter()
                .filter(|s| s.name.as_deref().is_some_and(|n| !n.trim().is_empty()))
                .count();
            summary.note_labels(named, &maps.labels_dropped);
        }
        Some(maps)
    } else {
        None
    };
    progress(Stage::WriteTables);
    report::stage_tables(
        staged,
        analysis,
        inputs.blocks,
        &summary.inputs,
        job.outputs,
    )?;
    if let (Some(change), true) = (change, job.outputs.summary || job.outputs.groups) {
        let field = inputs
            .blocks
            .fields()
            .group_by
            .as_deref()
            .unwrap_or("group");
        let csv = change.summary.csv(field);
        staged.add("change.csv", |w| w.write_all(csv.as_bytes()))?;
    }
    if let (true, Some(bands)) = (job.outputs.service_areas, &bands) {
        let json = service_areas_geojson(bands);
        staged.add("service_areas.geojson", |w| w.write_all(json.as_bytes()))?;
    }
    if let Some(maps) = &maps {
        if job.outputs.maps {
            maps.stage(staged, job.map.png)?;
        }
        if job.outputs.report {
            let html = crate::render::report_html(analysis, summary, maps, &job.map);
            staged.add("report.html", |w| w.write_all(html.as_bytes()))?;
        }
    }
    report::stage_summary(staged, summary, job.outputs.summary)
}

/// Loads, analyses and writes a job; returns its summary.
///
/// The output folder is checked and locked before anything is read, and replaced as one unit
/// when every file is written: it holds either the previous run's files or this one's.
pub fn run(job: &Job, progress: &mut dyn FnMut(Stage)) -> Result<Summary> {
    let mut publication = Publication::begin(&job.out_dir, &job.inputs())?;
    let loaded = load(job, progress)?;
    progress(Stage::Measure);
    let analysis = analyse_loaded(job, &loaded)?;
    let mut summary = summarise(job, &loaded, &analysis)?;
    let change = change_of(job, &loaded, &analysis);
    summary.change = change.as_ref().map(|c| c.summary.clone());
    stage(
        job,
        &loaded.stage_inputs(),
        &analysis,
        change.as_ref(),
        &mut summary,
        publication.staged(),
        progress,
    )?;
    publication.commit()?;
    // Millions of small records take a while to free: let a thread of their own do it, so the
    // caller has its summary at once (and a process that exits first need not wait at all).
    // If no thread can be started, the closure is dropped here, and the memory with it. The
    // blocks' temporary GeoJSON copy is removed first, here: a process that exits before that
    // thread is done would leave it in the temporary folder.
    loaded.blocks.remove_copy();
    let _ = std::thread::Builder::new()
        .name("walkshed-free".to_owned())
        .spawn(move || drop((analysis, loaded)));
    Ok(summary)
}
