//! Capacity: are stations staffed for the residents who can reach them? A two-step floating
//! catchment (docs/method.md, "Capacity").
//!
//! With the first threshold `D`, station `j`'s capacity `S_j` (e.g. its volunteers) and `d_ij` the
//! distance from block `i` to station `j`:
//!
//! 1. `R_j = S_j / Σ_{i: d_ij ≤ D} P_i`, undefined when no resident is within `D`;
//! 2. `A_i = Σ_{j: d_ij ≤ D, R_j defined} R_j`, the capacity per resident block `i` can reach.
//!
//! Every resident's share of capacity adds up to the capacity that has residents:
//! `Σ_i P_i·A_i = Σ_{j: R_j defined} S_j`.

use std::path::Path;

use serde::Serialize;

use crate::coverage::Catchment;
use crate::error::{Error, Location, Result};
use crate::load;

/// The two-step floating catchment of one analysis.
///
/// # Examples
///
/// ```
/// use walkshed::Access;
/// use walkshed::Catchment;
/// // Two stations of 2 and 3 volunteers; block 0 (100 residents) reaches both, block 1
/// // (300 residents) reaches the second only.
/// let catchment = Catchment::new(vec![vec![(0, 120.0), (1, 250.0)], vec![(1, 80.0)]]);
/// let access = Access::compute(&catchment, &[100.0, 300.0], &[2.0, 3.0]);
/// assert_eq!(access.residents_within, vec![100.0, 400.0]);
/// assert_eq!(access.ratio, vec![Some(0.02), Some(0.0075)]);
/// assert_eq!(access.per_resident, vec![0.0275, 0.0075]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    /// Per station: residents within `D` (`Σ P_i` over blocks within reach).
    pub residents_within: Vec<f64>,
    /// Per station: `R_j`, capacity per resident within reach (`None` when nobody is).
    pub ratio: Vec<Option<f64>>,
    /// Per block: `A_i`, the capacity per resident the block can reach.
    pub per_resident: Vec<f64>,
}

impl Access {
    /// Computes the catchment's two steps. `population[i]` is block `i`'s, `capacity[j]` station
    /// `j`'s. Sums are made in block order, then station order, so the result does not depend on
    /// the number of threads.
    pub fn compute(catchment: &Catchment, population: &[f64], capacity: &[f64]) -> Access {
        let mut residents_within = vec![0.0; capacity.len()];
        for (b, &p) in population.iter().enumerate().take(catchment.blocks()) {
            for &(s, _) in catchment.of_block(b) {
                residents_within[s as usize] += p;
            }
        }
        let ratio: Vec<Option<f64>> = residents_within
            .iter()
            .zip(capacity)
            .map(|(&w, &c)| (w > 0.0).then(|| c / w))
            .collect();
        let per_resident = (0..catchment.blocks())
            .map(|b| {
                catchment
                    .of_block(b)
                    .iter()
                    .filter_map(|&(s, _)| ratio[s as usize])
                    .sum()
            })
            .collect();
        Access {
            residents_within,
            ratio,
            per_resident,
        }
    }

    /// The population-weighted mean of `A_i`, and the share of residents with `A_i = 0`.
    pub fn distribution(&self, population: &[f64]) -> (f64, f64) {
        let total: f64 = population.iter().sum();
        let weighted: f64 = population
            .iter()
            .zip(&self.per_resident)
            .map(|(p, a)| p * a)
            .sum();
        let without: f64 = population
            .iter()
            .zip(&self.per_resident)
            .filter(|(_, &a)| a == 0.0)
            .map(|(p, _)| p)
            .sum();
        if total > 0.0 {
            (weighted / total, without / total)
        } else {
            (0.0, 0.0)
        }
    }
}

/// Reads each station's capacity from property `field` of each station file (base first, then
/// added, in file order): a finite number ≥ 0 on every station, or on none (`Ok(None)`); anything
/// else is an [`Error::Capacity`] naming the station. Files in another format than GeoJSON are
/// read with `input`, the stations' own read options.
pub fn read_capacity(
    files: &[&Path],
    field: &str,
    input: &load::InputOptions,
) -> Result<Option<Vec<f64>>> {
    let mut values: Vec<f64> = Vec::new();
    let mut first_missing: Option<Location> = None;
    let mut any = false;
    for path in files {
        for (i, (id, value)) in load::station_property(path, field, input)?
            .into_iter()
            .enumerate()
        {
            let location = || Location::feature(path, i, id.clone());
            match value {
                None => {
                    first_missing.get_or_insert_with(location);
                    values.push(0.0);
                }
                Some(v) => {
                    any = true;
                    match v.as_f64().filter(|x| x.is_finite() && *x >= 0.0) {
                        Some(x) => values.push(x),
                        None => {
                            return Err(Error::Capacity {
                                location: location(),
                                field: field.to_owned(),
                                value: v.to_string(),
                            })
                        }
                    }
                }
            }
        }
    }
    match (any, first_missing) {
        (false, _) => Ok(None),
        (true, Some(location)) => Err(Error::Capacity {
            location,
            field: field.to_owned(),
            value: "missing".to_owned(),
        }),
        (true, None) => Ok(Some(values)),
    }
}

