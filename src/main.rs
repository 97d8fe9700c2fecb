//! The `spindle` command. Without a subcommand it runs the seed network
//! (NEST's `brunel_alpha_nest.py`) and prints its summary; `spindle bench`
//! sweeps it over orders and threads; `spindle compare` compares two result
//! sets. A thin driver: parse flags, validate them into a configuration,
//! call the library crates, print.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

mod bench;
mod cli;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Simulate NEST's brunel_alpha_nest.py (Brunel 2000, alpha synapses) and
/// print its summary; or benchmark it.
#[derive(Debug, Parser)]
#[command(
    name = "spindle",
    version,
    about,
    allow_negative_numbers = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: cli::RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sweep the seed network over orders and threads into a result set.
    Bench(bench::BenchArgs),
    /// Compare two result sets; exits 1 when NEW is slower beyond noise.
    Compare(bench::CompareArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first, without its usage block.
            let text = e.render().to_string();
            eprintln!(
                "{}",
                text.lines().next().unwrap_or("error: invalid arguments")
            );
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        None => cli::run(cli.run).map(|()| ExitCode::SUCCESS),
        Some(Command::Bench(args)) => bench::bench(args).map(|interrupted| {
            if interrupted {
                ExitCode::from(bench::INTERRUPTED)
            } else {
                ExitCode::SUCCESS
            }
        }),
        Some(Command::Compare(args)) => bench::compare(args).map(|regressed| {
            if regressed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })
}
