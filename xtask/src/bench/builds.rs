//! Row 4: what the generated crate costs its users to compile.
//!
//! Three crates with the same manifest (so the same dependencies, features and lock file):
//! the crate generated from a spec, and an empty library, the baseline. Each build is cold:
//! a new, empty target directory, so the dependencies are compiled too, as on a user's
//! first build, and the ratio to the empty crate is what our code adds. Each crate is also
//! built once more with its dependencies already compiled (its source touched), which is the
//! crate's own cost, what a change to the spec makes everyone rebuild.
//!
//! Builds use `--no-default-features`: the default TLS backend (rustls on aws-lc) is a C
//! build the same for every crate, which would only dilute the ratio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A crate to build, written into `dir`.
pub struct Crate {
    pub name: String,
    pub dir: PathBuf,
    /// Lines of the generated Rust files (`src/**/*.rs`), all of them.
    pub lines: usize,
    /// The same without the hand-written runtime shipped into every crate.
    pub generated_lines: usize,
    pub operations: usize,
    pub types: usize,
}

/// The hand-written runtime modules (copied, not generated from the spec).
const RUNTIME: &[&str] = &[
    "src/auth.rs",
    "src/client.rs",
    "src/codec.rs",
    "src/digest.rs",
    "src/env.rs",
    "src/error.rs",
    "src/paginate.rs",
    "src/request.rs",
    "src/response.rs",
    "src/service_account.rs",
    "src/version.rs",
];

/// Generates the crate of `spec` into `dir`, with the workspace's lock file.
pub fn generated(name: &str, spec: &Path, dir: &Path, lock: &Path) -> Result<Crate, String> {
    let generated = atlas_codegen::generate(spec).map_err(|e| e.to_string())?;
    atlas_codegen::write::write(dir, &generated.files).map_err(|e| e.to_string())?;
    copy_lock(lock, dir)?;
    let mut lines = 0;
    let mut generated_lines = 0;
    for f in generated.files.iter().filter(|f| f.path.ends_with(".rs")) {
        let n = f.contents.lines().count();
        lines += n;
        if !RUNTIME.contains(&f.path.as_str()) {
            generated_lines += n;
        }
    }
    Ok(Crate {
        name: name.to_owned(),
        dir: dir.to_path_buf(),
        lines,
        generated_lines,
        operations: generated.operations,
        types: generated.types,
    })
}

/// An empty library with the manifest of `like` (same dependencies and features).
pub fn empty(like: &Crate, dir: &Path, lock: &Path) -> Result<Crate, String> {
    let manifest = std::fs::read_to_string(like.dir.join("Cargo.toml")).map_err(|e| format!("{}: {e}", like.dir.display()))?;
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("README.md"), "An empty crate: the baseline of `cargo xtask bench`.\n")
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join("src/lib.rs"), "//! Nothing: the dependencies alone.\n").map_err(|e| format!("{}: {e}", dir.display()))?;
    copy_lock(lock, dir)?;
    Ok(Crate { name: "empty".to_owned(), dir: dir.to_path_buf(), lines: 1, generated_lines: 0, operations: 0, types: 0 })
}

fn copy_lock(lock: &Path, dir: &Path) -> Result<(), String> {
    // The workspace's versions, so that every crate (and every run) builds the same code;
    // cargo drops the entries this crate does not use.
    std::fs::copy(lock, dir.join("Cargo.lock")).map(|_| ()).map_err(|e| format!("{}: {e}", lock.display()))
}

/// Downloads what the crate needs, so that no build below waits for the network.
pub fn fetch(krate: &Crate) -> Result<(), String> {
    let out = cargo(&krate.dir, None).arg("fetch").output().map_err(|e| format!("cargo fetch: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("cargo fetch in {}: {}", krate.dir.display(), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Gives the crate a package name of its own. Crates that share a target directory must
/// not have the same name: cargo's fingerprint of a path package does not include where it
/// is, so the second crate would be taken for the first, already built.
pub fn rename(krate: &Crate) -> Result<(), String> {
    let path = krate.dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let renamed = text.replacen("name = \"atlas-backup\"", &format!("name = \"atlas-backup-{}\"", krate.name), 1);
    if renamed == text {
        return Err(format!("{}: no `name = \"atlas-backup\"` to rename", path.display()));
    }
    std::fs::write(&path, renamed).map_err(|e| format!("{}: {e}", path.display()))
}

/// One cold run of `cargo <command>` in the empty target directory `target`, then one of
/// the crate alone (its root touched, so cargo rebuilds it and nothing else): seconds.
pub fn cold_then_own(krate: &Crate, command: &str, target: &Path) -> Result<(f64, f64), String> {
    let _ = std::fs::remove_dir_all(target);
    let cold = timed(krate, command, target)?;
    let lib = krate.dir.join("src/lib.rs");
    let text = std::fs::read(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    std::fs::write(&lib, text).map_err(|e| format!("{}: {e}", lib.display()))?;
    Ok((cold, own(krate, command, target)?))
}

/// `cargo <command>` of the crate alone, in a `target` whose dependencies are built
/// (all three crates have the same manifest and lock file, so they share them): seconds.
pub fn own(krate: &Crate, command: &str, target: &Path) -> Result<f64, String> {
    timed(krate, command, target)
}

fn timed(krate: &Crate, command: &str, target: &Path) -> Result<f64, String> {
    let started = Instant::now();
    let out = cargo(&krate.dir, Some(target))
        .args([command, "--quiet", "--no-default-features"])
        .output()
        .map_err(|e| format!("cargo {command}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "cargo {command} of the {} crate ({}) failed:\n{}",
            krate.name,
            krate.dir.display(),
            stderr.chars().take(4000).collect::<String>()
        ));
    }
    Ok(seconds)
}

/// cargo in `dir`, as a user outside this workspace would run it.
fn cargo(dir: &Path, target: Option<&Path>) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir).env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS").env_remove("CARGO_BUILD_RUSTFLAGS");
    match target {
        Some(t) => cmd.env("CARGO_TARGET_DIR", t),
        None => cmd.env_remove("CARGO_TARGET_DIR"),
    };
    cmd
}
