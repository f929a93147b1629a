//! A serde `Deserializer` over a located [`Node`], so that typed formats (the
//! overlay) are read with serde derives and every error still names the key
//! path and the file:line:column of the offending node.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use crate::diagnostic::{Code, Diagnostic, Location};
use crate::load::yaml::{Entry, Node, Resolved, Value};

/// A deserialisation error with the location of the innermost node involved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) struct DeError {
    /// What is wrong.
    pub message: String,
    /// The stable code.
    pub code: Code,
    /// The key path.
    pub path: String,
    /// The node's location.
    pub location: Option<Location>,
    /// A suggestion, for unknown keys.
    pub help: Option<String>,
}

impl DeError {
    fn located(mut self, path: &str, loc: &Location) -> Self {
        if self.location.is_none() {
            self.location = Some(loc.clone());
            self.path = path.to_owned();
        }
        self
    }

    /// The error as a diagnostic.
    pub(crate) fn into_diagnostic(self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.message).at(self.location.as_ref());
        if !self.path.is_empty() {
            d = d.with_path(self.path);
        }
        if let Some(h) = self.help {
            d = d.with_help(h);
        }
        d
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            code: Code::InvalidValue,
            path: String::new(),
            location: None,
            help: None,
        }
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        // serde names Rust's types; a user wrote YAML.
        let expected = match exp.to_string().as_str() {
            "u8" | "u16" | "u32" | "u64" => "a whole number (0 or more)".to_owned(),
            "i8" | "i16" | "i32" | "i64" => "a whole number".to_owned(),
            "f32" | "f64" => "a number".to_owned(),
            "a boolean" => "true or false".to_owned(),
            other => other.to_owned(),
        };
        DeError {
            code: Code::InvalidType,
            ..Self::custom(format_args!("expected {expected}, found {unexp}"))
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let help = match crate::diagnostic::closest(field, expected.iter().copied()) {
            Some(e) => Some(format!("did you mean `{e}`?")),
            None if expected.is_empty() => None,
            None => Some(format!("valid keys here: {}", expected.join(", "))),
        };
        DeError {
            code: Code::OverlayUnknownKey,
            help,
            ..Self::custom(format_args!("unknown key `{field}`"))
        }
    }
}

/// Deserialises a `T` from a node; `path` is the node's key path.
pub(crate) fn from_node<'a, T: de::Deserialize<'a>>(
    node: &'a Node,
    path: &str,
) -> Result<T, DeError> {
    T::deserialize(NodeDe {
        node,
        path: path.to_owned(),
    })
}

struct NodeDe<'a> {
    node: &'a Node,
    path: String,
}

impl<'a> NodeDe<'a> {
    fn wrap<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| e.located(&self.path, &self.node.loc))
    }

    fn text(&self) -> Option<&'a str> {
        self.node.as_str()
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

macro_rules! number {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
            let parsed = match self.node.resolve() {
                Some(Resolved::Int(i)) => <$ty>::try_from(i).ok(),
                Some(Resolved::Str(s)) => s.trim().parse::<$ty>().ok(),
                _ => None,
            };
            let r = match parsed {
                Some(n) => v.$visit(n),
                None => Err(de::Error::invalid_type(unexpected(self.node), &v)),
            };
            self.wrap(r)
        }
    };
}

fn unexpected(node: &Node) -> de::Unexpected<'_> {
    match node.resolve() {
        Some(Resolved::Bool(b)) => de::Unexpected::Bool(b),
        Some(Resolved::Int(i)) => de::Unexpected::Signed(i),
        Some(Resolved::Float(f)) => de::Unexpected::Float(f),
        Some(Resolved::Str(s)) => de::Unexpected::Str(s),
        None => match node.value {
            Value::Null => de::Unexpected::Unit,
            Value::Seq(_) => de::Unexpected::Seq,
            _ => de::Unexpected::Map,
        },
    }
}

