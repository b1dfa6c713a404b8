//! Waiting for a job: the library's waiter stream, with progress on stderr (a spinner on a
//! terminal, one line per change of state otherwise, nothing with `--quiet`), Ctrl-C
//! ending it at once, and the exit code of how it ended.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;

use crate::call::{Seen, WaitEvent, Waiting};
use crate::exit::{self, Failure};
use crate::spec::Waiter;

/// How the user asked to be told.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub quiet: bool,
}

/// `status=inProgress` (the fields the acceptors read), or the HTTP status.
pub fn state(waiter: &Waiter, seen: &Seen) -> String {
    let mut parts = Vec::new();
    if let Some(answer) = &seen.json() {
        for path in waiter.state_paths {
            let mut v = answer;
            for key in path.iter() {
                v = match v.get(key) {
                    Some(next) => next,
                    None => &Value::Null,
                };
            }
            let shown = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            parts.push(format!("{}={shown}", path.join(".")));
        }
    }
    if parts.is_empty() { seen.status.map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}")) } else { parts.join(" ") }
}

/// Polls until the waiter ends; answers the last poll of a success, its answer as received
/// (none when success is that the resource is gone).
pub async fn run(waiter: &Waiter, wait: Box<dyn Waiting>, timeout: Duration, progress: Progress) -> Result<Option<Seen>, Failure> {
    let started = Instant::now();
    let spinner = (!progress.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let mut stream = wait.stream();
    let mut polls = 0u32;
    let mut last_state = String::new();
    let mut last: Option<Seen> = None;
    let mut report = |seen: &Seen, polls: u32| {
        let state = state(waiter, seen);
        let elapsed = humantime::format_duration(Duration::from_secs(started.elapsed().as_secs()));
        match &spinner {
            Some(bar) => bar.set_message(format!("{}: {state} (polls {polls}, {elapsed})", waiter.name)),
            None if !progress.quiet && state != last_state => {
                crate::output::note(format_args!("{}: {state} (poll {polls}, {elapsed})", waiter.name));
            }
            None => {}
        }
        last_state = state;
    };
    let outcome = loop {
        let next = tokio::select! {
            next = stream.next() => next,
            _ = tokio::signal::ctrl_c() => break Err(Failure::new(exit::INTERRUPTED, format!("{}: interrupted", waiter.name))),
        };
        match next {
            None => break Ok(last.take()),
            Some(WaitEvent::Poll(seen)) => {
                polls += 1;
                report(&seen, polls);
                last = Some(seen);
            }
            Some(WaitEvent::Failure(seen)) => {
                polls += 1;
                report(&seen, polls);
                break Err(Failure::new(
                    exit::WAIT_FAILURE,
                    format!("{}: reached a failure state ({}) after {polls} polls", waiter.name, state(waiter, &seen)),
                ));
            }
            Some(WaitEvent::TimedOut(seen)) => {
                polls += 1;
                report(&seen, polls);
                break Err(Failure::new(
                    exit::WAIT_TIMEOUT,
                    format!(
                        "{}: timed out after {} and {polls} polls; last state {}",
                        waiter.name,
                        humantime::format_duration(timeout),
                        state(waiter, &seen)
                    ),
                ));
            }
            Some(WaitEvent::Error(e)) => break Err(Failure::from(e)),
        }
    };
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_is_the_fields_the_acceptors_read() {
        fn never(
            _: &atlas_backup::Client,
            _: serde_json::Map<String, Value>,
            _: crate::call::Delays,
        ) -> Result<Box<dyn Waiting>, atlas_backup::Error> {
            Err(atlas_backup::Error::Config("not polled".to_owned()))
        }
        let waiter = Waiter {
            name: "w",
            kebab: "w",
            description: "",
            operation: 0,
            state_paths: &[&["status"], &["job", "phase"]],
            min_delay: 1,
            max_delay: 2,
            wait: never,
        };
        let seen = Seen { status: Some(200), body: Some(br#"{"status":"inProgress","job":{"phase":3}}"#.to_vec()), mismatch: None };
        assert_eq!(state(&waiter, &seen), "status=inProgress job.phase=3");
        assert_eq!(state(&waiter, &Seen { status: Some(404), ..Seen::default() }), "HTTP 404");
        assert_eq!(state(&waiter, &Seen::default()), "no answer");
    }
}
