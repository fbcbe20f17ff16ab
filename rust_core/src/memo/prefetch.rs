//! Loading families ahead of a solve, on a second thread.
//!
//! A fresh solve spends about half its time listing, stamping and reading
//! families (issue 12), one after the other, while the machine's other core
//! idles. The families a solve will ask for next are mostly those its loaded
//! packages require; a [`Prefetcher`] loads them meanwhile, every version,
//! so that whatever range the solver asks later is covered.
//!
//! A prefetched family is used only if its load was clean (packages served
//! by the memo or the parser, no file left to rez, no memo problem): for a
//! family that is not, the caller loads it itself, as it would have without
//! a prefetcher. So a prefetched answer, filtered to the range asked, is
//! what a load of that range gives. It reflects the files as they were a
//! moment before the solver asked, as a load made a moment earlier would:
//! each prefetcher lives for one solve.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use std::path::Path;

use super::{load_families, FamilyLoad, LayoutSettings, ServeOptions, Store};
use crate::package::names::requirement_name;

/// Loads every version of one family; None when the load is not clean.
pub type PrefetchJob = dyn Fn(&str) -> Option<FamilyLoad> + Send + Sync;

/// Something the caller no longer needs, freed by the worker.
pub type Garbage = Box<dyn Send>;

enum Slot {
    /// Waiting in the queue.
    Queued,
    /// Being loaded by the worker.
    Running,
    /// Loaded (None: not clean, the caller loads it).
    Done(Option<FamilyLoad>),
    /// Handed out, or claimed by the caller before the worker reached it.
    Taken,
}

#[derive(Default)]
struct State {
    queue: VecDeque<String>,
    slots: HashMap<String, Slot>,
    /// Freed by the worker before its next load (see `Prefetcher::discard`).
    garbage: Vec<Garbage>,
    closed: bool,
}

struct Shared {
    job: Box<PrefetchJob>,
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The worker: families in the order they were wanted, until closed;
    /// the caller's garbage first whenever there is some (after closing too:
    /// what a finished solve leaves is freed here).
    fn run(&self) {
        loop {
            let name = {
                let mut state = self.lock();
                loop {
                    if !state.garbage.is_empty() {
                        let garbage = std::mem::take(&mut state.garbage);
                        drop(state);
                        drop(garbage);
                        state = self.lock();
                        continue;
                    }
                    if state.closed {
                        return;
                    }
                    match state.queue.pop_front() {
                        Some(name) => match state.slots.get_mut(&name) {
                            Some(slot @ Slot::Queued) => {
                                *slot = Slot::Running;
                                break name;
                            }
                            _ => continue, // claimed by the caller meanwhile
                        },
                        None => {
                            self.changed.notify_all(); // idle: for anyone waiting on that
                            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner())
                        }
                    }
                }
            };
            // a load that panics is a family the caller loads itself
            let load = catch_unwind(AssertUnwindSafe(|| (self.job)(&name))).unwrap_or(None);
            self.lock().slots.insert(name, Slot::Done(load));
            self.changed.notify_all();
        }
    }
}

/// The family a requirement text asks a solve to load; None for a conflict
/// (`!`) or an ephemeral (`.`), which load nothing.
pub fn required_family(text: &str) -> Option<&str> {
    let name = requirement_name(text);
    let loads = !text.starts_with('!') && !name.is_empty() && !name.starts_with('.');
    loads.then_some(name)
}

/// The load a prefetch worker makes of family `name`: every version, from
/// the memo only (no definition file is opened: on a network filesystem
/// each open is a round trip, for versions the solve may never ask for);
/// None unless clean: every file answered by the memo, nothing left to
/// rez's evaluator or only rez can serve, no memo problem.
pub fn load_ahead(
    store: &Store,
    location: &Path,
    name: &str,
    settings: &LayoutSettings,
    options: ServeOptions,
) -> Option<FamilyLoad> {
    let options = ServeOptions {
        memo_only: true,
        ..options
    };
    let names = [name.to_string()];
    let load = load_families(Some(store), location, &names, None, settings, options);
    let clean = load.needs_rez.is_empty() && load.to_evaluate.is_empty() && load.notices.is_empty();
    clean.then_some(load)
}

/// Families loaded ahead on a worker thread, for one solve.
pub struct Prefetcher {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
    /// The worker could not be started: nothing is prefetched.
    disabled: bool,
    /// `take` waits for a queued family instead of leaving it to the caller
    /// (slower; makes which families are prefetched deterministic, for
    /// validation).
    wait_for_queued: bool,
    /// Hashes of the names passed to `want` so far, kept on the caller's
    /// side: a family's packages name the same families over and over, and
    /// each is queued once without taking the lock again (a hash collision
    /// only skips a prefetch).
    wanted: FxHashSet<u64>,
}

