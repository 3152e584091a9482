//! `run --posterior` and `compare --posterior`: each replication runs at a
//! particle of a calibration's posterior, drawn by weight.

use super::*;
use cocreate::experiment::PosteriorModels;
use cocreate::experiment::abc::resample;
use cocreate::scenario::{FactorKey, calibratable};
use std::path::{Path, PathBuf};

/// Which draw of [`resample`] posterior runs use (the predictive check of
/// `calibrate` uses 0).
const RUN_DRAWS: u64 = 2;

/// A calibration's `posterior.csv`.
pub struct PosteriorFile {
    path: PathBuf,
    keys: Vec<FactorKey>,
    /// One row of parameter values per particle.
    values: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

impl PosteriorFile {
    /// Reads and checks `posterior.csv`: `particle, weight, distance` and
    /// one column per parameter.
    pub fn read(path: &Path) -> Result<PosteriorFile> {
        let shown = path.display();
        let text = cocreate::scenario::read_input(path).map_err(|e| match e {
            LoadError::Io { source, .. } => BadInput(format!(
                "cannot read the posterior {shown}: {source} (give the posterior.csv that `cocreate calibrate` wrote)"
            )),
            LoadError::Invalid(e) => BadInput(e.to_string()),
        })?;
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| BadInput(format!("{shown}: {e}")))?
            .iter()
            .map(String::from)
            .collect();
        if header.len() < 4 || header[..3] != ["particle", "weight", "distance"] {
            bail!(BadInput(format!(
                "{shown}:1: expected the columns particle, weight, distance and one per parameter, as `cocreate calibrate` writes them"
            )));
        }
        let keys = header[3..]
            .iter()
            .map(|k| {
                FactorKey::parse(k)
                    .and_then(|key| calibratable(&key).map(|()| key))
                    .map_err(|why| BadInput(format!("{shown}:1: {why}")))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let (mut values, mut weights) = (Vec::new(), Vec::new());
        for (i, row) in reader.records().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| BadInput(format!("{shown}:{line}: {e}")))?;
            // the weight and the parameters' values (the distance is not used)
            let numbers = (row.len() == header.len())
                .then(|| {
                    std::iter::once(1)
                        .chain(3..header.len())
                        .map(|c| row[c].parse::<f64>().ok().filter(|x| x.is_finite()))
                        .collect::<Option<Vec<f64>>>()
                })
                .flatten()
                .ok_or_else(|| {
                    BadInput(format!(
                        "{shown}:{line}: expected a finite weight and a finite value of each of the {} parameters",
                        header.len() - 3
                    ))
                })?;
            if numbers[0] < 0.0 {
                bail!(BadInput(format!(
                    "{shown}:{line}: a weight must not be negative"
                )));
            }
            weights.push(numbers[0]);
            values.push(numbers[1..].to_vec());
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            bail!(BadInput(format!(
                "{shown}: no particle with a positive weight"
            )));
        }
        Ok(PosteriorFile {
            path: path.to_path_buf(),
            keys,
            values,
            weights,
        })
    }

    /// The parameters' names.
    pub fn keys(&self) -> Vec<String> {
        self.keys.iter().map(FactorKey::name).collect()
    }

    /// The particle of each of `replications` replications under master
    /// seed `seed`: the same for every scenario of a call (their
    /// replications stay paired) and for replication `r` whatever the
    /// count.
    pub fn draws(&self, seed: u64, replications: u32) -> Vec<usize> {
        resample(&self.weights, replications as usize, seed, RUN_DRAWS)
    }

    /// `scenario` at each drawn particle: a model per distinct particle.
    pub fn models(&self, scenario: &Scenario, draws: &[usize]) -> Result<PosteriorModels> {
        let mut distinct: Vec<usize> = draws.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let models = distinct
            .iter()
            .map(|&p| {
                let mut s = scenario.clone();
                for (key, &v) in self.keys.iter().zip(&self.values[p]) {
                    key.apply(&mut s, v).map_err(|why| {
                        BadInput(format!(
                            "{}: particle {p} sets `{}` = {v} in `{}`: {why}",
                            self.path.display(),
                            key.name(),
                            scenario.name
                        ))
                    })?;
                }
                s.model().map_err(|e| {
                    anyhow::Error::new(BadInput(format!(
                        "{}: particle {p} makes `{}` invalid: {e}",
                        self.path.display(),
                        scenario.name
                    )))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let slot = draws
            .iter()
            .map(|d| distinct.binary_search(d).unwrap_or(0) as u32)
            .collect();
        Ok(PosteriorModels::new(models, slot))
    }

    /// Each scenario's models for `replications` replications under
    /// master seed `seed`, and the particle of each replication (the same
    /// for every scenario).
    pub fn models_for(
        &self,
        scenarios: &[Scenario],
        seed: u64,
        replications: u32,
    ) -> Result<Vec<(PosteriorModels, Vec<usize>)>> {
        let draws = self.draws(seed, replications);
        scenarios
            .iter()
            .map(|s| Ok((self.models(s, &draws)?, draws.clone())))
            .collect()
    }

    /// What the manifest records.
    pub fn record(&self, draws: &[usize]) -> serde_json::Value {
        serde_json::json!({
            "file": self.path.display().to_string(),
            "parameters": self.keys(),
            "particles": self.weights.len(),
            "particle_of_replication": draws,
        })
    }
}

/// Keeps in a manifest's posterior record the particles of the
/// replications `ran` only (those the run's files hold).
pub fn keep_replications(record: &mut serde_json::Value, ran: std::ops::Range<u32>) {
    if let Some(serde_json::Value::Array(all)) = record.get_mut("particle_of_replication") {
        let kept: Vec<serde_json::Value> = all
            .get(ran.start as usize..(ran.end as usize).min(all.len()))
            .unwrap_or_default()
            .to_vec();
        *all = kept;
    }
}

/// Reads `--posterior` if given, and renames the scenarios `NAME+posterior`
/// (unless `keep_names`): results at drawn particles do not pass for the
/// scenarios' own.
pub fn read_and_rename(
    path: Option<&Path>,
    scenarios: &mut [Scenario],
    keep_names: bool,
) -> Result<Option<PosteriorFile>> {
    let Some(path) = path else { return Ok(None) };
    let file = PosteriorFile::read(path)?;
    if !keep_names {
        for s in scenarios.iter_mut() {
            s.name = format!("{}+posterior", s.name);
        }
    }
    Ok(Some(file))
}
