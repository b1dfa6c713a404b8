//! The command tree and what each command does. Only the command asked for is built with
//! its flags (the others are a name and a line of help), so `--help` of one operation does
//! not pay for all of them; `completions` builds the whole tree.

use std::sync::Arc;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use futures::StreamExt;
use serde_json::{Map, Value};

use crate::call::{Delays, Input};
use crate::config::{self, Profile};
use crate::exit::{self, EXIT_CODES, Failure};
use crate::flags::{self, Flag, Takes};
use crate::output::{self, Format, Out};
use crate::spec::{Kind, Operation, Param, Source, Version, Waiter};
use crate::wait::{self, Progress};

/// The generated tables.
pub struct Tables {
    pub about: &'static str,
    pub operations: &'static [Operation],
    pub waiters: &'static [Waiter],
}

/// Runs the command line `args` (the program name first); answers the exit code.
pub fn run(tables: &Tables, args: Vec<std::ffi::OsString>) -> i32 {
    match run_inner(tables, args) {
        Ok(()) => 0,
        Err(f) => {
            if !f.message.is_empty() {
                output::note(format_args!("error: {}", f.message));
            }
            f.code
        }
    }
}

/// The first two words that are not flags (the tag and the operation, or `wait` and the
/// waiter), and the value of `--profile`.
pub fn scan(args: &[std::ffi::OsString]) -> (Vec<String>, Option<String>) {
    let takes_value = |arg: &str| {
        flags::GLOBAL.iter().any(|f| {
            matches!(f.takes, Takes::Value(_))
                && (arg.strip_prefix("--") == Some(f.long)
                    || f.short.is_some_and(|s| arg.strip_prefix('-') == Some(s.encode_utf8(&mut [0; 4]))))
        })
    };
    let is_profile = |arg: &str| arg == "--profile" || arg == "-P";
    let mut words = Vec::new();
    let mut profile = None;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = iter.next() {
        if let Some(value) = arg.strip_prefix("--profile=").or_else(|| arg.strip_prefix("-P=")) {
            profile = Some(value.to_owned());
        } else if takes_value(&arg) {
            let value = iter.next();
            if is_profile(&arg) {
                profile = value;
            }
        } else if !arg.starts_with('-') && words.len() < 2 {
            words.push(arg);
        }
    }
    (words, profile)
}

fn run_inner(tables: &Tables, args: Vec<std::ffi::OsString>) -> Result<(), Failure> {
    let (words, profile_name) = scan(&args);
    let profile = match profile_name.as_deref() {
        Some(name) => Some(Profile::load(name)?),
        None => Profile::implicit()?,
    };
    let project = config::default_project(profile.as_ref());
    let wanted = |a: &str, b: &str| words.first().is_some_and(|w| w == a || w == b);
    let full = words.first().is_some_and(|w| w == "completions");
    let mut root = root(tables);
    let mut tags: Vec<(&str, &str)> = tables.operations.iter().map(|o| (o.tag, o.tag_kebab)).collect();
    tags.dedup();
    for (tag, kebab) in tags {
        let mut cmd = named(tag, &[kebab]).subcommand_required(true).arg_required_else_help(true);
        for op in tables.operations.iter().filter(|o| o.tag == tag) {
            let asked = full || (wanted(tag, kebab) && words.get(1).is_some_and(|w| w == op.id || op.aliases.contains(&w.as_str())));
            cmd = cmd.subcommand(if asked { operation(op, project.as_deref()) } else { stub(op) });
        }
        root = root.subcommand(cmd);
    }
    let mut waits = Command::new("wait")
        .about("Waits until a job reaches a terminal state (a waiter of the spec), polling the operation it names")
        .subcommand_required(true)
        .arg_required_else_help(true);
    for w in tables.waiters {
        let asked = full || (wanted("wait", "wait") && words.get(1).is_some_and(|x| x == w.name || x == w.kebab));
        waits =
            waits.subcommand(if asked { waiter(tables, w, project.as_deref()) } else { named(w.name, &[w.kebab]).about(w.description) });
    }
    root = root.subcommand(waits).subcommand(
        Command::new("completions")
            .about("Prints a shell completion script")
            .arg(Arg::new("shell").required(true).value_parser(value_parser!(clap_complete::Shell))),
    );
    let matches = match root.clone().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { 0 };
            let _ = e.print();
            return Err(Failure::new(code, ""));
        }
    };
    let globals = Globals::from(&matches, profile);
    let done = dispatch(tables, &matches, &mut root, &globals);
    // The archive holds whatever was exchanged, also when the command failed (that is when
    // it is wanted most); the command's own failure stays the one reported.
    match (done, globals.write_har()) {
        (Ok(()), written) => written,
        (Err(failure), Ok(())) => Err(failure),
        (Err(failure), Err(har)) => {
            output::note(format_args!("error: {}", har.message));
            Err(failure)
        }
    }
}

