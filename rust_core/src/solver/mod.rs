//! A port of rez 3.4's solver (`rez/solver.py`): phases on a stack, each
//! narrowed by extraction, intersection and reduction, split when exhausted,
//! with rez's failure and error semantics.

mod context;
mod failure;
pub mod family;
mod graph;
pub mod order;
mod phase;
mod request;
mod scope;
mod slice;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

pub use context::{SolveError, VariantSelectMode};
pub use family::{release, FamilyLoader, Loaded, NoLoader};

use context::Context;
use failure::{DependencyConflict, FailureReason};
use family::FamilyStore;
use phase::{Phase, PhaseStatus};

use crate::algebra::requirement::{Requirement, RequirementList};
use crate::package::filter::PackageFilterList;
use crate::package::Package;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolveStatus {
    Solved,
    /// No solution exists (rez's `SolverStatus.failed`, cycles included).
    Failed,
    /// rez would have raised (missing package, internal conflict, bad input).
    Error,
}

impl SolveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SolveStatus::Solved => "solved",
            SolveStatus::Failed => "failed",
            SolveStatus::Error => "error",
        }
    }
}

pub struct SolveOutcome {
    pub status: SolveStatus,
    /// Resolved variants in rez's order: (package, variant slot).
    pub variants: Vec<(Arc<Package>, usize)>,
    pub ephemerals: Vec<String>,
    pub failure_description: Option<String>,
    /// Phases solved (rez's `num_solves`).
    pub num_iterations: usize,
    pub load_calls: usize,
    /// The final phase's extractions, (scope family, requirement), as rez's
    /// resolve graph draws them (solved resolves only).
    pub extractions: Vec<(String, String)>,
    /// The final phase's scopes (packages and ephemerals) in rez's order:
    /// dependencies first, else request order (solved resolves only).
    pub scope_order: Vec<String>,
}

impl SolveOutcome {
    fn error(message: String, num_iterations: usize, load_calls: usize) -> SolveOutcome {
        SolveOutcome {
            status: SolveStatus::Error,
            variants: Vec::new(),
            ephemerals: Vec::new(),
            failure_description: Some(message),
            num_iterations,
            load_calls,
            extractions: Vec::new(),
            scope_order: Vec::new(),
        }
    }
}

/// rez's `Solver.status` over the phase stack.
enum StackStatus {
    Solved,
    Failed,
    Unsolved,
}

fn stack_status(stack: &[Phase]) -> StackStatus {
    let top = stack.last().expect("phase stack is never empty").status;
    match top {
        PhaseStatus::Cyclic => StackStatus::Failed,
        PhaseStatus::Solved => StackStatus::Solved,
        _ if stack.len() > 1 => StackStatus::Unsolved,
        PhaseStatus::Pending | PhaseStatus::Exhausted => StackStatus::Unsolved,
        PhaseStatus::Failed => StackStatus::Failed,
    }
}

/// A finished solve's phases, freed with the families it loaded by the
/// loader (see [`FamilyLoader::release`]): a loader with an idle thread of
/// its own frees them there, and a fresh process's caller does not wait the
/// few hundred microseconds that takes for a large resolve.
pub struct Phases {
    /// Held only to be freed.
    _held: Vec<Phase>,
}

// SAFETY: a phase's `Rc`s (its scopes, their slices and the caches those
// share) are shared only with other phases of the same solve: `Context`
// and `FamilyStore` keep none, and an outcome copies what it reports. So
// once every phase of a solve is in one `Phases`, it holds every count of
// those `Rc`s, and whichever thread it moves to is the only one touching
// them.
unsafe impl Send for Phases {}

struct Run<'c, 'a> {
    ctx: &'c Context<'a>,
    stack: Vec<Phase>,
    failed: Vec<Phase>,
    num_solves: usize,
}

impl Run<'_, '_> {
    /// rez's `Solver.solve_step`.
    fn step(&mut self) -> Result<(), String> {
        let mut phase = self.stack.pop().expect("unsolved stack has a phase");
        if phase.status == PhaseStatus::Failed {
            self.failed.push(phase);
            phase = self.stack.pop().expect("a failed phase has a parent");
        }
        if phase.status == PhaseStatus::Exhausted {
            let (first, rest) = phase.split(self.ctx)?;
            self.stack.push(rest);
            phase = first;
        }
        let new_phase = phase.solve(self.ctx)?;
        self.num_solves += 1;
        let pushed = match new_phase.status {
            PhaseStatus::Solved => new_phase.finalise(self.ctx)?,
            _ => new_phase,
        };
        self.stack.push(pushed);
        Ok(())
    }

