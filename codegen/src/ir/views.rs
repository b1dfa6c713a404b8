//! Request and response views of the type space, and boxing of recursive fields.
//!
//! A `readOnly` property is never sent and a `writeOnly` one never received. A schema used
//! only in requests loses its `readOnly` fields; one used only in responses loses its
//! `writeOnly` fields; one used in both, where that makes a difference, is split in two:
//! the response keeps the schema's name, the request view is named `…Request`.

use std::collections::BTreeSet;

use super::*;

pub(super) fn referenced(kind: &TypeKind, skip: impl Fn(&Field) -> bool) -> Vec<TypeId> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter(|f| !skip(f))
            .filter_map(|f| f.ty.named())
            .chain(s.additional.iter().filter_map(TypeRef::named))
            .collect(),
        TypeKind::Enum(_) | TypeKind::IntEnum(_) => Vec::new(),
        TypeKind::Tagged(t) => t.variants.iter().map(|v| v.ty).collect(),
        TypeKind::Untagged(u) => u.variants.iter().filter_map(|v| v.ty.named()).collect(),
        TypeKind::Alias(r) => r.named().into_iter().collect(),
    }
}

pub(super) fn reach(api: &Api, roots: impl Iterator<Item = TypeId>, skip: &dyn Fn(&Field) -> bool) -> BTreeSet<TypeId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<TypeId> = roots.collect();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            let t = &api.types[id.0];
            stack.extend(referenced(&t.kind, skip));
            // A second name needs the type printed for it.
            stack.extend(t.same_as);
        }
    }
    seen
}

/// Calls `f` on every type id that a definition names (fields, additional properties,
/// variants, alias): one walk for whatever renumbers or redirects references.
pub(super) fn each_type_id(kind: &mut TypeKind, f: &mut dyn FnMut(&mut TypeId)) {
    match kind {
        TypeKind::Struct(s) => {
            for field in &mut s.fields {
                type_ref_ids(&mut field.ty, f);
            }
            if let Some(additional) = &mut s.additional {
                type_ref_ids(additional, f);
            }
        }
        TypeKind::Tagged(t) => t.variants.iter_mut().for_each(|v| f(&mut v.ty)),
        TypeKind::Untagged(u) => u.variants.iter_mut().for_each(|v| type_ref_ids(&mut v.ty, f)),
        TypeKind::Alias(r) => type_ref_ids(r, f),
        TypeKind::IntEnum(e) => type_ref_ids(&mut e.repr, f),
        TypeKind::Enum(_) => {}
    }
}

/// Calls `f` on every type id that an operation names (parameters, body, the answers of all
/// its versions, its pages).
pub(super) fn operation_type_ids(op: &mut Operation, f: &mut dyn FnMut(&mut TypeId)) {
    for param in &mut op.params {
        type_ref_ids(&mut param.ty, f);
    }
    if let Some(body) = &mut op.body {
        type_ref_ids(&mut body.ty, f);
    }
    for answer in std::iter::once(&mut op.response).chain(op.versions.iter_mut().map(|v| &mut v.response)) {
        if let ResponseKind::Json(t) = answer {
            type_ref_ids(t, f);
        }
    }
    if let Some(pages) = &mut op.pagination {
        type_ref_ids(&mut pages.item, f);
        f(&mut pages.page_type);
    }
}

/// Calls `f` on the type id a type names, if any (through `Vec` and `Map`).
pub(super) fn type_ref_ids(r: &mut TypeRef, f: &mut dyn FnMut(&mut TypeId)) {
    match r {
        TypeRef::Named(id) => f(id),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => type_ref_ids(inner, f),
        _ => {}
    }
}

