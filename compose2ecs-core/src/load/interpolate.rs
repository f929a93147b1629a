//! Stage 1, **load** (interpolate): `${VAR}` and friends, as the Compose Specification
//! defines them, against an explicit environment (the core never reads
//! `std::env`).
//!
//! | form | value |
//! |---|---|
//! | `$VAR`, `${VAR}` | the value, or empty (with an `unset-variable` warning) |
//! | `${VAR:-default}` | `default` when `VAR` is unset or empty |
//! | `${VAR-default}` | `default` when `VAR` is unset |
//! | `${VAR:?message}` | error `message` when `VAR` is unset or empty |
//! | `${VAR?message}` | error `message` when `VAR` is unset |
//! | `${VAR:+alt}` | `alt` when `VAR` is set and not empty, else empty |
//! | `${VAR+alt}` | `alt` when `VAR` is set, else empty |
//! | `$$` | a literal `$` |
//!
//! Defaults and alternatives may themselves contain interpolations.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::yaml::{Node, Value};

/// The variables interpolation reads: the process environment and the
/// project's `.env`, resolved by the caller.
pub type Environment = BTreeMap<String, String>;

/// Why a string could not be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum InterpolationError {
    /// `${VAR:?message}` / `${VAR?message}` with `VAR` unset.
    Required {
        /// The variable.
        name: String,
        /// The user's message.
        message: String,
    },
    /// A syntax error, such as a missing `}`.
    Syntax(String),
}

/// How deep `${A:-${B:-…}}` may nest: far beyond any real file, and shallow
/// enough that neither the stack (one frame per level) nor the time (each
/// level scans what it holds for its closing brace) can run away; a
/// 30,000-level file used to overflow the stack.
pub(crate) const MAX_NESTING: usize = 100;

/// How long one interpolated value may grow: far more than any setting (a
/// task definition holds at most 64 KiB), and little enough that a `.env`
/// whose every variable doubles the one before fails at once, where it used
/// to take gigabytes before the process died, used or not.
pub(crate) const MAX_VALUE: usize = 1024 * 1024;

/// Interpolates one string. `unset` receives the names of variables that were
/// used without a value and without a default.
pub(crate) fn interpolate_str(
    input: &str,
    env: &Environment,
    unset: &mut Vec<String>,
) -> Result<String, InterpolationError> {
    nested(input, env, unset, 0)
}

/// [`interpolate_str`] at nesting `depth`.
fn nested(
    input: &str,
    env: &Environment,
    unset: &mut Vec<String>,
    depth: usize,
) -> Result<String, InterpolationError> {
    if depth > MAX_NESTING {
        return Err(InterpolationError::Syntax(format!(
            "interpolations nested more than {MAX_NESTING} deep (`${{A:-${{B:-…}}}}`)"
        )));
    }
    if !input.contains('$') {
        return Ok(input.to_owned());
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body_and_tail) = after.strip_prefix('{') {
            let end = matching_brace(body_and_tail).ok_or_else(|| {
                InterpolationError::Syntax("`${` without a closing `}`".to_owned())
            })?;
            out.push_str(&braced(&body_and_tail[..end], env, unset, depth)?);
            too_long(&out)?;
            rest = &body_and_tail[end + 1..];
        } else {
            let len = name_len(after);
            if len == 0 {
                return Err(InterpolationError::Syntax(
                    "a `$` not followed by a variable name; write `$$` for a literal `$`"
                        .to_owned(),
                ));
            }
            let name = &after[..len];
            match env.get(name) {
                Some(v) => out.push_str(v),
                None => unset.push(name.to_owned()),
            }
            too_long(&out)?;
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    too_long(&out)?;
    Ok(out)
}

/// Refuses a value past [`MAX_VALUE`].
fn too_long(out: &str) -> Result<(), InterpolationError> {
    if out.len() > MAX_VALUE {
        return Err(InterpolationError::Syntax(format!(
            "the value grows to more than {} MiB when its variables are put in",
            MAX_VALUE / (1024 * 1024)
        )));
    }
    Ok(())
}

fn name_len(s: &str) -> usize {
    let mut len = 0;
    for (i, b) in s.bytes().enumerate() {
        let ok = b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit());
        if !ok {
            break;
        }
        len = i + 1;
    }
    len
}

