//! `spec update`: taking upstream's new facts into `spec/`.
//!
//! [`super::check`] compares upstream with `spec/`; every difference that
//! `spec/intended-differences.yaml` lists is ours and stays. Every other difference is a fact
//! upstream states differently now, and [`take`] writes upstream's side of it into the raw
//! document of `spec/` (its value as written, without the overlay): an operation added or
//! removed, a parameter, a response, a field, the values of an enum. Everything else of ours
//! stays as it is, descriptions included; what comes new from upstream brings upstream's
//! descriptions and is listed for review. A kind of difference this module does not know how
//! to take is refused, naming it: spec/ is then edited by hand, or the difference listed as
//! intended.
//!
//! Components that a taken node references and `spec/` lacks are copied with it (and what
//! they reference); components that only what was removed reached are removed too.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::check::Report;
use super::model::{Change, Place, Rule, Subject};
use crate::error::{Error, pointer};
use crate::load::{METHODS, Source, names};
use crate::slice;

/// Whether [`take`] writes upstream's side of a difference of `rule` into `spec/` (the
/// others are refused naming the fact, its pointer and what to edit). Exhaustive, so a new
/// rule is decided here.
pub fn takes(rule: Rule) -> bool {
    use Rule::*;
    match rule {
        OperationAdded | OperationRemoved | OperationIdChanged | OperationSunset | MediaTypeAdded | MediaTypeRemoved | ParameterAdded
        | ParameterRemoved | ResponseAdded | ResponseRemoved | FieldAdded | FieldRemoved | FieldNullable | EnumChanged | EnumValueAdded
        | EnumValueRemoved => true,
        OperationDeprecated
        | TagsChanged
        | RolesChanged
        | MethodChanged
        | PathChanged
        | ParameterRequired
        | ParameterType
        | ParameterPattern
        | RequestBodyAdded
        | RequestBodyRemoved
        | RequestBodyRequired
        | SchemaAdded
        | SchemaRemoved
        | SchemaRefChanged
        | FieldRequired
        | TypeChanged
        | FormatChanged
        | PatternChanged
        | ConstraintChanged
        | ReadOnlyChanged
        | WriteOnlyChanged
        | AdditionalPropertiesChanged
        | VariantAdded
        | VariantRemoved
        | DiscriminatorChanged
        | PolymorphismChanged
        | Deprecated
        | DescriptionChanged
        | WaiterAdded
        | WaiterRemoved
        | WaiterAcceptorsChanged
        | WaiterStateAdded => false,
    }
}

/// A document (raw value) and the text it came from, for errors.
pub struct Side<'a> {
    pub source: &'a Source,
    pub value: &'a Value,
}

/// What [`take`] did.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The new raw document of `spec/`.
    pub value: Value,
    /// One line per upstream fact taken.
    pub taken: Vec<String>,
    /// New items that carry upstream's words (descriptions, summaries): for review.
    pub review: Vec<String>,
}

