//! Comparing the facts of one operation in `spec/` with the same operation upstream.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::facts::{Field, Fields, Operation, Param};

/// What differs. The names are the `kind` values of `spec/intended-differences.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    OperationMissing,
    OperationNotUpstream,
    OperationId,
    Deprecated,
    Sunset,
    Tags,
    Roles,
    ParameterMissing,
    ParameterExtra,
    ParameterRequired,
    ParameterType,
    ParameterFormat,
    ParameterPattern,
    ParameterEnum,
    RequestBodyMissing,
    RequestBodyExtra,
    RequestBodyRequired,
    RequestVersion,
    ResponseMissing,
    ResponseExtra,
    ResponseVersion,
    FieldMissing,
    FieldExtra,
    FieldType,
    FieldFormat,
    FieldPattern,
    FieldRequired,
    FieldEnum,
    FieldReadOnly,
    FieldWriteOnly,
}

impl Kind {
    pub const ALL: [Kind; 30] = [
        Kind::OperationMissing,
        Kind::OperationNotUpstream,
        Kind::OperationId,
        Kind::Deprecated,
        Kind::Sunset,
        Kind::Tags,
        Kind::Roles,
        Kind::ParameterMissing,
        Kind::ParameterExtra,
        Kind::ParameterRequired,
        Kind::ParameterType,
        Kind::ParameterFormat,
        Kind::ParameterPattern,
        Kind::ParameterEnum,
        Kind::RequestBodyMissing,
        Kind::RequestBodyExtra,
        Kind::RequestBodyRequired,
        Kind::RequestVersion,
        Kind::ResponseMissing,
        Kind::ResponseExtra,
        Kind::ResponseVersion,
        Kind::FieldMissing,
        Kind::FieldExtra,
        Kind::FieldType,
        Kind::FieldFormat,
        Kind::FieldPattern,
        Kind::FieldRequired,
        Kind::FieldEnum,
        Kind::FieldReadOnly,
        Kind::FieldWriteOnly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::OperationMissing => "operation-missing",
            Kind::OperationNotUpstream => "operation-not-upstream",
            Kind::OperationId => "operation-id",
            Kind::Deprecated => "deprecated",
            Kind::Sunset => "sunset",
            Kind::Tags => "tags",
            Kind::Roles => "roles",
            Kind::ParameterMissing => "parameter-missing",
            Kind::ParameterExtra => "parameter-extra",
            Kind::ParameterRequired => "parameter-required",
            Kind::ParameterType => "parameter-type",
            Kind::ParameterFormat => "parameter-format",
            Kind::ParameterPattern => "parameter-pattern",
            Kind::ParameterEnum => "parameter-enum",
            Kind::RequestBodyMissing => "request-body-missing",
            Kind::RequestBodyExtra => "request-body-extra",
            Kind::RequestBodyRequired => "request-body-required",
            Kind::RequestVersion => "request-version",
            Kind::ResponseMissing => "response-missing",
            Kind::ResponseExtra => "response-extra",
            Kind::ResponseVersion => "response-version",
            Kind::FieldMissing => "field-missing",
            Kind::FieldExtra => "field-extra",
            Kind::FieldType => "field-type",
            Kind::FieldFormat => "field-format",
            Kind::FieldPattern => "field-pattern",
            Kind::FieldRequired => "field-required",
            Kind::FieldEnum => "field-enum",
            Kind::FieldReadOnly => "field-read-only",
            Kind::FieldWriteOnly => "field-write-only",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One difference between `spec/` and upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The operationId in `spec/` (upstream's for an operation missing from `spec/`).
    pub operation: String,
    pub method: String,
    pub path: String,
    pub kind: Kind,
    /// Where in the operation: `parameter completed (query)`, `response 200: results[].status`, ...
    pub at: String,
    pub spec: String,
    pub upstream: String,
    /// File name of the upstream document compared against.
    pub against: String,
    /// For enum differences where upstream has no enum: whether the older (legacy) upstream
    /// copy has this same field with the same enum. `None` when it has no such field or enum.
    pub legacy_agrees: Option<bool>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {}): {}", self.operation, self.method.to_uppercase(), self.path, self.kind)?;
        if !self.at.is_empty() {
            write!(f, " at {}", self.at)?;
        }
        write!(f, ": spec {}, {} {}", self.spec, self.against, self.upstream)?;
        if let Some(agrees) = self.legacy_agrees {
            write!(f, " (legacy copy {})", if agrees { "agrees with spec" } else { "differs too" })?;
        }
        Ok(())
    }
}

