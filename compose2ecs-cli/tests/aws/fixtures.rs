//! Every fixture's outputs, as the real AWS CLI takes them: registered, and its
//! services, jobs, scaling and schedules created on moto; a broken task
//! definition refused by the CLI itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::moto::{moto_env, start_moto, tools};
use crate::scenario::*;

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
