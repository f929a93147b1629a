//! Stage 4, **overlay**: `compose2ecs.yaml`, what only AWS knows.
//!
//! The overlay is our format, so it is strict: an unknown key is an error with
//! its file:line and the closest valid key. It is interpolated like compose.

pub(crate) mod de;
mod deployment;
pub(crate) mod docker_ecs;
mod effective;
mod shape;

pub(crate) use effective::{effective, merged};

pub use deployment::*;

pub use docker_ecs::DOCKER_ECS_EXTENSIONS;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::interpolate::{Environment, interpolate_values};
use crate::load::merge::{OVERRIDE, RESET};
use crate::load::yaml::{Node, Value};
use crate::overlay::de::from_node;

pub use crate::ecs::{LaunchType, NetworkMode};

/// Existing IAM roles, by ARN. compose2ecs never creates roles.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Roles {
    /// The task execution role: ECR pulls, logs, secrets.
    pub execution: Option<String>,
    /// The task role: what the application may call.
    pub task: Option<String>,
    /// The role EventBridge Scheduler starts scheduled tasks with (it needs
    /// `ecs:RunTask` on the task definitions and `iam:PassRole` on the
    /// execution and task roles; `compose2ecs policy --scheduler` prints it).
    /// Required when a service has a `schedule`.
    pub scheduler: Option<String>,
}

/// The awslogs settings of every container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Logs {
    /// The log group; placeholders `{project}`, `{service}`, `{family}`,
    /// `{container}`. Default `/ecs/{family}`.
    pub group: Option<String>,
    /// The region; default the top-level `region`.
    pub region: Option<String>,
    /// The stream prefix; default `ecs`.
    pub stream_prefix: Option<String>,
    /// Whether the awslogs driver creates the group (`awslogs-create-group`);
    /// in the CloudFormation target, the stack creates it.
    pub create_group: Option<bool>,
    /// Days the log groups the stack creates keep their events (with
    /// `create_group`, CloudFormation target): 1, 3, 5, 7, 14, 30, 60, 90,
    /// 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288
    /// or 3653; default forever.
    pub retention_days: Option<u32>,
}

/// Where images of build-only services are pushed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Images {
    /// The registry, such as `123456789012.dkr.ecr.us-east-1.amazonaws.com`.
    pub registry: Option<String>,
    /// The tag; default `latest`.
    pub tag: Option<String>,
    /// Whether `compose2ecs push` creates ECR repositories that scan each
    /// image on push; default true.
    pub scan_on_push: Option<bool>,
    /// Whether the ECR repositories `compose2ecs push` creates refuse to
    /// overwrite a tag (`IMMUTABLE`); default false (`latest` is pushed
    /// again and again).
    pub immutable_tags: Option<bool>,
    /// Whether `deploy --build` runs the pushed images by digest
    /// (`<repository>@sha256:…`: a deployment runs exactly what was built,
    /// and a rollback is a revision); default true. False keeps the tags.
    pub pin_digests: Option<bool>,
}

/// Compose secrets as files on ECS, which hands secrets over as environment
/// variables only: a small init container receives them and writes each to
/// a task volume that the containers using it mount read-only at
/// `/run/secrets` (docs/secrets.md).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SecretFiles {
    /// The init container's image: it needs `sh`, `printf`, `chmod` and
    /// `chown`. Default `public.ecr.aws/docker/library/busybox:1.37`
    /// (public, so pulling it needs no credentials).
    pub image: Option<String>,
    /// Compose secrets handed over as environment variables instead of files
    /// (named as the long syntax's `target` when it is a variable name, else
    /// the secret's name in upper case).
    #[serde(default)]
    pub as_environment: Vec<String>,
}

