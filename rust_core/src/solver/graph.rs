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

    /// For every node, the set of nodes reachable from it (itself
    /// included), as bitsets: one depth-first pass per node.
    fn reachability(&self) -> Vec<Vec<u64>> {
        let n = self.nodes.len();
        let words = n.div_ceil(64);
        let mut reach = vec![vec![0u64; words]; n];
        let mut stack = Vec::new();
        for (start, bits) in reach.iter_mut().enumerate() {
            bits[start / 64] |= 1 << (start % 64);
            stack.push(start);
            while let Some(v) = stack.pop() {
                for &m in &self.edges[v] {
                    if bits[m / 64] & (1 << (m % 64)) == 0 {
                        bits[m / 64] |= 1 << (m % 64);
                        stack.push(m);
                    }
                }
            }
        }
        reach
    }
}

/// A cycle as the list of its nodes (from the first node met on it), or None.
/// Like rez's pygraph `find_cycle`: depth-first, reporting the first back edge.
pub fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    let n = g.nodes.len();
    let mut visited = vec![false; n];
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        // Iterative DFS: (node, next edge to look at).
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
            // A visited node is on a cycle only if it is an ancestor.
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

/// rez's `_get_dependency_order`: the graph's nodes, requested ones first in
/// request order, each moved after everything it depends on.
pub fn dependency_order(g: &Graph, requested: &[&str]) -> Vec<String> {
    let reach = g.reachability();
    let depends_on = |a: usize, b: usize| a != b && reach[a][b / 64] & (1 << (b % 64)) != 0;
    let requested_set: HashSet<&str> = requested.iter().copied().collect();
    let rest: BTreeSet<&str> = g
        .nodes
        .iter()
        .map(String::as_str)
        .filter(|n| !requested_set.contains(n))
        .collect();
    // Graph nodes by index; names not in the graph (conflict requests) are
    // skipped, as rez does.
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
                // move the dependency to the front
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

#[cfg(test)]
mod tests {
    use super::*;

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
