//! The classification rules: one small function per kind of change, each deciding how the
//! change affects a user of the generated Rust crate.
//!
//! What the generated crate does, and so what the rules assume:
//! - structs are `#[non_exhaustive]`; a field is `Option<T>` unless it is required and not
//!   nullable; `new(..)` takes the required, non-nullable fields;
//! - a type used only in requests drops `readOnly` fields; `readOnly` fields are never sent;
//! - string enums are open (`Unknown(String)`), `oneOf` + discriminator is an enum with an
//!   `Unknown` variant: new values and variants are absorbed;
//! - parameters are set on a request builder; `send()` fails at run time when a required
//!   one is missing or a value does not match the parameter's `pattern`;
//! - the crate sends the newest JSON media type of an operation.
//!
//! **Breaking**: code that compiled no longer compiles, or a call that worked now fails at
//! run time (old clients against the new server, or old code against the new crate).
//! **Non-breaking**: additive. **Info**: no effect on code.

use std::collections::BTreeSet;

use super::model::{Finding, Rule, Severity, Usage};

use Severity::{Breaking, Info, NonBreaking};

fn when(cond: bool, yes: Severity, no: Severity) -> Severity {
    if cond { yes } else { no }
}

/// How a change of a schema's type or format reaches the Rust type: the generator's types
/// of the two places (`None` where the IR has no type for the place: it may change).
fn rust_change(old: Option<&str>, new: Option<&str>) -> (Severity, String) {
    match (old, new) {
        (Some(o), Some(n)) if o == n => (Info, " (same Rust type)".to_owned()),
        (Some(o), Some(n)) => (Breaking, format!(": the Rust type changes from {o} to {n}")),
        _ => (Breaking, ": the generated Rust type may change".to_owned()),
    }
}

/// Whether a field is an `Option` in the generated struct.
pub fn rust_optional(required: bool, nullable: bool) -> bool {
    !required || nullable
}

/// Whether a field is part of the generated type: request-only types drop `readOnly` ones.
pub fn visible(read_only: bool, usage: Usage) -> bool {
    !(read_only && usage.request_only())
}

// ---- operations -------------------------------------------------------------------------

pub fn operation_added() -> Finding {
    Finding::new(Rule::OperationAdded, NonBreaking, "operation added")
}

pub fn operation_removed(deprecated: bool, sunset: Option<&str>) -> Finding {
    let mut message = "operation removed: its generated method is gone and the endpoint no longer answers".to_owned();
    match (deprecated, sunset) {
        (_, Some(s)) => message.push_str(&format!(" (was deprecated, x-sunset {s})")),
        (true, None) => message.push_str(" (was deprecated)"),
        _ => {}
    }
    Finding::new(Rule::OperationRemoved, Breaking, message)
}

pub fn operation_deprecated(old: bool, new: bool, sunset: Option<&str>) -> Option<Finding> {
    match (old, new) {
        (false, true) => {
            let when = sunset.map(|s| format!(", x-sunset {s}")).unwrap_or_default();
            Some(Finding::new(Rule::OperationDeprecated, Info, format!("operation deprecated{when}")))
        }
        (true, false) => Some(Finding::new(Rule::OperationDeprecated, Info, "operation no longer deprecated")),
        _ => None,
    }
}

pub fn operation_sunset(old: Option<&str>, new: Option<&str>) -> Option<Finding> {
    let message = match (old, new) {
        (None, Some(n)) => format!("x-sunset {n} announced"),
        (Some(o), None) => format!("x-sunset {o} withdrawn"),
        (Some(o), Some(n)) if o != n => format!("x-sunset moved from {o} to {n}"),
        _ => return None,
    };
    Some(Finding::new(Rule::OperationSunset, Info, message))
}

pub fn operation_id_changed(old: &str, new: &str) -> Option<Finding> {
    use heck::ToSnakeCase;
    (old != new).then(|| {
        Finding::new(
            Rule::OperationIdChanged,
            Breaking,
            format!(
                "operationId `{old}` renamed to `{new}`: the generated method `{}()` becomes `{}()`",
                old.to_snake_case(),
                new.to_snake_case()
            ),
        )
    })
}

/// A name MongoDB publishes (`operationId`, `x-xgen-operation-id-override`) changed where
/// `x-rust-name` names the Rust: no Rust item is renamed, and the command line keeps the
/// old name as an alias (`x-former-operation-ids`).
pub fn published_name_changed(which: &str, old: Option<&str>, new: Option<&str>) -> Option<Finding> {
    let show = |n: Option<&str>| n.map_or_else(|| "none".to_owned(), |n| format!("`{n}`"));
    (old != new).then(|| {
        Finding::new(
            Rule::OperationIdChanged,
            NonBreaking,
            format!(
                "published {which} {} renamed to {}: the Rust name stays (x-rust-name); the old name stays a command alias",
                show(old),
                show(new)
            ),
        )
    })
}

/// Tags only decide which file of the generated crate holds an operation's builder (the
/// modules are private and re-exported), so moving an operation between tags is info.
pub fn tags_changed(old: &BTreeSet<String>, new: &BTreeSet<String>) -> Option<Finding> {
    (old != new).then(|| Finding::new(Rule::TagsChanged, Info, format!("tags changed from {} to {}", list(old), list(new))))
}

