//! Streaming a GeoJSON file feature by feature: in chunks, in one pass, in parallel.
//!
//! The file is read in chunks of a fixed size into a window that also carries the unfinished
//! tail of the chunk before, so memory holds about one chunk, never the whole file. Within a
//! window, features are found and parsed in the same pass, in parallel: the window is cut into
//! pieces at line starts that look like the start of a feature (`{` first on its line — a raw
//! line break never occurs inside a JSON string, so a line start is never inside one), each piece
//! parses the chain of features from its guessed start, and the pieces are then checked in file
//! order. A piece is kept only if the chain of the piece before it, which is known to be right,
//! ends exactly where the piece was guessed to start; parsing from a given start is
//! deterministic, so a kept piece holds exactly the features a sequential reader would find. A
//! wrong guess costs a sequential re-parse of its piece, never a wrong result, and a file without
//! line breaks is simply parsed sequentially.
//!
//! Two layouts are read: one FeatureCollection (its members other than `features` are handed to
//! the caller for checking), or a sequence of Feature objects (one per line, or RFC 8142 text
//! sequences; a lone Feature is a sequence of one).
//!
//! Problems are located by byte offset only; the caller re-reads the file on that error path to
//! word the error exactly, with its line and column.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

/// Bytes read per chunk by default.
pub(crate) const DEFAULT_CHUNK: usize = 32 << 20;

/// Pieces of a window are at least this long, so that guessing and checking stay cheap.
const MIN_PIECE: usize = 256 << 10;

/// How far past a cut point to look for a line that starts a feature.
const GUESS_SEARCH: usize = 64 << 10;

/// Record separator of RFC 8142 GeoJSON text sequences.
const RS: u8 = 0x1e;

/// A problem in the file, located by byte offset.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The file could not be read.
    Io(std::io::Error),
    /// The element starting at this offset is not a valid feature, or the file ends inside it.
    Element {
        /// File offset of the element's first byte.
        offset: u64,
        /// Index of the element in the file.
        index: usize,
        /// Whether the file is a FeatureCollection.
        collection: bool,
    },
    /// Something other than `expected` at this offset, outside any feature.
    At {
        /// File offset.
        offset: u64,
        /// What was expected there.
        expected: &'static str,
        /// Whether the file is (or starts like) a FeatureCollection.
        collection: bool,
    },
}

/// Why streaming stopped early.
#[derive(Debug)]
pub(crate) enum Halt {
    /// A problem in the file.
    Fault(Fault),
    /// An error from the caller's handlers.
    Error(crate::Error),
}

impl From<std::io::Error> for Halt {
    fn from(e: std::io::Error) -> Self {
        Halt::Fault(Fault::Io(e))
    }
}

/// Why an element could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unparsed {
    /// The bytes end inside it (and the file goes on).
    Incomplete,
    /// It is invalid; its exact error is worded on the error path.
    Invalid,
}

/// How one element (a feature) is parsed.
pub(crate) trait Element: Sync {
    /// What a parsed element gives.
    type Out: Send;
    /// Parses the element that starts at `b[at]`; returns it and the index just past it. `eof`
    /// says whether `b` reaches the end of the file.
    fn parse(&self, b: &[u8], at: usize, eof: bool) -> Result<(Self::Out, usize), Unparsed>;
}

/// Elements that are only delimited, not parsed: for re-reading the features' text.
pub(crate) struct Delimit;

impl Element for Delimit {
    type Out = ();
    fn parse(&self, b: &[u8], at: usize, eof: bool) -> Result<((), usize), Unparsed> {
        match skip_value(b, at) {
            Ok(end) => Ok(((), end)),
            Err(SkipError::More) if !eof => Err(Unparsed::Incomplete),
            Err(_) => Err(Unparsed::Invalid),
        }
    }
}

/// A run of consecutive parsed elements.
pub(crate) struct ElementRun<'w, T> {
    /// Index in the file of the first element.
    pub first: usize,
    /// The window the ranges index into.
    pub window: &'w [u8],
    /// Each element's byte range in `window`, and what it gave.
    pub items: Vec<(Range<usize>, T)>,
}

/// A member of a FeatureCollection other than `features`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// The member name.
    pub key: String,
    /// The value's JSON text.
    pub value: Vec<u8>,
    /// File offset of the value.
    pub offset: u64,
}

