//! Waiters: polling an operation until an acceptor of its table says the job is done.
//!
//! All of the logic is here; each generated `wait_until_*` builder is a `static` table
//! ([`Waiter`]) plus the polled operation's builder. The delays follow Smithy's waiter
//! algorithm (the one the AWS SDK for Rust uses): exponential from `min_delay`, capped at
//! `max_delay`, jittered between `min_delay` and that bound, never sleeping past the
//! deadline, with one last poll at it.
//!
//! No timer is alive while a poll is in flight: the deadline is checked between polls,
//! and the only timer is the sleep before the next one. Nothing is spawned, so dropping
//! the future (or the stream) stops the waiter.

// A spec without waiters uses none of this.
#![allow(dead_code)]

use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use tracing::Instrument;

use crate::{Error, Response};

/// One waiter's table, generated as a `static`.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// The table's name (`snapshotCompleted`).
    pub name: &'static str,
    /// The polled operation's operationId.
    pub operation: &'static str,
    pub delays: Delays,
    /// Tried in order; the first that matches decides.
    pub acceptors: &'static [Acceptor],
}

/// The bounds of the wait between two polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delays {
    pub min: Duration,
    pub max: Duration,
}

impl Delays {
    /// The table's bounds, in whole seconds as the spec gives them.
    pub const fn secs(min: u64, max: u64) -> Self {
        Delays { min: Duration::from_secs(min), max: Duration::from_secs(max) }
    }
}

#[derive(Debug)]
pub(crate) struct Acceptor {
    pub state: State,
    pub matcher: Matcher,
}

impl Acceptor {
    pub const fn success(matcher: Matcher) -> Self {
        Acceptor { state: State::Success, matcher }
    }

    pub const fn failure(matcher: Matcher) -> Self {
        Acceptor { state: State::Failure, matcher }
    }

    pub const fn retry(matcher: Matcher) -> Self {
        Acceptor { state: State::Retry, matcher }
    }
}

/// What an acceptor decides when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Success,
    Failure,
    Retry,
}

/// What an acceptor looks at. Paths are JSON names, outermost first.
#[derive(Debug)]
pub(crate) enum Matcher {
    /// The string field equals one of the values.
    Equals(&'static [&'static str], &'static [&'static str]),
    /// The boolean field is true.
    IsTrue(&'static [&'static str]),
    /// The field is present and not null.
    Present(&'static [&'static str]),
    /// The array field has an element.
    NonEmpty(&'static [&'static str]),
    /// The HTTP status of the answer, or of the API error the call returned.
    Status(u16),
}

/// What one poll answered, as seen by the acceptors.
#[derive(Debug)]
#[non_exhaustive]
pub enum Polled<T> {
    /// A decoded answer.
    Answer(Response<T>),
    /// An API error that an acceptor matched by its status (a 404 for a deletion).
    Error(Error),
}

impl<T> Polled<T> {
    /// The HTTP status of the answer or of the error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Polled::Answer(r) => Some(r.status()),
            Polled::Error(e) => e.status(),
        }
    }

    /// The decoded answer, if the poll had one.
    pub fn answer(&self) -> Option<&T> {
        match self {
            Polled::Answer(r) => Some(r.body()),
            Polled::Error(_) => None,
        }
    }
}

/// Why a wait ended without reaching its success state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<T> {
    /// A `failure` acceptor matched: the job will not succeed.
    Failure {
        /// The waiter's name in the spec (`snapshotCompleted`).
        waiter: &'static str,
        polls: u32,
        /// The answer that matched.
        last: Box<Polled<T>>,
    },
    /// The maximum wait ran out; the last poll was at the deadline.
    TimedOut {
        waiter: &'static str,
        elapsed: Duration,
        polls: u32,
        /// The last answer, which no `success` or `failure` acceptor matched.
        last: Box<Polled<T>>,
    },
    /// The polled call failed in a way no acceptor matches (a bad parameter, a 403, a
    /// body that does not decode, ...): the wait ends at once. Transient failures were
    /// already retried by the client's [`RetryPolicy`](crate::RetryPolicy).
    Call(Error),
}

