//! Coordinates from Chinese web maps (docs/method.md, "Coordinates from Chinese web maps").
//!
//! Amap (高德) and Tencent maps publish GCJ-02 coordinates, Baidu maps BD-09: both are WGS84
//! longitude/latitude moved by a published, deliberately irregular offset of a few hundred
//! metres — as much as the whole five-minute standard. walkshed converts them back to WGS84 by
//! inverting the published forward transforms with a fixed-point iteration, to within 0.01 m of
//! the point whose forward transform gives the input.
//!
//! GCJ-02 only moves points inside mainland China, taken (as by the web maps' own clients) as the
//! box 72.004–137.8347° E, 0.8293–55.8271° N; outside it GCJ-02 equals WGS84.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The coordinate system a file's longitudes and latitudes are in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coords {
    /// WGS84 (and CGCS2000, which agrees with it to centimetres): GPS, OpenStreetMap, GIS.
    #[default]
    Wgs84,
    /// GCJ-02, "Mars coordinates": Amap (高德), Tencent maps.
    Gcj02,
    /// BD-09: Baidu maps (GCJ-02 moved once more).
    Bd09,
}

impl Coords {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Coords::Wgs84 => "wgs84",
            Coords::Gcj02 => "gcj02",
            Coords::Bd09 => "bd09",
        }
    }

    /// Converts a longitude/latitude (degrees) in this system to WGS84.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::Coords;
    /// // A point in Tiananmen Square as Amap gives it, and back.
    /// let wgs = [116.404, 39.915];
    /// let gcj = Coords::Gcj02.from_wgs84(wgs);
    /// let back = Coords::Gcj02.to_wgs84(gcj);
    /// assert!((back[0] - wgs[0]).abs() < 1e-9 && (back[1] - wgs[1]).abs() < 1e-9);
    /// assert_eq!(Coords::Gcj02.to_wgs84([2.35, 48.85]), [2.35, 48.85]); // Paris: unchanged
    /// ```
    pub fn to_wgs84(self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Coords::Wgs84 => p,
            Coords::Gcj02 => gcj02_to_wgs84(p),
            Coords::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(p)),
        }
    }

    /// Converts a WGS84 longitude/latitude (degrees) into this system (the published forward
    /// transforms).
    pub fn from_wgs84(self, p: [f64; 2]) -> [f64; 2] {
        match self {
            Coords::Wgs84 => p,
            Coords::Gcj02 => wgs84_to_gcj02(p),
            Coords::Bd09 => gcj02_to_bd09(wgs84_to_gcj02(p)),
        }
    }
}

impl fmt::Display for Coords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Coords {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "wgs84" | "cgcs2000" => Ok(Coords::Wgs84),
            "gcj02" | "amap" | "gaode" | "tencent" => Ok(Coords::Gcj02),
            "bd09" | "bd09ll" | "baidu" => Ok(Coords::Bd09),
            _ => Err(format!("expected wgs84, gcj02 or bd09, found {s:?}")),
        }
    }
}

/// Semi-major axis of the Krasovsky 1940 ellipsoid, which the GCJ-02 offset is defined on, metres.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const KRASOVSKY_E2: f64 = 0.006_693_421_622_965_943;
/// Baidu's angular constant, radians per degree × 3000.
const BAIDU_X_PI: f64 = PI * 3000.0 / 180.0;

/// Whether GCJ-02 moves `p`: inside the box the web maps treat as mainland China.
pub fn in_china(p: [f64; 2]) -> bool {
    (72.004..=137.8347).contains(&p[0]) && (0.8293..=55.8271).contains(&p[1])
}

/// The GCJ-02 offset polynomial in latitude, degrees × ellipsoid factor (x, y offsets from
/// 105° E, 35° N).
fn offset_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 offset polynomial in longitude.
fn offset_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The published WGS84 → GCJ-02 transform.
fn wgs84_to_gcj02(p: [f64; 2]) -> [f64; 2] {
    if !in_china(p) {
        return p;
    }
    let [lon, lat] = p;
    let d_lat = offset_lat(lon - 105.0, lat - 35.0);
    let d_lon = offset_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let s = rad.sin();
    let magic = 1.0 - KRASOVSKY_E2 * s * s;
    let sqrt_magic = magic.sqrt();
    let d_lat = d_lat * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_E2)) / (magic * sqrt_magic) * PI);
    let d_lon = d_lon * 180.0 / (KRASOVSKY_A / sqrt_magic * rad.cos() * PI);
    [lon + d_lon, lat + d_lat]
}

