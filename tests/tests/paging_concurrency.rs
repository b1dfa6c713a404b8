//! `.concurrency(n)` of the list builders against a real HTTP server on loopback: items in
//! page order, each page requested once, never more than `n` requests in flight, 429s
//! through the retry policy, and the first error ending the stream.
//!
//! The server counts the requests it holds. Timing is never asserted: to make the
//! concurrency visible without depending on the machine's speed, the server can hold each
//! answer until as many requests are in flight as the client is allowed (`hold`), and it
//! then answers them from the highest page down, so that later pages arrive first.

use std::collections::{BTreeMap, VecDeque};
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use atlas_backup::{Client, Error, RetryPolicy};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const CLUSTER: &str = "Cluster0";
const PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/snapshots";
/// A held request is answered anyway after this long, so that a client that never
/// reaches the expected concurrency fails the in-flight assertion instead of hanging.
const HOLD_AT_MOST: Duration = Duration::from_secs(5);

/// How the server answers.
#[derive(Clone, Default)]
struct Config {
    items: usize,
    /// Hold each answer (but the first page's) until this many requests are in flight, or
    /// as many as pages are left to answer.
    hold: Option<usize>,
    /// Pages that are answered with this status (once, or every time), then normally.
    failures: BTreeMap<usize, (u16, Failure)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Failure {
    Once,
    Always,
}

#[derive(Default)]
struct Log {
    /// `pageNum` of every request, in arrival order.
    requested: Vec<usize>,
    in_flight: usize,
    max_in_flight: usize,
    answered: usize,
    /// Held requests (page, release).
    held: Vec<(usize, oneshot::Sender<()>)>,
    /// Released requests still to be answered, highest page first; each answer releases
    /// the next.
    releasing: VecDeque<oneshot::Sender<()>>,
    failed: Vec<usize>,
}

struct PageServer {
    url: String,
    log: Arc<Mutex<Log>>,
}

impl PageServer {
    async fn start(config: Config) -> PageServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                tokio::spawn(answer(stream, config.clone(), shared.clone()));
            }
        });
        PageServer { url, log }
    }

    fn client(&self) -> Client {
        let retry = RetryPolicy::with_max_attempts(3).backoff(Duration::from_millis(1), Duration::from_millis(10));
        Client::builder().base_url(&self.url).retry(retry).build().expect("client")
    }

    fn with_log<R>(&self, f: impl FnOnce(&Log) -> R) -> R {
        f(&self.log.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

fn lock(log: &Mutex<Log>) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads one request and answers its page; `connection: close`, one request a connection.
async fn answer(mut stream: TcpStream, config: Config, log: Arc<Mutex<Log>>) {
    let Some(target) = read_target(&mut stream).await else { return };
    let query: BTreeMap<String, String> =
        reqwest::Url::parse(&format!("http://x{target}")).map(|u| u.query_pairs().into_owned().collect()).unwrap_or_default();
    let number = |name: &str, default: usize| query.get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let (page, per_page) = (number("pageNum", 1), number("itemsPerPage", 100));
    assert!(target.starts_with(PATH), "unexpected request {target}");

    let release = {
        let mut log = lock(&log);
        log.requested.push(page);
        log.in_flight += 1;
        log.max_in_flight = log.max_in_flight.max(log.in_flight);
        match config.hold {
            Some(n) if log.answered > 0 => {
                let pages = config.items.div_ceil(per_page.max(1));
                let wanted = n.min(pages.saturating_sub(log.answered)).max(1);
                let (send, receive) = oneshot::channel();
                log.held.push((page, send));
                if log.in_flight >= wanted {
                    let mut held = std::mem::take(&mut log.held);
                    held.sort_by_key(|(page, _)| std::cmp::Reverse(*page));
                    log.releasing.extend(held.into_iter().map(|(_, send)| send));
                    if let Some(first) = log.releasing.pop_front() {
                        let _ = first.send(());
                    }
                }
                Some(receive)
            }
            _ => None,
        }
    };
    if let Some(release) = release {
        let _ = tokio::time::timeout(HOLD_AT_MOST, release).await;
    }

    let failure = config.failures.get(&page).copied().filter(|(_, when)| {
        let mut log = lock(&log);
        let first = !log.failed.contains(&page);
        log.failed.push(page);
        *when == Failure::Always || first
    });
    let (status, body, extra) = match failure {
        Some((status, _)) => (status, json!({"error": status, "errorCode": "TEST"}), "retry-after: 0\r\n"),
        None => {
            let results: Vec<Value> = (1..=config.items).skip((page - 1) * per_page).take(per_page).map(snapshot).collect();
            let mut body = json!({"links": [], "results": results});
            if query.get("includeCount").map(String::as_str) != Some("false") {
                body["totalCount"] = json!(config.items);
            }
            (200, body, "")
        }
    };
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.flush().await;
    let mut log = lock(&log);
    log.in_flight -= 1;
    log.answered += 1;
    if let Some(next) = log.releasing.pop_front() {
        let _ = next.send(());
    }
}

/// The request target (`/path?query`) of one request, after reading its head.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&data);
    head.lines().next()?.split(' ').nth(1).map(str::to_owned)
}

fn snapshot(i: usize) -> Value {
    json!({"id": format!("{i:024x}"), "type": "replicaSet", "status": "completed"})
}

fn ids(items: usize) -> Vec<String> {
    (1..=items).map(|i| format!("{i:024x}")).collect()
}

/// Reads the whole stream: the IDs in the order they came, and the error that ended it.
async fn read_all(client: &Client, per_page: i64, concurrency: usize, count: bool) -> (Vec<String>, Option<Error>) {
    let list = client
        .list_backup_snapshots()
        .group_id(GROUP)
        .cluster_name(CLUSTER)
        .items_per_page(per_page)
        .include_count(count)
        .concurrency(concurrency);
    let mut stream = pin!(list.into_stream());
    let (mut seen, mut error) = (Vec::new(), None);
    while let Some(item) = stream.next().await {
        match item {
            Ok(snapshot) => seen.push(snapshot.id.expect("an id")),
            Err(e) => {
                assert!(error.is_none(), "an item after the error {error:?}: {e}");
                error = Some(e);
            }
        }
    }
    (seen, error)
}

fn sorted(mut pages: Vec<usize>) -> Vec<usize> {
    pages.sort_unstable();
    pages
}

/// Reads the whole stream from a server holding `config.items` snapshots and checks that
/// every item came once, in page order; answers the server's log: the pages requested (in
/// the order they arrived) and the most requests in flight at once.
async fn read_every_item(config: Config, per_page: i64, concurrency: usize, count: bool) -> (Vec<usize>, usize) {
    let items = config.items;
    let server = PageServer::start(config).await;
    let (seen, error) = read_all(&server.client(), per_page, concurrency, count).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(seen, ids(items), "every item once, in page order");
    server.with_log(|log| (log.requested.clone(), log.max_in_flight))
}

#[tokio::test]
async fn four_pages_in_flight_items_in_page_order_each_page_once() {
    // Held answers come from the highest page down, so the order is the client's doing.
    let (requested, max_in_flight) = read_every_item(Config { items: 2000, hold: Some(4), ..Config::default() }, 100, 4, true).await;
    assert_eq!(requested.first(), Some(&1), "the first page comes first, alone");
    assert_eq!(sorted(requested), (1..=20).collect::<Vec<_>>(), "each page exactly once, none past the last");
    assert_eq!(max_in_flight, 4, "never more than 4 in flight, and 4 were");
}

#[tokio::test]
async fn the_limit_holds_for_other_sizes_and_a_last_short_page() {
    // 23 items at 5 a page: pages 1..=5, the last holding 3.
    let (requested, max_in_flight) = read_every_item(Config { items: 23, hold: Some(3), ..Config::default() }, 5, 3, true).await;
    assert_eq!(sorted(requested), vec![1, 2, 3, 4, 5]);
    assert_eq!(max_in_flight, 3);
}

#[tokio::test]
async fn concurrency_one_is_sequential() {
    let (requested, max_in_flight) = read_every_item(Config { items: 30, ..Config::default() }, 10, 1, true).await;
    assert_eq!(requested, vec![1, 2, 3], "in order, and no 4th page");
    assert_eq!(max_in_flight, 1);
}

#[tokio::test]
async fn without_total_count_pages_are_fetched_one_at_a_time() {
    // Nothing tells how many pages there are, so none can be fetched ahead: 30 items at 10
    // a page end only with an empty page 4.
    let (requested, max_in_flight) = read_every_item(Config { items: 30, ..Config::default() }, 10, 4, false).await;
    assert_eq!(requested, vec![1, 2, 3, 4]);
    assert_eq!(max_in_flight, 1);
}

#[tokio::test]
async fn a_429_goes_through_the_retry_policy_and_the_stream_goes_on() {
    let failures = BTreeMap::from([(3, (429, Failure::Once))]);
    let (requested, max_in_flight) = read_every_item(Config { items: 100, failures, ..Config::default() }, 10, 4, true).await;
    let mut expected: Vec<usize> = (1..=10).collect();
    expected.push(3);
    assert_eq!(sorted(requested), sorted(expected), "page 3 twice (its retry), every other page once");
    assert!(max_in_flight <= 4, "{max_in_flight}");
}

#[tokio::test]
async fn the_first_error_ends_the_stream() {
    // Page 3 answers 404 (never retried): the items of pages 1 and 2, then its error.
    let failures = BTreeMap::from([(3, (404, Failure::Always))]);
    let server = PageServer::start(Config { items: 100, failures, ..Config::default() }).await;
    let (seen, error) = read_all(&server.client(), 10, 4, true).await;
    assert_eq!(seen, ids(20), "the items before the failed page, in order");
    let error = error.expect("the failed page's error");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.error_code(), Some("TEST"));
    server.with_log(|log| {
        let requested = sorted(log.requested.clone());
        assert!(requested.starts_with(&[1, 2, 3]), "{requested:?}");
        let mut unique = requested.clone();
        unique.dedup();
        assert_eq!(unique, requested, "no page twice");
        // Page 1, then at most 4 ahead of the items read: nothing past page 6.
        assert!(requested.iter().all(|&p| p <= 6), "{requested:?}");
    });
}

