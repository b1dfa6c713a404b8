//! The data of a drift report: changes, their severity and the rule that found them.

use serde::Serialize;

/// How a change affects a user of the generated Rust crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Code that compiled no longer compiles, or a call that worked now fails at run time.
    Breaking,
    /// Additive: existing code keeps compiling and working (new optional field, new enum
    /// value absorbed by `Unknown`, new operation, ...).
    NonBreaking,
    /// Worth a reviewer's eye, no effect on code: descriptions, deprecations, sunsets.
    Info,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Breaking, Severity::NonBreaking, Severity::Info];

    pub fn title(self) -> &'static str {
        match self {
            Severity::Breaking => "Breaking",
            Severity::NonBreaking => "Non-breaking",
            Severity::Info => "Info",
        }
    }
}

/// The rule that found a change; one classification function each in [`super::rules`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    OperationAdded,
    OperationRemoved,
    OperationDeprecated,
    OperationSunset,
    OperationIdChanged,
    TagsChanged,
    RolesChanged,
    MethodChanged,
    PathChanged,
    MediaTypeAdded,
    MediaTypeRemoved,
    ParameterAdded,
    ParameterRemoved,
    ParameterRequired,
    ParameterType,
    ParameterPattern,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyRequired,
    ResponseAdded,
    ResponseRemoved,
    SchemaAdded,
    SchemaRemoved,
    SchemaRefChanged,
    FieldAdded,
    FieldRemoved,
    FieldRequired,
    FieldNullable,
    TypeChanged,
    EnumChanged,
    FormatChanged,
    PatternChanged,
    ConstraintChanged,
    EnumValueAdded,
    EnumValueRemoved,
    ReadOnlyChanged,
    WriteOnlyChanged,
    AdditionalPropertiesChanged,
    VariantAdded,
    VariantRemoved,
    DiscriminatorChanged,
    PolymorphismChanged,
    Deprecated,
    DescriptionChanged,
    WaiterAdded,
    WaiterRemoved,
    WaiterAcceptorsChanged,
    WaiterStateAdded,
}

impl Rule {
    /// Every rule, for tests that check each one has a fixture.
    pub const ALL: [Rule; 48] = [
        Rule::OperationAdded,
        Rule::OperationRemoved,
        Rule::OperationDeprecated,
        Rule::OperationSunset,
        Rule::OperationIdChanged,
        Rule::TagsChanged,
        Rule::RolesChanged,
        Rule::MethodChanged,
        Rule::PathChanged,
        Rule::MediaTypeAdded,
        Rule::MediaTypeRemoved,
        Rule::ParameterAdded,
        Rule::ParameterRemoved,
        Rule::ParameterRequired,
        Rule::ParameterType,
        Rule::ParameterPattern,
        Rule::RequestBodyAdded,
        Rule::RequestBodyRemoved,
        Rule::RequestBodyRequired,
        Rule::ResponseAdded,
        Rule::ResponseRemoved,
        Rule::SchemaAdded,
        Rule::SchemaRemoved,
        Rule::SchemaRefChanged,
        Rule::FieldAdded,
        Rule::FieldRemoved,
        Rule::FieldRequired,
        Rule::FieldNullable,
        Rule::TypeChanged,
        Rule::EnumChanged,
        Rule::FormatChanged,
        Rule::PatternChanged,
        Rule::ConstraintChanged,
        Rule::EnumValueAdded,
        Rule::EnumValueRemoved,
        Rule::ReadOnlyChanged,
        Rule::WriteOnlyChanged,
        Rule::AdditionalPropertiesChanged,
        Rule::VariantAdded,
        Rule::VariantRemoved,
        Rule::DiscriminatorChanged,
        Rule::PolymorphismChanged,
        Rule::Deprecated,
        Rule::DescriptionChanged,
        Rule::WaiterAdded,
        Rule::WaiterRemoved,
        Rule::WaiterAcceptorsChanged,
        Rule::WaiterStateAdded,
    ];

    /// The Keep a Changelog section of a change of this rule that is not breaking (a
    /// breaking one goes under Breaking, whatever its rule); `None` for what users need not
    /// read (descriptions: ours are kept). Exhaustive, so a new rule says where it goes.
    pub fn changelog_section(self) -> Option<&'static str> {
        use Rule::*;
        match self {
            DescriptionChanged => None,
            OperationDeprecated | OperationSunset | Deprecated => Some("Deprecated"),
            OperationAdded | MediaTypeAdded | ParameterAdded | RequestBodyAdded | ResponseAdded | SchemaAdded | FieldAdded
            | EnumValueAdded | VariantAdded | WaiterAdded => Some("Added"),
            OperationRemoved
            | OperationIdChanged
            | TagsChanged
            | RolesChanged
            | MethodChanged
            | PathChanged
            | MediaTypeRemoved
            | ParameterRemoved
            | ParameterRequired
            | ParameterType
            | ParameterPattern
            | RequestBodyRemoved
            | RequestBodyRequired
            | ResponseRemoved
            | SchemaRemoved
            | SchemaRefChanged
            | FieldRemoved
            | FieldRequired
            | FieldNullable
            | TypeChanged
            | EnumChanged
            | FormatChanged
            | PatternChanged
            | ConstraintChanged
            | EnumValueRemoved
            | ReadOnlyChanged
            | WriteOnlyChanged
            | AdditionalPropertiesChanged
            | VariantRemoved
            | DiscriminatorChanged
            | PolymorphismChanged
            | WaiterRemoved
            | WaiterAcceptorsChanged
            | WaiterStateAdded => Some("Changed"),
        }
    }

    /// The kebab-case name used in reports and fixture directories.
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => format!("{self:?}"),
        }
    }
}

/// Whether a schema is sent, received, or both, by the operations in scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

