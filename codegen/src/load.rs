//! Stage 1: read the spec (YAML or JSON) into `openapiv3::OpenAPI`.
//!
//! The document is parsed once, through `serde_path_to_error`, so that a structural error
//! carries the JSON pointer of the node that did not fit. Line numbers come from the parser
//! for syntax errors and from [`Source::locate`] for errors found later (dangling `$ref`s,
//! duplicate operationIds, ...).

use std::path::{Path, PathBuf};

use crate::error::{Error, Location};

/// The text of the spec, kept so that later stages can turn pointers into line numbers.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// A parsed document with the text it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: Source,
    pub doc: openapiv3::OpenAPI,
}

/// Reads and parses the spec at `path`.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        file: path.to_path_buf(),
        source,
    })?;
    parse(path, &bytes)
}

/// Parses spec bytes; `path` is only used for messages and to tell JSON from YAML.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded, Error> {
    let at_root = |message: String, line: Option<usize>, column: Option<usize>| {
        Error::spec(
            Location {
                file: path.to_path_buf(),
                pointer: "#".to_owned(),
                line,
                column,
            },
            message,
        )
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let (line, column) = line_col(bytes, e.valid_up_to());
            return Err(at_root(
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {}); is it a binary file?",
                    e.valid_up_to()
                ),
                Some(line),
                Some(column),
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(at_root(
            "the file is empty: expected an OpenAPI 3.0 document".to_owned(),
            None,
            None,
        ));
    }
    let format = detect_format(path, text);
    let source = Source {
        path: path.to_path_buf(),
        text: text.to_owned(),
        format,
    };
    let doc = match deserialize(&source) {
        Ok(doc) => doc,
        Err(err) => return Err(version_error(&source).unwrap_or(err)),
    };
    if !doc.openapi.starts_with("3.0") {
        return Err(source.error(
            "#/openapi",
            format!(
                "unsupported OpenAPI version {:?}: this generator reads OpenAPI 3.0.x documents",
                doc.openapi
            ),
        ));
    }
    Ok(Loaded { source, doc })
}

fn detect_format(path: &Path, text: &str) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        Some("yaml" | "yml") => Format::Yaml,
        _ if text.trim_start().starts_with('{') => Format::Json,
        _ => Format::Yaml,
    }
}

fn deserialize(source: &Source) -> Result<openapiv3::OpenAPI, Error> {
    match source.format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(&source.text);
            serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let pointer = path_to_pointer(e.path());
                let inner = e.into_inner();
                let (line, column) = if inner.line() > 0 {
                    (Some(inner.line()), Some(inner.column()))
                } else {
                    let (l, c) = source.line_of(&pointer);
                    (l, c)
                };
                Error::spec(
                    Location {
                        file: source.path.clone(),
                        pointer,
                        line,
                        column,
                    },
                    describe(inner.to_string()),
                )
            })
        }
        Format::Yaml => {
            let de = serde_yaml::Deserializer::from_str(&source.text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let pointer = path_to_pointer(e.path());
                let inner = e.into_inner();
                let (line, column) = match inner.location() {
                    Some(loc) => (Some(loc.line()), Some(loc.column())),
                    None => source.line_of(&pointer),
                };
                Error::spec(
                    Location {
                        file: source.path.clone(),
                        pointer,
                        line,
                        column,
                    },
                    describe(inner.to_string()),
                )
            })
        }
    }
}

/// serde's messages mention "line X column Y" which we already print in front; strip them.
fn describe(message: String) -> String {
    let trimmed = match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    format!("invalid document: {trimmed}")
}

/// On a failed parse, a clearer message when the document is Swagger 2.0 or OpenAPI 3.1.
fn version_error(source: &Source) -> Option<Error> {
    #[derive(serde::Deserialize)]
    struct Versions {
        swagger: Option<serde_json::Value>,
        openapi: Option<serde_json::Value>,
    }
    let versions: Versions = match source.format {
        Format::Json => serde_json::from_str(&source.text).ok()?,
        Format::Yaml => serde_yaml::from_str(&source.text).ok()?,
    };
    if let Some(v) = versions.swagger {
        return Some(source.error(
            "#/swagger",
            format!(
                "unsupported version: this is a Swagger {} document; convert it to OpenAPI 3.0 first",
                scalar(&v)
            ),
        ));
    }
    match versions.openapi {
        None => Some(source.error(
            "#",
            "not an OpenAPI document: the top-level `openapi` field is missing",
        )),
        Some(v) if !scalar(&v).starts_with("3.0") => Some(source.error(
            "#/openapi",
            format!(
                "unsupported OpenAPI version {}: this generator reads OpenAPI 3.0.x documents",
                scalar(&v)
            ),
        )),
        Some(_) => None,
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::from("#");
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                out = crate::error::pointer(&out, &index.to_string());
            }
            serde_path_to_error::Segment::Map { key } => out = crate::error::pointer(&out, key),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

impl Source {
    /// An error at `pointer`, with the line and column where they can be found.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::spec(self.location(pointer), message)
    }

    pub fn location(&self, pointer: &str) -> Location {
        let (line, column) = self.line_of(pointer);
        Location {
            file: self.path.clone(),
            pointer: pointer.to_owned(),
            line,
            column,
        }
    }

    /// Finds the line of the node a pointer names. Only errors pay for this: it scans the
    /// text, following block-style YAML indentation or JSON keys in order. It answers the
    /// line of the deepest ancestor it could find, or nothing.
    pub fn line_of(&self, pointer: &str) -> (Option<usize>, Option<usize>) {
        let segments = crate::error::pointer_segments(pointer);
        let found = match self.format {
            Format::Yaml => locate_yaml(&self.text, &segments),
            Format::Json => locate_json(&self.text, &segments),
        };
        match found {
            Some((line, column)) => (Some(line), Some(column)),
            None => (None, None),
        }
    }
}