/// Compares `spec` with `upstream`; `legacy` is the same operation in the older upstream copy
/// (for enums the newer copy dropped).
pub fn operation(spec: &Operation, upstream: &Operation, legacy: Option<&Operation>, against: &str) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |kind: Kind, at: String, s: String, u: String, legacy_agrees: Option<bool>| {
        out.push(Difference {
            operation: spec.operation_id.clone(),
            method: spec.method.clone(),
            path: spec.path.clone(),
            kind,
            at,
            spec: s,
            upstream: u,
            against: against.to_owned(),
            legacy_agrees,
        });
    };

    if spec.operation_id != upstream.operation_id {
        push(Kind::OperationId, String::new(), quote(&spec.operation_id), quote(&upstream.operation_id), None);
    }
    if spec.deprecated != upstream.deprecated {
        push(Kind::Deprecated, String::new(), spec.deprecated.to_string(), upstream.deprecated.to_string(), None);
    }
    if spec.sunset != upstream.sunset {
        push(Kind::Sunset, String::new(), opt(&spec.sunset), opt(&upstream.sunset), None);
    }
    if spec.tags != upstream.tags {
        push(Kind::Tags, String::new(), list(&spec.tags), list(&upstream.tags), None);
    }
    if let Some(up_roles) = &upstream.roles
        && spec.roles.as_ref() != Some(up_roles)
    {
        push(
            Kind::Roles,
            String::new(),
            spec.roles.as_ref().map(list).unwrap_or_else(|| "none".to_owned()),
            list(up_roles),
            None,
        );
    }

    // parameters
    let keys: BTreeSet<&(String, String)> = spec.params.keys().chain(upstream.params.keys()).collect();
    for key in keys {
        let at = format!("parameter {} ({})", key.0, key.1);
        match (spec.params.get(key), upstream.params.get(key)) {
            (Some(_), None) => push(Kind::ParameterExtra, at, "has it".to_owned(), "has not".to_owned(), None),
            (None, Some(_)) => push(Kind::ParameterMissing, at, "has not".to_owned(), "has it".to_owned(), None),
            (Some(s), Some(u)) => {
                let l = legacy.and_then(|l| l.params.get(key));
                for d in param(s, u, l) {
                    push(d.0, at.clone(), d.1, d.2, d.3);
                }
            }
            (None, None) => {}
        }
    }

    // request body
    match (&spec.request, &upstream.request) {
        (Some(_), None) => {
            push(Kind::RequestBodyExtra, "request".to_owned(), "has a body".to_owned(), "has none".to_owned(), None)
        }
        (None, Some(_)) => {
            push(Kind::RequestBodyMissing, "request".to_owned(), "has none".to_owned(), "has a body".to_owned(), None)
        }
        (Some(s), Some(u)) => {
            if s.required != u.required {
                push(
                    Kind::RequestBodyRequired,
                    "request".to_owned(),
                    s.required.to_string(),
                    u.required.to_string(),
                    None,
                );
            }
            if s.versions != u.versions {
                push(Kind::RequestVersion, "request".to_owned(), list(&s.versions), list(&u.versions), None);
            }
            let l = legacy.and_then(|l| l.request.as_ref()).map(|b| &b.fields);
            for d in fields("request", &s.fields, &u.fields, l) {
                push(d.0, d.1, d.2, d.3, d.4);
            }
        }
        (None, None) => {}
    }

    // responses: every status code; versions and fields of the non-shared (success) ones
    let codes: BTreeSet<&String> = spec.responses.keys().chain(upstream.responses.keys()).collect();
    for code in codes {
        let at = format!("response {code}");
        match (spec.responses.get(code), upstream.responses.get(code)) {
            (Some(_), None) => push(Kind::ResponseExtra, at, "has it".to_owned(), "has not".to_owned(), None),
            (None, Some(_)) => push(Kind::ResponseMissing, at, "has not".to_owned(), "has it".to_owned(), None),
            (Some(s), Some(u)) => {
                if s.shared || u.shared {
                    continue;
                }
                if s.versions != u.versions {
                    push(Kind::ResponseVersion, at.clone(), list(&s.versions), list(&u.versions), None);
                }
                let l = legacy.and_then(|l| l.responses.get(code)).map(|r| &r.fields);
                for d in fields(&at, &s.fields, &u.fields, l) {
                    push(d.0, d.1, d.2, d.3, d.4);
                }
            }
            (None, None) => {}
        }
    }
    out
}

type ParamDiff = (Kind, String, String, Option<bool>);

