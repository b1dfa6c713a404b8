//! Waiter drift: the `x-atlas-waiters` tables of the operations in scope, matched by
//! waiter name. Published Atlas specs have no waiters, so `spec check` (which compares
//! facts with them) never looks here; `drift` between two versions of our spec does.
//!
//! Rules: `waiter-added` (non-breaking: a new method), `waiter-removed` (breaking: the
//! method is gone) and `waiter-acceptors-changed` (breaking when `wait()` changes its
//! return type, polls another operation, or loses an acceptor, so that a wait that ended
//! before may now poll until it times out; non-breaking when acceptors were only added or
//! the delays changed), plus `waiter-state-added` (breaking: a value added to the enum of
//! a field an `equals` acceptor matches, which no acceptor names: when the service reports
//! that state, the waiter polls until it times out, so the table must classify it). The
//! enum values are the generator's (the IR of each document), the tables the documents'.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Change, Finding, Rule, Severity, Subject};
use super::spec::{Doc, Op};
use crate::error::{Error, pointer};
use crate::ir::{RawMatcher, WAITERS_EXTENSION, waiter_table};

/// What a user of a generated waiter depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiterFacts {
    /// The polled operation (its operationId, or method and path).
    pub operation: String,
    /// Each acceptor as `state: matcher`, in order.
    pub acceptors: Vec<String>,
    /// `minDelay..maxDelay` in seconds, as written.
    pub delays: String,
}

impl WaiterFacts {
    /// `wait()` answers the decoded answer unless every success is an error status.
    fn returns_answer(&self) -> bool {
        let gone =
            |a: &&String| a.strip_prefix("success: status ").and_then(|s| s.parse::<u16>().ok()).is_some_and(|s| !(200..300).contains(&s));
        let successes: Vec<&String> = self.acceptors.iter().filter(|a| a.starts_with("success:")).collect();
        successes.is_empty() || !successes.iter().all(gone)
    }
}

fn describe_matcher(m: &RawMatcher) -> String {
    let mut parts = Vec::new();
    if let Some(field) = &m.field {
        parts.push(field.clone());
    }
    if let Some(values) = &m.equals {
        parts.push(format!("equals [{}]", values.join(", ")));
    }
    if let Some(test) = m.test {
        parts.push(test.as_str().to_owned());
    }
    if let Some(status) = m.status {
        parts.push(format!("status {status}"));
    }
    parts.join(" ")
}

/// The fields a waiter's `equals` acceptors match, each with the values they name.
type Watched = BTreeMap<String, BTreeSet<String>>;

/// The waiters declared on `ops`, by name, with the operation and pointer of each. Tables
/// are read by the generator's own parser; one it refuses (generation fails on it) is left
/// out here.
fn waiters<'o, 'a>(ops: &[&'o Op<'a>]) -> BTreeMap<String, (&'o Op<'a>, String, WaiterFacts, Watched)> {
    let mut out = BTreeMap::new();
    for op in ops {
        let Some(Ok(list)) = op.op.extensions.get(WAITERS_EXTENSION).map(waiter_table) else { continue };
        let at = pointer(&op.ptr, WAITERS_EXTENSION);
        for (i, w) in list.into_iter().enumerate() {
            let acceptors = w.acceptors.iter().map(|a| format!("{}: {}", a.state.as_str(), describe_matcher(&a.matcher))).collect();
            let mut watched = Watched::new();
            for a in &w.acceptors {
                if let (Some(field), Some(values)) = (&a.matcher.field, &a.matcher.equals) {
                    watched.entry(field.clone()).or_default().extend(values.iter().cloned());
                }
            }
            let facts = WaiterFacts { operation: op.display_id(), acceptors, delays: format!("{}..{} s", w.min_delay, w.max_delay) };
            out.entry(w.name).or_insert((*op, pointer(&at, &i.to_string()), facts, watched));
        }
    }
    out
}

