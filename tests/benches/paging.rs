//! Concurrent page fetching: a row of `cargo xtask bench`, which runs this binary and
//! collects its results (run it directly with `cargo bench -p atlas-backup-tests --features bench --bench paging`).
//!
//! `paging/sequential` against `paging/concurrency_4`: `collect_all` of 2,000 snapshots at
//! 100 a page (20 pages) from a loopback server (wiremock) that adds 20 ms to every answer,
//! the way a real server's latency does. Both runs are checked to give the same items in the
//! same order before either is timed. `--quick` (criterion's own flag) keeps it to a couple of
//! runs, for CI.

use std::process::ExitCode;
use std::time::Duration;

use atlas_backup::{Client, RetryPolicy};
use criterion::Criterion;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const CLUSTER: &str = "Cluster0";
const ITEMS: usize = 2000;
const PER_PAGE: usize = 100;
const LATENCY: Duration = Duration::from_millis(20);

/// Answers the page a request names out of [`ITEMS`] snapshots, after [`LATENCY`].
struct Pages;

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page = request.url.query_pairs().find(|(k, _)| k == "pageNum").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(1);
        let results: Vec<serde_json::Value> = (1..=ITEMS)
            .skip((page.max(1) - 1) * PER_PAGE)
            .take(PER_PAGE)
            .map(|i| json!({"id": format!("{i:024x}"), "type": "replicaSet", "status": "completed", "replicaSetName": "Cluster0-shard-0"}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"links": [], "results": results, "totalCount": ITEMS})).set_delay(LATENCY)
    }
}

fn main() -> ExitCode {
    run().map_or_else(
        |e| {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        },
        |()| ExitCode::SUCCESS,
    )
}

fn run() -> Result<(), String> {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut c = Criterion::default().configure_from_args();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| format!("tokio runtime: {e}"))?;
    let server = runtime.block_on(async {
        let server = MockServer::builder().disable_request_recording().start().await;
        Mock::given(wiremock::matchers::method("GET")).respond_with(Pages).mount(&server).await;
        server
    });
    let client = Client::builder().base_url(server.uri()).retry(RetryPolicy::disabled()).build().map_err(|e| e.to_string())?;
    let collect = |concurrency: usize| {
        runtime.block_on(async {
            client
                .list_backup_snapshots()
                .group_id(GROUP)
                .cluster_name(CLUSTER)
                .items_per_page(PER_PAGE as i64)
                .concurrency(concurrency)
                .collect_all()
                .await
                .map(|items| items.into_iter().map(|s| s.id.unwrap_or_default()).collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        })
    };
    // Same items, same order, all of them, before anything is timed.
    let sequential = collect(1)?;
    let concurrent = collect(4)?;
    let expected: Vec<String> = (1..=ITEMS).map(|i| format!("{i:024x}")).collect();
    if sequential != expected || concurrent != expected {
        return Err(format!("the two runs differ from the server's items: {} and {} items of {ITEMS}", sequential.len(), concurrent.len()));
    }

    let mut group = c.benchmark_group("paging");
    group.sample_size(10);
    if !quick {
        group.measurement_time(Duration::from_secs(8));
    }
    let mut failed = false;
    for (name, concurrency) in [("sequential", 1), ("concurrency_4", 4)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                if collect(concurrency).map(|items| items.len()) != Ok(ITEMS) {
                    failed = true;
                }
            });
        });
    }
    group.finish();
    c.final_summary();
    if failed {
        return Err("a run failed while measuring; the times are not valid".to_owned());
    }
    Ok(())
}
