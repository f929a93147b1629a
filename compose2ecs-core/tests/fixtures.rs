//! One test over every folder of `fixtures/`: the folder is the registry, so
//! adding a case adds a test. Each case is `compose.yaml` [+
//! `compose.override.yaml`] [+ `compose2ecs.yaml`] [+ `.env`], converted with
//! an empty process environment; its task definitions and diagnostics (or its
//! errors) are snapshotted to `fixtures/<case>/convert.snap`.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use compose2ecs_core::{Environment, Input, Options, convert, to_json};

fn fixtures_dir() -> PathBuf {
    // Canonical, so that locations print the same however they were joined.
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")).unwrap()
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Converts one case and renders everything a reviewer needs to judge it.
fn render_case(dir: &Path) -> String {
    let mut files = vec![dir.join("compose.yaml")];
    let override_file = dir.join("compose.override.yaml");
    if override_file.is_file() {
        files.push(override_file);
    }
    let overlay = dir.join("compose2ecs.yaml");
    let overlay = overlay.is_file().then_some(overlay);
    let mut out = String::new();
    let result = Input::from_files(&files, overlay.as_deref(), Environment::new(), &[])
        .and_then(|input| convert(&input, &Options::default()));
    match result {
        Ok(conversion) => {
            for (family, td) in &conversion.task_definitions {
                // Valid ECS input, by the committed schemas.
                let errors = compose2ecs_core::validate::task_definition_json(
                    &serde_json::to_value(td).unwrap(),
                );
                assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                if let Some(service) = conversion.services.get(family) {
                    let errors = compose2ecs_core::validate::service_json(
                        &serde_json::to_value(service).unwrap(),
                    );
                    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                }
                let _ = write!(out, "--- {family}.task-definition.json\n{}", to_json(td));
                if let Some(service) = conversion.services.get(family) {
                    let _ = write!(out, "--- {family}.service.json\n{}", to_json(service));
                }
            }
            out.push_str("--- diagnostics\n");
            for d in &conversion.diagnostics {
                let _ = writeln!(out, "{d}");
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "  help: {help}");
                }
            }
        }
        Err(e) => {
            out.push_str("--- rejected\n");
            for d in e.diagnostics() {
                let _ = writeln!(out, "{d}");
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "  help: {help}");
                }
            }
        }
    }
    // Locations are absolute paths here; show them relative to the case.
    out.replace(&format!("{}/", dir.display()), "")
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let cases = cases();
    assert!(cases.len() >= 12, "only {} fixture cases", cases.len());
    for dir in &cases {
        assert!(
            dir.join("compose.yaml").is_file(),
            "{} has no compose.yaml",
            dir.display()
        );
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        settings.set_description(format!("fixtures/{name}"));
        settings.bind(|| insta::assert_snapshot!("convert", render_case(dir)));
    }
}

#[test]
fn no_stale_snapshots() {
    // A snapshot whose case was removed or renamed would never be checked.
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".snap") || name.ends_with(".snap.new") {
                assert_eq!(
                    name,
                    "convert.snap",
                    "unexpected snapshot {}: only convert.snap is checked",
                    f.display()
                );
                assert!(
                    dir.join("compose.yaml").is_file(),
                    "{} belongs to no case",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn conversion_is_deterministic() {
    for dir in cases() {
        assert_eq!(render_case(&dir), render_case(&dir), "{}", dir.display());
    }
}
