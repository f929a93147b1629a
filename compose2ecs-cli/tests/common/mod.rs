//! What the CLI's test files share: the binary in a clean environment, a
//! project folder, and a run's exit code and output.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

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
