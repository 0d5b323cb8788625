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
/// Default straight-line detour factor: none (crow-fly distance).
pub const DEFAULT_DETOUR: f64 = 1.0;
/// The walking-time distribution reaches this many times the largest threshold.
pub const WALK_TIME_REACH: f64 = 3.0;
/// The largest threshold accepted, metres (100 km): a walk far beyond any planning question,
/// and the bound that keeps the walking-time table and a network search small.
pub const MAX_THRESHOLD_M: f64 = 100_000.0;
/// The slowest and fastest walking speeds accepted, metres per minute (1 m/min to 1 km/min).
pub const SPEED_RANGE_M_PER_MIN: (f64, f64) = (1.0, 1_000.0);
/// The largest straight-line detour factor accepted.
pub const MAX_DETOUR: f64 = 10.0;
/// The longest snap leg accepted, metres (100 km).
pub const MAX_SNAP_LIMIT_M: f64 = 100_000.0;

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
    /// Five minutes at 60 m/min, no detour, 200 m snap limit.
    fn default() -> Self {
        Params::builder().build().expect("the defaults are valid")
    }
}

/// Unvalidated parameters, named one by one; [`ParamsBuilder::build`] checks them into
/// [`Params`]. Starts from the defaults: five minutes, 60 m/min, no detour, 200 m snap limit.
///
/// # Examples
///
/// ```
/// use walkshed::Params;
/// let p = Params::builder().minutes(&[10.0, 5.0, 7.5]).build().unwrap();
/// let labels: Vec<_> = p.thresholds.iter().map(|t| t.label.as_str()).collect();
/// assert_eq!(labels, ["5", "7.5", "10"]);
/// assert_eq!(p.thresholds[0].distance_m, 300.0);
///
/// let p = Params::builder().distance_m(&[300.0]).speed_m_per_min(75.0).detour(1.3).build().unwrap();
/// assert_eq!((p.thresholds[0].label.as_str(), p.thresholds[0].minutes), ("300m", 4.0));
///
/// let err = Params::builder().minutes(&[0.0]).build().unwrap_err();
/// assert_eq!(err.to_string(), "invalid --minutes: expected a positive finite number of minutes, found 0");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ParamsBuilder {
    values: Vec<f64>,
    unit: ThresholdUnit,
    speed_m_per_min: f64,
    detour: f64,
    max_snap_m: f64,
}

impl Default for ParamsBuilder {
    fn default() -> Self {
        ParamsBuilder {
            values: vec![DEFAULT_MINUTES],
            unit: ThresholdUnit::Minutes,
            speed_m_per_min: DEFAULT_SPEED_M_PER_MIN,
            detour: DEFAULT_DETOUR,
            max_snap_m: DEFAULT_MAX_SNAP_M,
        }
    }
}

impl ParamsBuilder {
    /// Thresholds in walking minutes (any order; duplicates are dropped).
    pub fn minutes(mut self, minutes: &[f64]) -> Self {
        self.values = minutes.to_vec();
        self.unit = ThresholdUnit::Minutes;
        self
    }

    /// Thresholds in metres (any order; duplicates are dropped), instead of minutes.
    pub fn distance_m(mut self, metres: &[f64]) -> Self {
        self.values = metres.to_vec();
        self.unit = ThresholdUnit::Metres;
        self
    }

    /// Walking speed, metres per minute (> 0).
    pub fn speed_m_per_min(mut self, speed: f64) -> Self {
        self.speed_m_per_min = speed;
        self
    }

    /// Straight-line detour factor (≥ 1).
    pub fn detour(mut self, detour: f64) -> Self {
        self.detour = detour;
        self
    }

    /// Longest snap leg onto the network, metres (≥ 0).
    pub fn max_snap_m(mut self, max_snap_m: f64) -> Self {
        self.max_snap_m = max_snap_m;
        self
    }

