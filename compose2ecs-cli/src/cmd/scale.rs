//! `compose2ecs scale SERVICE=N …`: the desired counts of the project's
//! services, checked against their scaling limits before any call.

use serde_json::json;

use crate::args::ScaleArgs;
use crate::cmd::ps::{cluster_of, owner};
use crate::cmd::{aws_at, converted, fail};
use crate::outcome::Outcome;

pub(crate) fn run(args: &ScaleArgs) -> Outcome {
    let (reporter, conversion) = match converted(&args.conversion, &[], None) {
        Ok(c) => c,
        Err(o) => return o,
    };
    // Every assignment is checked before the first call.
    let mut calls = Vec::new();
    for a in &args.counts {
        let Some((name, count)) = a.split_once('=') else {
            return fail(
                reporter,
                &format!("`{a}`: write SERVICE=COUNT, such as web=3"),
            );
        };
        let Ok(count) = count.trim().parse::<u32>() else {
            return fail(
                reporter,
                &format!("`{a}`: the count is a whole number of tasks"),
            );
        };
        let found = conversion
            .services
            .iter()
            .find(|(f, _)| owner(&conversion.task_definitions[*f]) == name);
        let Some((family, svc)) = found else {
            let all: Vec<&str> = conversion
                .services
                .keys()
                .map(|f| owner(&conversion.task_definitions[f]))
                .collect();
            return fail(
                reporter,
                &format!(
                    "`{name}` is not a service of this project that runs as an ECS service (jobs and scheduled tasks have no count); the services: {}",
                    all.join(", ")
                ),
            );
        };
        if let Some(s) = conversion.scaling.get(family) {
            let t = &s.scalable_target;
            if count < t.min_capacity || count > t.max_capacity {
                return fail(
                    reporter,
                    &format!(
                        "`{name}` scales between {} and {} tasks (`services.{name}.scaling`), so {count} is out of range; change the limits in compose2ecs.yaml and deploy",
                        t.min_capacity, t.max_capacity
                    ),
                );
            }
        }
        calls.push((
            name.to_owned(),
            count,
            cluster_of(&conversion, family),
            svc.service_name.clone(),
        ));
    }
    let aws = aws_at(&args.cli.aws_cli, args.dry_run, reporter, &conversion);
    let mut out = String::new();
    for (name, count, cluster, service) in &calls {
        let n = count.to_string();
        let call = [
            "ecs",
            "update-service",
            "--cluster",
            cluster.as_str(),
            "--service",
            service.as_str(),
            "--desired-count",
            n.as_str(),
        ];
        if args.dry_run {
            out.push_str(&aws.command_line(&call));
            out.push('\n');
            continue;
        }
        match aws.json(&call) {
            Ok(_) => reporter.progress(&format!("{name}: desired count {count} ({service})")),
            Err(e) => return fail(reporter, &format!("scaling {name} failed: {e}")),
        }
    }
    if args.dry_run {
        if reporter.json {
            let commands: Vec<_> = out.lines().collect();
            return crate::write::document(&json!({"status": "dry-run", "commands": commands}));
        }
        return crate::write::stdout(out.as_bytes());
    }
    Outcome::Success
}
