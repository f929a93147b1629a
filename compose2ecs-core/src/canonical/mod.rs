//! The project in docker compose's canonical form: what `docker compose
//! config --format json` prints, byte for byte (issue 14).
//!
//! compose-go decodes the merged YAML into its Go types and docker compose
//! marshals those with `json.MarshalIndent`. So the canonical form is the
//! long syntax of every short one, defaults filled in (`mode: ingress`,
//! `target: /run/secrets/NAME`, `required: true`), `env_file` and
//! `label_file` merged into `environment` and `labels`, relative paths made
//! absolute, the `default` network added, and the resources no service uses
//! left out. Struct fields keep Go's declaration order; map keys are sorted.
//!
//! The differences from docker compose that are deliberate are listed in
//! `docs/DESIGN.md` ("`config` and docker compose").

mod build;
mod deploy;
mod fields;
mod json;
mod network;
mod read;
mod service;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::Sink;
use crate::load::interpolate::Environment;
use crate::load::paths;
use crate::load::yaml::{Entry, Node, Resolved, Value};
use crate::model::{ModelContext, Project};

use json::Obj;
pub(crate) use json::Out;
use read::{boolean, mapping, opt_bool, seq, string, text};

/// The canonical form, with paths relative to the project directory still
/// to be made absolute.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Canonical(Out);

impl Canonical {
    /// The JSON text docker compose prints, paths absolute against
    /// `project_dir` (itself made absolute against `working_dir`).
    pub(crate) fn to_json(&self, project_dir: &Path) -> String {
        json::to_string(&self.absolute(project_dir))
    }

    /// The same as YAML.
    pub(crate) fn to_yaml(&self, project_dir: &Path) -> String {
        serde_norway::to_string(&self.absolute(project_dir).to_yaml()).unwrap_or_default()
    }

    fn absolute(&self, dir: &Path) -> Out {
        let mut out = self.0.clone();
        absolute(&mut out, dir);
        out
    }
}

/// A path relative to the project directory is written as this prefix and
/// the path, until [`Canonical::to_json`] knows the directory.
const RELATIVE: &str = "\u{0}rel:";

fn absolute(out: &mut Out, dir: &Path) {
    match out {
        Out::Str(s) => {
            if let Some(rel) = s.strip_prefix(RELATIVE) {
                *s = paths::normalize(&dir.join(rel))
                    .to_string_lossy()
                    .into_owned();
            }
        }
        Out::Arr(items) => items.iter_mut().for_each(|i| absolute(i, dir)),
        Out::Obj(fields) => fields.iter_mut().for_each(|(_, v)| absolute(v, dir)),
        _ => {}
    }
}

/// What the builders need besides the node.
pub(crate) struct Cx<'a> {
    env: &'a Environment,
    model: ModelContext<'a>,
}

impl Cx<'_> {
    /// A host path: `~` is the home directory, an absolute path is kept as
    /// written, a relative one is joined to the project directory.
    fn path(&self, p: &str) -> Out {
        if let Some(rest) = p.strip_prefix('~') {
            if rest.is_empty() || rest.starts_with('/') {
                if let Some(home) = self.env.get("HOME") {
                    return Out::Str(format!("{home}{rest}"));
                }
            }
        }
        let windows = p.as_bytes().get(1) == Some(&b':')
            && p.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
        if Path::new(p).is_absolute() || windows {
            Out::str(p)
        } else {
            Out::Str(format!("{RELATIVE}{p}"))
        }
    }

    /// A build context: a URL or a `service:`/`docker-image://` reference
    /// is kept as written.
    fn context_path(&self, p: &str) -> Out {
        if paths::is_remote(p) || p.contains(':') && !p.starts_with(['.', '/', '~']) {
            Out::str(p)
        } else {
            self.path(p)
        }
    }

    /// The variables of a service's `env_file` or `label_file`, in order.
    fn env_file(&self, entry: Option<&Entry>, key: &str) -> Vec<(String, String)> {
        let Some(e) = entry else {
            return Vec::new();
        };
        let mut vars = BTreeMap::new();
        // Problems with the files were reported when the project was read.
        crate::model::env_files(&mut Sink::default(), &e.value, key, &self.model, &mut vars);
        vars.into_iter().map(|(k, v)| (k, v.value)).collect()
    }
}

