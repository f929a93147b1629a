//! Every output against the rules ECS enforces server-side
//! ([`crate::ecs::rules::ECS_RULES`], the data): what breaks which rule, by
//! member path. The pipeline reports each at the service whose container
//! breaks it.

use std::collections::BTreeSet;

use crate::ecs::rules::fargate_sysctl;
use crate::ecs::{RunTask, ServiceDefinition, TaskDefinition, fargate_size};

/// A broken rule: its id and what breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub rule: &'static str,
    /// The member that breaks it (`containerDefinitions[2].name`).
    pub path: String,
    pub what: String,
}

fn broken(rule: &'static str, path: String, what: String) -> Broken {
    Broken { rule, path, what }
}

/// The rules `td` breaks, with its execution role needs left to the
/// converter (they depend on what the containers read, which it knows).
pub(crate) fn task_definition(td: &TaskDefinition) -> Vec<Broken> {
    let mut out = Vec::new();
    let fargate = td.requires_compatibilities.iter().any(|c| c == "FARGATE");
    let containers = &td.container_definitions;
    if containers.len() > 10 {
        out.push(broken(
            "containers-per-task",
            "containerDefinitions".to_owned(),
            format!("it has {} containers", containers.len()),
        ));
    }
    // The request's JSON, as the CLI sends it (compact).
    let size = serde_json::to_vec(td).map_or(0, |v| v.len());
    if size > 64 * 1024 {
        out.push(broken(
            "task-definition-size",
            "containerDefinitions".to_owned(),
            format!("its JSON is {size} bytes"),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, c) in containers.iter().enumerate() {
        if !names.insert(c.name.as_str()) {
            out.push(broken(
                "unique-container-names",
                format!("containerDefinitions[{i}].name"),
                format!("two containers are named `{}`", c.name),
            ));
        }
    }
    if !containers.is_empty() && !containers.iter().any(|c| c.essential) {
        out.push(broken(
            "essential-container",
            "containerDefinitions".to_owned(),
            "none of its containers is essential".to_owned(),
        ));
    }
    if matches!(td.network_mode.as_str(), "awsvpc" | "host") {
        let mut ports: BTreeSet<(u16, &str)> = BTreeSet::new();
        for (i, c) in containers.iter().enumerate() {
            for (j, p) in c.port_mappings.iter().enumerate() {
                let Some(port) = p.container_port else {
                    continue;
                };
                if !ports.insert((port, p.protocol.as_str())) {
                    out.push(broken(
                        "unique-container-ports",
                        format!("containerDefinitions[{i}].portMappings[{j}]"),
                        format!(
                            "port {port}/{} is mapped twice in a task whose containers share one network interface",
                            p.protocol
                        ),
                    ));
                }
            }
        }
    }
    for (i, c) in containers.iter().enumerate() {
        if let Some(h) = &c.health_check {
            let ranges = [
                ("interval", h.interval, 5, 300),
                ("timeout", h.timeout, 2, 60),
                ("retries", h.retries, 1, 10),
                ("startPeriod", h.start_period, 0, 300),
            ];
            for (member, value, low, high) in ranges {
                if let Some(v) = value.filter(|v| !(low..=high).contains(v)) {
                    out.push(broken(
                        "health-check-ranges",
                        format!("containerDefinitions[{i}].healthCheck.{member}"),
                        format!("{member} {v} is outside {low}–{high}"),
                    ));
                }
            }
        }
        if fargate {
            for (j, s) in c.system_controls.iter().enumerate() {
                if !fargate_sysctl(&s.namespace) {
                    out.push(broken(
                        "fargate-sysctls",
                        format!("containerDefinitions[{i}].systemControls[{j}]"),
                        format!("`{}` is not a kernel parameter FARGATE sets", s.namespace),
                    ));
                }
            }
            if let Some(t) = c.stop_timeout.filter(|t| *t > 120) {
                out.push(broken(
                    "fargate-stop-timeout",
                    format!("containerDefinitions[{i}].stopTimeout"),
                    format!("stopTimeout {t} on FARGATE"),
                ));
            }
        }
        for (j, d) in c.depends_on.iter().enumerate() {
            let Some(target) = containers.iter().find(|t| t.name == d.container_name) else {
                continue;
            };
            let path = format!("containerDefinitions[{i}].dependsOn[{j}]");
            match d.condition.as_str() {
                "HEALTHY" if target.health_check.is_none() => out.push(broken(
                    "healthy-needs-health-check",
                    path,
                    format!(
                        "`{}` waits for `{}` to be healthy, and it has no health check",
                        c.name, target.name
                    ),
                )),
                "COMPLETE" | "SUCCESS" if target.essential => out.push(broken(
                    "complete-on-non-essential",
                    path,
                    format!(
                        "`{}` waits for `{}` to exit, and it is essential",
                        c.name, target.name
                    ),
                )),
                _ => {}
            }
        }
    }
    if fargate
        && fargate_size(
            td.cpu.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0),
            td.memory
                .as_deref()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0),
        )
        .is_none_or(|(c, m)| Some(c.to_string()) != td.cpu || Some(m.to_string()) != td.memory)
    {
        out.push(broken(
            "fargate-task-size",
            "cpu".to_owned(),
            format!(
                "cpu {} / memory {} is not a Fargate size",
                td.cpu.as_deref().unwrap_or("none"),
                td.memory.as_deref().unwrap_or("none")
            ),
        ));
    }
    out
}

