//! Waiters: the `x-atlas-waiters` extension of a GET operation, lowered and checked against
//! the operation's response schema.
//!
//! A waiter polls one operation until an acceptor decides: `success` (the answer is
//! returned), `failure` (the wait ends with an error) or `retry` (poll again). The table
//! lives next to the operation it polls, so a spec update that renames a status or drops
//! a field breaks generation here, with the waiter, the pointer and the line, instead of
//! shipping a waiter that never ends.
//!
//! ```yaml
//! x-atlas-waiters:
//!   - name: snapshotCompleted
//!     minDelay: 15          # seconds
//!     maxDelay: 120
//!     acceptors:
//!       - state: success
//!         matcher: {field: status, equals: [completed]}
//!       - state: failure
//!         matcher: {field: failed, test: isTrue}     # also: present, nonEmpty
//!       - state: retry
//!         matcher: {status: 200}                     # the HTTP status of the answer
//!     otherwise: retry      # optional: what the enum values no acceptor names mean
//! ```
//!
//! Tables are exhaustive: when acceptors match an enum field with `equals`, every value of
//! the enum is named by one of them, or the waiter says `otherwise: retry`. A state Atlas
//! adds (snapshots gaining `cancelled`) then fails generation, naming the waiter, the field
//! and the value, instead of shipping a waiter that polls it until its time runs out.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Api, Method, ResponseKind, TypeKind, TypeRef};
use crate::error::{Error, pointer};
use crate::load::Loaded;

/// The extension that declares waiters.
pub const EXTENSION: &str = "x-atlas-waiters";

/// One waiter of the spec.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The table's name (`snapshotCompleted`).
    pub name: String,
    pub description: Option<String>,
    /// The polled operation: an index into [`Api::operations`].
    pub operation: usize,
    /// Default delays, in seconds.
    pub min_delay: u64,
    pub max_delay: u64,
    /// In the order they are tried.
    pub acceptors: Vec<Acceptor>,
    /// Filled by `names`: the `Client` method (`wait_until_snapshot_completed`).
    pub method_ident: String,
    /// Filled by `names`: the builder type (`WaitUntilSnapshotCompleted`).
    pub builder_ident: String,
    pub pointer: String,
}

impl Waiter {
    /// Whether success is an answer (the waiter returns it) rather than an error status
    /// such as 404 (the waiter returns `()`). [`lower`] refuses a mix.
    pub fn succeeds_with_answer(&self) -> bool {
        self.acceptors.iter().filter(|a| a.state == State::Success).all(|a| a.matcher.on_answer())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptor {
    pub state: State,
    pub matcher: Matcher,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Success,
    Failure,
    Retry,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Success => "success",
            State::Failure => "failure",
            State::Retry => "retry",
        }
    }
}

/// What an acceptor looks at. `path` is the field's JSON names, outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The string (or enum) field equals one of `values`.
    Equals { path: Vec<String>, values: Vec<String> },
    /// The boolean field is true.
    IsTrue { path: Vec<String> },
    /// The field is present and not null.
    Present { path: Vec<String> },
    /// The array field has at least one element.
    NonEmpty { path: Vec<String> },
    /// The HTTP status of the answer, or of the error the call returned.
    Status(u16),
}

impl Matcher {
    /// Whether the matcher can only match a decoded (2xx) answer.
    pub fn on_answer(&self) -> bool {
        match self {
            Matcher::Status(s) => (200..300).contains(s),
            _ => true,
        }
    }

