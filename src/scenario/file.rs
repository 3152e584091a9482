//! What sweep and calibration files share: their top-level keys (strings,
//! bounded integers, the name) and their base scenario, a file or sections
//! inline. Every problem is reported with its position.

use super::error::{Origin, Problem, ScenarioError};
use super::{Scenario, check_name, parse};
use toml::de::{DeTable, DeValue};

/// Reports a problem at a byte offset of the file.
pub(super) type Report<'a> = &'a mut dyn FnMut(usize, String);

/// Parses the file's TOML, a syntax error reported with its position.
pub(super) fn parse_root<'i>(
    text: &'i str,
    source: &str,
) -> Result<toml::Spanned<DeTable<'i>>, ScenarioError> {
    DeTable::parse(text).map_err(|err| {
        let offset = err.span().map_or(0, |s| s.start);
        ScenarioError::one(
            Origin::in_text(source, text, offset),
            format!("TOML syntax error: {}", err.message().trim_end()),
        )
    })
}

/// A top-level string and where it is.
pub(super) fn string(root: &DeTable, key: &str, problem: Report) -> Option<(String, usize)> {
    let v = root.get(key)?;
    match v.get_ref() {
        DeValue::String(s) => Some((s.to_string(), v.span().start)),
        other => {
            problem(
                v.span().start,
                format!("`{key}` must be a string, found {}", other.type_str()),
            );
            None
        }
    }
}

/// A top-level integer from `min` to `max`.
pub(super) fn integer(
    root: &DeTable,
    key: &str,
    min: u64,
    max: u64,
    problem: Report,
) -> Option<u64> {
    let v = root.get(key)?;
    match v.get_ref() {
        DeValue::Integer(i) => match u64::from_str_radix(i.as_str(), i.radix()) {
            Ok(x) if (min..=max).contains(&x) => Some(x),
            _ => {
                problem(
                    v.span().start,
                    format!(
                        "`{key}` = {i} is out of range: allowed is an integer from {min} to {max}"
                    ),
                );
                None
            }
        },
        other => {
            problem(
                v.span().start,
                format!(
                    "`{key}` must be an integer from {min} to {max}, found {}",
                    other.type_str()
                ),
            );
            None
        }
    }
}

/// `name`, checked, or `default`.
pub(super) fn name(root: &DeTable, default: &str, problem: Report) -> String {
    match string(root, "name", problem) {
        Some((n, offset)) => match check_name(&n) {
            Ok(()) => n,
            Err(why) => {
                problem(offset, why);
                default.to_string()
            }
        },
        None => default.to_string(),
    }
}

/// The base scenario: the file `scenario = "..."` names (read by
/// `load_base`), or the scenario sections written inline among the file's
/// own `keys`. Its problems are added to `problems`.
#[allow(clippy::too_many_arguments)]
pub(super) fn base(
    root: &DeTable,
    text: &str,
    source: &str,
    name: &str,
    keys: &[&str],
    load_base: impl FnOnce(&str) -> Result<Scenario, ScenarioError>,
    at: &dyn Fn(usize) -> Origin,
    problems: &mut Vec<Problem>,
) -> Option<Scenario> {
    let inline = root.keys().any(|k| !keys.contains(&k.get_ref().as_ref()));
    let mut report = |offset: usize, message: String| {
        problems.push(Problem {
            origin: at(offset),
            message,
        })
    };
    let found = match string(root, "scenario", &mut report) {
        Some((path, offset)) => {
            if inline {
                report(offset, "give the base scenario either as `scenario = \"file\"` or as sections in this file, not both".into());
            }
            load_base(&path)
        }
        None => parse::parse(text, source, name, keys),
    };
    found.map_err(|e| problems.extend(e.problems)).ok()
}
