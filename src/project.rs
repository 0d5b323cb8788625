//! Stage 2, **project**: WGS84 longitude/latitude ↔ a local metric plane.
//!
//! walkshed measures every distance in a transverse Mercator plane on the WGS84 ellipsoid,
//! centred on the data (scale factor 1 on the central meridian, origin at the centre latitude).
//! The forward and inverse maps use Krüger's series to the fourth order in the third flattening,
//! which is accurate to well under a millimetre within a few thousand kilometres of the central
//! meridian; the only error left against the geodesic distance is the plane's scale, which grows as
//! `x² / 2R²` away from the central meridian: 0.003 % at 50 km, far inside the 0.05 % that
//! `docs/method.md` (Tolerances) allows.

/// WGS84 semi-major axis, metres.
const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// A point in the local metric plane, metres east (`x`) and north (`y`) of the projection centre.
pub type XY = [f64; 2];

/// A transverse Mercator projection centred on a longitude/latitude, in metres.
///
/// # Examples
///
/// ```
/// use walkshed::Projection;
/// let p = Projection::centred_on(121.33, 30.72);
/// let [x, y] = p.forward(121.33, 30.72);
/// assert!(x.abs() < 1e-9 && y.abs() < 1e-9);
/// let [x, _] = p.forward(121.34, 30.72);
/// assert!((x - 957.7).abs() < 1.0); // 0.01° of longitude at 30.72° N ≈ 958 m
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    lon0_rad: f64,
    lat0_deg: f64,
    lon0_deg: f64,
    /// Northing of the origin latitude on the central meridian, metres.
    y0: f64,
    /// Rectifying radius `A`, metres.
    a_rect: f64,
    /// `2√n / (1 + n)`, the eccentricity `e`.
    e: f64,
    alpha: [f64; 4],
    beta: [f64; 4],
}

