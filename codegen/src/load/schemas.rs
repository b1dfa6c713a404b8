//! Schema `$ref`s and `allOf`, walked one way for every reader (the IR's lowering, drift): a
//! `$ref` followed through component aliases (`X: {$ref: Y}`) to a schema body, and the
//! parts an `allOf` merges, in order, each resolved, with the JSON pointer of what was found.
//! What a reader takes from a part (the IR's struct fields, drift's merged facts) stays its
//! own; where the parts are and which component each came through is decided here, once.

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind};

use crate::error::pointer;

/// The prefix of a `$ref` to a component schema.
pub const SCHEMAS: &str = "#/components/schemas/";
const SECTION: &str = "#/components/schemas";
/// Longer alias chains and deeper `allOf` nesting than this are refused: the cycle checks
/// catch every cycle through `$ref`s, so only a document built to exhaust the stack gets here.
pub const MAX_DEPTH: usize = 64;
/// More parts than this in one `allOf`, counted with its parts' own: a component may be
/// merged through several parts (a diamond), so diamonds stacked level on level would
/// double the walk at each level; real schemas merge a handful.
pub const MAX_PARTS: usize = 4096;

/// A schema position: a `$ref` to a component schema, or an inline schema (`openapiv3`
/// boxes some, so both kinds of `ReferenceOr` convert to this).
#[derive(Debug, Clone, Copy)]
pub enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Item(s),
        }
    }
}

impl<'a> SchemaRef<'a> {
    /// The component name of a `#/components/schemas/X` reference, as written (drift
    /// compares references by it).
    pub fn ref_name(self) -> Option<&'a str> {
        match self {
            SchemaRef::Ref(r) => r.strip_prefix(SCHEMAS),
            SchemaRef::Item(_) => None,
        }
    }
}

/// Why a schema `$ref` or an `allOf` could not be followed. Each reader words some of these
/// its own way ([`Problem::message`] is the default wording), so they are data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The `$ref` does not point under `#/components/schemas/`.
    Unsupported { reference: String },
    /// No component schema has the (unescaped) name.
    Dangling { reference: String, name: String },
    /// Component aliases (`X: {$ref: Y}`) that never reach a schema body.
    AliasCycle,
    /// An `allOf` part merges a component that is already being merged on the way there.
    AllOfCycle { reference: String, name: String },
    /// `allOf` nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_PARTS`] parts merged into one schema.
    TooMany,
}

impl Problem {
    pub fn message(&self) -> String {
        match self {
            Problem::Unsupported { reference } => {
                format!("unsupported $ref {reference:?}: schema references must point under {SCHEMAS}")
            }
            Problem::Dangling { reference, .. } => format!("dangling $ref {reference:?}: no such schema under {SECTION}"),
            Problem::AliasCycle => "cyclic chain of schema aliases ($ref to $ref)".to_owned(),
            Problem::AllOfCycle { name, .. } => format!("cyclic allOf through schema {name:?}"),
            Problem::TooDeep => "allOf nested too deeply (a cycle?)".to_owned(),
            Problem::TooMany => format!("allOf merges more than {MAX_PARTS} parts (the same components through many paths?)"),
        }
    }
}

/// A problem and where it is: the `$ref`'s pointer, or for [`Problem::AliasCycle`],
/// [`Problem::TooDeep`] and [`Problem::TooMany`] the schema or part where the walk stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub at: String,
    pub problem: Problem,
}

/// The component schema a `$ref` at `at` names: its name (the key of
/// `#/components/schemas`, `~1`/`~0` unescaped) and what is stored under it, which may itself
/// be a `$ref` (an alias).
pub fn component<'a>(doc: &'a OpenAPI, reference: &str, at: &str) -> Result<(&'a str, &'a ReferenceOr<Schema>), Broken> {
    let at = pointer(at, "$ref");
    let Some(name) = reference.strip_prefix(SCHEMAS) else {
        return Err(Broken { at, problem: Problem::Unsupported { reference: reference.to_owned() } });
    };
    let name = name.replace("~1", "/").replace("~0", "~");
    match doc.components.as_ref().and_then(|c| c.schemas.get_key_value(&name)) {
        Some((key, schema)) => Ok((key.as_str(), schema)),
        None => Err(Broken { at, problem: Problem::Dangling { reference: reference.to_owned(), name } }),
    }
}

/// A schema body and where it is.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub schema: &'a Schema,
    /// `at` for an inline schema; for a `$ref`, the pointer of the component that holds
    /// the body (the last of an alias chain).
    pub at: String,
    /// The first component named on the way (the one the `$ref` itself names).
    pub name: Option<&'a str>,
}

