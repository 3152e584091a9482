//! The inhibitors of value realization (MODEL.md section 5).
//!
//! Each inhibitor has an intensity x in [0, 1] (0 = absent) and acts on the
//! parameters once, before the run, in the order of [`Inhibitor::ALL`].

use super::params::Params;
use serde::Serialize;
use std::fmt;

/// One inhibitor of public value co-creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Inhibitor {
    /// Citizens distrust government.
    LowTrust,
    /// Apathy, no incentive to take part.
    LowMotivation,
    /// Part of the population lacks skills or access.
    DigitalDivide,
    /// Bureaucratic, closed agency culture.
    RiskAverseCulture,
    /// No staff or budget for co-creation.
    LimitedCapacity,
    /// No legal basis to act on or share what is co-created.
    MissingLegalFramework,
    /// The loop is not closed; citizens never hear back.
    NoFeedback,
    /// No shared understanding between the parties.
    MisalignedGoals,
}

impl Inhibitor {
    /// Every inhibitor, in the order in which they act (MODEL.md section 5).
    pub const ALL: [Inhibitor; 8] = [
        Inhibitor::LowTrust,
        Inhibitor::LowMotivation,
        Inhibitor::DigitalDivide,
        Inhibitor::RiskAverseCulture,
        Inhibitor::LimitedCapacity,
        Inhibitor::MissingLegalFramework,
        Inhibitor::NoFeedback,
        Inhibitor::MisalignedGoals,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Inhibitor::LowTrust => "low_trust",
            Inhibitor::LowMotivation => "low_motivation",
            Inhibitor::DigitalDivide => "digital_divide",
            Inhibitor::RiskAverseCulture => "risk_averse_culture",
            Inhibitor::LimitedCapacity => "limited_capacity",
            Inhibitor::MissingLegalFramework => "missing_legal_framework",
            Inhibitor::NoFeedback => "no_feedback",
            Inhibitor::MisalignedGoals => "misaligned_goals",
        }
    }

    /// Looks an inhibitor up by its file name.
    pub fn from_name(name: &str) -> Option<Inhibitor> {
        Inhibitor::ALL.into_iter().find(|i| i.name() == name)
    }

    /// What the inhibitor stands for.
    pub fn meaning(self) -> &'static str {
        match self {
            Inhibitor::LowTrust => "citizens distrust government",
            Inhibitor::LowMotivation => "apathy, no incentive to take part",
            Inhibitor::DigitalDivide => "part of the population lacks skills or access",
            Inhibitor::RiskAverseCulture => "bureaucratic, closed agency culture",
            Inhibitor::LimitedCapacity => "no staff or budget for co-creation",
            Inhibitor::MissingLegalFramework => {
                "no legal basis to act on or share what is co-created"
            }
            Inhibitor::NoFeedback => "the loop is not closed; citizens never hear back",
            Inhibitor::MisalignedGoals => "no shared understanding between the parties",
        }
    }

    /// What intensity x does to the parameters, as a formula.
    pub fn effect(self) -> &'static str {
        match self {
            Inhibitor::LowTrust => "citizens.trust_mean <- trust_mean * (1 - 0.75x)",
            Inhibitor::LowMotivation => "citizens.motivation_mean <- motivation_mean * (1 - 0.75x)",
            Inhibitor::DigitalDivide => {
                "excluded share = 0.4x (excluded citizens: capability x 0.3, utility - exclusion_penalty)"
            }
            Inhibitor::RiskAverseCulture => "agencies.openness_mean <- openness_mean * (1 - 0.75x)",
            Inhibitor::LimitedCapacity => "agencies.capacity_share <- capacity_share * (1 - 0.9x)",
            Inhibitor::MissingLegalFramework => "governance.legal_level <- legal_level * (1 - x)",
            Inhibitor::NoFeedback => "governance.feedback <- feedback * (1 - x)",
            Inhibitor::MisalignedGoals => "governance.codestruction <- codestruction + 0.25x",
        }
    }

    /// The parameter the inhibitor acts on (`None` for `digital_divide`,
    /// which sets the excluded share).
    pub fn key(self) -> Option<&'static str> {
        match self {
            Inhibitor::LowTrust => Some("citizens.trust_mean"),
            Inhibitor::LowMotivation => Some("citizens.motivation_mean"),
            Inhibitor::DigitalDivide => None,
            Inhibitor::RiskAverseCulture => Some("agencies.openness_mean"),
            Inhibitor::LimitedCapacity => Some("agencies.capacity_share"),
            Inhibitor::MissingLegalFramework => Some("governance.legal_level"),
            Inhibitor::NoFeedback => Some("governance.feedback"),
            Inhibitor::MisalignedGoals => Some("governance.codestruction"),
        }
    }

    /// Applies the inhibitor at intensity `x` to `params`; returns the excluded
    /// share it sets (only `digital_divide` sets one).
    fn apply(self, x: f64, params: &mut Params) -> Option<f64> {
        match self {
            Inhibitor::LowTrust => params.citizens.trust_mean *= 1.0 - 0.75 * x,
            Inhibitor::LowMotivation => params.citizens.motivation_mean *= 1.0 - 0.75 * x,
            Inhibitor::DigitalDivide => return Some(0.4 * x),
            Inhibitor::RiskAverseCulture => params.agencies.openness_mean *= 1.0 - 0.75 * x,
            Inhibitor::LimitedCapacity => params.agencies.capacity_share *= 1.0 - 0.9 * x,
            Inhibitor::MissingLegalFramework => params.governance.legal_level *= 1.0 - x,
            Inhibitor::NoFeedback => params.governance.feedback *= 1.0 - x,
            Inhibitor::MisalignedGoals => params.governance.codestruction += 0.25 * x,
        }
        None
    }
}

