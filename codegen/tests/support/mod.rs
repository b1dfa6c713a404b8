//! Generated crates checked as members of one throwaway workspace: one `cargo` command checks
//! them side by side (a crate's front end uses one core) over dependencies built once, pinned
//! by the project's lock file (so no index update is needed).
//!
//! `compile_fixtures.rs` and `upstream.rs` share one target directory ([`target_dir`]) and
//! build their dependencies once between them: each workspace also has two *pin* members
//! whose dependencies are those of the committed generated crate (`generated/Cargo.toml`,
//! optional ones included) and its dev-dependencies with what the fixtures' end-to-end tests
//! add ([`E2E_DEV_DEPENDENCIES`]). Every cargo run selects them, so each dependency resolves
//! to the same features in every run of both tests (with or without `--all-targets`, whole
//! workspace or one package), and cargo reuses its build instead of checking tokio, hyper,
//! reqwest and the rest again for another feature set.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the end-to-end tests of fixture crates need besides the crate itself, added to the
/// generated manifest's own `[dev-dependencies]` (which has tokio with `macros` and `rt`,
/// for the runtime's tests).
pub const E2E_DEV_DEPENDENCIES: &str = r#"wiremock = "0.6.5"
serde_json = "1.0.145"
"#;

/// The pin members (see the module's doc): the generated crate's dependencies, and its
/// dev-dependencies with the end-to-end tests' ones.
const PINS: [&str; 2] = ["deps-pin", "deps-pin-dev"];

/// The target directory of every nested cargo run of the generator's tests.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/generated-check")
}

/// A temporary workspace of generated crates.
pub struct Workspace {
    dir: tempfile::TempDir,
    members: Vec<String>,
}

impl Workspace {
    pub fn new() -> Self {
        let workspace = Workspace { dir: tempfile::tempdir().expect("tempdir"), members: Vec::new() };
        workspace.write_pins();
        workspace
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

    /// Makes the command line of member `name` (written by [`Workspace::add`] under
    /// `cli/`) a member too, `{package}-cli`, on its library without TLS (not what is
    /// tested, and the slowest dependency to build) but with every tag (the command line
    /// has every operation). Returns the package name.
    pub fn add_cli(&mut self, name: &str, package: &str) -> String {
        let dir = self.dir.path().join(name).join("cli");
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{name}: no command line: {e}"));
        let cli = format!("{package}-cli");
        // The library is `atlas-backup = { version = "=X.Y.Z", path = ".." }`: the same
        // dependency, renamed to this workspace's package, every tag and no TLS.
        let library = text.lines().find(|l| l.starts_with("atlas-backup = {") && l.contains("path = \"..\""));
        let library = library
            .unwrap_or_else(|| panic!("{name}: the command line's manifest names no library `atlas-backup = {{ .., path = \"..\" }}`"));
        let renamed = format!(
            "{}, package = {package:?}, default-features = false, features = [\"all-tags\"] }}",
            library.trim_end().trim_end_matches('}').trim_end()
        );
        let text = text
            .replacen(library, &renamed, 1)
            // One binary name per workspace.
            .replacen("name = \"atlas-backup\"\npath = \"src/main.rs\"", &format!("name = \"{cli}\"\npath = \"src/main.rs\""), 1);
        let package_line = "name = \"atlas-backup-cli\"";
        assert!(text.contains(package_line), "{name}: the command line's Cargo.toml names no package");
        let text = text.replacen(package_line, &format!("name = {cli:?}"), 1);
        std::fs::write(&manifest, text).expect("write the command line's Cargo.toml");
        self.members.push(format!("{:?}", format!("{name}/cli")));
        cli
    }

    /// The two pin crates, from the committed generated crate's manifest.
    fn write_pins(&self) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/Cargo.toml");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let manifest: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let table = |key: &str| manifest.get(key).and_then(toml::Value::as_table).cloned().unwrap_or_default();
        let mut normal = table("dependencies");
        for (_, dependency) in normal.iter_mut() {
            if let Some(spec) = dependency.as_table_mut() {
                spec.remove("optional");
            }
        }
        let mut dev = table("dev-dependencies");
        let e2e: toml::Table = E2E_DEV_DEPENDENCIES.parse().expect("E2E_DEV_DEPENDENCIES is TOML");
        dev.extend(e2e);
        for (name, dependencies) in PINS.into_iter().zip([normal, dev]) {
            let dir = self.dir.path().join(name);
            std::fs::create_dir_all(dir.join("src")).expect("pin dir");
            std::fs::write(dir.join("src/lib.rs"), "//! Pins the features of the generated crates' dependencies.\n").expect("pin lib");
            let mut package = toml::Table::new();
            package.insert("name".into(), name.into());
            package.insert("version".into(), "0.0.0".into());
            package.insert("edition".into(), "2024".into());
            package.insert("publish".into(), false.into());
            let mut pin = toml::Table::new();
            pin.insert("package".into(), package.into());
            pin.insert("dependencies".into(), dependencies.into());
            std::fs::write(dir.join("Cargo.toml"), pin.to_string()).expect("pin manifest");
        }
    }

    /// `cargo COMMAND --quiet --no-default-features` over `packages`, each with its own
    /// comma-separated features (given as `package/feature`, as [`Workspace::cargo`] needs),
    /// then `tail` (`--` and the tool's arguments): many crates, each with its own feature
    /// set, in one cargo run that resolves and builds their dependencies once.
    pub fn cargo_each(&self, target: &Path, command: &[&str], packages: &[(String, String)], tail: &[&str]) -> Result<(), String> {
        let mut args: Vec<String> = command.iter().copied().chain(["--quiet", "--no-default-features"]).map(String::from).collect();
        for (package, features) in packages {
            let qualified: Vec<String> = features.split(',').filter(|f| !f.is_empty()).map(|f| format!("{package}/{f}")).collect();
            args.extend(["--package".to_owned(), package.clone()]);
            if !qualified.is_empty() {
                args.extend(["--features".to_owned(), qualified.join(",")]);
            }
        }
        args.extend(tail.iter().map(|a| a.to_string()));
        self.cargo(target, &args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Writes the workspace manifest and lock file, then runs `cargo ARGS` in it with
    /// `target` as the target directory. A run that selects packages (`--package`) selects
    /// the pins too, so features given on the command line must name their package
    /// (`--features pkg/feature`).
    pub fn cargo(&self, target: &Path, args: &[&str]) -> Result<(), String> {
        let root = self.dir.path();
        let members: Vec<String> = self.members.iter().cloned().chain(PINS.iter().map(|p| format!("{p:?}"))).collect();
        // Dependencies without debug info, as in the project's own dev profile: the end-to-end
        // tests link tokio, hyper and reqwest, and nothing here debugs them.
        let manifest =
            format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[profile.dev.package.\"*\"]\ndebug = false\n", members.join(", "));
        std::fs::write(root.join("Cargo.toml"), manifest).expect("write workspace");
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), root.join("Cargo.lock")).expect("copy lock");
        let mut full: Vec<&str> = args.to_vec();
        let tool_args = full.iter().position(|a| *a == "--").unwrap_or(full.len());
        if full[..tool_args].contains(&"--package") {
            for pin in PINS.iter().rev() {
                full.splice(1..1, ["--package", pin]);
            }
        }
        let result = Command::new(env!("CARGO"))
            .args(&full)
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
