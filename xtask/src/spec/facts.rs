//! The facts of an operation that `spec check` compares: identity, parameters, media-type
//! versions and the fields of request and response bodies, with `$ref`, `allOf`, `oneOf`
//! and arrays followed down to every leaf.
//!
//! A `oneOf`/`anyOf` is read as the union of its variants: a field is required only when
//! every variant requires it, and its enum is the union of the variants' enums. That is what
//! the SDK-flattened upstream copy does to the same schema, so the two forms compare equal.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::doc::{Doc, DocError, child};
use super::slice::METHODS;

/// One operation's facts.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub tags: BTreeSet<String>,
    pub deprecated: bool,
    pub sunset: Option<String>,
    pub roles: Option<BTreeSet<String>>,
    /// Keyed by `(name, in)`.
    pub params: BTreeMap<(String, String), Param>,
    pub request: Option<Body>,
    /// Keyed by status code.
    pub responses: BTreeMap<String, Response>,
}

impl Operation {
    /// `METHOD /path`.
    pub fn key(&self) -> (String, String) {
        (self.method.clone(), self.path.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub required: bool,
    pub schema: Field,
}

#[derive(Debug, Clone)]
pub struct Body {
    pub required: bool,
    pub versions: BTreeSet<String>,
    pub fields: Fields,
}

#[derive(Debug, Clone)]
pub struct Response {
    /// A `$ref` to a shared response (the error responses); its content is not compared.
    pub shared: bool,
    pub versions: BTreeSet<String>,
    pub fields: Fields,
}

/// Field path (`results[].delivery.methodName`, `$` for the body itself) → facts.
pub type Fields = BTreeMap<String, Field>;

/// The compared facts of one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub ty: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub required: bool,
    /// Values as JSON text, sorted.
    pub enumeration: Option<Vec<String>>,
    pub read_only: bool,
    pub write_only: bool,
}

/// `select(method, path, tags)`: whether to read an operation.
pub type Select<'a> = dyn Fn(&str, &str, &BTreeSet<String>) -> bool + 'a;

/// Reads the operations of `doc` that `select` accepts (only those are followed into schemas).
pub fn operations(doc: &Doc, select: &Select<'_>) -> Result<Vec<Operation>, DocError> {
    let mut out = Vec::new();
    let Some(paths) = doc.root.get("paths") else {
        return Err(doc.error("#/paths", "the document has no `paths`"));
    };
    let paths = doc.object(paths, "#/paths", "`paths`")?;
    for (path, item) in paths {
        let item_at = child("#/paths", path);
        let item = doc.object(item, &item_at, "a path item")?;
        let shared_params = item.get("parameters");
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = child(&item_at, method);
            let op_tags: BTreeSet<String> = op
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            if !select(method, path, &op_tags) {
                continue;
            }
            out.push(operation(doc, path, method, op, &at, shared_params, &item_at, op_tags)?);
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn operation(
    doc: &Doc,
    path: &str,
    method: &str,
    op: &Value,
    at: &str,
    shared_params: Option<&Value>,
    item_at: &str,
    tags: BTreeSet<String>,
) -> Result<Operation, DocError> {
    let map = doc.object(op, at, "an operation")?;
    let operation_id = map
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| doc.error(at, "the operation has no `operationId`"))?
        .to_owned();
    let roles = map
        .get("x-rolesRequirements")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    let sunset = map.get("x-sunset").map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });

    let mut params = BTreeMap::new();
    let lists = [(shared_params, child(item_at, "parameters")), (map.get("parameters"), child(at, "parameters"))];
    for (list, list_at) in lists {
        let Some(list) = list else { continue };
        let list = list.as_array().ok_or_else(|| doc.error(&list_at, "expected a sequence of parameters"))?;
        for (i, p) in list.iter().enumerate() {
            let p_at = format!("{list_at}/{i}");
            let (p, p_at) = doc.deref(p, &p_at)?;
            let name =
                p.get("name").and_then(Value::as_str).ok_or_else(|| doc.error(&p_at, "parameter without `name`"))?;
            let location =
                p.get("in").and_then(Value::as_str).ok_or_else(|| doc.error(&p_at, "parameter without `in`"))?;
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = match p.get("schema") {
                Some(s) => {
                    let (s, s_at) = doc.deref(s, &child(&p_at, "schema"))?;
                    leaf(doc, s, &s_at, false)?
                }
                None => Field::default(),
            };
            // operation-level parameters override path-level ones of the same name and place
            params.insert((name.to_owned(), location.to_owned()), Param { required, schema });
        }
    }

