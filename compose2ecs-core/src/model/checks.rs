//! The project-wide rules docker compose enforces when it loads a project
//! (compose-go's consistency checks): a file docker compose refuses is
//! refused here too, before any conversion, so `config` refuses it as well.

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::load::yaml::{Map, Node, Value};

use super::Service;

/// Checks the active `services` of the merged tree `top`.
pub(super) fn check_project(
    top: &Map,
    services: &IndexMap<String, Service>,
    inactive: &[String],
    sink: &mut Sink,
) {
    let defined = |key: &str| top.get(key).and_then(|e| e.value.as_map());
    let nodes = defined("services");
    // compose-go: `container name "app" is already in use by service worker`.
    let mut container_names: IndexMap<&str, &str> = IndexMap::new();
    for service in services.values() {
        let Some(cn) = &service.container_name else {
            continue;
        };
        if let Some(first) = container_names.insert(cn.value.as_str(), service.name.as_str()) {
            container_names.insert(cn.value.as_str(), first);
            sink.push(
                Diagnostic::error(
                    Code::InvalidName,
                    format!(
                        "`{}` has the container name `{}`, which `{first}` already has; docker compose refuses two containers of one name",
                        service.name, cn.value
                    ),
                )
                .with_path(&cn.path)
                .at(Some(&cn.loc))
                .with_help("give each service its own `container_name`, or leave it out"),
            );
        }
    }
    for service in services.values() {
        let node = nodes.and_then(|m| m.get(&service.name)).map(|e| &e.value);
        // A `provider` service (a model runner, a cloud resource) has no
        // container of its own.
        let provider = node.and_then(|n| n.get("provider")).is_some();
        if service.image.is_none() && service.build.is_none() && !provider {
            sink.push(
                Diagnostic::error(
                    Code::MissingImage,
                    format!("`{}` has neither `image:` nor `build:`", service.name),
                )
                .with_path(format!("services.{}", service.name))
                .at(Some(&service.loc)),
            );
        }
        dependencies(service, services, inactive, sink);
        if let Some(node) = node {
            references(&service.name, node, &defined, sink);
        }
    }
    file_objects(top, sink);
}

/// A secret or config that is not `external` says where its content comes
/// from, as docker compose requires.
fn file_objects(top: &Map, sink: &mut Sink) {
    for (kind, sources) in [
        ("secrets", &["file", "environment"][..]),
        ("configs", &["file", "environment", "content"][..]),
    ] {
        let Some(m) = top.get(kind).and_then(|e| e.value.as_map()) else {
            continue;
        };
        for (name, e) in m {
            let has = |k: &str| e.value.get(k).is_some_and(|v| !v.is_null());
            let external = matches!(
                e.value.get("external").map(|v| &v.value),
                Some(Value::Map(_))
            ) || e.value.get("external").and_then(Node::as_str) == Some("true");
            if !external && !sources.iter().any(|k| has(k)) {
                sink.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "{} `{name}` says neither {}: docker compose needs one",
                            &kind[..kind.len() - 1],
                            sources
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(" nor ")
                        ),
                    )
                    .with_path(format!("{kind}.{name}"))
                    .at(Some(&e.key_loc))
                    .with_help("name the file it is read from, or mark it `external: true`"),
                );
            }
        }
    }
}

