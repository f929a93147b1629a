//! `build`, `push` and `deploy --build` against a stand-in `docker` first on
//! PATH (and a stand-in `aws`): the exact bake invocation and a valid bake
//! override, the ECR login piped on stdin with the password never an
//! argument, the pushed tags, and the recorded digests in the registered
//! task definitions.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::path::Path;

mod common;

/// ECR (no repository yet), and just enough ECS for `deploy --no-wait`.
fn aws_answers() -> serde_json::Value {
    serde_json::json!([
        {"call": ["ecr", "describe-repositories"], "fail": "An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository does not exist"},
        {"call": ["ecr", "create-repository"], "json": {"repository": {"repositoryName": "{arg:--repository-name}"}}},
        {"call": ["ecr", "get-login-password"], "text": PASSWORD},
        common::registers("eu-west-1", 1),
        {"call": ["ecs", "describe-services"], "json": {"services": [], "failures": [{"reason": "MISSING"}]}},
        {"call": ["ecs", "create-service"], "json": {"service": {"status": "ACTIVE"}}},
    ])
}

const PASSWORD: &str = "eyJwYXlsb2FkIjoiZWNyLXBhc3N3b3JkLW9mLXRoZS10ZXN0In0";
const REGISTRY: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

fn project() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: shop\nservices:\n  web:\n    build:\n      context: .\n      target: prod\n      args: {VERSION: \"${VERSION:-2.4}\"}\n    platform: linux/arm64\n  db:\n    image: postgres:16\n",
        ),
        (
            "compose2ecs.yaml",
            &format!(
                "region: eu-west-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\nnetwork: {{subnets: [subnet-1]}}\nimages: {{registry: {REGISTRY}, tag: \"2.4\"}}\n"
            ),
        ),
        ("Dockerfile", "FROM scratch\n"),
        ("docker", common::STAND_IN_DOCKER),
    ]);
    std::fs::set_permissions(
        dir.path().join("docker"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    common::StandIn::new(dir.path(), aws_answers());
    dir
}

/// compose2ecs with the stand-ins first on PATH, as users have docker and aws.
fn run(dir: &Path, args: &[&str]) -> common::Run {
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    common::run(common::bin().current_dir(dir).env("PATH", path).args(args))
}

fn calls(dir: &Path, file: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn digest_of(tag: &str) -> String {
    use std::fmt::Write as _;
    // The stand-in's digest: sha256 of the tag, computed here without a
    // crate by asking the same Python.
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())",
            tag,
        ])
        .output()
        .unwrap();
    let mut d = String::new();
    let _ = write!(
        d,
        "sha256:{}",
        String::from_utf8(out.stdout).unwrap().trim()
    );
    d
}

