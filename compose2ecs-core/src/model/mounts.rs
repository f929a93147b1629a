//! `tmpfs`, `volumes`, `devices` and `ulimits`: what a container mounts and
//! the limits it runs under.

use crate::diagnostic::Sink;
use crate::load::yaml::{Node, Resolved, Value};

use super::read::{field, text, type_error, value_error};
use crate::diagnostic::Location;

/// One `devices` entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeviceMapping {
    /// The host path (or a CDI device name).
    pub host: String,
    /// The container path, when given.
    pub target: Option<String>,
    /// `rwm` permissions as written.
    pub permissions: String,
    /// Where.
    pub loc: Location,
}

/// One `ulimits` entry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UlimitSetting {
    /// The limit's name.
    pub name: String,
    /// Soft limit.
    pub soft: i64,
    /// Hard limit.
    pub hard: i64,
    /// Where the name is.
    pub key_loc: Location,
    /// The key path.
    pub path: String,
}

/// A tmpfs mount.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TmpfsMount {
    /// Where it is mounted.
    pub target: String,
    /// MiB, when given.
    pub size: Option<u64>,
    /// Other mount options (`mode=1777`, `noexec`).
    pub options: Vec<String>,
}

/// One `volumes` entry, short or long syntax.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VolumeMount {
    /// `volume`, `bind`, `tmpfs`, … (the long syntax's `type`, or what the
    /// short syntax's source implies).
    pub kind: String,
    /// The named volume or host path, when given.
    pub source: Option<String>,
    /// The container path.
    pub target: String,
    /// `ro` / `read_only: true`.
    pub read_only: bool,
    /// `tmpfs.size` in MiB (long syntax).
    pub tmpfs_size: Option<u64>,
    /// Long-syntax keys with no ECS equivalent (`bind`, `volume`,
    /// `consistency`), with where each is.
    pub unconverted: Vec<(String, Location)>,
    /// Where.
    pub loc: Location,
    /// The key path.
    pub path: String,
}

/// `/run` or `/run:size=64m,mode=1777`.
pub(super) fn tmpfs(spec: &str) -> TmpfsMount {
    let (target, options) = spec.split_once(':').unwrap_or((spec, ""));
    let mut size = None;
    let mut rest = Vec::new();
    for opt in options.split(',').filter(|s| !s.is_empty()) {
        match opt.split_once('=') {
            Some(("size", v)) => {
                size = crate::units::parse_bytes(v)
                    .ok()
                    .map(crate::units::bytes_to_mib);
            }
            _ => rest.push(opt.to_owned()),
        }
    }
    TmpfsMount {
        target: target.to_owned(),
        size,
        options: rest,
    }
}

/// `host[:container[:rwm]]`, or `{source, target, permissions}`.
pub(super) fn devices(node: &Node, path: &str, sink: &mut Sink) -> Vec<DeviceMapping> {
    let mut out = Vec::new();
    for (i, item) in node.as_seq().unwrap_or_default().iter().enumerate() {
        let p = format!("{path}[{i}]");
        match &item.value {
            Value::Scalar(s) => {
                let mut parts = s.text.splitn(3, ':');
                out.push(DeviceMapping {
                    host: parts.next().unwrap_or_default().to_owned(),
                    target: parts.next().map(str::to_owned),
                    permissions: parts.next().unwrap_or_default().to_owned(),
                    loc: item.loc.clone(),
                });
            }
            Value::Map(m) => {
                let get = |k: &str| field(m, k);
                match get("source") {
                    Some(host) => out.push(DeviceMapping {
                        host,
                        target: get("target"),
                        permissions: get("permissions").unwrap_or_default(),
                        loc: item.loc.clone(),
                    }),
                    None => value_error(sink, item, &p, "a device needs `source`".to_owned()),
                }
            }
            _ => type_error(sink, item, &p, "a device string or mapping"),
        }
    }
    out
}

pub(super) fn ulimits(node: &Node, path: &str, sink: &mut Sink) -> Vec<UlimitSetting> {
    let Some(map) = node.as_map() else {
        if !node.is_null() {
            type_error(sink, node, path, "a mapping");
        }
        return Vec::new();
    };
    let num = |n: &Node| match n.resolve() {
        Some(Resolved::Int(i)) => Some(i),
        Some(Resolved::Str(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let mut out = Vec::new();
    for (name, e) in map {
        let p = format!("{path}.{name}");
        let (soft, hard) = match &e.value.value {
            Value::Map(m) => (
                m.get("soft").and_then(|x| num(&x.value)),
                m.get("hard").and_then(|x| num(&x.value)),
            ),
            _ => {
                let n = num(&e.value);
                (n, n)
            }
        };
        let (Some(soft), Some(hard)) = (soft, hard) else {
            value_error(
                sink,
                &e.value,
                &p,
                format!("ulimit `{name}` needs a number, or `soft` and `hard`"),
            );
            continue;
        };
        out.push(UlimitSetting {
            name: name.clone(),
            soft,
            hard,
            key_loc: e.key_loc.clone(),
            path: p,
        });
    }
    out
}

pub(super) fn volumes(node: &Node, path: &str, sink: &mut Sink) -> Vec<VolumeMount> {
    let Some(items) = node.as_seq() else {
        if !node.is_null() {
            type_error(sink, node, path, "a list");
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let mount = match &item.value {
            Value::Scalar(s) => {
                let parts: Vec<&str> = s.text.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [t] => (None, (*t).to_owned(), ""),
                    [s, t] => (Some((*s).to_owned()), (*t).to_owned(), ""),
                    [s, t, m, ..] => (Some((*s).to_owned()), (*t).to_owned(), *m),
                    [] => continue,
                };
                let kind = match &source {
                    Some(s) if s.starts_with(['/', '.', '~']) => "bind",
                    _ => "volume",
                };
                VolumeMount {
                    kind: kind.to_owned(),
                    source,
                    target,
                    read_only: mode.split(',').any(|m| m == "ro"),
                    tmpfs_size: None,
                    unconverted: Vec::new(),
                    loc: item.loc.clone(),
                    path: p,
                }
            }
            Value::Map(m) => {
                let get = |k: &str| field(m, k);
                let Some(target) = get("target") else {
                    value_error(
                        sink,
                        item,
                        &p,
                        "a volume in the long syntax needs `target`".to_owned(),
                    );
                    continue;
                };
                VolumeMount {
                    kind: get("type").unwrap_or_else(|| "volume".to_owned()),
                    source: get("source"),
                    target,
                    read_only: matches!(
                        m.get("read_only").and_then(|e| e.value.resolve()),
                        Some(Resolved::Bool(true))
                    ),
                    tmpfs_size: m
                        .get("tmpfs")
                        .and_then(|e| e.value.get("size"))
                        .and_then(|n| crate::units::parse_bytes(&text(n)).ok())
                        .map(crate::units::bytes_to_mib),
                    unconverted: m
                        .iter()
                        .filter(|(k, _)| matches!(k.as_str(), "bind" | "volume" | "consistency"))
                        .map(|(k, e)| (k.clone(), e.key_loc.clone()))
                        .collect(),
                    loc: item.loc.clone(),
                    path: p,
                }
            }
            _ => {
                type_error(sink, item, &p, "a volume string or a mapping");
                continue;
            }
        };
        out.push(mount);
    }
    out
}
