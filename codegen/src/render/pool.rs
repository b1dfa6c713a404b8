//! Renders files on worker threads: each job is a whole file, the results come back in job
//! order whatever the scheduling, with the time of each step summed over the threads.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::timing::{self, RenderTimes};
use crate::error::Error;

/// Worker threads to render with: one per core, or `ATLAS_CODEGEN_THREADS` (the benches
/// set it to 1 to measure what the parallelism buys).
fn threads(jobs: usize) -> usize {
    threads_for(std::env::var("ATLAS_CODEGEN_THREADS").ok().as_deref(), jobs)
}

/// [`threads`] given the variable's value: never more threads than jobs, never none.
fn threads_for(wanted: Option<&str>, jobs: usize) -> usize {
    let wanted = wanted
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(std::num::NonZeroUsize::get))
        .unwrap_or(1);
    wanted.min(jobs).max(1)
}

/// What one render thread did: (job index, file text) per job it ran, and its times.
type ThreadOutput = (Vec<(usize, Result<String, Error>)>, RenderTimes);

/// Runs `run` on every job and answers the results in job order (so the output does not
/// depend on scheduling), with the time per step summed over the threads. Jobs of the
/// highest `cost` start first, so that no thread is left with a big file at the end.
///
/// Plain scoped threads pulling the next job from a shared counter: jobs are whole files
/// (hundreds of them, each milliseconds of work), so there is nothing for a work-stealing
/// pool such as rayon to add but a dependency.
pub(super) fn run_jobs<J: Sync>(
    jobs: &[J],
    cost: impl Fn(&J) -> usize,
    run: impl Fn(&J) -> Result<String, Error> + Sync,
) -> (Vec<Result<String, Error>>, RenderTimes) {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&jobs[i])));
    let threads = threads(jobs.len());
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        let mut times = RenderTimes::default();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let (result, t) = timing::measure(|| run(&jobs[i]));
            // The file is printed: its doc blocks and rows are no longer needed.
            super::docs::forget();
            super::rows::forget();
            times.add(&t);
            done.push((i, result));
        }
        (done, times)
    };
    // Worker threads even for one: the doc blocks dropped above are per thread, and the
    // caller's own (if it renders a view itself) must not be touched.
    let per_thread: Vec<ThreadOutput> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut slots: Vec<Option<Result<String, Error>>> = jobs.iter().map(|_| None).collect();
    let mut times = RenderTimes { threads, ..RenderTimes::default() };
    for (done, t) in per_thread {
        times.add(&t);
        for (i, result) in done {
            slots[i] = Some(result);
        }
    }
    let results = slots
        .into_iter()
        .map(|slot| {
            // Every index is taken exactly once by the counter above.
            slot.unwrap_or_else(|| {
                Err(Error::Render { template: "render", item: "a file".to_owned(), message: "a file was not rendered".to_owned() })
            })
        })
        .collect();
    (results, times)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_count_follows_the_variable_within_the_number_of_jobs() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let cases = [
            (Some("3"), 10, 3),
            (Some(" 2 "), 10, 2),
            (Some("8"), 3, 3),
            (Some("0"), 100, cores.min(100)),
            (Some("many"), 100, cores.min(100)),
            (None, 1, 1),
            (Some("4"), 0, 1),
        ];
        for (var, jobs, want) in cases {
            assert_eq!(threads_for(var, jobs), want, "{var:?} with {jobs} jobs");
        }
    }

    #[test]
    fn results_come_back_in_job_order_whatever_the_cost() {
        let jobs: Vec<usize> = (0..50).collect();
        // The cheapest jobs by cost are the last ones: they start first.
        let (results, times) = run_jobs(&jobs, |&j| j, |&j| Ok(format!("file {j}")));
        let texts: Vec<String> = results.into_iter().map(|r| r.expect("no job fails")).collect();
        assert_eq!(texts, jobs.iter().map(|j| format!("file {j}")).collect::<Vec<_>>());
        assert!(times.threads >= 1);
    }

    #[test]
    fn a_failing_job_answers_its_error_in_its_place() {
        let jobs = ["a", "bad", "c"];
        let (results, _) = run_jobs(
            &jobs,
            |_| 1,
            |&j| match j {
                "bad" => Err(Error::Render { template: "t", item: j.to_owned(), message: "broken".to_owned() }),
                other => Ok(other.to_owned()),
            },
        );
        assert!(matches!(&results[0], Ok(t) if t == "a"));
        assert!(matches!(&results[1], Err(Error::Render { item, .. }) if item == "bad"));
        assert!(matches!(&results[2], Ok(t) if t == "c"));
    }
}
