//! The inhibitors of value realization (MODEL.md sections 5 and 11.3).
//!
//! Every inhibitor, built in or defined by a scenario, is a list of effects
//! on parameters; it has an intensity x in [0, 1] (0 = absent) and acts
//! once, before the run: the built-ins in the order of [`Inhibitor::ALL`],
//! then the scenario's own in file order.

use super::params::{ParamKey, Params};
use super::structure::{Group, GroupKey, Kind, KindKey};
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

    /// The key an effect may change (MODEL.md 11.3): any real parameter of
    /// section 2 except run.*, population.*, network.* and
    /// citizens.concentration, or `citizens.excluded_share`.
    pub fn from_name(name: &str) -> Option<Target> {
        if name == "citizens.excluded_share" {
            return Some(Target::ExcludedShare);
        }
        let key = ParamKey::from_name(name)?;
        let allowed = !matches!(key.section(), "run" | "population" | "network")
            && name != "citizens.concentration";
        allowed.then_some(Target::Param(key))
    }

    /// Every key an effect may change, in MODEL.md order.
    pub fn allowed() -> impl Iterator<Item = &'static str> {
        let params = ParamKey::all().map(ParamKey::name);
        params
            .chain(["citizens.excluded_share"])
            .filter(|n| Target::from_name(n).is_some())
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

/// One inhibitor as a scenario uses it (MODEL.md 11.3): its definition,
/// its intensity and whom it targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its name, unique among the scenario's inhibitors.
    pub name: String,
    /// What it stands for.
    pub description: String,
    /// The built-in whose place it takes in the acting order (a redefined
    /// built-in keeps its place); `None` for a custom inhibitor.
    pub builtin: Option<Inhibitor>,
    /// Whether the scenario gave its own definition (or changed an effect's
    /// strength) for a built-in.
    pub redefined: bool,
    /// Its effects, in acting order.
    pub effects: Vec<Effect>,
    /// Its intensity x in [0, 1]; 0 is the same as absent.
    pub intensity: f64,
    /// The groups its effects on `citizens.*` keys act on; empty: every group.
    pub groups: Vec<String>,
    /// The kinds its effects on `agencies.*` and `governance.*` keys act
    /// on; empty: every kind.
    pub kinds: Vec<String>,
}

