//! JSON Schema validation over tables made at build time: the schemas
//! compose2ecs checks are compiled by `scripts/schema-tables.py` into static
//! arrays of [`Node`]s (`tables.rs`), and this interpreter walks them, so no
//! schema is compiled when compose2ecs runs (`docs/DESIGN.md`, "Schemas as
//! tables").
//!
//! It implements the keywords those schemas use, with the semantics of the
//! jsonschema crate for draft 2020-12 (keywords evaluated in the order of
//! their names, `$ref` beside other keywords, integers that are whole
//! floats), and the regular expressions they use as hand-written matchers
//! ([`Pattern`]). A test, `src/differential.rs`, holds every verdict equal to the
//! jsonschema crate's on every fixture and on thousands of mutated
//! documents. It reads any [`Instance`]: a JSON value (the outputs) or the
//! located YAML tree (the compose project), so the compose file is checked
//! where it is, without a JSON copy.

pub(crate) use super::instance::{Instance, View};
pub(crate) use super::pattern::Pattern;

/// Type bits of [`Node::types`].
pub(crate) const NULL: u8 = 1;
pub(crate) const BOOLEAN: u8 = 2;
pub(crate) const INTEGER: u8 = 4;
pub(crate) const NUMBER: u8 = 8;
pub(crate) const STRING: u8 = 16;
pub(crate) const ARRAY: u8 = 32;
pub(crate) const OBJECT: u8 = 64;

/// No node.
const NONE: u16 = u16::MAX;

/// One compiled schema: its nodes and the root's index.
#[derive(Debug)]
pub(crate) struct Schema {
    pub root: u16,
    pub nodes: &'static [Node],
}

/// `additionalProperties`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Additional {
    /// Not given, or `true`.
    Allowed,
    /// `false`.
    Forbidden,
    /// A schema for the other members.
    Schema(u16),
}

/// One subschema. Indices point into the same [`Schema::nodes`].
#[derive(Debug)]
pub(crate) struct Node {
    /// `true` or `false` as a whole schema.
    pub boolean: Option<bool>,
    /// The allowed types (bits), 0 for any.
    pub types: u8,
    pub reference: u16,
    /// Sorted by name.
    pub properties: &'static [(&'static str, u16)],
    pub patterns: &'static [(Pattern, u16)],
    pub additional: Additional,
    pub required: &'static [&'static str],
    pub items: u16,
    pub contains: u16,
    pub min_items: Option<u32>,
    pub max_items: Option<u32>,
    pub unique_items: bool,
    pub enumeration: Option<&'static [&'static str]>,
    pub constant: Option<&'static str>,
    pub one_of: &'static [u16],
    pub any_of: &'static [u16],
    pub all_of: &'static [u16],
    pub if_: u16,
    pub then: u16,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub pattern: Option<Pattern>,
}

impl Node {
    /// The schema `{}`: anything.
    pub(crate) const EMPTY: Node = Node {
        boolean: None,
        types: 0,
        reference: NONE,
        properties: &[],
        patterns: &[],
        additional: Additional::Allowed,
        required: &[],
        items: NONE,
        contains: NONE,
        min_items: None,
        max_items: None,
        unique_items: false,
        enumeration: None,
        constant: None,
        one_of: &[],
        any_of: &[],
        all_of: &[],
        if_: NONE,
        then: NONE,
        minimum: None,
        maximum: None,
        min_length: None,
        max_length: None,
        pattern: None,
    };
}

/// One step of an instance path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

/// An instance path as messages write it: `services.web.ports[0]`.
pub(crate) fn render_path(segments: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A violation: where, and of what.
#[derive(Debug, Clone)]
pub(crate) struct Violation<'v> {
    pub path: Vec<Seg<'v>>,
    pub kind: Kind<'v>,
}

/// What was violated.
#[derive(Debug, Clone)]
pub(crate) enum Kind<'v> {
    /// `type`: the allowed types (bits).
    Type(u8),
    /// `additionalProperties: false`: the members no property or pattern
    /// allows, and the properties the schema names.
    AdditionalProperties {
        unexpected: Vec<&'v str>,
        known: &'static [(&'static str, u16)],
    },
    Required(&'static str),
    Enum(&'static [&'static str]),
    Const(&'static str),
    Pattern(Pattern),
    MinLength(u32),
    MaxLength(u32),
    MinItems(u32),
    MaxItems(u32),
    Minimum(f64),
    Maximum(f64),
    UniqueItems,
    Contains,
    /// `oneOf` with no valid branch: each branch's violations.
    OneOfNone(Vec<Vec<Violation<'v>>>),
    /// `oneOf` with several valid branches.
    OneOfMany,
    /// `anyOf` with no valid branch: each branch's violations.
    AnyOf(Vec<Vec<Violation<'v>>>),
    /// The schema `false`.
    False,
}

impl Kind<'_> {
    /// The keyword that failed.
    pub(crate) fn keyword(&self) -> &'static str {
        match self {
            Kind::Type(_) => "type",
            Kind::AdditionalProperties { .. } => "additionalProperties",
            Kind::Required(_) => "required",
            Kind::Enum(_) => "enum",
            Kind::Const(_) => "const",
            Kind::Pattern(_) => "pattern",
            Kind::MinLength(_) => "minLength",
            Kind::MaxLength(_) => "maxLength",
            Kind::MinItems(_) => "minItems",
            Kind::MaxItems(_) => "maxItems",
            Kind::Minimum(_) => "minimum",
            Kind::Maximum(_) => "maximum",
            Kind::UniqueItems => "uniqueItems",
            Kind::Contains => "contains",
            Kind::OneOfNone(_) | Kind::OneOfMany => "oneOf",
            Kind::AnyOf(_) => "anyOf",
            Kind::False => "falseSchema",
        }
    }
}

