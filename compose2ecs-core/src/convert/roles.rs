//! Whether a task needs an execution role, and the error when it has none.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::LaunchType;

use super::Platform;

/// When a task needs an execution role, from the ECS Developer Guide ("Amazon
/// ECS task execution IAM role"): on Fargate and external instances to pull
/// from a private ECR repository and to send logs with awslogs, and on every
/// launch type when "the task definition is referencing sensitive data using
/// Secrets Manager secrets or AWS Systems Manager Parameter Store
/// parameters". ECS refuses to register or to start such a task without one,
/// so that is an error; on EC2, awslogs uses the container instance role, so
/// that is a note.
pub(super) fn execution_role_needs(
    family: &str,
    platform: Platform,
    containers: &[crate::ecs::ContainerDefinition],
    has_role: bool,
    // The overlay, where the role goes; without one, the service.
    at: &crate::diagnostic::Location,
    sink: &mut Sink,
) {
    if has_role {
        return;
    }
    let agent_runs_it = platform.launch_type != LaunchType::Ec2;
    let uses_awslogs = containers.iter().any(|c| {
        c.log_configuration
            .as_ref()
            .is_some_and(|l| l.log_driver == "awslogs")
    });
    let mut needs = Vec::new();
    if containers.iter().any(|c| !c.secrets.is_empty()) {
        needs.push("reads secrets from Secrets Manager or SSM");
    }
    if agent_runs_it && uses_awslogs {
        needs.push("sends logs to CloudWatch (awslogs)");
    }
    if agent_runs_it
        && containers
            .iter()
            .any(|c| crate::ecs::arn::ecr_image(&c.image).is_some())
    {
        needs.push("pulls from a private ECR repository");
    }
    if containers
        .iter()
        .any(|c| c.repository_credentials.is_some())
    {
        // "Private registry authentication … requires the task execution
        // role" (ECS Developer Guide, "Using non-AWS container images").
        needs.push("logs in to a private registry (pull_credentials)");
    }
    let help = "set `roles: {execution: arn:aws:iam::<account>:role/ecsTaskExecutionRole}` in compose2ecs.yaml (`compose2ecs policy` prints the policy it needs)";
    if !needs.is_empty() {
        sink.push(
            Diagnostic::error(
                Code::MissingExecutionRole,
                format!(
                    "task `{family}` {} but has no execution role, which ECS requires for that",
                    match needs.split_last() {
                        Some((last, [])) => (*last).to_owned(),
                        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                        None => String::new(),
                    }
                ),
            )
            .with_path("roles.execution")
            .at(Some(at))
            .with_help(help),
        );
    } else if uses_awslogs {
        sink.push(
            Diagnostic::note(
                Code::MissingExecutionRole,
                format!("task `{family}` sends logs to CloudWatch with no execution role: on EC2 the container instance role must allow logs:CreateLogStream and logs:PutLogEvents"),
            )
            .with_path("roles.execution")
            .at(Some(at))
            .with_help(help),
        );
    }
}