/// Settings of one task, keyed by the compose service it is named after.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ServiceOverlay {
    /// The family; default `<project>-<service>`.
    pub family: Option<String>,
    /// Tags of this task's resources, over the top-level `tags`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// ECS Exec into its tasks (`compose2ecs exec`): `enableExecuteCommand`;
    /// the task role then needs `compose2ecs policy --task-role`.
    pub exec: Option<bool>,
    /// The Secrets Manager ARN of the registry login for this service's
    /// image (outside ECR), over the top-level `pull_credentials`.
    pub pull_credentials: Option<String>,
    /// Capacity providers (`FARGATE_SPOT`, `FARGATE`, …) over the top-level
    /// `capacity`: `capacityProviderStrategy`, in place of the launch type.
    pub capacity: Option<Vec<Capacity>>,
    /// FARGATE: the task's ephemeral storage, GiB (21–200; 20 without).
    pub ephemeral_storage: Option<u32>,
    /// FARGATE: the platform version (`LATEST`, `1.4.0`), over the top-level
    /// one.
    pub platform_version: Option<String>,
    /// Seconds unhealthy load balancer and container health checks are
    /// ignored after a task starts (default: the container health check's
    /// start period, else 60 behind a load balancer).
    pub health_check_grace_period: Option<u32>,
    /// The pushed image the container runs, over compose's `image:` and
    /// `images.registry` (for a service built locally).
    pub image: Option<String>,
    /// Task CPU units.
    pub cpu: Option<u32>,
    /// Task memory, MiB.
    pub memory: Option<u32>,
    /// Compose services run as containers of this task (the service itself
    /// included, first when listed first).
    pub containers: Option<Vec<String>>,
    /// The essential containers; default every container.
    pub essential: Option<Vec<String>>,
    /// Roles of this task, over the top-level ones.
    pub roles: Option<Roles>,
    /// Secrets of this service: an environment variable (or compose secret)
    /// name → a Secrets Manager ARN or an SSM parameter ARN or name. Over the
    /// top-level `secrets`; a name not used by the service is added.
    #[serde(default)]
    pub secrets: IndexMap<String, String>,
    /// Environment variables added to (or overriding) the service's own.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Tasks the ECS service keeps running; default `deploy.replicas`
    /// (or `scale`), else 1.
    pub desired_count: Option<u32>,
    /// The load balancer target group the ECS service registers with.
    pub load_balancer: Option<LoadBalancer>,
    /// Whether the task is a one-shot job (`<family>.run-task.json`, run to
    /// completion by `deploy` and `run`) rather than an ECS service. Default:
    /// a job when compose runs it once (`restart: "no"`,
    /// `deploy.restart_policy.condition: none`) or another task waits for it
    /// to complete (`condition: service_completed_successfully`).
    pub job: Option<bool>,
    /// Application Auto Scaling of the ECS service (`<family>.scaling.json`).
    pub scaling: Option<Scaling>,
    /// How ECS deploys a new revision: rolling (default), blue/green,
    /// linear or canary, with bake time, alarms and lifecycle hooks.
    pub deployment: Option<Deployment>,
    /// Run the task on a schedule instead of as an ECS service, with
    /// EventBridge Scheduler (`<family>.schedule.json`):
    /// `cron(0 3 * * ? *)`, `rate(1 hour)` or `at(2027-01-01T00:00:00)`.
    pub schedule: Option<String>,
    /// The IANA time zone of `schedule` (`Europe/Berlin`); default UTC.
    pub schedule_timezone: Option<String>,
}

/// Application Auto Scaling of one ECS service: a scalable target between
/// `min` and `max` tasks, a target tracking policy per metric given, and
/// scheduled changes of the bounds. Scaling uses Application Auto Scaling's
/// service-linked role, which it creates itself: no role to give.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Scaling {
    /// The fewest tasks; default the desired count (`deploy.replicas`).
    pub min: Option<u32>,
    /// The most tasks.
    pub max: u32,
    /// Keep the service's average CPU utilisation at this percent.
    pub cpu: Option<u32>,
    /// Keep the service's average memory utilisation at this percent.
    pub memory: Option<u32>,
    /// Keep the requests per target of the load balancer's target group at
    /// this number a minute (needs `load_balancer` with `load_balancer_arn`).
    pub requests_per_target: Option<u32>,
    /// Seconds after a scale-in before the next (Application Auto Scaling's
    /// default: 300).
    pub scale_in_cooldown: Option<u32>,
    /// Seconds after a scale-out before the next (default: 300).
    pub scale_out_cooldown: Option<u32>,
    /// Scheduled changes of `min` and `max`.
    #[serde(default)]
    pub schedule: Vec<ScheduledScaling>,
}

