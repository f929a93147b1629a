//! Deterministic JSON: the last step of every output.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

use super::{ServiceDefinition, TaskDefinition};

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
    /// The file it is written to: `<family>.task-definition.json` or
    /// `<family>.service.json`.
    pub file: String,
    /// Whether it is a task definition (else a service definition).
    pub is_task: bool,
    /// The value.
    pub json: Json,
}

/// Every task definition, then every service definition, as JSON values.
pub(crate) fn outputs_json(
    task_definitions: &IndexMap<String, TaskDefinition>,
    services: &IndexMap<String, ServiceDefinition>,
) -> Vec<OutputJson> {
    // Converting these types cannot fail (no non-string keys); a `null`
    // would fail the schema check, as a bug should.
    let tasks = task_definitions.iter().map(|(f, td)| OutputJson {
        family: f.clone(),
        file: format!("{f}.task-definition.json"),
        is_task: true,
        json: serde_json::to_value(td).unwrap_or(Json::Null),
    });
    let services = services.iter().map(|(f, s)| OutputJson {
        family: f.clone(),
        file: format!("{f}.service.json"),
        is_task: false,
        json: serde_json::to_value(s).unwrap_or(Json::Null),
    });
    tasks.chain(services).collect()
}
