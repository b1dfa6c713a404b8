//! MongoDB's published `atlas api` lines, with `atlas api` replaced by `atlas-backup`
//! (issue 36): built from spec/ the way MongoDB's documentation generator builds its
//! examples, for every operation and every version: `atlas-backup <tag> <name> --version V`,
//! then the required flags sorted by name with valid values, without and with the body piped
//! on stdin, each with `--dry-run`, which must print the request of that operation and
//! version. Also the other names, `--file` forms and the `default` profile.

mod support;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use support::fill;

const GROUP: &str = "32b6e34b3d91647abb20e7b8";

/// `Cloud Backups` → `cloudBackups`, as the Atlas CLI names a tag.
fn lower_camel(tag: &str) -> String {
    let mut out = String::new();
    for (i, word) in tag.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(if i == 0 { first.to_ascii_lowercase() } else { first.to_ascii_uppercase() });
            out.push_str(chars.as_str());
        }
    }
    out
}

fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlas-backup"));
    cmd.env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env_remove("MONGODB_ATLAS_PUBLIC_API_KEY")
        .env_remove("MONGODB_ATLAS_PRIVATE_API_KEY")
        .env("MONGODB_ATLAS_PROJECT_ID", GROUP)
        .env("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:9")
        .env("XDG_CONFIG_HOME", std::env::temp_dir().join("atlas-backup-cli-lines-no-config"));
    cmd
}

/// Runs `args` with `stdin` piped (or `/dev/null`).
fn run(cmd: &mut Command, args: &[String], stdin: Option<&str>) -> Output {
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("the binary starts");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("the binary runs")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A valid value for a path or required query parameter, by its schema.
fn value(param: &serde_yaml::Value) -> String {
    let schema = &param["schema"];
    if let Some(first) = schema["enum"].as_sequence().and_then(|e| e.first()).and_then(serde_yaml::Value::as_str) {
        return first.to_owned();
    }
    if let Some(example) = param["example"].as_str().or_else(|| schema["example"].as_str()) {
        return example.to_owned();
    }
    match schema["type"].as_str() {
        Some("integer") => "1".to_owned(),
        Some("boolean") => "true".to_owned(),
        _ if schema["pattern"].as_str().is_some_and(|p| p.contains("a-f0-9")) => "5f4007f327a3bc75f2a2b1c3".to_owned(),
        _ => "C0".to_owned(),
    }
}

/// One operation of spec/ as the documentation generator sees it.
struct Op {
    tag: String,
    name: String,
    /// Every other published name.
    others: Vec<String>,
    method: String,
    path: String,
    /// `--flag value` pairs of the required parameters (the group comes from the
    /// environment, as from a configured `atlas`).
    flags: Vec<(String, String)>,
    versions: Vec<String>,
    body: bool,
}

fn operations() -> Vec<Op> {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml");
    let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(spec).expect("spec/")).expect("YAML");
    let resolve = |p: &serde_yaml::Value| -> serde_yaml::Value {
        match p["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/parameters/")) {
            Some(name) => doc["components"]["parameters"][name].clone(),
            None => p.clone(),
        }
    };
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_mapping().expect("paths") {
        let path = path.as_str().expect("path").to_owned();
        for (method, op) in item.as_mapping().expect("path item") {
            let method = method.as_str().expect("method");
            if !["get", "post", "put", "patch", "delete"].contains(&method) {
                continue;
            }
            let long = op["operationId"].as_str().expect("operationId").to_owned();
            let name = op["x-xgen-operation-id-override"].as_str().map_or(long.clone(), str::to_owned);
            let mut others = vec![long];
            others.extend(op["x-former-operation-ids"].as_sequence().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)));
            others.retain(|o| o != &name);
            let params: Vec<serde_yaml::Value> = item["parameters"]
                .as_sequence()
                .into_iter()
                .flatten()
                .chain(op["parameters"].as_sequence().into_iter().flatten())
                .map(resolve)
                .collect();
            let mut flags: Vec<(String, String)> = params
                .iter()
                .filter(|p| p["required"].as_bool() == Some(true) && p["name"].as_str() != Some("groupId"))
                .map(|p| (p["name"].as_str().expect("name").to_owned(), value(p)))
                .collect();
            flags.sort();
            let mut versions: Vec<String> = op["responses"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter(|(code, _)| {
                    code.as_str().or(code.as_u64().map(|_| "2")).is_some_and(|c| c.starts_with('2'))
                        || code.as_u64().is_some_and(|c| (200..300).contains(&c))
                })
                .flat_map(|(_, r)| r["content"].as_mapping().into_iter().flatten().filter_map(|(k, _)| k.as_str().map(str::to_owned)))
                .filter_map(|m| m.strip_prefix("application/vnd.atlas.").and_then(|m| m.strip_suffix("+json")).map(str::to_owned))
                .collect();
            versions.sort();
            versions.dedup();
            ops.push(Op {
                tag: lower_camel(op["tags"][0].as_str().expect("tag")),
                name,
                others,
                method: method.to_uppercase(),
                path: path.clone(),
                flags,
                versions,
                body: op["requestBody"].is_mapping(),
            });
        }
    }
    assert!(ops.len() >= 60, "only {} operations read", ops.len());
    ops
}

