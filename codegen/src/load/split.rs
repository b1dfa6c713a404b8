//! A large YAML spec parsed on two threads: libyaml's events and the value built from them
//! are most of the load (0.7 of its 1.1 G instructions for the whole Atlas API), and they
//! ran on one core while the other waited.
//!
//! The text is cut at key lines into pieces of about [`PIECE_BYTES`]: runs of the root
//! mapping's entries, and an entry larger than a piece (`components`, `paths`) entered and
//! cut the same way at its own entries (`components` → `schemas` → one schema each), as deep
//! as that goes. A piece inside a block is read as a document that repeats the header lines
//! of the blocks it sits in (`components:\n    schemas:\n` before a run of schemas), so
//! each node is parsed with the indentation, nesting depth and column it has in the whole
//! text. Two threads take the pieces in turn and their values are spliced back in document
//! order.
//!
//! Why the splice equals the whole document's value, when every piece parses:
//! - libyaml reads left to right; the text before a cut is a prefix of the whole, so the
//!   scanner stands at the cut line in the same state as in the whole. Had that state been
//!   inside a quoted scalar or a flow collection (which libyaml lets run over less indented
//!   lines), the piece before the cut would have ended there and failed to parse. Plain and
//!   block scalars end at a line indented no deeper than the key that holds them, which the
//!   cut line is.
//! - So at a cut line the whole text is in block context with the blocks of the header lines
//!   open, which is where the piece starts from after its repeated headers (by induction
//!   from the first piece); the lines of a piece are the whole text's own, and no line of a
//!   block is indented less than its entries (checked), so the block ends where its last
//!   piece ends.
//! - Anchors do not cross documents: an alias whose anchor is in another piece fails that
//!   piece. `%` directives (which could declare tags for every piece) and `---`/`...`
//!   markers are refused, as are CR line ends (not worth handling) and a byte order mark
//!   (which `load::source` drops before).
//! - A key found in two pieces is a duplicate in the whole, which serde_yaml refuses: the
//!   splice refuses it too, and the whole text is parsed to say so.
//!
//! Any refusal parses the whole text on this thread, as before. One limit is judged per
//! piece instead of over the whole: serde_yaml's guard against alias bombs (expansions over
//! 100 times the events), where each repeated header line adds three events of headroom.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_yaml::{Mapping, Value};

/// Below this size a second thread costs more than it saves (the published Atlas specs are
/// 2-4 MiB; our spec of the backup endpoints is 0.26 MiB and parses in a few milliseconds).
pub const MIN_SPLIT_BYTES: usize = 1024 * 1024;

/// The size of the pieces: a piece's libyaml events are all held until its value is built,
/// and a thread's freed memory is not all reused by the next stages, so small pieces keep
/// the peak memory where it was; smaller ones would only add parsers to start.
pub const PIECE_BYTES: usize = 256 * 1024;

/// Whether to cut the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// When the text is large enough to gain ([`MIN_SPLIT_BYTES`]).
    Auto,
    /// Always the whole text on this thread.
    Never,
    /// Whenever it can be proven equivalent, at any size (tests).
    Always,
}

/// The value serde_yaml reads from `text`, and how many documents it was parsed in (1: the
/// whole text). `None` when serde_yaml refuses the text.
pub fn value(text: &str, split: Split) -> Option<(Value, usize)> {
    let max = match split {
        Split::Auto => (text.len() >= MIN_SPLIT_BYTES).then_some(PIECE_BYTES),
        Split::Never => None,
        Split::Always => Some(text.len() / 8),
    };
    if let Some(max) = max
        && let Some(parsed) = parse_planned(text, max)
    {
        return Some(parsed);
    }
    serde_yaml::from_str(text).ok().map(|value| (value, 1))
}

/// A document to parse: header lines repeated from the text (`prefix`), then lines of the
/// text (`body`), which are entries of the mapping the headers lead to. The first `opens`
/// headers are keys that earlier pieces hold; the rest are new.
#[derive(Debug)]
struct Piece<'a> {
    opens: usize,
    prefix: String,
    body: &'a str,
}

impl Piece<'_> {
    fn parse(&self) -> Option<Value> {
        match self.prefix.is_empty() {
            true => serde_yaml::from_str(self.body).ok(),
            false => serde_yaml::from_str(&(self.prefix.clone() + self.body)).ok(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Spaces only, or nothing.
    Blank,
    /// A `#` comment after the indentation.
    Comment,
    Content,
}

#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    /// Leading spaces.
    indent: usize,
    kind: Kind,
}

/// The lines of `text`, each with its start, indentation and kind.
///
/// Byte by byte, the line break found with `str::find` (memchr): this pass over the whole
/// text runs before the first piece can be given to the second thread, and it took 3.6 ms of
/// 2024-12-10's load through `split_inclusive` and `trim_start_matches`.
fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let mut start = 0;
    while start < bytes.len() {
        let indent = bytes[start..].iter().take_while(|&&b| b == b' ').count();
        let kind = match bytes.get(start + indent) {
            None | Some(b'\n') => Kind::Blank,
            Some(b'#') => Kind::Comment,
            Some(_) => Kind::Content,
        };
        lines.push(Line { start, indent, kind });
        start = text[start + indent..].find('\n').map_or(bytes.len(), |p| start + indent + p + 1);
    }
    lines
}