/// The index of the `}` closing a `${`, counting nested `${ … }`.
fn matching_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn braced(
    body: &str,
    env: &Environment,
    unset: &mut Vec<String>,
    depth: usize,
) -> Result<String, InterpolationError> {
    let len = name_len(body);
    let name = &body[..len];
    if len == 0 {
        return Err(InterpolationError::Syntax(
            "a `${` not followed by a variable name".to_owned(),
        ));
    }
    let op = &body[len..];
    let value = env.get(name);
    let set_nonempty = value.is_some_and(|v| !v.is_empty());
    let (operator, arg) = if op.is_empty() {
        ("", "")
    } else if let Some(op2) = [":-", ":?", ":+"].iter().find(|o| op.starts_with(**o)) {
        (*op2, &op[2..])
    } else if let Some(op1) = ["-", "?", "+"].iter().find(|o| op.starts_with(**o)) {
        (*op1, &op[1..])
    } else {
        return Err(InterpolationError::Syntax(format!(
            "invalid interpolation of `{name}`; expected `${{{name}}}`, `${{{name}:-default}}`, `${{{name}:?error}}` or `${{{name}:+alternative}}`"
        )));
    };
    match operator {
        "" => match value {
            Some(v) => Ok(v.clone()),
            None => {
                unset.push(name.to_owned());
                Ok(String::new())
            }
        },
        ":-" if set_nonempty => Ok(value.cloned().unwrap_or_default()),
        "-" if value.is_some() => Ok(value.cloned().unwrap_or_default()),
        ":-" | "-" => nested(arg, env, unset, depth + 1),
        ":?" if set_nonempty => Ok(value.cloned().unwrap_or_default()),
        "?" if value.is_some() => Ok(value.cloned().unwrap_or_default()),
        ":?" | "?" => {
            let mut ignored = Vec::new();
            let message = nested(arg, env, &mut ignored, depth + 1)?;
            Err(InterpolationError::Required {
                name: name.to_owned(),
                message,
            })
        }
        ":+" if set_nonempty => nested(arg, env, unset, depth + 1),
        "+" if value.is_some() => nested(arg, env, unset, depth + 1),
        _ => Ok(String::new()),
    }
}

/// A step of a key path, kept on the stack while walking a tree.
#[derive(Debug, Clone, Copy)]
struct PathCx<'p> {
    parent: Option<&'p PathCx<'p>>,
    seg: Seg<'p>,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

impl PathCx<'_> {
    fn segments(&self) -> Vec<Seg<'_>> {
        let mut out = Vec::new();
        let mut cur = Some(self);
        while let Some(c) = cur {
            if !matches!(c.seg, Seg::Root) {
                out.push(c.seg);
            }
            cur = c.parent;
        }
        out.reverse();
        out
    }

    /// `services.web.ports[0].target`.
    fn render(&self) -> String {
        let mut out = String::new();
        for seg in self.segments() {
            match seg {
                Seg::Key(k) if out.is_empty() => out.push_str(k),
                Seg::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
                Seg::Root => {}
            }
        }
        out
    }
}

/// The type a string is cast to after interpolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cast {
    Int,
    Float,
    Bool,
    Bytes,
}

