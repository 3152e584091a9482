//! Unit tests of PVC-2 in the world: groups, kinds, targeted and new
//! interventions (MODEL.md 11.1, 11.2, 11.4).

use super::*;
use crate::Scenario;

fn model(text: &str) -> Model {
    Scenario::from_toml(text, "t.toml", "t")
        .unwrap()
        .model()
        .unwrap()
}

const TWO_GROUPS: &str = r#"
[population]
citizens = 10000
[citizens]
concentration = 1000
[[citizens.groups]]
name = "a"
share = 0.7
trust_mean = 0.8
[[citizens.groups]]
name = "b"
share = 0.3
trust_mean = 0.3
excluded_share = 0.5
"#;

fn group_means(w: &World, values: impl Fn(usize) -> f64) -> [f64; 2] {
    let mut sums = [0.0; 2];
    let mut counts = [0.0; 2];
    for (i, &g) in w.group().iter().enumerate() {
        sums[usize::from(g)] += values(i);
        counts[usize::from(g)] += 1.0;
    }
    [sums[0] / counts[0], sums[1] / counts[1]]
}

#[test]
fn groups_have_exact_sizes_are_mixed_and_draw_their_own_means() {
    let m = model(TWO_GROUPS);
    let w = World::new(&m, 3, false);
    let b = w.group().iter().filter(|&&g| g == 1).count();
    assert_eq!(b, 3000);
    // placed at random: about 30% of the first half is group b (sd 0.65%)
    let first_half = w.group()[..5000].iter().filter(|&&g| g == 1).count();
    assert!(
        (first_half as f64 / 5000.0 - 0.3).abs() < 0.03,
        "{first_half}"
    );
    // the same seed places the same way; another seed differently
    assert_eq!(World::new(&m, 3, false).group(), w.group());
    assert_ne!(World::new(&m, 4, false).group(), w.group());
    // trust ~ Beta(mean_g, 1000): sd about 0.015
    let trust = group_means(&w, |i| f64::from(w.trust()[i]));
    assert!(
        (trust[0] - 0.8).abs() < 0.005 && (trust[1] - 0.3).abs() < 0.005,
        "{trust:?}"
    );
    // exclusion: none in a, half of b
    let excluded = group_means(&w, |i| f64::from(u8::from(w.excluded()[i])));
    assert_eq!(excluded[0], 0.0);
    assert!((excluded[1] - 0.5).abs() < 0.03, "{excluded:?}");
}

const KINDS: &str = r#"
[population]
citizens = 20000
[participation]
intercept = 60
[network]
kind = "none"
k = 0
[[agencies.kinds]]
name = "closed"
count = 15
capacity_share = 1.0
legal_level = 0.0
[[agencies.kinds]]
name = "open"
count = 5
capacity_share = 1.0
legal_level = 1.0
codestruction = 0.0
"#;

#[test]
fn without_demands_every_agency_is_equally_likely_and_outcomes_follow_the_kind() {
    let m = model(KINDS);
    let mut w = World::new(&m, 5, false);
    let r = w.advance();
    assert_eq!(r.participants, 20_000);
    let kinds = w.kind_records();
    // 15 of 20 agencies: 75% of the picks (sd 0.3%)
    let closed = (kinds[0].served + kinds[0].unserved) as f64 / 20_000.0;
    assert!((closed - 0.75).abs() < 0.012, "{closed}");
    assert_eq!(kinds[0].realized, 0, "no legal basis in the closed kind");
    assert!(kinds[1].realized > 0);
    assert_eq!(kinds[1].blocked_legal, 0);
    assert_eq!(kinds[0].agencies + kinds[1].agencies, 20);
    // agencies are numbered kind by kind; each kind's capacity is its own
    assert_eq!(w.capacity()[..15], [1334; 15]);
    assert_eq!(w.capacity()[15..], [4000; 5]);
}

