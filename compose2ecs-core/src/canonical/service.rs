//! One service in canonical form: compose-go's `ServiceConfig`, field by
//! field in its declaration order, each short syntax in its long form.

use std::collections::BTreeMap;

use crate::load::yaml::{Map, Node, Resolved, Value};

use super::build::{blkio, build, develop, hooks};
use super::deploy::{deploy, devices, gpus};
use super::fields::{command, extra_hosts, file_refs, resolved_map, ulimits};
use super::json::{Obj, Out};
use super::network::{networks, ports, volumes};
use super::read::{
    boolean, bytes, duration, float32, int, mapping, opt_bool, opt_int, string, string_list,
    strings, text,
};
use super::{Cx, Used};

/// The service `name`, read from `node`.
pub(super) fn service(
    node: &Node,
    implied: &[(String, bool)],
    cx: &Cx<'_>,
    used: &mut Used,
) -> Out {
    let empty = Map::new();
    let m = node.as_map().unwrap_or(&empty);
    let g = |k: &str| m.get(k).map(|e| &e.value);
    let mut o = Obj::default();
    o.opt("profiles", string_list(g("profiles")));
    o.opt("annotations", mapping(g("annotations")));
    o.some("attach", opt_bool(g("attach")));
    o.some("build", g("build").map(|b| build(b, cx, used)));
    o.some("develop", g("develop").map(|d| develop(d, cx)));
    o.some("blkio_config", g("blkio_config").map(blkio));
    o.opt("cap_add", string_list(g("cap_add")));
    o.opt("cap_drop", string_list(g("cap_drop")));
    o.opt("cgroup_parent", string(g("cgroup_parent")));
    o.opt("cgroup", string(g("cgroup")));
    o.opt("cpu_count", int(g("cpu_count")));
    o.opt("cpu_percent", float32(g("cpu_percent")));
    o.opt("cpu_period", int(g("cpu_period")));
    o.opt("cpu_quota", int(g("cpu_quota")));
    o.opt("cpu_rt_period", micros(g("cpu_rt_period")));
    o.opt("cpu_rt_runtime", micros(g("cpu_rt_runtime")));
    o.opt("cpus", float32(g("cpus")));
    o.opt("cpuset", string(g("cpuset")));
    o.opt("cpu_shares", int(g("cpu_shares")));
    o.put("command", command(g("command")));
    o.opt("configs", file_refs(g("configs"), None, &mut used.configs));
    o.opt("container_name", string(g("container_name")));
    o.some("credential_spec", g("credential_spec").map(credential_spec));
    o.opt("depends_on", depends_on(g("depends_on"), implied));
    o.some("deploy", g("deploy").map(deploy));
    o.opt("device_cgroup_rules", string_list(g("device_cgroup_rules")));
    o.opt("devices", devices(g("devices")));
    // compose-go drops empty `dns` entries (`dns: ${UNSET}`), and only those.
    o.opt(
        "dns",
        Out::Arr(
            strings(g("dns"))
                .into_iter()
                .filter(|d| !d.is_empty())
                .map(Out::Str)
                .collect(),
        ),
    );
    o.opt("dns_opt", string_list(g("dns_opt")));
    o.opt("dns_search", string_list(g("dns_search")));
    o.opt("dockerfile", string(g("dockerfile")));
    o.opt("domainname", string(g("domainname")));
    o.put("entrypoint", command(g("entrypoint")));
    o.some("provider", g("provider").map(provider));
    o.opt("environment", environment(m, cx));
    o.opt("expose", string_list(g("expose")));
    o.opt("external_links", string_list(g("external_links")));
    o.opt("extra_hosts", extra_hosts(g("extra_hosts")));
    o.opt("group_add", string_list(g("group_add")));
    o.opt("gpus", gpus(g("gpus")));
    o.opt("hostname", string(g("hostname")));
    o.some("healthcheck", g("healthcheck").map(healthcheck));
    o.opt("image", string(g("image")));
    o.some("init", opt_bool(g("init")));
    o.opt("ipc", string(g("ipc")));
    o.opt("isolation", string(g("isolation")));
    o.opt("labels", labels(m, cx));
    o.opt("links", string_list(g("links")));
    o.some("logging", g("logging").map(logging));
    o.opt("log_driver", string(g("log_driver")));
    o.opt("log_opt", mapping(g("log_opt")));
    o.opt("mem_limit", bytes(g("mem_limit")));
    o.opt("mem_reservation", bytes(g("mem_reservation")));
    o.opt("memswap_limit", bytes(g("memswap_limit")));
    o.opt("mem_swappiness", bytes(g("mem_swappiness")));
    o.opt("mac_address", string(g("mac_address")));
    o.opt("models", models(g("models")));
    o.opt("net", string(g("net")));
    o.opt("network_mode", string(g("network_mode")));
    o.opt(
        "networks",
        networks(
            g("networks"),
            g("network_mode"),
            g("provider").is_some(),
            &mut used.networks,
        ),
    );
    o.opt("oom_kill_disable", boolean(g("oom_kill_disable")));
    o.opt("oom_score_adj", int(g("oom_score_adj")));
    o.opt("pid", string(g("pid")));
    o.opt("pids_limit", int(g("pids_limit")));
    o.opt("platform", string(g("platform")));
    o.opt("ports", ports(g("ports")));
    o.opt("privileged", boolean(g("privileged")));
    o.opt("pull_policy", string(g("pull_policy")));
    o.opt("read_only", boolean(g("read_only")));
    o.opt("restart", string(g("restart")));
    o.opt("runtime", string(g("runtime")));
    o.some("scale", opt_int(g("scale")));
    o.opt(
        "secrets",
        file_refs(g("secrets"), Some("/run/secrets/"), &mut used.secrets),
    );
    o.opt("security_opt", string_list(g("security_opt")));
    o.opt("shm_size", bytes(g("shm_size")));
    o.opt("stdin_open", boolean(g("stdin_open")));
    o.some("stop_grace_period", duration(g("stop_grace_period")));
    o.opt("stop_signal", string(g("stop_signal")));
    o.opt("storage_opt", mapping(g("storage_opt")));
    o.opt("sysctls", mapping(g("sysctls")));
    o.opt("tmpfs", string_list(g("tmpfs")));
    o.opt("tty", boolean(g("tty")));
    o.opt("ulimits", ulimits(g("ulimits")));
    o.opt("use_api_socket", boolean(g("use_api_socket")));
    o.opt("user", string(g("user")));
    o.opt("userns_mode", string(g("userns_mode")));
    o.opt("uts", string(g("uts")));
    o.opt("volume_driver", string(g("volume_driver")));
    o.opt("volumes", volumes(g("volumes"), cx, &mut used.volumes));
    o.opt("volumes_from", string_list(g("volumes_from")));
    o.opt("working_dir", string(g("working_dir")));
    o.opt("post_start", hooks(g("post_start")));
    o.opt("pre_stop", hooks(g("pre_stop")));
    o.done()
}

