//! `cargo xtask spec ...`: tools for the OpenAPI spec in `spec/`, run on `atlas_codegen`.
//!
//! - `update`: take a new upstream document into spec/ in one reviewed step ([`crate::update`]).
//! - `slice`: cut the operations of some tags (and every component they reach) out of a big
//!   upstream document into a valid OpenAPI document of its own ([`atlas_codegen::slice`]).
//! - `check`: the drift from the published upstream spec to `spec/atlas-backup.yaml`, per
//!   operation; every difference must be listed, with its reason, in
//!   `spec/intended-differences.yaml` ([`atlas_codegen::drift::check`]).
//! - `observe`: `spec/` against what Atlas answered, read from HAR files; every disagreement
//!   must be listed under `observed:` in `spec/intended-differences.yaml`
//!   ([`atlas_codegen::observe`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use atlas_codegen::drift::{check, intended};
use atlas_codegen::observe;
use clap::Subcommand;

use crate::release::at_root;

#[derive(Subcommand)]
pub enum SpecTask {
    /// Take a new upstream document's facts into spec/ (keeping the intended differences and
    /// our descriptions), regenerate, bump the version and write the changelog entry from
    /// the drift; all or nothing.
    Update(crate::update::UpdateArgs),
    /// Extract the operations of some tags, and every component they reach, into a new document.
    Slice {
        /// The upstream OpenAPI document (YAML or JSON). Relative paths start at the workspace root.
        #[arg(long)]
        from: PathBuf,
        /// Comma-separated tags, e.g. "Cloud Backups,Flex Snapshots".
        #[arg(long, value_delimiter = ',', required = true)]
        tags: Vec<String>,
        /// The document to write (`.json` for JSON, YAML otherwise).
        #[arg(long)]
        out: PathBuf,
    },
    /// Compare the facts of spec/ with upstream; exit 1 on any difference not listed as intended.
    Check {
        /// v2.yaml as MongoDB publishes it, e.g.
        /// ../shared/upstream-v2/atlas-api-v2-2026-08-12.yaml. Relative paths start at the
        /// workspace root.
        #[arg(long)]
        upstream: PathBuf,
        /// The spec to check [default: spec/atlas-backup.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The reviewed intended differences [default: spec/intended-differences.yaml].
        #[arg(long)]
        intended: Option<PathBuf>,
        /// Comma-separated tags that make an upstream operation a backup operation
        /// [default: the six backup tags].
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// List every intended difference, not only the count per entry.
        #[arg(long)]
        verbose: bool,
    },
    /// Check recorded exchanges (HAR files) against spec/; exit 1 on any disagreement not
    /// listed under `observed:` in the intended differences, 2 when a file cannot be read.
    Observe {
        /// HTTP Archives (HAR 1.2), e.g. written by `HarRecorder` or `--har`. Relative paths
        /// start at the workspace root.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The spec to check against [default: spec/atlas-backup.yaml].
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The reviewed differences [default: spec/intended-differences.yaml].
        #[arg(long)]
        intended: Option<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value = "markdown")]
        format: crate::drift::Format,
    },
}

pub fn run(task: SpecTask, root: &Path) -> Result<ExitCode, String> {
    match task {
        SpecTask::Update(args) => crate::update::run(args, root),
        SpecTask::Slice { from, tags, out } => {
            let from = at_root(root, from);
            let out = at_root(root, out);
            let tags: Vec<String> = tags.into_iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
            if tags.is_empty() {
                return Err("--tags names no tag".to_owned());
            }
            let (source, doc) = atlas_codegen::load::load_value(&from).map_err(|e| e.to_string())?;
            let (value, sliced) = atlas_codegen::slice::slice(&source, &doc, &tags).map_err(|e| e.to_string())?;
            write(&out, &value)?;
            println!(
                "sliced {} operations and {} components for {} from {} into {}",
                sliced.operations,
                sliced.components,
                tags.join(", "),
                from.display(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        SpecTask::Check { upstream, spec, intended, tags, verbose } => {
            let upstream = at_root(root, upstream);
            let paths = crate::release::Paths::of(root);
            let spec = spec.map_or(paths.spec, |s| at_root(root, s));
            let intended = intended.map_or(paths.intended, |i| at_root(root, i));
            let tags: Vec<String> = if tags.is_empty() {
                check::BACKUP_TAGS.iter().map(|t| (*t).to_owned()).collect()
            } else {
                tags.into_iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
            };
            let load = |p: &Path| atlas_codegen::load::load(p).map_err(|e| e.to_string());
            let (spec_doc, upstream) = (load(&spec)?, load(&upstream)?);
            let entries = intended::load(&intended).map_err(|e| e.to_string())?;
            let report = check::check(&spec_doc, &upstream, entries, &tags).map_err(|e| e.to_string())?;
            print!("{}", report.render(&spec.display().to_string(), verbose));
            Ok(if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        SpecTask::Observe { files, spec, intended, format } => {
            let paths = crate::release::Paths::of(root);
            let spec = spec.map_or(paths.spec, |s| at_root(root, s));
            let intended = intended.map_or(paths.intended, |i| at_root(root, i));
            let files: Vec<PathBuf> = files.into_iter().map(|f| at_root(root, f)).collect();
            let observed = atlas_codegen::load::load(&spec)
                .and_then(|spec| Ok((spec, observe::known::load(&intended)?)))
                .and_then(|(spec, known)| observe::observe(&spec, &files, &known));
            let report = match observed {
                Ok(report) => report,
                // An unreadable archive, spec or list: exit 2, apart from findings (1).
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            match format {
                crate::drift::Format::Markdown => print!("{}", observe::report::markdown(&report)),
                crate::drift::Format::Json => print!("{}", observe::report::json(&report)),
            }
            Ok(if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}

/// Writes `value` as YAML or JSON (by the extension of `file`).
fn write(file: &Path, value: &serde_json::Value) -> Result<(), String> {
    let text = if file.extension().is_some_and(|e| e == "json") {
        serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(|e| e.to_string())
    } else {
        serde_yaml::to_string(value).map_err(|e| e.to_string())
    };
    let text = text.map_err(|e| format!("cannot serialize: {e}"))?;
    std::fs::write(file, text).map_err(|e| format!("{}: cannot write: {e}", file.display()))
}
