//! Scenario files: the TOML format of MODEL.md section 9, its defaults,
//! validation, inhibitors and interventions.
//!
//! A [`Scenario`] is what a file says, every default filled in. It is
//! checked once: per key while the file is read ([`Scenario::from_toml`],
//! [`Scenario::load`]) and per override ([`Scenario::set`]), and across keys
//! when it becomes a runnable [`Model`] ([`Scenario::model`]).

mod calibration;
mod error;
mod file;
mod parse;
mod parts;
mod sweep;
mod template;

pub use crate::model::params::{
    AgencyParams, CitizenParams, Domain, GovernanceParams, LearningParams, NetworkKind,
    NetworkParams, ParamKey, ParamValue, Params, ParticipationParams, PopulationParams, RunParams,
    TrustParams, ValueParams, nearest,
};
pub use crate::model::{Action, Inhibitor, Inhibitors, Intervention, SetKey};
pub use calibration::{Calibration, Parameter, Target, TargetFigure, calibratable};
pub use error::{LineIndex, Origin, Problem, ScenarioError};
pub use sweep::{Factor, FactorKey, FactorRange, Sweep};
pub use template::{TEMPLATES, template};

use crate::model::structure::{GroupKey, GroupSpec, KindKey, KindSpec};
use crate::model::{BuildProblem, Model};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// A scenario: a name, a description, the parameters, the inhibitors and the
/// interventions, every default filled in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Its name; names the output folder. Defaults to the file's stem.
    pub name: String,
    /// What it represents.
    pub description: String,
    /// The parameters as written (before inhibitors act).
    #[serde(flatten)]
    pub params: Params,
    /// The citizen groups as the file gives them (MODEL.md 11.1); empty:
    /// the one group `all`.
    #[serde(skip)]
    pub groups: Vec<GroupSpec>,
    /// The agency kinds as the file gives them (MODEL.md 11.2); empty: the
    /// one kind `all`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<KindSpec>,
    /// The inhibitors: definitions, intensities and targets.
    pub inhibitors: Inhibitors,
    /// The interventions, in file order.
    pub interventions: Vec<Intervention>,
    /// Where it was read from (a path, or `built-in`).
    #[serde(skip)]
    pub source: String,
    /// Where each key that was set came from, for cross-key messages.
    #[serde(skip)]
    origins: BTreeMap<String, Origin>,
}

/// A scenario file that could not be read or is invalid.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid scenario.
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
}

impl Scenario {
    /// The built-in baseline: every parameter at its MODEL.md default, no
    /// inhibitor, no intervention.
    pub fn baseline() -> Scenario {
        Scenario {
            name: "baseline".into(),
            description: "All parameters at their PVC-1 defaults; no inhibitor, no intervention."
                .into(),
            params: Params::default(),
            groups: Vec::new(),
            kinds: Vec::new(),
            inhibitors: Inhibitors::default(),
            interventions: Vec::new(),
            source: "built-in".into(),
            origins: BTreeMap::new(),
        }
    }

    /// Reads a scenario from TOML text. `source` names the text in messages
    /// (usually the file path); `default_name` is used when the text sets no `name`.
    ///
    /// ```
    /// let s = cocreate::Scenario::from_toml("[inhibitors]\nlow_trust = 0.5\n", "x.toml", "x").unwrap();
    /// assert_eq!(s.name, "x");
    /// assert_eq!(s.inhibitors.get(cocreate::Inhibitor::LowTrust), 0.5);
    ///
    /// let err = cocreate::Scenario::from_toml("[inhibitors]\nlow_turst = 0.5\n", "x.toml", "x").unwrap_err();
    /// assert_eq!(err.to_string(), "x.toml:2:1: unknown inhibitor `low_turst`; did you mean `low_trust`?");
    /// ```
    pub fn from_toml(
        text: &str,
        source: &str,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        parse::parse(text, source, default_name, &[])
    }

    /// Reads a scenario file; its name defaults to the file's stem.
    pub fn load(path: &Path) -> Result<Scenario, LoadError> {
        let shown = path.display().to_string();
        let text = read_input(path)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        Ok(Scenario::from_toml(&text, &shown, &stem)?)
    }

