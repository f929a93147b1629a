//! `register` and `deploy` against a stand-in `aws` that records every
//! call: the project's region on every call, an existing service made to
//! match its definition, create-only members refused, and `--dry-run`
//! printing exactly the calls; and with `--format json`, one result
//! document on stdout on every exit path of every command.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::path::Path;

mod common;

use common::bin;

/// What the stand-in account holds: the live service (none when `None`),
/// the log group `/ecs/shop-web` or not, how many subnets vpc-0abc has, and
/// whether every call is refused.
#[derive(Default)]
struct Account {
    live: Option<serde_json::Value>,
    group: bool,
    subnets: Option<usize>,
    denied: bool,
}

impl Account {
    /// The stand-in's table: each call answered as ECS would.
    fn table(&self) -> serde_json::Value {
        use serde_json::json;
        if self.denied {
            return json!([{"call": [], "fail": "An error occurred (AccessDeniedException): not allowed"}]);
        }
        let services = match &self.live {
            Some(l) => json!({"services": [l]}),
            None => json!({"services": []}),
        };
        let mut groups = vec![json!({"logGroupName": "/ecs/shop-web-old"})];
        if self.group {
            groups.push(json!({"logGroupName": "/ecs/shop-web"}));
        }
        // Available subnets, listed out of order, and one pending.
        let mut subnets: Vec<serde_json::Value> = (0..self.subnets.unwrap_or(2))
            .rev()
            .map(|i| json!({"SubnetId": format!("subnet-0abc-{i:02}"), "VpcId": "vpc-0abc", "State": "available"}))
            .collect();
        subnets
            .push(json!({"SubnetId": "subnet-pending", "VpcId": "vpc-0abc", "State": "pending"}));
        json!([
            common::registers("eu-west-1", 4),
            {"call": ["ecs", "describe-services"], "json": services},
            {"call": ["ecs", "create-service"], "json": {"service": {"status": "ACTIVE"}}},
            {"call": ["ecs", "update-service"], "json": {"service": {"status": "ACTIVE"}}},
            {"call": ["ecs", "tag-resource"]},
            {"call": ["logs", "describe-log-groups"], "json": {"logGroups": groups}},
            {"call": ["logs", "create-log-group"]},
            {"call": ["logs", "put-retention-policy"]},
            {"call": ["ecs", "describe-task-definition"], "fail": "An error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition."},
            {"call": ["ecs", "list-tasks"], "json": {"taskArns": []}},
            {"call": ["logs", "filter-log-events"], "json": {"events": [{"timestamp": 1000, "logStreamName": "ecs/web/t1", "message": "started"}]}},
            {"call": ["ec2", "describe-subnets"], "has": ["Name=vpc-id,Values=vpc-0abc"], "json": {"Subnets": subnets}},
        ])
    }

    /// Puts this account behind the stand-in of `dir`.
    fn behind(&self, dir: &Path) {
        common::StandIn::at(dir).answer(self.table());
    }
}

const COMPOSE: &str =
    "name: shop\nservices:\n  web:\n    image: nginx\n    deploy: {replicas: 2}\n";

fn overlay(region: &str) -> String {
    format!(
        "{region}roles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\ncluster: prod\nnetwork: {{subnets: [subnet-2], security_groups: [sg-1]}}\n"
    )
}

fn project(overlay: &str, live: Option<serde_json::Value>) -> tempfile::TempDir {
    let dir = common::project(&[("compose.yaml", COMPOSE), ("compose2ecs.yaml", overlay)]);
    common::StandIn::new(
        dir.path(),
        Account {
            live,
            ..Account::default()
        }
        .table(),
    );
    dir
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(args)
        .arg("--aws-cli")
        .arg(dir.join("aws"))
        .envs(env.iter().copied());
    let r = common::run(&mut cmd);
    (r.code, r.stdout, r.stderr)
}

/// Every recorded call: its arguments and input documents.
fn calls(dir: &Path) -> Vec<serde_json::Value> {
    common::StandIn::at(dir).calls()
}

