//! Reading PVC-2's parts of a scenario file (MODEL.md section 11):
//! `[[citizens.groups]]`, `[[agencies.kinds]]`, `[[custom_inhibitors]]`,
//! targeted inhibitors, and the checks across them once the whole file is
//! read.

use super::parse::{Walker, param_value, table};
use super::{Scenario, nearest};
use crate::model::inhibitor::{Effect, Entry, Op, Target};
use crate::model::params::Domain;
use crate::model::structure::{GroupKey, GroupSpec, KindKey, KindSpec, MAX_PARTS};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The fields of a `[[citizens.groups]]` entry.
const GROUP_FIELDS: [&str; 6] = [
    "name",
    "share",
    "trust_mean",
    "motivation_mean",
    "capability_mean",
    "excluded_share",
];

/// The fields of an `[[agencies.kinds]]` entry.
const KIND_FIELDS: [&str; 9] = [
    "name",
    "count",
    "demand",
    "openness_mean",
    "responsiveness_mean",
    "capacity_share",
    "legal_level",
    "feedback",
    "codestruction",
];

/// The fields of a `[[custom_inhibitors]]` entry and of one of its effects.
const INHIBITOR_FIELDS: [&str; 3] = ["name", "description", "effects"];
const EFFECT_FIELDS: [&str; 4] = ["key", "op", "by", "to"];

/// Whether `name` is a valid group, kind or inhibitor name: `[a-z][a-z0-9_-]*`.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// The array of tables `what`, or a problem recorded.
fn array_of_tables<'a, 'i>(
    walker: &mut Walker,
    what: &str,
    value: &'a Spanned<DeValue<'i>>,
) -> Vec<&'a Spanned<DeValue<'i>>> {
    match value.get_ref() {
        DeValue::Array(items) => items.iter().collect(),
        other => {
            walker.problem(
                value.span().start,
                format!(
                    "`{what}` must be an array of tables ([[{what}]]), found {}",
                    other.type_str()
                ),
            );
            Vec::new()
        }
    }
}

