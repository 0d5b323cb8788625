//! The text encoding of CSV files and Shapefile `.dbf` tables: UTF-8, or GB18030 (GBK), what
//! Excel and GIS programs in China write.

use std::fmt;
use std::str::FromStr;

/// The text encoding of a CSV file or a Shapefile's `.dbf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GB18030, which includes GBK and GB2312: what Excel and GIS programs in China write.
    Gb18030,
}

impl TextEncoding {
    /// The encoding of `bytes` when none is given: UTF-8 if they are valid UTF-8, else GB18030.
    pub fn detect(bytes: &[u8]) -> TextEncoding {
        match std::str::from_utf8(bytes) {
            Ok(_) => TextEncoding::Utf8,
            Err(_) => TextEncoding::Gb18030,
        }
    }

    /// The `encoding_rs` encoding.
    pub(super) fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
        }
    }

    /// `bytes` as text (a UTF-8 byte-order mark dropped; undecodable bytes replaced).
    pub(super) fn decode(self, bytes: &[u8]) -> String {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        self.encoding()
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
        })
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    /// `utf-8`, or `gbk`/`gb2312`/`gb18030`/`cp936`/`936` (any case).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" => Ok(TextEncoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" | "936" => Ok(TextEncoding::Gb18030),
            _ => Err(format!(
                "expected utf-8 or gbk (also gb2312, gb18030, cp936), found {s:?}"
            )),
        }
    }
}

impl TryFrom<String> for TextEncoding {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_parse_and_detect() {
        assert_eq!("GBK".parse(), Ok(TextEncoding::Gb18030));
        assert_eq!("utf_8".parse(), Ok(TextEncoding::Utf8));
        assert!("latin1".parse::<TextEncoding>().is_err());
        let (gbk, _, _) = encoding_rs::GBK.encode("经度");
        assert_eq!(TextEncoding::detect(&gbk), TextEncoding::Gb18030);
        assert_eq!(TextEncoding::Gb18030.decode(&gbk), "经度");
        assert_eq!(TextEncoding::detect("经度".as_bytes()), TextEncoding::Utf8);
    }
}
