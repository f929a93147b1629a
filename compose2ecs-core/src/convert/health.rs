//! `healthcheck` → `healthCheck`, clamped to the ranges ECS accepts.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::HealthCheck;
use crate::model::{Healthcheck, Service, Spanned};

/// ECS's limits: (name, min, max), from the API model's `HealthCheck`
/// ("You may specify between 2 and 60 seconds", for `timeout`).
const INTERVAL: (&str, u64, u64) = ("interval", 5, 300);
const TIMEOUT: (&str, u64, u64) = ("timeout", 2, 60);
const RETRIES: (&str, u64, u64) = ("retries", 1, 10);
const START_PERIOD: (&str, u64, u64) = ("startPeriod", 0, 300);

/// Docker's health-check timeout when compose gives none, in seconds.
const DOCKER_TIMEOUT: u32 = 30;

pub(super) fn health_check(s: &Service, h: &Healthcheck, sink: &mut Sink) -> Option<HealthCheck> {
    let Some(command) = h.test.clone() else {
        if h.interval.is_some()
            || h.timeout.is_some()
            || h.retries.is_some()
            || h.start_period.is_some()
        {
            sink.push(
                Diagnostic::warning(
                    Code::HealthcheckOptionDropped,
                    format!(
                        "the health check of `{}` has no `test`; ECS cannot reuse the image's HEALTHCHECK, so none is set",
                        s.name
                    ),
                )
                .with_path(format!("services.{}.healthcheck", s.name))
                .at(Some(&h.loc))
                .with_help("write the command in `healthcheck.test`"),
            );
        }
        return None;
    };
    Some(HealthCheck {
        command,
        interval: clamp(h.interval.as_ref(), INTERVAL, sink),
        // Compose without a timeout means Docker's 30 s; ECS's own default
        // is 5 s, so a check that passes locally would fail on ECS.
        timeout: clamp(h.timeout.as_ref(), TIMEOUT, sink).or(Some(DOCKER_TIMEOUT)),
        retries: clamp(h.retries.as_ref(), RETRIES, sink),
        start_period: clamp(h.start_period.as_ref(), START_PERIOD, sink),
    })
}

fn clamp(
    value: Option<&Spanned<u64>>,
    (name, min, max): (&str, u64, u64),
    sink: &mut Sink,
) -> Option<u32> {
    let v = value?;
    let clamped = v.value.clamp(min, max);
    if clamped != v.value {
        sink.push(
            Diagnostic::warning(
                Code::ValueClamped,
                format!(
                    "health check {name} {} is outside the ECS range {min}-{max}; using {clamped}",
                    v.value
                ),
            )
            .with_path(&v.path)
            .at(Some(&v.loc)),
        );
    }
    u32::try_from(clamped).ok()
}
