//! OpenAPI Overlay 1.0: what we add to a spec (waiter tables, links) kept beside it, not in
//! it, so that the spec itself can be replaced by a new slice of the published document.
//!
//! An overlay is a list of actions applied in order to the document value before it is
//! deserialized. Each action selects nodes with an RFC 9535 JSONPath `target`
//! ([`serde_json_path`], which runs the JSONPath compliance suite) and either merges its
//! `update` into them (objects merged key by key, recursively; arrays appended to; anything
//! else replaced) or removes them (`remove: true`). As the standard says, an `update` of a
//! selected array is one element appended to it.
//!
//! An action whose target selects nothing is an error, never a no-op: an overlay must not go
//! stale silently when the spec under it changes. Every node an update brings in is
//! remembered with its place in the overlay ([`Applied`]), so an error found later in
//! overlay content (a waiter naming a value the enum lacks) points into the overlay file,
//! with its line, not into a spec that does not hold it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use super::Source;
use crate::error::{Error, pointer, pointer_segments};

/// The overlay applied whenever the spec `dir/NAME.yaml` (or `.json`) is loaded:
/// `dir/NAME.overlay.yaml`.
pub fn beside(spec: &Path) -> PathBuf {
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    spec.with_file_name(format!("{stem}.overlay.yaml"))
}

/// The overlay [`beside`] `spec`, loaded; `None` when there is none.
pub fn load_beside(spec: &Path) -> Result<Option<Overlay>, Error> {
    let beside = beside(spec);
    if beside.is_file() { Overlay::load(&beside).map(Some) } else { Ok(None) }
}

/// A parsed overlay document, with its text for messages.
#[derive(Debug, Clone)]
pub struct Overlay {
    pub source: Source,
    actions: Vec<Action>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    overlay: String,
    #[allow(dead_code)] // Required by the standard; read to refuse an overlay without it.
    info: Info,
    #[serde(default)]
    #[allow(dead_code)] // Read for validation; which spec it extends is the caller's choice.
    extends: Option<String>,
    actions: Vec<Action>,
    #[serde(flatten)]
    extensions: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)] // Read for validation only.
