//! Readable names for what the result files name in snake_case: figures
//! ("Realized value", not `total_value_realized`), parameters and sweep
//! factors ("Legal level", not `governance.legal_level`), and inhibitors
//! ("Missing legal framework"). The report shows these in its plots and
//! tables, with the file's name beside them in tables (and as a tooltip),
//! since that is what users look columns up by.

use crate::scenario::Inhibitor;

/// A figure of `summary.csv`, `comparison.csv`, `attribution.csv` or
/// `sensitivity.csv` (the per-replication figures of MODEL.md section 4).
pub fn figure(name: &str) -> String {
    let known = match name {
        "total_value_realized" => "Realized value",
        "total_value_potential" => "Value potential",
        "realization_ratio" => "Realization ratio",
        "public_value" => "Public value",
        "participation_rate" => "Participation rate",
        "service_rate" => "Service rate",
        "final_mean_trust" => "Final mean trust",
        "trust_change" => "Change in trust",
        "gini" => "Gini coefficient of private value",
        "value_per_capita_included" => "Private value per included citizen",
        "value_per_capita_excluded" => "Private value per excluded citizen",
        "participants" => "Participations",
        "served" => "Served interactions",
        "unserved" => "Unserved participations",
        "realized" => "Realized outcomes",
        "blocked_legal" => "Legally blocked outcomes",
        "not_implemented" => "Outcomes not implemented",
        "co_destroyed" => "Co-destroyed outcomes",
        _ => return words(name),
    };
    known.to_string()
}

/// A calibration target: a figure of `runs.csv`, `NAME@STEP` (a step
/// figure at a step), `groups.NAME.FIGURE` or `kinds.NAME.FIGURE`.
pub fn target(name: &str) -> String {
    if let Some((figure, step)) = name.split_once('@') {
        return format!("{} at step {step}", words(figure));
    }
    for (prefix, what) in [("groups.", "group"), ("kinds.", "kind")] {
        if let Some((part, figure)) = name.strip_prefix(prefix).and_then(|r| r.rsplit_once('.')) {
            return format!("{} of {what} {part}", words(figure));
        }
    }
    figure(name)
}

/// An inhibitor, by its name in scenario files.
pub fn inhibitor(name: &str) -> String {
    let known = match Inhibitor::from_name(name) {
        Some(Inhibitor::LowTrust) => "Low trust",
        Some(Inhibitor::LowMotivation) => "Low motivation",
        Some(Inhibitor::DigitalDivide) => "Digital divide",
        Some(Inhibitor::RiskAverseCulture) => "Risk-averse culture",
        Some(Inhibitor::LimitedCapacity) => "Limited capacity",
        Some(Inhibitor::MissingLegalFramework) => "Missing legal framework",
        Some(Inhibitor::NoFeedback) => "No feedback",
        Some(Inhibitor::MisalignedGoals) => "Misaligned goals",
        None => return words(name),
    };
    known.to_string()
}

/// `text` with its first letter in lower case, unless the word is an
/// abbreviation.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => a
            .to_lowercase()
            .chain(text[a.len_utf8()..].chars())
            .collect(),
        _ => text.to_string(),
    }
}

/// A kind of intervention, as written in scenario files.
pub fn intervention(kind: &str) -> String {
    match kind {
        "set" => "Set a parameter".to_string(),
        "trust_campaign" => "Trust campaign".to_string(),
        "openness_program" => "Openness programme".to_string(),
        "capability_program" => "Capability programme".to_string(),
        "inclusion_program" => "Digital-inclusion programme".to_string(),
        "motivation_campaign" => "Motivation campaign".to_string(),
        _ => words(kind),
    }
}

/// A parameter or sweep factor by its dotted key (MODEL.md section 2), or
/// `inhibitors.NAME`.
pub fn parameter(key: &str) -> String {
    use crate::model::structure::{GroupKey, KindKey};
    if let Some(name) = key.strip_prefix("inhibitors.") {
        return inhibitor(name);
    }
    // PVC-2's keys (MODEL.md 11): an effect's strength, a group's or a kind's value
    if let Some((name, target)) = key.strip_prefix("effects.").and_then(|r| r.split_once('.')) {
        return format!(
            "Strength of {} on {}",
            inhibitor(name),
            lowercase_first(&parameter(target))
        );
    }
    if let Some((name, field)) = key
        .strip_prefix("citizens.groups.")
        .and_then(|r| r.split_once('.'))
    {
        let of = GroupKey::from_name(field).map_or_else(|| words(field), |k| parameter(k.dotted()));
        return format!("{of} (group {name})");
    }
    if let Some((name, field)) = key
        .strip_prefix("agencies.kinds.")
        .and_then(|r| r.split_once('.'))
    {
        let of = KindKey::from_name(field).map_or_else(|| words(field), |k| parameter(k.dotted()));
        return format!("{of} (kind {name})");
    }
    match known_parameter(key) {
        Some(known) => known.to_string(),
        None => words(key.rsplit('.').next().unwrap_or(key)),
    }
}