/// Each call's service and operation (`ecs update-service`), but for what
/// the installed CLI is asked it knows (`--generate-cli-skeleton`).
fn verbs(dir: &Path) -> Vec<String> {
    common::StandIn::at(dir)
        .args()
        .into_iter()
        .filter(|a| !a.iter().any(|w| w == "--generate-cli-skeleton"))
        .map(|a| a[..2].join(" "))
        .collect()
}

fn region_of(call: &serde_json::Value) -> Option<String> {
    let args: Vec<&str> = call["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let i = args.iter().position(|a| *a == "--region")?;
    args.get(i + 1).map(|r| (*r).to_owned())
}

#[test]
fn every_call_carries_the_projects_region() {
    // The overlay's region, over the environment's.
    let dir = project(&overlay("region: eu-west-1\n"), None);
    let env = [("AWS_REGION", "us-east-2")];
    let (code, _, stderr) = run(dir.path(), &["register"], &env);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("region eu-west-1 (from compose2ecs.yaml `region`)"),
        "{stderr}"
    );
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &env);
    assert_eq!(code, 0, "{stderr}");
    let all = calls(dir.path());
    // (Each operation's `--generate-cli-skeleton` first: what the CLI knows.)
    let real = all
        .iter()
        .filter(|c| !c.to_string().contains("--generate-cli-skeleton"))
        .count();
    assert_eq!(
        real, 5,
        "register; describe (whose the service is), register, describe, create: {all:?}"
    );
    for call in &all {
        assert_eq!(region_of(call).as_deref(), Some("eu-west-1"), "{call}");
    }

    // Without one in the overlay: logs.region, then AWS_REGION, then AWS_DEFAULT_REGION.
    let dir = project(&overlay("logs: {region: ap-south-1}\n"), None);
    run(dir.path(), &["register"], &env);
    assert_eq!(
        region_of(&calls(dir.path())[0]).as_deref(),
        Some("ap-south-1")
    );
    let dir = project(&overlay(""), None);
    run(
        dir.path(),
        &["register"],
        &[("AWS_DEFAULT_REGION", "sa-east-1")],
    );
    assert_eq!(
        region_of(&calls(dir.path())[0]).as_deref(),
        Some("sa-east-1")
    );
    let dir = project(&overlay(""), None);
    let (_, _, stderr) = run(dir.path(), &["register"], &[]);
    assert_eq!(region_of(&calls(dir.path())[0]), None);
    assert!(stderr.contains("the AWS CLI's default"), "{stderr}");
}

#[test]
fn an_existing_service_is_made_to_match_its_definition() {
    let live = serde_json::json!({
        "serviceName": "shop-web", "status": "ACTIVE", "launchType": "FARGATE", "desiredCount": 5,
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
        "tags": ours(),
    });
    let dir = project(&overlay("region: eu-west-1\n"), Some(live));
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        // (The stand-in's service has no deploymentConfiguration: ours is a change.)
        stderr.contains("updated service shop-web to shop-web:4; changed: deploymentConfiguration, desiredCount 5 → 2, networkConfiguration"),
        "{stderr}"
    );
    let update = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][1] == "update-service")
        .unwrap();
    let input = &update["inputs"][0];
    assert_eq!(input["service"], "shop-web");
    assert_eq!(input["cluster"], "prod");
    assert_eq!(input["taskDefinition"], "shop-web:4");
    assert_eq!(input["desiredCount"], 2);
    assert_eq!(
        input["networkConfiguration"]["awsvpcConfiguration"]["subnets"][0],
        "subnet-2"
    );
    assert!(
        input.get("launchType").is_none(),
        "create-only members are not sent"
    );
}

/// The tags compose2ecs gives the project's services.
fn ours() -> serde_json::Value {
    serde_json::json!([{"key": "compose2ecs:project", "value": "shop"}, {"key": "compose2ecs:service", "value": "web"}])
}

