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

    /// Sets the request body from JSON; an operation without one refuses it. The body is
    /// decoded into the operation's model and sent as the model encodes it.
    fn set_body(self, body: Value) -> crate::Result<Self>;

    /// Sets the request body to the JSON text `json`, sent as given: every byte of it, in
    /// the media type of the version called, also on a retry or after a new authentication
    /// (an explicit `null`, the key order, fields the model does not know and the spelling
    /// of numbers all reach Atlas). It replaces a body set before. It must decode into the
    /// operation's model, else [`Error::InvalidParameter`] names the JSON pointer of what
    /// does not; an operation without a body refuses it.
    ///
    /// The default decodes `json` and calls [`set_body`](Self::set_body) (re-encoded); the
    /// request builders of this crate send it as given.
    fn set_body_json(self, json: impl Into<bytes::Bytes>) -> crate::Result<Self> {
        let json = json.into();
        let value = serde_json::from_slice(&json).map_err(|e| body_error(&json, &e))?;
        self.set_body(value)
    }

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

    /// Every polled answer until the terminal one, each as Atlas sent it
    /// ([`Call::send_received`]): the acceptors read the JSON received, so an answer that
    /// does not match the model (a field of another type, a missing one) is polled on or
    /// ends the wait as its fields say, never as a decode error; each [`Received`] says how
    /// it differs from the model ([`Received::mismatch`]). A failure, a time-out or a call
    /// error is a last `Err` item, as for [`into_stream`](Self::into_stream).
    ///
    /// The default ends at once with [`ReceivedWaitError::Call`]; the waiters of this crate
    /// poll as received.
    fn into_received_stream(self, max_wait: Duration) -> impl Stream<Item = Result<ReceivedPoll, ReceivedWaitError>> {
        let _ = max_wait;
        futures::stream::once(async {
            Err(ReceivedWaitError::Call(Error::Config("this waiter does not poll the answers as received".to_owned())))
        })
    }
}

/// One poll of [`Wait::into_received_stream`], as the acceptors saw it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReceivedPoll {
    /// An answer, as received.
    Answer(Received),
    /// An API error that an acceptor matched by its status (a 404 for a deletion).
    Error(Error),
}

impl ReceivedPoll {
    /// The HTTP status of the answer or of the error.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        match self {
            ReceivedPoll::Answer(r) => Some(r.response.status()),
            ReceivedPoll::Error(e) => e.status(),
        }
    }

    /// The answer as received, if the poll had one.
    pub fn answer(&self) -> Option<&Received> {
        match self {
            ReceivedPoll::Answer(r) => Some(r),
            ReceivedPoll::Error(_) => None,
        }
    }
}

impl From<crate::waiter::Poll<Received>> for ReceivedPoll {
    fn from(poll: crate::waiter::Poll<Received>) -> Self {
        match poll {
            crate::waiter::Poll::Answer(r) => ReceivedPoll::Answer(r),
            crate::waiter::Poll::Error(e) => ReceivedPoll::Error(e),
        }
    }
}

/// Why a wait of [`Wait::into_received_stream`] ended without reaching its success state:
/// [`WaitError`] with the answers as received.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReceivedWaitError {
    /// A `failure` acceptor matched: the job will not succeed.
    Failure {
        /// The waiter's name in the spec (`snapshotCompleted`).
        waiter: &'static str,
        polls: u32,
        /// The answer that matched.
        last: Box<ReceivedPoll>,
    },
    /// The maximum wait ran out; the last poll was at the deadline.
    TimedOut {
        waiter: &'static str,
        elapsed: Duration,
        polls: u32,
        /// The last answer, which no `success` or `failure` acceptor matched.
        last: Box<ReceivedPoll>,
    },
    /// The polled call failed in a way no acceptor matches (a bad parameter, a 403, ...):
    /// the wait ends at once. A body that does not match the model is no such failure.
    Call(Error),
}

impl ReceivedWaitError {
    /// The last answer, for a failure or a time-out.
    pub fn last(&self) -> Option<&ReceivedPoll> {
        match self {
            ReceivedWaitError::Failure { last, .. } | ReceivedWaitError::TimedOut { last, .. } => Some(last),
            ReceivedWaitError::Call(_) => None,
        }
    }
}

