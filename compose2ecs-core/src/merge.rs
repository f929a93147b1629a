//! Stage 3, **merge**: several `-f` files into one tree, by the Compose
//! Specification's merge rules.
//!
//! - mappings are merged key by key, recursively;
//! - scalars and the lists below are replaced by the later file: `command`,
//!   `entrypoint`, `healthcheck.test` (and every list not named below);
//! - `ports`, `expose`, `dns`, `dns_search`, `env_file`, `cap_add`,
//!   `cap_drop`, `profiles`, `devices`, `security_opt`, `tmpfs`,
//!   `external_links`, `links`, `volumes_from` are appended, duplicates removed;
//! - `environment`, `labels`, `extra_hosts`, `sysctls`, `annotations` are
//!   merged by key, whether written as a list (`KEY=value`) or a mapping.

use crate::yaml::{Entry, Map, Node, Scalar, Value};

const APPENDED: &[&str] = &[
    "ports",
    "expose",
    "dns",
    "dns_search",
    "env_file",
    "cap_add",
    "cap_drop",
    "profiles",
    "devices",
    "security_opt",
    "tmpfs",
    "external_links",
    "links",
    "volumes_from",
    "dns_opt",
    "group_add",
];

const BY_KEY: &[&str] = &[
    "environment",
    "labels",
    "extra_hosts",
    "sysctls",
    "annotations",
];

/// Merges `over` into `base`; `path` is the key path of `base`, which decides
/// the rule for lists inside a service.
pub fn merge(base: &mut Node, over: Node, path: &[&str]) {
    let key = path.last().copied().unwrap_or("");
    let service_key = path.len() == 3 && path[0] == "services";
    match (&mut base.value, over.value) {
        (b @ (Value::Seq(_) | Value::Map(_)), o @ (Value::Seq(_) | Value::Map(_)))
            if service_key && BY_KEY.contains(&key) =>
        {
            let mut merged = to_map(std::mem::replace(b, Value::Null));
            merged.extend(to_map(o));
            *b = Value::Map(merged);
        }
        (Value::Seq(b), Value::Seq(o)) if service_key && APPENDED.contains(&key) => {
            for item in o {
                if !b.iter().any(|x| same_value(x, &item)) {
                    b.push(item);
                }
            }
        }
        (Value::Map(b), Value::Map(o)) => {
            for (k, e) in o {
                match b.get_mut(&k) {
                    Some(existing) => {
                        let mut child: Vec<&str> = path.to_vec();
                        child.push(&k);
                        merge(&mut existing.value, e.value, &child);
                    }
                    None => {
                        b.insert(k, e);
                    }
                }
            }
        }
        (b, o) => {
            *b = o;
            base.loc = over.loc;
            base.tag = over.tag;
        }
    }
}

/// `["A=1", "B"]` → `{A: "1", B: null}`.
fn to_map(value: Value) -> Map {
    match value {
        Value::Map(m) => m,
        Value::Seq(items) => {
            let mut m = Map::new();
            for item in items {
                let Some(text) = item.as_str() else { continue };
                let (k, v) = match text.split_once('=') {
                    Some((k, v)) => (
                        k.to_owned(),
                        Value::Scalar(Scalar {
                            text: v.to_owned(),
                            plain: false,
                        }),
                    ),
                    None => (text.to_owned(), Value::Null),
                };
                m.insert(
                    k,
                    Entry {
                        key_loc: item.loc.clone(),
                        value: Node::new(v, item.loc.clone()),
                    },
                );
            }
            m
        }
        _ => Map::new(),
    }
}

fn same_value(a: &Node, b: &Node) -> bool {
    a.to_json() == b.to_json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Node {
        crate::yaml::parse(Path::new("x.yaml"), text).unwrap()
    }

    #[test]
    fn the_spec_rules() {
        let mut base = load(
            "services:\n  web:\n    image: a\n    command: [x, y]\n    ports: ['80']\n    environment: [A=1, B=2]\n",
        );
        let over = load(
            "services:\n  web:\n    image: b\n    command: [z]\n    ports: ['80', '443']\n    environment: {B: 3, C: 4}\n",
        );
        merge(&mut base, over, &[]);
        let web = base.get("services").unwrap().get("web").unwrap();
        assert_eq!(web.get("image").unwrap().as_str(), Some("b"));
        assert_eq!(
            web.get("command").unwrap().to_json(),
            serde_json::json!(["z"])
        );
        assert_eq!(
            web.get("ports").unwrap().to_json(),
            serde_json::json!(["80", "443"])
        );
        assert_eq!(
            web.get("environment").unwrap().to_json(),
            serde_json::json!({"A": "1", "B": 3, "C": 4})
        );
    }
}
