//! Stage 1, **load** (parse): YAML text into a tree that remembers where every node came from.
//!
//! `serde_norway` (like every serde format) forgets positions once a value is
//! parsed, and compose2ecs promises a file:line for every diagnostic. So the
//! text is read with `saphyr-parser`'s event stream, which reports a span for
//! each event, and assembled here into [`Node`]s. Anchors and aliases are
//! expanded with a budget (a "billion laughs" file fails fast instead of
//! exhausting memory), `<<` merge keys are applied, and duplicate keys,
//! several documents and excessive nesting are rejected.

use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Error, Location};

mod builder;
use builder::Builder;

/// Largest YAML file accepted, in bytes.
pub(crate) const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;
/// Deepest nesting of sequences and mappings accepted.
pub(crate) const MAX_DEPTH: usize = 128;
/// Most nodes that alias expansion may add to one document.
pub(crate) const MAX_ALIAS_NODES: usize = 250_000;

/// A YAML node with its location.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Node {
    /// The value.
    pub value: Value,
    /// Where the node starts.
    pub loc: Location,
    /// A local tag such as `!reset` or `!override`, without core-schema tags.
    pub tag: Option<String>,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// Any scalar other than null. Its type is decided where it is used, after
    /// interpolation, as compose does (`replicas: ${N:-2}` is a number).
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with string keys, in document order.
    Map(Map),
}

/// A scalar's text and whether it was quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct Scalar {
    /// The text, after YAML escapes.
    pub text: String,
    /// `true` for plain scalars (which may be numbers or booleans), `false` for
    /// quoted and block scalars (always strings).
    pub plain: bool,
}

/// One entry of a [`Map`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct Entry {
    /// Where the key is.
    pub key_loc: Location,
    /// The value.
    pub value: Node,
}

/// A mapping with string keys, in document order.
pub(crate) type Map = IndexMap<String, Entry>;

/// What a plain scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub(crate) enum Resolved<'a> {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Anything else.
    Str(&'a str),
}

impl Node {
    /// A new node.
    pub(crate) fn new(value: Value, loc: Location) -> Self {
        Node {
            value,
            loc,
            tag: None,
        }
    }

    /// The text of a scalar node.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The entries of a mapping node.
    pub(crate) fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the node is null.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value of a key, if this is a mapping that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key).map(|e| &e.value)
    }

    /// How a scalar resolves: plain scalars by the YAML 1.2 core schema,
    /// quoted ones always as strings.
    pub(crate) fn resolve(&self) -> Option<Resolved<'_>> {
        match &self.value {
            Value::Scalar(s) if s.plain => Some(resolve_plain(&s.text)),
            Value::Scalar(s) => Some(Resolved::Str(&s.text)),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Scalar(_) => match self.resolve() {
                Some(Resolved::Bool(_)) => "a boolean",
                Some(Resolved::Int(_)) => "an integer",
                Some(Resolved::Float(_)) => "a number",
                _ => "a string",
            },
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The node as JSON (plain scalars resolved), for schema checks and output.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar(_) => match self.resolve() {
                Some(Resolved::Bool(b)) => J::Bool(b),
                Some(Resolved::Int(i)) => J::from(i),
                Some(Resolved::Float(f)) => serde_json::Number::from_f64(f)
                    .map_or_else(|| J::String(f.to_string()), J::Number),
                Some(Resolved::Str(s)) => J::String(s.to_owned()),
                None => J::Null,
            },
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, e)| (k.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// The node as a `serde_norway` value (plain scalars resolved), to print YAML.
    pub(crate) fn to_yaml(&self) -> serde_norway::Value {
        use serde_norway::Value as Y;
        match &self.value {
            Value::Null => Y::Null,
            Value::Scalar(_) => match self.resolve() {
                Some(Resolved::Bool(b)) => Y::Bool(b),
                Some(Resolved::Int(i)) => Y::Number(i.into()),
                Some(Resolved::Float(f)) => Y::Number(f.into()),
                Some(Resolved::Str(s)) => Y::String(s.to_owned()),
                None => Y::Null,
            },
            Value::Seq(items) => Y::Sequence(items.iter().map(Node::to_yaml).collect()),
            Value::Map(m) => Y::Mapping(
                m.iter()
                    .map(|(k, e)| (Y::String(k.clone()), e.value.to_yaml()))
                    .collect(),
            ),
        }
    }
}

