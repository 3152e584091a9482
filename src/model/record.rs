//! What a run records (MODEL.md section 4): one [`StepRecord`] per step and
//! one [`RunRecord`] per replication.

/// The figures of one step, taken after phase 7 (before the step's interventions).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepRecord {
    /// The step, 0-based.
    pub step: u32,
    /// Citizens who took part.
    pub participants: u64,
    /// Interactions an agency served.
    pub served: u64,
    /// Participants whose agency was at capacity.
    pub unserved: u64,
    /// Served interactions whose value was realized.
    pub realized: u64,
    /// Served interactions without a legal basis.
    pub blocked_legal: u64,
    /// Served interactions the agency did not implement.
    pub not_implemented: u64,
    /// Served interactions that destroyed value.
    pub co_destroyed: u64,
    /// Sum of V over served interactions.
    pub value_potential: f64,
    /// Sum of realized values, the negative parts of co-destruction included.
    pub value_realized: f64,
    /// Sum of lambda V over co-destroyed interactions.
    pub value_destroyed: f64,
    /// Mean trust of citizens after phase 7.
    pub mean_trust: f64,
    /// Mean openness of agencies after phase 6.
    pub mean_openness: f64,
    /// Cumulative public value so far: sum of (1 + s) V over realized
    /// outcomes minus sum of lambda V over co-destroyed ones.
    pub public_value: f64,
}

impl StepRecord {
    /// The column names of the figures, in the order of [`StepRecord::values`].
    pub const FIGURES: [&'static str; 13] = [
        "participants",
        "served",
        "unserved",
        "realized",
        "blocked_legal",
        "not_implemented",
        "co_destroyed",
        "value_potential",
        "value_realized",
        "value_destroyed",
        "mean_trust",
        "mean_openness",
        "public_value",
    ];

    /// The figures, in the order of [`StepRecord::FIGURES`].
    pub fn values(&self) -> [Figure; 13] {
        use Figure::{Count, Real};
        [
            Count(self.participants),
            Count(self.served),
            Count(self.unserved),
            Count(self.realized),
            Count(self.blocked_legal),
            Count(self.not_implemented),
            Count(self.co_destroyed),
            Real(self.value_potential),
            Real(self.value_realized),
            Real(self.value_destroyed),
            Real(self.mean_trust),
            Real(self.mean_openness),
            Real(self.public_value),
        ]
    }
}

impl StepRecord {
    /// Adds the interaction counts and value sums of `other` (participants,
    /// served ... co_destroyed, value_potential, value_realized,
    /// value_destroyed); the trust, openness and public value figures are
    /// left alone.
    pub fn add_interactions(&mut self, other: &StepRecord) {
        self.participants += other.participants;
        self.served += other.served;
        self.unserved += other.unserved;
        self.realized += other.realized;
        self.blocked_legal += other.blocked_legal;
        self.not_implemented += other.not_implemented;
        self.co_destroyed += other.co_destroyed;
        self.value_potential += other.value_potential;
        self.value_realized += other.value_realized;
        self.value_destroyed += other.value_destroyed;
    }
}

/// One recorded number: a count or a real.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Figure {
    /// A count of citizens or interactions.
    Count(u64),
    /// A real-valued figure.
    Real(f64),
}

impl Figure {
    /// The figure as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Figure::Count(c) => c as f64,
            Figure::Real(x) => x,
        }
    }
}

