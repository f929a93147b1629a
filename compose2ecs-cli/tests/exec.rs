//! `compose2ecs exec`: the exact `aws ecs execute-command` call, with a
//! stand-in `aws` that records it; and what is said when ECS Exec is off,
//! the Session Manager plugin is missing, or no task runs.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt as _;

/// The service's running tasks; a session that ends with status 7.
fn answers(tasks: &[&str]) -> serde_json::Value {
    serde_json::json!([
        {"call": ["ecs", "list-tasks"], "json": {"taskArns": tasks}},
        {"call": ["ecs", "execute-command"], "fail": "", "exit": 7},
    ])
}

const PLUGIN: &str = "#!/bin/sh\necho 1.2.707.0\n";

fn project(exec: bool, tasks: &[&str]) -> tempfile::TempDir {
    let overlay = format!(
        "region: eu-west-1\ncluster: prod\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\", task: \"arn:aws:iam::123456789012:role/app\"}}\nnetwork: {{subnets: [subnet-1]}}\nservices:\n  web: {{exec: {exec}, containers: [web, envoy]}}\n"
    );
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n  envoy:\n    image: envoy:1.31\n",
        ),
        ("compose2ecs.yaml", &overlay),
        ("session-manager-plugin", PLUGIN),
    ]);
    common::StandIn::new(dir.path(), answers(tasks));
    std::fs::set_permissions(
        dir.path().join("session-manager-plugin"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    dir
}

fn exec(dir: &std::path::Path, extra: &[&str]) -> common::Run {
    common::run(
        common::bin()
            .current_dir(dir)
            .arg("exec")
            .arg("--aws-cli")
            .arg(dir.join("aws"))
            .arg("--session-manager-plugin")
            .arg(dir.join("session-manager-plugin"))
            .args(extra),
    )
}

fn calls(dir: &std::path::Path) -> Vec<Vec<String>> {
    common::StandIn::at(dir).args()
}

#[test]
fn exec_runs_execute_command_in_the_first_running_task_and_passes_its_exit_code() {
    let task = "arn:aws:ecs:eu-west-1:123456789012:task/prod/0a1b2c3d4e5f";
    let dir = project(true, &[task]);
    let r = exec(dir.path(), &["web", "--", "rails", "console", "--sandbox"]);
    // The stand-in's session ends with 7: exec's exit status is the session's.
    assert_eq!(r.code, 7, "{}", r.stderr);
    let c = calls(dir.path());
    assert_eq!(
        c[0],
        [
            "ecs",
            "list-tasks",
            "--cluster",
            "prod",
            "--service-name",
            "shop-web",
            "--desired-status",
            "RUNNING",
            "--region",
            "eu-west-1",
            "--output",
            "json"
        ]
    );
    assert_eq!(
        c[1],
        [
            "ecs",
            "execute-command",
            "--cluster",
            "prod",
            "--task",
            task,
            "--container",
            "web",
            "--interactive",
            "--command",
            "rails console --sandbox",
            "--region",
            "eu-west-1"
        ]
    );

    // --task and --container choose; no command is `sh`.
    let dir = project(true, &[]);
    let r = exec(
        dir.path(),
        &["web", "--task", "9f8e7d", "--container", "envoy"],
    );
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert_eq!(
        calls(dir.path())[0],
        [
            "ecs",
            "execute-command",
            "--cluster",
            "prod",
            "--task",
            "9f8e7d",
            "--container",
            "envoy",
            "--interactive",
            "--command",
            "sh",
            "--region",
            "eu-west-1"
        ]
    );
}

#[test]
fn exec_says_what_is_missing_before_any_session() {
    // ECS Exec off for the service.
    let dir = project(false, &[]);
    let r = exec(dir.path(), &["web"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("ECS Exec is not on for `web`")
            && r.stderr.contains("services.web.exec: true")
            && r.stderr.contains("compose2ecs policy --task-role"),
        "{}",
        r.stderr
    );
    assert!(calls(dir.path()).is_empty());

    // The Session Manager plugin missing.
    let dir = project(true, &[]);
    let r = common::run(
        common::bin()
            .current_dir(dir.path())
            .args(["exec", "web", "--aws-cli"])
            .arg(dir.path().join("aws"))
            .args([
                "--session-manager-plugin",
                "/nonexistent/session-manager-plugin",
            ]),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "the Session Manager plugin (`/nonexistent/session-manager-plugin`) was not found"
        ) && r
            .stderr
            .contains("session-manager-working-with-install-plugin"),
        "{}",
        r.stderr
    );
    assert!(calls(dir.path()).is_empty());

    // No running task.
    let dir = project(true, &[]);
    let r = exec(dir.path(), &["web"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("`web` has no running task (shop-web)"),
        "{}",
        r.stderr
    );
}