/// The rules a service or a job's `run-task` input breaks for `td`: an
/// awsvpc task definition needs subnets when it is started.
pub(crate) fn started(
    td: &TaskDefinition,
    service: Option<&ServiceDefinition>,
    job: Option<&RunTask>,
) -> Vec<Broken> {
    let mut out = Vec::new();
    let network = service
        .map(|s| s.network_configuration.is_some())
        .or(job.map(|j| j.network_configuration.is_some()));
    if td.network_mode == "awsvpc" && network == Some(false) {
        out.push(broken(
            "awsvpc-network-configuration",
            "networkConfiguration".to_owned(),
            "an awsvpc task is started without subnets".to_owned(),
        ));
    }
    let vpc = service
        .and_then(|s| s.network_configuration.as_ref())
        .map(|n| &n.awsvpc_configuration)
        .or(job
            .and_then(|j| j.network_configuration.as_ref())
            .map(|n| &n.awsvpc_configuration));
    if let Some(v) = vpc.filter(|v| v.subnets.len() > 16 || v.security_groups.len() > 5) {
        out.push(broken(
            "awsvpc-limits",
            "networkConfiguration.awsvpcConfiguration".to_owned(),
            format!(
                "{} subnets and {} security groups, of at most 16 and 5",
                v.subnets.len(),
                v.security_groups.len()
            ),
        ));
    }
    if let Some(s) = service {
        out.extend(deployment(s));
    }
    out
}

