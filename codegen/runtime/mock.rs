//! The engine of the in-process mock (feature `mock`): rules, their answers, and the record
//! of calls. The generated modules next to this one add, per operation, a rule method to
//! [`Mock`] and a typed view of the operation's request; everything else is here.
//!
//! A mocked client is a real [`Client`] whose transport is the mock: each attempt is
//! built, checked and intercepted as usual, then answered here instead of being sent, and
//! the answer goes through the client's own status handling, retries, body reading and
//! decoding. A typed answer is serialized into the JSON the real client decodes, so a test
//! cannot pass with an answer the real client would fail to read.

// Readers and encoders for every kind of parameter, body and answer: a given spec uses only
// some of them.
#![allow(dead_code)]

use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use crate::client::Transport;
use crate::interceptor::AttemptContext;
use crate::{Client, ClientBuilder, Error};

/// The base URL of a mocked client. Nothing is ever sent there.
pub const MOCK_BASE_URL: &str = "http://atlas.mock.invalid";

/// Scripted answers for a [`Client`], in-process: no server, no socket.
///
/// Add rules with the method named like the client's (`mock.take_snapshots()` for
/// `client.take_snapshots()`), get a client with [`client`](Mock::client), run the code
/// under test, then call [`verify`](Mock::verify). Clones share the rules and the record of
/// calls.
///
/// A call is answered by the first rule of its operation, in the order added, whose
/// [`matching`](Rule::matching) condition holds and that is not used up. A call no rule
/// answers fails with [`Error::Mock`], which names the operation and why each of its rules
/// did not answer.
#[derive(Clone, Default)]
pub struct Mock {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    rules: Vec<RuleState>,
    calls: Vec<Call>,
    /// The messages of calls no rule answered, for [`Mock::verify`].
    unanswered: Vec<String>,
}

type Matcher = dyn Fn(&Call) -> Result<bool, String> + Send + Sync;

/// A rule that may answer a call, as read under the lock.
struct Candidate {
    index: usize,
    described: String,
    used_up: bool,
    matcher: Option<Arc<Matcher>>,
}

struct RuleState {
    operation: &'static str,
    method: &'static str,
    location: &'static Location<'static>,
    matcher: Option<Arc<Matcher>>,
    answers: Vec<Result<Reply, String>>,
    times: Option<usize>,
    hits: usize,
}

impl RuleState {
    fn describe(&self) -> String {
        format!("rule `{}()` added at {}", self.method, self.location)
    }

    /// How many calls the rule answers: `times`, else one per scripted answer when there
    /// are several, else any number.
    fn limit(&self) -> Option<usize> {
        self.times.or((self.answers.len() > 1).then_some(self.answers.len()))
    }

    fn used_up(&self) -> bool {
        self.limit().is_some_and(|limit| self.hits >= limit)
    }

    /// What [`Mock::verify`] says about this rule, if its expectation is not met.
    fn unmet(&self) -> Option<String> {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match self.times {
            Some(n) if self.hits != n => Some(format!("{}: expected {n} call{}, got {}", self.describe(), plural(n), self.hits)),
            Some(_) => None,
            None if self.answers.len() > 1 && self.hits < self.answers.len() => {
                Some(format!("{}: {} of its {} scripted answers were used", self.describe(), self.hits, self.answers.len()))
            }
            None if self.hits == 0 => Some(format!("{}: never called", self.describe())),
            None => None,
        }
    }
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Mock").field("rules", &state.rules.len()).field("calls", &state.calls.len()).finish()
    }
}

impl Mock {
    /// A mock without rules.
    pub fn new() -> Self {
        Mock::default()
    }

