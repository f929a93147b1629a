//! The event stream of `saphyr-parser` assembled into [`Node`]s: anchors
//! and aliases within a budget, `<<` merge keys, duplicate keys and depth
//! refused.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use crate::diagnostic::{Code, Diagnostic, Error, Location};

use super::*;

pub(super) enum Frame {
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

pub(super) struct Builder {
    file: Arc<Path>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    roots: Vec<Node>,
    in_document: bool,
    documents: usize,
}

pub(super) fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(m) => m.values().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

pub(super) fn local_tag(tag: Option<&saphyr_parser::Tag>) -> (Option<String>, bool) {
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
    pub(super) fn new(file: Arc<Path>) -> Self {
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

    pub(super) fn run(mut self, text: &str) -> Result<Vec<Node>, Error> {
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
pub(super) fn apply_merge(entries: &mut Map, source: Node) -> Result<(), Error> {
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

pub(super) fn merge_error(loc: &Location, kind: &str) -> Error {
    Error::single(
        Diagnostic::error(
            Code::InvalidType,
            format!("`<<` merges a mapping or a list of mappings, not {kind}"),
        )
        .at(Some(loc)),
    )
}
