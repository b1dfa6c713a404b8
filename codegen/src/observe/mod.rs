//! `spec observe`: `spec/` against what Atlas really answered, read from HTTP Archives
//! (HAR 1.2, as the client's `HarRecorder`, browsers or mitmproxy write them).
//!
//! Each recorded exchange is matched to an operation (method and path template, [`routes`]),
//! its version taken from the response's `Content-Type`, and its body walked against the
//! type the generator gives that answer ([`validate`], on the IR). What disagrees is
//! reported per component schema and JSON pointer, with one example ([`Finding`]); the
//! reviewed ones, listed under `observed:` in `spec/intended-differences.yaml` ([`known`]),
//! are reported as known and do not fail the run. [`report`] prints it in the drift
//! engine's style.

pub mod har;
pub mod known;
pub mod report;
pub mod routes;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::ir::{Api, Operation, ResponseKind, TypeRef};
use crate::load::Loaded;
use har::Exchange;
use known::Known;
use validate::{Observed, Place, Walk};

/// What kind of disagreement a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A property the schema does not describe (and no `additionalProperties` takes).
    UndocumentedProperty,
    /// A value an enum (or a `oneOf`'s discriminator) does not list.
    UnlistedEnumValue,
    /// A value outside the declared type or format: an integer past `int32`, a date-time
    /// that does not parse, a string where a number is declared.
    TypeMismatch,
    /// A required property that is absent.
    RequiredAbsent,
    /// `null` where the schema does not allow it.
    NullNotAllowed,
    /// An exchange no operation of the spec describes: no operation has its method and
    /// path, or the operation declares neither its status nor its media type.
    UnmatchedExchange,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::UndocumentedProperty,
        Kind::UnlistedEnumValue,
        Kind::TypeMismatch,
        Kind::RequiredAbsent,
        Kind::NullNotAllowed,
        Kind::UnmatchedExchange,
    ];

    /// The kebab-case name of reports and of `observed:` entries.
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(s)) => s,
            _ => format!("{self:?}"),
        }
    }

    /// Whether the generated client fails to decode a value with this finding (an unknown
    /// property is skipped, an unlisted value kept as `Unknown`, a null read as absent).
    pub fn breaks_decoding(self) -> bool {
        matches!(self, Kind::TypeMismatch | Kind::RequiredAbsent)
    }

    /// What to do about a finding of this kind, in one or two sentences.
    pub fn advice(self) -> &'static str {
        match self {
            Kind::UndocumentedProperty => {
                "Atlas sends a property the spec does not describe, and the client's model drops it. Describe it in spec/ \
                 (and list the `field-added` difference that `spec check` then reports), or list it here as known; report \
                 it upstream (mongodb/openapi) either way."
            }
            Kind::UnlistedEnumValue => {
                "Atlas sends a value the spec does not list; the client keeps it as `Unknown`. Add the value in spec/ (and \
                 list the `enum-changed` difference), or list it here as known; report it upstream."
            }
            Kind::TypeMismatch => {
                "Atlas sends a value the declared type or format cannot hold: the client fails to decode this answer. A \
                 bug to report upstream; widen the type in spec/ as an intended difference meanwhile."
            }
            Kind::RequiredAbsent => {
                "Atlas leaves out a property the spec requires: the client fails to decode this answer. A bug to report \
                 upstream; make the property optional in spec/ as an intended difference meanwhile."
            }
            Kind::NullNotAllowed => {
                "Atlas sends null where the spec does not allow it: a required property then fails to decode (an \
                 optional one reads as absent). Report it upstream; mark the property nullable in spec/ as an intended \
                 difference, or list it here as known."
            }
            Kind::UnmatchedExchange => {
                "No operation of spec/ describes this exchange. A call outside the backup API: list it here as known; an \
                 operation, status or version spec/ lacks: add it to spec/ and report upstream if it is missing there too."
            }
        }
    }
}

/// Where a finding was seen first: the exchange and the place in its body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub file: String,
    /// Index in the archive's `log.entries`.
    pub entry: usize,
    /// When the exchange started, as recorded.
    pub started: String,
    pub operation: Option<String>,
    pub method: String,
    pub url: String,
    pub status: u16,
    /// The JSON pointer in the body.
    pub body_at: String,
}