/// Reports fields of an entry that are not in `allowed`.
fn unknown_fields(walker: &mut Walker, what: &str, entries: &DeTable, allowed: &[&str]) {
    for (key, _) in entries {
        let field = key.get_ref().as_ref();
        if !allowed.contains(&field) {
            let hint = nearest(field, allowed.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_else(|| {
                    let list: Vec<String> = allowed.iter().map(|f| format!("`{f}`")).collect();
                    format!("; allowed: {}", list.join(", "))
                });
            walker.problem(
                key.span().start,
                format!("unknown field `{field}` in {what}{hint}"),
            );
        }
    }
}

/// The entry's `name`: present, a string, valid and not taken.
fn entry_name(
    walker: &mut Walker,
    what: &str,
    start: usize,
    entries: &DeTable,
    taken: &[String],
) -> Option<String> {
    let Some(value) = entries.get("name") else {
        walker.problem(start, format!("{what} without `name`"));
        return None;
    };
    let DeValue::String(name) = value.get_ref() else {
        walker.problem(
            value.span().start,
            format!("`name` of {what} must be a string"),
        );
        return None;
    };
    if !valid_name(name) {
        walker.problem(
            value.span().start,
            format!(
                "{what} name \"{name}\" is not allowed: use a lowercase letter, then lowercase letters, digits, '_' or '-'"
            ),
        );
        return None;
    }
    if taken.iter().any(|t| t == name.as_ref()) {
        walker.problem(
            value.span().start,
            format!("{what} name \"{name}\" is used twice: names must be unique"),
        );
        return None;
    }
    Some(name.to_string())
}

/// A number of `domain` for field `what`, or a problem recorded.
fn number(
    walker: &mut Walker,
    what: &str,
    domain: Domain,
    value: &Spanned<DeValue>,
) -> Option<f64> {
    match param_value(domain, value.get_ref()) {
        Ok(v) if domain.check(&v) => v.as_f64(),
        Ok(_) => {
            let raw = walker.raw(value).to_string();
            walker.problem(
                value.span().start,
                format!(
                    "`{what}` = {raw} is out of range: allowed is {}",
                    domain.describe()
                ),
            );
            None
        }
        Err(message) => {
            walker.problem(value.span().start, format!("`{what}` {message}"));
            None
        }
    }
}

/// `[[citizens.groups]]` (MODEL.md 11.1).
pub(super) fn walk_groups(walker: &mut Walker, scenario: &mut Scenario, value: &Spanned<DeValue>) {
    for item in array_of_tables(walker, "citizens.groups", value) {
        let Some(entries) = table(walker, "citizens.groups", true, item) else {
            continue;
        };
        let start = item.span().start;
        unknown_fields(walker, "a group", entries, &GROUP_FIELDS);
        let taken: Vec<String> = scenario.groups.iter().map(|g| g.name.clone()).collect();
        let Some(name) = entry_name(walker, "a group", start, entries, &taken) else {
            continue;
        };
        let prefix = format!("citizens.groups.{name}");
        let share = match entries.get("share") {
            None => {
                walker.problem(
                    start,
                    format!("group \"{name}\" without `share` (its share of the citizens, > 0)"),
                );
                None
            }
            Some(v) => number(walker, &format!("{prefix}.share"), Domain::Unit, v).and_then(|s| {
                if s > 0.0 {
                    Some(s)
                } else {
                    walker.problem(v.span().start, format!("`{prefix}.share` must be above 0"));
                    None
                }
            }),
        };
        let mut own = [None; 4];
        for key in GroupKey::ALL {
            if let Some(v) = entries.get(key.name()) {
                let dotted = format!("{prefix}.{}", key.name());
                own[key as usize] = number(walker, &dotted, key.domain(), v);
                let origin = walker.origin(v.span().start);
                scenario.origins.insert(dotted, origin);
            }
        }
        if let Some(v) = entries.get("share") {
            let origin = walker.origin(v.span().start);
            scenario.origins.insert(format!("{prefix}.share"), origin);
        }
        if scenario.groups.len() == MAX_PARTS {
            walker.problem(start, format!("more than {MAX_PARTS} groups"));
            continue;
        }
        scenario.groups.push(GroupSpec {
            name,
            share: share.unwrap_or(f64::NAN),
            own,
        });
    }
    let origin = walker.origin(value.span().start);
    scenario.origins.insert("citizens.groups".into(), origin);
}

/// `[[agencies.kinds]]` (MODEL.md 11.2).
pub(super) fn walk_kinds(walker: &mut Walker, scenario: &mut Scenario, value: &Spanned<DeValue>) {
    for item in array_of_tables(walker, "agencies.kinds", value) {
        let Some(entries) = table(walker, "agencies.kinds", true, item) else {
            continue;
        };
        let start = item.span().start;
        unknown_fields(walker, "a kind", entries, &KIND_FIELDS);
        let taken: Vec<String> = scenario.kinds.iter().map(|q| q.name.clone()).collect();
        let Some(name) = entry_name(walker, "a kind", start, entries, &taken) else {
            continue;
        };
        let prefix = format!("agencies.kinds.{name}");
        let count = match entries.get("count") {
            None => {
                walker.problem(
                    start,
                    format!("kind \"{name}\" without `count` (its number of agencies, >= 1)"),
                );
                None
            }
            Some(v) => {
                number(walker, &format!("{prefix}.count"), Domain::Count, v).map(|c| c as u32)
            }
        };
        let demand = entries
            .get("demand")
            .and_then(|v| number(walker, &format!("{prefix}.demand"), Domain::Unit, v));
        let mut own = [None; 6];
        for key in KindKey::ALL {
            if let Some(v) = entries.get(key.name()) {
                let dotted = format!("{prefix}.{}", key.name());
                own[key as usize] = number(walker, &dotted, key.domain(), v);
                let origin = walker.origin(v.span().start);
                scenario.origins.insert(dotted, origin);
            }
        }
        for field in ["count", "demand"] {
            if let Some(v) = entries.get(field) {
                let origin = walker.origin(v.span().start);
                scenario.origins.insert(format!("{prefix}.{field}"), origin);
            }
        }
        if scenario.kinds.len() == MAX_PARTS {
            walker.problem(start, format!("more than {MAX_PARTS} kinds"));
            continue;
        }
        let Some(count) = count else { continue };
        scenario.kinds.push(KindSpec {
            name,
            count,
            demand: if entries.contains_key("demand") {
                Some(demand.unwrap_or(f64::NAN))
            } else {
                None
            },
            own,
        });
    }
    let origin = walker.origin(value.span().start);
    scenario.origins.insert("agencies.kinds".into(), origin);
}

/// `[[custom_inhibitors]]` (MODEL.md 11.3): new inhibitors, or built-ins
/// redefined under their own name.
pub(super) fn walk_custom_inhibitors(
    walker: &mut Walker,
    scenario: &mut Scenario,
    value: &Spanned<DeValue>,
) {
    let mut defined: Vec<String> = Vec::new();
    for item in array_of_tables(walker, "custom_inhibitors", value) {
        let Some(entries) = table(walker, "custom_inhibitors", true, item) else {
            continue;
        };
        let start = item.span().start;
        unknown_fields(walker, "a custom inhibitor", entries, &INHIBITOR_FIELDS);
        let Some(name) = entry_name(walker, "a custom inhibitor", start, entries, &defined) else {
            continue;
        };
        defined.push(name.clone());
        let description = entries
            .get("description")
            .and_then(|v| match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                other => {
                    walker.problem(
                        v.span().start,
                        format!("`description` must be a string, found {}", other.type_str()),
                    );
                    None
                }
            })
            .unwrap_or_default();
        let effects = match entries.get("effects") {
            None => {
                walker.problem(
                    start,
                    format!("custom inhibitor \"{name}\" without `effects` (a list of {{ key, op, by }})"),
                );
                continue;
            }
            Some(v) => effects(walker, &name, v),
        };
        let Some(effects) = effects else { continue };
        let origin = walker.origin(start);
        scenario
            .origins
            .insert(format!("custom_inhibitors.{name}"), origin);
        let mut entry = Entry {
            name: name.clone(),
            description,
            builtin: None,
            redefined: false,
            effects,
            intensity: 0.0,
            groups: Vec::new(),
            kinds: Vec::new(),
        };
        // a redefinition keeps an intensity given before it in the file
        if let Some(old) = scenario.inhibitors.named(&name) {
            entry.intensity = old.intensity;
            entry.groups = old.groups.clone();
            entry.kinds = old.kinds.clone();
            if entry.description.is_empty() {
                entry.description = old.description.clone();
            }
        }
        scenario.inhibitors.define(entry);
    }
}

