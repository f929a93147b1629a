//! Jobs in `deploy`, and `run`, against a stand-in `aws` that replays
//! `describe-tasks` documents shaped as ECS answers them (moto's tasks always
//! stop with exit code 0, and it writes no logs): a job that fails stops the
//! deploy with its exit code, stop reason and last log lines before the
//! service that waits for it; one that succeeds lets it through; `run`
//! exits with the container's code and sends the command override.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::path::Path;

mod common;

/// The stand-in's table: `run-task` starts one task (or answers
/// `started`), whose `describe-tasks` answers go PENDING, RUNNING, then
/// STOPPED with `exit`; `logs get-log-events` answers two lines.
fn answers(exit: i64, started: Option<serde_json::Value>) -> serde_json::Value {
    let events = serde_json::json!({"events": [
        {"timestamp": 1764750000000_u64, "message": "Applying shop.0042_orders... ", "ingestionTime": 1764750000100_u64},
        {"timestamp": 1764750000200_u64, "message": "django.db.utils.OperationalError: could not connect to server", "ingestionTime": 1764750000300_u64},
    ], "nextForwardToken": "f/1", "nextBackwardToken": "b/1"});
    let started = started.unwrap_or_else(|| serde_json::json!({"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d4e5f", "lastStatus": "PROVISIONING"}], "failures": []}));
    serde_json::json!([
        common::registers("us-east-1", 7),
        {"call": ["ecs", "run-task"], "json": started},
        {"call": ["ecs", "describe-tasks"], "replies": [
            {"json": tasks("PENDING", None)},
            {"json": tasks("RUNNING", None)},
            {"json": tasks("STOPPED", Some(exit))},
        ]},
        {"call": ["logs", "get-log-events"], "json": events},
        {"call": ["ecs", "describe-services"], "json": {"services": [], "failures": [{"reason": "MISSING"}]}},
        {"call": ["ecs", "create-service"], "json": {"service": {"status": "ACTIVE"}}},
    ])
}

const COMPOSE: &str = "name: shop\nservices:\n  migrate:\n    image: example/shop:2.4\n    command: [python, manage.py, migrate]\n  web:\n    image: example/shop:2.4\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n";

const OVERLAY: &str = "region: us-east-1\ncluster: prod\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nnetwork: {subnets: [subnet-1], security_groups: [sg-1]}\n";

/// A `describe-tasks` answer: one task of `shop-migrate` in `status`, its
/// container stopped with `exit` when the task has stopped.
fn tasks(status: &str, exit: Option<i64>) -> serde_json::Value {
    let mut container = serde_json::json!({
        "containerArn": "arn:aws:ecs:us-east-1:123456789012:container/prod/0a1b2c3d4e5f/9f8e",
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d4e5f",
        "name": "migrate", "image": "example/shop:2.4", "lastStatus": status,
    });
    let mut task = serde_json::json!({
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/prod/0a1b2c3d4e5f",
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-migrate:7",
        "lastStatus": status, "desiredStatus": if status == "STOPPED" { "STOPPED" } else { "RUNNING" },
        "launchType": "FARGATE", "startedBy": "compose2ecs",
    });
    if let Some(code) = exit {
        container["exitCode"] = code.into();
        task["stopCode"] = "EssentialContainerExited".into();
        task["stoppedReason"] = "Essential container in task exited".into();
    }
    task["containers"] = serde_json::json!([container]);
    serde_json::json!({"tasks": [task], "failures": []})
}

fn project(exit: i64) -> tempfile::TempDir {
    let dir = common::project(&[("compose.yaml", COMPOSE), ("compose2ecs.yaml", OVERLAY)]);
    common::StandIn::new(dir.path(), answers(exit, None));
    dir
}

fn run(dir: &Path, args: &[&str]) -> common::Run {
    let mut cmd = common::bin();
    // The options right after the command: `run`'s command comes after `--`.
    cmd.current_dir(dir)
        .arg(args[0])
        .arg("--aws-cli")
        .arg(dir.join("aws"))
        .args(["--interval", "0.01"])
        .args(&args[1..]);
    common::run(&mut cmd)
}

/// Each call's first two arguments (`ecs run-task`), in order.
fn verbs(dir: &Path) -> Vec<String> {
    calls(dir)
        .iter()
        .map(|c| {
            let a = c["args"].as_array().unwrap();
            format!("{} {}", a[0].as_str().unwrap(), a[1].as_str().unwrap())
        })
        .collect()
}

/// The calls made, but for `--generate-cli-skeleton` (what the CLI knows).
fn calls(dir: &Path) -> Vec<serde_json::Value> {
    common::StandIn::at(dir)
        .calls()
        .into_iter()
        .filter(|c| !c.to_string().contains("--generate-cli-skeleton"))
        .collect()
}

