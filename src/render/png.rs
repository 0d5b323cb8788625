//! `--png`: each SVG also written as a PNG at twice its size, for office documents (Word, WPS)
//! where pasting SVG fails.
//!
//! Drawn in pure Rust with resvg; text is set in the fonts installed on the machine (found by
//! scanning the usual font folders, no system library): the first of [`FONT_FAMILY`] present,
//! so a machine with a CJK font (Noto Sans CJK, Source Han Sans, Microsoft YaHei, PingFang)
//! draws Chinese labels. Without any font at all the maps are drawn without their text.
//!
//! [`FONT_FAMILY`]: super::FONT_FAMILY

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// How many PNG pixels per SVG pixel.
pub const PNG_SCALE: f32 = 2.0;

/// The machine's fonts, scanned once per process.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    Arc::clone(FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        // `sans-serif` at the end of the maps' font lists: a CJK face when there is one, so
        // Chinese labels are drawn even where none of the named faces is installed.
        let cjk = db
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .find(|n| n.contains("CJK SC") || n.contains("Han Sans SC") || n.contains("CJK"));
        if let Some(name) = cjk {
            db.set_sans_serif_family(name);
        }
        Arc::new(db)
    }))
}

/// `svg` (as the maps and charts write it) drawn as a PNG at [`PNG_SCALE`] times its size,
/// on its own background (white where the SVG fills it).
///
/// # Errors
///
/// The SVG cannot be parsed, is empty or too large to draw, or the PNG cannot be encoded;
/// the message says which.
///
/// # Examples
///
/// ```
/// let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">
///   <rect width="20" height="10" fill="#0072B2"/></svg>"##;
/// let png = walkshed::svg_to_png(svg).unwrap();
/// assert_eq!(&png[1..4], b"PNG");
/// ```
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let w = (size.width() * PNG_SCALE).ceil() as u32;
    let h = (size.height() * PNG_SCALE).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| format!("cannot draw a picture of {w} × {h} pixels"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// The PNG name of an SVG file name: `gaps.svg` → `gaps.png`.
pub(crate) fn png_name(svg_name: &str) -> String {
    format!("{}.png", svg_name.strip_suffix(".svg").unwrap_or(svg_name))
}
