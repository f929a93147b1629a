//! `compose2ecs scale SERVICE=N …`: the desired counts of the project's
//! services, checked against their scaling limits before any call.

use serde_json::json;

use crate::args::ScaleArgs;
use crate::context::Context;
use crate::outcome::{Ended, Outcome};
use crate::steps::family::{cluster_of, owner};

pub(crate) fn run(args: &ScaleArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &[], None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    // Every assignment is checked before the first call.
    let mut calls = Vec::new();
    for a in &args.counts {
        let Some((name, count)) = a.split_once('=') else {
            return Err(reporter.fail(&format!("`{a}`: write SERVICE=COUNT, such as web=3")));
        };
        let Ok(count) = count.trim().parse::<u32>() else {
            return Err(reporter.fail(&format!("`{a}`: the count is a whole number of tasks")));
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
            return Err(reporter.fail(&format!(
                    "`{name}` is not a service of this project that runs as an ECS service (jobs and scheduled tasks have no count); the services: {}",
                    all.join(", ")
                ),
            ));
        };
        if let Some(s) = conversion.scaling.get(family) {
            let t = &s.scalable_target;
            if count < t.min_capacity || count > t.max_capacity {
                return Err(reporter.fail(&format!(
                        "`{name}` scales between {} and {} tasks (`services.{name}.scaling`), so {count} is out of range; change the limits in compose2ecs.yaml and deploy",
                        t.min_capacity, t.max_capacity
                    ),
                ));
            }
        }
        calls.push((
            name.to_owned(),
            count,
            cluster_of(conversion, family),
            svc.service_name.clone(),
            family.clone(),
        ));
    }
    let aws = ctx.aws(&args.cli.aws_cli, args.dry_run);
    if !args.dry_run {
        // A service of the same name this project did not create keeps its
        // count: `deploy --adopt` takes one over.
        let families: Vec<&str> = calls.iter().map(|c| c.4.as_str()).collect();
        let strangers =
            crate::steps::service::strangers(&aws, conversion, &families).map_err(|e| {
                reporter.fail(&format!(
                    "reading the live services failed: {e}; nothing was scaled"
                ))
            })?;
        if !strangers.is_empty() {
            return Err(reporter.fail(&format!(
                "{}; scale changes no service this project did not create, and nothing was scaled (`compose2ecs deploy --adopt` takes one over)",
                strangers.join("; ")
            )));
        }
    }
    let mut out = String::new();
    let mut done: Vec<String> = Vec::new();
    for (name, count, cluster, service, _) in &calls {
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
            Ok(_) => {
                reporter.progress(&format!("{name}: desired count {count} ({service})"));
                done.push(format!("{service} to {count}"));
            }
            Err(e) => {
                let changed = if done.is_empty() {
                    "nothing was scaled".to_owned()
                } else {
                    format!("already scaled: {}", done.join(", "))
                };
                return Err(reporter.fail(&format!("scaling {name} failed: {e}; {changed}")));
            }
        }
    }
    if args.dry_run {
        if reporter.json {
            let commands: Vec<_> = out.lines().collect();
            return Ok(crate::report::document(
                &json!({"status": "dry-run", "commands": commands}),
            ));
        }
        return Ok(crate::report::stdout(out.as_bytes()));
    }
    Ok(Outcome::Success)
}
