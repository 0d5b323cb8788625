//! A feature's properties: its id, values as text, the names asked for.

use std::path::Path;

use serde_json::Value;

use super::feature::RawFeature;
use super::scan;
use crate::error::{Error, Location, Result};

/// A feature's id as given: `properties.id`, else its `id` member; `None` without one (the
/// caller names the feature by its index).
pub(super) fn feature_id(raw: &RawFeature, _index: usize) -> Option<String> {
    id_value(raw).map(value_text)
}

/// The id value given, if any (`null` is none).
fn id_value(raw: &RawFeature) -> Option<&Value> {
    match raw.props.first() {
        Some(Some(v)) if !v.is_null() => Some(v),
        _ => raw.id.as_ref().filter(|v| !v.is_null()),
    }
}

/// A feature's id like [`feature_id`], taken out of the parsed feature.
pub(super) fn take_id(raw: &mut RawFeature, _index: usize) -> Option<String> {
    raw.props
        .first_mut()
        .and_then(Option::take)
        .filter(|v| !v.is_null())
        .or_else(|| raw.id.take())
        .filter(|v| !v.is_null())
        .map(|v| take_text(Some(v)).unwrap_or_default())
}

/// A station's or block's id like [`take_id`], checked: RFC 7946 §3.2 makes an id a string or
/// a number; an object, array or boolean is an error (its text would be an id no one wrote).
pub(super) fn take_checked_id(
    path: &Path,
    raw: &mut RawFeature,
    index: usize,
) -> Result<Option<String>> {
    if let Some(v) = id_value(raw) {
        if !(v.is_string() || v.is_number()) {
            return Err(Error::Unusable {
                location: Location::file(path),
                message: format!(
                    "feature {index} has the id {v}, {}; an id must be a string or a number",
                    value_kind(v)
                ),
            });
        }
    }
    Ok(take_id(raw, index))
}

/// "an object", "an array", … for messages.
pub(super) fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Null => "null",
    }
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
