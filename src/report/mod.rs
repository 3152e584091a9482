//! Plots and the HTML report.
//!
//! [`plot`] draws the charts (time series, waterfalls, bar charts, heat
//! maps) to SVG or PNG, entirely in Rust.

pub mod html;
pub mod load;
pub mod plot;
