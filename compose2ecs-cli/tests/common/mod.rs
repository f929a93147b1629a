//! What the CLI's test files share: the binary in a clean environment, a
//! project folder, and a run's exit code and output.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// `compose2ecs`, without colour and without the environment variables that
/// would change what it reads (`COMPOSE_*`, the AWS region).
pub(crate) fn bin() -> Command {
    let mut cmd = Command::cargo_bin("compose2ecs").unwrap();
    cmd.env("NO_COLOR", "1")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    cmd
}

/// A finished run.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `cmd` to the end.
pub(crate) fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary project folder holding these files.
pub(crate) fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// The names in `dir`, sorted.
pub(crate) fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub(crate) fn seed() -> PathBuf {
    repo().join("fixtures/seed-student-rest")
}

pub(crate) fn rejected(compose: &str, overlay: Option<&str>) -> (String, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("compose.yaml"), compose).unwrap();
    if let Some(o) = overlay {
        std::fs::write(work.path().join("compose2ecs.yaml"), o).unwrap();
    }
    let assert = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        !work.path().join("out").exists(),
        "output was written: {:?}",
        listing(&work.path().join("out"))
    );
    (stderr, work)
}

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every line of `text` is a JSON object with a `type`; their types.
pub(crate) fn json_line_types(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}"));
            v["type"]
                .as_str()
                .unwrap_or_else(|| panic!("no type: {l}"))
                .to_owned()
        })
        .collect()
}

/// A reference tool is missing: a failure under `CI=true` (where
/// scripts/test has installed it), else the test is skipped with `why`.
pub(crate) fn missing_tool(why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} under CI=true (scripts/test installs it)"
    );
    eprintln!("skipped: {why}; run scripts/test to install it");
}

/// A fixture folder copied to `to`, without its snapshots.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        if p.is_dir() {
            copy_dir(&p, &to.join(name));
        } else if !name.to_string_lossy().ends_with(".snap") {
            std::fs::copy(&p, to.join(name)).unwrap();
        }
    }
}

/// A stand-in `docker`: records every call (args, stdin, and the content of each `--file *.json`)
/// in `docker-calls`; `push` reports a digest made from the tag.
pub(crate) const STAND_IN_DOCKER: &str = r#"#!/usr/bin/env python3
import hashlib, json, os, sys
args = sys.argv[1:]
here = os.path.dirname(os.path.abspath(__file__))
stdin = sys.stdin.read() if args[:1] == ["login"] else None
files = {a: json.load(open(a)) for a in args if a.endswith(".json") and os.path.exists(a)}
with open(os.path.join(here, "docker-calls"), "a") as log:
    log.write(json.dumps({"args": args, "stdin": stdin, "files": files}) + "\n")
if args[:1] == ["push"]:
    digest = hashlib.sha256(args[1].encode()).hexdigest()
    print(f"The push refers to repository [{args[1].rsplit(':', 1)[0]}]")
    print("5f70bf18a086: Pushed")
    print(f"{args[1].rsplit(':', 1)[1]}: digest: sha256:{digest} size: 1570")
elif args[:1] == ["login"]:
    print("Login Succeeded")
"#;

/// A stand-in `aws` (Python) that first records each call in `log` beside
/// it (one JSON object per line: `args`, and the `inputs` of its `file://`
/// arguments), then runs `answers`, which sees `args`, `here` and `inputs`.
pub(crate) fn recording_stand_in(log: &str, answers: &str) -> String {
    format!(
        "#!/usr/bin/env python3\n\
         import json, os, sys\n\
         args = sys.argv[1:]\n\
         here = os.path.dirname(os.path.abspath(__file__))\n\
         inputs = [json.load(open(a[7:])) for a in args if a.startswith(\"file://\")]\n\
         with open(os.path.join(here, \"{log}\"), \"a\") as f:\n\
         \x20   f.write(json.dumps({{\"args\": args, \"inputs\": inputs}}) + \"\\n\")\n\
         {answers}"
    )
}