impl Projection {
    /// A projection whose central meridian and origin are at `lon0`, `lat0` (degrees).
    pub fn centred_on(lon0: f64, lat0: f64) -> Self {
        let n = WGS84_F / (2.0 - WGS84_F);
        let (n2, n3, n4) = (n * n, n * n * n, n * n * n * n);
        let a_rect = WGS84_A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0);
        let alpha = [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0,
            49_561.0 * n4 / 161_280.0,
        ];
        let beta = [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0,
            4397.0 * n4 / 161_280.0,
        ];
        let e = 2.0 * n.sqrt() / (1.0 + n);
        let mut p = Projection {
            lon0_rad: lon0.to_radians(),
            lat0_deg: lat0,
            lon0_deg: lon0,
            y0: 0.0,
            a_rect,
            e,
            alpha,
            beta,
        };
        p.y0 = p.forward(lon0, lat0)[1];
        p
    }

    /// A projection centred on the middle of a longitude/latitude bounding box
    /// `[west, south, east, north]`.
    pub fn centred_on_bbox(bbox: [f64; 4]) -> Self {
        Self::centred_on((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0)
    }

    /// The centre `[lon, lat]` in degrees.
    pub fn centre(&self) -> [f64; 2] {
        [self.lon0_deg, self.lat0_deg]
    }

    /// Projects longitude/latitude in degrees to metres east/north of the centre.
    ///
    /// Krüger's series needs `sin(2jξ')·cosh(2jη')` and `cos(2jξ')·sinh(2jη')` for `j = 1..4`;
    /// they are built from `sin 2ξ'`, `cos 2ξ'`, `sinh 2η'`, `cosh 2η'` (which follow from
    /// `τ'` and `sin λ`, `cos λ` algebraically) by the multiple-angle recurrences, so a point
    /// costs eight calls into the maths library instead of twenty.
    pub fn forward(&self, lon: f64, lat: f64) -> XY {
        let phi = lat.to_radians();
        let lambda = lon.to_radians() - self.lon0_rad;
        let e = self.e;
        let sin_phi = phi.sin();
        // τ' = tan χ, χ the conformal latitude.
        let t = (sin_phi.atanh() - e * (e * sin_phi).atanh()).sinh();
        let (sin_l, cos_l) = lambda.sin_cos();
        let xi_p = t.atan2(cos_l);
        let u = sin_l / (1.0 + t * t).sqrt();
        let eta_p = u.atanh();
        // ξ', η' on the sphere: sin ξ' = τ'/r, cos ξ' = cos λ/r; tanh η' = u.
        let r2 = t * t + cos_l * cos_l;
        let (s1, c1) = (2.0 * t * cos_l / r2, (cos_l * cos_l - t * t) / r2);
        let w = 1.0 - u * u;
        let (sh1, ch1) = (2.0 * u / w, (1.0 + u * u) / w);
        let (mut s_prev, mut c_prev, mut sh_prev, mut ch_prev) = (0.0, 1.0, 0.0, 1.0);
        let (mut s_k, mut c_k, mut sh_k, mut ch_k) = (s1, c1, sh1, ch1);
        let mut xi = xi_p;
        let mut eta = eta_p;
        for a in self.alpha {
            xi += a * s_k * ch_k;
            eta += a * c_k * sh_k;
            let next = (
                2.0 * c1 * s_k - s_prev,
                2.0 * c1 * c_k - c_prev,
                2.0 * ch1 * sh_k - sh_prev,
                2.0 * ch1 * ch_k - ch_prev,
            );
            (s_prev, c_prev, sh_prev, ch_prev) = (s_k, c_k, sh_k, ch_k);
            (s_k, c_k, sh_k, ch_k) = next;
        }
        [self.a_rect * eta, self.a_rect * xi - self.y0]
    }

    /// Geodetic latitude (radians) of conformal latitude `chi`, by Newton's method on
    /// `atanh(sin φ) − e·atanh(e·sin φ) = asinh(tan χ)`; exact to rounding in a few steps.
    fn geodetic_latitude(&self, chi: f64) -> f64 {
        let e = self.e;
        let e2 = e * e;
        let q = chi.tan().asinh();
        let mut phi = chi;
        for _ in 0..8 {
            let s = phi.sin();
            let f = s.atanh() - e * (e * s).atanh() - q;
            let df = (1.0 - e2) / ((1.0 - e2 * s * s) * phi.cos());
            let step = f / df;
            phi -= step;
            if step.abs() < 1e-15 {
                break;
            }
        }
        phi
    }

    /// Inverse of [`Projection::forward`]: metres east/north back to `[lon, lat]` in degrees.
    pub fn inverse(&self, xy: XY) -> [f64; 2] {
        let xi = (xy[1] + self.y0) / self.a_rect;
        let eta = xy[0] / self.a_rect;
        let mut xi_p = xi;
        let mut eta_p = eta;
        for (j, b) in self.beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let chi = (xi_p.sin() / eta_p.cosh()).asin();
        let phi = self.geodetic_latitude(chi);
        let lambda = eta_p.sinh().atan2(xi_p.cos());
        [(self.lon0_rad + lambda).to_degrees(), phi.to_degrees()]
    }
}

/// Points projected side by side by [`BoxForward::forward_lanes`].
pub const LANES: usize = 4;

/// Points per side of the Chebyshev grid of [`BoxForward`] (a polynomial of degree 7 in each
/// variable).
const CHEBYSHEV_N: usize = 8;

/// Largest error allowed of [`BoxForward`]'s interpolant against [`Projection::forward`] at its
/// check points, metres.
const BOX_TOLERANCE_M: f64 = 1e-6;

