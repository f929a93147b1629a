//! `build`, `develop` and the lifecycle hooks in canonical form.

use crate::load::yaml::{Map, Node, Value};

use super::fields::{command, extra_hosts, file_refs, raw_env, resolved_map, sorted, ulimits};
use super::json::{Obj, Out};
use super::read::*;
use super::{Cx, Used};

pub(super) fn build(node: &Node, cx: &Cx<'_>, used: &mut Used) -> Out {
    let empty = Map::new();
    let (context, m) = match &node.value {
        Value::Map(m) => (m.get("context").and_then(|e| text(&e.value)), m),
        _ => (text(node), &empty),
    };
    let g = |k: &str| m.get(k).map(|e| &e.value);
    let mut o = Obj::default();
    let context = context.unwrap_or_else(|| ".".to_owned());
    o.put("context", cx.context_path(&context));
    let inline = string(g("dockerfile_inline"));
    match g("dockerfile").and_then(text) {
        Some(d) => o.put("dockerfile", Out::Str(d)),
        None if inline.is_empty() => o.put("dockerfile", Out::str("Dockerfile")),
        None => {}
    }
    o.opt("dockerfile_inline", inline);
    o.opt("entitlements", string_list(g("entitlements")));
    o.opt("args", resolved_map(g("args"), cx, false));
    o.opt("provenance", string(g("provenance")));
    o.opt("sbom", string(g("sbom")));
    o.opt("ssh", ssh(g("ssh")));
    o.opt("labels", mapping(g("labels")));
    o.opt("cache_from", string_list(g("cache_from")));
    o.opt("cache_to", string_list(g("cache_to")));
    o.opt("no_cache", boolean(g("no_cache")));
    o.opt("no_cache_filter", string_list(g("no_cache_filter")));
    o.opt(
        "additional_contexts",
        Out::Obj(
            sorted(entries(g("additional_contexts")))
                .into_iter()
                .map(|(k, v)| (k, cx.context_path(&v.unwrap_or_default())))
                .collect(),
        ),
    );
    o.opt("pull", boolean(g("pull")));
    o.opt("extra_hosts", extra_hosts(g("extra_hosts")));
    o.opt("isolation", string(g("isolation")));
    o.opt("network", string(g("network")));
    o.opt("target", string(g("target")));
    o.opt("secrets", file_refs(g("secrets"), None, &mut used.secrets));
    o.opt("shm_size", bytes(g("shm_size")));
    o.opt("tags", string_list(g("tags")));
    o.opt("ulimits", ulimits(g("ulimits")));
    o.opt("platforms", string_list(g("platforms")));
    o.opt("privileged", boolean(g("privileged")));
    o.done()
}

/// `build.ssh`: `default` or `id=path`, as written.
pub(super) fn ssh(node: Option<&Node>) -> Out {
    let mut items: Vec<String> = entries(node)
        .into_iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect();
    if matches!(node.map(|n| &n.value), Some(Value::Map(_))) {
        items.sort();
    }
    Out::Arr(items.into_iter().map(Out::Str).collect())
}

pub(super) fn develop(node: &Node, cx: &Cx<'_>) -> Out {
    let mut o = Obj::default();
    let watch: Vec<Out> = seq(node.get("watch"))
        .iter()
        .map(|t| {
            let g = |k: &str| t.get(k);
            let mut w = Obj::default();
            w.put(
                "path",
                g("path")
                    .and_then(text)
                    .map_or(Out::str(""), |p| cx.path(&p)),
            );
            w.put("action", string(g("action")));
            w.opt("target", string(g("target")));
            w.put("exec", hook(g("exec")));
            w.opt("include", string_list(g("include")));
            w.opt("ignore", string_list(g("ignore")));
            w.opt("initial_sync", boolean(g("initial_sync")));
            w.done()
        })
        .collect();
    o.opt("watch", Out::Arr(watch));
    o.done()
}

/// A `ServiceHook` (`post_start`, `pre_stop`, a watch's `exec`).
pub(super) fn hook(node: Option<&Node>) -> Out {
    let g = |k: &str| node.and_then(|n| n.get(k));
    let mut o = Obj::default();
    o.put("command", command(g("command")));
    o.opt("user", string(g("user")));
    o.opt("privileged", boolean(g("privileged")));
    o.opt("working_dir", string(g("working_dir")));
    o.opt("environment", raw_env(g("environment")));
    o.done()
}

pub(super) fn hooks(node: Option<&Node>) -> Out {
    Out::Arr(seq(node).iter().map(|h| hook(Some(h))).collect())
}

pub(super) fn blkio(node: &Node) -> Out {
    let g = |k: &str| node.get(k);
    let mut o = Obj::default();
    o.opt("weight", int(g("weight")));
    let devices = |key: &str, value: &str, as_bytes: bool| {
        Out::Arr(
            seq(g(key))
                .iter()
                .map(|d| {
                    let mut o = Obj::default();
                    o.put("Path", string(d.get("path")));
                    let v = d.get(value);
                    o.put(
                        if as_bytes { "Rate" } else { "Weight" },
                        if as_bytes {
                            match bytes(v) {
                                Out::Str(s) if s.is_empty() => Out::str("0"),
                                b => b,
                            }
                        } else {
                            int(v)
                        },
                    );
                    o.done()
                })
                .collect(),
        )
    };
    o.opt("weight_device", devices("weight_device", "weight", false));
    for key in [
        "device_read_bps",
        "device_read_iops",
        "device_write_bps",
        "device_write_iops",
    ] {
        o.opt(key, devices(key, "rate", true));
    }
    o.done()
}
