//! `compose2ecs deploy`: in the order the compose services depend on each
//! other, register each task definition; run each job to completion
//! (`cmd/jobs.rs`), or create its ECS service or make the existing one match
//! the service definition (every member `update-service` can change, the new
//! revision included); and watch the rollouts until every deployment is
//! COMPLETED, one FAILED, or the timeout passes. The log groups come first
//! when the overlay gives them a retention (`cmd/retention.rs`). Everything goes through the real `aws` CLI, with the
//! project's region, as `register` does.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::args::DeployArgs;
use crate::aws::{Aws, AwsError};
use crate::cmd::members::{CREATE_ONLY, UPDATABLE};
use crate::cmd::rollout::{Clock, Rollout, State, watch};
use crate::cmd::{aws, chosen, converted, jobs, scaling, scratch};
use crate::outcome::Outcome;
use crate::report::Reporter;

pub(crate) fn run(args: &DeployArgs) -> Outcome {
    let (reporter, conversion) = match converted(&args.conversion, &args.aws.families, None) {
        Ok(c) => c,
        Err(o) => return o,
    };
    // Docker's `x-aws-vpc`: the subnets of `network.vpc`, looked up.
    let subnets = match crate::cmd::vpc::subnets(
        &args.aws.aws_cli,
        args.aws.dry_run,
        reporter,
        &conversion,
    ) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let conversion = match crate::cmd::vpc::placed(&args.conversion, reporter, conversion, &subnets)
    {
        Ok(c) => c,
        Err(o) => return o,
    };
    let conversion = if args.build && !args.aws.dry_run {
        match build_and_push(args, reporter, &conversion, &subnets) {
            Ok(c) => c,
            Err(o) => return o,
        }
    } else {
        conversion
    };
    let chosen = match chosen(&args.aws, reporter, &conversion) {
        Ok(c) => c,
        Err(o) => return o,
    };
    // ECS refuses an awsvpc service or task without subnets (create-service,
    // run-task): say so before any call.
    let unplaced: Vec<&str> = chosen
        .iter()
        .filter(|f| {
            conversion.task_definitions[**f].network_mode == "awsvpc"
                && conversion
                    .run_task(f)
                    .is_some_and(|r| r.network_configuration.is_none())
        })
        .map(|f| f.as_str())
        .collect();
    if !unplaced.is_empty() {
        reporter.error(&format!(
            "{} use the awsvpc network mode and have no network configuration, which ECS requires to create a service or run a task; set `network: {{subnets: [subnet-…], security_groups: [sg-…]}}` in compose2ecs.yaml",
            unplaced.join(", ")
        ));
        return Outcome::Rejected;
    }
    let aws = aws(&args.aws, reporter, &conversion);
    let families: Vec<&str> = chosen.iter().map(|f| f.as_str()).collect();
    let stages = conversion.stages(&families);
    if !args.aws.dry_run {
        if let Err(m) = crate::cmd::capability::check(&aws, &conversion, &families, false) {
            return crate::cmd::fail(reporter, &m);
        }
    }

    let reuse = if args.plan && !args.aws.dry_run {
        match crate::cmd::plan::show(&aws, &conversion, &families, reporter) {
            Ok(r) => r,
            Err(e) => {
                return crate::cmd::fail(reporter, &format!("reading the live state failed: {e}"));
            }
        }
    } else {
        Reuse::new()
    };

    if args.aws.dry_run {
        if args.build {
            reporter.progress("--build with --dry-run: `compose2ecs build --dry-run` shows the build; the calls below run the tags, which a real --build replaces by the pushed digests");
        }
        return dry_run(&aws, &conversion, &stages, reporter);
    }

    let dir = match scratch(reporter) {
        Ok(d) => d,
        Err(o) => return o,
    };
    match crate::cmd::retention::apply(&aws, &conversion, &families) {
        Ok(lines) => lines.iter().for_each(|l| reporter.progress(l)),
        Err(e) => {
            return crate::cmd::fail(
                reporter,
                &format!("setting the log groups' retention failed: {e}"),
            );
        }
    }
    let clock = Clock {
        deadline: Instant::now() + Duration::from_secs_f64(args.timeout),
        timeout: args.timeout,
        interval: Duration::from_secs_f64(args.interval),
    };
    let mut rollouts: Vec<Rollout> = Vec::new();
    let mut ran: Vec<Value> = Vec::new();
    let mut scheduled: Vec<Value> = Vec::new();
    let mut ok = true;
    for (i, stage) in stages.iter().enumerate() {
        let first = rollouts.len();
        let mut started = Vec::new();
        for family in stage {
            let result = if let Some(schedule) = conversion.schedules.get(*family) {
                register(&aws, dir.path(), &conversion, family, &reuse).and_then(
                    |(arn, revision)| {
                        said_registered(reporter, &reuse, family, &revision, &arn);
                        let line = scaling::apply_schedule(&aws, dir.path(), schedule, &arn)?;
                        reporter.progress(&line);
                        scheduled.push(serde_json::json!({
                            "family": family, "revision": revision, "schedule": schedule.name,
                            "expression": schedule.schedule_expression,
                        }));
                        Ok(())
                    },
                )
            } else if conversion.jobs.contains_key(*family) {
                start_job(&aws, dir.path(), family, &conversion, &reuse).map(
                    |(arn, revision, s)| {
                        said_registered(reporter, &reuse, family, &revision, &arn);
                        reporter
                            .progress(&format!("started job {revision}: {}", s.tasks.join(", ")));
                        started.push((revision, s));
                    },
                )
            } else {
                deploy_one(&aws, dir.path(), family, &conversion, &reuse).and_then(|r| {
                    said_registered(reporter, &reuse, family, &r.revision, &r.arn);
                    reporter.progress(&r.line);
                    rollouts.push(r);
                    // After the service exists: its scalable target needs it.
                    if let Some(s) = conversion.scaling.get(*family) {
                        reporter.progress(&scaling::apply_scaling(&aws, dir.path(), family, s)?);
                    }
                    Ok(())
                })
            };
            if let Err(e) = result {
                ok = false;
                reporter.error(&format!("deploying `{family}` failed: {e}"));
                if matches!(e, AwsError::Missing(_)) {
                    return Outcome::Rejected;
                }
            }
        }
        for (revision, s) in &started {
            let td = &conversion.task_definitions[&s.family];
            let (state, code) = match jobs::wait(&aws, s, clock.deadline, clock.interval, reporter)
            {
                Err(m) => {
                    reporter.error(&m);
                    ("timed-out".to_owned(), None)
                }
                Ok(stopped) if jobs::failures(td, &stopped).is_empty() => {
                    reporter.progress(&format!("job {revision} succeeded"));
                    ("succeeded".to_owned(), Some(0))
                }
                Ok(stopped) => {
                    jobs::report_failure(
                        &aws,
                        td,
                        &stopped,
                        &format!("the job {revision}"),
                        reporter,
                    );
                    let code = td
                        .container_definitions
                        .iter()
                        .filter(|c| c.essential)
                        .find_map(|c| jobs::exit_code(&stopped, &c.name).filter(|c| *c != 0));
                    ("failed".to_owned(), code)
                }
            };
            ok &= state == "succeeded";
            ran.push(serde_json::json!({
                "family": s.family, "revision": revision, "tasks": s.tasks,
                "state": state, "exitCode": code,
            }));
        }
        let last = i + 1 == stages.len();
        // What later stages depend on must be up first, --no-wait or not.
        if ok && !last && rollouts.len() > first {
            ok = watch(&aws, &mut rollouts[first..], &clock, reporter);
        }
        if !ok {
            let left: Vec<&str> = stages[i + 1..].iter().flatten().copied().collect();
            if !left.is_empty() {
                reporter.error(&format!(
                    "nothing after it was deployed: {}",
                    left.join(", ")
                ));
            }
            break;
        }
    }
    if ok && !args.no_wait && rollouts.iter().any(|r| r.state == State::InProgress) {
        ok = watch(&aws, &mut rollouts, &clock, reporter);
    }
    if ok && !args.no_wait {
        reporter.done(if rollouts.is_empty() {
            "every job succeeded"
        } else {
            "every deployment completed"
        });
    }
    if reporter.json {
        let services: Vec<Value> = rollouts
            .iter()
            .map(|r| {
                let state = match &r.state {
                    State::InProgress if args.no_wait => "started".to_owned(),
                    State::InProgress => "in-progress".to_owned(),
                    State::Completed => "completed".to_owned(),
                    State::Failed(reason) => format!("failed: {reason}"),
                };
                serde_json::json!({
                    "cluster": r.cluster, "service": r.service, "revision": r.revision,
                    "arn": r.arn, "state": state,
                })
            })
            .collect();
        let status = match (ok, args.no_wait) {
            (false, _) => "failed",
            (true, true) => "started",
            (true, false) => "completed",
        };
        let _ = crate::write::document(&serde_json::json!({
            "status": status,
            "region": aws.region,
            "jobs": ran,
            "schedules": scheduled,
            "services": services,
            "errors": crate::report::errors(),
        }));
    }
    if ok {
        Outcome::Success
    } else {
        Outcome::Rejected
    }
}

