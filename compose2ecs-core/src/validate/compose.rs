//! Stage 2, **validate compose**: the merged compose model checked against the Compose Specification's JSON
//! Schema (`schemas/compose-spec.json`, pinned; see `schemas/NOTICE.md`).
//!
//! Each violation becomes a `schema-violation` error with the key path and
//! the file:line of the offending node. Messages name types and keys, never
//! the offending value: a rejected `environment` may hold a password.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::yaml::{Node, Value};

/// The pinned Compose Specification schema, as shipped in `schemas/`.
pub const COMPOSE_SPEC_SCHEMA: &str = include_str!("../../schemas/compose-spec.json");

/// At most this many schema errors are reported; the rest are counted.
const MAX_REPORTED: usize = 50;

fn compose_schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(COMPOSE_SPEC_SCHEMA).unwrap_or(Json::Bool(true)))
}

fn validator() -> Option<&'static Validator> {
    static VALIDATOR: OnceLock<Option<Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::validator_for(compose_schema()).ok())
        .as_ref()
}

/// The violations of the Compose Specification's schema in a merged tree.
#[cfg(feature = "internals")]
pub(crate) fn check(tree: &Node) -> Vec<Diagnostic> {
    let mut sink = Sink::default();
    validate_compose(tree, &mut sink);
    sink.into_vec()
}

