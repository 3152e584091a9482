//! The citizens' social network (MODEL.md section 1): a Watts-Strogatz small
//! world (Watts & Strogatz 1998).
//!
//! About 90% of the edges are those of the ring lattice, so the network is
//! stored as "the lattice, with a bit per lattice slot saying whether its
//! edge is still there, plus the rewired edges": `k` bits per citizen for
//! the lattice, and one short list holding each rewired edge in both
//! directions, sorted by the citizen it belongs to. A sum over a citizen's
//! neighbours is a masked sum over the `k` lattice positions around it
//! (contiguous memory, vectorizes) plus its entries in the list.
//!
//! Lattice slots of citizen i: slot `d - 1` is the edge to `i - d`, slot
//! `k/2 + d - 1` the edge to `i + d` (d = 1..=k/2, on the ring).

use super::rng::{Stream, below, key, unit_f64, word};
use std::collections::HashSet;

/// An undirected graph over citizens `0..n`: ring lattice of half-degree
/// `half`, with corrections.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    n: u32,
    half: u32,
    /// Bit `s % 8` of `present[(s / 8) * n + i]` tells whether lattice slot
    /// `s` of citizen i still holds its edge.
    present: Vec<u8>,
    /// Rewired edges, as (citizen, neighbour) pairs, both directions,
    /// sorted by citizen.
    added: Vec<(u32, u32)>,
    /// 1 / degree of each citizen (0 for none).
    inv_degree: Vec<f32>,
}