    /// A builder of a client answered by this mock, to configure more than
    /// [`client`](Mock::client) does: a [`RetryPolicy`](crate::RetryPolicy), interceptors,
    /// a bearer token to see in [`calls`](Mock::calls). Its base URL is
    /// [`MOCK_BASE_URL`].
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder().base_url(MOCK_BASE_URL).transport(Transport::Mock(self.clone()))
    }

    /// A client answered by this mock, with the default retry policy. Run the test on
    /// tokio's paused clock (`#[tokio::test(start_paused = true)]`) and its retry waits
    /// take no time.
    ///
    /// # Panics
    ///
    /// When the underlying `reqwest::Client` cannot be built (its TLS backend failed to
    /// initialize); [`client_builder`](Mock::client_builder) answers that as an error.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(e) => panic!("the mocked client cannot be built: {e}"),
        }
    }

    /// Every call (each attempt, retries included) the mock received, oldest first,
    /// answered or not.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Panics, naming each of them, when an expectation is not met: a rule with
    /// [`times`](Rule::times) called another number of times, a rule never called, a
    /// [`sequence`](Rule::then_sequence) not used up, or a call no rule answered.
    #[track_caller]
    pub fn verify(&self) {
        let unmet: Vec<String> = {
            let state = self.lock();
            let rules = state.rules.iter().filter_map(RuleState::unmet);
            let unanswered = state.unanswered.iter().map(|m| format!("unanswered call: {m}"));
            rules.chain(unanswered).collect()
        };
        if !unmet.is_empty() {
            panic!("mock expectations not met:\n  - {}", unmet.join("\n  - "));
        }
    }

    /// A new rule for one operation; the generated rule methods call this with the
    /// operation's facts: its operationId, the rule method's name (for messages), the status
    /// of a successful answer and how a typed answer becomes a body ([`json`], [`no_body`]
    /// or [`raw_body`]).
    #[track_caller]
    pub(crate) fn rule<V, O: 'static>(&self, id: &'static str, method: &'static str, success: u16, encode: Encode<O>) -> Rule<V, O> {
        let mut state = self.lock();
        state.rules.push(RuleState {
            operation: id,
            method,
            location: Location::caller(),
            matcher: None,
            answers: Vec::new(),
            times: None,
            hits: 0,
        });
        let facts = OperationFacts { id, success, encode };
        Rule { mock: self.clone(), index: state.rules.len() - 1, facts, types: PhantomData }
    }

    // A matcher that panicked poisons nothing (matchers run outside the lock), but a
    // panicking test thread may: the state stays usable either way.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The transport's side of the seam: answers one attempt.
    pub(crate) fn answer(&self, request: reqwest::Request, context: &AttemptContext<'_>) -> Result<reqwest::Response, Error> {
        let call = Call::new(request, context);
        let operation = call.operation;
        // The rules of the operation, read under the lock; their matchers run outside it,
        // so that a matcher may use the mock without a deadlock.
        let candidates: Vec<Candidate> = {
            let mut state = self.lock();
            state.calls.push(call.clone());
            state
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| rule.operation == operation)
                .map(|(index, rule)| Candidate {
                    index,
                    described: rule.describe(),
                    used_up: rule.used_up(),
                    matcher: rule.matcher.clone(),
                })
                .collect()
        };
        let mut misses = Vec::new();
        for Candidate { index, described, used_up, matcher } in candidates {
            if used_up {
                misses.push(format!("{described}: used up"));
                continue;
            }
            match matcher.map_or(Ok(true), |m| m(&call)) {
                Ok(true) => {}
                Ok(false) => {
                    misses.push(format!("{described}: its `matching` condition is false"));
                    continue;
                }
                Err(e) => {
                    misses.push(format!("{described}: the request could not be read back: {e}"));
                    continue;
                }
            }
            let reply = {
                let mut state = self.lock();
                let rule = &mut state.rules[index];
                // Another task may have used it up since it was read.
                if rule.used_up() {
                    misses.push(format!("{described}: used up"));
                    continue;
                }
                rule.hits += 1;
                let last = rule.answers.len().saturating_sub(1);
                rule.answers.get((rule.hits - 1).min(last)).cloned()
            };
            return match reply {
                Some(Ok(reply)) => reply.into_response(&call),
                Some(Err(e)) => Err(Error::Mock(format!("{described}, answering `{operation}`: {e}"))),
                None => Err(Error::Mock(format!(
                    "{described} matched `{operation}` but has no answer: give it one with `then_output`, `then_api_error`, `then_status`, `then_raw` or `then_sequence`"
                ))),
            };
        }
        let target = match call.url.query() {
            Some(query) => format!("{} {}?{query}", call.method, call.url.path()),
            None => format!("{} {}", call.method, call.url.path()),
        };
        let message = if misses.is_empty() {
            format!("no rule answers `{operation}` ({target}): no rule was added for this operation")
        } else {
            format!("no rule answers `{operation}` ({target}): {}", misses.join("; "))
        };
        self.lock().unanswered.push(message.clone());
        Err(Error::Mock(message))
    }
}

