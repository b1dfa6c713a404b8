//! Credentials, base URL and default project: flags, then the environment (the library's
//! variables), then a profile of the Atlas CLI's own `config.toml`.

use std::path::PathBuf;

use std::sync::Arc;

use crate::exit::Failure;
use crate::output::AuthKind;

/// The Atlas CLI's environment variable of the default project.
pub const PROJECT_ID: &str = "MONGODB_ATLAS_PROJECT_ID";

/// The library's credential variables and the profile key of each.
const CREDENTIALS: [(&str, &str); 4] = [
    ("MONGODB_ATLAS_CLIENT_ID", "client_id"),
    ("MONGODB_ATLAS_CLIENT_SECRET", "client_secret"),
    ("MONGODB_ATLAS_PUBLIC_API_KEY", "public_api_key"),
    ("MONGODB_ATLAS_PRIVATE_API_KEY", "private_api_key"),
];

/// A profile of the Atlas CLI's `config.toml` (`[name]` tables; the keys the Atlas CLI
/// writes: `public_api_key`, `private_api_key`, `client_id`, `client_secret`,
/// `project_id`, `ops_manager_url`).
#[derive(Debug, Default, Clone)]
pub struct Profile {
    values: toml::Table,
}

impl Profile {
    /// The profile `name` of the Atlas CLI's config file (`$XDG_CONFIG_HOME/atlascli` or
    /// `~/.config/atlascli`; `~/Library/Application Support/atlascli` on macOS).
    pub fn load(name: &str) -> Result<Profile, Failure> {
        let path = config_path().ok_or_else(|| Failure::config("cannot find the Atlas CLI's config directory (no HOME)"))?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::config(format!("profile `{name}`: cannot read {}: {e}", path.display())))?;
        Profile::from_config(&path, &text, name)?.ok_or_else(|| Failure::config(format!("{} has no profile `{name}`", path.display())))
    }

    /// The Atlas CLI's `default` profile, as `atlas` uses it when no profile is named; none
    /// when there is no config file or no such profile. A config file that is there but
    /// broken is an error naming it (else its credentials would silently be missing).
    pub fn implicit() -> Result<Option<Profile>, Failure> {
        let Some(path) = config_path() else { return Ok(None) };
        match std::fs::read_to_string(&path) {
            Ok(text) => Profile::from_config(&path, &text, "default"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Failure::config(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Profile `name` of the config file `path` holding `text`.
    fn from_config(path: &std::path::Path, text: &str, name: &str) -> Result<Option<Profile>, Failure> {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| Failure::config(format!("{}: not valid TOML: {e}", path.display())))?;
        match table.remove(name) {
            Some(toml::Value::Table(values)) => Ok(Some(Profile { values })),
            _ => Ok(None),
        }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.values.get(key).and_then(toml::Value::as_str).map(str::to_owned).filter(|v| !v.trim().is_empty())
    }
}

fn config_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = PathBuf::from(std::env::var_os("HOME")?);
            if cfg!(target_os = "macos") { home.join("Library/Application Support") } else { home.join(".config") }
        }
    };
    Some(base.join("atlascli").join("config.toml"))
}

/// The environment variable, unless empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The default project: the environment's, then the profile's.
pub fn default_project(profile: Option<&Profile>) -> Option<String> {
    env(PROJECT_ID).or_else(|| profile.and_then(|p| p.get("project_id")))
}

/// A client from the environment, then the profile; `base_url` (the flag) first of all.
/// With `need_auth` false (dry runs), missing credentials are no error.
pub fn client(
    profile: Option<&Profile>,
    base_url: Option<&str>,
    need_auth: bool,
    interceptors: Vec<Arc<dyn atlas_backup::Interceptor>>,
) -> Result<(atlas_backup::Client, AuthKind), Failure> {
    // The library's own lookup. Credentials are taken as a whole from one place: the
    // environment when it holds any, else the profile (an API key in the environment is
    // not mixed with, nor overridden by, a service account of the profile). The base URL
    // is looked up on its own: the environment's, then the profile's.
    let env_has_credentials = CREDENTIALS.iter().any(|(var, _)| env(var).is_some());
    let lookup = |name: &str| match CREDENTIALS.iter().find(|(var, _)| *var == name) {
        Some((var, _)) if env_has_credentials => env(var),
        Some((_, key)) => profile.and_then(|p| p.get(key)),
        None if name == "MONGODB_ATLAS_BASE_URL" => env(name).or_else(|| profile.and_then(|p| p.get("ops_manager_url"))),
        None => env(name),
    };
    let kind = if lookup("MONGODB_ATLAS_CLIENT_ID").is_some() {
        AuthKind::ServiceAccount
    } else if lookup("MONGODB_ATLAS_PUBLIC_API_KEY").is_some() {
        AuthKind::ApiKey
    } else {
        AuthKind::None
    };
    let mut builder = atlas_backup::Client::builder();
    builder = match builder.env_with(lookup) {
        Ok(b) => b,
        Err(_) if !need_auth => {
            let b = atlas_backup::Client::builder();
            match lookup("MONGODB_ATLAS_BASE_URL") {
                Some(url) => b.base_url(url.trim()),
                None => b,
            }
        }
        Err(e) => return Err(Failure::config(format!("{e}; or pass --profile NAME"))),
    };
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    for interceptor in interceptors {
        builder = builder.interceptor(interceptor);
    }
    let client = builder.build().map_err(|e| Failure::config(e.to_string()))?;
    Ok((client, kind))
}