/// Takes upstream's side of every difference of `report` that no intended difference lists
/// into `spec`. Fails, changing nothing, on a difference it cannot take.
pub fn take(spec: Side<'_>, upstream: Side<'_>, report: &Report) -> Result<Taken, Error> {
    let mut out = spec.value.clone();
    let mut taken = Vec::new();
    let mut review = Vec::new();
    let mut removed_something = false;
    let mut done: BTreeSet<(Rule, String)> = BTreeSet::new();
    for d in report.unexpected() {
        let c = &d.change;
        let Subject::Operation { id, method, path } = &c.subject else {
            return Err(spec.source.error(&c.pointer, format!("cannot take {d}: not a difference of an operation")));
        };
        if !takes(c.rule) {
            return Err(cannot(&spec, d));
        }
        // A component's change shows once per operation using it: take it once.
        if !done.insert((c.rule, format!("{}|{}", c.pointer, c.counterpart))) {
            continue;
        }
        let op_at = pointer(&pointer("#/paths", path), &method.to_ascii_lowercase());
        match c.rule {
            // spec/ has an operation upstream no longer has.
            Rule::OperationAdded => {
                remove_operation(&mut out, path, &method.to_ascii_lowercase());
                removed_something = true;
            }
            // Upstream has an operation spec/ lacks.
            Rule::OperationRemoved => {
                let node = get(upstream.value, &op_at).ok_or_else(|| missing(&upstream, &op_at, d))?;
                let paths = object_at(&mut out, "#/paths").ok_or_else(|| spec.source.error("#/paths", "spec/ has no `paths` mapping"))?;
                let item = paths.entry(path.clone()).or_insert_with(|| Value::Object(Map::new()));
                if let (Some(item), Some(up_item)) =
                    (item.as_object_mut(), get(upstream.value, &pointer("#/paths", path)).and_then(Value::as_object))
                {
                    // path-level fields (parameters, ...) come along when the path is new
                    for (k, v) in up_item {
                        if !METHODS.contains(&k.as_str()) && !item.contains_key(k) {
                            item.insert(k.clone(), v.clone());
                        }
                    }
                    // The Rust name is set once, now: the short name, else operationId
                    // (NAMES-CONTRACT), and no later update changes it.
                    let mut node = node.clone();
                    if let Some(op) = node.as_object_mut()
                        && !op.contains_key(names::RUST_NAME)
                        && let Some(name) = op.get(names::SHORT_NAME).or(op.get("operationId")).cloned()
                    {
                        op.insert(names::RUST_NAME.to_owned(), name);
                    }
                    item.insert(method.to_ascii_lowercase(), node);
                }
                copy_components(&mut out, &upstream, node, &op_at)?;
                review.push(format!("operation {id} ({method} {path}): summary and descriptions from upstream"));
            }
            Rule::ParameterAdded | Rule::ParameterRemoved => {
                let (name, location) =
                    parameter_of(c).ok_or_else(|| spec.source.error(&c.pointer, format!("cannot take {d}: no parameter named")))?;
                if c.rule == Rule::ParameterAdded {
                    let list = pointer(&op_at, "parameters");
                    let index = find_parameter(&spec, &out, &list, &name, &location).ok_or_else(|| missing(&spec, &list, d))?;
                    if let Some(Value::Array(params)) = get_mut(&mut out, &list) {
                        params.remove(index);
                    }
                    removed_something = true;
                } else {
                    let list = pointer(&op_at, "parameters");
                    let index =
                        find_parameter(&upstream, upstream.value, &list, &name, &location).ok_or_else(|| missing(&upstream, &list, d))?;
                    let entry = get(upstream.value, &pointer(&list, &index.to_string())).cloned().unwrap_or(Value::Null);
                    let op = object_at(&mut out, &op_at).ok_or_else(|| missing(&spec, &op_at, d))?;
                    let params = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(params) = params {
                        params.push(entry.clone());
                    }
                    copy_components(&mut out, &upstream, &entry, &list)?;
                    review.push(format!("{id}: parameter {name} ({location}): description from upstream"));
                }
            }
            // spec/ answers a status upstream no longer lists: the pointer is spec/'s.
            Rule::ResponseAdded => {
                remove_at(&mut out, &c.pointer).ok_or_else(|| missing(&spec, &c.pointer, d))?;
                removed_something = true;
            }
            Rule::ResponseRemoved => {
                let node = get(upstream.value, &c.pointer).ok_or_else(|| missing(&upstream, &c.pointer, d))?;
                let code = last_segment(&c.pointer);
                let responses = pointer(&op_at, "responses");
                let map = object_at(&mut out, &responses).ok_or_else(|| missing(&spec, &responses, d))?;
                map.insert(code.clone(), node.clone());
                copy_components(&mut out, &upstream, node, &c.pointer)?;
                review.push(format!("{id}: response {code}: description from upstream"));
            }
            // spec/ has a field upstream no longer has: the pointer is spec/'s property.
            Rule::FieldAdded => {
                let (holder, name) = property(&c.pointer).ok_or_else(|| cannot(&spec, d))?;
                remove_at(&mut out, &c.pointer).ok_or_else(|| missing(&spec, &c.pointer, d))?;
                if let Some(Value::Array(required)) = get_mut(&mut out, &pointer(&holder, "required")) {
                    required.retain(|r| r.as_str() != Some(name.as_str()));
                }
                removed_something = true;
            }
            // Upstream has a field spec/ lacks: the pointer is upstream's property, the
            // counterpart spec/'s object.
            Rule::FieldRemoved => {
                let (up_holder, name) = property(&c.pointer).ok_or_else(|| cannot(&upstream, d))?;
                let node = get(upstream.value, &c.pointer).ok_or_else(|| missing(&upstream, &c.pointer, d))?;
                let holder = c.counterpart.clone();
                let is_object = get(&out, &holder)
                    .and_then(Value::as_object)
                    .is_some_and(|o| !o.contains_key("oneOf") && !o.contains_key("anyOf") && !o.contains_key("$ref"));
                if !is_object {
                    return Err(spec.source.error(
                        &holder,
                        format!("cannot take {d}: spec/ has no plain object there to add the field to; edit spec/ by hand"),
                    ));
                }
                let required = get(upstream.value, &pointer(&up_holder, "required"))
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name.as_str())));
                if let Some(obj) = object_at(&mut out, &holder) {
                    let props = obj.entry("properties").or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(props) = props {
                        props.insert(name.clone(), node.clone());
                    }
                    if required {
                        let list = obj.entry("required").or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(list) = list {
                            list.push(Value::String(name.clone()));
                        }
                    }
                }
                copy_components(&mut out, &upstream, node, &c.pointer)?;
                review.push(format!("{id}: field {}: description from upstream", c.location()));
            }
            // Upstream renamed the operation: the pointer names spec/'s slot (`operationId` or
            // `x-xgen-operation-id-override`; `x-rust-name` is ours and never taken). The name
            // it had is kept in `x-former-operation-ids`, so old command lines keep working.
            Rule::OperationIdChanged => {
                let slot = last_segment(&c.pointer);
                if slot == names::RUST_NAME {
                    return Err(cannot(&spec, d));
                }
                let theirs = get(upstream.value, &pointer(&op_at, &slot)).cloned();
                let op = object_at(&mut out, &op_at).ok_or_else(|| missing(&spec, &op_at, d))?;
                let before = match &theirs {
                    Some(name) => op.insert(slot.clone(), name.clone()),
                    None => op.shift_remove(&slot),
                };
                keep_former_name(op, before);
            }
            // spec/ lists a version (media type) upstream no longer lists: the pointer is spec/'s.
            Rule::MediaTypeAdded => {
                let (content, _) = c.pointer.rsplit_once('/').ok_or_else(|| cannot(&spec, d))?;
                remove_at(&mut out, &c.pointer).ok_or_else(|| missing(&spec, &c.pointer, d))?;
                if get(&out, content).and_then(Value::as_object).is_some_and(Map::is_empty) {
                    return Err(spec
                        .source
                        .error(&c.pointer, format!("cannot take {d}: it is the last media type there; edit spec/ by hand")));
                }
                removed_something = true;
            }
            // Upstream lists a version spec/ lacks: the pointer is spec/'s `content`, the
            // counterpart upstream's media type. Versions stay in order: dated ones by date,
            // then the others (`preview`).
            Rule::MediaTypeRemoved => {
                let node = get(upstream.value, &c.counterpart).ok_or_else(|| missing(&upstream, &c.counterpart, d))?;
                let media_type = last_segment(&c.counterpart);
                let content = object_at(&mut out, &c.pointer).ok_or_else(|| missing(&spec, &c.pointer, d))?;
                content.insert(media_type, node.clone());
                let mut entries: Vec<(String, Value)> = std::mem::take(content).into_iter().collect();
                entries.sort_by(|(a, _), (b, _)| version_order(a).cmp(&version_order(b)));
                content.extend(entries);
                copy_components(&mut out, &upstream, node, &c.counterpart)?;
            }
            // A sunset announced, moved or withdrawn (of the operation, or of one version).
            Rule::OperationSunset => {
                let (holder, key) = c.pointer.rsplit_once('/').ok_or_else(|| cannot(&spec, d))?;
                let theirs = get(upstream.value, &c.counterpart).cloned();
                let node = object_at(&mut out, holder).ok_or_else(|| missing(&spec, holder, d))?;
                match theirs {
                    Some(date) => node.insert(unescape(key), date),
                    None => node.shift_remove(&unescape(key)),
                };
            }
            // An enum became free text or the reverse: upstream's `enum` (or none) on spec/'s
            // node; the counterpart is upstream's node.
            Rule::EnumChanged | Rule::FieldNullable => {
                let key = if c.rule == Rule::EnumChanged { "enum" } else { "nullable" };
                let theirs = get(upstream.value, &pointer(&c.counterpart, key)).cloned();
                let node = object_at(&mut out, &c.pointer).filter(|o| !o.contains_key("$ref") && !o.contains_key("allOf"));
                let node = node.ok_or_else(|| {
                    spec.source.error(&c.pointer, format!("cannot take {d}: spec/ states this node through a $ref or allOf; state upstream's `{key}` at the component by hand"))
                })?;
                match theirs {
                    Some(value) => node.insert(key.to_owned(), value),
                    None => node.shift_remove(key),
                };
            }
            // The values of an enum: upstream's list, in upstream's order.
            Rule::EnumValueAdded | Rule::EnumValueRemoved => {
                let values = get(upstream.value, &pointer(&c.counterpart, "enum")).ok_or_else(|| missing(&upstream, &c.counterpart, d))?;
                let target = pointer(&c.pointer, "enum");
                let slot = get_mut(&mut out, &target).ok_or_else(|| {
                    spec.source
                        .error(&c.pointer, format!("cannot take {d}: spec/ states this enum elsewhere (allOf, $ref); edit spec/ by hand"))
                })?;
                *slot = values.clone();
            }
            // What `takes` refuses was refused above.
            _ => return Err(cannot(&spec, d)),
        }
        let location = c.location();
        let at = if location.is_empty() { String::new() } else { format!(" at {location}") };
        taken.push(format!("{}{at}: {}", c.subject.display(), upstream_side(c.rule)));
    }
    if removed_something {
        prune(&mut out, &spec)?;
    }
    if done.iter().any(|(rule, _)| *rule == Rule::OperationIdChanged) {
        tidy_former_names(&mut out);
    }
    Ok(Taken { value: out, taken, review })
}

