//! Reachability from entry points in near-linear time.
//!
//! A breadth-first walk per tool costs O(tools × graph), which goes quadratic on
//! generated API servers (hundreds of tools, tens of thousands of functions). So
//! reachability is precomputed once on the *plain* graph (edges and findings that
//! carry no tool label), condensed into strongly connected components, as one
//! bitset of findings per component, propagated from the sinks up. A tool's
//! walk then only explores the *labelled region* (nodes from which a
//! dispatcher branch labelled with a tool name can be reached, where the
//! per-tool filter matters) and unions the precomputed sets at its frontier.
//! Shortest chains come from one reverse breadth-first pass per kind, which
//! gives every node its distance and next hop to the nearest finding of that kind.

use crate::graph::{Graph, NodeId};
use mcpwarden_model::Kind;
use std::collections::{HashMap, HashSet, VecDeque};

/// A finding as reachability sees it.
pub struct Item {
    pub node: NodeId,
    pub labels: u32,
    /// The innermost branch on literal values it sits in (a graph `Level`).
    pub branch: u32,
    pub kind: Kind,
    /// Test findings are never reached by entries.
    pub countable: bool,
}

pub struct Reachability<'g> {
    graph: &'g Graph,
    tool_names: &'g HashSet<String>,
    items: &'g [Item],
    by_node: HashMap<NodeId, Vec<usize>>,
    comp: Vec<u32>,
    /// Per component: a tool-labelled edge or finding is reachable from it.
    labeled_below: Vec<bool>,
    words: usize,
    /// Flat: component `c` owns `bits[c*words .. (c+1)*words]`.
    bits: Vec<u64>,
    /// Per kind: for every node, (distance, next node) to the nearest plain finding of that kind.
    hops: HashMap<Kind, Vec<(u32, NodeId)>>,
}

/// Past this many bitset words the precomputation is skipped and walks explore everything.
const MAX_WORDS: usize = 64 << 20;
const INF: u32 = u32::MAX;

/// What an entry reaches.
pub struct Reached {
    /// Indexes into the items.
    pub items: Vec<usize>,
    /// Per kind, the node path from an entry to the node holding the nearest finding, and that finding.
    pub chains: Vec<(Kind, Vec<NodeId>, usize)>,
}