/// How a typed answer becomes a body; `None` for an operation without one.
pub(crate) type Encode<O> = fn(O) -> Result<Option<Bytes>, String>;

/// What a rule needs to know of its operation to turn its answers into replies.
struct OperationFacts<O> {
    /// The operationId, for messages.
    id: &'static str,
    /// The status of a successful answer.
    success: u16,
    encode: Encode<O>,
}

// Not derived: the facts are copied whatever `O` is.
impl<O> Clone for OperationFacts<O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for OperationFacts<O> {}

/// A typed answer's body as JSON.
pub(crate) fn json<T: serde::Serialize>(value: T) -> Result<Option<Bytes>, String> {
    serde_json::to_vec(&value).map(|json| Some(Bytes::from(json))).map_err(|e| format!("the output cannot be serialized: {e}"))
}

/// An operation without a response body answers none.
pub(crate) fn no_body(_: ()) -> Result<Option<Bytes>, String> {
    Ok(None)
}

/// A binary or text answer as it is.
pub(crate) fn raw_body(value: Bytes) -> Result<Option<Bytes>, String> {
    Ok(Some(value))
}

/// One rule of a [`Mock`]: which calls of its operation it answers, and how.
///
/// Made by the mock's method named like the operation's client method; it is in effect as
/// soon as it is made, and each method below changes it (so the value may be dropped). `V`
/// is the operation's request view (for [`matching`](Rule::matching)), `O` its output.
pub struct Rule<V, O: 'static> {
    mock: Mock,
    index: usize,
    facts: OperationFacts<O>,
    types: PhantomData<fn(&V)>,
}

impl<V, O> fmt::Debug for Rule<V, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule").field("operation", &self.facts.id).field("index", &self.index).finish()
    }
}

impl<V: RequestView + 'static, O: 'static> Rule<V, O> {
    /// Answers only calls for which `condition` holds. It sees the call's parameters and
    /// body, typed, read back from the request that was built (`req.cluster_name() ==
    /// "Cluster0"`).
    pub fn matching(self, condition: impl Fn(&V) -> bool + Send + Sync + 'static) -> Self {
        let matcher: Arc<Matcher> = Arc::new(move |call: &Call| V::read(call).map(|view| condition(&view)));
        self.update(|rule| rule.matcher = Some(matcher));
        self
    }
}

impl<V, O: 'static> Rule<V, O> {
    /// Answers with `output`, serialized as JSON with the media type the call asked for
    /// (the operation's versioned one) and the operation's success status; the client
    /// decodes it like a real answer.
    pub fn then_output(self, output: O) -> Self {
        self.then(Answer::output(output))
    }

    /// Answers with an Atlas error: `status` and the error object with `errorCode` and
    /// `detail`, which the client decodes into [`Error::Api`].
    pub fn then_api_error(self, status: u16, error_code: impl Into<String>, detail: impl Into<String>) -> Self {
        self.then(Answer::api_error(status, error_code, detail))
    }

    /// Answers with `status` and no body.
    pub fn then_status(self, status: u16) -> Self {
        self.then(Answer::status(status))
    }

    /// Answers with `status` and `body` as it is (`Content-Type: application/json`).
    pub fn then_raw(self, status: u16, body: impl Into<Bytes>) -> Self {
        self.then(Answer::raw(status, body))
    }

    /// Answers with `answer`, for every call the rule answers.
    pub fn then(self, answer: Answer<O>) -> Self {
        self.then_sequence([answer])
    }

    /// Answers each call with the next of `answers` (to script retries, pages or the states
    /// a resource goes through). The rule is used up after the last one, unless
    /// [`times`](Rule::times) says otherwise; the last one then repeats.
    pub fn then_sequence(self, answers: impl IntoIterator<Item = Answer<O>>) -> Self {
        let facts = self.facts;
        let replies = answers.into_iter().map(|a| a.into_reply(&facts)).collect();
        self.update(|rule| rule.answers = replies);
        self
    }

    /// Expects exactly `n` calls ([`Mock::verify`] checks) and answers no more than `n`.
    pub fn times(self, n: usize) -> Self {
        self.update(|rule| rule.times = Some(n));
        self
    }

    /// How many calls the rule has answered so far.
    pub fn call_count(&self) -> usize {
        self.mock.lock().rules.get(self.index).map_or(0, |rule| rule.hits)
    }

    fn update(&self, change: impl FnOnce(&mut RuleState)) {
        if let Some(rule) = self.mock.lock().rules.get_mut(self.index) {
            change(rule);
        }
    }
}

