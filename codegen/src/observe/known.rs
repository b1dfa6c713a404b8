//! The `observed:` list of `spec/intended-differences.yaml`: disagreements between `spec/`
//! and what Atlas answers that were reviewed and are kept, each with its evidence. A
//! finding an entry lists is reported as known and does not fail `spec observe`.
//!
//! ```yaml
//! observed:
//!   - kind: undocumented-property         # a finding kind of spec observe
//!     schema: DiskBackupSnapshotRestoreJob  # optional: the component schema (all when left out)
//!     at: /targetDeploymentItemName       # optional: glob (`*`) on the pointer in the schema
//!     reason: What Atlas sent, when, and why it is kept.
//! ```
//!
//! The `differences:` list of the same file is `spec check`'s ([`crate::drift::intended`]).

use std::path::Path;

use serde::Deserialize;

use super::{Finding, Kind};
use crate::drift::intended::glob;
use crate::error::Error;
use crate::load::{Format, Source};

/// The file's key this module reads.
pub const SECTION: &str = "observed";

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    observed: Option<Vec<RawKnown>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKnown {
    kind: Kind,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    at: Option<String>,
    reason: String,
}

/// One reviewed entry.
#[derive(Debug, Clone)]
pub struct Known {
    /// Index in the `observed:` list (0-based), for messages.
    pub index: usize,
    pub kind: Kind,
    pub schema: Option<String>,
    pub at: Option<String>,
    pub reason: String,
}

impl Known {
    /// Whether the entry lists `finding`.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.kind == finding.kind
            && self.schema.as_ref().is_none_or(|s| finding.schema.as_ref() == Some(s))
            && self.at.as_ref().is_none_or(|g| glob(g, &finding.at))
    }

    /// `#/observed/N`, for the report.
    pub fn describe(&self) -> String {
        format!("#/{SECTION}/{}", self.index)
    }
}

/// Reads the entries of the file (none when it has no `observed:` list).
pub fn load(file: &Path) -> Result<Vec<Known>, Error> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Read { file: file.to_path_buf(), source })?;
    parse(file, &text)
}

/// Parses the file's text; errors name the file, the pointer and the line.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Known>, Error> {
    let source = Source { path: file.to_path_buf(), text: text.to_owned(), format: Format::Yaml };
    let raw: File = source.yaml()?;
    let mut out = Vec::new();
    for (index, e) in raw.observed.unwrap_or_default().into_iter().enumerate() {
        if e.reason.trim().is_empty() {
            return Err(source.error(&format!("#/{SECTION}/{index}/reason"), "every known difference needs its reason (the evidence)"));
        }
        out.push(Known { index, kind: e.kind, schema: e.schema, at: e.at, reason: e.reason.trim().to_owned() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_entries_are_reported_with_their_pointer_and_line() {
        let p = Path::new("i.yaml");
        let e = parse(p, "observed:\n  - kind: nope\n    reason: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("i.yaml:2") && e.contains("#/observed/0/kind") && e.contains("undocumented-property"), "{e}");
        let e = parse(p, "observed:\n  - kind: type-mismatch\n    reason: ' '\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("#/observed/0/reason"), "{e}");
        let e = parse(p, "observed:\n  - kind: type-mismatch\n    reasn: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("#/observed/0") && e.contains("unknown field"), "{e}");
    }

    #[test]
    fn the_differences_of_spec_check_are_left_alone() {
        let text = "differences:\n  - kind: tags-changed\n    reason: x\nobserved:\n";
        assert!(parse(Path::new("i.yaml"), text).is_ok_and(|k| k.is_empty()));
    }
}