/// Runs the command `matches` names.
fn dispatch(tables: &Tables, matches: &ArgMatches, root: &mut Command, globals: &Globals) -> Result<(), Failure> {
    match matches.subcommand() {
        Some(("completions", m)) => {
            let shell = m.get_one::<clap_complete::Shell>("shell").copied().ok_or_else(|| Failure::usage("no shell"))?;
            let mut out = Vec::new();
            clap_complete::generate(shell, root, "atlas-backup", &mut out);
            output::write_stdout(&out)
        }
        Some(("wait", m)) => {
            let (name, m) = m.subcommand().ok_or_else(|| Failure::usage("name a waiter"))?;
            let w = tables.waiters.iter().find(|w| w.name == name).ok_or_else(|| Failure::usage(format!("no waiter {name}")))?;
            let op = tables.operations.get(w.operation).ok_or_else(|| Failure::usage("waiter without operation"))?;
            let values = values(op.params, m);
            let (client, _) = config::client(globals.profile.as_ref(), globals.base_url.as_deref(), true, globals.interceptors())?;
            let delays = delays(m);
            let waiting = (w.wait)(&client, values, delays)?;
            let last = block_on(wait::run(w, waiting, delays.timeout, globals.progress()))?;
            print_waited(tables, w, last, globals)
        }
        Some((tag, m)) => {
            let (name, m) = m.subcommand().ok_or_else(|| Failure::usage("name an operation"))?;
            let op = tables
                .operations
                .iter()
                .find(|o| o.tag == tag && o.id == name)
                .ok_or_else(|| Failure::usage(format!("no operation {tag} {name}")))?;
            call(tables, op, m, globals)
        }
        None => Err(Failure::usage("name a command; see --help")),
    }
}

/// The global flags, parsed.
struct Globals {
    out: Out,
    profile: Option<Profile>,
    base_url: Option<String>,
    dry_run: bool,
    curl: bool,
    debug: bool,
    quiet: bool,
    /// `--har FILE`: the file, and the recorder the client's interceptors share.
    har: Option<(std::path::PathBuf, atlas_backup::har::HarRecorder)>,
}

impl Globals {
    fn from(m: &ArgMatches, profile: Option<Profile>) -> Globals {
        Globals {
            out: Out {
                format: Format::parse(flags::text(m, &flags::OUTPUT).unwrap_or("json")),
                file: flags::text(m, &flags::OUTPUT_FILE).map(Into::into),
            },
            profile,
            base_url: flags::text(m, &flags::BASE_URL).map(str::to_owned),
            dry_run: flags::on(m, &flags::DRY_RUN),
            curl: flags::on(m, &flags::CURL),
            debug: flags::on(m, &flags::DEBUG),
            quiet: flags::on(m, &flags::QUIET),
            har: flags::text(m, &flags::HAR).map(|path| (path.into(), atlas_backup::har::HarRecorder::new())),
        }
    }

    /// Writes `--har`'s archive, when asked for.
    fn write_har(&self) -> Result<(), Failure> {
        let Some((path, recorder)) = &self.har else { return Ok(()) };
        recorder.write_to(path).map_err(|e| Failure::new(1, format!("cannot write the HAR file {}: {e}", path.display())))
    }

    /// The client's interceptors: `--debug`'s trace, `--har`'s recorder.
    fn interceptors(&self) -> Vec<Arc<dyn atlas_backup::Interceptor>> {
        let mut list: Vec<Arc<dyn atlas_backup::Interceptor>> = Vec::new();
        if self.debug {
            list.push(Arc::new(output::Trace));
        }
        if let Some((_, recorder)) = &self.har {
            list.push(Arc::new(recorder.clone()));
        }
        list
    }

    fn progress(&self) -> Progress {
        Progress { quiet: self.quiet }
    }
}

fn root(tables: &Tables) -> Command {
    let mut root =
        Command::new("atlas-backup").about(tables.about).after_help(EXIT_CODES).subcommand_required(true).arg_required_else_help(true);
    for flag in flags::GLOBAL {
        let arg = flag.arg(true);
        root = root.arg(if std::ptr::eq(*flag, &flags::OUTPUT) { arg.value_parser(Format::NAMES) } else { arg });
    }
    root
}

