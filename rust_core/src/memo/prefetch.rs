//! Loading families ahead of a solve, on a second thread.
//!
//! A fresh solve spends about half its time listing, stamping and reading
//! families (issue 12), one after the other, while the machine's other core
//! idles. The families a solve will ask for next are mostly those its loaded
//! packages require; a [`Prefetcher`] loads them meanwhile, within the union
//! of the ranges they were required with so far (the solver asks for one of
//! those ranges or a narrower one). A load whose range does not cover the
//! range asked is not used: the caller loads that family itself.
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

use super::stamp_check::{all_hold, Unchecked};
use super::{load_families, FamilyLoad, LayoutSettings, ServeOptions, Store};
use crate::algebra::range::VersionRange;
use crate::algebra::requirement::Requirement;
use crate::algebra::version::Version;
use crate::package::names::requirement_name;

/// Loads one family within a range (None: every version); None when the
/// load is not clean.
pub type PrefetchJob = dyn Fn(&str, Option<&VersionRange>) -> Option<FamilyLoad> + Send + Sync;

/// Something the caller no longer needs, freed by the worker.
pub type Garbage = Box<dyn Send>;

enum Slot {
    /// Waiting in a queue (the first it joined, or `Asked` once the solve
    /// named it).
    Queued(Queue),
    /// Being loaded by the worker.
    Running,
    /// Loaded within a range (None: not clean, the caller loads it).
    Done(Option<Box<FamilyLoad>>, Covered),
    /// Handed out, or claimed by the caller before the worker reached it.
    Taken,
}

#[derive(Default)]
struct State {
    /// Families the solve's loads named, in that order.
    queue: VecDeque<String>,
    /// Families the worker found itself (see [`look_ahead`]), loaded when
    /// `queue` is empty and no stamp waits to be checked.
    ahead: VecDeque<String>,
    /// The requirements each queued family was wanted with: the range its
    /// load covers is their union.
    wanted_with: HashMap<String, Vec<String>>,
    slots: HashMap<String, Slot>,
    /// Freed by the worker before its next load (see `Prefetcher::discard`).
    garbage: Vec<Garbage>,
    /// Stamps of files the solve used, to check (see [`super::stamp_check`]).
    checks: Unchecked,
    /// Batches of `checks` the worker is checking.
    checking: usize,
    /// A stamp checked did not hold.
    stale: bool,
    /// The solve is over: no family is loaded any more.
    solved: bool,
    closed: bool,
}

/// Stamps checked at a time: short enough for a family wanted meanwhile to
/// wait little, long enough to take the lock rarely.
const CHECK_BATCH: usize = 64;

impl State {
    /// A batch of the stamps left to check.
    fn check_batch(&mut self) -> Unchecked {
        let at = self.checks.len().saturating_sub(CHECK_BATCH);
        self.checks.split_off(at)
    }
}

/// What the worker does next.
enum Work {
    Load((String, Vec<String>)),
    Check(Unchecked),
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

