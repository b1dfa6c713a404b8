//! Reading HTTP Archives (HAR 1.2) for `spec observe`: only what the check needs of each
//! entry, and only fields HAR 1.2 requires (or leaves optional), so that an archive from any
//! tool is read (browsers, mitmproxy, the client's own `HarRecorder`).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Location};

/// One recorded exchange: a request and the response it got.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The archive it was read from, as given.
    pub file: String,
    /// Its index in the archive's `log.entries`.
    pub entry: usize,
    /// `startedDateTime` as recorded.
    pub started: String,
    pub method: String,
    pub url: String,
    pub status: u16,
    /// The response's `Content-Type` (its header, else `content.mimeType`).
    pub content_type: Option<String>,
    /// The response body as text (decoded when the archive holds it base64-encoded); `None`
    /// when the archive does not hold it, or it is not UTF-8 text.
    pub body: Option<String>,
}

#[derive(Deserialize)]
struct Archive {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(default)]
    started_date_time: String,
    request: Request,
    response: Response,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    url: String,
}

#[derive(Deserialize)]
struct Response {
    /// A number in HAR; 0 (or less) for a request that got no response.
    status: i64,
    #[serde(default)]
    headers: Vec<Header>,
    #[serde(default)]
    content: Content,
}

#[derive(Deserialize)]
struct Header {
    name: String,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Content {
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

/// The exchanges of the archive at `file`, in its order; entries without a response (status
/// 0: a connection error) are left out. Errors name the file, the JSON pointer and the line.
pub fn read(file: &Path) -> Result<Vec<Exchange>, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| at(file, "#", None, format!("cannot read the archive: {e}")))?;
    parse(file, &text)
}

/// [`read`] from the archive's text.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Exchange>, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let archive: Archive = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = crate::error::path_pointer(e.path());
        let inner = e.into_inner();
        at(file, &pointer, Some(inner.line()), format!("not an HTTP Archive (HAR 1.2): {inner}"))
    })?;
    let name = file.display().to_string();
    Ok(archive
        .log
        .entries
        .into_iter()
        .enumerate()
        .filter_map(|(entry, e)| {
            let status = u16::try_from(e.response.status).ok().filter(|s| *s > 0)?;
            let header = e.response.headers.iter().find(|h| h.name.eq_ignore_ascii_case("content-type")).map(|h| h.value.clone());
            let content = e.response.content;
            let body = match content.encoding.as_deref() {
                None | Some("") => content.text,
                Some(encoding) if encoding.eq_ignore_ascii_case("base64") => content.text.and_then(|t| {
                    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, t.trim()).ok()?;
                    String::from_utf8(bytes).ok()
                }),
                Some(_) => None,
            };
            Some(Exchange {
                file: name.clone(),
                entry,
                started: e.started_date_time,
                method: e.request.method.to_ascii_uppercase(),
                url: e.request.url,
                status,
                content_type: header.or(content.mime_type).filter(|t| !t.is_empty()),
                body,
            })
        })
        .collect())
}

fn at(file: &Path, pointer: &str, line: Option<usize>, message: String) -> Error {
    Error::Spec { location: Location { file: file.to_path_buf(), pointer: pointer.to_owned(), line, column: None }, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_archive_is_named_with_its_pointer_and_line() {
        let e = parse(Path::new("a.har"), "{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\"}}]}}").err().map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.starts_with("a.har:1") && e.contains("#/log/entries/0/request") && e.contains("url"), "{e}");
        let e = parse(Path::new("b.har"), "not json").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("b.har") && e.contains("not an HTTP Archive"), "{e}");
    }

    #[test]
    fn entries_without_a_response_are_left_out() {
        let text = r#"{"log": {"entries": [
            {"request": {"method": "get", "url": "http://h/a"}, "response": {"status": 0}},
            {"request": {"method": "get", "url": "http://h/b"}, "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}], "content": {"mimeType": "text/plain", "text": "{}"}}}
        ]}}"#;
        let exchanges = parse(Path::new("a.har"), text).unwrap_or_default();
        assert_eq!(exchanges.len(), 1);
        assert_eq!((exchanges[0].entry, exchanges[0].method.as_str()), (1, "GET"));
        assert_eq!(exchanges[0].content_type.as_deref(), Some("application/json"), "the header wins");
    }

    #[test]
    fn base64_bodies_are_decoded() {
        let text = r#"{"log": {"entries": [
            {"request": {"method": "GET", "url": "http://h/a"}, "response": {"status": 200, "content": {"text": "eyJhIjogMX0=", "encoding": "base64"}}},
            {"request": {"method": "GET", "url": "http://h/b"}, "response": {"status": 200, "content": {"text": "H4sI", "encoding": "base64"}}}
        ]}}"#;
        let exchanges = parse(Path::new("a.har"), text).unwrap_or_default();
        let bodies: Vec<Option<&str>> = exchanges.iter().map(|e| e.body.as_deref()).collect();
        assert_eq!(bodies, [Some(r#"{"a": 1}"#), None], "binary stays unread");
    }
}
