//! CloudFormation's property names for the API's member names, read off the
//! resource schemas cfn-lint ships (`schemas/cloudformation/`, copied by
//! `scripts/cfn-schemas.py`).
//!
//! The API and CloudFormation name the same members, but not always alike:
//! `efsVolumeConfiguration` is `EFSVolumeConfiguration`, `placementStrategy`
//! is `PlacementStrategies`. So no member is renamed by a casing rule: each is
//! matched to a property of the resource schema at the same place, ignoring
//! case, and one that has none is an error rather than a guess. Maps (log
//! driver options, docker labels, tags of the Scheduler) keep their keys.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The resource types the template holds, with their schema.
const SCHEMAS: &[(&str, &str)] = &[
    (
        "AWS::ECS::TaskDefinition",
        include_str!("../../schemas/cloudformation/AWS-ECS-TaskDefinition.json"),
    ),
    (
        "AWS::ECS::Service",
        include_str!("../../schemas/cloudformation/AWS-ECS-Service.json"),
    ),
    (
        "AWS::ApplicationAutoScaling::ScalableTarget",
        include_str!("../../schemas/cloudformation/AWS-ApplicationAutoScaling-ScalableTarget.json"),
    ),
    (
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        include_str!("../../schemas/cloudformation/AWS-ApplicationAutoScaling-ScalingPolicy.json"),
    ),
    (
        "AWS::Scheduler::Schedule",
        include_str!("../../schemas/cloudformation/AWS-Scheduler-Schedule.json"),
    ),
    (
        "AWS::Logs::LogGroup",
        include_str!("../../schemas/cloudformation/AWS-Logs-LogGroup.json"),
    ),
];

/// Members whose CloudFormation property is not the same word: (API member,
/// property). From the resource schemas; a new one shows up as an error of
/// [`properties`] in the fixture tests.
const RENAMED: &[(&str, &str)] = &[
    ("placementStrategy", "PlacementStrategies"),
    ("properties", "ProxyConfigurationProperties"),
];

fn schemas() -> &'static [(&'static str, Value)] {
    static PARSED: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(name, text)| (*name, serde_json::from_str(text).unwrap_or(Value::Null)))
            .collect()
    })
}

/// `value`, an API request's members, as the `Properties` of a resource of
/// `resource_type`: every member under its CloudFormation name. An error
/// names the first member the resource has no property for.
pub(crate) fn properties(resource_type: &str, value: &Value) -> Result<Value, String> {
    let root = schemas()
        .iter()
        .find(|(name, _)| *name == resource_type)
        .map(|(_, schema)| schema)
        .ok_or_else(|| format!("no CloudFormation schema for {resource_type}"))?;
    rename(value, root, root, resource_type)
}

/// The schema `node` points at (`$ref: #/definitions/…`).
fn resolve<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
    let mut node = node;
    // A chain of references ends: each one names a definition.
    for _ in 0..8 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/definitions/");
                match root.get("definitions").and_then(|d| d.get(name)) {
                    Some(next) => node = next,
                    None => return node,
                }
            }
            None => return node,
        }
    }
    node
}

fn rename(value: &Value, node: &Value, root: &Value, at: &str) -> Result<Value, String> {
    let node = resolve(node, root);
    match value {
        Value::Object(members) => {
            if let Some(props) = node.get("properties").and_then(Value::as_object) {
                let mut out = Map::new();
                for (member, v) in members {
                    let property = RENAMED
                        .iter()
                        .find(|(m, p)| m == member && props.contains_key(*p))
                        .map(|(_, p)| (*p).to_owned())
                        .or_else(|| {
                            props
                                .keys()
                                .find(|p| p.eq_ignore_ascii_case(member))
                                .cloned()
                        })
                        .ok_or_else(|| {
                            format!(
                                "{at} has no CloudFormation property for the API member `{member}`"
                            )
                        })?;
                    let inner = rename(v, &props[&property], root, &format!("{at}.{property}"))?;
                    out.insert(property, inner);
                }
                Ok(Value::Object(out))
            } else if let Some(pattern) = node
                .get("patternProperties")
                .and_then(Value::as_object)
                .and_then(|p| p.values().next())
            {
                // A map: the keys are the user's, the values have a shape.
                let mut out = Map::new();
                for (k, v) in members {
                    out.insert(k.clone(), rename(v, pattern, root, &format!("{at}.{k}"))?);
                }
                Ok(Value::Object(out))
            } else if let Some(alternatives) = ["oneOf", "anyOf", "allOf"]
                .iter()
                .find_map(|k| node.get(*k).and_then(Value::as_array))
            {
                let mut first = None;
                for alt in alternatives {
                    match rename(value, alt, root, at) {
                        Ok(v) => return Ok(v),
                        Err(e) => {
                            first.get_or_insert(e);
                        }
                    }
                }
                Err(first.unwrap_or_else(|| format!("{at}: no schema alternative fits")))
            } else {
                // Free-form JSON.
                Ok(value.clone())
            }
        }
        Value::Array(items) => {
            let item = node.get("items").unwrap_or(&Value::Null);
            items
                .iter()
                .enumerate()
                .map(|(i, v)| rename(v, item, root, &format!("{at}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        scalar => Ok(scalar.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_take_the_schemas_names_not_a_casing_rule() {
        let td = serde_json::json!({
            "family": "shop-web",
            "volumes": [{"name": "data", "efsVolumeConfiguration": {
                "fileSystemId": "fs-1", "authorizationConfig": {"iam": "ENABLED"}}}],
            "containerDefinitions": [{"name": "web", "dockerLabels": {"com.example.Team": "a"},
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/x"}}}],
        });
        let p = properties("AWS::ECS::TaskDefinition", &td).unwrap();
        let v = &p["Volumes"][0]["EFSVolumeConfiguration"];
        assert_eq!(v["FilesystemId"], "fs-1");
        assert_eq!(v["AuthorizationConfig"]["IAM"], "ENABLED");
        let c = &p["ContainerDefinitions"][0];
        assert_eq!(c["DockerLabels"]["com.example.Team"], "a");
        assert_eq!(c["LogConfiguration"]["Options"]["awslogs-group"], "/ecs/x");
        let svc =
            serde_json::json!({"placementStrategy": [{"type": "spread", "field": "instanceId"}]});
        let p = properties("AWS::ECS::Service", &svc).unwrap();
        assert_eq!(p["PlacementStrategies"][0]["Type"], "spread");
    }

    #[test]
    fn a_member_without_a_property_is_an_error_not_a_guess() {
        let e = properties(
            "AWS::ECS::Service",
            &serde_json::json!({"clientToken": "x"}),
        )
        .unwrap_err();
        assert!(e.contains("`clientToken`"), "{e}");
        let e = properties(
            "AWS::ECS::TaskDefinition",
            &serde_json::json!({
            "containerDefinitions": [{"nmae": "web"}]}),
        )
        .unwrap_err();
        assert!(e.contains("ContainerDefinitions[0]"), "{e}");
    }
}