impl From<crate::waiter::End<Received>> for ReceivedWaitError {
    fn from(end: crate::waiter::End<Received>) -> Self {
        use crate::waiter::End;
        match end {
            End::Failure { waiter, polls, last } => ReceivedWaitError::Failure { waiter, polls, last: Box::new(last.into()) },
            End::TimedOut { waiter, elapsed, polls, last } => {
                ReceivedWaitError::TimedOut { waiter, elapsed, polls, last: Box::new(last.into()) }
            }
            End::Call(e) => ReceivedWaitError::Call(e),
        }
    }
}

impl std::fmt::Display for ReceivedWaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::waiter::{describe, describe_call};
        match self {
            ReceivedWaitError::Failure { waiter, polls, last } => describe(f, waiter, *polls, None, last.status()),
            ReceivedWaitError::TimedOut { waiter, elapsed, polls, last } => describe(f, waiter, *polls, Some(*elapsed), last.status()),
            ReceivedWaitError::Call(e) => describe_call(f, e),
        }
    }
}

impl std::error::Error for ReceivedWaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReceivedWaitError::Call(e) => Some(e),
            _ => None,
        }
    }
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

    /// The JSON pointer (`/members/0/status`) of where the body stops matching the model,
    /// when it does not ([`mismatch`](Self::mismatch)) and the decoder said where (it does
    /// not inside an envelope's content or a type told apart by a field).
    pub fn mismatch_pointer(&self) -> Option<String> {
        error_pointer(&String::from_utf8_lossy(self.response.body()), self.mismatch.as_ref()?)
    }

    /// The answer, or the API error its envelope says.
    pub(crate) fn into_result(self) -> crate::Result<Self> {
        match self.failure {
            Some(e) => Err(*e),
            None => Ok(self),
        }
    }
}

impl crate::waiter::Decided for Received {
    fn status(&self) -> reqwest::StatusCode {
        self.response.status()
    }

    /// The JSON Atlas sent; with an envelope, its `content`.
    fn json(&self) -> Option<Value> {
        match serde_json::from_slice(self.response.body()).ok()? {
            Value::Object(mut envelope) if self.envelope => envelope.remove("content"),
            value => Some(value),
        }
    }
}

/// The JSON pointer (`/results/0/status`) of the value at 1-based `line` and `column` of
/// `text` (a serde_json error's position: just past the token it stopped at).
pub(crate) fn pointer_at(text: &str, line: usize, column: usize) -> String {
    // Byte offset of the position.
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            // serde_json counts the column in bytes, not characters.
            offset += column.saturating_sub(1).min(l.len());
            break;
        }
        offset += l.len();
    }
    let end = offset.min(text.len());
    // Each open container: an object's last key, or an array's index.
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut expect_key = false;
    while i < end {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key && let Some(Frame::Object(key)) = stack.last_mut() {
                    let raw = text.get(start..i.min(text.len())).unwrap_or("");
                    *key = Some(serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_owned()));
                    expect_key = false;
                }
            }
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(_)) => expect_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut pointer = String::new();
    for frame in &stack {
        pointer.push('/');
        match frame {
            Frame::Object(Some(key)) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Frame::Object(None) => {}
            Frame::Array(n) => pointer.push_str(&n.to_string()),
        }
    }
    if pointer.is_empty() { "/".to_owned() } else { pointer }
}

/// The JSON pointer of where decoding `text` failed with `e`: the value it stopped at, or
/// for a missing field the object that lacks it (serde_json stops on its closing brace,
/// inside it, after the last key read). `None` when `e` has no position: it came from a
/// value serde buffered (an internally tagged type's content), not from the text.
fn error_pointer(text: &str, e: &serde_json::Error) -> Option<String> {
    if e.line() == 0 {
        return None;
    }
    let past_the_brace = usize::from(e.to_string().starts_with("missing field `"));
    Some(pointer_at(text, e.line(), e.column() + past_the_brace))
}

/// The error of a request body `json` that does not decode: where (the JSON pointer, when
/// known) and why.
fn body_error(json: &[u8], e: &serde_json::Error) -> Error {
    match error_pointer(&String::from_utf8_lossy(json), e) {
        Some(at) => Error::invalid("body", format!("at {at}: {e}")),
        None => Error::invalid("body", e.to_string()),
    }
}

