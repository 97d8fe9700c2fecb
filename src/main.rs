//! The `spindle` command. Without a subcommand it runs the seed network
//! (NEST's `brunel_alpha_nest.py`), or with `--network microcircuit` the
//! PD14 cortical microcircuit (NEST's example), `hpc_benchmark` NEST's
//! hpc_benchmark.py, `brette2007` NEST's Brette et al. (2007) benchmarks,
//! and prints its summary;
//! `spindle bench` sweeps either over sizes and threads; `spindle compare`
//! compares two result sets. A thin driver: parse flags, validate them into a configuration,
//! call the library crates, print.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

mod bench;
mod cli;
mod report;

use std::io::Write;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Simulate NEST's brunel_alpha_nest.py (Brunel 2000, alpha synapses), or
/// with --network microcircuit the cortical microcircuit of Potjans &
/// Diesmann (2014) as NEST's PD14 example builds it, with --network
/// hpc_benchmark NEST's hpc_benchmark.py, with --network brette2007 NEST's
/// Brette et al. (2007) benchmarks, and print its summary; or benchmark
/// them.
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
    run: spindle::args::RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sweep a network over sizes and threads into a result set.
    Bench(Box<bench::BenchArgs>),
    /// Compare two result sets; exits 1 when NEW is slower beyond noise.
    Compare(bench::CompareArgs),
    /// Follow the figures over many result sets (history.md, history.html);
    /// exits 1 when a machine's newest set is slower than the set before.
    History(bench::HistoryArgs),
}

/// Exit statuses (the README lists them): 0 done; 1 a run failed after it
/// started, or `compare` found a slowdown; 2 bad input, refused before
/// anything ran; 130 stopped by Ctrl-C, with what was done written whole;
/// 141 stdout or stderr was closed (as `| head`), the run ended quietly.
const EXIT_FAILED: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_INTERRUPTED: u8 = 130;
const EXIT_CLOSED_OUTPUT: u8 = 141;

/// Whether `e` comes from writing to a closed stdout or stderr.
fn closed_output(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || matches!(
                c.downcast_ref::<spindle::engine::EngineError>(),
                Some(spindle::engine::EngineError::StderrClosed)
            )
    })
}

/// The command line, with the flags given on it recorded in the run's
/// flags (those of one network are refused for the other).
fn parse() -> Result<Cli, clap::Error> {
    let matches = Cli::command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.run.given = matches
        .ids()
        .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect();
    Ok(cli)
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first, without its usage block.
            let text = e.render().to_string();
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                text.lines().next().unwrap_or("error: invalid arguments")
            );
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let interrupted = |stopped: bool| ExitCode::from(if stopped { EXIT_INTERRUPTED } else { 0 });
    let result =
        match cli.command {
            None => cli::run(cli.run).map(interrupted),
            Some(Command::Bench(args)) => bench::bench(*args).map(interrupted),
            Some(Command::Compare(args)) => bench::compare(args)
                .map(|slower| ExitCode::from(if slower { EXIT_FAILED } else { 0 })),
            Some(Command::History(args)) => bench::history(args)
                .map(|slower| ExitCode::from(if slower { EXIT_FAILED } else { 0 })),
        };
    result.unwrap_or_else(|e| {
        if closed_output(&e) {
            return ExitCode::from(EXIT_CLOSED_OUTPUT);
        }
        if cli::reports_errors() {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
        }
        ExitCode::from(if e.is::<cli::RunFailed>() {
            EXIT_FAILED
        } else {
            EXIT_BAD_INPUT
        })
    })
}
