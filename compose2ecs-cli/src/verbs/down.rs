//! `compose2ecs down`: removes what `deploy` created for this project — and
//! only what carries its `compose2ecs:project` tag. Everything is looked at
//! first (read-only calls), shown, confirmed on a terminal, then removed:
//! scalable targets (their policies and scheduled actions go with them),
//! services (scaled to 0, deleted, waited for until drained), schedules,
//! and with `--deregister` the families' task definition revisions.

use std::time::{Duration, Instant};

use compose2ecs_core::{Conversion, PROJECT_TAG};
use serde_json::{Value, json};

use crate::args::DownArgs;
use crate::aws::{Aws, AwsError, Round};
use crate::context::Context;
use crate::outcome::{Ended, Outcome};
use crate::report::{Reporter, plural};
use crate::steps::family::{carries as ours, project as project_of, services};

/// One thing to remove.
enum Removal {
    ScalableTarget { resource_id: String },
    Service { cluster: String, name: String },
    Schedule { name: String },
    Revision { arn: String },
}

impl Removal {
    fn describe(&self) -> String {
        match self {
            Removal::ScalableTarget { resource_id } => {
                format!("scalable target {resource_id} (with its policies and scheduled actions)")
            }
            Removal::Service { cluster, name } => format!("service {name} (cluster {cluster})"),
            Removal::Schedule { name } => format!("schedule {name}"),
            Removal::Revision { arn } => {
                format!("task definition {}", arn.rsplit('/').next().unwrap_or(arn))
            }
        }
    }
}

