//! Loading OpenAPI documents (YAML or JSON) as plain JSON values, and the JSON pointer and
//! `$ref` plumbing the other spec tools share. Every error names the file and the JSON
//! pointer of the offending node (or the line and column of a syntax error).

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// An error in one input file, at one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub file: PathBuf,
    /// `#`-prefixed RFC 6901 pointer, or `line L, column C` for syntax errors.
    pub at: String,
    pub message: String,
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: at {}: {}", self.file.display(), self.at, self.message)
    }
}

impl std::error::Error for DocError {}

/// One loaded document.
#[derive(Debug, Clone)]
pub struct Doc {
    pub file: PathBuf,
    pub root: Value,
}

impl Doc {
    /// Reads and parses `file` (JSON when it ends in `.json` or starts with `{`, YAML otherwise).
    pub fn load(file: &Path) -> Result<Doc, DocError> {
        let text = std::fs::read_to_string(file).map_err(|e| DocError {
            file: file.to_path_buf(),
            at: "#".to_owned(),
            message: format!("cannot read the file: {e}"),
        })?;
        Doc::parse(file, &text)
    }

    /// Parses `text`; `file` only names it in messages.
    pub fn parse(file: &Path, text: &str) -> Result<Doc, DocError> {
        let err = |at: String, message: String| DocError { file: file.to_path_buf(), at, message };
        let json = file.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
        let root = if json {
            serde_json::from_str::<Value>(text)
                .map_err(|e| err(format!("line {}, column {}", e.line(), e.column()), format!("invalid JSON: {e}")))?
        } else {
            let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
                let at = e
                    .location()
                    .map(|l| format!("line {}, column {}", l.line(), l.column()))
                    .unwrap_or_else(|| "#".to_owned());
                err(at, format!("invalid YAML: {e}"))
            })?;
            yaml_to_json(yaml, "#").map_err(|(at, message)| err(at, message))?
        };
        if !root.is_object() {
            return Err(err("#".to_owned(), "expected an OpenAPI document (a mapping at the top level)".to_owned()));
        }
        match root.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.") => {}
            Some(v) => {
                return Err(err("#/openapi".to_owned(), format!("unsupported OpenAPI version {v:?}: expected 3.x")));
            }
            None => {
                return Err(err(
                    "#/openapi".to_owned(),
                    "missing `openapi` version string: not an OpenAPI 3 document".to_owned(),
                ));
            }
        }
        Ok(Doc { file: file.to_path_buf(), root })
    }

    /// An error at `pointer` in this document.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> DocError {
        DocError { file: self.file.clone(), at: pointer.to_owned(), message: message.into() }
    }

    /// The node a `#/...` pointer names.
    pub fn get(&self, pointer: &str) -> Option<&Value> {
        let rest = pointer.strip_prefix('#')?;
        if rest.is_empty() {
            return Some(&self.root);
        }
        self.root.pointer(rest)
    }

    /// Resolves a local `$ref` (`#/components/...`); `from` is the pointer of the node holding it.
    pub fn resolve(&self, reference: &str, from: &str) -> Result<&Value, DocError> {
        if !reference.starts_with("#/") {
            return Err(self.error(
                from,
                format!("$ref {reference:?} is not a local reference (`#/...`); only local references are supported"),
            ));
        }
        self.get(reference).ok_or_else(|| self.error(from, format!("$ref {reference:?} does not resolve")))
    }

    /// Follows `$ref`s from `node` (at `pointer`) until a node without one; answers the node
    /// and its pointer. Reference cycles are reported instead of followed forever.
    pub fn deref<'a>(&'a self, node: &'a Value, pointer: &str) -> Result<(&'a Value, String), DocError> {
        let mut node = node;
        let mut at = pointer.to_owned();
        for _ in 0..64 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    node = self.resolve(r, &format!("{at}/$ref"))?;
                    at = r.to_owned();
                }
                None => return Ok((node, at)),
            }
        }
        Err(self.error(pointer, "$ref chain longer than 64 steps (a reference cycle?)"))
    }

    /// The mapping at `pointer`, or an error naming what was expected.
    pub fn object<'a>(&self, node: &'a Value, pointer: &str, what: &str) -> Result<&'a Map<String, Value>, DocError> {
        node.as_object()
            .ok_or_else(|| self.error(pointer, format!("expected {what} (a mapping), found {}", kind(node))))
    }
}

/// A short name of a JSON value's kind, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

/// Escapes one pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `base` + `/segment`, escaped.
pub fn child(base: &str, segment: &str) -> String {
    format!("{base}/{}", escape(segment))
}

/// YAML → JSON: mapping keys must be scalars (numbers and booleans become their text, as
/// OpenAPI status codes like `200` often are written unquoted).
fn yaml_to_json(v: serde_yaml::Value, at: &str) -> Result<Value, (String, String)> {
    Ok(match v {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                match n.as_f64().and_then(serde_json::Number::from_f64) {
                    Some(f) => Value::Number(f),
                    None => return Err((at.to_owned(), format!("number {n} cannot be represented in JSON"))),
                }
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, x)| yaml_to_json(x, &format!("{at}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        serde_yaml::Value::Mapping(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, x) in m {
                let key = match k {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    other => {
                        return Err((at.to_owned(), format!("mapping key {other:?} is not a scalar")));
                    }
                };
                let value = yaml_to_json(x, &child(at, &key))?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        serde_yaml::Value::Tagged(t) => yaml_to_json(t.value, at)?,
    })
}

/// Writes `value` as YAML or JSON (by the extension of `file`).
pub fn write(file: &Path, value: &Value) -> Result<(), String> {
    let text = if file.extension().is_some_and(|e| e == "json") {
        let mut s = serde_json::to_string_pretty(value).map_err(|e| format!("cannot serialize: {e}"))?;
        s.push('\n');
        s
    } else {
        serde_yaml::to_string(value).map_err(|e| format!("cannot serialize: {e}"))?
    };
    std::fs::write(file, text).map_err(|e| format!("{}: cannot write: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_status_codes_become_string_keys() {
        let doc = Doc::parse(
            Path::new("a.yaml"),
            "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n",
        );
        let doc = match doc {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert!(doc.get("#/paths/~1a/get/responses/200").is_some());
    }

    #[test]
    fn errors_name_file_and_place() {
        let e = Doc::parse(Path::new("b.yaml"), "openapi: 3.0.1\npaths: [\n").err().map(|e| e.to_string());
        assert!(e.as_deref().is_some_and(|m| m.starts_with("b.yaml: at line ")), "{e:?}");
        let e = Doc::parse(Path::new("c.yaml"), "swagger: '2.0'\n").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("c.yaml: at #/openapi: missing `openapi` version string: not an OpenAPI 3 document")
        );
    }

    #[test]
    fn dangling_ref_names_the_holder() {
        let doc = Doc::parse(Path::new("d.yaml"), "openapi: 3.0.1\n").ok();
        let e = doc.map(|d| {
            d.resolve("#/components/schemas/X", "#/paths/~1a/get/$ref").map(|_| ()).err().map(|e| e.to_string())
        });
        assert_eq!(
            e.flatten().as_deref(),
            Some("d.yaml: at #/paths/~1a/get/$ref: $ref \"#/components/schemas/X\" does not resolve")
        );
    }
}
