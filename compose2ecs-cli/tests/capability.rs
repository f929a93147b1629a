//! The installed AWS CLI's model decides what it accepts: a member it does
//! not know stops `deploy` before any call, naming the member and the CLI's
//! version; a CLI that knows it lets the deploy through. Two stand-ins play
//! an older and a newer CLI, answering `--generate-cli-skeleton input` as
//! the real one does (every member it knows, one element per list).

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

fn project(knows_strategies: bool) -> tempfile::TempDir {
    let mut deployment = serde_json::json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true},
        "maximumPercent": 0, "minimumHealthyPercent": 0});
    if knows_strategies {
        deployment["strategy"] = "ROLLING".into();
        deployment["canaryConfiguration"] =
            serde_json::json!({"canaryPercent": 0.0, "canaryBakeTimeInMinutes": 0});
        deployment["bakeTimeInMinutes"] = 0.into();
    }
    let service = serde_json::json!({"cluster": "", "serviceName": "", "taskDefinition": "", "desiredCount": 0,
        "launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": [""], "securityGroups": [""], "assignPublicIp": "ENABLED"}},
        "serviceConnectConfiguration": {"enabled": true, "namespace": "", "services": [{"portName": "", "discoveryName": "", "clientAliases": [{"port": 0, "dnsName": ""}]}]},
        "deploymentConfiguration": deployment, "tags": [{"key": "", "value": ""}], "propagateTags": "SERVICE"});
    let task = serde_json::json!({"family": "", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "", "memory": "",
        "executionRoleArn": "", "containerDefinitions": [{"name": "", "image": "", "essential": true,
            "portMappings": [{"containerPort": 0, "protocol": "tcp", "name": "", "appProtocol": "http"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"KeyName": ""}}}],
        "tags": [{"key": "", "value": ""}]});
    let service = service.to_string();
    let task = task.to_string();
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: shop\nservices:\n  api:\n    image: nginx:1.27\n    ports: [{name: api, target: 9000}]\n",
        ),
        (
            "compose2ecs.yaml",
            "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nnetwork: {subnets: [subnet-1]}\nservice_connect: {namespace: shop.local}\nservices:\n  api:\n    deployment: {strategy: canary, canary_percent: 10, canary_bake_minutes: 5}\n",
        ),
    ]);
    let version = if knows_strategies {
        "aws-cli/1.45.11 Python/3.11.2 Linux/6.1 botocore/1.43.11"
    } else {
        "aws-cli/1.32.0 Python/3.11.2 Linux/6.1 botocore/1.34.0"
    };
    // `--version`, the two skeletons, and just enough ECS.
    let skeleton = |op: &str, doc: &str| serde_json::json!({"call": ["ecs", op], "has": ["--generate-cli-skeleton"], "text": doc});
    common::StandIn::new(
        dir.path(),
        serde_json::json!([
            {"call": ["--version"], "text": version},
            skeleton("create-service", &service),
            skeleton("register-task-definition", &task),
            common::registers("eu-west-1", 1),
            {"call": ["ecs", "describe-services"], "json": {"services": [], "failures": [{"reason": "MISSING"}]}},
            {"call": ["ecs", "create-service"], "json": {"service": {"status": "ACTIVE"}}},
        ]),
    );
    dir
}

/// The calls that do something (not `--version`, not skeletons).
fn verbs(dir: &std::path::Path) -> Vec<String> {
    common::StandIn::at(dir)
        .args()
        .into_iter()
        .filter(|a| {
            !a.iter()
                .any(|w| w == "--generate-cli-skeleton" || w == "--version")
        })
        .map(|a| a[..2].join(" "))
        .collect()
}

#[test]
fn an_older_cli_stops_the_deploy_before_any_call_and_a_newer_one_does_not() {
    let old = project(false);
    let r = common::run(
        common::bin()
            .current_dir(old.path())
            .args(["deploy", "--no-wait", "-q", "--aws-cli"])
            .arg(old.path().join("aws")),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("aws-cli/1.32.0")
            && r.stderr.contains(
                "`aws ecs create-service` does not know deploymentConfiguration.canaryConfiguration, deploymentConfiguration.strategy"
            ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("nothing was registered or deployed") && r.stderr.contains("AWS CLI v2"),
        "{}",
        r.stderr
    );
    assert!(
        !verbs(old.path())
            .iter()
            .any(|v| v == "ecs register-task-definition" || v == "ecs create-service"),
        "nothing is registered or created: {:?}",
        verbs(old.path())
    );

    let new = project(true);
    let r = common::run(
        common::bin()
            .current_dir(new.path())
            .args(["deploy", "--no-wait", "-q", "--aws-cli"])
            .arg(new.path().join("aws")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        verbs(new.path()).iter().any(|v| v == "ecs create-service"),
        "{:?}",
        verbs(new.path())
    );
}
