//! `compose2ecs policy`: the execution role's least-privilege IAM policy, or
//! with `--scheduler` the scheduler role's.

use crate::args::PolicyArgs;
use crate::cmd::converted;
use crate::outcome::Outcome;
use crate::write;

pub(crate) fn run(args: &PolicyArgs) -> Outcome {
    match converted(&args.conversion, &[], None) {
        Ok((reporter, conversion)) if args.task_role => {
            match compose2ecs_core::policy::task_role_policy(conversion.services.values()) {
                Some(policy) => write::stdout(format!("{policy:#}\n").as_bytes()),
                None => crate::cmd::fail(
                    reporter,
                    "no service has `exec: true`, so the task role needs nothing from compose2ecs (only what the application itself calls)",
                ),
            }
        }
        Ok((reporter, conversion)) if args.scheduler => {
            match compose2ecs_core::policy::scheduler_role_policy(
                &conversion.schedules,
                &conversion.task_definitions,
            ) {
                Some(policy) => write::stdout(format!("{policy:#}\n").as_bytes()),
                None => crate::cmd::fail(
                    reporter,
                    "no service runs on a schedule (`services.<name>.schedule` in compose2ecs.yaml), so there is no scheduler role to grant anything",
                ),
            }
        }
        Ok((reporter, conversion)) => {
            let policy = compose2ecs_core::policy::execution_role_policy(
                conversion.task_definitions.values(),
                conversion.overlay.kms_key.as_deref(),
            );
            let empty = policy["Statement"].as_array().is_none_or(Vec::is_empty);
            if !empty {
                return write::stdout(format!("{policy:#}\n").as_bytes());
            }
            // IAM refuses a policy without statements: say so instead.
            let message = "nothing to grant: the tasks pull only public images, send no logs to CloudWatch and read no secrets, so the execution role needs no policy (and IAM refuses an empty one)";
            reporter.progress(message);
            if reporter.json {
                return write::document(
                    &serde_json::json!({"status": "nothing-to-grant", "message": message}),
                );
            }
            crate::outcome::Outcome::Success
        }
        Err(o) => o,
    }
}
