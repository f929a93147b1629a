//! The output validation: fixtures' outputs pass the committed ECS schemas,
//! and deliberately broken outputs are rejected with the JSON path.

#![allow(clippy::unwrap_used)]

use compose2ecs_core::schema::{service_json, task_definition_json};
use serde_json::json;

fn td() -> serde_json::Value {
    json!({
        "family": "app-web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "web", "image": "nginx", "essential": true}]
    })
}

fn rendered(v: &serde_json::Value) -> Vec<String> {
    task_definition_json(v)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_valid_task_definition_passes() {
    assert_eq!(rendered(&td()), Vec::<String>::new());
}

#[test]
fn cpu_300_on_fargate_is_rejected() {
    let mut v = td();
    v["cpu"] = json!("300");
    let errors = rendered(&v);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("error[output-schema-violation]"),
        "{errors:?}"
    );
    assert!(errors[0].contains("not a FARGATE task size"), "{errors:?}");
}

#[test]
fn an_unknown_member_is_rejected_with_its_path() {
    let mut v = td();
    v["containerDefinitions"][0]["cpuu"] = json!(1);
    let d = task_definition_json(&v);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path.as_deref(), Some("containerDefinitions[0]"));
    assert!(d[0].message.contains("cpuu"), "{}", d[0]);
}

#[test]
fn the_rules_the_model_leaves_to_prose_are_checked() {
    let mut v = td();
    v["family"] = json!("my.app");
    v["containerDefinitions"][0]
        .as_object_mut()
        .unwrap()
        .remove("image");
    v["memory"] = json!("512MiB");
    let d = task_definition_json(&v);
    let paths: Vec<&str> = d.iter().filter_map(|d| d.path.as_deref()).collect();
    assert!(paths.contains(&"family"), "{d:?}");
    assert!(paths.contains(&"containerDefinitions[0]"), "{d:?}");
    assert!(paths.contains(&"memory"), "{d:?}");
    // FARGATE needs awsvpc.
    let mut v = td();
    v["networkMode"] = json!("bridge");
    assert!(
        task_definition_json(&v)
            .iter()
            .any(|d| d.path.as_deref() == Some("networkMode"))
    );
}

#[test]
fn service_definitions_are_checked_too() {
    let ok = json!({
        "serviceName": "app-web", "taskDefinition": "app-web", "desiredCount": 1,
        "launchType": "FARGATE",
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}
    });
    assert!(service_json(&ok).is_empty(), "{:?}", service_json(&ok));
    let mut bad = ok.clone();
    bad["launchType"] = json!("LAMBDA");
    bad["deploymentConfiguration"]["deploymentCircuitBreaker"]
        .as_object_mut()
        .unwrap()
        .remove("rollback");
    let paths: Vec<String> = service_json(&bad)
        .iter()
        .filter_map(|d| d.path.clone())
        .collect();
    assert!(paths.contains(&"launchType".to_owned()), "{paths:?}");
    assert!(
        paths.contains(&"deploymentConfiguration.deploymentCircuitBreaker".to_owned()),
        "{paths:?}"
    );
}

#[test]
fn a_scheduled_task_runs_now_where_its_schedule_would_start_it() {
    use compose2ecs_core::{Input, Options, convert};
    let input = Input::from_yaml("name: shop\nservices:\n  backup:\n    image: backup:1\n").with_overlay(
        "region: eu-west-1\ncluster: prod\nroles:\n  execution: arn:aws:iam::123456789012:role/exec\n  scheduler: arn:aws:iam::123456789012:role/sched\nnetwork: {subnets: [subnet-1]}\nservices:\n  backup: {schedule: \"rate(6 hours)\"}\n",
    );
    let c = convert(&input, &Options::default()).unwrap();
    assert!(c.services.is_empty() && c.jobs.is_empty());
    let run = c.run_task("shop-backup").unwrap();
    assert_eq!(run.task_definition, "shop-backup");
    assert_eq!(
        run.cluster.as_deref(),
        Some("arn:aws:ecs:eu-west-1:123456789012:cluster/prod")
    );
    assert_eq!(run.launch_type, "FARGATE");
    let network = run.network_configuration.unwrap();
    assert_eq!(network.awsvpc_configuration.subnets, ["subnet-1"]);
    assert!(
        compose2ecs_core::schema::run_task_json(
            &serde_json::to_value(c.run_task("shop-backup")).unwrap()
        )
        .is_empty()
    );
}
