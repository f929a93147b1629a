//! The keys whose conversion depends on the launch type or the network mode:
//! Linux parameters, volumes, task-level modes, GPUs. The model has read each
//! into a [`Setting`]; whatever it becomes here, or why it is not converted,
//! comes from [`crate::model::support`].

mod devices;
mod volumes;

pub(super) use volumes::shared_across_tasks;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{
    Capabilities, ContainerDefinition, HostEntry, RuntimePlatform, SystemControl, Ulimit, Volume,
};
use crate::model::support::{self, Handling};
use crate::model::{Namespace, OtherKey, Service, Setting, Sharing, UlimitSetting};
use crate::overlay::{LaunchType, NetworkMode, Overlay};

use super::Platform;

/// Task-level settings gathered from the containers.
#[derive(Debug, Default)]
pub(super) struct TaskExtras {
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    pub runtime_platform: Option<RuntimePlatform>,
    pub volumes: BTreeMap<String, Volume>,
    /// Named volumes already warned about in this task.
    warned_volumes: BTreeSet<String>,
}

/// ECS ulimit names.
const ULIMITS: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// Converts the launch-type-dependent keys of `s` into `c` and `task`.
/// `containers` maps the task's compose services to their container names.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply(
    platform: Platform,
    overlay: &Overlay,
    is_owner: bool,
    s: &Service,
    c: &mut ContainerDefinition,
    containers: &BTreeMap<&str, String>,
    task: &mut TaskExtras,
    sink: &mut Sink,
) {
    let cx = Cx {
        platform,
        overlay,
        s,
    };
    for o in &s.others {
        match &o.setting {
            Setting::CapAdd(caps) => cx.cap_add(caps, c, sink),
            Setting::CapDrop(caps) => {
                c.linux_parameters
                    .capabilities
                    .get_or_insert_with(Capabilities::default)
                    .drop = caps.iter().map(|c| capability(c)).collect();
            }
            Setting::Privileged(b) => {
                if *b == Some(true) && cx.refused(o, "privileged: true", "", sink) {
                    continue;
                }
                // `false` is ECS's default: written or not, the same task.
                c.privileged = b.filter(|p| *p);
            }
            Setting::Devices(devices) => cx.devices(o, devices, c, sink),
            Setting::SecurityOpt(opts) => cx.security_opt(o, opts, c, sink),
            Setting::ShmSize(mib) => {
                let what = format!("shm_size: {mib} MiB");
                if !cx.dropped(o, &what, "the container gets the default 64 MiB /dev/shm, which large shared buffers (databases, browsers) may outgrow", sink)
                    && !cx.refused(o, &what, "", sink)
                {
                    c.linux_parameters.shared_memory_size = Some(*mib);
                }
            }
            Setting::Init(b) => c.linux_parameters.init_process_enabled = *b,
            Setting::ReadOnly(b) => c.readonly_root_filesystem = *b,
            Setting::Tty(b) => c.pseudo_terminal = *b,
            Setting::StdinOpen(b) => c.interactive = *b,
            Setting::StopGracePeriod(secs) => cx.stop_grace_period(o, *secs, c, sink),
            Setting::Ulimits(limits) => cx.ulimits(limits, c, sink),
            Setting::Sysctls(pairs) => {
                let fargate = platform.launch_type == LaunchType::Fargate;
                let (kept, refused): (Vec<_>, Vec<_>) = pairs
                    .iter()
                    .partition(|(k, _)| !fargate || crate::ecs::rules::fargate_sysctl(k));
                if !refused.is_empty() {
                    let names: Vec<&str> = refused.iter().map(|(k, _)| k.as_str()).collect();
                    sink.push(
                        Diagnostic::warning(
                            Code::LaunchTypeUnsupported,
                            format!("`sysctls: {}` is dropped: FARGATE sets only namespaced kernel parameters (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*), so the container runs with the kernel's defaults for these", names.join(", ")),
                        )
                        .with_path(&o.path)
                        .at(Some(&o.loc))
                        .with_help(format!("to silence this without editing the compose file, reset it in an override file for ECS (`services: {{{}: {{sysctls: !reset null}}}}`, passed with -f), or run on EC2: `launch_type: EC2` in compose2ecs.yaml", s.name)),
                    );
                }
                c.system_controls = kept
                    .into_iter()
                    .map(|(namespace, value)| SystemControl {
                        namespace: namespace.clone(),
                        value: value.clone(),
                    })
                    .collect();
            }
            Setting::ExtraHosts(hosts) => {
                if cx.not_on_awsvpc(o, "extraHosts", sink) {
                    continue;
                }
                c.extra_hosts = hosts
                    .iter()
                    .map(|(hostname, ip_address)| HostEntry {
                        hostname: hostname.clone(),
                        ip_address: ip_address.clone(),
                    })
                    .collect();
            }
            Setting::Hostname(name) => {
                if cx.not_on_awsvpc(o, "hostname", sink) {
                    continue;
                }
                c.hostname.clone_from(name);
            }
            Setting::Dns(servers) => c.dns_servers.clone_from(servers),
            Setting::DnsSearch(domains) => c.dns_search_domains.clone_from(domains),
            Setting::Tmpfs(mounts) => {
                for m in mounts {
                    let size = m.value.size.unwrap_or_else(|| {
                        cx.default_tmpfs_size(&m.value.target, &m.path, &m.loc, sink)
                    });
                    c.linux_parameters.tmpfs.push(crate::ecs::Tmpfs {
                        container_path: m.value.target.clone(),
                        size,
                        mount_options: m.value.options.clone(),
                    });
                }
            }
            Setting::Volumes(mounts) => cx.volumes(mounts, c, task, sink),
            Setting::VolumesFrom(from) => cx.volumes_from(o, from, c, containers, sink),
            Setting::Pid(ns) => cx.pid(o, ns, task, sink),
            Setting::Ipc(ns) => cx.ipc(o, ns, task, sink),
            Setting::Platform(value) => cx.platform(o, value, task, sink),
            Setting::Gpus {
                written,
                counts,
                all,
            } => cx.gpus(o, written, counts, *all, c, sink),
            Setting::DeviceRequests(requests) => cx.device_requests(o, requests, c, sink),
            Setting::MemSwappiness(n) => {
                if cx.handling(o) == Handling::Dropped {
                    cx.report(o, sink);
                } else {
                    c.linux_parameters.swappiness = u8::try_from((*n).clamp(0, 100)).ok();
                }
            }
            Setting::MemswapLimit(total) => cx.memswap(o, *total, c, sink),
            Setting::NetworkMode(value) => cx.network_mode(o, value, containers, sink),
            // The owner's becomes its ECS service's deploymentConfiguration.
            Setting::UpdateConfig(_) if is_owner => {}
            Setting::UpdateConfig(_) => cx.member_service_setting(o, sink),
            _ => cx.report(o, sink),
        }
    }
}

