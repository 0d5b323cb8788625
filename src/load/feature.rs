//! Parsing one Feature's text into just what walkshed needs: its geometry as flat coordinate
//! arrays, its `id` member, and a few named properties. Everything else is skipped without being
//! stored.
//!
//! Two parsers give the same [`RawFeature`]:
//!
//! - [`parse_feature`], built on `serde_json`: strict, the reference, and the fallback;
//! - [`quick_feature`], a hand-written single pass over the common shape of GeoJSON features. It
//!   accepts only text it fully understands and validates — every value it skips is checked
//!   against JSON's grammar — and reads numbers exactly (correctly rounded, as `serde_json` does).
//!   On anything else (an escape in a member name, a duplicate member, a value nested deeply,
//!   invalid JSON, …) it gives up with [`QuickStop::Bail`], and the caller parses the feature again
//!   with [`parse_feature`], which gives the exact result or error. It also tells a feature cut off
//!   at the end of the bytes read so far ([`QuickStop::Incomplete`]) from a bad one.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde::Deserializer;
use serde_json::Value;

/// A `type` member's value; the GeoJSON type names are shared, not allocated.
pub(crate) type Kind = Cow<'static, str>;

/// The GeoJSON type names.
const KINDS: [&str; 9] = [
    "Feature",
    "Polygon",
    "MultiPolygon",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "FeatureCollection",
    "GeometryCollection",
];

/// `s` as a [`Kind`], shared when it is a GeoJSON type name.
fn kind_of(s: String) -> Kind {
    match KINDS.iter().find(|k| **k == s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s),
    }
}

/// Coordinates of one geometry, flattened: all positions in one array, with the ends of the
/// nested levels.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct FlatCoords {
    /// Every position `[x, y]` (a third value, if any, is dropped).
    pub points: Vec<[f64; 2]>,
    /// `ends[1]`: where each innermost list of positions (ring, line) ends, as an index into
    /// `points`; `ends[2]`: where each list of lists (polygon) ends, as an index into `ends[1]`.
    pub ends: [Vec<usize>; 3],
    /// Nesting depth of the coordinates: 0 for a position, 1 for a list of positions, …
    pub depth: Option<u8>,
}

/// A parsed geometry.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct RawGeometry {
    pub kind: Option<Kind>,
    pub coords: FlatCoords,
    pub has_coordinates: bool,
}

/// A parsed Feature.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct RawFeature {
    pub kind: Option<Kind>,
    /// The Feature's own `id` member.
    pub id: Option<Value>,
    /// `None` when the geometry is `null` or missing.
    pub geometry: Option<RawGeometry>,
    /// The wanted properties, in the order of the names asked for; `None` when absent.
    pub props: Vec<Option<Value>>,
    /// The Feature's own `crs` member (GeoJSON 2008), checked like a collection's.
    pub crs: Option<Value>,
}

/// Parses one feature's JSON text, keeping the properties named in `wanted`.
pub(crate) fn parse_feature(text: &[u8], wanted: &[&str]) -> Result<RawFeature, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let f = FeatureSeed { wanted }.deserialize(&mut de)?;
    de.end()?;
    Ok(f)
}

/// Parses the feature at the start of `text`, ignoring what follows it: for wording the error
/// of a feature exactly as `serde_json` sees it within the whole file.
pub(crate) fn parse_feature_prefix(
    text: &[u8],
    wanted: &[&str],
) -> Result<RawFeature, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    FeatureSeed { wanted }.deserialize(&mut de)
}

/// A member name, borrowed where the text allows.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

struct FeatureSeed<'w> {
    wanted: &'w [&'w str],
}

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = RawFeature;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawFeature, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed<'_> {
    type Value = RawFeature;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON Feature object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFeature, A::Error> {
        let mut out = RawFeature {
            props: vec![None; self.wanted.len()],
            ..RawFeature::default()
        };
        let mut seen = Seen::new(&["type", "id", "geometry", "properties", "crs"]);
        while let Some(key) = map.next_key::<Key>()? {
            seen.once::<A::Error>(&key.0, "the Feature")?;
            match key.0.as_ref() {
                "type" => out.kind = Some(kind_of(map.next_value::<String>()?)),
                "id" => out.id = Some(map.next_value::<Value>()?),
                "crs" => out.crs = Some(map.next_value::<Value>()?),
                "geometry" => out.geometry = map.next_value_seed(GeometrySeed)?,
                "properties" => {
                    map.next_value_seed(PropsSeed {
                        wanted: self.wanted,
                        out: &mut out.props,
                    })?;
                }
                _ => {
                    map.next_value::<Checked>()?;
                }
            }
        }
        Ok(out)
    }
}

struct PropsSeed<'a, 'w> {
    wanted: &'w [&'w str],
    out: &'a mut Vec<Option<Value>>,
}

impl<'de> DeserializeSeed<'de> for PropsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a properties object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::new(self.wanted);
        while let Some(key) = map.next_key::<Key>()? {
            seen.once::<A::Error>(&key.0, "the properties")?;
            match self.wanted.iter().position(|w| *w == key.0) {
                Some(i) => {
                    let v = map.next_value::<Value>()?;
                    self.out[i] = if v.is_null() { None } else { Some(v) };
                }
                None => {
                    map.next_value::<Checked>()?;
                }
            }
        }
        Ok(())
    }
}

struct GeometrySeed;

