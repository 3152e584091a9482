//! Plots and the HTML report.
//!
//! [`load`] reads result folders back; [`catalogue`] finds the scenarios
//! they hold and which folder shows what of each; [`labels`] names figures,
//! parameters and inhibitors in words; [`html`] builds the page; [`plot`]
//! draws the charts (time series, waterfalls, bar charts, heat maps) to SVG
//! or PNG, entirely in Rust.

pub mod catalogue;
pub mod html;
pub mod labels;
pub mod load;
pub mod parts;
pub mod plot;
