//! The command line: clap types only.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Simulate public value co-creation between citizens and government agencies (PVC-1).
#[derive(Debug, Parser)]
#[command(
    name = "cocreate",
    version,
    about,
    long_about = "cocreate simulates public value co-creation (the PVC-1 model): citizens and \
government agencies interact under inhibitors such as low trust or a missing legal \
framework, and many replications estimate how much public value is co-created, how much \
is realized, and where the rest is lost.",
    after_help = "Examples:\n  cocreate run                                  # the built-in baseline\n  cocreate run scenarios/legal-reform.toml\n  cocreate validate scenarios/*.toml\n  cocreate inhibitors"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write runs.csv, steps.csv, summary.csv and manifest.json for each.
    #[command(
        after_help = "Examples:\n  cocreate run                                   # built-in baseline, all defaults\n  cocreate run scenarios/baseline.toml scenarios/low_trust.toml --replications 200\n  cocreate run scenarios/combined.toml --set inhibitors.low_trust=0.8 --out results/trust\n\nSeveral scenarios in one call share seeds replication by replication (common random\nnumbers). Each writes into DIR/<scenario name>/.\n\nExit status: 0 success, 2 invalid input (nothing written), 130 interrupted (nothing\nwritten for the scenario in progress), 1 any other failure."
    )]
    Run(RunArgs),
    /// Compare scenarios with a base under common random numbers: means with
    /// 95% intervals, paired differences from the base with their intervals,
    /// and the variance reduction the pairing gave.
    #[command(
        after_help = "Examples:\n  cocreate compare scenarios/baseline.toml scenarios/combined.toml scenarios/legal-reform.toml -r 200\n  cocreate compare scenarios/baseline.toml scenarios/legal-reform.toml --window 30..59\n\nWrites DIR/<base name>-compare/comparison.csv, series.csv, window.csv (with --window) and\nmanifest.json. The variance reduction of each difference is estimated from the paired runs\n((var X + var B) / var(X - B), with a 95% interval); --check-pairing also measures it\nagainst runs under another master seed.\n\nExit status: 0 success, 2 invalid input (nothing written), 130 interrupted, 1 other."
    )]
    Compare(CompareArgs),
    /// Which inhibitor costs the most: Shapley values of the scenario's
    /// inhibitors for every figure, from all 2^k combinations run with the
    /// same seeds, and the gain of removing each alone.
    #[command(
        after_help = "Example:\n  cocreate attribute scenarios/combined.toml -r 50\n\nWrites DIR/<scenario name>-attribution/attribution.csv (inhibitor, metric, shapley,\nci95_low, ci95_high, removal_gain) and manifest.json. The Shapley values of a figure add\nup to its mean in the scenario minus its mean in the inhibitor-free twin. waterfall.csv\nbeside it is the scenario's value-loss waterfall.\n\nExit status: 0 success, 2 invalid input (nothing written), 130 interrupted, 1 other."
    )]
    Attribute(AttributeArgs),
    /// Where a scenario's value is lost: from what its inhibitor-free twin
    /// realizes, through lower participation, unserved citizens, less value
    /// per interaction, legal blocks, non-implementation and co-destruction,
    /// to what remains; writes waterfall.csv and manifest.json.
    #[command(
        after_help = "Example:\n  cocreate waterfall scenarios/combined.toml scenarios/legal-reform.toml -r 100\n\nWrites DIR/<scenario name>-waterfall/waterfall.csv (scenario, step, kind, label, value,\nci95_low, ci95_high, share_of_twin) and manifest.json. The scenario and its twin run\nwith the same seeds; the steps add up exactly to the scenario's realized value minus\nthe twin's. docs/analysis.md defines each step.\n\nExit status: 0 success, 2 invalid input (nothing written), 130 interrupted, 1 other."
    )]
    Waterfall(WaterfallArgs),
    /// One self-contained HTML report (plots inline, no network needed) from
    /// result folders of run, compare, waterfall, attribute and sweep; the
    /// plots are also written as SVG and PNG files.
    #[command(
        after_help = "Examples:\n  cocreate compare scenarios/baseline.toml scenarios/combined.toml scenarios/legal-reform.toml\n  cocreate attribute scenarios/combined.toml\n  cocreate report results/baseline-compare results/combined-attribution --out paper/report.html\n  cocreate report results            # every result folder in results/\n\nWrites FILE (default: report.html in the first folder given, or NAME-report.html beside\nit when that folder is one command's result folder) and, beside it, <FILE stem>-figures/\nwith every plot as NAME.svg (the font embedded) and NAME.png (that folder is replaced\nwhole). Folders are searched for results down to three levels. Each scenario and each\nplot is shown once, from the folder with the most replications; the page says which.\n\nThe report never writes into or over its inputs: an --out that is a file it reads, or a\nfigures folder that is, holds or lies in a result folder, is refused. A result file that\nis a symbolic link is refused; a folder reached through a link while searching is\nskipped with a note (give it by name to include it).\n\nExit status: 0 success, 2 a folder without results, a damaged or linked file, or an\noutput over the inputs (nothing written), 1 other."
    )]
    Report(ReportArgs),
    /// Run a sweep: many parameter points from a design, each replicated;
    /// writes points.csv, runs.csv, summary.csv, sensitivity.csv (sobol and
    /// morris designs) and manifest.json.
    #[command(
        after_help = "Examples:\n  cocreate sweep scenarios/sweeps/inhibitors-sobol.toml\n  cocreate sweep scenarios/sweeps/agencies-grid.toml --dry-run\n  cocreate sweep --template morris-all scenarios/combined.toml   # writes combined-morris-all.toml\n\nThe sweep writes into DIR/<sweep name>/, which must not already hold files. Finished\npoints are saved as they finish: after Ctrl-C, kill or power loss, run the same\ncommand with --resume to finish it.\n\nExit status: 0 success, 2 invalid input (nothing written), 130 interrupted (resume\nwith --resume), 1 any other failure."
    )]
    Sweep(SweepArgs),
    /// Combine the shard folders of a sweep into the files one unsharded run writes.
    #[command(
        after_help = "Examples:\n  cocreate sweep s.toml --shard 1/2 --out parts\n  cocreate sweep s.toml --shard 2/2 --out parts\n  cocreate merge parts/s.shard-1-of-2 parts/s.shard-2-of-2 --out results\n  cocreate merge parts --out results              # every shard folder in parts/\n  cocreate merge --list shards.txt --out results  # one shard folder per line\n\nEvery saved point is checked (its index, row count and checksum) before it is copied;\na damaged shard is refused. A merge that was stopped can be run again; one that finished\nsays so and changes nothing.\n\nExit status: 0 success, 2 invalid input or a damaged shard (nothing written), 1 other."
    )]
    Merge(MergeArgs),
    /// Scenario discovery: PRIM boxes of the conditions under which a
    /// finished sweep's figure falls below (or rises above) a value.
    #[command(
        after_help = "Example:\n  cocreate sweep scenarios/sweeps/inhibitors-lhs.toml\n  cocreate discover results/inhibitors-lhs --metric total_value_realized --below 9000\n\nA point is a case of interest when its mean of --metric is below (or above) the value.\nWrites DIR/<sweep folder>-discovery/{trajectory,boxes,cases}.csv and manifest.json.\n\nExit status: 0 success, 2 invalid input (nothing written), 1 other."
    )]
    Discover(DiscoverArgs),
    /// Calibrate a scenario against observed figures (ABC-SMC): the
    /// posterior of its parameters, a predictive check, and the scenario
    /// at the posterior means.
    #[command(
        after_help = "Example:\n  cocreate calibrate scenarios/calibration/trust-participation.toml\n  cocreate run scenarios/baseline.toml --posterior results/trust-participation/posterior.csv\n\nWrites DIR/<calibration name>/{posterior,generations,summary,predictive}.csv,\nscenario.toml (the base scenario at the posterior means) and manifest.json.\nResults depend on the file and its seed only, not on --threads.\n\nExit status: 0 success, 2 invalid input (nothing written), 130 interrupted (nothing\nwritten), 1 other."
    )]
    Calibrate(CalibrateArgs),
    /// Start a local web server: an explorer for scenarios in the browser,
    /// and an HTTP API (docs/serve.md).
    #[command(
        after_help = "Example:\n  cocreate serve                      # http://127.0.0.1:8321/\n  cocreate serve scenarios/cases/municipal-open-data.toml --open\n\nIt binds 127.0.0.1 unless --host says otherwise (and then warns); requests whose Host\nis not the bound address or localhost, and cross-origin POSTs, are refused. Ctrl-C\nstops it.\n\nExit status: 0 after Ctrl-C, 2 invalid input (a bad scenario, a port in use), 1 other."
    )]
    Serve(ServeArgs),
    /// Write a SLURM script that runs a sweep as a job array of shards and
    /// then, as a dependent job, merges them.
    #[command(
        after_help = "Example:\n  cocreate slurm scenarios/sweeps/inhibitors-sobol.toml --shards 16 --time 01:00:00 --cpus 8\n  bash inhibitors-sobol.slurm.sh        # submits the array and the merge\n\nThe script calls this cocreate binary by its full path and writes into DIR/ (shards and\ntheir logs in DIR/parts/<sweep name>/), so both must be on a file system the cluster's\nnodes share."
    )]
    Slurm(SlurmArgs),
    /// Check scenario files and print each fully resolved (every default filled in).
    #[command(
        after_help = "Example:\n  cocreate validate scenarios/*.toml\n\nExit status: 0 when every file is valid, 2 otherwise."
    )]
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true, value_name = "SCENARIO.toml")]
        scenarios: Vec<PathBuf>,
    },
    /// List the inhibitors, what each stands for and what its intensity
    /// does; with a scenario, also its own and redefined ones.
    #[command(
        after_help = "Examples:\n  cocreate inhibitors\n  cocreate inhibitors scenarios/cases/municipal-open-data.toml\n\nUse them in a scenario file:\n  [inhibitors]\n  low_trust = 0.4\n  red_tape = { intensity = 0.5, kinds = [\"municipal\"] }"
    )]
    Inhibitors {
        /// A scenario whose own inhibitors (and redefined built-ins) to list too.
        #[arg(value_name = "SCENARIO.toml")]
        scenario: Option<PathBuf>,
    },
}

