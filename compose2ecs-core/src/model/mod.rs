//! Stage 3, **model**: the interpolated, merged compose tree read into typed,
//! ECS-agnostic services.
//!
//! Every key of a service is looked at once, here: read into a typed field, or
//! reported. Each typed field keeps the location it came from, so the
//! converter's diagnostics point at the user's line.

pub mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::dotenv;
use crate::load::interpolate::Environment;
use crate::load::yaml::{Node, Resolved, Value};
use crate::units;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// The compose project after loading, interpolation and merging.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Project {
    /// The project name.
    pub name: String,
    /// The active services, in file order.
    pub services: IndexMap<String, Service>,
    /// Services left out because their profiles are not active.
    pub inactive_services: Vec<String>,
    /// Top-level `volumes`, by name, with where each is defined.
    pub volumes: IndexMap<String, Location>,
    /// Top-level `secrets`, by name, with where each is defined. Only the
    /// names: a secret's file or value is never read.
    pub secrets: IndexMap<String, Location>,
}

/// A service's use of a compose secret.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SecretRef {
    /// The compose secret.
    pub source: String,
    /// The long syntax's `target`, when given.
    pub target: Option<String>,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// A port or a range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port (equal to `start` for a single port).
    pub end: u16,
}

impl PortRange {
    /// Whether this is more than one port.
    pub fn is_range(self) -> bool {
        self.end != self.start
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_range() {
            write!(f, "{}-{}", self.start, self.end)
        } else {
            write!(f, "{}", self.start)
        }
    }
}

/// One entry of `ports` or `expose`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Port {
    /// The container port(s).
    pub target: PortRange,
    /// The published host port(s), when given.
    pub published: Option<PortRange>,
    /// The host IP, when given.
    pub host_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    /// `name` (long syntax).
    pub name: Option<String>,
    /// `app_protocol` (long syntax).
    pub app_protocol: Option<String>,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// A health check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Healthcheck {
    /// The test, normalised to `["CMD", …]` / `["CMD-SHELL", …]`; `None` when
    /// the check is disabled.
    pub test: Option<Vec<String>>,
    /// Seconds.
    pub interval: Option<Spanned<u64>>,
    /// Seconds.
    pub timeout: Option<Spanned<u64>>,
    /// Count.
    pub retries: Option<Spanned<u64>>,
    /// Seconds.
    pub start_period: Option<Spanned<u64>>,
    /// Where the health check is.
    pub loc: Location,
}

/// A `depends_on` entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Dependency {
    /// The service depended on.
    pub service: String,
    /// `service_started`, `service_healthy` or `service_completed_successfully`.
    pub condition: String,
    /// Whether compose requires it (`required: false` tolerates its absence).
    pub required: bool,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// `logging`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Logging {
    /// The driver, when given.
    pub driver: Option<String>,
    /// Driver options.
    pub options: BTreeMap<String, String>,
    /// Where.
    pub loc: Location,
}

/// An environment variable with its value and where it was defined.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EnvVar {
    /// The value.
    pub value: String,
    /// Where.
    pub loc: Location,
}

