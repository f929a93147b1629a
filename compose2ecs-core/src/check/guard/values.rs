//! The values the guard looks for: what the overlay maps to secrets, and
//! the deployer's credentials in the process environment.

use std::collections::BTreeSet;

use crate::diagnostic::redact::{MIN_LEN, looks_secret};
use crate::load::input::Input;
use crate::load::yaml::{self, Node, Value};
use crate::model::Project;

/// The names the overlay maps to secrets (top level and per service), read
/// from its tree, so that they are known even when the overlay is rejected.
pub(crate) fn mapped_names(tree: &Node) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add = |n: Option<&Node>| {
        if let Some(m) = n.and_then(Node::as_map) {
            names.extend(m.keys().cloned());
        }
    };
    add(tree.get("secrets"));
    if let Some(services) = tree.get("services").and_then(Node::as_map) {
        for e in services.values() {
            add(e.value.get("secrets"));
        }
    }
    names
}

/// The credential-like variables of the process environment, with values.
pub(super) fn process_credentials(input: &Input) -> impl Iterator<Item = (&str, &str)> {
    input
        .environment
        .iter()
        .filter(|(k, v)| !v.is_empty() && looks_secret(k) && input.from_process(k))
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

/// The values no quoted line may show: the local values of the mapped
/// variables — from the environment (`.env` included), the loaded project
/// (interpolated, env files read) and the compose files as written (even
/// when they do not load) — and the process environment's values of
/// credential-like variables.
pub(crate) fn sensitive_values(
    input: &Input,
    project: Option<&Project>,
    names: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut values: BTreeSet<String> = BTreeSet::new();
    let mut add = |value: &str| {
        if value.chars().count() >= MIN_LEN {
            values.insert(value.to_owned());
        }
    };
    for (_, v) in process_credentials(input) {
        add(v);
    }
    if names.is_empty() {
        return values;
    }
    for name in names {
        if let Some(v) = input.environment.get(name) {
            add(v);
        }
    }
    for service in project.iter().flat_map(|p| p.services.values()) {
        for name in names {
            if let Some(v) = service.environment.get(name) {
                add(&v.value);
            }
        }
    }
    for source in &input.compose {
        let Ok(docs) = yaml::parse_documents(&source.path, &source.text) else {
            continue;
        };
        for doc in docs {
            let Some(services) = doc.get("services").and_then(Node::as_map) else {
                continue;
            };
            for e in services.values() {
                match e.value.get("environment").map(|n| &n.value) {
                    Some(Value::Map(m)) => {
                        for (k, v) in m {
                            if let (true, Some(t)) = (names.contains(k), v.value.as_str()) {
                                add(t);
                            }
                        }
                    }
                    Some(Value::Seq(items)) => {
                        for item in items {
                            if let Some((k, v)) = item.as_str().and_then(|t| t.split_once('=')) {
                                if names.contains(k) {
                                    add(v);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    values
}
