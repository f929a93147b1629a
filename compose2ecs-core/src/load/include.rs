//! `include`: each included file loaded as a project of its own, its
//! resources imported, a name defined differently on both sides refused.

use std::path::PathBuf;
use std::rc::Rc;

use crate::diagnostic::{Code, Diagnostic, Location};

use super::rebase::rebase_tree;
use super::yaml::{Entry, Map, Node, Value};
use super::*;

impl Loader<'_> {
    pub(super) fn apply_include(&mut self, top: &mut Map, include: Entry, ctx: &FileCtx) {
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

    pub(super) fn include_spec(
        &mut self,
        item: &Node,
        path: &str,
        ctx: &FileCtx,
    ) -> Option<IncludeSpec> {
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

    pub(super) fn load_included(
        &mut self,
        spec: &IncludeSpec,
        path: &str,
        ctx: &FileCtx,
    ) -> Option<Node> {
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
                    self.sink.push(*d);
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
                Err(d) => self.sink.push(*d),
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
            let key = (file.clone(), spec.project_directory.clone());
            let done = self
                .included
                .get(&key)
                .and_then(|seen| seen.iter().find(|(e, _)| **e == *env))
                .map(|(_, tree)| tree.clone());
            let tree = match done {
                Some(tree) => tree,
                None => {
                    let source = self.read(file, path, loc)?;
                    let child = FileCtx::new(file, spec.project_directory.clone(), env.clone());
                    self.including.push(file.clone());
                    let tree = self.load(&source, &child);
                    self.including.pop();
                    self.included
                        .entry(key)
                        .or_default()
                        .push((env.clone(), tree.clone()));
                    tree
                }
            };
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
    pub(super) fn import(&mut self, top: &mut Map, included: Node, files: &[PathBuf]) {
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
}

#[derive(Debug)]
pub(super) struct IncludeSpec {
    files: Vec<(PathBuf, Location)>,
    project_directory: PathBuf,
    env_files: Vec<(PathBuf, Option<Location>)>,
}
