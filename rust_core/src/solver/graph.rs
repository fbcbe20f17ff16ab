//! The resolve graph of a solved phase: cycle detection and rez's ordering
//! of the resolve (dependencies before dependants, request order kept where
//! possible).

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A small directed graph over family names, nodes in insertion order.
#[derive(Default)]
pub struct Graph {
    nodes: Vec<String>,
    index: HashMap<String, usize>,
    edges: Vec<Vec<usize>>,
}

impl Graph {
    pub fn add_node(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.edges.push(Vec::new());
        i
    }

    pub fn add_edge(&mut self, from: &str, to: &str) {
        let a = self.add_node(from);
        let b = self.add_node(to);
        if !self.edges[a].contains(&b) {
            self.edges[a].push(b);
        }
    }
}

/// A cycle as the list of its nodes (from the first node met on it), or None.
/// Like rez's pygraph `find_cycle`: depth-first, reporting the first back edge.
pub fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    let n = g.nodes.len();
    let mut visited = vec![false; n];
    // A visited node is an ancestor exactly when it is on the DFS stack:
    // flags instead of walking parents (a walk per cross edge is quadratic).
    let mut on_stack = vec![false; n];
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        on_stack[root] = true;
        // Iterative DFS: (node, next edge to look at).
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if *next >= g.edges[node].len() {
                on_stack[node] = false;
                stack.pop();
                continue;
            }
            let m = g.edges[node][*next];
            *next += 1;
            if !visited[m] {
                visited[m] = true;
                on_stack[m] = true;
                stack.push((m, 0));
            } else if on_stack[m] {
                let from = stack
                    .iter()
                    .rposition(|&(v, _)| v == m)
                    .expect("on the stack");
                return Some(
                    stack[from..]
                        .iter()
                        .map(|&(v, _)| g.nodes[v].clone())
                        .collect(),
                );
            }
        }
    }
    None
}

/// rez's `_get_dependency_order`: the graph's nodes, requested ones first in
/// request order, each moved after everything it depends on. The graph must
/// be acyclic (`find_cycle` is asked first).
///
/// rez walks a list: while the head depends (directly or not) on a node
/// further down, the first such node moves to the front; otherwise the head
/// is output. A moved node is output before the walk gets back below it, so
/// the list is always the moved nodes (a stack) followed by the rest in
/// their first order. The node moved is therefore the one of lowest first
/// position among those the head reaches and that are not output yet. That
/// is cached per node: output nodes are closed downwards (all they reach is
/// out), so a cached node stays the lowest until it is itself output, and
/// recomputing takes only the node's own edges. rez's list walk is
/// quadratic; on a resolve of thousands of families this matters.
pub fn dependency_order(g: &Graph, requested: &[&str]) -> Vec<String> {
    let n = g.nodes.len();
    // First positions in rez's list; requested names not in the graph
    // (conflict requests) are skipped, as rez does.
    let requested_set: HashSet<&str> = requested.iter().copied().collect();
    let rest: BTreeSet<&str> = g
        .nodes
        .iter()
        .map(String::as_str)
        .filter(|n| !requested_set.contains(n))
        .collect();
    let list: Vec<usize> = requested
        .iter()
        .copied()
        .chain(rest)
        .filter_map(|name| g.index.get(name).copied())
        .collect();
    let mut pos = vec![usize::MAX; n];
    for (p, &v) in list.iter().enumerate() {
        pos[v] = pos[v].min(p);
    }
    let mut lowest = Lowest {
        g,
        pos: &pos,
        out: vec![false; n],
        best: vec![UNKNOWN; n],
        work: Vec::new(),
    };
    let mut ordered: Vec<String> = Vec::with_capacity(n);
    let mut stack: Vec<usize> = Vec::new();
    for &start in &list {
        if lowest.out[start] {
            continue;
        }
        stack.push(start);
        while let Some(&head) = stack.last() {
            match lowest.of(head) {
                Some(dep) => stack.push(dep),
                None => {
                    lowest.out[head] = true;
                    ordered.push(g.nodes[head].clone());
                    stack.pop();
                }
            }
        }
    }
    ordered
}

/// `Lowest::best` of a node not computed yet.
const UNKNOWN: usize = usize::MAX;
/// `Lowest::best` of a node that reaches nothing not output.
const NONE: usize = usize::MAX - 1;

