//! The pass over all citizens that ends one step and starts the next:
//! phase 7 (social influence on trust) and the trust campaigns of phase 8
//! for step t, fused with phase 1 (participation) of step t + 1. Fusing
//! them reads each citizen's neighbourhood once per step instead of twice.
//!
//! Citizens are processed in fixed chunks (the unit of parallel work) and,
//! within a chunk, in blocks small enough for the first-level cache; the
//! inner loops run over plain arrays and vectorize. The arrays of trust and
//! participation carry a halo of `k/2` entries on each side (copies of the
//! other end of the ring), so that a lattice neighbour of citizen `i` is
//! always at `i ± d` in memory.
//!
//! Each citizen's participation flag travels in the lowest bit of its f32
//! trust ([`pack`]), so that reading a rewired neighbour, anywhere on the
//! ring, costs one cache miss instead of two. Each packing moves trust by at
//! most one unit in the last place (6e-8 at trust 1), up or down at random,
//! far below anything the model can resolve.

use super::network::Network;
use super::rng::{top23, word};
use super::rules;

/// Citizens per block of the inner loops.
pub const BLOCK: usize = 256;

/// The target of a campaign on every group.
pub const ALL_GROUPS: u64 = u64::MAX;

/// Everything the pass reads, shared by all chunks.
pub struct Pass<'a> {
    /// Half the lattice degree; also the width of the halos.
    pub half: usize,
    /// Fetch rewired neighbours ahead (worth it once trust outgrows the caches).
    pub prefetch: bool,
    /// Apply phase 7 (false only before the first step).
    pub influence: bool,
    /// omega.
    pub social_weight: f32,
    /// Trust campaigns to apply after phase 7, in order: their deltas and
    /// the groups they target (a bit per group; [`ALL_GROUPS`] for every citizen).
    pub campaigns: &'a [(f32, u64)],
    /// Each citizen's group (empty with one group).
    pub group: &'a [u8],
    /// The key of the participation draws of the next step, or `None` when
    /// no step follows.
    pub participation: Option<u64>,
    /// beta_tau.
    pub b_trust: f32,
    /// beta_s.
    pub b_social: f32,
    /// The constant part of each citizen's utility.
    pub base: &'a [f32],
    /// 1 / degree (0 without neighbours).
    pub inv_degree: &'a [f32],
    /// The network, for its lattice presence bits.
    pub network: &'a Network,
    /// Added entries (citizen, neighbour), by citizen.
    pub added: &'a [(u32, u32)],
    /// Trust after phase 5, packed with this step's participation flags, with halos.
    pub trust: &'a [f32],
}

/// Trust with a participation flag in its lowest bit: unchanged if its
/// lowest bit already is the flag, else moved one unit in the last place,
/// up or down as its next bit says, so that trust does not drift one way
/// over a run (and 0 only ever moves up).
#[inline(always)]
pub fn pack(trust: f32, flag: bool) -> f32 {
    let b = trust.to_bits();
    let mismatch = (b ^ u32::from(flag)) & 1;
    // up when bit 1 is set, or from zero; else down (in integer arithmetic,
    // so that it vectorizes)
    let up = ((b >> 1) & 1) | u32::from(b & 0x7FFF_FFFF == 0);
    let delta = mismatch.wrapping_mul(up.wrapping_mul(2).wrapping_sub(1));
    f32::from_bits(b.wrapping_add(delta))
}

/// The participation flag of a packed trust, as 0 or 1.
#[inline(always)]
pub fn flag(packed: f32) -> u32 {
    packed.to_bits() & 1
}

/// One chunk's share of the pass.
#[derive(Clone, Debug, Default)]
pub struct ChunkOut {
    /// Sum of trust after phase 7, before the campaigns.
    pub trust_after_influence: f64,
    /// Sum of trust after the campaigns.
    pub trust_after_campaigns: f64,
}

