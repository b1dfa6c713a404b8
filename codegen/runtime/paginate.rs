//! Paging through Atlas list operations (`pageNum`, `itemsPerPage`, `results`,
//! `totalCount`) as a stream of items, one page at a time or several pages at once.

// A spec without list operations uses none of this.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::future::Future;

use futures::stream::FuturesOrdered;
use futures::{Stream, StreamExt};

use crate::Error;
use crate::request::CallOptions;

/// One page, reduced to what the paginator needs.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    /// How many of Atlas's items the page held (`items` may be the page itself).
    pub count: usize,
    /// `totalCount`, when Atlas counted (`includeCount`, true by default).
    pub total: Option<i64>,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: Option<i64>) -> Self {
        Page { count: items.len(), items, total }
    }

    /// A page yielded whole (`items`: the page as received) that held `count` items.
    pub fn counted(items: Vec<T>, count: usize, total: Option<i64>) -> Self {
        Page { items, count, total }
    }
}

/// How a list builder pages: where it starts, the page size, and how many pages may be
/// fetched at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub first_page: i64,
    pub per_page: i64,
    /// Pages in flight at most, once the first page told `totalCount` (1: one at a time).
    pub concurrency: usize,
}

impl Paging {
    /// From a list builder's page number and page size (unset: page 1, the spec's default
    /// size) and its call options.
    pub fn new<P: Into<i64>, Q: Into<i64>>(page: Option<P>, per_page: Option<Q>, default_per_page: i64, options: &CallOptions) -> Self {
        Paging {
            first_page: page.map_or(1, Into::into),
            per_page: per_page.map_or(default_per_page, Into::into),
            concurrency: options.concurrency.unwrap_or(1),
        }
    }
}

struct State<B, T, F, Fut: Future> {
    builder: B,
    fetch: F,
    /// The next page to request.
    next_page: i64,
    /// The last page `totalCount` promised, once the first page told it and pages may be
    /// fetched ahead.
    last_page: Option<i64>,
    per_page: i64,
    concurrency: usize,
    /// Items up to the end of the last page read (skipped pages included).
    seen: i64,
    /// Requested pages, answered in the order they were requested.
    in_flight: FuturesOrdered<Fut>,
    buffer: VecDeque<T>,
    done: bool,
}

/// Items of `paging.first_page` and the pages after it, fetched as the stream is read.
///
/// The first page is fetched alone. When it tells `totalCount` and `concurrency` is more than
/// 1, the pages up to the last one it promises are requested ahead, at most `concurrency` at
/// a time; their items still come out in page order, and no page is requested twice. The
/// stream stops after a short or empty page, or as soon as `totalCount` items have been seen
/// (so the last page costs no extra request); pages after the promised last are fetched one
/// at a time, as without concurrency. The first error ends it, and the pages still in flight
/// are dropped.
pub(crate) fn stream<B, T, F, Fut>(builder: B, paging: Paging, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    B: Clone,
    F: Fn(B, i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let first_page = paging.first_page.max(1);
    let per_page = paging.per_page.max(1);
    let state = State {
        builder,
        fetch,
        next_page: first_page,
        last_page: None,
        per_page,
        concurrency: paging.concurrency,
        seen: (first_page - 1).saturating_mul(per_page),
        in_flight: FuturesOrdered::new(),
        buffer: VecDeque::new(),
        done: false,
    };
    let invalid = (paging.concurrency == 0).then(|| Error::invalid("concurrency", "must be at least 1"));
    let pages = futures::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.buffer.pop_front() {
                return Some((Ok(item), s));
            }
            if s.done {
                return None;
            }
            s.request_more();
            match s.in_flight.next().await {
                None => return None,
                Some(Ok(page)) => s.read(page),
                Some(Err(e)) => {
                    s.finish();
                    return Some((Err(e), s));
                }
            }
        }
    });
    // A bad concurrency is the stream's one item, before any request.
    match invalid {
        Some(e) => futures::stream::once(async move { Err(e) }).left_stream(),
        None => pages.right_stream(),
    }
}