/// How the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Bytes per chunk.
    pub chunk: usize,
    /// Whether to parse the pieces of a window in parallel.
    pub parallel: bool,
}

/// Streams the elements of the GeoJSON file at `path`: `header` gets the FeatureCollection's
/// other members (those before `features` first, then those after), `sink` gets the parsed
/// elements in file order. Returns whether the file is a FeatureCollection.
pub(crate) fn stream<E: Element>(
    path: &Path,
    plan: Plan,
    element: &E,
    header: &mut dyn FnMut(Vec<Member>) -> crate::Result<()>,
    sink: &mut dyn FnMut(ElementRun<'_, E::Out>) -> crate::Result<()>,
) -> Result<bool, Halt> {
    let mut r = Reader::open(path, plan.chunk)?;
    r.advance(0)?;
    // Enough bytes to tell a byte order mark, however small the chunks.
    while r.data().len() < 3 && !r.eof {
        r.advance(0)?;
    }
    let mut pos = 0;
    if r.data().starts_with(&[0xef, 0xbb, 0xbf]) {
        pos = 3;
    }
    // Leading whitespace; an empty file has no features.
    loop {
        pos = skip_ws(r.data(), pos, true);
        if pos < r.data().len() {
            break;
        }
        if r.eof {
            return Ok(false);
        }
        r.advance(pos)?;
        pos = 0;
    }
    if r.data()[pos] != b'{' {
        return Err(r.problem(pos, "a GeoJSON object", false));
    }
    let probe = r.more_or_fail(&mut pos, false, probe)?;
    let mut index = 0;
    let mut chain = Chain {
        plan,
        element,
        sink,
        index: &mut index,
    };
    match probe {
        Probe::Feature => {
            chain.run(&mut r, &mut pos, Mode::Sequence)?;
            Ok(false)
        }
        Probe::EmptyCollection(members) => {
            let members = r.owned(&members);
            header(members).map_err(Halt::Error)?;
            let end = r.more_or_fail(&mut pos, true, skip_value)?;
            r.expect_end(end)?;
            Ok(true)
        }
        Probe::Collection(members, array) => {
            header(r.owned(&members)).map_err(Halt::Error)?;
            pos = array + 1;
            let first = r.more_or_fail(&mut pos, true, |b, p| match skip_ws(b, p, false) {
                j if j == b.len() => Err(SkipError::More),
                j => Ok(j),
            })?;
            if r.data()[first] == b']' {
                pos = first + 1;
            } else {
                pos = first;
                chain.run(&mut r, &mut pos, Mode::Array)?;
            }
            // The members after `features`, then the end of the object and of the file.
            let mut after = Vec::new();
            loop {
                match r.more_or_fail(&mut pos, true, next_member)? {
                    Step::Member(key, value) => {
                        after.push(Member {
                            key,
                            value: r.data()[value.clone()].to_vec(),
                            offset: r.base + value.start as u64,
                        });
                        pos = value.end;
                    }
                    Step::Closed(end) => {
                        pos = end;
                        break;
                    }
                }
            }
            header(after).map_err(Halt::Error)?;
            let end = pos;
            r.expect_end(end)?;
            Ok(true)
        }
    }
}

/// What the first object of a file turned out to be.
enum Probe {
    /// A Feature: the file is a sequence of features (maybe of one).
    Feature,
    /// A FeatureCollection without `features`: its members.
    EmptyCollection(Vec<(String, Range<usize>)>),
    /// A FeatureCollection: the members before `features`, and where its array starts.
    Collection(Vec<(String, Range<usize>)>, usize),
}

/// Reads the members of the object at `b[p] == '{'` up to `features`.
fn probe(b: &[u8], p: usize) -> Result<Probe, SkipError> {
    let mut members = Vec::new();
    let mut collection = None;
    let mut i = ws_or_more(b, p + 1)?;
    if b[i] == b'}' {
        return Ok(Probe::Feature);
    }
    loop {
        let (key, at) = member_name(b, i)?;
        if key == "features" && b[at] == b'[' && collection != Some(false) {
            return Ok(Probe::Collection(members, at));
        }
        let end = skip_value(b, at)?;
        if key == "type" {
            collection = Some(&b[at..end] == b"\"FeatureCollection\"");
        }
        members.push((key, at..end));
        i = ws_or_more(b, end)?;
        match b[i] {
            b',' => i = ws_or_more(b, i + 1)?,
            b'}' if collection == Some(true) => {
                // `features` given, but not as an array: say so, rather than "no features".
                if let Some((_, r)) = members.iter().find(|(k, _)| k == "features") {
                    return Err(SkipError::Bad(
                        r.start,
                        "\"features\" to be an array of Features",
                    ));
                }
                return Ok(Probe::EmptyCollection(members));
            }
            b'}' => return Ok(Probe::Feature),
            _ => return Err(SkipError::Bad(i, "',' or '}'")),
        }
    }
}

/// What follows a member of an object.
enum Step {
    /// The next member: its name and value range.
    Member(String, Range<usize>),
    /// The object's closing brace; the index just past it.
    Closed(usize),
}

/// After a member's value at `b[p..]`: the next member, or the end of the object.
fn next_member(b: &[u8], p: usize) -> Result<Step, SkipError> {
    let i = ws_or_more(b, p)?;
    match b[i] {
        b',' => {
            let i = ws_or_more(b, i + 1)?;
            let (key, at) = member_name(b, i)?;
            let end = skip_value(b, at)?;
            Ok(Step::Member(key, at..end))
        }
        b'}' => Ok(Step::Closed(i + 1)),
        _ => Err(SkipError::Bad(i, "',' or '}'")),
    }
}

/// A member name at `b[i]` and the start of its value.
fn member_name(b: &[u8], i: usize) -> Result<(String, usize), SkipError> {
    if b[i] != b'"' {
        return Err(SkipError::Bad(i, "a member name"));
    }
    let end = skip_string(b, i)?;
    let key: String =
        serde_json::from_slice(&b[i..end]).map_err(|_| SkipError::Bad(i, "a member name"))?;
    let colon = ws_or_more(b, end)?;
    if b[colon] != b':' {
        return Err(SkipError::Bad(colon, "':'"));
    }
    Ok((key, ws_or_more(b, colon + 1)?))
}

/// The index of the next non-whitespace byte, or [`SkipError::More`].
fn ws_or_more(b: &[u8], i: usize) -> Result<usize, SkipError> {
    match skip_ws(b, i, false) {
        j if j >= b.len() => Err(SkipError::More),
        j => Ok(j),
    }
}

/// The result of a structural scan that may run out of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SkipError {
    /// The bytes end before the value does.
    More,
    /// Something unexpected at this index; what was expected.
    Bad(usize, &'static str),
}

/// A file read chunk by chunk into a window.
struct Reader {
    file: File,
    /// A regular file's size when opened (a hint: reading goes on to the real end); `None` for
    /// a pipe or a device, whose size is unknown and which are read a whole chunk at a time.
    size: Option<u64>,
    buf: Vec<u8>,
    /// Bytes of `buf` that hold data.
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
    chunk: usize,
    collection: bool,
}

impl Reader {
    fn open(path: &Path, chunk: usize) -> std::io::Result<Reader> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        let size = meta.is_file().then_some(meta.len());
        Ok(Reader {
            file,
            size,
            buf: Vec::new(),
            len: 0,
            base: 0,
            eof: false,
            chunk: chunk.max(1),
            collection: false,
        })
    }

    fn data(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Drops the bytes before `keep` and reads up to one more chunk.
    fn advance(&mut self, keep: usize) -> std::io::Result<()> {
        self.buf.copy_within(keep..self.len, 0);
        self.len -= keep;
        self.base += keep as u64;
        // A chunk, but no more than the rest of the file (and one byte to see its end).
        let rest = self.size.map_or(u64::MAX, |size| {
            size.saturating_sub(self.base + self.len as u64)
                .saturating_add(1)
        });
        let want = self.len + self.chunk.min(usize::try_from(rest).unwrap_or(usize::MAX));
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        while self.len < want && !self.eof {
            match self.file.read(&mut self.buf[self.len..want]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn problem(&self, at: usize, expected: &'static str, collection: bool) -> Halt {
        Halt::Fault(Fault::At {
            offset: self.base + at as u64,
            expected,
            collection: collection || self.collection,
        })
    }

    /// Runs `f` on the window from `*pos`, reading more while it needs more (which moves the
    /// window, so `*pos` is updated); a problem if the file ends first.
    fn more_or_fail<T>(
        &mut self,
        pos: &mut usize,
        collection: bool,
        f: impl Fn(&[u8], usize) -> Result<T, SkipError>,
    ) -> Result<T, Halt> {
        loop {
            match f(self.data(), *pos) {
                Ok(t) => return Ok(t),
                Err(SkipError::More) if !self.eof => {
                    self.advance(*pos)?;
                    *pos = 0;
                }
                Err(SkipError::More) => {
                    return Err(self.problem(self.len, "more JSON", collection))
                }
                Err(SkipError::Bad(i, expected)) => {
                    return Err(self.problem(i, expected, collection))
                }
            }
        }
    }

    fn owned(&self, members: &[(String, Range<usize>)]) -> Vec<Member> {
        members
            .iter()
            .map(|(key, r)| Member {
                key: key.clone(),
                value: self.data()[r.clone()].to_vec(),
                offset: self.base + r.start as u64,
            })
            .collect()
    }

    /// Checks that nothing but whitespace follows `pos` to the end of the file.
    fn expect_end(&mut self, mut pos: usize) -> Result<(), Halt> {
        loop {
            let j = skip_ws(self.data(), pos, false);
            if j < self.len {
                return Err(self.problem(j, "the end of the file", true));
            }
            if self.eof {
                return Ok(());
            }
            self.advance(self.len)?;
            pos = 0;
        }
    }
}

/// The two layouts of features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The elements of a FeatureCollection's `features` array.
    Array,
    /// Objects one after another, separated by whitespace or record separators.
    Sequence,
}

impl Mode {
    /// What must follow an element.
    fn expected(self) -> &'static str {
        match self {
            Mode::Array => "',' or ']' between features",
            Mode::Sequence => "a Feature object at the start of a line",
        }
    }
}

/// The elements of one layout, streamed window by window.
struct Chain<'a, 'i, E: Element> {
    plan: Plan,
    element: &'a E,
    sink: &'a mut dyn FnMut(ElementRun<'_, E::Out>) -> crate::Result<()>,
    index: &'i mut usize,
}

impl<E: Element> Chain<'_, '_, E> {
    /// Parses elements from `*pos` (an element's start) to the end of the chain; leaves `*pos`
    /// just past it (past `]` for an array).
    fn run(&mut self, r: &mut Reader, pos: &mut usize, mode: Mode) -> Result<(), Halt> {
        r.collection = mode == Mode::Array;
        loop {
            let eof = r.eof;
            let data = r.data();
            let (items, end) = window(data, *pos, eof, mode, self.element, self.plan.parallel);
            if !items.is_empty() {
                let n = items.len();
                (self.sink)(ElementRun {
                    first: *self.index,
                    window: data,
                    items,
                })
                .map_err(Halt::Error)?;
                *self.index += n;
            }
            let index = *self.index;
            let element = |at: usize| {
                Halt::Fault(Fault::Element {
                    offset: r.base + at as u64,
                    index,
                    collection: mode == Mode::Array,
                })
            };
            match end {
                End::Incomplete(at) if !eof => {
                    r.advance(at)?;
                    *pos = 0;
                }
                End::Incomplete(at) | End::Element(at) => return Err(element(at)),
                End::Done(at) => {
                    *pos = at;
                    return Ok(());
                }
                End::Separator(at) => return Err(r.problem(at, mode.expected(), false)),
                End::Next(at) => {
                    // Not reached: the last piece of a window runs to its end.
                    *pos = at;
                }
            }
        }
    }
}

/// How a run of elements ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The next element starts here, at or past the run's limit.
    Next(usize),
    /// The element starting here runs past the window.
    Incomplete(usize),
    /// The chain ended; the index just past it.
    Done(usize),
    /// The element starting here is invalid.
    Element(usize),
    /// Something unexpected here after an element.
    Separator(usize),
}

