//! rez's `_ResolvePhase`: a full copy of the resolve state, solved by
//! extraction, intersection and reduction until it is solved, failed, or
//! exhausted (then split in two).

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use super::context::{Context, SolveError};
use super::failure::{DependencyConflict, FailureReason};
use super::family::family_not_found;
use super::graph::{dependency_order, find_cycle, Graph};
use super::scope::{Mentions, Scope};
use super::slice::{Extraction, Narrowed};
use crate::algebra::requirement::Requirement;
use crate::package::names::FamId;
use crate::package::Package;

/// Extractions merged per family, in first-extracted order.
struct Merged {
    items: Vec<Extraction>,
    index: HashMap<FamId, usize>,
}

impl Merged {
    fn len(&self) -> usize {
        self.items.len()
    }
}

/// rez's `RequirementList` over extracted (non-conflict) requirements: the
/// ranges of one family intersect; an empty intersection is the conflict
/// between the merge so far and the newcomer.
fn merge_extractions(extracted: Vec<Extraction>) -> Result<Merged, DependencyConflict> {
    let mut merged = Merged {
        items: Vec::with_capacity(extracted.len()),
        index: HashMap::default(),
    };
    for e in extracted {
        match merged.index.get(&e.fam) {
            None => {
                merged.index.insert(e.fam, merged.items.len());
                merged.items.push(e);
            }
            Some(&i) => {
                let existing = &mut merged.items[i];
                match existing.range.intersection(&e.range) {
                    Some(range) => existing.range = range,
                    None => {
                        return Err(DependencyConflict {
                            dependency: existing.requirement(),
                            conflicting_request: e.requirement(),
                        })
                    }
                }
            }
        }
    }
    Ok(merged)
}

/// Requeues (reductions against a narrowed scope) that scan every scope,
/// allowed in one phase solve before indexing who mentions which family
/// pays for itself.
const SCANS_BEFORE_MENTIONERS: usize = 8;

/// Scopes from which a phase solve indexes them by family: below, scanning
/// them is cheaper than building the index.
const INDEX_FROM: usize = 512;

/// Scope lookups for one phase solve, so that on a resolve of thousands of
/// families a step costs what changed rather than the number of scopes.
#[derive(Default)]
struct ScopeIndex {
    /// Scope by family, once there are `INDEX_FROM` scopes; lookups scan
    /// every scope, as rez does, until then.
    by_fam: Option<HashMap<FamId, usize>>,
    /// Scopes `0..indexed` are in `by_fam`.
    indexed: usize,
    /// Two scopes share a family (not expected): always scan.
    shared: bool,
    /// The scopes that may mention each family, built once requeues have
    /// scanned all scopes often enough in this solve.
    mentioners: Option<Mentioners>,
    scans: usize,
}

impl ScopeIndex {
    /// Takes in the scopes added since the last call.
    fn sync(&mut self, scopes: &[Scope]) {
        if self.shared || scopes.len() < INDEX_FROM {
            return;
        }
        let by_fam = self.by_fam.get_or_insert_with(HashMap::default);
        for (i, scope) in scopes.iter().enumerate().skip(self.indexed) {
            if by_fam.insert(scope.fam, i).is_some() {
                self.shared = true;
                self.by_fam = None;
                self.mentioners = None;
                return;
            }
        }
        self.indexed = scopes.len();
    }

    /// (scope, merged item) of every scope whose family was extracted, in
    /// scope order.
    fn scopes_of(&self, scopes: &[Scope], merged: &Merged) -> Vec<(usize, usize)> {
        match &self.by_fam {
            Some(by_fam) => {
                let mut hits: Vec<(usize, usize)> = (merged.items.iter().enumerate())
                    .filter_map(|(m, e)| by_fam.get(&e.fam).map(|&i| (i, m)))
                    .collect();
                hits.sort_unstable();
                hits
            }
            None => (scopes.iter().enumerate())
                .filter_map(|(i, s)| merged.index.get(&s.fam).map(|&m| (i, m)))
                .collect(),
        }
    }

