//! HTTP Digest authentication (RFC 7616) with an Atlas API key pair.
//!
//! The arithmetic (H(A1), H(A2), the response, the `Authorization` syntax) and the parsing
//! of `WWW-Authenticate` are the `http-auth` crate's; this module keeps the challenge
//! between requests, picks the strongest algorithm offered and decides when a 401 is worth
//! a second try.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use http_auth::digest::{Algorithm, DigestClient};
use http_auth::{ChallengeRef, PasswordParams};
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use reqwest::{Method, Url};

use crate::{Error, Secret};

/// HTTP Digest credentials (RFC 7616: MD5 or SHA-256, `qop=auth`), usable on any
/// `reqwest` request.
///
/// [`Client`](crate::Client) uses it through [`Auth::Digest`](crate::Auth::Digest); the
/// two methods below are the whole protocol, so the same value also authenticates
/// requests you build yourself (an Atlas endpoint this crate has no operation for):
///
/// 1. Before sending, add [`authorization`](Self::authorization) as the `Authorization`
///    header when it is `Some` (it is `None` until a challenge is known).
/// 2. On a 401, pass its headers to [`challenge`](Self::challenge); when it answers
///    `true`, send the same request once more with a fresh
///    [`authorization`](Self::authorization).
///
/// The challenge is remembered, so later requests authenticate at once, without a 401
/// round trip; its nonce count goes up by one per request. Clones share that state.
/// `Debug` shows the public key, never the private key.
///
/// ```no_run
/// use atlas_backup::{DigestAuth, Error};
/// use reqwest::header::AUTHORIZATION;
///
/// # async fn run() -> Result<(), Error> {
/// let digest = DigestAuth::new("public key", "private key");
/// let http = reqwest::Client::new();
/// let url = reqwest::Url::parse("https://cloud.mongodb.com/api/atlas/v2/groups")
///     .map_err(|e| Error::Config(e.to_string()))?;
/// let mut replayed = false;
/// let response = loop {
///     let mut request = http.get(url.clone()).header("Accept", "application/vnd.atlas.2023-01-01+json");
///     let sent = digest.authorization(&reqwest::Method::GET, &url)?;
///     if let Some(value) = &sent {
///         request = request.header(AUTHORIZATION, value.clone());
///     }
///     let response = request.send().await?;
///     if response.status() == reqwest::StatusCode::UNAUTHORIZED
///         && !replayed
///         && digest.challenge(response.headers(), sent.is_some())?
///     {
///         replayed = true;
///         continue;
///     }
///     break response;
/// };
/// # let _ = response;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct DigestAuth {
    username: String,
    password: Secret,
    challenge: Arc<Mutex<Option<DigestClient>>>,
}

impl DigestAuth {
    /// Credentials of an Atlas API key: the public key is the user name, the private key
    /// the password.
    pub fn new(public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        DigestAuth { username: public_key.into(), password: Secret::new(private_key), challenge: Arc::new(Mutex::new(None)) }
    }

    /// The same credentials with nothing learnt yet (each [`Client`](crate::Client) keeps
    /// its own challenge).
    pub(crate) fn fresh(&self) -> Self {
        DigestAuth::new(self.username.clone(), self.password.expose())
    }

    /// The `Authorization` header of a request with this method and URL, or `None` while
    /// no challenge is known (send the request without one; the 401 brings the
    /// challenge). Each call uses the next nonce count. The value is marked sensitive.
    pub fn authorization(&self, method: &Method, url: &Url) -> Result<Option<HeaderValue>, Error> {
        let mut guard = self.challenge.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(client) = guard.as_mut() else {
            return Ok(None);
        };
        // The request-target exactly as it goes on the wire: path and query.
        let uri = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let params = PasswordParams {
            username: &self.username,
            password: self.password.expose(),
            uri: &uri,
            method: method.as_str(),
            // Without the body only `qop=auth` is chosen, never `auth-int`.
            body: None,
        };
        let text = client.respond(&params).map_err(|e| Error::Auth(format!("cannot answer the digest challenge: {e}")))?;
        let mut value =
            HeaderValue::from_str(&text).map_err(|_| Error::Auth("the digest answer is not a valid header value".to_owned()))?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// Learns the challenge of a 401 answer (its `WWW-Authenticate` headers) and tells
    /// whether the request should be sent once more: `true` when the request went without
    /// digest credentials (`sent_credentials` false) or the server says the nonce was
    /// stale (`stale=true`). `false` means the credentials themselves were refused, or
    /// the answer has no digest challenge; the 401 stands.
    ///
    /// Of several digest challenges the strongest algorithm is chosen (SHA-512-256, then
    /// SHA-256, then MD5). An unreadable challenge is an [`Error::Auth`].
    pub fn challenge(&self, headers: &HeaderMap, sent_credentials: bool) -> Result<bool, Error> {
        let Some(client) = strongest_challenge(headers)? else {
            return Ok(false);
        };
        let replay = !sent_credentials || client.stale();
        *self.challenge.lock().unwrap_or_else(PoisonError::into_inner) = Some(client);
        Ok(replay)
    }
}

/// The strongest digest challenge of the `WWW-Authenticate` headers, if any.
fn strongest_challenge(headers: &HeaderMap) -> Result<Option<DigestClient>, Error> {
    let mut best: Option<DigestClient> = None;
    let mut problem: Option<String> = None;
    for value in headers.get_all(WWW_AUTHENTICATE) {
        let Ok(text) = value.to_str() else {
            problem.get_or_insert_with(|| "a WWW-Authenticate header is not ASCII".to_owned());
            continue;
        };
        let challenges: Vec<ChallengeRef<'_>> = match http_auth::parse_challenges(text) {
            Ok(challenges) => challenges,
            Err(e) => {
                problem.get_or_insert_with(|| format!("cannot parse WWW-Authenticate: {e}"));
                continue;
            }
        };
        for challenge in challenges.iter().filter(|c| c.scheme.eq_ignore_ascii_case("Digest")) {
            match DigestClient::try_from(challenge) {
                Ok(client) => {
                    if best.as_ref().is_none_or(|b| strength(&client) > strength(b)) {
                        best = Some(client);
                    }
                }
                Err(e) => {
                    problem.get_or_insert_with(|| format!("unusable digest challenge: {e}"));
                }
            }
        }
    }
    match (best, problem) {
        (Some(client), _) => Ok(Some(client)),
        (None, Some(problem)) => Err(Error::Auth(problem)),
        (None, None) => Ok(None),
    }
}

