//! Reading a scenario file (MODEL.md section 9) into a [`Scenario`].
//!
//! The TOML text is parsed with spans, then walked key by key against the
//! parameter table, so that every problem is reported with its line and
//! column, the bad value, what is allowed and, for a typo, the nearest valid
//! name. All problems of a file are reported at once.

use super::error::{LineIndex, Origin, Problem, ScenarioError};
use super::{Scenario, check_name, parts};
use crate::model::inhibitor::Inhibitors;
use crate::model::intervention::{Action, Intervention, KINDS, SetKey, Side};
use crate::model::params::{Domain, NetworkKind, ParamKey, ParamValue, SECTIONS, nearest};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Top-level keys other than the parameter sections.
const TOP_LEVEL: [&str; 5] = [
    "name",
    "description",
    "inhibitors",
    "custom_inhibitors",
    "interventions",
];

/// Walks one file, collecting every problem.
pub(super) struct Walker<'t> {
    pub(super) source: &'t str,
    text: &'t str,
    lines: LineIndex<'t>,
    pub(super) problems: Vec<Problem>,
}

impl Walker<'_> {
    pub(super) fn origin(&self, offset: usize) -> Origin {
        Origin::in_lines(self.source, &self.lines, offset)
    }

    /// The text of a value as written in the file.
    pub(super) fn raw(&self, value: &Spanned<DeValue>) -> &str {
        self.text.get(value.span()).unwrap_or("?").trim()
    }

    pub(super) fn problem(&mut self, offset: usize, message: String) {
        let origin = self.origin(offset);
        self.problems.push(Problem { origin, message });
    }
}

/// Parses `text`, the contents of the file `source`, into a scenario named
/// `default_name` unless the file sets `name`. Top-level keys in `other_keys`
/// belong to an enclosing format (a sweep file) and are skipped.
pub(super) fn parse(
    text: &str,
    source: &str,
    default_name: &str,
    other_keys: &[&str],
) -> Result<Scenario, ScenarioError> {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(err) => {
            let offset = err.span().map_or(0, |s| s.start);
            let message = format!("TOML syntax error: {}", err.message().trim_end());
            return Err(ScenarioError::one(
                Origin::in_text(source, text, offset),
                message,
            ));
        }
    };
    let mut walker = Walker {
        source,
        text,
        lines: LineIndex::new(text),
        problems: Vec::new(),
    };
    let mut scenario = Scenario::baseline();
    scenario.name = default_name.to_string();
    scenario.description = String::new();
    scenario.source = source.to_string();

    // inhibitor intensities and interventions name custom inhibitors,
    // groups and kinds: they are read once those are known
    let mut later = Vec::new();
    for (key, value) in root.get_ref() {
        let offset = key.span().start;
        match key.get_ref().as_ref() {
            // the enclosing format's keys (a sweep's own name, for one) are its to check
            other if other_keys.contains(&other) => {}
            "name" => {
                if let Some(name) = string_value(&mut walker, "name", value) {
                    match check_name(&name) {
                        Ok(()) => scenario.name = name,
                        Err(why) => walker.problem(value.span().start, why),
                    }
                }
            }
            "description" => {
                if let Some(text) = string_value(&mut walker, "description", value) {
                    scenario.description = text;
                }
            }
            "inhibitors" | "interventions" => later.push((key.get_ref().as_ref(), value)),
            "custom_inhibitors" => parts::walk_custom_inhibitors(&mut walker, &mut scenario, value),
            section if SECTIONS.contains(&section) => {
                walk_section(&mut walker, &mut scenario, section, value)
            }
            other => {
                let hint = top_level_hint(other, other_keys);
                walker.problem(offset, format!("unknown key `{other}`{hint}"));
            }
        }
    }

    for (key, value) in later {
        if key == "inhibitors" {
            walk_inhibitors(&mut walker, &mut scenario, value);
        } else {
            walk_interventions(&mut walker, &mut scenario, value);
        }
    }
    if walker.problems.is_empty() {
        parts::check_across(&mut walker, &mut scenario);
    }

    if !root.get_ref().contains_key("name")
        && !other_keys.contains(&"name")
        && let Err(why) = check_name(&scenario.name)
    {
        walker.problem(
            0,
            format!("the file's name gives the scenario no usable name ({why}); set `name`"),
        );
    }
    if walker.problems.is_empty() {
        Ok(scenario)
    } else {
        walker.problems.sort_by_key(|p| p.origin.position);
        Err(ScenarioError {
            problems: walker.problems,
        })
    }
}

