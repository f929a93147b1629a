//! `compose2ecs run SERVICE [-- CMD…]`: one task of a compose service, run to
//! completion the way `docker compose run` runs a container — its task
//! definition registered, started where the service runs, the command
//! overridden, waited for — and the container's exit code as our own.

use std::time::{Duration, Instant};

use crate::args::{AwsArgs, RunArgs};
use crate::cmd::{aws, converted, jobs, scratch};
use crate::outcome::Outcome;

pub(crate) fn run(args: &RunArgs) -> Outcome {
    let (reporter, conversion) = match converted(&args.conversion, &[], None) {
        Ok(c) => c,
        Err(o) => return o,
    };
    // Docker's `x-aws-vpc`: the subnets of `network.vpc`, looked up.
    let conversion =
        match crate::cmd::vpc::subnets(&args.aws_cli, args.dry_run, reporter, &conversion)
            .and_then(|s| crate::cmd::vpc::placed(&args.conversion, reporter, conversion, &s))
        {
            Ok(c) => c,
            Err(o) => return o,
        };
    let Some(placement) = conversion.placements.get(&args.service) else {
        let mut names: Vec<&str> = conversion.placements.keys().map(String::as_str).collect();
        names.sort_unstable();
        reporter.error(&format!(
            "no service `{}` in this project (or its profiles are not active); it has: {}",
            args.service,
            names.join(", ")
        ));
        return Outcome::Rejected;
    };
    let family = placement.family.as_str();
    let (Some(td), Some(input)) = (
        conversion.task_definitions.get(family),
        conversion.run_task(family),
    ) else {
        reporter.error(&format!("bug: `{family}` has no task definition"));
        return Outcome::Rejected;
    };
    if td.network_mode == "awsvpc" && input.network_configuration.is_none() {
        reporter.error(&format!(
            "{family} uses the awsvpc network mode and has no network configuration, which ECS requires to run a task; set `network: {{subnets: [subnet-…], security_groups: [sg-…]}}` in compose2ecs.yaml"
        ));
        return Outcome::Rejected;
    }
    let overrides = (!args.command.is_empty()).then(|| {
        serde_json::json!({"containerOverrides": [
            {"name": placement.container, "command": args.command}
        ]})
    });
    let aws_args = AwsArgs {
        families: vec![family.to_owned()],
        aws_cli: args.aws_cli.clone(),
        dry_run: args.dry_run,
    };
    let aws = aws(&aws_args, reporter, &conversion);
    if !args.dry_run {
        if let Err(m) = crate::cmd::capability::check(&aws, &conversion, &[family], false) {
            return crate::cmd::fail(reporter, &m);
        }
    }

    if args.dry_run {
        let td_json = serde_json::to_string(td).unwrap_or_default();
        let mut run = serde_json::to_value(&input).unwrap_or_default();
        if let Some(o) = &overrides {
            run["overrides"] = o.clone();
        }
        let run = run.to_string();
        let cluster = input.cluster.as_deref().unwrap_or("default");
        let calls: [&[&str]; 3] = [
            &[
                "ecs",
                "register-task-definition",
                "--cli-input-json",
                &td_json,
            ],
            &["ecs", "run-task", "--cli-input-json", &run],
            &[
                "ecs",
                "wait",
                "tasks-stopped",
                "--cluster",
                cluster,
                "--tasks",
                "<the task ARN>",
            ],
        ];
        let lookup = crate::cmd::vpc::unresolved(&conversion).map(crate::cmd::vpc::lookup_call);
        let lookup: Vec<&str> = lookup.iter().flatten().map(String::as_str).collect();
        let calls: Vec<&[&str]> = std::iter::once(lookup.as_slice())
            .filter(|l| !l.is_empty())
            .chain(calls)
            .collect();
        let commands: Vec<Vec<String>> = calls.iter().map(|c| aws.argv(c)).collect();
        if reporter.json {
            return crate::write::document(&serde_json::json!({
                "status": "dry-run",
                "commands": commands,
            }));
        }
        let text: String = calls.iter().map(|c| aws.command_line(c) + "\n").collect();
        return crate::write::stdout(text.as_bytes());
    }

    let dir = match scratch(reporter) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let (arn, revision) = match aws.register_definition(dir.path(), td) {
        Ok(r) => r,
        Err(e) => {
            reporter.error(&format!("registering `{family}` failed: {e}"));
            return Outcome::Rejected;
        }
    };
    reporter.registered(&revision, &arn);
    let started = match jobs::start(&aws, dir.path(), &input, &revision, overrides) {
        Ok(s) => s,
        Err(e) => {
            reporter.error(&format!("running `{}` failed: {e}", args.service));
            return Outcome::Rejected;
        }
    };
    reporter.progress(&format!("started {}", started.tasks.join(", ")));
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout);
    let stopped = match jobs::wait(
        &aws,
        &started,
        deadline,
        Duration::from_secs_f64(args.interval),
        reporter,
    ) {
        Ok(s) => s,
        Err(m) => {
            reporter.error(&m);
            return Outcome::Rejected;
        }
    };
    let code = jobs::exit_code(&stopped, &placement.container);
    let failed = jobs::failures(td, &stopped);
    if !failed.is_empty() {
        jobs::report_failure(&aws, td, &stopped, &format!("`{}`", args.service), reporter);
    }
    if reporter.json {
        let _ = crate::write::document(&serde_json::json!({
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
    match code {
        // Another essential container failed the task.
        Some(0) if !failed.is_empty() => Outcome::Rejected,
        Some(c) => Outcome::Exit(u8::try_from(c.clamp(0, 255)).unwrap_or(1)),
        None => Outcome::Rejected,
    }
}