/// The `effects` list of a custom inhibitor.
fn effects(walker: &mut Walker, name: &str, value: &Spanned<DeValue>) -> Option<Vec<Effect>> {
    let DeValue::Array(items) = value.get_ref() else {
        walker.problem(
            value.span().start,
            format!("`effects` of \"{name}\" must be a list of {{ key, op, by }} tables"),
        );
        return None;
    };
    if items.is_empty() {
        walker.problem(
            value.span().start,
            format!("`effects` of \"{name}\" is empty: an inhibitor needs at least one effect"),
        );
        return None;
    }
    let before = walker.problems.len();
    let mut out: Vec<Effect> = Vec::new();
    for item in items.iter() {
        let DeValue::Table(t) = item.get_ref() else {
            walker.problem(
                item.span().start,
                "each effect must be a table { key, op, by }".into(),
            );
            continue;
        };
        unknown_fields(walker, "an effect", t, &EFFECT_FIELDS);
        let at = item.span().start;
        let key = match t.get("key").map(|v| (v, v.get_ref())) {
            Some((v, DeValue::String(k))) => match Target::from_name(k) {
                Some(target) => Some(target),
                None => {
                    let hint = nearest(k, Target::allowed())
                        .map(|n| format!("did you mean \"{n}\"? "))
                        .unwrap_or_default();
                    walker.problem(
                        v.span().start,
                        format!(
                            "an effect cannot act on \"{k}\": {hint}allowed are the real parameters of MODEL.md section 2 except run.*, population.*, network.* and citizens.concentration, or citizens.excluded_share"
                        ),
                    );
                    None
                }
            },
            Some((v, _)) => {
                walker.problem(v.span().start, "`key` of an effect must be a string".into());
                None
            }
            None => {
                walker.problem(at, "an effect without `key`".into());
                None
            }
        };
        if let Some(target) = key
            && out.iter().any(|e| e.target == target)
        {
            walker.problem(
                at,
                format!(
                    "\"{name}\" has two effects on \"{}\": give one (its strength is set as `effects.{name}.{}`)",
                    target.name(),
                    target.name()
                ),
            );
        }
        let by = match t.get("by") {
            Some(v) => number(walker, "by", Domain::Real, v),
            None => {
                walker.problem(
                    at,
                    "an effect without `by` (its strength at intensity 1)".into(),
                );
                None
            }
        };
        let to = t
            .get("to")
            .map(|v| (v, number(walker, "to", Domain::Real, v)));
        let op = match t.get("op").map(|v| (v, v.get_ref())) {
            Some((_, DeValue::String(o))) if o.as_ref() == "scale" || o.as_ref() == "add" => {
                if let Some((v, _)) = to {
                    walker.problem(
                        v.span().start,
                        format!("`to` does not apply to op \"{o}\" (only to \"toward\")"),
                    );
                }
                Some(if o.as_ref() == "scale" {
                    Op::Scale
                } else {
                    Op::Add
                })
            }
            Some((_, DeValue::String(o))) if o.as_ref() == "toward" => match to {
                Some((_, Some(to))) => Some(Op::Toward(to)),
                Some((_, None)) => None,
                None => {
                    walker.problem(
                        at,
                        "op \"toward\" needs `to`, the value it moves toward".into(),
                    );
                    None
                }
            },
            Some((v, DeValue::String(o))) => {
                let hint = nearest(o, ["scale", "add", "toward"])
                    .map(|n| format!("; did you mean \"{n}\"?"))
                    .unwrap_or_default();
                walker.problem(
                    v.span().start,
                    format!(
                        "unknown op \"{o}\": allowed is \"scale\", \"add\" or \"toward\"{hint}"
                    ),
                );
                None
            }
            Some((v, _)) => {
                walker.problem(v.span().start, "`op` must be a string".into());
                None
            }
            None => {
                walker.problem(
                    at,
                    "an effect without `op` (\"scale\", \"add\" or \"toward\")".into(),
                );
                None
            }
        };
        if let (Some(target), Some(op), Some(by)) = (key, op, by) {
            out.push(Effect { target, op, by });
        }
    }
    (walker.problems.len() == before).then_some(out)
}

