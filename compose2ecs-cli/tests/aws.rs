//! The real AWS CLI accepts what compose2ecs writes: every fixture's task
//! definitions are registered with `aws ecs register-task-definition
//! --cli-input-json` against a local `moto_server` on 127.0.0.1, which the
//! test starts on a free port and stops at the end.
//!
//! `scripts/test` installs the pinned `awscli` and `moto[server]`. Without
//! them the test is skipped with a message, except under `CI=true`, where a
//! missing tool is a failure.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::moto::{Moto, moto_env, start_moto, tools};

fn aws(aws: &Path, moto: &Moto, args: &[&str]) -> Result<serde_json::Value, String> {
    let out = Command::new(aws)
        .args(args)
        .args(["--output", "json"])
        .envs(moto_env(moto))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    if out.stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null); // (put-scheduled-action answers nothing)
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap())
}

/// `compose2ecs <args>` in `dir` against moto: the real `aws` given with
/// `--aws-cli` right after the command, in moto's environment only.
fn compose2ecs(dir: &Path, moto: &Moto, aws_bin: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("compose2ecs"));
    cmd.current_dir(dir)
        .arg(args[0])
        .arg("--aws-cli")
        .arg(aws_bin)
        .args(&args[1..])
        .env_clear()
        .envs(moto_env(moto))
        .env("NO_COLOR", "1");
    cmd
}

/// A finished run's exit code and stderr.
fn finished(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The overlay of the deploy tests: cluster `shop`, in moto's network.
fn shop_overlay(subnet: &str, group: &str) -> String {
    format!(
        "region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\ncluster: shop\n\
         network: {{subnets: [{subnet}], security_groups: [{group}]}}\n"
    )
}

/// The cluster `shop` and a network in moto: (subnet, group).
fn shop_cluster(aws_bin: &Path, moto: &Moto) -> (String, String) {
    let network = moto_network(aws_bin, moto);
    aws(
        aws_bin,
        moto,
        &["ecs", "create-cluster", "--cluster-name", "shop"],
    )
    .unwrap();
    network
}

/// A VPC with one subnet and one security group in moto: (subnet, group).
fn moto_network(aws_bin: &Path, moto: &Moto) -> (String, String) {
    moto_network_in(aws_bin, moto, "us-east-1")
}

/// The same, in `region`.
fn moto_network_in(aws_bin: &Path, moto: &Moto, region: &str) -> (String, String) {
    let call = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--region", region]);
        aws(aws_bin, moto, &all).unwrap()
    };
    let (_, mut subnets, group) = moto_vpc(call, "10.0.0.0/16", &["10.0.1.0/24"]);
    (subnets.remove(0), group)
}

/// A VPC of `cidr` with a subnet per block of `subnets` and a security
/// group, made through `call`: (VPC, subnets in order, group).
fn moto_vpc(
    call: impl Fn(&[&str]) -> serde_json::Value,
    cidr: &str,
    subnets: &[&str],
) -> (String, Vec<String>, String) {
    let vpc = call(&["ec2", "create-vpc", "--cidr-block", cidr]);
    let vpc = vpc["Vpc"]["VpcId"].as_str().unwrap().to_owned();
    let subnets = subnets
        .iter()
        .map(|block| {
            let s = call(&[
                "ec2",
                "create-subnet",
                "--vpc-id",
                &vpc,
                "--cidr-block",
                block,
            ]);
            s["Subnet"]["SubnetId"].as_str().unwrap().to_owned()
        })
        .collect();
    let group = call(&[
        "ec2",
        "create-security-group",
        "--group-name",
        "tasks",
        "--description",
        "tasks",
        "--vpc-id",
        &vpc,
    ]);
    let group = group["GroupId"].as_str().unwrap().to_owned();
    (vpc, subnets, group)
}

