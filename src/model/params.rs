//! The parameters of PVC-1 (MODEL.md section 2) and the typed keys that name them.
//!
//! Every parameter has a dotted name (`citizens.trust_mean`), a default and a
//! [`Domain`] of allowed values. [`ParamKey`] is the typed path used by
//! scenario files, `--set` overrides and (later) sweep factors: parsing an
//! unknown name fails with the list of valid names and the nearest one.

use serde::Serialize;
use std::fmt;

/// All parameters of one scenario, grouped as the sections of a scenario file.
///
/// Field names are the keys of MODEL.md section 2. The values here are the
/// ones written in the file (or defaults); inhibitors act on them later, in
/// [`crate::Scenario::model`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)] // each field is documented in MODEL.md section 2 and in `ParamKey::help`
pub struct Params {
    pub run: RunParams,
    pub population: PopulationParams,
    pub citizens: CitizenParams,
    pub agencies: AgencyParams,
    pub governance: GovernanceParams,
    pub participation: ParticipationParams,
    pub value: ValueParams,
    pub trust: TrustParams,
    pub learning: LearningParams,
    pub network: NetworkParams,
}

/// `[run]`: length, replications and master seed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct RunParams {
    pub steps: u32,
    pub replications: u32,
    pub seed: u64,
}

/// `[population]`: number of citizens N and agencies M.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct PopulationParams {
    pub citizens: u32,
    pub agencies: u32,
}

/// `[citizens]`: means of the Beta distributions of citizen traits.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct CitizenParams {
    pub trust_mean: f64,
    pub motivation_mean: f64,
    pub capability_mean: f64,
    pub concentration: f64,
}

/// `[agencies]`: agency traits and capacity.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct AgencyParams {
    pub openness_mean: f64,
    pub responsiveness_mean: f64,
    pub capacity_share: f64,
}

/// `[governance]`: legal level L, feedback F and co-destruction D.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct GovernanceParams {
    pub legal_level: f64,
    pub feedback: f64,
    pub codestruction: f64,
}

/// `[participation]`: coefficients of the participation logit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct ParticipationParams {
    pub intercept: f64,
    pub trust: f64,
    pub motivation: f64,
    pub capability: f64,
    pub social: f64,
    pub exclusion_penalty: f64,
}

/// `[value]`: value potential and its fate.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct ValueParams {
    pub productivity: f64,
    pub alpha: f64,
    pub noise: f64,
    pub destruction_loss: f64,
    pub spillover: f64,
}

/// `[trust]`: how experiences and neighbours move trust.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct TrustParams {
    pub gain: f64,
    pub loss: f64,
    pub feedback_softening: f64,
    pub social_weight: f64,
}

/// `[learning]`: how agencies' openness responds to outcomes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct LearningParams {
    pub gain: f64,
    pub loss: f64,
}

/// `[network]`: the citizens' social network.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct NetworkParams {
    pub kind: NetworkKind,
    pub k: u32,
    pub rewire: f64,
}

/// Which social network links the citizens (MODEL.md section 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NetworkKind {
    /// Watts-Strogatz small world: ring lattice of degree `k`, edges rewired with probability `rewire`.
    #[serde(rename = "watts-strogatz")]
    WattsStrogatz,
    /// No links: every citizen has no neighbours.
    #[serde(rename = "none")]
    None,
}

impl NetworkKind {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            NetworkKind::WattsStrogatz => "watts-strogatz",
            NetworkKind::None => "none",
        }
    }
}

