//! Ready-made sweep files (`cocreate sweep --template NAME SCENARIO`), for
//! screening a scenario without writing ranges by hand.

use super::{Inhibitor, Scenario};
use crate::model::params::{Domain, ParamKey};
use std::fmt::Write as _;

/// The templates there are, with what each does.
pub const TEMPLATES: [(&str, &str); 1] = [(
    "morris-all",
    "Morris screening of every parameter and inhibitor of the scenario",
)];

/// The range a screening gives a parameter of value `value`: its valid
/// range where that is a natural one (probabilities, shares, Beta means,
/// inside their open ends), else 50% either side of the value (a scale, a
/// count or a coefficient, whose technical bounds are far beyond any
/// plausible value); `None` for what a sweep cannot vary.
fn screening_range(key: ParamKey, value: f64) -> Option<(f64, f64)> {
    // the run's own settings and the network's shape are not model
    // mechanisms to screen (a grid varies them: network.k takes even
    // integers, population.citizens sets the run's cost)
    if matches!(key.section(), "run" | "network") || key.name() == "population.citizens" {
        return None;
    }
    let half = |v: f64| {
        if v == 0.0 {
            (-1.0, 1.0)
        } else {
            let (a, b) = (0.5 * v, 1.5 * v);
            (a.min(b), a.max(b))
        }
    };
    Some(match key.domain() {
        Domain::Unit if key.name() == "governance.codestruction" => {
            // misaligned_goals adds up to 0.25 and must leave a probability
            (0.0, 0.75)
        }
        Domain::Unit => (0.0, 1.0),
        Domain::OpenUnit => (0.01, 0.99),
        Domain::Count => {
            let (a, b) = half(value);
            (a.round().max(1.0), b.round().max(a.round().max(1.0) + 3.0))
        }
        Domain::Noise | Domain::Scale | Domain::NonNegative => {
            let (a, b) = half(value);
            (a.max(0.0), b.max(0.0))
        }
        Domain::Coefficient | Domain::Real => half(value),
        Domain::Seed | Domain::EvenCount | Domain::Network => return None,
    })
}

/// The text of the sweep file of template `name` over `scenario`, whose
/// file is `scenario_file` as the sweep file will refer to it; `None` for
/// an unknown template.
///
/// ```
/// let base = cocreate::Scenario::baseline();
/// let text = cocreate::scenario::template("morris-all", &base, "baseline.toml").unwrap();
/// let sweep = cocreate::scenario::Sweep::from_toml(&text, "t.toml", "t", |_| Ok(base.clone())).unwrap();
/// assert_eq!(sweep.design.name(), "morris");
/// assert!(sweep.factors.len() > 30);
/// ```
pub fn template(name: &str, scenario: &Scenario, scenario_file: &str) -> Option<String> {
    if name != "morris-all" {
        return None;
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Written by `cocreate sweep --template morris-all`: Morris screening of\n\
         # every parameter and inhibitor of {}. Edit the ranges and run it with\n\
         # `cocreate sweep THIS_FILE` (try `--dry-run` first).\n\
         # Probabilities, shares and Beta means span their valid range; scales,\n\
         # counts and coefficients span 50% either side of the scenario's value;\n\
         # inhibitors span [0, 1].\n",
        scenario.name
    );
    let _ = writeln!(
        text,
        "name = {}",
        toml_string(&format!("{}-morris-all", scenario.name))
    );
    let _ = writeln!(
        text,
        "description = {}",
        toml_string(&format!(
            "Which parameters and inhibitors matter for {}? Morris screening of every one.",
            scenario.name
        ))
    );
    let _ = writeln!(text, "scenario = {}", toml_string(scenario_file));
    let _ = writeln!(
        text,
        "design = \"morris\"\nsamples = 20          # trajectories: 20 x (factors + 1) points\nlevels = 4\nreplications = 4\nseed = 42\n\n[factors]"
    );
    for key in ParamKey::all() {
        let Some(value) = key.get(&scenario.params).as_f64() else {
            continue;
        };
        if let Some((min, max)) = screening_range(key, value) {
            let number = |x: f64| {
                if key.domain().is_integer() {
                    format!("{}", x as u64)
                } else {
                    format!("{x:?}")
                }
            };
            let _ = writeln!(
                text,
                "{:<40} = {{ min = {}, max = {} }}   # {} (scenario: {})",
                format!("\"{}\"", key.name()),
                number(min),
                number(max),
                key.help(),
                key.get(&scenario.params)
            );
        }
    }
    for i in Inhibitor::ALL {
        let _ = writeln!(
            text,
            "{:<40} = {{ min = 0.0, max = 1.0 }}   # {}",
            format!("\"inhibitors.{}\"", i.name()),
            i.meaning()
        );
    }
    Some(text)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Sweep;

    #[test]
    fn morris_all_covers_every_mechanism_and_loads_as_a_valid_sweep() {
        let mut base = Scenario::baseline();
        base.set("participation.social=0").unwrap();
        let text = template("morris-all", &base, "base.toml").unwrap();
        let sweep = Sweep::from_toml(&text, "t.toml", "t", |p| {
            assert_eq!(p, "base.toml");
            Ok(base.clone())
        })
        .unwrap();
        let names: Vec<String> = sweep.factors.iter().map(|f| f.key.name()).collect();
        // every numeric parameter of the mechanisms, and every inhibitor
        for expected in [
            "citizens.trust_mean",
            "agencies.capacity_share",
            "governance.codestruction",
            "participation.intercept",
            "value.productivity",
            "trust.loss",
            "learning.gain",
            "population.agencies",
            "inhibitors.low_trust",
            "inhibitors.misaligned_goals",
        ] {
            assert!(names.iter().any(|n| n == expected), "{expected}");
        }
        for absent in [
            "run.steps",
            "population.citizens",
            "network.k",
            "network.rewire",
        ] {
            assert!(!names.iter().any(|n| n == absent), "{absent}");
        }
        let range = |name: &str| {
            let f = sweep.factors.iter().find(|f| f.key.name() == name).unwrap();
            f.ends()
        };
        assert_eq!(range("governance.legal_level"), (0.0, 1.0));
        assert_eq!(range("citizens.trust_mean"), (0.01, 0.99));
        assert_eq!(range("participation.intercept"), (-9.0, -3.0));
        assert_eq!(range("value.productivity"), (0.5, 1.5));
        assert_eq!(range("participation.social"), (-1.0, 1.0));
        assert_eq!(range("population.agencies"), (10.0, 30.0));
        // every point of the design is a valid scenario
        let plan = crate::experiment::sweep::plan(&sweep);
        for values in &plan.points {
            sweep.scenario_at(values).unwrap().model().unwrap();
        }
        assert_eq!(template("sobol-everything", &base, "b.toml"), None);
    }
}