/// Follows `s` (at `at`) through `$ref`s and component aliases to a schema body.
pub fn resolve<'a>(doc: &'a OpenAPI, s: SchemaRef<'a>, at: &str) -> Result<Resolved<'a>, Broken> {
    let mut current = s;
    let mut at = at.to_owned();
    let mut name = None;
    for _ in 0..MAX_DEPTH {
        match current {
            SchemaRef::Item(schema) => return Ok(Resolved { schema, at, name }),
            SchemaRef::Ref(reference) => {
                let (found, target) = component(doc, reference, &at)?;
                name.get_or_insert(found);
                at = pointer(SECTION, found);
                current = target.into();
            }
        }
    }
    Err(Broken { at, problem: Problem::AliasCycle })
}

/// One part of an `allOf`, resolved.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    pub schema: &'a Schema,
    /// Where the `allOf` lists it: `.../allOf/<i>`.
    pub listed_at: String,
    /// Where its body is ([`Resolved::at`]).
    pub at: String,
    /// The component its `$ref` names; `None` for an inline part.
    pub name: Option<&'a str>,
    /// The outermost component the part was merged through: its own name, or that of the
    /// `$ref`'d part it is nested in. `None` for inline parts of inline parts of the root.
    pub origin: Option<&'a str>,
}

/// In which order [`all_of`] lists a part and the parts of its own `allOf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// A part, then its parts (drift merges a schema's own facts before its `allOf`'s).
    PartFirst,
    /// A part's parts, then the part (the IR collects a schema's `allOf` before its own
    /// properties).
    PartsFirst,
}

/// The `allOf` of `schema` (at `at`), flattened: every part, and the parts of parts' own
/// `allOf` (written `allOf` or next to other keywords), depth first in `order`. `name` is
/// the component `schema` is, when it is one: merging it again is a cycle. A part may merge
/// a component twice through different parts (a diamond); only a component merged inside
/// itself is a cycle ([`Problem::AllOfCycle`] at that part's `$ref`).
pub fn all_of<'a>(doc: &'a OpenAPI, schema: &'a Schema, at: &str, name: Option<&'a str>, order: Order) -> Result<Vec<Part<'a>>, Broken> {
    let mut walk = Walk { doc, order, within: name.into_iter().collect(), parts: Vec::new(), visited: 0 };
    walk.parts_of(schema, at, None, 1)?;
    Ok(walk.parts)
}

/// The `allOf` list of a schema, whichever way `openapiv3` read it.
fn list(schema: &Schema) -> &[ReferenceOr<Schema>] {
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => all_of,
        SchemaKind::Any(any) => &any.all_of,
        _ => &[],
    }
}

struct Walk<'a> {
    doc: &'a OpenAPI,
    order: Order,
    /// The components being merged on the way to the current part.
    within: Vec<&'a str>,
    parts: Vec<Part<'a>>,
    /// Parts met so far ([`MAX_PARTS`]); with [`Order::PartsFirst`] a part is listed only
    /// after its own, so `parts.len()` lags behind.
    visited: usize,
}

impl<'a> Walk<'a> {
    fn parts_of(&mut self, schema: &'a Schema, at: &str, origin: Option<&'a str>, depth: usize) -> Result<(), Broken> {
        for (i, part) in list(schema).iter().enumerate() {
            let listed_at = pointer(&pointer(at, "allOf"), &i.to_string());
            let found = resolve(self.doc, part.into(), &listed_at)?;
            if let (Some(name), ReferenceOr::Reference { reference }) = (found.name, part)
                && self.within.contains(&name)
            {
                let problem = Problem::AllOfCycle { reference: reference.clone(), name: name.to_owned() };
                return Err(Broken { at: pointer(&listed_at, "$ref"), problem });
            }
            if depth > MAX_DEPTH {
                return Err(Broken { at: found.at, problem: Problem::TooDeep });
            }
            self.visited += 1;
            if self.visited > MAX_PARTS {
                return Err(Broken { at: listed_at, problem: Problem::TooMany });
            }
            let part = Part { schema: found.schema, listed_at, at: found.at, name: found.name, origin: origin.or(found.name) };
            let (body, body_at, part_origin) = (part.schema, part.at.clone(), part.origin);
            self.within.extend(part.name);
            match self.order {
                Order::PartFirst => {
                    self.parts.push(part);
                    self.parts_of(body, &body_at, part_origin, depth + 1)?;
                }
                Order::PartsFirst => {
                    self.parts_of(body, &body_at, part_origin, depth + 1)?;
                    self.parts.push(part);
                }
            }
            if found.name.is_some() {
                self.within.pop();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: &str) -> OpenAPI {
        let yaml = format!("openapi: 3.0.1\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}");
        match serde_yaml::from_str(&yaml) {
            Ok(doc) => doc,
            Err(e) => panic!("{e}\n{yaml}"),
        }
    }

    fn schema<'a>(doc: &'a OpenAPI, name: &str) -> &'a Schema {
        match doc.components.as_ref().and_then(|c| c.schemas.get(name)) {
            Some(ReferenceOr::Item(s)) => s,
            other => panic!("{name}: {other:?}"),
        }
    }