pub fn waiter_added(name: &str) -> Finding {
    Finding::new(Rule::WaiterAdded, Severity::NonBreaking, format!("waiter `{name}` added: a new `wait_until_*` method"))
}

pub fn waiter_removed(name: &str) -> Finding {
    Finding::new(Rule::WaiterRemoved, Severity::Breaking, format!("waiter `{name}` removed: its generated `wait_until_*` method is gone"))
}

pub fn waiter_acceptors_changed(name: &str, old: &WaiterFacts, new: &WaiterFacts) -> Option<Finding> {
    if old == new {
        return None;
    }
    let mut why = Vec::new();
    if old.operation != new.operation {
        why.push(format!("it polls `{}` instead of `{}` (other setters)", new.operation, old.operation));
    }
    if old.returns_answer() != new.returns_answer() {
        let kind = |answer: bool| if answer { "the answer" } else { "()" };
        why.push(format!("`wait()` returns {} instead of {}", kind(new.returns_answer()), kind(old.returns_answer())));
    }
    let removed: Vec<&String> = old.acceptors.iter().filter(|a| !new.acceptors.contains(a)).collect();
    let added: Vec<&String> = new.acceptors.iter().filter(|a| !old.acceptors.contains(a)).collect();
    let breaking = !why.is_empty() || !removed.is_empty();
    if !removed.is_empty() {
        why.push(format!("acceptor(s) removed ({}): a wait that ended before may now poll until it times out", quote(&removed)));
    }
    if !added.is_empty() {
        why.push(format!("acceptor(s) added ({})", quote(&added)));
    }
    if removed.is_empty() && added.is_empty() && old.acceptors != new.acceptors {
        why.push("acceptors reordered (the first that matches decides)".to_owned());
    }
    if old.delays != new.delays {
        why.push(format!("default delays {} instead of {}", new.delays, old.delays));
    }
    let severity = if breaking { Severity::Breaking } else { Severity::NonBreaking };
    Some(Finding::new(Rule::WaiterAcceptorsChanged, severity, format!("waiter `{name}` changed: {}", why.join("; "))))
}

/// `value` was added to the enum of `field`, which waiter `name` matches, and no acceptor
/// of its table names it.
pub fn waiter_state_added(name: &str, field: &str, value: &str) -> Finding {
    Finding::new(
        Rule::WaiterStateAdded,
        Severity::Breaking,
        format!(
            "enum value `{value}` added to `{field}`, which waiter `{name}` matches, and no acceptor names it: \
             when the service reports it the waiter polls until it times out; the waiter table must classify it"
        ),
    )
}

fn quote(list: &[&String]) -> String {
    list.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
}

