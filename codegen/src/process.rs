//! How a process that generates should run: what `cargo xtask generate` and the benchmark
//! that stands for it set up before they start.

/// Turns transparent huge pages off for this process (Linux; elsewhere nothing).
///
/// Why: the allocator of `cargo xtask generate` (mimalloc) lets the kernel back its arenas
/// with 2 MiB pages, so every arena touched is resident whole. Generation allocates and frees
/// in many passes (the spec's YAML value, the document, the IR, a syntax tree per item on each
/// render thread), and with huge pages its peak resident memory was 1.5 times what it uses:
/// 100 MiB against 66 MiB for `atlas-api-2024-08-27` (whose parse alone peaks at 47 MiB), at
/// the same speed (docs/performance.md). It applies to memory touched from now on, and to
/// the processes this one starts.
pub fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `PR_SET_THP_DISABLE` takes integers and only sets a flag of the process; its
    // failure (an old kernel) leaves huge pages as they were, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// `work` on a thread named `name` while `meanwhile` runs on this one; `work`'s answer is
/// `None` when no thread can be started (it has not run then). The thread gets the stack of
/// a main thread (8 MiB): the stages recurse as deep as the spec's schemas nest. Every stage
/// that uses the second core (the load's pieces, naming, the command line beside the render)
/// starts its thread here.
pub(crate) fn beside<T: Send, U>(name: &str, work: impl FnOnce() -> T + Send, meanwhile: impl FnOnce() -> U) -> (Option<T>, U) {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new().name(name.to_owned()).stack_size(8 << 20).spawn_scoped(s, work);
        let here = meanwhile();
        let there = handle.ok().map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        (there, here)
    })
}