/// Checks the merged tree; every violation goes to `sink` as an error.
pub(crate) fn validate_compose(tree: &Node, sink: &mut Sink) {
    let Some(validator) = validator() else {
        sink.push(Diagnostic::error(
            Code::SchemaViolation,
            "the pinned Compose Specification schema does not compile; this is a bug in compose2ecs",
        ));
        return;
    };
    let json = tree.to_json();
    // The common case, valid, takes the fast path; errors are collected only
    // when there are some.
    if validator.is_valid(&json) {
        return;
    }
    let mut count = 0;
    let mut found = Vec::new();
    for error in validator.iter_errors(&json) {
        count += 1;
        if count > MAX_REPORTED {
            continue;
        }
        for (path, loc, message, help) in describe(&error, tree) {
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

fn describe(error: &ValidationError<'_>, tree: &Node) -> Vec<Described> {
    let segments: Vec<LocationSegment<'_>> = error.instance_path().segments().collect();
    let path = render(&segments);
    let (node, key_loc) = locate(tree, &segments);
    let loc = node.map(|n| n.loc.clone()).or(key_loc.clone());
    let at = if path.is_empty() {
        "the file".to_owned()
    } else {
        format!("`{path}`")
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let known = allowed_properties(error.schema_path().as_str());
            unexpected
                .iter()
                .map(|key| {
                    let mut segs = segments.clone();
                    segs.push(LocationSegment::Property(key.as_str().into()));
                    let (_, key_loc) = locate(tree, &segs);
                    let help = crate::diagnostic::closest(key, known.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"));
                    (
                        render(&segs),
                        key_loc.or_else(|| loc.clone()),
                        format!("`{key}` is not allowed in {at} by the Compose Specification"),
                        help,
                    )
                })
                .collect()
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // The branch that got furthest says the most: one whose errors
            // are not all "wrong type here".
            let here = error.instance_path().as_str();
            let deeper = context
                .iter()
                .filter(|b| {
                    !b.is_empty()
                        && !b.iter().all(|e| {
                            matches!(e.kind(), ValidationErrorKind::Type { .. })
                                && e.instance_path().as_str() == here
                        })
                })
                .min_by_key(|b| b.len());
            if let Some(branch) = deeper {
                if let Some(first) = branch.first() {
                    return describe(first, tree);
                }
            }
            let mut types: Vec<String> = Vec::new();
            for e in context.iter().flatten() {
                if let ValidationErrorKind::Type { kind } = e.kind() {
                    for t in type_names(kind) {
                        if !types.contains(&t) {
                            types.push(t);
                        }
                    }
                }
            }
            let found = node.map_or("nothing", Node::kind_name);
            let message = if types.is_empty() {
                format!("{at} does not match any of the forms the Compose Specification allows")
            } else {
                format!("{at} must be {}, not {found}", types.join(" or "))
            };
            vec![(path, loc, message, None)]
        }
        ValidationErrorKind::Type { kind } => {
            let found = node.map_or("nothing", Node::kind_name);
            let message = format!(
                "{at} must be {}, not {found}",
                type_names(kind).join(" or ")
            );
            vec![(path, loc, message, None)]
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            vec![(path, loc, format!("{at} needs `{name}`"), None)]
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(|v| v.to_string()).collect())
                .unwrap_or_default();
            vec![(
                path,
                loc,
                format!("{at} must be one of {}", allowed.join(", ")),
                None,
            )]
        }
        ValidationErrorKind::Pattern { pattern } => {
            vec![(
                path,
                loc,
                format!("{at} must match the pattern `{pattern}`"),
                None,
            )]
        }
        ValidationErrorKind::UniqueItems => {
            vec![(path, loc, format!("{at} lists the same item twice"), None)]
        }
        ValidationErrorKind::MinItems { limit } => {
            vec![(
                path,
                loc,
                format!("{at} needs at least {limit} item(s)"),
                None,
            )]
        }
        ValidationErrorKind::MaxItems { limit } => {
            vec![(
                path,
                loc,
                format!("{at} may have at most {limit} item(s)"),
                None,
            )]
        }
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => {
            vec![(
                path,
                loc,
                format!("{at} is below the minimum {limit}"),
                None,
            )]
        }
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            vec![(
                path,
                loc,
                format!("{at} is above the maximum {limit}"),
                None,
            )]
        }
        ValidationErrorKind::PropertyNames { error } => {
            vec![(
                path,
                loc,
                format!(
                    "{at} has a key the Compose Specification does not allow: {}",
                    describe_short(error)
                ),
                None,
            )]
        }
        ValidationErrorKind::FalseSchema => {
            vec![(
                path,
                loc,
                format!("{at} is not allowed by the Compose Specification"),
                None,
            )]
        }
        other => vec![(
            path,
            loc,
            format!(
                "{at} does not follow the Compose Specification (`{}`)",
                other.keyword()
            ),
            None,
        )],
    }
}

fn describe_short(error: &ValidationError<'_>) -> String {
    match error.kind() {
        ValidationErrorKind::Pattern { pattern } => format!("keys must match `{pattern}`"),
        other => format!("`{}`", other.keyword()),
    }
}

fn type_names(kind: &TypeKind) -> Vec<String> {
    let name = |t: String| match t.as_str() {
        "array" => "a list".to_owned(),
        "object" => "a mapping".to_owned(),
        "string" => "a string".to_owned(),
        "integer" => "an integer".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "a boolean".to_owned(),
        "null" => "null".to_owned(),
        other => other.to_owned(),
    };
    match kind {
        TypeKind::Single(t) => vec![name(t.to_string())],
        TypeKind::Multiple(set) => set.iter().map(|t| name(t.to_string())).collect(),
    }
}

/// The property names the schema allows where `additionalProperties` failed.
fn allowed_properties(schema_path: &str) -> Vec<String> {
    let Some(parent) = schema_path.rsplit_once('/').map(|(p, _)| p) else {
        return Vec::new();
    };
    let mut node = compose_schema();
    for seg in parent.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = match node {
            Json::Object(m) => match m.get(&seg) {
                Some(n) => n,
                None => return Vec::new(),
            },
            Json::Array(a) => match seg.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(n) => n,
                None => return Vec::new(),
            },
            _ => return Vec::new(),
        };
    }
    // `$ref` schemas: the failing keyword sits beside `properties`.
    node.get("properties")
        .and_then(Json::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn render(segments: &[LocationSegment<'_>]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            LocationSegment::Property(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            LocationSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The node at a JSON pointer, and the location of its key when it is a
/// mapping value.
fn locate<'t>(
    tree: &'t Node,
    segments: &[LocationSegment<'_>],
) -> (Option<&'t Node>, Option<Location>) {
    let mut node = tree;
    let mut key_loc = None;
    for s in segments {
        match (s, &node.value) {
            (LocationSegment::Property(k), Value::Map(m)) => match m.get(k.as_ref()) {
                Some(e) => {
                    key_loc = Some(e.key_loc.clone());
                    node = &e.value;
                }
                None => return (None, Some(node.loc.clone())),
            },
            (LocationSegment::Index(i), Value::Seq(items)) => match items.get(*i) {
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
    fn the_pinned_schema_compiles() {
        assert!(validator().is_some());
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
