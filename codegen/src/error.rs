//! Errors of the generator. Every error that comes from the input names the file, the JSON
//! pointer of the offending node and, where known, its line and column, so that a broken
//! spec can be fixed without guessing.

use std::fmt;
use std::path::PathBuf;

/// A position in the input: the file, a JSON pointer into the document and the line/column
/// of that node where the parser (or the locator in [`crate::load`]) could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// RFC 6901 JSON pointer, `#`-prefixed (`#/paths/~1a~1{b}/get`). `#` is the whole document.
    pub pointer: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        // A pathological document can nest thousands deep: keep messages readable.
        let segments: Vec<&str> = self.pointer.split('/').collect();
        if segments.len() > 24 {
            write!(f, ": at {}/…/{}", segments[..12].join("/"), segments[segments.len() - 4..].join("/"))
        } else {
            write!(f, ": at {}", self.pointer)
        }
    }
}

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("{}: cannot read the spec: {source}", file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The spec is not valid (syntax, structure, references, ...).
    #[error("{location}: {message}")]
    Spec { location: Location, message: String },
    /// `--strict` was given and the spec produced warnings.
    #[error("{count} warning(s) with --strict:\n{list}")]
    Strict { count: usize, list: String },
    /// A template rendered text that is not valid Rust: a bug in a template, reported with
    /// the template and the schema or operation being rendered.
    #[error("template `{template}` produced invalid Rust for {item}: {message}")]
    Render { template: &'static str, item: String, message: String },
    /// Writing the output failed; nothing was left half-written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn spec(location: Location, message: impl Into<String>) -> Self {
        Error::Spec { location, message: message.into() }
    }
}

/// A construct the generator mapped in a weaker way than the spec asks (for example `anyOf`
/// as `serde_json::Value`). Nothing is dropped silently: each one is reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// A short, stable kind used for counting (`anyOf`, `missing-operation-id`, ...).
    pub kind: &'static str,
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning[{}]: at {}: {}", self.kind, self.pointer, self.message)
    }
}

/// Builds `#/a/b` pointers with RFC 6901 escaping (`~` → `~0`, `/` → `~1`).
pub fn pointer(parent: &str, segment: &str) -> String {
    let mut out = String::with_capacity(parent.len() + segment.len() + 1);
    out.push_str(parent);
    out.push('/');
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The `#/a/0/b` pointer of where a `serde_path_to_error` deserialization failed.
pub fn path_pointer(path: &serde_path_to_error::Path) -> String {
    path.iter()
        .filter_map(|s| match s {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        })
        .fold("#".to_owned(), |acc, s| pointer(&acc, &s))
}

/// Splits a `#/a/b` pointer into unescaped segments.
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer.trim_start_matches('#').split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
}
