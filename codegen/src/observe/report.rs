//! The observe report as Markdown (in the drift engine's style: a header with counts, a
//! table per kind, one list item per finding) and as JSON; each new finding says what to
//! do and carries the `observed:` entry that would list it.

use std::fmt::Write as _;

use serde_json::Value;

use super::known::SECTION;
use super::{Finding, Kind, Report};

/// Longest example quoted in Markdown and in an entry's reason; JSON keeps it whole.
const EXAMPLE_CHARS: usize = 120;

/// A value as compact JSON, cut at [`EXAMPLE_CHARS`].
fn example(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= EXAMPLE_CHARS {
        return text;
    }
    text.chars().take(EXAMPLE_CHARS).collect::<String>() + "…"
}

/// `text` in YAML single quotes.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The finding's subject, as the drift report's lines start.
fn subject(f: &Finding) -> String {
    match &f.schema {
        Some(schema) => format!("schema `{schema}` · `{}`", if f.at.is_empty() { "/" } else { &f.at }),
        None => format!("`{}`", f.at),
    }
}

/// One finding as a Markdown list item: where, what, one example, and the exchange it came from.
pub fn line(f: &Finding) -> String {
    let e = &f.evidence;
    let operation = e.operation.as_deref().map(|o| format!("`{o}` ")).unwrap_or_default();
    let body_at = if e.body_at.is_empty() { String::new() } else { format!(" at `{}`", e.body_at) };
    let times = if f.count > 1 { format!(" (seen {} times)", f.count) } else { String::new() };
    format!(
        "- {}: {}; e.g. `{}` [{}] — {operation}`{} {}` → {}, `{}` entry {}{body_at}{times}",
        subject(f),
        f.message,
        example(&f.example),
        f.kind.name(),
        e.method,
        super::routes::url_path(&e.url),
        e.status,
        e.file,
        e.entry,
    )
}

/// The evidence of a finding, as the reason of the entry that lists it.
fn evidence(f: &Finding) -> String {
    let e = &f.evidence;
    let operation = e.operation.as_deref().unwrap_or("no operation");
    let recorded = e.started.get(..10).map(|d| format!(", recorded {d}")).unwrap_or_default();
    let body_at = if e.body_at.is_empty() { String::new() } else { format!(" at {}", e.body_at) };
    format!(
        "Atlas answered {} {} ({operation}, status {}) with {}{body_at} ({} entry {}{recorded}): {}.",
        e.method,
        super::routes::url_path(&e.url),
        e.status,
        example(&f.example),
        e.file,
        e.entry,
        f.message
    )
}

/// The `observed:` entry that lists `f`, as YAML to paste (indented as a list item).
pub fn entry(f: &Finding) -> String {
    let mut out = format!("  - kind: {}\n", f.kind.name());
    if let Some(schema) = &f.schema {
        let _ = writeln!(out, "    schema: {}", quoted(schema));
    }
    let _ = writeln!(out, "    at: {}", quoted(&f.at));
    let _ = writeln!(out, "    reason: >-\n      {}", evidence(f));
    out
}

/// The whole report.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("## Spec observe: `{}` against what Atlas answered\n\n", report.spec);
    let files: Vec<String> = report.files.iter().map(|f| format!("`{f}`")).collect();
    let _ = writeln!(
        out,
        "Read {} exchanges from {}: {} matched {} operations; {} bodies not recorded.\n",
        report.exchanges,
        files.join(", "),
        report.matched,
        report.operations,
        report.unchecked
    );
    if report.findings.is_empty() {
        out.push_str("Everything matches.\n");
        return out;
    }
    let (new, known): (Vec<&Finding>, Vec<&Finding>) = report.findings.iter().partition(|f| f.known.is_none());
    out.push_str("| Finding | New | Known |\n|---|---:|---:|\n");
    for kind in Kind::ALL {
        let count = |list: &[&Finding]| list.iter().filter(|f| f.kind == kind).count();
        let (n, k) = (count(&new), count(&known));
        if n + k > 0 {
            let _ = writeln!(out, "| {} | {n} | {k} |", kind.name());
        }
    }
    if !new.is_empty() {
        let _ = writeln!(out, "\n### New ({})\n", new.len());
        for f in &new {
            out.push_str(&line(f));
            let _ = write!(
                out,
                "\n\n  What to do: {}\n  To list it as known, paste under `{SECTION}:` in `spec/intended-differences.yaml`:\n\n  ```yaml\n",
                f.kind.advice()
            );
            for l in entry(f).lines() {
                let _ = writeln!(out, "  {l}");
            }
            out.push_str("  ```\n\n");
        }
    }
    if !known.is_empty() {
        let _ = writeln!(out, "\n### Known ({})\n", known.len());
        for f in &known {
            out.push_str(&line(f));
            if let Some(by) = &f.known {
                let _ = write!(out, "; listed by `{}`: {}", by.entry, by.reason);
            }
            out.push('\n');
        }
    }
    out
}

/// Pretty JSON with a final newline (as the drift report's).
pub fn json(report: &Report) -> String {
    crate::drift::report::json(report)
}
