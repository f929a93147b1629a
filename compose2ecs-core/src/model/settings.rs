//! The keys whose conversion depends on the launch type or the network mode
//! (Linux parameters, volumes, task-level modes, GPUs, `deploy.update_config`),
//! read into typed [`Setting`]s. Whether each becomes an ECS field, a warning
//! or an error is the converter's call, from [`super::support`]; what the
//! compose file says is decided here, once.

use crate::diagnostic::{Location, Sink};
use crate::load::yaml::{Entry, Node, Resolved, Value};

use super::mounts::{
    DeviceMapping, TmpfsMount, UlimitSetting, VolumeMount, devices, tmpfs, ulimits, volumes,
};
use super::read::{boolean, integer, items, mib, pairs, strings, text, type_error, value_error};
use super::{OtherKey, Spanned};

/// What a launch-type-dependent key says, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Setting {
    /// `cap_add`: the capabilities as written, each with where it is.
    CapAdd(Vec<Spanned<String>>),
    /// `cap_drop`.
    CapDrop(Vec<String>),
    /// `privileged` (`None`: null).
    Privileged(Option<bool>),
    /// `devices`.
    Devices(Vec<DeviceMapping>),
    /// `security_opt`.
    SecurityOpt(Vec<Spanned<String>>),
    /// `shm_size`, MiB.
    ShmSize(u64),
    /// `init`.
    Init(Option<bool>),
    /// `read_only`.
    ReadOnly(Option<bool>),
    /// `tty`.
    Tty(Option<bool>),
    /// `stdin_open`.
    StdinOpen(Option<bool>),
    /// `stop_grace_period`, seconds.
    StopGracePeriod(u64),
    /// `ulimits`.
    Ulimits(Vec<UlimitSetting>),
    /// `sysctls`, sorted by name.
    Sysctls(Vec<(String, String)>),
    /// `extra_hosts`: host name and address, sorted by host name.
    ExtraHosts(Vec<(String, String)>),
    /// `hostname`.
    Hostname(Option<String>),
    /// `dns`.
    Dns(Vec<String>),
    /// `dns_search`.
    DnsSearch(Vec<String>),
    /// `tmpfs`: the mounts, each with its key path.
    Tmpfs(Vec<Spanned<TmpfsMount>>),
    /// `volumes`.
    Volumes(Vec<VolumeMount>),
    /// `volumes_from`.
    VolumesFrom(Vec<VolumesFrom>),
    /// `links`: the services linked to (aliases dropped).
    Links(Vec<String>),
    /// `pid`.
    Pid(Namespace),
    /// `ipc`.
    Ipc(Namespace),
    /// `platform`, as written.
    Platform(String),
    /// `gpus`: `all`, or each request's count.
    Gpus {
        /// The value as written, for messages.
        written: String,
        /// The requests.
        counts: Vec<Spanned<GpuCount>>,
        /// `gpus: all`.
        all: bool,
    },
    /// `deploy.resources.reservations.devices`.
    DeviceRequests(Vec<DeviceRequest>),
    /// `mem_swappiness`.
    MemSwappiness(i64),
    /// `memswap_limit`, MiB; `None` for `-1` (unlimited).
    MemswapLimit(Option<u64>),
    /// `network_mode`, as written.
    NetworkMode(String),
    /// `deploy.update_config`.
    UpdateConfig(UpdateConfig),
    /// `pull_policy`, as written (`always`, `never`, `missing`, `build`, …).
    PullPolicy(String),
    /// A key the converter only reports, from the support table.
    Reported,
}

/// One `volumes_from` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VolumesFrom {
    /// The service (or, with `container`, the container) named.
    pub source: String,
    /// `container:<name>`: a container, not a compose service.
    pub container: bool,
    /// `:ro`.
    pub read_only: bool,
}

/// A `pid` or `ipc` namespace.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Namespace {
    /// The value as written.
    pub written: String,
    /// What it asks for.
    pub sharing: Sharing,
}

/// With whom a namespace is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// The host's (`host`).
    Host,
    /// Another service's or container's, or shareable (`service:db`).
    Shared,
    /// Nobody's (`private`, `none`).
    Private,
}

/// A GPU request's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuCount {
    /// `count: all`.
    All,
    /// A number (`count`, or the number of `device_ids`; 1 when neither).
    Count(u64),
}

