//! The readers of the model stage: one vocabulary for the shapes a key may
//! take and the errors when it takes another.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::yaml::{Map, Node, Resolved, Value};

use super::*;

pub(super) fn child(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

pub(super) fn type_error(sink: &mut Sink, node: &Node, path: &str, expected: &str) {
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

pub(super) fn value_error(sink: &mut Sink, node: &Node, path: &str, message: String) {
    sink.push(
        Diagnostic::error(Code::InvalidValue, message)
            .with_path(path)
            .at(Some(&node.loc)),
    );
}

/// The key a path ends in, without a list index: `cap_add` for
/// `services.web.cap_add[0]`.
pub(super) fn last_key(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

/// The text of a scalar (numbers and booleans as written).
pub(super) fn scalar(sink: &mut Sink, node: &Node, path: &str) -> Option<String> {
    match &node.value {
        Value::Scalar(s) => Some(s.text.clone()),
        _ => {
            type_error(sink, node, path, "a string");
            None
        }
    }
}

/// A list of scalars.
pub(super) fn scalar_list(sink: &mut Sink, node: &Node, path: &str) -> Option<Vec<String>> {
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
pub(super) fn words(sink: &mut Sink, node: &Node, path: &str) -> Option<Vec<String>> {
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
pub(super) fn uint(sink: &mut Sink, node: &Node, path: &str) -> Option<u64> {
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

pub(super) fn spanned<T>(value: T, node: &Node, path: &str) -> Spanned<T> {
    Spanned {
        value,
        loc: node.loc.clone(),
        path: path.to_owned(),
    }
}

/// A `key=value` list or a mapping; `None` values are bare keys.
pub(super) fn list_or_map(
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

pub(super) fn unsupported_nested(sink: &mut Sink, key: &str, path: &str, loc: &Location) {
    sink.push(
        Diagnostic::warning(
            Code::UnsupportedKey,
            format!("`{key}` is not converted to ECS by compose2ecs and is dropped"),
        )
        .with_path(path)
        .at(Some(loc)),
    );
}

/// Reports a nested key the model does not read, from the support table
/// (nested keys that depend on the launch type go to the converter).
pub(super) fn report_nested(key: &str, path: &str, loc: &Location, sink: &mut Sink) {
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

/// A scalar as written; a collection as compact JSON (for messages).
pub(super) fn text(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => s.text.clone(),
        Value::Null => String::new(),
        _ => node.to_json().to_string(),
    }
}

/// `true` or `false`; `None` for null.
pub(super) fn boolean(sink: &mut Sink, node: &Node, path: &str) -> Option<bool> {
    match node.resolve() {
        Some(Resolved::Bool(b)) => Some(b),
        _ if node.is_null() => None,
        _ => {
            type_error(sink, node, path, "true or false");
            None
        }
    }
}

/// An integer, from an integer or a string of digits.
pub(super) fn integer(sink: &mut Sink, node: &Node, path: &str) -> Option<i64> {
    match node.resolve() {
        Some(Resolved::Int(i)) => Some(i),
        Some(Resolved::Str(s)) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
        _ => {
            type_error(sink, node, path, "an integer");
            None
        }
    }
}

/// A size (`64m`, bytes) in MiB, rounded up.
pub(super) fn mib(sink: &mut Sink, node: &Node, path: &str) -> Option<u64> {
    match crate::units::parse_bytes(&text(node)) {
        Ok(b) => Some(crate::units::bytes_to_mib(b)),
        Err(m) => {
            value_error(sink, node, path, format!("`{}`: {m}", last_key(path)));
            None
        }
    }
}

/// A string or a list of strings, each with its path.
pub(super) fn strings(sink: &mut Sink, node: &Node, path: &str) -> Vec<(String, String)> {
    match &node.value {
        Value::Scalar(s) => vec![(s.text.clone(), path.to_owned())],
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let p = format!("{path}[{i}]");
                match &n.value {
                    Value::Scalar(s) => Some((s.text.clone(), p)),
                    _ => {
                        type_error(sink, n, &p, "a string");
                        None
                    }
                }
            })
            .collect(),
        Value::Null => Vec::new(),
        _ => {
            type_error(sink, node, path, "a string or a list of strings");
            Vec::new()
        }
    }
}

/// A string or a list of strings, each item with its own location and
/// key path (`tmpfs[1]` points at the second item, not the list).
pub(super) fn items(sink: &mut Sink, node: &Node, path: &str) -> Vec<Spanned<String>> {
    let at = |i: usize| match &node.value {
        Value::Seq(items) => items.get(i).map_or(&node.loc, |n| &n.loc).clone(),
        _ => node.loc.clone(),
    };
    strings(sink, node, path)
        .into_iter()
        .enumerate()
        .map(|(i, (value, path))| Spanned {
            value,
            loc: at(i),
            path,
        })
        .collect()
}

/// `[k=v]` or `{k: v}`, sorted by key. A list item splits at `=`, else at
/// `sep`; with no `sep`, a bare `k` is `k` with an empty value, as compose
/// reads `sysctls`.
pub(super) fn pairs(
    sink: &mut Sink,
    node: &Node,
    path: &str,
    sep: Option<char>,
) -> Vec<(String, String)> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    match &node.value {
        Value::Map(m) => {
            for (k, e) in m {
                out.insert(k.clone(), text(&e.value));
            }
        }
        Value::Seq(items) => {
            for (i, n) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let Some(t) = n.as_str() else {
                    type_error(sink, n, &p, "a `key=value` string");
                    continue;
                };
                match (t.split_once('='), sep) {
                    (Some((k, v)), _) => {
                        out.insert(k.trim().to_owned(), v.trim().to_owned());
                    }
                    (None, None) => {
                        out.insert(t.trim().to_owned(), String::new());
                    }
                    (None, Some(sep)) => match t.split_once(sep) {
                        Some((k, v)) => {
                            out.insert(k.trim().to_owned(), v.trim().to_owned());
                        }
                        None => value_error(sink, n, &p, format!("`{t}` is not `key{sep}value`")),
                    },
                }
            }
        }
        Value::Null => {}
        Value::Scalar(_) => type_error(sink, node, path, "a list or a mapping"),
    }
    out.into_iter().collect()
}

/// A string field of a long-syntax mapping (`source`, `target`, …).
pub(super) fn field(m: &Map, key: &str) -> Option<String> {
    m.get(key).and_then(|e| e.value.as_str()).map(str::to_owned)
}
