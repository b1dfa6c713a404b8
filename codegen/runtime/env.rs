//! Configuration from environment variables.

use crate::{Auth, Client, ClientBuilder, Error};

/// Service account client ID.
const CLIENT_ID: &str = "MONGODB_ATLAS_CLIENT_ID";
/// Service account client secret.
const CLIENT_SECRET: &str = "MONGODB_ATLAS_CLIENT_SECRET";
/// API key, public part (the digest user name).
const PUBLIC_KEY: &str = "MONGODB_ATLAS_PUBLIC_API_KEY";
/// API key, private part (the digest password).
const PRIVATE_KEY: &str = "MONGODB_ATLAS_PRIVATE_API_KEY";
/// Base URL of the API.
const BASE_URL: &str = "MONGODB_ATLAS_BASE_URL";

impl Client {
    /// A client configured from the environment; see [`ClientBuilder::env`].
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().env()?.build()
    }
}

impl ClientBuilder {
    /// Takes credentials and the base URL from environment variables:
    ///
    /// - `MONGODB_ATLAS_CLIENT_ID` and `MONGODB_ATLAS_CLIENT_SECRET`: a service account
    ///   ([`Auth::service_account`]); preferred when both pairs are set;
    /// - else `MONGODB_ATLAS_PUBLIC_API_KEY` and `MONGODB_ATLAS_PRIVATE_API_KEY`: an API key
    ///   ([`Auth::digest`]);
    /// - `MONGODB_ATLAS_BASE_URL`, optional: the base URL (default
    ///   `https://cloud.mongodb.com`).
    ///
    /// Empty variables count as unset. Values found replace what the builder had.
    /// [`Error::Config`] when neither pair is complete; its message names the variables,
    /// never their values.
    pub fn env(self) -> Result<Self, Error> {
        self.env_with(|name| std::env::var(name).ok())
    }

    /// Like [`env`](Self::env), with the variables read through `lookup` (a map, a secrets
    /// store, a test) instead of the process environment.
    pub fn env_with(self, mut lookup: impl FnMut(&str) -> Option<String>) -> Result<Self, Error> {
        let mut get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let service_account = pair(get(CLIENT_ID), get(CLIENT_SECRET), CLIENT_ID, CLIENT_SECRET)?;
        let api_key = pair(get(PUBLIC_KEY), get(PRIVATE_KEY), PUBLIC_KEY, PRIVATE_KEY)?;
        let auth: Auth = match (service_account, api_key) {
            (Some((id, secret)), _) => Auth::service_account(id.trim(), secret.trim()).into(),
            (None, Some((public, private))) => Auth::digest(public.trim(), private.trim()).into(),
            (None, None) => {
                return Err(Error::Config(format!(
                    "no Atlas credentials in the environment: set {CLIENT_ID} and {CLIENT_SECRET} (service account) \
                     or {PUBLIC_KEY} and {PRIVATE_KEY} (API key)"
                )));
            }
        };
        let mut builder = self.auth(auth);
        if let Some(url) = get(BASE_URL) {
            builder = builder.base_url(url.trim());
        }
        Ok(builder)
    }
}

/// Both halves of a credential, none, or an error naming the missing half.
fn pair(first: Option<String>, second: Option<String>, first_name: &str, second_name: &str) -> Result<Option<(String, String)>, Error> {
    match (first, second) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::Config(format!("{first_name} is set but {second_name} is not set (or is empty)"))),
        (None, Some(_)) => Err(Error::Config(format!("{second_name} is set but {first_name} is not set (or is empty)"))),
    }
}
