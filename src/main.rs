//! The `cocreate` command: parse the command line, call the library, print
//! the error chain, set the exit status.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut chain = err.chain();
            if let Some(first) = chain.next() {
                eprintln!("error: {first}");
            }
            for cause in chain {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit_status(&err))
        }
    }
}

/// 2 for input that cannot be used, 128 + the signal's number for a run a
/// signal stopped (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP), 1 for
/// anything else.
fn exit_status(err: &anyhow::Error) -> u8 {
    if err.chain().any(|e| e.is::<commands::BadInput>()) {
        2
    } else if err.chain().any(|e| e.is::<commands::Interrupted>()) {
        (128 + commands::stop_signal()).clamp(0, 255) as u8
    } else {
        1
    }
}