/// The figures of one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunRecord {
    /// Sum of value_realized over steps.
    pub total_value_realized: f64,
    /// Sum of value_potential over steps.
    pub total_value_potential: f64,
    /// total_value_realized / total_value_potential (0 when the potential is 0).
    pub realization_ratio: f64,
    /// Public value at the end of the run.
    pub public_value: f64,
    /// Mean over steps of participants / N.
    pub participation_rate: f64,
    /// Served / participants over the run (0 when nobody took part).
    pub service_rate: f64,
    /// Mean trust after the last step, its interventions included.
    pub final_mean_trust: f64,
    /// final_mean_trust minus the mean trust right after initialization.
    pub trust_change: f64,
    /// Gini coefficient of citizens' private value (0 when all are 0).
    pub gini: f64,
    /// Mean private value of citizens who are not digitally excluded (0 for none).
    pub value_per_capita_included: f64,
    /// Mean private value of digitally excluded citizens (0 for none).
    pub value_per_capita_excluded: f64,
    /// Participations over the run.
    pub participants: u64,
    /// Served interactions over the run.
    pub served: u64,
    /// Unserved participations over the run.
    pub unserved: u64,
    /// Realized outcomes over the run.
    pub realized: u64,
    /// Legally blocked outcomes over the run.
    pub blocked_legal: u64,
    /// Outcomes not implemented over the run.
    pub not_implemented: u64,
    /// Co-destroyed outcomes over the run.
    pub co_destroyed: u64,
    /// Value potential of the served interactions by outcome, over the run. Not one of [`RunRecord::FIGURES`] (MODEL.md
    /// section 4 does not record it, and `runs.csv` does not hold it); the
    /// value-loss waterfall needs it to split the potential exactly.
    pub by_outcome: OutcomePotential,
}

/// Sums of the value potential V over served interactions, one per outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OutcomePotential {
    /// Sum of V over realized interactions.
    pub realized: f64,
    /// Sum of V over co-destroyed interactions (the value lost is lambda times this).
    pub co_destroyed: f64,
    /// Sum of V over interactions without a legal basis.
    pub blocked_legal: f64,
    /// Sum of V over interactions the agency did not implement.
    pub not_implemented: f64,
}

impl OutcomePotential {
    /// The value figures of MODEL.md section 4 these sums give, with
    /// destruction loss lambda and spillover s: (value_potential,
    /// value_realized, value_destroyed, public value added).
    pub fn figures(&self, destruction_loss: f64, spillover: f64) -> (f64, f64, f64, f64) {
        let potential =
            self.realized + self.co_destroyed + self.blocked_legal + self.not_implemented;
        let destroyed = destruction_loss * self.co_destroyed;
        (
            potential,
            self.realized - destroyed,
            destroyed,
            (1.0 + spillover) * self.realized - destroyed,
        )
    }

    /// Adds `other`'s sums.
    pub fn add(&mut self, other: &OutcomePotential) {
        self.realized += other.realized;
        self.co_destroyed += other.co_destroyed;
        self.blocked_legal += other.blocked_legal;
        self.not_implemented += other.not_implemented;
    }
}

impl RunRecord {
    /// The names of the per-replication figures, in the order of [`RunRecord::values`].
    pub const FIGURES: [&'static str; 18] = [
        "total_value_realized",
        "total_value_potential",
        "realization_ratio",
        "public_value",
        "participation_rate",
        "service_rate",
        "final_mean_trust",
        "trust_change",
        "gini",
        "value_per_capita_included",
        "value_per_capita_excluded",
        "participants",
        "served",
        "unserved",
        "realized",
        "blocked_legal",
        "not_implemented",
        "co_destroyed",
    ];

    /// The figures, in the order of [`RunRecord::FIGURES`].
    pub fn values(&self) -> [Figure; 18] {
        use Figure::{Count, Real};
        [
            Real(self.total_value_realized),
            Real(self.total_value_potential),
            Real(self.realization_ratio),
            Real(self.public_value),
            Real(self.participation_rate),
            Real(self.service_rate),
            Real(self.final_mean_trust),
            Real(self.trust_change),
            Real(self.gini),
            Real(self.value_per_capita_included),
            Real(self.value_per_capita_excluded),
            Count(self.participants),
            Count(self.served),
            Count(self.unserved),
            Count(self.realized),
            Count(self.blocked_legal),
            Count(self.not_implemented),
            Count(self.co_destroyed),
        ]
    }

    /// One figure by name, if there is such a figure.
    pub fn figure(&self, name: &str) -> Option<f64> {
        let i = RunRecord::FIGURES.iter().position(|f| *f == name)?;
        Some(self.values()[i].as_f64())
    }
}

