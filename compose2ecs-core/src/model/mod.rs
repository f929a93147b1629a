//! Stage 3, **model**: the interpolated, merged compose tree read into typed,
//! ECS-agnostic services.
//!
//! Every key of a service is looked at once, here: read into a typed field, or
//! reported. Each typed field keeps the location it came from, so the
//! converter's diagnostics point at the user's line.

mod checks;
mod deploy;
mod health;
mod mounts;
mod ports;
mod project;
mod read;
mod service;
mod settings;
pub mod support;

pub use mounts::{DeviceMapping, TmpfsMount, UlimitSetting, VolumeMount};
pub(crate) use ports::parse_short_port;
pub(crate) use project::build_project;
pub use project::normalize_project_name;
pub(crate) use service::env_files;
pub use settings::{
    DeviceRequest, GpuCount, Namespace, Setting, Sharing, UpdateConfig, VolumesFrom,
};

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;

use crate::diagnostic::Location;
use crate::load::interpolate::Environment;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// The compose project after loading, interpolation and merging.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Project {
    /// The project name.
    pub name: String,
    /// The active services, in file order.
    pub services: IndexMap<String, Service>,
    /// Where `services:` is (the file's start when there is none).
    pub services_loc: Location,
    /// Services left out because their profiles are not active.
    pub inactive_services: Vec<String>,
    /// Top-level `volumes`, by name, with where each is defined.
    pub volumes: IndexMap<String, Location>,
    /// Top-level `secrets`, by name, with where each is defined. Only the
    /// names: a secret's file or value is never read.
    pub secrets: IndexMap<String, Location>,
    /// The `x-aws-*` and `x-ecs*` extensions of Docker's retired ECS
    /// integration, top level and of active services, read into the
    /// overlay (`overlay/docker_ecs.rs`).
    pub(crate) aws_extensions: Vec<AwsExtension>,
}

impl Project {
    /// The value of a top-level extension of Docker's ECS integration, as
    /// written (interpolated), when it is a string: `x-aws-vpc` gives the
    /// VPC whose subnets `compose2ecs init` looks up.
    ///
    /// ```
    /// let input = compose2ecs_core::Input::from_yaml(
    ///     "name: shop\nx-aws-vpc: vpc-0abc\nservices:\n  web:\n    image: nginx:1.27\n",
    /// );
    /// let (project, _) = compose2ecs_core::load(&input, &Default::default()).unwrap();
    /// assert_eq!(project.docker_ecs_extension("x-aws-vpc"), Some("vpc-0abc"));
    /// assert_eq!(project.docker_ecs_extension("x-aws-cluster"), None);
    /// ```
    #[must_use]
    pub fn docker_ecs_extension(&self, key: &str) -> Option<&str> {
        self.aws_extensions
            .iter()
            .find(|e| e.service.is_none() && e.key == key)
            .and_then(|e| e.value.as_str())
    }
}

/// One `x-aws-*` (or `x-ecs*`) key as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AwsExtension {
    /// The service it is written under; `None` at the top level.
    pub service: Option<String>,
    /// The key, such as `x-aws-cluster`.
    pub key: String,
    /// Where the key is.
    pub key_loc: Location,
    /// Its value, interpolated.
    pub value: crate::load::yaml::Node,
}

/// A service's use of a compose secret.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SecretRef {
    /// The compose secret.
    pub source: String,
    /// The long syntax's `target`, when given.
    pub target: Option<String>,
    /// The long syntax's `uid`, `gid` and `mode` (as written), when given,
    /// each with where its key is.
    pub owner: Vec<(String, String, Location)>,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// A port or a range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port (equal to `start` for a single port).
    pub end: u16,
}

impl PortRange {
    /// Whether this is more than one port.
    pub fn is_range(self) -> bool {
        self.end != self.start
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_range() {
            write!(f, "{}-{}", self.start, self.end)
        } else {
            write!(f, "{}", self.start)
        }
    }
}

/// One entry of `ports` or `expose`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Port {
    /// The container port(s).
    pub target: PortRange,
    /// The published host port(s), when given.
    pub published: Option<PortRange>,
    /// The host IP, when given.
    pub host_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// `name` (long syntax).
    pub name: Option<String>,
    /// `app_protocol` (long syntax).
    pub app_protocol: Option<String>,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// A health check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Healthcheck {
    /// The test, normalised to `["CMD", …]` / `["CMD-SHELL", …]`; `None` when
    /// the check is disabled.
    pub test: Option<Vec<String>>,
    /// Seconds.
    pub interval: Option<Spanned<u64>>,
    /// Seconds.
    pub timeout: Option<Spanned<u64>>,
    /// Count.
    pub retries: Option<Spanned<u64>>,
    /// Seconds.
    pub start_period: Option<Spanned<u64>>,
    /// Where the health check is.
    pub loc: Location,
}

