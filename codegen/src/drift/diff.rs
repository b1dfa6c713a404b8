//! The walk over two documents: operations matched and compared, then the component
//! schemas the operations in scope reach. Each difference goes through a rule of
//! [`super::rules`], which decides its severity.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Change, Finding, Place, Subject, Usage};
use super::rules::{self, FieldFacts};
use super::spec::{Additional, Doc, Merged, Op, Prop};
use crate::error::{Error, pointer};
use crate::ir::newest_json;
use crate::load::names;
use crate::load::schemas::{MAX_DEPTH, SchemaRef};

/// Where a schema comparison stands: what it is about and who uses it.
#[derive(Debug, Clone)]
struct At {
    subject: Subject,
    usage: Usage,
    /// Where in an operation (see [`Change::place`]).
    place: Place,
    field: String,
}

impl At {
    fn child(&self, field: String) -> At {
        At { subject: self.subject.clone(), usage: self.usage, place: self.place.clone(), field }
    }

    /// A place of the operation (a parameter, the request, a response), at its root.
    fn place(&self, place: Place) -> At {
        At { subject: self.subject.clone(), usage: self.usage, place, field: String::new() }
    }
}

/// Where a parameter is in each document, to find the type the generator gives it.
struct ParamKey<'k> {
    old_op: &'k str,
    new_op: &'k str,
    old_name: &'k str,
    new_name: &'k str,
    location: &'static str,
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_owned() } else { format!("{parent}.{name}") }
}

pub(crate) struct Differ<'a> {
    pub old: Doc<'a>,
    pub new: Doc<'a>,
    pub changes: Vec<Change>,
    /// Old `oneOf` variants folded into a flattened object (not reported as removed).
    absorbed: BTreeSet<&'a str>,
    /// New `oneOf` variants split out of an object (not reported as added).
    introduced: BTreeSet<&'a str>,
    /// `(old, new)` schemas found in place of each other (renamed): compared once, under
    /// the new name, and not reported as removed and added.
    renamed: BTreeSet<(&'a str, &'a str)>,
    old_usage: BTreeMap<&'a str, Usage>,
    new_usage: BTreeMap<&'a str, Usage>,
    /// See [`super::Options::per_operation`].
    per_operation: bool,
    /// Per operation: the `(old, new)` component pairs being compared in place, to stop at
    /// recursive schemas.
    expanding: Vec<(&'a str, &'a str)>,
}

/// What the walk saw, for the summary.
pub(crate) struct Scope {
    pub operations_old: usize,
    pub operations_new: usize,
    pub schemas_old: usize,
    pub schemas_new: usize,
}

impl<'a> Differ<'a> {
    pub(crate) fn new(old: Doc<'a>, new: Doc<'a>, per_operation: bool) -> Self {
        Differ {
            old,
            new,
            changes: Vec::new(),
            absorbed: BTreeSet::new(),
            introduced: BTreeSet::new(),
            renamed: BTreeSet::new(),
            old_usage: BTreeMap::new(),
            new_usage: BTreeMap::new(),
            per_operation,
            expanding: Vec::new(),
        }
    }

    fn usage_of(&self, old: &str, new: &str) -> Usage {
        self.old_usage.get(old).copied().unwrap_or_default().union(self.new_usage.get(new).copied().unwrap_or_default())
    }

    fn emit(&mut self, at: &At, pointer: &str, f: Finding) {
        self.emit_paired(at, pointer, "", f);
    }

    /// [`Self::emit`] with the [`Change::counterpart`] of the node in the other document.
    fn emit_paired(&mut self, at: &At, pointer: &str, counterpart: &str, f: Finding) {
        self.changes.push(Change {
            severity: f.severity,
            subject: at.subject.clone(),
            place: at.place.clone(),
            field: at.field.clone(),
            pointer: pointer.to_owned(),
            counterpart: counterpart.to_owned(),
            rule: f.rule,
            message: f.message,
        });
    }

