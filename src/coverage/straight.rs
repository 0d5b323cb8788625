//! Straight-line distance: `detour × min |anchor − entrance|` in the metric plane.

use super::{catchment, Catchment, DistanceModel, Measured, Measurement};
use crate::index::StationIndex;
use crate::project::XY;

/// Straight-line ("as the crow flies") distance, scaled by a detour factor ≥ 1 that stands in
/// for street circuity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StraightLine {
    /// Multiplier applied to the plane distance (1.0 = none; planners often use 1.2–1.4).
    pub detour: f64,
}

impl Default for StraightLine {
    fn default() -> Self {
        StraightLine { detour: 1.0 }
    }
}

impl DistanceModel for StraightLine {
    fn name(&self) -> &'static str {
        "straight-line"
    }

    fn measure(&self, entrances: &[Vec<XY>], anchors: &[XY], _reach_m: f64) -> Measurement {
        let index = StationIndex::new(entrances);
        let blocks = index.nearest_all_as(anchors, Measured::unreached(), |s, d| {
            Measured::straight(s, self.detour * d)
        });
        Measurement {
            blocks,
            network: None,
        }
    }

    fn catchment(&self, entrances: &[Vec<XY>], anchors: &[XY], reach_m: f64) -> Catchment {
        catchment::straight(entrances, anchors, reach_m, self.detour)
    }

    fn access(
        &self,
        entrances: &[Vec<XY>],
        anchors: &[XY],
        reach_m: f64,
        population: &[f64],
        capacity: &[f64],
    ) -> crate::capacity::Access {
        catchment::straight_access(
            entrances,
            anchors,
            reach_m,
            self.detour,
            population,
            capacity,
        )
    }
}
