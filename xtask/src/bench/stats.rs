//! Medians, and reading what the benches wrote.

use std::path::Path;

use serde::Serialize;

/// The summary of several measurements of one thing.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// How many measurements.
    pub runs: usize,
}

impl Stats {
    /// `None` for no values (NaNs are left out).
    pub fn of(values: &[f64]) -> Option<Stats> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Some(Stats { median, min: v[0], max: v[n - 1], runs: n })
    }

    /// One value, measured once.
    pub fn once(value: f64) -> Stats {
        Stats { median: value, min: value, max: value, runs: 1 }
    }
}

/// What criterion measured for one benchmark, per iteration, in seconds: each sample's time
/// divided by its iteration count, from `<criterion home>/<group>/<function>/new/sample.json`.
pub fn criterion(home: &Path, group: &str, function: &str) -> Result<Stats, String> {
    let path = home.join(group).join(function).join("new/sample.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e} (did the benchmark `{group}/{function}` run?)", path.display()))?;
    #[derive(serde::Deserialize)]
    struct Sample {
        iters: Vec<f64>,
        times: Vec<f64>,
    }
    let sample: Sample = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not criterion's sample format ({e}); is criterion still the pinned version?", path.display()))?;
    let per_iteration: Vec<f64> =
        sample.iters.iter().zip(&sample.times).filter(|(iters, _)| **iters > 0.0).map(|(iters, ns)| ns / iters / 1e9).collect();
    Stats::of(&per_iteration).ok_or_else(|| format!("{}: no samples", path.display()))
}

/// The client benchmark's paired batches (`client/paired.json`, written by
/// tests/benches/client.rs): the generated client's and bare reqwest's mean time per call,
/// batch by batch, each pair measured in the same seconds.
pub fn paired(home: &Path) -> Result<Paired, String> {
    let path = home.join("client/paired.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e} (did the client benchmark run?)", path.display()))?;
    #[derive(serde::Deserialize)]
    struct Batches {
        generated_s: Vec<f64>,
        bare_reqwest_s: Vec<f64>,
        bare_reqwest_timeout_s: Vec<f64>,
    }
    let p: Batches = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let n = p.generated_s.len();
    if p.bare_reqwest_s.len() != n || p.bare_reqwest_timeout_s.len() != n {
        return Err(format!(
            "{}: {n} generated batches but {} bare and {} bare-with-timeout ones",
            path.display(),
            p.bare_reqwest_s.len(),
            p.bare_reqwest_timeout_s.len()
        ));
    }
    match (Stats::of(&p.generated_s), Stats::of(&p.bare_reqwest_s), Stats::of(&p.bare_reqwest_timeout_s)) {
        (Some(generated), Some(bare), Some(bare_timeout)) => Ok(Paired { generated, bare, bare_timeout }),
        _ => Err(format!("{}: no batches", path.display())),
    }
}

/// The client bench's batches: the generated client, bare reqwest, and bare reqwest with
/// the generated client's default timeout, measured in the same batches.
#[derive(Debug, Clone, Copy)]
pub struct Paired {
    pub generated: Stats,
    pub bare: Stats,
    pub bare_timeout: Stats,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(Stats::of(&[3.0, 1.0, 2.0]).map(|s| (s.median, s.min, s.max)), Some((2.0, 1.0, 3.0)));
        assert_eq!(Stats::of(&[4.0, 1.0, 2.0, 3.0]).map(|s| s.median), Some(2.5));
        assert_eq!(Stats::of(&[]), None);
    }

    #[test]
    fn criterion_samples_are_per_iteration() {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = dir.path().join("g/f/new");
        std::fs::create_dir_all(&at).expect("mkdir");
        std::fs::write(at.join("sample.json"), r#"{"sampling_mode":"Flat","iters":[2.0,2.0,4.0],"times":[2e9,4e9,4e9]}"#).expect("write");
        let s = criterion(dir.path(), "g", "f").expect("read");
        assert_eq!((s.median, s.min, s.max, s.runs), (1.0, 1.0, 2.0, 3));
        assert!(criterion(dir.path(), "g", "missing").is_err());
    }

    #[test]
    fn paired_batches_must_pair_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("client")).expect("mkdir");
        let file = dir.path().join("client/paired.json");
        std::fs::write(&file, r#"{"generated_s":[3.0,1.0,2.0],"bare_reqwest_s":[1.0,2.0,4.0],"bare_reqwest_timeout_s":[5.0,1.0,3.0]}"#)
            .expect("write");
        let p = paired(dir.path()).expect("read");
        assert_eq!((p.generated.median, p.bare.median, p.bare_timeout.median, p.generated.runs), (2.0, 2.0, 3.0, 3));
        std::fs::write(&file, r#"{"generated_s":[1.0],"bare_reqwest_s":[1.0],"bare_reqwest_timeout_s":[]}"#).expect("write");
        assert!(paired(dir.path()).is_err());
    }
}
