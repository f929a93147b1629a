//! `config`, `schema` and `policy`: what compose2ecs prints about the
//! project.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, project, repo};

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