impl fmt::Display for Inhibitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The intensities of all eight inhibitors of a scenario (0 = absent).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Inhibitors([f64; 8]);

impl Inhibitors {
    /// The intensity of one inhibitor.
    pub fn get(&self, inhibitor: Inhibitor) -> f64 {
        self.0[inhibitor as usize]
    }

    /// Sets an intensity; the caller has checked it is in [0, 1].
    pub fn set(&mut self, inhibitor: Inhibitor, intensity: f64) {
        self.0[inhibitor as usize] = intensity;
    }

    /// The inhibitors with a non-zero intensity, in acting order.
    pub fn active(&self) -> impl Iterator<Item = (Inhibitor, f64)> + '_ {
        Inhibitor::ALL
            .into_iter()
            .map(|i| (i, self.get(i)))
            .filter(|(_, x)| *x > 0.0)
    }

    /// Applies every inhibitor to `params` in table order and returns the
    /// share of digitally excluded citizens (0 without `digital_divide`).
    pub fn apply(&self, params: &mut Params) -> f64 {
        let mut excluded_share = 0.0;
        for inhibitor in Inhibitor::ALL {
            if let Some(share) = inhibitor.apply(self.get(inhibitor), params) {
                excluded_share = share;
            }
        }
        excluded_share
    }
}

impl Serialize for Inhibitors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(8))?;
        for inhibitor in Inhibitor::ALL {
            map.serialize_entry(inhibitor.name(), &self.get(inhibitor))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_intensity_changes_nothing() {
        let mut p = Params::default();
        let share = Inhibitors::default().apply(&mut p);
        assert_eq!(p, Params::default());
        assert_eq!(share, 0.0);
    }

    #[test]
    fn each_inhibitor_at_full_intensity() {
        let full = |i: Inhibitor| {
            let mut inh = Inhibitors::default();
            inh.set(i, 1.0);
            let mut p = Params::default();
            let share = inh.apply(&mut p);
            (p, share)
        };
        assert!((full(Inhibitor::LowTrust).0.citizens.trust_mean - 0.15).abs() < 1e-12);
        assert!((full(Inhibitor::LowMotivation).0.citizens.motivation_mean - 0.125).abs() < 1e-12);
        assert_eq!(full(Inhibitor::DigitalDivide).1, 0.4);
        assert!((full(Inhibitor::RiskAverseCulture).0.agencies.openness_mean - 0.15).abs() < 1e-12);
        assert!((full(Inhibitor::LimitedCapacity).0.agencies.capacity_share - 0.01).abs() < 1e-12);
        assert_eq!(
            full(Inhibitor::MissingLegalFramework)
                .0
                .governance
                .legal_level,
            0.0
        );
        assert_eq!(full(Inhibitor::NoFeedback).0.governance.feedback, 0.0);
        assert!((full(Inhibitor::MisalignedGoals).0.governance.codestruction - 0.27).abs() < 1e-12);
    }

    #[test]
    fn each_inhibitor_at_a_partial_intensity() {
        // at x = 0.4, where x and x^2 (or any other curve through 0 and 1)
        // part: 1 - 0.75 * 0.4 = 0.7, 1 - 0.9 * 0.4 = 0.64
        let at = |i: Inhibitor| {
            let mut inh = Inhibitors::default();
            inh.set(i, 0.4);
            let mut p = Params::default();
            let share = inh.apply(&mut p);
            (p, share)
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(
            at(Inhibitor::LowTrust).0.citizens.trust_mean,
            0.6 * 0.7
        ));
        assert!(close(
            at(Inhibitor::LowMotivation).0.citizens.motivation_mean,
            0.5 * 0.7
        ));
        assert!(close(at(Inhibitor::DigitalDivide).1, 0.16));
        assert!(close(
            at(Inhibitor::RiskAverseCulture).0.agencies.openness_mean,
            0.6 * 0.7
        ));
        assert!(close(
            at(Inhibitor::LimitedCapacity).0.agencies.capacity_share,
            0.1 * 0.64
        ));
        assert!(close(
            at(Inhibitor::MissingLegalFramework)
                .0
                .governance
                .legal_level,
            0.9 * 0.6
        ));
        assert!(close(
            at(Inhibitor::NoFeedback).0.governance.feedback,
            0.5 * 0.6
        ));
        assert!(close(
            at(Inhibitor::MisalignedGoals).0.governance.codestruction,
            0.02 + 0.1
        ));
        // several act together, each on its own parameter
        let mut inh = Inhibitors::default();
        inh.set(Inhibitor::LowTrust, 0.4);
        inh.set(Inhibitor::NoFeedback, 0.2);
        let mut p = Params::default();
        inh.apply(&mut p);
        assert!(close(p.citizens.trust_mean, 0.42) && close(p.governance.feedback, 0.4));
    }

    #[test]
    fn names_round_trip() {
        for i in Inhibitor::ALL {
            assert_eq!(Inhibitor::from_name(i.name()), Some(i));
        }
        assert_eq!(Inhibitor::from_name("low_turst"), None);
    }
}
