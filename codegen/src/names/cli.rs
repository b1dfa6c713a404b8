//! Every command and flag name of the generated command line, decided once.
//!
//! `atlas api`'s form is the primary name: the tag in lowerCamelCase, the operation's
//! short published name (`x-xgen-operation-id-override`, else its operationId) and the
//! parameter names as the spec spells them. Every other published name of the operation
//! (its long operationId, names earlier releases used, the Rust name) is an alias, as is
//! the kebab-case spelling of each (`cloud-backups get-cluster-backup-snapshot --group-id
//! G`), and `--groupId` also answers to `--projectId`, Atlas's other name for the same ID.

use std::collections::BTreeMap;

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase};

use crate::ir::Operation;

/// Commands of the root that no tag may take.
pub const RESERVED: &[&str] = &["wait", "completions", "help"];

/// Whether `name` is a flag of the command line itself (read from its runtime's
/// `flags.rs`, as `contract` reads the library's names).
pub fn is_built_in(name: &str) -> bool {
    super::contract::contract().cli_flags.contains(name)
}

/// The flag of a parameter: its name, unless the command line has a flag of that name, in
/// which case `Param` is appended (`--file` → `--fileParam`), with a generation warning
/// ([`super::assign`]).
pub fn flag(param: &str) -> String {
    if is_built_in(param) { format!("{param}Param") } else { param.to_owned() }
}

/// The command an operation wants: its short published name (the command of `atlas api`),
/// else its published operationId, else its Rust name.
pub fn wanted_command(op: &Operation) -> &str {
    let published = &op.published;
    match published.short.as_deref() {
        Some(short) if !short.is_empty() => short,
        _ if !published.operation_id.is_empty() => &published.operation_id,
        _ => &op.operation_id,
    }
}