/// "; did you mean ..." for an unknown top-level key.
fn top_level_hint(key: &str, other_keys: &[&str]) -> String {
    let names = SECTIONS
        .iter()
        .chain(TOP_LEVEL.iter())
        .chain(other_keys.iter())
        .copied();
    if let Some(near) = nearest(key, names) {
        return format!("; did you mean `{near}`?");
    }
    if let Some(param) = ParamKey::all().find(|p| p.field() == key) {
        return format!(
            "; did you mean `{}` (key `{}` in section [{}])?",
            param.name(),
            param.field(),
            param.section()
        );
    }
    format!(
        "; allowed at the top level: {}",
        TOP_LEVEL
            .iter()
            .take(2)
            .chain(SECTIONS.iter())
            .chain(TOP_LEVEL.iter().skip(2))
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn string_value(walker: &mut Walker, key: &str, value: &Spanned<DeValue>) -> Option<String> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        other => {
            walker.problem(
                value.span().start,
                format!("`{key}` must be a string, found {}", other.type_str()),
            );
            None
        }
    }
}

/// The table `value`, or a problem recorded: `what` is a section
/// (`[what]`), or with `entry` one entry of an array of tables
/// (`[[what]]`).
pub(super) fn table<'a, 'i>(
    walker: &mut Walker,
    what: &str,
    entry: bool,
    value: &'a Spanned<DeValue<'i>>,
) -> Option<&'a DeTable<'i>> {
    match value.get_ref() {
        DeValue::Table(t) => Some(t),
        other => {
            let expected = if entry {
                format!("each entry of `{what}` must be a table ([[{what}]])")
            } else {
                format!("`{what}` must be a table ([{what}])")
            };
            walker.problem(
                value.span().start,
                format!("{expected}, found {}", other.type_str()),
            );
            None
        }
    }
}

fn walk_section(
    walker: &mut Walker,
    scenario: &mut Scenario,
    section: &str,
    value: &Spanned<DeValue>,
) {
    let Some(entries) = table(walker, section, false, value) else {
        return;
    };
    for (key, value) in entries {
        let field = key.get_ref().as_ref();
        let dotted = format!("{section}.{field}");
        match dotted.as_str() {
            "citizens.groups" => {
                parts::walk_groups(walker, scenario, value);
                continue;
            }
            "agencies.kinds" => {
                parts::walk_kinds(walker, scenario, value);
                continue;
            }
            _ => {}
        }
        let Some(param) = ParamKey::from_name(&dotted) else {
            let message = unknown_param_message(section, field);
            walker.problem(key.span().start, message);
            continue;
        };
        let origin = walker.origin(value.span().start);
        match param_value(param.domain(), value.get_ref()) {
            Ok(v) => match param.set(&mut scenario.params, v) {
                Ok(()) => {
                    scenario.origins.insert(param.name().to_string(), origin);
                }
                Err(allowed) => {
                    let raw = walker.raw(value).to_string();
                    walker.problem(
                        value.span().start,
                        format!("`{dotted}` = {raw} is out of range: allowed is {allowed}"),
                    )
                }
            },
            Err(message) => walker.problem(value.span().start, format!("`{dotted}` {message}")),
        }
    }
}

/// The message for an unknown key in a parameter section.
pub(super) fn unknown_param_message(section: &str, field: &str) -> String {
    let in_section: Vec<&str> = ParamKey::all()
        .filter(|p| p.section() == section)
        .map(|p| p.field())
        .collect();
    if let Some(near) = nearest(field, in_section.iter().copied()) {
        return format!("unknown key `{field}` in [{section}]; did you mean `{near}`?");
    }
    if let Some(other) = ParamKey::all().find(|p| p.field() == field) {
        return format!(
            "unknown key `{field}` in [{section}]; did you mean `{}` (in [{}])?",
            other.name(),
            other.section()
        );
    }
    format!(
        "unknown key `{field}` in [{section}]; valid keys are {}",
        in_section
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Converts a TOML value to a parameter value of `domain` (range not yet checked).
/// The error completes the sentence "`key` ...".
pub(super) fn param_value(domain: Domain, value: &DeValue) -> Result<ParamValue, String> {
    match (domain, value) {
        (Domain::Network, DeValue::String(s)) => network_kind(s),
        (Domain::Network, other) => Err(format!(
            "must be {}, found {}",
            domain.describe(),
            other.type_str()
        )),
        (d, DeValue::Integer(i)) if !d.is_integer() => i64::from_str_radix(i.as_str(), i.radix())
            .map(|v| ParamValue::Float(v as f64))
            .map_err(|_| format!("= {i} is out of range: allowed is {}", d.describe())),
        (_, DeValue::Integer(i)) => match u64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) => Ok(ParamValue::Int(v)),
            Err(_) => Err(format!(
                "= {i} is out of range: allowed is {}",
                domain.describe()
            )),
        },
        (d, DeValue::Float(x)) if !d.is_integer() => match x.as_str().parse::<f64>() {
            Ok(v) => Ok(ParamValue::Float(v)),
            Err(_) => Err(format!("= {x} is not a number")),
        },
        (d, DeValue::Float(x)) => Err(format!("= {x} must be an integer ({})", d.describe())),
        (d, other) => Err(format!(
            "must be {}, found {}",
            d.describe(),
            other.type_str()
        )),
    }
}