impl<'de> DeserializeSeed<'de> for GeometrySeed {
    type Value = Option<RawGeometry>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for GeometrySeed {
    type Value = Option<RawGeometry>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a geometry object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut g = RawGeometry::default();
        let mut seen = Seen::new(&["type", "coordinates"]);
        while let Some(key) = map.next_key::<Key>()? {
            seen.once::<A::Error>(&key.0, "the geometry")?;
            match key.0.as_ref() {
                "type" => g.kind = Some(kind_of(map.next_value::<String>()?)),
                "coordinates" => {
                    g.has_coordinates = true;
                    let depth = map.next_value_seed(NestSeed {
                        flat: &mut g.coords,
                    })?;
                    g.coords.depth = depth;
                }
                _ => {
                    map.next_value::<Checked>()?;
                }
            }
        }
        Ok(Some(g))
    }
}

/// The members of an object that walkshed reads, each allowed once: a second `population`
/// would leave it to chance which one counts.
struct Seen<'n> {
    names: &'n [&'n str],
    seen: u64,
}

impl<'n> Seen<'n> {
    fn new(names: &'n [&'n str]) -> Self {
        Seen { names, seen: 0 }
    }

    /// Notes `key`; an error when it is a read member already seen in `object`.
    fn once<E: de::Error>(&mut self, key: &str, object: &str) -> Result<(), E> {
        let Some(i) = self.names.iter().take(64).position(|n| *n == key) else {
            return Ok(());
        };
        if self.seen & (1 << i) != 0 {
            return Err(E::custom(format_args!(
                "duplicate member {key:?} in {object}: keep one"
            )));
        }
        self.seen |= 1 << i;
        Ok(())
    }
}

/// A value walkshed does not read but copies into `blocks.geojson`: checked as `serde_json`
/// reads values (nesting at most 128 deep, numbers within `f64` range), so that the copy reads
/// back. `serde_json`'s [`IgnoredAny`] checks neither.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<Checked>()?;
        }
        Ok(Checked)
    }
}

/// Parses a nested coordinate array into [`FlatCoords`]; yields the depth (`None` for `[]`).
struct NestSeed<'a> {
    flat: &'a mut FlatCoords,
}

enum Elem {
    Num(f64),
    Arr(Option<u8>),
}

impl<'de> DeserializeSeed<'de> for NestSeed<'_> {
    type Value = Option<u8>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for NestSeed<'_> {
    type Value = Option<u8>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of coordinates")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let flat = self.flat;
        let mut numbers = [0.0f64; 2];
        let mut n_numbers = 0usize;
        let mut child_depth: Option<u8> = None;
        let mut saw_array = false;
        while let Some(e) = seq.next_element_seed(ElemSeed { flat: &mut *flat })? {
            match e {
                Elem::Num(x) => {
                    if saw_array {
                        return Err(de::Error::custom(
                            "a coordinate array mixes numbers and arrays",
                        ));
                    }
                    if n_numbers < 2 {
                        numbers[n_numbers] = x;
                    }
                    n_numbers += 1;
                }
                Elem::Arr(d) => {
                    if n_numbers > 0 {
                        return Err(de::Error::custom(
                            "a coordinate array mixes numbers and arrays",
                        ));
                    }
                    saw_array = true;
                    if let Some(d) = d {
                        match child_depth {
                            None => child_depth = Some(d),
                            Some(c) if c != d => {
                                return Err(de::Error::custom("coordinate arrays nested unevenly"))
                            }
                            _ => {}
                        }
                        let level = d as usize;
                        if level >= 3 {
                            return Err(de::Error::custom("coordinate arrays nested too deeply"));
                        }
                        if level == 1 {
                            let n = flat.points.len();
                            flat.ends[1].push(n);
                        } else if level == 2 {
                            let n = flat.ends[1].len();
                            flat.ends[2].push(n);
                        }
                    }
                }
            }
        }
        if n_numbers > 0 {
            if n_numbers < 2 {
                return Err(de::Error::custom("a position needs at least two numbers"));
            }
            flat.points.push(numbers);
            return Ok(Some(0));
        }
        Ok(child_depth.map(|d| d + 1))
    }
}

struct ElemSeed<'a> {
    flat: &'a mut FlatCoords,
}