impl Usage {
    pub const REQUEST: Usage = Usage { request: true, response: false };
    pub const RESPONSE: Usage = Usage { request: false, response: true };
    pub const BOTH: Usage = Usage { request: true, response: true };

    pub fn union(self, other: Usage) -> Usage {
        Usage { request: self.request || other.request, response: self.response || other.response }
    }

    /// Used only in requests: the generated type drops `readOnly` fields.
    pub fn request_only(self) -> bool {
        self.request && !self.response
    }

    pub fn label(self) -> &'static str {
        match (self.request, self.response) {
            (true, true) => "request and response",
            (true, false) => "request",
            (false, true) => "response",
            (false, false) => "unused",
        }
    }
}

/// What a change is about: an operation or a component schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Subject {
    /// `id` is the operationId (of the new document when both have one).
    Operation {
        id: String,
        method: String,
        path: String,
    },
    Schema {
        name: String,
    },
}

impl Subject {
    pub fn display(&self) -> String {
        match self {
            Subject::Operation { id, method, path } => format!("{id} ({method} {path})"),
            Subject::Schema { name } => format!("schema {name}"),
        }
    }
}

/// A rule's verdict before it is placed: the walker adds the subject and location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    pub fn new(rule: Rule, severity: Severity, message: impl Into<String>) -> Self {
        Finding { rule, severity, message: message.into() }
    }
}

/// Where in an operation a change is, as data: `take`, the changelog and the intended
/// differences read it without parsing text back out of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Place {
    /// The operation itself (and every change of a schema).
    #[default]
    Operation,
    /// A parameter, by name and `in` (`query`, `path`, `header`).
    Parameter { name: String, location: String },
    /// The request body.
    Request,
    /// One answer, by status (`200`, `default`).
    Response { code: String },
}

impl Place {
    pub fn is_operation(&self) -> bool {
        *self == Place::Operation
    }
}

/// As reports and intended differences say it: `parameter itemsPerPage (query)`, `request`,
/// `response 200`; empty for the operation itself.
impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Operation => Ok(()),
            Place::Parameter { name, location } => write!(f, "parameter {name} ({location})"),
            Place::Request => f.write_str("request"),
            Place::Response { code } => write!(f, "response {code}"),
        }
    }
}

/// Reports list changes in the order of the place as said (as they did when it was text).
impl Ord for Place {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string()).then_with(|| format!("{self:?}").cmp(&format!("{other:?}")))
    }
}

impl PartialOrd for Place {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The JSON report keeps the place as text.
impl Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One change between the two documents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub severity: Severity,
    pub subject: Subject,
    /// Where in an operation ([`Place::Operation`] for the operation itself and for schemas).
    #[serde(skip_serializing_if = "Place::is_operation")]
    pub place: Place,
    /// The field inside the subject (`members[].id`), empty for the subject itself.
    pub field: String,
    /// JSON pointer of the node, in the new document (in the old one for removals).
    pub pointer: String,
    /// Where the other document holds the same thing, when a change is taken from one
    /// document into the other (`spec update`): for a removed field, the object of the new
    /// document that lacks it; for enum values, the old document's schema. Empty otherwise.
    #[serde(skip)]
    pub counterpart: String,
    pub rule: Rule,
    pub message: String,
}

impl Change {
    /// The place and the field, as one text: `response 200: results[].id`,
    /// `parameter envelope (query)`, `members[].id` (a schema's field). A parameter's field
    /// only repeats its place, so it is left out.
    pub fn location(&self) -> String {
        match (&self.place, self.field.as_str()) {
            (Place::Operation, field) => field.to_owned(),
            (place @ Place::Parameter { .. }, _) => place.to_string(),
            (place, "") => place.to_string(),
            (place, field) => format!("{place}: {field}"),
        }
    }
}

/// Counts per severity plus the size of what was compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub breaking: usize,
    pub non_breaking: usize,
    pub info: usize,
    pub operations_old: usize,
    pub operations_new: usize,
    pub schemas_old: usize,
    pub schemas_new: usize,
}

/// The result of comparing two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    /// The tags the comparison was restricted to (empty: the whole API).
    pub tags: Vec<String>,
    pub summary: Summary,
    /// Sorted by severity, subject, field, pointer, rule and message.
    pub changes: Vec<Change>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.changes.iter().filter(|c| c.severity == severity).count()
    }

    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.severity == Severity::Breaking)
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The place is data to `take` and the changelog, and the same text as before to reports
    /// and intended differences (`at:`), JSON included.
    #[test]
    fn a_place_is_data_and_reads_as_before() {
        let change = |place: Place, field: &str| Change {
            severity: Severity::Breaking,
            subject: Subject::Operation { id: "getA".to_owned(), method: "GET".to_owned(), path: "/a".to_owned() },
            place,
            field: field.to_owned(),
            pointer: String::new(),
            counterpart: String::new(),
            rule: Rule::EnumChanged,
            message: String::new(),
        };
        let parameter = Place::Parameter { name: "state".to_owned(), location: "query".to_owned() };
        assert_eq!(change(parameter.clone(), "state").location(), "parameter state (query)");
        assert_eq!(change(Place::Response { code: "200".to_owned() }, "results[].id").location(), "response 200: results[].id");
        assert_eq!(change(Place::Request, "").location(), "request");
        assert_eq!(change(Place::Operation, "members[].id").location(), "members[].id");
        let json = serde_json::to_value(change(parameter, "state")).unwrap_or_default();
        assert_eq!(json["place"], "parameter state (query)");
        assert!(serde_json::to_value(change(Place::Operation, "")).unwrap_or_default().get("place").is_none());
        assert!(Place::Request < Place::Response { code: "200".to_owned() } && Place::Operation < Place::Request);
    }
}