impl Entry {
    /// A built-in with its section-5 definition, at intensity 0.
    pub fn builtin(inhibitor: Inhibitor) -> Entry {
        Entry {
            name: inhibitor.name().into(),
            description: inhibitor.meaning().into(),
            builtin: Some(inhibitor),
            redefined: false,
            effects: inhibitor.definition().to_vec(),
            intensity: 0.0,
            groups: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// Whether any of its effects changes `key` (a dotted name).
    pub fn acts_on(&self, key: &str) -> bool {
        self.effects.iter().any(|e| e.target.name() == key)
    }

    /// Whether it is targeted at some groups or kinds.
    pub fn is_targeted(&self) -> bool {
        !self.groups.is_empty() || !self.kinds.is_empty()
    }

    /// Its effects as formulas, joined by `; `.
    pub fn formulas(&self) -> String {
        let effects: Vec<String> = self.effects.iter().map(Effect::formula).collect();
        effects.join("; ")
    }
}

/// The inhibitors of a scenario: the eight built-ins in the order of
/// MODEL.md section 5 (each possibly redefined), then the scenario's own,
/// in the order the file defines them; each with its intensity.
#[derive(Clone, Debug, PartialEq)]
pub struct Inhibitors(Vec<Entry>);

impl Default for Inhibitors {
    fn default() -> Inhibitors {
        Inhibitors(Inhibitor::ALL.into_iter().map(Entry::builtin).collect())
    }
}

impl Inhibitors {
    /// The intensity of one built-in inhibitor.
    pub fn get(&self, inhibitor: Inhibitor) -> f64 {
        self.0[inhibitor as usize].intensity
    }

    /// Sets a built-in's intensity; the caller has checked it is in [0, 1].
    pub fn set(&mut self, inhibitor: Inhibitor, intensity: f64) {
        self.0[inhibitor as usize].intensity = intensity;
    }

    /// Every inhibitor, built-ins first, in acting order.
    pub fn all(&self) -> &[Entry] {
        &self.0
    }

    /// The inhibitor called `name`.
    pub fn named(&self, name: &str) -> Option<&Entry> {
        self.0.iter().find(|e| e.name == name)
    }

    /// The inhibitor called `name`, to change.
    pub fn named_mut(&mut self, name: &str) -> Option<&mut Entry> {
        self.0.iter_mut().find(|e| e.name == name)
    }

    /// Adds a custom inhibitor after the others, or replaces the
    /// definition of the one of that name (a built-in keeps its place).
    pub fn define(&mut self, mut entry: Entry) {
        match self.named_mut(&entry.name) {
            Some(existing) => {
                entry.builtin = existing.builtin;
                entry.redefined = entry.builtin.is_some();
                *existing = entry;
            }
            None => self.0.push(entry),
        }
    }

    /// The inhibitors with a non-zero intensity, in acting order.
    pub fn active(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.0.iter().filter(|e| e.intensity > 0.0)
    }

    /// Every intensity set to 0, the definitions kept (the inhibitor-free twin).
    pub fn cleared(&self) -> Inhibitors {
        let mut twin = self.clone();
        for e in &mut twin.0 {
            e.intensity = 0.0;
        }
        twin
    }

    /// Applies every inhibitor, in acting order, each effect in its listed
    /// order (MODEL.md 11.3): an effect on a `citizens.*` key acts on each
    /// targeted group's own value, one on an `agencies.*` or
    /// `governance.*` key on each targeted kind's, any other on the
    /// parameter itself. Targets name groups and kinds that exist (the
    /// scenario checked them). Values are not checked here.
    pub fn apply(&self, params: &mut Params, groups: &mut [Group], kinds: &mut [Kind]) {
        for entry in &self.0 {
            let x = entry.intensity;
            let aimed = |targets: &[String], name: &str| {
                targets.is_empty() || targets.iter().any(|t| t == name)
            };
            for effect in &entry.effects {
                let name = effect.target.name();
                if let Some(key) = GroupKey::from_dotted(name) {
                    for g in groups.iter_mut().filter(|g| aimed(&entry.groups, &g.name)) {
                        let p = &mut g.after[key as usize];
                        *p = effect.apply(x, *p);
                    }
                } else if let Some(key) = KindKey::from_dotted(name) {
                    for q in kinds.iter_mut().filter(|q| aimed(&entry.kinds, &q.name)) {
                        let p = &mut q.after[key as usize];
                        *p = effect.apply(x, *p);
                    }
                } else if let Target::Param(key) = effect.target
                    && let Some(p) = key.real_mut(params)
                {
                    *p = effect.apply(x, *p);
                }
            }
        }
    }

    /// The active inhibitors that acted on `key` of the group or kind
    /// `part` (`None`: a parameter of its own), with their intensities.
    pub fn acted_on(&self, key: &str, part: Option<&str>) -> Vec<(&str, f64)> {
        let grouped = GroupKey::from_dotted(key).is_some();
        let aims_at = |e: &Entry, p: &str| {
            let side = if grouped { &e.groups } else { &e.kinds };
            side.is_empty() || side.iter().any(|t| t == p)
        };
        self.active()
            .filter(|e| e.acts_on(key))
            .filter(|e| part.is_none_or(|p| aims_at(e, p)))
            .map(|e| (e.name.as_str(), e.intensity))
            .collect()
    }
}

/// As the manifest records them, by name: a built-in used as defined, on
/// everyone, by its intensity; any other (targeted, redefined or the
/// scenario's own) by a table with its intensity, targets and, unless it is
/// a built-in as defined, its description and effects.
impl Serialize for Inhibitors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for e in &self.0 {
            let own = e.builtin.is_none() || e.redefined;
            if !own && !e.is_targeted() {
                map.serialize_entry(&e.name, &e.intensity)?;
                continue;
            }
            let mut table = serde_json::json!({ "intensity": e.intensity });
            if !e.groups.is_empty() {
                table["groups"] = serde_json::json!(e.groups);
            }
            if !e.kinds.is_empty() {
                table["kinds"] = serde_json::json!(e.kinds);
            }
            if own {
                table["description"] = serde_json::json!(e.description);
                table["effects"] =
                    serde_json::json!(e.effects.iter().map(Effect::toml).collect::<Vec<_>>());
                table["origin"] = serde_json::json!(if e.builtin.is_some() {
                    "redefined"
                } else {
                    "custom"
                });
            }
            map.serialize_entry(&e.name, &table)?;
        }
        map.end()
    }
}

