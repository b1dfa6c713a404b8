//! `cargo xtask semver --baseline REV`: the Rust-level check of the generated crate.
//!
//! The crate in `generated/` at REV (extracted with `git archive`) and the one in the work
//! tree are copied into a temporary directory, outside the workspace (the generated crate is
//! self-contained), and compared with `cargo semver-checks`. The spec-level verdict of
//! `cargo xtask drift` and this one can then be compared: a field removed from a response
//! is `field-removed` there and `struct_pub_field_missing` here.
//!
//! cargo-semver-checks reads the rustdoc JSON of the installed (stable) toolchain; each of
//! its releases reads the formats of the Rust releases current when it came out, so the
//! version is pinned here and installed when missing. Its build of the two crates goes to
//! `target/semver-checks/` (under `CARGO_TARGET_DIR` when set), kept between runs so that
//! only the two copies of the generated crate are documented again.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Args;

/// The cargo-semver-checks release this project is tested with (needs Rust 1.93 or later;
/// reads the rustdoc JSON of Rust 1.93 to 1.95 at least).
pub const SEMVER_CHECKS_VERSION: &str = "0.51.0";

#[derive(Args, Debug)]
pub struct SemverArgs {
    /// The git revision whose generated/ is the baseline, e.g. origin/main.
    #[arg(long, required_unless_present = "baseline_dir", conflicts_with = "baseline_dir")]
    pub baseline: Option<String>,
    /// A baseline crate directory instead of a revision.
    #[arg(long)]
    pub baseline_dir: Option<PathBuf>,
    /// The crate to check [default: generated/ of the work tree].
    #[arg(long)]
    pub current_dir: Option<PathBuf>,
    /// Where cargo-semver-checks builds [default: target/semver-checks of the workspace].
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
}

/// A temporary directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(args: SemverArgs, root: &Path) -> Result<ExitCode, String> {
    let started = Instant::now();
    let tmp = TempDir(std::env::temp_dir().join(format!("atlas-semver-{}", std::process::id())));
    // Left over by an earlier process with the same id that was killed.
    let _ = std::fs::remove_dir_all(&tmp.0);
    let baseline = tmp.0.join("baseline");
    let current = tmp.0.join("current");
    std::fs::create_dir_all(&tmp.0).map_err(|e| format!("{}: cannot create: {e}", tmp.0.display()))?;
    match (&args.baseline, &args.baseline_dir) {
        (_, Some(dir)) => copy_crate(dir, &baseline)?,
        (Some(rev), None) => {
            extract_revision(rev, root, &tmp.0)?;
            std::fs::rename(tmp.0.join("generated"), &baseline).map_err(|e| format!("revision `{rev}` has no generated/ crate: {e}"))?;
        }
        (None, None) => return Err("give --baseline REV or --baseline-dir DIR".to_owned()),
    }
    let current_src = args.current_dir.clone().unwrap_or_else(|| root.join("generated"));
    copy_crate(&current_src, &current)?;
    // The workspace's lock file pins the dependencies of both builds to what CI tests.
    let lock = root.join("Cargo.lock");
    if lock.is_file() {
        for dir in [&baseline, &current] {
            std::fs::copy(&lock, dir.join("Cargo.lock")).map_err(|e| format!("{}: cannot copy: {e}", lock.display()))?;
        }
    }
    let target = args.target_dir.clone().unwrap_or_else(|| default_target_dir(root));
    let baseline_label = match (&args.baseline, &args.baseline_dir) {
        (_, Some(dir)) => dir.display().to_string(),
        (Some(rev), None) => format!("generated/ at {rev}"),
        (None, None) => String::new(),
    };
    // After the inputs are known to be good: a typo should not cost an install.
    ensure_installed()?;
    eprintln!(
        "semver: comparing {} with the baseline {baseline_label} (the first run builds the dependencies into {})",
        current_src.display(),
        target.display()
    );
    let out = Command::new("cargo")
        // `minor`: additions (a new operation, field or variant) are allowed; what needs a
        // new major version (0.x: a new minor one) is reported.
        .args(["semver-checks", "check-release", "--release-type", "minor", "--manifest-path"])
        .arg(current.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(&baseline)
        // The crates live outside the workspace; their build is kept between runs.
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    // Captured to tell a verdict from a failure to run (both exit 1), then shown as is.
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprint!("{stderr}");
    print!("{stdout}");
    eprintln!("semver: done in {:.1?}", started.elapsed());
    if out.status.success() {
        println!("semver: no breaking change in the generated crate's public API");
        Ok(ExitCode::SUCCESS)
    } else if stdout.contains("semver requires new") || stderr.contains("semver requires new") {
        println!("semver: the generated crate's public API has breaking changes (see above)");
        Ok(ExitCode::FAILURE)
    } else {
        Err(format!("cargo semver-checks could not compare the crates ({}); see its output above", out.status))
    }
}