#[test]
fn the_aws_cli_registers_every_fixture_output_and_creates_its_services() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let (registered, created, spot, ran) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let (scaled, schedules, spot_schedules) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    // A default subnet per (region, cluster), the cluster made with it.
    let default_subnets: std::sync::Mutex<
        std::collections::BTreeMap<(String, String), serde_json::Value>,
    > = Default::default();
    // The family's region (register uses the project's) and a network per
    // region, made when first needed.
    let networks: std::sync::Mutex<std::collections::BTreeMap<String, (String, String)>> =
        Default::default();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    cases.sort();
    // Each fixture is its own project (its own families), so four run at
    // once: most of the time is the AWS CLI's start-up, not moto's answers.
    let next = AtomicUsize::new(0);
    let one = |case: &PathBuf| {
        let case = case.clone();
        let mut regions: std::collections::BTreeMap<String, String> = Default::default();
        let out = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("compose2ecs"));
        // One moto for every fixture: each its own project name, so that
        // no two fixtures register the same family.
        let project = case.file_name().unwrap().to_string_lossy().to_lowercase();
        cmd.arg("convert")
            .args(["-p", &project])
            .arg("-f")
            .arg(case.join("compose.yaml"));
        if case.join("compose.override.yaml").is_file() {
            cmd.arg("-f").arg(case.join("compose.override.yaml"));
        }
        // In the environment `register` runs in: its AWS_DEFAULT_REGION is
        // the region of a project whose overlay gives none.
        let status = cmd
            .arg("-o")
            .arg(out.path())
            .stderr(Stdio::null())
            .env_clear()
            .envs(moto_env(&moto))
            .status()
            .unwrap();
        if !status.success() {
            return; // an error case: nothing to register
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        let (task_files, others): (Vec<PathBuf>, Vec<PathBuf>) = files
            .into_iter()
            .partition(|f| f.to_string_lossy().ends_with(".task-definition.json"));
        let kind = |suffix: &str| -> Vec<PathBuf> {
            others
                .iter()
                .filter(|f| f.to_string_lossy().ends_with(suffix))
                .cloned()
                .collect()
        };
        let (job_files, service_files) = (kind(".run-task.json"), kind(".service.json"));
        let (scaling_files, schedule_files) = (kind(".scaling.json"), kind(".schedule.json"));
        assert_eq!(
            task_files.len(),
            service_files.len() + job_files.len() + schedule_files.len(),
            "a service, a job or a schedule per task: {}",
            case.display()
        );
        // `compose2ecs register` hands every family to the real AWS CLI,
        // which runs in the environment given here (pointed at moto).
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("compose2ecs"));
        cmd.arg("register")
            .args(["-p", &project])
            .arg("-f")
            .arg(case.join("compose.yaml"));
        if case.join("compose.override.yaml").is_file() {
            cmd.arg("-f").arg(case.join("compose.override.yaml"));
        }
        let registered_out = cmd
            .arg("--aws-cli")
            .arg(&aws_bin)
            .env_clear()
            .envs(moto_env(&moto))
            .output()
            .unwrap();
        let stdout = String::from_utf8(registered_out.stdout).unwrap();
        assert!(
            registered_out.status.success(),
            "register failed for {}:\n{}",
            case.display(),
            String::from_utf8_lossy(&registered_out.stderr)
        );
        let arns: Vec<&str> = stdout.lines().collect();
        assert_eq!(arns.len(), task_files.len(), "{stdout}");
        for file in task_files {
            let emitted: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let family = emitted["family"].as_str().unwrap();
            let arn = arns
                .iter()
                .find(|a| a.ends_with(&format!(":task-definition/{family}:1")))
                .unwrap_or_else(|| panic!("{family} not among {arns:?}"));
            // Registered in the project's region (the overlay's), whatever
            // the CLI's default is.
            let region = arn.split(':').nth(3).unwrap();
            regions.insert(family.to_owned(), region.to_owned());
            let described = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-task-definition",
                    "--region",
                    region,
                    "--task-definition",
                    emitted["family"].as_str().unwrap(),
                ],
            )
            .unwrap();
            let stored = &described["taskDefinition"];
            // What AWS stored is what was emitted, member by member.
            for key in [
                "networkMode",
                "cpu",
                "memory",
                "executionRoleArn",
                "taskRoleArn",
                "requiresCompatibilities",
            ] {
                // moto 5.2.1 files an EXTERNAL task under ["EC2", "FARGATE"]
                // and forces awsvpc on it (moto/ecs/models.py); real ECS keeps
                // the bridge mode ECS Anywhere runs with. The rest is compared.
                let external =
                    emitted["requiresCompatibilities"] == serde_json::json!(["EXTERNAL"]);
                if external && matches!(key, "networkMode" | "requiresCompatibilities") {
                    continue;
                }
                if let Some(v) = emitted.get(key) {
                    assert_eq!(&stored[key], v, "{key} of {}", file.display());
                }
            }
            let emitted_containers = emitted["containerDefinitions"].as_array().unwrap();
            let stored_containers = stored["containerDefinitions"].as_array().unwrap();
            assert_eq!(emitted_containers.len(), stored_containers.len());
            for (e, s) in emitted_containers.iter().zip(stored_containers) {
                for (k, v) in e.as_object().unwrap() {
                    assert_eq!(&s[k], v, "containerDefinitions.{k} of {}", file.display());
                }
            }
            registered.fetch_add(1, Relaxed);
        }
        for file in job_files {
            // The real AWS CLI checks the run-task input against its model
            // before sending it; moto then starts the task in its default
            // VPC (the fixtures' subnets are made up).
            let emitted: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let family = emitted["taskDefinition"].as_str().unwrap();
            let region = regions[family].clone();
            let cluster = emitted["cluster"].as_str().unwrap_or("default");
            let subnet = default_subnets
                .lock()
                .unwrap()
                .entry((region.clone(), cluster.to_owned()))
                .or_insert_with(|| {
                    let _ = aws(
                        &aws_bin,
                        &moto,
                        &[
                            "ecs",
                            "create-cluster",
                            "--cluster-name",
                            cluster,
                            "--region",
                            &region,
                        ],
                    );
                    let subnets = aws(
                        &aws_bin,
                        &moto,
                        &[
                            "ec2",
                            "describe-subnets",
                            "--region",
                            &region,
                            "--filters",
                            "Name=default-for-az,Values=true",
                        ],
                    )
                    .unwrap();
                    subnets["Subnets"][0]["SubnetId"].clone()
                })
                .clone();
            let mut request = emitted.clone();
            if let Some(vpc) = request
                .get_mut("networkConfiguration")
                .and_then(|n| n.get_mut("awsvpcConfiguration"))
            {
                vpc["subnets"] = serde_json::json!([subnet]);
                vpc.as_object_mut().unwrap().remove("securityGroups");
            }
            let request_file = out.path().join("run.json");
            std::fs::write(&request_file, request.to_string()).unwrap();
            let arg = format!("file://{}", request_file.display());
            let reply = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "run-task",
                    "--cli-input-json",
                    &arg,
                    "--region",
                    &region,
                ],
            );
            match reply {
                Ok(r) => assert_eq!(
                    r["tasks"].as_array().map(Vec::len),
                    emitted["count"].as_u64().map(|c| c as usize),
                    "{r}"
                ),
                // moto 5.2.1 fails (500) to place a task whose containers
                // have no memory of their own, which real ECS allows on
                // FARGATE; the CLI's validation of the input has passed.
                Err(e) => assert!(
                    e.contains("(500)") && !e.contains("Parameter validation"),
                    "{}: {e}",
                    file.display()
                ),
            }
            ran.fetch_add(1, Relaxed);
        }
        for file in service_files {
            let emitted: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let family = emitted["taskDefinition"].as_str().unwrap();
            let task: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(out.path().join(format!("{family}.task-definition.json")))
                    .unwrap(),
            )
            .unwrap();
            if task["networkMode"] == "awsvpc" && emitted.get("networkConfiguration").is_none() {
                // compose2ecs says so with a `missing-network` note; ECS (and
                // moto) refuse an awsvpc service without subnets.
                continue;
            }
            let cluster = emitted["cluster"].as_str().unwrap_or("default");
            let region = regions[family].clone();
            let network = networks
                .lock()
                .unwrap()
                .entry(region.clone())
                .or_insert_with(|| moto_network_in(&aws_bin, &moto, &region))
                .clone();
            // Created once per cluster; an existing one is fine.
            let _ = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "create-cluster",
                    "--cluster-name",
                    cluster,
                    "--region",
                    &region,
                ],
            );
            // The fixtures' subnet and security group IDs are made up; moto
            // checks that they exist, so the request goes with real ones.
            let mut request = emitted.clone();
            if let Some(vpc) = request
                .get_mut("networkConfiguration")
                .and_then(|n| n.get_mut("awsvpcConfiguration"))
            {
                vpc["subnets"] = serde_json::json!([network.0]);
                if vpc.get("securityGroups").is_some() {
                    vpc["securityGroups"] = serde_json::json!([network.1]);
                }
            }
            let request_file = out.path().join("request.json");
            let arg = format!("file://{}", request_file.display());
            // Members of the pinned model newer than the pinned CLI's
            // (schemas/PROVENANCE): the CLI refuses them, as `deploy`'s
            // capability check says it would; the rest goes through.
            if let Some(d) = request
                .get_mut("deploymentConfiguration")
                .and_then(|d| d.as_object_mut())
                .filter(|d| d.contains_key("earlySuccessCriteria"))
            {
                let whole = serde_json::json!({"deploymentConfiguration": d.clone()});
                std::fs::write(&request_file, whole.to_string()).unwrap();
                let err = aws(
                    &aws_bin,
                    &moto,
                    &[
                        "ecs",
                        "create-service",
                        "--cli-input-json",
                        &arg,
                        "--region",
                        &region,
                    ],
                )
                .unwrap_err();
                assert!(
                    err.contains("Unknown parameter") && err.contains("earlySuccessCriteria"),
                    "{err}"
                );
                d.remove("earlySuccessCriteria");
            }
            std::fs::write(&request_file, request.to_string()).unwrap();
            let reply = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "create-service",
                    "--cli-input-json",
                    &arg,
                    "--region",
                    &region,
                ],
            );
            if emitted["launchType"] == "EXTERNAL" {
                // moto 5.2.1 creates services for EC2 and FARGATE only. The
                // AWS CLI's own validation of the input passed: the refusal
                // is moto's, a ClientException, not "Parameter validation".
                let err = reply.unwrap_err();
                assert!(
                    err.contains("ClientException") && err.contains("launch type"),
                    "{err}"
                );
                continue;
            }
            let reply = reply.unwrap_or_else(|e| panic!("{} was refused:\n{e}", file.display()));
            // A capacity provider strategy replaces the launch type, as ECS
            // requires; the CLI's validation and moto took it (moto does not
            // store the strategy, so only the request can be checked).
            if emitted.get("capacityProviderStrategy").is_some() {
                assert!(emitted.get("launchType").is_none(), "{}", file.display());
                spot.fetch_add(1, Relaxed);
            }
            let stored = &reply["service"];
            for key in ["serviceName", "desiredCount", "launchType", "loadBalancers"] {
                if let Some(v) = emitted.get(key) {
                    assert_eq!(&stored[key], v, "{key} of {}", file.display());
                }
            }
            assert!(
                stored["taskDefinition"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("task-definition/{family}:1")),
                "{}",
                file.display()
            );
            created.fetch_add(1, Relaxed);
        }
        for file in scaling_files {
            // After its service exists, as `deploy` applies it: each input
            // through the real CLI's validation, then as moto stored it.
            let emitted: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let family = file
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".scaling.json", "");
            let region = regions[&family].clone();
            let put = |op: &str, input: &serde_json::Value| {
                let f = out.path().join("scaling-input.json");
                std::fs::write(&f, input.to_string()).unwrap();
                let arg = format!("file://{}", f.display());
                aws(
                    &aws_bin,
                    &moto,
                    &[
                        "application-autoscaling",
                        op,
                        "--cli-input-json",
                        &arg,
                        "--region",
                        &region,
                    ],
                )
                .unwrap_or_else(|e| panic!("{op} of {} was refused:\n{e}", file.display()))
            };
            let target = &emitted["scalableTarget"];
            put("register-scalable-target", target);
            for p in emitted["scalingPolicies"].as_array().into_iter().flatten() {
                put("put-scaling-policy", p);
            }
            for a in emitted["scheduledActions"].as_array().into_iter().flatten() {
                put("put-scheduled-action", a);
            }
            let resource = target["ResourceId"].as_str().unwrap();
            let described = aws(
                &aws_bin,
                &moto,
                &[
                    "application-autoscaling",
                    "describe-scalable-targets",
                    "--service-namespace",
                    "ecs",
                    "--resource-ids",
                    resource,
                    "--region",
                    &region,
                ],
            )
            .unwrap();
            let stored = &described["ScalableTargets"][0];
            for key in ["MinCapacity", "MaxCapacity", "ScalableDimension"] {
                assert_eq!(stored[key], target[key], "{key} of {}", file.display());
            }
            let described = aws(
                &aws_bin,
                &moto,
                &[
                    "application-autoscaling",
                    "describe-scaling-policies",
                    "--service-namespace",
                    "ecs",
                    "--resource-id",
                    resource,
                    "--region",
                    &region,
                ],
            )
            .unwrap();
            for p in emitted["scalingPolicies"].as_array().into_iter().flatten() {
                let stored = described["ScalingPolicies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["PolicyName"] == p["PolicyName"])
                    .unwrap_or_else(|| panic!("{} not stored: {described}", p["PolicyName"]));
                let config = "TargetTrackingScalingPolicyConfiguration";
                assert_eq!(stored[config], p[config], "{}", file.display());
            }
            scaled.fetch_add(1, Relaxed);
        }
        for file in schedule_files {
            let emitted: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let name = emitted["Name"].as_str().unwrap();
            let region = regions[name].clone();
            let arg = format!("file://{}", file.display());
            aws(
                &aws_bin,
                &moto,
                &[
                    "scheduler",
                    "create-schedule",
                    "--cli-input-json",
                    &arg,
                    "--region",
                    &region,
                ],
            )
            .unwrap_or_else(|e| panic!("{} was refused:\n{e}", file.display()));
            let stored = aws(
                &aws_bin,
                &moto,
                &[
                    "scheduler",
                    "get-schedule",
                    "--name",
                    name,
                    "--region",
                    &region,
                ],
            )
            .unwrap();
            for key in [
                "ScheduleExpression",
                "ScheduleExpressionTimezone",
                "FlexibleTimeWindow",
                "State",
            ] {
                if let Some(v) = emitted.get(key) {
                    assert_eq!(&stored[key], v, "{key} of {}", file.display());
                }
            }
            // Scheduler adds its default RetryPolicy to what it stores.
            for (k, v) in emitted["Target"].as_object().unwrap() {
                assert_eq!(&stored["Target"][k], v, "Target.{k} of {}", file.display());
            }
            // On capacity providers: no launch type, as RunTask requires.
            let ecs = &emitted["Target"]["EcsParameters"];
            if ecs.get("CapacityProviderStrategy").is_some() {
                assert!(ecs.get("LaunchType").is_none(), "{}", file.display());
                spot_schedules.fetch_add(1, Relaxed);
            }
            schedules.fetch_add(1, Relaxed);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Relaxed)) {
                    one(case);
                }
            });
        }
    });
    let (registered, created, spot, ran) = (
        registered.load(Relaxed),
        created.load(Relaxed),
        spot.load(Relaxed),
        ran.load(Relaxed),
    );
    let (scaled, schedules, spot_schedules) = (
        scaled.load(Relaxed),
        schedules.load(Relaxed),
        spot_schedules.load(Relaxed),
    );
    assert!(scaled >= 2, "only {scaled} scaling files applied");
    assert!(schedules >= 1, "only {schedules} schedules created");
    assert!(
        spot_schedules >= 1,
        "no schedule on a capacity provider strategy"
    );
    assert!(
        registered >= 12,
        "only {registered} task definitions registered"
    );
    assert!(created >= 2, "only {created} services created");
    assert!(
        spot >= 2,
        "only {spot} services on a capacity provider strategy"
    );
    assert!(ran >= 4, "only {ran} jobs run");
}

