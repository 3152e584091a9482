//! The inhibitors of value realization (MODEL.md section 5).
//!
//! Each inhibitor has an intensity x in [0, 1] (0 = absent) and acts on the
//! parameters once, before the run, in the order of [`Inhibitor::ALL`].

use super::params::{ParamKey, Params};
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

    /// The inhibitor's definition (MODEL.md section 11.3): the effects
    /// that intensity x has on the parameters, with section 5's numbers.
    pub fn definition(self) -> [Effect; 1] {
        let (key, op, by) = match self {
            Inhibitor::LowTrust => (Target::param("citizens.trust_mean"), Op::Scale, -0.75),
            Inhibitor::LowMotivation => {
                (Target::param("citizens.motivation_mean"), Op::Scale, -0.75)
            }
            Inhibitor::DigitalDivide => (Target::ExcludedShare, Op::Toward(1.0), 0.4),
            Inhibitor::RiskAverseCulture => {
                (Target::param("agencies.openness_mean"), Op::Scale, -0.75)
            }
            Inhibitor::LimitedCapacity => {
                (Target::param("agencies.capacity_share"), Op::Scale, -0.9)
            }
            Inhibitor::MissingLegalFramework => {
                (Target::param("governance.legal_level"), Op::Scale, -1.0)
            }
            Inhibitor::NoFeedback => (Target::param("governance.feedback"), Op::Scale, -1.0),
            Inhibitor::MisalignedGoals => {
                (Target::param("governance.codestruction"), Op::Add, 0.25)
            }
        };
        [Effect {
            target: key,
            op,
            by,
        }]
    }

    /// What intensity x does to the parameters, as formulas.
    pub fn effect(self) -> String {
        let effects: Vec<String> = self.definition().iter().map(Effect::formula).collect();
        let mut text = effects.join("; ");
        if self == Inhibitor::DigitalDivide {
            text.push_str(" (excluded citizens: capability x 0.3, utility - exclusion_penalty)");
        }
        text
    }

    /// Whether the inhibitor acts on parameter `key` (a dotted name).
    pub fn acts_on(self, key: &str) -> bool {
        self.definition().iter().any(|e| e.target.name() == key)
    }
}

/// What an effect changes: a parameter of MODEL.md section 2, or the share
/// of digitally excluded citizens (`citizens.excluded_share`, 0 unless an
/// inhibitor raises it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// A real-valued parameter.
    Param(ParamKey),
    /// `citizens.excluded_share`.
    ExcludedShare,
}

impl Target {
    fn param(name: &str) -> Target {
        Target::Param(ParamKey::from_name(name).expect("a parameter of MODEL.md section 2"))
    }

    /// The dotted name.
    pub fn name(self) -> &'static str {
        match self {
            Target::Param(key) => key.name(),
            Target::ExcludedShare => "citizens.excluded_share",
        }
    }
}

/// How an effect changes its parameter p at intensity x (MODEL.md 11.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// p <- p (1 + by x)
    Scale,
    /// p <- p + by x
    Add,
    /// p <- p + by x (to - p)
    Toward(f64),
}

/// One effect of an inhibitor on one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Effect {
    /// The parameter it changes.
    pub target: Target,
    /// How.
    pub op: Op,
    /// Its strength at intensity 1.
    pub by: f64,
}

impl Effect {
    /// The parameter's value `p` after this effect at intensity `x`.
    pub fn apply(&self, x: f64, p: f64) -> f64 {
        match self.op {
            Op::Scale => p * (1.0 + self.by * x),
            Op::Add => p + self.by * x,
            Op::Toward(to) => p + self.by * x * (to - p),
        }
    }

    /// The effect in the definition language of scenario files (MODEL.md
    /// 11.3), e.g. `{ key = "citizens.trust_mean", op = "scale", by = -0.75 }`.
    pub fn toml(&self) -> String {
        let key = self.target.name();
        let by = self.by;
        match self.op {
            Op::Scale => format!("{{ key = \"{key}\", op = \"scale\", by = {by:?} }}"),
            Op::Add => format!("{{ key = \"{key}\", op = \"add\", by = {by:?} }}"),
            Op::Toward(to) => {
                format!("{{ key = \"{key}\", op = \"toward\", by = {by:?}, to = {to:?} }}")
            }
        }
    }

