//! The AWS calls a command would make, as data: what `--dry-run` prints,
//! as shell command lines for people or argument vectors with
//! `--format json`.

use compose2ecs_core::ecs::Schedule;
use compose2ecs_core::{Conversion, RunTask, ServiceDefinition};
use serde_json::{Value, json};

use crate::aws::Aws;
use crate::outcome::Outcome;
use crate::report::Reporter;

/// One call: the comment that says when it runs (empty, or whole lines
/// each ending in a newline), and its arguments after the binary (the
/// region is added by [`Aws`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub(crate) comment: String,
    pub(crate) args: Vec<String>,
}

impl Call {
    pub(crate) fn new(comment: &str, args: &[&str]) -> Self {
        Call {
            comment: comment.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

/// Shows `calls`: the command lines on stdout, or one `dry-run` document
/// with their argument vectors (and `note`, when given).
pub(crate) fn show(aws: &Aws, calls: &[Call], reporter: Reporter, note: Option<&str>) -> Outcome {
    if reporter.json {
        let commands: Vec<Vec<String>> = calls.iter().map(|c| aws.argv(&strs(c))).collect();
        let mut doc = json!({"status": "dry-run"});
        if let Some(note) = note {
            doc["note"] = note.into();
        }
        doc["commands"] = json!(commands);
        return crate::report::document(&doc);
    }
    let mut out = String::new();
    for c in calls {
        out.push_str(&c.comment);
        out.push_str(&aws.command_line(&strs(c)));
        out.push('\n');
    }
    crate::report::stdout(out.as_bytes())
}

fn strs(c: &Call) -> Vec<&str> {
    c.args.iter().map(String::as_str).collect()
}

/// What `deploy` does, stage by stage: the subnets of `network.vpc` looked
/// up (`vpc`, when it has to be), the log groups' retention, then each
/// family's calls.
pub(crate) fn deploy(conversion: &Conversion, stages: &[Vec<&str>]) -> Vec<Call> {
    let mut calls = Vec::new();
    let families: Vec<&str> = stages.iter().flatten().copied().collect();
    if let Some(vpc) = crate::steps::vpc::unresolved(conversion) {
        calls.push(Call {
            comment: format!(
                "# the subnets of network.vpc, for the calls below (<the subnets of {vpc}>):\n"
            ),
            args: crate::steps::vpc::lookup_call(vpc),
        });
    }
    for (comment, args) in crate::steps::retention::calls(conversion, &families) {
        calls.push(Call { comment, args });
    }
    for (i, stage) in stages.iter().enumerate() {
        let first = calls.len();
        for family in stage {
            calls.extend(family_calls(conversion, family));
        }
        if stages.len() > 1 {
            if let Some(c) = calls.get_mut(first) {
                c.comment = format!("# stage {} of {}\n{}", i + 1, stages.len(), c.comment);
            }
        }
    }
    calls
}

/// One family's calls: its task definition registered, then its schedule,
/// its job, or its service (and its scaling).
fn family_calls(conversion: &Conversion, family: &str) -> Vec<Call> {
    let td = serde_json::to_string(&conversion.task_definitions[family]).unwrap_or_default();
    let mut calls = vec![Call::new(
        "",
        &["ecs", "register-task-definition", "--cli-input-json", &td],
    )];
    if let Some(schedule) = conversion.schedules.get(family) {
        calls.extend(schedule_calls(schedule));
    } else if let Some(job) = conversion.jobs.get(family) {
        calls.extend(job_calls(job));
    } else {
        let scaled = conversion.scaling.contains_key(family);
        calls.extend(service_calls(&conversion.services[family], family, scaled));
        if let Some(scaling) = conversion.scaling.get(family) {
            let put = |comment: &str, op: &str, json: String| {
                Call::new(
                    comment,
                    &["application-autoscaling", op, "--cli-input-json", &json],
                )
            };
            calls.push(put(
                "# then (the desired count is Application Auto Scaling's from now on; later updates leave it out):\n",
                "register-scalable-target",
                serde_json::to_string(&scaling.scalable_target).unwrap_or_default(),
            ));
            for p in &scaling.scaling_policies {
                let json = serde_json::to_string(p).unwrap_or_default();
                calls.push(put("", "put-scaling-policy", json));
            }
            for a in &scaling.scheduled_actions {
                let json = serde_json::to_string(a).unwrap_or_default();
                calls.push(put("", "put-scheduled-action", json));
            }
        }
    }
    calls
}

fn schedule_calls(schedule: &Schedule) -> Vec<Call> {
    let input = serde_json::to_string(schedule).unwrap_or_default();
    vec![
        Call::new("", &["scheduler", "get-schedule", "--name", &schedule.name]),
        Call::new(
            "# when it exists (TaskDefinitionArn: the revision just registered):\n",
            &["scheduler", "update-schedule", "--cli-input-json", &input],
        ),
        Call::new(
            "# else:\n",
            &["scheduler", "create-schedule", "--cli-input-json", &input],
        ),
    ]
}

fn job_calls(job: &RunTask) -> Vec<Call> {
    let cluster = job.cluster.as_deref().unwrap_or("default");
    let input = serde_json::to_string(job).unwrap_or_default();
    vec![
        Call::new("", &["ecs", "run-task", "--cli-input-json", &input]),
        wait_stopped(
            "# wait for the job's tasks to stop, then check each essential container's exit code (describe-tasks):\n",
            cluster,
            "<the task ARNs>",
        ),
    ]
}

/// The wait for `tasks` (a placeholder: their ARNs are known once run) of
/// `cluster` to stop.
pub(crate) fn wait_stopped(comment: &str, cluster: &str, tasks: &str) -> Call {
    Call::new(
        comment,
        &[
            "ecs",
            "wait",
            "tasks-stopped",
            "--cluster",
            cluster,
            "--tasks",
            tasks,
        ],
    )
}

fn service_calls(svc: &ServiceDefinition, family: &str, scaled: bool) -> Vec<Call> {
    let cluster = svc.cluster.as_deref().unwrap_or("default");
    let create = serde_json::to_value(svc).unwrap_or_default();
    // The family alone names its latest revision: the one registered.
    let mut update = crate::steps::service::update_input(&create, family);
    if scaled {
        update.remove("desiredCount");
    }
    let update = Value::Object(update).to_string();
    vec![
        Call::new(
            "",
            &[
                "ecs",
                "describe-services",
                "--cluster",
                cluster,
                "--services",
                &svc.service_name,
                "--include",
                "TAGS",
            ],
        ),
        Call::new(
            "# when the service is ACTIVE:\n",
            &["ecs", "update-service", "--cli-input-json", &update],
        ),
        Call::new(
            "# else:\n",
            &[
                "ecs",
                "create-service",
                "--cli-input-json",
                &create.to_string(),
            ],
        ),
    ]
}
