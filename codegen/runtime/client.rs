//! The client: configuration, and the one place where requests are sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{StatusCode, Url};
use tracing::Instrument;

use crate::error::{ApiErrorBody, ApiErrorResponse, excerpt};
use crate::interceptor::{AttemptContext, AttemptOutcome, Interceptor, Interceptors, Sent};
use crate::request::Request;
use crate::{Auth, Error, Response};

/// The Atlas Administration API's public address.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// `User-Agent` of every request.
pub const USER_AGENT_VALUE: &str = concat!("atlas-backup-rust/", env!("CARGO_PKG_VERSION"));

/// A client of the Atlas backup API. Cheap to clone: clones share the connection pool and
/// credentials.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    transport: Transport,
    interceptors: Interceptors,
    base_url: Url,
    auth: Auth,
    retry: RetryPolicy,
    timeout: Option<Duration>,
}

/// Where the attempts of a client go.
#[derive(Debug, Clone, Default)]
pub(crate) enum Transport {
    /// The network, through the client's `reqwest::Client`.
    #[default]
    Http,
    /// Answered in-process by a [`Mock`](crate::mock::Mock): no socket, no server.
    #[cfg(feature = "mock")]
    Mock(crate::mock::Mock),
}

/// Configures a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    http: Option<reqwest::Client>,
    auth: Auth,
    retry: Option<RetryPolicy>,
    timeout: Option<Duration>,
    no_timeout: bool,
    connect_timeout: Option<Duration>,
    interceptors: Interceptors,
    transport: Transport,
}

impl ClientBuilder {
    /// The API's base URL (default `https://cloud.mongodb.com`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Use this `reqwest::Client` (connection pool, proxy, TLS settings) instead of a new
    /// one. Timeouts set here still apply per request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How to authenticate (default: no credentials): an [`Auth`], or what
    /// [`Auth::service_account`] and [`Auth::digest`] make.
    pub fn auth(mut self, auth: impl Into<Auth>) -> Self {
        self.auth = auth.into();
        self
    }

    /// When to retry (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Time limit of a whole request, per attempt (default 60 s); also bounds a
    /// service account's token request. A call's own `.timeout()` replaces it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// No whole-request time limit (a call's own `.timeout()` still applies). For tests on
    /// tokio's paused clock, which jumps to the next timer whenever the runtime is idle,
    /// also while a real socket read is pending: the per-request timer would fire at once.
    pub fn no_timeout(mut self) -> Self {
        self.no_timeout = true;
        self
    }

    /// Time limit to open a connection (default 10 s). Ignored with
    /// [`http_client`](Self::http_client), whose own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Adds a hook that runs before each attempt is sent and after its response (see
    /// [`Interceptor`]). Several run in the order added; with none, nothing is spent on
    /// them.
    pub fn interceptor(mut self, interceptor: impl Interceptor + 'static) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Sends every attempt to this transport instead of the network.
    #[cfg(feature = "mock")]
    pub(crate) fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let raw = self.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        // A URL with `user:password@` is never quoted back: it would put a secret in the error.
        let shown = if raw.contains('@') { "(redacted)".to_owned() } else { format!("{raw:?}") };
        let base_url =
            Url::parse(raw.trim_end_matches('/')).map_err(|e| Error::Config(format!("base URL {shown} is not a valid URL: {e}")))?;
        if base_url.cannot_be_a_base() || !matches!(base_url.scheme(), "http" | "https") {
            return Err(Error::Config(format!("base URL {shown} must be an http or https URL")));
        }
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(Error::Config("the base URL must not carry credentials (user:password@); use `auth`".to_owned()));
        }
        let auth = self.auth.for_client(&base_url)?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                transport: self.transport,
                interceptors: self.interceptors,
                base_url,
                auth,
                retry: self.retry.unwrap_or_default(),
                timeout: (!self.no_timeout).then(|| self.timeout.unwrap_or(Duration::from_secs(60))),
            }),
        })
    }
}

