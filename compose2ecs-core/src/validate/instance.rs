//! What the schema interpreter reads: a JSON value (the outputs) or the
//! located YAML tree (the compose project), seen as JSON types.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::ecs::lite::Lite;
use crate::load::yaml::{self, Resolved};

/// A number as JSON has it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Int(i64),
    Uint(u64),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Uint(u) => u as f64,
            Number::Float(f) => f,
        }
    }

    pub(crate) fn is_integer(self) -> bool {
        match self {
            Number::Float(f) => f.fract() == 0.0,
            _ => true,
        }
    }

    pub(crate) fn equals(self, other: Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Uint(a), Number::Uint(b)) => a == b,
            (Number::Int(a), Number::Uint(b)) | (Number::Uint(b), Number::Int(a)) => {
                u64::try_from(a).is_ok_and(|a| a == b)
            }
            (a, b) => a.as_f64() == b.as_f64(),
        }
    }
}

/// What an instance is, as the schema sees it.
#[derive(Debug)]
pub(crate) enum View<'v, I> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'v, str>),
    Array(&'v [I]),
    Object,
}

/// A document the interpreter reads.
pub(crate) trait Instance: Sized {
    /// The members of an object, in the order the errors list them.
    fn members(&self) -> impl Iterator<Item = (&str, &Self)>;
    /// One member of an object.
    fn member(&self, key: &str) -> Option<&Self>;
    fn view(&self) -> View<'_, Self>;
}

impl Instance for Json {
    fn members(&self) -> impl Iterator<Item = (&str, &Self)> {
        self.as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
    }

    fn member(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key)
    }

    fn view(&self) -> View<'_, Self> {
        match self {
            Json::Null => View::Null,
            Json::Bool(b) => View::Bool(*b),
            Json::Number(n) => View::Number(if let Some(i) = n.as_i64() {
                Number::Int(i)
            } else if let Some(u) = n.as_u64() {
                Number::Uint(u)
            } else {
                Number::Float(n.as_f64().unwrap_or(f64::NAN))
            }),
            Json::String(s) => View::Str(Cow::Borrowed(s)),
            Json::Array(items) => View::Array(items),
            Json::Object(_) => View::Object,
        }
    }
}

/// An output in its arena.
impl Instance for Lite<'_> {
    fn members(&self) -> impl Iterator<Item = (&str, &Self)> {
        let members: &[(&str, Lite<'_>)] = match self {
            Lite::Object(m) => m,
            _ => &[],
        };
        members.iter().map(|(k, v)| (*k, v))
    }

    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }

    fn view(&self) -> View<'_, Self> {
        match *self {
            Lite::Null => View::Null,
            Lite::Bool(b) => View::Bool(b),
            Lite::Int(i) => View::Number(Number::Int(i)),
            Lite::Uint(u) => View::Number(Number::Uint(u)),
            Lite::Float(f) => View::Number(Number::Float(f)),
            Lite::Str(s) => View::Str(Cow::Borrowed(s)),
            Lite::Array(items) => View::Array(items),
            Lite::Object(_) => View::Object,
        }
    }
}

/// The located YAML tree, read as its JSON form (`Node::to_json`) is.
impl Instance for yaml::Node {
    fn members(&self) -> impl Iterator<Item = (&str, &Self)> {
        self.as_map()
            .into_iter()
            .flatten()
            .map(|(k, e)| (k.as_str(), &e.value))
    }

    fn member(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }

    fn view(&self) -> View<'_, Self> {
        match &self.value {
            yaml::Value::Null => View::Null,
            yaml::Value::Scalar(_) => match self.resolve() {
                Some(Resolved::Bool(b)) => View::Bool(b),
                Some(Resolved::Int(i)) => View::Number(Number::Int(i)),
                Some(Resolved::Float(f)) if f.is_finite() => View::Number(Number::Float(f)),
                Some(Resolved::Float(f)) => View::Str(Cow::Owned(f.to_string())),
                Some(Resolved::Str(s)) => View::Str(Cow::Borrowed(s)),
                None => View::Null,
            },
            yaml::Value::Seq(items) => View::Array(items),
            yaml::Value::Map(_) => View::Object,
        }
    }
}
