//! `cargo xtask bench [--quick] [--json] [--only PART]`: the performance table of issue 8.
//!
//! Every row is a median over several runs (with min and max) next to a baseline measured
//! in the same run, and their ratio:
//!
//! 1. generate (load to written files) of each whole published spec in `../shared/upstream/`,
//!    against reading the file into `openapiv3::OpenAPI`; time and peak memory;
//! 2. the same for `spec/atlas-backup.yaml`, and a second `generate` of the unchanged spec
//!    (it must rewrite no file);
//! 3. the time of each stage for the largest spec, and the render stage on one thread;
//! 4. cold `cargo check` and `cargo build` of the crates generated from a whole spec and
//!    from `spec/`, against an empty crate with the same dependencies; their size;
//! 5. a call through the generated client against the same request with bare `reqwest`,
//!    and a 500-item page decoded into the models against `serde_json::Value`.
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
//! the cold builds of row 4 (`--build-runs` sets their number, `--only` picks parts).

mod builds;
mod stats;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde::Serialize;

use stats::Stats;

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
}

/// What a row is measured in.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Unit {
    Seconds,
    Kib,
    Lines,
}

#[derive(Debug, Clone, Serialize)]
struct Baseline {
    name: String,
    value: Stats,
}

#[derive(Debug, Clone, Serialize)]
struct Target {
    /// As printed, e.g. `≤ 3× baseline`.
    text: String,
    /// `None` with `--quick`: a single rough run judges nothing.
    met: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
struct Row {
    section: &'static str,
    name: String,
    unit: Unit,
    value: Stats,
    baseline: Option<Baseline>,
    /// value / baseline (medians).
    ratio: Option<f64>,
    target: Option<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Row {
    fn new(section: &'static str, name: impl Into<String>, unit: Unit, value: Stats) -> Row {
        Row { section, name: name.into(), unit, value, baseline: None, ratio: None, target: None, note: None }
    }

    fn against(mut self, name: impl Into<String>, baseline: Stats) -> Row {
        self.ratio = (baseline.median > 0.0).then(|| self.value.median / baseline.median);
        self.baseline = Some(Baseline { name: name.into(), value: baseline });
        self
    }

    /// A target on the ratio to the baseline.
    fn max_ratio(mut self, max: f64, quick: bool) -> Row {
        let met = self.ratio.map(|r| r <= max);
        self.target = Some(Target { text: format!("≤ {max}×"), met: if quick { None } else { met } });
        self
    }

    /// A target on the value itself (and on the ratio when `ratio` is given).
    fn max_value(mut self, max: f64, ratio: Option<f64>, quick: bool) -> Row {
        let mut met = self.value.median <= max;
        let mut text = format!("≤ {}", format_value(self.unit, max));
        if let Some(r) = ratio {
            met &= self.ratio.is_some_and(|x| x <= r);
            text = format!("≤ {r}× and {text}");
        }
        self.target = Some(Target { text, met: if quick { None } else { Some(met) } });
        self
    }

    fn note(mut self, note: impl Into<String>) -> Row {
        self.note = Some(note.into());
        self
    }
}

const GENERATE_WHOLE: &str = "1. Generate, whole API";
const GENERATE_BACKUP: &str = "2. Generate, backup spec";
const STAGES: &str = "3. Stages";
const BUILD: &str = "4. Generated crate build";
const CLIENT: &str = "5. Client overhead";

/// The whole-API spec whose crate is built in row 4 (it has the shared-tier endpoints and
/// the `oneOf` form), when present.
const BUILD_SPEC: &str = "atlas-api-2025-06-30";

pub fn run(args: BenchArgs, root: &Path) -> Result<ExitCode, String> {
    let started = Instant::now();
    let load_before = load_average();
    let want = |p: Part| args.only.is_empty() || args.only.contains(&p);
    let backup = root.join("spec/atlas-backup.yaml");
    let upstream = upstream_specs(root)?;
    let scratch = tempfile::Builder::new()
        .prefix("atlas-bench-")
        .tempdir()
        .map_err(|e| format!("temporary directory: {e}"))?;
    let quick = args.quick;
    let mut rows = Vec::new();

    if want(Part::Generate) || want(Part::Stages) {
        let exe = bench_executable(root, "atlas-codegen", "generate", quick, &[])?;
        let mut specs = vec![backup.clone()];
        specs.extend(upstream.iter().cloned());
        let mut parse_times = Vec::new();
        // Row 1 (whole API) is printed before row 2 (spec/), whatever order the specs run in.
        let mut backup_rows = Vec::new();
        if want(Part::Generate) {
            let home = scratch.path().join("criterion-generate");
            let trees = scratch.path().join("criterion-trees");
            std::fs::create_dir_all(&trees).map_err(|e| format!("{}: {e}", trees.display()))?;
            run_criterion(
                &exe,
                &root.join("codegen"),
                &home,
                quick,
                &[("ATLAS_BENCH_SPECS", join(&specs)?), ("ATLAS_BENCH_SCRATCH", trees.into_os_string())],
            )?;
            for spec in &specs {
                let stem = stem(spec);
                let section = if *spec == backup { GENERATE_BACKUP } else { GENERATE_WHOLE };
                let parse = stats::criterion(&home, &stem, "parse_baseline")?;
                let generate = stats::criterion(&home, &stem, "generate")?;
                parse_times.push((spec.clone(), parse));
                let largest = largest(&upstream).is_some_and(|l| l == spec);
                let mut time = Row::new(section, format!("{stem}: generate + write"), Unit::Seconds, generate)
                    .against("read + deserialize into openapiv3::OpenAPI", parse);
                if section == GENERATE_WHOLE {
                    time = if largest { time.max_value(0.5, Some(3.0), quick) } else { time.max_ratio(3.0, quick) };
                }
                let out = if section == GENERATE_WHOLE { &mut rows } else { &mut backup_rows };
                out.push(time);
                let runs = if quick { 1 } else { 3 };
                let (gen_rss, parse_rss) = peak_memory(&exe, spec, scratch.path(), runs)?;
                if let (Some(g), Some(p)) = (gen_rss, parse_rss) {
                    let mut mem = Row::new(section, format!("{stem}: peak memory (max RSS)"), Unit::Kib, g).against("peak memory of the parse", p);
                    if section == GENERATE_WHOLE {
                        mem = mem.max_ratio(2.0, quick);
                    }
                    let out = if section == GENERATE_WHOLE { &mut rows } else { &mut backup_rows };
                    out.push(mem);
                }
            }
            rows.append(&mut backup_rows);
            rows.push(incremental(&backup, scratch.path())?);
        }
        if want(Part::Stages) {
            let spec = largest(&upstream).unwrap_or(&backup).clone();
            rows.extend(stages(&exe, &spec, scratch.path(), quick, &parse_times)?);
        }
    }

    if want(Part::Build) {
        let runs = args.build_runs.unwrap_or(if quick { 1 } else { 3 }).max(1);
        let whole = upstream.iter().find(|s| stem(s) == BUILD_SPEC).or_else(|| largest(&upstream)).cloned();
        rows.extend(build_rows(root, &backup, whole.as_deref(), scratch.path(), runs, quick)?);
    }

    if want(Part::Client) {
        // Without the tests' default feature `mock`: the client as production builds have it
        // (no mock compiled into the seam, no paused-clock support in tokio).
        let exe = bench_executable(root, "atlas-backup-tests", "client", quick, &["--no-default-features"])?;
        let home = scratch.path().join("criterion-client");
        run_criterion(&exe, &root.join("tests"), &home, quick, &[])?;
        // Paired batches, not criterion's two benchmarks side by side: those run one after
        // the other, and on a shared 2-core machine their conditions drift apart by more
        // than the difference measured (runs of the same build gave 0.9× to 1.3×).
        let (generated, bare) = stats::paired(&home)?;
        rows.push(
            Row::new(CLIENT, "getGroupClusterBackupSnapshot through the generated client (mean per call, per batch)", Unit::Seconds, generated)
                .against("same request, bare reqwest + serde_json, same pool and server, in the same batches", bare)
                .max_ratio(1.05, quick),
        );
        let models = stats::criterion(&home, "decode", "generated_models")?;
        let value = stats::criterion(&home, "decode", "value_baseline")?;
        rows.push(
            Row::new(CLIENT, "decode a 500-snapshot page into the generated models", Unit::Seconds, models)
                .against("serde_json::from_slice::<serde_json::Value>", value)
                .max_ratio(1.2, quick),
        );
    }

    let report = Report {
        date: today(),
        machine: machine(),
        load_average: [load_before, load_average()],
        quick,
        seconds: started.elapsed().as_secs_f64(),
        rows,
    };
    if args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{}", table(&report));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct Report {
    date: String,
    machine: String,
    /// The 1-minute load average when the run started and ended: other work on the machine
    /// slows the rows down, the ratios less.
    load_average: [Option<f64>; 2],
    quick: bool,
    /// How long the whole run took.
    seconds: f64,
    rows: Vec<Row>,
}

/// `../shared/upstream/*.yaml`, in name order. Missing is an error in CI (the rows would
/// silently vanish) and a note elsewhere.
fn upstream_specs(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("../shared/upstream");
    let mut specs: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
            .collect(),
        Err(_) => Vec::new(),
    };
    specs.sort();
    if specs.is_empty() {
        if std::env::var_os("CI").is_some() {
            return Err(format!("no published specs under {}: the whole-API rows cannot run", dir.display()));
        }
        eprintln!("note: no published specs under {}; the whole-API rows are left out", dir.display());
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

/// Builds a bench target and answers its executable: release profile (cargo's `bench`), or
/// with `--quick` the dev profile, whose dependencies CI has already built for the tests
/// (the workspace optimises the generator and its parsers even there).
fn bench_executable(root: &Path, package: &str, bench: &str, quick: bool, flags: &[&str]) -> Result<PathBuf, String> {
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

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Runs a criterion bench binary, its results going to `home`. Its report goes to stderr,
/// so that `--json` keeps stdout for the JSON.
fn run_criterion(exe: &Path, dir: &Path, home: &Path, quick: bool, env: &[(&str, std::ffi::OsString)]) -> Result<(), String> {
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir).env("CRITERION_HOME", home).arg("--bench");
    if quick {
        // Criterion's quick mode: a couple of runs, at most about this long per benchmark.
        cmd.args(["--quick", "--measurement-time", "0.5"]);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", exe.display())) }
}

/// One probe run of the generate bench binary (see its `probe`): its lines of JSON.
fn probe(exe: &Path, mode: &str, env: &[(&str, &std::ffi::OsStr)]) -> Result<Vec<serde_json::Value>, String> {
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

fn number(line: &serde_json::Value, key: &str) -> Option<f64> {
    line.get(key).and_then(serde_json::Value::as_f64)
}

/// Peak memory of generating `spec` and of parsing it, each in a process of its own.
fn peak_memory(exe: &Path, spec: &Path, scratch: &Path, runs: usize) -> Result<(Option<Stats>, Option<Stats>), String> {
    let mut generate = Vec::new();
    let mut parse = Vec::new();
    for run in 0..runs {
        let out = scratch.join(format!("probe-{}-{run}", stem(spec)));
        let env = [("ATLAS_BENCH_SPEC", spec.as_os_str()), ("ATLAS_BENCH_OUT", out.as_os_str())];
        // The tree stays until the scratch directory goes: deleting it now would slow the
        // writes timed next (see codegen/benches/generate.rs on ext4).
        generate.extend(probe(exe, "generate", &env)?.iter().filter_map(|l| number(l, "max_rss_kib")));
        parse.extend(probe(exe, "parse", &env)?.iter().filter_map(|l| number(l, "max_rss_kib")));
    }
    Ok((Stats::of(&generate), Stats::of(&parse)))
}

/// Row 3: each stage of generating `spec`, against the parse baseline; and the render stage
/// on all cores against one.
fn stages(exe: &Path, spec: &Path, scratch: &Path, quick: bool, parse_times: &[(PathBuf, Stats)]) -> Result<Vec<Row>, String> {
    let out = scratch.join("stages");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let runs = if quick { "1" } else { "10" };
    let env = [
        ("ATLAS_BENCH_SPEC", spec.as_os_str()),
        ("ATLAS_BENCH_OUT", out.as_os_str()),
        ("ATLAS_BENCH_RUNS", std::ffi::OsStr::new(runs)),
    ];
    let lines = probe(exe, "stages", &env)?;
    let single = {
        let mut cmd_env = env.to_vec();
        cmd_env.push(("ATLAS_CODEGEN_THREADS", std::ffi::OsStr::new("1")));
        probe(exe, "stages", &cmd_env)?
    };
    let parse = match parse_times.iter().find(|(s, _)| s == spec) {
        Some((_, p)) => *p,
        None => {
            // Part `generate` did not run: time the parse here, once per run.
            let mut walls = Vec::new();
            for _ in 0..lines.len() {
                walls.extend(probe(exe, "parse", &env)?.iter().filter_map(|l| number(l, "wall_ns")).map(|ns| ns / 1e9));
            }
            Stats::of(&walls).ok_or("no parse time was measured")?
        }
    };
    let stat = |lines: &[serde_json::Value], key: &str| -> Result<Stats, String> {
        let v: Vec<f64> = lines.iter().filter_map(|l| number(l, key)).map(|ns| ns / 1e9).collect();
        Stats::of(&v).ok_or_else(|| format!("the stages probe gave no `{key}`"))
    };
    let threads = lines.first().and_then(|l| number(l, "threads")).unwrap_or(1.0);
    let files = lines.first().and_then(|l| number(l, "files")).unwrap_or(0.0);
    let name = stem(spec);
    let base = format!("parse of {name}");
    let mut rows = Vec::new();
    for (key, label) in [
        ("load_ns", "load (read, YAML, openapiv3)"),
        ("ir_ns", "IR (lower, names, surface)"),
        ("render_ns", "render, wall clock"),
        ("template_ns", "  render: templates (summed over threads)"),
        ("syn_parse_ns", "  render: syn parse (summed over threads)"),
        ("prettyplease_ns", "  render: prettyplease (summed over threads)"),
        ("write_ns", "write"),
        ("total_ns", "total"),
    ] {
        rows.push(Row::new(STAGES, format!("{name}: {label}"), Unit::Seconds, stat(&lines, key)?).against(base.clone(), parse));
    }
    rows.push(
        Row::new(STAGES, format!("{name}: render, wall clock, {threads} threads"), Unit::Seconds, stat(&lines, "render_ns")?)
            .against("the same on 1 thread", stat(&single, "render_ns")?)
            .note(format!("{files} files; files are rendered in parallel")),
    );
    Ok(rows)
}

/// Row 2's second half: `generate` of an unchanged spec rewrites nothing.
fn incremental(spec: &Path, scratch: &Path) -> Result<Row, String> {
    let dir = scratch.join("incremental");
    let generated = atlas_codegen::generate(spec).map_err(|e| e.to_string())?;
    atlas_codegen::write::write(&dir, &generated.files).map_err(|e| e.to_string())?;
    let mtimes = |dir: &Path| -> Vec<Option<std::time::SystemTime>> {
        generated.files.iter().map(|f| std::fs::metadata(dir.join(&f.path)).and_then(|m| m.modified()).ok()).collect()
    };
    let before = mtimes(&dir);
    let started = Instant::now();
    let again = atlas_codegen::generate(spec).map_err(|e| e.to_string())?;
    let outcome = atlas_codegen::write::write(&dir, &again.files).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let kept = before == mtimes(&dir);
    let rewritten = outcome.changed.len() + outcome.removed.len();
    let mut row = Row::new(GENERATE_BACKUP, "generate of the unchanged spec: files rewritten", Unit::Lines, Stats::once(rewritten as f64));
    row.target = Some(Target { text: "0, mtimes kept".to_owned(), met: Some(rewritten == 0 && kept) });
    Ok(row.note(format!(
        "{} files compared, {} rewritten, modification times {} ({seconds:.2} s in the xtask's debug build)",
        again.files.len(),
        rewritten,
        if kept { "kept" } else { "CHANGED" }
    )))
}

/// Row 4.
fn build_rows(root: &Path, backup: &Path, whole: Option<&Path>, scratch: &Path, runs: usize, quick: bool) -> Result<Vec<Row>, String> {
    let lock = root.join("Cargo.lock");
    let crates_dir = scratch.join("crates");
    let backup_crate = builds::generated("backup", backup, &crates_dir.join("backup"), &lock)?;
    let whole_crate = match whole {
        Some(spec) => Some(builds::generated(&stem(spec), spec, &crates_dir.join("whole"), &lock)?),
        None => None,
    };
    let empty = builds::empty(&backup_crate, &crates_dir.join("empty"), &lock)?;
    eprintln!("fetching the generated crates' dependencies...");
    builds::fetch(&empty)?;
    let mut rows = Vec::new();
    let mut crates = vec![&backup_crate];
    crates.extend(whole_crate.as_ref());
    let label = |k: &builds::Crate| if k.name == "backup" { "spec/ crate".to_owned() } else { format!("{} crate", k.name) };
    let stats = |v: &[f64]| Stats::of(v).ok_or_else(|| "no build was measured".to_owned());
    if quick {
        for krate in std::iter::once(&empty).chain(crates.iter().copied()) {
            builds::rename(krate)?;
        }
    }
    for command in ["check", "build"] {
        if quick {
            // One cold build of the empty crate; the generated crates then build in its
            // target directory, dependencies reused: a few minutes instead of a quarter hour.
            eprintln!("cargo {command}: the empty crate cold, then each crate alone...");
            let target = scratch.join(format!("target-{command}"));
            let (base_cold, base_own) = builds::cold_then_own(&empty, command, &target)?;
            rows.push(
                Row::new(BUILD, format!("cargo {command}, cold: empty crate"), Unit::Seconds, Stats::once(base_cold))
                    .note("--quick: the generated crates' cold builds are left out"),
            );
            for krate in &crates {
                let own = builds::own(krate, command, &target)?;
                rows.push(own_row(command, &label(krate), Stats::once(own), Stats::once(base_own), quick));
            }
            let _ = std::fs::remove_dir_all(&target);
            continue;
        }
        eprintln!("cargo {command}, {runs} cold run(s) per crate...");
        let mut measured = Vec::new();
        for krate in std::iter::once(&empty).chain(crates.iter().copied()) {
            let (mut cold, mut own) = (Vec::new(), Vec::new());
            for run in 0..runs {
                let target = scratch.join(format!("target-{}-{command}-{run}", krate.name));
                let (c, o) = builds::cold_then_own(krate, command, &target)?;
                let _ = std::fs::remove_dir_all(&target);
                cold.push(c);
                own.push(o);
            }
            measured.push((krate, stats(&cold)?, stats(&own)?));
        }
        let Some(((_, base_cold, base_own), generated)) = measured.split_first() else { continue };
        for (krate, cold, own) in generated {
            let mut row = Row::new(BUILD, format!("cargo {command}, cold: {}", label(krate)), Unit::Seconds, *cold)
                .against("empty crate, same dependencies, cold", *base_cold);
            if command == "check" && krate.name == "backup" {
                row = row.max_ratio(1.5, quick);
            }
            rows.push(row);
            rows.push(own_row(command, &label(krate), *own, *base_own, quick));
        }
    }
    for krate in std::iter::once(&backup_crate).chain(whole_crate.as_ref()) {
        let per_op = if krate.operations > 0 { krate.generated_lines as f64 / krate.operations as f64 } else { 0.0 };
        rows.push(
            Row::new(BUILD, format!("{} crate: generated lines", krate.name), Unit::Lines, Stats::once(krate.generated_lines as f64)).note(
                format!(
                    "{} operations, {} types; {per_op:.0} generated lines per operation (models included); {} lines with the runtime",
                    krate.operations, krate.types, krate.lines
                ),
            ),
        );
    }
    Ok(rows)
}

/// The build of a generated crate alone, dependencies already built. The 30 s target of
/// the whole-API crate's `cargo check` is judged here: cold, the dependencies alone take
/// longer than that on two cores (see the empty crate), so it can only mean our code.
fn own_row(command: &str, label: &str, own: Stats, base: Stats, quick: bool) -> Row {
    let row = Row::new(BUILD, format!("cargo {command}, the crate alone (dependencies built): {label}"), Unit::Seconds, own)
        .against("empty crate alone", base);
    if command == "check" && label != "spec/ crate" { row.max_value(30.0, None, quick) } else { row }
}

fn format_value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Seconds if v >= 1.0 => format!("{v:.2} s"),
        Unit::Seconds if v >= 1e-3 => format!("{:.1} ms", v * 1e3),
        Unit::Seconds => format!("{:.1} µs", v * 1e6),
        Unit::Kib => format!("{:.1} MiB", v / 1024.0),
        Unit::Lines => format!("{v:.0}"),
    }
}

fn format_stats(unit: Unit, s: &Stats) -> String {
    if s.runs <= 1 || s.min == s.max {
        format!("{} (n={})", format_value(unit, s.median), s.runs)
    } else {
        format!("{} [{} – {}] (n={})", format_value(unit, s.median), format_value(unit, s.min), format_value(unit, s.max), s.runs)
    }
}

/// The report as a Markdown table, one section after another.
fn table(report: &Report) -> String {
    let mut out = String::new();
    let load = match report.load_average {
        [Some(a), Some(b)] => format!(", load average {a:.1} at the start and {b:.1} at the end"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "\ncargo xtask bench{}: {}; {}{load}; {:.0} s\n",
        if report.quick { " --quick (rough: one run per row, dev profile; targets not judged)" } else { "" },
        report.date,
        report.machine,
        report.seconds
    );
    let _ = writeln!(out, "| row | measured: median [min – max] (n) | baseline: median [min – max] (n) | ratio | target | met |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let mut section = "";
    for row in &report.rows {
        if row.section != section {
            section = row.section;
            let _ = writeln!(out, "| **{section}** | | | | | |");
        }
        let baseline = row
            .baseline
            .as_ref()
            .map(|b| format!("{}: {}", b.name, format_stats(row.unit, &b.value)))
            .unwrap_or_default();
        let ratio = row.ratio.map(|r| format!("{r:.2}×")).unwrap_or_default();
        let (target, met) = match &row.target {
            Some(t) => (t.text.clone(), match t.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "–",
            }),
            None => (String::new(), ""),
        };
        let mut name = row.name.clone();
        if let Some(note) = &row.note {
            name = format!("{name} ({note})");
        }
        let _ = writeln!(out, "| {name} | {} | {baseline} | {ratio} | {target} | {met} |", format_stats(row.unit, &row.value));
    }
    out
}

/// The date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to the proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The 1-minute load average (Linux).
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Cores and CPU model, as this machine says.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    format!("{cores} cores, {cpu}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn ratios_and_targets() {
        let row = Row::new("s", "r", Unit::Seconds, Stats::once(2.0)).against("b", Stats::once(1.0)).max_ratio(3.0, false);
        assert_eq!(row.ratio, Some(2.0));
        assert_eq!(row.target.as_ref().and_then(|t| t.met), Some(true));
        let row = Row::new("s", "r", Unit::Seconds, Stats::once(0.6)).against("b", Stats::once(0.1)).max_value(0.5, Some(3.0), false);
        assert_eq!(row.target.as_ref().and_then(|t| t.met), Some(false));
        let quick = Row::new("s", "r", Unit::Seconds, Stats::once(9.0)).against("b", Stats::once(1.0)).max_ratio(3.0, true);
        assert_eq!(quick.target.as_ref().and_then(|t| t.met), None);
    }

    #[test]
    fn table_has_one_line_per_row_and_section_headers() {
        let report = Report {
            date: "2026-11-23".to_owned(),
            machine: "2 cores".to_owned(),
            load_average: [None, None],
            quick: false,
            seconds: 1.0,
            rows: vec![
                Row::new(GENERATE_WHOLE, "a", Unit::Seconds, Stats::once(0.25)).against("b", Stats::once(0.1)),
                Row::new(STAGES, "c", Unit::Kib, Stats::once(2048.0)),
            ],
        };
        let text = table(&report);
        assert!(text.contains("| a | 250.0 ms (n=1) | b: 100.0 ms (n=1) | 2.50× |"), "{text}");
        assert!(text.contains("| **3. Stages** |") && text.contains("| c | 2.0 MiB (n=1) |"), "{text}");
    }
}