/// `--build`: the images built and pushed, then the project converted
/// again to run them by digest (unless `images.pin_digests: false`).
fn build_and_push(
    args: &DeployArgs,
    reporter: Reporter,
    conversion: &compose2ecs_core::Conversion,
    subnets: &[String],
) -> Result<compose2ecs_core::Conversion, Outcome> {
    use crate::cmd::images;
    let (targets, files) = images::targets(&args.conversion, reporter, conversion, &[])?;
    let docker = crate::docker::Docker {
        bin: args.docker.clone(),
    };
    let digests = images::build(&docker, &files, &targets, reporter)
        .and_then(|()| images::push(&docker, &args.aws.aws_cli, &targets, conversion, reporter))
        .map_err(|m| crate::cmd::fail(reporter, &m))?;
    if conversion.overlay.images.pin_digests == Some(false) {
        reporter.progress("images.pin_digests is false: the task definitions run the tags");
        return Ok(conversion.clone());
    }
    crate::cmd::reconverted(&args.conversion, reporter, digests, subnets)
}

/// `--dry-run`: the calls, stage by stage.
fn dry_run(
    aws: &Aws,
    conversion: &compose2ecs_core::Conversion,
    stages: &[Vec<&str>],
    reporter: Reporter,
) -> Outcome {
    let mut out = String::new();
    let mut commands: Vec<Vec<String>> = Vec::new();
    let families: Vec<&str> = stages.iter().flatten().copied().collect();
    if let Some(vpc) = crate::cmd::vpc::unresolved(conversion) {
        let comment = format!(
            "# the subnets of network.vpc, for the calls below (<the subnets of {vpc}>):\n"
        );
        emit(
            aws,
            &mut out,
            &mut commands,
            &comment,
            &crate::cmd::vpc::lookup_call(vpc),
        );
    }
    for (comment, call) in crate::cmd::retention::calls(conversion, &families) {
        emit(aws, &mut out, &mut commands, &comment, &call);
    }
    for (i, stage) in stages.iter().enumerate() {
        if stages.len() > 1 {
            out.push_str(&format!("# stage {} of {}\n", i + 1, stages.len()));
        }
        for family in stage {
            let td =
                serde_json::to_string(&conversion.task_definitions[*family]).unwrap_or_default();
            let register: &[&str] = &["ecs", "register-task-definition", "--cli-input-json", &td];
            let mut calls: Vec<(&str, Vec<String>)> =
                vec![("", register.iter().map(|a| (*a).to_owned()).collect())];
            if let Some(schedule) = conversion.schedules.get(*family) {
                let input = serde_json::to_string(schedule).unwrap_or_default();
                calls.push((
                    "",
                    vec![
                        "scheduler".into(),
                        "get-schedule".into(),
                        "--name".into(),
                        schedule.name.clone(),
                    ],
                ));
                calls.push((
                    "# when it exists (TaskDefinitionArn: the revision just registered):\n",
                    vec![
                        "scheduler".into(),
                        "update-schedule".into(),
                        "--cli-input-json".into(),
                        input.clone(),
                    ],
                ));
                calls.push((
                    "# else:\n",
                    vec![
                        "scheduler".into(),
                        "create-schedule".into(),
                        "--cli-input-json".into(),
                        input,
                    ],
                ));
            } else if let Some(job) = conversion.jobs.get(*family) {
                let cluster = job.cluster.clone().unwrap_or_else(|| "default".to_owned());
                let input = serde_json::to_string(job).unwrap_or_default();
                calls.push((
                    "",
                    vec![
                        "ecs".into(),
                        "run-task".into(),
                        "--cli-input-json".into(),
                        input,
                    ],
                ));
                calls.push((
                    "# wait for the job's tasks to stop, then check each essential container's exit code (describe-tasks):\n",
                    vec!["ecs".into(), "wait".into(), "tasks-stopped".into(), "--cluster".into(), cluster, "--tasks".into(), "<the task ARNs>".into()],
                ));
            } else {
                let svc = &conversion.services[*family];
                let cluster = svc.cluster.clone().unwrap_or_else(|| "default".to_owned());
                let create = serde_json::to_value(svc).unwrap_or_default();
                // The family alone names its latest revision: the one registered.
                let mut update = update_input(&create, family);
                if conversion.scaling.contains_key(*family) {
                    update.remove("desiredCount");
                }
                let update = Value::Object(update).to_string();
                let describe = vec![
                    "ecs".into(),
                    "describe-services".into(),
                    "--cluster".into(),
                    cluster,
                    "--services".into(),
                    svc.service_name.clone(),
                ];
                calls.push(("", describe));
                calls.push((
                    "# when the service is ACTIVE:\n",
                    vec![
                        "ecs".into(),
                        "update-service".into(),
                        "--cli-input-json".into(),
                        update,
                    ],
                ));
                calls.push((
                    "# else:\n",
                    vec![
                        "ecs".into(),
                        "create-service".into(),
                        "--cli-input-json".into(),
                        create.to_string(),
                    ],
                ));
                if let Some(scaling) = conversion.scaling.get(*family) {
                    let put = |op: &str, json: String| -> Vec<String> {
                        vec![
                            "application-autoscaling".into(),
                            op.into(),
                            "--cli-input-json".into(),
                            json,
                        ]
                    };
                    calls.push((
                        "# then (the desired count is Application Auto Scaling's from now on; later updates leave it out):\n",
                        put("register-scalable-target", serde_json::to_string(&scaling.scalable_target).unwrap_or_default()),
                    ));
                    for p in &scaling.scaling_policies {
                        calls.push((
                            "",
                            put(
                                "put-scaling-policy",
                                serde_json::to_string(p).unwrap_or_default(),
                            ),
                        ));
                    }
                    for a in &scaling.scheduled_actions {
                        calls.push((
                            "",
                            put(
                                "put-scheduled-action",
                                serde_json::to_string(a).unwrap_or_default(),
                            ),
                        ));
                    }
                }
            }
            for (comment, call) in calls {
                emit(aws, &mut out, &mut commands, comment, &call);
            }
        }
    }
    if reporter.json {
        return crate::write::document(&serde_json::json!({
            "status": "dry-run",
            "note": "update-service runs when describe-services finds the service ACTIVE, else create-service; each stage starts when the jobs of the one before have succeeded and its services have completed their rollout",
            "commands": commands,
        }));
    }
    crate::write::stdout(out.as_bytes())
}

