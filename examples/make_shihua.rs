//! Generates the ILLUSTRATIVE "Shihua Street" sample in `data/shihua/`.
//!
//! The sample is modelled on Shihua Subdistrict (石化街道), Jinshan District, Shanghai, and laid
//! inside its real boundary (`data/shihua/boundary.geojson`, OpenStreetMap relation 18058389,
//! © OpenStreetMap contributors, ODbL 1.0). Nothing else is real: the residential blocks, their
//! populations, the 26 residential committees, the stations, the streets, the canal and the
//! proposed sites are invented to exercise walkshed, and were never surveyed.
//!
//! ```text
//! cargo run --release --example make_shihua             # reads and writes data/shihua/
//! cargo run --release --example make_shihua -- DIR      # reads DIR/boundary.geojson, writes DIR/
//! ```
//!
//! It writes `stations.geojson`, `blocks.geojson`, `walk.geojson`, `proposed-stations.geojson`
//! and `canal.geojson`, and prints a summary (counts, straight-line coverage shares, network
//! checks) to stderr.
//!
//! # Determinism
//!
//! A rerun writes byte-identical files, on any platform: the randomness is a fixed-seed
//! SplitMix64 (one stream per purpose), the geometry uses only `+ - * /`, `sqrt` and `round`
//! (all exactly specified by IEEE 754, so no libm differences), collections are `Vec`s and
//! `BTreeMap`s walked in a fixed order, and coordinates are kept as integers of 1e-7 degree and
//! printed with integer formatting.
//!
//! # Layout of the sample
//!
//! Everything is built in a local metric plane (x east, y north, metres) around
//! (121.3084 E, 30.7147 N), using the WGS84 metres-per-degree at that latitude.
//!
//! - a slightly irregular street grid (about 205 m × 190 m) over the built-up area: the main
//!   town ("core"), a new high-rise district in the north-east lobe ("new") and an older,
//!   low-rise edge in the south-west ("edge");
//! - a north–south canal that the east–west streets cross only on two bridges;
//! - a few missing links, a few cul-de-sacs, one footbridge crossing a main road without a
//!   shared vertex (an overpass), and a small village street in the northern strip that is not
//!   connected to anything and has no station (the "island");
//! - a few farmland hamlets in the far south-west, more than 200 m from every street;
//! - 26 committee areas: nearest-seed (Voronoi-like) cells of 26 seeds found by a
//!   population-weighted k-means over the core blocks; each committee gets a station near its
//!   seed, three of them deliberately off-centre; one sub-centre and five service points
//!   ("1+26+N"), each with an illustrative `volunteers` count (its own random stream);
//! - proposed sites: a greedy maximal-coverage pick of block centroids that adds the most
//!   residents within 300 m.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use geo::{Contains, Coord, LineString, Point, Polygon};

/// Origin of the local plane, degrees.
const LON0: f64 = 121.3084;
const LAT0: f64 = 30.7147;
/// WGS84 metres per degree of longitude / latitude at `LAT0`.
const M_PER_DEG_LON: f64 = 95_787.411_860_561_5;
const M_PER_DEG_LAT: f64 = 110_864.574_074_158_3;

const SEED: u64 = 0x5348_4948_5541_0001;

/// Street grid: nodes `NX × NY`, spacing, south-west origin (metres).
const NX: usize = 27;
const NY: usize = 21;
const SX: f64 = 205.0;
const SY: f64 = 190.0;
const X0: f64 = -1650.0;
const Y0: f64 = -1750.0;
/// The canal runs between node columns `CANAL` and `CANAL + 1`.
const CANAL: usize = 15;
/// Setback of blocks from the street centre lines (metres).
const SETBACK: f64 = 14.0;
/// Target population of the street-grid part of the town (before clamping).
const TARGET_POP: f64 = 98_000.0;
const COMMITTEES: usize = 26;
const THRESHOLDS_M: [f64; 3] = [300.0, 500.0, 800.0];

type P = [f64; 2];
type E7 = [i64; 2];
/// A grid step `(di, dj)` and the two cells beside the edge it walks along.
type Step = (isize, isize, [(isize, isize); 2]);

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fixed, and good enough for layout.
struct Rng(u64);