impl<T> WaitError<T> {
    /// The last answer, for a failure or a time-out.
    pub fn last(&self) -> Option<&Polled<T>> {
        match self {
            WaitError::Failure { last, .. } | WaitError::TimedOut { last, .. } => Some(last),
            WaitError::Call(_) => None,
        }
    }
}

impl<T> fmt::Display for WaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Failure { waiter, polls, last } => describe(f, waiter, *polls, None, last.status()),
            WaitError::TimedOut { waiter, elapsed, polls, last } => describe(f, waiter, *polls, Some(*elapsed), last.status()),
            WaitError::Call(e) => describe_call(f, e),
        }
    }
}

/// How a wait ended, in words: a failure state (`elapsed` is `None`) or a time-out, for
/// both flavours of waiter error.
pub(crate) fn describe(
    f: &mut fmt::Formatter<'_>,
    waiter: &str,
    polls: u32,
    elapsed: Option<Duration>,
    status: Option<StatusCode>,
) -> fmt::Result {
    let status = status.map(|s| format!(" (last answer {s})")).unwrap_or_default();
    match elapsed {
        None => write!(f, "waiter {waiter}: the failure state was reached after {polls} poll(s){status}"),
        Some(elapsed) => write!(f, "waiter {waiter}: gave up after {elapsed:?} and {polls} poll(s){status}"),
    }
}

pub(crate) fn describe_call(f: &mut fmt::Formatter<'_>, e: &Error) -> fmt::Result {
    write!(f, "the polled call failed: {e}")
}

/// What the acceptors look at in an answer: its status and its JSON. The typed answer
/// ([`Response`]) and the answer as received ([`Received`](crate::call::Received)) both have
/// them, so one machine polls for [`Polled`] and for [`ReceivedPoll`](crate::call::ReceivedPoll).
pub(crate) trait Decided {
    fn status(&self) -> StatusCode;
    /// The answer as JSON (an envelope's content), `None` when it is not JSON.
    fn json(&self) -> Option<serde_json::Value>;
}

impl<T: serde::Serialize> Decided for Response<T> {
    fn status(&self) -> StatusCode {
        Response::status(self)
    }

    // The models serialize back to the JSON names (read-only fields included).
    fn json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self.body()).ok()
    }
}

/// One poll of the machine, whatever the answer's flavour `A`.
#[derive(Debug)]
pub(crate) enum Poll<A> {
    Answer(A),
    /// An API error that an acceptor matched by its status.
    Error(Error),
}

