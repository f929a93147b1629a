//! What `deploy` applies around an ECS service: its Application Auto
//! Scaling (`<family>.scaling.json`) once the service exists, and the
//! EventBridge Scheduler schedule of a scheduled task
//! (`<family>.schedule.json`) once its task definition is registered. Every
//! call is idempotent, so a second deploy makes AWS match the files again.

use std::path::Path;

use compose2ecs_core::ecs::{Scaling, Schedule};
use compose2ecs_core::to_json;
use serde_json::Value;

use crate::aws::{Aws, AwsError};

/// Writes `text` as `<dir>/<name>`; its `file://` URL for `--cli-input-json`.
pub(crate) fn input_file(dir: &Path, name: &str, text: String) -> Result<String, AwsError> {
    let file = dir.join(name);
    std::fs::write(&file, text)
        .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", file.display())))?;
    Ok(format!("file://{}", file.display()))
}

/// Whether Application Auto Scaling has the scalable target `t` already.
pub(crate) fn target_exists(
    aws: &Aws,
    t: &compose2ecs_core::ecs::scaling::ScalableTarget,
) -> Result<bool, AwsError> {
    Ok(found(
        &aws.json(
            &describe_target(t)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )?,
    ))
}

/// The `describe-scalable-targets` call that finds `t`.
pub(crate) fn describe_target(t: &compose2ecs_core::ecs::scaling::ScalableTarget) -> Vec<String> {
    [
        "application-autoscaling",
        "describe-scalable-targets",
        "--service-namespace",
        &t.service_namespace,
        "--resource-ids",
        &t.resource_id,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Whether a `describe-scalable-targets` answer found the target.
pub(crate) fn found(answer: &serde_json::Value) -> bool {
    answer["ScalableTargets"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
}

/// Registers the scalable target, puts each policy and scheduled action,
/// and deletes the policies and actions of this family (`<family>-…`) that
/// the file no longer has; the progress line.
pub(crate) fn apply_scaling(
    aws: &Aws,
    dir: &Path,
    family: &str,
    scaling: &Scaling,
) -> Result<String, AwsError> {
    let t = &scaling.scalable_target;
    let call = |op: &str, input: Result<String, AwsError>| {
        aws.json(&["application-autoscaling", op, "--cli-input-json", &input?])
    };
    // Tags go with the target when it is created; an existing one is
    // tagged apart.
    let existed = !t.tags.is_empty() && target_exists(aws, t).unwrap_or(false);
    let registered = call(
        "register-scalable-target",
        input_file(dir, &format!("{family}.scalable-target.json"), to_json(t)),
    )?;
    // "Use this parameter to tag the scalable target when it is created. To
    // tag an existing scalable target, use the TagResource operation."
    let mut untagged = String::new();
    if let (true, Some(arn)) = (existed, registered["ScalableTargetARN"].as_str()) {
        let map = serde_json::to_string(&t.tags).unwrap_or_default();
        if let Err(e) = aws.text(&[
            "application-autoscaling",
            "tag-resource",
            "--resource-arn",
            arn,
            "--tags",
            &map,
        ]) {
            // The scaling itself is in place; only the tags are behind.
            untagged = format!(" (its tags are not updated: {e})");
        }
    }
    for (i, p) in scaling.scaling_policies.iter().enumerate() {
        call(
            "put-scaling-policy",
            input_file(dir, &format!("{family}.policy-{i}.json"), to_json(p)),
        )?;
    }
    for (i, a) in scaling.scheduled_actions.iter().enumerate() {
        call(
            "put-scheduled-action",
            input_file(dir, &format!("{family}.action-{i}.json"), to_json(a)),
        )?;
    }
    let policies: Vec<&str> = scaling
        .scaling_policies
        .iter()
        .map(|p| p.policy_name.as_str())
        .collect();
    let actions: Vec<&str> = scaling
        .scheduled_actions
        .iter()
        .map(|a| a.scheduled_action_name.as_str())
        .collect();
    let mut removed = prune(aws, scaling, family, Kind::POLICIES, &policies)?;
    removed.extend(prune(aws, scaling, family, Kind::ACTIONS, &actions)?);
    let mut line = format!(
        "scaling {} between {} and {} tasks",
        t.resource_id, t.min_capacity, t.max_capacity
    );
    if !policies.is_empty() {
        line.push_str(&format!("; policies {}", policies.join(", ")));
    }
    if !actions.is_empty() {
        line.push_str(&format!("; scheduled actions {}", actions.join(", ")));
    }
    if !removed.is_empty() {
        line.push_str(&format!("; removed {}", removed.join(", ")));
    }
    line.push_str(&untagged);
    Ok(line)
}

/// What `prune` lists and deletes: policies or scheduled actions.
struct Kind {
    describe: &'static str,
    list: &'static str,
    name: &'static str,
    delete: &'static str,
    flag: &'static str,
}

impl Kind {
    const POLICIES: Kind = Kind {
        describe: "describe-scaling-policies",
        list: "ScalingPolicies",
        name: "PolicyName",
        delete: "delete-scaling-policy",
        flag: "--policy-name",
    };
    const ACTIONS: Kind = Kind {
        describe: "describe-scheduled-actions",
        list: "ScheduledActions",
        name: "ScheduledActionName",
        delete: "delete-scheduled-action",
        flag: "--scheduled-action-name",
    };
}

/// Deletes the family's (`<family>-…`) policies or actions on the target
/// that are not `ours`; their names.
fn prune(
    aws: &Aws,
    scaling: &Scaling,
    family: &str,
    kind: Kind,
    ours: &[&str],
) -> Result<Vec<String>, AwsError> {
    let t = &scaling.scalable_target;
    let live = aws.json(&[
        "application-autoscaling",
        kind.describe,
        "--service-namespace",
        &t.service_namespace,
        "--resource-id",
        &t.resource_id,
    ])?;
    let prefix = format!("{family}-");
    let mut removed = Vec::new();
    for name in names(&live[kind.list], kind.name) {
        if name.starts_with(&prefix) && !ours.contains(&name.as_str()) {
            aws.json(&[
                "application-autoscaling",
                kind.delete,
                kind.flag,
                &name,
                "--service-namespace",
                &t.service_namespace,
                "--resource-id",
                &t.resource_id,
                "--scalable-dimension",
                &t.scalable_dimension,
            ])?;
            removed.push(name);
        }
    }
    Ok(removed)
}

/// Creates the schedule, or updates it when it exists, to start
/// `task_definition_arn` (the revision just registered): the progress line.
pub(crate) fn apply_schedule(
    aws: &Aws,
    dir: &Path,
    schedule: &Schedule,
    task_definition_arn: &str,
) -> Result<String, AwsError> {
    let mut value = serde_json::to_value(schedule).map_err(|e| AwsError::Failed(e.to_string()))?;
    value["Target"]["EcsParameters"]["TaskDefinitionArn"] = task_definition_arn.into();
    let input = input_file(
        dir,
        &format!("{}.schedule.json", schedule.name),
        value.to_string(),
    )?;
    let exists = match aws.json(&["scheduler", "get-schedule", "--name", &schedule.name]) {
        Ok(_) => true,
        Err(AwsError::Failed(m)) if m.contains("ResourceNotFound") => false,
        Err(e) => return Err(e),
    };
    let (op, did) = if exists {
        ("update-schedule", "updated")
    } else {
        ("create-schedule", "created")
    };
    aws.json(&["scheduler", op, "--cli-input-json", &input])?;
    Ok(format!(
        "{did} schedule {} ({}{}) to run {}",
        schedule.name,
        schedule.schedule_expression,
        schedule
            .schedule_expression_timezone
            .as_deref()
            .map(|z| format!(", {z}"))
            .unwrap_or_default(),
        task_definition_arn
            .rsplit('/')
            .next()
            .unwrap_or(task_definition_arn)
    ))
}

/// The `key` of each item of a described list.
fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p[key].as_str().map(str::to_owned))
        .collect()
}
