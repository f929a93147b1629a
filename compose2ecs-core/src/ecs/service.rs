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
    /// `FARGATE`, `EC2` or `EXTERNAL`.
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
}

/// `deploymentCircuitBreaker`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct DeploymentCircuitBreaker {
    /// On.
    pub enable: bool,
    /// Roll back when it trips.
    pub rollback: bool,
}
