//! How a request builder turns its fields into an HTTP request: parameter checks, path
//! encoding, query and body. Shared by every operation so that the generated code stays a
//! list of facts, not a copy of this logic.

// Helpers for every kind of parameter and body: a given spec uses only some of them.
#![allow(dead_code)]

use std::fmt::Display;
use std::sync::OnceLock;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use regex::Regex;
use reqwest::Method;

use crate::Error;

/// What the spec says about one operation.
#[derive(Debug)]
pub(crate) struct Operation {
    pub id: &'static str,
    pub method: Method,
    /// The path template, `{name}` for each path parameter.
    pub path: &'static str,
    /// The media types the operation answers, oldest first; the newest is the default.
    pub versions: &'static [&'static str],
}

impl Operation {
    /// GET, HEAD, PUT and DELETE may be replayed after a failure that may have reached the
    /// server; POST and PATCH may not.
    pub fn is_idempotent(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
    }
}

/// A regular expression from the spec, compiled on first use and then shared.
#[derive(Debug)]
pub(crate) struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern { source, compiled: OnceLock::new() }
    }

    fn check(&self, parameter: &'static str, value: &str) -> Result<(), Error> {
        match self.compiled.get_or_init(|| Regex::new(self.source).ok()) {
            Some(re) if re.is_match(value) => Ok(()),
            Some(_) => Err(Error::invalid(parameter, format!("must match {}", self.source))),
            // The generator only emits patterns that compile; should one not, the
            // parameter is passed unchecked rather than refused.
            None => Ok(()),
        }
    }
}

/// The constraints a string parameter must meet. One `static` per distinct rule of the
/// spec (in `patterns.rs`), shared by every parameter that has it, so that an operation
/// names its rule instead of spelling it out.
#[derive(Debug)]
pub(crate) struct Rule {
    pattern: Option<Pattern>,
    min_length: Option<usize>,
    max_length: Option<usize>,
}

impl Rule {
    pub const NONE: Rule = Rule::new(None, None, None);

    pub const fn new(pattern: Option<&'static str>, min_length: Option<usize>, max_length: Option<usize>) -> Self {
        let pattern = match pattern {
            Some(source) => Some(Pattern::new(source)),
            None => None,
        };
        Rule { pattern, min_length, max_length }
    }

    fn check(&self, parameter: &'static str, value: &str) -> Result<(), Error> {
        let length = value.chars().count();
        if let Some(min) = self.min_length
            && length < min
        {
            return Err(Error::invalid(parameter, format!("must be at least {min} characters long")));
        }
        if let Some(max) = self.max_length
            && length > max
        {
            return Err(Error::invalid(parameter, format!("must be at most {max} characters long")));
        }
        match &self.pattern {
            Some(p) => p.check(parameter, value),
            None => Ok(()),
        }
    }
}

/// Everything except the unreserved characters of RFC 3986 is escaped in a path segment,
/// so a value can never add a segment (`/`), a query (`?`) or a fragment (`#`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Where `{name}` is in a path template. Searched for rather than built with `format!` and
/// `replacen`, which would allocate twice per path parameter on every call.
fn placeholder(path: &str, name: &str) -> Option<std::ops::Range<usize>> {
    path.match_indices('{').find_map(|(start, _)| {
        let rest = path.get(start + 1..)?;
        let after = rest.strip_prefix(name)?;
        after.starts_with('}').then_some(start..start + name.len() + 2)
    })
}

/// A setter's body in one expression: `crate::request::with(self, |b| b.field = Some(value))`.
pub(crate) fn with<B>(mut builder: B, set: impl FnOnce(&mut B)) -> B {
    set(&mut builder);
    builder
}

/// What a request builder holds: the client, the call options, and the operation's
/// parameters `P` (a private struct of `Option`s per operation, `Default` when nothing is
/// set). `V` is the API version of a builder generic over it (`()` for the others). One
/// generic type, so that making a builder, the setters shared by every operation and the
/// switch of version are written once here instead of once per operation.
#[derive(Debug, Clone)]
pub(crate) struct Builder<P, V = ()> {
    pub client: crate::Client,
    pub options: CallOptions,
    pub params: P,
    version: std::marker::PhantomData<V>,
}

