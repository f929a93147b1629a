//! The project: its name, its top-level keys, its active services.

use std::collections::HashMap;
use std::path::PathBuf;

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::yaml::{Entry, Map, Node, Value};

use super::read::*;
use super::service::build_service;
use super::*;

/// Reads the project: every active service, typed.
pub(crate) fn build_project(
    root: &Node,
    ctx: &ModelContext<'_>,
    sink: &mut Sink,
) -> Option<Project> {
    let Some(top) = root.as_map() else {
        sink.push(
            Diagnostic::error(
                Code::InvalidType,
                format!(
                    "a compose file must be a mapping with `services:`, not {}",
                    root.kind_name()
                ),
            )
            .at(Some(&root.loc)),
        );
        return None;
    };
    for (key, entry) in top {
        if key.starts_with("x-") {
            continue;
        }
        let Some(row) = crate::model::support::top_level_key(key) else {
            sink.push(
                Diagnostic::warning(
                    Code::SchemaViolation,
                    format!(
                        "`{key}` is not a top-level key of the Compose Specification and is ignored"
                    ),
                )
                .with_path(key.as_str())
                .at(Some(&entry.key_loc))
                .with_help("extensions are written `x-name` and are ignored silently"),
            );
            continue;
        };
        let d = match row.fargate {
            crate::model::support::Handling::Noted => Diagnostic::note(
                Code::IgnoredKey,
                format!("top-level `{key}` is not converted: {}", row.note),
            ),
            crate::model::support::Handling::Dropped | crate::model::support::Handling::Error => {
                Diagnostic::warning(
                    Code::UnsupportedKey,
                    format!("top-level `{key}` is not converted: {}", row.note),
                )
            }
            _ => continue,
        };
        sink.push(d.with_path(key.as_str()).at(Some(&entry.key_loc)));
    }

    let name = project_name(top, ctx, sink)?;

    let services_node = top.get("services").map(|e| &e.value);
    let mut services =
        IndexMap::with_capacity(services_node.and_then(Node::as_map).map_or(0, |m| m.len()));
    let mut inactive_services = Vec::new();
    match services_node.map(|n| &n.value) {
        Some(Value::Map(map)) => {
            for (svc_name, entry, path, built, found) in build_services(map, ctx) {
                sink.append(found);
                if let Some(service) = built {
                    let active = service.profiles.is_empty()
                        || ctx.profiles.iter().any(|p| p == "*")
                        || service.profiles.iter().any(|p| ctx.profiles.contains(p));
                    if active {
                        services.insert(svc_name.clone(), service);
                    } else {
                        inactive_services.push(svc_name.clone());
                        sink.push(
                            Diagnostic::note(
                                Code::InactiveProfile,
                                format!(
                                    "service `{svc_name}` is left out: its profiles ({}) are not active",
                                    service.profiles.join(", ")
                                ),
                            )
                            .with_path(path)
                            .at(Some(&entry.key_loc))
                            .with_help("activate a profile with --profile NAME"),
                        );
                    }
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => {
            if let Some(n) = services_node {
                type_error(
                    sink,
                    n,
                    "services",
                    "a mapping of service names to services",
                );
            }
            return None;
        }
    }
    check_dependency_cycles(&services, sink);
    if ctx.consistency_check {
        super::checks::check_project(top, &services, &inactive_services, sink);
    }
    let names = |key: &str| -> IndexMap<String, Location> {
        top.get(key)
            .and_then(|e| e.value.as_map())
            .map(|m| {
                m.iter()
                    .map(|(k, e)| (k.clone(), e.key_loc.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let volumes = names("volumes");
    let secrets = names("secrets");
    for service in services.values() {
        for r in &service.secrets {
            if !secrets.contains_key(&r.source) {
                let mut d = Diagnostic::error(
                    Code::UnknownSecret,
                    format!(
                        "`{}` uses secret `{}`, which the top-level `secrets` does not define",
                        service.name, r.source
                    ),
                )
                .with_path(&r.path)
                .at(Some(&r.loc));
                if let Some(best) =
                    crate::diagnostic::closest(&r.source, secrets.keys().map(String::as_str))
                {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                sink.push(d);
            }
        }
    }
    let docker_ecs = |k: &str| k.starts_with("x-aws-") || k.starts_with("x-ecs");
    let mut aws_extensions: Vec<AwsExtension> = top
        .iter()
        .filter(|(k, _)| docker_ecs(k))
        .map(|(k, e)| AwsExtension {
            service: None,
            key: k.clone(),
            key_loc: e.key_loc.clone(),
            value: e.value.clone(),
        })
        .collect();
    if let Some(Value::Map(map)) = services_node.map(|n| &n.value) {
        for (svc, entry) in map.iter().filter(|(s, _)| services.contains_key(*s)) {
            for (k, e) in entry.value.as_map().into_iter().flatten() {
                if docker_ecs(k) {
                    aws_extensions.push(AwsExtension {
                        service: Some(svc.clone()),
                        key: k.clone(),
                        key_loc: e.key_loc.clone(),
                        value: e.value.clone(),
                    });
                }
            }
        }
    }
    Some(Project {
        name,
        services_loc: services_node.map_or(&root.loc, |n| &n.loc).clone(),
        services,
        inactive_services,
        volumes,
        secrets,
        aws_extensions,
    })
}

/// `depends_on` must not loop: compose refuses a project whose services wait
/// for each other. Reports each cycle once, at the dependency that closes it.
pub(super) fn check_dependency_cycles(services: &IndexMap<String, Service>, sink: &mut Sink) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    // Depth-first, with an explicit stack: a chain of thousands of services
    // must not exhaust the thread's stack.
    let mut marks: HashMap<&str, Mark> = HashMap::new();
    for root in services.keys() {
        if marks.contains_key(root.as_str()) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(root.as_str(), 0)];
        marks.insert(root.as_str(), Mark::Active);
        while let Some((name, next)) = stack.last_mut() {
            let deps = services
                .get(*name)
                .map_or(&[][..], |s| s.depends_on.as_slice());
            let Some(dep) = deps.get(*next) else {
                marks.insert(*name, Mark::Done);
                stack.pop();
                continue;
            };
            *next += 1;
            match marks.get(dep.service.as_str()) {
                Some(Mark::Active) => {
                    let start = stack
                        .iter()
                        .position(|(s, _)| *s == dep.service)
                        .unwrap_or(0);
                    let mut chain: Vec<&str> = stack[start..].iter().map(|(s, _)| *s).collect();
                    chain.push(&dep.service);
                    sink.push(
                        Diagnostic::error(
                            Code::Cycle,
                            format!("`depends_on` cycle: {}", chain.join(" → ")),
                        )
                        .with_path(&dep.path)
                        .at(Some(&dep.loc))
                        .with_help(
                            "services cannot wait for each other; remove one of these dependencies",
                        ),
                    );
                }
                None => {
                    if let Some((key, _)) = services.get_key_value(dep.service.as_str()) {
                        marks.insert(key.as_str(), Mark::Active);
                        stack.push((key.as_str(), 0));
                    }
                }
                Some(Mark::Done) => {}
            }
        }
    }
}

/// The caller's name (`-p` > `COMPOSE_PROJECT_NAME`, see
/// [`crate::load::discover::project_name`]) > top-level `name:` > the
/// directory's name, as docker compose decides it.
pub(super) fn project_name(
    top: &crate::load::yaml::Map,
    ctx: &ModelContext<'_>,
    sink: &mut Sink,
) -> Option<String> {
    let (name, loc) = if let Some(p) = ctx.project_name {
        (p.to_owned(), None)
    } else if let Some(e) = top.get("name") {
        // docker compose normalises the name it reads here (`My App` →
        // `myapp`), where it refuses one given with `-p`.
        let written = scalar(sink, &e.value, "name")?;
        let mut name = normalize_project_name(&written);
        if name.is_empty() {
            // Nothing left: refused below, as written.
            name.clone_from(&written);
        } else if name != written {
            sink.push(
                Diagnostic::note(
                    Code::ProjectNameNormalized,
                    format!(
                        "project name `{written}` is read as `{name}`, as docker compose reads it"
                    ),
                )
                .with_path("name")
                .at(Some(&e.value.loc))
                .with_help(format!("write `name: {name}` to say so")),
            );
        }
        (name, Some(e.value.loc.clone()))
    } else {
        let dir = ctx
            .project_dir
            .canonicalize()
            .unwrap_or_else(|_| PathBuf::from(ctx.project_dir));
        let base = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        (normalize_project_name(&base), None)
    };
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if !valid {
        let from_caller = ctx.project_name.is_some();
        let d = Diagnostic::error(
            Code::InvalidName,
            format!(
                "project name `{name}`{} is invalid: use lowercase letters, digits, dashes and underscores, starting with a letter or digit",
                if from_caller {
                    " (from --project-name or COMPOSE_PROJECT_NAME)"
                } else {
                    ""
                }
            ),
        );
        sink.push(if from_caller {
            d.with_help(format!(
                "pass --project-name {}, or set COMPOSE_PROJECT_NAME to it",
                normalize_project_name(&name)
            ))
        } else {
            d.with_path("name")
                .at(loc.as_ref())
                .with_help("set `name:` in the compose file or pass --project-name")
        });
        return None;
    }
    Some(name)
}

pub use crate::load::discover::normalize_project_name;

/// One service as read: its name, entry and key path, the service (none
/// when it cannot be read) and what reading it found.
type Built<'m> = (&'m String, &'m Entry, String, Option<Service>, Sink);

/// Every service of `map` read, in order. Services are read independently
/// of each other, so a large project's are shared between two cores; each
/// keeps what it found apart, so the diagnostics come back in the order of
/// the file.
fn build_services<'m>(map: &'m Map, ctx: &ModelContext<'_>) -> crate::halves::Halves<Built<'m>> {
    let read = |entries: &[(&'m String, &'m Entry)]| -> Vec<Built<'m>> {
        entries
            .iter()
            .map(|(name, entry)| {
                let path = format!("services.{name}");
                let mut found = Sink::default();
                let built = build_service(name, entry, &path, ctx, &mut found);
                (*name, *entry, path, built, found)
            })
            .collect()
    };
    let entries: Vec<(&String, &Entry)> = map.iter().collect();
    crate::halves::in_halves(&entries, read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_normalised_like_compose() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("_-x"), "x");
    }
}
