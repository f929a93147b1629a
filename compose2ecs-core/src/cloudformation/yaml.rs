//! The template as an ordered tree, written as JSON or as YAML that reads
//! the same under YAML 1.1, as CloudFormation and cfn-lint read it.
//!
//! A YAML 1.2 writer leaves `OFF`, `yes` or `2010-09-09` unquoted, and a
//! YAML 1.1 reader makes them a boolean or a date: Scheduler's
//! `FlexibleTimeWindow: {Mode: OFF}` would arrive as `false`. So a string
//! is written plain only when it starts with a letter or `/`, holds nothing
//! but letters, digits, spaces and ``_ . / @ - + = , : < > ( ) ` `` (no `: `,
//! no `:` or space at the end), and is no YAML 1.1 boolean or null; every
//! other string is double-quoted (JSON's escapes are YAML's).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A template node: maps keep the order they were built in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tree {
    Map(Vec<(String, Tree)>),
    List(Vec<Tree>),
    Scalar(Value),
}

impl From<&Value> for Tree {
    fn from(v: &Value) -> Tree {
        match v {
            Value::Object(m) => Tree::Map(m.iter().map(|(k, v)| (k.clone(), v.into())).collect()),
            Value::Array(a) => Tree::List(a.iter().map(Tree::from).collect()),
            scalar => Tree::Scalar(scalar.clone()),
        }
    }
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Map(entries) => {
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Tree::List(items) => {
                let mut l = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    l.serialize_element(v)?;
                }
                l.end()
            }
            Tree::Scalar(v) => v.serialize(s),
        }
    }
}

/// YAML 1.1 words a plain scalar must not be.
const WORDS: &[&str] = &[
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
];

fn plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./@-+=, :<>()`".contains(c))
        && !s.contains(": ")
        && !s.ends_with([':', ' '])
        && !WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) if plain(s) => s.clone(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

fn key(k: &str) -> String {
    scalar(&Value::String(k.to_owned()))
}

/// An empty map or list, which block style cannot write.
fn empty(t: &Tree) -> Option<&'static str> {
    match t {
        Tree::Map(m) if m.is_empty() => Some("{}"),
        Tree::List(l) if l.is_empty() => Some("[]"),
        _ => None,
    }
}

/// The tree as block-style YAML.
pub(crate) fn to_yaml(t: &Tree) -> String {
    let mut out = String::new();
    match t {
        Tree::Map(entries) => map(&mut out, entries, 0),
        Tree::List(items) => list(&mut out, items, 0),
        Tree::Scalar(v) => {
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
    out
}

fn map(out: &mut String, entries: &[(String, Tree)], indent: usize) {
    for (i, (k, v)) in entries.iter().enumerate() {
        // The first entry of a list item follows its `- `.
        if i > 0 || indent == 0 || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&key(k));
        out.push(':');
        value(out, v, indent, true);
    }
}

fn list(out: &mut String, items: &[Tree], indent: usize) {
    for v in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        value(out, v, indent, false);
    }
}

/// After `key:` or `-`: a scalar on the same line, a map or list below.
fn value(out: &mut String, v: &Tree, indent: usize, after_key: bool) {
    if let Some(e) = empty(v) {
        out.push(' ');
        out.push_str(e);
        out.push('\n');
        return;
    }
    match v {
        Tree::Scalar(s) => {
            out.push(' ');
            out.push_str(&scalar(s));
            out.push('\n');
        }
        Tree::Map(entries) if after_key => {
            out.push('\n');
            map(out, entries, indent + 2);
        }
        Tree::Map(entries) => {
            out.push(' ');
            map(out, entries, indent + 2);
        }
        // A list under a key sits at the key's indent, as cfn templates
        // are written.
        Tree::List(items) if after_key => {
            out.push('\n');
            list(out, items, indent);
        }
        Tree::List(items) => {
            out.push('\n');
            list(out, items, indent + 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_words_dates_and_numbers_are_quoted() {
        let t = Tree::from(&json!({"Mode": "OFF", "On": "yes", "V": "2010-09-09",
            "Cpu": "256", "Arn": "arn:aws:iam::1:role/x", "Colon": "ends:", "Pair": "a: b", "Group": "/ecs/shop-web", "Empty": "", "N": "n",
            "Num": 3, "B": true}));
        let y = to_yaml(&t);
        for line in [
            "Mode: \"OFF\"",
            "\"On\": \"yes\"",
            "V: \"2010-09-09\"",
            "Cpu: \"256\"",
            "Arn: arn:aws:iam::1:role/x",
            "Colon: \"ends:\"",
            "Pair: \"a: b\"",
            "Group: /ecs/shop-web",
            "Empty: \"\"",
            "Num: 3",
            "\"N\": \"n\"",
            "B: true",
        ] {
            assert!(y.lines().any(|l| l == line), "{line} not in\n{y}");
        }
    }

    #[test]
    fn yaml_reads_back_as_the_same_tree() {
        let v = json!({"A": [{"B": 1, "C": [1, 2]}, "x", [], {}], "D": {"E": {"F": "g h"}},
            "L": [[1, 2], {"K": "multi\nline"}]});
        let y = to_yaml(&Tree::from(&v));
        let back: Value = serde_norway::from_str(&y).unwrap();
        assert_eq!(back, v, "{y}");
    }
}
