//! The schema tables against the jsonschema crate, which compose2ecs used
//! to compile the same schemas at run time: on every fixture's compose tree
//! and outputs, and on thousands of documents mutated from them (seeded),
//! both give the same verdict and the same violations (instance path and
//! keyword, and for `oneOf`/`anyOf` the same in each branch). Every
//! regular expression's hand-written matcher gives the regex engine's
//! verdict on thousands of strings.

use std::path::{Path, PathBuf};

use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde_json::{Value as Json, json};

use crate::diagnostic::Sink;
use crate::load::input::Input;
use crate::validate::schema::{Kind, Pattern, Schema, Seg, Violation};
use crate::validate::tables;

/// A small deterministic generator (xorshift64*), so every run tries the
/// same documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

/// Pieces of the strings the mutations write: what the patterns look at
/// (name characters, newlines, colons, `x-`, ARNs, pull policies, Unicode
/// letters, digits, marks and connectors), and plain words.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    "-",
    "_",
    ".",
    ":",
    "/",
    "|",
    " ",
    "\n",
    "\t",
    "$",
    "[",
    "]",
    "*",
    "x-",
    "aws.",
    "web",
    "always",
    "build",
    "every_",
    "5d",
    "12",
    "é",
    "日",
    "\u{663}",
    "²",
    "\u{301}",
    "\u{203f}",
    "\u{85}",
    "\u{7f}",
    "key/",
    "alias/",
    "role/",
    "arn:aws",
    "-cn",
    ":iam::",
    ":kms:",
    ":sqs:",
    "us-east-1",
    "123456789012",
    "FARGATE",
    "256",
    "512",
    "awsvpc",
    "ENABLED",
    "@",
    "+",
    "=",
    ",",
    "\\",
    "^",
    "\u{200d}",
];