/// `cpu_rt_period`/`cpu_rt_runtime`: microseconds, from a number or a
/// duration.
fn micros(node: Option<&Node>) -> Out {
    match node.and_then(Node::resolve) {
        Some(Resolved::Str(s)) => crate::units::parse_duration_nanos(s)
            .ok()
            .and_then(|n| i64::try_from(n / 1_000).ok())
            .map_or(Out::Int(0), Out::Int),
        _ => int(node),
    }
}

fn credential_spec(node: &Node) -> Out {
    let mut o = Obj::default();
    for k in ["config", "file", "registry"] {
        o.opt(k, string(node.get(k)));
    }
    o.done()
}

/// `depends_on`, with the dependencies docker compose implies from
/// `links`, `volumes_from` and `network_mode`/`ipc`/`pid: service:…`.
fn depends_on(node: Option<&Node>, implied: &[(String, bool)]) -> Out {
    let mut deps: BTreeMap<String, Out> = BTreeMap::new();
    let dep = |condition: Option<String>, restart: Out, required: bool| {
        let mut o = Obj::default();
        o.put(
            "condition",
            Out::Str(condition.unwrap_or_else(|| "service_started".to_owned())),
        );
        o.opt("restart", restart);
        o.put("required", Out::Bool(required));
        o.done()
    };
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => {
            for i in items.iter().filter_map(text) {
                deps.insert(i, dep(None, Out::Bool(false), true));
            }
        }
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let g = |key: &str| e.value.get(key);
                let required = !matches!(opt_bool(g("required")), Some(Out::Bool(false)));
                deps.insert(
                    k.clone(),
                    dep(
                        g("condition").and_then(text),
                        boolean(g("restart")),
                        required,
                    ),
                );
            }
        }
        _ => {}
    }
    for (name, restart) in implied {
        deps.entry(name.clone())
            .or_insert_with(|| dep(None, Out::Bool(*restart), true));
    }
    Out::Obj(deps.into_iter().collect())
}