/// Every required dependency is an active service.
fn dependencies(
    service: &Service,
    services: &IndexMap<String, Service>,
    inactive: &[String],
    sink: &mut Sink,
) {
    for dep in &service.depends_on {
        if services.contains_key(&dep.service) || !dep.required {
            continue;
        }
        // As in docker compose: a service cannot start without a dependency
        // whose profile is off (unless `required: false`).
        let d = if inactive.contains(&dep.service) {
            Diagnostic::error(
                Code::UnknownDependency,
                format!("`{}` depends on `{}`, whose profiles are not active", service.name, dep.service),
            )
            .with_help(format!("activate its profile (--profile or COMPOSE_PROFILES), or mark the dependency optional: depends_on: {{{}: {{condition: service_started, required: false}}}}", dep.service))
        } else {
            let mut d = Diagnostic::error(
                Code::UnknownDependency,
                format!(
                    "`{}` depends on `{}`, which is not a service of the project",
                    service.name, dep.service
                ),
            );
            if let Some(best) =
                crate::diagnostic::closest(&dep.service, services.keys().map(String::as_str))
            {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
            d
        };
        sink.push(d.with_path(&dep.path).at(Some(&dep.loc)));
    }
}

/// The networks, volumes and configs a service names are defined at the
/// top level; `network_mode` and `networks` exclude each other.
fn references<'a>(
    name: &str,
    node: &Node,
    defined: &dyn Fn(&str) -> Option<&'a Map>,
    sink: &mut Sink,
) {
    let path = format!("services.{name}");
    let undefined = |kind: &str, what: &str, at: &Node, p: String, sink: &mut Sink| {
        let known = defined(kind);
        if known.is_some_and(|m| m.contains_key(what)) {
            return;
        }
        let mut d = Diagnostic::error(
            Code::UndefinedResource,
            format!(
                "`{name}` uses {} `{what}`, which the top-level `{kind}` does not define",
                &kind[..kind.len() - 1]
            ),
        )
        .with_path(p)
        .at(Some(&at.loc));
        if let Some(best) =
            known.and_then(|m| crate::diagnostic::closest(what, m.keys().map(String::as_str)))
        {
            d = d.with_help(format!("did you mean `{best}`?"));
        } else {
            d = d.with_help(format!("define it: `{kind}: {{{what}: {{}}}}`"));
        }
        sink.push(d);
    };
    if let Some(e) = node.as_map().and_then(|m| m.get("networks")) {
        if let Some(mode) = node.get("network_mode").and_then(Node::as_str) {
            sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("`{name}` sets both `network_mode: {mode}` and `networks`, which exclude each other"),
                )
                .with_path(format!("{path}.networks"))
                .at(Some(&e.key_loc))
                .with_help("keep one of them"),
            );
        }
        let names: Vec<(String, &Node)> = match &e.value.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s.to_owned(), n)))
                .collect(),
            Value::Map(m) => m.iter().map(|(k, e)| (k.clone(), &e.value)).collect(),
            _ => Vec::new(),
        };
        for (i, (net, at)) in names.iter().enumerate() {
            if net != "default" {
                let p = match &e.value.value {
                    Value::Seq(_) => format!("{path}.networks[{i}]"),
                    _ => format!("{path}.networks.{net}"),
                };
                undefined("networks", net, at, p, sink);
            }
        }
    }
    for (i, v) in node
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let p = format!("{path}.volumes[{i}]");
        let (kind, source) = match &v.value {
            Value::Scalar(s) => {
                let mut parts = s.text.split(':');
                let first = parts.next().unwrap_or_default();
                match parts.next() {
                    Some(_) if first.starts_with(['.', '/', '~']) => ("bind", first.to_owned()),
                    Some(_) => ("volume", first.to_owned()),
                    None => ("volume", String::new()),
                }
            }
            Value::Map(m) => (
                m.get("type")
                    .and_then(|e| e.value.as_str())
                    .unwrap_or("volume"),
                m.get("source")
                    .and_then(|e| e.value.as_str())
                    .unwrap_or_default()
                    .to_owned(),
            ),
            _ => continue,
        };
        match kind {
            "volume" if !source.is_empty() => undefined("volumes", &source, v, p, sink),
            "bind" if source.is_empty() => sink.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "a bind mount needs a `source`: the host path to mount",
                )
                .with_path(p)
                .at(Some(&v.loc)),
            ),
            _ => {}
        }
    }
    for (i, c) in node
        .get("configs")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let source = match &c.value {
            Value::Scalar(s) => Some(s.text.as_str()),
            Value::Map(m) => m.get("source").and_then(|e| e.value.as_str()),
            _ => None,
        };
        if let Some(source) = source {
            undefined("configs", source, c, format!("{path}.configs[{i}]"), sink);
        }
    }
}
