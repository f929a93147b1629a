//! Watching ECS service rollouts: `describe-services` until every
//! deployment of the revisions `deploy` started is COMPLETED, one FAILED,
//! or the deadline passes.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::aws::Aws;
use crate::report::Reporter;

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
