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
mod loader;
pub mod merge;
pub mod model;
pub mod overlay;
mod paths;
pub mod policy;
pub mod redact;
pub mod schema;
pub mod support;
pub mod units;
pub mod validate;
pub mod yaml;

use indexmap::IndexMap;

pub use convert::{FARGATE_SIZES, fargate_size};
pub use diagnostic::{Code, Diagnostic, Error, Location, Severity};
pub use ecs::{ServiceDefinition, TaskDefinition};
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
    /// is listed here (or `*` is), as with `docker compose --profile`. When
    /// empty, `COMPOSE_PROFILES` from the environment decides.
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
    /// The ECS service of each task definition, by family: the `aws ecs
    /// create-service --cli-input-json` input.
    pub services: IndexMap<String, ServiceDefinition>,
    /// Warnings and notes, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
    /// The overlay the conversion used (all defaults when there was none).
    pub overlay: Overlay,
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

/// Stages 1–3: the compose files parsed, interpolated, their `include`s and
/// `extends` resolved, merged into one tree and checked against the Compose
/// Specification's schema.
pub fn resolve(input: &Input) -> Result<(yaml::Node, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let tree = resolve_into(input, &mut sink);
    sink.check()?;
    let tree = tree
        .ok_or_else(|| Error::single(Diagnostic::error(Code::Io, "no compose file was given")))?;
    Ok((tree, sink.into_vec()))
}

/// Parse, interpolate and merge, without the schema check: a stage of the
/// benchmarks, not an API (use [`resolve`]).
#[doc(hidden)]
pub fn resolve_unchecked(input: &Input) -> Option<yaml::Node> {
    loader::resolve(input, &mut Sink::default())
}

/// The project as `compose2ecs config` prints it, like `docker compose
/// config`: [`resolve`]d, with `name:` set to the project name and only the
/// services of active profiles.
pub fn config(input: &Input, options: &Options) -> Result<(yaml::Node, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let tree = resolve_into(input, &mut sink);
    let project = tree.as_ref().and_then(|t| {
        model::build_project(
            t,
            &model_context(input, options, &profiles(input, options)),
            &mut sink,
        )
    });
    sink.check()?;
    let (Some(mut tree), Some(project)) = (tree, project) else {
        return Err(Error::single(Diagnostic::error(
            Code::Io,
            "no compose file was given",
        )));
    };
    if let yaml::Value::Map(top) = &mut tree.value {
        let loc = tree.loc.clone();
        let name = yaml::Entry {
            key_loc: loc.clone(),
            value: yaml::Node::new(
                yaml::Value::Scalar(yaml::Scalar {
                    text: project.name.clone(),
                    plain: false,
                }),
                loc,
            ),
        };
        top.shift_remove("name");
        top.shift_insert(0, "name".to_owned(), name);
        if let Some(yaml::Value::Map(services)) =
            top.get_mut("services").map(|e| &mut e.value.value)
        {
            services.retain(|n, _| !project.inactive_services.contains(n));
        }
    }
    // Notes about profiles and unsupported keys are for `convert`.
    let diagnostics = sink
        .into_vec()
        .into_iter()
        .filter(|d| {
            d.severity != Severity::Note
                && !matches!(d.code, Code::UnsupportedKey | Code::IgnoredKey)
        })
        .collect();
    Ok((tree, diagnostics))
}

fn resolve_into(input: &Input, sink: &mut Sink) -> Option<yaml::Node> {
    let tree = loader::resolve(input, sink)?;
    schema::validate_compose(&tree, sink);
    if sink.has_errors() {
        return None;
    }
    Some(tree)
}

/// The active profiles: the options', else `COMPOSE_PROFILES` (comma
/// separated) from the environment, as docker compose reads it.
fn profiles(input: &Input, options: &Options) -> Vec<String> {
    if !options.profiles.is_empty() {
        return options.profiles.clone();
    }
    input
        .environment
        .get("COMPOSE_PROFILES")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn model_context<'a>(
    input: &'a Input,
    _options: &Options,
    profiles: &'a [String],
) -> model::ModelContext<'a> {
    model::ModelContext {
        input,
        env: &input.environment,
        project_dir: &input.project_dir,
        project_name: input.project_name.as_deref(),
        profiles,
    }
}

fn load_into(input: &Input, options: &Options, sink: &mut Sink) -> Option<Project> {
    let root = resolve_into(input, sink)?;
    let profiles = profiles(input, options);
    model::build_project(&root, &model_context(input, options, &profiles), sink)
}

/// The last line of defence for "secrets never leak": the local values of
/// every variable the overlay maps to a secret (from the compose files,
/// env files, `.env` or the environment) must not appear anywhere in the
/// output — not even through `${VAR}` inside another value or a command.
/// Values shorter than 4 characters are not searched for.
fn guard_secret_values(
    input: &Input,
    project: &Project,
    loaded: &overlay::LoadedOverlay,
    task_definitions: &IndexMap<String, TaskDefinition>,
    sink: &mut Sink,
) {
    let overlay = &loaded.overlay;
    let mapped: std::collections::BTreeSet<&str> = overlay
        .secrets
        .keys()
        .chain(overlay.services.values().flat_map(|s| s.secrets.keys()))
        .map(String::as_str)
        .collect();
    let mut values: Vec<(&str, &str)> = Vec::new();
    for name in &mapped {
        if let Some(v) = input.environment.get(*name) {
            values.push((name, v));
        }
        for service in project.services.values() {
            if let Some(v) = service.environment.get(*name) {
                values.push((name, &v.value));
            }
        }
    }
    values.retain(|(_, v)| v.chars().count() >= 4);
    if values.is_empty() {
        return;
    }
    for (family, td) in task_definitions {
        let text = emit::to_json(td);
        for (name, value) in &values {
            if text.contains(value) {
                sink.push(
                    Diagnostic::error(
                        Code::SecretValueInOutput,
                        format!("the local value of `{name}`, which the overlay maps to a secret, would be written into `{family}`"),
                    )
                    .with_path(format!("secrets.{name}"))
                    .at(loaded.key_loc(&["secrets", name]).or(loaded.root_loc.as_ref()))
                    .with_help(format!("another variable or a command uses ${{{name}}}: map that variable to the same secret too, or read {name} from the environment at run time")),
                );
            }
        }
    }
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
    let convert::Converted {
        task_definitions,
        services,
    } = convert::convert(&project, &overlay, &mut sink);
    guard_secret_values(input, &project, &overlay, &task_definitions, &mut sink);
    sink.check()?;
    for td in task_definitions.values() {
        validate::task_definition(td, &mut sink);
    }
    for svc in services.values() {
        validate::service_definition(svc, &mut sink);
    }
    sink.check()?;
    Ok(Conversion {
        task_definitions,
        services,
        diagnostics: sink.into_vec(),
        overlay: overlay.overlay,
    })
}
