//! The seam between the command line and the library: the parsed flags as [`Values`], and
//! the library's request builders and waiters behind two small traits, implemented for
//! each generated builder by the macros below (the generated code names the builder; the
//! logic is here).

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use futures::stream::LocalBoxStream;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::exit::Failure;

/// The parameters of one call, by the spec's names, as JSON values of their types; the
/// request body under [`Values::BODY`].
#[derive(Debug, Default, Clone)]
pub struct Values(BTreeMap<String, Value>);

impl Values {
    /// The key of the decoded request body.
    pub const BODY: &'static str = "@body";
    /// The key of `--api-version`.
    pub const API_VERSION: &'static str = "@api-version";

    pub fn insert(&mut self, name: &str, value: Value) {
        self.0.insert(name.to_owned(), value);
    }

    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The API version asked for with `--api-version` (a date the operation lists).
    pub fn api_version(&self) -> Option<&str> {
        self.0.get(Self::API_VERSION).and_then(Value::as_str)
    }

    /// The value of `name` as the library's setter takes it (`String`, `i32`, an enum of
    /// the models, a `Vec`), or `None` when it was not given.
    pub fn get<T: DeserializeOwned>(&self, name: &'static str) -> Result<Option<T>, Failure> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|e| Failure::usage(format!("--{name}: {e}"))),
        }
    }

    /// The request body, already checked against the operation's field table, decoded into
    /// the library's request type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<Option<T>, Failure> {
        match self.0.get(Self::BODY) {
            None => Ok(None),
            Some(v) => serde_path_to_error::deserialize(v.clone())
                .map(Some)
                .map_err(|e| Failure::usage(format!("the body at `{}`: {}", e.path(), e.inner()))),
        }
    }
}

/// What a call answered.
pub enum Answer {
    Json(Value),
    Empty,
    Bytes(Vec<u8>),
}

/// A request builder of the library, ready to send.
pub trait Call {
    /// The request without sending it (parameters checked; no credentials).
    fn prepare(&self) -> Result<reqwest::Request, atlas_backup::Error>;
    fn send(self: Box<Self>) -> LocalBoxFuture<'static, Result<Answer, atlas_backup::Error>>;
    /// Every item of every page, for list operations (`None` for the others).
    fn pages(self: Box<Self>, concurrency: usize) -> Option<LocalBoxStream<'static, Result<Value, atlas_backup::Error>>>;
}

/// One poll as the command line shows it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub status: Option<u16>,
    pub answer: Option<Value>,
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
pub trait Wait {
    fn stream(self: Box<Self>, delays: Delays) -> LocalBoxStream<'static, WaitEvent>;
}

/// The view of a polled answer.
pub fn seen<T: serde::Serialize>(polled: &atlas_backup::Polled<T>) -> Seen {
    Seen { status: polled.status().map(|s| s.as_u16()), answer: polled.answer().and_then(|a| serde_json::to_value(a).ok()) }
}

/// The event of one item of a library waiter's stream.
pub fn event<T: serde::Serialize>(item: Result<atlas_backup::Polled<T>, atlas_backup::WaitError<T>>) -> WaitEvent {
    match item {
        Ok(polled) => WaitEvent::Poll(seen(&polled)),
        Err(atlas_backup::WaitError::Failure { last, .. }) => WaitEvent::Failure(seen(&last)),
        Err(atlas_backup::WaitError::TimedOut { last, .. }) => WaitEvent::TimedOut(seen(&last)),
        Err(atlas_backup::WaitError::Call(e)) => WaitEvent::Error(e),
        Err(other) => WaitEvent::Error(atlas_backup::Error::Config(other.to_string())),
    }
}

