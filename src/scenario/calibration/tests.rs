use super::*;

fn calibration(text: &str) -> Result<Calibration, ScenarioError> {
    Calibration::from_toml(text, "cal.toml", "cal", |_| Ok(Scenario::baseline()))
}

fn messages(text: &str) -> Vec<String> {
    calibration(text)
        .unwrap_err()
        .problems
        .iter()
        .map(|p| {
            format!(
                "{}:{} {}",
                p.origin.position.map_or(0, |p| p.0),
                p.origin.position.map_or(0, |p| p.1),
                p.message
            )
        })
        .collect()
}

const GOOD: &str = r#"
name = "trust-participation"
scenario = "../baseline.toml"
particles = 400
generations = 8
replications = 2
seed = 3

[parameters]
"citizens.trust_mean" = { min = 0.2, max = 0.9 }
"participation.intercept" = { min = -8.0, max = -4.0 }
"population.agencies" = { min = 10, max = 30 }

[targets]
participation_rate = { value = 0.045, sd = 0.003 }
final_mean_trust = { value = 0.52, sd = 0.02 }
"mean_trust@12" = { value = 0.57, sd = 0.02 }
"groups.all.participation_rate" = { value = 0.045, sd = 0.01 }
"kinds.all.served" = { value = 900, sd = 50 }
"#;

#[test]
fn the_issue_example_loads() {
    let c = calibration(GOOD).unwrap();
    assert_eq!(c.name, "trust-participation");
    assert_eq!(
        (c.particles, c.generations, c.replications, c.seed),
        (400, 8, 2, 3)
    );
    assert_eq!(c.base.params.run.replications, 2);
    let names: Vec<String> = c.parameters.iter().map(|p| p.key.name()).collect();
    assert_eq!(
        names,
        [
            "citizens.trust_mean",
            "participation.intercept",
            "population.agencies"
        ]
    );
    assert_eq!(c.parameters[2].prior_range(), (9.5, 30.5));
    assert_eq!(c.parameters[2].value(30.49), 30.0);
    assert_eq!(c.parameters[2].value(9.5), 10.0);
    let figures: Vec<TargetFigure> = c.targets.iter().map(|t| t.figure).collect();
    assert_eq!(
        figures,
        [
            TargetFigure::Run(4),
            TargetFigure::Run(6),
            TargetFigure::Step {
                figure: 10,
                step: 12
            },
            TargetFigure::Group {
                group: 0,
                figure: 2
            },
            TargetFigure::Kind { kind: 0, figure: 1 },
        ]
    );
    let s = c.scenario_at(&[0.4, -5.0, 20.3]).unwrap();
    assert_eq!(s.params.citizens.trust_mean, 0.4);
    assert_eq!(s.params.population.agencies, 20);
    // each target one sd away: sqrt(5)
    let sim: Vec<f64> = c.targets.iter().map(|t| t.value + t.sd).collect();
    assert!((c.distance(&sim) - 5f64.sqrt()).abs() < 1e-12);
}

#[test]
fn defaults_and_inline_scenarios() {
    let c = calibration(
        "[population]\ncitizens = 500\n[parameters]\n\"inhibitors.low_trust\" = { min = 0.0, max = 1.0 }\n[targets]\nparticipation_rate = { value = 0.05, sd = 0.01 }\n",
    )
    .unwrap();
    assert_eq!(
        (c.particles, c.generations, c.replications, c.seed),
        (400, 8, 1, 42)
    );
    assert_eq!(c.base.params.population.citizens, 500);
    assert_eq!(c.base.name, "cal");
}

