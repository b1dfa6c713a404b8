//! Slicing a document: the operations of some tags plus every component they reach, as a
//! valid OpenAPI document of its own (`cargo xtask spec slice`). It works on the raw
//! document ([`crate::load::load_value`]), so that everything the slice carries over is
//! kept as written, extensions included.

use std::collections::{BTreeSet, VecDeque};

use serde_json::{Map, Value};

use crate::error::{Error, pointer as child};
use crate::load::{METHODS, Source};

/// Component sections a slice carries over (each only with the entries it reaches).
pub const SECTIONS: [&str; 9] =
    ["schemas", "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks"];

/// What a slice holds, for the report.
#[derive(Debug, Clone, Default)]
pub struct Sliced {
    pub operations: usize,
    pub components: usize,
}

/// The document `doc` (read from `source`) reduced to the operations with one of `tags`.
pub fn slice(source: &Source, doc: &Value, tags: &[String]) -> Result<(Value, Sliced), Error> {
    let doc = Doc { source, root: doc };
    let root = doc.object(doc.root, "#", "the document")?;
    let paths_node = root.get("paths").ok_or_else(|| doc.error("#/paths", "the document has no `paths`"))?;
    let paths = doc.object(paths_node, "#/paths", "`paths`")?;
    let wanted: BTreeSet<&str> = tags.iter().map(String::as_str).collect();

    let mut out_paths = Map::new();
    let mut used_tags = BTreeSet::new();
    let mut all_tags = BTreeSet::new();
    let mut security_names = BTreeSet::new();
    let mut operations = 0usize;
    for (path, item) in paths {
        let item_at = child("#/paths", path);
        let item = doc.object(item, &item_at, "a path item")?;
        let mut kept = Map::new();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_at = child(&item_at, method);
            let op_map = doc.object(op, &op_at, "an operation")?;
            let op_tags: Vec<&str> = match op_map.get("tags") {
                None => Vec::new(),
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                Some(other) => {
                    return Err(doc.error(&child(&op_at, "tags"), format!("expected a sequence of tag names, found {}", kind(other))));
                }
            };
            all_tags.extend(op_tags.iter().map(|t| (*t).to_owned()));
            if !op_tags.iter().any(|t| wanted.contains(t)) {
                continue;
            }
            operations += 1;
            used_tags.extend(op_tags.iter().map(|t| (*t).to_owned()));
            if let Some(Value::Array(reqs)) = op_map.get("security") {
                collect_security(reqs, &mut security_names);
            }
            kept.insert(method.to_owned(), op.clone());
        }
        if kept.is_empty() {
            continue;
        }
        // path-level fields (parameters, summary, servers, ...) go along with the operations
        let mut new_item = Map::new();
        for (k, v) in item {
            if !METHODS.contains(&k.as_str()) {
                new_item.insert(k.clone(), v.clone());
            }
        }
        new_item.extend(kept);
        out_paths.insert(path.clone(), Value::Object(new_item));
    }
    if operations == 0 {
        let known: Vec<String> = all_tags.into_iter().collect();
        return Err(
            doc.error("#/paths", format!("no operation has any of the tags {:?}; the document's tags are: {}", tags, known.join(", ")))
        );
    }
    if let Some(Value::Array(reqs)) = root.get("security") {
        collect_security(reqs, &mut security_names);
    }

    // every component reachable from the kept paths (and the security schemes they name)
    let mut queue: VecDeque<(String, String)> = VecDeque::new();
    let paths_value = Value::Object(out_paths.clone());
    collect_refs(&paths_value, "#/paths", &mut queue);
    for name in &security_names {
        let r = child("#/components/securitySchemes", name);
        queue.push_back((r, "#/security".to_owned()));
    }
    let reached = doc.follow(queue, |_| true)?;

    let mut components = Map::new();
    let mut count = 0usize;
    if let Some(src) = root.get("components") {
        let src = doc.object(src, "#/components", "`components`")?;
        for section in SECTIONS {
            let Some(entries) = src.get(section) else { continue };
            let entries = doc.object(entries, &child("#/components", section), "a components section")?;
            let mut kept = Map::new();
            for (name, v) in entries {
                let r = child(&child("#/components", section), name);
                if reached.contains(&r) {
                    kept.insert(name.clone(), v.clone());
                }
            }
            if !kept.is_empty() {
                count += kept.len();
                components.insert(section.to_owned(), Value::Object(kept));
            }
        }
    }
    // refs to components outside the known sections would dangle: refuse them
    for r in &reached {
        let section = r.split('/').nth(2).unwrap_or_default();
        if !r.starts_with("#/components/") || !SECTIONS.contains(&section) {
            return Err(doc.error(r, "the slice only follows references into `#/components/<section>/...`"));
        }
    }

    let mut out = Map::new();
    for key in ["openapi", "info", "externalDocs", "servers", "security"] {
        if let Some(v) = root.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(Value::Array(tags)) = root.get("tags") {
        let kept: Vec<Value> =
            tags.iter().filter(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| used_tags.contains(n))).cloned().collect();
        out.insert("tags".to_owned(), Value::Array(kept));
    }
    out.insert("paths".to_owned(), Value::Object(out_paths));
    if !components.is_empty() {
        out.insert("components".to_owned(), Value::Object(components));
    }
    Ok((Value::Object(out), Sliced { operations, components: count }))
}

