//! Giving freed memory back to the system between the stages of a long command.

/// Returns the memory the allocator holds free to the system. The history walk allocates
/// on every core, and glibc keeps what each thread freed in that thread's arena, where
/// the main thread's later allocations (rendering the matrix) cannot reuse it: without
/// this, the render's memory comes on top of the walk's, not in its place (peak RSS).
/// Does nothing but on glibc.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of glibc's own arenas to the kernel; it
    // touches no memory in use and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
