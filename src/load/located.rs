//! Errors located in the file: a streaming failure worded exactly, with its line, column, feature
//! index and id, by `serde_json`'s account of the text.

use std::path::Path;

use super::feature;
use super::scan::{self, Fault, Halt};
use crate::error::{Error, Location};

/// The error for a streaming failure. A problem in the file is worded on this error path,
/// which reads the whole file again: `serde_json`'s own account of the file (for a
/// FeatureCollection) or of the feature, which is exact, with its line and column.
pub(super) fn failure(path: &Path, wanted: &[&str], f: Halt) -> Error {
    let problem = match f {
        Halt::Error(e) => return e,
        Halt::Fault(Fault::Io(source)) => {
            return Error::Read {
                path: path.to_path_buf(),
                source,
            }
        }
        Halt::Fault(p) => p,
    };
    if !is_regular_file(path) {
        return unread_problem(path, &problem);
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(source) => {
            return Error::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let bom = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
        3
    } else {
        0
    };
    let (offset, collection) = match &problem {
        Fault::Element {
            offset, collection, ..
        }
        | Fault::At {
            offset, collection, ..
        } => (*offset, *collection),
        Fault::Io(_) => (0, false),
    };
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let element = match problem {
        Fault::Element { index, .. } => Some(index),
        _ => None,
    };
    if collection {
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes[bom..]) {
            let error = json_error(path, &bytes, bom, &e);
            // A syntax error inside the feature the scan stopped at: name that feature too.
            let at = bom + scan::offset_of(&bytes[bom..], e.line().max(1), e.column());
            return match element {
                Some(index) if at >= offset => {
                    with_feature(error, index, loose_id(&bytes[offset..], at - offset))
                }
                _ => error,
            };
        }
    }
    if let Some(index) = element {
        if let Err(e) = feature::parse_feature_prefix(&bytes[offset..], wanted) {
            let at = offset + scan::offset_of(&bytes[offset..], e.line().max(1), e.column());
            return with_feature(
                json_error(path, &bytes, offset, &e),
                index,
                loose_id(&bytes[offset..], at - offset),
            );
        }
    }
    let expected = match problem {
        Fault::At { expected, .. } => expected,
        _ => "a valid GeoJSON Feature",
    };
    let found = match bytes.get(offset) {
        None => "the end of the file".to_owned(),
        Some(_) => {
            let text = String::from_utf8_lossy(&bytes[offset..(offset + 16).min(bytes.len())])
                .into_owned();
            format!("{:?}", text.chars().take(8).collect::<String>())
        }
    };
    Error::Json {
        location: Location {
            line_column: Some(scan::line_column(&bytes, offset)),
            ..Location::file(path)
        },
        message: format!("expected {expected}, found {found}"),
    }
}

/// Whether `path` is a regular file, which can be read again to word an error; a pipe cannot
/// (its bytes are gone), and a device may never end (`/dev/zero`).
fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The error for a problem in a pipe or device, which is not read again: what was expected and
/// at which byte.
fn unread_problem(path: &Path, problem: &Fault) -> Error {
    let (offset, expected) = match problem {
        Fault::At {
            offset, expected, ..
        } => (*offset, *expected),
        Fault::Element { offset, .. } => (*offset, "a valid GeoJSON Feature"),
        Fault::Io(_) => (0, "readable data"),
    };
    // The feature's id is not known here: the feature is named by its index in the message.
    let feature = match problem {
        Fault::Element { index, .. } => format!(" (feature {index})"),
        _ => String::new(),
    };
    Error::Json {
        location: Location::file(path),
        message: format!("expected {expected}{feature} at byte {offset} (not a regular file, so not read again to say more)"),
    }
}

/// A `serde_json` error in a small piece of the file (a member's value) at file offset `at`.
pub(super) fn located_json_error(path: &Path, at: u64, e: &serde_json::Error) -> Error {
    let line_column = is_regular_file(path)
        .then(|| std::fs::read(path).ok())
        .flatten()
        .map(|bytes| scan::line_column(&bytes, usize::try_from(at).unwrap_or(usize::MAX)));
    Error::Json {
        location: Location {
            line_column,
            ..Location::file(path)
        },
        message: strip_position(e),
    }
}

pub(super) fn with_feature(e: Error, index: usize, id: Option<String>) -> Error {
    match e {
        Error::Json {
            mut location,
            message,
        } => {
            location.feature = Some(index);
            location.id = id;
            Error::Json { location, message }
        }
        other => other,
    }
}

/// The id of a feature whose text is broken at `text[limit]`, read leniently: the first `"id"`
/// member that starts before the break, with a string or number value (`properties.id` or the
/// Feature's own). The value is read whole even when the break is inside it (`123e400`, out of
/// range, is named `123e400`, not cut at the break).
pub(super) fn loose_id(text: &[u8], limit: usize) -> Option<String> {
    // A value runs on at most a little past the break (a number, or a string cut by it).
    let text = &text[..text.len().min(limit.saturating_add(256))];
    let text = String::from_utf8_lossy(text);
    let mut rest = text.as_ref();
    let mut start = 0;
    while let Some(p) = rest.find("\"id\"") {
        if start + p >= limit {
            return None;
        }
        start += p + 4;
        rest = &rest[p + 4..];
        let Some(value) = rest.trim_start().strip_prefix(':') else {
            continue;
        };
        let value = value.trim_start();
        if let Some(s) = value.strip_prefix('"') {
            if let Some(end) = s.find('"') {
                return Some(s[..end].to_owned());
            }
        } else {
            let n: String = value
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+'))
                .collect();
            if !n.is_empty() {
                return Some(n);
            }
        }
    }
    None
}

/// A `serde_json` error's message without the " at line L column C" it appends.
pub(super) fn strip_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(p) => message[..p].to_owned(),
        None => message,
    }
}

/// A `serde_json` error within the text starting at `base`, located in the whole file.
pub(super) fn json_error(path: &Path, bytes: &[u8], base: usize, e: &serde_json::Error) -> Error {
    let offset = base + scan::offset_of(&bytes[base..], e.line().max(1), e.column());
    Error::Json {
        location: Location {
            line_column: Some(scan::line_column(bytes, offset)),
            ..Location::file(path)
        },
        message: strip_position(e),
    }
}
