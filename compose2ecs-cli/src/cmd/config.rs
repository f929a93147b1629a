//! `compose2ecs config`: the project as compose2ecs reads it, like `docker
//! compose config`.

use crate::args::{ConfigArgs, ConfigFormat};
use crate::cmd::load_input;
use crate::outcome::Outcome;
use crate::report::Reporter;
use crate::write;

pub(crate) fn run(args: &ConfigArgs) -> Outcome {
    let reporter = Reporter {
        json: false,
        quiet: args.quiet,
    };
    let (input, options) = match load_input(reporter, &args.project, &[], None) {
        Ok(i) => i,
        Err(o) => return o,
    };
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
            write::stdout(text.as_bytes())
        }
        Err(e) => {
            reporter.diagnostics(Some(e.sources()), e.diagnostics());
            Outcome::Rejected
        }
    }
}
