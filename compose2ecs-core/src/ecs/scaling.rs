//! Application Auto Scaling of an ECS service: the `aws
//! application-autoscaling register-scalable-target`, `put-scaling-policy`
//! and `put-scheduled-action --cli-input-json` inputs, written together as
//! `<family>.scaling.json`. Member names are the Application Auto Scaling
//! API model's (PascalCase).

use serde::{Deserialize, Serialize};

/// The service namespace of ECS services.
pub const ECS_NAMESPACE: &str = "ecs";
/// What is scaled: the desired count of an ECS service.
pub const DESIRED_COUNT: &str = "ecs:service:DesiredCount";

/// `<family>.scaling.json`: everything `deploy` applies, in order, after
/// the ECS service exists. Every call is idempotent: a second deploy updates
/// the target, the policies (by name) and the scheduled actions (by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Scaling {
    /// The `register-scalable-target` input.
    pub scalable_target: ScalableTarget,
    /// The `put-scaling-policy` inputs: target tracking, one per metric.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub scaling_policies: Vec<ScalingPolicy>,
    /// The `put-scheduled-action` inputs.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub scheduled_actions: Vec<ScheduledAction>,
}

/// A `RegisterScalableTarget` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ScalableTarget {
    /// [`ECS_NAMESPACE`].
    pub service_namespace: String,
    /// `service/<cluster>/<service>`.
    pub resource_id: String,
    /// [`DESIRED_COUNT`].
    pub scalable_dimension: String,
    /// The fewest tasks.
    pub min_capacity: u32,
    /// The most tasks.
    pub max_capacity: u32,
    /// The target's tags (when it is created).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

/// A `PutScalingPolicy` request of a target tracking policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ScalingPolicy {
    /// `<family>-cpu`, `<family>-memory` or `<family>-requests`.
    pub policy_name: String,
    /// [`ECS_NAMESPACE`].
    pub service_namespace: String,
    /// The target's `ResourceId`.
    pub resource_id: String,
    /// [`DESIRED_COUNT`].
    pub scalable_dimension: String,
    /// `TargetTrackingScaling`.
    pub policy_type: String,
    /// The metric and the value to keep it at.
    pub target_tracking_scaling_policy_configuration: TargetTracking,
}

/// `TargetTrackingScalingPolicyConfiguration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct TargetTracking {
    /// The value the metric is kept at (percent, or requests per target).
    pub target_value: f64,
    /// The metric.
    pub predefined_metric_specification: PredefinedMetric,
    /// Seconds after a scale-in before the next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_in_cooldown: Option<u32>,
    /// Seconds after a scale-out before the next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_out_cooldown: Option<u32>,
}

/// `PredefinedMetricSpecification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PredefinedMetric {
    /// `ECSServiceAverageCPUUtilization`, `ECSServiceAverageMemoryUtilization`
    /// or `ALBRequestCountPerTarget`.
    pub predefined_metric_type: String,
    /// For `ALBRequestCountPerTarget`:
    /// `app/<load balancer>/<id>/targetgroup/<target group>/<id>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_label: Option<String>,
}

/// A `PutScheduledAction` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ScheduledAction {
    /// [`ECS_NAMESPACE`].
    pub service_namespace: String,
    /// `<family>-<name>`.
    pub scheduled_action_name: String,
    /// The target's `ResourceId`.
    pub resource_id: String,
    /// [`DESIRED_COUNT`].
    pub scalable_dimension: String,
    /// `cron(…)`, `rate(…)` or `at(…)`.
    pub schedule: String,
    /// An IANA time zone for the schedule; default UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The new bounds.
    pub scalable_target_action: ScalableTargetAction,
}

/// `ScalableTargetAction`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ScalableTargetAction {
    /// The new minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_capacity: Option<u32>,
    /// The new maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<u32>,
}
