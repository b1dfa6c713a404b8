//! The generated command line (`atlas-backup`, issue 27), run as a process against a
//! loopback server: exit codes, waiting, dry runs, strict bodies, paging and secrets.

mod support;

use std::process::{Command, Output};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::fill;

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const PUBLIC: &str = "pubkey-ab12cd34";
const PRIVATE: &str = "private-5e3c2f1a-9b8d-4c7e-a6f5-0d1c2b3a4e5f";

/// The binary with API keys in the environment, no profile directory, and `server` (else a
/// closed port) as the base URL.
fn command(server: Option<&MockServer>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlas-backup"));
    cmd.env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env_remove("MONGODB_ATLAS_PROJECT_ID")
        .env("MONGODB_ATLAS_PUBLIC_API_KEY", PUBLIC)
        .env("MONGODB_ATLAS_PRIVATE_API_KEY", PRIVATE)
        .env("XDG_CONFIG_HOME", std::env::temp_dir().join("atlas-backup-cli-test-no-config"));
    match server {
        Some(s) => cmd.env("MONGODB_ATLAS_BASE_URL", s.uri()),
        None => cmd.env("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:9"),
    };
    cmd
}

fn cli(server: Option<&MockServer>, args: &[&str]) -> Output {
    command(server).args(args).output().expect("the binary runs")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

fn snapshots_path() -> String {
    format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/snapshots")
}

fn body_file(value: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), value).expect("write");
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_and_curl_send_nothing() {
    let server = MockServer::start().await;
    let body = body_file("retentionInDays: 3\ndescription: before migration\n");
    let file = body.path().to_str().expect("utf-8");
    let base = ["cloudBackups", "takeSnapshots", "--groupId", GROUP, "--clusterName", "C0", "--file", file];
    let out = cli(Some(&server), &[&base[..], &["--dry-run"]].concat());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with(&format!("POST {}{}", server.uri(), snapshots_path())), "{stdout}");
    assert!(stdout.contains("accept: application/vnd.atlas.2025-03-12+json"), "{stdout}");
    assert!(stdout.contains("\"retentionInDays\": 3"), "{stdout}");
    let out = cli(Some(&server), &[&base[..], &["--curl"]].concat());
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("curl --user \"${PUBLIC_KEY}:${PRIVATE_KEY}\" \\\n  --digest"), "{stdout}");
    assert!(stdout.contains("--header \"Accept: application/vnd.atlas.2025-03-12+json\""), "{stdout}");
    assert!(!stdout.contains(PRIVATE) && !stdout.contains(PUBLIC), "{stdout}");
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_group_id_and_an_unknown_body_field_send_nothing() {
    let server = MockServer::start().await;
    let out = cli(
        Some(&server),
        &["cloud-backups", "get-group-cluster-backup-snapshot", "--group-id", "nothex", "--cluster-name", "C0", "--snapshot-id", SNAPSHOT],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("groupId"), "{stderr}");
    let body = body_file("{\"retentionInDay\": 3}");
    let out = cli(
        Some(&server),
        &["cloudBackups", "takeSnapshots", "--projectId", GROUP, "--clusterName", "C0", "--file", body.path().to_str().expect("utf-8")],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown field `retentionInDay`; did you mean `retentionInDays`?"), "{stderr}");
    assert_eq!(requests(&server).await, 0);
}

/// The `id` of each line of NDJSON output.
fn ndjson_ids(stdout: &str) -> Vec<String> {
    stdout.lines().map(|l| serde_json::from_str::<Value>(l).expect("a JSON line")["id"].as_str().unwrap_or("").to_owned()).collect()
}

/// The path of the backup exports of cluster `C0` (`listBackupExports`).
fn exports_path() -> String {
    format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/exports")
}

/// A page of `listBackupExports`: the exports `ids` of `total`.
fn exports_page(ids: &[&str], total: usize) -> Value {
    let results: Vec<Value> = ids.iter().map(|id| json!({"id": id, "exportBucketId": "6824a1c3b2f1e4d5a6b7c8e2"})).collect();
    json!({"results": results, "totalCount": total})
}

/// `listBackupExports` of cluster `C0` with `flags`; succeeds. Its standard output.
fn list_exports(server: &MockServer, flags: &[&str]) -> String {
    let mut args = vec!["cloudBackups", "listBackupExports", "--groupId", GROUP, "--clusterName", "C0"];
    args.extend_from_slice(flags);
    let out = cli(Some(server), &args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    stdout
}

/// The OAuth token endpoint of a service account, answering [`TOKEN`].
async fn token_endpoint(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})))
        .mount(server)
        .await;
}

fn snapshot(status: &str) -> Value {
    json!({"id": SNAPSHOT, "type": "replicaSet", "status": status, "snapshotType": "onDemand", "storageSizeBytes": 5_368_709_120_i64})
}

