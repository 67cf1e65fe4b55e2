//! Stemset patch: what a relation field builds from its arguments and the caller (the
//! statement with the entity filter, the parsed filters and ordering) is built once per
//! field of a request and shared by its rows, instead of once per parent row.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::dynamic::ResolverContext;

type Entries = HashMap<(usize, usize, TypeId), Arc<dyn Any + Send + Sync>>;

/// Put a fresh one in each request's data (`Request::data(RequestMemo::default())`),
/// never one shared by two requests: entries are keyed by addresses in the request's
/// document. Without one, every row builds its own (the same result, more work).
///
/// What is kept must not depend on the parent row. The relation fields keep what comes
/// from their arguments, the request's data and the lifecycle hooks' entity filter, so a
/// hook whose filter depends on `ctx.parent_value` must not be used with a memo
/// (Stemset's depends on the caller only).
#[derive(Default)]
pub struct RequestMemo {
    entries: Mutex<Entries>,
}

/// `build()` once per (field in the document, `site`, `V`) in this request. `site` tells
/// apart the resolvers that may run for one field node (the address of something the
/// resolver owns for the schema's life, such as its relation definition).
pub(crate) fn memoized<V, S, E>(
    ctx: &ResolverContext,
    site: &S,
    build: impl FnOnce() -> Result<V, E>,
) -> Result<Arc<V>, E>
where
    V: Send + Sync + 'static,
{
    let Some(memo) = ctx.data_opt::<RequestMemo>() else {
        return build().map(Arc::new);
    };
    // The field's node lives as long as the request's document, and one node is resolved
    // for every row of a list.
    let key = (
        std::ptr::from_ref(ctx.ctx.item) as usize,
        std::ptr::from_ref(site) as usize,
        TypeId::of::<V>(),
    );
    let found = memo
        .entries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned();
    if let Some(value) = found.and_then(|v| v.downcast::<V>().ok()) {
        return Ok(value);
    }
    let value = Arc::new(build()?);
    memo.entries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, value.clone());
    Ok(value)
}