/// Parsed elements with their byte ranges.
type Items<T> = Vec<(Range<usize>, T)>;

/// Elements parsed from one start.
struct Piece<T> {
    items: Vec<(Range<usize>, T)>,
    end: End,
}

/// Parses the elements of a window from `pos` (an element's start), in parallel pieces when
/// `parallel`; returns them in order with how the run ended (never [`End::Next`]).
fn window<E: Element>(
    b: &[u8],
    pos: usize,
    eof: bool,
    mode: Mode,
    element: &E,
    parallel: bool,
) -> (Items<E::Out>, End) {
    let starts = if parallel {
        guesses(b, pos, mode)
    } else {
        vec![pos]
    };
    let n = starts.len();
    let limit = |k: usize| starts.get(k + 1).copied().unwrap_or(usize::MAX);
    let run = |k: usize, from: usize| run(b, from, limit(k), eof, mode, element);
    let mut pieces: Vec<Option<Piece<E::Out>>> = if n == 1 {
        vec![Some(run(0, pos))]
    } else {
        (0..n)
            .into_par_iter()
            .map(|k| Some(run(k, starts[k])))
            .collect()
    };
    let mut items = Vec::new();
    let mut at = pos;
    for k in 0..n {
        if at >= limit(k) {
            continue; // The chain already went past this piece.
        }
        let piece = match pieces[k].take() {
            Some(p) if at == starts[k] => p,
            // A wrong guess (the chain starts elsewhere in this piece): parse it again.
            _ => run(k, at),
        };
        if items.is_empty() {
            items = piece.items;
        } else {
            items.extend(piece.items);
        }
        match piece.end {
            End::Next(next) => at = next,
            end => return (items, end),
        }
    }
    (items, End::Incomplete(at))
}

