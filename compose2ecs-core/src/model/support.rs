//! The support table: every key of the Compose Specification and what
//! compose2ecs does with it on each launch type.
//!
//! It is the single source of truth: the converter reports every key it does
//! not convert from here (the reason, the severity, the error on a launch
//! type that cannot honour it), `docs/compose-support.md` is generated from
//! it (`markdown`), and tests check that the model reads exactly the keys
//! marked mapped or transformed, that all 93 service keys of the pinned
//! schema are listed, and that every key of `full-example.yml` shows up in
//! the output (at the paths in [`KeySupport::ecs`]) or in a diagnostic.

use crate::ecs::LaunchType;

/// What happens to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handling {
    /// Copied into the ECS field.
    Mapped,
    /// Converted into ECS fields: units, syntax, grouping, or read by the
    /// loader (`extends`, `profiles`).
    Transformed,
    /// Not converted, reported as a note: ECS does the job another way.
    Noted,
    /// Not converted, reported as a warning: the behaviour is lost on ECS.
    Dropped,
    /// Refused with an error: the task could not run as the compose file
    /// means on this launch type.
    Error,
}

impl Handling {
    /// The word used in the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Handling::Mapped => "mapped",
            Handling::Transformed => "transformed",
            Handling::Noted => "ignored (note)",
            Handling::Dropped => "ignored (warning)",
            Handling::Error => "error",
        }
    }
}

/// Where a key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// A key of a service (`services.<name>.<key>`).
    Service,
    /// A key below a service key (`deploy.resources.limits.cpus`).
    Nested,
    /// A top-level key of the compose file.
    TopLevel,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeySupport {
    /// The key, dotted below its service for nested keys.
    pub key: &'static str,
    /// Where the key lives.
    pub scope: Scope,
    /// On FARGATE.
    pub fargate: Handling,
    /// On EC2.
    pub ec2: Handling,
    /// On EXTERNAL (ECS Anywhere).
    pub external: Handling,
    /// The task-definition fields it becomes, as JSON paths
    /// (`containerDefinitions[].linuxParameters.initProcessEnabled`); empty
    /// when it becomes nothing.
    pub ecs: &'static [&'static str],
    /// How, or why not.
    pub note: &'static str,
}

impl KeySupport {
    /// The handling on a launch type.
    pub fn on(&self, launch_type: LaunchType) -> Handling {
        match launch_type {
            LaunchType::Fargate => self.fargate,
            LaunchType::Ec2 => self.ec2,
            LaunchType::External => self.external,
        }
    }
}

use Handling::{Dropped as D, Error as X, Mapped as M, Noted as N, Transformed as T};

const fn svc(
    key: &'static str,
    fargate: Handling,
    ec2: Handling,
    external: Handling,
    ecs: &'static [&'static str],
    note: &'static str,
) -> KeySupport {
    KeySupport {
        key,
        scope: Scope::Service,
        fargate,
        ec2,
        external,
        ecs,
        note,
    }
}

const fn nested(
    key: &'static str,
    fargate: Handling,
    ec2: Handling,
    external: Handling,
    ecs: &'static [&'static str],
    note: &'static str,
) -> KeySupport {
    KeySupport {
        scope: Scope::Nested,
        ..svc(key, fargate, ec2, external, ecs, note)
    }
}

const fn top(
    key: &'static str,
    all: Handling,
    ecs: &'static [&'static str],
    note: &'static str,
) -> KeySupport {
    KeySupport {
        scope: Scope::TopLevel,
        ..svc(key, all, all, all, ecs, note)
    }
}

