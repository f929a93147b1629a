//! `compose2ecs init`: a first overlay, pre-filled from the project, whose
//! placeholders refuse to convert until they are filled — then it converts.

#![allow(clippy::unwrap_used)]

use std::path::Path;

mod common;

const COMPOSE: &str = "\
name: shop
services:
  web:
    image: nginx
    environment:
      DB_PASSWORD: devpassword
      LOG_LEVEL: info
    secrets: [api-key]
  worker:
    build: ./worker
secrets:
  api-key:
    file: ./api-key.txt
";

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = common::bin();
    cmd.current_dir(dir).args(args).envs(env.iter().copied());
    let r = common::run(&mut cmd);
    (r.code, r.stderr)
}

#[test]
fn init_then_fill_then_convert() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();

    let (code, stderr) = run(dir, &["init"], &[("AWS_REGION", "eu-west-1")]);
    assert_eq!(code, 0, "{stderr}");
    let overlay = std::fs::read_to_string(dir.join("compose2ecs.yaml")).unwrap();
    assert!(overlay.contains("region: eu-west-1"), "{overlay}");
    assert!(
        overlay.contains("  DB_PASSWORD: \"${DB_PASSWORD_SECRET:?"),
        "{overlay}"
    );
    assert!(
        overlay.contains("  api-key: \"${API_KEY_SECRET:?"),
        "{overlay}"
    );
    assert!(!overlay.contains("LOG_LEVEL"), "{overlay}");
    assert!(
        overlay.contains("registry: \"${REGISTRY:?"),
        "worker is build-only: {overlay}"
    );
    assert!(
        overlay.contains("  web: {}") && overlay.contains("  worker: {}"),
        "{overlay}"
    );
    assert!(
        !overlay.contains("devpassword"),
        "a local value in the overlay"
    );

    // Unfilled, it refuses, at each placeholder's line.
    let (code, stderr) = run(dir, &["convert"], &[]);
    assert_eq!(code, 1, "{stderr}");
    for var in [
        "EXECUTION_ROLE_ARN",
        "SUBNET_ID",
        "SECURITY_GROUP_ID",
        "REGISTRY",
        "DB_PASSWORD_SECRET",
        "API_KEY_SECRET",
    ] {
        assert!(
            stderr.contains(&format!("required variable `{var}` is not set")),
            "{var}: {stderr}"
        );
    }
    assert!(!dir.join("ecs").exists());

    // Filled (here by replacing each placeholder, as a user edits the file).
    let filled = [
        (
            "EXECUTION_ROLE_ARN",
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        ),
        ("SUBNET_ID", "subnet-0123456789abcdef0"),
        ("SECURITY_GROUP_ID", "sg-0123456789abcdef0"),
        ("REGISTRY", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
        (
            "DB_PASSWORD_SECRET",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        ),
        ("API_KEY_SECRET", "/shop/api-key"),
    ];
    let mut text = overlay.clone();
    for (var, value) in filled {
        let start = text.find(&format!("${{{var}:?")).unwrap();
        let end = start + text[start..].find('}').unwrap() + 1;
        text.replace_range(start..end, value);
    }
    std::fs::write(dir.join("compose2ecs.yaml"), &text).unwrap();
    let (code, stderr) = run(dir, &["convert", "--strict"], &[]);
    assert_eq!(code, 0, "{stderr}\n{text}");
    let web = std::fs::read_to_string(dir.join("ecs/shop-web.task-definition.json")).unwrap();
    assert!(
        web.contains(
            "\"valueFrom\": \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf\""
        ),
        "{web}"
    );
    assert!(!web.contains("devpassword"));
    let service = std::fs::read_to_string(dir.join("ecs/shop-web.service.json")).unwrap();
    assert!(service.contains("subnet-0123456789abcdef0"), "{service}");

    // Never overwritten.
    let (code, stderr) = run(dir, &["init"], &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("init never overwrites it"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("compose2ecs.yaml")).unwrap(),
        text
    );
}

#[test]
fn without_a_region_in_the_environment_the_region_is_a_placeholder_too() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    let (code, stderr) = run(work.path(), &["init", "--overlay", "aws.yaml"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let overlay = std::fs::read_to_string(work.path().join("aws.yaml")).unwrap();
    assert!(overlay.contains("region: \"${AWS_REGION:?"), "{overlay}");
    assert!(!overlay.contains("secrets:"), "{overlay}");
    assert!(!overlay.contains("images:"), "{overlay}");
}

#[test]
fn init_proposes_a_registry_login_per_host_of_the_images_outside_ecr() {
    let dir = common::project(&[(
        "compose.yaml",
        "name: shop\nservices:\n  web:\n    image: ghcr.io/acme/web:1\n  cache:\n    image: redis:7\n  api:\n    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1\n",
    )]);
    let r = common::run(common::bin().current_dir(dir.path()).arg("init"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("compose2ecs.yaml")).unwrap();
    assert!(
        text.contains("# pull_credentials:\n#   docker.io: arn:aws:secretsmanager:")
            && text.contains("#   ghcr.io: arn:aws:secretsmanager:"),
        "{text}"
    );
    // ECR pulls with the execution role: no login proposed for it.
    assert!(!text.contains("#   123456789012.dkr.ecr"), "{text}");
}

/// Docker's `x-aws-vpc`: init looks up the VPC's subnets and writes them
/// out (and, when it cannot, says so and leaves them to `deploy`).
#[cfg(unix)]
#[test]
fn init_writes_out_the_subnets_of_x_aws_vpc() {
    let dir = common::project(&[(
        "compose.yaml",
        "name: shop\nx-aws-vpc: vpc-0abc\nservices:\n  web:\n    image: nginx\n",
    )]);
    let aws = common::StandIn::new(
        dir.path(),
        serde_json::json!([{"call": ["ec2", "describe-subnets"], "json": {"Subnets": [
            {"SubnetId": "subnet-0b", "State": "available"},
            {"SubnetId": "subnet-0a", "State": "available"}]}}]),
    );
    let bin = aws.bin.clone();
    let init = |target: &str| {
        common::run(
            common::bin()
                .current_dir(dir.path())
                .args(["init", "--overlay", target, "--aws-cli"])
                .arg(&bin)
                .env("AWS_REGION", "eu-west-1"),
        )
    };
    let r = init("found.yaml");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("found.yaml")).unwrap();
    assert!(
        text.contains("  subnets: [subnet-0a, subnet-0b]\n"),
        "{text}"
    );
    let calls = aws.args();
    assert!(
        calls.contains(
            &[
                "ec2",
                "describe-subnets",
                "--filters",
                "Name=vpc-id,Values=vpc-0abc",
                "--region",
                "eu-west-1",
                "--output",
                "json"
            ]
            .map(str::to_owned)
            .to_vec()
        ),
        "{calls:?}"
    );

    aws.answer(serde_json::json!([{"call": ["ec2", "describe-subnets"], "fail": "An error occurred (UnauthorizedOperation)"}]));
    let r = init("failed.yaml");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("looking up the subnets of vpc-0abc failed"),
        "{}",
        r.stderr
    );
    let text = std::fs::read_to_string(dir.path().join("failed.yaml")).unwrap();
    assert!(!text.contains("  subnets:"), "{text}");
    assert!(
        text.contains("`compose2ecs deploy` looks up those of x-aws-vpc vpc-0abc"),
        "{text}"
    );
}