    /// Applies one `KEY=VALUE` override, where KEY is a dotted key of MODEL.md
    /// section 2 (`governance.legal_level`) or `inhibitors.NAME`, checked like
    /// the same key in a file.
    pub fn set(&mut self, assignment: &str) -> Result<(), ScenarioError> {
        let origin = Origin::whole(&format!("--set {assignment}"));
        let fail = |message: String| ScenarioError::one(origin.clone(), message);
        let Some((key, raw)) = assignment.split_once('=') else {
            return Err(fail(
                "expected KEY=VALUE, e.g. `governance.legal_level=0.5`".into(),
            ));
        };
        let (key, raw) = (key.trim(), raw.trim());
        if let Some(name) = key.strip_prefix("inhibitors.") {
            if self.inhibitors.named(name).is_none() {
                return Err(fail(parse::unknown_inhibitor_message(
                    name,
                    &self.inhibitors,
                )));
            }
            let x = raw.parse::<f64>().ok().filter(|x| (0.0..=1.0).contains(x));
            let x = x.ok_or_else(|| {
                fail(format!(
                    "`{key}` = {raw} is out of range: allowed is a number in [0, 1]"
                ))
            })?;
            if let Some(entry) = self.inhibitors.named_mut(name) {
                entry.intensity = x;
            }
            return Ok(());
        }
        if key.starts_with("effects.")
            || key.starts_with("citizens.groups.")
            || key.starts_with("agencies.kinds.")
        {
            let value = raw
                .parse::<f64>()
                .map_err(|_| fail(format!("`{key}` = {raw} is not a number")))?;
            self.set_part(key, value).map_err(fail)?;
            self.origins.insert(key.to_string(), origin);
            return Ok(());
        }
        let param = ParamKey::from_name(key).ok_or_else(|| fail(unknown_key_message(key)))?;
        let value = parse_value(param.domain(), raw).map_err(|m| fail(format!("`{key}` {m}")))?;
        param.set(&mut self.params, value).map_err(|allowed| {
            fail(format!(
                "`{key}` = {raw} is out of range: allowed is {allowed}"
            ))
        })?;
        self.origins.insert(param.name().to_string(), origin);
        Ok(())
    }