impl<'g> Reachability<'g> {
    pub fn new(
        graph: &'g Graph,
        items: &'g [Item],
        tool_names: &'g HashSet<String>,
    ) -> Reachability<'g> {
        let n = graph.edges.len();
        let mut by_node: HashMap<NodeId, Vec<usize>> = HashMap::new();
        for (i, it) in items.iter().enumerate() {
            by_node.entry(it.node).or_default().push(i);
        }
        let plain_edge = |labels: u32| !graph.excluded(labels, None, tool_names);
        let plain_item = |it: &Item| it.countable && !graph.excluded(it.labels, None, tool_names);
        let comp = tarjan(graph, &plain_edge);
        let ncomp = comp.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
        let words = items.len().div_ceil(64);
        let mut labeled_below = vec![false; ncomp];
        for v in 0..n {
            let own = graph.edges[v].iter().any(|e| !plain_edge(e.labels))
                || by_node
                    .get(&(v as u32))
                    .map(|is| {
                        is.iter()
                            .any(|&i| items[i].countable && !plain_item(&items[i]))
                    })
                    .unwrap_or(false);
            if own {
                labeled_below[comp[v] as usize] = true;
            }
        }
        let precompute = ncomp.saturating_mul(words) <= MAX_WORDS;
        let mut bits = vec![];
        // Members of each component, to propagate in component order.
        let mut members: Vec<Vec<u32>> = vec![vec![]; ncomp];
        for v in 0..n {
            members[comp[v] as usize].push(v as u32);
        }
        if precompute {
            bits = vec![0u64; ncomp * words];
        }
        // Tarjan numbers components in completion order: successors (sinks) first.
        for c in 0..ncomp {
            for &v in &members[c] {
                if precompute {
                    for &i in by_node.get(&v).map(|v| v.as_slice()).unwrap_or(&[]) {
                        if plain_item(&items[i]) {
                            bits[c * words + i / 64] |= 1 << (i % 64);
                        }
                    }
                }
                for e in &graph.edges[v as usize] {
                    if !plain_edge(e.labels) {
                        continue;
                    }
                    let d = comp[e.to as usize] as usize;
                    if d == c {
                        continue;
                    }
                    if labeled_below[d] {
                        labeled_below[c] = true;
                    }
                    if precompute {
                        let (lo, hi) = bits.split_at_mut(c.max(d) * words);
                        let (dst, src) = if c > d {
                            (&mut hi[..words], &lo[d * words..(d + 1) * words])
                        } else {
                            (&mut lo[c * words..(c + 1) * words], &hi[..words])
                        };
                        for (a, b) in dst.iter_mut().zip(src) {
                            *a |= *b;
                        }
                    }
                }
            }
        }
        if !precompute {
            // Degrade gracefully: every walk explores the whole reachable graph.
            labeled_below.iter_mut().for_each(|x| *x = true);
        }
        // Reverse plain graph, for nearest-finding distances per kind.
        let mut rev: Vec<Vec<NodeId>> = vec![vec![]; n];
        for v in 0..n {
            for e in &graph.edges[v] {
                if plain_edge(e.labels) {
                    rev[e.to as usize].push(v as NodeId);
                }
            }
        }
        let mut hops: HashMap<Kind, Vec<(u32, NodeId)>> = HashMap::new();
        let kinds: HashSet<Kind> = items
            .iter()
            .filter(|it| plain_item(it))
            .map(|it| it.kind)
            .collect();
        for k in kinds {
            let mut h = vec![(INF, u32::MAX); n];
            let mut q = VecDeque::new();
            for it in items.iter().filter(|it| it.kind == k && plain_item(it)) {
                if h[it.node as usize].0 != 0 {
                    h[it.node as usize] = (0, it.node);
                    q.push_back(it.node);
                }
            }
            while let Some(v) = q.pop_front() {
                let d = h[v as usize].0;
                for &u in &rev[v as usize] {
                    if h[u as usize].0 == INF {
                        h[u as usize] = (d + 1, v);
                        q.push_back(u);
                    }
                }
            }
            hops.insert(k, h);
        }
        Reachability {
            graph,
            tool_names,
            items,
            by_node,
            comp,
            labeled_below,
            words,
            bits,
            hops,
        }
    }

    /// Everything reachable from `entries` for `tool` (or for a non-tool entry),
    /// with one shortest chain per kind.
    pub fn reach(&self, entries: &[NodeId], tool: Option<&str>) -> Reached {
        let g = self.graph;
        let mut result = vec![0u64; self.words];
        let mut seen: HashMap<NodeId, (u32, NodeId)> = HashMap::new();
        let mut frontier: Vec<NodeId> = vec![];
        let mut region: Vec<NodeId> = vec![];
        let mut q = VecDeque::new();
        for &e in entries {
            if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(e) {
                v.insert((0, u32::MAX));
                q.push_back(e);
            }
        }
        while let Some(v) = q.pop_front() {
            let c = self.comp[v as usize] as usize;
            if !self.labeled_below[c] {
                let src = &self.bits[c * self.words..(c + 1) * self.words];
                for (a, b) in result.iter_mut().zip(src) {
                    *a |= *b;
                }
                frontier.push(v);
                continue;
            }
            region.push(v);
            for &i in self.by_node.get(&v).map(|x| x.as_slice()).unwrap_or(&[]) {
                let it = &self.items[i];
                if it.countable && !g.excluded(it.labels, tool, self.tool_names) {
                    result[i / 64] |= 1 << (i % 64);
                }
            }
            let d = seen[&v].0;
            for e in &g.edges[v as usize] {
                if g.excluded(e.labels, tool, self.tool_names) || seen.contains_key(&e.to) {
                    continue;
                }
                seen.insert(e.to, (d + 1, v));
                q.push_back(e.to);
            }
        }
        let items: Vec<usize> = (0..self.items.len())
            .filter(|&i| result[i / 64] >> (i % 64) & 1 == 1)
            .collect();
        // Chains: the nearest finding of each kind, in the region or past the frontier.
        let mut best: HashMap<Kind, (u32, NodeId, Option<usize>)> = HashMap::new();
        for &v in &region {
            let d = seen[&v].0;
            for &i in self.by_node.get(&v).map(|x| x.as_slice()).unwrap_or(&[]) {
                let it = &self.items[i];
                if it.countable && !g.excluded(it.labels, tool, self.tool_names) {
                    let b = best.entry(it.kind).or_insert((INF, v, None));
                    if d < b.0 {
                        *b = (d, v, Some(i));
                    }
                }
            }
        }
        for &v in &frontier {
            let d = seen[&v].0;
            for (k, h) in &self.hops {
                let (dk, _) = h[v as usize];
                if dk == INF {
                    continue;
                }
                let b = best.entry(*k).or_insert((INF, v, None));
                if d + dk < b.0 {
                    *b = (d + dk, v, None);
                }
            }
        }
        let mut chains = vec![];
        for (k, (_, v, item)) in best {
            let mut path = vec![];
            let mut cur = v;
            while cur != u32::MAX {
                path.push(cur);
                cur = seen.get(&cur).map(|x| x.1).unwrap_or(u32::MAX);
            }
            path.reverse();
            let item = match item {
                Some(i) => i,
                None => {
                    let h = &self.hops[&k];
                    let mut cur = v;
                    let mut guard = 0;
                    while h[cur as usize].0 > 0 && guard < 100_000 {
                        cur = h[cur as usize].1;
                        path.push(cur);
                        guard += 1;
                    }
                    match self.by_node.get(&cur).and_then(|is| {
                        is.iter().copied().find(|&i| {
                            self.items[i].kind == k
                                && self.items[i].countable
                                && !g.excluded(self.items[i].labels, None, self.tool_names)
                        })
                    }) {
                        Some(i) => i,
                        None => continue,
                    }
                }
            };
            chains.push((k, path, item));
        }
        chains.sort_by_key(|c| c.0);
        Reached { items, chains }
    }
}