/// A service of the same name this project did not create (no project tag,
/// or another project's) is left alone before any change; `--adopt` takes
/// it over and tags it; `scale` leaves it alone too.
#[test]
fn a_service_this_project_did_not_create_is_not_taken_over() {
    for (tags, why) in [
        (
            serde_json::json!([{"key": "team", "value": "shop"}]),
            "it has no compose2ecs:project tag: compose2ecs did not create it",
        ),
        (
            serde_json::json!([{"key": "compose2ecs:project", "value": "blog"}]),
            "it is project `blog`'s",
        ),
    ] {
        let live = serde_json::json!({"serviceName": "shop-web", "status": "ACTIVE", "launchType": "FARGATE",
            "desiredCount": 2, "serviceArn": "arn:aws:ecs:eu-west-1:123456789012:service/prod/shop-web", "tags": tags});
        let dir = project(&overlay("region: eu-west-1\n"), Some(live));
        let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains(&format!("service shop-web (cluster prod) exists and {why}"))
                && stderr.contains("nothing was changed")
                && stderr.contains("--adopt"),
            "{stderr}"
        );
        let changing = |dir: &Path| {
            verbs(dir)
                .into_iter()
                .filter(|v| !v.starts_with("ecs describe-") && !v.starts_with("logs describe-"))
                .collect::<Vec<_>>()
        };
        assert!(changing(dir.path()).is_empty(), "{:?}", verbs(dir.path()));
        let (code, _, stderr) = run(dir.path(), &["scale", "web=3"], &[]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("nothing was scaled"), "{stderr}");
        assert!(changing(dir.path()).is_empty(), "{:?}", verbs(dir.path()));

        let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait", "--adopt"], &[]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains("adopting service shop-web (cluster prod)"),
            "{stderr}"
        );
        let tagged = calls(dir.path())
            .into_iter()
            .find(|c| c["args"][1] == "tag-resource")
            .unwrap();
        assert!(
            tagged["args"]
                .to_string()
                .contains(r#"\"key\":\"compose2ecs:project\",\"value\":\"shop\""#),
            "{tagged}"
        );
    }
}

#[test]
fn a_member_update_service_cannot_change_is_refused_with_what_to_do() {
    let live = serde_json::json!({"serviceName": "shop-web", "status": "ACTIVE", "launchType": "EC2", "desiredCount": 2, "tags": ours()});
    let dir = project(&overlay("region: eu-west-1\n"), Some(live));
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("has launchType \"EC2\" and the definition says \"FARGATE\""),
        "{stderr}"
    );
    assert!(stderr.contains("delete-service"), "{stderr}");
    assert!(
        !calls(dir.path())
            .iter()
            .any(|c| c["args"][1] == "update-service")
    );
}

#[test]
fn an_awsvpc_service_without_a_network_is_refused_before_any_call() {
    let bare = "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n";
    let dir = project(bare, None);
    for args in [&["deploy"][..], &["deploy", "--dry-run"]] {
        let (code, stdout, stderr) = run(dir.path(), args, &[]);
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains("shop-web use the awsvpc network mode"),
            "{stderr}"
        );
        assert!(stdout.is_empty());
    }
    assert!(calls(dir.path()).is_empty());
}

/// Docker's `x-aws-vpc` (or the overlay's `network.vpc`) without subnets:
/// deploy looks up the VPC's available subnets, sorted, and starts the
/// service there; `--dry-run` shows the lookup and calls nothing.
#[test]
fn deploy_looks_up_the_subnets_of_the_vpc() {
    let bare = "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n";
    let dir = project(bare, None);
    std::fs::write(
        dir.path().join("compose.yaml"),
        format!("x-aws-vpc: vpc-0abc\n{COMPOSE}"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["deploy", "--dry-run"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let first = stdout.lines().find(|l| !l.starts_with('#')).unwrap();
    assert_eq!(
        shell_words::split(first).unwrap()[1..],
        [
            "ec2",
            "describe-subnets",
            "--filters",
            "Name=vpc-id,Values=vpc-0abc",
            "--region",
            "eu-west-1"
        ],
        "{stdout}"
    );
    assert!(stdout.contains("<the subnets of vpc-0abc>"), "{stdout}");
    assert!(calls(dir.path()).is_empty(), "a dry run calls nothing");

    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("subnets of vpc-0abc: subnet-0abc-00, subnet-0abc-01"),
        "{stderr}"
    );
    let create = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][1] == "create-service" && !c.to_string().contains("skeleton"))
        .unwrap();
    assert_eq!(
        create["inputs"][0]["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(["subnet-0abc-00", "subnet-0abc-01"])
    );

    // More than ECS takes: refused before anything is registered.
    common::StandIn::at(dir.path()).forget();
    Account {
        subnets: Some(17),
        ..Account::default()
    }
    .behind(dir.path());
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("vpc-0abc has 17 subnets and ECS takes at most 16"),
        "{stderr}"
    );
    assert!(
        calls(dir.path()).iter().all(|c| c["args"][0] == "ec2"),
        "{:?}",
        calls(dir.path())
    );
}