    /// Renames the scenario after the `--set` overrides applied to it, so
    /// that a modified scenario never passes for the original: `baseline`
    /// with `--set inhibitors.low_trust=0.8` becomes
    /// `baseline+low_trust=0.8` (each key by its last part where that is
    /// unambiguous, characters other than letters, digits and `._-=+`
    /// replaced by `_`, shortened with a checksum beyond
    /// [`MAX_NAME_BYTES`]), and its description says what was overridden.
    ///
    /// ```
    /// let mut s = cocreate::Scenario::baseline();
    /// s.set("inhibitors.low_trust=0.8")?;
    /// s.set("governance.legal_level = 0.5")?;
    /// s.name_overrides(&["inhibitors.low_trust=0.8", "governance.legal_level = 0.5"]);
    /// assert_eq!(s.name, "baseline+low_trust=0.8+legal_level=0.5");
    /// assert!(s.description.ends_with("Overridden on the command line: inhibitors.low_trust=0.8, governance.legal_level=0.5."));
    /// # Ok::<(), cocreate::ScenarioError>(())
    /// ```
    pub fn name_overrides<S: AsRef<str>>(&mut self, assignments: &[S]) {
        if assignments.is_empty() {
            return;
        }
        let written: Vec<(String, String)> = assignments
            .iter()
            .filter_map(|a| a.as_ref().split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut name = self.name.clone();
        for (key, value) in &written {
            let short = short_key(key);
            name.push('+');
            name.extend(format!("{short}={value}").chars().map(|c| {
                if c.is_ascii_alphanumeric() || "._-=+".contains(c) {
                    c
                } else {
                    '_'
                }
            }));
        }
        if name.len() > MAX_NAME_BYTES {
            let all: String = assignments
                .iter()
                .map(|a| a.as_ref())
                .collect::<Vec<_>>()
                .join("\n");
            let tag = crate::output::parts::checksum(all.as_bytes());
            let mut cut = MAX_NAME_BYTES - 10;
            while !name.is_char_boundary(cut) {
                cut -= 1;
            }
            name = format!("{}+{}", &name[..cut], &tag[..8]);
        }
        self.name = name;
        let list = written
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sep = if self.description.is_empty() { "" } else { " " };
        self.description = format!(
            "{}{sep}Overridden on the command line: {list}.",
            self.description
        );
    }

    /// Whether the scenario uses anything of MODEL.md section 11 (PVC-2).
    pub fn uses_pvc2(&self) -> bool {
        let pvc1_action = |a: &Action| {
            matches!(
                a,
                Action::Set { .. } | Action::TrustCampaign { .. } | Action::OpennessProgram { .. }
            )
        };
        !self.groups.is_empty()
            || !self.kinds.is_empty()
            || self
                .inhibitors
                .all()
                .iter()
                .any(|e| e.builtin.is_none() || e.redefined || e.is_targeted())
            || self
                .interventions
                .iter()
                .any(|i| !i.groups.is_empty() || !i.kinds.is_empty() || !pvc1_action(&i.action))
    }

    /// The inhibitor-free twin: the same scenario (parameters, interventions,
    /// seed) with every inhibitor at intensity 0.
    pub fn twin(&self) -> Scenario {
        let mut twin = self.clone();
        twin.inhibitors = self.inhibitors.cleared();
        twin
    }

    /// Checks the constraints that involve several keys (`network.k` below
    /// the number of citizens, interventions before the last step), applies
    /// the inhibitors, and returns the runnable model.
    pub fn model(&self) -> Result<Model, ScenarioError> {
        let mut problems = Vec::new();
        let p = &self.params;
        if p.network.k >= p.population.citizens {
            problems.push(Problem {
                origin: self.origin_of("network.k"),
                message: format!(
                    "`network.k` = {} must be below `population.citizens` = {} (each citizen links to k others; with `network.kind = \"none\"` set k = 0)",
                    p.network.k, p.population.citizens
                ),
            });
        }
        for (i, intervention) in self.interventions.iter().enumerate() {
            if intervention.at >= p.run.steps {
                problems.push(Problem {
                    origin: self.origin_of(&format!("interventions[{i}].at")),
                    message: format!(
                        "intervention at step {} never happens: `at` must be below `run.steps` = {} (steps are 0-based)",
                        intervention.at, p.run.steps
                    ),
                });
            }
        }
        if !self.kinds.is_empty() {
            let total: u64 = self.kinds.iter().map(|q| u64::from(q.count)).sum();
            if total != u64::from(p.population.agencies) {
                problems.push(Problem {
                    origin: self.origin_of("population.agencies"),
                    message: format!(
                        "`population.agencies` = {} contradicts the kinds, whose counts sum to {total}: give the same number, or leave `population.agencies` out",
                        p.population.agencies
                    ),
                });
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError { problems });
        }
        Model::build(
            &self.params,
            &self.groups,
            &self.kinds,
            &self.inhibitors,
            &self.interventions,
        )
        .map_err(|found| ScenarioError {
            problems: found.into_iter().map(|b| self.problem(b)).collect(),
        })
    }

    /// A problem of [`Model::build`], placed where the file or an override
    /// gave the value.
    fn problem(&self, found: BuildProblem) -> Problem {
        match found {
            BuildProblem::OutOfRange {
                key,
                part,
                before,
                after,
                allowed,
                acted,
            } => {
                let (own, of) = match &part {
                    Some(name) => {
                        let level = if GroupKey::from_dotted(&key).is_some() {
                            ("citizens.groups", "group")
                        } else {
                            ("agencies.kinds", "kind")
                        };
                        let field = key.split_once('.').map_or("", |(_, f)| f);
                        (
                            format!("{}.{name}.{field}", level.0),
                            format!(" of {} \"{name}\"", level.1),
                        )
                    }
                    None => (key.clone(), String::new()),
                };
                // where the file gave the value, else where it gave the
                // last inhibitor that acted on it
                let origin = [own.clone(), key.clone()]
                    .into_iter()
                    .chain(acted.iter().rev().map(|(n, _)| format!("inhibitors.{n}")))
                    .find_map(|k| self.origins.get(&k).cloned())
                    .unwrap_or_else(|| Origin::whole(&self.source));
                let list: Vec<String> =
                    acted.iter().map(|(n, x)| format!("`{n}` at {x}")).collect();
                let message = if list.is_empty() {
                    format!("`{key}`{of} = {after} is outside what is allowed ({allowed})")
                } else {
                    format!(
                        "`{key}`{of} = {before} becomes {after} after the inhibitor{} {} acted, outside what is allowed ({allowed}): lower the intensity or `{own}`",
                        if list.len() == 1 { "" } else { "s" },
                        list.join(" and "),
                    )
                };
                Problem { origin, message }
            }
            BuildProblem::EmptyGroup { group, share } => Problem {
                origin: self.origin_of(&format!("citizens.groups.{group}.share")),
                message: format!(
                    "group \"{group}\" gets no citizen: its share {share} of {} citizens rounds to 0; raise its share or `population.citizens`",
                    self.params.population.citizens
                ),
            },
            BuildProblem::UnknownTarget { by, level, name } => Problem {
                origin: Origin::whole(&self.source),
                message: format!(
                    "{by} names the {level} \"{name}\", which the scenario does not have"
                ),
            },
        }
    }

    /// Sets `effects.NAME.KEY` (an effect's strength), or one group's or
    /// kind's own value (`citizens.groups.NAME.KEY`, `agencies.kinds.NAME.KEY`).
    pub(crate) fn set_part(&mut self, key: &str, value: f64) -> Result<(), String> {
        if let Some(rest) = key.strip_prefix("effects.") {
            let Some((name, target)) = rest.split_once('.') else {
                return Err(format!(
                    "`{key}`: expected `effects.INHIBITOR.KEY`, e.g. `effects.low_trust.citizens.trust_mean`"
                ));
            };
            let Some(entry) = self.inhibitors.named_mut(name) else {
                return Err(format!(
                    "`{key}`: {}",
                    parse::unknown_inhibitor_message(name, &self.inhibitors)
                ));
            };
            let Some(effect) = entry.effects.iter_mut().find(|e| e.target.name() == target) else {
                let keys: Vec<String> = entry
                    .effects
                    .iter()
                    .map(|e| format!("`effects.{name}.{}`", e.target.name()))
                    .collect();
                return Err(format!(
                    "`{key}`: inhibitor `{name}` has no effect on `{target}`; its effects are {}",
                    keys.join(", ")
                ));
            };
            if !value.is_finite() {
                return Err(format!(
                    "`{key}` = {value} is out of range: allowed is a finite number"
                ));
            }
            effect.by = value;
            entry.redefined = entry.builtin.is_some();
            return Ok(());
        }
        let (level, rest) = if let Some(rest) = key.strip_prefix("citizens.groups.") {
            ("group", rest)
        } else if let Some(rest) = key.strip_prefix("agencies.kinds.") {
            ("kind", rest)
        } else {
            return Err(unknown_key_message(key));
        };
        let Some((name, field)) = rest.split_once('.') else {
            return Err(format!(
                "`{key}`: expected `{}.NAME.KEY`",
                key.trim_end_matches(rest).trim_end_matches('.')
            ));
        };
        let names: Vec<&str> = if level == "group" {
            self.groups.iter().map(|g| g.name.as_str()).collect()
        } else {
            self.kinds.iter().map(|q| q.name.as_str()).collect()
        };
        if let Some(m) = parts::unknown_target(level, name, &names) {
            return Err(format!("`{key}`: {m}"));
        }
        let check = |domain: crate::model::params::Domain| {
            if domain.check(&ParamValue::Float(value)) {
                Ok(())
            } else {
                Err(format!(
                    "`{key}` = {value} is out of range: allowed is {}",
                    domain.describe()
                ))
            }
        };
        if level == "group" {
            let Some(k) = GroupKey::from_name(field) else {
                let keys: Vec<&str> = GroupKey::ALL.iter().map(|k| k.name()).collect();
                let hint = suggest(field, &keys);
                return Err(format!(
                    "`{key}`: a group has no settable value `{field}`; {hint}settable are {}",
                    keys.join(", ")
                ));
            };
            check(k.domain())?;
            if let Some(g) = self.groups.iter_mut().find(|g| g.name == name) {
                g.own[k as usize] = Some(value);
            }
        } else {
            let Some(k) = KindKey::from_name(field) else {
                let keys: Vec<&str> = KindKey::ALL.iter().map(|k| k.name()).collect();
                let hint = suggest(field, &keys);
                return Err(format!(
                    "`{key}`: a kind has no settable value `{field}`; {hint}settable are {}",
                    keys.join(", ")
                ));
            };
            check(k.domain())?;
            if let Some(q) = self.kinds.iter_mut().find(|q| q.name == name) {
                q.own[k as usize] = Some(value);
            }
        }
        Ok(())
    }

    fn origin_of(&self, key: &str) -> Origin {
        self.origins
            .get(key)
            .cloned()
            .unwrap_or_else(|| Origin::whole(&self.source))
    }

    /// The scenario fully resolved, as a TOML file that loads back to the same scenario.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "name = {}", toml_string(&self.name));
        let _ = writeln!(out, "description = {}", toml_string(&self.description));
        let mut section = "";
        for key in ParamKey::all() {
            if key.section() != section {
                section = key.section();
                let _ = writeln!(out, "\n[{section}]");
            }
            let _ = writeln!(out, "{} = {}", key.field(), key.get(&self.params));
        }
        for g in &self.groups {
            let _ = writeln!(
                out,
                "\n[[citizens.groups]]\nname = {}\nshare = {:?}",
                toml_string(&g.name),
                g.share
            );
            for k in GroupKey::ALL {
                if let Some(v) = g.own[k as usize] {
                    let _ = writeln!(out, "{} = {v:?}", k.name());
                }
            }
        }
        for q in &self.kinds {
            let _ = writeln!(
                out,
                "\n[[agencies.kinds]]\nname = {}\ncount = {}",
                toml_string(&q.name),
                q.count
            );
            if let Some(d) = q.demand {
                let _ = writeln!(out, "demand = {d:?}");
            }
            for k in KindKey::ALL {
                if let Some(v) = q.own[k as usize] {
                    let _ = writeln!(out, "{} = {v:?}", k.name());
                }
            }
        }
        for e in self.inhibitors.all() {
            if e.builtin.is_some() && !e.redefined {
                continue;
            }
            let effects: Vec<String> = e
                .effects
                .iter()
                .map(|f| format!("  {},", f.toml()))
                .collect();
            let _ = writeln!(
                out,
                "\n[[custom_inhibitors]]\nname = {}\ndescription = {}\neffects = [\n{}\n]",
                toml_string(&e.name),
                toml_string(&e.description),
                effects.join("\n")
            );
        }
        let _ = writeln!(out, "\n[inhibitors]");
        let list = |names: &[String]| {
            let quoted: Vec<String> = names.iter().map(|n| toml_string(n)).collect();
            format!("[{}]", quoted.join(", "))
        };
        for e in self.inhibitors.all() {
            let mut targets = String::new();
            if !e.groups.is_empty() {
                let _ = write!(targets, ", groups = {}", list(&e.groups));
            }
            if !e.kinds.is_empty() {
                let _ = write!(targets, ", kinds = {}", list(&e.kinds));
            }
            let _ = if targets.is_empty() {
                writeln!(out, "{} = {:?}", e.name, e.intensity)
            } else {
                writeln!(
                    out,
                    "{} = {{ intensity = {:?}{targets} }}",
                    e.name, e.intensity
                )
            };
        }
        for intervention in &self.interventions {
            let _ = writeln!(out, "\n[[interventions]]\nat = {}", intervention.at);
            let _ = match intervention.action {
                Action::Set { key, value } => {
                    writeln!(
                        out,
                        "kind = \"set\"\nkey = \"{}\"\nvalue = {value:?}",
                        key.name()
                    )
                }
                action => writeln!(
                    out,
                    "kind = \"{}\"\ndelta = {:?}",
                    action.kind(),
                    action.delta().unwrap_or(0.0)
                ),
            };
            if !intervention.groups.is_empty() {
                let _ = writeln!(out, "groups = {}", list(&intervention.groups));
            }
            if !intervention.kinds.is_empty() {
                let _ = writeln!(out, "kinds = {}", list(&intervention.kinds));
            }
        }
        out
    }
}