/// A successful exchange, before its body is decoded.
pub(crate) struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    pub attempts: u32,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    fn url(&self, request: &Request) -> Result<Url, Error> {
        let base = self.inner.base_url.as_str().trim_end_matches('/');
        let mut full = String::with_capacity(base.len() + request.path.len());
        full.push_str(base);
        full.push_str(&request.path);
        let mut url = Url::parse(&full).map_err(|e| Error::Config(format!("cannot build the request URL: {e}")))?;
        let mut query = request.query_pairs().peekable();
        if query.peek().is_some() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// The HTTP request of one attempt, before interceptors and credentials: what
    /// [`execute`](Self::execute) sends and what a builder's `prepare` shows.
    fn outgoing(&self, request: &Request, url: &Url, timeout: Option<Duration>) -> Result<reqwest::Request, Error> {
        let mut builder = self
            .inner
            .http
            .request(request.operation.method.clone(), url.clone())
            .header(ACCEPT, request.accept)
            .header(USER_AGENT, USER_AGENT_VALUE);
        if let Some(content_type) = request.content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        for (name, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| Error::invalid(name, "must be a valid HTTP header value"))?;
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder.build()?)
    }

    /// The request of one attempt as [`execute`](Self::execute) would send it, without the
    /// credentials (added per attempt) and without sending anything: for dry runs.
    pub(crate) fn prepared(&self, request: &Request) -> Result<reqwest::Request, Error> {
        let url = self.url(request)?;
        self.outgoing(request, &url, request.timeout.or(self.inner.timeout))
    }

    /// Sends a request, retrying as the policy allows, and answers the successful exchange
    /// or the error.
    pub(crate) async fn execute(&self, request: Request) -> Result<Raw, Error> {
        let operation = request.operation;
        let span = tracing::info_span!(
            "atlas_call",
            operation = operation.id,
            method = %operation.method,
            path = operation.path,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
        );
        // The span is handed down rather than found again with `Span::current()`, which
        // asks the subscriber on every record.
        self.execute_in(request, span.clone()).instrument(span).await
    }

    async fn execute_in(&self, request: Request, span: tracing::Span) -> Result<Raw, Error> {
        let url = self.url(&request)?;
        let idempotent = request.operation.is_idempotent();
        let retry = &self.inner.retry;
        let mut attempt: u32 = 0;
        let mut reauthenticated = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let timeout = request.timeout.or(self.inner.timeout);
            let mut outgoing = self.outgoing(&request, &url, timeout)?;
            let context = AttemptContext { operation: request.operation, url: &url, attempt, body: request.body.as_deref() };
            let hooks = &self.inner.interceptors;
            // Before the credentials, so that no hook can read them.
            if !hooks.is_empty() {
                hooks.before_attempt(&context, outgoing.headers_mut());
            }
            let sent_headers = (!hooks.is_empty()).then(|| outgoing.headers().clone());
            let authorization =
                self.inner.auth.authorization(&self.inner.http, &self.inner.base_url, &request.operation.method, &url, timeout).await?;
            if let Some(value) = &authorization {
                outgoing.headers_mut().insert(AUTHORIZATION, value.clone());
            }
            let started_at = Instant::now();
            let kept = sent_headers.map(|headers| Sent { headers, started: started_at });
            let started = kept.as_ref().map(|s| s.started);
            // The seam: the one place an attempt leaves the client. Whatever answers, the
            // answer is a `reqwest::Response`, so all that follows (status, retries, the 401
            // replay, body, decoding) is the same for the network and for the mock.
            let sent = match &self.inner.transport {
                Transport::Http => self.inner.http.execute(outgoing).await,
                #[cfg(feature = "mock")]
                Transport::Mock(mock) => Ok(mock.answer(outgoing, &context)?),
            };
            if let Some(started) = started {
                let result = match &sent {
                    Ok(response) => Ok((response.status(), response.headers())),
                    Err(e) => Err(e),
                };
                hooks.after_attempt(&context, &AttemptOutcome { result, elapsed: started.elapsed() });
            }
            match sent {
                Ok(mut response) => {
                    let status = response.status();
                    span.record("status", status.as_u16());
                    // Moved out, not cloned: the body is read without them.
                    let headers = std::mem::take(response.headers_mut());
                    // One replay with refreshed credentials (renewed token, new digest
                    // challenge); the 401 proves the request was not processed.
                    if status == StatusCode::UNAUTHORIZED
                        && !reauthenticated
                        && self.inner.auth.unauthorized(&headers, authorization.as_ref()).await?
                    {
                        reauthenticated = true;
                        attempt -= 1;
                        // Read the rest of the answer so that the connection can be reused.
                        let _ = hooks.read_body(response, &context, kept.as_ref(), &headers, started_at).await;
                        tracing::debug!("new credentials; sending the request again");
                        continue;
                    }
                    if !status.is_success()
                        && let Some(delay) = retry.after_status(status, idempotent, attempt, &headers)
                    {
                        let _ = hooks.read_body(response, &context, kept.as_ref(), &headers, started_at).await;
                        tracing::debug!(%status, ?delay, "retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    let body = hooks.read_body(response, &context, kept.as_ref(), &headers, started_at).await?;
                    if status.is_success() {
                        return Ok(Raw { status, headers, body, attempts: attempt });
                    }
                    return Err(api_error(status, headers, &body, attempt));
                }
                Err(e) => {
                    let e = e.without_url();
                    // A connection that was never made cannot have reached the server, so
                    // even a POST may be sent again; anything later only when idempotent.
                    let safe = e.is_connect() || idempotent;
                    if safe
                        && !e.is_timeout()
                        && let Some(delay) = retry.after_error(attempt)
                    {
                        tracing::debug!(error = %e, ?delay, "retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(e.into());
                }
            }
        }
    }

    pub(crate) async fn execute_json<T: serde::de::DeserializeOwned>(&self, request: Request) -> Result<Response<T>, Error> {
        let envelope = request.envelope();
        let raw = self.execute(request).await?;
        let body = decode::<T>(&raw.body, envelope).map_err(|e| e.into_error(&raw))?;
        Ok(Response::new(body, raw.status, raw.headers, raw.attempts).with_received(raw.body))
    }

    /// The answer as received, and whether it decodes into `T` (`None`) or how it does not:
    /// what a caller that prints Atlas's body (the command line) checks it with.
    pub(crate) async fn execute_checked<T: serde::de::DeserializeOwned>(&self, request: Request) -> Result<crate::call::Received, Error> {
        let envelope = request.envelope();
        let raw = self.execute(request).await?;
        // An error status in Atlas's envelope fails the call, but the envelope is what Atlas
        // sent: it is answered all the same, with the failure beside it.
        let (mismatch, failure) = match decode::<T>(&raw.body, envelope) {
            Ok(_) => (None, None),
            Err(failed @ Undecoded::Envelope(..)) => (None, Some(failed.into_error(&raw))),
            Err(Undecoded::Body(e)) => (Some(e), None),
        };
        let response = Response::new(raw.body.clone(), raw.status, raw.headers, raw.attempts).with_received(raw.body);
        Ok(crate::call::Received::new(response, mismatch, envelope, failure))
    }

    // Used by operations without a response body; a spec may have none.
    #[allow(dead_code)]
    pub(crate) async fn execute_empty(&self, request: Request) -> Result<Response<()>, Error> {
        let raw = self.execute(request).await?;
        Ok(Response::new((), raw.status, raw.headers, raw.attempts).with_received(raw.body))
    }

    // Used by operations with binary or text answers; a spec may have none.
    #[allow(dead_code)]
    pub(crate) async fn execute_bytes(&self, request: Request) -> Result<Response<bytes::Bytes>, Error> {
        let raw = self.execute(request).await?;
        Ok(Response::new(raw.body.clone(), raw.status, raw.headers, raw.attempts).with_received(raw.body))
    }
}

/// The body of an answer, chunk by chunk, so that a failure can say how much arrived and
/// when (reqwest's own error says only "error decoding response body").
pub(crate) async fn read_body(mut response: reqwest::Response, status: StatusCode, started: Instant) -> Result<bytes::Bytes, Error> {
    let expected = response.content_length();
    let mut body = bytes::BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(body.freeze()),
            Err(source) => {
                let received = u64::try_from(body.len()).unwrap_or(u64::MAX);
                return Err(Error::Body { status, received, expected, elapsed: started.elapsed(), source: source.without_url() });
            }
        }
    }
}

