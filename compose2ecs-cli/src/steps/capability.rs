//! Whether the installed `aws` knows every member compose2ecs is about to
//! send it. The AWS CLI validates `--cli-input-json` against the API model
//! it bundles, and AWS CLI v1 (the one on PyPI) lags behind the model
//! compose2ecs validates against: a member it does not know would fail the
//! call halfway through a deploy. So before the first call, each
//! operation's `--generate-cli-skeleton input` (the members the installed
//! CLI knows, nested) is compared with what the outputs use.

use compose2ecs_core::Conversion;
use serde_json::Value;

use crate::aws::Aws;

/// The members of `ours` the skeleton does not have, as paths. A skeleton
/// map (`{"KeyName": …}`) takes any key; a list's one element stands for
/// every element.
pub(crate) fn unknown(ours: &Value, skeleton: &Value, path: &str, out: &mut Vec<String>) {
    match (ours, skeleton) {
        (Value::Object(a), Value::Object(b)) => {
            if b.len() == 1 && b.contains_key("KeyName") {
                return;
            }
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(w) => unknown(v, w, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let Some(w) = b.first() {
                for v in a {
                    unknown(v, w, &format!("{path}[]"), out);
                }
            }
        }
        _ => {}
    }
    out.dedup();
}

/// The operations `families` of `conversion` go through, with an input of
/// each (the first family's that has one).
fn inputs(conversion: &Conversion, families: &[&str]) -> Vec<(&'static str, &'static str, Value)> {
    let mut out: Vec<(&str, &str, Value)> = Vec::new();
    let mut add = |service: &'static str, op: &'static str, v: Value| {
        match out.iter_mut().find(|(s, o, _)| *s == service && *o == op) {
            // Every family's members count: merge them into one document.
            Some((_, _, doc)) => merge(doc, v),
            None => out.push((service, op, v)),
        }
    };
    for f in families {
        let json = |v: Option<Value>| v.unwrap_or(Value::Null);
        if let Some(td) = conversion.task_definitions.get(*f) {
            add(
                "ecs",
                "register-task-definition",
                json(serde_json::to_value(td).ok()),
            );
        }
        if let Some(s) = conversion.services.get(*f) {
            add("ecs", "create-service", json(serde_json::to_value(s).ok()));
        }
        if let Some(j) = conversion.jobs.get(*f) {
            add("ecs", "run-task", json(serde_json::to_value(j).ok()));
        }
        if let Some(s) = conversion.schedules.get(*f) {
            add(
                "scheduler",
                "create-schedule",
                json(serde_json::to_value(s).ok()),
            );
        }
        if let Some(s) = conversion.scaling.get(*f) {
            add(
                "application-autoscaling",
                "register-scalable-target",
                json(serde_json::to_value(&s.scalable_target).ok()),
            );
            for p in &s.scaling_policies {
                add(
                    "application-autoscaling",
                    "put-scaling-policy",
                    json(serde_json::to_value(p).ok()),
                );
            }
            for a in &s.scheduled_actions {
                add(
                    "application-autoscaling",
                    "put-scheduled-action",
                    json(serde_json::to_value(a).ok()),
                );
            }
        }
    }
    out
}

/// `b`'s members into `a` (lists: `b`'s elements appended).
fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(w) => merge(w, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => a.extend(b),
        _ => {}
    }
}

/// Refuses, before any call, what the installed CLI would refuse: each
/// member it does not know, with its version and what to do. With
/// `tasks_only`, only the task definitions (what `register` sends).
pub(crate) fn check(
    aws: &Aws,
    conversion: &Conversion,
    families: &[&str],
    tasks_only: bool,
) -> Result<(), String> {
    let mut problems = Vec::new();
    let inputs: Vec<_> = inputs(conversion, families)
        .into_iter()
        .filter(|(_, op, _)| !tasks_only || *op == "register-task-definition")
        .collect();
    // The skeletons together, in one round.
    let mut round = crate::aws::Round::default();
    let tickets: Vec<usize> = inputs
        .iter()
        .map(|(service, op, _)| round.add(&[*service, *op, "--generate-cli-skeleton", "input"]))
        .collect();
    let mut answers = round.run(aws);
    for ((service, op, ours), ticket) in inputs.into_iter().zip(tickets) {
        // A CLI that cannot say (no skeleton) is not checked: its first
        // real call says what is wrong with it.
        let Ok(skeleton) = answers.take(ticket) else {
            continue;
        };
        // Every CLI that has the operation knows some of its members: an
        // answer that knows none of ours is not a skeleton.
        let knows_any = ours
            .as_object()
            .is_some_and(|o| o.keys().any(|k| skeleton.get(k).is_some()));
        if !knows_any {
            continue;
        }
        let mut missing = Vec::new();
        unknown(&ours, &skeleton, "", &mut missing);
        if !missing.is_empty() {
            problems.push(format!(
                "`aws {service} {op}` does not know {}",
                missing.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let version = aws
        .text(&["--version"])
        .ok()
        .and_then(|v| v.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "the installed AWS CLI".to_owned());
    Err(format!(
        "{version} (`{}`) would refuse what compose2ecs sends it: {}; nothing was registered or deployed. Install an AWS CLI whose model knows them: AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html) or `pip install --upgrade awscli`, or pass --aws-cli PATH",
        aws.bin.display(),
        problems.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_the_skeleton_lacks_are_named() {
        let skeleton = json!({"family": "", "containerDefinitions": [{"name": "", "dockerLabels": {"KeyName": ""}}],
            "deploymentConfiguration": {"maximumPercent": 0}});
        let ours = json!({"family": "f", "containerDefinitions": [{"name": "a", "dockerLabels": {"team": "x"}}, {"name": "b", "restartPolicy": {}}],
            "deploymentConfiguration": {"maximumPercent": 200, "strategy": "BLUE_GREEN"}});
        let mut out = Vec::new();
        unknown(&ours, &skeleton, "", &mut out);
        assert_eq!(
            out,
            [
                "containerDefinitions[].restartPolicy",
                "deploymentConfiguration.strategy"
            ]
        );
    }
}