#[test]
fn dry_run_prints_exactly_the_calls_in_one_json_form() {
    let dir = project(&overlay("region: eu-west-1\n"), None);
    let (code, stdout, stderr) = run(dir.path(), &["deploy", "--dry-run"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let commands: Vec<&str> = stdout.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(commands.len(), 4, "{stdout}");
    for (line, verb) in commands.iter().zip([
        "register-task-definition",
        "describe-services",
        "update-service",
        "create-service",
    ]) {
        let words = shell_words::split(line).unwrap();
        assert_eq!(words[1..3], ["ecs", verb], "{line}");
        assert!(line.contains("--region eu-west-1"), "{line}");
        if let Some(i) = words.iter().position(|w| w == "--cli-input-json") {
            let doc: serde_json::Value = serde_json::from_str(&words[i + 1]).unwrap();
            assert!(doc.is_object(), "{line}");
        }
    }
    // The task definition in the API's member order, as register prints it.
    let (_, register, _) = run(dir.path(), &["register", "--dry-run"], &[]);
    assert_eq!(register.lines().next(), commands.first().copied());
    assert!(
        register.contains(r#"{"family":"shop-web","networkMode":"awsvpc""#),
        "{register}"
    );
    assert!(calls(dir.path()).is_empty(), "a dry run calls nothing");
    // The run makes the calls the dry run shows, in its order (of update
    // and create, the one that fits: no live service, so create), with the
    // same documents.
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let mut made: Vec<serde_json::Value> = calls(dir.path())
        .into_iter()
        .filter(|c| !c.to_string().contains("--generate-cli-skeleton"))
        .collect();
    // First, before any change, whose the services are (a read the dry run
    // does not show: it changes nothing).
    assert_eq!(made.remove(0)["args"][1], "describe-services");
    let shown: Vec<Vec<String>> = commands
        .iter()
        .map(|l| shell_words::split(l).unwrap())
        .filter(|w| w[2] != "update-service")
        .collect();
    assert_eq!(made.len(), shown.len(), "{made:?}");
    for (call, words) in made.iter().zip(&shown) {
        let args: Vec<&str> = call["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(args[..2], [words[1].as_str(), words[2].as_str()], "{call}");
        match words.iter().position(|w| w == "--cli-input-json") {
            Some(i) => {
                let mut shown_doc: serde_json::Value = serde_json::from_str(&words[i + 1]).unwrap();
                let mut sent = call["inputs"][0].clone();
                // The run sends the revision it registered, the dry run
                // the family.
                for doc in [&mut shown_doc, &mut sent] {
                    if let Some(m) = doc.as_object_mut() {
                        m.remove("taskDefinition");
                    }
                }
                assert_eq!(sent, shown_doc, "{call}");
            }
            None => {
                let strip = |w: &[&str]| {
                    w.iter()
                        .filter(|a| **a != "--output" && **a != "json")
                        .map(|a| (*a).to_owned())
                        .collect::<Vec<_>>()
                };
                let shown_args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
                assert_eq!(strip(&args), strip(&shown_args), "{call}");
            }
        }
    }
}

/// `logs.retention_days`: deploy creates each group its tasks have created,
/// when no group has exactly its name (a prefix search finds others), and
/// gives it the retention, before any task definition is registered.
#[test]
fn deploy_creates_the_log_groups_with_their_retention_first() {
    let overlay = format!(
        "{}logs: {{create_group: true, retention_days: 30}}\n",
        overlay("region: eu-west-1\n")
    );
    let verbs = |dir: &Path| -> Vec<String> {
        calls(dir)
            .iter()
            .filter(|c| !c.to_string().contains("--generate-cli-skeleton"))
            .map(|c| {
                format!(
                    "{} {}",
                    c["args"][0].as_str().unwrap(),
                    c["args"][1].as_str().unwrap()
                )
            })
            .filter(|v| v.starts_with("logs ") || v.ends_with("register-task-definition"))
            .collect()
    };
    let dir = project(&overlay, None);
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("created log group /ecs/shop-web, which keeps its events 30 days"),
        "{stderr}"
    );
    let found = verbs(dir.path());
    assert_eq!(
        found[..4],
        [
            "logs describe-log-groups",
            "logs create-log-group",
            "logs put-retention-policy",
            "ecs register-task-definition"
        ],
        "{found:?}"
    );
    let put = calls(dir.path())
        .into_iter()
        .find(|c| c["args"][1] == "put-retention-policy")
        .unwrap();
    let args = put["args"].to_string();
    assert!(
        args.contains(r#""--log-group-name","/ecs/shop-web","--retention-in-days","30""#),
        "{args}"
    );

    // There already: only the retention.
    let dir = project(&overlay, None);
    Account {
        group: true,
        ..Account::default()
    }
    .behind(dir.path());
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("kept log group /ecs/shop-web"), "{stderr}");
    assert!(!verbs(dir.path()).contains(&"logs create-log-group".to_owned()));

    // A dry run shows the three calls first, and makes none.
    let dir = project(&overlay, None);
    let (code, stdout, stderr) = run(dir.path(), &["deploy", "--dry-run"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(
        lines[2].contains(
            "logs put-retention-policy --log-group-name /ecs/shop-web --retention-in-days 30"
        ),
        "{stdout}"
    );
    assert!(calls(dir.path()).is_empty());

    // Without a retention, deploy leaves the logs alone.
    let dir = project(&overlay.replace(", retention_days: 30", ""), None);
    run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert!(verbs(dir.path()).iter().all(|v| !v.starts_with("logs ")));
}

#[test]
fn every_command_prints_one_json_document_on_every_exit_path() {
    // Every command that takes --format (`init`, `config`, `schema` and
    // the shell's do not; `exec`'s stdout is the session's once it starts,
    // here it stops before: ECS Exec is not on).
    let commands: &[&[&str]] = &[
        &["convert", "-o", "out"],
        &["convert", "--check", "-o", "out"],
        &["convert", "--stdout"],
        &["register"],
        &["register", "--dry-run"],
        &["deploy", "--no-wait"],
        &["deploy", "--dry-run"],
        &["run", "web", "--dry-run"],
        &["build", "--dry-run"],
        &["push"],
        &["plan"],
        &["logs", "--since", "1970-01-01T00:00:00Z"],
        &["ps"],
        &["exec", "web"],
        &["scale", "web=3", "--dry-run"],
        &["down", "--dry-run"],
        &["policy"],
    ];
    let ok = overlay("region: eu-west-1\n");
    // A conversion refused, a --strict refusal, an AWS call refused.
    let cases: &[(&str, &str, &str, &[&str])] = &[
        ("success", COMPOSE, &ok, &[]),
        ("rejected", "services:\n  web:\n    ports: 80\n", &ok, &[]),
        (
            "strict",
            "name: shop\nservices:\n  web:\n    image: nginx\n    ports: [\"8000:80\"]\n",
            &ok,
            &["--strict"],
        ),
        ("aws-failure", COMPOSE, &ok, &[]),
    ];
    for (case, compose, overlay, extra) in cases {
        let dir = project(overlay, None);
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        if *case == "aws-failure" {
            Account {
                denied: true,
                ..Account::default()
            }
            .behind(dir.path());
        }
        for command in commands {
            let uses_aws = !matches!(command[0], "convert" | "build" | "policy");
            let reads_only = matches!(
                command[0],
                "plan" | "ps" | "logs" | "exec" | "down" | "scale" | "run" | "push"
            );
            let mut args: Vec<&str> = command.to_vec();
            args.extend(["--format", "json"]);
            args.extend(*extra);
            let mut cmd = bin();
            cmd.current_dir(dir.path()).args(&args);
            if uses_aws {
                cmd.arg("--aws-cli").arg(dir.path().join("aws"));
            }
            let out = cmd.output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Every value on stdout is JSON, and nothing else is there:
            // one document, or (`logs`) JSON lines.
            let values: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&stdout)
                .into_iter()
                .collect::<Result<_, _>>()
                .unwrap_or_else(|e| {
                    panic!("{case} {args:?}: stdout is not JSON ({e}):\n{stdout}\n{stderr}")
                });
            if command[0] == "logs" {
                for line in stdout.lines() {
                    serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| {
                        panic!("{case} {args:?}: stdout line not JSON ({e}): {line}")
                    });
                }
                continue;
            }
            assert_eq!(values.len(), 1, "{case} {args:?}: one document:\n{stdout}");
            let doc = values.into_iter().next().unwrap();
            for line in stderr.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| {
                    panic!("{case} {args:?}: stderr line not JSON ({e}): {line}")
                });
            }
            let code = out.status.code().unwrap();
            let status = doc["status"].as_str().unwrap_or_default().to_owned();
            let stdout_is_output = matches!(command, ["convert", "--stdout"] | ["policy"]);
            match *case {
                "success" if stdout_is_output => {
                    assert_eq!(code, 0, "{args:?}: {stderr}");
                    assert!(
                        doc.get("family").is_some() || doc.get("Statement").is_some(),
                        "{args:?}: {doc}"
                    );
                }
                "success" if reads_only || command[0] == "build" => {
                    // What these say of the stand-in's empty account.
                    let (want_code, want_status) = match command[0] {
                        "plan" => (3, "changes"),
                        // ECS Exec is not on (refused before any call); no
                        // service has `build:`.
                        "exec" | "build" | "push" => (1, "failed"),
                        "run" | "scale" => (0, "dry-run"),
                        // Its rows, as a document of its own.
                        "ps" => (0, ""),
                        _ => (0, "ok"),
                    };
                    assert_eq!(code, want_code, "{args:?}: {doc}\n{stderr}");
                    assert_eq!(
                        doc["status"].as_str().unwrap_or_default(),
                        want_status,
                        "{args:?}: {doc}"
                    );
                    if command[0] == "ps" {
                        assert_eq!(doc["services"][0]["status"], "not deployed", "{doc}");
                    }
                }
                "success" => {
                    assert_eq!(code, 0, "{args:?}: {stderr}");
                    // `--check` runs after `convert -o out` wrote the folder.
                    let expected = match command[0] {
                        "convert" if command.contains(&"--check") => "up-to-date",
                        "convert" => "written",
                        "register" | "deploy" if command.contains(&"--dry-run") => "dry-run",
                        "register" => "registered",
                        _ => "started",
                    };
                    assert_eq!(status, expected, "{args:?}: {doc}");
                }
                "rejected" | "strict" => {
                    assert_eq!(code, 1, "{args:?}");
                    assert_eq!(status, "rejected", "{case} {args:?}: {doc}");
                    assert!(
                        doc["diagnostics"].as_array().is_some_and(|d| !d.is_empty()),
                        "{doc}"
                    );
                    if *case == "strict" {
                        assert_eq!(doc["strict"], true, "{doc}");
                    }
                }
                // Every call refused: what makes a call fails, with AWS's
                // words (a dry run of register, deploy, run or scale makes none).
                _ if uses_aws
                    && !(command.contains(&"--dry-run")
                        && matches!(command[0], "register" | "deploy" | "run" | "scale"))
                    && !matches!(command[0], "push" | "exec") =>
                {
                    assert_eq!(code, 1, "{args:?}");
                    assert_eq!(status, "failed", "{args:?}: {doc}");
                    let text = doc.to_string();
                    assert!(text.contains("AccessDeniedException"), "{args:?}: {doc}");
                }
                _ if matches!(command[0], "build" | "push" | "exec") => {
                    assert_eq!((code, status.as_str()), (1, "failed"), "{args:?}: {doc}");
                }
                _ => assert!(
                    code == 0 || command.contains(&"--check"),
                    "{case} {args:?}: {stderr}"
                ),
            }
        }
    }
}

#[test]
fn policy_with_nothing_to_grant_says_so() {
    let dir = project(
        "roles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
        None,
    );
    // A public image, no region (no logs), no secrets.
    let r = common::run(bin().current_dir(dir.path()).arg("policy"));
    let (code, stdout, stderr) = (r.code, r.stdout, r.stderr);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.is_empty(),
        "an empty policy, which IAM refuses: {stdout}"
    );
    assert!(stderr.contains("nothing to grant"), "{stderr}");
}