/// One `deploy.resources.reservations.devices` entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeviceRequest {
    /// `capabilities`.
    pub capabilities: Vec<String>,
    /// The count, when it could be read.
    pub count: Option<GpuCount>,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// `deploy.update_config`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateConfig {
    /// `parallelism`, when an integer.
    pub parallelism: Option<u32>,
    /// `order: start-first`.
    pub start_first: bool,
}

/// Reads `key` (dotted below the service for nested keys) at `path`.
pub(super) fn read(key: &str, e: &Entry, path: String, sink: &mut Sink) -> OtherKey {
    let node = &e.value;
    let words = |sink: &mut Sink| -> Vec<String> {
        strings(sink, node, &path)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    };
    let setting = match key {
        "cap_add" => Setting::CapAdd(items(sink, node, &path)),
        "cap_drop" => Setting::CapDrop(words(sink)),
        "privileged" => Setting::Privileged(boolean(sink, node, &path)),
        "devices" => Setting::Devices(devices(node, &path, sink)),
        "security_opt" => Setting::SecurityOpt(items(sink, node, &path)),
        "shm_size" => mib(sink, node, &path).map_or(Setting::Reported, Setting::ShmSize),
        "init" => Setting::Init(boolean(sink, node, &path)),
        "read_only" => Setting::ReadOnly(boolean(sink, node, &path)),
        "tty" => Setting::Tty(boolean(sink, node, &path)),
        "stdin_open" => Setting::StdinOpen(boolean(sink, node, &path)),
        "stop_grace_period" => match crate::units::parse_duration_secs(&text(node)) {
            Ok(s) => Setting::StopGracePeriod(s),
            Err(m) => {
                value_error(sink, node, &path, format!("`stop_grace_period`: {m}"));
                Setting::Reported
            }
        },
        "ulimits" => Setting::Ulimits(ulimits(node, &path, sink)),
        "sysctls" => Setting::Sysctls(pairs(sink, node, &path, None)),
        "extra_hosts" => Setting::ExtraHosts(pairs(sink, node, &path, Some(':'))),
        "hostname" => Setting::Hostname(node.as_str().map(str::to_owned)),
        "dns" => Setting::Dns(words(sink)),
        "dns_search" => Setting::DnsSearch(words(sink)),
        "tmpfs" => Setting::Tmpfs(
            items(sink, node, &path)
                .into_iter()
                .map(|i| Spanned {
                    value: tmpfs(&i.value),
                    loc: i.loc,
                    path: i.path,
                })
                .collect(),
        ),
        "volumes" => Setting::Volumes(volumes(node, &path, sink)),
        "volumes_from" => Setting::VolumesFrom(
            words(sink)
                .into_iter()
                .map(|spec| {
                    let (rest, container) = match spec.strip_prefix("container:") {
                        Some(rest) => (rest, true),
                        None => (spec.as_str(), false),
                    };
                    let (from, mode) = rest.split_once(':').unwrap_or((rest, ""));
                    VolumesFrom {
                        source: from.to_owned(),
                        container,
                        read_only: mode == "ro",
                    }
                })
                .collect(),
        ),
        "links" => Setting::Links(
            words(sink)
                .into_iter()
                .map(|l| l.split(':').next().unwrap_or_default().to_owned())
                .collect(),
        ),
        "pid" => namespace(node, &path, false, sink).map_or(Setting::Reported, Setting::Pid),
        "ipc" => namespace(node, &path, true, sink).map_or(Setting::Reported, Setting::Ipc),
        "platform" => Setting::Platform(text(node)),
        "gpus" => gpus(node, &path, sink),
        "deploy.resources.reservations.devices" => {
            Setting::DeviceRequests(device_requests(node, &path, sink))
        }
        "mem_swappiness" => {
            integer(sink, node, &path).map_or(Setting::Reported, Setting::MemSwappiness)
        }
        "memswap_limit" if text(node) == "-1" => Setting::MemswapLimit(None),
        "memswap_limit" => {
            mib(sink, node, &path).map_or(Setting::Reported, |m| Setting::MemswapLimit(Some(m)))
        }
        "network_mode" => Setting::NetworkMode(text(node)),
        "pull_policy" => Setting::PullPolicy(text(node)),
        "deploy.update_config" => Setting::UpdateConfig(UpdateConfig {
            parallelism: node.get("parallelism").and_then(|n| match n.resolve() {
                Some(Resolved::Int(i)) => u32::try_from(i).ok(),
                _ => None,
            }),
            start_first: node.get("order").and_then(Node::as_str) == Some("start-first"),
        }),
        _ => Setting::Reported,
    };
    OtherKey {
        key: key.to_owned(),
        setting,
        loc: node.loc.clone(),
        key_loc: e.key_loc.clone(),
        path,
    }
}