/// Capacity as the run reports it: the catchment's result, each station's load per unit of
/// capacity, and which stations carry more than the limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    /// The capacity property (`volunteers`).
    pub field: String,
    /// Per station, its capacity.
    pub capacity: Vec<f64>,
    /// The two-step floating catchment.
    pub access: Access,
    /// Per station: its load (residents for whom it is the nearest within `D`) per unit of
    /// capacity; `None` when its capacity is 0 and it has no load.
    pub load_per_capacity: Vec<Option<f64>>,
    /// `--max-load`: residents per unit of capacity beyond which a station is overloaded.
    pub max_load: Option<f64>,
}

/// The capacity figures of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacitySummary {
    /// The capacity property.
    pub field: String,
    /// The capacity of all stations.
    pub total: f64,
    /// The population-weighted mean access, capacity per 1,000 residents.
    pub mean_access_per_1000: f64,
    /// The share of residents with no capacity within reach (access 0).
    pub share_without: f64,
    /// `--max-load`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_load: Option<f64>,
    /// The overloaded stations, worst first (with `--max-load`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overloaded: Option<Vec<Overloaded>>,
}

/// A station carrying more residents per unit of capacity than `--max-load`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overloaded {
    /// Its id.
    pub id: String,
    /// Residents per unit of capacity (`null` for a station with no capacity).
    pub load_per_capacity: Option<f64>,
}

impl Staffing {
    /// The staffing of stations of `capacity`, with `loads[j]` the residents for whom station
    /// `j` is the nearest within `D`.
    pub fn new(
        field: String,
        capacity: Vec<f64>,
        access: Access,
        loads: &[f64],
        max_load: Option<f64>,
    ) -> Staffing {
        let load_per_capacity = loads
            .iter()
            .zip(&capacity)
            .map(|(&load, &c)| {
                if c > 0.0 {
                    Some(load / c)
                } else if load > 0.0 {
                    Some(f64::INFINITY)
                } else {
                    None
                }
            })
            .collect();
        Staffing {
            field,
            capacity,
            access,
            load_per_capacity,
            max_load,
        }
    }

    /// Whether station `j` carries more than `--max-load` (never without it).
    pub fn overloaded(&self, j: usize) -> bool {
        match (self.max_load, self.load_per_capacity[j]) {
            (Some(limit), Some(l)) => l > limit,
            _ => false,
        }
    }

    /// The overloaded stations' indices, worst first (ties in input order).
    pub fn overloaded_worst_first(&self) -> Vec<usize> {
        let mut over: Vec<usize> = (0..self.capacity.len())
            .filter(|&j| self.overloaded(j))
            .collect();
        over.sort_by(|&a, &b| {
            let l = |j: usize| self.load_per_capacity[j].unwrap_or(0.0);
            l(b).total_cmp(&l(a)).then(a.cmp(&b))
        });
        over
    }

    /// The summary's figures; `ids[j]` is station `j`'s id.
    pub fn summary(&self, population: &[f64], ids: &[&str]) -> CapacitySummary {
        let (mean, without) = self.access.distribution(population);
        CapacitySummary {
            field: self.field.clone(),
            total: self.capacity.iter().sum(),
            mean_access_per_1000: mean * 1000.0,
            share_without: without,
            max_load: self.max_load,
            overloaded: self.max_load.map(|_| {
                self.overloaded_worst_first()
                    .into_iter()
                    .map(|j| Overloaded {
                        id: ids[j].to_owned(),
                        load_per_capacity: self.load_per_capacity[j].filter(|l| l.is_finite()),
                    })
                    .collect()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_station_with_no_resident_within_reach_has_no_ratio() {
        let catchment = Catchment::new(vec![vec![(0, 10.0)], vec![]]);
        let access = Access::compute(&catchment, &[50.0, 70.0], &[5.0, 9.0]);
        assert_eq!(access.ratio, vec![Some(0.1), None]);
        assert_eq!(access.per_resident, vec![0.1, 0.0]);
        let (mean, without) = access.distribution(&[50.0, 70.0]);
        assert!((mean - 5.0 / 120.0).abs() < 1e-15);
        assert!((without - 70.0 / 120.0).abs() < 1e-15);
    }

    proptest! {
        /// Σ P·A = Σ S over stations with residents within reach.
        #[test]
        fn capacity_is_shared_out_exactly(
            rows in prop::collection::vec(prop::collection::btree_set(0u32..6, 0..4), 1..30),
            pops in prop::collection::vec(0.0f64..1000.0, 30),
            caps in prop::collection::vec(0.0f64..50.0, 6),
        ) {
            let rows: Vec<Vec<(u32, f64)>> =
                rows.iter().map(|r| r.iter().map(|&s| (s, 1.0)).collect()).collect();
            let population = &pops[..rows.len()];
            let catchment = Catchment::new(rows);
            let access = Access::compute(&catchment, population, &caps);
            let given: f64 = population.iter().zip(&access.per_resident).map(|(p, a)| p * a).sum();
            let held: f64 = caps.iter().zip(&access.ratio).filter(|(_, r)| r.is_some()).map(|(c, _)| c).sum();
            prop_assert!((given - held).abs() <= 1e-9 * held.max(1.0));
        }
    }
}
