//! API drift between two versions of an OpenAPI document, classified for users of the
//! generated Rust crate: **breaking**, **non-breaking** or **info**.
//!
//! - [`spec`]: read access to one document (`$ref`s, merged `allOf`, operations, which
//!   component schemas are sent or received);
//! - [`rules`]: one small classification function per kind of change;
//! - `diff`: the walk that matches operations (by operationId, then method + path) and
//!   compares them and every component schema they reach;
//! - [`report`]: Markdown (for a pull-request comment) and JSON;
//! - [`check`] and [`intended`]: `spec check`, the drift from the published upstream copy to
//!   `spec/` (per operation) against the reviewed list of intended differences.
//! - [`waiters`]: the `x-atlas-waiters` tables, compared by waiter name.
//! - [`take`]: `spec update`, upstream's side of the unlisted differences written into `spec/`.
//!
//! # `oneOf` and the SDK-flattened form
//!
//! Some published documents replace each `oneOf` by one object holding the union of the
//! variants' properties (with `x-xgen-discriminator`). The wire format is the same, so the
//! walk compares the *union* of a `oneOf`'s variant properties (a property is required when
//! every variant requires it) with the flattened object's properties: only real
//! differences are reported, plus one `polymorphism-changed` change per schema, breaking
//! because the generated Rust type changes between an enum and a struct. The variant
//! schemas that the flattening removed are not reported again as removed schemas.
//!
//! Component schemas are compared once each (changes are reported on the schema, not on
//! every operation using it); a schema's direction (request, response or both) is what the
//! operations in scope do with it in either document. Bodies are compared at the newest
//! JSON media type, the one the generated crate uses.

pub mod check;
mod diff;
pub mod intended;
pub mod model;
pub mod report;
pub mod rules;
mod spec;
pub mod take;
mod types;
pub mod waiters;

pub use model::{Change, Finding, Place, Report, Rule, Severity, Subject, Summary, Usage};

use crate::error::Error;
use crate::load::Loaded;

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only operations with one of these tags (and the schemas they reach); empty: all.
    pub tags: Vec<String>,
    /// Compare each operation's bodies in place, every change reported on the operation
    /// (with its place: parameter, request or response, and field), instead of component
    /// schemas once each. Component names are then not compared, and a `oneOf` is always
    /// read as the union of its variants: two documents that name or split their schemas
    /// differently compare by what goes over the wire. `spec check` compares this way.
    pub per_operation: bool,
}

/// Compares two loaded documents. The labels of the report are the documents' paths.
pub fn diff(old: &Loaded, new: &Loaded, options: &Options) -> Result<Report, Error> {
    let mut differ = diff::Differ::new(spec::Doc::new(old), spec::Doc::new(new), options.per_operation);
    let scope = differ.run(&options.tags)?;
    let changes = std::mem::take(&mut differ.changes);
    let count = |s: Severity| changes.iter().filter(|c| c.severity == s).count();
    let summary = Summary {
        breaking: count(Severity::Breaking),
        non_breaking: count(Severity::NonBreaking),
        info: count(Severity::Info),
        operations_old: scope.operations_old,
        operations_new: scope.operations_new,
        schemas_old: scope.schemas_old,
        schemas_new: scope.schemas_new,
    };
    let mut tags = options.tags.clone();
    tags.sort();
    tags.dedup();
    Ok(Report { from: old.source.path.display().to_string(), to: new.source.path.display().to_string(), tags, summary, changes })
}