/// "did you mean `NAME`? " for a likely typo of one of `keys`, or for a
/// key that `field` begins (`capability` for `capability_mean`).
fn suggest(field: &str, keys: &[&str]) -> String {
    nearest(field, keys.iter().copied())
        .or_else(|| keys.iter().copied().find(|k| k.starts_with(field)))
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default()
}

/// The largest scenario or sweep file read, in bytes.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads a scenario or sweep file as text: only a regular file (a FIFO
/// would block forever, a device never end) of at most
/// [`MAX_INPUT_BYTES`], in UTF-8 (invalid bytes are reported with their
/// line and column).
pub fn read_input(path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| LoadError::Io {
        path: shown.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, FIFO or device): give a TOML file",
        )));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} bytes; scenario and sweep files are at most {} MB",
                meta.len(),
                MAX_INPUT_BYTES >> 20
            ),
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path).map_err(io)?, MAX_INPUT_BYTES + 1),
        &mut bytes,
    )
    .map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("more than {} MB", MAX_INPUT_BYTES >> 20),
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let origin = Origin::in_text(&shown, &text, valid);
        LoadError::Invalid(ScenarioError::one(
            origin,
            "invalid UTF-8: scenario and sweep files are UTF-8 text",
        ))
    })
}

/// The longest name, in bytes: result folders and their lock files add
/// up to about 30 bytes to it, within the 255 that file systems allow.
pub const MAX_NAME_BYTES: usize = 200;