/// `x-rolesRequirements`: the roles Atlas asks of the caller. The generated crate only
/// documents them; a caller without a newly required role is refused by the server, which
/// no code change can prevent, so this is info for a reviewer.
pub fn roles_changed(old: Option<&BTreeSet<String>>, new: Option<&BTreeSet<String>>) -> Option<Finding> {
    let show = |r: Option<&BTreeSet<String>>| r.map_or_else(|| "none stated".to_owned(), list);
    (old != new).then(|| Finding::new(Rule::RolesChanged, Info, format!("required roles changed from {} to {}", show(old), show(new))))
}

fn list(items: &BTreeSet<String>) -> String {
    format!("[{}]", items.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
}

pub fn method_changed(old: &str, new: &str) -> Option<Finding> {
    (old != new).then(|| Finding::new(Rule::MethodChanged, Breaking, format!("HTTP method changed from {old} to {new}")))
}

/// A path that only renames its `{parameters}` calls the same URL.
pub fn path_changed(old: &str, new: &str) -> Option<Finding> {
    if old == new {
        return None;
    }
    let same_url = super::spec::path_key(old) == super::spec::path_key(new);
    Some(Finding::new(
        Rule::PathChanged,
        when(same_url, Info, Breaking),
        if same_url {
            format!("path parameter names changed: `{old}` → `{new}` (same URL)")
        } else {
            format!("path changed from `{old}` to `{new}`: old clients call a URL that no longer exists")
        },
    ))
}

/// `used` is the media type the crate generated from the old document uses (its newest JSON
/// one): an added Atlas version newer than it is the one the regenerated crate switches to.
pub fn media_type_added(place: &str, media_type: &str, used: Option<&str>) -> Finding {
    use crate::ir::atlas_version;
    let newer = match (atlas_version(media_type), used.and_then(atlas_version)) {
        (Some(new), Some(old)) if new > old => format!(": API version {new}, newer than {old}; the regenerated crate uses it"),
        _ => String::new(),
    };
    Finding::new(Rule::MediaTypeAdded, NonBreaking, format!("{place}: media type `{media_type}` added{newer}"))
}

/// `used`: as for [`media_type_added`]; removing that one breaks the released crate.
pub fn media_type_removed(place: &str, media_type: &str, used: Option<&str>) -> Finding {
    let which = if used == Some(media_type) { " (the one the generated crate uses)" } else { "" };
    Finding::new(
        Rule::MediaTypeRemoved,
        Breaking,
        format!("{place}: media type `{media_type}` removed{which}: clients that send or accept it are refused"),
    )
}

/// The `x-sunset` of one media type (an Atlas version) both sides have: the date Atlas stops
/// answering in that version. Informational, as the operation's own sunset is.
pub fn version_sunset(place: &str, media_type: &str, old: Option<&str>, new: Option<&str>) -> Option<Finding> {
    operation_sunset(old, new).map(|f| Finding { message: format!("{place}: media type `{media_type}`: {}", f.message), ..f })
}

// ---- parameters -------------------------------------------------------------------------

pub fn parameter_added(name: &str, location: &str, required: bool) -> Finding {
    if required {
        Finding::new(Rule::ParameterAdded, Breaking, format!("required {location} parameter `{name}` added: calls without it fail"))
    } else {
        Finding::new(Rule::ParameterAdded, NonBreaking, format!("optional {location} parameter `{name}` added"))
    }
}

pub fn parameter_removed(name: &str, location: &str) -> Finding {
    Finding::new(Rule::ParameterRemoved, Breaking, format!("{location} parameter `{name}` removed: its builder method is gone"))
}

pub fn parameter_required(name: &str, old: bool, new: bool) -> Option<Finding> {
    match (old, new) {
        (false, true) => {
            Some(Finding::new(Rule::ParameterRequired, Breaking, format!("parameter `{name}` is now required: calls without it fail")))
        }
        (true, false) => Some(Finding::new(Rule::ParameterRequired, NonBreaking, format!("parameter `{name}` is now optional"))),
        _ => None,
    }
}

/// `old`/`new` are `(type, format)` of the parameter's schema; `rust_old`/`rust_new` the
/// Rust type the generator gives the parameter in each document.
pub fn parameter_type(
    name: &str,
    old: (Option<&str>, Option<&str>),
    new: (Option<&str>, Option<&str>),
    rust_old: Option<&str>,
    rust_new: Option<&str>,
) -> Option<Finding> {
    if old == new {
        return None;
    }
    let show = |(t, f): (Option<&str>, Option<&str>)| match f {
        Some(f) => format!("{}({f})", t.unwrap_or("any")),
        None => t.unwrap_or("any").to_owned(),
    };
    let (severity, why) = match (rust_old, rust_new) {
        (Some(o), Some(n)) if o != n => (Breaking, format!(": the builder takes {n} instead of {o}")),
        _ => rust_change(rust_old, rust_new),
    };
    Some(Finding::new(Rule::ParameterType, severity, format!("parameter `{name}` type changed from {} to {}{why}", show(old), show(new))))
}

pub fn parameter_pattern(name: &str, old: Option<&str>, new: Option<&str>) -> Option<Finding> {
    let (severity, message) = match (old, new) {
        (None, Some(n)) => (Breaking, format!("parameter `{name}` now must match `{n}`: values that were accepted may be refused")),
        (Some(o), Some(n)) if o != n => {
            (Breaking, format!("parameter `{name}` pattern changed from `{o}` to `{n}`: values that were accepted may be refused"))
        }
        (Some(o), None) => (NonBreaking, format!("parameter `{name}` no longer restricted to `{o}`")),
        _ => return None,
    };
    Some(Finding::new(Rule::ParameterPattern, severity, message))
}

// ---- bodies and responses -----------------------------------------------------------------

pub fn request_body_added(required: bool) -> Finding {
    if required {
        Finding::new(Rule::RequestBodyAdded, Breaking, "required request body added: calls without it fail")
    } else {
        Finding::new(Rule::RequestBodyAdded, NonBreaking, "optional request body added")
    }
}

pub fn request_body_removed() -> Finding {
    Finding::new(Rule::RequestBodyRemoved, Breaking, "request body removed: the builder no longer takes one")
}

pub fn request_body_required(old: bool, new: bool) -> Option<Finding> {
    match (old, new) {
        (false, true) => Some(Finding::new(Rule::RequestBodyRequired, Breaking, "request body is now required")),
        (true, false) => Some(Finding::new(Rule::RequestBodyRequired, NonBreaking, "request body is now optional")),
        _ => None,
    }
}

pub fn response_added(status: &str) -> Finding {
    let success = status.starts_with('2');
    Finding::new(Rule::ResponseAdded, when(success, NonBreaking, Info), format!("response {status} added"))
}

pub fn response_removed(status: &str) -> Finding {
    let success = status.starts_with('2');
    Finding::new(
        Rule::ResponseRemoved,
        when(success, Breaking, Info),
        if success {
            format!("success response {status} removed: the generated return type changes")
        } else {
            format!("response {status} no longer documented")
        },
    )
}

// ---- schemas ----------------------------------------------------------------------------

pub fn schema_added(usage: Usage) -> Finding {
    Finding::new(Rule::SchemaAdded, NonBreaking, format!("schema added (used in {})", usage.label()))
}

pub fn schema_removed(usage: Usage) -> Finding {
    Finding::new(Rule::SchemaRemoved, Breaking, format!("schema removed (was used in {}): its generated type is gone", usage.label()))
}

pub fn schema_ref_changed(old: &str, new: &str) -> Option<Finding> {
    (old != new).then(|| {
        Finding::new(
            Rule::SchemaRefChanged,
            Breaking,
            format!("type changed from schema `{old}` to `{new}`: the generated type is renamed"),
        )
    })
}

/// Facts of one field needed by the field rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldFacts {
    pub required: bool,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
}