    /// One line, for docs and the API surface: `status == completed`, `failed is true`, ...
    pub fn describe(&self) -> String {
        match self {
            Matcher::Equals { path, values } => {
                format!("`{}` is {}", path.join("."), values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(" or "))
            }
            Matcher::IsTrue { path } => format!("`{}` is true", path.join(".")),
            Matcher::Present { path } => format!("`{}` is present", path.join(".")),
            Matcher::NonEmpty { path } => format!("`{}` is not empty", path.join(".")),
            Matcher::Status(s) => format!("HTTP {s}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
/// One waiter as the table writes it, before it is checked against the schemas (the drift
/// engine compares tables in this form).
pub(crate) struct RawWaiter {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub min_delay: u64,
    pub max_delay: u64,
    pub acceptors: Vec<RawAcceptor>,
    /// What an answer no acceptor matches means. Only `retry` (keep polling, what the client
    /// does with such an answer) is accepted: it is how a table says that the enum values it
    /// does not name are in-progress states, so that exhaustiveness is a decision, not luck.
    #[serde(default)]
    pub otherwise: Option<State>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAcceptor {
    pub state: State,
    pub matcher: RawMatcher,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMatcher {
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub equals: Option<Vec<String>>,
    #[serde(default)]
    pub test: Option<Test>,
    #[serde(default)]
    pub status: Option<u16>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Test {
    IsTrue,
    Present,
    NonEmpty,
}

impl Test {
    /// The name the table writes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Test::IsTrue => "isTrue",
            Test::Present => "present",
            Test::NonEmpty => "nonEmpty",
        }
    }
}

/// Reads one `x-atlas-waiters` table; the error has the path inside it.
pub(crate) fn table(value: &serde_json::Value) -> Result<Vec<RawWaiter>, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(value)
}

/// Reads and checks every waiter of the document; `api` is the lowered rest of it.
pub fn lower(loaded: &Loaded, api: &Api) -> Result<Vec<Waiter>, Error> {
    let source = loaded;
    let doc = &loaded.doc;
    if doc.extensions.contains_key(EXTENSION) {
        return Err(misplaced(source, &pointer("#", EXTENSION)));
    }
    let mut waiters = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in &doc.paths.paths {
        let path_at = pointer("#/paths", path);
        let openapiv3::ReferenceOr::Item(item) = item else { continue };
        if item.extensions.contains_key(EXTENSION) {
            return Err(misplaced(source, &pointer(&path_at, EXTENSION)));
        }
        for (method, op) in item.iter() {
            let Some(value) = op.extensions.get(EXTENSION) else { continue };
            let op_at = pointer(&path_at, method);
            let at = pointer(&op_at, EXTENSION);
            let Some(index) = api.operations.iter().position(|o| o.pointer == op_at) else { continue };
            let raw = table(value).map_err(|e| {
                let rel = crate::error::path_pointer(e.path());
                source.error(&format!("{at}{}", rel.trim_start_matches('#')), format!("invalid waiter table: {}", e.into_inner()))
            })?;
            for (i, w) in raw.into_iter().enumerate() {
                let w_at = pointer(&at, &i.to_string());
                if let Some(first) = names.insert(w.name.clone(), w_at.clone()) {
                    return Err(
                        source.error(&pointer(&w_at, "name"), format!("duplicate waiter name {:?}: already declared at {first}", w.name))
                    );
                }
                let name = w.name.clone();
                waiters.push(Checker { source, api, name: &name, at: &w_at }.waiter(w, index)?);
            }
        }
    }
    Ok(waiters)
}

fn misplaced(source: &Loaded, at: &str) -> Error {
    source.error(at, format!("`{EXTENSION}` belongs on the GET operation the waiters poll, not here"))
}

/// An enum field a matcher looks at: its pointer in the spec and every value of its enum.
type EnumField = (String, Vec<String>);

/// Checks one waiter; every message names it.
struct Checker<'a> {
    /// Errors go through it: a table the overlay brought in is reported in the overlay.
    source: &'a Loaded,
    api: &'a Api,
    name: &'a str,
    at: &'a str,
}

impl Checker<'_> {
    fn error(&self, at: &str, message: impl std::fmt::Display) -> Error {
        self.source.error(at, format!("waiter {:?}: {message}", self.name))
    }

    fn waiter(&self, w: RawWaiter, index: usize) -> Result<Waiter, Error> {
        let op = &self.api.operations[index];
        if op.method != Method::Get {
            return Err(self.error(
                self.at,
                format!("polls `{}` ({} {}); a waiter polls a GET operation", op.operation_id, op.method.as_str(), op.path),
            ));
        }
        if w.name.trim().is_empty() || !w.name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(self.error(&pointer(self.at, "name"), "the name must be ASCII letters and digits (it becomes `wait_until_<name>`)"));
        }
        if w.min_delay == 0 {
            return Err(self.error(&pointer(self.at, "minDelay"), "minDelay must be at least 1 second"));
        }
        if w.max_delay < w.min_delay {
            return Err(self
                .error(&pointer(self.at, "maxDelay"), format!("maxDelay ({} s) is less than minDelay ({} s)", w.max_delay, w.min_delay)));
        }
        let answer = match &op.response {
            ResponseKind::Json(ty) => Some(ty),
            ResponseKind::Empty | ResponseKind::Bytes => None,
        };
        let mut acceptors = Vec::with_capacity(w.acceptors.len());
        // Per enum field matched with `equals`: its pointer, every value, the values named.
        let mut enums: BTreeMap<String, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for (j, a) in w.acceptors.into_iter().enumerate() {
            let a_at = pointer(&pointer(self.at, "acceptors"), &j.to_string());
            let (matcher, values) = self.matcher(a.matcher, answer, &pointer(&a_at, "matcher"))?;
            if let (Matcher::Equals { path, values: named }, Some((field_pointer, all))) = (&matcher, values) {
                let entry = enums.entry(path.join(".")).or_insert((field_pointer, all, Vec::new()));
                entry.2.extend(named.iter().cloned());
            }
            acceptors.push(Acceptor { state: a.state, matcher });
        }
        let successes: Vec<&Acceptor> = acceptors.iter().filter(|a| a.state == State::Success).collect();
        if successes.is_empty() {
            return Err(self.error(&pointer(self.at, "acceptors"), "no acceptor has state `success`: the wait could only fail or time out"));
        }
        if successes.iter().any(|a| a.matcher.on_answer()) && successes.iter().any(|a| !a.matcher.on_answer()) {
            return Err(self.error(
                &pointer(self.at, "acceptors"),
                "success acceptors mix decoded answers and error statuses: the waiter could not say what it returns",
            ));
        }
        match w.otherwise {
            None => {
                for (field, (field_pointer, all, named)) in &enums {
                    let unclassified: Vec<&str> = all.iter().filter(|v| !named.contains(v)).map(String::as_str).collect();
                    if !unclassified.is_empty() {
                        return Err(self.error(
                            &pointer(self.at, "acceptors"),
                            format!(
                                "no acceptor classifies {} of `{field}` ({field_pointer}): name {} in an acceptor, or say `otherwise: retry` to keep polling on the values no acceptor names",
                                unclassified.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "),
                                if unclassified.len() == 1 { "it" } else { "each" },
                            ),
                        ));
                    }
                }
            }
            Some(State::Retry) => {}
            Some(other) => {
                return Err(self.error(
                    &pointer(self.at, "otherwise"),
                    format!("`otherwise: {}` is not supported: an answer no acceptor matches keeps the waiter polling, so only `otherwise: retry` says what it means", other.as_str()),
                ));
            }
        }
        Ok(Waiter {
            name: w.name,
            description: w.description,
            operation: index,
            min_delay: w.min_delay,
            max_delay: w.max_delay,
            acceptors,
            method_ident: String::new(),
            builder_ident: String::new(),
            pointer: self.at.to_owned(),
        })
    }

    /// The matcher, and for `equals` on an enum field the field's pointer and every value of
    /// its enum.
    fn matcher(&self, m: RawMatcher, answer: Option<&TypeRef>, at: &str) -> Result<(Matcher, Option<EnumField>), Error> {
        let kinds = usize::from(m.equals.is_some()) + usize::from(m.test.is_some()) + usize::from(m.status.is_some());
        if kinds != 1 {
            return Err(self.error(at, "a matcher has exactly one of `equals`, `test` or `status`"));
        }
        if let Some(status) = m.status {
            if m.field.is_some() {
                return Err(self.error(&pointer(at, "field"), "a `status` matcher looks at no field"));
            }
            if !(100..=599).contains(&status) {
                return Err(self.error(&pointer(at, "status"), format!("{status} is not an HTTP status (100-599)")));
            }
            return Ok((Matcher::Status(status), None));
        }
        let field_at = pointer(at, "field");
        let Some(field) = m.field else {
            return Err(self.error(at, "`equals` and `test` need a `field`"));
        };
        let Some(answer) = answer else {
            return Err(self.error(&field_at, "the polled operation answers no JSON body, so no field can be matched"));
        };
        let path: Vec<String> = field.split('.').map(str::to_owned).collect();
        let (ty, field_pointer) = self.field(answer, &path, &field_at)?;
        let ty = self.resolve(ty);
        let shown = path.join(".");
        if let Some(values) = m.equals {
            if values.is_empty() {
                return Err(self.error(&pointer(at, "equals"), "`equals` lists no value"));
            }
            let all = match ty {
                TypeRef::String => None,
                TypeRef::Named(id) => {
                    let TypeKind::Enum(e) = &self.api.ty(*id).kind else {
                        return Err(self.error(&field_at, format!("`equals` needs a string field; `{shown}` is not one")));
                    };
                    for (k, v) in values.iter().enumerate() {
                        if !e.variants.iter().any(|ev| &ev.value == v) {
                            let allowed: Vec<&str> = e.variants.iter().map(|ev| ev.value.as_str()).collect();
                            return Err(self.error(
                                &pointer(&pointer(at, "equals"), &k.to_string()),
                                format!("value {v:?} is not in the enum of `{shown}` ({field_pointer}): {}", allowed.join(", ")),
                            ));
                        }
                    }
                    Some((field_pointer, e.variants.iter().map(|ev| ev.value.clone()).collect()))
                }
                _ => return Err(self.error(&field_at, format!("`equals` needs a string field; `{shown}` is not one"))),
            };
            return Ok((Matcher::Equals { path, values }, all));
        }
        let matcher = match m.test {
            Some(Test::IsTrue) if *ty == TypeRef::Bool => Matcher::IsTrue { path },
            Some(Test::IsTrue) => {
                return Err(self.error(&field_at, format!("`isTrue` needs a boolean field; `{shown}` ({field_pointer}) is not a boolean")));
            }
            Some(Test::NonEmpty) if matches!(ty, TypeRef::Vec(_)) => Matcher::NonEmpty { path },
            Some(Test::NonEmpty) => {
                return Err(self.error(&field_at, format!("`nonEmpty` needs an array field; `{shown}` ({field_pointer}) is not an array")));
            }
            Some(Test::Present) | None => Matcher::Present { path },
        };
        Ok((matcher, None))
    }

    /// Follows aliases to what a type is made of.
    fn resolve<'t>(&'t self, mut ty: &'t TypeRef) -> &'t TypeRef {
        for _ in 0..self.api.types.len() {
            match ty {
                TypeRef::Named(id) => match &self.api.ty(*id).kind {
                    TypeKind::Alias(inner) => ty = inner,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    /// The type of the field at `path` in the answer, and the field's pointer in the spec.
    fn field<'t>(&'t self, answer: &'t TypeRef, path: &[String], at: &str) -> Result<(&'t TypeRef, String), Error> {
        let mut ty = answer;
        let mut found = None;
        for (depth, name) in path.iter().enumerate() {
            let here = path[..depth].join(".");
            let resolved = self.resolve(ty);
            let fields = match resolved {
                TypeRef::Named(id) => match &self.api.ty(*id).kind {
                    TypeKind::Struct(s) => Some((&s.fields, &self.api.ty(*id).pointer)),
                    _ => None,
                },
                _ => None,
            };
            let Some((fields, schema)) = fields else {
                let what = if here.is_empty() { "the answer".to_owned() } else { format!("`{here}`") };
                return Err(self.error(at, format!("{what} is not an object, so it has no field `{name}`")));
            };
            let Some(f) = fields.iter().find(|f| &f.json_name == name) else {
                let names: Vec<&str> = fields.iter().map(|f| f.json_name.as_str()).collect();
                return Err(self.error(
                    at,
                    format!("`{}` is not a field of the response schema {schema} (fields: {})", path[..=depth].join("."), names.join(", ")),
                ));
            };
            ty = &f.ty;
            found = Some(f.pointer.clone());
        }
        Ok((ty, found.unwrap_or_default()))
    }
}