/// Options of `cocreate run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (TOML); none runs the built-in baseline.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenarios: Vec<PathBuf>,

    /// Run each replication at a particle of a calibration's posterior
    /// (the posterior.csv `cocreate calibrate` wrote), drawn by weight: the
    /// results carry parameter uncertainty as well as noise. The scenario is
    /// renamed NAME+posterior unless --name names it.
    #[arg(long, value_name = "posterior.csv")]
    pub posterior: Option<PathBuf>,

    /// Replications per scenario (overrides run.replications).
    #[arg(short = 'r', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub replications: Option<u32>,

    /// Run replication R alone (0-based, as runs.csv numbers them), into
    /// DIR/<scenario name>+replication=R/: its rows equal row R of a full run
    /// with the same master seed, byte for byte.
    #[arg(long, value_name = "R", conflicts_with_all = ["replications", "precision"])]
    pub replication: Option<u32>,

    /// Folder to write results into, one subfolder per scenario.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    #[command(flatten)]
    pub precision: PrecisionArgs,

    #[command(flatten)]
    pub common: CommonArgs,
}

fn parse_precision(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("{s}: expected a positive number, e.g. 0.01 for 1%")),
    }
}

fn parse_master_seed(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(x) if x <= i64::MAX as u64 => Ok(x),
        Ok(_) => Err(format!(
            "{s} is above 2^63 - 1: it looks like a replication's own seed (the `seed` column of runs.csv); to rerun replication R, give the master seed (manifest.json's master_seed) and --replication R"
        )),
        Err(_) => Err(format!("{s}: expected an integer from 0 to 2^63 - 1")),
    }
}

