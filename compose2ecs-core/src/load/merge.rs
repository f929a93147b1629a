//! Stage 1, **load** (merge): several `-f` files (and a service over the one it
//! `extends`) into one tree, by the Compose Specification's merge rules.
//!
//! | what | rule |
//! |---|---|
//! | mappings | merged key by key, recursively |
//! | scalars, `command`, `entrypoint`, `healthcheck.test`, other lists | replaced by the later file |
//! | `ports`, `expose`, `dns`, `dns_search`, `dns_opt`, `env_file`, `cap_add`, `cap_drop`, `profiles`, `devices`, `security_opt`, `tmpfs`, `external_links`, `links`, `volumes_from`, `group_add` | appended, duplicates removed (a single string counts as a one-item list) |
//! | `environment`, `labels`, `extra_hosts`, `sysctls`, `annotations`, `build.args`, `build.labels`, `deploy.labels` | merged by key, written as a list (`KEY=value`) or a mapping |
//! | `volumes`, `secrets`, `configs` | merged by target: a later entry for the same target replaces the earlier one in place |
//! | `depends_on`, `networks` | merged by name, list or mapping |
//! | `logging` | replaced whole when the driver changes |
//! | `!reset` on a value | removes the key (or list item) |
//! | `!override` on a value | replaces the earlier value whole, without merging |
//!
//! Tags that survive merging are stripped by [`finish`].

use crate::load::yaml::{Entry, Map, Node, Scalar, Value};

/// The `!reset` tag.
pub(crate) const RESET: &str = "!reset";
/// The `!override` tag.
pub(crate) const OVERRIDE: &str = "!override";

const APPENDED: &[&str] = &[
    "ports",
    "expose",
    "dns",
    "dns_search",
    "dns_opt",
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
    "group_add",
];

const BY_KEY: &[&str] = &[
    "environment",
    "labels",
    "extra_hosts",
    "sysctls",
    "annotations",
];

const BY_TARGET: &[&str] = &["volumes", "secrets", "configs"];

const BY_NAME: &[&str] = &["depends_on", "networks"];

/// How two values at a path combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Recurse,
    Append,
    ByKey,
    ByTarget,
    ByName,
    Logging,
}

fn rule(path: &[&str]) -> Rule {
    match path {
        ["services", _, key] if APPENDED.contains(key) => Rule::Append,
        ["services", _, key] if BY_KEY.contains(key) => Rule::ByKey,
        ["services", _, key] if BY_TARGET.contains(key) => Rule::ByTarget,
        ["services", _, key] if BY_NAME.contains(key) => Rule::ByName,
        ["services", _, "logging"] => Rule::Logging,
        ["services", _, "build", "args" | "labels"] | ["services", _, "deploy", "labels"] => {
            Rule::ByKey
        }
        _ => Rule::Recurse,
    }
}

