//! Request bodies from `--file`: read as JSON or YAML, checked strictly against the
//! operation's field table (an unknown field is refused with the closest known one, so a
//! typo never reaches Atlas), and `--template`, a skeleton built from the same table.

use std::io::Read;

use serde_json::Value;

use crate::exit::Failure;
use crate::spec::{Body, Field, Shape};

/// Where the request body comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(String),
    Stdin,
}

/// The body's source: `--file PATH`, `--file -` (stdin), or stdin when it is piped and no
/// `--file` is given. Both a file and piped stdin is refused: which one was meant?
pub fn source(file: Option<&str>, stdin_piped: bool) -> Result<Option<Source>, Failure> {
    match (file, stdin_piped) {
        (Some("-"), _) => Ok(Some(Source::Stdin)),
        (Some(path), true) => Err(Failure::usage(format!("a body from --file {path} and one piped on stdin: give one of them"))),
        (Some(path), false) => Ok(Some(Source::File(path.to_owned()))),
        (None, true) => Ok(Some(Source::Stdin)),
        (None, false) => Ok(None),
    }
}

/// Whether stdin is a pipe or a file (`< body.json`), not a terminal nor `/dev/null`.
pub fn stdin_piped() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else { return false };
        std::fs::File::from(fd).metadata().is_ok_and(|m| m.file_type().is_fifo() || m.file_type().is_file())
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        !std::io::stdin().is_terminal()
    }
}

/// The body from `source` as the JSON text to send, checked against `body`'s table; `None`
/// when piped stdin was empty.
pub fn read(source: &Source, body: &Body) -> Result<Option<Vec<u8>>, Failure> {
    let (text, name) = match source {
        Source::Stdin => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| Failure::usage(format!("cannot read the body from stdin: {e}")))?;
            (text, "stdin")
        }
        Source::File(path) => {
            (std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("cannot read the body file {path}: {e}")))?, path.as_str())
        }
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let (json, value) = to_json(text).map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    check(&value, body.shape, "").map_err(|m| Failure::usage(format!("{name}: {m}")))?;
    Ok(Some(json))
}

/// The JSON text of a body as the user gave it, and its value to check: JSON as it is
/// (every byte is sent: an explicit `null`, the key order, the spelling of numbers), YAML
/// converted to JSON with its keys in the order given.
pub fn to_json(text: String) -> Result<(Vec<u8>, Value), String> {
    if let Ok(value) = serde_json::from_str::<Value>(&text) {
        return Ok((text.into_bytes(), value));
    }
    // Through YAML's own value, whose mappings keep their order (serde_json's map sorts
    // its keys unless `preserve_order` is on).
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| format!("not JSON or YAML: {e}"))?;
    let no_json = |e: serde_json::Error| format!("YAML that has no JSON form: {e}");
    Ok((serde_json::to_vec(&yaml).map_err(no_json)?, serde_json::to_value(&yaml).map_err(no_json)?))
}