/// A name must be usable as a folder name on every platform (the error
/// says why it is not).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "`name` is {} bytes long: at most {MAX_NAME_BYTES} are allowed, so that its folders fit the file system's limit of 255",
            name.len()
        ));
    }
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.trim() != name
        || name.chars().any(|c| {
            c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        });
    if bad {
        Err(format!(
            "`name` = {name:?} cannot name an output folder: use letters, digits, spaces, '-', '_' or '.'"
        ))
    } else {
        Ok(())
    }
}

/// A `--set` key as a scenario's name shows it: `inhibitors.low_trust` as
/// `low_trust`, a parameter by its field where no other key ends the same
/// (`legal_level`), else in full (`trust.gain`, as `learning.gain` exists).
fn short_key(key: &str) -> &str {
    if let Some(name) = key.strip_prefix("inhibitors.") {
        return name;
    }
    let Some((_, field)) = key.split_once('.') else {
        return key;
    };
    let same = ParamKey::all().filter(|k| k.field() == field).count()
        + Inhibitor::ALL.iter().filter(|i| i.name() == field).count();
    if same == 1 { field } else { key }
}

fn unknown_key_message(key: &str) -> String {
    // a mistyped prefix of PVC-2's keys (`citizens.group.rural.trust_mean`)
    let parts: Vec<&str> = key.splitn(3, '.').collect();
    if parts.len() == 3 {
        for prefix in ["citizens.groups", "agencies.kinds"] {
            let given = format!("{}.{}", parts[0], parts[1]);
            if given != prefix && nearest(&given, [prefix]).is_some() {
                return format!("unknown key `{key}`; did you mean `{prefix}.{}`?", parts[2]);
            }
        }
        if parts[0] != "effects" && nearest(parts[0], ["effects"]).is_some() {
            return format!(
                "unknown key `{key}`; did you mean `effects.{}.{}`?",
                parts[1], parts[2]
            );
        }
    }
    let names = ParamKey::all()
        .map(|k| k.name())
        .chain(Inhibitor::ALL.iter().map(|i| i.name()));
    match key.split_once('.') {
        Some((section, field)) if crate::model::params::SECTIONS.contains(&section) => {
            parse::unknown_param_message(section, field)
        }
        Some((section, field)) if nearest(section, ["inhibitors"]).is_some() => {
            format!("unknown key `{key}`; did you mean `inhibitors.{field}`?")
        }
        Some((section, field)) if nearest(section, crate::model::params::SECTIONS).is_some() => {
            let near = nearest(section, crate::model::params::SECTIONS).unwrap_or(section);
            format!("unknown key `{key}`; did you mean `{near}.{field}`?")
        }
        _ => match nearest(key, names) {
            Some(near) if ParamKey::from_name(near).is_some() => {
                format!("unknown key `{key}`; did you mean `{near}`?")
            }
            Some(near) => format!("unknown key `{key}`; did you mean `inhibitors.{near}`?"),
            None => format!(
                "unknown key `{key}`; keys are the dotted names of MODEL.md section 2 (e.g. `governance.legal_level`) or `inhibitors.NAME`"
            ),
        },
    }
}

/// Parses a command-line value for a parameter of `domain`.
fn parse_value(domain: Domain, raw: &str) -> Result<ParamValue, String> {
    if domain == Domain::Network {
        return parse::network_kind(raw.trim_matches('"'));
    }
    if domain.is_integer() {
        return raw
            .parse::<u64>()
            .map(ParamValue::Int)
            .map_err(|_| format!("= {raw} must be {}", domain.describe()));
    }
    raw.parse::<f64>()
        .map(ParamValue::Float)
        .map_err(|_| format!("= {raw} is not a number: allowed is {}", domain.describe()))
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests;
