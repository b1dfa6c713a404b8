//! `atlas-codegen`: generates the `atlas-backup` Rust client from an OpenAPI 3.0 document.
//!
//! The pipeline has one module per stage:
//! [`load`] (YAML/JSON → `openapiv3`) → [`ir`] (types and operations, `$ref`s resolved) →
//! [`names`] (every Rust identifier, decided once) → [`render`] (askama templates, `syn`,
//! `prettyplease`) → [`write`] (all files or none).
//!
//! Beside it, on the same loader: [`drift`] (what changed between two specs, and `spec
//! check` against the published upstream copy) and [`slice`] (the operations of some tags
//! cut out of a big document).

// Input decides everything this crate does, so nothing in it may panic on input: these
// lints make `unwrap`/`expect`/`panic!` a build error (CI runs clippy with -D warnings).
// Indexing is allowed; each site indexes a collection it has just bounded (reviewed, and
// exercised by the bad-spec corpus and the proptest in tests/fuzz.rs).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo, clippy::unimplemented))]

pub mod drift;
pub mod error;
pub mod ir;
pub mod load;
pub mod names;
pub mod render;
pub mod slice;
pub mod surface;
pub mod write;

use std::path::Path;
use std::time::{Duration, Instant};

pub use error::{Error, Warning};
pub use render::File;

/// The result of generating from one spec.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<File>,
    pub operations: usize,
    pub types: usize,
    pub warnings: Vec<Warning>,
    /// The API surface (operations and models) as reviewable text.
    pub surface: String,
    pub timings: Timings,
}

/// Time spent per stage (wall clock), for `cargo xtask bench` and the summary line.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading and parsing the spec into `openapiv3`.
    pub load: Duration,
    /// Lowering to the IR, naming, and the API surface text.
    pub ir: Duration,
    /// Rendering every file (templates, `syn`, `prettyplease`), files in parallel.
    pub render: Duration,
    /// The render stage split by step, each summed over the render threads.
    pub render_steps: render::RenderTimes,
}

/// Loads, lowers, names and renders the spec at `spec`; nothing is written.
pub fn generate(spec: &Path) -> Result<Generated, Error> {
    let t0 = Instant::now();
    let loaded = load::load(spec)?;
    generate_loaded(loaded, t0)
}

/// [`generate`] from spec bytes (`path` names them in messages).
pub fn generate_from_bytes(path: &Path, bytes: &[u8]) -> Result<Generated, Error> {
    let t0 = Instant::now();
    let loaded = load::parse(path, bytes)?;
    generate_loaded(loaded, t0)
}

/// Takes the spec by value: once lowered, the parsed document and its text are dropped, so
/// that rendering does not hold them too (peak memory is the larger of the two stages, not
/// their sum).
fn generate_loaded(loaded: load::Loaded, t0: Instant) -> Result<Generated, Error> {
    let load_time = t0.elapsed();
    let t1 = Instant::now();
    let mut api = ir::lower(&loaded)?;
    let spec_name = loaded
        .source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the spec".to_owned());
    drop(loaded);
    names::assign(&mut api);
    ir::dedupe(&mut api);
    let surface = surface::surface(&api);
    let ir_time = t1.elapsed();
    let t2 = Instant::now();
    let (mut files, render_steps) = render::render_timed(&api, &spec_name)?;
    files.push(File { path: "README.md".to_owned(), contents: include_str!("render/templates/README.md").to_owned() });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Generated {
        files,
        operations: api.operations.len(),
        types: api.types.len(),
        warnings: api.warnings,
        surface,
        timings: Timings { load: load_time, ir: ir_time, render: t2.elapsed(), render_steps },
    })
}