/// What a filtered walk (`Reachability::walk`) found.
pub struct Walked {
    /// Indexes into the items, sorted.
    pub items: Vec<usize>,
    /// Per kind, the node path from an entry to the nearest finding of that kind, and that finding.
    pub chains: Vec<(Kind, Vec<NodeId>, usize)>,
    /// Every node visited, in walk order.
    pub nodes: Vec<NodeId>,
}

impl Reachability<'_> {
    /// A plain breadth-first walk from `entries` for `tool` that also leaves
    /// out edges and findings whose branch (a graph `Level`) `keep` rejects.
    /// The precomputed sets are not used: the filter may act anywhere below
    /// the entries. `budget` counts the edges looked at; past it the walk
    /// gives up (`None`).
    pub fn walk(
        &self,
        entries: &[NodeId],
        tool: Option<&str>,
        keep: &dyn Fn(u32) -> bool,
        budget: &mut u64,
    ) -> Option<Walked> {
        let g = self.graph;
        let mut seen: HashMap<NodeId, (u32, NodeId)> = HashMap::new();
        let mut nodes: Vec<NodeId> = vec![];
        let mut q = VecDeque::new();
        for &e in entries {
            if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(e) {
                v.insert((0, u32::MAX));
                q.push_back(e);
            }
        }
        let mut best: HashMap<Kind, (u32, usize)> = HashMap::new();
        let mut items: Vec<usize> = vec![];
        while let Some(v) = q.pop_front() {
            nodes.push(v);
            let d = seen[&v].0;
            for &i in self.by_node.get(&v).map(|x| x.as_slice()).unwrap_or(&[]) {
                let it = &self.items[i];
                if it.countable && !g.excluded(it.labels, tool, self.tool_names) && keep(it.branch)
                {
                    items.push(i);
                    let b = best.entry(it.kind).or_insert((u32::MAX, i));
                    if d < b.0 {
                        *b = (d, i);
                    }
                }
            }
            let edges = &g.edges[v as usize];
            *budget = budget.checked_sub(edges.len() as u64 + 1)?;
            for e in edges {
                if seen.contains_key(&e.to)
                    || g.excluded(e.labels, tool, self.tool_names)
                    || !keep(e.branch)
                {
                    continue;
                }
                seen.insert(e.to, (d + 1, v));
                q.push_back(e.to);
            }
        }
        items.sort_unstable();
        let mut chains: Vec<(Kind, Vec<NodeId>, usize)> = best
            .into_iter()
            .map(|(k, (_, i))| {
                let mut path = vec![];
                let mut cur = self.items[i].node;
                while cur != u32::MAX {
                    path.push(cur);
                    cur = seen.get(&cur).map(|x| x.1).unwrap_or(u32::MAX);
                }
                path.reverse();
                (k, path, i)
            })
            .collect();
        chains.sort_by_key(|c| c.0);
        Some(Walked {
            items,
            chains,
            nodes,
        })
    }
}