impl<P: Default, V> Builder<P, V> {
    /// Nothing set yet.
    pub fn new(client: &crate::Client) -> Self {
        Builder { client: client.clone(), options: CallOptions::default(), params: P::default(), version: std::marker::PhantomData }
    }
}

impl<P, V> Builder<P, V> {
    /// Sets parameters: `Self(self.0.set(|p| p.group_id = Some(value.into())))`.
    pub fn set(mut self, set: impl FnOnce(&mut P)) -> Self {
        set(&mut self.params);
        self
    }

    /// Sets call options (time limit, pages in flight).
    pub fn options(mut self, set: impl FnOnce(&mut CallOptions)) -> Self {
        set(&mut self.options);
        self
    }

    /// The media type of `operation`'s version `date` (`2024-05-30`, `preview`) sent
    /// instead of the builder's own.
    pub fn api_version_date(mut self, operation: &'static Operation, date: &str) -> crate::Result<Self> {
        let wanted = format!("application/vnd.atlas.{date}+json");
        match operation.versions.iter().find(|v| **v == wanted) {
            Some(media_type) => {
                self.options.media_type = Some(media_type);
                Ok(self)
            }
            None => {
                let dates: Vec<&str> = operation.versions.iter().filter_map(|v| version_date(v)).collect();
                Err(Error::invalid("version", format!("`{date}` is not a version of {}; it has {}", operation.id, dates.join(", "))))
            }
        }
    }

    /// The same parameters and options, for version `W` of the operation.
    pub fn version<W>(self) -> Builder<P, W> {
        Builder { client: self.client, options: self.options, params: self.params, version: std::marker::PhantomData }
    }
}

/// `2024-05-30` of `application/vnd.atlas.2024-05-30+json` (`preview` of the preview's).
pub(crate) fn version_date(media_type: &str) -> Option<&str> {
    media_type.strip_prefix("application/vnd.atlas.")?.strip_suffix("+json")
}

/// An operation's own part of building its request: its parameters, checked against their
/// rules, put where the spec says (path, query, headers, body).
pub(crate) type Fill<P> = fn(&P, &mut Request) -> crate::Result<()>;

impl<P, V: Accept> Builder<P, V> {
    /// The request of `operation` with this builder's options, filled with its parameters.
    fn request(&self, operation: &'static Operation, fill: Fill<P>) -> crate::Result<Request> {
        let mut request = Request::new(operation, &self.options);
        if let Some(media_type) = self.options.media_type.or(V::MEDIA_TYPE) {
            request.accept = media_type;
        }
        fill(&self.params, &mut request)?;
        Ok(request)
    }

    /// The request `operation` would send (parameters checked, URL, headers, body), without
    /// credentials and without sending it.
    pub fn prepare(&self, operation: &'static Operation, fill: Fill<P>) -> crate::Result<reqwest::Request> {
        let request = self.request(operation, fill)?;
        self.client.prepared(&request)
    }

    /// Sends the request of `operation` and decodes the JSON answer.
    pub async fn send_json<T: serde::de::DeserializeOwned>(
        self,
        operation: &'static Operation,
        fill: Fill<P>,
    ) -> crate::Result<crate::Response<T>> {
        let request = self.request(operation, fill)?;
        self.client.execute_json(request).await
    }

    /// Sends the request of `operation`; the answer as received, checked against `T`.
    pub async fn send_checked<T: serde::de::DeserializeOwned>(
        self,
        operation: &'static Operation,
        fill: Fill<P>,
    ) -> crate::Result<crate::call::Received> {
        let request = self.request(operation, fill)?;
        self.client.execute_checked::<T>(request).await
    }

    /// Sends the request of an operation whose answer is not JSON (empty, binary, text):
    /// the answer as received, with nothing to check it against.
    // Used by operations without a JSON answer; a spec may have none.
    #[allow(dead_code)]
    pub async fn send_unchecked(self, operation: &'static Operation, fill: Fill<P>) -> crate::Result<crate::call::Received> {
        let request = self.request(operation, fill)?;
        let envelope = request.envelope();
        let response = self.client.execute_bytes(request).await?;
        Ok(crate::call::Received::new(response, None, envelope, None))
    }