/// Merges `over` into `base`; `path` is the key path of `base` (such as
/// `["services", "web"]`), which decides the rule.
pub(crate) fn merge(base: &mut Node, over: Node, path: &[&str]) {
    if over.tag.as_deref() == Some(OVERRIDE) {
        *base = over;
        base.tag = None;
        return;
    }
    let rule = rule(path);
    let Node {
        value: over_value,
        loc: over_loc,
        tag: over_tag,
    } = over;
    match (rule, &mut base.value, over_value) {
        (Rule::ByKey, b @ (Value::Seq(_) | Value::Map(_)), o @ (Value::Seq(_) | Value::Map(_))) => {
            let split = if path.last() == Some(&"extra_hosts") {
                split_host
            } else {
                split_assignment
            };
            // docker compose resets a key of a mapping only: over a list
            // (`[A=1, C=3]`), `C: !reset null` leaves `C=3` in place.
            let base_is_map = matches!(b, Value::Map(_));
            let mut merged = to_map(std::mem::replace(b, Value::Null), split);
            for (k, e) in to_map(o, split) {
                if e.value.tag.as_deref() == Some(RESET) {
                    if base_is_map {
                        merged.shift_remove(&k);
                    }
                } else {
                    merged.insert(k, e);
                }
            }
            *b = Value::Map(merged);
        }
        (
            Rule::ByName,
            b @ (Value::Seq(_) | Value::Map(_)),
            o @ (Value::Seq(_) | Value::Map(_)),
        ) => {
            let depends_on = path.last() == Some(&"depends_on");
            let mut merged = names_to_map(std::mem::replace(b, Value::Null), depends_on);
            merge_maps(&mut merged, names_to_map(o, depends_on), path);
            *b = Value::Map(merged);
        }
        (
            Rule::Append,
            b @ (Value::Seq(_) | Value::Scalar(_)),
            o @ (Value::Seq(_) | Value::Scalar(_)),
        ) => {
            let mut items = to_seq(std::mem::replace(b, Value::Null), &base.loc);
            for item in to_seq(o, &over_loc) {
                if item.tag.as_deref() == Some(RESET) {
                    continue;
                }
                if !items.iter().any(|x| same_value(x, &item)) {
                    items.push(item);
                }
            }
            *b = Value::Seq(items);
        }
        (Rule::ByTarget, Value::Seq(b), Value::Seq(o)) => {
            let kind = path.last().copied().unwrap_or("");
            for item in o {
                let target = target_of(kind, &item);
                match b
                    .iter()
                    .position(|x| target.is_some() && target_of(kind, x) == target)
                {
                    Some(i) if item.tag.as_deref() == Some(RESET) => {
                        b.remove(i);
                    }
                    Some(i) => b[i] = item,
                    None if item.tag.as_deref() == Some(RESET) => {}
                    None => b.push(item),
                }
            }
        }
        (Rule::Logging, Value::Map(b), Value::Map(o))
            if driver(b).is_some() && driver(&o).is_some() && driver(b) != driver(&o) =>
        {
            *b = o;
        }
        (_, Value::Map(b), Value::Map(o)) => merge_maps(b, o, path),
        (_, b, o) => {
            *b = o;
            base.loc = over_loc;
            base.tag = over_tag;
        }
    }
}

