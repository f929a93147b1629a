//! `compose2ecs register`: convert, then hand each task definition to the
//! real `aws ecs register-task-definition`, in the user's AWS environment as
//! it is. Every family is attempted; failures are reported with the AWS
//! CLI's own message and make the exit status 1.

use std::io::Write as _;

use serde_json::json;

use crate::args::RegisterArgs;
use crate::aws::AwsError;
use crate::cmd::{aws, chosen, converted, scratch};
use crate::outcome::Outcome;

pub(crate) fn run(args: &RegisterArgs) -> Outcome {
    let (reporter, conversion) = match converted(&args.conversion, &args.aws.families, None) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let chosen: Vec<(&String, String)> = match chosen(&args.aws, reporter, &conversion) {
        Ok(families) => families
            .into_iter()
            .map(|f| {
                (
                    f,
                    compose2ecs_core::to_json(&conversion.task_definitions[f]),
                )
            })
            .collect(),
        Err(o) => return o,
    };

    let aws = aws(&args.aws, reporter, &conversion);
    if !args.aws.dry_run {
        let names: Vec<&str> = chosen.iter().map(|(f, _)| f.as_str()).collect();
        if let Err(m) = crate::cmd::capability::check(&aws, &conversion, &names, true) {
            return crate::cmd::fail(reporter, &m);
        }
    }
    if args.aws.dry_run {
        let mut out = String::new();
        let mut commands = Vec::new();
        for (family, _) in &chosen {
            // One line of JSON, members in the API's order, as deploy prints it.
            let compact =
                serde_json::to_string(&conversion.task_definitions[*family]).unwrap_or_default();
            let call = [
                "ecs",
                "register-task-definition",
                "--cli-input-json",
                &compact,
            ];
            out.push_str(&aws.command_line(&call));
            out.push('\n');
            commands.push(aws.argv(&call));
        }
        if reporter.json {
            return crate::write::document(&json!({"status": "dry-run", "commands": commands}));
        }
        return crate::write::stdout(out.as_bytes());
    }

    let dir = match scratch(reporter) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let mut registered = Vec::new();
    let mut failed = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for (family, json) in &chosen {
        reporter.transient(&format!("registering {family}…"));
        let file = dir.path().join(format!("{family}.task-definition.json"));
        let result = match std::fs::write(&file, json) {
            Err(e) => Err(AwsError::Failed(format!(
                "cannot write {}: {e}",
                file.display()
            ))),
            Ok(()) => aws.register(&file),
        };
        match result {
            Ok(arn) => {
                let revision = arn.rsplit('/').next().unwrap_or(&arn).to_owned();
                reporter.registered(&revision, &arn);
                if !reporter.json {
                    let _ = writeln!(stdout, "{arn}");
                }
                registered.push(json!({"family": family, "revision": revision, "arn": arn}));
            }
            Err(e) => {
                let missing = matches!(e, AwsError::Missing(_));
                reporter.error(&format!("registering `{family}` failed: {e}"));
                failed.push(json!({"family": family, "error": e.to_string()}));
                if missing {
                    // Not there at all: the rest would fail the same way.
                    break;
                }
            }
        }
    }
    drop(stdout);
    if reporter.json {
        let doc = json!({
            "status": if failed.is_empty() { "registered" } else { "failed" },
            "region": aws.region,
            "registered": registered,
            "failed": failed,
        });
        let _ = crate::write::document(&doc);
    }
    if failed.is_empty() {
        Outcome::Success
    } else {
        Outcome::Rejected
    }
}
