//! A calibration file run: ABC-SMC ([`super::abc`]) over the file's
//! parameters, each particle's distance from its simulated figures, the
//! posterior summarized, and the predictive check. Pure: no I/O.

use super::abc::{self, AbcError, AbcObserver, AbcSettings, Particle, Posterior, Prior};
use crate::model::rng::{Stream, key, word};
use crate::scenario::Calibration;
use rayon::prelude::*;

/// Posterior draws rerun for the predictive check.
pub const PREDICTIVE_DRAWS: usize = 200;

/// The ABC settings of a calibration file.
pub fn settings(cal: &Calibration) -> AbcSettings {
    AbcSettings::new(cal.particles as usize, cal.generations, cal.seed)
}

/// The priors the sampler works with, one per parameter.
pub fn priors(cal: &Calibration) -> Vec<Prior> {
    cal.parameters
        .iter()
        .map(|p| {
            let (min, max) = p.prior_range();
            Prior { min, max }
        })
        .collect()
}

/// The targets' figures at sampled parameter values `theta`, each the mean
/// of the calibration's replications under master seed `seed`. An error
/// says why the scenario at `theta` is invalid.
pub fn figures(cal: &Calibration, theta: &[f64], seed: u64) -> Result<Vec<f64>, String> {
    let scenario = cal.scenario_at(theta)?;
    let model = scenario.model().map_err(|e| e.to_string())?;
    let mut sums = vec![0.0; cal.targets.len()];
    for r in 0..cal.replications {
        let rep = super::run_replication(&model, seed, r, false);
        for (sum, t) in sums.iter_mut().zip(&cal.targets) {
            *sum += t
                .figure
                .of(&rep.record, &rep.steps, &rep.groups, &rep.kinds);
        }
    }
    Ok(sums
        .into_iter()
        .map(|s| s / f64::from(cal.replications))
        .collect())
}

/// Runs the calibration on the current rayon pool.
pub fn run(cal: &Calibration, observer: &impl AbcObserver) -> Result<Posterior, AbcError<String>> {
    abc::calibrate(&priors(cal), &settings(cal), observer, |theta, seed| {
        figures(cal, theta, seed).map(|f| cal.distance(&f))
    })
}

/// The posterior of one parameter, over the values particles set
/// (integer keys rounded).
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterSummary {
    /// The parameter's key.
    pub name: String,
    /// Weighted mean.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// Weighted 2.5% quantile.
    pub q025: f64,
    /// Weighted median.
    pub q50: f64,
    /// Weighted 97.5% quantile.
    pub q975: f64,
    /// The prior's range, as the file gives it.
    pub prior: (f64, f64),
}

impl ParameterSummary {
    /// The prior's standard deviation (uniform: width / sqrt 12).
    pub fn prior_sd(&self) -> f64 {
        (self.prior.1 - self.prior.0) / 12f64.sqrt()
    }
}

/// Each parameter's posterior.
pub fn summarize(cal: &Calibration, particles: &[Particle]) -> Vec<ParameterSummary> {
    cal.parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pairs: Vec<(f64, f64)> = particles
                .iter()
                .map(|q| (p.value(q.theta[i]), q.weight))
                .collect();
            let (mean, sd) = abc::weighted_mean_sd(&pairs);
            ParameterSummary {
                name: p.key.name(),
                mean,
                sd,
                q025: abc::weighted_quantile(&pairs, 0.025),
                q50: abc::weighted_quantile(&pairs, 0.5),
                q975: abc::weighted_quantile(&pairs, 0.975),
                prior: (p.min, p.max),
            }
        })
        .collect()
}

/// One target's predictive check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The target, as the file names it.
    pub name: String,
    /// The observed value.
    pub observed: f64,
    /// The observation's sd.
    pub sd: f64,
    /// Mean of the figure over the posterior draws.
    pub mean: f64,
    /// 2.5% quantile over the draws.
    pub q025: f64,
    /// 97.5% quantile over the draws.
    pub q975: f64,
    /// Whether the observed value lies in `[q025, q975]`.
    pub inside: bool,
}

/// The predictive check: [`PREDICTIVE_DRAWS`] particles drawn by weight,
/// each simulated again under a seed of its own; for each target, the
/// observed value beside the 95% interval of the draws' figures. `None`
/// when `cancelled` said so before every draw ran.
pub fn predictive(
    cal: &Calibration,
    posterior: &Posterior,
    done: &(impl Fn() + Sync),
    cancelled: &(impl Fn() -> bool + Sync),
) -> Result<Option<Vec<Check>>, String> {
    let weights: Vec<f64> = posterior.particles.iter().map(|p| p.weight).collect();
    let draws = abc::resample(&weights, PREDICTIVE_DRAWS, cal.seed, 0);
    let seeds = key(cal.seed, Stream::Posterior, 1);
    let simulated: Vec<Option<Vec<f64>>> = draws
        .par_iter()
        .enumerate()
        .map(|(d, &i)| {
            if cancelled() {
                return Ok(None);
            }
            let f = figures(cal, &posterior.particles[i].theta, word(seeds, d as u64))?;
            done();
            Ok(Some(f))
        })
        .collect::<Result<_, String>>()?;
    let Some(simulated) = simulated.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    Ok(Some(
        cal.targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut values: Vec<f64> = simulated.iter().map(|d| d[i]).collect();
                values.sort_by(f64::total_cmp);
                let q025 = crate::stats::quantile_sorted(&values, 0.025);
                let q975 = crate::stats::quantile_sorted(&values, 0.975);
                Check {
                    name: t.name.clone(),
                    observed: t.value,
                    sd: t.sd,
                    mean: values.iter().sum::<f64>() / values.len() as f64,
                    q025,
                    q975,
                    inside: (q025..=q975).contains(&t.value),
                }
            })
            .collect(),
    ))
}
