//! Deterministic JSON: the last step of every output.

use bumpalo::Bump;
use indexmap::IndexMap;
use serde::Serialize;

use super::lite::Lite;

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
/// (the guard, the API model schemas): built once, in an arena
/// ([`Lite`]), read by both.
#[derive(Debug)]
pub(crate) struct OutputJson<'b> {
    /// The family.
    pub family: &'b str,
    /// The file it is written to: `<family>.<kind>.json`.
    pub file: String,
    /// Which call takes it.
    pub kind: OutputKind,
    /// The value.
    pub json: Lite<'b>,
}

impl<'b> OutputJson<'b> {
    fn new<T: Serialize>(family: &'b str, kind: OutputKind, value: &T, bump: &'b Bump) -> Self {
        OutputJson {
            family,
            file: format!("{family}.{}.json", kind.suffix()),
            kind,
            json: Lite::of(value, bump),
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

impl<'a> Pending<'a> {
    /// The output as JSON, in `bump`.
    pub(crate) fn json<'b>(self, bump: &'b Bump) -> OutputJson<'b>
    where
        'a: 'b,
    {
        match self {
            Pending::Task(f, v) => OutputJson::new(f, OutputKind::Task, v, bump),
            Pending::Service(f, v) => OutputJson::new(f, OutputKind::Service, v, bump),
            Pending::Job(f, v) => OutputJson::new(f, OutputKind::Job, v, bump),
            Pending::Scaling(f, v) => OutputJson::new(f, OutputKind::Scaling, v, bump),
            Pending::Schedule(f, v) => OutputJson::new(f, OutputKind::Schedule, v, bump),
        }
    }
}

/// Every output, family by family as the files are written: the task
/// definition, then its service, run-task, scaling and schedule inputs.
/// (So two cores given a half of the list each get as much to check.)
pub(crate) fn pending(o: Outputs<'_>) -> Vec<Pending<'_>> {
    let mut all = Vec::new();
    // Every output has a task definition of its family; one without would
    // still be checked, after the others.
    let families = o
        .task_definitions
        .keys()
        .chain(o.services.keys())
        .chain(o.jobs.keys());
    let families = families.chain(o.scaling.keys()).chain(o.schedules.keys());
    let mut seen = std::collections::HashSet::new();
    for f in families.filter(|f| seen.insert(*f)) {
        if let Some(v) = o.task_definitions.get(f) {
            all.push(Pending::Task(f, v));
        }
        if let Some(v) = o.services.get(f) {
            all.push(Pending::Service(f, v));
        }
        if let Some(v) = o.jobs.get(f) {
            all.push(Pending::Job(f, v));
        }
        if let Some(v) = o.scaling.get(f) {
            all.push(Pending::Scaling(f, v));
        }
        if let Some(v) = o.schedules.get(f) {
            all.push(Pending::Schedule(f, v));
        }
    }
    all
}