/// The deployment rules a service breaks.
fn deployment(s: &ServiceDefinition) -> Vec<Broken> {
    let mut out = Vec::new();
    let d = &s.deployment_configuration;
    let strategy = d.strategy.as_deref().unwrap_or("ROLLING");
    if strategy != "ROLLING" {
        if s.load_balancers.is_empty() && s.service_connect_configuration.is_none() {
            out.push(broken(
                "traffic-shift-routes",
                "loadBalancers".to_owned(),
                format!("a {strategy} service without a load balancer or Service Connect"),
            ));
        }
        for (i, lb) in s.load_balancers.iter().enumerate() {
            if lb.advanced_configuration.is_none() {
                out.push(broken(
                    "traffic-shift-routes",
                    format!("loadBalancers[{i}].advancedConfiguration"),
                    format!("a {strategy} service's load balancer without a second target group"),
                ));
            }
        }
    }
    if let Some(e) = &d.early_success_criteria {
        let floor = d.minimum_healthy_percent.unwrap_or(100);
        if strategy != "ROLLING" || e.healthy_percent > 100 || e.healthy_percent < floor {
            out.push(broken(
                "early-success-rolling",
                "deploymentConfiguration.earlySuccessCriteria".to_owned(),
                format!(
                    "early success at {} % on a {strategy} service whose minimum healthy percent is {floor}",
                    e.healthy_percent
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn td(json: serde_json::Value) -> TaskDefinition {
        serde_json::from_value(json).unwrap()
    }

    fn ok() -> serde_json::Value {
        serde_json::json!({
            "family": "shop-web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [
                {"name": "web", "image": "app", "essential": true,
                 "portMappings": [{"containerPort": 80, "protocol": "tcp"}]},
                {"name": "envoy", "image": "envoy", "essential": false,
                 "portMappings": [{"containerPort": 9901, "protocol": "tcp"}]}
            ]
        })
    }

    fn broken_ids(v: serde_json::Value) -> Vec<&'static str> {
        task_definition(&td(v))
            .into_iter()
            .map(|b| b.rule)
            .collect()
    }

    #[test]
    fn a_valid_task_breaks_no_rule() {
        assert!(broken_ids(ok()).is_empty());
    }

    #[test]
    fn each_rule_is_broken_by_what_it_says() {
        let mut v = ok();
        v["containerDefinitions"][1]["name"] = "web".into();
        assert_eq!(broken_ids(v), ["unique-container-names"]);

        let mut v = ok();
        v["containerDefinitions"][1]["portMappings"][0]["containerPort"] = 80.into();
        assert_eq!(broken_ids(v), ["unique-container-ports"]);
        // On bridge, two containers may use the same container port.
        let mut v = ok();
        v["networkMode"] = "bridge".into();
        v["requiresCompatibilities"] = serde_json::json!(["EC2"]);
        v["containerDefinitions"][1]["portMappings"][0]["containerPort"] = 80.into();
        assert!(broken_ids(v).is_empty());

        let mut v = ok();
        v["containerDefinitions"][0]["essential"] = false.into();
        assert_eq!(broken_ids(v), ["essential-container"]);

        let mut v = ok();
        let many: Vec<serde_json::Value> = (0..11)
            .map(
                |i| serde_json::json!({"name": format!("c{i}"), "image": "app", "essential": true}),
            )
            .collect();
        v["containerDefinitions"] = many.into();
        assert_eq!(broken_ids(v), ["containers-per-task"]);

        let mut v = ok();
        v["containerDefinitions"][0]["environment"] =
            serde_json::json!([{"name": "BIG", "value": "x".repeat(70_000)}]);
        assert_eq!(broken_ids(v), ["task-definition-size"]);

        let mut v = ok();
        v["containerDefinitions"][0]["healthCheck"] =
            serde_json::json!({"command": ["CMD", "true"], "timeout": 61, "interval": 4});
        assert_eq!(
            broken_ids(v),
            ["health-check-ranges", "health-check-ranges"]
        );

        let mut v = ok();
        v["containerDefinitions"][0]["stopTimeout"] = 121.into();
        assert_eq!(broken_ids(v), ["fargate-stop-timeout"]);

        let mut v = ok();
        v["containerDefinitions"][0]["dependsOn"] =
            serde_json::json!([{"containerName": "envoy", "condition": "HEALTHY"}]);
        assert_eq!(broken_ids(v), ["healthy-needs-health-check"]);

        let mut v = ok();
        v["containerDefinitions"][1]["essential"] = true.into();
        v["containerDefinitions"][0]["dependsOn"] =
            serde_json::json!([{"containerName": "envoy", "condition": "SUCCESS"}]);
        assert_eq!(broken_ids(v), ["complete-on-non-essential"]);

        let mut v = ok();
        v["containerDefinitions"][0]["systemControls"] = serde_json::json!([
            {"namespace": "net.core.somaxconn", "value": "1024"},
            {"namespace": "vm.max_map_count", "value": "262144"}
        ]);
        assert_eq!(broken_ids(v), ["fargate-sysctls"]);

        let mut v = ok();
        v["memory"] = "600".into();
        assert_eq!(broken_ids(v), ["fargate-task-size"]);

        let t = td(ok());
        let svc = ServiceDefinition {
            task_definition: "shop-web".into(),
            ..ServiceDefinition::default()
        };
        assert_eq!(
            started(&t, Some(&svc), None)[0].rule,
            "awsvpc-network-configuration"
        );
        assert!(crate::ecs::rules::rule("awsvpc-network-configuration").is_some());

        let service = |deployment: serde_json::Value| -> ServiceDefinition {
            serde_json::from_value(serde_json::json!({
                "cluster": "prod", "serviceName": "shop-web", "taskDefinition": "shop-web",
                "desiredCount": 2, "launchType": "FARGATE",
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}},
                "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/1", "containerName": "web", "containerPort": 80}],
                "deploymentConfiguration": deployment,
            }))
            .unwrap()
        };
        let ids = |s: ServiceDefinition| -> Vec<&str> {
            started(&t, Some(&s), None)
                .into_iter()
                .map(|b| b.rule)
                .collect()
        };
        let breaker = serde_json::json!({"enable": true, "rollback": true});
        let rolling = service(serde_json::json!({"deploymentCircuitBreaker": breaker}));
        assert!(ids(rolling).is_empty());
        let blue_green = service(
            serde_json::json!({"deploymentCircuitBreaker": breaker, "strategy": "BLUE_GREEN"}),
        );
        assert_eq!(ids(blue_green), ["traffic-shift-routes"]);
        let early = |strategy: &str, healthy: u32| {
            service(
                serde_json::json!({"deploymentCircuitBreaker": breaker, "strategy": strategy,
                "minimumHealthyPercent": 50,
                "earlySuccessCriteria": {"enable": true, "healthyPercent": healthy, "sourceServiceRevisionCleanup": "BLOCKING"}}),
            )
        };
        assert!(ids(early("ROLLING", 50)).is_empty());
        assert_eq!(ids(early("ROLLING", 40)), ["early-success-rolling"]);
        assert_eq!(
            ids(early("CANARY", 60)),
            ["traffic-shift-routes", "early-success-rolling"]
        );
    }
}