/// [`Projection::forward`] for many points of one longitude/latitude box, several times
/// faster: a Chebyshev interpolant of the exact map on an 8 × 8 grid of the box.
///
/// Within a few hundred kilometres the map is nearly linear, and the interpolant's error is far
/// below a micrometre (its terms fall off as the box's size over the Earth's radius, to the
/// eighth power). It is checked when built, against the exact map on a 17 × 17 grid that
/// includes the box's edges and the points between the nodes; if it is off by more than a
/// micrometre anywhere there (a box more than a few degrees across), or the box is not finite,
/// every point is projected exactly. Points outside the box are always projected exactly.
///
/// # Examples
///
/// ```
/// use walkshed::Projection;
/// let p = Projection::centred_on(121.33, 30.72);
/// let fast = p.over_box([121.1, 30.6, 121.5, 30.9]);
/// let [a, b] = [fast.forward(121.42, 30.81), p.forward(121.42, 30.81)];
/// assert!((a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BoxForward {
    projection: Projection,
    /// The box, `[west, south, east, north]`.
    bbox: [f64; 4],
    /// Its centre (degrees) and the inverses of its half-sizes (per degree).
    mid: [f64; 2],
    inv_half: [f64; 2],
    /// `coefficients[k][l]`: of `u^k·v^l`, for x and y, where `u` and `v` run from −1 to 1
    /// across the box; `None`: project exactly.
    coefficients: Option<Box<[[[f64; 2]; CHEBYSHEV_N]; CHEBYSHEV_N]>>,
    /// The terms kept are those with `k + l ≤ degree`: together, the Chebyshev terms left out
    /// are worth less than [`TRUNCATION_M`].
    degree: usize,
}

/// Largest sum of the interpolant's terms left out of [`BoxForward::forward`], metres: a bound
/// on what leaving them out changes, as `|T_k| ≤ 1` on the box. A tenth of
/// [`BOX_TOLERANCE_M`]; the terms of high degree are rounding noise of the exact map
/// (≈ 1e-10 m each), and for a city-sized box only those of total degree ≤ 4 or 5 are worth more.
const TRUNCATION_M: f64 = 1e-7;

impl Projection {
    /// A fast [`Projection::forward`] for the points of the longitude/latitude box `bbox`
    /// (`[west, south, east, north]`); see [`BoxForward`].
    pub fn over_box(&self, bbox: [f64; 4]) -> BoxForward {
        let mid = [(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0];
        // A box of no width is widened a little, so that its nodes stay distinct.
        let half = [
            ((bbox[2] - bbox[0]) / 2.0).max(1e-7),
            ((bbox[3] - bbox[1]) / 2.0).max(1e-7),
        ];
        let mut fast = BoxForward {
            projection: *self,
            bbox,
            mid,
            inv_half: [1.0 / half[0], 1.0 / half[1]],
            coefficients: None,
            degree: 2 * (CHEBYSHEV_N - 1),
        };
        if !(bbox.iter().all(|v| v.is_finite()) && bbox[0] <= bbox[2] && bbox[1] <= bbox[3]) {
            return fast;
        }
        let n = CHEBYSHEV_N;
        let nodes: Vec<f64> = (0..n)
            .map(|i| (std::f64::consts::PI * (i as f64 + 0.5) / n as f64).cos())
            .collect();
        let values: Vec<Vec<XY>> = nodes
            .iter()
            .map(|&u| {
                nodes
                    .iter()
                    .map(|&v| self.forward(mid[0] + half[0] * u, mid[1] + half[1] * v))
                    .collect()
            })
            .collect();
        // t[i][k] = T_k(node i).
        let t: Vec<[f64; CHEBYSHEV_N]> = nodes.iter().map(|&x| chebyshev(x)).collect();
        let mut c = Box::new([[[0.0; 2]; CHEBYSHEV_N]; CHEBYSHEV_N]);
        for (k, row) in c.iter_mut().enumerate() {
            for (l, cell) in row.iter_mut().enumerate() {
                for i in 0..n {
                    for j in 0..n {
                        let w = t[i][k] * t[j][l];
                        cell[0] += values[i][j][0] * w;
                        cell[1] += values[i][j][1] * w;
                    }
                }
                let scale = 4.0 / (n * n) as f64
                    * if k == 0 { 0.5 } else { 1.0 }
                    * if l == 0 { 0.5 } else { 1.0 };
                cell[0] *= scale;
                cell[1] *= scale;
            }
        }
        // The smallest total degree whose left-out terms stay under TRUNCATION_M together.
        let left_out = |degree: usize| -> f64 {
            let mut sum = 0.0;
            for (k, row) in c.iter().enumerate() {
                for (l, cell) in row.iter().enumerate() {
                    if k + l > degree {
                        sum += cell[0].abs() + cell[1].abs();
                    }
                }
            }
            sum
        };
        let degree = (0..=fast.degree)
            .find(|&d| left_out(d) <= TRUNCATION_M)
            .unwrap_or(fast.degree);
        // The kept terms in powers of u and v, for Horner's rule: `power[n][m]` is the
        // coefficient of x^m in T_n.
        let mut power = [[0.0; CHEBYSHEV_N]; CHEBYSHEV_N];
        power[0][0] = 1.0;
        power[1][1] = 1.0;
        for n in 2..CHEBYSHEV_N {
            for m in 0..n + 1 {
                let up = if m > 0 {
                    2.0 * power[n - 1][m - 1]
                } else {
                    0.0
                };
                power[n][m] = up - power[n - 2][m];
            }
        }
        let mut monomial = Box::new([[[0.0; 2]; CHEBYSHEV_N]; CHEBYSHEV_N]);
        for (k, row) in c.iter().enumerate() {
            for (l, cell) in row.iter().enumerate().take((degree + 1).saturating_sub(k)) {
                for i in 0..=k {
                    for j in 0..=l {
                        let w = power[k][i] * power[l][j];
                        monomial[i][j][0] += cell[0] * w;
                        monomial[i][j][1] += cell[1] * w;
                    }
                }
            }
        }
        fast.degree = degree;
        fast.coefficients = Some(monomial);
        let checks = 2 * n;
        let good = (0..=checks).all(|i| {
            (0..=checks).all(|j| {
                let lon = bbox[0] + (bbox[2] - bbox[0]) * i as f64 / checks as f64;
                let lat = bbox[1] + (bbox[3] - bbox[1]) * j as f64 / checks as f64;
                distance(fast.forward(lon, lat), self.forward(lon, lat)) <= BOX_TOLERANCE_M
            })
        });
        if !good {
            fast.coefficients = None;
        }
        fast
    }
}

impl BoxForward {
    /// Longitude/latitude in degrees to metres east/north of the projection's centre.
    #[inline]
    pub fn forward(&self, lon: f64, lat: f64) -> XY {
        let Some(c) = self
            .coefficients
            .as_deref()
            .filter(|_| self.inside(lon, lat))
        else {
            return self.projection.forward(lon, lat);
        };
        let [xy] = self.interpolate(c, [[lon, lat]]);
        xy
    }

