//! Least-privilege IAM policies: the task execution role's, exactly what
//! ECS needs to start this project's tasks — pull their images, write their
//! logs, read their secrets — and nothing more; and the scheduler role's,
//! what EventBridge Scheduler needs to start the scheduled tasks.
//!
//! Application Auto Scaling needs neither: it scales ECS services with its
//! service-linked role (`AWSServiceRoleForApplicationAutoScaling_ECSService`),
//! which it creates itself the first time `register-scalable-target` runs
//! (the caller needs `iam:CreateServiceLinkedRole` once).

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::ecs::arn::{self, Arn};
use crate::ecs::{Schedule, TaskDefinition};

/// The region, account and partition of the tasks, as far as the output
/// says: the region from the awslogs region, the account from the execution
/// role's ARN (`*` when unknown); the partition is the region's, else the
/// execution role's.
fn region_account_partition<'t>(tasks: &[&'t TaskDefinition]) -> (&'t str, &'t str, &'t str) {
    let role = tasks
        .iter()
        .filter_map(|t| t.execution_role_arn.as_deref())
        .filter_map(Arn::parse)
        .find(|a| !a.account.is_empty());
    let account = role.map_or("*", |a| a.account);
    let region = tasks
        .iter()
        .flat_map(|t| &t.container_definitions)
        .filter_map(|c| c.log_configuration.as_ref())
        .filter_map(|l| l.options.get("awslogs-region"))
        .map(String::as_str)
        .next();
    let partition = match (region, role) {
        (Some(r), _) => arn::partition_of(r),
        (None, Some(role)) => role.partition,
        (None, None) => "aws",
    };
    (region.unwrap_or("*"), account, partition)
}

/// `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.2` → its
/// repository ARN, in the partition of the registry's region; `None` for
/// images outside ECR.
fn ecr_repository(image: &str) -> Option<String> {
    let (account, region, repo) = arn::ecr_image(image)?;
    Some(arn::format(
        "ecr",
        region,
        account,
        &format!("repository/{repo}"),
    ))
}

/// The IAM resource of a secret reference: a Secrets Manager ARN without its
/// JSON-key/version suffix, any other ARN as it is, or the ARN of the SSM
/// parameter of that name in the tasks' region and partition.
fn secret_resource(
    value_from: &str,
    region: &str,
    account: &str,
    partition: &str,
) -> (bool, String) {
    if let Some(a) = Arn::parse(value_from) {
        if a.service == "secretsmanager" {
            let fields = a.resource_fields();
            let end = fields.len().min(2);
            let resource = fields[..end].join(":");
            return (
                true,
                format!(
                    "arn:{}:secretsmanager:{}:{}:{resource}",
                    a.partition, a.region, a.account
                ),
            );
        }
        return (false, value_from.to_owned());
    }
    let name = value_from.trim_start_matches('/');
    (
        false,
        format!("arn:{partition}:ssm:{region}:{account}:parameter/{name}"),
    )
}