/// `pid` (`host`, `service:…`, `container:…`) or `ipc` (also `shareable`,
/// `private`, `none`).
fn namespace(node: &Node, path: &str, ipc: bool, sink: &mut Sink) -> Option<Namespace> {
    let written = text(node);
    let sharing = match written.as_str() {
        "host" => Sharing::Host,
        v if v.starts_with("service:") || v.starts_with("container:") => Sharing::Shared,
        "shareable" if ipc => Sharing::Shared,
        "private" | "none" if ipc => Sharing::Private,
        _ => {
            let message = if ipc {
                format!("`ipc: {written}` is not host, shareable, private, none or service:<name>")
            } else {
                format!("`pid: {written}` is not `host` or `service:<name>`")
            };
            value_error(sink, node, path, message);
            return None;
        }
    };
    Some(Namespace { written, sharing })
}

fn gpus(node: &Node, path: &str, sink: &mut Sink) -> Setting {
    let written = text(node);
    let mut counts = Vec::new();
    let mut all = false;
    match &node.value {
        Value::Scalar(s) if s.text == "all" => all = true,
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if let Some(value) = gpu_count(item, &p, sink) {
                    counts.push(Spanned {
                        value,
                        loc: item.loc.clone(),
                        path: p,
                    });
                }
            }
        }
        _ => type_error(sink, node, path, "`all` or a list of device requests"),
    }
    Setting::Gpus {
        written,
        counts,
        all,
    }
}

/// One device request's count: `count`, else the number of `device_ids`,
/// else all of them, as the Compose Specification says. `count` is a whole
/// number or `all`, and excludes `device_ids`, as docker compose checks.
fn gpu_count(node: &Node, path: &str, sink: &mut Sink) -> Option<GpuCount> {
    let ids = node
        .get("device_ids")
        .and_then(Node::as_seq)
        .map(<[Node]>::len);
    match (node.get("count"), ids) {
        (Some(_), Some(_)) => {
            value_error(
                sink,
                node,
                path,
                "`count` and `device_ids` exclude each other: give one".to_owned(),
            );
            None
        }
        (Some(c), _) if text(c) == "all" => Some(GpuCount::All),
        (Some(c), _) => {
            let count = match c.resolve() {
                Some(Resolved::Int(i)) => u64::try_from(i).ok(),
                Some(Resolved::Str(s)) => s.trim().parse().ok(),
                _ => None,
            };
            count.map(GpuCount::Count).or_else(|| {
                value_error(
                    sink,
                    node,
                    path,
                    format!("GPU count `{}` is not a whole number or `all`", text(c)),
                );
                None
            })
        }
        (None, Some(n)) => u64::try_from(n).ok().map(GpuCount::Count),
        (None, None) => Some(GpuCount::All),
    }
}

