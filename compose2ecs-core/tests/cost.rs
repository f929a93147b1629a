//! The cost of the seed example from the shipped price table: the figure is
//! computed here from the table's rates, never written down.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use compose2ecs_core::{Environment, Input, Options, convert, cost};

fn seed() -> compose2ecs_core::Conversion {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/seed-student-rest");
    let input = Input::from_files(
        &[dir.join("compose.yaml")],
        &[dir.join("compose2ecs.yaml")],
        Environment::new(),
        &[],
    )
    .unwrap();
    convert(&input, &Options::default()).unwrap()
}

#[test]
fn the_seed_costs_what_the_table_says() {
    let c = seed();
    let td = &c.task_definitions["student-rest"];
    assert_eq!(
        (td.cpu.as_deref(), td.memory.as_deref()),
        (Some("512"), Some("1024"))
    );
    let table = cost::table();
    let rates = &table.regions["us-east-1"].X86_64;
    let costs = cost::of(&c);
    let rest = costs.iter().find(|f| f.family == "student-rest").unwrap();
    let hour = 0.5 * rates.vcpu_hour + 1.0 * rates.gb_hour;
    assert!((rest.task_hour.unwrap() - hour).abs() < 1e-12, "{rest:?}");
    let month = hour * table.hours_per_month * f64::from(c.services["student-rest"].desired_count);
    assert!((rest.monthly.unwrap() - month).abs() < 1e-9, "{rest:?}");
    assert!(
        rest.basis.contains("0.5 vCPU, 1 GB, X86_64"),
        "{}",
        rest.basis
    );
    assert_eq!(table.hours_per_month, 730.0);
    assert!(
        table
            .source
            .starts_with("https://aws.amazon.com/fargate/pricing")
    );
}

#[test]
fn arm_ec2_and_overrides_are_priced_as_they_are_billed() {
    let project = "name: p\nservices:\n  web:\n    image: nginx\n    platform: linux/arm64\n";
    let overlay = |extra: &str| {
        format!(
            "region: us-east-1\nroles: {{execution: arn:aws:iam::123456789012:role/exec}}\nservices:\n  web: {{cpu: 1024, memory: 2048}}\n{extra}"
        )
    };
    let run = |overlay: String| {
        let c = convert(
            &Input::from_yaml(project).with_overlay(overlay),
            &Options::default(),
        )
        .unwrap();
        cost::of(&c).remove(0)
    };
    let arm = &cost::table().regions["us-east-1"].ARM64;
    let web = run(overlay(""));
    assert!((web.task_hour.unwrap() - (arm.vcpu_hour + 2.0 * arm.gb_hour)).abs() < 1e-12);
    let discounted = run(overlay("pricing: {vcpu_hour: 0.02, gb_hour: 0.002}\n"));
    assert!((discounted.task_hour.unwrap() - (0.02 + 2.0 * 0.002)).abs() < 1e-12);
    assert!(discounted.basis.contains("`pricing`"));
    let ec2 = run(overlay("launch_type: EC2\nnetwork_mode: bridge\n"));
    assert_eq!((ec2.task_hour, ec2.monthly), (None, None));
    assert!(
        ec2.basis.contains("billed by the capacity"),
        "{}",
        ec2.basis
    );
    let elsewhere = run(overlay("").replace("us-east-1", "ap-south-2"));
    assert!(
        elsewhere.task_hour.is_none() && elsewhere.basis.contains("set `pricing:"),
        "{}",
        elsewhere.basis
    );
}

#[test]
fn a_spot_share_is_counted_by_base_and_weight_and_priced_at_the_overlays_spot_rates() {
    let compose = "name: shop\nservices:\n  web:\n    image: nginx\n    deploy: {replicas: 5, resources: {limits: {cpus: '1', memory: 2g}}}\n";
    let overlay = |pricing: &str| {
        format!(
            "region: us-east-1\nroles: {{execution: arn:aws:iam::123456789012:role/exec}}\ncapacity: [{{provider: FARGATE_SPOT, weight: 3}}, {{provider: FARGATE, base: 1, weight: 1}}]\n{pricing}"
        )
    };
    let run = |o: String| {
        convert(
            &Input::from_yaml(compose).with_overlay(o),
            &Options::default(),
        )
        .unwrap()
    };
    // 5 tasks: 1 on the FARGATE base, the other 4 split 3:1, so 3 on Spot.
    let c = run(overlay(""));
    let strategy = &c.services["shop-web"].capacity_provider_strategy;
    assert!((cost::spot_tasks(strategy, 5) - 3.0).abs() < 1e-9);
    // Without Spot rates: priced on demand, and said so.
    let on_demand = cost::of(&c).remove(0);
    assert!(
        on_demand
            .basis
            .contains("3.0 of 5 tasks on FARGATE_SPOT, priced on demand"),
        "{}",
        on_demand.basis
    );
    // With them: the three Spot tasks' hours at the Spot rates.
    let c = run(overlay(
        "pricing: {vcpu_hour: 0.04, gb_hour: 0.004, spot_vcpu_hour: 0.012, spot_gb_hour: 0.0013}\n",
    ));
    let spot = cost::of(&c).remove(0);
    let hours = cost::table().hours_per_month;
    let (od_hour, spot_hour) = (1.0 * 0.04 + 2.0 * 0.004, 1.0 * 0.012 + 2.0 * 0.0013);
    let want = (2.0 * od_hour + 3.0 * spot_hour) * hours;
    assert!(
        (spot.monthly.unwrap() - want).abs() < 1e-6,
        "{spot:?} vs {want}"
    );
}