    /// The scopes on the families `scope` mentions (so the only ones it may
    /// reduce by), in no order, when listing them beats scanning
    /// `scan_len` scopes; None: scan.
    fn mentioned<'s>(
        &'s self,
        scope: &'s Scope,
        scan_len: usize,
    ) -> Option<impl Iterator<Item = usize> + 's> {
        let by_fam = self.by_fam.as_ref()?;
        let fams: &[FamId] = match scope.mentions() {
            Mentions::Nothing => &[],
            Mentions::Fams(fams) if fams.len() < scan_len => fams,
            _ => return None,
        };
        Some(fams.iter().filter_map(|f| by_fam.get(f).copied()))
    }

    /// Into `out`, ascending: the scopes that may mention `fam` (so may be
    /// reduced by a request on it); every scope until indexing pays off.
    fn mentioners(&mut self, scopes: &[Scope], fam: FamId, out: &mut Vec<usize>) {
        out.clear();
        self.scans += 1;
        if self.scans <= SCANS_BEFORE_MENTIONERS || self.by_fam.is_none() {
            out.extend(0..scopes.len());
            return;
        }
        let mentioners = self.mentioners.get_or_insert_with(Mentioners::default);
        mentioners.update(scopes);
        mentioners.of(fam, out);
    }

    /// Widened scopes were conflicts (mentioning nothing) and now hold
    /// variants.
    fn widened(&mut self, widened: &BTreeSet<usize>) {
        if let Some(mentioners) = &mut self.mentioners {
            mentioners.rewiden.extend(widened);
        }
    }
}

/// The inverse of the scopes' mentioned families. A scope's mentioned
/// families only shrink as it narrows (a narrowed slice keeps its parent's
/// set), so an entry stays a superset; a widened conflict is added again.
#[derive(Default)]
struct Mentioners {
    by_fam: HashMap<FamId, Vec<usize>>,
    /// Scopes whose families are not known yet: they may mention any.
    unknown: Vec<usize>,
    /// Scopes `0..indexed` are in.
    indexed: usize,
    rewiden: Vec<usize>,
}

impl Mentioners {
    fn add(&mut self, i: usize, scope: &Scope) {
        match scope.mentions() {
            Mentions::Nothing => {}
            Mentions::Unknown => self.unknown.push(i),
            Mentions::Fams(fams) => {
                for &f in fams {
                    self.by_fam.entry(f).or_default().push(i);
                }
            }
        }
    }

    fn update(&mut self, scopes: &[Scope]) {
        for i in std::mem::take(&mut self.rewiden) {
            if i < self.indexed {
                self.add(i, &scopes[i]);
            }
        }
        while self.indexed < scopes.len() {
            self.add(self.indexed, &scopes[self.indexed]);
            self.indexed += 1;
        }
    }

    fn of(&self, fam: FamId, out: &mut Vec<usize>) {
        out.extend(self.by_fam.get(&fam).into_iter().flatten());
        out.extend(&self.unknown);
        out.sort_unstable();
        out.dedup();
    }
}

