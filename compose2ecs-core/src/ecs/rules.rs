//! The rules ECS enforces server-side when it registers a task definition,
//! creates a service or runs a task — which a schema cannot say and moto
//! does not check — each with the sentence of the ECS documentation it comes
//! from, and the check of an output against it. The converter reports most
//! of them where the input causes them, with the key and line; these checks
//! run on every output before anything is written, so that no output breaks
//! one (`docs/ecs-rules.md` is generated from [`ECS_RULES`]).

use std::collections::BTreeSet;

use super::{RunTask, ServiceDefinition, TaskDefinition};

/// One server-side rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EcsRule {
    /// A stable name.
    pub id: &'static str,
    /// The API calls that refuse a request breaking it.
    pub calls: &'static str,
    /// The rule, as compose2ecs checks it.
    pub rule: &'static str,
    /// Where it comes from, quoted.
    pub source: &'static str,
    /// The diagnostic code that reports it where the input causes it.
    pub reported_as: &'static str,
}

/// Every server-side rule compose2ecs checks.
pub const ECS_RULES: &[EcsRule] = &[
    EcsRule {
        id: "execution-role",
        calls: "RegisterTaskDefinition, RunTask, CreateService",
        rule: "a task that reads secrets (any launch type), or that sends awslogs logs or pulls from a private ECR repository on FARGATE or EXTERNAL, has an execution role",
        source: "ECS Developer Guide, \"Amazon ECS task execution IAM role\": the role is needed to \"pull a container image from an Amazon ECR private repository\", \"send container logs to CloudWatch Logs using the awslogs log driver\" and when \"the task definition is referencing sensitive data using Secrets Manager secrets or AWS Systems Manager Parameter Store parameters\"",
        reported_as: "missing-execution-role",
    },
    EcsRule {
        id: "health-check-ranges",
        calls: "RegisterTaskDefinition",
        rule: "a health check's interval is 5–300 s, its timeout 2–60 s, its retries 1–10 and its start period 0–300 s",
        source: "API reference, HealthCheck: \"You may specify between 5 and 300 seconds\" (interval), \"You may specify between 2 and 60 seconds\" (timeout), \"You may specify between 1 and 10 retries\", \"You can specify between 0 and 300 seconds\" (startPeriod)",
        reported_as: "value-clamped",
    },
    EcsRule {
        id: "fargate-stop-timeout",
        calls: "RegisterTaskDefinition",
        rule: "on FARGATE, a container's stopTimeout is at most 120 s",
        source: "API reference, ContainerDefinition.stopTimeout: \"For tasks that use the Fargate launch type, the max stop timeout value is 120 seconds\"",
        reported_as: "value-clamped",
    },
    EcsRule {
        id: "containers-per-task",
        calls: "RegisterTaskDefinition",
        rule: "a task definition has at most 10 containers",
        source: "ECS Developer Guide, \"Amazon ECS service quotas\": \"Containers per task definition\", 10, not adjustable",
        reported_as: "ecs-rule",
    },
    EcsRule {
        id: "unique-container-names",
        calls: "RegisterTaskDefinition",
        rule: "the containers of a task definition have different names",
        source: "API reference, ContainerDefinition.name: the name by which \"the name of one container can be entered in the links of another container\", and by which dependsOn, volumesFrom and load balancers name it",
        reported_as: "ecs-rule",
    },
    EcsRule {
        id: "unique-container-ports",
        calls: "RegisterTaskDefinition",
        rule: "with awsvpc or host networking, a container port and protocol is mapped once in the task: its containers share one network interface",
        source: "API reference, PortMapping.containerPort: \"If you use containers in a task with the awsvpc or host network mode, specify the exposed ports using containerPort\"; ContainerDefinition.portMappings: \"the hostPort can be left blank or it must be the same value as the containerPort\"",
        reported_as: "ecs-rule",
    },
    EcsRule {
        id: "essential-container",
        calls: "RegisterTaskDefinition",
        rule: "a task has at least one essential container",
        source: "API reference, ContainerDefinition.essential: \"All tasks must have at least one essential container.\"",
        reported_as: "ecs-rule",
    },
    EcsRule {
        id: "healthy-needs-health-check",
        calls: "RegisterTaskDefinition",
        rule: "a HEALTHY dependency is on a container with a health check",
        source: "API reference, ContainerDependency.condition: \"HEALTHY - … This requires that the dependent container has health checks configured.\"",
        reported_as: "dependency-without-healthcheck",
    },
    EcsRule {
        id: "complete-on-non-essential",
        calls: "RegisterTaskDefinition",
        rule: "a COMPLETE or SUCCESS dependency is on a container that is not essential",
        source: "API reference, ContainerDependency.condition: \"COMPLETE - … This condition can't be set on an essential container.\" (and the same of SUCCESS)",
        reported_as: "incompatible-setting",
    },
    EcsRule {
        id: "fargate-sysctls",
        calls: "RegisterTaskDefinition",
        rule: "on FARGATE, systemControls sets only kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.* and net.*",
        source: "ECS Developer Guide, \"Amazon ECS task definition parameters for Fargate\", systemControls: on Fargate the namespaced kernel parameters supported are these IPC ones, the fs.mqueue.* sysctls and the network namespace's net.* sysctls",
        reported_as: "launch-type-unsupported (a warning: the parameter is dropped)",
    },
    EcsRule {
        id: "awsvpc-network-configuration",
        calls: "CreateService, RunTask",
        rule: "a service or task of an awsvpc task definition has a network configuration (subnets)",
        source: "API reference, CreateServiceRequest.networkConfiguration and RunTaskRequest.networkConfiguration: \"This parameter is required for task definitions that use the awsvpc network mode to receive their own elastic network interface\"",
        reported_as: "missing-network (and `deploy`/`run` refuse before any call)",
    },
    EcsRule {
        id: "awsvpc-limits",
        calls: "CreateService, UpdateService, RunTask",
        rule: "an awsvpc network configuration names at most 16 subnets and at most 5 security groups",
        source: "API reference, AwsVpcConfiguration: \"There's a limit of 16 subnets that can be specified\" and \"There's a limit of 5 security groups that can be specified\"",
        reported_as: "ecs-rule (and `deploy` refuses a VPC of more than 16 subnets when it looks them up)",
    },
    EcsRule {
        id: "fargate-task-size",
        calls: "RegisterTaskDefinition",
        rule: "a FARGATE task has one of the Fargate cpu/memory pairs",
        source: "API reference, RegisterTaskDefinitionRequest.memory: \"If using the Fargate launch type, this field is required and you must use one of the following values\"",
        reported_as: "task-size-rounded, invalid-task-size",
    },
    EcsRule {
        id: "traffic-shift-routes",
        calls: "CreateService, UpdateService",
        rule: "a BLUE_GREEN, LINEAR or CANARY service has Service Connect or a load balancer, and each load balancer has an advancedConfiguration (alternate target group, production listener rule, role)",
        source: "ECS Developer Guide, \"Amazon ECS blue/green deployments\": they require \"an Application Load Balancer, Network Load Balancer, or Service Connect\"; API reference, AdvancedConfiguration: \"The advanced settings for the load balancer used in blue/green deployments\", its alternateTargetGroupArn, productionListenerRule and roleArn",
        reported_as: "incompatible-setting",
    },
    EcsRule {
        id: "early-success-rolling",
        calls: "CreateService, UpdateService",
        rule: "earlySuccessCriteria is on a ROLLING service, with a healthyPercent from the minimumHealthyPercent to 100",
        source: "API reference, DeploymentEarlySuccessCriteria: \"You can use early success criteria only with rolling deployment strategy\"; healthyPercent: \"must be an integer between 0 and 100. This value must be greater than or equal to the minimumHealthyPercent value\"",
        reported_as: "incompatible-setting",
    },
];

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
        && super::fargate_size(
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

/// Whether FARGATE sets this kernel parameter (rule `fargate-sysctls`).
pub(crate) fn fargate_sysctl(name: &str) -> bool {
    matches!(
        name,
        "kernel.msgmax"
            | "kernel.msgmnb"
            | "kernel.msgmni"
            | "kernel.sem"
            | "kernel.shmall"
            | "kernel.shmmax"
            | "kernel.shmmni"
            | "kernel.shm_rmid_forced"
    ) || name.starts_with("fs.mqueue.")
        || name.starts_with("net.")
}

/// The rule of this id.
pub(crate) fn rule(id: &str) -> Option<&'static EcsRule> {
    ECS_RULES.iter().find(|r| r.id == id)
}

