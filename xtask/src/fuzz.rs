//! `cargo xtask fuzz`: the generator's no-panic properties (codegen/tests/fuzz.rs) with many
//! more cases than `cargo test` runs, in release mode so that a long run stays affordable.

use std::path::Path;
use std::process::{Command, ExitCode};

#[derive(clap::Args)]
pub struct FuzzArgs {
    /// Cases per property (mutated copies of the spec, and arbitrary bytes).
    #[arg(long, default_value_t = 100_000)]
    cases: u32,
}

pub fn run(args: FuzzArgs, root: &Path) -> Result<ExitCode, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["test", "--release", "--package", "atlas-codegen", "--test", "fuzz", "--", "--nocapture"])
        .env("PROPTEST_CASES", args.cases.to_string());
    eprintln!("fuzz: {} cases per property, release build", args.cases);
    let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
