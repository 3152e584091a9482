//! `cocreate report`.

use super::*;
use cocreate::report::load::Results;
use cocreate::report::{html, load};
use std::path::Path;

/// `cocreate report`: one self-contained HTML page from result folders,
/// and its plots as SVG and PNG files beside it.
pub fn report(args: crate::app::cli::ReportArgs) -> Result<()> {
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for dir in &args.dirs {
        let found = load::load(dir).map_err(|e| BadInput(e.to_string()))?;
        for r in found.results {
            // a folder given twice (or inside another one given) is shown once
            let key = std::fs::canonicalize(r.dir()).unwrap_or_else(|_| r.dir().to_path_buf());
            if seen.insert(key) {
                results.push(r);
            }
        }
        skipped.extend(found.skipped_links);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.dirs[0], &results));
    if out.is_dir() {
        bail!(BadInput(format!(
            "--out {}: is a folder; give the HTML file to write, e.g. {}",
            out.display(),
            out.join("report.html").display()
        )));
    }
    // the plots as files, for papers: <report stem>-figures/NAME.svg and .png
    let stem = out
        .file_stem()
        .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
    let figures = out.with_file_name(format!("{stem}-figures"));
    refuse_writing_over_inputs(&out, &figures, &results)?;
    let notes: Vec<String> = skipped
        .iter()
        .map(|p| {
            format!(
                "skipped {}: a symbolic link to a folder (links are not followed while searching; give the folder by name to include it)",
                p.display()
            )
        })
        .collect();
    if !args.quiet {
        for n in &notes {
            eprintln!("note: {n}");
        }
    }
    let sources: Vec<String> = args.dirs.iter().map(|d| d.display().to_string()).collect();
    let generated = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let report =
        html::build(&results, &sources, &generated, &notes).context("cannot draw the plots")?;
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

/// `report.html` in `first`, the first folder given; or, when that is one
/// command's result folder itself, `NAME-report.html` beside it, so that
/// the report and its figures stay out of the results.
fn default_out(first: &Path, results: &[Results]) -> PathBuf {
    let first_resolved = resolved(first);
    let is_result = results.iter().any(|r| resolved(r.dir()) == first_resolved);
    match (
        is_result,
        first_resolved.file_name(),
        first_resolved.parent(),
    ) {
        (true, Some(name), Some(parent)) => {
            // beside it, as the user named it (not through the links resolved)
            let beside = first.parent().filter(|p| !p.as_os_str().is_empty());
            let file = format!("{}-report.html", name.to_string_lossy());
            match beside {
                Some(p) if resolved(p) == parent => p.join(file),
                _ => parent.join(file),
            }
        }
        _ => first.join("report.html"),
    }
}

/// `path` with every link and `..` resolved, as far as it exists, and the
/// rest appended: where a file written there would land.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses an output file that is one of the files the report reads, and
/// a figures folder that is, holds or lies in a result folder (it is
/// replaced whole): before anything is written.
fn refuse_writing_over_inputs(out: &Path, figures: &Path, results: &[Results]) -> Result<()> {
    let (out_at, figures_at) = (resolved(out), resolved(figures));
    for r in results {
        for file in r.files() {
            if resolved(&file) == out_at {
                bail!(BadInput(format!(
                    "--out {}: is {}, which this report reads; write the report elsewhere",
                    out.display(),
                    file.display()
                )));
            }
        }
        let dir = resolved(r.dir());
        let clash = if figures_at == dir {
            Some("is")
        } else if dir.starts_with(&figures_at) {
            Some("holds")
        } else if figures_at.starts_with(&dir) {
            Some("lies in")
        } else {
            None
        };
        if let Some(how) = clash {
            bail!(BadInput(format!(
                "the report's figures folder {} {how} the result folder {}, and it is replaced whole; give --out a file outside the result folders (its figures go to <FILE stem>-figures beside it)",
                figures.display(),
                r.dir().display()
            )));
        }
    }
    Ok(())
}
