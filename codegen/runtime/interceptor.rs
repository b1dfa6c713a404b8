//! Hooks into every attempt of every call: before it is sent (to add or change headers,
//! for example a correlation ID) and after its response (to observe status, timing and
//! attempt, for example for metrics).
//!
//! ```
//! use atlas_backup::interceptor::{AttemptContext, AttemptOutcome, HeaderMap, HeaderValue, Interceptor};
//! use atlas_backup::{Client, Error};
//!
//! /// Sends one correlation ID with every attempt and logs how each one went.
//! #[derive(Debug)]
//! struct Correlation(HeaderValue);
//!
//! impl Interceptor for Correlation {
//!     fn before_attempt(&self, _context: &AttemptContext<'_>, headers: &mut HeaderMap) {
//!         headers.insert("x-correlation-id", self.0.clone());
//!     }
//!
//!     fn after_attempt(&self, context: &AttemptContext<'_>, outcome: &AttemptOutcome<'_>) {
//!         println!(
//!             "{} attempt {}: {:?} after {:?}",
//!             context.operation_id(),
//!             context.attempt(),
//!             outcome.status(),
//!             outcome.elapsed()
//!         );
//!     }
//! }
//!
//! # fn run() -> Result<(), Error> {
//! let client = Client::builder()
//!     .interceptor(Correlation(HeaderValue::from_static("nightly-backup-42")))
//!     .build()?;
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! Hooks never see credentials: the `Authorization` header is added after
//! [`Interceptor::before_attempt`] has run, and a service account's token request does not
//! go through the hooks at all.
//!
//! [`Interceptor::after_exchange`] sees each attempt whole once its answer is read (both
//! bodies): what [`HarRecorder`](crate::har::HarRecorder) records.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};

/// The header types hooks work with, so that a hook needs no direct `reqwest` dependency.
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::request::Operation;

/// A hook into every attempt of every call of a [`Client`](crate::Client); add it with
/// [`ClientBuilder::interceptor`](crate::ClientBuilder::interceptor).
///
/// Several interceptors run in the order they were added. Every method does nothing by
/// default, so an interceptor implements only what it needs. They are called on the task
/// that makes the call and should return quickly.
pub trait Interceptor: fmt::Debug + Send + Sync {
    /// Called before each attempt is sent, retries and replays included. `headers` are the
    /// request's headers without `Authorization`, which is added afterwards; a header
    /// inserted here is sent.
    fn before_attempt(&self, context: &AttemptContext<'_>, headers: &mut HeaderMap) {
        let _ = (context, headers);
    }

    /// Called after each attempt: with the response's status and headers (its body is not
    /// read yet), or with the error that ended the attempt.
    fn after_attempt(&self, context: &AttemptContext<'_>, outcome: &AttemptOutcome<'_>) {
        let _ = (context, outcome);
    }

    /// Called after each attempt that got a response, once its body is read (also when the
    /// answer is retried or replayed): the request as sent, without `Authorization`, and the
    /// response as received.
    fn after_exchange(&self, context: &AttemptContext<'_>, exchange: &Exchange<'_>) {
        let _ = (context, exchange);
    }
}

/// An interceptor shared with the code that added it (to read what it recorded).
impl<T: Interceptor + ?Sized> Interceptor for Arc<T> {
    fn before_attempt(&self, context: &AttemptContext<'_>, headers: &mut HeaderMap) {
        (**self).before_attempt(context, headers);
    }

    fn after_attempt(&self, context: &AttemptContext<'_>, outcome: &AttemptOutcome<'_>) {
        (**self).after_attempt(context, outcome);
    }

    fn after_exchange(&self, context: &AttemptContext<'_>, exchange: &Exchange<'_>) {
        (**self).after_exchange(context, exchange);
    }
}

/// Which call and which attempt a hook is called for.
#[derive(Debug, Clone, Copy)]
pub struct AttemptContext<'a> {
    pub(crate) operation: &'static Operation,
    pub(crate) url: &'a Url,
    pub(crate) attempt: u32,
    pub(crate) body: Option<&'a [u8]>,
}