/// After renames (two names swapped are two changes), `x-former-operation-ids` lists no name
/// an operation has now, and is left out when empty.
fn tidy_former_names(doc: &mut Value) {
    let Some(paths) = object_at(doc, "#/paths") else { return };
    for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()).filter_map(Value::as_object_mut) {
        let current: Vec<String> = [names::RUST_NAME, names::SHORT_NAME, "operationId"]
            .iter()
            .filter_map(|k| op.get(*k).and_then(Value::as_str).map(str::to_owned))
            .collect();
        let Some(Value::Array(former)) = op.get_mut(names::FORMER_NAMES) else { continue };
        former.retain(|n| n.as_str().is_none_or(|n| !current.iter().any(|c| c == n)));
        if former.is_empty() {
            op.shift_remove(names::FORMER_NAMES);
        }
    }
}

/// The order of a body's media types in spec/: Atlas-dated versions by date, then the others
/// by name (`preview`, plain JSON).
fn version_order(media_type: &str) -> (bool, Option<&str>, &str) {
    let date = crate::ir::atlas_version(media_type);
    (date.is_none(), date, media_type)
}

/// Appends the name an operation was published under to `x-former-operation-ids`, unless it
/// is one of its current names (or already there).
fn keep_former_name(op: &mut Map<String, Value>, before: Option<Value>) {
    let Some(Value::String(before)) = before else { return };
    let current = [names::RUST_NAME, names::SHORT_NAME, "operationId"].map(|k| op.get(k).and_then(Value::as_str).map(str::to_owned));
    if current.iter().flatten().any(|n| *n == before) {
        return;
    }
    let former = op.entry(names::FORMER_NAMES).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = former
        && !list.iter().any(|n| n.as_str() == Some(before.as_str()))
    {
        list.push(Value::String(before));
    }
}

