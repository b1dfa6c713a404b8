//! The command line's surface (every command and flag of `atlas-backup`, issue 27) as an
//! insta snapshot: a spec change shows its effect on the command line in review.

use std::path::Path;

#[test]
fn cli_surface() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml");
    let generated = atlas_codegen::generate(&spec).expect("the project's spec generates");
    let surface = generated.files.iter().find(|f| f.path == "cli/COMMANDS.md").expect("the command list is generated");
    // Every operation and every waiter of the spec is a command.
    let commands = surface.contents.matches("\n- `atlas-backup ").count();
    let waiters = surface.contents.matches("\n- `atlas-backup wait ").count();
    assert_eq!(commands - waiters, generated.operations, "one command per operation");
    assert!(waiters >= 8, "one command per waiter: {waiters}");
    assert!(surface.contents.contains("- `atlas-backup cloudBackups takeSnapshots` (`take-snapshots`)"));
    assert!(surface.contents.contains("`--wait` (waiter `snapshotCompleted`)"));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/cli");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("cli_surface", surface.contents));
}