#[test]
fn the_aws_cli_refuses_a_broken_task_definition() {
    // Proves the harness would notice: the AWS CLI validates the input.
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(
        &file,
        r#"{"family": "x", "containerDefinitions": [{"name": "x", "image": "x", "cpuu": 1}]}"#,
    )
    .unwrap();
    let arg = format!("file://{}", file.display());
    let err = aws(
        &aws_bin,
        &moto,
        &["ecs", "register-task-definition", "--cli-input-json", &arg],
    )
    .unwrap_err();
    assert!(err.contains("cpuu"), "{err}");
}

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
        ecs["TaskDefinitionArn"], "arn:aws:ecs:us-east-1:123456789012:task-definition/sc-backup:1",
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
        "arn:aws:ecs:us-east-1:123456789012:task-definition/sc-backup:2"
    );
}

#[test]
fn logs_reads_what_the_tasks_wrote_interleaved_and_follows_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: lg\nservices:\n  web:\n    image: app:1\n  worker:\n    image: app:1\n  db:\n    image: postgres:16\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
    )
    .unwrap();
    let call = |args: &[&str]| aws(&aws_bin, &moto, args).unwrap();
    // What awslogs writes: group /ecs/<family>, stream ecs/<container>/<task id>.
    let put = |group: &str, stream: &str, events: &[(i64, &str)]| {
        let _ = aws(
            &aws_bin,
            &moto,
            &["logs", "create-log-group", "--log-group-name", group],
        );
        let _ = aws(
            &aws_bin,
            &moto,
            &[
                "logs",
                "create-log-stream",
                "--log-group-name",
                group,
                "--log-stream-name",
                stream,
            ],
        );
        let events: Vec<serde_json::Value> = events
            .iter()
            .map(|(t, m)| serde_json::json!({"timestamp": t, "message": m}))
            .collect();
        call(&[
            "logs",
            "put-log-events",
            "--log-group-name",
            group,
            "--log-stream-name",
            stream,
            "--log-events",
            &serde_json::Value::from(events).to_string(),
        ]);
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    put(
        "/ecs/lg-web",
        "ecs/web/aaaa",
        &[(now - 3000, "GET / 200"), (now - 1000, "GET /cart 200")],
    );
    put(
        "/ecs/lg-worker",
        "ecs/worker/bbbb",
        &[(now - 2000, "job 42 done")],
    );
    let logs = |args: &[&str]| {
        let mut cmd = compose2ecs(work.path(), &moto, &aws_bin, &["logs"]);
        cmd.args(args);
        cmd
    };
    let out = logs(&["-q"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stdout, "web    | GET / 200\nworker | job 42 done\nweb    | GET /cart 200\n",
        "interleaved by time, aligned like docker compose logs"
    );
    assert!(stderr.contains("no log group /ecs/lg-db yet"), "{stderr}");

    let out = logs(&["worker", "--timestamps", "-q"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("worker | 20") && stdout.trim_end().ends_with("Z job 42 done"),
        "{stdout}"
    );

    // --follow: what arrives later is printed once, then more.
    let mut child = logs(&["web", "--follow", "--interval", "0.2", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(30))
            .expect("a line within 30 s")
    };
    assert_eq!(next(), "web | GET / 200");
    assert_eq!(next(), "web | GET /cart 200");
    put(
        "/ecs/lg-web",
        "ecs/web/aaaa",
        &[(now + 500, "POST /checkout 201")],
    );
    assert_eq!(next(), "web | POST /checkout 201");
    std::thread::sleep(Duration::from_millis(600));
    assert!(rx.try_recv().is_err(), "no line is printed twice");
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
#[test]
fn push_creates_the_ecr_repositories_with_the_overlays_settings_on_moto() {
    use std::os::unix::fs::PermissionsExt as _;
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: reg\nservices:\n  api:\n    build: .\n  web:\n    build: .\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        format!("region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\nimages: {{registry: {registry}, tag: \"1.0\", scan_on_push: false, immutable_tags: true}}\n"),
    )
    .unwrap();
    let docker = work.path().join("docker");
    std::fs::write(&docker, common::STAND_IN_DOCKER).unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    // One repository exists already, as a user made it.
    aws(
        &aws_bin,
        &moto,
        &["ecr", "create-repository", "--repository-name", "reg-api"],
    )
    .unwrap();
    let push = || {
        compose2ecs(work.path(), &moto, &aws_bin, &["push", "--docker"])
            .arg(&docker)
            .output()
            .unwrap()
    };
    let out = push();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("created ECR repository reg-web (scanOnPush=false, IMMUTABLE tags)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("created ECR repository reg-api"),
        "{stderr}"
    );
    let repos = aws(
        &aws_bin,
        &moto,
        &[
            "ecr",
            "describe-repositories",
            "--repository-names",
            "reg-web",
        ],
    )
    .unwrap();
    let web = &repos["repositories"][0];
    assert_eq!(web["imageTagMutability"], "IMMUTABLE");
    assert_eq!(web["imageScanningConfiguration"]["scanOnPush"], false);
    // The login went through Docker with moto's token on stdin.
    let calls: Vec<serde_json::Value> = std::fs::read_to_string(work.path().join("docker-calls"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let logins: Vec<&serde_json::Value> =
        calls.iter().filter(|c| c["args"][0] == "login").collect();
    assert_eq!(logins.len(), 1, "one login per registry: {calls:?}");
    assert!(!logins[0]["stdin"].as_str().unwrap().is_empty());
    let pushed: Vec<&str> = calls
        .iter()
        .filter(|c| c["args"][0] == "push")
        .map(|c| c["args"][1].as_str().unwrap())
        .collect();
    assert_eq!(
        pushed,
        [
            format!("{registry}/reg-api:1.0"),
            format!("{registry}/reg-web:1.0")
        ]
    );
    let digests: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("ecs/image-digests.json")).unwrap(),
    )
    .unwrap();
    assert!(
        digests["web"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{registry}/reg-web@sha256:")),
        "{digests}"
    );

    // Again: nothing to create.
    let out = push();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("created ECR repository"));
}

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

#[test]
fn the_pinned_cli_knows_canary_deployments_and_moto_takes_them() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: cn\nservices:\n  api:\n    image: app:1\n    mem_limit: 512m\n    ports: [{name: api, target: 9000}]\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        format!(
            "{}service_connect: {{namespace: shop.local}}\nservices:\n  api:\n    deployment: {{strategy: canary, canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 15}}\n",
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
    assert!(
        !stderr.contains("would refuse"),
        "the pinned awscli's model knows canary deployments: {stderr}"
    );
    assert!(stderr.contains("created service cn-api"), "{stderr}");
}

/// The older pinned AWS CLI (scripts/test installs it in a venv of its own
/// and names it in `COMPOSE2ECS_OLDER_AWS`).
fn older_aws() -> Option<PathBuf> {
    let p = std::env::var_os("COMPOSE2ECS_OLDER_AWS").map(PathBuf::from);
    if p.as_ref().is_some_and(|p| p.is_file()) {
        return p;
    }
    common::missing_tool("COMPOSE2ECS_OLDER_AWS must name the older pinned aws");
    None
}

/// The services in moto's cluster `shop`.
fn shop_services(aws_bin: &Path, moto: &Moto) -> Vec<serde_json::Value> {
    aws(
        aws_bin,
        moto,
        &["ecs", "list-services", "--cluster", "shop"],
    )
    .unwrap()["serviceArns"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_installed_cli_model_decides_and_the_older_cli_is_stopped_before_any_call() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let Some(older) = older_aws() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = shop_cluster(&aws_bin, &moto);
    let project = |deployment: &str| {
        let work = tempfile::tempdir().unwrap();
        std::fs::write(
            work.path().join("compose.yaml"),
            "name: cb\nservices:\n  api:\n    image: app:1\n    mem_limit: 512m\n    deploy: {replicas: 4, update_config: {order: stop-first}}\n",
        )
        .unwrap();
        std::fs::write(
            work.path().join("compose2ecs.yaml"),
            format!(
                "{}services:\n  api:\n    deployment: {deployment}\n",
                shop_overlay(&subnet, &group)
            ),
        )
        .unwrap();
        work
    };
    // The circuit breaker's threshold came with botocore 1.43.62's model:
    // awscli 1.45.11 (botocore 1.43.11) does not know it, 1.46.3 does.
    let threshold = project("{circuit_breaker: {threshold: 2, threshold_type: count}}");
    let (code, stderr) = finished(&mut compose2ecs(
        threshold.path(),
        &moto,
        &older,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("aws-cli/1.45.11")
            && stderr.contains(
                "deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration"
            )
            && stderr.contains("nothing was registered or deployed"),
        "{stderr}"
    );
    assert!(
        shop_services(&aws_bin, &moto).is_empty(),
        "the refused deploy called ECS"
    );
    let (code, stderr) = finished(&mut compose2ecs(
        threshold.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(0), "awscli 1.46.3 knows the threshold: {stderr}");
    assert_eq!(shop_services(&aws_bin, &moto).len(), 1);

    // Early success is newer than every AWS CLI v1 on PyPI: botocore
    // 1.44.8's model has it, awscli 1.46.3's does not.
    let early = project("{early_success: {healthy_percent: 100}}");
    let (code, stderr) = finished(&mut compose2ecs(
        early.path(),
        &moto,
        &aws_bin,
        &["deploy", "--no-wait"],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("aws-cli/1.46.3")
            && stderr.contains("deploymentConfiguration.earlySuccessCriteria"),
        "{stderr}"
    );
}

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

/// Where the template has `{"Ref": P}` for a parameter without default (a
/// placeholder of the overlay's), the JSON output's value at the same
/// place: what a deploy passes for P.
fn placeholder_values(
    template: &serde_json::Value,
    props: &serde_json::Value,
    json: &serde_json::Value,
    out: &mut Vec<(String, String)>,
) {
    use serde_json::Value;
    match (props, json) {
        (Value::Object(p), _) if p.len() == 1 && p.contains_key("Ref") => {
            let id = p["Ref"].as_str().unwrap();
            let param = &template["Parameters"][id];
            if param.is_object() && param["Default"].is_null() {
                if let Some(v) = json.as_str() {
                    out.push((id.to_owned(), v.to_owned()));
                }
            }
        }
        (Value::Object(p), Value::Object(j)) => {
            for (k, v) in p {
                if let Some((_, jv)) = j.iter().find(|(jk, _)| jk.eq_ignore_ascii_case(k)) {
                    placeholder_values(template, v, jv, out);
                }
            }
        }
        (Value::Array(p), Value::Array(j)) => {
            for (v, jv) in p.iter().zip(j) {
                placeholder_values(template, v, jv, out);
            }
        }
        _ => {}
    }
}

/// Keys in lower case: moto turns CloudFormation's names into the API's
/// by lowering the first letter (`EFSVolumeConfiguration` →
/// `eFSVolumeConfiguration`), so names are compared without case.
fn folded(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), folded(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(folded).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_cloudformation_stack_registers_what_register_does_on_moto() {
    // The shipped examples' templates, deployed with `aws cloudformation
    // create-stack` into moto: each family's task definition equals the one
    // `aws ecs register-task-definition` makes of the JSON output, member by
    // member, for the members moto's CloudFormation carries over (family,
    // containerDefinitions, volumes, memory: it drops the rest, which
    // compose2ecs-core/tests/fixtures.rs compares with the template itself),
    // and each service runs the stack's revision.
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let (subnet, group) = moto_network(&aws_bin, &moto);
    for example in ["seed-student-rest", "example-shop", "overlay-realistic-app"] {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&common::repo().join("fixtures").join(example), dir.path());
        for args in [
            &["convert", "-q", "-o", "ecs"][..],
            &["convert", "-q", "--target", "cloudformation", "-o", "cfn"],
        ] {
            let run = common::run(common::bin().current_dir(dir.path()).args(args));
            assert_eq!(run.code, 0, "{example}: {}", run.stderr);
        }
        let name = &common::listing(&dir.path().join("cfn"))[0];
        let path = dir.path().join("cfn").join(name);
        let template: serde_json::Value =
            serde_norway::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let stack = name.trim_end_matches(".cloudformation.yaml").to_owned();

        let td_file = |family: &str| {
            dir.path()
                .join(format!("ecs/{family}.task-definition.json"))
        };
        let families: Vec<String> = template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
            .map(|r| r["Properties"]["Family"].as_str().unwrap().to_owned())
            .collect();
        assert!(!families.is_empty());
        let mut params = vec![
            ("Subnets".to_owned(), subnet.clone()),
            ("SecurityGroups".to_owned(), group.clone()),
        ];
        for r in template["Resources"].as_object().unwrap().values() {
            if r["Type"] == "AWS::ECS::TaskDefinition" {
                let family = r["Properties"]["Family"].as_str().unwrap();
                let json: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(td_file(family)).unwrap())
                        .unwrap();
                placeholder_values(&template, &r["Properties"], &json, &mut params);
            }
        }
        params.sort();
        params.dedup();
        let parameters: Vec<serde_json::Value> = params
            .iter()
            .filter(|(k, _)| template["Parameters"].get(k).is_some())
            .map(|(k, v)| serde_json::json!({"ParameterKey": k, "ParameterValue": v}))
            .collect();
        let cluster = template["Parameters"]["Cluster"]["Default"]
            .as_str()
            .unwrap();
        aws(
            &aws_bin,
            &moto,
            &["ecs", "create-cluster", "--cluster-name", cluster],
        )
        .unwrap();
        aws(
            &aws_bin,
            &moto,
            &[
                "cloudformation",
                "create-stack",
                "--stack-name",
                &stack,
                "--template-body",
                &format!("file://{}", path.display()),
                "--parameters",
                &serde_json::Value::from(parameters).to_string(),
            ],
        )
        .unwrap_or_else(|e| panic!("{example}: {e}"));
        let status = aws(
            &aws_bin,
            &moto,
            &["cloudformation", "describe-stacks", "--stack-name", &stack],
        )
        .unwrap();
        assert_eq!(
            status["Stacks"][0]["StackStatus"], "CREATE_COMPLETE",
            "{example}"
        );

        for family in &families {
            let from_stack = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-task-definition",
                    "--task-definition",
                    &format!("{family}:1"),
                ],
            )
            .unwrap_or_else(|e| panic!("{family} is not in the stack: {e}"));
            aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "register-task-definition",
                    "--cli-input-json",
                    &format!("file://{}", td_file(family).display()),
                ],
            )
            .unwrap();
            let registered = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-task-definition",
                    "--task-definition",
                    &format!("{family}:2"),
                ],
            )
            .unwrap();
            for member in ["family", "containerDefinitions", "volumes", "memory"] {
                let mut want = folded(&registered["taskDefinition"][member]);
                if member == "volumes" {
                    // moto's CloudFormation hands its register
                    // `eFSVolumeConfiguration` (the first letter lowered),
                    // which it does not know and drops: an EFS volume
                    // arrives as its name only.
                    for v in want.as_array_mut().into_iter().flatten() {
                        v.as_object_mut().unwrap().remove("efsvolumeconfiguration");
                    }
                }
                assert_eq!(
                    folded(&from_stack["taskDefinition"][member]),
                    want,
                    "{example}: {family}: `{member}` of the stack's revision and of register's differ"
                );
            }
            assert!(
                !from_stack["taskDefinition"]["containerDefinitions"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            );
        }
        for r in template["Resources"].as_object().unwrap().values() {
            if r["Type"] != "AWS::ECS::Service" {
                continue;
            }
            let name = r["Properties"]["ServiceName"].as_str().unwrap();
            let json: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(dir.path().join(format!("ecs/{name}.service.json")))
                    .unwrap(),
            )
            .unwrap();
            let live = aws(
                &aws_bin,
                &moto,
                &[
                    "ecs",
                    "describe-services",
                    "--cluster",
                    cluster,
                    "--services",
                    name,
                ],
            )
            .unwrap();
            let live = &live["services"][0];
            assert_eq!(live["serviceName"], name, "{example}: {live:#}");
            assert_eq!(
                live["desiredCount"], json["desiredCount"],
                "{example}: {name}"
            );
            let family = json["taskDefinition"].as_str().unwrap();
            assert!(
                live["taskDefinition"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("task-definition/{family}:1")),
                "{example}: {name} runs {}",
                live["taskDefinition"]
            );
        }
    }
}
