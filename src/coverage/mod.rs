//! Stage 4, **measure**: the distance from every block to its nearest station, under one of
//! several distance models behind the small [`DistanceModel`] trait.
//!
//! - [`StraightLine`]: `detour × min |anchor − station|` in the metric plane, via an R-tree.
//! - [`NetworkModel`]: shortest walk along a street network, with nearest-edge snapping
//!   (one bounded multi-source Dijkstra from all stations).
//! - [`AreaModel`]: area mode, the covered fraction of each block's area (straight line).

mod area;
mod catchment;
mod network;
mod straight;

pub use area::{disk_polygon, in_regular_polygon, AreaBasis, AreaModel, BlockOutline};
pub use catchment::Catchment;

pub use network::NetworkModel;
pub(crate) use network::Walk;
pub use straight::StraightLine;

use crate::project::XY;

/// How a block relates to the stations under a distance model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reach {
    /// A station was found within the model's reach; `distance_m` is set.
    Reached,
    /// No station within the model's reach (network mode: beyond the search bound, or on a
    /// piece of the network that holds no station).
    Unreached,
    /// Network mode: the block's snap leg is longer than `--max-snap`.
    OffNetwork,
}

/// The measure of one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Index (input order) of the nearest station, if any is reached.
    pub station: Option<u32>,
    /// Distance to that station in metres (detour applied in straight-line mode).
    pub distance_m: Option<f64>,
    /// Reached, unreached or off-network.
    pub reach: Reach,
    /// Network mode: whether the block's network piece holds a station (`None` off-network and
    /// in straight-line mode).
    pub piece_has_station: Option<bool>,
}

impl Measured {
    /// A block reached at `distance_m` from station `station` in straight-line mode.
    pub fn straight(station: u32, distance_m: f64) -> Self {
        Measured {
            station: Some(station),
            distance_m: Some(distance_m),
            reach: Reach::Reached,
            piece_has_station: None,
        }
    }

    /// A block no station reaches (in network mode, set `piece_has_station` too).
    pub fn unreached() -> Self {
        Measured {
            station: None,
            distance_m: None,
            reach: Reach::Unreached,
            piece_has_station: None,
        }
    }
}

/// Network mode: the straight snap legs of one block's walk, metres.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Legs {
    /// From the block's anchor to the network (set whenever the block snaps).
    pub block_m: Option<f64>,
    /// From the network to the nearest station (set when a station is reached).
    pub station_m: Option<f64>,
}

/// What a distance model adds to the report beyond per-block measures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkReport {
    /// Graph nodes (distinct vertices).
    pub nodes: usize,
    /// Graph edges (pairs of consecutive distinct vertices).
    pub edges: usize,
    /// Total edge length, kilometres.
    pub length_km: f64,
    /// Connected pieces of the graph.
    pub pieces: usize,
    /// Pieces that hold at least one (snapped) station.
    pub pieces_with_station: usize,
    /// Indices of stations ignored because every entrance is farther than `--max-snap`.
    pub stations_off_network: Vec<u32>,
    /// Per block, in input order: the snap legs (kept out of [`Measured`], which every mode
    /// fills, to keep it small).
    pub legs: Vec<Legs>,
    /// Every edge as a pair of plane points with the walking distance (metres) from the nearest
    /// station at each end (`None` where unreached: beyond the search bound, or on a piece of
    /// the network without a station), for maps.
    pub edges_reached: Vec<([XY; 2], [Option<f64>; 2])>,
}

/// The result of measuring all blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurement {
    /// One entry per block, in input order.
    pub blocks: Vec<Measured>,
    /// Network mode only.
    pub network: Option<NetworkReport>,
}

/// A distance model: how far each block is from its nearest station.
pub trait DistanceModel: Sync {
    /// A short name for reports (`"straight-line"`, `"network"`).
    fn name(&self) -> &'static str;

    /// Measures every block anchor against the stations.
    ///
    /// `entrances[s]` holds the plane points of station `s` (one for a Point station, several for
    /// a MultiPoint); `anchors[b]` is block `b`'s anchor. `reach_m` is the distance beyond which a
    /// model may stop searching (blocks beyond it may be reported [`Reach::Unreached`]).
    /// Ties go to the station with the lower index. The result must not depend on the number of
    /// threads.
    fn measure(&self, entrances: &[Vec<XY>], anchors: &[XY], reach_m: f64) -> Measurement;

    /// Every station within `reach_m` of every block anchor (not only the nearest), with its
    /// distance by this model.
    fn catchment(&self, entrances: &[Vec<XY>], anchors: &[XY], reach_m: f64) -> Catchment;

    /// The two-step floating catchment within `reach_m` ([`Access`](crate::Access)) of blocks of
    /// `population` and stations of `capacity`: by default over [`catchment`](Self::catchment);
    /// a model may make it without holding the whole catchment.
    fn access(
        &self,
        entrances: &[Vec<XY>],
        anchors: &[XY],
        reach_m: f64,
        population: &[f64],
        capacity: &[f64],
    ) -> crate::capacity::Access {
        let catchment = self.catchment(entrances, anchors, reach_m);
        crate::capacity::Access::compute(&catchment, population, capacity)
    }
}
