//! A set of blocks with what is known of them as a whole, and how a caller makes one.

use std::path::{Path, PathBuf};

use super::{Block, GeoJsonCopy, GroupNames, PolygonProblem};

/// What to read from the blocks file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFields {
    /// The population property (default `population`).
    pub population: String,
    /// The grouping property, if any.
    pub group_by: Option<String>,
    /// Keep each block's rings (lon/lat) for drawing maps.
    pub keep_outlines: bool,
}

impl Default for BlockFields {
    fn default() -> Self {
        BlockFields {
            population: "population".to_owned(),
            group_by: None,
            keep_outlines: false,
        }
    }
}

/// One block's outline for maps, as given to [`BlockSetBuilder::outlines`]: its rings in lon/lat (shells and
/// holes alike; fill even-odd). Empty for a point block.
pub type OutlineRings = Vec<Vec<[f64; 2]>>;

/// Blocks read from one file, with what an analysis needs to know of them as a whole (the
/// anchors' bounding box, the blocks whose polygon is invalid), noted as they were read rather
/// than found by another pass over a million records.
///
/// # Examples
///
/// ```
/// use walkshed::{Block, BlockFields, BlockSet};
/// let block = |id: &str, lon: f64| Block { id: id.into(), anchor: [lon, 30.72],
///                                          population: 10.0, group: None, problem: None };
/// let set = BlockSet::builder("blocks.geojson")
///     .build(vec![block("a", 121.33), block("b", 121.34)]);
/// assert_eq!(set.anchor_bbox(), [121.33, 30.72, 121.34, 30.72]);
/// assert_eq!(set.total_population(), 20.0);
/// ```
#[derive(Debug, Clone)]
pub struct BlockSet {
    pub(super) path: PathBuf,
    pub(super) blocks: Vec<Block>,
    pub(super) weighted: bool,
    pub(super) fields: BlockFields,
    pub(super) groups: GroupNames,
    pub(super) outlines: Option<Outlines>,
    pub(super) seen: Seen,
    /// The file as it was when read (`None` for a set made with [`BlockSet::builder`]).
    pub(super) source: Option<FileStamp>,
    /// The GeoJSON copy the blocks were read from, for a file in another format or in web-map
    /// coordinates.
    pub(super) copy: Option<std::sync::Arc<GeoJsonCopy>>,
}

/// Two sets are equal when their blocks and what is known of them are; when the file was read
/// (its stamp) is not compared, so a set read from a file equals one built of its blocks.
impl PartialEq for BlockSet {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
            && self.blocks == other.blocks
            && self.weighted == other.weighted
            && self.fields == other.fields
            && self.groups == other.groups
            && self.outlines == other.outlines
            && self.seen == other.seen
            && self.copy == other.copy
    }
}

/// What a file was when it was read, to tell whether it changed before it is read again
/// (`blocks.geojson` copies each block from it): its size, modification time and identity.
/// `stream` marks a pipe, device or FIFO, whose bytes can be read only once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    identity: (u64, u64),
    stream: bool,
}

impl FileStamp {
    /// The stamp of `path` now; `None` when it cannot be looked at.
    pub(crate) fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino())
        };
        #[cfg(not(unix))]
        let identity = (0, 0);
        Some(FileStamp {
            len: m.len(),
            modified: m.modified().ok(),
            identity,
            stream: !m.is_file(),
        })
    }

    /// The error for a blocks file that can be read only once when `blocks.geojson` is
    /// wanted, which copies each block from it.
    pub(crate) fn stream_error(path: &Path) -> crate::Error {
        crate::Error::Unusable {
            location: crate::error::Location::file(path),
            message: "a pipe or device can be read only once, but blocks.geojson copies each block from the blocks file, reading it again: save the blocks to a file first, or leave blocks out of --outputs".to_owned(),
        }
    }

    /// Whether the file can be read only once (a pipe, FIFO or device).
    pub(crate) fn is_stream(&self) -> bool {
        self.stream
    }
}

/// Makes a [`BlockSet`] of blocks made by the caller rather than read from a file (see
/// [`BlockSet::builder`]).
///
/// # Examples
///
/// ```
/// use walkshed::{Block, BlockFields, BlockSet};
/// use walkshed::GroupNames;
/// let mut groups = GroupNames::default();
/// let block = Block { id: "a".into(), anchor: [121.33, 30.72], population: 1.0,
///                     group: Some(groups.id("金山卫镇")), problem: None };
/// let fields = BlockFields { group_by: Some("district".into()), ..BlockFields::default() };
/// let set = BlockSet::builder("blocks.geojson")
///     .weighted(false)
///     .fields(fields)
///     .groups(groups)
///     .outlines(vec![vec![vec![[121.32, 30.71], [121.34, 30.71], [121.33, 30.73]]]])
///     .build(vec![block]);
/// assert!(!set.weighted() && set.has_outlines());
/// assert_eq!(set.groups().name(set.blocks()[0].group.unwrap()), "金山卫镇");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BlockSetBuilder {
    pub(super) path: PathBuf,
    pub(super) weighted: bool,
    pub(super) fields: BlockFields,
    pub(super) groups: GroupNames,
    outlines: Option<Vec<OutlineRings>>,
}