pub fn field_added(name: &str, f: FieldFacts, usage: Usage) -> Finding {
    let shown = visible(f.read_only, usage);
    let sent = usage.request && !f.read_only;
    if f.required && sent {
        Finding::new(
            Rule::FieldAdded,
            Breaking,
            format!("required field `{name}` added to a {} body: requests without it fail", usage.label()),
        )
    } else if f.required && shown && !f.nullable {
        Finding::new(
            Rule::FieldAdded,
            Breaking,
            format!("required field `{name}` added: `new()` of the generated type takes one more argument"),
        )
    } else {
        let kind = if f.required { "required" } else { "optional" };
        Finding::new(Rule::FieldAdded, NonBreaking, format!("{kind} field `{name}` added ({})", usage.label()))
    }
}

pub fn field_removed(name: &str, f: FieldFacts, usage: Usage) -> Finding {
    if visible(f.read_only, usage) {
        Finding::new(Rule::FieldRemoved, Breaking, format!("field `{name}` removed ({}): the generated field is gone", usage.label()))
    } else {
        Finding::new(
            Rule::FieldRemoved,
            Info,
            format!("read-only field `{name}` removed from a request-only type (it was never generated)"),
        )
    }
}

pub fn field_required(name: &str, old: FieldFacts, new: FieldFacts, usage: Usage) -> Option<Finding> {
    if old.required == new.required {
        return None;
    }
    let shown = visible(new.read_only, usage);
    let sent = usage.request && !new.read_only;
    let type_changes = shown && rust_optional(old.required, old.nullable) != rust_optional(new.required, new.nullable);
    let (severity, message) = if new.required && sent {
        (Breaking, format!("field `{name}` is now required in requests: requests without it fail"))
    } else if type_changes && new.required {
        (Breaking, format!("field `{name}` is now required: its Rust type changes from Option<T> to T"))
    } else if type_changes {
        (Breaking, format!("field `{name}` is now optional: its Rust type changes from T to Option<T> and it may be absent"))
    } else {
        (NonBreaking, format!("field `{name}` is now {}", if new.required { "required" } else { "optional" }))
    };
    Some(Finding::new(Rule::FieldRequired, severity, message))
}

pub fn field_nullable(name: &str, old: FieldFacts, new: FieldFacts, usage: Usage) -> Option<Finding> {
    if old.nullable == new.nullable {
        return None;
    }
    let type_changes =
        visible(new.read_only, usage) && rust_optional(new.required, old.nullable) != rust_optional(new.required, new.nullable);
    let now = if new.nullable { "nullable" } else { "not nullable" };
    Some(if type_changes {
        Finding::new(
            Rule::FieldNullable,
            Breaking,
            format!("required field `{name}` is now {now}: its Rust type changes between T and Option<T>"),
        )
    } else {
        Finding::new(Rule::FieldNullable, NonBreaking, format!("field `{name}` is now {now}"))
    })
}