    /// The worker: families the solve named, in the order they were wanted,
    /// until the solve is over; then stamps to check; then the families it
    /// found itself (a fifth of those are never asked for, while every
    /// check must be made before the answer is used: checked now, they no
    /// longer wait for the end of the solve, 6% faster fresh solves); the
    /// caller's garbage first whenever there is some, except before the last
    /// checks (after closing too: what a finished solve leaves is freed
    /// here).
    fn run(&self) {
        loop {
            let work = {
                let mut state = self.lock();
                loop {
                    // once the solve is over, its answer waits on the checks
                    let checks_first = state.solved && !state.checks.is_empty();
                    if !state.garbage.is_empty() && !checks_first {
                        let garbage = std::mem::take(&mut state.garbage);
                        drop(state);
                        drop(garbage);
                        state = self.lock();
                        continue;
                    }
                    if state.closed {
                        return;
                    }
                    if !state.solved {
                        // what it found ahead waits while stamps wait
                        let ahead = state.checks.is_empty();
                        if let Some(name) = Shared::claim_next(&mut state, ahead) {
                            break Work::Load(name);
                        }
                    }
                    if !state.checks.is_empty() {
                        state.checking += 1;
                        break Work::Check(state.check_batch());
                    }
                    self.changed.notify_all(); // idle: for anyone waiting on that
                    state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner())
                }
            };
            match work {
                Work::Load(name) => self.load(name),
                Work::Check(batch) => {
                    // a check that panics counts as a stamp that changed
                    let held = catch_unwind(|| all_hold(&batch)).unwrap_or(false);
                    let mut state = self.lock();
                    state.checking -= 1;
                    state.stale |= !held;
                    drop(state);
                    self.changed.notify_all();
                }
            }
        }
    }

    /// The first family still queued (in `ahead` too if `ahead`), marked
    /// running, with the requirements it was wanted with (None: none left).
    fn claim_next(state: &mut State, ahead: bool) -> Option<(String, Vec<String>)> {
        while let Some(name) =
            (state.queue.pop_front()).or_else(|| ahead.then(|| state.ahead.pop_front()).flatten())
        {
            if let Some(slot @ Slot::Queued(_)) = state.slots.get_mut(&name) {
                *slot = Slot::Running;
                let wanted_with = state.wanted_with.remove(&name).unwrap_or_default();
                return Some((name, wanted_with));
            } // else claimed by the caller meanwhile, or moved up from `ahead`
        }
        None
    }

    /// Loads a family claimed with `claim_next`, outside the lock, and
    /// queues what its likely pick requires.
    fn load(&self, (name, wanted_with): (String, Vec<String>)) {
        let covered = covered_by(&wanted_with);
        // a load that panics is a family the caller loads itself
        let load =
            catch_unwind(AssertUnwindSafe(|| (self.job)(&name, covered.as_ref()))).unwrap_or(None);
        let ahead = match &load {
            Some(load) => look_ahead(load, covered.as_ref()),
            None => Vec::new(),
        };
        let mut state = self.lock();
        state
            .slots
            .insert(name, Slot::Done(load.map(Box::new), covered));
        for requirement in &ahead {
            state.add(requirement, Queue::Ahead);
        }
        drop(state);
        self.changed.notify_all();
    }
}

/// The versions a prefetched load holds: those of a range (None: every one).
type Covered = Option<VersionRange>;

/// The union of the ranges of `requirements` (weak ones, which load
/// nothing, left out); None (every version) if one of them is unbounded or
/// unreadable, or none of them names a range.
fn covered_by(requirements: &[String]) -> Covered {
    let mut union: Option<VersionRange> = None;
    for text in requirements {
        let Ok(requirement) = Requirement::parse(text) else {
            return None;
        };
        if requirement.conflict() {
            continue;
        }
        let range = requirement.range()?;
        if range.is_any() {
            return None;
        }
        union = Some(match union {
            Some(u) => u.union(range),
            None => range.clone(),
        });
    }
    union
}

/// Whether a load of `covered` holds every version of `asked`.
fn covers(covered: &Covered, asked: Option<&VersionRange>) -> bool {
    match (covered, asked) {
        (None, _) => true,
        (Some(c), Some(a)) => c.issuperset(a),
        (Some(_), None) => false,
    }
}

/// Which queue a wanted family joins.
#[derive(Clone, Copy, PartialEq)]
enum Queue {
    Asked,
    Ahead,
}

impl State {
    /// Queues the family `requirement` names unless it is loading or
    /// loaded already, and records the requirement for its range (a family
    /// found ahead moves up when the solve names it); true if it joined a
    /// queue.
    fn add(&mut self, requirement: &str, queue: Queue) -> bool {
        let Some(name) = required_family(requirement) else {
            return false;
        };
        let joins = match self.slots.get_mut(name) {
            None => {
                self.slots.insert(name.to_string(), Slot::Queued(queue));
                true
            }
            Some(Slot::Queued(q)) if *q == Queue::Ahead && queue == Queue::Asked => {
                *q = Queue::Asked;
                true
            }
            Some(Slot::Queued(_)) => false,
            Some(_) => return false,
        };
        match self.wanted_with.get_mut(name) {
            Some(requirements) => requirements.push(requirement.to_string()),
            None => {
                let requirements = vec![requirement.to_string()];
                self.wanted_with.insert(name.to_string(), requirements);
            }
        }
        if joins {
            match queue {
                Queue::Asked => self.queue.push_back(name.to_string()),
                Queue::Ahead => self.ahead.push_back(name.to_string()),
            }
        }
        joins
    }
}