impl Default for Params {
    /// The defaults of MODEL.md section 2.
    fn default() -> Self {
        Params {
            run: RunParams {
                steps: 60,
                replications: 100,
                seed: 42,
            },
            population: PopulationParams {
                citizens: 10_000,
                agencies: 20,
            },
            citizens: CitizenParams {
                trust_mean: 0.6,
                motivation_mean: 0.5,
                capability_mean: 0.6,
                concentration: 10.0,
            },
            agencies: AgencyParams {
                openness_mean: 0.6,
                responsiveness_mean: 0.7,
                capacity_share: 0.10,
            },
            governance: GovernanceParams {
                legal_level: 0.9,
                feedback: 0.5,
                codestruction: 0.02,
            },
            participation: ParticipationParams {
                intercept: -6.0,
                trust: 3.0,
                motivation: 2.0,
                capability: 1.0,
                social: 1.0,
                exclusion_penalty: 1.5,
            },
            value: ValueParams {
                productivity: 1.0,
                alpha: 0.5,
                noise: 0.3,
                destruction_loss: 0.5,
                spillover: 0.5,
            },
            trust: TrustParams {
                gain: 0.10,
                loss: 0.15,
                feedback_softening: 0.5,
                social_weight: 0.05,
            },
            learning: LearningParams {
                gain: 0.05,
                loss: 0.5,
            },
            network: NetworkParams {
                kind: NetworkKind::WattsStrogatz,
                k: 6,
                rewire: 0.1,
            },
        }
    }
}

/// The set of values a parameter may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// An integer of at least 1 (fits in 32 bits).
    Count,
    /// An integer from 0 to 2^63 - 1 (seeds; the largest a TOML file can hold).
    Seed,
    /// An even integer of at least 0 (fits in 32 bits).
    EvenCount,
    /// A number in [0, 1].
    Unit,
    /// A number strictly between 0 and 1.
    OpenUnit,
    /// A finite number of at least 0.
    NonNegative,
    /// A number from 0 to 10 (the log-normal noise: beyond, its draws
    /// would leave the range of the numbers the model computes with).
    Noise,
    /// A number from 0 to 1,000,000 (scales: productivity, spillover,
    /// concentration; so that no sum of values can overflow).
    Scale,
    /// A number from -1000 to 1000 (coefficients of the participation
    /// logit; beyond, the logit saturates long before).
    Coefficient,
    /// Any finite number.
    Real,
    /// `"watts-strogatz"` or `"none"`.
    Network,
}

impl Domain {
    /// What the domain allows, in words, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Count => "an integer from 1 to 4294967295",
            Domain::Seed => "an integer from 0 to 9223372036854775807",
            Domain::EvenCount => "an even integer from 0 to 4294967294",
            Domain::Unit => "a number in [0, 1]",
            Domain::OpenUnit => "a number strictly between 0 and 1",
            Domain::NonNegative => "a finite number >= 0",
            Domain::Noise => "a number from 0 to 10",
            Domain::Scale => "a number from 0 to 1000000",
            Domain::Coefficient => "a number from -1000 to 1000",
            Domain::Real => "a finite number",
            Domain::Network => "\"watts-strogatz\" or \"none\"",
        }
    }

    /// Whether values are integers.
    pub fn is_integer(self) -> bool {
        matches!(self, Domain::Count | Domain::Seed | Domain::EvenCount)
    }

    /// Checks a number against the domain; the string form is only for integers' range.
    pub(crate) fn check(self, value: &ParamValue) -> bool {
        match (self, value) {
            (Domain::Count, ParamValue::Int(v)) => (1..=u32::MAX as u64).contains(v),
            (Domain::Seed, ParamValue::Int(v)) => *v <= i64::MAX as u64,
            (Domain::EvenCount, ParamValue::Int(v)) => *v <= u32::MAX as u64 && v % 2 == 0,
            (Domain::Unit, ParamValue::Float(v)) => (0.0..=1.0).contains(v),
            (Domain::OpenUnit, ParamValue::Float(v)) => *v > 0.0 && *v < 1.0,
            (Domain::NonNegative, ParamValue::Float(v)) => v.is_finite() && *v >= 0.0,
            (Domain::Noise, ParamValue::Float(v)) => (0.0..=10.0).contains(v),
            (Domain::Scale, ParamValue::Float(v)) => (0.0..=1e6).contains(v),
            (Domain::Coefficient, ParamValue::Float(v)) => (-1000.0..=1000.0).contains(v),
            (Domain::Real, ParamValue::Float(v)) => v.is_finite(),
            (Domain::Network, ParamValue::Network(_)) => true,
            _ => false,
        }
    }
}

