//! `spec/intended-differences.yaml`: the reviewed list of differences between `spec/` and
//! upstream that are on purpose, each with its reason.
//!
//! ```yaml
//! differences:
//!   - kind: operation-id                 # a difference kind (see `Kind`)
//!     operations: [takeSnapshots]        # optional: operationIds in spec/ (all when left out)
//!     at: 'response 200: *'              # optional: glob (`*`) on where the difference is
//!     only-if: legacy-agrees             # optional: the older upstream copy has the spec's enum
//!     reason: Why this difference is intended.
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::compare::{Difference, Kind};
use super::doc::DocError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    differences: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEntry {
    kind: String,
    #[serde(default)]
    operations: Option<Vec<String>>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    only_if: Option<String>,
    reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Upstream has no enum here, and the legacy upstream copy has the spec's enum.
    LegacyAgrees,
}

/// One reviewed entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index in the file (0-based), for messages.
    pub index: usize,
    pub kind: Kind,
    pub operations: Option<Vec<String>>,
    pub at: Option<String>,
    pub only_if: Option<Condition>,
    pub reason: String,
}

impl Entry {
    pub fn matches(&self, d: &Difference) -> bool {
        self.kind == d.kind
            && self.operations.as_ref().is_none_or(|ops| ops.contains(&d.operation))
            && self.at.as_ref().is_none_or(|g| glob(g, &d.at))
            && match self.only_if {
                None => true,
                Some(Condition::LegacyAgrees) => d.legacy_agrees == Some(true),
            }
    }

    /// `kind` plus the narrowing fields, for messages.
    pub fn describe(&self) -> String {
        let mut s = format!("#/differences/{} ({}", self.index, self.kind);
        if let Some(ops) = &self.operations {
            s.push_str(&format!(", operations {}", ops.join(", ")));
        }
        if let Some(at) = &self.at {
            s.push_str(&format!(", at {at:?}"));
        }
        if self.only_if.is_some() {
            s.push_str(", only-if legacy-agrees");
        }
        s.push(')');
        s
    }
}

/// Loads and checks the file.
pub fn load(file: &Path) -> Result<Vec<Entry>, DocError> {
    let err = |at: String, message: String| DocError { file: file.to_path_buf(), at, message };
    let text = std::fs::read_to_string(file).map_err(|e| err("#".to_owned(), format!("cannot read the file: {e}")))?;
    parse(file, &text)
}

pub fn parse(file: &Path, text: &str) -> Result<Vec<Entry>, DocError> {
    let file: PathBuf = file.to_path_buf();
    let err = |at: String, message: String| DocError { file: file.clone(), at, message };
    let de = serde_yaml::Deserializer::from_str(text);
    let raw: File = serde_path_to_error::deserialize(de).map_err(|e| {
        let pointer = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(super::doc::escape(key)),
                _ => None,
            })
            .fold("#".to_owned(), |acc, s| format!("{acc}/{s}"));
        let inner = e.into_inner();
        let message = inner.to_string();
        let at = match inner.location() {
            Some(l) if pointer == "#" => format!("line {}, column {}", l.line(), l.column()),
            _ => pointer,
        };
        err(at, message)
    })?;
    let mut out = Vec::with_capacity(raw.differences.len());
    for (index, e) in raw.differences.into_iter().enumerate() {
        let at = format!("#/differences/{index}");
        let kind = Kind::parse(&e.kind).ok_or_else(|| {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
            err(format!("{at}/kind"), format!("unknown kind {:?}; known kinds: {}", e.kind, names.join(", ")))
        })?;
        if e.reason.trim().is_empty() {
            return Err(err(format!("{at}/reason"), "every intended difference needs its reason".to_owned()));
        }
        if e.operations.as_ref().is_some_and(Vec::is_empty) {
            return Err(err(
                format!("{at}/operations"),
                "an empty list matches nothing; leave `operations` out to mean all".to_owned(),
            ));
        }
        let only_if = match e.only_if.as_deref() {
            None => None,
            Some("legacy-agrees") => Some(Condition::LegacyAgrees),
            Some(other) => {
                return Err(err(format!("{at}/only-if"), format!("unknown condition {other:?}; known: legacy-agrees")));
            }
        };
        out.push(Entry {
            index,
            kind,
            operations: e.operations,
            at: e.at,
            only_if,
            reason: e.reason.trim().to_owned(),
        });
    }
    Ok(out)
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_a_shell_star() {
        assert!(glob("response 200: *", "response 200: results[].id"));
        assert!(glob("*type", "response 200: type"));
        assert!(glob("*: *status", "response 200: results[].status"));
        assert!(!glob("response 200: *", "response 201: id"));
        assert!(glob("exact", "exact") && !glob("exact", "exactly"));
        assert!(!glob("a*a", "a"));
    }

    #[test]
    fn bad_entries_are_reported_with_their_pointer() {
        let p = Path::new("i.yaml");
        let e =
            parse(p, "differences:\n  - kind: nope\n    reason: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("i.yaml: at #/differences/0/kind: unknown kind \"nope\""), "{e}");
        let e = parse(p, "differences:\n  - kind: tags\n    reason: ' '\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("#/differences/0/reason"), "{e}");
        let e =
            parse(p, "differences:\n  - kind: tags\n    reasn: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("#/differences/0") && e.contains("unknown field"), "{e}");
    }
}