/// One compose service, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Service {
    /// The service name.
    pub name: String,
    /// Where the service is defined.
    pub loc: Location,
    /// `image`.
    pub image: Option<Spanned<String>>,
    /// Where `build` is, when the service has one.
    pub build: Option<Location>,
    /// `container_name`.
    pub container_name: Option<Spanned<String>>,
    /// `command`, split into words.
    pub command: Option<Vec<String>>,
    /// `entrypoint`, split into words.
    pub entrypoint: Option<Vec<String>>,
    /// `env_file` then `environment`, merged (`environment` wins).
    pub environment: BTreeMap<String, EnvVar>,
    /// `ports` then `expose`.
    pub ports: Vec<Port>,
    /// `healthcheck`.
    pub healthcheck: Option<Healthcheck>,
    /// `depends_on`.
    pub depends_on: Vec<Dependency>,
    /// CPU units: `deploy.resources.limits.cpus`, else `cpus`.
    pub cpu_limit: Option<Spanned<u32>>,
    /// CPU units: `deploy.resources.reservations.cpus`.
    pub cpu_reservation: Option<Spanned<u32>>,
    /// MiB: `deploy.resources.limits.memory`, else `mem_limit`.
    pub memory_limit: Option<Spanned<u64>>,
    /// MiB: `deploy.resources.reservations.memory`, else `mem_reservation`.
    pub memory_reservation: Option<Spanned<u64>>,
    /// `deploy.replicas`, else `scale`.
    pub replicas: Option<Spanned<u32>>,
    /// `labels`.
    pub labels: BTreeMap<String, String>,
    /// `working_dir`.
    pub working_dir: Option<String>,
    /// `user`.
    pub user: Option<String>,
    /// `logging`.
    pub logging: Option<Logging>,
    /// `profiles`.
    pub profiles: Vec<String>,
    /// `cpu_shares`, in CPU units (when `cpus` is not set).
    pub cpu_shares: Option<Spanned<u32>>,
    /// `secrets`: the compose secrets the service uses.
    pub secrets: Vec<SecretRef>,
    /// The keys the converter reads itself, because what they become (or
    /// whether they are allowed) depends on the launch type: `privileged`,
    /// `volumes`, `deploy.placement`, … (see [`crate::model::support`]). Nested keys
    /// are dotted (`deploy.update_config`).
    pub others: Vec<OtherKey>,
}

/// A key kept as written for the converter.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OtherKey {
    /// The key, dotted below the service for nested keys.
    pub key: String,
    /// Its value.
    pub node: Node,
    /// Where the key is.
    pub key_loc: Location,
    /// The key path (`services.web.privileged`).
    pub path: String,
}

impl Service {
    /// A key kept for the converter.
    pub fn other(&self, key: &str) -> Option<&OtherKey> {
        self.others.iter().find(|o| o.key == key)
    }
}

/// What the model stage needs besides the tree.
#[derive(Debug)]
pub(crate) struct ModelContext<'a> {
    pub input: &'a crate::load::input::Input,
    pub env: &'a Environment,
    pub project_dir: &'a Path,
    pub project_name: Option<&'a str>,
    pub profiles: &'a [String],
}