    /// [`BoxForward::forward`] of four points at once: the same results to the last bit,
    /// several times faster. One point's polynomial is a long chain of multiply-adds, each
    /// waiting for the one before; here the points' chains are evaluated side by side.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::Projection;
    /// let fast = Projection::centred_on(121.33, 30.72).over_box([121.1, 30.6, 121.5, 30.9]);
    /// let points = [[121.2, 30.7], [121.3, 30.8], [121.4, 30.65], [125.0, 30.7]]; // last: outside
    /// let xy = fast.forward_lanes(points);
    /// for (p, xy) in points.iter().zip(xy) {
    ///     assert_eq!(xy, fast.forward(p[0], p[1]));
    /// }
    /// ```
    #[inline]
    pub fn forward_lanes(&self, points: [[f64; 2]; LANES]) -> [XY; LANES] {
        let Some(c) = self.coefficients.as_deref() else {
            return points.map(|[lon, lat]| self.projection.forward(lon, lat));
        };
        let mut xy = self.interpolate(c, points);
        for (xy, [lon, lat]) in xy.iter_mut().zip(points) {
            // A point outside the box (or not finite) is projected exactly, as one alone.
            if !self.inside(lon, lat) {
                *xy = self.projection.forward(lon, lat);
            }
        }
        xy
    }