#[test]
fn demands_weight_the_choice_of_kind() {
    let text = KINDS
        .replace("count = 15\n", "count = 15\ndemand = 0.2\n")
        .replace("count = 5\n", "count = 5\ndemand = 0.8\n");
    let m = model(&text);
    let mut w = World::new(&m, 5, false);
    w.advance();
    let kinds = w.kind_records();
    let closed = (kinds[0].served + kinds[0].unserved) as f64 / 20_000.0;
    // sd sqrt(0.2 0.8 / 20000) = 0.0028
    assert!((closed - 0.2).abs() < 0.012, "{closed}");
    // within a kind, agencies are equally likely: the open kind's five
    // agencies share its 80%
    let served: Vec<u32> = w.tally.per_agency[15..]
        .iter()
        .map(|a| a[0] + a[3])
        .collect();
    for s in served {
        assert!((f64::from(s) / 16_000.0 - 0.2).abs() < 0.02, "{s}");
    }
}

const PROGRAMS: &str = r#"
[population]
citizens = 4000
[run]
steps = 4
[[citizens.groups]]
name = "a"
share = 0.5
[[citizens.groups]]
name = "b"
share = 0.5
excluded_share = 0.6
[[agencies.kinds]]
name = "p"
count = 10
[[agencies.kinds]]
name = "q"
count = 10
capacity_share = 0.0
"#;