/// Every other name the operation's command wants to answer to, in order: its other
/// published names and Rust name ([`Operation::aliases`] and the Rust name), then the
/// kebab-case spelling of each name (the command's first).
pub fn wanted_aliases(op: &Operation) -> Vec<String> {
    let command = wanted_command(op);
    let mut names: Vec<&str> = vec![command];
    for name in std::iter::once(op.operation_id.as_str()).chain(op.aliases()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let kebabs: Vec<String> = names.iter().map(|n| kebab(n)).collect();
    let mut out: Vec<String> = Vec::new();
    for name in names.iter().skip(1).map(|n| (*n).to_owned()).chain(kebabs) {
        if name != command && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Fills each operation's command and aliases. Commands are claimed first (in the spec's
/// order), then aliases: a command another operation of the tag already has is renamed
/// (`name2`), an alias another command holds is left out, each with a warning.
pub(super) fn assign_commands(operations: &mut [Operation], renames: &mut super::Renames) {
    // Per tag, every name taken, and by which operation.
    let mut taken: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for op in operations.iter_mut() {
        let names = taken.entry(tag_command(&op.tag)).or_default();
        let wanted = wanted_command(op).to_owned();
        let mut got = wanted.clone();
        let mut n = 2;
        while RESERVED_COMMANDS.contains(&got.as_str()) || names.contains_key(&got) {
            got = format!("{wanted}{n}");
            n += 1;
        }
        let holder = match names.get(&wanted) {
            Some(other) => format!("the command of operation `{other}`"),
            None => "a command of the command line itself".to_owned(),
        };
        renames.note(&op.pointer, &format!("command of operation `{}`", op.operation_id), &wanted, &got, &holder);
        names.insert(got.clone(), op.operation_id.clone());
        op.command = got;
    }
    for op in operations.iter_mut() {
        let names = taken.entry(tag_command(&op.tag)).or_default();
        let mut aliases = Vec::new();
        let mut candidates = wanted_aliases(op);
        // A renamed command's own kebab spelling (`list-things2`).
        let own = kebab(&op.command);
        if !candidates.contains(&own) {
            candidates.push(own);
        }
        for alias in candidates {
            match names.get(&alias) {
                Some(holder) if holder != &op.operation_id => renames.warnings.push(crate::error::Warning {
                    kind: "renamed",
                    pointer: op.pointer.clone(),
                    message: format!("command alias `{alias}` of operation `{}`: taken by operation `{holder}`; left out", op.operation_id),
                }),
                Some(_) => {}
                None if alias != op.command => {
                    names.insert(alias.clone(), op.operation_id.clone());
                    aliases.push(alias);
                }
                None => {}
            }
        }
        op.command_aliases = aliases;
    }
}

/// Subcommand names clap keeps under every tag.
const RESERVED_COMMANDS: &[&str] = &["help"];

/// The command of a tag (`Cloud Backups` → `cloudBackups`), as the Atlas CLI names it; a
/// tag that would shadow a built-in command gets `Api` appended.
pub fn tag_command(tag: &str) -> String {
    let name = tag.to_lower_camel_case();
    if RESERVED.contains(&name.as_str()) { format!("{name}Api") } else { name }
}

/// The kebab-case alias of a command or flag name (`getGroupClusterBackupSnapshot` →
/// `get-group-cluster-backup-snapshot`).
pub fn kebab(name: &str) -> String {
    name.to_kebab_case()
}

/// The other spellings of a parameter's flag, without the name itself, in a stable order.
pub fn flag_aliases(param: &str) -> Vec<String> {
    let mut aliases = Vec::new();
    let mut add = |a: String| {
        if a != param && !aliases.contains(&a) && !is_built_in(&a) {
            aliases.push(a);
        }
    };
    add(kebab(param));
    if param == "groupId" {
        add("projectId".to_owned());
        add("project-id".to_owned());
    }
    aliases
}

/// The `static` of `commands.rs` defining a parameter's flag (`groupId` → `PARAM_GROUP_ID`);
/// the `n`th differing definition of one name gets `_n` (`PARAM_STATUS_2`). The prefix
/// keeps it apart from the tables (`OPERATIONS`) and body shapes (`SHAPE_0`).
pub fn param_static(param: &str, n: usize) -> String {
    let base = format!("PARAM_{}", param.to_shouty_snake_case());
    if n > 1 { format!("{base}_{n}") } else { base }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for (tag, command, alias) in [
            ("Cloud Backups", "cloudBackups", "cloud-backups"),
            ("Shared-Tier Restore Jobs", "sharedTierRestoreJobs", "shared-tier-restore-jobs"),
            ("Flex Snapshots", "flexSnapshots", "flex-snapshots"),
            ("Legacy Backup", "legacyBackup", "legacy-backup"),
            ("Wait", "waitApi", "wait-api"),
        ] {
            assert_eq!(tag_command(tag), command, "{tag}");
            assert_eq!(kebab(&tag_command(tag)), alias, "{tag}");
        }
    }

    #[test]
    fn operations() {
        for (id, alias) in [
            ("getGroupClusterBackupSnapshot", "get-group-cluster-backup-snapshot"),
            ("takeSnapshots", "take-snapshots"),
            ("createBackupRestoreJob", "create-backup-restore-job"),
            ("snapshotCompleted", "snapshot-completed"),
        ] {
            assert_eq!(kebab(id), alias, "{id}");
        }
    }

    #[test]
    fn param_statics() {
        for (param, n, name) in [
            ("groupId", 1, "PARAM_GROUP_ID"),
            ("itemsPerPage", 1, "PARAM_ITEMS_PER_PAGE"),
            ("status", 2, "PARAM_STATUS_2"),
            ("x-request-id", 1, "PARAM_X_REQUEST_ID"),
        ] {
            assert_eq!(param_static(param, n), name, "{param}");
        }
    }

    #[test]
    fn a_parameter_named_like_a_built_in_flag_gets_another_flag() {
        for (param, flag) in [("file", "fileParam"), ("version", "versionParam"), ("output", "outputParam"), ("groupId", "groupId")] {
            assert_eq!(super::flag(param), flag, "{param}");
        }
    }

    #[test]
    fn flags() {
        for (param, aliases) in [
            ("groupId", &["group-id", "projectId", "project-id"][..]),
            ("clusterName", &["cluster-name"][..]),
            ("pretty", &[][..]),
            ("itemsPerPage", &["items-per-page"][..]),
            // A kebab spelling that is a built-in flag is left out.
            ("dryRun", &[][..]),
        ] {
            assert_eq!(flag_aliases(param), aliases, "{param}");
        }
    }
}
