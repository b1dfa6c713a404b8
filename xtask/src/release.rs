//! The generated crates' version and changelog, derived from the drift of the spec.
//!
//! - The version lives in one place: `info.x-crate-version` of `spec/atlas-backup.yaml`. The
//!   generator puts it into the generated manifests (`generated/Cargo.toml`,
//!   `generated/cli/Cargo.toml`); a spec without it gives 0.1.0.
//! - The changelog is `generated/CHANGELOG.md` (Keep a Changelog). Generation keeps it as it
//!   is; `spec update` and `release` add entries. Each entry records the SHA-256 digest of
//!   the files of `generated/` it describes (every file but the changelog), so that
//!   `release --check` knows whether `generated/` changed since the last entry.
//! - Next version: a breaking change bumps the minor below 1.0 and the major from 1.0 on;
//!   anything else the patch; nothing changed, nothing bumped.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use atlas_codegen::File;
use atlas_codegen::drift::{self, Change, Severity, Subject};
use atlas_codegen::ir::Api;
use atlas_codegen::load::Loaded;
use clap::Args;
use sha2::{Digest as _, Sha256};

/// The key of `info` that holds the generated crates' version.
pub const VERSION_KEY: &str = atlas_codegen::ir::CRATE_VERSION_EXTENSION;
/// The changelog, inside the generated crate's directory.
pub const CHANGELOG: &str = "CHANGELOG.md";
/// The marker of the digest comment of an entry.
const DIGEST_MARK: &str = "<!-- generated/ sha256: ";
/// The targets of a release's binary archives: the matrix of .github/workflows/release.yml.
const TARGETS: [&str; 4] = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc"];

/// The line of an entry that says what the release ships (archive names: .ci/dist.sh's).
fn ships(version: Version) -> String {
    let archive = |t: &str| format!("`atlas-backup-{version}-{t}.{}`", if t.contains("windows") { "zip" } else { "tar.gz" });
    let archives: Vec<String> = TARGETS.iter().map(|t| archive(t)).collect();
    format!(
        "\nShips the crates `atlas-backup` and `atlas-backup-cli` {version} and the binary archives {}, each with a `.sha256`.\n",
        archives.join(", ")
    )
}

const HEADER: &str = "# Changelog\n\n\
All notable changes to the generated crates `atlas-backup` and `atlas-backup-cli`, written by\n\
`cargo xtask spec update` (or `cargo xtask release`) from the drift of `spec/atlas-backup.yaml`:\n\
do not edit entries by hand. The format follows [Keep a Changelog](https://keepachangelog.com/en/1.1.0/);\n\
versions follow [Semantic Versioning](https://semver.org/) (below 1.0, a breaking change bumps the minor).\n";

#[derive(Args, Debug)]
pub struct ReleaseArgs {
    /// Write nothing; exit 1 when generated/ changed since the last changelog entry but the
    /// version or the changelog did not.
    #[arg(long)]
    pub check: bool,
    /// The date of a new entry, YYYY-MM-DD [default: today, UTC].
    #[arg(long)]
    pub date: Option<String>,
    /// spec/ as the last entry had it, when spec/ was since edited in the project rather than
    /// by `spec update` (e.g. `git show v0.1.2:spec/atlas-backup.yaml > old.yaml`): the entry
    /// is the drift from it, which decides the version, as `spec update`'s is.
    #[arg(long, value_name = "SPEC")]
    pub since: Option<PathBuf>,
}