/// Every service key of the Compose Specification, alphabetically.
#[rustfmt::skip]
pub const SERVICE_KEYS: &[KeySupport] = &[
    svc("annotations", D, D, D, &[], "OCI annotations have no ECS equivalent; use `labels` (dockerLabels)"),
    svc("attach", N, N, N, &[], "ECS never attaches to output; logs go to CloudWatch through `logging`"),
    svc("blkio_config", D, D, D, &[], "ECS has no block-IO weights or limits"),
    svc("build", T, T, T, &["containerDefinitions[].image"], "ECS runs images, not builds: the image is `<images.registry>/<project>-<service>:<images.tag>` from the overlay; without a registry, error `build-without-image`"),
    svc("cap_add", T, M, M, &["containerDefinitions[].linuxParameters.capabilities.add"], "linuxParameters.capabilities.add; FARGATE allows adding only SYS_PTRACE: any other capability is an error"),
    svc("cap_drop", M, M, M, &["containerDefinitions[].linuxParameters.capabilities.drop"], "linuxParameters.capabilities.drop"),
    svc("cgroup", D, D, D, &[], "ECS chooses the cgroup namespace"),
    svc("cgroup_parent", D, D, D, &[], "ECS places tasks in its own cgroups"),
    svc("command", M, M, M, &["containerDefinitions[].command"], "command; a string is split with shell rules"),
    svc("configs", D, D, D, &[], "bake the file into the image, or mount it from an EFS volume"),
    svc("container_name", M, M, M, &["containerDefinitions[].name"], "the container's name when it is a valid ECS name (else the service name, with a warning)"),
    svc("cpu_count", D, D, D, &[], "Windows only; use `cpus`"),
    svc("cpu_percent", D, D, D, &[], "Windows only; use `cpus`"),
    svc("cpu_period", D, D, D, &[], "CFS tuning has no ECS equivalent; use `cpus`"),
    svc("cpu_quota", D, D, D, &[], "CFS tuning has no ECS equivalent; use `cpus`"),
    svc("cpu_rt_period", D, D, D, &[], "real-time scheduling has no ECS equivalent"),
    svc("cpu_rt_runtime", D, D, D, &[], "real-time scheduling has no ECS equivalent"),
    svc("cpu_shares", T, T, T, &["containerDefinitions[].cpu"], "container `cpu` (both are relative shares, 1024 per vCPU) when `cpus` is not set"),
    svc("cpus", T, T, T, &["containerDefinitions[].cpu"], "container `cpu` = round(cpus × 1024)"),
    svc("cpuset", D, D, D, &[], "ECS does not pin CPUs"),
    svc("credential_spec", D, D, D, &[], "Windows gMSA credential specs are not converted"),
    svc("depends_on", T, T, T, &["containerDefinitions[].dependsOn"], "dependsOn inside a task (START, HEALTHY, SUCCESS); across tasks a `cross-task-dependency` warning"),
    svc("deploy", T, T, T, &[], "see the `deploy.*` rows"),
    svc("develop", N, N, N, &[], "`develop.watch` is for local development"),
    svc("device_cgroup_rules", D, D, D, &[], "ECS has no device cgroup rules; use `devices` on EC2"),
    svc("devices", X, M, M, &["containerDefinitions[].linuxParameters.devices"], "linuxParameters.devices; not available on FARGATE"),
    svc("dns", M, M, M, &["containerDefinitions[].dnsServers"], "dnsServers"),
    svc("dns_opt", D, D, D, &[], "ECS has no resolver options"),
    svc("dns_search", M, M, M, &["containerDefinitions[].dnsSearchDomains"], "dnsSearchDomains"),
    svc("domainname", D, D, D, &[], "ECS has no domain name setting"),
    svc("entrypoint", M, M, M, &["containerDefinitions[].entryPoint"], "entryPoint; a string is split with shell rules"),
    svc("env_file", T, T, T, &["containerDefinitions[].environment"], "read (relative to the project directory) into `environment`; `environment` wins"),
    svc("environment", M, M, M, &["containerDefinitions[].environment"], "environment, sorted by name; a bare `KEY` takes its value from the interpolation environment"),
    svc("expose", T, T, T, &["containerDefinitions[].portMappings"], "portMappings `{containerPort}`"),
    svc("extends", T, T, T, &[], "resolved by the loader: the service is merged over the one it extends"),
    svc("external_links", N, N, N, &[], "containers of one task reach each other on localhost; other services through Service Connect or a load balancer"),
    svc("extra_hosts", D, M, M, &["containerDefinitions[].extraHosts"], "extraHosts; not with awsvpc (so never on FARGATE): dropped with a warning"),
    svc("gpus", X, T, T, &["containerDefinitions[].resourceRequirements"], "resourceRequirements GPU (count; `all` needs an explicit count); FARGATE has no GPUs"),
    svc("group_add", D, D, D, &[], "ECS sets one user and group (`user: uid:gid`)"),
    svc("healthcheck", T, T, T, &["containerDefinitions[].healthCheck"], "healthCheck with durations in seconds, clamped to the ECS ranges with a warning"),
    svc("hostname", D, M, M, &["containerDefinitions[].hostname"], "hostname; not with awsvpc (so never on FARGATE): dropped with a warning"),
    svc("image", M, M, M, &["containerDefinitions[].image"], "image"),
    svc("init", M, M, M, &["containerDefinitions[].linuxParameters.initProcessEnabled"], "linuxParameters.initProcessEnabled"),
    svc("ipc", X, T, T, &["ipcMode"], "task ipcMode: host → host, shareable or service:… → task, private → none; not available on FARGATE"),
    svc("isolation", D, D, D, &[], "Windows isolation is not converted"),
    svc("label_file", T, T, T, &["containerDefinitions[].dockerLabels"], "read (relative to the project directory) into dockerLabels; `labels` wins"),
    svc("labels", M, M, M, &["containerDefinitions[].dockerLabels"], "dockerLabels"),
    svc("links", N, N, N, &[], "containers of one task reach each other on localhost; other services through Service Connect or a load balancer"),
    svc("logging", T, T, T, &["containerDefinitions[].logConfiguration"], "awslogs logConfiguration from the overlay's `logs`; another driver is replaced with a warning; `none` is kept"),
    svc("mac_address", D, D, D, &[], "ECS assigns network interfaces"),
    svc("mem_limit", T, T, T, &["containerDefinitions[].memory"], "container `memory` in MiB, rounded up"),
    svc("mem_reservation", T, T, T, &["containerDefinitions[].memoryReservation"], "container `memoryReservation` in MiB, rounded up; at most the limit"),
    svc("mem_swappiness", D, M, M, &["containerDefinitions[].linuxParameters.swappiness"], "linuxParameters.swappiness; not available on FARGATE: dropped with a warning"),
    svc("memswap_limit", D, T, T, &["containerDefinitions[].linuxParameters.maxSwap"], "linuxParameters.maxSwap = memswap_limit − mem_limit in MiB (-1: unlimited is left to the instance); not available on FARGATE: dropped with a warning"),
    svc("models", D, D, D, &[], "AI model bindings are not converted"),
    svc("network_mode", T, T, T, &[], "`service:<name>` runs the container in `<name>`'s task; other modes are decided by the overlay's `network_mode` (a note)"),
    svc("networks", N, N, N, &[], "awsvpc tasks get their network from the service's subnets and security groups"),
    svc("oom_kill_disable", D, D, D, &[], "ECS has no OOM-killer setting"),
    svc("oom_score_adj", D, D, D, &[], "ECS has no OOM score setting"),
    svc("pid", X, T, T, &["pidMode"], "task pidMode: host → host, service:… → task; FARGATE allows only `task` (so `host` is an error)"),
    svc("pids_limit", D, D, D, &[], "ECS has no PID limit"),
    svc("platform", T, T, T, &["runtimePlatform"], "task runtimePlatform: linux/amd64 → X86_64, linux/arm64 → ARM64, operating system LINUX"),
    svc("ports", T, T, T, &["containerDefinitions[].portMappings"], "portMappings (ranges as containerPortRange, `name`, `app_protocol`); on awsvpc no hostPort, with a warning when the published port differs; on bridge/host hostPort kept (0 when unpublished)"),
    svc("post_start", D, D, D, &[], "lifecycle hooks have no ECS equivalent"),
    svc("pre_start", D, D, D, &[], "lifecycle hooks have no ECS equivalent"),
    svc("pre_stop", D, D, D, &[], "lifecycle hooks have no ECS equivalent"),
    svc("privileged", X, M, M, &["containerDefinitions[].privileged"], "privileged; not available on FARGATE"),
    svc("profiles", T, T, T, &["containerDefinitions[].name"], "services whose profiles are not active are left out, as compose does"),
    svc("provider", D, D, D, &[], "provider services are not converted"),
    svc("pull_policy", N, N, N, &[], "ECS pulls the image when a task starts"),
    svc("pull_refresh_after", N, N, N, &[], "ECS pulls the image when a task starts"),
    svc("read_only", M, M, M, &["containerDefinitions[].readonlyRootFilesystem"], "readonlyRootFilesystem"),
    svc("restart", T, T, T, &[], "`no` makes the service a one-shot job: `<family>.run-task.json`, run to completion by `deploy` (before what depends on it) and by `run`, instead of an ECS service; other values are noted: the ECS service scheduler restarts stopped tasks"),
    svc("runtime", D, D, D, &[], "ECS chooses the container runtime"),
    svc("scale", T, T, T, &["service.desiredCount"], "the ECS service's desiredCount (below `deploy.replicas` and the overlay's `desired_count`)"),
    svc("secrets", T, T, T, &["containerDefinitions[].secrets"], "ECS `secrets` `{name, valueFrom}`: the name is the long syntax's `target` (when it is a variable name) or the secret's name in upper case, valueFrom the overlay's mapping; without one, error `secret-without-source`. ECS hands secrets over as environment variables (a note says so); a secret's file or value is never read"),
    svc("security_opt", D, M, M, &["containerDefinitions[].dockerSecurityOptions"], "dockerSecurityOptions; FARGATE has none, so the hardening is dropped with a warning"),
    svc("shm_size", D, T, T, &["containerDefinitions[].linuxParameters.sharedMemorySize"], "linuxParameters.sharedMemorySize in MiB; FARGATE has none (/dev/shm stays 64 MiB), so it is dropped with a warning"),
    svc("stdin_open", M, M, M, &["containerDefinitions[].interactive"], "interactive"),
    svc("stop_grace_period", T, T, T, &["containerDefinitions[].stopTimeout"], "stopTimeout in seconds; at most 120 on FARGATE (clamped with a warning)"),
    svc("stop_signal", D, D, D, &[], "ECS sends SIGTERM; set STOPSIGNAL in the image instead"),
    svc("storage_opt", D, D, D, &[], "ECS has no storage driver options"),
    svc("sysctls", M, M, M, &["containerDefinitions[].systemControls"], "systemControls"),
    svc("tmpfs", T, T, T, &["containerDefinitions[].linuxParameters.tmpfs"], "linuxParameters.tmpfs with the size in MiB (64 MiB when none is given, with a warning)"),
    svc("tty", M, M, M, &["containerDefinitions[].pseudoTerminal"], "pseudoTerminal"),
    svc("ulimits", T, T, T, &["containerDefinitions[].ulimits"], "ulimits `{name, softLimit, hardLimit}`; a single number sets both"),
    svc("use_api_socket", D, D, D, &[], "there is no Docker API socket to share on ECS"),
    svc("user", M, M, M, &["containerDefinitions[].user"], "user"),
    svc("userns_mode", D, D, D, &[], "ECS has no user-namespace setting"),
    svc("uts", D, D, D, &[], "ECS has no UTS-namespace setting"),
    svc("volumes", T, T, T, &[ "containerDefinitions[].mountPoints", "containerDefinitions[].linuxParameters.tmpfs", ], "named and anonymous volumes → task volumes + mountPoints (task-scoped storage, with a `volume-not-persistent` warning); bind mounts → a host.sourcePath volume on EC2/EXTERNAL when absolute, dropped with a warning on FARGATE or when relative; tmpfs → linuxParameters.tmpfs"),
    svc("volumes_from", T, T, T, &["containerDefinitions[].volumesFrom"], "volumesFrom, for a container of the same task (else a warning)"),
    svc("working_dir", M, M, M, &["containerDefinitions[].workingDirectory"], "workingDirectory"),
];