#[test]
fn policy_scheduler_grants_run_task_on_the_scheduled_families_only() {
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n  backup:\n    image: backup:1\n",
        ),
        (
            "compose2ecs.yaml",
            "region: eu-west-1\ncluster: prod\nroles:\n  execution: \"arn:aws:iam::123456789012:role/exec\"\n  task: \"arn:aws:iam::123456789012:role/app\"\n  scheduler: \"arn:aws:iam::123456789012:role/sched\"\nservices:\n  backup: {schedule: \"cron(0 3 * * ? *)\"}\n",
        ),
    ]);
    let r = common::run(
        bin()
            .current_dir(dir.path())
            .args(["policy", "--scheduler"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let policy: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let run = &policy["Statement"][0];
    assert_eq!(run["Action"], "ecs:RunTask");
    assert_eq!(
        run["Resource"],
        serde_json::json!(["arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-backup:*"]),
        "the scheduled family only, not shop-web"
    );
    assert_eq!(
        run["Condition"]["ArnLike"]["ecs:cluster"],
        serde_json::json!(["arn:aws:ecs:eu-west-1:123456789012:cluster/prod"])
    );
    let pass = &policy["Statement"][1];
    assert_eq!(pass["Action"], "iam:PassRole");
    assert_eq!(
        pass["Resource"],
        serde_json::json!([
            "arn:aws:iam::123456789012:role/app",
            "arn:aws:iam::123456789012:role/exec"
        ])
    );

    // Nothing scheduled: nothing to grant, said as an error.
    std::fs::write(
        dir.path().join("compose2ecs.yaml"),
        "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
    )
    .unwrap();
    let r = common::run(
        bin()
            .current_dir(dir.path())
            .args(["policy", "--scheduler"]),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no service runs on a schedule"),
        "{}",
        r.stderr
    );
}

#[test]
fn exec_true_enables_execute_command_and_policy_task_role_grants_its_channels() {
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n",
        ),
        (
            "compose2ecs.yaml",
            "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\", task: \"arn:aws:iam::123456789012:role/app\"}\nservices:\n  web: {exec: true}\n",
        ),
    ]);
    let r = common::run(bin().current_dir(dir.path()).args(["convert", "-o", "ecs"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let service: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("ecs/shop-web.service.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(service["enableExecuteCommand"], true);
    let r = common::run(
        bin()
            .current_dir(dir.path())
            .args(["policy", "--task-role"]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let policy: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        policy["Statement"][0]["Action"],
        serde_json::json!([
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel"
        ])
    );
    // Without a task role, exec is a warning: ECS Exec needs one.
    std::fs::write(
        dir.path().join("compose2ecs.yaml"),
        "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nservices:\n  web: {exec: true}\n",
    )
    .unwrap();
    let r = common::run(
        bin()
            .current_dir(dir.path())
            .args(["convert", "-o", "ecs", "--strict"]),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("`web` has `exec: true` and no task role"),
        "{}",
        r.stderr
    );
    // Without exec anywhere, there is nothing to grant.
    std::fs::write(
        dir.path().join("compose2ecs.yaml"),
        "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
    )
    .unwrap();
    let r = common::run(
        bin()
            .current_dir(dir.path())
            .args(["policy", "--task-role"]),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no service has `exec: true`"),
        "{}",
        r.stderr
    );
}

#[test]
fn pull_credentials_give_repository_credentials_and_exactly_their_read_in_the_policy() {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/capacity-and-registries");
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&from, dir.path());
    let r = common::run(bin().current_dir(dir.path()).args(["convert", "-o", "ecs"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let td = |f: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(
                dir.path()
                    .join(format!("ecs/shop-{f}.task-definition.json")),
            )
            .unwrap(),
        )
        .unwrap()
    };
    let ghcr = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr-login-Ab12Cd";
    let hub = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub-login-Ef34Gh";
    // Each image gets its registry host's login.
    assert_eq!(
        td("web")["containerDefinitions"][0]["repositoryCredentials"]["credentialsParameter"],
        ghcr
    );
    assert_eq!(
        td("worker")["containerDefinitions"][0]["repositoryCredentials"]["credentialsParameter"],
        hub
    );
    let r = common::run(bin().current_dir(dir.path()).arg("policy"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let policy: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let read = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ReadSecrets")
        .unwrap();
    assert_eq!(read["Action"], "secretsmanager:GetSecretValue");
    assert_eq!(read["Resource"], serde_json::json!([hub, ghcr]));
}

/// `down` says nothing is removed when a schedule cannot be read (it may
/// go on starting tasks): only "not found" means there is none.
#[test]
fn down_stops_before_removing_anything_when_a_schedule_cannot_be_read() {
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: shop\nservices:\n  backup:\n    image: busybox:1.37\n    restart: \"no\"\n",
        ),
        (
            "compose2ecs.yaml",
            "region: eu-west-1\ncluster: prod\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\", scheduler: \"arn:aws:iam::123456789012:role/sched\"}\nnetwork: {subnets: [subnet-1]}\nservices:\n  backup: {schedule: \"cron(0 3 * * ? *)\"}\n",
        ),
    ]);
    let aws = common::StandIn::new(
        dir.path(),
        serde_json::json!([
            {"call": ["scheduler", "get-schedule"], "fail": "An error occurred (AccessDeniedException) when calling the GetSchedule operation: not allowed"},
        ]),
    );
    let (code, _, stderr) = run(dir.path(), &["down", "--yes"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("down failed before removing anything")
            && stderr.contains("AccessDeniedException"),
        "{stderr}"
    );
    assert!(
        aws.args().iter().all(|a| a[1].starts_with("get-")),
        "{:?}",
        aws.args()
    );
    // Not found: nothing of it to remove, and down goes on.
    aws.answer(serde_json::json!([
        {"call": ["scheduler", "get-schedule"], "fail": "An error occurred (ResourceNotFoundException) when calling the GetSchedule operation: Schedule shop-backup does not exist."},
    ]));
    let (code, _, stderr) = run(dir.path(), &["down", "--yes"], &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("nothing of this project to remove"),
        "{stderr}"
    );
}

/// A deploy that fails says what it had already changed, region included:
/// a revision registered before create-service was refused used to go
/// unsaid.
#[test]
fn a_failed_deploy_says_what_it_already_changed() {
    let dir = project(&overlay("region: eu-west-1\n"), None);
    let mut table = Account::default().table();
    table.as_array_mut().unwrap().insert(
        0,
        serde_json::json!({"call": ["ecs", "create-service"], "fail": "An error occurred (AccessDeniedException) when calling the CreateService operation: not allowed"}),
    );
    common::StandIn::at(dir.path()).answer(table);
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("deploying `shop-web` failed")
            && stderr.contains("AccessDeniedException")
            && stderr
                .contains("what deploy had already changed in eu-west-1: registered shop-web:4"),
        "{stderr}"
    );
    // Refused at once: nothing changed, and said so.
    Account {
        denied: true,
        ..Account::default()
    }
    .behind(dir.path());
    let (code, _, stderr) = run(dir.path(), &["deploy", "--no-wait"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
}

/// `down` stopped by a refused call says what it had removed, what it had
/// half done and what is left.
#[test]
fn a_stopped_down_says_what_it_removed_and_what_is_left() {
    let live = serde_json::json!({"serviceName": "shop-web", "status": "ACTIVE", "desiredCount": 2, "tags": ours()});
    let dir = project(&overlay("region: eu-west-1\n"), Some(live.clone()));
    let mut table = Account {
        live: Some(live),
        ..Account::default()
    }
    .table();
    table.as_array_mut().unwrap().insert(
        0,
        serde_json::json!({"call": ["ecs", "delete-service"], "fail": "An error occurred (AccessDeniedException) when calling the DeleteService operation: not allowed"}),
    );
    common::StandIn::at(dir.path()).answer(table);
    let (code, _, stderr) = run(dir.path(), &["down", "--yes"], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("service shop-web was already scaled to 0 tasks, and is not deleted")
            && stderr.contains("nothing was removed; left: service shop-web (cluster prod)"),
        "{stderr}"
    );
}
