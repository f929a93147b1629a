//! Jobs run to completion before the services that wait for them.

use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

/// Jobs through the real aws CLI: `deploy` registers the job, starts it
/// with the `run-task` input compose2ecs writes, waits for moto's task to
/// stop (moto reports exit code 0), then creates the service that waits for
/// it; `run` starts a one-off task with the command override and exits with
/// the container's code. (moto's RunTask needs a container memory size, so
/// the services set `mem_limit`; real ECS on FARGATE does not.)
#[test]
fn jobs_run_to_completion_before_their_services_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    // moto starts awsvpc tasks only in its default VPC's subnets (in a
    // created subnet its network interface lacks a DNS name and RunTask
    // fails with a 500).
    let subnets = aws(
        &aws_bin,
        &moto,
        &[
            "ec2",
            "describe-subnets",
            "--filters",
            "Name=default-for-az,Values=true",
        ],
    )
    .unwrap();
    let subnet = subnets["Subnets"][0]["SubnetId"]
        .as_str()
        .unwrap()
        .to_owned();
    let groups = aws(
        &aws_bin,
        &moto,
        &[
            "ec2",
            "describe-security-groups",
            "--group-names",
            "default",
        ],
    )
    .unwrap();
    let group = groups["SecurityGroups"][0]["GroupId"]
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
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: jobs\nservices:\n  migrate:\n    image: app:1\n    command: [migrate]\n    mem_limit: 512m\n    restart: \"no\"\n  web:\n    image: app:1\n    mem_limit: 512m\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        shop_overlay(&subnet, &group),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        let mut cmd = compose2ecs(work.path(), &moto, &aws_bin, &args[..1]);
        finished(
            cmd.args(["--interval", "0.1", "--timeout", "60"])
                .args(&args[1..]),
        )
    };
    let (code, stderr) = cli(&["deploy", "--no-wait"]);
    assert_eq!(code, Some(0), "{stderr}");
    let job = stderr.find("job jobs-migrate:1 succeeded").expect(&stderr);
    let service = stderr
        .find("created service jobs-web with jobs-web:1")
        .expect(&stderr);
    assert!(job < service, "{stderr}");
    let listed = |service: &str| {
        aws(
            &aws_bin,
            &moto,
            &[
                "ecs",
                "describe-services",
                "--cluster",
                "shop",
                "--services",
                service,
            ],
        )
        .unwrap()["services"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] == "ACTIVE")
            .count()
    };
    assert_eq!(listed("jobs-web"), 1);
    assert_eq!(listed("jobs-migrate"), 0, "a job gets no service");

    let (code, stderr) = cli(&["run", "web", "--", "echo", "hi"]);
    assert_eq!(code, Some(0), "{stderr}");
    let tasks = aws(
        &aws_bin,
        &moto,
        &[
            "ecs",
            "list-tasks",
            "--cluster",
            "shop",
            "--started-by",
            "compose2ecs",
        ],
    )
    .unwrap();
    let arns: Vec<&str> = tasks["taskArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        arns.len(),
        2,
        "the job's task and the one-off task: {arns:?}"
    );
    let mut call = vec!["ecs", "describe-tasks", "--cluster", "shop", "--tasks"];
    call.extend(&arns);
    let described = aws(&aws_bin, &moto, &call).unwrap();
    let overrides: Vec<&serde_json::Value> = described["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["overrides"]["containerOverrides"])
        .filter(|o| o.is_array())
        .collect();
    assert!(
        overrides
            .iter()
            .any(|o| o[0]["name"] == "web" && o[0]["command"] == serde_json::json!(["echo", "hi"])),
        "{described}"
    );
}
