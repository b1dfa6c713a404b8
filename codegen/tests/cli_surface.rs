//! The command line's surface (every command and flag of `atlas-backup`, issue 27) as an
//! insta snapshot: a spec change shows its effect on the command line in review.

use std::path::Path;

#[test]
fn cli_surface() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml");
    let generated = atlas_codegen::generate(&spec).expect("the project's spec generates");
    let surface = generated.files.iter().find(|f| f.path == "cli/COMMANDS.md").expect("the command list is generated");
    // Every operation and every waiter of the spec (with its overlay) is a command, by
    // name: read from the IR, not from what the command list says of itself.
    let loaded = atlas_codegen::load::load(&spec).expect("the spec loads");
    let api = atlas_codegen::ir::lower(&loaded).expect("the spec lowers");
    assert_eq!(api.operations.len(), generated.operations);
    let tag = |t: &str| atlas_codegen::names::cli::tag_command(t);
    for op in &api.operations {
        let command = format!("\n- `atlas-backup {} {}` (`", tag(&op.tag), op.operation_id);
        assert!(surface.contents.contains(&command), "operation {} is no command", op.operation_id);
    }
    assert!(api.waiters.len() >= 8, "the overlay's waiters were read: {}", api.waiters.len());
    for w in &api.waiters {
        assert!(surface.contents.contains(&format!("\n- `atlas-backup wait {}` (`", w.name)), "waiter {} is no command", w.name);
    }
    let commands = surface.contents.matches("\n- `atlas-backup ").count();
    assert_eq!(commands, api.operations.len() + api.waiters.len(), "no other command");
    assert!(surface.contents.contains("- `atlas-backup cloudBackups takeSnapshots` (`take-snapshots`)"));
    assert!(surface.contents.contains("`--wait` (waiter `snapshotCompleted`)"));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("cli_surface", surface.contents));
}

/// `--api-version DATE` of an operation served in several versions switches the library's
/// versioned builder to that version's marker, and each version has its own `Call`
/// (whose answer decodes into that version's type). The project's spec has no such
/// operation today, so the fixture of versioned operations shows it.
#[test]
fn api_version_selects_the_versioned_builder() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/versions.yaml");
    let generated = atlas_codegen::generate(&spec).expect("the fixture generates");
    let commands = generated.files.iter().find(|f| f.path == "cli/src/commands.rs").expect("the command tables are generated");
    let text: String = commands.contents.chars().filter(|c| !c.is_whitespace()).collect();
    for op in ["TakeSnapshot", "GetStatus"] {
        let glue = text.split(&format!("fnop_{}(", if op == "TakeSnapshot" { "take_snapshot" } else { "get_status" })).nth(1).expect("the operation's glue");
        let glue = glue.split("crate::call!").next().unwrap_or_default();
        assert!(glue.contains("matchv.api_version(){Some(\"2023-01-01\")=>"), "{op}: no arm for 2023-01-01 in\n{}", commands.contents);
        assert!(glue.contains(&format!("b.api_version(atlas_backup::operations::{op}V2023_01_01)")), "{op}");
        assert!(text.contains(&format!("crate::call!(jsonatlas_backup::operations::{op}<atlas_backup::operations::{op}V2023_01_01>);")), "{op}");
        assert!(text.contains(&format!("crate::call!(jsonatlas_backup::operations::{op});")), "{op}");
    }
    assert!(text.contains("versions:&[\"2023-01-01\",\"2024-08-05\"]"), "the flag's values");
    // The newest version is the builder's default: no arm of its own.
    assert!(!text.contains("Some(\"2024-08-05\")=>"));
}