/// One call of a dry run: its comment and command line for the text, its
/// argument vector for `--format json`.
fn emit(
    aws: &Aws,
    out: &mut String,
    commands: &mut Vec<Vec<String>>,
    comment: &str,
    call: &[String],
) {
    let call: Vec<&str> = call.iter().map(String::as_str).collect();
    out.push_str(comment);
    out.push_str(&aws.command_line(&call));
    out.push('\n');
    commands.push(aws.argv(&call));
}

/// The live revisions `--plan` found equal to the conversion's: family →
/// (ARN, `family:revision`).
type Reuse = std::collections::BTreeMap<String, (String, String)>;

/// Says that `revision` was registered, or that the live one is used.
fn said_registered(reporter: Reporter, reuse: &Reuse, family: &str, revision: &str, arn: &str) {
    if reuse.contains_key(family) {
        reporter.progress(&format!(
            "task definition {revision} is unchanged: it runs again, no new revision"
        ));
    } else {
        reporter.registered(revision, arn);
    }
}

/// Registers `family`'s task definition, or, when `--plan` found the live
/// revision equal to it, uses that one: its ARN and `family:revision`.
fn register(
    aws: &Aws,
    dir: &Path,
    conversion: &compose2ecs_core::Conversion,
    family: &str,
    reuse: &Reuse,
) -> Result<(String, String), AwsError> {
    match reuse.get(family) {
        Some(live) => Ok(live.clone()),
        None => aws.register_definition(dir, &conversion.task_definitions[family]),
    }
}

