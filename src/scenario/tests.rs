use super::*;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_toml(text, "s.toml", "s")
}

fn messages(text: &str) -> Vec<String> {
    parse(text)
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect()
}

const EXAMPLE: &str = r#"
name = "legal-reform"
description = "No legal basis at first; a law is enacted after 2.5 years."

[run]
steps = 60
replications = 200
seed = 7

[population]
citizens = 50000

[inhibitors]
missing_legal_framework = 1.0
low_trust = 0.4

[[interventions]]
at = 29
kind = "set"
key = "legal_level"
value = 0.9

[[interventions]]
at = 12
kind = "trust_campaign"
delta = 0.2
"#;

#[test]
fn the_model_md_example_loads() {
    let s = parse(EXAMPLE).unwrap();
    assert_eq!(s.name, "legal-reform");
    assert_eq!(s.params.run.replications, 200);
    assert_eq!(s.params.run.seed, 7);
    assert_eq!(s.params.population.citizens, 50_000);
    assert_eq!(s.params.population.agencies, 20);
    assert_eq!(s.inhibitors.get(Inhibitor::MissingLegalFramework), 1.0);
    assert_eq!(s.inhibitors.get(Inhibitor::LowTrust), 0.4);
    assert_eq!(
        s.interventions,
        vec![
            Intervention::new(
                29,
                Action::Set {
                    key: SetKey::LegalLevel,
                    value: 0.9
                }
            ),
            Intervention::new(12, Action::TrustCampaign { delta: 0.2 }),
        ]
    );
}

#[test]
fn empty_file_is_the_baseline_named_after_the_file() {
    let s = parse("").unwrap();
    assert_eq!(s.name, "s");
    assert_eq!(s.params, Params::default());
    assert_eq!(s.inhibitors, Inhibitors::default());
}

#[test]
fn resolved_toml_loads_back_to_the_same_scenario() {
    let s = parse(EXAMPLE).unwrap();
    let again = Scenario::from_toml(&s.to_toml(), "s.toml", "other").unwrap();
    assert_eq!(again.params, s.params);
    assert_eq!(again.inhibitors, s.inhibitors);
    assert_eq!(again.interventions, s.interventions);
    assert_eq!(again.name, s.name);
    assert_eq!(again.description, s.description);
}

#[test]
fn syntax_errors_give_line_and_column() {
    let m = messages("[run]\nsteps = = 3\n");
    assert_eq!(m.len(), 1);
    assert!(m[0].starts_with("s.toml:2:"), "{}", m[0]);
    assert!(m[0].contains("TOML syntax error"), "{}", m[0]);
}

#[test]
fn unknown_keys_suggest_the_nearest() {
    assert_eq!(
        messages("[citizens]\ntrust_maen = 0.5\n"),
        vec!["s.toml:2:1: unknown key `trust_maen` in [citizens]; did you mean `trust_mean`?"]
    );
    assert_eq!(
        messages("[citizen]\ntrust_mean = 0.5\n"),
        vec!["s.toml:1:2: unknown key `citizen`; did you mean `citizens`?"]
    );
    let m = messages("[citizens]\nlegal_level = 0.5\n");
    assert!(
        m[0].contains("did you mean `governance.legal_level`"),
        "{}",
        m[0]
    );
    let m = messages("steps = 5\n");
    assert!(m[0].contains("did you mean `run.steps`"), "{}", m[0]);
}

#[test]
fn unknown_inhibitor_suggests_the_nearest() {
    assert_eq!(
        messages("[inhibitors]\nlow_turst = 0.4\n"),
        vec!["s.toml:2:1: unknown inhibitor `low_turst`; did you mean `low_trust`?"]
    );
    let m = messages("[inhibitors]\nbad_weather = 0.4\n");
    assert!(m[0].contains("`missing_legal_framework`"), "{}", m[0]);
}

#[test]
fn out_of_range_values_name_key_value_and_range() {
    assert_eq!(
        messages("[governance]\nlegal_level = 1.5\n"),
        vec![
            "s.toml:2:15: `governance.legal_level` = 1.5 is out of range: allowed is a number in [0, 1]"
        ]
    );
    let m = messages("[citizens]\ntrust_mean = 1.0\n");
    assert!(m[0].contains("strictly between 0 and 1"), "{}", m[0]);
    let m = messages("[population]\ncitizens = 0\n");
    assert!(
        m[0].contains("`population.citizens` = 0 is out of range"),
        "{}",
        m[0]
    );
    let m = messages("[population]\ncitizens = -5\n");
    assert!(m[0].contains("-5 is out of range"), "{}", m[0]);
    let m = messages("[network]\nk = 5\n");
    assert!(m[0].contains("even integer"), "{}", m[0]);
    let m = messages("[value]\nnoise = nan\n");
    assert!(
        m[0].contains("`value.noise` = nan is out of range"),
        "{}",
        m[0]
    );
    let m = messages("[trust]\nloss = inf\n");
    assert!(m[0].contains("out of range"), "{}", m[0]);
    let m = messages("[inhibitors]\nlow_trust = 2\n");
    assert!(
        m[0].contains("`inhibitors.low_trust` = 2 is out of range"),
        "{}",
        m[0]
    );
}

#[test]
fn wrong_types_are_named() {
    let m = messages("[population]\ncitizens = 1.5e3\n");
    assert!(m[0].contains("must be an integer"), "{}", m[0]);
    let m = messages("[governance]\nfeedback = \"high\"\n");
    assert!(
        m[0].contains("must be a number in [0, 1], found string"),
        "{}",
        m[0]
    );
    let m = messages("[network]\nkind = \"small-world\"\n");
    assert!(m[0].contains("not a network kind"), "{}", m[0]);
    let m = messages("run = 3\n");
    assert!(m[0].contains("must be a table"), "{}", m[0]);
}