/// One scheduled change of a service's bounds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScheduledScaling {
    /// The action's name, unique in the service (`<family>-<name>` on AWS).
    pub name: String,
    /// `cron(0 8 ? * MON-FRI *)`, `rate(1 day)` or `at(…)`.
    pub at: String,
    /// The IANA time zone of `at`; default UTC.
    pub timezone: Option<String>,
    /// The new minimum.
    pub min: Option<u32>,
    /// The new maximum.
    pub max: Option<u32>,
}

/// A target group of an Application or Network Load Balancer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LoadBalancer {
    /// The target group's ARN.
    pub target_group_arn: String,
    /// The container that receives traffic; default the task's own service.
    pub container: Option<String>,
    /// Its port; default its first port.
    pub port: Option<u16>,
    /// The load balancer's ARN: only `scaling.requests_per_target` needs it
    /// (its metric is labelled by load balancer and target group).
    pub load_balancer_arn: Option<String>,
    /// Blue/green, linear and canary deployments: the second target group,
    /// which the new revision's tasks register with.
    pub alternate_target_group_arn: Option<String>,
    /// The listener rule (ARN) ECS moves production traffic with.
    pub production_listener_rule: Option<String>,
    /// The listener rule (ARN) for test traffic, to try the new revision
    /// before production traffic moves.
    pub test_listener_rule: Option<String>,
    /// The role ECS changes the listener rules with.
    pub role: Option<String>,
}

/// One capacity provider of a strategy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Capacity {
    /// `FARGATE`, `FARGATE_SPOT`, or an Auto Scaling group capacity
    /// provider of the cluster.
    pub provider: String,
    /// Its share of the tasks beyond the base (0–1000; default 0, or 1 when
    /// it is the only one).
    pub weight: Option<u32>,
    /// Tasks it runs first, at least (0–100000; one provider only).
    pub base: Option<u32>,
}

/// `pull_credentials`: one secret for every image outside ECR, or one per
/// registry host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PullCredentials {
    /// One Secrets Manager ARN.
    All(String),
    /// A Secrets Manager ARN per registry host.
    ByHost(BTreeMap<String, String>),
}

/// The awsvpc network of generated ECS services.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Network {
    /// The VPC (`vpc-…`) whose subnets the tasks run in when `subnets` lists
    /// none: `compose2ecs deploy` looks them up (`aws ec2 describe-subnets`)
    /// and `compose2ecs init` writes them out. Docker's `x-aws-vpc`.
    pub vpc: Option<String>,
    /// Subnet IDs (`subnet-…`), at most 16.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// Security group IDs (`sg-…`), at most 5; none: the VPC's default
    /// security group.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Whether tasks get a public IP (needed in public subnets without a NAT
    /// gateway to pull images); default false.
    pub assign_public_ip: Option<bool>,
}

/// Service Connect settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ServiceConnect {
    /// The AWS Cloud Map namespace (name or ARN) the services join.
    pub namespace: String,
}

/// How a compose named volume is backed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VolumeOverlay {
    /// An Amazon EFS file system.
    pub efs: Option<Efs>,
}

/// `efsVolumeConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Efs {
    /// `fs-…`.
    pub file_system_id: String,
    /// The directory of the file system to mount; default `/`.
    pub root_directory: Option<String>,
    /// An access point (`fsap-…`); it implies transit encryption.
    pub access_point: Option<String>,
    /// Encrypt in transit (TLS); default true.
    pub transit_encryption: Option<bool>,
    /// Authorise with the task role (IAM); default false.
    pub iam: Option<bool>,
}

/// Fargate prices for the project's tasks, over the shipped table
/// (`data/fargate-prices.json`, us-east-1): for another region, Savings
/// Plans or a negotiated discount.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Pricing {
    /// USD per vCPU-hour.
    pub vcpu_hour: f64,
    /// USD per GB-hour of memory.
    pub gb_hour: f64,
    /// USD per GB-hour of ephemeral storage above the included 20 GiB.
    pub ephemeral_storage_gb_hour: Option<f64>,
    /// FARGATE_SPOT's USD per vCPU-hour (Spot prices vary; without it the
    /// Spot share is priced on demand, and the estimate says so).
    pub spot_vcpu_hour: Option<f64>,
    /// FARGATE_SPOT's USD per GB-hour of memory.
    pub spot_gb_hour: Option<f64>,
}