    /// [`BoxForward::forward`] of every item's point (its longitude/latitude given by
    /// `lonlat`), in order: four at a time by [`BoxForward::forward_lanes`], in parallel, and
    /// collected straight into place.
    ///
    /// # Examples
    ///
    /// ```
    /// use walkshed::Projection;
    /// let fast = Projection::centred_on(121.33, 30.72).over_box([121.1, 30.6, 121.5, 30.9]);
    /// let points = [[121.2, 30.7], [121.3, 30.8], [121.4, 30.65], [121.45, 30.7], [121.3, 30.75]];
    /// let xy = fast.forward_all(&points, |p| *p);
    /// assert_eq!(xy.len(), 5);
    /// assert_eq!(xy[4], fast.forward(121.3, 30.75));
    /// ```
    pub fn forward_all<T: Sync>(
        &self,
        items: &[T],
        lonlat: impl Fn(&T) -> [f64; 2] + Sync,
    ) -> Vec<XY> {
        use rayon::prelude::*;
        // A short last group is filled up with its first point, and cut off after.
        let mut xy = items
            .par_chunks(LANES)
            .map(|group| {
                self.forward_lanes(std::array::from_fn(|i| {
                    lonlat(&group[i.min(group.len() - 1)])
                }))
            })
            .collect::<Vec<[XY; LANES]>>()
            .into_flattened();
        xy.truncate(items.len());
        xy
    }

    /// Whether a point is in the box.
    #[inline]
    fn inside(&self, lon: f64, lat: f64) -> bool {
        lon >= self.bbox[0] && lon <= self.bbox[2] && lat >= self.bbox[1] && lat <= self.bbox[3]
    }

    /// The interpolant at `L` points of the box, evaluated side by side; each point's
    /// arithmetic is the same, in the same order, whatever `L`.
    #[inline(always)]
    fn interpolate<const L: usize>(
        &self,
        c: &[[[f64; 2]; CHEBYSHEV_N]; CHEBYSHEV_N],
        points: [[f64; 2]; L],
    ) -> [XY; L] {
        let u: [f64; L] = std::array::from_fn(|i| (points[i][0] - self.mid[0]) * self.inv_half[0]);
        let v: [f64; L] = std::array::from_fn(|i| (points[i][1] - self.mid[1]) * self.inv_half[1]);
        // Horner's rule in u, of Horner's rule in v.
        let mut xy = [[0.0; 2]; L];
        for k in (0..=self.degree.min(CHEBYSHEV_N - 1)).rev() {
            let row = &c[k];
            let mut inner = [[0.0; 2]; L];
            for l in (0..=(self.degree - k).min(CHEBYSHEV_N - 1)).rev() {
                for (inner, v) in inner.iter_mut().zip(v) {
                    inner[0] = inner[0] * v + row[l][0];
                    inner[1] = inner[1] * v + row[l][1];
                }
            }
            for ((xy, inner), u) in xy.iter_mut().zip(inner).zip(u) {
                xy[0] = xy[0] * u + inner[0];
                xy[1] = xy[1] * u + inner[1];
            }
        }
        xy
    }

    /// Whether points of the box are interpolated (else all are projected exactly).
    pub fn is_interpolated(&self) -> bool {
        self.coefficients.is_some()
    }

