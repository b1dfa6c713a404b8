//! The generated client's own cost: row 5 of `cargo xtask bench`, which runs this binary
//! and collects its results (run it directly with
//! `cargo bench -p atlas-backup-tests --features bench --bench client`).
//!
//! - `client/generated` against `client/bare_reqwest` and `client/bare_reqwest_timeout`: one
//!   `getGroupClusterBackupSnapshot` through the generated client, and the same request
//!   (same URL, `Accept` and `User-Agent`) sent with bare `reqwest` and decoded with
//!   `serde_json` into the same struct, once without a time limit and once with the same
//!   per-request timeout as the generated client's default (60 s: the fair floor, since a
//!   production call without a deadline is not what users write). All share one
//!   `reqwest::Client` (one connection pool) and one server.
//! - `decode/generated_models` against `decode/value_baseline`: a 500-item page of
//!   snapshots decoded into the generated models, and into `serde_json::Value`.
//!
//! The three are measured together: each iteration of any of them sends one request each
//! way, rotating which goes first, and reports its own client's time.
//!
//! The server is a minimal HTTP/1.1 keep-alive server on loopback that answers every
//! request with the same bytes, so that as little of each round trip as possible is the
//! server's and the difference between the two clients shows. `--quick` (criterion's own
//! flag) keeps every benchmark to a couple of runs, for CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use atlas_backup::models::{DiskBackupReplicaSet, PaginatedCloudBackupReplicaSet};
use atlas_backup::{Client, RetryPolicy};
use criterion::Criterion;
use serde_json::json;

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const CLUSTER: &str = "Cluster0";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
/// The media type the generated client sends for this operation (the spec's version of it);
/// the bare request sends the same.
const MEDIA_TYPE: &str = "application/vnd.atlas.2024-05-30+json";
/// The generated client's `User-Agent` (`atlas-backup-rust/<crate version>`); the bare
/// request sends a header of the same size.
const USER_AGENT: &str = "atlas-backup-rust/0.1.0";
/// The generated client's default per-request timeout, given to the fair-floor bare request.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// An idle connection's thread ends after this long, so the server stops by itself.
const IDLE: Duration = Duration::from_secs(30);

