//! Benchmarks of the generator: rows 1–3 of `cargo xtask bench`, which runs this binary and
//! collects its results (run it directly with `cargo bench -p atlas-codegen --features bench --bench generate`).
//!
//! - `<spec>/generate`: `atlas_codegen::generate` of the spec plus writing every file into a
//!   new directory (a fresh directory each time, so that no write is skipped as unchanged).
//! - `<spec>/parse_baseline`: reading the file and deserializing it into
//!   `openapiv3::OpenAPI`, the floor that no generator can go below.
//!
//! No tree is deleted while anything is being timed. ext4 skips inodes freed within the
//! last ~30 s when it allocates new ones, so writing 930 files right after deleting a few
//! thousand takes ten times as long (measured: 0.9 s instead of 60 ms), which is the
//! benchmark's own doing and not what a user's `generate` meets. The trees go into
//! `ATLAS_BENCH_SCRATCH` when set (`cargo xtask bench` deletes it at the very end), or a
//! temporary directory removed when this process ends.
//!
//! Criterion measures time in this process. Peak memory needs a process of its own per
//! measurement, so the same binary is also a *probe*: with `ATLAS_BENCH_PROBE` set it does
//! one thing once, prints one line of JSON and exits (see [`probe`]).
//!
//! The specs are `ATLAS_BENCH_SPECS` (paths joined like `PATH`), or by default
//! `spec/atlas-backup.yaml` and every `../shared/upstream/*.yaml`. `--quick` (criterion's
//! own flag) keeps every benchmark to a couple of runs, for CI.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};

/// The allocator `cargo xtask generate` runs with (see xtask's `main.rs`), so that what is
/// measured here is what the command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Some(mode) = std::env::var_os("ATLAS_BENCH_PROBE") {
        return match probe(&mode.to_string_lossy()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: probe: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let specs = match specs() {
        Ok(specs) => specs,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut c = Criterion::default().configure_from_args();
    if let Err(e) = bench_generate(&mut c, &specs) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    c.final_summary();
    ExitCode::SUCCESS
}

/// The specs to measure, in name order.
fn specs() -> Result<Vec<PathBuf>, String> {
    if let Some(list) = std::env::var_os("ATLAS_BENCH_SPECS") {
        let specs: Vec<PathBuf> = std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()).collect();
        return if specs.is_empty() { Err("ATLAS_BENCH_SPECS names no spec".to_owned()) } else { Ok(specs) };
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = vec![root.join("spec/atlas-backup.yaml")];
    let upstream = root.join("../shared/upstream");
    let found = atlas_codegen::load::spec_files(&upstream);
    if found.is_empty() {
        eprintln!("note: no upstream specs in {}; measuring spec/ only", upstream.display());
    }
    specs.extend(found);
    Ok(specs)
}

/// The benchmark group of a spec: its file stem (`atlas-api-2025-06-30`).
fn stem(spec: &Path) -> String {
    spec.file_stem().map_or_else(|| "spec".to_owned(), |s| s.to_string_lossy().into_owned())
}

/// The baseline: read the file and deserialize it into `openapiv3::OpenAPI`, as any
/// generator must. serde_yaml reads JSON too, but JSON goes through serde_json, the faster
/// way, so that the floor is as low as it can be.
fn parse_baseline(spec: &Path) -> Result<openapiv3::OpenAPI, String> {
    let bytes = std::fs::read(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    if spec.extension().is_some_and(|e| e == "json") {
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", spec.display()))
    } else {
        serde_yaml::from_slice(&bytes).map_err(|e| format!("{}: {e}", spec.display()))
    }
}

/// What the generate row measures: generation plus writing every file.
fn generate_and_write(spec: &Path, out: &Path) -> Result<(atlas_codegen::Generated, Duration), String> {
    let generated = atlas_codegen::generate(spec).map_err(|e| e.to_string())?;
    let started = Instant::now();
    atlas_codegen::write::write(out, &generated.files).map_err(|e| e.to_string())?;
    Ok((generated, started.elapsed()))
}

/// A directory that does not exist yet, inside `parent`.
fn fresh_dir(parent: &Path) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    parent.join(format!("out-{}", N.fetch_add(1, Ordering::Relaxed)))
}

fn bench_generate(c: &mut Criterion, specs: &[PathBuf]) -> Result<(), String> {
    let quick = std::env::args().any(|a| a == "--quick");
    let own_scratch;
    let scratch = match std::env::var_os("ATLAS_BENCH_SCRATCH") {
        Some(dir) => PathBuf::from(dir),
        None => {
            own_scratch = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
            own_scratch.path().to_path_buf()
        }
    };
    for spec in specs {
        // Fail here, with the spec's name, rather than in the middle of a measurement.
        parse_baseline(spec)?;
        generate_and_write(spec, &fresh_dir(&scratch))?;

        let mut group = c.benchmark_group(stem(spec));
        // Each iteration takes from milliseconds to seconds: a fixed iteration count per
        // sample (flat sampling) and ten samples are what such benchmarks need.
        group.sampling_mode(SamplingMode::Flat);
        if !quick {
            group.sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(10));
        }
        group.bench_function("parse_baseline", |b| {
            b.iter_custom(|iters| {
                let started = Instant::now();
                for _ in 0..iters {
                    // Checked above; a failure now would only make the time shorter.
                    let _ = std::hint::black_box(parse_baseline(spec));
                }
                started.elapsed()
            });
        });
        group.bench_function("generate", |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // Kept until the end (see the module's comment on ext4).
                    let out = fresh_dir(&scratch);
                    let started = Instant::now();
                    let _ = std::hint::black_box(generate_and_write(spec, &out));
                    total += started.elapsed();
                }
                total
            });
        });
        group.finish();
    }
    Ok(())
}