/// One scripted answer, for [`Rule::then`] and [`Rule::then_sequence`]. `O` is the
/// operation's output type.
#[derive(Debug, Clone)]
pub struct Answer<O> {
    kind: AnswerKind<O>,
    headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
enum AnswerKind<O> {
    Output(O),
    ApiError { status: u16, error_code: String, detail: String },
    Raw { status: u16, body: Option<Bytes> },
}

impl<O> Answer<O> {
    /// The typed output (see [`Rule::then_output`]).
    pub fn output(output: O) -> Self {
        Answer { kind: AnswerKind::Output(output), headers: Vec::new() }
    }

    /// An Atlas error (see [`Rule::then_api_error`]).
    pub fn api_error(status: u16, error_code: impl Into<String>, detail: impl Into<String>) -> Self {
        let kind = AnswerKind::ApiError { status, error_code: error_code.into(), detail: detail.into() };
        Answer { kind, headers: Vec::new() }
    }

    /// A status without a body (`Answer::status(503)`).
    pub fn status(status: u16) -> Self {
        Answer { kind: AnswerKind::Raw { status, body: None }, headers: Vec::new() }
    }

    /// A status and a body as it is (`Content-Type: application/json`).
    pub fn raw(status: u16, body: impl Into<Bytes>) -> Self {
        Answer { kind: AnswerKind::Raw { status, body: Some(body.into()) }, headers: Vec::new() }
    }

    /// Adds a response header (`Retry-After`, `RateLimit-Remaining`, ...).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn into_reply(self, facts: &OperationFacts<O>) -> Result<Reply, String> {
        let (status, body, content_type) = match self.kind {
            AnswerKind::Output(output) => (facts.success, (facts.encode)(output)?, ContentType::Requested),
            AnswerKind::ApiError { status, error_code, detail } => {
                let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason());
                let body = serde_json::json!({
                    "error": status,
                    "errorCode": error_code,
                    "detail": detail,
                    "reason": reason,
                });
                (status, Some(Bytes::from(body.to_string())), ContentType::Json)
            }
            AnswerKind::Raw { status, body } => (status, body, ContentType::Json),
        };
        let status = StatusCode::from_u16(status).map_err(|_| format!("{status} is not an HTTP status"))?;
        let mut headers = HeaderMap::new();
        for (name, value) in self.headers {
            let parsed = HeaderName::from_bytes(name.as_bytes()).ok().zip(HeaderValue::from_str(&value).ok());
            let (name, value) = parsed.ok_or_else(|| format!("`{name}: {value}` is not a valid HTTP header"))?;
            headers.append(name, value);
        }
        Ok(Reply { status, headers, body: body.map(|body| (body, content_type)) })
    }
}

/// Which `Content-Type` an answer's body has.
#[derive(Debug, Clone, Copy)]
enum ContentType {
    /// The media type the call asked for in `Accept`: the operation's versioned one.
    Requested,
    Json,
}

/// An answer ready to be sent back, any number of times.
#[derive(Debug, Clone)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<(Bytes, ContentType)>,
}

impl Reply {
    fn into_response(self, call: &Call) -> Result<reqwest::Response, Error> {
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        if let Some((body, content_type)) = self.body {
            let content_type = match content_type {
                ContentType::Requested => call.headers.get(ACCEPT).cloned().unwrap_or(HeaderValue::from_static("application/json")),
                ContentType::Json => HeaderValue::from_static("application/json"),
            };
            response.headers_mut().entry(CONTENT_TYPE).or_insert(content_type);
            *response.body_mut() = body;
        }
        Ok(reqwest::Response::from(response))
    }
}