/// A command and its other names (the kebab-case spelling, other published names).
fn named(name: &'static str, aliases: &[&'static str]) -> Command {
    // clap refuses a command whose alias repeats its name (`list`).
    Command::new(name).visible_aliases(aliases.iter().copied().filter(|a| *a != name))
}

/// An operation not asked for: enough to list it.
fn stub(op: &Operation) -> Command {
    named(op.id, op.aliases).about(op.summary)
}

/// The version called when `--version` is not given: the newest that is not a preview.
pub fn default_version(op: &Operation) -> Option<&Version> {
    op.versions.iter().rev().find(|v| v.date != "preview").or(op.versions.last())
}

fn long_about(op: &Operation) -> String {
    let mut text = op.summary.to_owned();
    if !op.description.is_empty() {
        text.push_str("\n\n");
        text.push_str(op.description);
    }
    text.push_str(&format!("\n\n{} {}", op.method, op.path));
    if !op.aliases.is_empty() {
        text.push_str(&format!("\nAlso named: {}", op.aliases.join(", ")));
    }
    if !op.versions.is_empty() {
        let dates: Vec<&str> = op.versions.iter().map(|v| v.date).collect();
        let default = default_version(op).map(|v| v.date).unwrap_or_default();
        text.push_str(&format!("\nAPI versions: {} (default {default}; --version DATE)", dates.join(", ")));
    }
    if !op.roles.is_empty() {
        text.push_str(&format!("\nRoles (any of): {}", op.roles.join(", ")));
    }
    if op.deprecated {
        text.push_str("\nDeprecated");
        if let Some(date) = op.sunset {
            text.push_str(&format!(": removed (sunset) on {date}"));
        }
    }
    text
}

/// The line MongoDB's documentation would print for the operation: the command, the
/// version, then the required flags sorted by name (the body piped on stdin).
pub fn example(op: &Operation) -> String {
    let mut line = format!("atlas-backup {} {}", op.tag, op.id);
    if let Some(version) = default_version(op) {
        line.push_str(&format!(" --version {}", version.date));
    }
    let mut required: Vec<&Param> = op.params.iter().copied().filter(|p| p.required).collect();
    required.sort_by_key(|p| p.flag);
    for p in required {
        line.push_str(&format!(" --{} {}", p.flag, p.example));
    }
    if op.body.is_some() {
        line = format!("{line} < body.json");
    }
    line
}

/// The command of one operation, with every flag.
fn operation(op: &'static Operation, project: Option<&str>) -> Command {
    let mut cmd = named(op.id, op.aliases)
        .about(op.summary)
        .long_about(long_about(op))
        .after_help(format!("Example:\n  {}\n\n{EXIT_CODES}", example(op)));
    let template = op.body.is_some();
    for p in op.params {
        cmd = cmd.arg(param(p, project, template));
    }
    if !op.versions.is_empty() {
        let dates: Vec<&'static str> = op.versions.iter().map(|v| v.date).collect();
        cmd = cmd.arg(flags::VERSION.arg(false).value_parser(dates));
    }
    if op.body.is_some() {
        cmd = cmd.arg(flags::FILE.arg(false)).arg(flags::TEMPLATE.arg(false));
    }
    if op.list {
        cmd = cmd.arg(flags::ALL.arg(false)).arg(flags::CONCURRENCY.arg(false).value_parser(value_parser!(u16).range(1..)));
    }
    if !op.links.is_empty() {
        cmd = wait_flags(cmd.arg(flags::WAIT.arg(false)));
    }
    cmd
}

fn wait_flags(cmd: Command) -> Command {
    let duration = |flag: &'static Flag| flag.arg(false).value_parser(humantime::parse_duration);
    cmd.arg(duration(&flags::WAIT_TIMEOUT)).arg(duration(&flags::MIN_DELAY)).arg(duration(&flags::MAX_DELAY))
}

fn waiter(tables: &Tables, w: &'static Waiter, project: Option<&str>) -> Command {
    let mut cmd = named(w.name, &[w.kebab]).about(w.description).after_help(EXIT_CODES);
    if let Some(op) = tables.operations.get(w.operation) {
        cmd = cmd.long_about(format!(
            "Waits until {}\n\nPolls {} {} ({}), first after {} s, then doubling up to {} s.",
            w.description, op.method, op.path, op.id, w.min_delay, w.max_delay
        ));
        for p in op.params {
            cmd = cmd.arg(param(p, project, false));
        }
    }
    wait_flags(cmd)
}

