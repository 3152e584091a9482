//! Which scenarios the result folders hold, and which folder the report
//! takes each thing from, so that the page shows each scenario once and
//! each plot once.
//!
//! A scenario is its name and its parameters: folders of `run`, `compare`,
//! `waterfall` and `attribute` that ran the same scenario (any replications
//! and seed) hold the same scenario. Two scenarios with one name and other
//! parameters (say, one run with `--set`) are two scenarios, labelled with
//! their folder's name.
//!
//! Where several folders hold the same thing of one scenario (its time
//! series, its waterfall, its key figures, its attribution), the one with
//! the most replications is shown, the first in command order (run,
//! compare, waterfall, attribute), then folder order, on a tie.

use super::load::Results;
use serde_json::Value;
use std::path::Path;

/// The command that wrote a result folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `cocreate run`.
    Run,
    /// `cocreate compare`.
    Compare,
    /// `cocreate waterfall`.
    Waterfall,
    /// `cocreate attribute`.
    Attribute,
}

impl Command {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Compare => "compare",
            Command::Waterfall => "waterfall",
            Command::Attribute => "attribute",
        }
    }

    fn of(results: &Results) -> Option<Command> {
        match results {
            Results::Run(_) => Some(Command::Run),
            Results::Compare(_) => Some(Command::Compare),
            Results::Waterfall(_) => Some(Command::Waterfall),
            Results::Attribution(_) => Some(Command::Attribute),
            Results::Sweep(_) | Results::Calibration(_) | Results::Discovery(_) => None,
        }
    }
}

/// A result folder holding a scenario.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The command that wrote it.
    pub command: Command,
    /// What it holds.
    pub results: &'a Results,
    /// Its replications (paired ones, for a comparison).
    pub replications: u64,
}

impl Source<'_> {
    /// "run, 100 replications" (or "compare, 200 paired replications").
    pub fn describe(&self) -> String {
        format!("{}, {}", self.command.name(), self.replications_text())
    }

    /// "100 replications" (or "200 paired replications").
    pub fn replications_text(&self) -> String {
        let paired = if self.command == Command::Compare {
            "paired "
        } else {
            ""
        };
        let s = if self.replications == 1 { "" } else { "s" };
        format!("{} {paired}replication{s}", self.replications)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        self.results.dir()
    }
}

/// One scenario and the folders that hold it.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    /// Its name.
    pub name: String,
    /// How the page names it: its name, or its name and first folder when
    /// another scenario has the same name.
    pub label: String,
    /// The scenario as a manifest records it (the first folder's).
    pub scenario: &'a Value,
    /// Its parameters after the inhibitors act, where a `run` manifest
    /// records them.
    pub effective: Option<&'a Value>,
    /// The folders, in command order.
    pub sources: Vec<Source<'a>>,
}

impl<'a> Entry<'a> {
    /// The source with the most replications among those `holds` accepts,
    /// the first on a tie.
    pub fn best(&self, holds: impl Fn(&Source<'a>) -> bool) -> Option<Source<'a>> {
        let mut best: Option<Source<'a>> = None;
        for s in self.sources.iter().filter(|s| holds(s)) {
            if best.is_none_or(|b| s.replications > b.replications) {
                best = Some(*s);
            }
        }
        best
    }
}

/// Every scenario of a report's result folders.
#[derive(Clone, Debug, Default)]
pub struct Catalogue<'a> {
    /// The scenarios, in command order (run, compare, waterfall,
    /// attribute), then folder order.
    pub entries: Vec<Entry<'a>>,
}

impl<'a> Catalogue<'a> {
    /// The scenarios of `results`.
    pub fn of(results: &'a [Results]) -> Catalogue<'a> {
        let mut catalogue = Catalogue::default();
        for command in [
            Command::Run,
            Command::Compare,
            Command::Waterfall,
            Command::Attribute,
        ] {
            for r in results.iter().filter(|r| Command::of(r) == Some(command)) {
                catalogue.add(r, command);
            }
        }
        // scenarios that share a name: named with their folder's name, or
        // its path where that is shared too
        let shared =
            |labels: &[String], i: usize| labels.iter().filter(|l| **l == labels[i]).count() > 1;
        let names: Vec<String> = catalogue.entries.iter().map(|e| e.name.clone()).collect();
        let folder = |e: &Entry, whole: bool| {
            let dir = e.sources[0].dir();
            match dir.file_name() {
                Some(f) if !whole => f.to_string_lossy().into_owned(),
                _ => dir.display().to_string(),
            }
        };
        let by_folder: Vec<String> = catalogue
            .entries
            .iter()
            .map(|e| format!("{} ({})", e.name, folder(e, false)))
            .collect();
        for i in 0..catalogue.entries.len() {
            if shared(&names, i) {
                let whole = shared(&by_folder, i);
                let e = &mut catalogue.entries[i];
                e.label = format!("{} ({})", e.name, folder(e, whole));
            }
        }
        catalogue
    }

    fn add(&mut self, results: &'a Results, command: Command) {
        let manifest = match results {
            Results::Run(r) => &r.manifest,
            Results::Compare(r) => &r.manifest,
            Results::Waterfall(r) => &r.manifest,
            Results::Attribution(r) => &r.manifest,
            Results::Sweep(_) | Results::Calibration(_) | Results::Discovery(_) => return,
        };
        let scenarios: Vec<&Value> = match results {
            Results::Compare(_) => manifest["scenarios"]
                .as_array()
                .into_iter()
                .flatten()
                .collect(),
            _ => vec![&manifest["scenario"]],
        };
        let replications = manifest["replications"].as_u64().unwrap_or(0);
        for scenario in scenarios {
            let name = scenario["name"].as_str().map_or_else(
                || match results {
                    Results::Run(r) => r.name.clone(),
                    Results::Waterfall(r) => r.name.clone(),
                    Results::Attribution(r) => r.name.clone(),
                    _ => "scenario".to_string(),
                },
                str::to_string,
            );
            let key = identity(scenario);
            let source = Source {
                command,
                results,
                replications,
            };
            let effective = Some(&manifest["effective_parameters"]).filter(|e| e.is_object());
            match self
                .entries
                .iter_mut()
                .find(|e| e.name == name && identity(e.scenario) == key)
            {
                Some(e) => {
                    e.sources.push(source);
                    e.effective = e.effective.or(effective);
                }
                None => self.entries.push(Entry {
                    label: name.clone(),
                    name,
                    scenario,
                    effective,
                    sources: vec![source],
                }),
            }
        }
    }

    /// The scenario `name` as `results` holds it.
    pub fn find(&self, results: &Results, name: &str) -> Option<&Entry<'a>> {
        self.entries
            .iter()
            .find(|e| e.name == name && e.sources.iter().any(|s| std::ptr::eq(s.results, results)))
    }

