//! Credentials, and how they are put on a request.

use std::fmt;

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the client authenticates.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (a proxy adds them, or a test server needs none).
    #[default]
    None,
    /// A bearer token you obtained yourself.
    Bearer(Secret),
}

impl Auth {
    /// A fixed bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Auth::Bearer(Secret::new(token))
    }

    /// No authentication.
    pub fn none() -> Self {
        Auth::None
    }

    /// The `Authorization` header for a request about to be sent, if any. May fetch or
    /// renew a token first (`http` and `base_url` are the client's).
    pub(crate) async fn authorization(
        &self,
        _http: &reqwest::Client,
        _base_url: &reqwest::Url,
        _method: &reqwest::Method,
        _url: &reqwest::Url,
    ) -> Result<Option<reqwest::header::HeaderValue>, crate::Error> {
        match self {
            Auth::None => Ok(None),
            Auth::Bearer(token) => {
                let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| crate::Error::Auth("the bearer token is not a valid header value".to_owned()))?;
                value.set_sensitive(true);
                Ok(Some(value))
            }
        }
    }

    /// Called when a request was answered 401 with these headers. `true` means the
    /// credentials were refreshed (a new token, a new digest challenge) and the request
    /// should be sent once more.
    pub(crate) async fn unauthorized(&self, _headers: &reqwest::header::HeaderMap) -> Result<bool, crate::Error> {
        Ok(false)
    }
}