impl BlockSetBuilder {
    /// Whether the populations were given (default yes); else every block weighs 1.
    pub fn weighted(mut self, weighted: bool) -> Self {
        self.weighted = weighted;
        self
    }

    /// The fields the blocks were read with (default [`BlockFields::default`]).
    pub fn fields(mut self, fields: BlockFields) -> Self {
        self.fields = fields;
        self
    }

    /// The names of the groups the blocks' [`Block::group`] number (default none).
    pub fn groups(mut self, groups: GroupNames) -> Self {
        self.groups = groups;
        self
    }

    /// Each block's outline for maps, in the order of the blocks (default none kept).
    pub fn outlines(mut self, outlines: Vec<OutlineRings>) -> Self {
        self.outlines = Some(outlines);
        self
    }

    /// The set of `blocks`.
    ///
    /// # Panics
    ///
    /// If outlines were given and their count is not that of `blocks`, or a block's group is not
    /// one of the groups given.
    pub fn build(self, blocks: Vec<Block>) -> BlockSet {
        let outlines = self.outlines.map(|rings| {
            assert_eq!(rings.len(), blocks.len(), "one outline per block");
            let mut outlines = Outlines::new();
            for (b, ring_set) in blocks.iter().zip(&rings) {
                outlines.push(&Outline::new(b.anchor, ring_set.iter().map(Vec::as_slice)));
            }
            outlines
        });
        let mut seen = Seen::new();
        for (i, b) in blocks.iter().enumerate() {
            seen.add(i, b);
            if let Some(g) = b.group {
                assert!(
                    g.index() < self.groups.len(),
                    "block {i}'s group is not named"
                );
            }
        }
        BlockSet {
            path: self.path,
            blocks,
            weighted: self.weighted,
            fields: self.fields,
            groups: self.groups,
            outlines,
            seen,
            source: None,
            copy: None,
        }
    }
}

/// What is noted of blocks as they are added to a [`BlockSet`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Seen {
    /// Corners of the bounding box of the finite anchors (`[∞, ∞]`, `[−∞, −∞]` for none).
    pub(super) lo: [f64; 2],
    pub(super) hi: [f64; 2],
    /// Indices of the blocks whose polygon is invalid, ascending.
    pub(super) invalid: Vec<usize>,
}

impl Seen {
    pub(super) fn new() -> Self {
        Seen {
            lo: [f64::INFINITY; 2],
            hi: [f64::NEG_INFINITY; 2],
            invalid: Vec::new(),
        }
    }

    /// Notes block `i` (blocks are added in order).
    #[inline]
    pub(super) fn add(&mut self, i: usize, b: &Block) {
        // `min` and `max` pass over NaN.
        for k in 0..2 {
            self.lo[k] = self.lo[k].min(b.anchor[k]);
            self.hi[k] = self.hi[k].max(b.anchor[k]);
        }
        if b.problem.is_some() {
            self.invalid.push(i);
        }
    }
}

/// Blocks' outlines for maps, kept compactly: every ring's points in one array, as offsets from
/// their block's anchor in single precision (within a millimetre of the input for blocks up to
/// 10 km across, far below a map's pixel), instead of a vector per ring and per block.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Outlines {
    /// `first_point[first_ring[i]..=first_ring[i + 1]]` bound block `i`'s rings.
    pub(super) first_ring: Vec<usize>,
    /// `points[first_point[r]..first_point[r + 1]]` are ring `r`'s points.
    pub(super) first_point: Vec<usize>,
    pub(super) points: Vec<[f32; 2]>,
}

/// One block's outline, as a parsing thread makes it for [`Outlines`].
#[derive(Debug, Default)]
pub(super) struct Outline {
    /// Where each ring ends in `points`.
    pub(super) ends: Vec<usize>,
    /// Offsets from the block's anchor, degrees.
    pub(super) points: Vec<[f32; 2]>,
}

impl Outline {
    /// The outline of rings of longitude/latitude points, about `anchor`.
    pub(super) fn new<'r>(
        anchor: [f64; 2],
        rings: impl IntoIterator<Item = &'r [[f64; 2]]>,
    ) -> Self {
        let mut outline = Outline::default();
        for ring in rings {
            outline.points.extend(
                ring.iter()
                    .map(|p| [(p[0] - anchor[0]) as f32, (p[1] - anchor[1]) as f32]),
            );
            outline.ends.push(outline.points.len());
        }
        outline
    }
}

