//! The rules ECS enforces server-side when it registers a task definition,
//! creates a service or runs a task — which a schema cannot say and moto
//! does not check — as data: each with the sentence of the ECS
//! documentation it comes from (`docs/ecs-rules.md` is generated from
//! [`ECS_RULES`]). The converter reports most of them where the input causes
//! them, with the key and line; the check stage (`check/rules.rs`) holds
//! every output against them before anything is written.

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
        id: "task-definition-size",
        calls: "RegisterTaskDefinition",
        rule: "a task definition is at most 64 KiB (65,536 bytes of JSON)",
        source: "ECS Developer Guide, \"Amazon ECS service quotas\": \"Task definition size\", \"The maximum size, in KiB, of a task definition\", 64, not adjustable",
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
    use std::collections::BTreeSet;

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
