//! One service: every key read into a typed field, or reported.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::dotenv;
use crate::load::yaml::{Node, Resolved, Value};

use super::deploy::{cpus, deploy, memory, replicas};
use super::health::{depends_on, healthcheck};
use super::ports::{expose, ports};
use super::read::*;
use super::*;

/// Keys read by [`build_service`].
pub(super) const HANDLED_SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "container_name",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "healthcheck",
    "depends_on",
    "deploy",
    "cpus",
    "mem_limit",
    "mem_reservation",
    "scale",
    "labels",
    "working_dir",
    "user",
    "logging",
    "profiles",
    "cpu_shares",
    "label_file",
    "secrets",
    "restart",
];

pub(super) fn build_service(
    name: &str,
    entry: &crate::load::yaml::Entry,
    path: &str,
    ctx: &ModelContext<'_>,
    sink: &mut Sink,
) -> Option<Service> {
    let node = &entry.value;
    let map = match &node.value {
        Value::Map(m) => m,
        Value::Null => &crate::load::yaml::Map::new(),
        _ => {
            type_error(sink, node, path, "a mapping");
            return None;
        }
    };
    let mut s = Service {
        name: name.to_owned(),
        loc: entry.key_loc.clone(),
        image: None,
        build: None,
        container_name: None,
        command: None,
        entrypoint: None,
        environment: BTreeMap::new(),
        ports: Vec::new(),
        healthcheck: None,
        depends_on: Vec::new(),
        cpu_limit: None,
        cpu_reservation: None,
        memory_limit: None,
        memory_reservation: None,
        replicas: None,
        labels: BTreeMap::new(),
        working_dir: None,
        user: None,
        logging: None,
        profiles: Vec::new(),
        cpu_shares: None,
        secrets: Vec::new(),
        restart: None,
        others: Vec::new(),
    };

    for (key, e) in map {
        let p = child(path, key);
        let v = &e.value;
        if key.starts_with("x-") {
            continue;
        }
        if !HANDLED_SERVICE_KEYS.contains(&key.as_str()) {
            if crate::model::support::service_key(key).is_some() {
                s.others.push(super::settings::read(key, e, p, sink));
            } else {
                report_unknown(key, &p, &e.key_loc, sink);
            }
            continue;
        }
        if v.is_null() && key != "build" {
            continue;
        }
        match key.as_str() {
            "image" => s.image = scalar(sink, v, &p).map(|t| spanned(t, v, &p)),
            "build" => s.build = Some(e.key_loc.clone()),
            "container_name" => s.container_name = scalar(sink, v, &p).map(|t| spanned(t, v, &p)),
            "command" => s.command = words(sink, v, &p),
            "entrypoint" => s.entrypoint = words(sink, v, &p),
            "working_dir" => s.working_dir = scalar(sink, v, &p),
            "user" => s.user = scalar(sink, v, &p),
            "profiles" => s.profiles = scalar_list(sink, v, &p).unwrap_or_default(),
            "labels" => {
                for (k, val, _) in list_or_map(sink, v, &p) {
                    s.labels.insert(k, val.unwrap_or_default());
                }
            }
            "ports" => ports(sink, v, &p, &mut s.ports),
            "expose" => {} // after `ports`, in any key order, as docker compose orders them
            "healthcheck" => s.healthcheck = healthcheck(sink, v, &p),
            "depends_on" => s.depends_on = depends_on(sink, v, &p),
            "logging" => s.logging = logging(sink, v, &p),
            "cpus" => {
                if s.cpu_limit.is_none() {
                    s.cpu_limit = cpus(sink, v, &p);
                }
            }
            "mem_limit" => {
                if s.memory_limit.is_none() {
                    s.memory_limit = memory(sink, v, &p);
                }
            }
            "mem_reservation" => {
                if s.memory_reservation.is_none() {
                    s.memory_reservation = memory(sink, v, &p);
                }
            }
            "scale" => {
                if s.replicas.is_none() {
                    s.replicas = replicas(sink, v, &p);
                }
            }
            "deploy" => deploy(sink, v, &p, &mut s),
            "cpu_shares" => {
                s.cpu_shares =
                    uint(sink, v, &p).map(|n| spanned(u32::try_from(n).unwrap_or(u32::MAX), v, &p));
            }
            "secrets" => s.secrets = secret_refs(sink, v, &p),
            // Over `deploy.restart_policy`, in any key order.
            "restart" => s.restart = scalar(sink, v, &p).map(|t| spanned(t, v, &p)),
            "environment" | "env_file" | "label_file" => {} // below, in order
            _ => unreachable!("every handled key has an arm"),
        }
    }

    if let Some(e) = map.get("expose").filter(|e| !e.value.is_null()) {
        expose(sink, &e.value, &child(path, "expose"), &mut s.ports);
    }

    // label_file under labels.
    if let Some(e) = map.get("label_file") {
        let mut from_files = BTreeMap::new();
        env_files(
            sink,
            &e.value,
            &child(path, "label_file"),
            ctx,
            &mut from_files,
        );
        for (k, v) in from_files {
            s.labels.entry(k).or_insert(v.value);
        }
    }

    // env_file first, then environment over it.
    if let Some(e) = map.get("env_file") {
        env_files(
            sink,
            &e.value,
            &child(path, "env_file"),
            ctx,
            &mut s.environment,
        );
    }
    if let Some(e) = map.get("environment") {
        let p = child(path, "environment");
        for (k, val, loc) in list_or_map(sink, &e.value, &p) {
            let value = match val {
                Some(v) => v,
                None => match ctx.env.get(&k) {
                    Some(v) => v.clone(),
                    None => {
                        // A bare name overrides what `env_file` gave it:
                        // docker compose passes it on unset.
                        s.environment.remove(&k);
                        sink.push(
                            Diagnostic::warning(
                                Code::UnresolvedEnvironment,
                                format!("`{k}` has no value here and is not set in the environment; it is left out"),
                            )
                            .with_path(format!("{p}.{k}"))
                            .at(Some(&loc))
                            .with_help(format!("give it a value (`{k}=value`) or set {k} in the environment or .env")),
                        );
                        continue;
                    }
                },
            };
            s.environment.insert(k, EnvVar { value, loc });
        }
    }
    // What docker compose adds to `depends_on` (explicit entries win).
    let implied: Vec<Dependency> = s
        .others
        .iter()
        .flat_map(|o| {
            o.implied_dependencies().into_iter().map(|name| Dependency {
                service: name.to_owned(),
                condition: "service_started".to_owned(),
                required: true,
                implied: true,
                loc: o.loc.clone(),
                path: o.path.clone(),
            })
        })
        .collect();
    for dep in implied {
        if dep.service != s.name && !s.depends_on.iter().any(|d| d.service == dep.service) {
            s.depends_on.push(dep);
        }
    }
    Some(s)
}

