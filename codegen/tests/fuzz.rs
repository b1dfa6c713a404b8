//! Mutated copies of the project's spec never make the generator panic: every input ends in
//! generated files or in an error. `PROPTEST_CASES` sets the number of cases (CI uses the
//! default below; `cargo xtask fuzz` runs many more in release mode).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;

fn spec() -> &'static str {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml")).expect("spec"))
}

/// One edit of the text: the kinds of damage a hand edit or a bad merge does.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, bool),
    Truncate(usize),
    InsertText(usize, String),
    ReplaceWord(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let tokens = prop_oneof![
        Just("$ref: '#/components/schemas/Nope'".to_owned()),
        Just("{".to_owned()),
        Just("- ".to_owned()),
        Just("type: object".to_owned()),
        Just("oneOf: []".to_owned()),
        Just("allOf: [{$ref: '#/components/schemas/Link'}]".to_owned()),
        Just("enum: [1, null, true]".to_owned()),
        Just("required: [x]".to_owned()),
        Just("nullable: true".to_owned()),
        Just("'\u{0}'".to_owned()),
        Just("\t".to_owned()),
        Just("*anchor".to_owned()),
        Just("additionalProperties: {$ref: '#/components/schemas/ApiError'}".to_owned()),
        "[a-zA-Z0-9{}:#/ -]{0,12}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (any::<usize>(), any::<bool>()).prop_map(|(a, b)| Edit::Indent(a, b)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), tokens.clone()).prop_map(|(a, t)| Edit::InsertText(a, t)),
        (any::<usize>(), tokens).prop_map(|(a, t)| Edit::ReplaceWord(a, t)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Edit::DuplicateLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::SwapLines(a, b) => lines.swap(a % n, b % n),
            Edit::Indent(i, more) => {
                let l = &mut lines[i % n];
                if *more {
                    l.insert_str(0, "  ");
                } else if l.starts_with("  ") {
                    l.drain(..2);
                }
            }
            Edit::Truncate(i) => lines.truncate(i % n),
            Edit::InsertText(i, t) => {
                let l = &mut lines[i % n];
                let at = l.char_indices().map(|(k, _)| k).nth(l.chars().count() / 2).unwrap_or(l.len());
                l.insert_str(at, t);
            }
            Edit::ReplaceWord(i, t) => {
                let l = &mut lines[i % n];
                if let Some(colon) = l.find(": ") {
                    l.truncate(colon + 2);
                    l.push_str(t);
                }
            }
        }
    }
    lines.join("\n")
}

/// Cases per property: `PROPTEST_CASES` when set (`cargo xtask fuzz` sets a large one), else a
/// number that keeps `cargo test` within CI's time budget.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    // No regression files in the tree: a failure prints its minimal input, which goes
    // into tests/bad/ as a corpus case instead.
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Runs the property `test` over [`config`]'s number of cases drawn from `strategy()`, split
/// between one runner per core. proptest's runner is single-threaded and each case here is a
/// whole generation, so one runner left a core idle for most of `cargo test`'s run; every
/// runner draws its own random cases, catches a panic as a failure and shrinks it as before.
fn check<S>(strategy: impl Fn() -> S + Sync, test: impl Fn(S::Value) + Sync)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let config = config();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let runners = u32::try_from(cores).unwrap_or(1).clamp(1, config.cases.max(1));
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..runners)
            .map(|i| {
                // The first runners take one case more when the count does not divide.
                let cases = config.cases / runners + u32::from(i < config.cases % runners);
                let (strategy, test, config) = (&strategy, &test, &config);
                scope.spawn(move || {
                    let mut runner = TestRunner::new(ProptestConfig { cases, ..config.clone() });
                    // The failure as text: the shrunk input need not be `Send`.
                    runner
                        .run(&strategy(), |value| {
                            test(value);
                            Ok(())
                        })
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some("a runner panicked outside a test case".to_owned()),
            })
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mutated_specs_never_panic() {
    check(
        || proptest::collection::vec(edit(), 1..6),
        |edits| {
            let text = apply(spec(), &edits);
            // Ok or Err are both fine; a panic fails the test.
            let _ = atlas_codegen::generate_from_bytes(Path::new("mutated.yaml"), text.as_bytes());
        },
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    check(
        || proptest::collection::vec(any::<u8>(), 0..512),
        |bytes| {
            let _ = atlas_codegen::generate_from_bytes(Path::new("bytes.yaml"), &bytes);
        },
    );
}
