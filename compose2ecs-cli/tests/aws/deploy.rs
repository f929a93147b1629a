//! `deploy` creating, then updating, services on moto; the subnets of
//! `x-aws-vpc` looked up; a live service made to match changed settings.

use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

#[test]
fn deploy_creates_then_updates_the_services_and_times_out_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let work = tempfile::tempdir().unwrap();
    let compose = |tag: &str| {
        format!(
            "name: rt\nservices:\n  web:\n    image: nginx:{tag}\n    ports: [{{name: http, target: 80}}]\n"
        )
    };
    std::fs::write(work.path().join("compose.yaml"), compose("1")).unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        shop_overlay(&subnet, &group),
    )
    .unwrap();
    let deploy = |extra: &[&str]| {
        let args: Vec<&str> = std::iter::once("deploy")
            .chain(extra.iter().copied())
            .collect();
        finished(&mut compose2ecs(work.path(), &moto, &aws_bin, &args))
    };
    let service_revision = || {
        let d = aws(
            &aws_bin,
            &moto,
            &[
                "ecs",
                "describe-services",
                "--cluster",
                "shop",
                "--services",
                "rt-web",
            ],
        )
        .unwrap();
        d["services"][0]["taskDefinition"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let (code, stderr) = deploy(&["--no-wait"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("created service rt-web with rt-web:1"),
        "{stderr}"
    );
    assert!(service_revision().ends_with("task-definition/rt-web:1"));

    // A new image: revision 2, and the service updated to exactly it.
    std::fs::write(work.path().join("compose.yaml"), compose("2")).unwrap();
    let (code, stderr) = deploy(&["--no-wait"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("updated service rt-web to rt-web:2"),
        "{stderr}"
    );
    // (moto, like ECS, keeps the `--task-definition` value as given.)
    assert!(
        service_revision().ends_with("rt-web:2"),
        "{}",
        service_revision()
    );
    let td = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "describe-task-definition",
            "--task-definition",
            "rt-web:2",
        ],
    )
    .unwrap();
    assert_eq!(
        td["taskDefinition"]["containerDefinitions"][0]["image"],
        "nginx:2"
    );

    // moto never runs tasks: the rollout never completes, and deploy stops
    // at its timeout with exit 1.
    let (code, stderr) = deploy(&["--timeout", "1", "--interval", "0.2"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("timed out after 1s"), "{stderr}");
    assert!(
        service_revision().ends_with("rt-web:3"),
        "{}",
        service_revision()
    );
}

/// Docker's `x-aws-vpc`, as its users wrote it: deploy finds the VPC's
/// subnets with the real `aws ec2 describe-subnets` (moto's default VPC
/// and its subnets left out) and creates the service in them.
#[test]
fn deploy_looks_up_the_subnets_of_x_aws_vpc_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let call = |args: &[&str]| aws(&aws_bin, &moto, args).unwrap();
    call(&["ecs", "create-cluster", "--cluster-name", "shop"]);
    // (moto, unlike ECS, needs a security group: ECS would take the VPC's default.)
    let (vpc, mut subnets, group) = moto_vpc(call, "10.1.0.0/16", &["10.1.1.0/24", "10.1.2.0/24"]);
    let group = group.as_str();
    subnets.sort();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        format!("name: vpc\nx-aws-vpc: {vpc}\nx-aws-cluster: shop\nservices:\n  web:\n    image: nginx:1.27\n"),
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        format!("region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\nnetwork: {{security_groups: [{group}]}}\n"),
    )
    .unwrap();
    let (code, stderr) = finished(&mut compose2ecs(
        work.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("subnets of {vpc}: {}", subnets.join(", "))),
        "{stderr}"
    );
    let d = call(&[
        "ecs",
        "describe-services",
        "--cluster",
        "shop",
        "--services",
        "vpc-web",
    ]);
    assert_eq!(
        d["services"][0]["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(subnets)
    );
}

#[test]
fn deploy_makes_the_live_service_match_changed_settings_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (first, group) = moto_network(&aws_bin, &moto);
    let vpc = aws(
        &aws_bin,
        &moto,
        &["ec2", "describe-subnets", "--subnet-ids", &first],
    )
    .unwrap()["Subnets"][0]["VpcId"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = aws(
        &aws_bin,
        &moto,
        &[
            "ec2",
            "create-subnet",
            "--vpc-id",
            &vpc,
            "--cidr-block",
            "10.0.2.0/24",
        ],
    )
    .unwrap()["Subnet"]["SubnetId"]
        .as_str()
        .unwrap()
        .to_owned();
    aws(
        &aws_bin,
        &moto,
        &["ecs", "create-cluster", "--cluster-name", "shop"],
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let target_group =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
    let write = |replicas: u32, subnet: &str, port: u16| {
        std::fs::write(
            work.path().join("compose.yaml"),
            format!(
                "name: live\nservices:\n  web:\n    image: nginx\n    ports: [{{name: http, target: {port}}}]\n    deploy: {{replicas: {replicas}}}\n"
            ),
        )
        .unwrap();
        std::fs::write(
            work.path().join("compose2ecs.yaml"),
            format!(
                "region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\ncluster: shop\n\
                 network: {{subnets: [{subnet}], security_groups: [{group}]}}\n\
                 services:\n  web:\n    load_balancer: {{target_group_arn: \"{target_group}\", port: {port}}}\n"
            ),
        )
        .unwrap();
    };
    let deploy = || {
        let (code, stderr) = finished(&mut compose2ecs(
            work.path(),
            &moto,
            &aws_bin,
            &["deploy", "--no-wait"],
        ));
        assert_eq!(code, Some(0), "{stderr}");
        stderr
    };
    let live = || {
        aws(
            &aws_bin,
            &moto,
            &[
                "ecs",
                "describe-services",
                "--cluster",
                "shop",
                "--services",
                "live-web",
            ],
        )
        .unwrap()["services"][0]
            .clone()
    };

    write(5, &first, 80);
    let stderr = deploy();
    assert!(stderr.contains("created service live-web"), "{stderr}");
    let s = live();
    assert_eq!(s["desiredCount"], 5);
    assert_eq!(
        s["networkConfiguration"]["awsvpcConfiguration"]["subnets"][0],
        first.as_str()
    );
    assert_eq!(s["loadBalancers"][0]["containerPort"], 80);

    write(2, &second, 8080);
    let stderr = deploy();
    assert!(
        stderr.contains("updated service live-web to live-web:2"),
        "{stderr}"
    );
    assert!(stderr.contains("desiredCount 5 → 2"), "{stderr}");
    let s = live();
    assert_eq!(s["desiredCount"], 2, "{s}");
    assert_eq!(
        s["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!([second]),
        "{s}"
    );
    assert_eq!(s["loadBalancers"][0]["containerPort"], 8080, "{s}");
    assert!(
        s["taskDefinition"]
            .as_str()
            .unwrap()
            .ends_with("live-web:2")
    );
}