    let request = match map.get("requestBody") {
        None => None,
        Some(rb) => {
            let (rb, rb_at) = doc.deref(rb, &child(at, "requestBody"))?;
            let required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
            let (versions, fields) = content(doc, rb.get("content"), &child(&rb_at, "content"))?;
            Some(Body { required, versions, fields })
        }
    };

    let mut responses = BTreeMap::new();
    if let Some(rs) = map.get("responses") {
        let rs_at = child(at, "responses");
        for (code, r) in doc.object(rs, &rs_at, "`responses`")? {
            let r_at = child(&rs_at, code);
            let shared = r.get("$ref").is_some();
            let (r, r_at) = doc.deref(r, &r_at)?;
            let (versions, fields) = if shared {
                (BTreeSet::new(), Fields::new())
            } else {
                content(doc, r.get("content"), &child(&r_at, "content"))?
            };
            responses.insert(code.clone(), Response { shared, versions, fields });
        }
    }

    Ok(Operation {
        method: method.to_owned(),
        path: path.to_owned(),
        operation_id,
        tags,
        deprecated: map.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
        sunset,
        roles,
        params,
        request,
        responses,
    })
}

/// The version of a media type: `2023-01-01` for `application/vnd.atlas.2023-01-01+json`,
/// the media type itself otherwise.
pub fn version(media_type: &str) -> String {
    media_type
        .strip_prefix("application/vnd.atlas.")
        .and_then(|r| r.split_once('+'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_else(|| media_type.to_owned())
}

/// Versions of a `content` map and the fields of its newest schema.
fn content(doc: &Doc, content: Option<&Value>, at: &str) -> Result<(BTreeSet<String>, Fields), DocError> {
    let Some(content) = content else { return Ok((BTreeSet::new(), Fields::new())) };
    let content = doc.object(content, at, "`content`")?;
    let versions: BTreeSet<String> = content.keys().map(|k| version(k)).collect();
    // the newest version's schema (media types sort by their version)
    let newest = content.iter().filter(|(_, mt)| mt.get("schema").is_some()).max_by_key(|(k, _)| version(k));
    let mut fields = Fields::new();
    if let Some((mt, media)) = newest {
        let s_at = child(&child(at, mt), "schema");
        if let Some(schema) = media.get("schema") {
            flatten(doc, schema, &s_at, "$", "", true, &mut fields, &mut Vec::new())?;
        }
    }
    Ok((versions, fields))
}

/// The facts of one schema node (after `$ref`s), without its children.
fn leaf(doc: &Doc, s: &Value, at: &str, required: bool) -> Result<Field, DocError> {
    let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_owned);
    let enumeration = match s.get("enum") {
        None => None,
        Some(Value::Array(values)) => {
            let mut v: Vec<String> = values.iter().map(|x| x.to_string()).collect();
            v.sort();
            v.dedup();
            Some(v)
        }
        Some(_) => return Err(doc.error(&child(at, "enum"), "expected a sequence of values")),
    };
    let ty = text("type").or_else(|| {
        if s.get("properties").is_some()
            || s.get("allOf").is_some()
            || s.get("oneOf").is_some()
            || s.get("anyOf").is_some()
        {
            Some("object".to_owned())
        } else if s.get("items").is_some() {
            Some("array".to_owned())
        } else {
            None
        }
    });
    Ok(Field {
        ty,
        format: text("format"),
        pattern: text("pattern"),
        required,
        enumeration,
        read_only: s.get("readOnly").and_then(Value::as_bool).unwrap_or(false),
        write_only: s.get("writeOnly").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// Records `schema` at `path` (when `record`) and every field below it into `out`.
/// `stack` holds the references being expanded, to stop at recursive schemas.
#[allow(clippy::too_many_arguments)]
fn flatten(
    doc: &Doc,
    schema: &Value,
    at: &str,
    path: &str,
    prefix: &str,
    required: bool,
    out: &mut Fields,
    stack: &mut Vec<String>,
) -> Result<(), DocError> {
    let reference = schema.get("$ref").and_then(Value::as_str).map(str::to_owned);
    if let Some(r) = &reference {
        if stack.contains(r) {
            // a recursive schema: record the field, do not expand it again
            let (s, s_at) = doc.deref(schema, at)?;
            out.insert(path.to_owned(), leaf(doc, s, &s_at, required)?);
            return Ok(());
        }
        stack.push(r.clone());
    }
    let result = flatten_resolved(doc, schema, at, path, prefix, required, out, stack);
    if reference.is_some() {
        stack.pop();
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn flatten_resolved(
    doc: &Doc,
    schema: &Value,
    at: &str,
    path: &str,
    prefix: &str,
    required: bool,
    out: &mut Fields,
    stack: &mut Vec<String>,
) -> Result<(), DocError> {
    let (s, s_at) = doc.deref(schema, at)?;
    let mut own = Fields::new();
    let mut here = leaf(doc, s, &s_at, required)?;

    // allOf: all parts apply to the same object
    if let Some(parts) = s.get("allOf") {
        let parts =
            parts.as_array().ok_or_else(|| doc.error(&child(&s_at, "allOf"), "expected a sequence of schemas"))?;
        for (i, part) in parts.iter().enumerate() {
            let mut sub = Fields::new();
            flatten(doc, part, &format!("{}/{i}", child(&s_at, "allOf")), path, prefix, required, &mut sub, stack)?;
            if let Some(root) = sub.remove(path) {
                merge_all_of(&mut here, &root);
            }
            for (k, v) in sub {
                match own.get_mut(&k) {
                    Some(existing) => merge_all_of(existing, &v),
                    None => {
                        own.insert(k, v);
                    }
                }
            }
        }
    }

    // oneOf/anyOf: the union of the variants
    for key in ["oneOf", "anyOf"] {
        let Some(variants) = s.get(key) else { continue };
        let variants =
            variants.as_array().ok_or_else(|| doc.error(&child(&s_at, key), "expected a sequence of schemas"))?;
        let mut maps = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            let mut sub = Fields::new();
            flatten(doc, v, &format!("{}/{i}", child(&s_at, key)), path, prefix, required, &mut sub, stack)?;
            sub.remove(path);
            maps.push(sub);
        }
        for (k, v) in union(&maps, prefix) {
            own.insert(k, v);
        }
    }
    // a discriminator mapping without oneOf (a base schema whose subtypes are named only in
    // the mapping, as older upstream copies do): the base's fields plus the union of the
    // subtypes' own fields (a subtype's `allOf` back to the base is not expanded again)
    let mapping = s.get("discriminator").and_then(|d| d.get("mapping")).and_then(Value::as_object);
    if let Some(mapping) = mapping.filter(|_| s.get("oneOf").is_none() && s.get("anyOf").is_none()) {
        let targets: BTreeSet<&str> = mapping.values().filter_map(Value::as_str).collect();
        let mut maps = Vec::new();
        let map_at = child(&child(&s_at, "discriminator"), "mapping");
        for target in targets {
            let mut sub = Fields::new();
            let variant = serde_json::json!({ "$ref": target });
            // the base is on the stack while its subtypes are read
            let base_pushed = !stack.contains(&s_at);
            if base_pushed {
                stack.push(s_at.clone());
            }
            let result = flatten(doc, &variant, &map_at, path, prefix, required, &mut sub, stack);
            if base_pushed {
                stack.pop();
            }
            result?;
            sub.remove(path);
            maps.push(sub);
        }
        for (k, v) in union(&maps, prefix) {
            // the base's own description of a field wins
            own.entry(k).or_insert(v);
        }
    }

    // properties
    if let Some(props) = s.get("properties") {
        let props_at = child(&s_at, "properties");
        let props = doc.object(props, &props_at, "`properties`")?;
        let required_names: BTreeSet<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, p) in props {
            let field_path = format!("{prefix}{name}");
            flatten(
                doc,
                p,
                &child(&props_at, name),
                &field_path,
                &format!("{field_path}."),
                required_names.contains(name.as_str()),
                &mut own,
                stack,
            )?;
        }
    } else if let Some(names) = s.get("required").and_then(Value::as_array) {
        // `required` without `properties` (an allOf part that only adds requirements)
        for name in names.iter().filter_map(Value::as_str) {
            own.entry(format!("{prefix}{name}")).or_default().required = true;
        }
    }

    // arrays and maps
    if let Some(items) = s.get("items") {
        let item_path = format!("{}[]", if path == "$" { "" } else { path });
        flatten(doc, items, &child(&s_at, "items"), &item_path, &format!("{item_path}."), false, &mut own, stack)?;
    }
    if let Some(extra) = s.get("additionalProperties").filter(|v| v.is_object()) {
        let map_path = format!("{}{{}}", if path == "$" { "" } else { path });
        flatten(
            doc,
            extra,
            &child(&s_at, "additionalProperties"),
            &map_path,
            &format!("{map_path}."),
            false,
            &mut own,
            stack,
        )?;
    }

    out.insert(path.to_owned(), here);
    for (k, v) in own {
        match out.get_mut(&k) {
            Some(existing) => merge_all_of(existing, &v),
            None => {
                out.insert(k, v);
            }
        }
    }
    Ok(())
}

/// Two descriptions of the same field that both apply (allOf parts).
fn merge_all_of(a: &mut Field, b: &Field) {
    if a.ty.is_none() {
        a.ty.clone_from(&b.ty);
    }
    if a.format.is_none() {
        a.format.clone_from(&b.format);
    }
    if a.pattern.is_none() {
        a.pattern.clone_from(&b.pattern);
    }
    if a.enumeration.is_none() {
        a.enumeration.clone_from(&b.enumeration);
    }
    a.required |= b.required;
    a.read_only |= b.read_only;
    a.write_only |= b.write_only;
}

/// The fields of alternative variants seen as one object. A direct field (right under
/// `prefix`) is required only when every variant requires it; a nested one keeps the
/// requiredness it has within its parent.
fn union(maps: &[Fields], prefix: &str) -> Fields {
    let mut out = Fields::new();
    let keys: BTreeSet<&String> = maps.iter().flat_map(|m| m.keys()).collect();
    for k in keys {
        let present: Vec<&Field> = maps.iter().filter_map(|m| m.get(k)).collect();
        let Some(first) = present.first() else { continue };
        let mut f = (*first).clone();
        let direct = k.strip_prefix(prefix).is_some_and(|rest| !rest.contains(['.', '[', '{']));
        f.required = (!direct || present.len() == maps.len()) && present.iter().all(|x| x.required);
        f.read_only = present.iter().all(|x| x.read_only);
        f.write_only = present.iter().all(|x| x.write_only);
        f.enumeration = if present.iter().all(|x| x.enumeration.is_some()) {
            let mut all: Vec<String> = present.iter().flat_map(|x| x.enumeration.iter().flatten().cloned()).collect();
            all.sort();
            all.dedup();
            Some(all)
        } else {
            None
        };
        for other in &present[1..] {
            if other.ty != f.ty {
                f.ty = Some(format!("{}|{}", f.ty.as_deref().unwrap_or("any"), other.ty.as_deref().unwrap_or("any")));
            }
            if other.format != f.format {
                f.format = None;
            }
            if other.pattern != f.pattern {
                f.pattern = None;
            }
        }
        out.insert(k.clone(), f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn doc(text: &str) -> Doc {
        match Doc::parse(Path::new("t.yaml"), text) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    const ONE_OF: &str = r##"
openapi: 3.0.1
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {$ref: '#/components/schemas/U'}
components:
  schemas:
    U:
      oneOf: [{$ref: '#/components/schemas/X'}, {$ref: '#/components/schemas/Y'}]
    X:
      type: object
      required: [kind, id, x]
      properties:
        kind: {type: string, enum: [x]}
        id: {type: string}
        x: {type: integer, format: int32}
    Y:
      type: object
      required: [kind, id]
      properties:
        kind: {type: string, enum: [y]}
        id: {type: string}
        next: {$ref: '#/components/schemas/Y'}
"##;

    #[test]
    fn one_of_reads_as_the_union_of_its_variants() {
        let d = doc(ONE_OF);
        let ops = match operations(&d, &|_, _, _| true) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        };
        let r = &ops[0].responses["200"];
        assert_eq!(r.versions.iter().collect::<Vec<_>>(), ["2023-01-01"]);
        let f = &r.fields;
        assert_eq!(f["kind"].enumeration.as_deref(), Some(&["\"x\"".to_owned(), "\"y\"".to_owned()][..]));
        assert!(f["kind"].required && f["id"].required);
        assert!(!f["x"].required, "required in one variant only");
        assert_eq!(f["x"].format.as_deref(), Some("int32"));
        // the recursive reference is recorded once, not expanded forever
        assert!(f.contains_key("next") && !f.contains_key("next.kind"));
    }
}
