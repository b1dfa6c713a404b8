//! Waiters (`wait_until_*`): a `static` acceptor table and a thin builder each, printed
//! into the `operations/` module of the operation they poll; the logic is the runtime's
//! `waiter.rs`.

use askama::Template;

use super::operations::{deprecation, setter_arg};
use super::{Piece, docs, ident, lit, render_template, rust_type};
use crate::error::Error;
use crate::ir::{AcceptorState, Api, Matcher, Operation, ResponseKind, Waiter};

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
    doc: String,
    deprecated: String,
    method: String,
    builder: String,
    created_by: String,
    poll_method: String,
    poll_builder: String,
    name: String,
    operation_id: String,
    min_delay: u64,
    max_delay: u64,
    acceptors: Vec<AcceptorView>,
    params: Vec<ParamView>,
    wait_doc: String,
    output: String,
    answer: String,
    finish: &'static str,
}

/// Appends the items of every waiter that polls one of `ops`, in spec order.
pub(super) fn render_for(api: &Api, ops: &[&Operation], pieces: &mut Vec<Piece>) -> Result<(), Error> {
    for w in &api.waiters {
        let op = &api.operations[w.operation];
        if !ops.iter().any(|o| o.operation_id == op.operation_id) {
            continue;
        }
        let text = render_waiter(api, w, op)?;
        pieces.push(Piece { text, template: "waiter.askama", item: format!("waiter {} ({})", w.name, w.pointer) });
    }
    Ok(())
}

fn state(s: AcceptorState) -> (&'static str, &'static str) {
    match s {
        AcceptorState::Success => ("Success", "success"),
        AcceptorState::Failure => ("Failure", "failure"),
        AcceptorState::Retry => ("Retry", "keep polling"),
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

/// The docs of the method and the builder: what is awaited, the polled operation, the
/// delays and every acceptor in order.
fn waiter_doc(w: &Waiter, op: &Operation) -> String {
    let mut lines = docs::lines(&format!("Waits until {}", w.description.as_deref().unwrap_or(&w.name)));
    lines.push(String::new());
    lines.push(format!(
        "Polls [`Client::{m}`](crate::Client::{m}) (`{}`, `GET {}`), first at once, then after {} s, \
         waits doubling up to {} s (jittered), until the maximum wait given to \
         [`wait`]({b}::wait) runs out. Waiter `{}` of the spec.",
        op.operation_id,
        op.path,
        w.min_delay,
        w.max_delay,
        w.name,
        m = op.method_ident,
        b = w.builder_ident,
    ));
    lines.push(String::new());
    lines.push("Acceptors, tried in order on each answer:".to_owned());
    lines.push(String::new());
    for (i, a) in w.acceptors.iter().enumerate() {
        lines.push(format!("{}. {}: {}", i + 1, state(a.state).1, a.matcher.describe()));
    }
    lines.push(String::new());
    lines.push(format!(
        "An answer that no acceptor matches keeps the waiter polling (logged once at `warn`); a failed call \
         that none matches ends the wait at once with [`WaitError::Call`](crate::WaitError::Call). {}",
        if w.succeeds_with_answer() { "Success answers the decoded answer." } else { "Success answers `()`." }
    ));
    docs::attrs(&lines)
}

fn render_waiter(api: &Api, w: &Waiter, op: &Operation) -> Result<String, Error> {
    let answer = match &op.response {
        ResponseKind::Json(ty) => rust_type(api, ty, "crate::models"),
        ResponseKind::Empty => "()".to_owned(),
        ResponseKind::Bytes => "bytes::Bytes".to_owned(),
    };
    let (output, finish, wait_doc) = if w.succeeds_with_answer() {
        (answer.clone(), ".and_then(crate::waiter::answer)", " Polls until a success acceptor matches, and answers that answer.")
    } else {
        ("()".to_owned(), ".map(|_gone| ())", " Polls until a success acceptor matches the error status (the resource is gone).")
    };
    let params = op
        .params
        .iter()
        .map(|p| ParamView {
            doc: lit(&format!(" `{}`: see [`{}::{}`].", p.name, op.builder_ident, p.ident.trim_start_matches("r#"))),
            field: ident(&p.ident),
            arg: setter_arg(api, p).0,
        })
        .collect();
    let t = WaiterTemplate {
        doc: waiter_doc(w, op),
        deprecated: deprecation(op),
        method: ident(&w.method_ident),
        builder: ident(&w.builder_ident),
        created_by: lit(&format!(" [`Client::{}`](crate::Client::{}).", w.method_ident, w.method_ident)),
        poll_method: ident(&op.method_ident),
        poll_builder: ident(&op.builder_ident),
        name: lit(&w.name),
        operation_id: lit(&op.operation_id),
        min_delay: w.min_delay,
        max_delay: w.max_delay,
        acceptors: w.acceptors.iter().map(|a| AcceptorView { state: state(a.state).0, matcher: matcher(&a.matcher) }).collect(),
        params,
        wait_doc: lit(wait_doc),
        output,
        answer,
        finish,
    };
    render_template(&t, "waiter.askama", &w.name)
}
