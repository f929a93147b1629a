//! `compose2ecs push`: the images `build` made, pushed where the task
//! definitions say they run (`steps/images.rs`): the ECR repositories that
//! are missing created, Docker logged in with a password piped on stdin
//! (never an argument), and each image's digest recorded, which `convert
//! --image-digests` and `deploy --build` pin.

use crate::args::PushArgs;
use crate::outcome::{Ended, Outcome};
use crate::steps::images::{Prepared, prepare, push};

pub(crate) fn run(args: &PushArgs) -> Ended {
    let Prepared {
        reporter,
        conversion,
        targets,
        docker,
        ..
    } = prepare(&args.conversion, &args.images)?;
    let d = push(&docker, &args.aws_cli, &targets, &conversion, reporter)
        .and_then(|d| crate::digests::write(&args.digests, &d).map(|()| d))
        .map_err(|m| reporter.fail(&m))?;
    reporter.done(&format!(
        "pushed {}; digests in {} (next: `compose2ecs deploy --image-digests {}`)",
        d.len(),
        args.digests.display(),
        args.digests.display()
    ));
    Ok(Outcome::Success)
}
