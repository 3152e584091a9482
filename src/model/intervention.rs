//! Interventions scheduled during a run (MODEL.md section 6).

use serde::Serialize;

/// One intervention: at the end of step `at` (phase 8), `action` takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Intervention {
    /// The 0-based step at whose end it acts; below `run.steps`.
    pub at: u32,
    /// What it does.
    #[serde(flatten)]
    pub action: Action,
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
pub const KINDS: [&str; 3] = ["set", "trust_campaign", "openness_program"];