impl Outlines {
    pub(super) fn new() -> Self {
        Outlines {
            first_ring: vec![0],
            first_point: vec![0],
            points: Vec::new(),
        }
    }

    /// Adds the next block's outline.
    pub(super) fn push(&mut self, outline: &Outline) {
        let start = self.points.len();
        self.points.extend_from_slice(&outline.points);
        self.first_point
            .extend(outline.ends.iter().map(|&end| start + end));
        self.first_ring.push(self.first_point.len() - 1);
    }

    /// Block `i`'s rings, about its anchor.
    pub(super) fn rings(
        &self,
        i: usize,
        anchor: [f64; 2],
    ) -> impl ExactSizeIterator<Item = impl ExactSizeIterator<Item = [f64; 2]> + '_> + '_ {
        let bounds = &self.first_point[self.first_ring[i]..=self.first_ring[i + 1]];
        bounds.windows(2).map(move |w| {
            self.points[w[0]..w[1]]
                .iter()
                .map(move |d| [anchor[0] + f64::from(d[0]), anchor[1] + f64::from(d[1])])
        })
    }
}

impl BlockSet {
    /// Starts a set of blocks made by the caller rather than read from a file, from `path`.
    pub fn builder(path: impl Into<PathBuf>) -> BlockSetBuilder {
        BlockSetBuilder {
            path: path.into(),
            weighted: true,
            fields: BlockFields::default(),
            groups: GroupNames::default(),
            outlines: None,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file as it was when read; `None` for a set made with [`BlockSet::builder`].
    pub(crate) fn source(&self) -> Option<&FileStamp> {
        self.source.as_ref()
    }

    /// The blocks as GeoJSON: the file itself, or the WGS84 copy of a file in another format or
    /// in web-map coordinates (what `blocks.geojson` echoes).
    pub fn geojson_path(&self) -> &Path {
        self.copy.as_ref().map_or(&self.path, |c| c.path())
    }

    /// Removes the GeoJSON copy of a file in another format now (see
    /// [`GeoJsonCopy::remove`]); [`geojson_path`](Self::geojson_path) is gone after it.
    pub(crate) fn remove_copy(&self) {
        if let Some(copy) = &self.copy {
            copy.remove();
        }
    }

    /// The blocks, in input order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The blocks, in input order, taken out of the set.
    pub fn into_blocks(self) -> Vec<Block> {
        self.blocks
    }

    /// Whether blocks carry a population (else every block weighs 1).
    pub fn weighted(&self) -> bool {
        self.weighted
    }

    /// The fields read.
    pub fn fields(&self) -> &BlockFields {
        &self.fields
    }

    /// The names of the blocks' groups ([`Block::group`]), numbered in order of first
    /// appearance.
    pub fn groups(&self) -> &GroupNames {
        &self.groups
    }

    /// Whether the blocks' outlines were kept ([`BlockFields::keep_outlines`]).
    pub fn has_outlines(&self) -> bool {
        self.outlines.is_some()
    }

    /// Block `i`'s outline for maps, if outlines were kept: its rings in longitude/latitude
    /// (shells and holes alike; fill even-odd), none for a point block. Outlines are kept in
    /// single precision about the block's anchor: each point is within a millimetre of the
    /// input's for blocks up to 10 km across.
    ///
    /// # Panics
    ///
    /// If there is no block `i`.
    pub fn outline(
        &self,
        i: usize,
    ) -> Option<impl ExactSizeIterator<Item = impl ExactSizeIterator<Item = [f64; 2]> + '_> + '_>
    {
        let anchor = self.blocks[i].anchor;
        self.outlines.as_ref().map(|o| o.rings(i, anchor))
    }

    /// Blocks with an invalid polygon, as `(index, id, problem)`.
    pub fn invalid(&self) -> Vec<(usize, &str, PolygonProblem)> {
        self.seen
            .invalid
            .iter()
            .filter_map(|&i| {
                let b = &self.blocks[i];
                b.problem.map(|p| (i, &*b.id, p))
            })
            .collect()
    }

    /// Total population.
    pub fn total_population(&self) -> f64 {
        self.blocks.iter().map(|b| b.population).sum()
    }

    /// The bounding box `[west, south, east, north]` of the blocks' anchors, degrees (all zero
    /// when no anchor is finite).
    pub fn anchor_bbox(&self) -> [f64; 4] {
        let Seen { lo, hi, .. } = self.seen;
        let bbox = [lo[0], lo[1], hi[0], hi[1]];
        match bbox.iter().all(|v| v.is_finite()) {
            true => bbox,
            false => [0.0; 4],
        }
    }
}