/// The flag of a parameter.
fn param(p: &'static Param, project: Option<&str>, template: bool) -> Arg {
    let mut arg = Arg::new(p.flag).long(p.flag).help(p.help).value_name(p.flag);
    for alias in p.aliases {
        arg = arg.visible_alias(*alias);
    }
    arg = match p.kind {
        Kind::String => arg,
        Kind::Integer { min, max } => arg.value_parser(value_parser!(i64).range(min.unwrap_or(i64::MIN)..=max.unwrap_or(i64::MAX))),
        Kind::Number => arg.value_parser(value_parser!(f64)),
        // `--pretty`, `--pretty=false` and `--pretty false` all say what they mean.
        Kind::Boolean => arg.value_parser(value_parser!(bool)).num_args(0..=1).default_missing_value("true").value_name("true|false"),
        Kind::Enum(values) => arg.value_parser(values.to_vec()),
    };
    if p.multiple {
        arg = arg.action(ArgAction::Append).value_delimiter(',');
    }
    let default = if p.name == "groupId" { project } else { None };
    match default {
        Some(project) => arg.default_value(project.to_owned()),
        None if p.required && template => arg.required_unless_present(flags::TEMPLATE.long),
        None => arg.required(p.required),
    }
}

/// The parsed flags of `params` as JSON values of their types, by the spec's names.
fn values(params: &[&Param], m: &ArgMatches) -> Map<String, Value> {
    let mut values = Map::new();
    for p in params {
        let got: Option<Vec<Value>> = match p.kind {
            Kind::String | Kind::Enum(_) => m.get_many::<String>(p.flag).map(|vs| vs.map(|v| Value::from(v.clone())).collect()),
            Kind::Integer { .. } => m.get_many::<i64>(p.flag).map(|vs| vs.map(|v| Value::from(*v)).collect()),
            Kind::Number => m.get_many::<f64>(p.flag).map(|vs| vs.map(|v| Value::from(*v)).collect()),
            Kind::Boolean => m.get_many::<bool>(p.flag).map(|vs| vs.map(|v| Value::from(*v)).collect()),
        };
        if let Some(mut got) = got {
            let value = if p.multiple { Value::Array(got) } else { got.pop().unwrap_or(Value::Null) };
            values.insert(p.name.to_owned(), value);
        }
    }
    values
}

fn delays(m: &ArgMatches) -> Delays {
    let get = |flag: &Flag| m.try_get_one::<Duration>(flag.long).ok().flatten().copied();
    Delays {
        min: get(&flags::MIN_DELAY),
        max: get(&flags::MAX_DELAY),
        timeout: get(&flags::WAIT_TIMEOUT).unwrap_or(Duration::from_secs(3600)),
    }
}

/// Runs a future on a runtime of this thread; Ctrl-C ends it with exit code 130.
fn block_on<T>(future: impl std::future::Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::config(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        tokio::select! {
            // The future first: a wait catches Ctrl-C itself, to say which waiter stopped.
            biased;
            result = future => result,
            _ = tokio::signal::ctrl_c() => Err(Failure::new(exit::INTERRUPTED, "interrupted")),
        }
    })
}

/// The one warning of an answer that breaks its schema.
fn warn_mismatch(received: &atlas_backup::call::Received, op: &Operation) -> bool {
    match output::mismatch(received, op.answer) {
        Some(line) => {
            output::note(format_args!("{line}"));
            true
        }
        None => false,
    }
}