/// An answer as Atlas sends it: the body in the operation's versioned media type.
fn atlas(status: u16, body: &Value, version: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), &format!("application/vnd.atlas.{version}+json"))
}

/// `takeSnapshots` of cluster `C0` answering a queued snapshot.
async fn mount_take(server: &MockServer) {
    Mock::given(method("POST")).and(path(snapshots_path())).respond_with(atlas(200, &snapshot("queued"), "2025-03-12")).mount(server).await;
}

async fn take_and_wait(states: &[&str], extra: &[&str]) -> (Output, MockServer) {
    let server = MockServer::start().await;
    mount_take(&server).await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    for (i, state) in states.iter().enumerate() {
        let mock = Mock::given(method("GET")).and(path(get.clone())).respond_with(atlas(200, &snapshot(state), "2024-05-30"));
        let mock = if i + 1 < states.len() { mock.up_to_n_times(1) } else { mock };
        mock.with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX)).mount(&server).await;
    }
    let body = body_file("{\"retentionInDays\": 1}");
    let args = [
        &[
            "cloudBackups",
            "takeSnapshots",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--file",
            body.path().to_str().expect("utf-8"),
            "--wait",
            "--min-delay",
            "1ms",
            "--max-delay",
            "2ms",
        ][..],
        extra,
    ]
    .concat();
    (cli(Some(&server), &args), server)
}

