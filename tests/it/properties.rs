//! Properties of every run of every valid scenario (proptest): random
//! scenarios over the whole allowed range of every parameter, inhibitor and
//! intervention, small enough to run by the hundred, checked step by step:
//! - participants = served + unserved;
//! - served = realized + blocked_legal + not_implemented + co_destroyed;
//! - every citizen's trust and every agency's openness stay in [0, 1];
//! - the value realized in a step never exceeds its value potential;
//! - every number recorded, per step and per replication, is finite;
//! - with PVC-2's groups and kinds (a second generator), the groups' and
//!   kinds' records add up to the run's, and are finite.

use cocreate::Scenario;
use cocreate::model::World;
use cocreate::scenario::{Domain, ParamKey};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::fmt::Write as _;

/// A value of `domain`, often at its ends.
fn in_domain(domain: Domain) -> BoxedStrategy<f64> {
    let (low, high): (f64, f64) = match domain {
        Domain::Unit => (0.0, 1.0),
        Domain::OpenUnit => (1e-9, 1.0 - 1e-9),
        Domain::Noise => (0.0, 10.0),
        Domain::Scale => (0.0, 1e6),
        Domain::Coefficient => (-1000.0, 1000.0),
        Domain::NonNegative => (0.0, 1e300),
        other => unreachable!("{other:?} is drawn separately"),
    };
    prop_oneof![
        Just(low),
        Just(high),
        low..=high,
        // ordinary magnitudes, where the model is usually run
        (low.max(-10.0))..=(high.min(10.0)),
    ]
    .boxed()
}

/// One `[[interventions]]` entry at a step below `steps`.
fn intervention(steps: u32) -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        (
            prop::sample::select(vec![
                "legal_level",
                "feedback",
                "codestruction",
                "capacity_share"
            ]),
            0.0..=1.0f64
        )
            .prop_map(|(key, v)| format!("kind = \"set\"\nkey = \"{key}\"\nvalue = {v:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"trust_campaign\"\ndelta = {d:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"openness_program\"\ndelta = {d:?}\n")),
    ];
    (0..steps, kind).prop_map(|(at, kind)| format!("\n[[interventions]]\nat = {at}\n{kind}"))
}

/// A valid scenario's TOML text: every parameter drawn from its domain,
/// every inhibitor at a random intensity, up to four interventions.
fn scenario_text() -> impl Strategy<Value = String> {
    let reals: Vec<(ParamKey, BoxedStrategy<f64>)> = ParamKey::all()
        .filter(|k| !k.domain().is_integer() && k.domain() != Domain::Network)
        .map(|k| (k, in_domain(k.domain())))
        .collect();
    let (keys, values): (Vec<ParamKey>, Vec<BoxedStrategy<f64>>) = reals.into_iter().unzip();
    let inhibitors = prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64], 8);
    (2u32..=300, 1u32..=40, 1u32..=8, any::<bool>(), 0u32..=10)
        .prop_flat_map(move |(n, m, steps, network, half)| {
            let k = if network {
                2 * half.min((n - 1) / 2)
            } else {
                0
            };
            (
                Just((n, m, steps, network, k)),
                values.clone(),
                inhibitors.clone(),
                prop::collection::vec(intervention(steps), 0..=4),
            )
        })
        .prop_map(
            move |((n, m, steps, network, k), values, inhibitors, interventions)| {
                let mut sections: Vec<(String, String)> = Vec::new();
                let mut put = |key: &str, value: String| {
                    let (section, field) = key.split_once('.').unwrap();
                    match sections.iter_mut().find(|(s, _)| s == section) {
                        Some((_, body)) => {
                            let _ = writeln!(body, "{field} = {value}");
                        }
                        None => {
                            sections.push((section.to_string(), format!("{field} = {value}\n")))
                        }
                    }
                };
                put("run.steps", steps.to_string());
                put("population.citizens", n.to_string());
                put("population.agencies", m.to_string());
                let kind = if network { "watts-strogatz" } else { "none" };
                put("network.kind", format!("\"{kind}\""));
                put("network.k", k.to_string());
                for (key, v) in keys.iter().zip(&values) {
                    put(key.name(), format!("{v:?}"));
                }
                let mut text = String::new();
                for (section, body) in &sections {
                    let _ = write!(text, "[{section}]\n{body}\n");
                }
                text.push_str("[inhibitors]\n");
                for (i, x) in cocreate::Inhibitor::ALL.iter().zip(&inhibitors) {
                    let _ = writeln!(text, "{} = {x:?}", i.name());
                }
                for i in &interventions {
                    text.push_str(i);
                }
                text
            },
        )
}

