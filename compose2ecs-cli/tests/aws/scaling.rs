//! `deploy` applying scaling targets, policies and schedules.

use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

#[test]
fn deploy_applies_scaling_and_schedules_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: sc\nservices:\n  web:\n    image: app:1\n    mem_limit: 512m\n    deploy: {replicas: 2}\n  backup:\n    image: app:1\n    command: [backup]\n    mem_limit: 512m\n",
    )
    .unwrap();
    let overlay = |policies: &str| {
        format!(
            "region: us-east-1\ncluster: shop\nroles:\n  execution: \"arn:aws:iam::123456789012:role/exec\"\n  scheduler: \"arn:aws:iam::123456789012:role/sched\"\n\
             logs: {{create_group: true, retention_days: 30}}\n\
             network: {{subnets: [{subnet}], security_groups: [{group}]}}\n\
             services:\n  web:\n    scaling:\n      max: 6\n      {policies}\n      schedule:\n        - {{name: night, at: \"cron(0 20 * * ? *)\", min: 1}}\n\
             \x20 backup:\n    schedule: \"rate(1 day)\"\n    schedule_timezone: Europe/Dublin\n"
        )
    };
    let write_overlay = |policies: &str| {
        std::fs::write(work.path().join("compose2ecs.yaml"), overlay(policies)).unwrap();
    };
    let cli = |args: &[&str]| finished(&mut compose2ecs(work.path(), &moto, &aws_bin, args));
    let call = |args: &[&str]| aws(&aws_bin, &moto, args).unwrap();
    let policies = || {
        let mut names: Vec<String> = call(&[
            "application-autoscaling",
            "describe-scaling-policies",
            "--service-namespace",
            "ecs",
        ])["ScalingPolicies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["PolicyName"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };

    write_overlay("cpu: 70\n      memory: 80\n      scale_out_cooldown: 60");
    let (code, stderr) = cli(&["deploy", "--no-wait"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("scaling service/shop/sc-web between 2 and 6 tasks; policies sc-web-cpu, sc-web-memory; scheduled actions sc-web-night"), "{stderr}");
    assert!(
        stderr
            .contains("created schedule sc-backup (rate(1 day), Europe/Dublin) to run sc-backup:1"),
        "{stderr}"
    );

    // logs.retention_days: each group created first, with its retention.
    let groups = call(&[
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        "/ecs/sc-",
    ]);
    let retention: Vec<(&str, u64)> = groups["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["logGroupName"].as_str().unwrap(),
                g["retentionInDays"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(retention, [("/ecs/sc-backup", 30), ("/ecs/sc-web", 30)]);

    let targets = call(&[
        "application-autoscaling",
        "describe-scalable-targets",
        "--service-namespace",
        "ecs",
    ]);
    let target = &targets["ScalableTargets"][0];
    assert_eq!(target["ResourceId"], "service/shop/sc-web");
    assert_eq!(target["ScalableDimension"], "ecs:service:DesiredCount");
    assert_eq!(
        (
            target["MinCapacity"].as_u64(),
            target["MaxCapacity"].as_u64()
        ),
        (Some(2), Some(6))
    );
    assert_eq!(policies(), ["sc-web-cpu", "sc-web-memory"]);
    let all = call(&[
        "application-autoscaling",
        "describe-scaling-policies",
        "--service-namespace",
        "ecs",
        "--policy-names",
        "sc-web-cpu",
    ]);
    let cpu = &all["ScalingPolicies"][0]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(cpu["TargetValue"].as_f64(), Some(70.0));
    assert_eq!(cpu["ScaleOutCooldown"].as_u64(), Some(60));
    assert_eq!(
        cpu["PredefinedMetricSpecification"]["PredefinedMetricType"],
        "ECSServiceAverageCPUUtilization"
    );
    let actions = call(&[
        "application-autoscaling",
        "describe-scheduled-actions",
        "--service-namespace",
        "ecs",
    ]);
    let night = &actions["ScheduledActions"][0];
    assert_eq!(night["ScheduledActionName"], "sc-web-night");
    assert_eq!(night["Schedule"], "cron(0 20 * * ? *)");
    assert_eq!(
        night["ScalableTargetAction"]["MinCapacity"].as_u64(),
        Some(1)
    );

    let schedule = call(&["scheduler", "get-schedule", "--name", "sc-backup"]);
    assert_eq!(schedule["ScheduleExpression"], "rate(1 day)");
    assert_eq!(schedule["ScheduleExpressionTimezone"], "Europe/Dublin");
    let ecs = &schedule["Target"]["EcsParameters"];
    assert_eq!(
        ecs["TaskDefinitionArn"],
        format!(
            "arn:aws:ecs:us-east-1:{}:task-definition/sc-backup:1",
            moto.account
        ),
        "the schedule runs the revision just registered"
    );
    assert_eq!(
        schedule["Target"]["Arn"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/shop"
    );
    assert_eq!(
        schedule["Target"]["RoleArn"],
        "arn:aws:iam::123456789012:role/sched"
    );
    assert_eq!(
        ecs["NetworkConfiguration"]["awsvpcConfiguration"]["Subnets"][0],
        subnet.as_str()
    );
    let services = call(&[
        "ecs",
        "describe-services",
        "--cluster",
        "shop",
        "--services",
        "sc-backup",
    ]);
    assert!(
        services["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] != "ACTIVE"),
        "a scheduled task gets no service: {services}"
    );

    // Autoscaling moved the count; a deploy leaves it, drops the policy no
    // longer asked for, and points the schedule at the new revision.
    call(&[
        "ecs",
        "update-service",
        "--cluster",
        "shop",
        "--service",
        "sc-web",
        "--desired-count",
        "5",
    ]);
    write_overlay("cpu: 60");
    let (code, stderr) = cli(&["deploy", "--no-wait"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("(its desired count is Application Auto Scaling's)"),
        "{stderr}"
    );
    assert!(stderr.contains("removed sc-web-memory"), "{stderr}");
    assert!(stderr.contains("updated schedule sc-backup"), "{stderr}");
    assert_eq!(policies(), ["sc-web-cpu"]);
    let web = call(&[
        "ecs",
        "describe-services",
        "--cluster",
        "shop",
        "--services",
        "sc-web",
    ]);
    assert_eq!(web["services"][0]["desiredCount"].as_u64(), Some(5));
    let schedule = call(&["scheduler", "get-schedule", "--name", "sc-backup"]);
    assert_eq!(
        schedule["Target"]["EcsParameters"]["TaskDefinitionArn"],
        format!(
            "arn:aws:ecs:us-east-1:{}:task-definition/sc-backup:2",
            moto.account
        )
    );
}
