//! Building the criterion bench binaries and running them: as criterion benches (results in
//! a `CRITERION_HOME`) or as one-shot probes (one line of JSON per measurement).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Builds a bench target and answers its executable: release profile (cargo's `bench`), or
/// with `--quick` the dev profile, whose dependencies CI has already built for the tests
/// (the workspace optimises the generator and its parsers even there).
pub fn bench_executable(root: &Path, package: &str, bench: &str, quick: bool, flags: &[&str]) -> Result<PathBuf, String> {
    let profile = if quick { "dev" } else { "bench" };
    eprintln!("building the `{bench}` bench of {package} ({profile} profile)...");
    let out = Command::new(cargo())
        .current_dir(root)
        .args(["bench", "--package", package, "--bench", bench, "--no-run", "--profile", profile])
        .args(flags)
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo bench: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo bench --no-run of {package}/{bench} failed"));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bench)
        .filter(|m| m["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bench")))
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo did not name the executable of the `{bench}` bench"))
}

/// The cargo that runs this xtask.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs a criterion bench binary, its results going to `home`. Its report goes to stderr,
/// so that `--json` keeps stdout for the JSON.
pub fn run_criterion(exe: &Path, dir: &Path, home: &Path, quick: bool, env: &[(&str, std::ffi::OsString)]) -> Result<(), String> {
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir).env("CRITERION_HOME", home).arg("--bench");
    if quick {
        // Criterion's quick mode: a couple of runs, at most about this long per benchmark.
        cmd.args(["--quick", "--measurement-time", "0.5"]);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd.stdout(Stdio::from(std::io::stderr())).status().map_err(|e| format!("{}: {e}", exe.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", exe.display())) }
}

/// One probe run of the generate bench binary (see its `probe`): its lines of JSON.
pub fn probe(exe: &Path, mode: &str, env: &[(&str, &std::ffi::OsStr)]) -> Result<Vec<serde_json::Value>, String> {
    let mut cmd = Command::new(exe);
    cmd.env("ATLAS_BENCH_PROBE", mode);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("{}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("probe `{mode}` failed ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).map_err(|e| format!("probe `{mode}` printed {l:?}: {e}")))
        .collect()
}

pub fn number(line: &serde_json::Value, key: &str) -> Option<f64> {
    line.get(key).and_then(serde_json::Value::as_f64)
}

/// The summary of field `key` over the probe's `lines`: seconds for a `*_ns` field, the
/// value as printed otherwise; `None` when no line has it.
pub fn field(lines: &[serde_json::Value], key: &str) -> Option<super::stats::Stats> {
    let scale = if key.ends_with("_ns") { 1e-9 } else { 1.0 };
    let values: Vec<f64> = lines.iter().filter_map(|l| number(l, key)).map(|v| v * scale).collect();
    super::stats::Stats::of(&values)
}
