//! `push` creating the ECR repositories with the overlay's settings.

use crate::common;
use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

#[cfg(unix)]
#[test]
fn push_creates_the_ecr_repositories_with_the_overlays_settings_on_moto() {
    use std::os::unix::fs::PermissionsExt as _;
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: reg\nservices:\n  api:\n    build: .\n  web:\n    build: .\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        format!("region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\nimages: {{registry: {registry}, tag: \"1.0\", scan_on_push: false, immutable_tags: true}}\n"),
    )
    .unwrap();
    let docker = work.path().join("docker");
    std::fs::write(&docker, common::STAND_IN_DOCKER).unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    // One repository exists already, as a user made it.
    aws(
        &aws_bin,
        &moto,
        &["ecr", "create-repository", "--repository-name", "reg-api"],
    )
    .unwrap();
    let push = || {
        compose2ecs(work.path(), &moto, &aws_bin, &["push", "--docker"])
            .arg(&docker)
            .output()
            .unwrap()
    };
    let out = push();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("created ECR repository reg-web (scanOnPush=false, IMMUTABLE tags)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("created ECR repository reg-api"),
        "{stderr}"
    );
    let repos = aws(
        &aws_bin,
        &moto,
        &[
            "ecr",
            "describe-repositories",
            "--repository-names",
            "reg-web",
        ],
    )
    .unwrap();
    let web = &repos["repositories"][0];
    assert_eq!(web["imageTagMutability"], "IMMUTABLE");
    assert_eq!(web["imageScanningConfiguration"]["scanOnPush"], false);
    // The login went through Docker with moto's token on stdin.
    let calls: Vec<serde_json::Value> = std::fs::read_to_string(work.path().join("docker-calls"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let logins: Vec<&serde_json::Value> =
        calls.iter().filter(|c| c["args"][0] == "login").collect();
    assert_eq!(logins.len(), 1, "one login per registry: {calls:?}");
    assert!(!logins[0]["stdin"].as_str().unwrap().is_empty());
    let pushed: Vec<&str> = calls
        .iter()
        .filter(|c| c["args"][0] == "push")
        .map(|c| c["args"][1].as_str().unwrap())
        .collect();
    assert_eq!(
        pushed,
        [
            format!("{registry}/reg-api:1.0"),
            format!("{registry}/reg-web:1.0")
        ]
    );
    let digests: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("ecs/image-digests.json")).unwrap(),
    )
    .unwrap();
    assert!(
        digests["web"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{registry}/reg-web@sha256:")),
        "{digests}"
    );

    // Again: nothing to create.
    let out = push();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("created ECR repository"));
}