/// `compose2ecs.yaml`, the AWS overlay: what only AWS knows about the compose
/// project — roles, network, logs, secrets, images, volumes and per-service
/// settings. Strict: an unknown key is an error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Overlay {
    /// The AWS region: the default awslogs region.
    pub region: Option<String>,
    /// FARGATE (default), EC2 or EXTERNAL.
    pub launch_type: Option<LaunchType>,
    /// awsvpc (default), bridge, host or none.
    pub network_mode: Option<NetworkMode>,
    /// Roles of every task.
    #[serde(default)]
    pub roles: Roles,
    /// awslogs settings.
    #[serde(default)]
    pub logs: Logs,
    /// The registry of build-only services.
    #[serde(default)]
    pub images: Images,
    /// Compose secrets as files: the init container's image, and the
    /// secrets handed over as environment variables instead.
    #[serde(default)]
    pub secret_files: SecretFiles,
    /// The awsvpc network of generated ECS services.
    #[serde(default)]
    pub network: Network,
    /// Secrets of every service that uses them: an environment variable or
    /// compose secret name → a Secrets Manager ARN (optionally with
    /// `:json-key:version-stage:version-id`) or an SSM parameter ARN or name.
    #[serde(default)]
    pub secrets: IndexMap<String, String>,
    /// Compose named volumes backed by EFS.
    #[serde(default)]
    pub volumes: IndexMap<String, VolumeOverlay>,
    /// The ECS cluster of generated service definitions.
    pub cluster: Option<String>,
    /// Service Connect, so that compose service names (`db:5432`) resolve
    /// on ECS as they do in compose.
    pub service_connect: Option<ServiceConnect>,
    /// The KMS key that encrypts the secrets, when it is a customer managed
    /// key: `compose2ecs policy` then grants `kms:Decrypt` on it.
    pub kms_key: Option<String>,
    /// Per-task settings.
    #[serde(default)]
    pub services: IndexMap<String, ServiceOverlay>,
    /// Values that are public by design, by the compose key path the error
    /// names (`services.web.environment.SUPABASE_ANON_KEY`, or a parent such
    /// as `services.web.labels`): written even when they come from the
    /// process environment under a credential-like name, or look like a
    /// token. Mapped secrets are never written, whatever this says.
    #[serde(default)]
    pub public: Vec<String>,
    /// Fargate prices for `plan` and `convert --cost`, over the shipped
    /// us-east-1 table.
    pub pricing: Option<Pricing>,
    /// Capacity providers of every service, job and scheduled task:
    /// `[{provider: FARGATE_SPOT, weight: 3}, {provider: FARGATE, base: 1, weight: 1}]`.
    pub capacity: Option<Vec<Capacity>>,
    /// FARGATE: the platform version of every service, job and scheduled task.
    pub platform_version: Option<String>,
    /// Registry logins for images outside ECR: one Secrets Manager ARN for
    /// every such image, or one per registry host (`docker.io`, `ghcr.io`).
    pub pull_credentials: Option<PullCredentials>,
    /// Tags for every task definition, service, job, scheduled task and
    /// scalable target (cost allocation), besides `compose2ecs:project`
    /// and `compose2ecs:service`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// A patch of the CloudFormation target's template, as Docker's
    /// `x-aws-cloudformation` was: mappings merge key by key, `null` removes
    /// a key, any other value replaces. Resources by the template's logical
    /// IDs (Docker's `<Service>Service`, `<Service>TaskDefinition` and
    /// `<Service>ScalingTarget` are read as the service's); a new resource
    /// needs its `Type`. The ECS JSON outputs do not use it.
    pub cloudformation: Option<serde_json::Value>,
}

/// The overlay's JSON Schema (`schemas/overlay.schema.json`), generated from
/// these types.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Overlay);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The overlay with the locations of its service entries, for diagnostics.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadedOverlay {
    pub overlay: Overlay,
    pub service_locs: BTreeMap<String, Location>,
    pub root_loc: Option<Location>,
    /// The interpolated tree, to point at any entry.
    pub tree: Option<Node>,
}

impl LoadedOverlay {
    /// Where the key at this path (`["secrets", "DB_PASSWORD"]`) is written.
    pub(crate) fn key_loc(&self, path: &[&str]) -> Option<&Location> {
        let (last, parents) = path.split_last()?;
        let mut node = self.tree.as_ref()?;
        for p in parents {
            node = step(node, p)?;
        }
        node.as_map()?.get(*last).map(|e| &e.key_loc)
    }