/// The requirements of the latest version of `load` within `covered`: the
/// solve usually picks that version, and needs what it requires next. A
/// family's versions require much the same, so one version is a good guess
/// at little cost; the others' requirements are queued when the solve takes
/// the family (`Prefetcher::want`).
fn look_ahead(load: &FamilyLoad, covered: Option<&VersionRange>) -> Vec<String> {
    let latest = load
        .packages
        .iter()
        .filter_map(|(data, version)| {
            let version = version
                .clone()
                .or_else(|| Version::parse(data.version()).ok())?;
            covered
                .is_none_or(|c| c.contains_version(&version))
                .then_some((version, data))
        })
        .max_by(|a, b| a.0.cmp(&b.0));
    let Some((_, data)) = latest else {
        return Vec::new();
    };
    data.requires()
        .chain(data.variants().flatten())
        .map(str::to_string)
        .collect()
}

/// The family a requirement text asks a solve to load; None for a conflict
/// (`!`) or an ephemeral (`.`), which load nothing.
pub fn required_family(text: &str) -> Option<&str> {
    let name = requirement_name(text);
    let loads = !text.starts_with('!') && !name.is_empty() && !name.starts_with('.');
    loads.then_some(name)
}

/// The load a prefetch worker makes of family `name` within `range` (None:
/// every version), from the memo only (no definition file is opened: on a
/// network filesystem each open is a round trip, for versions the solve may
/// never ask for); None unless clean: every file answered by the memo,
/// nothing left to rez's evaluator or only rez can serve, no memo problem.
pub fn load_ahead(
    store: &Store,
    location: &Path,
    name: &str,
    range: Option<&VersionRange>,
    settings: &LayoutSettings,
    options: ServeOptions,
) -> Option<FamilyLoad> {
    let options = ServeOptions {
        memo_only: true,
        ..options
    };
    let names = [name.to_string()];
    let load = load_families(Some(store), location, &names, range, settings, options);
    let clean = load.needs_rez.is_empty() && load.to_evaluate.is_empty() && load.notices.is_empty();
    clean.then_some(load)
}

/// Why [`Prefetcher::take`] has no load for the caller, who loads the
/// family itself.
#[derive(Debug, PartialEq, Eq)]
pub enum NotTaken {
    /// Not loaded ahead (or not cleanly), or handed out before.
    Absent,
    /// Loaded ahead for a range narrower than the one asked.
    Narrower,
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
    /// Hashes of the requirements passed to `want` so far, kept on the
    /// caller's side: a family's packages repeat the same requirements over
    /// and over, and each is handed over once without taking the lock again
    /// (a hash collision can only narrow a prefetch, which a load then
    /// does not use).
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