/// `$CARGO_TARGET_DIR/semver-checks`, or `target/semver-checks` of the workspace.
fn default_target_dir(root: &Path) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let base = if base.is_relative() { root.join(base) } else { base };
    base.join("semver-checks")
}

/// Installs the pinned cargo-semver-checks when `cargo semver-checks` is not there; warns
/// when another version is.
fn ensure_installed() -> Result<(), String> {
    let found = Command::new("cargo").args(["semver-checks", "--version"]).stderr(Stdio::null()).output();
    if let Ok(out) = found
        && out.status.success()
    {
        let version = String::from_utf8_lossy(&out.stdout);
        if !version.split_whitespace().any(|w| w == SEMVER_CHECKS_VERSION) {
            eprintln!(
                "semver: found {}, this project is tested with cargo-semver-checks {SEMVER_CHECKS_VERSION}; if it \
                 cannot read the rustdoc JSON, run `cargo install cargo-semver-checks --locked --version {SEMVER_CHECKS_VERSION}`",
                version.trim()
            );
        }
        return Ok(());
    }
    eprintln!(
        "semver: cargo-semver-checks is not installed; installing {SEMVER_CHECKS_VERSION} with \
         `cargo install cargo-semver-checks --locked --version {SEMVER_CHECKS_VERSION}` \
         (a one-time build from crates.io of about 10 minutes on 2 cores)"
    );
    let status = Command::new("cargo")
        .args(["install", "cargo-semver-checks", "--locked", "--version", SEMVER_CHECKS_VERSION])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "installing cargo-semver-checks {SEMVER_CHECKS_VERSION} failed (see above); install it by hand with \
             `cargo install cargo-semver-checks --locked --version {SEMVER_CHECKS_VERSION}`"
        ))
    }
}

/// `git archive REV generated | tar -x -C into`, the archive read whole first so that a bad
/// revision gives git's message alone (the crate is a few hundred kB).
fn extract_revision(rev: &str, root: &Path, into: &Path) -> Result<(), String> {
    // A leading `-` would be read by git as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    let archive = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["archive", "--format=tar", rev, "generated"])
        .output()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    if !archive.status.success() {
        return Err(format!("cannot read generated/ at revision `{rev}`: git says: {}", String::from_utf8_lossy(&archive.stderr).trim()));
    }
    let mut tar =
        Command::new("tar").arg("-x").arg("-C").arg(into).stdin(Stdio::piped()).spawn().map_err(|e| format!("cannot run tar: {e}"))?;
    if let Some(mut stdin) = tar.stdin.take() {
        use std::io::Write as _;
        stdin.write_all(&archive.stdout).map_err(|e| format!("tar: {e}"))?;
    }
    let status = tar.wait().map_err(|e| format!("tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar could not extract generated/ of `{rev}`"));
    }
    Ok(())
}

/// Copies a crate directory (without `target/`).
fn copy_crate(from: &Path, to: &Path) -> Result<(), String> {
    if !from.join("Cargo.toml").is_file() {
        return Err(format!("{}: not a crate directory (no Cargo.toml)", from.display()));
    }
    copy_dir(from, to)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: cannot create: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: cannot read: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: cannot read: {e}", from.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let kind = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_dir() {
            if name == "target" {
                continue;
            }
            copy_dir(&path, &to.join(&name))?;
        } else if kind.is_file() {
            std::fs::copy(&path, to.join(&name)).map_err(|e| format!("{}: cannot copy: {e}", path.display()))?;
        }
    }
    Ok(())
}
