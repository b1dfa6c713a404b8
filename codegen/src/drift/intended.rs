//! `spec/intended-differences.yaml`: the reviewed list of differences between `spec/` and
//! upstream that are on purpose, each with its reason.
//!
//! ```yaml
//! differences:
//!   - kind: operation-id-changed         # a drift rule (see `Rule::name`)
//!     operations: [takeSnapshots]        # optional: operationIds in spec/ (all when left out)
//!     at: 'response 200: *'              # optional: glob (`*`) on where the difference is
//!     reason: Why this difference is intended.
//! ```

use std::path::Path;

use serde::Deserialize;

use super::model::{Change, Rule, Subject};
use crate::error::Error;
use crate::load::{Format, Source};

/// Whether `spec check` compares `rule`: every rule of [`Rule::ALL`] but those of
/// [`NOT_COMPARED`], that is what `spec/` takes from upstream (operations, parameters,
/// bodies and their fields, media-type versions, roles). Only these can be listed as
/// intended differences. The one list of rules stays [`Rule::ALL`]; this one names the
/// exceptions, each with its reason.
pub fn compared(rule: Rule) -> bool {
    !NOT_COMPARED.iter().any(|(r, _)| *r == rule)
}

/// The rules `spec check` compares, in the order of [`Rule::ALL`].
pub fn compared_rules() -> impl Iterator<Item = Rule> {
    Rule::ALL.into_iter().filter(|r| compared(*r))
}

/// The drift rules `spec check` leaves out, each with its reason; every other rule of
/// [`Rule::ALL`] is compared.
pub const NOT_COMPARED: &[(Rule, &str)] = &[
    (Rule::DescriptionChanged, "descriptions in spec/ are written in our own words"),
    (Rule::SchemaAdded, "per operation, schemas are compared where they are used; their names are ours"),
    (Rule::SchemaRemoved, "per operation, schemas are compared where they are used; their names are ours"),
    (Rule::SchemaRefChanged, "per operation, schemas are compared where they are used; their names are ours"),
    (Rule::WaiterAdded, "waiters (`x-atlas-waiters`) are ours: upstream has none"),
    (Rule::WaiterRemoved, "waiters (`x-atlas-waiters`) are ours: upstream has none"),
    (Rule::WaiterAcceptorsChanged, "waiters (`x-atlas-waiters`) are ours: upstream has none"),
    (Rule::WaiterStateAdded, "waiters (`x-atlas-waiters`) are ours: upstream has none"),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    differences: Vec<RawEntry>,
    /// `spec observe`'s list (`observed:`), read by its own module.
    #[serde(default, rename = "observed")]
    _observed: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEntry {
    kind: String,
    #[serde(default)]
    operations: Option<Vec<String>>,
    #[serde(default)]
    at: Option<String>,
    reason: String,
}

/// One reviewed entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index in the file (0-based), for messages.
    pub index: usize,
    pub rule: Rule,
    pub operations: Option<Vec<String>>,
    pub at: Option<String>,
    pub reason: String,
}

impl Entry {
    /// Whether the entry lists `change`.
    pub fn matches(&self, change: &Change) -> bool {
        let operation = match &change.subject {
            Subject::Operation { id, .. } => id.as_str(),
            Subject::Schema { name } => name.as_str(),
        };
        self.rule == change.rule
            && self.operations.as_ref().is_none_or(|ops| ops.iter().any(|o| o == operation))
            && self.at.as_ref().is_none_or(|g| glob(g, &change.location()))
    }

    /// `kind` plus the narrowing fields, for messages.
    pub fn describe(&self) -> String {
        let mut s = format!("#/differences/{} ({}", self.index, self.rule.name());
        if let Some(ops) = &self.operations {
            s.push_str(&format!(", operations {}", ops.join(", ")));
        }
        if let Some(at) = &self.at {
            s.push_str(&format!(", at {at:?}"));
        }
        s.push(')');
        s
    }
}

/// Reads and checks the file.
pub fn load(file: &Path) -> Result<Vec<Entry>, Error> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Read { file: file.to_path_buf(), source })?;
    parse(file, &text)
}

/// Parses the file's text; errors name the file, the pointer and the line.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Entry>, Error> {
    let source = Source { path: file.to_path_buf(), text: text.to_owned(), format: Format::Yaml };
    let raw: File = source.yaml()?;
    let mut out = Vec::with_capacity(raw.differences.len());
    for (index, e) in raw.differences.into_iter().enumerate() {
        let at = format!("#/differences/{index}");
        let rule = compared_rules().find(|r| r.name() == e.kind).ok_or_else(|| {
            let names: Vec<String> = compared_rules().map(|r| r.name()).collect();
            source.error(&format!("{at}/kind"), format!("unknown kind {:?}; the kinds spec check compares: {}", e.kind, names.join(", ")))
        })?;
        if e.reason.trim().is_empty() {
            return Err(source.error(&format!("{at}/reason"), "every intended difference needs its reason"));
        }
        if e.operations.as_ref().is_some_and(Vec::is_empty) {
            return Err(source.error(&format!("{at}/operations"), "an empty list matches nothing; leave `operations` out to mean all"));
        }
        out.push(Entry { index, rule, operations: e.operations, at: e.at, reason: e.reason.trim().to_owned() });
    }
    Ok(out)
}

/// `*` matches any run of characters (including none); everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else { return pattern == text };
    if parts.len() == 1 {
        return pattern == text;
    }
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
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
    fn the_rules_left_out_are_listed_once_with_a_reason() {
        for (i, (rule, reason)) in NOT_COMPARED.iter().enumerate() {
            assert!(!reason.trim().is_empty(), "{}: say why it is left out", rule.name());
            assert!(!NOT_COMPARED[..i].iter().any(|(r, _)| r == rule), "{}: listed twice", rule.name());
            assert!(!compared(*rule), "{}", rule.name());
        }
        assert_eq!(compared_rules().count() + NOT_COMPARED.len(), Rule::ALL.len());
        assert!(compared(Rule::OperationIdChanged) && !compared(Rule::DescriptionChanged));
    }

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
    fn bad_entries_are_reported_with_their_pointer_and_line() {
        let p = Path::new("i.yaml");
        let e = parse(p, "differences:\n  - kind: nope\n    reason: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("i.yaml:2:") && e.contains("at #/differences/0/kind: unknown kind \"nope\""), "{e}");
        assert!(e.contains("field-removed"), "the known kinds are listed: {e}");
        let e = parse(p, "differences:\n  - kind: tags-changed\n    reason: ' '\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("#/differences/0/reason"), "{e}");
        let e = parse(p, "differences:\n  - kind: tags-changed\n    reasn: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("#/differences/0") && e.contains("unknown field"), "{e}");
        // The `only-if: legacy-agrees` condition is gone with the legacy copy: refused, not ignored.
        let e = parse(p, "differences:\n  - kind: tags-changed\n    only-if: legacy-agrees\n    reason: x\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("#/differences/0") && e.contains("unknown field `only-if`"), "{e}");
        let e = parse(p, "differences:\n  - kind: description-changed\n    reason: x\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("unknown kind \"description-changed\""), "a rule spec check does not compare: {e}");
    }
}