    /// Queues the families `requirements` name, unless wanted or taken
    /// before.
    pub fn want<'n>(&mut self, requirements: impl IntoIterator<Item = &'n str>) {
        if self.disabled {
            return;
        }
        let wanted = &mut self.wanted;
        let requirements: Vec<&str> = requirements
            .into_iter()
            .filter(|r| wanted.insert(FxBuildHasher.hash_one(r)))
            .collect();
        if requirements.is_empty() {
            return;
        }
        let mut added = false;
        {
            let mut state = self.shared.lock();
            for requirement in requirements {
                added |= state.add(requirement, Queue::Asked);
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

    /// The prefetched load of `name`, waiting for it if the worker is on it
    /// (and meanwhile loading the next queued family here, as the worker
    /// would: a solve asking for the families of its request one after the
    /// other would otherwise wait on each); None if it was not prefetched
    /// (or not cleanly): the caller loads it. Each family is handed out once.
    /// A load not covering `range` is not used either.
    pub fn take(&self, name: &str, range: Option<&VersionRange>) -> Result<FamilyLoad, NotTaken> {
        let mut state = self.shared.lock();
        loop {
            match state.slots.get_mut(name) {
                None => {
                    // not wanted yet: the caller loads it, the worker must not
                    state.slots.insert(name.to_string(), Slot::Taken);
                    return Err(NotTaken::Absent);
                }
                Some(Slot::Running) => match Shared::claim_next(&mut state, true) {
                    Some(next) => {
                        drop(state);
                        self.shared.load(next);
                        state = self.shared.lock();
                    }
                    None => {
                        state = self
                            .shared
                            .changed
                            .wait(state)
                            .unwrap_or_else(|p| p.into_inner());
                    }
                },
                Some(Slot::Queued(_)) if self.wait_for_queued && self.worker.is_some() => {
                    state = self
                        .shared
                        .changed
                        .wait(state)
                        .unwrap_or_else(|p| p.into_inner());
                }
                Some(slot) => {
                    return match std::mem::replace(slot, Slot::Taken) {
                        Slot::Done(Some(load), covered) if covers(&covered, range) => Ok(*load),
                        Slot::Done(Some(load), _) => {
                            state.garbage.push(load); // freed by the worker
                            self.shared.changed.notify_all();
                            Err(NotTaken::Narrower)
                        }
                        _ => Err(NotTaken::Absent), // not clean, claimed now or taken before
                    };
                }
            }
        }
    }

    /// Queues stamps of files a solve used, to check before its answer is
    /// (see [`super::stamp_check`]): on the worker when it has no family
    /// to load, the rest in [`Prefetcher::finish_checks`].
    pub fn check_later(&self, files: Unchecked) {
        if files.is_empty() {
            return;
        }
        self.shared.lock().checks.extend(files);
        self.shared.changed.notify_all();
    }

    /// Ends the solve's loading and checks the stamps still queued, here
    /// and on the worker; true if every stamp queued by `check_later` held.
    pub fn finish_checks(&self) -> bool {
        let mut state = self.shared.lock();
        state.solved = true;
        self.shared.changed.notify_all();
        loop {
            if !state.checks.is_empty() {
                let batch = state.check_batch();
                drop(state);
                let held = all_hold(&batch);
                state = self.shared.lock();
                state.stale |= !held;
            } else if state.checking > 0 {
                state = self
                    .shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|p| p.into_inner());
            } else {
                return !state.stale;
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
        while !state.queue.is_empty()
            || !state.ahead.is_empty()
            || state.slots.values().any(|s| matches!(s, Slot::Running))
        {
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
    use crate::package::PackageData;
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
        let mut p = Prefetcher::new(Box::new(move |name: &str, _: Option<&VersionRange>| {
            counted.fetch_add(1, Ordering::SeqCst);
            (name != "unclean").then(|| load_named(name))
        }));
        p.want(["a", "b", "unclean", "a"]);
        p.wait_idle();
        let a = p.take("a", None).expect("prefetched");
        assert_eq!(a.absent, ["a"]);
        assert!(p.take("a", None).is_err(), "handed out twice");
        assert_eq!(p.take("b", None).unwrap().absent, ["b"]);
        assert!(p.take("unclean", None).is_err());
        // never wanted: the caller loads it, and the worker never will
        assert!(p.take("c", None).is_err());
        p.want(["c"]);
        assert!(p.take("c", None).is_err());
        drop(p);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn stamps_left_for_later_are_checked_on_the_worker_and_at_the_end() {
        use crate::memo::{FileStamp, UncheckedFile};
        let dir =
            std::env::temp_dir().join(format!("pyrer-prefetch-checks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<_> = (0..200)
            .map(|i| {
                let path = dir.join(format!("{i}.py"));
                std::fs::write(&path, "name = 'x'\n").unwrap();
                let stamp = FileStamp::of(&std::fs::metadata(&path).unwrap());
                UncheckedFile {
                    path,
                    stamp,
                    package: i,
                }
            })
            .collect();
        let mut p = Prefetcher::new(Box::new(|name: &str, _: Option<&VersionRange>| {
            Some(load_named(name))
        }));
        p.want(["a"]); // starts the worker
        p.check_later(files.clone());
        // the worker, with no family left to load, checks them meanwhile
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !p.shared.lock().checks.is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(p.shared.lock().checks.is_empty(), "the idle worker checks");
        assert!(p.finish_checks());
        drop(p);

        // one file changed after its stamp was taken: the answer must not stand
        let p = Prefetcher::new(Box::new(|name: &str, _: Option<&VersionRange>| {
            Some(load_named(name))
        }));
        std::fs::write(&files[123].path, "name = 'x'\nrequires = ['y']\n").unwrap();
        p.check_later(files);
        assert!(!p.finish_checks(), "no worker: checked by the caller");
        let _ = std::fs::remove_dir_all(&dir);
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
        let mut p = Prefetcher::new(Box::new(|name: &str, _: Option<&VersionRange>| {
            if name == "boom" {
                panic!("damaged");
            }
            Some(load_named(name))
        }));
        p.want(["boom", "fine"]);
        p.wait_idle();
        assert!(p.take("boom", None).is_err());
        assert!(p.take("fine", None).is_ok());
    }

    #[test]
    fn a_family_the_caller_claims_first_is_not_loaded_by_the_worker() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str, _: Option<&VersionRange>| {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            Some(load_named(name))
        }));
        p.want(["slow", "claimed"]);
        while calls.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now(); // until the worker is on "slow"
        }
        assert!(p.take("claimed", None).is_err()); // still queued behind "slow"
        assert!(p.take("slow", None).is_ok()); // waits for the worker
        p.wait_idle();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waiting_for_queued_families_serves_every_wanted_one() {
        let mut p = Prefetcher::new(Box::new(|name: &str, _: Option<&VersionRange>| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            Some(load_named(name))
        }))
        .waiting_for_queued(true);
        p.want(["a", "b", "c"]);
        for name in ["c", "a", "b"] {
            assert_eq!(p.take(name, None).expect(name).absent, [name]);
        }
    }

    fn range(text: &str) -> VersionRange {
        VersionRange::parse(text).unwrap()
    }

    fn texts(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_load_covers_the_union_of_the_ranges_its_family_was_wanted_with() {
        assert_eq!(covered_by(&texts(&["a-1", "a-3"])), Some(range("1|3")));
        // a weak requirement loads nothing: it widens nothing
        assert_eq!(covered_by(&texts(&["a-1", "~a-5"])), Some(range("1")));
        // unbounded, unreadable or no range at all: every version
        assert_eq!(covered_by(&texts(&["a-1", "a"])), None);
        assert_eq!(covered_by(&texts(&["a-1", "a-1+<<"])), None);
        assert_eq!(covered_by(&texts(&["~a-1"])), None);
        assert_eq!(covered_by(&[]), None);

        assert!(covers(&None, None));
        assert!(covers(&Some(range("1+")), Some(&range("2"))));
        assert!(!covers(&Some(range("2")), Some(&range("1+"))));
        assert!(!covers(&Some(range("1+")), None));
    }

    #[test]
    fn a_load_narrower_than_the_range_asked_is_not_used() {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let seen = asked.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str, r: Option<&VersionRange>| {
            seen.lock()
                .unwrap()
                .push((name.to_string(), r.map(|r| r.to_string())));
            Some(load_named(name))
        }));
        p.want(["a-1", "a-3", "b-1+"]); // under one lock: a is claimed after both
        p.wait_idle();
        let mut asked = asked.lock().unwrap().clone();
        asked.sort();
        assert_eq!(
            asked,
            [
                ("a".into(), Some("1|3".into())),
                ("b".into(), Some("1+".into()))
            ]
        );
        assert!(
            p.take("a", Some(&range("1+"))).err() == Some(NotTaken::Narrower),
            "a is loaded for 1|3 only"
        );
        assert!(
            p.take("a", Some(&range("1"))).err() == Some(NotTaken::Absent),
            "handed out (or dropped) once"
        );
        assert!(p.take("b", Some(&range("2+<3"))).is_ok());
    }

    #[test]
    fn the_worker_looks_ahead_to_what_the_latest_version_in_range_requires() {
        let loaded = Arc::new(Mutex::new(Vec::new()));
        let seen = loaded.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str, _: Option<&VersionRange>| {
            seen.lock().unwrap().push(name.to_string());
            let mut load = load_named(name);
            if name == "a" {
                load.packages = [("1", "x"), ("2", "y-1"), ("3", "z")]
                    .into_iter()
                    .map(|(v, req)| (PackageData::new("a", v, [req], [[".e"]]), None))
                    .collect();
            }
            Some(load)
        }));
        p.want(["a-1+<3"]);
        p.wait_idle();
        assert_eq!(*loaded.lock().unwrap(), ["a", "y"]);
        // what the solve then names comes first; y was loaded for its range
        assert!(p.take("y", Some(&range("1"))).is_ok());
    }

    #[test]
    fn stamps_to_check_come_before_the_families_found_ahead() {
        use crate::memo::{FileStamp, UncheckedFile};
        let dir = std::env::temp_dir().join(format!("pyrer-checks-first-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("package.py");
        std::fs::write(&path, "name = 'a'\n").unwrap();
        let stamp = FileStamp::of(&std::fs::metadata(&path).unwrap());
        let checks_queued = Arc::new(AtomicUsize::new(0));
        let queued = checks_queued.clone();
        let edited = path.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str, _: Option<&VersionRange>| {
            let mut load = load_named(name);
            if name == "a" {
                // until the stamp is queued (the timeout only guards
                // against a broken prefetcher)
                let start = std::time::Instant::now();
                while queued.load(Ordering::SeqCst) == 0 && start.elapsed().as_secs() < 10 {
                    std::thread::yield_now();
                }
                load.packages = vec![(PackageData::new("a", "1", ["y"], [[".e"]]), None)];
            } else {
                // found ahead: the file changes now, so its check holds
                // only if it was made before this load
                std::fs::write(&edited, "name = 'a'\nrequires = ['y']\n").unwrap();
            }
            Some(load)
        }));
        p.want(["a"]);
        p.check_later(vec![UncheckedFile {
            path: path.clone(),
            stamp,
            package: 0,
        }]);
        checks_queued.store(1, Ordering::SeqCst);
        p.wait_idle(); // "y" loaded too
        assert!(p.finish_checks(), "checked before the load found ahead");
        drop(p);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_caller_waiting_on_the_worker_loads_the_next_queued_family_meanwhile() {
        let threads = Arc::new(Mutex::new(HashMap::new()));
        let seen = threads.clone();
        let next_done = Arc::new(AtomicUsize::new(0));
        let done = next_done.clone();
        let mut p = Prefetcher::new(Box::new(move |name: &str, _: Option<&VersionRange>| {
            seen.lock()
                .unwrap()
                .insert(name.to_string(), std::thread::current().id());
            if name == "slow" {
                // until the caller has loaded "next" (the timeout only
                // guards against a broken prefetcher)
                let start = std::time::Instant::now();
                while done.load(Ordering::SeqCst) == 0 && start.elapsed().as_secs() < 10 {
                    std::thread::yield_now();
                }
            } else {
                done.fetch_add(1, Ordering::SeqCst);
            }
            Some(load_named(name))
        }));
        p.want(["slow", "next"]);
        while !threads.lock().unwrap().contains_key("slow") {
            std::thread::yield_now(); // until the worker is on "slow"
        }
        assert!(p.take("slow", None).is_ok());
        let threads = threads.lock().unwrap();
        assert_eq!(threads["next"], std::thread::current().id());
        assert_ne!(threads["slow"], std::thread::current().id());
        drop(threads);
        assert!(p.take("next", None).is_ok());
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
        let mut p = Prefetcher::new(Box::new(|name: &str, _: Option<&VersionRange>| {
            Some(load_named(name))
        }));
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
        let mut p = Prefetcher::new(Box::new(move |name: &str, _: Option<&VersionRange>| {
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
