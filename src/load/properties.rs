//! A feature's properties: its id, values as text, the names asked for.

use serde_json::Value;

use super::feature::RawFeature;
use super::scan;

/// A feature's id: `properties.id` (the first wanted property), else its `id` member, else its
/// index.
pub(super) fn feature_id(raw: &RawFeature, index: usize) -> Option<String> {
    raw.props
        .first()
        .cloned()
        .flatten()
        .or_else(|| raw.id.clone())
        .filter(|v| !v.is_null())
        .map(|v| value_text(&v))
        .or_else(|| Some(index.to_string()))
}

/// A feature's id like [`feature_id`], taken out of the parsed feature.
pub(super) fn take_id(raw: &mut RawFeature, index: usize) -> Option<String> {
    raw.props
        .first_mut()
        .and_then(Option::take)
        .or_else(|| raw.id.take())
        .filter(|v| !v.is_null())
        .map(|v| take_text(Some(v)).unwrap_or_default())
        .or_else(|| Some(index.to_string()))
}

/// A property value as text, taken: strings as they are, anything else as JSON.
pub(super) fn take_text(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// A property value as text: strings as they are, anything else as JSON.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Index of `name` in `wanted`, adding it if missing.
pub(super) fn wanted_index<'a>(wanted: &mut Vec<&'a str>, name: &'a str) -> usize {
    match wanted.iter().position(|w| *w == name) {
        Some(k) => k,
        None => {
            wanted.push(name);
            wanted.len() - 1
        }
    }
}

pub(super) fn text_prop(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(value_text)
}

/// The range of the `properties` value of the JSON object `text` (see [`scan::find_member`]):
/// `Some(None)` without one, `None` when the quick scan cannot tell.
pub(crate) fn properties_member(text: &[u8]) -> Option<Option<std::ops::Range<usize>>> {
    let start = text.iter().position(|c| !c.is_ascii_whitespace())?;
    if text[start] != b'{' {
        return None;
    }
    scan::find_member(text, start, b"\"properties\"")
}
