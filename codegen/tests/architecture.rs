//! The layout rules of the generator, checked on its source.
//!
//! 1. No import cycles: no module imports a module that imports it (directly or through
//!    others). Each file is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`, `lib.rs` and
//!    `main.rs` the crate). Module `A` imports module `M` when `A`'s code names an item of
//!    `M`: a `use` of it, or a path in code (`crate::m::f()`, `super::x::T`, `child::f()`),
//!    to the deepest module the path names. What counts: imports between siblings, across
//!    subtrees, and a parent's use of its children (`render` running `render::mock`). What
//!    does not: `mod` declarations (the tree itself), and a module's use of what its own
//!    ancestors define (`ir::lower` naming `ir::Api`, `render::tag` naming `render::ident`):
//!    the enclosing module is its children's context, the vocabulary they are written in,
//!    and counting that too would make every parent that delegates to a child a cycle. So
//!    `render::operations` and `render::waiters` may both use `render`'s helpers, but not
//!    each other both ways. A re-export is seen where it is named: a child that imports
//!    through its parent's `pub use` uses its ancestor. A file's inline modules (its
//!    tests) count as the file.
//! 2. Rendering decides from the IR, not from its own output: no file under
//!    `codegen/src/render/` calls `contains`, `strip_prefix`, `strip_suffix` or a
//!    `*matches` method with a string literal outside its tests (identifiers' raw form is
//!    `names`' business: `names::plain`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// A crate's modules, by path (`render::tag`; the root is ""), with their parsed files.
struct Crate {
    modules: BTreeMap<String, syn::File>,
}

impl Crate {
    /// Every `.rs` file under `src`.
    fn read(src: &Path) -> Crate {
        let mut files = Vec::new();
        collect(src, &mut files);
        let modules = files
            .into_iter()
            .map(|path| {
                let rel = path.strip_prefix(src).expect("under src").with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&path).expect("source file");
                let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
                (parts.join("::"), file)
            })
            .collect();
        Crate { modules }
    }

    fn from_sources(sources: &[(&str, &str)]) -> Crate {
        let modules = sources.iter().map(|(m, text)| ((*m).to_owned(), syn::parse_file(text).expect("example parses"))).collect();
        Crate { modules }
    }

    /// The module a path names from module `from`: the deepest existing module among its
    /// leading segments; `None` for another crate's path.
    fn resolve(&self, from: &str, segments: &[String]) -> Option<String> {
        let mut base: Vec<String> = if from.is_empty() { Vec::new() } else { from.split("::").map(str::to_owned).collect() };
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                base.clear();
                rest = &rest[1..];
            }
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
            Some("self") => rest = &rest[1..],
            Some(first) => {
                // A child module in scope (`use features::Features;` in `render`).
                let child = join(&base, &[first.to_owned()]);
                if !self.modules.contains_key(&child) {
                    return None;
                }
            }
            None => return None,
        }
        let mut found = join(&base, &[]);
        for i in 1..=rest.len() {
            let candidate = join(&base, &rest[..i]);
            if self.modules.contains_key(&candidate) {
                found = candidate;
            } else {
                break;
            }
        }
        Some(found)
    }

    /// Module → the modules it imports (itself left out).
    fn imports(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut graph = BTreeMap::new();
        for (module, file) in &self.modules {
            let mut paths = Vec::new();
            items_paths(&file.items, 0, &mut paths);
            let mut targets = BTreeSet::new();
            for (depth, segments) in paths {
                // A path inside an inline module starts `depth` levels below the file.
                let segments = strip_inline(&segments, depth);
                let Some(target) = self.resolve(module, &segments) else { continue };
                // Itself, or what an enclosing module defines (see the module docs).
                let is_ancestor = target.is_empty() || module.starts_with(&format!("{target}::"));
                if target == *module || is_ancestor {
                    continue;
                }
                targets.insert(target);
            }
            graph.insert(module.clone(), targets);
        }
        graph
    }
}

/// A path written `depth` inline modules below its file, as seen from the file: the
/// `super`s that only climb out of the inline modules are dropped; a path that stays
/// inside them (or names another crate) names the file itself.
fn strip_inline(segments: &[String], depth: usize) -> Vec<String> {
    if depth == 0 || segments.first().map(String::as_str) == Some("crate") {
        return segments.to_vec();
    }
    let supers = segments.iter().take_while(|s| *s == "super").count();
    let rest = segments[supers..].iter().cloned();
    if supers < depth {
        vec!["self".to_owned()]
    } else if supers == depth {
        std::iter::once("self".to_owned()).chain(rest).collect()
    } else {
        std::iter::repeat_n("super".to_owned(), supers - depth).chain(rest).collect()
    }
}

