//! The `newsdup` command line: parses arguments, runs a command, maps errors
//! to exit codes (0 success, 1 duplicates found with `--fail-on-duplicates`,
//! 2 error). A closed stdout (`newsdup scan … | head`) exits quietly.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("newsdup: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