fn snapshot(i: usize) -> serde_json::Value {
    json!({
        "cloudProvider": "AWS",
        "copyRegions": ["US_EAST_1", "EU_WEST_1"],
        "createdAt": format!("2025-03-{:02}T10:15:{:02}Z", 1 + i % 28, i % 60),
        "description": "nightly",
        "expiresAt": "2025-04-12T10:15:30.123+02:00",
        "frequencyType": "daily",
        "id": format!("5f4007f327a3bc75f2{:06x}", i),
        "links": [{"href": format!("https://cloud.mongodb.com/api/atlas/v2/groups/{GROUP}/clusters/{CLUSTER}/backup/snapshots/{i}"), "rel": "self"}],
        "masterKeyUUID": "72659f08-8b3c-4913-bb4e-a8a68e036502",
        "mongodVersion": "8.0.4",
        "policyItems": ["5f4007f327a3bc75f2a2b1c4"],
        "replicaSetName": "Cluster0-shard-0",
        "snapshotType": if i.is_multiple_of(2) { "onDemand" } else { "scheduled" },
        "status": "completed",
        "storageSizeBytes": 5_368_709_120_i64 + i as i64,
        "type": "replicaSet"
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut c = Criterion::default().configure_from_args();
    bench_client(&mut c, quick)?;
    bench_decode(&mut c)?;
    c.final_summary();
    Ok(())
}

fn bench_client(c: &mut Criterion, quick: bool) -> Result<(), String> {
    let body = serde_json::to_vec(&snapshot(0)).map_err(|e| e.to_string())?;
    let base = serve(&body)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("tokio runtime: {e}"))?;
    // One pool for both: the generated client is handed the same `reqwest::Client`.
    let http = reqwest::Client::builder().build().map_err(|e| format!("reqwest client: {e}"))?;
    let client = Client::builder()
        .base_url(&base)
        .http_client(http.clone())
        .retry(RetryPolicy::disabled())
        .build()
        .map_err(|e| format!("generated client: {e}"))?;
    let url = format!("{base}/api/atlas/v2/groups/{GROUP}/clusters/{CLUSTER}/backup/snapshots/{SNAPSHOT}");

    let generated = || async {
        client
            .get_group_cluster_backup_snapshot()
            .group_id(GROUP)
            .cluster_name(CLUSTER)
            .snapshot_id(SNAPSHOT)
            .send()
            .await
            .map_err(|e| e.to_string())
    };
    let (http_ref, url_ref) = (&http, &url);
    let bare = move |timeout: Option<Duration>| async move {
        let (http, url) = (http_ref, url_ref);
        let mut request =
            http.get(url.as_str()).header(reqwest::header::ACCEPT, MEDIA_TYPE).header(reqwest::header::USER_AGENT, USER_AGENT);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await.and_then(reqwest::Response::error_for_status).map_err(|e| e.to_string())?;
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice::<DiskBackupReplicaSet>(&bytes).map_err(|e| e.to_string())
    };
    // All must work, and agree, before any is timed.
    let (a, b, t) = runtime.block_on(async { (generated().await, bare(None).await, bare(Some(CLIENT_TIMEOUT)).await) });
    let a = a.map_err(|e| format!("generated client: {e}"))?;
    let b = b.map_err(|e| format!("bare reqwest: {e}"))?;
    let t = t.map_err(|e| format!("bare reqwest with a timeout: {e}"))?;
    if a != b || a != t {
        return Err(format!("the clients decoded different answers:\n{a:?}\n{b:?}\n{t:?}"));
    }

    let failures = AtomicUsize::new(0);
    let mut group = c.benchmark_group("client");
    if !quick {
        group.sample_size(100).measurement_time(Duration::from_secs(5));
    }
    // Paired: every iteration of any benchmark sends one request each way, in rotating
    // order, and times each on its own, so that all clients meet the same conditions
    // (caches, the server thread's scheduling, the machine's other load); each batch's mean
    // per call of each goes into `batches` for `write_paired`.
    let batches: std::cell::RefCell<Vec<[f64; 3]>> = std::cell::RefCell::new(Vec::new());
    let call = |way: usize| {
        let started = Instant::now();
        let ok = match way {
            0 => runtime.block_on(generated()).is_ok(),
            1 => runtime.block_on(bare(None)).is_ok(),
            _ => runtime.block_on(bare(Some(CLIENT_TIMEOUT))).is_ok(),
        };
        let elapsed = started.elapsed();
        if !ok {
            failures.fetch_add(1, Ordering::Relaxed);
        }
        elapsed
    };
    let together = |iters: u64| {
        let mut times = [Duration::ZERO; 3];
        for i in 0..iters {
            for k in 0..3 {
                let way = (i as usize + k) % 3;
                times[way] += call(way);
            }
        }
        if iters > 0 {
            batches.borrow_mut().push(times.map(|d| d.as_secs_f64() / iters as f64));
        }
        times
    };
    group.bench_function("generated", |bench| bench.iter_custom(|iters| together(iters)[0]));
    group.bench_function("bare_reqwest", |bench| bench.iter_custom(|iters| together(iters)[1]));
    group.bench_function("bare_reqwest_timeout", |bench| bench.iter_custom(|iters| together(iters)[2]));
    group.finish();
    write_paired(&batches.into_inner())?;
    match failures.load(Ordering::Relaxed) {
        0 => Ok(()),
        n => Err(format!("{n} request(s) failed while measuring; the times are not valid")),
    }
}

/// Writes `client/paired.json` under `CRITERION_HOME` (when set, as `cargo xtask bench`
/// sets it): each batch's mean time per call of the generated client, of bare reqwest and
/// of bare reqwest with the client's timeout. The means of a batch were measured in the same
/// seconds, so their ratios are free of the drift between criterion's benchmarks, which run
/// one after the other.
fn write_paired(batches: &[[f64; 3]]) -> Result<(), String> {
    let Some(home) = std::env::var_os("CRITERION_HOME") else { return Ok(()) };
    let dir = std::path::Path::new(&home).join("client");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let column = |k: usize| batches.iter().map(|b| b[k]).collect::<Vec<f64>>();
    let text = json!({ "generated_s": column(0), "bare_reqwest_s": column(1), "bare_reqwest_timeout_s": column(2) }).to_string();
    let path = dir.join("paired.json");
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn bench_decode(c: &mut Criterion) -> Result<(), String> {
    let page = json!({
        "links": [{"href": "https://cloud.mongodb.com/api/atlas/v2/groups/x/clusters/y/backup/snapshots?pageNum=1", "rel": "self"}],
        "results": (0..500).map(snapshot).collect::<Vec<_>>(),
        "totalCount": 500
    });
    let bytes = serde_json::to_vec(&page).map_err(|e| e.to_string())?;
    let decoded = serde_json::from_slice::<PaginatedCloudBackupReplicaSet>(&bytes).map_err(|e| format!("the page does not decode: {e}"))?;
    if decoded.results.len() != 500 {
        return Err(format!("decoded {} snapshots of 500", decoded.results.len()));
    }
    let mut group = c.benchmark_group("decode");
    group.bench_function("generated_models", |b| {
        b.iter(|| serde_json::from_slice::<PaginatedCloudBackupReplicaSet>(std::hint::black_box(&bytes)));
    });
    group.bench_function("value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&bytes)));
    });
    group.finish();
    Ok(())
}

/// Starts the loopback server; answers its base URL. Every request, whatever it asks, gets
/// `200` with `body`.
fn serve(body: &[u8]) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("loopback server: {e}"))?;
    let addr = listener.local_addr().map_err(|e| format!("loopback server: {e}"))?;
    let mut response = format!("HTTP/1.1 200 OK\r\ncontent-type: {MEDIA_TYPE}\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
    response.extend_from_slice(body);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let response = response.clone();
            std::thread::spawn(move || {
                let _ = connection(stream, &response);
            });
        }
    });
    Ok(format!("http://{addr}"))
}

/// Answers the requests of one keep-alive connection until the client closes it or it
/// stays idle for [`IDLE`].
fn connection(stream: TcpStream, response: &[u8]) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        // The request head: read up to the empty line, noting any body's length.
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        std::io::copy(&mut (&mut reader).take(length as u64), &mut std::io::sink())?;
        writer.write_all(response)?;
    }
}