    /// The total degree of the terms evaluated (at most 14).
    pub fn degree(&self) -> usize {
        self.degree
    }
}

/// `T_0(x) … T_{N−1}(x)`, the Chebyshev polynomials at `x`.
#[inline]
fn chebyshev(x: f64) -> [f64; CHEBYSHEV_N] {
    let mut t = [1.0; CHEBYSHEV_N];
    t[1] = x;
    for k in 2..CHEBYSHEV_N {
        t[k] = 2.0 * x * t[k - 1] - t[k - 2];
    }
    t
}

/// Metres per degree of latitude and of longitude at latitude `lat` (degrees) on WGS84.
///
/// Used for the local equirectangular plane in which a polygon's centroid is taken (see
/// [`crate::load`]); for a block a few hundred metres across it agrees with the transverse
/// Mercator plane to well under a centimetre.
pub fn metres_per_degree(lat: f64) -> [f64; 2] {
    let phi = lat.to_radians();
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let s2 = phi.sin() * phi.sin();
    let w = (1.0 - e2 * s2).sqrt();
    let prime_vertical = WGS84_A / w; // N
    let meridional = WGS84_A * (1.0 - e2) / (w * w * w); // M
    let rad = std::f64::consts::PI / 180.0;
    [meridional * rad, prime_vertical * phi.cos() * rad]
}

/// The corners `(lo, hi)` of the bounding box of some points, found in parallel (the same box
/// whatever the split between threads); `([∞, ∞], [−∞, −∞])` for no points. NaN coordinates are
/// passed over.
pub(crate) fn bounds(points: impl rayon::iter::ParallelIterator<Item = XY>) -> (XY, XY) {
    use rayon::iter::ParallelIterator;
    fn join((lo, hi): (XY, XY), (l, h): (XY, XY)) -> (XY, XY) {
        (
            [lo[0].min(l[0]), lo[1].min(l[1])],
            [hi[0].max(h[0]), hi[1].max(h[1])],
        )
    }
    let empty = || ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    points
        .fold(empty, |bounds, p| join(bounds, (p, p)))
        .reduce(empty, join)
}

/// Euclidean distance between two plane points, metres.
#[inline]
pub fn distance(a: XY, b: XY) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krüger's forward series term by term, each multiple angle by its own call: the
    /// reference for the recurrences in [`Projection::forward`].
    fn forward_term_by_term(p: &Projection, lon: f64, lat: f64) -> XY {
        let phi = lat.to_radians();
        let lambda = lon.to_radians() - p.lon0_rad;
        let sin_phi = phi.sin();
        let t = (sin_phi.atanh() - p.e * (p.e * sin_phi).atanh()).sinh();
        let xi_p = t.atan2(lambda.cos());
        let eta_p = (lambda.sin() / (1.0 + t * t).sqrt()).atanh();
        let (mut xi, mut eta) = (xi_p, eta_p);
        for (j, a) in p.alpha.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        [p.a_rect * eta, p.a_rect * xi - p.y0]
    }

    #[test]
    fn recurrences_agree_with_the_series_term_by_term() {
        for &(lon0, lat0) in &[(121.33, 30.72), (24.94, 60.17), (-70.6, -33.4), (0.0, 0.0)] {
            let p = Projection::centred_on(lon0, lat0);
            for i in -20..=20 {
                for j in -20..=20 {
                    // Up to ±5° (≈ 500 km) from the centre.
                    let (lon, lat) = (lon0 + f64::from(i) * 0.25, lat0 + f64::from(j) * 0.25);
                    let a = p.forward(lon, lat);
                    let b = forward_term_by_term(&p, lon, lat);
                    assert!(distance(a, b) < 1e-8, "{lon},{lat}: {a:?} vs {b:?}");
                }
            }
        }
    }

