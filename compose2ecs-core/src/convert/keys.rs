//! The keys whose conversion depends on the launch type or the network mode:
//! Linux parameters, volumes, task-level modes, GPUs. Each reads its own
//! syntax from [`Service::others`]; whatever a key becomes, or why it is not
//! converted, comes from [`crate::model::support`].

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{
    Capabilities, ContainerDefinition, Device, EfsAuthorizationConfig, EfsVolumeConfiguration,
    HostEntry, HostVolume, MountPoint, ResourceRequirement, RuntimePlatform, SystemControl, Tmpfs,
    Ulimit, Volume, VolumeFrom,
};
use crate::load::yaml::{Node, Resolved, Value};
use crate::model::support::{self, Handling};
use crate::model::{OtherKey, Service};
use crate::overlay::{Efs, LaunchType, NetworkMode, Overlay};

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

/// More GPUs than this per container is a mistake (the largest instances
/// have 16).
const MAX_GPUS: u64 = 64;

/// tmpfs size when compose gives none (ECS requires one).
const DEFAULT_TMPFS_MIB: u64 = 64;

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
        match o.key.as_str() {
            "cap_add" => cx.cap_add(o, c, sink),
            "cap_drop" => {
                let caps = cx
                    .strings(o, sink)
                    .into_iter()
                    .map(|c| capability(&c))
                    .collect();
                c.linux_parameters
                    .capabilities
                    .get_or_insert_with(Capabilities::default)
                    .drop = caps;
            }
            "privileged" => {
                if let Some(b) = cx.boolean(o, sink) {
                    if b && cx.refused(o, "privileged: true", "", sink) {
                        continue;
                    }
                    c.privileged = Some(b);
                }
            }
            "devices" => cx.devices(o, c, sink),
            "security_opt" => cx.security_opt(o, c, sink),
            "shm_size" => {
                if let Some(mib) = cx.mib(o, sink) {
                    let what = format!("shm_size: {mib} MiB");
                    if !cx.dropped(o, &what, "the container gets the default 64 MiB /dev/shm, which large shared buffers (databases, browsers) may outgrow", sink)
                        && !cx.refused(o, &what, "", sink)
                    {
                        c.linux_parameters.shared_memory_size = Some(mib);
                    }
                }
            }
            "init" => c.linux_parameters.init_process_enabled = cx.boolean(o, sink),
            "read_only" => c.readonly_root_filesystem = cx.boolean(o, sink),
            "tty" => c.pseudo_terminal = cx.boolean(o, sink),
            "stdin_open" => c.interactive = cx.boolean(o, sink),
            "stop_grace_period" => cx.stop_grace_period(o, c, sink),
            "ulimits" => cx.ulimits(o, c, sink),
            "sysctls" => {
                c.system_controls = cx
                    .pairs(o, '=', sink)
                    .into_iter()
                    .map(|(namespace, value)| SystemControl { namespace, value })
                    .collect();
            }
            "extra_hosts" => {
                if cx.not_on_awsvpc(o, "extraHosts", sink) {
                    continue;
                }
                c.extra_hosts = cx
                    .pairs(o, ':', sink)
                    .into_iter()
                    .map(|(hostname, ip_address)| HostEntry {
                        hostname,
                        ip_address,
                    })
                    .collect();
            }
            "hostname" => {
                if cx.not_on_awsvpc(o, "hostname", sink) {
                    continue;
                }
                c.hostname = o.node.as_str().map(str::to_owned);
            }
            "dns" => c.dns_servers = cx.strings(o, sink),
            "dns_search" => c.dns_search_domains = cx.strings(o, sink),
            "tmpfs" => {
                for (i, spec) in cx.strings(o, sink).into_iter().enumerate() {
                    let path = if o.node.as_seq().is_some() {
                        format!("{}[{i}]", o.path)
                    } else {
                        o.path.clone()
                    };
                    c.linux_parameters
                        .tmpfs
                        .push(cx.tmpfs_short(&spec, &path, o, sink));
                }
            }
            "volumes" => cx.volumes(o, c, task, sink),
            "volumes_from" => cx.volumes_from(o, c, containers, sink),
            "pid" => cx.pid(o, task, sink),
            "ipc" => cx.ipc(o, task, sink),
            "platform" => cx.platform(o, task, sink),
            "gpus" => cx.gpus(o, c, sink),
            "deploy.resources.reservations.devices" => cx.device_requests(o, c, sink),
            "mem_swappiness" => {
                if cx.handling(o) == Handling::Dropped {
                    cx.report(o, sink);
                } else if let Some(n) = cx.integer(o, sink) {
                    c.linux_parameters.swappiness = u8::try_from(n.clamp(0, 100)).ok();
                }
            }
            "memswap_limit" => cx.memswap(o, c, sink),
            "network_mode" => cx.network_mode(o, containers, sink),
            // The owner's becomes its ECS service's deploymentConfiguration.
            "deploy.update_config" if is_owner => {}
            "deploy.update_config" => cx.member_service_setting(o, sink),
            _ => cx.report(o, sink),
        }
    }
}

