//! `compose2ecs completions SHELL` and `compose2ecs man DIR`: generated from the
//! clap definitions, so they never disagree with `--help`.

use clap::CommandFactory as _;

use crate::args::Cli;
use crate::outcome::{Ended, Outcome};
use crate::report::Reporter;

pub(crate) fn completions(shell: clap_complete::Shell) -> Ended {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "compose2ecs", &mut out);
    Ok(crate::report::stdout(&out))
}

pub(crate) fn man(dir: &std::path::Path) -> Ended {
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(Cli::command(), dir))
        .map_err(|e| {
            let message = format!("cannot write the man pages into `{}`: {e}", dir.display());
            Reporter::default().fail(&message)
        })?;
    Ok(Outcome::Success)
}