pub(super) fn split_request_response(api: &mut Api) {
    let request_roots: Vec<TypeId> = api.operations.iter().filter_map(|o| o.body.as_ref().and_then(|b| b.ty.named())).collect();
    let response_roots: Vec<TypeId> = api
        .operations
        .iter()
        .filter_map(|o| match &o.response {
            ResponseKind::Json(t) => t.named(),
            _ => None,
        })
        .chain(api.error_model)
        .collect();
    let requests = reach(api, request_roots.into_iter(), &|f: &Field| f.read_only);
    let responses = reach(api, response_roots.into_iter(), &|f: &Field| f.write_only);

    // Types whose request view differs from their full view (fixpoint over references).
    let mut differs: BTreeSet<TypeId> = BTreeSet::new();
    loop {
        let before = differs.len();
        for (i, t) in api.types.iter().enumerate() {
            let id = TypeId(i);
            let own = match &t.kind {
                TypeKind::Struct(s) => s.fields.iter().any(|f| f.read_only || f.write_only),
                _ => false,
            };
            if own || referenced(&t.kind, |f| f.read_only).iter().any(|r| differs.contains(r)) {
                differs.insert(id);
            }
        }
        if differs.len() == before {
            break;
        }
    }

    let mut request_view = std::collections::BTreeMap::new();
    for &id in requests.intersection(&responses) {
        if differs.contains(&id) {
            let mut copy = api.types[id.0].clone();
            copy.wanted_name = format!("{}Request", copy.wanted_name);
            copy.usage = Usage { request: true, response: false };
            api.types.push(copy);
            request_view.insert(id, TypeId(api.types.len() - 1));
        }
    }
    for (i, t) in api.types.iter_mut().enumerate() {
        let id = TypeId(i);
        if t.usage.request {
            continue; // a request view made above
        }
        t.usage = Usage { request: requests.contains(&id) && !request_view.contains_key(&id), response: responses.contains(&id) };
    }
    // Request views refer to the request views of what they contain (additional properties
    // too: a map of a split type sends its request view).
    let mut to_view = |id: &mut TypeId| {
        if let Some(view) = request_view.get(id) {
            *id = *view;
        }
    };
    for &view in request_view.values() {
        each_type_id(&mut api.types[view.0].kind, &mut to_view);
    }
    for op in &mut api.operations {
        if let Some(body) = &mut op.body {
            type_ref_ids(&mut body.ty, &mut to_view);
        }
    }
    // Drop the fields a view never carries.
    for t in &mut api.types {
        let usage = t.usage;
        if let TypeKind::Struct(s) = &mut t.kind {
            if usage.request && !usage.response {
                s.fields.retain(|f| !f.read_only);
            } else if usage.response && !usage.request {
                s.fields.retain(|f| !f.write_only);
            }
        }
    }
}

/// Marks struct fields that close a cycle of inline containment (`A { b: B }`,
/// `B { a: Option<A> }`) as boxed, so that the types have a finite size.
pub(super) fn box_cycles(api: &mut Api) {
    let n = api.types.len();
    // Edges that store the target inline (not behind Vec or a map).
    let inline_edges = |t: &TypeDef| -> Vec<TypeId> {
        match &t.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .filter_map(|f| match f.ty {
                    TypeRef::Named(id) => Some(id),
                    _ => None,
                })
                .collect(),
            TypeKind::Tagged(tg) => tg.variants.iter().map(|v| v.ty).collect(),
            TypeKind::Untagged(u) => u
                .variants
                .iter()
                .filter_map(|v| match v.ty {
                    TypeRef::Named(id) => Some(id),
                    _ => None,
                })
                .collect(),
            TypeKind::Alias(TypeRef::Named(id)) => vec![*id],
            _ => Vec::new(),
        }
    };
    let edges: Vec<Vec<TypeId>> = api.types.iter().map(inline_edges).collect();
    let component = tarjan(n, &edges);
    for (i, t) in api.types.iter_mut().enumerate() {
        if let TypeKind::Struct(s) = &mut t.kind {
            for f in &mut s.fields {
                if let TypeRef::Named(id) = f.ty
                    && component[id.0] == component[i]
                {
                    f.boxed = true;
                }
            }
        }
    }
}

/// Strongly connected components (iterative Tarjan); returns each node's component index.
fn tarjan(n: usize, edges: &[Vec<TypeId>]) -> Vec<usize> {
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(w) = edges[v].get(*child).map(|t| t.0) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}
