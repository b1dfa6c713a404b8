//! `spec check`: the facts of `spec/` against the published upstream specs.
//!
//! Operations are matched by method and path. Those found in the newest upstream copy are
//! compared with it (and with the older, legacy copy for the enums the newest one dropped);
//! those only the legacy copy still has (sunset endpoints) are compared with the legacy copy.
//! Every difference must be listed in the intended-differences file; an entry there that
//! matches nothing is an error too, so the file stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::compare::{self, Difference, Kind};
use super::doc::{Doc, DocError};
use super::facts::{self, Operation};
use super::intended::{self, Entry};

/// The backup tags: what "the backup operations" of an upstream document are.
pub const BACKUP_TAGS: [&str; 6] = [
    "Cloud Backups",
    "Flex Restore Jobs",
    "Flex Snapshots",
    "Legacy Backup",
    "Shared-Tier Restore Jobs",
    "Shared-Tier Snapshots",
];

pub struct Options {
    pub spec: PathBuf,
    pub upstream: PathBuf,
    /// The older upstream copy; `None` means no legacy comparison.
    pub legacy: Option<PathBuf>,
    pub intended: PathBuf,
    pub tags: BTreeSet<String>,
}

/// The outcome of a check.
pub struct Report {
    pub upstream_name: String,
    pub legacy_name: Option<String>,
    pub against_upstream: usize,
    pub against_legacy: usize,
    pub differences: Vec<Difference>,
    /// For each difference, the entry that lists it.
    pub matched: Vec<Option<usize>>,
    pub entries: Vec<Entry>,
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

    /// The human-readable report; `verbose` lists every intended difference too.
    pub fn render(&self, spec: &Path, verbose: bool) -> String {
        let mut s = String::new();
        let legacy = self.legacy_name.as_deref().unwrap_or("none");
        s.push_str(&format!(
            "compared {} operations of {}: {} against {}, {} against {} (legacy)\n",
            self.compared(),
            spec.display(),
            self.against_upstream,
            self.upstream_name,
            self.against_legacy,
            legacy
        ));
        let unexpected = self.unexpected();
        s.push_str(&format!(
            "{} differences: {} intended, {} unexpected\n",
            self.differences.len(),
            self.differences.len() - unexpected.len(),
            unexpected.len()
        ));
        for entry in &self.entries {
            let hits: Vec<&Difference> = self
                .differences
                .iter()
                .zip(&self.matched)
                .filter(|(_, m)| **m == Some(entry.index))
                .map(|(d, _)| d)
                .collect();
            if hits.is_empty() {
                continue;
            }
            s.push_str(&format!("  intended {}: {} difference(s): {}\n", entry.describe(), hits.len(), entry.reason));
            if verbose {
                for d in hits {
                    s.push_str(&format!("      {d}\n"));
                }
            }
        }
        if !unexpected.is_empty() {
            let counts: Vec<String> = compare::by_kind(&unexpected).iter().map(|(k, n)| format!("{k}: {n}")).collect();
            s.push_str(&format!("UNEXPECTED differences ({}):\n", counts.join(", ")));
            for d in &unexpected {
                s.push_str(&format!("  {d}\n"));
            }
            s.push_str("fix spec/ or, when a difference is on purpose, list it with its reason in the intended-differences file\n");
        }
        let stale = self.stale();
        if !stale.is_empty() {
            s.push_str("STALE intended differences (they match nothing; remove or correct them):\n");
            for e in stale {
                s.push_str(&format!("  {}: {}\n", e.describe(), e.reason));
            }
        }
        s.push_str(if self.is_clean() { "spec check: clean\n" } else { "spec check: FAILED\n" });
        s
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

type Key = (String, String);

fn by_key(ops: Vec<Operation>) -> BTreeMap<Key, Operation> {
    ops.into_iter().map(|o| (o.key(), o)).collect()
}

/// Runs the check.
pub fn check(opts: &Options) -> Result<Report, DocError> {
    let spec_doc = Doc::load(&opts.spec)?;
    let spec_ops = facts::operations(&spec_doc, &|_, _, _| true)?;
    let wanted: BTreeSet<Key> = spec_ops.iter().map(Operation::key).collect();
    let is_backup = |tags: &BTreeSet<String>| !tags.is_disjoint(&opts.tags);
    // upstream: the spec's operations and every backup operation (nothing else is read)
    let select =
        |m: &str, p: &str, tags: &BTreeSet<String>| is_backup(tags) || wanted.contains(&(m.to_owned(), p.to_owned()));

    let upstream_doc = Doc::load(&opts.upstream)?;
    let upstream = by_key(facts::operations(&upstream_doc, &select)?);
    let (legacy, legacy_name) = match &opts.legacy {
        Some(p) => {
            let d = Doc::load(p)?;
            (by_key(facts::operations(&d, &select)?), Some(file_name(p)))
        }
        None => (BTreeMap::new(), None),
    };
    let entries = intended::load(&opts.intended)?;
    let upstream_name = file_name(&opts.upstream);

    let mut differences = Vec::new();
    let (mut against_upstream, mut against_legacy) = (0, 0);
    for op in &spec_ops {
        let key = op.key();
        if let Some(u) = upstream.get(&key) {
            against_upstream += 1;
            differences.extend(compare::operation(op, u, legacy.get(&key), &upstream_name));
        } else if let (Some(l), Some(name)) = (legacy.get(&key), &legacy_name) {
            against_legacy += 1;
            differences.extend(compare::operation(op, l, None, name));
        } else {
            differences.push(Difference {
                operation: op.operation_id.clone(),
                method: op.method.clone(),
                path: op.path.clone(),
                kind: Kind::OperationNotUpstream,
                at: String::new(),
                spec: "has it".to_owned(),
                upstream: format!("has not{}", if legacy_name.is_some() { " (nor has the legacy copy)" } else { "" }),
                against: upstream_name.clone(),
                legacy_agrees: None,
            });
        }
    }
    let missing = |u: &Operation, against: &str| Difference {
        operation: u.operation_id.clone(),
        method: u.method.clone(),
        path: u.path.clone(),
        kind: Kind::OperationMissing,
        at: String::new(),
        spec: "has not".to_owned(),
        upstream: "has it".to_owned(),
        against: against.to_owned(),
        legacy_agrees: None,
    };
    for (key, u) in &upstream {
        if is_backup(&u.tags) && !wanted.contains(key) {
            differences.push(missing(u, &upstream_name));
        }
    }
    if let Some(name) = &legacy_name {
        for (key, l) in &legacy {
            if is_backup(&l.tags) && !wanted.contains(key) && !upstream.contains_key(key) {
                differences.push(missing(l, name));
            }
        }
    }

    let matched = differences.iter().map(|d| entries.iter().find(|e| e.matches(d)).map(|e| e.index)).collect();
    Ok(Report { upstream_name, legacy_name, against_upstream, against_legacy, differences, matched, entries })
}