    /// A part as the tests compare it: listed at, body at, name, origin.
    type Row = (String, String, Option<String>, Option<String>);

    fn parts(doc: &OpenAPI, name: &str, order: Order) -> Result<Vec<Row>, Broken> {
        let at = pointer(SECTION, name);
        let parts = all_of(doc, schema(doc, name), &at, Some(name), order)?;
        Ok(parts.into_iter().map(|p| (p.listed_at, p.at, p.name.map(str::to_owned), p.origin.map(str::to_owned))).collect())
    }

    const ALIASES: &str = "    Body: {type: string}\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/Body'}\n    Loop: {$ref: '#/components/schemas/Pool'}\n    Pool: {$ref: '#/components/schemas/Loop'}\n    Gone: {$ref: '#/components/schemas/Nothing'}\n    a/b: {type: integer}\n";

    #[test]
    fn an_alias_chain_ends_at_the_body_and_names_its_first_component() {
        let doc = doc(ALIASES);
        let found = resolve(&doc, SchemaRef::Ref("#/components/schemas/A"), "#/x");
        let found = found.map(|r| (r.at, r.name, r.schema.schema_data.description.is_none()));
        assert_eq!(found, Ok(("#/components/schemas/Body".to_owned(), Some("A"), true)));
        let item = Schema { schema_data: Default::default(), schema_kind: SchemaKind::Any(Default::default()) };
        assert_eq!(resolve(&doc, SchemaRef::Item(&item), "#/x").map(|r| (r.at, r.name)), Ok(("#/x".to_owned(), None)));
        // A name with `/` is written escaped in the `$ref`, and found.
        let escaped = resolve(&doc, SchemaRef::Ref("#/components/schemas/a~1b"), "#/x").map(|r| (r.at, r.name));
        assert_eq!(escaped, Ok(("#/components/schemas/a~1b".to_owned(), Some("a/b"))));
    }

    #[test]
    fn a_bad_ref_is_an_error_at_the_ref_that_is_bad() {
        let doc = doc(ALIASES);
        let problem = |reference: &str| resolve(&doc, SchemaRef::Ref(reference), "#/x").map(|r| r.at).map_err(|b| (b.at, b.problem));
        assert_eq!(
            problem("#/components/schemas/Missing"),
            Err((
                "#/x/$ref".to_owned(),
                Problem::Dangling { reference: "#/components/schemas/Missing".to_owned(), name: "Missing".to_owned() }
            ))
        );
        // The alias's own `$ref` is the one that dangles.
        assert_eq!(problem("#/components/schemas/Gone").map_err(|(at, _)| at), Err("#/components/schemas/Gone/$ref".to_owned()));
        assert_eq!(problem("other.yaml#/X"), Err(("#/x/$ref".to_owned(), Problem::Unsupported { reference: "other.yaml#/X".to_owned() })));
        let cycle = problem("#/components/schemas/Loop").map_err(|(at, p)| (at.starts_with("#/components/schemas/"), p));
        assert_eq!(cycle, Err((true, Problem::AliasCycle)));
        let message = Problem::Dangling { reference: "#/components/schemas/M".to_owned(), name: "M".to_owned() }.message();
        assert_eq!(message, "dangling $ref \"#/components/schemas/M\": no such schema under #/components/schemas");
    }

    const NESTED: &str = "    Base: {type: object, properties: {id: {type: string}}}\n    Mid:\n      properties: {m: {type: string}}\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - allOf: [{type: object, properties: {deep: {type: integer}}}]\n    Alias: {$ref: '#/components/schemas/Mid'}\n    Top:\n      allOf:\n        - $ref: '#/components/schemas/Alias'\n        - type: object\n          properties: {own: {type: string}}\n";

    fn owned(listed_at: &str, at: &str, name: Option<&str>, origin: Option<&str>) -> Row {
        (listed_at.to_owned(), at.to_owned(), name.map(str::to_owned), origin.map(str::to_owned))
    }

