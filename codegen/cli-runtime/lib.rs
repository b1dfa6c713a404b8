//! `atlas-backup`: every operation and waiter of the Atlas backup API from the shell.
//!
//! The command line's logic is this crate's hand-written modules; `commands` is generated
//! from the spec: tables of operations, flags, body fields and waiters, each naming the
//! library's request builder or waiter it drives through `atlas_backup::call`. Everything is
//! sent by the `atlas-backup` library, and what Atlas answers is printed as it came.

pub mod app;
pub mod body;
pub mod call;
mod commands;
pub mod config;
pub mod exit;
pub mod flags;
pub mod json;
pub mod output;
pub mod spec;
pub mod wait;

/// Runs the command line of this process; answers the exit code.
pub fn main() -> i32 {
    app::run(&commands::TABLES, std::env::args_os().collect())
}