/// Parses elements from `start` while they start before `limit`.
fn run<E: Element>(
    b: &[u8],
    start: usize,
    limit: usize,
    eof: bool,
    mode: Mode,
    element: &E,
) -> Piece<E::Out> {
    let mut items = Vec::new();
    let mut s = start;
    loop {
        let (out, e) = match element.parse(b, s, eof) {
            Ok(x) => x,
            Err(Unparsed::Incomplete) if !eof => {
                return Piece {
                    items,
                    end: End::Incomplete(s),
                }
            }
            Err(_) => {
                return Piece {
                    items,
                    end: End::Element(s),
                }
            }
        };
        let end = match separator(b, e, mode, eof) {
            Sep::Next(next) => {
                items.push((s..e, out));
                s = next;
                if s >= limit {
                    End::Next(s)
                } else {
                    continue;
                }
            }
            // Read the element again once more bytes are in.
            Sep::More => End::Incomplete(s),
            Sep::Done(after) => {
                items.push((s..e, out));
                End::Done(after)
            }
            Sep::Bad(at) => {
                items.push((s..e, out));
                End::Separator(at)
            }
        };
        return Piece { items, end };
    }
}

/// What follows an element.
enum Sep {
    /// The next element starts here.
    Next(usize),
    /// The window ends first.
    More,
    /// The chain ends; the index just past it.
    Done(usize),
    /// Something unexpected here.
    Bad(usize),
}