/// A version `MAJOR.MINOR.PATCH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub const INITIAL: Version = Version { major: 0, minor: 1, patch: 0 };

    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
        let (Some(Some(major)), Some(Some(minor)), Some(Some(patch)), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        Some(Version { major, minor, patch })
    }

    pub fn next(self, bump: Bump) -> Version {
        let Version { major, minor, patch } = self;
        match bump {
            Bump::None => self,
            Bump::Patch => Version { major, minor, patch: patch + 1 },
            Bump::Breaking if major == 0 => Version { major, minor: minor + 1, patch: 0 },
            Bump::Breaking => Version { major: major + 1, minor: 0, patch: 0 },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How far the version moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Breaking,
}

/// The bump a drift report asks for.
pub fn bump_for(report: &drift::Report) -> Bump {
    if report.count(Severity::Breaking) > 0 {
        Bump::Breaking
    } else if report.changes.is_empty() {
        Bump::None
    } else {
        Bump::Patch
    }
}

/// The version `info.x-crate-version` of a raw spec states; `None` when it states none.
pub fn spec_version(spec: &serde_json::Value, file: &Path) -> Result<Option<Version>, String> {
    match spec.pointer(&format!("/info/{VERSION_KEY}")) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Version::parse(s)
            .map(Some)
            .ok_or_else(|| format!("{}: info.{VERSION_KEY} is {s:?}, not a version MAJOR.MINOR.PATCH", file.display())),
        Some(other) => Err(format!("{}: info.{VERSION_KEY} must be a string \"MAJOR.MINOR.PATCH\", found {other}", file.display())),
    }
}

/// `text` (a block-style YAML spec) with `info.x-crate-version` set to `version`: the one line
/// is replaced, or added under `info:`. Nothing else of the file changes.
pub fn set_version_text(text: &str, version: Version, file: &Path) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let info = lines
        .iter()
        .position(|l| l == "info:")
        .ok_or_else(|| format!("{}: no block-style `info:` mapping to hold {VERSION_KEY}", file.display()))?;
    let top_level = |l: &String| !l.starts_with(' ') && !l.trim().is_empty();
    let end = (info + 1..lines.len()).find(|&i| top_level(&lines[i])).unwrap_or(lines.len());
    // As serde_yaml writes it, so that spec/ stays in the canonical layout.
    let value = serde_yaml::to_string(&version.to_string()).map_err(|e| e.to_string())?;
    let line = format!("  {VERSION_KEY}: {}", value.trim_end());
    match (info + 1..end).find(|&i| lines[i].starts_with(&format!("  {VERSION_KEY}:"))) {
        Some(i) => lines[i] = line,
        None => lines.insert(end, line),
    }
    let mut s = lines.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

/// What a release writes, all of it prepared before anything is written.
pub struct Prepared {
    spec_text: String,
    files: Vec<File>,
    lock: Option<(PathBuf, String)>,
}

/// The one pipeline of `release` and `spec update`: the spec text at version `next`, the
/// crates generated from it once, their digest, one changelog entry (the drift `report` old →
/// new, under `note`), and `Cargo.lock` moved with the version.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    root: &Path,
    paths: &Paths,
    spec_text: &str,
    next: Version,
    date: &str,
    report: &drift::Report,
    docs: (&Loaded, &Loaded),
    note: &str,
) -> Result<Prepared, String> {
    let spec_text = set_version_text(spec_text, next, &paths.spec)?;
    let mut files = generate_text(&paths.spec, &spec_text)?;
    let changelog = read_changelog(&paths.generated)?;
    let first = changelog.as_deref().and_then(last_entry).is_none();
    let entry = entry(next, date, report, docs, &digest_files(&files), note, first)?;
    files.push(File { path: CHANGELOG.to_owned(), contents: with_entry(changelog.as_deref(), &entry) });
    Ok(Prepared { spec_text, files, lock: locked_at(root, next)? })
}

impl Prepared {
    /// generated/ (all files or none, the changelog with its new entry), the spec, the lock.
    pub fn write(self, paths: &Paths) -> Result<atlas_codegen::write::Outcome, String> {
        let outcome = atlas_codegen::write::write(&paths.generated, &self.files).map_err(|e| e.to_string())?;
        write_file(&paths.spec, &self.spec_text)?;
        if let Some((file, text)) = self.lock {
            write_file(&file, &text)?;
        }
        Ok(outcome)
    }
}

/// The digest of generated/'s files but the changelog, as entries record it.
pub fn digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut files: Vec<(&str, &[u8])> = files.into_iter().filter(|(p, _)| *p != CHANGELOG).collect();
    files.sort();
    let mut hash = Sha256::new();
    for (path, bytes) in files {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest of generated files.
pub fn digest_files(files: &[File]) -> String {
    digest(files.iter().map(|f| (f.path.as_str(), f.contents.as_bytes())))
}

/// The digest of what `dir` holds.
pub fn digest_dir(dir: &Path) -> Result<String, String> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: cannot read: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: cannot read: {e}", d.display()))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
                files.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
    }
    Ok(digest(files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))))
}

