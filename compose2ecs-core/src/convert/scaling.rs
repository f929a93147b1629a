//! Application Auto Scaling: `services.<name>.scaling` in the overlay → the
//! scalable target, target tracking policies and scheduled actions of the
//! ECS service (`<family>.scaling.json`).

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::arn::Arn;
use crate::ecs::scaling::{
    DESIRED_COUNT, ECS_NAMESPACE, PredefinedMetric, ScalableTarget, ScalableTargetAction,
    ScalingPolicy, ScheduledAction, TargetTracking,
};
use crate::ecs::schedule::expression_problem;
use crate::ecs::{Scaling, ServiceDefinition};
use crate::overlay::{LoadedOverlay, ServiceOverlay};

/// The scaling of `service`, whose compose owner is `owner`; `None` without
/// `scaling`, or (with the reasons in `sink`) when it cannot be applied.
pub(super) fn scaling(
    overlay: &LoadedOverlay,
    owner: &str,
    settings: Option<&ServiceOverlay>,
    service: &ServiceDefinition,
    sink: &mut Sink,
) -> Option<Scaling> {
    let s = settings?.scaling.as_ref()?;
    let key = |k: &str| overlay.value_loc(&["services", owner, "scaling", k]);
    let error = |k: &str, message: String, help: &str| {
        let mut d = Diagnostic::error(Code::InvalidScaling, message)
            .with_path(format!("services.{owner}.scaling.{k}"))
            .at(key(k).or_else(|| overlay.key_loc(&["services", owner, "scaling"])));
        if !help.is_empty() {
            d = d.with_help(help.to_owned());
        }
        d
    };
    let before = sink.error_count();
    let min = s.min.unwrap_or(service.desired_count);
    if s.max == 0 || min > s.max {
        sink.push(error(
            if s.min.is_some() { "min" } else { "max" },
            format!(
                "`{owner}` scales between {min}{} and {} tasks: the minimum is above the maximum",
                if s.min.is_some() {
                    ""
                } else {
                    " (its desired count)"
                },
                s.max
            ),
            "make `max` at least `min`",
        ));
    }
    for (k, v) in [("cpu", s.cpu), ("memory", s.memory)] {
        if v.is_some_and(|v| v == 0 || v > 100) {
            sink.push(error(
                k,
                format!("a {k} target of {} % is outside 1–100 %", v.unwrap_or(0)),
                "`cpu: 70` keeps the average at 70 %",
            ));
        }
    }
    let cluster = service.cluster.as_deref().unwrap_or("default");
    let cluster = Arn::parse(cluster)
        .and_then(|a| a.resource.strip_prefix("cluster/"))
        .unwrap_or(cluster);
    let resource_id = format!("service/{cluster}/{}", service.service_name);
    let family = &service.service_name;
    let target = |metric: &str, value: u32, label: Option<String>| ScalingPolicy {
        policy_name: format!("{family}-{}", metric_suffix(metric)),
        service_namespace: ECS_NAMESPACE.to_owned(),
        resource_id: resource_id.clone(),
        scalable_dimension: DESIRED_COUNT.to_owned(),
        policy_type: "TargetTrackingScaling".to_owned(),
        target_tracking_scaling_policy_configuration: TargetTracking {
            target_value: f64::from(value),
            predefined_metric_specification: PredefinedMetric {
                predefined_metric_type: metric.to_owned(),
                resource_label: label,
            },
            scale_in_cooldown: s.scale_in_cooldown,
            scale_out_cooldown: s.scale_out_cooldown,
        },
    };
    let mut policies = Vec::new();
    if let Some(v) = s.cpu {
        policies.push(target("ECSServiceAverageCPUUtilization", v, None));
    }
    if let Some(v) = s.memory {
        policies.push(target("ECSServiceAverageMemoryUtilization", v, None));
    }
    if let Some(v) = s.requests_per_target {
        match resource_label(settings.and_then(|s| s.load_balancer.as_ref())) {
            Ok(label) => policies.push(target("ALBRequestCountPerTarget", v, Some(label))),
            Err(why) => sink.push(error(
                "requests_per_target",
                format!("`{owner}` scales on requests per target, {why}"),
                "set `services.<name>.load_balancer: {target_group_arn: …, load_balancer_arn: arn:aws:elasticloadbalancing:…:loadbalancer/app/<name>/<id>}`: the metric is labelled by both",
            )),
        }
    }
    let mut actions = Vec::new();
    for (i, step) in s.schedule.iter().enumerate() {
        let at = |k: &str| {
            overlay.value_loc(&["services", owner, "scaling", "schedule", &i.to_string(), k])
        };
        let path = format!("services.{owner}.scaling.schedule[{i}]");
        if let Some(problem) = expression_problem(&step.at) {
            sink.push(
                Diagnostic::error(
                    Code::InvalidScaling,
                    format!("`{}` is not a schedule expression: {problem}", step.at),
                )
                .with_path(format!("{path}.at"))
                .at(at("at")),
            );
        }
        let name_ok = !step.name.is_empty()
            && step.name.len() < 200
            && step
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            sink.push(
                Diagnostic::error(
                    Code::InvalidScaling,
                    format!(
                        "the scheduled action name `{}` is not letters, digits, `-` and `_`",
                        step.name
                    ),
                )
                .with_path(format!("{path}.name"))
                .at(at("name")),
            );
        }
        if step.min.is_none() && step.max.is_none() {
            sink.push(
                Diagnostic::error(
                    Code::InvalidScaling,
                    format!(
                        "the scheduled action `{}` changes neither `min` nor `max`",
                        step.name
                    ),
                )
                .with_path(&path)
                .at(at("name")),
            );
        }
        if let (Some(lo), Some(hi)) = (step.min, step.max) {
            if lo > hi {
                sink.push(
                    Diagnostic::error(
                        Code::InvalidScaling,
                        format!(
                            "the scheduled action `{}` sets min {lo} above max {hi}",
                            step.name
                        ),
                    )
                    .with_path(format!("{path}.min"))
                    .at(at("min")),
                );
            }
        }
        actions.push(ScheduledAction {
            service_namespace: ECS_NAMESPACE.to_owned(),
            scheduled_action_name: format!("{family}-{}", step.name),
            resource_id: resource_id.clone(),
            scalable_dimension: DESIRED_COUNT.to_owned(),
            schedule: step.at.clone(),
            timezone: step.timezone.clone(),
            scalable_target_action: ScalableTargetAction {
                min_capacity: step.min,
                max_capacity: step.max,
            },
        });
    }
    if sink.error_count() > before {
        return None;
    }
    Some(Scaling {
        scalable_target: ScalableTarget {
            service_namespace: ECS_NAMESPACE.to_owned(),
            resource_id,
            scalable_dimension: DESIRED_COUNT.to_owned(),
            min_capacity: min,
            max_capacity: s.max,
            tags: std::collections::BTreeMap::new(),
        },
        scaling_policies: policies,
        scheduled_actions: actions,
    })
}

