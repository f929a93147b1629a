//! The command line: exit codes, stderr, and "nothing written on error".

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

mod common;

use common::{bin, listing, project};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seed() -> PathBuf {
    repo().join("fixtures/seed-student-rest")
}

#[test]
fn the_seed_example_converts_to_exactly_the_documented_json() {
    let out = tempfile::tempdir().unwrap();
    let assert = bin()
        .args(["convert", "-f"])
        .arg(seed().join("compose.yaml"))
        .arg("--overlay")
        .arg(seed().join("compose2ecs.yaml"))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("student-rest.task-definition.json"),
        "{stderr}"
    );

    let written =
        std::fs::read_to_string(out.path().join("student-rest.task-definition.json")).unwrap();
    let expected = serde_json::json!({
        "family": "student-rest", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "cpu": "512", "memory": "1024",
        "executionRoleArn": "arn:aws:iam::<account-id>:role/ecsTaskExecutionRole",
        "containerDefinitions": [{
            "name": "rest",
            "image": "<account-id>.dkr.ecr.us-east-1.amazonaws.com/student-rest:<tag>",
            "essential": true,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/student-rest", "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "ecs"}}
        }]
    });
    // Same keys and values…
    let got: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(got, expected);
    // …and the issue's key order.
    let order = [
        "\"family\"",
        "\"networkMode\"",
        "\"requiresCompatibilities\"",
        "\"cpu\"",
        "\"memory\"",
        "\"executionRoleArn\"",
        "\"containerDefinitions\"",
        "\"name\"",
        "\"image\"",
        "\"essential\"",
        "\"portMappings\"",
        "\"containerPort\"",
        "\"protocol\"",
        "\"logConfiguration\"",
        "\"logDriver\"",
        "\"options\"",
        "\"awslogs-group\"",
        "\"awslogs-region\"",
        "\"awslogs-stream-prefix\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| written.find(k).unwrap()).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "key order differs:\n{written}"
    );
    assert!(written.ends_with("}\n"), "no trailing newline");
    assert_eq!(
        listing(out.path()),
        [
            "student-rest.service.json",
            "student-rest.task-definition.json"
        ]
    );
    let service: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("student-rest.service.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        service,
        serde_json::json!({
            "serviceName": "student-rest", "taskDefinition": "student-rest",
            "desiredCount": 1, "launchType": "FARGATE",
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}
        })
    );
}

#[test]
fn the_overlay_beside_the_compose_file_is_found_and_files_are_discovered() {
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(
        seed().join("compose.yaml"),
        work.path().join("compose.yaml"),
    )
    .unwrap();
    std::fs::copy(
        seed().join("compose2ecs.yaml"),
        work.path().join("compose2ecs.yaml"),
    )
    .unwrap();
    bin()
        .current_dir(work.path())
        .arg("convert")
        .assert()
        .success();
    let td =
        std::fs::read_to_string(work.path().join("ecs/student-rest.task-definition.json")).unwrap();
    assert!(
        td.contains("\"cpu\": \"512\""),
        "the overlay was not applied: {td}"
    );
}

