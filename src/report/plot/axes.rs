//! Numeric axes: ranges, nice ticks and their labels.

use super::*;

/// The smallest and largest finite values seen.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Extent(pub(super) Option<(f64, f64)>);

impl Extent {
    pub(super) fn add(&mut self, value: f64) {
        if value.is_finite() {
            self.0 = Some(match self.0 {
                None => (value, value),
                Some((lo, hi)) => (lo.min(value), hi.max(value)),
            });
        }
    }

    pub(super) fn get(self) -> Option<(f64, f64)> {
        self.0
    }
}

/// A range for an axis showing `lo..=hi`: a range with no width is given
/// one around its value; otherwise each padded side gets 5% more room.
pub(super) fn axis_range(lo: f64, hi: f64, pad_low: bool, pad_high: bool) -> Range<f64> {
    if hi - lo <= 0.0 || !(hi - lo).is_finite() {
        let half = if lo == 0.0 || !lo.is_finite() {
            1.0
        } else {
            lo.abs() * 0.1
        };
        let mid = if lo.is_finite() { lo } else { 0.0 };
        return (mid - half)..(mid + half);
    }
    let pad = (hi - lo) * 0.05;
    let lo = if pad_low { lo - pad } else { lo };
    let hi = if pad_high { hi + pad } else { hi };
    lo..hi
}

/// A range for a value axis whose bars start at 0: it includes 0 and is
/// padded only on the sides where values lie.
pub(super) fn value_range(extent: Extent) -> Range<f64> {
    let (lo, hi) = extent.get().unwrap_or((0.0, 0.0));
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    axis_range(lo, hi, lo < 0.0, hi > 0.0)
}

/// How tick labels read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TickFormat {
    /// `decimals` decimals after dividing by `scale`, then `suffix`
    /// (12,000 with a step of 2,000 reads "12k").
    Fixed {
        decimals: usize,
        scale: f64,
        suffix: &'static str,
    },
    /// Scientific notation, for very large or very small numbers.
    Scientific,
    /// No text: categorical axes, whose labels are drawn separately.
    Blank,
}

impl TickFormat {
    /// The format for ticks `step` apart, the largest `max_abs` in size.
    pub(super) fn for_step(step: f64, max_abs: f64) -> TickFormat {
        if !(step.is_finite() && max_abs.is_finite()) || step < 1e-6 || max_abs >= 1e15 {
            return TickFormat::Scientific;
        }
        let (scale, suffix) = match max_abs {
            m if m >= 1e12 => (1e12, "T"),
            m if m >= 1e9 => (1e9, "G"),
            m if m >= 1e6 => (1e6, "M"),
            m if m >= 1e4 => (1e3, "k"),
            _ => (1.0, ""),
        };
        TickFormat::Fixed {
            decimals: decimals_for(step / scale),
            scale,
            suffix,
        }
    }

    pub(super) fn format(self, value: f64) -> String {
        match self {
            TickFormat::Fixed {
                decimals,
                scale,
                suffix,
            } => {
                let scaled = value / scale;
                if scaled.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
                    // Not "-0", "0k" or "0.00": a tick at 0 reads "0".
                    "0".to_owned()
                } else {
                    format!("{scaled:.decimals$}{suffix}")
                }
            }
            TickFormat::Scientific => format!("{value:.2e}"),
            TickFormat::Blank => String::new(),
        }
    }
}

/// Decimals needed to write multiples of `step` (1, 2 or 5 times a power
/// of ten) exactly.
pub(super) fn decimals_for(step: f64) -> usize {
    let digits = -(step.log10() + 1e-9).floor();
    if digits > 0.0 { digits as usize } else { 0 }
}