impl<'a> de::Deserializer<'a> for NodeDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => v.visit_unit(),
            Value::Scalar(_) => match self.node.resolve() {
                Some(Resolved::Bool(b)) => v.visit_bool(b),
                Some(Resolved::Int(i)) => v.visit_i64(i),
                Some(Resolved::Float(f)) => v.visit_f64(f),
                Some(Resolved::Str(s)) => v.visit_borrowed_str(s),
                None => v.visit_unit(),
            },
            Value::Seq(items) => v.visit_seq(Seq {
                items: items.iter().enumerate(),
                path: &self.path,
            }),
            Value::Map(m) => v.visit_map(Map {
                entries: m.iter(),
                value: None,
                path: &self.path,
            }),
        };
        self.wrap(r)
    }

    fn deserialize_str<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        let r = match self.text() {
            Some(s) => v.visit_borrowed_str(s),
            None => Err(de::Error::invalid_type(unexpected(self.node), &v)),
        };
        self.wrap(r)
    }

    fn deserialize_string<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_bool<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        let parsed = match self.node.resolve() {
            Some(Resolved::Bool(b)) => Some(b),
            Some(Resolved::Str("true")) => Some(true),
            Some(Resolved::Str("false")) => Some(false),
            _ => None,
        };
        let r = match parsed {
            Some(b) => v.visit_bool(b),
            None => Err(de::Error::invalid_type(unexpected(self.node), &v)),
        };
        self.wrap(r)
    }

    number!(deserialize_u8, visit_u8, u8);
    number!(deserialize_u16, visit_u16, u16);
    number!(deserialize_u32, visit_u32, u32);
    number!(deserialize_u64, visit_u64, u64);
    number!(deserialize_i8, visit_i8, i8);
    number!(deserialize_i16, visit_i16, i16);
    number!(deserialize_i32, visit_i32, i32);
    number!(deserialize_i64, visit_i64, i64);

    fn deserialize_option<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            self.wrap(v.visit_none())
        } else {
            let loc = self.node.loc.clone();
            let path = self.path.clone();
            v.visit_some(self).map_err(|e| e.located(&path, &loc))
        }
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        let r = match self.text() {
            Some(s) => v.visit_enum(s.into_deserializer()),
            None => Err(de::Error::invalid_type(unexpected(self.node), &v)),
        };
        self.wrap(r)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        let loc = self.node.loc.clone();
        let path = self.path.clone();
        v.visit_newtype_struct(self)
            .map_err(|e| e.located(&path, &loc))
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        i128 u128 f32 f64 char bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier
    }
}

struct Seq<'a, 'p> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Node>>,
    path: &'p str,
}

impl<'a> SeqAccess<'a> for Seq<'a, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, node)) => seed
                .deserialize(NodeDe {
                    node,
                    path: format!("{}[{i}]", self.path),
                })
                .map(Some),
        }
    }
}

struct Map<'a, 'p> {
    entries: indexmap::map::Iter<'a, String, Entry>,
    value: Option<(&'a str, &'a Node)>,
    path: &'p str,
}

impl<'a> MapAccess<'a> for Map<'a, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            None => Ok(None),
            Some((k, e)) => {
                self.value = Some((k.as_str(), &e.value));
                let key: de::value::BorrowedStrDeserializer<'a, DeError> =
                    de::value::BorrowedStrDeserializer::new(k.as_str());
                seed.deserialize(key)
                    .map(Some)
                    .map_err(|err| err.located(&child(self.path, k), &e.key_loc))
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (k, node) = self
            .value
            .take()
            .ok_or_else(|| <DeError as de::Error>::custom("value without a key"))?;
        seed.deserialize(NodeDe {
            node,
            path: child(self.path, k),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::path::Path;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        cpu: u32,
        name: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        items: indexmap::IndexMap<String, Inner>,
    }

    fn load(text: &str) -> Node {
        crate::load::yaml::parse(Path::new("o.yaml"), text).unwrap()
    }

    #[test]
    fn numbers_accept_quoted_digits() {
        let n = load("items:\n  a: {cpu: '512', name: 7}\n");
        let o: Outer = from_node(&n, "").unwrap();
        assert_eq!(o.items["a"].cpu, 512);
        assert_eq!(o.items["a"].name.as_deref(), Some("7"));
    }

    #[test]
    fn unknown_keys_point_at_the_key_and_suggest() {
        let n = load("items:\n  a:\n    cpu: 1\n    nmae: x\n");
        let e = from_node::<Outer>(&n, "").unwrap_err();
        assert_eq!(e.code, Code::OverlayUnknownKey);
        assert_eq!(e.path, "items.a.nmae");
        assert_eq!(
            e.location.as_ref().map(|l| (l.line, l.column)),
            Some((4, 5))
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `name`?"));
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let n = load("items:\n  a:\n    cpu: [1]\n");
        let e = from_node::<Outer>(&n, "").unwrap_err();
        assert_eq!(e.code, Code::InvalidType);
        assert_eq!(e.path, "items.a.cpu");
        assert_eq!(e.location.as_ref().map(|l| l.line), Some(3));
    }
}
