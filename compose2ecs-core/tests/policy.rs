//! `execution_role_policy` on the realistic app: valid IAM policy JSON with
//! exactly the project's repositories, log groups and secrets.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use compose2ecs_core::{Environment, Input, Options, convert, policy::execution_role_policy};
use serde_json::json;

/// The shape of an IAM identity policy document, as far as compose2ecs
/// writes one.
fn iam_schema() -> serde_json::Value {
    let strings = json!({"oneOf": [{"type": "string", "minLength": 1}, {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}]});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["Version", "Statement"],
        "properties": {
            "Version": {"const": "2012-10-17"},
            "Statement": {"type": "array", "minItems": 1, "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["Effect", "Action", "Resource"],
                "properties": {
                    "Sid": {"type": "string", "pattern": "^[A-Za-z0-9]+$"},
                    "Effect": {"enum": ["Allow", "Deny"]},
                    "Action": {"oneOf": [
                        {"type": "string", "pattern": "^[a-z0-9-]+:[A-Za-z*]+$"},
                        {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[a-z0-9-]+:[A-Za-z*]+$"}}
                    ]},
                    "Resource": strings
                }
            }}
        }
    })
}

#[test]
fn the_realistic_app_gets_exactly_its_permissions() {
    let dir = std::fs::canonicalize(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/overlay-realistic-app"),
    )
    .unwrap();
    let input = Input::from_files(
        &[dir.join("compose.yaml")],
        &[dir.join("compose2ecs.yaml")],
        Environment::new(),
        &[],
    )
    .unwrap();
    let conversion = convert(&input, &Options::default()).unwrap();
    let policy = execution_role_policy(
        conversion.task_definitions.values(),
        Some("arn:aws:kms:us-east-1:123456789012:key/0123abcd-0123-4567-89ab-0123456789ab"),
    );
    let validator = jsonschema::validator_for(&iam_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&policy)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    insta::assert_snapshot!("realistic_app_execution_policy", format!("{policy:#}"));

    // Only ECR images are pulled with permissions; public ones need none.
    let text = policy.to_string();
    assert!(text.contains("repository/storefront-web"));
    assert!(!text.contains("redis") && !text.contains("postgres"));
    // A project without secrets or ECR images asks for logs only.
    let plain = convert(
        &Input::from_yaml("name: p\nservices:\n  web:\n    image: nginx\n").with_overlay(
            "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
        ),
        &Options::default(),
    )
    .unwrap();
    let p = execution_role_policy(plain.task_definitions.values(), None);
    assert_eq!(p["Statement"].as_array().unwrap().len(), 1);
    assert_eq!(p["Statement"][0]["Sid"], "WriteLogs");
}

/// The policy's ARNs are in the partition of the project's region: a
/// GovCloud or China project gets `aws-us-gov` / `aws-cn` ARNs, never `aws`.
#[test]
fn govcloud_and_china_projects_get_arns_of_their_partition() {
    for (region, partition, suffix) in [
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
    ] {
        let compose = format!(
            "name: p\nservices:\n  web:\n    image: 123456789012.dkr.ecr.{region}.{suffix}/web:1\n    environment:\n      API_KEY: local-value\n"
        );
        let overlay = format!(
            "region: {region}\nroles: {{execution: 'arn:{partition}:iam::123456789012:role/exec'}}\nsecrets:\n  API_KEY: /prod/api-key\n"
        );
        let conversion = convert(
            &Input::from_yaml(compose)
                .with_overlay(overlay)
                .without_disk(),
            &Options::default(),
        )
        .unwrap();
        let policy = execution_role_policy(conversion.task_definitions.values(), None);
        let resources: Vec<String> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| match &s["Resource"] {
                serde_json::Value::Array(a) => {
                    a.iter().map(|r| r.as_str().unwrap().to_owned()).collect()
                }
                r => vec![r.as_str().unwrap().to_owned()],
            })
            .filter(|r| r != "*")
            .collect();
        assert_eq!(resources.len(), 3, "{resources:?}");
        for r in &resources {
            assert!(r.starts_with(&format!("arn:{partition}:")), "{region}: {r}");
        }
        assert!(resources.contains(&format!(
            "arn:{partition}:ssm:{region}:123456789012:parameter/prod/api-key"
        )));
    }
}
