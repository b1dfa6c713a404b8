//! Generated crates checked as members of one throwaway workspace: one `cargo` command checks
//! them side by side (a crate's front end uses one core) over dependencies built once, pinned
//! by the project's lock file (so no index update is needed).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary workspace of generated crates.
pub struct Workspace {
    dir: tempfile::TempDir,
    members: Vec<String>,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace { dir: tempfile::tempdir().expect("tempdir"), members: Vec::new() }
    }

    /// Writes `files` as the member `name` with the package name `package` (members must
    /// differ); the library keeps its name `atlas_backup`, so doc examples and tests use it
    /// as users do. Returns the crate's directory.
    pub fn add(&mut self, name: &str, package: &str, files: &[atlas_codegen::File]) -> PathBuf {
        let out = self.dir.path().join(name);
        atlas_codegen::write::write(&out, files).unwrap_or_else(|e| panic!("{name}: {e}"));
        let manifest = out.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("read Cargo.toml");
        let text = atlas_codegen::render::manifest::rename_package(&text, package)
            .unwrap_or_else(|| panic!("{name}: Cargo.toml names no package"));
        std::fs::write(&manifest, text).expect("write Cargo.toml");
        self.members.push(format!("{name:?}"));
        out
    }

    /// Writes the workspace manifest and lock file, then runs `cargo ARGS` in it with
    /// `target` as the target directory.
    pub fn cargo(&self, target: &Path, args: &[&str]) -> Result<(), String> {
        let root = self.dir.path();
        std::fs::write(root.join("Cargo.toml"), format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", self.members.join(", ")))
            .expect("write workspace");
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), root.join("Cargo.lock")).expect("copy lock");
        let result = Command::new(env!("CARGO"))
            .args(args)
            .current_dir(root)
            .env("CARGO_TARGET_DIR", target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        if result.status.success() {
            Ok(())
        } else {
            let stderr = String::from_utf8_lossy(&result.stderr);
            Err(format!("cargo {}:\n{}", args.join(" "), stderr.chars().take(6000).collect::<String>()))
        }
    }
}
