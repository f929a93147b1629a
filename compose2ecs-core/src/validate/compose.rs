//! Stage 2, **validate compose**: the merged compose model checked against the Compose Specification's JSON
//! Schema (`schemas/compose-spec.json`, pinned; see `schemas/NOTICE.md`).
//!
//! Each violation becomes a `schema-violation` error with the key path and
//! the file:line of the offending node. Messages name types and keys, never
//! the offending value: a rejected `environment` may hold a password.

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::yaml::{Node, Value};
use crate::validate::schema::{Kind, Seg, Violation, render_path, type_names};
use crate::validate::tables::COMPOSE;

/// The pinned Compose Specification schema, as shipped in `schemas/`. The
/// check reads it as the tables `scripts/schema-tables.py` made of it.
pub const COMPOSE_SPEC_SCHEMA: &str = include_str!("../../schemas/compose-spec.json");

/// At most this many schema errors are reported; the rest are counted.
const MAX_REPORTED: usize = 50;

/// The violations of the Compose Specification's schema in a merged tree.
#[cfg(feature = "internals")]
pub(crate) fn check(tree: &Node) -> Vec<Diagnostic> {
    let mut sink = Sink::default();
    validate_compose(tree, &mut sink);
    sink.into_vec()
}

/// Checks the merged tree; every violation goes to `sink` as an error.
pub(crate) fn validate_compose(tree: &Node, sink: &mut Sink) {
    // The common case, valid, takes the fast path; violations are collected
    // only when there are some.
    if COMPOSE.is_valid(tree) {
        return;
    }
    let violations = COMPOSE.violations(tree);
    let count = violations.len();
    let mut found = Vec::new();
    for v in violations.iter().take(MAX_REPORTED) {
        for (path, loc, message, help) in describe(v, tree) {
            let mut d = Diagnostic::error(Code::SchemaViolation, message).at(loc.as_ref());
            if !path.is_empty() {
                d = d.with_path(path);
            }
            if let Some(help) = help {
                d = d.with_help(help);
            }
            found.push(d);
        }
    }
    // In file order, as a reader fixes them.
    found.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
        };
        key(a).cmp(&key(b))
    });
    found.dedup_by(|a, b| a.path == b.path && a.message == b.message);
    for d in found {
        sink.push(d);
    }
    if count > MAX_REPORTED {
        sink.push(Diagnostic::error(
            Code::SchemaViolation,
            format!("… and {} more schema violations", count - MAX_REPORTED),
        ));
    }
}

type Described = (String, Option<Location>, String, Option<String>);

fn describe(v: &Violation<'_>, tree: &Node) -> Vec<Described> {
    let segments = &v.path;
    let path = render_path(segments);
    let (node, key_loc) = locate(tree, segments);
    let loc = node.map(|n| n.loc.clone()).or(key_loc.clone());
    let at = if path.is_empty() {
        "the file".to_owned()
    } else {
        format!("`{path}`")
    };
    let one = |message: String| vec![(path.clone(), loc.clone(), message, None)];
    match &v.kind {
        Kind::AdditionalProperties { unexpected, known } => unexpected
            .iter()
            .map(|key| {
                let mut segs = segments.clone();
                segs.push(Seg::Key(key));
                let (_, key_loc) = locate(tree, &segs);
                let help = crate::diagnostic::closest(key, known.iter().map(|(k, _)| *k))
                    .map(|s| format!("did you mean `{s}`?"));
                (
                    render_path(&segs),
                    key_loc.or_else(|| loc.clone()),
                    format!("`{key}` is not allowed in {at} by the Compose Specification"),
                    help,
                )
            })
            .collect(),
        Kind::OneOfNone(context) | Kind::AnyOf(context) => {
            // The branch that got furthest says the most: one whose errors
            // are not all "wrong type here".
            let deeper = context
                .iter()
                .filter(|b| {
                    !b.is_empty()
                        && !b
                            .iter()
                            .all(|e| matches!(e.kind, Kind::Type(_)) && e.path == v.path)
                })
                .min_by_key(|b| b.len());
            if let Some(first) = deeper.and_then(|b| b.first()) {
                return describe(first, tree);
            }
            let mut types: Vec<&str> = Vec::new();
            for e in context.iter().flatten() {
                if let Kind::Type(bits) = e.kind {
                    for t in type_names(bits) {
                        if !types.contains(&t) {
                            types.push(t);
                        }
                    }
                }
            }
            let found = node.map_or("nothing", Node::kind_name);
            if types.is_empty() {
                one(format!(
                    "{at} does not match any of the forms the Compose Specification allows"
                ))
            } else {
                let names: Vec<&str> = types.into_iter().map(type_name).collect();
                one(format!("{at} must be {}, not {found}", names.join(" or ")))
            }
        }
        Kind::Type(bits) => {
            let found = node.map_or("nothing", Node::kind_name);
            let names: Vec<&str> = type_names(*bits).into_iter().map(type_name).collect();
            one(format!("{at} must be {}, not {found}", names.join(" or ")))
        }
        Kind::Required(name) => one(format!("{at} needs `{name}`")),
        Kind::Enum(options) => {
            let allowed: Vec<String> = options
                .iter()
                .map(|o| serde_json::Value::from(*o).to_string())
                .collect();
            one(format!("{at} must be one of {}", allowed.join(", ")))
        }
        Kind::Pattern(p) => one(format!("{at} must match the pattern `{}`", p.source())),
        Kind::UniqueItems => one(format!("{at} lists the same item twice")),
        Kind::MinItems(limit) => one(format!("{at} needs at least {limit} item(s)")),
        Kind::MaxItems(limit) => one(format!("{at} may have at most {limit} item(s)")),
        Kind::Minimum(limit) => one(format!("{at} is below the minimum {limit}")),
        Kind::Maximum(limit) => one(format!("{at} is above the maximum {limit}")),
        Kind::False => one(format!("{at} is not allowed by the Compose Specification")),
        other => one(format!(
            "{at} does not follow the Compose Specification (`{}`)",
            other.keyword()
        )),
    }
}