/// Keys below service keys that are handled one by one.
#[rustfmt::skip]
pub const NESTED_KEYS: &[KeySupport] = &[
    nested("deploy.replicas", T, T, T, &["service.desiredCount"], "the ECS service's desiredCount (the overlay's `desired_count` wins)"),
    nested("deploy.resources.limits.cpus", T, T, T, &["containerDefinitions[].cpu"], "container `cpu`"),
    nested("deploy.resources.limits.memory", T, T, T, &["containerDefinitions[].memory"], "container `memory`"),
    nested("deploy.resources.limits.pids", D, D, D, &[], "ECS has no PID limit"),
    nested("deploy.resources.reservations.cpus", T, T, T, &["containerDefinitions[].cpu"], "container `cpu` when there is no limit"),
    nested("deploy.resources.reservations.memory", T, T, T, &["containerDefinitions[].memoryReservation"], "container `memoryReservation`"),
    nested("deploy.resources.reservations.devices", X, T, T, &["containerDefinitions[].resourceRequirements"], "GPU requests (`capabilities: [gpu]`) → resourceRequirements GPU; FARGATE has no GPUs"),
    nested("deploy.resources.reservations.generic_resources", D, D, D, &[], "Swarm generic resources have no ECS equivalent"),
    nested("deploy.update_config", T, T, T, &["service.deploymentConfiguration.minimumHealthyPercent"], "the ECS service's deploymentConfiguration: `parallelism` of the desired count replaced at a time → minimumHealthyPercent/maximumPercent (`order: start-first` raises the maximum instead)"),
    nested("deploy.rollback_config", N, N, N, &[], "ECS rolls back with the deployment circuit breaker"),
    nested("deploy.restart_policy", N, N, N, &[], "ECS services restart stopped tasks; `condition: none` (without `restart`) makes the service a one-shot job, as `restart: no` does"),
    nested("deploy.placement", D, N, N, &[], "placement constraints belong to the ECS service (placementConstraints), not the task definition"),
    nested("deploy.mode", N, N, N, &[], "`global` is an ECS service with the DAEMON scheduling strategy"),
    nested("deploy.endpoint_mode", N, N, N, &[], "ECS services are reached through Service Connect or a load balancer"),
    nested("deploy.labels", D, D, D, &[], "service labels: use the ECS service's tags"),
    nested("healthcheck.test", T, T, T, &["containerDefinitions[].healthCheck.command"], "a string becomes [\"CMD-SHELL\", …]; a list is kept; NONE disables"),
    nested("healthcheck.interval", T, T, T, &["containerDefinitions[].healthCheck.interval"], "seconds, 5–300"),
    nested("healthcheck.timeout", T, T, T, &["containerDefinitions[].healthCheck.timeout"], "seconds, 2–60 (the API model's range); 30, Docker's default, when not given (ECS's own default is 5)"),
    nested("healthcheck.retries", M, M, M, &["containerDefinitions[].healthCheck.retries"], "1–10"),
    nested("healthcheck.start_period", T, T, T, &["containerDefinitions[].healthCheck.startPeriod"], "seconds, 0–300"),
    nested("healthcheck.start_interval", D, D, D, &[], "ECS has no start interval"),
    nested("healthcheck.disable", T, T, T, &[], "no healthCheck"),
    nested("ports[].target", M, M, M, &["containerDefinitions[].portMappings[].containerPort"], "containerPort (a range: containerPortRange)"),
    nested("ports[].published", T, T, T, &["containerDefinitions[].portMappings[].hostPort"], "hostPort on bridge/host; on awsvpc left out, with a warning when it differs from the target"),
    nested("ports[].host_ip", D, D, D, &[], "ECS cannot bind a port to one address; use security groups"),
    nested("ports[].protocol", M, M, M, &["containerDefinitions[].portMappings[].protocol"], "tcp or udp"),
    nested("ports[].name", M, M, M, &["containerDefinitions[].portMappings[].name"], "name (used by Service Connect)"),
    nested("ports[].app_protocol", T, T, T, &["containerDefinitions[].portMappings[].appProtocol"], "appProtocol: http, http2 or grpc (others are reported)"),
    nested("ports[].mode", N, N, N, &[], "Swarm's ingress/host mode; ECS publishes per network mode"),
    nested("volumes[].source", T, T, T, &["volumes[].name"], "the task volume"),
    nested("volumes[].target", M, M, M, &["containerDefinitions[].mountPoints[].containerPath"], "containerPath"),
    nested("volumes[].read_only", M, M, M, &["containerDefinitions[].mountPoints[].readOnly"], "readOnly"),
    nested("volumes[].tmpfs.size", T, T, T, &["containerDefinitions[].linuxParameters.tmpfs[].size"], "size in MiB"),
    nested("volumes[].bind", D, D, D, &[], "bind propagation and SELinux options have no ECS equivalent"),
    nested("volumes[].volume", D, D, D, &[], "nocopy and subpath have no ECS equivalent"),
    nested("volumes[].consistency", D, D, D, &[], "a Docker Desktop setting"),
    nested("secrets[].target", T, T, T, &["containerDefinitions[].secrets[].name"], "the environment variable's name, when it is one"),
    nested("secrets[].uid", N, N, N, &[], "ECS hands secrets over as environment variables, not files (also `gid`, `mode`)"),
    nested("secrets[].uid", N, N, N, &[], "ECS hands secrets over as environment variables, not files"),
    nested("logging.driver", T, T, T, &["containerDefinitions[].logConfiguration.logDriver"], "awslogs (another driver is replaced, with a warning); none is kept"),
    nested("logging.options", D, D, D, &[], "the overlay's `logs` decides the awslogs options"),
];