/// An undirected edge as one number, smaller end first.
fn edge(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

impl Network {
    /// `n` citizens with no links (`network.kind = "none"`).
    pub fn empty(n: u32) -> Network {
        Network {
            n,
            half: 0,
            present: Vec::new(),
            added: Vec::new(),
            inv_degree: vec![0.0; n as usize],
        }
    }

    /// The Watts-Strogatz graph of MODEL.md section 1: a ring lattice where
    /// each citizen links to its `k/2` nearest neighbours on each side, then
    /// each lattice edge (i, i+d), visited for d = 1..k/2 and, within each d,
    /// for i = 0..n-1, is rewired with probability `rewire`: its far end is
    /// replaced by a uniformly chosen citizen that is neither i nor already a
    /// neighbour of i (the edge stays when i links to everyone already).
    ///
    /// `k` is even and below `n` (checked by the scenario). Time and memory
    /// are linear in the number of edges.
    pub fn watts_strogatz(n: u32, k: u32, rewire: f64, seed: u64) -> Network {
        let half = k / 2;
        if half == 0 {
            return Network::empty(n);
        }
        let nu = n as usize;
        let mut degree = vec![k; nu];
        let mut present = lattice_masks(n, k);
        let expected = (rewire * f64::from(n) * f64::from(half) * 1.1) as usize + 16;
        let mut added: HashSet<u64, EdgeHash> =
            HashSet::with_capacity_and_hasher(expected, EdgeHash);
        // rewired edges per citizen (saturating): two citizens without any
        // cannot share one, which spares most look-ups
        let mut rewired = vec![0u8; nu];
        let mut added_order: Vec<(u32, u32)> = Vec::new();
        let coin_key = key(seed, Stream::Rewire, 0);
        let target_key = key(seed, Stream::RewireTarget, 0);
        for d in 1..=half {
            for i in 0..n {
                let index = u64::from(d - 1) * u64::from(n) + u64::from(i);
                if unit_f64(word(coin_key, index)) >= rewire {
                    continue;
                }
                if u64::from(degree[i as usize]) >= u64::from(n) - 1 {
                    continue;
                }
                let is_neighbour = |w: u32| {
                    let lattice = match lattice_slot(n, half, i, w) {
                        Some(slot) => slot_present(&present, nu, i, slot),
                        None => false,
                    };
                    lattice
                        || (rewired[i as usize] > 0
                            && rewired[w as usize] > 0
                            && added.contains(&edge(i, w)))
                };
                // candidates for this edge: its own run of words, one per attempt
                let mut attempt = index << 16;
                let new = loop {
                    let w = below(word(target_key, attempt), u64::from(n)) as u32;
                    attempt += 1;
                    if w != i && !is_neighbour(w) {
                        break w;
                    }
                };
                let far = (i + d) % n;
                // i's right slot d and far's left slot d hold this edge
                clear_slot(&mut present, nu, i, half + d - 1);
                clear_slot(&mut present, nu, far, d - 1);
                added.insert(edge(i, new));
                added_order.push((i, new));
                for end in [i, new] {
                    let r = &mut rewired[end as usize];
                    *r = r.saturating_add(1);
                }
                degree[far as usize] -= 1;
                degree[new as usize] += 1;
            }
        }
        let inv_degree = degree
            .iter()
            .map(|&d| if d > 0 { 1.0 / d as f32 } else { 0.0 })
            .collect();
        Network {
            n,
            half,
            present,
            added: both_directions_by_owner(n, &added_order),
            inv_degree,
        }
    }

    /// Number of citizens.
    pub fn len(&self) -> usize {
        self.n as usize
    }

    /// Whether there are no citizens.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Half the lattice degree (k/2); 0 without a network.
    pub fn half(&self) -> u32 {
        self.half
    }

    /// 1 / the number of neighbours of each citizen, 0 with none.
    pub fn inv_degree(&self) -> &[f32] {
        &self.inv_degree
    }

    /// The presence bits of lattice slots `8 r .. 8 r + 8` of every citizen
    /// (row `r`, one byte per citizen).
    pub fn present_row(&self, r: usize) -> &[u8] {
        let n = self.n as usize;
        &self.present[r * n..(r + 1) * n]
    }

    /// Added entries, (citizen, neighbour), sorted by citizen.
    pub fn added(&self) -> &[(u32, u32)] {
        &self.added
    }

    /// The neighbours of citizen `i`, ascending (for inspection and tests;
    /// the step loop never builds these lists).
    pub fn neighbours(&self, i: u32) -> Vec<u32> {
        let n = self.n;
        let nu = n as usize;
        let h = self.half;
        let mut out: Vec<u32> = (0..2 * h)
            .filter(|&slot| slot_present(&self.present, nu, i, slot))
            .map(|slot| {
                if slot < h {
                    (i + n - (slot + 1)) % n
                } else {
                    (i + slot - h + 1) % n
                }
            })
            .collect();
        let start = self.added.partition_point(|&(o, _)| o < i);
        out.extend(
            self.added[start..]
                .iter()
                .take_while(|&&(o, _)| o == i)
                .map(|&(_, t)| t),
        );
        out.sort_unstable();
        out
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> usize {
        let lattice: u32 = self.present.iter().map(|b| b.count_ones()).sum();
        lattice as usize / 2 + self.added.len() / 2
    }
}

/// All lattice slots present: bits `0..k` set, over `ceil(k / 8)` rows.
fn lattice_masks(n: u32, k: u32) -> Vec<u8> {
    let rows = k.div_ceil(8) as usize;
    let mut present = vec![0u8; rows * n as usize];
    for (r, row) in present.chunks_mut(n as usize).enumerate() {
        let bits = (k as usize - 8 * r).min(8);
        row.fill(((1u16 << bits) - 1) as u8);
    }
    present
}

/// Where lattice slot `slot` of citizen `i` sits: its byte in `present`
/// (one row of `n` bytes per 8 slots) and its bit.
fn slot_bit(n: usize, i: u32, slot: u32) -> (usize, u8) {
    ((slot / 8) as usize * n + i as usize, 1 << (slot % 8))
}

fn slot_present(present: &[u8], n: usize, i: u32, slot: u32) -> bool {
    let (byte, bit) = slot_bit(n, i, slot);
    present[byte] & bit != 0
}

fn clear_slot(present: &mut [u8], n: usize, i: u32, slot: u32) {
    let (byte, bit) = slot_bit(n, i, slot);
    present[byte] &= !bit;
}

/// The lattice slot of citizen i that would hold an edge to w, if w is
/// within k/2 of i on the ring.
fn lattice_slot(n: u32, half: u32, i: u32, w: u32) -> Option<u32> {
    let ahead = (w + n - i) % n; // steps from i forward to w
    if ahead >= 1 && ahead <= half {
        Some(half + ahead - 1)
    } else if n - ahead <= half && ahead != 0 {
        Some(n - ahead - 1)
    } else {
        None
    }
}

/// A fast deterministic hasher for edge keys (they are distinct u64s).
#[derive(Clone, Copy, Default)]
struct EdgeHash;

impl std::hash::BuildHasher for EdgeHash {
    type Hasher = EdgeHasher;
    fn build_hasher(&self) -> EdgeHasher {
        EdgeHasher(0)
    }
}

struct EdgeHasher(u64);

impl std::hash::Hasher for EdgeHasher {
    fn finish(&self) -> u64 {
        super::rng::mix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// Each undirected edge as two (citizen, neighbour) pairs, grouped by
/// citizen in ascending order and, within a citizen, in the order given
/// (a counting sort: linear time).
fn both_directions_by_owner(n: u32, edges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut start = vec![0u32; n as usize + 1];
    for &(a, b) in edges {
        start[a as usize + 1] += 1;
        start[b as usize + 1] += 1;
    }
    for i in 0..n as usize {
        start[i + 1] += start[i];
    }
    let mut out = vec![(0u32, 0u32); edges.len() * 2];
    for &(a, b) in edges {
        for (owner, other) in [(a, b), (b, a)] {
            let slot = &mut start[owner as usize];
            out[*slot as usize] = (owner, other);
            *slot += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: u32, k: u32, p: f64) -> Network {
        Network::watts_strogatz(n, k, p, 7)
    }

    fn is_simple_and_symmetric(g: &Network) -> bool {
        (0..g.n).all(|i| {
            let nb = g.neighbours(i);
            nb.windows(2).all(|w| w[0] < w[1])
                && nb.iter().all(|&j| j != i && g.neighbours(j).contains(&i))
        })
    }

    #[test]
    fn no_rewiring_gives_the_ring_lattice() {
        let g = graph(10, 4, 0.0);
        assert_eq!(g.neighbours(0), [1, 2, 8, 9]);
        assert_eq!(g.neighbours(5), [3, 4, 6, 7]);
        assert_eq!(g.edges(), 20);
        assert!(g.inv_degree().iter().all(|&x| x == 0.25));
    }

    #[test]
    fn rewiring_keeps_edges_simple_and_degrees_right() {
        for p in [0.1, 0.5, 1.0] {
            let g = graph(500, 6, p);
            assert_eq!(g.edges(), 1500);
            assert!(is_simple_and_symmetric(&g));
            for i in 0..500 {
                let d = g.neighbours(i).len() as f32;
                assert_eq!(g.inv_degree()[i as usize], 1.0 / d);
            }
        }
    }

    #[test]
    fn rewire_share_is_close_to_the_probability() {
        let n = 20_000;
        let g = graph(n, 6, 0.1);
        let lattice = (0..n)
            .map(|i| {
                g.neighbours(i)
                    .iter()
                    .filter(|&&j| {
                        (1..=3).contains(&(i64::from(j) - i64::from(i)).rem_euclid(i64::from(n)))
                    })
                    .count()
            })
            .sum::<usize>();
        let kept = lattice as f64 / (3.0 * f64::from(n));
        // about 90% of lattice edges survive (a few rewired edges land back on the lattice)
        assert!((kept - 0.9).abs() < 0.01, "{kept}");
    }

    #[test]
    fn a_complete_graph_cannot_rewire() {
        let g = graph(7, 6, 1.0);
        assert!((0..7).all(|i| g.neighbours(i).len() == 6));
        assert!(g.added().is_empty());
    }

    #[test]
    fn lattice_slots_name_the_positions() {
        // n = 10, k = 4: slots 0, 1 are i-1, i-2; slots 2, 3 are i+1, i+2
        assert_eq!(lattice_slot(10, 2, 5, 4), Some(0));
        assert_eq!(lattice_slot(10, 2, 5, 3), Some(1));
        assert_eq!(lattice_slot(10, 2, 5, 6), Some(2));
        assert_eq!(lattice_slot(10, 2, 5, 7), Some(3));
        assert_eq!(lattice_slot(10, 2, 0, 9), Some(0));
        assert_eq!(lattice_slot(10, 2, 9, 1), Some(3));
        assert_eq!(lattice_slot(10, 2, 5, 8), None);
        assert_eq!(lattice_slot(10, 2, 5, 5), None);
    }

    #[test]
    fn wide_lattices_use_several_mask_rows() {
        let g = graph(60, 20, 0.3);
        assert_eq!(g.edges(), 600);
        assert!(is_simple_and_symmetric(&g));
    }

    #[test]
    fn empty_network_has_no_neighbours() {
        let g = Network::empty(5);
        assert!(g.neighbours(3).is_empty());
        assert_eq!(g.len(), 5);
        assert_eq!(g.edges(), 0);
    }

    #[test]
    fn the_same_seed_gives_the_same_graph() {
        assert_eq!(graph(1000, 6, 0.2), graph(1000, 6, 0.2));
        assert_ne!(
            graph(1000, 6, 0.2),
            Network::watts_strogatz(1000, 6, 0.2, 8)
        );
    }
}