impl Prefetcher {
    /// A prefetcher running `job` for each family wanted (the worker starts
    /// with the first).
    pub fn new(job: Box<PrefetchJob>) -> Prefetcher {
        Prefetcher {
            shared: Arc::new(Shared {
                job,
                state: Mutex::default(),
                changed: Condvar::new(),
            }),
            worker: None,
            disabled: false,
            wait_for_queued: false,
            wanted: FxHashSet::default(),
        }
    }

    /// See `wait_for_queued`.
    pub fn waiting_for_queued(mut self, wait: bool) -> Prefetcher {
        self.wait_for_queued = wait;
        self
    }

    /// Queues the families of `names` not wanted or taken before.
    pub fn want<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) {
        if self.disabled {
            return;
        }
        let wanted = &mut self.wanted;
        let names: Vec<&str> = names
            .into_iter()
            .filter(|name| wanted.insert(FxBuildHasher.hash_one(name)))
            .collect();
        if names.is_empty() {
            return;
        }
        let mut added = false;
        {
            let mut state = self.shared.lock();
            for name in names {
                if !state.slots.contains_key(name) {
                    state.slots.insert(name.to_string(), Slot::Queued);
                    state.queue.push_back(name.to_string());
                    added = true;
                }
            }
        }
        if !added {
            return;
        }
        if self.worker.is_none() {
            let shared = self.shared.clone();
            match std::thread::Builder::new()
                .name("pyrer-prefetch".into())
                .spawn(move || shared.run())
            {
                Ok(handle) => self.worker = Some(handle),
                Err(_) => {
                    self.disabled = true;
                    return;
                }
            }
        }
        self.shared.changed.notify_all();
    }

    /// The prefetched load of `name`, waiting for it if the worker is on it;
    /// None if it was not prefetched (or not cleanly): the caller loads it.
    /// Each family is handed out once.
    pub fn take(&self, name: &str) -> Option<FamilyLoad> {
        let mut state = self.shared.lock();
        loop {
            match state.slots.get_mut(name) {
                None => {
                    // not wanted yet: the caller loads it, the worker must not
                    state.slots.insert(name.to_string(), Slot::Taken);
                    return None;
                }
                Some(Slot::Running) => {
                    state = self
                        .shared
                        .changed
                        .wait(state)
                        .unwrap_or_else(|p| p.into_inner());
                }
                Some(Slot::Queued) if self.wait_for_queued && self.worker.is_some() => {
                    state = self
                        .shared
                        .changed
                        .wait(state)
                        .unwrap_or_else(|p| p.into_inner());
                }
                Some(slot) => {
                    return match std::mem::replace(slot, Slot::Taken) {
                        Slot::Done(load) => load,
                        _ => None, // queued (now claimed) or taken before
                    };
                }
            }
        }
    }

    /// Hands `garbage` to the worker to free, off the caller's thread (a
    /// solve's thousands of packages take milliseconds to free); freed here
    /// and now when there is no worker.
    pub fn discard(&self, garbage: Garbage) {
        if self.worker.is_none() {
            drop(garbage);
            return;
        }
        self.shared.lock().garbage.push(garbage);
        self.shared.changed.notify_all();
    }
}