/// The top-level keys of a compose file.
#[rustfmt::skip]
pub const TOP_LEVEL_KEYS: &[KeySupport] = &[
    top("name", T, &["family"], "the project name: families are `<project>-<service>`"),
    top("services", T, &["containerDefinitions"], "one task definition per service, unless grouped by the overlay or `network_mode: service:…`"),
    top("networks", N, &[], "awsvpc tasks use the subnets and security groups of their ECS service"),
    top("volumes", T, &["volumes"], "named volumes become task volumes: EFS when the overlay's `volumes.<name>.efs` says so, else task-scoped storage (with a `volume-not-persistent` warning)"),
    top("secrets", T, &[], "the secrets services use, by name; the overlay maps each to a Secrets Manager or SSM ARN. Their files and values are never read"),
    top("configs", D, &[], "bake the file into the image, or mount it from an EFS volume"),
    top("include", T, &[], "resolved by the loader"),
    top("models", D, &[], "AI model definitions are not converted"),
    top("version", N, &[], "obsolete, ignored as docker compose does"),
];

/// The row of a service key.
pub fn service_key(key: &str) -> Option<&'static KeySupport> {
    SERVICE_KEYS.iter().find(|k| k.key == key)
}

/// The row of a nested key (`deploy.placement`).
pub fn nested_key(key: &str) -> Option<&'static KeySupport> {
    NESTED_KEYS.iter().find(|k| k.key == key)
}

