//! `compose2ecs register`: convert, then hand each task definition to the
//! real `aws ecs register-task-definition`, in the user's AWS environment as
//! it is. Every family is attempted; failures are reported with the AWS
//! CLI's own message and make the exit status 1.

use std::io::{ErrorKind, IsTerminal as _, Write as _};
use std::process::Command;

use crate::{Outcome, RegisterArgs, converted};

/// What one registration came to.
enum Registered {
    /// The task definition's ARN.
    Arn(String),
    /// Why not.
    Failed(String),
}

pub(crate) fn run(args: &RegisterArgs) -> Outcome {
    let (reporter, _input, conversion) = match converted(&args.conversion) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let all: Vec<&String> = conversion.task_definitions.keys().collect();
    for f in &args.families {
        if !conversion.task_definitions.contains_key(f) {
            let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
            reporter.error(&format!(
                "no family `{f}`; this project has: {}",
                names.join(", ")
            ));
            return Outcome::Rejected;
        }
    }
    let chosen: Vec<(&String, String)> = conversion
        .task_definitions
        .iter()
        .filter(|(f, _)| args.families.is_empty() || args.families.contains(f))
        .map(|(f, td)| (f, compose2ecs_core::to_json(td)))
        .collect();

    let aws = args.aws_cli.display().to_string();
    if args.dry_run {
        let mut out = String::new();
        for (_, json) in &chosen {
            let compact = serde_json::from_str::<serde_json::Value>(json)
                .map(|v| v.to_string())
                .unwrap_or_default();
            out.push_str(&format!(
                "{} ecs register-task-definition --cli-input-json {}\n",
                shell_words::quote(&aws),
                shell_words::quote(&compact)
            ));
        }
        return crate::write::stdout(out.as_bytes());
    }

    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            reporter.error(&format!("cannot create a temporary directory: {e}"));
            return Outcome::Rejected;
        }
    };
    let progress = std::io::stderr().is_terminal() && !reporter.json;
    let mut failures = 0;
    let mut stdout = std::io::stdout().lock();
    for (family, json) in &chosen {
        if progress {
            let _ = write!(std::io::stderr(), "registering {family}…\r");
        }
        let file = dir.path().join(format!("{family}.task-definition.json"));
        let result = match std::fs::write(&file, json) {
            Err(e) => Registered::Failed(format!("cannot write {}: {e}", file.display())),
            Ok(()) => register_one(&args.aws_cli, &file),
        };
        match result {
            Registered::Arn(arn) => {
                let revision = arn.rsplit('/').next().unwrap_or(&arn).to_owned();
                reporter.registered(&revision, &arn);
                let _ = writeln!(stdout, "{arn}");
            }
            Registered::Failed(why) => {
                failures += 1;
                reporter.error(&format!("registering `{family}` failed: {why}"));
                if why.starts_with("the AWS CLI") {
                    // Not there at all: the rest would fail the same way.
                    break;
                }
            }
        }
    }
    if failures > 0 {
        Outcome::Rejected
    } else {
        Outcome::Success
    }
}

fn register_one(aws: &std::path::Path, file: &std::path::Path) -> Registered {
    let output = Command::new(aws)
        .args(["ecs", "register-task-definition", "--cli-input-json"])
        .arg(format!("file://{}", file.display()))
        .args(["--output", "json"])
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Registered::Failed(format!(
                "the AWS CLI (`{}`) was not found; install it (https://aws.amazon.com/cli/) or pass --aws-cli PATH",
                aws.display()
            ));
        }
        Err(e) => {
            return Registered::Failed(format!(
                "the AWS CLI (`{}`) could not be run: {e}",
                aws.display()
            ));
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Registered::Failed(format!("`aws` exited with {}:\n{stderr}", output.status));
    }
    let reply: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(v) => v,
        Err(e) => {
            return Registered::Failed(format!("`aws` printed something that is not JSON: {e}"));
        }
    };
    match reply["taskDefinition"]["taskDefinitionArn"].as_str() {
        Some(arn) => Registered::Arn(arn.to_owned()),
        None => Registered::Failed("`aws` answered without a taskDefinitionArn".to_owned()),
    }
}
