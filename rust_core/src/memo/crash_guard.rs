//! The crash guard: a damaged memo costs at most one failed command.
//!
//! LMDB reads the data file through a memory map and trusts the offsets it
//! finds in pages: a damaged page can make it read outside the map (SIGSEGV)
//! or past the end of a shortened file (SIGBUS), or trip one of its own
//! assertions (SIGABRT). Such a fault cannot be
//! turned into an error safely, and left alone it would repeat in every later
//! process. So while a thread is inside LMDB for a store, it is registered
//! here with that store's `Quarantine`. A handler for those signals (installed
//! once, keeping the previous actions) looks the faulting thread up; when it
//! is registered, it sets the data file aside with async-signal-safe calls
//! only. Either way it then hands the signal to the previous action (Python's
//! faulthandler, a Rust test harness's handler, or the default action that
//! ends the process), so the process dies as it would have; the next process
//! finds no data file and starts a fresh memo.
//!
//! Registration is a fixed table of atomics (no allocation, no thread-local
//! storage, which may allocate on first touch in a loaded library): one slot
//! per guarded thread holding its `pthread_self()` and the quarantine.

use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

use super::quarantine::Quarantine;

/// Threads that can be inside LMDB at once with a guard; beyond that a
/// thread runs unguarded (it still works, a fault just is not attributed).
const SLOTS: usize = 64;

static THREADS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static TARGETS: [AtomicPtr<Quarantine>; SLOTS] = [const { AtomicPtr::new(null_mut()) }; SLOTS];
/// What LMDB following a damaged page can die of: bad reads (SIGSEGV,
/// SIGBUS), its own assertions (SIGABRT), a division by a damaged size.
const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGABRT, libc::SIGFPE];
/// The action each of `SIGNALS` had before ours.
static PREVIOUS: [OnceLock<libc::sigaction>; 4] = [const { OnceLock::new() }; 4];
static INSTALL: Once = Once::new();

/// A thread's stay inside LMDB; leaving (drop) unregisters it.
pub struct Guarded {
    slot: Option<usize>,
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            TARGETS[i].store(null_mut(), Ordering::Release);
            THREADS[i].store(0, Ordering::Release);
        }
    }
}

fn current_thread() -> usize {
    // SAFETY: pthread_self has no preconditions; it only reads the thread
    // pointer, so it is also fine inside a signal handler.
    unsafe { libc::pthread_self() as usize }
}

/// Registers the current thread as inside LMDB for the store `q` belongs to,
/// until the returned value is dropped. `q` must outlive it.
pub fn enter(q: &Quarantine) -> Guarded {
    INSTALL.call_once(install);
    let me = current_thread();
    for i in 0..SLOTS {
        if THREADS[i]
            .compare_exchange(0, me, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            TARGETS[i].store(q as *const Quarantine as *mut Quarantine, Ordering::Release);
            return Guarded { slot: Some(i) };
        }
    }
    Guarded { slot: None }
}

/// The quarantine the current thread is registered with, if any.
fn registered() -> Option<&'static Quarantine> {
    let me = current_thread();
    for i in 0..SLOTS {
        if THREADS[i].load(Ordering::Acquire) == me {
            let q = TARGETS[i].load(Ordering::Acquire);
            if !q.is_null() {
                // SAFETY: a registered quarantine outlives its registration,
                // and the registration is this very thread's.
                return Some(unsafe { &*q });
            }
        }
    }
    None
}

fn install() {
    for (sig, previous) in SIGNALS.iter().zip(&PREVIOUS) {
        let sig = *sig;
        // SAFETY: sigaction with zeroed structs owned here; the previous
        // action is recorded before ours is installed, so the handler always
        // finds it.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
                continue;
            }
            let _ = previous.set(old);
            let mut ours: libc::sigaction = std::mem::zeroed();
            ours.sa_sigaction = on_fault as *const () as usize;
            ours.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut ours.sa_mask);
            libc::sigaction(sig, &ours, std::ptr::null_mut());
        }
    }
    // A forked child has only the forking thread: the parent's other
    // registrations are stale there.
    // SAFETY: registering a plain function.
    unsafe {
        libc::pthread_atfork(None, None, Some(forget_all));
    }
}

extern "C" fn forget_all() {
    let me = current_thread();
    for i in 0..SLOTS {
        if THREADS[i].load(Ordering::Relaxed) != me {
            TARGETS[i].store(null_mut(), Ordering::Relaxed);
            THREADS[i].store(0, Ordering::Relaxed);
        }
    }
}

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    if let Some(q) = registered() {
        q.set_aside_in_signal_handler();
    }
    // SAFETY: hands the signal on exactly as the previous action would
    // have received it.
    unsafe { pass_on(sig, info, ctx) }
}

/// Delivers the signal to the action that was there before ours.
unsafe fn pass_on(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let previous = SIGNALS
        .iter()
        .position(|&s| s == sig)
        .and_then(|i| PREVIOUS[i].get());
    let handler = previous.map_or(libc::SIG_DFL, |p| p.sa_sigaction);
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // Put the old action back and return: a real fault happens again at
        // once and takes the old action (the kernel forces the default for
        // an ignored fault); a signal sent with kill(2) is raised again.
        let mut old: libc::sigaction = std::mem::zeroed();
        old.sa_sigaction = handler;
        libc::sigaction(sig, &old, null_mut());
        if handler == libc::SIG_DFL && !info.is_null() && (*info).si_code <= 0 {
            libc::raise(sig);
        }
        return;
    }
    let flags = previous.map_or(0, |p| p.sa_flags);
    if flags & libc::SA_SIGINFO != 0 {
        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            std::mem::transmute(handler);
        f(sig, info, ctx);
    } else {
        let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
        f(sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_lasts_while_guarded() {
        let dir = std::env::temp_dir().join(format!("pyrer-guard-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(super::super::quarantine::DATA_FILE), b"x").unwrap();
        let q = Quarantine::of(&dir).unwrap();
        assert!(registered().is_none());
        {
            let _outer = enter(&q);
            let _inner = enter(&q);
            assert!(std::ptr::eq(registered().unwrap(), &q));
            let other = std::thread::spawn(|| registered().is_none());
            assert!(other.join().unwrap(), "another thread is not guarded");
        }
        assert!(registered().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A fault in a guarded thread sets the file aside, and the process
    /// still dies of it (in a forked child, so the test survives).
    #[test]
    fn a_fault_inside_sets_the_file_aside_and_still_kills() {
        use super::super::quarantine::DATA_FILE;
        let dir = std::env::temp_dir().join(format!("pyrer-guard-fault-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(DATA_FILE), b"x").unwrap();
        let q = Quarantine::of(&dir).unwrap();
        INSTALL.call_once(install);
        // SAFETY: the child only touches atomics, makes syscalls and faults.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let _inside = enter(&q);
            // SAFETY: deliberately faults (this is the point of the test).
            unsafe { std::ptr::read_volatile(16 as *const u8) };
            unsafe { libc::_exit(0) };
        }
        let mut status = 0;
        // SAFETY: waits for the child forked above.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFSIGNALED(status), "child status {status}");
        assert_eq!(libc::WTERMSIG(status), libc::SIGSEGV);
        assert!(!dir.join(DATA_FILE).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
