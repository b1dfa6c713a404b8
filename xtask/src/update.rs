//! `cargo xtask spec update --from FILE`: a new upstream spec taken into `spec/` in one
//! reviewed step, all or nothing.
//!
//! 1. `spec check`'s comparison of FILE with `spec/` ([`check::check`]): every difference
//!    that `spec/intended-differences.yaml` lists is ours and stays;
//! 2. upstream's side of every other difference is written into the spec
//!    ([`atlas_codegen::drift::take`]); our descriptions stay, new items bring upstream's;
//! 3. the overlay is applied to the new spec (a stale action fails here), the check is run
//!    again and must be clean (no difference left, no intended difference stale);
//! 4. the crates are generated from the new spec (an unclassified waiter state fails here);
//! 5. the drift old → new gives the next version and the changelog entry ([`release`]).
//!
//! Only then is anything written: `generated/` (its changelog included) and the spec.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use atlas_codegen::drift::{self, check, intended, take};
use clap::Args;

use crate::release::{self, Bump, Paths, Version, at_root};

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The new upstream document: v2.yaml as MongoDB publishes it, e.g.
    /// ../shared/upstream-v2/atlas-api-v2-2026-08-12.yaml. Relative paths start at the
    /// workspace root.
    #[arg(long)]
    pub from: PathBuf,
    /// Comma-separated tags that make an operation of FILE a backup operation
    /// [default: the six backup tags, and every tag of spec/'s operations].
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// The date of the changelog entry, YYYY-MM-DD [default: today, UTC].
    #[arg(long)]
    pub date: Option<String>,
}

pub fn run(args: UpdateArgs, root: &Path) -> Result<ExitCode, String> {
    let paths = Paths::of(root);
    let intended_file = paths.intended.clone();
    let from = at_root(root, args.from);
    let tags: Vec<String> = if args.tags.is_empty() {
        check::BACKUP_TAGS.iter().map(|t| (*t).to_owned()).collect()
    } else {
        args.tags.into_iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
    };
    let date = release::date(args.date)?;
    let refuse = |what: String| format!("{what}\nspec update: nothing written");

    // What is there now.
    let err = |e: atlas_codegen::Error| e.to_string();
    let old = atlas_codegen::load::load(&paths.spec).map_err(err)?;
    let (spec_source, spec_value) = atlas_codegen::load::load_value(&paths.spec).map_err(err)?;
    let upstream = atlas_codegen::load::load(&from).map_err(err)?;
    let (up_source, up_value) = atlas_codegen::load::load_value(&from).map_err(err)?;
    let entries = intended::load(&intended_file).map_err(err)?;
    let overlay = release::overlay_of(&paths.spec)?;

    // 1–2: upstream's new facts into the spec.
    let report = check::check(&old, &upstream, entries.clone(), &tags).map_err(|e| refuse(e.to_string()))?;
    // Operations FILE no longer has: named when the overlay still needs one of them.
    let dropped: Vec<String> = report
        .unexpected()
        .into_iter()
        .filter(|d| d.change.rule == drift::Rule::OperationAdded)
        .map(|d| d.change.subject.display())
        .collect();
    let taken =
        take::take(take::Side { source: &spec_source, value: &spec_value }, take::Side { source: &up_source, value: &up_value }, &report)
            .map_err(|e| refuse(e.to_string()))?;
    let changed = taken.value != spec_value;
    let new_value = taken.value.clone();

    // 3: the overlay and the check on the new spec.
    let text_of = |value: &serde_json::Value| -> Result<String, String> {
        serde_yaml::to_string(value).map_err(|e| format!("cannot write the spec as YAML: {e}"))
    };
    let new_text = if changed { text_of(&new_value)? } else { spec_source.text.clone() };
    let new = atlas_codegen::load::parse_with(&paths.spec, new_text.as_bytes(), overlay.as_ref()).map_err(|e| {
        let dropped = if dropped.is_empty() { String::new() } else { format!("\n{} no longer has: {}", from.display(), dropped.join(", ")) };
        refuse(format!(
            "the updated spec does not load with its overlay: {e}{dropped}\nan overlay action whose target upstream dropped: edit {}, or keep the operation with an intended difference (kind: operation-added, operations: [its x-rust-name], reason: why and since when) in {}",
            paths.overlay.display(),
            paths.intended.display()
        ))
    })?;
    let after = check::check(&new, &upstream, entries, &tags).map_err(err)?;
    if !after.is_clean() {
        return Err(refuse(format!(
            "after taking upstream's facts, spec check is not clean:\n{}the differences left could not be taken automatically: edit spec/ by hand; stale intended differences: remove or correct them in {}",
            after.render(&paths.spec.display().to_string(), false),
            intended_file.display()
        )));
    }

    // 4–5: the drift, the version, the generated crates and the changelog.
    // The drift decides the version; then one pipeline with `release`: generated once, one
    // digest, one entry, the lock with the version.
    let drift = drift::diff(&old, &new, &drift::Options::default()).map_err(err)?;
    let version = release::spec_version(&spec_value, &paths.spec)?.unwrap_or(Version::INITIAL);
    let bump = match release::bump_for(&drift) {
        // A fact taken that no drift rule reports still changes spec/: a patch.
        Bump::None if changed => Bump::Patch,
        b => b,
    };
    let next = version.next(bump);
    let prepared = if bump == Bump::None {
        None
    } else {
        let source = format!(
            "Spec updated from `{}`.",
            from.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| from.display().to_string())
        );
        Some(release::prepare(root, &paths, &new_text, next, &date, &drift, (&old, &new), &source).map_err(refuse)?)
    };

    // The report, then the writes.
    print!("{}", drift::report::markdown(&drift));
    for t in &taken.taken {
        println!("taken from upstream: {t}");
    }
    for r in &taken.review {
        println!("review: {r}");
    }
    let outcome = match prepared {
        Some(prepared) => prepared.write(&paths)?,
        None => atlas_codegen::write::Outcome::default(),
    };
    let summary = if bump == Bump::None { format!("version stays {version}") } else { format!("version {version} → {next} ({date})") };
    eprintln!(
        "spec update: {} fact(s) taken from {}, {} breaking / {} non-breaking / {} info; {summary}; generated/: {} changed, {} removed",
        taken.taken.len(),
        from.display(),
        drift.summary.breaking,
        drift.summary.non_breaking,
        drift.summary.info,
        outcome.changed.len(),
        outcome.removed.len()
    );
    Ok(ExitCode::SUCCESS)
}
