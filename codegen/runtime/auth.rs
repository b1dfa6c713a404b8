//! Credentials, and how they are put on a request.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Url};

use crate::{DigestAuth, Error, ServiceAccount};

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
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
///
/// ```no_run
/// use atlas_backup::{Auth, Client};
///
/// # fn run() -> Result<(), atlas_backup::Error> {
/// // A service account (OAuth2 client credentials); the token is fetched and renewed.
/// let client = Client::builder()
///     .auth(Auth::service_account("mdb_sa_id_...", "mdb_sa_sk_..."))
///     .build()?;
/// // An API key pair (HTTP Digest).
/// let client = Client::builder().auth(Auth::digest("public key", "private key")).build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
///
/// Each [`Client`](crate::Client) built with a value keeps its own token or digest
/// challenge (clones of that client share it). `Debug` never shows a secret.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (a proxy adds them, or a test server needs none).
    #[default]
    None,
    /// A bearer token you obtained yourself.
    Bearer(Secret),
    /// A service account: OAuth2 client credentials, exchanged for bearer tokens.
    ServiceAccount(ServiceAccount),
    /// An API key pair, sent with HTTP Digest.
    Digest(DigestAuth),
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

    /// A service account's client ID and secret. The token URL defaults to
    /// `{base_url}/api/oauth/token`; change it with
    /// [`with_token_url`](ServiceAccount::with_token_url).
    pub fn service_account(client_id: impl Into<String>, client_secret: impl Into<String>) -> ServiceAccount {
        ServiceAccount::new(client_id, client_secret)
    }

    /// An API key pair for HTTP Digest: the public key is the user name, the private key
    /// the password.
    pub fn digest(public_key: impl Into<String>, private_key: impl Into<String>) -> DigestAuth {
        DigestAuth::new(public_key, private_key)
    }

    /// The credentials for a new client: checked, with nothing cached yet.
    pub(crate) fn for_client(&self, base_url: &Url) -> Result<Self, Error> {
        Ok(match self {
            Auth::None => Auth::None,
            Auth::Bearer(token) => Auth::Bearer(token.clone()),
            Auth::ServiceAccount(account) => {
                account.token_url(base_url)?;
                Auth::ServiceAccount(account.fresh())
            }
            Auth::Digest(digest) => Auth::Digest(digest.fresh()),
        })
    }

    /// The `Authorization` header for a request about to be sent, if any. May fetch or
    /// renew a token first (`http` and `base_url` are the client's; `timeout` bounds a
    /// token request).
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        base_url: &Url,
        method: &Method,
        url: &Url,
        timeout: Option<Duration>,
    ) -> Result<Option<HeaderValue>, Error> {
        match self {
            Auth::None => Ok(None),
            Auth::Bearer(token) => bearer_header(token).map(Some),
            Auth::ServiceAccount(account) => account.authorization(http, base_url, timeout).await.map(Some),
            Auth::Digest(digest) => digest.authorization(method, url),
        }
    }

    /// Called when a request that carried `sent` was answered 401 with these headers.
    /// `true` means the credentials were refreshed (a new token, a new digest challenge)
    /// and the request should be sent once more.
    pub(crate) async fn unauthorized(&self, headers: &HeaderMap, sent: Option<&HeaderValue>) -> Result<bool, Error> {
        match self {
            Auth::None | Auth::Bearer(_) => Ok(false),
            Auth::ServiceAccount(account) => Ok(account.unauthorized(sent).await),
            Auth::Digest(digest) => digest.challenge(headers, sent.is_some()),
        }
    }
}

impl From<ServiceAccount> for Auth {
    fn from(account: ServiceAccount) -> Self {
        Auth::ServiceAccount(account)
    }
}

impl From<DigestAuth> for Auth {
    fn from(digest: DigestAuth) -> Self {
        Auth::Digest(digest)
    }
}

fn bearer_header(token: &Secret) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| Error::Auth("the bearer token is not a valid header value".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}