/// A call the mock received: one attempt, as the client built it.
#[derive(Debug, Clone)]
pub struct Call {
    operation: &'static str,
    path_template: &'static str,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Bytes,
    attempt: u32,
}

impl Call {
    fn new(mut request: reqwest::Request, context: &AttemptContext<'_>) -> Self {
        let body = request.body().and_then(reqwest::Body::as_bytes).map(Bytes::copy_from_slice).unwrap_or_default();
        Call {
            operation: context.operation_id(),
            path_template: context.path_template(),
            method: request.method().clone(),
            url: request.url().clone(),
            headers: std::mem::take(request.headers_mut()),
            body,
            attempt: context.attempt(),
        }
    }

    /// The operationId.
    pub fn operation_id(&self) -> &'static str {
        self.operation
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The full URL (under [`MOCK_BASE_URL`] unless the client was given another).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Which attempt of its call this was (1, then 2 for the first retry, ...).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The request headers, `Accept` and `Content-Type` included.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request body, empty when there was none.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The call's parameters and body, typed: `call.read::<TakeSnapshotsRequest>()`.
    pub fn read<V: RequestView>(&self) -> Result<V, String> {
        V::read(self)
    }

    /// A path parameter's value, percent-decoded, by its name in the path template.
    pub fn path_parameter(&self, name: &str) -> Option<String> {
        let template: Vec<&str> = self.path_template.split('/').collect();
        let actual: Vec<&str> = self.url.path().split('/').collect();
        // Aligned from the end: a base URL may put a prefix before the template.
        let offset = actual.len().checked_sub(template.len())?;
        template.iter().zip(&actual[offset..]).find_map(|(segment, value)| {
            let (before, after) = segment.split_once(&format!("{{{name}}}"))?;
            let raw = value.strip_prefix(before)?.strip_suffix(after)?;
            percent_encoding::percent_decode_str(raw).decode_utf8().ok().map(|v| v.into_owned())
        })
    }

    /// The first value of a query parameter, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        self.url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
    }

    /// Every value of a query parameter, decoded, in order.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.url.query_pairs().filter(|(n, _)| n == name).map(|(_, v)| v.into_owned()).collect()
    }

    // Readers for the generated views, one line per parameter: each names the parameter
    // when it is missing or does not read back, which would mean the client sent something
    // the view cannot represent.

    /// A required path parameter.
    pub(crate) fn path<T: FromText>(&self, name: &'static str) -> Result<T, String> {
        required(PATH, name, self.path_opt(name)?)
    }

    /// An optional path parameter.
    pub(crate) fn path_opt<T: FromText>(&self, name: &'static str) -> Result<Option<T>, String> {
        self.path_parameter(name).map(|v| parse(PATH, name, &v)).transpose()
    }

    /// A required query parameter, its first value.
    pub(crate) fn query_req<T: FromText>(&self, name: &'static str) -> Result<T, String> {
        required(QUERY, name, self.query_opt(name)?)
    }

    /// An optional query parameter, its first value.
    pub(crate) fn query_opt<T: FromText>(&self, name: &'static str) -> Result<Option<T>, String> {
        self.query(name).map(|v| parse(QUERY, name, &v)).transpose()
    }

    /// A required list in the query, every value in order.
    pub(crate) fn query_list_req<T: FromText>(&self, name: &'static str) -> Result<Vec<T>, String> {
        required(QUERY, name, self.query_list_opt(name)?)
    }

    /// An optional list in the query: `None` when it has no value.
    pub(crate) fn query_list_opt<T: FromText>(&self, name: &'static str) -> Result<Option<Vec<T>>, String> {
        let values = self.query_all(name);
        if values.is_empty() {
            return Ok(None);
        }
        values.iter().map(|v| parse(QUERY, name, v)).collect::<Result<_, _>>().map(Some)
    }

    /// A required header parameter.
    pub(crate) fn header_req<T: FromText>(&self, name: &'static str) -> Result<T, String> {
        required(HEADER, name, self.header_opt(name)?)
    }

    /// An optional header parameter.
    pub(crate) fn header_opt<T: FromText>(&self, name: &'static str) -> Result<Option<T>, String> {
        let Some(value) = self.headers.get(name) else { return Ok(None) };
        let text = value.to_str().map_err(|_| format!("{HEADER} `{name}` is not text"))?;
        parse(HEADER, name, text).map(Some)
    }

    /// A required JSON body.
    pub(crate) fn json_req<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        self.json_opt()?.ok_or_else(|| BODY_MISSING.to_owned())
    }

    /// An optional JSON body: `None` when the call sent none.
    pub(crate) fn json_opt<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, String> {
        if self.body.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&self.body).map(Some).map_err(|e| format!("body: {e}"))
    }

    /// A required binary body.
    pub(crate) fn bytes_req(&self) -> Result<Vec<u8>, String> {
        self.bytes_opt()?.ok_or_else(|| BODY_MISSING.to_owned())
    }

    /// An optional binary body: `None` when the call sent none.
    pub(crate) fn bytes_opt(&self) -> Result<Option<Vec<u8>>, String> {
        Ok((!self.body.is_empty()).then(|| self.body.to_vec()))
    }
}

