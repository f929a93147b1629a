//! The `aws ecs run-task --cli-input-json` input of a one-shot job.

use serde::{Deserialize, Serialize};

use super::{AwsVpcConfiguration, NetworkConfiguration, Schedule, ServiceDefinition};

/// The `startedBy` of every task compose2ecs starts, so that a user (and
/// `compose2ecs`) can tell them apart in `list-tasks --started-by`.
pub const STARTED_BY: &str = "compose2ecs";

/// Where a compose service runs: its task definition and its container.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Placement {
    /// The task definition's family.
    pub family: String,
    /// The container's name in it.
    pub container: String,
}

/// A `RunTask` request: exactly the `aws ecs run-task --cli-input-json`
/// input, written as `<family>.run-task.json` for a one-shot job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RunTask {
    /// The cluster; default the account's `default` cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The family (its latest revision).
    pub task_definition: String,
    /// How many tasks to start: `deploy.replicas` of the job, else 1 (at
    /// most 10, the API's limit).
    pub count: u32,
    /// `FARGATE`, `EC2` or `EXTERNAL`; empty (left out) with a capacity
    /// provider strategy, which ECS takes instead.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub launch_type: String,
    /// The awsvpc network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_configuration: Option<NetworkConfiguration>,
    /// [`STARTED_BY`].
    pub started_by: String,
    /// The task's tags.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tags: Vec<super::Tag>,
    /// `TASK_DEFINITION`: the task carries its definition's tags too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagate_tags: Option<String>,
    /// Capacity providers, in place of the launch type.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub capacity_provider_strategy: Vec<super::CapacityProviderStrategyItem>,
    /// FARGATE's platform version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
}

impl RunTask {
    /// The `run-task` input that starts one task of `service`'s task
    /// definition where its ECS service would run it: the same cluster,
    /// launch type and network (what `compose2ecs run` uses for a service
    /// that is not a job).
    pub fn like(service: &ServiceDefinition) -> RunTask {
        RunTask {
            cluster: service.cluster.clone(),
            task_definition: service.task_definition.clone(),
            count: 1,
            launch_type: service.launch_type.clone(),
            network_configuration: service.network_configuration.clone(),
            started_by: STARTED_BY.to_owned(),
            tags: service.tags.clone(),
            // RunTask refuses SERVICE ("An error will be received if you
            // specify the SERVICE option when running a task").
            propagate_tags: service
                .propagate_tags
                .as_ref()
                .map(|_| "TASK_DEFINITION".to_owned()),
            capacity_provider_strategy: service.capacity_provider_strategy.clone(),
            platform_version: service.platform_version.clone(),
        }
    }

    /// The `run-task` input that starts one task of a scheduled task's
    /// definition now, as its schedule would (`compose2ecs run`).
    pub fn scheduled(schedule: &Schedule) -> RunTask {
        let ecs = &schedule.target.ecs_parameters;
        let family = ecs
            .task_definition_arn
            .rsplit('/')
            .next()
            .unwrap_or(&schedule.name);
        RunTask {
            cluster: Some(schedule.target.arn.clone()),
            task_definition: family.to_owned(),
            count: 1,
            launch_type: ecs.launch_type.clone(),
            network_configuration: ecs.network_configuration.as_ref().map(|n| {
                NetworkConfiguration {
                    awsvpc_configuration: AwsVpcConfiguration {
                        subnets: n.awsvpc_configuration.subnets.clone(),
                        security_groups: n.awsvpc_configuration.security_groups.clone(),
                        assign_public_ip: n.awsvpc_configuration.assign_public_ip.clone(),
                    },
                }
            }),
            started_by: STARTED_BY.to_owned(),
            tags: ecs
                .tags
                .iter()
                .flatten()
                .map(|(key, value)| super::Tag {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect(),
            propagate_tags: ecs.propagate_tags.clone(),
            capacity_provider_strategy: ecs.capacity_provider_strategy.clone(),
            platform_version: ecs.platform_version.clone(),
        }
    }
}