fn parse_window(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{s}: expected A..B, two 0-based steps with A <= B, e.g. 12..59");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    match (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
        (Ok(a), Ok(b)) if a <= b => Ok((a, b)),
        _ => Err(bad()),
    }
}

fn parse_figure(s: &str) -> Result<String, String> {
    if cocreate::RunRecord::FIGURES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown figure `{s}`; the figures are {}",
            cocreate::RunRecord::FIGURES.join(", ")
        ))
    }
}

/// The most worker threads `--threads` (and `SLURM_CPUS_PER_TASK`) may ask for.
pub const MAX_THREADS: u32 = 1024;

/// Options of `cocreate sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep file (TOML).
    #[arg(value_name = "SWEEP.toml")]
    pub sweep: PathBuf,

    /// Worker threads [default: SLURM_CPUS_PER_TASK if set, else all cores].
    /// Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_THREADS)))]
    pub threads: Option<u32>,

    /// Folder to write results into; the sweep writes DIR/<sweep name>/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    /// Check the file, print the number of points and runs and an estimate
    /// of the time from a short calibration run, and stop.
    #[arg(long)]
    pub dry_run: bool,

    /// Write a ready sweep file instead of running one: SWEEP.toml is then a
    /// scenario, and `morris-all` screens its every parameter and inhibitor
    /// (written to ./<scenario name>-morris-all.toml).
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,

    /// Finish an interrupted sweep in its folder: only the missing points
    /// run, and the files end byte-identical to an uninterrupted sweep's.
    #[arg(long)]
    pub resume: bool,

    /// Run only shard I of N (points I-1, I-1+N, ...), into
    /// DIR/<sweep name>.shard-I-of-N/; `cocreate merge` combines the shards.
    /// Without it, SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are used
    /// when set.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Print nothing but errors (no progress bar).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `cocreate merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders (every shard of one sweep), or folders that hold
    /// them (their subfolders named NAME.shard-I-of-N are taken).
    #[arg(value_name = "SHARD_DIR", required_unless_present = "list")]
    pub shards: Vec<PathBuf>,

    /// A file listing shard folders, one per line (for more shards than a
    /// command line holds).
    #[arg(long, value_name = "FILE")]
    pub list: Option<PathBuf>,

    /// Folder to write the merged sweep into, as DIR/<sweep name>/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,
}