/// One measurement in a process of its own, for `cargo xtask bench`. `ATLAS_BENCH_PROBE`:
///
/// - `parse`: [`parse_baseline`] of `ATLAS_BENCH_SPEC`, once;
/// - `generate`: generate `ATLAS_BENCH_SPEC` and write it into the new directory
///   `ATLAS_BENCH_OUT`, once, set up as `cargo xtask generate` runs
///   ([`atlas_codegen::process`]);
/// - `stages`: generate and write `ATLAS_BENCH_RUNS` times (into new directories under
///   `ATLAS_BENCH_OUT`), one line per run with the time of each stage.
///
/// Each line is JSON; `max_rss_kib` is the process's peak resident memory (Linux: `VmHWM`),
/// or null where the system does not say; `sys_ns` and `minor_faults`, the CPU time the
/// process spent in the kernel and the page faults it took so far ([`kernel_use`]).
fn probe(mode: &str) -> Result<(), String> {
    let var = |name: &str| std::env::var_os(name).map(PathBuf::from).ok_or_else(|| format!("{name} is not set"));
    let spec = var("ATLAS_BENCH_SPEC")?;
    match mode {
        "parse" => {
            let started = Instant::now();
            let doc = parse_baseline(&spec)?;
            let wall = started.elapsed();
            let rss = max_rss_kib();
            let kernel = kernel_use();
            drop(std::hint::black_box(doc));
            println!("{{\"wall_ns\":{},\"max_rss_kib\":{},{kernel}}}", wall.as_nanos(), json_opt(rss));
        }
        "generate" => {
            // As `cargo xtask generate` runs (the parse above runs as a plain program would).
            atlas_codegen::process::without_huge_pages();
            let out = var("ATLAS_BENCH_OUT")?;
            let started = Instant::now();
            let (generated, _) = generate_and_write(&spec, &out)?;
            let wall = started.elapsed();
            let rss = max_rss_kib();
            let kernel = kernel_use();
            drop(std::hint::black_box(generated));
            println!("{{\"wall_ns\":{},\"max_rss_kib\":{},{kernel}}}", wall.as_nanos(), json_opt(rss));
        }
        "stages" => {
            atlas_codegen::process::without_huge_pages();
            let out = var("ATLAS_BENCH_OUT")?;
            let runs: usize = std::env::var("ATLAS_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
            for _ in 0..runs {
                let dir = fresh_dir(&out);
                let started = Instant::now();
                let (generated, write) = generate_and_write(&spec, &dir)?;
                let total = started.elapsed();
                let t = &generated.timings;
                let s = &t.render_steps;
                println!(
                    "{{\"load_ns\":{},\"ir_ns\":{},\"render_ns\":{},\"template_ns\":{},\"syn_parse_ns\":{},\"prettyplease_ns\":{},\"write_ns\":{},\"total_ns\":{},\"threads\":{},\"files\":{},\"operations\":{},\"types\":{}}}",
                    t.load.as_nanos(),
                    t.ir.as_nanos(),
                    t.render.as_nanos(),
                    s.template.as_nanos(),
                    s.parse.as_nanos(),
                    s.print.as_nanos(),
                    write.as_nanos(),
                    total.as_nanos(),
                    s.threads,
                    generated.files.len(),
                    generated.operations,
                    generated.types,
                );
                // Not deleted here: the caller removes `ATLAS_BENCH_OUT` when it is done.
            }
        }
        other => return Err(format!("unknown ATLAS_BENCH_PROBE {other:?} (parse, generate or stages)")),
    }
    Ok(())
}

fn json_opt(v: Option<u64>) -> String {
    v.map_or_else(|| "null".to_owned(), |v| v.to_string())
}

/// Peak resident memory of this process so far, in KiB (Linux only).
fn max_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `"sys_ns":N,"minor_faults":N` for this process so far (`getrusage`; null elsewhere than
/// Linux). Why: a process's first touch of each page is a fault the kernel serves, and on a
/// virtual machine that is several microseconds each; the parse, run as a plain program,
/// may be given transparent huge pages (its allocator asks for them), and then takes a few
/// hundred faults but sometimes waits in the kernel for the pages to be compacted. These
/// fields show when a probe's wall time was the kernel's (docs/performance.md).
fn kernel_use() -> String {
    let (sys, faults) = rusage().map_or((None, None), |(sys, faults)| (Some(sys), Some(faults)));
    format!("\"sys_ns\":{},\"minor_faults\":{}", json_opt(sys), json_opt(faults))
}

#[cfg(target_os = "linux")]
fn rusage() -> Option<(u64, u64)> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` fills the struct it is given, which lives until the call returns.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
    // SAFETY: zeroed is a valid `rusage` (plain integers), and the call filled it when it succeeded.
    let usage = unsafe { usage.assume_init() };
    let sys = u64::try_from(usage.ru_stime.tv_sec).ok()? * 1_000_000_000 + u64::try_from(usage.ru_stime.tv_usec).ok()? * 1_000;
    ok.then_some((sys, u64::try_from(usage.ru_minflt).ok()?))
}

#[cfg(not(target_os = "linux"))]
fn rusage() -> Option<(u64, u64)> {
    None
}