impl TickFormat {
    /// The format for ticks at `values` (heat-map grid values): as for
    /// round ticks, with the fewest decimals (at most six), the same for
    /// all, that put every value within a tenth of the smallest gap
    /// between two of them (0.05, 0.1667, 0.2833, 0.4 read "0.05", "0.17",
    /// "0.28", "0.40"; a single value keeps six significant digits).
    pub(super) fn for_values(values: &[f64]) -> TickFormat {
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        finite.sort_by(f64::total_cmp);
        let max_abs = finite.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let TickFormat::Fixed { scale, suffix, .. } = TickFormat::for_step(1.0, max_abs) else {
            return TickFormat::Scientific;
        };
        let gap = finite
            .windows(2)
            .map(|w| (w[1] - w[0]) / scale)
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min);
        let tolerance = if gap.is_finite() {
            gap / 10.0
        } else {
            max_abs / scale * 1e-6
        };
        let decimals = (0..=6)
            .find(|&d| {
                let unit = 10f64.powi(d);
                finite.iter().all(|v| {
                    let scaled = v / scale;
                    ((scaled * unit).round() / unit - scaled).abs() <= tolerance
                })
            })
            .unwrap_or(6) as usize;
        TickFormat::Fixed {
            decimals,
            scale,
            suffix,
        }
    }
}

/// Ticks at multiples of a round step (1, 2 or 5 times a power of ten),
/// at most about `max_ticks` of them, within `range`.
pub(super) fn nice_ticks(range: &Range<f64>, max_ticks: usize) -> (Vec<f64>, TickFormat) {
    let span = range.end - range.start;
    let raw = span / max_ticks.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return (vec![], TickFormat::Scientific);
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let first = (range.start / step - 1e-9).ceil() as i64;
    let last = (range.end / step + 1e-9).floor() as i64;
    let ticks: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
    let max_abs = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    (ticks, TickFormat::for_step(step, max_abs))
}

/// One axis of a plot: its range, its ticks, how they read and its title.
#[derive(Debug, Clone)]
pub(super) struct Axis {
    pub(super) range: Range<f64>,
    pub(super) ticks: Vec<f64>,
    pub(super) format: TickFormat,
    pub(super) label: String,
    /// Whether grid lines are drawn at the ticks.
    pub(super) grid: bool,
}

impl Axis {
    /// A numeric axis over `range` with round ticks.
    pub(super) fn numeric(range: Range<f64>, max_ticks: usize, label: &str) -> Axis {
        let (ticks, format) = nice_ticks(&range, max_ticks);
        Axis {
            range,
            ticks,
            format,
            label: label.to_owned(),
            grid: true,
        }
    }

    /// A numeric axis with ticks at the given values, every few of them
    /// when there are more than `max_ticks`.
    pub(super) fn at_values(
        range: Range<f64>,
        values: &[f64],
        max_ticks: usize,
        label: &str,
    ) -> Axis {
        let every = values.len().div_ceil(max_ticks.max(1)).max(1);
        let ticks: Vec<f64> = values.iter().copied().step_by(every).collect();
        Axis {
            range,
            format: TickFormat::for_values(&ticks),
            ticks,
            label: label.to_owned(),
            grid: false,
        }
    }

    /// An axis of `n` categories at 0, 1, … n − 1, without ticks: the
    /// caller draws the category labels.
    pub(super) fn categories(n: usize) -> Axis {
        Axis {
            range: -0.5..(n as f64 - 0.5),
            ticks: vec![],
            format: TickFormat::Blank,
            label: String::new(),
            grid: false,
        }
    }

    pub(super) fn tick_labels(&self) -> impl Iterator<Item = String> + '_ {
        self.ticks.iter().map(|t| self.format.format(*t))
    }

    pub(super) fn coord(&self) -> Ticked {
        Ticked {
            range: self.range.clone(),
            ticks: self.ticks.clone(),
        }
    }
}

/// A plotters coordinate: linear over `range`, with ticks and grid lines
/// at `ticks` (plotters' own f64 axes choose their ticks themselves).
#[derive(Debug, Clone)]
pub(super) struct Ticked {
    pub(super) range: Range<f64>,
    pub(super) ticks: Vec<f64>,
}

impl Ranged for Ticked {
    // Tick labels are always formatted by a `TickFormat`.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.range.start) / (self.range.end - self.range.start);
        // `as` saturates far outside the plot.
        (limit.0 as f64 + (limit.1 - limit.0) as f64 * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // No light grid lines: only the ticks'.
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// The coordinates of every plot: both axes numeric, with chosen ticks.
pub(super) type Coords = Cartesian2d<Ticked, Ticked>;
