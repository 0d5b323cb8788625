//! One coverage analysis of loaded inputs: project → index → measure → aggregate.
//!
//! [`analyse`] takes stations and blocks already read (see [`crate::read_stations`],
//! [`crate::read_blocks`]) and a distance model, and returns an [`Analysis`]: per-block
//! measures and the aggregates the reports and maps are made of.

use rayon::prelude::*;

use crate::aggregate::{self, Aggregates, NetworkSummary};
use crate::capacity::Staffing;
use crate::circle::{self, CircleInputs};
use crate::config::Params;
use crate::coverage::{
    AreaBasis, AreaModel, BlockOutline, DistanceModel, Measurement, StraightLine,
};
use crate::levels::LevelReport;
use crate::load::{BlockSet, Station};
use crate::project::{self, Projection};

/// The result of one coverage analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The parameters.
    pub params: Params,
    /// The distance model's name.
    pub model: &'static str,
    /// The metric plane the analysis was measured in.
    pub projection: Projection,
    /// The stations (base and added), in input order.
    pub stations: Vec<Station>,
    /// Per-block measures, in input order.
    pub measurement: Measurement,
    /// Shares, groups, loads, walking-time distribution.
    pub aggregates: Aggregates,
    /// Network-mode figures.
    pub network: Option<NetworkSummary>,
    /// The level analysis (`--levels`).
    pub levels: Option<LevelReport>,
    /// Capacity (`--capacity`).
    pub capacity: Option<Staffing>,
    /// Area mode (`--measure area`): each block's covered fractions; `None` otherwise.
    pub area: Option<AreaCoverage>,
}

/// Area mode's per-block results.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaCoverage {
    /// Sides of the disk polygons.
    pub disk_sides: usize,
    /// Per block (input order), per threshold: the covered fraction of its area, in [0, 1].
    pub fractions: Vec<Vec<f64>>,
    /// What each block's fractions rest on, counted: blocks read as a valid polygon or
    /// multipolygon, invalid ones repaired by the even-odd rule, blocks without area counted by
    /// their anchor.
    pub bases: AreaBases,
}

/// How many blocks' area-mode fractions rest on each [`AreaBasis`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AreaBases {
    /// Valid polygons and multipolygons.
    pub polygon: usize,
    /// Invalid polygons (those of [`Summary::invalid_polygons`](crate::Summary::invalid_polygons)),
    /// repaired by the even-odd rule.
    pub even_odd: usize,
    /// No area (points, degenerate rings): counted by the anchor's distance.
    pub anchor: usize,
}

/// The metric plane for a set of blocks: a transverse Mercator centred on the middle of the
/// bounding box of their anchors. Stations far from every block do not move it, so scenarios
/// that add stations to the same blocks share one plane (and one network graph).
pub fn projection_for(blocks: &BlockSet) -> Projection {
    Projection::centred_on_bbox(blocks.anchor_bbox())
}

/// Measures and aggregates: every block against `stations` under `model`.
pub fn analyse(
    stations: &[Station],
    blocks: &BlockSet,
    model: &dyn DistanceModel,
    params: &Params,
) -> Analysis {
    analyse_with(stations, blocks, model, params, &CircleInputs::default())
}

/// [`analyse`], with the levels and capacity `circle` asks for (read for these `stations`).
pub fn analyse_with(
    stations: &[Station],
    blocks: &BlockSet,
    model: &dyn DistanceModel,
    params: &Params,
    circle: &CircleInputs,
) -> Analysis {
    let plane = Projected::new(stations, blocks);
    let measurement = model.measure(&plane.entrances, &plane.anchors, params.reach_m());
    analyse_measured(stations, blocks, model, params, circle, plane, measurement)
}

/// Stations and blocks in the blocks' metric plane.
pub(crate) struct Projected {
    /// The plane ([`projection_for`] the blocks).
    pub projection: Projection,
    /// Each station's entrances in the plane.
    pub entrances: Vec<Vec<project::XY>>,
    /// Each block's anchor in the plane.
    pub anchors: Vec<project::XY>,
}

impl Projected {
    /// Projects `stations` and `blocks` into the plane of `blocks`.
    pub fn new(stations: &[Station], blocks: &BlockSet) -> Self {
        let bbox = blocks.anchor_bbox();
        let projection = Projection::centred_on_bbox(bbox);
        let entrances: Vec<Vec<project::XY>> = stations
            .par_iter()
            .map(|s| {
                s.entrances
                    .iter()
                    .map(|p| projection.forward(p[0], p[1]))
                    .collect()
            })
            .collect();
        let fast = projection.over_box(bbox);
        let anchors = fast.forward_all(blocks.blocks(), |b| b.anchor);
        Projected {
            projection,
            entrances,
            anchors,
        }
    }
}

