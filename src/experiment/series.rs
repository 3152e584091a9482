//! Time series across replications: for every step and every figure of
//! [`StepRecord::FIGURES`], the mean over replications and its Student-t
//! 95% interval, accumulated replication by replication (in replication
//! order, so the result is the same on any number of threads). Pure: no I/O.

use crate::model::StepRecord;
use crate::stats::Running;

/// The running summaries of every figure at every step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepSeries {
    steps: Vec<[Running; StepRecord::FIGURES.len()]>,
}

impl StepSeries {
    /// Adds one replication's steps.
    pub fn add(&mut self, steps: &[StepRecord]) {
        if self.steps.len() < steps.len() {
            self.steps
                .resize(steps.len(), [Running::default(); StepRecord::FIGURES.len()]);
        }
        for (acc, step) in self.steps.iter_mut().zip(steps) {
            for (r, figure) in acc.iter_mut().zip(step.values()) {
                r.push(figure.as_f64());
            }
        }
    }

    /// Adds one value of figure `figure` (an index into
    /// [`StepRecord::FIGURES`]) at `step`, for series read back from files.
    pub fn push(&mut self, step: usize, figure: usize, value: f64) {
        if self.steps.len() <= step {
            self.steps
                .resize(step + 1, [Running::default(); StepRecord::FIGURES.len()]);
        }
        self.steps[step][figure].push(value);
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step was added.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The summary of figure `figure` (an index into [`StepRecord::FIGURES`])
    /// at `step`.
    pub fn at(&self, step: usize, figure: usize) -> Option<&Running> {
        self.steps.get(step).map(|s| &s[figure])
    }

    /// The summary of figure `figure` (an index into [`StepRecord::FIGURES`])
    /// at each step.
    pub fn figure(&self, figure: usize) -> impl Iterator<Item = &Running> + '_ {
        self.steps.iter().map(move |s| &s[figure])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_per_step_and_figure() {
        let step = |t: u32, participants: u64, trust: f64| StepRecord {
            step: t,
            participants,
            mean_trust: trust,
            ..StepRecord::default()
        };
        let mut s = StepSeries::default();
        s.add(&[step(0, 10, 0.5), step(1, 20, 0.6)]);
        s.add(&[step(0, 30, 0.7), step(1, 40, 0.8)]);
        assert_eq!(s.len(), 2);
        let p = StepRecord::FIGURES
            .iter()
            .position(|f| *f == "participants")
            .unwrap();
        let t = StepRecord::FIGURES
            .iter()
            .position(|f| *f == "mean_trust")
            .unwrap();
        let means: Vec<f64> = s.figure(p).map(|r| r.mean()).collect();
        assert_eq!(means, vec![20.0, 30.0]);
        assert!((s.figure(t).nth(1).unwrap().mean() - 0.7).abs() < 1e-12);
        let mut read = StepSeries::default();
        read.push(1, p, 20.0);
        read.push(1, p, 40.0);
        assert_eq!(read.figure(p).nth(1).unwrap().mean(), 30.0);
    }
}