/// Strongly connected components of the plain graph (iterative Tarjan).
/// Components are numbered in completion order: every edge goes from a
/// component to one with a smaller or equal number.
fn tarjan(g: &Graph, plain: &dyn Fn(u32) -> bool) -> Vec<u32> {
    let n = g.edges.len();
    let mut index = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![u32::MAX; n];
    let mut stack: Vec<u32> = vec![];
    let mut next_index = 0u32;
    let mut next_comp = 0u32;
    let mut call: Vec<(u32, usize)> = vec![];
    for root in 0..n as u32 {
        if index[root as usize] != u32::MAX {
            continue;
        }
        call.push((root, 0));
        while let Some(&mut (v, ref mut ei)) = call.last_mut() {
            let vu = v as usize;
            if *ei == 0 && index[vu] == u32::MAX {
                index[vu] = next_index;
                low[vu] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[vu] = true;
            }
            let edges = &g.edges[vu];
            let mut descended = false;
            while *ei < edges.len() {
                let e = edges[*ei];
                *ei += 1;
                if !plain(e.labels) {
                    continue;
                }
                let w = e.to as usize;
                if index[w] == u32::MAX {
                    call.push((e.to, 0));
                    descended = true;
                    break;
                } else if on_stack[w] {
                    low[vu] = low[vu].min(index[w]);
                }
            }
            if descended {
                continue;
            }
            call.pop();
            if let Some(&(p, _)) = call.last() {
                low[p as usize] = low[p as usize].min(low[vu]);
            }
            if low[vu] == index[vu] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp[w as usize] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: a filtered breadth-first walk over everything.
    fn naive(
        g: &Graph,
        items: &[Item],
        entries: &[NodeId],
        tool: Option<&str>,
        names: &HashSet<String>,
    ) -> Vec<usize> {
        let mut seen = vec![false; g.edges.len()];
        let mut q: VecDeque<NodeId> = entries.iter().copied().collect();
        for &e in entries {
            seen[e as usize] = true;
        }
        while let Some(v) = q.pop_front() {
            for e in &g.edges[v as usize] {
                if !seen[e.to as usize] && !g.excluded(e.labels, tool, names) {
                    seen[e.to as usize] = true;
                    q.push_back(e.to);
                }
            }
        }
        (0..items.len())
            .filter(|&i| {
                seen[items[i].node as usize]
                    && items[i].countable
                    && !g.excluded(items[i].labels, tool, names)
            })
            .collect()
    }

    #[test]
    fn matches_the_naive_walk_on_random_graphs() {
        let tools = ["a", "b", "c"];
        let names: HashSet<String> = tools.iter().map(|s| s.to_string()).collect();
        let mut seed = 12345u64;
        let mut rnd = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for round in 0..300 {
            let n = 2 + rnd(40) as usize;
            let mut edges: Vec<(u32, u32, Vec<&str>)> = vec![];
            for _ in 0..rnd(3 * n as u64) {
                let labels: Vec<&str> = match rnd(8) {
                    0 => vec![tools[rnd(3) as usize]],
                    1 => vec!["other"],
                    2 => vec!["a", "b"],
                    _ => vec![],
                };
                edges.push((rnd(n as u64) as u32, rnd(n as u64) as u32, labels));
            }
            let refs: Vec<(u32, u32, &[&str])> = edges
                .iter()
                .map(|(a, b, l)| (*a, *b, l.as_slice()))
                .collect();
            let mut g = Graph::from_edges(n, &refs);
            let mut items = vec![];
            for i in 0..rnd(2 * n as u64) {
                let labels = if rnd(5) == 0 {
                    g.intern(&[tools[rnd(3) as usize].to_string()])
                } else {
                    u32::MAX
                };
                items.push(Item {
                    node: rnd(n as u64) as u32,
                    labels,
                    branch: crate::graph::NO_BRANCH,
                    kind: Kind::ALL[(i % 5) as usize],
                    countable: rnd(10) != 0,
                });
            }
            let r = Reachability::new(&g, &items, &names);
            for _ in 0..5 {
                let entries: Vec<NodeId> = (0..1 + rnd(2)).map(|_| rnd(n as u64) as u32).collect();
                let tool = match rnd(4) {
                    0 => None,
                    k => Some(tools[(k - 1) as usize]),
                };
                let got = r.reach(&entries, tool);
                let want = naive(&g, &items, &entries, tool, &names);
                assert_eq!(got.items, want, "round {round}");
                // The filtered walk with no filter is the same walk.
                let mut budget = u64::MAX;
                let walked = r.walk(&entries, tool, &|_| true, &mut budget).unwrap();
                assert_eq!(walked.items, want, "round {round}: walk");
                // Every chain starts at an entry, follows edges, and ends at its finding's node.
                for (k, path, i) in &got.chains {
                    assert!(entries.contains(&path[0]));
                    assert_eq!(items[*i].node, *path.last().unwrap());
                    assert_eq!(items[*i].kind, *k);
                    for w in path.windows(2) {
                        assert!(
                            g.edges[w[0] as usize].iter().any(|e| e.to == w[1]),
                            "round {round}: broken chain"
                        );
                    }
                }
            }
        }
    }
}