/// What upstream did, for a rule of the comparison upstream → spec/.
fn upstream_side(rule: Rule) -> &'static str {
    match rule {
        Rule::OperationAdded => "operation removed upstream",
        Rule::OperationRemoved => "operation added upstream",
        Rule::ParameterAdded => "parameter removed upstream",
        Rule::ParameterRemoved => "parameter added upstream",
        Rule::ResponseAdded => "response removed upstream",
        Rule::ResponseRemoved => "response added upstream",
        Rule::FieldAdded => "field removed upstream",
        Rule::FieldRemoved => "field added upstream",
        Rule::OperationIdChanged => "operation renamed upstream",
        Rule::EnumChanged => "enum became free text, or free text an enum, upstream",
        Rule::MediaTypeAdded => "version (media type) dropped upstream",
        Rule::MediaTypeRemoved => "version (media type) added upstream",
        Rule::OperationSunset => "sunset changed upstream",
        Rule::FieldNullable => "nullable changed upstream",
        Rule::EnumValueAdded | Rule::EnumValueRemoved => "enum values changed upstream",
        _ => "changed upstream",
    }
}

fn cannot(side: &Side<'_>, d: &super::check::Difference) -> Error {
    let kinds: Vec<String> = Rule::ALL.iter().filter(|r| takes(**r)).map(|r| r.name()).collect();
    side.source.error(
        &d.change.pointer,
        format!(
            "spec update cannot take {d} automatically (it takes: {}): edit spec/ by hand to state upstream's fact, or list the difference with its reason in spec/intended-differences.yaml",
            kinds.join(", ")
        ),
    )
}

