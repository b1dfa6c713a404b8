//! Rows 1 and 2: `generate` (load to written files) of each whole published spec and of
//! `spec/`, against reading the file into `openapiv3::OpenAPI`, in time and peak memory; and
//! a second `generate` of the unchanged spec, which must rewrite no file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::exec::{field, probe, run_criterion};
use super::stats::{self, Stats};
use super::table::{Row, Unit};
use super::{join, largest, stem};

/// Each spec's parse time: the baseline of row 3.
pub type ParseTimes = Vec<(PathBuf, Stats)>;

const WHOLE: &str = "1. Generate, whole API";
const BACKUP: &str = "2. Generate, backup spec";

/// Rows 1 and 2 from the `generate` bench `exe`, and each spec's parse time. Row 1 (whole
/// API) is printed before row 2 (spec/), whatever order the specs run in.
pub fn rows(
    exe: &Path,
    root: &Path,
    backup: &Path,
    upstream: &[PathBuf],
    scratch: &Path,
    quick: bool,
) -> Result<(Vec<Row>, ParseTimes), String> {
    let mut specs = vec![backup.to_path_buf()];
    specs.extend(upstream.iter().cloned());
    let mut rows = Vec::new();
    let mut backup_rows = Vec::new();
    let mut parse_times = Vec::new();
    // The probes (each generation in a process of its own) run first, on a disk that the
    // benchmark has not yet filled: criterion's runs write hundreds of trees (over a GB)
    // that the disk is still taking long after, and a probe's write stage then took 45 ms
    // instead of 5 ms (measured here with `ATLAS_BENCH_PROBE=stages`), which is this
    // benchmark's doing and not what a user's `generate` meets.
    let runs = if quick { 1 } else { 5 };
    // And on a disk that has settled from what ran before (see `disk`).
    let disk = super::disk::settle(scratch, quick)?;
    let steal = super::host::Steal::start();
    let mut probed = Vec::new();
    for spec in &specs {
        probed.push(probes(exe, spec, scratch, runs)?);
    }
    let stolen = steal.and_then(|steal| steal.row(WHOLE));
    let home = scratch.join("criterion-generate");
    let trees = scratch.join("criterion-trees");
    std::fs::create_dir_all(&trees).map_err(|e| format!("{}: {e}", trees.display()))?;
    run_criterion(
        exe,
        &root.join("codegen"),
        &home,
        quick,
        &[("ATLAS_BENCH_SPECS", join(&specs)?), ("ATLAS_BENCH_SCRATCH", trees.into_os_string())],
    )?;
    for (spec, probes) in specs.iter().zip(probed) {
        let stem = stem(spec);
        let whole = spec != backup;
        let section = if whole { WHOLE } else { BACKUP };
        let parse = stats::criterion(&home, &stem, "parse_baseline")?;
        let generate = stats::criterion(&home, &stem, "generate")?;
        parse_times.push((spec.clone(), parse));
        let largest = largest(upstream).is_some_and(|l| l == spec);
        let mut time = Row::new(section, format!("{stem}: generate + write, in one process"), Unit::Seconds, generate)
            .against("read + deserialize into openapiv3::OpenAPI", parse);
        if whole && largest {
            time = time.max_value(0.5, None, quick);
        }
        let out = if whole { &mut rows } else { &mut backup_rows };
        out.push(time);
        if let (Some(g), Some(p)) = (probes.time.generate, probes.time.parse) {
            let mut time = Row::new(section, format!("{stem}: generate + write, process against process"), Unit::Seconds, g)
                .against("a process reading + deserializing into openapiv3::OpenAPI", p);
            if whole {
                time = time.max_ratio(3.0, quick);
            }
            out.push(time);
        }
        if whole {
            out.extend(kernel_row(section, &stem, &probes));
        }
        if let (Some(g), Some(p)) = (probes.rss.generate, probes.rss.parse) {
            let mut mem = Row::new(section, format!("{stem}: peak memory (max RSS)"), Unit::Kib, g).against("peak memory of the parse", p);
            if whole {
                mem = mem.max_ratio(2.0, quick);
            }
            out.push(mem);
        }
    }
    rows.push(super::disk::row(WHOLE, &disk));
    rows.extend(stolen);
    rows.append(&mut backup_rows);
    rows.push(incremental(backup, scratch)?);
    Ok((rows, parse_times))
}

