//! Row 5: a call through the generated client against the same request with bare `reqwest`,
//! and a 500-item page decoded into the models against `serde_json::Value`.

use std::path::Path;

use super::exec::{bench_executable, run_criterion};
use super::stats;
use super::table::{Row, Unit};

const CLIENT: &str = "5. Client overhead";

/// The rows of part `client`, from the `client` bench of `tests/`.
pub fn rows(root: &Path, scratch: &Path, quick: bool) -> Result<Vec<Row>, String> {
    let exe = bench_executable(root, "atlas-backup-tests", "client", quick)?;
    let home = scratch.join("criterion-client");
    run_criterion(&exe, &root.join("tests"), &home, quick, &[])?;
    // Paired batches, not criterion's two benchmarks side by side: those run one after
    // the other, and on a shared 2-core machine their conditions drift apart by more
    // than the difference measured (runs of the same build gave 0.9× to 1.3×).
    let (generated, bare) = stats::paired(&home)?;
    let models = stats::criterion(&home, "decode", "generated_models")?;
    let value = stats::criterion(&home, "decode", "value_baseline")?;
    Ok(vec![
        Row::new(CLIENT, "getGroupClusterBackupSnapshot through the generated client (mean per call, per batch)", Unit::Seconds, generated)
            .against("same request, bare reqwest + serde_json, same pool and server, in the same batches", bare)
            .max_ratio(1.05, quick),
        Row::new(CLIENT, "decode a 500-snapshot page into the generated models", Unit::Seconds, models)
            .against("serde_json::from_slice::<serde_json::Value>", value)
            .max_ratio(1.2, quick),
    ])
}
