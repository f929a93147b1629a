//! A scheduled task: the `aws scheduler create-schedule --cli-input-json`
//! input of EventBridge Scheduler, with an ECS `RunTask` target, written as
//! `<family>.schedule.json`. Member names are the Scheduler API model's
//! (PascalCase).

use serde::{Deserialize, Serialize};

/// A `CreateSchedule` request (the `UpdateSchedule` one has the same
/// members).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Schedule {
    /// The schedule's name: the family.
    pub name: String,
    /// `cron(0 3 * * ? *)`, `rate(1 hour)` or `at(…)`.
    pub schedule_expression: String,
    /// An IANA time zone; default UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_expression_timezone: Option<String>,
    /// `OFF`: the task starts on time.
    pub flexible_time_window: FlexibleTimeWindow,
    /// What it starts.
    pub target: ScheduleTarget,
    /// `ENABLED`.
    pub state: String,
    /// Where it comes from.
    pub description: String,
}

/// `FlexibleTimeWindow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct FlexibleTimeWindow {
    /// `OFF`.
    pub mode: String,
}

/// `Target`: the cluster, the role Scheduler runs the task with, and the
/// task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ScheduleTarget {
    /// The cluster's ARN.
    pub arn: String,
    /// The overlay's `roles.scheduler`.
    pub role_arn: String,
    /// The task.
    pub ecs_parameters: EcsParameters,
}

/// `EcsParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct EcsParameters {
    /// The task definition's ARN: the family's in the file, the registered
    /// revision's when `deploy` creates or updates the schedule.
    pub task_definition_arn: String,
    /// Tasks per run.
    pub task_count: u32,
    /// The overlay's `capacity`, which replaces the launch type: Scheduler
    /// starts the task with ECS's `RunTask`, where "if a
    /// capacityProviderStrategy is specified, the launchType parameter
    /// must be omitted".
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub capacity_provider_strategy: Vec<super::CapacityProviderStrategyItem>,
    /// `FARGATE`, `EC2` or `EXTERNAL`; empty (left out) with a capacity
    /// provider strategy.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub launch_type: String,
    /// The awsvpc network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<ScheduleNetwork>,
    /// FARGATE: the overlay's `platform_version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// `TASK_DEFINITION`: each task carries its definition's tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate_tags: Option<String>,
    /// The tasks' tags, one `{key: value}` each (Scheduler's `TagMap`
    /// list; a schedule itself takes no tags).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<std::collections::BTreeMap<String, String>>,
}

/// `NetworkConfiguration` (Scheduler's model spells its one member in
/// camelCase, unlike the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct ScheduleNetwork {
    /// `awsvpcConfiguration`.
    #[serde(rename = "awsvpcConfiguration")]
    pub awsvpc_configuration: ScheduleAwsVpc,
}

/// `AwsVpcConfiguration` (Scheduler's casing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ScheduleAwsVpc {
    /// Subnet IDs.
    pub subnets: Vec<String>,
    /// Security group IDs.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub assign_public_ip: String,
}

/// Why `expression` is not a schedule expression that EventBridge Scheduler
/// and Application Auto Scaling accept: `at(yyyy-mm-ddThh:mm:ss)`,
/// `rate(value unit)` or `cron(minutes hours day-of-month month day-of-week
/// year)`, where "you can't specify the Day-of-month and Day-of-week fields
/// in the same cron expression. If you specify a value or a * (asterisk) in
/// one of the fields, you must use a ? (question mark) in the other"
/// (EventBridge Scheduler User Guide, schedule types).
///
/// ```
/// use compose2ecs_core::ecs::schedule::expression_problem;
///
/// assert_eq!(expression_problem("cron(0 3 * * ? *)"), None);
/// assert_eq!(expression_problem("rate(1 hour)"), None);
/// assert!(expression_problem("0 3 * * *").is_some());
/// assert!(expression_problem("cron(0 3 * * *)").unwrap().contains("six fields"));
/// assert!(expression_problem("rate(1 hours)").unwrap().contains("singular"));
/// ```
pub fn expression_problem(expression: &str) -> Option<String> {
    let inner = |p: &str| {
        expression
            .strip_prefix(p)
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
    };
    if let Some(body) = inner("cron(") {
        let fields: Vec<&str> = body.split_whitespace().collect();
        if fields.len() != 6 {
            return Some(format!(
                "a cron expression here has six fields (minutes hours day-of-month month day-of-week year), not {}: crontab's `0 3 * * *` is `cron(0 3 * * ? *)`",
                fields.len()
            ));
        }
        if (fields[2] == "?") == (fields[4] == "?") {
            return Some(
                "exactly one of day-of-month (the third field) and day-of-week (the fifth) must be `?`: `cron(0 3 * * ? *)` runs daily"
                    .to_owned(),
            );
        }
        return None;
    }
    if let Some(body) = inner("rate(") {
        let (value, unit) = body.split_once(' ').unwrap_or((body, ""));
        let Ok(n) = value.parse::<u32>() else {
            return Some(format!(
                "`{value}` is not a positive whole number: `rate(5 minutes)`"
            ));
        };
        let singular = unit.strip_suffix('s').unwrap_or(unit);
        if n == 0 || !matches!(singular, "minute" | "hour" | "day") {
            return Some("a rate is `rate(<n> minutes|hours|days)`, n at least 1".to_owned());
        }
        if (n == 1) != (singular == unit) {
            return Some(format!(
                "the unit is singular for 1 and plural otherwise: `rate({n} {}{})`",
                singular,
                if n == 1 { "" } else { "s" }
            ));
        }
        return None;
    }
    if let Some(body) = inner("at(") {
        let b = body.as_bytes();
        let shape = b.len() == 19
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 | 16 => *c == b':',
                _ => c.is_ascii_digit(),
            });
        return (!shape).then(|| "a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`".to_owned());
    }
    Some("a schedule is `cron(…)`, `rate(…)` or `at(…)`: `cron(0 3 * * ? *)` runs at 03:00 every day".to_owned())
}
