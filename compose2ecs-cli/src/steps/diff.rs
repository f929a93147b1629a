//! One value against another, member by member, as `plan` compares what
//! `deploy` would send with what ECS describes: the members ECS adds
//! (`revision`, `status`, `registeredAt`, …) dropped, the defaults it fills
//! in (`cpu: 0`, `protocol: tcp`, empty lists) taken as unset, list
//! elements matched by their name.

use serde_json::Value;

/// Members ECS adds to a registered task definition.
const READ_ONLY: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "deleteRequested",
];

/// One difference: the member's path, the live value and ours (`None`:
/// not set on that side).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub(crate) path: String,
    pub(crate) live: Option<Value>,
    pub(crate) ours: Option<Value>,
}

/// The values ECS fills in when a member is not given, by member name
/// (`describe-services` answers a rolling service's `deploymentConfiguration`
/// with them).
const DEFAULTS: &[(&str, &str)] = &[
    ("protocol", "\"tcp\""),
    ("strategy", "\"ROLLING\""),
    ("maximumPercent", "200"),
    ("minimumHealthyPercent", "100"),
    // The circuit breaker's: "The default is true" (resetOnHealthyTask),
    // "a type of BOUNDED_PERCENT with a value of 50" (ThresholdConfiguration).
    ("resetOnHealthyTask", "true"),
    (
        "thresholdConfiguration",
        r#"{"type": "BOUNDED_PERCENT", "value": 50}"#,
    ),
];

/// Whether ECS would fill `v` in when nothing is given: nothing to compare.
fn unset(key: &str, v: &Value) -> bool {
    if DEFAULTS
        .iter()
        .any(|(k, d)| *k == key && serde_json::from_str::<Value>(d).is_ok_and(|d| d == *v))
    {
        return true;
    }
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        // `alarms: {alarmNames: [], enable: false, rollback: false}`.
        Value::Object(o) => o.iter().all(|(k, v)| unset(k, v)),
    }
}

/// The key of an element of a list ECS keeps by name.
fn element_key(list: &str, v: &Value) -> Option<String> {
    let by = match list {
        "containerDefinitions" | "environment" | "secrets" | "volumes" | "ulimits" => "name",
        "tags" => "key",
        "portMappings" => return v["containerPort"].as_u64().map(|p| p.to_string()),
        _ => return None,
    };
    v[by].as_str().map(str::to_owned)
}

/// The differences between `ours` and `live` below `path`.
pub(crate) fn diff(path: &str, key: &str, ours: &Value, live: &Value, out: &mut Vec<Change>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (ours, live) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => diff(&at(k), k, v, w, out),
                    None if unset(k, v) => {}
                    None => out.push(Change {
                        path: at(k),
                        live: None,
                        ours: Some(v.clone()),
                    }),
                }
            }
            for (k, w) in b {
                if a.contains_key(k)
                    || unset(k, w)
                    || (path.is_empty() && READ_ONLY.contains(&k.as_str()))
                {
                    continue;
                }
                // ECS gives an awsvpc port mapping its container port as host port.
                if k == "hostPort" && b.get("containerPort") == Some(w) {
                    continue;
                }
                out.push(Change {
                    path: at(k),
                    live: Some(w.clone()),
                    ours: None,
                });
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            fn keyed<'v>(key: &str, l: &'v [Value]) -> Option<Vec<(String, &'v Value)>> {
                l.iter()
                    .map(|v| element_key(key, v).map(|k| (k, v)))
                    .collect()
            }
            if let (Some(ka), Some(kb)) = (keyed(key, a), keyed(key, b)) {
                for (k, v) in &ka {
                    let p = format!("{path}[{k}]");
                    match kb.iter().find(|(l, _)| l == k) {
                        Some((_, w)) => diff(&p, key, v, w, out),
                        None => out.push(Change {
                            path: p,
                            live: None,
                            ours: Some((*v).clone()),
                        }),
                    }
                }
                for (k, w) in &kb {
                    if !ka.iter().any(|(o, _)| o == k) {
                        out.push(Change {
                            path: format!("{path}[{k}]"),
                            live: Some((*w).clone()),
                            ours: None,
                        });
                    }
                }
            } else if a.len() == b.len() {
                for (i, (v, w)) in a.iter().zip(b).enumerate() {
                    diff(&format!("{path}[{i}]"), key, v, w, out);
                }
            } else {
                out.push(Change {
                    path: path.to_owned(),
                    live: Some(live.clone()),
                    ours: Some(ours.clone()),
                });
            }
        }
        // ECS answers numbers where the input may say them as strings.
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s))
            if s.parse::<f64>().ok() == n.as_f64() => {}
        _ if ours == live => {}
        _ => out.push(Change {
            path: path.to_owned(),
            live: Some(live.clone()),
            ours: Some(ours.clone()),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(ours: Value, live: Value) -> Vec<String> {
        let mut out = Vec::new();
        diff("", "", &ours, &live, &mut out);
        out.into_iter().map(|c| c.path).collect()
    }

    #[test]
    fn what_ecs_adds_is_no_change() {
        let ours = json!({"family": "f", "cpu": "256", "containerDefinitions": [
            {"name": "web", "image": "app:1", "essential": true, "portMappings": [{"containerPort": 80}],
             "environment": [{"name": "A", "value": "1"}]}]});
        let live = json!({"family": "f", "cpu": "256", "revision": 4, "status": "ACTIVE",
            "taskDefinitionArn": "arn:…:task-definition/f:4", "requiresAttributes": [{"name": "x"}],
            "compatibilities": ["EC2", "FARGATE"], "registeredAt": "2026-12-03T10:00:00Z", "volumes": [],
            "containerDefinitions": [{"name": "web", "image": "app:1", "essential": true, "cpu": 0,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "environment": [{"name": "A", "value": "1"}], "mountPoints": [], "volumesFrom": []}]});
        assert!(changes(ours, live).is_empty());
        let ours = json!({"deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}});
        let live = json!({"deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": true, "rollback": true},
            "maximumPercent": 200, "minimumHealthyPercent": 100, "strategy": "ROLLING",
            "alarms": {"alarmNames": [], "enable": false, "rollback": false}}});
        assert!(
            changes(ours, live).is_empty(),
            "a rolling service as ECS describes it"
        );
        let ours = json!({"deploymentConfiguration": {"strategy": "BLUE_GREEN"}});
        let live = json!({"deploymentConfiguration": {"strategy": "ROLLING"}});
        assert_eq!(changes(ours, live), ["deploymentConfiguration.strategy"]);
    }

    #[test]
    fn changes_are_named_by_container_and_variable() {
        let ours = json!({"containerDefinitions": [
            {"name": "web", "image": "app:2", "environment": [{"name": "A", "value": "2"}, {"name": "B", "value": "new"}]},
            {"name": "side", "image": "envoy"}]});
        let live = json!({"taskRoleArn": "arn:aws:iam::1:role/app", "containerDefinitions": [
            {"name": "side", "image": "envoy"},
            {"name": "web", "image": "app:1", "environment": [{"name": "A", "value": "1"}, {"name": "C", "value": "gone"}]}]});
        assert_eq!(
            changes(ours, live),
            // Members in name order; list elements by their name.
            [
                "containerDefinitions[web].environment[A].value",
                "containerDefinitions[web].environment[B]",
                "containerDefinitions[web].environment[C]",
                "containerDefinitions[web].image",
                "taskRoleArn",
            ]
        );
    }
}