/// Checks `value` against `shape`; the error names the JSON pointer and what is wrong.
pub fn check(value: &Value, shape: &Shape, at: &str) -> Result<(), String> {
    let here = if at.is_empty() { "/" } else { at };
    match (shape, value) {
        (_, Value::Null) | (Shape::Any, _) => Ok(()),
        (Shape::Object { fields, additional }, Value::Object(map)) => {
            for (key, v) in map {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match fields.iter().find(|f| f.name == key) {
                    Some(f) => check(v, f.shape, &pointer)?,
                    None => match additional {
                        Some(shape) => check(v, shape, &pointer)?,
                        None => return Err(unknown(key, fields, here)),
                    },
                }
            }
            Ok(())
        }
        (Shape::Tagged { property, variants }, Value::Object(map)) => {
            let tag = map.get(*property).and_then(Value::as_str);
            match variants.iter().find(|(t, _)| Some(*t) == tag) {
                Some((_, shape)) => check(value, shape, at),
                None => {
                    let known: Vec<&str> = variants.iter().map(|(t, _)| *t).collect();
                    Err(format!("{here}: `{property}` must be one of {}", known.join(", ")))
                }
            }
        }
        (Shape::Array(item), Value::Array(items)) => items.iter().enumerate().try_for_each(|(i, v)| check(v, item, &format!("{at}/{i}"))),
        (Shape::Map(item), Value::Object(map)) => map.iter().try_for_each(|(k, v)| check(v, item, &format!("{at}/{k}"))),
        (Shape::String | Shape::Date, Value::String(_)) | (Shape::Boolean, Value::Bool(_)) | (Shape::Number, Value::Number(_)) => Ok(()),
        (Shape::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
        (Shape::Enum(values), Value::String(s)) => {
            if values.contains(&s.as_str()) {
                Ok(())
            } else {
                Err(format!("{here}: `{s}` is not one of {}{}", values.join(", "), closest(s, values.iter().copied())))
            }
        }
        (shape, _) => Err(format!("{here}: expected {}", describe(shape))),
    }
}

fn unknown(key: &str, fields: &[Field], at: &str) -> String {
    format!("{at}: unknown field `{key}`{}", closest(key, fields.iter().map(|f| f.name)))
}

/// `; did you mean `x`?` for the known name closest to `name`, when one is close.
pub fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|k| (strsim::jaro_winkler(&name.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

fn describe(shape: &Shape) -> String {
    match shape {
        Shape::String => "a string".to_owned(),
        Shape::Date => "a date (text)".to_owned(),
        Shape::Integer => "an integer".to_owned(),
        Shape::Number => "a number".to_owned(),
        Shape::Boolean => "true or false".to_owned(),
        Shape::Enum(values) => format!("one of {}", values.join(", ")),
        Shape::Object { .. } | Shape::Tagged { .. } | Shape::Map(_) => "an object".to_owned(),
        Shape::Array(_) => "an array".to_owned(),
        Shape::Any => "any value".to_owned(),
    }
}

/// A YAML skeleton of the body: every field (read-only ones left out), required ones
/// marked, enum values listed. Filled in, `--file` accepts it.
pub fn template(operation: &str, body: &Body) -> String {
    let mut out = format!("# Request body of {operation} ({}); fill in the values, delete what you do not set.\n", body.type_name);
    write(&mut out, body.shape, 0, 0);
    out
}

fn placeholder(shape: &Shape) -> &'static str {
    match shape {
        Shape::String | Shape::Date | Shape::Enum(_) => "\"\"",
        Shape::Integer | Shape::Number => "0",
        Shape::Boolean => "false",
        Shape::Array(_) => "[]",
        Shape::Object { .. } | Shape::Tagged { .. } | Shape::Map(_) => "{}",
        Shape::Any => "null",
    }
}

/// The skeleton of `shape` at `indent`; `depth` stops recursive types.
fn write(out: &mut String, shape: &Shape, indent: usize, depth: usize) {
    let pad = " ".repeat(indent);
    match shape {
        Shape::Object { fields, .. } => {
            for f in fields.iter().filter(|f| !f.read_only) {
                let mut notes = Vec::new();
                if f.required {
                    notes.push("required".to_owned());
                }
                notes.push(describe(f.shape));
                let nested = match f.shape {
                    Shape::Object { fields: inner, .. } if !inner.is_empty() && depth < 6 => Some(f.shape),
                    Shape::Array(item) if matches!(item, Shape::Object { fields: inner, .. } if !inner.is_empty()) && depth < 6 => {
                        Some(*item)
                    }
                    _ => None,
                };
                match (nested, f.shape) {
                    (Some(inner), Shape::Array(_)) => {
                        out.push_str(&format!("{pad}{}:  # {}\n{pad}  -\n", f.name, notes.join("; ")));
                        write(out, inner, indent + 4, depth + 1);
                    }
                    (Some(inner), _) => {
                        out.push_str(&format!("{pad}{}:  # {}\n", f.name, notes.join("; ")));
                        write(out, inner, indent + 2, depth + 1);
                    }
                    (None, shape) => out.push_str(&format!("{pad}{}: {}  # {}\n", f.name, placeholder(shape), notes.join("; "))),
                }
            }
        }
        Shape::Tagged { property, variants } => {
            for (i, (tag, shape)) in variants.iter().enumerate() {
                out.push_str(&format!("{pad}# {} {property}: {tag}\n", if i == 0 { "when" } else { "or, when" }));
                if i == 0 {
                    write(out, shape, indent, depth + 1);
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", placeholder(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Field;

    static NAME: Shape = Shape::String;
    static KIND: Shape = Shape::Enum(&["a", "b"]);
    static SHAPE: Shape = Shape::Object {
        fields: &[
            Field { name: "name", required: true, read_only: false, shape: &NAME },
            Field { name: "kind", required: false, read_only: false, shape: &KIND },
        ],
        additional: None,
    };

    #[test]
    fn the_source_of_the_body() {
        assert_eq!(source(Some("b.json"), false).ok(), Some(Some(Source::File("b.json".to_owned()))));
        assert_eq!(source(Some("-"), false).ok(), Some(Some(Source::Stdin)));
        assert_eq!(source(Some("-"), true).ok(), Some(Some(Source::Stdin)));
        assert_eq!(source(None, true).ok(), Some(Some(Source::Stdin)));
        assert_eq!(source(None, false).ok(), Some(None));
        assert_eq!(source(Some("b.json"), true).map_err(|f| f.code).err(), Some(crate::exit::USAGE));
    }

    #[test]
    fn json_is_kept_as_given_and_yaml_keeps_its_order() {
        let json = "{ \"z\": null, \"a\": 1.50 }\n";
        assert_eq!(to_json(json.to_owned()).ok().map(|(j, _)| j).as_deref(), Some(json.as_bytes()));
        let yaml = "z: 1\na:\n  - y: true\n    b: text\n";
        assert_eq!(to_json(yaml.to_owned()).ok().map(|(j, _)| j).as_deref(), Some(&br#"{"z":1,"a":[{"y":true,"b":"text"}]}"#[..]));
        assert!(to_json("{1: [".to_owned()).is_err_and(|e| e.starts_with("not JSON or YAML")));
        assert!(to_json("? [1]\n: x\n".to_owned()).is_err_and(|e| e.starts_with("YAML that has no JSON form")));
    }

    #[test]
    fn checks_name_the_pointer_and_the_closest_field() {
        assert!(check(&serde_json::json!({"name": "x", "kind": "a"}), &SHAPE, "").is_ok());
        assert_eq!(
            check(&serde_json::json!({"nam": "x"}), &SHAPE, "").err().as_deref(),
            Some("/: unknown field `nam`; did you mean `name`?")
        );
        assert_eq!(check(&serde_json::json!({"kind": "c"}), &SHAPE, "").err().as_deref(), Some("/kind: `c` is not one of a, b"));
        assert_eq!(check(&serde_json::json!({"name": 1}), &SHAPE, "").err().as_deref(), Some("/name: expected a string"));
    }

    #[test]
    fn a_template_lists_every_field() {
        let body = Body { required: true, type_name: "models::X", shape: &SHAPE };
        let text = template("op", &body);
        assert!(text.contains("name: \"\"  # required; a string\n"), "{text}");
        assert!(text.contains("kind: \"\"  # one of a, b\n"), "{text}");
    }
}