/// A JSON type's name as a reader says it.
fn type_name(t: &str) -> &str {
    match t {
        "array" => "a list",
        "object" => "a mapping",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        other => other,
    }
}

/// The node at an instance path, and the location of its key when it is a
/// mapping value.
fn locate<'t>(tree: &'t Node, segments: &[Seg<'_>]) -> (Option<&'t Node>, Option<Location>) {
    let mut node = tree;
    let mut key_loc = None;
    for s in segments {
        match (s, &node.value) {
            (Seg::Key(k), Value::Map(m)) => match m.get(*k) {
                Some(e) => {
                    key_loc = Some(e.key_loc.clone());
                    node = &e.value;
                }
                None => return (None, Some(node.loc.clone())),
            },
            (Seg::Index(i), Value::Seq(items)) => match items.get(*i) {
                Some(n) => {
                    key_loc = None;
                    node = n;
                }
                None => return (None, Some(node.loc.clone())),
            },
            _ => return (None, Some(node.loc.clone())),
        }
    }
    (Some(node), key_loc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn check(text: &str) -> Vec<Diagnostic> {
        let tree = crate::load::yaml::parse(Path::new("c.yaml"), text).unwrap();
        let mut sink = Sink::default();
        validate_compose(&tree, &mut sink);
        sink.into_vec()
    }

    #[test]
    fn a_valid_file_has_no_violations() {
        assert!(check("services:\n  web:\n    image: nginx\n    ports: ['80:80']\n").is_empty());
    }

    #[test]
    fn a_wrong_type_names_the_path_and_line() {
        let d = check("services:\n  web:\n    image: nginx\n    ports: 80\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path.as_deref(), Some("services.web.ports"));
        assert_eq!(d[0].location.as_ref().map(|l| l.line), Some(4));
        assert_eq!(
            d[0].message,
            "`services.web.ports` must be a list, not an integer"
        );
    }

    #[test]
    fn an_unknown_key_suggests_the_closest() {
        let d = check("services:\n  web:\n    imgae: nginx\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path.as_deref(), Some("services.web.imgae"));
        assert_eq!(
            d[0].location.as_ref().map(|l| (l.line, l.column)),
            Some((3, 5))
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `image`?"));
    }

    #[test]
    fn rejected_values_are_not_repeated_in_messages() {
        let d =
            check("services:\n  web:\n    image: nginx\n    environment: [{PASSWORD: hunter2}]\n");
        assert!(!d.is_empty());
        assert!(d.iter().all(|d| !d.message.contains("hunter2")), "{d:?}");
    }
}