#[tokio::test(flavor = "multi_thread")]
async fn take_snapshots_wait_goes_through_queued_in_progress_completed() {
    let (out, server) = take_and_wait(&["queued", "inProgress", "completed"], &[]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON answer");
    assert_eq!(answer["status"], "completed");
    // Not a terminal: one line per change of state.
    for state in ["status=queued", "status=inProgress", "status=completed"] {
        assert!(stderr.contains(state), "{state}: {stderr}");
    }
    assert_eq!(requests(&server).await, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_state_exits_5_and_a_timeout_6() {
    let (out, _) = take_and_wait(&["inProgress", "failed"], &["--quiet"]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("status=failed"), "{stderr}");
    let (out, _) = take_and_wait(&["inProgress"], &["--wait-timeout", "30ms"]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_exit_4_with_error_code_and_auth_errors_3() {
    let server = MockServer::start().await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    Mock::given(method("GET"))
        .and(path(get))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"error": 404, "errorCode": "SNAPSHOT_NOT_FOUND", "detail": "No snapshot with ID", "reason": "Not Found"}),
        ))
        .mount(&server)
        .await;
    let args = ["cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT];
    let out = cli(Some(&server), &args);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("SNAPSHOT_NOT_FOUND") && stderr.contains("No snapshot with ID"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_atlas-backup"))
        .args(args)
        .env_remove("MONGODB_ATLAS_PUBLIC_API_KEY")
        .env_remove("MONGODB_ATLAS_PRIVATE_API_KEY")
        .env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env("XDG_CONFIG_HOME", std::env::temp_dir().join("atlas-backup-cli-test-no-config"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out).1);
}

#[tokio::test(flavor = "multi_thread")]
async fn all_reads_every_page_and_ndjson_prints_one_item_a_line() {
    let server = MockServer::start().await;
    for (page, id) in [("1", "a"), ("2", "b")] {
        Mock::given(method("GET"))
            .and(path(exports_path()))
            .and(query_param("pageNum", page))
            .respond_with(ResponseTemplate::new(200).set_body_json(exports_page(&[id], 2)))
            .mount(&server)
            .await;
    }
    let stdout = list_exports(&server, &["--itemsPerPage", "1", "--all", "-o", "ndjson"]);
    assert_eq!(ndjson_ids(&stdout), ["a", "b"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_never_appear_with_debug_either() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(snapshot("completed"))).mount(&server).await;
    let out = cli(
        Some(&server),
        &["--debug", "cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("> GET") && stderr.contains("< 200"), "{stderr}");
    for secret in [PUBLIC, PRIVATE] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked");
    }
}

#[test]
fn a_connection_that_fails_exits_7_and_usage_2() {
    let out =
        cli(None, &["cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out).1);
    let out = cli(None, &["cloudBackups", "noSuchOperation"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The issue's acceptance check: `atlas-backup cloudBackups getGroupClusterBackupSnapshot
/// --help` prints the operation's method, path and parameters (and the exit codes).
#[test]
fn help_of_an_operation_prints_method_path_and_parameters() {
    for args in [["cloudBackups", "getGroupClusterBackupSnapshot"], ["cloud-backups", "get-group-cluster-backup-snapshot"]] {
        let out = cli(None, &[args[0], args[1], "--help"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stdout.contains("GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/{snapshotId}"), "{stdout}");
        for flag in ["--groupId <groupId>", "--clusterName <clusterName>", "--snapshotId <snapshotId>", "--envelope", "--pretty"] {
            assert!(stdout.contains(flag), "{flag}: {stdout}");
        }
        // Every version v2.yaml lists, oldest first (the last, newest, is the default).
        assert!(stdout.contains("API versions: 2023-01-01, 2024-05-30"), "{stdout}");
        assert!(stdout.contains("Exit codes") && stdout.contains("130"), "{stdout}");
        assert_eq!(stderr, "");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    // The enum values of `listClusterSnapshots --completed`, in each shell's syntax.
    let shells = [
        ("bash", "-F _atlas__backup", "compgen -W \"all true false\""),
        ("zsh", "#compdef atlas-backup", ":completed:(all true false)"),
        ("fish", "complete -c atlas-backup", "-l completed -d"),
    ];
    for (shell, marker, values) in shells {
        let out = cli(None, &["completions", shell]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{shell}: {stderr}");
        assert!(stdout.contains(marker), "{shell}: {}", &stdout[..stdout.len().min(400)]);
        assert!(stdout.contains(values), "{shell}: no enum values");
        // The whole tree: every tag, operation, waiter and flag.
        for word in ["cloudBackups", "takeSnapshots", "legacyBackup", "snapshotCompleted", "restore-job-finished", "groupId"] {
            assert!(stdout.contains(word), "{shell}: no {word}");
        }
    }
    let out = cli(None, &["completions", "powershell-ish"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filled_template_is_accepted_by_file() {
    let server = MockServer::start().await;
    let base = ["cloudBackups", "updateBackupSchedule", "--groupId", GROUP, "--clusterName", "C0"];
    let out = cli(Some(&server), &[&base[..], &["--template"]].concat());
    let (template, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Every field, nested ones too, required ones marked, enum values listed.
    assert!(template.contains("copySettings:  # an array\n  -\n    cloudProvider: \"\"  # one of AWS, AZURE, GCP\n"), "{template}");
    assert!(template.contains("zoneId: \"\"  # required; a string"), "{template}");
    // As printed, the enum placeholders are refused: a skeleton is filled before use.
    let unfilled = body_file(&template);
    let out = cli(Some(&server), &[&base[..], &["--file", unfilled.path().to_str().expect("utf-8"), "--dry-run"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out).1);
    let filled = body_file(&fill(&template));
    let out = cli(Some(&server), &[&base[..], &["--file", filled.path().to_str().expect("utf-8"), "--dry-run"]].concat());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{}", fill(&template));
    assert!(stdout.contains("\"cloudProvider\": \"AWS\""), "{stdout}");
    assert_eq!(requests(&server).await, 0);
}

/// An Atlas CLI `config.toml` with profile `ci` under a fresh `XDG_CONFIG_HOME`.
fn profile_dir(profile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("atlascli")).expect("mkdir");
    std::fs::write(dir.path().join("atlascli/config.toml"), profile).expect("write config.toml");
    dir
}

const PROFILE_GROUP: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";
const ENV_GROUP: &str = "bbbbbbbbbbbbbbbbbbbbbbbb";
const CLIENT_SECRET: &str = "mdb_sa_sk_profile-secret-0123456789";
const TOKEN: &str = "token-from-profile-credentials";

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_gives_credentials_and_the_default_project() {
    let server = MockServer::start().await;
    let config = format!(
        "[default]\nproject_id = \"cccccccccccccccccccccccc\"\n\n[ci]\nclient_id = \"mdb_sa_id_ci\"\nclient_secret = \"{CLIENT_SECRET}\"\nproject_id = \"{PROFILE_GROUP}\"\nops_manager_url = \"{}\"\n",
        server.uri()
    );
    let dir = profile_dir(&config);
    token_endpoint(&server).await;
    let get = format!("/api/atlas/v2/groups/{PROFILE_GROUP}/clusters/C0/backup/snapshots/{SNAPSHOT}");
    Mock::given(method("GET"))
        .and(path(get))
        .and(wiremock::matchers::bearer_token(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(snapshot("completed")))
        .expect(1)
        .mount(&server)
        .await;
    // No credentials nor base URL in the environment: all from the profile.
    let out = Command::new(env!("CARGO_BIN_EXE_atlas-backup"))
        .args([
            "--profile",
            "ci",
            "--debug",
            "cloudBackups",
            "getGroupClusterBackupSnapshot",
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
        ])
        .env_remove("MONGODB_ATLAS_PUBLIC_API_KEY")
        .env_remove("MONGODB_ATLAS_PRIVATE_API_KEY")
        .env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env_remove("MONGODB_ATLAS_PROJECT_ID")
        .env_remove("MONGODB_ATLAS_BASE_URL")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(serde_json::from_str::<Value>(&stdout).expect("JSON")["status"], "completed");
    for secret in [CLIENT_SECRET, TOKEN] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked: {stderr}");
    }
    // A profile that does not exist is a configuration error.
    let out = command(Some(&server))
        .args(["--profile", "nope", "cloudBackups", "getGroupClusterBackupSnapshot", "--clusterName", "C0", "--snapshotId", SNAPSHOT])
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("runs");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no profile `nope`"), "{stderr}");
}

#[test]
fn flag_then_environment_then_profile() {
    let config = format!(
        "[ci]\nclient_id = \"mdb_sa_id_ci\"\nclient_secret = \"{CLIENT_SECRET}\"\nproject_id = \"{PROFILE_GROUP}\"\nops_manager_url = \"http://profile.invalid\"\n"
    );
    let dir = profile_dir(&config);
    let run = |extra_env: &[(&str, &str)], flags: &[&str]| {
        let mut cmd = command(None);
        cmd.env("XDG_CONFIG_HOME", dir.path()).env_remove("MONGODB_ATLAS_BASE_URL");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let args = [
            &[
                "--profile",
                "ci",
                "--dry-run",
                "cloudBackups",
                "getGroupClusterBackupSnapshot",
                "--clusterName",
                "C0",
                "--snapshotId",
                SNAPSHOT,
            ][..],
            flags,
        ]
        .concat();
        let out = cmd.args(args).output().expect("runs");
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stdout.contains(CLIENT_SECRET) && !stdout.contains(PRIVATE), "{stdout}");
        stdout
    };
    // The project and base URL of the profile; the API key of the environment wins over the
    // profile's service account.
    let out = run(&[], &[]);
    assert!(out.starts_with(&format!("GET http://profile.invalid/api/atlas/v2/groups/{PROFILE_GROUP}/")), "{out}");
    assert!(out.contains("authorization: HTTP Digest"), "{out}");
    // The environment over the profile.
    let out = run(&[("MONGODB_ATLAS_PROJECT_ID", ENV_GROUP), ("MONGODB_ATLAS_BASE_URL", "http://env.invalid")], &[]);
    assert!(out.starts_with(&format!("GET http://env.invalid/api/atlas/v2/groups/{ENV_GROUP}/")), "{out}");
    // Flags over both.
    let out = run(
        &[("MONGODB_ATLAS_PROJECT_ID", ENV_GROUP), ("MONGODB_ATLAS_BASE_URL", "http://env.invalid")],
        &["--groupId", GROUP, "--base-url", "http://flag.invalid"],
    );
    assert!(out.starts_with(&format!("GET http://flag.invalid/api/atlas/v2/groups/{GROUP}/")), "{out}");
    // Without credentials in the environment, the profile's service account.
    let mut cmd = command(None);
    let out = cmd
        .env("XDG_CONFIG_HOME", dir.path())
        .env_remove("MONGODB_ATLAS_PUBLIC_API_KEY")
        .env_remove("MONGODB_ATLAS_PRIVATE_API_KEY")
        .args([
            "--profile",
            "ci",
            "--curl",
            "cloudBackups",
            "getGroupClusterBackupSnapshot",
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("curl --header \"Authorization: Bearer ${ACCESS_TOKEN}\""), "{stdout}");
}

/// Ctrl-C while waiting stops at once with 130, in the middle of a long delay between polls.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_a_wait_exits_130_at_once() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let server = MockServer::start().await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    Mock::given(method("GET"))
        .and(path(get))
        .respond_with(ResponseTemplate::new(200).set_body_json(snapshot("inProgress")))
        .mount(&server)
        .await;
    let mut child = command(Some(&server))
        .args([
            "wait",
            "snapshotCompleted",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
            "--min-delay",
            "60s",
            "--max-delay",
            "60s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The first poll's line: the waiter is now sleeping before the next one.
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("a line");
    assert!(first.contains("status=inProgress"), "{first}");
    let sent = Instant::now();
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still waiting 10 s after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(130));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("the rest of stderr");
    assert!(rest.contains("snapshotCompleted: interrupted"), "{rest}");
    assert_eq!(requests(&server).await, 1, "no poll after the interrupt");
}

#[tokio::test(flavor = "multi_thread")]
async fn not_a_terminal_one_line_per_change_of_state_and_quiet_none() {
    let (out, _) = take_and_wait(&["queued", "queued", "inProgress", "inProgress", "inProgress", "completed"], &[]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("snapshotCompleted: ")).collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    for (line, state) in lines.iter().zip(["status=queued", "status=inProgress", "status=completed"]) {
        assert!(line.contains(state), "{line}");
    }
    let (out, _) = take_and_wait(&["queued", "inProgress", "completed"], &["--quiet"]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(serde_json::from_str::<Value>(&stdout).expect("JSON")["status"], "completed");
}

#[test]
fn a_deprecated_operation_warns_on_stderr() {
    let out = cli(
        None,
        &["cloudBackups", "getServerlessRestoreJob", "--groupId", GROUP, "--clusterName", "s0", "--restoreJobId", SNAPSHOT, "--dry-run"],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("warning: getServerlessRestoreJob is deprecated by Atlas"), "{stderr}");
    assert!(stdout.starts_with("GET "), "{stdout}");
    // An operation that is not deprecated says nothing.
    let out = cli(
        None,
        &[
            "cloudBackups",
            "getGroupClusterBackupSnapshot",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
            "--dry-run",
        ],
    );
    assert_eq!(text(&out).1, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_nested_unknown_body_field_names_the_closest_and_sends_nothing() {
    let server = MockServer::start().await;
    let body = body_file("copySettings:\n  - cloudProvider: AWS\n    regionNam: US_EAST_1\n");
    let out = cli(
        Some(&server),
        &[
            "cloudBackups",
            "updateBackupSchedule",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--file",
            body.path().to_str().expect("utf-8"),
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/copySettings/0: unknown field `regionNam`; did you mean `regionName`?"), "{stderr}");
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn output_yaml_and_ndjson_of_one_page() {
    let server = MockServer::start().await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    Mock::given(method("GET"))
        .and(path(get))
        .respond_with(ResponseTemplate::new(200).set_body_json(snapshot("completed")))
        .mount(&server)
        .await;
    let out = cli(
        Some(&server),
        &[
            "-o",
            "yaml",
            "cloudBackups",
            "getGroupClusterBackupSnapshot",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("status: completed\n"), "{stdout}");
    let yaml: Value = serde_yaml::from_str(&stdout).expect("YAML");
    assert_eq!(yaml, snapshot("completed"));
    // One page of a list, without --all: its items one per line.
    Mock::given(method("GET"))
        .and(path(exports_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(exports_page(&["a", "b"], 2)))
        .mount(&server)
        .await;
    let stdout = list_exports(&server, &["--output", "ndjson"]);
    assert_eq!(ndjson_ids(&stdout), ["a", "b"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn all_with_concurrency_reads_every_page_in_order() {
    let server = MockServer::start().await;
    // The first page answers last: order is kept anyway.
    for (page, id, delay) in [("1", "a", 60), ("2", "b", 0), ("3", "c", 20)] {
        Mock::given(method("GET"))
            .and(path(exports_path()))
            .and(query_param("pageNum", page))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(exports_page(&[id], 3)).set_delay(std::time::Duration::from_millis(delay)),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let stdout = list_exports(&server, &["--itemsPerPage", "1", "--all", "--concurrency", "3"]);
    let all: Value = serde_json::from_str(&stdout).expect("JSON");
    let ids: Vec<&str> = all.as_array().expect("an array").iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(requests(&server).await, 3);
    let out = cli(
        Some(&server),
        &["cloudBackups", "listBackupExports", "--groupId", GROUP, "--clusterName", "C0", "--all", "--concurrency", "0"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_secret_and_token_never_appear_with_debug() {
    let server = MockServer::start().await;
    token_endpoint(&server).await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(snapshot("completed"))).mount(&server).await;
    let out = command(Some(&server))
        .env_remove("MONGODB_ATLAS_PUBLIC_API_KEY")
        .env_remove("MONGODB_ATLAS_PRIVATE_API_KEY")
        .env("MONGODB_ATLAS_CLIENT_ID", "mdb_sa_id_env")
        .env("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET)
        .args([
            "--debug",
            "cloudBackups",
            "getGroupClusterBackupSnapshot",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
        ])
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("> GET") && stderr.contains("< 200"), "{stderr}");
    for secret in [CLIENT_SECRET, TOKEN] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked: {stderr}");
    }
}

/// A snapshot as Atlas sends it: a field the spec does not describe, Atlas's key order, and
/// numbers `f64` would change.
const SENT_SNAPSHOT: &str = r#"{"status":"completed","id":"5f4007f327a3bc75f2a2b1c3","targetDeploymentItemName":"kept","storageSizeBytes":5368709120,"sizeOfEverything":123456789012345678901,"ratio":0.10}"#;

async fn snapshot_server(body: &str) -> MockServer {
    let server = MockServer::start().await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    Mock::given(method("GET"))
        .and(path(get))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    server
}

fn get_snapshot(server: &MockServer, extra: &[&str]) -> Output {
    let args = [
        &["cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT][..],
        extra,
    ]
    .concat();
    cli(Some(server), &args)
}

/// Standard output without the layout: what `-o json` may change.
fn squeezed(text: &str) -> String {
    text.split('"')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("\"{part}\"") } else { part.split_whitespace().collect() })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn stdout_is_the_body_atlas_sent() {
    let server = snapshot_server(SENT_SNAPSHOT).await;
    let out = get_snapshot(&server, &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "", "an answer that matches its schema: no warning");
    // Every field, in Atlas's order, every number's digits: only re-indented.
    assert_eq!(squeezed(&stdout), SENT_SNAPSHOT, "{stdout}");
    assert!(stdout.contains("\n  \"targetDeploymentItemName\": \"kept\",\n"), "{stdout}");
    // NDJSON: the same on one line; YAML converted, the unknown field kept.
    let out = get_snapshot(&server, &["-o", "ndjson"]);
    assert_eq!(text(&out).0, format!("{SENT_SNAPSHOT}\n"));
    let out = get_snapshot(&server, &["-o", "yaml"]);
    assert!(
        text(&out).0.starts_with("status: completed\nid: 5f4007f327a3bc75f2a2b1c3\ntargetDeploymentItemName: kept\n"),
        "{}",
        text(&out).0
    );
    // --outputFile: the same bytes in the file, nothing on stdout.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("answer.json");
    let out = get_snapshot(&server, &["--outputFile", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    assert_eq!(text(&out).0, "");
    assert_eq!(squeezed(&std::fs::read_to_string(&file).expect("written")), SENT_SNAPSHOT);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_that_breaks_its_schema_is_printed_with_one_warning() {
    let broken = r#"{"id":"5f4007f327a3bc75f2a2b1c3","status":7,"members":[]}"#;
    let server = snapshot_server(broken).await;
    let out = get_snapshot(&server, &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(squeezed(&stdout), broken);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("warning: the answer does not match the spec's schema "), "{stderr}");
    assert!(stderr.contains(" at /status: "), "the JSON pointer: {stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn envelope_true_prints_the_envelope_and_is_refused_with_all_and_wait() {
    let envelope = format!(r#"{{"status":200,"content":{SENT_SNAPSHOT}}}"#);
    let server = snapshot_server(&envelope).await;
    let out = get_snapshot(&server, &["--envelope", "true"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(squeezed(&stdout), envelope);
    assert_eq!(stderr, "");
    // An error status inside the envelope: the envelope on stdout, the API error's exit code.
    let failed = r#"{"status":404,"content":{"error":404,"errorCode":"SNAPSHOT_NOT_FOUND","detail":"No snapshot with ID"}}"#;
    let out = get_snapshot(&snapshot_server(failed).await, &["--envelope", "true"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert_eq!(squeezed(&stdout), failed);
    assert!(stderr.contains("SNAPSHOT_NOT_FOUND"), "{stderr}");
    let out = cli(Some(&server), &["cloudBackups", "listBackupExports", "--groupId", GROUP, "--clusterName", "C0", "--all", "--envelope"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out).1);
    assert_eq!(requests(&server).await, 1, "nothing sent for the refused line");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_and_wait_print_what_atlas_sent() {
    let server = MockServer::start().await;
    for (page, body) in [
        ("1", r#"{"results":[{"id":"a","new":1.10}],"totalCount":2}"#),
        ("2", r#"{"results":[{"id":"b","big":123456789012345678901}],"totalCount":2}"#),
    ] {
        Mock::given(method("GET"))
            .and(path(exports_path()))
            .and(query_param("pageNum", page))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let stdout = list_exports(&server, &["--itemsPerPage", "1", "--all"]);
    assert_eq!(squeezed(&stdout), r#"[{"id":"a","new":1.10},{"id":"b","big":123456789012345678901}]"#);
    let stdout = list_exports(&server, &["--itemsPerPage", "1", "--all", "-o", "ndjson"]);
    assert_eq!(stdout, "{\"id\":\"a\",\"new\":1.10}\n{\"id\":\"b\",\"big\":123456789012345678901}\n");
    // `wait`: the last answer as sent.
    let server = snapshot_server(SENT_SNAPSHOT).await;
    let out =
        cli(Some(&server), &["wait", "snapshotCompleted", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT, "--quiet"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(squeezed(&stdout), SENT_SNAPSHOT);
}

/// `--har FILE` records what the command exchanged (the take and every poll of `--wait`,
/// every page of `--all`, an API error), never a credential; `spec observe` reads the
/// archives back and finds every exchange in spec/, agreeing with it.
#[tokio::test(flavor = "multi_thread")]
async fn har_records_every_exchange_and_spec_observe_reads_it_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let har = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_owned();
    let (taken, listed, failed) = (har("take.har"), har("exports.har"), har("error.har"));
    let (out, _server) = take_and_wait(&["queued", "inProgress", "completed"], &["--har", &taken]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);

    let server = MockServer::start().await;
    for (page, id) in [("1", "a"), ("2", "b")] {
        Mock::given(method("GET"))
            .and(path(exports_path()))
            .and(query_param("pageNum", page))
            .respond_with(atlas(200, &exports_page(&[id], 2), "2023-01-01"))
            .mount(&server)
            .await;
    }
    let out = cli(
        Some(&server),
        &["cloudBackups", "listBackupExports", "--groupId", GROUP, "--clusterName", "C0", "--all", "--itemsPerPage", "1", "--har", &listed],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);

    let server = MockServer::start().await;
    let error = json!({"error": 404, "errorCode": "SNAPSHOT_NOT_FOUND", "detail": "No snapshot with ID", "reason": "Not Found"});
    Mock::given(method("GET"))
        .and(path(format!("{}/{SNAPSHOT}", snapshots_path())))
        .respond_with(ResponseTemplate::new(404).set_body_raw(error.to_string(), "application/json"))
        .mount(&server)
        .await;
    let out = cli(
        Some(&server),
        &[
            "cloudBackups",
            "getClusterBackupSnapshot",
            "--groupId",
            GROUP,
            "--clusterName",
            "C0",
            "--snapshotId",
            SNAPSHOT,
            "--har",
            &failed,
        ],
    );
    assert_eq!(out.status.code(), Some(4), "the archive is written when the command fails too: {}", text(&out).1);

    let files: Vec<std::path::PathBuf> = [&taken, &listed, &failed].iter().map(std::path::PathBuf::from).collect();
    for file in &files {
        let recorded = std::fs::read_to_string(file).expect("the archive was written");
        assert!(!recorded.contains(PUBLIC) && !recorded.contains(PRIVATE), "no API key in {}", file.display());
    }
    let spec = atlas_codegen::load::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml"))
        .expect("spec/ loads");
    let report = atlas_codegen::observe::observe(&spec, &files, &[]).expect("the archives are read");
    let markdown = atlas_codegen::observe::report::markdown(&report);
    // 1 take and 3 polls, 2 pages, 1 error.
    assert_eq!((report.exchanges, report.matched, report.unchecked), (7, 7, 0), "{markdown}");
    assert_eq!(report.operations, 3, "takeSnapshots, getGroupClusterBackupSnapshot, listBackupExports: {markdown}");
    assert!(report.findings.is_empty() && report.is_clean(), "{markdown}");
}

/// Mounts `answers` (status, body) on `GET path`, one each, the last one for good.
async fn answer_in_turn(server: &MockServer, path_: &str, answers: &[(u16, &str)]) {
    for (i, (status, body)) in answers.iter().enumerate() {
        let mock = Mock::given(method("GET"))
            .and(path(path_.to_owned()))
            .respond_with(ResponseTemplate::new(*status).set_body_raw(*body, "application/vnd.atlas.2023-01-01+json"));
        let mock = if i + 1 < answers.len() { mock.up_to_n_times(1) } else { mock };
        mock.with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX)).mount(server).await;
    }
}

/// A poll answer that breaks the schema (`storageSizeBytes` is an integer in the spec) with a
/// state no acceptor knows: the waiter polls on.
const BROKEN_POLL: &str = r#"{"status":"brandNew","id":"5f4007f327a3bc75f2a2b1c3","storageSizeBytes":"lots"}"#;
/// The last answer: the success state, a field the spec lacks, Atlas's key order, a number
/// as spelled, and the same schema break.
const BROKEN_LAST: &str =
    r#"{"targetDeploymentItemName":"kept","status":"completed","storageSizeBytes":"5 GB","id":"5f4007f327a3bc75f2a2b1c3","ratio":0.10}"#;
/// [`BROKEN_LAST`] as `-o json` lays it out.
const BROKEN_LAST_PRINTED: &str = "{\n  \"targetDeploymentItemName\": \"kept\",\n  \"status\": \"completed\",\n  \"storageSizeBytes\": \"5 GB\",\n  \"id\": \"5f4007f327a3bc75f2a2b1c3\",\n  \"ratio\": 0.10\n}\n";

/// The one warning of a last answer that breaks the snapshot's schema at `storageSizeBytes`.
fn assert_one_schema_warning(stderr: &str) {
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning: the answer does not match the spec's schema DiskBackupReplicaSet at /storageSizeBytes: "),
        "{stderr}"
    );
    assert!(stderr.trim_end().ends_with("; printed as received"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_after_take_snapshots_prints_the_last_poll_as_sent_with_one_warning() {
    let server = MockServer::start().await;
    mount_take(&server).await;
    answer_in_turn(&server, &format!("{}/{SNAPSHOT}", snapshots_path()), &[(200, BROKEN_POLL), (200, BROKEN_LAST)]).await;
    let body = body_file("{\"retentionInDays\": 1}");
    let file = body.path().to_str().expect("utf-8");
    let take = ["cloudBackups", "takeSnapshots", "--groupId", GROUP, "--clusterName", "C0", "--file", file];
    let out = cli(Some(&server), &[&take[..], &["--wait", "--min-delay", "1ms", "--max-delay", "2ms", "--quiet"]].concat());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, BROKEN_LAST_PRINTED, "the last answer byte for byte, laid out");
    assert_one_schema_warning(&stderr);
    assert_eq!(requests(&server).await, 3, "the take and two polls: the broken first poll did not end the wait");
    // Progress reads the state Atlas sent.
    server.reset().await;
    mount_take(&server).await;
    answer_in_turn(&server, &format!("{}/{SNAPSHOT}", snapshots_path()), &[(200, BROKEN_POLL), (200, BROKEN_LAST)]).await;
    let out = cli(Some(&server), &[&take[..], &["--wait", "--min-delay", "1ms", "--max-delay", "2ms"]].concat());
    let (_, stderr) = text(&out);
    assert!(stderr.contains("status=brandNew") && stderr.contains("status=completed"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_prints_the_last_poll_as_sent_and_a_deletion_ends_on_404() {
    let server = MockServer::start().await;
    let snapshot_path = format!("{}/{SNAPSHOT}", snapshots_path());
    answer_in_turn(&server, &snapshot_path, &[(200, BROKEN_POLL), (200, BROKEN_LAST)]).await;
    let polled = ["--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT, "--min-delay", "1ms", "--max-delay", "2ms"];
    let out = cli(Some(&server), &[&["wait", "snapshotCompleted", "--quiet"][..], &polled].concat());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout, BROKEN_LAST_PRINTED);
    assert_one_schema_warning(&stderr);
    // YAML of the same answer: converted, keys in Atlas's order.
    server.reset().await;
    answer_in_turn(&server, &snapshot_path, &[(200, BROKEN_LAST)]).await;
    let out = cli(Some(&server), &[&["wait", "snapshotCompleted", "--quiet", "-o", "yaml"][..], &polled].concat());
    assert!(text(&out).0.starts_with("targetDeploymentItemName: kept\nstatus: completed\nstorageSizeBytes: 5 GB\n"), "{}", text(&out).0);

    // A deletion: a broken answer while the snapshot is there, then 404: done, nothing printed.
    server.reset().await;
    let gone = r#"{"error":404,"errorCode":"CLUSTER_SNAPSHOT_NOT_FOUND","detail":"No snapshot"}"#;
    answer_in_turn(&server, &snapshot_path, &[(200, BROKEN_POLL), (404, gone)]).await;
    let out = cli(Some(&server), &[&["wait", "snapshotDeleted", "--quiet"][..], &polled].concat());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""));
    assert_eq!(requests(&server).await, 2);
}

/// The request bodies the server received, as bytes.
async fn bodies_received(server: &MockServer) -> Vec<Vec<u8>> {
    server.received_requests().await.unwrap_or_default().into_iter().map(|r| r.body).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_body_reaches_atlas_as_given() {
    let server = MockServer::start().await;
    mount_take(&server).await;
    let take = |file: &str, extra: &[&str]| {
        let base = ["cloudBackups", "takeSnapshots", "--groupId", GROUP, "--clusterName", "C0", "--file", file];
        cli(Some(&server), &[&base[..], extra].concat())
    };
    // JSON: an explicit null, the keys in another order than the model's, its own layout.
    let json = "{\n  \"retentionInDays\" : 3,\n  \"description\": null\n}";
    let json_file = body_file(json);
    let out = take(json_file.path().to_str().expect("utf-8"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1);
    assert_eq!(String::from_utf8_lossy(&received[0].body), json, "byte for byte");
    let content_type = received[0].headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/vnd.atlas.2025-03-12+json"));
    // An older version: the same bytes in its media type.
    let out = take(json_file.path().to_str().expect("utf-8"), &["--version", "2023-01-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(String::from_utf8_lossy(&received[1].body), json);
    let content_type = received[1].headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/vnd.atlas.2023-01-01+json"));
    // --curl shows those bytes; --dry-run the same tokens, laid out.
    let out = take(json_file.path().to_str().expect("utf-8"), &["--curl"]);
    assert!(text(&out).0.contains(&format!("--data '{json}'")), "{}", text(&out).0);
    let out = take(json_file.path().to_str().expect("utf-8"), &["--dry-run"]);
    assert!(text(&out).0.ends_with("\n{\n  \"retentionInDays\": 3,\n  \"description\": null\n}\n"), "{}", text(&out).0);

    // YAML: its JSON, keys in the order given; piped on stdin too.
    let yaml = "retentionInDays: 2\ndescription: before migration\n";
    let yaml_file = body_file(yaml);
    let out = take(yaml_file.path().to_str().expect("utf-8"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
    let piped = command(Some(&server))
        .args(["cloudBackups", "takeSnapshots", "--groupId", GROUP, "--clusterName", "C0"])
        .stdin(std::fs::File::open(yaml_file.path()).expect("open"))
        .output()
        .expect("runs");
    assert_eq!(piped.status.code(), Some(0), "{}", text(&piped).1);
    let bodies = bodies_received(&server).await;
    let expected = br#"{"retentionInDays":2,"description":"before migration"}"#;
    assert_eq!(bodies[2..], [expected.to_vec(), expected.to_vec()]);

    // A type error: refused with its JSON pointer, nothing sent.
    let wrong = body_file("{\"retentionInDays\": \"three\", \"description\": null}");
    let out = take(wrong.path().to_str().expect("utf-8"), &[]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/retentionInDays: expected an integer"), "{stderr}");
    assert_eq!(requests(&server).await, 4, "nothing sent for the refused body");
}