/// A `depends_on` entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Dependency {
    /// The service depended on.
    pub service: String,
    /// `service_started`, `service_healthy` or `service_completed_successfully`.
    pub condition: String,
    /// Whether compose requires it (`required: false` tolerates its absence).
    pub required: bool,
    /// Added by docker compose's rules, not written under `depends_on`:
    /// `volumes_from`, `links`, `network_mode`/`ipc`/`pid: service:…`.
    pub implied: bool,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// `logging`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Logging {
    /// The driver, when given.
    pub driver: Option<String>,
    /// Driver options.
    pub options: BTreeMap<String, String>,
    /// Where.
    pub loc: Location,
}

/// An environment variable with its value and where it was defined.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EnvVar {
    /// The value.
    pub value: String,
    /// Where.
    pub loc: Location,
}

/// One compose service, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Service {
    /// The service name.
    pub name: String,
    /// Where the service is defined.
    pub loc: Location,
    /// `image`.
    pub image: Option<Spanned<String>>,
    /// Where `build` is, when the service has one.
    pub build: Option<Location>,
    /// `container_name`.
    pub container_name: Option<Spanned<String>>,
    /// `command`, split into words.
    pub command: Option<Vec<String>>,
    /// `entrypoint`, split into words.
    pub entrypoint: Option<Vec<String>>,
    /// `env_file` then `environment`, merged (`environment` wins).
    pub environment: BTreeMap<String, EnvVar>,
    /// `ports` then `expose`.
    pub ports: Vec<Port>,
    /// `healthcheck`.
    pub healthcheck: Option<Healthcheck>,
    /// `depends_on`.
    pub depends_on: Vec<Dependency>,
    /// CPU units: `deploy.resources.limits.cpus`, else `cpus`.
    pub cpu_limit: Option<Spanned<u32>>,
    /// CPU units: `deploy.resources.reservations.cpus`.
    pub cpu_reservation: Option<Spanned<u32>>,
    /// MiB: `deploy.resources.limits.memory`, else `mem_limit`.
    pub memory_limit: Option<Spanned<u64>>,
    /// MiB: `deploy.resources.reservations.memory`, else `mem_reservation`.
    pub memory_reservation: Option<Spanned<u64>>,
    /// `deploy.replicas`, else `scale`.
    pub replicas: Option<Spanned<u32>>,
    /// `labels`.
    pub labels: BTreeMap<String, String>,
    /// `working_dir`.
    pub working_dir: Option<String>,
    /// `user`.
    pub user: Option<String>,
    /// `logging`.
    pub logging: Option<Logging>,
    /// `profiles`.
    pub profiles: Vec<String>,
    /// `cpu_shares`, in CPU units (when `cpus` is not set).
    pub cpu_shares: Option<Spanned<u32>>,
    /// `secrets`: the compose secrets the service uses.
    pub secrets: Vec<SecretRef>,
    /// `restart` as written (`no`, `always`, `on-failure[:N]`,
    /// `unless-stopped`); without it, `deploy.restart_policy.condition`
    /// (`none`, `on-failure`, `any`), as docker compose chooses.
    pub restart: Option<Spanned<String>>,
    /// The keys whose conversion (or whether they are allowed) depends on
    /// the launch type: `privileged`, `volumes`, `deploy.placement`, … (see
    /// [`crate::model::support`]), read, in file order so that the
    /// converter reports them in the order they were written. Nested keys
    /// are dotted (`deploy.update_config`).
    pub others: Vec<OtherKey>,
}

impl Service {
    /// Whether compose runs the service once: `restart: "no"` or
    /// `deploy.restart_policy.condition: none`, written out (docker's default
    /// is `no` too, but a service that says nothing is taken for a server).
    pub fn runs_once(&self) -> bool {
        self.restart
            .as_ref()
            .is_some_and(|r| matches!(r.value.as_str(), "no" | "none"))
    }
}

/// A key whose conversion depends on the launch type or the network mode,
/// read.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OtherKey {
    /// The key, dotted below the service for nested keys.
    pub key: String,
    /// What it says.
    pub setting: Setting,
    /// Where its value is.
    pub loc: Location,
    /// Where the key is.
    pub key_loc: Location,
    /// The key path (`services.web.privileged`).
    pub path: String,
}

impl Service {
    /// A launch-type-dependent key, when the service has it.
    pub fn other(&self, key: &str) -> Option<&OtherKey> {
        self.others.iter().find(|o| o.key == key)
    }
}

/// What the model stage needs besides the tree.
#[derive(Debug)]
pub(crate) struct ModelContext<'a> {
    pub input: &'a crate::load::input::Input,
    pub env: &'a Environment,
    pub project_dir: &'a Path,
    pub project_name: Option<&'a str>,
    pub profiles: &'a [String],
    /// Whether the project-wide checks run (see `Options`).
    pub consistency_check: bool,
}