    /// rez's default `failure_description`: the first failure, or the cycle.
    fn failure_description(&self) -> String {
        let top = self.stack.last().expect("phase stack is never empty");
        let mut fails: Vec<&Phase> = self.failed.iter().collect();
        if matches!(top.status, PhaseStatus::Failed | PhaseStatus::Cyclic) {
            fails.push(top);
        }
        let phase = if top.status == PhaseStatus::Cyclic {
            fails.last()
        } else {
            fails.first()
        };
        match phase.and_then(|p| p.failure.as_ref()) {
            Some(reason) => reason.description(),
            None => "Solver failed with unknown reason.".to_string(),
        }
    }
}

/// Solves `requests` (rez requirement strings). `seed` holds complete
/// families (versions descending); other families come from `loader`.
pub fn solve(
    requests: &[String],
    seed: &HashMap<String, Vec<Arc<Package>>>,
    loader: &mut dyn FamilyLoader,
    mode: VariantSelectMode,
) -> SolveOutcome {
    solve_filtered(requests, seed, loader, mode, None, None)
}

/// [`solve`] with rez's package filter (the packages it excludes are
/// invisible to the resolve, as rez applies it when a family's versions are
/// intersected with a range) and package orderers (see [`order`]).
pub fn solve_filtered(
    requests: &[String],
    seed: &HashMap<String, Vec<Arc<Package>>>,
    loader: &mut dyn FamilyLoader,
    mode: VariantSelectMode,
    filter: Option<&PackageFilterList>,
    orderers: Option<&dyn order::PackageOrder>,
) -> SolveOutcome {
    let mut reqs = Vec::with_capacity(requests.len());
    for r in requests {
        match Requirement::parse(r) {
            Ok(req) => reqs.push(req),
            Err(e) => return SolveOutcome::error(e.to_string(), 0, 0),
        }
    }
    let request_list = match RequirementList::try_new(&reqs) {
        Ok(list) => list,
        Err(e) => return SolveOutcome::error(e.to_string(), 0, 0),
    };
    if let Some((a, b)) = request_list.conflict() {
        let reason = FailureReason::DependencyConflicts(vec![DependencyConflict {
            dependency: a.clone(),
            conflicting_request: b.clone(),
        }]);
        return SolveOutcome {
            status: SolveStatus::Failed,
            variants: Vec::new(),
            ephemerals: Vec::new(),
            failure_description: Some(reason.description()),
            num_iterations: 0,
            load_calls: 0,
            extractions: Vec::new(),
            scope_order: Vec::new(),
        };
    }
    // the request's families are the first the solve loads (a scope each)
    let expected: Vec<String> = request_list
        .requirements()
        .iter()
        .filter(|r| !r.conflict() && !r.ephemeral() && !seed.contains_key(r.name()))
        .map(|r| r.to_string())
        .collect();
    loader.expect(&expected);
    let ctx = Context::new(
        request_list,
        mode,
        FamilyStore::new(seed, loader, filter),
        orderers,
    );
    let mut run = Run {
        ctx: &ctx,
        stack: Vec::new(),
        failed: Vec::new(),
        num_solves: 0,
    };
    let result = (|| -> Result<StackStatus, String> {
        run.stack.push(Phase::new(run.ctx)?);
        loop {
            match stack_status(&run.stack) {
                StackStatus::Unsolved => {
                    run.ctx.check_interrupt()?;
                    run.step()?
                }
                done => return Ok(done),
            }
        }
    })();
    let load_calls = ctx.families.borrow().load_calls;
    let outcome = match result {
        Err(e) => SolveOutcome::error(e, run.num_solves, load_calls),
        Ok(StackStatus::Solved) => {
            let top = run.stack.last().expect("solved stack has a phase");
            match top.solved_variants(&ctx) {
                Ok(variants) => SolveOutcome {
                    status: SolveStatus::Solved,
                    variants,
                    ephemerals: top
                        .solved_ephemerals()
                        .iter()
                        .map(|r| r.to_string())
                        .collect(),
                    failure_description: None,
                    num_iterations: run.num_solves,
                    load_calls,
                    extractions: top
                        .extractions
                        .iter()
                        .map(|(fam, req)| (fam.clone(), req.to_string()))
                        .collect(),
                    scope_order: top.scopes.iter().map(|s| s.name.to_string()).collect(),
                },
                Err(e) => SolveOutcome::error(e, run.num_solves, load_calls),
            }
        }
        Ok(_) => SolveOutcome {
            status: SolveStatus::Failed,
            variants: Vec::new(),
            ephemerals: Vec::new(),
            failure_description: Some(run.failure_description()),
            num_iterations: run.num_solves,
            load_calls,
            extractions: Vec::new(),
            scope_order: Vec::new(),
        },
    };
    let mut phases = std::mem::take(&mut run.stack);
    phases.append(&mut run.failed);
    ctx.families
        .borrow_mut()
        .release_loaded(Phases { _held: phases });
    outcome
}
