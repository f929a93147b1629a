//! `deploy` watching a rollout, with a stand-in `aws` that replays recorded
//! `describe-services` documents: completed, failed, timed out, and as JSON
//! lines.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, json_line_types, project};

/// The stand-in's table for the rollout watcher: registers anything as
/// revision 1, says the service does not exist until it is created, then
/// replays `states` (the last one forever), and
/// `deployments` for `describe-service-deployments`; `more` rules first.
fn answers(
    states: Vec<serde_json::Value>,
    deployments: Vec<serde_json::Value>,
    more: Vec<serde_json::Value>,
) -> serde_json::Value {
    let described: Vec<serde_json::Value> = states
        .into_iter()
        .map(|s| serde_json::json!({"json": s}))
        .collect();
    let mut table = more;
    table.extend([
        common::registers("us-east-1", 1),
        serde_json::json!({"call": ["ecs", "describe-services"], "when": "", "json": {"services": [], "failures": [{"reason": "MISSING"}]}}),
        serde_json::json!({"call": ["ecs", "describe-services"], "replies": described}),
        serde_json::json!({"call": ["ecs", "describe-service-deployments"], "replies":
            deployments.into_iter().map(|d| serde_json::json!({"json": d})).collect::<Vec<_>>()}),
        serde_json::json!({"call": ["ecs", "create-service"], "sets": "created", "json": {"service": {"status": "ACTIVE"}}}),
    ]);
    serde_json::Value::Array(table)
}

/// The service deployment every recorded `describe-services` names.
const SERVICE_DEPLOYMENT: &str =
    "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/roll-web/Xw2Bq3Yc";

#[cfg(unix)]
fn deploy_with(states: &[(&str, u64, u64, u64, Option<&str>)], extra: &[&str]) -> (i32, String) {
    deploy_with_files(states, extra, &[], Vec::new(), Vec::new())
}

