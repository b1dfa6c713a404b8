//! OAuth2 client credentials of an Atlas service account, and the cached bearer token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{StatusCode, Url};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::excerpt;
use crate::{Error, Secret};

/// Where Atlas issues tokens, below the client's base URL.
const TOKEN_PATH: &str = "/api/oauth/token";

/// A token is renewed this long before it expires (or a tenth of its lifetime, when that
/// is shorter), so that it does not run out on the way.
const RENEW_MARGIN: Duration = Duration::from_secs(60);

/// The credentials of an Atlas service account (OAuth2 client credentials).
///
/// The client asks `{base_url}/api/oauth/token` for a token (HTTP Basic with the client
/// ID and secret, form body `grant_type=client_credentials`) before its first request,
/// sends it as `Authorization: Bearer`, and keeps it until shortly before its
/// `expires_in` runs out. Concurrent requests wait for one token request rather than
/// each making its own. A 401 answer to a request that carried a cached token renews the
/// token and sends the request once more.
///
/// Made by [`Auth::service_account`](crate::Auth::service_account); give it to
/// [`ClientBuilder::auth`](crate::ClientBuilder::auth). Each client keeps its own token.
/// `Debug` shows the client ID, never the secret or a token.
#[derive(Clone)]
pub struct ServiceAccount {
    client_id: String,
    client_secret: Secret,
    token_url: Option<String>,
    token: Arc<Mutex<Option<Token>>>,
}

struct Token {
    /// `Bearer ...`, marked sensitive.
    header: HeaderValue,
    /// When to ask for a new one; `None` when the endpoint gave no lifetime (then only a
    /// 401 renews it).
    renew_at: Option<Instant>,
}

impl ServiceAccount {
    /// A service account's client ID and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        ServiceAccount {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            token_url: None,
            token: Arc::new(Mutex::new(None)),
        }
    }

    /// Asks this URL for tokens instead of `{base_url}/api/oauth/token`.
    #[must_use]
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The same credentials without a token (each client keeps its own).
    pub(crate) fn fresh(&self) -> Self {
        ServiceAccount { token: Arc::new(Mutex::new(None)), ..self.clone() }
    }

    /// The token endpoint for a client with this base URL.
    pub(crate) fn token_url(&self, base_url: &Url) -> Result<Url, Error> {
        let raw = match &self.token_url {
            Some(url) => url.clone(),
            None => format!("{}{TOKEN_PATH}", base_url.as_str().trim_end_matches('/')),
        };
        let url = Url::parse(&raw).map_err(|e| Error::Config(format!("the token URL is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config("the token URL must be an http or https URL".to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::Config("the token URL must not carry credentials (user:password@)".to_owned()));
        }
        Ok(url)
    }

    /// The `Authorization` header: the cached token, or a new one when there is none or
    /// it is about to expire. Callers that arrive while a token is being fetched wait for
    /// that fetch.
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        base_url: &Url,
        timeout: Option<Duration>,
    ) -> Result<HeaderValue, Error> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref()
            && token.renew_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(token.header.clone());
        }
        let token = self.fetch(http, base_url, timeout).await?;
        let header = token.header.clone();
        *cached = Some(token);
        Ok(header)
    }

    /// A 401 answered a request that carried `sent`: forget that token (unless another
    /// request already replaced it) and send the request once more.
    pub(crate) async fn unauthorized(&self, sent: Option<&HeaderValue>) -> bool {
        let Some(sent) = sent else {
            return false;
        };
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|token| token.header == sent) {
            *cached = None;
        }
        true
    }

    async fn fetch(&self, http: &reqwest::Client, base_url: &Url, timeout: Option<Duration>) -> Result<Token, Error> {
        let url = self.token_url(base_url)?;
        tracing::debug!(token_url = %url, "requesting a service account token");
        // RFC 6749 section 2.3.1: ID and secret are form-encoded before Basic encoding.
        let mut request = http
            .post(url)
            .basic_auth(form_encode(&self.client_id), Some(form_encode(self.client_secret.expose())))
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, crate::client::USER_AGENT_VALUE)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials");
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await.map_err(|e| Error::Auth(format!("cannot reach the token endpoint: {}", e.without_url())))?;
        let status = response.status();
        let body =
            response.bytes().await.map_err(|e| Error::Auth(format!("cannot read the token endpoint's answer: {}", e.without_url())))?;
        if !status.is_success() {
            return Err(Error::Auth(self.redact(&refusal(status, &body))));
        }
        // The body holds the token: never quote it in an error.
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| Error::Auth(format!("the token endpoint answered {status} with a body that is not an OAuth2 token")))?;
        if let Some(kind) = &answer.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(Error::Auth(format!("the token endpoint issued a {kind:?} token, not a bearer token")));
        }
        let mut header = HeaderValue::from_str(&format!("Bearer {}", answer.access_token))
            .map_err(|_| Error::Auth("the issued token is not a valid header value".to_owned()))?;
        header.set_sensitive(true);
        let renew_at = lifetime(answer.expires_in.as_ref()).map(|lifetime| {
            let margin = RENEW_MARGIN.min(lifetime / 10);
            Instant::now() + lifetime.saturating_sub(margin)
        });
        Ok(Token { header, renew_at })
    }

    /// Removes the secret from a message that quotes the server.
    fn redact(&self, message: &str) -> String {
        let secret = self.client_secret.expose();
        if secret.is_empty() { message.to_owned() } else { message.replace(secret, "***") }
    }
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// `expires_in` as a duration: a number of seconds, or a string of one.
fn lifetime(value: Option<&serde_json::Value>) -> Option<Duration> {
    let seconds = match value? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (seconds.is_finite() && seconds > 0.0).then(|| Duration::from_secs_f64(seconds.min(1e9)))
}