/// The resources the services use, to print only those (docker compose
/// leaves out the others).
#[derive(Default)]
pub(crate) struct Used {
    networks: Vec<String>,
    volumes: Vec<String>,
    secrets: Vec<String>,
    configs: Vec<String>,
}

/// The canonical form of the merged tree of `project`.
pub(crate) fn build(tree: &Node, project: &Project, cx: ModelContext<'_>) -> Canonical {
    let cx = Cx {
        env: cx.env,
        model: cx,
    };
    let mut used = Used::default();
    let mut top: BTreeMap<String, Out> = BTreeMap::new();
    let mut services: BTreeMap<String, Out> = BTreeMap::new();
    if let Some(all) = tree.get("services").and_then(Node::as_map) {
        for (name, e) in all {
            let Some(svc) = project.services.get(name) else {
                continue;
            };
            // docker compose restarts a service with the one whose
            // namespace it shares or that it links to, not with the one it
            // takes volumes from.
            let implied: Vec<(String, bool)> = svc
                .depends_on
                .iter()
                .filter(|d| d.implied)
                .map(|d| (d.service.clone(), !d.path.contains("volumes_from")))
                .collect();
            services.insert(
                name.clone(),
                service::service(&e.value, &implied, &cx, &mut used),
            );
        }
    }
    let name = &project.name;
    let section = |key: &str, used: &[String], one: &dyn Fn(&str, Option<&Node>) -> Out| {
        let defined = tree.get(key).and_then(Node::as_map);
        let names: BTreeSet<&String> = used.iter().collect();
        let items: Vec<(String, Out)> = names
            .into_iter()
            .filter_map(|n| {
                let node = defined.and_then(|m| m.get(n)).map(|e| &e.value);
                (node.is_some() || key == "networks" && n == "default")
                    .then(|| (n.clone(), one(n, node)))
            })
            .collect();
        Out::Obj(items)
    };
    let resource_name = |key: &str, node: Option<&Node>| -> Out {
        let g = |k: &str| node.and_then(|n| n.get(k));
        if let Some(n) = g("name").and_then(text) {
            return Out::Str(n);
        }
        if let Some(n) = g("external").and_then(|e| e.get("name")).and_then(text) {
            return Out::Str(n);
        }
        if matches!(opt_bool(g("external")), Some(Out::Bool(true))) {
            return Out::str(key);
        }
        Out::Str(format!("{name}_{key}"))
    };
    let external = |node: Option<&Node>| match node.and_then(|n| n.get("external")) {
        Some(e) if e.as_map().is_some() => Out::Bool(true),
        e => boolean(e),
    };
    let networks = section("networks", &used.networks, &|key, node| {
        let g = |k: &str| node.and_then(|n| n.get(k));
        let mut o = Obj::default();
        o.put("name", resource_name(key, node));
        o.opt("driver", string(g("driver")));
        o.opt("driver_opts", mapping(g("driver_opts")));
        let mut ipam = Obj::default();
        ipam.opt("driver", string(g("ipam").and_then(|i| i.get("driver"))));
        let pools: Vec<Out> = seq(g("ipam").and_then(|i| i.get("config")))
            .iter()
            .map(|p| {
                let mut o = Obj::default();
                o.opt("subnet", string(p.get("subnet")));
                o.opt("gateway", string(p.get("gateway")));
                o.opt("ip_range", string(p.get("ip_range")));
                o.opt("aux_addresses", mapping(p.get("aux_addresses")));
                o.done()
            })
            .collect();
        ipam.opt("config", Out::Arr(pools));
        o.put("ipam", ipam.done());
        o.opt("external", external(node));
        o.opt("internal", boolean(g("internal")));
        o.opt("attachable", boolean(g("attachable")));
        o.opt("labels", mapping(g("labels")));
        o.some("enable_ipv4", opt_bool(g("enable_ipv4")));
        o.some("enable_ipv6", opt_bool(g("enable_ipv6")));
        o.done()
    });
    let volumes = section("volumes", &used.volumes, &|key, node| {
        let g = |k: &str| node.and_then(|n| n.get(k));
        let mut o = Obj::default();
        o.put("name", resource_name(key, node));
        o.opt("driver", string(g("driver")));
        let mut opts = mapping(g("driver_opts"));
        // A local volume that is a bind mount names a host path.
        let local = g("driver").and_then(text).is_none_or(|d| d == "local");
        if let Out::Obj(fields) = &mut opts {
            let bind = fields
                .iter()
                .any(|(k, v)| k == "o" && *v == Out::str("bind"));
            if local && bind {
                for (k, v) in fields.iter_mut() {
                    if let (true, Out::Str(p)) = (k == "device", &*v) {
                        *v = cx.path(p);
                    }
                }
            }
        }
        o.opt("driver_opts", opts);
        o.opt("external", external(node));
        o.opt("labels", mapping(g("labels")));
        o.done()
    });
    let file_object = |secret: bool| {
        let cx = &cx;
        move |key: &str, node: Option<&Node>| {
            let g = |k: &str| node.and_then(|n| n.get(k));
            let mut o = Obj::default();
            o.put("name", resource_name(key, node));
            if let Some(f) = g("file").and_then(text) {
                o.put("file", cx.path(&f));
            }
            o.opt("environment", string(g("environment")));
            if !secret {
                o.opt("content", string(g("content")));
            }
            o.opt("external", external(node));
            o.opt("labels", mapping(g("labels")));
            o.opt("driver", string(g("driver")));
            o.opt("driver_opts", mapping(g("driver_opts")));
            o.opt("template_driver", string(g("template_driver")));
            o.done()
        }
    };
    let secrets = section("secrets", &used.secrets, &file_object(true));
    let configs = section("configs", &used.configs, &file_object(false));
    top.insert("name".to_owned(), Out::Str(name.clone()));
    top.insert(
        "services".to_owned(),
        Out::Obj(services.into_iter().collect()),
    );
    for (key, value) in [
        ("networks", networks),
        ("volumes", volumes),
        ("secrets", secrets),
        // docker compose v2.40 does not print top-level `models`.
        ("configs", configs),
    ] {
        if !value.is_empty() {
            top.insert(key.to_owned(), value);
        }
    }
    if let Some(m) = tree.as_map() {
        for (k, e) in m.iter().filter(|(k, _)| k.starts_with("x-")) {
            top.insert(k.clone(), extension(&e.value));
        }
    }
    let mut out = Out::Obj(top.into_iter().collect());
    escape_dollars(&mut out);
    Canonical(out)
}

