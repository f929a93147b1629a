//! `services.<name>.deployment`: ECS's native deployment strategies, the
//! circuit breaker, early success and the healthy percentages.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How ECS replaces a service's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Tasks replaced a few at a time (ECS's default).
    #[default]
    Rolling,
    /// A whole new set of tasks, then all the traffic at once.
    BlueGreen,
    /// The traffic moved in equal steps.
    Linear,
    /// A little of the traffic first, then the rest.
    Canary,
}

/// `services.<name>.deployment`: ECS's native deployment strategies.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Deployment {
    /// `rolling` (default), `blue_green`, `linear` or `canary`.
    pub strategy: Option<Strategy>,
    /// Minutes both revisions keep running once the traffic has moved, for
    /// a quick roll back.
    pub bake_minutes: Option<u32>,
    /// `canary`: percent of the traffic the new revision gets first.
    pub canary_percent: Option<u32>,
    /// `canary`: minutes before the rest moves.
    pub canary_bake_minutes: Option<u32>,
    /// `linear`: percent of the traffic moved per step.
    pub step_percent: Option<u32>,
    /// `linear`: minutes between two steps.
    pub step_bake_minutes: Option<u32>,
    /// CloudWatch alarm names that stop the deployment.
    #[serde(default)]
    pub alarms: Vec<String>,
    /// Whether an alarm rolls the deployment back; default true.
    pub rollback: Option<bool>,
    /// Lambda functions ECS runs at stages of the deployment.
    #[serde(default)]
    pub hooks: Vec<Hook>,
    /// When the deployment circuit breaker trips, and whether a healthy
    /// task resets its count.
    pub circuit_breaker: Option<CircuitBreaker>,
    /// `rolling` only: call the deployment done once this share of the new
    /// tasks is healthy.
    pub early_success: Option<EarlySuccess>,
    /// Tasks kept running during a deployment, percent of the desired
    /// count (0–100), over what compose's `deploy.update_config` gives.
    pub minimum_healthy_percent: Option<u32>,
    /// Tasks running or starting during a deployment, percent of the
    /// desired count (at least the minimum), over `deploy.update_config`.
    pub maximum_percent: Option<u32>,
}

/// `services.<name>.deployment.circuit_breaker`: the deployment circuit
/// breaker's `thresholdConfiguration` and `resetOnHealthyTask`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CircuitBreaker {
    /// Failed tasks it tolerates: a count, or a percent of the desired
    /// count (see `threshold_type`). ECS's default: 50 percent.
    pub threshold: Option<u32>,
    /// `count`, `bounded_percent` (ECS's default) or `unbounded_percent`.
    pub threshold_type: Option<ThresholdType>,
    /// Whether a task that becomes healthy sets the failure count back to
    /// 0; ECS's default: true.
    pub reset_on_healthy_task: Option<bool>,
}

/// How the circuit breaker reads its `threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdType {
    /// A number of failed tasks.
    Count,
    /// A percent of the desired count, within ECS's bounds.
    #[default]
    BoundedPercent,
    /// A percent of the desired count, without them.
    UnboundedPercent,
}

/// `services.<name>.deployment.early_success`: a rolling deployment's
/// `earlySuccessCriteria`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EarlySuccess {
    /// Percent of the desired count that must be healthy (0–100, at least
    /// the minimum healthy percent).
    pub healthy_percent: u32,
    /// `blocking` (default): the old tasks stop before the deployment is
    /// done; `deferred`: after.
    pub cleanup: Option<Cleanup>,
}

/// When the previous revision's tasks stop, relative to an early success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cleanup {
    /// Before the deployment is marked successful.
    #[default]
    Blocking,
    /// After, in the background.
    Deferred,
}

/// A lifecycle hook: a Lambda function ECS calls at the given stages; its
/// answer lets the deployment go on or rolls it back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Hook {
    /// The Lambda function's ARN.
    pub lambda: String,
    /// The stages: `RECONCILE_SERVICE`, `PRE_SCALE_UP`, `POST_SCALE_UP`,
    /// `TEST_TRAFFIC_SHIFT`, `POST_TEST_TRAFFIC_SHIFT`,
    /// `PRE_PRODUCTION_TRAFFIC_SHIFT`, `PRODUCTION_TRAFFIC_SHIFT`,
    /// `POST_PRODUCTION_TRAFFIC_SHIFT`.
    pub stages: Vec<String>,
    /// The role ECS calls it with.
    pub role: String,
}
