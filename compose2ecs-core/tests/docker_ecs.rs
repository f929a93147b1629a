//! A file written for Docker's retired ECS integration converts as it is:
//! every `x-aws-*` extension it documented shows up in the output or in a
//! located diagnostic, and the ones with an overlay counterpart are read
//! into it (the overlay winning where it says the same).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use compose2ecs_core::overlay::DOCKER_ECS_EXTENSIONS;
use compose2ecs_core::{Code, Environment, Input, Options, convert};

fn fixture(overlay: bool) -> compose2ecs_core::Conversion {
    convert(&fixture_input(overlay), &Options::default()).unwrap()
}

fn fixture_input(overlay: bool) -> Input {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/docker-ecs-integration");
    let overlays = if overlay {
        vec![dir.join("compose2ecs.yaml")]
    } else {
        Vec::new()
    };
    Input::from_files(
        &[dir.join("compose.yaml")],
        &overlays,
        Environment::new(),
        &[],
    )
    .unwrap()
}

#[test]
fn every_documented_extension_is_read_or_reported_where_it_is_written() {
    let c = fixture(true);
    for ext in DOCKER_ECS_EXTENSIONS {
        let found = c.diagnostics.iter().find(|d| {
            d.code == Code::DockerEcsExtension
                && d.path.as_deref().is_some_and(|p| {
                    p.rsplit('.').next() == Some(*ext)
                        || p.ends_with(&format!(".{ext}"))
                        || p == *ext
                })
        });
        let d = found.unwrap_or_else(|| panic!("{ext}: no diagnostic"));
        let loc = d
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("{ext}: not located"));
        assert!(loc.file.ends_with("compose.yaml"), "{ext}: {loc}");
    }
    // Only Docker's: other `x-` extensions stay silent, as the spec intends.
    assert!(
        !c.diagnostics
            .iter()
            .any(|d| d.path.as_deref().is_some_and(|p| p.contains("x-tooling"))),
        "{:?}",
        c.diagnostics
    );
}

#[test]
fn the_extensions_with_an_overlay_counterpart_are_applied_and_the_overlay_wins() {
    let c = fixture(true);
    let web = &c.task_definitions["shop-web"];
    assert_eq!(
        web.task_role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/shop-web")
    );
    assert_eq!(
        web.container_definitions[0]
            .repository_credentials
            .as_ref()
            .unwrap()
            .credentials_parameter,
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr-login-Ab12Cd"
    );
    let scaling = &c.scaling["shop-web"];
    assert_eq!(
        (
            scaling.scalable_target.min_capacity,
            scaling.scalable_target.max_capacity
        ),
        (1, 6)
    );
    assert_eq!(scaling.scaling_policies.len(), 2, "cpu and memory targets");
    let deployment = &c.services["shop-web"].deployment_configuration;
    assert_eq!(
        (
            deployment.minimum_healthy_percent,
            deployment.maximum_percent
        ),
        (Some(50), Some(200))
    );
    // The registry login is read with the execution role: exactly that secret.
    let policy = compose2ecs_core::policy::execution_role_policy(c.task_definitions.values(), None);
    let read = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ReadSecrets")
        .unwrap();
    assert_eq!(
        read["Resource"],
        serde_json::json!([
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr-login-Ab12Cd"
        ])
    );
    // compose2ecs.yaml says `cluster: shop-prod`: it wins, with a note.
    assert_eq!(c.services["shop-web"].cluster.as_deref(), Some("shop-prod"));
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.message.contains("wins over `x-aws-cluster`"))
    );
    // Without an overlay, x-aws-cluster is the cluster; a registry login
    // still needs the execution role only the overlay can give.
    let alone = convert(
        &Input::from_yaml(
            "name: shop\nx-aws-cluster: shop-docker\nservices:\n  web:\n    image: nginx:1.27\n",
        ),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(
        alone.services["shop-web"].cluster.as_deref(),
        Some("shop-docker")
    );
    let refused = convert(&fixture_input(false), &Options::default()).unwrap_err();
    assert!(
        refused
            .diagnostics()
            .iter()
            .any(|d| d.code == Code::MissingExecutionRole)
    );
}