/// The line of `op` for version `version`, with `--dry-run`.
fn line(op: &Op, name: &str, version: &str) -> Vec<String> {
    let mut args = vec![op.tag.clone(), name.to_owned(), "--version".to_owned(), version.to_owned()];
    for (flag, value) in &op.flags {
        args.extend([format!("--{flag}"), value.clone()]);
    }
    args.push("--dry-run".to_owned());
    args
}

/// Asserts that a dry run printed the request of `op` in `version`.
fn assert_request(op: &Op, version: &str, args: &[String], out: &Output) {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(0), "{}: {stderr}", args.join(" "));
    let first = stdout.lines().next().unwrap_or_default();
    let (method, url) = first.split_once(' ').unwrap_or_default();
    assert_eq!(method, op.method, "{}", args.join(" "));
    let mut expected = op.path.replace("{groupId}", GROUP);
    for (flag, value) in &op.flags {
        expected = expected.replace(&format!("{{{flag}}}"), value);
    }
    let path = url.trim_start_matches("http://127.0.0.1:9").split('?').next().unwrap_or_default();
    assert_eq!(path, expected, "{}", args.join(" "));
    assert!(stdout.contains(&format!("accept: application/vnd.atlas.{version}+json")), "{}: {stdout}", args.join(" "));
}

#[test]
fn every_operation_and_version_as_mongodb_documents_it() {
    let mut lines = 0;
    for op in operations() {
        assert!(!op.versions.is_empty(), "{}: no version", op.name);
        let body = op.body.then(|| {
            let out = run(&mut command(), &[op.tag.clone(), op.name.clone(), "--template".to_owned()], None);
            fill(&text(&out).0)
        });
        for version in &op.versions {
            let args = line(&op, &op.name, version);
            let out = run(&mut command(), &args, None);
            if op.body {
                // Without a body an operation that needs one refuses, sending nothing.
                let (_, stderr) = text(&out);
                assert!(
                    out.status.code() == Some(0) || (out.status.code() == Some(2) && stderr.contains("body is required")),
                    "{}: {stderr}",
                    args.join(" ")
                );
            } else {
                assert_request(&op, version, &args, &out);
            }
            // With the body piped on stdin.
            let out = run(&mut command(), &args, Some(body.as_deref().unwrap_or("")));
            assert_request(&op, version, &args, &out);
            lines += 2;
        }
        // Every other published name runs the same operation.
        for other in &op.others {
            let version = op.versions.last().expect("a version");
            let args = line(&op, other, version);
            let out = run(&mut command(), &args, body.as_deref());
            assert_request(&op, version, &args, &out);
        }
    }
    assert!(lines >= 120, "{lines} lines");
}