fn child(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

fn type_error(sink: &mut Sink, node: &Node, path: &str, expected: &str) {
    sink.push(
        Diagnostic::error(
            Code::InvalidType,
            format!(
                "`{}` must be {expected}, not {}",
                last_key(path),
                node.kind_name()
            ),
        )
        .with_path(path)
        .at(Some(&node.loc)),
    );
}

fn value_error(sink: &mut Sink, node: &Node, path: &str, message: String) {
    sink.push(
        Diagnostic::error(Code::InvalidValue, message)
            .with_path(path)
            .at(Some(&node.loc)),
    );
}

fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The text of a scalar (numbers and booleans as written).
fn scalar(sink: &mut Sink, node: &Node, path: &str) -> Option<String> {
    match &node.value {
        Value::Scalar(s) => Some(s.text.clone()),
        _ => {
            type_error(sink, node, path, "a string");
            None
        }
    }
}

/// A list of scalars.
fn scalar_list(sink: &mut Sink, node: &Node, path: &str) -> Option<Vec<String>> {
    let items = match &node.value {
        Value::Seq(items) => items,
        Value::Null => return Some(Vec::new()),
        _ => {
            type_error(sink, node, path, "a list");
            return None;
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(scalar(sink, item, &format!("{path}[{i}]"))?);
    }
    Some(out)
}

/// `command` / `entrypoint`: a string split with shell rules, or a list.
fn words(sink: &mut Sink, node: &Node, path: &str) -> Option<Vec<String>> {
    match &node.value {
        Value::Null => None,
        Value::Scalar(s) => match shell_words::split(&s.text) {
            Ok(w) => Some(w),
            Err(e) => {
                value_error(
                    sink,
                    node,
                    path,
                    format!("cannot split `{}` into words: {e}", s.text),
                );
                None
            }
        },
        Value::Seq(_) => scalar_list(sink, node, path),
        Value::Map(_) => {
            type_error(sink, node, path, "a string or a list");
            None
        }
    }
}

/// A non-negative integer, from an integer or a string of digits.
fn uint(sink: &mut Sink, node: &Node, path: &str) -> Option<u64> {
    let parsed = match node.resolve() {
        Some(Resolved::Int(i)) => u64::try_from(i).ok(),
        Some(Resolved::Str(s)) => s.trim().parse().ok(),
        _ => None,
    };
    if parsed.is_none() {
        type_error(sink, node, path, "a non-negative integer");
    }
    parsed
}

fn spanned<T>(value: T, node: &Node, path: &str) -> Spanned<T> {
    Spanned {
        value,
        loc: node.loc.clone(),
        path: path.to_owned(),
    }
}

/// A `key=value` list or a mapping; `None` values are bare keys.
fn list_or_map(
    sink: &mut Sink,
    node: &Node,
    path: &str,
) -> Vec<(String, Option<String>, Location)> {
    let mut out = Vec::new();
    match &node.value {
        Value::Null => {}
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if let Some(text) = scalar(sink, item, &p) {
                    match text.split_once('=') {
                        Some((k, v)) => {
                            out.push((k.to_owned(), Some(v.to_owned()), item.loc.clone()))
                        }
                        None => out.push((text, None, item.loc.clone())),
                    }
                }
            }
        }
        Value::Map(map) => {
            for (k, e) in map {
                let p = child(path, k);
                let value = match &e.value.value {
                    Value::Null => None,
                    Value::Scalar(s) => Some(s.text.clone()),
                    _ => {
                        type_error(sink, &e.value, &p, "a string, a number or a boolean");
                        continue;
                    }
                };
                out.push((k.clone(), value, e.key_loc.clone()));
            }
        }
        Value::Scalar(_) => type_error(sink, node, path, "a list or a mapping"),
    }
    out
}

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
    let mut services = IndexMap::new();
    let mut inactive_services = Vec::new();
    match services_node.map(|n| &n.value) {
        Some(Value::Map(map)) => {
            for (svc_name, entry) in map {
                let path = format!("services.{svc_name}");
                if let Some(service) = build_service(svc_name, entry, &path, ctx, sink) {
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
    if services.is_empty() && !sink.has_errors() {
        sink.push(
            Diagnostic::error(
                Code::NoServices,
                "the project has no active service to convert",
            )
            .at(Some(services_node.map_or(&root.loc, |n| &n.loc))),
        );
    }
    check_dependency_cycles(&services, sink);
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
    Some(Project {
        name,
        services,
        inactive_services,
        volumes,
        secrets,
    })
}

/// `depends_on` must not loop: compose refuses a project whose services wait
/// for each other. Reports each cycle once, at the dependency that closes it.
fn check_dependency_cycles(services: &IndexMap<String, Service>, sink: &mut Sink) {
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
fn project_name(
    top: &crate::load::yaml::Map,
    ctx: &ModelContext<'_>,
    sink: &mut Sink,
) -> Option<String> {
    let (name, loc) = if let Some(p) = ctx.project_name {
        (p.to_owned(), None)
    } else if let Some(e) = top.get("name") {
        (scalar(sink, &e.value, "name")?, Some(e.value.loc.clone()))
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
        sink.push(
            Diagnostic::error(
                Code::InvalidName,
                format!(
                    "project name `{name}` is invalid: use lowercase letters, digits, dashes and underscores, starting with a letter or digit"
                ),
            )
            .with_path("name")
            .at(loc.as_ref())
            .with_help("set `name:` in the compose file or pass --project-name"),
        );
        return None;
    }
    Some(name)
}

/// Normalises a directory name into a project name, as compose does:
/// lowercase, only `[a-z0-9_-]`, no leading `_` or `-`.
pub fn normalize_project_name(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect();
    lowered.trim_start_matches(['_', '-']).to_owned()
}

/// Keys read by [`build_service`].
const HANDLED_SERVICE_KEYS: &[&str] = &[
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
];

fn build_service(
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
                s.others.push(OtherKey {
                    key: key.clone(),
                    node: v.clone(),
                    key_loc: e.key_loc.clone(),
                    path: p,
                });
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
            "expose" => expose(sink, v, &p, &mut s.ports),
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
            "environment" | "env_file" | "label_file" => {} // below, in order
            _ => unreachable!("every handled key has an arm"),
        }
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
    Some(s)
}

/// `secrets: [name]` or `[{source, target, uid, gid, mode}]`.
fn secret_refs(sink: &mut Sink, node: &Node, path: &str) -> Vec<SecretRef> {
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
                loc: item.loc.clone(),
                path: p,
            }),
            Value::Map(m) => {
                let get = |k: &str| m.get(k).and_then(|e| e.value.as_str()).map(str::to_owned);
                let Some(source) = get("source") else {
                    value_error(
                        sink,
                        item,
                        &p,
                        "a secret in the long syntax needs `source`".to_owned(),
                    );
                    continue;
                };
                for (k, e) in m {
                    if matches!(k.as_str(), "uid" | "gid" | "mode") {
                        sink.push(
                            Diagnostic::note(
                                Code::IgnoredKey,
                                format!("`{k}` is not converted: ECS hands secrets to the container as environment variables, not files"),
                            )
                            .with_path(format!("{p}.{k}"))
                            .at(Some(&e.key_loc)),
                        );
                    }
                }
                out.push(SecretRef {
                    source,
                    target: get("target"),
                    loc: item.loc.clone(),
                    path: p,
                });
            }
            _ => type_error(sink, item, &p, "a secret name or a mapping"),
        }
    }
    out
}