pub fn type_changed(old: &str, new: &str) -> Option<Finding> {
    (old != new)
        .then(|| Finding::new(Rule::TypeChanged, Breaking, format!("type changed from {old} to {new}: the generated Rust type changes")))
}

/// An `enum` constraint put on, or taken off, a value (a rule of its own: `spec check`
/// tells it from a change of type).
pub fn enum_changed(old_has: bool, new_has: bool, values: usize) -> Option<Finding> {
    let message = match (old_has, new_has) {
        (false, true) => {
            format!("free-form value became an enum of {values} value(s): the Rust type changes to an enum, other values are refused")
        }
        (true, false) => "enum became a free-form value: the Rust type changes from an enum".to_owned(),
        _ => return None,
    };
    Some(Finding::new(Rule::EnumChanged, Breaking, message))
}

/// `rust_old`/`rust_new`: the Rust type the generator gives the schema in each document.
pub fn format_changed(old: Option<&str>, new: Option<&str>, rust_old: Option<&str>, rust_new: Option<&str>) -> Option<Finding> {
    if old == new {
        return None;
    }
    let show = |f: Option<&str>| f.map(|f| format!("`{f}`")).unwrap_or_else(|| "none".to_owned());
    let (severity, why) = rust_change(rust_old, rust_new);
    Some(Finding::new(Rule::FormatChanged, severity, format!("format changed from {} to {}{why}", show(old), show(new))))
}

pub fn pattern_changed(old: Option<&str>, new: Option<&str>, usage: Usage) -> Option<Finding> {
    let (tightened, message) = match (old, new) {
        (None, Some(n)) => (true, format!("pattern `{n}` added")),
        (Some(o), Some(n)) if o != n => (true, format!("pattern changed from `{o}` to `{n}`")),
        (Some(o), None) => (false, format!("pattern `{o}` removed")),
        _ => return None,
    };
    let severity = match (usage.request, tightened) {
        (true, true) => Breaking,
        (true, false) => NonBreaking,
        (false, _) => Info,
    };
    let why = if severity == Breaking { ": values sent before may be refused" } else { "" };
    Some(Finding::new(Rule::PatternChanged, severity, format!("{message}{why}")))
}

/// `key` is `minimum`, `maximum`, `minLength`, `maxLength`, `minItems` or `maxItems`.
pub fn constraint_changed(key: &str, old: Option<f64>, new: Option<f64>, usage: Usage) -> Option<Finding> {
    if old == new {
        return None;
    }
    let lower = key.starts_with("min");
    let narrowed = match (old, new) {
        (None, Some(_)) => true,
        (Some(_), None) => false,
        (Some(o), Some(n)) => {
            if lower {
                n > o
            } else {
                n < o
            }
        }
        (None, None) => return None,
    };
    let show = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "none".to_owned());
    let severity = match (usage.request, narrowed) {
        (true, true) => Breaking,
        (true, false) => NonBreaking,
        (false, _) => Info,
    };
    let why = if severity == Breaking { ": values sent before may be refused" } else { "" };
    Some(Finding::new(Rule::ConstraintChanged, severity, format!("{key} changed from {} to {}{why}", show(old), show(new))))
}

pub fn enum_value_added(value: &str, usage: Usage) -> Finding {
    Finding::new(
        Rule::EnumValueAdded,
        NonBreaking,
        format!("enum value `{value}` added ({}; old clients read it as `Unknown`)", usage.label()),
    )
}

pub fn enum_value_removed(value: &str, usage: Usage) -> Finding {
    let why = if usage.request { "requests with it are refused and its Rust variant is gone" } else { "its Rust variant is gone" };
    Finding::new(Rule::EnumValueRemoved, Breaking, format!("enum value `{value}` removed ({}): {why}", usage.label()))
}

pub fn read_only_changed(name: &str, old: bool, new: bool, required: bool, usage: Usage) -> Option<Finding> {
    let (severity, message) = match (old, new) {
        (false, true) if usage.request => {
            (Breaking, format!("field `{name}` became read-only: it is no longer sent, and request-only types lose it"))
        }
        (false, true) => (Info, format!("field `{name}` became read-only")),
        (true, false) if usage.request && required => {
            (Breaking, format!("required field `{name}` is no longer read-only: requests must now send it"))
        }
        (true, false) if usage.request => (NonBreaking, format!("field `{name}` is no longer read-only: it can be sent")),
        (true, false) => (Info, format!("field `{name}` is no longer read-only")),
        _ => return None,
    };
    Some(Finding::new(Rule::ReadOnlyChanged, severity, message))
}

pub fn write_only_changed(name: &str, old: bool, new: bool, usage: Usage) -> Option<Finding> {
    let (severity, message) = match (old, new) {
        (false, true) if usage.response => (Breaking, format!("field `{name}` became write-only: responses no longer carry it")),
        (false, true) => (Info, format!("field `{name}` became write-only")),
        (true, false) if usage.response => (NonBreaking, format!("field `{name}` is no longer write-only: responses may carry it")),
        (true, false) => (Info, format!("field `{name}` is no longer write-only")),
        _ => return None,
    };
    Some(Finding::new(Rule::WriteOnlyChanged, severity, message))
}

