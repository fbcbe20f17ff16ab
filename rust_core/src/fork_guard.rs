//! The rayon pool does not survive `fork()`: a child process inherits the
//! pool's state but not its threads, so work handed to it would never run.
//! The extension records the process it was loaded in; a forked child (a
//! `multiprocessing` worker, say) then works on its calling thread.

use std::sync::OnceLock;

static LOADED_IN: OnceLock<u32> = OnceLock::new();

/// Records the current process as the one that owns the rayon pool.
pub fn record_owner() {
    let _ = LOADED_IN.set(std::process::id());
}

/// True when work may go to the rayon pool.
pub fn pool_usable() -> bool {
    LOADED_IN.get().is_none_or(|&pid| pid == std::process::id())
}

#[cfg(test)]
mod tests {
    #[test]
    fn usable_in_the_owner() {
        super::record_owner();
        assert!(super::pool_usable());
    }
}
