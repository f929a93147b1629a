//! `networks`, `ports` and `volumes` in canonical form: every short syntax
//! in its long one.

use std::collections::BTreeMap;

use crate::load::yaml::{Node, Value};

use super::Cx;
use super::json::{Obj, Out};
use super::read::*;

/// A service's networks; `default` when it names none and has no
/// `network_mode`.
pub(super) fn networks(
    node: Option<&Node>,
    mode: Option<&Node>,
    provider: bool,
    used: &mut Vec<String>,
) -> Out {
    let mut out: BTreeMap<String, Out> = BTreeMap::new();
    match node.map(|n| &n.value) {
        Some(Value::Seq(_)) => {
            for n in strings(node) {
                out.insert(n, Out::Null);
            }
        }
        Some(Value::Map(m)) => {
            for (k, e) in m {
                let v = if e.value.is_null() {
                    Out::Null
                } else {
                    let g = |key: &str| e.value.get(key);
                    let mut o = Obj::default();
                    o.opt("aliases", string_list(g("aliases")));
                    o.opt("driver_opts", mapping(g("driver_opts")));
                    o.opt("gw_priority", int(g("gw_priority")));
                    o.opt("interface_name", string(g("interface_name")));
                    o.opt("ipv4_address", string(g("ipv4_address")));
                    o.opt("ipv6_address", string(g("ipv6_address")));
                    o.opt("link_local_ips", string_list(g("link_local_ips")));
                    o.opt("mac_address", string(g("mac_address")));
                    o.opt("priority", int(g("priority")));
                    o.done()
                };
                out.insert(k.clone(), v);
            }
        }
        _ => {}
    }
    if out.is_empty() && mode.and_then(text).is_none() && !provider {
        out.insert("default".to_owned(), Out::Null);
    }
    used.extend(out.keys().cloned());
    Out::Obj(out.into_iter().collect())
}

/// `ports`, each short-syntax entry expanded into one long-syntax entry per
/// port of its range.
pub(super) fn ports(node: Option<&Node>) -> Out {
    let mut out = Vec::new();
    for item in seq(node) {
        match &item.value {
            Value::Map(_) => {
                let g = |k: &str| item.get(k);
                let mut o = Obj::default();
                o.opt("name", string(g("name")));
                o.put(
                    "mode",
                    Out::Str(
                        g("mode")
                            .and_then(text)
                            .unwrap_or_else(|| "ingress".to_owned()),
                    ),
                );
                o.opt("host_ip", string(g("host_ip")));
                o.opt("target", int(g("target")));
                o.opt("published", string(g("published")));
                o.put(
                    "protocol",
                    Out::Str(
                        g("protocol")
                            .and_then(text)
                            .unwrap_or_else(|| "tcp".to_owned()),
                    ),
                );
                o.opt("app_protocol", string(g("app_protocol")));
                out.push(o.done());
            }
            _ => {
                let t = text(item).unwrap_or_default();
                let Ok((ip, host, container, protocol)) = crate::model::parse_short_port(&t) else {
                    continue;
                };
                let single_host =
                    host.filter(|h| h.start != h.end && container.start == container.end);
                for (i, port) in (container.start..=container.end).enumerate() {
                    let published = match (host, single_host) {
                        (Some(h), Some(_)) => format!("{}-{}", h.start, h.end),
                        (Some(h), None) => (u32::from(h.start) + i as u32).to_string(),
                        (None, _) => String::new(),
                    };
                    let mut o = Obj::default();
                    o.put("mode", Out::str("ingress"));
                    o.opt("host_ip", Out::Str(ip.clone().unwrap_or_default()));
                    o.put("target", Out::Int(i64::from(port)));
                    o.opt("published", Out::Str(published));
                    o.put("protocol", Out::Str(protocol.clone()));
                    out.push(o.done());
                }
            }
        }
    }
    Out::Arr(out)
}

