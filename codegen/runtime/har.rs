//! Recording a client's exchanges as an HTTP Archive (HAR 1.2), the format browsers,
//! mitmproxy and most HTTP tools read and write: every attempt of every call (retries, the
//! replay after a 401, every page, every poll of a waiter), with its method, URL, headers,
//! bodies, status and timings.
//!
//! ```no_run
//! use atlas_backup::har::HarRecorder;
//! use atlas_backup::Client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let recorder = HarRecorder::new();
//! let client = Client::builder().interceptor(recorder.clone()).build()?;
//! // ... calls ...
//! # let _ = client;
//! recorder.write_to("atlas.har")?;
//! # Ok(())
//! # }
//! ```
//!
//! Credentials never reach the file: the recorder sees requests before the client adds
//! `Authorization` (an API key's Digest answer, a bearer or service-account token), a service
//! account's token request does not go through interceptors at all, and the recorder also
//! leaves out any `Authorization`, `Proxy-Authorization`, `Cookie` or `Set-Cookie` header
//! and hides the value of a query parameter whose name says it holds a secret.
//!
//! The few HAR types are written here rather than taken from the `har` crate, which would
//! bring `serde_with` and its proc-macro stack into every build of the client for them.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;

use crate::interceptor::{AttemptContext, AttemptOutcome, Exchange, HeaderMap, Interceptor};

/// Headers never recorded: they carry credentials or session state.
const SECRET_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Parts of a query parameter's name (lowercase) that mark its value as a secret.
const SECRET_QUERY_NAMES: [&str; 6] = ["key", "token", "secret", "password", "signature", "credential"];

/// What stands for a value that is not recorded.
const REDACTED: &str = "(redacted)";

/// An [`Interceptor`] that records every attempt of a client's calls as HAR 1.2 entries.
///
/// Cheap to clone: clones share the entries, so add one clone to a
/// [`ClientBuilder`](crate::ClientBuilder) with
/// [`interceptor`](crate::ClientBuilder::interceptor) and keep another to write the file.
#[derive(Debug, Clone, Default)]
pub struct HarRecorder {
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl HarRecorder {
    /// A recorder with no entries yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many attempts were recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no attempt was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The archive as pretty JSON, entries in the order the attempts started.
    pub fn to_json(&self) -> String {
        let mut entries = self.lock().clone();
        // Stable: attempts that started in the same millisecond keep the order they ended in.
        entries.sort_by(|a, b| a.started_date_time.cmp(&b.started_date_time));
        let har =
            Har { log: Log { version: "1.2", creator: Creator { name: "atlas-backup", version: env!("CARGO_PKG_VERSION") }, entries } };
        // Plain data of strings and numbers: serializing it cannot fail.
        serde_json::to_string_pretty(&har).unwrap_or_default() + "\n"
    }

    /// Writes the archive to `path` (see [`to_json`](Self::to_json)).
    pub fn write_to(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_json())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // A hook that panicked mid-push leaves whole entries behind: keep recording.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, entry: Entry) {
        self.lock().push(entry);
    }
}

impl Interceptor for HarRecorder {
    /// Attempts without a response (connection error, timeout): recorded with status 0 and
    /// the error, as browsers do.
    fn after_attempt(&self, context: &AttemptContext<'_>, outcome: &AttemptOutcome<'_>) {
        let Some(error) = outcome.error() else { return };
        let response = Response {
            status: 0,
            status_text: String::new(),
            http_version: String::new(),
            cookies: Vec::new(),
            headers: Vec::new(),
            content: Content { size: 0, mime_type: String::new(), text: None, comment: None },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
            error: Some(error.to_string()),
        };
        self.push(Entry::new(context, None, response, outcome.elapsed(), Duration::ZERO));
    }

    fn after_exchange(&self, context: &AttemptContext<'_>, exchange: &Exchange<'_>) {
        let status = exchange.status();
        let headers = exchange.response_headers();
        let (content, error) = match exchange.response_body() {
            Ok(body) => (Content::of(body, header(headers, "content-type")), None),
            Err(e) => (Content { size: 0, mime_type: header(headers, "content-type"), text: None, comment: None }, Some(e.to_string())),
        };
        let response = Response {
            status: status.as_u16(),
            status_text: status.canonical_reason().unwrap_or_default().to_owned(),
            http_version: format!("{:?}", exchange.version()),
            cookies: Vec::new(),
            headers: pairs(headers),
            body_size: i64::try_from(content.size).unwrap_or(i64::MAX),
            content,
            redirect_url: header(headers, "location"),
            headers_size: -1,
            error,
        };
        self.push(Entry::new(context, Some(exchange.request_headers()), response, exchange.wait(), exchange.receive()));
    }
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).unwrap_or_default()
}

