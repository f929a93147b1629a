//! Running tasks to completion: a job of `deploy`, or the one-off task of
//! `run`. `aws ecs run-task`, then `describe-tasks` until every task has
//! stopped, then the verdict from the essential containers' exit codes,
//! with the stop reason and the container's last log lines when it failed.

use std::path::Path;
use std::time::{Duration, Instant};

use compose2ecs_core::{RunTask, TaskDefinition};
use serde_json::Value;

use crate::aws::{Aws, AwsError};
use crate::report::Reporter;

/// Log lines shown of a container that failed.
const LAST_LINES: usize = 20;

/// Tasks started by one `run-task` call.
pub(crate) struct Started {
    pub(crate) family: String,
    pub(crate) cluster: String,
    pub(crate) tasks: Vec<String>,
}

/// How one container of a stopped task ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContainerEnd {
    pub(crate) name: String,
    pub(crate) exit_code: Option<i64>,
    pub(crate) reason: Option<String>,
}

/// A stopped task.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stopped {
    pub(crate) task: String,
    pub(crate) stopped_reason: Option<String>,
    pub(crate) containers: Vec<ContainerEnd>,
}

/// Starts `input` at `revision`, with `overrides` (the `run-task`
/// `overrides` member) when given.
pub(crate) fn start(
    aws: &Aws,
    dir: &Path,
    input: &RunTask,
    revision: &str,
    overrides: Option<Value>,
) -> Result<Started, AwsError> {
    let mut v = serde_json::to_value(input).map_err(|e| AwsError::Failed(e.to_string()))?;
    v["taskDefinition"] = revision.into();
    if let Some(o) = overrides {
        v["overrides"] = o;
    }
    let family = input.task_definition.clone();
    let file = dir.join(format!("{family}.run-task.json"));
    std::fs::write(&file, v.to_string())
        .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", file.display())))?;
    let arg = format!("file://{}", file.display());
    let reply = aws.json(&["ecs", "run-task", "--cli-input-json", &arg])?;
    let failures: Vec<String> = reply["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let reason = f["reason"].as_str().unwrap_or("no reason given");
            match f["detail"].as_str() {
                Some(d) => format!("{reason} ({d})"),
                None => reason.to_owned(),
            }
        })
        .collect();
    if !failures.is_empty() {
        return Err(AwsError::Failed(format!(
            "ECS did not start {revision}: {}",
            failures.join("; ")
        )));
    }
    let tasks: Vec<String> = reply["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["taskArn"].as_str().map(str::to_owned))
        .collect();
    if tasks.is_empty() {
        return Err(AwsError::Failed(format!(
            "`aws ecs run-task` answered without a task for {revision}"
        )));
    }
    Ok(Started {
        family,
        cluster: input
            .cluster
            .clone()
            .unwrap_or_else(|| "default".to_owned()),
        tasks,
    })
}

/// Polls `describe-tasks` until every task has stopped, showing where they
/// are; an error on timeout (the tasks go on running) or when `aws` fails.
pub(crate) fn wait(
    aws: &Aws,
    started: &Started,
    deadline: Instant,
    interval: Duration,
    reporter: Reporter,
) -> Result<Vec<Stopped>, String> {
    let mut shown: Vec<String> = Vec::new();
    loop {
        let mut call = vec![
            "ecs",
            "describe-tasks",
            "--cluster",
            started.cluster.as_str(),
            "--tasks",
        ];
        call.extend(started.tasks.iter().map(String::as_str));
        let reply = aws.json(&call).map_err(|e| e.to_string())?;
        let tasks = reply["tasks"].as_array().cloned().unwrap_or_default();
        let statuses: Vec<&str> = tasks
            .iter()
            .map(|t| t["lastStatus"].as_str().unwrap_or("PENDING"))
            .collect();
        let line = format!(
            "{}: {} ({} task{})",
            started.family,
            statuses.join(", "),
            started.tasks.len(),
            if started.tasks.len() == 1 { "" } else { "s" }
        );
        reporter.status(std::slice::from_ref(&line), &mut shown);
        if tasks.len() == started.tasks.len() && statuses.iter().all(|s| *s == "STOPPED") {
            return Ok(tasks.iter().map(stopped).collect());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "timed out waiting for {} to stop; it goes on running (`aws ecs stop-task --cluster {} --task {}` stops it)",
                started.family, started.cluster, started.tasks[0]
            ));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(interval.min(left));
    }
}

pub(crate) fn stopped(task: &Value) -> Stopped {
    Stopped {
        task: task["taskArn"].as_str().unwrap_or("?").to_owned(),
        stopped_reason: task["stoppedReason"].as_str().map(str::to_owned),
        containers: task["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| ContainerEnd {
                name: c["name"].as_str().unwrap_or("?").to_owned(),
                exit_code: c["exitCode"].as_i64(),
                reason: c["reason"].as_str().map(str::to_owned),
            })
            .collect(),
    }
}

/// Why the tasks failed, by their essential containers (ECS stops a task
/// when an essential container exits; a task succeeded when every essential
/// container exited with 0): one line per failed container, with the
/// container's name. Empty when every task succeeded.
pub(crate) fn failures(td: &TaskDefinition, stopped: &[Stopped]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for task in stopped {
        for c in &task.containers {
            let essential = td
                .container_definitions
                .iter()
                .find(|d| d.name == c.name)
                .is_some_and(|d| d.essential);
            if !essential || c.exit_code == Some(0) {
                continue;
            }
            let mut why = match c.exit_code {
                Some(code) => format!("container `{}` exited with code {code}", c.name),
                None => format!("container `{}` stopped without an exit code", c.name),
            };
            if let Some(r) = &c.reason {
                why.push_str(&format!(" ({r})"));
            }
            if let Some(r) = &task.stopped_reason {
                why.push_str(&format!("; the task's stop reason: {r}"));
            }
            out.push((task.task.clone(), c.name.clone(), why));
        }
    }
    out
}

