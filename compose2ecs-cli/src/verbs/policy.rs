//! `compose2ecs policy`: the execution role's least-privilege IAM policy, or
//! with `--task-role` the task role's, or with `--scheduler` the scheduler
//! role's.

use compose2ecs_core::policy;

use crate::args::PolicyArgs;
use crate::context::Context;
use crate::outcome::{Ended, Outcome};
use crate::report;

pub(crate) fn run(args: &PolicyArgs) -> Ended {
    let Context {
        reporter,
        conversion,
        ..
    } = Context::resolve(&args.conversion, &[], None)?;
    let printed =
        |policy: serde_json::Value| Ok(report::stdout(format!("{policy:#}\n").as_bytes()));
    if args.task_role {
        return match policy::task_role_policy(conversion.services.values()) {
            Some(policy) => printed(policy),
            None => Err(reporter.fail("no service has `exec: true`, so the task role needs nothing from compose2ecs (only what the application itself calls)",
            )),
        };
    }
    if args.scheduler {
        return match policy::scheduler_role_policy(
            &conversion.schedules,
            &conversion.task_definitions,
        ) {
            Some(policy) => printed(policy),
            None => Err(reporter.fail("no service runs on a schedule (`services.<name>.schedule` in compose2ecs.yaml), so there is no scheduler role to grant anything",
            )),
        };
    }
    let policy = policy::execution_role_policy(
        conversion.task_definitions.values(),
        conversion.overlay.kms_key.as_deref(),
    );
    if !policy["Statement"].as_array().is_none_or(Vec::is_empty) {
        return printed(policy);
    }
    // IAM refuses a policy without statements: say so instead.
    let message = "nothing to grant: the tasks pull only public images, send no logs to CloudWatch and read no secrets, so the execution role needs no policy (and IAM refuses an empty one)";
    reporter.progress(message);
    if reporter.json {
        let doc = serde_json::json!({"status": "nothing-to-grant", "message": message});
        return Ok(report::document(&doc));
    }
    Ok(Outcome::Success)
}