/// A parameter value, typed by its domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamValue {
    /// An integer parameter (counts, seed, `network.k`).
    Int(u64),
    /// A real parameter.
    Float(f64),
    /// `network.kind`.
    Network(NetworkKind),
}

impl ParamValue {
    /// The value as a float (integers converted); `None` for a network kind.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            ParamValue::Int(v) => Some(v as f64),
            ParamValue::Float(v) => Some(v),
            ParamValue::Network(_) => None,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v:?}"),
            ParamValue::Network(k) => write!(f, "\"{}\"", k.name()),
        }
    }
}

/// A mutable view of one parameter's storage.
enum Slot<'a> {
    U32(&'a mut u32),
    U64(&'a mut u64),
    F64(&'a mut f64),
    Network(&'a mut NetworkKind),
}

struct Spec {
    name: &'static str,
    domain: Domain,
    help: &'static str,
    slot: fn(&mut Params) -> Slot<'_>,
}

macro_rules! spec {
    ($name:literal, $domain:ident, $kind:ident, $($field:ident).+, $help:literal) => {
        Spec {
            name: $name,
            domain: Domain::$domain,
            help: $help,
            slot: |p| Slot::$kind(&mut p.$($field).+),
        }
    };
}

/// Every parameter of MODEL.md section 2, in its order.
static SPECS: [Spec; 35] = [
    spec!(
        "run.steps",
        Count,
        U32,
        run.steps,
        "T, number of steps (months)"
    ),
    spec!(
        "run.replications",
        Count,
        U32,
        run.replications,
        "R, number of replications"
    ),
    spec!("run.seed", Seed, U64, run.seed, "master seed"),
    spec!(
        "population.citizens",
        Count,
        U32,
        population.citizens,
        "N, number of citizens"
    ),
    spec!(
        "population.agencies",
        Count,
        U32,
        population.agencies,
        "M, number of agencies"
    ),
    spec!(
        "citizens.trust_mean",
        OpenUnit,
        F64,
        citizens.trust_mean,
        "mean initial trust"
    ),
    spec!(
        "citizens.motivation_mean",
        OpenUnit,
        F64,
        citizens.motivation_mean,
        "mean civic motivation"
    ),
    spec!(
        "citizens.capability_mean",
        OpenUnit,
        F64,
        citizens.capability_mean,
        "mean capability"
    ),
    spec!(
        "citizens.concentration",
        Scale,
        F64,
        citizens.concentration,
        "k of every Beta distribution"
    ),
    spec!(
        "agencies.openness_mean",
        OpenUnit,
        F64,
        agencies.openness_mean,
        "mean initial openness"
    ),
    spec!(
        "agencies.responsiveness_mean",
        OpenUnit,
        F64,
        agencies.responsiveness_mean,
        "mean responsiveness"
    ),
    spec!(
        "agencies.capacity_share",
        Unit,
        F64,
        agencies.capacity_share,
        "total capacity per step as share of N"
    ),
    spec!(
        "governance.legal_level",
        Unit,
        F64,
        governance.legal_level,
        "L, probability of a legal basis"
    ),
    spec!(
        "governance.feedback",
        Unit,
        F64,
        governance.feedback,
        "F, probability of feedback"
    ),
    spec!(
        "governance.codestruction",
        Unit,
        F64,
        governance.codestruction,
        "D, probability of co-destruction"
    ),
    spec!(
        "participation.intercept",
        Coefficient,
        F64,
        participation.intercept,
        "beta0"
    ),
    spec!(
        "participation.trust",
        Coefficient,
        F64,
        participation.trust,
        "beta for trust"
    ),
    spec!(
        "participation.motivation",
        Coefficient,
        F64,
        participation.motivation,
        "beta for motivation"
    ),
    spec!(
        "participation.capability",
        Coefficient,
        F64,
        participation.capability,
        "beta for capability"
    ),
    spec!(
        "participation.social",
        Coefficient,
        F64,
        participation.social,
        "beta for the neighbours' participation share"
    ),
    spec!(
        "participation.exclusion_penalty",
        Coefficient,
        F64,
        participation.exclusion_penalty,
        "subtracted from u for excluded citizens"
    ),
    spec!("value.productivity", Scale, F64, value.productivity, "A"),
    spec!(
        "value.alpha",
        Unit,
        F64,
        value.alpha,
        "alpha, citizen share of resource integration"
    ),
    spec!(
        "value.noise",
        Noise,
        F64,
        value.noise,
        "sigma of the log-normal noise"
    ),
    spec!(
        "value.destruction_loss",
        Unit,
        F64,
        value.destruction_loss,
        "lambda, share of V destroyed by co-destruction"
    ),
    spec!(
        "value.spillover",
        Scale,
        F64,
        value.spillover,
        "s, public value per unit realized"
    ),
    spec!(
        "trust.gain",
        Unit,
        F64,
        trust.gain,
        "eta+, trust gain after a realized outcome"
    ),
    spec!(
        "trust.loss",
        Unit,
        F64,
        trust.loss,
        "eta-, trust loss after a failed outcome"
    ),
    spec!(
        "trust.feedback_softening",
        Unit,
        F64,
        trust.feedback_softening,
        "share of a loss avoided with feedback"
    ),
    spec!(
        "trust.social_weight",
        Unit,
        F64,
        trust.social_weight,
        "omega, weight of the neighbours' trust"
    ),
    spec!(
        "learning.gain",
        NonNegative,
        F64,
        learning.gain,
        "rho+, openness gain per realized outcome"
    ),
    spec!(
        "learning.loss",
        NonNegative,
        F64,
        learning.loss,
        "rho-, openness loss per co-destruction"
    ),
    spec!(
        "network.kind",
        Network,
        Network,
        network.kind,
        "\"watts-strogatz\" or \"none\""
    ),
    spec!(
        "network.k",
        EvenCount,
        U32,
        network.k,
        "lattice degree (even, below N)"
    ),
    spec!(
        "network.rewire",
        Unit,
        F64,
        network.rewire,
        "rewiring probability"
    ),
];

/// The sections of a scenario file, in MODEL.md order.
pub const SECTIONS: [&str; 10] = [
    "run",
    "population",
    "citizens",
    "agencies",
    "governance",
    "participation",
    "value",
    "trust",
    "learning",
    "network",
];

/// A typed name of one parameter of MODEL.md section 2, such as `governance.legal_level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamKey(u8);

impl ParamKey {
    /// All keys, in MODEL.md order.
    pub fn all() -> impl Iterator<Item = ParamKey> {
        (0..SPECS.len() as u8).map(ParamKey)
    }

    /// Looks up a dotted name; `None` if there is no such parameter.
    pub fn from_name(name: &str) -> Option<ParamKey> {
        SPECS
            .iter()
            .position(|s| s.name == name)
            .map(|i| ParamKey(i as u8))
    }

    fn spec(self) -> &'static Spec {
        &SPECS[self.0 as usize]
    }

    /// The dotted name, e.g. `citizens.trust_mean`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The section part of the name (`citizens`).
    pub fn section(self) -> &'static str {
        self.name().split_once('.').map_or("", |(s, _)| s)
    }

    /// The key part of the name (`trust_mean`).
    pub fn field(self) -> &'static str {
        self.name().split_once('.').map_or("", |(_, f)| f)
    }

    /// The allowed values.
    pub fn domain(self) -> Domain {
        self.spec().domain
    }

    /// One line on what the parameter means.
    pub fn help(self) -> &'static str {
        self.spec().help
    }

    /// Reads the parameter from `params`.
    pub fn get(self, params: &Params) -> ParamValue {
        let mut copy = params.clone();
        match (self.spec().slot)(&mut copy) {
            Slot::U32(v) => ParamValue::Int(u64::from(*v)),
            Slot::U64(v) => ParamValue::Int(*v),
            Slot::F64(v) => ParamValue::Float(*v),
            Slot::Network(v) => ParamValue::Network(*v),
        }
    }

    /// The parameter itself when it is a real number (`None` for counts,
    /// seeds and the network kind), written without any check: inhibitors
    /// change it, and the caller checks the result against its domain.
    pub(crate) fn real_mut(self, params: &mut Params) -> Option<&mut f64> {
        match (self.spec().slot)(params) {
            Slot::F64(v) => Some(v),
            _ => None,
        }
    }

    /// Writes a value already checked against [`ParamKey::domain`].
    ///
    /// Integers given for real parameters are converted; a value of the wrong
    /// kind or outside the domain is refused with the allowed range.
    pub fn set(self, params: &mut Params, value: ParamValue) -> Result<(), String> {
        let domain = self.domain();
        let value = match value {
            ParamValue::Int(v) if !domain.is_integer() && domain != Domain::Network => {
                ParamValue::Float(v as f64)
            }
            v => v,
        };
        if !domain.check(&value) {
            return Err(domain.describe().to_string());
        }
        match ((self.spec().slot)(params), value) {
            (Slot::U32(slot), ParamValue::Int(v)) => *slot = v as u32,
            (Slot::U64(slot), ParamValue::Int(v)) => *slot = v,
            (Slot::F64(slot), ParamValue::Float(v)) => *slot = v,
            (Slot::Network(slot), ParamValue::Network(v)) => *slot = v,
            _ => return Err(domain.describe().to_string()),
        }
        Ok(())
    }
}

