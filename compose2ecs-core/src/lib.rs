//! # compose2ecs-core
//!
//! Converts a Docker Compose project, plus a small AWS overlay, into Amazon ECS
//! task definitions: exactly the JSON that `aws ecs register-task-definition
//! --cli-input-json` accepts, with every compose key either converted or
//! reported as a [`Diagnostic`] carrying a stable code and a file:line.
//!
//! ```
//! use compose2ecs_core::{Input, Options, convert, to_json};
//!
//! let compose = r#"
//! name: student
//! services:
//!   rest:
//!     image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/student-rest:1.0
//!     ports: ["8000:8080"]
//!     mem_limit: 512m
//! "#;
//! let overlay = "region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/ecsTaskExecutionRole}\n";
//!
//! let input = Input::from_yaml(compose).with_overlay(overlay);
//! let out = convert(&input, &Options::default())?;
//!
//! let td = &out.task_definitions["student-rest"];
//! assert_eq!(td.cpu.as_deref(), Some("256"));
//! assert_eq!(td.memory.as_deref(), Some("512"));
//! assert_eq!(td.container_definitions[0].port_mappings[0].container_port, Some(8080));
//! assert!(to_json(td).contains(r#""awslogs-group": "/ecs/student-rest""#));
//!
//! // On awsvpc the host port is the container port: 8000 is reported, not lost.
//! let d = &out.diagnostics[0];
//! assert_eq!(d.code.as_str(), "host-port-dropped");
//! assert_eq!(d.path.as_deref(), Some("services.rest.ports[0]"));
//! assert_eq!(d.location.as_ref().map(|l| l.line), Some(6));
//! # Ok::<(), compose2ecs_core::Error>(())
//! ```
//!
//! ## The pipeline
//!
//! Data flows one way, and each stage is a folder of the crate; no stage
//! imports a later one:
//!
//! 1. `load/` — what to read ([`Input`], [`discover`]), YAML with
//!    locations, interpolation, `.env`, `include`, `extends`, the merge of
//!    `-f` files ([`resolve`]);
//! 2. `validate/` — the merged tree against the Compose Specification;
//! 3. [`model`] — the typed, ECS-agnostic project ([`load()`]);
//! 4. [`overlay`] — the strict `compose2ecs.yaml`;
//! 5. `convert/` — the project and the overlay into [`ecs`] output
//!    ([`convert()`]);
//! 6. and 7. `check/` — every output, before anything is returned: no
//!    secret leaves (`check/guard/`: every string searched for the local
//!    values of mapped secrets, for credentials taken from the process
//!    environment, and for values shaped like well-known tokens,
//!    `docs/secrets.md`), and it holds against the ECS API model's schema
//!    and the rules ECS enforces server-side.
//!
//! Under them all: `diagnostic/` ([`Diagnostic`], [`Error`], [`Sources`])
//! and [`ecs`], the output types and the ECS facts (names, Fargate sizes,
//! launch types, ARNs). After them: [`policy`], the execution role's IAM
//! policy for the output. [`schema`] holds the JSON Schemas of every input
//! and output.
//!
//! The library never prints, never spawns a process and never reads the
//! process environment: the caller passes the environment in [`Input`] (or
//! in [`Discovery`]). Values given with [`Input::with_environment`] count as
//! the caller's process environment: a credential-like one
//! (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, …) is refused wherever it would
//! be written. `.env` values ([`Input::from_files`],
//! [`Input::with_env_file_variables`]) are the project's own.
//!
//! ```
//! use compose2ecs_core::{Code, Environment, Input, Options, convert};
//!
//! let compose = "services:\n  app:\n    image: nginx\n    environment: [GITHUB_TOKEN]\n";
//! let env = Environment::from([("GITHUB_TOKEN".to_owned(), "a-token-of-the-deployer".to_owned())]);
//! let err = convert(&Input::from_yaml(compose).with_environment(env), &Options::default())
//!     .unwrap_err();
//! let d = err.errors().next().unwrap();
//! assert_eq!(d.code, Code::CredentialFromEnvironment);
//! assert_eq!(d.path.as_deref(), Some("services.app.environment.GITHUB_TOKEN"));
//! assert!(!d.message.contains("a-token-of-the-deployer"));
//! ```

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod canonical;
mod check;
pub mod cloudformation;
mod conversion;
mod convert;
pub mod cost;
mod diagnostic;
pub mod ecs;
pub mod halves;
mod load;
pub mod model;
pub mod overlay;
mod pipeline;
pub mod policy;
pub mod schema;
// Tests of the whole crate that need its private items.
#[cfg(test)]
mod tests;
mod units;
mod validate;

pub use diagnostic::{Code, Diagnostic, Error, Location, Place, Severity, Sources};
pub use ecs::{
    PROJECT_TAG, Placement, RunTask, SERVICE_TAG, ServiceDefinition, Tag, TaskDefinition, to_json,
};
pub use indexmap::{self, IndexMap};
pub use load::discover::{Discovery, Options, discover, env_overlay_name};
pub use load::input::{Input, Source};
pub use load::interpolate::Environment;
pub use model::Project;
pub use overlay::Overlay;
pub use pipeline::{ComposeTree, Conversion, config, convert, load, resolve};

/// The environment variable a secret is given as when nothing names one:
/// `db-password` → `DB_PASSWORD`.
///
/// ```
/// assert_eq!(compose2ecs_core::secret_env_name("db-password"), "DB_PASSWORD");
/// ```
pub fn secret_env_name(secret: &str) -> String {
    convert::secrets::env_name(secret)
}

/// The README's examples are shell and output, not Rust: it is still read
/// as a doctest, so that a Rust block added to it runs.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// The user guide's library page runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../docs/library.md")]
struct LibraryDoctests;

/// The crate's own README runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;

/// The stages one by one, for the benchmarks: not an API. Only with the
/// `internals` feature, which nothing but the benchmarks enables.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals;
