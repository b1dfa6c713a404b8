//! Helpers shared by the end-to-end tests: finding the external servers that
//! `.ci/services.sh` starts, the loopback digest server, a log buffer, and reading the spec.

// Each test binary uses some of these.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The URL in `var`, set by `.ci/services.sh`. Without it: a loud SKIP and `None`, or,
/// under CI (`CI` set), a failed test: CI must run these tests.
pub fn service_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_owned()),
        _ => {
            let message = format!("{var} is not set: start the test servers with `source .ci/services.sh`");
            if std::env::var_os("CI").is_some() {
                panic!("{test}: {message} (CI is set, so this test may not be skipped)");
            }
            skip(test, &message);
            None
        }
    }
}

/// Says loudly that a test was skipped. Written to stderr directly, past the test
/// harness's capture, so that it shows even when the test passes.
pub fn skip(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** SKIP {test}: {why} ***\n");
}

/// `tests/fixtures/digest_server.py`, a Digest server written with Python's hashlib,
/// running on a loopback port until dropped.
pub struct DigestServer {
    child: Child,
    pub url: String,
}

impl DigestServer {
    /// Starts the server with these arguments (`--user`, `--password`, ...). `None`
    /// (after a SKIP, or a panic under CI) when there is no python3.
    pub fn start(args: &[&str], test: &str) -> Option<DigestServer> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/digest_server.py");
        let spawned =
            Command::new("python3").arg(script).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let message = format!("cannot run python3 for the digest server: {e}");
                if std::env::var_os("CI").is_some() {
                    panic!("{test}: {message}");
                }
                skip(test, &message);
                return None;
            }
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("digest server output");
        let port = line.trim().strip_prefix("PORT ").unwrap_or_else(|| panic!("digest server said {line:?}"));
        Some(DigestServer { child, url: format!("http://127.0.0.1:{port}") })
    }

    /// The requests the server has seen, oldest first.
    pub async fn log(&self) -> Vec<serde_json::Value> {
        reqwest::get(format!("{}/__log", self.url)).await.expect("log request").json().await.expect("log JSON")
    }
}

impl Drop for DigestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `tracing` writer into a shared buffer, to read back what was logged.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// `spec/atlas-backup.yaml`, as JSON values.
pub fn spec() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/atlas-backup.yaml");
    let text = std::fs::read_to_string(path).expect("spec/atlas-backup.yaml is readable");
    serde_yaml::from_str(&text).expect("spec/atlas-backup.yaml is YAML")
}

/// `takeSnapshots` → `take_snapshots`: an operationId or parameter as the client names it.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The project and snapshot IDs the tests use.
pub const GROUP: &str = "32b6e34b3d91647abb20e7b8";
pub const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";

/// `getGroupClusterBackupSnapshot` of [`GROUP`] and [`SNAPSHOT`] in `cluster`, with the
/// response's metadata.
pub async fn get_snapshot(
    client: &atlas_backup::Client,
    cluster: &str,
) -> Result<atlas_backup::Response<atlas_backup::models::DiskBackupReplicaSet>, atlas_backup::Error> {
    client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name(cluster).snapshot_id(SNAPSHOT).send_with_metadata().await
}

/// Fills a `--template` skeleton of the command line: the first listed value of an enum, a
/// date, text.
pub fn fill(template: &str) -> String {
    template
        .lines()
        .map(|line| {
            let Some((value, note)) = line.split_once("  # ") else { return line.to_owned() };
            if !value.ends_with("\"\"") {
                return line.to_owned();
            }
            let filled = if let Some(values) = note.split("one of ").nth(1) {
                values.split(", ").next().unwrap_or("").to_owned()
            } else if note.contains("a date") {
                "2026-01-02T03:04:05Z".to_owned()
            } else {
                "text".to_owned()
            };
            format!("{}\"{filled}\"  # {note}", value.trim_end_matches("\"\""))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