/// Registers a job's task definition and starts it; its ARN, revision and
/// tasks.
fn start_job(
    aws: &Aws,
    dir: &Path,
    family: &str,
    conversion: &compose2ecs_core::Conversion,
    reuse: &Reuse,
) -> Result<(String, String, jobs::Started), AwsError> {
    let (arn, revision) = register(aws, dir, conversion, family, reuse)?;
    let input = &conversion.jobs[family];
    let started = jobs::start(aws, dir, input, &revision, None)?;
    Ok((arn, revision, started))
}

/// The `update-service` input that makes a service match its definition
/// (`create`, the `create-service` input) at `revision`.
fn update_input(create: &Value, revision: &str) -> Map<String, Value> {
    let mut update = Map::new();
    update.insert("cluster".to_owned(), create["cluster"].clone());
    update.insert("service".to_owned(), create["serviceName"].clone());
    update.insert("taskDefinition".to_owned(), revision.into());
    for member in UPDATABLE {
        if let Some(v) = create.get(*member) {
            update.insert((*member).to_owned(), v.clone());
        }
    }
    update.insert("forceNewDeployment".to_owned(), true.into());
    update.retain(|_, v| !v.is_null());
    update
}

/// The members of the definition that differ from the live service, by name.
fn changed(create: &Value, live: &Value) -> Vec<String> {
    UPDATABLE
        .iter()
        .filter_map(|m| {
            let ours = create.get(*m)?;
            let theirs = live.get(*m).unwrap_or(&Value::Null);
            if same(ours, theirs) {
                return None;
            }
            Some(match (ours.as_u64(), theirs.as_u64()) {
                (Some(a), Some(b)) => format!("{m} {b} → {a}"),
                _ => (*m).to_owned(),
            })
        })
        .collect()
}