struct Cx<'a> {
    platform: Platform,
    overlay: &'a Overlay,
    s: &'a Service,
}

/// An overlay `efs` block as ECS wants it: transit encryption on unless
/// turned off, the access point and IAM authorisation when given.
fn efs_configuration(efs: &Efs) -> EfsVolumeConfiguration {
    let auth = (efs.access_point.is_some() || efs.iam.is_some()).then(|| EfsAuthorizationConfig {
        access_point_id: efs.access_point.clone(),
        iam: efs
            .iam
            .map(|on| if on { "ENABLED" } else { "DISABLED" }.to_owned()),
    });
    EfsVolumeConfiguration {
        file_system_id: efs.file_system_id.clone(),
        root_directory: efs.root_directory.clone(),
        transit_encryption: Some(
            if efs.transit_encryption.unwrap_or(true) {
                "ENABLED"
            } else {
                "DISABLED"
            }
            .to_owned(),
        ),
        authorization_config: auth,
    }
}

fn text(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => s.text.clone(),
        Value::Null => String::new(),
        _ => node.to_json().to_string(),
    }
}

/// `CAP_NET_ADMIN`, `net_admin` → `NET_ADMIN`.
fn capability(c: &str) -> String {
    let up = c.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map_or(up.clone(), str::to_owned)
}

