//! The ECS side: the output types — exactly the `aws ecs
//! register-task-definition`, `create-service` and `run-task
//! --cli-input-json` inputs, member names and types as in the ECS API model,
//! and those of the services around an ECS service: Application Auto
//! Scaling ([`Scaling`]) and EventBridge Scheduler ([`Schedule`]) — and the
//! ECS facts every stage shares: launch types and network modes, name rules,
//! Fargate sizes, schedule expressions, ARNs and partitions.
//!
//! Field order is the order of the emitted JSON, and maps are sorted, so the
//! output is byte-for-byte stable ([`to_json`]).

pub(crate) mod arn;
mod json;
pub(crate) mod lite;
mod names;
mod platform;
pub mod rules;
mod run_task;
pub mod scaling;
pub mod schedule;
mod service;
mod sizes;
mod task;

pub use arn::{is_ecr_image, registry_host};
pub use json::to_json;
pub(crate) use json::{OutputJson, OutputKind, Outputs, Pending, pending};
pub(crate) use names::is_ecs_name;
pub use platform::{LaunchType, NetworkMode};
pub use run_task::{Placement, RunTask, STARTED_BY};
pub use scaling::Scaling;
pub use schedule::Schedule;
pub use service::*;
pub use sizes::{FARGATE_SIZES, fargate_size};
pub use task::*;