/// The `$ref`s of every component that `node` (at `at` in `doc`) reaches, directly or
/// through other components. `descend` says whether to follow the references of a reached
/// component too (`spec update` stops at the components the target document already has).
pub fn reached(source: &Source, doc: &Value, node: &Value, at: &str, descend: impl Fn(&str) -> bool) -> Result<BTreeSet<String>, Error> {
    let mut queue = VecDeque::new();
    collect_refs(node, at, &mut queue);
    Doc { source, root: doc }.follow(queue, descend)
}

/// The raw document and the source that names its lines in errors.
struct Doc<'a> {
    source: &'a Source,
    root: &'a Value,
}

impl<'a> Doc<'a> {
    fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        self.source.error(pointer, message)
    }

    /// The mapping at `pointer`, or an error naming what was expected.
    fn object<'v>(&self, node: &'v Value, pointer: &str, what: &str) -> Result<&'v Map<String, Value>, Error> {
        node.as_object().ok_or_else(|| self.error(pointer, format!("expected {what} (a mapping), found {}", kind(node))))
    }

    /// Every reference in `queue` and, where `descend` says so, the references of what they
    /// resolve to; each must resolve.
    fn follow(&self, mut queue: VecDeque<(String, String)>, descend: impl Fn(&str) -> bool) -> Result<BTreeSet<String>, Error> {
        let mut reached: BTreeSet<String> = BTreeSet::new();
        while let Some((reference, from)) = queue.pop_front() {
            if reached.contains(&reference) {
                continue;
            }
            let target = self.resolve(&reference, &from)?;
            reached.insert(reference.clone());
            if descend(&reference) {
                collect_refs(target, &reference, &mut queue);
            }
        }
        Ok(reached)
    }

    /// Resolves a local `$ref` (`#/components/...`); `from` is the pointer of the node holding it.
    fn resolve(&self, reference: &str, from: &str) -> Result<&'a Value, Error> {
        let target = reference.strip_prefix('#').filter(|r| r.is_empty() || r.starts_with('/'));
        let Some(target) = target else {
            return Err(
                self.error(from, format!("$ref {reference:?} is not a local reference (`#/...`); only local references are supported"))
            );
        };
        self.root.pointer(target).ok_or_else(|| self.error(from, format!("$ref {reference:?} does not resolve")))
    }
}

/// A short name of a JSON value's kind, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

fn collect_security(reqs: &[Value], names: &mut BTreeSet<String>) {
    for req in reqs {
        if let Some(m) = req.as_object() {
            names.extend(m.keys().cloned());
        }
    }
}

/// Every `$ref` under `node`, plus discriminator mapping targets (which are references too).
fn collect_refs(node: &Value, at: &str, out: &mut VecDeque<(String, String)>) {
    match node {
        Value::Object(m) => {
            for (k, v) in m {
                let here = child(at, k);
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push_back((r.clone(), here)),
                    ("discriminator", Value::Object(d)) => {
                        if let Some(Value::Object(mapping)) = d.get("mapping") {
                            for (value, target) in mapping {
                                if let Some(t) = target.as_str().filter(|t| t.starts_with('#')) {
                                    out.push_back((t.to_owned(), child(&child(&here, "mapping"), value)));
                                }
                            }
                        }
                    }
                    _ => collect_refs(v, &here, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (Source, Value) {
        let source = Source { path: "t.yaml".into(), text: text.to_owned(), format: crate::load::Format::Yaml };
        let value = crate::load::value(&source).unwrap_or_else(|e| panic!("{e}"));
        (source, value)
    }

    const DOC: &str = r##"
openapi: 3.0.1
info: {title: t, version: '1'}
tags: [{name: A}, {name: B}]
paths:
  /a:
    get:
      tags: [A]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/P'}
  /b:
    get:
      tags: [B]
      responses:
        '200': {$ref: '#/components/responses/R'}
components:
  schemas:
    P:
      oneOf: [{$ref: '#/components/schemas/Q'}]
      discriminator: {propertyName: t, mapping: {q: '#/components/schemas/Q2'}}
    Q: {type: object}
    Q2: {type: object}
    Unused: {type: object}
  responses:
    R: {description: r}
"##;

    #[test]
    fn keeps_only_the_tagged_operations_and_what_they_reach() {
        let (source, doc) = load(DOC);
        let (out, sliced) = match slice(&source, &doc, &["A".to_owned()]) {
            Ok(x) => x,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(sliced.operations, 1);
        assert!(out.pointer("/paths/~1b").is_none());
        let schemas: Vec<&String> =
            out.pointer("/components/schemas").and_then(Value::as_object).map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(schemas, ["P", "Q", "Q2"]);
        assert!(out.pointer("/components/responses").is_none());
        assert_eq!(out.pointer("/tags/0/name").and_then(Value::as_str), Some("A"));
    }

    #[test]
    fn unknown_tag_lists_the_known_ones() {
        let (source, doc) = load(DOC);
        let e = slice(&source, &doc, &["C".to_owned()]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("the document's tags are: A, B"), "{e}");
        // errors name the file, the line and the pointer
        assert!(e.starts_with("t.yaml:5:"), "{e}");
    }
}
