//! A family's task definition registered (or the live one reused) and its
//! service created, or the live one made to match the service definition:
//! every member `update-service` can change, the new revision included.

use std::path::Path;

use compose2ecs_core::Conversion;
use serde_json::{Map, Value};

use crate::aws::{Aws, AwsError, Round};
use crate::report::Reporter;
use crate::steps::family;
use crate::steps::members::{CREATE_ONLY, UPDATABLE};
use crate::steps::rollout::{Rollout, State};

/// The live revisions `--plan` found equal to the conversion's: family →
/// (ARN, `family:revision`).
pub(crate) type Reuse = std::collections::BTreeMap<String, (String, String)>;

/// Says that `revision` was registered, or that the live one is used.
pub(crate) fn said_registered(
    reporter: Reporter,
    reuse: &Reuse,
    family: &str,
    revision: &str,
    arn: &str,
) {
    if reuse.contains_key(family) {
        reporter.progress(&format!(
            "task definition {revision} is unchanged: it runs again, no new revision"
        ));
    } else {
        reporter.registered(revision, arn);
    }
}

/// The live services of `families` (those that run as ECS services) that
/// are not this project's, each said with why; read in one round. `deploy`
/// and `scale` change nothing of a service they did not create.
pub(crate) fn strangers(
    aws: &Aws,
    conversion: &Conversion,
    families: &[&str],
) -> Result<Vec<String>, AwsError> {
    let project = family::project(conversion);
    let wanted = family::services(conversion, families.iter().copied());
    let mut round = Round::default();
    let asked = round.services(&wanted);
    let answers = round.run(aws);
    let mut strangers = Vec::new();
    for (cluster, name) in &wanted {
        if let Some(live) = answers.active(&asked, cluster, name)? {
            if let Some(why) = family::not_ours(&live["tags"], &project) {
                strangers.push(format!(
                    "service {name} (cluster {cluster}) exists and {why}"
                ));
            }
        }
    }
    Ok(strangers)
}

/// Registers `family`'s task definition, or, when `--plan` found the live
/// revision equal to it, uses that one: its ARN and `family:revision`.
pub(crate) fn register(
    aws: &Aws,
    dir: &Path,
    conversion: &Conversion,
    family: &str,
    reuse: &Reuse,
) -> Result<(String, String), AwsError> {
    match reuse.get(family) {
        Some(live) => Ok(live.clone()),
        None => aws.register_definition(dir, &conversion.task_definitions[family]),
    }
}

/// The `update-service` input that makes a service match its definition
/// (`create`, the `create-service` input) at `revision`.
pub(crate) fn update_input(create: &Value, revision: &str) -> Map<String, Value> {
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

/// Creates the service of `family` to run `registered` (ARN,
/// `family:revision`), or makes the live one match. An error after the
/// service was updated says so.
pub(crate) fn deploy_one(
    aws: &Aws,
    dir: &Path,
    family: &str,
    conversion: &Conversion,
    registered: (String, String),
) -> Result<Rollout, AwsError> {
    let write = |name: String, text: String| {
        let file = dir.join(name);
        std::fs::write(&file, text)
            .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", file.display())))?;
        Ok::<_, AwsError>(format!("file://{}", file.display()))
    };
    let (arn, revision) = registered;

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
            ])
            .map_err(|e| {
                AwsError::Failed(format!(
                    "{e} (after service {name} was updated to {revision}: it now runs it, untagged)"
                ))
            })?;
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
