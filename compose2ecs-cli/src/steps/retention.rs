//! The overlay's `logs.retention_days` at `deploy`: before any task starts,
//! each log group its tasks have created (`logs.create_group`) is created if
//! it is missing and given the retention. The awslogs driver would create
//! the group at the first task, with no retention: events kept forever.

use compose2ecs_core::Conversion;

use crate::aws::{Aws, AwsError};

/// The groups of `families` to give a retention, with the days; none when
/// the overlay sets no `logs.retention_days`.
fn groups<'c>(conversion: &'c Conversion, families: &[&str]) -> Option<(u32, Vec<&'c str>)> {
    let days = conversion.overlay.logs.retention_days?;
    let groups = conversion.created_log_groups(families);
    (!groups.is_empty()).then_some((days, groups))
}

fn describe(group: &str) -> [&str; 4] {
    [
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        group,
    ]
}

fn create(group: &str) -> [&str; 4] {
    ["logs", "create-log-group", "--log-group-name", group]
}

fn put<'a>(group: &'a str, days: &'a str) -> [&'a str; 6] {
    [
        "logs",
        "put-retention-policy",
        "--log-group-name",
        group,
        "--retention-in-days",
        days,
    ]
}

/// Creates each missing group and puts its retention; one progress line per
/// group.
pub(crate) fn apply(
    aws: &Aws,
    conversion: &Conversion,
    families: &[&str],
) -> Result<Vec<String>, AwsError> {
    let Some((days, groups)) = groups(conversion, families) else {
        return Ok(Vec::new());
    };
    let days = days.to_string();
    let mut lines = Vec::new();
    for group in groups {
        // A prefix search: the group is there when one name is exactly it.
        let found = aws.json(&describe(group))?;
        let exists = found["logGroups"]
            .as_array()
            .is_some_and(|a| a.iter().any(|g| g["logGroupName"] == group));
        if !exists {
            aws.json(&create(group))?;
        }
        aws.json(&put(group, &days))?;
        lines.push(format!(
            "{} log group {group}, which keeps its events {days} days",
            if exists { "kept" } else { "created" }
        ));
    }
    Ok(lines)
}

/// The calls `apply` makes, for `--dry-run`: a comment before each, and its
/// arguments.
pub(crate) fn calls(conversion: &Conversion, families: &[&str]) -> Vec<(String, Vec<String>)> {
    let Some((days, groups)) = groups(conversion, families) else {
        return Vec::new();
    };
    let days = days.to_string();
    let owned = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let mut calls = Vec::new();
    for group in groups {
        calls.push((
            format!("# log group {group}: created when no group has exactly that name, then its retention:\n"),
            owned(&describe(group)),
        ));
        calls.push((String::new(), owned(&create(group))));
        calls.push((String::new(), owned(&put(group, &days))));
    }
    calls
}