/// `old`/`new`: `None` (no extra properties), `Some(false)` (any value), `Some(true)` (typed).
pub fn additional_properties_changed(old: Option<bool>, new: Option<bool>) -> Option<Finding> {
    let show = |v: Option<bool>| match v {
        None => "none",
        Some(false) => "any value",
        Some(true) => "typed values",
    };
    let severity = match (old, new) {
        (a, b) if a == b => return None,
        (None, Some(_)) => NonBreaking,
        _ => Breaking,
    };
    Some(Finding::new(
        Rule::AdditionalPropertiesChanged,
        severity,
        format!("additionalProperties changed from {} to {}", show(old), show(new)),
    ))
}

pub fn variant_added(variant: &str) -> Finding {
    Finding::new(Rule::VariantAdded, NonBreaking, format!("oneOf variant `{variant}` added (old clients read it as `Unknown`)"))
}

pub fn variant_removed(variant: &str) -> Finding {
    Finding::new(Rule::VariantRemoved, Breaking, format!("oneOf variant `{variant}` removed: its Rust enum variant is gone"))
}

/// `(property, tag → target)` of each side; a target of `None` (SDK-flattened form) is not
/// compared.
pub fn discriminator_changed(
    old: Option<(&str, &std::collections::BTreeMap<String, Option<String>>)>,
    new: Option<(&str, &std::collections::BTreeMap<String, Option<String>>)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Some((op, om)), Some((np, nm))) = (old, new) else {
        match (old, new) {
            (Some((p, _)), None) => out.push(Finding::new(
                Rule::DiscriminatorChanged,
                Breaking,
                format!("discriminator `{p}` removed: variants are no longer told apart by a tag"),
            )),
            (None, Some((p, _))) => out.push(Finding::new(
                Rule::DiscriminatorChanged,
                Breaking,
                format!("discriminator `{p}` added: the generated enum becomes tagged"),
            )),
            _ => {}
        }
        return out;
    };
    if op != np {
        out.push(Finding::new(Rule::DiscriminatorChanged, Breaking, format!("discriminator property changed from `{op}` to `{np}`")));
    }
    for (tag, target) in om {
        match nm.get(tag) {
            None => out.push(Finding::new(
                Rule::DiscriminatorChanged,
                Breaking,
                format!("discriminator value `{tag}` removed from the mapping: its Rust variant is gone"),
            )),
            Some(n) => {
                if let (Some(t), Some(n)) = (target, n)
                    && t != n
                {
                    out.push(Finding::new(
                        Rule::DiscriminatorChanged,
                        Breaking,
                        format!("discriminator value `{tag}` now selects `{n}` instead of `{t}`"),
                    ));
                }
            }
        }
    }
    for tag in nm.keys().filter(|t| !om.contains_key(*t)) {
        out.push(Finding::new(
            Rule::DiscriminatorChanged,
            NonBreaking,
            format!("discriminator value `{tag}` added to the mapping (old clients read it as `Unknown`)"),
        ));
    }
    out
}

/// A `oneOf` replaced by one object holding the union of its variants' properties (the
/// SDK-flattened form), or the reverse. The wire format is the same; the generated type
/// changes between an enum and a struct.
pub fn polymorphism_changed(old_variants: &[String], new_variants: &[String]) -> Option<Finding> {
    let message = match (old_variants.is_empty(), new_variants.is_empty()) {
        (false, true) => format!(
            "polymorphic schema (variants {}) flattened into one object holding the union of their properties: same wire format, but the generated variant types are replaced by one struct",
            old_variants.join(", ")
        ),
        (true, false) => format!(
            "object split into polymorphic variants {}: same wire format, but the generated struct is replaced by variant types",
            new_variants.join(", ")
        ),
        _ => return None,
    };
    Some(Finding::new(Rule::PolymorphismChanged, Breaking, message))
}

pub fn deprecated(old: bool, new: bool) -> Option<Finding> {
    match (old, new) {
        (false, true) => Some(Finding::new(Rule::Deprecated, Info, "deprecated")),
        (true, false) => Some(Finding::new(Rule::Deprecated, Info, "no longer deprecated")),
        _ => None,
    }
}

