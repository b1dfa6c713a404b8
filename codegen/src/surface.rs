//! The API surface as plain text: what a caller of the generated crate sees, one line per
//! fact, so that a spec change reads as a short diff in a pull request.

use std::fmt::Write;

use crate::ir::{Api, TypeKind, TypeRef};
use crate::render::{answer_type, body_type, rust_type};

fn ty(api: &Api, t: &TypeRef) -> String {
    rust_type(api, t, "models")
}

/// Renders the surface of `api`.
pub fn surface(api: &Api) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# API surface: {} ({})", api.title, api.version);
    let _ = writeln!(out, "\n## Operations ({})", api.operations.len());
    let mut ops: Vec<_> = api.operations.iter().collect();
    ops.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    for op in ops {
        let _ = writeln!(out, "\n### {} -> Client::{}() -> {}", op.operation_id, op.method_ident, op.builder_ident);
        let _ = writeln!(out, "{} {}", op.method.as_str(), op.path);
        let versions: Vec<&str> = op.versions.iter().map(|v| v.media_type.as_str()).collect();
        let accept = if versions.is_empty() { "none (the spec gives the answer no media type)".to_owned() } else { versions.join(", ") };
        let _ = writeln!(out, "accept: {accept}");
        for p in &op.params {
            let loc = p.location.as_str();
            let _ = write!(out, "param {} ({loc}{}): .{}({})", p.name, if p.required { ", required" } else { "" }, p.ident, ty(api, &p.ty));
            if let Some(pattern) = &p.pattern {
                let _ = write!(out, " pattern {pattern}");
            }
            out.push('\n');
        }
        if let Some(b) = &op.body {
            let body_ty = body_type(api, &b.ty, "models");
            let _ = writeln!(out, "body{}: {} as {}", if b.required { " (required)" } else { "" }, body_ty, b.media_type);
        }
        let returns = answer_type(api, &op.response, "models");
        let _ = writeln!(out, "returns ({}): {returns}", op.success_status);
        if !op.error_statuses.is_empty() {
            let _ = writeln!(out, "errors: {}", op.error_statuses.join(", "));
        }
        if let Some(p) = &op.pagination {
            let total = p.total_field.as_deref().map(|t| format!(", counted by {t}")).unwrap_or_default();
            let _ = writeln!(out, "pages: .into_stream() / .collect_all() -> {} from {}{total}", ty(api, &p.item), p.results_field);
        }
        if op.deprecated {
            let _ = writeln!(out, "deprecated{}", op.sunset.as_ref().map(|s| format!(", sunset {s}")).unwrap_or_default());
        }
    }
    waiters(api, &mut out);
    let _ = writeln!(out, "\n## Models ({})", api.types.len());
    // What parameters take (their enums, say) is neither sent in a body nor answered, yet used.
    let parameters: std::collections::BTreeSet<_> =
        api.reached_from(api.operations.iter().flat_map(|o| o.params.iter().filter_map(|p| p.ty.named())));
    let mut types: Vec<_> = api.types.iter().enumerate().collect();
    types.sort_by(|(_, a), (_, b)| a.ident.cmp(&b.ident));
    for (i, t) in types {
        let usage = match (t.usage.request, t.usage.response) {
            (true, true) => "request+response",
            (true, false) => "request",
            (false, true) => "response",
            (false, false) if parameters.contains(&crate::ir::TypeId(i)) => "parameter",
            (false, false) => "unused",
        };
        let mut dep = if t.deprecated { ", deprecated" } else { "" }.to_owned();
        if let Some(first) = t.same_as {
            dep.push_str(&format!(", same type as {}", api.ty(first).ident));
        }
        match &t.kind {
            TypeKind::Struct(s) => {
                let _ = writeln!(out, "\n### struct {} ({usage}{dep})", t.ident);
                for f in &s.fields {
                    let mut rust = ty(api, &f.ty);
                    if f.boxed {
                        rust = format!("Box<{rust}>");
                    }
                    if !f.required || f.nullable {
                        rust = format!("Option<{rust}>");
                    }
                    let mut flags = Vec::new();
                    if f.read_only {
                        flags.push("read-only");
                    }
                    if f.write_only {
                        flags.push("write-only");
                    }
                    if f.deprecated {
                        flags.push("deprecated");
                    }
                    let flags = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(", ")) };
                    let _ = writeln!(out, "{}: {rust} \"{}\"{flags}", f.ident, f.json_name);
                }
                if let Some(a) = &s.additional {
                    let _ = writeln!(out, "additional: BTreeMap<String, {}>", ty(api, a));
                }
            }
            TypeKind::Enum(e) => {
                let values: Vec<&str> = e.variants.iter().map(|v| v.value.as_str()).collect();
                let _ = writeln!(out, "\n### enum {} ({usage}{dep}): {} | {}(String)", t.ident, values.join(" | "), e.unknown_ident);
            }
            TypeKind::IntEnum(e) => {
                let values: Vec<String> = e.variants.iter().map(|v| v.value.to_string()).collect();
                let _ = writeln!(
                    out,
                    "\n### enum {} ({usage}{dep}): {} | {}({})",
                    t.ident,
                    values.join(" | "),
                    e.unknown_ident,
                    ty(api, &e.repr)
                );
            }
            TypeKind::Tagged(tg) => {
                let _ = writeln!(out, "\n### union {} by \"{}\" ({usage}{dep})", t.ident, tg.property);
                for v in &tg.variants {
                    let _ = writeln!(out, "{} = {}: {}", v.tags.join(" | "), v.ident, api.ty(v.ty).ident);
                }
                let _ = writeln!(out, "* = {}(serde_json::Value)", tg.unknown_ident);
            }
            TypeKind::Untagged(u) => {
                let _ = writeln!(out, "\n### untagged {} ({usage}{dep})", t.ident);
                for v in &u.variants {
                    let _ = writeln!(out, "{}: {}", v.ident, ty(api, &v.ty));
                }
            }
            TypeKind::Alias(r) => {
                let _ = writeln!(out, "\n### type {} = {} ({usage}{dep})", t.ident, ty(api, r));
            }
        }
    }
    out
}

/// Each waiter: its method, the operation it polls, its delays and its acceptors in order.
fn waiters(api: &Api, out: &mut String) {
    let _ = writeln!(out, "\n## Waiters ({})", api.waiters.len());
    let mut waiters: Vec<_> = api.waiters.iter().collect();
    waiters.sort_by(|a, b| a.name.cmp(&b.name));
    for w in waiters {
        let op = &api.operations[w.operation];
        let _ = writeln!(out, "\n### {} -> Client::{}() -> {}", w.name, w.method_ident, w.builder_ident);
        let returns = if w.succeeds_with_answer() { "the answer" } else { "()" };
        let _ = writeln!(out, "polls {} every {}..{} s, returns {returns}", op.operation_id, w.min_delay, w.max_delay);
        for a in &w.acceptors {
            let _ = writeln!(out, "{}: {}", a.state.as_str(), a.matcher.describe());
        }
    }
}