    /// The effect as a formula, e.g. `citizens.trust_mean <- trust_mean * (1 - 0.75x)`.
    pub fn formula(&self) -> String {
        let name = self.target.name();
        let p = name.split_once('.').map_or(name, |(_, f)| f);
        let times_x = |by: f64| {
            if by == 1.0 {
                "x".to_string()
            } else {
                format!("{by}x")
            }
        };
        let signed = |by: f64| {
            if by < 0.0 {
                format!("- {}", times_x(-by))
            } else {
                format!("+ {}", times_x(by))
            }
        };
        match self.op {
            Op::Scale => format!("{name} <- {p} * (1 {})", signed(self.by)),
            Op::Add => format!("{name} <- {p} {}", signed(self.by)),
            Op::Toward(to) => format!("{name} <- {p} {} * ({to} - {p})", signed(self.by)),
        }
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

    /// Applies every inhibitor's definition to `params` in table order and
    /// returns the share of digitally excluded citizens (0 without
    /// `digital_divide`). Values are not checked here: the caller checks
    /// every parameter against its domain afterwards.
    pub fn apply(&self, params: &mut Params) -> f64 {
        let mut excluded_share = 0.0;
        for inhibitor in Inhibitor::ALL {
            let x = self.get(inhibitor);
            for effect in inhibitor.definition() {
                let p = match effect.target {
                    Target::Param(key) => key
                        .real_mut(params)
                        .expect("inhibitors act on real-valued parameters"),
                    Target::ExcludedShare => &mut excluded_share,
                };
                *p = effect.apply(x, *p);
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
    fn definitions_give_section_5s_formulas_bit_for_bit() {
        // PVC-1 scenarios must give the same bytes with inhibitors as
        // definitions (MODEL.md 11.3): each built-in, applied through its
        // definition, against section 5's formula written out
        let base = Params::default();
        for step in 0..=1000 {
            let x = f64::from(step) / 1000.0;
            for inhibitor in Inhibitor::ALL {
                let mut inh = Inhibitors::default();
                inh.set(inhibitor, x);
                let mut p = base.clone();
                let share = inh.apply(&mut p);
                let (c, a, g) = (&base.citizens, &base.agencies, &base.governance);
                let (got, want) = match inhibitor {
                    Inhibitor::LowTrust => (p.citizens.trust_mean, c.trust_mean * (1.0 - 0.75 * x)),
                    Inhibitor::LowMotivation => (
                        p.citizens.motivation_mean,
                        c.motivation_mean * (1.0 - 0.75 * x),
                    ),
                    Inhibitor::DigitalDivide => (share, 0.4 * x),
                    Inhibitor::RiskAverseCulture => {
                        (p.agencies.openness_mean, a.openness_mean * (1.0 - 0.75 * x))
                    }
                    Inhibitor::LimitedCapacity => (
                        p.agencies.capacity_share,
                        a.capacity_share * (1.0 - 0.9 * x),
                    ),
                    Inhibitor::MissingLegalFramework => {
                        (p.governance.legal_level, g.legal_level * (1.0 - x))
                    }
                    Inhibitor::NoFeedback => (p.governance.feedback, g.feedback * (1.0 - x)),
                    Inhibitor::MisalignedGoals => {
                        (p.governance.codestruction, g.codestruction + 0.25 * x)
                    }
                };
                assert_eq!(got.to_bits(), want.to_bits(), "{inhibitor} at {x}");
            }
        }
    }

    #[test]
    fn definitions_read_as_formulas() {
        let formulas: Vec<String> = Inhibitor::ALL.iter().map(|i| i.effect()).collect();
        assert_eq!(
            formulas[..2],
            [
                "citizens.trust_mean <- trust_mean * (1 - 0.75x)",
                "citizens.motivation_mean <- motivation_mean * (1 - 0.75x)"
            ]
        );
        assert!(formulas[2].starts_with(
            "citizens.excluded_share <- excluded_share + 0.4x * (1 - excluded_share)"
        ));
        assert_eq!(
            formulas[5],
            "governance.legal_level <- legal_level * (1 - x)"
        );
        assert_eq!(
            formulas[7],
            "governance.codestruction <- codestruction + 0.25x"
        );
        assert_eq!(
            Inhibitor::LowTrust.definition()[0].toml(),
            r#"{ key = "citizens.trust_mean", op = "scale", by = -0.75 }"#
        );
        assert_eq!(
            Inhibitor::DigitalDivide.definition()[0].toml(),
            r#"{ key = "citizens.excluded_share", op = "toward", by = 0.4, to = 1.0 }"#
        );
        assert_eq!(
            Inhibitor::MisalignedGoals.definition()[0].toml(),
            r#"{ key = "governance.codestruction", op = "add", by = 0.25 }"#
        );
        assert!(Inhibitor::MisalignedGoals.acts_on("governance.codestruction"));
        assert!(!Inhibitor::MisalignedGoals.acts_on("governance.feedback"));
    }

    #[test]
    fn names_round_trip() {
        for i in Inhibitor::ALL {
            assert_eq!(Inhibitor::from_name(i.name()), Some(i));
        }
        assert_eq!(Inhibitor::from_name("low_turst"), None);
    }
}
