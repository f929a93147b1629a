//! The real AWS CLI accepts what compose2ecs writes: every fixture's task
//! definitions are registered with `aws ecs register-task-definition
//! --cli-input-json` against a local `moto_server` on 127.0.0.1, which the
//! test starts on a free port and stops at the end.
//!
//! `scripts/test` installs the pinned `awscli` and `moto[server]`. Without
//! them the test is skipped with a message, except under `CI=true`, where a
//! missing tool is a failure.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod scenario;

mod cli_versions;
mod cloudformation;
mod deploy;
mod fixtures;
mod jobs;
mod lifecycle;
mod logs;
mod plan;
mod push;
mod scaling;
