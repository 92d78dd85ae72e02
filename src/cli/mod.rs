//! The binary's command layer: clap arguments → library settings → commands.

mod args;
mod commands;
mod progress;
mod settings;

use clap::Parser;
use std::process::ExitCode;

/// Parses the command line and runs the chosen command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    match cli.command {
        args::Command::Scan(a) => commands::scan::run(a),
        args::Command::Dedup(a) => commands::dedup::run(a),
        args::Command::Eval(a) => commands::eval::run(a),
        args::Command::Compare(a) => commands::compare::run(a),
    }
}