fn missing(side: &Side<'_>, at: &str, d: &super::check::Difference) -> Error {
    side.source.error(at, format!("cannot take {d}: nothing there"))
}

/// `name` and `in` of a parameter change.
fn parameter_of(c: &Change) -> Option<(String, String)> {
    match &c.place {
        Place::Parameter { name, location } => Some((name.clone(), location.clone())),
        Place::Operation | Place::Request | Place::Response { .. } => None,
    }
}

/// The index in the parameter list at `list` of the one named `name` in `location` (through
/// a `$ref` when it is one).
fn find_parameter(side: &Side<'_>, doc: &Value, list: &str, name: &str, location: &str) -> Option<usize> {
    let params = get(doc, list)?.as_array()?;
    params.iter().position(|p| {
        let p = match p.get("$ref").and_then(Value::as_str) {
            Some(r) => get(side.value, r).unwrap_or(p),
            None => p,
        };
        p.get("name").and_then(Value::as_str) == Some(name) && p.get("in").and_then(Value::as_str) == Some(location)
    })
}

/// `(object, name)` of a pointer `OBJECT/properties/NAME`.
fn property(at: &str) -> Option<(String, String)> {
    let (holder, name) = at.rsplit_once('/')?;
    let holder = holder.strip_suffix("/properties")?;
    Some((holder.to_owned(), unescape(name)))
}

fn last_segment(at: &str) -> String {
    unescape(at.rsplit_once('/').map_or(at, |(_, s)| s))
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn get<'v>(doc: &'v Value, at: &str) -> Option<&'v Value> {
    doc.pointer(at.strip_prefix('#').unwrap_or(at))
}

fn get_mut<'v>(doc: &'v mut Value, at: &str) -> Option<&'v mut Value> {
    doc.pointer_mut(at.strip_prefix('#').unwrap_or(at))
}

fn object_at<'v>(doc: &'v mut Value, at: &str) -> Option<&'v mut Map<String, Value>> {
    get_mut(doc, at)?.as_object_mut()
}

