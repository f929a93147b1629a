//! `compose2ecs run SERVICE [-- CMD…]`: one task of a compose service, run to
//! completion the way `docker compose run` runs a container — its task
//! definition registered, started where the service runs, the command
//! overridden, waited for — and the container's exit code as our own.

use std::time::{Duration, Instant};

use compose2ecs_core::{Placement, RunTask, TaskDefinition};
use serde_json::Value;

use crate::args::RunArgs;
use crate::context::{Context, scratch};
use crate::outcome::{Ended, Outcome};
use crate::steps::calls::{self, Call};
use crate::steps::jobs;

pub(crate) fn run(args: &RunArgs) -> Ended {
    let mut ctx = Context::resolve(&args.conversion, &[], None)?;
    let reporter = ctx.reporter;
    // Docker's `x-aws-vpc`: the subnets of `network.vpc`, looked up.
    let subnets = crate::steps::vpc::subnets(&ctx, &args.aws_cli, args.dry_run)?;
    crate::steps::vpc::place(&mut ctx, &subnets)?;
    let (placement, td, input) = runnable(&ctx, &args.service)?;
    let family = placement.family.as_str();
    let overrides = (!args.command.is_empty()).then(|| {
        serde_json::json!({"containerOverrides": [
            {"name": placement.container, "command": args.command}
        ]})
    });
    let aws = ctx.aws(&args.aws_cli, args.dry_run);
    if args.dry_run {
        let calls = dry_run(&ctx, td, &input, overrides.as_ref());
        return Ok(calls::show(&aws, &calls, reporter, None));
    }
    crate::steps::capability::check(&aws, &ctx.conversion, &[family], false)
        .map_err(|m| reporter.fail(&m))?;
    let dir = scratch(reporter)?;
    let (arn, revision) = aws
        .register_definition(dir.path(), td)
        .map_err(|e| reporter.fail(&format!("registering `{family}` failed: {e}")))?;
    reporter.registered(&revision, &arn);
    let started = jobs::start(&aws, dir.path(), &input, &revision, overrides)
        .map_err(|e| reporter.fail(&format!("running `{}` failed: {e}", args.service)))?;
    reporter.progress(&format!("started {}", started.tasks.join(", ")));
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout);
    let interval = Duration::from_secs_f64(args.interval);
    let stopped =
        jobs::wait(&aws, &started, deadline, interval, reporter).map_err(|m| reporter.fail(&m))?;
    let code = jobs::exit_code(&stopped, &placement.container);
    let failed = jobs::failures(td, &stopped);
    if !failed.is_empty() {
        jobs::report_failure(&aws, td, &stopped, &format!("`{}`", args.service), reporter);
    }
    if reporter.json {
        let _ = crate::report::document(&serde_json::json!({
            "status": if failed.is_empty() { "succeeded" } else { "failed" },
            "region": aws.region,
            "service": args.service,
            "revision": revision,
            "tasks": started.tasks,
            "exitCode": code,
            "errors": crate::report::errors(),
        }));
    } else if failed.is_empty() {
        reporter.done(&format!("`{}` exited with code 0", args.service));
    }
    Ok(match code {
        // Another essential container failed the task.
        Some(0) if !failed.is_empty() => Outcome::Rejected,
        Some(c) => Outcome::Exit(u8::try_from(c.clamp(0, 255)).unwrap_or(1)),
        None => Outcome::Rejected,
    })
}

/// The compose service `service`: where it runs, its task definition and
/// the `run-task` input; refused when there is no such service or ECS
/// cannot start it as it is (awsvpc without subnets).
fn runnable<'c>(
    ctx: &'c Context,
    service: &str,
) -> Result<(&'c Placement, &'c TaskDefinition, RunTask), Outcome> {
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let Some(placement) = conversion.placements.get(service) else {
        let mut names: Vec<&str> = conversion.placements.keys().map(String::as_str).collect();
        names.sort_unstable();
        return Err(reporter.fail(&format!(
            "no service `{service}` in this project (or its profiles are not active); it has: {}",
            names.join(", ")
        )));
    };
    let family = placement.family.as_str();
    let (Some(td), Some(input)) = (
        conversion.task_definitions.get(family),
        conversion.run_task(family),
    ) else {
        return Err(reporter.fail(&format!("bug: `{family}` has no task definition")));
    };
    if td.network_mode == "awsvpc" && input.network_configuration.is_none() {
        return Err(reporter.fail(&format!(
                "{family} uses the awsvpc network mode and has no network configuration, which ECS requires to run a task; set `network: {{subnets: [subnet-…], security_groups: [sg-…]}}` in compose2ecs.yaml"
            ),
        ));
    }
    Ok((placement, td, input))
}

/// `--dry-run`: the subnets looked up (when they must be), the task
/// definition registered, the task run, waited for.
fn dry_run(
    ctx: &Context,
    td: &TaskDefinition,
    input: &RunTask,
    overrides: Option<&Value>,
) -> Vec<Call> {
    let td_json = serde_json::to_string(td).unwrap_or_default();
    let mut run = serde_json::to_value(input).unwrap_or_default();
    if let Some(o) = overrides {
        run["overrides"] = o.clone();
    }
    let run = run.to_string();
    let cluster = input.cluster.as_deref().unwrap_or("default");
    let lookup = crate::steps::vpc::unresolved(&ctx.conversion).map(|vpc| Call {
        comment: String::new(),
        args: crate::steps::vpc::lookup_call(vpc),
    });
    lookup
        .into_iter()
        .chain([
            Call::new(
                "",
                &[
                    "ecs",
                    "register-task-definition",
                    "--cli-input-json",
                    &td_json,
                ],
            ),
            Call::new("", &["ecs", "run-task", "--cli-input-json", &run]),
            calls::wait_stopped("", cluster, "<the task ARN>"),
        ])
        .collect()
}