fn param(s: &Param, u: &Param, l: Option<&Param>) -> Vec<ParamDiff> {
    let mut out = Vec::new();
    if s.required != u.required {
        out.push((Kind::ParameterRequired, s.required.to_string(), u.required.to_string(), None));
    }
    let (a, b) = (&s.schema, &u.schema);
    if a.ty != b.ty {
        out.push((Kind::ParameterType, opt(&a.ty), opt(&b.ty), None));
    }
    if a.format != b.format {
        out.push((Kind::ParameterFormat, opt(&a.format), opt(&b.format), None));
    }
    if a.pattern != b.pattern {
        out.push((Kind::ParameterPattern, opt(&a.pattern), opt(&b.pattern), None));
    }
    if a.enumeration != b.enumeration {
        out.push((
            Kind::ParameterEnum,
            enumeration(&a.enumeration),
            enumeration(&b.enumeration),
            legacy_agrees(a, b, l.map(|l| &l.schema)),
        ));
    }
    out
}

type FieldDiff = (Kind, String, String, String, Option<bool>);

fn fields(location: &str, s: &Fields, u: &Fields, l: Option<&Fields>) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    let keys: BTreeSet<&String> = s.keys().chain(u.keys()).collect();
    for key in keys {
        let at = format!("{location}: {key}");
        match (s.get(key), u.get(key)) {
            (Some(_), None) => out.push((Kind::FieldExtra, at, "has it".to_owned(), "has not".to_owned(), None)),
            (None, Some(_)) => out.push((Kind::FieldMissing, at, "has not".to_owned(), "has it".to_owned(), None)),
            (Some(a), Some(b)) => {
                let mut d =
                    |k: Kind, x: String, y: String, agrees: Option<bool>| out.push((k, at.clone(), x, y, agrees));
                if a.ty != b.ty {
                    d(Kind::FieldType, opt(&a.ty), opt(&b.ty), None);
                }
                if a.format != b.format {
                    d(Kind::FieldFormat, opt(&a.format), opt(&b.format), None);
                }
                if a.pattern != b.pattern {
                    d(Kind::FieldPattern, opt(&a.pattern), opt(&b.pattern), None);
                }
                if a.required != b.required && key != "$" {
                    d(Kind::FieldRequired, a.required.to_string(), b.required.to_string(), None);
                }
                if a.enumeration != b.enumeration {
                    let agrees = legacy_agrees(a, b, l.and_then(|l| l.get(key)));
                    d(Kind::FieldEnum, enumeration(&a.enumeration), enumeration(&b.enumeration), agrees);
                }
                if a.read_only != b.read_only {
                    d(Kind::FieldReadOnly, a.read_only.to_string(), b.read_only.to_string(), None);
                }
                if a.write_only != b.write_only {
                    d(Kind::FieldWriteOnly, a.write_only.to_string(), b.write_only.to_string(), None);
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// When upstream has no enum and the spec has one: does the legacy copy's enum equal the spec's?
fn legacy_agrees(spec: &Field, upstream: &Field, legacy: Option<&Field>) -> Option<bool> {
    if upstream.enumeration.is_some() || spec.enumeration.is_none() {
        return None;
    }
    let legacy_enum = legacy?.enumeration.as_ref()?;
    Some(Some(legacy_enum) == spec.enumeration.as_ref())
}

fn quote(s: &str) -> String {
    format!("`{s}`")
}

fn opt(v: &Option<String>) -> String {
    v.as_ref().map(|s| quote(s)).unwrap_or_else(|| "none".to_owned())
}

fn list(v: &BTreeSet<String>) -> String {
    format!("[{}]", v.iter().cloned().collect::<Vec<_>>().join(", "))
}

fn enumeration(v: &Option<Vec<String>>) -> String {
    match v {
        Some(values) => format!("[{}]", values.join(", ")),
        None => "no enum".to_owned(),
    }
}

/// Counts of differences by kind, for the summary.
pub fn by_kind(diffs: &[&Difference]) -> BTreeMap<Kind, usize> {
    let mut out = BTreeMap::new();
    for d in diffs {
        *out.entry(d.kind).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.name()), Some(k));
        }
        assert_eq!(Kind::parse("nope"), None);
    }

    #[test]
    fn enum_dropped_upstream_is_checked_against_the_legacy_copy() {
        let spec = Field { enumeration: Some(vec!["\"a\"".into(), "\"b\"".into()]), ..Field::default() };
        let upstream = Field::default();
        let same = spec.clone();
        let other = Field { enumeration: Some(vec!["\"a\"".into()]), ..Field::default() };
        assert_eq!(legacy_agrees(&spec, &upstream, Some(&same)), Some(true));
        assert_eq!(legacy_agrees(&spec, &upstream, Some(&other)), Some(false));
        assert_eq!(legacy_agrees(&spec, &upstream, None), None);
        assert_eq!(legacy_agrees(&spec, &other, Some(&same)), None, "upstream has an enum: a plain difference");
    }
}
