//! `healthcheck` and `depends_on`: when a service is ready, and what it waits for.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::load::yaml::{Node, Resolved, Value};
use crate::units;

use super::read::*;
use super::*;

pub(super) fn duration(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u64>> {
    let text = scalar(sink, node, path)?;
    match units::parse_duration_secs(&text) {
        Ok(secs) => Some(spanned(secs, node, path)),
        Err(m) => {
            value_error(sink, node, path, m);
            None
        }
    }
}

pub(super) fn healthcheck(sink: &mut Sink, node: &Node, path: &str) -> Option<Healthcheck> {
    let Some(map) = node.as_map() else {
        type_error(sink, node, path, "a mapping");
        return None;
    };
    let mut hc = Healthcheck {
        test: None,
        interval: None,
        timeout: None,
        retries: None,
        start_period: None,
        loc: node.loc.clone(),
    };
    let mut disabled = false;
    for (key, e) in map {
        let p = child(path, key);
        let v = &e.value;
        match key.as_str() {
            "test" => {
                hc.test = match &v.value {
                    Value::Scalar(s) => Some(vec!["CMD-SHELL".to_owned(), s.text.clone()]),
                    Value::Seq(_) => {
                        let list = scalar_list(sink, v, &p)?;
                        match list.first().map(String::as_str) {
                            Some("NONE") => {
                                disabled = true;
                                None
                            }
                            Some("CMD" | "CMD-SHELL") => Some(list),
                            _ => {
                                value_error(
                                    sink,
                                    v,
                                    &p,
                                    "a test list starts with CMD, CMD-SHELL or NONE".to_owned(),
                                );
                                None
                            }
                        }
                    }
                    Value::Null => None,
                    Value::Map(_) => {
                        type_error(sink, v, &p, "a string or a list");
                        None
                    }
                }
            }
            "interval" => hc.interval = duration(sink, v, &p),
            "timeout" => hc.timeout = duration(sink, v, &p),
            "start_period" => hc.start_period = duration(sink, v, &p),
            "retries" => hc.retries = uint(sink, v, &p).map(|n| spanned(n, v, &p)),
            "disable" => match v.resolve() {
                Some(Resolved::Bool(b)) => disabled |= b,
                Some(Resolved::Str("true")) => disabled = true,
                Some(Resolved::Str("false")) => {}
                _ => type_error(sink, v, &p, "a boolean"),
            },
            "start_interval" => sink.push(
                Diagnostic::warning(
                    Code::HealthcheckOptionDropped,
                    "`healthcheck.start_interval` has no ECS equivalent and is dropped",
                )
                .with_path(p)
                .at(Some(&e.key_loc)),
            ),
            k if k.starts_with("x-") => {}
            _ => unsupported_nested(sink, key, &p, &e.key_loc),
        }
    }
    if disabled {
        hc.test = None;
    }
    Some(hc)
}

pub(super) fn depends_on(sink: &mut Sink, node: &Node, path: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    match &node.value {
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if let Some(name) = scalar(sink, item, &p) {
                    out.push(Dependency {
                        implied: false,
                        service: name,
                        condition: "service_started".to_owned(),
                        required: true,
                        loc: item.loc.clone(),
                        path: p,
                    });
                }
            }
        }
        Value::Map(map) => {
            for (name, e) in map {
                let p = child(path, name);
                let mut dep = Dependency {
                    implied: false,
                    service: name.clone(),
                    condition: "service_started".to_owned(),
                    required: true,
                    loc: e.key_loc.clone(),
                    path: p.clone(),
                };
                if let Some(opts) = e.value.as_map() {
                    for (k, o) in opts {
                        let op = child(&p, k);
                        match k.as_str() {
                            "condition" => {
                                if let Some(c) = scalar(sink, &o.value, &op) {
                                    if matches!(
                                        c.as_str(),
                                        "service_started"
                                            | "service_healthy"
                                            | "service_completed_successfully"
                                    ) {
                                        dep.condition = c;
                                    } else {
                                        value_error(
                                            sink,
                                            &o.value,
                                            &op,
                                            format!(
                                                "unknown condition `{c}`; use service_started, service_healthy or service_completed_successfully"
                                            ),
                                        );
                                    }
                                }
                            }
                            "required" => {
                                dep.required = !matches!(
                                    o.value.resolve(),
                                    Some(Resolved::Bool(false) | Resolved::Str("false"))
                                );
                            }
                            "restart" => {}
                            _ => unsupported_nested(sink, k, &op, &o.key_loc),
                        }
                    }
                } else if !e.value.is_null() {
                    type_error(sink, &e.value, &p, "a mapping with `condition`");
                }
                out.push(dep);
            }
        }
        _ => type_error(sink, node, path, "a list or a mapping"),
    }
    out
}