    fn emit_opt(&mut self, at: &At, pointer: &str, f: Option<Finding>) {
        if let Some(f) = f {
            self.emit(at, pointer, f);
        }
    }

    pub(crate) fn run(&mut self, tags: &[String]) -> Result<Scope, Error> {
        let old_ops = self.old.operations()?;
        let new_ops = self.new.operations()?;
        let in_scope = |op: &Op<'_>| tags.is_empty() || op.op.tags.iter().any(|t| tags.contains(t));

        // Match by operationId, then by method + path.
        let mut new_by_id: BTreeMap<&str, usize> = BTreeMap::new();
        let mut new_by_key: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (j, n) in new_ops.iter().enumerate() {
            if let Some(id) = n.id {
                new_by_id.entry(id).or_insert(j);
            }
            new_by_key.entry((n.method.as_str(), n.path_key.as_str())).or_insert(j);
        }
        let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        let mut used_new = BTreeSet::new();
        let mut old_match: Vec<Option<usize>> = vec![None; old_ops.len()];
        for (i, o) in old_ops.iter().enumerate() {
            if let Some(&j) = o.id.and_then(|id| new_by_id.get(id))
                && used_new.insert(j)
            {
                old_match[i] = Some(j);
            }
        }
        for (i, o) in old_ops.iter().enumerate() {
            if old_match[i].is_none()
                && let Some(&j) = new_by_key.get(&(o.method.as_str(), o.path_key.as_str()))
                && used_new.insert(j)
            {
                old_match[i] = Some(j);
            }
        }
        for (i, m) in old_match.iter().enumerate() {
            pairs.push((Some(i), *m));
        }
        for j in 0..new_ops.len() {
            if !used_new.contains(&j) {
                pairs.push((None, Some(j)));
            }
        }
        pairs.retain(|(i, j)| i.is_some_and(|i| in_scope(&old_ops[i])) || j.is_some_and(|j| in_scope(&new_ops[j])));

        let old_scoped: Vec<&Op<'a>> = pairs.iter().filter_map(|(i, _)| i.map(|i| &old_ops[i])).collect();
        let new_scoped: Vec<&Op<'a>> = pairs.iter().filter_map(|(_, j)| j.map(|j| &new_ops[j])).collect();
        self.old_usage = self.old.usage(&old_scoped)?;
        self.new_usage = self.new.usage(&new_scoped)?;
        let (old_usage, new_usage) = (self.old_usage.clone(), self.new_usage.clone());

        for (i, j) in &pairs {
            match (i, j) {
                (Some(i), Some(j)) => self.operation(&old_ops[*i], &new_ops[*j])?,
                (Some(i), None) => {
                    let o = &old_ops[*i];
                    let at = op_at(o);
                    let sunset = sunset(o.op);
                    self.emit(&at, &o.ptr, rules::operation_removed(o.op.deprecated, sunset.as_deref()));
                }
                (None, Some(j)) => {
                    let n = &new_ops[*j];
                    self.emit(&op_at(n), &n.ptr, rules::operation_added());
                }
                (None, None) => {}
            }
        }

        // Component schemas: compared where both documents have them, in the order of names
        // (per operation, they were compared in place).
        let names: BTreeSet<&'a str> =
            if self.per_operation { BTreeSet::new() } else { old_usage.keys().chain(new_usage.keys()).copied().collect() };
        for name in &names {
            if let (Some(o), Some(n)) = (self.old.component(name), self.new.component(name)) {
                self.component(name, self.usage_of(name, name), o.into(), n.into())?;
            }
        }
        let renamed_old: BTreeSet<&str> = self.renamed.iter().map(|(o, _)| *o).collect();
        let renamed_new: BTreeSet<&str> = self.renamed.iter().map(|(_, n)| *n).collect();
        for name in &names {
            let at = At {
                subject: Subject::Schema { name: (*name).to_owned() },
                usage: Usage::default(),
                place: Place::Operation,
                field: String::new(),
            };
            let ptr = pointer("#/components/schemas", name);
            match (self.old.component(name), self.new.component(name), old_usage.get(name), new_usage.get(name)) {
                (Some(_), None, Some(u), _) if !self.absorbed.contains(name) && !renamed_old.contains(name) => {
                    self.emit(&At { usage: *u, ..at }, &ptr, rules::schema_removed(*u))
                }
                (None, Some(_), _, Some(u)) if !self.introduced.contains(name) && !renamed_new.contains(name) => {
                    self.emit(&At { usage: *u, ..at }, &ptr, rules::schema_added(*u))
                }
                _ => {}
            }
        }

        let waiters = super::waiters::changes(&self.old, &self.new, &old_scoped, &new_scoped)?;
        self.changes.extend(waiters);
        self.changes.sort();
        // One change per place: a shared node reached along two paths is the same change,
        // whichever node of the other document it was paired with.
        let mut seen = BTreeSet::new();
        self.changes.retain(|c| seen.insert(Change { counterpart: String::new(), ..c.clone() }));
        Ok(Scope {
            operations_old: old_scoped.len(),
            operations_new: new_scoped.len(),
            schemas_old: old_usage.len(),
            schemas_new: new_usage.len(),
        })
    }