struct Info {
    title: String,
    version: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Action {
    target: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    update: Option<Value>,
    #[serde(default)]
    remove: bool,
    #[serde(flatten)]
    extensions: BTreeMap<String, Value>,
}

/// What applying an overlay left behind: which nodes of the document came from where in it.
#[derive(Debug, Clone)]
pub struct Applied {
    pub source: Source,
    /// (pointer in the document, pointer in the overlay) of every node an update brought in,
    /// in the order applied.
    origins: Vec<(String, String)>,
}

impl Applied {
    /// The overlay pointer `doc_pointer` came from, when an update brought it (or an
    /// ancestor of it) in.
    pub fn origin(&self, doc_pointer: &str) -> Option<String> {
        let segments = pointer_segments(doc_pointer);
        // The latest, deepest node an update brought in that holds the pointer.
        let (rest, overlay_at) = self
            .origins
            .iter()
            .rev()
            .filter_map(|(at, overlay_at)| {
                let prefix = pointer_segments(at);
                (segments.len() >= prefix.len() && segments[..prefix.len()] == prefix[..]).then(|| (&segments[prefix.len()..], overlay_at))
            })
            .max_by_key(|(rest, _)| std::cmp::Reverse(rest.len()))?;
        Some(rest.iter().fold(overlay_at.clone(), |at, s| pointer(&at, s)))
    }
}

impl Overlay {
    /// Reads and checks the overlay at `path`.
    pub fn load(path: &Path) -> Result<Overlay, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { file: path.to_path_buf(), source })?;
        Overlay::parse(path, &bytes)
    }

    /// Parses overlay bytes; `path` names them in messages.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Overlay, Error> {
        let source = super::source(path, bytes)?;
        let value = super::value(&source)?;
        let doc: Document = serde_path_to_error::deserialize(&value).map_err(|e| {
            let at = crate::error::path_pointer(e.path());
            source.error(&at, format!("invalid overlay: {}", e.into_inner()))
        })?;
        if !doc.overlay.starts_with("1.") {
            return Err(source.error(
                "#/overlay",
                format!("unsupported overlay version {:?}: this generator applies Overlay 1.x documents", doc.overlay),
            ));
        }
        if let Some(key) = doc.extensions.keys().find(|k| !k.starts_with("x-")) {
            return Err(
                source.error(&pointer("#", key), format!("unknown overlay field {key:?} (fields: overlay, info, extends, actions, x-*)"))
            );
        }
        if doc.actions.is_empty() {
            return Err(source.error("#/actions", "the overlay has no action"));
        }
        for (i, a) in doc.actions.iter().enumerate() {
            let at = pointer("#/actions", &i.to_string());
            if let Some(key) = a.extensions.keys().find(|k| !k.starts_with("x-")) {
                return Err(source.error(
                    &pointer(&at, key),
                    format!("unknown action field {key:?} (fields: target, description, update, remove, x-*)"),
                ));
            }
            if a.update.is_none() && !a.remove {
                return Err(source.error(&at, format!("{} has neither `update` nor `remove: true`", describe(i, a))));
            }
            if let Err(e) = JsonPath::parse(&a.target) {
                return Err(source.error(
                    &pointer(&at, "target"),
                    format!("{}: target {:?} is not a JSONPath (RFC 9535): {}", describe(i, a), a.target, e.message()),
                ));
            }
        }
        Ok(Overlay { source, actions: doc.actions })
    }

    /// Applies every action, in order, to `doc` (the document read from `spec`, named in
    /// messages).
    pub fn apply(&self, spec: &Path, doc: &mut Value) -> Result<Applied, Error> {
        let mut origins = Vec::new();
        for (i, action) in self.actions.iter().enumerate() {
            let at = pointer("#/actions", &i.to_string());
            let path = JsonPath::parse(&action.target)
                .map_err(|e| self.source.error(&pointer(&at, "target"), format!("{}: {}", describe(i, action), e.message())))?;
            let mut targets: Vec<Vec<Segment>> =
                path.query_located(doc).locations().map(|l| l.iter().map(Segment::from).collect()).collect();
            if targets.is_empty() {
                return Err(self.source.error(
                    &pointer(&at, "target"),
                    format!(
                        "{} is stale: its target {} selects nothing in {}; fix or drop the action",
                        describe(i, action),
                        action.target,
                        spec.display()
                    ),
                ));
            }
            if action.remove {
                // Deepest and last first, so that removing one node moves no other target.
                targets.sort();
                targets.dedup();
                for target in targets.iter().rev() {
                    let Some((last, parent)) = target.split_last() else {
                        return Err(self
                            .source
                            .error(&pointer(&at, "target"), format!("{}: the whole document cannot be removed", describe(i, action))));
                    };
                    match (node_mut(doc, parent), last) {
                        (Some(Value::Object(map)), Segment::Name(key)) => {
                            map.shift_remove(key);
                        }
                        (Some(Value::Array(items)), Segment::Index(index)) if *index < items.len() => {
                            items.remove(*index);
                        }
                        _ => {}
                    }
                }
                continue;
            }
            let Some(update) = &action.update else { continue };
            for target in &targets {
                let doc_at = to_pointer(target);
                let Some(node) = node_mut(doc, target) else { continue };
                let update_at = pointer(&at, "update");
                match (node, update) {
                    (Value::Object(node), Value::Object(update)) => merge(node, update, &doc_at, &update_at, &mut origins),
                    (Value::Array(items), update) => {
                        origins.push((pointer(&doc_at, &items.len().to_string()), update_at));
                        items.push(update.clone());
                    }
                    (Value::Object(_), _) => {
                        return Err(self.source.error(
                            &update_at,
                            format!("{}: its target {doc_at} is an object, so `update` must be one", describe(i, action)),
                        ));
                    }
                    (other, _) => {
                        return Err(self.source.error(
                            &pointer(&at, "target"),
                            format!(
                                "{}: its target {doc_at} is {}; `update` merges into objects and appends to arrays",
                                describe(i, action),
                                kind(other)
                            ),
                        ));
                    }
                }
            }
        }
        Ok(Applied { source: self.source.clone(), origins })
    }
}

