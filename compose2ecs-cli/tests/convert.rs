//! `convert`: writing the files, discovering the project, `--stdout`,
//! `--strict`, refusals and their messages, diagnostics.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, listing, project, rejected, seed};

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
        }],
        "tags": [{"key": "compose2ecs:project", "value": "student"},
                 {"key": "compose2ecs:service", "value": "rest"}]
    });
    // Same keys and values…
    let got: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(got, expected);
    // …and the key order.
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
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}},
            "tags": [{"key": "compose2ecs:project", "value": "student"},
                     {"key": "compose2ecs:service", "value": "rest"}],
            "propagateTags": "SERVICE"
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
        (
            "compose2ecs.yaml",
            "region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\n",
        ),
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
    // A link at an output path is neither written through nor replaced:
    // refused, named, before anything is written.
    let refused = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("own-web.task-definition.json` is a symbolic link"),
        "{stderr}"
    );
    assert_eq!(
        listing(&out),
        ["notes.txt", "own-web.task-definition.json"],
        "nothing written"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("outside.txt")).unwrap(),
        "untouched"
    );
    let meta = std::fs::symlink_metadata(out.join("own-web.task-definition.json")).unwrap();
    assert!(meta.file_type().is_symlink());
    // Once it is gone, convert writes its own files and leaves the rest.
    std::fs::remove_file(out.join("own-web.task-definition.json")).unwrap();
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
fn without_a_region_in_the_overlay_the_environments_region_configures_the_logs() {
    let dir = project(&[
        (
            "compose.yaml",
            "name: rg\nservices:\n  web:\n    image: nginx\n",
        ),
        (
            "compose2ecs.yaml",
            "roles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
        ),
    ]);
    let out = bin()
        .current_dir(dir.path())
        .args(["convert", "-o", "out"])
        .env("AWS_DEFAULT_REGION", "eu-west-1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "note[missing-region]: compose2ecs.yaml gives no `region`; using `eu-west-1`"
        ),
        "{stderr}"
    );
    let td: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/rg-web.task-definition.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"],
        "eu-west-1"
    );
    // The overlay's own region wins over the environment's.
    std::fs::write(
        dir.path().join("compose2ecs.yaml"),
        "region: us-east-2\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
    )
    .unwrap();
    let out = bin()
        .current_dir(dir.path())
        .args(["convert", "--stdout"])
        .env("AWS_REGION", "eu-west-1")
        .output()
        .unwrap();
    let td: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"],
        "us-east-2"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("missing-region"));
}

#[test]
fn a_summary_closes_the_report_and_family_shows_only_that_familys_diagnostics() {
    let dir = project(&[
        (
            "compose.yaml",
            "name: sum\nservices:\n  web:\n    image: nginx\n    ports: [\"8000:80\"]\n  db:\n    image: postgres:16\n    shm_size: 1g\n",
        ),
        (
            "compose2ecs.yaml",
            "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
        ),
    ]);
    let run = |args: &[&str]| {
        let out = bin().current_dir(dir.path()).args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let all = run(&["convert", "-o", "out"]);
    assert!(
        all.contains("host-port-dropped") && all.contains("shm_size"),
        "{all}"
    );
    let last = all
        .lines()
        .rev()
        .find(|l| l.starts_with("converted:"))
        .unwrap();
    assert!(
        last.starts_with("converted: 0 errors, 2 warnings, ")
            && last.contains("next: `compose2ecs deploy`"),
        "{last}"
    );
    let web = run(&["convert", "--stdout", "--family", "sum-web"]);
    assert!(web.contains("host-port-dropped"), "{web}");
    assert!(
        !web.contains("shm_size"),
        "db's warning is not shown: {web}"
    );
    assert!(web.contains("about other families not shown"), "{web}");
}

#[test]
fn convert_cost_prices_the_seed_from_the_table() {
    let seed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/seed-student-rest");
    let out = tempfile::tempdir().unwrap();
    let r = common::run(
        common::bin()
            .current_dir(&seed)
            .args(["convert", "--cost", "-q", "-o"])
            .arg(out.path()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = compose2ecs_core::cost::table();
    let x86 = &table.regions["us-east-1"].X86_64;
    let month = (0.5 * x86.vcpu_hour + 1.0 * x86.gb_hour) * table.hours_per_month;
    let said =
        format!("student-rest  ${month:.2} a month (1 task × 730 h); 0.5 vCPU, 1 GB, X86_64");
    assert!(r.stderr.contains(&said), "{said}\n{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("services together: ${month:.2} a month")),
        "{}",
        r.stderr
    );
}

/// Every input is a regular file read with a bound: a device (`/dev/zero`
/// reports a length of 0 and never ends) or a FIFO (which blocks until
/// something writes to it) as a compose file, an `env_file` or `.env` is an
/// error naming it, at once.
#[cfg(unix)]
#[test]
fn an_input_that_is_a_device_or_a_fifo_is_refused_not_read() {
    let work = project(&[(
        "compose.yaml",
        "name: dev\nservices:\n  web:\n    image: nginx\n    env_file: /dev/zero\n",
    )]);
    let convert = |args: &[&str]| {
        let out = bin()
            .current_dir(work.path())
            .args(["convert", "--stdout"])
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = convert(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("not a regular file"),
        "{stderr}"
    );
    let fifo = work.path().join("fifo.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (code, stderr) = convert(&["-f", "fifo.yaml"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("fifo.yaml") && stderr.contains("not a regular file"),
        "{stderr}"
    );
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: dev\nservices:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(work.path().join(".env"))
            .status()
            .unwrap()
            .success()
    );
    let (code, stderr) = convert(&[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(".env") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

/// A `.env` whose every variable doubles the one before stops where a
/// value passes 1 MiB, at its line, used or not (it used to take 2.4 GB
/// before the process died).
#[test]
fn a_doubling_env_file_stops_at_its_bound() {
    let mut dotenv = String::from("V0=xxxxxxxx\n");
    for i in 1..40 {
        dotenv.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    let work = project(&[
        (
            "compose.yaml",
            "name: bomb\nservices:\n  web:\n    image: nginx\n",
        ),
        (".env", &dotenv),
    ]);
    let out = bin()
        .current_dir(work.path())
        .args(["convert", "--stdout"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("grows to more than 1 MiB") && stderr.contains(".env:19:1"),
        "{stderr}"
    );
}

/// An `include` diamond (each file includes the same two files of the next
/// level) is loaded file by file, not path by path: 20 levels are 2^20
/// paths but 40 files. (A guard, not a measurement: it used to run for
/// minutes at 16 levels.)
#[test]
fn an_include_diamond_is_read_once_per_file() {
    let depth = 20;
    let mut files: Vec<(String, String)> = Vec::new();
    let level = |i: usize| format!("include:\n  - l{i}a.yaml\n  - l{i}b.yaml\n");
    files.push((
        "compose.yaml".to_owned(),
        format!("name: diamond\n{}", level(1)),
    ));
    for i in 1..depth {
        for side in ["a", "b"] {
            files.push((format!("l{i}{side}.yaml"), level(i + 1)));
        }
    }
    for side in ["a", "b"] {
        files.push((
            format!("l{depth}{side}.yaml"),
            format!("services:\n  {side}:\n    image: nginx\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let work = project(&refs);
    let out = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out", "-q"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        work.path()
            .join("out/diamond-a.task-definition.json")
            .is_file()
    );
    assert!(
        work.path()
            .join("out/diamond-b.task-definition.json")
            .is_file()
    );
}
