//! Every shell example of README.md, CONTRIBUTING.md and docs/*.md runs as
//! shown, as a user following the page would run it: the page's blocks in
//! order, in one shell session, from a folder holding a copy of the
//! repository's fixtures, with `compose2ecs` the binary under test.
//!
//! - A `console` block's `$ …` lines are commands, and what follows each is
//!   its output, compared exactly (stderr and stdout as they come).
//! - An `sh` block's lines are commands (a `\` continues one, a heredoc is
//!   part of it); the `#   …` lines right after a command are what it
//!   prints, abridged: each piece between `…` or ` · ` must be in its
//!   output. Other comments are prose.
//!
//! `aws` is the real AWS CLI against moto (started here on a free port of
//! 127.0.0.1, or by the page itself: docs/local-moto.md), or, for the pages
//! that show a real account at work (docs/deploying.md), the stand-in of
//! `common::StandIn` answering as that account would; `docker` is the
//! stand-in `docker`. A block that cannot run here is in [`NOT_RUN`], with
//! why; an entry that matches no block is an error, so the list cannot go
//! stale.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::moto::{default_account, moto_env, tools};

/// The blocks no test runs, by page and first line, and why.
const NOT_RUN: &[(&str, &str, &str)] = &[
    (
        "README.md",
        "# from a clone, or the script alone",
        "downloads a release from GitHub; tests/integrate.rs runs scripts/install-release against a local release",
    ),
    (
        "README.md",
        "v=0.1.0 t=x86_64-unknown-linux-musl",
        "downloads a release from GitHub; tests/integrate.rs checks the archives and SHA256SUMS the release workflow makes",
    ),
    (
        "README.md",
        "cargo install --locked compose2ecs-cli",
        "downloads from crates.io; .ci/run packages the crates as crates.io would hold them (cargo publish --dry-run)",
    ),
    (
        "README.md",
        "cargo install --locked --path compose2ecs-cli",
        "a release build of the CLI (minutes); every test runs the same crate",
    ),
    (
        "README.md",
        "# 1. Convert the shipped example",
        "the two fresh-machine commands: .ci/run runs both, on a clean clone",
    ),
    (
        "CONTRIBUTING.md",
        "INSTA_UPDATE=always cargo test -p compose2ecs-core --test fixtures",
        "rewrites the snapshots: the step a contributor reviews",
    ),
    (
        "CONTRIBUTING.md",
        "cargo install cargo-fuzz",
        "half an hour of fuzzing with cargo-fuzz on nightly (BENCHMARKS.md, Fuzzing)",
    ),
    (
        "docs/local-moto.md",
        "python3 -m venv .venv",
        "installs from PyPI what scripts/test installs, at the same pins",
    ),
];

/// What a page takes as given before its first block, made here: in
/// docs/in-ci.md, a project whose `ecs/` was committed before its image
/// moved on.
const SETUP: &[(&str, &str)] = &[(
    "docs/in-ci.md",
    "printf 'name: shop\\nservices:\\n  web:\\n    image: nginx:1.27\\n' > compose.yaml\n\
     printf 'region: eu-west-1\\nroles: {execution: \"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\"}\\nnetwork: {subnets: [subnet-0a1b2c3d4e5f60718], security_groups: [sg-0a1b2c3d4e5f60718]}\\nservices:\\n  web: {cpu: 256, memory: 512}\\n' > compose2ecs.yaml\n\
     compose2ecs convert -o ecs -q 2>/dev/null\n\
     sed -i.orig 's/nginx:1.27/nginx:1.28/' compose.yaml\n",
)];

/// A fenced shell block of a page.
#[derive(Debug)]
struct Block {
    file: String,
    line: usize,
    console: bool,
    text: String,
}

/// One command of a block, and what the page shows it printing.
#[derive(Debug)]
struct Step {
    file: String,
    line: usize,
    command: String,
    shown: Shown,
}

#[derive(Debug)]
enum Shown {
    /// Exactly this (a console block).
    Exactly(String),
    /// These pieces, somewhere (an sh block's `#   ` lines).
    Pieces(Vec<String>),
}

fn repo() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap()
}

/// The pages: README.md, CONTRIBUTING.md and docs/*.md.
fn pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    pages.sort();
    pages.splice(0..0, ["README.md".to_owned(), "CONTRIBUTING.md".to_owned()]);
    pages
}

