//! PVC-1, the model of MODEL.md: population, network, the step phases and
//! what they record. Pure: no files, no printing, no clock.
//!
//! A [`Model`] comes from a checked [`crate::Scenario`]; [`run`] runs one
//! replication of it from a seed.

pub mod inhibitor;
mod interact;
pub mod intervention;
mod kernel;
mod network;
pub mod params;
mod population;
mod record;
pub mod rng;
pub mod rules;
mod world;

pub use inhibitor::{Effect, Inhibitor, Inhibitors, Op, Target};
pub use intervention::{Action, Intervention, SetKey};
pub use network::Network;
pub use population::{BetaMean, TraitDraw};
pub use record::{Figure, OutcomePotential, RunRecord, StepRecord};
pub use world::{CHUNK, Governance, World, run};

use params::{NetworkKind, Params};

/// A runnable model: the parameters after inhibitors, checked.
///
/// Built by [`crate::Scenario::model`], which validates every value; code
/// that holds a `Model` trusts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    params: Params,
    excluded_share: f64,
    interventions: Vec<Intervention>,
}

impl Model {
    pub(crate) fn new(
        params: Params,
        excluded_share: f64,
        interventions: Vec<Intervention>,
    ) -> Model {
        Model {
            params,
            excluded_share,
            interventions,
        }
    }

    /// The effective parameters: the scenario's, after its inhibitors acted.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The share of digitally excluded citizens (`digital_divide` sets it).
    pub fn excluded_share(&self) -> f64 {
        self.excluded_share
    }

    /// The interventions, in file order.
    pub fn interventions(&self) -> &[Intervention] {
        &self.interventions
    }

    /// Citizen-steps in one replication (N x T).
    pub fn citizen_steps(&self) -> u64 {
        u64::from(self.params.population.citizens) * u64::from(self.params.run.steps)
    }
}
