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
//! let overlay = "region: us-east-1\n";
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
//! Data flows one way; each stage is a module with a public entry point:
//!
//! 1. [`yaml::parse`] — YAML text into [`yaml::Node`]s that keep file:line;
//! 2. [`interpolate`] — `${VAR}` against an explicit environment;
//! 3. [`merge::merge`] — several `-f` files into one tree;
//! 4. [`model`] — typed, ECS-agnostic services ([`load`] runs stages 1–4);
//! 5. [`overlay`] — the strict `compose2ecs.yaml`;
//! 6. [`convert()`] — everything, into [`ecs::TaskDefinition`]s, checked by
//!    [`validate`] and written by [`emit`].
//!
//! The library never prints, never spawns a process and never reads the
//! process environment: the caller passes the environment in [`Input`].

#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod convert;
pub mod de;
pub mod diagnostic;
pub mod dotenv;
pub mod ecs;
pub mod emit;
pub mod input;
pub mod interpolate;
pub mod merge;
pub mod model;
pub mod overlay;
pub mod units;
pub mod validate;
pub mod yaml;

use indexmap::IndexMap;

pub use convert::{FARGATE_SIZES, fargate_size};
pub use diagnostic::{Code, Diagnostic, Error, Location, Severity};
pub use ecs::TaskDefinition;
pub use emit::to_json;
pub use input::{Input, Source};
pub use interpolate::Environment;
pub use model::Project;
pub use overlay::Overlay;

use diagnostic::Sink;

/// The README's Rust example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// How to convert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Active profiles: services with `profiles:` run only when one of theirs
    /// is listed here, as with `docker compose --profile`.
    pub profiles: Vec<String>,
}

impl Options {
    /// Options with these active profiles.
    #[must_use]
    pub fn with_profiles(mut self, profiles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.profiles = profiles.into_iter().map(Into::into).collect();
        self
    }
}

/// A successful conversion.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Conversion {
    /// The task definitions by family, in compose file order.
    pub task_definitions: IndexMap<String, TaskDefinition>,
    /// Warnings and notes, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Stages 1–4: parses, interpolates and merges the compose files, and reads
/// the typed project. Warnings found so far are returned with it.
pub fn load(input: &Input, options: &Options) -> Result<(Project, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let project = load_into(input, options, &mut sink);
    sink.check()?;
    let project = project.ok_or_else(|| {
        Error::single(Diagnostic::error(
            Code::NoServices,
            "no compose file to convert",
        ))
    })?;
    Ok((project, sink.into_vec()))
}

/// Stages 1–3: the compose files parsed, interpolated and merged into one
/// tree, as `compose2ecs config` prints it.
pub fn resolve(input: &Input) -> Result<(yaml::Node, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let tree = resolve_into(input, &mut sink);
    sink.check()?;
    let tree = tree
        .ok_or_else(|| Error::single(Diagnostic::error(Code::Io, "no compose file was given")))?;
    Ok((tree, sink.into_vec()))
}

fn resolve_into(input: &Input, sink: &mut Sink) -> Option<yaml::Node> {
    if input.compose.is_empty() {
        sink.push(Diagnostic::error(Code::Io, "no compose file was given"));
        return None;
    }
    let mut merged: Option<yaml::Node> = None;
    for source in &input.compose {
        let mut tree = match yaml::parse(&source.path, &source.text) {
            Ok(t) => t,
            Err(e) => {
                sink.extend_from_error(e);
                continue;
            }
        };
        interpolate::interpolate_tree(&mut tree, &input.environment, "", sink);
        match &mut merged {
            None => merged = Some(tree),
            Some(base) => merge::merge(base, tree, &[]),
        }
    }
    if sink.has_errors() {
        return None;
    }
    merged
}

fn load_into(input: &Input, options: &Options, sink: &mut Sink) -> Option<Project> {
    let root = resolve_into(input, sink)?;
    let ctx = model::ModelContext {
        env: &input.environment,
        project_dir: &input.project_dir,
        project_name: input.project_name.as_deref(),
        profiles: &options.profiles,
    };
    model::build_project(&root, &ctx, sink)
}

/// Converts compose files and an overlay into ECS task definitions.
///
/// On success the result holds the task definitions and every warning and
/// note. If anything is an error, nothing is returned but the [`Error`], which
/// lists every problem found.
pub fn convert(input: &Input, options: &Options) -> Result<Conversion, Error> {
    let mut sink = Sink::default();
    let project = load_into(input, options, &mut sink);
    let overlay = match &input.overlay {
        None => Some(overlay::LoadedOverlay::default()),
        Some(src) => match yaml::parse(&src.path, &src.text) {
            Ok(tree) => overlay::load(tree, &input.environment, &mut sink),
            Err(e) => {
                sink.extend_from_error(e);
                None
            }
        },
    };
    sink.check()?;
    let (Some(project), Some(overlay)) = (project, overlay) else {
        sink.check()?;
        return Err(Error::single(Diagnostic::error(
            Code::NoServices,
            "nothing to convert",
        )));
    };
    let task_definitions = convert::convert(&project, &overlay, &mut sink);
    sink.check()?;
    for td in task_definitions.values() {
        validate::task_definition(td, &mut sink);
    }
    sink.check()?;
    Ok(Conversion {
        task_definitions,
        diagnostics: sink.into_vec(),
    })
}
