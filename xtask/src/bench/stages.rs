//! Row 3: the time of each stage for the largest spec, and the render stage on one thread.

use std::path::{Path, PathBuf};

use super::exec::{field, number, probe};
use super::stats::Stats;
use super::stem;
use super::table::{Row, Unit};

const STAGES: &str = "3. Stages";

/// Each stage of generating `spec`, against the parse baseline; and the render stage on all
/// cores against one.
pub fn rows(exe: &Path, spec: &Path, scratch: &Path, quick: bool, parse_times: &[(PathBuf, Stats)]) -> Result<Vec<Row>, String> {
    let out = scratch.join("stages");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let runs = if quick { "1" } else { "10" };
    let env =
        [("ATLAS_BENCH_SPEC", spec.as_os_str()), ("ATLAS_BENCH_OUT", out.as_os_str()), ("ATLAS_BENCH_RUNS", std::ffi::OsStr::new(runs))];
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
            let mut parses = Vec::new();
            for _ in 0..lines.len() {
                parses.extend(probe(exe, "parse", &env)?);
            }
            field(&parses, "wall_ns").ok_or("no parse time was measured")?
        }
    };
    let stat = |lines: &[serde_json::Value], key: &str| field(lines, key).ok_or_else(|| format!("the stages probe gave no `{key}`"));
    let threads = lines.first().and_then(|l| number(l, "threads")).unwrap_or(1.0);
    let files = lines.first().and_then(|l| number(l, "files")).unwrap_or(0.0);
    let name = stem(spec);
    let base = format!("parse of {name}");
    let mut rows = Vec::new();
    for (key, label) in [
        ("load_ns", "load (read, YAML, openapiv3)"),
        ("ir_ns", "IR (lower, names, dedupe)"),
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
