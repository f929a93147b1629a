//! `ps`, `scale` and `down` on the project's tagged resources only.

use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

#[test]
fn ps_scale_and_down_work_on_the_projects_tagged_resources_only() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: tg\nservices:\n  web:\n    image: app:1\n    mem_limit: 512m\n    deploy: {replicas: 2}\n  worker:\n    image: app:1\n    mem_limit: 512m\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        format!(
            "{}tags: {{team: shop}}\nservices:\n  web:\n    scaling: {{min: 1, max: 4, cpu: 60}}\n",
            shop_overlay(&subnet, &group)
        ),
    )
    .unwrap();
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(0), "{stderr}");

    // The tags, as ECS reports them.
    let described = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "describe-services",
            "--cluster",
            "shop",
            "--services",
            "tg-web",
            "--include",
            "TAGS",
        ],
    )
    .unwrap();
    let service = &described["services"][0];
    let tags = service["tags"].as_array().unwrap().clone();
    for want in [
        serde_json::json!({"key": "compose2ecs:project", "value": "tg"}),
        serde_json::json!({"key": "compose2ecs:service", "value": "web"}),
        serde_json::json!({"key": "team", "value": "shop"}),
    ] {
        assert!(tags.contains(&want), "{want} not in {tags:?}");
    }
    let listed = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "list-tags-for-resource",
            "--resource-arn",
            service["serviceArn"].as_str().unwrap(),
        ],
    )
    .unwrap();
    assert!(
        listed["tags"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"key": "compose2ecs:project", "value": "tg"})),
        "{listed}"
    );

    // ps: a row per service with its desired count.
    let out = compose2ecs(work.path(), &moto, &aws_bin, &["ps", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = ps["services"].as_array().unwrap();
    let count = |s: &str| {
        rows.iter()
            .find(|r| r["service"] == s)
            .map(|r| r["desired"].clone())
    };
    assert_eq!(count("web"), Some(2.into()), "{ps}");
    assert_eq!(count("worker"), Some(1.into()), "{ps}");
    let out = compose2ecs(work.path(), &moto, &aws_bin, &["ps"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        table.starts_with("SERVICE") && table.contains("tg-web") && table.contains("tg-worker"),
        "{table}"
    );

    // scale: within the scaling limits only.
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["scale", "web=9"],
    ));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("scales between 1 and 4 tasks"), "{stderr}");
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["scale", "web=3", "worker=0"],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    let d = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "describe-services",
            "--cluster",
            "shop",
            "--services",
            "tg-web",
            "tg-worker",
        ],
    )
    .unwrap();
    let counts: Vec<u64> = d["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["desiredCount"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 0]);

    // Another project's service in the same cluster, and one of ours whose
    // project tag is gone: neither is compose2ecs's to remove.
    let family = serde_json::json!({"family": "other-api", "containerDefinitions": [{"name": "api", "image": "app:1", "memory": 128}]});
    let file = work.path().join("other.json");
    std::fs::write(&file, family.to_string()).unwrap();
    aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "register-task-definition",
            "--cli-input-json",
            &format!("file://{}", file.display()),
        ],
    )
    .unwrap();
    aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "create-service",
            "--cluster",
            "shop",
            "--service-name",
            "other-api",
            "--task-definition",
            "other-api",
            "--desired-count",
            "1",
        ],
    )
    .unwrap();
    let worker_arn = d["services"][1]["serviceArn"].as_str().unwrap().to_owned();
    aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "untag-resource",
            "--resource-arn",
            &worker_arn,
            "--tag-keys",
            "compose2ecs:project",
        ],
    )
    .unwrap();

    // Not on a terminal, down refuses without --yes; --dry-run lists.
    let (code, stderr) = finished(&mut compose2ecs(work.path(), &moto, &aws_bin, &["down"]));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("pass --yes"), "{stderr}");
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["down", "--dry-run"],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("would remove service tg-web (cluster shop)")
            && stderr.contains("would remove scalable target service/shop/tg-web"),
        "{stderr}"
    );
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["down", "--yes", "--deregister"],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("service tg-worker (cluster shop) has no tag compose2ecs:project=tg")
            && stderr.contains("left alone"),
        "{stderr}"
    );
    let left = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "describe-services",
            "--cluster",
            "shop",
            "--services",
            "tg-web",
            "tg-worker",
            "other-api",
        ],
    )
    .unwrap();
    let active: Vec<&str> = left["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "ACTIVE")
        .map(|s| s["serviceName"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["tg-worker", "other-api"], "{left}");
    let targets = aws(
        &aws_bin,
        &moto,
        &[
            "application-autoscaling",
            "describe-scalable-targets",
            "--service-namespace",
            "ecs",
        ],
    )
    .unwrap();
    assert!(
        targets["ScalableTargets"].as_array().unwrap().is_empty(),
        "{targets}"
    );
    // The project's revisions are deregistered; the other project's is not.
    let active_defs = aws(
        &aws_bin,
        &moto,
        &["ecs", "list-task-definitions", "--status", "ACTIVE"],
    )
    .unwrap();
    let defs: Vec<&str> = active_defs["taskDefinitionArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(defs.iter().all(|a| !a.contains("/tg-")), "{defs:?}");
    assert!(defs.iter().any(|a| a.contains("/other-api:")), "{defs:?}");
}