/// How the machine's wait ended without success, whatever the answer's flavour `A`.
#[derive(Debug)]
pub(crate) enum End<A> {
    Failure { waiter: &'static str, polls: u32, last: Poll<A> },
    TimedOut { waiter: &'static str, elapsed: Duration, polls: u32, last: Poll<A> },
    Call(Error),
}

impl<T> From<Poll<Response<T>>> for Polled<T> {
    fn from(poll: Poll<Response<T>>) -> Self {
        match poll {
            Poll::Answer(r) => Polled::Answer(r),
            Poll::Error(e) => Polled::Error(e),
        }
    }
}

impl<T> From<End<Response<T>>> for WaitError<T> {
    fn from(end: End<Response<T>>) -> Self {
        match end {
            End::Failure { waiter, polls, last } => WaitError::Failure { waiter, polls, last: Box::new(last.into()) },
            End::TimedOut { waiter, elapsed, polls, last } => WaitError::TimedOut { waiter, elapsed, polls, last: Box::new(last.into()) },
            End::Call(e) => WaitError::Call(e),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for WaitError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Call(e) => Some(e),
            _ => None,
        }
    }
}

/// Smithy's waiter delay, given the jitter source (`fastrand`, or a fixed one in tests).
#[derive(Debug, Clone, Copy)]
struct Backoff {
    delays: Delays,
    max_wait: Duration,
    /// A number in `min..=max` (milliseconds).
    random: fn(u64, u64) -> u64,
}

fn jitter(min: u64, max: u64) -> u64 {
    fastrand::u64(min..=max)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Backoff {
    /// The sleep before poll `attempt + 1`, `elapsed` after the first poll began:
    /// `random(min, min(min * 2^(attempt-1), max))`, and the whole rest of the time when
    /// less than `min` would be left after it (the last poll is then at the deadline).
    fn delay(&self, attempt: u32, elapsed: Duration) -> Duration {
        let min = millis(self.delays.min).max(1);
        let max = millis(self.delays.max).max(min);
        let exponent = attempt.saturating_sub(1).min(63);
        let bound = min.saturating_mul(1u64 << exponent).min(max);
        let delay = Duration::from_millis((self.random)(min, bound));
        let remaining = self.max_wait.saturating_sub(elapsed);
        if remaining.saturating_sub(delay) <= Duration::from_millis(min) { remaining } else { delay }
    }
}

/// The state an acceptor decides for an answer (or an API error), if one matches.
fn decide<A: Decided>(waiter: &Waiter, polled: &Result<A, Error>) -> Option<State> {
    // The answer as JSON, made once and only when a field matcher needs it.
    let mut json: Option<Option<serde_json::Value>> = None;
    for acceptor in waiter.acceptors {
        let matched = match (&acceptor.matcher, polled) {
            (Matcher::Status(code), Ok(answer)) => answer.status().as_u16() == *code,
            // Only Atlas's answers count: a body that failed to decode also has a status.
            (Matcher::Status(code), Err(Error::Api(e))) => e.status.as_u16() == *code,
            (_, Err(_)) => false,
            (matcher, Ok(answer)) => {
                let value = json.get_or_insert_with(|| answer.json());
                value.as_ref().is_some_and(|v| field_matches(matcher, v))
            }
        };
        if matched {
            return Some(acceptor.state);
        }
    }
    None
}

fn field_matches(matcher: &Matcher, answer: &serde_json::Value) -> bool {
    let at = |path: &[&str]| path.iter().try_fold(answer, |v, name| v.get(name)).filter(|v| !v.is_null());
    match matcher {
        Matcher::Equals(path, values) => at(path).and_then(serde_json::Value::as_str).is_some_and(|s| values.contains(&s)),
        Matcher::IsTrue(path) => at(path).and_then(serde_json::Value::as_bool) == Some(true),
        Matcher::Present(path) => at(path).is_some(),
        Matcher::NonEmpty(path) => at(path).and_then(serde_json::Value::as_array).is_some_and(|a| !a.is_empty()),
        Matcher::Status(_) => false,
    }
}

struct Run<F> {
    waiter: &'static Waiter,
    backoff: Backoff,
    poll: F,
    polls: u32,
    started: Option<tokio::time::Instant>,
    warned: bool,
    done: bool,
    span: tracing::Span,
}

/// Every polled answer, until the terminal one: the success answer is the last item, and
/// a failure, a time-out or a call error is an `Err` item that ends the stream.
pub(crate) fn stream<T, F, Fut>(
    waiter: &'static Waiter,
    delays: Delays,
    max_wait: Duration,
    poll: F,
) -> impl Stream<Item = Result<Polled<T>, WaitError<T>>>
where
    T: serde::Serialize,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Response<T>, Error>>,
{
    machine(waiter, Backoff { delays, max_wait, random: jitter }, poll).map(|item| item.map(Polled::from).map_err(WaitError::from))
}

/// [`stream`] for the answers as received: `poll` is sent with
/// [`send_received`](crate::call::Call::send_received) each time, and the acceptors read
/// the JSON Atlas sent, whether or not it matches the model.
pub(crate) fn received_stream<P: crate::call::Call + Clone>(
    waiter: &'static Waiter,
    delays: Delays,
    max_wait: Duration,
    poll: P,
) -> impl Stream<Item = Result<crate::call::ReceivedPoll, crate::call::ReceivedWaitError>> {
    let send = move || {
        let poll = poll.clone();
        // An error status in Atlas's envelope is the API error it says, as on the typed path.
        async move { poll.send_received().await.and_then(crate::call::Received::into_result) }
    };
    machine(waiter, Backoff { delays, max_wait, random: jitter }, send).map(|item| item.map(Into::into).map_err(Into::into))
}

/// The waiter's polls and their decisions, on answers of either flavour.
fn machine<A, F, Fut>(waiter: &'static Waiter, backoff: Backoff, poll: F) -> impl Stream<Item = Result<Poll<A>, End<A>>>
where
    A: Decided,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<A, Error>>,
{
    let span = tracing::info_span!("atlas_wait", waiter = waiter.name, operation = waiter.operation, polls = 0u32);
    let run = Run { waiter, backoff, poll, polls: 0, started: None, warned: false, done: false, span };
    futures::stream::unfold(run, |run| {
        let span = run.span.clone();
        step(run).instrument(span)
    })
}

async fn step<A, F, Fut>(mut run: Run<F>) -> Option<(Result<Poll<A>, End<A>>, Run<F>)>
where
    A: Decided,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<A, Error>>,
{
    if run.done {
        return None;
    }
    let started = *run.started.get_or_insert_with(tokio::time::Instant::now);
    if run.polls > 0 {
        let delay = run.backoff.delay(run.polls, started.elapsed());
        tracing::debug!(?delay, "waiting before the next poll");
        tokio::time::sleep(delay).await;
    }
    run.polls += 1;
    run.span.record("polls", run.polls);
    let polled = (run.poll)().await;
    let state = decide(run.waiter, &polled);
    let (waiter, polls) = (run.waiter.name, run.polls);
    let polled = match (polled, state) {
        (Ok(answer), _) => Poll::Answer(answer),
        (Err(e), Some(_)) => Poll::Error(e),
        (Err(e), None) => {
            run.done = true;
            return Some((Err(End::Call(e)), run));
        }
    };
    match state {
        Some(State::Success) => {
            run.done = true;
            Some((Ok(polled), run))
        }
        Some(State::Failure) => {
            run.done = true;
            Some((Err(End::Failure { waiter, polls, last: polled }), run))
        }
        Some(State::Retry) | None => {
            if state.is_none() && !run.warned {
                run.warned = true;
                let status = match &polled {
                    Poll::Answer(a) => Some(a.status()),
                    Poll::Error(e) => e.status(),
                };
                tracing::warn!(?status, "an answer that no acceptor of the waiter matches (a value this crate does not know?); polling on");
            }
            let elapsed = started.elapsed();
            if elapsed >= run.backoff.max_wait {
                run.done = true;
                return Some((Err(End::TimedOut { waiter, elapsed, polls, last: polled }), run));
            }
            Some((Ok(polled), run))
        }
    }
}

/// The terminal answer of a waiter's stream.
pub(crate) async fn wait<T>(stream: impl Stream<Item = Result<Polled<T>, WaitError<T>>>) -> Result<Polled<T>, WaitError<T>> {
    let mut stream = std::pin::pin!(stream);
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item?);
    }
    // The stream always yields at least one item; should it not, say so instead of panicking.
    last.ok_or_else(|| WaitError::Call(Error::Config("the waiter ended without polling".to_owned())))
}

/// The methods every waiter has besides the setters of the polled operation's parameters,
/// written once: `timeout`, `min_delay`, `max_delay`, `wait` and `into_stream`. A waiter is
/// a struct of the polled builder (`poll`) and its delays (`delays`) with a `TABLE`.
///
/// `waiter!(Name => Answer, answer; Poll)` when success is the decoded answer, `waiter!(Name
/// => Answer, gone; Poll)` when success is an error status (the resource is gone) and `wait`
/// answers `()`; `Poll` is the polled operation's builder, for [`crate::call::Wait`].
// A spec without waiters leaves it unused.
#[allow(unused_macros)]
macro_rules! waiter {
    ($name:ident => $answer:ty, answer; $poll:ty) => {
        $crate::waiter::waiter!(@impl $name, $answer, $answer,
            " Polls until a success acceptor matches, and answers that answer; see [waiters](crate#waiters).",
            and_then(crate::waiter::answer));
        $crate::waiter::waiter!(@wait $name, $answer, $poll);
    };
    ($name:ident => $answer:ty, gone; $poll:ty) => {
        $crate::waiter::waiter!(@impl $name, $answer, (),
            " Polls until a success acceptor matches the error status (the resource is gone); see [waiters](crate#waiters).",
            map(|_gone| ()));
        $crate::waiter::waiter!(@wait $name, $answer, $poll);
    };
    (@wait $name:ident, $answer:ty, $poll:ty) => {
        impl crate::call::Wait for $name {
            type Poll = $poll;
            type Answer = $answer;

            fn new(poll: $poll) -> Self {
                $name { poll, delays: Self::TABLE.delays }
            }

            fn min_delay(self, delay: std::time::Duration) -> Self {
                <$name>::min_delay(self, delay)
            }

            fn max_delay(self, delay: std::time::Duration) -> Self {
                <$name>::max_delay(self, delay)
            }

            fn into_stream(
                self,
                max_wait: std::time::Duration,
            ) -> impl futures::Stream<Item = Result<crate::Polled<$answer>, crate::WaitError<$answer>>> {
                <$name>::into_stream(self, max_wait)
            }

            fn into_received_stream(
                self,
                max_wait: std::time::Duration,
            ) -> impl futures::Stream<Item = Result<crate::call::ReceivedPoll, crate::call::ReceivedWaitError>> {
                crate::waiter::received_stream(&Self::TABLE, self.delays, max_wait, self.poll)
            }
        }
    };
    (@impl $name:ident, $answer:ty, $output:ty, $wait_doc:literal, $($finish:tt)*) => {
        impl $name {
            /// Time limit of each poll, per attempt; overrides the client's.
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.poll = self.poll.timeout(timeout);
                self
            }

            /// The wait before the second poll (the default is in the waiter's docs); later
            /// waits double up to `max_delay`.
            pub fn min_delay(self, delay: std::time::Duration) -> Self {
                crate::request::with(self, |w| w.delays.min = delay)
            }

            /// The longest wait between two polls (the default is in the waiter's docs).
            pub fn max_delay(self, delay: std::time::Duration) -> Self {
                crate::request::with(self, |w| w.delays.max = delay)
            }

            #[doc = $wait_doc]
            pub async fn wait(self, max_wait: std::time::Duration) -> Result<$output, crate::WaitError<$answer>> {
                crate::waiter::wait(self.into_stream(max_wait)).await.$($finish)*
            }

            /// Every polled answer until the terminal one (the success answer, or a last `Err`):
            /// for progress reports; [`wait`](Self::wait) is its last item.
            pub fn into_stream(
                self,
                max_wait: std::time::Duration,
            ) -> impl futures::Stream<Item = Result<crate::Polled<$answer>, crate::WaitError<$answer>>> {
                let poll = self.poll;
                crate::waiter::stream(&Self::TABLE, self.delays, max_wait, move || poll.clone().send_with_metadata())
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use waiter;

/// The decoded answer of a waiter whose success is an answer.
pub(crate) fn answer<T>(polled: Polled<T>) -> Result<T, WaitError<T>> {
    match polled {
        Polled::Answer(r) => Ok(r.into_body()),
        Polled::Error(e) => Err(WaitError::Call(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn backoff(min: u64, max: u64, max_wait: u64, random: fn(u64, u64) -> u64) -> Backoff {
        Backoff { delays: Delays { min: S * min as u32, max: S * max as u32 }, max_wait: S * max_wait as u32, random }
    }

    fn upper(_: u64, max: u64) -> u64 {
        max
    }

    fn middle(min: u64, max: u64) -> u64 {
        (min + max) / 2
    }

    /// The delays of a whole run, each poll taking no time: (delay, elapsed before it).
    fn run(b: &Backoff) -> Vec<(u64, u64)> {
        let mut elapsed = Duration::ZERO;
        let mut out = Vec::new();
        for attempt in 1..100 {
            if elapsed >= b.max_wait {
                break;
            }
            let d = b.delay(attempt, elapsed);
            out.push((d.as_secs(), elapsed.as_secs()));
            elapsed += d;
        }
        out
    }

    #[test]
    fn first_delay_is_min_then_doubles_up_to_the_cap() {
        let b = backoff(2, 20, 3600, upper);
        let delays: Vec<u64> = run(&b).iter().take(6).map(|(d, _)| *d).collect();
        assert_eq!(delays, [2, 4, 8, 16, 20, 20]);
    }

    #[test]
    fn the_last_sleep_ends_at_the_deadline() {
        // Smithy-rs's own numbers (min 2 s, max 120 s, 300 s, jitter at the middle).
        let b = backoff(2, 120, 300, middle);
        assert_eq!(run(&b), [(2, 0), (3, 2), (5, 5), (9, 10), (17, 19), (33, 36), (61, 69), (61, 130), (61, 191), (48, 252)]);
        let total: u64 = run(&b).iter().map(|(d, _)| d).sum();
        assert_eq!(total, 300, "never past the deadline, and the last poll is at it");
    }

    #[test]
    fn jitter_stays_between_min_and_the_bound() {
        let b = backoff(3, 30, 100_000, jitter);
        for _ in 0..200 {
            for attempt in 1..10u32 {
                let d = b.delay(attempt, Duration::ZERO);
                let bound = (3 * (1u64 << (attempt - 1))).min(30);
                assert!(d >= 3 * S && d <= S * bound as u32, "attempt {attempt}: {d:?} not in 3..={bound} s");
            }
        }
    }

    #[test]
    fn a_huge_attempt_count_does_not_overflow() {
        let b = backoff(1, 7, 100_000, upper);
        assert_eq!(b.delay(u32::MAX, Duration::ZERO), 7 * S);
    }

    static TABLE: Waiter = Waiter {
        name: "snapshotCompleted",
        operation: "getThing",
        delays: Delays { min: Duration::from_secs(2), max: Duration::from_secs(20) },
        acceptors: &[
            Acceptor { state: State::Success, matcher: Matcher::Equals(&["status"], &["completed"]) },
            Acceptor { state: State::Failure, matcher: Matcher::IsTrue(&["inner", "failed"]) },
            Acceptor { state: State::Success, matcher: Matcher::NonEmpty(&["urls"]) },
            Acceptor { state: State::Retry, matcher: Matcher::Equals(&["status"], &["queued", "inProgress"]) },
            Acceptor { state: State::Success, matcher: Matcher::Status(404) },
        ],
    };

    fn ok(body: serde_json::Value) -> Result<Response<serde_json::Value>, Error> {
        Ok(Response::new(body, StatusCode::OK, Default::default(), 1))
    }

    #[test]
    fn acceptors_decide_in_order() {
        use serde_json::json;
        assert_eq!(decide(&TABLE, &ok(json!({"status": "completed"}))), Some(State::Success));
        assert_eq!(decide(&TABLE, &ok(json!({"status": "queued", "inner": {"failed": true}}))), Some(State::Failure));
        assert_eq!(decide(&TABLE, &ok(json!({"status": "queued"}))), Some(State::Retry));
        assert_eq!(decide(&TABLE, &ok(json!({"urls": []}))), None);
        assert_eq!(decide(&TABLE, &ok(json!({"urls": ["u"]}))), Some(State::Success));
        assert_eq!(decide(&TABLE, &ok(json!({"status": "somethingNew"}))), None);
        assert_eq!(decide(&TABLE, &ok(json!({"status": null}))), None);
        let not_found: Result<Response<serde_json::Value>, Error> = Err(Error::Api(Box::new(crate::error::ApiErrorResponse {
            status: StatusCode::NOT_FOUND,
            headers: Default::default(),
            body: crate::error::ApiErrorBody::Raw(String::new()),
            attempts: 1,
        })));
        assert_eq!(decide(&TABLE, &not_found), Some(State::Success));
        assert_eq!(decide::<Response<serde_json::Value>>(&TABLE, &Err(Error::Config("x".into()))), None);
    }

    /// Polls on tokio's paused clock against a scripted answer list; answers each poll's
    /// time (since the start) and the wait's result.
    async fn scripted(
        statuses: &[&'static str],
        max_wait: u64,
    ) -> (Vec<Duration>, Result<Polled<serde_json::Value>, WaitError<serde_json::Value>>) {
        let answer = |status: &'static str| ok(serde_json::json!({ "status": status }));
        let (times, items) = script(statuses, max_wait, answer).await;
        let result = wait(futures::stream::iter(items).map(|i| i.map(Polled::from).map_err(WaitError::from))).await;
        (times, result)
    }

    /// The machine polling answers made by `answer` from `script` in turn (the last one again
    /// and again): each poll's time and every item.
    async fn script<A: Decided>(
        script: &[&'static str],
        max_wait: u64,
        answer: impl Fn(&'static str) -> Result<A, Error>,
    ) -> (Vec<Duration>, Vec<Result<Poll<A>, End<A>>>) {
        let start = tokio::time::Instant::now();
        let times = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let script: Vec<&'static str> = script.to_vec();
        let mut n = 0;
        let seen = times.clone();
        let poll = move || {
            seen.lock().unwrap().push(start.elapsed());
            let next = answer(script[n.min(script.len() - 1)]);
            n += 1;
            async move { next }
        };
        let b = Backoff { delays: TABLE.delays, max_wait: S * max_wait as u32, random: upper };
        let items = machine(&TABLE, b, poll).collect().await;
        let times = times.lock().unwrap().clone();
        (times, items)
    }

    #[tokio::test(start_paused = true)]
    async fn polls_until_success_with_the_delays_chosen() {
        let (times, result) = scripted(&["queued", "inProgress", "inProgress", "completed"], 600).await;
        assert_eq!(times, [0, 2, 6, 14].map(|s| S * s));
        assert!(matches!(result, Ok(Polled::Answer(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_with_a_last_poll_at_the_deadline() {
        let (times, result) = scripted(&["queued"], 30).await;
        assert_eq!(times, [0, 2, 6, 14, 30].map(|s| S * s), "16 s would leave less than min: the last sleep is to the deadline");
        match result {
            Err(WaitError::TimedOut { elapsed, polls, .. }) => {
                assert_eq!(elapsed, 30 * S);
                assert_eq!(polls, 5);
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn unknown_values_keep_polling() {
        let (times, result) = scripted(&["brandNew", "brandNew", "completed"], 600).await;
        assert_eq!(times.len(), 3);
        assert!(result.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_max_wait_polls_once() {
        let (times, result) = scripted(&["queued"], 0).await;
        assert_eq!(times, [Duration::ZERO]);
        assert!(matches!(result, Err(WaitError::TimedOut { polls: 1, .. })));
    }

    /// An answer as received: `body` as Atlas sent it, with a mismatch when `broken`.
    fn received(body: &str, broken: bool, envelope: bool) -> crate::call::Received {
        let bytes = bytes::Bytes::from(body.to_owned());
        let response = Response::new(bytes.clone(), StatusCode::OK, Default::default(), 1).with_received(bytes);
        let mismatch = broken.then(|| serde_json::from_str::<u8>("\"x\"").expect_err("not a number"));
        crate::call::Received::new(response, mismatch, envelope, None)
    }

    fn not_found() -> Error {
        Error::Api(Box::new(crate::error::ApiErrorResponse {
            status: StatusCode::NOT_FOUND,
            headers: Default::default(),
            body: crate::error::ApiErrorBody::Raw(String::new()),
            attempts: 1,
        }))
    }

    #[test]
    fn acceptors_decide_on_the_json_received() {
        let decided = |body: &str, envelope: bool| decide(&TABLE, &Ok(received(body, true, envelope)));
        // A field the model types otherwise does not hide the state the acceptors read.
        assert_eq!(decided(r#"{"storageSizeBytes":"lots","status":"completed","extra":[1]}"#, false), Some(State::Success));
        assert_eq!(decided(r#"{"status":"queued","inner":{"failed":true}}"#, false), Some(State::Failure));
        assert_eq!(decided(r#"{"status":"brandNew"}"#, false), None);
        assert_eq!(decided("not JSON", false), None);
        // With an envelope, its content; not the envelope's own `status`.
        assert_eq!(decided(r#"{"status":200,"content":{"status":"queued"}}"#, true), Some(State::Retry));
        assert_eq!(decided(r#"{"status":"completed","content":{"status":"queued"}}"#, true), Some(State::Retry));
        assert_eq!(decide::<crate::call::Received>(&TABLE, &Err(not_found())), Some(State::Success));
    }

    /// The machine on answers as received, on tokio's paused clock: each poll's time and
    /// the wait's end.
    async fn scripted_received(
        bodies: &[&'static str],
        max_wait: u64,
    ) -> (Vec<Duration>, Vec<Result<crate::call::ReceivedPoll, crate::call::ReceivedWaitError>>) {
        let (times, items) = script(bodies, max_wait, |body| Ok(received(body, true, false))).await;
        (times, items.into_iter().map(|i| i.map(Into::into).map_err(Into::into)).collect())
    }

    #[tokio::test(start_paused = true)]
    async fn polls_as_received_until_success_whatever_the_model_says() {
        let last = r#"{"status":"completed","storageSizeBytes":"lots","new":1.50}"#;
        let (times, items) = scripted_received(&[r#"{"status":"brandNew","id":7}"#, r#"{"status":"inProgress","id":[]}"#, last], 600).await;
        assert_eq!(times, [0, 2, 6].map(|s| S * s));
        assert_eq!(items.len(), 3);
        match items.last() {
            Some(Ok(crate::call::ReceivedPoll::Answer(r))) => {
                assert_eq!(r.response().body(), last.as_bytes(), "the answer as sent");
                assert!(r.mismatch().is_some(), "and how it differs from the model");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_received_failure_and_time_out_keep_the_last_answer() {
        let failed = r#"{"status":"queued","inner":{"failed":true},"n":"x"}"#;
        let (_, items) = scripted_received(&[failed], 600).await;
        match items.as_slice() {
            [Err(e @ crate::call::ReceivedWaitError::Failure { polls: 1, .. })] => {
                assert_eq!(e.last().and_then(|l| l.answer()).map(|r| r.response().body().clone()), Some(failed.into()));
                assert_eq!(e.to_string(), "waiter snapshotCompleted: the failure state was reached after 1 poll(s) (last answer 200 OK)");
            }
            other => panic!("{other:?}"),
        }
        let (times, items) = scripted_received(&[r#"{"status":"queued"}"#], 30).await;
        assert_eq!(times.len(), 5);
        match items.last() {
            Some(Err(e @ crate::call::ReceivedWaitError::TimedOut { polls: 5, .. })) => {
                assert_eq!(e.to_string(), "waiter snapshotCompleted: gave up after 30s and 5 poll(s) (last answer 200 OK)");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_404_in_the_envelope_is_the_api_error_an_acceptor_matches() {
        // `into_result`, as `received_stream` sends: the envelope's 404 is the API error.
        let response = Response::new(bytes::Bytes::new(), StatusCode::OK, Default::default(), 1);
        let gone = crate::call::Received::new(response, None, true, Some(not_found()));
        let mut answers = vec![Ok(received(r#"{"status":"queued"}"#, false, false)), gone.into_result()].into_iter();
        let poll = move || {
            let next = answers.next().unwrap_or_else(|| Err(Error::Config("polled too often".into())));
            async move { next }
        };
        let b = Backoff { delays: TABLE.delays, max_wait: 600 * S, random: upper };
        let items: Vec<_> = machine(&TABLE, b, poll).collect().await;
        assert!(matches!(items.as_slice(), [Ok(Poll::Answer(_)), Ok(Poll::Error(Error::Api(e)))] if e.status == StatusCode::NOT_FOUND));
    }
}