/// The execution role's policy document for these task definitions, as IAM
/// policy JSON (`Version` 2012-10-17), statements in a fixed order and
/// resources sorted. `kms_key`: the customer managed key of the secrets.
pub fn execution_role_policy<'a>(
    task_definitions: impl IntoIterator<Item = &'a TaskDefinition>,
    kms_key: Option<&str>,
) -> Json {
    let tasks: Vec<&TaskDefinition> = task_definitions.into_iter().collect();
    let (region, account, partition) = region_account_partition(&tasks);
    let mut repos = BTreeSet::new();
    let mut groups = BTreeSet::new();
    let mut create_group = false;
    let mut secrets_manager = BTreeSet::new();
    let mut parameters = BTreeSet::new();
    for c in tasks.iter().flat_map(|t| &t.container_definitions) {
        if let Some(r) = ecr_repository(&c.image) {
            repos.insert(r);
        }
        if let Some(l) = c
            .log_configuration
            .as_ref()
            .filter(|l| l.log_driver == "awslogs")
        {
            if let Some(group) = l.options.get("awslogs-group") {
                let r = l
                    .options
                    .get("awslogs-region")
                    .map_or(region, String::as_str);
                let p = if r == "*" {
                    partition
                } else {
                    arn::partition_of(r)
                };
                groups.insert(format!("arn:{p}:logs:{r}:{account}:log-group:{group}:*"));
            }
            create_group |= l
                .options
                .get("awslogs-create-group")
                .is_some_and(|v| v == "true");
        }
        if let Some(r) = &c.repository_credentials {
            // The registry login: exactly that secret.
            secrets_manager.insert(r.credentials_parameter.clone());
        }
        for s in &c.secrets {
            match secret_resource(&s.value_from, region, account, partition) {
                (true, r) => secrets_manager.insert(r),
                (false, r) => parameters.insert(r),
            };
        }
    }

    let mut statements = Vec::new();
    if !repos.is_empty() {
        statements.push(json!({
            "Sid": "PullImages",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": repos,
        }));
        statements.push(json!({
            "Sid": "EcrLogin",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        }));
    }
    if !groups.is_empty() {
        let mut actions = vec!["logs:CreateLogStream", "logs:PutLogEvents"];
        if create_group {
            actions.insert(0, "logs:CreateLogGroup");
        }
        statements.push(json!({
            "Sid": "WriteLogs",
            "Effect": "Allow",
            "Action": actions,
            "Resource": groups,
        }));
    }
    if !secrets_manager.is_empty() {
        statements.push(json!({
            "Sid": "ReadSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secrets_manager,
        }));
    }
    if !parameters.is_empty() {
        statements.push(json!({
            "Sid": "ReadParameters",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": parameters,
        }));
    }
    if let Some(key) = kms_key {
        if !secrets_manager.is_empty() || !parameters.is_empty() {
            statements.push(json!({
                "Sid": "DecryptSecrets",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key,
            }));
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The policy of the role EventBridge Scheduler starts the scheduled tasks
/// with (`roles.scheduler`): `ecs:RunTask` on every revision of their task
/// definitions, in their cluster only, and `iam:PassRole` on their execution
/// and task roles, to ECS only. `None` when nothing is scheduled. The role's
/// trust policy lets `scheduler.amazonaws.com` assume it.
///
/// ```
/// use compose2ecs_core::{Input, Options, convert, policy::scheduler_role_policy};
///
/// let input = Input::from_yaml("name: shop\nservices:\n  backup:\n    image: backup:1\n")
///     .with_overlay("region: eu-west-1\nroles:\n  execution: arn:aws:iam::123456789012:role/exec\n  scheduler: arn:aws:iam::123456789012:role/sched\nservices:\n  backup: {schedule: \"rate(1 day)\"}\n");
/// let c = convert(&input, &Options::default())?;
/// let policy = scheduler_role_policy(&c.schedules, &c.task_definitions).unwrap();
/// assert_eq!(policy["Statement"][0]["Resource"][0], "arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-backup:*");
/// assert_eq!(policy["Statement"][1]["Resource"][0], "arn:aws:iam::123456789012:role/exec");
/// # Ok::<(), compose2ecs_core::Error>(())
/// ```
pub fn scheduler_role_policy(
    schedules: &indexmap::IndexMap<String, Schedule>,
    task_definitions: &indexmap::IndexMap<String, TaskDefinition>,
) -> Option<Json> {
    if schedules.is_empty() {
        return None;
    }
    let mut definitions = BTreeSet::new();
    let mut clusters = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for (family, s) in schedules {
        let arn = &s.target.ecs_parameters.task_definition_arn;
        definitions.insert(format!("{arn}:*"));
        clusters.insert(s.target.arn.clone());
        if let Some(td) = task_definitions.get(family) {
            roles.extend(td.execution_role_arn.iter().cloned());
            roles.extend(td.task_role_arn.iter().cloned());
        }
    }
    let mut statements = vec![json!({
        "Sid": "RunScheduledTasks",
        "Effect": "Allow",
        "Action": "ecs:RunTask",
        "Resource": definitions,
        "Condition": {"ArnLike": {"ecs:cluster": clusters}},
    })];
    if !roles.is_empty() {
        statements.push(json!({
            "Sid": "PassTaskRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": roles,
            "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        }));
    }
    Some(json!({"Version": "2012-10-17", "Statement": statements}))
}

/// What the task role needs for the conversion's services: with ECS Exec on
/// (`exec: true`), the SSM Session Manager channels "The ECS Exec feature
/// requires a task IAM role to grant containers the permissions needed for
/// communication between the managed SSM agent (execute-command agent) and
/// the SSM service" (ECS Developer Guide, "Monitor Amazon ECS containers
/// with ECS Exec"). `None` when no service has exec on: the application's
/// own permissions are not compose2ecs's to know.
///
/// ```
/// use compose2ecs_core::{Input, Options, convert, policy::task_role_policy};
///
/// let input = Input::from_yaml("name: shop\nservices:\n  web:\n    image: nginx\n")
///     .with_overlay("region: eu-west-1\nroles:\n  execution: arn:aws:iam::123456789012:role/exec\n  task: arn:aws:iam::123456789012:role/app\nservices:\n  web: {exec: true}\n");
/// let c = convert(&input, &Options::default())?;
/// let policy = task_role_policy(c.services.values()).unwrap();
/// assert_eq!(policy["Statement"][0]["Action"][0], "ssmmessages:CreateControlChannel");
/// # Ok::<(), compose2ecs_core::Error>(())
/// ```
pub fn task_role_policy<'a>(
    services: impl IntoIterator<Item = &'a crate::ecs::ServiceDefinition>,
) -> Option<Json> {
    let exec = services
        .into_iter()
        .any(|s| s.enable_execute_command == Some(true));
    exec.then(|| {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "EcsExec",
                "Effect": "Allow",
                "Action": [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel"
                ],
                "Resource": "*"
            }]
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_repositories_and_secret_resources() {
        assert_eq!(
            ecr_repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.2").as_deref(),
            Some("arn:aws:ecr:us-east-1:123456789012:repository/shop/web")
        );
        assert_eq!(
            ecr_repository("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:ab").as_deref(),
            Some("arn:aws:ecr:eu-west-1:123456789012:repository/api")
        );
        assert_eq!(
            ecr_repository("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:1").as_deref(),
            Some("arn:aws-cn:ecr:cn-north-1:123456789012:repository/api")
        );
        assert_eq!(
            secret_resource("prod/db", "us-gov-west-1", "123456789012", "aws-us-gov").1,
            "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/prod/db"
        );
        assert_eq!(ecr_repository("nginx:1.27"), None);
        assert_eq!(ecr_repository("ghcr.io/org/app:1"), None);
        assert_eq!(
            secret_resource(
                "arn:aws:secretsmanager:us-east-1:1:secret:db-AbC:password::",
                "r",
                "a",
                "aws"
            ),
            (
                true,
                "arn:aws:secretsmanager:us-east-1:1:secret:db-AbC".to_owned()
            )
        );
        assert_eq!(
            secret_resource("/prod/session", "us-east-1", "123456789012", "aws"),
            (
                false,
                "arn:aws:ssm:us-east-1:123456789012:parameter/prod/session".to_owned()
            )
        );
    }
}