/// Where the Compose Specification wants a number or a boolean, so that
/// `replicas: ${N:-2}` is the number 2 — compose-go's table. `*` is any key,
/// `[]` any list index. A secret's or config's `mode` is not cast: a string
/// there is octal (`"0400"`, as `config` prints it), as compose-go's
/// `FileMode` decodes it, where a cast would read it in decimal.
const CASTS: &[(&[&str], Cast)] = &[
    (&["services", "*", "cpu_count"], Cast::Int),
    (&["services", "*", "cpu_percent"], Cast::Float),
    (&["services", "*", "cpu_period"], Cast::Int),
    (&["services", "*", "cpu_quota"], Cast::Int),
    (&["services", "*", "cpu_rt_period"], Cast::Int),
    (&["services", "*", "cpu_rt_runtime"], Cast::Int),
    (&["services", "*", "cpus"], Cast::Float),
    (&["services", "*", "cpu_shares"], Cast::Int),
    (&["services", "*", "init"], Cast::Bool),
    (&["services", "*", "deploy", "replicas"], Cast::Int),
    (
        &["services", "*", "deploy", "update_config", "parallelism"],
        Cast::Int,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "update_config",
            "max_failure_ratio",
        ],
        Cast::Float,
    ),
    (
        &["services", "*", "deploy", "rollback_config", "parallelism"],
        Cast::Int,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "rollback_config",
            "max_failure_ratio",
        ],
        Cast::Float,
    ),
    (
        &["services", "*", "deploy", "restart_policy", "max_attempts"],
        Cast::Int,
    ),
    (
        &[
            "services",
            "*",
            "deploy",
            "placement",
            "max_replicas_per_node",
        ],
        Cast::Int,
    ),
    (&["services", "*", "healthcheck", "retries"], Cast::Int),
    (&["services", "*", "healthcheck", "disable"], Cast::Bool),
    (&["services", "*", "oom_kill_disable"], Cast::Bool),
    (&["services", "*", "oom_score_adj"], Cast::Int),
    (&["services", "*", "pids_limit"], Cast::Int),
    (&["services", "*", "ports", "[]", "target"], Cast::Int),
    (&["services", "*", "privileged"], Cast::Bool),
    (&["services", "*", "read_only"], Cast::Bool),
    (&["services", "*", "scale"], Cast::Int),
    (&["services", "*", "shm_size"], Cast::Bytes),
    (&["services", "*", "stdin_open"], Cast::Bool),
    (&["services", "*", "tty"], Cast::Bool),
    (&["services", "*", "ulimits", "*"], Cast::Int),
    (&["services", "*", "ulimits", "*", "hard"], Cast::Int),
    (&["services", "*", "ulimits", "*", "soft"], Cast::Int),
    (&["services", "*", "volumes", "[]", "read_only"], Cast::Bool),
    (
        &["services", "*", "volumes", "[]", "volume", "nocopy"],
        Cast::Bool,
    ),
    (
        &["services", "*", "volumes", "[]", "tmpfs", "size"],
        Cast::Bytes,
    ),
    (&["networks", "*", "external"], Cast::Bool),
    (&["networks", "*", "internal"], Cast::Bool),
    (&["networks", "*", "attachable"], Cast::Bool),
    (&["networks", "*", "enable_ipv6"], Cast::Bool),
    (&["volumes", "*", "external"], Cast::Bool),
    (&["secrets", "*", "external"], Cast::Bool),
    (&["configs", "*", "external"], Cast::Bool),
];

fn cast_for(cx: &PathCx<'_>) -> Option<Cast> {
    // Every pattern ends with a key it names, but for `ulimits.*`: most
    // strings are under none, which this says without building the path.
    let Seg::Key(own) = cx.seg else {
        return None;
    };
    let under_ulimits = matches!(cx.parent.map(|p| p.seg), Some(Seg::Key("ulimits")));
    if !under_ulimits && !CASTS.iter().any(|(p, _)| p.last() == Some(&own)) {
        return None;
    }
    let segs = cx.segments();
    let first = match segs.first() {
        Some(Seg::Key(k)) => *k,
        _ => return None,
    };
    if !matches!(
        first,
        "services" | "networks" | "volumes" | "secrets" | "configs"
    ) {
        return None;
    }
    CASTS.iter().find_map(|(pattern, cast)| {
        let matches = pattern.len() == segs.len()
            && pattern.iter().zip(&segs).all(|(p, s)| match (s, *p) {
                (Seg::Index(_), "[]") => true,
                (Seg::Key(_), "*") => true,
                (Seg::Key(k), p) => *k == p,
                _ => false,
            });
        matches.then_some(*cast)
    })
}

