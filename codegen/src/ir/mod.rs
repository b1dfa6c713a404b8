//! Stage 2: the intermediate representation.
//!
//! Plain data, built from the parsed document before any text is printed (see
//! [`lower`]). Every `$ref` is resolved to a [`TypeId`]; every inline schema that needs a
//! Rust item has become a [`TypeDef`] of its own. Rust identifiers are left empty here and
//! filled in once by [`crate::names`].

mod dedupe;
pub mod links;
mod lower;
mod views;
mod waiters;

pub use dedupe::{dedupe, dedupe_types};
pub use lower::lower;
// Media-type facts shared with the drift engine, so both read versions, and choose the
// media type of a body, the same way.
pub(crate) use lower::{atlas_version, essence, newest_json};
pub use waiters::{Acceptor, EXTENSION as WAITERS_EXTENSION, Matcher, State as AcceptorState, Waiter};
pub(crate) use waiters::{RawMatcher, table as waiter_table};

use std::collections::BTreeMap;

use crate::error::Warning;

/// Index of a type in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// The spec's extension that states the generated crates' version.
pub const CRATE_VERSION_EXTENSION: &str = "x-crate-version";

/// The generated crates' version when the spec states none.
pub const INITIAL_CRATE_VERSION: &str = "0.1.0";

/// The whole API, ready to be named and printed.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub description: Option<String>,
    pub version: String,
    /// The generated crates' version: `info.x-crate-version` (set by `cargo xtask release`
    /// and `spec update`), else [`INITIAL_CRATE_VERSION`].
    pub crate_version: String,
    pub default_server: Option<String>,
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    /// The schema most error responses use (Atlas: `ApiError`); the runtime decodes error
    /// bodies into it.
    pub error_model: Option<TypeId>,
    pub security: Vec<SecurityScheme>,
    /// `x-atlas-waiters` of the GET operations (see [`Waiter`]).
    pub waiters: Vec<Waiter>,
    /// Response links from a job-starting operation to the waiter that follows it (see
    /// [`links`]); filled after lowering.
    pub wait_links: Vec<links::WaitLink>,
    pub warnings: Vec<Warning>,
    /// Why an identifier is not the one the spec's name gives, by the item's pointer and
    /// the identifier it got: a sentence for the item's docs (filled by `names`, beside
    /// the `renamed` warning).
    pub renames: BTreeMap<(String, String), String>,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The name the type would like: the component name or one derived from its position.
    pub wanted_name: String,
    /// Filled by `names`.
    pub ident: String,
    /// Where the schema is in the spec.
    pub pointer: String,
    /// The component schema this type belongs to.
    pub owner: String,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub kind: TypeKind,
    /// Whether this type is (transitively) a request body, a response body, or neither.
    pub usage: Usage,
    /// Set by [`dedupe`]: another type of the same shape that is printed in this one's
    /// place; this one is only a second name for it.
    pub same_as: Option<TypeId>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    /// A string enum; always open (`Unknown(String)`), since Atlas adds values over time.
    Enum(StringEnum),
    /// An integer enum; open like string enums (`Unknown(i64)`).
    IntEnum(IntEnum),
    /// `oneOf` + discriminator: variants keyed by the value of `property`.
    Tagged(Tagged),
    /// `oneOf` without a discriminator: the first variant that decodes wins.
    Untagged(Untagged),
    /// A named schema that is not an object: `pub type X = ...;`.
    Alias(TypeRef),
}

#[derive(Debug, Clone, Default)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` next to named properties: the rest of the object.
    pub additional: Option<TypeRef>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub json_name: String,
    pub ident: String,
    /// Filled by `names`: the `with_*` method that sets an optional field.
    pub setter_ident: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    /// The field's type is part of a cycle through inline fields: print it boxed.
    pub boxed: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct StringEnum {
    pub variants: Vec<EnumVariant>,
    /// Filled by `names`: the identifier of the catch-all variant (`Unknown` unless taken).
    pub unknown_ident: String,
}

#[derive(Debug, Clone)]
pub struct IntEnum {
    /// The integer type the values are sent as.
    pub repr: TypeRef,
    pub variants: Vec<IntVariant>,
    pub unknown_ident: String,
}