/// The names of the type bits, for messages, in the jsonschema crate's
/// order: `null`, `boolean`, `integer`, `number`, `string`, `array`, `object`.
pub(crate) fn type_names(bits: u8) -> Vec<&'static str> {
    [
        (NULL, "null"),
        (BOOLEAN, "boolean"),
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (STRING, "string"),
        (ARRAY, "array"),
        (OBJECT, "object"),
    ]
    .into_iter()
    .filter(|(b, _)| bits & b != 0)
    .map(|(_, n)| n)
    .collect()
}

impl Schema {
    /// Whether `value` is valid.
    pub(crate) fn is_valid<I: Instance>(&self, value: &I) -> bool {
        self.check(self.root, value, &mut Vec::new(), None)
    }

    /// Every violation in `value`, in the order the jsonschema crate lists
    /// them.
    pub(crate) fn violations<'v, I: Instance>(&self, value: &'v I) -> Vec<Violation<'v>> {
        let mut out = Vec::new();
        self.check(self.root, value, &mut Vec::new(), Some(&mut out));
        out
    }

    /// Checks `value` against node `n`: with `out`, every violation is
    /// pushed there; without, it stops at the first.
    fn check<'v, I: Instance>(
        &self,
        n: u16,
        value: &'v I,
        path: &mut Vec<Seg<'v>>,
        mut out: Option<&mut Vec<Violation<'v>>>,
    ) -> bool {
        let node = &self.nodes[usize::from(n)];
        if let Some(b) = node.boolean {
            if !b {
                if let Some(out) = out {
                    out.push(violation(path, Kind::False));
                }
            }
            return b;
        }
        let view = value.view();
        let mut valid = true;
        // Each keyword in the order of its name, as the jsonschema crate
        // evaluates a schema read into a sorted map.
        macro_rules! fail {
            ($kind:expr) => {{
                valid = false;
                match out.as_deref_mut() {
                    Some(o) => o.push(violation(path, $kind)),
                    None => return false,
                }
            }};
        }
        macro_rules! sub {
            ($n:expr, $value:expr) => {{
                if !self.check($n, $value, path, out.as_deref_mut()) {
                    valid = false;
                    if out.is_none() {
                        return false;
                    }
                }
            }};
        }
        // `$ref`
        if node.reference != NONE {
            sub!(node.reference, value);
        }
        // `additionalProperties`, with `properties` and `patternProperties`
        // (one keyword in the jsonschema crate when it is given).
        let objects = matches!(view, View::Object);
        if objects && node.additional != Additional::Allowed {
            let mut unexpected = Vec::new();
            for (key, member) in value.members() {
                path.push(Seg::Key(key));
                let mut matched = false;
                if let Some(p) = property(node, key) {
                    matched = true;
                    sub!(p, member);
                }
                for (pattern, p) in node.patterns {
                    if pattern.matches(key) {
                        matched = true;
                        sub!(*p, member);
                    }
                }
                if !matched {
                    match node.additional {
                        Additional::Schema(a) => sub!(a, member),
                        _ => unexpected.push(key),
                    }
                }
                path.pop();
            }
            if !unexpected.is_empty() {
                fail!(Kind::AdditionalProperties {
                    unexpected,
                    known: node.properties,
                });
            }
        }
        // `allOf`, `anyOf`
        for b in node.all_of {
            sub!(*b, value);
        }
        if !node.any_of.is_empty() {
            let any = node
                .any_of
                .iter()
                .any(|b| self.check(*b, value, &mut Vec::new(), None));
            if !any {
                let context = match out {
                    Some(_) => self.branches(node.any_of, value, path),
                    None => Vec::new(),
                };
                fail!(Kind::AnyOf(context));
            }
        }
        // `const`, `contains`, `enum`
        if let Some(c) = node.constant {
            if !matches!(&view, View::Str(s) if s == c) {
                fail!(Kind::Const(c));
            }
        }
        if let (true, View::Array(items)) = (node.contains != NONE, &view) {
            let found = items
                .iter()
                .any(|i| self.check(node.contains, i, &mut Vec::new(), None));
            if !found {
                fail!(Kind::Contains);
            }
        }
        if let Some(options) = node.enumeration {
            if !matches!(&view, View::Str(s) if options.contains(&s.as_ref())) {
                fail!(Kind::Enum(options));
            }
        }
        // `if` / `then`
        if node.if_ != NONE
            && node.then != NONE
            && self.check(node.if_, value, &mut Vec::new(), None)
        {
            sub!(node.then, value);
        }
        // `items`, `maxItems`, `maxLength`, `maximum`, `minItems`,
        // `minLength`, `minimum`
        if let View::Array(items) = &view {
            if node.items != NONE {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    sub!(node.items, item);
                    path.pop();
                }
            }
            if let Some(max) = node.max_items {
                if items.len() > max as usize {
                    fail!(Kind::MaxItems(max));
                }
            }
        }
        if let (Some(max), View::Str(s)) = (node.max_length, &view) {
            if s.chars().count() > max as usize {
                fail!(Kind::MaxLength(max));
            }
        }
        if let (Some(max), View::Number(x)) = (node.maximum, &view) {
            if x.as_f64() > max {
                fail!(Kind::Maximum(max));
            }
        }
        if let (Some(min), View::Array(items)) = (node.min_items, &view) {
            if items.len() < min as usize {
                fail!(Kind::MinItems(min));
            }
        }
        if let (Some(min), View::Str(s)) = (node.min_length, &view) {
            if s.chars().count() < min as usize {
                fail!(Kind::MinLength(min));
            }
        }
        if let (Some(min), View::Number(x)) = (node.minimum, &view) {
            if x.as_f64() < min {
                fail!(Kind::Minimum(min));
            }
        }
        // `oneOf`
        if !node.one_of.is_empty() {
            let passing = node
                .one_of
                .iter()
                .filter(|b| self.check(**b, value, &mut Vec::new(), None))
                .take(2)
                .count();
            match passing {
                1 => {}
                0 => {
                    let context = match out {
                        Some(_) => self.branches(node.one_of, value, path),
                        None => Vec::new(),
                    };
                    fail!(Kind::OneOfNone(context));
                }
                _ => fail!(Kind::OneOfMany),
            }
        }
        // `pattern`, `patternProperties`, `properties` (alone)
        if let (Some(p), View::Str(s)) = (node.pattern, &view) {
            if !p.matches(s) {
                fail!(Kind::Pattern(p));
            }
        }
        if objects && node.additional == Additional::Allowed {
            if !node.patterns.is_empty() {
                for (key, member) in value.members() {
                    for (pattern, p) in node.patterns {
                        if pattern.matches(key) {
                            path.push(Seg::Key(key));
                            sub!(*p, member);
                            path.pop();
                        }
                    }
                }
            }
            for (key, p) in node.properties {
                if let Some(member) = value.member(key) {
                    path.push(Seg::Key(key));
                    sub!(*p, member);
                    path.pop();
                }
            }
        }
        // `required`
        if objects {
            for key in node.required {
                if value.member(key).is_none() {
                    fail!(Kind::Required(key));
                }
            }
        }
        // `type`
        if node.types != 0 && !has_type(&view, node.types) {
            fail!(Kind::Type(node.types));
        }
        // `uniqueItems`
        if let (true, View::Array(items)) = (node.unique_items, &view) {
            if !unique(items) {
                fail!(Kind::UniqueItems);
            }
        }
        valid
    }

    /// The violations of each branch, at the instance's own path.
    fn branches<'v, I: Instance>(
        &self,
        branches: &[u16],
        value: &'v I,
        path: &[Seg<'v>],
    ) -> Vec<Vec<Violation<'v>>> {
        branches
            .iter()
            .map(|b| {
                let mut found = Vec::new();
                self.check(*b, value, &mut path.to_vec(), Some(&mut found));
                found
            })
            .collect()
    }
}