    fn operation(&mut self, o: &Op<'a>, n: &Op<'a>) -> Result<(), Error> {
        let at = op_at(n);
        self.names(&at, o, n);
        self.emit_opt(&at, &n.ptr, rules::method_changed(&o.method, &n.method));
        self.emit_opt(&at, &n.ptr, rules::path_changed(o.path, n.path));
        let (os, ns) = (sunset(o.op), sunset(n.op));
        self.emit_opt(&at, &n.ptr, rules::operation_deprecated(o.op.deprecated, n.op.deprecated, ns.as_deref()));
        if let Some(f) = rules::operation_sunset(os.as_deref(), ns.as_deref()) {
            self.emit_paired(&at, &pointer(&n.ptr, "x-sunset"), &pointer(&o.ptr, "x-sunset"), f);
        }
        let text =
            |op: &openapiv3::Operation| format!("{}\n{}", op.summary.as_deref().unwrap_or(""), op.description.as_deref().unwrap_or(""));
        self.emit_opt(&at, &n.ptr, rules::description_changed(Some(&text(o.op)), Some(&text(n.op))));
        let tags = |op: &openapiv3::Operation| op.tags.iter().cloned().collect::<BTreeSet<String>>();
        self.emit_opt(&at, &pointer(&n.ptr, "tags"), rules::tags_changed(&tags(o.op), &tags(n.op)));
        let (or, nr) = (roles(o.op), roles(n.op));
        self.emit_opt(&at, &pointer(&n.ptr, "x-rolesRequirements"), rules::roles_changed(or.as_ref(), nr.as_ref()));

        // Parameters, keyed by `in` + name.
        let op_params = self.old.parameters(o)?;
        let np_params = self.new.parameters(n)?;
        for key in op_params.keys().chain(np_params.keys()).collect::<BTreeSet<_>>() {
            let place = at.place(Place::Parameter { name: key.1.to_owned(), location: key.0.to_owned() });
            match (op_params.get(key), np_params.get(key)) {
                (Some(p), None) => self.emit(&place, &p.ptr, rules::parameter_removed(p.name, p.location)),
                (None, Some(p)) => self.emit(&place, &p.ptr, rules::parameter_added(p.name, p.location, p.required)),
                (Some(op), Some(np)) => {
                    self.emit_opt(&place, &np.ptr, rules::parameter_required(np.name, op.required, np.required));
                    let pat = place.child(format!("{} parameter {}", np.location, np.name));
                    self.emit_opt(&pat, &np.ptr, rules::deprecated(op.deprecated, np.deprecated));
                    if let (Some((os, os_at)), Some((ns, ns_at))) = (&op.schema, &np.schema) {
                        let key = ParamKey { old_op: &o.ptr, new_op: &n.ptr, old_name: op.name, new_name: np.name, location: np.location };
                        self.parameter_schema(&pat, np.name, &key, (*os, os_at), (*ns, ns_at), 0)?;
                    }
                }
                (None, None) => {}
            }
        }

        // Request body.
        let orb = self.old.request_body(o)?;
        let nrb = self.new.request_body(n)?;
        let rb_at = pointer(&n.ptr, "requestBody");
        let request = at.place(Place::Request);
        match (orb, nrb) {
            (Some(_), None) => self.emit(&request, &pointer(&o.ptr, "requestBody"), rules::request_body_removed()),
            (None, Some((rb, _))) => self.emit(&request, &rb_at, rules::request_body_added(rb.required)),
            (Some((orb, orb_at)), Some((nrb, nrb_at))) => {
                self.emit_opt(&request, &rb_at, rules::request_body_required(orb.required, nrb.required));
                self.media_types(&request, "request body", (&orb.content, &orb_at), (&nrb.content, &nrb_at));
                let body_at = At { usage: Usage::REQUEST, ..request.clone() };
                self.body(&body_at, &orb.content, &orb_at, &nrb.content, &nrb_at)?;
            }
            (None, None) => {}
        }

        // Responses.
        let ors = self.old.responses(o)?;
        let nrs = self.new.responses(n)?;
        for code in ors.keys().chain(nrs.keys()).collect::<BTreeSet<_>>() {
            let response = at.place(Place::Response { code: code.to_string() });
            match (ors.get(code), nrs.get(code)) {
                (Some(_), None) => self.emit(&response, &pointer(&pointer(&o.ptr, "responses"), code), rules::response_removed(code)),
                (None, Some(_)) => self.emit(&response, &pointer(&pointer(&n.ptr, "responses"), code), rules::response_added(code)),
                (Some((or, or_at)), Some((nr, nr_at))) => {
                    self.media_types(&response, &format!("response {code}"), (&or.content, or_at), (&nr.content, nr_at));
                    if code.starts_with('2') {
                        let body_at = At { usage: Usage::RESPONSE, ..response.clone() };
                        self.body(&body_at, &or.content, or_at, &nr.content, nr_at)?;
                    }
                }
                (None, None) => {}
            }
        }
        Ok(())
    }

