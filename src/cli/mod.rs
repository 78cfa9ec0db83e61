//! The `rapport` command: the engine and importers on files.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    eprintln!("rapport: commands arrive with the CLI issue");
    ExitCode::from(2)
}