/// Removes the node at `at` (a mapping entry); `None` when there is none.
fn remove_at(doc: &mut Value, at: &str) -> Option<Value> {
    let (parent, key) = at.rsplit_once('/')?;
    match get_mut(doc, parent)? {
        Value::Object(m) => m.shift_remove(&unescape(key)),
        Value::Array(a) => {
            let i: usize = key.parse().ok()?;
            (i < a.len()).then(|| a.remove(i))
        }
        _ => None,
    }
}

fn remove_operation(doc: &mut Value, path: &str, method: &str) {
    let Some(paths) = object_at(doc, "#/paths") else { return };
    let empty = match paths.get_mut(path).and_then(Value::as_object_mut) {
        Some(item) => {
            item.shift_remove(method);
            !item.keys().any(|k| METHODS.contains(&k.as_str()))
        }
        None => false,
    };
    if empty {
        paths.shift_remove(path);
    }
}

/// Copies into `doc` every component that `node` (at `at` in upstream) reaches and `doc`
/// lacks, with what those reach; components `doc` has stay ours.
fn copy_components(doc: &mut Value, upstream: &Side<'_>, node: &Value, at: &str) -> Result<(), Error> {
    let ours = |r: &str| get(doc, r).is_some();
    let reached = slice::reached(upstream.source, upstream.value, node, at, |r| !ours(r))?;
    for r in reached {
        if get(doc, &r).is_some() {
            continue;
        }
        let Some((section, name)) = component(&r) else {
            return Err(upstream.source.error(&r, "spec update only copies references into `#/components/<section>/...`"));
        };
        let Some(value) = get(upstream.value, &r) else { continue };
        let root = doc.as_object_mut().ok_or_else(|| upstream.source.error("#", "spec/ is not a mapping"))?;
        let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
        if let Some(components) = components.as_object_mut() {
            let entries = components.entry(section).or_insert_with(|| Value::Object(Map::new()));
            if let Some(entries) = entries.as_object_mut() {
                entries.insert(name, value.clone());
            }
        }
    }
    Ok(())
}

/// `(section, name)` of `#/components/SECTION/NAME`.
fn component(r: &str) -> Option<(String, String)> {
    let rest = r.strip_prefix("#/components/")?;
    let (section, name) = rest.split_once('/')?;
    (slice::SECTIONS.contains(&section) && !name.contains('/')).then(|| (section.to_owned(), unescape(name)))
}

/// Every component reached from the paths and the security requirements.
fn reached_from_paths(doc: &Value, source: &Source) -> Result<BTreeSet<String>, Error> {
    let paths = doc.get("paths").cloned().unwrap_or(Value::Null);
    slice::reached(source, doc, &paths, "#/paths", |_| true)
}

