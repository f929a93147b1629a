//! An output as the checks read it: the JSON value `serde_json::to_value`
//! would give, built by serde into one arena. The guard and the schema
//! check read every output once; a `serde_json::Value` per output cost a
//! thousand allocations and their frees, where an arena costs a few.
//!
//! Objects hold their members sorted by name, as a `serde_json::Map` does,
//! so that the checks visit them, and report what they find, in the same
//! order. `to_json` (tests) gives the `serde_json::Value` back, to compare.

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;
use serde::Serialize;
use serde::ser;

/// A JSON value in an arena.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Lite<'b> {
    Null,
    Bool(bool),
    /// A whole number that fits an `i64`.
    Int(i64),
    /// A whole number above `i64::MAX`.
    Uint(u64),
    Float(f64),
    Str(&'b str),
    Array(&'b [Lite<'b>]),
    /// Members sorted by name, each name once.
    Object(&'b [(&'b str, Lite<'b>)]),
}

impl<'b> Lite<'b> {
    /// `value` as JSON, in `bump`. Serializing the output types cannot fail
    /// (every map key is a string); a value that fails is `Null`, which
    /// fails the schema check, as a bug should.
    pub(crate) fn of<T: Serialize + ?Sized>(value: &T, bump: &'b Bump) -> Lite<'b> {
        value.serialize(Builder { bump }).unwrap_or(Lite::Null)
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Lite<'b>> {
        let Lite::Object(members) = self else {
            return None;
        };
        members
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| &members[i].1)
    }

