//! Every way the program ends; the one place exit codes are decided.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// What a verb returns: how it ended, or (`Err`) an end it already
/// reported that stopped it early, so that `?` carries a refusal out of
/// any step. `main` makes no difference between the two.
pub(crate) type Ended = Result<Outcome, Outcome>;