/// Options of `cocreate discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// A finished sweep's folder (with points.csv and summary.csv).
    #[arg(value_name = "SWEEP_DIR")]
    pub sweep: PathBuf,

    /// The figure whose mean at each point decides the cases of interest
    /// (a per-replication figure of runs.csv, e.g. total_value_realized).
    #[arg(long, value_name = "NAME")]
    pub metric: String,

    /// A point is a case when its mean is below X.
    #[arg(
        long,
        value_name = "X",
        allow_hyphen_values = true,
        conflicts_with = "above",
        required_unless_present = "above"
    )]
    pub below: Option<f64>,

    /// A point is a case when its mean is above X.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub above: Option<f64>,

    /// The share of a box's points one peel removes.
    #[arg(long, value_name = "A", default_value_t = 0.05)]
    pub peel_alpha: f64,

    /// The share of the points next to a box one paste adds.
    #[arg(long, value_name = "A", default_value_t = 0.05)]
    pub paste_alpha: f64,

    /// The smallest share of the points a box may hold.
    #[arg(long, value_name = "M", default_value_t = 0.05)]
    pub min_mass: f64,

    /// The least density (share of cases inside) of the box shown.
    #[arg(long, value_name = "T", default_value_t = 0.8)]
    pub threshold: f64,

    /// How many boxes to find, each over the points the earlier ones leave.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub boxes: u32,

    /// Folder to write into, as DIR/<sweep folder>-discovery/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    /// No table: errors and warnings only.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `cocreate calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The calibration file (TOML).
    #[arg(value_name = "CALIBRATION.toml")]
    pub calibration: PathBuf,

    /// Folder to write results into, as DIR/<calibration name>/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_THREADS)))]
    pub threads: Option<u32>,

    /// Print nothing but errors and warnings (no progress, no tables).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `cocreate serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A scenario to open the page with (default: the baseline).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: Option<PathBuf>,

    /// The port to listen on (0: any free port, printed).
    #[arg(long, value_name = "PORT", default_value_t = 8321)]
    pub port: u16,

    /// The address to listen on. Anything but 127.0.0.1 (or ::1) makes the
    /// server reachable from other machines: it warns.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,

    /// Worker threads for each simulation [default: all cores]; two
    /// simulations may run at once, each on its own N threads. Results do
    /// not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_THREADS)))]
    pub threads: Option<u32>,

    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// Options of `cocreate slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// The sweep file (TOML).
    #[arg(value_name = "SWEEP.toml")]
    pub sweep: PathBuf,

    /// Number of shards (array tasks).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub shards: u32,

    /// Time limit of each task, as SLURM takes it (e.g. 01:00:00).
    #[arg(long, value_name = "T", default_value = "01:00:00")]
    pub time: String,

    /// Cores per task; the shards use them all.
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_THREADS)))]
    pub cpus: u32,

    /// SLURM partition [default: the cluster's].
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,

    /// Folder for the results (the merged sweep goes to DIR/<sweep name>/).
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    /// Where to write the script [default: <sweep name>.slurm.sh].
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
}

