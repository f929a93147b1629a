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
pub(crate) mod input;
pub(crate) mod interpolate;
pub(crate) mod merge;
pub(crate) mod paths;
pub(crate) mod yaml;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::input::{Input, Source};
use interpolate::Environment;

use yaml::{Entry, Map, Node, Scalar, Value};

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
}

/// Loads and merges the compose files of `input`; problems go to `sink`.
pub(crate) fn resolve(input: &Input, sink: &mut Sink) -> Option<Node> {
    if input.compose.is_empty() {
        sink.push(Diagnostic::error(Code::Io, "no compose file was given"));
        return None;
    }
    let env = Rc::new(input.environment.clone());
    let base = paths::normalize(&input.project_dir);
    let mut loader = Loader {
        input,
        sink,
        raw: HashMap::new(),
        resolved: HashMap::new(),
        extending: Vec::new(),
        including: Vec::new(),
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
        let docs = match yaml::parse_documents(&source.path, &source.text) {
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

    // ---------------------------------------------------------------- include

    fn apply_include(&mut self, top: &mut Map, include: Entry, ctx: &FileCtx) {
        let items = match include.value.value {
            Value::Seq(items) => items,
            Value::Null => return,
            _ => {
                self.sink.push(
                    Diagnostic::error(Code::InvalidType, "`include` must be a list")
                        .with_path("include")
                        .at(Some(&include.value.loc)),
                );
                return;
            }
        };
        // Included files merge among themselves (a later one wins, as with
        // `-f`); the result must then agree with this file's own resources.
        let mut imported: Option<(Node, Vec<PathBuf>)> = None;
        for (i, item) in items.iter().enumerate() {
            let path = format!("include[{i}]");
            let Some(spec) = self.include_spec(item, &path, ctx) else {
                continue;
            };
            let Some(included) = self.load_included(&spec, &path, ctx) else {
                continue;
            };
            let files = spec.files.iter().map(|(f, _)| f.clone());
            match &mut imported {
                None => imported = Some((included, files.collect())),
                Some((acc, all)) => {
                    merge::merge(acc, included, &[]);
                    all.extend(files);
                }
            }
        }
        if let Some((tree, files)) = imported {
            self.import(top, tree, &files);
        }
    }

    fn include_spec(&mut self, item: &Node, path: &str, ctx: &FileCtx) -> Option<IncludeSpec> {
        let mut files: Vec<(String, Location)> = Vec::new();
        let mut project_directory = None;
        let mut env_files: Vec<(String, Location)> = Vec::new();
        let strings = |n: &Node| -> Option<Vec<(String, Location)>> {
            match &n.value {
                Value::Scalar(s) => Some(vec![(s.text.clone(), n.loc.clone())]),
                Value::Seq(items) => items
                    .iter()
                    .map(|i| i.as_str().map(|s| (s.to_owned(), i.loc.clone())))
                    .collect(),
                _ => None,
            }
        };
        match &item.value {
            Value::Scalar(s) => files.push((s.text.clone(), item.loc.clone())),
            Value::Map(m) => {
                for (k, e) in m {
                    let ok = match k.as_str() {
                        "path" => strings(&e.value).map(|v| files = v).is_some(),
                        "env_file" => strings(&e.value).map(|v| env_files = v).is_some(),
                        "project_directory" => e
                            .value
                            .as_str()
                            .map(|s| project_directory = Some(s.to_owned()))
                            .is_some(),
                        _ => {
                            self.sink.push(
                                Diagnostic::error(
                                    Code::SchemaViolation,
                                    format!("`{k}` is not a key of `include`"),
                                )
                                .with_path(format!("{path}.{k}"))
                                .at(Some(&e.key_loc))
                                .with_help("`include` entries have `path`, `project_directory` and `env_file`"),
                            );
                            true
                        }
                    };
                    if !ok {
                        self.sink.push(
                            Diagnostic::error(
                                Code::InvalidType,
                                format!("`include` `{k}` must be a path or a list of paths"),
                            )
                            .with_path(format!("{path}.{k}"))
                            .at(Some(&e.value.loc)),
                        );
                    }
                }
            }
            _ => {
                self.sink.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        format!(
                            "an `include` entry must be a path or a mapping with `path`, not {}",
                            item.kind_name()
                        ),
                    )
                    .with_path(path)
                    .at(Some(&item.loc)),
                );
                return None;
            }
        }
        if files.is_empty() {
            self.sink.push(
                Diagnostic::error(Code::InvalidValue, "`include` entry without a `path`")
                    .with_path(path)
                    .at(Some(&item.loc)),
            );
            return None;
        }
        for (f, loc) in files.iter().chain(&env_files) {
            if paths::is_remote(f) || f.starts_with("oci:") {
                self.sink.push(
                    Diagnostic::error(
                        Code::RemoteResource,
                        format!("`{f}` is a remote resource; compose2ecs reads local files only"),
                    )
                    .with_path(path)
                    .at(Some(loc))
                    .with_help("check the file out next to the project and include it by path"),
                );
                return None;
            }
        }
        let files: Vec<(PathBuf, Location)> = files
            .into_iter()
            .map(|(f, loc)| (paths::normalize(&ctx.dir.join(f)), loc))
            .collect();
        let project_directory = match project_directory {
            Some(d) => paths::normalize(&ctx.dir.join(d)),
            None => files[0]
                .0
                .parent()
                .map_or_else(|| PathBuf::from("."), paths::normalize),
        };
        let env_files = if env_files.is_empty() {
            vec![(project_directory.join(".env"), None)]
        } else {
            env_files
                .into_iter()
                .map(|(f, loc)| (paths::normalize(&ctx.dir.join(f)), Some(loc)))
                .collect()
        };
        Some(IncludeSpec {
            files,
            project_directory,
            env_files,
        })
    }

    fn load_included(&mut self, spec: &IncludeSpec, path: &str, ctx: &FileCtx) -> Option<Node> {
        // The included project sees the including environment, plus what its
        // env file defines that is not already set.
        let mut env = (*ctx.env).clone();
        for (file, loc) in &spec.env_files {
            let text = match self.input.read_file(file) {
                Ok(Some(s)) => s.text,
                Ok(None) if loc.is_none() => continue,
                Ok(None) => {
                    self.sink.push(
                        Diagnostic::error(
                            Code::FileNotFound,
                            format!("env file `{}` does not exist", self.show(file)),
                        )
                        .with_path(path)
                        .at(loc.as_ref()),
                    );
                    continue;
                }
                Err(d) => {
                    self.sink.push(d);
                    continue;
                }
            };
            // The including environment wins over the env file.
            match crate::load::dotenv::variables(&text, &ctx.env, file) {
                Ok(vars) => {
                    for (name, value) in vars {
                        env.entry(name).or_insert(value);
                    }
                }
                Err(d) => self.sink.push(d),
            }
        }
        let env = Rc::new(env);
        let mut merged: Option<Node> = None;
        for (file, loc) in &spec.files {
            if let Some(start) = self.including.iter().position(|f| f == file) {
                let chain: Vec<String> = self.including[start..]
                    .iter()
                    .chain(std::iter::once(file))
                    .map(|f| self.show(f))
                    .collect();
                self.sink.push(
                    Diagnostic::error(
                        Code::Cycle,
                        format!("`include` cycle: {}", chain.join(" → ")),
                    )
                    .with_path(path)
                    .at(Some(loc)),
                );
                return None;
            }
            if self.including.len() >= MAX_CHAIN {
                self.sink.push(
                    Diagnostic::error(
                        Code::Cycle,
                        format!("`include` nested deeper than {MAX_CHAIN} files"),
                    )
                    .with_path(path)
                    .at(Some(loc)),
                );
                return None;
            }
            let source = self.read(file, path, loc)?;
            let child = FileCtx::new(file, spec.project_directory.clone(), env.clone());
            self.including.push(file.clone());
            let tree = self.load(&source, &child);
            self.including.pop();
            let mut tree = tree?;
            if tree.as_map().is_none() {
                self.sink.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        format!(
                            "the included file must be a mapping, not {}",
                            tree.kind_name()
                        ),
                    )
                    .at(Some(&tree.loc)),
                );
                return None;
            }
            rebase_tree(&mut tree, &spec.project_directory, &ctx.base);
            match &mut merged {
                None => merged = Some(tree),
                Some(acc) => merge::merge(acc, tree, &[]),
            }
        }
        merged
    }

    /// Adds the included file's services, networks, … to the including file;
    /// a name defined differently on both sides is an error.
    fn import(&mut self, top: &mut Map, included: Node, files: &[PathBuf]) {
        let shown: Vec<String> = files.iter().map(|f| self.show(f)).collect();
        let shown = shown.join("`, `");
        let Value::Map(inc) = included.value else {
            return;
        };
        for (key, entry) in inc {
            if !RESOURCES.contains(&key.as_str()) {
                continue;
            }
            let Value::Map(resources) = entry.value.value else {
                continue;
            };
            let target = top.entry(key.clone()).or_insert_with(|| Entry {
                key_loc: entry.key_loc.clone(),
                value: Node::new(Value::Map(Map::new()), entry.value.loc.clone()),
            });
            if target.value.is_null() {
                target.value.value = Value::Map(Map::new());
            }
            let Value::Map(existing) = &mut target.value.value else {
                continue;
            };
            for (name, e) in resources {
                match existing.get(&name) {
                    Some(mine) if mine.value.to_json() != e.value.to_json() => {
                        self.sink.push(
                            Diagnostic::error(
                                Code::IncludeConflict,
                                format!(
                                    "`{key}.{name}` is defined here and, differently, by an included file (`{}`)",
                                    shown
                                ),
                            )
                            .with_path(format!("{key}.{name}"))
                            .at(Some(&mine.key_loc))
                            .with_help(format!(
                                "rename one of them, or extend the included one instead of redefining it (extends: {{file: …, service: {name}}})"
                            )),
                        );
                    }
                    Some(_) => {}
                    None => {
                        existing.insert(name, e);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- extends

    fn apply_extends(&mut self, tree: &mut Node, ctx: &FileCtx) {
        let names: Vec<String> = match tree.get("services").and_then(Node::as_map) {
            Some(m) => m.keys().cloned().collect(),
            None => return,
        };
        let mut done = HashSet::new();
        for name in names {
            self.resolve_local(tree, &name, ctx, &mut done);
        }
    }

    /// Resolves the `extends` of `services.<name>` in `tree` (a file seen
    /// through `ctx`), recursively, in place.
    fn resolve_local(
        &mut self,
        tree: &mut Node,
        name: &str,
        ctx: &FileCtx,
        done: &mut HashSet<String>,
    ) {
        if done.contains(name) {
            return;
        }
        let key = (ctx.path.clone(), name.to_owned());
        if let Some(start) = self.extending.iter().position(|k| *k == key) {
            let chain: Vec<String> = self.extending[start..]
                .iter()
                .chain(std::iter::once(&key))
                .map(|(f, s)| format!("{}:{s}", self.show(f)))
                .collect();
            let at = service(tree, name).map(|n| n.loc.clone());
            self.sink.push(
                Diagnostic::error(
                    Code::Cycle,
                    format!("`extends` cycle: {}", chain.join(" → ")),
                )
                .with_path(format!("services.{name}.extends"))
                .at(at.as_ref()),
            );
            done.insert(name.to_owned());
            return;
        }
        let Some(svc) = service(tree, name) else {
            return;
        };
        let Some(ext) = svc.get("extends").cloned() else {
            done.insert(name.to_owned());
            return;
        };
        let path = format!("services.{name}.extends");
        if self.extending.len() >= MAX_CHAIN {
            self.sink.push(
                Diagnostic::error(
                    Code::Cycle,
                    format!("`extends` chain deeper than {MAX_CHAIN} services"),
                )
                .with_path(&path)
                .at(Some(&ext.loc)),
            );
            done.insert(name.to_owned());
            return;
        }
        let Some((base_name, file)) = self.extends_spec(&ext, &path) else {
            done.insert(name.to_owned());
            return;
        };
        self.extending.push(key);
        // A base in another file, or (no `file:`, or this file named) here.
        let elsewhere = file
            .as_ref()
            .map(|(f, loc)| (paths::normalize(&ctx.dir.join(f)), loc))
            .filter(|(f, _)| *f != ctx.path);
        let base = match elsewhere {
            Some((file, loc)) => self.resolve_in(&file, &base_name, ctx, &path, loc, &ext),
            None => {
                self.resolve_local(tree, &base_name, ctx, done);
                let found = service(tree, &base_name).cloned();
                if found.is_none() {
                    self.unknown_base(&base_name, &ctx.path, &path, &ext);
                }
                found
            }
        };
        self.extending.pop();
        done.insert(name.to_owned());
        let Some(mut merged) = base else {
            return;
        };
        let Some(own_node) = get_mut(tree, "services").and_then(|s| get_mut(s, name)) else {
            return;
        };
        let mut own = std::mem::replace(own_node, Node::new(Value::Null, ext.loc.clone()));
        if let Value::Map(m) = &mut own.value {
            m.shift_remove("extends");
        }
        if let Value::Map(m) = &mut merged.value {
            m.shift_remove("extends");
        }
        let own_loc = own.loc.clone();
        if merged.is_null() {
            merged = own;
        } else if !own.is_null() {
            merge::merge(&mut merged, own, &["services", name]);
        }
        merged.loc = own_loc;
        *own_node = merged;
    }

    fn extends_spec(
        &mut self,
        ext: &Node,
        path: &str,
    ) -> Option<(String, Option<(String, Location)>)> {
        match &ext.value {
            Value::Scalar(s) => Some((s.text.clone(), None)),
            Value::Map(m) => {
                let Some(svc) = m.get("service").and_then(|e| e.value.as_str()) else {
                    self.sink.push(
                        Diagnostic::error(Code::InvalidValue, "`extends` needs `service`")
                            .with_path(path)
                            .at(Some(&ext.loc))
                            .with_help("extends: {service: base} or extends: {file: base.yaml, service: base}"),
                    );
                    return None;
                };
                let file = m.get("file").and_then(|e| {
                    e.value
                        .as_str()
                        .map(|f| (f.to_owned(), e.value.loc.clone()))
                });
                if let Some((f, loc)) = &file {
                    if paths::is_remote(f)
                        || f.contains(':') && !Path::new(f).is_absolute() && !f.starts_with('.')
                    {
                        self.sink.push(
                            Diagnostic::error(
                                Code::RemoteResource,
                                format!(
                                    "`{f}` is a remote resource; compose2ecs reads local files only"
                                ),
                            )
                            .with_path(format!("{path}.file"))
                            .at(Some(loc)),
                        );
                        return None;
                    }
                }
                Some((svc.to_owned(), file))
            }
            _ => {
                self.sink.push(
                    Diagnostic::error(
                        Code::InvalidType,
                        format!(
                            "`extends` must be a service name or a mapping, not {}",
                            ext.kind_name()
                        ),
                    )
                    .with_path(path)
                    .at(Some(&ext.loc)),
                );
                None
            }
        }
    }

    fn unknown_base(&mut self, base: &str, file: &Path, path: &str, ext: &Node) {
        self.sink.push(
            Diagnostic::error(
                Code::ExtendsUnknownService,
                format!(
                    "`extends` names service `{base}`, which `{}` does not define",
                    self.show(file)
                ),
            )
            .with_path(path)
            .at(Some(&ext.loc)),
        );
    }

    /// `services.<name>` of another file, its own `extends` resolved, with
    /// its relative paths rewritten for `ctx`.
    fn resolve_in(
        &mut self,
        file: &Path,
        name: &str,
        ctx: &FileCtx,
        path: &str,
        loc: &Location,
        ext: &Node,
    ) -> Option<Node> {
        let key = (file.to_path_buf(), name.to_owned(), ctx.base.clone());
        match self.resolved.get(&key) {
            Some(r) => r.clone(),
            None => {
                let raw = self.raw_file(file, ctx, path, loc)?;
                let (root, fctx) = &*raw;
                if service(root, name).is_none() {
                    self.unknown_base(name, file, path, ext);
                    return None;
                }
                let mut tree = root.clone();
                let mut done = HashSet::new();
                self.resolve_local(&mut tree, name, fctx, &mut done);
                let svc = service(&tree, name).cloned().map(|mut s| {
                    rebase_service(&mut s, &fctx.base, &ctx.base);
                    s
                });
                self.resolved.insert(key, svc.clone());
                svc
            }
        }
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

#[derive(Debug)]
struct IncludeSpec {
    files: Vec<(PathBuf, Location)>,
    project_directory: PathBuf,
    env_files: Vec<(PathBuf, Option<Location>)>,
}

fn service<'t>(tree: &'t Node, name: &str) -> Option<&'t Node> {
    tree.get("services")?.get(name)
}

/// Rewrites the relative paths of a whole included file from `from` to `to`.
fn rebase_tree(tree: &mut Node, from: &Path, to: &Path) {
    let delta = paths::relative(from, to);
    if delta == Path::new(".") {
        return;
    }
    let Value::Map(top) = &mut tree.value else {
        return;
    };
    if let Some(Value::Map(services)) = top.get_mut("services").map(|e| &mut e.value.value) {
        for e in services.values_mut() {
            rebase_service_by(&mut e.value, &delta);
        }
    }
    for kind in ["secrets", "configs"] {
        if let Some(Value::Map(m)) = top.get_mut(kind).map(|e| &mut e.value.value) {
            for e in m.values_mut() {
                if let Some(file) = get_mut(&mut e.value, "file") {
                    rebase_scalar(file, &delta);
                }
            }
        }
    }
}

fn rebase_service(svc: &mut Node, from: &Path, to: &Path) {
    let delta = paths::relative(from, to);
    if delta != Path::new(".") {
        rebase_service_by(svc, &delta);
    }
}

/// The keys of a service that hold paths relative to the project directory.
fn rebase_service_by(svc: &mut Node, delta: &Path) {
    let Value::Map(m) = &mut svc.value else {
        return;
    };
    if let Some(build) = m.get_mut("build").map(|e| &mut e.value) {
        match &mut build.value {
            Value::Scalar(_) => rebase_scalar(build, delta),
            Value::Map(b) => match b.get_mut("context") {
                Some(c) => rebase_scalar(&mut c.value, delta),
                None => {
                    let loc = build.loc.clone();
                    b.insert(
                        "context".to_owned(),
                        Entry {
                            key_loc: loc.clone(),
                            value: Node::new(
                                Value::Scalar(Scalar {
                                    text: paths::rebase(".", delta),
                                    plain: false,
                                }),
                                loc,
                            ),
                        },
                    );
                }
            },
            _ => {}
        }
    }
    for key in ["env_file", "label_file"] {
        if let Some(n) = m.get_mut(key).map(|e| &mut e.value) {
            match &mut n.value {
                Value::Scalar(_) => rebase_scalar(n, delta),
                Value::Seq(items) => {
                    for item in items {
                        if item.as_str().is_some() {
                            rebase_scalar(item, delta);
                        } else if let Some(p) = get_mut(item, "path") {
                            rebase_scalar(p, delta);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(Value::Seq(volumes)) = m.get_mut("volumes").map(|e| &mut e.value.value) {
        for v in volumes {
            match &mut v.value {
                Value::Scalar(s) if s.text.starts_with('.') => {
                    let (src, rest) = s.text.split_once(':').unwrap_or((&s.text, ""));
                    let src = paths::rebase(src, delta);
                    s.text = if rest.is_empty() {
                        src
                    } else {
                        format!("{src}:{rest}")
                    };
                }
                Value::Map(_) => {
                    let bind = v.get("type").and_then(Node::as_str) == Some("bind");
                    if bind {
                        if let Some(src) = get_mut(v, "source") {
                            rebase_scalar(src, delta);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn get_mut<'n>(node: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    match &mut node.value {
        Value::Map(m) => m.get_mut(key).map(|e| &mut e.value),
        _ => None,
    }
}

fn rebase_scalar(node: &mut Node, delta: &Path) {
    if let Value::Scalar(s) = &mut node.value {
        s.text = paths::rebase(&s.text, delta);
        s.plain = false;
    }
}
