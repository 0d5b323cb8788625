//! Well-known binary geometries (ISO and EWKB flags for Z and M, either byte order), as
//! GeoPackages store them after their own small header.

use super::copy::Geom;

/// Why a geometry blob could not be read.
pub(super) type WkbError = String;

/// A cursor over WKB bytes.
struct Cursor<'b> {
    b: &'b [u8],
    at: usize,
    little: bool,
}

impl Cursor<'_> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let s = self
            .b
            .get(self.at..self.at + N)
            .ok_or_else(|| "the geometry ends too early".to_owned())?;
        self.at += N;
        Ok(s.try_into().unwrap_or([0; N]))
    }

    fn u32(&mut self) -> Result<u32, WkbError> {
        let b = self.bytes::<4>()?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self) -> Result<f64, WkbError> {
        let b = self.bytes::<8>()?;
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count, bounded by the bytes left so that a broken count cannot ask for huge memory.
    fn count(&mut self, item_bytes: usize) -> Result<usize, WkbError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(item_bytes) > self.b.len() - self.at.min(self.b.len()) {
            return Err("the geometry ends too early".to_owned());
        }
        Ok(n)
    }
}

/// The geometry's header: its type (1–6) and the number of ordinates per point.
fn header(c: &mut Cursor<'_>) -> Result<(u32, usize), WkbError> {
    c.little = match c.bytes::<1>()?[0] {
        0 => false,
        1 => true,
        other => return Err(format!("unknown byte order {other}")),
    };
    let code = c.u32()?;
    // EWKB: flags in the high bits (Z 0x80000000, M 0x40000000, SRID 0x20000000).
    let (z, m) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0);
    if code & 0x2000_0000 != 0 {
        c.u32()?;
    }
    let iso = code & 0x0fff_ffff;
    let (kind, dims) = match iso / 1000 {
        0 => (iso, 2 + usize::from(z) + usize::from(m)),
        1 | 2 => (iso % 1000, 3),
        3 => (iso % 1000, 4),
        _ => return Err(format!("unknown geometry type {code}")),
    };
    Ok((kind, dims))
}

fn point(c: &mut Cursor<'_>, dims: usize) -> Result<[f64; 2], WkbError> {
    let p = [c.f64()?, c.f64()?];
    for _ in 2..dims {
        c.f64()?;
    }
    Ok(p)
}

fn line(c: &mut Cursor<'_>, dims: usize) -> Result<Vec<[f64; 2]>, WkbError> {
    let n = c.count(8 * dims)?;
    (0..n).map(|_| point(c, dims)).collect()
}

fn rings(c: &mut Cursor<'_>, dims: usize) -> Result<Vec<Vec<[f64; 2]>>, WkbError> {
    let n = c.count(4)?;
    (0..n).map(|_| line(c, dims)).collect()
}

/// The parts of a multi-geometry, each of type `part`.
fn parts<T>(
    c: &mut Cursor<'_>,
    part: u32,
    read: impl Fn(&mut Cursor<'_>, usize) -> Result<T, WkbError>,
) -> Result<Vec<T>, WkbError> {
    let n = c.count(5)?;
    (0..n)
        .map(|_| {
            let (kind, dims) = header(c)?;
            if kind != part {
                return Err(format!(
                    "a part of type {kind} in a collection of type {part}"
                ));
            }
            read(c, dims)
        })
        .collect()
}

/// Reads one WKB geometry: a point, line or polygon, or a multi-geometry of them (a
/// GeometryCollection is an error). An empty point (NaN coordinates) is `None`.
pub(super) fn read(b: &[u8]) -> Result<Option<Geom>, WkbError> {
    let mut c = Cursor {
        b,
        at: 0,
        little: true,
    };
    let (kind, dims) = header(&mut c)?;
    let g = match kind {
        1 => {
            let p = point(&mut c, dims)?;
            if p.iter().any(|v| v.is_nan()) {
                return Ok(None);
            }
            Geom::Point(p)
        }
        2 => Geom::LineString(line(&mut c, dims)?),
        3 => Geom::Polygon(rings(&mut c, dims)?),
        4 => Geom::MultiPoint(parts(&mut c, 1, point)?),
        5 => Geom::MultiLineString(parts(&mut c, 2, line)?),
        6 => Geom::MultiPolygon(parts(&mut c, 3, rings)?),
        7 => return Err("a GeometryCollection, which walkshed does not read".to_owned()),
        other => return Err(format!("unknown geometry type {other}")),
    };
    Ok(Some(g))
}

/// Writes `g` as little-endian 2D WKB (what `walkshed.gpkg` stores, and the reader's reference
/// in tests).
pub(crate) fn write(g: &Geom, o: &mut Vec<u8>) {
    let head = |o: &mut Vec<u8>, kind: u32| {
        o.push(1);
        o.extend_from_slice(&kind.to_le_bytes());
    };
    let pt = |o: &mut Vec<u8>, p: &[f64; 2]| {
        o.extend_from_slice(&p[0].to_le_bytes());
        o.extend_from_slice(&p[1].to_le_bytes());
    };
    let n = |o: &mut Vec<u8>, n: usize| o.extend_from_slice(&(n as u32).to_le_bytes());
    let ln = |o: &mut Vec<u8>, l: &[[f64; 2]]| {
        n(o, l.len());
        l.iter().for_each(|p| pt(o, p));
    };
    let rs = |o: &mut Vec<u8>, r: &[Vec<[f64; 2]>]| {
        n(o, r.len());
        r.iter().for_each(|l| ln(o, l));
    };
    match g {
        Geom::Point(p) => {
            head(o, 1);
            pt(o, p);
        }
        Geom::LineString(l) => {
            head(o, 2);
            ln(o, l);
        }
        Geom::Polygon(r) => {
            head(o, 3);
            rs(o, r);
        }
        Geom::MultiPoint(ps) => {
            head(o, 4);
            n(o, ps.len());
            for p in ps {
                head(o, 1);
                pt(o, p);
            }
        }
        Geom::MultiLineString(ls) => {
            head(o, 5);
            n(o, ls.len());
            for l in ls {
                head(o, 2);
                ln(o, l);
            }
        }
        Geom::MultiPolygon(ps) => {
            head(o, 6);
            n(o, ps.len());
            for r in ps {
                head(o, 3);
                rs(o, r);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_type() {
        let sq = vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]];
        for g in [
            Geom::Point([121.3, 30.7]),
            Geom::MultiPoint(vec![[1.0, 2.0], [3.0, 4.0]]),
            Geom::LineString(vec![[1.0, 2.0], [3.0, 4.0]]),
            Geom::MultiLineString(vec![vec![[1.0, 2.0], [3.0, 4.0]]]),
            Geom::Polygon(sq.clone()),
            Geom::MultiPolygon(vec![sq.clone(), sq]),
        ] {
            let mut b = Vec::new();
            write(&g, &mut b);
            assert_eq!(read(&b), Ok(Some(g)));
        }
    }

    #[test]
    fn big_endian_and_z_points_read() {
        // Point Z (ISO 1001), big-endian.
        let mut b = vec![0u8];
        b.extend_from_slice(&1001u32.to_be_bytes());
        for v in [121.5f64, 31.2, 4.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(read(&b), Ok(Some(Geom::Point([121.5, 31.2]))));
        assert_eq!(
            read(&b[..10]),
            Err("the geometry ends too early".to_owned())
        );
    }
}
