//! The crates generated from the fixture specs, and their command lines, compile without
//! warnings: the snapshot tests prove what is printed, this proves that it is valid Rust
//! that clippy accepts.
//!
//! Each crate is written to a temporary directory (outside this workspace). They become the
//! members of one throwaway workspace, so one `cargo clippy` checks them side by side (a
//! crate's front end uses one core) over dependencies built once, pinned by the project's
//! lock file. TLS is left out (`--no-default-features`): it is not what is being tested,
//! and it is the slowest dependency to build. A fixture with an end-to-end test
//! (`<name>.e2e.rs`) also has that test run against its generated client.

use std::path::{Path, PathBuf};

mod support;

use support::E2E_DEV_DEPENDENCIES;

/// The package name of the spec/ crate in the workspace.
const SPEC_PACKAGE: &str = "spec-atlas-backup";

/// The feature of the models that no operation reaches (on by default, not in `all-tags`).
const UNREFERENCED: &str = "unreferenced-models";

/// Every feature but TLS: every tag and every model.
const EVERYTHING: &str = "all-tags,unreferenced-models";

/// The tag features of the generated manifest, checked against the spec's tags: one per
/// tag, in kebab case, all in `default` and in `all-tags`; `default` also has the feature of
/// the models no operation reaches, which `all-tags` has not.
fn tag_features(spec: &Path, files: &[atlas_codegen::File]) -> Vec<String> {
    let text = std::fs::read_to_string(spec).expect("read the spec");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("the spec is YAML");
    let mut expected: Vec<String> = doc["paths"]
        .as_mapping()
        .expect("paths")
        .values()
        .filter_map(serde_yaml::Value::as_mapping)
        .flat_map(|ops| ops.values())
        .filter_map(|op| op["tags"][0].as_str())
        .map(|tag| tag.to_lowercase().replace(' ', "-"))
        .collect();
    expected.sort();
    expected.dedup();
    assert!(expected.len() >= 2, "the spec has tags: {expected:?}");
    let manifest = files.iter().find(|f| f.path == "Cargo.toml").expect("a manifest");
    let list = |key: &str| -> Vec<String> {
        let line = manifest.contents.lines().find(|l| l.starts_with(&format!("{key} = ["))).unwrap_or_else(|| panic!("no `{key}` feature"));
        line.split('"').skip(1).step_by(2).map(str::to_owned).collect()
    };
    assert_eq!(list("all-tags"), expected, "one feature per tag");
    let default = [vec!["rustls".to_owned()], expected.clone(), vec![UNREFERENCED.to_owned()]].concat();
    assert_eq!(list("default"), default, "all in default");
    for feature in expected.iter().chain([&UNREFERENCED.to_owned()]) {
        assert!(manifest.contents.contains(&format!("\n{feature} = []\n")), "feature {feature} is declared");
    }
    expected
}

#[test]
fn fixture_crates_pass_clippy() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = support::target_dir();
    let mut specs: Vec<PathBuf> = std::fs::read_dir(manifest.join("tests/fixtures"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    let mut workspace = support::Workspace::new();
    let mut with_e2e = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let generated = atlas_codegen::generate(spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let package = format!("fixture-{}", name.replace('_', "-"));
        let out = workspace.add(&name, &package, &generated.files);
        workspace.add_cli(&name, &package);
        let e2e = spec.with_extension("e2e.rs");
        if e2e.exists() {
            std::fs::create_dir_all(out.join("tests")).expect("tests dir");
            std::fs::copy(&e2e, out.join("tests/e2e.rs")).expect("copy e2e test");
            let cargo_toml = std::fs::read_to_string(out.join("Cargo.toml")).expect("manifest");
            let table = "\n[dev-dependencies]\n";
            assert!(cargo_toml.contains(table), "{name}: the manifest has no [dev-dependencies]");
            let cargo_toml = cargo_toml.replacen(table, &format!("{table}{E2E_DEV_DEPENDENCIES}"), 1);
            std::fs::write(out.join("Cargo.toml"), cargo_toml).expect("manifest");
            with_e2e.push(package);
        }
    }

    // The crate of spec/, checked below with one tag at a time: a copy per feature set, each
    // its own package, so one cargo run checks them side by side.
    let spec = manifest.join("../spec/atlas-backup.yaml");
    let generated = atlas_codegen::generate(&spec).unwrap_or_else(|e| panic!("spec/: {e}"));
    let tags = tag_features(&spec, &generated.files);
    workspace.add("spec", SPEC_PACKAGE, &generated.files);
    // Each tag alone, the unreached models alone, every tag without them, and none, each with
    // the mock, whose rules are gated by the same features.
    let mut alone: Vec<(String, String)> = Vec::new();
    for feature in tags.iter().map(String::as_str).chain([UNREFERENCED, "all-tags", ""]) {
        let package = format!("{SPEC_PACKAGE}-only-{}", if feature.is_empty() { "mock" } else { feature });
        workspace.add(&package, &package, &generated.files);
        let features = if feature.is_empty() { "mock".to_owned() } else { format!("{feature},mock") };
        alone.push((package, features));
    }

    let mut failures = Vec::new();
    // With the mock, so that its generated rules and views are checked for every fixture, and
    // with every tag and every model (the copies above have their own run).
    let everything = format!("{EVERYTHING},mock");
    let mut clippy: Vec<&str> =
        vec!["clippy", "--quiet", "--workspace", "--all-targets", "--no-default-features", "--features", &everything];
    for (package, _) in &alone {
        clippy.extend(["--exclude", package]);
    }
    clippy.extend(["--", "-D", "warnings"]);
    if let Err(e) = workspace.cargo(&target, &clippy) {
        failures.push(e);
    }
    // The end-to-end tests, in one run (their crates build side by side), with the features
    // clippy checked them with: a test may use the mock.
    let e2e: Vec<(String, String)> = with_e2e.iter().map(|p| (p.clone(), everything.clone())).collect();
    if let Err(e) = workspace.cargo_each(&target, &["test", "--no-fail-fast"], &e2e, &[]) {
        failures.push(format!("end-to-end tests of {}: {e}", with_e2e.join(", ")));
    }
    // The spec/ crate's copies, each with its one feature set: only the library, as a user
    // who turns on one tag builds it.
    if let Err(e) = workspace.cargo_each(&target, &["clippy"], &alone, &["--", "-D", "warnings"]) {
        let sets: Vec<String> = alone.iter().map(|(_, f)| format!("{f:?}")).collect();
        failures.push(format!("spec/ crate with only one of the features {}: {e}", sets.join(", ")));
    }
    assert!(!with_e2e.is_empty(), "no fixture has an end-to-end test any more");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