impl<B: Clone, T, F, Fut> State<B, T, F, Fut>
where
    F: Fn(B, i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    /// Requests pages until `concurrency` are in flight: ahead up to the promised last page,
    /// and past it (or before anything is promised) only one at a time.
    fn request_more(&mut self) {
        while self.in_flight.len() < self.concurrency {
            let ahead = self.last_page.is_some_and(|last| self.next_page <= last);
            if !ahead && !self.in_flight.is_empty() {
                break;
            }
            self.in_flight.push_back((self.fetch)(self.builder.clone(), self.next_page));
            self.next_page += 1;
        }
    }

    /// Takes the next page in order.
    fn read(&mut self, page: Page<T>) {
        let n = i64::try_from(page.count).unwrap_or(i64::MAX);
        self.seen = self.seen.saturating_add(n);
        if n == 0 || n < self.per_page || page.total.is_some_and(|total| self.seen >= total) {
            self.finish();
        } else if self.last_page.is_none() && self.concurrency > 1 {
            self.last_page = page.total.map(|total| total.saturating_add(self.per_page - 1) / self.per_page);
        }
        self.buffer.extend(page.items);
    }

    /// No more requests; those in flight are dropped (and so cancelled).
    fn finish(&mut self) {
        self.done = true;
        self.in_flight = FuturesOrdered::new();
    }
}

/// Every item of the stream, or its first error.
pub(crate) async fn collect<T>(stream: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    use futures::TryStreamExt;
    stream.try_collect().await
}

/// A list builder's paging methods, from a row of data, written once here instead of their
/// bodies per list operation (the generator parses every item it prints):
/// `pages!(page_num(i32) items_per_page 100 => models::Item; [results?] [total_count?])`, in
/// the builder's `impl`, gives `into_stream`, `collect_all` and the `fetch_page` they use:
/// the page number's setter and its type (a page of `i32` saturates), the page size's
/// field and default, the item type, the page's field of items and of `totalCount` (`?` when
/// it may be absent; no `totalCount` field: `[]`). `pages!(received page_num(i32)
/// items_per_page 100)` gives `received_pages`, for `Call::pages_received`. Signatures
/// name `crate::`, as the builders' own code does (rustdoc shows the path as written).
// A spec without list operations leaves it unused.
#[allow(unused_macros)]
macro_rules! pages {
    (@arg i32 $page:ident) => { i32::try_from($page).unwrap_or(i32::MAX) };
    (@arg i64 $page:ident) => { $page };
    (@items $page:ident $results:ident?) => { $page.$results.unwrap_or_default() };
    (@items $page:ident $results:ident) => { $page.$results };
    (@total $page:ident) => { None };
    (@total $page:ident $total:ident?) => { $page.$total.map(i64::from) };
    (@total $page:ident $total:ident) => { Some(i64::from($page.$total)) };
    (received $set:ident($arg:ident) $per_page:ident $default:literal) => {
        /// Every page as received, for [`Call::pages_received`](crate::call::Call::pages_received).
        fn received_pages(self) -> impl futures::Stream<Item = crate::Result<crate::call::Received>> {
            let (first, size) = (self.0.params.$set, self.0.params.$per_page);
            let paging = $crate::paginate::Paging::new(first, size, $default, &self.0.options);
            $crate::paginate::stream(self, paging, |b: Self, page| {
                $crate::call::received_page(b.$set($crate::paginate::pages!(@arg $arg page)))
            })
        }
    };
    ($set:ident($arg:ident) $per_page:ident $default:literal => $item:ty; [$($items:tt)*] [$($total:tt)*]) => {
        #[doc = concat!(" Every item of every page from [`", stringify!($set), "`](Self::", stringify!($set), ") on (default 1),")]
        // An attribute like the line above (rustdoc unindents a mix of `///` and attributes
        // differently).
        #[doc = " fetched as the stream is read; see [`concurrency`](Self::concurrency)."]
        pub fn into_stream(self) -> impl futures::Stream<Item = crate::Result<$item>> {
            let (first, size) = (self.0.params.$set, self.0.params.$per_page);
            let paging = $crate::paginate::Paging::new(first, size, $default, &self.0.options);
            $crate::paginate::stream(self, paging, Self::fetch_page)
        }

        /// One page, for [`into_stream`](Self::into_stream).
        async fn fetch_page(self, page: i64) -> crate::Result<crate::paginate::Page<$item>> {
            let page = self.$set($crate::paginate::pages!(@arg $arg page)).send().await?;
            Ok($crate::paginate::Page::new(
                $crate::paginate::pages!(@items page $($items)*),
                $crate::paginate::pages!(@total page $($total)*),
            ))
        }

        /// Every item of every page, collected; see [`into_stream`](Self::into_stream).
        pub async fn collect_all(self) -> crate::Result<Vec<$item>> {
            $crate::paginate::collect(self.into_stream()).await
        }
    };
}
#[allow(unused_imports)]
pub(crate) use pages;
