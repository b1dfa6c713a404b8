//! The command line's own flags, each declared once here: the clap arguments are made from
//! these, `app` reads them by these, and the generator reads their names from this file (a
//! parameter of the spec that would take one is renamed, with a warning).

use clap::{Arg, ArgAction, value_parser};

/// What a built-in flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// `--flag`, `--flag=true`, `--flag=false` (and `--flag false` after the operation).
    Switch,
    /// `--flag VALUE` or `--flag=VALUE`.
    Value(&'static str),
}

/// A flag of the command line itself.
#[derive(Debug)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    /// Other names of the flag.
    pub aliases: &'static [&'static str],
    pub takes: Takes,
    pub help: &'static str,
}

impl Flag {
    /// The clap argument; `global` flags are given before or after the command words, so a
    /// switch among them takes a value only after `=` (else `--debug cloudBackups` would
    /// read `cloudBackups` as its value).
    pub fn arg(&'static self, global: bool) -> Arg {
        let mut arg = Arg::new(self.long).long(self.long).help(self.help).global(global);
        if let Some(short) = self.short {
            arg = arg.short(short);
        }
        for alias in self.aliases {
            arg = arg.visible_alias(*alias);
        }
        match self.takes {
            Takes::Switch => arg
                .action(ArgAction::Set)
                .value_parser(value_parser!(bool))
                .num_args(0..=1)
                .require_equals(global)
                .default_missing_value("true")
                .value_name("true|false"),
            Takes::Value(name) => arg.value_name(name),
        }
    }
}

const fn switch(long: &'static str, help: &'static str) -> Flag {
    Flag { long, short: None, aliases: &[], takes: Takes::Switch, help }
}

const fn value(long: &'static str, name: &'static str, help: &'static str) -> Flag {
    Flag { long, short: None, aliases: &[], takes: Takes::Value(name), help }
}

pub const OUTPUT: Flag = Flag {
    long: "output",
    short: Some('o'),
    aliases: &[],
    takes: Takes::Value("FORMAT"),
    help: "Output format of the answer: json (Atlas's body as sent, indented), yaml, ndjson",
};
pub const OUTPUT_FILE: Flag = value("outputFile", "PATH", "Write the answer to PATH instead of stdout");
pub const PROFILE: Flag = Flag {
    long: "profile",
    short: Some('P'),
    aliases: &[],
    takes: Takes::Value("NAME"),
    help: "Profile of the Atlas CLI's config.toml: credentials and default project (default: `default`, when it exists)",
};
pub const BASE_URL: Flag =
    value("base-url", "URL", "Base URL of the API (else MONGODB_ATLAS_BASE_URL, else the profile's, else https://cloud.mongodb.com)");
pub const DRY_RUN: Flag = switch("dry-run", "Print the request (method, URL, headers, body) and send nothing");
pub const CURL: Flag = switch("curl", "Print the request as a curl command and send nothing");
pub const DEBUG: Flag = switch("debug", "Trace each request and answer on stderr (never credentials)");
pub const QUIET: Flag = switch("quiet", "No progress output while waiting");
pub const HAR: Flag = value(
    "har",
    "FILE",
    "Record every request and answer (retries, pages, polls) in FILE as an HTTP Archive (HAR 1.2), never credentials: for `cargo xtask spec observe`",
);

pub const VERSION: Flag = Flag {
    long: "version",
    short: None,
    aliases: &["api-version"],
    takes: Takes::Value("DATE"),
    help: "API version to call (default the newest)",
};
pub const FILE: Flag =
    value("file", "PATH", "The request body, JSON or YAML (`-`: stdin; without --file, piped stdin); unknown fields are refused");
pub const TEMPLATE: Flag = switch("template", "Print a body skeleton for --file and exit");
pub const ALL: Flag = switch("all", "Every item of every page, in order");
pub const CONCURRENCY: Flag = value("concurrency", "N", "Pages fetched at once with --all (default 1)");
pub const WAIT: Flag = switch("wait", "Wait until the job it starts ends; print the final answer");
pub const WAIT_TIMEOUT: Flag = value("wait-timeout", "DURATION", "Longest wait (30m, 1h); default 1h");
pub const MIN_DELAY: Flag = value("min-delay", "DURATION", "Wait before the second poll (1s, 500ms); default the waiter's");
pub const MAX_DELAY: Flag = value("max-delay", "DURATION", "Longest wait between polls; default the waiter's");

/// Flags of every command.
pub const GLOBAL: &[&Flag] = &[&OUTPUT, &OUTPUT_FILE, &PROFILE, &BASE_URL, &DRY_RUN, &CURL, &DEBUG, &QUIET, &HAR];

/// Flags some operations have, and names clap keeps for itself.
pub const OPERATION: &[&Flag] = &[&VERSION, &FILE, &TEMPLATE, &ALL, &CONCURRENCY, &WAIT, &WAIT_TIMEOUT, &MIN_DELAY, &MAX_DELAY, &HELP];

/// clap's own `--help`.
pub const HELP: Flag = switch("help", "Print help");

/// The value of switch `flag` in `m` (false when absent or not a flag of the command).
pub fn on(m: &clap::ArgMatches, flag: &Flag) -> bool {
    m.try_get_one::<bool>(flag.long).ok().flatten().copied().unwrap_or(false)
}

/// The value of `flag` in `m`, as text.
pub fn text<'a>(m: &'a clap::ArgMatches, flag: &Flag) -> Option<&'a str> {
    m.try_get_one::<String>(flag.long).ok().flatten().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(flag: &'static Flag, global: bool, args: &[&str]) -> Result<bool, clap::Error> {
        let cmd = clap::Command::new("t").arg(flag.arg(global)).arg(Arg::new("word").required(false));
        let m = cmd.try_get_matches_from(std::iter::once("t").chain(args.iter().copied()))?;
        Ok(on(&m, flag))
    }

    #[test]
    fn a_switch_means_what_it_says() -> Result<(), clap::Error> {
        assert!(parse(&ALL, false, &["--all"])?);
        assert!(!parse(&ALL, false, &["--all=false"])?);
        assert!(!parse(&ALL, false, &["--all", "false"])?);
        assert!(parse(&ALL, false, &["--all", "true"])?);
        assert!(!parse(&ALL, false, &[])?);
        // Before the command words, a global switch leaves the next word alone.
        assert!(parse(&DEBUG, true, &["--debug", "cloudBackups"])?);
        assert!(!parse(&DEBUG, true, &["--debug=false", "cloudBackups"])?);
        Ok(())
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> =
            GLOBAL.iter().chain(OPERATION).flat_map(|f| std::iter::once(f.long).chain(f.aliases.iter().copied())).collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all);
    }
}