    /// How the page names scenario `name` of `results`.
    pub fn label(&self, results: &Results, name: &str) -> String {
        self.find(results, name)
            .map_or_else(|| name.to_string(), |e| e.label.clone())
    }
}

/// What makes two scenarios the same: the scenario without its
/// replications and seed.
fn identity(scenario: &Value) -> Value {
    let mut v = scenario.clone();
    if let Some(run) = v.get_mut("run").and_then(Value::as_object_mut) {
        run.remove("replications");
        run.remove("seed");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::load::{CompareResults, RunResults, WaterfallResults};
    use serde_json::json;

    fn scenario(name: &str, citizens: u64, replications: u64) -> Value {
        json!({"name": name, "run": {"steps": 5, "replications": replications, "seed": 42},
               "population": {"citizens": citizens}})
    }

    fn run(dir: &str, s: Value, replications: u64) -> Results {
        Results::Run(RunResults {
            dir: dir.into(),
            name: s["name"].as_str().unwrap().into(),
            manifest: json!({"scenario": s, "replications": replications}),
            summary: Vec::new(),
            series: Default::default(),
            breakdown: Vec::new(),
        })
    }

    #[test]
    fn a_scenario_in_several_folders_is_one_entry_and_the_most_replicated_folder_wins() {
        let results = [
            run("r/baseline", scenario("baseline", 100, 100), 100),
            Results::Compare(CompareResults {
                dir: "r/baseline-compare".into(),
                manifest: json!({"base": "baseline", "replications": 200, "scenarios": [
                    scenario("baseline", 100, 200), scenario("combined", 100, 200)]}),
                rows: Vec::new(),
                series: Vec::new(),
                breakdown: Vec::new(),
            }),
            Results::Waterfall(WaterfallResults {
                dir: "r/combined-waterfall".into(),
                name: "combined".into(),
                manifest: json!({"scenario": scenario("combined", 100, 100), "replications": 100}),
                steps: Vec::new(),
            }),
            // the same name, other parameters: another scenario
            run("other/baseline", scenario("baseline", 500, 300), 300),
        ];
        let c = Catalogue::of(&results);
        let labels: Vec<&str> = c.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "baseline (r/baseline)",
                "baseline (other/baseline)",
                "combined"
            ]
        );
        let baseline = &c.entries[0];
        assert_eq!(baseline.sources.len(), 2);
        let best = baseline.best(|_| true).unwrap();
        assert_eq!((best.command, best.replications), (Command::Compare, 200));
        assert_eq!(best.describe(), "compare, 200 paired replications");
        let run_only = baseline.best(|s| s.command == Command::Run).unwrap();
        assert_eq!(run_only.describe(), "run, 100 replications");
        // a tie keeps the first in command order
        let combined = &c.entries[2];
        let first = combined.best(|s| s.command != Command::Compare).unwrap();
        assert_eq!(first.command, Command::Waterfall);
        assert_eq!(c.find(&results[1], "combined").unwrap().label, "combined");
        assert_eq!(
            c.label(&results[3], "baseline"),
            "baseline (other/baseline)"
        );
    }
}
