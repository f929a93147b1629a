//! The shape the crate documentation promises: data flows one way through
//! the stage folders, and the converter never sees YAML.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The stages in pipeline order; a module may name only those of its own
/// rank or lower. Rank 0 lies under them all.
const RANKS: &[(&str, u8)] = &[
    ("diagnostic", 0),
    ("ecs", 0),
    ("units", 0),
    ("load", 1),
    ("validate", 2),
    ("model", 3),
    ("canonical", 3),
    ("overlay", 4),
    ("convert", 5),
    ("check", 6),
    ("policy", 7),
    ("cost", 7),
    ("schema", 7),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            rust_files(&e.unwrap().path(), out);
        }
    } else if p.is_file() && p.extension().is_some_and(|e| e == "rs") {
        out.push(p.to_owned());
    }
}

/// The `crate::…` modules a stage's files name.
fn named_by(stage: &str) -> Vec<(String, PathBuf)> {
    let dir = src().join(stage);
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    rust_files(&src().join(format!("{stage}.rs")), &mut files);
    assert!(!files.is_empty(), "no files for stage `{stage}`");
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            out.push((name, f.clone()));
        }
    }
    out
}

#[test]
fn no_stage_names_a_later_stage() {
    let rank = |m: &str| RANKS.iter().find(|(n, _)| *n == m).map(|(_, r)| *r);
    let mut wrong = Vec::new();
    for (stage, own) in RANKS {
        for (name, file) in named_by(stage) {
            if let Some(r) = rank(&name) {
                if r > *own {
                    wrong.push(format!("{} names `{name}`", file.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_converter_never_sees_yaml() {
    let loads: Vec<_> = named_by("convert")
        .into_iter()
        .filter(|(name, _)| name == "load")
        .map(|(_, f)| f.display().to_string())
        .collect();
    assert!(
        loads.is_empty(),
        "convert/ names the load stage in {loads:?}"
    );
}

/// Generated files (the schema tables of `scripts/schema-tables.py`) are
/// data, not code to read, and have no limit.
#[test]
fn no_core_source_file_is_over_about_600_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<_> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap()))
        .filter(|(_, text)| !text.starts_with("// @generated"))
        .map(|(f, text)| (f, text.lines().count()))
        .filter(|(_, n)| *n > 650)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

/// The tree in `docs/DESIGN.md` ("The house") names every file and folder
/// of both crates' `src/`, and nothing that is not there.
#[test]
fn the_design_tree_is_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let design = std::fs::read_to_string(root.join("docs/DESIGN.md")).unwrap();
    let start = design.find("```\ncompose2ecs-core/src/").unwrap() + 4;
    let block = &design[start..start + design[start..].find("```").unwrap()];
    let mut drawn: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        if !line.starts_with(' ') && line.ends_with('/') {
            drawn.push((line.to_owned(), Vec::new()));
        } else if let (Some(entry), Some((_, names))) = (line.strip_prefix("  "), drawn.last_mut())
        {
            if !entry.starts_with(' ') {
                names.push(entry.split_whitespace().next().unwrap().to_owned());
            }
        }
    }
    assert_eq!(drawn.len(), 2, "two crates drawn: {drawn:?}");
    for (dir, names) in drawn {
        let mut there: Vec<String> = std::fs::read_dir(root.join(&dir))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() { name + "/" } else { name }
            })
            .collect();
        there.sort();
        let mut drawn = names.clone();
        drawn.sort();
        assert_eq!(
            drawn, there,
            "docs/DESIGN.md's tree of {dir} against the code"
        );
    }
}