/// Checks that `json` decodes into the type of the operation's body (`typed` only names
/// the type), for [`Call::set_body_json`].
pub(crate) fn check_body<T: serde::de::DeserializeOwned>(typed: &Option<T>, json: &[u8]) -> crate::Result<()> {
    let _ = typed;
    serde_json::from_slice::<T>(json).map(drop).map_err(|e| body_error(json, &e))
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
            let builder = self.0.options(|o| o.body_json = None);
            Ok(Self(builder.set(|p: &mut $params| p.body = Some(body))))
        }

        fn set_body_json(self, json: impl Into<bytes::Bytes>) -> crate::Result<Self> {
            let json = json.into();
            crate::call::check_body(&self.0.params.body, &json)?;
            Ok(Self(self.0.options(|o| o.body_json = Some(json))))
        }
    };
    (@body $params:ident nobody) => {
        fn set_body(self, _: serde_json::Value) -> crate::Result<Self> {
            Err(crate::Error::invalid("body", "this operation takes no request body"))
        }

        fn set_body_json(self, _: impl Into<bytes::Bytes>) -> crate::Result<Self> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_of_a_position() {
        let text = "{\n  \"results\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"status\": 7}\n  ]\n}";
        // `7`, the value of `status`, is at line 4, column 27.
        assert_eq!(pointer_at(text, 4, 27), "/results/1/status");
        assert_eq!(pointer_at(text, 4, 29), "/results/1");
        assert_eq!(pointer_at(text, 3, 14), "/results/0/id");
        assert_eq!(pointer_at("{\"a/b\": {\"c~\": true}}", 1, 19), "/a~1b/c~0");
        assert_eq!(pointer_at("42", 1, 2), "/");
        // From a real decode error.
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            id: String,
            status: Option<String>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            results: Vec<Item>,
        }
        let e = serde_json::from_str::<Page>(text).expect_err("status is a number");
        assert_eq!(pointer_at(text, e.line(), e.column()), "/results/1/status");
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        d: String,
        n: Option<i32>,
    }

    #[test]
    fn the_pointer_of_an_error_after_non_ascii_text_is_the_field_s() {
        let text = r#"{"d":"été, déjà","n":"x"}"#;
        let Err(e) = serde_json::from_str::<Body>(text) else { panic!("`n` is not a number") };
        assert_eq!(pointer_at(text, e.line(), e.column()), "/n");
    }

    #[test]
    fn a_body_that_does_not_decode_names_the_pointer() {
        let typed: Option<Body> = None;
        assert!(check_body(&typed, br#"{"n": null, "d": "x", "unknown": 1.50}"#).is_ok());
        let message = |json: &[u8]| match check_body(&typed, json) {
            Err(Error::InvalidParameter { parameter, rule }) => format!("{parameter}: {rule}"),
            other => panic!("{other:?}"),
        };
        assert!(message(br#"{"d": "x", "n": "seven"}"#).starts_with("body: at /n: invalid type: string \"seven\""));
        let missing = message(br#"{"n": 1}"#);
        assert!(missing.starts_with("body: at /: missing field `d`"), "{missing}");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Outer {
            list: Vec<Body>,
            inner: Option<Body>,
        }
        let outer: Option<Outer> = None;
        for (json, at) in [(r#"{"list":[{"d":"x"},{"n":1}]}"#, "/list/1"), (r#"{"list":[],"inner":{"n":1}}"#, "/inner")] {
            match check_body(&outer, json.as_bytes()) {
                Err(Error::InvalidParameter { rule, .. }) => assert!(rule.starts_with(&format!("at {at}: missing field `d`")), "{rule}"),
                other => panic!("{other:?}"),
            }
        }
        // A type told apart by a field is decoded from a buffered value: no place to name,
        // rather than a wrong one.
        #[derive(serde::Deserialize, Debug)]
        #[serde(tag = "kind")]
        #[allow(dead_code)]
        enum Tagged {
            A { d: String },
        }
        match check_body(&None::<Tagged>, br#"{"kind": "A", "d": null}"#) {
            Err(Error::InvalidParameter { rule, .. }) => assert_eq!(rule, "invalid type: null, expected a string"),
            other => panic!("{other:?}"),
        }
        assert!(message(b"{\"d\": ").starts_with("body: at /"));
    }

    #[test]
    fn the_mismatch_pointer_of_an_answer() {
        let body = bytes::Bytes::from_static(br#"{"d":"x","n":[1]}"#);
        let mismatch = serde_json::from_slice::<Body>(&body).err();
        let response = Response::new(body.clone(), reqwest::StatusCode::OK, Default::default(), 1).with_received(body);
        let received = Received::new(response, mismatch, false, None);
        assert_eq!(received.mismatch_pointer().as_deref(), Some("/n"));
    }
}
