//! The CloudFormation target of every fixture that converts: the template
//! is the same bytes twice, its YAML and JSON forms say the same, and each
//! resource's `Properties`, with the parameters at the values the JSON
//! outputs hold, are the JSON outputs member by member (names compared
//! without case, as they are CloudFormation's spelling of the same
//! members). So the two targets cannot drift apart.

use compose2ecs_core::Conversion;
use serde_json::{Value, json};

/// Every key in lower case, maps included (both sides alike).
fn folded(v: &Value) -> Value {
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

/// `{"Ref": P}` as parameter P's default (a list parameter's split at
/// commas); a parameter without one (a placeholder) as `null`.
fn resolved(v: &Value, template: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key("Ref") => {
            let id = m["Ref"].as_str().unwrap();
            let p = &template["Parameters"][id];
            match (p["Default"].as_str(), p["Type"].as_str()) {
                (Some(d), Some(t)) if t.starts_with("List<") => {
                    json!(d.split(',').collect::<Vec<_>>())
                }
                (Some(d), _) => json!(d),
                (None, _) => Value::Null,
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolved(v, template)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| resolved(v, template)).collect()),
        other => other.clone(),
    }
}

/// Where the template leaves a parameter without default, the JSON's
/// value is a placeholder that the parameter's description names.
fn placeholders_as_null(json: &mut Value, template_side: &Value, template: &Value) {
    match (json, template_side) {
        (Value::Object(j), Value::Object(t)) => {
            for (k, v) in j.iter_mut() {
                if let Some(tv) = t.get(k) {
                    placeholders_as_null(v, tv, template);
                }
            }
        }
        (Value::Array(j), Value::Array(t)) => {
            for (v, tv) in j.iter_mut().zip(t) {
                placeholders_as_null(v, tv, template);
            }
        }
        (j @ Value::String(_), Value::Null) => {
            let s = j.as_str().unwrap().to_owned();
            let described = template["Parameters"]
                .as_object()
                .unwrap()
                .values()
                .any(|p| p["Default"].is_null() && p["Description"].as_str().unwrap().contains(&s));
            assert!(described, "{s} is no parameter's placeholder");
            *j = Value::Null;
        }
        _ => {}
    }
}

fn resource<'a>(template: &'a Value, kind: &str, key: &str, value: &str) -> &'a Value {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == kind && r["Properties"][key] == value)
        .unwrap_or_else(|| panic!("no {kind} with {key} {value}"))
}

fn same(what: &str, api: &Value, properties: &Value, template: &Value) -> Result<(), String> {
    let t = folded(&resolved(properties, template));
    let mut j = folded(api);
    placeholders_as_null(&mut j, &t, template);
    if t == j {
        Ok(())
    } else {
        Err(format!(
            "{what}: the template says\n{t:#}\nthe JSON output says\n{j:#}"
        ))
    }
}