fn rejected(compose: &str, overlay: Option<&str>) -> (String, tempfile::TempDir) {
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

#[test]
fn invalid_yaml_exits_1_with_file_and_line_and_writes_nothing() {
    let (stderr, _w) = rejected("services:\n  web:\n    image: [unclosed\n", None);
    assert!(stderr.contains("error[yaml-syntax]"), "{stderr}");
    assert!(stderr.contains("compose.yaml:"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
}

#[test]
fn a_wrong_type_exits_1_naming_the_key_and_line() {
    let (stderr, _w) = rejected("services:\n  web:\n    image: x\n    ports: 8080\n", None);
    assert!(stderr.contains("error[schema-violation]"), "{stderr}");
    assert!(stderr.contains("compose.yaml:4:12"), "{stderr}");
    assert!(stderr.contains("services.web.ports"), "{stderr}");
    // The offending line is shown under the message.
    assert!(stderr.contains("4 |     ports: 8080"), "{stderr}");
}

#[test]
fn an_unknown_overlay_key_exits_1_with_a_suggestion() {
    let (stderr, _w) = rejected(
        "services:\n  web:\n    image: x\n",
        Some("region: us-east-1\nlogs:\n  stream_prefx: app\n"),
    );
    assert!(stderr.contains("error[overlay-unknown-key]"), "{stderr}");
    assert!(stderr.contains("compose2ecs.yaml:3:3"), "{stderr}");
    assert!(stderr.contains("did you mean `stream_prefix`?"), "{stderr}");
}

#[test]
fn a_failed_conversion_leaves_an_existing_output_directory_as_it_was() {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("out")).unwrap();
    std::fs::write(work.path().join("out/old.task-definition.json"), "{}\n").unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "services:\n  a:\n    image: x\n  b:\n    build: .\n",
    )
    .unwrap();
    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out"])
        .assert()
        .code(1);
    assert_eq!(
        listing(&work.path().join("out")),
        ["old.task-definition.json"]
    );
}

#[test]
fn strict_turns_warnings_into_a_rejection() {
    let work = project(&[
        (
            "compose.yaml",
            "name: s\nservices:\n  web:\n    image: x\n    ports: ['8000:80']\n",
        ),
        ("compose2ecs.yaml", "region: us-east-1\n"),
    ]);
    let ok = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "lenient"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&ok.get_output().stderr).into_owned();
    assert!(stderr.contains("warning[host-port-dropped]"), "{stderr}");
    assert!(stderr.contains("compose.yaml:5:"), "{stderr}");

    let strict = bin()
        .current_dir(work.path())
        .args(["convert", "--strict", "-o", "strict"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&strict.get_output().stderr).into_owned();
    assert!(stderr.contains("--strict"), "{stderr}");
    assert!(!work.path().join("strict").exists());
}

#[test]
fn stdout_prints_one_family_and_insists_on_a_choice_among_several() {
    let work = project(&[(
        "compose.yaml",
        "name: two\nservices:\n  a:\n    image: x\n  b:\n    image: y\n",
    )]);
    let assert = bin()
        .current_dir(work.path())
        .args(["convert", "--stdout", "--family", "two-b"])
        .assert()
        .success();
    let td: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(td["family"], "two-b");
    assert!(!work.path().join("ecs").exists(), "--stdout wrote files");

    let assert = bin()
        .current_dir(work.path())
        .args(["convert", "--stdout"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("two-a, two-b"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    bin().args(["convert", "--no-such-flag"]).assert().code(2);
    bin().args(["convert", "--family", "x"]).assert().code(2);
    bin().assert().code(2);
}

#[test]
fn no_compose_file_is_a_clear_rejection() {
    let work = tempfile::tempdir().unwrap();
    let assert = bin()
        .current_dir(work.path())
        .arg("convert")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml"),
        "{stderr}"
    );
}

#[test]
fn env_file_replaces_dotenv_and_the_process_environment_wins() {
    let work = project(&[
        (
            "compose.yaml",
            "name: e\nservices:\n  web:\n    image: \"x:${TAG}\"\n    environment: [\"A=${A}\"]\n",
        ),
        (".env", "TAG=from-dotenv\nA=dotenv\n"),
        ("prod.env", "TAG=from-env-file\nA=envfile\n"),
    ]);
    let run = |args: &[&str], a: Option<&str>| {
        let mut cmd = bin();
        cmd.current_dir(work.path())
            .args(["convert", "--stdout"])
            .args(args);
        match a {
            Some(v) => cmd.env("A", v),
            None => cmd.env_remove("A"),
        };
        let out = cmd.env_remove("TAG").assert().success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    let td = run(&[], None);
    assert_eq!(td["containerDefinitions"][0]["image"], "x:from-dotenv");
    let td = run(&["--env-file", "prod.env"], Some("process"));
    assert_eq!(td["containerDefinitions"][0]["image"], "x:from-env-file");
    assert_eq!(
        td["containerDefinitions"][0]["environment"][0]["value"],
        "process"
    );
}

#[test]
fn config_prints_the_resolved_project() {
    let work = project(&[(
        "compose.yaml",
        "x-base: &base\n  image: \"app:${TAG:-1}\"\nservices:\n  web:\n    <<: *base\n",
    )]);
    let out = bin()
        .current_dir(work.path())
        .arg("config")
        .assert()
        .success();
    let yaml = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(yaml.contains("image: app:1"), "{yaml}");
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    use std::process::Stdio;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("compose2ecs"))
        .args(["config", "-f"])
        .arg(seed().join("compose.yaml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn help_shows_examples() {
    let out = bin().args(["convert", "--help"]).assert().success();
    let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("--overlay"), "{help}");
}

#[test]
fn a_discovered_compose_file_brings_its_override_file_and_an_explicit_one_does_not() {
    let work = project(&[
        ("compose.yaml", "services:\n  web:\n    image: nginx:1\n"),
        (
            "compose.override.yaml",
            "services:\n  web:\n    image: nginx:2\n",
        ),
    ]);
    let config = |args: &[&str]| {
        let out = bin()
            .current_dir(work.path())
            .arg("config")
            .args(args)
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    assert!(config(&[]).contains("image: nginx:2"), "{}", config(&[]));
    assert!(config(&["-f", "compose.yaml"]).contains("image: nginx:1"));
    // COMPOSE_FILE names the files instead, in order.
    let out = bin()
        .current_dir(work.path())
        .env("COMPOSE_FILE", "compose.override.yaml:compose.yaml")
        .arg("config")
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("image: nginx:1"));
}

#[test]
fn config_json_is_the_normalised_project_with_active_profiles_only() {
    let work = project(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N:-2}\n  debug:\n    image: busybox\n    profiles: [debug]\n",
    )]);
    let json = |extra: &[&str], profiles_env: Option<&str>| -> serde_json::Value {
        let mut cmd = bin();
        if let Some(p) = profiles_env {
            cmd.env("COMPOSE_PROFILES", p);
        }
        let out = cmd
            .current_dir(work.path())
            .args(["config", "--format", "json", "-p", "demo"])
            .args(extra)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let plain = json(&[], None);
    assert_eq!(plain["name"], "demo");
    // Cast after interpolation: a number, as docker compose config prints it.
    assert_eq!(plain["services"]["web"]["deploy"]["replicas"], 2);
    assert!(plain["services"].get("debug").is_none(), "{plain}");
    let with_profile = json(&["--profile", "debug"], None);
    assert!(with_profile["services"].get("debug").is_some());
    let from_env = json(&[], Some("other,debug"));
    assert!(from_env["services"].get("debug").is_some());
}

#[test]
fn fargate_refuses_keys_it_cannot_honour_naming_key_value_and_launch_type() {
    let (stderr, _w) = rejected(
        "services:\n  vpn:\n    image: example/vpn:1\n    privileged: true\n    cap_add: [NET_ADMIN]\n",
        None,
    );
    assert!(
        stderr.contains(
            "error[launch-type-unsupported]: `privileged: true` is not available on FARGATE"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("`cap_add: NET_ADMIN` is not available on FARGATE"),
        "{stderr}"
    );
    assert!(stderr.contains("compose.yaml:4:17"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
}

#[test]
fn diagnostics_as_json_lines_and_quiet_hides_notes() {
    let work = project(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    restart: always\n    ports: ['8000:80']\n",
    )]);
    let run = |extra: &[&str]| {
        let out = bin()
            .current_dir(work.path())
            .args(["convert", "--stdout"])
            .args(extra)
            .assert()
            .success();
        String::from_utf8(out.get_output().stderr.clone()).unwrap()
    };
    let json = run(&["--format", "json"]);
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let port = lines
        .iter()
        .find(|l| l["code"] == "host-port-dropped")
        .unwrap();
    assert_eq!(port["type"], "diagnostic");
    assert_eq!(port["severity"], "warning");
    assert_eq!(port["path"], "services.web.ports[0]");
    assert_eq!(port["line"], 5);
    assert!(port["file"].as_str().unwrap().ends_with("compose.yaml"));
    assert!(
        lines
            .iter()
            .any(|l| l["code"] == "ignored-key" && l["severity"] == "note")
    );

    let quiet = run(&["--format", "json", "-q"]);
    assert!(!quiet.contains("\"note\""), "{quiet}");
    assert!(quiet.contains("host-port-dropped"));
    let human_quiet = run(&["-q"]);
    assert!(
        !human_quiet.contains("note[") && human_quiet.contains("warning[host-port-dropped]"),
        "{human_quiet}"
    );
}

#[test]
fn an_unreadable_compose_file_is_an_io_error_naming_it() {
    let work = project(&[("bad.yaml", "")]);
    std::fs::write(
        work.path().join("bad.yaml"),
        b"services:\n  web:\n    image: \xff\xfe\n",
    )
    .unwrap();
    for (file, words) in [
        ("missing.yaml", "cannot read `missing.yaml`"),
        ("bad.yaml", "is not UTF-8 text"),
    ] {
        let out = bin()
            .current_dir(work.path())
            .args(["convert", "-f", file])
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains("error[io]"), "{stderr}");
        assert!(stderr.contains(words), "{stderr}");
        assert!(!work.path().join("ecs").exists());
    }
}

#[test]
fn schema_prints_the_committed_overlay_and_compose_schemas() {
    for (which, file) in [
        ("overlay", "schemas/overlay.schema.json"),
        ("compose", "schemas/compose-spec.json"),
    ] {
        let out = bin().args(["schema", which]).assert().success();
        let printed = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let committed = std::fs::read_to_string(repo().join(file)).unwrap();
        assert_eq!(printed, committed, "{which}");
        let _: serde_json::Value = serde_json::from_str(&printed).unwrap();
    }
}

const TWO_FAMILIES: &str =
    "name: demo\nservices:\n  good:\n    image: nginx\n  bad:\n    image: nginx\n";

#[test]
fn register_dry_run_prints_runnable_commands_and_runs_nothing() {
    let work = project(&[("compose.yaml", TWO_FAMILIES)]);
    let out = bin()
        .current_dir(work.path())
        .args([
            "register",
            "--dry-run",
            "--family",
            "demo-good",
            "--aws-cli",
            "/nonexistent/aws",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let words = shell_words::split(lines[0]).unwrap();
    assert_eq!(
        words[..4],
        [
            "/nonexistent/aws",
            "ecs",
            "register-task-definition",
            "--cli-input-json"
        ]
    );
    let td: serde_json::Value = serde_json::from_str(&words[4]).unwrap();
    assert_eq!(td["family"], "demo-good");
}

#[test]
fn register_without_the_aws_cli_says_so_and_exits_1() {
    let work = project(&[("compose.yaml", TWO_FAMILIES)]);
    let out = bin()
        .current_dir(work.path())
        .args(["register", "--aws-cli", "/nonexistent/aws"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("the AWS CLI (`/nonexistent/aws`) was not found"),
        "{stderr}"
    );
    assert!(stderr.contains("--aws-cli PATH"), "{stderr}");
    assert!(out.get_output().stdout.is_empty());
}

#[cfg(unix)]
#[test]
fn a_failed_registration_shows_the_aws_message_and_the_others_still_register() {
    use std::os::unix::fs::PermissionsExt as _;
    // A stand-in `aws`: refuses demo-bad, registers anything else as revision 7.
    let fake = r#"#!/bin/sh
for a in "$@"; do case "$a" in file://*) f="${a#file://}";; esac; done
fam=$(sed -n 's/.*"family": "\([^"]*\)".*/\1/p' "$f" | head -n 1)
if [ "$fam" = demo-bad ]; then
  echo "An error occurred (ClientException) when calling the RegisterTaskDefinition operation: no" >&2
  exit 254
fi
echo "{\"taskDefinition\": {\"taskDefinitionArn\": \"arn:aws:ecs:us-east-1:123456789012:task-definition/$fam:7\"}}"
"#;
    let work = project(&[("compose.yaml", TWO_FAMILIES), ("fake-aws", fake)]);
    let aws = work.path().join("fake-aws");
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = bin()
        .current_dir(work.path())
        .args(["register", "--aws-cli"])
        .arg(&aws)
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stdout,
        "arn:aws:ecs:us-east-1:123456789012:task-definition/demo-good:7\n"
    );
    assert!(stderr.contains("registered demo-good:7"), "{stderr}");
    assert!(stderr.contains("registering `demo-bad` failed"), "{stderr}");
    assert!(stderr.contains("ClientException"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn convert_writes_only_its_own_files_and_never_through_a_symlink() {
    let work = project(&[(
        "compose.yaml",
        "name: own\nservices:\n  web:\n    image: nginx\n",
    )]);
    let out = work.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(work.path().join("outside.txt"), "untouched").unwrap();
    std::os::unix::fs::symlink(
        work.path().join("outside.txt"),
        out.join("own-web.task-definition.json"),
    )
    .unwrap();
    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out"])
        .assert()
        .success();
    assert_eq!(
        listing(&out),
        [
            "notes.txt",
            "own-web.service.json",
            "own-web.task-definition.json"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    // The link was replaced by the file, not written through.
    assert_eq!(
        std::fs::read_to_string(work.path().join("outside.txt")).unwrap(),
        "untouched"
    );
    let meta = std::fs::symlink_metadata(out.join("own-web.task-definition.json")).unwrap();
    assert!(meta.file_type().is_file());
}

#[test]
fn check_passes_when_up_to_date_and_fails_with_a_diff_after_an_edit() {
    let work = project(&[(
        "compose.yaml",
        "name: drift\nservices:\n  web:\n    image: nginx:1.27\n",
    )]);
    let run = |args: &[&str]| {
        let out = bin().current_dir(work.path()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Nothing generated yet: everything is missing.
    let (code, _, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("missing: ecs/drift-web.task-definition.json"),
        "{stderr}"
    );
    assert!(!work.path().join("ecs").exists(), "--check wrote something");

    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    let (code, stdout, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.is_empty() && stderr.contains("ecs is up to date"),
        "{stderr}"
    );

    // Someone bumps the image without regenerating.
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: drift\nservices:\n  web:\n    image: nginx:1.28\n",
    )
    .unwrap();
    std::fs::write(work.path().join("ecs/old-gone.service.json"), "{}\n").unwrap();
    let before = listing(&work.path().join("ecs"));
    let (code, stdout, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("-      \"image\": \"nginx:1.27\","),
        "{stdout}"
    );
    assert!(
        stdout.contains("+      \"image\": \"nginx:1.28\","),
        "{stdout}"
    );
    assert!(stdout.contains("@@"), "{stdout}");
    assert!(
        stderr.contains("changed: ecs/drift-web.task-definition.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("extra: ecs/old-gone.service.json"),
        "{stderr}"
    );
    assert_eq!(
        listing(&work.path().join("ecs")),
        before,
        "--check wrote something"
    );

    // As one JSON document, for tools.
    let (code, stdout, _) = run(&["convert", "--check", "-o", "ecs", "--format", "json"]);
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["status"], "drift");
    assert_eq!(doc["changed"][0], "ecs/drift-web.task-definition.json");
    assert_eq!(doc["families"][0]["family"], "drift-web");

    // Regenerated: clean again (the extra file is the user's to remove).
    std::fs::remove_file(work.path().join("ecs/old-gone.service.json")).unwrap();
    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    let (code, _, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn format_json_prints_one_document_with_the_families_and_diagnostics() {
    let work = project(&[(
        "compose.yaml",
        "name: doc\nservices:\n  web:\n    image: nginx\n    restart: always\n",
    )]);
    let out = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out", "--format", "json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["status"], "written");
    assert_eq!(doc["families"][0]["family"], "doc-web");
    assert_eq!(
        doc["families"][0]["taskDefinition"],
        "out/doc-web.task-definition.json"
    );
    assert_eq!(doc["families"][0]["service"], "out/doc-web.service.json");
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "ignored-key")
    );
    // A rejected conversion is a document too.
    std::fs::write(
        work.path().join("bad.yaml"),
        "services:\n  web:\n    image: nginx\n    ports: 80\n",
    )
    .unwrap();
    let out = bin()
        .current_dir(work.path())
        .args([
            "convert", "-o", "out2", "--format", "json", "-f", "bad.yaml",
        ])
        .assert()
        .code(1);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["status"], "rejected");
    assert_eq!(doc["diagnostics"][0]["code"], "schema-violation");
    assert!(!work.path().join("out2").exists());
}

/// Every `compose2ecs …` command in the example CI workflows of docs/ci/:
/// the file is YAML, and the subcommand and each of its flags exist.
#[test]
fn the_example_ci_workflows_parse_and_use_only_real_flags() {
    let dir = repo().join("docs/ci");
    let mut commands = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let yaml: serde_norway::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        let mut strings = Vec::new();
        collect_strings(&yaml, &mut strings);
        for s in strings {
            for line in s
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("compose2ecs "))
            {
                let words = shell_words::split(line).unwrap();
                let sub = &words[1];
                let help = bin().args([sub.as_str(), "--help"]).assert().success();
                let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
                for flag in words.iter().filter(|w| w.starts_with('-')) {
                    assert!(
                        help.contains(flag.as_str()),
                        "{}: `{flag}` is not a flag of `compose2ecs {sub}`",
                        path.display()
                    );
                }
                commands += 1;
            }
        }
    }
    assert!(
        commands >= 5,
        "only {commands} compose2ecs commands in docs/ci"
    );
}

fn collect_strings(v: &serde_norway::Value, out: &mut Vec<String>) {
    match v {
        serde_norway::Value::String(s) => out.push(s.clone()),
        serde_norway::Value::Sequence(items) => items.iter().for_each(|i| collect_strings(i, out)),
        serde_norway::Value::Mapping(m) => m.values().for_each(|i| collect_strings(i, out)),
        serde_norway::Value::Tagged(t) => collect_strings(&t.value, out),
        _ => {}
    }
}

/// A stand-in `aws` for the rollout watcher: registers anything as revision
/// 1, says the service does not exist yet on the first `describe-services`,
/// then replays the recorded documents `describe-2.json`, `describe-3.json`,
/// … (the last one forever).
#[cfg(unix)]
const FAKE_AWS: &str = r#"#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
state = os.environ["FAKE_AWS_DIR"]
if args[:2] == ["ecs", "register-task-definition"]:
    path = [a for a in args if a.startswith("file://")][0][7:]
    fam = json.load(open(path))["family"]
    print(json.dumps({"taskDefinition": {"taskDefinitionArn": f"arn:aws:ecs:us-east-1:123456789012:task-definition/{fam}:1"}}))
elif args[:2] == ["ecs", "describe-services"]:
    counter = os.path.join(state, "count")
    n = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
    open(counter, "w").write(str(n))
    if n == 1:
        print(json.dumps({"services": [], "failures": [{"reason": "MISSING"}]}))
    else:
        while n > 2 and not os.path.exists(os.path.join(state, f"describe-{n}.json")):
            n -= 1
        print(open(os.path.join(state, f"describe-{n}.json")).read())
elif args[:2] == ["ecs", "create-service"]:
    print(json.dumps({"service": {"status": "ACTIVE"}}))
else:
    sys.exit(f"unexpected: {args}")
"#;

#[cfg(unix)]
fn deploy_with(states: &[(&str, u64, u64, u64, Option<&str>)], extra: &[&str]) -> (i32, String) {
    use std::os::unix::fs::PermissionsExt as _;
    let work = project(&[
        (
            "compose.yaml",
            "name: roll\nservices:\n  web:\n    image: nginx\n",
        ),
        (
            "compose2ecs.yaml",
            "region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\nnetwork: {subnets: [subnet-1]}\ncluster: prod\n",
        ),
        ("aws", FAKE_AWS),
    ]);
    std::fs::set_permissions(
        work.path().join("aws"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    for (i, (rollout, running, pending, failed, reason)) in states.iter().enumerate() {
        let doc = serde_json::json!({"services": [{
            "serviceName": "roll-web", "status": "ACTIVE",
            "deployments": [{
                "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/roll-web:1",
                "rolloutState": rollout, "rolloutStateReason": reason,
                "runningCount": running, "pendingCount": pending, "desiredCount": 2, "failedTasks": failed
            }]
        }]});
        std::fs::write(
            work.path().join(format!("describe-{}.json", i + 2)),
            doc.to_string(),
        )
        .unwrap();
    }
    let out = bin()
        .current_dir(work.path())
        .env("FAKE_AWS_DIR", work.path())
        // The stand-in comes first on PATH: deploy runs `aws` as users have it.
        .env(
            "PATH",
            format!(
                "{}:{}",
                work.path().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .args(["deploy", "--interval", "0.05"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn deploy_watches_the_rollout_until_it_completes() {
    let (code, stderr) = deploy_with(
        &[
            ("IN_PROGRESS", 0, 2, 0, None),
            ("IN_PROGRESS", 1, 1, 0, None),
            ("COMPLETED", 2, 0, 0, None),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("created service roll-web with roll-web:1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("roll-web: IN_PROGRESS roll-web:1 running 0/2 pending 2 failed tasks 0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("roll-web: IN_PROGRESS roll-web:1 running 1/2 pending 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("roll-web: COMPLETED roll-web:1 running 2/2"),
        "{stderr}"
    );
    assert!(stderr.contains("every deployment completed"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn deploy_reports_a_failed_rollout_with_its_failed_tasks() {
    let (code, stderr) = deploy_with(
        &[
            ("IN_PROGRESS", 0, 2, 1, None),
            (
                "FAILED",
                0,
                0,
                3,
                Some("ECS deployment circuit breaker: tasks failed to start."),
            ),
        ],
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("failed tasks 3"), "{stderr}");
    assert!(stderr.contains("the deployment of roll-web:1 failed: ECS deployment circuit breaker: tasks failed to start."), "{stderr}");
}

#[cfg(unix)]
#[test]
fn deploy_gives_up_at_the_timeout_with_what_it_knows() {
    let (code, stderr) = deploy_with(&[("IN_PROGRESS", 1, 1, 0, None)], &["--timeout", "0.3"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("roll-web: IN_PROGRESS roll-web:1 running 1/2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("timed out after 0.3s; still in progress: roll-web"),
        "{stderr}"
    );
}

#[test]
fn policy_prints_the_execution_role_policy() {
    let out = bin()
        .args(["policy", "-f"])
        .arg(repo().join("fixtures/overlay-realistic-app/compose.yaml"))
        .arg("-q")
        .assert()
        .success();
    let policy: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [
            "PullImages",
            "EcrLogin",
            "WriteLogs",
            "ReadSecrets",
            "ReadParameters"
        ]
    );
}

#[test]
fn an_unchanged_output_file_is_not_rewritten() {
    let work = project(&[(
        "compose.yaml",
        "name: same\nservices:\n  web:\n    image: nginx\n",
    )]);
    let run = || {
        bin()
            .current_dir(work.path())
            .args(["convert", "-o", "out"])
            .assert()
            .success()
    };
    run();
    let file = work.path().join("out/same-web.task-definition.json");
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(old)
        .unwrap();
    run();
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        old,
        "rewritten although unchanged"
    );
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: same\nservices:\n  web:\n    image: nginx:2\n",
    )
    .unwrap();
    run();
    assert_ne!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        old,
        "a changed file was not written"
    );
}

#[test]
fn check_on_the_seed_fixture_catches_an_unregenerated_edit() {
    let compose = std::fs::read_to_string(seed().join("compose.yaml")).unwrap();
    let overlay = std::fs::read_to_string(seed().join("compose2ecs.yaml")).unwrap();
    let work = project(&[("compose.yaml", &compose), ("compose2ecs.yaml", &overlay)]);
    let check = || {
        bin()
            .current_dir(work.path())
            .args(["convert", "--check", "-o", "ecs"])
            .output()
            .unwrap()
    };
    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    assert!(check().status.success());

    let bumped = compose.replace("student-rest:<tag>", "student-rest:2.0");
    assert_ne!(bumped, compose, "the seed's image tag moved");
    std::fs::write(work.path().join("compose.yaml"), bumped).unwrap();
    let out = check();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains(
            "-      \"image\": \"<account-id>.dkr.ecr.us-east-1.amazonaws.com/student-rest:<tag>\","
        ),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+      \"image\": \"<account-id>.dkr.ecr.us-east-1.amazonaws.com/student-rest:2.0\","
        ),
        "{diff}"
    );

    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    assert!(check().status.success());
}

/// Every line of `text` is a JSON object with a `type`; their types.
fn json_line_types(text: &str) -> Vec<String> {
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

#[cfg(unix)]
#[test]
fn deploy_with_json_format_prints_only_json_lines() {
    // A rollout that completes, one that fails, one that times out: every
    // message of deploy goes through the reporter.
    let json = ["--format", "json"];
    let (code, stderr) = deploy_with(
        &[("IN_PROGRESS", 0, 2, 0, None), ("COMPLETED", 2, 0, 0, None)],
        &json,
    );
    assert_eq!(code, 0, "{stderr}");
    let types = json_line_types(&stderr);
    assert!(types.contains(&"registered".to_owned()), "{types:?}");
    assert!(types.contains(&"progress".to_owned()), "{types:?}");
    assert_eq!(types.last().map(String::as_str), Some("done"), "{types:?}");

    let (code, stderr) = deploy_with(&[("FAILED", 0, 0, 3, Some("tasks failed to start"))], &json);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        json_line_types(&stderr).contains(&"error".to_owned()),
        "{stderr}"
    );
    assert!(stderr.contains("tasks failed to start"), "{stderr}");

    let (code, stderr) = deploy_with(
        &[("IN_PROGRESS", 1, 1, 0, None)],
        &["--format", "json", "--timeout", "0.2"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        json_line_types(&stderr).last().map(String::as_str),
        Some("error")
    );
    assert!(stderr.contains("timed out after 0.2s"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn register_with_json_format_prints_only_json_lines() {
    use std::os::unix::fs::PermissionsExt as _;
    let fake = "#!/bin/sh\necho '{\"taskDefinition\": {\"taskDefinitionArn\": \"arn:aws:ecs:us-east-1:123456789012:task-definition/demo-good:7\"}}'\n";
    let work = project(&[("compose.yaml", TWO_FAMILIES), ("fake-aws", fake)]);
    let aws = work.path().join("fake-aws");
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = bin()
        .current_dir(work.path())
        .args(["register", "--format", "json", "--aws-cli"])
        .arg(&aws)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let types = json_line_types(&stderr);
    assert_eq!(
        types.iter().filter(|t| *t == "registered").count(),
        2,
        "{stderr}"
    );
}