/// [`deploy_with`], with the project's files replaced by `files`, the
/// service deployments `deployments` and `more` rules for the stand-in.
#[cfg(unix)]
fn deploy_with_files(
    states: &[(&str, u64, u64, u64, Option<&str>)],
    extra: &[&str],
    files: &[(&str, String)],
    deployments: Vec<serde_json::Value>,
    more: Vec<serde_json::Value>,
) -> (i32, String) {
    let work = project(&[
        (
            "compose.yaml",
            "name: roll\nservices:\n  web:\n    image: nginx\n",
        ),
        (
            "compose2ecs.yaml",
            "region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\nnetwork: {subnets: [subnet-1]}\ncluster: prod\n",
        ),
    ]);
    for (name, text) in files {
        std::fs::write(work.path().join(name), text).unwrap();
    }
    let mut described = Vec::new();
    for (rollout, running, pending, failed, reason) in states {
        described.push(serde_json::json!({"services": [{
            "serviceName": "roll-web", "status": "ACTIVE",
            "currentServiceDeployment": SERVICE_DEPLOYMENT,
            "deployments": [{
                "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/roll-web:1",
                "rolloutState": rollout, "rolloutStateReason": reason,
                "runningCount": running, "pendingCount": pending, "desiredCount": 2, "failedTasks": failed
            }]
        }]}));
    }
    common::StandIn::new(work.path(), answers(described, deployments, more));
    let out = bin()
        .current_dir(work.path())
        // The stand-in comes first on PATH: deploy runs `aws` as users have it.
        .env(
            "PATH",
            format!(
                "{}:{}",
                work.path().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .args(["deploy", "--interval", "0.05"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn deploy_watches_the_rollout_until_it_completes() {
    let (code, stderr) = deploy_with(
        &[
            ("IN_PROGRESS", 0, 2, 0, None),
            ("IN_PROGRESS", 1, 1, 0, None),
            ("COMPLETED", 2, 0, 0, None),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("created service roll-web with roll-web:1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("roll-web: IN_PROGRESS roll-web:1 running 0/2 pending 2 failed tasks 0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("roll-web: IN_PROGRESS roll-web:1 running 1/2 pending 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("roll-web: COMPLETED roll-web:1 running 2/2"),
        "{stderr}"
    );
    assert!(stderr.contains("every deployment completed"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn deploy_reports_a_failed_rollout_with_its_failed_tasks() {
    let (code, stderr) = deploy_with(
        &[
            ("IN_PROGRESS", 0, 2, 1, None),
            (
                "FAILED",
                0,
                0,
                3,
                Some("ECS deployment circuit breaker: tasks failed to start."),
            ),
        ],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("failed tasks 3"), "{stderr}");
    assert!(stderr.contains("the deployment of roll-web:1 failed: ECS deployment circuit breaker: tasks failed to start."), "{stderr}");
}

#[cfg(unix)]
#[test]
fn deploy_gives_up_at_the_timeout_with_what_it_knows() {
    let (code, stderr) = deploy_with(&[("IN_PROGRESS", 1, 1, 0, None)], &["--timeout", "0.3"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("roll-web: IN_PROGRESS roll-web:1 running 1/2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("timed out after 0.3s; still in progress: roll-web"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn deploy_with_json_format_prints_only_json_lines() {
    // A rollout that completes, one that fails, one that times out: every
    // message of deploy goes through the reporter.
    let json = ["--format", "json"];
    let (code, stderr) = deploy_with(
        &[("IN_PROGRESS", 0, 2, 0, None), ("COMPLETED", 2, 0, 0, None)],
        &json,
    );
    assert_eq!(code, 0, "{stderr}");
    let types = json_line_types(&stderr);
    assert!(types.contains(&"registered".to_owned()), "{types:?}");
    assert!(types.contains(&"progress".to_owned()), "{types:?}");
    assert_eq!(types.last().map(String::as_str), Some("done"), "{types:?}");

    let (code, stderr) = deploy_with(&[("FAILED", 0, 0, 3, Some("tasks failed to start"))], &json);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        json_line_types(&stderr).contains(&"error".to_owned()),
        "{stderr}"
    );
    assert!(stderr.contains("tasks failed to start"), "{stderr}");

    let (code, stderr) = deploy_with(
        &[("IN_PROGRESS", 1, 1, 0, None)],
        &["--format", "json", "--timeout", "0.2"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        json_line_types(&stderr).last().map(String::as_str),
        Some("error")
    );
    assert!(stderr.contains("timed out after 0.2s"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_failed_rollout_says_why_each_task_stopped() {
    let task = |id: &str, revision: &str, code: i64| {
        serde_json::json!({
            "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/prod/{id}"),
            "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{revision}"),
            "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "containers": [{"name": "web", "exitCode": code, "reason": "OutOfMemoryError: Container killed due to memory usage"}],
        })
    };
    let events = serde_json::json!({"events": [
        {"timestamp": 1, "message": "listening on :80"},
        {"timestamp": 2, "message": "FATAL: cannot allocate 2 GiB for the cache\n"},
    ]});
    let more = vec![
        serde_json::json!({"call": ["ecs", "list-tasks"], "has": ["--desired-status", "STOPPED"], "json": {"taskArns": [
            "arn:aws:ecs:us-east-1:123456789012:task/prod/1111",
            "arn:aws:ecs:us-east-1:123456789012:task/prod/0000",
        ]}}),
        serde_json::json!({"call": ["ecs", "describe-tasks"], "json":
            {"tasks": [task("1111", "roll-web:1", 137), task("0000", "roll-web:0", 1)], "failures": []}}),
        serde_json::json!({"call": ["logs", "get-log-events"], "has": ["ecs/web/1111"], "json": events}),
    ];
    let (code, stderr) = deploy_with_files(
        &[
            ("IN_PROGRESS", 0, 2, 1, None),
            (
                "FAILED",
                0,
                0,
                1,
                Some("ECS deployment circuit breaker: tasks failed to start."),
            ),
        ],
        &[],
        &[],
        Vec::new(),
        more,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "a task of roll-web:1 stopped (task 1111): Essential container in task exited"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("container `web`: exit code 137 (OutOfMemoryError: Container killed due to memory usage)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the last 2 log lines of `web`:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("    FATAL: cannot allocate 2 GiB for the cache"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("stopped (task 1111)").count(),
        1,
        "each task is explained once: {stderr}"
    );
    assert!(
        !stderr.contains("task 0000"),
        "a task of an older revision is not this deploy's: {stderr}"
    );
    assert!(
        stderr.contains("the deployment of roll-web:1 failed"),
        "{stderr}"
    );
}

/// `roll-web` deployed blue/green behind its load balancer, the stand-in
/// replaying `describe-service-deployments` answers: (status, stage,
/// reason) in turn.
#[cfg(unix)]
fn deploy_blue_green(steps: &[(&str, &str, Option<&str>)]) -> (i32, String) {
    let overlay = r#"region: us-east-1
roles: {execution: arn:aws:iam::123456789012:role/exec}
network: {subnets: [subnet-1]}
cluster: prod
services:
  web:
    load_balancer:
      target_group_arn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/943f017f100becff
      alternate_target_group_arn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0123456789abcdef
      production_listener_rule: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/778d41231b141a0f/9683b2d02a6cabee/a1b2c3d4e5f60718
      role: arn:aws:iam::123456789012:role/lb
      port: 80
    deployment: {strategy: blue_green, bake_minutes: 5}
"#;
    let files = vec![
        ("compose2ecs.yaml", overlay.to_owned()),
        (
            "compose.yaml",
            "name: roll\nservices:\n  web:\n    image: nginx\n    ports: [\"80\"]\n".to_owned(),
        ),
    ];
    let deployments: Vec<serde_json::Value> = steps
        .iter()
        .map(|(status, stage, reason)| {
            serde_json::json!({"serviceDeployments": [{
                "serviceDeploymentArn": SERVICE_DEPLOYMENT,
                "status": status, "lifecycleStage": stage, "statusReason": reason
            }]})
        })
        .collect();
    // The rolling view says IN_PROGRESS throughout: only the service
    // deployment can end it.
    deploy_with_files(
        &[("IN_PROGRESS", 2, 0, 0, None)],
        &["--timeout", "20"],
        &files,
        deployments,
        Vec::new(),
    )
}

#[cfg(unix)]
#[test]
fn deploy_follows_a_blue_green_deployment_through_its_lifecycle_stages() {
    let (code, stderr) = deploy_blue_green(&[
        ("PENDING", "RECONCILE_SERVICE", None),
        ("IN_PROGRESS", "SCALE_UP", None),
        ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", None),
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", None),
        ("IN_PROGRESS", "BAKE_TIME", None),
        ("SUCCESSFUL", "CLEAN_UP", None),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let mut at = 0;
    for stage in [
        "BLUE_GREEN PENDING at RECONCILE_SERVICE roll-web:1 running 2/2",
        "BLUE_GREEN IN_PROGRESS at SCALE_UP",
        "BLUE_GREEN IN_PROGRESS at TEST_TRAFFIC_SHIFT",
        "BLUE_GREEN IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT",
        "BLUE_GREEN IN_PROGRESS at BAKE_TIME",
        "BLUE_GREEN SUCCESSFUL at CLEAN_UP",
    ] {
        let found = stderr[at..].find(stage);
        assert!(found.is_some(), "{stage} after byte {at}: {stderr}");
        at += found.unwrap_or(0);
    }
    assert!(stderr.contains("every deployment completed"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_rolled_back_blue_green_deployment_fails_the_deploy_with_ecs_reason() {
    let (code, stderr) = deploy_blue_green(&[
        ("IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", None),
        ("ROLLBACK_IN_PROGRESS", "POST_TEST_TRAFFIC_SHIFT", None),
        (
            "ROLLBACK_SUCCESSFUL",
            "CLEAN_UP",
            Some("The lifecycle hook shop-smoke-test returned FAILED."),
        ),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("BLUE_GREEN ROLLBACK_IN_PROGRESS at POST_TEST_TRAFFIC_SHIFT"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the deployment of roll-web:1 failed: The lifecycle hook shop-smoke-test returned FAILED. (ROLLBACK_SUCCESSFUL)"),
        "{stderr}"
    );
}