fn device_requests(node: &Node, path: &str, sink: &mut Sink) -> Vec<DeviceRequest> {
    let Some(items) = node.as_seq() else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let p = format!("{path}[{i}]");
            DeviceRequest {
                capabilities: item
                    .get("capabilities")
                    .and_then(Node::as_seq)
                    .map(|s| {
                        s.iter()
                            .filter_map(|n| n.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                count: gpu_count(item, &p, sink),
                loc: item.loc.clone(),
                path: p,
            }
        })
        .collect()
}

impl OtherKey {
    /// The services this key makes the service wait for, as docker compose
    /// adds them to `depends_on`: `volumes_from: [db]`, `links: [db]`,
    /// `network_mode`, `ipc` or `pid` `service:db`.
    pub(super) fn implied_dependencies(&self) -> Vec<&str> {
        match &self.setting {
            Setting::VolumesFrom(v) => v
                .iter()
                .filter(|f| !f.container)
                .map(|f| f.source.as_str())
                .collect(),
            Setting::Links(l) => l.iter().map(String::as_str).collect(),
            Setting::NetworkMode(v) => v.strip_prefix("service:").into_iter().collect(),
            Setting::Ipc(n) | Setting::Pid(n) => {
                n.written.strip_prefix("service:").into_iter().collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Reads the one key of `yaml`.
    fn setting(yaml: &str) -> (Setting, Vec<String>) {
        let tree = crate::load::yaml::parse(Path::new("t.yaml"), yaml).unwrap();
        let (key, e) = tree.as_map().unwrap().iter().next().unwrap();
        let mut sink = Sink::default();
        let o = read(key, e, format!("services.a.{key}"), &mut sink);
        let messages = sink.into_vec().into_iter().map(|d| d.message).collect();
        (o.setting, messages)
    }

    #[test]
    fn a_bare_sysctl_has_an_empty_value_as_compose_reads_it() {
        let (s, errors) = setting("sysctls: [a.b=1, c.d]\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            s,
            Setting::Sysctls(vec![
                ("a.b".into(), "1".into()),
                ("c.d".into(), String::new())
            ])
        );
    }

    #[test]
    fn a_bare_extra_host_is_refused() {
        let (_, errors) = setting("extra_hosts: [somehost]\n");
        assert_eq!(errors, ["`somehost` is not `key:value`"]);
        let (s, _) = setting("extra_hosts: ['db:10.0.0.2']\n");
        assert_eq!(
            s,
            Setting::ExtraHosts(vec![("db".into(), "10.0.0.2".into())])
        );
    }

    #[test]
    fn gpu_counts_are_numbers_or_all() {
        let (s, errors) =
            setting("gpus: [{count: 2}, {device_ids: [a, b, c]}, {}, {count: all}]\n");
        assert!(errors.is_empty(), "{errors:?}");
        let Setting::Gpus { counts, all, .. } = s else {
            panic!("{s:?}")
        };
        assert!(!all);
        let counts: Vec<_> = counts.iter().map(|c| c.value).collect();
        assert_eq!(
            counts,
            [
                GpuCount::Count(2),
                GpuCount::Count(3),
                // Neither a count nor IDs: all of them, as in docker compose.
                GpuCount::All,
                GpuCount::All
            ]
        );
        let (_, errors) = setting("gpus: [{count: some}, {count: 1.5}]\n");
        assert_eq!(
            errors,
            [
                "GPU count `some` is not a whole number or `all`",
                "GPU count `1.5` is not a whole number or `all`"
            ]
        );
        let (_, errors) = setting("gpus: [{count: 1, device_ids: [a]}]\n");
        assert_eq!(
            errors,
            ["`count` and `device_ids` exclude each other: give one"]
        );
    }

    #[test]
    fn namespaces_are_read_per_key() {
        let (s, _) = setting("ipc: shareable\n");
        assert!(matches!(
            s,
            Setting::Ipc(Namespace {
                sharing: Sharing::Shared,
                ..
            })
        ));
        let (_, errors) = setting("pid: shareable\n");
        assert_eq!(
            errors,
            ["`pid: shareable` is not `host` or `service:<name>`"]
        );
    }

    #[test]
    fn memswap_minus_one_is_unlimited_and_sizes_are_mib() {
        assert_eq!(
            setting("memswap_limit: -1\n").0,
            Setting::MemswapLimit(None)
        );
        assert_eq!(
            setting("memswap_limit: 1g\n").0,
            Setting::MemswapLimit(Some(1024))
        );
        assert_eq!(setting("shm_size: 65m\n").0, Setting::ShmSize(65));
    }

    #[test]
    fn a_type_error_names_the_key_not_the_index() {
        let (_, errors) = setting("cap_add: [[NET_ADMIN]]\n");
        assert_eq!(errors, ["`cap_add` must be a string, not a list"]);
    }

    #[test]
    fn keys_imply_the_dependencies_docker_compose_adds() {
        let implied = |yaml: &str| {
            let tree = crate::load::yaml::parse(Path::new("t.yaml"), yaml).unwrap();
            let (key, e) = tree.as_map().unwrap().iter().next().unwrap();
            let o = read(key, e, format!("services.a.{key}"), &mut Sink::default());
            o.implied_dependencies()
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            implied("volumes_from: [db, 'cache:ro', 'container:x']\n"),
            ["db", "cache"]
        );
        assert_eq!(implied("links: ['db:database', redis]\n"), ["db", "redis"]);
        assert_eq!(implied("network_mode: service:vpn\n"), ["vpn"]);
        assert_eq!(implied("ipc: service:shm\n"), ["shm"]);
        assert_eq!(implied("pid: host\n"), Vec::<String>::new());
    }
}
