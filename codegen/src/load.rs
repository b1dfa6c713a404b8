//! Stage 1: read the spec (YAML or JSON) into `openapiv3::OpenAPI`.
//!
//! The document is parsed once, through `serde_path_to_error`, so that a structural error
//! carries the JSON pointer of the node that did not fit. Line numbers come from the parser
//! for syntax errors and from [`Source::locate`] for errors found later (dangling `$ref`s,
//! duplicate operationIds, ...).
//!
//! A spec `NAME.yaml` is read with the overlay `NAME.overlay.yaml` beside it, when there is
//! one ([`overlay`]): its actions are applied to the document value before it is
//! deserialized, so every command that loads the spec (generate, drift, spec check, bench)
//! sees the same document.

pub mod names;
pub mod overlay;
pub mod refs;
pub mod schemas;
pub mod split;

use std::path::{Path, PathBuf};

use crate::error::{Error, Location};
use overlay::{Applied, Overlay};
use split::Split;

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
    /// The overlay applied to the document, if any: errors in what it brought point into it.
    pub overlay: Option<Applied>,
}

impl Loaded {
    /// An error at `pointer` of the document: in the overlay file when the overlay brought
    /// that node in, in the spec otherwise.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::spec(self.location(pointer), message)
    }

    pub fn location(&self, pointer: &str) -> Location {
        match &self.overlay {
            Some(applied) => match applied.origin(pointer) {
                Some(at) => applied.source.location(&at),
                None => self.source.location(pointer),
            },
            None => self.source.location(pointer),
        }
    }
}

/// The operations a path item can hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The largest spec read. The whole Atlas API is about 4 MiB; a file this large is a
/// mistake (a wrong path, a dump) and would only cost memory and time.
pub const MAX_SPEC_BYTES: u64 = 32 * 1024 * 1024;

/// Reads and parses the spec at `path`, with the overlay beside it ([`overlay::beside`]) when
/// there is one.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    load_with(path, overlay::load_beside(path)?.as_ref())
}

/// Reads and parses the spec at `path` with `overlay` (and no other) applied.
pub fn load_with(path: &Path, overlay: Option<&Overlay>) -> Result<Loaded, Error> {
    if let Ok(meta) = std::fs::metadata(path) {
        within_limit(path, meta.len())?;
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read { file: path.to_path_buf(), source })?;
    // The bytes read become the text (no copy of a few MiB, touched page by page).
    parse_source(source_owned(path, bytes)?, overlay, Split::Auto).map(|(loaded, _)| loaded)
}

/// The spec files (`*.yaml`, `*.json`) directly in `dir`, in name order: the published
/// copies in `../shared/upstream/` that tests and benches read. Empty when `dir` cannot be
/// read (callers say what that means for them).
pub fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => {
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json")).collect()
        }
        Err(_) => Vec::new(),
    };
    specs.sort();
    specs
}

/// [`MAX_SPEC_BYTES`], checked before a spec's bytes are read or copied.
fn within_limit(path: &Path, len: u64) -> Result<(), Error> {
    if len <= MAX_SPEC_BYTES { Ok(()) } else { Err(too_large(path, len)) }
}

fn too_large(path: &Path, len: u64) -> Error {
    Error::spec(
        Location { file: path.to_path_buf(), pointer: "#".to_owned(), line: None, column: None },
        format!(
            "the file is {:.1} MiB; specs larger than {} MiB are refused",
            len as f64 / (1024.0 * 1024.0),
            MAX_SPEC_BYTES / (1024 * 1024)
        ),
    )
}

/// Parses spec bytes, no overlay applied; `path` is only used for messages and to tell JSON
/// from YAML.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded, Error> {
    parse_with(path, bytes, None)
}

/// Parses spec bytes with `overlay` applied to the document before it is deserialized.
pub fn parse_with(path: &Path, bytes: &[u8], overlay: Option<&Overlay>) -> Result<Loaded, Error> {
    parse_split(path, bytes, overlay, Split::Auto).map(|(loaded, _)| loaded)
}

