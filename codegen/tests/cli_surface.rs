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
    let mut api = atlas_codegen::ir::lower(&loaded).expect("the spec lowers");
    atlas_codegen::names::assign(&mut api).expect("every name is decided");
    assert_eq!(api.operations.len(), generated.operations);
    let tag = |t: &str| atlas_codegen::names::cli::tag_command(t);
    for op in &api.operations {
        let command = format!("\n- `atlas-backup {} {}` (`", tag(&op.tag), op.command);
        assert!(surface.contents.contains(&command), "operation {} is no command", op.operation_id);
    }
    assert!(api.waiters.len() >= 8, "the overlay's waiters were read: {}", api.waiters.len());
    for w in &api.waiters {
        assert!(surface.contents.contains(&format!("\n- `atlas-backup wait {}` (`", w.name)), "waiter {} is no command", w.name);
    }
    let commands = surface.contents.matches("\n- `atlas-backup ").count();
    assert_eq!(commands, api.operations.len() + api.waiters.len(), "no other command");
    // The short published name is the command; the long one, the former one and the
    // kebab-case spellings are aliases.
    assert!(surface.contents.contains(
        "- `atlas-backup cloudBackups takeSnapshots` (`takeGroupClusterBackupSnapshots`, `takeSnapshot`, `take-snapshots`, `take-group-cluster-backup-snapshots`, `take-snapshot`)"
    ));
    assert!(surface.contents.contains("`--wait` (waiter `snapshotCompleted`)"));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("cli_surface", surface.contents));
}

/// `--version DATE` of an operation served in several versions names, per date, the
/// library's builder of that version (the versioned builder switched to its marker, whose
/// answer decodes into that version's type): data in the table, no code per operation. The
/// project's spec has no such operation today, so the fixture of versioned operations shows
/// it.
#[test]
fn each_version_names_its_builder() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/versions.yaml");
    let generated = atlas_codegen::generate(&spec).expect("the fixture generates");
    let commands = generated.files.iter().find(|f| f.path == "cli/src/commands.rs").expect("the command tables are generated");
    // Without the layout: no spaces, and no trailing commas before `>` and `}`.
    let text: String = commands.contents.chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.replace(",>", ">").replace(",}", "}").replace(",]", "]");
    for op in ["TakeSnapshot", "GetStatus"] {
        let older = format!(
            "Version{{date:\"2023-01-01\",call:crate::call::call::<atlas_backup::operations::{op}<atlas_backup::operations::{op}V2023_01_01>>}}"
        );
        assert!(text.contains(&older), "{op}: no builder of 2023-01-01 in\n{}", commands.contents);
        // The newest version is the builder's default type.
        let newest = format!("call:crate::call::call::<atlas_backup::operations::{op}>}}]");
        assert!(text.contains(&newest), "{op}");
    }
    // No glue: the table is the whole module.
    for glue in ["fnop_", "crate::set!", "crate::call!", "\"@body\"", "\"@api-version\""] {
        assert!(!text.contains(glue), "{glue}");
    }
}

/// Two operations of one tag claiming one command name: the later is renamed, an alias
/// another command holds is left out, each a generation warning; no name answers for two
/// operations (clap would refuse the tree at run time).
#[test]
fn a_name_two_operations_claim_is_renamed_with_a_warning() {
    let spec = r#"
openapi: 3.0.1
info: {title: names, version: '1'}
paths:
  /a:
    get:
      operationId: listGroupThings
      x-xgen-operation-id-override: listThings
      tags: [Things]
      responses: {'204': {description: none}}
  /b:
    get:
      operationId: listThings
      x-former-operation-ids: [listGroupThings]
      tags: [Things]
      responses: {'204': {description: none}}
"#;
    let generated = atlas_codegen::generate_from_bytes_with(Path::new("names.yaml"), spec.as_bytes(), None).expect("generates");
    let surface = generated.files.iter().find(|f| f.path == "cli/COMMANDS.md").expect("the command list");
    assert!(
        surface.contents.contains("- `atlas-backup things listThings` (`listGroupThings`, `list-things`, `list-group-things`): GET /a"),
        "{}",
        surface.contents
    );
    assert!(surface.contents.contains("- `atlas-backup things listThings2` (`list-things2`): GET /b"), "{}", surface.contents);
    let warnings: Vec<String> = generated.warnings.iter().map(|w| w.message.clone()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w
                == "command of operation `listThings`: `listThings` is the command of operation `listGroupThings`; named `listThings2`"),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w == "command alias `listGroupThings` of operation `listThings`: taken by operation `listGroupThings`; left out"),
        "{warnings:?}"
    );
}
