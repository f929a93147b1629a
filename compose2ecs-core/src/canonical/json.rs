//! An ordered JSON value and the exact text Go's `json.MarshalIndent(v, "",
//! "  ")` gives for it, which is what `docker compose config --format json`
//! prints.

use std::fmt::Write as _;

/// A JSON value whose objects keep the order they are built in: Go prints
/// struct fields in declaration order and map keys sorted, and the builders
/// decide which.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Null,
    Bool(bool),
    Int(i64),
    /// A Go `float32` field (`cpus`, `cpu_percent`).
    Float32(f32),
    /// A Go `float64` (an extension's number).
    Float64(f64),
    Str(String),
    Arr(Vec<Out>),
    Obj(Vec<(String, Out)>),
}

impl Out {
    pub(crate) fn str(s: impl Into<String>) -> Out {
        Out::Str(s.into())
    }

    /// Whether Go's `omitempty` leaves the value out: false, 0, "", and
    /// empty arrays and maps (not structs: builders leave those out
    /// themselves).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Out::Null => true,
            Out::Bool(b) => !b,
            Out::Int(i) => *i == 0,
            Out::Float32(f) => *f == 0.0,
            Out::Float64(f) => *f == 0.0,
            Out::Str(s) => s.is_empty(),
            Out::Arr(a) => a.is_empty(),
            Out::Obj(o) => o.is_empty(),
        }
    }

    /// The value as a `serde_norway` value in the same order, to print YAML.
    pub(crate) fn to_yaml(&self) -> serde_norway::Value {
        use serde_norway::Value as Y;
        match self {
            Out::Null => Y::Null,
            Out::Bool(b) => Y::Bool(*b),
            Out::Int(i) => Y::Number((*i).into()),
            Out::Float32(f) => Y::Number(f64::from(*f).into()),
            Out::Float64(f) => Y::Number((*f).into()),
            Out::Str(s) => Y::String(s.clone()),
            Out::Arr(a) => Y::Sequence(a.iter().map(Out::to_yaml).collect()),
            Out::Obj(o) => Y::Mapping(
                o.iter()
                    .map(|(k, v)| (Y::String(k.clone()), v.to_yaml()))
                    .collect(),
            ),
        }
    }
}

/// An object under construction: fields in the order they are added, with
/// Go's `omitempty` as [`Obj::opt`].
#[derive(Default)]
pub(crate) struct Obj(pub Vec<(String, Out)>);

impl Obj {
    /// A field printed even when empty (no `omitempty`).
    pub(crate) fn put(&mut self, key: &str, value: Out) {
        self.0.push((key.to_owned(), value));
    }

    /// An `omitempty` field.
    pub(crate) fn opt(&mut self, key: &str, value: Out) {
        if !value.is_empty() {
            self.put(key, value);
        }
    }

    /// A pointer or struct field: printed when there is one, even if empty.
    pub(crate) fn some(&mut self, key: &str, value: Option<Out>) {
        if let Some(v) = value {
            self.put(key, v);
        }
    }

    pub(crate) fn done(self) -> Out {
        Out::Obj(self.0)
    }
}

/// The text Go's `json.MarshalIndent(v, "", "  ")` prints for `v`.
pub(crate) fn to_string(value: &Out) -> String {
    let mut s = String::new();
    write(&mut s, value, 0);
    s
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write(out: &mut String, value: &Out, depth: usize) {
    match value {
        Out::Null => out.push_str("null"),
        Out::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Out::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Out::Float32(f) => float(out, f64::from(*f), &f.to_string(), || format!("{f:e}")),
        Out::Float64(f) => float(out, *f, &f.to_string(), || format!("{f:e}")),
        Out::Str(s) => string(out, s),
        Out::Arr(items) if items.is_empty() => out.push_str("[]"),
        Out::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write(out, item, depth + 1);
            }
            indent(out, depth);
            out.push(']');
        }
        Out::Obj(fields) if fields.is_empty() => out.push_str("{}"),
        Out::Obj(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                string(out, k);
                out.push_str(": ");
                write(out, v, depth + 1);
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

/// Go's float encoding: the shortest digits, in `e` form only below 1e-6 or
/// from 1e21 on (`1e-07`, with at least two exponent digits).
fn float(out: &mut String, f: f64, plain: &str, sci: impl Fn() -> String) {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        out.push_str(&go_exponent(&sci()));
    } else {
        out.push_str(plain);
    }
}

/// Rust's `1e-7` as Go writes it: `1e-07`.
pub(crate) fn go_exponent(rust: &str) -> String {
    match rust.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => rust.to_owned(),
    }
}

/// A JSON string as Go escapes it: `<`, `>` and `&` as `\u003c`, `\u003e`,
/// `\u0026`, U+2028 and U+2029 escaped, other control characters as `\n`,
/// `\t`, … or `\u00XX`.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_go_marshal_indent() {
        let v = Out::Obj(vec![
            ("a".into(), Out::Arr(vec![Out::Int(1), Out::str("<&>")])),
            ("b".into(), Out::Obj(vec![])),
            ("c".into(), Out::Arr(vec![])),
            ("d".into(), Out::Float32(1.5)),
            ("e".into(), Out::Float64(1e-7)),
            ("f".into(), Out::Float64(1e21)),
            ("g".into(), Out::str("tab\there\u{1}")),
        ]);
        assert_eq!(
            to_string(&v),
            "{\n  \"a\": [\n    1,\n    \"\\u003c\\u0026\\u003e\"\n  ],\n  \"b\": {},\n  \"c\": [],\n  \"d\": 1.5,\n  \"e\": 1e-07,\n  \"f\": 1e+21,\n  \"g\": \"tab\\there\\u0001\"\n}"
        );
    }
}