/// The row of a top-level key.
pub fn top_level_key(key: &str) -> Option<&'static KeySupport> {
    TOP_LEVEL_KEYS.iter().find(|k| k.key == key)
}

#[cfg(test)]
/// `docs/compose-support.md`, generated from the table.
pub(crate) fn markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Compose keys on ECS\n\n\
         <!-- Generated from compose2ecs-core/src/model/support.rs; a test fails when this file is stale. Regenerate: COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core -->\n\n\
         Every key of the Compose Specification and what compose2ecs does with it on each ECS launch type:\n\n\
         - **mapped**: copied into the ECS field;\n\
         - **transformed**: converted (units, syntax, grouping) into ECS fields, or read by the loader;\n\
         - **ignored (note)**: not converted, with a note, because ECS does the job another way;\n\
         - **ignored (warning)**: not converted, with a warning, because the behaviour is lost on ECS;\n\
         - **error**: refused, because the task could not run as the compose file means.\n\n\
         Every diagnostic carries the key path and the file:line it came from. `x-*` keys are user extensions and are ignored silently; a key that is not in the Compose Specification is an error (`schema-violation`).\n",
    );
    let mut table = |title: &str, rows: &[KeySupport]| {
        let _ = write!(
            out,
            "\n## {title}\n\n| key | FARGATE | EC2 | EXTERNAL | ECS | how, or why not |\n|---|---|---|---|---|---|\n"
        );
        for r in rows {
            let ecs: Vec<String> = r.ecs.iter().map(|e| format!("`{e}`")).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} |",
                r.key,
                r.fargate.as_str(),
                r.ec2.as_str(),
                r.external.as_str(),
                if ecs.is_empty() {
                    "—".to_owned()
                } else {
                    ecs.join("<br>")
                },
                r.note.replace('|', "\\|")
            );
        }
    };
    table(
        &format!("Service keys ({})", SERVICE_KEYS.len()),
        SERVICE_KEYS,
    );
    table("Nested keys", NESTED_KEYS);
    table("Top-level keys", TOP_LEVEL_KEYS);
    out
}

