//! Stage 1, **load** (parse): YAML text into a tree that remembers where every node came from.
//!
//! `serde_norway` (like every serde format) forgets positions once a value is
//! parsed, and compose2ecs promises a file:line for every diagnostic. So the
//! text is read with `saphyr-parser`'s event stream, which reports a span for
//! each event, and assembled here into [`Node`]s. Anchors and aliases are
//! expanded with a budget (a "billion laughs" file fails fast instead of
//! exhausting memory), `<<` merge keys are applied, and duplicate keys,
//! several documents and excessive nesting are rejected.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::{Code, Diagnostic, Error, Location};

/// Largest YAML file accepted, in bytes.
pub(crate) const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;
/// Deepest nesting of sequences and mappings accepted.
pub(crate) const MAX_DEPTH: usize = 128;
/// Most nodes that alias expansion may add to one document.
pub(crate) const MAX_ALIAS_NODES: usize = 250_000;

/// A YAML node with its location.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Node {
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
pub enum Value {
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
pub struct Scalar {
    /// The text, after YAML escapes.
    pub text: String,
    /// `true` for plain scalars (which may be numbers or booleans), `false` for
    /// quoted and block scalars (always strings).
    pub plain: bool,
}

/// One entry of a [`Map`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Entry {
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
pub enum Resolved<'a> {
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
    pub fn new(value: Value, loc: Location) -> Self {
        Node {
            value,
            loc,
            tag: None,
        }
    }

    /// The text of a scalar node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The entries of a mapping node.
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value of a key, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key).map(|e| &e.value)
    }

    /// How a scalar resolves: plain scalars by the YAML 1.2 core schema,
    /// quoted ones always as strings.
    pub fn resolve(&self) -> Option<Resolved<'_>> {
        match &self.value {
            Value::Scalar(s) if s.plain => Some(resolve_plain(&s.text)),
            Value::Scalar(s) => Some(Resolved::Str(&s.text)),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages.
    pub fn kind_name(&self) -> &'static str {
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
    pub fn to_json(&self) -> serde_json::Value {
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
    pub fn to_yaml(&self) -> serde_norway::Value {
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

/// Resolves a plain scalar by the YAML 1.2 core schema.
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
    if let Some(i) = parse_int(text) {
        return Resolved::Int(i);
    }
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        if let Ok(f) = text.parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(text)
}

/// Parses a YAML 1.2 core-schema integer: decimal, `0x…` or `0o…`.
pub(crate) fn parse_int(text: &str) -> Option<i64> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -magnitude } else { magnitude })
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

enum Frame {
    Seq {
        loc: Location,
        tag: Option<String>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        loc: Location,
        tag: Option<String>,
        anchor: usize,
        entries: Map,
        key: Option<(String, Location, bool)>,
        merges: Vec<Node>,
    },
}

struct Builder {
    file: Arc<Path>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    roots: Vec<Node>,
    in_document: bool,
    documents: usize,
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(m) => m.values().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

fn local_tag(tag: Option<&saphyr_parser::Tag>) -> (Option<String>, bool) {
    match tag {
        None => (None, false),
        // `!!str` and friends: core-schema tags. `!!str` forces a string.
        Some(t) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => {
            (None, t.suffix == "str")
        }
        Some(t) => (Some(format!("{}{}", t.handle, t.suffix)), false),
    }
}

impl Builder {
    fn new(file: Arc<Path>) -> Self {
        Builder {
            file,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            roots: Vec::new(),
            in_document: false,
            documents: 0,
        }
    }

