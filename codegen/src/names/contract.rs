//! The names the runtime defines, read from the runtime's own source.
//!
//! The generated code adds methods to the runtime's `Client` (one per operation and
//! waiter) and to `Mock` (one rule per operation), fills the runtime's `builder!` and
//! `waiter!` macros with setters, and declares cargo features beside the runtime's. Each
//! of those names must stay clear of what the runtime already has, so the lists are taken
//! from the runtime files shipped into the crate, never copied by hand: a method added to
//! the runtime is reserved at once. They are read with `syn` when the generator is built
//! (`build.rs`, [`super::read`]), not in every run; a test reads them again and compares.

use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The tables `build.rs` read from the runtimes.
mod table {
    include!(concat!(env!("OUT_DIR"), "/runtime_names.rs"));
}

/// What the runtime defines that generated names must not repeat.
#[derive(Debug, Default)]
pub struct Contract {
    /// Every method of `impl Client` blocks (private ones too: inherent methods of one type
    /// share a namespace whatever their visibility).
    pub client_methods: BTreeSet<String>,
    /// The methods `builder!` gives every request builder.
    pub builder_methods: BTreeSet<String>,
    /// The methods `waiter!` gives every waiter builder.
    pub waiter_methods: BTreeSet<String>,
    /// Every method of `impl Mock` blocks.
    pub mock_methods: BTreeSet<String>,
    /// The items of the mock's engine (`mock/runtime.rs`), which share `mock/` with the
    /// generated request views.
    pub mock_items: BTreeSet<String>,
    /// The cargo features the manifest template declares or the runtime tests.
    pub features: BTreeSet<String>,
    /// Every name and alias of the command line's own flags (`file`, `version`,
    /// `api-version`, ...), from its runtime's `flags.rs`: no parameter of a spec can take one.
    pub cli_flags: BTreeSet<String>,
}

/// The runtime's names, read once.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let set = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        Contract {
            client_methods: set(table::CLIENT_METHODS),
            builder_methods: set(table::BUILDER_METHODS),
            waiter_methods: set(table::WAITER_METHODS),
            mock_methods: set(table::MOCK_METHODS),
            mock_items: set(table::MOCK_ITEMS),
            features: set(table::FEATURES),
            cli_flags: set(table::CLI_FLAGS),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the issue found stale in the hand-copied lists are read now.
    #[test]
    fn the_shipped_runtime_reserves_what_it_defines() {
        let c = contract();
        for (set, names) in [
            (&c.client_methods, &["builder", "base_url", "from_env", "execute", "execute_json", "execute_empty", "execute_bytes"][..]),
            (&c.builder_methods, &["send", "send_with_metadata", "timeout", "envelope", "pretty", "concurrency"]),
            (&c.waiter_methods, &["wait", "min_delay", "max_delay", "timeout", "into_stream"]),
            (&c.mock_methods, &["new", "client", "client_builder", "calls", "verify"]),
            (&c.mock_items, &["Mock", "Rule", "Call", "Answer", "RequestView", "MOCK_BASE_URL"]),
            (&c.features, &["default", "rustls", "native-tls", "mock"]),
        ] {
            for name in names {
                assert!(set.contains(*name), "{name} missing from {set:?}");
            }
        }
    }

    /// The tables built with the generator are what reading the runtime gives now (a build
    /// that missed a change of the runtime would fail here).
    #[test]
    fn the_tables_are_the_runtime_read_now() {
        let c = contract();
        let now = super::super::read::read(crate::runtime::LIBRARY, crate::runtime::LIBRARY_MANIFEST);
        assert_eq!(c.client_methods, now.client_methods);
        assert_eq!(c.builder_methods, now.builder_methods);
        assert_eq!(c.waiter_methods, now.waiter_methods);
        assert_eq!(c.mock_methods, now.mock_methods);
        assert_eq!(c.mock_items, now.mock_items);
        assert_eq!(c.features, now.features);
        assert_eq!(c.cli_flags, super::super::read::flag_names(crate::runtime::CLI_FLAGS));
    }

    #[test]
    fn the_command_lines_flags_are_read_from_its_runtime() {
        let flags = &contract().cli_flags;
        for name in [
            "output",
            "outputFile",
            "profile",
            "base-url",
            "dry-run",
            "curl",
            "debug",
            "quiet",
            "version",
            "api-version",
            "file",
            "template",
            "all",
            "concurrency",
            "wait",
            "wait-timeout",
            "min-delay",
            "max-delay",
            "help",
        ] {
            assert!(flags.contains(name), "{name} missing from {flags:?}");
        }
        // Nothing else: the help texts and value names are not flags.
        assert!(!flags.contains("PATH") && !flags.contains("true|false"), "{flags:?}");
    }
}
