//! A decoded body together with what the HTTP exchange said about it.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The answer to a call made with `send_with_metadata()`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    body: T,
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    received: bytes::Bytes,
}

impl<T> Response<T> {
    pub(crate) fn new(body: T, status: StatusCode, headers: HeaderMap, attempts: u32) -> Self {
        Response { body, status, headers, attempts, received: bytes::Bytes::new() }
    }

    /// Keeps the body's bytes as they came (shared, not copied).
    pub(crate) fn with_received(mut self, received: bytes::Bytes) -> Self {
        self.received = received;
        self
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, consuming the response.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The body exactly as Atlas sent it (empty for an answer without one): what the
    /// decoded body leaves out (fields the spec does not describe, Atlas's key order, numbers
    /// beyond `f64`) is still here, without a second request. With `envelope(true)` it is the
    /// envelope, while [`body`](Self::body) is what the envelope carried.
    pub fn body_received(&self) -> &bytes::Bytes {
        &self.received
    }

    /// The HTTP status of the final attempt.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers of the final attempt.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many attempts the call took (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The `RateLimit-Limit` header, when Atlas sent one.
    pub fn rate_limit_limit(&self) -> Option<u64> {
        header_number(&self.headers, "ratelimit-limit")
    }

    /// The `RateLimit-Remaining` header, when Atlas sent one.
    pub fn rate_limit_remaining(&self) -> Option<u64> {
        header_number(&self.headers, "ratelimit-remaining")
    }
}

pub(crate) fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}
