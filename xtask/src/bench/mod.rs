//! `cargo xtask bench [--quick] [--json] [--only PART]`: the performance table of issue 8.
//!
//! Every row is a median over several runs (with min and max) next to a baseline measured
//! in the same run, and their ratio:
//!
//! 1. generate (load to written files) of each whole published spec in `../shared/upstream/`
//!    and `../shared/upstream-v2/`, against reading the file into `openapiv3::OpenAPI`; time
//!    and peak memory;
//! 2. the same for `spec/atlas-backup.yaml`, and a second `generate` of the unchanged spec
//!    (it must rewrite no file);
//! 3. the time of each stage for the largest spec, and the render stage on one thread;
//! 4. cold `cargo check` and `cargo build` of the crates generated from a whole spec and
//!    from `spec/`, against an empty crate with the same dependencies; their size;
//! 5. a call through the generated client against the same request with bare `reqwest`,
//!    and a 500-item page decoded into the models against `serde_json::Value`;
//! 6. the generated command line: start to exit of `atlas-backup <tag> <op> --help` from a
//!    release build, and the CLI crate's own `cargo check`;
//! 7. the released binary: a cold build with the `dist` profile, and the binary's size.
//!
//! The in-process measurements are criterion benches (`codegen/benches/generate.rs`,
//! `tests/benches/client.rs`), built here with `cargo bench --no-run` (release profile) and
//! run with their results written to a temporary `CRITERION_HOME`. Peak memory and stage
//! times come from the same bench binary run as a one-shot probe, one process per
//! measurement. Targets are printed and judged, but never fail the command.
//!
//! `--quick` (CI) only proves that every row still runs: dev profile (whose dependencies
//! the tests have built), criterion's quick mode, one run of everything, and in row 4 one
//! cold build (of the empty crate) per cargo command, the generated crates then building
//! in its target directory. A full run takes about half an hour on two cores, most of it
//! the cold builds of row 4 (`--build-runs` sets their number, `--only` picks parts). Row 7
//! is one cold build of the released binary with or without `--quick` (4 to 7 minutes).
//!
//! Each part lives in the module of what it measures (`generate`, `stages`, `builds`,
//! `client`, `cli`, `dist`), which answers its rows; `table` is the report, `exec` runs the bench binaries,
//! `disk` waits for the disk the probes write to, `host` says how much CPU the host took meanwhile.

mod builds;
mod cli;
mod client;
mod disk;
mod dist;
mod exec;
mod generate;
mod host;
mod stages;
mod stats;
mod table;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};

use table::Report;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Every row once with the fewest samples (for CI: proves the benches run; the
    /// numbers are rough and targets are not judged).
    #[arg(long)]
    pub quick: bool,
    /// Print the results as JSON on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Only these parts (repeat the flag for several) [default: all].
    #[arg(long, value_enum)]
    pub only: Vec<Part>,
    /// Runs of each cold build in part `build` [default: 3, or 1 with --quick].
    #[arg(long)]
    pub build_runs: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// Rows 1 and 2: generate against parse, time and memory; the unchanged regenerate.
    Generate,
    /// Row 3: time per stage.
    Stages,
    /// Row 4: builds of the generated crates.
    Build,
    /// Row 5: client call and decode overhead.
    Client,
    /// Row 6: the command line's start and its crate's check.
    Cli,
    /// Row 7: the released binary's cold build (profile dist) and size.
    Dist,
}

/// The whole-API spec whose crate is built in row 4 (it has the shared-tier endpoints and
/// the `oneOf` form), when present.
const BUILD_SPEC: &str = "atlas-api-2025-06-30";

pub fn run(args: BenchArgs, root: &Path) -> Result<ExitCode, String> {
    let started = Instant::now();
    let load_before = table::load_average();
    let want = |p: Part| args.only.is_empty() || args.only.contains(&p);
    let backup = crate::release::Paths::of(root).spec;
    let upstream = upstream_specs(root)?;
    let scratch = tempfile::Builder::new().prefix("atlas-bench-").tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let quick = args.quick;
    let mut rows = Vec::new();

    if want(Part::Generate) || want(Part::Stages) {
        let exe = exec::bench_executable(root, "atlas-codegen", "generate", quick, &["--features", "bench"])?;
        let mut parse_times = Vec::new();
        if want(Part::Generate) {
            let (generated, parses) = generate::rows(&exe, root, &backup, &upstream, scratch.path(), quick)?;
            rows.extend(generated);
            parse_times = parses;
        }
        if want(Part::Stages) {
            let spec = largest(&upstream).unwrap_or(&backup).clone();
            rows.extend(stages::rows(&exe, &spec, scratch.path(), quick, &parse_times)?);
        }
    }

    if want(Part::Build) {
        let runs = args.build_runs.unwrap_or(if quick { 1 } else { 3 }).max(1);
        let whole = upstream.iter().find(|s| stem(s) == BUILD_SPEC).or_else(|| largest(&upstream)).cloned();
        rows.extend(builds::rows(root, &backup, whole.as_deref(), scratch.path(), runs, quick)?);
    }

    if want(Part::Client) {
        rows.extend(client::rows(root, scratch.path(), quick)?);
    }

    if want(Part::Cli) {
        rows.extend(cli::rows(root, quick)?);
    }

    if want(Part::Dist) {
        rows.extend(dist::rows(root, scratch.path())?);
    }

    let report = Report {
        date: table::today(),
        machine: table::machine(),
        load_average: [load_before, table::load_average()],
        quick,
        seconds: started.elapsed().as_secs_f64(),
        rows,
    };
    if args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{}", table::table(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// The whole published specs: `../shared/upstream/*.yaml` (the older copies) and
/// `../shared/upstream-v2/*.yaml` (v2.yaml as MongoDB publishes it), each folder in name
/// order. A missing folder is an error in CI (its rows would silently vanish) and a note
/// elsewhere.
fn upstream_specs(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut specs = Vec::new();
    for dir in ["../shared/upstream", "../shared/upstream-v2"].map(|d| root.join(d)) {
        let found = atlas_codegen::load::spec_files(&dir);
        if found.is_empty() {
            if std::env::var_os("CI").is_some() {
                return Err(format!("no published specs under {}: the whole-API rows cannot run", dir.display()));
            }
            eprintln!("note: no published specs under {}; their whole-API rows are left out", dir.display());
        }
        specs.extend(found);
    }
    Ok(specs)
}

/// The largest spec file: the one the stage breakdown is about.
fn largest(specs: &[PathBuf]) -> Option<&PathBuf> {
    specs.iter().max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

fn stem(spec: &Path) -> String {
    spec.file_stem().map_or_else(|| "spec".to_owned(), |s| s.to_string_lossy().into_owned())
}

fn join(paths: &[PathBuf]) -> Result<std::ffi::OsString, String> {
    std::env::join_paths(paths).map_err(|e| format!("cannot pass the spec paths: {e}"))
}