/// Per node, the node of lowest list position among those it reaches
/// (itself excluded) that are not output yet.
struct Lowest<'g> {
    g: &'g Graph,
    pos: &'g [usize],
    out: Vec<bool>,
    best: Vec<usize>,
    /// Depth-first stack: (node, next edge).
    work: Vec<(usize, usize)>,
}

impl Lowest<'_> {
    fn valid(&self, v: usize) -> bool {
        match self.best[v] {
            UNKNOWN => false,
            NONE => true,
            b => !self.out[b],
        }
    }

    /// The better (lower position) of `a` and `b`, either possibly NONE.
    fn lower(&self, a: usize, b: usize) -> usize {
        match (a, b) {
            (NONE, x) | (x, NONE) => x,
            _ if self.pos[b] < self.pos[a] => b,
            _ => a,
        }
    }

    fn of(&mut self, v: usize) -> Option<usize> {
        if !self.valid(v) {
            self.recompute(v);
        }
        Some(self.best[v]).filter(|&b| b != NONE)
    }

    /// Recomputes `v` and whatever below it is stale, depth first (no
    /// recursion: chains can be long).
    fn recompute(&mut self, v: usize) {
        self.best[v] = NONE;
        self.work.push((v, 0));
        while let Some(&mut (u, ref mut next)) = self.work.last_mut() {
            let Some(&c) = self.g.edges[u].get(*next) else {
                self.work.pop();
                if let Some(&(parent, _)) = self.work.last() {
                    let via = self.lower(u, self.best[u]);
                    self.best[parent] = self.lower(self.best[parent], via);
                }
                continue;
            };
            *next += 1;
            if self.out[c] || c == u {
                continue;
            }
            if self.valid(c) {
                let via = self.lower(c, self.best[c]);
                self.best[u] = self.lower(self.best[u], via);
            } else {
                // in progress below u counts as valid (NONE so far); the
                // graph is acyclic, so it is never met again on this path
                self.best[c] = NONE;
                self.work.push((c, 0));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For every node, the set of nodes reachable from it (itself
    /// included), as bitsets.
    fn reachability(g: &Graph) -> Vec<Vec<u64>> {
        let n = g.nodes.len();
        let words = n.div_ceil(64);
        let mut reach = vec![vec![0u64; words]; n];
        let mut stack = Vec::new();
        for (start, bits) in reach.iter_mut().enumerate() {
            bits[start / 64] |= 1 << (start % 64);
            stack.push(start);
            while let Some(v) = stack.pop() {
                for &m in &g.edges[v] {
                    if bits[m / 64] & (1 << (m % 64)) == 0 {
                        bits[m / 64] |= 1 << (m % 64);
                        stack.push(m);
                    }
                }
            }
        }
        reach
    }

    /// rez's list walk, step by step (quadratic): the reference.
    fn dependency_order_by_list(g: &Graph, requested: &[&str]) -> Vec<String> {
        let reach = reachability(g);
        let depends_on = |a: usize, b: usize| a != b && reach[a][b / 64] & (1 << (b % 64)) != 0;
        let requested_set: HashSet<&str> = requested.iter().copied().collect();
        let rest: BTreeSet<&str> = g
            .nodes
            .iter()
            .map(String::as_str)
            .filter(|n| !requested_set.contains(n))
            .collect();
        let mut nodes: Vec<usize> = requested
            .iter()
            .copied()
            .chain(rest)
            .filter_map(|name| g.index.get(name).copied())
            .collect();
        let mut ordered: Vec<String> = Vec::new();
        let mut done = vec![false; g.nodes.len()];
        let mut head = 0;
        while head < nodes.len() {
            let n = nodes[head];
            if done[n] {
                head += 1;
                continue;
            }
            match (head + 1..nodes.len()).find(|&i| depends_on(n, nodes[i])) {
                Some(i) => {
                    let dep = nodes.remove(i);
                    nodes.insert(head, dep);
                }
                None => {
                    ordered.push(g.nodes[n].clone());
                    done[n] = true;
                    head += 1;
                }
            }
        }
        ordered
    }

    #[test]
    fn dependency_order_matches_rez_list_walk_on_random_graphs() {
        let mut rng = crate::test_rng::XorShift::new(0x9E37_79B9_7F4A_7C15);
        for case in 0..3000 {
            let n = 1 + rng.below(if case % 10 == 0 { 60 } else { 12 });
            // acyclic: edges follow a random ranking of the nodes
            let mut rank: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                rank.swap(i, rng.below(i + 1));
            }
            let names: Vec<String> = (0..n)
                .map(|i| format!("f{}", rng.below(1000) * 100 + i))
                .collect();
            let mut g = Graph::default();
            for name in &names {
                g.add_node(name);
            }
            let density = 1 + rng.below(4);
            for a in 0..n {
                for b in 0..n {
                    if rank[a] < rank[b] && rng.below(n.max(2)) < density {
                        g.add_edge(&names[a], &names[b]);
                    }
                }
            }
            assert!(find_cycle(&g).is_none());
            let mut requested: Vec<&str> = Vec::new();
            for _ in 0..rng.below(4) {
                let name = names[rng.below(n)].as_str();
                if !requested.contains(&name) {
                    requested.push(name);
                }
            }
            if rng.below(3) == 0 {
                requested.push("not-in-graph");
            }
            assert_eq!(
                dependency_order(&g, &requested),
                dependency_order_by_list(&g, &requested),
                "case {case}: {:?} requested {requested:?}",
                g.edges
            );
        }
    }

    /// The first port's cycle search (walks parents at every visited
    /// node): the reference.
    fn find_cycle_by_parents(g: &Graph) -> Option<Vec<String>> {
        let n = g.nodes.len();
        let mut visited = vec![false; n];
        let mut parent: Vec<Option<usize>> = vec![None; n];
        for root in 0..n {
            if visited[root] {
                continue;
            }
            visited[root] = true;
            let mut stack = vec![(root, 0usize)];
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if *next >= g.edges[node].len() {
                    stack.pop();
                    continue;
                }
                let m = g.edges[node][*next];
                *next += 1;
                if !visited[m] {
                    visited[m] = true;
                    parent[m] = Some(node);
                    stack.push((m, 0));
                    continue;
                }
                let mut path = vec![node];
                let mut cur = node;
                while cur != m {
                    match parent[cur] {
                        Some(p) => {
                            cur = p;
                            path.push(cur);
                        }
                        None => {
                            path.clear();
                            break;
                        }
                    }
                }
                if !path.is_empty() {
                    path.reverse();
                    return Some(path.into_iter().map(|i| g.nodes[i].clone()).collect());
                }
            }
        }
        None
    }

    #[test]
    fn find_cycle_matches_the_parent_walk_on_random_graphs() {
        let mut rng = crate::test_rng::XorShift::new(0x2545_F491_4F6C_DD1D);
        let mut cyclic = 0;
        for _ in 0..3000 {
            let n = 1 + rng.below(10);
            let mut g = Graph::default();
            for i in 0..n {
                g.add_node(&format!("f{i}"));
            }
            for _ in 0..rng.below(2 * n + 1) {
                let (a, b) = (rng.below(n), rng.below(n));
                g.add_edge(&format!("f{a}"), &format!("f{b}"));
            }
            let found = find_cycle(&g);
            cyclic += usize::from(found.is_some());
            assert_eq!(found, find_cycle_by_parents(&g), "{:?}", g.edges);
        }
        assert!(cyclic > 300, "too few cyclic cases: {cyclic}");
    }

    #[test]
    fn long_chains_in_either_name_order() {
        for reversed in [false, true] {
            let n = 3_000;
            let name = |i: usize| format!("p{:05}", if reversed { n - i } else { i });
            let mut g = Graph::default();
            for i in 0..n - 1 {
                g.add_edge(&name(i), &name(i + 1));
            }
            let order = dependency_order(&g, &[&name(0)]);
            let expected: Vec<String> = (0..n).rev().map(name).collect();
            assert_eq!(order, expected);
        }
    }

    #[test]
    fn cycles() {
        let mut g = Graph::default();
        g.add_edge("a", "b");
        g.add_edge("b", "c");
        assert!(find_cycle(&g).is_none());
        g.add_edge("c", "a");
        assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c"]);
        let mut g = Graph::default();
        g.add_edge("a", "a");
        assert_eq!(find_cycle(&g).unwrap(), ["a"]);
    }

    #[test]
    fn dependencies_come_first() {
        let mut g = Graph::default();
        g.add_edge("app", "lib");
        g.add_edge("lib", "base");
        g.add_node("tool");
        let order = dependency_order(&g, &["app", "tool"]);
        assert_eq!(order, ["base", "lib", "app", "tool"]);
    }
}