/// The rules table as Markdown, for `docs/ecs-rules.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# The rules ECS enforces that moto does not\n\n\
         Generated from `compose2ecs-core/src/ecs/rules.rs` (`COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core` rewrites it).\n\n\
         `RegisterTaskDefinition`, `CreateService` and `RunTask` refuse requests that break these rules on the server; moto, and the JSON Schema of the API model, accept them. compose2ecs reports each where the input causes it (the code on the right, with the key and the line), and checks every output against all of them before anything is written: breaking one is an error (`ecs-rule` when nothing earlier said so).\n\n\
         | rule | refused by | what compose2ecs checks | source | reported as |\n|---|---|---|---|---|\n",
    );
    for r in ECS_RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}` |\n",
            r.id,
            r.calls,
            r.rule,
            r.source.replace('|', "\\|"),
            r.reported_as
        ));
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
        assert!(rule("awsvpc-network-configuration").is_some());

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

    #[test]
    fn every_rule_is_sourced_and_its_id_is_unique() {
        let ids: BTreeSet<&str> = ECS_RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), ECS_RULES.len());
        for r in ECS_RULES {
            assert!(!r.source.is_empty() && !r.rule.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn the_rules_page_is_the_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ecs-rules.md");
        let want = markdown();
        if std::env::var_os("COMPOSE2ECS_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/ecs-rules.md is stale; regenerate it with COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core"
        );
    }
}