fn join(base: &[String], rest: &[String]) -> String {
    base.iter().chain(rest).cloned().collect::<Vec<_>>().join("::")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("source dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every path that may name a module, with the inline-module depth it is written at.
fn items_paths(items: &[syn::Item], depth: usize, out: &mut Vec<(usize, Vec<String>)>) {
    for item in items {
        match item {
            syn::Item::Use(u) => {
                let mut prefix = Vec::new();
                use_paths(&u.tree, &mut prefix, &mut |p| out.push((depth, p)));
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    items_paths(inner, depth + 1, out);
                }
            }
            other => token_paths(other.to_token_stream(), &mut |p| out.push((depth, p))),
        }
    }
}

fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut dyn FnMut(Vec<String>)) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            if n.ident != "self" {
                path.push(n.ident.to_string());
            }
            out(path);
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out(path);
        }
        syn::UseTree::Glob(_) => out(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_paths(t, prefix, out);
            }
        }
    }
}

/// Every `a::b::c` run of identifiers in `tokens` (at any depth, so inside function
/// bodies and macro calls too), including function-local `use`s.
fn token_paths(tokens: TokenStream, out: &mut dyn FnMut(Vec<String>)) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                token_paths(g.stream(), out);
                i += 1;
            }
            TokenTree::Ident(first) => {
                // A path starts at an identifier not preceded by `::`.
                let after_colons = i >= 2 && is_colon(&tokens[i - 1]) && is_colon(&tokens[i - 2]);
                let mut path = vec![first.to_string()];
                let mut j = i + 1;
                while j + 2 < tokens.len() && is_colon(&tokens[j]) && is_colon(&tokens[j + 1]) {
                    match &tokens[j + 2] {
                        TokenTree::Ident(next) => {
                            path.push(next.to_string());
                            j += 3;
                        }
                        _ => break,
                    }
                }
                if !after_colons && path.len() > 1 {
                    out(path);
                }
                i = j.max(i + 1);
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
        }
    }
}

fn is_colon(t: &TokenTree) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == ':')
}

/// The first cycle of `graph` found (modules in name order), as `a → b → a`.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[start..].iter().map(|m| display(m)).collect();
                    cycle.push(display(next));
                    return Some(cycle.join(" → "));
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, marks, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut marks, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

/// Every import `a → b` where `b` also reaches `a`: the edges to cut.
fn cyclic_edges(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            if m == to {
                return true;
            }
            if seen.insert(m.clone()) {
                stack.extend(graph.get(&m).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut out = Vec::new();
    for (a, targets) in graph {
        for b in targets {
            if reaches(b, a) {
                out.push(format!("{} → {}", display(a), display(b)));
            }
        }
    }
    out
}

fn display(module: &str) -> String {
    if module.is_empty() { "crate".to_owned() } else { module.to_owned() }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn no_module_imports_a_module_that_imports_it() {
    // The command line's runtime is its crate's `src/` as shipped (lib.rs and modules).
    for src in ["codegen/src", "xtask/src", "codegen/cli-runtime"] {
        let dir = root().join(src);
        assert!(dir.is_dir(), "{src} is not a folder: the check would not run");
        let krate = Crate::read(&dir);
        assert!(krate.modules.len() > 3, "{src}: only {} modules read", krate.modules.len());
        let graph = krate.imports();
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{src}: import cycle {cycle}; every import on a cycle:\n{}", cyclic_edges(&graph).join("\n"));
        }
    }
}

/// Method calls that search or cut text, which under `render/` would be deciding from
/// rendered code rather than from the IR.
fn is_text_search(method: &str) -> bool {
    matches!(method, "contains" | "strip_prefix" | "strip_suffix") || method.ends_with("matches")
}

/// `file:method("literal")` for every such call outside `#[cfg(test)]` modules.
fn text_searches(name: &str, file: &syn::File) -> Vec<String> {
    let mut found = Vec::new();
    for item in &file.items {
        if let syn::Item::Mod(m) = item {
            let is_test = m.attrs.iter().any(|a| a.path().is_ident("cfg") && a.meta.to_token_stream().to_string().contains("test"));
            if is_test {
                continue;
            }
        }
        calls_with_literal(item.to_token_stream(), &mut |method, lit| {
            if is_text_search(method) {
                found.push(format!("{name}: .{method}({lit})"));
            }
        });
    }
    found
}

fn calls_with_literal(tokens: TokenStream, out: &mut dyn FnMut(&str, &str)) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, t) in tokens.iter().enumerate() {
        if let TokenTree::Group(g) = t {
            if g.delimiter() == proc_macro2::Delimiter::Parenthesis
                && let (Some(TokenTree::Ident(method)), Some(TokenTree::Literal(lit))) =
                    (i.checked_sub(1).and_then(|k| tokens.get(k)), g.stream().into_iter().next().as_ref())
            {
                let text = lit.to_string();
                if text.starts_with('"') || text.starts_with("r\"") || text.starts_with("r#\"") {
                    out(&method.to_string(), &text);
                }
            }
            calls_with_literal(g.stream(), out);
        }
    }
}