pub fn description_changed(old: Option<&str>, new: Option<&str>) -> Option<Finding> {
    let norm = |s: Option<&str>| s.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
    (norm(old) != norm(new)).then(|| Finding::new(Rule::DescriptionChanged, Info, "description changed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const REQ: Usage = Usage::REQUEST;
    const RESP: Usage = Usage::RESPONSE;
    const BOTH: Usage = Usage::BOTH;

    fn sev(f: Option<Finding>) -> Option<Severity> {
        f.map(|f| f.severity)
    }

    #[test]
    fn operation_added_is_non_breaking() {
        assert_eq!(operation_added().severity, NonBreaking);
    }

    #[test]
    fn operation_removed_is_breaking_and_names_the_sunset() {
        let f = operation_removed(true, Some("2026-01-15"));
        assert_eq!(f.severity, Breaking);
        assert!(f.message.contains("2026-01-15"), "{}", f.message);
        assert!(!operation_removed(false, None).message.contains("deprecated"));
    }

    #[test]
    fn operation_deprecated_is_info_both_ways() {
        assert_eq!(sev(operation_deprecated(false, true, Some("2027-01-01"))), Some(Info));
        assert!(operation_deprecated(false, true, Some("2027-01-01")).is_some_and(|f| f.message.contains("2027-01-01")));
        assert_eq!(sev(operation_deprecated(true, false, None)), Some(Info));
        assert_eq!(operation_deprecated(true, true, None), None);
    }

    #[test]
    fn operation_sunset_reports_moves() {
        assert_eq!(sev(operation_sunset(None, Some("2026-01-01"))), Some(Info));
        assert!(operation_sunset(Some("a"), Some("b")).is_some_and(|f| f.message.contains("from a to b")));
        assert_eq!(operation_sunset(Some("a"), Some("a")), None);
    }

    #[test]
    fn operation_id_change_renames_the_method() {
        let f = operation_id_changed("listReplicaSetBackups", "listBackupSnapshots");
        assert_eq!(sev(f.clone()), Some(Breaking));
        assert!(f.is_some_and(|f| f.message.contains("list_backup_snapshots()")));
        assert_eq!(operation_id_changed("a", "a"), None);
    }

    #[test]
    fn method_change_is_breaking() {
        assert_eq!(sev(method_changed("PUT", "PATCH")), Some(Breaking));
        assert_eq!(method_changed("GET", "GET"), None);
    }

    #[test]
    fn path_change_is_breaking_unless_only_parameter_names_change() {
        assert_eq!(sev(path_changed("/a/{id}", "/b/{id}")), Some(Breaking));
        assert_eq!(sev(path_changed("/a/{groupId}", "/a/{projectId}")), Some(Info));
        assert_eq!(path_changed("/a", "/a"), None);
    }

    #[test]
    fn media_types() {
        const V2023: &str = "application/vnd.atlas.2023-01-01+json";
        const V2025: &str = "application/vnd.atlas.2025-01-01+json";
        let newer = media_type_added("response 200", V2025, Some(V2023));
        assert_eq!(newer.severity, NonBreaking);
        assert!(newer.message.contains("API version 2025-01-01, newer than 2023-01-01"), "{}", newer.message);
        // An older version, or a media type without a version, is only listed.
        assert!(!media_type_added("response 200", V2023, Some(V2025)).message.contains("newer"));
        assert!(!media_type_added("response 200", "application/json", Some(V2023)).message.contains("newer"));
        assert_eq!(media_type_removed("response 200", V2023, Some(V2025)).severity, Breaking);
        assert!(media_type_removed("response 200", V2025, Some(V2025)).message.contains("the one the generated crate uses"));
    }

    #[test]
    fn parameters_added_and_removed() {
        assert_eq!(parameter_added("x", "query", true).severity, Breaking);
        assert_eq!(parameter_added("x", "query", false).severity, NonBreaking);
        assert_eq!(parameter_removed("x", "query").severity, Breaking);
    }

    #[test]
    fn parameter_required_only_breaks_when_tightened() {
        assert_eq!(sev(parameter_required("x", false, true)), Some(Breaking));
        assert_eq!(sev(parameter_required("x", true, false)), Some(NonBreaking));
        assert_eq!(parameter_required("x", true, true), None);
    }

    #[test]
    fn parameter_type_breaks_when_the_rust_type_changes() {
        let (i32_, i64_, string) = (Some("i32"), Some("i64"), Some("String"));
        assert_eq!(
            sev(parameter_type("x", (Some("integer"), Some("int32")), (Some("integer"), Some("int64")), i32_, i64_)),
            Some(Breaking)
        );
        assert_eq!(sev(parameter_type("x", (Some("string"), None), (Some("integer"), None), string, i64_)), Some(Breaking));
        assert_eq!(sev(parameter_type("x", (Some("string"), None), (Some("string"), Some("uuid")), string, string)), Some(Info));
        // A place the generator's types do not reach may change: breaking, to be safe.
        assert_eq!(sev(parameter_type("x", (Some("string"), None), (Some("string"), Some("uuid")), string, None)), Some(Breaking));
        assert_eq!(parameter_type("x", (Some("string"), None), (Some("string"), None), string, string), None);
    }

    #[test]
    fn parameter_pattern_added_or_changed_breaks() {
        assert_eq!(sev(parameter_pattern("x", None, Some("^a$"))), Some(Breaking));
        assert_eq!(sev(parameter_pattern("x", Some("^a$"), Some("^b$"))), Some(Breaking));
        assert_eq!(sev(parameter_pattern("x", Some("^a$"), None)), Some(NonBreaking));
        assert_eq!(parameter_pattern("x", Some("^a$"), Some("^a$")), None);
    }

    #[test]
    fn request_bodies() {
        assert_eq!(request_body_added(true).severity, Breaking);
        assert_eq!(request_body_added(false).severity, NonBreaking);
        assert_eq!(request_body_removed().severity, Breaking);
        assert_eq!(sev(request_body_required(false, true)), Some(Breaking));
        assert_eq!(sev(request_body_required(true, false)), Some(NonBreaking));
        assert_eq!(request_body_required(true, true), None);
    }

    #[test]
    fn responses_matter_when_successful() {
        assert_eq!(response_added("201").severity, NonBreaking);
        assert_eq!(response_added("429").severity, Info);
        assert_eq!(response_removed("200").severity, Breaking);
        assert_eq!(response_removed("409").severity, Info);
    }

    #[test]
    fn schemas_added_removed_renamed() {
        assert_eq!(schema_added(RESP).severity, NonBreaking);
        assert_eq!(schema_removed(RESP).severity, Breaking);
        assert_eq!(sev(schema_ref_changed("A", "B")), Some(Breaking));
        assert_eq!(schema_ref_changed("A", "A"), None);
    }

    #[test]
    fn field_added_depends_on_required_and_direction() {
        let opt = FieldFacts::default();
        let req = FieldFacts { required: true, ..opt };
        assert_eq!(field_added("a", opt, REQ).severity, NonBreaking);
        assert_eq!(field_added("a", opt, RESP).severity, NonBreaking);
        assert_eq!(field_added("a", req, REQ).severity, Breaking);
        // A required response field is a new argument of `new()`.
        assert_eq!(field_added("a", req, RESP).severity, Breaking);
        // ... unless it is nullable (an Option, not in `new()`).
        assert_eq!(field_added("a", FieldFacts { nullable: true, ..req }, RESP).severity, NonBreaking);
        // A read-only field of a request-only type is not generated.
        assert_eq!(field_added("a", FieldFacts { read_only: true, ..req }, REQ).severity, NonBreaking);
    }

    #[test]
    fn field_removed_breaks_unless_never_generated() {
        let f = FieldFacts::default();
        assert_eq!(field_removed("a", f, RESP).severity, Breaking);
        assert_eq!(field_removed("a", f, REQ).severity, Breaking);
        assert_eq!(field_removed("a", FieldFacts { read_only: true, ..f }, REQ).severity, Info);
        assert_eq!(field_removed("a", FieldFacts { read_only: true, ..f }, BOTH).severity, Breaking);
    }

    #[test]
    fn field_required_follows_the_rust_type() {
        let opt = FieldFacts::default();
        let req = FieldFacts { required: true, ..opt };
        assert_eq!(sev(field_required("a", opt, req, REQ)), Some(Breaking));
        assert_eq!(sev(field_required("a", opt, req, RESP)), Some(Breaking));
        assert_eq!(sev(field_required("a", req, opt, RESP)), Some(Breaking));
        let nopt = FieldFacts { nullable: true, ..opt };
        let nreq = FieldFacts { nullable: true, ..req };
        // Option<T> either way in a response: nothing changes for code.
        assert_eq!(sev(field_required("a", nopt, nreq, RESP)), Some(NonBreaking));
        assert_eq!(field_required("a", req, req, RESP), None);
    }

    #[test]
    fn field_nullable_breaks_when_the_option_changes() {
        let req = FieldFacts { required: true, ..FieldFacts::default() };
        let nreq = FieldFacts { nullable: true, ..req };
        assert_eq!(sev(field_nullable("a", req, nreq, RESP)), Some(Breaking));
        let opt = FieldFacts::default();
        let nopt = FieldFacts { nullable: true, ..opt };
        assert_eq!(sev(field_nullable("a", opt, nopt, RESP)), Some(NonBreaking));
        assert_eq!(field_nullable("a", opt, opt, RESP), None);
    }

    #[test]
    fn type_changes_break() {
        assert_eq!(sev(type_changed("string", "integer")), Some(Breaking));
        assert_eq!(type_changed("string", "string"), None);
        assert_eq!(sev(enum_changed(false, true, 3)), Some(Breaking));
        assert_eq!(sev(enum_changed(true, false, 0)), Some(Breaking));
        assert_eq!(enum_changed(true, true, 3), None);
        assert_eq!(enum_changed(false, true, 3).map(|f| f.rule), Some(Rule::EnumChanged));
    }

    #[test]
    fn tags_and_roles_are_info() {
        let set = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<String>>();
        assert_eq!(sev(tags_changed(&set(&["A"]), &set(&["B"]))), Some(Info));
        assert_eq!(tags_changed(&set(&["A", "B"]), &set(&["B", "A"])), None);
        let roles = set(&["GROUP_OWNER"]);
        assert_eq!(sev(roles_changed(None, Some(&roles))), Some(Info));
        assert_eq!(roles_changed(Some(&roles), Some(&roles)), None);
        assert!(roles_changed(Some(&roles), None).is_some_and(|f| f.message.contains("none stated")));
    }

    #[test]
    fn format_change_breaks_when_the_rust_type_changes() {
        let f = format_changed(Some("int32"), Some("int64"), Some("i32"), Some("i64"));
        assert!(f.as_ref().is_some_and(|f| f.severity == Breaking && f.message.contains("from i32 to i64")), "{f:?}");
        // `binary` and no format are both `String` in a generated field.
        let f = format_changed(Some("binary"), None, Some("String"), Some("String"));
        assert!(f.as_ref().is_some_and(|f| f.severity == Info && f.message.contains("same Rust type")), "{f:?}");
        assert_eq!(sev(format_changed(None, Some("uuid"), None, Some("String"))), Some(Breaking));
        assert_eq!(format_changed(Some("uuid"), Some("uuid"), Some("String"), Some("String")), None);
    }

    #[test]
    fn pattern_tightened_in_requests_breaks() {
        assert_eq!(sev(pattern_changed(None, Some("^a$"), REQ)), Some(Breaking));
        assert_eq!(sev(pattern_changed(Some("^a$"), None, REQ)), Some(NonBreaking));
        assert_eq!(sev(pattern_changed(None, Some("^a$"), RESP)), Some(Info));
        assert_eq!(pattern_changed(Some("x"), Some("x"), REQ), None);
    }

    #[test]
    fn constraint_narrowed_in_requests_breaks() {
        assert_eq!(sev(constraint_changed("maxLength", Some(10.0), Some(5.0), REQ)), Some(Breaking));
        assert_eq!(sev(constraint_changed("maxLength", Some(5.0), Some(10.0), REQ)), Some(NonBreaking));
        assert_eq!(sev(constraint_changed("minimum", None, Some(1.0), REQ)), Some(Breaking));
        assert_eq!(sev(constraint_changed("minimum", Some(1.0), Some(0.0), REQ)), Some(NonBreaking));
        assert_eq!(sev(constraint_changed("maximum", Some(1.0), Some(0.0), RESP)), Some(Info));
        assert_eq!(constraint_changed("maximum", Some(1.0), Some(1.0), REQ), None);
    }

    #[test]
    fn enum_values() {
        assert_eq!(enum_value_added("X", RESP).severity, NonBreaking);
        assert_eq!(enum_value_added("X", REQ).severity, NonBreaking);
        assert_eq!(enum_value_removed("X", REQ).severity, Breaking);
        assert_eq!(enum_value_removed("X", RESP).severity, Breaking);
    }

    #[test]
    fn read_only_changes() {
        assert_eq!(sev(read_only_changed("a", false, true, false, REQ)), Some(Breaking));
        assert_eq!(sev(read_only_changed("a", false, true, false, RESP)), Some(Info));
        assert_eq!(sev(read_only_changed("a", true, false, true, REQ)), Some(Breaking));
        assert_eq!(sev(read_only_changed("a", true, false, false, BOTH)), Some(NonBreaking));
        assert_eq!(sev(read_only_changed("a", true, false, false, RESP)), Some(Info));
        assert_eq!(read_only_changed("a", true, true, false, REQ), None);
    }

    #[test]
    fn write_only_changes() {
        assert_eq!(sev(write_only_changed("a", false, true, RESP)), Some(Breaking));
        assert_eq!(sev(write_only_changed("a", false, true, REQ)), Some(Info));
        assert_eq!(sev(write_only_changed("a", true, false, BOTH)), Some(NonBreaking));
        assert_eq!(write_only_changed("a", false, false, BOTH), None);
    }

    #[test]
    fn additional_properties() {
        assert_eq!(sev(additional_properties_changed(None, Some(true))), Some(NonBreaking));
        assert_eq!(sev(additional_properties_changed(Some(true), None)), Some(Breaking));
        assert_eq!(sev(additional_properties_changed(Some(false), Some(true))), Some(Breaking));
        assert_eq!(additional_properties_changed(Some(true), Some(true)), None);
    }

    #[test]
    fn variants() {
        assert_eq!(variant_added("A").severity, NonBreaking);
        assert_eq!(variant_removed("A").severity, Breaking);
    }

    #[test]
    fn discriminator_mapping() {
        let m = |pairs: &[(&str, Option<&str>)]| -> BTreeMap<String, Option<String>> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.map(str::to_owned))).collect()
        };
        let old = m(&[("a", Some("A")), ("b", Some("B"))]);
        let added = m(&[("a", Some("A")), ("b", Some("B")), ("c", Some("C"))]);
        let fs = discriminator_changed(Some(("type", &old)), Some(("type", &added)));
        assert_eq!(fs.iter().map(|f| f.severity).collect::<Vec<_>>(), vec![NonBreaking]);
        let fs = discriminator_changed(Some(("type", &added)), Some(("type", &old)));
        assert_eq!(fs.iter().map(|f| f.severity).collect::<Vec<_>>(), vec![Breaking]);
        let retarget = m(&[("a", Some("A2")), ("b", Some("B"))]);
        assert_eq!(discriminator_changed(Some(("type", &old)), Some(("type", &retarget))).len(), 1);
        // The flattened form lists no targets: only the tags are compared.
        let flat = m(&[("a", None), ("b", None)]);
        assert!(discriminator_changed(Some(("type", &old)), Some(("type", &flat))).is_empty());
        assert_eq!(discriminator_changed(Some(("type", &old)), Some(("kind", &old)))[0].severity, Breaking);
        assert!(discriminator_changed(None, None).is_empty());
    }

    #[test]
    fn polymorphism() {
        let v = vec!["A".to_owned(), "B".to_owned()];
        assert_eq!(sev(polymorphism_changed(&v, &[])), Some(Breaking));
        assert_eq!(sev(polymorphism_changed(&[], &v)), Some(Breaking));
        assert_eq!(polymorphism_changed(&v, &v), None);
        assert_eq!(polymorphism_changed(&[], &[]), None);
    }

    #[test]
    fn deprecation_and_descriptions_are_info() {
        assert_eq!(sev(deprecated(false, true)), Some(Info));
        assert_eq!(deprecated(true, true), None);
        assert_eq!(sev(description_changed(Some("a"), Some("b"))), Some(Info));
        // Re-wrapping is not a change.
        assert_eq!(description_changed(Some("a  b\n c"), Some("a b c")), None);
    }
}