#[test]
fn a_job_that_succeeds_runs_before_the_service_that_waits_for_it() {
    let dir = project(0);
    let r = run(dir.path(), &["deploy", "--no-wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let order = verbs(dir.path());
    let run_task = order.iter().position(|v| v == "ecs run-task").unwrap();
    let create = order
        .iter()
        .position(|v| v == "ecs create-service")
        .unwrap();
    assert!(
        run_task < create,
        "the job runs before the service: {order:?}"
    );
    let waited = order[run_task..create]
        .iter()
        .filter(|v| *v == "ecs describe-tasks")
        .count();
    assert_eq!(waited, 3, "until STOPPED: {order:?}");
    // The job's input is the committed run-task.json at the new revision.
    let input = &calls(dir.path())[run_task]["inputs"][0];
    assert_eq!(input["taskDefinition"], "shop-migrate:7");
    assert_eq!(input["launchType"], "FARGATE");
    assert_eq!(input["startedBy"], "compose2ecs");
    assert!(input.get("overrides").is_none());
    assert!(
        r.stderr.contains("job shop-migrate:7 succeeded"),
        "{}",
        r.stderr
    );
    // Only one service: the job has none.
    assert_eq!(
        order.iter().filter(|v| *v == "ecs create-service").count(),
        1
    );
}

#[test]
fn a_job_that_fails_stops_the_deploy_with_its_exit_code_reason_and_logs() {
    let dir = project(3);
    let r = run(dir.path(), &["deploy"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for said in [
        "the job shop-migrate:7 failed: container `migrate` exited with code 3",
        "the task's stop reason: Essential container in task exited",
        "its last 2 log lines:",
        "django.db.utils.OperationalError: could not connect to server",
        "nothing after it was deployed: shop-web",
    ] {
        assert!(r.stderr.contains(said), "{said}:\n{}", r.stderr);
    }
    let order = verbs(dir.path());
    assert!(
        // (They are read first, before any change: whose they are.)
        !order
            .iter()
            .any(|v| v.contains("service") && !v.contains("describe-services")),
        "no service is touched after a failed job: {order:?}"
    );
    // The logs of the container's own stream: <prefix>/<container>/<task id>.
    let logs = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][0] == "logs")
        .unwrap();
    let args: Vec<&str> = logs["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let stream = args.iter().position(|a| *a == "--log-stream-name").unwrap();
    assert_eq!(args[stream + 1], "ecs/migrate/0a1b2c3d4e5f");
    let group = args.iter().position(|a| *a == "--log-group-name").unwrap();
    assert_eq!(args[group + 1], "/ecs/shop-migrate");
}

#[test]
fn deploy_as_json_reports_each_job_with_its_exit_code() {
    let dir = project(3);
    let r = run(dir.path(), &["deploy", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["status"], "failed");
    assert_eq!(doc["jobs"][0]["family"], "shop-migrate");
    assert_eq!(doc["jobs"][0]["state"], "failed");
    assert_eq!(doc["jobs"][0]["exitCode"], 3);
    assert_eq!(doc["services"].as_array().unwrap().len(), 0);
}

#[test]
fn run_exits_with_the_containers_exit_code_and_overrides_the_command() {
    let dir = project(3);
    let r = run(
        dir.path(),
        &[
            "run",
            "migrate",
            "--",
            "python",
            "manage.py",
            "showmigrations",
        ],
    );
    assert_eq!(r.code, 3, "the container's own code: {}", r.stderr);
    let input = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][1] == "run-task")
        .unwrap()["inputs"][0]
        .clone();
    assert_eq!(
        input["overrides"],
        serde_json::json!({"containerOverrides": [
            {"name": "migrate", "command": ["python", "manage.py", "showmigrations"]}
        ]})
    );
    assert!(r.stderr.contains("exited with code 3"), "{}", r.stderr);

    let dir = project(0);
    let r = run(dir.path(), &["run", "migrate"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][1] == "run-task")
        .unwrap()["inputs"][0]
        .clone();
    assert!(input.get("overrides").is_none(), "{input}");
}

#[test]
fn run_of_a_service_runs_where_its_ecs_service_runs() {
    // `web` is an ECS service: its one-off task gets the service's cluster,
    // launch type and network.
    let dir = project(0);
    let r = run(dir.path(), &["run", "web", "--", "sh", "-c", "true"]);
    // The replayed task is migrate's: web's container has no exit code.
    assert_eq!(r.code, 1, "{}", r.stderr);
    let input = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][1] == "run-task")
        .unwrap()["inputs"][0]
        .clone();
    assert_eq!(input["cluster"], "prod");
    assert_eq!(input["taskDefinition"], "shop-web:7");
    assert_eq!(
        input["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(["subnet-1"])
    );
    assert_eq!(input["overrides"]["containerOverrides"][0]["name"], "web");
}

#[test]
fn ecs_refusing_to_start_the_task_is_an_error_with_its_reasons() {
    let dir = project(0);
    let refused = serde_json::json!({"tasks": [], "failures": [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "reason": "MISSING"}
    ]});
    common::StandIn::at(dir.path()).answer(answers(0, Some(refused)));
    let r = run(dir.path(), &["run", "migrate"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ECS did not start shop-migrate:7: MISSING"),
        "{}",
        r.stderr
    );
}

#[test]
fn run_names_the_services_when_the_one_asked_for_does_not_exist() {
    let dir = project(0);
    let r = run(dir.path(), &["run", "migrat"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no service `migrat`") && r.stderr.contains("migrate, web"),
        "{}",
        r.stderr
    );
    assert!(calls(dir.path()).is_empty(), "nothing was called");
}
