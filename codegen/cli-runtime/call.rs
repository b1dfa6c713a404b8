//! The seam between the command line and the library: the table names each operation's
//! request builder and each waiter by type ([`call`], [`wait`]); the library's `Call` and
//! `Wait` traits fill them from the parsed flags and answer what Atlas sent. Nothing here
//! or in the tables is written per operation.

use std::time::Duration;

use atlas_backup::call::{Call, Received, ReceivedPoll, ReceivedWaitError, Wait};
use futures::StreamExt;
use futures::future::LocalBoxFuture;
use futures::stream::LocalBoxStream;
use serde_json::{Map, Value};

/// What a call is made of besides its builder: the parameters by the spec's names, the
/// request body (JSON text, sent as it is) and the API version asked for.
#[derive(Debug, Default, Clone)]
pub struct Input {
    pub values: Map<String, Value>,
    pub body: Option<Vec<u8>>,
    pub version: Option<&'static str>,
}

/// Makes an operation's builder (the table's `call::<Builder>`).
pub type NewCall = fn(&atlas_backup::Client, Input) -> Result<Box<dyn Ready>, atlas_backup::Error>;
/// Makes a waiter from the polled operation's parameters (the table's `wait::<Waiter>`).
pub type NewWait = fn(&atlas_backup::Client, Map<String, Value>, Delays) -> Result<Box<dyn Waiting>, atlas_backup::Error>;

/// A filled request builder, ready to send.
pub trait Ready {
    /// The request without sending it (parameters checked; no credentials).
    fn prepare(&self) -> Result<reqwest::Request, atlas_backup::Error>;
    /// The answer as received.
    fn send(self: Box<Self>) -> LocalBoxFuture<'static, Result<Received, atlas_backup::Error>>;
    /// Every page as received, for list operations (`None` for the others).
    fn pages(self: Box<Self>, concurrency: usize) -> Option<LocalBoxStream<'static, Result<Received, atlas_backup::Error>>>;
}

struct Builder<B>(B);

impl<B: Call + 'static> Ready for Builder<B> {
    fn prepare(&self) -> Result<reqwest::Request, atlas_backup::Error> {
        self.0.prepare()
    }

    fn send(self: Box<Self>) -> LocalBoxFuture<'static, Result<Received, atlas_backup::Error>> {
        Box::pin(self.0.send_received())
    }

    fn pages(self: Box<Self>, concurrency: usize) -> Option<LocalBoxStream<'static, Result<Received, atlas_backup::Error>>> {
        self.0.pages_received(concurrency).map(|s| s.boxed_local())
    }
}

/// The builder `B` filled from `input`.
pub fn call<B: Call + 'static>(client: &atlas_backup::Client, input: Input) -> Result<Box<dyn Ready>, atlas_backup::Error> {
    let mut builder = B::new(client).set_values(input.values)?;
    if let Some(body) = input.body {
        builder = builder.set_body_json(body)?;
    }
    if let Some(date) = input.version {
        builder = builder.set_api_version(date)?;
    }
    Ok(Box::new(Builder(builder)))
}

/// One poll as the command line shows it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub status: Option<u16>,
    /// The answer as received.
    pub body: Option<Vec<u8>>,
    /// Where and how the answer differs from the polled operation's model
    /// ([`mismatch_at`](crate::output::mismatch_at)), when it does.
    pub mismatch: Option<String>,
}

impl Seen {
    /// The answer decoded as JSON, to read fields of.
    pub fn json(&self) -> Option<Value> {
        self.body.as_ref().and_then(|b| serde_json::from_slice(b).ok())
    }
}

/// What a waiter's stream yields.
pub enum WaitEvent {
    /// A poll; the last one before the stream ends is the success.
    Poll(Seen),
    Failure(Seen),
    TimedOut(Seen),
    Error(atlas_backup::Error),
}

/// How long and how often to poll.
#[derive(Debug, Clone, Copy)]
pub struct Delays {
    pub min: Option<Duration>,
    pub max: Option<Duration>,
    pub timeout: Duration,
}

/// A waiter of the library, ready to poll.
pub trait Waiting {
    fn stream(self: Box<Self>) -> LocalBoxStream<'static, WaitEvent>;
}

struct Waiter<W> {
    waiter: W,
    timeout: Duration,
}

impl<W: Wait + 'static> Waiting for Waiter<W> {
    // The answers as received: the acceptors and the printed answer are what Atlas sent.
    fn stream(self: Box<Self>) -> LocalBoxStream<'static, WaitEvent> {
        self.waiter.into_received_stream(self.timeout).map(event).boxed_local()
    }
}

/// The waiter `W`, polling its operation filled from `values`.
pub fn wait<W: Wait + 'static>(
    client: &atlas_backup::Client,
    values: Map<String, Value>,
    delays: Delays,
) -> Result<Box<dyn Waiting>, atlas_backup::Error> {
    let poll = <W::Poll as Call>::new(client).set_values(values)?;
    let mut waiter = W::new(poll);
    if let Some(min) = delays.min {
        waiter = waiter.min_delay(min);
    }
    if let Some(max) = delays.max {
        waiter = waiter.max_delay(max);
    }
    Ok(Box::new(Waiter { waiter, timeout: delays.timeout }))
}

fn seen(polled: &ReceivedPoll) -> Seen {
    let received = polled.answer();
    Seen {
        status: polled.status().map(|s| s.as_u16()),
        body: received.map(|r| r.response().body().to_vec()),
        mismatch: received.and_then(crate::output::mismatch_at),
    }
}

/// The event of one item of a library waiter's stream.
fn event(item: Result<ReceivedPoll, ReceivedWaitError>) -> WaitEvent {
    match item {
        Ok(polled) => WaitEvent::Poll(seen(&polled)),
        Err(ReceivedWaitError::Failure { last, .. }) => WaitEvent::Failure(seen(&last)),
        Err(ReceivedWaitError::TimedOut { last, .. }) => WaitEvent::TimedOut(seen(&last)),
        Err(ReceivedWaitError::Call(e)) => WaitEvent::Error(e),
        Err(other) => WaitEvent::Error(atlas_backup::Error::Config(other.to_string())),
    }
}