impl fmt::Display for ParamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name in `candidates` closest to `given`, if it is close enough to be a likely typo.
pub fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (given.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(given, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_its_default() {
        let p = Params::default();
        assert_eq!(
            ParamKey::from_name("citizens.trust_mean").map(|k| k.get(&p)),
            Some(ParamValue::Float(0.6))
        );
        assert_eq!(
            ParamKey::from_name("network.k").map(|k| k.get(&p)),
            Some(ParamValue::Int(6))
        );
        for key in ParamKey::all() {
            assert!(
                key.domain().check(&key.get(&p)),
                "{key} default outside its domain"
            );
        }
    }

    #[test]
    fn set_checks_the_domain_and_converts_integers() {
        let mut p = Params::default();
        let legal = ParamKey::from_name("governance.legal_level").unwrap();
        assert!(legal.set(&mut p, ParamValue::Float(1.5)).is_err());
        legal.set(&mut p, ParamValue::Int(1)).unwrap();
        assert_eq!(p.governance.legal_level, 1.0);
        let k = ParamKey::from_name("network.k").unwrap();
        assert!(k.set(&mut p, ParamValue::Int(5)).is_err());
        assert!(k.set(&mut p, ParamValue::Float(4.0)).is_err());
        let n = ParamKey::from_name("population.citizens").unwrap();
        assert!(n.set(&mut p, ParamValue::Int(0)).is_err());
        let mean = ParamKey::from_name("citizens.trust_mean").unwrap();
        assert!(mean.set(&mut p, ParamValue::Float(0.0)).is_err());
        assert!(mean.set(&mut p, ParamValue::Float(f64::NAN)).is_err());
    }

    #[test]
    fn names_are_unique_and_sectioned() {
        let names: std::collections::BTreeSet<_> = ParamKey::all().map(|k| k.name()).collect();
        assert_eq!(names.len(), SPECS.len());
        for key in ParamKey::all() {
            assert!(SECTIONS.contains(&key.section()), "{key}");
        }
    }

    #[test]
    fn nearest_finds_typos_only() {
        let c = ["trust_mean", "motivation_mean"];
        assert_eq!(nearest("trust_maen", c), Some("trust_mean"));
        assert_eq!(nearest("zzz", c), None);
    }
}