/// What the probes measured: generating `spec` and parsing it, each in a process of its
/// own, `runs` times: the wall time inside the process (from reading the spec to the last
/// file written, or to the parsed document), the peak memory, and the kernel's part (CPU
/// time in the kernel, page faults).
struct Probes {
    time: Both,
    rss: Both,
    sys: Both,
    faults: Both,
}

/// One figure of both probes.
#[derive(Clone, Copy)]
struct Both {
    generate: Option<Stats>,
    parse: Option<Stats>,
}

impl Probes {
    /// The figures of the lines the two probes printed.
    fn read(generate: &[serde_json::Value], parse: &[serde_json::Value]) -> Self {
        let both = |key: &str| Both { generate: field(generate, key), parse: field(parse, key) };
        Probes { time: both("wall_ns"), rss: both("max_rss_kib"), sys: both("sys_ns"), faults: both("minor_faults") }
    }
}

fn probes(exe: &Path, spec: &Path, scratch: &Path, runs: usize) -> Result<Probes, String> {
    let (mut generate, mut parse) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let out = scratch.join(format!("probe-{}-{run}", stem(spec)));
        let env = [("ATLAS_BENCH_SPEC", spec.as_os_str()), ("ATLAS_BENCH_OUT", out.as_os_str())];
        // The tree stays until the scratch directory goes: deleting it now would slow the
        // writes timed next (see codegen/benches/generate.rs on ext4).
        generate.extend(probe(exe, "generate", &env)?);
        parse.extend(probe(exe, "parse", &env)?);
    }
    Ok(Probes::read(&generate, &parse))
}

/// Not judged: what the kernel took of the two probes' time, so that a ratio that a slow
/// kernel moved (the parse's huge pages waiting for compaction) can be seen in the table.
fn kernel_row(section: &'static str, stem: &str, probes: &Probes) -> Option<Row> {
    let (g, p) = (probes.sys.generate?, probes.sys.parse?);
    let faults = |s: &Option<Stats>| s.as_ref().map_or_else(|| "?".to_owned(), |s| format!("{:.0}", s.median));
    Some(
        Row::new(section, format!("{stem}: CPU time in the kernel, process against process"), Unit::Seconds, g)
            .against("the same of the parse's process", p)
            .note(format!(
                "page faults: {} against {}; the parse's allocator may take huge pages, whose faults are few but can wait for compaction",
                faults(&probes.faults.generate),
                faults(&probes.faults.parse)
            )),
    )
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
    let row = Row::new(BACKUP, "generate of the unchanged spec: files rewritten", Unit::Lines, Stats::once(rewritten as f64))
        .judged("0, mtimes kept", rewritten == 0 && kept);
    Ok(row.note(format!(
        "{} files compared, {} rewritten, modification times {} ({seconds:.2} s in the xtask's debug build)",
        again.files.len(),
        rewritten,
        if kept { "kept" } else { "CHANGED" }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(values: &[(f64, f64)]) -> Vec<serde_json::Value> {
        values.iter().map(|&(sys, faults)| serde_json::json!({ "wall_ns": 1, "sys_ns": sys, "minor_faults": faults })).collect()
    }

    #[test]
    fn the_kernel_row_reads_the_probes_kernel_fields() {
        let (generate, parse) =
            (lines(&[(4e7, 14_000.0), (6e7, 15_000.0), (5e7, 14_500.0)]), lines(&[(1e7, 290.0), (8e7, 300.0), (2e7, 295.0)]));
        let probes = Probes::read(&generate, &parse);
        let row = kernel_row(WHOLE, "spec", &probes).expect("both probes measured the kernel");
        let row = serde_json::to_value(&row).expect("a row is JSON");
        // Medians: 50 ms against 20 ms.
        assert_eq!(row["value"]["median"].as_f64().map(|s| (s * 1e3).round()), Some(50.0), "{row}");
        assert_eq!(row["baseline"]["value"]["median"].as_f64().map(|s| (s * 1e3).round()), Some(20.0), "{row}");
        assert_eq!(row["ratio"].as_f64().map(|r| (r * 100.0).round()), Some(250.0), "{row}");
        assert!(row["target"].is_null(), "not judged: {row}");
        assert_eq!(row["note"].as_str().and_then(|n| n.split(';').next()), Some("page faults: 14500 against 295"), "{row}");
        // A probe that could not read the kernel's figures (not Linux): no row.
        let without = Probes { sys: Both { parse: None, ..probes.sys }, ..probes };
        assert!(kernel_row(WHOLE, "spec", &without).is_none());
    }
}
