//! One overlay per environment: `--overlay` repeated, or `--env NAME` for
//! `compose2ecs.NAME.yaml` over `compose2ecs.yaml`, merged as compose files
//! are; `init --env NAME` writes the second file.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{bin, listing, run};

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/environments");
    common::copy_dir(&from, dir.path());
    dir
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn env_merges_the_environment_overlay_over_the_base_and_wins() {
    let dir = fixture();
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "--env", "prod", "-o", "prod"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let service = json(&dir.path().join("prod/shop-web.service.json"));
    // prod's cluster, subnets and count; the base's security group.
    assert_eq!(service["cluster"], "shop-prod");
    assert_eq!(service["desiredCount"], 3);
    let vpc = &service["networkConfiguration"]["awsvpcConfiguration"];
    assert_eq!(
        vpc["subnets"],
        serde_json::json!(["subnet-0c0c0c01", "subnet-0c0c0c02", "subnet-0c0c0c03"])
    );
    assert_eq!(vpc["securityGroups"], serde_json::json!(["sg-0a0a0a0a"]));
    // prod's size of web; worker keeps the base's.
    let web = json(&dir.path().join("prod/shop-web.task-definition.json"));
    assert_eq!(
        (&web["cpu"], &web["memory"]),
        (&"1024".into(), &"2048".into())
    );
    let worker = json(&dir.path().join("prod/shop-worker.task-definition.json"));
    assert_eq!(worker["cpu"], "256");
    // The rounded prod size is reported at its line in the prod file.
    assert!(
        r.stderr.contains("warning[task-size-rounded]")
            && r.stderr.contains("--> compose2ecs.prod.yaml:6:3"),
        "{}",
        r.stderr
    );

    // The same two files given with --overlay give the same bytes; the
    // base alone gives staging.
    let r = run(bin().current_dir(dir.path()).args([
        "convert",
        "--overlay",
        "compose2ecs.yaml",
        "--overlay",
        "compose2ecs.prod.yaml",
        "-o",
        "both",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in listing(&dir.path().join("prod")) {
        assert_eq!(
            std::fs::read(dir.path().join("prod").join(&f)).unwrap(),
            std::fs::read(dir.path().join("both").join(&f)).unwrap(),
            "{f}"
        );
    }
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "-o", "staging"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let staging = json(&dir.path().join("staging/shop-web.service.json"));
    assert_eq!(staging["cluster"], "shop-staging");
    assert_eq!(staging["desiredCount"], 1);
}

#[test]
fn a_missing_or_malformed_environment_is_refused_and_nothing_is_written() {
    let dir = fixture();
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "--env", "qa", "-o", "qa"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("environment `qa`: `compose2ecs.qa.yaml` does not exist")
            && r.stderr.contains("compose2ecs init --env qa"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("qa").exists());
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "--env", "../prod", "-o", "x"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("a name of letters, digits"),
        "{}",
        r.stderr
    );
}

#[test]
fn init_env_writes_the_environment_file_whose_placeholders_refuse_until_set() {
    let dir = fixture();
    std::fs::remove_file(dir.path().join("compose2ecs.prod.yaml")).unwrap();
    let r = run(bin()
        .current_dir(dir.path())
        .args(["init", "--env", "prod"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("compose2ecs.prod.yaml")).unwrap();
    assert!(text.contains("cluster: shop-prod"), "{text}");
    // It is never overwritten.
    let again = run(bin()
        .current_dir(dir.path())
        .args(["init", "--env", "prod"]));
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("exists"), "{}", again.stderr);

    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "--env", "prod", "-o", "out"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("compose2ecs.prod.yaml") && r.stderr.contains("PROD_SUBNET_ID"),
        "{}",
        r.stderr
    );
    let r = run(bin()
        .current_dir(dir.path())
        .env("PROD_SUBNET_ID", "subnet-0p")
        .env("PROD_SECURITY_GROUP_ID", "sg-0p")
        .args(["convert", "--env", "prod", "-o", "out"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let service = json(&dir.path().join("out/shop-web.service.json"));
    assert_eq!(service["cluster"], "shop-prod");
    assert_eq!(
        service["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(["subnet-0p"])
    );
}