/// An `x-` extension as Go holds it in a `map[string]any`: keys sorted,
/// scalars typed.
fn extension(node: &Node) -> Out {
    match &node.value {
        Value::Null => Out::Null,
        Value::Scalar(_) => match node.resolve() {
            Some(Resolved::Bool(b)) => Out::Bool(b),
            Some(Resolved::Int(i)) => Out::Int(i),
            Some(Resolved::Float(f)) => Out::Float64(f),
            Some(Resolved::Str(s)) => Out::str(s),
            None => Out::Null,
        },
        Value::Seq(items) => Out::Arr(items.iter().map(extension).collect()),
        Value::Map(m) => {
            let mut fields: Vec<(String, Out)> = m
                .iter()
                .map(|(k, e)| (k.clone(), extension(&e.value)))
                .collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Out::Obj(fields)
        }
    }
}

/// docker compose writes a literal `$` as `$$`, so that its output reads
/// back as the same project.
fn escape_dollars(out: &mut Out) {
    match out {
        Out::Str(s) if s.contains('$') => *s = s.replace('$', "$$"),
        Out::Arr(items) => items.iter_mut().for_each(escape_dollars),
        Out::Obj(fields) => fields.iter_mut().for_each(|(_, v)| escape_dollars(v)),
        _ => {}
    }
}

/// The absolute project directory: `project_dir`, joined to `working_dir`
/// when relative.
pub(crate) fn absolute_dir(working_dir: &Path, project_dir: &Path) -> PathBuf {
    paths::normalize(&working_dir.join(project_dir))
}