fn merge_maps(b: &mut Map, o: Map, path: &[&str]) {
    for (k, e) in o {
        if e.value.tag.as_deref() == Some(RESET) {
            b.shift_remove(&k);
            continue;
        }
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

fn driver(m: &Map) -> Option<&str> {
    m.get("driver").and_then(|e| e.value.as_str())
}

/// The target a `volumes`/`secrets`/`configs` entry mounts at: the long
/// syntax's `target` (or a secret's `source`), or the short syntax's
/// container path (`src:/target:ro`, an anonymous `/target`, a secret's
/// name).
fn target_of(kind: &str, item: &Node) -> Option<String> {
    match &item.value {
        Value::Scalar(s) if kind == "volumes" => {
            let parts: Vec<&str> = s.text.split(':').collect();
            let target = if parts.len() == 1 { parts[0] } else { parts[1] };
            Some(target.to_owned())
        }
        Value::Scalar(s) => Some(s.text.clone()),
        Value::Map(m) => m
            .get("target")
            .or_else(|| (kind != "volumes").then(|| m.get("source")).flatten())
            .and_then(|e| e.value.as_str())
            .map(str::to_owned),
        _ => None,
    }
}

fn split_assignment(text: &str) -> (&str, Option<&str>) {
    match text.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (text, None),
    }
}

/// `host=ip` or `host:ip` (the IP may itself contain colons).
fn split_host(text: &str) -> (&str, Option<&str>) {
    match text.split_once('=').or_else(|| text.split_once(':')) {
        Some((k, v)) => (k, Some(v)),
        None => (text, None),
    }
}

/// `["A=1", "B"]` → `{A: "1", B: null}`.
fn to_map(value: Value, split: fn(&str) -> (&str, Option<&str>)) -> Map {
    match value {
        Value::Map(m) => m,
        Value::Seq(items) => {
            let mut m = Map::new();
            for item in items {
                let Some(text) = item.as_str() else { continue };
                let (k, v) = split(text);
                let v = match v {
                    Some(v) => Value::Scalar(Scalar {
                        text: v.to_owned(),
                        plain: false,
                    }),
                    None => Value::Null,
                };
                let mut node = Node::new(v, item.loc.clone());
                node.tag = item.tag.clone();
                m.insert(
                    k.to_owned(),
                    Entry {
                        key_loc: item.loc.clone(),
                        value: node,
                    },
                );
            }
            m
        }
        _ => Map::new(),
    }
}

/// `depends_on: [db]` → `{db: {condition: service_started}}`;
/// `networks: [front]` → `{front: null}`.
fn names_to_map(value: Value, depends_on: bool) -> Map {
    match value {
        Value::Map(m) => m,
        Value::Seq(items) => items
            .into_iter()
            .filter_map(|item| {
                let name = item.as_str()?.to_owned();
                let loc = item.loc.clone();
                let value = if depends_on {
                    let mut m = Map::new();
                    m.insert(
                        "condition".to_owned(),
                        Entry {
                            key_loc: loc.clone(),
                            value: Node::new(
                                Value::Scalar(Scalar {
                                    text: "service_started".to_owned(),
                                    plain: true,
                                }),
                                loc.clone(),
                            ),
                        },
                    );
                    Value::Map(m)
                } else {
                    Value::Null
                };
                Some((
                    name,
                    Entry {
                        key_loc: loc.clone(),
                        value: Node::new(value, loc),
                    },
                ))
            })
            .collect(),
        _ => Map::new(),
    }
}

fn to_seq(value: Value, loc: &crate::diagnostic::Location) -> Vec<Node> {
    match value {
        Value::Seq(items) => items,
        v @ Value::Scalar(_) => vec![Node::new(v, loc.clone())],
        _ => Vec::new(),
    }
}

fn same_value(a: &Node, b: &Node) -> bool {
    a.to_json() == b.to_json()
}

/// After the last merge: removes what `!reset` still marks (a key reset where
/// nothing was there to reset) and forgets `!override`.
pub(crate) fn finish(node: &mut Node) {
    if node.tag.as_deref() == Some(OVERRIDE) {
        node.tag = None;
    }
    match &mut node.value {
        Value::Map(m) => {
            m.retain(|_, e| e.value.tag.as_deref() != Some(RESET));
            for e in m.values_mut() {
                finish(&mut e.value);
            }
        }
        Value::Seq(items) => {
            items.retain(|n| n.tag.as_deref() != Some(RESET));
            for n in items {
                finish(n);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::Path;

    fn load(text: &str) -> Node {
        crate::load::yaml::parse(Path::new("x.yaml"), text).unwrap()
    }

    fn merged(a: &str, b: &str) -> serde_json::Value {
        let mut base = load(a);
        merge(&mut base, load(b), &[]);
        finish(&mut base);
        base.get("services").unwrap().get("web").unwrap().to_json()
    }

    #[test]
    fn scalars_and_command_lists_are_replaced() {
        let web = merged(
            "services:\n  web:\n    image: a\n    command: [x, y]\n    healthcheck: {test: [CMD, a], retries: 3}\n",
            "services:\n  web:\n    image: b\n    command: [z]\n    healthcheck: {test: [CMD, b]}\n",
        );
        assert_eq!(web["image"], json!("b"));
        assert_eq!(web["command"], json!(["z"]));
        assert_eq!(
            web["healthcheck"],
            json!({"test": ["CMD", "b"], "retries": 3})
        );
    }

    #[test]
    fn appended_lists_drop_duplicates_and_accept_a_single_string() {
        let web = merged(
            "services:\n  web:\n    ports: ['80']\n    dns: 8.8.8.8\n",
            "services:\n  web:\n    ports: ['80', '443']\n    dns: [8.8.8.8, 1.1.1.1]\n",
        );
        assert_eq!(web["ports"], json!(["80", "443"]));
        assert_eq!(web["dns"], json!(["8.8.8.8", "1.1.1.1"]));
    }

    #[test]
    fn key_value_lists_merge_by_key_in_either_syntax() {
        let web = merged(
            "services:\n  web:\n    environment: [A=1, B=2]\n    extra_hosts: ['db:10.0.0.1', 'v6:::1']\n    build: {args: [X=1]}\n",
            "services:\n  web:\n    environment: {B: 3, C: 4}\n    extra_hosts: {db: 10.0.0.2}\n    build: {args: {Y: 2}}\n",
        );
        assert_eq!(web["environment"], json!({"A": "1", "B": 3, "C": 4}));
        assert_eq!(web["extra_hosts"], json!({"db": "10.0.0.2", "v6": "::1"}));
        assert_eq!(web["build"]["args"], json!({"X": "1", "Y": 2}));
    }

    #[test]
    fn volumes_and_secrets_merge_by_target() {
        let web = merged(
            "services:\n  web:\n    volumes: ['a:/data', '/cache', {type: bind, source: ./x, target: /x}]\n    secrets: [s1]\n",
            "services:\n  web:\n    volumes: ['b:/data:ro', '/new', {type: bind, source: ./y, target: /x}]\n    secrets: [{source: s1, target: t}, s2]\n",
        );
        assert_eq!(
            web["volumes"],
            json!(["b:/data:ro", "/cache", {"type": "bind", "source": "./y", "target": "/x"}, "/new"])
        );
        assert_eq!(
            web["secrets"],
            json!(["s1", {"source": "s1", "target": "t"}, "s2"])
        );
    }

    #[test]
    fn depends_on_and_networks_merge_by_name_across_syntaxes() {
        let web = merged(
            "services:\n  web:\n    depends_on: [db]\n    networks: [front]\n",
            "services:\n  web:\n    depends_on: {cache: {condition: service_healthy}}\n    networks: {back: {aliases: [b]}}\n",
        );
        assert_eq!(
            web["depends_on"],
            json!({"db": {"condition": "service_started"}, "cache": {"condition": "service_healthy"}})
        );
        assert_eq!(
            web["networks"],
            json!({"front": null, "back": {"aliases": ["b"]}})
        );
    }

    #[test]
    fn logging_is_replaced_when_the_driver_changes() {
        let same = merged(
            "services:\n  web:\n    logging: {driver: json-file, options: {max-size: 1m}}\n",
            "services:\n  web:\n    logging: {options: {max-file: '3'}}\n",
        );
        assert_eq!(
            same["logging"]["options"],
            json!({"max-size": "1m", "max-file": "3"})
        );
        let other = merged(
            "services:\n  web:\n    logging: {driver: json-file, options: {max-size: 1m}}\n",
            "services:\n  web:\n    logging: {driver: awslogs, options: {awslogs-group: g}}\n",
        );
        assert_eq!(
            other["logging"],
            json!({"driver": "awslogs", "options": {"awslogs-group": "g"}})
        );
    }

    #[test]
    fn reset_and_override_tags() {
        let web = merged(
            "services:\n  web:\n    image: a\n    command: [x]\n    ports: ['80']\n    environment: {A: 1, B: 2}\n    healthcheck: {test: [CMD, x], retries: 3}\n",
            "services:\n  web:\n    command: !reset []\n    ports: !override ['81']\n    environment: {A: !reset null}\n    healthcheck: !override {test: [CMD, y]}\n    user: !reset null\n",
        );
        assert_eq!(web.get("command"), None);
        assert_eq!(web.get("user"), None);
        assert_eq!(web["ports"], json!(["81"]));
        assert_eq!(web["environment"], json!({"B": 2}));
        assert_eq!(web["healthcheck"], json!({"test": ["CMD", "y"]}));
    }

    #[test]
    fn a_reset_key_over_a_list_stays_as_in_docker_compose() {
        let web = merged(
            "services:\n  web:\n    image: a\n    environment: [A=1, C=3]\n",
            "services:\n  web:\n    environment: {C: !reset null, D: 4}\n",
        );
        assert_eq!(web["environment"], json!({"A": "1", "C": "3", "D": 4}));
    }
}