fn string(rng: &mut Rng) -> String {
    (0..rng.below(7))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

/// A value of any kind, small.
fn value(rng: &mut Rng, depth: usize) -> Json {
    match rng.below(if depth > 1 { 6 } else { 8 }) {
        0 => Json::Null,
        1 => Json::Bool(rng.below(2) == 0),
        2 => json!(rng.below(70_000) as i64 - 10),
        3 => json!(rng.below(1000) as f64 / 4.0),
        4 | 5 => Json::String(string(rng)),
        6 => Json::Array((0..rng.below(3)).map(|_| value(rng, depth + 1)).collect()),
        _ => Json::Object(
            (0..rng.below(3))
                .map(|_| (string(rng), value(rng, depth + 1)))
                .collect(),
        ),
    }
}

/// Every location in `doc`, as JSON pointers.
fn pointers(doc: &Json, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match doc {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Json::Object(m) => {
            for (k, v) in m {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// `doc` with one change at a random place: a new value, a removed or
/// added member, a duplicated item, or a string (or key) rewritten.
fn mutate(doc: &Json, rng: &mut Rng) -> Json {
    let mut doc = doc.clone();
    let mut places = Vec::new();
    pointers(&doc, String::new(), &mut places);
    let place = places[rng.below(places.len())].clone();
    let Some(target) = doc.pointer_mut(&place) else {
        return doc;
    };
    match (rng.below(6), target) {
        (0, Json::Object(m)) if !m.is_empty() => {
            let key = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            m.remove(&key);
        }
        (1, Json::Object(m)) => {
            let key = if rng.below(2) == 0 {
                string(rng)
            } else {
                // A known member's name with another value.
                m.keys().next().cloned().unwrap_or_default()
            };
            m.insert(key, value(rng, 1));
        }
        (2, Json::Array(items)) if !items.is_empty() => {
            let i = rng.below(items.len());
            let again = items[i].clone();
            items.push(again);
        }
        (3, Json::String(s)) => {
            *s = if rng.below(2) == 0 {
                string(rng)
            } else {
                format!("{s}{}", string(rng))
            };
        }
        (4, Json::Object(m)) if !m.is_empty() => {
            let key = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(v) = m.remove(&key) {
                m.insert(format!("{key}{}", string(rng)), v);
            }
        }
        (_, target) => *target = value(rng, 0),
    }
    doc
}

/// A violation as both sides can say it: the instance path, the keyword,
/// and for `oneOf`/`anyOf` the same of each branch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Said {
    path: String,
    keyword: String,
    detail: Vec<String>,
    branches: Vec<Vec<Said>>,
}

fn ours(v: &Violation<'_>) -> Said {
    // The jsonschema crate leaves an empty member name out of its instance
    // paths (`/options` for the member "" of `options`); the tables keep it.
    let path = v
        .path
        .iter()
        .filter(|s| **s != Seg::Key(""))
        .map(|s| match s {
            Seg::Key(k) => format!("/{k}"),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect();
    let (detail, branches) = match &v.kind {
        Kind::AdditionalProperties { unexpected, .. } => {
            let mut u: Vec<String> = unexpected.iter().map(|s| (*s).to_owned()).collect();
            u.sort();
            (u, Vec::new())
        }
        Kind::Required(r) => (vec![(*r).to_owned()], Vec::new()),
        Kind::OneOfNone(context) | Kind::AnyOf(context) => (
            Vec::new(),
            context
                .iter()
                .map(|b| sorted(b.iter().map(ours).collect()))
                .collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    Said {
        path,
        keyword: v.kind.keyword().to_owned(),
        detail,
        branches,
    }
}

fn theirs(e: &ValidationError<'_>) -> Said {
    let path = e
        .instance_path()
        .segments()
        .filter(|s| !matches!(s, LocationSegment::Property(k) if k.is_empty()))
        .map(|s| match s {
            LocationSegment::Property(k) => format!("/{k}"),
            LocationSegment::Index(i) => format!("/{i}"),
        })
        .collect();
    let (detail, branches) = match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let mut u = unexpected.clone();
            u.sort();
            (u, Vec::new())
        }
        ValidationErrorKind::Required { property } => (
            vec![property.as_str().unwrap_or_default().to_owned()],
            Vec::new(),
        ),
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            (
                Vec::new(),
                context
                    .iter()
                    .map(|b| sorted(b.iter().map(theirs).collect()))
                    .collect(),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    Said {
        path,
        keyword: e.kind().keyword().to_owned(),
        detail,
        branches,
    }
}

fn sorted(mut v: Vec<Said>) -> Vec<Said> {
    v.sort();
    v
}

/// The two verdicts on `doc`, equal or a panic that shows both.
fn same(name: &str, schema: &Schema, old: &jsonschema::Validator, doc: &Json) {
    let valid = schema.is_valid(doc);
    assert_eq!(valid, old.is_valid(doc), "{name}: verdicts differ on {doc}");
    let mine = sorted(schema.violations(doc).iter().map(ours).collect());
    let reference = sorted(old.iter_errors(doc).map(|e| theirs(&e)).collect());
    assert_eq!(mine, reference, "{name}: violations differ on {doc}");
    assert_eq!(valid, mine.is_empty(), "{name}: {doc}");
}

/// The arena copy of `doc` that the pipeline checks (`ecs::lite`) holds the
/// same value and draws the same violations, in the same order.
fn same_in_arena(name: &str, schema: &Schema, doc: &Json) {
    let bump = bumpalo::Bump::new();
    let lite = crate::ecs::lite::Lite::of(doc, &bump);
    assert_eq!(&lite.to_json(), doc, "{name}: the arena copy differs");
    assert_eq!(
        schema.is_valid(&lite),
        schema.is_valid(doc),
        "{name}: {doc}"
    );
    let in_arena: Vec<Said> = schema.violations(&lite).iter().map(ours).collect();
    let as_json: Vec<Said> = schema.violations(doc).iter().map(ours).collect();
    assert_eq!(
        in_arena, as_json,
        "{name}: violations differ in the arena on {doc}"
    );
}

fn compile(text: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&serde_json::from_str(text).unwrap()).unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixtures that convert, and what they give: the merged compose tree
/// (located and as JSON) and each output as JSON, with its schema's name.
fn documents() -> (Vec<crate::load::yaml::Node>, Vec<(&'static str, Json)>) {
    let mut trees = Vec::new();
    let mut outputs = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 20, "the fixtures are there");
    for dir in dirs {
        let overlay = dir.join("compose2ecs.yaml");
        let overlays: Vec<PathBuf> = overlay.is_file().then_some(overlay).into_iter().collect();
        let Ok(input) = Input::from_files(
            &[dir.join("compose.yaml")],
            &overlays,
            Default::default(),
            &[],
        ) else {
            continue;
        };
        if let Some(tree) = crate::load::resolve(&input, &mut Sink::default()) {
            trees.push(tree);
        }
        let Ok(c) = crate::convert(&input, &crate::Options::default()) else {
            continue;
        };
        let to = |v: &dyn erased::Ser| v.json();
        for td in c.task_definitions.values() {
            outputs.push(("task definition", to(td)));
        }
        for s in c.services.values() {
            outputs.push(("service", to(s)));
        }
        for j in c.jobs.values() {
            outputs.push(("run-task", to(j)));
        }
        for s in c.scaling.values() {
            outputs.push(("scaling", to(s)));
        }
        for s in c.schedules.values() {
            outputs.push(("schedule", to(s)));
        }
    }
    (trees, outputs)
}

/// Serialising the output types behind one reference.
mod erased {
    pub(super) trait Ser {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

fn schema_of(name: &str) -> (&'static Schema, &'static str) {
    use crate::check::api::*;
    match name {
        "task definition" => (&tables::TASK_DEFINITION, TASK_DEFINITION_SCHEMA),
        "service" => (&tables::SERVICE, SERVICE_SCHEMA),
        "run-task" => (&tables::RUN_TASK, RUN_TASK_SCHEMA),
        "scaling" => (&tables::SCALING, SCALING_SCHEMA),
        _ => (&tables::SCHEDULE, SCHEDULE_SCHEMA),
    }
}

#[test]
fn the_tables_judge_every_fixture_and_its_mutations_as_jsonschema_does() {
    let (trees, outputs) = documents();
    assert!(
        trees.len() > 20 && outputs.len() > 40,
        "{} {}",
        trees.len(),
        outputs.len()
    );
    let compose = compile(crate::validate::compose::COMPOSE_SPEC_SCHEMA);
    let mut rng = Rng(0x5eed_c0de_2026_1207);
    let mut tried = 0;
    for tree in &trees {
        let json = tree.to_json();
        // The located tree is read as its JSON form is.
        let located = sorted(tables::COMPOSE.violations(tree).iter().map(ours).collect());
        let as_json = sorted(tables::COMPOSE.violations(&json).iter().map(ours).collect());
        assert_eq!(located, as_json);
        same("compose", &tables::COMPOSE, &compose, &json);
        for _ in 0..60 {
            let mut doc = json.clone();
            for _ in 0..=rng.below(3) {
                doc = mutate(&doc, &mut rng);
            }
            same("compose", &tables::COMPOSE, &compose, &doc);
            tried += 1;
        }
    }
    let compiled: Vec<(&str, jsonschema::Validator)> = [
        "task definition",
        "service",
        "run-task",
        "scaling",
        "schedule",
    ]
    .into_iter()
    .map(|n| (n, compile(schema_of(n).1)))
    .collect();
    for (name, doc) in &outputs {
        let (schema, _) = schema_of(name);
        let old = &compiled.iter().find(|(n, _)| n == name).unwrap().1;
        same(name, schema, old, doc);
        same_in_arena(name, schema, doc);
        for _ in 0..25 {
            let mut mutated = doc.clone();
            for _ in 0..=rng.below(3) {
                mutated = mutate(&mutated, &mut rng);
            }
            same(name, schema, old, &mutated);
            same_in_arena(name, schema, &mutated);
            tried += 1;
        }
    }
    assert!(tried > 3000, "{tried} documents");
}

/// Every `Pattern` against the regex engine the jsonschema crate uses, on
/// thousands of strings.
#[test]
fn every_pattern_matcher_matches_as_the_regex_does() {
    let patterns = [
        Pattern::NotOnlyNewlines,
        Pattern::OneLine,
        Pattern::ComposeName,
        Pattern::Lowercase,
        Pattern::Extension,
        Pattern::ContainsContainerName,
        Pattern::ContainsPullPolicy,
        Pattern::Anything,
        Pattern::Digits,
        Pattern::EcsName,
        Pattern::ScalingName,
        Pattern::ContainsPrintableAscii,
        Pattern::ScheduleSource,
        Pattern::ContainsNameChar,
        Pattern::ContainsWordChar,
        Pattern::ContainsRoleArn,
        Pattern::ContainsKmsArn,
        Pattern::ContainsSqsArn,
    ];
    let mut rng = Rng(0x0bad_5eed_0000_0001);
    // Strings that come close to each pattern, then random ones.
    let mut strings: Vec<String> = vec![
        String::new(),
        "\n".into(),
        " ".into(),
        "x-".into(),
        "arn:aws:iam::123456789012:role/deploy".into(),
        "arn:aws-cn:iam::\u{663}23456789012:role/\u{301}".into(),
        "arn:aws:iam::12345678901:role/x".into(),
        "arn:aws:kms:us-east-1:123456789012:key/".into(),
        "arn:aws:kms:us-east-1:123456789012:alias/x".into(),
        "arn:aws:sqs:eu-west-1:123456789012:queue".into(),
        "arn:aws:sqs::123456789012:queue".into(),
        "every_5d".into(),
        "every_d".into(),
        "aws.events".into(),
        "$.detail[0]".into(),
        "a".repeat(255),
        "a".repeat(256),
    ];
    for _ in 0..6000 {
        strings.push(string(&mut rng));
    }
    for p in patterns {
        let old = jsonschema::validator_for(&json!({ "pattern": p.source() })).unwrap();
        for s in &strings {
            assert_eq!(p.matches(s), old.is_valid(&json!(s)), "{p:?} on {s:?}");
        }
    }
    // Every pattern of the schemas has its matcher here.
    let script = std::fs::read_to_string(repo().join("scripts/schema-tables.py")).unwrap();
    for p in patterns {
        assert!(script.contains(&format!("\"{p:?}\"")), "{p:?}");
    }
}