/// One disagreement, with its first example and how often it was seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The component schema that describes the value (`None` for an unmatched exchange).
    pub schema: Option<String>,
    /// The JSON pointer in a value of `schema` (`*` for any array item or map value); for
    /// an unmatched exchange, the method and path (and the status or media type no
    /// operation declares).
    pub at: String,
    pub message: String,
    pub example: Value,
    pub count: usize,
    pub evidence: Evidence,
    /// The `observed:` entry that lists it (`#/observed/N`) and its reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known: Option<KnownBy>,
}

/// The entry that lists a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownBy {
    pub entry: String,
    pub reason: String,
}

/// The outcome of `spec observe`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub spec: String,
    pub files: Vec<String>,
    /// Exchanges with a response.
    pub exchanges: usize,
    /// Exchanges matched to an operation, status and media type.
    pub matched: usize,
    /// Distinct operations they were matched to.
    pub operations: usize,
    /// Matched exchanges whose archive holds no body to check (not recorded, or binary).
    pub unchecked: usize,
    /// New findings first, each group by kind, schema and pointer.
    pub findings: Vec<Finding>,
}

impl Report {
    /// No finding that no entry lists.
    pub fn is_clean(&self) -> bool {
        self.findings.iter().all(|f| f.known.is_some())
    }
}

/// What the spec says of an exchange's answer: the type its body is checked against (none
/// for no body, or one the client keeps as bytes), and why the operation does not declare
/// this answer, when it does not. An answer in a status or media type the operation lacks is
/// still checked, against the operation's default answer (or the error model), so that what
/// it holds is reported too.
struct Expected {
    ty: Option<TypeRef>,
    undeclared: Option<String>,
}

/// The essence of a media type ([`crate::ir::essence`]), compared without case.
fn essence(media_type: &str) -> String {
    crate::ir::essence(media_type).to_ascii_lowercase()
}

fn json(kind: &ResponseKind) -> Option<TypeRef> {
    match kind {
        ResponseKind::Json(t) => Some(t.clone()),
        ResponseKind::Empty | ResponseKind::Bytes => None,
    }
}

fn expected(api: &Api, op: &Operation, ex: &Exchange) -> Expected {
    let media = ex.content_type.as_deref().map(essence);
    let version = media.as_ref().and_then(|m| op.versions.iter().find(|v| essence(&v.media_type) == *m));
    let error_model = api.error_model.map(TypeRef::Named);
    if ex.status == op.success_status {
        return match (version, &media) {
            (Some(version), _) => Expected { ty: json(&version.response), undeclared: None },
            (None, Some(media)) if !op.versions.is_empty() && op.response != ResponseKind::Empty => {
                let listed: Vec<&str> = op.versions.iter().map(|v| v.media_type.as_str()).collect();
                let why =
                    format!("answered in {media}, which the operation does not list ({}); checked against the newest", listed.join(", "));
                Expected { ty: json(&op.response), undeclared: Some(why) }
            }
            _ => Expected { ty: json(&op.response), undeclared: None },
        };
    }
    let status = ex.status.to_string();
    let range = format!("{}XX", ex.status / 100);
    let declared = op.error_statuses.iter().any(|s| *s == status || s.eq_ignore_ascii_case(&range) || s == "default");
    let ty = match ex.status {
        200..=299 => json(&op.response),
        400.. => error_model,
        _ => None,
    };
    if declared {
        return Expected { ty, undeclared: None };
    }
    let mut answers: Vec<String> = vec![op.success_status.to_string()];
    answers.extend(op.error_statuses.iter().cloned());
    Expected {
        ty,
        undeclared: Some(format!("status {} is not among the answers the operation declares ({})", ex.status, answers.join(", "))),
    }
}

/// Whether the request asked Atlas to wrap its answer (`envelope=true`): the body is then
/// `{"status": .., "content": ..}`, and `content` is what the schema describes.
fn enveloped(url: &str) -> bool {
    url.split_once('?').is_some_and(|(_, query)| query.split(['&', '#']).any(|pair| pair.eq_ignore_ascii_case("envelope=true")))
}

/// Checks the exchanges of `files` against the IR of `spec`; `known` are the reviewed
/// entries. An archive that cannot be read is an error naming it.
pub fn observe(spec: &Loaded, files: &[PathBuf], known: &[Known]) -> Result<Report, Error> {
    let api = crate::ir::lower(spec)?;
    let mut exchanges = Vec::new();
    for file in files {
        exchanges.extend(har::read(file)?);
    }
    Ok(check(&api, &spec.source.path.display().to_string(), files, &exchanges, known))
}