impl<'de> DeserializeSeed<'de> for ElemSeed<'_> {
    type Value = Elem;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Elem, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElemSeed<'_> {
    type Value = Elem;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or an array of coordinates")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Elem, E> {
        Ok(Elem::Num(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Elem, E> {
        Ok(Elem::Num(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Elem, E> {
        Ok(Elem::Num(v as f64))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Elem, A::Error> {
        NestSeed { flat: self.flat }.visit_seq(seq).map(Elem::Arr)
    }
}

/// Why [`quick_feature`] stopped without a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuickStop {
    /// The bytes ended inside the feature: read more and try again.
    Incomplete,
    /// Something the fast parser does not handle, or invalid JSON: parse with [`parse_feature`].
    Bail,
}

type QuickParse<T> = Result<T, QuickStop>;

/// Deepest nesting the fast parser follows inside a feature (`serde_json` allows 128).
const MAX_DEPTH: u32 = 64;

/// Exact powers of ten representable in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Byte classes inside a string: 0 plain ASCII, 1 `"`, 2 `\`, 3 control character, 4 non-ASCII.
const STRING_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if i < 0x20 {
            3
        } else if i == b'"' as usize {
            1
        } else if i == b'\\' as usize {
            2
        } else if i >= 0x80 {
            4
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Parses the Feature object that starts at `b[at]`, keeping the properties named in `wanted`;
/// returns it with the index just past its closing brace. Gives the same [`RawFeature`] as
/// [`parse_feature`] on `b[at..end]`, or stops (see [`QuickStop`]).
#[cfg(test)]
pub(crate) fn quick_feature(
    b: &[u8],
    at: usize,
    wanted: &[&str],
) -> QuickParse<(RawFeature, usize)> {
    let mut f = RawFeature::default();
    let end = quick_feature_into(b, at, wanted, &mut f)?;
    Ok((f, end))
}

/// [`quick_feature`] into `out`, whose vectors are cleared and reused (a reader keeps one per
/// thread, so that parsing a feature allocates only what it hands on); returns the index just
/// past the feature. On a [`QuickStop`], `out` holds a partial result.
pub(crate) fn quick_feature_into(
    b: &[u8],
    at: usize,
    wanted: &[&str],
    out: &mut RawFeature,
) -> QuickParse<usize> {
    out.reset(wanted.len());
    let mut c = Cursor { b, i: at };
    c.feature(wanted, out)?;
    Ok(c.i)
}

impl RawFeature {
    /// Empties the feature for `wanted` properties, keeping its vectors' memory.
    fn reset(&mut self, wanted: usize) {
        self.kind = None;
        self.id = None;
        self.props.clear();
        self.props.resize(wanted, None);
        if let Some(g) = self.geometry.as_mut() {
            g.kind = None;
            g.has_coordinates = false;
            g.coords.points.clear();
            for e in &mut g.coords.ends {
                e.clear();
            }
            g.coords.depth = None;
        }
    }
}

/// A position in the bytes being parsed.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    #[inline]
    fn peek(&self) -> QuickParse<u8> {
        self.b.get(self.i).copied().ok_or(QuickStop::Incomplete)
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.i += 1;
        }
    }

    /// The next byte after whitespace.
    #[inline]
    fn next_ws(&mut self) -> QuickParse<u8> {
        self.ws();
        self.peek()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> QuickParse<()> {
        if self.peek()? == c {
            self.i += 1;
            Ok(())
        } else {
            Err(QuickStop::Bail)
        }
    }

    /// After a member's value: `,` (then whitespace; returns `true`) or `}` (returns `false`).
    #[inline]
    fn more_members(&mut self) -> QuickParse<bool> {
        match self.next_ws()? {
            b',' => {
                self.i += 1;
                self.ws();
                Ok(true)
            }
            b'}' => {
                self.i += 1;
                Ok(false)
            }
            _ => Err(QuickStop::Bail),
        }
    }

    /// After `{` and whitespace: whether the object has members (else `}` is consumed).
    #[inline]
    fn first_member(&mut self) -> QuickParse<bool> {
        if self.next_ws()? == b'}' {
            self.i += 1;
            Ok(false)
        } else {
            Ok(true)
        }
    }

    /// A member name without escapes (else bail), followed by `:` and whitespace.
    #[inline]
    fn key(&mut self) -> QuickParse<&[u8]> {
        let (start, end, escaped) = self.string_span()?;
        if escaped {
            return Err(QuickStop::Bail);
        }
        let b = self.b;
        if self.next_ws()? != b':' {
            return Err(QuickStop::Bail);
        }
        self.i += 1;
        self.ws();
        Ok(&b[start..end])
    }

    /// Scans the string starting at `"`: its contents' range and whether they hold escapes.
    /// Checks escapes, control characters and UTF-8.
    #[inline]
    fn string_span(&mut self) -> QuickParse<(usize, usize, bool)> {
        let (start, end, escaped, ascii) = self.string_bytes()?;
        if !ascii && std::str::from_utf8(&self.b[start..end]).is_err() {
            return Err(QuickStop::Bail);
        }
        Ok((start, end, escaped))
    }

    /// [`Cursor::string_span`] without the UTF-8 check, for a caller that makes a `str` of the
    /// contents (which checks them); also says whether they are all ASCII.
    #[inline]
    fn string_bytes(&mut self) -> QuickParse<(usize, usize, bool, bool)> {
        self.eat(b'"')?;
        let b = self.b;
        let start = self.i;
        let mut j = start;
        let mut escaped = false;
        let mut ascii = true;
        loop {
            let c = *b.get(j).ok_or(QuickStop::Incomplete)?;
            match STRING_CLASS[c as usize] {
                0 => j += 1,
                1 => break,
                2 => {
                    escaped = true;
                    j = escape_end(b, j)?;
                }
                3 => return Err(QuickStop::Bail),
                _ => {
                    ascii = false;
                    j += 1;
                }
            }
        }
        self.i = j + 1;
        Ok((start, j, escaped, ascii))
    }

    /// A string value, unescaped.
    fn string(&mut self) -> QuickParse<String> {
        let (start, end, escaped, _) = self.string_bytes()?;
        let raw = &self.b[start..end];
        if !escaped {
            return std::str::from_utf8(raw)
                .map(str::to_owned)
                .map_err(|_| QuickStop::Bail);
        }
        unescape(raw)
    }

    /// Checks a literal (`true`, `false`, `null`).
    fn literal(&mut self, word: &[u8]) -> QuickParse<()> {
        for &w in word {
            if self.peek()? != w {
                return Err(QuickStop::Bail);
            }
            self.i += 1;
        }
        Ok(())
    }

    /// Scans a number per JSON's grammar; returns its text range, and its value when it is
    /// exactly representable by the fast path: `(mantissa, decimal exponent, negative)` with the
    /// mantissa's digit count.
    #[inline]
    fn number_span(&mut self) -> QuickParse<NumberSpan> {
        let b = self.b;
        let start = self.i;
        let mut j = start;
        let negative = b.get(j) == Some(&b'-');
        if negative {
            j += 1;
        }
        let mut mantissa: u64 = 0;
        let mut digits = 0u32;
        let mut integer = true;
        match *b.get(j).ok_or(QuickStop::Incomplete)? {
            b'0' => j += 1,
            b'1'..=b'9' => {
                while let Some(&d @ b'0'..=b'9') = b.get(j) {
                    mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    digits += 1;
                    j += 1;
                }
            }
            _ => return Err(QuickStop::Bail),
        }
        let mut exp10: i64 = 0;
        if b.get(j) == Some(&b'.') {
            integer = false;
            j += 1;
            if !b.get(j).ok_or(QuickStop::Incomplete)?.is_ascii_digit() {
                return Err(QuickStop::Bail);
            }
            while let Some(&d @ b'0'..=b'9') = b.get(j) {
                if mantissa != 0 || d != b'0' {
                    mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                    digits += 1;
                }
                exp10 -= 1;
                j += 1;
            }
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            integer = false;
            j += 1;
            let negative_exp = match *b.get(j).ok_or(QuickStop::Incomplete)? {
                b'-' => {
                    j += 1;
                    true
                }
                b'+' => {
                    j += 1;
                    false
                }
                _ => false,
            };
            if !b.get(j).ok_or(QuickStop::Incomplete)?.is_ascii_digit() {
                return Err(QuickStop::Bail);
            }
            let mut e: i64 = 0;
            while let Some(&d @ b'0'..=b'9') = b.get(j) {
                e = (e * 10 + i64::from(d - b'0')).min(1 << 32);
                j += 1;
            }
            exp10 += if negative_exp { -e } else { e };
        }
        if j >= b.len() {
            // The number may go on in bytes not read yet.
            return Err(QuickStop::Incomplete);
        }
        self.i = j;
        Ok(NumberSpan {
            start,
            end: j,
            mantissa,
            digits,
            exp10,
            negative,
            integer,
        })
    }

    /// A number's value, correctly rounded (as `serde_json` with `float_roundtrip` reads it).
    #[inline]
    fn number(&mut self) -> QuickParse<f64> {
        let n = self.number_span()?;
        if n.digits <= 19 && n.mantissa <= 1 << 53 && (-22..=22).contains(&n.exp10) {
            // Clinger's fast path: both operands are exact, so one operation rounds correctly.
            let m = n.mantissa as f64;
            let v = if n.exp10 >= 0 {
                m * POW10[n.exp10 as usize]
            } else {
                m / POW10[(-n.exp10) as usize]
            };
            return Ok(if n.negative { -v } else { v });
        }
        let text = std::str::from_utf8(&self.b[n.start..n.end]).map_err(|_| QuickStop::Bail)?;
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(QuickStop::Bail),
        }
    }

    /// Skips any JSON value, checking it.
    fn skip(&mut self, depth: u32) -> QuickParse<()> {
        match self.peek()? {
            b'"' => {
                // A UTF-16 surrogate escape, paired or lone, is left to serde_json, which
                // refuses a lone one (the copy in `blocks.geojson` would not read back).
                let (start, end, escaped) = self.string_span()?;
                if escaped && has_surrogate_escape(&self.b[start..end]) {
                    return Err(QuickStop::Bail);
                }
                Ok(())
            }
            b'{' => {
                if depth >= MAX_DEPTH {
                    return Err(QuickStop::Bail);
                }
                self.i += 1;
                if self.first_member()? {
                    loop {
                        self.key()?;
                        self.skip(depth + 1)?;
                        if !self.more_members()? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return Err(QuickStop::Bail);
                }
                self.i += 1;
                if self.next_ws()? == b']' {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.skip(depth + 1)?;
                    match self.next_ws()? {
                        b',' => {
                            self.i += 1;
                            self.ws();
                        }
                        b']' => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(QuickStop::Bail),
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => {
                // Beyond f64 (≥ 1e309, or in [1e308, 1e309) and above f64::MAX) is left to
                // serde_json, which refuses it.
                let n = self.number_span()?;
                let magnitude = n.exp10.saturating_add(i64::from(n.digits));
                let fits = || {
                    std::str::from_utf8(&self.b[n.start..n.end])
                        .ok()
                        .and_then(|t| t.parse::<f64>().ok())
                        .is_some_and(f64::is_finite)
                };
                if n.digits > 0 && (magnitude > 309 || (magnitude == 309 && !fits())) {
                    return Err(QuickStop::Bail);
                }
                Ok(())
            }
            _ => Err(QuickStop::Bail),
        }
    }

    /// Any value as a `serde_json::Value` (`None` for `null`), exactly as `serde_json` reads it.
    fn value(&mut self) -> QuickParse<Option<Value>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Some(Value::String(s))),
            b'n' => self.literal(b"null").map(|()| None),
            b't' => self.literal(b"true").map(|()| Some(Value::Bool(true))),
            b'f' => self.literal(b"false").map(|()| Some(Value::Bool(false))),
            b'-' | b'0'..=b'9' => {
                let n = self.number_span()?;
                if n.integer && !n.negative && n.digits <= 19 {
                    return Ok(Some(Value::from(n.mantissa)));
                }
                serde_json::from_slice(&self.b[n.start..n.end])
                    .map(Some)
                    .map_err(|_| QuickStop::Bail)
            }
            _ => {
                let start = self.i;
                self.skip(0)?;
                serde_json::from_slice(&self.b[start..self.i])
                    .map(Some)
                    .map_err(|_| QuickStop::Bail)
            }
        }
    }

    /// A `type` member's value.
    fn kind(&mut self) -> QuickParse<Kind> {
        let (start, end, escaped) = self.string_span()?;
        let raw = &self.b[start..end];
        if let Some(k) = KINDS.iter().find(|k| k.as_bytes() == raw) {
            return Ok(Cow::Borrowed(k));
        }
        let s = if escaped {
            unescape(raw)?
        } else {
            std::str::from_utf8(raw)
                .map_err(|_| QuickStop::Bail)?
                .to_owned()
        };
        Ok(kind_of(s))
    }

    /// A Feature into `out` (reset by the caller).
    fn feature(&mut self, wanted: &[&str], out: &mut RawFeature) -> QuickParse<()> {
        self.eat(b'{')?;
        // Members seen: type, id, geometry, properties (a repeated one is left to serde_json).
        let mut seen = [false; 4];
        let mut see = |k: usize| -> QuickParse<()> {
            if std::mem::replace(&mut seen[k], true) {
                Err(QuickStop::Bail)
            } else {
                Ok(())
            }
        };
        let mut has_geometry = false;
        if self.first_member()? {
            loop {
                match self.key()? {
                    b"type" => {
                        see(0)?;
                        out.kind = Some(self.kind()?);
                    }
                    b"id" => {
                        see(1)?;
                        out.id = Some(self.value()?.unwrap_or(Value::Null));
                    }
                    b"geometry" => {
                        see(2)?;
                        has_geometry = self.geometry(&mut out.geometry)?;
                    }
                    b"properties" => {
                        see(3)?;
                        self.properties(wanted, &mut out.props)?;
                    }
                    // Rare (GeoJSON 2008): checked on the serde_json path.
                    b"crs" => return Err(QuickStop::Bail),
                    _ => self.skip(1)?,
                }
                if !self.more_members()? {
                    break;
                }
            }
        }
        if !has_geometry {
            out.geometry = None;
        }
        Ok(())
    }

    fn properties(&mut self, wanted: &[&str], out: &mut [Option<Value>]) -> QuickParse<()> {
        match self.peek()? {
            b'n' => return self.literal(b"null"),
            b'{' => self.i += 1,
            _ => return Err(QuickStop::Bail),
        }
        let mut seen = 0u64;
        if wanted.len() > 64 {
            return Err(QuickStop::Bail);
        }
        if self.first_member()? {
            loop {
                let key = self.key()?;
                match wanted.iter().position(|w| w.as_bytes() == key) {
                    Some(k) => {
                        if seen & (1 << k) != 0 {
                            return Err(QuickStop::Bail);
                        }
                        seen |= 1 << k;
                        out[k] = self.value()?;
                    }
                    None => self.skip(2)?,
                }
                if !self.more_members()? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// A geometry into `slot` (emptied beforehand, its memory reused); `false` for `null`.
    fn geometry(&mut self, slot: &mut Option<RawGeometry>) -> QuickParse<bool> {
        match self.peek()? {
            b'n' => return self.literal(b"null").map(|()| false),
            b'{' => self.i += 1,
            _ => return Err(QuickStop::Bail),
        }
        let g = slot.get_or_insert_with(RawGeometry::default);
        let (mut seen_type, mut seen_coordinates) = (false, false);
        if self.first_member()? {
            loop {
                match self.key()? {
                    b"type" => {
                        if std::mem::replace(&mut seen_type, true) {
                            return Err(QuickStop::Bail);
                        }
                        g.kind = Some(self.kind()?);
                    }
                    b"coordinates" => {
                        if std::mem::replace(&mut seen_coordinates, true) {
                            return Err(QuickStop::Bail);
                        }
                        g.has_coordinates = true;
                        if self.peek()? != b'[' {
                            return Err(QuickStop::Bail);
                        }
                        g.coords.depth = self.nest(&mut g.coords, 0)?;
                    }
                    _ => self.skip(2)?,
                }
                if !self.more_members()? {
                    break;
                }
            }
        }
        Ok(true)
    }

    /// A nested coordinate array into `flat`, as [`NestSeed`] reads it; yields its depth (`None`
    /// for `[]`). Whatever `NestSeed` rejects, this bails on.
    fn nest(&mut self, flat: &mut FlatCoords, level: u32) -> QuickParse<Option<u8>> {
        if level >= MAX_DEPTH {
            return Err(QuickStop::Bail);
        }
        self.eat(b'[')?;
        let mut numbers = [0.0f64; 2];
        let mut n_numbers = 0usize;
        let mut child_depth: Option<u8> = None;
        let mut saw_array = false;
        if self.next_ws()? == b']' {
            self.i += 1;
            return Ok(None);
        }
        loop {
            match self.peek()? {
                b'[' => {
                    if n_numbers > 0 {
                        return Err(QuickStop::Bail);
                    }
                    saw_array = true;
                    if let Some(d) = self.nest(flat, level + 1)? {
                        match child_depth {
                            None => child_depth = Some(d),
                            Some(c) if c != d => return Err(QuickStop::Bail),
                            _ => {}
                        }
                        match d {
                            0 => {}
                            1 => flat.ends[1].push(flat.points.len()),
                            2 => flat.ends[2].push(flat.ends[1].len()),
                            _ => return Err(QuickStop::Bail),
                        }
                    }
                }
                b'-' | b'0'..=b'9' => {
                    if saw_array {
                        return Err(QuickStop::Bail);
                    }
                    let x = self.number()?;
                    if n_numbers < 2 {
                        numbers[n_numbers] = x;
                    }
                    n_numbers += 1;
                }
                _ => return Err(QuickStop::Bail),
            }
            match self.next_ws()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b']' => {
                    self.i += 1;
                    break;
                }
                _ => return Err(QuickStop::Bail),
            }
        }
        if n_numbers > 0 {
            if n_numbers < 2 {
                return Err(QuickStop::Bail);
            }
            flat.points.push(numbers);
            return Ok(Some(0));
        }
        Ok(child_depth.map(|d| d + 1))
    }
}

/// A scanned number.
struct NumberSpan {
    start: usize,
    end: usize,
    /// The decimal digits without the point and leading zeros (wrapped if more than 19).
    mantissa: u64,
    /// How many digits `mantissa` took.
    digits: u32,
    /// The value is `mantissa × 10^exp10`.
    exp10: i64,
    negative: bool,
    /// Whether the text has neither fraction nor exponent.
    integer: bool,
}

/// The index just past the escape sequence at `b[j] == '\\'`; bails on an invalid escape and on
/// a surrogate (left to `serde_json`).
#[inline]
fn escape_end(b: &[u8], j: usize) -> QuickParse<usize> {
    match *b.get(j + 1).ok_or(QuickStop::Incomplete)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(j + 2),
        b'u' => {
            let hex = b.get(j + 2..j + 6).ok_or(QuickStop::Incomplete)?;
            let code = hex_value(hex)?;
            if (0xd800..0xe000).contains(&code) {
                return Err(QuickStop::Bail);
            }
            Ok(j + 6)
        }
        _ => Err(QuickStop::Bail),
    }
}

fn hex_value(hex: &[u8]) -> QuickParse<u32> {
    let mut v = 0u32;
    for &h in hex {
        let d = (h as char).to_digit(16).ok_or(QuickStop::Bail)?;
        v = v * 16 + d;
    }
    Ok(v)
}

/// Decodes a string's contents (checked by [`Cursor::string_span`]: valid escapes, no
/// surrogates, UTF-8).
/// Whether the contents of a string (escapes checked) hold a `\uD800`–`\uDFFF` escape.
fn has_surrogate_escape(raw: &[u8]) -> bool {
    let mut j = 0;
    while j < raw.len() {
        if raw[j] != b'\\' {
            j += 1;
            continue;
        }
        if raw.get(j + 1) == Some(&b'u') {
            let code = raw.get(j + 2..j + 6).map(hex_value);
            if matches!(code, Some(Ok(0xD800..=0xDFFF))) {
                return true;
            }
            j += 6;
        } else {
            j += 2;
        }
    }
    false
}

fn unescape(raw: &[u8]) -> QuickParse<String> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    let mut j = 0;
    while j < raw.len() {
        let c = raw[j];
        if c != b'\\' {
            out.push(c);
            j += 1;
            continue;
        }
        let e = raw.get(j + 1).copied().ok_or(QuickStop::Bail)?;
        j += 2;
        let ch = match e {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let code = hex_value(raw.get(j..j + 4).ok_or(QuickStop::Bail)?)?;
                j += 4;
                char::from_u32(code).ok_or(QuickStop::Bail)?
            }
            _ => return Err(QuickStop::Bail),
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    String::from_utf8(out).map_err(|_| QuickStop::Bail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_polygon_and_properties() {
        let text = br#"{"type":"Feature","id":7,"properties":{"population":12,"x":{"y":[1]},"name":null},
            "geometry":{"coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.2],[0.3,0.2],[0.2,0.3],[0.2,0.2]]],"type":"Polygon"}}"#;
        let f = parse_feature(text, &["population", "name"]).unwrap();
        assert_eq!(f.id, Some(Value::from(7)));
        assert_eq!(f.props, vec![Some(Value::from(12)), None]);
        let g = f.geometry.unwrap();
        assert_eq!(g.kind.as_deref(), Some("Polygon"));
        assert_eq!(g.coords.depth, Some(2));
        assert_eq!(g.coords.points.len(), 8);
        assert_eq!(g.coords.ends[1], vec![4, 8]);
    }

    #[test]
    fn parses_multipolygon_levels() {
        let text = br#"{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[[5.1,5.1],[5.2,5.1],[5.1,5.2],[5.1,5.1]]]]},"properties":{}}"#;
        let g = parse_feature(text, &[]).unwrap().geometry.unwrap();
        assert_eq!(g.coords.depth, Some(3));
        assert_eq!(g.coords.ends[1], vec![4, 8, 12]);
        assert_eq!(g.coords.ends[2], vec![1, 3]);
    }

    #[test]
    fn rejects_uneven_nesting() {
        let text = br#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0]],[2,3]]}}"#;
        assert!(parse_feature(text, &[]).is_err());
        let text = br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}"#;
        assert!(parse_feature(text, &[]).is_err());
    }

    /// What the fast parser gives, checked against `serde_json`: when it gives a feature, the
    /// same feature bit for bit; when it gives up, fine (the caller uses `serde_json`).
    /// (The fast parser stops at the feature's closing brace; what follows is the caller's.)
    fn check_same(text: &[u8], wanted: &[&str]) -> Option<RawFeature> {
        match quick_feature(text, 0, wanted) {
            Ok((fast, end)) => {
                let reference = match parse_feature(&text[..end], wanted) {
                    Ok(r) => r,
                    Err(e) => panic!(
                        "fast parser accepted what serde_json rejects ({e}): {}",
                        String::from_utf8_lossy(text)
                    ),
                };
                assert_eq!(fast, reference, "{}", String::from_utf8_lossy(text));
                let bits = |f: &RawFeature| -> Vec<u64> {
                    f.geometry
                        .iter()
                        .flat_map(|g| {
                            g.coords
                                .points
                                .iter()
                                .flat_map(|p| [p[0].to_bits(), p[1].to_bits()])
                        })
                        .collect()
                };
                assert_eq!(bits(&fast), bits(&reference));
                Some(fast)
            }
            Err(_) => None,
        }
    }

    #[test]
    fn fast_parser_reads_common_features() {
        let wanted = ["id", "population", "district"];
        let texts: &[&[u8]] = &[
            r#"{"type":"Feature","properties":{"id":"B1","population":26,"district":"金山卫镇","committee":"x-1"},"geometry":{"type":"Polygon","coordinates":[[[121.2751995,30.7164351],[121.2753580,30.7163994],[121.2751995,30.7164351]]]}}"#.as_bytes(),
            br#"{ "geometry" : { "coordinates" : [ 1.5e1 , -2E-3 , 7 ] , "type" : "Point" } , "type" : "Feature" , "id" : 12 , "properties" : null }"#,
            br#"{"type":"Feature","properties":{"id":null,"population":1.25,"district":"a\"b\\c\u00e9\n","nested":{"a":[1,{"b":null}],"c":true}},"geometry":null,"bbox":[0,0,1,1]}"#,
            br#"{"type":"Feature","properties":{"population":-0,"district":{"name":"x"},"id":[1,2]},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[[5.1,5.1],[5.2,5.1],[5.1,5.2],[5.1,5.1]]]]}}"#,
            br#"{"type":"Feature","properties":{"population":12345678901234567890123,"district":false},"geometry":{"type":"MultiPoint","coordinates":[[0.1,0.2],[0.30000000000000004,1e-7],[123456789012345678901234,9007199254740993]]}}"#,
            br#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[],[[1,2],[3,4]],[]]}}"#,
        ];
        for text in texts {
            assert!(
                check_same(text, &wanted).is_some(),
                "fell back on {}",
                String::from_utf8_lossy(text)
            );
            assert_eq!(
                quick_feature(text, 0, &wanted).map(|(_, end)| end),
                Ok(text.len())
            );
        }
    }

    #[test]
    fn fast_parser_gives_up_on_invalid_or_unusual_text() {
        let texts: &[&[u8]] = &[
            br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},}"#,
            br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]} "x":1}"#,
            br#"{"type":"Feature","properties":{"a":tru},"geometry":null}"#,
            br#"{"type":"Feature","properties":{"a":01},"geometry":null}"#,
            br#"{"type":"Feature","properties":{"a":"\x"},"geometry":null}"#,
            br#"{"type":"Feature","properties":{"a":"tab	in string"},"geometry":null}"#,
            br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1e999,2]}}"#,
            br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,"2"]}}"#,
            br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}"#,
            br#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0]],[2,3]]}}"#,
            br#"{"type":"Feature","type":"Feature","geometry":null}"#,
            br#"{"typ\u0065":"Feature","geometry":null}"#,
            br#"{"type":"Feature","properties":{"a":"\ud800"},"geometry":null}"#,
            b"{\"type\":\"Feature\",\"properties\":{\"a\":\"\xff\"},\"geometry\":null}",
        ];
        for text in texts {
            assert!(
                check_same(text, &["a"]).is_none(),
                "accepted {}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn fast_parser_tells_a_cut_feature() {
        let text = br#"{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1.25,2.5]}}"#;
        for cut in 0..text.len() {
            assert_eq!(
                quick_feature(&text[..cut], 0, &["id"]).map(|_| ()),
                Err(QuickStop::Incomplete),
                "cut at {cut}"
            );
        }
        assert!(quick_feature(text, 0, &["id"]).is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A JSON number as text: integers, decimals, exponents, long mantissas.
        fn number() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<i64>().prop_map(|v| v.to_string()),
                any::<f64>()
                    .prop_filter("finite", |v| v.is_finite())
                    .prop_map(|v| format!("{v:?}")),
                (-180.0f64..180.0).prop_map(|v| format!("{v:.7}")),
                (1u64..u64::MAX, -30i32..30).prop_map(|(m, e)| format!("{m}e{e}")),
                (0u64..10_000_000, 0usize..25).prop_map(|(m, z)| format!("0.{}{m}", "0".repeat(z))),
                "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?",
            ]
        }

        /// A JSON string literal, with escapes and non-ASCII text.
        fn string() -> impl Strategy<Value = String> {
            prop_oneof![
                "[a-zA-Z0-9 _-]{0,12}".prop_map(|s| format!("\"{s}\"")),
                any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
                "(\\\\[\"\\\\/bfnrt]|\\\\u00[0-7][0-9a-f]|\\\\u4e2d|[金山x])*"
                    .prop_map(|s| format!("\"{s}\"")),
            ]
        }

        /// Any JSON value, nested a little.
        fn value() -> impl Strategy<Value = String> {
            let leaf = prop_oneof![
                number(),
                string(),
                Just("true".to_owned()),
                Just("false".to_owned()),
                Just("null".to_owned())
            ];
            leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4)
                        .prop_map(|v| format!("[{}]", v.join(","))),
                    prop::collection::vec(("[a-z]{1,3}", inner), 0..4).prop_map(|v| {
                        format!(
                            "{{{}}}",
                            v.iter()
                                .map(|(k, v)| format!("\"{k}\":{v}"))
                                .collect::<Vec<_>>()
                                .join(",")
                        )
                    }),
                ]
            })
        }

        fn position() -> BoxedStrategy<String> {
            prop::collection::vec(number(), 2..4)
                .prop_map(|v| format!("[{}]", v.join(",")))
                .boxed()
        }

        fn coordinates() -> impl Strategy<Value = (&'static str, String)> {
            let ring = prop::collection::vec(position(), 1..6)
                .prop_map(|v| format!("[{}]", v.join(",")))
                .boxed();
            let poly = prop::collection::vec(ring.clone(), 1..3)
                .prop_map(|v| format!("[{}]", v.join(",")))
                .boxed();
            prop_oneof![
                position().prop_map(|p| ("Point", p)),
                ring.clone().prop_map(|r| ("MultiPoint", r)),
                poly.clone().prop_map(|p| ("Polygon", p)),
                prop::collection::vec(poly, 1..3)
                    .prop_map(|v| ("MultiPolygon", format!("[{}]", v.join(",")))),
            ]
        }

        /// Whitespace JSON allows between tokens.
        fn ws() -> impl Strategy<Value = String> {
            prop_oneof![Just(String::new()), Just(String::new()), "[ \n\r\t]{1,3}"]
        }

        prop_compose! {
            fn feature()(
                (kind, coords) in coordinates(),
                id in prop::option::of(prop_oneof![string(), number(), value()]),
                props in prop::collection::vec((prop_oneof![Just("id".to_owned()), Just("population".to_owned()), Just("group".to_owned()), "[a-z]{1,4}"], value()), 0..5),
                extra in prop::collection::vec(("[a-z]{1,5}", value()), 0..2),
                order in Just([0usize, 1, 2, 3, 4]).prop_shuffle(),
                w in ws(),
                null_geometry in prop::bool::weighted(0.1),
                null_props in prop::bool::weighted(0.1),
            ) -> String {
                let geometry = if null_geometry { "null".to_owned() } else { format!("{{\"type\":{w}\"{kind}\",\"coordinates\":{w}{coords}{w}}}") };
                let properties = if null_props { "null".to_owned() } else {
                    format!("{{{}}}", props.iter().map(|(k, v)| format!("{w}\"{k}\"{w}:{w}{v}")).collect::<Vec<_>>().join(","))
                };
                let mut members = [
                    Some("\"type\":\"Feature\"".to_owned()),
                    id.map(|id| format!("\"id\":{id}")),
                    Some(format!("\"geometry\":{geometry}")),
                    Some(format!("\"properties\":{w}{properties}")),
                    (!extra.is_empty()).then(|| extra.iter().map(|(k, v)| format!("\"x{k}\":{v}")).collect::<Vec<_>>().join(",")),
                ];
                let parts: Vec<String> = order.iter().filter_map(|&k| members[k].take()).collect();
                format!("{{{w}{}{w}}}", parts.join(&format!("{w},{w}")))
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(600))]

            #[test]
            fn fast_and_serde_agree(text in feature()) {
                check_same(text.as_bytes(), &["id", "population", "group"]);
            }

            #[test]
            fn fast_parser_reads_what_it_should(text in feature()) {
                // Plain features (no duplicate members can arise) are read by the fast path
                // unless they use a surrogate escape or an exotic member name.
                let got = check_same(text.as_bytes(), &["id", "population", "group"]);
                let plain = !text.contains("\\ud") && !text.contains("\\uD") && parse_feature(text.as_bytes(), &["id", "population", "group"]).is_ok();
                let duplicates = {
                    let v: serde_json::Result<serde_json::Value> = serde_json::from_str(&text);
                    v.is_err()
                };
                if plain && !duplicates && !text.contains("\"id\":{") && !text.contains("\"population\":{") && !text.contains("\"group\":{") {
                    let props_dup = ["\"id\"", "\"population\"", "\"group\""].iter().any(|k| text.matches(k).count() > 1);
                    prop_assume!(!props_dup);
                    prop_assert!(got.is_some(), "fell back on {}", text);
                }
            }

            #[test]
            fn broken_text_is_never_accepted_wrongly(text in feature(), at in any::<prop::sample::Index>(), byte in prop_oneof![Just(b'"'), Just(b','), Just(b'}'), Just(b']'), Just(b'\\'), Just(b'x'), Just(b'0'), Just(0u8), Just(b'-'), Just(b'e')]) {
                let mut bytes = text.into_bytes();
                let i = at.index(bytes.len());
                bytes[i] = byte;
                check_same(&bytes, &["id", "population", "group"]);
                bytes.remove(i);
                check_same(&bytes, &["id", "population", "group"]);
            }
        }
    }
}
