//! The service circle of one run, beyond coverage: the level analysis (`--levels`) and capacity
//! (`--capacity`) — what a job asks for ([`CircleOptions`]), the station data that needs
//! ([`CircleInputs`]: levels checked, capacities read), and the step that measures them.
//!
//! Both measure with the run's own [`DistanceModel`], so straight-line and network runs agree
//! with their coverage. The catchment (every station within the first threshold of every block)
//! is made once per run (in a straight line square of blocks by square, over one grid of the
//! entrances), whatever the number of levels.

use std::path::Path;

use crate::capacity::{read_capacity, Staffing};
use crate::config::Params;
use crate::coverage::{DistanceModel, Measurement};
use crate::error::{Error, Result};
use crate::levels::{station_levels, Level, LevelDistances, LevelReport, Standard};
use crate::load::{BlockSet, InputOptions, Station};
use crate::project::XY;

/// What a job asks for beyond coverage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CircleOptions {
    /// `--levels`: the standard to measure each level against.
    pub standard: Option<Standard>,
    /// `--capacity`: the station property holding each station's capacity.
    pub capacity: Option<String>,
    /// `--max-load`: residents per unit of capacity beyond which a station is overloaded.
    pub max_load: Option<f64>,
}

/// The station data the options need, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CircleInputs {
    /// The standard and each station's level.
    pub levels: Option<(Standard, Vec<Level>)>,
    /// The capacity property and each station's capacity.
    pub capacity: Option<(String, Vec<f64>)>,
    /// `--max-load`.
    pub max_load: Option<f64>,
}

impl CircleInputs {
    /// Checks every station's level (with `--levels`) and reads every station's capacity (with
    /// `--capacity`) from `files`: each station file's path and its stations, base first; `input`
    /// is how the station files are read (the capacity is read again from them with it).
    pub fn read(
        options: &CircleOptions,
        files: &[(&Path, &[Station])],
        input: &InputOptions,
    ) -> Result<CircleInputs> {
        let levels = match &options.standard {
            Some(standard) => Some((standard.clone(), station_levels(files.iter().copied())?)),
            None => None,
        };
        let capacity = match &options.capacity {
            Some(field) => {
                let paths: Vec<&Path> = files.iter().map(|(p, _)| *p).collect();
                let values = read_capacity(&paths, field, input)?.ok_or_else(|| {
                    Error::parameter("--capacity", format!("no station has the field {field:?}"))
                })?;
                Some((field.clone(), values))
            }
            None => None,
        };
        Ok(CircleInputs {
            levels,
            capacity,
            max_load: options.max_load,
        })
    }

    /// Whether there is anything to measure.
    pub fn is_empty(&self) -> bool {
        self.levels.is_none() && self.capacity.is_none()
    }
}

/// The plane a run measures in: station entrances and block anchors, metres.
pub(crate) struct Plane<'a> {
    pub entrances: &'a [Vec<XY>],
    pub anchors: &'a [XY],
}

/// Measures the levels and capacity `inputs` asks for; `measurement` is the coverage's own (of
/// every station, searched as far as the largest threshold). `loads[j]` is station `j`'s load (the
/// residents for whom it is the nearest within the first threshold); `groups` the group names
/// in the order the analysis reports them, when grouping.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure(
    inputs: &CircleInputs,
    plane: &Plane,
    model: &dyn DistanceModel,
    measurement: &Measurement,
    params: &Params,
    block_set: &BlockSet,
    loads: &[f64],
    groups: Option<Vec<Option<String>>>,
) -> (Option<LevelReport>, Option<Staffing>) {
    let blocks = block_set.blocks();
    let names = block_set.groups();
    let population: Vec<f64> = blocks.iter().map(|b| b.population).collect();
    let levels = inputs.levels.as_ref().map(|(standard, levels)| {
        // Searched as far as the coverage itself (and the largest reach), so that a level all
        // stations belong to is the coverage's own measurement.
        let bound = standard
            .reaches()
            .map(|(_, r)| r)
            .fold(params.reach_m(), f64::max);
        let all = (params.reach_m() >= bound).then_some(measurement);
        let distances = LevelDistances::measure_with(
            standard,
            levels,
            plane.entrances,
            plane.anchors,
            model,
            bound,
            all,
        );
        LevelReport::new(
            distances,
            &population,
            |b| blocks[b].group.map(|g| names.name(g)),
            groups,
        )
    });
    let staffing = inputs.capacity.as_ref().map(|(field, capacity)| {
        let reach = params.thresholds[0].distance_m;
        let access = model.access(plane.entrances, plane.anchors, reach, &population, capacity);
        Staffing::new(
            field.clone(),
            capacity.clone(),
            access,
            loads,
            inputs.max_load,
        )
    });
    (levels, staffing)
}
