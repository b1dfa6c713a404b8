//! Request builders and waiters seen by their type alone, for code that calls any operation
//! from data (the command line names a builder in its table and does the rest through
//! these traits): parameters by the spec's names, the body and the API version as values,
//! and the answer as Atlas sent it, checked against the operation's model but never
//! re-encoded.
//!
//! Every request builder implements [`Call`] and every waiter [`Wait`]; the generated code
//! only lists the facts (`call!` and `waiter!`), the logic is here and in `request.rs`.

// A spec without list operations or waiters uses only part of this.
#![allow(dead_code, unused_macros, unused_imports)]

use std::future::Future;
use std::time::Duration;

use futures::Stream;
use serde_json::{Map, Value};

use crate::{Client, Error, Polled, Response, WaitError};

/// A request builder driven by values instead of typed setters.
pub trait Call: Sized {
    /// A builder with nothing set.
    fn new(client: &Client) -> Self;

    /// Sets the parameters in `values`, keyed by the spec's names (`groupId`, `envelope`),
    /// each a JSON value of its type (a string, a number, `true`, an array for a list);
    /// a name the operation does not have, or a value of the wrong type, is
    /// [`Error::InvalidParameter`].
    fn set_values(self, values: Map<String, Value>) -> crate::Result<Self>;

    /// Sets the request body from JSON; an operation without one refuses it.
    fn set_body(self, body: Value) -> crate::Result<Self>;

    /// Calls API version `date` (`2024-05-30`, or `preview`) of the operation instead of
    /// the newest: one of the versions it lists, else [`Error::InvalidParameter`].
    fn set_api_version(self, date: &str) -> crate::Result<Self>;

    /// The request `send` would make, without credentials.
    fn prepare(&self) -> crate::Result<reqwest::Request>;

    /// Sends the request; the answer is the body as Atlas sent it, with how it differs
    /// from the operation's model (if it does).
    fn send_received(self) -> impl Future<Output = crate::Result<Received>>;

    /// Every page of a list operation as Atlas sent it, `concurrency` pages at once (see
    /// [paging](crate#paging)); `None` for an operation that does not page.
    fn pages_received(self, concurrency: usize) -> Option<impl Stream<Item = crate::Result<Received>>>;
}

/// A waiter driven by its polled builder.
pub trait Wait: Sized {
    /// The builder of the polled operation.
    type Poll: Call;
    /// What each poll decodes into.
    type Answer;

    /// The waiter polling `poll`, with the spec's delays.
    fn new(poll: Self::Poll) -> Self;
    fn min_delay(self, delay: Duration) -> Self;
    fn max_delay(self, delay: Duration) -> Self;
    /// Every polled answer until the terminal one; each [`Response`] keeps the body as
    /// received ([`Response::body_received`]).
    fn into_stream(self, max_wait: Duration) -> impl Stream<Item = Result<Polled<Self::Answer>, WaitError<Self::Answer>>>;
}

/// An answer as Atlas sent it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Received {
    response: Response<bytes::Bytes>,
    mismatch: Option<serde_json::Error>,
    envelope: bool,
    failure: Option<Box<Error>>,
}

impl Received {
    pub(crate) fn new(
        response: Response<bytes::Bytes>,
        mismatch: Option<serde_json::Error>,
        envelope: bool,
        failure: Option<Error>,
    ) -> Self {
        Received { response, mismatch, envelope, failure: failure.map(Box::new) }
    }

    /// The status, headers and body (as received) of the answer.
    pub fn response(&self) -> &Response<bytes::Bytes> {
        &self.response
    }

    /// Why the body does not decode into the operation's model, when it does not (its line
    /// and column say where). The body is Atlas's all the same.
    pub fn mismatch(&self) -> Option<&serde_json::Error> {
        self.mismatch.as_ref()
    }

    /// Whether the answer is Atlas's envelope (`envelope=true`), the answer under `content`.
    pub fn is_envelope(&self) -> bool {
        self.envelope
    }

    /// The API error an envelope's status says (`{"status": 404, "content": {...}}`): the
    /// call failed although the HTTP answer was 200. The envelope is still the answer.
    pub fn failure(&self) -> Option<&Error> {
        self.failure.as_deref()
    }

    /// The answer's [`failure`](Self::failure), taken.
    pub fn into_failure(self) -> Option<Error> {
        self.failure.map(|e| *e)
    }
}

/// The value of parameter `name` as its field's type.
pub(crate) fn value<T: serde::de::DeserializeOwned>(name: &'static str, value: Value) -> crate::Result<T> {
    serde_json::from_value(value).map_err(|e| Error::invalid(name, e.to_string()))
}