/// [`parse_with`], the YAML text cut as `split` says ([`split`]), and how many documents it
/// was parsed in (1 when it was parsed whole): the tests compare cut and whole loads with it
/// and prove that the cut ran.
pub fn parse_split(path: &Path, bytes: &[u8], overlay: Option<&Overlay>, split: Split) -> Result<(Loaded, usize), Error> {
    parse_source(source(path, bytes)?, overlay, split)
}

/// [`parse_split`] of a checked text.
fn parse_source(source: Source, overlay: Option<&Overlay>, split: Split) -> Result<(Loaded, usize), Error> {
    let mut pieces = 1;
    let (doc, applied) = match overlay {
        None => match deserialize(&source, split) {
            Ok((doc, n)) => {
                pieces = n;
                (Ok(doc), None)
            }
            Err(err) => (Err(err), None),
        },
        Some(overlay) => {
            let mut value = value(&source).map_err(|err| version_error(&source).unwrap_or(err))?;
            let applied = overlay.apply(&source.path, &mut value)?;
            let doc = check_ignored_keys(&source, &value).and_then(|()| deserialize_value(&source, &value));
            // An error in what the overlay brought in points into the overlay.
            let doc = doc.map_err(|err| match err {
                Error::Spec { location, message } => match applied.origin(&location.pointer) {
                    Some(at) => Error::Spec { location: applied.source.location(&at), message },
                    None => Error::Spec { location, message },
                },
                err => err,
            });
            (doc, Some(applied))
        }
    };
    let doc = match doc {
        Ok(doc) => doc,
        Err(err) => return Err(version_error(&source).unwrap_or(err)),
    };
    if !doc.openapi.starts_with("3.0") {
        return Err(source
            .error("#/openapi", format!("unsupported OpenAPI version {:?}: this generator reads OpenAPI 3.0.x documents", doc.openapi)));
    }
    Ok((Loaded { source, doc, overlay: applied }, pieces))
}

/// Reads the document at `path` as a plain JSON value, parsed as [`load`] parses it
/// (duplicate keys refused, YAML merge keys applied), for tools that work on the raw
/// document (`cargo xtask spec slice`). Errors name the file, pointer and line as
/// [`load`]'s do.
pub fn load_value(path: &Path) -> Result<(Source, serde_json::Value), Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { file: path.to_path_buf(), source })?;
    let source = source(path, &bytes)?;
    let value = value(&source)?;
    Ok((source, value))
}

/// The checked text of a spec: not too large, UTF-8, not empty.
pub(crate) fn source(path: &Path, bytes: &[u8]) -> Result<Source, Error> {
    // Refused before the copy: a caller's bytes may be far over the limit.
    within_limit(path, bytes.len() as u64)?;
    source_owned(path, bytes.to_vec())
}

/// [`source`] of bytes this function may keep as the text.
fn source_owned(path: &Path, bytes: Vec<u8>) -> Result<Source, Error> {
    within_limit(path, bytes.len() as u64)?;
    let at_root = |message: String, line: Option<usize>, column: Option<usize>| {
        Error::spec(Location { file: path.to_path_buf(), pointer: "#".to_owned(), line, column }, message)
    };
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let (line, column) = line_col(e.as_bytes(), at);
            return Err(at_root(
                format!("the file is not UTF-8 text (invalid byte at offset {at}); is it a binary file?"),
                Some(line),
                Some(column),
            ));
        }
    };
    // A byte order mark, which editors on Windows write at the start of UTF-8 files, marks
    // the encoding and is not part of the document (YAML 1.2 allows it there; serde_json and
    // serde_yaml refuse it). Lines stay where they were.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.trim().is_empty() {
        return Err(at_root("the file is empty: expected an OpenAPI 3.0 document".to_owned(), None, None));
    }
    let format = detect_format(path, &text);
    Ok(Source { path: path.to_path_buf(), text, format })
}

