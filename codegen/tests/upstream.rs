//! The whole published Atlas API, in every form MongoDB publishes it, generates (with our
//! overlay's waiters and links wherever it still applies) and the crate it gives, and its
//! command line, pass `cargo clippy -D warnings` on their own (outside this workspace).
//!
//! Reads `../shared/upstream/*.yaml` and `../shared/upstream-v2/*.yaml` (v2.yaml as MongoDB
//! publishes it). Without them, outside CI the test says so loudly and skips; in CI (`CI`
//! set) their absence is a failure.

use std::path::Path;

mod published;
mod support;

#[test]
fn whole_published_specs_generate_and_pass_clippy() {
    let Some(specs) = published::specs("whole_published_specs_generate_and_pass_clippy") else { return };
    let target = support::target_dir();
    let mut failures = Vec::new();
    // One workspace for the four crates (see support/); that each crate also builds on its
    // own is what tests/compile_fixtures.rs proves for every fixture.
    let mut workspace = support::Workspace::new();
    // Each crate with the features it is checked with.
    let mut selected: Vec<(String, String)> = Vec::new();
    let overlay_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.overlay.yaml");
    let overlay = atlas_codegen::load::overlay::Overlay::load(&overlay_path).expect("spec/atlas-backup.overlay.yaml loads");
    let mut with_overlay = Vec::new();
    // The last spec's package and files (the specs come sorted by date, v2.yaml last).
    let mut newest: Option<(String, Vec<atlas_codegen::File>)> = None;
    for spec in &specs {
        let name = spec.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        // Our overlay (waiter tables and links) applies to a published spec that still has
        // every operation it targets; one that lacks some must be refused naming the stale
        // action, and then generates without it.
        let generated = match atlas_codegen::generate_with(spec, Some(&overlay)) {
            Ok(g) => {
                assert!(g.surface().contains("wait_until_snapshot_completed"), "{name}: the overlay's waiters are missing");
                with_overlay.push(name.clone());
                Ok(g)
            }
            Err(e) if e.to_string().contains("is stale: its target") => {
                eprintln!("{name}: our overlay does not apply ({e}); generated without it");
                atlas_codegen::generate(spec)
            }
            Err(e) => Err(e),
        };
        let generated = match generated {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{name}: generation failed: {e}"));
                continue;
            }
        };
        assert!(generated.operations >= 300, "{name}: only {} operations", generated.operations);
        // Nothing is dropped silently: whatever was mapped in a weaker way is a warning that
        // names its place in the spec.
        for w in &generated.warnings {
            assert!(w.pointer.starts_with("#/"), "{name}: {w}");
        }
        eprintln!("{name}: {} operations, {} types, {} warnings", generated.operations, generated.types, generated.warnings.len());
        let package = format!("upstream-{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
        workspace.add(&name, &package, &generated.files);
        selected.push((package.clone(), "all-tags,unreferenced-models,mock".to_owned()));
        // Its command line, on every tag of the library (issue 36: it did not compile).
        let cli = workspace.add_cli(&name, &package);
        selected.push((cli, String::new()));
        newest = Some((package, generated.files));
    }
    // Every tag's operations (`all-tags`), every model (`unreferenced-models`, the schemas
    // no operation uses) and the mock's rules and views (`mock`: its rows must read every
    // parameter and body type a published spec has), without TLS, which is not what is
    // tested here. Beside them, copies of
    // the newest crate with one tag only (its operations and the models they reach still make
    // a crate that compiles, warning-free, with nothing of the other tags nor the unreached
    // models) and with the unreached models only, which hold types of many tags. One cargo run
    // checks all of them side by side.
    if let Some((newest_name, newest_files)) = &newest {
        for feature in ["cloud-backups", "unreferenced-models"] {
            let package = format!("{newest_name}-only-{feature}");
            workspace.add(&package, &package, newest_files);
            selected.push((package, feature.to_owned()));
        }
    }
    if let Err(e) = workspace.cargo_each(&target, &["clippy"], &selected, &["--", "-D", "warnings"]) {
        failures.push(e);
    }
    assert!(!with_overlay.is_empty(), "our overlay applied to none of the published specs");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
