//! Deterministic JSON: the last step of every output.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

use super::{RunTask, ServiceDefinition, TaskDefinition};

/// Pretty JSON with a trailing newline: two-space indent, fields in the order
/// of the output types, maps sorted. The same value gives the same bytes.
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these types cannot fail: no non-string map keys, no floats.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// One output file as a JSON value, for the checks that read every output
/// (the guard, the ECS schemas): built once, read by both.
#[derive(Debug)]
pub(crate) struct OutputJson {
    /// The family.
    pub family: String,
    /// The file it is written to: `<family>.task-definition.json`,
    /// `<family>.service.json` or `<family>.run-task.json`.
    pub file: String,
    /// Whether it is a task definition (else a service definition or a
    /// job's `run-task` input).
    pub is_task: bool,
    /// Whether it is a job's `run-task` input.
    pub is_job: bool,
    /// The value.
    pub json: Json,
}

/// Every task definition, then every service definition, then every job's
/// `run-task` input, as JSON values.
pub(crate) fn outputs_json(
    task_definitions: &IndexMap<String, TaskDefinition>,
    services: &IndexMap<String, ServiceDefinition>,
    jobs: &IndexMap<String, RunTask>,
) -> Vec<OutputJson> {
    // Converting these types cannot fail (no non-string keys); a `null`
    // would fail the schema check, as a bug should.
    let tasks = task_definitions.iter().map(|(f, td)| OutputJson {
        family: f.clone(),
        file: format!("{f}.task-definition.json"),
        is_task: true,
        is_job: false,
        json: serde_json::to_value(td).unwrap_or(Json::Null),
    });
    let services = services.iter().map(|(f, s)| OutputJson {
        family: f.clone(),
        file: format!("{f}.service.json"),
        is_task: false,
        is_job: false,
        json: serde_json::to_value(s).unwrap_or(Json::Null),
    });
    let jobs = jobs.iter().map(|(f, j)| OutputJson {
        family: f.clone(),
        file: format!("{f}.run-task.json"),
        is_task: false,
        is_job: true,
        json: serde_json::to_value(j).unwrap_or(Json::Null),
    });
    tasks.chain(services).chain(jobs).collect()
}