/// Whether the live value already is ours: every member we set has our
/// value (ECS adds defaults of its own to what it describes).
fn same(ours: &Value, live: &Value) -> bool {
    match (ours, live) {
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)) || v.is_null()),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same(v, w))
        }
        _ => ours == live,
    }
}

/// Register, then create the service or make it match.
fn deploy_one(
    aws: &Aws,
    dir: &Path,
    family: &str,
    conversion: &compose2ecs_core::Conversion,
    reuse: &Reuse,
) -> Result<Rollout, AwsError> {
    let write = |name: String, text: String| {
        let file = dir.join(name);
        std::fs::write(&file, text)
            .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", file.display())))?;
        Ok::<_, AwsError>(format!("file://{}", file.display()))
    };
    let (arn, revision) = register(aws, dir, conversion, family, reuse)?;

    let mut service = serde_json::to_value(&conversion.services[family])
        .map_err(|e| AwsError::Failed(e.to_string()))?;
    service["taskDefinition"] = revision.clone().into();
    let cluster = service["cluster"].as_str().unwrap_or("default").to_owned();
    let name = service["serviceName"].as_str().unwrap_or(family).to_owned();

    let live = aws.active_service(&cluster, &name)?;
    let live = live.as_ref();
    let scaled = conversion.scaling.contains_key(family);
    let line = if let Some(live) = live {
        // Application Auto Scaling owns the desired count of a service it
        // scales: a deploy must not reset it to compose's replicas.
        if scaled {
            if let Some(m) = service.as_object_mut() {
                m.remove("desiredCount");
            }
        }
        for (member, advice) in CREATE_ONLY.iter().filter(|(_, a)| !a.is_empty()) {
            let (ours, theirs) = (&service[*member], &live[*member]);
            if !ours.is_null() && !theirs.is_null() && ours != theirs {
                return Err(AwsError::Failed(format!(
                    "the service {name} has {member} {theirs} and the definition says {ours}; {advice}"
                )));
            }
        }
        let changes = changed(&service, live);
        let input = write(
            format!("{family}.update-service.json"),
            Value::Object(update_input(&service, &revision)).to_string(),
        )?;
        aws.json(&["ecs", "update-service", "--cli-input-json", &input])?;
        // update-service takes no tags: a live service missing ours gets
        // them with tag-resource (created services get them at creation).
        let ours = service["tags"].as_array().cloned().unwrap_or_default();
        let theirs = live["tags"].as_array().cloned().unwrap_or_default();
        if let (false, Some(arn)) = (
            ours.iter().all(|t| theirs.contains(t)),
            live["serviceArn"].as_str(),
        ) {
            aws.text(&[
                "ecs",
                "tag-resource",
                "--resource-arn",
                arn,
                "--tags",
                &Value::Array(ours).to_string(),
            ])?;
        }
        let kept = if scaled {
            " (its desired count is Application Auto Scaling's)"
        } else {
            ""
        };
        if changes.is_empty() {
            format!("updated service {name} to {revision}{kept}")
        } else {
            format!(
                "updated service {name} to {revision}{kept}; changed: {}",
                changes.join(", ")
            )
        }
    } else {
        let input = write(format!("{family}.service.json"), service.to_string())?;
        aws.json(&["ecs", "create-service", "--cli-input-json", &input])?;
        format!("created service {name} with {revision}")
    };
    Ok(Rollout {
        cluster,
        service: name,
        revision,
        arn,
        state: State::InProgress,
        line,
        td: conversion.task_definitions[family].clone(),
        failed_tasks: 0,
        explained: Default::default(),
        strategy: conversion.services[family]
            .deployment_configuration
            .strategy
            .clone()
            .filter(|s| s != "ROLLING"),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_update_input_carries_every_member_set_and_the_revision() {
        let create = serde_json::json!({
            "cluster": "shop", "serviceName": "shop-web", "desiredCount": 2,
            "launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-2"]}},
        });
        let update = Value::Object(update_input(&create, "shop-web:3"));
        assert_eq!(
            update,
            serde_json::json!({
                "cluster": "shop", "service": "shop-web", "taskDefinition": "shop-web:3",
                "desiredCount": 2, "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-2"]}},
                "forceNewDeployment": true,
            })
        );
        let live = serde_json::json!({
            "desiredCount": 5,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}},
        });
        assert_eq!(
            changed(&create, &live),
            ["desiredCount 5 → 2", "networkConfiguration"]
        );
        let live = serde_json::json!({
            "desiredCount": 2,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-2"], "assignPublicIp": "DISABLED"}},
        });
        assert!(
            changed(&create, &live).is_empty(),
            "ECS's own defaults are not changes"
        );
    }
}
