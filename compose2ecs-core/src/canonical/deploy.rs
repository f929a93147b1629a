//! `deploy`, `devices` and `gpus` in canonical form.

use crate::load::yaml::{Node, Resolved, Value};

use super::json::{Obj, Out};
use super::read::*;

pub(super) fn deploy(node: &Node) -> Out {
    let g = |k: &str| node.get(k);
    let mut o = Obj::default();
    o.opt("mode", string(g("mode")));
    o.some("replicas", opt_int(g("replicas")));
    o.opt("labels", mapping(g("labels")));
    o.some("update_config", g("update_config").map(update_config));
    o.some("rollback_config", g("rollback_config").map(update_config));
    let res = g("resources");
    let mut r = Obj::default();
    r.some("limits", res.and_then(|r| r.get("limits")).map(resource));
    r.some(
        "reservations",
        res.and_then(|r| r.get("reservations")).map(resource),
    );
    o.put("resources", r.done());
    o.some(
        "restart_policy",
        g("restart_policy").map(|p| {
            let g = |k: &str| p.get(k);
            let mut o = Obj::default();
            o.opt("condition", string(g("condition")));
            o.some("delay", duration(g("delay")));
            o.some("max_attempts", opt_int(g("max_attempts")));
            o.some("window", duration(g("window")));
            o.done()
        }),
    );
    let placement = g("placement");
    let pg = |k: &str| placement.and_then(|p| p.get(k));
    let mut p = Obj::default();
    p.opt("constraints", string_list(pg("constraints")));
    p.opt(
        "preferences",
        Out::Arr(
            seq(pg("preferences"))
                .iter()
                .map(|pref| {
                    let mut o = Obj::default();
                    o.opt("spread", string(pref.get("spread")));
                    o.done()
                })
                .collect(),
        ),
    );
    p.opt("max_replicas_per_node", int(pg("max_replicas_per_node")));
    o.put("placement", p.done());
    o.opt("endpoint_mode", string(g("endpoint_mode")));
    o.done()
}

pub(super) fn update_config(node: &Node) -> Out {
    let g = |k: &str| node.get(k);
    let mut o = Obj::default();
    o.some("parallelism", opt_int(g("parallelism")));
    o.opt("delay", duration_or_empty(g("delay")));
    o.opt("failure_action", string(g("failure_action")));
    o.opt("monitor", duration_or_empty(g("monitor")));
    o.opt("max_failure_ratio", float32(g("max_failure_ratio")));
    o.opt("order", string(g("order")));
    o.done()
}

pub(super) fn resource(node: &Node) -> Out {
    let g = |k: &str| node.get(k);
    let mut o = Obj::default();
    o.opt("cpus", float32(g("cpus")));
    o.opt("memory", bytes(g("memory")));
    o.opt("pids", int(g("pids")));
    o.opt(
        "devices",
        Out::Arr(seq(g("devices")).iter().map(device_request).collect()),
    );
    o.opt(
        "generic_resources",
        Out::Arr(
            seq(g("generic_resources"))
                .iter()
                .map(|r| {
                    let mut o = Obj::default();
                    o.some(
                        "discrete_resource_spec",
                        r.get("discrete_resource_spec").map(|d| {
                            let mut o = Obj::default();
                            o.put("kind", string(d.get("kind")));
                            o.put("value", int(d.get("value")));
                            o.done()
                        }),
                    );
                    o.done()
                })
                .collect(),
        ),
    );
    o.done()
}

/// A `DeviceRequest` (`deploy.resources.reservations.devices`, `gpus`).
pub(super) fn device_request(node: &Node) -> Out {
    let g = |k: &str| node.get(k);
    let mut o = Obj::default();
    o.opt("capabilities", string_list(g("capabilities")));
    o.opt("driver", string(g("driver")));
    // Neither a count nor IDs: all the devices (-1).
    let count = match (g("count"), g("device_ids")) {
        (None, None) => Out::Int(-1),
        (count, _) => device_count(count),
    };
    o.opt("count", count);
    o.opt("device_ids", string_list(g("device_ids")));
    o.opt("options", mapping(g("options")));
    o.done()
}

/// A device count: a number, or `all` (-1).
pub(super) fn device_count(node: Option<&Node>) -> Out {
    match node.and_then(Node::resolve) {
        Some(Resolved::Str("all")) => Out::Int(-1),
        _ => int(node),
    }
}

pub(super) fn gpus(node: Option<&Node>) -> Out {
    match node.map(|n| &n.value) {
        Some(Value::Scalar(_)) => {
            let mut o = Obj::default();
            o.put("count", device_count(node));
            Out::Arr(vec![o.done()])
        }
        Some(Value::Seq(items)) => Out::Arr(items.iter().map(device_request).collect()),
        _ => Out::Arr(Vec::new()),
    }
}

/// `devices`: `host[:container[:permissions]]` in the long syntax.
pub(super) fn devices(node: Option<&Node>) -> Out {
    let items = seq(node);
    Out::Arr(
        items
            .iter()
            .map(|d| {
                let mut o = Obj::default();
                match &d.value {
                    Value::Map(_) => {
                        o.opt("source", string(d.get("source")));
                        o.opt("target", string(d.get("target")));
                        o.opt("permissions", string(d.get("permissions")));
                    }
                    _ => {
                        let t = text(d).unwrap_or_default();
                        let parts: Vec<&str> = t.split(':').collect();
                        let (s, t, p) = match parts.as_slice() {
                            [s] => (*s, *s, "rwm"),
                            [s, t] => (*s, *t, "rwm"),
                            [s, t, p, ..] => (*s, *t, *p),
                            [] => ("", "", "rwm"),
                        };
                        o.opt("source", Out::str(s));
                        o.opt("target", Out::str(t));
                        o.opt("permissions", Out::str(p));
                    }
                }
                o.done()
            })
            .collect(),
    )
}