/// A volume name ECS accepts: letters, digits, `-`, `_`.
fn volume_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut collapsed = String::with_capacity(cleaned.len());
    for ch in cleaned.chars() {
        if !(ch == '-' && collapsed.ends_with('-')) {
            collapsed.push(ch);
        }
    }
    let trimmed = collapsed.trim_matches('-');
    let name = if trimmed.is_empty() {
        "volume"
    } else {
        trimmed
    };
    name.chars().take(255).collect()
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
            .at(Some(&o.node.loc))
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
            .at(Some(&o.node.loc))
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

    fn type_error(&self, o: &OtherKey, node: &Node, path: &str, expected: &str, sink: &mut Sink) {
        sink.push(
            Diagnostic::error(
                Code::InvalidType,
                format!("`{}` must be {expected}, not {}", o.key, node.kind_name()),
            )
            .with_path(path)
            .at(Some(&node.loc)),
        );
    }

    fn value_error(&self, node: &Node, path: &str, message: String, sink: &mut Sink) {
        sink.push(
            Diagnostic::error(Code::InvalidValue, message)
                .with_path(path)
                .at(Some(&node.loc)),
        );
    }

    fn boolean(&self, o: &OtherKey, sink: &mut Sink) -> Option<bool> {
        match o.node.resolve() {
            Some(Resolved::Bool(b)) => Some(b),
            _ if o.node.is_null() => None,
            _ => {
                self.type_error(o, &o.node, &o.path, "true or false", sink);
                None
            }
        }
    }

    fn integer(&self, o: &OtherKey, sink: &mut Sink) -> Option<i64> {
        match o.node.resolve() {
            Some(Resolved::Int(i)) => Some(i),
            Some(Resolved::Str(s)) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => {
                self.type_error(o, &o.node, &o.path, "an integer", sink);
                None
            }
        }
    }

    /// A size (`64m`, bytes) in MiB, rounded up.
    fn mib(&self, o: &OtherKey, sink: &mut Sink) -> Option<u64> {
        match crate::units::parse_bytes(&text(&o.node)) {
            Ok(b) => Some(crate::units::bytes_to_mib(b)),
            Err(m) => {
                self.value_error(&o.node, &o.path, format!("`{}`: {m}", o.key), sink);
                None
            }
        }
    }

    /// A string or a list of strings.
    fn strings(&self, o: &OtherKey, sink: &mut Sink) -> Vec<String> {
        match &o.node.value {
            Value::Scalar(s) => vec![s.text.clone()],
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| match &n.value {
                    Value::Scalar(s) => Some(s.text.clone()),
                    _ => {
                        self.type_error(o, n, &format!("{}[{i}]", o.path), "a string", sink);
                        None
                    }
                })
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.type_error(o, &o.node, &o.path, "a string or a list of strings", sink);
                Vec::new()
            }
        }
    }

    /// `[k=v]` (split at `sep`, or `=`) or `{k: v}`, sorted by key.
    fn pairs(&self, o: &OtherKey, sep: char, sink: &mut Sink) -> Vec<(String, String)> {
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        match &o.node.value {
            Value::Map(m) => {
                for (k, e) in m {
                    out.insert(k.clone(), text(&e.value));
                }
            }
            Value::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    let Some(t) = n.as_str() else {
                        self.type_error(
                            o,
                            n,
                            &format!("{}[{i}]", o.path),
                            "a `key=value` string",
                            sink,
                        );
                        continue;
                    };
                    match t.split_once('=').or_else(|| t.split_once(sep)) {
                        Some((k, v)) => {
                            out.insert(k.trim().to_owned(), v.trim().to_owned());
                        }
                        None => self.value_error(
                            n,
                            &format!("{}[{i}]", o.path),
                            format!("`{t}` is not `key=value`"),
                            sink,
                        ),
                    }
                }
            }
            Value::Null => {}
            Value::Scalar(_) => self.type_error(o, &o.node, &o.path, "a list or a mapping", sink),
        }
        out.into_iter().collect()
    }

    fn cap_add(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        let caps: Vec<String> = self
            .strings(o, sink)
            .iter()
            .map(|c| capability(c))
            .collect();
        let mut kept = Vec::new();
        for cap in caps {
            if self.platform.launch_type == LaunchType::Fargate && cap != "SYS_PTRACE" {
                sink.push(
                    Diagnostic::error(
                        Code::LaunchTypeUnsupported,
                        format!("`cap_add: {cap}` is not available on FARGATE, which can only add SYS_PTRACE"),
                    )
                    .with_path(&o.path)
                    .at(Some(&o.node.loc))
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

    fn devices(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        // `host[:container[:rwm]]`, or `{source, target, permissions}`.
        let mut specs: Vec<(String, Option<String>, String, &Node)> = Vec::new();
        for (i, item) in o.node.as_seq().unwrap_or_default().iter().enumerate() {
            match &item.value {
                Value::Scalar(s) => {
                    let mut parts = s.text.splitn(3, ':');
                    let host = parts.next().unwrap_or_default().to_owned();
                    let target = parts.next().map(str::to_owned);
                    specs.push((
                        host,
                        target,
                        parts.next().unwrap_or_default().to_owned(),
                        item,
                    ));
                }
                Value::Map(m) => {
                    let get = |k: &str| m.get(k).and_then(|e| e.value.as_str()).map(str::to_owned);
                    match get("source") {
                        Some(src) => specs.push((
                            src,
                            get("target"),
                            get("permissions").unwrap_or_default(),
                            item,
                        )),
                        None => self.value_error(
                            item,
                            &format!("{}[{i}]", o.path),
                            "a device needs `source`".to_owned(),
                            sink,
                        ),
                    }
                }
                _ => self.type_error(
                    o,
                    item,
                    &format!("{}[{i}]", o.path),
                    "a device string or mapping",
                    sink,
                ),
            }
        }
        if specs.is_empty() {
            return;
        }
        let shown: Vec<&str> = specs.iter().map(|s| s.0.as_str()).collect();
        if self.refused(o, &format!("devices: {}", shown.join(", ")), "", sink) {
            return;
        }
        for (host, target, perms, item) in specs {
            if target.is_none() && host.contains('=') {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!("CDI device `{host}` is not converted: ECS maps host paths only"),
                    )
                    .with_path(&o.path)
                    .at(Some(&item.loc)),
                );
                continue;
            }
            let permissions = perms
                .chars()
                .filter_map(|ch| match ch {
                    'r' => Some("read".to_owned()),
                    'w' => Some("write".to_owned()),
                    'm' => Some("mknod".to_owned()),
                    _ => None,
                })
                .collect();
            c.linux_parameters.devices.push(Device {
                container_path: Some(target.unwrap_or_else(|| host.clone())),
                host_path: host,
                permissions,
            });
        }
    }

    fn security_opt(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        let opts = self.strings(o, sink);
        let what = format!("security_opt: {}", opts.join(", "));
        if opts.is_empty()
            || self.dropped(o, &what, "the container runs without these security options (FARGATE applies its own isolation)", sink)
            || self.refused(o, &what, "", sink)
        {
            return;
        }
        for opt in opts {
            let (k, v) = opt.split_once([':', '=']).unwrap_or((opt.as_str(), ""));
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
                    .with_path(&o.path)
                    .at(Some(&o.node.loc)),
                ),
            }
        }
    }

    fn stop_grace_period(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        let secs = match crate::units::parse_duration_secs(&text(&o.node)) {
            Ok(s) => s,
            Err(m) => {
                self.value_error(&o.node, &o.path, format!("`stop_grace_period`: {m}"), sink);
                return;
            }
        };
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
                .at(Some(&o.node.loc)),
            );
            max
        } else {
            secs
        };
        c.stop_timeout = u32::try_from(value).ok();
    }

    fn ulimits(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        let Some(map) = o.node.as_map() else {
            if !o.node.is_null() {
                self.type_error(o, &o.node, &o.path, "a mapping", sink);
            }
            return;
        };
        for (name, e) in map {
            let p = format!("{}.{name}", o.path);
            let num = |n: &Node| match n.resolve() {
                Some(Resolved::Int(i)) => Some(i),
                Some(Resolved::Str(s)) => s.trim().parse().ok(),
                _ => None,
            };
            let (soft, hard) = match &e.value.value {
                Value::Map(m) => (
                    m.get("soft").and_then(|x| num(&x.value)),
                    m.get("hard").and_then(|x| num(&x.value)),
                ),
                _ => {
                    let n = num(&e.value);
                    (n, n)
                }
            };
            let (Some(soft), Some(hard)) = (soft, hard) else {
                self.value_error(
                    &e.value,
                    &p,
                    format!("ulimit `{name}` needs a number, or `soft` and `hard`"),
                    sink,
                );
                continue;
            };
            if !ULIMITS.contains(&name.as_str()) {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!(
                            "ulimit `{name}` is not one ECS sets ({}) and is dropped",
                            ULIMITS.join(", ")
                        ),
                    )
                    .with_path(p)
                    .at(Some(&e.key_loc)),
                );
                continue;
            }
            c.ulimits.push(Ulimit {
                name: name.clone(),
                soft_limit: soft,
                hard_limit: hard,
            });
        }
        c.ulimits.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// `/run` or `/run:size=64m,mode=1777`.
    fn tmpfs_short(&self, spec: &str, path: &str, o: &OtherKey, sink: &mut Sink) -> Tmpfs {
        let (target, options) = spec.split_once(':').unwrap_or((spec, ""));
        let mut size = None;
        let mut mount_options = Vec::new();
        for opt in options.split(',').filter(|s| !s.is_empty()) {
            match opt.split_once('=') {
                Some(("size", v)) => {
                    size = crate::units::parse_bytes(v)
                        .ok()
                        .map(crate::units::bytes_to_mib)
                }
                _ => mount_options.push(opt.to_owned()),
            }
        }
        Tmpfs {
            container_path: target.to_owned(),
            size: size.unwrap_or_else(|| self.default_tmpfs_size(target, path, o, sink)),
            mount_options,
        }
    }

    fn default_tmpfs_size(&self, target: &str, path: &str, o: &OtherKey, sink: &mut Sink) -> u64 {
        sink.push(
            Diagnostic::warning(
                Code::TmpfsWithoutSize,
                format!("tmpfs `{target}` has no size, which ECS requires; using {DEFAULT_TMPFS_MIB} MiB"),
            )
            .with_path(path)
            .at(Some(&o.node.loc))
            .with_help(format!("give it one: `{target}:size=64m`, or `tmpfs: {{size: 64m}}` in the long syntax")),
        );
        DEFAULT_TMPFS_MIB
    }

    fn volumes(
        &self,
        o: &OtherKey,
        c: &mut ContainerDefinition,
        task: &mut TaskExtras,
        sink: &mut Sink,
    ) {
        let Some(items) = o.node.as_seq() else {
            if !o.node.is_null() {
                self.type_error(o, &o.node, &o.path, "a list", sink);
            }
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let p = format!("{}[{i}]", o.path);
            let (kind, source, target, read_only, tmpfs_size) = match &item.value {
                Value::Scalar(s) => {
                    let parts: Vec<&str> = s.text.split(':').collect();
                    let (source, target, mode) = match parts.as_slice() {
                        [t] => (None, (*t).to_owned(), ""),
                        [s, t] => (Some((*s).to_owned()), (*t).to_owned(), ""),
                        [s, t, m, ..] => (Some((*s).to_owned()), (*t).to_owned(), *m),
                        [] => continue,
                    };
                    let kind = match &source {
                        None => "volume",
                        Some(s) if s.starts_with(['/', '.', '~']) => "bind",
                        Some(_) => "volume",
                    };
                    let ro = mode.split(',').any(|m| m == "ro");
                    (kind.to_owned(), source, target, ro, None)
                }
                Value::Map(m) => {
                    let get = |k: &str| m.get(k).and_then(|e| e.value.as_str()).map(str::to_owned);
                    let Some(target) = get("target") else {
                        self.value_error(
                            item,
                            &p,
                            "a volume in the long syntax needs `target`".to_owned(),
                            sink,
                        );
                        continue;
                    };
                    let ro = matches!(
                        m.get("read_only").and_then(|e| e.value.resolve()),
                        Some(Resolved::Bool(true))
                    );
                    let size = m
                        .get("tmpfs")
                        .and_then(|e| e.value.get("size"))
                        .and_then(|n| crate::units::parse_bytes(&text(n)).ok())
                        .map(crate::units::bytes_to_mib);
                    for (k, e) in m {
                        if matches!(k.as_str(), "bind" | "volume" | "consistency") {
                            if let Some(row) = support::nested_key(&format!("volumes[].{k}")) {
                                sink.push(
                                    Diagnostic::warning(
                                        Code::UnsupportedKey,
                                        format!("`{k}` is not converted: {}", row.note),
                                    )
                                    .with_path(format!("{p}.{k}"))
                                    .at(Some(&e.key_loc)),
                                );
                            }
                        }
                    }
                    (
                        get("type").unwrap_or_else(|| "volume".to_owned()),
                        get("source"),
                        target,
                        ro,
                        size,
                    )
                }
                _ => {
                    self.type_error(o, item, &p, "a volume string or a mapping", sink);
                    continue;
                }
            };
            match kind.as_str() {
                "tmpfs" => {
                    let size =
                        tmpfs_size.unwrap_or_else(|| self.default_tmpfs_size(&target, &p, o, sink));
                    c.linux_parameters.tmpfs.push(Tmpfs {
                        container_path: target,
                        size,
                        mount_options: Vec::new(),
                    });
                }
                "volume" => {
                    let efs = source
                        .as_ref()
                        .and_then(|src| self.overlay.volumes.get(src))
                        .and_then(|v| v.efs.as_ref());
                    let name = match &source {
                        Some(src) if efs.is_some() => volume_name(src),
                        Some(src) => {
                            let name = volume_name(src);
                            if task.warned_volumes.insert(name.clone()) {
                                sink.push(
                                    Diagnostic::warning(
                                        Code::VolumeNotPersistent,
                                        format!("volume `{src}` becomes task storage: its data is lost when the task stops"),
                                    )
                                    .with_path(&p)
                                    .at(Some(&item.loc))
                                    .with_help("for data that must outlive the task, back the volume with EFS in the overlay, or keep the data in a managed service"),
                                );
                            }
                            name
                        }
                        None => volume_name(&format!("{}-{}", self.s.name, target)),
                    };
                    task.volumes.entry(name.clone()).or_insert(Volume {
                        name: name.clone(),
                        host: None,
                        efs_volume_configuration: efs.map(efs_configuration),
                    });
                    c.mount_points.push(MountPoint {
                        source_volume: name,
                        container_path: target,
                        read_only,
                    });
                }
                "bind" => {
                    let src = source.unwrap_or_default();
                    let absolute = src.starts_with('/');
                    if self.platform.launch_type == LaunchType::Fargate || !absolute {
                        let why = if self.platform.launch_type == LaunchType::Fargate {
                            "FARGATE tasks cannot mount host paths".to_owned()
                        } else {
                            format!("`{src}` is not an absolute path on the container instance")
                        };
                        sink.push(
                            Diagnostic::warning(
                                Code::BindMountDropped,
                                format!("bind mount `{src}:{target}` is dropped: {why}"),
                            )
                            .with_path(&p)
                            .at(Some(&item.loc))
                            .with_help("bake the files into the image, or use a named volume (EFS in the overlay)"),
                        );
                        continue;
                    }
                    let name = volume_name(&format!("host{src}"));
                    task.volumes.entry(name.clone()).or_insert(Volume {
                        name: name.clone(),
                        host: Some(HostVolume { source_path: src }),
                        efs_volume_configuration: None,
                    });
                    c.mount_points.push(MountPoint {
                        source_volume: name,
                        container_path: target,
                        read_only,
                    });
                }
                other => sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!("a volume of type `{other}` has no ECS equivalent and is dropped"),
                    )
                    .with_path(&p)
                    .at(Some(&item.loc)),
                ),
            }
        }
    }

    fn volumes_from(
        &self,
        o: &OtherKey,
        c: &mut ContainerDefinition,
        containers: &BTreeMap<&str, String>,
        sink: &mut Sink,
    ) {
        for spec in self.strings(o, sink) {
            let (from, mode) = match spec.strip_prefix("container:") {
                Some(rest) => rest.split_once(':').unwrap_or((rest, "")),
                None => spec.split_once(':').unwrap_or((spec.as_str(), "")),
            };
            let container = containers
                .get(from)
                .cloned()
                .or_else(|| containers.values().find(|c| *c == from).cloned());
            match container {
                Some(source_container) => c.volumes_from.push(VolumeFrom {
                    source_container,
                    read_only: mode == "ro",
                }),
                None => sink.push(
                    Diagnostic::warning(
                        Code::CrossTaskDependency,
                        format!("`volumes_from: {from}` is dropped: `{from}` does not run in this task, and ECS shares volumes only inside a task"),
                    )
                    .with_path(&o.path)
                    .at(Some(&o.node.loc))
                    .with_help(format!("run both in one task: `services.{from}.containers: [{from}, {}]` in the overlay", self.s.name)),
                ),
            }
        }
    }

    fn pid(&self, o: &OtherKey, task: &mut TaskExtras, sink: &mut Sink) {
        let value = text(&o.node);
        let mode = if value == "host" {
            if self.refused(o, "pid: host", ", where tasks can only share the PID namespace among their own containers (pidMode task)", sink) {
                return;
            }
            "host"
        } else if value.starts_with("service:") || value.starts_with("container:") {
            "task"
        } else {
            self.value_error(
                &o.node,
                &o.path,
                format!("`pid: {value}` is not `host` or `service:<name>`"),
                sink,
            );
            return;
        };
        self.set_task_mode(&mut task.pid_mode, mode, o, sink);
    }

    fn ipc(&self, o: &OtherKey, task: &mut TaskExtras, sink: &mut Sink) {
        let value = text(&o.node);
        if self.refused(o, &format!("ipc: {value}"), "", sink) {
            return;
        }
        let mode = match value.as_str() {
            "host" => "host",
            "shareable" => "task",
            "private" | "none" => "none",
            v if v.starts_with("service:") || v.starts_with("container:") => "task",
            _ => {
                self.value_error(
                    &o.node,
                    &o.path,
                    format!(
                        "`ipc: {value}` is not host, shareable, private, none or service:<name>"
                    ),
                    sink,
                );
                return;
            }
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
                .at(Some(&o.node.loc)),
            ),
            _ => *slot = Some(mode.to_owned()),
        }
    }

    fn platform(&self, o: &OtherKey, task: &mut TaskExtras, sink: &mut Sink) {
        let value = text(&o.node).to_ascii_lowercase();
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
                .at(Some(&o.node.loc)),
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
                .at(Some(&o.node.loc)),
            ),
            _ => task.runtime_platform = Some(rp),
        }
    }

    fn add_gpus(&self, o: &OtherKey, count: u64, c: &mut ContainerDefinition, sink: &mut Sink) {
        let before = c
            .resource_requirements
            .iter()
            .find(|r| r.kind == "GPU")
            .and_then(|r| r.value.parse::<u64>().ok())
            .unwrap_or(0);
        // More GPUs than any instance has is a mistake, not a request (and
        // the sum must not overflow: found by fuzzing).
        let total = match before.checked_add(count).filter(|t| *t <= MAX_GPUS) {
            Some(t) => t,
            None => {
                self.value_error(
                    &o.node,
                    &o.path,
                    format!("a GPU count above {MAX_GPUS} is not one ECS can place"),
                    sink,
                );
                return;
            }
        };
        c.resource_requirements.retain(|r| r.kind != "GPU");
        c.resource_requirements.push(ResourceRequirement {
            kind: "GPU".to_owned(),
            value: total.to_string(),
        });
    }

    /// One device request (`gpus` entries, `deploy…devices` entries): its count.
    fn gpu_count(&self, node: &Node, path: &str, sink: &mut Sink) -> Option<u64> {
        let count = node.get("count");
        let ids = node
            .get("device_ids")
            .and_then(Node::as_seq)
            .map(<[Node]>::len);
        match (count.map(text), ids) {
            (Some(c), _) if c == "all" => {
                self.value_error(
                    node,
                    path,
                    "a GPU count of `all` has no ECS equivalent: ECS reserves a number of GPUs"
                        .to_owned(),
                    sink,
                );
                None
            }
            (Some(c), _) => match c.parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.value_error(node, path, format!("GPU count `{c}` is not a number"), sink);
                    None
                }
            },
            (None, Some(n)) => u64::try_from(n).ok(),
            (None, None) => Some(1),
        }
    }

    fn gpus(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        if self.refused(
            o,
            &format!("gpus: {}", text(&o.node)),
            ", which has no GPUs",
            sink,
        ) {
            return;
        }
        match &o.node.value {
            Value::Scalar(s) if s.text == "all" => self.value_error(
                &o.node,
                &o.path,
                "`gpus: all` has no ECS equivalent: ECS reserves a number of GPUs; write `gpus: [{count: 1}]`".to_owned(),
                sink,
            ),
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(n) = self.gpu_count(item, &format!("{}[{i}]", o.path), sink) {
                        self.add_gpus(o, n, c, sink);
                    }
                }
            }
            _ => self.type_error(o, &o.node, &o.path, "`all` or a list of device requests", sink),
        }
    }

    fn device_requests(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        let Some(items) = o.node.as_seq() else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let p = format!("{}[{i}]", o.path);
            let caps: Vec<String> = item
                .get("capabilities")
                .and_then(Node::as_seq)
                .map(|s| {
                    s.iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if !caps.iter().any(|c| c == "gpu") {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!(
                            "a device request for `{}` is dropped: ECS reserves GPUs only",
                            caps.join(", ")
                        ),
                    )
                    .with_path(&p)
                    .at(Some(&item.loc)),
                );
                continue;
            }
            if self.refused(o, "a GPU reservation", ", which has no GPUs", sink) {
                return;
            }
            if let Some(n) = self.gpu_count(item, &p, sink) {
                self.add_gpus(o, n, c, sink);
            }
        }
    }

    fn memswap(&self, o: &OtherKey, c: &mut ContainerDefinition, sink: &mut Sink) {
        if self.handling(o) == Handling::Dropped {
            self.report(o, sink);
            return;
        }
        let t = text(&o.node);
        if t == "-1" {
            return;
        }
        let Some(total) = self.mib(o, sink) else {
            return;
        };
        match c.memory {
            Some(mem) => c.linux_parameters.max_swap = i64::try_from(total.saturating_sub(mem)).ok(),
            None => sink.push(
                Diagnostic::warning(
                    Code::UnsupportedKey,
                    "`memswap_limit` without `mem_limit` is dropped: ECS sets the swap beside the memory limit",
                )
                .with_path(&o.path)
                .at(Some(&o.node.loc)),
            ),
        }
    }

    fn network_mode(&self, o: &OtherKey, containers: &BTreeMap<&str, String>, sink: &mut Sink) {
        let value = text(&o.node);
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
