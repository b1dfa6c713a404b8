//! Snapshot tests of `atlas_codegen::drift`: one hand-made fixture pair per classification
//! rule (`tests/drift/<rule>/old.yaml`, `new.yaml`), and the published Atlas specs in
//! `../shared/upstream/`, compared version after version. Review changes with
//! `cargo insta review`.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

mod published;

use atlas_codegen::drift::{self, Report, Rule, Severity};
use atlas_codegen::load::{self, Loaded};

use Severity::{Breaking, Info, NonBreaking};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Loads with a relative path, so that the labels in the reports are the same everywhere.
fn load_rel(base: &Path, rel: &str) -> Loaded {
    let bytes = std::fs::read(base.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    load::parse(Path::new(rel), &bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn settings(dir: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("snapshots/drift/{dir}"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Each fixture directory: the rule it is about and the severity that rule must give there.
const FIXTURES: &[(&str, Rule, Severity)] = &[
    ("operation-added", Rule::OperationAdded, NonBreaking),
    ("operation-removed", Rule::OperationRemoved, Breaking),
    ("operation-deprecated", Rule::OperationDeprecated, Info),
    ("operation-sunset", Rule::OperationSunset, Info),
    ("operation-id-changed", Rule::OperationIdChanged, Breaking),
    ("tags-changed", Rule::TagsChanged, Info),
    ("roles-changed", Rule::RolesChanged, Info),
    ("method-changed", Rule::MethodChanged, Breaking),
    ("path-changed", Rule::PathChanged, Breaking),
    ("path-changed-parameter-name", Rule::PathChanged, Info),
    ("media-type-added", Rule::MediaTypeAdded, NonBreaking),
    ("media-type-removed", Rule::MediaTypeRemoved, Breaking),
    ("parameter-added", Rule::ParameterAdded, NonBreaking),
    ("parameter-added-required", Rule::ParameterAdded, Breaking),
    ("parameter-removed", Rule::ParameterRemoved, Breaking),
    ("parameter-required", Rule::ParameterRequired, Breaking),
    ("parameter-required-relaxed", Rule::ParameterRequired, NonBreaking),
    ("parameter-type", Rule::ParameterType, Breaking),
    ("parameter-pattern", Rule::ParameterPattern, Breaking),
    ("request-body-added", Rule::RequestBodyAdded, Breaking),
    ("request-body-removed", Rule::RequestBodyRemoved, Breaking),
    ("request-body-required", Rule::RequestBodyRequired, Breaking),
    ("response-added", Rule::ResponseAdded, Info),
    ("response-removed", Rule::ResponseRemoved, Breaking),
    ("schema-added", Rule::SchemaAdded, NonBreaking),
    ("schema-removed", Rule::SchemaRemoved, Breaking),
    ("schema-ref-changed", Rule::SchemaRefChanged, Breaking),
    ("field-added", Rule::FieldAdded, NonBreaking),
    ("field-added-required-request", Rule::FieldAdded, Breaking),
    ("field-removed", Rule::FieldRemoved, Breaking),
    ("field-required", Rule::FieldRequired, Breaking),
    ("field-nullable", Rule::FieldNullable, Breaking),
    ("type-changed", Rule::TypeChanged, Breaking),
    ("enum-changed", Rule::EnumChanged, Breaking),
    ("format-changed", Rule::FormatChanged, Breaking),
    ("format-changed-same-rust-type", Rule::FormatChanged, Info),
    ("pattern-changed", Rule::PatternChanged, Breaking),
    ("constraint-changed", Rule::ConstraintChanged, Breaking),
    ("enum-value-added", Rule::EnumValueAdded, NonBreaking),
    ("enum-value-removed", Rule::EnumValueRemoved, Breaking),
    ("read-only-changed", Rule::ReadOnlyChanged, Breaking),
    ("write-only-changed", Rule::WriteOnlyChanged, Breaking),
    ("additional-properties-changed", Rule::AdditionalPropertiesChanged, Breaking),
    ("variant-added", Rule::VariantAdded, NonBreaking),
    ("variant-removed", Rule::VariantRemoved, Breaking),
    ("discriminator-changed", Rule::DiscriminatorChanged, Breaking),
    ("polymorphism-changed", Rule::PolymorphismChanged, Breaking),
    ("deprecated", Rule::Deprecated, Info),
    ("description-changed", Rule::DescriptionChanged, Info),
    ("waiter-added", Rule::WaiterAdded, NonBreaking),
    ("waiter-removed", Rule::WaiterRemoved, Breaking),
    ("waiter-acceptors-changed", Rule::WaiterAcceptorsChanged, Breaking),
    ("waiter-state-added", Rule::WaiterStateAdded, Breaking),
];

fn fixture_report(dir: &str) -> Report {
    let base = manifest_dir();
    let old = load_rel(base, &format!("tests/drift/{dir}/old.yaml"));
    let new = load_rel(base, &format!("tests/drift/{dir}/new.yaml"));
    drift::diff(&old, &new, &drift::Options::default()).unwrap_or_else(|e| panic!("{dir}: {e}"))
}

#[test]
fn every_rule_has_a_fixture_and_every_fixture_a_row() {
    for rule in Rule::ALL {
        assert!(FIXTURES.iter().any(|(_, r, _)| *r == rule), "no fixture for rule {}", rule.name());
    }
    let mut dirs: Vec<String> = std::fs::read_dir(manifest_dir().join("tests/drift"))
        .expect("tests/drift")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(d, _, _)| (*d).to_owned()).collect();
    listed.sort();
    assert_eq!(dirs, listed, "tests/drift/ and FIXTURES disagree");
}

#[test]
fn fixtures_are_classified_as_expected() {
    let settings = settings("fixtures");
    let mut failures = Vec::new();
    for (dir, rule, severity) in FIXTURES {
        let report = fixture_report(dir);
        let hit = report.changes.iter().any(|c| c.rule == *rule && c.severity == *severity);
        if !hit {
            failures.push(format!("{dir}: no {} change classified {severity:?}:\n{}", rule.name(), drift::report::markdown(&report)));
        }
        // The worst severity of the fixture is the one expected from its rule (fixtures
        // change one thing; a few changes come with companions of lower severity).
        let worst = report.changes.iter().map(|c| c.severity).min();
        if worst != Some(*severity) && !(*severity != Breaking && worst == Some(Breaking) && COMPANION_BREAKS.contains(dir)) {
            failures.push(format!("{dir}: worst severity {worst:?}, expected {severity:?}:\n{}", drift::report::markdown(&report)));
        }
        settings.bind(|| insta::assert_snapshot!(*dir, drift::report::markdown(&report)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Fixtures whose change necessarily comes with a breaking companion: renaming a path
/// parameter also renames the parameter (and its builder method).
const COMPANION_BREAKS: &[&str] = &["path-changed-parameter-name"];

#[test]
fn flattening_a_one_of_does_not_report_its_fields() {
    let report = fixture_report("polymorphism-changed");
    let rules: Vec<Rule> = report.changes.iter().map(|c| c.rule).collect();
    assert_eq!(rules, vec![Rule::PolymorphismChanged], "{}", drift::report::markdown(&report));
    assert!(report.changes[0].message.contains("Circle, Square"), "{}", report.changes[0].message);
}

#[test]
fn a_spec_against_itself_has_no_drift() {
    let base = manifest_dir();
    let spec = load_rel(base, "tests/drift/field-removed/old.yaml");
    let report = drift::diff(&spec, &spec, &drift::Options::default()).expect("diff");
    assert!(report.is_empty(), "{}", drift::report::markdown(&report));
    let project = load_rel(&base.join(".."), "spec/atlas-backup.yaml");
    let report = drift::diff(&project, &project, &drift::Options::default()).expect("diff");
    assert!(report.is_empty(), "{}", drift::report::markdown(&report));
    assert!(report.summary.operations_new > 0);
}

fn per_operation(dir: &str) -> Report {
    let base = manifest_dir();
    let old = load_rel(base, &format!("tests/drift/{dir}/old.yaml"));
    let new = load_rel(base, &format!("tests/drift/{dir}/new.yaml"));
    drift::diff(&old, &new, &drift::Options { per_operation: true, ..Default::default() }).unwrap_or_else(|e| panic!("{dir}: {e}"))
}

/// Per operation, a change to a shared schema is reported on every operation that sends or
/// receives it, at its place, and no schema is reported on its own.
#[test]
fn per_operation_reports_schema_changes_where_each_operation_meets_them() {
    let report = per_operation("field-removed");
    let mut places: Vec<(String, String)> = report
        .changes
        .iter()
        .map(|c| match &c.subject {
            drift::Subject::Operation { id, .. } => (id.clone(), c.location()),
            drift::Subject::Schema { name } => panic!("schema {name} reported on its own: {}", drift::report::markdown(&report)),
        })
        .collect();
    places.sort();
    assert_eq!(
        places,
        [("createThing".to_owned(), "response 201: size".to_owned()), ("listThings".to_owned(), "response 200: size".to_owned())],
        "{}",
        drift::report::markdown(&report)
    );
    assert!(report.changes.iter().all(|c| c.rule == Rule::FieldRemoved));
    // Parameters are placed too.
    let report = per_operation("parameter-added");
    assert!(report.changes.iter().any(|c| c.location().starts_with("parameter ") && c.rule == Rule::ParameterAdded), "{report:?}");
}

/// Per operation, the SDK-flattened form of a `oneOf` equals the union of its variants: only
/// the change of form is reported, not the fields.
#[test]
fn per_operation_flattened_one_of_equals_the_union_of_its_variants() {
    let report = per_operation("polymorphism-changed");
    let rules: BTreeSet<Rule> = report.changes.iter().map(|c| c.rule).collect();
    assert_eq!(rules, BTreeSet::from([Rule::PolymorphismChanged]), "{}", drift::report::markdown(&report));
    // Renaming a schema changes nothing on the wire.
    let report = per_operation("schema-ref-changed");
    assert!(report.changes.iter().all(|c| c.rule != Rule::SchemaRefChanged), "{}", drift::report::markdown(&report));
}

/// A state added to a watched enum is breaking only while no acceptor names it.
#[test]
fn a_waiter_state_named_by_an_acceptor_is_not_flagged() {
    let report = fixture_report("waiter-state-added");
    let flagged: Vec<&str> = report.changes.iter().filter(|c| c.rule == Rule::WaiterStateAdded).map(|c| c.message.as_str()).collect();
    assert_eq!(flagged.len(), 1, "{}", drift::report::markdown(&report));
    assert!(flagged[0].contains("`CANCELLED`") && flagged[0].contains("`jobDone`") && flagged[0].contains("`status`"), "{}", flagged[0]);
    let base = manifest_dir();
    let old = load_rel(base, "tests/drift/waiter-state-added/old.yaml");
    let text = std::fs::read_to_string(base.join("tests/drift/waiter-state-added/new.yaml"))
        .expect("read")
        .replace("equals: [FAILED]", "equals: [FAILED, CANCELLED]");
    let new = load::parse(Path::new("classified.yaml"), text.as_bytes()).expect("parses");
    let report = drift::diff(&old, &new, &drift::Options::default()).expect("diff");
    assert!(report.changes.iter().all(|c| c.rule != Rule::WaiterStateAdded), "{}", drift::report::markdown(&report));
}

#[test]
fn json_is_stable_and_sorted() {
    let report = fixture_report("variant-added");
    let a = drift::report::json(&report);
    let b = drift::report::json(&fixture_report("variant-added"));
    assert_eq!(a, b);
    let value: serde_json::Value = serde_json::from_str(&a).expect("valid JSON");
    assert_eq!(value["summary"]["non_breaking"], serde_json::json!(report.summary.non_breaking));
    let mut sorted = report.changes.clone();
    sorted.sort();
    assert_eq!(sorted, report.changes);
    settings("fixtures").bind(|| insta::assert_snapshot!("variant-added.json", a));
}

#[test]
fn tags_restrict_the_comparison() {
    let base = manifest_dir();
    let old = load_rel(base, "tests/drift/operation-added/old.yaml");
    let new = load_rel(base, "tests/drift/operation-added/new.yaml");
    let other = drift::Options { tags: vec!["Other".to_owned()], ..Default::default() };
    let report = drift::diff(&old, &new, &other).expect("diff");
    assert!(report.is_empty(), "{}", drift::report::markdown(&report));
    let things = drift::Options { tags: vec!["Things".to_owned()], ..Default::default() };
    assert_eq!(drift::diff(&old, &new, &things).expect("diff").summary.non_breaking, 1);
}

#[test]
fn bad_input_is_an_error_with_file_and_pointer() {
    let base = manifest_dir();
    let old = load_rel(base, "tests/drift/field-removed/old.yaml");
    let text = std::fs::read_to_string(base.join("tests/drift/field-removed/new.yaml"))
        .expect("read")
        .replace("#/components/schemas/Shape", "#/components/schemas/Nope");
    let new = load::parse(Path::new("broken.yaml"), text.as_bytes()).expect("parses");
    let err = drift::diff(&old, &new, &drift::Options::default()).expect_err("dangling $ref").to_string();
    assert!(err.starts_with("broken.yaml"), "{err}");
    assert!(err.contains("#/components/schemas/Thing") && err.contains("Nope"), "{err}");
}

// ---- the published specs ------------------------------------------------------------------

const VERSIONS: [&str; 4] = ["2024-08-27", "2024-12-10", "2025-06-30", "2026-08-13"];
const BACKUP_TAGS: [&str; 6] =
    ["Cloud Backups", "Shared-Tier Snapshots", "Shared-Tier Restore Jobs", "Flex Snapshots", "Flex Restore Jobs", "Legacy Backup"];

/// The published specs, loaded once per test binary; `None` (with a loud SKIP) when they
/// are absent outside CI. In CI (env `CI` set) their absence fails.
fn upstream() -> Option<&'static Vec<Loaded>> {
    static SPECS: OnceLock<Option<Vec<Loaded>>> = OnceLock::new();
    SPECS
        .get_or_init(|| {
            let dir = published::dir();
            if !dir.join(format!("atlas-api-{}.yaml", VERSIONS[0])).is_file() {
                published::missing("the upstream drift tests", &format!("the published specs are not in {}", dir.display()));
                return None;
            }
            Some(VERSIONS.iter().map(|v| load_rel(&manifest_dir().join(".."), &format!("../shared/upstream/atlas-api-{v}.yaml"))).collect())
        })
        .as_ref()
}

#[test]
fn upstream_backup_tags_version_by_version() {
    let Some(specs) = upstream() else { return };
    let options = drift::Options { tags: BACKUP_TAGS.iter().map(|t| (*t).to_owned()).collect(), ..Default::default() };
    let settings = settings("upstream");
    for pair in specs.windows(2) {
        let report = drift::diff(&pair[0], &pair[1], &options).expect("diff");
        let name = format!("backup-{}-to-{}", version_of(&pair[0]), version_of(&pair[1]));
        settings.bind(|| insta::assert_snapshot!(name, drift::report::markdown(&report)));
    }
}

/// Whole-API reports run to thousands of lines (2025-06-30 → 2026-08-13 has about 2,000
/// breaking changes alone, 570 kB of Markdown): the snapshots keep the header, the counts
/// per severity and per rule, and the list of operations removed or moved (the other
/// changes are counted, not listed). The backup-tag reports above are snapshotted in full.
#[test]
fn upstream_whole_api_version_by_version() {
    let Some(specs) = upstream() else { return };
    let settings = settings("upstream");
    for pair in specs.windows(2) {
        let report = drift::diff(&pair[0], &pair[1], &drift::Options::default()).expect("diff");
        let name = format!("whole-{}-to-{}", version_of(&pair[0]), version_of(&pair[1]));
        let mut text = drift::report::markdown_sections(&report, &[]);
        text.push_str("\n### Operations removed or moved\n\n");
        for c in report.changes.iter().filter(|c| matches!(c.rule, Rule::OperationRemoved | Rule::MethodChanged | Rule::PathChanged)) {
            text.push_str(&drift::report::line(c));
            text.push('\n');
        }
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}

#[test]
fn upstream_shared_tier_removal_is_breaking() {
    let Some(specs) = upstream() else { return };
    let report = drift::diff(&specs[2], &specs[3], &drift::Options::default()).expect("diff");
    let removed: Vec<_> = report
        .changes
        .iter()
        .filter(|c| c.rule == Rule::OperationRemoved)
        .filter(|c| matches!(&c.subject, drift::Subject::Operation { path, .. } if path.contains("/backup/tenant/")))
        .collect();
    assert!(removed.len() >= 4, "{removed:?}");
    assert!(removed.iter().all(|c| c.severity == Breaking));
    // The flattened oneOfs are one change each, not a removal of every variant field.
    let snapshot_fields_removed = report
        .changes
        .iter()
        .any(|c| c.rule == Rule::FieldRemoved && matches!(&c.subject, drift::Subject::Schema { name } if name == "DiskBackupSnapshot"));
    assert!(!snapshot_fields_removed);
}

#[test]
fn upstream_spec_against_itself_is_empty() {
    let Some(specs) = upstream() else { return };
    for spec in specs {
        let report = drift::diff(spec, spec, &drift::Options::default()).expect("diff");
        assert!(report.is_empty(), "{}: {} changes", report.from, report.changes.len());
    }
}

fn version_of(l: &Loaded) -> String {
    let name = l.source.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    name.trim_start_matches("atlas-api-").to_owned()
}