/// `volumes`, short syntax in the long form, host paths absolute.
pub(super) fn volumes(node: Option<&Node>, cx: &Cx<'_>, used: &mut Vec<String>) -> Out {
    let mut out = Vec::new();
    for item in seq(node) {
        let v = match &item.value {
            Value::Map(_) => long_volume(item, cx),
            _ => short_volume(&text(item).unwrap_or_default(), cx),
        };
        if let Out::Obj(fields) = &v {
            let field = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v);
            if let (Some(Out::Str(t)), Some(Out::Str(s))) = (field("type"), field("source")) {
                if t == "volume" {
                    used.push(s.clone());
                }
            }
        }
        out.push(v);
    }
    Out::Arr(out)
}

pub(super) fn long_volume(item: &Node, cx: &Cx<'_>) -> Out {
    let g = |k: &str| item.get(k);
    let kind = g("type")
        .and_then(text)
        .unwrap_or_else(|| "volume".to_owned());
    let mut o = Obj::default();
    o.put("type", Out::Str(kind.clone()));
    let source = g("source").and_then(text).unwrap_or_default();
    if kind == "bind" && !source.is_empty() {
        o.put("source", cx.path(&source));
    } else {
        o.opt("source", Out::Str(source));
    }
    o.opt("target", string(g("target")));
    o.opt("read_only", boolean(g("read_only")));
    o.opt("consistency", string(g("consistency")));
    o.some(
        "bind",
        g("bind").map(|b| {
            let g = |k: &str| b.get(k);
            let mut o = Obj::default();
            o.opt("selinux", string(g("selinux")));
            o.opt("propagation", string(g("propagation")));
            o.opt("create_host_path", boolean(g("create_host_path")));
            o.opt("recursive", string(g("recursive")));
            o.done()
        }),
    );
    o.some(
        "volume",
        g("volume").map(|v| {
            let g = |k: &str| v.get(k);
            let mut o = Obj::default();
            o.opt("labels", mapping(g("labels")));
            o.opt("nocopy", boolean(g("nocopy")));
            o.opt("subpath", string(g("subpath")));
            o.done()
        }),
    );
    o.some(
        "tmpfs",
        g("tmpfs").map(|t| {
            let mut o = Obj::default();
            o.opt("size", bytes(t.get("size")));
            o.opt("mode", int(t.get("mode")));
            o.done()
        }),
    );
    o.some(
        "image",
        g("image").map(|i| {
            let mut o = Obj::default();
            o.opt("subpath", string(i.get("subpath")));
            o.done()
        }),
    );
    o.done()
}

/// `SOURCE:TARGET[:OPTIONS]` or `TARGET`, as compose-go's `ParseVolume`
/// reads it.
pub(super) fn short_volume(spec: &str, cx: &Cx<'_>) -> Out {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, options) = match parts.as_slice() {
        [t] => ("", *t, ""),
        [s, t] => (*s, *t, ""),
        [s, t, rest @ ..] => (*s, *t, rest.first().copied().unwrap_or("")),
        [] => ("", "", ""),
    };
    let is_path = source.starts_with(['.', '/', '~']);
    let mut o = Obj::default();
    let kind = if is_path { "bind" } else { "volume" };
    o.put("type", Out::str(kind));
    if is_path {
        o.put("source", cx.path(source));
    } else {
        o.opt("source", Out::str(source));
    }
    // The target is cleaned as Go's `path.Clean` does (`/html/` → `/html`).
    let clean = crate::load::paths::normalize(std::path::Path::new(target));
    o.put("target", Out::Str(clean.to_string_lossy().into_owned()));
    let opts: Vec<&str> = options.split(',').filter(|s| !s.is_empty()).collect();
    o.opt("read_only", Out::Bool(opts.contains(&"ro")));
    if is_path {
        let mut b = Obj::default();
        if let Some(z) = opts.iter().find(|o| matches!(**o, "z" | "Z")) {
            b.put("selinux", Out::str(*z));
        }
        if let Some(p) = opts.iter().find(|o| {
            matches!(
                **o,
                "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"
            )
        }) {
            b.put("propagation", Out::str(*p));
        }
        b.put("create_host_path", Out::Bool(true));
        o.put("bind", b.done());
    } else {
        let mut v = Obj::default();
        v.opt("nocopy", Out::Bool(opts.contains(&"nocopy")));
        o.put("volume", v.done());
    }
    o.done()
}