fn blocks(file: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(lang) = line.strip_prefix("```") {
                    let lang = lang.split_whitespace().next().unwrap_or("");
                    if ["console", "sh", "bash", "shell"].contains(&lang) {
                        open = Some(Block {
                            file: file.to_owned(),
                            line: i + 2,
                            console: lang == "console",
                            text: String::new(),
                        });
                    } else if !lang.is_empty() || line == "```" {
                        // Another language's block: skip to its end.
                        open = Some(Block {
                            file: String::new(),
                            line: 0,
                            console: false,
                            text: String::new(),
                        });
                    }
                }
            }
            Some(b) if line.starts_with("```") => {
                if !b.file.is_empty() {
                    out.push(open.take().unwrap());
                }
                open = None;
            }
            Some(b) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
        }
    }
    out
}

/// Why a block is not run, if it is not.
fn not_run(b: &Block) -> Option<&'static str> {
    let first = b.text.lines().next().unwrap_or("");
    NOT_RUN
        .iter()
        .find(|(file, start, _)| *file == b.file && first.starts_with(start))
        .map(|(_, _, why)| *why)
}

fn steps(b: &Block) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let lines: Vec<&str> = b.text.lines().collect();
    let mut i = 0;
    // Whether the last line read was a command or what it prints.
    let mut after_command = false;
    while i < lines.len() {
        let line = lines[i];
        let at = b.line + i;
        i += 1;
        if b.console {
            // `> ` continues the command, as a shell shows it.
            if let (Some(more), Some(s)) = (line.strip_prefix("> "), steps.last_mut()) {
                if matches!(&s.shown, Shown::Exactly(t) if t.is_empty()) {
                    s.command.push('\n');
                    s.command.push_str(more);
                    continue;
                }
            }
            match line.strip_prefix("$ ") {
                Some(c) => steps.push(Step {
                    file: b.file.clone(),
                    line: at,
                    command: c.to_owned(),
                    shown: Shown::Exactly(String::new()),
                }),
                None => {
                    if let Some(Shown::Exactly(s)) = steps.last_mut().map(|s| &mut s.shown) {
                        s.push_str(line);
                        s.push('\n');
                    }
                }
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            after_command = false;
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            let shown = comment.strip_prefix("   ").filter(|_| after_command);
            match (shown, steps.last_mut()) {
                (
                    Some(text),
                    Some(Step {
                        shown: Shown::Pieces(p),
                        ..
                    }),
                ) => {
                    p.extend(
                        text.split(['…', '·'])
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned),
                    );
                }
                _ => after_command = false,
            }
            continue;
        }
        let mut command = line.to_owned();
        // A `\` continues the command; a heredoc runs to its end word.
        while command.ends_with('\\') && i < lines.len() {
            command.push('\n');
            command.push_str(lines[i]);
            i += 1;
        }
        if let Some(word) = command.split("<<").nth(1) {
            let end = word.trim().trim_matches(['\'', '"']).to_owned();
            while i < lines.len() {
                command.push('\n');
                command.push_str(lines[i]);
                i += 1;
                if lines[i - 1] == end {
                    break;
                }
            }
        }
        steps.push(Step {
            file: b.file.clone(),
            line: at,
            command,
            shown: Shown::Pieces(Vec::new()),
        });
        after_command = true;
    }
    steps
}

/// The folder a page runs in: the fixtures, a home, and the tools first on
/// PATH (`compose2ecs`, the stand-in `docker`).
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&repo().join("fixtures"), &dir.path().join("fixtures"));
    for d in ["home", "bin"] {
        std::fs::create_dir(dir.path().join(d)).unwrap();
    }
    let bin = dir.path().join("bin");
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("compose2ecs"),
        bin.join("compose2ecs"),
    )
    .unwrap();
    std::fs::write(bin.join("docker"), common::STAND_IN_DOCKER).unwrap();
    let mut p = std::fs::metadata(bin.join("docker")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
    std::fs::set_permissions(bin.join("docker"), p).unwrap();
    dir
}