proptest! {
    #![proptest_config(Config { cases: 300, ..Config::default() })]

    #[test]
    fn every_step_of_every_valid_scenario_keeps_the_invariants(
        text in scenario_text(),
        seed in any::<u64>(),
    ) {
        let scenario = Scenario::from_toml(&text, "random.toml", "random")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        // an inhibitor may push a parameter out of range: that scenario is
        // refused, rightly, and is not one of the valid ones
        let Ok(model) = scenario.model() else {
            return Err(TestCaseError::reject("refused after inhibitors"));
        };
        let mut world = World::new(&model, seed, false);
        for _ in 0..model.params().run.steps {
            let s = world.advance();
            prop_assert_eq!(s.participants, s.served + s.unserved, "{}", text);
            prop_assert_eq!(
                s.served,
                s.realized + s.blocked_legal + s.not_implemented + s.co_destroyed,
                "{}", text
            );
            prop_assert!(s.value_realized <= s.value_potential, "{s:?}\n{text}");
            for (name, f) in cocreate::StepRecord::FIGURES.iter().zip(s.values()) {
                prop_assert!(f.as_f64().is_finite(), "step {}: {name} = {f:?}\n{text}", s.step);
            }
            prop_assert!(world.trust().iter().all(|t| (0.0..=1.0).contains(t)), "trust\n{}", text);
            prop_assert!(world.openness().iter().all(|o| (0.0..=1.0).contains(o)), "openness\n{}", text);
        }
        let record = world.record();
        for (name, f) in cocreate::RunRecord::FIGURES.iter().zip(record.values()) {
            prop_assert!(f.as_f64().is_finite(), "{name} = {f:?}\n{text}");
        }
        prop_assert!(record.total_value_realized <= record.total_value_potential);
    }
}

/// A valid PVC-2 scenario's TOML text (MODEL.md 11): 1 to 4 citizen groups
/// with random shares and own values, 1 to 3 agency kinds (with or without
/// demands) with random own values, inhibitors targeted at random groups
/// or kinds, a custom inhibitor, and up to five interventions of every
/// kind, targeted or not.
fn pvc2_text() -> impl Strategy<Value = String> {
    let group = (
        1u32..=9,
        prop::option::of(0.05..0.95f64),
        prop::option::of(0.0..=1.0f64),
    );
    let kind = (
        1u32..=6,
        1u32..=9,
        prop::option::of(0.0..=1.0f64),
        prop::option::of(0.0..=1.0f64),
        prop::option::of(0.05..0.95f64),
    );
    let action = prop_oneof![
        (0.0..=1.0f64)
            .prop_map(|v| format!("kind = \"set\"\nkey = \"capacity_share\"\nvalue = {v:?}\n")),
        (0.0..=1.0f64)
            .prop_map(|v| format!("kind = \"set\"\nkey = \"legal_level\"\nvalue = {v:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"openness_program\"\ndelta = {d:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"trust_campaign\"\ndelta = {d:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"capability_program\"\ndelta = {d:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"inclusion_program\"\ndelta = {d:?}\n")),
        (0.0..=1.0f64).prop_map(|d| format!("kind = \"motivation_campaign\"\ndelta = {d:?}\n")),
    ];
    (
        prop::collection::vec(group, 1..=4),
        prop::collection::vec(kind, 1..=3),
        any::<bool>(),
        (2u32..=300, 1u32..=10),
        prop::collection::vec((0u32..10, action, any::<bool>(), 0usize..4), 0..=5),
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, -2.0..=2.0f64),
        any::<u64>(),
    )
        .prop_map(|(groups, kinds, demands, (n, steps), interventions, (x1, x2, x3, by), pick)| {
            let n = n.max(groups.len() as u32 * 10);
            let mut text = format!("[run]\nsteps = {steps}\n[population]\ncitizens = {n}\n");
            let weight: u32 = groups.iter().map(|g| g.0).sum();
            for (i, (w, trust, excluded)) in groups.iter().enumerate() {
                let _ = write!(text, "\n[[citizens.groups]]\nname = \"g{i}\"\nshare = {:?}\n", f64::from(*w) / f64::from(weight));
                if let Some(t) = trust {
                    let _ = writeln!(text, "trust_mean = {t:?}");
                }
                if let Some(e) = excluded {
                    let _ = writeln!(text, "excluded_share = {e:?}");
                }
            }
            let demand_weight: u32 = kinds.iter().map(|q| q.1).sum();
            for (i, (count, d, legal, capacity, openness)) in kinds.iter().enumerate() {
                let _ = write!(text, "\n[[agencies.kinds]]\nname = \"k{i}\"\ncount = {count}\n");
                if demands {
                    let _ = writeln!(text, "demand = {:?}", f64::from(*d) / f64::from(demand_weight));
                }
                if let Some(l) = legal {
                    let _ = writeln!(text, "legal_level = {l:?}");
                }
                if let Some(c) = capacity {
                    let _ = writeln!(text, "capacity_share = {c:?}");
                }
                if let Some(o) = openness {
                    let _ = writeln!(text, "openness_mean = {o:?}");
                }
            }
            let _ = write!(
                text,
                "\n[[custom_inhibitors]]\nname = \"mine\"\neffects = [{{ key = \"participation.intercept\", op = \"add\", by = {by:?} }}, {{ key = \"citizens.excluded_share\", op = \"toward\", by = 0.5, to = 1.0 }}]\n"
            );
            let g = pick as usize % groups.len();
            let q = (pick >> 8) as usize % kinds.len();
            let _ = write!(
                text,
                "\n[inhibitors]\nlow_trust = {{ intensity = {x1:?}, groups = [\"g{g}\"] }}\nlimited_capacity = {{ intensity = {x2:?}, kinds = [\"k{q}\"] }}\nmine = {{ intensity = {x3:?}, groups = [\"g{g}\"] }}\n"
            );
            for (at, action, targeted, which) in interventions {
                let _ = write!(text, "\n[[interventions]]\nat = {}\n{action}", at % steps);
                if targeted {
                    let on_kinds = action.contains("\"set\"") || action.contains("openness");
                    if on_kinds {
                        let _ = writeln!(text, "kinds = [\"k{}\"]", which % kinds.len());
                    } else {
                        let _ = writeln!(text, "groups = [\"g{}\"]", which % groups.len());
                    }
                }
            }
            text
        })
}