fn report_unknown(key: &str, path: &str, loc: &Location, sink: &mut Sink) {
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

/// Reports a nested key the model does not read, from the support table
/// (nested keys that depend on the launch type go to the converter).
fn report_nested(key: &str, path: &str, loc: &Location, sink: &mut Sink) {
    let Some(row) = crate::model::support::nested_key(key) else {
        return;
    };
    let name = key.rsplit(['.', ']']).next().unwrap_or(key);
    let d = match row.fargate {
        crate::model::support::Handling::Noted => Diagnostic::note(
            Code::IgnoredKey,
            format!("`{name}` is not converted: {}", row.note),
        ),
        _ => Diagnostic::warning(
            Code::UnsupportedKey,
            format!("`{name}` is not converted: {}", row.note),
        ),
    };
    sink.push(d.with_path(path).at(Some(loc)));
}

fn env_files(
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

fn cpus(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u32>> {
    let text = scalar(sink, node, path)?;
    match units::parse_cpus(&text) {
        Ok(u) => Some(spanned(u, node, path)),
        Err(m) => {
            value_error(sink, node, path, m);
            None
        }
    }
}

fn memory(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u64>> {
    let text = scalar(sink, node, path)?;
    match units::parse_bytes(&text) {
        Ok(bytes) => {
            let mib = units::bytes_to_mib(bytes);
            if mib < 6 {
                value_error(
                    sink,
                    node,
                    path,
                    format!("`{text}` is below the 6 MiB ECS allows a container"),
                );
                return None;
            }
            Some(spanned(mib, node, path))
        }
        Err(m) => {
            value_error(sink, node, path, m);
            None
        }
    }
}

fn replicas(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u32>> {
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

fn deploy(sink: &mut Sink, node: &Node, path: &str, s: &mut Service) {
    let Some(map) = node.as_map() else {
        type_error(sink, node, path, "a mapping");
        return;
    };
    let mut keep = |key: String, e: &crate::load::yaml::Entry, p: String| {
        s.others.push(OtherKey {
            key,
            node: e.value.clone(),
            key_loc: e.key_loc.clone(),
            path: p,
        });
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
                            k => keep(format!("deploy.resources.{which}.{k}"), le, lp),
                        }
                    }
                }
            }
            k if k.starts_with("x-") => {}
            k => keep(format!("deploy.{k}"), e, p),
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

fn unsupported_nested(sink: &mut Sink, key: &str, path: &str, loc: &Location) {
    sink.push(
        Diagnostic::warning(
            Code::UnsupportedKey,
            format!("`{key}` is not converted to ECS by compose2ecs and is dropped"),
        )
        .with_path(path)
        .at(Some(loc)),
    );
}

fn parse_range(text: &str) -> Option<PortRange> {
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let p = text.trim().parse().ok()?;
            (p, p)
        }
    };
    (a > 0 && a <= b).then_some(PortRange { start: a, end: b })
}

/// Parses the short syntax `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`.
fn parse_short_port(
    text: &str,
) -> Result<(Option<String>, Option<PortRange>, PortRange, String), String> {
    let (spec, protocol) = match text.rsplit_once('/') {
        Some((s, p)) => (s, p.to_ascii_lowercase()),
        None => (text, "tcp".to_owned()),
    };
    let (ip, rest) = if let Some(after) = spec.strip_prefix('[') {
        let (ip, rest) = after
            .split_once("]:")
            .ok_or_else(|| format!("`{text}`: an IPv6 host address is written `[::1]:8080:80`"))?;
        (Some(ip.to_owned()), rest)
    } else {
        (None, spec)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let bad = |what: &str| {
        format!(
            "`{text}`: {what}; write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, with an optional /udp"
        )
    };
    let (ip, host, container) = match (ip, parts.as_slice()) {
        (None, [c]) => (None, None, *c),
        (None, [h, c]) => (None, Some(*h), *c),
        (None, [i, h, c]) => (Some((*i).to_owned()), Some(*h), *c),
        (Some(ip), [h, c]) => (Some(ip), Some(*h), *c),
        _ => return Err(bad("too many `:`")),
    };
    let container = parse_range(container)
        .ok_or_else(|| bad("the container port is not a port (1-65535) or a range"))?;
    let host = match host {
        None | Some("") => None,
        Some(h) => Some(
            parse_range(h)
                .ok_or_else(|| bad("the host port is not a port (1-65535) or a range"))?,
        ),
    };
    Ok((ip.filter(|i| !i.is_empty()), host, container, protocol))
}

fn check_protocol(sink: &mut Sink, node: &Node, path: &str, protocol: &str) -> bool {
    if matches!(protocol, "tcp" | "udp") {
        true
    } else {
        value_error(
            sink,
            node,
            path,
            format!("protocol `{protocol}` is not supported by ECS; use tcp or udp"),
        );
        false
    }
}

fn ports(sink: &mut Sink, node: &Node, path: &str, out: &mut Vec<Port>) {
    let Some(items) = node.as_seq() else {
        type_error(sink, node, path, "a list");
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match &item.value {
            Value::Scalar(s) => match parse_short_port(&s.text) {
                Ok((host_ip, published, target, protocol)) => {
                    if !check_protocol(sink, item, &p, &protocol) {
                        continue;
                    }
                    if published.is_some_and(|h| h.end - h.start != target.end - target.start) {
                        value_error(
                            sink,
                            item,
                            &p,
                            format!("`{}`: the host and container ranges differ in size", s.text),
                        );
                        continue;
                    }
                    out.push(Port {
                        target,
                        published,
                        host_ip,
                        protocol,
                        name: None,
                        app_protocol: None,
                        loc: item.loc.clone(),
                        path: p,
                    });
                }
                Err(m) => value_error(sink, item, &p, m),
            },
            Value::Map(map) => {
                let mut port = Port {
                    target: PortRange { start: 0, end: 0 },
                    published: None,
                    host_ip: None,
                    protocol: "tcp".to_owned(),
                    name: None,
                    app_protocol: None,
                    loc: item.loc.clone(),
                    path: p.clone(),
                };
                let mut ok = true;
                for (k, e) in map {
                    let kp = child(&p, k);
                    let text = match &e.value.value {
                        Value::Scalar(s) => s.text.clone(),
                        Value::Null => continue,
                        _ => {
                            type_error(sink, &e.value, &kp, "a string or a number");
                            ok = false;
                            continue;
                        }
                    };
                    match k.as_str() {
                        "target" => match parse_range(&text) {
                            Some(r) => port.target = r,
                            None => {
                                value_error(
                                    sink,
                                    &e.value,
                                    &kp,
                                    format!("`{text}` is not a port (1-65535)"),
                                );
                                ok = false;
                            }
                        },
                        "published" => match parse_range(&text) {
                            Some(r) => port.published = Some(r),
                            None => {
                                value_error(
                                    sink,
                                    &e.value,
                                    &kp,
                                    format!("`{text}` is not a port (1-65535) or a range"),
                                );
                                ok = false;
                            }
                        },
                        "host_ip" => port.host_ip = Some(text),
                        "protocol" => {
                            let proto = text.to_ascii_lowercase();
                            ok &= check_protocol(sink, &e.value, &kp, &proto);
                            port.protocol = proto;
                        }
                        "name" => port.name = Some(text),
                        "app_protocol" => port.app_protocol = Some(text.to_ascii_lowercase()),
                        "mode" => report_nested("ports[].mode", &kp, &e.key_loc, sink),
                        x if x.starts_with("x-") => {}
                        _ => unsupported_nested(sink, k, &kp, &e.key_loc),
                    }
                }
                if port.target.start == 0 && ok {
                    value_error(
                        sink,
                        item,
                        &p,
                        "a port in the long syntax needs `target`".to_owned(),
                    );
                    ok = false;
                }
                if ok {
                    out.push(port);
                }
            }
            _ => type_error(sink, item, &p, "a port string or a mapping"),
        }
    }
}

fn expose(sink: &mut Sink, node: &Node, path: &str, out: &mut Vec<Port>) {
    let Some(items) = node.as_seq() else {
        type_error(sink, node, path, "a list");
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(text) = scalar(sink, item, &p) else {
            continue;
        };
        let (spec, protocol) = match text.rsplit_once('/') {
            Some((s, proto)) => (s, proto.to_ascii_lowercase()),
            None => (text.as_str(), "tcp".to_owned()),
        };
        match parse_range(spec) {
            Some(target) if check_protocol(sink, item, &p, &protocol) => out.push(Port {
                target,
                published: None,
                host_ip: None,
                protocol,
                name: None,
                app_protocol: None,
                loc: item.loc.clone(),
                path: p,
            }),
            Some(_) => {}
            None => value_error(
                sink,
                item,
                &p,
                format!("`{text}` is not a port (1-65535) or a range"),
            ),
        }
    }
}

fn duration(sink: &mut Sink, node: &Node, path: &str) -> Option<Spanned<u64>> {
    let text = scalar(sink, node, path)?;
    match units::parse_duration_secs(&text) {
        Ok(secs) => Some(spanned(secs, node, path)),
        Err(m) => {
            value_error(sink, node, path, m);
            None
        }
    }
}

fn healthcheck(sink: &mut Sink, node: &Node, path: &str) -> Option<Healthcheck> {
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

fn depends_on(sink: &mut Sink, node: &Node, path: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    match &node.value {
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if let Some(name) = scalar(sink, item, &p) {
                    out.push(Dependency {
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

fn logging(sink: &mut Sink, node: &Node, path: &str) -> Option<Logging> {
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
    fn short_ports() {
        let (ip, host, c, proto) = parse_short_port("127.0.0.1:8000:8080/udp").unwrap();
        assert_eq!(ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            host,
            Some(PortRange {
                start: 8000,
                end: 8000
            })
        );
        assert_eq!(
            c,
            PortRange {
                start: 8080,
                end: 8080
            }
        );
        assert_eq!(proto, "udp");
        let (_, host, c, _) = parse_short_port("9000-9002:9000-9002").unwrap();
        assert_eq!(host.unwrap().end, 9002);
        assert!(c.is_range());
        let (ip, _, c, _) = parse_short_port("[::1]:80:8080").unwrap();
        assert_eq!(ip.as_deref(), Some("::1"));
        assert_eq!(c.start, 8080);
        assert!(parse_short_port("0:80").is_err());
        assert!(parse_short_port("70000").is_err());
        assert!(parse_short_port("a:b:c:d").is_err());
    }

    #[test]
    fn project_names_are_normalised_like_compose() {
        assert_eq!(normalize_project_name("My App.v2"), "myappv2");
        assert_eq!(normalize_project_name("_-x"), "x");
    }

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