/// Resolves a plain scalar as go-yaml v3 (docker compose's parser) resolves
/// it: the YAML 1.2 core schema, plus what go-yaml keeps of YAML 1.1 for
/// compatibility: `_` between digits (`1_000`), `0b` binary and `0777`
/// octal integers. `yes`/`no`/`on`/`off` stay strings, as in go-yaml v3.
pub(crate) fn resolve_plain(text: &str) -> Resolved<'_> {
    match text {
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    // go-yaml only tries numbers for scalars that start like one.
    if !text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'))
    {
        return Resolved::Str(text);
    }
    let plain = text.replace('_', "");
    if let Some(i) = parse_int(&plain) {
        return Resolved::Int(i);
    }
    // An integer above i64 (go-yaml: a uint64) is kept as written.
    if !plain.starts_with('0') && plain.parse::<u64>().is_ok() {
        return Resolved::Str(text);
    }
    if is_yaml_float(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(text)
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// Parses an integer as Go's `strconv.ParseInt(text, 0, 64)` does, which is
/// what go-yaml v3 calls: decimal, `0x…`, `0o…`, `0b…`, and `0…` octal.
pub(crate) fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o").or(digits.strip_prefix("0O")) {
        (8, oct)
    } else if let Some(bin) = digits.strip_prefix("0b").or(digits.strip_prefix("0B")) {
        (2, bin)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    i64::try_from(if neg { -magnitude } else { magnitude }).ok()
}

fn is_null_plain(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Parses one YAML document. An empty document gives a null node; a stream of
/// several documents is an error.
///
/// `file` names the source in locations; it is not read.
pub(crate) fn parse(file: &Path, text: &str) -> Result<Node, Error> {
    let mut docs = parse_documents(file, text)?;
    if docs.len() > 1 {
        let second = docs.swap_remove(1);
        return Err(Error::single(
            Diagnostic::error(
                Code::YamlLimit,
                "more than one YAML document in the file; this file holds one",
            )
            .at(Some(&second.loc)),
        ));
    }
    Ok(docs.pop().unwrap_or_else(|| {
        Node::new(
            Value::Null,
            Location {
                file: Arc::from(file),
                line: 1,
                column: 1,
            },
        )
    }))
}

/// Parses every document of a YAML stream (`---` separated); compose files
/// may hold several, merged in order like `-f` files. Anchors are per
/// document; the alias budget is for the whole file. An empty text gives no
/// document.
pub(crate) fn parse_documents(file: &Path, text: &str) -> Result<Vec<Node>, Error> {
    let file: Arc<Path> = Arc::from(file);
    if text.len() > MAX_FILE_SIZE {
        return Err(Error::single(
            Diagnostic::error(
                Code::YamlLimit,
                format!(
                    "file is {} bytes, more than the limit of {} MiB",
                    text.len(),
                    MAX_FILE_SIZE / (1024 * 1024)
                ),
            )
            .at(Some(&Location {
                file,
                line: 1,
                column: 1,
            })),
        ));
    }
    Builder::new(file).run(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Node, Error> {
        parse(Path::new("t.yaml"), text)
    }

    #[test]
    fn locations_are_one_based() {
        let n = p("a:\n  b: 1\n").unwrap();
        let b = n.get("a").unwrap().as_map().unwrap().get("b").unwrap();
        assert_eq!((b.key_loc.line, b.key_loc.column), (2, 3));
        assert_eq!((b.value.loc.line, b.value.loc.column), (2, 6));
    }

    #[test]
    fn merge_keys_do_not_override_explicit_entries() {
        let n = p("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n").unwrap();
        let c = n.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(c.get("y").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn duplicate_keys_are_rejected_with_both_lines() {
        let e = p("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.code(), Code::DuplicateKey);
        let d = &e.diagnostics()[0];
        assert_eq!(d.location.as_ref().unwrap().line, 3);
        assert!(d.message.contains("line 1"), "{}", d.message);
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let list = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{list}]\n"));
        }
        let e = p(&text).unwrap_err();
        assert_eq!(e.code(), Code::YamlLimit);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(p(&text).unwrap_err().code(), Code::YamlLimit);
        // Far deeper: the parser's own recursion guard answers first.
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = p(&text).unwrap_err();
        assert!(e.diagnostics()[0].location.is_some());
        let text = "a:\n".to_owned() + &"  - ".repeat(5_000) + "x\n";
        assert!(p(&text).is_err());
    }

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        assert_eq!(resolve_plain("true"), Resolved::Bool(true));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("-7"), Resolved::Int(-7));
        assert_eq!(resolve_plain("0.5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("yes"), Resolved::Str("yes"));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        // go-yaml v3 keeps these from YAML 1.1, and docker compose reads them so.
        assert_eq!(resolve_plain("010"), Resolved::Int(8));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("0b11"), Resolved::Int(3));
        assert_eq!(resolve_plain("012.5"), Resolved::Float(12.5));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain("0"), Resolved::Int(0));
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str("1.2.3"));
        assert_eq!(resolve_plain("09"), Resolved::Float(9.0));
        let n = p("a: '12'\nb: 12\nc: ~\n").unwrap();
        assert_eq!(n.get("a").unwrap().resolve(), Some(Resolved::Str("12")));
        assert_eq!(n.get("b").unwrap().resolve(), Some(Resolved::Int(12)));
        assert!(n.get("c").unwrap().is_null());
    }

    #[test]
    fn several_documents_are_refused_by_parse_and_listed_by_parse_documents() {
        assert_eq!(p("a: 1\n---\nb: 2\n").unwrap_err().code(), Code::YamlLimit);
        let docs =
            parse_documents(Path::new("t.yaml"), "a: 1\n---\nb: &x 2\n---\n---\nc: 3\n").unwrap();
        assert_eq!(docs.len(), 4);
        assert_eq!(docs[1].get("b").unwrap().loc.line, 3);
        assert!(docs[2].is_null());
        assert!(parse_documents(Path::new("t.yaml"), "").unwrap().is_empty());
        // Anchors do not cross documents.
        assert!(parse_documents(Path::new("t.yaml"), "a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn syntax_errors_carry_a_location() {
        let e = p("a: [1, 2\n").unwrap_err();
        assert_eq!(e.code(), Code::YamlSyntax);
        assert!(e.diagnostics()[0].location.is_some());
    }
}