/// What one exchange showed.
struct Outcome<'a> {
    /// The operation it belongs to, by method and path.
    operation: Option<&'a Operation>,
    /// The operation declares its status and media type.
    declared: bool,
    /// Its body was to be checked, but the archive does not hold it.
    unchecked: bool,
    found: Vec<Observed>,
}

fn unmatched(ex: &Exchange, at: String, message: String) -> Observed {
    Observed {
        kind: Kind::UnmatchedExchange,
        place: Place { schema: String::new(), at, body: String::new() },
        message,
        example: Value::String(ex.url.clone()),
    }
}

/// Matches one exchange to its operation and checks its body.
fn outcome<'a>(api: &'a Api, ex: &Exchange) -> Outcome<'a> {
    let path = routes::url_path(&ex.url);
    let Some(op) = routes::find(api, &ex.method, path) else {
        let found = vec![unmatched(ex, format!("{} {path}", ex.method), "no operation of the spec has this method and path".to_owned())];
        return Outcome { operation: None, declared: false, unchecked: false, found };
    };
    let Expected { ty, undeclared } = expected(api, op, ex);
    let mut out = Outcome { operation: Some(op), declared: undeclared.is_none(), unchecked: false, found: Vec::new() };
    if let Some(why) = undeclared {
        out.found.push(unmatched(ex, format!("{} {} ({})", ex.method, op.path, ex.status), why));
    }
    let Some(ty) = ty else { return out };
    let root = Place::root(format!("{} response {}", op.operation_id, ex.status));
    match ex.body.as_deref() {
        None => out.unchecked = true,
        Some(text) if text.trim().is_empty() && ex.status >= 300 => {}
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(body) => {
                let (body, place) = match body.get("content") {
                    Some(content) if enveloped(&ex.url) => (content, Place { body: "/content".to_owned(), ..root }),
                    _ => (&body, root),
                };
                let mut walk = Walk::new(api);
                walk.value(&ty, body, &place);
                out.found.extend(walk.found);
            }
            Err(e) => {
                let example = Value::String(text.chars().take(80).collect());
                let message = format!("a body that is not JSON ({e})");
                out.found.push(Observed { kind: Kind::TypeMismatch, place: root, message, example });
            }
        },
    }
    out
}

/// [`observe`] on exchanges already read.
pub fn check(api: &Api, spec: &str, files: &[PathBuf], exchanges: &[Exchange], known: &[Known]) -> Report {
    // Findings by kind, schema and pointer: the first sighting is the evidence.
    let mut grouped: BTreeMap<(Kind, Option<String>, String), Finding> = BTreeMap::new();
    let (mut matched, mut unchecked) = (0, 0);
    let mut operations = std::collections::BTreeSet::new();
    for ex in exchanges {
        let Outcome { operation, declared, unchecked: not_held, found } = outcome(api, ex);
        if declared && let Some(op) = operation {
            matched += 1;
            operations.insert(op.operation_id.as_str());
        }
        unchecked += usize::from(not_held);
        for o in found {
            let schema = (o.kind != Kind::UnmatchedExchange).then(|| o.place.schema.clone());
            grouped.entry((o.kind, schema.clone(), o.place.at.clone())).and_modify(|f| f.count += 1).or_insert_with(|| Finding {
                kind: o.kind,
                schema,
                at: o.place.at.clone(),
                message: o.message,
                example: o.example,
                count: 1,
                evidence: Evidence {
                    file: ex.file.clone(),
                    entry: ex.entry,
                    started: ex.started.clone(),
                    operation: operation.map(|op| op.operation_id.clone()),
                    method: ex.method.clone(),
                    url: ex.url.clone(),
                    status: ex.status,
                    body_at: o.place.body.clone(),
                },
                known: None,
            });
        }
    }
    let mut findings: Vec<Finding> = grouped.into_values().collect();
    for f in &mut findings {
        f.known = known.iter().find(|k| k.matches(f)).map(|k| KnownBy { entry: k.describe(), reason: k.reason.clone() });
    }
    findings.sort_by_key(|f| f.known.is_some());
    Report {
        spec: spec.to_owned(),
        files: files.iter().map(|f| f.display().to_string()).collect(),
        exchanges: exchanges.len(),
        matched,
        operations: operations.len(),
        unchecked,
        findings,
    }
}
