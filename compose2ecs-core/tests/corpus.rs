//! The 39 awesome-compose projects (`corpus/awesome-compose`, CC0), written
//! for laptops, converted as a new user would: with an overlay that gives
//! only AWS facts — region, roles, network, the registry of built images, an
//! ARN for every compose secret, and EC2 where a project cannot run on
//! FARGATE. Each project either converts, with outputs that break none of
//! ECS's server-side rules and that no secret value reaches, or is refused
//! with errors that each say where and why. The outcome of every project is
//! the snapshot `snapshots/corpus__outcomes.snap`, reviewed like any other.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use compose2ecs_core::{Environment, Input, Options, Severity, convert};

/// Projects that need the EC2 launch type, and why: what FARGATE cannot
/// give them.
const ON_EC2: &[(&str, &str)] = &[
    (
        "pihole-cloudflared-DoH",
        "host networking for DNS, NET_ADMIN",
    ),
    ("wireguard", "NET_ADMIN, SYS_MODULE and /lib/modules"),
    ("portainer", "the Docker socket"),
    ("plex", "host networking"),
    ("traefik-golang", "the Docker socket"),
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/awesome-compose")
}

fn compose_file(dir: &Path) -> Option<PathBuf> {
    [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
    ]
    .iter()
    .map(|n| dir.join(n))
    .find(|p| p.is_file())
}

/// The AWS facts, and nothing about the application.
fn overlay(name: &str, compose: &str) -> String {
    let mut o = String::from(
        "region: us-east-1\n\
         roles: {execution: \"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\", task: \"arn:aws:iam::123456789012:role/app\"}\n\
         network: {subnets: [subnet-0a1b2c3d4e5f60718], security_groups: [sg-0a1b2c3d4e5f60718]}\n\
         images: {registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com, tag: \"1.0.0\"}\n",
    );
    if ON_EC2.iter().any(|(p, _)| *p == name) {
        o.push_str("launch_type: EC2\nnetwork_mode: bridge\n");
    }
    // An ARN for every top-level compose secret.
    let tree: serde_json::Value = serde_norway::from_str(compose).unwrap_or_default();
    if let Some(secrets) = tree.get("secrets").and_then(|s| s.as_object()) {
        o.push_str("secrets:\n");
        for name in secrets.keys() {
            let _ = writeln!(
                o,
                "  {name}: arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"
            );
        }
    }
    o
}

#[test]
fn every_corpus_project_converts_or_is_refused_with_reasons() {
    let mut projects: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    assert_eq!(projects.len(), 39);
    let mut outcomes = String::new();
    for dir in &projects {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let file = compose_file(dir).unwrap_or_else(|| panic!("{name}: no compose file"));
        let text = std::fs::read_to_string(&file).unwrap();
        let input = Input::from_files(std::slice::from_ref(&file), &[], Environment::new(), &[])
            .unwrap()
            .with_overlay(overlay(&name, &text));
        match convert(&input, &Options::default()) {
            Ok(c) => {
                for (family, td) in &c.task_definitions {
                    let json = serde_json::to_value(td).unwrap();
                    assert!(
                        compose2ecs_core::schema::task_definition_json(&json).is_empty(),
                        "{name}/{family}"
                    );
                    // A job has a run-task input and no service; every
                    // other task has a service.
                    assert_ne!(
                        c.jobs.contains_key(family),
                        c.services.contains_key(family),
                        "{name}/{family}"
                    );
                    for cd in &td.container_definitions {
                        // Images ECS can pull: no bare local build name.
                        assert!(!cd.image.is_empty(), "{name}/{family}/{}", cd.name);
                    }
                }
                // No secret file's content reaches any output.
                let all: String = c
                    .task_definitions
                    .values()
                    .map(compose2ecs_core::to_json)
                    .collect();
                for secret in secret_files(dir, &text) {
                    assert!(
                        !all.contains(&secret),
                        "{name}: a secret file's content is in the output"
                    );
                }
                let count = |s: Severity| c.diagnostics.iter().filter(|d| d.severity == s).count();
                let _ = writeln!(
                    outcomes,
                    "{name}: converts: {} tasks ({} jobs), {} warnings, {} notes",
                    c.task_definitions.len(),
                    c.jobs.len(),
                    count(Severity::Warning),
                    count(Severity::Note)
                );
            }
            Err(e) => {
                let errors: Vec<_> = e.errors().collect();
                assert!(!errors.is_empty(), "{name}");
                let mut codes: Vec<&str> = Vec::new();
                for d in &errors {
                    // Says where and why: a location (or key path) and a
                    // message, for every error.
                    assert!(
                        d.location.is_some() || d.path.is_some(),
                        "{name}: an error with no place: {d}"
                    );
                    assert!(!d.message.is_empty());
                    if !codes.contains(&d.code.as_str()) {
                        codes.push(d.code.as_str());
                    }
                }
                let _ = writeln!(
                    outcomes,
                    "{name}: refused: {} errors ({})",
                    errors.len(),
                    codes.join(", ")
                );
            }
        }
    }
    let refused = outcomes.lines().filter(|l| l.contains("refused")).count();
    assert!(
        refused * 3 < projects.len(),
        "most laptop projects convert with AWS facts alone:\n{outcomes}"
    );
    insta::assert_snapshot!("outcomes", outcomes);
}

/// The contents of the project's secret files (`secrets: {x: {file: …}}`),
/// which must never reach an output.
fn secret_files(dir: &Path, compose: &str) -> Vec<String> {
    let tree: serde_json::Value = serde_norway::from_str(compose).unwrap_or_default();
    let Some(secrets) = tree.get("secrets").and_then(|s| s.as_object()) else {
        return Vec::new();
    };
    secrets
        .values()
        .filter_map(|s| s.get("file")?.as_str())
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .map(|t| t.trim().to_owned())
        .filter(|t| t.len() >= 6)
        .collect()
}