fn separator(b: &[u8], e: usize, mode: Mode, eof: bool) -> Sep {
    let ran_out = |at| if eof { Sep::Bad(at) } else { Sep::More };
    match mode {
        Mode::Array => {
            let j = skip_ws(b, e, false);
            match b.get(j) {
                None => ran_out(j),
                Some(b',') => match skip_ws(b, j + 1, false) {
                    n if n >= b.len() => ran_out(n),
                    n => Sep::Next(n),
                },
                Some(b']') => Sep::Done(j + 1),
                Some(_) => Sep::Bad(j),
            }
        }
        Mode::Sequence => {
            let j = skip_ws(b, e, true);
            match b.get(j) {
                None if eof => Sep::Done(j),
                None => Sep::More,
                Some(b'{') => Sep::Next(j),
                Some(_) => Sep::Bad(j),
            }
        }
    }
}

/// Where to start the pieces of a window: `pos`, then line starts with `{` spread evenly.
fn guesses(b: &[u8], pos: usize, mode: Mode) -> Vec<usize> {
    let len = b.len().saturating_sub(pos);
    let threads = rayon::current_num_threads();
    if threads < 2 || len < 2 * MIN_PIECE {
        return vec![pos];
    }
    let pieces = (threads * 4).min(len / MIN_PIECE);
    let step = len / pieces;
    let mut out = vec![pos];
    for k in 1..pieces {
        if let Some(g) = line_start(b, pos + k * step, mode) {
            if out.last().is_some_and(|&last| g > last) {
                out.push(g);
            }
        }
    }
    out
}