/// The name of a parameter of MODEL.md section 2.
fn known_parameter(key: &str) -> Option<&'static str> {
    let known = match key {
        "population.citizens" => "Citizens",
        "population.agencies" => "Agencies",
        "run.steps" => "Steps (months)",
        "run.replications" => "Replications",
        "run.seed" => "Master seed",
        "citizens.trust_mean" => "Citizens' mean trust",
        "citizens.motivation_mean" => "Citizens' mean motivation",
        "citizens.capability_mean" => "Citizens' mean capability",
        "citizens.concentration" => "Concentration of citizens' and agencies' traits",
        "agencies.openness_mean" => "Agencies' mean openness",
        "agencies.responsiveness_mean" => "Agencies' mean responsiveness",
        "agencies.capacity_share" => "Agencies' capacity (share of citizens per step)",
        "governance.legal_level" => "Legal level",
        "governance.feedback" => "Feedback",
        "governance.codestruction" => "Co-destruction probability",
        "participation.intercept" => "Participation intercept",
        "participation.trust" => "Participation weight of trust",
        "participation.motivation" => "Participation weight of motivation",
        "participation.capability" => "Participation weight of capability",
        "participation.social" => "Participation weight of neighbours",
        "participation.exclusion_penalty" => "Penalty for digital exclusion",
        "value.productivity" => "Productivity",
        "value.alpha" => "Citizens' share of resource integration",
        "value.noise" => "Value noise",
        "value.destruction_loss" => "Share of value lost to co-destruction",
        "value.spillover" => "Public spillover of realized value",
        "trust.gain" => "Trust gain",
        "trust.loss" => "Trust loss",
        "trust.feedback_softening" => "Loss of trust softened by feedback",
        "trust.social_weight" => "Social weight of trust",
        "learning.gain" => "Agencies' learning gain",
        "learning.loss" => "Agencies' learning loss",
        "network.kind" => "Network",
        "citizens.excluded_share" => "Share of citizens digitally excluded",
        "network.k" => "Network neighbours",
        "network.rewire" => "Network rewiring probability",
        _ => return None,
    };
    Some(known)
}

/// `snake_case` as words with a capital: "Value per capita included".
fn words(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunRecord;

    #[test]
    fn names_read_as_words() {
        assert_eq!(figure("total_value_realized"), "Realized value");
        assert_eq!(
            inhibitor("missing_legal_framework"),
            "Missing legal framework"
        );
        assert_eq!(
            parameter("inhibitors.risk_averse_culture"),
            "Risk-averse culture"
        );
        assert_eq!(parameter("governance.legal_level"), "Legal level");
        assert_eq!(parameter("trust.gain"), "Trust gain");
        // names not known read as words too
        assert_eq!(figure("new_figure"), "New figure");
        assert_eq!(parameter("new.some_key"), "Some key");
    }

    #[test]
    fn every_figure_inhibitor_and_parameter_has_a_name() {
        for f in RunRecord::FIGURES {
            assert!(!figure(f).contains('_'), "{f}");
        }
        for i in Inhibitor::ALL {
            assert!(!inhibitor(i.name()).contains('_'), "{i}");
        }
        // every key of MODEL.md section 2, as the resolved scenario lists them
        let scenario = crate::scenario::Scenario::baseline();
        let json = serde_json::to_value(&scenario).expect("a scenario serializes");
        let mut keys = 0;
        for (section, values) in json.as_object().into_iter().flatten() {
            for key in values.as_object().into_iter().flatten().map(|(k, _)| k) {
                let dotted = format!("{section}.{key}");
                if section != "inhibitors" {
                    assert!(known_parameter(&dotted).is_some(), "{dotted} has no name");
                }
                keys += 1;
            }
        }
        assert!(keys > 30, "{keys} keys");
    }
}
