//! `compose2ecs ps`: what runs of the project on ECS, in `docker compose
//! ps`'s layout — a row per compose service that is an ECS service (desired,
//! running and pending tasks, the rollout, the revision, the image and the
//! health of its tasks), then the jobs and scheduled tasks with their last
//! run.

use compose2ecs_core::Conversion;
use serde_json::{Value, json};

use crate::args::PsArgs;
use crate::aws::{Aws, AwsError};
use crate::context::Context;
use crate::outcome::Ended;
use crate::steps::family::{cluster_of, owner};

pub(crate) fn run(args: &PsArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &[], None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let aws = ctx.aws(&args.cli.aws_cli, false);
    let listed = services(&aws, conversion).and_then(|s| Ok((s, tasks(&aws, conversion)?)));
    let (services, tasks) = match listed {
        Ok(l) => l,
        Err(e) => return Err(reporter.fail(&format!("ps failed: {e}"))),
    };
    if reporter.json {
        return Ok(crate::report::document(
            &json!({"services": services, "tasks": tasks}),
        ));
    }
    let mut out = table(
        &[
            "SERVICE", "NAME", "STATUS", "DESIRED", "RUNNING", "PENDING", "ROLLOUT", "REVISION",
            "HEALTH", "IMAGE",
        ],
        &services,
        &[
            "service", "name", "status", "desired", "running", "pending", "rollout", "revision",
            "health", "image",
        ],
    );
    if !tasks.is_empty() {
        out.push('\n');
        out.push_str(&table(
            &[
                "SERVICE", "KIND", "FAMILY", "SCHEDULE", "LAST RUN", "RESULT",
            ],
            &tasks,
            &[
                "service", "kind", "family", "schedule", "last_run", "result",
            ],
        ));
    }
    Ok(crate::report::stdout(out.as_bytes()))
}