/// The newest entry of a changelog: its version and recorded digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEntry {
    pub version: Option<Version>,
    pub digest: Option<String>,
}

pub fn last_entry(changelog: &str) -> Option<LastEntry> {
    let start = changelog.find("\n## [")?;
    let body = &changelog[start + 1..];
    let end = body[1..].find("\n## [").map_or(body.len(), |i| i + 1);
    let body = &body[..end];
    let version = body.strip_prefix("## [").and_then(|r| r.split(']').next()).and_then(Version::parse);
    let digest =
        body.find(DIGEST_MARK).map(|i| &body[i + DIGEST_MARK.len()..]).and_then(|r| r.split_whitespace().next()).map(str::to_owned);
    Some(LastEntry { version, digest })
}

/// `changelog` (or a new one) with `entry` as its newest entry.
pub fn with_entry(changelog: Option<&str>, entry: &str) -> String {
    let text = changelog.unwrap_or(HEADER);
    match text.find("\n## [") {
        Some(i) => format!("{}{entry}\n{}", &text[..i + 1], &text[i + 1..]),
        None => format!("{}\n{entry}", text.trim_end_matches('\n').to_owned() + "\n"),
    }
}

/// The Rust item and the command-line form of a change, from the document that has it.
/// Each document lowered and named as generation does it, so that the Rust items and
/// commands an entry names are the generated ones (renames included), not derived again.
fn named(docs: [&Loaded; 2]) -> Result<[Api; 2], String> {
    let lower = |l: &Loaded| {
        let mut api = atlas_codegen::ir::lower(l)?;
        atlas_codegen::names::assign(&mut api)?;
        Ok::<Api, atlas_codegen::Error>(api)
    };
    Ok([lower(docs[0]).map_err(|e| e.to_string())?, lower(docs[1]).map_err(|e| e.to_string())?])
}

/// The Rust item (and for operations the command, and flag of a parameter) `c` affects,
/// found in the newer document first (what was removed, in the older).
fn affected(c: &Change, apis: &[Api; 2]) -> String {
    match &c.subject {
        Subject::Operation { id, method, path } => {
            let op = apis
                .iter()
                .find_map(|api| api.operations.iter().find(|o| o.path == *path && o.method.as_str().eq_ignore_ascii_case(method)));
            let Some(op) = op else { return format!("operation `{id}`") };
            let mut cli = format!("atlas-backup {} {}", atlas_codegen::names::cli::tag_command(&op.tag), op.command);
            if let drift::Place::Parameter { name, .. } = &c.place {
                cli.push_str(&format!(" --{}", atlas_codegen::names::cli::flag(name)));
            }
            format!("Rust `Client::{}`; CLI `{cli}`", op.method_ident)
        }
        Subject::Schema { name } => {
            let at = atlas_codegen::error::pointer("#/components/schemas", name);
            match apis.iter().find_map(|api| api.types.iter().find(|t| t.pointer == at)) {
                Some(t) => format!("Rust `models::{}`", t.ident),
                None => format!("schema `{name}`"),
            }
        }
    }
}

/// Keep a Changelog's section of a change; `None` for what users need not read
/// (descriptions: ours are kept).
fn section(c: &Change) -> Option<&'static str> {
    match (c.severity, c.rule.changelog_section()) {
        (_, None) => None,
        (Severity::Breaking, Some(_)) => Some("Breaking"),
        (Severity::NonBreaking | Severity::Info, section) => section,
    }
}

