//! `compose2ecs build`: the images of the services compose builds, made
//! with Docker Buildx (`steps/images.rs`): `docker buildx bake` reads the
//! project's compose files plus a generated override that sets, per
//! service, the image the task definition runs, the task's platform, and
//! the build args and target as compose2ecs read them.

use std::path::Path;

use crate::args::BuildArgs;
use crate::outcome::{Ended, Outcome};
use crate::steps::images::{Prepared, bake_args, bake_override, build, prepare};

pub(crate) fn run(args: &BuildArgs) -> Ended {
    let Prepared {
        reporter,
        targets,
        files,
        docker,
        ..
    } = prepare(&args.conversion, &args.images)?;
    if args.dry_run {
        let call = bake_args(&files, Path::new("compose2ecs.bake.json"), &targets);
        let line = std::iter::once(docker.bin.display().to_string())
            .chain(call)
            .map(|a| shell_words::quote(&a).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        return Ok(crate::report::stdout(
            format!(
                "# compose2ecs.bake.json:\n{:#}\n{line}\n",
                bake_override(&targets)
            )
            .as_bytes(),
        ));
    }
    build(&docker, &files, &targets, reporter).map_err(|m| reporter.fail(&m))?;
    reporter.done("built; next: `compose2ecs push`");
    Ok(Outcome::Success)
}
