//! The CLI's shape, held by a test as the core's is (`compose2ecs-core/
//! tests/architecture.rs`): its layers import only downwards — `main` →
//! `verbs/` → `steps/` → `context` → the base (`args`, `aws`, `report`, …)
//! — a verb never imports another verb, no file is over
//! [`MAX_FILE_LINES`] lines and no function over [`MAX_FN_LINES`].

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The most lines a file may have.
const MAX_FILE_LINES: usize = 650;
/// The most lines a function may have, its signature and closing brace
/// included.
const MAX_FN_LINES: usize = 120;

/// The layer of a top module (`crate::X`, or the folder `X/`); higher
/// layers may import lower ones only.
fn rank(module: &str) -> Option<u8> {
    Some(match module {
        "main" => 4,
        "verbs" => 3,
        "steps" => 2,
        "context" => 1,
        "args" | "aws" | "digests" | "docker" | "outcome" | "report" | "write" => 0,
        // The test itself, which imports nothing of the crate.
        "architecture" => 0,
        _ => return None,
    })
}

/// The top module a file belongs to: `verbs/deploy.rs` → `verbs`.
fn module_of(path: &str) -> &str {
    let first = path.split('/').next().unwrap_or(path);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The code of a file without its `#[cfg(test)]` module, the comments and
/// the string literals' content: what it imports, not what it says.
fn code(text: &str) -> String {
    let text = text.split("\nmod tests {").next().unwrap_or(text);
    text.lines()
        .map(|l| {
            let l = l.split("//").next().unwrap_or(l);
            // Strings may name modules in messages.
            let mut out = String::new();
            let mut quoted = false;
            for c in l.chars() {
                if c == '"' {
                    quoted = !quoted;
                }
                if !quoted {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with the files (`path` relative to `src/`, text).
fn violations(files: &[(String, String)]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (path, text) in files {
        let own = module_of(path);
        let Some(own_rank) = rank(own) else {
            wrong.push(format!("{path}: a module of no layer (add it to `rank`)"));
            continue;
        };
        let code = code(text);
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            let Some(r) = rank(&name) else {
                continue;
            };
            if r > own_rank {
                wrong.push(format!("{path} imports `{name}`, a higher layer"));
            }
            // A verb never imports a verb: what two verbs share is a step.
            let is_mod = path.ends_with("/mod.rs");
            if own == "verbs" && name == "verbs" && !is_mod {
                wrong.push(format!("{path} imports a verb"));
            }
        }
        if own == "verbs" && !path.ends_with("/mod.rs") && code.contains("super::") {
            wrong.push(format!("{path} imports a verb (through `super::`)"));
        }
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            wrong.push(format!(
                "{path} has {lines} lines (at most {MAX_FILE_LINES})"
            ));
        }
        for (name, n) in long_functions(text) {
            wrong.push(format!(
                "{path}: `{name}` has {n} lines (at most {MAX_FN_LINES})"
            ));
        }
    }
    wrong
}

/// The functions of `text` longer than [`MAX_FN_LINES`]: a function runs
/// from its `fn` line to the first line that closes it at its indentation.
fn long_functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let trimmed = l.trim_start();
        let indent = &l[..l.len() - trimmed.len()];
        let head = ["pub(crate) fn ", "pub fn ", "fn "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p));
        let Some(head) = head else { continue };
        let name: String = head
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let end = lines[i..]
            .iter()
            .position(|x| *x == close)
            .map_or(1, |p| p + 1);
        if end > MAX_FN_LINES {
            out.push((name, end));
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_layers_import_downwards_and_no_file_or_function_is_too_long() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    assert!(files.iter().any(|(p, _)| p == "verbs/deploy.rs"));
    let wrong = violations(&files);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The test fails when it should: a verb that imports a verb, a step that
/// imports a verb, context reaching up to a step, a function too long.
#[test]
fn the_check_finds_what_breaks_the_layers() {
    let file = |p: &str, t: &str| (p.to_owned(), t.to_owned());
    let wrong = violations(&[
        file("verbs/deploy.rs", "use crate::verbs::plan::show;\n"),
        file("verbs/ps.rs", "use super::plan::show;\n"),
        file("steps/rollout.rs", "use crate::verbs::deploy;\n"),
        file("context.rs", "fn f() { crate::steps::vpc::lookup(); }\n"),
        file(
            "steps/long.rs",
            &format!("fn long() {{\n{}}}\n", "    let _ = 1;\n".repeat(130)),
        ),
        // Allowed: downwards, and a module's own children.
        file(
            "verbs/mod.rs",
            "pub(crate) mod deploy;\nuse crate::verbs::deploy;\n",
        ),
        file(
            "verbs/plan.rs",
            "use crate::steps::plan;\nuse crate::report;\n// crate::verbs in a comment\nfn f() { let _ = \"crate::verbs\"; }\n",
        ),
    ]);
    assert_eq!(
        wrong,
        [
            "verbs/deploy.rs imports a verb",
            "verbs/ps.rs imports a verb (through `super::`)",
            "steps/rollout.rs imports `verbs`, a higher layer",
            "context.rs imports `steps`, a higher layer",
            "steps/long.rs: `long` has 132 lines (at most 120)",
        ],
        "{wrong:#?}"
    );
}
