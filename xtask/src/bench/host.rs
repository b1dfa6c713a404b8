//! The CPU time the host took from this machine while the generate probes ran (Linux's
//! `steal` in `/proc/stat`), and the row that says so.
//!
//! Why: on a virtual machine whose cores the host shares, a burst of the host's other work
//! takes the second core from the two-thread stages of a generation, while the parse it is
//! compared with runs on one core and hardly notices. The same binary's process-against-
//! process ratio went from 2.3× to 3.0× between two runs an hour apart here, the disk
//! settled both times. This row puts that beside the ratios, so that a run can be read.
//! It sees only time the host ran something else on this machine's cores: a busy sibling
//! thread of the same physical core, or memory bandwidth taken by other guests, slows the
//! probes without counting here (a run whose 2024-12-10 row was slower by a fifth counted
//! 0 s).

use std::time::Instant;

use super::stats::Stats;
use super::table::{Row, Unit};

/// `/proc/stat` counts in USER_HZ, which is 100 on every Linux architecture.
const TICKS_PER_SECOND: f64 = 100.0;

/// The steal counter when the probes started.
pub struct Steal {
    ticks: u64,
    started: Instant,
}

impl Steal {
    /// Now; `None` where the system does not count steal.
    pub fn start() -> Option<Steal> {
        Some(Steal { ticks: steal_ticks(&std::fs::read_to_string("/proc/stat").ok()?)?, started: Instant::now() })
    }

    /// The row of section `section`: the seconds of CPU the host took since [`Steal::start`],
    /// against the CPU seconds the machine's cores had in that time.
    pub fn row(self, section: &'static str) -> Option<Row> {
        let now = steal_ticks(&std::fs::read_to_string("/proc/stat").ok()?)?;
        let stolen = now.saturating_sub(self.ticks) as f64 / TICKS_PER_SECOND;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get) as f64;
        let available = self.started.elapsed().as_secs_f64() * cores;
        Some(
            Row::new(section, "CPU time the host took from this machine while the probes ran (steal)", Unit::Seconds, Stats::once(stolen))
                .against(format!("the {cores} cores' time"), Stats::once(available))
                .note("time the host ran other work on these cores only; see xtask/src/bench/host.rs"),
        )
    }
}

/// The `steal` field of the `cpu` line of `/proc/stat` (its eighth number).
fn steal_ticks(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    line.split_whitespace().nth(8)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steal_is_the_eighth_number_of_the_cpu_line() {
        let stat = "cpu  4741625 380000 694427 2157153 37500 0 4606 6811 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n";
        assert_eq!(steal_ticks(stat), Some(6811));
        // A kernel too old to count steal has fewer fields.
        assert_eq!(steal_ticks("cpu  1 2 3 4 5 6 7\n"), None);
        assert_eq!(steal_ticks("intr 1 2\n"), None);
    }
}