impl AttemptContext<'_> {
    /// The operationId (`getGroupClusterBackupSnapshot`).
    pub fn operation_id(&self) -> &'static str {
        self.operation.id
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.operation.method
    }

    /// The path template, `{name}` for each path parameter: the same for every call of the
    /// operation, so suited as a metrics label.
    pub fn path_template(&self) -> &'static str {
        self.operation.path
    }

    /// The full URL of the request, query included.
    pub fn url(&self) -> &Url {
        self.url
    }

    /// 1 for the first attempt, 2 for the first retry, and so on. The replay after a 401
    /// with renewed credentials keeps the number of the attempt it repeats.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The request's body, when it has one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy)]
pub struct AttemptOutcome<'a> {
    pub(crate) result: Result<(StatusCode, &'a HeaderMap), &'a reqwest::Error>,
    pub(crate) elapsed: Duration,
}

impl AttemptOutcome<'_> {
    /// The response's status, or `None` when no response came (connection error,
    /// timeout).
    pub fn status(&self) -> Option<StatusCode> {
        self.result.ok().map(|(status, _)| status)
    }

    /// The response's headers, when a response came.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.result.ok().map(|(_, headers)| headers)
    }

    /// The error that ended the attempt without a response.
    pub fn error(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.result.err().map(|e| e as &(dyn std::error::Error + 'static))
    }

    /// From sending the request to the response's headers (or the error).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// One attempt whole, once its answer is read.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    pub(crate) request_headers: &'a HeaderMap,
    pub(crate) status: StatusCode,
    pub(crate) version: reqwest::Version,
    pub(crate) response_headers: &'a HeaderMap,
    pub(crate) response_body: Result<&'a [u8], &'a crate::Error>,
    pub(crate) wait: Duration,
    pub(crate) receive: Duration,
}

impl Exchange<'_> {
    /// The request's headers as sent, without `Authorization`.
    pub fn request_headers(&self) -> &HeaderMap {
        self.request_headers
    }

    /// The response's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's HTTP version.
    pub fn version(&self) -> reqwest::Version {
        self.version
    }

    /// The response's headers.
    pub fn response_headers(&self) -> &HeaderMap {
        self.response_headers
    }

    /// The response's body as received, or the error that ended reading it.
    pub fn response_body(&self) -> Result<&[u8], &(dyn std::error::Error + 'static)> {
        self.response_body.map_err(|e| e as &(dyn std::error::Error + 'static))
    }

    /// From sending the request to the response's headers.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Reading the response's body.
    pub fn receive(&self) -> Duration {
        self.receive
    }
}

/// What the hooks keep of an attempt until its answer is read: the request's headers before
/// the credentials are added, and when the headers came. Made only when there are hooks.
#[derive(Debug)]
pub(crate) struct Sent {
    pub headers: HeaderMap,
    pub started: Instant,
}

/// The interceptors of one client, in the order added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interceptors(Vec<Arc<dyn Interceptor>>);

impl Interceptors {
    pub fn push(&mut self, interceptor: Arc<dyn Interceptor>) {
        self.0.push(interceptor);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn before_attempt(&self, context: &AttemptContext<'_>, headers: &mut HeaderMap) {
        for hook in &self.0 {
            hook.before_attempt(context, headers);
        }
    }

    pub fn after_attempt(&self, context: &AttemptContext<'_>, outcome: &AttemptOutcome<'_>) {
        for hook in &self.0 {
            hook.after_attempt(context, outcome);
        }
    }

    /// Reads the body of `response` (whose headers were taken out into `headers`) and, when
    /// the attempt was `sent` with hooks, shows them the whole exchange.
    pub async fn read_body(
        &self,
        response: reqwest::Response,
        context: &AttemptContext<'_>,
        sent: Option<&Sent>,
        headers: &HeaderMap,
        started: Instant,
    ) -> Result<bytes::Bytes, crate::Error> {
        let (status, version) = (response.status(), response.version());
        let headers_at = Instant::now();
        let body = crate::client::read_body(response, status, started).await;
        if let Some(sent) = sent {
            let exchange = Exchange {
                request_headers: &sent.headers,
                status,
                version,
                response_headers: headers,
                response_body: body.as_deref(),
                wait: headers_at.saturating_duration_since(sent.started),
                receive: headers_at.elapsed(),
            };
            for hook in &self.0 {
                hook.after_exchange(context, &exchange);
            }
        }
        body
    }
}