/// One operation: template, dry run, send (one page or all), and the wait that follows.
fn call(tables: &Tables, op: &'static Operation, m: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    if let Some(body) = &op.body
        && flags::on(m, &flags::TEMPLATE)
    {
        return output::write_stdout(crate::body::template(op.id, body).as_bytes());
    }
    let values = values(op.params, m);
    let body = match &op.body {
        Some(shape) => match crate::body::source(flags::text(m, &flags::FILE), crate::body::stdin_piped())? {
            Some(source) => crate::body::read(&source, shape)?,
            None => None,
        },
        None => None,
    };
    if body.is_none() && op.body.as_ref().is_some_and(|b| b.required) {
        return Err(Failure::usage("the request body is required: --file PATH, or pipe it on stdin"));
    }
    let version = match flags::text(m, &flags::VERSION) {
        Some(date) => op.versions.iter().find(|v| v.date == date),
        None => default_version(op),
    };
    let all = op.list && flags::on(m, &flags::ALL);
    let follow = if flags::on(m, &flags::WAIT) { op.links.first() } else { None };
    if values.get("envelope") == Some(&Value::Bool(true)) && (all || follow.is_some()) {
        return Err(Failure::usage("--envelope true prints Atlas's envelope as sent; it does not combine with --all or --wait"));
    }
    if op.deprecated {
        let sunset = op.sunset.map(|d| format!("; it is removed (sunset) on {d}")).unwrap_or_default();
        output::note(format_args!("warning: {} is deprecated by Atlas{sunset}", op.id));
    }
    let dry = globals.dry_run || globals.curl;
    let (client, auth) = config::client(globals.profile.as_ref(), globals.base_url.as_deref(), !dry, globals.interceptors())?;
    // An operation without dated versions (plain `application/json`) has no `--version`.
    let (call, date) = version.map_or((op.call, None), |v| (v.call, Some(v.date)));
    let request = call(&client, Input { values: values.clone(), body, version: date })?;
    if dry {
        let prepared = request.prepare()?;
        let text = if globals.curl { output::curl(&prepared, auth) } else { output::dry_run(&prepared, auth) };
        return output::write_stdout(text.as_bytes());
    }
    let concurrency = m.try_get_one::<u16>(flags::CONCURRENCY.long).ok().flatten().copied().unwrap_or(1);
    block_on(async {
        if all {
            let mut pages = request.pages(usize::from(concurrency)).ok_or_else(|| Failure::usage("--all: this operation does not page"))?;
            let (mut items, mut warned) = (Vec::new(), false);
            while let Some(page) = pages.next().await {
                let page = page?;
                if !warned {
                    warned = warn_mismatch(&page, op);
                }
                items.extend(output::items(&page)?);
            }
            return globals.out.print_items(&items);
        }
        let received = request.send().await?;
        let Some(link) = follow else {
            // The warning is of the answer printed: with --wait, the last poll's.
            warn_mismatch(&received, op);
            globals.out.print(received.response().body())?;
            // An error status in Atlas's envelope: printed as sent, and the call failed.
            return received.into_failure().map_or(Ok(()), |e| Err(e.into()));
        };
        let answer: Value = serde_json::from_slice(received.response().body()).unwrap_or(Value::Null);
        let w = tables.waiters.get(link.waiter).ok_or_else(|| Failure::usage("link to no waiter"))?;
        let mut polled = Map::new();
        for (name, source) in link.params {
            let value = match source {
                Source::Request(from) => values.get(*from).cloned(),
                Source::Response(pointer) => answer.pointer(pointer).cloned(),
            };
            let value = value
                .ok_or_else(|| Failure::new(exit::API, format!("cannot wait with {}: the answer has no value for `{name}`", w.name)))?;
            polled.insert((*name).to_owned(), value);
        }
        let delays = delays(m);
        let waiting = (w.wait)(&client, polled, delays)?;
        let last = wait::run(w, waiting, delays.timeout, globals.progress()).await?;
        print_waited(tables, w, last, globals)
    })
}

/// The last answer of a wait as Atlas sent it, with the one warning of an answer that does
/// not match the polled operation's schema; nothing when success is that the resource is gone.
fn print_waited(tables: &Tables, w: &Waiter, last: Option<crate::call::Seen>, globals: &Globals) -> Result<(), Failure> {
    let Some(last) = last else { return Ok(()) };
    if let Some(at) = &last.mismatch {
        let schema = tables.operations.get(w.operation).and_then(|op| op.answer);
        output::note(format_args!("{}", output::mismatch_warning(schema, at)));
    }
    globals.out.print(&last.body.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> (Vec<String>, Option<String>) {
        let args: Vec<std::ffi::OsString> = std::iter::once("atlas-backup").chain(args.iter().copied()).map(Into::into).collect();
        scan(&args)
    }

    #[test]
    fn scan_finds_the_command_words_and_the_profile() {
        let (w, p) = words(&["-o", "yaml", "-P", "ci", "cloudBackups", "takeSnapshots", "--groupId", "x"]);
        assert_eq!((w.as_slice(), p.as_deref()), (&["cloudBackups".to_owned(), "takeSnapshots".to_owned()][..], Some("ci")));
        let (w, p) = words(&["--profile=dev", "--outputFile", "out.json", "--debug", "wait", "snapshotCompleted"]);
        assert_eq!((w.as_slice(), p.as_deref()), (&["wait".to_owned(), "snapshotCompleted".to_owned()][..], Some("dev")));
        assert_eq!(words(&["--base-url", "http://x", "completions", "bash"]).0, ["completions", "bash"]);
    }
}
