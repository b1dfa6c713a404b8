//! The report as Markdown (for a pull-request comment or `$GITHUB_STEP_SUMMARY`) and as
//! JSON (stable: fields in a fixed order, changes sorted).

use std::fmt::Write as _;

use super::model::{Change, Report, Severity, Subject};

/// The whole report, every section listed.
pub fn markdown(report: &Report) -> String {
    markdown_sections(report, &Severity::ALL)
}

/// The header with the counts, then the sections of `listed` (other severities are counted
/// in the header only).
pub fn markdown_sections(report: &Report, listed: &[Severity]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## API drift: `{}` → `{}`\n", report.from, report.to);
    let scope = if report.tags.is_empty() { "the whole API".to_owned() } else { format!("tags {}", report.tags.join(", ")) };
    let s = &report.summary;
    let _ = writeln!(
        out,
        "Compared {scope}: {} → {} operations, {} → {} schemas.\n",
        s.operations_old, s.operations_new, s.schemas_old, s.schemas_new
    );
    if report.changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str("| Severity | Changes |\n|---|---:|\n");
    for severity in Severity::ALL {
        let _ = writeln!(out, "| {} | {} |", severity.title(), report.count(severity));
    }
    if Severity::ALL.iter().any(|s| !listed.contains(s)) {
        out.push('\n');
        out.push_str(&rule_table(report));
    }
    for severity in Severity::ALL {
        let changes: Vec<&Change> = report.changes.iter().filter(|c| c.severity == severity).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {} ({})\n", severity.title(), changes.len());
        if !listed.contains(&severity) {
            let _ = writeln!(out, "_{} change(s) not listed here; see the full report._", changes.len());
            continue;
        }
        for c in changes {
            out.push_str(&line(c));
            out.push('\n');
        }
    }
    out
}

/// Counts per rule and severity, as a Markdown table.
pub fn rule_table(report: &Report) -> String {
    let mut counts: std::collections::BTreeMap<(Severity, String), usize> = std::collections::BTreeMap::new();
    for c in &report.changes {
        *counts.entry((c.severity, c.rule.name())).or_default() += 1;
    }
    let mut out = String::from("| Severity | Rule | Changes |\n|---|---|---:|\n");
    for ((severity, rule), n) in counts {
        let _ = writeln!(out, "| {} | {rule} | {n} |", severity.title());
    }
    out
}

/// One change as a Markdown list item.
pub fn line(c: &Change) -> String {
    let subject = match &c.subject {
        Subject::Operation { id, method, path } => format!("`{id}` (`{method} {path}`)"),
        Subject::Schema { name } => format!("schema `{name}`"),
    };
    let field = if c.field.is_empty() { String::new() } else { format!(" · `{}`", c.field) };
    format!("- {subject}{field}: {} [{}] `{}`", c.message, c.rule.name(), c.pointer)
}

/// Pretty JSON with a final newline (also `spec observe`'s report).
pub fn json<T: serde::Serialize>(report: &T) -> String {
    match serde_json::to_string_pretty(report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Serializing plain data to a string cannot fail; keep a valid document anyway.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}
