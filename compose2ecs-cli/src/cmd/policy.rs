//! `compose2ecs policy`: the execution role's least-privilege IAM policy.

use crate::args::PolicyArgs;
use crate::cmd::converted;
use crate::outcome::Outcome;
use crate::write;

pub(crate) fn run(args: &PolicyArgs) -> Outcome {
    match converted(&args.conversion) {
        Ok((_, conversion)) => {
            let policy = compose2ecs_core::policy::execution_role_policy(
                conversion.task_definitions.values(),
                conversion.overlay.kms_key.as_deref(),
            );
            write::stdout(format!("{policy:#}\n").as_bytes())
        }
        Err(o) => o,
    }
}