    /// The media types (Atlas versions) of a body, and the `x-sunset` of each one both
    /// sides have. Paired with the other side's node, so that `spec update` can take them.
    fn media_types(
        &mut self,
        at: &At,
        place: &str,
        (old, old_at): (&indexmap::IndexMap<String, openapiv3::MediaType>, &str),
        (new, new_at): (&indexmap::IndexMap<String, openapiv3::MediaType>, &str),
    ) {
        let (old_content, content_at) = (pointer(old_at, "content"), pointer(new_at, "content"));
        // The media type the crate generated from the old document uses.
        let used = newest_json(old).map(|(mt, _)| mt.as_str());
        for mt in old.keys().filter(|k| !new.contains_key(*k)) {
            self.emit_paired(at, &content_at, &pointer(&old_content, mt), rules::media_type_removed(place, mt, used));
        }
        for (mt, n) in new {
            let Some(o) = old.get(mt) else {
                self.emit(at, &pointer(&content_at, mt), rules::media_type_added(place, mt, used));
                continue;
            };
            let sunset = |m: &openapiv3::MediaType| m.extensions.get("x-sunset").map(text);
            if let Some(f) = rules::version_sunset(place, mt, sunset(o).as_deref(), sunset(n).as_deref()) {
                self.emit_paired(at, &pointer(&pointer(&content_at, mt), "x-sunset"), &pointer(&pointer(&old_content, mt), "x-sunset"), f);
            }
        }
    }

