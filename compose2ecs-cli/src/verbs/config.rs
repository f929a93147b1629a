//! `compose2ecs config`: the project as compose2ecs reads it, like `docker
//! compose config`.

use crate::args::{ConfigArgs, ConfigFormat};
use crate::context::load_input;
use crate::outcome::{Ended, Outcome};
use crate::report::Reporter;

pub(crate) fn run(args: &ConfigArgs) -> Ended {
    let reporter = Reporter {
        json: false,
        quiet: args.quiet,
    };
    let (input, options) = load_input(reporter, &args.project, &[], None)?;
    match compose2ecs_core::config(&input, &options) {
        Ok((tree, diagnostics)) => {
            reporter.diagnostics(Some(tree.sources()), &diagnostics);
            // Relative paths print absolute, as docker compose prints them.
            let cwd = std::env::current_dir().unwrap_or_default();
            let text = match args.format {
                ConfigFormat::Yaml => tree.to_canonical_yaml(&cwd),
                ConfigFormat::Json => tree.to_canonical_json(&cwd).map(|mut s| {
                    // docker compose ends without a newline; a text stream
                    // ends with one.
                    s.push('\n');
                    s
                }),
            }
            .unwrap_or_default();
            Ok(crate::report::stdout(text.as_bytes()))
        }
        Err(e) => {
            reporter.diagnostics(Some(e.sources()), e.diagnostics());
            Err(Outcome::Rejected)
        }
    }
}