/// The figures of one citizen group in one replication (MODEL.md 11.5),
/// a row of `groups.csv`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GroupRecord {
    /// Its citizens.
    pub citizens: u64,
    /// Its citizens excluded at the end of the run.
    pub excluded: u64,
    /// Mean over steps of the group's participants / its size.
    pub participation_rate: f64,
    /// Served / participants of the group over the run (0 when none took part).
    pub service_rate: f64,
    /// Mean private value of its citizens.
    pub value_per_capita: f64,
    /// Its mean trust after the last step, its interventions included.
    pub final_mean_trust: f64,
    /// final_mean_trust minus its mean trust right after initialization.
    pub trust_change: f64,
    /// The group's co-creation funnel over the run, for its waterfall (not
    /// a column of `groups.csv`).
    pub funnel: Funnel,
}

/// What the value-loss waterfall needs of a run, or of one group's part of
/// it: the interactions and their value potential by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Funnel {
    /// Participations (participants summed over steps).
    pub participants: u64,
    /// Served interactions.
    pub served: u64,
    /// Σ V over the served interactions.
    pub potential: f64,
    /// Σ V by outcome.
    pub by_outcome: OutcomePotential,
    /// Realized value, the negative parts of co-destruction included.
    pub realized: f64,
}

impl RunRecord {
    /// The run's funnel.
    pub fn funnel(&self) -> Funnel {
        Funnel {
            participants: self.participants,
            served: self.served,
            potential: self.total_value_potential,
            by_outcome: self.by_outcome,
            realized: self.total_value_realized,
        }
    }
}

impl GroupRecord {
    /// The column names of the figures, in the order of [`GroupRecord::values`].
    pub const FIGURES: [&'static str; 7] = [
        "citizens",
        "excluded",
        "participation_rate",
        "service_rate",
        "value_per_capita",
        "final_mean_trust",
        "trust_change",
    ];

    /// The figures, in the order of [`GroupRecord::FIGURES`].
    pub fn values(&self) -> [Figure; 7] {
        use Figure::{Count, Real};
        [
            Count(self.citizens),
            Count(self.excluded),
            Real(self.participation_rate),
            Real(self.service_rate),
            Real(self.value_per_capita),
            Real(self.final_mean_trust),
            Real(self.trust_change),
        ]
    }
}

/// The figures of one agency kind in one replication (MODEL.md 11.5), a
/// row of `kinds.csv`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KindRecord {
    /// Its agencies.
    pub agencies: u64,
    /// Interactions its agencies served, over the run.
    pub served: u64,
    /// Participants who picked one of its agencies and were not served.
    pub unserved: u64,
    /// Realized outcomes.
    pub realized: u64,
    /// Outcomes without a legal basis.
    pub blocked_legal: u64,
    /// Outcomes its agencies did not implement.
    pub not_implemented: u64,
    /// Co-destroyed outcomes.
    pub co_destroyed: u64,
    /// Sum of realized values, the negative parts of co-destruction included.
    pub value_realized: f64,
    /// Mean openness of its agencies at the end of the run.
    pub final_mean_openness: f64,
}

impl KindRecord {
    /// The column names of the figures, in the order of [`KindRecord::values`].
    pub const FIGURES: [&'static str; 9] = [
        "agencies",
        "served",
        "unserved",
        "realized",
        "blocked_legal",
        "not_implemented",
        "co_destroyed",
        "value_realized",
        "final_mean_openness",
    ];

    /// The figures, in the order of [`KindRecord::FIGURES`].
    pub fn values(&self) -> [Figure; 9] {
        use Figure::{Count, Real};
        [
            Count(self.agencies),
            Count(self.served),
            Count(self.unserved),
            Count(self.realized),
            Count(self.blocked_legal),
            Count(self.not_implemented),
            Count(self.co_destroyed),
            Real(self.value_realized),
            Real(self.final_mean_openness),
        ]
    }
}