proptest! {
    #![proptest_config(Config { cases: 200, ..Config::default() })]

    #[test]
    fn every_step_of_every_valid_pvc2_scenario_keeps_the_invariants(
        text in pvc2_text(),
        seed in any::<u64>(),
    ) {
        let scenario = Scenario::from_toml(&text, "random.toml", "random")
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let Ok(model) = scenario.model() else {
            return Err(TestCaseError::reject("refused after inhibitors"));
        };
        let n = u64::from(model.params().population.citizens);
        let mut world = World::new(&model, seed, false);
        for _ in 0..model.params().run.steps {
            let s = world.advance();
            prop_assert_eq!(s.participants, s.served + s.unserved, "{}", text);
            prop_assert_eq!(
                s.served,
                s.realized + s.blocked_legal + s.not_implemented + s.co_destroyed,
                "{}", text
            );
            prop_assert!(s.value_realized <= s.value_potential, "{s:?}\n{text}");
            prop_assert!(world.trust().iter().all(|t| (0.0..=1.0).contains(t)), "trust\n{}", text);
            prop_assert!(world.openness().iter().all(|o| (0.0..=1.0).contains(o)), "openness\n{}", text);
        }
        let record = world.record();
        let groups = world.group_records();
        let kinds = world.kind_records();
        for (name, f) in cocreate::RunRecord::FIGURES.iter().zip(record.values()) {
            prop_assert!(f.as_f64().is_finite(), "{name} = {f:?}\n{text}");
        }
        // the groups and kinds add up to the run
        prop_assert_eq!(groups.iter().map(|g| g.citizens).sum::<u64>(), n);
        prop_assert_eq!(kinds.iter().map(|k| k.agencies).sum::<u64>(), u64::from(model.params().population.agencies));
        prop_assert_eq!(kinds.iter().map(|k| k.served).sum::<u64>(), record.served, "{}", text);
        prop_assert_eq!(kinds.iter().map(|k| k.unserved).sum::<u64>(), record.unserved, "{}", text);
        prop_assert_eq!(kinds.iter().map(|k| k.realized).sum::<u64>(), record.realized, "{}", text);
        let value: f64 = kinds.iter().map(|k| k.value_realized).sum();
        prop_assert!((value - record.total_value_realized).abs() <= 1e-6 * (1.0 + record.total_value_realized.abs()), "{} vs {}\n{}", value, record.total_value_realized, text);
        let participation: f64 = groups.iter().map(|g| g.participation_rate * g.citizens as f64).sum::<f64>() / n as f64;
        prop_assert!((participation - record.participation_rate).abs() < 1e-9, "{text}");
        for g in &groups {
            prop_assert!(g.excluded <= g.citizens);
            for (name, f) in cocreate::model::GroupRecord::FIGURES.iter().zip(g.values()) {
                prop_assert!(f.as_f64().is_finite(), "{name} = {f:?}\n{text}");
            }
            prop_assert!((0.0..=1.0).contains(&g.final_mean_trust), "{text}");
        }
        for k in &kinds {
            for (name, f) in cocreate::model::KindRecord::FIGURES.iter().zip(k.values()) {
                prop_assert!(f.as_f64().is_finite(), "{name} = {f:?}\n{text}");
            }
        }
    }
}