/// A name left in `values` is no parameter of the operation.
pub(crate) fn no_other(values: Map<String, Value>) -> crate::Result<()> {
    match values.keys().next() {
        // The name is the caller's; the error type keeps a `&'static str`.
        Some(name) => Err(Error::invalid("parameter", format!("`{name}` is not a parameter of this operation"))),
        None => Ok(()),
    }
}

/// What the paginator reads of a page as received: its items, counted, and `totalCount`.
#[derive(serde::Deserialize)]
struct Counted {
    #[serde(default)]
    results: Vec<serde::de::IgnoredAny>,
    #[serde(rename = "totalCount")]
    total: Option<i64>,
}

#[derive(serde::Deserialize)]
struct Enveloped {
    content: Counted,
}

/// One page of a list builder as received, for [`Call::pages_received`].
pub(crate) async fn received_page<B: Call>(builder: B) -> crate::Result<crate::paginate::Page<Received>> {
    let received = builder.send_received().await?;
    let body = received.response.body();
    let counted = if received.envelope {
        serde_json::from_slice::<Enveloped>(body).map(|e| e.content)
    } else {
        serde_json::from_slice::<Counted>(body)
    };
    // A page that is not a page: it ends the paging (no count), and is still the answer.
    let (count, total) = counted.map_or((0, None), |c| (c.results.len(), c.total));
    Ok(crate::paginate::Page::counted(vec![received], count, total))
}

/// The items of [`Call`] of a builder, from its facts: `call!(Params; [field "name", ..];
/// [envelope, pretty]; body|nobody; json Output|empty|bytes; paged|single)`, inside
/// `impl Call for Builder`.
macro_rules! call {
    (
        $params:ident; [$($field:ident $name:literal),* $(,)?]; [$($option:ident),* $(,)?];
        $body:ident; $kind:ident $($out:ty)?; $paging:ident
    ) => {
        fn new(client: &crate::Client) -> Self {
            Self(crate::request::Builder::new(client))
        }

        // Neither is mutated by an operation without parameters.
        #[allow(unused_mut)]
        fn set_values(self, mut values: serde_json::Map<String, serde_json::Value>) -> crate::Result<Self> {
            let mut builder = self;
            $(
                if let Some(v) = values.remove($name) {
                    let v = crate::call::value($name, v)?;
                    builder = Self(builder.0.set(|p: &mut $params| p.$field = Some(v)));
                }
            )*
            $(
                if let Some(v) = values.remove(stringify!($option)) {
                    builder = builder.$option(crate::call::value(stringify!($option), v)?);
                }
            )*
            crate::call::no_other(values)?;
            Ok(builder)
        }

        $crate::call::call!(@body $params $body);

        fn set_api_version(self, date: &str) -> crate::Result<Self> {
            Ok(Self(self.0.api_version_date(Self::operation(), date)?))
        }

        fn prepare(&self) -> crate::Result<reqwest::Request> {
            self.0.prepare(Self::operation(), Self::fill)
        }

        $crate::call::call!(@send $kind $($out)?);
        $crate::call::call!(@pages $paging);
    };
    (@body $params:ident body) => {
        fn set_body(self, body: serde_json::Value) -> crate::Result<Self> {
            let body = crate::call::value("body", body)?;
            Ok(Self(self.0.set(|p: &mut $params| p.body = Some(body))))
        }
    };
    (@body $params:ident nobody) => {
        fn set_body(self, _: serde_json::Value) -> crate::Result<Self> {
            Err(crate::Error::invalid("body", "this operation takes no request body"))
        }
    };
    (@send json $out:ty) => {
        async fn send_received(self) -> crate::Result<crate::call::Received> {
            self.0.send_checked::<$out>(Self::operation(), Self::fill).await
        }
    };
    (@send $kind:ident) => {
        async fn send_received(self) -> crate::Result<crate::call::Received> {
            self.0.send_unchecked(Self::operation(), Self::fill).await
        }
    };
    (@pages paged) => {
        fn pages_received(self, concurrency: usize) -> Option<impl futures::Stream<Item = crate::Result<crate::call::Received>>> {
            Some(self.concurrency(concurrency).received_pages())
        }
    };
    (@pages single) => {
        fn pages_received(self, _: usize) -> Option<impl futures::Stream<Item = crate::Result<crate::call::Received>>> {
            None::<futures::stream::Empty<crate::Result<crate::call::Received>>>
        }
    };
}
pub(crate) use call;
