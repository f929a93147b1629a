//! Stage 1, **load**, for a whole project: every `-f` file parsed and interpolated,
//! its `include`s imported and its `extends` resolved, then the files merged
//! — the tree `docker compose config` would print.
//!
//! Order per file, as compose-go does it: parse → interpolate (with casts) →
//! `include` (each included file loaded the same way, with its own project
//! directory and env file) → `extends` (same file or another, nested). Then
//! the `-f` files merge in order and leftover `!reset`/`!override` tags go.
//!
//! Relative paths in an included file are relative to its project directory,
//! and in a service extended from another file to that file's folder; both
//! are rewritten relative to the including project's directory, so the later
//! stages resolve every path against one directory.

pub(crate) mod discover;
pub(crate) mod dotenv;
mod extends;
mod include;
pub(crate) mod input;
pub(crate) mod interpolate;
pub(crate) mod merge;
pub(crate) mod paths;
mod rebase;
pub(crate) mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::diagnostic::{Code, Diagnostic, Error, Location, Sink};
use crate::load::input::{Input, Source};
use interpolate::Environment;

use yaml::{Map, Node, Value};

/// How deep `extends` and `include` chains may go: far beyond real projects,
/// well before the stack is at risk.
const MAX_CHAIN: usize = 64;

/// Top-level keys an included file contributes.
const RESOURCES: &[&str] = &[
    "services", "networks", "volumes", "secrets", "configs", "models",
];

/// Where a file sits and how its content is read.
#[derive(Debug, Clone)]
struct FileCtx {
    /// The file, as named (normalised).
    path: PathBuf,
    /// Its folder: `extends.file` and `include` paths start here.
    dir: PathBuf,
    /// The folder its other relative paths (`build`, `env_file`, bind
    /// mounts) start from: the project directory.
    base: PathBuf,
    /// Its interpolation environment.
    env: Rc<Environment>,
}

impl FileCtx {
    fn new(path: &Path, base: PathBuf, env: Rc<Environment>) -> Self {
        let path = paths::normalize(path);
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), paths::normalize);
        FileCtx {
            path,
            dir,
            base,
            env,
        }
    }
}

struct Loader<'a> {
    input: &'a Input,
    sink: &'a mut Sink,
    /// Files read for `extends`, parsed and interpolated, includes applied.
    raw: HashMap<PathBuf, Option<Rc<(Node, FileCtx)>>>,
    /// Services already resolved in another file, as that file sees them.
    resolved: HashMap<(PathBuf, String, PathBuf), Option<Node>>,
    /// The `extends` chain being resolved, for cycle detection.
    extending: Vec<(PathBuf, String)>,
    /// The `include` chain being loaded, for cycle detection.
    including: Vec<PathBuf>,
    /// The given compose files, parsed once: the project name is read from
    /// these trees before the loader interpolates them.
    parsed: HashMap<PathBuf, Result<Vec<Node>, Error>>,
    /// Included files already loaded, by file and project directory, with
    /// the environment they were loaded in: a file included along several
    /// paths (a diamond) is loaded once, so a graph of them costs its
    /// files, not its paths (depth 16 used to take 9 s, 52 files a minute).
    included: HashMap<(PathBuf, PathBuf), Vec<Loaded>>,
}

/// An included file as loaded in one environment (`None`: it failed, said).
type Loaded = (Rc<Environment>, Option<Node>);

/// Loads and merges the compose files of `input`; problems go to `sink`.
pub(crate) fn resolve(input: &Input, sink: &mut Sink) -> Option<Node> {
    if input.compose.is_empty() {
        sink.push(Diagnostic::error(Code::Io, "no compose file was given"));
        return None;
    }
    let parsed: HashMap<PathBuf, Result<Vec<Node>, Error>> = input
        .compose
        .iter()
        .map(|s| (s.path.clone(), yaml::parse_documents(&s.path, &s.text)))
        .collect();
    let mut env = input.environment.clone();
    if !env.contains_key(PROJECT_NAME_VARIABLE) {
        // docker compose names the project before it reads the files, and
        // `${COMPOSE_PROJECT_NAME}` in them is that name.
        if let Some(name) = project_name_before_loading(input, &parsed) {
            env.insert(PROJECT_NAME_VARIABLE.to_owned(), name);
        }
    }
    let env = Rc::new(env);
    let base = paths::normalize(&input.project_dir);
    let mut loader = Loader {
        input,
        sink,
        raw: HashMap::new(),
        resolved: HashMap::new(),
        extending: Vec::new(),
        including: Vec::new(),
        parsed,
        included: HashMap::new(),
    };
    let mut merged: Option<Node> = None;
    for source in &input.compose {
        let ctx = FileCtx::new(&source.path, base.clone(), env.clone());
        loader.including.push(ctx.path.clone());
        let tree = loader.load(source, &ctx);
        loader.including.pop();
        let Some(tree) = tree else {
            continue;
        };
        match &mut merged {
            None => merged = Some(tree),
            Some(acc) => merge::merge(acc, tree, &[]),
        }
    }
    if loader.sink.has_errors() {
        return None;
    }
    let mut merged = merged?;
    merge::finish(&mut merged);
    Some(merged)
}