/// Runs the pass for the citizens `start..start + trust_out.len()`, writing
/// their new trust, packed with their new participation flags, and appending
/// the new participants (ascending) to `participants`. `added` is the index
/// range of this chunk's entries in the list of rewired edges.
///
/// On x86-64 processors with AVX2 the same code runs compiled for AVX2
/// (chosen at run time; AVX2 has no fused multiply-add, so the results are
/// the same bits as on any other x86-64).
pub fn run_chunk(
    pass: &Pass,
    start: usize,
    added: (usize, usize),
    trust_out: &mut [f32],
    participants: &mut Vec<u32>,
) -> ChunkOut {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has_avx512() {
            // SAFETY: the processor supports these AVX-512 subsets, as checked just above.
            return unsafe { run_chunk_avx512(pass, start, added, trust_out, participants) };
        }
        if has!("avx2") {
            // SAFETY: the processor supports AVX2, as checked just above.
            return unsafe { run_chunk_avx2(pass, start, added, trust_out, participants) };
        }
    }
    run_chunk_body(pass, start, added, trust_out, participants)
}

/// [`run_chunk_body`] compiled for AVX-512 (64-bit multiplies for the
/// random numbers; still no fused multiply-add, so the same bits).
/// Copies the ends of the ring into the halos the fused pass reads: the
/// `half` entries before citizen 0 are the last `half` citizens, and those
/// after the last are the first `half`.
pub fn refresh_halos<T: Copy>(v: &mut [T], n: usize, half: usize) {
    if half > 0 {
        v.copy_within(n..n + half, 0);
        v.copy_within(half..2 * half, half + n);
    }
}

/// Whether the processor has the AVX-512 subsets the AVX-512 kernels are
/// compiled for (F, DQ, VL, BW).
#[cfg(target_arch = "x86_64")]
pub fn has_avx512() -> bool {
    use std::arch::is_x86_feature_detected as has;
    has!("avx512f") && has!("avx512dq") && has!("avx512vl") && has!("avx512bw")
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw")]
fn run_chunk_avx512(
    pass: &Pass,
    start: usize,
    added: (usize, usize),
    trust_out: &mut [f32],
    participants: &mut Vec<u32>,
) -> ChunkOut {
    run_chunk_body(pass, start, added, trust_out, participants)
}

/// [`run_chunk_body`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_chunk_avx2(
    pass: &Pass,
    start: usize,
    added: (usize, usize),
    trust_out: &mut [f32],
    participants: &mut Vec<u32>,
) -> ChunkOut {
    run_chunk_body(pass, start, added, trust_out, participants)
}

#[inline(always)]
fn run_chunk_body(
    pass: &Pass,
    start: usize,
    added: (usize, usize),
    trust_out: &mut [f32],
    participants: &mut Vec<u32>,
) -> ChunkOut {
    let mut out = ChunkOut::default();
    let mut a = added.0;
    let len = trust_out.len();
    let mut offset = 0;
    while offset < len {
        let n = BLOCK.min(len - offset);
        let first = start + offset;
        let mut trust_sum = [0f32; BLOCK];
        let mut active = [0u32; BLOCK];
        let (ts, ps) = (&mut trust_sum[..n], &mut active[..n]);
        neighbour_sums(pass, first, ts, ps);
        let end = first + n;
        while a < added.1 && (pass.added[a].0 as usize) < end {
            // the rewired neighbours are anywhere on the ring: in a large
            // population, fetch them ahead
            if pass.prefetch
                && let Some(&(_, ahead)) = pass.added.get(a + PREFETCH)
            {
                prefetch(&pass.trust[ahead as usize + pass.half]);
            }
            let (o, t) = pass.added[a];
            let (o, t) = (o as usize - first, t as usize + pass.half);
            ts[o] += pass.trust[t];
            ps[o] += flag(pass.trust[t]);
            a += 1;
        }
        let t_out = &mut trust_out[offset..offset + n];
        let own = &pass.trust[pass.half + first..pass.half + end];
        let inv = &pass.inv_degree[first..end];
        influence(pass, own, ts, inv, t_out);
        let influenced = sum(t_out);
        out.trust_after_influence += influenced;
        if pass.campaigns.is_empty() {
            out.trust_after_campaigns += influenced;
        } else {
            for &(delta, groups) in pass.campaigns {
                if groups == ALL_GROUPS {
                    for t in t_out.iter_mut() {
                        *t += delta * (1.0 - *t);
                    }
                } else {
                    // a citizen outside the targeted groups moves by 0 x (1 - t)
                    let group = &pass.group[first..end];
                    for (t, &g) in t_out.iter_mut().zip(group) {
                        let d = if (groups >> g) & 1 == 1 { delta } else { 0.0 };
                        *t += d * (1.0 - *t);
                    }
                }
            }
            out.trust_after_campaigns += sum(t_out);
        }
        if let Some(key) = pass.participation {
            let mut flags = [0u8; BLOCK];
            let p_out = &mut flags[..n];
            participate(pass, key, first, t_out, ps, inv, p_out);
            append_participants(first, p_out, participants);
        }
        offset += n;
    }
    out
}