#[cfg(test)]
impl Prefetcher {
    /// Waits until the worker has loaded every queued family.
    fn wait_idle(&self) {
        let mut state = self.shared.lock();
        while !state.queue.is_empty() || state.slots.values().any(|s| matches!(s, Slot::Running)) {
            state = self
                .shared
                .changed
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Prefetcher {
    /// Stops the worker after the family it is loading, without waiting for
    /// it: a solve that is done must not wait for a load it will not use.
    /// The worker holds no Python object and nothing of the solve's.
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.changed.notify_all();
        drop(self.worker.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memo::Counters;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn load_named(name: &str) -> FamilyLoad {
        FamilyLoad {
            absent: vec![name.to_string()],
            counters: Counters::default(),
            ..FamilyLoad::default()
        }
    }

    #[test]
    fn wanted_families_are_loaded_once_and_handed_out_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str| {
            counted.fetch_add(1, Ordering::SeqCst);
            (name != "unclean").then(|| load_named(name))
        }));
        p.want(["a", "b", "unclean", "a"]);
        p.wait_idle();
        let a = p.take("a").expect("prefetched");
        assert_eq!(a.absent, ["a"]);
        assert!(p.take("a").is_none(), "handed out twice");
        assert_eq!(p.take("b").unwrap().absent, ["b"]);
        assert!(p.take("unclean").is_none());
        // never wanted: the caller loads it, and the worker never will
        assert!(p.take("c").is_none());
        p.want(["c"]);
        assert!(p.take("c").is_none());
        drop(p);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn required_families() {
        assert_eq!(required_family("maya-2024+<2025"), Some("maya"));
        assert_eq!(required_family("~python-3"), Some("python"));
        assert_eq!(required_family("nuke"), Some("nuke"));
        assert_eq!(required_family("foo==1"), Some("foo"));
        assert_eq!(required_family("!foo-1"), None);
        assert_eq!(required_family(".eph-1"), None);
        assert_eq!(required_family("~.eph"), None);
        assert_eq!(required_family("-1"), None);
    }

    #[test]
    fn a_panicking_load_is_left_to_the_caller() {
        let mut p = Prefetcher::new(Box::new(|name: &str| {
            if name == "boom" {
                panic!("damaged");
            }
            Some(load_named(name))
        }));
        p.want(["boom", "fine"]);
        p.wait_idle();
        assert!(p.take("boom").is_none());
        assert!(p.take("fine").is_some());
    }

    #[test]
    fn a_family_the_caller_claims_first_is_not_loaded_by_the_worker() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str| {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            Some(load_named(name))
        }));
        p.want(["slow", "claimed"]);
        while calls.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now(); // until the worker is on "slow"
        }
        assert!(p.take("claimed").is_none()); // still queued behind "slow"
        assert!(p.take("slow").is_some()); // waits for the worker
        p.wait_idle();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waiting_for_queued_families_serves_every_wanted_one() {
        let mut p = Prefetcher::new(Box::new(|name: &str| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            Some(load_named(name))
        }))
        .waiting_for_queued(true);
        p.want(["a", "b", "c"]);
        for name in ["c", "a", "b"] {
            assert_eq!(p.take(name).expect(name).absent, [name]);
        }
    }

    /// Drop marks the thread it ran on.
    struct Marked(Arc<Mutex<Option<std::thread::ThreadId>>>);

    impl Drop for Marked {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(std::thread::current().id());
        }
    }

    #[test]
    fn discarded_values_are_freed_on_the_worker_even_after_the_last_load() {
        let mut p = Prefetcher::new(Box::new(|name: &str| Some(load_named(name))));
        let freed_by = Arc::new(Mutex::new(None));
        // no worker yet: freed at once, on the caller's thread
        p.discard(Box::new(Marked(freed_by.clone())));
        assert_eq!(*freed_by.lock().unwrap(), Some(std::thread::current().id()));

        p.want(["a"]);
        p.wait_idle();
        let handed = Arc::new(Mutex::new(None));
        p.discard(Box::new(Marked(handed.clone())));
        drop(p); // closed: what was handed over is still freed, by the worker
        while handed.lock().unwrap().is_none() {
            std::thread::yield_now();
        }
        let freed_on = handed.lock().unwrap().unwrap();
        assert_ne!(freed_on, std::thread::current().id());
    }

    #[test]
    fn dropping_stops_the_worker_without_waiting_for_it() {
        // each load waits until the test lets it go (the timeout is only a
        // safety net for a broken prefetcher, not a measure)
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let started = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let (s, f) = (started.clone(), finished.clone());
        let mut p = Prefetcher::new(Box::new(move |name: &str| {
            s.fetch_add(1, Ordering::SeqCst);
            let _ = gate
                .lock()
                .unwrap()
                .recv_timeout(std::time::Duration::from_secs(10));
            f.fetch_add(1, Ordering::SeqCst);
            Some(load_named(name))
        }));
        let names: Vec<String> = (0..200).map(|i| format!("f{i}")).collect();
        p.want(names.iter().map(String::as_str));
        while started.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now(); // until the worker is inside its first load
        }
        drop(p);
        assert_eq!(
            finished.load(Ordering::SeqCst),
            0,
            "drop waited for the worker"
        );
        release.send(()).unwrap();
        // the worker ends after that load (its job, and the counters it
        // holds, are dropped with it) without starting another
        while Arc::strong_count(&started) > 1 {
            std::thread::yield_now();
        }
        assert_eq!(
            started.load(Ordering::SeqCst),
            1,
            "still loading after drop"
        );
        assert_eq!(finished.load(Ordering::SeqCst), 1);
    }
}
