//! Row 5: a call through the generated client against the same request with bare `reqwest`
//! (with the client's timeout, the fair floor, and without), a 500-item page decoded into the
//! models against `serde_json::Value`, and paging with `.concurrency(4)` against one page at a
//! time.

use std::path::Path;

use super::exec::{bench_executable, run_criterion};
use super::stats;
use super::table::{Row, Unit};

const CLIENT: &str = "5. Client overhead";

/// The rows of part `client`, from the `client` and `paging` benches of `tests/`.
pub fn rows(root: &Path, scratch: &Path, quick: bool) -> Result<Vec<Row>, String> {
    // Without the tests' default feature `mock`: the client as production builds have it
    // (no mock compiled into the seam, no paused-clock support in tokio).
    let exe = bench_executable(root, "atlas-backup-tests", "client", quick, &["--no-default-features", "--features", "bench"])?;
    let home = scratch.join("criterion-client");
    run_criterion(&exe, &root.join("tests"), &home, quick, &[])?;
    // Paired batches, not criterion's benchmarks side by side: those run one after the
    // other, and on a shared 2-core machine their conditions drift apart by more than the
    // difference measured (runs of the same build gave 0.9× to 1.3×).
    let paired = stats::paired(&home)?;
    let models = stats::criterion(&home, "decode", "generated_models")?;
    let value = stats::criterion(&home, "decode", "value_baseline")?;

    let exe = bench_executable(root, "atlas-backup-tests", "paging", quick, &["--no-default-features", "--features", "bench"])?;
    let home = scratch.join("criterion-paging");
    run_criterion(&exe, &root.join("tests"), &home, quick, &[])?;
    let sequential = stats::criterion(&home, "paging", "sequential")?;
    let concurrent = stats::criterion(&home, "paging", "concurrency_4")?;

    let call = "getGroupClusterBackupSnapshot through the generated client (mean per call, per batch)";
    Ok(vec![
        // The fair floor: the generated client always sets a per-request timeout (60 s by
        // default), and a production call without a deadline is not what users write.
        Row::new(CLIENT, call, Unit::Seconds, paired.generated)
            .against(
                "same request, bare reqwest + serde_json with the same 60 s per-request timeout, same pool and server, in the same batches",
                paired.bare_timeout,
            )
            .max_ratio(1.05, quick),
        Row::new(CLIENT, call, Unit::Seconds, paired.generated)
            .against("same request, bare reqwest + serde_json without a timeout, in the same batches", paired.bare),
        Row::new(CLIENT, "decode a 500-snapshot page into the generated models", Unit::Seconds, models)
            .against("serde_json::from_slice::<serde_json::Value>", value)
            .max_ratio(1.2, quick),
        Row::new(CLIENT, "collect_all of 2,000 snapshots at 100 a page, 20 ms per answer, `.concurrency(4)`", Unit::Seconds, concurrent)
            .against("the same, one page at a time (same items, same order)", sequential)
            .max_ratio(1.0 / 3.0, quick),
    ])
}
