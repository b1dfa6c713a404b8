//! The report: its rows (a value against a baseline, and a target), and how it is printed
//! (a Markdown table, or JSON), with the date, the machine and its load.

use std::fmt::Write as _;

use serde::Serialize;

use super::stats::Stats;

/// What a row is measured in.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Seconds,
    Kib,
    Lines,
}

#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    name: String,
    value: Stats,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// As printed, e.g. `≤ 3× baseline`.
    text: String,
    /// `None` with `--quick`: a single rough run judges nothing.
    met: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    section: &'static str,
    name: String,
    unit: Unit,
    value: Stats,
    baseline: Option<Baseline>,
    /// value / baseline (medians).
    ratio: Option<f64>,
    target: Option<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Row {
    pub fn new(section: &'static str, name: impl Into<String>, unit: Unit, value: Stats) -> Row {
        Row { section, name: name.into(), unit, value, baseline: None, ratio: None, target: None, note: None }
    }

    pub fn against(mut self, name: impl Into<String>, baseline: Stats) -> Row {
        self.ratio = (baseline.median > 0.0).then(|| self.value.median / baseline.median);
        self.baseline = Some(Baseline { name: name.into(), value: baseline });
        self
    }

    /// A target on the ratio to the baseline.
    pub fn max_ratio(mut self, max: f64, quick: bool) -> Row {
        let met = self.ratio.map(|r| r <= max);
        // Two decimals at most (a third is `≤ 0.33×`), no trailing zeros (`≤ 3×`).
        let shown = format!("{max:.2}");
        let shown = shown.trim_end_matches('0').trim_end_matches('.');
        self.target = Some(Target { text: format!("≤ {shown}×"), met: if quick { None } else { met } });
        self
    }

    /// A target on the value itself (and on the ratio when `ratio` is given).
    pub fn max_value(mut self, max: f64, ratio: Option<f64>, quick: bool) -> Row {
        let mut met = self.value.median <= max;
        let mut text = format!("≤ {}", format_value(self.unit, max));
        if let Some(r) = ratio {
            met &= self.ratio.is_some_and(|x| x <= r);
            text = format!("≤ {r}× and {text}");
        }
        self.target = Some(Target { text, met: if quick { None } else { Some(met) } });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Row {
        self.note = Some(note.into());
        self
    }

    /// A target judged by the caller: a count, not a timing, so it is judged even with
    /// `--quick`.
    pub fn judged(mut self, text: impl Into<String>, met: bool) -> Row {
        self.target = Some(Target { text: text.into(), met: Some(met) });
        self
    }
}

#[derive(Serialize)]
pub struct Report {
    pub date: String,
    pub machine: String,
    /// The 1-minute load average when the run started and ended: other work on the machine
    /// slows the rows down, the ratios less.
    pub load_average: [Option<f64>; 2],
    pub quick: bool,
    /// How long the whole run took.
    pub seconds: f64,
    pub rows: Vec<Row>,
}

fn format_value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Seconds if v >= 1.0 => format!("{v:.2} s"),
        Unit::Seconds if v >= 1e-3 => format!("{:.1} ms", v * 1e3),
        Unit::Seconds => format!("{:.1} µs", v * 1e6),
        Unit::Kib => format!("{:.1} MiB", v / 1024.0),
        Unit::Lines => format!("{v:.0}"),
    }
}

fn format_stats(unit: Unit, s: &Stats) -> String {
    if s.runs <= 1 || s.min == s.max {
        format!("{} (n={})", format_value(unit, s.median), s.runs)
    } else {
        format!("{} [{} – {}] (n={})", format_value(unit, s.median), format_value(unit, s.min), format_value(unit, s.max), s.runs)
    }
}

/// The report as a Markdown table, one section after another.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let load = match report.load_average {
        [Some(a), Some(b)] => format!(", load average {a:.1} at the start and {b:.1} at the end"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "\ncargo xtask bench{}: {}; {}{load}; {:.0} s\n",
        if report.quick { " --quick (rough: one run per row, dev profile; targets not judged)" } else { "" },
        report.date,
        report.machine,
        report.seconds
    );
    let _ = writeln!(out, "| row | measured: median [min – max] (n) | baseline: median [min – max] (n) | ratio | target | met |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let mut section = "";
    for row in &report.rows {
        if row.section != section {
            section = row.section;
            let _ = writeln!(out, "| **{section}** | | | | | |");
        }
        let baseline = row.baseline.as_ref().map(|b| format!("{}: {}", b.name, format_stats(row.unit, &b.value))).unwrap_or_default();
        let ratio = row.ratio.map(|r| format!("{r:.2}×")).unwrap_or_default();
        let (target, met) = match &row.target {
            Some(t) => (
                t.text.clone(),
                match t.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "–",
                },
            ),
            None => (String::new(), ""),
        };
        let mut name = row.name.clone();
        if let Some(note) = &row.note {
            name = format!("{name} ({note})");
        }
        let _ = writeln!(out, "| {name} | {} | {baseline} | {ratio} | {target} | {met} |", format_stats(row.unit, &row.value));
    }
    out
}

/// The date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to the proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The 1-minute load average (Linux).
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Cores and CPU model, as this machine says.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map(std::num::NonZeroUsize::get).unwrap_or(1);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    format!("{cores} cores, {cpu}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn ratios_and_targets() {
        let row = Row::new("s", "r", Unit::Seconds, Stats::once(2.0)).against("b", Stats::once(1.0)).max_ratio(3.0, false);
        assert_eq!(row.ratio, Some(2.0));
        assert_eq!(row.target.as_ref().and_then(|t| t.met), Some(true));
        let row = Row::new("s", "r", Unit::Seconds, Stats::once(0.6)).against("b", Stats::once(0.1)).max_value(0.5, Some(3.0), false);
        assert_eq!(row.target.as_ref().and_then(|t| t.met), Some(false));
        let quick = Row::new("s", "r", Unit::Seconds, Stats::once(9.0)).against("b", Stats::once(1.0)).max_ratio(3.0, true);
        assert_eq!(quick.target.as_ref().and_then(|t| t.met), None);
    }

    #[test]
    fn table_has_one_line_per_row_and_section_headers() {
        let report = Report {
            date: "2026-11-23".to_owned(),
            machine: "2 cores".to_owned(),
            load_average: [None, None],
            quick: false,
            seconds: 1.0,
            rows: vec![
                Row::new("1. Generate, whole API", "a", Unit::Seconds, Stats::once(0.25)).against("b", Stats::once(0.1)),
                Row::new("3. Stages", "c", Unit::Kib, Stats::once(2048.0)),
            ],
        };
        let text = table(&report);
        assert!(text.contains("| a | 250.0 ms (n=1) | b: 100.0 ms (n=1) | 2.50× |"), "{text}");
        assert!(text.contains("| **3. Stages** |") && text.contains("| c | 2.0 MiB (n=1) |"), "{text}");
    }
}