/// Options of `cocreate compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario, then the scenarios to compare with it.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO.toml")]
    pub scenarios: Vec<PathBuf>,

    /// Run each replication at a particle of a calibration's posterior
    /// (the posterior.csv `cocreate calibrate` wrote), drawn by weight: the
    /// results carry parameter uncertainty as well as noise. Every scenario
    /// runs replication r at the same particle: their differences stay
    /// paired. The scenarios are renamed NAME+posterior.
    #[arg(long, value_name = "posterior.csv")]
    pub posterior: Option<PathBuf>,

    /// Replications of each scenario (overrides the base's run.replications).
    #[arg(short = 'r', long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub replications: Option<u32>,

    /// Folder to write into, as DIR/<base name>-compare/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    /// Also compare the step figures over steps A to B (0-based, both
    /// included), written to window.csv: counts and values summed, trust
    /// and openness averaged, public value's gain over the window.
    #[arg(long, value_name = "A..B", value_parser = parse_window)]
    pub window: Option<(u32, u32)>,

    /// Also run every other scenario under another master seed, to measure
    /// the variance reduction directly beside its estimate from the paired
    /// runs (doubles the cost).
    #[arg(long)]
    pub check_pairing: bool,

    #[command(flatten)]
    pub precision: PrecisionArgs,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `cocreate attribute`.
#[derive(Debug, Args)]
pub struct AttributeArgs {
    /// The scenario whose inhibitors are weighed.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,

    /// Replications of each combination (overrides run.replications).
    #[arg(short = 'r', long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub replications: Option<u32>,

    /// Folder to write into, as DIR/<scenario name>-attribution/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `cocreate waterfall`.
#[derive(Debug, Args)]
pub struct WaterfallArgs {
    /// Scenario files (TOML); each is compared with its inhibitor-free twin.
    #[arg(required = true, value_name = "SCENARIO.toml")]
    pub scenarios: Vec<PathBuf>,

    /// Replications of the scenario and of its twin (overrides run.replications).
    #[arg(short = 'r', long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub replications: Option<u32>,