/// Parses a network kind name.
pub(super) fn network_kind(name: &str) -> Result<ParamValue, String> {
    match name {
        "watts-strogatz" => Ok(ParamValue::Network(NetworkKind::WattsStrogatz)),
        "none" => Ok(ParamValue::Network(NetworkKind::None)),
        other => {
            let hint = nearest(other, ["watts-strogatz", "none"])
                .map(|n| format!("; did you mean \"{n}\"?"))
                .unwrap_or_default();
            Err(format!(
                "= \"{other}\" is not a network kind: allowed is {}{hint}",
                Domain::Network.describe()
            ))
        }
    }
}

/// The message for an unknown inhibitor name.
pub(super) fn unknown_inhibitor_message(name: &str, inhibitors: &Inhibitors) -> String {
    let names: Vec<&str> = inhibitors.all().iter().map(|e| e.name.as_str()).collect();
    match nearest(name, names.iter().copied()) {
        Some(near) => format!("unknown inhibitor `{name}`; did you mean `{near}`?"),
        None => format!(
            "unknown inhibitor `{name}`; the inhibitors are {} (see `cocreate inhibitors`; define your own in [[custom_inhibitors]])",
            names
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn walk_inhibitors(walker: &mut Walker, scenario: &mut Scenario, value: &Spanned<DeValue>) {
    let Some(entries) = table(walker, "inhibitors", false, value) else {
        return;
    };
    for (key, value) in entries {
        let name = key.get_ref().as_ref();
        if scenario.inhibitors.named(name).is_none() {
            let message = unknown_inhibitor_message(name, &scenario.inhibitors);
            walker.problem(key.span().start, message);
            continue;
        }
        let origin = walker.origin(value.span().start);
        if let Some((x, groups, kinds)) = parts::inhibitor_use(walker, name, value)
            && let Some(entry) = scenario.inhibitors.named_mut(name)
        {
            entry.intensity = x;
            entry.groups = groups;
            entry.kinds = kinds;
            scenario
                .origins
                .insert(format!("inhibitors.{name}"), origin);
        }
    }
}

/// A number in [0, 1], or a problem recorded.
fn unit_number(walker: &mut Walker, what: &str, value: &Spanned<DeValue>) -> Option<f64> {
    match param_value(Domain::Unit, value.get_ref()) {
        Ok(v) => {
            let x = v.as_f64().unwrap_or(f64::NAN);
            if Domain::Unit.check(&ParamValue::Float(x)) {
                Some(x)
            } else {
                let raw = walker.raw(value).to_string();
                walker.problem(
                    value.span().start,
                    format!("`{what}` = {raw} is out of range: allowed is a number in [0, 1]"),
                );
                None
            }
        }
        Err(message) => {
            walker.problem(value.span().start, format!("`{what}` {message}"));
            None
        }
    }
}

/// The fields an `[[interventions]]` entry may have.
const INTERVENTION_FIELDS: [&str; 7] = ["at", "kind", "key", "value", "delta", "groups", "kinds"];

/// The kinds of intervention, for messages.
const KINDS_ALLOWED: &str = "\"set\", \"trust_campaign\", \"openness_program\", \"capability_program\", \"inclusion_program\" or \"motivation_campaign\"";

fn walk_interventions(walker: &mut Walker, scenario: &mut Scenario, value: &Spanned<DeValue>) {
    let DeValue::Array(items) = value.get_ref() else {
        walker.problem(
            value.span().start,
            format!(
                "`interventions` must be an array of tables ([[interventions]]), found {}",
                value.get_ref().type_str()
            ),
        );
        return;
    };
    for item in items.iter() {
        let index = scenario.interventions.len();
        let Some(entries) = table(walker, "interventions", true, item) else {
            continue;
        };
        if let Some(intervention) = intervention(walker, item.span().start, entries) {
            let origin = walker.origin(
                entries
                    .get("at")
                    .map_or(item.span().start, |v| v.span().start),
            );
            scenario
                .origins
                .insert(format!("interventions[{index}].at"), origin);
            scenario.interventions.push(intervention);
        }
    }
}

fn intervention(walker: &mut Walker, start: usize, entries: &DeTable) -> Option<Intervention> {
    let before = walker.problems.len();
    for (key, _) in entries {
        let field = key.get_ref().as_ref();
        if !INTERVENTION_FIELDS.contains(&field) {
            let hint = nearest(field, INTERVENTION_FIELDS)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_else(|| {
                    "; allowed: `at`, `kind`, `key` and `value` (set) or `delta`, and `groups` or `kinds`".into()
                });
            walker.problem(
                key.span().start,
                format!("unknown intervention field `{field}`{hint}"),
            );
        }
    }
    let at = match entries.get("at") {
        None => {
            walker.problem(
                start,
                "intervention without `at` (the step at whose end it acts)".into(),
            );
            None
        }
        Some(v) => match param_value(Domain::Seed, v.get_ref()) {
            Ok(ParamValue::Int(at)) if at <= u64::from(u32::MAX) => Some(at as u32),
            _ => {
                walker.problem(
                    v.span().start,
                    "`at` must be an integer from 0 to steps - 1 (a 0-based step)".into(),
                );
                None
            }
        },
    };
    let kind = match entries.get("kind") {
        None => {
            walker.problem(
                start,
                format!("intervention without `kind`: allowed is {KINDS_ALLOWED}"),
            );
            None
        }
        Some(v) => match v.get_ref() {
            DeValue::String(s) if KINDS.contains(&s.as_ref()) => Some(s.to_string()),
            DeValue::String(s) => {
                let hint = nearest(s, KINDS)
                    .map(|n| format!("; did you mean \"{n}\"?"))
                    .unwrap_or_else(|| format!("; allowed is {KINDS_ALLOWED}"));
                walker.problem(
                    v.span().start,
                    format!("unknown intervention kind \"{s}\"{hint}"),
                );
                None
            }
            other => {
                walker.problem(
                    v.span().start,
                    format!("`kind` must be a string, found {}", other.type_str()),
                );
                None
            }
        },
    };
    let action = kind.and_then(|kind| action(walker, start, &kind, entries));
    let groups = entries
        .get("groups")
        .map(|v| (v, parts::names(walker, "groups", v)));
    let kinds = entries
        .get("kinds")
        .map(|v| (v, parts::names(walker, "kinds", v)));
    if let Some(action) = &action {
        let side = action.side();
        for (list, field, wanted) in [
            (&groups, "groups", Side::Citizens),
            (&kinds, "kinds", Side::Agencies),
        ] {
            if let Some((v, _)) = list
                && side != wanted
            {
                let other = if field == "groups" { "kinds" } else { "groups" };
                walker.problem(
                    v.span().start,
                    format!(
                        "intervention kind \"{}\" acts on {}, so it may be targeted at `{other}`, not `{field}`",
                        action.kind(),
                        if side == Side::Citizens { "citizens" } else { "agencies" }
                    ),
                );
            }
        }
    }
    match (at, action) {
        (Some(at), Some(action)) if walker.problems.len() == before => Some(Intervention {
            at,
            action,
            groups: groups.map(|(_, g)| g).unwrap_or_default(),
            kinds: kinds.map(|(_, k)| k).unwrap_or_default(),
        }),
        _ => None,
    }
}

fn action(walker: &mut Walker, start: usize, kind: &str, entries: &DeTable) -> Option<Action> {
    let (needs, forbids): (&[&str], &[&str]) = if kind == "set" {
        (&["key", "value"], &["delta"])
    } else {
        (&["delta"], &["key", "value"])
    };
    for field in forbids {
        if let Some(v) = entries.get(*field) {
            walker.problem(
                v.span().start,
                format!(
                    "`{field}` does not apply to kind \"{kind}\" (it takes {})",
                    needs.join(" and ")
                ),
            );
        }
    }
    for field in needs {
        if entries.get(*field).is_none() {
            walker.problem(
                start,
                format!("intervention of kind \"{kind}\" needs `{field}`"),
            );
        }
    }
    if kind == "set" {
        let key = entries.get("key").and_then(|v| match v.get_ref() {
            DeValue::String(s) => match SetKey::from_name(s) {
                Some(k) => Some(k),
                None => {
                    let names = SetKey::ALL.iter().map(|k| k.name());
                    let hint = nearest(s, names)
                        .map(|n| format!("; did you mean \"{n}\"?"))
                        .unwrap_or_default();
                    walker.problem(
                        v.span().start,
                        format!(
                            "\"{s}\" cannot be set by an intervention: allowed is \"legal_level\", \"feedback\", \"codestruction\" or \"capacity_share\"{hint}"
                        ),
                    );
                    None
                }
            },
            other => {
                walker.problem(v.span().start, format!("`key` must be a string, found {}", other.type_str()));
                None
            }
        });
        let value = entries
            .get("value")
            .and_then(|v| unit_number(walker, "value", v));
        Some(Action::Set {
            key: key?,
            value: value?,
        })
    } else {
        let delta = entries
            .get("delta")
            .and_then(|v| unit_number(walker, "delta", v))?;
        Action::with_delta(kind, delta)
    }
}