fn violation<'v>(path: &[Seg<'v>], kind: Kind<'v>) -> Violation<'v> {
    Violation {
        path: path.to_vec(),
        kind,
    }
}

fn property(node: &Node, key: &str) -> Option<u16> {
    node.properties
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| node.properties[i].1)
}

fn has_type<I>(view: &View<'_, I>, types: u8) -> bool {
    let bits = match view {
        View::Null => NULL,
        View::Bool(_) => BOOLEAN,
        View::Number(n) if n.is_integer() => INTEGER | NUMBER,
        View::Number(_) => NUMBER,
        View::Str(_) => STRING,
        View::Array(_) => ARRAY,
        View::Object => OBJECT,
    };
    bits & types != 0
}

/// `uniqueItems`: no two items equal as JSON values.
fn unique<I: Instance>(items: &[I]) -> bool {
    for (i, a) in items.iter().enumerate() {
        if items[i + 1..].iter().any(|b| equal(a, b)) {
            return false;
        }
    }
    true
}

fn equal<I: Instance>(a: &I, b: &I) -> bool {
    match (a.view(), b.view()) {
        (View::Null, View::Null) => true,
        (View::Bool(x), View::Bool(y)) => x == y,
        (View::Number(x), View::Number(y)) => x.equals(y),
        (View::Str(x), View::Str(y)) => x == y,
        (View::Array(x), View::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (View::Object, View::Object) => {
            a.members().count() == b.members().count()
                && a.members()
                    .all(|(k, v)| b.member(k).is_some_and(|w| equal(v, w)))
        }
        _ => false,
    }
}