fn detect_format(path: &Path, text: &str) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        Some("yaml" | "yml") => Format::Yaml,
        _ if text.trim_start().starts_with('{') => Format::Json,
        _ => Format::Yaml,
    }
}

/// The document and how many documents its text was parsed in.
fn deserialize(source: &Source, split: Split) -> Result<(openapiv3::OpenAPI, usize), Error> {
    match deserialize_fast(source, split) {
        Some(found) => Ok(found),
        None => deserialize_careful(source).map(|doc| (doc, 1)),
    }
}

/// The document or the error, with the JSON pointer of the node that did not fit.
fn deserialize_careful(source: &Source) -> Result<openapiv3::OpenAPI, Error> {
    let value = value(source)?;
    check_ignored_keys(source, &value)?;
    deserialize_value(source, &value)
}

/// The document read from its value, or the error with the pointer of the node that did not fit.
fn deserialize_value(source: &Source, value: &serde_json::Value) -> Result<openapiv3::OpenAPI, Error> {
    match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(value) {
        Ok(doc) => Ok(doc),
        Err(e) => {
            let pointer = crate::error::path_pointer(e.path());
            let message = describe(e.into_inner().to_string());
            let (pointer, message) = refine(value, &pointer).unwrap_or((pointer, message));
            Err(source.error(&pointer, message))
        }
    }
}

/// The document when nothing is wrong with it, read the cheap way: no path is tracked, and
/// the YAML value is consumed by the deserializer (its strings moved, not copied) instead
/// of being converted to JSON first. Any failure, or a key `openapiv3` would drop, answers
/// `None` and the caller reads the file again the careful way, which finds the error's
/// pointer and message: errors are rare, so paying twice for them is cheap. The same checks
/// as the careful way (duplicate keys refused, merge keys applied, ignored keys refused), so
/// the two agree on every document this one accepts. The load of 2025-06-30 went from 105
/// to 89 ms. A large YAML text is parsed in two halves on two threads ([`split`]); the
/// number of documents parsed comes with the document.
fn deserialize_fast(source: &Source, split: Split) -> Option<(openapiv3::OpenAPI, usize)> {
    match source.format {
        // JSON has no conversion to skip: the careful way's value and checks, consumed.
        Format::Json => {
            let value = value(source).ok()?;
            check_ignored_keys(source, &value).ok()?;
            serde_json::from_value(value).ok().map(|doc| (doc, 1))
        }
        // `check_ignored_keys` over the YAML value. A key that is not a string (a number,
        // say) goes the careful way, whose JSON conversion is what gives such keys their
        // meaning.
        Format::Yaml => {
            let (mut value, pieces) = split::value(&source.text, split)?;
            if may_merge(&source.text) {
                value.apply_merge().ok()?;
            }
            let paths = value.get("paths").and_then(serde_yaml::Value::as_mapping);
            let clean = paths.is_none_or(|paths| {
                paths.iter().all(|(key, item)| {
                    key.as_str().is_some_and(path_key_ok)
                        && METHODS.iter().all(|method| {
                            item.get(method)
                                .and_then(|op| op.get("responses"))
                                .and_then(serde_yaml::Value::as_mapping)
                                .is_none_or(|responses| responses.keys().all(|code| code.as_str().is_some_and(response_key_ok)))
                        })
                })
            });
            if !clean {
                return None;
            }
            split::document(value, pieces > 1).map(|doc| (doc, pieces))
        }
    }
}

/// Whether `text` may hold a YAML merge key (`<<`, written plainly, quoted or escaped):
/// otherwise the walk over the whole value that applies them (1-2 % of the load) has
/// nothing to do. The published specs have none.
fn may_merge(text: &str) -> bool {
    text.contains("<<") || ["\\x3c", "\\x3C", "\\u003c", "\\u003C", "\\U0000003c", "\\U0000003C"].iter().any(|e| text.contains(e))
}