/// Every header but [`SECRET_HEADERS`], in the order of the map.
fn pairs(headers: &HeaderMap) -> Vec<Pair> {
    headers
        .iter()
        .filter(|(name, _)| !SECRET_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| Pair { name: name.as_str().to_owned(), value: String::from_utf8_lossy(value.as_bytes()).into_owned() })
        .collect()
}

/// Whether the query parameter `name` holds a secret (by its name).
fn secret_query(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_QUERY_NAMES.iter().any(|part| name.contains(part))
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Debug, Serialize)]
struct Har {
    log: Log,
}

#[derive(Debug, Serialize)]
struct Log {
    version: &'static str,
    creator: Creator,
    entries: Vec<Entry>,
}

#[derive(Debug, Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    cache: Cache,
    timings: Timings,
    /// The operation the attempt belongs to and the attempt's number (custom fields start
    /// with `_` in HAR).
    #[serde(rename = "_operationId")]
    operation_id: &'static str,
    #[serde(rename = "_attempt")]
    attempt: u32,
}

impl Entry {
    fn new(
        context: &AttemptContext<'_>,
        request_headers: Option<&HeaderMap>,
        response: Response,
        wait: Duration,
        receive: Duration,
    ) -> Self {
        let total = wait + receive;
        let now = std::time::SystemTime::now();
        let started: chrono::DateTime<chrono::Utc> = now.checked_sub(total).unwrap_or(now).into();
        let mut url = context.url().clone();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let query: Vec<Pair> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if secret_query(&name) { REDACTED.to_owned() } else { value.into_owned() };
                Pair { name: name.into_owned(), value }
            })
            .collect();
        if query.iter().any(|p| p.value == REDACTED) {
            url.query_pairs_mut().clear().extend_pairs(query.iter().map(|p| (&p.name, &p.value)));
        }
        let headers = request_headers.map(pairs).unwrap_or_default();
        let post_data = context.body().map(|body| {
            let content = Content::of(body, request_headers.map(|h| header(h, "content-type")).unwrap_or_default());
            PostData { mime_type: content.mime_type, text: content.text.unwrap_or_default(), comment: content.comment }
        });
        let body_size = context.body().map_or(0, |b| i64::try_from(b.len()).unwrap_or(i64::MAX));
        Entry {
            started_date_time: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            time: millis(total),
            request: Request {
                method: context.method().to_string(),
                url: url.to_string(),
                http_version: response.http_version.clone(),
                cookies: Vec::new(),
                headers,
                query_string: query,
                post_data,
                headers_size: -1,
                body_size,
            },
            response,
            cache: Cache {},
            timings: Timings { send: 0.0, wait: millis(wait), receive: millis(receive) },
            operation_id: context.operation_id(),
            attempt: context.attempt(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: String,
    cookies: Vec<Pair>,
    headers: Vec<Pair>,
    query_string: Vec<Pair>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    status_text: String,
    http_version: String,
    cookies: Vec<Pair>,
    headers: Vec<Pair>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
    /// Why no response or no whole body came (custom field).
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: u64,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

impl Content {
    /// A body as text when it is UTF-8; a binary body (a snapshot download) is not recorded
    /// (only its size), which keeps archives small and free of backup data.
    fn of(body: &[u8], mime_type: String) -> Self {
        let size = u64::try_from(body.len()).unwrap_or(u64::MAX);
        match std::str::from_utf8(body) {
            Ok(text) => Content { size, mime_type, text: Some(text.to_owned()), comment: None },
            Err(_) => Content { size, mime_type, text: None, comment: Some(format!("binary body of {size} bytes, not recorded")) },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct Cache {}

#[derive(Debug, Clone, Serialize)]
struct Timings {
    send: f64,
    wait: f64,
    receive: f64,
}

#[derive(Debug, Clone, Serialize)]
struct Pair {
    name: String,
    value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_query_parameters_are_known_by_name() {
        for name in ["apiKey", "access_token", "client_secret", "password", "X-Amz-Signature"] {
            assert!(secret_query(name), "{name}");
        }
        for name in ["pageNum", "itemsPerPage", "includeCount", "envelope", "pretty"] {
            assert!(!secret_query(name), "{name}");
        }
    }

    #[test]
    fn binary_bodies_keep_their_size_only() {
        let text = Content::of(br#"{"a":1}"#, "application/json".to_owned());
        assert_eq!((text.size, text.text.as_deref()), (7, Some(r#"{"a":1}"#)));
        let binary = Content::of(&[0x1f, 0x8b, 0xff], "application/gzip".to_owned());
        assert_eq!((binary.size, binary.text), (3, None));
        assert!(binary.comment.is_some_and(|c| c.contains("3 bytes")));
    }
}