#[test]
fn renderers_do_not_search_rendered_text() {
    let dir = root().join("codegen/src/render");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    let mut offenders = Vec::new();
    for path in files {
        let name = path.strip_prefix(&dir).expect("under render").to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("source");
        let file = syn::parse_file(&text).expect("parses");
        let found = text_searches(&name, &file);
        offenders.extend(found);
    }
    assert!(offenders.is_empty(), "decide from the IR instead:\n{}", offenders.join("\n"));
}

// The checkers themselves, on tiny crates, so that the tests above can fail.

#[test]
fn a_cycle_is_found_and_named() {
    let krate = Crate::from_sources(&[
        ("", "mod a; mod b; mod c;"),
        ("a", "use crate::b::f; pub fn g() { f() }"),
        ("b", "pub fn f() { super::c::h() }"),
        ("c", "pub fn h() { crate::a::g() }"),
    ]);
    assert_eq!(find_cycle(&krate.imports()).as_deref(), Some("a → b → c → a"));
}

#[test]
fn siblings_importing_each_other_through_their_parent_is_a_cycle() {
    let krate = Crate::from_sources(&[
        ("", "mod r;"),
        ("r", "mod o; mod w; pub fn ident() {} fn run() { o::render() }"),
        ("r::o", "use super::ident; pub fn render() { ident(); super::w::render_for() }"),
        ("r::w", "use super::{ident, o::setter}; pub fn render_for() {}"),
    ]);
    let graph = krate.imports();
    assert_eq!(graph["r"], BTreeSet::from(["r::o".to_owned()]));
    assert_eq!(find_cycle(&graph).as_deref(), Some("r::o → r::w → r::o"));
}

#[test]
fn the_tree_ancestors_own_tests_and_other_crates_are_not_cycles() {
    let krate = Crate::from_sources(&[
        ("", "mod r; pub use r::File;"),
        ("r", "mod t; mod p; pub use p::Piece; pub struct File; fn f() { t::g() } #[cfg(test)] mod tests { use super::*; }"),
        ("r::t", "use super::{File, Piece}; use std::fmt; pub fn g() -> serde::Value { crate::r::p::g() }"),
        ("r::p", "pub struct Piece; pub fn g() {} mod inner { use super::super::t; }"),
    ]);
    let graph = krate.imports();
    assert_eq!(graph[""], BTreeSet::from(["r".to_owned()]));
    assert_eq!(graph["r"], BTreeSet::from(["r::p".to_owned(), "r::t".to_owned()]));
    assert_eq!(graph["r::t"], BTreeSet::from(["r::p".to_owned()]));
    assert_eq!(graph["r::p"], BTreeSet::from(["r::t".to_owned()]));
    // `r::p`'s inner module names `r::t`, which names `r::p`.
    assert_eq!(find_cycle(&graph).as_deref(), Some("r::p → r::t → r::p"));
}

#[test]
fn text_searches_are_found_outside_tests_only() {
    let file = syn::parse_file(
        "fn f(s: &str) -> bool { s.contains(\"models::\") || s.trim_start_matches(\"r#\").is_empty() || s.contains('x') }\n\
         #[cfg(test)] mod tests { fn t(s: &str) -> bool { s.contains(\"a\") } }",
    )
    .expect("parses");
    assert_eq!(text_searches("x.rs", &file), ["x.rs: .contains(\"models::\")", "x.rs: .trim_start_matches(\"r#\")"]);
}
