//! `compose2ecs deploy`: register each task definition, create its ECS
//! service or make the existing one match the service definition (every
//! member `update-service` can change, the new revision included), and watch
//! the rollout until every deployment is COMPLETED, one FAILED, or the
//! timeout passes. Everything goes through the real `aws` CLI, with the
//! project's region, as `register` does.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::args::DeployArgs;
use crate::aws::{Aws, AwsError};
use crate::cmd::{aws, chosen, converted, scratch};
use crate::outcome::Outcome;
use crate::report::Reporter;

/// The `CreateService` members that `update-service` takes as they are.
/// (`cluster` and `taskDefinition` are given too; `serviceName` becomes
/// `service`.) A test keeps this list equal to the API model's.
pub(crate) const UPDATABLE: &[&str] = &[
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "deploymentController",
    "desiredCount",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "loadBalancers",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "propagateTags",
    "serviceConnectConfiguration",
    "serviceRegistries",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
];

/// The `CreateService` members `update-service` cannot change, and what to
/// do when the live service differs.
pub(crate) const CREATE_ONLY: &[(&str, &str)] = &[
    ("clientToken", ""),
    (
        "launchType",
        "update-service cannot change the launch type: delete the service (`aws ecs delete-service --force`) and deploy again, or keep the service's launch type in compose2ecs.yaml (`launch_type:`)",
    ),
    ("role", ""),
    (
        "schedulingStrategy",
        "update-service cannot change the scheduling strategy: delete the service and deploy again",
    ),
    ("serviceName", ""),
    ("tags", ""),
];

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
    // ECS refuses an awsvpc service without subnets at create-service time:
    // say so before any call.
    let unplaced: Vec<&str> = chosen
        .iter()
        .filter(|f| {
            conversion.task_definitions[**f].network_mode == "awsvpc"
                && conversion.services[**f].network_configuration.is_none()
        })
        .map(|f| f.as_str())
        .collect();
    if !unplaced.is_empty() {
        reporter.error(&format!(
            "{} use the awsvpc network mode and have no network configuration, which ECS requires to create the service; set `network: {{subnets: [subnet-…], security_groups: [sg-…]}}` in compose2ecs.yaml",
            unplaced.join(", ")
        ));
        return Outcome::Rejected;
    }
    let aws = aws(&args.aws, reporter, &conversion);

    if args.aws.dry_run {
        let mut out = String::new();
        let mut commands: Vec<Vec<String>> = Vec::new();
        for family in &chosen {
            let td =
                serde_json::to_string(&conversion.task_definitions[*family]).unwrap_or_default();
            let svc = &conversion.services[*family];
            let cluster = svc.cluster.as_deref().unwrap_or("default");
            let create = serde_json::to_value(svc).unwrap_or_default();
            // The family alone names its latest revision: the one registered.
            let update = Value::Object(update_input(&create, family)).to_string();
            let create = create.to_string();
            let describe = [
                "ecs",
                "describe-services",
                "--cluster",
                cluster,
                "--services",
                &svc.service_name,
            ];
            let calls: [(&str, &[&str]); 4] = [
                (
                    "",
                    &["ecs", "register-task-definition", "--cli-input-json", &td],
                ),
                ("", &describe),
                (
                    "# when the service is ACTIVE:\n",
                    &["ecs", "update-service", "--cli-input-json", &update],
                ),
                (
                    "# else:\n",
                    &["ecs", "create-service", "--cli-input-json", &create],
                ),
            ];
            for (comment, call) in calls {
                out.push_str(comment);
                out.push_str(&aws.command_line(call));
                out.push('\n');
                commands.push(aws.argv(call));
            }
        }
        if reporter.json {
            return crate::write::document(&serde_json::json!({
                "status": "dry-run",
                "note": "update-service runs when describe-services finds the service ACTIVE, else create-service",
                "commands": commands,
            }));
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
        match deploy_one(&aws, dir.path(), family, &conversion) {
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
    let ok = if args.no_wait || rollouts.is_empty() {
        true
    } else {
        watch(&aws, &mut rollouts, args, reporter)
    };
    let ok = ok && !failed;
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
) -> Result<Rollout, AwsError> {
    let write = |name: String, text: String| {
        let file = dir.join(name);
        std::fs::write(&file, text)
            .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", file.display())))?;
        Ok::<_, AwsError>(format!("file://{}", file.display()))
    };
    let td_file = dir.join(format!("{family}.task-definition.json"));
    std::fs::write(
        &td_file,
        compose2ecs_core::to_json(&conversion.task_definitions[family]),
    )
    .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", td_file.display())))?;
    let arn = aws.register(&td_file)?;
    let revision = arn.rsplit('/').next().unwrap_or(family).to_owned();

    let mut service = serde_json::to_value(&conversion.services[family])
        .map_err(|e| AwsError::Failed(e.to_string()))?;
    service["taskDefinition"] = revision.clone().into();
    let cluster = service["cluster"].as_str().unwrap_or("default").to_owned();
    let name = service["serviceName"].as_str().unwrap_or(family).to_owned();

    let described = aws.json(&[
        "ecs",
        "describe-services",
        "--cluster",
        &cluster,
        "--services",
        &name,
    ])?;
    let live = described["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["status"] == "ACTIVE"));
    let line = if let Some(live) = live {
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
        if changes.is_empty() {
            format!("updated service {name} to {revision}")
        } else {
            format!(
                "updated service {name} to {revision}; changed: {}",
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
fn watch(aws: &Aws, rollouts: &mut [Rollout], args: &DeployArgs, reporter: Reporter) -> bool {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn members(shape: &str) -> BTreeSet<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../schemas/source/botocore-ecs-service-2.json");
        let model: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        model["shapes"][shape]["members"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn the_updatable_members_are_the_api_models() {
        let create = members("CreateServiceRequest");
        let update = members("UpdateServiceRequest");
        let both: BTreeSet<String> = create.intersection(&update).cloned().collect();
        let mut ours: BTreeSet<String> = UPDATABLE.iter().map(|m| (*m).to_owned()).collect();
        ours.extend(["cluster".to_owned(), "taskDefinition".to_owned()]);
        assert_eq!(ours, both);
        let only: BTreeSet<String> = create.difference(&update).cloned().collect();
        let said: BTreeSet<String> = CREATE_ONLY.iter().map(|(m, _)| (*m).to_owned()).collect();
        assert_eq!(said, only);
    }

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