/// `action 3 ("snapshot waiters")`, as messages name an action.
fn describe(index: usize, action: &Action) -> String {
    match &action.description {
        Some(d) => format!("overlay action {index} ({d:?})"),
        None => format!("overlay action {index}"),
    }
}

/// The name JSON gives the type of `value`, for messages (also `spec observe`'s).
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One step of a normalized path, owned (the query borrows the document we then change).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Name(String),
    Index(usize),
}

impl From<&serde_json_path::PathElement<'_>> for Segment {
    fn from(e: &serde_json_path::PathElement<'_>) -> Self {
        match e.as_index() {
            Some(i) => Segment::Index(i),
            None => Segment::Name(e.as_name().unwrap_or_default().to_owned()),
        }
    }
}

fn to_pointer(path: &[Segment]) -> String {
    path.iter().fold("#".to_owned(), |at, s| match s {
        Segment::Name(n) => pointer(&at, n),
        Segment::Index(i) => pointer(&at, &i.to_string()),
    })
}

fn node_mut<'v>(mut node: &'v mut Value, path: &[Segment]) -> Option<&'v mut Value> {
    for segment in path {
        node = match (node, segment) {
            (Value::Object(map), Segment::Name(key)) => map.get_mut(key)?,
            (Value::Array(items), Segment::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Merges `update` into `node`: objects key by key, arrays appended to, the rest replaced;
/// every node brought in is recorded in `origins`.
fn merge(
    node: &mut serde_json::Map<String, Value>,
    update: &serde_json::Map<String, Value>,
    doc_at: &str,
    update_at: &str,
    origins: &mut Vec<(String, String)>,
) {
    for (key, new) in update {
        let (doc_key, update_key) = (pointer(doc_at, key), pointer(update_at, key));
        match (node.get_mut(key), new) {
            (Some(Value::Object(old)), Value::Object(new)) => merge(old, new, &doc_key, &update_key, origins),
            (Some(Value::Array(old)), Value::Array(new)) => {
                for (j, item) in new.iter().enumerate() {
                    origins.push((pointer(&doc_key, &old.len().to_string()), pointer(&update_key, &j.to_string())));
                    old.push(item.clone());
                }
            }
            _ => {
                origins.push((doc_key, update_key));
                node.insert(key.clone(), new.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(text: &str) -> Overlay {
        Overlay::parse(Path::new("o.overlay.yaml"), text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    const HEAD: &str = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n";

    #[test]
    fn updates_merge_objects_recursively_and_append_to_arrays() {
        let o = overlay(&format!(
            "{HEAD}- target: $.paths['/a'].get\n  update:\n    x-w: [{{name: one}}]\n    tags: [extra]\n    responses: {{'200': {{links: {{next: {{operationId: b}}}}}}}}\n- target: $.paths['/a'].get.tags\n  update: last\n"
        ));
        let mut doc = json!({"paths": {"/a": {"get": {"tags": ["t"], "responses": {"200": {"description": "ok"}}}}}});
        let applied = o.apply(Path::new("s.yaml"), &mut doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            doc,
            json!({"paths": {"/a": {"get": {
                "tags": ["t", "extra", "last"],
                "responses": {"200": {"description": "ok", "links": {"next": {"operationId": "b"}}}},
                "x-w": [{"name": "one"}],
            }}}})
        );
        // Nodes brought in point back into the overlay; the spec's own nodes do not.
        assert_eq!(applied.origin("#/paths/~1a/get/x-w/0/name").as_deref(), Some("#/actions/0/update/x-w/0/name"));
        assert_eq!(applied.origin("#/paths/~1a/get/tags/1").as_deref(), Some("#/actions/0/update/tags/0"));
        assert_eq!(applied.origin("#/paths/~1a/get/tags/2").as_deref(), Some("#/actions/1/update"));
        assert_eq!(applied.origin("#/paths/~1a/get/responses/200/links").as_deref(), Some("#/actions/0/update/responses/200/links"));
        assert_eq!(applied.origin("#/paths/~1a/get/responses/200/description"), None);
        assert_eq!(applied.origin("#/paths/~1a/get/tags/0"), None);
        // The error location is the overlay's line.
        assert_eq!(applied.source.line_of("#/actions/1/update").0, Some(10));
    }

    #[test]
    fn removes_every_selected_node_and_filters_select_by_value() {
        let o = overlay(&format!(
            "{HEAD}- target: $.paths[*][?@.operationId == 'b']\n  remove: true\n- target: $.paths['/a'].get.tags[?@ == 'x' || @ == 'z']\n  description: drop two\n  remove: true\n"
        ));
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a", "tags": ["x", "y", "z"]}, "post": {"operationId": "b"}}}});
        o.apply(Path::new("s.yaml"), &mut doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc, json!({"paths": {"/a": {"get": {"operationId": "a", "tags": ["y"]}}}}));
    }

    #[test]
    fn a_target_that_selects_nothing_is_refused_with_the_action() {
        let o = overlay(&format!(
            "{HEAD}- target: $.info\n  update: {{x-a: 1}}\n- target: $.paths['/gone'].get\n  description: gone waiters\n  update: {{x-a: 1}}\n"
        ));
        let mut doc = json!({"info": {}, "paths": {}});
        let e = o.apply(Path::new("s.yaml"), &mut doc).map(|_| ()).unwrap_err().to_string();
        assert!(e.starts_with("o.overlay.yaml:6:"), "{e}");
        assert!(e.contains("#/actions/1/target"), "{e}");
        assert!(
            e.contains("overlay action 1 (\"gone waiters\") is stale") && e.contains("$.paths['/gone'].get") && e.contains("s.yaml"),
            "{e}"
        );
    }

    #[test]
    fn malformed_overlays_are_refused_where_they_are_wrong() {
        let cases = [
            (
                "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, remove: true}]\n",
                "#/overlay",
                "unsupported overlay version",
            ),
            (&format!("{HEAD}- target: $.a\n"), "#/actions/0", "neither `update` nor `remove: true`"),
            (&format!("{HEAD}- target: a.b\n  remove: true\n"), "#/actions/0/target", "not a JSONPath"),
            (&format!("{HEAD}- target: $.a\n  remove: true\n  updat: {{}}\n"), "#/actions/0/updat", "unknown action field"),
            ("overlay: 1.0.0\nactions: []\n", "#", "invalid overlay"),
        ];
        for (text, at, message) in cases {
            let e = Overlay::parse(Path::new("o.yaml"), text.as_bytes()).map(|_| ()).unwrap_err().to_string();
            assert!(e.contains(&format!(": at {at}:")) && e.contains(message), "{text}\n=> {e}");
        }
        // An update that does not fit its target.
        let o = overlay(&format!("{HEAD}- target: $.info.title\n  update: {{a: 1}}\n"));
        let e = o.apply(Path::new("s.yaml"), &mut json!({"info": {"title": "t"}})).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("is a string"), "{e}");
    }

    #[test]
    fn the_overlay_of_a_spec_is_named_after_it() {
        assert_eq!(beside(Path::new("spec/atlas-backup.yaml")), Path::new("spec/atlas-backup.overlay.yaml"));
        assert_eq!(beside(Path::new("x/a.json")), Path::new("x/a.overlay.yaml"));
    }
}
