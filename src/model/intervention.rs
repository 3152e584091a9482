//! Interventions scheduled during a run (MODEL.md sections 6 and 11.4).

use serde::Serialize;

/// One intervention: at the end of step `at` (phase 8), `action` takes
/// effect on the targeted groups or kinds (all of them when none is named).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Intervention {
    /// The 0-based step at whose end it acts; below `run.steps`.
    pub at: u32,
    /// What it does.
    #[serde(flatten)]
    pub action: Action,
    /// The citizen groups it acts on (kinds of action on citizens only);
    /// empty: every group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The agency kinds it acts on (`set` and `openness_program` only);
    /// empty: every kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
}

impl Intervention {
    /// An intervention on everyone.
    pub fn new(at: u32, action: Action) -> Intervention {
        Intervention {
            at,
            action,
            groups: Vec::new(),
            kinds: Vec::new(),
        }
    }
}

/// Whom a kind of intervention acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Citizens: it may be targeted at groups.
    Citizens,
    /// Agencies: it may be targeted at kinds.
    Agencies,
}

/// What an intervention does.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A governance value or the capacity share takes a new value (inhibitors
    /// are not applied to it again).
    Set {
        /// Which value.
        key: SetKey,
        /// Its new value, in [0, 1].
        value: f64,
    },
    /// Every citizen's trust moves towards 1: `tau <- tau + delta (1 - tau)`.
    TrustCampaign {
        /// Share of the distance to full trust covered, in [0, 1].
        delta: f64,
    },
    /// Every agency's openness moves towards 1: `o <- o + delta (1 - o)`.
    OpennessProgram {
        /// Share of the distance to full openness covered, in [0, 1].
        delta: f64,
    },
    /// Every citizen's drawn capability moves towards 1:
    /// `c0 <- c0 + delta (1 - c0)` (MODEL.md 11.4).
    CapabilityProgram {
        /// Share of the distance covered, in [0, 1].
        delta: f64,
    },
    /// Each excluded citizen stops being excluded with probability `delta`.
    InclusionProgram {
        /// Probability, in [0, 1].
        delta: f64,
    },
    /// Every citizen's motivation moves towards 1: `m <- m + delta (1 - m)`.
    MotivationCampaign {
        /// Share of the distance covered, in [0, 1].
        delta: f64,
    },
}

impl Action {
    /// Whom it acts on, and so what it may be targeted at.
    pub fn side(&self) -> Side {
        match self {
            Action::Set { .. } | Action::OpennessProgram { .. } => Side::Agencies,
            _ => Side::Citizens,
        }
    }

    /// The kind's name in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Set { .. } => "set",
            Action::TrustCampaign { .. } => "trust_campaign",
            Action::OpennessProgram { .. } => "openness_program",
            Action::CapabilityProgram { .. } => "capability_program",
            Action::InclusionProgram { .. } => "inclusion_program",
            Action::MotivationCampaign { .. } => "motivation_campaign",
        }
    }

    /// The action of kind `kind` with strength `delta` (not for `set`).
    pub fn with_delta(kind: &str, delta: f64) -> Option<Action> {
        Some(match kind {
            "trust_campaign" => Action::TrustCampaign { delta },
            "openness_program" => Action::OpennessProgram { delta },
            "capability_program" => Action::CapabilityProgram { delta },
            "inclusion_program" => Action::InclusionProgram { delta },
            "motivation_campaign" => Action::MotivationCampaign { delta },
            _ => return None,
        })
    }

    /// Its `delta`, if it has one.
    pub fn delta(&self) -> Option<f64> {
        match *self {
            Action::Set { .. } => None,
            Action::TrustCampaign { delta }
            | Action::OpennessProgram { delta }
            | Action::CapabilityProgram { delta }
            | Action::InclusionProgram { delta }
            | Action::MotivationCampaign { delta } => Some(delta),
        }
    }
}

/// The values a `set` intervention can change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetKey {
    /// `governance.legal_level` (L).
    LegalLevel,
    /// `governance.feedback` (F).
    Feedback,
    /// `governance.codestruction` (D).
    Codestruction,
    /// `agencies.capacity_share`; agency capacities are recomputed.
    CapacityShare,
}

impl SetKey {
    /// Every settable key.
    pub const ALL: [SetKey; 4] = [
        SetKey::LegalLevel,
        SetKey::Feedback,
        SetKey::Codestruction,
        SetKey::CapacityShare,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            SetKey::LegalLevel => "legal_level",
            SetKey::Feedback => "feedback",
            SetKey::Codestruction => "codestruction",
            SetKey::CapacityShare => "capacity_share",
        }
    }

    /// The full dotted parameter name, also accepted in files.
    pub fn dotted(self) -> &'static str {
        match self {
            SetKey::LegalLevel => "governance.legal_level",
            SetKey::Feedback => "governance.feedback",
            SetKey::Codestruction => "governance.codestruction",
            SetKey::CapacityShare => "agencies.capacity_share",
        }
    }

    /// Looks a key up by its short or dotted name.
    pub fn from_name(name: &str) -> Option<SetKey> {
        SetKey::ALL
            .into_iter()
            .find(|k| k.name() == name || k.dotted() == name)
    }
}

/// The kinds of intervention, as written in files.
pub const KINDS: [&str; 6] = [
    "set",
    "trust_campaign",
    "openness_program",
    "capability_program",
    "inclusion_program",
    "motivation_campaign",
];
