//! Secrets never leak: marker strings planted in every place a secret or the
//! local value of a mapped variable can come from must appear in no output
//! file, on no stdout and in no message — on success, on `--stdout`, with
//! `--format json`, and when the conversion fails.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;

/// Where each marker is planted.
const MARKERS: &[(&str, &str)] = &[
    (
        "LEAK_ENV_LITERAL_7f3a",
        "a literal `environment` value of a mapped variable",
    ),
    (
        "LEAK_DOTENV_9b1c",
        "a `.env` value interpolated into a mapped variable",
    ),
    (
        "LEAK_ENVFILE_2d4e",
        "an `env_file` value of a variable mapped per service",
    ),
    (
        "LEAK_SECRET_FILE_5a6b",
        "the content of a compose secret's file",
    ),
    (
        "LEAK_SECRET_ENV_8c9d",
        "the process variable a compose secret is read from",
    ),
    (
        "LEAK_PROCESS_3e4f",
        "a process-environment value of a mapped variable",
    ),
];

const COMPOSE: &str = r#"
name: leak
services:
  app:
    image: example/app:1
    env_file: app.env
    environment:
      DB_PASSWORD: LEAK_ENV_LITERAL_7f3a
      API_TOKEN: ${API_TOKEN}
      PROCESS_PASSWORD: ${PROCESS_PASSWORD}
      LOG_LEVEL: info
    secrets: [db_cert, api_key]
secrets:
  db_cert:
    file: ./cert.pem
  api_key:
    environment: API_KEY_SRC
"#;

const OVERLAY: &str = r#"
region: us-east-1
roles: {execution: "arn:aws:iam::123456789012:role/exec"}
secrets:
  DB_PASSWORD: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
  API_TOKEN: /prod/api-token
  PROCESS_PASSWORD: /prod/process-password
  db_cert: arn:aws:ssm:us-east-1:123456789012:parameter/prod/db-cert
  api_key: arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-XyZ
services:
  app:
    secrets:
      SESSION_SECRET: /prod/session
"#;

fn project(compose: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("compose.yaml", compose);
    write("compose2ecs.yaml", OVERLAY);
    write(".env", "API_TOKEN=LEAK_DOTENV_9b1c\n");
    write(
        "app.env",
        "SESSION_SECRET=LEAK_ENVFILE_2d4e\nQUEUE=default\n",
    );
    write(
        "cert.pem",
        "-----BEGIN CERT-----\nLEAK_SECRET_FILE_5a6b\n-----END CERT-----\n",
    );
    dir
}

fn run(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::cargo_bin("compose2ecs")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("API_KEY_SRC", "LEAK_SECRET_ENV_8c9d")
        .env("PROCESS_PASSWORD", "LEAK_PROCESS_3e4f")
        .args(args)
        .output()
        .unwrap();
    let mut seen = String::from_utf8_lossy(&out.stdout).into_owned();
    seen.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), seen)
}

/// Everything under `dir/out`, concatenated.
fn written(dir: &Path) -> String {
    let mut all = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("out")) {
        for e in entries {
            all.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    all
}

fn assert_clean(what: &str, text: &str) {
    for (marker, place) in MARKERS {
        assert!(
            !text.contains(marker),
            "{what} contains {place} ({marker}):\n{text}"
        );
    }
}

#[test]
fn no_secret_or_mapped_value_reaches_any_output_or_message() {
    let dir = project(COMPOSE);
    let (ok, seen) = run(dir.path(), &["convert", "-o", "out"]);
    assert!(ok, "{seen}");
    let files = written(dir.path());
    // The conversion did write the secrets, by reference.
    assert!(
        files.contains("\"valueFrom\": \"/prod/session\""),
        "{files}"
    );
    // The compose secrets are files, written by the init container from
    // ECS secrets: by reference too.
    assert!(
        files.contains("\"name\": \"COMPOSE2ECS_SECRET_0\""),
        "{files}"
    );
    assert!(files.contains("/run/secrets/db_cert"), "{files}");
    assert!(files.contains("\"QUEUE\""), "{files}");
    assert_clean("the written files", &files);
    assert_clean("the messages of convert", &seen);

    let (ok, seen) = run(dir.path(), &["convert", "--stdout"]);
    assert!(ok);
    assert!(seen.contains("valueFrom"));
    assert_clean("convert --stdout", &seen);

    let (ok, seen) = run(dir.path(), &["convert", "-o", "out2", "--format", "json"]);
    assert!(ok);
    assert_clean("convert --format json", &seen);

    // The CloudFormation template, both forms: the secrets by reference.
    for format in ["yaml", "json"] {
        let (ok, seen) = run(
            dir.path(),
            &[
                "convert",
                "--target",
                "cloudformation",
                "--template-format",
                format,
                "--stdout",
            ],
        );
        assert!(ok, "{seen}");
        assert!(seen.contains("/prod/session"), "{seen}");
        assert!(seen.contains("COMPOSE2ECS_SECRET_0"), "{seen}");
        assert_clean("the CloudFormation template", &seen);
    }
}

#[test]
fn failing_conversions_do_not_quote_secret_values_either() {
    // A syntax error inside the mapped value itself.
    let broken = COMPOSE.replace(
        "DB_PASSWORD: LEAK_ENV_LITERAL_7f3a",
        "DB_PASSWORD: \"LEAK_ENV_LITERAL_7f3a${\"",
    );
    let dir = project(&broken);
    let (ok, seen) = run(dir.path(), &["convert", "-o", "out"]);
    assert!(!ok);
    assert!(seen.contains("error[invalid-interpolation]"), "{seen}");
    assert_clean("the messages of a failed convert", &seen);
    assert!(written(dir.path()).is_empty());

    // An unmapped variable copying a mapped one's local value.
    let copied = COMPOSE.replace("LOG_LEVEL: info", "COPY: ${API_TOKEN}");
    let dir = project(&copied);
    let (ok, seen) = run(dir.path(), &["convert", "-o", "out"]);
    assert!(!ok);
    assert!(seen.contains("error[secret-value-in-output]"), "{seen}");
    assert_clean("the messages of a refused copy", &seen);
    assert!(written(dir.path()).is_empty());

    // --strict with a warning: refused, nothing quoted.
    let warned = COMPOSE.replace("LOG_LEVEL: info", "OTHER_PASSWORD: plain");
    let dir = project(&warned);
    let (ok, seen) = run(dir.path(), &["convert", "-o", "out", "--strict"]);
    assert!(!ok);
    assert!(seen.contains("warning[plaintext-secret]"), "{seen}");
    assert_clean("the messages of --strict", &seen);
}