/// The entry for `version` on `date` from the drift `report` (old → new spec); `digest` is
/// that of the generated files it describes.
/// An entry whose drift is empty says that the generated code changed all the same, unless
/// it is the `first`.
pub fn entry(
    version: Version,
    date: &str,
    report: &drift::Report,
    (old, new): (&Loaded, &Loaded),
    digest: &str,
    source: &str,
    first: bool,
) -> Result<String, String> {
    let apis = if report.changes.is_empty() { None } else { Some(named([new, old])?) };
    let mut s = format!("## [{version}] - {date}\n\n{DIGEST_MARK}{digest} -->\n\n{source}\n{}", ships(version));
    let mut any = false;
    for title in ["Breaking", "Added", "Changed", "Deprecated"] {
        let lines: Vec<String> = report
            .changes
            .iter()
            .filter(|c| section(c) == Some(title))
            .map(|c| {
                let location = c.location();
                let at = if location.is_empty() { String::new() } else { format!(" at `{location}`") };
                let affected = apis.as_ref().map(|apis| affected(c, apis)).unwrap_or_default();
                format!("- {}{at}: {} ({affected})", subject(&c.subject), c.message)
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        any = true;
        s.push_str(&format!("\n### {title}\n\n{}\n", lines.join("\n")));
    }
    if !any && !first {
        s.push_str("\n### Changed\n\n- The generated code changed without a change of the API (generator or runtime).\n");
    }
    Ok(s)
}

fn subject(s: &Subject) -> String {
    match s {
        Subject::Operation { id, method, path } => format!("`{id}` (`{method} {path}`)"),
        Subject::Schema { name } => format!("schema `{name}`"),
    }
}

/// Today (UTC) as YYYY-MM-DD, or `date` checked.
pub fn date(date: Option<String>) -> Result<String, String> {
    match date {
        Some(d) => {
            let ok = d.len() == 10 && d.char_indices().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() });
            if ok { Ok(d) } else { Err(format!("--date {d:?} is not a date YYYY-MM-DD")) }
        }
        None => Ok(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_owned()),
    }
}

/// The spec in a workspace (and inside a git revision).
pub const SPEC: &str = "spec/atlas-backup.yaml";
/// The reviewed intended differences, beside the spec.
pub const INTENDED: &str = "spec/intended-differences.yaml";

/// The places of the spec files and the release files of a workspace: the one place that
/// says where they are (the overlay is the loader's `NAME.overlay.yaml` beside the spec).
pub struct Paths {
    pub spec: PathBuf,
    pub overlay: PathBuf,
    pub intended: PathBuf,
    pub generated: PathBuf,
}

impl Paths {
    pub fn of(root: &Path) -> Paths {
        let spec = root.join(SPEC);
        Paths {
            overlay: atlas_codegen::load::overlay::beside(&spec),
            spec,
            intended: root.join(INTENDED),
            generated: root.join("generated"),
        }
    }

    pub fn changelog(&self) -> PathBuf {
        self.generated.join(CHANGELOG)
    }
}

/// A path given on the command line: relative paths start at the workspace root, wherever
/// cargo was run from.
pub fn at_root(root: &Path, p: PathBuf) -> PathBuf {
    if p.is_absolute() { p } else { root.join(p) }
}

/// The packages whose version is the spec's (`info.x-crate-version`).
const VERSIONED_PACKAGES: [&str; 2] = [atlas_codegen::render::manifest::PACKAGE, atlas_codegen::render::manifest::CLI_PACKAGE];

/// `Cargo.lock` at `root` with the generated crates at `version`, so that the lock moves with
/// the version in the same change (`None` when there is no lock or it already says so).
pub fn locked_at(root: &Path, version: Version) -> Result<Option<(PathBuf, String)>, String> {
    let file = root.join("Cargo.lock");
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: cannot read: {e}", file.display())),
    };
    let mut out = String::with_capacity(text.len());
    let mut package: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("name = \"").and_then(|r| r.trim_end().strip_suffix('"')) {
            package = VERSIONED_PACKAGES.iter().copied().find(|p| *p == name);
        } else if line.starts_with("version = \"") && package.take().is_some() {
            out.push_str(&format!("version = \"{version}\"\n"));
            continue;
        } else if line.trim().is_empty() {
            package = None;
        }
        out.push_str(line);
    }
    Ok((out != text).then_some((file, out)))
}

/// The changelog in `dir`, when there is one.
pub fn read_changelog(dir: &Path) -> Result<Option<String>, String> {
    let file = dir.join(CHANGELOG);
    match std::fs::read_to_string(&file) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: cannot read: {e}", file.display())),
    }
}

