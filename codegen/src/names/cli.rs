//! Every command and flag name of the generated command line, decided once.
//!
//! The seed pages' form (`atlas api cloudBackups getGroupClusterBackupSnapshot --groupId
//! G`) is the primary name: the tag in lowerCamelCase and the operationId and parameter
//! names as the spec spells them. Each has a kebab-case alias (`cloud-backups
//! get-group-cluster-backup-snapshot --group-id G`), and `--groupId` also answers to
//! `--projectId`, Atlas's other name for the same ID.

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase};

/// Commands of the root that no tag may take.
pub const RESERVED: &[&str] = &["wait", "completions", "help"];

/// Whether `name` is a flag of the command line itself (read from its runtime's
/// `flags.rs`, as `contract` reads the library's names).
pub fn is_built_in(name: &str) -> bool {
    crate::runtime::cli_flags().contains(name)
}

/// The flag of a parameter: its name, unless the command line has a flag of that name, in
/// which case `Param` is appended (`--file` → `--fileParam`), with a generation warning
/// ([`super::assign`]).
pub fn flag(param: &str) -> String {
    if is_built_in(param) { format!("{param}Param") } else { param.to_owned() }
}

/// The other names of an operation's command: the kebab-case spelling.
pub fn command_aliases(operation_id: &str) -> Vec<String> {
    let kebab = kebab(operation_id);
    if kebab == operation_id { Vec::new() } else { vec![kebab] }
}

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