    /// Compares the bodies the generated crate uses: the newest JSON media type of each side.
    fn body(
        &mut self,
        at: &At,
        old: &'a indexmap::IndexMap<String, openapiv3::MediaType>,
        old_at: &str,
        new: &'a indexmap::IndexMap<String, openapiv3::MediaType>,
        new_at: &str,
    ) -> Result<(), Error> {
        let (Some((omt, om)), Some((nmt, nm))) = (newest_json(old), newest_json(new)) else {
            return Ok(());
        };
        let (Some(os), Some(ns)) = (&om.schema, &nm.schema) else {
            return Ok(());
        };
        let os_at = pointer(&pointer(&pointer(old_at, "content"), omt), "schema");
        let ns_at = pointer(&pointer(&pointer(new_at, "content"), nmt), "schema");
        self.schema(at, os.into(), &os_at, ns.into(), &ns_at, 0)
    }

    fn parameter_schema(
        &mut self,
        at: &At,
        name: &str,
        key: &ParamKey<'_>,
        (os, os_at): (SchemaRef<'a>, &str),
        (ns, ns_at): (SchemaRef<'a>, &str),
        depth: usize,
    ) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        let om = self.old.merged(os, os_at)?;
        let nm = self.new.merged(ns, ns_at)?;
        let ptr = nm.ptr.clone();
        let (ot, nt) = (om.effective_type(), nm.effective_type());
        let (old, new) = ((ot, om.format.as_deref()), (nt, nm.format.as_deref()));
        if old != new {
            let ro = self.old.rust_param(key.old_op, key.old_name, key.location, depth)?;
            let rn = self.new.rust_param(key.new_op, key.new_name, key.location, depth)?;
            self.emit_opt(at, &ptr, rules::parameter_type(name, old, new, ro.as_deref(), rn.as_deref()));
        }
        self.emit_opt(at, &ptr, rules::parameter_pattern(name, om.pattern.as_deref(), nm.pattern.as_deref()));
        self.enums(at, &ptr, &om, &nm, Usage::REQUEST);
        self.bounds(at, &ptr, &om, &nm, Usage::REQUEST);
        if ot == nt
            && let (Some((oi, oi_at)), Some((ni, ni_at))) = (&om.items, &nm.items)
        {
            self.parameter_schema(at, &format!("{name}[]"), key, (*oi, oi_at), (*ni, ni_at), depth + 1)?;
        }
        Ok(())
    }

    fn component(&mut self, name: &str, usage: Usage, o: SchemaRef<'a>, n: SchemaRef<'a>) -> Result<(), Error> {
        let at = At { subject: Subject::Schema { name: name.to_owned() }, usage, place: Place::Operation, field: String::new() };
        let ptr = pointer("#/components/schemas", name);
        let om = self.old.merged(o, &ptr)?;
        let nm = self.new.merged(n, &ptr)?;
        self.emit_opt(&at, &ptr, rules::description_changed(om.description, nm.description));
        self.emit_opt(&at, &ptr, rules::deprecated(om.deprecated, nm.deprecated));
        self.bodies(&at, &om, &nm, 0)
    }

    fn schema(&mut self, at: &At, o: SchemaRef<'a>, o_at: &str, n: SchemaRef<'a>, n_at: &str, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        match (o.ref_name(), n.ref_name()) {
            // Per operation: compared in place whatever the components are named; a pair
            // already being compared further up is a recursive schema.
            (Some(a), Some(b)) if self.per_operation => {
                if self.expanding.contains(&(a, b)) {
                    return Ok(());
                }
                self.expanding.push((a, b));
                let result = self.in_place(at, o, o_at, n, n_at, depth);
                self.expanding.pop();
                result
            }
            // The component is compared once, on its own.
            (Some(a), Some(b)) if a == b => Ok(()),
            // Another schema in its place: the change is reported here; the two schemas are
            // compared once, under the new name (the cycle guard stops recursive schemas).
            (Some(a), Some(b)) => {
                self.emit_opt(at, n_at, rules::schema_ref_changed(a, b));
                if self.old.component(a).is_none() || self.new.component(b).is_none() || !self.renamed.insert((a, b)) {
                    return Ok(());
                }
                let usage = self.usage_of(a, b).union(at.usage);
                let schema_at =
                    At { subject: Subject::Schema { name: b.to_owned() }, usage, place: Place::Operation, field: String::new() };
                self.in_place(&schema_at, o, o_at, n, n_at, depth)
            }
            _ => self.in_place(at, o, o_at, n, n_at, depth),
        }
    }

    fn in_place(&mut self, at: &At, o: SchemaRef<'a>, o_at: &str, n: SchemaRef<'a>, n_at: &str, depth: usize) -> Result<(), Error> {
        let om = self.old.merged(o, o_at)?;
        let nm = self.new.merged(n, n_at)?;
        self.bodies(at, &om, &nm, depth)
    }

    fn enums(&mut self, at: &At, ptr: &str, om: &Merged<'a>, nm: &Merged<'a>, usage: Usage) {
        match (&om.enumeration, &nm.enumeration) {
            (Some(ov), Some(nv)) => {
                for v in ov.difference(nv) {
                    self.emit_paired(at, ptr, &om.ptr, rules::enum_value_removed(v, usage));
                }
                for v in nv.difference(ov) {
                    self.emit_paired(at, ptr, &om.ptr, rules::enum_value_added(v, usage));
                }
            }
            (o, n) => {
                let count = n.as_ref().map_or(0, |v| v.len());
                if let Some(f) = rules::enum_changed(o.is_some(), n.is_some(), count) {
                    self.emit_paired(at, ptr, &om.ptr, f);
                }
            }
        }
    }

    fn bounds(&mut self, at: &At, ptr: &str, om: &Merged<'a>, nm: &Merged<'a>, usage: Usage) {
        let keys: BTreeSet<&'static str> = om.bounds.keys().chain(nm.bounds.keys()).copied().collect();
        for key in keys {
            self.emit_opt(at, ptr, rules::constraint_changed(key, om.bounds.get(key).copied(), nm.bounds.get(key).copied(), usage));
        }
    }

    fn bodies(&mut self, at: &At, om: &Merged<'a>, nm: &Merged<'a>, depth: usize) -> Result<(), Error> {
        let ptr = nm.ptr.clone();
        let variant_names = |m: &Merged<'a>| -> Vec<String> {
            m.variants.iter().enumerate().map(|(i, (v, _))| v.ref_name().map(str::to_owned).unwrap_or_else(|| format!("#{i}"))).collect()
        };
        let (ov, nv) = (variant_names(om), variant_names(nm));

        // oneOf ↔ flattened object: one change; the properties are then compared as the
        // union of the variants' properties against the object's.
        if om.is_polymorphic() != nm.is_polymorphic() {
            self.emit_opt(at, &ptr, rules::polymorphism_changed(&ov, &nv));
            for (v, _) in &om.variants {
                if let Some(name) = v.ref_name()
                    && self.new.component(name).is_none()
                {
                    self.absorbed.insert(name);
                }
            }
            for (v, _) in &nm.variants {
                if let Some(name) = v.ref_name()
                    && self.old.component(name).is_none()
                {
                    self.introduced.insert(name);
                }
            }
        } else if om.is_polymorphic() && !(om.variants_from_mapping && nm.variants_from_mapping) {
            let (os, ns): (BTreeSet<&String>, BTreeSet<&String>) = (ov.iter().collect(), nv.iter().collect());
            for v in os.difference(&ns) {
                self.emit(at, &ptr, rules::variant_removed(v));
            }
            for v in ns.difference(&os) {
                self.emit(at, &ptr, rules::variant_added(v));
            }
        }
        let disc = |m: &'_ Merged<'a>| m.discriminator.as_ref().map(|d| (d.property.clone(), d.mapping.clone()));
        let (od, nd) = (disc(om), disc(nm));
        for f in rules::discriminator_changed(od.as_ref().map(|(p, m)| (p.as_str(), m)), nd.as_ref().map(|(p, m)| (p.as_str(), m))) {
            self.emit(at, &ptr, f);
        }

        let (ot, nt) = (om.effective_type(), nm.effective_type());
        if let (Some(a), Some(b)) = (ot, nt)
            && a != b
        {
            self.emit_opt(at, &ptr, rules::type_changed(a, b));
            return Ok(());
        }
        self.enums(at, &ptr, om, nm, at.usage);
        if om.format != nm.format {
            let (ro, rn) = (self.old.rust_at(&om.ptr)?, self.new.rust_at(&nm.ptr)?);
            self.emit_opt(at, &ptr, rules::format_changed(om.format.as_deref(), nm.format.as_deref(), ro.as_deref(), rn.as_deref()));
        }
        self.emit_opt(at, &ptr, rules::pattern_changed(om.pattern.as_deref(), nm.pattern.as_deref(), at.usage));
        self.bounds(at, &ptr, om, nm, at.usage);

        // Properties: a schema's own, or, when one side is a oneOf and the other is not,
        // the union of the variants' properties (variants on both sides are compared as
        // schemas of their own; per operation, where no schema is compared on its own, a
        // oneOf is always the union of its variants).
        let union = om.is_polymorphic() != nm.is_polymorphic() || (self.per_operation && (om.is_polymorphic() || nm.is_polymorphic()));
        let (oprops, oreq, oparts, nprops, nreq, nparts) = if union {
            let (op, or, opa) = self.old.wire_props(om)?;
            let (np, nr, npa) = self.new.wire_props(nm)?;
            (op, or, opa, np, nr, npa)
        } else {
            (om.props.clone(), om.required.clone(), om.parts.clone(), nm.props.clone(), nm.required.clone(), nm.parts.clone())
        };
        let names: BTreeSet<&String> = oprops.keys().chain(nprops.keys()).collect();
        for name in names {
            match (oprops.get(name), nprops.get(name)) {
                (Some(o), None) => {
                    // Removed from a component this one still includes: reported there.
                    if o.origin.is_some_and(|c| nparts.contains(c)) {
                        continue;
                    }
                    let facts = self.facts_old(o, oreq.contains(name))?;
                    self.emit_paired(&at.child(join(&at.field, name)), &o.ptr, &nm.ptr, rules::field_removed(name, facts, at.usage));
                }
                (None, Some(n)) => {
                    if n.origin.is_some_and(|c| oparts.contains(c)) {
                        continue;
                    }
                    let facts = self.facts_new(n, nreq.contains(name))?;
                    self.emit(&at.child(join(&at.field, name)), &n.ptr, rules::field_added(name, facts, at.usage));
                }
                (Some(o), Some(n)) => {
                    if o.origin.is_some() && o.origin == n.origin {
                        continue;
                    }
                    self.property(at, name, o, oreq.contains(name), n, nreq.contains(name), depth)?;
                }
                (None, None) => {}
            }
        }

        // additionalProperties.
        let kind = |a: &Option<Additional<'a>>| match a {
            None => None,
            Some(Additional::Any) => Some(false),
            Some(Additional::Schema(..)) => Some(true),
        };
        self.emit_opt(at, &ptr, rules::additional_properties_changed(kind(&om.additional), kind(&nm.additional)));
        if let (Some(Additional::Schema(os, os_at)), Some(Additional::Schema(ns, ns_at))) = (&om.additional, &nm.additional) {
            self.schema(&at.child(format!("{}{{*}}", at.field)), *os, os_at, *ns, ns_at, depth + 1)?;
        }