/// Why a successful answer did not decode.
enum Undecoded {
    /// The body is not `T` (nor an envelope of `T`).
    Body(serde_json::Error),
    /// The envelope carried an error status and this content: the call failed.
    Envelope(StatusCode, Vec<u8>),
}

impl Undecoded {
    fn into_error(self, raw: &Raw) -> Error {
        match self {
            Undecoded::Body(source) => Error::Decode { status: raw.status, source, excerpt: excerpt(&raw.body) },
            // The answer's own headers and attempts: Retry-After and the request id stay.
            Undecoded::Envelope(status, content) => api_error(status, raw.headers.clone(), &content, raw.attempts),
        }
    }
}

/// What Atlas answers with `envelope=true`: the HTTP status in the body, the answer under
/// `content`.
#[derive(serde::Deserialize)]
struct Envelope {
    status: Option<u16>,
    #[serde(default)]
    content: serde_json::Value,
}

/// The body as `T`; with `envelope`, the content of the envelope (an error status in the
/// envelope is the API error it says).
fn decode<T: serde::de::DeserializeOwned>(body: &[u8], envelope: bool) -> Result<T, Undecoded> {
    if !envelope {
        return serde_json::from_slice(body).map_err(Undecoded::Body);
    }
    let wrapped: Envelope = serde_json::from_slice(body).map_err(Undecoded::Body)?;
    if let Some(status) = wrapped.status.and_then(|s| StatusCode::from_u16(s).ok()).filter(|s| !s.is_success()) {
        let content = serde_json::to_vec(&wrapped.content).unwrap_or_default();
        return Err(Undecoded::Envelope(status, content));
    }
    serde_json::from_value(wrapped.content).map_err(Undecoded::Body)
}

