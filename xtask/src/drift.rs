//! `cargo xtask drift --from OLD --to NEW`: API drift between two versions of the spec,
//! classified for users of the generated crate (see `atlas_codegen::drift`).
//!
//! OLD and NEW are spec files (YAML or JSON) or, when no such file exists, git revisions
//! whose `spec/atlas-backup.yaml` is read with `git show REV:spec/atlas-backup.yaml` (in the
//! workspace's repository, or the one given with `--repo`). Nothing in the work tree or the
//! repository is changed.
//!
//! The report goes to stdout (Markdown by default, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`; or JSON), a one-line summary to stderr. Exit status: 0, or 1 when
//! `--fail-on` says so, or 1 with `error: ...` when an input cannot be read.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use atlas_codegen::drift::{self, Severity};
use atlas_codegen::load::Loaded;
use clap::{Args, ValueEnum};

use crate::release::SPEC as SPEC_IN_REPO;

/// The spec's overlay inside a revision, applied as `load` applies the one beside a spec file.
fn overlay_in_repo() -> String {
    atlas_codegen::load::overlay::beside(Path::new(SPEC_IN_REPO)).display().to_string()
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when there is a breaking change.
    Breaking,
    /// Exit 1 when there is a breaking or non-breaking change (info does not count).
    NonBreaking,
    /// Always exit 0 once the report is printed.
    Never,
}

#[derive(Args, Debug)]
pub struct DriftArgs {
    /// The old spec: a file, or a git revision (`origin/main`, `HEAD~1`) whose
    /// spec/atlas-backup.yaml is compared.
    #[arg(long)]
    pub from: String,
    /// The new spec: a file, or a git revision.
    #[arg(long)]
    pub to: String,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,
    /// When to exit with status 1.
    #[arg(long, value_enum, default_value = "never")]
    pub fail_on: FailOn,
    /// Only operations with one of these tags, e.g. "Cloud Backups,Flex Snapshots".
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// The git repository that revisions are read from [default: this workspace's].
    #[arg(long)]
    pub repo: Option<PathBuf>,
}

pub fn run(args: DriftArgs, root: &Path) -> Result<ExitCode, String> {
    let started = Instant::now();
    let repo = args.repo.as_deref().unwrap_or(root);
    let (old, old_overlay) = load_side(&args.from, root, repo)?;
    let (new, new_overlay) = load_side(&args.to, root, repo)?;
    let loaded = started.elapsed();
    // Waiters and links live in the overlay: a side without the other's overlay would read as
    // waiters added or removed. The report says so rather than let that pass for API drift.
    let overlay_note = (old_overlay.as_ref().map(|o| &o.1) != new_overlay.as_ref().map(|o| &o.1)).then(|| {
        let name = |o: &OverlayOf| o.as_ref().map_or_else(|| "no overlay".to_owned(), |(label, _)| format!("the overlay `{label}`"));
        format!(
            "> **Note:** the two sides differ in overlay: `{}` has {}, `{}` has {}; changes of waiters and links below may come from that, not from the API.\n\n",
            args.from,
            name(&old_overlay),
            args.to,
            name(&new_overlay)
        )
    });
    let tags: Vec<String> = args.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    let report = drift::diff(&old, &new, &drift::Options { tags, ..Default::default() }).map_err(|e| e.to_string())?;
    match args.format {
        Format::Markdown => print!("{}{}", overlay_note.as_deref().unwrap_or_default(), drift::report::markdown(&report)),
        Format::Json => print!("{}", drift::report::json(&report)),
    }
    if let Some(note) = &overlay_note {
        eprint!("drift: {}", note.trim_start_matches("> **Note:** ").trim_end());
        eprintln!();
    }
    eprintln!(
        "drift: {} breaking, {} non-breaking, {} info (loaded in {:.2?}, compared in {:.2?})",
        report.summary.breaking,
        report.summary.non_breaking,
        report.summary.info,
        loaded,
        started.elapsed() - loaded
    );
    let fail = match args.fail_on {
        FailOn::Breaking => report.count(Severity::Breaking) > 0,
        FailOn::NonBreaking => report.count(Severity::Breaking) + report.count(Severity::NonBreaking) > 0,
        FailOn::Never => false,
    };
    Ok(if fail { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The overlay a side was read with: its name and its text.
type OverlayOf = Option<(String, Vec<u8>)>;

/// A file (relative to the current directory, then to the workspace root), else a revision
/// of `repo`; with the overlay applied to it, when it has one.
fn load_side(arg: &str, root: &Path, repo: &Path) -> Result<(Loaded, OverlayOf), String> {
    let candidates: [PathBuf; 2] = [PathBuf::from(arg), root.join(arg)];
    if let Some(path) = candidates.iter().find(|p| p.is_file()) {
        let beside = atlas_codegen::load::overlay::beside(path);
        let overlay = std::fs::read(&beside).ok().map(|text| (beside.display().to_string(), text));
        return Ok((atlas_codegen::load::load(path).map_err(|e| e.to_string())?, overlay));
    }
    let bytes = git_show(arg, repo, SPEC_IN_REPO)?;
    let label = PathBuf::from(format!("{arg}:{SPEC_IN_REPO}"));
    // The revision's own overlay, when it has one (revisions before the overlay had their
    // waiter tables in the spec).
    let overlay_in_repo = overlay_in_repo();
    let text = git_show(arg, repo, &overlay_in_repo).ok();
    let overlay = match &text {
        Some(text) => Some(
            atlas_codegen::load::overlay::Overlay::parse(&PathBuf::from(format!("{arg}:{overlay_in_repo}")), text)
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let loaded = atlas_codegen::load::parse_with(&label, &bytes, overlay.as_ref()).map_err(|e| e.to_string())?;
    Ok((loaded, text.map(|t| (format!("{arg}:{overlay_in_repo}"), t))))
}

fn git_show(rev: &str, repo: &Path, file: &str) -> Result<Vec<u8>, String> {
    // A leading `-` would be read by git as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is neither a spec file nor a git revision"));
    }
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["show", &format!("{rev}:{file}")])
        .output()
        .map_err(|e| format!("`{rev}` is not a file, and git could not be run to read it as a revision: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{rev}` is neither a spec file nor a git revision with {file} in {}: git says: {}",
            repo.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}