/// Effective indentation and content of a YAML line; `- ` items count as indented content.
fn yaml_line(line: &str) -> Option<(usize, bool, &str)> {
    let content = line.trim_start_matches(' ');
    if content.is_empty() || content.starts_with('#') {
        return None;
    }
    let indent = line.len() - content.len();
    if let Some(rest) = content.strip_prefix("- ").or_else(|| (content == "-").then_some("")) {
        let inner = rest.trim_start_matches(' ');
        Some((indent + (content.len() - inner.len()), true, inner))
    } else {
        Some((indent, false, content))
    }
}

fn key_matches(content: &str, key: &str) -> bool {
    for quoted in [key.to_owned(), format!("\"{key}\""), format!("'{key}'")] {
        if let Some(rest) = content.strip_prefix(quoted.as_str())
            && rest.trim_start().starts_with(':')
        {
            return true;
        }
    }
    false
}

fn locate_yaml(text: &str, segments: &[String]) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let (mut start, mut end) = (0usize, lines.len());
    let mut best = None;
    for segment in segments {
        // The children of the current node are the lines of [start, end) at the smallest
        // effective indentation found there (`- ` counts as indentation).
        let child_indent = lines
            .get(start..end)?
            .iter()
            .filter_map(|l| yaml_line(l))
            .map(|(indent, _, _)| indent)
            .min()?;
        let at_child = |i: usize| yaml_line(lines[i]).filter(|(ind, _, _)| *ind == child_indent);
        let hit = match segment.parse::<usize>() {
            Ok(index) => (start..end)
                .filter(|&i| at_child(i).is_some_and(|(_, dash, _)| dash))
                .nth(index)
                .map(|i| (i, true)),
            Err(_) => None,
        }
        .or_else(|| {
            (start..end)
                .find(|&i| at_child(i).is_some_and(|(_, _, content)| key_matches(content, segment)))
                .map(|i| (i, false))
        });
        let Some((i, is_item)) = hit else {
            return best;
        };
        best = Some((i + 1, child_indent + 1));
        // The node's block runs until a line indented less than its content, or a plain key
        // at the same indentation (a compact `- ` sequence may sit at the key's indentation).
        let mut j = i + 1;
        while j < end {
            let raw = lines[j].len() - lines[j].trim_start_matches(' ').len();
            if let Some((_, dash, _)) = yaml_line(lines[j])
                && (raw < child_indent || (raw == child_indent && !dash && !is_item))
            {
                break;
            }
            j += 1;
        }
        // A sequence item's first key sits on the item's own line.
        start = if is_item { i } else { i + 1 };
        end = j;
        if start >= end {
            return best;
        }
    }
    best
}

fn locate_json(text: &str, segments: &[String]) -> Option<(usize, usize)> {
    // JSON keys are searched in document order: each segment's key is looked for after the
    // previous one. Array indices are not followed (the answer stays at the parent).
    let mut offset = 0usize;
    let mut best = None;
    for segment in segments {
        if segment.parse::<usize>().is_ok() {
            continue;
        }
        let needle = format!("\"{}\"", segment.replace('\\', "\\\\").replace('"', "\\\""));
        match text.get(offset..).and_then(|t| t.find(&needle)) {
            Some(i) => {
                offset += i;
                best = Some(line_col(text.as_bytes(), offset));
                offset += needle.len();
            }
            None => return best,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "openapi: 3.0.1\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a/{b}:\n    get:\n      parameters:\n      - name: b\n        in: path\n      - name: c\n        in: query\n      responses:\n        '200':\n          description: ok\n";

    fn source(text: &str) -> Source {
        Source {
            path: "x.yaml".into(),
            text: text.to_owned(),
            format: Format::Yaml,
        }
    }

    #[test]
    fn locates_nested_yaml_keys_and_sequence_items() {
        let s = source(DOC);
        assert_eq!(s.line_of("#/paths/~1a~1{b}/get").0, Some(7));
        assert_eq!(s.line_of("#/paths/~1a~1{b}/get/parameters/1").0, Some(11));
        assert_eq!(s.line_of("#/paths/~1a~1{b}/get/parameters/1/in").0, Some(12));
        assert_eq!(s.line_of("#/paths/~1a~1{b}/get/responses/200").0, Some(14));
        assert_eq!(s.line_of("#/info/version").0, Some(4));
    }

    #[test]
    fn unknown_key_answers_the_deepest_ancestor() {
        let s = source(DOC);
        assert_eq!(s.line_of("#/paths/~1a~1{b}/post").0, Some(6));
        assert_eq!(s.line_of("#/nope").0, None);
    }

    #[test]
    fn rejects_swagger_2_and_openapi_3_1_clearly() {
        let e = parse(Path::new("s.yaml"), b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Swagger 2.0"), "{e}");
        let e = parse(Path::new("s.yaml"), b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unsupported OpenAPI version") && e.contains("3.1.0"), "{e}");
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let e = parse(Path::new("broken.yaml"), b"openapi: 3.0.1\ninfo:\n  title: [unclosed\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("broken.yaml:"), "{e}");
    }
}
