//! `deploy`, `cpus`, `mem_*` and `scale`: replicas and resources.

use crate::diagnostic::Sink;
use crate::load::yaml::Node;
use crate::units;

use super::read::*;
use super::*;

pub(super) fn cpus(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u32>> {
    let text = scalar(sink, node, path)?;
    match units::parse_cpus(&text) {
        Ok(u) => Some(spanned(u, node, path)),
        Err(m) => {
            value_error(sink, node, path, m);
            None
        }
    }
}

pub(super) fn memory(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u64>> {
    let text = scalar(sink, node, path)?;
    match units::parse_bytes(&text) {
        Ok(bytes) => Some(spanned(units::bytes_to_mib(bytes), node, path)),
        Err(m) => {
            value_error(sink, node, path, m);
            None
        }
    }
}

pub(super) fn replicas(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u32>> {
    let n = uint(sink, node, path)?;
    match u32::try_from(n) {
        Ok(n) => Some(spanned(n, node, path)),
        Err(_) => {
            value_error(
                sink,
                node,
                path,
                format!("{n} replicas is more than ECS runs"),
            );
            None
        }
    }
}

pub(super) fn deploy(sink: &mut Sink, node: &Node, path: &str, s: &mut Service) {
    let Some(map) = node.as_map() else {
        type_error(sink, node, path, "a mapping");
        return;
    };
    let mut limits_and_reservations = Vec::new();
    for (key, e) in map {
        let p = child(path, key);
        let v = &e.value;
        match key.as_str() {
            "replicas" => {
                if let Some(r) = replicas(sink, v, &p) {
                    limits_and_reservations.push(("replicas", Some(r), None, None));
                }
            }
            "resources" => {
                let Some(res) = v.as_map() else {
                    if !v.is_null() {
                        type_error(sink, v, &p, "a mapping");
                    }
                    continue;
                };
                for (rk, re) in res {
                    let rp = child(&p, rk);
                    let which = match rk.as_str() {
                        "limits" => "limits",
                        "reservations" => "reservations",
                        k if k.starts_with("x-") => continue,
                        _ => {
                            unsupported_nested(sink, rk, &rp, &re.key_loc);
                            continue;
                        }
                    };
                    let Some(entries) = re.value.as_map() else {
                        if !re.value.is_null() {
                            type_error(sink, &re.value, &rp, "a mapping");
                        }
                        continue;
                    };
                    for (lk, le) in entries {
                        let lp = child(&rp, lk);
                        match lk.as_str() {
                            "cpus" => limits_and_reservations.push((
                                which,
                                None,
                                cpus(sink, &le.value, &lp),
                                None,
                            )),
                            "memory" => limits_and_reservations.push((
                                which,
                                None,
                                None,
                                memory(sink, &le.value, &lp),
                            )),
                            k if k.starts_with("x-") => {}
                            k => s.others.push(super::settings::read(
                                &format!("deploy.resources.{which}.{k}"),
                                le,
                                lp,
                                sink,
                            )),
                        }
                    }
                }
            }
            "restart_policy" => {
                let condition = v.get("condition").filter(|c| !c.is_null());
                if let Some(c) = condition {
                    let cp = child(&p, "condition");
                    if s.restart.is_none() {
                        s.restart = scalar(sink, c, &cp).map(|t| spanned(t, c, &cp));
                    }
                }
                s.others
                    .push(super::settings::read("deploy.restart_policy", e, p, sink));
            }
            k if k.starts_with("x-") => {}
            k => s
                .others
                .push(super::settings::read(&format!("deploy.{k}"), e, p, sink)),
        }
    }
    for (which, replicas, cpu, mem) in limits_and_reservations {
        match which {
            "replicas" => s.replicas = replicas,
            "limits" => {
                if cpu.is_some() {
                    s.cpu_limit = cpu;
                }
                if mem.is_some() {
                    s.memory_limit = mem;
                }
            }
            _ => {
                if cpu.is_some() {
                    s.cpu_reservation = cpu;
                }
                if mem.is_some() {
                    s.memory_reservation = mem;
                }
            }
        }
    }
}