/// A key of `paths` that `openapiv3` keeps: a path or an extension.
fn path_key_ok(key: &str) -> bool {
    key.starts_with('/') || key.starts_with("x-")
}

/// A key of `responses` that `openapiv3` keeps: a status code (100-599, 1XX-5XX),
/// `default` or an extension.
fn response_key_ok(code: &str) -> bool {
    let bytes = code.as_bytes();
    let status =
        bytes.len() == 3 && (b'1'..=b'5').contains(&bytes[0]) && bytes[1..].iter().all(|b| b.is_ascii_digit() || *b == b'X' || *b == b'x');
    status || code == "default" || code.starts_with("x-")
}

pub(crate) fn value(source: &Source) -> Result<serde_json::Value, Error> {
    // Parse into a generic value first. For YAML this refuses duplicate keys (a map type
    // would silently keep the last one) and applies `<<` merge keys; for both formats it
    // lets us check what `openapiv3` would silently ignore and find deep error positions.
    let value: serde_json::Value = match source.format {
        Format::Json => serde_json::from_str(&source.text).map_err(|e| {
            let (line, column) = if e.line() > 0 { (Some(e.line()), Some(e.column())) } else { (None, None) };
            Error::spec(Location { file: source.path.clone(), pointer: "#".to_owned(), line, column }, describe(e.to_string()))
        })?,
        Format::Yaml => {
            let mut value: serde_yaml::Value = serde_yaml::from_str(&source.text).map_err(|e| {
                let (line, column) = match e.location() {
                    Some(loc) => (Some(loc.line()), Some(loc.column())),
                    None => (None, None),
                };
                Error::spec(Location { file: source.path.clone(), pointer: "#".to_owned(), line, column }, describe(e.to_string()))
            })?;
            value.apply_merge().map_err(|e| source.error("#", describe(e.to_string())))?;
            serde_json::to_value(value).map_err(|e| source.error("#", describe(e.to_string())))?
        }
    };
    Ok(value)
}

/// Keys that `openapiv3` would drop without a word: paths that do not start with `/` and
/// response keys that are not status codes.
fn check_ignored_keys(source: &Source, value: &serde_json::Value) -> Result<(), Error> {
    let Some(paths) = value.get("paths").and_then(serde_json::Value::as_object) else { return Ok(()) };
    for (key, item) in paths {
        let at = crate::error::pointer("#/paths", key);
        if !path_key_ok(key) {
            return Err(source.error(&at, format!("path {key:?} must start with '/'")));
        }
        for method in METHODS {
            let Some(responses) = item.get(method).and_then(|op| op.get("responses")).and_then(serde_json::Value::as_object) else {
                continue;
            };
            for code in responses.keys() {
                if !response_key_ok(code) {
                    let r_at = crate::error::pointer(&crate::error::pointer(&crate::error::pointer(&at, method), "responses"), code);
                    return Err(
                        source.error(&r_at, format!("response key {code:?} is not an HTTP status code (100-599, 1XX-5XX) or `default`"))
                    );
                }
            }
        }
    }
    Ok(())
}