/// An inhibitor's definition as the manifest records it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DefinitionRecord {
    /// Its name.
    pub name: String,
    /// What it stands for.
    pub description: String,
    /// `built-in`, `redefined` or `custom`.
    pub origin: &'static str,
    /// Its effects in the definition language of scenario files.
    pub effects: Vec<String>,
}

impl Inhibitors {
    /// Every definition, for the manifest.
    pub fn definitions(&self) -> Vec<DefinitionRecord> {
        self.0
            .iter()
            .map(|e| DefinitionRecord {
                name: e.name.clone(),
                description: e.description.clone(),
                origin: match (e.builtin, e.redefined) {
                    (None, _) => "custom",
                    (Some(_), true) => "redefined",
                    (Some(_), false) => "built-in",
                },
                effects: e.effects.iter().map(Effect::toml).collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::structure::{resolve_groups, resolve_kinds};

    impl Inhibitors {
        /// Applies the inhibitors to a scenario without groups or kinds,
        /// as a model does: the implicit group's and kind's values go back
        /// into `params`. Returns the share of excluded citizens.
        fn apply_to(&self, params: &mut Params) -> f64 {
            let mut groups = resolve_groups(params, &[]);
            let mut kinds = resolve_kinds(params, &[]);
            self.apply(params, &mut groups, &mut kinds);
            let g = &groups[0];
            params.citizens.trust_mean = g.get(GroupKey::TrustMean);
            params.citizens.motivation_mean = g.get(GroupKey::MotivationMean);
            params.citizens.capability_mean = g.get(GroupKey::CapabilityMean);
            for k in KindKey::ALL {
                if let Some(p) = k.param().real_mut(params) {
                    *p = kinds[0].get(k);
                }
            }
            g.get(GroupKey::ExcludedShare)
        }
    }

    #[test]
    fn zero_intensity_changes_nothing() {
        let mut p = Params::default();
        let share = Inhibitors::default().apply_to(&mut p);
        assert_eq!(p, Params::default());
        assert_eq!(share, 0.0);
    }

    #[test]
    fn each_inhibitor_at_full_intensity() {
        let full = |i: Inhibitor| {
            let mut inh = Inhibitors::default();
            inh.set(i, 1.0);
            let mut p = Params::default();
            let share = inh.apply_to(&mut p);
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
            let share = inh.apply_to(&mut p);
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
        inh.apply_to(&mut p);
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
                let share = inh.apply_to(&mut p);
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
    fn each_effect_operation_follows_its_formula() {
        let on = |op: Op, by: f64| Effect {
            target: Target::param("governance.feedback"),
            op,
            by,
        };
        // scale: p (1 + by x)
        assert_eq!(on(Op::Scale, -0.5).apply(0.4, 0.8), 0.8 * (1.0 - 0.5 * 0.4));
        // add: p + by x
        assert_eq!(on(Op::Add, 0.3).apply(0.5, 0.2), 0.2 + 0.3 * 0.5);
        // toward: p + by x (to - p)
        assert_eq!(
            on(Op::Toward(0.9), 0.5).apply(0.8, 0.1),
            0.1 + 0.5 * 0.8 * (0.9 - 0.1)
        );
        // at x = 0 every operation leaves p as it is
        for op in [Op::Scale, Op::Add, Op::Toward(0.3)] {
            assert_eq!(on(op, 0.7).apply(0.0, 0.42), 0.42);
        }
        assert_eq!(
            on(Op::Toward(0.3), -2.0).formula(),
            "governance.feedback <- feedback - 2x * (0.3 - feedback)"
        );
    }

    fn custom(name: &str, effects: Vec<Effect>, x: f64) -> Entry {
        Entry {
            name: name.into(),
            description: String::new(),
            builtin: None,
            redefined: false,
            effects,
            intensity: x,
            groups: Vec::new(),
            kinds: Vec::new(),
        }
    }

    #[test]
    fn built_ins_act_first_then_custom_ones_in_file_order_each_effect_in_its_order() {
        let legal = Target::param("governance.legal_level");
        let add = |by| Effect {
            target: legal,
            op: Op::Add,
            by,
        };
        let scale = |by| Effect {
            target: legal,
            op: Op::Scale,
            by,
        };
        // a custom inhibitor listed before a built-in in no way acts first:
        // missing_legal_framework (x 0.5) scales 0.9 to 0.45, then "plus"
        // adds 0.25 and "half" halves: (0.45 + 0.25) / 2 = 0.35
        let mut inh = Inhibitors::default();
        inh.define(custom("plus", vec![add(0.25)], 1.0));
        inh.define(custom("half", vec![scale(-0.5)], 1.0));
        inh.set(Inhibitor::MissingLegalFramework, 0.5);
        let mut p = Params::default();
        inh.apply_to(&mut p);
        assert!(
            (p.governance.legal_level - 0.35).abs() < 1e-15,
            "{}",
            p.governance.legal_level
        );
        // the other file order gives 0.45 / 2 + 0.25 = 0.475
        let mut inh = Inhibitors::default();
        inh.define(custom("half", vec![scale(-0.5)], 1.0));
        inh.define(custom("plus", vec![add(0.25)], 1.0));
        inh.set(Inhibitor::MissingLegalFramework, 0.5);
        let mut p = Params::default();
        inh.apply_to(&mut p);
        assert!((p.governance.legal_level - 0.475).abs() < 1e-15);
        // within one inhibitor, its effects act in their listed order
        let mut inh = Inhibitors::default();
        inh.define(custom("both", vec![scale(-0.5), add(0.25)], 1.0));
        let mut p = Params::default();
        inh.apply_to(&mut p);
        assert!((p.governance.legal_level - 0.7).abs() < 1e-15);
    }

    #[test]
    fn a_redefined_built_in_keeps_its_place_and_intensity_and_its_new_effects_act() {
        let mut inh = Inhibitors::default();
        inh.define(custom(
            "plus",
            vec![Effect {
                target: Target::param("citizens.trust_mean"),
                op: Op::Add,
                by: 0.1,
            }],
            1.0,
        ));
        inh.set(Inhibitor::LowTrust, 1.0);
        let mut weaker = custom(
            "low_trust",
            vec![Effect {
                target: Target::param("citizens.trust_mean"),
                op: Op::Scale,
                by: -0.25,
            }],
            0.0,
        );
        weaker.description.clear();
        inh.define(weaker);
        let e = &inh.all()[Inhibitor::LowTrust as usize];
        assert_eq!(
            (e.name.as_str(), e.builtin, e.redefined),
            ("low_trust", Some(Inhibitor::LowTrust), true)
        );
        assert_eq!(inh.all().len(), 9);
        // define() replaces the definition; the scenario carries the
        // intensity over (parse does), so set it again here
        inh.set(Inhibitor::LowTrust, 1.0);
        let mut p = Params::default();
        inh.apply_to(&mut p);
        // low_trust first (its built-in place): 0.6 * 0.75 = 0.45, then + 0.1
        assert!((p.citizens.trust_mean - 0.55).abs() < 1e-15);
    }

    #[test]
    fn targeted_inhibitors_act_on_their_groups_and_kinds_only() {
        use crate::model::structure::{GroupSpec, KindSpec, resolve_groups, resolve_kinds};
        let p = Params::default();
        let groups: Vec<GroupSpec> = ["urban", "rural"]
            .iter()
            .map(|n| GroupSpec {
                name: (*n).into(),
                share: 0.5,
                own: [None; 4],
            })
            .collect();
        let kinds: Vec<KindSpec> = ["municipal", "national"]
            .iter()
            .map(|n| KindSpec {
                name: (*n).into(),
                count: 10,
                demand: None,
                own: [None; 6],
            })
            .collect();
        let mut g = resolve_groups(&p, &groups);
        let mut k = resolve_kinds(&p, &kinds);
        let mut inh = Inhibitors::default();
        inh.set(Inhibitor::LowTrust, 1.0);
        inh.named_mut("low_trust").unwrap().groups = vec!["rural".into()];
        inh.set(Inhibitor::MissingLegalFramework, 1.0);
        inh.named_mut("missing_legal_framework").unwrap().kinds = vec!["municipal".into()];
        // a global parameter is changed whatever the targets
        inh.define(Entry {
            kinds: vec!["national".into()],
            ..custom(
                "red_tape",
                vec![
                    Effect {
                        target: Target::param("participation.intercept"),
                        op: Op::Add,
                        by: -1.0,
                    },
                    Effect {
                        target: Target::param("agencies.capacity_share"),
                        op: Op::Scale,
                        by: -0.5,
                    },
                ],
                1.0,
            )
        });
        let mut params = p.clone();
        inh.apply(&mut params, &mut g, &mut k);
        assert_eq!(g[0].get(GroupKey::TrustMean), 0.6);
        assert!((g[1].get(GroupKey::TrustMean) - 0.15).abs() < 1e-15);
        assert_eq!(k[0].get(KindKey::LegalLevel), 0.0);
        assert_eq!(k[1].get(KindKey::LegalLevel), 0.9);
        assert_eq!(k[0].get(KindKey::CapacityShare), 0.05);
        assert_eq!(k[1].get(KindKey::CapacityShare), 0.025);
        assert_eq!(params.participation.intercept, -7.0);
        // who acted on what, for error messages
        assert_eq!(
            inh.acted_on("citizens.trust_mean", Some("rural")),
            [("low_trust", 1.0)]
        );
        assert!(
            inh.acted_on("citizens.trust_mean", Some("urban"))
                .is_empty()
        );
        assert_eq!(
            inh.acted_on("agencies.capacity_share", Some("national")),
            [("red_tape", 1.0)]
        );
    }

    #[test]
    fn effects_may_act_on_every_real_parameter_but_run_population_network_and_concentration() {
        assert!(Target::from_name("participation.intercept").is_some());
        assert!(Target::from_name("citizens.excluded_share").is_some());
        assert!(Target::from_name("trust.gain").is_some());
        for refused in [
            "citizens.concentration",
            "run.steps",
            "population.citizens",
            "network.rewire",
            "nope",
        ] {
            assert!(Target::from_name(refused).is_none(), "{refused}");
        }
        // 35 parameters less run (3), population (2), network (3) and
        // concentration, plus citizens.excluded_share
        assert_eq!(Target::allowed().count(), 35 - 3 - 2 - 3 - 1 + 1);
    }

    #[test]
    fn names_round_trip() {
        for i in Inhibitor::ALL {
            assert_eq!(Inhibitor::from_name(i.name()), Some(i));
        }
        assert_eq!(Inhibitor::from_name("low_turst"), None);
    }
}
