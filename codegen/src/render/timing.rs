//! Where render time goes: per-thread clocks of the `syn` parse and the `prettyplease`
//! print, which [`super::pool`] reads around each file it renders.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Time spent rendering, by step. The steps of one file run on one thread, files run on
/// several; each step is summed over the threads, so the three add up to more than the
/// stage's wall time when files ran in parallel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderTimes {
    /// Building the template views and running the askama templates (everything but the two
    /// steps below).
    pub template: Duration,
    /// `syn::parse_file` of the rendered text.
    pub parse: Duration,
    /// `prettyplease::unparse` of the parsed items.
    pub print: Duration,
    /// How many threads rendered files.
    pub threads: usize,
}

impl RenderTimes {
    pub(super) fn add(&mut self, other: &RenderTimes) {
        self.template += other.template;
        self.parse += other.parse;
        self.print += other.print;
    }
}

thread_local! {
    static PARSE: Cell<Duration> = const { Cell::new(Duration::ZERO) };
    static PRINT: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Runs `f` (one file's work) and answers its result and time by step.
pub(super) fn measure<T>(f: impl FnOnce() -> T) -> (T, RenderTimes) {
    PARSE.set(Duration::ZERO);
    PRINT.set(Duration::ZERO);
    let start = Instant::now();
    let out = f();
    let (parse, print) = (PARSE.take(), PRINT.take());
    let times = RenderTimes { template: start.elapsed().saturating_sub(parse + print), parse, print, threads: 0 };
    (out, times)
}

/// Counts `f` as parsing (building or freeing syntax trees).
pub(super) fn parse<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    PARSE.set(PARSE.get() + start.elapsed());
    out
}

/// Counts `f` as printing.
pub(super) fn print<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    PRINT.set(PRINT.get() + start.elapsed());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(d: Duration) {
        let start = Instant::now();
        while start.elapsed() < d {
            std::hint::spin_loop();
        }
    }

    #[test]
    fn parse_and_print_are_split_out_of_the_files_time() {
        let ms = Duration::from_millis(1);
        let wall = Instant::now();
        let (out, t) = measure(|| {
            parse(|| spin(2 * ms));
            print(|| spin(3 * ms));
            spin(ms);
            7
        });
        assert_eq!(out, 7);
        assert!(t.parse >= 2 * ms && t.print >= 3 * ms && t.template >= ms, "{t:?}");
        // The template step is what is left of the whole, not the whole: the steps add up
        // to no more than the wall time.
        assert!(t.template + t.parse + t.print <= wall.elapsed(), "{t:?}");
    }

    #[test]
    fn each_measure_starts_from_zero() {
        let _ = measure(|| parse(|| spin(Duration::from_millis(2))));
        let ((), t) = measure(|| {});
        assert_eq!((t.parse, t.print), (Duration::ZERO, Duration::ZERO));
    }

    #[test]
    fn add_sums_the_steps_and_keeps_the_thread_count() {
        let mut a =
            RenderTimes { template: Duration::from_secs(1), parse: Duration::from_secs(2), print: Duration::from_secs(3), threads: 2 };
        a.add(&a.clone());
        assert_eq!(
            a,
            RenderTimes { template: Duration::from_secs(2), parse: Duration::from_secs(4), print: Duration::from_secs(6), threads: 2 }
        );
    }
}