/// Aligned columns, as `docker compose ps` prints them.
fn table(heads: &[&str], rows: &[Value], keys: &[&str]) -> String {
    let cell = |r: &Value, k: &str| match &r[k] {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let widths: Vec<usize> = heads
        .iter()
        .zip(keys)
        .map(|(h, k)| {
            rows.iter()
                .map(|r| cell(r, k).chars().count())
                .chain([h.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(&format!("{c:<w$}   "));
            }
        }
        l.trim_end().to_owned() + "\n"
    };
    let mut out = line(heads.iter().map(|h| (*h).to_owned()).collect());
    for r in rows {
        out.push_str(&line(keys.iter().map(|k| cell(r, k)).collect()));
    }
    out
}

/// A row per ECS service of the project.
fn services(aws: &Aws, conversion: &Conversion) -> Result<Vec<Value>, AwsError> {
    let mut rows = Vec::new();
    for (family, svc) in &conversion.services {
        let td = &conversion.task_definitions[family];
        let cluster = cluster_of(conversion, family);
        let live = aws.active_service(&cluster, &svc.service_name)?;
        let mut row = json!({"service": owner(td), "name": svc.service_name, "cluster": cluster});
        let Some(live) = &live else {
            row["status"] = "not deployed".into();
            rows.push(row);
            continue;
        };
        let primary = live["deployments"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["status"] == "PRIMARY"));
        let revision = live["taskDefinition"].as_str().unwrap_or_default();
        row["status"] = live["status"].clone();
        row["desired"] = live["desiredCount"].clone();
        row["running"] = live["runningCount"].clone();
        row["pending"] = live["pendingCount"].clone();
        row["rollout"] = primary.map_or(Value::Null, |d| d["rolloutState"].clone());
        row["revision"] = revision.rsplit('/').next().unwrap_or(revision).into();
        // The image the live revision runs in the service's own container.
        if let Ok(d) = aws.json(&[
            "ecs",
            "describe-task-definition",
            "--task-definition",
            revision,
        ]) {
            let own = owner(td);
            row["image"] = d["taskDefinition"]["containerDefinitions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["name"] == own).or(cs.first()))
                .map_or(Value::Null, |c| c["image"].clone());
        }
        row["health"] = health(aws, &cluster, &svc.service_name)?.into();
        rows.push(row);
    }
    Ok(rows)
}

/// `2 healthy, 1 unknown` of a service's running tasks.
fn health(aws: &Aws, cluster: &str, service: &str) -> Result<String, AwsError> {
    let listed = aws.json(&[
        "ecs",
        "list-tasks",
        "--cluster",
        cluster,
        "--service-name",
        service,
    ])?;
    let arns: Vec<&str> = listed["taskArns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .take(100)
        .collect();
    if arns.is_empty() {
        return Ok("no tasks".to_owned());
    }
    let mut call = vec!["ecs", "describe-tasks", "--cluster", cluster, "--tasks"];
    call.extend(&arns);
    let described = aws.json(&call)?;
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for t in described["tasks"].as_array().into_iter().flatten() {
        let h = t["healthStatus"]
            .as_str()
            .unwrap_or("UNKNOWN")
            .to_ascii_lowercase();
        *counts.entry(h).or_default() += 1;
    }
    Ok(counts
        .iter()
        .map(|(h, n)| format!("{n} {h}"))
        .collect::<Vec<_>>()
        .join(", "))
}

/// A row per job and scheduled task: its last run.
fn tasks(aws: &Aws, conversion: &Conversion) -> Result<Vec<Value>, AwsError> {
    let mut rows = Vec::new();
    let families = conversion
        .jobs
        .keys()
        .map(|f| (f, "job"))
        .chain(conversion.schedules.keys().map(|f| (f, "scheduled")));
    for (family, kind) in families {
        let td = &conversion.task_definitions[family];
        let cluster = cluster_of(conversion, family);
        let mut row = json!({"service": owner(td), "kind": kind, "family": family});
        if let Some(s) = conversion.schedules.get(family) {
            row["schedule"] = match aws.json(&["scheduler", "get-schedule", "--name", &s.name]) {
                Ok(live) => format!(
                    "{} {}",
                    live["State"].as_str().unwrap_or("?"),
                    live["ScheduleExpression"].as_str().unwrap_or("?")
                )
                .into(),
                Err(_) => "not deployed".into(),
            };
        }
        let mut arns = Vec::new();
        for status in ["RUNNING", "STOPPED"] {
            let listed = aws.json(&[
                "ecs",
                "list-tasks",
                "--cluster",
                &cluster,
                "--family",
                family,
                "--desired-status",
                status,
            ])?;
            arns.extend(
                listed["taskArns"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_owned)),
            );
        }
        arns.truncate(100);
        if !arns.is_empty() {
            let mut call = vec![
                "ecs",
                "describe-tasks",
                "--cluster",
                cluster.as_str(),
                "--tasks",
            ];
            call.extend(arns.iter().map(String::as_str));
            let described = aws.json(&call)?;
            // The newest run: the greatest createdAt (ECS reports epoch
            // seconds to the AWS CLI as numbers or ISO strings alike).
            let newest = described["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .max_by(|a, b| a["createdAt"].to_string().cmp(&b["createdAt"].to_string()));
            if let Some(t) = newest {
                row["last_run"] = t["createdAt"].clone();
                row["result"] = result(t, owner(td)).into();
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// `running`, `exit 0`, or why it stopped.
fn result(task: &Value, own: &str) -> String {
    if task["lastStatus"] != "STOPPED" {
        return task["lastStatus"]
            .as_str()
            .unwrap_or("?")
            .to_ascii_lowercase();
    }
    let containers = task["containers"].as_array().cloned().unwrap_or_default();
    let c = containers
        .iter()
        .find(|c| c["name"] == own)
        .or(containers.first());
    match c.and_then(|c| c["exitCode"].as_i64()) {
        Some(code) => format!("exit {code}"),
        None => task["stoppedReason"]
            .as_str()
            .unwrap_or("stopped")
            .to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reads_as_its_own_containers_exit_or_the_stop_reason() {
        let stopped = json!({"lastStatus": "STOPPED", "stoppedReason": "Essential container in task exited",
            "containers": [{"name": "envoy", "exitCode": 0}, {"name": "migrate", "exitCode": 3}]});
        assert_eq!(result(&stopped, "migrate"), "exit 3");
        let never_ran = json!({"lastStatus": "STOPPED", "stoppedReason": "CannotPullContainerError: pull access denied",
            "containers": [{"name": "migrate"}]});
        assert_eq!(
            result(&never_ran, "migrate"),
            "CannotPullContainerError: pull access denied"
        );
        assert_eq!(
            result(&json!({"lastStatus": "RUNNING"}), "migrate"),
            "running"
        );
    }

    #[test]
    fn the_table_aligns_its_columns_and_dashes_what_is_unknown() {
        let rows = [json!({"a": "web", "b": 2}), json!({"a": "worker-long"})];
        let t = table(&["NAME", "COUNT"], &rows, &["a", "b"]);
        assert_eq!(t, "NAME          COUNT\nweb           2\nworker-long   -\n");
    }
}