fn strength(client: &DigestClient) -> u8 {
    match client.algorithm() {
        Algorithm::Md5 => 1,
        Algorithm::Sha256 => 2,
        Algorithm::Sha512Trunc256 => 3,
        _ => 0,
    }
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known = self.challenge.lock().map(|c| c.is_some()).unwrap_or(false);
        f.debug_struct("DigestAuth")
            .field("public_key", &self.username)
            .field("private_key", &self.password)
            .field("challenge_known", &known)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(WWW_AUTHENTICATE, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// The challenges of RFC 7616 section 3.9.1. The arithmetic is `http-auth`'s (and
    /// checked against third-party servers in the workspace tests); here, what this
    /// module adds: the strongest pick, the request-target, the nonce count.
    #[test]
    fn picks_sha256_over_md5_and_counts_nonces() {
        let digest = DigestAuth::new("Mufasa", "Circle of Life");
        let h = headers(&[
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        ]);
        assert_eq!(digest.authorization(&Method::GET, &url("http://h/dir/index.html")).unwrap(), None);
        assert!(digest.challenge(&h, false).unwrap());
        let first = digest.authorization(&Method::GET, &url("http://h/dir/index.html?a=1")).unwrap().unwrap();
        assert!(first.is_sensitive());
        let first = first.to_str().unwrap().to_owned();
        assert!(first.starts_with("Digest "), "{first}");
        assert!(first.contains("algorithm=SHA-256"), "{first}");
        assert!(first.contains(r#"uri="/dir/index.html?a=1""#), "{first}");
        assert!(first.contains("nc=00000001"), "{first}");
        assert!(first.contains("qop=auth,") || first.contains("qop=auth\""), "{first}");
        assert!(!first.contains("Circle of Life"), "{first}");
        let second = digest.authorization(&Method::GET, &url("http://h/dir/index.html")).unwrap().unwrap();
        assert!(second.to_str().unwrap().contains("nc=00000002"));
    }

    #[test]
    fn replays_only_without_credentials_or_when_stale() {
        let digest = DigestAuth::new("u", "p");
        let plain = headers(&[r#"Digest realm="r", nonce="n1", qop="auth""#]);
        let stale = headers(&[r#"Digest realm="r", nonce="n2", qop="auth", stale=true"#]);
        assert!(digest.challenge(&plain, false).unwrap());
        assert!(!digest.challenge(&plain, true).unwrap(), "refused credentials are not replayed");
        assert!(digest.challenge(&stale, true).unwrap());
        let value = digest.authorization(&Method::POST, &url("http://h/x")).unwrap().unwrap();
        assert!(value.to_str().unwrap().contains(r#"nonce="n2""#));
        // A new challenge restarts the nonce count.
        assert!(value.to_str().unwrap().contains("nc=00000001"));
    }

    #[test]
    fn no_digest_challenge_is_no_replay_and_garbage_is_an_auth_error() {
        let digest = DigestAuth::new("u", "p");
        assert!(!digest.challenge(&HeaderMap::new(), false).unwrap());
        assert!(!digest.challenge(&headers(&[r#"Bearer realm="atlas""#]), false).unwrap());
        let err = digest.challenge(&headers(&[r#"Digest realm="r", nonce="n", algorithm=SHA-1"#]), false).unwrap_err();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
    }

    #[test]
    fn debug_hides_the_private_key() {
        let digest = DigestAuth::new("public-key", "very-private-key");
        let text = format!("{digest:?}");
        assert!(text.contains("public-key"));
        assert!(!text.contains("very-private-key"), "{text}");
    }

    #[test]
    fn clones_share_the_challenge_and_fresh_does_not() {
        let digest = DigestAuth::new("u", "p");
        let clone = digest.clone();
        let fresh = digest.fresh();
        digest.challenge(&headers(&[r#"Digest realm="r", nonce="n1", qop="auth""#]), false).unwrap();
        assert!(clone.authorization(&Method::GET, &url("http://h/")).unwrap().is_some());
        assert!(fresh.authorization(&Method::GET, &url("http://h/")).unwrap().is_none());
    }
}