/// The first line start at or after `from` whose first non-blank byte is `{`.
fn line_start(b: &[u8], from: usize, mode: Mode) -> Option<usize> {
    let stop = from.saturating_add(GUESS_SEARCH).min(b.len());
    let mut i = from;
    while i < stop {
        let nl = i + b[i..stop].iter().position(|&c| c == b'\n')?;
        let j = skip_ws(b, nl + 1, mode == Mode::Sequence);
        if b.get(j) == Some(&b'{') {
            return Some(j);
        }
        i = nl + 1;
    }
    None
}

/// Skips JSON whitespace (and record separators when `rs`).
#[inline]
fn skip_ws(b: &[u8], mut i: usize, rs: bool) -> usize {
    while let Some(&c) = b.get(i) {
        if !(matches!(c, b' ' | b'\n' | b'\r' | b'\t') || (rs && c == RS)) {
            break;
        }
        i += 1;
    }
    i
}

/// Bytes that matter to a structural scan: 1 `"`, 2 `{` `[`, 3 `}` `]`, 0 the rest.
const STRUCTURAL: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = 1;
    t[b'{' as usize] = 2;
    t[b'[' as usize] = 2;
    t[b'}' as usize] = 3;
    t[b']' as usize] = 3;
    t
};

/// Skips a string starting at `b[i] == '"'`; returns the index after the closing quote.
#[inline]
fn skip_string(b: &[u8], i: usize) -> Result<usize, SkipError> {
    let mut j = i + 1;
    loop {
        match b.get(j) {
            None => return Err(SkipError::More),
            Some(b'"') => return Ok(j + 1),
            Some(b'\\') => j += 2,
            Some(_) => j += 1,
        }
    }
}

/// Skips one JSON value starting at `b[i]` (not whitespace), leniently: strings and brackets
/// are followed, nothing else is checked. Returns the index after it.
pub(crate) fn skip_value(b: &[u8], i: usize) -> Result<usize, SkipError> {
    match b.get(i) {
        None => Err(SkipError::More),
        Some(b'"') => skip_string(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                while j < b.len() && STRUCTURAL[b[j] as usize] == 0 {
                    j += 1;
                }
                match STRUCTURAL[*b.get(j).ok_or(SkipError::More)? as usize] {
                    1 => j = skip_string(b, j)?,
                    2 => {
                        depth += 1;
                        j += 1;
                    }
                    _ => {
                        depth -= 1;
                        j += 1;
                        if depth == 0 {
                            return Ok(j);
                        }
                    }
                }
            }
        }
        Some(_) => {
            let mut j = i;
            while j < b.len()
                && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | RS)
            {
                j += 1;
            }
            if j == b.len() {
                Err(SkipError::More)
            } else if j == i {
                Err(SkipError::Bad(i, "a value"))
            } else {
                Ok(j)
            }
        }
    }
}

/// The value range of the member named `name` (given as its JSON text, quotes included) of the
/// complete JSON object starting at `b[i] == '{'`, found without decoding member names:
/// `Some(None)` when there is no such member, `None` when the text is not an object or a name
/// holds an escape (then the caller decodes the object).
pub(crate) fn find_member(b: &[u8], i: usize, name: &[u8]) -> Option<Option<Range<usize>>> {
    let mut j = ws_or_more(b, i + 1).ok()?;
    if b[j] == b'}' {
        return Some(None);
    }
    loop {
        if b[j] != b'"' {
            return None;
        }
        let end = skip_string(b, j).ok()?;
        let key = &b[j..end];
        if key.contains(&b'\\') {
            return None;
        }
        let colon = ws_or_more(b, end).ok()?;
        if b[colon] != b':' {
            return None;
        }
        let at = ws_or_more(b, colon + 1).ok()?;
        let value_end = skip_value(b, at).ok()?;
        if key == name {
            return Some(Some(at..value_end));
        }
        j = ws_or_more(b, value_end).ok()?;
        match b[j] {
            b',' => j = ws_or_more(b, j + 1).ok()?,
            b'}' => return Some(None),
            _ => return None,
        }
    }
}

/// 1-based line and column (in characters) of byte `offset`.
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

/// Byte offset within `bytes` of a 1-based `line` and byte `column` as `serde_json` reports them.
pub(crate) fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match bytes[start..].iter().position(|&c| c == b'\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    (start + column.saturating_sub(1)).min(bytes.len())
}
