//! `spec check`: `spec/` against the published upstream document, as a drift from upstream
//! to `spec/` computed per operation ([`super::Options::per_operation`]): the same loader,
//! facts, walk and rules as `cargo xtask drift`.
//!
//! One upstream file is compared: v2.yaml as MongoDB publishes it, which carries every enum.
//! Operations `spec/` keeps after upstream dropped them (the sunset shared-tier endpoints)
//! show as `operation-added`, listed as intended like any other difference.
//! Every difference must be listed in the intended-differences file ([`super::intended`]);
//! an entry there that matches nothing is an error too, so the file stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::intended::Entry;
// What spec check compares is what the intended-differences file may list: defined there,
// so that data flows one way (check reads entries; entries know nothing of check).
pub use super::intended::{NOT_COMPARED, compared, compared_rules};
use super::model::{Change, Rule, Subject};
use super::{Options, diff};
use crate::error::Error;
use crate::load::Loaded;

/// The backup tags: what "the backup operations" of an upstream document are.
pub const BACKUP_TAGS: [&str; 6] =
    ["Cloud Backups", "Flex Restore Jobs", "Flex Snapshots", "Legacy Backup", "Shared-Tier Restore Jobs", "Shared-Tier Snapshots"];

/// Where MongoDB publishes the API: the only form spec/ is compared with.
pub const PUBLISHED: &str =
    "openapi/v2.yaml of github.com/mongodb/openapi (https://raw.githubusercontent.com/mongodb/openapi/main/openapi/v2.yaml)";

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
                "this is not v2.yaml as MongoDB publishes it but a flattened copy (no enum, no oneOf, no x-xgen-operation-id-override in any of its {operations} operations: the form MongoDB transforms for its Go SDK); compared with it every enum of spec/ would read as removed. Download {PUBLISHED} and give that file instead"
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
    /// File name of the upstream document compared against (for messages).
    pub against: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.change;
        write!(f, "{}: {}", c.subject.display(), c.rule.name())?;
        let location = c.location();
        if !location.is_empty() {
            write!(f, " at {location}")?;
        }
        write!(f, ": {} ({} → spec)", c.message, self.against)
    }
}

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct Report {
    pub upstream_name: String,
    /// Operations of `spec/` that upstream has too.
    pub compared: usize,
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

/// Compares `spec` with `upstream`, over the operations of `spec` and every upstream
/// operation with one of `tags`, and matches each difference with the first entry of
/// `entries` that lists it.
pub fn check(spec: &Loaded, upstream: &Loaded, entries: Vec<Entry>, tags: &[String]) -> Result<Report, Error> {
    refuse_sdk_copy(upstream)?;
    // spec/'s own tags too, so that every operation of spec/ is compared.
    let mut scope: BTreeSet<String> = tags.iter().cloned().collect();
    scope.extend(spec.doc.operations().flat_map(|(_, _, op)| op.tags.iter().cloned()));
    let options = Options { tags: scope.into_iter().collect(), per_operation: true };
    let report = diff(upstream, spec, &options)?;
    let in_scope = report.summary.operations_new;
    let changes: Vec<Change> = report.changes.into_iter().filter(|c| compared(c.rule)).collect();
    // Operations of spec/ that upstream lacks are differences, not compared operations.
    let not_upstream: BTreeSet<Key> = changes.iter().filter(|c| c.rule == Rule::OperationAdded).filter_map(key).collect();
    let upstream_name = file_name(upstream);
    let differences: Vec<Difference> = changes.into_iter().map(|change| Difference { change, against: upstream_name.clone() }).collect();
    let matched = differences.iter().map(|d| entries.iter().find(|e| e.matches(&d.change)).map(|e| e.index)).collect();
    Ok(Report { upstream_name, compared: in_scope.saturating_sub(not_upstream.len()), differences, matched, entries })
}

impl Report {
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
        let _ = writeln!(s, "compared {} operations of {spec} against {}", self.compared, self.upstream_name);
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
