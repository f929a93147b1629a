//! The ECS output types: exactly the `aws ecs register-task-definition
//! --cli-input-json` input, member names and types as in the ECS API model.
//!
//! Field order is the order of the emitted JSON, and maps are sorted, so the
//! output is byte-for-byte stable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A `RegisterTaskDefinition` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskDefinition {
    /// The family: `<project>-<service>` unless the overlay names it.
    pub family: String,
    /// `awsvpc`, `bridge`, `host` or `none`.
    pub network_mode: String,
    /// `FARGATE`, `EC2` or `EXTERNAL`.
    pub requires_compatibilities: Vec<String>,
    /// Task CPU units, a string of digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Task memory in MiB, a string of digits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// The role ECS uses to pull images, write logs and read secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// The role the application's containers assume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    /// The containers.
    pub container_definitions: Vec<ContainerDefinition>,
}

/// One container of a task definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContainerDefinition {
    /// The container name.
    pub name: String,
    /// The image.
    pub image: String,
    /// Whether the task stops when this container stops.
    pub essential: bool,
    /// CPU units reserved for the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Hard memory limit, MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Soft memory limit, MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<u64>,
    /// The entry point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<Vec<String>>,
    /// The command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
    /// The user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Environment variables, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub environment: Vec<KeyValuePair>,
    /// Ports.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub port_mappings: Vec<PortMapping>,
    /// The health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Start-up order inside the task.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<ContainerDependency>,
    /// Docker labels, sorted.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub docker_labels: BTreeMap<String, String>,
    /// Where the logs go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_configuration: Option<LogConfiguration>,
}

/// `{name, value}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KeyValuePair {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl KeyValuePair {
    /// A new pair.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        KeyValuePair {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A port mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PortMapping {
    /// The container port (absent for a range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_port: Option<u16>,
    /// The host port; left out on `awsvpc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// A range of container ports, `"8000-8010"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_port_range: Option<String>,
}

/// A container health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HealthCheck {
    /// `["CMD", …]` or `["CMD-SHELL", "…"]`.
    pub command: Vec<String>,
    /// Seconds between checks (5–300).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<u32>,
    /// Seconds before a check fails (2–120).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// Failures before unhealthy (1–10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// Grace period in seconds (0–300).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<u32>,
}

/// A start-up dependency on another container of the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ContainerDependency {
    /// The container depended on.
    pub container_name: String,
    /// `START`, `COMPLETE`, `SUCCESS` or `HEALTHY`.
    pub condition: String,
}

/// Log routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogConfiguration {
    /// The log driver, `awslogs`.
    pub log_driver: String,
    /// Driver options, sorted.
    pub options: BTreeMap<String, String>,
}