fn api_error(status: StatusCode, headers: HeaderMap, body: &[u8], attempts: u32) -> Error {
    let body = match serde_json::from_slice::<crate::ErrorModel>(body) {
        Ok(decoded) => ApiErrorBody::Decoded(decoded),
        Err(_) => ApiErrorBody::Raw(String::from_utf8_lossy(body).into_owned()),
    };
    Error::Api(Box::new(ApiErrorResponse { status, headers, body, attempts }))
}

/// When to try a request again.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 turns retries off).
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Upper bound of one wait. A `Retry-After` longer than this is not waited for: the
    /// 429 or 503 is returned instead.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, initial_backoff: Duration::from_millis(200), max_backoff: Duration::from_secs(20) }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn disabled() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// `max_attempts` attempts in all, with the default backoff.
    pub fn with_max_attempts(max_attempts: u32) -> Self {
        RetryPolicy { max_attempts: max_attempts.max(1), ..Self::default() }
    }

    /// Sets the backoff bounds.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Exponential backoff with jitter: a random wait between half and all of
    /// `initial * 2^(n-1)`, at most `max_backoff`.
    fn delay(&self, attempt: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_backoff);
        cap.mul_f64(0.5 + fastrand::f64() / 2.0)
    }

    /// 429 and 503 mean the request was not processed: always retried, after
    /// `Retry-After` when given. Other 5xx (but 501 and 505, which will not change) only
    /// for idempotent methods, as the request may have been processed.
    fn after_status(&self, status: StatusCode, idempotent: bool, attempt: u32, headers: &HeaderMap) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let not_processed = status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE;
        let transient = status.is_server_error() && !matches!(status.as_u16(), 501 | 505);
        if !(not_processed || (transient && idempotent)) {
            return None;
        }
        match retry_after(headers) {
            Some(after) if after > self.max_backoff => None,
            Some(after) => Some(after),
            None => Some(self.delay(attempt)),
        }
    }

    fn after_error(&self, attempt: u32) -> Option<Duration> {
        (attempt < self.max_attempts).then(|| self.delay(attempt))
    }
}

/// `Retry-After` as a wait: delay-seconds, or an HTTP date (a past date is no wait).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(seconds) = crate::response::header_number(headers, "retry-after") {
        return Some(Duration::from_secs(seconds));
    }
    let text = headers.get("retry-after")?.to_str().ok()?;
    let at = chrono::DateTime::parse_from_rfc2822(text.trim()).ok()?;
    let at = std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(at.timestamp()).ok()?);
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after_header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after(&retry_after_header("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&retry_after_header("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO));
        let future = std::time::SystemTime::now() + Duration::from_secs(3600);
        let seconds = future.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let date = chrono::DateTime::from_timestamp(seconds as i64, 0).unwrap().to_rfc2822().replace("+0000", "GMT");
        let wait = retry_after(&retry_after_header(&date)).unwrap();
        assert!(wait > Duration::from_secs(3590) && wait <= Duration::from_secs(3600), "{date}: {wait:?}");
        assert_eq!(retry_after(&retry_after_header("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn which_statuses_are_retried() {
        let policy = RetryPolicy::with_max_attempts(3);
        let none = HeaderMap::new();
        let retried =
            |status: u16, idempotent: bool| policy.after_status(StatusCode::from_u16(status).unwrap(), idempotent, 1, &none).is_some();
        for status in [429, 503] {
            assert!(retried(status, false) && retried(status, true), "{status}");
        }
        for status in [500, 502, 504] {
            assert!(retried(status, true) && !retried(status, false), "{status}");
        }
        for status in [400, 401, 404, 409, 501, 505] {
            assert!(!retried(status, true), "{status}");
        }
        // Bounded, and a Retry-After beyond max_backoff is not waited for.
        assert!(policy.after_status(StatusCode::SERVICE_UNAVAILABLE, true, 3, &none).is_none());
        let long = retry_after_header("3600");
        assert!(policy.after_status(StatusCode::TOO_MANY_REQUESTS, true, 1, &long).is_none());
        assert_eq!(policy.after_status(StatusCode::TOO_MANY_REQUESTS, true, 1, &retry_after_header("2")), Some(Duration::from_secs(2)));
        assert!(RetryPolicy::disabled().after_status(StatusCode::SERVICE_UNAVAILABLE, true, 1, &none).is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(300));
        for _ in 0..50 {
            let first = policy.delay(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let late = policy.delay(10);
            assert!(late >= Duration::from_millis(150) && late <= Duration::from_millis(300), "{late:?}");
        }
    }
}
