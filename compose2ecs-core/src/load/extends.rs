//! `extends`: a service built on another, from the same file or another,
//! nested, with cycles refused.

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Location};

use super::rebase::{get_mut, rebase_service};
use super::yaml::{Node, Value};
use super::*;

impl Loader<'_> {
    pub(super) fn apply_extends(&mut self, tree: &mut Node, ctx: &FileCtx) {
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
    pub(super) fn resolve_local(
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

    pub(super) fn extends_spec(
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

    pub(super) fn unknown_base(&mut self, base: &str, file: &Path, path: &str, ext: &Node) {
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
    pub(super) fn resolve_in(
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
}

pub(super) fn service<'t>(tree: &'t Node, name: &str) -> Option<&'t Node> {
    tree.get("services")?.get(name)
}
