//! Exit codes, and the one error type of the command line that carries its code.

use std::fmt;

/// The exit codes, as `--help` and the README list them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    success
  2    usage, or a parameter or body that breaks its rule (nothing was sent)
  3    configuration or authentication
  4    an API error after retries (Atlas's errorCode and detail on stderr)
  5    a waiter reached a failure state
  6    a waiter timed out
  7    transport (connect, timeout)
  130  interrupted (Ctrl-C)";

pub const USAGE: i32 = 2;
pub const CONFIG: i32 = 3;
pub const API: i32 = 4;
pub const WAIT_FAILURE: i32 = 5;
pub const WAIT_TIMEOUT: i32 = 6;
pub const TRANSPORT: i32 = 7;
pub const INTERRUPTED: i32 = 130;

/// Why a command failed: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(USAGE, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Failure::new(CONFIG, message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The exit code and message of a library error: a broken parameter is a usage error
/// (nothing was sent), an answer of 401 or 403 is authentication.
impl From<atlas_backup::Error> for Failure {
    fn from(e: atlas_backup::Error) -> Self {
        use atlas_backup::Error as E;
        let code = match &e {
            E::InvalidParameter { .. } => USAGE,
            E::Auth(_) | E::Config(_) => CONFIG,
            E::Transport(_) | E::Body { .. } => TRANSPORT,
            E::Api(api) if matches!(api.status.as_u16(), 401 | 403) => CONFIG,
            _ => API,
        };
        let mut message = e.to_string();
        if let Some(body) = e.api_error() {
            let value = serde_json::to_value(body).unwrap_or_default();
            for key in ["errorCode", "detail"] {
                if let Some(v) = value.get(key).and_then(|v| v.as_str()) {
                    message.push_str(&format!("\n  {key}: {v}"));
                }
            }
        }
        Failure::new(code, message)
    }
}