    fn loc(&self, span: &Span) -> Location {
        Location {
            file: self.file.clone(),
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }

    fn error(&self, code: Code, message: impl Into<String>, loc: Location) -> Error {
        Error::single(Diagnostic::error(code, message).at(Some(&loc)))
    }

    fn run(mut self, text: &str) -> Result<Vec<Node>, Error> {
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| {
                let m = e.marker();
                let loc = Location {
                    file: self.file.clone(),
                    line: u32::try_from(m.line()).unwrap_or(u32::MAX),
                    column: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
                };
                if e.info().contains("recursion limit") {
                    self.error(
                        Code::YamlLimit,
                        format!("nesting deeper than the YAML parser allows (compose2ecs accepts {MAX_DEPTH} levels)"),
                        loc,
                    )
                } else {
                    self.error(Code::YamlSyntax, e.info().to_owned(), loc)
                }
            })?;
            self.event(event, &span)?;
        }
        Ok(self.roots)
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), Error> {
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.in_document = true;
                self.documents += 1;
            }
            Event::DocumentEnd => {
                // A document with no content (`---` alone) is null.
                if self.in_document && self.roots.len() < self.documents {
                    self.roots.push(Node::new(Value::Null, self.loc(span)));
                }
                self.in_document = false;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let (tag, force_str) = local_tag(tag.as_deref());
                let plain = style == ScalarStyle::Plain && !force_str;
                let value = if plain && is_null_plain(&text) {
                    Value::Null
                } else {
                    Value::Scalar(Scalar {
                        text: text.into_owned(),
                        plain,
                    })
                };
                let node = Node {
                    value,
                    loc: self.loc(span),
                    tag,
                };
                self.finish(node, anchor)?;
            }
            Event::Alias(id) => {
                let loc = self.loc(span);
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(self.error(Code::YamlSyntax, "alias to an unknown anchor", loc));
                };
                self.alias_nodes += size;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(self.error(
                        Code::YamlLimit,
                        format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; \
                             refusing a file that grows this much (a YAML alias bomb?)"
                        ),
                        loc,
                    ));
                }
                let node = node.clone();
                // An alias is a key only through `<<` or as a plain key, both handled in `finish`.
                self.finish(node, 0)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(span)?;
                let (tag, _) = local_tag(tag.as_deref());
                self.stack.push(Frame::Seq {
                    loc: self.loc(span),
                    tag,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(span)?;
                let (tag, _) = local_tag(tag.as_deref());
                self.stack.push(Frame::Map {
                    loc: self.loc(span),
                    tag,
                    anchor,
                    entries: Map::new(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    loc,
                    tag,
                    anchor,
                    items,
                }) => {
                    let node = Node {
                        value: Value::Seq(items),
                        loc,
                        tag,
                    };
                    self.finish(node, anchor)?;
                }
                _ => unreachable!("the parser balances sequence events"),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map {
                    loc,
                    tag,
                    anchor,
                    mut entries,
                    merges,
                    ..
                }) => {
                    for source in merges {
                        apply_merge(&mut entries, source)?;
                    }
                    let node = Node {
                        value: Value::Map(entries),
                        loc,
                        tag,
                    };
                    self.finish(node, anchor)?;
                }
                _ => unreachable!("the parser balances mapping events"),
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn check_depth(&self, span: &Span) -> Result<(), Error> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                Code::YamlLimit,
                format!("nesting deeper than {MAX_DEPTH} levels"),
                self.loc(span),
            ));
        }
        Ok(())
    }

    /// A node is complete: record its anchor and hand it to its parent.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Error> {
        if anchor > 0 {
            let size = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.roots.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let (text, plain) = match &node.value {
                        Value::Scalar(s) => (s.text.clone(), s.plain),
                        Value::Null => (String::new(), true),
                        _ => {
                            return Err(Error::single(
                                Diagnostic::error(
                                    Code::InvalidType,
                                    format!(
                                        "mapping key is {}; only strings can be keys",
                                        node.kind_name()
                                    ),
                                )
                                .at(Some(&node.loc)),
                            ));
                        }
                    };
                    *key = Some((text, node.loc, plain));
                }
                Some((name, key_loc, plain)) => {
                    if plain && name == "<<" {
                        merges.push(node);
                    } else if let Some(previous) = entries.get(&name) {
                        let first = previous.key_loc.line;
                        return Err(Error::single(
                            Diagnostic::error(
                                Code::DuplicateKey,
                                format!("duplicate key `{name}` (first defined on line {first})"),
                            )
                            .at(Some(&key_loc)),
                        ));
                    } else {
                        entries.insert(
                            name,
                            Entry {
                                key_loc,
                                value: node,
                            },
                        );
                    }
                }
            },
        }
        Ok(())
    }
}

/// Applies a `<<` merge key: entries of the source mapping(s) that the mapping
/// does not define itself. In a list of sources, earlier ones win.
fn apply_merge(entries: &mut Map, source: Node) -> Result<(), Error> {
    let sources = match source.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => {
            let mut maps = Vec::with_capacity(items.len());
            for item in items {
                match item.value {
                    Value::Map(m) => maps.push(m),
                    _ => return Err(merge_error(&item.loc, item.kind_name())),
                }
            }
            maps
        }
        _ => return Err(merge_error(&source.loc, source.kind_name())),
    };
    for map in sources {
        for (k, e) in map {
            entries.entry(k).or_insert(e);
        }
    }
    Ok(())
}

fn merge_error(loc: &Location, kind: &str) -> Error {
    Error::single(
        Diagnostic::error(
            Code::InvalidType,
            format!("`<<` merges a mapping or a list of mappings, not {kind}"),
        )
        .at(Some(loc)),
    )
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
