//! `compose2ecs completions SHELL` and `compose2ecs man DIR`: generated from the
//! clap definitions, so they never disagree with `--help`.

use clap::CommandFactory as _;

use crate::args::Cli;
use crate::outcome::Outcome;
use crate::write;

pub(crate) fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "compose2ecs", &mut out);
    write::stdout(&out)
}

pub(crate) fn man(dir: &std::path::Path) -> Outcome {
    let written =
        std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir));
    match written {
        Ok(()) => Outcome::Success,
        Err(e) => {
            crate::report::Reporter::default().error(&format!(
                "cannot write the man pages into `{}`: {e}",
                dir.display()
            ));
            Outcome::Rejected
        }
    }
}
