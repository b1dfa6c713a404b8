//! The command tree and what each command does. Only the command asked for is built with
//! its flags (the others are a name and a line of help), so `--help` of one operation does
//! not pay for all of them; `completions` builds the whole tree.

use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use futures::StreamExt;
use serde_json::Value;

use crate::call::{Answer, Delays, Values};
use crate::config::{self, Profile};
use crate::exit::{self, EXIT_CODES, Failure};
use crate::output::{self, Format};
use crate::spec::{Kind, Operation, Param, Source, Waiter};
use crate::wait::{self, Progress};

/// The generated tables.
pub struct Tables {
    pub about: &'static str,
    pub operations: &'static [Operation],
    pub waiters: &'static [Waiter],
}

/// Global flags that take a value, to find the command words before parsing.
const VALUE_FLAGS: &[&str] = &["-o", "--output", "--profile", "--base-url"];

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
fn scan(args: &[std::ffi::OsString]) -> (Vec<String>, Option<String>) {
    let mut words = Vec::new();
    let mut profile = None;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = iter.next() {
        if let Some(value) = arg.strip_prefix("--profile=") {
            profile = Some(value.to_owned());
        } else if VALUE_FLAGS.contains(&arg.as_str()) {
            let value = iter.next();
            if arg == "--profile" {
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
    let profile = profile_name.as_deref().map(Profile::load).transpose()?;
    let project = config::default_project(profile.as_ref());
    let wanted = |a: &str, b: &str| words.first().is_some_and(|w| w == a || w == b);
    let full = words.first().is_some_and(|w| w == "completions");
    let mut root = root(tables);
    let mut tags: Vec<(&str, &str)> = tables.operations.iter().map(|o| (o.tag, o.tag_kebab)).collect();
    tags.dedup();
    for (tag, kebab) in tags {
        let mut cmd = named(tag, kebab).subcommand_required(true).arg_required_else_help(true);
        for op in tables.operations.iter().filter(|o| o.tag == tag) {
            let asked = full || (wanted(tag, kebab) && words.get(1).is_some_and(|w| w == op.id || w == op.kebab));
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
        waits = waits.subcommand(if asked { waiter(tables, w, project.as_deref()) } else { named(w.name, w.kebab).about(w.description) });
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
    match matches.subcommand() {
        Some(("completions", m)) => {
            let shell = m.get_one::<clap_complete::Shell>("shell").copied().ok_or_else(|| Failure::usage("no shell"))?;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut root, "atlas-backup", &mut out);
            output::write_stdout(&out)
        }
        Some(("wait", m)) => {
            let (name, m) = m.subcommand().ok_or_else(|| Failure::usage("name a waiter"))?;
            let w = tables.waiters.iter().find(|w| w.name == name).ok_or_else(|| Failure::usage(format!("no waiter {name}")))?;
            let op = tables.operations.get(w.operation).ok_or_else(|| Failure::usage("waiter without operation"))?;
            let values = values(op.params, m)?;
            let (client, _) = config::client(globals.profile.as_ref(), globals.base_url.as_deref(), true, globals.trace())?;
            let waiting = (w.build)(&client, &values)?;
            let answer = block_on(wait::run(w, waiting, delays(m), globals.progress()))?;
            print_answer(answer, globals.format)
        }
        Some((tag, m)) => {
            let (name, m) = m.subcommand().ok_or_else(|| Failure::usage("name an operation"))?;
            let op = tables
                .operations
                .iter()
                .find(|o| o.tag == tag && o.id == name)
                .ok_or_else(|| Failure::usage(format!("no operation {tag} {name}")))?;
            call(tables, op, m, &globals)
        }
        None => Err(Failure::usage("name a command; see --help")),
    }
}

/// The global flags, parsed.
struct Globals {
    format: Format,
    profile: Option<Profile>,
    base_url: Option<String>,
    dry_run: bool,
    curl: bool,
    debug: bool,
    quiet: bool,
}

impl Globals {
    fn from(m: &ArgMatches, profile: Option<Profile>) -> Globals {
        Globals {
            format: Format::parse(m.get_one::<String>("output").map_or("json", String::as_str)),
            profile,
            base_url: m.get_one::<String>("base-url").cloned(),
            dry_run: m.get_flag("dry-run"),
            curl: m.get_flag("curl"),
            debug: m.get_flag("debug"),
            quiet: m.get_flag("quiet"),
        }
    }

    fn trace(&self) -> Option<output::Trace> {
        self.debug.then_some(output::Trace)
    }

    fn progress(&self) -> Progress {
        Progress { quiet: self.quiet }
    }
}

fn root(tables: &Tables) -> Command {
    Command::new("atlas-backup")
        .about(tables.about)
        .after_help(EXIT_CODES)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(Arg::new("output").short('o').long("output").global(true).value_parser(Format::NAMES).help("Output format of the answer (default json)"))
        .arg(Arg::new("profile").long("profile").global(true).help("Profile of the Atlas CLI's config.toml: credentials and default project"))
        .arg(Arg::new("base-url").long("base-url").global(true).help("Base URL of the API (else MONGODB_ATLAS_BASE_URL, else the profile's, else https://cloud.mongodb.com)"))
        .arg(flag("dry-run", "Print the request (method, URL, headers, body) and send nothing"))
        .arg(flag("curl", "Print the request as a curl command and send nothing"))
        .arg(flag("debug", "Trace each request and answer on stderr (never credentials)"))
        .arg(flag("quiet", "No progress output while waiting"))
}

fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).global(true).action(ArgAction::SetTrue).help(help)
}

/// A command and its kebab-case alias, unless both are spelled alike (`default`, `list`):
/// clap refuses a command whose alias repeats its name.
fn named(name: &'static str, kebab: &'static str) -> Command {
    let cmd = Command::new(name);
    if name == kebab { cmd } else { cmd.visible_alias(kebab) }
}

/// An operation not asked for: enough to list it.
fn stub(op: &Operation) -> Command {
    named(op.id, op.kebab).about(op.summary)
}

fn long_about(op: &Operation) -> String {
    let mut text = op.summary.to_owned();
    if !op.description.is_empty() {
        text.push_str("\n\n");
        text.push_str(op.description);
    }
    text.push_str(&format!("\n\n{} {}", op.method, op.path));
    if !op.versions.is_empty() {
        text.push_str(&format!("\nAPI versions: {}", op.versions.join(", ")));
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

/// The command of one operation, with every flag.
fn operation(op: &'static Operation, project: Option<&str>) -> Command {
    let mut cmd = named(op.id, op.kebab).about(op.summary).long_about(long_about(op)).after_help(EXIT_CODES);
    let template = op.body.is_some();
    for p in op.params {
        cmd = cmd.arg(param(p, project, template));
    }
    if let Some(body) = &op.body {
        let file = Arg::new("file").long("file").value_name("PATH").help("The request body, JSON or YAML (`-`: stdin); unknown fields are refused");
        cmd = cmd
            .arg(if body.required { file.required_unless_present("template") } else { file })
            .arg(Arg::new("template").long("template").action(ArgAction::SetTrue).help("Print a body skeleton for --file and exit"));
    }
    if op.list {
        cmd = cmd
            .arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help("Every item of every page, in order"))
            .arg(Arg::new("concurrency").long("concurrency").value_parser(value_parser!(u16).range(1..)).default_value("1").help("Pages fetched at once with --all"));
    }
    if !op.links.is_empty() {
        cmd = cmd.arg(Arg::new("wait").long("wait").action(ArgAction::SetTrue).help("Wait until the job it starts ends; print the final answer"));
        cmd = wait_flags(cmd);
    }
    if op.versions.len() > 1 {
        cmd = cmd.arg(Arg::new("api-version").long("api-version").value_name("DATE").value_parser(op.versions.to_vec()).help("API version to call (default the newest)"));
    }
    cmd
}

fn wait_flags(cmd: Command) -> Command {
    let duration = |name: &'static str, help: &'static str| Arg::new(name).long(name).value_parser(humantime::parse_duration).help(help);
    cmd.arg(duration("wait-timeout", "Longest wait (30m, 1h); default 1h"))
        .arg(duration("min-delay", "Wait before the second poll (1s, 500ms); default the waiter's"))
        .arg(duration("max-delay", "Longest wait between polls; default the waiter's"))
}

fn waiter(tables: &Tables, w: &'static Waiter, project: Option<&str>) -> Command {
    let mut cmd = named(w.name, w.kebab).about(w.description).after_help(EXIT_CODES);
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
    let mut arg = Arg::new(p.name).long(p.name).help(p.help).value_name(p.name);
    for alias in p.aliases {
        arg = arg.visible_alias(*alias);
    }
    arg = match p.kind {
        Kind::String => arg,
        Kind::Integer { min, max } => arg.value_parser(value_parser!(i64).range(min.unwrap_or(i64::MIN)..=max.unwrap_or(i64::MAX))),
        Kind::Number => arg.value_parser(value_parser!(f64)),
        Kind::Boolean => arg.value_parser(value_parser!(bool)).num_args(0..=1).default_missing_value("true"),
        Kind::Enum(values) => arg.value_parser(values.to_vec()),
    };
    if p.multiple {
        arg = arg.action(ArgAction::Append).value_delimiter(',');
    }
    let default = if p.name == "groupId" { project } else { None };
    match default {
        Some(project) => arg.default_value(project.to_owned()),
        None if p.required && template => arg.required_unless_present("template"),
        None => arg.required(p.required),
    }
}

/// The parsed flags of `params` as JSON values of their types.
fn values(params: &[&Param], m: &ArgMatches) -> Result<Values, Failure> {
    let mut values = Values::default();
    for p in params {
        let one = |v: Value| v;
        let got: Option<Vec<Value>> = match p.kind {
            Kind::String | Kind::Enum(_) => m.get_many::<String>(p.name).map(|vs| vs.map(|v| Value::from(v.clone())).collect()),
            Kind::Integer { .. } => m.get_many::<i64>(p.name).map(|vs| vs.map(|v| Value::from(*v)).collect()),
            Kind::Number => m.get_many::<f64>(p.name).map(|vs| vs.map(|v| Value::from(*v)).collect()),
            Kind::Boolean => m.get_many::<bool>(p.name).map(|vs| vs.map(|v| Value::from(*v)).collect()),
        };
        if let Some(mut got) = got {
            let value = if p.multiple { Value::Array(got) } else { got.pop().map_or(Value::Null, one) };
            values.insert(p.name, value);
        }
    }
    Ok(values)
}

fn delays(m: &ArgMatches) -> Delays {
    let get = |name: &str| m.get_one::<Duration>(name).copied();
    Delays { min: get("min-delay"), max: get("max-delay"), timeout: get("wait-timeout").unwrap_or(Duration::from_secs(3600)) }
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

fn print_answer(answer: Option<Value>, format: Format) -> Result<(), Failure> {
    match answer {
        Some(value) => output::print(&value, format),
        None => Ok(()),
    }
}

/// One operation: template, dry run, send (one page or all), and the wait that follows.
fn call(tables: &Tables, op: &'static Operation, m: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    if let Some(body) = &op.body
        && m.get_flag("template")
    {
        return output::write_stdout(crate::body::template(op.id, body).as_bytes());
    }
    let mut values = values(op.params, m)?;
    if let Some(body) = &op.body
        && let Some(path) = m.get_one::<String>("file")
    {
        values.insert(Values::BODY, crate::body::read(path, body)?);
    }
    if let Ok(Some(version)) = m.try_get_one::<String>("api-version") {
        values.insert(Values::API_VERSION, Value::from(version.clone()));
    }
    if op.deprecated {
        let sunset = op.sunset.map(|d| format!("; it is removed (sunset) on {d}")).unwrap_or_default();
        output::note(format_args!("warning: {} is deprecated by Atlas{sunset}", op.id));
    }
    let dry = globals.dry_run || globals.curl;
    let (client, auth) = config::client(globals.profile.as_ref(), globals.base_url.as_deref(), !dry, globals.trace())?;
    let request = (op.build)(&client, &values)?;
    if dry {
        let prepared = request.prepare()?;
        let text = if globals.curl { output::curl(&prepared, auth) } else { output::dry_run(&prepared, auth) };
        return output::write_stdout(text.as_bytes());
    }
    let all = op.list && m.get_flag("all");
    let concurrency = if op.list { m.get_one::<u16>("concurrency").copied().unwrap_or(1) } else { 1 };
    let follow = if m.try_get_one::<bool>("wait").ok().flatten().copied().unwrap_or(false) { op.links.first() } else { None };
    block_on(async {
        if all {
            let mut items = Vec::new();
            let mut pages = request
                .pages(usize::from(concurrency))
                .ok_or_else(|| Failure::usage("--all pages through the newest API version only; drop --api-version or --all"))?;
            while let Some(item) = pages.next().await {
                items.push(item?);
            }
            return output::print(&Value::Array(items), globals.format);
        }
        let answer = request.send().await?;
        let Some(link) = follow else {
            return match answer {
                Answer::Json(value) => output::print(&value, globals.format),
                Answer::Empty => Ok(()),
                Answer::Bytes(bytes) => output::write_stdout(&bytes),
            };
        };
        let answer = match answer {
            Answer::Json(value) => value,
            Answer::Empty | Answer::Bytes(_) => Value::Null,
        };
        let w = tables.waiters.get(link.waiter).ok_or_else(|| Failure::usage("link to no waiter"))?;
        let mut polled = Values::default();
        for (name, source) in link.params {
            let value = match source {
                Source::Request(from) => values.raw(from).cloned(),
                Source::Response(pointer) => answer.pointer(pointer).cloned(),
            };
            let value = value.ok_or_else(|| {
                Failure::new(exit::API, format!("cannot wait with {}: the answer has no value for `{name}`", w.name))
            })?;
            polled.insert(name, value);
        }
        let waiting = (w.build)(&client, &polled)?;
        let last = wait::run(w, waiting, delays(m), globals.progress()).await?;
        print_answer(last, globals.format)
    })
}
