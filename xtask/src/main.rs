//! Developer tasks: `cargo xtask <task>`.
//!
//! `generate` is the main job: it regenerates `generated/` from `spec/atlas-backup.yaml`
//! (or `--check`s that it is current, for CI).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

/// Generation allocates and frees a great many small objects (syn's tokens and trees):
/// mimalloc does that faster than the system allocator (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod drift;
mod fuzz;
mod release;
mod semver;
mod spec;
mod update;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Developer tasks of the Atlas backup client")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generate the client crate from the spec (all files or none).
    Generate {
        /// The OpenAPI 3.0 spec (YAML or JSON).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// An OpenAPI Overlay 1.0 document applied to the spec, instead of the
        /// `NAME.overlay.yaml` beside it [default: that one, when it exists].
        #[arg(long)]
        overlay: Option<PathBuf>,
        /// The crate directory to write.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; exit 1 naming each file that differs from what the spec gives.
        #[arg(long)]
        check: bool,
        /// Treat warnings (constructs mapped in a weaker way) as errors.
        #[arg(long)]
        strict: bool,
    },
    /// OpenAPI spec tools: `update` spec/ from a new upstream document, `slice` one by tags,
    /// `check` spec/ against upstream, `observe` it against recorded answers (HAR).
    Spec {
        #[command(subcommand)]
        task: spec::SpecTask,
    },
    /// Report API drift between two specs (files or git revisions), classified for users
    /// of the generated crate as breaking, non-breaking or info.
    Drift(drift::DriftArgs),
    /// Run the generator's no-panic properties over many mutated specs (release build).
    Fuzz(fuzz::FuzzArgs),
    /// Check the generated crate's public API against a baseline revision with cargo-semver-checks.
    Semver(semver::SemverArgs),
    /// The generated crates' changelog: `--check` that generated/ is what its newest entry
    /// describes, or record a change of the generated code that no spec update made.
    Release(release::ReleaseArgs),
    /// Measure generation, the generated crate's build and the client against baselines
    /// measured in the same run; prints one table (`--json` for machines).
    Bench(bench::BenchArgs),
}

/// The workspace the xtask was run in: cargo sets `CARGO_MANIFEST_DIR` (xtask's directory,
/// one level below the root) when it runs the binary. Not the compile-time value: with a
/// `CARGO_TARGET_DIR` shared by two clones, the binary built in one is run in the other.
/// Run by hand, the xtask looks for the workspace above the current directory.
fn workspace_root() -> Result<PathBuf, String> {
    if let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let manifest = PathBuf::from(manifest);
        return Ok(manifest.parent().map(Path::to_path_buf).unwrap_or(manifest));
    }
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    cwd.ancestors()
        .find(|d| d.join("xtask/Cargo.toml").is_file() && d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| format!("{} is not inside the atlas-backup workspace: run `cargo xtask` there", cwd.display()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = workspace_root().and_then(|root| match cli.task {
        Task::Generate { spec, overlay, out, check, strict } => {
            // The benchmark's probes of `generate` run the same way. Only here: the flag is
            // inherited by the processes a task starts (cargo, the benchmark's baselines).
            atlas_codegen::process::without_huge_pages();
            generate(&root, spec, overlay, out, check, strict)
        }
        Task::Spec { task } => spec::run(task, &root),
        Task::Drift(args) => drift::run(args, &root),
        Task::Semver(args) => semver::run(args, &root),
        Task::Release(args) => release::run(args, &root),
        Task::Bench(args) => bench::run(args, &root),
        Task::Fuzz(args) => fuzz::run(args, &root),
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate(
    root: &Path,
    spec: Option<PathBuf>,
    overlay: Option<PathBuf>,
    out: Option<PathBuf>,
    check: bool,
    strict: bool,
) -> Result<ExitCode, String> {
    let started = Instant::now();
    let spec = spec.unwrap_or_else(|| release::Paths::of(root).spec);
    let out = out.unwrap_or_else(|| root.join("generated"));
    let generated = match overlay {
        Some(overlay) => {
            atlas_codegen::load::overlay::Overlay::load(&overlay).and_then(|overlay| atlas_codegen::generate_with(&spec, Some(&overlay)))
        }
        None => atlas_codegen::generate(&spec),
    };
    let generated = generated.map_err(|e| e.to_string())?;
    // The changelog is not generated: the writer keeps it as it is.
    for w in &generated.warnings {
        eprintln!("{w}");
    }
    if !generated.warnings.is_empty() {
        let mut kinds = std::collections::BTreeMap::new();
        for w in &generated.warnings {
            *kinds.entry(w.kind).or_insert(0usize) += 1;
        }
        let counts: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        eprintln!("{} warning(s) ({})", generated.warnings.len(), counts.join(", "));
        if strict {
            return Err(format!("{} warning(s) with --strict; nothing written", generated.warnings.len()));
        }
    }
    if check {
        let outcome = atlas_codegen::write::compare(&out, &generated.files).map_err(|e| e.to_string())?;
        if outcome.is_clean() {
            println!("{} is up to date with {} ({} files)", out.display(), spec.display(), generated.files.len());
            return Ok(ExitCode::SUCCESS);
        }
        for f in &outcome.changed {
            eprintln!("stale: {}", out.join(f).display());
        }
        for f in &outcome.removed {
            eprintln!("not generated by the spec: {}", out.join(f).display());
        }
        eprintln!("{} is out of date: run `cargo xtask generate`", out.display());
        return Ok(ExitCode::FAILURE);
    }
    let outcome = atlas_codegen::write::write(&out, &generated.files).map_err(|e| e.to_string())?;
    println!(
        "generated {} operations, {} types, {} files ({} changed, {} removed) into {} in {:.2?}",
        generated.operations,
        generated.types,
        generated.files.len(),
        outcome.changed.len(),
        outcome.removed.len(),
        out.display(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}
