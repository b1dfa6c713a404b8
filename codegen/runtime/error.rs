//! The one error type of every call.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Why a call failed.
///
/// Matching is open-ended (`#[non_exhaustive]`): new kinds of failure may be added.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Atlas answered with a non-success status. The body is decoded into
    /// [`ErrorModel`](crate::ErrorModel) when it is JSON of that shape.
    Api(Box<ApiErrorResponse>),
    /// A parameter was missing or broke the rule the spec gives for it; nothing was sent.
    InvalidParameter {
        /// The parameter's name as the API spells it (`groupId`).
        parameter: &'static str,
        /// The rule it broke, in words (`must match ^([a-f0-9]{24})$`).
        rule: String,
    },
    /// The request could not be sent or the response not read (DNS, TLS, connection,
    /// timeout).
    Transport(reqwest::Error),
    /// The answer's body could not be read to its end: the call's time limit ran out while
    /// it trickled in, or the connection closed in the middle of it.
    Body {
        status: StatusCode,
        /// How many bytes of the body arrived.
        received: u64,
        /// The length the answer announced (`Content-Length`), when it did.
        expected: Option<u64>,
        /// From sending the request to the failure.
        elapsed: std::time::Duration,
        source: reqwest::Error,
    },
    /// The response had a success status but its body did not decode into the
    /// documented type.
    Decode {
        status: StatusCode,
        source: serde_json::Error,
        /// The start of the body, to see what came instead.
        excerpt: String,
    },
    /// Authentication failed before the request could be sent (for example, the token
    /// endpoint refused the credentials). Never contains a secret.
    Auth(String),
    /// The client was configured wrongly (for example an invalid base URL).
    Config(String),
    /// No rule of the in-process [`Mock`](crate::mock::Mock) answers the call (feature
    /// `mock`). The message names the operation and why each of its rules did not answer.
    #[cfg(feature = "mock")]
    #[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
    Mock(String),
}

/// A non-success answer from Atlas.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiErrorResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: ApiErrorBody,
    /// How many attempts were made (retries included).
    pub attempts: u32,
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiErrorBody {
    /// The documented error object.
    Decoded(crate::ErrorModel),
    /// Anything else (HTML from a proxy, an empty body, ...), as text.
    Raw(String),
}

/// Read access to the fields of the documented error object, whatever its exact shape.
pub trait ErrorDetails {
    /// Atlas's application error code (`RESOURCE_NOT_FOUND`).
    fn error_code(&self) -> Option<&str> {
        None
    }
    /// The human-readable explanation.
    fn detail(&self) -> Option<&str> {
        None
    }
}

impl ErrorDetails for serde_json::Value {
    fn error_code(&self) -> Option<&str> {
        self.get("errorCode").and_then(serde_json::Value::as_str)
    }
    fn detail(&self) -> Option<&str> {
        self.get("detail").and_then(serde_json::Value::as_str)
    }
}

impl Error {
    /// The HTTP status of an API error, or of a response that failed to decode.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } | Error::Body { status, .. } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// Atlas's error code (`RESOURCE_NOT_FOUND`, `VALIDATION_ERROR`, ...) of an API error.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => match &e.body {
                ApiErrorBody::Decoded(body) => body.error_code(),
                ApiErrorBody::Raw(_) => None,
            },
            _ => None,
        }
    }

    /// The decoded error object of an API error.
    pub fn api_error(&self) -> Option<&crate::ErrorModel> {
        match self {
            Error::Api(e) => match &e.body {
                ApiErrorBody::Decoded(body) => Some(body),
                ApiErrorBody::Raw(_) => None,
            },
            _ => None,
        }
    }

    /// Whether the failure was a timeout (connect, or the whole request: sending it or
    /// reading the answer's body).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) | Error::Body { source: e, .. } if e.is_timeout())
    }

    pub(crate) fn invalid(parameter: &'static str, rule: impl Into<String>) -> Self {
        Error::InvalidParameter { parameter, rule: rule.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => {
                write!(f, "Atlas answered {}", e.status)?;
                match &e.body {
                    ApiErrorBody::Decoded(body) => {
                        if let Some(code) = body.error_code() {
                            write!(f, " {code}")?;
                        }
                        if let Some(detail) = body.detail() {
                            write!(f, ": {detail}")?;
                        }
                        Ok(())
                    }
                    ApiErrorBody::Raw(text) if !text.is_empty() => write!(f, ": {}", excerpt(text.as_bytes())),
                    ApiErrorBody::Raw(_) => Ok(()),
                }
            }
            Error::InvalidParameter { parameter, rule } => write!(f, "invalid parameter `{parameter}`: {rule}"),
            // reqwest names the step that failed ("error decoding response body" when the
            // deadline passes mid-body), not the deadline itself: say that the call timed out.
            Error::Transport(e) if e.is_timeout() && (e.is_body() || e.is_decode()) => {
                f.write_str("timed out: the call's time limit ran out while the response body was read")
            }
            Error::Transport(e) if e.is_timeout() => write!(f, "timed out: the call's time limit ran out ({e})"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Body { status, received, expected, elapsed, source } => {
                let of = expected.map(|n| format!(" of {n}")).unwrap_or_default();
                if source.is_timeout() {
                    write!(
                        f,
                        "timed out after {:.1} s while the response body was read ({status}; {received}{of} bytes received)",
                        elapsed.as_secs_f64()
                    )
                } else {
                    write!(
                        f,
                        "the connection closed after {received}{of} bytes of the response body ({status}, after {:.1} s): {source}",
                        elapsed.as_secs_f64()
                    )
                }
            }
            Error::Decode { status, source, excerpt } => {
                write!(f, "cannot decode the {status} response: {source}; body starts with: {excerpt}")
            }
            Error::Auth(message) => write!(f, "authentication failed: {message}"),
            Error::Config(message) => write!(f, "invalid client configuration: {message}"),
            #[cfg(feature = "mock")]
            Error::Mock(message) => write!(f, "mock: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) | Error::Body { source: e, .. } => Some(e),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        // reqwest errors can carry the request URL; ours never holds credentials (they
        // travel in headers), but strip it anyway so that logs stay short.
        Error::Transport(e.without_url())
    }
}

/// At most 200 characters of a body, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(200).collect();
    if text.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}