    /// Sends the request of an operation whose answer has no body.
    // Used by operations without a response body; a spec may have none.
    #[allow(dead_code)]
    pub async fn send_empty(self, operation: &'static Operation, fill: Fill<P>) -> crate::Result<crate::Response<()>> {
        let request = self.request(operation, fill)?;
        self.client.execute_empty(request).await
    }

    /// Sends the request of an operation whose answer is binary or text, kept as it came.
    // Used by operations with binary or text answers; a spec may have none.
    #[allow(dead_code)]
    pub async fn send_bytes(self, operation: &'static Operation, fill: Fill<P>) -> crate::Result<crate::Response<bytes::Bytes>> {
        let request = self.request(operation, fill)?;
        self.client.execute_bytes(request).await
    }
}

/// The media type a builder's version asks for: none for a builder of one version (the
/// operation's newest is sent), the version's own for one generic over it.
pub(crate) trait Accept {
    const MEDIA_TYPE: Option<&'static str>;
}

impl Accept for () {
    const MEDIA_TYPE: Option<&'static str> = None;
}

impl<V: crate::version::ApiVersion> Accept for V {
    const MEDIA_TYPE: Option<&'static str> = Some(V::MEDIA_TYPE);
}

/// Everything of a request builder but its parameters' setters and `fill`, written once:
/// the `Client` method that makes it (with a one-line doc: the summary, method, path and a
/// link to the builder's page), `timeout`, `send` and `send_with_metadata` (the operation's
/// facts in a `static`, the parameters filled in by the builder's own `fill`, the answer
/// decoded by its type), and the setters of what means the same on every operation that
/// has it: `concurrency` of a list builder, and Atlas's `envelope` and `pretty` query flags
/// (both `false` by default), whose docs are here.
///
/// `builder!(take_snapshots -> TakeSnapshots => Output; POST "path", "takeSnapshots",
/// ["media type", ..], "Summary"; envelope, pretty)` for a builder of one version (a tuple
/// struct around [`Builder`]), `builder!(method -> versioned Name => V::Output; ..)` for one
/// generic over its version `V`; attributes first (`#[deprecated]`) go on the `Client`
/// method. An output of `()` is an empty answer, `bytes::Bytes` the body as it came,
/// anything else decoded from JSON.
///
/// The sending is [`Builder::send_json`] and its siblings, generic functions checked once,
/// rather than one `async fn` body per operation.
// A spec without operations leaves it unused.
#[allow(unused_macros)]
macro_rules! builder {
    ($(#[$attr:meta])* $method:ident -> versioned $name:ident => $out:ty; $($rest:tt)*) => {
        $crate::request::builder!(@client $(#[$attr])* $method -> $name; $($rest)*);
        impl<V: crate::version::ApiVersion> $name<V> {
            $crate::request::builder!(@methods send_json $out; $($rest)*);
        }
    };
    ($(#[$attr:meta])* $method:ident -> $name:ident => (); $($rest:tt)*) => {
        $crate::request::builder!(@client $(#[$attr])* $method -> $name; $($rest)*);
        impl $name {
            $crate::request::builder!(@methods send_empty (); $($rest)*);
        }
    };
    ($(#[$attr:meta])* $method:ident -> $name:ident => bytes::Bytes; $($rest:tt)*) => {
        $crate::request::builder!(@client $(#[$attr])* $method -> $name; $($rest)*);
        impl $name {
            $crate::request::builder!(@methods send_bytes bytes::Bytes; $($rest)*);
        }
    };
    ($(#[$attr:meta])* $method:ident -> $name:ident => $out:ty; $($rest:tt)*) => {
        $crate::request::builder!(@client $(#[$attr])* $method -> $name; $($rest)*);
        impl $name {
            $crate::request::builder!(@methods send_json $out; $($rest)*);
        }
    };
    // The `Client` method: one `impl` block per operation, as the AWS SDK's.
    (
        @client $(#[$attr:meta])* $method:ident -> $name:ident;
        $http:ident $path:literal, $id:literal, [$($version:literal),*], $summary:literal
        $(; $($shared:ident),*)?
    ) => {
        impl crate::Client {
            #[doc = concat!($summary, " (`", stringify!($http), " ", $path, "`; see [`", stringify!($name), "`]).")]
            $(#[$attr])*
            pub fn $method(&self) -> $name {
                $name($crate::request::Builder::new(self))
            }
        }
    };
    (
        @methods $send:ident $out:ty;
        $http:ident $path:literal, $id:literal, [$($version:literal),*], $summary:literal
        $(; $($shared:ident),*)?
    ) => {
        $($($crate::request::builder!(@shared $shared);)*)?

        /// Time limit of this call, per attempt; overrides the client's.
        pub fn timeout(self, timeout: std::time::Duration) -> Self {
            Self(self.0.options(|o| o.timeout = Some(timeout)))
        }

        /// Sends the request and decodes the answer.
        pub async fn send(self) -> crate::Result<$out> {
            self.send_with_metadata().await.map(crate::Response::into_body)
        }

        /// Sends the request; the answer keeps the status, headers and attempt count.
        pub async fn send_with_metadata(self) -> crate::Result<crate::Response<$out>> {
            self.0.$send(Self::operation(), Self::fill).await
        }

        /// The request [`send`](Self::send) would make, parameters checked, without sending
        /// it and without credentials (they are added per attempt): for dry runs and logs.
        pub fn prepare(&self) -> crate::Result<reqwest::Request> {
            self.0.prepare(Self::operation(), Self::fill)
        }

        fn operation() -> &'static $crate::request::Operation {
            static OPERATION: $crate::request::Operation = $crate::request::Operation {
                id: $id,
                method: reqwest::Method::$http,
                path: $path,
                versions: &[$($version),*],
            };
            &OPERATION
        }
    };
    (@shared envelope) => {
        /// When true, Atlas wraps the answer in an envelope object that also carries the HTTP
        /// status, for clients that cannot read status codes or headers. `envelope` (query
        /// parameter); default `false`.
        pub fn envelope(self, value: bool) -> Self {
            Self(self.0.options(|o| o.envelope = Some(value)))
        }
    };
    (@shared pretty) => {
        /// When true, Atlas pretty-prints the answer's JSON. `pretty` (query parameter);
        /// default `false`.
        pub fn pretty(self, value: bool) -> Self {
            Self(self.0.options(|o| o.pretty = Some(value)))
        }
    };
    (@shared concurrency) => {
        /// Fetch up to `pages` pages at once once the first told `totalCount` (default 1), in
        /// page order; see [paging](crate#paging). `0` is refused.
        pub fn concurrency(self, pages: usize) -> Self {
            Self(self.0.options(|o| o.concurrency = Some(pages)))
        }
    };
}
#[allow(unused_imports)]
pub(crate) use builder;

/// The setter of one of an operation's parameters (or its body), from a row of data,
/// written once here instead of a function body per parameter (the generator parses every
/// body it prints): `setter!(group_id(into) "doc line" ..)` takes `impl Into<String>`,
/// `setter!(page_num(i32) ..)` the type itself; it sets the field's `Option` in the
/// builder's parameters, and the literals are its doc lines.
// A spec without operations leaves it unused.
#[allow(unused_macros)]
macro_rules! setter {
    ($field:ident(into) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $field(self, value: impl Into<String>) -> Self {
            Self(self.0.set(|p| p.$field = Some(value.into())))
        }
    };
    ($field:ident($arg:ty) $($doc:literal)*) => {
        $(#[doc = $doc])*
        pub fn $field(self, value: $arg) -> Self {
            Self(self.0.set(|p| p.$field = Some(value)))
        }
    };
}
#[allow(unused_imports)]
pub(crate) use setter;

/// The body of an operation's `fill`, from its table of parameters, written once here
/// instead of a call expression per parameter (the generator parses every body it prints):
/// `fill!(request, p; path("groupId", group_id, RULE), query("x", x), json(true))` puts
/// each parameter of `p` (and its body) into `request` with the [`Request`] method of the
/// row's name, in order, and stops at the first that fails. A string's rule (a `static` of
/// `patterns.rs`) ends its row, or is left out for none; `query_int` ends with its bounds;
/// `path_display` is a path parameter of a type other than a string.
// A spec without operations leaves it unused.
#[allow(unused_macros)]
macro_rules! fill {
    ($r:ident, $p:ident; $($kind:ident($($arg:tt)*)),* $(,)?) => {{
        $($crate::request::fill!(@ $r $p $kind $($arg)*);)*
        Ok(())
    }};
    (@ $r:ident $p:ident path $name:literal, $field:ident $(, $rule:path)?) => {
        $r.path($name, &$p.$field, $crate::request::fill!(@rule $($rule)?))?
    };
    (@ $r:ident $p:ident path_display $name:literal, $field:ident) => {
        $r.path($name, &$p.$field.as_ref().map(ToString::to_string), &$crate::request::Rule::NONE)?
    };
    (@ $r:ident $p:ident query_str $name:literal, $field:ident, $required:literal $(, $rule:path)?) => {
        $r.query_str($name, &$p.$field, $required, $crate::request::fill!(@rule $($rule)?))?
    };
    (@ $r:ident $p:ident query_int $name:literal, $field:ident, $required:literal, $min:expr, $max:expr) => {
        $r.query_int($name, $p.$field, $required, $min..=$max)?
    };
    (@ $r:ident $p:ident query_list $name:literal, $field:ident, $required:literal) => {
        $r.query_list($name, $p.$field.as_ref(), $required)?
    };
    (@ $r:ident $p:ident required_query $name:literal, $field:ident) => {
        $r.required_query($name, $p.$field.as_ref())?
    };
    (@ $r:ident $p:ident query $name:literal, $field:ident) => {
        $r.query($name, $p.$field.as_ref())
    };
    (@ $r:ident $p:ident header $name:literal, $field:ident, $required:literal) => {
        $r.header($name, $p.$field.as_ref(), $required)?
    };
    (@ $r:ident $p:ident bytes_body $required:literal, $media:literal) => {
        $r.bytes_body($p.body.as_ref(), $required, $media)?
    };
    (@ $r:ident $p:ident json $required:literal) => {
        $r.json($p.body.as_ref(), $required)?
    };
    (@ $r:ident $p:ident json_body $required:literal, $media:literal) => {
        $r.json_body($p.body.as_ref(), $required, $media)?
    };
    (@rule $rule:path) => {
        &$rule
    };
    (@rule) => {
        &$crate::request::Rule::NONE
    };
}
#[allow(unused_imports)]
pub(crate) use fill;

/// A request under construction.
#[derive(Debug)]
pub(crate) struct Request {
    pub operation: &'static Operation,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    pub content_type: Option<&'static str>,
    /// The body as JSON text given by [`Call::set_body_json`](crate::call::Call::set_body_json):
    /// sent as given in place of the typed body, by [`json_body`](Self::json_body).
    pub body_json: Option<bytes::Bytes>,
    pub accept: &'static str,
    pub timeout: Option<Duration>,
    /// `envelope` and `pretty` of the call's options, sent after `query`.
    pub flags: [(&'static str, Option<bool>); 2],
}

/// Options every builder carries besides the operation's parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub timeout: Option<Duration>,
    /// Pages fetched at once by a list builder's stream (`None`: one at a time).
    pub concurrency: Option<usize>,
    /// Atlas's `envelope` and `pretty` query flags, on the builders whose operation has
    /// them: sent after the operation's other query parameters.
    pub envelope: Option<bool>,
    pub pretty: Option<bool>,
    /// The media type of the API version asked for by date ([`Builder::api_version_date`]),
    /// over the builder's own.
    pub media_type: Option<&'static str>,
    /// The request body as JSON text, sent as given ([`Request::body_json`]).
    pub body_json: Option<bytes::Bytes>,
}

impl Request {
    pub fn new(operation: &'static Operation, options: &CallOptions) -> Self {
        let accept = operation.versions.last().copied().unwrap_or("application/json");
        Request {
            operation,
            path: operation.path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            content_type: None,
            body_json: options.body_json.clone(),
            accept,
            timeout: options.timeout,
            flags: [("envelope", options.envelope), ("pretty", options.pretty)],
        }
    }

    /// Whether Atlas is asked to wrap its answer in an envelope (`envelope=true`).
    pub fn envelope(&self) -> bool {
        self.flags[0].1 == Some(true)
    }

    /// The query's name–value pairs in the order they are sent: the operation's parameters,
    /// then the flags that were set.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        let flags = self.flags.iter().filter_map(|(name, value)| Some((*name, if (*value)? { "true" } else { "false" })));
        self.query.iter().map(|(name, value)| (*name, value.as_str())).chain(flags)
    }

    /// Checks a required path parameter and puts it, percent-encoded, into the path.
    pub fn path(&mut self, name: &'static str, value: &Option<String>, rule: &Rule) -> Result<(), Error> {
        let value = value.as_deref().ok_or_else(|| Error::invalid(name, "is required"))?;
        if value.is_empty() {
            return Err(Error::invalid(name, "must not be empty"));
        }
        rule.check(name, value)?;
        if value == "." || value == ".." {
            // URL parsers resolve these as dot-segments even when escaped.
            return Err(Error::invalid(name, "must not be `.` or `..`"));
        }
        // Borrowed unless something needs escaping: IDs and names usually do not.
        let encoded: std::borrow::Cow<'_, str> = utf8_percent_encode(value, SEGMENT).into();
        if let Some(range) = placeholder(&self.path, name) {
            self.path.replace_range(range, &encoded);
        }
        Ok(())
    }

    /// Adds an optional query parameter.
    pub fn query<T: Display>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
    }

    /// Adds a required query parameter.
    pub fn required_query<T: Display>(&mut self, name: &'static str, value: Option<&T>) -> Result<(), Error> {
        let value = value.ok_or_else(|| Error::invalid(name, "is required"))?;
        self.query.push((name, value.to_string()));
        Ok(())
    }

    /// Adds a string query parameter after checking its rule.
    pub fn query_str(&mut self, name: &'static str, value: &Option<String>, required: bool, rule: &Rule) -> Result<(), Error> {
        match value.as_deref() {
            Some(v) => {
                rule.check(name, v)?;
                self.query.push((name, v.to_owned()));
                Ok(())
            }
            None if required => Err(Error::invalid(name, "is required")),
            None => Ok(()),
        }
    }

    /// An integer query parameter with inclusive bounds from the spec (`itemsPerPage`
    /// 1..=500): a value out of range is refused before any I/O rather than sent for the
    /// server to reject or, worse, to clamp silently.
    pub fn query_int<T: Into<i64> + Copy + Display>(
        &mut self,
        name: &'static str,
        value: Option<T>,
        required: bool,
        bounds: std::ops::RangeInclusive<i64>,
    ) -> Result<(), Error> {
        let Some(value) = value else {
            return if required { Err(Error::invalid(name, "is required")) } else { Ok(()) };
        };
        // An unbounded side is `i64::MIN` or `i64::MAX`, which no `i64` is beyond.
        let number: i64 = value.into();
        if number < *bounds.start() {
            return Err(Error::invalid(name, format!("must be at least {}", bounds.start())));
        }
        if number > *bounds.end() {
            return Err(Error::invalid(name, format!("must be at most {}", bounds.end())));
        }
        self.query.push((name, value.to_string()));
        Ok(())
    }

    /// Adds an array query parameter, one `name=value` pair per element.
    pub fn query_list<T: Display>(&mut self, name: &'static str, values: Option<&Vec<T>>, required: bool) -> Result<(), Error> {
        match values {
            Some(values) => {
                self.query.extend(values.iter().map(|v| (name, v.to_string())));
                Ok(())
            }
            None if required => Err(Error::invalid(name, "is required")),
            None => Ok(()),
        }
    }

    /// Adds a header parameter.
    pub fn header<T: Display>(&mut self, name: &'static str, value: Option<&T>, required: bool) -> Result<(), Error> {
        match value {
            Some(v) => {
                self.headers.push((name, v.to_string()));
                Ok(())
            }
            None if required => Err(Error::invalid(name, "is required")),
            None => Ok(()),
        }
    }

    /// Serializes a JSON body, or takes the JSON text given as it is ([`Self::body_json`]).
    /// The body is kept as bytes so that a retry or an auth challenge can send it again.
    pub fn json_body<T: serde::Serialize>(&mut self, value: Option<&T>, required: bool, media_type: &'static str) -> Result<(), Error> {
        if let Some(json) = self.body_json.take() {
            self.body = Some(json.to_vec());
            self.content_type = Some(media_type);
            return Ok(());
        }
        match value {
            Some(v) => {
                let bytes = serde_json::to_vec(v).map_err(|e| Error::invalid("body", format!("cannot be serialized: {e}")))?;
                self.body = Some(bytes);
                self.content_type = Some(media_type);
                Ok(())
            }
            None if required => Err(Error::invalid("body", "is required")),
            None => Ok(()),
        }
    }

    /// Serializes a JSON body sent as the media type of the version asked for (the newest
    /// unless the builder chose another).
    pub fn json<T: serde::Serialize>(&mut self, value: Option<&T>, required: bool) -> Result<(), Error> {
        // `accept` is the operation's newest version, or the builder's own version.
        self.json_body(value, required, self.accept)
    }

    /// Sets a raw body (binary uploads).
    pub fn bytes_body(&mut self, value: Option<&Vec<u8>>, required: bool, media_type: &'static str) -> Result<(), Error> {
        match value {
            Some(v) => {
                self.body = Some(v.clone());
                self.content_type = Some(media_type);
                Ok(())
            }
            None if required => Err(Error::invalid("body", "is required")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static OP: Operation = Operation {
        id: "test",
        method: Method::GET,
        path: "/groups/{groupId}/x/{group}/{id}",
        versions: &["application/vnd.atlas.2024-05-30+json"],
    };

    #[test]
    fn path_parameters_fill_their_own_placeholder_only() -> Result<(), Error> {
        let mut request = Request::new(&OP, &CallOptions::default());
        // `group` must not match the start of `{groupId}`.
        request.path("group", &Some("g/1".to_owned()), &Rule::NONE)?;
        request.path("groupId", &Some("abc".to_owned()), &Rule::NONE)?;
        request.path("id", &Some("a b".to_owned()), &Rule::NONE)?;
        assert_eq!(request.path, "/groups/abc/x/g%2F1/a%20b");
        Ok(())
    }

    #[test]
    fn placeholder_needs_the_closing_brace() {
        assert_eq!(placeholder("/a/{groupId}", "group"), None);
        assert_eq!(placeholder("/a/{group", "group"), None);
        assert_eq!(placeholder("/a/{group}/b", "group"), Some(3..10));
    }

    #[test]
    fn json_text_given_is_the_body_sent_in_the_version_s_media_type() -> Result<(), Error> {
        let json = bytes::Bytes::from_static(b"{\"z\": null, \"a\": 1.50}");
        let options = CallOptions { body_json: Some(json.clone()), ..CallOptions::default() };
        let mut request = Request::new(&OP, &options);
        request.accept = "application/vnd.atlas.2023-01-01+json";
        // In place of the typed body, which is then not needed even when required.
        request.json(Some(&serde_json::json!({"typed": true})), true)?;
        assert_eq!(request.body.as_deref(), Some(&json[..]));
        assert_eq!(request.content_type, Some("application/vnd.atlas.2023-01-01+json"));
        let mut typed = Request::new(&OP, &CallOptions::default());
        typed.json(Some(&serde_json::json!({"typed": true})), true)?;
        assert_eq!(typed.body.as_deref(), Some(&br#"{"typed":true}"#[..]));
        Ok(())
    }
}
