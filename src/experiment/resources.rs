//! What a run will need, estimated before it starts, so that a run that
//! cannot fit is refused up front with the estimate instead of crashing
//! half-way (MODEL.md leaves sizes free: 10^9 citizens, 4·10^9
//! replications or 10^8 steps are all valid scenarios). Pure: the caller
//! compares the estimate with what the machine has.
//!
//! The memory of one replication (its "world") is counted array by array,
//! from the layout of `model/world.rs` and `model/network.rs`: per citizen,
//! trust in two buffers (8 bytes), base utility, capability term, private
//! value and 1/degree (16), the exclusion flag (1), one bit per lattice
//! slot, and with PVC-2's groups the citizen's group (1), with its new
//! interventions the kept capability and motivation and a copy of the
//! exclusion flags (17); per rewired edge, both directions (16 bytes) and, while the
//! network is built, a hash set and a list of them; per participant in a
//! step, its index, pick and scratch values (40 bytes); at the end a sorted copy of the
//! private values for the Gini coefficient. The peak is the larger of the
//! network's construction and the running world. On top come the
//! replications in flight (one world per worker thread for small
//! populations, one in all above [`super::PARALLEL_WITHIN`] citizens),
//! their step records and formatted rows waiting to be written in order,
//! and what the command keeps per replication. A test checks the estimate
//! against the measured peak of a run of 10^7 citizens (within 25%).

use crate::model::{Model, RunRecord, StepRecord};
use crate::scenario::NetworkKind;

/// Bytes per participant in a step: its index, its pick (agency and
/// place in the random order), and the interaction's scratch values.
const PARTICIPANT_BYTES: u64 = 40;

/// Bytes of one formatted row of `steps.csv` (a generous average).
const STEP_ROW_BYTES: u64 = 192;

/// What the process needs besides the replications (binary, threads,
/// buffers).
const BASE_BYTES: u64 = 6 << 20;

/// The expected number of rewired edges of the model's network.
fn rewired_edges(model: &Model) -> u64 {
    let p = model.params();
    if p.network.kind == NetworkKind::None {
        return 0;
    }
    let half = f64::from(p.network.k / 2);
    (p.network.rewire * f64::from(p.population.citizens) * half).ceil() as u64
}

/// An estimate, on the high side, of the share of citizens who take part
/// in a step: the participation of a citizen with the mean traits of the
/// group most likely to take part and no exclusion penalty, whose neighbours take part as often as everyone
/// (the fixed point of phase 1's logit), times 1.5 for the spread of
/// traits and for trust that campaigns raise.
fn participation_estimate(model: &Model) -> f64 {
    let p = model.params();
    let b = &p.participation;
    let social = if p.network.kind == NetworkKind::None || p.network.k == 0 {
        0.0
    } else {
        b.social
    };
    // the group most likely to take part (with one group, the section-2 means)
    use crate::model::structure::GroupKey;
    let u = model
        .groups()
        .iter()
        .map(|g| {
            b.intercept
                + b.trust * g.get(GroupKey::TrustMean)
                + b.motivation * g.get(GroupKey::MotivationMean)
                + b.capability * g.get(GroupKey::CapabilityMean)
        })
        .fold(f64::NEG_INFINITY, f64::max);
    let mut share = crate::model::rules::sigmoid(u);
    for _ in 0..50 {
        share = crate::model::rules::sigmoid(u + social * share);
    }
    (1.5 * share).min(1.0)
}

/// Bytes of one replication's world at its peak.
pub fn world_bytes(model: &Model) -> u64 {
    let p = model.params();
    let n = u64::from(p.population.citizens);
    let k = if p.network.kind == NetworkKind::None {
        0
    } else {
        u64::from(p.network.k)
    };
    let edges = rewired_edges(model);
    let lattice = k.div_ceil(8) * n;
    // the network, while it is built: degrees, rewiring counts, the hash
    // set of rewired edges (power-of-two buckets of 9 bytes), their list
    // (grown by doubling) and the final list of both directions
    let construction = if k == 0 {
        4 * n
    } else {
        let capacity = (edges as f64 * 1.1) as u64 + 16;
        let buckets = (capacity * 8 / 7).next_power_of_two();
        lattice + 5 * n + 9 * buckets + 8 * edges.next_power_of_two() + 16 * edges + 4 * n
    };
    // the running world: the network, the citizens' arrays, this step's
    // participants and their picks, and the sorted copy for the Gini
    let participants = (participation_estimate(model) * n as f64) as u64;
    let agencies = u64::from(p.population.agencies);
    let running = lattice
        + 16 * edges
        + 4 * n
        + 8 * (n + k)
        + 13 * n
        + PARTICIPANT_BYTES * participants
        + 96 * agencies
        + 4 * n
        + pvc2_bytes(model);
    construction.max(running)
}

/// What PVC-2 adds to a world (MODEL.md 11): each citizen's group, when
/// the scenario has groups; each citizen's kept capability and motivation,
/// and a copy of the exclusion flags, when an intervention changes them.
fn pvc2_bytes(model: &Model) -> u64 {
    use crate::model::Action;
    let n = u64::from(model.params().population.citizens);
    let groups = if model.has_groups() { n } else { 0 };
    let keeps = model.interventions().iter().any(|i| {
        matches!(
            i.action,
            Action::CapabilityProgram { .. }
                | Action::InclusionProgram { .. }
                | Action::MotivationCampaign { .. }
        )
    });
    groups + if keeps { 17 * n } else { 0 }
}

/// Bytes of one finished replication waiting to be handed on in order:
/// its step records and their rows of `steps.csv`.
pub fn result_bytes(model: &Model) -> u64 {
    let steps = u64::from(model.params().run.steps);
    steps * (std::mem::size_of::<StepRecord>() as u64 + STEP_ROW_BYTES)
}