/// Docker created the project's log group with `x-aws-logs_retention`: the
/// overlay's `logs.retention_days`, on groups compose2ecs has created.
#[test]
fn the_log_retention_is_read_at_the_top_level_and_only_there() {
    let c = fixture(true);
    assert_eq!(c.overlay.logs.retention_days, Some(14));
    assert_eq!(c.overlay.logs.create_group, Some(true));
    let all: Vec<&str> = c.task_definitions.keys().map(String::as_str).collect();
    assert_eq!(
        c.created_log_groups(&all),
        ["/ecs/shop-web", "/ecs/shop-worker"]
    );

    let nested = convert(
        &Input::from_yaml(
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n    x-aws-logs_retention: 14\n",
        ),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(nested.overlay.logs.retention_days, None);
    let d = nested
        .diagnostics
        .iter()
        .find(|d| d.path.as_deref() == Some("services.web.x-aws-logs_retention"))
        .unwrap();
    assert_eq!(d.severity, compose2ecs_core::Severity::Warning);
    assert!(d.help.as_deref().unwrap().contains("top level"), "{d:?}");
}

/// `x-aws-cloudformation` patches the template as it patched Docker's: under
/// Docker's names for the service's resources, mappings merged, the rest
/// replaced; a resource the template lacks needs its `Type`.
#[test]
fn x_aws_cloudformation_patches_the_template_under_dockers_names() {
    use compose2ecs_core::cloudformation::template;
    let c = fixture(true);
    let t = template(&c).unwrap().value();
    let resources = t["Resources"].as_object().unwrap();
    let deployment = &resources["ShopWebService"]["Properties"]["DeploymentConfiguration"];
    assert_eq!(
        deployment["Alarms"]["AlarmNames"],
        serde_json::json!(["shop-web-5xx"])
    );
    // Merged, not replaced: what compose2ecs made is still there.
    assert_eq!(deployment["MinimumHealthyPercent"], 50);
    assert!(!resources.contains_key("WebService"));
    assert!(!resources.contains_key("WebTCP8080TargetGroup"));
    let left_out = c
        .diagnostics
        .iter()
        .find(|d| d.path.as_deref() == Some("cloudformation.Resources.WebTCP8080TargetGroup"))
        .unwrap();
    assert_eq!(left_out.code, Code::TemplatePatch);
    assert_eq!(left_out.location.as_ref().unwrap().line, 18);

    // The overlay's own `cloudformation`: a new resource with its Type is
    // added, `null` removes, and it wins over x-aws-cloudformation.
    let input = Input::from_yaml(
        "name: shop\nx-aws-cloudformation: {Resources: {WebService: {Properties: {PropagateTags: TASK_DEFINITION}}}}\nservices:\n  web:\n    image: nginx:1.27\n",
    )
    .with_overlay(
        "cloudformation:\n  Resources:\n    ShopWebService: {Properties: {PropagateTags: SERVICE, EnableECSManagedTags: null}}\n    Alarm5xx: {Type: AWS::CloudWatch::Alarm, Properties: {Threshold: 5}}\n",
    );
    let c = convert(&input, &Options::default()).unwrap();
    let t = template(&c).unwrap().value();
    let service = &t["Resources"]["ShopWebService"]["Properties"];
    assert_eq!(service["PropagateTags"], "SERVICE");
    assert!(service.get("EnableECSManagedTags").is_none(), "{service}");
    assert_eq!(t["Resources"]["Alarm5xx"]["Type"], "AWS::CloudWatch::Alarm");
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.message.contains("wins over `x-aws-cloudformation`"))
    );

    // A key that is no section of a template is refused where it is written.
    let input = Input::from_yaml("name: shop\nservices:\n  web:\n    image: nginx:1.27\n")
        .with_overlay("cloudformation:\n  Resource: {}\n");
    let e = convert(&input, &Options::default()).unwrap_err();
    let d = e
        .diagnostics()
        .iter()
        .find(|d| d.path.as_deref() == Some("cloudformation.Resource"))
        .unwrap();
    assert_eq!(d.location.as_ref().unwrap().line, 2);
}

