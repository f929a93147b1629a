//! Field types several of compose-go's structs share (`ShellCommand`,
//! `HostsList`, `MappingWithEquals`, file references, ulimits), in
//! canonical form.

use std::collections::BTreeMap;

use crate::load::yaml::{Node, Resolved, Value};

use super::Cx;
use super::json::{Obj, Out};
use super::read::*;

/// `command`/`entrypoint`: always printed, `null` when unset; a string is
/// split as a shell would.
pub(super) fn command(node: Option<&Node>) -> Out {
    let Some(n) = node else {
        return Out::Null;
    };
    match &n.value {
        Value::Null => Out::Null,
        Value::Seq(_) => string_list(node),
        Value::Scalar(_) => {
            let t = text(n).unwrap_or_default();
            match shell_words::split(&t) {
                Ok(words) => Out::Arr(words.into_iter().map(Out::Str).collect()),
                Err(_) => Out::Arr(vec![Out::Str(t)]),
            }
        }
        Value::Map(_) => Out::Null,
    }
}

/// `extra_hosts` as compose-go's `HostsList`: `host=address`, sorted.
pub(super) fn extra_hosts(node: Option<&Node>) -> Out {
    let mut hosts: Vec<String> = Vec::new();
    match node.map(|n| &n.value) {
        Some(Value::Map(m)) => {
            for (k, e) in m {
                for ip in strings(Some(&e.value)) {
                    hosts.push(format!("{k}={ip}"));
                }
            }
        }
        Some(Value::Seq(_)) => {
            for h in strings(node) {
                let (host, ips) = match h.split_once('=') {
                    Some(p) => p,
                    None => h.split_once(':').unwrap_or((&h, "")),
                };
                for ip in ips.split(',') {
                    hosts.push(format!("{host}={ip}"));
                }
            }
        }
        _ => {}
    }
    hosts.sort();
    Out::Arr(hosts.into_iter().map(Out::Str).collect())
}

/// `configs` and `secrets` of a service: short names in the long syntax,
/// each source recorded as used.
pub(super) fn file_refs(
    node: Option<&Node>,
    default_dir: Option<&str>,
    used: &mut Vec<String>,
) -> Out {
    let items = seq(node);
    Out::Arr(
        items
            .iter()
            .map(|item| {
                let g = |k: &str| item.get(k);
                let source = match &item.value {
                    Value::Map(_) => g("source").and_then(text).unwrap_or_default(),
                    _ => text(item).unwrap_or_default(),
                };
                used.push(source.clone());
                let mut o = Obj::default();
                o.put("source", Out::Str(source.clone()));
                let target = g("target").and_then(text);
                match (target, default_dir) {
                    (Some(t), _) => o.put("target", Out::Str(t)),
                    (None, Some(dir)) => o.put("target", Out::Str(format!("{dir}{source}"))),
                    (None, None) => {}
                }
                o.opt("uid", string(g("uid")));
                o.opt("gid", string(g("gid")));
                o.some("mode", g("mode").and_then(file_mode));
                o.done()
            })
            .collect(),
    )
}

/// A file mode, printed as compose-go's `FileMode`: `"0440"`. An integer
/// is taken as written in decimal, a string as octal.
fn file_mode(node: &Node) -> Option<Out> {
    let mode = match node.resolve()? {
        Resolved::Int(i) => i,
        Resolved::Str(s) => i64::from_str_radix(s.trim(), 8).ok()?,
        _ => return None,
    };
    Some(Out::Str(format!("0{mode:o}")))
}

/// `environment` of a hook, as written: a bare key is `null`.
pub(super) fn raw_env(node: Option<&Node>) -> Out {
    Out::Obj(
        sorted(entries(node))
            .into_iter()
            .map(|(k, v)| (k, v.map_or(Out::Null, Out::Str)))
            .collect(),
    )
}

/// A `MappingWithEquals` resolved as docker compose resolves it: a bare
/// key takes the environment's value, or, unset, stays `null` (without
/// `keep_unset`: is left out, as build `args` are).
pub(super) fn resolved_map(node: Option<&Node>, cx: &Cx<'_>, keep_unset: bool) -> Out {
    Out::Obj(
        sorted(entries(node))
            .into_iter()
            .filter_map(|(k, v)| {
                let v = v.or_else(|| cx.env.get(&k).cloned());
                match v {
                    Some(v) => Some((k, Out::Str(v))),
                    None if keep_unset => Some((k, Out::Null)),
                    None => None,
                }
            })
            .collect(),
    )
}

/// Entries sorted by key, the last of a repeated key winning.
pub(super) fn sorted(list: Vec<(String, Option<String>)>) -> Vec<(String, Option<String>)> {
    let map: BTreeMap<String, Option<String>> = list.into_iter().collect();
    map.into_iter().collect()
}

pub(super) fn ulimits(node: Option<&Node>) -> Out {
    let Some(m) = node.and_then(Node::as_map) else {
        return Out::Obj(Vec::new());
    };
    let mut out: Vec<(String, Out)> = m
        .iter()
        .map(|(k, e)| {
            let v = match &e.value.value {
                Value::Map(_) => {
                    let mut o = Obj::default();
                    o.opt("soft", int(e.value.get("soft")));
                    o.opt("hard", int(e.value.get("hard")));
                    o.done()
                }
                _ => int(Some(&e.value)),
            };
            (k.clone(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Out::Obj(out)
}