/// `secrets: [name]` or `[{source, target, uid, gid, mode}]`.
pub(super) fn secret_refs(sink: &mut Sink, node: &Node, path: &str) -> Vec<SecretRef> {
    let Some(items) = node.as_seq() else {
        type_error(sink, node, path, "a list");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match &item.value {
            Value::Scalar(s) => out.push(SecretRef {
                source: s.text.clone(),
                target: None,
                owner: Vec::new(),
                loc: item.loc.clone(),
                path: p,
            }),
            Value::Map(m) => {
                let get = |k: &str| field(m, k);
                let Some(source) = get("source") else {
                    value_error(
                        sink,
                        item,
                        &p,
                        "a secret in the long syntax needs `source`".to_owned(),
                    );
                    continue;
                };
                // Used when the secret is a file; the converter says what
                // becomes of them otherwise.
                let owner = m
                    .iter()
                    .filter(|(k, _)| matches!(k.as_str(), "uid" | "gid" | "mode"))
                    .map(|(k, e)| {
                        let v = if k == "mode" {
                            file_mode(&e.value)
                        } else {
                            super::read::text(&e.value)
                        };
                        (k.clone(), v, e.key_loc.clone())
                    })
                    .collect();
                out.push(SecretRef {
                    source,
                    target: get("target"),
                    owner,
                    loc: item.loc.clone(),
                    path: p,
                });
            }
            _ => type_error(sink, item, &p, "a secret name or a mapping"),
        }
    }
    out
}

/// A secret's `mode` as docker compose reads it, in octal digits: an
/// integer is its value (`0440` unquoted is octal, as go-yaml reads it;
/// `288` decimal), a string is octal (`"0440"`, as `config` prints it).
fn file_mode(node: &Node) -> String {
    let value = match node.resolve() {
        Some(Resolved::Int(i)) => Some(i),
        Some(Resolved::Str(s)) => i64::from_str_radix(s.trim().trim_start_matches("0o"), 8).ok(),
        _ => None,
    };
    match value {
        Some(v) if (0..=0o7777).contains(&v) => format!("0{v:o}"),
        _ => text(node),
    }
}