/// `call!(json Builder)`, `call!(list Builder)`, `call!(empty Builder)`,
/// `call!(bytes Builder)`: [`Call`] for a library builder, by what its `send` answers.
#[macro_export]
macro_rules! call {
    (@common $ty:ty) => {
        fn prepare(&self) -> Result<reqwest::Request, atlas_backup::Error> {
            <$ty>::prepare(self)
        }
    };
    // A JSON answer, whole: what `json` and the first page of `list` send.
    (@send_json $ty:ty) => {
        fn send(self: Box<Self>) -> futures::future::LocalBoxFuture<'static, Result<$crate::call::Answer, atlas_backup::Error>> {
            Box::pin(async move {
                let answer = <$ty>::send(*self).await?;
                $crate::call::to_json(&answer)
            })
        }
    };
    (json $ty:ty) => {
        impl $crate::call::Call for $ty {
            $crate::call!(@common $ty);
            $crate::call!(@send_json $ty);
            fn pages(self: Box<Self>, _: usize) -> Option<futures::stream::LocalBoxStream<'static, Result<serde_json::Value, atlas_backup::Error>>> {
                None
            }
        }
    };
    (list $ty:ty) => {
        impl $crate::call::Call for $ty {
            $crate::call!(@common $ty);
            $crate::call!(@send_json $ty);
            fn pages(self: Box<Self>, concurrency: usize) -> Option<futures::stream::LocalBoxStream<'static, Result<serde_json::Value, atlas_backup::Error>>> {
                use futures::StreamExt as _;
                let stream = self.concurrency(concurrency).into_stream();
                Some(Box::pin(stream.map(|item| item.and_then(|i| $crate::call::value(&i)))))
            }
        }
    };
    (empty $ty:ty) => {
        impl $crate::call::Call for $ty {
            $crate::call!(@common $ty);
            fn send(self: Box<Self>) -> futures::future::LocalBoxFuture<'static, Result<$crate::call::Answer, atlas_backup::Error>> {
                Box::pin(async move {
                    <$ty>::send(*self).await?;
                    Ok($crate::call::Answer::Empty)
                })
            }
            fn pages(self: Box<Self>, _: usize) -> Option<futures::stream::LocalBoxStream<'static, Result<serde_json::Value, atlas_backup::Error>>> {
                None
            }
        }
    };
    (bytes $ty:ty) => {
        impl $crate::call::Call for $ty {
            $crate::call!(@common $ty);
            fn send(self: Box<Self>) -> futures::future::LocalBoxFuture<'static, Result<$crate::call::Answer, atlas_backup::Error>> {
                Box::pin(async move { Ok($crate::call::Answer::Bytes(<$ty>::send(*self).await?.to_vec())) })
            }
            fn pages(self: Box<Self>, _: usize) -> Option<futures::stream::LocalBoxStream<'static, Result<serde_json::Value, atlas_backup::Error>>> {
                None
            }
        }
    };
}

/// `set!(client.x(), v; "groupId" => group_id: String, ...; body: T)`: the library's
/// builder `client.x()` with each parameter given in `v` passed to its setter (the value
/// decoded as the setter's type `String`, `i64`, a model enum...), then the decoded request
/// body if there is one. The generated glue lists the parameters; the filling is here, once.
#[macro_export]
macro_rules! set {
    ($builder:expr, $values:expr; $($name:literal => $setter:ident: $ty:ty),* $(; body: $body:ty)?) => {{
        // Not mutated when the operation has neither parameters nor a body.
        #[allow(unused_mut)]
        let mut b = $builder;
        $(
            if let Some(x) = $values.get::<$ty>($name)? {
                b = b.$setter(x);
            }
        )*
        $(
            if let Some(x) = $values.body::<$body>()? {
                b = b.body(x);
            }
        )?
        b
    }};
}

/// `wait!(WaitUntilX)`: [`Wait`] for a library waiter.
#[macro_export]
macro_rules! wait {
    ($ty:ty) => {
        impl $crate::call::Wait for $ty {
            fn stream(self: Box<Self>, delays: $crate::call::Delays) -> futures::stream::LocalBoxStream<'static, $crate::call::WaitEvent> {
                use futures::StreamExt as _;
                let mut waiter = *self;
                if let Some(min) = delays.min {
                    waiter = waiter.min_delay(min);
                }
                if let Some(max) = delays.max {
                    waiter = waiter.max_delay(max);
                }
                Box::pin(waiter.into_stream(delays.timeout).map($crate::call::event))
            }
        }
    };
}

/// An answer as JSON.
pub fn to_json<T: serde::Serialize>(answer: &T) -> Result<Answer, atlas_backup::Error> {
    value(answer).map(Answer::Json)
}

pub fn value<T: serde::Serialize>(answer: &T) -> Result<Value, atlas_backup::Error> {
    serde_json::to_value(answer).map_err(|e| atlas_backup::Error::Config(format!("cannot print the answer: {e}")))
}