#[derive(Debug, Clone)]
pub struct IntVariant {
    pub value: i64,
    pub ident: String,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub value: String,
    pub ident: String,
}

#[derive(Debug, Clone)]
pub struct Tagged {
    pub property: String,
    pub variants: Vec<TaggedVariant>,
    pub unknown_ident: String,
}

#[derive(Debug, Clone)]
pub struct TaggedVariant {
    /// The discriminator values that select this variant (first one is used to serialize).
    pub tags: Vec<String>,
    pub ty: TypeId,
    pub ident: String,
}

#[derive(Debug, Clone)]
pub struct Untagged {
    pub variants: Vec<UntaggedVariant>,
    /// Filled by `names`: the catch-all variant (`Other` unless taken).
    pub other_ident: String,
}

#[derive(Debug, Clone)]
pub struct UntaggedVariant {
    pub wanted_name: String,
    pub ident: String,
    pub ty: TypeRef,
}

/// A use of a type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    DateTime,
    Date,
    Bytes,
    /// Anything JSON.
    Json,
    Vec(Box<TypeRef>),
    Map(Box<TypeRef>),
    Named(TypeId),
}

impl TypeRef {
    pub fn named(&self) -> Option<TypeId> {
        match self {
            TypeRef::Named(id) => Some(*id),
            TypeRef::Vec(inner) | TypeRef::Map(inner) => inner.named(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Patch,
    Head,
    Options,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The stable name the generated Rust is named after: `x-rust-name`, else `operationId`
    /// (so an upstream rename or swap of the published names renames nothing in Rust).
    pub operation_id: String,
    /// The names MongoDB publishes (and published) for the operation.
    pub published: PublishedNames,
    /// Filled by `names`: the operation's command under its tag (`takeSnapshots`).
    pub command: String,
    /// Filled by `names`: the other names the command answers to (published names, the
    /// Rust name, kebab-case spellings), none claimed by another command of the tag.
    pub command_aliases: Vec<String>,
    /// Filled by `names`: the `Client` method (`take_snapshots`).
    pub method_ident: String,
    /// Filled by `names`: the builder type (`TakeSnapshots`).
    pub builder_ident: String,
    /// Filled by `names`: the builder's private struct of parameters (`TakeSnapshotsParams`).
    pub params_ident: String,
    /// Filled by `names`: the `operations/` module (from the first tag).
    pub module: String,
    /// Filled by `names`: the cargo feature of the operation's tag.
    pub feature: String,
    /// Filled by `names`: the `Mock` method that makes a rule for the operation.
    pub mock_rule_ident: String,
    /// Filled by `names`: the mock's typed view of a call of the operation.
    pub mock_view_ident: String,
    pub method: Method,
    pub path: String,
    pub tag: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub sunset: Option<String>,
    /// Atlas roles of which any one grants access (`x-rolesRequirements`).
    pub roles: Vec<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    /// The versioned media types the operation answers: a `preview` one first (when there is
    /// one), then the dated ones oldest first, so the last is the newest stable one, the
    /// default.
    pub versions: Vec<ApiVersion>,
    pub response: ResponseKind,
    pub success_status: u16,
    pub error_statuses: Vec<String>,
    /// Set for list operations that page through `results` with `pageNum`.
    pub pagination: Option<Pagination>,
    pub pointer: String,
}

/// The names an operation is published under: `operationId` (the long name in v2.yaml),
/// `x-xgen-operation-id-override` (the short one, the command of `atlas api`) and
/// `x-former-operation-ids` (names earlier publications used).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishedNames {
    pub operation_id: String,
    pub short: Option<String>,
    pub former: Vec<String>,
}

/// How a list operation pages: Atlas's `pageNum` / `itemsPerPage` parameters and a
/// response object with `results` (and `totalCount` when counted).
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The element type of `results`.
    pub item: TypeRef,
    /// The response type holding the page.
    pub page_type: TypeId,
    pub results_field: String,
    pub total_field: Option<String>,
    pub page_param: String,
    pub per_page_param: String,
    pub default_per_page: i64,
}

#[derive(Debug, Clone)]
pub struct ApiVersion {
    /// The whole media type, e.g. `application/vnd.atlas.2025-03-12+json`.
    pub media_type: String,
    /// The date part (`2025-03-12`) when the media type is an Atlas versioned one.
    pub date: Option<String>,
    /// Atlas's `x-sunset` of this media type: the date Atlas stops answering in it.
    pub sunset: Option<String>,
    /// `application/vnd.atlas.preview+json`: the version Atlas is still shaping (no date),
    /// called only when asked for.
    pub preview: bool,
    /// What this version answers (versions of one operation may differ).
    pub response: ResponseKind,
    /// Filled by `names` for operations with several JSON versions: the marker type that
    /// selects this version.
    pub marker_ident: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

impl ParamLocation {
    /// The location as OpenAPI's `in` names it, and as docs and the surface say it.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ident: String,
    pub location: ParamLocation,
    pub required: bool,
    pub ty: TypeRef,
    pub pattern: Option<String>,
    /// Filled by `names`: the static in `patterns.rs` that holds the parameter's rule (its
    /// pattern, compiled once, and its length bounds); empty when it has none. Parameters
    /// with the same rule share one static.
    pub rule_ident: String,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    /// Inclusive bounds of an integer parameter (`exclusiveMinimum`/`exclusiveMaximum`
    /// already folded in), checked before any I/O.
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub default: Option<serde_json::Value>,
    /// The spec's example value, if any (used in the generated docs).
    pub example: Option<serde_json::Value>,
    pub doc: Option<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub struct Body {
    pub media_type: String,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    /// No body (204, 202 without content, ...): the call returns `()`.
    Empty,
    Json(TypeRef),
    /// Binary or text bodies (gzip, CSV): returned as bytes.
    Bytes,
}

#[derive(Debug, Clone)]
pub enum SecurityScheme {
    HttpDigest { name: String },
    HttpBearer { name: String },
    OAuth2ClientCredentials { name: String, token_url: String },
    Other { name: String },
}

impl Operation {
    /// Every published name (short, then long, then former) other than the Rust name
    /// [`operation_id`](Self::operation_id), each once: `#[doc(alias)]`es and command aliases.
    pub fn aliases(&self) -> Vec<&str> {
        let published = &self.published;
        let names = published.short.iter().chain([&published.operation_id]).chain(&published.former);
        let mut out: Vec<&str> = Vec::new();
        for name in names {
            if name != &self.operation_id && !out.contains(&name.as_str()) {
                out.push(name);
            }
        }
        out
    }

