//! Whether the disk that the generate probes write to has settled, and the row that says so.
//!
//! A generation writes a few hundred files, and on some file systems creating a file costs
//! ten times its usual time for minutes after many files were deleted: ext4 without a
//! journal (this machine's) passes over every inode freed in the last 60–300 seconds before
//! it reuses one (`recently_deleted` in the kernel's `fs/ext4/ialloc.c`). Measured here: 15
//! µs per file when calm, 50–270 µs for minutes after a deleted tree of a few thousand
//! files, and the write stage of the largest spec went from 4 ms to 40–60 ms. That is the
//! disk's history, not the generator: a previous `cargo xtask bench` deleting its scratch
//! directory (criterion's hundreds of trees) is enough, and such a probe measured the run
//! before it. So the probes wait, at most [`MAX_WAIT`], until creating a file takes at most
//! [`SETTLED`], and the table shows how long one took and how long they waited. Nothing is
//! deleted here: deleting is what unsettles the disk. A measurement creates the files in
//! several new directories, and two measurements in a row must find the disk settled, since
//! the slow inodes are those of some block groups only.

use std::path::Path;
use std::time::{Duration, Instant};

use super::stats::Stats;
use super::table::{Row, Unit};

/// Creating an empty file slower than this is a disk still busy with what happened before
/// (15 µs here when calm; 50–270 µs while busy, and 22 µs once in a run whose write stages
/// were still slow, so the bound is close to calm).
pub const SETTLED: Duration = Duration::from_micros(25);

/// How many measurements in a row, [`PAUSE`] apart, must find the disk settled: the slow
/// inodes are per block group, and the directories the probes create may land in others.
const IN_A_ROW: usize = 2;

/// The pause between measurements.
const PAUSE: Duration = Duration::from_secs(10);

/// The longest wait before the probes run anyway (the row then says the disk was busy).
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// Files created per measurement, in [`DIRS`] new directories (as a generated tree spreads
/// over directories): enough to average out one slow call.
const FILES: usize = 256;
const DIRS: usize = 8;

/// How long the probes waited and what creating a file took when they started.
pub struct Disk {
    /// Seconds per file created, when the probes started.
    pub per_file: f64,
    pub waited: Duration,
}

/// Waits until creating a file in `scratch` takes at most [`SETTLED`], [`IN_A_ROW`] times
/// in a row (one measurement with `quick`).
pub fn settle(scratch: &Path, quick: bool) -> Result<Disk, String> {
    let started = Instant::now();
    let mut attempt = 0;
    let mut settled = 0;
    loop {
        let per_file = per_file(&scratch.join(format!("disk-{attempt}")))?;
        let waited = started.elapsed();
        settled = if per_file <= SETTLED.as_secs_f64() { settled + 1 } else { 0 };
        if quick || settled >= IN_A_ROW || waited >= MAX_WAIT {
            return Ok(Disk { per_file, waited });
        }
        if attempt == 0 && settled == 0 {
            eprintln!(
                "bench: creating a file takes {:.0} µs here; waiting up to {} s for the disk to settle before the generate probes",
                per_file * 1e6,
                MAX_WAIT.as_secs()
            );
        }
        std::thread::sleep(PAUSE);
        attempt += 1;
    }
}

/// Seconds per empty file created in new directories under the new directory `dir`.
fn per_file(dir: &Path) -> Result<f64, String> {
    let started = Instant::now();
    for d in 0..DIRS {
        let sub = dir.join(format!("d{d}"));
        std::fs::create_dir_all(&sub).map_err(|e| format!("{}: {e}", sub.display()))?;
        for n in 0..FILES / DIRS {
            let path = sub.join(format!("f{n}"));
            std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(started.elapsed().as_secs_f64() / FILES as f64)
}

/// The row of section `section` that reports `disk`.
pub fn row(section: &'static str, disk: &Disk) -> Row {
    let settled = disk.per_file <= SETTLED.as_secs_f64();
    let waited = match disk.waited.as_secs() {
        0 => "no wait".to_owned(),
        s => format!("after waiting {s} s for it to settle"),
    };
    let state = if settled { "" } else { "; STILL BUSY: the write stage of the rows above is slowed by the disk's history" };
    Row::new(section, "creating an empty file in the probes' directory, when they started", Unit::Seconds, Stats::once(disk.per_file))
        .note(format!("{waited}{state}; see xtask/src/bench/disk.rs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_measures_once_and_deletes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = settle(dir.path(), true).expect("settle");
        assert!(disk.per_file > 0.0);
        assert!(disk.waited < Duration::from_secs(10), "quick waited {:?}", disk.waited);
        let made: usize =
            (0..DIRS).map(|d| std::fs::read_dir(dir.path().join(format!("disk-0/d{d}"))).expect("the files are kept").count()).sum();
        assert_eq!(made, FILES);
        assert!(!dir.path().join("disk-1").exists(), "quick measured twice");
    }

    #[test]
    fn the_row_says_whether_the_disk_had_settled() {
        let note = |per_file: f64, waited: u64| {
            let row = row("s", &Disk { per_file, waited: Duration::from_secs(waited) });
            serde_json::to_value(row).ok().and_then(|r| r["note"].as_str().map(str::to_owned)).unwrap_or_default()
        };
        assert_eq!(note(10e-6, 0), "no wait; see xtask/src/bench/disk.rs");
        assert_eq!(note(10e-6, 40), "after waiting 40 s for it to settle; see xtask/src/bench/disk.rs");
        assert!(note(200e-6, 300).contains("STILL BUSY"), "{}", note(200e-6, 300));
    }
}
