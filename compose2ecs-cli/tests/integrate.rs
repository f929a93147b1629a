//! How compose2ecs is installed and wired into other tools: the release
//! workflow's targets, the install script the GitHub Action runs (checksum
//! verified), the action the docs' workflows pin, and the pre-commit hooks
//! run by pre-commit itself (pinned, installed by scripts/test).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, repo};

fn yaml(path: &Path) -> serde_norway::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The five release targets, each built on a runner of its own kind.
#[test]
fn the_release_matrix_builds_the_five_targets() {
    let workflow = yaml(&repo().join(".github/workflows/release.yml"));
    let include = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    let mut targets: Vec<(&str, &str)> = include
        .iter()
        .map(|e| (e["target"].as_str().unwrap(), e["runner"].as_str().unwrap()))
        .collect();
    targets.sort_unstable();
    let names: Vec<&str> = targets.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        names,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl",
        ]
    );
    for (target, runner) in targets {
        let os = if target.contains("linux") {
            "ubuntu-"
        } else if target.contains("apple") {
            "macos-"
        } else {
            "windows-"
        };
        assert!(runner.starts_with(os), "{target} is built on {runner}");
    }
    // Each archive is what scripts/install-release looks for.
    let archive = workflow["jobs"]["build"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Archive"))
        .unwrap()["run"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        archive.contains(r#"name="compose2ecs-${TAG#v}-$TARGET""#),
        "{archive}"
    );
    let install = std::fs::read_to_string(repo().join("scripts/install-release")).unwrap();
    assert!(install.contains(r#"name="compose2ecs-$version-$target""#));
}

/// A release folder as the release workflow makes it, for `target`, with
/// a stand-in binary that prints `version`.
fn release(dir: &Path, version: &str, target: &str) {
    let name = format!("compose2ecs-{version}-{target}");
    let folder = dir.join(format!("v{version}"));
    let staging = dir.join("staging").join(&name);
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    let exe = staging.join("compose2ecs");
    std::fs::write(&exe, format!("#!/bin/sh\necho \"compose2ecs {version}\"\n")).unwrap();
    let ok = Command::new("chmod").arg("755").arg(&exe).status().unwrap();
    assert!(ok.success());
    let archive = format!("{name}.tar.gz");
    let ok = Command::new("tar")
        .arg("-C")
        .arg(dir.join("staging"))
        .arg("-czf")
        .arg(folder.join(&archive))
        .arg(&name)
        .status()
        .unwrap();
    assert!(ok.success());
    let sums = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(&folder)
        .output()
        .unwrap();
    assert!(sums.status.success());
    std::fs::write(folder.join("SHA256SUMS"), sums.stdout).unwrap();
}

fn install(releases: &Path, version: &str, into: &Path) -> common::Run {
    common::run(
        assert_cmd::Command::new(repo().join("scripts/install-release"))
            .arg(version)
            .arg(into)
            .env(
                "COMPOSE2ECS_RELEASES",
                format!("file://{}", releases.display()),
            )
            .env("COMPOSE2ECS_TARGET", "x86_64-unknown-linux-musl"),
    )
}

/// What the action runs: the archive is installed only when its SHA-256 is
/// the one SHA256SUMS gives.
#[test]
fn the_install_script_installs_a_release_only_when_its_checksum_matches() {
    let releases = tempfile::tempdir().unwrap();
    release(releases.path(), "1.2.3", "x86_64-unknown-linux-musl");
    let into = tempfile::tempdir().unwrap();
    let r = install(releases.path(), "v1.2.3", &into.path().join("bin"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let installed = PathBuf::from(r.stdout.trim());
    assert_eq!(installed, into.path().join("bin/compose2ecs"));
    let out = Command::new(&installed).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "compose2ecs 1.2.3\n");

    // The archive changed after the checksums were made: refused, and
    // nothing installed.
    let archive = releases
        .path()
        .join("v1.2.3/compose2ecs-1.2.3-x86_64-unknown-linux-musl.tar.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();
    let elsewhere = into.path().join("other");
    let r = install(releases.path(), "1.2.3", &elsewhere);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("does not match SHA256SUMS"),
        "{}",
        r.stderr
    );
    assert!(!elsewhere.join("compose2ecs").exists());

    // A version with no release, and a version that is none.
    let r = install(releases.path(), "9.9.9", &elsewhere);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("could not download"), "{}", r.stderr);
    let r = install(releases.path(), "latest", &elsewhere);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a release version"), "{}", r.stderr);
}

/// The docs' GitHub workflows use the action, pinned to a commit of this
/// repository that has it, with only inputs it declares; and use OIDC
/// (a role to assume), never access keys.
#[test]
fn the_docs_workflows_pin_the_action_and_assume_a_role() {
    let action = yaml(&repo().join("action.yml"));
    let inputs = action["inputs"].as_mapping().unwrap();
    let mut uses = 0;
    for name in ["github-deploy.yml", "github-drift-check.yml"] {
        let path = repo().join("docs/ci").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("aws-access-key-id") && !text.contains("AWS_SECRET_ACCESS_KEY"),
            "{name} uses access keys"
        );
        let workflow = yaml(&path);
        for job in workflow["jobs"].as_mapping().unwrap().values() {
            for step in job["steps"].as_sequence().unwrap() {
                let Some(u) = step["uses"].as_str() else {
                    continue;
                };
                if let Some(commit) = u.strip_prefix("compose2ecs/compose2ecs@") {
                    uses += 1;
                    assert_eq!(commit.len(), 40, "{name}: {u} is not pinned to a commit");
                    // A shallow clone lacks the history to look in.
                    if shallow() {
                        eprintln!(
                            "shallow clone: {name}'s pinned commit {commit} is not looked up"
                        );
                    } else {
                        let found = Command::new("git")
                            .args(["cat-file", "-e", &format!("{commit}:action.yml")])
                            .current_dir(repo())
                            .status()
                            .unwrap();
                        assert!(found.success(), "{name}: {commit} has no action.yml");
                    }
                    for key in step["with"].as_mapping().unwrap().keys() {
                        let key = key.as_str().unwrap();
                        assert!(
                            inputs.contains_key(key),
                            "{name}: the action has no input {key}"
                        );
                    }
                }
                if u.starts_with("aws-actions/configure-aws-credentials@") {
                    assert!(step["with"]["role-to-assume"].as_str().is_some(), "{name}");
                }
            }
        }
    }
    assert!(uses >= 2, "the docs' workflows use the action");
}

/// Whether this checkout is a shallow clone.
fn shallow() -> bool {
    Command::new("git")
        .args(["rev-parse", "--is-shallow-repository"])
        .current_dir(repo())
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
}

fn on_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file());
    if found.is_none() {
        common::missing_tool(&format!("{tool} must be on PATH"));
    }
    found
}