/// An `[inhibitors]` entry: `name = x`, or `name = { intensity = x,
/// groups = [...] }` (or `kinds = [...]`). Returns the intensity and targets.
pub(super) fn inhibitor_use(
    walker: &mut Walker,
    name: &str,
    value: &Spanned<DeValue>,
) -> Option<(f64, Vec<String>, Vec<String>)> {
    let what = format!("inhibitors.{name}");
    let DeValue::Table(t) = value.get_ref() else {
        return number(walker, &what, Domain::Unit, value).map(|x| (x, Vec::new(), Vec::new()));
    };
    unknown_fields(
        walker,
        &format!("`{what}`"),
        t,
        &["intensity", "groups", "kinds"],
    );
    let x = match t.get("intensity") {
        Some(v) => number(walker, &format!("{what}.intensity"), Domain::Unit, v),
        None => {
            walker.problem(value.span().start, format!("`{what}` needs `intensity`"));
            None
        }
    };
    let groups = t
        .get("groups")
        .map(|v| names(walker, "groups", v))
        .unwrap_or_default();
    let kinds = t
        .get("kinds")
        .map(|v| names(walker, "kinds", v))
        .unwrap_or_default();
    Some((x?, groups, kinds))
}

/// A list of group or kind names.
pub(super) fn names(walker: &mut Walker, what: &str, value: &Spanned<DeValue>) -> Vec<String> {
    let DeValue::Array(items) = value.get_ref() else {
        walker.problem(
            value.span().start,
            format!("`{what}` must be a list of names, e.g. [\"rural\"]"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(s) => out.push(s.to_string()),
            _ => walker.problem(
                item.span().start,
                format!("`{what}` must be a list of names"),
            ),
        }
    }
    if out.is_empty() {
        walker.problem(
            value.span().start,
            format!("`{what}` is empty: name at least one, or leave it out to act on all"),
        );
    }
    out
}

/// A target list naming a group or kind that does not exist, with a did-you-mean.
pub(super) fn unknown_target(level: &str, name: &str, known: &[&str]) -> Option<String> {
    if known.contains(&name) {
        return None;
    }
    let hint = match nearest(name, known.iter().copied()) {
        Some(n) => format!("did you mean \"{n}\"?"),
        None if known.is_empty() => format!("the scenario has no {level}s of its own"),
        None => format!(
            "the {level}s are {}",
            known
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(format!("unknown {level} \"{name}\"; {hint}"))
}

/// The checks across a whole file's groups, kinds and inhibitors.
pub(super) fn check_across(walker: &mut Walker, scenario: &mut Scenario) {
    let position = |s: &Scenario, key: &str| s.origins.get(key).cloned();
    let report = |walker: &mut Walker, origin: Option<super::Origin>, message: String| {
        let origin = origin.unwrap_or_else(|| super::Origin::whole(walker.source));
        walker.problems.push(super::Problem { origin, message });
    };
    if !scenario.groups.is_empty() {
        let sum: f64 = scenario.groups.iter().map(|g| g.share).sum();
        if sum.is_finite() && (sum - 1.0).abs() > 1e-9 {
            report(
                walker,
                position(scenario, "citizens.groups"),
                format!("the groups' shares sum to {sum}, not 1 (within 1e-9)"),
            );
        }
    }
    if !scenario.kinds.is_empty() {
        let given = scenario.kinds.iter().filter(|q| q.demand.is_some()).count();
        if given != 0 && given != scenario.kinds.len() {
            report(
                walker,
                position(scenario, "agencies.kinds"),
                format!(
                    "`demand` is given for {given} of {} kinds: give it for all kinds or none",
                    scenario.kinds.len()
                ),
            );
        } else if given > 0 {
            let sum: f64 = scenario.kinds.iter().filter_map(|q| q.demand).sum();
            if sum.is_finite() && (sum - 1.0).abs() > 1e-9 {
                report(
                    walker,
                    position(scenario, "agencies.kinds"),
                    format!("the kinds' demands sum to {sum}, not 1 (within 1e-9)"),
                );
            }
        }
        let total: u64 = scenario.kinds.iter().map(|q| u64::from(q.count)).sum();
        if total > u64::from(u32::MAX) {
            report(
                walker,
                position(scenario, "agencies.kinds"),
                format!("the kinds' counts sum to {total}, more agencies than allowed"),
            );
        } else if scenario.origins.contains_key("population.agencies") {
            let m = scenario.params.population.agencies;
            if u64::from(m) != total {
                report(
                    walker,
                    position(scenario, "population.agencies"),
                    format!(
                        "`population.agencies` = {m} contradicts the kinds, whose counts sum to {total}: give the same number, or leave `population.agencies` out"
                    ),
                );
            }
        } else {
            scenario.params.population.agencies = total as u32;
        }
    }
    let group_names: Vec<String> = scenario.groups.iter().map(|g| g.name.clone()).collect();
    let kind_names: Vec<String> = scenario.kinds.iter().map(|q| q.name.clone()).collect();
    let problems = target_problems(scenario, &group_names, &kind_names);
    for (key, message) in problems {
        report(walker, position(scenario, &key), message);
    }
}

/// Targets of inhibitors and interventions that name no group or kind, or
/// that aim at a side the inhibitor or intervention does not act on: (the
/// origin's key, the message).
pub(super) fn target_problems(
    scenario: &Scenario,
    group_names: &[String],
    kind_names: &[String],
) -> Vec<(String, String)> {
    let groups: Vec<&str> = group_names.iter().map(String::as_str).collect();
    let kinds: Vec<&str> = kind_names.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for e in scenario.inhibitors.all() {
        let key = format!("inhibitors.{}", e.name);
        for g in &e.groups {
            out.extend(
                unknown_target("group", g, &groups).map(|m| (key.clone(), format!("`{key}`: {m}"))),
            );
        }
        for q in &e.kinds {
            out.extend(
                unknown_target("kind", q, &kinds).map(|m| (key.clone(), format!("`{key}`: {m}"))),
            );
        }
        let citizens_side = e
            .effects
            .iter()
            .any(|f| f.target.name().starts_with("citizens."));
        let agencies_side = e.effects.iter().any(|f| {
            let n = f.target.name();
            n.starts_with("agencies.") || n.starts_with("governance.")
        });
        if !e.groups.is_empty() && !citizens_side {
            out.push((key.clone(), format!("`{key}` is targeted at groups, but none of its effects acts on a citizens.* key")));
        }
        if !e.kinds.is_empty() && !agencies_side {
            out.push((key.clone(), format!("`{key}` is targeted at kinds, but none of its effects acts on an agencies.* or governance.* key")));
        }
    }
    for (i, iv) in scenario.interventions.iter().enumerate() {
        let key = format!("interventions[{i}].at");
        let what = format!("intervention {} ({})", i + 1, iv.action.kind());
        for g in &iv.groups {
            out.extend(
                unknown_target("group", g, &groups).map(|m| (key.clone(), format!("{what}: {m}"))),
            );
        }
        for q in &iv.kinds {
            out.extend(
                unknown_target("kind", q, &kinds).map(|m| (key.clone(), format!("{what}: {m}"))),
            );
        }
    }
    out
}
