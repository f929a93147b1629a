//! Where tasks run and how they are networked.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where tasks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub enum LaunchType {
    /// AWS Fargate (the default).
    #[default]
    #[serde(rename = "FARGATE")]
    Fargate,
    /// EC2 container instances.
    #[serde(rename = "EC2")]
    Ec2,
    /// ECS Anywhere.
    #[serde(rename = "EXTERNAL")]
    External,
}

impl LaunchType {
    /// The ECS name.
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
            LaunchType::External => "EXTERNAL",
        }
    }
}

/// The task's network mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum NetworkMode {
    /// An elastic network interface per task (the default; the only mode on Fargate).
    #[default]
    Awsvpc,
    /// Docker's bridge network on the instance.
    Bridge,
    /// The instance's network.
    Host,
    /// No networking.
    None,
}

impl NetworkMode {
    /// The ECS name.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::Awsvpc => "awsvpc",
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
            NetworkMode::None => "none",
        }
    }
}
