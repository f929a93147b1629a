//! `compose2ecs deploy`: register each task definition, create its ECS
//! service (or update it to the new revision), and watch the rollout until
//! every deployment is COMPLETED, one FAILED, or the timeout passes.
//! Everything goes through the real `aws` CLI, as `register` does.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::args::DeployArgs;
use crate::aws::{self, AwsError};
use crate::cmd::{chosen, converted, scratch};
use crate::outcome::Outcome;
use crate::report::Reporter;

/// One service being deployed.
struct Rollout {
    cluster: String,
    service: String,
    revision: String,
    arn: String,
    state: State,
    line: String,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    InProgress,
    Completed,
    Failed(String),
}

pub(crate) fn run(args: &DeployArgs) -> Outcome {
    let (reporter, conversion) = match converted(&args.conversion) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let chosen = match chosen(&args.aws, reporter, &conversion) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let aws_bin = args.aws.aws_cli.as_path();

    if args.aws.dry_run {
        let mut out = String::new();
        let aws = shell_words::quote(&aws_bin.display().to_string()).into_owned();
        for family in &chosen {
            let td =
                serde_json::to_string(&conversion.task_definitions[*family]).unwrap_or_default();
            let svc = &conversion.services[*family];
            let cluster = svc.cluster.as_deref().unwrap_or("default");
            let create = serde_json::to_string(svc).unwrap_or_default();
            out.push_str(&format!(
                "{aws} ecs register-task-definition --cli-input-json {}\n\
                 # then, when the service exists (REVISION: the one just registered):\n\
                 {aws} ecs update-service --cluster {cluster} --service {} --task-definition {family}:REVISION --force-new-deployment\n\
                 # else:\n\
                 {aws} ecs create-service --cli-input-json {}\n",
                shell_words::quote(&td),
                svc.service_name,
                shell_words::quote(&create),
            ));
        }
        return crate::write::stdout(out.as_bytes());
    }

    let dir = match scratch(reporter) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let mut rollouts = Vec::new();
    let mut failed = false;
    for family in chosen {
        match deploy_one(aws_bin, dir.path(), family, &conversion) {
            Ok(r) => {
                reporter.registered(&r.revision, &r.arn);
                reporter.progress(&r.line);
                rollouts.push(r);
            }
            Err(e) => {
                failed = true;
                reporter.error(&format!("deploying `{family}` failed: {e}"));
                if matches!(e, AwsError::Missing(_)) {
                    return Outcome::Rejected;
                }
            }
        }
    }
    if args.no_wait || rollouts.is_empty() {
        return if failed {
            Outcome::Rejected
        } else {
            Outcome::Success
        };
    }
    let ok = watch(aws_bin, &mut rollouts, args, reporter);
    if failed || !ok {
        Outcome::Rejected
    } else {
        Outcome::Success
    }
}

/// Register, then create or update the service.
fn deploy_one(
    aws_bin: &Path,
    dir: &Path,
    family: &str,
    conversion: &compose2ecs_core::Conversion,
) -> Result<Rollout, AwsError> {
    let td_file = dir.join(format!("{family}.task-definition.json"));
    std::fs::write(
        &td_file,
        compose2ecs_core::to_json(&conversion.task_definitions[family]),
    )
    .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", td_file.display())))?;
    let arn = aws::register(aws_bin, &td_file)?;
    let revision = arn.rsplit('/').next().unwrap_or(family).to_owned();

    let mut service = serde_json::to_value(&conversion.services[family])
        .map_err(|e| AwsError::Failed(e.to_string()))?;
    service["taskDefinition"] = revision.clone().into();
    let cluster = service["cluster"].as_str().unwrap_or("default").to_owned();
    let name = service["serviceName"].as_str().unwrap_or(family).to_owned();

    let described = aws::json(
        aws_bin,
        &[
            "ecs",
            "describe-services",
            "--cluster",
            &cluster,
            "--services",
            &name,
        ],
    )?;
    let exists = described["services"]
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s["status"] == "ACTIVE"));
    let line = if exists {
        aws::json(
            aws_bin,
            &[
                "ecs",
                "update-service",
                "--cluster",
                &cluster,
                "--service",
                &name,
                "--task-definition",
                &revision,
                "--force-new-deployment",
            ],
        )?;
        format!("updated service {name} to {revision}")
    } else {
        let svc_file = dir.join(format!("{family}.service.json"));
        std::fs::write(&svc_file, service.to_string())
            .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", svc_file.display())))?;
        let arg = format!("file://{}", svc_file.display());
        aws::json(
            aws_bin,
            &["ecs", "create-service", "--cli-input-json", &arg],
        )?;
        format!("created service {name} with {revision}")
    };
    Ok(Rollout {
        cluster,
        service: name,
        revision,
        arn,
        state: State::InProgress,
        line,
    })
}