#[test]
fn new_interventions_act_on_their_groups_only() {
    let text = format!(
        "{PROGRAMS}
[[interventions]]
at = 0
kind = \"capability_program\"
delta = 0.5
groups = [\"a\"]
[[interventions]]
at = 0
kind = \"motivation_campaign\"
delta = 0.25
groups = [\"b\"]
[[interventions]]
at = 0
kind = \"inclusion_program\"
delta = 0.5
groups = [\"b\"]
[[interventions]]
at = 0
kind = \"trust_campaign\"
delta = 0.5
groups = [\"a\"]
"
    );
    let m = model(&text);
    let mut w = World::new(&m, 9, false);
    let c0 = w.c0.clone();
    let motivation = w.motivation.clone();
    let excluded = w.excluded.clone();
    let trust: Vec<f32> = w.trust().to_vec();
    w.advance();
    let alpha = m.params().value.alpha;
    let mut included = 0;
    for i in 0..4000 {
        let in_a = w.group[i] == 0;
        // capability_program: c0 <- c0 + 0.5 (1 - c0) for group a only
        let c = if in_a {
            c0[i] + 0.5 * (1.0 - c0[i])
        } else {
            c0[i]
        };
        assert_eq!(w.c0[i], c);
        // motivation_campaign: m <- m + 0.25 (1 - m) for group b only
        let mo = if in_a {
            motivation[i]
        } else {
            motivation[i] + 0.25 * (1.0 - motivation[i])
        };
        assert_eq!(w.motivation[i], mo);
        // inclusion_program: only b's excluded citizens, about half of them
        if excluded[i] && !w.excluded[i] {
            assert!(!in_a);
            included += 1;
            // capability c0 again, and no exclusion penalty
            assert_eq!(w.capability_alpha[i], rules::power(c, alpha) as f32);
            let b = &m.params().participation;
            let expected = (b.intercept + b.motivation * mo + b.capability * c) as f32;
            assert_eq!(w.base_utility[i], expected);
        }
        assert!(!w.excluded[i] || excluded[i], "nobody becomes excluded");
    }
    let was: usize = excluded.iter().filter(|&&e| e).count();
    assert!(
        (f64::from(included) / was as f64 - 0.5).abs() < 0.06,
        "{included} of {was}"
    );
    // runs.csv splits value by exclusion at initialization
    assert_eq!(w.excluded_at_start.as_deref(), Some(&excluded[..]));
    // trust_campaign on a: a's mean trust rises by about half the distance
    // to 1, b's hardly moves (social influence only)
    let before = group_means(&w, |i| f64::from(trust[i]));
    let after = group_means(&w, |i| f64::from(w.trust()[i]));
    assert!(after[0] - before[0] > 0.15, "{before:?} -> {after:?}");
    assert!(
        (after[1] - before[1]).abs() < 0.05,
        "{before:?} -> {after:?}"
    );
}

#[test]
fn targeted_set_and_openness_program_act_on_their_kinds_only() {
    let text = format!(
        "{PROGRAMS}
[[interventions]]
at = 0
kind = \"set\"
key = \"legal_level\"
value = 0.1
kinds = [\"q\"]
[[interventions]]
at = 0
kind = \"openness_program\"
delta = 1.0
kinds = [\"p\"]
[[interventions]]
at = 1
kind = \"set\"
key = \"capacity_share\"
value = 0.2
"
    );
    let m = model(&text);
    let mut w = World::new(&m, 9, false);
    let openness = w.openness().to_vec();
    w.advance();
    assert_eq!(w.governance(0).legal_level, 0.9);
    assert_eq!(w.governance(1).legal_level, 0.1);
    assert!(w.openness()[..10].iter().all(|&o| o == 1.0));
    assert_eq!(w.openness()[10..], openness[10..]);
    // kind p has capacity share 0.05 (half the default), q has 0
    assert_eq!(w.governance(0).capacity_share, 0.05);
    w.advance();
    // set on both kinds: 0.2 in proportion to 0.05 and 0: all to p
    assert_eq!(w.governance(0).capacity_share, 0.2);
    assert_eq!(w.governance(1).capacity_share, 0.0);
    assert!(w.capacity()[..10].iter().all(|&k| k == 80));
    assert!(w.capacity()[10..].iter().all(|&k| k == 0));
}

#[test]
fn a_capacity_set_on_kinds_that_have_none_is_shared_equally() {
    let text = PROGRAMS.replace(
        "name = \"p\"\ncount = 10\n",
        "name = \"p\"\ncount = 10\ncapacity_share = 0.0\n",
    ) + "
[[interventions]]
at = 0
kind = \"set\"
key = \"capacity_share\"
value = 0.3
";
    let m = model(&text);
    let mut w = World::new(&m, 9, false);
    w.advance();
    assert_eq!(w.governance(0).capacity_share, 0.15);
    assert_eq!(w.governance(1).capacity_share, 0.15);
    // ceil(0.15 * 4000 / 10) = 60
    assert!(w.capacity().iter().all(|&k| k == 60));
}

#[test]
fn group_and_kind_records_add_up_to_the_replication() {
    let m = model(PROGRAMS);
    let done = run(&m, 2, false, |_| {});
    let r = &done.record;
    let g = &done.groups;
    assert_eq!(g[0].citizens + g[1].citizens, 4000);
    let served: u64 = done.kinds.iter().map(|k| k.served).sum();
    let unserved: u64 = done.kinds.iter().map(|k| k.unserved).sum();
    let realized: f64 = done.kinds.iter().map(|k| k.value_realized).sum();
    assert_eq!((served, unserved), (r.served, r.unserved));
    assert!(
        (realized - r.total_value_realized).abs() < 1e-9 * r.total_value_realized.abs().max(1.0)
    );
    // the groups' participation, weighted by size, is the whole population's
    let weighted = (g[0].participation_rate + g[1].participation_rate) / 2.0;
    assert!((weighted - r.participation_rate).abs() < 1e-12);
    let value = (g[0].value_per_capita + g[1].value_per_capita) / 2.0;
    let total: f64 = {
        let mut w = World::new(&m, 2, false);
        for _ in 0..4 {
            w.advance();
        }
        w.value().iter().map(|&v| f64::from(v)).sum::<f64>() / 4000.0
    };
    assert!((value - total).abs() < 1e-9);
    // kind q has no capacity: everyone who picked it is unserved
    assert_eq!(done.kinds[1].served, 0);
    assert!(done.kinds[1].unserved > 0);
}

#[test]
fn a_campaign_on_the_implicit_group_reaches_everyone() {
    // a file cannot name `all`, a program building its scenario can
    let mut s = Scenario::from_toml(
        "[population]\ncitizens = 500\n[[interventions]]\nat = 0\nkind = \"trust_campaign\"\ndelta = 0.5\n",
        "t.toml",
        "t",
    )
    .unwrap();
    let everyone = run(&s.model().unwrap(), 4, false, |_| {});
    s.interventions[0].groups = vec!["all".into()];
    let all = run(&s.model().unwrap(), 4, false, |_| {});
    assert_eq!(all, everyone);
}

#[test]
fn one_group_of_its_own_has_the_runs_trust_and_participation() {
    let m = model(
        "[population]\ncitizens = 800\n[run]\nsteps = 6\n[[citizens.groups]]\nname = \"everyone\"\nshare = 1.0\n",
    );
    let done = run(&m, 3, false, |_| {});
    let (g, r) = (&done.groups[0], &done.record);
    assert_eq!(g.final_mean_trust, r.final_mean_trust);
    assert_eq!(g.trust_change, r.trust_change);
    assert_eq!(g.participation_rate, r.participation_rate);
}