    /// Atlas serves the operation in several versions, each a JSON media type: its builder
    /// takes the version as a type parameter.
    pub fn is_versioned(&self) -> bool {
        self.versions.len() > 1 && self.versions.iter().all(|v| matches!(v.response, ResponseKind::Json(_)))
    }
}

impl Api {
    /// Why the item at `pointer` is named `ident` rather than as its spec name says, when
    /// it had to be renamed (see [`Api::renames`]).
    pub fn rename_note(&self, pointer: &str, ident: &str) -> Option<&str> {
        self.renames.get(&(pointer.to_owned(), ident.to_owned())).map(String::as_str)
    }

    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The types that the definition of `id` names directly (fields, variants, alias).
    pub fn references(&self, id: TypeId) -> Vec<TypeId> {
        let t = self.ty(id);
        let mut refs = views::referenced(&t.kind, |_| false);
        refs.extend(t.same_as);
        refs
    }

    /// Every type that `roots` name, directly or through the types they hold.
    pub fn reached_from(&self, roots: impl Iterator<Item = TypeId>) -> std::collections::BTreeSet<TypeId> {
        views::reach(self, roots, &|_| false)
    }

    /// Every type the code of `op` needs: its parameters', its body's, the answers of all
    /// its versions and its pages', and whatever those hold.
    pub fn reached_by(&self, op: &Operation) -> std::collections::BTreeSet<TypeId> {
        let answer = |r: &ResponseKind| match r {
            ResponseKind::Json(t) => t.named(),
            ResponseKind::Empty | ResponseKind::Bytes => None,
        };
        let roots = op
            .params
            .iter()
            .filter_map(|p| p.ty.named())
            .chain(op.body.iter().filter_map(|b| b.ty.named()))
            .chain(answer(&op.response))
            .chain(op.versions.iter().filter_map(|v| answer(&v.response)))
            .chain(op.pagination.iter().flat_map(|p| p.item.named().into_iter().chain([p.page_type])));
        self.reached_from(roots)
    }
}
