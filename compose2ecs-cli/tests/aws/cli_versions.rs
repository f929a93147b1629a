//! The installed AWS CLI's model decides: the pinned one knows canary
//! deployments, an older one is stopped before any call.

use std::path::{Path, PathBuf};

use crate::common;
use crate::common::moto::{Moto, start_moto, tools};
use crate::scenario::*;

#[test]
fn the_pinned_cli_knows_canary_deployments_and_moto_takes_them() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: cn\nservices:\n  api:\n    image: app:1\n    mem_limit: 512m\n    ports: [{name: api, target: 9000}]\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        format!(
            "{}service_connect: {{namespace: shop.local}}\nservices:\n  api:\n    deployment: {{strategy: canary, canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 15}}\n",
            shop_overlay(&subnet, &group)
        ),
    )
    .unwrap();
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !stderr.contains("would refuse"),
        "the pinned awscli's model knows canary deployments: {stderr}"
    );
    assert!(stderr.contains("created service cn-api"), "{stderr}");
}

/// The older pinned AWS CLI (scripts/test installs it in a venv of its own
/// and names it in `COMPOSE2ECS_OLDER_AWS`).
fn older_aws() -> Option<PathBuf> {
    let p = std::env::var_os("COMPOSE2ECS_OLDER_AWS").map(PathBuf::from);
    if p.as_ref().is_some_and(|p| p.is_file()) {
        return p;
    }
    common::missing_tool("COMPOSE2ECS_OLDER_AWS must name the older pinned aws");
    None
}

/// The services in moto's cluster `shop`.
fn shop_services(aws_bin: &Path, moto: &Moto) -> Vec<serde_json::Value> {
    aws(
        aws_bin,
        moto,
        &["ecs", "list-services", "--cluster", "shop"],
    )
    .unwrap()["serviceArns"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_installed_cli_model_decides_and_the_older_cli_is_stopped_before_any_call() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let Some(older) = older_aws() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let project = |deployment: &str| {
        let work = tempfile::tempdir().unwrap();
        std::fs::write(
            work.path().join("compose.yaml"),
            "name: cb\nservices:\n  api:\n    image: app:1\n    mem_limit: 512m\n    deploy: {replicas: 4, update_config: {order: stop-first}}\n",
        )
        .unwrap();
        std::fs::write(
            work.path().join("compose2ecs.yaml"),
            format!(
                "{}services:\n  api:\n    deployment: {deployment}\n",
                shop_overlay(&subnet, &group)
            ),
        )
        .unwrap();
        work
    };
    // The circuit breaker's threshold came with botocore 1.43.62's model:
    // awscli 1.45.11 (botocore 1.43.11) does not know it, 1.46.3 does.
    let threshold = project("{circuit_breaker: {threshold: 2, threshold_type: count}}");
    let (code, stderr) = finished(&mut compose2ecs(
        threshold.path(),
        &moto,
        &older,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("aws-cli/1.45.11")
            && stderr.contains(
                "deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration"
            )
            && stderr.contains("nothing was registered or deployed"),
        "{stderr}"
    );
    assert!(
        shop_services(&aws_bin, &moto).is_empty(),
        "the refused deploy called ECS"
    );
    let (code, stderr) = finished(&mut compose2ecs(
        threshold.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(0), "awscli 1.46.3 knows the threshold: {stderr}");
    assert_eq!(shop_services(&aws_bin, &moto).len(), 1);

    // Early success is newer than every AWS CLI v1 on PyPI: botocore
    // 1.44.8's model has it, awscli 1.46.3's does not.
    let early = project("{early_success: {healthy_percent: 100}}");
    let (code, stderr) = finished(&mut compose2ecs(
        early.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("aws-cli/1.46.3")
            && stderr.contains("deploymentConfiguration.earlySuccessCriteria"),
        "{stderr}"
    );
}