/// Removes the components the original `spec` reached from its paths that `doc` no longer
/// reaches: what only a removed node used. Components nothing reached before stay (the
/// generated crate keeps unreferenced models).
fn prune(doc: &mut Value, spec: &Side<'_>) -> Result<(), Error> {
    let before = reached_from_paths(spec.value, spec.source)?;
    let after = reached_from_paths(doc, spec.source)?;
    for r in before.difference(&after) {
        if component(r).is_some_and(|(section, _)| section != "securitySchemes") {
            remove_at(doc, r);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Loaded;

    const SPEC: &str = r##"openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: getThing
      tags: [Cloud Backups]
      description: ours
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      description: ours
      properties:
        id: {type: string}
        state: {type: string, enum: [A, B]}
"##;

    fn load(name: &str, text: &str) -> (Loaded, Value) {
        let loaded = crate::load::parse(std::path::Path::new(name), text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let value = crate::load::value(&loaded.source).unwrap_or_else(|e| panic!("{e}"));
        (loaded, value)
    }

    /// `SPEC` updated from `SPEC` edited by `edit`: the new spec's value, or the error.
    fn update(edit: impl Fn(&str) -> String) -> Result<(Value, Taken), String> {
        let (spec, spec_value) = load("spec.yaml", SPEC);
        let (up, up_value) = load("up.yaml", &edit(SPEC));
        let report = super::super::check::check(&spec, &up, Vec::new(), &["Cloud Backups".to_owned()]).map_err(|e| e.to_string())?;
        let taken = take(Side { source: &spec.source, value: &spec_value }, Side { source: &up.source, value: &up_value }, &report)
            .map_err(|e| e.to_string())?;
        Ok((taken.value.clone(), taken))
    }

    fn at<'v>(v: &'v Value, p: &str) -> &'v Value {
        v.pointer(p).unwrap_or(&Value::Null)
    }

    #[test]
    fn takes_upstream_facts_and_keeps_our_descriptions() {
        let op = "/paths/~1things~1{id}/get";
        type Edit = Box<dyn Fn(&str) -> String>;
        type Holds = Box<dyn Fn(&Value) -> bool>;
        let cases: Vec<(&str, Edit, Holds)> = vec![
            (
                "a query parameter added",
                Box::new(|s| {
                    s.replace(
                        "schema: {type: string}}\n",
                        "schema: {type: string}}\n        - {name: pretty, in: query, schema: {type: boolean}}\n",
                    )
                }),
                Box::new(move |v| at(v, &format!("{op}/parameters/1/name")) == "pretty"),
            ),
            (
                "a response added",
                Box::new(|s| s.replace("components:\n", "        '404': {description: gone}\ncomponents:\n")),
                Box::new(move |v| at(v, &format!("{op}/responses/404/description")) == "gone"),
            ),
            (
                "the operation renamed",
                Box::new(|s| s.replace("getThing", "getOneThing").replace("description: ours", "description: theirs")),
                Box::new(move |v| at(v, &format!("{op}/operationId")) == "getOneThing" && at(v, &format!("{op}/description")) == "ours"),
            ),
            (
                "a required field added",
                Box::new(|s| {
                    s.replace("      properties:\n", "      required: [size]\n      properties:\n        size: {type: integer}\n")
                }),
                Box::new(|v| {
                    at(v, "/components/schemas/Thing/properties/size/type") == "integer"
                        && at(v, "/components/schemas/Thing/required/0") == "size"
                }),
            ),
            (
                "a field removed",
                Box::new(|s| s.replace("        id: {type: string}\n", "")),
                Box::new(|v| {
                    at(v, "/components/schemas/Thing/properties/id").is_null()
                        && at(v, "/components/schemas/Thing/properties/state").is_object()
                }),
            ),
            (
                "an enum value added",
                Box::new(|s| s.replace("enum: [A, B]", "enum: [A, B, C]")),
                Box::new(|v| at(v, "/components/schemas/Thing/properties/state/enum/2") == "C"),
            ),
        ];
        for (what, edit, holds) in cases {
            match update(edit) {
                Ok((value, taken)) => {
                    assert!(holds(&value), "{what}: not taken: {value:#}");
                    assert_eq!(taken.taken.len(), 1, "{what}: {:?}", taken.taken);
                }
                Err(e) => panic!("{what}: {e}"),
            }
        }
    }

    #[test]
    fn a_kind_it_cannot_take_is_refused_by_name() {
        let e = update(|s| s.replace("        id: {type: string}", "        id: {type: integer}")).err().unwrap_or_default();
        assert!(e.contains("cannot take") && e.contains("type-changed") && e.contains("edit spec/ by hand"), "{e}");
        assert!(e.starts_with("spec.yaml:"), "the error names spec/'s file: {e}");
    }

    #[test]
    fn pointers_split_into_holder_and_property() {
        assert_eq!(property("#/components/schemas/A/properties/a~1b"), Some(("#/components/schemas/A".to_owned(), "a/b".to_owned())));
        assert_eq!(property("#/components/schemas/A/items"), None);
        assert_eq!(component("#/components/schemas/A~1B"), Some(("schemas".to_owned(), "A/B".to_owned())));
        assert_eq!(component("#/components/nope/A"), None);
        assert_eq!(component("#/components/schemas/A/properties/b"), None);
    }
}
