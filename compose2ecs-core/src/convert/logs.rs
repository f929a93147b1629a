//! `logging` and the overlay's `logs` → `logConfiguration` (awslogs).

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::LogConfiguration;
use crate::model::Service;

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