/// Docker looked up the subnets of `x-aws-vpc`: it is the overlay's
/// `network.vpc`, whose subnets a CLI looks up and hands over
/// (`Options::subnets`); the overlay's own subnets win.
#[test]
fn x_aws_vpc_is_the_network_whose_subnets_are_looked_up() {
    let yaml = "name: shop\nx-aws-vpc: vpc-0abc\nservices:\n  web:\n    image: nginx:1.27\n";
    let alone = convert(&Input::from_yaml(yaml), &Options::default()).unwrap();
    assert_eq!(alone.overlay.network.vpc.as_deref(), Some("vpc-0abc"));
    assert!(alone.services["shop-web"].network_configuration.is_none());
    let note = alone
        .diagnostics
        .iter()
        .find(|d| d.code == Code::MissingNetwork)
        .unwrap();
    assert!(
        note.message
            .contains("compose2ecs deploy` looks up the subnets of `network.vpc` (vpc-0abc)"),
        "{note:?}"
    );
    assert!(
        note.help
            .as_deref()
            .unwrap()
            .contains("Name=vpc-id,Values=vpc-0abc")
    );
    assert!(alone.diagnostics.iter().any(
        |d| d.code == Code::DockerEcsExtension && d.message.contains("default security group")
    ));

    let looked_up = Options::default().with_subnets(["subnet-a", "subnet-b"]);
    let placed = convert(&Input::from_yaml(yaml), &looked_up).unwrap();
    let network = placed.services["shop-web"]
        .network_configuration
        .as_ref()
        .unwrap();
    assert_eq!(
        network.awsvpc_configuration.subnets,
        ["subnet-a", "subnet-b"]
    );
    assert!(
        !placed
            .diagnostics
            .iter()
            .any(|d| d.code == Code::MissingNetwork)
    );
    // The overlay as read keeps no subnets: the CLI can tell they were looked up.
    assert!(placed.overlay.network.subnets.is_empty());

    let listed = Input::from_yaml(yaml).with_overlay("network: {subnets: [subnet-own]}\n");
    let own = convert(&listed, &looked_up).unwrap();
    let network = own.services["shop-web"]
        .network_configuration
        .as_ref()
        .unwrap();
    assert_eq!(network.awsvpc_configuration.subnets, ["subnet-own"]);

    // Written where Docker did not read it: a warning, not a VPC.
    let nested = convert(
        &Input::from_yaml(
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n    x-aws-vpc: vpc-0abc\n",
        ),
        &looked_up,
    )
    .unwrap();
    assert_eq!(nested.overlay.network.vpc, None);
    let d = nested
        .diagnostics
        .iter()
        .find(|d| d.path.as_deref() == Some("services.web.x-aws-vpc"))
        .unwrap();
    assert_eq!(d.severity, compose2ecs_core::Severity::Warning);
    assert!(d.message.contains("top level only"), "{d:?}");
}

/// ECS takes at most 16 subnets and 5 security groups per service.
#[test]
fn more_subnets_than_ecs_takes_are_refused() {
    let subnets: Vec<String> = (0..17).map(|i| format!("subnet-{i:02}")).collect();
    let input = Input::from_yaml("name: shop\nservices:\n  web:\n    image: nginx:1.27\n")
        .with_overlay(format!("network: {{subnets: [{}]}}\n", subnets.join(", ")));
    let e = convert(&input, &Options::default()).unwrap_err();
    assert!(
        e.diagnostics().iter().any(|d| d
            .message
            .contains("17 subnets and 0 security groups, of at most 16 and 5")),
        "{:?}",
        e.diagnostics()
    );
    let input =
        Input::from_yaml("name: shop\nservices:\n  web:\n    image: nginx:1.27\n").with_overlay(
            format!("network: {{subnets: [{}]}}\n", subnets[..16].join(", ")),
        );
    convert(&input, &Options::default()).unwrap();
}
