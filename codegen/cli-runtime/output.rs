//! What goes to stdout (answers in JSON, YAML or NDJSON; a dry run; a curl command) and
//! the `--debug` trace on stderr. Credentials are never part of any of it: the library
//! adds them after the hooks and the prepared request see the request.

use std::io::Write;

use serde_json::Value;

use crate::config::AuthKind;
use crate::exit::Failure;

/// `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Ndjson,
}

impl Format {
    pub const NAMES: [&'static str; 3] = ["json", "yaml", "ndjson"];

    pub fn parse(name: &str) -> Format {
        match name {
            "yaml" => Format::Yaml,
            "ndjson" => Format::Ndjson,
            _ => Format::Json,
        }
    }
}

/// Prints an answer. NDJSON prints a list's items (an array, or a page's `results`) one
/// per line.
pub fn print(value: &Value, format: Format) -> Result<(), Failure> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(value).map(|t| t + "\n").map_err(|e| e.to_string()),
        Format::Yaml => serde_yaml::to_string(value).map_err(|e| e.to_string()),
        Format::Ndjson => {
            let items = match value {
                Value::Array(items) => items.as_slice(),
                Value::Object(map) => match map.get("results") {
                    Some(Value::Array(items)) => items.as_slice(),
                    _ => std::slice::from_ref(value),
                },
                _ => std::slice::from_ref(value),
            };
            let mut text = String::new();
            for item in items {
                text.push_str(&item.to_string());
                text.push('\n');
            }
            Ok(text)
        }
    };
    let text = text.map_err(|e| Failure::new(crate::exit::API, format!("cannot print the answer: {e}")))?;
    write_stdout(text.as_bytes())
}

/// A line on stderr. Unlike `eprintln!`, a closed stderr (`2>&1 | head -1`) is no panic:
/// the line is dropped and the command goes on to its own exit code.
pub fn note(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|e| Failure::new(1, format!("cannot write to stdout: {e}")))
}

fn body_text(request: &reqwest::Request) -> Option<String> {
    let bytes = request.body()?.as_bytes()?;
    Some(match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    })
}

fn auth_line(auth: AuthKind) -> &'static str {
    match auth {
        AuthKind::ApiKey => "HTTP Digest with the API key (added when sent)",
        AuthKind::ServiceAccount => "Bearer token of the service account (added when sent)",
        AuthKind::None => "none configured",
    }
}

/// `--dry-run`: the request, nothing sent.
pub fn dry_run(request: &reqwest::Request, auth: AuthKind) -> String {
    let mut out = format!("{} {}\n", request.method(), request.url());
    for (name, value) in request.headers() {
        out.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("<binary>")));
    }
    out.push_str(&format!("authorization: {}\n", auth_line(auth)));
    if let Some(body) = body_text(request) {
        out.push('\n');
        out.push_str(&body);
        out.push('\n');
    }
    out
}

/// `--curl`: the request as the reference pages write it, credentials as shell variables.
pub fn curl(request: &reqwest::Request, auth: AuthKind) -> String {
    let mut lines = vec![match auth {
        AuthKind::ServiceAccount => "curl --header \"Authorization: Bearer ${ACCESS_TOKEN}\"".to_owned(),
        _ => "curl --user \"${PUBLIC_KEY}:${PRIVATE_KEY}\"".to_owned(),
    }];
    if auth != AuthKind::ServiceAccount {
        lines.push("--digest".to_owned());
    }
    for name in [reqwest::header::ACCEPT, reqwest::header::CONTENT_TYPE] {
        if let Some(value) = request.headers().get(&name).and_then(|v| v.to_str().ok()) {
            lines.push(format!("--header \"{}: {value}\"", canonical(name.as_str())));
        }
    }
    for (name, value) in request.headers() {
        if matches!(name.as_str(), "accept" | "content-type" | "user-agent") {
            continue;
        }
        lines.push(format!("--header {}", quote(&format!("{name}: {}", value.to_str().unwrap_or("")))));
    }
    lines.push(format!("-X {} \"{}\"", request.method(), request.url()));
    if let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) {
        lines.push(format!("--data {}", quote(&String::from_utf8_lossy(bytes))));
    }
    lines.join(" \\\n  ") + "\n"
}

fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Single-quoted for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `--debug`: each attempt and its answer on stderr, through the library's interceptor
/// hook (which runs before the credentials are added, so it never sees them).
#[derive(Debug, Clone, Copy)]
pub struct Trace;

impl atlas_backup::Interceptor for Trace {
    fn before_attempt(&self, context: &atlas_backup::interceptor::AttemptContext<'_>, headers: &mut reqwest::header::HeaderMap) {
        let mut line = format!("> {} {} (attempt {})", context.method(), context.url(), context.attempt());
        for (name, value) in headers.iter() {
            line.push_str(&format!("\n> {name}: {}", value.to_str().unwrap_or("<binary>")));
        }
        note(format_args!("{line}"));
    }

    fn after_attempt(&self, context: &atlas_backup::interceptor::AttemptContext<'_>, outcome: &atlas_backup::interceptor::AttemptOutcome<'_>) {
        match (outcome.status(), outcome.error()) {
            (Some(status), _) => note(format_args!("< {status} {} ({} ms)", context.operation_id(), outcome.elapsed().as_millis())),
            (None, Some(e)) => note(format_args!("< error {} ({} ms): {e}", context.operation_id(), outcome.elapsed().as_millis())),
            (None, None) => {}
        }
    }
}