    #[test]
    fn parts_come_depth_first_with_their_pointers_and_the_component_they_came_through() {
        let doc = doc(NESTED);
        let mid = owned("#/components/schemas/Top/allOf/0", "#/components/schemas/Mid", Some("Alias"), Some("Alias"));
        let base = owned("#/components/schemas/Mid/allOf/0", "#/components/schemas/Base", Some("Base"), Some("Alias"));
        let inline = owned("#/components/schemas/Mid/allOf/1", "#/components/schemas/Mid/allOf/1", None, Some("Alias"));
        let deep = owned("#/components/schemas/Mid/allOf/1/allOf/0", "#/components/schemas/Mid/allOf/1/allOf/0", None, Some("Alias"));
        let own = owned("#/components/schemas/Top/allOf/1", "#/components/schemas/Top/allOf/1", None, None);
        let first = vec![mid.clone(), base.clone(), inline.clone(), deep.clone(), own.clone()];
        assert_eq!(parts(&doc, "Top", Order::PartFirst), Ok(first));
        assert_eq!(parts(&doc, "Top", Order::PartsFirst), Ok(vec![base, deep, inline, mid, own]));
        // A schema with properties and an `allOf` (openapiv3's `Any`) lists its `allOf`.
        assert_eq!(parts(&doc, "Mid", Order::PartFirst).map(|p| p.len()), Ok(3));
        assert_eq!(parts(&doc, "Base", Order::PartFirst).map(|p| p.len()), Ok(0));
    }

    #[test]
    fn a_component_merged_inside_itself_is_a_cycle_but_a_diamond_is_not() {
        let doc = doc(
            "    A:\n      allOf: [{$ref: '#/components/schemas/B'}]\n    B:\n      allOf: [{$ref: '#/components/schemas/A'}, {type: object}]\n    Base: {type: object}\n    L: {allOf: [{$ref: '#/components/schemas/Base'}]}\n    R: {allOf: [{$ref: '#/components/schemas/Base'}]}\n    D: {allOf: [{$ref: '#/components/schemas/L'}, {$ref: '#/components/schemas/R'}]}\n",
        );
        let cycle = |root: Option<&str>| {
            let at = pointer(SECTION, "B");
            all_of(&doc, schema(&doc, "B"), &at, root, Order::PartFirst).map(|p| p.len())
        };
        // Known as B, B is the first component merged again.
        let through_b = Problem::AllOfCycle { reference: "#/components/schemas/B".to_owned(), name: "B".to_owned() };
        assert_eq!(cycle(Some("B")), Err(Broken { at: "#/components/schemas/A/allOf/0/$ref".to_owned(), problem: through_b }));
        // Not known as a component, it is found one part deeper, through A.
        let through_a = Problem::AllOfCycle { reference: "#/components/schemas/A".to_owned(), name: "A".to_owned() };
        assert_eq!(cycle(None), Err(Broken { at: "#/components/schemas/B/allOf/0/$ref".to_owned(), problem: through_a }));
        let diamond = parts(&doc, "D", Order::PartFirst).map(|p| p.into_iter().filter_map(|p| p.2).collect::<Vec<_>>());
        assert_eq!(diamond, Ok(vec!["L".to_owned(), "Base".to_owned(), "R".to_owned(), "Base".to_owned()]));
    }

    /// Diamonds stacked: each level merges the one below twice, so the walk doubles per
    /// level; 13 levels are over 8,000 parts, refused instead of walked.
    #[test]
    fn stacked_diamonds_past_the_limit_are_refused() {
        let stack = |levels: usize| {
            let mut schemas: String = (0..levels)
                .map(|i| {
                    format!(
                        "    S{i}: {{allOf: [{{$ref: '#/components/schemas/S{n}'}}, {{$ref: '#/components/schemas/S{n}'}}]}}\n",
                        n = i + 1
                    )
                })
                .collect();
            schemas.push_str(&format!("    S{levels}: {{type: object}}\n"));
            let doc = doc(&schemas);
            parts(&doc, "S0", Order::PartsFirst).map(|p| p.len()).map_err(|b| b.problem)
        };
        // 2 + 4 + ... + 2^levels parts.
        assert_eq!(stack(3), Ok(14));
        assert_eq!(stack(13), Err(Problem::TooMany));
    }

    #[test]
    fn allof_nested_past_the_limit_is_refused() {
        // D0 merges D1, which merges D2, ...: `levels` parts, one per level.
        let chain = |levels: usize| {
            let mut schemas: String =
                (0..levels).map(|i| format!("    D{i}: {{allOf: [{{$ref: '#/components/schemas/D{}'}}]}}\n", i + 1)).collect();
            schemas.push_str(&format!("    D{levels}: {{type: object}}\n"));
            let doc = doc(&schemas);
            parts(&doc, "D0", Order::PartFirst).map(|p| p.len())
        };
        assert_eq!(chain(MAX_DEPTH), Ok(MAX_DEPTH));
        let too_deep = format!("#/components/schemas/D{}", MAX_DEPTH + 1);
        assert_eq!(chain(MAX_DEPTH + 1), Err(Broken { at: too_deep, problem: Problem::TooDeep }));
    }
}