/// The canonical text of `text` cast to `cast`, if it parses.
fn cast_text(text: &str, cast: Cast) -> Option<String> {
    let t = text.trim();
    match cast {
        Cast::Int => t.parse::<i64>().ok().map(|i| i.to_string()),
        Cast::Float => t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f.to_string()),
        Cast::Bool => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "on" => Some("true".to_owned()),
            "false" | "no" | "n" | "off" => Some("false".to_owned()),
            _ => None,
        },
        Cast::Bytes => crate::units::parse_bytes(t).ok().map(|b| b.to_string()),
    }
}

/// Interpolates every scalar value of a tree in place (keys are left as they
/// are, as compose does), then casts strings where the Compose Specification
/// wants a number or a boolean. Problems go to `sink` with the node's
/// location and key path; `x-` extension values are interpolated too.
pub(crate) fn interpolate_tree(node: &mut Node, env: &Environment, sink: &mut Sink) {
    let root = PathCx {
        parent: None,
        seg: Seg::Root,
    };
    walk(node, env, &root, true, sink);
}

/// Interpolates every scalar value of a tree in place, without casts (the
/// overlay's types are checked by its own deserializer).
pub(crate) fn interpolate_values(node: &mut Node, env: &Environment, sink: &mut Sink) {
    let root = PathCx {
        parent: None,
        seg: Seg::Root,
    };
    walk(node, env, &root, false, sink);
}

fn walk(node: &mut Node, env: &Environment, cx: &PathCx<'_>, casts: bool, sink: &mut Sink) {
    match &mut node.value {
        Value::Scalar(s) => {
            let interpolated = s.text.contains('$');
            if interpolated {
                let mut unset = Vec::new();
                match interpolate_str(&s.text, env, &mut unset) {
                    Ok(text) => s.text = text,
                    Err(e) => sink.push(interpolation_diagnostic(e, &cx.render(), &node.loc)),
                }
                unset.dedup();
                for name in unset {
                    sink.push(
                        Diagnostic::warning(
                            Code::UnsetVariable,
                            format!("variable `{name}` is not set; using an empty string"),
                        )
                        .with_path(cx.render())
                        .at(Some(&node.loc))
                        .with_help(format!(
                            "set {name} in the environment or in .env, or give a default: ${{{name}:-value}}"
                        )),
                    );
                }
            }
            // A string where a number or boolean belongs is cast, as
            // compose-go does; one that does not parse is left for the schema
            // and the model, whose messages say what is expected.
            let cast = if casts { cast_for(cx) } else { None };
            let is_string = || {
                !s.plain
                    || matches!(
                        crate::load::yaml::resolve_plain(&s.text),
                        crate::load::yaml::Resolved::Str(_)
                    )
            };
            if let Some(cast) = cast.filter(|_| is_string()) {
                if let Some(text) = cast_text(&s.text, cast) {
                    s.text = text;
                    s.plain = true;
                }
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let child = PathCx {
                    parent: Some(cx),
                    seg: Seg::Index(i),
                };
                walk(item, env, &child, casts, sink);
            }
        }
        Value::Map(map) => {
            for (k, e) in map.iter_mut() {
                let child = PathCx {
                    parent: Some(cx),
                    seg: Seg::Key(k),
                };
                walk(&mut e.value, env, &child, casts, sink);
            }
        }
        Value::Null => {}
    }
}

