//! The `aws ecs create-service --cli-input-json` input.

use serde::{Deserialize, Serialize};

/// A `CreateService` request: exactly the `aws ecs create-service
/// --cli-input-json` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceDefinition {
    /// The cluster; default the account's `default` cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The service's name: the task definition's family.
    pub service_name: String,
    /// The family (its latest revision).
    pub task_definition: String,
    /// Tasks kept running.
    pub desired_count: u32,
    /// `FARGATE`, `EC2` or `EXTERNAL`; empty (left out) with a capacity
    /// provider strategy, which ECS takes instead.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub launch_type: String,
    /// Target groups.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub load_balancers: Vec<ServiceLoadBalancer>,
    /// Seconds to ignore failing load balancer health checks after a start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_grace_period_seconds: Option<u32>,
    /// The awsvpc network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<NetworkConfiguration>,
    /// Service Connect: compose service names that resolve on ECS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_connect_configuration: Option<ServiceConnectConfiguration>,
    /// Rolling update settings and the circuit breaker.
    pub deployment_configuration: DeploymentConfiguration,
    /// The service's tags.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<super::Tag>,
    /// `SERVICE`: its tasks carry the service's tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate_tags: Option<String>,
    /// ECS Exec (`compose2ecs exec`) into its tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_execute_command: Option<bool>,
    /// Capacity providers, in place of the launch type.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub capacity_provider_strategy: Vec<super::CapacityProviderStrategyItem>,
    /// FARGATE's platform version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
}

/// A target group of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceLoadBalancer {
    /// The target group.
    pub target_group_arn: String,
    /// The container receiving traffic.
    pub container_name: String,
    /// Its port.
    pub container_port: u16,
    /// The second target group and the listener rules of a blue/green,
    /// linear or canary deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advanced_configuration: Option<AdvancedConfiguration>,
}

/// `advancedConfiguration` of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdvancedConfiguration {
    /// The target group the new revision's tasks register with.
    pub alternate_target_group_arn: String,
    /// The listener rule that routes production traffic.
    pub production_listener_rule: String,
    /// The listener rule that routes test traffic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_listener_rule: Option<String>,
    /// The role ECS shifts traffic with.
    pub role_arn: String,
}

/// `networkConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NetworkConfiguration {
    /// `awsvpcConfiguration`.
    pub awsvpc_configuration: AwsVpcConfiguration,
}

/// Subnets, security groups and the public IP of awsvpc tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AwsVpcConfiguration {
    /// Subnet IDs.
    pub subnets: Vec<String>,
    /// Security group IDs.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub assign_public_ip: String,
}

/// `serviceConnectConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceConnectConfiguration {
    /// On.
    pub enabled: bool,
    /// The Cloud Map namespace.
    pub namespace: String,
    /// The ports other services reach, by name.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub services: Vec<ServiceConnectService>,
}

/// One port published through Service Connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceConnectService {
    /// The `name` of a port mapping of the task.
    pub port_name: String,
    /// The name registered in the namespace.
    pub discovery_name: String,
    /// The names (and ports) clients use.
    pub client_aliases: Vec<ServiceConnectClientAlias>,
}

/// `{port, dnsName}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServiceConnectClientAlias {
    /// The port clients connect to.
    pub port: u16,
    /// The name clients connect to.
    pub dns_name: String,
}

/// `deploymentConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeploymentConfiguration {
    /// Roll back a deployment whose tasks keep failing.
    pub deployment_circuit_breaker: DeploymentCircuitBreaker,
    /// Upper limit of running tasks during a deployment, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_percent: Option<u32>,
    /// Lower limit of healthy tasks during a deployment, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_healthy_percent: Option<u32>,
    /// `ROLLING`, `BLUE_GREEN`, `LINEAR` or `CANARY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// Minutes both revisions run after the traffic has moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bake_time_in_minutes: Option<u32>,
    /// A canary deployment's first step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_configuration: Option<CanaryConfiguration>,
    /// A linear deployment's steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear_configuration: Option<LinearConfiguration>,
    /// CloudWatch alarms that stop (and roll back) a deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarms: Option<DeploymentAlarms>,
    /// Lambda functions run at the deployment's stages.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub lifecycle_hooks: Vec<LifecycleHook>,
    /// When a rolling deployment counts as done early.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub early_success_criteria: Option<EarlySuccessCriteria>,
}

/// `canaryConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CanaryConfiguration {
    /// Percent of the traffic the new revision gets first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_percent: Option<u32>,
    /// Minutes before the rest moves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_bake_time_in_minutes: Option<u32>,
}

/// `linearConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinearConfiguration {
    /// Percent of the traffic moved per step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_percent: Option<u32>,
    /// Minutes between two steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_bake_time_in_minutes: Option<u32>,
}

/// `alarms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeploymentAlarms {
    /// The alarms.
    pub alarm_names: Vec<String>,
    /// On.
    pub enable: bool,
    /// Roll back when one goes off.
    pub rollback: bool,
}

/// One of `lifecycleHooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LifecycleHook {
    /// The Lambda function.
    pub hook_target_arn: String,
    /// The role ECS calls it with.
    pub role_arn: String,
    /// When: `PRE_SCALE_UP`, `POST_TEST_TRAFFIC_SHIFT`, ….
    pub lifecycle_stages: Vec<String>,
}

/// `deploymentCircuitBreaker`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeploymentCircuitBreaker {
    /// On.
    pub enable: bool,
    /// Roll back when it trips.
    pub rollback: bool,
    /// Whether a healthy task resets the failure count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_on_healthy_task: Option<bool>,
    /// When it trips.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_configuration: Option<ThresholdConfiguration>,
}

/// `thresholdConfiguration`: `{type: COUNT|BOUNDED_PERCENT|UNBOUNDED_PERCENT, value}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct ThresholdConfiguration {
    /// `COUNT`, `BOUNDED_PERCENT` or `UNBOUNDED_PERCENT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The count, or the percent of the desired count.
    pub value: u32,
}

/// `earlySuccessCriteria`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EarlySuccessCriteria {
    /// On.
    pub enable: bool,
    /// Percent of the desired count that must be healthy.
    pub healthy_percent: u32,
    /// `BLOCKING` or `DEFERRED`.
    pub source_service_revision_cleanup: String,
}
