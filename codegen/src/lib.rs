//! `atlas-codegen`: generates the `atlas-backup` Rust client from an OpenAPI 3.0 document.
//!
//! The pipeline has one module per stage:
//! [`load`] (YAML/JSON → `openapiv3`) → [`ir`] (types and operations, `$ref`s resolved) →
//! [`names`] (every Rust identifier, decided once) → [`render`] (askama templates, `syn`,
//! `prettyplease`) → [`write`] (all files or none).
//!
//! Beside it, on the same loader: [`drift`] (what changed between two specs, and `spec
//! check` against the published upstream copy), [`slice`] (the operations of some tags
//! cut out of a big document) and [`observe`] (`spec/` against what Atlas answered, on the
//! IR).

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
pub mod observe;
pub mod process;
pub mod render;
pub mod runtime;
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
    pub timings: Timings,
    /// What was rendered from, for [`Generated::surface`].
    api: ir::Api,
}

impl Generated {
    /// The API surface (operations and models) as reviewable text. Made when asked: no file
    /// holds it, and it was 1 % of a run.
    pub fn surface(&self) -> String {
        surface::surface(&self.api)
    }
}

/// Time spent per stage (wall clock), for `cargo xtask bench` and the summary line.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading and parsing the spec into `openapiv3`.
    pub load: Duration,
    /// Lowering to the IR and naming.
    pub ir: Duration,
    /// Rendering every file (templates, `syn`, `prettyplease`; files in parallel) and the API surface.
    pub render: Duration,
    /// The render stage split by step, each summed over the render threads.
    pub render_steps: render::RenderTimes,
}

/// Loads (with the overlay beside it, if any), lowers, names and renders the spec at `spec`;
/// nothing is written.
pub fn generate(spec: &Path) -> Result<Generated, Error> {
    let t0 = Instant::now();
    let loaded = load::load(spec)?;
    generate_loaded(loaded, t0.elapsed())
}

/// [`generate`] with `overlay` applied to the spec instead of the one beside it.
pub fn generate_with(spec: &Path, overlay: Option<&load::overlay::Overlay>) -> Result<Generated, Error> {
    let t0 = Instant::now();
    let loaded = load::load_with(spec, overlay)?;
    generate_loaded(loaded, t0.elapsed())
}

/// [`generate`] from spec bytes (`path` names them in messages), without an overlay.
pub fn generate_from_bytes(path: &Path, bytes: &[u8]) -> Result<Generated, Error> {
    generate_from_bytes_with(path, bytes, None)
}

/// [`generate_from_bytes`] with `overlay` applied: the text a spec file would hold (as
/// `spec update` and `release` have it before anything is written).
pub fn generate_from_bytes_with(path: &Path, bytes: &[u8], overlay: Option<&load::overlay::Overlay>) -> Result<Generated, Error> {
    let t0 = Instant::now();
    let loaded = load::parse_with(path, bytes, overlay)?;
    generate_loaded(loaded, t0.elapsed())
}

/// The IR of a spec, named and deduplicated, with what rendering needs of the spec.
struct Front {
    api: ir::Api,
    spec_name: String,
    ir: Duration,
}

/// Takes the spec by value and lowers it on a thread of its own, which drops the parsed
/// document and ends before rendering starts. Peak memory is then the larger of the two
/// stages, not their sum: measured with the allocator of `cargo xtask generate` (mimalloc),
/// the 2024-08-27 spec peaked at 97–101 MiB when the document was dropped on this thread
/// (which then only waits while the render threads allocate), and at 82–84 MiB so.
fn generate_loaded(loaded: load::Loaded, load_time: Duration) -> Result<Generated, Error> {
    // Taken by whichever thread runs it.
    let loaded = std::sync::Mutex::new(Some(loaded));
    let run = || loaded.lock().ok().and_then(|mut l| l.take()).map(front);
    // The runtime's names (tables built with the generator) are set up meanwhile, since
    // naming needs them next.
    let (front, _) = on_a_thread("atlas-codegen-ir", run, names::contract::contract);
    let front = front.ok_or_else(|| Error::Render {
        template: "generate",
        item: "the spec".to_owned(),
        message: "the IR stage did not run".to_owned(),
    })??;
    let Front { mut api, spec_name, ir: ir_time } = front;
    let t2 = Instant::now();
    // The command line's files are one table written as text (no `syn`): made on a thread of
    // their own beside the library's render threads instead of after them, where they were a
    // tenth of the whole run on one core.
    let beside = || render::cli::render(&api, &spec_name);
    let (cli, library) = on_a_thread("atlas-codegen-cli", beside, || render::render_timed(&api, &spec_name));
    let (mut files, render_steps) = library?;
    files.extend(cli?);
    files.push(File { path: "README.md".to_owned(), contents: include_str!("render/templates/README.md").to_owned() });
    files.push(File { path: "LICENSE".to_owned(), contents: render::LICENSE.to_owned() });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Generated {
        files,
        operations: api.operations.len(),
        types: api.types.len(),
        warnings: std::mem::take(&mut api.warnings),
        timings: Timings { load: load_time, ir: ir_time, render: t2.elapsed(), render_steps },
        api,
    })
}

/// `work` on a thread named `name` while `meanwhile` runs on this one, or both on this one
/// when no thread can be started ([`process::beside`]).
fn on_a_thread<T: Send, U>(name: &str, work: impl Fn() -> T + Sync, meanwhile: impl FnOnce() -> U) -> (T, U) {
    let (there, here) = process::beside(name, &work, meanwhile);
    (there.unwrap_or_else(work), here)
}

/// Lower, name (on both cores, [`names::assign_then`]) and dedupe; the parsed spec is dropped
/// as soon as the operations are named.
fn front(loaded: load::Loaded) -> Result<Front, Error> {
    let t1 = Instant::now();
    let mut api = ir::lower(&loaded)?;
    api.wait_links = ir::links::lower(&loaded, &api)?;
    let spec_name = loaded.source.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "the spec".to_owned());
    names::assign_then(&mut api, move || drop(loaded))?;
    ir::dedupe(&mut api);
    Ok(Front { api, spec_name, ir: t1.elapsed() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The front, which drops the parsed spec while the types' members are still being
    /// named, gives the IR that lowering, naming and deduplicating called one after another
    /// give (names, warnings, rename notes, merged types); `names` compares its naming on two
    /// threads with naming at once.
    #[test]
    fn the_front_is_the_stages_one_after_another() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        for spec in ["../spec/atlas-backup.yaml", "tests/fixtures/clashes.yaml", "tests/fixtures/same_shape.yaml"] {
            let path = dir.join(spec);
            let loaded = load::load(&path).expect("the spec loads");
            let mut api = ir::lower(&loaded).expect("the spec lowers");
            api.wait_links = ir::links::lower(&loaded, &api).expect("the links lower");
            names::assign(&mut api).expect("every name is valid");
            ir::dedupe(&mut api);
            let front = front(load::load(&path).expect("the spec loads")).expect("the front runs");
            assert!(front.api.types.len() > names::MEMBER_RUN || !spec.starts_with("../spec"), "{spec} names its members in one run");
            assert_eq!(format!("{:?}", front.api), format!("{api:?}"), "{spec}");
        }
    }
}
