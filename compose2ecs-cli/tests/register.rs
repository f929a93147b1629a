//! `register` with a stand-in `aws`: dry runs, a missing CLI, a refused
//! registration, JSON lines.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, json_line_types, project};

const TWO_FAMILIES: &str =
    "name: demo\nservices:\n  good:\n    image: nginx\n  bad:\n    image: nginx\n";

#[test]
fn register_dry_run_prints_runnable_commands_and_runs_nothing() {
    let work = project(&[("compose.yaml", TWO_FAMILIES)]);
    let out = bin()
        .current_dir(work.path())
        .args([
            "register",
            "--dry-run",
            "--family",
            "demo-good",
            "--aws-cli",
            "/nonexistent/aws",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let words = shell_words::split(lines[0]).unwrap();
    assert_eq!(
        words[..4],
        [
            "/nonexistent/aws",
            "ecs",
            "register-task-definition",
            "--cli-input-json"
        ]
    );
    let td: serde_json::Value = serde_json::from_str(&words[4]).unwrap();
    assert_eq!(td["family"], "demo-good");
}

#[test]
fn register_without_the_aws_cli_says_so_and_exits_1() {
    let work = project(&[("compose.yaml", TWO_FAMILIES)]);
    let out = bin()
        .current_dir(work.path())
        .args(["register", "--aws-cli", "/nonexistent/aws"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("the AWS CLI (`/nonexistent/aws`) was not found"),
        "{stderr}"
    );
    assert!(stderr.contains("--aws-cli PATH"), "{stderr}");
    assert!(out.get_output().stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn a_failed_registration_shows_the_aws_message_and_the_others_still_register() {
    // Refuses demo-bad, registers anything else as revision 7.
    let work = project(&[("compose.yaml", TWO_FAMILIES)]);
    let aws = common::StandIn::new(
        work.path(),
        serde_json::json!([
            {"call": ["ecs", "register-task-definition"], "input": {"family": "demo-bad"},
             "fail": "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: no"},
            common::registers("us-east-1", 7),
        ]),
    )
    .bin;
    let out = bin()
        .current_dir(work.path())
        .args(["register", "--aws-cli"])
        .arg(&aws)
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stdout,
        "arn:aws:ecs:us-east-1:123456789012:task-definition/demo-good:7\n"
    );
    assert!(stderr.contains("registered demo-good:7"), "{stderr}");
    assert!(stderr.contains("registering `demo-bad` failed"), "{stderr}");
    assert!(stderr.contains("ClientException"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn register_with_json_format_prints_only_json_lines() {
    let work = project(&[("compose.yaml", TWO_FAMILIES)]);
    let aws = common::StandIn::new(
        work.path(),
        serde_json::json!([common::registers("us-east-1", 7)]),
    )
    .bin;
    let out = bin()
        .current_dir(work.path())
        .args(["register", "--format", "json", "--aws-cli"])
        .arg(&aws)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let types = json_line_types(&stderr);
    assert_eq!(
        types.iter().filter(|t| *t == "registered").count(),
        2,
        "{stderr}"
    );
}