/// `openapiv3` reads `paths` and the `components` maps through flattening, where
/// `serde_path_to_error` loses track; deserialize their entries one by one to find the
/// entry (and the field inside it) that fails.
fn refine(value: &serde_json::Value, pointer: &str) -> Option<(String, String)> {
    fn first_error<T: serde::de::DeserializeOwned>(
        entries: &serde_json::Map<String, serde_json::Value>,
        base: &str,
    ) -> Option<(String, String)> {
        for (key, entry) in entries {
            if key.starts_with("x-") {
                continue;
            }
            if let Err(e) = serde_path_to_error::deserialize::<_, T>(entry) {
                let inner = crate::error::path_pointer(e.path());
                let at = crate::error::pointer(base, key) + inner.trim_start_matches('#');
                return Some((at, describe(e.into_inner().to_string())));
            }
        }
        None
    }
    if (pointer == "#/paths" || pointer == "#")
        && let Some(paths) = value.get("paths").and_then(serde_json::Value::as_object)
        && let Some(found) = first_error::<openapiv3::PathItem>(paths, "#/paths")
    {
        return Some(found);
    }
    if pointer.starts_with("#/components") || pointer == "#" {
        let components = value.get("components")?.as_object()?;
        for (section, entries) in components {
            let Some(entries) = entries.as_object() else { continue };
            let base = format!("#/components/{section}");
            let found = match section.as_str() {
                "schemas" => first_error::<openapiv3::ReferenceOr<openapiv3::Schema>>(entries, &base),
                "parameters" => first_error::<openapiv3::ReferenceOr<openapiv3::Parameter>>(entries, &base),
                "responses" => first_error::<openapiv3::ReferenceOr<openapiv3::Response>>(entries, &base),
                "requestBodies" => first_error::<openapiv3::ReferenceOr<openapiv3::RequestBody>>(entries, &base),
                "securitySchemes" => first_error::<openapiv3::ReferenceOr<openapiv3::SecurityScheme>>(entries, &base),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
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
            format!("unsupported version: this is a Swagger {} document; convert it to OpenAPI 3.0 first", scalar(&v)),
        ));
    }
    match versions.openapi {
        None => Some(source.error("#", "not an OpenAPI document: the top-level `openapi` field is missing")),
        Some(v) if !scalar(&v).starts_with("3.0") => Some(
            source.error("#/openapi", format!("unsupported OpenAPI version {}: this generator reads OpenAPI 3.0.x documents", scalar(&v))),
        ),
        Some(_) => None,
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

impl Source {
    /// The YAML text as `T`; an error names the file, the JSON pointer of what does not fit
    /// and its line (the parser's own line when the text is not YAML at all).
    pub fn yaml<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let de = serde_yaml::Deserializer::from_str(&self.text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let pointer = crate::error::path_pointer(e.path());
            let inner = e.into_inner();
            match inner.location() {
                Some(l) if pointer == "#" => Error::Spec {
                    location: Location { file: self.path.clone(), pointer, line: Some(l.line()), column: Some(l.column()) },
                    message: inner.to_string(),
                },
                _ => self.error(&pointer, inner.to_string()),
            }
        })
    }

    /// An error at `pointer`, with the line and column where they can be found.
    pub fn error(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::spec(self.location(pointer), message)
    }

    pub fn location(&self, pointer: &str) -> Location {
        let (line, column) = self.line_of(pointer);
        Location { file: self.path.clone(), pointer: pointer.to_owned(), line, column }
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
        let child_indent = lines.get(start..end)?.iter().filter_map(|l| yaml_line(l)).map(|(indent, _, _)| indent).min()?;
        let at_child = |i: usize| yaml_line(lines[i]).filter(|(ind, _, _)| *ind == child_indent);
        let hit = match segment.parse::<usize>() {
            Ok(index) => (start..end).filter(|&i| at_child(i).is_some_and(|(_, dash, _)| dash)).nth(index).map(|i| (i, true)),
            Err(_) => None,
        }
        .or_else(|| (start..end).find(|&i| at_child(i).is_some_and(|(_, _, content)| key_matches(content, segment))).map(|i| (i, false)));
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
        Source { path: "x.yaml".into(), text: text.to_owned(), format: Format::Yaml }
    }

    /// `DOC` with the schemas `openapiv3` requires of parameters: a document that loads.
    fn valid_doc() -> String {
        DOC.replace("        in: path\n", "        in: path\n        required: true\n        schema: {type: string}\n")
            .replace("        in: query\n", "        in: query\n        schema: {type: integer}\n")
    }

    #[test]
    fn fast_and_careful_reads_agree() -> Result<(), Error> {
        let merged = "openapi: 3.0.1\ninfo:\n  title: t\n  version: '1'\nx-base: &base\n  description: ok\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          <<: *base\n        4XX:\n          description: bad\n";
        // The same merge key written with an escape: still merged without the text `<<`.
        let escaped = merged.replace("<<:", "\"\\x3c<\":");
        assert!(!escaped.contains("<<"));
        let valid = valid_doc();
        for s in [source(&valid), source(merged), source(&escaped)] {
            let fast = deserialize_fast(&s, Split::Auto);
            assert!(fast.is_some(), "the fast path refused a clean document:\n{}", s.text);
            assert_eq!(fast, Some((deserialize_careful(&s)?, 1)));
        }
        let json = Source {
            path: "x.json".into(),
            text: r#"{"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}"#.to_owned(),
            format: Format::Json,
        };
        assert_eq!(deserialize_fast(&json, Split::Auto), Some((deserialize_careful(&json)?, 1)));
        // The merge was applied: the answer has the description the anchor holds.
        let doc = deserialize_fast(&source(&escaped), Split::Auto).map(|(doc, _)| doc);
        let answer = doc.and_then(|d| d.paths.paths.get("/a").cloned());
        assert!(format!("{answer:?}").contains("description: \"ok\""), "{answer:?}");
        Ok(())
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_document() -> Result<(), Error> {
        let yaml = valid_doc();
        let json = r#"{"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{}}"#;
        for (name, text) in [("t.yaml", yaml.as_str()), ("t.json", json)] {
            let plain = parse(Path::new(name), text.as_bytes())?;
            let marked = parse(Path::new(name), format!("\u{feff}{text}").as_bytes())?;
            assert_eq!(marked.doc, plain.doc, "{name}");
            assert_eq!(marked.source.text, text, "{name}");
        }
        // An error still points at its line.
        let broken = format!("\u{feff}{}", yaml.replace("  version: '1'\n", "  version: '1'\n  version: '2'\n"));
        let Err(e) = parse(Path::new("t.yaml"), broken.as_bytes()) else { panic!("a duplicate key loaded") };
        let plain = yaml.replace("  version: '1'\n", "  version: '1'\n  version: '2'\n");
        let Err(expected) = parse(Path::new("t.yaml"), plain.as_bytes()) else { panic!("a duplicate key loaded") };
        assert_eq!(e.to_string(), expected.to_string());
        // Only a mark at the start: anywhere else it is text of the document.
        assert!(parse(Path::new("t.yaml"), format!("\u{feff}\u{feff}{yaml}").as_bytes()).is_err());
        Ok(())
    }

    #[test]
    fn what_the_fast_path_cannot_judge_goes_the_careful_way() {
        // An unquoted status is a YAML number: the careful read's JSON conversion makes it
        // the key "200"; the fast path leaves it, and the document still loads.
        let valid = valid_doc();
        let number_key = valid.replace("'200'", "200");
        assert_eq!(deserialize_fast(&source(&number_key), Split::Auto), None);
        assert!(deserialize(&source(&number_key), Split::Auto).is_ok());
        // Refused by both: a duplicate key, and keys openapiv3 would drop without a word.
        let duplicate = valid.replace("  version: '1'\n", "  version: '1'\n  version: '2'\n");
        let no_slash = valid.replace("/a/{b}:", "a/{b}:");
        let not_a_status = valid.replace("'200':", "'ok':");
        for text in [duplicate, no_slash, not_a_status] {
            assert_eq!(deserialize_fast(&source(&text), Split::Auto), None, "{text}");
            assert!(deserialize(&source(&text), Split::Auto).is_err(), "{text}");
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
        let e = parse(Path::new("s.yaml"), b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap_err().to_string();
        assert!(e.contains("Swagger 2.0"), "{e}");
        let e = parse(Path::new("s.yaml"), b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap_err().to_string();
        assert!(e.contains("unsupported OpenAPI version") && e.contains("3.1.0"), "{e}");
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let e = parse(Path::new("broken.yaml"), b"openapi: 3.0.1\ninfo:\n  title: [unclosed\n").unwrap_err().to_string();
        assert!(e.starts_with("broken.yaml:"), "{e}");
    }
}