/// A resolved variant: the package and its variant slot.
type SolvedVariant = (Arc<Package>, usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseStatus {
    Pending,
    Solved,
    Exhausted,
    Failed,
    Cyclic,
}

#[derive(Clone)]
pub struct Phase {
    pub scopes: Vec<Scope>,
    pub status: PhaseStatus,
    pub failure: Option<FailureReason>,
    changed: BTreeSet<usize>,
    /// rez's `_ResolvePhase.extractions` of the solve that made this phase:
    /// (extracting scope, extracted requirement), keyed on (scope, family)
    /// in first-extracted order with the latest requirement. rez draws them
    /// in the resolve graph.
    pub extractions: Arc<Vec<(String, Requirement)>>,
}

/// Extractions as rez's dict collects them: first insertion fixes the
/// position, a later one for the same key replaces the value.
#[derive(Default)]
struct ExtractionLog {
    index: HashMap<(FamId, FamId), usize>,
    items: Vec<(String, Requirement)>,
}

impl ExtractionLog {
    fn record(&mut self, scope: &Scope, extraction: &Extraction) {
        let key = (scope.fam, extraction.fam);
        let req = extraction.requirement();
        match self.index.get(&key) {
            Some(&i) => self.items[i].1 = req,
            None => {
                self.index.insert(key, self.items.len());
                self.items.push((scope.name.to_string(), req));
            }
        }
    }

    /// The families that requested `fam`, in first-extracted order.
    fn requesters(&self, fam: FamId) -> Vec<String> {
        let mut keys: Vec<(&(FamId, FamId), &usize)> =
            self.index.iter().filter(|((_, f), _)| *f == fam).collect();
        keys.sort_by_key(|(_, &i)| i);
        keys.iter()
            .map(|((by, _), _)| by.name().to_string())
            .collect()
    }

    fn into_shared(self) -> Arc<Vec<(String, Requirement)>> {
        Arc::new(self.items)
    }
}

impl Phase {
    /// The initial phase: one scope per merged request.
    pub fn new(ctx: &Context) -> Result<Phase, SolveError> {
        let scopes = ctx
            .request_list
            .requirements()
            .iter()
            .map(|r| Scope::new(ctx, r))
            .collect::<Result<Vec<_>, _>>()?;
        let changed = (0..scopes.len()).collect();
        Ok(Phase {
            scopes,
            status: PhaseStatus::Pending,
            failure: None,
            extractions: Arc::default(),
            changed,
        })
    }

    fn finish(
        &self,
        ctx: &Context,
        scopes: Vec<Scope>,
        log: ExtractionLog,
        status: Option<PhaseStatus>,
    ) -> Result<Phase, SolveError> {
        let mut phase = Phase {
            scopes,
            status: PhaseStatus::Pending,
            failure: None,
            changed: BTreeSet::new(),
            extractions: log.into_shared(),
        };
        phase.status = match status {
            Some(s) => s,
            None if phase.is_solved(ctx)? => PhaseStatus::Solved,
            None => PhaseStatus::Exhausted,
        };
        Ok(phase)
    }

    fn fail(&self, scopes: Vec<Scope>, reason: FailureReason, log: ExtractionLog) -> Phase {
        Phase {
            scopes,
            status: PhaseStatus::Failed,
            failure: Some(reason),
            changed: BTreeSet::new(),
            extractions: log.into_shared(),
        }
    }

    pub fn is_solved(&self, ctx: &Context) -> Result<bool, SolveError> {
        for s in &self.scopes {
            if !s.is_solved(ctx)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// rez's `_ResolvePhase.solve`.
    ///
    /// Work per step is kept proportional to what changed, not to the
    /// number of scopes: a resolve of thousands of families (a long chain)
    /// would otherwise be quadratic. Scopes are found by family through an
    /// index, and only scope pairs where one mentions the other's family
    /// are queued for reduction (the others are surely no-ops, and dropping
    /// no-ops keeps the order of the rest).
    pub fn solve(&self, ctx: &Context) -> Result<Phase, SolveError> {
        if self.status != PhaseStatus::Pending {
            return Ok(self.clone());
        }
        let mut scopes = self.scopes.clone();
        let mut changed = self.changed.clone();
        let mut index = ScopeIndex::default();
        index.sync(&scopes);
        // Scopes that may still have something to extract. A scope inherited
        // unchanged from the parent phase was fully extracted there; only the
        // changed ones (all of them in a new phase) need looking at.
        let mut dirty: Vec<usize> = changed.iter().copied().collect();
        // rez names the requesters when an extracted family does not exist,
        // and draws the extractions in the graph.
        let mut log = ExtractionLog::default();

        loop {
            let prev_num_scopes = scopes.len();
            let mut widened: BTreeSet<usize> = BTreeSet::new();

            loop {
                ctx.check_interrupt()?;
                // extract every common dependency, in scope order
                dirty.sort_unstable();
                dirty.dedup();
                let mut extracted: Vec<Extraction> = Vec::new();
                for i in dirty.drain(..) {
                    let scope = &mut scopes[i];
                    while let Some((narrowed, extraction)) = scope.extract(ctx)? {
                        log.record(scope, &extraction);
                        extracted.push(extraction);
                        *scope = narrowed;
                    }
                }
                if extracted.is_empty() {
                    break;
                }

                // merge the extractions per family (rez's RequirementList)
                let merged = match merge_extractions(extracted) {
                    Ok(merged) => merged,
                    Err(conflict) => {
                        let reason = FailureReason::DependencyConflicts(vec![conflict]);
                        return Ok(self.fail(scopes, reason, log));
                    }
                };

                // intersect the extractions with the current scopes, in scope
                // order (the first conflict is the one reported)
                let mut matched = vec![false; merged.len()];
                for (i, m) in index.scopes_of(&scopes, &merged) {
                    matched[m] = true;
                    let extraction = &merged.items[m];
                    match scopes[i].intersect(ctx, &extraction.range)? {
                        Narrowed::Empty => {
                            let c = DependencyConflict {
                                dependency: extraction.requirement(),
                                conflicting_request: scopes[i].request.to_requirement(),
                            };
                            let reason = FailureReason::DependencyConflicts(vec![c]);
                            return Ok(self.fail(scopes, reason, log));
                        }
                        Narrowed::Changed(new_scope) => {
                            let widens = scopes[i].is_conflict() && !new_scope.is_conflict();
                            scopes[i] = new_scope;
                            dirty.push(i);
                            changed.insert(i);
                            if widens {
                                // '~foo-1' intersected with 'foo' becomes 'foo-1': it
                                // must now reduce against every other scope.
                                widened.insert(i);
                            }
                        }
                        Narrowed::Unchanged => {}
                    }
                }

                // add scopes for newly extracted families
                for (extraction, _) in merged.items.iter().zip(&matched).filter(|(_, m)| !**m) {
                    let req = extraction.requirement();
                    let scope = Scope::new(ctx, &req).map_err(|e| {
                        if e != family_not_found(req.name()) {
                            return e;
                        }
                        let requesters = log.requesters(extraction.fam);
                        format!(
                            "package family not found: {}, was required by: {}",
                            req.name(),
                            requesters.join(", ")
                        )
                    })?;
                    dirty.push(scopes.len());
                    scopes.push(scope);
                }
                index.sync(&scopes);
            }

            let num_scopes = scopes.len();
            if num_scopes == prev_num_scopes && changed.is_empty() && widened.is_empty() {
                break;
            }

            // pending reductions: (x, y) means scope x reduces by scope y's
            // request; processed from the largest pair down, as rez pops a
            // sorted list. Pairs that surely change nothing are left out:
            // scopes only narrow from here on, so they stay no-ops, and
            // dropping no-ops keeps the order of the others.
            let may_reduce = |scopes: &[Scope], x: usize, y: usize| {
                x != y && !scopes[x].surely_unreduced_by(scopes[y].fam)
            };
            let mut pending: Vec<(usize, usize)> = Vec::new();
            // existing scopes reduce by changed and added ones
            let ys: Vec<usize> = changed
                .iter()
                .copied()
                .chain(prev_num_scopes..num_scopes)
                .collect();
            let mut is_y = vec![false; num_scopes];
            ys.iter().for_each(|&y| is_y[y] = true);
            for x in 0..prev_num_scopes {
                match index.mentioned(&scopes[x], ys.len()) {
                    Some(found) => pending.extend(
                        found
                            .filter(|&y| is_y[y] && may_reduce(&scopes, x, y))
                            .map(|y| (x, y)),
                    ),
                    None => {
                        let ys = ys.iter().copied();
                        pending.extend(ys.filter(|&y| may_reduce(&scopes, x, y)).map(|y| (x, y)));
                    }
                }
            }
            // added and widened scopes reduce by every scope
            for x in (prev_num_scopes..num_scopes).chain(widened.iter().copied()) {
                match index.mentioned(&scopes[x], num_scopes) {
                    Some(found) => {
                        pending.extend(found.filter(|&y| may_reduce(&scopes, x, y)).map(|y| (x, y)))
                    }
                    None => {
                        let ys = (0..num_scopes).filter(|&y| may_reduce(&scopes, x, y));
                        pending.extend(ys.map(|y| (x, y)));
                    }
                }
            }
            pending.sort_unstable();
            pending.dedup();
            index.widened(&widened);

            let mut again: Vec<usize> = Vec::new();
            while let Some((x, y)) = pending.pop() {
                if !may_reduce(&scopes, x, y) {
                    continue;
                }
                let (fam, request) = (scopes[y].fam, scopes[y].request.clone());
                let (narrowed, reductions) = scopes[x].reduce_by(ctx, fam, &request)?;
                match narrowed {
                    Narrowed::Empty => {
                        let reason = FailureReason::TotalReduction(reductions);
                        return Ok(self.fail(scopes, reason, log));
                    }
                    Narrowed::Changed(new_scope) => {
                        scopes[x] = new_scope;
                        dirty.push(x);
                        // every other scope must reduce against x again
                        index.mentioners(&scopes, scopes[x].fam, &mut again);
                        for &j in &again {
                            if may_reduce(&scopes, j, x) {
                                pending.push((j, x));
                            }
                        }
                    }
                    Narrowed::Unchanged => {}
                }
            }
            changed.clear();
        }
        self.finish(ctx, scopes, log, None)
    }

    /// rez's `finalise`: detect cycles, then order the resolve by dependency
    /// (and request order where possible), dropping conflict scopes.
    pub fn finalise(&self, ctx: &Context) -> Result<Phase, SolveError> {
        let mut graph = Graph::default();
        let mut solved: Vec<(&Scope, Option<SolvedVariant>)> = Vec::new();
        for scope in &self.scopes {
            if scope.is_conflict() {
                continue;
            }
            graph.add_node(&scope.name);
            let variant = scope.solved_variant(ctx)?;
            if let Some((pkg, slot)) = &variant {
                for req in pkg.requires_of(*slot)?.list.requirements() {
                    if !req.conflict() {
                        graph.add_edge(&scope.name, req.name());
                    }
                }
            }
            solved.push((scope, variant));
        }
        // first scope of each family, as a lookup (a scan per family is
        // quadratic on big resolves)
        let mut by_name: HashMap<&str, usize> = HashMap::default();
        for (i, (s, _)) in solved.iter().enumerate() {
            by_name.entry(&*s.name).or_insert(i);
        }
        let find = |fam: &str| by_name.get(fam).map(|&i| &solved[i]);

        if let Some(cycle) = find_cycle(&graph) {
            let members = cycle
                .iter()
                .map(|fam| match find(fam) {
                    Some((_, Some((pkg, _)))) => pkg.qualified_name(),
                    _ => fam.to_string(),
                })
                .collect();
            return Ok(Phase {
                scopes: solved.iter().map(|(s, _)| (*s).clone()).collect(),
                status: PhaseStatus::Cyclic,
                failure: Some(FailureReason::Cycle(members)),
                changed: BTreeSet::new(),
                extractions: self.extractions.clone(),
            });
        }

        let requested: Vec<&str> = ctx
            .request_list
            .requirements()
            .iter()
            .map(|r| r.name())
            .collect();
        let order = dependency_order(&graph, &requested);
        let scopes = order
            .iter()
            .filter_map(|fam| find(fam).map(|(s, _)| (*s).clone()))
            .collect();
        Ok(Phase {
            scopes,
            status: self.status,
            failure: None,
            changed: BTreeSet::new(),
            extractions: self.extractions.clone(),
        })
    }

    /// rez's `split`: split the first splittable scope; the first phase
    /// holds the preferred half.
    pub fn split(&self, ctx: &Context) -> Result<(Phase, Phase), SolveError> {
        let mut first = Vec::with_capacity(self.scopes.len());
        let mut second = Vec::with_capacity(self.scopes.len());
        let mut split_at: Option<usize> = None;
        for (i, scope) in self.scopes.iter().enumerate() {
            if split_at.is_none() {
                if let Some((a, b)) = scope.split(ctx)? {
                    first.push(a);
                    second.push(b);
                    split_at = Some(i);
                    continue;
                }
            }
            first.push(scope.clone());
            second.push(scope.clone());
        }
        let i = split_at.ok_or("Unexpected solver error: exhausted phase has no scope to split")?;
        let make = |scopes| Phase {
            scopes,
            status: PhaseStatus::Pending,
            failure: None,
            changed: BTreeSet::from([i]),
            // rez's split copies the phase, extractions included
            extractions: self.extractions.clone(),
        };
        Ok((make(first), make(second)))
    }

    pub fn solved_variants(&self, ctx: &Context) -> Result<Vec<(Arc<Package>, usize)>, SolveError> {
        let mut out = Vec::new();
        for s in &self.scopes {
            if let Some(v) = s.solved_variant(ctx)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    pub fn solved_ephemerals(&self) -> Vec<Requirement> {
        self.scopes
            .iter()
            .filter_map(|s| s.solved_ephemeral().cloned())
            .collect()
    }
}