/// The variable that holds the project name while the files are read.
const PROJECT_NAME_VARIABLE: &str = "COMPOSE_PROJECT_NAME";

/// The project name as docker compose decides it before reading the files:
/// `-p`, else the last top-level `name:` of the compose files (interpolated),
/// else the project directory's name, normalised.
fn project_name_before_loading(
    input: &Input,
    parsed: &HashMap<PathBuf, Result<Vec<Node>, Error>>,
) -> Option<String> {
    if let Some(name) = &input.project_name {
        return Some(name.clone());
    }
    let mut name = None;
    for source in &input.compose {
        if !source.text.contains("name:") {
            continue;
        }
        // One document, as `yaml::parse` reads a file (several: not here).
        if let Some(Ok(docs)) = parsed
            .get(&source.path)
            .filter(|d| d.as_ref().is_ok_and(|docs| docs.len() <= 1))
        {
            if let Some(n) = docs
                .first()
                .and_then(|t| t.get("name"))
                .and_then(Node::as_str)
            {
                name = interpolate::interpolate_str(n, &input.environment, &mut Vec::new()).ok();
            }
        }
    }
    let name = name.or_else(|| {
        let dir = input
            .project_dir
            .canonicalize()
            .unwrap_or_else(|_| input.project_dir.clone());
        dir.file_name().map(|s| s.to_string_lossy().into_owned())
    })?;
    Some(discover::normalize_project_name(&name))
}

impl Loader<'_> {
    /// A file as messages name it: relative to the project directory.
    fn show(&self, path: &Path) -> String {
        paths::relative(path, &paths::normalize(&self.input.project_dir))
            .display()
            .to_string()
    }

    /// One file, completely: parsed, interpolated, includes imported,
    /// `extends` resolved.
    fn load(&mut self, source: &Source, ctx: &FileCtx) -> Option<Node> {
        let mut tree = self.parse(source, ctx)?;
        self.apply_extends(&mut tree, ctx);
        Some(tree)
    }

    /// Parsed, interpolated, includes imported; `extends` left as written.
    /// Several YAML documents in one file merge in order, like `-f` files.
    fn parse(&mut self, source: &Source, ctx: &FileCtx) -> Option<Node> {
        let parsed = self
            .parsed
            .remove(&source.path)
            .unwrap_or_else(|| yaml::parse_documents(&source.path, &source.text));
        let docs = match parsed {
            Ok(d) => d,
            Err(e) => {
                self.sink.extend_from_error(e);
                return None;
            }
        };
        let mut tree: Option<Node> = None;
        for mut doc in docs.into_iter().filter(|d| !d.is_null()) {
            interpolate::interpolate_tree(&mut doc, &ctx.env, self.sink);
            match &mut tree {
                None => tree = Some(doc),
                Some(acc) => merge::merge(acc, doc, &[]),
            }
        }
        let Some(mut tree) = tree else {
            self.sink.push(
                Diagnostic::error(
                    Code::NoServices,
                    format!("`{}` is empty", source.path.display()),
                )
                .at(Some(&Location {
                    file: source.path.as_path().into(),
                    line: 1,
                    column: 1,
                }))
                .with_help("a compose file needs at least `services:` with one service"),
            );
            return None;
        };
        if let Value::Map(top) = &mut tree.value {
            // `services: {web: }` is a service with no keys, as in compose.
            if let Some(Value::Map(services)) = top.get_mut("services").map(|e| &mut e.value.value)
            {
                for e in services.values_mut() {
                    if e.value.is_null() && e.value.tag.is_none() {
                        e.value.value = Value::Map(Map::new());
                    }
                }
            }
            if let Some(include) = top.shift_remove("include") {
                self.apply_include(top, include, ctx);
            }
        }
        Some(tree)
    }

    fn raw_file(
        &mut self,
        file: &Path,
        ctx: &FileCtx,
        path: &str,
        loc: &Location,
    ) -> Option<Rc<(Node, FileCtx)>> {
        if let Some(r) = self.raw.get(file) {
            return r.clone();
        }
        let source = self.read(file, path, loc)?;
        // A file extended from elsewhere: its relative paths are its own.
        let fctx = FileCtx::new(file, PathBuf::new(), ctx.env.clone());
        let fctx = FileCtx {
            base: fctx.dir.clone(),
            ..fctx
        };
        let tree = self.parse(&source, &fctx);
        let entry = tree.map(|t| Rc::new((t, fctx)));
        self.raw.insert(file.to_path_buf(), entry.clone());
        entry
    }

    fn read(&mut self, file: &Path, path: &str, loc: &Location) -> Option<Source> {
        match self.input.read_file(file) {
            Ok(Some(s)) => {
                self.sink.sources.add(&s.path, &s.text);
                Some(s)
            }
            Ok(None) => {
                self.sink.push(
                    Diagnostic::error(
                        Code::FileNotFound,
                        format!("`{}` does not exist", self.show(file)),
                    )
                    .with_path(path)
                    .at(Some(loc)),
                );
                None
            }
            Err(d) => {
                self.sink.push(d.with_path(path));
                None
            }
        }
    }
}
