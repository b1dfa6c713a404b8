//! Paging through Atlas list operations (`pageNum`, `itemsPerPage`, `results`,
//! `totalCount`) as a stream of items.

// A spec without list operations uses none of this.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

use crate::Error;

/// One page, reduced to what the paginator needs.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    /// `totalCount`, when Atlas counted (`includeCount`, true by default).
    pub total: Option<i64>,
}

struct State<B, T, F> {
    builder: B,
    fetch: F,
    next_page: i64,
    per_page: i64,
    seen: i64,
    buffer: VecDeque<T>,
    done: bool,
}

/// Items of `first_page` and the pages after it, fetched one page at a time as the stream
/// is read. It stops after a short or empty page, or as soon as `totalCount` items have
/// been seen, so the last page costs no extra request; the first error ends it.
pub(crate) fn stream<B, T, F, Fut>(builder: B, first_page: i64, per_page: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    F: Fn(B, i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let first_page = first_page.max(1);
    let per_page = per_page.max(1);
    let state = State {
        builder,
        fetch,
        next_page: first_page,
        per_page,
        seen: (first_page - 1).saturating_mul(per_page),
        buffer: VecDeque::new(),
        done: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.buffer.pop_front() {
                return Some((Ok(item), s));
            }
            if s.done {
                return None;
            }
            match (s.fetch)(s.builder.clone(), s.next_page).await {
                Ok(page) => {
                    let n = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
                    s.seen = s.seen.saturating_add(n);
                    s.next_page += 1;
                    s.done = n == 0 || n < s.per_page || page.total.is_some_and(|total| s.seen >= total);
                    s.buffer.extend(page.items);
                }
                Err(e) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
            }
        }
    })
}

/// Every item of the stream, or its first error.
pub(crate) async fn collect<T>(stream: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    use futures::TryStreamExt;
    stream.try_collect().await
}
