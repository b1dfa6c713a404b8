//! A large YAML spec is parsed in pieces on two threads (`load::split`); the pieces must give
//! the very document the whole text gives, and every text where that cannot be proven must
//! be parsed whole, with today's result or error.
//!
//! Reads `spec/atlas-backup.yaml` and every spec in `../shared/upstream/` and
//! `../shared/upstream-v2/` in place; without them, outside CI the test says so loudly and
//! skips; in CI (`CI` set) their absence is a failure.

use std::path::Path;

use atlas_codegen::load::{parse_split, split::Split};

mod published;

/// The document (or the error's text) and how many documents the text was parsed in.
fn load(path: &Path, bytes: &[u8], split: Split) -> (Result<openapiv3::OpenAPI, String>, usize) {
    match parse_split(path, bytes, None, split) {
        Ok((loaded, pieces)) => (Ok(loaded.doc), pieces),
        Err(e) => (Err(e.to_string()), 0),
    }
}

/// Asserts that `text` loads the same cut as whole; answers the outcome and how many
/// documents the cut load parsed.
fn same(text: &str) -> (Result<openapiv3::OpenAPI, String>, usize) {
    let path = Path::new("t.yaml");
    let (whole, whole_pieces) = load(path, text.as_bytes(), Split::Never);
    assert!(whole_pieces <= 1);
    let (cut, pieces) = load(path, text.as_bytes(), Split::Always);
    assert_eq!(cut, whole, "{text}");
    (cut, pieces)
}