/// Runs a page's steps in one bash session from `root`, with `env`; each
/// step's output.
fn run_steps(
    root: &Path,
    steps: &[Step],
    starts: &[usize],
    accounts: &[serde_json::Value],
    env: &[(String, String)],
) -> Vec<String> {
    let mut script = String::from(
        "set -eo pipefail\n# What a page starts in the background stops with it.\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n",
    );
    let page = steps.first().map(|s| s.file.as_str()).unwrap_or("");
    if let Some((_, setup)) = SETUP.iter().find(|(p, _)| *p == page) {
        script.push_str(setup);
    }
    for (n, s) in steps.iter().enumerate() {
        if let Some(k) = starts.iter().position(|s| *s == n) {
            // A block goes on where the one before left, as in a terminal,
            // unless it starts from the top (`cd fixtures/…`); and (with the
            // stand-in) against the account the block shows.
            if s.command.starts_with("cd fixtures/") {
                script.push_str(&format!("cd '{}'\n", root.display()));
            }
            if let Some(table) = accounts.get(k) {
                let bin = root.join("bin");
                std::fs::write(bin.join(format!("answers-{k}.json")), table.to_string()).unwrap();
                script.push_str(&format!(
                    "cp bin/answers-{k}.json bin/answers.json && rm -f bin/answers.count bin/answers.state\n"
                ));
            }
        }
        // A console example shows what a command prints, whatever its exit
        // status (`--check` exits 1 on drift); the output is the check.
        // (On lines of their own: a command may end with a comment.)
        let (head, tail) = if matches!(s.shown, Shown::Exactly(_)) {
            ("{ ", "\n} || true")
        } else {
            ("", "")
        };
        script.push_str(&format!("printf '@@@ {n}\\n'\n{head}{}{tail}\n", s.command));
    }
    script.push_str("printf '@@@ end\\n'\n");
    let log = root.join("session.log");
    // A page that waits forever (a rollout the account never completes)
    // fails here, not after the test harness's patience.
    let status = std::process::Command::new("timeout")
        .args(["300", "bash", "-c"])
        .arg(format!("exec > '{}' 2>&1\n{script}", log.display()))
        .current_dir(root)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status()
        .unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let mut outputs = vec![String::new(); steps.len()];
    let mut current: Option<usize> = None;
    let mut ended = false;
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let (chunk, marker) = match rest.find("@@@ ") {
            Some(i) => (&rest[..i], Some(i)),
            None => (rest, None),
        };
        if let Some(c) = current {
            outputs[c].push_str(chunk);
        }
        let Some(i) = marker else { break };
        let after = &rest[i + 4..];
        let end = after.find('\n').unwrap_or(after.len());
        match &after[..end] {
            "end" => ended = true,
            n => current = n.parse().ok(),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    if !status.success() || !ended {
        let failed = current.unwrap_or(0);
        let s = &steps[failed];
        panic!(
            "{}:{}: `{}` failed ({status}):\n{}",
            s.file, s.line, s.command, outputs[failed]
        );
    }
    outputs
}

/// The environment of a page: a clean one, the sandbox's tools first.
fn environment(root: &Path, extra: Vec<(String, String)>) -> Vec<(String, String)> {
    let path = format!(
        "{}:{}",
        root.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env = vec![
        ("PATH".to_owned(), path),
        ("HOME".to_owned(), root.join("home").display().to_string()),
        ("NO_COLOR".to_owned(), "1".to_owned()),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
    ];
    env.extend(extra);
    env
}

#[test]
fn every_shell_example_runs_as_shown() {
    let Some((_, moto_bin)) = tools() else {
        return;
    };
    let mut matched = vec![false; NOT_RUN.len()];
    let mut ran = 0;
    // COMPOSE2ECS_EXAMPLES=docs/deploying.md runs one page.
    let only = std::env::var("COMPOSE2ECS_EXAMPLES").ok();
    for page in pages() {
        if only.as_ref().is_some_and(|o| *o != page) {
            continue;
        }
        let all = blocks(&page);
        let mut steps_of_page: Vec<Step> = Vec::new();
        let mut starts = Vec::new();
        for b in &all {
            if let Some(why) = not_run(b) {
                let i = NOT_RUN.iter().position(|(_, _, w)| *w == why).unwrap();
                matched[i] = true;
                continue;
            }
            starts.push(steps_of_page.len());
            steps_of_page.extend(steps(b));
        }
        if steps_of_page.is_empty() {
            continue;
        }
        let dir = sandbox();
        let root = dir.path();
        // The AWS the page talks to.
        let moto;
        let mut accounts = Vec::new();
        let extra = match page.as_str() {
            // It starts its own moto, as a user following it does.
            "docs/local-moto.md" => Vec::new(),
            "docs/deploying.md" => {
                accounts = vec![student(), webshop()];
                common::StandIn::new(&root.join("bin"), serde_json::json!([]));
                Vec::new()
            }
            _ => {
                moto = default_account(&moto_bin);
                moto_env(&moto)
                    .into_iter()
                    .filter(|(k, _)| k != "PATH" && k != "HOME")
                    .collect()
            }
        };
        let env = environment(root, extra);
        let outputs = run_steps(root, &steps_of_page, &starts, &accounts, &env);
        for (s, out) in steps_of_page.iter().zip(&outputs) {
            let root_text = root.display().to_string();
            let out = out.replace(&root_text, "<sandbox>");
            match &s.shown {
                Shown::Exactly(shown) => {
                    assert_eq!(&out, shown, "{}:{}: `{}`", s.file, s.line, s.command);
                }
                Shown::Pieces(pieces) => {
                    for p in pieces {
                        assert!(
                            out.contains(p.as_str()),
                            "{}:{}: `{}` does not print `{p}`; it printed:\n{out}",
                            s.file,
                            s.line,
                            s.command
                        );
                    }
                }
            }
            ran += 1;
        }
    }
    if only.is_none() {
        for (m, (file, start, _)) in matched.iter().zip(NOT_RUN) {
            assert!(m, "NOT_RUN names no block of {file} starting `{start}`");
        }
        assert!(ran > 20, "only {ran} commands ran");
    }
}

/// The account docs/deploying.md's walkthrough shows at work, as the
/// stand-in answers: no repository and no service at first; the repository
/// once pushed to, the service once created (its rollout in progress, then
/// completed), on revision 2 once updated, scaled, and gone once deleted.
fn student() -> serde_json::Value {
    use serde_json::json;
    let tags = json!([{"key": "compose2ecs:project", "value": "student"}, {"key": "compose2ecs:service", "value": "rest"}]);
    let arn =
        |rev: u32| format!("arn:aws:ecs:us-east-1:123456789012:task-definition/student-rest:{rev}");
    let service = |rev: u32, rollout: &str, running: u32, pending: u32, desired: u32| {
        json!({"json": {"services": [{
            "serviceName": "student-rest", "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/default/student-rest",
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/default", "status": "ACTIVE",
            "taskDefinition": arn(rev), "desiredCount": desired, "runningCount": running, "pendingCount": pending,
            "launchType": "FARGATE", "tags": tags,
            "deployments": [{"status": "PRIMARY", "taskDefinition": arn(rev), "rolloutState": rollout,
                "desiredCount": desired, "runningCount": running, "pendingCount": pending, "failedTasks": 0}]}]}})
    };
    let image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/student-rest@sha256:9b2c6e0c4f3e8d1a7b5c2e9f0a1d3c5b7e9f1a2c4d6e8f0a1b3c5d7e9f1a2b3c";
    let task = "arn:aws:ecs:us-east-1:123456789012:task/default/0a1b2c3d4e5f";
    let services = ["ecs", "describe-services"];
    json!([
        {"call": ["ecr", "describe-repositories"], "when": "", "fail": "An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'student-rest' does not exist in the registry with id '123456789012'"},
        {"call": ["ecr", "describe-repositories"], "json": {"repositories": [{"repositoryName": "student-rest"}]}},
        {"call": ["ecr", "create-repository"], "sets": "repository", "json": {"repository": {"repositoryName": "{arg:--repository-name}"}}},
        {"call": ["ecr", "get-login-password"], "text": "eyJwYXlsb2FkIjoiZXhhbXBsZSJ9"},
        {"call": ["ecs", "register-task-definition"], "replies": [{"json": {"taskDefinition": {"taskDefinitionArn": arn(1)}}}, {"json": {"taskDefinition": {"taskDefinitionArn": arn(2)}}}]},
        {"call": services, "when": "repository", "json": {"services": [], "failures": [{"reason": "MISSING"}]}},
        {"call": services, "when": "created", "replies": [service(1, "IN_PROGRESS", 0, 1, 1), service(1, "COMPLETED", 1, 0, 1)]},
        {"call": services, "when": "updated", "replies": [service(2, "COMPLETED", 1, 0, 1)]},
        {"call": services, "when": "scaled", "replies": [service(2, "COMPLETED", 3, 0, 3)]},
        {"call": services, "when": "deleted", "json": {"services": [{"serviceName": "student-rest", "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/default", "status": "INACTIVE"}]}},
        {"call": ["ecs", "create-service"], "sets": "created", "json": {"service": {"status": "ACTIVE"}}},
        {"call": ["ecs", "update-service"], "has": ["--desired-count", "3"], "sets": "scaled", "json": {"service": {"status": "ACTIVE"}}},
        {"call": ["ecs", "update-service"], "has": ["--desired-count", "0"], "json": {"service": {"status": "ACTIVE"}}},
        {"call": ["ecs", "update-service"], "sets": "updated", "json": {"service": {"status": "ACTIVE"}}},
        {"call": ["ecs", "delete-service"], "sets": "deleted", "json": {"service": {"status": "DRAINING"}}},
        {"call": ["logs", "filter-log-events"], "json": {"events": [{"timestamp": 1_765_180_000_000_u64, "logStreamName": "ecs/rest/0a1b2c3d4e5f",
            "message": "Serving HTTP on 0.0.0.0 port 8080 (http://0.0.0.0:8080/) ..."}]}},
        {"call": ["ecs", "list-tasks"], "json": {"taskArns": [task]}},
        {"call": ["ecs", "describe-task-definition"], "json": {"taskDefinition": {"taskDefinitionArn": arn(2),
            "containerDefinitions": [{"name": "rest", "image": image}]}}},
        {"call": ["ecs", "describe-tasks"], "json": {"tasks": [{"taskArn": task, "lastStatus": "RUNNING", "healthStatus": "HEALTHY",
            "taskDefinitionArn": arn(2), "containers": [{"name": "rest", "image": image}]}], "failures": []}},
    ])
}

/// The account of docs/deploying.md's second example: the database's
/// service created and completed, the migration run to exit 0, then the
/// web service created and completed; `run` runs the migration again.
fn webshop() -> serde_json::Value {
    use serde_json::json;
    let service = |name: &str| {
        json!({"json": {"services": [{
            "serviceName": name, "serviceArn": format!("arn:aws:ecs:us-east-1:123456789012:service/shop/{name}"),
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/shop", "status": "ACTIVE",
            "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:1"),
            "desiredCount": 1, "runningCount": 1, "pendingCount": 0,
            "deployments": [{"status": "PRIMARY", "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:1"),
                "rolloutState": "COMPLETED", "desiredCount": 1, "runningCount": 1, "pendingCount": 0, "failedTasks": 0}]}]}})
    };
    let task = "arn:aws:ecs:us-east-1:123456789012:task/shop/7c1d2e3f4a5b";
    let services = ["ecs", "describe-services"];
    let none = json!({"json": {"services": [], "failures": [{"reason": "MISSING"}]}});
    json!([
        common::registers("us-east-1", 1),
        {"call": services, "when": "db", "has": ["webshop-db"], "replies": [service("webshop-db")]},
        {"call": services, "when": "web", "has": ["webshop-web"], "replies": [service("webshop-web")]},
        {"call": services, "replies": [none]},
        {"call": ["ecs", "create-service"], "input": {"serviceName": "webshop-db"}, "sets": "db", "json": {"service": {"status": "ACTIVE"}}},
        {"call": ["ecs", "create-service"], "input": {"serviceName": "webshop-web"}, "sets": "web", "json": {"service": {"status": "ACTIVE"}}},
        {"call": ["ecs", "run-task"], "json": {"tasks": [{"taskArn": task, "lastStatus": "PROVISIONING"}], "failures": []}},
        {"call": ["ecs", "describe-tasks"], "json": {"tasks": [{"taskArn": task, "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/webshop-migrate:1",
            "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
            "containers": [{"name": "migrate", "lastStatus": "STOPPED", "exitCode": 0}]}], "failures": []}},
        {"call": ["logs", "get-log-events"], "json": {"events": [], "nextForwardToken": "f/1", "nextBackwardToken": "b/1"}},
    ])
}
