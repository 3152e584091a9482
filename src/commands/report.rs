//! `cocreate report`.

use super::*;
use cocreate::report::{html, load};

/// `cocreate report`: one self-contained HTML page from result folders,
/// and its plots as SVG and PNG files beside it.
pub fn report(args: crate::cli::ReportArgs) -> Result<()> {
    let mut results = Vec::new();
    for dir in &args.dirs {
        results.extend(load::load(dir).map_err(|e| BadInput(e.to_string()))?);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.dirs[0].join("report.html"));
    if out.is_dir() {
        bail!(BadInput(format!(
            "--out {}: is a folder; give the HTML file to write, e.g. {}",
            out.display(),
            out.join("report.html").display()
        )));
    }
    let sources: Vec<String> = args.dirs.iter().map(|d| d.display().to_string()).collect();
    let generated = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let report = html::build(&results, &sources, &generated).context("cannot draw the plots")?;
    // the plots as files, for papers: <report stem>-figures/NAME.svg and .png
    let stem = out
        .file_stem()
        .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    let figures = out.with_file_name(format!("{stem}-figures"));
    std::fs::create_dir_all(&figures)
        .with_context(|| format!("cannot create {}", figures.display()))?;
    for f in &report.figures {
        let svg = f.chart.svg().context("cannot draw a plot")?;
        write_file(&figures.join(format!("{}.svg", f.stem)), svg.as_bytes())?;
        let png = f.chart.png().context("cannot draw a plot")?;
        write_file(&figures.join(format!("{}.png", f.stem)), &png)?;
    }
    write_file(&out, report.html.as_bytes())?;
    if !args.quiet {
        println!(
            "wrote {} ({} plots; also as SVG and PNG in {})",
            out.display(),
            report.figures.len(),
            figures.display()
        );
    }
    Ok(())
}