#[test]
fn published_specs_load_the_same_cut_as_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = vec![root.join("spec/atlas-backup.yaml")];
    // Without them (said loudly, or a failure in CI), `spec/`'s is still cut.
    let shared = published::specs("published_specs_load_the_same_cut_as_whole").unwrap_or_default();
    let large = shared.len();
    specs.extend(shared);
    for spec in &specs {
        let bytes = std::fs::read(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        let (whole, _) = load(spec, &bytes, Split::Never);
        let whole = whole.unwrap_or_else(|e| panic!("{e}"));
        // Proof that the cut ran: more than one document was parsed.
        let (cut, pieces) = load(spec, &bytes, Split::Always);
        assert!(pieces > 1, "{}: the text was not cut", spec.display());
        assert!(cut.as_ref() == Ok(&whole), "{}: the cut load differs from the whole one", spec.display());
        eprintln!("{}: {pieces} pieces", spec.display());
    }
    // The published specs are large enough to be cut without asking.
    for spec in &specs[specs.len() - large..] {
        let bytes = std::fs::read(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        assert!(load(spec, &bytes, Split::Auto).1 > 1, "{}: not cut by default", spec.display());
    }
}

const HEAD: &str = "openapi: 3.0.1\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n";

/// A plain scalar of `bytes` bytes under the root key `key`.
fn pad(key: &str, bytes: usize) -> String {
    format!("{key}: {}\n", "x".repeat(bytes))
}

/// A spec with `first` and `second` apart, in pieces of their own: the cut load (pieces of
/// an eighth of the text) puts the padding between them in a piece of its own.
fn doc(first: &str, second: &str) -> String {
    format!("{HEAD}{first}{}{second}", pad("x-pad", 4 * (HEAD.len() + first.len() + second.len())))
}

fn extension(doc: &Result<openapiv3::OpenAPI, String>, key: &str) -> Option<serde_json::Value> {
    doc.as_ref().ok()?.extensions.get(key).cloned()
}

#[test]
fn cut_where_it_is_safe() {
    let cases = [
        ("an anchor and its alias on one side", "", "x-a: &a\n  k: v\nx-b: *a\n"),
        ("a merge key on one side", "", "x-base: &b\n  a: 1\nx-m:\n  <<: *b\n  c: 2\n"),
        ("block scalars", "x-keep: |+\n  kept\n\n\n", "x-s: |\n  line\n\n  more: x\nx-t: >-\n  folded\n   kept\nx-u: |\n  last\n"),
        ("comments at column 0", "# a comment\n\n", "x-c: 1\n# another\n"),
        ("a tag", "", "x-t: !!str 5\n"),
    ];
    for (what, before, middle) in cases {
        let text = doc(before, middle);
        let (loaded, pieces) = same(&text);
        assert!(loaded.is_ok(), "{what}: {loaded:?}");
        assert!(pieces > 1, "{what}: not cut");
    }
    let (merged, _) = same(&doc("", "x-base: &b\n  a: 1\nx-m:\n  <<: *b\n  c: 2\n"));
    assert_eq!(extension(&merged, "x-m"), Some(serde_json::json!({"a": 1, "c": 2})));
}

/// A byte order mark is not part of the document (`load::source` drops it), so the text
/// after it is cut as any other.
#[test]
fn a_byte_order_mark_is_dropped_before_the_cut() {
    let plain = doc("", "x-c: 1\n");
    let (whole, _) = same(&plain);
    let (marked, pieces) = same(&format!("\u{feff}{plain}"));
    assert!(marked.is_ok(), "{marked:?}");
    assert_eq!(marked, whole);
    assert!(pieces > 1, "not cut");
}

#[test]
fn parsed_whole_where_a_cut_could_differ() {
    let indented: String = doc("", "x-c: 1\n").lines().map(|l| format!("  {l}\n")).collect();
    let crlf = doc("", "x-c: 1\n").replace('\n', "\r\n");
    let marked = format!("---\n{}", doc("", "x-c: 1\n"));
    let cases = [
        ("an alias whose anchor is before the cut", doc("x-a: &a\n  k: v\n", "x-b: *a\n")),
        ("a merge key whose anchor is before the cut", doc("x-base: &b\n  a: 1\n", "x-m:\n  <<: *b\n  c: 2\n")),
        ("a double-quoted scalar running over the cut", doc("x-q: \"first\n", "x-fake: line\"\n")),
        ("a single-quoted scalar running over the cut", doc("x-q: 'first\n", "x-fake: line'\n")),
        ("a flow sequence running over the cut", format!("{HEAD}x-f: [a,\n{}x-g: b]\n", pad("x-pad", 2000).replace('\n', ",\n"))),
        ("an indented root", indented),
        ("CR line ends", crlf),
        ("a document marker", marked),
    ];
    for (what, text) in cases {
        let (loaded, pieces) = same(&text);
        assert!(loaded.is_ok(), "{what}: {loaded:?}");
        assert!(pieces <= 1, "{what}: cut");
    }
    let (quoted, _) = same(&doc("x-q: \"first\n", "x-fake: line\"\n"));
    let padding = pad("x-pad", 4 * (HEAD.len() + "x-q: \"first\n".len() + "x-fake: line\"\n".len()));
    assert_eq!(extension(&quoted, "x-q"), Some(serde_json::json!(format!("first {} x-fake: line", padding.trim_end()))));
    let (aliased, _) = same(&doc("x-a: &a\n  k: v\n", "x-b: *a\n"));
    assert_eq!(extension(&aliased, "x-b"), Some(serde_json::json!({"k": "v"})));
}

/// A spec with `count` schemas, `extra` inserted before schema number `at`: the middle of
/// the text falls among the schemas, so the cut goes inside `components` → `schemas`.
fn schemas(count: usize, at: usize, extra: &str) -> String {
    let mut text = String::from("components:\n    schemas:\n");
    for i in 0..count {
        if i == at {
            text.push_str(extra);
        }
        text.push_str(&format!("        S{i}:\n            type: object\n            description: |\n                Schema {i}.\n\n                key: not one\n"));
    }
    text.push_str("    responses:\n        R:\n            description: r\n");
    text.push_str(HEAD);
    text
}

#[test]
fn a_cut_inside_components_splices_in_document_order() {
    let text = schemas(100, 70, "# a comment at column 0\n");
    let (loaded, pieces) = same(&text);
    assert!(pieces >= 3, "not cut inside the schemas: {pieces}");
    let doc = loaded.unwrap_or_else(|e| panic!("{e}"));
    let components = doc.components.unwrap_or_default();
    let names: Vec<&String> = components.schemas.keys().collect();
    assert_eq!(names.len(), 100);
    assert!(names.iter().enumerate().all(|(i, name)| **name == format!("S{i}")), "{names:?}");
    assert!(components.responses.contains_key("R"));
}

#[test]
fn a_key_on_both_sides_of_the_cut_is_still_a_duplicate() {
    let (root, _) = same(&doc("x-d: 1\n", "x-d: 2\n"));
    let e = root.expect_err("a duplicate root key loads");
    assert!(e.contains("duplicate") && e.contains("x-d"), "{e}");
    let (schema, _) = same(&schemas(100, 80, "        S1:\n            type: string\n"));
    let e = schema.expect_err("a duplicate schema loads");
    assert!(e.contains("duplicate") && e.contains("S1"), "{e}");
}