/// How many rewired edges ahead to fetch neighbours' state into the cache.
const PREFETCH: usize = 24;

/// Populations from which rewired neighbours are fetched ahead: their trust
/// (4 bytes each) no longer fits in a core's second-level cache.
pub const PREFETCH_FROM: usize = 1 << 18;

/// Asks the processor to bring `x` into the cache (a hint; no effect on results).
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint that never faults; `x` is a valid reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Sums over the lattice positions around each citizen of the block: trust
/// and participation flags of the neighbours at distance 1..=k/2 whose
/// lattice edge is still there.
#[inline(always)]
fn neighbour_sums(pass: &Pass, first: usize, ts: &mut [f32], ps: &mut [u32]) {
    let n = ts.len();
    let h = pass.half;
    let with_flags = pass.participation.is_some();
    for d in 1..=h {
        let left = &pass.trust[h + first - d..h + first - d + n];
        let right = &pass.trust[h + first + d..h + first + d + n];
        let (left_slot, right_slot) = (d - 1, h + d - 1);
        let left_mask = &pass.network.present_row(left_slot / 8)[first..first + n];
        let right_mask = &pass.network.present_row(right_slot / 8)[first..first + n];
        let (lb, rb) = (left_slot % 8, right_slot % 8);
        let terms = left.iter().zip(right).zip(left_mask.iter().zip(right_mask));
        // a present slot gives an all-ones mask, an absent one zero: the
        // neighbour's bits are kept or cleared, without multiplying
        if with_flags {
            for ((s, p), ((&l, &r), (&lm, &rm))) in ts.iter_mut().zip(ps.iter_mut()).zip(terms) {
                let ml = 0u32.wrapping_sub(u32::from((lm >> lb) & 1));
                let mr = 0u32.wrapping_sub(u32::from((rm >> rb) & 1));
                let (l, r) = (l.to_bits() & ml, r.to_bits() & mr);
                *s += f32::from_bits(l) + f32::from_bits(r);
                *p += (l & 1) + (r & 1);
            }
        } else {
            for (s, ((&l, &r), (&lm, &rm))) in ts.iter_mut().zip(terms) {
                let ml = 0u32.wrapping_sub(u32::from((lm >> lb) & 1));
                let mr = 0u32.wrapping_sub(u32::from((rm >> rb) & 1));
                *s += f32::from_bits(l.to_bits() & ml) + f32::from_bits(r.to_bits() & mr);
            }
        }
    }
}