/// [`analyse_with`] from a measurement already made (by `model`, or by the tiles of a tiled
/// run): aggregates, network figures, levels and capacity.
pub(crate) fn analyse_measured(
    stations: &[Station],
    blocks: &BlockSet,
    model: &dyn DistanceModel,
    params: &Params,
    circle: &CircleInputs,
    plane: Projected,
    measurement: Measurement,
) -> Analysis {
    let Projected {
        projection,
        entrances,
        anchors,
    } = plane;
    let aggregates = aggregate::aggregate(
        blocks.blocks(),
        stations.len(),
        &measurement,
        params,
        blocks.fields().group_by.is_some().then(|| blocks.groups()),
    );
    let ids: Vec<&str> = stations.iter().map(|s| s.id.as_str()).collect();
    let network = aggregate::network_summary(blocks.blocks(), &ids, &measurement);
    let (levels, capacity) = if circle.is_empty() {
        (None, None)
    } else {
        let loads: Vec<f64> = aggregates.station_load.iter().map(|l| l.0).collect();
        let groups = aggregates
            .groups
            .as_ref()
            .map(|g| g.iter().map(|g| g.name.clone()).collect());
        let plane = circle::Plane {
            entrances: &entrances,
            anchors: &anchors,
        };
        circle::measure(
            circle,
            &plane,
            model,
            &measurement,
            params,
            blocks,
            &loads,
            groups,
        )
    };
    Analysis {
        params: params.clone(),
        model: model.name(),
        projection,
        stations: stations.to_vec(),
        measurement,
        aggregates,
        network,
        levels,
        capacity,
        area: None,
    }
}

/// Area mode (`--measure area`): [`analyse_with`] in a straight line with the detour of `area`,
/// then each block's covered fraction of its area per threshold, and coverage per threshold
/// and group counted as population × fraction. The block's nearest station and distance, the
/// station loads and the walking-time distribution stay those of the anchor.
///
/// The blocks' outlines must have been kept ([`BlockFields::keep_outlines`]); blocks without one
/// (or without area) count by their anchor.
///
/// [`BlockFields::keep_outlines`]: crate::BlockFields::keep_outlines
pub fn analyse_area(
    stations: &[Station],
    blocks: &BlockSet,
    area: &AreaModel,
    params: &Params,
    circle: &CircleInputs,
) -> Analysis {
    let straight = StraightLine {
        detour: area.detour(),
    };
    let mut analysis = analyse_with(stations, blocks, &straight, params, circle);
    let projection = &analysis.projection;
    let forward = |p: [f64; 2]| projection.forward(p[0], p[1]);
    let entrances: Vec<Vec<project::XY>> = stations
        .iter()
        .map(|s| s.entrances.iter().map(|&p| forward(p)).collect())
        .collect();
    let outline = |i: usize| BlockOutline {
        anchor: forward(blocks.blocks()[i].anchor),
        rings: blocks.outline(i).map_or_else(Vec::new, |rings| {
            rings.map(|ring| ring.map(forward).collect()).collect()
        }),
    };
    let thresholds: Vec<f64> = params.thresholds.iter().map(|t| t.distance_m).collect();
    let measured =
        area.covered_fractions_by(blocks.blocks().len(), outline, &entrances, &thresholds);
    let mut bases = AreaBases::default();
    let fractions: Vec<Vec<f64>> = measured
        .into_iter()
        .zip(blocks.blocks())
        .map(|((basis, f), block)| {
            // A valid multipolygon's rings are read by the even-odd rule too (the outline keeps
            // no parts), which is exactly the multipolygon: only an invalid one is a repair.
            *match basis {
                AreaBasis::Anchor => &mut bases.anchor,
                _ if block.problem.is_some() => &mut bases.even_odd,
                _ => &mut bases.polygon,
            } += 1;
            f
        })
        .collect();
    analysis.aggregates = aggregate::aggregate_area(
        blocks.blocks(),
        stations.len(),
        &analysis.measurement,
        params,
        blocks.fields().group_by.is_some().then(|| blocks.groups()),
        &fractions,
    );
    analysis.area = Some(AreaCoverage {
        disk_sides: area.sides(),
        fractions,
        bases,
    });
    analysis
}