pub(super) fn report_unknown(key: &str, path: &str, loc: &Location, sink: &mut Sink) {
    // The schema check refuses unknown keys before the model; this guards
    // a tree that was not checked.
    let mut d = Diagnostic::warning(
        Code::SchemaViolation,
        format!("`{key}` is not a service key of the Compose Specification and is ignored"),
    )
    .with_path(path)
    .at(Some(loc));
    if let Some(k) = crate::diagnostic::closest(
        key,
        crate::model::support::SERVICE_KEYS.iter().map(|k| k.key),
    ) {
        d = d.with_help(format!("did you mean `{k}`?"));
    }
    sink.push(d);
}

pub(crate) fn env_files(
    sink: &mut Sink,
    node: &Node,
    path: &str,
    ctx: &ModelContext<'_>,
    env: &mut BTreeMap<String, EnvVar>,
) {
    let entries: Vec<(String, bool, &Node, String)> = match &node.value {
        Value::Scalar(s) => vec![(s.text.clone(), true, node, path.to_owned())],
        Value::Seq(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match &item.value {
                    Value::Scalar(s) => out.push((s.text.clone(), true, item, p)),
                    Value::Map(_) => {
                        let Some(file) = item
                            .get("path")
                            .and_then(|n| scalar(sink, n, &child(&p, "path")))
                        else {
                            type_error(sink, item, &p, "a path or a mapping with `path`");
                            continue;
                        };
                        let required = match item.get("required").and_then(Node::resolve) {
                            Some(Resolved::Bool(b)) => b,
                            _ => true,
                        };
                        out.push((file, required, item, p));
                    }
                    _ => type_error(sink, item, &p, "a path or a mapping with `path`"),
                }
            }
            out
        }
        _ => {
            type_error(sink, node, path, "a path or a list of paths");
            return;
        }
    };
    for (file, required, item, p) in entries {
        let full = ctx.project_dir.join(&file);
        let text = match ctx.input.read_file(&full) {
            Ok(Some(source)) => source.text,
            Ok(None) if !required => continue,
            Ok(None) => {
                sink.push(
                    Diagnostic::error(
                        Code::FileNotFound,
                        format!("env_file `{}` does not exist", full.display()),
                    )
                    .with_path(p)
                    .at(Some(&item.loc))
                    .with_help(
                        "create it, or mark it optional: env_file: [{path: FILE, required: false}]",
                    ),
                );
                continue;
            }
            Err(d) => {
                sink.push(d.with_path(p).at(Some(&item.loc)));
                continue;
            }
        };
        match dotenv::parse(&text, ctx.env) {
            Ok(vars) => {
                let file_path: std::sync::Arc<Path> = std::sync::Arc::from(full.as_path());
                for var in vars {
                    let loc = Location {
                        file: file_path.clone(),
                        line: var.line,
                        column: 1,
                    };
                    match var.value {
                        Some(value) => {
                            env.insert(var.name, EnvVar { value, loc });
                        }
                        None => sink.push(
                            Diagnostic::warning(
                                Code::UnresolvedEnvironment,
                                format!("`{}` has no value in the env_file and is not set in the environment; it is left out", var.name),
                            )
                            .with_path(p.clone())
                            .at(Some(&loc)),
                        ),
                    }
                }
            }
            Err(e) => sink.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("invalid env_file: {}", e.message),
                )
                .with_path(p)
                .at(Some(&Location {
                    file: std::sync::Arc::from(full.as_path()),
                    line: e.line,
                    column: 1,
                })),
            ),
        }
    }
}

pub(super) fn logging(sink: &mut Sink, node: &Node, path: &str) -> Option<Logging> {
    let Some(map) = node.as_map() else {
        type_error(sink, node, path, "a mapping");
        return None;
    };
    let mut l = Logging {
        driver: None,
        options: BTreeMap::new(),
        loc: node.loc.clone(),
    };
    for (key, e) in map {
        let p = child(path, key);
        match key.as_str() {
            "driver" => l.driver = scalar(sink, &e.value, &p),
            "options" => {
                for (k, v, _) in list_or_map(sink, &e.value, &p) {
                    l.options.insert(k, v.unwrap_or_default());
                }
            }
            k if k.starts_with("x-") => {}
            _ => unsupported_nested(sink, key, &p, &e.key_loc),
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_reads_only_keys_the_support_table_converts_everywhere() {
        use crate::model::support::{Handling, service_key};
        for k in HANDLED_SERVICE_KEYS {
            let row = service_key(k).unwrap_or_else(|| panic!("`{k}` has no row"));
            for h in [row.fargate, row.ec2, row.external] {
                assert!(
                    matches!(h, Handling::Mapped | Handling::Transformed),
                    "the model reads `{k}`, which the table says is {h:?} somewhere"
                );
            }
        }
    }
}