#[test]
fn an_unknown_version_exits_2_naming_the_versions() {
    let args: Vec<String> = [
        "cloudBackups",
        "getClusterBackupSnapshot",
        "--version",
        "2020-01-01",
        "--clusterName",
        "C0",
        "--snapshotId",
        "5f4007f327a3bc75f2a2b1c3",
        "--dry-run",
    ]
    .map(str::to_owned)
    .to_vec();
    let out = run(&mut command(), &args, None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stdout, "", "nothing sent, nothing printed");
    assert!(stderr.contains("2024-05-30"), "the dates it has: {stderr}");
    // `--api-version` is its other name; the help lists the dates and shows an example line.
    let args: Vec<String> = [
        "cloudBackups",
        "getClusterBackupSnapshot",
        "--api-version",
        "2024-05-30",
        "--clusterName",
        "C0",
        "--snapshotId",
        "5f4007f327a3bc75f2a2b1c3",
        "--dry-run",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(run(&mut command(), &args, None).status.code(), Some(0));
    let out = run(&mut command(), &["cloudBackups".to_owned(), "getClusterBackupSnapshot".to_owned(), "--help".to_owned()], None);
    let (help, _) = text(&out);
    assert!(help.contains("API versions: 2023-01-01, 2024-05-30 (default 2024-05-30"), "{help}");
    assert!(help.contains("Example:\n  atlas-backup cloudBackups getClusterBackupSnapshot --version 2024-05-30 --clusterName "), "{help}");
    assert!(help.contains("getGroupClusterBackupSnapshot"), "the other name in help: {help}");
}

#[test]
fn the_body_from_file_stdin_or_dash_but_not_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("body.json");
    std::fs::write(&file, r#"{"retentionInDays": 3}"#).expect("write");
    let file = file.to_str().expect("utf-8").to_owned();
    let base: Vec<String> = ["cloudBackups", "takeSnapshots", "--clusterName", "C0", "--dry-run"].map(str::to_owned).to_vec();
    let with = |extra: &[&str]| [base.clone(), extra.iter().map(|s| (*s).to_owned()).collect()].concat();
    for (args, stdin) in [
        (with(&["--file", &file]), None),
        (with(&[&format!("--file={file}")]), None),
        (with(&["--file", "-"]), Some(r#"{"retentionInDays": 3}"#)),
        (with(&[]), Some("retentionInDays: 3\n")),
    ] {
        let out = run(&mut command(), &args, stdin);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", args.join(" "));
        assert!(stdout.contains("\"retentionInDays\": 3"), "{stdout}");
    }
    let out = run(&mut command(), &with(&["--file", &file]), Some("{}"));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("give one of them"), "{stderr}");
}

#[test]
fn the_default_profile_without_profile_and_p_for_profile() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("atlascli")).expect("mkdir");
    let config = "[default]\nproject_id = \"aaaaaaaaaaaaaaaaaaaaaaaa\"\npublic_api_key = \"pub\"\nprivate_api_key = \"secret-of-default\"\n\n[ci]\nproject_id = \"cccccccccccccccccccccccc\"\n";
    std::fs::write(dir.path().join("atlascli/config.toml"), config).expect("write");
    let args = |extra: &[&str]| -> Vec<String> {
        extra
            .iter()
            .copied()
            .chain([
                "cloudBackups",
                "getClusterBackupSnapshot",
                "--clusterName",
                "C0",
                "--snapshotId",
                "5f4007f327a3bc75f2a2b1c3",
                "--dry-run",
            ])
            .map(str::to_owned)
            .collect()
    };
    let cmd = || {
        let mut cmd = command();
        cmd.env_remove("MONGODB_ATLAS_PROJECT_ID").env("XDG_CONFIG_HOME", dir.path());
        cmd
    };
    // No --profile: `default`, as `atlas` does (its project and its API key).
    let out = run(&mut cmd(), &args(&[]), None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("/groups/aaaaaaaaaaaaaaaaaaaaaaaa/"), "{stdout}");
    assert!(stdout.contains("authorization: HTTP Digest"), "{stdout}");
    assert!(!stdout.contains("secret-of-default"), "{stdout}");
    // -P names another; the environment still wins over the profile.
    let out = run(&mut cmd(), &args(&["-P", "ci"]), None);
    assert!(text(&out).0.contains("/groups/cccccccccccccccccccccccc/"), "{}", text(&out).1);
    let out = run(cmd().env("MONGODB_ATLAS_PROJECT_ID", GROUP), &args(&[]), None);
    assert!(text(&out).0.contains(&format!("/groups/{GROUP}/")), "{}", text(&out).1);
    // A config file that is there but broken is named, not silently ignored.
    std::fs::write(dir.path().join("atlascli/config.toml"), "[default\nproject_id = 1").expect("write");
    let out = run(&mut cmd(), &args(&[]), None);
    let (stdout, stderr) = text(&out);
    assert_eq!((out.status.code(), stdout.as_str()), (Some(3), ""), "{stderr}");
    assert!(stderr.contains("config.toml: not valid TOML"), "{stderr}");
}

#[test]
fn boolean_flags_mean_what_they_say() {
    let base: Vec<String> =
        ["cloudBackups", "getClusterBackupSnapshot", "--clusterName", "C0", "--snapshotId", "5f4007f327a3bc75f2a2b1c3", "--dry-run"]
            .map(str::to_owned)
            .to_vec();
    for (extra, query) in [
        (&["--pretty"][..], Some("pretty=true")),
        (&["--pretty=false"][..], Some("pretty=false")),
        (&["--pretty", "false"][..], Some("pretty=false")),
        (&[][..], None),
    ] {
        let args = [base.clone(), extra.iter().map(|s| (*s).to_owned()).collect()].concat();
        let out = run(&mut command(), &args, None);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let first = stdout.lines().next().unwrap_or_default();
        match query {
            Some(q) => assert!(first.ends_with(q), "{extra:?}: {first}"),
            None => assert!(!first.contains("pretty"), "{first}"),
        }
    }
}
