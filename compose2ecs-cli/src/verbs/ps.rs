//! `compose2ecs ps`: what runs of the project on ECS, in `docker compose
//! ps`'s layout — a row per compose service that is an ECS service (desired,
//! running and pending tasks, the rollout, the revision, the image and the
//! health of its tasks), then the jobs and scheduled tasks with their last
//! run.

use compose2ecs_core::Conversion;
use serde_json::{Value, json};

use crate::args::PsArgs;
use crate::aws::{Answers, Aws, AwsError, Round};
use crate::context::Context;
use crate::outcome::Ended;
use crate::steps::family::{cluster_of, owner};

pub(crate) fn run(args: &PsArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &[], None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let aws = ctx.aws(&args.cli.aws_cli, false);
    let (services, tasks) = match survey(&aws, conversion) {
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

/// What ps reads, in two rounds of calls: first every service (ten a
/// `describe-services`), every service's and job's task list and every
/// schedule; then the live revisions and the tasks found (a hundred a
/// `describe-tasks`, per cluster).
fn survey(aws: &Aws, conversion: &Conversion) -> Result<(Vec<Value>, Vec<Value>), AwsError> {
    let mut first = Round::default();
    let wanted =
        crate::steps::family::services(conversion, conversion.services.keys().map(String::as_str));
    let asked = first.services(&wanted);
    let service_tasks: Vec<usize> = wanted
        .iter()
        .map(|(cluster, name)| {
            first.add(&[
                "ecs",
                "list-tasks",
                "--cluster",
                cluster,
                "--service-name",
                name,
            ])
        })
        .collect();
    let runs = run_families(conversion);
    let run_tasks: Vec<[usize; 2]> = runs
        .iter()
        .map(|(family, _)| {
            let cluster = cluster_of(conversion, family);
            ["RUNNING", "STOPPED"].map(|status| {
                first.add(&[
                    "ecs",
                    "list-tasks",
                    "--cluster",
                    &cluster,
                    "--family",
                    family,
                    "--desired-status",
                    status,
                ])
            })
        })
        .collect();
    let schedules: Vec<Option<usize>> = runs
        .iter()
        .map(|(family, _)| {
            conversion
                .schedules
                .get(*family)
                .map(|s| first.add(&["scheduler", "get-schedule", "--name", &s.name]))
        })
        .collect();
    let mut a = first.run(aws);

    // The second round: what the first found.
    let mut second = Round::default();
    let mut lives = Vec::new();
    let mut arns_of: Vec<(String, Vec<String>)> = Vec::new();
    for ((cluster, name), listed) in wanted.iter().zip(service_tasks) {
        let live = a.active(&asked, cluster, name)?;
        let arns = match &live {
            Some(_) => task_arns(&a.take(listed)?, 100),
            None => Vec::new(),
        };
        let revision = live
            .as_ref()
            .and_then(|l| l["taskDefinition"].as_str())
            .map(|r| second.add(&["ecs", "describe-task-definition", "--task-definition", r]));
        arns_of.push((cluster.clone(), arns));
        lives.push((live, revision));
    }
    for ((family, _), [running, stopped]) in runs.iter().zip(&run_tasks) {
        let mut arns = task_arns(&a.take(*running)?, 100);
        arns.extend(task_arns(&a.take(*stopped)?, 100));
        arns.truncate(100);
        arns_of.push((cluster_of(conversion, family), arns));
    }
    let described = describe_tasks(&mut second, &arns_of);
    let mut b = second.run(aws);
    let tasks = described_tasks(&mut b, described)?;

    let mut own_tasks = arns_of.iter().map(|(_, arns)| found(&tasks, arns));
    let mut rows = Vec::new();
    for ((family, svc), (live, revision)) in conversion.services.iter().zip(lives) {
        let td = &conversion.task_definitions[family];
        let mut row = json!({"service": owner(td), "name": svc.service_name,
            "cluster": cluster_of(conversion, family)});
        let mine = own_tasks.next().unwrap_or_default();
        match &live {
            Some(live) => {
                let image = revision.map(|t| b.take(t));
                service_row(&mut row, live, image, owner(td), &mine);
            }
            None => row["status"] = "not deployed".into(),
        }
        rows.push(row);
    }
    let mut jobs = Vec::new();
    for ((family, kind), schedule) in runs.iter().zip(schedules) {
        let td = &conversion.task_definitions[*family];
        let mut row = json!({"service": owner(td), "kind": kind, "family": family});
        if let Some(t) = schedule {
            row["schedule"] = schedule_cell(a.take(t)).into();
        }
        // The newest run: the greatest createdAt (ECS reports epoch
        // seconds to the AWS CLI as numbers or ISO strings alike).
        let mine = own_tasks.next().unwrap_or_default();
        let newest = mine
            .iter()
            .max_by(|a, b| a["createdAt"].to_string().cmp(&b["createdAt"].to_string()));
        if let Some(t) = newest {
            row["last_run"] = t["createdAt"].clone();
            row["result"] = result(t, owner(td)).into();
        }
        jobs.push(row);
    }
    Ok((rows, jobs))
}

/// A live service's row: its counts, rollout, revision, the image its
/// revision runs in the service's own container, and its tasks' health.
fn service_row(
    row: &mut Value,
    live: &Value,
    revision: Option<Result<Value, AwsError>>,
    own: &str,
    tasks: &[Value],
) {
    let primary = live["deployments"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["status"] == "PRIMARY"));
    let arn = live["taskDefinition"].as_str().unwrap_or_default();
    row["status"] = live["status"].clone();
    row["desired"] = live["desiredCount"].clone();
    row["running"] = live["runningCount"].clone();
    row["pending"] = live["pendingCount"].clone();
    row["rollout"] = primary.map_or(Value::Null, |d| d["rolloutState"].clone());
    row["revision"] = arn.rsplit('/').next().unwrap_or(arn).into();
    if let Some(Ok(d)) = revision {
        row["image"] = d["taskDefinition"]["containerDefinitions"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == own).or(cs.first()))
            .map_or(Value::Null, |c| c["image"].clone());
    }
    row["health"] = health(tasks).into();
}