struct Cx<'a> {
    platform: Platform,
    overlay: &'a Overlay,
    s: &'a Service,
}

/// `CAP_NET_ADMIN`, `net_admin` → `NET_ADMIN`.
fn capability(c: &str) -> String {
    let up = c.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map_or(up.clone(), str::to_owned)
}

impl Cx<'_> {
    fn row(&self, o: &OtherKey) -> Option<&'static support::KeySupport> {
        support::service_key(&o.key).or_else(|| support::nested_key(&o.key))
    }

    fn handling(&self, o: &OtherKey) -> Handling {
        self.row(o)
            .map_or(Handling::Dropped, |r| r.on(self.platform.launch_type))
    }

    fn launch(&self) -> &'static str {
        self.platform.launch_type.as_str()
    }

    /// The generic report: a note, a warning or an error, with the table's
    /// reason.
    fn report(&self, o: &OtherKey, sink: &mut Sink) {
        let name = o.key.rsplit('.').next().unwrap_or(&o.key);
        let reason = self.row(o).map_or("it has no ECS equivalent", |r| r.note);
        let d = match self.handling(o) {
            Handling::Noted => Diagnostic::note(
                Code::IgnoredKey,
                format!("`{name}` is not converted: {reason}"),
            ),
            Handling::Error => Diagnostic::error(
                Code::LaunchTypeUnsupported,
                format!("`{name}` is not available on {}: {reason}", self.launch()),
            ),
            _ => Diagnostic::warning(
                Code::UnsupportedKey,
                format!("`{name}` is not converted: {reason}"),
            ),
        };
        sink.push(d.with_path(&o.path).at(Some(&o.key_loc)));
    }

    /// When the table drops the key on this launch type because what it
    /// tunes or hardens is lost, not whether the app runs: a warning naming
    /// the key, the value, what is lost, and the override-file route that
    /// leaves upstream's compose file as it is. Returns whether it dropped.
    fn dropped(&self, o: &OtherKey, what: &str, lost: &str, sink: &mut Sink) -> bool {
        if self.handling(o) != Handling::Dropped {
            return false;
        }
        sink.push(
            Diagnostic::warning(
                Code::LaunchTypeUnsupported,
                format!("`{what}` is dropped: {} has no such setting, so {lost}", self.launch()),
            )
            .with_path(&o.path)
            .at(Some(&o.loc))
            .with_help(format!(
                "to silence this without editing the compose file, reset it in an override file for ECS (`services: {{{svc}: {{{key}: !reset null}}}}`, passed with -f), or run on EC2: `launch_type: EC2` in compose2ecs.yaml",
                svc = self.s.name,
                key = o.key
            )),
        );
        true
    }

    /// When the table refuses the key on this launch type: an error naming
    /// the key, the value and the launch type. Returns whether it refused.
    fn refused(&self, o: &OtherKey, what: &str, extra: &str, sink: &mut Sink) -> bool {
        if self.handling(o) != Handling::Error {
            return false;
        }
        sink.push(
            Diagnostic::error(
                Code::LaunchTypeUnsupported,
                format!("`{what}` is not available on {}{extra}", self.launch()),
            )
            .with_path(&o.path)
            .at(Some(&o.loc))
            .with_help(format!(
                "remove it for {launch}, or run on EC2: `launch_type: EC2` in compose2ecs.yaml",
                launch = self.launch()
            )),
        );
        true
    }

    fn not_on_awsvpc(&self, o: &OtherKey, field: &str, sink: &mut Sink) -> bool {
        if self.platform.network_mode != NetworkMode::Awsvpc {
            return false;
        }
        sink.push(
            Diagnostic::warning(
                Code::NotOnAwsvpc,
                format!("`{}` is dropped: ECS does not allow `{field}` on awsvpc tasks", o.key),
            )
            .with_path(&o.path)
            .at(Some(&o.key_loc))
            .with_help("containers of one task reach each other on localhost; other services by their Service Connect or DNS names"),
        );
        true
    }

    /// A value the compose file allows but ECS cannot take.
    fn value_error(&self, o: &OtherKey, message: String, sink: &mut Sink) {
        sink.push(
            Diagnostic::error(Code::InvalidValue, message)
                .with_path(&o.path)
                .at(Some(&o.loc)),
        );
    }

    fn cap_add(
        &self,
        caps: &[crate::model::Spanned<String>],
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        let mut kept = Vec::new();
        for item in caps {
            let cap = capability(&item.value);
            if self.platform.launch_type == LaunchType::Fargate && cap != "SYS_PTRACE" {
                sink.push(
                    Diagnostic::error(
                        Code::LaunchTypeUnsupported,
                        format!("`cap_add: {cap}` is not available on FARGATE, which can only add SYS_PTRACE"),
                    )
                    .with_path(&item.path)
                    .at(Some(&item.loc))
                    .with_help("remove the capability for FARGATE, or run on EC2: `launch_type: EC2` in compose2ecs.yaml"),
                );
                continue;
            }
            kept.push(cap);
        }
        if !kept.is_empty() {
            c.linux_parameters
                .capabilities
                .get_or_insert_with(Capabilities::default)
                .add = kept;
        }
    }

    fn security_opt(
        &self,
        o: &OtherKey,
        items: &[crate::model::Spanned<String>],
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        let opts: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
        let what = format!("security_opt: {}", opts.join(", "));
        if opts.is_empty()
            || self.dropped(o, &what, "the container runs without these security options (FARGATE applies its own isolation)", sink)
            || self.refused(o, &what, "", sink)
        {
            return;
        }
        for item in items {
            let opt = item.value.as_str();
            let (k, v) = opt.split_once([':', '=']).unwrap_or((opt, ""));
            match k {
                "no-new-privileges" if v.is_empty() || v == "true" => {
                    c.docker_security_options.push("no-new-privileges".to_owned());
                }
                "no-new-privileges" => {}
                "label" | "apparmor" => c.docker_security_options.push(format!("{k}:{v}")),
                _ => sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!("security option `{opt}` has no ECS equivalent (ECS takes no-new-privileges, label:… and apparmor:…) and is dropped"),
                    )
                    .with_path(&item.path)
                    .at(Some(&item.loc)),
                ),
            }
        }
    }

    fn stop_grace_period(
        &self,
        o: &OtherKey,
        secs: u64,
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        let max = if self.platform.launch_type == LaunchType::Fargate {
            120
        } else {
            u64::from(u32::MAX)
        };
        let value = if secs > max {
            sink.push(
                Diagnostic::warning(
                    Code::ValueClamped,
                    format!("stop_grace_period of {secs}s is more than the {max}s FARGATE allows; using {max}"),
                )
                .with_path(&o.path)
                .at(Some(&o.loc)),
            );
            max
        } else {
            secs
        };
        c.stop_timeout = u32::try_from(value).ok();
    }

    fn ulimits(&self, limits: &[UlimitSetting], c: &mut ContainerDefinition, sink: &mut Sink) {
        for l in limits {
            if !ULIMITS.contains(&l.name.as_str()) {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!(
                            "ulimit `{}` is not one ECS sets ({}) and is dropped",
                            l.name,
                            ULIMITS.join(", ")
                        ),
                    )
                    .with_path(&l.path)
                    .at(Some(&l.key_loc)),
                );
                continue;
            }
            c.ulimits.push(Ulimit {
                name: l.name.clone(),
                soft_limit: l.soft,
                hard_limit: l.hard,
            });
        }
        c.ulimits.sort_by(|a, b| a.name.cmp(&b.name));
    }

    fn pid(&self, o: &OtherKey, ns: &Namespace, task: &mut TaskExtras, sink: &mut Sink) {
        let mode = match ns.sharing {
            Sharing::Host => {
                if self.refused(o, "pid: host", ", where tasks can only share the PID namespace among their own containers (pidMode task)", sink) {
                    return;
                }
                "host"
            }
            Sharing::Shared | Sharing::Private => "task",
        };
        self.set_task_mode(&mut task.pid_mode, mode, o, sink);
    }

    fn ipc(&self, o: &OtherKey, ns: &Namespace, task: &mut TaskExtras, sink: &mut Sink) {
        if self.refused(o, &format!("ipc: {}", ns.written), "", sink) {
            return;
        }
        let mode = match ns.sharing {
            Sharing::Host => "host",
            Sharing::Shared => "task",
            Sharing::Private => "none",
        };
        self.set_task_mode(&mut task.ipc_mode, mode, o, sink);
    }

    fn set_task_mode(&self, slot: &mut Option<String>, mode: &str, o: &OtherKey, sink: &mut Sink) {
        match slot {
            Some(existing) if existing != mode => sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("`{}` asks for `{mode}`, but another container of the task set `{existing}`; the mode is the task's", o.key),
                )
                .with_path(&o.path)
                .at(Some(&o.loc)),
            ),
            _ => *slot = Some(mode.to_owned()),
        }
    }

    fn platform(&self, o: &OtherKey, written: &str, task: &mut TaskExtras, sink: &mut Sink) {
        let value = written.to_ascii_lowercase();
        let mut parts = value.split('/');
        let os = parts.next().unwrap_or_default();
        let arch = match parts.next() {
            Some("amd64" | "x86_64") => Some("X86_64"),
            Some("arm64" | "aarch64") => Some("ARM64"),
            _ => None,
        };
        if os != "linux" || arch.is_none() {
            sink.push(
                Diagnostic::warning(
                    Code::UnsupportedKey,
                    format!("platform `{value}` is dropped: ECS runs linux/amd64 and linux/arm64 (X86_64, ARM64)"),
                )
                .with_path(&o.path)
                .at(Some(&o.loc)),
            );
            return;
        }
        let rp = RuntimePlatform {
            cpu_architecture: arch.map(str::to_owned),
            operating_system_family: Some("LINUX".to_owned()),
        };
        match &task.runtime_platform {
            Some(existing) if *existing != rp => sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("platform `{value}` differs from another container of the task; a task runs on one platform"),
                )
                .with_path(&o.path)
                .at(Some(&o.loc)),
            ),
            _ => task.runtime_platform = Some(rp),
        }
    }

    fn memswap(
        &self,
        o: &OtherKey,
        total: Option<u64>,
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        if self.handling(o) == Handling::Dropped {
            self.report(o, sink);
            return;
        }
        let Some(total) = total else {
            return; // -1: unlimited, the default
        };
        match c.memory {
            Some(mem) => c.linux_parameters.max_swap = i64::try_from(total.saturating_sub(mem)).ok(),
            None => sink.push(
                Diagnostic::warning(
                    Code::UnsupportedKey,
                    "`memswap_limit` without `mem_limit` is dropped: ECS sets the swap beside the memory limit",
                )
                .with_path(&o.path)
                .at(Some(&o.loc)),
            ),
        }
    }

    fn network_mode(
        &self,
        o: &OtherKey,
        value: &str,
        containers: &BTreeMap<&str, String>,
        sink: &mut Sink,
    ) {
        if let Some(other) = value.strip_prefix("service:") {
            if containers.contains_key(other) {
                return; // grouped into that service's task
            }
        }
        sink.push(
            Diagnostic::note(
                Code::IgnoredKey,
                format!(
                    "`network_mode: {value}` is not converted: every container of an ECS task shares the task's network mode, `{}` here (set by `network_mode` in compose2ecs.yaml)",
                    self.platform.network_mode.as_str()
                ),
            )
            .with_path(&o.path)
            .at(Some(&o.key_loc)),
        );
    }

    /// A service-level setting of a container folded into another task:
    /// the task's ECS service follows its owner.
    fn member_service_setting(&self, o: &OtherKey, sink: &mut Sink) {
        sink.push(
            Diagnostic::note(
                Code::IgnoredKey,
                format!(
                    "`{}` of `{}` is not converted: it runs inside another service's task, whose ECS service settings come from that service",
                    o.key, self.s.name
                ),
            )
            .with_path(&o.path)
            .at(Some(&o.key_loc)),
        );
    }
}