#[test]
fn problems_are_named_with_what_is_allowed() {
    let bad = |text: &str, expected: &str| {
        let all = messages(text).join("\n");
        assert!(all.contains(expected), "expected {expected:?} in:\n{all}");
    };
    let targets = "[targets]\nparticipation_rate = { value = 0.05, sd = 0.01 }\n";
    let params = "[parameters]\n\"citizens.trust_mean\" = { min = 0.2, max = 0.9 }\n";
    bad(targets, "a calibration needs [parameters]");
    bad(params, "a calibration needs [targets]");
    bad(
        &format!("[parameters]\n\"citizens.trust_men\" = {{ min = 0.2, max = 0.9 }}\n{targets}"),
        "2:1 unknown parameter `citizens.trust_men`; did you mean `citizens.trust_mean`?",
    );
    bad(
        &format!("[parameters]\n\"citizens.trust_mean\" = {{ min = 0.9, max = 0.2 }}\n{targets}"),
        "`min` = 0.9 must be below `max` = 0.2",
    );
    bad(
        &format!("[parameters]\n\"citizens.trust_mean\" = {{ min = 0.5, max = 0.5 }}\n{targets}"),
        "must be below",
    );
    bad(
        &format!("[parameters]\n\"citizens.trust_mean\" = {{ min = 0.2, max = 1.9 }}\n{targets}"),
        "`citizens.trust_mean` = 1.9 is out of range: allowed is",
    );
    bad(
        &format!("[parameters]\n\"citizens.trust_mean\" = {{ min = 0.2, maks = 0.9 }}\n{targets}"),
        "unknown field `maks` in parameter `citizens.trust_mean`; did you mean `max`?",
    );
    bad(
        &format!("[parameters]\n\"citizens.trust_mean\" = {{ min = 0.2 }}\n{targets}"),
        "needs `max`",
    );
    bad(
        &format!("[parameters]\n\"run.seed\" = {{ min = 1, max = 9 }}\n{targets}"),
        "`run.seed` cannot be a",
    );
    bad(
        &format!("{params}[targets]\nparticipation_rate = {{ value = 0.05, sd = 0 }}\n"),
        "4:43 target `participation_rate`: `sd` = 0 must be above 0",
    );
    bad(
        &format!("{params}[targets]\nparticipation_rate = {{ value = 0.05, sd = -1 }}\n"),
        "must be above 0",
    );
    bad(
        &format!("{params}[targets]\nparticipation = {{ value = 0.05, sd = 0.1 }}\n"),
        "4:1 unknown target `participation`",
    );
    bad(
        &format!("{params}[targets]\nparticipation_rat = {{ value = 0.05, sd = 0.1 }}\n"),
        "did you mean `participation_rate`?",
    );
    bad(
        &format!("{params}[targets]\n\"mean_trust@99\" = {{ value = 0.5, sd = 0.1 }}\n"),
        "the step must be an integer from 0 to 59",
    );
    bad(
        &format!("{params}[targets]\n\"mean_trusts@9\" = {{ value = 0.5, sd = 0.1 }}\n"),
        "unknown step figure `mean_trusts`; did you mean `mean_trust`?",
    );
    bad(
        &format!(
            "{params}[targets]\n\"groups.rural.participation_rate\" = {{ value = 0.5, sd = 0.1 }}\n"
        ),
        "unknown group `rural`",
    );
    bad(
        &format!("{params}[targets]\n\"kinds.all.bogus\" = {{ value = 0.5, sd = 0.1 }}\n"),
        "unknown kind figure `bogus`",
    );
    bad(
        &format!("{params}[targets]\nparticipation_rate = 0.05\n"),
        "must be a table such as { value = ..., sd = ... }",
    );
    bad(
        &format!("particles = 5\n{params}{targets}"),
        "`particles` = 5 is out of range: allowed is an integer from 10",
    );
    bad(
        &format!("generations = 0\n{params}{targets}"),
        "`generations` = 0 is out of range",
    );
    bad(
        &format!("[parameters]\n\"inhibitors.low_trus\" = {{ min = 0.0, max = 1.0 }}\n{targets}"),
        "unknown inhibitor",
    );
    bad(
        &format!("{params}{targets}[citizens]\ntrust_men = 0.3\n"),
        "trust_men",
    );
    bad(
        &format!("[parameters]\n\"network.kind\" = {{ min = 0.0, max = 1.0 }}\n{targets}"),
        "not numeric",
    );
    bad(
        &format!("[parameters]\n\"run.steps\" = {{ min = 10, max = 20 }}\n{targets}"),
        "`run.steps` cannot be calibrated: it is a fact of the case",
    );
    bad(
        &format!("[parameters]\n\"population.citizens\" = {{ min = 10, max = 20 }}\n{targets}"),
        "`population.citizens` cannot be calibrated",
    );
    bad(
        &format!(
            "{params}[targets]\ngroups.all.participation_rate = {{ value = 0.5, sd = 0.1 }}\n"
        ),
        "a dotted name must be quoted, as in \"groups.all...\" = { value = ..., sd = ... }",
    );
}

#[test]
fn priors_that_allow_an_invalid_scenario_are_refused() {
    // 40 agencies with capacity 0 are fine; 0 agencies are not a population
    let text = "[parameters]\n\"population.agencies\" = { min = 0, max = 5 }\n[targets]\nparticipation_rate = { value = 0.05, sd = 0.01 }\n";
    let all = messages(text).join("\n");
    assert!(all.contains("population.agencies"), "{all}");
}