#[cfg(test)]
/// `docs/diagnostics.md`: every diagnostic code with what it means and an
/// input that triggers it, generated from [`crate::Code`].
pub(crate) fn diagnostics_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from compose2ecs-core/src/diagnostic/mod.rs; a test fails when this file is stale. Regenerate: COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core -->\n\n\
         Every diagnostic carries one of these codes. The codes are stable: scripts may match on them \
         (`compose2ecs convert --format json` prints them as JSON lines). Each is triggered by a fixture \
         under `fixtures/` or a test whose expected output shows it.\n\n| code | meaning, and an input that triggers it |\n|---|---|\n",
    );
    for code in crate::diagnostic::Code::ALL {
        let text: Vec<&str> = code.description().lines().map(str::trim).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} |",
            code.as_str(),
            text.join(" ").replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_committed_support_doc_is_generated_from_the_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/compose-support.md");
        let fresh = markdown();
        if std::env::var_os("COMPOSE2ECS_BLESS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "docs/compose-support.md is stale; regenerate it with COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core "
        );
        for row in SERVICE_KEYS {
            assert!(
                committed.contains(&format!("| `{}` |", row.key)),
                "{}",
                row.key
            );
        }
    }

    #[test]
    fn every_diagnostic_code_is_documented_and_triggered_by_an_expected_output() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let path = root.join("docs/diagnostics.md");
        let fresh = diagnostics_markdown();
        if std::env::var_os("COMPOSE2ECS_BLESS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        assert!(
            std::fs::read_to_string(&path).unwrap_or_default() == fresh,
            "docs/diagnostics.md is stale; regenerate it with COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core "
        );
        // The expected outputs: fixture snapshots, the conformance snapshot, and
        // the assertions of the CLI tests.
        let mut expected = String::new();
        for dir in [root.join("fixtures"), root.join("fixtures/errors")] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let case = entry.unwrap().path();
                for snap in ["convert.snap", "stderr.snap"] {
                    expected
                        .push_str(&std::fs::read_to_string(case.join(snap)).unwrap_or_default());
                }
            }
        }
        for f in [
            "compose2ecs-core/tests/snapshots/conformance__outcomes.snap",
            "compose2ecs-core/tests/output.rs",
        ] {
            expected.push_str(&std::fs::read_to_string(root.join(f)).unwrap());
        }
        for entry in std::fs::read_dir(root.join("compose2ecs-cli/tests")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                expected.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
        for code in crate::diagnostic::Code::ALL {
            assert!(
                code.description().contains("Example"),
                "the doc of `{}` gives no example input",
                code.as_str()
            );
            assert!(
                expected.contains(&format!("[{}]", code.as_str())),
                "no fixture or CLI test shows `{}`",
                code.as_str()
            );
        }
    }

    #[test]
    fn every_service_key_of_the_pinned_schema_has_exactly_one_row() {
        let schema: serde_json::Value =
            serde_json::from_str(crate::validate::compose::COMPOSE_SPEC_SCHEMA).unwrap();
        let props = schema["$defs"]["service"]["properties"]
            .as_object()
            .or_else(|| schema["definitions"]["service"]["properties"].as_object())
            .unwrap();
        let mut schema_keys: Vec<&str> = props.keys().map(String::as_str).collect();
        schema_keys.sort_unstable();
        let table_keys: Vec<&str> = SERVICE_KEYS.iter().map(|k| k.key).collect();
        assert_eq!(table_keys, schema_keys);
        assert_eq!(table_keys.len(), 93);
    }

    #[test]
    fn every_top_level_key_of_the_pinned_schema_has_a_row() {
        let schema: serde_json::Value =
            serde_json::from_str(crate::validate::compose::COMPOSE_SPEC_SCHEMA).unwrap();
        for key in schema["properties"].as_object().unwrap().keys() {
            assert!(top_level_key(key).is_some(), "no row for top-level `{key}`");
        }
    }

    #[test]
    fn converted_keys_name_their_ecs_fields() {
        for r in SERVICE_KEYS.iter().chain(NESTED_KEYS) {
            let converted = [r.fargate, r.ec2, r.external]
                .iter()
                .any(|h| matches!(h, Handling::Mapped));
            assert!(
                !converted || !r.ecs.is_empty(),
                "`{}` is mapped but names no ECS field",
                r.key
            );
            assert!(!r.note.is_empty(), "`{}` has no note", r.key);
        }
    }
}