/// Whether `line` is a plain key and its `:` (`name: value`, `/path/{id}:`): `Some(true)`
/// when nothing follows the colon (a header whose block follows), `Some(false)` when a value
/// does, `None` when the line is not such a key (an item, a quoted or explicit key, ...).
fn key_line(text: &str, line: &Line) -> Option<bool> {
    if line.kind != Kind::Content {
        return None;
    }
    let rest = &text[line.start + line.indent..];
    let body = &rest[..rest.find('\n').unwrap_or(rest.len())];
    // The characters that cannot start a plain scalar, or start something else.
    if body.starts_with(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\t']) {
        return None;
    }
    let colon = body.char_indices().find(|&(i, c)| c == ':' && body[i + 1..].chars().next().is_none_or(|next| next == ' '))?.0;
    let key = &body[..colon];
    if key.is_empty() || key.contains(" #") || key.contains('\t') || key.ends_with(' ') {
        return None;
    }
    Some(body[colon + 1..].trim_start_matches(' ').is_empty())
}

/// The pieces to parse, in document order, or `None` when the text cannot be cut.
#[cfg(test)]
fn plan(text: &str, max: usize) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let count = plan_with(text, max, &mut |piece| pieces.push(piece))?;
    (count > 1).then_some(pieces)
}

/// Plans the pieces of `text`, giving each to `sink` in document order as soon as it is
/// planned, and answers how many there were; `None` when the text cannot be cut (nothing
/// is given to `sink` then).
fn plan_with<'t>(text: &'t str, max: usize, sink: &mut dyn FnMut(Piece<'t>)) -> Option<usize> {
    if text.starts_with('\u{feff}') || text.contains('\r') {
        return None;
    }
    let lines = lines(text);
    let marker = |line: &Line| {
        let at = &text[line.start..];
        line.indent == 0 && (at.starts_with("---") || at.starts_with("...") || at.starts_with('%'))
    };
    if lines.iter().any(marker) {
        return None;
    }
    let mut planner = Planner { text, lines, max, headers: Vec::new(), new_from: 0, count: 0, sink };
    planner.block(0, planner.lines.len(), 0);
    Some(planner.count)
}

/// Cuts blocks into pieces of at most `max` bytes where their keys allow.
struct Planner<'t, 's> {
    text: &'t str,
    lines: Vec<Line>,
    max: usize,
    /// The header lines of the blocks entered.
    headers: Vec<usize>,
    /// The first header level that the next piece opens (the levels above it are open).
    new_from: usize,
    /// The pieces planned so far.
    count: usize,
    sink: &'s mut dyn FnMut(Piece<'t>),
}

impl<'t> Planner<'t, '_> {
    fn start(&self, line: usize) -> usize {
        self.lines.get(line).map_or(self.text.len(), |l| l.start)
    }

    fn bytes(&self, from: usize, to: usize) -> usize {
        self.start(to) - self.start(from)
    }

    /// The lines `[from, to)` as a piece under the current headers.
    fn emit(&mut self, from: usize, to: usize) {
        if to <= from {
            return;
        }
        let prefix = self.headers.iter().map(|&h| &self.text[self.start(h)..self.start(h + 1)]).collect();
        let body = &self.text[self.start(from)..self.start(to)];
        (self.sink)(Piece { opens: self.new_from.min(self.headers.len()), prefix, body });
        self.count += 1;
        self.new_from = usize::MAX;
    }

    /// The block `[from, to)`, whose entries are the key lines indented `indent`: runs of
    /// them as pieces, and an entry larger than a piece entered when it is a block itself.
    fn block(&mut self, from: usize, to: usize, indent: usize) {
        let keys: Vec<usize> =
            (from..to).filter(|&i| self.lines[i].indent == indent && key_line(self.text, &self.lines[i]).is_some()).collect();
        let mut start = from;
        for (n, &key) in keys.iter().enumerate() {
            let next = keys.get(n + 1).copied().unwrap_or(to);
            // Only blank and comment lines may come before an entry that is entered first
            // (they are left out: nothing in them is read).
            let alone = n > 0 || (from..key).all(|i| self.lines[i].kind != Kind::Content);
            if self.bytes(key, next) > self.max
                && alone
                && let Some(inner) = self.nested(key, next, indent)
            {
                if n > 0 {
                    self.emit(start, key);
                }
                self.headers.push(key);
                self.new_from = self.new_from.min(self.headers.len() - 1);
                self.block(key + 1, next, inner);
                self.headers.pop();
                start = next;
            } else if self.bytes(start, next) > self.max && start < key {
                self.emit(start, key);
                start = key;
            }
        }
        self.emit(start, to);
    }

    /// The indentation of the entries of the block that the key line `key` heads and that
    /// ends at `end`, when it is a block mapping that can be cut: nothing after the key's
    /// colon, a key line first, and no line of the block indented less than that one.
    fn nested(&self, key: usize, end: usize, indent: usize) -> Option<usize> {
        if key_line(self.text, &self.lines[key]) != Some(true) {
            return None;
        }
        let first = (key + 1..end).find(|&i| self.lines[i].kind == Kind::Content)?;
        let inner = self.lines[first].indent;
        let block_lines = (first..end).filter(|&i| self.lines[i].kind == Kind::Content);
        (inner > indent && key_line(self.text, &self.lines[first]).is_some() && block_lines.clone().all(|i| self.lines[i].indent >= inner))
            .then_some(inner)
    }
}