impl Rng {
    fn new(stream: u64) -> Self {
        Rng(SEED ^ stream.wrapping_mul(0xD134_2543_DE82_EF95))
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// A uniformly distributed unit vector (rejection sampling, no trigonometry).
    fn dir(&mut self) -> P {
        loop {
            let x = self.range(-1.0, 1.0);
            let y = self.range(-1.0, 1.0);
            let r2 = x * x + y * y;
            if r2 > 0.01 && r2 <= 1.0 {
                let r = r2.sqrt();
                return [x / r, y / r];
            }
        }
    }
}

fn to_e7(p: P) -> E7 {
    let lon = LON0 + p[0] / M_PER_DEG_LON;
    let lat = LAT0 + p[1] / M_PER_DEG_LAT;
    [(lon * 1e7).round() as i64, (lat * 1e7).round() as i64]
}

fn from_e7(q: E7) -> P {
    [
        (q[0] as f64 / 1e7 - LON0) * M_PER_DEG_LON,
        (q[1] as f64 / 1e7 - LAT0) * M_PER_DEG_LAT,
    ]
}

fn add(a: P, b: P) -> P {
    [a[0] + b[0], a[1] + b[1]]
}
fn sub(a: P, b: P) -> P {
    [a[0] - b[0], a[1] - b[1]]
}
fn scale(a: P, k: f64) -> P {
    [a[0] * k, a[1] * k]
}
fn lerp(a: P, b: P, t: f64) -> P {
    add(a, scale(sub(b, a), t))
}
fn dist(a: P, b: P) -> f64 {
    let d = sub(a, b);
    (d[0] * d[0] + d[1] * d[1]).sqrt()
}
fn seg_dist(p: P, a: P, b: P) -> f64 {
    let d = sub(b, a);
    let l2 = d[0] * d[0] + d[1] * d[1];
    let t = if l2 == 0.0 {
        0.0
    } else {
        ((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2
    };
    dist(p, lerp(a, b, t.clamp(0.0, 1.0)))
}
fn polyline_dist(p: P, pts: &[P]) -> f64 {
    pts.windows(2)
        .map(|w| seg_dist(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

/// Centroid and signed area (positive = counter-clockwise) of a closed ring.
fn ring_centroid(ring: &[P]) -> (P, f64) {
    let o = ring[0];
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in ring.windows(2) {
        let (p, q) = (sub(w[0], o), sub(w[1], o));
        let c = p[0] * q[1] - q[0] * p[1];
        a2 += c;
        cx += (p[0] + q[0]) * c;
        cy += (p[1] + q[1]) * c;
    }
    ([o[0] + cx / (3.0 * a2), o[1] + cy / (3.0 * a2)], a2 / 2.0)
}

/// Do the open segments `ab` and `cd` cross at an interior point of both?
fn proper_cross(a: P, b: P, c: P, d: P) -> bool {
    let o = |p: P, q: P, r: P| (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
    let (d1, d2, d3, d4) = (o(a, b, c), o(a, b, d), o(c, d, a), o(c, d, b));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

/// Union–find over `usize` keys.
struct Dsu(Vec<usize>);
impl Dsu {
    fn new(n: usize) -> Self {
        Dsu((0..n).collect())
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Boundary
// ---------------------------------------------------------------------------------------------

struct Boundary {
    lonlat: Polygon<f64>,
    metric: Polygon<f64>,
    ring: Vec<P>,
}

impl Boundary {
    fn load(path: &std::path::Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: serde_json::Value = serde_json::from_str(&text).expect("boundary is not JSON");
        let geom = &doc["features"][0]["geometry"];
        assert_eq!(geom["type"], "Polygon", "boundary must be a single Polygon");
        let ring: Vec<[f64; 2]> = geom["coordinates"][0]
            .as_array()
            .expect("exterior ring")
            .iter()
            .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
            .collect();
        let lonlat = Polygon::new(
            LineString::from(
                ring.iter()
                    .map(|c| Coord { x: c[0], y: c[1] })
                    .collect::<Vec<_>>(),
            ),
            vec![],
        );
        let metric_ring: Vec<P> = ring
            .iter()
            .map(|c| [(c[0] - LON0) * M_PER_DEG_LON, (c[1] - LAT0) * M_PER_DEG_LAT])
            .collect();
        let metric = Polygon::new(
            LineString::from(
                metric_ring
                    .iter()
                    .map(|c| Coord { x: c[0], y: c[1] })
                    .collect::<Vec<_>>(),
            ),
            vec![],
        );
        Boundary {
            lonlat,
            metric,
            ring: metric_ring,
        }
    }
    /// Inside, and at least `margin_m` from the boundary line.
    fn inside(&self, p: P, margin_m: f64) -> bool {
        self.metric.contains(&Point::new(p[0], p[1])) && polyline_dist(p, &self.ring) >= margin_m
    }
    /// The final check, on the written (rounded) coordinates.
    fn contains_e7(&self, q: E7) -> bool {
        self.lonlat
            .contains(&Point::new(q[0] as f64 / 1e7, q[1] as f64 / 1e7))
    }
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Zone {
    Core,
    New,
    Edge,
    Island,
    Farm,
}

impl Zone {
    fn name(self) -> &'static str {
        match self {
            Zone::Core => "core",
            Zone::New => "new",
            Zone::Edge => "edge",
            Zone::Island => "island",
            Zone::Farm => "farmland",
        }
    }
}

struct Line {
    pts: Vec<P>,
    highway: &'static str,
    bridge: bool,
}

struct Block {
    ring: Vec<P>, // closed, counter-clockwise, metric
    zone: Zone,
    raw: f64,
    population: i64,
    committee: usize,
}

enum Geom {
    Point(P),
    Multi(Vec<P>),
    Poly(Vec<P>),
}

struct Station {
    id: String,
    name: String,
    level: &'static str,
    committee: Option<usize>,
    geom: Geom,
}

impl Station {
    /// The points distances are measured from (entrances; a polygon's centroid), from the
    /// rounded coordinates that are written.
    fn anchors(&self) -> Vec<P> {
        let r = |p: P| from_e7(to_e7(p));
        match &self.geom {
            Geom::Point(p) => vec![r(*p)],
            Geom::Multi(ps) => ps.iter().map(|p| r(*p)).collect(),
            Geom::Poly(ring) => {
                let ring: Vec<P> = ring.iter().map(|p| r(*p)).collect();
                vec![ring_centroid(&ring).0]
            }
        }
    }
}

fn committee_name(k: usize) -> String {
    format!("第{:02}居委会", k + 1)
}
fn committee_code(k: usize) -> String {
    format!("C{:02}", k + 1)
}

fn rect(center: P, w: f64, h: f64, rot: P) -> Vec<P> {
    let (c, s) = (rot[0], rot[1]);
    let mut ring: Vec<P> = [[-w, -h], [w, -h], [w, h], [-w, h]]
        .iter()
        .map(|l| {
            let (x, y) = (l[0] / 2.0, l[1] / 2.0);
            [center[0] + c * x - s * y, center[1] + s * x + c * y]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

/// A rotation (cos, sin) of at most about `max_tan` radians, without trigonometry.
fn small_rotation(rng: &mut Rng, max_tan: f64) -> P {
    let t = rng.range(-max_tan, max_tan);
    let r = (1.0 + t * t).sqrt();
    [1.0 / r, t / r]
}

/// Places a `w × h` rectangle, rotated a little, inside the axis-aligned box `[lo, hi]`,
/// shrinking it if needed (never below 35 m a side).
fn place_block(rng: &mut Rng, lo: P, hi: P, mut w: f64, mut h: f64) -> Option<Vec<P>> {
    let rot = small_rotation(rng, 0.2);
    let (rw, rh) = (hi[0] - lo[0], hi[1] - lo[1]);
    loop {
        let ex = (w * rot[0] + h * rot[1].abs()) / 2.0;
        let ey = (w * rot[1].abs() + h * rot[0]) / 2.0;
        if ex <= rw / 2.0 && ey <= rh / 2.0 {
            let cx = (lo[0] + hi[0]) / 2.0 + rng.range(-1.0, 1.0) * (rw / 2.0 - ex);
            let cy = (lo[1] + hi[1]) / 2.0 + rng.range(-1.0, 1.0) * (rh / 2.0 - ey);
            return Some(rect([cx, cy], w, h, rot));
        }
        w *= 0.92;
        h *= 0.92;
        if w < 35.0 || h < 35.0 {
            return None;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Street grid
// ---------------------------------------------------------------------------------------------

struct Grid {
    node: Vec<Vec<P>>,            // [i][j]
    zone: Vec<Vec<Option<Zone>>>, // cell [i][j], i < NX-1, j < NY-1
    h: Vec<Vec<bool>>,            // edge (i,j)-(i+1,j)
    v: Vec<Vec<bool>>,            // edge (i,j)-(i,j+1)
    bridge_rows: Vec<usize>,
    missing_links: usize,
    plaza: Vec<(usize, usize)>,
}

impl Grid {
    fn cell(&self, i: isize, j: isize) -> Option<Zone> {
        if i < 0 || j < 0 || i as usize >= NX - 1 || j as usize >= NY - 1 {
            None
        } else {
            self.zone[i as usize][j as usize]
        }
    }
    fn arterial_row(j: usize) -> bool {
        j % 5 == 2
    }
    fn arterial_col(i: usize) -> bool {
        i % 6 == 1
    }
    /// Number of connected pieces among nodes that have an edge.
    fn pieces(&self) -> usize {
        let id = |i: usize, j: usize| i * NY + j;
        let mut dsu = Dsu::new(NX * NY);
        let mut used = vec![false; NX * NY];
        for i in 0..NX {
            for j in 0..NY {
                if i + 1 < NX && self.h[i][j] {
                    dsu.union(id(i, j), id(i + 1, j));
                    used[id(i, j)] = true;
                    used[id(i + 1, j)] = true;
                }
                if j + 1 < NY && self.v[i][j] {
                    dsu.union(id(i, j), id(i, j + 1));
                    used[id(i, j)] = true;
                    used[id(i, j + 1)] = true;
                }
            }
        }
        (0..NX * NY)
            .filter(|&k| used[k] && dsu.find(k) == k)
            .count()
    }
}

fn zone_of(c: P) -> Option<Zone> {
    let (x, y) = (c[0], c[1]);
    if (-750.0..=3550.0).contains(&x) && (-1550.0..=1100.0).contains(&y) {
        Some(Zone::Core)
    } else if (1750.0..=3400.0).contains(&x) && (1100.0..=2000.0).contains(&y) {
        Some(Zone::New)
    } else if (-1500.0..=-750.0).contains(&x) && (-1500.0..=-850.0).contains(&y) {
        Some(Zone::Edge)
    } else {
        None
    }
}

fn build_grid(b: &Boundary) -> Grid {
    let mut rng = Rng::new(1);
    let node: Vec<Vec<P>> = (0..NX)
        .map(|i| {
            (0..NY)
                .map(|j| {
                    [
                        X0 + i as f64 * SX + rng.range(-15.0, 15.0),
                        Y0 + j as f64 * SY + i as f64 * 2.5 + rng.range(-15.0, 15.0),
                    ]
                })
                .collect()
        })
        .collect();
    let mut zone = vec![vec![None; NY - 1]; NX - 1];
    for i in 0..NX - 1 {
        for j in 0..NY - 1 {
            let corners = [
                node[i][j],
                node[i + 1][j],
                node[i + 1][j + 1],
                node[i][j + 1],
            ];
            let c = scale(corners.iter().fold([0.0, 0.0], |a, p| add(a, *p)), 0.25);
            if corners.iter().all(|p| b.inside(*p, 20.0)) && b.inside(c, 60.0) {
                zone[i][j] = zone_of(c);
            }
        }
    }
    let mut g = Grid {
        node,
        zone,
        h: vec![vec![false; NY]; NX - 1],
        v: vec![vec![false; NY - 1]; NX],
        bridge_rows: Vec::new(),
        missing_links: 0,
        plaza: Vec::new(),
    };
    for i in 0..NX {
        for j in 0..NY {
            let (ii, jj) = (i as isize, j as isize);
            if i + 1 < NX {
                g.h[i][j] = g.cell(ii, jj - 1).is_some() || g.cell(ii, jj).is_some();
            }
            if j + 1 < NY {
                g.v[i][j] = g.cell(ii - 1, jj).is_some() || g.cell(ii, jj).is_some();
            }
        }
    }
    // The canal: only two of the east-west streets cross it, on bridges.
    let rows: Vec<usize> = (0..NY).filter(|&j| g.h[CANAL][j]).collect();
    g.bridge_rows = vec![rows[rows.len() / 3], rows[2 * rows.len() / 3]];
    for &j in &rows {
        if !g.bridge_rows.contains(&j) {
            g.h[CANAL][j] = false;
        }
    }
    // The plaza under the footbridge: two cells either side of an arterial row.
    let ja = 7;
    let io = (7..CANAL - 2)
        .find(|&i| g.zone[i][ja - 1] == Some(Zone::Core) && g.zone[i][ja] == Some(Zone::Core))
        .expect("a plaza site");
    g.plaza = vec![(io, ja - 1), (io, ja)];
    // Missing links: interior residential streets that simply are not there.
    let mut removed = 0;
    let mut tries = 0;
    while removed < 6 && tries < 500 {
        tries += 1;
        let horizontal = rng.chance(0.5);
        let i = rng.below(NX - 1);
        let j = rng.below(NY - 1);
        let (ii, jj) = (i as isize, j as isize);
        let ok = if horizontal {
            g.h[i][j]
                && !Grid::arterial_row(j)
                && i != CANAL
                && g.cell(ii, jj - 1).is_some()
                && g.cell(ii, jj).is_some()
        } else {
            g.v[i][j]
                && !Grid::arterial_col(i)
                && g.cell(ii - 1, jj).is_some()
                && g.cell(ii, jj).is_some()
        };
        let near_plaza = g
            .plaza
            .iter()
            .any(|&(pi, pj)| i.abs_diff(pi) <= 1 && j.abs_diff(pj) <= 1);
        if !ok || near_plaza {
            continue;
        }
        let before = g.pieces();
        if horizontal {
            g.h[i][j] = false;
        } else {
            g.v[i][j] = false;
        }
        if g.pieces() == before {
            removed += 1;
        } else if horizontal {
            g.h[i][j] = true;
        } else {
            g.v[i][j] = true;
        }
    }
    g.missing_links = removed;
    g
}

/// Turns the grid into LineStrings with shape points; junctions are the shared grid nodes.
fn grid_lines(g: &Grid, rng: &mut Rng) -> Vec<Line> {
    let mut lines = Vec::new();
    let shape = |a: P, b: P, rng: &mut Rng| -> Vec<P> {
        let n = 1 + rng.below(2);
        let d = sub(b, a);
        let len = dist(a, b);
        let perp = [-d[1] / len, d[0] / len];
        (1..=n)
            .map(|k| {
                let t = k as f64 / (n + 1) as f64 + rng.range(-0.08, 0.08);
                add(lerp(a, b, t), scale(perp, rng.range(-4.0, 4.0)))
            })
            .collect()
    };
    // `runs` of consecutive edges, given as node index sequences, split into chunks.
    let emit =
        |nodes: &[P], highway: &'static str, bridge: bool, rng: &mut Rng, lines: &mut Vec<Line>| {
            let mut pts = vec![nodes[0]];
            for w in nodes.windows(2) {
                pts.extend(shape(w[0], w[1], rng));
                pts.push(w[1]);
            }
            lines.push(Line {
                pts,
                highway,
                bridge,
            });
        };
    for j in 0..NY {
        let highway = if Grid::arterial_row(j) {
            "secondary"
        } else {
            "residential"
        };
        let mut i = 0;
        while i < NX - 1 {
            if !g.h[i][j] {
                i += 1;
                continue;
            }
            let mut chunk = vec![g.node[i][j]];
            let mut target = 2 + rng.below(4);
            while i < NX - 1 && g.h[i][j] {
                let is_bridge = i == CANAL;
                if is_bridge {
                    if chunk.len() > 1 {
                        emit(&chunk, highway, false, rng, &mut lines);
                    }
                    emit(
                        &[g.node[i][j], g.node[i + 1][j]],
                        highway,
                        true,
                        rng,
                        &mut lines,
                    );
                    chunk = vec![g.node[i + 1][j]];
                } else {
                    chunk.push(g.node[i + 1][j]);
                    if chunk.len() > target {
                        emit(&chunk, highway, false, rng, &mut lines);
                        chunk = vec![g.node[i + 1][j]];
                        target = 2 + rng.below(4);
                    }
                }
                i += 1;
            }
            if chunk.len() > 1 {
                emit(&chunk, highway, false, rng, &mut lines);
            }
        }
    }
    for i in 0..NX {
        let highway = if Grid::arterial_col(i) {
            "tertiary"
        } else {
            "residential"
        };
        let mut j = 0;
        while j < NY - 1 {
            if !g.v[i][j] {
                j += 1;
                continue;
            }
            let mut chunk = vec![g.node[i][j]];
            let mut target = 2 + rng.below(4);
            while j < NY - 1 && g.v[i][j] {
                chunk.push(g.node[i][j + 1]);
                if chunk.len() > target {
                    emit(&chunk, highway, false, rng, &mut lines);
                    chunk = vec![g.node[i][j + 1]];
                    target = 2 + rng.below(4);
                }
                j += 1;
            }
            if chunk.len() > 1 {
                emit(&chunk, highway, false, rng, &mut lines);
            }
        }
    }
    lines
}

/// Dead-end service roads pointing out of the town into open land.
fn cul_de_sacs(g: &Grid, b: &Boundary, rng: &mut Rng) -> Vec<Line> {
    let mut cands = Vec::new();
    for j in 0..NY {
        for i in 0..NX {
            let (ii, jj) = (i as isize, j as isize);
            let deg = [
                i + 1 < NX && g.h[i][j],
                i > 0 && g.h[i - 1][j],
                j + 1 < NY && g.v[i][j],
                j > 0 && g.v[i][j - 1],
            ];
            if !deg.iter().any(|&d| d) {
                continue;
            }
            // (neighbour, the two cells beside that edge)
            let dirs: [Step; 4] = [
                (1, 0, [(ii, jj - 1), (ii, jj)]),
                (-1, 0, [(ii - 1, jj - 1), (ii - 1, jj)]),
                (0, 1, [(ii - 1, jj), (ii, jj)]),
                (0, -1, [(ii - 1, jj - 1), (ii, jj - 1)]),
            ];
            for (di, dj, cells) in dirs {
                let (ni, nj) = (ii + di, jj + dj);
                if ni < 0 || nj < 0 || ni as usize >= NX || nj as usize >= NY {
                    continue;
                }
                if cells.iter().any(|&(ci, cj)| g.cell(ci, cj).is_some()) {
                    continue;
                }
                let a = g.node[i][j];
                let end = lerp(a, g.node[ni as usize][nj as usize], 0.55);
                if b.inside(end, 30.0) {
                    cands.push((a, end));
                }
            }
        }
    }
    let n = 4;
    (0..n)
        .map(|k| {
            let idx = (k * cands.len() / n + rng.below((cands.len() / (2 * n)).max(1)))
                .min(cands.len() - 1);
            let (a, end) = cands[idx];
            let mid = add(lerp(a, end, 0.5), scale(rng.dir(), 3.0));
            Line {
                pts: vec![a, mid, end],
                highway: "service",
                bridge: false,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

fn num(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:07}", a / 10_000_000, a % 10_000_000)
}

fn pos(p: P) -> String {
    let q = to_e7(p);
    format!("[{},{}]", num(q[0]), num(q[1]))
}

fn positions(ps: &[P]) -> String {
    let v: Vec<String> = ps.iter().map(|p| pos(*p)).collect();
    format!("[{}]", v.join(","))
}

fn feature(props: &[(&str, String)], geometry: String) -> String {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{}:{}", js(k), v))
        .collect();
    format!(
        "{{\"type\":\"Feature\",\"properties\":{{{}}},\"geometry\":{}}}",
        props.join(","),
        geometry
    )
}

fn collection(name: &str, features: &[String]) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "{{\"type\":\"FeatureCollection\",\"name\":{},\"description\":{},\"features\":[",
        js(name),
        js(
            "ILLUSTRATIVE sample, generated by examples/make_shihua.rs (not surveyed data); \
            laid inside the OSM boundary of Shihua Subdistrict, Jinshan, Shanghai \
            (boundary: (c) OpenStreetMap contributors, ODbL 1.0)"
        )
    )
    .unwrap();
    for (k, f) in features.iter().enumerate() {
        s.push_str(f);
        if k + 1 < features.len() {
            s.push(',');
        }
        s.push('\n');
    }
    s.push_str("]}\n");
    s
}

/// An illustrative volunteer count by level (the sample's stations are made up): a sub-centre
/// 40–60, a committee station 6–24 (so some are stretched thin), a service point 2–6.
fn volunteers(level: &str, rng: &mut Rng) -> String {
    let (lo, hi) = match level {
        "subcenter" => (40, 60),
        "station" => (6, 24),
        _ => (2, 6),
    };
    rng.int(lo, hi).to_string()
}

fn station_feature(s: &Station, extra: &[(&str, String)]) -> String {
    let mut props = vec![
        ("id", js(&s.id)),
        ("name", js(&s.name)),
        ("level", js(s.level)),
    ];
    if let Some(k) = s.committee {
        props.push(("committee", js(&committee_name(k))));
        props.push(("committee_code", js(&committee_code(k))));
    }
    props.extend(extra.iter().cloned());
    let geom = match &s.geom {
        Geom::Point(p) => format!("{{\"type\":\"Point\",\"coordinates\":{}}}", pos(*p)),
        Geom::Multi(ps) => format!(
            "{{\"type\":\"MultiPoint\",\"coordinates\":{}}}",
            positions(ps)
        ),
        Geom::Poly(r) => format!(
            "{{\"type\":\"Polygon\",\"coordinates\":[{}]}}",
            positions(r)
        ),
    };
    feature(&props, geom)
}

// ---------------------------------------------------------------------------------------------
// Coverage (straight line, as walkshed's default mode)
// ---------------------------------------------------------------------------------------------

fn anchor(b: &Block) -> P {
    let ring: Vec<P> = b.ring.iter().map(|p| from_e7(to_e7(*p))).collect();
    ring_centroid(&ring).0
}

fn nearest(p: P, anchors: &[Vec<P>]) -> (usize, f64) {
    let mut best = (usize::MAX, f64::INFINITY);
    for (k, a) in anchors.iter().enumerate() {
        for q in a {
            let d = dist(p, *q);
            if d < best.1 {
                best = (k, d);
            }
        }
    }
    best
}

fn shares(blocks: &[Block], stations: &[Station]) -> Vec<f64> {
    let anchors: Vec<Vec<P>> = stations.iter().map(Station::anchors).collect();
    let total: i64 = blocks.iter().map(|b| b.population).sum();
    let d: Vec<f64> = blocks
        .iter()
        .map(|b| nearest(anchor(b), &anchors).1)
        .collect();
    THRESHOLDS_M
        .iter()
        .map(|&t| {
            let c: i64 = blocks
                .iter()
                .zip(&d)
                .filter(|(_, &d)| d <= t)
                .map(|(b, _)| b.population)
                .sum();
            c as f64 / total as f64
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

fn main() {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/shihua"));
    let boundary = Boundary::load(&dir.join("boundary.geojson"));

    // --- streets ------------------------------------------------------------------------------
    let grid = build_grid(&boundary);
    let mut rng = Rng::new(3);
    let mut lines = grid_lines(&grid, &mut rng);
    let mut rng = Rng::new(4);
    lines.extend(cul_de_sacs(&grid, &boundary, &mut rng));
    // The footbridge: junction to junction across the arterial row, no vertex where it crosses.
    let (io, jp) = grid.plaza[0];
    let (fa, fb) = (grid.node[io][jp], grid.node[io + 1][jp + 2]);
    lines.push(Line {
        pts: vec![fa, lerp(fa, fb, 0.3), lerp(fa, fb, 0.7), fb],
        highway: "footway",
        bridge: true,
    });
    let footbridge = lines.len() - 1;
    // The island: a village street in the northern strip, connected to nothing.
    let island_spine = vec![
        [1270.0, 1380.0],
        [1262.0, 1500.0],
        [1255.0, 1620.0],
        [1262.0, 1745.0],
        [1250.0, 1870.0],
    ];
    let island_lines = vec![
        Line {
            pts: island_spine.clone(),
            highway: "residential",
            bridge: false,
        },
        Line {
            pts: vec![[1165.0, 1605.0], [1210.0, 1612.0], island_spine[2]],
            highway: "track",
            bridge: false,
        },
        Line {
            pts: vec![island_spine[2], [1310.0, 1625.0], [1360.0, 1618.0]],
            highway: "track",
            bridge: false,
        },
    ];
    for l in &island_lines {
        for p in &l.pts {
            assert!(
                boundary.inside(*p, 10.0),
                "island street point {p:?} outside the boundary"
            );
        }
    }
    lines.extend(island_lines);

    // --- blocks -------------------------------------------------------------------------------
    let mut rng = Rng::new(5);
    let mut blocks: Vec<Block> = Vec::new();
    for j in 0..NY - 1 {
        for i in 0..NX - 1 {
            let Some(zone) = grid.zone[i][j] else {
                continue;
            };
            if i == CANAL || grid.plaza.contains(&(i, j)) {
                continue;
            }
            let nonres = match zone {
                Zone::Core => 0.22,
                Zone::New => 0.15,
                _ => 0.35,
            };
            if rng.chance(nonres) {
                continue; // school, park, market, workshop...
            }
            let n = &grid.node;
            let lo = [
                n[i][j][0].max(n[i][j + 1][0]) + SETBACK,
                n[i][j][1].max(n[i + 1][j][1]) + SETBACK,
            ];
            let hi = [
                n[i + 1][j][0].min(n[i + 1][j + 1][0]) - SETBACK,
                n[i][j + 1][1].min(n[i + 1][j + 1][1]) - SETBACK,
            ];
            let floors = match zone {
                Zone::Core => rng.int(5, 7),
                Zone::New => rng.int(6, 10),
                _ => rng.int(2, 3),
            } as f64;
            let push = |ring: Vec<P>, coverage: f64, blocks: &mut Vec<Block>| {
                let area = ring_centroid(&ring).1;
                blocks.push(Block {
                    ring,
                    zone,
                    raw: area * coverage * floors / 35.0,
                    population: 0,
                    committee: 0,
                });
            };
            if rng.chance(0.3) {
                let (w, h) = (rng.range(90.0, 150.0), rng.range(70.0, 140.0));
                if let Some(r) = place_block(&mut rng, lo, hi, w, h) {
                    push(r, 0.3, &mut blocks);
                }
            } else {
                let mid = scale(add(lo, hi), 0.5);
                for (sx, sy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let keep = rng.chance(0.62);
                    let (w, h) = (rng.range(40.0, 62.0), rng.range(40.0, 62.0));
                    if !keep {
                        continue;
                    }
                    let slo = [
                        if sx == 0 { lo[0] } else { mid[0] + 5.0 },
                        if sy == 0 { lo[1] } else { mid[1] + 5.0 },
                    ];
                    let shi = [
                        if sx == 0 { mid[0] - 5.0 } else { hi[0] },
                        if sy == 0 { mid[1] - 5.0 } else { hi[1] },
                    ];
                    if let Some(r) = place_block(&mut rng, slo, shi, w, h) {
                        push(r, 1.0, &mut blocks);
                    }
                }
            }
        }
    }
    let raw_total: f64 = blocks.iter().map(|b| b.raw).sum();
    for b in &mut blocks {
        b.population = ((b.raw * TARGET_POP / raw_total).round() as i64).clamp(30, 1500);
    }
    // The island village and the farmland hamlets: a fixed layout, small populations.
    let mut rng = Rng::new(6);
    let island_sites: [(P, f64); 7] = [
        ([1190.0, 1440.0], 40.0),
        ([1335.0, 1470.0], 45.0),
        ([1185.0, 1545.0], 42.0),
        ([1320.0, 1700.0], 40.0),
        ([1190.0, 1690.0], 38.0),
        ([1195.0, 1810.0], 40.0),
        ([1315.0, 1830.0], 36.0),
    ];
    for (c, s) in island_sites {
        let ring = rect(
            c,
            s,
            s * rng.range(0.8, 1.1),
            small_rotation(&mut rng, 0.15),
        );
        if ring.iter().all(|p| boundary.inside(*p, 8.0)) {
            blocks.push(Block {
                ring,
                zone: Zone::Island,
                raw: 0.0,
                population: rng.int(40, 160),
                committee: 0,
            });
        }
    }
    let hamlets: [P; 3] = [[-3250.0, -1650.0], [-2650.0, -1300.0], [-2250.0, -1750.0]];
    for h in hamlets {
        let n = 2 + rng.below(2);
        for k in 0..n {
            let c = add(h, [k as f64 * 55.0, rng.range(-20.0, 20.0)]);
            let ring = rect(
                c,
                rng.range(30.0, 45.0),
                rng.range(30.0, 40.0),
                small_rotation(&mut rng, 0.2),
            );
            if ring.iter().all(|p| boundary.inside(*p, 8.0)) {
                blocks.push(Block {
                    ring,
                    zone: Zone::Farm,
                    raw: 0.0,
                    population: rng.int(30, 90),
                    committee: 0,
                });
            }
        }
    }

    // --- committees: population-weighted k-means over the core blocks -------------------------
    let core: Vec<usize> = (0..blocks.len())
        .filter(|&k| blocks[k].zone == Zone::Core)
        .collect();
    let cen: Vec<P> = blocks.iter().map(|b| ring_centroid(&b.ring).0).collect();
    let wsum: f64 = core.iter().map(|&k| blocks[k].population as f64).sum();
    let wc = scale(
        core.iter().fold([0.0, 0.0], |a, &k| {
            add(a, scale(cen[k], blocks[k].population as f64))
        }),
        1.0 / wsum,
    );
    let first = *core
        .iter()
        .min_by(|&&a, &&b| {
            dist(cen[a], wc)
                .total_cmp(&dist(cen[b], wc))
                .then(a.cmp(&b))
        })
        .unwrap();
    let mut seeds: Vec<P> = vec![cen[first]];
    while seeds.len() < COMMITTEES {
        let far = *core
            .iter()
            .max_by(|&&a, &&b| {
                let da = seeds
                    .iter()
                    .map(|s| dist(*s, cen[a]))
                    .fold(f64::INFINITY, f64::min);
                let db = seeds
                    .iter()
                    .map(|s| dist(*s, cen[b]))
                    .fold(f64::INFINITY, f64::min);
                da.total_cmp(&db).then(b.cmp(&a))
            })
            .unwrap();
        seeds.push(cen[far]);
    }
    let nearest_seed = |p: P, seeds: &[P]| -> usize {
        let mut best = (0, f64::INFINITY);
        for (k, s) in seeds.iter().enumerate() {
            let d = dist(p, *s);
            if d < best.1 {
                best = (k, d);
            }
        }
        best.0
    };
    for _ in 0..40 {
        let mut acc = vec![([0.0, 0.0], 0.0); COMMITTEES];
        for &k in &core {
            let s = nearest_seed(cen[k], &seeds);
            let w = blocks[k].population as f64;
            acc[s].0 = add(acc[s].0, scale(cen[k], w));
            acc[s].1 += w;
        }
        for (s, (sum, w)) in seeds.iter_mut().zip(acc) {
            if w > 0.0 {
                *s = scale(sum, 1.0 / w);
            }
        }
    }
    // Number the committees north to south in 700 m bands, west to east within a band.
    let band = |p: P| ((1200.0 - p[1]) / 700.0) as i64;
    seeds.sort_by(|a, b| band(*a).cmp(&band(*b)).then(a[0].total_cmp(&b[0])));
    for (k, b) in blocks.iter_mut().enumerate() {
        b.committee = nearest_seed(cen[k], &seeds);
    }

    // --- stations -----------------------------------------------------------------------------
    let mut rng = Rng::new(7);
    let mut stations: Vec<Station> = Vec::new();
    let hub = *grid
        .node
        .iter()
        .flatten()
        .min_by(|a, b| dist(**a, wc).total_cmp(&dist(**b, wc)))
        .unwrap();
    stations.push(Station {
        id: "SC01".into(),
        name: "石化街道新时代文明实践分中心".into(),
        level: "subcenter",
        committee: None,
        geom: Geom::Point(add(hub, [12.0, 9.0])),
    });
    let multi_k = 6; // ST07
    let poly_k = 14; // ST15
    let mut off_centre: Vec<usize> = Vec::new();
    while off_centre.len() < 3 {
        let k = rng.below(COMMITTEES);
        if k != multi_k && k != poly_k && !off_centre.contains(&k) {
            off_centre.push(k);
        }
    }
    off_centre.sort_unstable();
    for (k, &seed) in seeds.iter().enumerate() {
        let mut p = if off_centre.contains(&k) {
            let far = core
                .iter()
                .filter(|&&b| blocks[b].committee == k)
                .map(|&b| cen[b])
                .max_by(|a, b| dist(*a, seed).total_cmp(&dist(*b, seed)))
                .unwrap_or(seed);
            lerp(seed, far, 0.85)
        } else {
            add(seed, scale(rng.dir(), rng.range(25.0, 110.0)))
        };
        while !boundary.inside(p, 20.0) {
            p = lerp(p, seed, 0.2);
        }
        let geom = if k == multi_k {
            let d = scale(rng.dir(), 20.0);
            Geom::Multi(vec![sub(p, d), add(p, d)])
        } else if k == poly_k {
            Geom::Poly(rect(p, 32.0, 20.0, small_rotation(&mut rng, 0.15)))
        } else {
            Geom::Point(p)
        };
        stations.push(Station {
            id: format!("ST{:02}", k + 1),
            name: format!("{}服务站", committee_name(k)),
            level: "station",
            committee: Some(k),
            geom,
        });
    }
    // Service points at street junctions of the core, spread out.
    let junctions: Vec<P> = (0..NX)
        .flat_map(|i| (0..NY).map(move |j| (i, j)))
        .filter(|&(i, j)| {
            let deg = [
                i + 1 < NX && grid.h[i][j],
                i > 0 && grid.h[i - 1][j],
                j + 1 < NY && grid.v[i][j],
                j > 0 && grid.v[i][j - 1],
            ];
            deg.iter().filter(|&&d| d).count() >= 3 && zone_of(grid.node[i][j]) == Some(Zone::Core)
        })
        .map(|(i, j)| grid.node[i][j])
        .collect();
    let mut points: Vec<P> = Vec::new();
    let mut tries = 0;
    while points.len() < 5 && tries < 10_000 {
        tries += 1;
        let p = junctions[rng.below(junctions.len())];
        if points.iter().all(|q| dist(p, *q) >= 500.0) && seeds.iter().all(|s| dist(p, *s) >= 150.0)
        {
            points.push(p);
        }
    }
    for (k, p) in points.iter().enumerate() {
        stations.push(Station {
            id: format!("SP{:02}", k + 1),
            name: format!("服务点{:02}", k + 1),
            level: "point",
            committee: None,
            geom: Geom::Point(add(*p, [8.0, 6.0])),
        });
    }

    // --- proposed sites: greedy maximal coverage at 300 m --------------------------------------
    let anchors: Vec<Vec<P>> = stations.iter().map(Station::anchors).collect();
    let banch: Vec<P> = blocks.iter().map(anchor).collect();
    let mut covered: Vec<bool> = banch
        .iter()
        .map(|a| nearest(*a, &anchors).1 <= 300.0)
        .collect();
    let mut proposed: Vec<(Station, i64)> = Vec::new();
    for n in 0..4 {
        let mut best = (usize::MAX, 0i64);
        for (c, b) in blocks.iter().enumerate() {
            if !matches!(b.zone, Zone::Core | Zone::New | Zone::Edge) {
                continue;
            }
            let gain: i64 = (0..blocks.len())
                .filter(|&k| !covered[k] && dist(banch[k], banch[c]) <= 300.0)
                .map(|k| blocks[k].population)
                .sum();
            if gain > best.1 {
                best = (c, gain);
            }
        }
        let c = best.0;
        for k in 0..blocks.len() {
            if dist(banch[k], banch[c]) <= 300.0 {
                covered[k] = true;
            }
        }
        proposed.push((
            Station {
                id: format!("P{:02}", n + 1),
                name: format!("拟建服务站{:02}（示意）", n + 1),
                level: "station",
                committee: Some(blocks[c].committee),
                geom: Geom::Point(banch[c]),
            },
            best.1,
        ));
    }

    // --- canal centre line ----------------------------------------------------------------------
    let canal: Vec<P> = (0..NY)
        .map(|j| lerp(grid.node[CANAL][j], grid.node[CANAL + 1][j], 0.5))
        .filter(|p| boundary.inside(*p, 5.0))
        .collect();

    // --- checks ----------------------------------------------------------------------------------
    for b in &blocks {
        let ring: Vec<P> = b.ring.iter().map(|p| from_e7(to_e7(*p))).collect();
        assert!(
            ring_centroid(&ring).1 > 0.0,
            "block ring not counter-clockwise"
        );
        assert!(
            b.ring.iter().all(|p| boundary.contains_e7(to_e7(*p))),
            "block outside boundary"
        );
    }
    for s in stations.iter().chain(proposed.iter().map(|(s, _)| s)) {
        let pts: Vec<P> = match &s.geom {
            Geom::Point(p) => vec![*p],
            Geom::Multi(ps) | Geom::Poly(ps) => ps.clone(),
        };
        assert!(
            pts.iter().all(|p| boundary.contains_e7(to_e7(*p))),
            "station {} outside",
            s.id
        );
    }
    // Network: vertices keyed by their written coordinates.
    let mut vid: BTreeMap<E7, usize> = BTreeMap::new();
    let mut uses: BTreeMap<E7, usize> = BTreeMap::new();
    for l in &lines {
        let mut seen: Vec<E7> = Vec::new();
        for p in &l.pts {
            let q = to_e7(*p);
            let n = vid.len();
            vid.entry(q).or_insert(n);
            if !seen.contains(&q) {
                seen.push(q);
                *uses.entry(q).or_insert(0) += 1;
            }
        }
    }
    let mut dsu = Dsu::new(vid.len());
    for l in &lines {
        for w in l.pts.windows(2) {
            dsu.union(vid[&to_e7(w[0])], vid[&to_e7(w[1])]);
        }
    }
    let mut piece_size: BTreeMap<usize, usize> = BTreeMap::new();
    for k in 0..vid.len() {
        *piece_size.entry(dsu.find(k)).or_insert(0) += 1;
    }
    let shared = uses.values().filter(|&&u| u >= 2).count();
    let wl: Vec<Vec<P>> = lines
        .iter()
        .map(|l| l.pts.iter().map(|p| from_e7(to_e7(*p))).collect())
        .collect();
    let line_dist = |p: P| {
        wl.iter()
            .map(|l| polyline_dist(p, l))
            .fold(f64::INFINITY, f64::min)
    };
    let crossings: usize = (0..lines.len())
        .filter(|&k| k != footbridge)
        .map(|k| {
            let mut n = 0;
            for a in wl[footbridge].windows(2) {
                for b in wl[k].windows(2) {
                    if proper_cross(a[0], a[1], b[0], b[1]) {
                        n += 1;
                    }
                }
            }
            n
        })
        .sum();
    let far_blocks: Vec<(usize, f64)> = banch
        .iter()
        .enumerate()
        .map(|(k, a)| (k, line_dist(*a)))
        .filter(|(_, d)| *d > 200.0)
        .collect();
    let far_stations: Vec<&str> = stations
        .iter()
        .chain(proposed.iter().map(|(s, _)| s))
        .filter(|s| s.anchors().iter().all(|a| line_dist(*a) > 200.0))
        .map(|s| s.id.as_str())
        .collect();

    // --- write ---------------------------------------------------------------------------------
    // Volunteers from a stream of their own, so that every other generated value stays as it was.
    let mut rng = Rng::new(12);
    let station_feats: Vec<String> = stations
        .iter()
        .map(|s| station_feature(s, &[("volunteers", volunteers(s.level, &mut rng))]))
        .collect();
    let block_feats: Vec<String> = blocks
        .iter()
        .enumerate()
        .map(|(k, b)| {
            feature(
                &[
                    ("id", js(&format!("B{:04}", k + 1))),
                    ("population", b.population.to_string()),
                    ("committee", js(&committee_name(b.committee))),
                    ("committee_code", js(&committee_code(b.committee))),
                    ("zone", js(b.zone.name())),
                ],
                format!(
                    "{{\"type\":\"Polygon\",\"coordinates\":[{}]}}",
                    positions(&b.ring)
                ),
            )
        })
        .collect();
    let walk_feats: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let mut props = vec![
                ("id", js(&format!("W{:04}", k + 1))),
                ("highway", js(l.highway)),
            ];
            if l.bridge {
                props.push(("bridge", js("yes")));
                props.push(("layer", "1".to_string()));
            }
            feature(
                &props,
                format!(
                    "{{\"type\":\"LineString\",\"coordinates\":{}}}",
                    positions(&l.pts)
                ),
            )
        })
        .collect();
    let proposed_feats: Vec<String> = proposed
        .iter()
        .map(|(s, _)| {
            station_feature(
                s,
                &[
                    ("proposed", "true".to_string()),
                    ("volunteers", volunteers(s.level, &mut rng)),
                ],
            )
        })
        .collect();
    let canal_feats = vec![feature(
        &[
            ("id", js("canal")),
            ("waterway", js("canal")),
            ("name", js("示意河道")),
        ],
        format!(
            "{{\"type\":\"LineString\",\"coordinates\":{}}}",
            positions(&canal)
        ),
    )];
    let out = [
        (
            "stations.geojson",
            collection("shihua-stations", &station_feats),
        ),
        ("blocks.geojson", collection("shihua-blocks", &block_feats)),
        ("walk.geojson", collection("shihua-walk", &walk_feats)),
        (
            "proposed-stations.geojson",
            collection("shihua-proposed-stations", &proposed_feats),
        ),
        ("canal.geojson", collection("shihua-canal", &canal_feats)),
    ];
    for (name, text) in &out {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    // --- summary -------------------------------------------------------------------------------
    let total: i64 = blocks.iter().map(|b| b.population).sum();
    eprintln!("wrote {} files into {}", out.len(), dir.display());
    for (name, text) in &out {
        eprintln!("  {name}: {} bytes", text.len());
    }
    eprintln!(
        "stations: {} (1 subcenter, {} committee stations, {} service points); off-centre: {}",
        stations.len(),
        COMMITTEES,
        points.len(),
        off_centre
            .iter()
            .map(|k| format!("ST{:02}", k + 1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!("blocks: {}, population {total}", blocks.len());
    for z in [Zone::Core, Zone::New, Zone::Edge, Zone::Island, Zone::Farm] {
        let (n, p) = blocks
            .iter()
            .filter(|b| b.zone == z)
            .fold((0, 0i64), |(n, p), b| (n + 1, p + b.population));
        eprintln!("  zone {:<8} {n:>4} blocks {p:>7} residents", z.name());
    }
    let (pmin, pmax) = blocks.iter().fold((i64::MAX, 0), |(a, b), x| {
        (a.min(x.population), b.max(x.population))
    });
    eprintln!("  population per block: min {pmin}, max {pmax}");
    let mut per_c = vec![(0, 0i64); COMMITTEES];
    for b in &blocks {
        per_c[b.committee].0 += 1;
        per_c[b.committee].1 += b.population;
    }
    eprintln!(
        "  per committee (blocks/residents): {}",
        per_c
            .iter()
            .enumerate()
            .map(|(k, (n, p))| format!("C{:02} {n}/{p}", k + 1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!(
        "walk: {} lines, {} distinct vertices, {} shared by >=2 lines, {} connected pieces (sizes {:?})",
        lines.len(),
        vid.len(),
        shared,
        piece_size.len(),
        {
            let mut v: Vec<usize> = piece_size.values().copied().collect();
            v.sort_unstable_by(|a, b| b.cmp(a));
            v
        }
    );
    eprintln!(
        "  {} missing links; canal bridges on grid rows {:?}; footbridge W{:04} crosses {crossings} segment(s) without a shared vertex",
        grid.missing_links,
        grid.bridge_rows,
        footbridge + 1
    );
    eprintln!(
        "  blocks more than 200 m from any line: {} ({} residents, zones {:?})",
        far_blocks.len(),
        far_blocks
            .iter()
            .map(|(k, _)| blocks[*k].population)
            .sum::<i64>(),
        far_blocks
            .iter()
            .map(|(k, _)| blocks[*k].zone.name())
            .collect::<std::collections::BTreeSet<_>>()
    );
    eprintln!("  stations more than 200 m from any line: {far_stations:?}");
    let fmt = |s: Vec<f64>| {
        s.iter()
            .zip(THRESHOLDS_M)
            .map(|(v, t)| format!("{t:.0} m {:.1} %", v * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "straight-line coverage (detour 1.0), existing stations: {}",
        fmt(shares(&blocks, &stations))
    );
    let all: Vec<Station> = stations
        .iter()
        .chain(proposed.iter().map(|(s, _)| s))
        .map(|s| Station {
            id: s.id.clone(),
            name: s.name.clone(),
            level: s.level,
            committee: s.committee,
            geom: match &s.geom {
                Geom::Point(p) => Geom::Point(*p),
                Geom::Multi(v) => Geom::Multi(v.clone()),
                Geom::Poly(v) => Geom::Poly(v.clone()),
            },
        })
        .collect();
    eprintln!(
        "  with the proposed sites added:                {}",
        fmt(shares(&blocks, &all))
    );
    for (s, gain) in &proposed {
        eprintln!(
            "  {} gains {gain} residents within 300 m ({})",
            s.id,
            committee_code(s.committee.unwrap())
        );
    }
}