/// A user's repository: one compose project in `app/`, its ECS definitions
/// generated into `app/ecs` and committed.
fn user_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("compose.yaml"),
        "name: hooked\nservices:\n  web:\n    image: nginx:1.27\n",
    )
    .unwrap();
    bin()
        .current_dir(&app)
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "project"]);
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(identity())
        .status()
        .unwrap();
    assert!(ok.success(), "git {args:?}");
}

fn identity() -> [(&'static str, &'static str); 4] {
    [
        ("GIT_AUTHOR_NAME", "test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
    ]
}

/// `pre-commit try-repo <this repository> HOOK --all-files` in `work`, with
/// the compose2ecs under test first on PATH.
fn try_hook(pre_commit: &Path, work: &Path, home: &Path, hook: &str) -> common::Run {
    let exe = assert_cmd::cargo::cargo_bin("compose2ecs");
    let path = std::env::join_paths(
        std::iter::once(exe.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    common::run(
        assert_cmd::Command::new(pre_commit)
            .args(["try-repo"])
            .arg(repo())
            .args([hook, "--all-files"])
            .current_dir(work)
            .env("PATH", path)
            .env("PRE_COMMIT_HOME", home)
            .env("NO_COLOR", "1")
            .envs(identity()),
    )
}

#[test]
fn the_pre_commit_check_hook_passes_then_fails_after_an_edit() {
    let Some(pre_commit) = on_path("pre-commit") else {
        return;
    };
    let work = user_repository();
    let home = tempfile::tempdir().unwrap();
    let r = try_hook(&pre_commit, work.path(), home.path(), "compose2ecs-check");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("compose2ecs convert --check"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Passed"), "{}", r.stdout);

    // The image is bumped and the definitions are not regenerated.
    std::fs::write(
        work.path().join("app/compose.yaml"),
        "name: hooked\nservices:\n  web:\n    image: nginx:1.28\n",
    )
    .unwrap();
    git(work.path(), &["add", "-A"]);
    let r = try_hook(&pre_commit, work.path(), home.path(), "compose2ecs-check");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Failed"), "{}", r.stdout);
    let added = |l: &str| l.starts_with('+') && l.contains(r#""image": "nginx:1.28""#);
    assert!(r.stdout.lines().any(added), "{}", r.stdout);
    assert!(r.stdout.contains("ecs is out of date"), "{}", r.stdout);
}

#[test]
fn the_pre_commit_config_hook_refuses_a_compose_file_docker_compose_refuses() {
    let Some(pre_commit) = on_path("pre-commit") else {
        return;
    };
    let work = user_repository();
    let home = tempfile::tempdir().unwrap();
    let r = try_hook(&pre_commit, work.path(), home.path(), "compose2ecs-config");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The merged project is not printed: only the verdict.
    assert!(!r.stdout.contains("nginx:1.27"), "{}", r.stdout);

    std::fs::write(
        work.path().join("app/compose.yaml"),
        "name: hooked\nservices:\n  web:\n    image: nginx:1.27\n    imagee: nginx\n",
    )
    .unwrap();
    git(work.path(), &["add", "-A"]);
    let r = try_hook(&pre_commit, work.path(), home.path(), "compose2ecs-config");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("compose.yaml:5"), "{}", r.stdout);
}