/// Phase 7 for a block: `(1 - omega) tau + omega mean(neighbours)`, trust
/// unchanged without neighbours (or before the first step).
#[inline(always)]
fn influence(pass: &Pass, own: &[f32], sums: &[f32], inv: &[f32], out: &mut [f32]) {
    if !pass.influence {
        out.copy_from_slice(own);
        return;
    }
    let w = pass.social_weight;
    for (((o, &t), &s), &i) in out.iter_mut().zip(own).zip(sums).zip(inv) {
        let mixed = rules::influenced_trust(t, s * i, w);
        *o = if i > 0.0 { mixed } else { t };
    }
}

/// Phase 1 for a block: `U < sigmoid(u)` with
/// `u = base + beta_tau tau + beta_s share`; the decision goes into `out`
/// and into the lowest bit of the citizen's trust.
#[inline(always)]
fn participate(
    pass: &Pass,
    key: u64,
    first: usize,
    trust: &mut [f32],
    active: &[u32],
    inv: &[f32],
    out: &mut [u8],
) {
    let n = out.len();
    let mut draws = [0i32; BLOCK];
    for (j, d) in draws[..n].iter_mut().enumerate() {
        *d = top23(word(key, (first + j) as u64));
    }
    let base = &pass.base[first..first + n];
    let (bt, bs) = (pass.b_trust, pass.b_social);
    for (((((o, &d), t), &a), &i), &b) in out
        .iter_mut()
        .zip(&draws[..n])
        .zip(trust.iter_mut())
        .zip(active)
        .zip(inv)
        .zip(base)
    {
        let u = b + bt * *t + bs * (a as f32 * i);
        // the midpoint of one of 2^23 equal cells: never 0, never 1
        let uniform = (d as f32 + 0.5) * (1.0 / 8_388_608.0);
        let takes = rules::takes_part(uniform, u);
        *o = u8::from(takes);
        *t = pack(*t, takes);
    }
}

/// Appends the indices of the block's participants, in order: the flags of
/// 64 citizens become one bit mask, and only the set bits are visited.
#[inline(always)]
fn append_participants(first: usize, flags: &[u8], participants: &mut Vec<u32>) {
    for (c, group) in flags.chunks(64).enumerate() {
        let mut mask = 0u64;
        for (b, &f) in group.iter().enumerate() {
            mask |= u64::from(f) << b;
        }
        let base = first + 64 * c;
        while mask != 0 {
            participants.push((base + mask.trailing_zeros() as usize) as u32);
            mask &= mask - 1;
        }
    }
}

