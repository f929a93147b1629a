//! The support table against the code and the docs:
//!
//! - (`docs/compose-support.md` and `docs/diagnostics.md` are checked against
//!   the table by the unit tests of `model::support`);
//! - converting compose-go's `full-example.yml` (nearly every key of the
//!   spec) on FARGATE and on EC2 accounts for every key it contains: each
//!   shows up in the task definition at the paths the table names, or in a
//!   diagnostic with its key path and file:line — none is dropped silently;
//! - on FARGATE, the keys the table refuses there are errors naming the key,
//!   the value and FARGATE.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use compose2ecs_core::model::support::{self, Handling, KeySupport};
use compose2ecs_core::{Diagnostic, Environment, Input, Options, Severity, Source, convert};
use serde_json::Value as Json;

fn full_example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/compose-go/loader/full-example.yml")
}

/// full-example.yml, plus the two services it depends on without defining
/// them, with an overlay for `launch`.
fn input(compose_text: &str, overlay: &str) -> Input {
    let file = full_example();
    let mut input =
        Input::from_files(std::slice::from_ref(&file), &[], Environment::new(), &[]).unwrap();
    input.compose[0].text = compose_text.to_owned();
    input
        .with_compose(Source::new(
            file.with_file_name("deps.yaml"),
            "services:\n  db: {image: postgres:16}\n  redis: {image: redis:7}\n",
        ))
        .with_overlay(format!(
            "region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\nimages: {{registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com}}\n\
             secrets:\n  secret1: arn:aws:secretsmanager:us-east-1:123456789012:secret:s1-AbCdEf\n  \
             secret2: arn:aws:ssm:us-east-1:123456789012:parameter/s2\n{overlay}"
        ))
}

/// Whether `path` (`containerDefinitions[].linuxParameters.tmpfs`, or
/// `service.desiredCount` in the service definition) holds something in the
/// task, for the container `container`.
fn present(task: &Json, service: &Json, container: &str, path: &str) -> bool {
    if let Some(rest) = path.strip_prefix("service.") {
        return present(service, &Json::Null, container, rest);
    }
    let (mut nodes, rest): (Vec<&Json>, &str) = match path.strip_prefix("containerDefinitions[].") {
        Some(rest) => (
            task["containerDefinitions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["name"] == container)
                .collect(),
            rest,
        ),
        None => (vec![task], path),
    };
    for seg in rest.split('.') {
        let (key, each) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        nodes = nodes
            .into_iter()
            .filter_map(|n| n.get(key))
            .flat_map(|n| match (each, n.as_array()) {
                (true, Some(items)) => items.iter().collect(),
                _ => vec![n],
            })
            .collect();
    }
    nodes.iter().any(|n| match n {
        Json::Null => false,
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
        _ => true,
    })
}

/// A diagnostic about this key path (or below it) that points at a line.
fn reported<'a>(diagnostics: &'a [Diagnostic], path: &str) -> Option<&'a Diagnostic> {
    diagnostics.iter().find(|d| {
        d.location.is_some()
            && d.path.as_deref().is_some_and(|p| {
                p == path
                    || p.starts_with(&format!("{path}."))
                    || p.starts_with(&format!("{path}["))
            })
    })
}

