//! The `cocreate` command line, as a library: its options ([`cli`]), its
//! commands ([`commands`]), and [`main`], which the binary calls. The
//! Python package (`python/`) runs the same commands in-process through
//! [`execute`], so that its results are the command line's, file for file.

pub mod cli;
pub mod commands;
pub mod embedded;

use clap::Parser;
use std::process::ExitCode;

/// The `cocreate` command: parse the command line, run the command, print
/// the error chain, set the exit status.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_text(&err));
            ExitCode::from(exit_status(&err))
        }
    }
}

/// Runs the command of `args` (without the program's name), as the
/// command line would, but returns its error instead of printing it.
/// Bad arguments are an error too, with clap's message.
pub fn execute<I, S>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString> + Clone,
{
    let program = std::iter::once(std::ffi::OsString::from("cocreate"));
    let cli = cli::Cli::try_parse_from(program.chain(args.into_iter().map(Into::into)))
        .map_err(|e| commands::BadInput(e.to_string()))?;
    dispatch(cli)
}

fn dispatch(cli: cli::Cli) -> anyhow::Result<()> {
    match cli.command {
        cli::Command::Run(args) => commands::run(args),
        cli::Command::Compare(args) => commands::compare(args),
        cli::Command::Attribute(args) => commands::attribute(args),
        cli::Command::Waterfall(args) => commands::waterfall(args),
        cli::Command::Report(args) => commands::report(args),
        cli::Command::Sweep(args) => commands::sweep(args),
        cli::Command::Merge(args) => commands::merge(args),
        cli::Command::Discover(args) => commands::discover(args),
        cli::Command::Calibrate(args) => commands::calibrate(args),
        cli::Command::Serve(args) => commands::serve(args),
        cli::Command::Slurm(args) => commands::slurm(args),
        cli::Command::Validate { scenarios } => commands::validate(&scenarios),
        cli::Command::Inhibitors { scenario } => commands::inhibitors(scenario.as_deref()),
    }
}

/// What a command's error means for whoever ran it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Input that cannot be used (a file, a value, an argument, a run too
    /// large for memory or time): nothing was written.
    BadInput,
    /// A signal (or the embedding host) stopped it.
    Interrupted,
    /// Anything else (a file that cannot be written, ...).
    Other,
}

/// The kind of failure an error of [`execute`] or [`main`] is.
pub fn failure(err: &anyhow::Error) -> Failure {
    if err.chain().any(|e| e.is::<commands::BadInput>()) {
        Failure::BadInput
    } else if err.chain().any(|e| e.is::<commands::Interrupted>()) {
        Failure::Interrupted
    } else {
        Failure::Other
    }
}

/// An error as the command line prints it after `error: `: the error, then
/// each cause on a line of its own (`  caused by: ...`).
pub fn error_text(err: &anyhow::Error) -> String {
    let mut chain = err.chain();
    let mut text = chain.next().map(|e| e.to_string()).unwrap_or_default();
    for cause in chain {
        text.push_str("\n  caused by: ");
        text.push_str(&cause.to_string());
    }
    text
}

/// 2 for input that cannot be used, 128 + the signal's number for a run a
/// signal stopped (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP), 1 for
/// anything else.
pub fn exit_status(err: &anyhow::Error) -> u8 {
    match failure(err) {
        Failure::BadInput => 2,
        Failure::Interrupted => (128 + commands::stop_signal()).clamp(0, 255) as u8,
        Failure::Other => 1,
    }
}