        // Array items.
        if let (Some((oi, oi_at)), Some((ni, ni_at))) = (&om.items, &nm.items) {
            self.schema(&at.child(format!("{}[]", at.field)), *oi, oi_at, *ni, ni_at, depth + 1)?;
        }
        Ok(())
    }

    fn facts_old(&self, p: &Prop<'a>, required: bool) -> Result<FieldFacts, Error> {
        let m = self.old.merged(p.schema, &p.ptr)?;
        Ok(facts(&m, required))
    }

    fn facts_new(&self, p: &Prop<'a>, required: bool) -> Result<FieldFacts, Error> {
        let m = self.new.merged(p.schema, &p.ptr)?;
        Ok(facts(&m, required))
    }

    #[allow(clippy::too_many_arguments)]
    fn property(
        &mut self,
        at: &At,
        name: &str,
        o: &Prop<'a>,
        o_required: bool,
        n: &Prop<'a>,
        n_required: bool,
        depth: usize,
    ) -> Result<(), Error> {
        let field_at = at.child(join(&at.field, name));
        let om = self.old.merged(o.schema, &o.ptr)?;
        let nm = self.new.merged(n.schema, &n.ptr)?;
        let (of, nf) = (facts(&om, o_required), facts(&nm, n_required));
        let u = at.usage;
        self.emit_opt(&field_at, &n.ptr, rules::field_required(name, of, nf, u));
        if let Some(f) = rules::field_nullable(name, of, nf, u) {
            self.emit_paired(&field_at, &n.ptr, &o.ptr, f);
        }
        self.emit_opt(&field_at, &n.ptr, rules::read_only_changed(name, of.read_only, nf.read_only, nf.required, u));
        self.emit_opt(&field_at, &n.ptr, rules::write_only_changed(name, of.write_only, nf.write_only, u));
        let same_ref = o.schema.ref_name().is_some() && o.schema.ref_name() == n.schema.ref_name();
        if !same_ref {
            self.emit_opt(&field_at, &n.ptr, rules::deprecated(om.deprecated, nm.deprecated));
            self.emit_opt(&field_at, &n.ptr, rules::description_changed(om.description, nm.description));
        }
        if rules::visible(of.read_only, u) || rules::visible(nf.read_only, u) {
            self.schema(&field_at, o.schema, &o.ptr, n.schema, &n.ptr, depth + 1)?;
        }
        Ok(())
    }
}

