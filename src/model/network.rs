//! The citizens' social network (MODEL.md section 1): a Watts-Strogatz small
//! world (Watts & Strogatz 1998), stored as compressed adjacency lists.

use super::rng::Rng;
use rand::RngExt;

/// An undirected graph over citizens `0..n`, neighbours of each in ascending order.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    offsets: Vec<usize>,
    neighbours: Vec<u32>,
    /// 1 / degree of each citizen (0 for none), so that means multiply.
    inv_degree: Vec<f64>,
}

impl Network {
    /// `n` citizens with no links (`network.kind = "none"`).
    pub fn empty(n: u32) -> Network {
        Network {
            offsets: vec![0; n as usize + 1],
            neighbours: Vec::new(),
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
    /// `k` is even and below `n` (checked by the scenario).
    pub fn watts_strogatz(n: u32, k: u32, rewire: f64, rng: &mut Rng) -> Network {
        let half = k / 2;
        let mut adjacency: Vec<Vec<u32>> = (0..n)
            .map(|i| {
                (1..=half)
                    .flat_map(|d| [(i + n - d) % n, (i + d) % n])
                    .collect()
            })
            .collect();
        for d in 1..=half {
            for i in 0..n {
                // One draw per edge, whatever happens next, so that the
                // decisions for later edges do not depend on this one.
                if rng.random::<f64>() >= rewire {
                    continue;
                }
                let iu = i as usize;
                if adjacency[iu].len() as u64 >= u64::from(n) - 1 {
                    continue;
                }
                let far = (i + d) % n;
                let new = loop {
                    let w = rng.random_range(0..n);
                    if w != i && !adjacency[iu].contains(&w) {
                        break w;
                    }
                };
                remove(&mut adjacency[iu], far);
                remove(&mut adjacency[far as usize], i);
                adjacency[iu].push(new);
                adjacency[new as usize].push(i);
            }
        }
        Network::from_lists(adjacency)
    }

    fn from_lists(mut lists: Vec<Vec<u32>>) -> Network {
        let mut offsets = Vec::with_capacity(lists.len() + 1);
        let mut neighbours = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        offsets.push(0);
        for list in &mut lists {
            list.sort_unstable();
            neighbours.extend_from_slice(list);
            offsets.push(neighbours.len());
        }
        let inv_degree = offsets
            .windows(2)
            .map(|w| {
                if w[1] > w[0] {
                    1.0 / (w[1] - w[0]) as f64
                } else {
                    0.0
                }
            })
            .collect();
        Network {
            offsets,
            neighbours,
            inv_degree,
        }
    }

    /// The neighbours of citizen `i`, ascending.
    #[inline]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.neighbours[self.offsets[i]..self.offsets[i + 1]]
    }

    /// 1 / the number of neighbours of citizen `i`, 0 with none.
    #[inline]
    pub fn inv_degree(&self, i: usize) -> f64 {
        self.inv_degree[i]
    }

    /// Number of citizens.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no citizens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> usize {
        self.neighbours.len() / 2
    }
}

fn remove(list: &mut Vec<u32>, x: u32) {
    if let Some(pos) = list.iter().position(|&y| y == x) {
        list.swap_remove(pos);
    }
}

#[cfg(test)]
mod tests {
    use super::super::rng::{Stream, stream};
    use super::*;

    fn graph(n: u32, k: u32, p: f64) -> Network {
        Network::watts_strogatz(n, k, p, &mut stream(7, Stream::Network))
    }

    fn is_simple_and_symmetric(g: &Network) -> bool {
        (0..g.len()).all(|i| {
            let nb = g.neighbours(i);
            nb.windows(2).all(|w| w[0] < w[1])
                && nb
                    .iter()
                    .all(|&j| j as usize != i && g.neighbours(j as usize).contains(&(i as u32)))
        })
    }

    #[test]
    fn no_rewiring_gives_the_ring_lattice() {
        let g = graph(10, 4, 0.0);
        assert_eq!(g.neighbours(0), &[1, 2, 8, 9]);
        assert_eq!(g.neighbours(5), &[3, 4, 6, 7]);
        assert_eq!(g.edges(), 20);
    }

    #[test]
    fn rewiring_keeps_edges_simple() {
        for p in [0.1, 0.5, 1.0] {
            let g = graph(500, 6, p);
            assert_eq!(g.edges(), 1500);
            assert!(is_simple_and_symmetric(&g));
        }
    }

    #[test]
    fn rewire_share_is_close_to_the_probability() {
        let n = 20_000;
        let g = graph(n, 6, 0.1);
        let lattice = (0..n as usize)
            .map(|i| {
                g.neighbours(i)
                    .iter()
                    .filter(|&&j| {
                        let d = (j as i64 - i as i64).rem_euclid(n as i64);
                        (1..=3).contains(&d)
                    })
                    .count()
            })
            .sum::<usize>();
        let kept = lattice as f64 / (3.0 * n as f64);
        // about 90% of lattice edges survive (a few rewired edges land back on the lattice)
        assert!((kept - 0.9).abs() < 0.01, "{kept}");
    }

    #[test]
    fn a_complete_graph_cannot_rewire() {
        let g = graph(7, 6, 1.0);
        assert!((0..7).all(|i| g.neighbours(i).len() == 6));
    }

    #[test]
    fn empty_network_has_no_neighbours() {
        let g = Network::empty(5);
        assert!(g.neighbours(3).is_empty());
        assert_eq!(g.len(), 5);
    }
}
