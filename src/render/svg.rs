//! Small SVG-writing helpers: XML escaping, fixed number formatting, compact paths.
//!
//! Every coordinate written to a map passes through [`Tenths`]: pixel positions are rounded to
//! tenths of a pixel once, so the output is byte-identical from run to run and path deltas add
//! up exactly.

use std::fmt::Write as _;

/// The font-family list of every text: common CJK fonts first, so Chinese renders in browsers on
/// Linux, Windows and macOS alike, then the generic family.
pub const FONT_FAMILY: &str =
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/// `s` with the five XML special characters escaped, for text and attribute values alike, and
/// the characters XML 1.0 forbids replaced (see [`xml_chars`]).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(xml_char(c)),
        }
    }
    o
}

/// `s` with each character XML 1.0 forbids (control characters other than tab, LF and CR;
/// U+FFFE, U+FFFF) replaced by a space: the text handed to plotters, which escapes the five
/// special characters itself but passes these through. All text of every SVG goes through this
/// function or [`escape`].
///
/// # Examples
///
/// ```
/// assert_eq!(walkshed::render::xml_chars("a\u{1}b\u{1b}[0m"), "a b [0m");
/// ```
pub fn xml_chars(s: &str) -> String {
    s.chars().map(xml_char).collect()
}

/// `c`, or a space for a character XML 1.0 forbids.
fn xml_char(c: char) -> char {
    match c {
        c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => ' ',
        '\u{FFFE}' | '\u{FFFF}' => ' ',
        c => c,
    }
}

/// A number of pixels with one decimal and no trailing `.0` (`12`, `12.5`, `-0.3`, never `-0`).
pub fn px(x: f64) -> String {
    tenths(to_tenths(x))
}

/// `x` pixels rounded to an integer number of tenths (non-finite values become 0).
#[inline]
pub fn to_tenths(x: f64) -> i64 {
    if x.is_finite() {
        (x * 10.0).round() as i64
    } else {
        0
    }
}

/// A number of tenths of a pixel written as pixels: `123` → `12.3`, `120` → `12`, `-5` → `-0.5`.
pub fn tenths(t: i64) -> String {
    let mut o = String::with_capacity(8);
    push_tenths(&mut o, t);
    o
}

/// Appends [`tenths`]`(t)` to `o`.
pub fn push_tenths(o: &mut String, t: i64) {
    if t < 0 {
        o.push('-');
    }
    let a = t.unsigned_abs();
    let _ = write!(o, "{}", a / 10);
    if !a.is_multiple_of(10) {
        let _ = write!(o, ".{}", a % 10);
    }
}

/// A point in tenths of a pixel.
pub type Tenths = [i64; 2];

/// Appends one closed subpath through `pts` to `d`: an absolute move, then relative line
/// commands (`M12.3 4l1.5-2 ...z`).
pub fn push_ring(d: &mut String, pts: &[Tenths]) {
    let Some(first) = pts.first() else { return };
    d.push('M');
    push_pair(d, *first);
    d.push('l');
    let mut last = *first;
    for (k, p) in pts[1..].iter().enumerate() {
        push_delta(d, [p[0] - last[0], p[1] - last[1]], k == 0);
        last = *p;
    }
    d.push('z');
}

/// Appends an open subpath through `pts` (move, then relative lines).
pub fn push_line(d: &mut String, pts: &[Tenths]) {
    let Some(first) = pts.first() else { return };
    d.push('M');
    push_pair(d, *first);
    d.push('l');
    let mut last = *first;
    for (k, p) in pts[1..].iter().enumerate() {
        push_delta(d, [p[0] - last[0], p[1] - last[1]], k == 0);
        last = *p;
    }
}

fn push_pair(d: &mut String, p: Tenths) {
    push_tenths(d, p[0]);
    d.push(' ');
    push_tenths(d, p[1]);
}

/// A relative pair; numbers are separated by a space unless the next one starts with `-`.
fn push_delta(d: &mut String, v: Tenths, first: bool) {
    if !first && v[0] >= 0 {
        d.push(' ');
    }
    push_tenths(d, v[0]);
    if v[1] >= 0 {
        d.push(' ');
    }
    push_tenths(d, v[1]);
}

/// Subpaths per `<path>` element at most.
const SUBPATHS_PER_PATH: usize = 20_000;

/// Writes `subpaths` as `<path>` elements with attributes `attrs`, at most
/// [`SUBPATHS_PER_PATH`] subpaths each.
pub fn write_paths(o: &mut String, subpaths: &[String], attrs: &str) {
    for chunk in subpaths.chunks(SUBPATHS_PER_PATH) {
        o.push_str("<path ");
        o.push_str(attrs);
        o.push_str(" d=\"");
        for s in chunk {
            o.push_str(s);
        }
        o.push_str("\"/>\n");
    }
}

/// A `<text>` element at pixel position (`x`, `y`) with extra attributes `attrs` (already
/// escaped) and the escaped `content`.
pub fn text(o: &mut String, x: f64, y: f64, attrs: &str, content: &str) {
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" {attrs}>{}</text>",
        px(x),
        px(y),
        escape(content)
    );
}

/// Estimated advance width of `s` in pixels at `font_px`: CJK and other wide characters one em,
/// digits and Latin letters about 0.58 em, narrow punctuation less. Used to keep labels from
/// overlapping; no font metrics are needed.
pub fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'l' | 'j' | '(' | ')' => 0.3,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.85,
            c if (c as u32) >= 0x1100 && is_wide(c) => 1.0,
            _ => 0.58,
        })
        .sum::<f64>()
        * font_px
}

/// Whether `c` is an East Asian wide character (CJK ideographs, kana, hangul, full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_fixed() {
        assert_eq!(px(12.0), "12");
        assert_eq!(px(12.34), "12.3");
        assert_eq!(px(-0.04), "0");
        assert_eq!(px(-0.06), "-0.1");
        assert_eq!(px(f64::NAN), "0");
        assert_eq!(tenths(-125), "-12.5");
    }

    #[test]
    fn rings_are_relative() {
        let mut d = String::new();
        push_ring(&mut d, &[[100, 100], [150, 100], [150, 50]]);
        assert_eq!(d, "M10 10l5 0 0-5z");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("a<b & \"c\" 'd'"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(escape("x\u{1}y"), "x y");
    }

    #[test]
    fn wide_text_is_wider() {
        assert!(text_width("五分钟", 10.0) > text_width("abc", 10.0));
    }
}