    /// Where the value at this path is written (a list item by its index).
    pub(crate) fn value_loc(&self, path: &[&str]) -> Option<&Location> {
        let mut node = self.tree.as_ref()?;
        for p in path {
            node = step(node, p)?;
        }
        Some(&node.loc)
    }
}

/// The child of a mapping by key, or of a list by index.
fn step<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Seq(items) => items.get(key.parse::<usize>().ok()?),
        _ => node.get(key),
    }
}

/// Merges a later overlay over `base`: mappings by key, anything else
/// replaced, as compose files merge (`!reset` and `!override` included).
/// A key the later file sets is located there, so diagnostics name the
/// file its value came from.
pub(crate) fn merge(base: &mut Node, over: Node) {
    match (&mut base.value, over.value) {
        (Value::Map(b), Value::Map(o)) if over.tag.as_deref() != Some(OVERRIDE) => {
            for (k, e) in o {
                if e.value.tag.as_deref() == Some(RESET) {
                    b.shift_remove(&k);
                    continue;
                }
                match b.get_mut(&k) {
                    Some(existing) => {
                        existing.key_loc = e.key_loc;
                        merge(&mut existing.value, e.value);
                    }
                    None => {
                        b.insert(k, e);
                    }
                }
            }
        }
        (b, o) => {
            *b = o;
            base.loc = over.loc;
            base.tag = None;
        }
    }
}

/// Interpolates and reads an overlay tree.
pub(crate) fn load(mut root: Node, env: &Environment, sink: &mut Sink) -> Option<LoadedOverlay> {
    if root.is_null() {
        return Some(LoadedOverlay::default());
    }
    interpolate_values(&mut root, env, sink);
    if !matches!(root.value, Value::Map(_)) {
        sink.push(
            Diagnostic::error(
                Code::InvalidType,
                format!("the overlay must be a mapping, not {}", root.kind_name()),
            )
            .at(Some(&root.loc)),
        );
        return None;
    }
    match from_node::<Overlay>(&root, "") {
        Ok(overlay) => {
            let service_locs = root
                .get("services")
                .and_then(Node::as_map)
                .map(|m| {
                    m.iter()
                        .map(|(k, e)| (k.clone(), e.key_loc.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let loaded = LoadedOverlay {
                overlay,
                service_locs,
                root_loc: Some(root.loc.clone()),
                tree: Some(root),
            };
            shape::regions_by_shape(&loaded, sink);
            Some(loaded)
        }
        Err(first) => {
            for e in every_mistake(&root, first) {
                sink.push(e.into_diagnostic());
            }
            None
        }
    }
}

/// Every mistake of an overlay that does not read, not just the first:
/// each one's node is taken out of a copy and the rest read again, until it
/// reads, a mistake cannot be taken out, or 100 are found. A required key
/// missing after its value was taken out is a consequence, not a mistake.
fn every_mistake(root: &Node, first: de::DeError) -> Vec<de::DeError> {
    let mut tree = root.clone();
    let mut mistakes = vec![first];
    while mistakes.len() < 100 {
        let taken = mistakes
            .last()
            .and_then(|e| e.location.clone())
            .is_some_and(|at| take_out(&mut tree, &at));
        if !taken {
            break;
        }
        match from_node::<Overlay>(&tree, "") {
            Err(e) if !e.message.starts_with("missing field") => mistakes.push(e),
            _ => break,
        }
    }
    mistakes
}

/// Takes out of `node` the map entry whose key or value is at `at`, or the
/// sequence element there; whether there was one.
fn take_out(node: &mut Node, at: &Location) -> bool {
    match &mut node.value {
        Value::Map(m) => {
            match m
                .values()
                .position(|e| e.key_loc == *at || e.value.loc == *at)
            {
                Some(i) => m.shift_remove_index(i).is_some(),
                None => m.values_mut().any(|e| take_out(&mut e.value, at)),
            }
        }
        Value::Seq(items) => match items.iter().position(|n| n.loc == *at) {
            Some(i) => {
                items.remove(i);
                true
            }
            None => items.iter_mut().any(|n| take_out(n, at)),
        },
        _ => false,
    }
}

#[cfg(test)]
mod region_tests {}