    #[test]
    fn box_interpolant_agrees_with_the_exact_map() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        // Boxes from a block to several degrees, at several latitudes.
        for &(lon, lat, size) in &[
            (121.33, 30.72, 0.001),
            (121.33, 30.72, 0.5),
            (24.94, 60.17, 1.0),
            (-70.6, -33.4, 2.0),
            (10.0, 78.0, 1.0),
            (0.0, 0.0, 2.5),
            (100.0, 40.0, 4.0),
        ] {
            let p = Projection::centred_on(lon + size * 0.3, lat - size * 0.2);
            let bbox = [lon - size, lat - size / 2.0, lon + size, lat + size / 2.0];
            let fast = p.over_box(bbox);
            assert!(fast.is_interpolated(), "{bbox:?}");
            for _ in 0..2000 {
                let x = rng.gen_range(bbox[0]..=bbox[2]);
                let y = rng.gen_range(bbox[1]..=bbox[3]);
                let d = distance(fast.forward(x, y), p.forward(x, y));
                assert!(d < 1e-6, "{bbox:?} at {x},{y}: {d} m");
            }
            // Outside the box: exact.
            assert_eq!(
                fast.forward(lon + 2.0 * size + 0.1, lat),
                p.forward(lon + 2.0 * size + 0.1, lat)
            );
        }
        // A box of continental size is not interpolated; every point is projected exactly.
        let p = Projection::centred_on(100.0, 30.0);
        let fast = p.over_box([60.0, -10.0, 140.0, 70.0]);
        assert!(!fast.is_interpolated());
        assert_eq!(fast.forward(121.0, 31.0), p.forward(121.0, 31.0));
        // A box of one point, and a box that is not finite.
        let fast = p.over_box([121.0, 31.0, 121.0, 31.0]);
        assert!(distance(fast.forward(121.0, 31.0), p.forward(121.0, 31.0)) < 1e-6);
        let fast = p.over_box([f64::INFINITY, 0.0, f64::NEG_INFINITY, 0.0]);
        assert!(!fast.is_interpolated());
    }

    #[test]
    fn points_projected_side_by_side_are_those_projected_one_by_one() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let p = Projection::centred_on(121.33, 30.72);
        for bbox in [[121.22, 30.63, 121.44, 30.81], [60.0, -10.0, 140.0, 70.0]] {
            let fast = p.over_box(bbox);
            // Inside and just outside the box, and points that are not finite.
            let mut points: Vec<[f64; 2]> = (0..1000)
                .map(|_| {
                    let (w, h) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
                    [
                        rng.gen_range(bbox[0] - 0.1 * w..=bbox[2] + 0.1 * w),
                        rng.gen_range(bbox[1] - 0.1 * h..=bbox[3] + 0.1 * h),
                    ]
                })
                .collect();
            points[5] = [f64::NAN, 30.7];
            points[998] = [121.3, f64::INFINITY];
            for (k, lanes) in points.chunks_exact(LANES).enumerate() {
                let out = fast.forward_lanes(lanes.try_into().expect("four points"));
                for (q, o) in lanes.iter().zip(out) {
                    let one = fast.forward(q[0], q[1]);
                    assert_eq!(o.map(f64::to_bits), one.map(f64::to_bits), "{k}: {q:?}");
                }
            }
        }
    }

    #[test]
    fn box_interpolant_keeps_only_the_terms_that_matter() {
        // A city 20 km across: terms of total degree above 4 are each worth under 0.1 µm.
        let p = Projection::centred_on(121.33, 30.72);
        let bbox = [121.22, 30.63, 121.44, 30.81];
        let fast = p.over_box(bbox);
        assert!(fast.is_interpolated());
        assert!(fast.degree() <= 5, "degree {}", fast.degree());
        // Its error stays within the tolerance at the corners and centre, where it is largest.
        for &(lon, lat) in &[
            (121.22, 30.63),
            (121.44, 30.81),
            (121.22, 30.81),
            (121.44, 30.63),
            (121.33, 30.72),
        ] {
            assert!(distance(fast.forward(lon, lat), p.forward(lon, lat)) < BOX_TOLERANCE_M);
        }
    }

    #[test]
    fn round_trip_is_sub_millimetre() {
        let p = Projection::centred_on(24.94, 60.17);
        for &(lon, lat) in &[
            (24.94, 60.17),
            (25.5, 60.6),
            (24.3, 59.8),
            (24.94001, 60.17002),
        ] {
            let back = p.inverse(p.forward(lon, lat));
            let d = distance(p.forward(back[0], back[1]), p.forward(lon, lat));
            assert!(d < 1e-6, "{lon},{lat} → {back:?}");
            assert!((back[0] - lon).abs() < 1e-9 && (back[1] - lat).abs() < 1e-9);
        }
    }

    #[test]
    fn local_scale_matches_projection_near_centre() {
        let p = Projection::centred_on(121.33, 30.72);
        let [m_lat, m_lon] = metres_per_degree(30.72);
        let dx = p.forward(121.331, 30.72)[0];
        let dy = p.forward(121.33, 30.721)[1];
        assert!(
            (dx - m_lon * 0.001).abs() < 1e-3,
            "{dx} vs {}",
            m_lon * 0.001
        );
        assert!(
            (dy - m_lat * 0.001).abs() < 1e-3,
            "{dy} vs {}",
            m_lat * 0.001
        );
    }
}