/// The pieces of `text` parsed on two threads and spliced into one value in document
/// order, and how many there were; `None` when the text cannot be cut, a piece does not
/// parse or a key comes twice.
///
/// This thread plans while the other parses each piece as soon as it is planned (planning
/// is a pass over every line, a few milliseconds of the Atlas API's load), then takes pieces
/// too; each thread takes the next piece left, so that a core the machine's other work
/// slows takes fewer.
fn parse_planned(text: &str, max: usize) -> Option<(Value, usize)> {
    let (planned, pieces) = std::sync::mpsc::channel::<(usize, Piece<'_>)>();
    let pieces = std::sync::Mutex::new(pieces);
    let failed = AtomicBool::new(false);
    let work = || {
        let mut parsed = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            // Waits for the planner; ends when it is done and every piece is taken.
            let Some((at, piece)) = pieces.lock().ok().and_then(|pieces| pieces.recv().ok()) else { break };
            let value = piece.parse();
            failed.fetch_or(value.is_none(), Ordering::Relaxed);
            parsed.push((at, piece.opens, value));
        }
        parsed
    };
    let plan_then_work = || {
        let mut at = 0;
        let count = plan_with(text, max, &mut |piece| {
            // The receiver lives until both threads are done.
            let _ = planned.send((at, piece));
            at += 1;
        });
        drop(planned);
        if count.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        (count, work())
    };
    // Without a second thread this one takes every piece.
    let (there, (count, here)) = crate::process::beside("atlas-codegen-load", work, plan_then_work);
    // One piece is the whole text (no headers), so its value is the whole parse.
    let count = count.filter(|&n| n > 0)?;
    let mut parsed: Vec<(usize, usize, Option<Value>)> = here.into_iter().chain(there.into_iter().flatten()).collect();
    parsed.sort_unstable_by_key(|&(at, _, _)| at);
    if parsed.len() != count {
        return None;
    }
    let mut root = Mapping::new();
    for (_, opens, value) in parsed {
        splice(&mut root, value?, opens)?;
    }
    Some((Value::Mapping(root), count))
}

/// The document read from `value`, its `paths` on another thread meanwhile when `cut` (the
/// two are a fifth of the load): the same `Deserialize` of the same value as inside the
/// whole document's, so the same result, and the document fails when either part does.
pub fn document(value: Value, cut: bool) -> Option<openapiv3::OpenAPI> {
    let Value::Mapping(mut root) = value else { return serde_yaml::from_value(value).ok() };
    let paths = match root.get_mut("paths") {
        Some(paths) if cut => std::mem::replace(paths, Value::Mapping(Mapping::new())),
        _ => return serde_yaml::from_value(Value::Mapping(root)).ok(),
    };
    // The paths here and the rest there: the paths are read through a buffer of the whole
    // map (`openapiv3` flattens them), which this thread's next stages reuse.
    let (doc, paths) = crate::process::beside(
        "atlas-codegen-load",
        || serde_yaml::from_value::<openapiv3::OpenAPI>(Value::Mapping(root)).ok(),
        || serde_yaml::from_value::<openapiv3::Paths>(paths).ok(),
    );
    // No thread: the document went with the closure that did not run, so the whole parse.
    let mut doc = doc.flatten()?;
    doc.paths = paths?;
    Some(doc)
}