/// `cargo xtask release [--check]`.
pub fn run(args: ReleaseArgs, root: &Path) -> Result<ExitCode, String> {
    let paths = Paths::of(root);
    let (_, raw) = atlas_codegen::load::load_value(&paths.spec).map_err(|e| e.to_string())?;
    let version = spec_version(&raw, &paths.spec)?.unwrap_or(Version::INITIAL);
    let changelog = read_changelog(&paths.generated)?;
    let last = changelog.as_deref().and_then(last_entry);
    let on_disk = digest_dir(&paths.generated)?;
    if args.check {
        let problems = check(version, last.as_ref(), &on_disk);
        if problems.is_empty() {
            println!("release check: generated/ is what the changelog entry {version} describes");
            return Ok(ExitCode::SUCCESS);
        }
        for p in &problems {
            eprintln!("release check: {p}");
        }
        eprintln!(
            "run `cargo xtask spec update --from NEW` for a spec change, or `cargo xtask release` to record a change of the generator"
        );
        return Ok(ExitCode::FAILURE);
    }
    // Record what generated/ holds now: a new patch version (the first entry keeps the
    // version), regenerated so that the manifests carry it.
    if last.as_ref().is_some_and(|l| l.digest.as_deref() == Some(on_disk.as_str()) && l.version == Some(version)) {
        println!("generated/ is what the changelog entry {version} describes: nothing to record");
        return Ok(ExitCode::SUCCESS);
    }
    let spec_text = std::fs::read_to_string(&paths.spec).map_err(|e| format!("{}: cannot read: {e}", paths.spec.display()))?;
    let overlay = overlay_of(&paths.spec)?;
    let loaded = atlas_codegen::load::parse_with(&paths.spec, spec_text.as_bytes(), overlay.as_ref()).map_err(|e| e.to_string())?;
    // Both sides with the project's overlay, so that the drift is the spec's alone.
    let before = match &args.since {
        Some(file) => {
            let text = std::fs::read(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
            Some(atlas_codegen::load::parse_with(file, &text, overlay.as_ref()).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let old = before.as_ref().unwrap_or(&loaded);
    let date = date(args.date)?;
    let report = drift::diff(old, &loaded, &drift::Options::default()).map_err(|e| e.to_string())?;
    let next = if last.is_some() { version.next(bump_for(&report).max(Bump::Patch)) } else { version };
    let note = match (&args.since, last.is_some()) {
        (Some(file), _) => format!(
            "spec/ edited in the project since the last entry (compared with `{}`).",
            file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
        ),
        (None, true) => "Regenerated without a spec change.".to_owned(),
        (None, false) => "The first release of the generated crates.".to_owned(),
    };
    prepare(root, &paths, &spec_text, next, &date, &report, (old, &loaded), &note)?.write(&paths)?;
    println!("recorded {next} ({date}) in {}", paths.changelog().display());
    Ok(ExitCode::SUCCESS)
}

/// What is wrong with generated/ (digest `on_disk`) against the last changelog entry.
pub fn check(version: Version, last: Option<&LastEntry>, on_disk: &str) -> Vec<String> {
    let Some(last) = last else {
        return vec![format!("generated/{CHANGELOG} has no entry")];
    };
    let mut problems = Vec::new();
    if last.version != Some(version) {
        let stated = last.version.map_or_else(|| "no version".to_owned(), |v| v.to_string());
        problems.push(format!("the spec's version is {version}, but the newest changelog entry is {stated}"));
    }
    if last.digest.as_deref() != Some(on_disk) {
        problems.push(format!(
            "generated/ changed since the changelog entry {}",
            last.version.map_or_else(|| "?".to_owned(), |v| v.to_string())
        ));
    }
    problems
}

/// The overlay beside `spec`, when there is one.
pub fn overlay_of(spec: &Path) -> Result<Option<atlas_codegen::load::overlay::Overlay>, String> {
    atlas_codegen::load::overlay::load_beside(spec).map_err(|e| e.to_string())
}

/// Generates from `text` as if it were the file `spec` (same name, same overlay), writing nothing.
pub fn generate_text(spec: &Path, text: &str) -> Result<Vec<File>, String> {
    let overlay = overlay_of(spec)?;
    let generated = atlas_codegen::generate_from_bytes_with(spec, text.as_bytes(), overlay.as_ref()).map_err(|e| e.to_string())?;
    Ok(generated.files)
}

pub fn write_file(file: &Path, text: &str) -> Result<(), String> {
    std::fs::write(file, text).map_err(|e| format!("{}: cannot write: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_ships_both_crates_and_an_archive_per_target_of_the_release_workflow() {
        let workflow = include_str!("../../.github/workflows/release.yml");
        assert_eq!(workflow.matches("- target: ").count(), TARGETS.len(), "{workflow}");
        let line = ships(Version { major: 1, minor: 2, patch: 3 });
        assert!(line.contains("`atlas-backup` and `atlas-backup-cli` 1.2.3"), "{line}");
        for t in TARGETS {
            assert!(workflow.contains(&format!("- target: {t}\n")), "{t} is not built by the workflow");
            assert!(line.contains(&format!("`atlas-backup-1.2.3-{t}.")), "{line}");
        }
        assert!(line.contains("x86_64-pc-windows-msvc.zip`") && line.contains("aarch64-apple-darwin.tar.gz`"), "{line}");
    }

    #[test]
    fn next_versions() {
        let v = |s: &str| Version::parse(s).unwrap_or_else(|| panic!("{s}"));
        for (from, bump, to) in [
            ("0.1.0", Bump::Breaking, "0.2.0"),
            ("0.1.3", Bump::Breaking, "0.2.0"),
            ("1.2.3", Bump::Breaking, "2.0.0"),
            ("0.1.0", Bump::Patch, "0.1.1"),
            ("1.2.3", Bump::Patch, "1.2.4"),
            ("0.3.1", Bump::None, "0.3.1"),
        ] {
            assert_eq!(v(from).next(bump), v(to), "{from} {bump:?}");
        }
        assert_eq!(Version::parse("1.2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert_eq!(Version::parse("1.x.3"), None);
    }

    #[test]
    fn the_version_line_is_set_or_added_under_info() {
        let f = Path::new("s.yaml");
        let added = set_version_text("openapi: 3.0.1\ninfo:\n  title: t\n  version: '2.0'\npaths: {}\n", Version::INITIAL, f);
        // As serde_yaml writes it (the canonical layout of spec/): no quotes.
        assert_eq!(added.as_deref(), Ok("openapi: 3.0.1\ninfo:\n  title: t\n  version: '2.0'\n  x-crate-version: 0.1.0\npaths: {}\n"));
        let set = added.and_then(|t| set_version_text(&t, Version { major: 0, minor: 2, patch: 0 }, f));
        assert_eq!(set.as_deref(), Ok("openapi: 3.0.1\ninfo:\n  title: t\n  version: '2.0'\n  x-crate-version: 0.2.0\npaths: {}\n"));
        assert!(set_version_text("openapi: 3.0.1\ninfo: {title: t}\n", Version::INITIAL, f).is_err());
    }

    #[test]
    fn entries_go_on_top_and_the_last_one_is_read_back() {
        let first = with_entry(None, "## [0.1.0] - 2026-01-01\n\n<!-- generated/ sha256: aaa -->\n");
        assert!(first.starts_with("# Changelog\n"), "{first}");
        let second = with_entry(Some(&first), "## [0.2.0] - 2026-02-01\n\n<!-- generated/ sha256: bbb -->\n");
        assert!(second.find("[0.2.0]") < second.find("[0.1.0]"), "{second}");
        let last = last_entry(&second);
        assert_eq!(last, Some(LastEntry { version: Some(Version { major: 0, minor: 2, patch: 0 }), digest: Some("bbb".to_owned()) }));
        assert_eq!(check(Version { major: 0, minor: 2, patch: 0 }, last.as_ref(), "bbb"), Vec::<String>::new());
        assert_eq!(check(Version { major: 0, minor: 2, patch: 0 }, last.as_ref(), "ccc").len(), 1);
        assert_eq!(check(Version { major: 0, minor: 3, patch: 0 }, last.as_ref(), "bbb").len(), 1);
    }

    #[test]
    fn the_digest_leaves_out_the_changelog_and_sees_every_byte() {
        let a = digest([("a.rs", b"x".as_slice()), ("CHANGELOG.md", b"1".as_slice())]);
        assert_eq!(a, digest([("a.rs", b"x".as_slice()), ("CHANGELOG.md", b"2".as_slice())]));
        assert_ne!(a, digest([("a.rs", b"y".as_slice())]));
        assert_ne!(a, digest([("b.rs", b"x".as_slice())]));
    }
}
