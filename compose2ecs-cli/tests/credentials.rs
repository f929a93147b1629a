//! No credential leaves, through every command and format: the deployer's
//! credentials passed through from the environment, and one made-up value
//! per token rule planted in every place at once, are refused by `convert`
//! (files, `--stdout`, `--format json`, `--check`), `register`, `deploy`
//! (`--dry-run`) and `policy`, with exit status 1, nothing written, and the
//! value on neither stdout nor stderr.

#![allow(clippy::unwrap_used)]

#[path = "../../compose2ecs-core/tests/markers/mod.rs"]
mod markers;

use std::path::Path;

mod common;

use markers::{Marker, env_quoted, markers, quoted};

const OVERLAY: &str = "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nnetwork: {subnets: [subnet-0123456789abcdef0]}\ncluster: shop\n";

/// Every command and format that could carry a value out.
const COMMANDS: &[&[&str]] = &[
    &["convert", "-o", "out"],
    &["convert", "--stdout", "--family", "shop-app"],
    &["convert", "-o", "out", "--format", "json"],
    &["convert", "--check", "-o", "committed"],
    &["convert", "--check", "-o", "committed", "--format", "json"],
    &["register", "--dry-run"],
    &["register", "--dry-run", "--format", "json"],
    &["deploy", "--dry-run"],
    &["deploy", "--dry-run", "--format", "json"],
    &["policy"],
];

fn bin(dir: &Path) -> assert_cmd::Command {
    let mut cmd = common::bin();
    cmd.current_dir(dir);
    cmd
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = common::project(files);
    // What an older version wrote, to be compared by --check.
    std::fs::create_dir(dir.path().join("committed")).unwrap();
    dir
}