/// The policy name's suffix for a metric.
fn metric_suffix(metric: &str) -> &'static str {
    match metric {
        "ECSServiceAverageCPUUtilization" => "cpu",
        "ECSServiceAverageMemoryUtilization" => "memory",
        _ => "requests",
    }
}

/// `ALBRequestCountPerTarget`'s label: "the final portion of the load
/// balancer ARN and the final portion of the target group ARN into a single
/// value, separated by a forward slash (/). The format of the resource label
/// is: app/my-alb/778d41231b141a0f/targetgroup/my-alb-target-group/943f017f100becff"
/// (`PredefinedMetricSpecification.ResourceLabel`).
fn resource_label(lb: Option<&crate::overlay::LoadBalancer>) -> Result<String, &'static str> {
    let lb = lb.ok_or("and has no `load_balancer`")?;
    let balancer = lb
        .load_balancer_arn
        .as_deref()
        .ok_or("and its `load_balancer` has no `load_balancer_arn`")?;
    let balancer = Arn::parse(balancer)
        .and_then(|a| a.resource.strip_prefix("loadbalancer/"))
        .filter(|r| r.starts_with("app/"))
        .ok_or("but `load_balancer_arn` is not the ARN of an Application Load Balancer")?;
    let group = Arn::parse(&lb.target_group_arn)
        .map(|a| a.resource)
        .filter(|r| r.starts_with("targetgroup/"))
        .ok_or("but `target_group_arn` is not the ARN of a target group")?;
    Ok(format!("{balancer}/{group}"))
}