    /// Every problem of these parameters, each an [`Error::Parameter`] naming its option
    /// (`--speed`, `--detour`, `--max-snap`, `--minutes` or `--distance`); empty when
    /// [`build`](Self::build) succeeds.
    pub fn problems(&self) -> Vec<Error> {
        let mut problems = Vec::new();
        let (slow, fast) = SPEED_RANGE_M_PER_MIN;
        if let Err(e) = positive("--speed", self.speed_m_per_min, "metres per minute") {
            problems.push(e);
        } else if !(slow..=fast).contains(&self.speed_m_per_min) {
            problems.push(Error::parameter(
                "--speed",
                format!(
                    "expected a walking speed from {slow} to {fast} metres per minute, found {}",
                    shown(self.speed_m_per_min)
                ),
            ));
        }
        if !(self.detour.is_finite() && self.detour >= 1.0) {
            problems.push(Error::parameter(
                "--detour",
                format!("expected a finite number ≥ 1, found {}", self.detour),
            ));
        } else if self.detour > MAX_DETOUR {
            problems.push(Error::parameter(
                "--detour",
                format!(
                    "expected a factor of at most {MAX_DETOUR}, found {}",
                    shown(self.detour)
                ),
            ));
        }
        if !(self.max_snap_m.is_finite() && self.max_snap_m >= 0.0) {
            problems.push(Error::parameter(
                "--max-snap",
                format!(
                    "expected a finite number of metres ≥ 0, found {}",
                    self.max_snap_m
                ),
            ));
        } else if self.max_snap_m > MAX_SNAP_LIMIT_M {
            problems.push(Error::parameter(
                "--max-snap",
                format!(
                    "expected at most {MAX_SNAP_LIMIT_M} metres, found {}",
                    shown(self.max_snap_m)
                ),
            ));
        }
        let (name, what) = match self.unit {
            ThresholdUnit::Minutes => ("--minutes", "minutes"),
            ThresholdUnit::Metres => ("--distance", "metres"),
        };
        if self.values.is_empty() {
            problems.push(Error::parameter(
                name,
                format!("expected at least one number of {what}, found none"),
            ));
        }
        if let Some(e) = self.values.iter().find_map(|&v| self.threshold_problem(v)) {
            problems.push(e);
        }
        problems
    }

    /// What is wrong with the threshold `v` (in minutes or metres), if anything: it must be
    /// positive and reach at most [`MAX_THRESHOLD_M`].
    fn threshold_problem(&self, v: f64) -> Option<Error> {
        let (name, what) = match self.unit {
            ThresholdUnit::Minutes => ("--minutes", "minutes"),
            ThresholdUnit::Metres => ("--distance", "metres"),
        };
        if let Err(e) = positive(name, v, what) {
            return Some(e);
        }
        let metres = match self.unit {
            ThresholdUnit::Minutes => v * self.speed_m_per_min,
            ThresholdUnit::Metres => v,
        };
        let km = MAX_THRESHOLD_M / 1000.0;
        (metres > MAX_THRESHOLD_M).then(|| {
            let found = match self.unit {
                ThresholdUnit::Minutes => {
                    format!(
                        "{} minutes ({} m at {} m/min)",
                        shown(v),
                        shown(metres),
                        self.speed_m_per_min
                    )
                }
                ThresholdUnit::Metres => format!("{} m", shown(v)),
            };
            Error::parameter(
                name,
                format!("expected a walk of at most {km} km, found {found}"),
            )
        })
    }

    /// The validated parameters, or the first of [`problems`](Self::problems).
    pub fn build(self) -> Result<Params> {
        if let Some(first) = self.problems().into_iter().next() {
            return Err(first);
        }
        let speed = self.speed_m_per_min;
        let mut sorted = self.values;
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let thresholds = sorted
            .into_iter()
            .map(|v| match self.unit {
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
            unit: self.unit,
            speed_m_per_min: speed,
            detour: self.detour,
            max_snap_m: self.max_snap_m,
        })
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

/// A number for a message: as written when small (`120000`), in scientific notation when huge
/// (`1e300`), so a message stays one readable line.
fn shown(x: f64) -> String {
    if x.abs() < 1e9 {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Formats a number as a label: `5`, `7.5`, `0.25`.
fn label_number(x: f64) -> String {
    format!("{x}")
}

impl Params {
    /// Parameters to name one by one and validate: see [`ParamsBuilder`].
    pub fn builder() -> ParamsBuilder {
        ParamsBuilder::default()
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
