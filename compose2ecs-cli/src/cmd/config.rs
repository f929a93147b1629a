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
    let (input, options) = match load_input(reporter, &args.project, None) {
        Ok(i) => i,
        Err(o) => return o,
    };
    match compose2ecs_core::config(&input, &options) {
        Ok((tree, diagnostics)) => {
            reporter.diagnostics(Some(tree.sources()), &diagnostics);
            let text = match args.format {
                ConfigFormat::Yaml => tree.to_yaml(),
                ConfigFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&tree.to_json()).unwrap_or_default();
                    s.push('\n');
                    s
                }
            };
            write::stdout(text.as_bytes())
        }
        Err(e) => {
            reporter.diagnostics(Some(e.sources()), e.diagnostics());
            Outcome::Rejected
        }
    }
}