/// Checks every key of every service of `tree` against the output.
fn every_key_is_accounted_for(
    tree: &Json,
    tasks: &[(Json, Json)],
    diagnostics: &[Diagnostic],
    launch: compose2ecs_core::overlay::LaunchType,
) -> Vec<String> {
    let mut missing = Vec::new();
    let mut check = |row: &KeySupport, path: &str, service: &str, container: &str| {
        let task = tasks.iter().find(|(t, _)| {
            t["containerDefinitions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["name"] == container)
        });
        let shown =
            task.is_some_and(|(t, svc)| row.ecs.iter().any(|e| present(t, svc, container, e)));
        let told = reported(diagnostics, path);
        let ok = match row.on(launch) {
            Handling::Mapped | Handling::Transformed => shown || told.is_some(),
            Handling::Noted | Handling::Dropped => told.is_some(),
            Handling::Error => told.is_some_and(Diagnostic::is_error),
            _ => false,
        };
        if !ok {
            missing.push(format!("{path} ({:?}) of {service}", row.on(launch)));
        }
    };
    for (service, body) in tree["services"].as_object().unwrap() {
        let container = body["container_name"].as_str().unwrap_or(service);
        for key in body.as_object().unwrap().keys() {
            if key.starts_with("x-") || key == "deploy" {
                continue;
            }
            let row = support::service_key(key).unwrap_or_else(|| panic!("no row for {key}"));
            check(
                row,
                &format!("services.{service}.{key}"),
                service,
                container,
            );
        }
        // deploy, key by key.
        if let Some(deploy) = body.get("deploy").and_then(Json::as_object) {
            for (k, v) in deploy {
                if k == "resources" {
                    for (which, entries) in v.as_object().unwrap() {
                        for r in entries.as_object().unwrap().keys() {
                            let row = support::nested_key(&format!("deploy.resources.{which}.{r}"))
                                .unwrap_or_else(|| {
                                    panic!("no row for deploy.resources.{which}.{r}")
                                });
                            check(
                                row,
                                &format!("services.{service}.deploy.resources.{which}.{r}"),
                                service,
                                container,
                            );
                        }
                    }
                    continue;
                }
                let row = support::nested_key(&format!("deploy.{k}"))
                    .unwrap_or_else(|| panic!("no row for deploy.{k}"));
                check(
                    row,
                    &format!("services.{service}.deploy.{k}"),
                    service,
                    container,
                );
            }
        }
    }
    for key in tree.as_object().unwrap().keys() {
        if key.starts_with("x-") {
            continue;
        }
        let row =
            support::top_level_key(key).unwrap_or_else(|| panic!("no row for top-level {key}"));
        let ok = match row.on(launch) {
            Handling::Noted | Handling::Dropped => reported(diagnostics, key).is_some(),
            _ => true, // services, name, volumes: shown by the tasks themselves
        };
        if !ok {
            missing.push(format!("top-level {key}"));
        }
    }
    missing
}

/// Each task definition with its service definition, as JSON.
fn outputs(conversion: &compose2ecs_core::Conversion) -> Vec<(Json, Json)> {
    conversion
        .task_definitions
        .iter()
        .map(|(family, t)| {
            (
                serde_json::to_value(t).unwrap(),
                serde_json::to_value(&conversion.services[family]).unwrap(),
            )
        })
        .collect()
}

fn tree_of(input: &Input) -> Json {
    compose2ecs_core::resolve(input).unwrap().0.to_json()
}

#[test]
fn full_example_on_ec2_accounts_for_every_key() {
    let text = std::fs::read_to_string(full_example()).unwrap();
    let input = input(&text, "launch_type: EC2\nnetwork_mode: bridge\n");
    // compose-go's full example fails its own consistency check (undefined
    // `db`, `network_mode` with `networks`); its keys are what matter here.
    let options = Options::default().without_consistency_check();
    let conversion = convert(&input, &options).unwrap_or_else(|e| panic!("{e}"));
    let tasks = outputs(&conversion);
    let missing = every_key_is_accounted_for(
        &tree_of(&input),
        &tasks,
        &conversion.diagnostics,
        compose2ecs_core::overlay::LaunchType::Ec2,
    );
    assert!(
        missing.is_empty(),
        "dropped without a word on EC2:\n{}",
        missing.join("\n")
    );
    // EC2 specifics: bridge, host ports kept, privileged kept.
    let (foo, foo_service) = &tasks
        .iter()
        .find(|(t, _)| t["family"] == "full_example_project_name-foo")
        .unwrap();
    assert_eq!(foo_service["desiredCount"], 6);
    assert_eq!(foo_service["launchType"], "EC2");
    assert_eq!(foo["requiresCompatibilities"], serde_json::json!(["EC2"]));
    assert_eq!(foo["networkMode"], "bridge");
    let c = &foo["containerDefinitions"][0];
    assert_eq!(c["privileged"], true);
    assert!(
        c["portMappings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["hostPort"] == 49100)
    );
    assert!(
        c["portMappings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["hostPort"] == 0)
    );
}

#[test]
fn full_example_on_fargate_refuses_what_fargate_cannot_run_and_accounts_for_the_rest() {
    let text = std::fs::read_to_string(full_example()).unwrap();
    let err = convert(
        &input(&text, ""),
        &Options::default().without_consistency_check(),
    )
    .unwrap_err();
    let refused: Vec<&Diagnostic> = err
        .errors()
        .filter(|d| d.code == compose2ecs_core::Code::LaunchTypeUnsupported)
        .collect();
    // Every key the table refuses on FARGATE, present in foo, is an error
    // naming it and FARGATE.
    let tree = tree_of(&input(&text, "launch_type: EC2\n"));
    let foo = tree["services"]["foo"].as_object().unwrap();
    let mut expected: Vec<&str> = support::SERVICE_KEYS
        .iter()
        .filter(|r| r.fargate == Handling::Error && foo.contains_key(r.key))
        .map(|r| r.key)
        .collect();
    expected.push("cap_add"); // cap_add: [ALL]: FARGATE adds only SYS_PTRACE
    for key in &expected {
        let d = refused
            .iter()
            .find(|d| {
                // A list item's own path: `cap_add[0]`.
                d.path.as_deref().is_some_and(|p| {
                    p == format!("services.foo.{key}")
                        || p.starts_with(&format!("services.foo.{key}["))
                })
            })
            .unwrap_or_else(|| panic!("no FARGATE error for {key}: {err}"));
        assert!(
            d.message.contains(key) && d.message.contains("FARGATE"),
            "{}",
            d.message
        );
        assert!(d.location.is_some());
    }
    assert_eq!(refused.len(), expected.len(), "{err}");
    assert!(
        err.errors()
            .all(|d| d.code == compose2ecs_core::Code::LaunchTypeUnsupported),
        "{err}"
    );

    // Without those keys it converts, and every other key is accounted for.
    let mut stripped = String::new();
    let mut skipping = false;
    for line in text.lines() {
        let top = line
            .strip_prefix("    ")
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#'));
        if let Some(l) = top {
            let key = l.split(':').next().unwrap_or_default();
            skipping = expected.contains(&key) && !l.is_empty();
        } else if !line.starts_with("     ") && !line.trim().is_empty() {
            skipping = false;
        }
        if !skipping {
            stripped.push_str(line);
            stripped.push('\n');
        }
    }
    let input = input(&stripped, "");
    let conversion = convert(&input, &Options::default().without_consistency_check())
        .unwrap_or_else(|e| panic!("{e}"));
    let tasks = outputs(&conversion);
    let tree = tree_of(&input);
    for key in &expected {
        assert!(
            tree["services"]["foo"].get(*key).is_none(),
            "{key} was not stripped"
        );
    }
    let missing = every_key_is_accounted_for(
        &tree,
        &tasks,
        &conversion.diagnostics,
        compose2ecs_core::overlay::LaunchType::Fargate,
    );
    assert!(
        missing.is_empty(),
        "dropped without a word on FARGATE:\n{}",
        missing.join("\n")
    );
    assert!(
        conversion
            .diagnostics
            .iter()
            .all(|d| d.severity != Severity::Error)
    );
}

#[test]
fn the_committed_overlay_schema_is_generated_from_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/overlay.schema.json");
    let fresh = compose2ecs_core::schema::overlay();
    if std::env::var_os("COMPOSE2ECS_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == fresh,
        "schemas/overlay.schema.json is stale; regenerate it with COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core "
    );
    // It describes the overlay: strict, with every top-level key.
    let schema: Json = serde_json::from_str(&fresh).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    for key in [
        "region", "roles", "network", "logs", "secrets", "images", "volumes", "cluster", "services",
    ] {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
}

#[test]
fn every_overlay_fixture_validates_against_the_overlay_schema() {
    let schema: Json = serde_json::from_str(&compose2ecs_core::schema::overlay()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let dir = entry.unwrap().path();
        let file = dir.join("compose2ecs.yaml");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let value: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let json = serde_json::to_value(value).unwrap_or(Json::Null);
        let valid = validator.is_valid(&json);
        // The overlay-error fixtures are invalid on purpose; the rest are not.
        let should_fail = name.starts_with("error-overlay-unknown-key")
            || name.starts_with("error-overlay-wrong-type");
        assert_eq!(valid, !should_fail, "{name}");
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn a_tuning_key_fargate_lacks_is_a_warning_and_an_override_file_resets_it() {
    let compose = "services:\n  db:\n    image: postgres:16\n    shm_size: 256m\n";
    let run = |files: &[(&str, &str)]| {
        let mut input = Input::from_yaml(compose).without_disk();
        for (name, text) in files {
            input = input.with_compose(Source::new(*name, *text));
        }
        compose2ecs_core::convert(&input, &compose2ecs_core::Options::default()).unwrap()
    };
    let c = run(&[]);
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.path.as_deref() == Some("services.db.shm_size"))
        .unwrap();
    assert_eq!(d.severity, compose2ecs_core::Severity::Warning);
    assert!(d.help.as_deref().unwrap().contains("shm_size: !reset null"));
    let td = compose2ecs_core::to_json(c.task_definitions.values().next().unwrap());
    assert!(!td.contains("sharedMemorySize"), "{td}");
    // The route the help gives: an override file, upstream's file untouched.
    let c = run(&[(
        "ecs.override.yaml",
        "services:\n  db:\n    shm_size: !reset null\n",
    )]);
    assert!(
        !c.diagnostics
            .iter()
            .any(|d| d.path.as_deref() == Some("services.db.shm_size")),
        "{:?}",
        c.diagnostics
    );
}

#[test]
fn without_an_overlay_a_missing_execution_role_points_at_the_service() {
    let compose =
        "services:\n  api:\n    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1\n";
    let e = compose2ecs_core::convert(
        &Input::from_yaml(compose).without_disk(),
        &compose2ecs_core::Options::default(),
    )
    .unwrap_err();
    let d = e
        .errors()
        .find(|d| d.code == compose2ecs_core::Code::MissingExecutionRole)
        .unwrap();
    assert!(
        d.message.contains("pulls from a private ECR repository"),
        "{d}"
    );
    let loc = d.location.as_ref().unwrap();
    assert_eq!(
        (loc.file.to_string_lossy().as_ref(), loc.line),
        ("compose.yaml", 2)
    );
}