/// The worlds and the finished replications that exist at once when
/// `threads` workers run `replications` replications of `model`.
pub fn in_flight(model: &Model, threads: usize, replications: u64) -> (u64, u64) {
    let threads = threads.max(1) as u64;
    if model.params().population.citizens >= super::PARALLEL_WITHIN {
        (1, 1)
    } else {
        // each worker's world and result, and a batch of results waiting
        (
            threads.min(replications),
            ((4 * threads).max(8) + threads).min(replications),
        )
    }
}

/// Bytes kept per replication by the caller: its record, its seed, and
/// `extra` (for example a window's figures).
pub fn kept_bytes(replications: u64, extra: u64) -> u64 {
    replications * (std::mem::size_of::<RunRecord>() as u64 + 8 + extra)
}

/// Bytes a caller keeps per replication for its citizen groups' and agency
/// kinds' figures (for breakdown.csv): the records and the two lists.
pub fn part_bytes(model: &Model) -> u64 {
    use crate::model::{GroupRecord, KindRecord};
    let list = std::mem::size_of::<Vec<GroupRecord>>();
    (2 * list
        + model.groups().len() * std::mem::size_of::<GroupRecord>()
        + model.kinds().len() * std::mem::size_of::<KindRecord>()) as u64
}

/// The estimated peak memory, in bytes, of running `replications`
/// replications of `model` on `threads` workers while keeping `kept` bytes
/// of results.
pub fn peak_bytes(model: &Model, threads: usize, replications: u64, kept: u64) -> u64 {
    let (worlds, results) = in_flight(model, threads, replications);
    BASE_BYTES
        .saturating_add(worlds.saturating_mul(world_bytes(model)))
        .saturating_add(results.saturating_mul(result_bytes(model)))
        .saturating_add(kept)
}

/// A rough estimate of the time one replication takes on one core, in
/// seconds: building the network (rejection sampling slows down as
/// citizens' degrees near the population size) and the steps (each
/// citizen's work grows with its neighbours). Measured constants; the
/// estimate is for warnings, within a factor of a few.
pub fn replication_seconds(model: &Model) -> f64 {
    let p = model.params();
    let n = f64::from(p.population.citizens);
    let k = if p.network.kind == NetworkKind::None {
        0.0
    } else {
        f64::from(p.network.k)
    };
    let edges = rewired_edges(model) as f64;
    let attempts = n / (n - 1.0 - k).max(1.0);
    let network = edges * attempts * 3e-9;
    let steps = f64::from(p.run.steps) * n * (8e-9 + k * 2e-9);
    network + steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    fn model(sets: &[&str]) -> Model {
        let mut s = Scenario::baseline();
        for a in sets {
            s.set(a).unwrap();
        }
        s.model().unwrap()
    }

    #[test]
    fn memory_grows_with_citizens_degree_steps_and_participation() {
        let base = world_bytes(&model(&["population.citizens=1000000"]));
        // about 40 bytes per citizen at the defaults
        assert!((30_000_000..60_000_000).contains(&base), "{base}");
        assert!(world_bytes(&model(&["population.citizens=2000000"])) > 19 * base / 10);
        assert!(world_bytes(&model(&["population.citizens=1000000", "network.k=100"])) > 3 * base);
        assert!(
            world_bytes(&model(&[
                "population.citizens=1000000",
                "participation.intercept=50"
            ])) > base + 20_000_000
        );
        let short = result_bytes(&model(&[]));
        assert!(result_bytes(&model(&["run.steps=600"])) == 10 * short);
        // 10^8 steps: gigabytes per replication
        assert!(result_bytes(&model(&["run.steps=100000000"])) > 20 << 30);
        // small populations run a replication per thread, large ones one at a time
        let small = model(&["population.citizens=1000"]);
        assert_eq!(in_flight(&small, 4, 100).0, 4);
        assert_eq!(in_flight(&small, 4, 1), (1, 1));
        assert_eq!(
            in_flight(&model(&["population.citizens=1000000"]), 4, 100),
            (1, 1)
        );
        let r = 4_000_000_000;
        assert!(peak_bytes(&small, 4, r, kept_bytes(r, 0)) > 500 << 30);
    }

    #[test]
    fn each_group_and_kind_adds_its_record_per_replication() {
        use crate::model::{GroupRecord, KindRecord};
        let plain = part_bytes(&model(&[]));
        let text = "[[citizens.groups]]\nname = \"a\"\nshare = 0.5\n[[citizens.groups]]\nname = \"b\"\nshare = 0.5\n[[agencies.kinds]]\nname = \"x\"\ncount = 10\n[[agencies.kinds]]\nname = \"y\"\ncount = 10\n[[agencies.kinds]]\nname = \"z\"\ncount = 10\n";
        let parted = Scenario::from_toml(text, "parts.toml", "parts")
            .unwrap()
            .model()
            .unwrap();
        let (g, k) = (parted.groups().len(), parted.kinds().len());
        assert_eq!((g, k), (2, 3));
        let (g0, k0) = (model(&[]).groups().len(), model(&[]).kinds().len());
        assert_eq!(
            part_bytes(&parted) - plain,
            ((g - g0) * std::mem::size_of::<GroupRecord>()
                + (k - k0) * std::mem::size_of::<KindRecord>()) as u64
        );
    }

    #[test]
    fn time_grows_with_work_and_explodes_near_a_complete_network() {
        let t = replication_seconds(&model(&[]));
        assert!(t > 0.001 && t < 0.05, "{t}");
        let dense = replication_seconds(&model(&["population.citizens=20000", "network.k=19998"]));
        assert!(dense > 600.0, "{dense}");
    }
}