/// The state of the deployment of `revision` in a `describe-services`
/// entry, and a line saying where it is.
fn deployment_state(service: &Value, revision: &str) -> (State, String) {
    let name = service["serviceName"].as_str().unwrap_or("?");
    let deployments = service["deployments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ours = deployments
        .iter()
        .find(|d| {
            d["taskDefinition"]
                .as_str()
                .is_some_and(|t| t.ends_with(revision))
        })
        .or_else(|| deployments.iter().find(|d| d["status"] == "PRIMARY"));
    let Some(d) = ours else {
        return (
            State::InProgress,
            format!("{name}: waiting for the deployment to appear"),
        );
    };
    let rollout = d["rolloutState"].as_str().unwrap_or("IN_PROGRESS");
    let n = |k: &str| d[k].as_u64().unwrap_or(0);
    let line = format!(
        "{name}: {rollout} {revision} running {}/{} pending {} failed tasks {}",
        n("runningCount"),
        n("desiredCount"),
        n("pendingCount"),
        n("failedTasks")
    );
    let state = match rollout {
        "COMPLETED" => State::Completed,
        "FAILED" => State::Failed(
            d["rolloutStateReason"]
                .as_str()
                .unwrap_or("the deployment failed")
                .to_owned(),
        ),
        _ => State::InProgress,
    };
    (state, line)
}

/// Polls until every rollout is done, one failed, or the timeout passes.
fn watch(aws_bin: &Path, rollouts: &mut [Rollout], args: &DeployArgs, reporter: Reporter) -> bool {
    let deadline = Instant::now() + Duration::from_secs_f64(args.timeout);
    // The lines shown so far: on a terminal none yet (the status is drawn
    // below what was printed); otherwise the registration's line of each
    // service, so that only changes are printed.
    let mut shown: Vec<String> = if reporter.live() {
        Vec::new()
    } else {
        rollouts.iter().map(|r| r.line.clone()).collect()
    };
    loop {
        let mut by_cluster: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, r) in rollouts.iter().enumerate() {
            if r.state != State::InProgress {
                continue;
            }
            match by_cluster.iter_mut().find(|(c, _)| *c == r.cluster) {
                Some((_, v)) => v.push(i),
                None => by_cluster.push((r.cluster.clone(), vec![i])),
            }
        }
        for (cluster, idx) in by_cluster {
            for chunk in idx.chunks(10) {
                let mut call: Vec<&str> = vec![
                    "ecs",
                    "describe-services",
                    "--cluster",
                    &cluster,
                    "--services",
                ];
                call.extend(chunk.iter().map(|i| rollouts[*i].service.as_str()));
                match aws::json(aws_bin, &call) {
                    Ok(reply) => {
                        for i in chunk {
                            let r = &mut rollouts[*i];
                            let found = reply["services"].as_array().and_then(|s| {
                                s.iter().find(|s| s["serviceName"] == r.service.as_str())
                            });
                            if let Some(s) = found {
                                let (state, line) = deployment_state(s, &r.revision);
                                r.state = state;
                                r.line = line;
                            }
                        }
                    }
                    Err(e) => {
                        for i in chunk {
                            rollouts[*i].line = format!("{}: {e}", rollouts[*i].service);
                        }
                    }
                }
            }
        }
        // Show where each service is: redrawn in place on a terminal, a line
        // per change otherwise.
        let lines: Vec<String> = rollouts.iter().map(|r| r.line.clone()).collect();
        reporter.status(&lines, &mut shown);
        let failed: Vec<&Rollout> = rollouts
            .iter()
            .filter(|r| matches!(r.state, State::Failed(_)))
            .collect();
        if !failed.is_empty() {
            for r in failed {
                if let State::Failed(reason) = &r.state {
                    reporter.error(&format!(
                        "the deployment of {} failed: {reason}",
                        r.revision
                    ));
                }
            }
            return false;
        }
        if rollouts.iter().all(|r| r.state == State::Completed) {
            reporter.done("every deployment completed");
            return true;
        }
        if Instant::now() >= deadline {
            let pending: Vec<&str> = rollouts
                .iter()
                .filter(|r| r.state == State::InProgress)
                .map(|r| r.service.as_str())
                .collect();
            reporter.error(&format!(
                "timed out after {}s; still in progress: {} (the deployments continue; watch them with `aws ecs describe-services`)",
                args.timeout,
                pending.join(", ")
            ));
            return false;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(Duration::from_secs_f64(args.interval).min(left));
    }
}