#[test]
fn build_hands_bake_the_compose_files_and_an_override_of_tags_platforms_args_and_targets() {
    let dir = project();
    let r = run(dir.path(), &["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let calls = calls(dir.path(), "docker-calls");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let args: Vec<&str> = calls[0]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    // The files as docker compose found them, for bake run in the same place.
    assert_eq!(
        &args[..4],
        ["buildx", "bake", "--file", "compose.yaml"],
        "{args:?}"
    );
    assert_eq!(args[4], "--file");
    assert!(args[5].ends_with("/compose2ecs.bake.json"), "{args:?}");
    assert_eq!(
        &args[6..],
        ["--load", "web"],
        "only what compose builds: {args:?}"
    );

    let bake = &calls[0]["files"][args[5]];
    assert_eq!(
        *bake,
        serde_json::json!({"target": {"web": {
            "tags": [format!("{REGISTRY}/shop-web:2.4")],
            "platforms": ["linux/arm64"],
            "args": {"VERSION": "2.4"},
            "target": "prod",
        }}})
    );
    // Bake's JSON file format: top-level blocks, and per target the types
    // bake reads (https://docs.docker.com/build/bake/reference/).
    for (key, _) in bake.as_object().unwrap() {
        assert!(
            ["group", "target", "variable", "function"].contains(&key.as_str()),
            "{key}"
        );
    }
    for (_, target) in bake["target"].as_object().unwrap() {
        for (key, value) in target.as_object().unwrap() {
            match key.as_str() {
                "tags" | "platforms" => {
                    assert!(value.as_array().unwrap().iter().all(|v| v.is_string()))
                }
                "args" => assert!(value.as_object().unwrap().values().all(|v| v.is_string())),
                "target" => assert!(value.is_string()),
                other => panic!("not a bake target attribute: {other}"),
            }
        }
    }

    // --dry-run says the same without running it.
    let r = run(dir.path(), &["build", "--dry-run", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("buildx bake --file") && r.stdout.contains("--load web"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\"linux/arm64\""), "{}", r.stdout);
    assert_eq!(calls_len(dir.path()), 1, "a dry run runs nothing");
}

/// Docker without the Buildx plugin reads `buildx` as an unknown command
/// and says only "unknown flag: --file": compose2ecs says what is missing
/// and how to get it.
#[test]
fn build_without_buildx_says_that_buildx_is_missing() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = project();
    let docker = dir.path().join("docker");
    std::fs::write(
        &docker,
        "#!/bin/sh\necho 'unknown flag: --file' >&2\necho \"See 'docker --help'.\" >&2\nexit 125\n",
    )
    .unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = run(dir.path(), &["build", "-q"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("Docker Buildx is not installed")
            && r.stderr.contains("docker-buildx-plugin"),
        "{}",
        r.stderr
    );
}

fn calls_len(dir: &Path) -> usize {
    calls(dir, "docker-calls").len()
}

#[test]
fn deploy_build_pushes_with_a_piped_login_and_registers_the_pushed_digests() {
    let dir = project();
    let r = run(dir.path(), &["deploy", "--build", "--no-wait"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(PASSWORD), "the password is never shown");
    let docker = calls(dir.path(), "docker-calls");
    let verbs: Vec<&str> = docker
        .iter()
        .map(|c| c["args"][0].as_str().unwrap())
        .collect();
    assert_eq!(verbs, ["buildx", "login", "push"], "{docker:?}");
    let login = &docker[1];
    assert_eq!(
        login["args"],
        serde_json::json!(["login", "--username", "AWS", "--password-stdin", REGISTRY])
    );
    assert_eq!(login["stdin"], PASSWORD, "the password goes in on stdin");
    for c in docker
        .iter()
        .chain(common::StandIn::at(dir.path()).calls().iter())
    {
        assert!(
            !c["args"].to_string().contains(PASSWORD),
            "never an argument: {c}"
        );
    }
    let tag = format!("{REGISTRY}/shop-web:2.4");
    assert_eq!(docker[2]["args"], serde_json::json!(["push", tag]));

    let aws = common::StandIn::at(dir.path()).calls();
    let create = aws
        .iter()
        .find(|c| c["args"][1] == "create-repository")
        .expect("the repository is created");
    let args: Vec<&str> = create["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        args.windows(2)
            .any(|w| w == ["--repository-name", "shop-web"]),
        "{args:?}"
    );
    assert!(
        args.windows(2)
            .any(|w| w == ["--image-scanning-configuration", "scanOnPush=true"]),
        "{args:?}"
    );
    assert!(
        args.windows(2)
            .any(|w| w == ["--image-tag-mutability", "MUTABLE"]),
        "{args:?}"
    );
    assert!(
        args.windows(2).any(|w| w == ["--region", "eu-west-1"]),
        "{args:?}"
    );

    let registered: Vec<&serde_json::Value> = aws
        .iter()
        .filter(|c| c["args"][1] == "register-task-definition")
        .map(|c| &c["inputs"][0])
        .collect();
    let web = registered
        .iter()
        .find(|td| td["family"] == "shop-web")
        .unwrap();
    assert_eq!(
        web["containerDefinitions"][0]["image"],
        format!("{REGISTRY}/shop-web@{}", digest_of(&tag)),
        "the task runs exactly what was pushed"
    );
    let db = registered
        .iter()
        .find(|td| td["family"] == "shop-db")
        .unwrap();
    assert_eq!(
        db["containerDefinitions"][0]["image"], "postgres:16",
        "what is not built stays"
    );
}

#[test]
fn push_records_the_digests_that_convert_then_pins() {
    let dir = project();
    let r = run(dir.path(), &["push", "--digests", "pushed.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tag = format!("{REGISTRY}/shop-web:2.4");
    let pinned = format!("{REGISTRY}/shop-web@{}", digest_of(&tag));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("pushed.json")).unwrap())
            .unwrap();
    assert_eq!(recorded, serde_json::json!({"web": pinned}));

    let r = run(
        dir.path(),
        &["convert", "--image-digests", "pushed.json", "-q"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let td: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("ecs/shop-web.task-definition.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(td["containerDefinitions"][0]["image"], pinned.as_str());

    // A digests file that pins nothing by digest is refused, naming it.
    std::fs::write(dir.path().join("bad.json"), r#"{"web": "shop-web:latest"}"#).unwrap();
    let r = run(dir.path(), &["convert", "--image-digests", "bad.json"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("bad.json: `web` is `shop-web:latest`, not an image by digest"),
        "{}",
        r.stderr
    );
}
