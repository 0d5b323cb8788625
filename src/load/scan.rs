//! A structural scanner that splits a GeoJSON file into one byte range per feature without
//! building a document tree, so that features can then be parsed in parallel.
//!
//! It understands just enough JSON to find where values start and end (strings with escapes,
//! nested brackets); each feature's own text is then parsed strictly by `serde_json`, and so is
//! every other member of a FeatureCollection. When the scanner meets something it does not
//! expect, the caller re-parses the whole file with `serde_json` to get its exact error and
//! position.

use std::ops::Range;

/// How the features of a file are laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Byte ranges of the features, in file order.
    pub features: Vec<Range<usize>>,
    /// Byte ranges of the FeatureCollection's other members, `(key, value)`; empty for a
    /// sequence of features.
    pub members: Vec<(String, Range<usize>)>,
    /// Whether the file is one FeatureCollection (else a sequence of Features).
    pub collection: bool,
}

/// A structural problem, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub offset: usize,
    pub message: String,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ScanError> {
    Err(ScanError {
        offset,
        message: message.into(),
    })
}

/// Record separator of RFC 8142 GeoJSON text sequences.
const RS: u8 = 0x1e;

#[inline]
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t' | RS) {
        i += 1;
    }
    i
}

/// Skips a string starting at `b[i] == '"'`; returns the index after the closing quote.
#[inline]
fn skip_string(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'"' => return Ok(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
    err(i, "unterminated string")
}

/// Skips one JSON value starting at `b[i]` (not whitespace); returns the index after it.
pub(crate) fn skip_value(b: &[u8], i: usize) -> Result<usize, ScanError> {
    match b.get(i) {
        None => err(i, "unexpected end of file"),
        Some(b'"') => skip_string(b, i),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            err(i, "unterminated object or array")
        }
        Some(_) => {
            let mut j = i;
            while j < b.len()
                && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | RS)
            {
                j += 1;
            }
            if j == i {
                err(i, "expected a value")
            } else {
                Ok(j)
            }
        }
    }
}

/// Splits `bytes` into features: either one FeatureCollection, or a sequence of Feature objects
/// (one per line, or RFC 8142 text sequences).
pub(crate) fn layout(bytes: &[u8]) -> Result<Layout, ScanError> {
    let mut start = 0;
    if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        start = 3;
    }
    let first = skip_ws(bytes, start);
    if first >= bytes.len() {
        return Ok(Layout {
            features: Vec::new(),
            members: Vec::new(),
            collection: false,
        });
    }
    if bytes[first] != b'{' {
        return err(first, "expected a GeoJSON object");
    }
    let first_end = skip_value(bytes, first)?;
    let after = skip_ws(bytes, first_end);
    if after < bytes.len() {
        return sequence(bytes, first);
    }
    // One object: a FeatureCollection, or a lone Feature.
    let members = object_members(bytes, first)?;
    let is_collection = members
        .iter()
        .any(|(k, r)| k == "type" && &bytes[r.clone()] == b"\"FeatureCollection\"".as_slice());
    if !is_collection {
        return Ok(Layout {
            features: std::iter::once(first..first_end).collect(),
            members: Vec::new(),
            collection: false,
        });
    }
    let mut features = Vec::new();
    let mut others = Vec::new();
    for (key, range) in members {
        if key == "features" {
            features = array_elements(bytes, range.start)?;
        } else {
            others.push((key, range));
        }
    }
    Ok(Layout {
        features,
        members: others,
        collection: true,
    })
}

fn sequence(bytes: &[u8], mut i: usize) -> Result<Layout, ScanError> {
    let mut features = Vec::new();
    while i < bytes.len() {
        if bytes[i] != b'{' {
            return err(i, "expected a Feature object at the start of a line");
        }
        let end = skip_value(bytes, i)?;
        features.push(i..end);
        i = skip_ws(bytes, end);
    }
    Ok(Layout {
        features,
        members: Vec::new(),
        collection: false,
    })
}

/// The members `(key, value range)` of the object starting at `b[i] == '{'`. Keys are taken as
/// written (GeoJSON's member names carry no escapes).
pub(crate) fn object_members(b: &[u8], i: usize) -> Result<Vec<(String, Range<usize>)>, ScanError> {
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b'}') {
        return Ok(out);
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return err(j, "expected a member name");
        }
        let key_end = skip_string(b, j)?;
        let key = String::from_utf8_lossy(&b[j + 1..key_end - 1]).into_owned();
        j = skip_ws(b, key_end);
        if b.get(j) != Some(&b':') {
            return err(j, "expected ':'");
        }
        j = skip_ws(b, j + 1);
        let value_end = skip_value(b, j)?;
        out.push((key, j..value_end));
        j = skip_ws(b, value_end);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b'}') => return Ok(out),
            _ => return err(j, "expected ',' or '}'"),
        }
    }
}

/// The element ranges of the array starting at `b[i] == '['`.
fn array_elements(b: &[u8], i: usize) -> Result<Vec<Range<usize>>, ScanError> {
    if b.get(i) != Some(&b'[') {
        return err(i, "\"features\" must be an array");
    }
    let mut out = Vec::new();
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return Ok(out);
    }
    loop {
        let end = skip_value(b, j)?;
        out.push(j..end);
        j = skip_ws(b, end);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b']') => return Ok(out),
            _ => return err(j, "expected ',' or ']' between features"),
        }
    }
}

/// 1-based line and column of byte `offset`.
pub(crate) fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Byte offset within `bytes` of a 1-based `line`/`column` as reported by `serde_json`.
pub(crate) fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match bytes[start..].iter().position(|&c| c == b'\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes[start..]);
    let chars: usize = text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    (start + chars).min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_collection() {
        let text = br#"{"type":"FeatureCollection","bbox":[0,0,1,1],"features":[{"a":"}"},{"b":[1,{"c":"\""}]} ]}"#;
        let l = layout(text).unwrap();
        assert!(l.collection);
        assert_eq!(l.features.len(), 2);
        assert_eq!(&text[l.features[0].clone()], br#"{"a":"}"}"#);
        assert_eq!(&text[l.features[1].clone()], br#"{"b":[1,{"c":"\""}]}"#);
        assert_eq!(l.members.len(), 2);
    }

    #[test]
    fn splits_lines_and_text_sequences() {
        let text = b"{\"type\":\"Feature\"}\n{\"type\":\"Feature\"}\n\x1e{\"x\":1}\n";
        let l = layout(text).unwrap();
        assert!(!l.collection);
        assert_eq!(l.features.len(), 3);
    }

    #[test]
    fn reports_positions() {
        let text = "ab\ncdé\nf".as_bytes();
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        let off = offset_of(text, 3, 1);
        assert_eq!(text[off], b'f');
        assert!(
            layout(b"{\"type\":\"FeatureCollection\",\"features\":[{\"a\":1} {\"b\":2}]}").is_err()
        );
    }
}
