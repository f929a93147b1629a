//! `compose2ecs register`: convert, then hand each task definition to the
//! real `aws ecs register-task-definition`, in the user's AWS environment as
//! it is. Every family is attempted; failures are reported with the AWS
//! CLI's own message and make the exit status 1.

use serde_json::json;

use crate::args::RegisterArgs;
use crate::aws::AwsError;
use crate::context::{Context, scratch};
use crate::outcome::{Ended, Outcome};
use crate::steps::calls::{self, Call};

pub(crate) fn run(args: &RegisterArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &args.aws.families, None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let chosen: Vec<(String, String)> = ctx
        .chosen(&args.aws.families)?
        .into_iter()
        .map(|f| {
            let json = compose2ecs_core::to_json(&conversion.task_definitions[&f]);
            (f, json)
        })
        .collect();
    let aws = ctx.aws(&args.aws.aws_cli, args.aws.dry_run);
    if args.aws.dry_run {
        // One line of JSON, members in the API's order, as deploy prints it.
        let calls: Vec<Call> = chosen
            .iter()
            .map(|(family, _)| {
                let compact =
                    serde_json::to_string(&conversion.task_definitions[family]).unwrap_or_default();
                Call::new(
                    "",
                    &[
                        "ecs",
                        "register-task-definition",
                        "--cli-input-json",
                        &compact,
                    ],
                )
            })
            .collect();
        return Ok(calls::show(&aws, &calls, reporter, None));
    }
    let names: Vec<&str> = chosen.iter().map(|(f, _)| f.as_str()).collect();
    crate::steps::capability::check(&aws, conversion, &names, true)
        .map_err(|m| reporter.fail(&m))?;
    let dir = scratch(reporter)?;
    let mut registered = Vec::new();
    let mut failed = Vec::new();
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
                    // The ARNs are the command's output: a reader that went
                    // away is no failure of the registrations.
                    let _ = crate::report::stdout_line(&arn);
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
    if reporter.json {
        let doc = json!({
            "status": if failed.is_empty() { "registered" } else { "failed" },
            "region": aws.region,
            "registered": registered,
            "failed": failed,
        });
        let _ = crate::report::document(&doc);
    }
    Ok(if failed.is_empty() {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}
