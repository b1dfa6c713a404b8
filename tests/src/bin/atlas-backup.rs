//! The generated command line, built into this package so that tests/cli.rs can run it
//! (`CARGO_BIN_EXE_atlas-backup`) without a nested cargo.
fn main() {
    std::process::exit(atlas_backup_cli::main());
}