/// The exit code of `container` in the first stopped task.
pub(crate) fn exit_code(stopped: &[Stopped], container: &str) -> Option<i64> {
    stopped
        .first()?
        .containers
        .iter()
        .find(|c| c.name == container)?
        .exit_code
}

/// The last lines `container` of `task` wrote to CloudWatch, when it logs
/// with awslogs (stream `<prefix>/<container>/<task id>`); empty otherwise,
/// or when they cannot be read.
pub(crate) fn last_lines(
    aws: &Aws,
    td: &TaskDefinition,
    container: &str,
    task: &str,
) -> Vec<String> {
    let Some(log) = td
        .container_definitions
        .iter()
        .find(|c| c.name == container)
        .and_then(|c| c.log_configuration.as_ref())
        .filter(|l| l.log_driver == "awslogs")
    else {
        return Vec::new();
    };
    let (Some(group), Some(prefix)) = (
        log.options.get("awslogs-group"),
        log.options.get("awslogs-stream-prefix"),
    ) else {
        return Vec::new();
    };
    let id = task.rsplit('/').next().unwrap_or(task);
    let stream = format!("{prefix}/{container}/{id}");
    let limit = LAST_LINES.to_string();
    let call = [
        "logs",
        "get-log-events",
        "--log-group-name",
        group.as_str(),
        "--log-stream-name",
        stream.as_str(),
        "--limit",
        limit.as_str(),
    ];
    aws.json(&call)
        .ok()
        .and_then(|r| r["events"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["message"].as_str().map(|m| m.trim_end().to_owned()))
        .collect()
}

/// One stopped task, explained: `what` (`a task of shop-web:3`) with its
/// id and ECS's stop reason, how each container ended (exit code, reason),
/// and the last log lines of each container that did not exit with 0.
pub(crate) fn explain(aws: &Aws, td: &TaskDefinition, task: &Stopped, what: &str) -> String {
    let id = task.task.rsplit('/').next().unwrap_or(&task.task);
    let mut message = format!(
        "{what} stopped (task {id}): {}",
        task.stopped_reason
            .as_deref()
            .unwrap_or("ECS gave no stop reason")
    );
    for c in &task.containers {
        let code = c
            .exit_code
            .map_or_else(|| "no exit code".to_owned(), |e| format!("exit code {e}"));
        message.push_str(&format!("\n  container `{}`: {code}", c.name));
        if let Some(r) = &c.reason {
            message.push_str(&format!(" ({r})"));
        }
    }
    for c in task.containers.iter().filter(|c| c.exit_code != Some(0)) {
        let lines = last_lines(aws, td, &c.name, &task.task);
        if !lines.is_empty() {
            message.push_str(&format!(
                "\n  the last {} log lines of `{}`:",
                lines.len(),
                c.name
            ));
            for l in lines {
                message.push_str("\n    ");
                message.push_str(&l);
            }
        }
    }
    message
}

/// Reports a failed job: each failing container, and its last log lines.
pub(crate) fn report_failure(
    aws: &Aws,
    td: &TaskDefinition,
    stopped: &[Stopped],
    what: &str,
    reporter: Reporter,
) {
    for (task, container, why) in failures(td, stopped) {
        let mut message = format!("{what} failed: {why}");
        let lines = last_lines(aws, td, &container, &task);
        if !lines.is_empty() {
            message.push_str(&format!("\nits last {} log lines:", lines.len()));
            for l in lines {
                message.push_str("\n  ");
                message.push_str(&l);
            }
        }
        reporter.error(&message);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn td(essential: &[(&str, bool)]) -> TaskDefinition {
        let containers: Vec<Value> = essential
            .iter()
            .map(|(n, e)| serde_json::json!({"name": n, "image": "app", "essential": e}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "family": "shop-migrate", "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "containerDefinitions": containers,
        }))
        .unwrap()
    }

    fn ended(containers: &[(&str, Option<i64>)]) -> Vec<Stopped> {
        vec![Stopped {
            task: "arn:aws:ecs:us-east-1:123456789012:task/prod/abc".to_owned(),
            stopped_reason: Some("Essential container in task exited".to_owned()),
            containers: containers
                .iter()
                .map(|(n, c)| ContainerEnd {
                    name: (*n).to_owned(),
                    exit_code: *c,
                    reason: None,
                })
                .collect(),
        }]
    }

    #[test]
    fn a_task_succeeds_when_every_essential_container_exits_with_0() {
        let td = td(&[("migrate", true), ("sidecar", false)]);
        assert!(failures(&td, &ended(&[("migrate", Some(0)), ("sidecar", Some(137))])).is_empty());
        let failed = failures(&td, &ended(&[("migrate", Some(3)), ("sidecar", Some(0))]));
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0].2.contains("`migrate` exited with code 3"),
            "{failed:?}"
        );
        assert!(failed[0].2.contains("Essential container in task exited"));
        let failed = failures(&td, &ended(&[("migrate", None)]));
        assert!(failed[0].2.contains("without an exit code"), "{failed:?}");
        assert_eq!(
            exit_code(&ended(&[("migrate", Some(3))]), "migrate"),
            Some(3)
        );
    }
}