/// What a refusing token endpoint said: the OAuth2 `error` and `error_description`, or
/// Atlas's `errorCode` and `detail`, or the start of the body.
fn refusal(status: StatusCode, body: &[u8]) -> String {
    let mut message = format!("the token endpoint answered {status}");
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| json.as_ref().and_then(|v| v.get(name)).and_then(serde_json::Value::as_str).map(str::to_owned);
    let code = field("error").or_else(|| field("errorCode"));
    let detail = field("error_description").or_else(|| field("detail"));
    match (code, detail) {
        (None, None) if !body.is_empty() && json.is_none() => message.push_str(&format!(": {}", excerpt(body))),
        (None, None) => {}
        (code, detail) => {
            if let Some(code) = code {
                message.push_str(&format!(": {code}"));
            }
            if let Some(detail) = detail {
                message.push_str(&format!(" ({})", excerpt(detail.as_bytes())));
            }
        }
    }
    message
}

/// `application/x-www-form-urlencoded` bytes of a string.
fn form_encode(value: &str) -> String {
    const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'*').remove(b'-').remove(b'.').remove(b'_').remove(b' ');
    utf8_percent_encode(value, FORM).to_string().replace(' ', "+")
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        assert_eq!(lifetime(Some(&serde_json::json!(3600))), Some(Duration::from_secs(3600)));
        assert_eq!(lifetime(Some(&serde_json::json!("120"))), Some(Duration::from_secs(120)));
        assert_eq!(lifetime(Some(&serde_json::json!(0))), None);
        assert_eq!(lifetime(Some(&serde_json::json!(-5))), None);
        assert_eq!(lifetime(Some(&serde_json::json!(null))), None);
        assert_eq!(lifetime(None), None);
    }

    #[test]
    fn refusals_quote_oauth_and_atlas_errors() {
        let oauth = refusal(StatusCode::UNAUTHORIZED, br#"{"error":"invalid_client","error_description":"Bad credentials"}"#);
        assert_eq!(oauth, "the token endpoint answered 401 Unauthorized: invalid_client (Bad credentials)");
        let atlas = refusal(StatusCode::BAD_REQUEST, br#"{"errorCode":"INVALID_ATTRIBUTE","detail":"nope"}"#);
        assert_eq!(atlas, "the token endpoint answered 400 Bad Request: INVALID_ATTRIBUTE (nope)");
        assert_eq!(refusal(StatusCode::BAD_GATEWAY, b"<html>"), "the token endpoint answered 502 Bad Gateway: <html>");
        assert_eq!(refusal(StatusCode::BAD_GATEWAY, b""), "the token endpoint answered 502 Bad Gateway");
    }

    #[test]
    fn redacts_the_secret_and_hides_it_from_debug() {
        let account = ServiceAccount::new("mdb_sa_id_1", "mdb_sa_sk_secret");
        assert_eq!(account.redact("echo mdb_sa_sk_secret!"), "echo ***!");
        let debug = format!("{account:?}");
        assert!(debug.contains("mdb_sa_id_1"));
        assert!(!debug.contains("mdb_sa_sk_secret"), "{debug}");
    }

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("mdb_sa_id-1.x*"), "mdb_sa_id-1.x*");
        assert_eq!(form_encode("a b:c/d"), "a+b%3Ac%2Fd");
    }

    #[test]
    fn token_urls() {
        let base = Url::parse("https://cloud.mongodb.com").unwrap();
        let account = ServiceAccount::new("id", "secret");
        assert_eq!(account.token_url(&base).unwrap().as_str(), "https://cloud.mongodb.com/api/oauth/token");
        let other = account.clone().with_token_url("http://127.0.0.1:9/token");
        assert_eq!(other.token_url(&base).unwrap().as_str(), "http://127.0.0.1:9/token");
        let bad = account.clone().with_token_url("https://u:p@example.com/token");
        let err = bad.token_url(&base).unwrap_err();
        assert!(!err.to_string().contains("u:p"), "{err}");
        assert!(matches!(account.with_token_url("not a url").token_url(&base), Err(Error::Config(_))));
    }
}