/// `ENABLED cron(0 3 * * ? *)`, or `not deployed`.
fn schedule_cell(answer: Result<Value, AwsError>) -> String {
    match answer {
        Ok(live) => format!(
            "{} {}",
            live["State"].as_str().unwrap_or("?"),
            live["ScheduleExpression"].as_str().unwrap_or("?")
        ),
        Err(_) => "not deployed".to_owned(),
    }
}

/// The families that run as jobs and scheduled tasks, with their kind.
fn run_families(conversion: &Conversion) -> Vec<(&String, &'static str)> {
    conversion
        .jobs
        .keys()
        .map(|f| (f, "job"))
        .chain(conversion.schedules.keys().map(|f| (f, "scheduled")))
        .collect()
}

/// The task ARNs of a `list-tasks` answer, at most `most`.
fn task_arns(listed: &Value, most: usize) -> Vec<String> {
    listed["taskArns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .take(most)
        .collect()
}

/// Adds the `describe-tasks` calls for every ARN found, a hundred a call
/// (the API's limit) per cluster; their tickets.
fn describe_tasks(round: &mut Round, arns_of: &[(String, Vec<String>)]) -> Vec<usize> {
    let mut by_cluster: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (cluster, arns) in arns_of {
        let all = by_cluster.entry(cluster).or_default();
        for a in arns {
            if !all.contains(&a.as_str()) {
                all.push(a);
            }
        }
    }
    let mut tickets = Vec::new();
    for (cluster, arns) in by_cluster {
        for chunk in arns.chunks(100) {
            let mut call = vec!["ecs", "describe-tasks", "--cluster", cluster, "--tasks"];
            call.extend(chunk);
            tickets.push(round.add(&call));
        }
    }
    tickets
}

/// The described tasks by ARN.
fn described_tasks(
    answers: &mut Answers,
    tickets: Vec<usize>,
) -> Result<std::collections::BTreeMap<String, Value>, AwsError> {
    let mut tasks = std::collections::BTreeMap::new();
    for t in tickets {
        for task in answers.take(t)?["tasks"].as_array().into_iter().flatten() {
            if let Some(arn) = task["taskArn"].as_str() {
                tasks.insert(arn.to_owned(), task.clone());
            }
        }
    }
    Ok(tasks)
}

/// The described tasks among `arns`.
fn found(tasks: &std::collections::BTreeMap<String, Value>, arns: &[String]) -> Vec<Value> {
    arns.iter().filter_map(|a| tasks.get(a).cloned()).collect()
}

/// `2 healthy, 1 unknown` of a service's running tasks.
fn health(tasks: &[Value]) -> String {
    if tasks.is_empty() {
        return "no tasks".to_owned();
    }
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for t in tasks {
        let h = t["healthStatus"]
            .as_str()
            .unwrap_or("UNKNOWN")
            .to_ascii_lowercase();
        *counts.entry(h).or_default() += 1;
    }
    counts
        .iter()
        .map(|(h, n)| format!("{n} {h}"))
        .collect::<Vec<_>>()
        .join(", ")
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