/// The published GCJ-02 → BD-09 transform.
fn gcj02_to_bd09(p: [f64; 2]) -> [f64; 2] {
    let [x, y] = p;
    let z = (x * x + y * y).sqrt() + 0.00002 * (y * BAIDU_X_PI).sin();
    let theta = y.atan2(x) + 0.000003 * (x * BAIDU_X_PI).cos();
    [z * theta.cos() + 0.0065, z * theta.sin() + 0.006]
}

/// Stop iterating once a step moves the estimate by less than this many degrees (≈ 0.1 mm).
const STEP_DEG: f64 = 1e-9;
/// At most this many steps (the maps' offsets are contractions: a handful suffice).
const MAX_STEPS: usize = 30;

/// Solves `forward(q) = p` for `q` by the fixed-point iteration `q ← q + (p − forward(q))`,
/// starting from `q = p`.
fn invert(p: [f64; 2], forward: impl Fn([f64; 2]) -> [f64; 2]) -> [f64; 2] {
    let mut q = p;
    for _ in 0..MAX_STEPS {
        let f = forward(q);
        let step = [p[0] - f[0], p[1] - f[1]];
        q = [q[0] + step[0], q[1] + step[1]];
        if step[0].abs() < STEP_DEG && step[1].abs() < STEP_DEG {
            break;
        }
    }
    q
}

fn gcj02_to_wgs84(p: [f64; 2]) -> [f64; 2] {
    if !in_china(p) {
        return p;
    }
    invert(p, wgs84_to_gcj02)
}

fn bd09_to_gcj02(p: [f64; 2]) -> [f64; 2] {
    invert(p, gcj02_to_bd09)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::metres_per_degree;

    /// Distance between two nearby lon/lat points, metres.
    fn metres(a: [f64; 2], b: [f64; 2]) -> f64 {
        let [my, mx] = metres_per_degree((a[1] + b[1]) / 2.0);
        ((a[0] - b[0]) * mx).hypot((a[1] - b[1]) * my)
    }

    /// Published pairs of the forward transforms (widely used reference values).
    #[test]
    fn forward_transforms_give_the_published_values() {
        let gcj = wgs84_to_gcj02([116.404, 39.915]);
        assert!(metres(gcj, [116.41024449916938, 39.91640428150164]) < 1e-6);
        let bd = gcj02_to_bd09([116.404, 39.915]);
        assert!(metres(bd, [116.41036949371029, 39.92133699351021]) < 1e-6);
        // A second source, near Jinshan, agrees to within a centimetre (its constants are
        // rounded differently); its BD-09 value is exact from its own GCJ-02 value.
        let gcj_published = [121.09626935575027, 30.608604331756705];
        let gcj = wgs84_to_gcj02([121.0917077, 30.6107779]);
        assert!(metres(gcj, gcj_published) < 0.01);
        let bd = gcj02_to_bd09(gcj_published);
        assert!(metres(bd, [121.10271732371203, 30.61484572185035]) < 1e-6);
    }

    #[test]
    fn the_offsets_are_hundreds_of_metres_in_china() {
        let p = [121.33, 30.72];
        let moved = metres(Coords::Gcj02.from_wgs84(p), p);
        assert!((300.0..800.0).contains(&moved), "{moved}");
        let moved = metres(Coords::Bd09.from_wgs84(p), p);
        assert!((800.0..1500.0).contains(&moved), "{moved}");
    }

    /// WGS84 → GCJ-02/BD-09 → WGS84 within 0.01 m over a grid covering mainland China.
    #[test]
    fn round_trips_within_a_centimetre_over_china() {
        let mut worst = 0.0f64;
        for i in 0..=60 {
            for j in 0..=50 {
                let p = [
                    73.0 + i as f64 * (135.0 - 73.0) / 60.0,
                    18.0 + j as f64 * (53.5 - 18.0) / 50.0,
                ];
                for c in [Coords::Gcj02, Coords::Bd09] {
                    let back = c.to_wgs84(c.from_wgs84(p));
                    worst = worst.max(metres(back, p));
                }
            }
        }
        assert!(worst < 0.01, "worst round trip {worst} m");
    }

    #[test]
    fn outside_china_gcj02_is_wgs84() {
        for p in [[2.35, 48.85], [-74.0, 40.7], [24.94, 60.17], [151.2, -33.9]] {
            assert_eq!(Coords::Gcj02.to_wgs84(p), p);
            assert_eq!(Coords::Gcj02.from_wgs84(p), p);
        }
    }

    #[test]
    fn names_parse() {
        assert_eq!("GCJ-02".parse::<Coords>(), Ok(Coords::Gcj02));
        assert_eq!("baidu".parse::<Coords>(), Ok(Coords::Bd09));
        assert_eq!("wgs84".parse::<Coords>(), Ok(Coords::Wgs84));
        assert!("utm51".parse::<Coords>().is_err());
    }
}
