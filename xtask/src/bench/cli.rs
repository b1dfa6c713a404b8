//! Row 6: the generated command line (issue 27). How long `atlas-backup <tag> <op> --help`
//! takes from a release build, start to exit (target ≤ 20 ms median on two cores), against
//! starting and ending a process that does nothing (`true`): the floor no binary beats. The
//! whole command tree (`completions bash`, which builds every command with every flag) is
//! shown beside it, as what a start would cost without the lazily built tree. And the CLI
//! crate's own `cargo check` in this workspace (its dependencies, the library included,
//! already checked), against the library's own.
//!
//! The check rows re-check a crate by rewriting its `src/lib.rs` as it is (a new
//! modification time, the same bytes): `generated/` keeps its contents, so `cargo xtask
//! generate --check` is not affected.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::exec::cargo;
use super::stats::Stats;
use super::table::{Row, Unit};

const CLI: &str = "6. Command line";

/// The command whose start is measured: the seed pages' example.
const HELP: [&str; 3] = ["cloudBackups", "getGroupClusterBackupSnapshot", "--help"];

/// The rows of part `cli`.
pub fn rows(root: &Path, quick: bool) -> Result<Vec<Row>, String> {
    let exe = build(root, quick)?;
    let runs = if quick { 3 } else { 51 };
    eprintln!("starting {} {} {runs} times...", exe.display(), HELP.join(" "));
    let help = starts(&exe, &HELP, runs)?;
    let tree = starts(&exe, &["completions", "bash"], runs)?;
    let floor = starts(Path::new("true"), &[], runs)?;
    let profile = if quick { "dev build" } else { "release build" };
    let mut rows = vec![
        Row::new(CLI, format!("start to exit of `atlas-backup {}` ({profile})", HELP.join(" ")), Unit::Seconds, help)
            .against("a process that does nothing (`true`)", floor)
            .max_value(0.020, None, quick),
        Row::new(CLI, format!("start to exit of `atlas-backup completions bash`, every command built ({profile})"), Unit::Seconds, tree)
            .against("a process that does nothing (`true`)", floor),
    ];
    let checks = if quick { 1 } else { 3 };
    eprintln!("cargo check of the CLI crate and of the library alone, {checks} run(s) each...");
    let cli = own_check(root, "atlas-backup-cli", &root.join("generated/cli/src/lib.rs"), checks)?;
    let library = own_check(root, "atlas-backup", &root.join("generated/src/lib.rs"), checks)?;
    rows.push(
        Row::new(CLI, "cargo check, the CLI crate alone (dependencies and the library checked)", Unit::Seconds, cli)
            .against("the library crate alone, the same way", library),
    );
    Ok(rows)
}

/// Builds the binary `atlas-backup` of the CLI crate (release; dev with `--quick`) and
/// answers its path.
fn build(root: &Path, quick: bool) -> Result<PathBuf, String> {
    let profile = if quick { "dev" } else { "release" };
    eprintln!("building atlas-backup-cli ({profile} profile)...");
    let out = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--package", "atlas-backup-cli", "--bin", "atlas-backup", "--profile", profile])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !out.status.success() {
        return Err("cargo build of atlas-backup-cli failed".to_owned());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "atlas-backup")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo did not name the executable of atlas-backup".to_owned())
}

/// Start to exit of `exe args`, `runs` times after one untimed run (page cache, dynamic
/// loader): seconds. Output goes nowhere; a failure is an error.
fn starts(exe: &Path, args: &[&str], runs: usize) -> Result<Stats, String> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..=runs {
        let started = Instant::now();
        let status = Command::new(exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        let seconds = started.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("{} {} failed ({status})", exe.display(), args.join(" ")));
        }
        if i > 0 {
            times.push(seconds);
        }
    }
    Stats::of(&times).ok_or_else(|| "nothing was measured".to_owned())
}

/// `cargo check -p package` after rewriting `root_file` as it is, `runs` times after one
/// untimed check (which checks whatever else is out of date): seconds.
fn own_check(root: &Path, package: &str, root_file: &Path, runs: usize) -> Result<Stats, String> {
    let check = || {
        let started = Instant::now();
        let out = Command::new(cargo())
            .current_dir(root)
            .args(["check", "--quiet", "--package", package])
            .output()
            .map_err(|e| format!("cargo check: {e}"))?;
        if !out.status.success() {
            return Err(format!("cargo check -p {package} failed:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(started.elapsed().as_secs_f64())
    };
    check()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let text = std::fs::read(root_file).map_err(|e| format!("{}: {e}", root_file.display()))?;
        std::fs::write(root_file, text).map_err(|e| format!("{}: {e}", root_file.display()))?;
        times.push(check()?);
    }
    Stats::of(&times).ok_or_else(|| "nothing was measured".to_owned())
}
