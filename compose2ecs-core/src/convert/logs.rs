//! `logging` and the overlay's `logs` → `logConfiguration` (awslogs).

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::LogConfiguration;
use crate::model::Service;
use crate::overlay::LoadedOverlay;

use super::Context;

/// Every container logs to CloudWatch through awslogs, with the overlay's
/// group (default `/ecs/{family}`), region and stream prefix (default `ecs`).
/// A compose `logging` with driver `awslogs` adds its options over those; any
/// other driver is replaced (with a warning), and `none` turns logging off.
pub(super) fn log_configuration(
    ctx: &Context<'_>,
    s: &Service,
    sink: &mut Sink,
) -> Option<LogConfiguration> {
    let mut compose_options = BTreeMap::new();
    if let Some(logging) = &s.logging {
        match logging.driver.as_deref() {
            Some("none") => return None,
            None | Some("awslogs") => compose_options.clone_from(&logging.options),
            Some(other) => sink.push(
                Diagnostic::warning(
                    Code::LoggingDriverReplaced,
                    format!("logging driver `{other}` is replaced by awslogs (CloudWatch Logs), with the overlay's `logs` settings"),
                )
                .with_path(format!("services.{}.logging.driver", s.name))
                .at(Some(&logging.loc))
                .with_help("use `driver: awslogs`, or `driver: none` for no logs"),
            ),
        }
    }
    let logs = &ctx.overlay.logs;
    let group = logs
        .group
        .as_deref()
        .unwrap_or("/ecs/{family}")
        .replace("{project}", &ctx.project.name)
        .replace("{service}", ctx.task_owner)
        .replace("{family}", ctx.family)
        .replace("{container}", &s.name);
    let mut options = BTreeMap::new();
    options.insert("awslogs-group".to_owned(), group);
    if let Some(region) = logs.region.as_ref().or(ctx.overlay.region.as_ref()) {
        options.insert("awslogs-region".to_owned(), region.clone());
    }
    options.insert(
        "awslogs-stream-prefix".to_owned(),
        logs.stream_prefix
            .clone()
            .unwrap_or_else(|| "ecs".to_owned()),
    );
    if logs.create_group == Some(true) {
        options.insert("awslogs-create-group".to_owned(), "true".to_owned());
    }
    options.extend(compose_options);
    if !options.contains_key("awslogs-region") {
        // Reported once for the whole project, by `convert`.
        return None;
    }
    Some(LogConfiguration {
        log_driver: "awslogs".to_owned(),
        options,
    })
}

/// The retention periods CloudWatch Logs accepts, from the API reference of
/// `PutRetentionPolicy` (`retentionInDays`): "Possible values are: 1, 3, 5,
/// 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
/// 2557, 2922, 3288, and 3653." CloudFormation's `RetentionInDays` takes the
/// same (the test below reads cfn-lint's schema).
pub(crate) const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// `logs.retention_days`: a period CloudWatch Logs takes (or `deploy` and
/// the stack would fail on it), on log groups compose2ecs creates
/// (`logs.create_group`), which are the only ones it sets a retention on.
pub(super) fn check_overlay(overlay: &LoadedOverlay, sink: &mut Sink) {
    let logs = &overlay.overlay.logs;
    let Some(days) = logs.retention_days else {
        return;
    };
    let at = overlay.value_loc(&["logs", "retention_days"]);
    if !RETENTION_DAYS.contains(&days) {
        let longer = RETENTION_DAYS.iter().find(|d| **d > days).map_or_else(
            || "remove it to keep the events forever".to_owned(),
            |d| format!("the nearest longer is {d}"),
        );
        let valid: Vec<String> = RETENTION_DAYS.iter().map(u32::to_string).collect();
        sink.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "CloudWatch Logs keeps log events for {} days, not {days}",
                    valid.join(", ")
                ),
            )
            .with_path("logs.retention_days")
            .at(at)
            .with_help(longer),
        );
    } else if logs.create_group != Some(true) {
        sink.push(
            Diagnostic::warning(
                Code::IncompatibleSetting,
                "`logs.retention_days` applies to the log groups compose2ecs creates, and `logs.create_group` is not set, so no retention is set",
            )
            .with_path("logs.retention_days")
            .at(at)
            .with_help("set `logs.create_group: true` (deploy then creates each group with this retention), or set it on the existing groups with `aws logs put-retention-policy`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RETENTION_DAYS;
    use crate::{Code, Input, Options, Severity, convert};

    fn with_logs(logs: &str) -> Vec<crate::Diagnostic> {
        let input = Input::from_yaml("name: shop\nservices:\n  web:\n    image: nginx:1.27\n")
            .with_overlay(format!("region: eu-west-1\nlogs: {logs}\n"));
        match convert(&input, &Options::default()) {
            Ok(c) => c.diagnostics,
            Err(e) => e.diagnostics().to_vec(),
        }
        .into_iter()
        .filter(|d| d.path.as_deref() == Some("logs.retention_days"))
        .collect()
    }

    #[test]
    fn a_retention_cloudwatch_does_not_take_is_refused_with_the_nearest_longer() {
        let found = with_logs("{create_group: true, retention_days: 10}");
        let [d] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!((d.severity, d.code), (Severity::Error, Code::InvalidValue));
        assert!(d.message.contains("1, 3, 5, 7, 14,"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("the nearest longer is 14"));
        assert_eq!(d.location.as_ref().map(|l| l.line), Some(2));
        let d = &with_logs("{create_group: true, retention_days: 4000}")[0];
        assert_eq!(
            d.help.as_deref(),
            Some("remove it to keep the events forever")
        );
        assert!(with_logs("{create_group: true, retention_days: 14}").is_empty());
    }

    #[test]
    fn a_retention_on_groups_compose2ecs_does_not_create_is_a_warning() {
        let found = with_logs("{retention_days: 30}");
        let [d] = found.as_slice() else {
            panic!("{found:?}")
        };
        assert_eq!(d.severity, Severity::Warning);
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("logs.create_group: true")
        );
    }

    #[test]
    fn the_retention_periods_are_the_ones_cloudformation_takes() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/cloudformation/AWS-Logs-LogGroup.json"
        );
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let allowed: Vec<u32> = schema["properties"]["RetentionInDays"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| u32::try_from(v.as_u64().unwrap()).unwrap())
            .collect();
        assert_eq!(allowed, RETENTION_DAYS);
    }
}
