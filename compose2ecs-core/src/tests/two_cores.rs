//! A large project converted on one core and on two gives the same
//! conversion, or the same refusal, to the byte: outputs, diagnostics and
//! their order (`halves.rs`).

use crate::halves::with_threshold;
use crate::{Input, Options, convert};

/// A project of `n` services of several kinds: services with ports, health
/// checks and dependencies, sizes Fargate rounds (a warning each), jobs,
/// a mapped secret, extension keys, and `extra` lines for service 0.
fn project(n: usize, late: &str) -> String {
    let mut out = String::from("name: big\nservices:\n");
    for i in 0..n {
        out.push_str(&format!("  svc{i}:\n    image: example/svc{i}:1.0\n"));
        match i % 4 {
            0 => out.push_str(&format!(
                "    ports: ['{}:8080']\n    healthcheck: {{test: [CMD, curl, -f, http://localhost:8080/]}}\n",
                10_000 + i
            )),
            1 => out.push_str(&format!(
                "    depends_on: [svc{}]\n    deploy: {{resources: {{limits: {{cpus: '0.3', memory: 300M}}}}}}\n",
                i - 1
            )),
            2 => out.push_str("    restart: \"no\"\n    command: [migrate]\n"),
            _ => out.push_str("    environment: {DB_PASSWORD: from-the-env-file, LOG: info}\n    x-note: kept\n"),
        }
        if i == n - 10 {
            out.push_str(late);
        }
    }
    out
}

const OVERLAY: &str = "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nnetwork: {subnets: [subnet-0123456789abcdef0]}\nsecrets: {DB_PASSWORD: \"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\"}\n";

/// Converts `compose` on one core and on two; the two results, as text.
fn both(compose: &str) -> (String, String) {
    let input = Input::from_yaml(compose).with_overlay(OVERLAY);
    let run = || format!("{:#?}", convert(&input, &Options::default()));
    (with_threshold(usize::MAX, run), with_threshold(1, run))
}

#[test]
fn a_large_project_converts_to_the_same_bytes_on_two_cores() {
    let (one, two) = both(&project(150, ""));
    assert!(one.starts_with("Ok("), "{}", &one[..one.len().min(2000)]);
    assert!(one.contains("TaskSizeRounded"), "the warnings are there");
    assert_eq!(one, two);
}

#[test]
fn a_large_project_is_refused_with_the_same_diagnostics_on_two_cores() {
    // A key the model refuses in the second half, and a token the guard
    // finds there too.
    let late = "    ports: ['not a port']\n    labels: {token: ghp_abcdefghijklmnopqrstuvwxyz0123456789}\n";
    let (one, two) = both(&project(150, late));
    assert!(one.starts_with("Err("), "{}", &one[..one.len().min(2000)]);
    assert_eq!(one, two);
    // The guard's refusal, on outputs that convert.
    let late = "    labels: {token: ghp_abcdefghijklmnopqrstuvwxyz0123456789}\n";
    let (one, two) = both(&project(150, late));
    assert!(
        one.contains("CredentialInOutput"),
        "{}",
        &one[..one.len().min(2000)]
    );
    assert_eq!(one, two);
}
