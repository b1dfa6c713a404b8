//! Row 7: the released binary (issue 37). A cold `cargo build --profile dist` of the command
//! line in an empty target directory (every dependency built: what `.ci/dist.sh`, the release
//! workflow and `cargo install --path generated/cli --locked --profile dist` pay on a fresh
//! machine), and the size of the binary it makes (thin LTO, one codegen unit, symbols
//! stripped: the root `Cargo.toml`'s `[profile.dist]`). One run: a cold build takes minutes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::exec::cargo;
use super::stats::Stats;
use super::table::{Row, Unit};

const DIST: &str = "7. Released binary";

/// The rows of part `dist`.
pub fn rows(root: &Path, scratch: &Path) -> Result<Vec<Row>, String> {
    let target = scratch.join("dist-target");
    let (seconds, exe) = cold_build(root, &target)?;
    let bytes = std::fs::metadata(&exe).map_err(|e| format!("{}: {e}", exe.display()))?.len();
    Ok(vec![
        Row::new(DIST, "cold `cargo build --profile dist` of atlas-backup-cli, dependencies included", Unit::Seconds, Stats::once(seconds)),
        Row::new(DIST, "size of the `atlas-backup` binary (profile dist, stripped)", Unit::Kib, Stats::once(bytes as f64 / 1024.0)),
    ])
}

/// Builds the binary with the `dist` profile in the empty directory `target`: seconds, and
/// the binary's path.
fn cold_build(root: &Path, target: &Path) -> Result<(f64, PathBuf), String> {
    let _ = std::fs::remove_dir_all(target);
    eprintln!("cold build of atlas-backup-cli, profile dist (a few minutes)...");
    let started = Instant::now();
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--quiet", "--locked", "--profile", "dist", "--package", "atlas-backup-cli", "--bin", "atlas-backup"])
        .env("CARGO_TARGET_DIR", target)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("cargo build --profile dist of atlas-backup-cli failed ({status})"));
    }
    let exe = target.join("dist").join(format!("atlas-backup{}", std::env::consts::EXE_SUFFIX));
    Ok((seconds, exe))
}
