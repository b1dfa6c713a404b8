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
