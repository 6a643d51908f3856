//! `hubsel`: the command line. Parses arguments and hands each subcommand
//! to its module, which turns the flags into the library's options, calls
//! the library and prints; errors become exit codes (0 success, 2 a
//! run-level problem with the inputs, scenario or output).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod compare;
mod matrix;
mod options;
mod progress;
mod run;
mod serve;
mod synth;

#[derive(Parser)]
#[command(
    name = "hubsel",
    version,
    about = "Pick quality hub schools per district and network the schools around them along the roads"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a selection scenario (on the embedded province when no input is given).
    Run(run::RunArgs),
    /// Check inputs and scenario without selecting hubs; writes rejects.csv.
    Validate(run::RunArgs),
    /// Write a synthetic data set.
    Synth(synth::SynthArgs),
    /// Time the stages and compare strategies on the same travel times.
    Bench(bench::BenchArgs),
    /// Compare two run folders: changed hubs, moved schools, figures.
    Compare(compare::CompareArgs),
    /// Door-to-door travel times from every origin to every destination along the roads.
    Matrix(matrix::MatrixArgs),
    /// The planner's workbench in the browser: change the scenario with the mouse, see the hubs and why.
    Serve(serve::ServeArgs),
}

/// A run-level problem: message printed, exit status 2.
struct Fatal(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.into())
    }
}

fn main() -> ExitCode {
    // Die quietly when the reader of our output goes away (`hubsel compare
    // a b | head`), as Unix tools do, instead of panicking on a failed print.
    // SAFETY: setting a signal's disposition to the default, before any
    // thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate(args) => run::validate(&args),
        Command::Synth(args) => synth::synth(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Matrix(args) => matrix::matrix(&args),
        Command::Serve(args) => serve::serve(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fatal(e)) => {
            progress::report_error(&e);
            eprintln!("hubsel: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
