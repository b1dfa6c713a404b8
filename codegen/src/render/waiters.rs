//! Waiters (`wait_until_*`): a `static` acceptor table and a thin builder each, printed
//! into the `operations/` module of the operation they poll; the logic is the runtime's
//! `waiter.rs`.

use askama::Template;

// Templates mark their rows (`{{ self::ROW }}`): see `super::rows`.
use super::rows::ROW;

use super::operations::{deprecation, setter_arg};
use super::types::answer_type;
use super::{Piece, docs, ident, lit, render_template};
use crate::error::Error;
use crate::ir::{AcceptorState, Api, Matcher, Operation, Waiter};

struct ParamView {
    doc: String,
    field: String,
    arg: String,
}

struct AcceptorView {
    state: &'static str,
    matcher: String,
}

#[derive(Template)]
#[template(path = "waiter.askama", escape = "none")]
struct WaiterTemplate {
    method_doc: String,
    doc: String,
    deprecated: String,
    method: String,
    builder: String,
    poll_method: String,
    poll_builder: String,
    name: String,
    operation_id: String,
    min_delay: u64,
    max_delay: u64,
    acceptors: Vec<AcceptorView>,
    params: Vec<ParamView>,
    answer: String,
    kind: &'static str,
}

/// The items of every waiter that polls one of `ops`, in spec order.
pub(super) fn render_for(api: &Api, ops: &[&Operation]) -> Result<Vec<Piece>, Error> {
    let mut pieces = Vec::new();
    for w in &api.waiters {
        let op = &api.operations[w.operation];
        if !ops.iter().any(|o| o.operation_id == op.operation_id) {
            continue;
        }
        let text = render_waiter(api, w, op)?;
        pieces.push(Piece { text, template: "waiter.askama", item: format!("waiter {} ({})", w.name, w.pointer) });
    }
    Ok(pieces)
}

fn state(s: AcceptorState) -> (&'static str, &'static str) {
    match s {
        AcceptorState::Success => ("success", "success"),
        AcceptorState::Failure => ("failure", "failure"),
        AcceptorState::Retry => ("retry", "keep polling"),
    }
}

fn strs(values: &[String]) -> String {
    format!("&[{}]", values.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", "))
}

fn matcher(m: &Matcher) -> String {
    let m_path = "crate::waiter::Matcher";
    match m {
        Matcher::Equals { path, values } => format!("{m_path}::Equals({}, {})", strs(path), strs(values)),
        Matcher::IsTrue { path } => format!("{m_path}::IsTrue({})", strs(path)),
        Matcher::Present { path } => format!("{m_path}::Present({})", strs(path)),
        Matcher::NonEmpty { path } => format!("{m_path}::NonEmpty({})", strs(path)),
        Matcher::Status(code) => format!("{m_path}::Status({code})"),
    }
}

/// The builder's docs: what is awaited, the polled operation, the delays and every
/// acceptor in order; what all waiters share is in the crate docs' "Waiters" section.
fn waiter_doc(api: &Api, w: &Waiter, op: &Operation) -> String {
    let mut lines = docs::lines(&format!("Waits until {}", w.description.as_deref().unwrap_or(&w.name)));
    lines.push(String::new());
    lines.push(format!(
        "Polls [`Client::{m}`](crate::Client::{m}) (`{}`, `GET {}`) at once, then after {} s, waits doubling \
         up to {} s (jittered); waiter `{}` of the spec; see [waiters](crate#waiters).",
        op.operation_id,
        op.path,
        w.min_delay,
        w.max_delay,
        w.name,
        m = op.method_ident,
    ));
    lines.push(String::new());
    lines.push(format!(
        "Acceptors, in order ({}):",
        if w.succeeds_with_answer() { "success answers the decoded answer" } else { "success answers `()`" }
    ));
    lines.push(String::new());
    for (i, a) in w.acceptors.iter().enumerate() {
        lines.push(format!("{}. {}: {}", i + 1, state(a.state).1, a.matcher.describe()));
    }
    if let Some(note) = api.rename_note(&w.pointer, &w.builder_ident) {
        lines.push(String::new());
        lines.push(note.to_owned());
    }
    docs::attrs(&lines)
}

/// The `Client` method's docs: what is awaited, and a link to the builder.
fn method_doc(api: &Api, w: &Waiter) -> String {
    let mut lines = docs::lines(&format!("Waits until {}", w.description.as_deref().unwrap_or(&w.name)));
    let link = format!("see [`{}`] for the polled operation, its acceptors and delays", w.builder_ident);
    match lines.last_mut() {
        Some(last) if !last.is_empty() && !last.starts_with("```") => *last = format!("{} ({link}).", last.trim_end_matches('.')),
        _ => lines.push(format!("{link}.")),
    }
    if let Some(note) = api.rename_note(&w.pointer, &w.method_ident) {
        lines.push(String::new());
        lines.push(note.to_owned());
    }
    docs::attrs(&lines)
}

fn render_waiter(api: &Api, w: &Waiter, op: &Operation) -> Result<String, Error> {
    let answer = answer_type(api, &op.response, super::operations::MODELS);
    // What `wait` answers: the decoded answer, or `()` when success is that it is gone.
    let kind = if w.succeeds_with_answer() { "answer" } else { "gone" };
    let params = op
        .params
        .iter()
        .map(|p| ParamView {
            doc: docs::literal(&format!(" `{}`: see [`{}::{}`].", p.name, op.builder_ident, crate::names::plain(&p.ident))),
            field: ident(&p.ident),
            arg: setter_arg(api, p).0,
        })
        .collect();
    let t = WaiterTemplate {
        method_doc: method_doc(api, w),
        doc: waiter_doc(api, w, op),
        deprecated: deprecation(op),
        method: ident(&w.method_ident),
        builder: ident(&w.builder_ident),
        poll_method: ident(&op.method_ident),
        poll_builder: ident(&op.builder_ident),
        name: lit(&w.name),
        operation_id: lit(&op.operation_id),
        min_delay: w.min_delay,
        max_delay: w.max_delay,
        acceptors: w.acceptors.iter().map(|a| AcceptorView { state: state(a.state).0, matcher: matcher(&a.matcher) }).collect(),
        params,
        answer,
        kind,
    };
    render_template(&t, "waiter.askama", &w.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_are_the_runtimes() {
        let path = vec!["status".to_owned()];
        for (m, want) in [
            (Matcher::Status(404), "crate::waiter::Matcher::Status(404)"),
            (Matcher::IsTrue { path: path.clone() }, "crate::waiter::Matcher::IsTrue(&[\"status\"])"),
            (
                Matcher::Equals { path, values: vec!["DONE".to_owned(), "OK".to_owned()] },
                "crate::waiter::Matcher::Equals(&[\"status\"], &[\"DONE\", \"OK\"])",
            ),
        ] {
            assert_eq!(matcher(&m), want);
        }
        assert_eq!(state(AcceptorState::Retry), ("retry", "keep polling"));
    }
}
