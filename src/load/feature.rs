//! Parsing one Feature's text into just what walkshed needs: its geometry as flat coordinate
//! arrays, its `id` member, and a few named properties. Everything else is skipped without being
//! stored.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::Value;

/// Coordinates of one geometry, flattened: all positions in one array, with the ends of the
/// nested levels.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Flat {
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
    pub kind: Option<String>,
    pub coords: Flat,
    pub has_coordinates: bool,
}

/// A parsed Feature.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct RawFeature {
    pub kind: Option<String>,
    /// The Feature's own `id` member.
    pub id: Option<Value>,
    /// `None` when the geometry is `null` or missing.
    pub geometry: Option<RawGeometry>,
    /// The wanted properties, in the order of the names asked for; `None` when absent.
    pub props: Vec<Option<Value>>,
}

/// Parses one feature's JSON text, keeping the properties named in `wanted`.
pub(crate) fn parse_feature(text: &[u8], wanted: &[&str]) -> Result<RawFeature, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let f = FeatureSeed { wanted }.deserialize(&mut de)?;
    de.end()?;
    Ok(f)
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
        while let Some(key) = map.next_key::<Key>()? {
            match key.0.as_ref() {
                "type" => out.kind = Some(map.next_value::<String>()?),
                "id" => out.id = Some(map.next_value::<Value>()?),
                "geometry" => out.geometry = map.next_value_seed(GeometrySeed)?,
                "properties" => {
                    map.next_value_seed(PropsSeed {
                        wanted: self.wanted,
                        out: &mut out.props,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
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
        while let Some(key) = map.next_key::<Key>()? {
            match self.wanted.iter().position(|w| *w == key.0) {
                Some(i) => {
                    let v = map.next_value::<Value>()?;
                    self.out[i] = if v.is_null() { None } else { Some(v) };
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
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
        while let Some(key) = map.next_key::<Key>()? {
            match key.0.as_ref() {
                "type" => g.kind = Some(map.next_value::<String>()?),
                "coordinates" => {
                    g.has_coordinates = true;
                    let depth = map.next_value_seed(NestSeed {
                        flat: &mut g.coords,
                    })?;
                    g.coords.depth = depth;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Some(g))
    }
}

/// Parses a nested coordinate array into [`Flat`]; yields the depth (`None` for `[]`).
struct NestSeed<'a> {
    flat: &'a mut Flat,
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
    flat: &'a mut Flat,
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
}
