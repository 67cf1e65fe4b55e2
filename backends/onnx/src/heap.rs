//! glibc's allocator, set for ONNX Runtime's activations. A model run allocates and frees
//! tensors of tens of MB for every window; with glibc's defaults, blocks over 32 MB are
//! mapped and unmapped each time and a free heap top over 64 MB is given back, so every
//! window faults its memory in again from the kernel (HTDemucs on 2 cores: 3.9 M page
//! faults a minute of audio, 13 % of the run's CPU time). Blocks up to 256 MB stay in the
//! heap, its top up to 1 GB, and two arenas at most serve all threads (each arena keeps
//! its own free blocks): 0.36 to 0.49 M faults and the run 10 to 14 % faster, as freed
//! blocks are reused instead of new pages touched; in paired runs the cap on arenas also
//! kept the peak at 1.19 to 1.23 GB, against 1.28 to 1.39 GB without it. It is process-wide, so it is set only once a process opens an ONNX model;
//! other platforms keep their defaults.

/// Sets the thresholds, once per process.
pub fn keep_activation_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            const MMAP_THRESHOLD: libc::c_int = 256 << 20;
            const TRIM_THRESHOLD: libc::c_int = 1 << 30;
            const ARENA_MAX: libc::c_int = 2;
            // SAFETY: mallopt only changes the allocator's parameters, which glibc allows
            // at any time and from any thread; it returns 0 for a value it refuses.
            #[allow(unsafe_code)]
            let (mmap, trim, arenas) = unsafe {
                (
                    libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                    libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD),
                    libc::mallopt(libc::M_ARENA_MAX, ARENA_MAX),
                )
            };
            tracing::debug!(
                mmap_threshold_set = mmap == 1,
                trim_threshold_set = trim == 1,
                arena_max_set = arenas == 1,
                "glibc allocator thresholds for ONNX Runtime's activations"
            );
        });
    }
}
