//! Watching ECS service rollouts: `describe-services` until every
//! deployment of the revisions `deploy` started is COMPLETED, one FAILED,
//! or the deadline passes. A blue/green, linear or canary deployment is
//! followed through its service deployment (`describe-service-deployments`):
//! its lifecycle stage as it moves, SUCCESSFUL, or stopped and rolled back. When tasks of the new revision stop on the way,
//! each is explained as it stops: ECS's stop reason, every container's exit
//! code and reason, and the last log lines of its streams.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use compose2ecs_core::TaskDefinition;
use serde_json::Value;

use crate::aws::Aws;
use crate::report::Reporter;
use crate::steps::jobs;

/// When a deploy gives up, and how often it looks.
pub(crate) struct Clock {
    pub(crate) deadline: Instant,
    /// `--timeout`, for the message.
    pub(crate) timeout: f64,
    pub(crate) interval: Duration,
}

/// One service being deployed.
pub(crate) struct Rollout {
    pub(crate) cluster: String,
    pub(crate) service: String,
    pub(crate) revision: String,
    pub(crate) arn: String,
    pub(crate) state: State,
    pub(crate) line: String,
    /// The task definition, for its containers' log streams.
    pub(crate) td: TaskDefinition,
    /// The deployment's `failedTasks` at the last look.
    pub(crate) failed_tasks: u64,
    /// The stopped tasks already explained.
    pub(crate) explained: BTreeSet<String>,
    /// `BLUE_GREEN`, `LINEAR` or `CANARY`: a deployment watched through its
    /// service deployment's status and lifecycle stage.
    pub(crate) strategy: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum State {
    InProgress,
    Completed,
    Failed(String),
}

/// The state of the deployment of `revision` in a `describe-services`
/// entry, and a line saying where it is.
pub(crate) fn deployment_state(service: &Value, revision: &str) -> (State, String) {
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
    let line = format!("{name}: {rollout} {revision} {}", counts(d));
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

/// `running 1/2 pending 1 failed tasks 0` of a `deployments` entry.
fn counts(d: &Value) -> String {
    let n = |k: &str| d[k].as_u64().unwrap_or(0);
    format!(
        "running {}/{} pending {} failed tasks {}",
        n("runningCount"),
        n("desiredCount"),
        n("pendingCount"),
        n("failedTasks")
    )
}

/// A blue/green, linear or canary deployment's state from its service
/// deployment (`describe-service-deployments`): its status and lifecycle
/// stage, with the counts of `revision`'s entry in `service`. `None` when
/// the service has no current service deployment or the CLI cannot
/// describe it: the rolling view stands.
fn service_deployment(
    aws: &Aws,
    service: &Value,
    revision: &str,
    strategy: &str,
) -> Option<(State, String)> {
    let arn = service["currentServiceDeployment"].as_str()?;
    let reply = aws
        .json(&[
            "ecs",
            "describe-service-deployments",
            "--service-deployment-arns",
            arn,
        ])
        .ok()?;
    let sd = reply["serviceDeployments"].as_array()?.first()?;
    let status = sd["status"].as_str().unwrap_or("PENDING");
    let stage = sd["lifecycleStage"].as_str().unwrap_or("");
    let name = service["serviceName"].as_str().unwrap_or("?");
    let entry = service["deployments"].as_array().and_then(|ds| {
        ds.iter().find(|d| {
            d["taskDefinition"]
                .as_str()
                .is_some_and(|t| t.ends_with(revision))
        })
    });
    let mut line = format!("{name}: {strategy} {status}");
    if !stage.is_empty() {
        line.push_str(&format!(" at {stage}"));
    }
    line.push_str(&format!(" {revision}"));
    if let Some(d) = entry {
        line.push_str(&format!(" {}", counts(d)));
    }
    let reason = || {
        sd["statusReason"].as_str().map_or_else(
            || format!("the service deployment ended {status}"),
            |r| format!("{r} ({status})"),
        )
    };
    // ServiceDeploymentStatus: PENDING, IN_PROGRESS, STOP_REQUESTED,
    // ROLLBACK_REQUESTED and ROLLBACK_IN_PROGRESS are on the way.
    let state = match status {
        "SUCCESSFUL" => State::Completed,
        "STOPPED" | "ROLLBACK_SUCCESSFUL" | "ROLLBACK_FAILED" => State::Failed(reason()),
        _ => State::InProgress,
    };
    Some((state, line))
}

/// The `failedTasks` of `revision`'s deployment.
fn failed_tasks(service: &Value, revision: &str) -> u64 {
    service["deployments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| {
            d["taskDefinition"]
                .as_str()
                .is_some_and(|t| t.ends_with(&format!("/{revision}")))
        })
        .and_then(|d| d["failedTasks"].as_u64())
        .unwrap_or(0)
}

/// Reports each task of `r`'s revision that has stopped and was not
/// explained yet: why ECS stopped it, how each container ended, and the
/// last log lines of the containers that failed.
fn explain_stopped(aws: &Aws, r: &mut Rollout, reporter: Reporter) {
    let listed = aws.json(&[
        "ecs",
        "list-tasks",
        "--cluster",
        &r.cluster,
        "--service-name",
        &r.service,
        "--desired-status",
        "STOPPED",
    ]);
    let arns: Vec<String> = listed
        .ok()
        .and_then(|l| l["taskArns"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .filter(|a| !r.explained.contains(a))
        .take(100) // describe-tasks takes up to 100
        .collect();
    if arns.is_empty() {
        return;
    }
    let mut call = vec![
        "ecs",
        "describe-tasks",
        "--cluster",
        r.cluster.as_str(),
        "--tasks",
    ];
    call.extend(arns.iter().map(String::as_str));
    let Ok(described) = aws.json(&call) else {
        return;
    };
    let ours = format!("/{}", r.revision);
    for task in described["tasks"].as_array().into_iter().flatten() {
        let arn = task["taskArn"].as_str().unwrap_or_default().to_owned();
        let of_ours = task["taskDefinitionArn"]
            .as_str()
            .is_some_and(|t| t.ends_with(&ours));
        if !of_ours || !r.explained.insert(arn) {
            continue;
        }
        let stopped = jobs::stopped(task);
        reporter.error(&jobs::explain(
            aws,
            &r.td,
            &stopped,
            &format!("a task of {}", r.revision),
        ));
    }
}

/// Polls until every rollout is done, one failed, or the deadline passes.
pub(crate) fn watch(
    aws: &Aws,
    rollouts: &mut [Rollout],
    clock: &Clock,
    reporter: Reporter,
) -> bool {
    let deadline = clock.deadline;
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
                match aws.json(&call) {
                    Ok(reply) => {
                        for i in chunk {
                            let r = &mut rollouts[*i];
                            let found = reply["services"].as_array().and_then(|s| {
                                s.iter().find(|s| s["serviceName"] == r.service.as_str())
                            });
                            if let Some(s) = found {
                                let (state, line) = r
                                    .strategy
                                    .as_deref()
                                    .and_then(|k| service_deployment(aws, s, &r.revision, k))
                                    .unwrap_or_else(|| deployment_state(s, &r.revision));
                                let failed = failed_tasks(s, &r.revision);
                                let stopped_more = failed > r.failed_tasks;
                                r.failed_tasks = failed;
                                if stopped_more || matches!(state, State::Failed(_)) {
                                    explain_stopped(aws, r, reporter);
                                }
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
                clock.timeout,
                pending.join(", ")
            ));
            return false;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(clock.interval.min(left));
    }
}