#[test]
fn every_problem_of_a_file_is_reported_in_order() {
    let m = messages("[run]\nsteps = 0\n[inhibitors]\nlow_turst = 0.1\nno_feedback = 3\n");
    assert_eq!(m.len(), 3);
    assert!(m[0].starts_with("s.toml:2:"));
    assert!(m[1].starts_with("s.toml:4:"));
    assert!(m[2].starts_with("s.toml:5:"));
}

#[test]
fn intervention_problems() {
    let m = messages("[[interventions]]\nat = 3\nkind = \"trust_campain\"\ndelta = 0.1\n");
    assert!(m[0].contains("did you mean \"trust_campaign\""), "{}", m[0]);
    let m =
        messages("[[interventions]]\nat = 3\nkind = \"set\"\nkey = \"trust_mean\"\nvalue = 0.1\n");
    assert!(
        m[0].contains("cannot be set by an intervention"),
        "{}",
        m[0]
    );
    let m =
        messages("[[interventions]]\nat = 3\nkind = \"set\"\nkey = \"feedback\"\ndelta = 0.1\n");
    assert!(
        m.iter().any(|m| m.contains("`delta` does not apply")),
        "{m:?}"
    );
    assert!(m.iter().any(|m| m.contains("needs `value`")), "{m:?}");
    let m = messages("[[interventions]]\nkind = \"openness_program\"\ndelta = 0.1\nwhen = 2\n");
    assert!(m.iter().any(|m| m.contains("without `at`")), "{m:?}");
    assert!(
        m.iter()
            .any(|m| m.contains("unknown intervention field `when`")),
        "{m:?}"
    );
    let s = parse(
        "[[interventions]]\nat = 1\nkind = \"set\"\nkey = \"governance.feedback\"\nvalue = 1\n",
    )
    .unwrap();
    assert_eq!(
        s.interventions[0].action,
        Action::Set {
            key: SetKey::Feedback,
            value: 1.0
        }
    );
}

#[test]
fn bad_names_are_refused() {
    let m = messages("name = \"../x\"\n");
    assert!(m[0].contains("cannot name an output folder"), "{}", m[0]);
    let e = Scenario::from_toml("", "..toml", ".")
        .unwrap_err()
        .to_string();
    assert!(e.contains("set `name`"), "{e}");
    assert!(Scenario::from_toml("name = \"ok\"", "..toml", ".").is_ok());
}

#[test]
fn descriptions_with_any_character_survive_the_resolved_file() {
    let mut s = parse("").unwrap();
    s.description = "quote \" backslash \\ tab \t del \u{7f} é".into();
    let again = Scenario::from_toml(&s.to_toml(), "s.toml", "s").unwrap();
    assert_eq!(again.description, s.description);
}

#[test]
fn overrides_are_checked_like_the_file() {
    let mut s = Scenario::baseline();
    s.set("governance.legal_level=0.3").unwrap();
    s.set("inhibitors.low_trust=0.5").unwrap();
    s.set("network.kind=none").unwrap();
    s.set("population.citizens = 500").unwrap();
    assert_eq!(s.params.governance.legal_level, 0.3);
    assert_eq!(s.inhibitors.get(Inhibitor::LowTrust), 0.5);
    assert_eq!(s.params.network.kind, NetworkKind::None);
    assert_eq!(s.params.population.citizens, 500);
    let e = s.set("governance.legal_levle=0.3").unwrap_err().to_string();
    assert!(e.contains("did you mean `legal_level`"), "{e}");
    let e = s.set("inhibitors.low_turst=0.3").unwrap_err().to_string();
    assert!(e.contains("did you mean `low_trust`"), "{e}");
    let e = s.set("governance.legal_level=2").unwrap_err().to_string();
    assert_eq!(
        e,
        "--set governance.legal_level=2: `governance.legal_level` = 2 is out of range: allowed is a number in [0, 1]"
    );
    let e = s.set("population.citizens=1.5").unwrap_err().to_string();
    assert!(e.contains("must be an integer"), "{e}");
    assert!(s.set("legal_level").is_err());
    let e = s.set("inhibitor.low_trust=0.3").unwrap_err().to_string();
    assert!(e.contains("did you mean `inhibitors.low_trust`"), "{e}");
    let e = s.set("governence.feedback=0.3").unwrap_err().to_string();
    assert!(e.contains("did you mean `governance.feedback`"), "{e}");
    assert!(s.set("run.seed=9223372036854775808").is_err());
    s.set("run.seed=9223372036854775807").unwrap();
}

#[test]
fn cross_key_checks_happen_when_the_model_is_built() {
    let s = parse("[population]\ncitizens = 6\n[network]\nk = 6\n").unwrap();
    let e = s.model().unwrap_err().to_string();
    assert_eq!(
        e,
        "s.toml:4:5: `network.k` = 6 must be below `population.citizens` = 6 (each citizen links to k others; with `network.kind = \"none\"` set k = 0)"
    );
    let s = parse("[population]\ncitizens = 6\n[network]\nkind = \"none\"\nk = 0\n").unwrap();
    assert!(s.model().is_ok());
    // MODEL.md section 9: k below N whatever the network kind
    let s = parse("[population]\ncitizens = 6\n[network]\nkind = \"none\"\n").unwrap();
    assert!(s.model().is_err());
    let s = parse(
        "[run]\nsteps = 10\n[[interventions]]\nat = 10\nkind = \"trust_campaign\"\ndelta = 0.1\n",
    )
    .unwrap();
    let e = s.model().unwrap_err().to_string();
    assert!(
        e.starts_with("s.toml:4:6: intervention at step 10 never happens"),
        "{e}"
    );
}
