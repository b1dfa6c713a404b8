//! The shape of the generated tables: what the spec says about each operation, parameter,
//! request body and waiter, and the library's builder of each (named by type, driven
//! through `atlas_backup::call`). `commands.rs` fills them; everything else of the command
//! line reads them, so that no logic is written per operation.

use crate::call::{NewCall, NewWait};

/// One operation of the spec, as a command `<tag> <name>`.
pub struct Operation {
    /// The command (`takeSnapshots`).
    pub id: &'static str,
    /// Its other names, shown in help: the kebab-case spelling, and the operation's other
    /// published names.
    pub aliases: &'static [&'static str],
    pub tag: &'static str,
    pub tag_kebab: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    /// The library's builder (of the newest version).
    pub call: NewCall,
    /// The API versions the operation answers, oldest first; the default is the newest
    /// that is not a preview.
    pub versions: &'static [Version],
    /// Atlas roles of which any one grants access.
    pub roles: &'static [&'static str],
    pub deprecated: bool,
    pub sunset: Option<&'static str>,
    /// The parameters, each defined once in `commands.rs` and shared by the operations
    /// that have it.
    pub params: &'static [&'static Param],
    pub body: Option<Body>,
    /// The schema the answer is checked against (named in the warning when it does not
    /// match).
    pub answer: Option<&'static str>,
    /// A list operation: pages through `results` (`--all`, `--concurrency`).
    pub list: bool,
    /// The waiters that follow a job this operation starts (`--wait`).
    pub links: &'static [Link],
}

/// One API version of an operation: its date (`preview` for the preview) and the
/// library's builder that calls it.
pub struct Version {
    pub date: &'static str,
    pub call: NewCall,
}

/// A parameter, as a flag (`--groupId`, alias `--group-id`).
pub struct Param {
    /// The spec's name, as the library's builder takes it.
    pub name: &'static str,
    /// The flag (the name, unless it is one of the command line's own flags).
    pub flag: &'static str,
    /// Other spellings of the flag: kebab-case, and `projectId` for `groupId`.
    pub aliases: &'static [&'static str],
    pub location: Location,
    pub required: bool,
    pub kind: Kind,
    /// Several values (an array query parameter): repeat the flag or separate with commas.
    pub multiple: bool,
    pub help: &'static str,
    pub default: Option<&'static str>,
    /// A value for the example line of the help (the spec's example, else `[name]`).
    pub example: &'static str,
    pub deprecated: bool,
}

/// Where a parameter goes in the request, as OpenAPI's `in` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

/// The type of a parameter's value.
#[derive(Clone, Copy)]
pub enum Kind {
    String,
    /// Inclusive bounds from the spec.
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Number,
    Boolean,
    Enum(&'static [&'static str]),
}

/// An operation's request body.
pub struct Body {
    pub required: bool,
    /// The library's type the body decodes into.
    pub type_name: &'static str,
    pub shape: &'static Shape,
}

/// What a JSON value of a request body may be: the table `--file` is checked against and
/// `--template` prints.
pub enum Shape {
    String,
    Integer,
    Number,
    Boolean,
    /// Date-time or date, as text.
    Date,
    Enum(&'static [&'static str]),
    Object {
        fields: &'static [Field],
        additional: Option<&'static Shape>,
    },
    Array(&'static Shape),
    Map(&'static Shape),
    /// Variants chosen by the value of a property: (tag, fields of the variant).
    Tagged {
        property: &'static str,
        variants: &'static [(&'static str, &'static Shape)],
    },
    /// Anything (untagged unions, free JSON): not checked further.
    Any,
}

/// A property of a body object.
pub struct Field {
    pub name: &'static str,
    pub required: bool,
    pub read_only: bool,
    pub shape: &'static Shape,
}

/// A waiter of the spec, as `wait <name>`.
pub struct Waiter {
    pub name: &'static str,
    pub kebab: &'static str,
    pub description: &'static str,
    /// Index in the operations table of the operation it polls.
    pub operation: usize,
    /// The answer fields the acceptors look at (`status`), shown while waiting.
    pub state_paths: &'static [&'static [&'static str]],
    pub min_delay: u64,
    pub max_delay: u64,
    /// The library's waiter.
    pub wait: NewWait,
}

/// A response link of the spec: after the operation, waiter `waiter` follows its job, with
/// the polled operation's parameters taken from the request and the answer.
pub struct Link {
    /// Index in the waiters table.
    pub waiter: usize,
    pub params: &'static [(&'static str, Source)],
}

/// Where a linked parameter's value comes from.
pub enum Source {
    /// `$request.path.X` (or `.query.X`): the value the call was given for `X`.
    Request(&'static str),
    /// `$response.body#/pointer`: a value of the answer.
    Response(&'static str),
}