    /// Item `i` of an array.
    pub(crate) fn at(&self, i: usize) -> Option<&Lite<'b>> {
        match self {
            Lite::Array(items) => items.get(i),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&'b str> {
        match self {
            Lite::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value`.
    #[cfg(test)]
    pub(crate) fn to_json(self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Lite::Null => Json::Null,
            Lite::Bool(b) => Json::Bool(b),
            Lite::Int(i) => Json::from(i),
            Lite::Uint(u) => Json::from(u),
            Lite::Float(f) => Json::from(f),
            Lite::Str(s) => Json::from(s),
            Lite::Array(items) => Json::Array(items.iter().map(|i| i.to_json()).collect()),
            Lite::Object(members) => Json::Object(
                members
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// What cannot be made JSON: a map key that is not a string or a number.
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

/// The serializer: each value into the arena.
#[derive(Clone, Copy)]
struct Builder<'b> {
    bump: &'b Bump,
}

/// A sequence being built.
struct Items<'b> {
    bump: &'b Bump,
    items: BumpVec<'b, Lite<'b>>,
    /// For a tuple variant: the variant's name, the one member around it.
    variant: Option<&'static str>,
}

/// An object being built.
struct Members<'b> {
    bump: &'b Bump,
    members: BumpVec<'b, (&'b str, Lite<'b>)>,
    key: Option<&'b str>,
    /// For a struct variant: the variant's name, the one member around it.
    variant: Option<&'static str>,
}

impl<'b> Builder<'b> {
    /// `{variant: value}`, as serde_json writes an enum variant with data.
    fn wrapped(self, variant: &'static str, value: Lite<'b>) -> Lite<'b> {
        Lite::Object(self.bump.alloc_slice_copy(&[(variant, value)]))
    }

    fn items(self, len: Option<usize>, variant: Option<&'static str>) -> Items<'b> {
        Items {
            bump: self.bump,
            items: BumpVec::with_capacity_in(len.unwrap_or(0), self.bump),
            variant,
        }
    }

    fn members(self, len: Option<usize>, variant: Option<&'static str>) -> Members<'b> {
        Members {
            bump: self.bump,
            members: BumpVec::with_capacity_in(len.unwrap_or(0), self.bump),
            key: None,
            variant,
        }
    }
}

impl<'b> ser::Serializer for Builder<'b> {
    type Ok = Lite<'b>;
    type Error = Unsupported;
    type SerializeSeq = Items<'b>;
    type SerializeTuple = Items<'b>;
    type SerializeTupleStruct = Items<'b>;
    type SerializeTupleVariant = Items<'b>;
    type SerializeMap = Members<'b>;
    type SerializeStruct = Members<'b>;
    type SerializeStructVariant = Members<'b>;

    fn serialize_bool(self, v: bool) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Lite<'b>, Unsupported> {
        Ok(i64::try_from(v).map_or(Lite::Uint(v), Lite::Int))
    }
    fn serialize_f32(self, v: f32) -> Result<Lite<'b>, Unsupported> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Lite<'b>, Unsupported> {
        // serde_json has no NaN or infinity: they are null.
        Ok(if v.is_finite() {
            Lite::Float(v)
        } else {
            Lite::Null
        })
    }
    fn serialize_char(self, v: char) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Str(self.bump.alloc_str(v.encode_utf8(&mut [0; 4]))))
    }
    fn serialize_str(self, v: &str) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Str(self.bump.alloc_str(v)))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Lite<'b>, Unsupported> {
        let items = self
            .bump
            .alloc_slice_fill_iter(v.iter().map(|b| Lite::Int((*b).into())));
        Ok(Lite::Array(items))
    }
    fn serialize_none(self) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Lite<'b>, Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Lite<'b>, Unsupported> {
        Ok(Lite::Str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Lite<'b>, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Lite<'b>, Unsupported> {
        let inner = value.serialize(self)?;
        Ok(self.wrapped(variant, inner))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'b>, Unsupported> {
        Ok(self.items(len, None))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'b>, Unsupported> {
        Ok(self.items(Some(len), None))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Items<'b>, Unsupported> {
        Ok(self.items(Some(len), None))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items<'b>, Unsupported> {
        Ok(self.items(Some(len), Some(variant)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Members<'b>, Unsupported> {
        Ok(self.members(len, None))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Members<'b>, Unsupported> {
        Ok(self.members(Some(len), None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Members<'b>, Unsupported> {
        Ok(self.members(Some(len), Some(variant)))
    }
}

impl<'b> Items<'b> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let item = value.serialize(Builder { bump: self.bump })?;
        self.items.push(item);
        Ok(())
    }

    fn done(self) -> Lite<'b> {
        let array = Lite::Array(self.items.into_bump_slice());
        match self.variant {
            Some(v) => Builder { bump: self.bump }.wrapped(v, array),
            None => array,
        }
    }
}

macro_rules! items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<'b> ser::$trait for Items<'b> {
            type Ok = Lite<'b>;
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.push(value)
            }
            fn end(self) -> Result<Lite<'b>, Unsupported> {
                Ok(self.done())
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<'b> Members<'b> {
    fn member<T: Serialize + ?Sized>(
        &mut self,
        key: &'b str,
        value: &T,
    ) -> Result<(), Unsupported> {
        let value = value.serialize(Builder { bump: self.bump })?;
        self.members.push((key, value));
        Ok(())
    }

    /// The object, its members sorted by name; of a name given twice, the
    /// last value (as inserting into a `serde_json::Map` keeps).
    fn done(mut self) -> Lite<'b> {
        self.members.sort_by(|a, b| a.0.cmp(b.0));
        let mut members = self.members;
        let mut kept = 0;
        for i in 0..members.len() {
            if kept > 0 && members[kept - 1].0 == members[i].0 {
                members[kept - 1] = members[i];
            } else {
                members[kept] = members[i];
                kept += 1;
            }
        }
        members.truncate(kept);
        let object = Lite::Object(members.into_bump_slice());
        match self.variant {
            Some(v) => Builder { bump: self.bump }.wrapped(v, object),
            None => object,
        }
    }
}

impl<'b> ser::SerializeMap for Members<'b> {
    type Ok = Lite<'b>;
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        // A key is a string, or a number or boolean written as one (as
        // serde_json's map keys are).
        let key = match key.serialize(Builder { bump: self.bump })? {
            Lite::Str(s) => s,
            Lite::Int(i) => self.bump.alloc_str(&i.to_string()),
            Lite::Uint(u) => self.bump.alloc_str(&u.to_string()),
            Lite::Bool(b) => {
                if b {
                    "true"
                } else {
                    "false"
                }
            }
            _ => return Err(Unsupported("a map key must be a string".to_owned())),
        };
        self.key = Some(key);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Unsupported("a map value without a key".to_owned()))?;
        self.member(key, value)
    }

    fn end(self) -> Result<Lite<'b>, Unsupported> {
        Ok(self.done())
    }
}

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<'b> ser::$trait for Members<'b> {
            type Ok = Lite<'b>;
            type Error = Unsupported;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Unsupported> {
                self.member(key, value)
            }
            fn end(self) -> Result<Lite<'b>, Unsupported> {
                Ok(self.done())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        zeta: u32,
        alpha_beta: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        labels: BTreeMap<String, String>,
        by_number: BTreeMap<u16, bool>,
        list: Vec<Shape>,
        big: u64,
        negative: i64,
        ratio: f64,
        not_a_number: f64,
        letter: char,
        unit: (),
        pair: (u8, &'static str),
        #[serde(flatten)]
        extra: BTreeMap<String, serde_json::Value>,
    }

    #[derive(Serialize)]
    enum Shape {
        Dot,
        Circle(f32),
        Rect { w: u8, h: u8 },
        Line(u8, u8),
    }

    /// Whatever serde gives, the arena holds what `serde_json::to_value`
    /// makes of it, members in the same order.
    #[test]
    fn holds_what_serde_json_makes() {
        let sample = Sample {
            zeta: 7,
            alpha_beta: None,
            skipped: None,
            labels: [
                ("b".to_owned(), "2".to_owned()),
                ("a".to_owned(), "1".to_owned()),
            ]
            .into(),
            by_number: [(10, true), (9, false)].into(),
            list: vec![
                Shape::Dot,
                Shape::Circle(1.5),
                Shape::Rect { w: 1, h: 2 },
                Shape::Line(3, 4),
            ],
            big: u64::MAX,
            negative: -3,
            ratio: 0.25,
            not_a_number: f64::NAN,
            letter: 'é',
            unit: (),
            pair: (1, "x"),
            extra: [
                ("zeta".to_owned(), json!("flattened last")),
                ("m".to_owned(), json!({"k": [1]})),
            ]
            .into(),
        };
        let bump = Bump::new();
        let lite = Lite::of(&sample, &bump);
        let expected = serde_json::to_value(&sample).unwrap();
        assert_eq!(lite.to_json(), expected);
        let Lite::Object(members) = lite else {
            panic!("an object")
        };
        let names: Vec<&str> = members.iter().map(|(k, _)| *k).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "members sorted, each once");
        assert_eq!(lite.get("zeta"), Some(&Lite::Str("flattened last")));
        assert_eq!(lite.get("big"), Some(&Lite::Uint(u64::MAX)));
        assert_eq!(lite.get("negative"), Some(&Lite::Int(-3)));
        assert_eq!(
            lite.get("list").and_then(|l| l.at(0)),
            Some(&Lite::Str("Dot"))
        );
        assert_eq!(lite.get("missing"), None);
    }

    #[test]
    fn a_key_that_is_not_a_string_fails_as_serde_json_does() {
        let mut odd: BTreeMap<(u8, u8), u8> = BTreeMap::new();
        odd.insert((1, 2), 3);
        assert!(serde_json::to_value(&odd).is_err());
        let bump = Bump::new();
        assert_eq!(Lite::of(&odd, &bump), Lite::Null);
    }
}