fn interpolation_diagnostic(e: InterpolationError, path: &str, loc: &Location) -> Diagnostic {
    match e {
        InterpolationError::Required { name, message } => {
            let message = if message.is_empty() {
                format!("required variable `{name}` is not set")
            } else {
                format!("required variable `{name}` is not set: {message}")
            };
            Diagnostic::error(Code::RequiredVariable, message)
        }
        InterpolationError::Syntax(m) => Diagnostic::error(Code::InvalidInterpolation, m),
    }
    .with_path(path)
    .at(Some(loc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        [("SET", "value"), ("EMPTY", "")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn i(s: &str) -> Result<String, InterpolationError> {
        interpolate_str(s, &env(), &mut Vec::new())
    }

    #[test]
    fn every_form_of_the_spec() {
        assert_eq!(i("$SET ${SET}").unwrap(), "value value");
        assert_eq!(i("${UNSET:-d} ${EMPTY:-d} ${SET:-d}").unwrap(), "d d value");
        assert_eq!(i("${UNSET-d} ${EMPTY-d}").unwrap(), "d ");
        assert_eq!(i("${SET:+a} ${EMPTY:+a} ${UNSET:+a}").unwrap(), "a  ");
        assert_eq!(i("${SET+a} ${EMPTY+a} ${UNSET+a}").unwrap(), "a a ");
        assert_eq!(i("$$SET costs $$5").unwrap(), "$SET costs $5");
        assert_eq!(i("${UNSET:-${SET}-x}").unwrap(), "value-x");
        assert_eq!(i("${UNSET:-${ALSO:-deep}}").unwrap(), "deep");
        assert_eq!(i("${EMPTY?x}").unwrap(), "");
    }

    #[test]
    fn required_variables_carry_the_users_message() {
        assert_eq!(
            i("${UNSET:?set it please}").unwrap_err(),
            InterpolationError::Required {
                name: "UNSET".into(),
                message: "set it please".into()
            }
        );
        assert!(matches!(
            i("${EMPTY:?no}"),
            Err(InterpolationError::Required { .. })
        ));
    }

    #[test]
    fn unset_variables_are_reported() {
        let mut unset = Vec::new();
        let out = interpolate_str("a${NOPE}b$ALSO_NOT", &env(), &mut unset).unwrap();
        assert_eq!(out, "ab");
        assert_eq!(unset, ["NOPE", "ALSO_NOT"]);
    }

    #[test]
    fn nesting_is_bounded_and_says_so() {
        let deep = |n: usize| "${A:-".repeat(n) + "x" + &"}".repeat(n);
        assert_eq!(i(&deep(MAX_NESTING)).unwrap(), "x");
        let e = i(&deep(MAX_NESTING + 2)).unwrap_err();
        assert!(
            matches!(&e, InterpolationError::Syntax(m) if m.contains("nested more than 100 deep")),
            "{e:?}"
        );
        // What used to overflow the stack (30,000 levels) is refused.
        assert!(i(&deep(30_000)).is_err());
    }

    #[test]
    fn a_value_cannot_grow_past_its_bound() {
        let mut env = env();
        env.insert("BIG".to_owned(), "x".repeat(MAX_VALUE / 2 + 1));
        let mut unset = Vec::new();
        assert!(interpolate_str("$BIG", &env, &mut unset).is_ok());
        let e = interpolate_str("$BIG${BIG}", &env, &mut unset).unwrap_err();
        assert!(
            matches!(&e, InterpolationError::Syntax(m) if m.contains("more than 1 MiB")),
            "{e:?}"
        );
    }

    #[test]
    fn syntax_errors() {
        assert!(matches!(i("${SET"), Err(InterpolationError::Syntax(_))));
        assert!(matches!(i("${}"), Err(InterpolationError::Syntax(_))));
        assert!(matches!(i("${SET!x}"), Err(InterpolationError::Syntax(_))));
        assert!(matches!(i("cost $5"), Err(InterpolationError::Syntax(_))));
    }
}
