//! Deterministic JSON: the last step of every output.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

use super::{RunTask, Scaling, Schedule, ServiceDefinition, TaskDefinition};

/// Pretty JSON with a trailing newline: two-space indent, fields in the order
/// of the output types, maps sorted. The same value gives the same bytes.
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these types cannot fail: no non-string map keys, no floats.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// What an output file is: which API call takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputKind {
    /// `<family>.task-definition.json`.
    Task,
    /// `<family>.service.json`.
    Service,
    /// `<family>.run-task.json`.
    Job,
    /// `<family>.scaling.json`.
    Scaling,
    /// `<family>.schedule.json`.
    Schedule,
}

impl OutputKind {
    /// The file name's suffix after the family.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            OutputKind::Task => "task-definition",
            OutputKind::Service => "service",
            OutputKind::Job => "run-task",
            OutputKind::Scaling => "scaling",
            OutputKind::Schedule => "schedule",
        }
    }
}

/// One output file as a JSON value, for the checks that read every output
/// (the guard, the API model schemas): built once, read by both.
#[derive(Debug)]
pub(crate) struct OutputJson {
    /// The family.
    pub family: String,
    /// The file it is written to: `<family>.<kind>.json`.
    pub file: String,
    /// Which call takes it.
    pub kind: OutputKind,
    /// The value.
    pub json: Json,
}

impl OutputJson {
    fn new<T: Serialize>(family: &str, kind: OutputKind, value: &T) -> Self {
        // Converting these types cannot fail (no non-string keys); a `null`
        // would fail the schema check, as a bug should.
        OutputJson {
            family: family.to_owned(),
            file: format!("{family}.{}.json", kind.suffix()),
            kind,
            json: serde_json::to_value(value).unwrap_or(Json::Null),
        }
    }

    /// Whether it is a task definition.
    pub(crate) fn is_task(&self) -> bool {
        self.kind == OutputKind::Task
    }
}

/// Every output of a conversion, by kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outputs<'a> {
    pub task_definitions: &'a IndexMap<String, TaskDefinition>,
    pub services: &'a IndexMap<String, ServiceDefinition>,
    pub jobs: &'a IndexMap<String, RunTask>,
    pub scaling: &'a IndexMap<String, Scaling>,
    pub schedules: &'a IndexMap<String, Schedule>,
}

/// One output, not yet made JSON: the pipeline makes each JSON on the core
/// that searches and checks it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pending<'a> {
    Task(&'a str, &'a TaskDefinition),
    Service(&'a str, &'a ServiceDefinition),
    Job(&'a str, &'a RunTask),
    Scaling(&'a str, &'a Scaling),
    Schedule(&'a str, &'a Schedule),
}

impl Pending<'_> {
    pub(crate) fn json(self) -> OutputJson {
        match self {
            Pending::Task(f, v) => OutputJson::new(f, OutputKind::Task, v),
            Pending::Service(f, v) => OutputJson::new(f, OutputKind::Service, v),
            Pending::Job(f, v) => OutputJson::new(f, OutputKind::Job, v),
            Pending::Scaling(f, v) => OutputJson::new(f, OutputKind::Scaling, v),
            Pending::Schedule(f, v) => OutputJson::new(f, OutputKind::Schedule, v),
        }
    }
}

/// Every output, by kind: task definitions, services, jobs, scaling,
/// schedules.
pub(crate) fn pending(o: Outputs<'_>) -> Vec<Pending<'_>> {
    let mut all = Vec::new();
    all.extend(o.task_definitions.iter().map(|(f, v)| Pending::Task(f, v)));
    all.extend(o.services.iter().map(|(f, v)| Pending::Service(f, v)));
    all.extend(o.jobs.iter().map(|(f, v)| Pending::Job(f, v)));
    all.extend(o.scaling.iter().map(|(f, v)| Pending::Scaling(f, v)));
    all.extend(o.schedules.iter().map(|(f, v)| Pending::Schedule(f, v)));
    all
}
