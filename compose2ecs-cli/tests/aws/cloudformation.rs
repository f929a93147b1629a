//! The CloudFormation stack registers what `register` does.

use crate::common;
use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

/// Where the template has `{"Ref": P}` for a parameter without default (a
/// placeholder of the overlay's), the JSON output's value at the same
/// place: what a deploy passes for P.
fn placeholder_values(
    template: &serde_json::Value,
    props: &serde_json::Value,
    json: &serde_json::Value,
    out: &mut Vec<(String, String)>,
) {
    use serde_json::Value;
    match (props, json) {
        (Value::Object(p), _) if p.len() == 1 && p.contains_key("Ref") => {
            let id = p["Ref"].as_str().unwrap();
            let param = &template["Parameters"][id];
            if param.is_object() && param["Default"].is_null() {
                if let Some(v) = json.as_str() {
                    out.push((id.to_owned(), v.to_owned()));
                }
            }
        }
        (Value::Object(p), Value::Object(j)) => {
            for (k, v) in p {
                if let Some((_, jv)) = j.iter().find(|(jk, _)| jk.eq_ignore_ascii_case(k)) {
                    placeholder_values(template, v, jv, out);
                }
            }
        }
        (Value::Array(p), Value::Array(j)) => {
            for (v, jv) in p.iter().zip(j) {
                placeholder_values(template, v, jv, out);
            }
        }
        _ => {}
    }
}

/// Keys in lower case: moto turns CloudFormation's names into the API's
/// by lowering the first letter (`EFSVolumeConfiguration` →
/// `eFSVolumeConfiguration`), so names are compared without case.
fn folded(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), folded(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(folded).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_cloudformation_stack_registers_what_register_does_on_moto() {
    // The shipped examples' templates, deployed with `aws cloudformation
    // create-stack` into moto: each family's task definition equals the one
    // `aws ecs register-task-definition` makes of the JSON output, member by
    // member, for the members moto's CloudFormation carries over (family,
    // containerDefinitions, volumes, memory: it drops the rest, which
    // compose2ecs-core/tests/fixtures.rs compares with the template itself),
    // and each service runs the stack's revision.
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = moto_network(&aws_bin, &moto);
    for example in ["seed-student-rest", "example-shop", "overlay-realistic-app"] {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&common::repo().join("fixtures").join(example), dir.path());
        for args in [
            &["convert", "-q", "-o", "ecs"][..],
            &["convert", "-q", "--target", "cloudformation", "-o", "cfn"],
        ] {
            let run = common::run(common::bin().current_dir(dir.path()).args(args));
            assert_eq!(run.code, 0, "{example}: {}", run.stderr);
        }
        let name = &common::listing(&dir.path().join("cfn"))[0];
        let path = dir.path().join("cfn").join(name);
        let template: serde_json::Value =
            serde_norway::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let stack = name.trim_end_matches(".cloudformation.yaml").to_owned();

        let td_file = |family: &str| {
            dir.path()
                .join(format!("ecs/{family}.task-definition.json"))
        };
        let families: Vec<String> = template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
            .map(|r| r["Properties"]["Family"].as_str().unwrap().to_owned())
            .collect();
        assert!(!families.is_empty());
        let mut params = vec![
            ("Subnets".to_owned(), subnet.clone()),
            ("SecurityGroups".to_owned(), group.clone()),
        ];
        for r in template["Resources"].as_object().unwrap().values() {
            if r["Type"] == "AWS::ECS::TaskDefinition" {
                let family = r["Properties"]["Family"].as_str().unwrap();
                let json: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(td_file(family)).unwrap())
                        .unwrap();
                placeholder_values(&template, &r["Properties"], &json, &mut params);
            }
        }
        params.sort();
        params.dedup();
        let parameters: Vec<serde_json::Value> = params
            .iter()
            .filter(|(k, _)| template["Parameters"].get(k).is_some())
            .map(|(k, v)| serde_json::json!({"ParameterKey": k, "ParameterValue": v}))
            .collect();
        let cluster = template["Parameters"]["Cluster"]["Default"]
            .as_str()
            .unwrap();
        aws(
            &aws_bin,
            &moto,
            &["ecs", "create-cluster", "--cluster-name", cluster],
        )
        .unwrap();
        aws(
            &aws_bin,
            &moto,
            &[
                "cloudformation",
                "create-stack",
                "--stack-name",
                &stack,
                "--template-body",
                &format!("file://{}", path.display()),
                "--parameters",
                &serde_json::Value::from(parameters).to_string(),
            ],
        )
        .unwrap_or_else(|e| panic!("{example}: {e}"));
        let status = aws(
            &aws_bin,
            &moto,
            &["cloudformation", "describe-stacks", "--stack-name", &stack],
        )
        .unwrap();
        assert_eq!(
            status["Stacks"][0]["StackStatus"], "CREATE_COMPLETE",
            "{example}"
        );

        for family in &families {
            let from_stack = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-task-definition",
                    "--task-definition",
                    &format!("{family}:1"),
                ],
            )
            .unwrap_or_else(|e| panic!("{family} is not in the stack: {e}"));
            aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "register-task-definition",
                    "--cli-input-json",
                    &format!("file://{}", td_file(family).display()),
                ],
            )
            .unwrap();
            let registered = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-task-definition",
                    "--task-definition",
                    &format!("{family}:2"),
                ],
            )
            .unwrap();
            for member in ["family", "containerDefinitions", "volumes", "memory"] {
                let mut want = folded(&registered["taskDefinition"][member]);
                if member == "volumes" {
                    // moto's CloudFormation hands its register
                    // `eFSVolumeConfiguration` (the first letter lowered),
                    // which it does not know and drops: an EFS volume
                    // arrives as its name only.
                    for v in want.as_array_mut().into_iter().flatten() {
                        v.as_object_mut().unwrap().remove("efsvolumeconfiguration");
                    }
                }
                assert_eq!(
                    folded(&from_stack["taskDefinition"][member]),
                    want,
                    "{example}: {family}: `{member}` of the stack's revision and of register's differ"
                );
            }
            assert!(
                !from_stack["taskDefinition"]["containerDefinitions"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            );
        }
        for r in template["Resources"].as_object().unwrap().values() {
            if r["Type"] != "AWS::ECS::Service" {
                continue;
            }
            let name = r["Properties"]["ServiceName"].as_str().unwrap();
            let json: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(dir.path().join(format!("ecs/{name}.service.json")))
                    .unwrap(),
            )
            .unwrap();
            let live = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-services",
                    "--cluster",
                    cluster,
                    "--services",
                    name,
                ],
            )
            .unwrap();
            let live = &live["services"][0];
            assert_eq!(live["serviceName"], name, "{example}: {live:#}");
            assert_eq!(
                live["desiredCount"], json["desiredCount"],
                "{example}: {name}"
            );
            let family = json["taskDefinition"].as_str().unwrap();
            assert!(
                live["taskDefinition"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("task-definition/{family}:1")),
                "{example}: {name} runs {}",
                live["taskDefinition"]
            );
        }
    }
}
