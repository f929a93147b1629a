//! Relative paths of included files and of services extended from another
//! folder, rewritten relative to the including project's directory.

use std::path::Path;

use super::paths;
use super::yaml::{Entry, Node, Scalar, Value};

/// Rewrites the relative paths of a whole included file from `from` to `to`.
pub(super) fn rebase_tree(tree: &mut Node, from: &Path, to: &Path) {
    let delta = paths::relative(from, to);
    if delta == Path::new(".") {
        return;
    }
    let Value::Map(top) = &mut tree.value else {
        return;
    };
    if let Some(Value::Map(services)) = top.get_mut("services").map(|e| &mut e.value.value) {
        for e in services.values_mut() {
            rebase_service_by(&mut e.value, &delta);
        }
    }
    for kind in ["secrets", "configs"] {
        if let Some(Value::Map(m)) = top.get_mut(kind).map(|e| &mut e.value.value) {
            for e in m.values_mut() {
                if let Some(file) = get_mut(&mut e.value, "file") {
                    rebase_scalar(file, &delta);
                }
            }
        }
    }
}

pub(super) fn rebase_service(svc: &mut Node, from: &Path, to: &Path) {
    let delta = paths::relative(from, to);
    if delta != Path::new(".") {
        rebase_service_by(svc, &delta);
    }
}

/// The keys of a service that hold paths relative to the project directory.
pub(super) fn rebase_service_by(svc: &mut Node, delta: &Path) {
    let Value::Map(m) = &mut svc.value else {
        return;
    };
    if let Some(build) = m.get_mut("build").map(|e| &mut e.value) {
        match &mut build.value {
            Value::Scalar(_) => rebase_scalar(build, delta),
            Value::Map(b) => match b.get_mut("context") {
                Some(c) => rebase_scalar(&mut c.value, delta),
                None => {
                    let loc = build.loc.clone();
                    b.insert(
                        "context".to_owned(),
                        Entry {
                            key_loc: loc.clone(),
                            value: Node::new(
                                Value::Scalar(Scalar {
                                    text: paths::rebase(".", delta),
                                    plain: false,
                                }),
                                loc,
                            ),
                        },
                    );
                }
            },
            _ => {}
        }
    }
    for key in ["env_file", "label_file"] {
        if let Some(n) = m.get_mut(key).map(|e| &mut e.value) {
            match &mut n.value {
                Value::Scalar(_) => rebase_scalar(n, delta),
                Value::Seq(items) => {
                    for item in items {
                        if item.as_str().is_some() {
                            rebase_scalar(item, delta);
                        } else if let Some(p) = get_mut(item, "path") {
                            rebase_scalar(p, delta);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Seq(volumes)) = m.get_mut("volumes").map(|e| &mut e.value.value) {
        for v in volumes {
            match &mut v.value {
                Value::Scalar(s) if s.text.starts_with('.') => {
                    let (src, rest) = s.text.split_once(':').unwrap_or((&s.text, ""));
                    let src = paths::rebase(src, delta);
                    s.text = if rest.is_empty() {
                        src
                    } else {
                        format!("{src}:{rest}")
                    };
                }
                Value::Map(_) => {
                    let bind = v.get("type").and_then(Node::as_str) == Some("bind");
                    if bind {
                        if let Some(src) = get_mut(v, "source") {
                            rebase_scalar(src, delta);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

pub(super) fn get_mut<'n>(node: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    match &mut node.value {
        Value::Map(m) => m.get_mut(key).map(|e| &mut e.value),
        _ => None,
    }
}

pub(super) fn rebase_scalar(node: &mut Node, delta: &Path) {
    if let Value::Scalar(s) = &mut node.value {
        s.text = paths::rebase(&s.text, delta);
        s.plain = false;
    }
}
