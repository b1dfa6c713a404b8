//! `cargo xtask semver --baseline REV`: the Rust-level check of the generated crate.
//!
//! The crate in `generated/` at REV (extracted with `git archive`) and the one in the work
//! tree are copied into a temporary directory, outside the workspace (the generated crate is
//! self-contained), and compared with `cargo semver-checks`. The tool is installed at a
//! pinned version when it is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Args;

/// The cargo-semver-checks release this project is tested with.
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
    ensure_installed()?;
    let tmp = TempDir(std::env::temp_dir().join(format!("atlas-semver-{}", std::process::id())));
    let baseline = tmp.0.join("baseline");
    let current = tmp.0.join("current");
    std::fs::create_dir_all(&tmp.0).map_err(|e| format!("{}: cannot create: {e}", tmp.0.display()))?;
    match (&args.baseline, &args.baseline_dir) {
        (_, Some(dir)) => copy_crate(dir, &baseline)?,
        (Some(rev), None) => extract_revision(rev, root, &tmp.0)?,
        (None, None) => return Err("give --baseline REV or --baseline-dir DIR".to_owned()),
    }
    if args.baseline_dir.is_none() {
        std::fs::rename(tmp.0.join("generated"), &baseline)
            .map_err(|e| format!("the revision has no generated/ crate: {e}"))?;
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
    eprintln!("semver: comparing {} with the baseline {}", current_src.display(), args.baseline.as_deref().unwrap_or("directory"));
    let status = Command::new("cargo")
        .args(["semver-checks", "check-release", "--release-type", "patch", "--manifest-path"])
        .arg(current.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(&baseline)
        // Its own target directory: the crates live outside the workspace.
        .env("CARGO_TARGET_DIR", tmp.0.join("target"))
        .status()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    eprintln!("semver: done in {:.1?}", started.elapsed());
    if status.success() {
        println!("semver: no breaking change in the generated crate's public API");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("semver: the generated crate's public API has breaking changes (see above)");
        Ok(ExitCode::FAILURE)
    }
}

fn ensure_installed() -> Result<(), String> {
    let found = Command::new("cargo")
        .args(["semver-checks", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Ok(());
    }
    eprintln!(
        "semver: cargo-semver-checks is not installed; installing {SEMVER_CHECKS_VERSION} with \
         `cargo install cargo-semver-checks --locked --version {SEMVER_CHECKS_VERSION}` (this takes several minutes)"
    );
    let status = Command::new("cargo")
        .args(["install", "cargo-semver-checks", "--locked", "--version", SEMVER_CHECKS_VERSION])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "installing cargo-semver-checks {SEMVER_CHECKS_VERSION} failed; install it by hand with \
             `cargo install cargo-semver-checks --locked --version {SEMVER_CHECKS_VERSION}`"
        ))
    }
}

/// `git archive REV generated | tar -x -C into`.
fn extract_revision(rev: &str, root: &Path, into: &Path) -> Result<(), String> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["archive", "--format=tar", rev, "generated"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    let Some(stdout) = archive.stdout.take() else {
        return Err("git archive gave no output stream".to_owned());
    };
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(stdout)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let out = archive.wait_with_output().map_err(|e| format!("git archive: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cannot read generated/ at revision `{rev}`: git says: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    if !tar.success() {
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
