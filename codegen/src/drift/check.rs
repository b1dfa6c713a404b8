//! `spec check`: `spec/` against the published upstream document, as a drift from upstream
//! to `spec/` computed per operation ([`super::Options::per_operation`]): the same loader,
//! facts, walk and rules as `cargo xtask drift`.
//!
//! Operations in `spec/` that the newest upstream copy has are compared with it; those only
//! an older, legacy copy still has (the sunset shared-tier endpoints) are compared with that
//! copy, which also says whether an enum the newest copy dropped is the one `spec/` keeps.
//! Every difference must be listed in the intended-differences file ([`super::intended`]);
//! an entry there that matches nothing is an error too, so the file stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::intended::Entry;
// What spec check compares is what the intended-differences file may list: defined there,
// so that data flows one way (check reads entries; entries know nothing of check).
pub use super::intended::{NOT_COMPARED, compared, compared_rules};
use super::model::{Change, Report as Drift, Rule, Subject};
use super::{Options, diff};
use crate::error::Error;
use crate::load::Loaded;

/// The backup tags: what "the backup operations" of an upstream document are.
pub const BACKUP_TAGS: [&str; 6] = [
    "Cloud Backups",
    "Flex Restore Jobs",
    "Flex Snapshots",
    "Legacy Backup",
    "Shared-Tier Restore Jobs",
    "Shared-Tier Snapshots",
];

/// Facts that the newest upstream copy, in its SDK-flattened form, drops or adds everywhere
/// (enums, length and range bounds, discriminators of what was never a `oneOf`): for these
/// the legacy copy tells whether `spec/` states what the API states (see
/// [`Difference::legacy_agrees`]).
pub const LEGACY_FACTS: [Rule; 3] = [Rule::EnumChanged, Rule::ConstraintChanged, Rule::DiscriminatorChanged];

/// Where MongoDB publishes the API: the only form spec/ is compared with.
pub const PUBLISHED: &str = "openapi/v2.yaml of github.com/mongodb/openapi (https://raw.githubusercontent.com/mongodb/openapi/main/openapi/v2.yaml)";

