//! Validated analysis parameters and their defaults.

use serde::Serialize;

use crate::error::{Error, Result};

/// Default walking speed, metres per minute (≈ 3.6 km/h, the planning convention).
pub const DEFAULT_SPEED_M_PER_MIN: f64 = 60.0;
/// Default threshold: five minutes, i.e. 300 m at 60 m/min — GB 50180-2018's five-minute
/// life-circle radius.
pub const DEFAULT_MINUTES: f64 = 5.0;
/// Default longest snap leg onto the network, metres.
pub const DEFAULT_MAX_SNAP_M: f64 = 200.0;
/// The walking-time distribution reaches this many times the largest threshold.
pub const WALK_TIME_REACH: f64 = 3.0;

/// How thresholds were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdUnit {
    /// Walking minutes, converted with the speed.
    Minutes,
    /// Metres, given directly with `--distance`.
    Metres,
}

/// One coverage threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// The label used in output names: minutes as written (`5`, `7.5`) or metres with an `m`
    /// (`300m`).
    pub label: String,
    /// Walking minutes at the analysis speed.
    pub minutes: f64,
    /// Distance in metres (`minutes × speed`, or as given).
    pub distance_m: f64,
}

/// Validated parameters of one coverage analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Thresholds, ascending, without duplicates.
    pub thresholds: Vec<Threshold>,
    /// How the thresholds were given.
    pub unit: ThresholdUnit,
    /// Walking speed, metres per minute.
    pub speed_m_per_min: f64,
    /// Straight-line detour factor (≥ 1); not used in network mode.
    pub detour: f64,
    /// Longest snap leg onto the network in metres (network mode).
    pub max_snap_m: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params::new(
            &[DEFAULT_MINUTES],
            ThresholdUnit::Minutes,
            DEFAULT_SPEED_M_PER_MIN,
            1.0,
            DEFAULT_MAX_SNAP_M,
        )
        .expect("the defaults are valid")
    }
}

fn positive(name: &str, value: f64, unit: &str) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::parameter(
            name,
            format!("expected a positive finite number of {unit}, found {value}"),
        ))
    }
}

/// Formats a number as a label: `5`, `7.5`, `0.25`.
fn label_number(x: f64) -> String {
    format!("{x}")
}

impl Params {
    /// Validates parameters. `values` are minutes or metres, according to `unit`.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::{Params, ThresholdUnit};
    /// let p = Params::new(&[10.0, 5.0, 7.5], ThresholdUnit::Minutes, 60.0, 1.0, 200.0).unwrap();
    /// let labels: Vec<_> = p.thresholds.iter().map(|t| t.label.as_str()).collect();
    /// assert_eq!(labels, ["5", "7.5", "10"]);
    /// assert_eq!(p.thresholds[0].distance_m, 300.0);
    /// assert!(Params::new(&[0.0], ThresholdUnit::Minutes, 60.0, 1.0, 200.0).is_err());
    /// ```
    pub fn new(
        values: &[f64],
        unit: ThresholdUnit,
        speed_m_per_min: f64,
        detour: f64,
        max_snap_m: f64,
    ) -> Result<Self> {
        let speed = positive("--speed", speed_m_per_min, "metres per minute")?;
        if !(detour.is_finite() && detour >= 1.0) {
            return Err(Error::parameter(
                "--detour",
                format!("expected a finite number ≥ 1, found {detour}"),
            ));
        }
        if !(max_snap_m.is_finite() && max_snap_m >= 0.0) {
            return Err(Error::parameter(
                "--max-snap",
                format!("expected a finite number of metres ≥ 0, found {max_snap_m}"),
            ));
        }
        if values.is_empty() {
            return Err(Error::parameter(
                "thresholds",
                "at least one threshold is needed",
            ));
        }
        let mut sorted = Vec::with_capacity(values.len());
        for &v in values {
            let (name, what) = match unit {
                ThresholdUnit::Minutes => ("--minutes", "minutes"),
                ThresholdUnit::Metres => ("--distance", "metres"),
            };
            sorted.push(positive(name, v, what)?);
        }
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let thresholds = sorted
            .into_iter()
            .map(|v| match unit {
                ThresholdUnit::Minutes => Threshold {
                    label: label_number(v),
                    minutes: v,
                    distance_m: v * speed,
                },
                ThresholdUnit::Metres => Threshold {
                    label: format!("{}m", label_number(v)),
                    minutes: v / speed,
                    distance_m: v,
                },
            })
            .collect();
        Ok(Params {
            thresholds,
            unit,
            speed_m_per_min: speed,
            detour,
            max_snap_m,
        })
    }

    /// The largest threshold, metres.
    pub fn max_distance_m(&self) -> f64 {
        self.thresholds
            .iter()
            .map(|t| t.distance_m)
            .fold(0.0, f64::max)
    }

    /// How far the walking-time distribution (and a network search) reaches, metres.
    pub fn reach_m(&self) -> f64 {
        WALK_TIME_REACH * self.max_distance_m()
    }
}
