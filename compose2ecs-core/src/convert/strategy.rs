//! ECS's native deployment strategies (`services.<name>.deployment`):
//! rolling, blue/green, linear and canary, with bake time, alarms and
//! lifecycle hooks, and the load balancer's second target group and
//! listener rules they shift traffic with.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{
    AdvancedConfiguration, CanaryConfiguration, DeploymentAlarms, DeploymentConfiguration,
    EarlySuccessCriteria, LifecycleHook, LinearConfiguration, ServiceLoadBalancer,
    ThresholdConfiguration,
};
use crate::overlay::{Cleanup, LoadedOverlay, ServiceOverlay, Strategy, ThresholdType};

/// `DeploymentLifecycleHookStage` of the ECS API model.
const STAGES: &[&str] = &[
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
];

/// Adds the strategy of `owner`'s overlay entry to `config` and the
/// advanced configuration to its load balancers; what ECS would refuse is
/// an error in `sink`.
pub(super) fn apply(
    overlay: &LoadedOverlay,
    owner: &str,
    settings: Option<&ServiceOverlay>,
    service_connect: bool,
    config: &mut DeploymentConfiguration,
    load_balancers: &mut [ServiceLoadBalancer],
    sink: &mut Sink,
) {
    let lb = settings.and_then(|s| s.load_balancer.as_ref());
    let d = settings.and_then(|s| s.deployment.as_ref());
    let strategy = d.and_then(|d| d.strategy).unwrap_or_default();
    let path = |k: &str| format!("services.{owner}.deployment.{k}");
    let at = |k: &str| {
        overlay
            .key_loc(&["services", owner, "deployment", k])
            .or_else(|| overlay.key_loc(&["services", owner, "deployment"]))
    };
    let error = |k: &str, m: String, help: &str| {
        Diagnostic::error(Code::IncompatibleSetting, m)
            .with_path(path(k))
            .at(at(k))
            .with_help(help.to_owned())
    };
    let shifts_traffic = strategy != Strategy::Rolling;
    if let Some(lb) = lb {
        let advanced = [
            &lb.alternate_target_group_arn,
            &lb.production_listener_rule,
            &lb.test_listener_rule,
            &lb.role,
        ];
        if !shifts_traffic && advanced.iter().any(|v| v.is_some()) {
            sink.push(
                Diagnostic::warning(
                    Code::IncompatibleSetting,
                    format!("`{owner}`'s load balancer has a second target group or listener rules, which only blue/green, linear and canary deployments use; it deploys rolling"),
                )
                .with_path(format!("services.{owner}.load_balancer"))
                .at(overlay.key_loc(&["services", owner, "load_balancer"]))
                .with_help("set `deployment: {strategy: blue_green}` (or linear, canary), or remove them"),
            );
        }
    }
    let Some(d) = d else {
        return;
    };
    let name = match strategy {
        Strategy::Rolling => "ROLLING",
        Strategy::BlueGreen => "BLUE_GREEN",
        Strategy::Linear => "LINEAR",
        Strategy::Canary => "CANARY",
    };
    if shifts_traffic {
        // "Blue/green deployments require … an Application Load Balancer,
        // Network Load Balancer, or Service Connect" (ECS Developer Guide,
        // Amazon ECS blue/green deployments); linear and canary the same.
        match lb {
            None if !service_connect => sink.push(error(
                "strategy",
                format!("ECS would refuse `{owner}`: a {name} deployment shifts traffic, through a load balancer or Service Connect, and the service has neither"),
                "give it `load_balancer: {target_group_arn, alternate_target_group_arn, production_listener_rule, role}`, or `service_connect`, or deploy rolling",
            )),
            None => {}
            Some(lb) => {
                let missing: Vec<&str> = [
                    ("alternate_target_group_arn", &lb.alternate_target_group_arn),
                    ("production_listener_rule", &lb.production_listener_rule),
                    ("role", &lb.role),
                ]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(k, _)| *k)
                .collect();
                if missing.is_empty() {
                    for l in load_balancers.iter_mut() {
                        l.advanced_configuration = Some(AdvancedConfiguration {
                            alternate_target_group_arn: lb.alternate_target_group_arn.clone().unwrap_or_default(),
                            production_listener_rule: lb.production_listener_rule.clone().unwrap_or_default(),
                            test_listener_rule: lb.test_listener_rule.clone(),
                            role_arn: lb.role.clone().unwrap_or_default(),
                        });
                    }
                } else {
                    sink.push(
                        Diagnostic::error(
                            Code::IncompatibleSetting,
                            format!("ECS would refuse `{owner}`: a {name} deployment behind a load balancer moves traffic between two target groups with a listener rule, and `load_balancer` lacks {}", missing.join(", ")),
                        )
                        .with_path(format!("services.{owner}.load_balancer"))
                        .at(overlay.key_loc(&["services", owner, "load_balancer"]))
                        .with_help("the alternate target group receives the new revision; the production listener rule is switched to it; the role lets ECS change the rule"),
                    );
                }
            }
        }
    }
    for (key, set, only) in [
        (
            "canary_percent",
            d.canary_percent.is_some(),
            Strategy::Canary,
        ),
        (
            "canary_bake_minutes",
            d.canary_bake_minutes.is_some(),
            Strategy::Canary,
        ),
        ("step_percent", d.step_percent.is_some(), Strategy::Linear),
        (
            "step_bake_minutes",
            d.step_bake_minutes.is_some(),
            Strategy::Linear,
        ),
    ] {
        if set && strategy != only {
            sink.push(error(
                key,
                format!(
                    "`{key}` is for {} deployments, and `{owner}` deploys {}",
                    if only == Strategy::Canary {
                        "canary"
                    } else {
                        "linear"
                    },
                    name.to_ascii_lowercase()
                ),
                "set the matching `strategy`, or remove it",
            ));
        }
    }
    for (key, v) in [
        ("canary_percent", d.canary_percent),
        ("step_percent", d.step_percent),
    ] {
        if v.is_some_and(|v| v == 0 || v > 100) {
            sink.push(error(
                key,
                format!("`{key}` is a percent of the traffic: 1–100"),
                "`canary_percent: 10` sends a tenth first",
            ));
        }
    }
    if d.bake_minutes.is_some() && !shifts_traffic {
        sink.push(error(
            "bake_minutes",
            "a bake time is for blue/green, linear and canary deployments".to_owned(),
            "set `strategy`, or remove it",
        ));
    }
    let mut hooks = Vec::new();
    for (i, h) in d.hooks.iter().enumerate() {
        let unknown: Vec<&str> = h
            .stages
            .iter()
            .map(String::as_str)
            .filter(|s| !STAGES.contains(s))
            .collect();
        if !unknown.is_empty() || h.stages.is_empty() {
            sink.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "hook {i} of `{owner}` names no stage ECS has: {}",
                        if unknown.is_empty() {
                            "(none)".to_owned()
                        } else {
                            unknown.join(", ")
                        }
                    ),
                )
                .with_path(format!("services.{owner}.deployment.hooks[{i}].stages"))
                .at(overlay.value_loc(&[
                    "services",
                    owner,
                    "deployment",
                    "hooks",
                    &i.to_string(),
                    "stages",
                ]))
                .with_help(format!("the stages: {}", STAGES.join(", "))),
            );
        }
        hooks.push(LifecycleHook {
            hook_target_arn: h.lambda.clone(),
            role_arn: h.role.clone(),
            lifecycle_stages: h.stages.clone(),
        });
    }
    if let Some(min) = d.minimum_healthy_percent {
        config.minimum_healthy_percent = Some(min);
    }
    if let Some(max) = d.maximum_percent {
        config.maximum_percent = Some(max);
    }
    let (min, max) = (
        config.minimum_healthy_percent.unwrap_or(100),
        config.maximum_percent.unwrap_or(200),
    );
    // "minimumHealthyPercent … a lower limit … as a percentage of the
    // desiredCount"; maximumPercent "an upper limit" (DeploymentConfiguration).
    if min > 100 || max < min {
        sink.push(error(
            if min > 100 { "minimum_healthy_percent" } else { "maximum_percent" },
            format!("`{owner}` deploys keeping {min} % and running at most {max} % of its tasks: the minimum is 0–100 and the maximum at least the minimum"),
            "`minimum_healthy_percent: 50, maximum_percent: 200` replaces half the tasks at a time",
        ));
    }
    config.strategy = Some(name.to_owned());
    config.bake_time_in_minutes = d.bake_minutes;
    if strategy == Strategy::Canary {
        config.canary_configuration = Some(CanaryConfiguration {
            canary_percent: d.canary_percent,
            canary_bake_time_in_minutes: d.canary_bake_minutes,
        });
    }
    if strategy == Strategy::Linear {
        config.linear_configuration = Some(LinearConfiguration {
            step_percent: d.step_percent,
            step_bake_time_in_minutes: d.step_bake_minutes,
        });
    }
    if !d.alarms.is_empty() {
        config.alarms = Some(DeploymentAlarms {
            alarm_names: d.alarms.clone(),
            enable: true,
            rollback: d.rollback.unwrap_or(true),
        });
    }
    config.lifecycle_hooks = hooks;
    if let Some(c) = &d.circuit_breaker {
        let breaker = &mut config.deployment_circuit_breaker;
        breaker.reset_on_healthy_task = c.reset_on_healthy_task;
        let kind = c.threshold_type.unwrap_or_default();
        if c.threshold.is_some() || c.threshold_type.is_some() {
            breaker.threshold_configuration = Some(ThresholdConfiguration {
                kind: match kind {
                    ThresholdType::Count => "COUNT",
                    ThresholdType::BoundedPercent => "BOUNDED_PERCENT",
                    ThresholdType::UnboundedPercent => "UNBOUNDED_PERCENT",
                }
                .to_owned(),
                // "The default is 50" (ThresholdConfiguration.value).
                value: c.threshold.unwrap_or(50),
            });
        }
    }
    if let Some(e) = &d.early_success {
        // "You can use early success criteria only with rolling deployment
        // strategy" (DeploymentEarlySuccessCriteria).
        if strategy != Strategy::Rolling {
            sink.push(error(
                "early_success",
                format!("ECS would refuse `{owner}`: early success is for rolling deployments, and it deploys {}", name.to_ascii_lowercase()),
                "remove `early_success`, or deploy rolling",
            ));
        }
        // "must be an integer between 0 and 100 … greater than or equal to
        // the minimumHealthyPercent value" (healthyPercent).
        let floor = config.minimum_healthy_percent.unwrap_or(100);
        if e.healthy_percent > 100 || e.healthy_percent < floor {
            sink.push(error(
                "early_success",
                format!(
                    "ECS would refuse `{owner}`: `early_success.healthy_percent` is {}, and it must be from the minimum healthy percent ({floor}) to 100",
                    e.healthy_percent
                ),
                "raise it, or lower the minimum: compose's `deploy.update_config` with `order: stop-first` and a `parallelism`",
            ));
        }
        config.early_success_criteria = Some(EarlySuccessCriteria {
            enable: true,
            healthy_percent: e.healthy_percent,
            source_service_revision_cleanup: match e.cleanup.unwrap_or_default() {
                Cleanup::Blocking => "BLOCKING",
                Cleanup::Deferred => "DEFERRED",
            }
            .to_owned(),
        });
    }
}