/// Refuses the copy MongoDB transforms for its Go SDK (`../shared/upstream/atlas-api-2026-08-13.yaml`
/// is one): no `enum`, no `oneOf` and no `x-xgen-operation-id-override` anywhere. Compared
/// with it, every enum of spec/ would read as removed upstream and every long name as a
/// rename, so it is never taken for v2.yaml.
pub fn refuse_sdk_copy(upstream: &Loaded) -> Result<(), Error> {
    let value = crate::load::value(&upstream.source)?;
    let mut seen = (false, false, false);
    let mut stack = vec![&value];
    while let Some(node) = stack.pop() {
        match node {
            serde_json::Value::Object(map) => {
                seen.0 |= map.contains_key("enum");
                seen.1 |= map.contains_key("oneOf");
                seen.2 |= map.contains_key(crate::load::names::SHORT_NAME);
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    let operations = upstream.doc.operations().count();
    if seen == (false, false, false) && operations > 0 {
        return Err(upstream.source.error(
            "#/paths",
            format!(
                "this is not v2.yaml as MongoDB publishes it but a flattened copy (no enum, no oneOf, no x-xgen-operation-id-override in any of its {operations} operations: the form MongoDB transforms for its Go SDK); compared with it every enum of spec/ would read as removed. Download {PUBLISHED} and pass that file to --from"
            ),
        ));
    }
    Ok(())
}

/// One difference between upstream and `spec/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The drift from upstream (old) to `spec/` (new): the subject is the operation in
    /// `spec/` (upstream's for an operation `spec/` lacks).
    pub change: Change,
    /// File name of the upstream document compared against.
    pub against: String,
    /// For a difference of [`LEGACY_FACTS`]: whether the legacy upstream copy states there
    /// what `spec/` states (no such difference, and the field or parameter exists there).
    /// `None` for other rules, or when the legacy copy lacks the operation.
    pub legacy_agrees: Option<bool>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.change;
        write!(f, "{}: {}", c.subject.display(), c.rule.name())?;
        let location = c.location();
        if !location.is_empty() {
            write!(f, " at {location}")?;
        }
        write!(f, ": {} ({} → spec)", c.message, self.against)?;
        if let Some(agrees) = self.legacy_agrees {
            write!(f, " (legacy copy {})", if agrees { "agrees with spec" } else { "differs too" })?;
        }
        Ok(())
    }
}

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct Report {
    pub upstream_name: String,
    pub legacy_name: Option<String>,
    pub against_upstream: usize,
    pub against_legacy: usize,
    pub differences: Vec<Difference>,
    /// For each difference, the index of the entry that lists it.
    pub matched: Vec<Option<usize>>,
    pub entries: Vec<Entry>,
}

/// `(METHOD, path)` of an operation subject.
type Key = (String, String);

fn key(c: &Change) -> Option<Key> {
    match &c.subject {
        Subject::Operation { method, path, .. } => Some((method.clone(), path.clone())),
        Subject::Schema { .. } => None,
    }
}

fn file_name(l: &Loaded) -> String {
    let p = &l.source.path;
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

/// Compares `spec` with `upstream` (and, for what `upstream` lacks, with `legacy`), over the
/// operations of `spec` and every upstream operation with one of `tags`, and matches each
/// difference with the first entry of `entries` that lists it.
pub fn check(spec: &Loaded, upstream: &Loaded, legacy: Option<&Loaded>, entries: Vec<Entry>, tags: &[String]) -> Result<Report, Error> {
    refuse_sdk_copy(upstream)?;
    // spec/'s own tags too, so that every operation of spec/ is compared.
    let mut scope: BTreeSet<String> = tags.iter().cloned().collect();
    scope.extend(spec.doc.operations().flat_map(|(_, _, op)| op.tags.iter().cloned()));
    let options = Options { tags: scope.into_iter().collect(), per_operation: true };
    let kept = |report: Drift| -> Vec<Change> { report.changes.into_iter().filter(|c| compared(c.rule)).collect() };
    let added = |changes: &[Change]| -> BTreeSet<Key> {
        changes.iter().filter(|c| c.rule == Rule::OperationAdded).filter_map(key).collect()
    };

    let up_report = diff(upstream, spec, &options)?;
    let in_scope = up_report.summary.operations_new;
    let up = kept(up_report);
    let not_upstream = added(&up);
    let upstream_name = file_name(upstream);
    let (legacy_changes, legacy_name) = match legacy {
        Some(l) => (Some(kept(diff(l, spec, &options)?)), Some(file_name(l))),
        None => (None, None),
    };
    // Operations of spec/ that only the legacy copy has: compared with it.
    let on_legacy: BTreeSet<Key> = match &legacy_changes {
        Some(lc) => not_upstream.difference(&added(lc)).cloned().collect(),
        None => BTreeSet::new(),
    };
    let upstream_ops: BTreeSet<Key> =
        upstream.doc.operations().map(|(path, method, _)| (method.to_ascii_uppercase(), path.to_owned())).collect();

    let mut differences = Vec::new();
    for c in &up {
        if key(c).is_some_and(|k| on_legacy.contains(&k)) {
            continue;
        }
        let legacy_agrees = match &legacy_changes {
            Some(lc) if LEGACY_FACTS.contains(&c.rule) => agrees(c, lc),
            _ => None,
        };
        differences.push(Difference { change: c.clone(), against: upstream_name.clone(), legacy_agrees });
    }
    if let (Some(lc), Some(name)) = (&legacy_changes, &legacy_name) {
        for c in lc {
            let Some(k) = key(c) else { continue };
            // What spec/ lacks of the legacy copy counts when the newest copy lacks it too.
            let lacking = c.rule == Rule::OperationRemoved && !upstream_ops.contains(&k);
            if on_legacy.contains(&k) || lacking {
                differences.push(Difference { change: c.clone(), against: name.clone(), legacy_agrees: None });
            }
        }
    }
    let matched = differences.iter().map(|d| entries.iter().find(|e| e.matches(&d.change, d.legacy_agrees)).map(|e| e.index)).collect();
    Ok(Report {
        upstream_name,
        legacy_name,
        against_upstream: in_scope.saturating_sub(not_upstream.len()),
        against_legacy: on_legacy.len(),
        differences,
        matched,
        entries,
    })
}

/// Whether the legacy drift (legacy → spec/) agrees with spec/ where `c` is: the operation
/// is there, nothing of `c`'s kind differs at `c`'s place and field, and the value exists
/// there (nothing above it was added or changed its type).
fn agrees(c: &Change, legacy: &[Change]) -> Option<bool> {
    const EXISTENCE: [Rule; 6] =
        [Rule::FieldAdded, Rule::ParameterAdded, Rule::RequestBodyAdded, Rule::ResponseAdded, Rule::TypeChanged, Rule::PolymorphismChanged];
    let same_kind = |r: Rule| match c.rule {
        Rule::EnumChanged => matches!(r, Rule::EnumChanged | Rule::EnumValueAdded | Rule::EnumValueRemoved),
        other => r == other,
    };
    let k = key(c)?;
    let same_op = |l: &&Change| key(l).as_ref() == Some(&k);
    if legacy.iter().filter(same_op).any(|l| l.rule == Rule::OperationAdded) {
        return None;
    }
    let above = |field: &str| {
        field.is_empty()
            || c.field == field
            || c.field.strip_prefix(field).is_some_and(|rest| rest.starts_with(['.', '[', '{']))
    };
    let differs = legacy.iter().filter(same_op).filter(|l| l.place.is_operation() || l.place == c.place).any(|l| {
        (l.field == c.field && same_kind(l.rule)) || (EXISTENCE.contains(&l.rule) && above(&l.field))
    });
    Some(!differs)
}

impl Report {
    pub fn compared(&self) -> usize {
        self.against_upstream + self.against_legacy
    }

    pub fn unexpected(&self) -> Vec<&Difference> {
        self.differences.iter().zip(&self.matched).filter(|(_, m)| m.is_none()).map(|(d, _)| d).collect()
    }

    /// Entries that matched no difference.
    pub fn stale(&self) -> Vec<&Entry> {
        let used: BTreeSet<usize> = self.matched.iter().flatten().copied().collect();
        self.entries.iter().filter(|e| !used.contains(&e.index)).collect()
    }

    pub fn is_clean(&self) -> bool {
        self.unexpected().is_empty() && self.stale().is_empty()
    }

    /// The human-readable report of checking `spec`; `verbose` lists every intended
    /// difference too.
    pub fn render(&self, spec: &str, verbose: bool) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let legacy = self.legacy_name.as_deref().unwrap_or("none");
        let _ = writeln!(
            s,
            "compared {} operations of {spec}: {} against {}, {} against {legacy} (legacy)",
            self.compared(),
            self.against_upstream,
            self.upstream_name,
            self.against_legacy,
        );
        let unexpected = self.unexpected();
        let _ = writeln!(
            s,
            "{} differences: {} intended, {} unexpected",
            self.differences.len(),
            self.differences.len() - unexpected.len(),
            unexpected.len()
        );
        for entry in &self.entries {
            let hits: Vec<&Difference> =
                self.differences.iter().zip(&self.matched).filter(|(_, m)| **m == Some(entry.index)).map(|(d, _)| d).collect();
            if hits.is_empty() {
                continue;
            }
            let _ = writeln!(s, "  intended {}: {} difference(s): {}", entry.describe(), hits.len(), entry.reason);
            if verbose {
                for d in hits {
                    let _ = writeln!(s, "      {d}");
                }
            }
        }
        if !unexpected.is_empty() {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for d in &unexpected {
                *counts.entry(d.change.rule.name()).or_default() += 1;
            }
            let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
            let _ = writeln!(s, "UNEXPECTED differences ({}):", counts.join(", "));
            for d in &unexpected {
                let _ = writeln!(s, "  {d}");
            }
            s.push_str("fix spec/ or, when a difference is on purpose, list it with its reason in the intended-differences file\n");
        }
        let stale = self.stale();
        if !stale.is_empty() {
            s.push_str("STALE intended differences (they match nothing; remove or correct them):\n");
            for e in stale {
                let _ = writeln!(s, "  {}: {}", e.describe(), e.reason);
            }
        }
        s.push_str(if self.is_clean() { "spec check: clean\n" } else { "spec check: FAILED\n" });
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(rule: Rule, place: &str, field: &str) -> Change {
        let place = match place.split_once(' ') {
            Some(("response", code)) => super::super::Place::Response { code: code.to_owned() },
            _ if place == "request" => super::super::Place::Request,
            _ => super::super::Place::Operation,
        };
        Change {
            severity: super::super::Severity::Breaking,
            subject: Subject::Operation { id: "getA".to_owned(), method: "GET".to_owned(), path: "/a".to_owned() },
            place,
            field: field.to_owned(),
            pointer: String::new(),
            counterpart: String::new(),
            rule,
            message: String::new(),
        }
    }

    #[test]
    fn the_legacy_copy_agrees_unless_it_differs_at_or_above_the_field() {
        let c = change(Rule::EnumChanged, "response 200", "results[].status");
        assert_eq!(agrees(&c, &[]), Some(true));
        assert_eq!(agrees(&c, &[change(Rule::EnumValueAdded, "response 200", "results[].status")]), Some(false));
        assert_eq!(agrees(&c, &[change(Rule::FieldAdded, "response 200", "results")]), Some(false), "no such field there");
        assert_eq!(agrees(&c, &[change(Rule::FieldAdded, "response 200", "results[].statusText")]), Some(true));
        assert_eq!(agrees(&c, &[change(Rule::EnumChanged, "request", "results[].status")]), Some(true), "another place");
        assert_eq!(agrees(&c, &[change(Rule::ConstraintChanged, "response 200", "results")]), Some(true), "another fact above");
        assert_eq!(agrees(&c, &[change(Rule::OperationAdded, "", "")]), None, "the legacy copy lacks the operation");
    }
}