/// What to remove, and what has the name of one and is not the project's:
/// read in one round (the services ten a `describe-services`, the
/// schedules, the scalable targets, the families' revisions), then, with
/// `--deregister`, a second (each revision's tags).
fn survey(
    aws: &Aws,
    conversion: &Conversion,
    deregister: bool,
) -> Result<(Vec<Removal>, Vec<String>), AwsError> {
    let project = project_of(conversion);
    let mut round = Round::default();
    let wanted = services(conversion, conversion.services.keys().map(String::as_str));
    let asked = round.services(&wanted);
    let targets: Vec<Option<usize>> = conversion
        .services
        .keys()
        .map(|family| {
            let t = &conversion.scaling.get(family)?.scalable_target;
            Some(round.add(&crate::steps::scaling::describe_target(t)))
        })
        .collect();
    let schedules: Vec<usize> = conversion
        .schedules
        .values()
        .map(|s| round.add(&["scheduler", "get-schedule", "--name", &s.name]))
        .collect();
    let revisions: Vec<usize> = if deregister {
        conversion
            .task_definitions
            .keys()
            .map(|family| {
                round.add(&[
                    "ecs",
                    "list-task-definitions",
                    "--family-prefix",
                    family,
                    "--status",
                    "ACTIVE",
                ])
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut answers = round.run(aws);
    let mut remove = Vec::new();
    let mut foreign = Vec::new();
    let services = conversion.services.iter().zip(&wanted).zip(targets);
    for (((family, svc), (cluster, name)), target) in services {
        let Some(live) = answers.active(&asked, cluster, name)? else {
            continue;
        };
        if !ours(&live["tags"], &project) {
            foreign.push(format!(
                "service {name} (cluster {cluster}) has no tag {PROJECT_TAG}={project}: it was not deployed by compose2ecs for this project, and is left alone"
            ));
            continue;
        }
        if let Some(t) = target {
            if crate::steps::scaling::found(&answers.take(t)?) {
                remove.push(Removal::ScalableTarget {
                    resource_id: conversion.scaling[family]
                        .scalable_target
                        .resource_id
                        .clone(),
                });
            }
        }
        remove.push(Removal::Service {
            cluster: cluster.clone(),
            name: svc.service_name.clone(),
        });
    }
    for (s, ticket) in conversion.schedules.values().zip(schedules) {
        let live = match answers.take(ticket) {
            Ok(live) => live,
            // Never created, or deleted: nothing to remove. Any other
            // failure (AccessDenied) leaves a schedule that may go on
            // starting tasks, which `down` must not call removed.
            Err(AwsError::Failed(m)) if m.contains("ResourceNotFound") => continue,
            Err(e) => return Err(e),
        };
        // A schedule takes no tags: the tasks it starts carry ours.
        let tagged = live["Target"]["EcsParameters"]["Tags"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| m[PROJECT_TAG] == project.as_str());
        if tagged {
            remove.push(Removal::Schedule {
                name: s.name.clone(),
            });
        } else {
            foreign.push(format!(
                "schedule {} does not start tasks tagged {PROJECT_TAG}={project}, and is left alone",
                s.name
            ));
        }
    }
    let families = conversion.task_definitions.keys().zip(revisions);
    let mut arns = Vec::new();
    for (family, ticket) in families {
        arns.extend(of_family(&answers.take(ticket)?, family));
    }
    owned_revisions(aws, &arns, &project, &mut remove, &mut foreign)?;
    Ok((remove, foreign))
}

/// The revisions of `family` in a `list-task-definitions --family-prefix`
/// answer (the prefix also matches longer families: `shop-web-x`).
fn of_family(listed: &Value, family: &str) -> Vec<String> {
    listed["taskDefinitionArns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|arn| {
            arn.rsplit('/')
                .next()
                .and_then(|r| r.rsplit_once(':'))
                .is_some_and(|(f, _)| f == family)
        })
        .map(str::to_owned)
        .collect()
}

/// Of `arns`, the revisions tagged as the project's are to remove, the
/// others are named and left alone: their tags read in one round.
fn owned_revisions(
    aws: &Aws,
    arns: &[String],
    project: &str,
    remove: &mut Vec<Removal>,
    foreign: &mut Vec<String>,
) -> Result<(), AwsError> {
    let mut round = Round::default();
    let tickets: Vec<usize> = arns
        .iter()
        .map(|arn| {
            round.add(&[
                "ecs",
                "describe-task-definition",
                "--task-definition",
                arn,
                "--include",
                "TAGS",
            ])
        })
        .collect();
    let mut answers = round.run(aws);
    for (arn, ticket) in arns.iter().zip(tickets) {
        if ours(&answers.take(ticket)?["tags"], project) {
            remove.push(Removal::Revision { arn: arn.clone() });
        } else {
            foreign.push(format!(
                "task definition {} has no tag {PROJECT_TAG}={project}, and is left alone",
                arn.rsplit('/').next().unwrap_or(arn)
            ));
        }
    }
    Ok(())
}

pub(crate) fn run(args: &DownArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &[], None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let aws = ctx.aws(&args.cli.aws_cli, false);
    let (remove, foreign) = match survey(&aws, conversion, args.deregister) {
        Ok(s) => s,
        Err(e) => {
            return Err(reporter.fail(&format!("down failed before removing anything: {e}")));
        }
    };
    for f in &foreign {
        reporter.progress(f);
    }
    if remove.is_empty() {
        reporter.progress("nothing of this project to remove");
        return Ok(Outcome::Success);
    }
    let lines: Vec<String> = remove.iter().map(Removal::describe).collect();
    if args.dry_run {
        if reporter.json {
            return Ok(crate::report::document(
                &json!({"status": "dry-run", "would_remove": lines}),
            ));
        }
        for l in &lines {
            reporter.progress(&format!("would remove {l}"));
        }
        return Ok(Outcome::Success);
    }
    if !args.yes {
        let listed: Vec<String> = lines.iter().map(|l| format!("  {l}")).collect();
        let question = format!("remove these {}?", lines.len());
        match reporter.confirm(&listed, &question) {
            Some(true) => {}
            Some(false) => return Err(reporter.fail("not confirmed; nothing was removed")),
            None => {
                return Err(reporter.fail(&format!(
                        "down would remove {} and asks first, but there is no terminal to ask on; pass --yes (or --dry-run to see them)",
                        plural(lines.len(), "resource", "resources")
                    ),
                ));
            }
        }
    }
    match take_down(&aws, &remove, args.timeout, reporter) {
        Ok(()) => {
            reporter.progress(&format!(
                "removed {} of this project",
                plural(remove.len(), "resource", "resources")
            ));
            Ok(Outcome::Success)
        }
        Err((e, done)) => {
            let said = |r: &[Removal]| r.iter().map(Removal::describe).collect::<Vec<_>>();
            let (gone, left) = remove.split_at(done.min(remove.len()));
            let gone = if gone.is_empty() {
                "nothing was removed".to_owned()
            } else {
                format!("removed: {}", said(gone).join("; "))
            };
            Err(reporter.fail(&format!(
                "down stopped: {e}; {gone}; left: {}",
                said(left).join("; ")
            )))
        }
    }
}

/// Removes each of `remove` in order, then waits for the deleted services
/// to drain. `Err`: why it stopped, and how many it had removed.
fn take_down(
    aws: &Aws,
    remove: &[Removal],
    timeout: f64,
    reporter: Reporter,
) -> Result<(), (AwsError, usize)> {
    let mut draining = Vec::new();
    for (done, r) in remove.iter().enumerate() {
        take_down_one(aws, r, &mut draining).map_err(|e| (e, done))?;
        reporter.progress(&format!("removed {}", r.describe()));
    }
    drain(aws, draining, timeout, reporter).map_err(|e| (e, remove.len()))
}

/// Removes one thing; a deleted service goes into `draining`.
fn take_down_one(
    aws: &Aws,
    r: &Removal,
    draining: &mut Vec<(String, String)>,
) -> Result<(), AwsError> {
    match r {
        Removal::ScalableTarget { resource_id } => {
            aws.text(&[
                "application-autoscaling",
                "deregister-scalable-target",
                "--service-namespace",
                "ecs",
                "--resource-id",
                resource_id,
                "--scalable-dimension",
                "ecs:service:DesiredCount",
            ])?;
        }
        Removal::Service { cluster, name } => {
            aws.json(&[
                "ecs",
                "update-service",
                "--cluster",
                cluster,
                "--service",
                name,
                "--desired-count",
                "0",
            ])?;
            aws.json(&[
                "ecs",
                "delete-service",
                "--cluster",
                cluster,
                "--service",
                name,
            ])
            .map_err(|e| {
                AwsError::Failed(format!(
                    "{e} (service {name} was already scaled to 0 tasks, and is not deleted)"
                ))
            })?;
            draining.push((cluster.clone(), name.clone()));
        }
        Removal::Schedule { name } => {
            aws.text(&["scheduler", "delete-schedule", "--name", name])?;
        }
        Removal::Revision { arn } => {
            aws.json(&[
                "ecs",
                "deregister-task-definition",
                "--task-definition",
                arn,
            ])?;
        }
    }
    Ok(())
}

/// Waits until the deleted services have drained, or the timeout.
fn drain(
    aws: &Aws,
    mut draining: Vec<(String, String)>,
    timeout: f64,
    reporter: Reporter,
) -> Result<(), AwsError> {
    // A deleted service drains (DRAINING) until its tasks have stopped:
    // all of them asked at once, ten a call.
    let deadline = Instant::now() + Duration::from_secs_f64(timeout.max(0.0));
    while !draining.is_empty() {
        let mut round = Round::default();
        let asked = round.services(&draining);
        let answers = round.run(aws);
        let mut still = Vec::new();
        for (cluster, name) in draining {
            let status = answers
                .status(&asked, &cluster, &name)?
                .unwrap_or_else(|| "INACTIVE".to_owned());
            if status == "ACTIVE" || status == "DRAINING" {
                still.push((cluster, name, status));
            }
        }
        if let Some((_, name, status)) = still.first() {
            if Instant::now() >= deadline {
                return Err(AwsError::Failed(format!(
                    "service {name} is still {status} after {timeout}s (it goes on draining)"
                )));
            }
            reporter.transient(&format!("waiting for {name} to drain…"));
            std::thread::sleep(Duration::from_secs(2));
        }
        draining = still.into_iter().map(|(c, n, _)| (c, n)).collect();
    }
    Ok(())
}