    /// Folder to write into, as DIR/<scenario name>-waterfall/.
    #[arg(short, long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options of `cocreate report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Result folders written by cocreate (run, compare, waterfall,
    /// attribute, sweep), or folders holding such folders.
    #[arg(required = true, value_name = "RESULTS_DIR")]
    pub dirs: Vec<PathBuf>,

    /// The HTML file to write [default: report.html in the first folder, or
    /// NAME-report.html beside it when it is one command's result folder].
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Size of the PNG files, as a multiple of the charts' 800 x 500 pixels:
    /// 2 gives 1600 x 1000, 4 gives 3200 x 2000 (for print); from 1 to 6,
    /// decimals allowed. The PNGs say 96 x S pixels per inch, so they print
    /// at the same size at every scale.
    #[arg(long, value_name = "S", default_value_t = 2.0, value_parser = parse_png_scale)]
    pub png_scale: f64,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--png-scale`: a number from 1 to 6.
fn parse_png_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (1.0..=6.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{s}` is not a scale from 1 to 6 (e.g. 2 for 1600 x 1000 pixels, 4 for print)"
        )),
    }
}

/// Options of every command that runs scenarios (`run`, `compare`,
/// `attribute`, `waterfall`).
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Master seed, shared by all scenarios (overrides run.seed), from 0 to
    /// 2^63 - 1 (manifest.json's master_seed; the `seed` column of runs.csv
    /// is each replication's own, derived from it).
    #[arg(short, long, value_name = "S", value_parser = parse_master_seed)]
    pub seed: Option<u64>,

    /// Override a parameter in every scenario: a dotted key of MODEL.md
    /// section 2 or inhibitors.NAME, e.g. governance.legal_level=0.5.
    /// Repeatable. The scenario is then renamed after what changed
    /// (baseline+legal_level=0.5), and writes into that folder, unless
    /// --name names it.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// The name of the scenario (and of its folder), instead of its own or,
    /// with --set, its own followed by what --set changed. With one
    /// scenario file only.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_THREADS)))]
    pub threads: Option<u32>,

    /// Print nothing but errors and warnings (no progress bar, no table).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--precision` and its companions (`run` and `compare`).
#[derive(Debug, Args)]
pub struct PrecisionArgs {
    /// Keep adding replications, in batches of the first size, until the
    /// 95% interval's half-width of the target figure is within REL of its
    /// mean (e.g. 0.01 for 1%; for `compare`, the interval of every
    /// scenario's paired difference from the base, relative to the base's
    /// mean), from --min-replications up to --max-replications.
    #[arg(long, value_name = "REL", value_parser = parse_precision)]
    pub precision: Option<f64>,

    /// The figure --precision watches.
    #[arg(long, value_name = "NAME", default_value = "total_value_realized", value_parser = parse_figure)]
    pub target: String,

    /// The fewest replications --precision may stop at (fewer give
    /// intervals that cover the mean less often than they claim).
    #[arg(long, value_name = "N", default_value_t = cocreate::experiment::precision::MIN_REPLICATIONS, value_parser = clap::value_parser!(u32).range(2..))]
    pub min_replications: u32,

    /// The most replications --precision may run.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(2..))]
    pub max_replications: u32,
}

impl PrecisionArgs {
    /// The stopping rule, when `--precision` is given; the minimum must not
    /// exceed the maximum.
    pub fn rule(&self) -> Result<Option<cocreate::experiment::precision::Precision>, String> {
        let Some(rel) = self.precision else {
            return Ok(None);
        };
        if self.min_replications > self.max_replications {
            return Err(format!(
                "--min-replications {} is above --max-replications {}: give a smaller minimum (at least 30 is advised) or a larger maximum",
                self.min_replications, self.max_replications
            ));
        }
        Ok(Some(cocreate::experiment::precision::Precision {
            rel,
            min: self.min_replications,
            max: self.max_replications,
        }))
    }
}