/// A sum in a fixed order (eight lanes, then the lanes in order), so that
/// it vectorizes and gives the same bits on every machine.
#[inline(always)]
fn sum(values: &[f32]) -> f64 {
    let mut lanes = [0f32; 8];
    let mut chunks = values.chunks_exact(8);
    for c in &mut chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l += v;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|&v| f64::from(v)).sum();
    lanes.iter().map(|&l| f64::from(l)).sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pass over 5000 citizens of a rewired network, with campaigns.
    fn run_both(
        run: impl Fn(&Pass, &mut [f32], &mut Vec<u32>) -> ChunkOut,
    ) -> (Vec<f32>, Vec<u32>, f64, f64) {
        use crate::model::rng::{Stream, key, unit_f64};
        let n = 5000usize;
        let net = Network::watts_strogatz(n as u32, 6, 0.3, 11);
        let h = net.half() as usize;
        let k = key(1, Stream::Trust, 0);
        let mut trust: Vec<f32> = (0..n + 2 * h)
            .map(|i| pack(unit_f64(word(k, i as u64)) as f32, i % 7 == 0))
            .collect();
        refresh_halos(&mut trust, n, h);
        let base: Vec<f32> = (0..n).map(|i| -4.0 + (i % 5) as f32 * 0.3).collect();
        let pass = Pass {
            half: h,
            prefetch: true,
            influence: true,
            social_weight: 0.2,
            campaigns: &[(0.1, ALL_GROUPS)],
            group: &[],
            participation: Some(key(1, Stream::Participation, 3)),
            b_trust: 3.0,
            b_social: 2.0,
            base: &base,
            inv_degree: net.inv_degree(),
            network: &net,
            added: net.added(),
            trust: &trust,
        };
        let mut out = vec![0f32; n];
        let mut participants = Vec::new();
        let sums = run(&pass, &mut out, &mut participants);
        (
            out,
            participants,
            sums.trust_after_influence,
            sums.trust_after_campaigns,
        )
    }

    #[test]
    fn vector_and_plain_code_give_the_same_bits() {
        let plain = run_both(|p, out, parts| run_chunk_body(p, 0, (0, p.added.len()), out, parts));
        assert!(!plain.1.is_empty());
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let same = |wide: (Vec<f32>, Vec<u32>, f64, f64)| {
                assert!(
                    plain
                        .0
                        .iter()
                        .zip(&wide.0)
                        .all(|(a, b)| a.to_bits() == b.to_bits())
                );
                assert_eq!(plain.1, wide.1);
                assert_eq!(plain.2.to_bits(), wide.2.to_bits());
                assert_eq!(plain.3.to_bits(), wide.3.to_bits());
            };
            if has!("avx2") {
                // SAFETY: AVX2 is present, as checked just above.
                same(run_both(|p, out, parts| unsafe {
                    run_chunk_avx2(p, 0, (0, p.added.len()), out, parts)
                }));
            }
            if has_avx512() {
                // SAFETY: these AVX-512 subsets are present, as checked just above.
                same(run_both(|p, out, parts| unsafe {
                    run_chunk_avx512(p, 0, (0, p.added.len()), out, parts)
                }));
            }
        }
    }

    #[test]
    fn ordered_sum_is_exact_on_small_integers() {
        let v: Vec<f32> = (0..1000).map(|i| (i % 13) as f32).collect();
        let exact: f64 = v.iter().map(|&x| f64::from(x)).sum();
        assert_eq!(sum(&v), exact);
        assert_eq!(
            sum(&v[..5]),
            v[..5].iter().map(|&x| f64::from(x)).sum::<f64>()
        );
    }

    #[test]
    fn packing_keeps_trust_and_the_flag() {
        for t in [0.0f32, 0.3, 0.6, 1.0, 0.123_456_7] {
            for f in [false, true] {
                let p = pack(t, f);
                assert_eq!(flag(p), u32::from(f));
                assert!((p - t).abs() <= f32::EPSILON * t.max(f32::MIN_POSITIVE));
                assert!(p.is_finite() && p >= 0.0);
            }
        }
    }

    #[test]
    fn packing_does_not_drift() {
        // most citizens are packed with the flag off, step after step: on
        // average that must not lower trust (clearing the bit would, by a
        // quarter of a unit in the last place)
        use crate::model::rng::{Stream, key, unit_f64};
        let k = key(3, Stream::Trust, 0);
        let n = 200_000;
        let (mut drift, mut ulps) = (0.0f64, 0.0f64);
        for i in 0..n {
            let t = (0.2 + 0.6 * unit_f64(word(k, i))) as f32;
            drift += f64::from(pack(t, false)) - f64::from(t);
            ulps += f64::from(f32::from_bits(t.to_bits() + 1) - t);
        }
        let mean_in_ulps = drift / ulps;
        assert!(mean_in_ulps.abs() < 0.01, "{mean_in_ulps} ulp");
    }

    #[test]
    fn participants_are_appended_in_order() {
        let mut out = vec![7];
        append_participants(10, &[0, 1, 1, 0, 1], &mut out);
        assert_eq!(out, [7, 11, 12, 14]);
        let mut flags = vec![0u8; 200];
        for i in [0, 63, 64, 65, 127, 128, 199] {
            flags[i] = 1;
        }
        let mut out = Vec::new();
        append_participants(1000, &flags, &mut out);
        assert_eq!(out, [1000, 1063, 1064, 1065, 1127, 1128, 1199]);
    }
}