/// The waiter changes between the operations in scope of both documents.
pub(crate) fn changes(old_doc: &Doc<'_>, new_doc: &Doc<'_>, old_ops: &[&Op<'_>], new_ops: &[&Op<'_>]) -> Result<Vec<Change>, Error> {
    let (old, new) = (waiters(old_ops), waiters(new_ops));
    let change = |op: &Op<'_>, name: &str, at: &str, f: Finding| Change {
        severity: f.severity,
        subject: Subject::Operation { id: op.display_id(), method: op.method.clone(), path: op.path.to_owned() },
        place: super::model::Place::Operation,
        field: format!("waiter {name}"),
        pointer: at.to_owned(),
        counterpart: String::new(),
        rule: f.rule,
        message: f.message,
    };
    let mut out = Vec::new();
    for (name, (op, at, facts, _)) in &old {
        match new.get(name) {
            None => out.push(change(op, name, at, waiter_removed(name))),
            Some((new_op, new_at, new_facts, watched)) => {
                if let Some(f) = waiter_acceptors_changed(name, facts, new_facts) {
                    out.push(change(new_op, name, new_at, f));
                }
                for (field, named) in watched {
                    let path: Vec<&str> = field.split('.').collect();
                    let Some((values, field_at)) = new_doc.types()?.answer_enum(&new_op.ptr, &path) else { continue };
                    let before: BTreeSet<String> =
                        old_doc.types()?.answer_enum(&op.ptr, &path).map(|(v, _)| v.into_iter().collect()).unwrap_or_default();
                    for value in values.iter().filter(|v| !before.contains(*v) && !named.contains(*v)) {
                        out.push(change(new_op, name, &field_at, waiter_state_added(name, field, value)));
                    }
                }
            }
        }
    }
    for (name, (op, at, _, _)) in &new {
        if !old.contains_key(name) {
            out.push(change(op, name, at, waiter_added(name)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(acceptors: &[&str]) -> WaiterFacts {
        WaiterFacts {
            operation: "getThing".to_owned(),
            acceptors: acceptors.iter().map(|a| (*a).to_owned()).collect(),
            delays: "5..60 s".to_owned(),
        }
    }

    #[test]
    fn added_is_non_breaking_and_removed_breaking() {
        assert_eq!(waiter_added("jobDone").severity, Severity::NonBreaking);
        assert_eq!(waiter_removed("jobDone").severity, Severity::Breaking);
        assert!(waiter_removed("jobDone").message.contains("jobDone"));
    }

    #[test]
    fn a_state_nobody_classifies_is_breaking_and_named() {
        let f = waiter_state_added("snapshotCompleted", "status", "cancelled");
        assert_eq!((f.rule, f.severity), (Rule::WaiterStateAdded, Severity::Breaking));
        for part in ["`snapshotCompleted`", "`status`", "`cancelled`", "must classify"] {
            assert!(f.message.contains(part), "{part}: {}", f.message);
        }
    }

    #[test]
    fn acceptor_changes_are_classified() {
        let base = facts(&["success: status equals [DONE]", "retry: status equals [QUEUED]"]);
        assert_eq!(waiter_acceptors_changed("w", &base, &base), None);
        // Only added: non-breaking.
        let more = facts(&["success: status equals [DONE]", "failure: failed isTrue", "retry: status equals [QUEUED]"]);
        let f = waiter_acceptors_changed("w", &base, &more).expect("a change");
        assert_eq!((f.rule, f.severity), (Rule::WaiterAcceptorsChanged, Severity::NonBreaking));
        assert!(f.message.contains("failed isTrue"), "{}", f.message);
        // Removed: breaking, the wait may no longer end.
        let fewer = facts(&["success: status equals [DONE]"]);
        assert_eq!(waiter_acceptors_changed("w", &base, &fewer).map(|f| f.severity), Some(Severity::Breaking));
        // Success on an error status instead: `wait()` returns `()`.
        let gone = facts(&["success: status 404", "retry: status 200"]);
        let f = waiter_acceptors_changed("w", &base, &gone).expect("a change");
        assert!(f.severity == Severity::Breaking && f.message.contains("returns ()"), "{}", f.message);
        // Delays only: non-breaking.
        let slower = WaiterFacts { delays: "10..60 s".to_owned(), ..base.clone() };
        assert_eq!(waiter_acceptors_changed("w", &base, &slower).map(|f| f.severity), Some(Severity::NonBreaking));
    }

    #[test]
    fn matchers_read_the_same_whatever_the_key_order() {
        let matcher = |v: serde_json::Value| -> RawMatcher { serde_json::from_value(v).expect("a matcher") };
        let a = matcher(serde_json::json!({"field": "status", "equals": ["DONE"]}));
        let b = matcher(serde_json::json!({"equals": ["DONE"], "field": "status"}));
        assert_eq!(describe_matcher(&a), describe_matcher(&b));
        assert_eq!(describe_matcher(&a), "status equals [DONE]");
        assert_eq!(describe_matcher(&matcher(serde_json::json!({"field": "failed", "test": "isTrue"}))), "failed isTrue");
        assert_eq!(describe_matcher(&matcher(serde_json::json!({"status": 404}))), "status 404");
    }
}