#[tokio::test]
async fn concurrency_zero_is_refused_before_any_request() {
    let server = PageServer::start(Config { items: 10, ..Config::default() }).await;
    let (seen, error) = read_all(&server.client(), 10, 0, true).await;
    assert!(seen.is_empty());
    match error {
        Some(Error::InvalidParameter { parameter, rule }) => {
            assert_eq!(parameter, "concurrency");
            assert_eq!(rule, "must be at least 1");
        }
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
    server.with_log(|log| assert!(log.requested.is_empty(), "{:?}", log.requested));
}

#[tokio::test]
async fn collect_all_uses_the_concurrency_too() {
    let server = PageServer::start(Config { items: 50, hold: Some(2), ..Config::default() }).await;
    let all = server
        .client()
        .list_backup_snapshots()
        .group_id(GROUP)
        .cluster_name(CLUSTER)
        .items_per_page(10)
        .concurrency(2)
        .collect_all()
        .await
        .expect("every page");
    let got: Vec<String> = all.into_iter().map(|s| s.id.expect("an id")).collect();
    assert_eq!(got, ids(50));
    server.with_log(|log| {
        assert_eq!(sorted(log.requested.clone()), vec![1, 2, 3, 4, 5]);
        assert_eq!(log.max_in_flight, 2);
    });
}
