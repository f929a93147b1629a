//! The `aws ecs register-task-definition --cli-input-json` input: member
//! names and types as in the ECS API model.

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
    /// `host` or `task` (from compose `pid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid_mode: Option<String>,
    /// `host`, `task` or `none` (from compose `ipc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc_mode: Option<String>,
    /// CPU architecture and operating system (from compose `platform`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_platform: Option<RuntimePlatform>,
    /// The containers.
    pub container_definitions: Vec<ContainerDefinition>,
    /// Data volumes the containers mount, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub volumes: Vec<Volume>,
    /// The tags of the task definition (`compose2ecs:project`, …).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<Tag>,
    /// FARGATE: more than the 20 GiB of ephemeral storage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<EphemeralStorage>,
}

/// `ephemeralStorage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct EphemeralStorage {
    /// GiB, 21–200.
    #[serde(rename = "sizeInGiB")]
    pub size_in_gib: u32,
}

/// One `capacityProviderStrategy` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CapacityProviderStrategyItem {
    /// `FARGATE`, `FARGATE_SPOT`, or the cluster's own.
    pub capacity_provider: String,
    /// Share of the tasks beyond the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// Tasks it runs first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<u32>,
}

/// The tag naming the compose project on every resource compose2ecs makes
/// (what `down` and cost reports find them by).
pub const PROJECT_TAG: &str = "compose2ecs:project";
/// The tag naming the compose service that owns the task.
pub const SERVICE_TAG: &str = "compose2ecs:service";

/// `repositoryCredentials`: a private registry's login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepositoryCredentials {
    /// The ARN of the Secrets Manager secret holding `username` and
    /// `password`.
    pub credentials_parameter: String,
}

/// A resource tag, `{key, value}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tag {
    /// The key, such as `compose2ecs:project`.
    pub key: String,
    /// The value.
    pub value: String,
}

/// `runtimePlatform`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RuntimePlatform {
    /// `X86_64` or `ARM64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_architecture: Option<String>,
    /// `LINUX`, `WINDOWS_SERVER_2022_CORE`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system_family: Option<String>,
}

/// A task data volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Volume {
    /// The name mount points refer to.
    pub name: String,
    /// A path on the container instance (EC2, EXTERNAL); without it (and
    /// without EFS) the volume lives as long as the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<HostVolume>,
    /// An Amazon EFS file system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efs_volume_configuration: Option<EfsVolumeConfiguration>,
}

/// `efsVolumeConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EfsVolumeConfiguration {
    /// `fs-…`.
    pub file_system_id: String,
    /// The directory mounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_directory: Option<String>,
    /// `ENABLED` or `DISABLED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transit_encryption: Option<String>,
    /// Access point and IAM authorisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_config: Option<EfsAuthorizationConfig>,
}

/// `authorizationConfig` of an EFS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EfsAuthorizationConfig {
    /// `fsap-…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_point_id: Option<String>,
    /// `ENABLED` to use the task role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam: Option<String>,
}

/// `{name, valueFrom}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Secret {
    /// The environment variable.
    pub name: String,
    /// The Secrets Manager or SSM Parameter Store ARN (or parameter name).
    pub value_from: String,
}

/// `host` of a volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HostVolume {
    /// The path on the host.
    pub source_path: String,
}

/// A volume mounted into a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MountPoint {
    /// The task volume.
    pub source_volume: String,
    /// Where it is mounted.
    pub container_path: String,
    /// Read-only.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub read_only: bool,
}

/// Volumes of another container of the task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VolumeFrom {
    /// The other container.
    pub source_container: String,
    /// Read-only.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub read_only: bool,
}

/// `linuxParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinuxParameters {
    /// Capabilities added and dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// Host devices.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub devices: Vec<Device>,
    /// Run an init process (tini) as PID 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_process_enabled: Option<bool>,
    /// `/dev/shm` in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_memory_size: Option<u64>,
    /// tmpfs mounts.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tmpfs: Vec<Tmpfs>,
    /// Swap in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_swap: Option<i64>,
    /// 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swappiness: Option<u8>,
}

impl LinuxParameters {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == LinuxParameters::default()
    }
}

/// Linux capabilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// Added.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub add: Vec<String>,
    /// Dropped.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub drop: Vec<String>,
}

/// A host device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Device {
    /// On the host.
    pub host_path: String,
    /// In the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_path: Option<String>,
    /// `read`, `write`, `mknod`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub permissions: Vec<String>,
}

/// A tmpfs mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tmpfs {
    /// Where.
    pub container_path: String,
    /// MiB.
    pub size: u64,
    /// Mount options.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub mount_options: Vec<String>,
}

/// `{hostname, ipAddress}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HostEntry {
    /// The name.
    pub hostname: String,
    /// The address.
    pub ip_address: String,
}

/// A ulimit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Ulimit {
    /// `nofile`, `nproc`, …
    pub name: String,
    /// Soft.
    pub soft_limit: i64,
    /// Hard.
    pub hard_limit: i64,
}

/// A namespaced kernel parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemControl {
    /// `net.core.somaxconn`.
    pub namespace: String,
    /// Its value.
    pub value: String,
}

/// `{type: GPU, value: "1"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceRequirement {
    /// `GPU`.
    #[serde(rename = "type")]
    pub kind: String,
    /// How many.
    pub value: String,
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
    /// The Secrets Manager secret with the registry login, for an image
    /// outside ECR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_credentials: Option<RepositoryCredentials>,
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
    /// Secrets, sorted by name: environment variables ECS fills from Secrets
    /// Manager or SSM Parameter Store when the container starts.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub secrets: Vec<Secret>,
    /// Ports.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub port_mappings: Vec<PortMapping>,
    /// The health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Start-up order inside the task.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<ContainerDependency>,
    /// Volumes mounted.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub mount_points: Vec<MountPoint>,
    /// Volumes of other containers of the task.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub volumes_from: Vec<VolumeFrom>,
    /// Capabilities, devices, init, shared memory, tmpfs, swap.
    #[serde(skip_serializing_if = "LinuxParameters::is_empty", default)]
    pub linux_parameters: LinuxParameters,
    /// Privileged mode (not on Fargate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// A read-only root file system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readonly_root_filesystem: Option<bool>,
    /// Seconds to wait after SIGTERM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_timeout: Option<u32>,
    /// Keep stdin open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interactive: Option<bool>,
    /// Allocate a TTY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudo_terminal: Option<bool>,
    /// The hostname (not with awsvpc).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// DNS servers.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dns_servers: Vec<String>,
    /// DNS search domains.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dns_search_domains: Vec<String>,
    /// `/etc/hosts` entries (not with awsvpc).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub extra_hosts: Vec<HostEntry>,
    /// SELinux, AppArmor, seccomp labels (not on Fargate).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub docker_security_options: Vec<String>,
    /// Resource limits.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ulimits: Vec<Ulimit>,
    /// Kernel parameters.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub system_controls: Vec<SystemControl>,
    /// GPUs.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub resource_requirements: Vec<ResourceRequirement>,
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
    /// The port's name (Service Connect refers to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `http`, `http2` or `grpc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
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