/// Runs every command; each must refuse, write nothing and show none of
/// `hidden`. Returns the human stderr of `convert -o out`.
fn refused_everywhere(dir: &Path, env: &[(&str, &str)], hidden: &[&str]) -> String {
    let mut first = None;
    for args in COMMANDS {
        let mut cmd = bin(dir);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.args(*args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{args:?}:\n{stderr}");
        for h in hidden {
            assert!(
                !stdout.contains(h) && !stderr.contains(h),
                "{args:?} shows a value:\n{stdout}\n{stderr}"
            );
        }
        if args.contains(&"json") {
            for line in stdout.lines().chain(stderr.lines()) {
                assert!(
                    line.trim().is_empty()
                        || line.starts_with([' ', '{', '}', ']'])
                        || serde_json::from_str::<serde_json::Value>(line).is_ok(),
                    "{args:?}: not JSON: {line}"
                );
            }
            assert!(
                stdout.contains("\"rejected\"") || stderr.contains("\"error\""),
                "{args:?}: {stdout}{stderr}"
            );
        } else {
            assert!(
                !stdout.contains("containerDefinitions"),
                "{args:?}: {stdout}"
            );
        }
        assert!(!dir.join("out").exists(), "{args:?} wrote files");
        first.get_or_insert(stderr);
    }
    first.unwrap()
}

#[test]
fn the_deployers_credentials_never_leave_by_any_command() {
    let compose = "services:\n  app:\n    image: nginx\n    environment:\n      - AWS_ACCESS_KEY_ID\n      - AWS_SECRET_ACCESS_KEY\n      - AWS_SESSION_TOKEN\n      - GITHUB_TOKEN\n";
    let dir = project(&[("compose.yaml", compose), ("compose2ecs.yaml", OVERLAY)]);
    let secrets = [
        ("AWS_ACCESS_KEY_ID", "AKIATESTMARKER234567"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "cliDeployerSecretMarker/0123456789abcdefg",
        ),
        ("AWS_SESSION_TOKEN", "cliDeployerSessionMarker0123456789"),
        ("GITHUB_TOKEN", "ghp_cliDeployerGithubMarker0123456789ab"),
    ];
    let values: Vec<&str> = secrets.iter().map(|(_, v)| *v).collect();
    let stderr = refused_everywhere(dir.path(), &secrets, &values);
    // The project dir is named at random: the family is `<dir>-app`.
    for (name, _) in secrets {
        assert!(
            stderr.contains(&format!("error[credential-from-environment]: `{name}`")),
            "{stderr}"
        );
    }
    assert!(stderr.contains("set `roles.task`"), "{stderr}");
    assert!(
        stderr.contains("secrets: {GITHUB_TOKEN: arn:aws:secretsmanager:"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
}

/// One project with `m` in every place a value travels.
fn planted_everywhere(m: &Marker) -> tempfile::TempDir {
    let q = quoted(&m.value);
    let mut compose = format!(
        "name: shop\nservices:\n  app:\n    image: example/app:1\n    env_file: app.env\n    environment:\n      LITERAL: {q}\n      FROM_DOTENV: ${{FROM_DOTENV}}\n      FROM_PROCESS: ${{FROM_PROCESS}}\n    command: [\"serve\", {q}]\n    entrypoint: [\"/bin/app\", {q}]\n    labels:\n      note: {q}\n    healthcheck:\n      test: [\"CMD\", \"probe\", {q}]\n    logging:\n      driver: awslogs\n      options:\n        tag: {q}\n"
    );
    if m.rule == "aws-secret-access-key" {
        compose.push_str(&format!("    working_dir: /srv/{}\n", markers()[0].value));
    }
    let overlay =
        format!("{OVERLAY}services:\n  app:\n    environment:\n      FROM_OVERLAY: {q}\n");
    let env_file = format!("FROM_ENV_FILE={}\n", env_quoted(&m.value));
    let dotenv = format!("FROM_DOTENV={}\n", env_quoted(&m.value));
    let dir = project(&[
        ("compose.yaml", &compose),
        ("compose2ecs.yaml", &overlay),
        ("app.env", &env_file),
        (".env", &dotenv),
    ]);
    // An older version's output, holding the value, for --check to compare.
    std::fs::write(
        dir.path().join("committed/shop-app.task-definition.json"),
        format!("{{\"family\": \"shop-app\", \"note\": {q}}}\n"),
    )
    .unwrap();
    dir
}

#[test]
fn every_token_rule_in_every_place_is_refused_by_every_command() {
    for m in markers() {
        let dir = planted_everywhere(&m);
        let stderr = refused_everywhere(dir.path(), &[("FROM_PROCESS", &m.value)], &[&m.needle]);
        let rule = format!("(rule `{}`)", m.rule);
        let paths: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error[credential-in-output]") && l.contains(&rule))
            .collect();
        assert_eq!(paths.len(), 10, "{}: {stderr}", m.rule);
        for key in [
            "environment.LITERAL",
            "environment.FROM_ENV_FILE",
            "environment.FROM_DOTENV",
            "environment.FROM_PROCESS",
            "environment.FROM_OVERLAY",
            "command",
            "entrypoint",
            "labels.note",
            "healthcheck.test",
            "logging.options.tag",
        ] {
            // The key path, under the caret (or after `at:` for env files,
            // whose lines are never quoted).
            let key = format!(" services.app.{key}\n");
            assert!(stderr.contains(&key), "{}: no {key}\n{stderr}", m.rule);
        }
    }
}

#[test]
fn check_diffs_mask_what_an_older_version_wrote() {
    let m = markers()
        .into_iter()
        .find(|m| m.rule == "github-pat")
        .unwrap();
    let compose =
        "name: shop\nservices:\n  app:\n    image: example/app:1\n    environment: [GH_TOKEN]\n";
    let overlay = format!("{OVERLAY}secrets: {{GH_TOKEN: /prod/gh-token}}\n");
    let dir = project(&[("compose.yaml", compose), ("compose2ecs.yaml", &overlay)]);
    std::fs::write(
        dir.path().join("committed/shop-app.task-definition.json"),
        format!("{{\n  \"family\": \"shop-app\",\n  \"environment\": [{{\"name\": \"GH_TOKEN\", \"value\": \"{}\"}}]\n}}\n", m.value),
    )
    .unwrap();
    for format in ["human", "json"] {
        let out = bin(dir.path())
            .env("GH_TOKEN", &m.value)
            .args(["convert", "--check", "-o", "committed", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1));
        assert!(stdout.contains("(committed)"), "{stdout}");
        assert!(stdout.contains("********"), "{stdout}");
        assert!(!stdout.contains(&m.needle), "{stdout}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains(&m.needle));
    }
}
