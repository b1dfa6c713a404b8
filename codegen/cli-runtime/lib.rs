//! `atlas-backup`: every operation and waiter of the Atlas backup API from the shell.
//!
//! The command line's logic is this crate's hand-written modules; `commands` is generated
//! from the spec (tables of operations, flags, body fields and waiters, and the glue that
//! fills the library's request builders). Everything is sent by the `atlas-backup` library.

pub mod app;
pub mod body;
pub mod call;
mod commands;
pub mod config;
pub mod exit;
pub mod output;
pub mod spec;
pub mod wait;

/// Runs the command line of this process; answers the exit code.
pub fn main() -> i32 {
    app::run(&commands::TABLES, std::env::args_os().collect())
}