/// Adds the entries of `piece` to `into`: those under its first `opens` single-key header
/// mappings to the mapping at the same keys; `None` when the shape is not that or a key is
/// already there.
fn splice(into: &mut Mapping, piece: Value, opens: usize) -> Option<()> {
    let Value::Mapping(piece) = piece else { return None };
    if opens == 0 {
        for (key, value) in piece {
            if into.contains_key(&key) {
                return None;
            }
            into.insert(key, value);
        }
        return Some(());
    }
    if piece.len() != 1 {
        return None;
    }
    let (key, value) = piece.into_iter().next()?;
    let Some(Value::Mapping(inner)) = into.get_mut(&key) else { return None };
    splice(inner, value, opens - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, max: usize) -> Vec<(usize, String)> {
        plan(text, max).unwrap_or_default().into_iter().map(|p| (p.opens, p.prefix + p.body)).collect()
    }

    #[test]
    fn cuts_large_blocks_at_their_entries_and_repeats_their_headers() {
        let schemas: String = (0..40).map(|i| format!("    S{i}:\n      type: string\n")).collect();
        let text = format!("openapi: 3.0.1\ncomponents:\n  schemas:\n{schemas}  responses:\n    R: {{description: r}}\nx-a: 1\n");
        let got = pieces(&text, 200);
        // `openapi`, then `components` entered and `schemas` in it, in runs of 200 bytes.
        assert_eq!(got[0], (0, "openapi: 3.0.1\n".to_owned()));
        assert_eq!(got[1].0, 0, "the first run opens `components` and `schemas`: {got:#?}");
        assert!(got[1].1.starts_with("components:\n  schemas:\n    S0:\n"), "{got:#?}");
        assert!(got[2..got.len() - 2].iter().all(|(opens, p)| *opens == 2 && p.starts_with("components:\n  schemas:\n    S")), "{got:#?}");
        assert!(got.iter().all(|(_, p)| p.len() <= 200 + "components:\n  schemas:\n".len()), "{got:#?}");
        assert_eq!(got[got.len() - 2], (1, "components:\n  responses:\n    R: {description: r}\n".to_owned()));
        assert_eq!(got[got.len() - 1], (0, "x-a: 1\n".to_owned()));
        let whole: Value = serde_yaml::from_str(&text).expect("parses");
        let cut = value(&text, Split::Always);
        assert!(cut.as_ref().is_some_and(|(_, pieces)| *pieces > 2), "{cut:?}");
        assert_eq!(cut.map(|(value, _)| value), Some(whole));
    }

    /// The lines as `split_inclusive` and `trim_start_matches` read them (the first
    /// version, kept as the reference).
    fn lines_by_str(text: &str) -> Vec<(usize, usize, Kind)> {
        let mut out = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let content = body.trim_start_matches(' ');
            let kind = match content.chars().next() {
                None => Kind::Blank,
                Some('#') => Kind::Comment,
                Some(_) => Kind::Content,
            };
            out.push((start, body.len() - content.len(), kind));
            start += line.len();
        }
        out
    }

    fn lines_found(text: &str) -> Vec<(usize, usize, Kind)> {
        lines(text).into_iter().map(|l| (l.start, l.indent, l.kind)).collect()
    }

    #[test]
    fn lines_have_their_start_indentation_and_kind() {
        assert_eq!(lines_found(""), vec![]);
        assert_eq!(lines_found("a"), vec![(0, 0, Kind::Content)]);
        assert_eq!(
            lines_found("a:\n  b: 1\n\n   \n  # c\n\t d\né: \"x\"\n  "),
            vec![
                (0, 0, Kind::Content),
                (3, 2, Kind::Content),
                (10, 0, Kind::Blank),
                (11, 3, Kind::Blank),
                (15, 2, Kind::Comment),
                (21, 0, Kind::Content),
                (25, 0, Kind::Content),
                (33, 2, Kind::Blank),
            ]
        );
    }

    proptest::proptest! {
        /// On any text of spaces, line breaks, comments, tabs and other characters (one of
        /// them two bytes long), the same lines as the reference.
        #[test]
        fn lines_are_those_of_the_reference(text in "[ \n#\ta:é]{0,64}") {
            proptest::prop_assert_eq!(lines_found(&text), lines_by_str(&text));
        }
    }

    #[test]
    fn key_lines() {
        let line = |text: &str| key_line(text, &lines(text)[0]);
        assert_eq!(line("  a:\n"), Some(true));
        assert_eq!(line("/x/{id}:  \n"), Some(true));
        assert_eq!(line("a: b\n"), Some(false));
        assert_eq!(line("a:b: c\n"), Some(false));
        for not_a_key in ["- a: b\n", "'a': b\n", "? a\n", "a #: b\n", "a\n", ": b\n", "# a: b\n", "a :b\n"] {
            assert_eq!(line(not_a_key), None, "{not_a_key:?}");
        }
    }
}
