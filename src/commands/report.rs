//! `cocreate report`.

use super::*;
use cocreate::report::{html, load};

/// `cocreate report`: one self-contained HTML page from result folders,
/// and its plots as SVG and PNG files beside it.
pub fn report(args: crate::cli::ReportArgs) -> Result<()> {
    let mut results = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for dir in &args.dirs {
        for r in load::load(dir).map_err(|e| BadInput(e.to_string()))? {
            // a folder given twice (or inside another one given) is shown once
            let key = std::fs::canonicalize(r.dir()).unwrap_or_else(|_| r.dir().to_path_buf());
            if seen.insert(key) {
                results.push(r);
            }
        }
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
    let report =
        html::build(&results, &sources, &generated, &[]).context("cannot draw the plots")?;
    // the plots as files, for papers: <report stem>-figures/NAME.svg and .png
    let stem = out
        .file_stem()
        .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    let figures = out.with_file_name(format!("{stem}-figures"));
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    // the figures go into a fresh folder that replaces the old one whole,
    // so no figure of an earlier report is left beside this one
    let fresh = tempfile::Builder::new()
        .prefix(&format!(".{stem}-figures."))
        .tempdir_in(&parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    for f in &report.figures {
        let svg = f.chart.svg().context("cannot draw a plot")?;
        write_file(
            &fresh.path().join(format!("{}.svg", f.stem)),
            svg.as_bytes(),
        )?;
        let png = f.chart.png(args.png_scale).context("cannot draw a plot")?;
        write_file(&fresh.path().join(format!("{}.png", f.stem)), &png)?;
    }
    if figures.exists() {
        std::fs::remove_dir_all(&figures)
            .with_context(|| format!("cannot replace {}", figures.display()))?;
    }
    let fresh = fresh.keep();
    if let Err(e) = std::fs::rename(&fresh, &figures) {
        let _ = std::fs::remove_dir_all(&fresh);
        return Err(e).with_context(|| format!("cannot write {}", figures.display()));
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