fn provider(node: &Node) -> Out {
    let mut o = Obj::default();
    o.opt("type", string(node.get("type")));
    let options: Vec<(String, Out)> = node
        .get("options")
        .and_then(Node::as_map)
        .map(|m| {
            let mut v: Vec<(String, Out)> = m
                .iter()
                .map(|(k, e)| {
                    (
                        k.clone(),
                        Out::Arr(strings(Some(&e.value)).into_iter().map(Out::Str).collect()),
                    )
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        })
        .unwrap_or_default();
    o.opt("options", Out::Obj(options));
    o.done()
}

/// `environment`, over what `env_file` gives; `env_file` itself is not
/// printed, as docker compose merges it away.
fn environment(service: &Map, cx: &Cx<'_>) -> Out {
    let mut env: BTreeMap<String, Out> = cx
        .env_file(service.get("env_file"), "env_file")
        .into_iter()
        .map(|(k, v)| (k, Out::Str(v)))
        .collect();
    if let Out::Obj(own) = resolved_map(service.get("environment").map(|e| &e.value), cx, true) {
        env.extend(own);
    }
    Out::Obj(env.into_iter().collect())
}

/// `labels`, over what `label_file` gives.
fn labels(service: &Map, cx: &Cx<'_>) -> Out {
    let mut labels: BTreeMap<String, Out> = cx
        .env_file(service.get("label_file"), "label_file")
        .into_iter()
        .map(|(k, v)| (k, Out::Str(v)))
        .collect();
    if let Out::Obj(own) = mapping(service.get("labels").map(|e| &e.value)) {
        labels.extend(own);
    }
    Out::Obj(labels.into_iter().collect())
}

fn healthcheck(node: &Node) -> Out {
    let g = |k: &str| node.get(k);
    let mut o = Obj::default();
    let test = match g("test").map(|t| &t.value) {
        Some(Value::Scalar(_)) => {
            let t = g("test").and_then(text).unwrap_or_default();
            Out::Arr(vec![Out::str("CMD-SHELL"), Out::Str(t)])
        }
        _ => string_list(g("test")),
    };
    o.opt("test", test);
    o.some("timeout", duration(g("timeout")));
    o.some("interval", duration(g("interval")));
    o.some("retries", opt_int(g("retries")));
    o.some("start_period", duration(g("start_period")));
    o.some("start_interval", duration(g("start_interval")));
    o.opt("disable", boolean(g("disable")));
    o.done()
}

fn logging(node: &Node) -> Out {
    let mut o = Obj::default();
    o.opt("driver", string(node.get("driver")));
    o.opt("options", mapping(node.get("options")));
    o.done()
}

fn models(node: Option<&Node>) -> Out {
    let mut out: BTreeMap<String, Out> = BTreeMap::new();
    match node.map(|n| &n.value) {
        Some(Value::Seq(_)) => {
            for m in strings(node) {
                out.insert(m, Out::Null);
            }
        }
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let mut o = Obj::default();
                o.opt("endpoint_var", string(e.value.get("endpoint_var")));
                o.opt("model_var", string(e.value.get("model_var")));
                out.insert(
                    k.clone(),
                    if e.value.is_null() {
                        Out::Null
                    } else {
                        o.done()
                    },
                );
            }
        }
        _ => {}
    }
    Out::Obj(out.into_iter().collect())
}
