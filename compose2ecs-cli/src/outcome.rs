//! Every way the program ends; the one place exit codes are decided.

use std::process::ExitCode;

pub(crate) enum Outcome {
    Success,
    Rejected,
    /// `run`: the container's own exit code.
    Exit(u8),
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Rejected => ExitCode::from(1),
            Outcome::Exit(code) => ExitCode::from(code),
        }
    }
}
