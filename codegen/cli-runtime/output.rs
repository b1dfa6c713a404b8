//! What goes to stdout (answers in JSON, YAML or NDJSON; a dry run; a curl command) and
//! the `--debug` trace on stderr. Credentials are never part of any of it: the library
//! adds them after the hooks and the prepared request see the request.

use std::io::Write;
use std::path::PathBuf;

use atlas_backup::call::Received;

use crate::exit::{self, Failure};
use crate::json;

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

/// Where and how answers are printed (`-o`, `--outputFile`).
#[derive(Debug, Clone)]
pub struct Out {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl Out {
    /// Writes `bytes` to the output file, else stdout.
    pub fn write(&self, bytes: &[u8]) -> Result<(), Failure> {
        match &self.file {
            Some(path) => std::fs::write(path, bytes).map_err(|e| Failure::new(1, format!("cannot write {}: {e}", path.display()))),
            None => write_stdout(bytes),
        }
    }

    /// Prints a body as Atlas sent it: JSON re-indented (every key and number as sent),
    /// YAML or NDJSON converted from it; a body that is not JSON as it came.
    pub fn print(&self, body: &[u8]) -> Result<(), Failure> {
        if body.is_empty() {
            return Ok(());
        }
        let Ok(text) = std::str::from_utf8(body) else { return self.write(body) };
        let printed = match self.format {
            Format::Json => json::pretty(text).map(|t| t + "\n"),
            Format::Yaml => yaml(text),
            Format::Ndjson => match json::items(text) {
                Some(items) => Some(items.iter().filter_map(|i| json::compact(i.get())).map(|l| l + "\n").collect()),
                None => json::compact(text).map(|t| t + "\n"),
            },
        };
        match printed {
            Some(text) => self.write(text.as_bytes()),
            None => self.write(body),
        }
    }

    /// Prints the items of every page (`--all`), each as Atlas sent it, as one JSON array,
    /// YAML list, or one item a line.
    pub fn print_items(&self, items: &[String]) -> Result<(), Failure> {
        let array = format!("[{}]", items.join(","));
        match self.format {
            Format::Ndjson => {
                let text: String = items.iter().filter_map(|i| json::compact(i)).map(|l| l + "\n").collect();
                self.write(text.as_bytes())
            }
            _ => self.print(array.as_bytes()),
        }
    }
}

/// YAML of a JSON text, keys in their order.
fn yaml(text: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_json::from_str(text).ok()?;
    serde_yaml::to_string(&value).ok()
}

/// The warning of an answer that does not match the operation's schema: printed anyway
/// (Atlas answered; the spec is what is wrong), once.
pub fn mismatch(received: &Received, schema: Option<&str>) -> Option<String> {
    mismatch_at(received).map(|at| mismatch_warning(schema, &at))
}

/// Where and how an answer differs from its model, to follow the schema's name in the
/// warning: ` at /status: invalid type ...`, or `: invalid type ...` when the decoder did
/// not say where.
pub fn mismatch_at(received: &Received) -> Option<String> {
    let error = received.mismatch()?;
    Some(match received.mismatch_pointer() {
        Some(pointer) => format!(" at {pointer}: {error}"),
        None => format!(": {error}"),
    })
}

/// The warning line of [`mismatch`], from the schema's name and [`mismatch_at`]'s text.
pub fn mismatch_warning(schema: Option<&str>, at: &str) -> String {
    let schema = schema.unwrap_or("of the operation");
    format!("warning: the answer does not match the spec's schema {schema}{at}; printed as received")
}

/// The page items of an answer as received (the text of each).
pub fn items(received: &Received) -> Result<Vec<String>, Failure> {
    let text =
        std::str::from_utf8(received.response().body()).map_err(|e| Failure::new(exit::API, format!("the page is not text: {e}")))?;
    let items = json::items(text).ok_or_else(|| Failure::new(exit::API, "the page has no `results` array"))?;
    Ok(items.iter().map(|i| i.get().to_owned()).collect())
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
    let text = String::from_utf8_lossy(request.body()?.as_bytes()?).into_owned();
    Some(json::pretty(&text).unwrap_or(text))
}

/// Which credentials a client was given; `--curl` prints the matching form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    ApiKey,
    ServiceAccount,
    None,
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

    fn after_attempt(
        &self,
        context: &atlas_backup::interceptor::AttemptContext<'_>,
        outcome: &atlas_backup::interceptor::AttemptOutcome<'_>,
    ) {
        match (outcome.status(), outcome.error()) {
            (Some(status), _) => note(format_args!("< {status} {} ({} ms)", context.operation_id(), outcome.elapsed().as_millis())),
            (None, Some(e)) => note(format_args!("< error {} ({} ms): {e}", context.operation_id(), outcome.elapsed().as_millis())),
            (None, None) => {}
        }
    }
}