/// The checks, and the template's YAML (for the shipped examples'
/// snapshots). The member-by-member comparison is of the template before
/// the overlay's `cloudformation` patch, which changes it on purpose.
pub(crate) fn check(conversion: &Conversion) -> Result<String, String> {
    let template = compose2ecs_core::cloudformation::template(conversion)?;
    let yaml = template.to_yaml();
    let again = compose2ecs_core::cloudformation::template(conversion)?;
    if yaml != again.to_yaml() || template.to_json() != again.to_json() {
        return Err("two templates differ".into());
    }
    let value = template.value();
    let from_yaml: Value = serde_norway::from_str(&yaml).map_err(|e| e.to_string())?;
    let from_json: Value = serde_json::from_str(&template.to_json()).map_err(|e| e.to_string())?;
    if from_yaml != value || from_json != value {
        return Err("the YAML and JSON templates say different things".into());
    }
    let mut unpatched = conversion.clone();
    unpatched.overlay.cloudformation = None;
    let value = compose2ecs_core::cloudformation::template(&unpatched)?.value();

    for (family, td) in &conversion.task_definitions {
        let r = resource(&value, "AWS::ECS::TaskDefinition", "Family", family);
        same(
            family,
            &serde_json::to_value(td).unwrap(),
            &r["Properties"],
            &value,
        )?;
    }
    for (family, service) in &conversion.services {
        let r = resource(
            &value,
            "AWS::ECS::Service",
            "ServiceName",
            &service.service_name,
        );
        let mut api = serde_json::to_value(service).unwrap();
        let mut props = r["Properties"].clone();
        // The references: the cluster parameter, the task definition of
        // the stack.
        assert_eq!(
            props["TaskDefinition"]["Ref"]
                .as_str()
                .map(|s| s.ends_with("TaskDefinition")),
            Some(true)
        );
        assert_eq!(props["Cluster"], json!({"Ref": "Cluster"}));
        assert_eq!(
            value["Parameters"]["Cluster"]["Default"].as_str(),
            Some(service.cluster.as_deref().unwrap_or("default"))
        );
        for (m, p) in [("cluster", "Cluster"), ("taskDefinition", "TaskDefinition")] {
            api.as_object_mut().unwrap().remove(m);
            props.as_object_mut().unwrap().remove(p);
        }
        // A task without a network gets the parameters, to be passed.
        if api.get("networkConfiguration").is_none() {
            if let Some(n) = props
                .as_object_mut()
                .unwrap()
                .remove("NetworkConfiguration")
            {
                assert_eq!(
                    n["AwsvpcConfiguration"]["Subnets"],
                    json!({"Ref": "Subnets"})
                );
                assert!(value["Parameters"]["Subnets"]["Default"].is_null());
            }
        }
        same(&format!("{family} service"), &api, &props, &value)?;
    }
    for (family, schedule) in &conversion.schedules {
        let r = resource(&value, "AWS::Scheduler::Schedule", "Name", &schedule.name);
        let mut api = serde_json::to_value(schedule).unwrap();
        let mut props = r["Properties"].clone();
        for v in [&mut api, &mut props] {
            let target = v["Target"].as_object_mut().unwrap();
            target.remove("Arn");
            target["EcsParameters"]
                .as_object_mut()
                .unwrap()
                .remove("TaskDefinitionArn");
        }
        same(&format!("{family} schedule"), &api, &props, &value)?;
    }
    for (family, scaling) in &conversion.scaling {
        let t = &scaling.scalable_target;
        // The target names its service's resource.
        let service = &conversion.services[family].service_name;
        let resources = value["Resources"].as_object().unwrap();
        let (service_id, _) = resources
            .iter()
            .find(|(_, r)| {
                r["Type"] == "AWS::ECS::Service" && r["Properties"]["ServiceName"] == *service
            })
            .ok_or_else(|| format!("{family}: no service"))?;
        let r = resources
            .values()
            .find(|r| {
                r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
                    && r["Properties"]["ResourceId"]["Fn::Sub"]
                        .as_str()
                        .is_some_and(|s| s.contains(&format!("${{{service_id}.Name}}")))
            })
            .ok_or_else(|| format!("{family}: no scalable target"))?;
        let p = &r["Properties"];
        if p["MinCapacity"] != t.min_capacity || p["MaxCapacity"] != t.max_capacity {
            return Err(format!("{family}: capacities differ"));
        }
        let tags: Vec<Value> = t
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        if !tags.is_empty() && p["Tags"] != json!(tags) {
            return Err(format!("{family}: the scalable target's tags differ"));
        }
        for a in &scaling.scheduled_actions {
            let found = p["ScheduledActions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| {
                    x["ScheduledActionName"] == a.scheduled_action_name
                        && x["Schedule"] == a.schedule
                        && x["ScalableTargetAction"]
                            == serde_json::to_value(&a.scalable_target_action).unwrap()
                });
            if !found {
                return Err(format!(
                    "{family}: {} is not in the template",
                    a.scheduled_action_name
                ));
            }
        }
        for policy in &scaling.scaling_policies {
            let r = resource(
                &value,
                "AWS::ApplicationAutoScaling::ScalingPolicy",
                "PolicyName",
                &policy.policy_name,
            );
            let want =
                serde_json::to_value(&policy.target_tracking_scaling_policy_configuration).unwrap();
            if r["Properties"]["TargetTrackingScalingPolicyConfiguration"] != want {
                return Err(format!("{}: the policy differs", policy.policy_name));
            }
        }
    }
    Ok(yaml)
}

/// The comparison fails when the template drops or changes a member, and
/// resolves references to the parameters' defaults.
pub(crate) fn the_comparison_sees_a_dropped_or_changed_member() {
    let template = json!({"Parameters": {
        "WebImage": {"Type": "String", "Default": "nginx:1"},
        "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "subnet-1,subnet-2"}}});
    let api = json!({"image": "nginx:1", "subnets": ["subnet-1", "subnet-2"], "cpu": 256});
    let good = json!({"Image": {"Ref": "WebImage"}, "Subnets": {"Ref": "Subnets"}, "Cpu": 256});
    assert_eq!(same("ok", &api, &good, &template), Ok(()));
    let dropped = json!({"Image": {"Ref": "WebImage"}, "Subnets": {"Ref": "Subnets"}});
    assert!(same("dropped", &api, &dropped, &template).is_err());
    let changed = json!({"Image": "nginx:2", "Subnets": {"Ref": "Subnets"}, "Cpu": 256});
    assert!(same("changed", &api, &changed, &template).is_err());
}