const PATH: &str = "path parameter";
const QUERY: &str = "query parameter";
const HEADER: &str = "header";
const BODY_MISSING: &str = "the body is missing";

/// The typed parameters and body of one operation's request, read back from a [`Call`].
/// Generated for each operation (`TakeSnapshotsRequest` for `takeSnapshots`).
pub trait RequestView: Sized {
    /// Reads the call; the error names what did not read back.
    fn read(call: &Call) -> Result<Self, String>;
}

/// A parameter's type as the views read it back: its `FromStr`, the inverse of the
/// `Display` the client sent it with. (An integer enum reads its number, which the view
/// turns into the enum.)
pub(crate) trait FromText: FromStr<Err: fmt::Display> {}

impl<T: FromStr<Err: fmt::Display>> FromText for T {}

fn required<T>(kind: &str, name: &str, value: Option<T>) -> Result<T, String> {
    value.ok_or_else(|| format!("{kind} `{name}` is missing"))
}

/// Reads one value. (A date-time reads back too: `chrono` parses what it displays,
/// `2025-03-01 10:15:30 UTC`, which is what the client sends.)
fn parse<T: FromText>(kind: &str, name: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|e| format!("{kind} `{name}`: {value:?}: {e}"))
}

/// One operation's request view, from a row of data, written once here instead of a struct,
/// an accessor per field and a `RequestView::read` per operation (the generator parses
/// every item it prints): `view!("doc" XRequest { group_id (str path("groupId")) "doc", .. })`
/// declares `XRequest` with a private field per row, its accessor and the reader that fills
/// it from a [`Call`]. A row's spec is how the field is kept and read: `opt` for an optional
/// one (an `Option`), then `str` (a `String`, answered as `&str`), `list(T)` (a `Vec<T>`,
/// answered as `&[T]`), `copy(T)` (answered by value) or `borrow(T)` (answered by
/// reference), then the [`Call`] reader and its arguments; a reader with a turbofish reads
/// that number and turns it into the field's integer enum. The literals are docs: the view's
/// before its name, a field's after its spec. The calling module brings `Call`,
/// `RequestView` and `Rule` into scope: the view's docs link them, and rustdoc resolves a
/// link where the item is, not here.
// A spec without operations leaves it unused.
#[allow(unused_macros)]
macro_rules! view {
    // The stored type of a field.
    (@ty (opt $($spec:tt)*)) => { Option<$crate::mock::runtime::view!(@ty ($($spec)*))> };
    (@ty (str $($read:tt)*)) => { String };
    (@ty (list($t:ty) $($read:tt)*)) => { Vec<$t> };
    (@ty ($how:ident($t:ty) $($read:tt)*)) => { $t };
    // The accessor of a field.
    (@get $f:ident (opt str $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> Option<&str> {
            self.$f.as_deref()
        }
    };
    (@get $f:ident (str $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> &str {
            &self.$f
        }
    };
    (@get $f:ident (opt list($t:ty) $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> Option<&[$t]> {
            self.$f.as_deref()
        }
    };
    (@get $f:ident (list($t:ty) $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> &[$t] {
            &self.$f
        }
    };
    (@get $f:ident (opt copy($t:ty) $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> Option<$t> {
            self.$f
        }
    };
    (@get $f:ident (copy($t:ty) $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> $t {
            self.$f
        }
    };
    (@get $f:ident (opt borrow($t:ty) $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> Option<&$t> {
            self.$f.as_ref()
        }
    };
    (@get $f:ident (borrow($t:ty) $($read:tt)*) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $f(&self) -> &$t {
            &self.$f
        }
    };
    // How a field is read from the call: an integer enum (or a list of them) from its
    // number, anything else as its reader answers it.
    (@read $c:ident (opt list($t:ty) $reader:ident::<$repr:ty>($($arg:tt)*))) => {
        $c.$reader::<$repr>($($arg)*)?.map(|v| v.into_iter().map(Into::into).collect())
    };
    (@read $c:ident (list($t:ty) $reader:ident::<$repr:ty>($($arg:tt)*))) => {
        $c.$reader::<$repr>($($arg)*)?.into_iter().map(Into::into).collect()
    };
    (@read $c:ident (opt $how:ident($t:ty) $reader:ident::<$repr:ty>($($arg:tt)*))) => {
        $c.$reader::<$repr>($($arg)*)?.map(Into::into)
    };
    (@read $c:ident ($how:ident($t:ty) $reader:ident::<$repr:ty>($($arg:tt)*))) => {
        $c.$reader::<$repr>($($arg)*)?.into()
    };
    (@read $c:ident (opt $($spec:tt)*)) => { $crate::mock::runtime::view!(@read $c ($($spec)*)) };
    (@read $c:ident ($how:ident $(($t:ty))? $reader:ident($($arg:tt)*))) => { $c.$reader($($arg)*)? };
    // The view itself.
    (@view $($doc:literal)* $name:ident $call:ident { $($f:ident $spec:tt $($fdoc:literal)*),* $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $($f: $crate::mock::runtime::view!(@ty $spec),)*
        }

        impl $name {
            $($crate::mock::runtime::view!(@get $f $spec $($fdoc)*);)*
        }

        impl RequestView for $name {
            fn read($call: &Call) -> Result<Self, String> {
                Ok(Self { $($f: $crate::mock::runtime::view!(@read $call $spec),)* })
            }
        }
    };
    // A view without fields does not read the call (its argument is `_call`).
    ($($doc:literal)* $name:ident {}) => {
        $crate::mock::runtime::view!(@view $($doc)* $name _call {});
    };
    ($($doc:literal)* $name:ident { $($row:tt)* }) => {
        $crate::mock::runtime::view!(@view $($doc)* $name call { $($row)* });
    };
}
#[allow(unused_imports)]
pub(crate) use view;

/// The rule method of one operation, from a row of data, written once here instead of a
/// method per operation (the generator parses every item it prints), inside the tag's
/// `impl Mock`: `rule!("doc" take_snapshots(TakeSnapshotsRequest, models::Snapshot)
/// "takeSnapshots" 200 json)` is `Mock::take_snapshots`, a [`Rule`] of the view and output
/// for the operationId, success status and encoder ([`json`], [`no_body`] or [`raw_body`]).
/// The method's name for messages is its identifier, or the literal after the encoder when
/// the identifier is raw (`r#type`). The literals before the name are its docs; the calling
/// module brings `Rule` and the encoder into scope (the docs link `Rule`).
// A spec without operations leaves it unused.
#[allow(unused_macros)]
macro_rules! rule {
    (@name $method:ident $name:literal) => { $name };
    (@name $method:ident) => { stringify!($method) };
    ($($doc:literal)* $method:ident($view:ty, $output:ty) $id:literal $success:literal $encode:ident $($name:literal)?) => {
        $(#[doc = $doc])*
        #[track_caller]
        pub fn $method(&self) -> Rule<$view, $output> {
            self.rule($id, $crate::mock::runtime::rule!(@name $method $($name)?), $success, $encode)
        }
    };
}
#[allow(unused_imports)]
pub(crate) use rule;

#[cfg(test)]
mod tests {
    use super::*;

    /// A call as the client would have built it, with what a view may find in it.
    fn sent(url: &str, body: &str) -> Call {
        let mut headers = HeaderMap::new();
        headers.insert("x-count", HeaderValue::from_static("three"));
        Call {
            operation: "getThing",
            path_template: "/api/groups/{groupId}/things/{thingId}",
            method: Method::GET,
            url: Url::parse(url).expect("a URL"),
            headers,
            body: Bytes::from(body.to_owned()),
            attempt: 1,
        }
    }

    #[test]
    fn path_parameters_read_back_decoded_and_a_missing_one_is_named() {
        let call = sent("http://atlas.mock.invalid/prefix/api/groups/g%201/things/42", "");
        assert_eq!(call.path::<String>("groupId").as_deref(), Ok("g 1"));
        assert_eq!(call.path::<i64>("thingId"), Ok(42));
        assert_eq!(call.path::<String>("clusterName"), Err("path parameter `clusterName` is missing".to_owned()));
        assert_eq!(call.path_opt::<String>("clusterName"), Ok(None));
        let err = call.path::<bool>("groupId").expect_err("not a bool");
        assert!(err.starts_with("path parameter `groupId`: \"g 1\": "), "{err}");
    }

    #[test]
    fn query_parameters_read_back_typed_and_a_bad_value_is_named() {
        let call = sent("http://atlas.mock.invalid/api/groups/g/things/1?pageNum=2&ids=a&ids=b&itemsPerPage=many", "");
        assert_eq!(call.query_opt::<i64>("pageNum"), Ok(Some(2)));
        assert_eq!(call.query_req::<i64>("pageNum"), Ok(2));
        assert_eq!(call.query_opt::<bool>("envelope"), Ok(None));
        assert_eq!(call.query_req::<bool>("envelope"), Err("query parameter `envelope` is missing".to_owned()));
        assert_eq!(call.query_list_opt::<String>("ids"), Ok(Some(vec!["a".to_owned(), "b".to_owned()])));
        assert_eq!(call.query_list_opt::<String>("names"), Ok(None));
        assert_eq!(call.query_list_req::<String>("names"), Err("query parameter `names` is missing".to_owned()));
        let err = call.query_opt::<i64>("itemsPerPage").expect_err("not a number");
        assert!(err.starts_with("query parameter `itemsPerPage`: \"many\": "), "{err}");
        let err = call.query_list_opt::<i64>("ids").expect_err("not numbers");
        assert!(err.starts_with("query parameter `ids`: \"a\": "), "{err}");
    }

    #[test]
    fn a_date_time_reads_back_as_the_client_displays_it() {
        let when = chrono::DateTime::parse_from_rfc3339("2025-03-01T10:15:30.250Z").expect("a date-time").with_timezone(&chrono::Utc);
        let mut url = Url::parse("http://atlas.mock.invalid/api/groups/g/things/1").expect("a URL");
        url.query_pairs_mut().append_pair("since", &when.to_string()).append_pair("until", "2025-03-02T00:00:00Z");
        let call = sent(url.as_str(), "");
        assert_eq!(call.query_req::<chrono::DateTime<chrono::Utc>>("since"), Ok(when));
        let until = call.query_req::<chrono::DateTime<chrono::Utc>>("until").expect("RFC 3339");
        assert_eq!(until.to_rfc3339(), "2025-03-02T00:00:00+00:00");
    }

    #[test]
    fn headers_and_bodies_read_back_and_what_is_missing_is_named() {
        let call = sent("http://atlas.mock.invalid/api/groups/g/things/1", r#"{"a": 1}"#);
        assert_eq!(call.header_opt::<String>("x-count"), Ok(Some("three".to_owned())));
        assert_eq!(call.header_req::<String>("x-missing"), Err("header `x-missing` is missing".to_owned()));
        assert!(call.header_opt::<i32>("x-count").expect_err("not a number").starts_with("header `x-count`: \"three\": "));
        assert_eq!(call.json_req::<serde_json::Value>(), Ok(serde_json::json!({"a": 1})));
        assert!(call.json_req::<Vec<i32>>().expect_err("not a list").starts_with("body: "));
        assert_eq!(call.bytes_req().as_deref(), Ok(&br#"{"a": 1}"#[..]));
        let empty = sent("http://atlas.mock.invalid/api/groups/g/things/1", "");
        assert_eq!(empty.json_opt::<serde_json::Value>(), Ok(None));
        assert_eq!(empty.json_req::<serde_json::Value>(), Err("the body is missing".to_owned()));
        assert_eq!(empty.bytes_req(), Err("the body is missing".to_owned()));
    }
}
