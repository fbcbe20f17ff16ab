//! Memory for the allocator, faulted in before a solve needs it.
//!
//! A fresh process's first solve touches each page of its heap for the
//! first time, and each first touch is a page fault of about 1 us: request
//! 172 of rez's benchmark takes about 3,700 of them, mostly on the solver's
//! own thread (issue 12). So when the library is loaded, before anything
//! allocates, it hands mimalloc one region of address space as its first
//! arena (the one mimalloc searches first), and when the Python module is
//! initialised a short-lived thread asks the kernel to fault the start of
//! that region in (`MADV_POPULATE_WRITE`, about half the cost of faults
//! taken one by one, and it writes no data, so mimalloc may hand out blocks
//! from the region meanwhile). That runs while the process is still
//! importing Python modules on one core, as `rez env` and the benchmark do,
//! so the solve finds its first megabytes ready.
//!
//! `PYRER_MEMORY_AHEAD_MB` (read when the library is loaded) sets how much
//! is faulted in: [`DEFAULT_MB`] unless set, `0` for no region at all. The
//! pages stay resident for the life of the process, used or not. Elsewhere
//! than on Linux this does nothing.

/// Faulted in unless `PYRER_MEMORY_AHEAD_MB` says otherwise: measured on
/// rez's benchmark, 16 MiB took fresh first solves to 0.91x, 24 MiB to
/// 0.90x (peak RSS +6 and +12 MiB); request 172, the largest, touches about
/// 15 MiB spread over the region's first 24 MiB.
pub const DEFAULT_MB: usize = 24;

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::{c_int, c_void};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::OnceLock;

    use super::DEFAULT_MB;

    extern "C" {
        // mimalloc's public API (mimalloc.h), not bound by libmimalloc-sys
        fn mi_manage_os_memory(
            start: *mut c_void,
            size: usize,
            is_committed: bool,
            is_large: bool,
            is_zero: bool,
            numa_node: c_int,
        ) -> bool;
    }

    /// The region: address space only, until touched. Two of mimalloc's
    /// 32 MiB bitmap chunks, since each chunk holds pages of one size bin.
    pub(super) const REGION: usize = 64 << 20;
    /// mimalloc's arena slices (and so the region's start) are this aligned.
    pub(super) const SLICE: usize = 64 << 10;
    /// Linux 5.14; older kernels refuse it (EINVAL) and nothing is faulted.
    const MADV_POPULATE_WRITE: c_int = 23;

    /// The region's start and how much of it to fault in, once handed over.
    static REGION_AHEAD: OnceLock<(usize, usize)> = OnceLock::new();
    static STARTED: AtomicBool = AtomicBool::new(false);

    /// `getenv`, not `std::env::var`: this runs before the region is
    /// registered, where an allocation would make mimalloc's own arena first.
    fn ahead_bytes() -> usize {
        // SAFETY: a NUL-terminated name; the value is copied out at once
        let value = unsafe { libc::getenv(c"PYRER_MEMORY_AHEAD_MB".as_ptr()) };
        let mb = match value.is_null() {
            true => DEFAULT_MB,
            // SAFETY: getenv returned a NUL-terminated string
            false => (unsafe { std::ffi::CStr::from_ptr(value) }.to_str().ok())
                .and_then(|text| text.trim().parse().ok())
                .unwrap_or(DEFAULT_MB),
        };
        mb.saturating_mul(1 << 20).min(REGION)
    }

    /// Runs when the library is loaded, before any allocation, so that the
    /// region is mimalloc's first arena. Allocates nothing itself.
    extern "C" fn register_region() {
        let ahead = ahead_bytes();
        if ahead == 0 {
            return;
        }
        // SAFETY: a fresh private anonymous mapping, one slice larger than
        // the region so that a slice-aligned region fits in it; handed to
        // mimalloc and never unmapped.
        unsafe {
            let mapped = libc::mmap(
                std::ptr::null_mut(),
                REGION + SLICE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            );
            if mapped == libc::MAP_FAILED {
                return;
            }
            let start = (mapped as usize).next_multiple_of(SLICE);
            // committed (mapped read-write) and zeroed (fresh anonymous pages)
            if mi_manage_os_memory(start as *mut c_void, REGION, true, false, true, -1) {
                let _ = REGION_AHEAD.set((start, ahead));
            }
        }
    }

    #[used]
    #[link_section = ".init_array"]
    static REGISTER_REGION: extern "C" fn() = register_region;

    pub fn fault_in_background() {
        let Some(&(start, ahead)) = REGION_AHEAD.get() else {
            return;
        };
        if STARTED.swap(true, Ordering::Relaxed) {
            return;
        }
        // A thread that cannot start costs the faults, nothing else.
        let _ = std::thread::Builder::new()
            .name("pyrer-memory".into())
            .spawn(move || {
                // SAFETY: the range lies in the live mapping made above;
                // populating faults pages in without changing their contents.
                unsafe { libc::madvise(start as *mut c_void, ahead, MADV_POPULATE_WRITE) };
            });
    }

    /// The region handed to the allocator and how many bytes of it are
    /// faulted in ahead: None if there is none (switched off).
    #[cfg(test)]
    pub fn region() -> Option<(usize, usize)> {
        REGION_AHEAD.get().copied()
    }
}

/// Starts faulting in the start of the allocator's first arena, once per
/// process, on a thread of its own.
#[cfg_attr(not(feature = "python"), allow(dead_code))] // the module init calls it
pub(crate) fn fault_in_background() {
    #[cfg(target_os = "linux")]
    linux::fault_in_background();
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::{region, REGION, SLICE};
    use super::*;

    /// The test binary loads this library too: unless the variable switched
    /// it off, the region is there, and blocks come from it once it is the
    /// first arena. Other tests' threads allocating meanwhile may take the
    /// region's chunks for other block sizes, so the check runs alone, in a
    /// process of its own (this test binary, asked for this test only).
    #[test]
    fn the_allocator_serves_blocks_from_the_region() {
        const ALONE: &str = "PYRER_TEST_MEMORY_AHEAD_ALONE";
        if std::env::var_os(ALONE).is_none() {
            let name = "memory_ahead::tests::the_allocator_serves_blocks_from_the_region";
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([name, "--exact", "--test-threads=1"])
                .env(ALONE, "1")
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{report}");
            assert!(
                report.contains("1 passed"),
                "the test did not run: {report}"
            );
            return;
        }
        let Some((start, ahead)) = region() else {
            assert_eq!(std::env::var("PYRER_MEMORY_AHEAD_MB").as_deref(), Ok("0"));
            return;
        };
        assert_eq!(start % SLICE, 0);
        assert!(ahead > 0 && ahead <= REGION);
        let blocks: Vec<Box<[u8; 100]>> = (0..1000).map(|_| Box::new([7; 100])).collect();
        let inside = (blocks.iter())
            .filter(|b| (start..start + REGION).contains(&(b.as_ptr() as usize)))
            .count();
        assert_eq!(inside, blocks.len());
        fault_in_background();
        fault_in_background(); // once per process: a no-op
    }
}
