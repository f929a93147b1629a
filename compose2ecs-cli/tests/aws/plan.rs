//! `plan` showing exactly what `deploy` would change.

use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

#[test]
fn plan_shows_exactly_what_deploy_would_change_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let work = tempfile::tempdir().unwrap();
    let compose = |tag: &str, level: &str, replicas: u32| {
        format!(
            "name: pl\nservices:\n  web:\n    image: app:{tag}\n    mem_limit: 512m\n    ports: [\"8080\"]\n    environment: {{LOG_LEVEL: {level}, DB_PASSWORD_FILE: /run/x}}\n    deploy: {{replicas: {replicas}}}\n  db:\n    image: postgres:16\n    mem_limit: 512m\n"
        )
    };
    std::fs::write(work.path().join("compose.yaml"), compose("1", "info", 1)).unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        shop_overlay(&subnet, &group),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = compose2ecs(work.path(), &moto, &aws_bin, args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Nothing deployed: everything is new.
    let (code, stdout, stderr) = run(&["plan", "-q"]);
    assert_eq!(code, Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("+ pl-web: a new family") && stdout.contains("service pl-web: created"),
        "{stdout}"
    );

    let (code, _, stderr) = run(&["deploy", "--no-wait", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, stderr) = run(&["plan", "-q"]);
    assert_eq!(
        code,
        Some(0),
        "a deployed project plans no change:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains("= pl-web: task definition pl-web:1, unchanged"),
        "{stdout}"
    );
    assert!(
        stderr.contains("plan: no changes in 2 families"),
        "{stderr}"
    );

    // An image tag, an environment value and the desired count.
    std::fs::write(work.path().join("compose.yaml"), compose("2", "debug", 3)).unwrap();
    let (code, stdout, stderr) = run(&["plan", "-q", "--format", "json"]);
    assert_eq!(code, Some(3), "{stdout}{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["status"], "changes");
    let families = doc["families"].as_array().unwrap();
    let web = families.iter().find(|f| f["family"] == "pl-web").unwrap();
    let paths = |v: &serde_json::Value| -> Vec<String> {
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        paths(&web["taskDefinition"]),
        [
            "containerDefinitions[web].environment[LOG_LEVEL].value",
            "containerDefinitions[web].image",
        ],
        "{web}"
    );
    assert_eq!(paths(&web["service"]), ["desiredCount"], "{web}");
    let count = &web["service"]["changes"][0];
    assert_eq!(
        (count["live"].as_str(), count["ours"].as_str()),
        (Some("1"), Some("3"))
    );
    let cost = &web["monthlyCost"];
    let (live, planned) = (
        cost["live"].as_f64().unwrap(),
        cost["planned"].as_f64().unwrap(),
    );
    assert!(
        (planned - 3.0 * live).abs() < 1e-9,
        "three tasks cost three times one: {cost}"
    );
    let db = families.iter().find(|f| f["family"] == "pl-db").unwrap();
    assert_eq!(db["taskDefinition"]["state"], "unchanged");
    assert_eq!(db["service"]["state"], "unchanged");

    // The human form says the same, and never a credential-like value.
    let (_, stdout, _) = run(&["plan", "-q"]);
    assert!(
        stdout.contains("containerDefinitions[web].image: \"app:1\" → \"app:2\""),
        "{stdout}"
    );
    assert!(stdout.contains("desiredCount: 1 → 3"), "{stdout}");
    assert!(!stdout.contains("/run/x"), "{stdout}");

    let (code, _, stderr) = run(&["deploy", "--no-wait", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, stderr) = run(&["plan", "-q"]);
    assert_eq!(
        code,
        Some(0),
        "applied, the plan is clean again:\n{stdout}{stderr}"
    );

    // deploy --plan shows it first, and registers no revision equal to the
    // live one.
    let (code, _, stderr) = run(&["deploy", "--plan", "--no-wait", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("= pl-web: task definition pl-web:2, unchanged"),
        "{stderr}"
    );
    assert!(
        stderr.contains("task definition pl-web:2 is unchanged: it runs again, no new revision"),
        "{stderr}"
    );
    let latest = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "describe-task-definition",
            "--task-definition",
            "pl-web",
        ],
    )
    .unwrap();
    assert_eq!(latest["taskDefinition"]["revision"].as_u64(), Some(2));
}