fn facts(m: &Merged<'_>, required: bool) -> FieldFacts {
    FieldFacts { required, nullable: m.nullable, read_only: m.read_only, write_only: m.write_only }
}

impl<'a> Differ<'a> {
    /// The names of an operation (NAMES-CONTRACT). The Rust name is compared when both sides
    /// state how they name Rust (`x-rust-name` on both, or on neither: then `operationId`
    /// names it); upstream never states `x-rust-name`, so against upstream only the published
    /// names count: `operationId` and the short `x-xgen-operation-id-override`, which rename
    /// no Rust item.
    fn names(&mut self, at: &At, o: &Op<'a>, n: &Op<'a>) {
        let (or, nr) = (names::rust_name(o.op), names::rust_name(n.op));
        if or.is_some() == nr.is_some()
            && let (Some(oi), Some(ni)) = (o.id, n.id)
        {
            let slot = if nr.is_some() { names::RUST_NAME } else { "operationId" };
            self.emit_opt(at, &pointer(&n.ptr, slot), rules::operation_id_changed(oi, ni));
        }
        // Without a Rust name on either side, operationId is the Rust name: compared above.
        if or.is_some() || nr.is_some() {
            let published = (o.op.operation_id.as_deref(), n.op.operation_id.as_deref());
            self.emit_opt(at, &pointer(&n.ptr, "operationId"), rules::published_name_changed("operationId", published.0, published.1));
        }
        let short = (names::short_name(o.op), names::short_name(n.op));
        self.emit_opt(at, &pointer(&n.ptr, names::SHORT_NAME), rules::published_name_changed(names::SHORT_NAME, short.0, short.1));
    }
}

fn op_at(op: &Op<'_>) -> At {
    At {
        subject: Subject::Operation { id: op.display_id(), method: op.method.clone(), path: op.path.to_owned() },
        usage: Usage::default(),
        place: Place::Operation,
        field: String::new(),
    }
}

fn roles(op: &openapiv3::Operation) -> Option<BTreeSet<String>> {
    let roles = op.extensions.get("x-rolesRequirements")?.as_array()?;
    Some(roles.iter().filter_map(|r| r.as_str()).map(str::to_owned).collect())
}

fn sunset(op: &openapiv3::Operation) -> Option<String> {
    op.extensions.get("x-sunset").map(text)
}

/// An extension's value as text (a date stays as written).
fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
