//! Stage 7, **validate output**: every output against the JSON Schema
//! derived from the API model of the call that takes it (`schemas/*.schema.json`,
//! made by `scripts/ecs-schemas.py`), plus the
//! rules ECS applies that a schema cannot say (sums, references).
//!
//! A violation here is a bug of compose2ecs — the converter should never
//! produce it — and fails the conversion with the JSON path.

use serde_json::Value as Json;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{OutputKind, TaskDefinition};
use crate::validate::schema::{Instance, Kind, Schema, View, render_path, type_names};
use crate::validate::tables;

/// The `RegisterTaskDefinition` input schema.
pub const TASK_DEFINITION_SCHEMA: &str =
    include_str!("../../schemas/ecs-register-task-definition.schema.json");
/// The `CreateService` input schema.
pub const SERVICE_SCHEMA: &str = include_str!("../../schemas/ecs-create-service.schema.json");
/// The `RunTask` input schema.
pub const RUN_TASK_SCHEMA: &str = include_str!("../../schemas/ecs-run-task.schema.json");
/// `<family>.scaling.json`'s schema: the Application Auto Scaling
/// `RegisterScalableTarget`, `PutScalingPolicy` and `PutScheduledAction`
/// inputs.
pub const SCALING_SCHEMA: &str =
    include_str!("../../schemas/application-autoscaling-scaling.schema.json");
/// The EventBridge Scheduler `CreateSchedule` input schema.
pub const SCHEDULE_SCHEMA: &str =
    include_str!("../../schemas/scheduler-create-schedule.schema.json");

/// Violations of the `RegisterTaskDefinition` schema, each with its JSON
/// path (`containerDefinitions[0].cpu`).
pub fn task_definition_json(value: &Json) -> Vec<Diagnostic> {
    violations(OutputKind::Task, value)
}

/// Violations of the `CreateService` schema.
pub fn service_json(value: &Json) -> Vec<Diagnostic> {
    violations(OutputKind::Service, value)
}

/// Violations of the `RunTask` schema.
pub fn run_task_json(value: &Json) -> Vec<Diagnostic> {
    violations(OutputKind::Job, value)
}

/// Violations of the `<family>.scaling.json` schema.
pub fn scaling_json(value: &Json) -> Vec<Diagnostic> {
    violations(OutputKind::Scaling, value)
}

/// Violations of the `CreateSchedule` schema.
pub fn schedule_json(value: &Json) -> Vec<Diagnostic> {
    violations(OutputKind::Schedule, value)
}

/// The schema of the call that takes an output, and what the messages call
/// the output.
fn schema_of(kind: OutputKind) -> (&'static Schema, &'static str) {
    match kind {
        OutputKind::Task => (&tables::TASK_DEFINITION, "task definition"),
        OutputKind::Service => (&tables::SERVICE, "service definition"),
        OutputKind::Job => (&tables::RUN_TASK, "run-task input"),
        OutputKind::Scaling => (&tables::SCALING, "scaling input"),
        OutputKind::Schedule => (&tables::SCHEDULE, "schedule input"),
    }
}

fn violations<I: Instance>(kind: OutputKind, value: &I) -> Vec<Diagnostic> {
    let (schema, what) = schema_of(kind);
    if schema.is_valid(value) {
        return Vec::new();
    }
    let named = ["family", "serviceName", "taskDefinition", "Name"]
        .iter()
        .find_map(|key| value.member(key))
        .or_else(|| value.member("scalableTarget")?.member("ResourceId"));
    let name = match named.map(Instance::view) {
        Some(View::Str(s)) => s.into_owned(),
        _ => "?".to_owned(),
    };
    schema
        .violations(value)
        .into_iter()
        .map(|v| {
            let path = render_path(&v.path);
            let at = if path.is_empty() {
                "the root".to_owned()
            } else {
                format!("`{path}`")
            };
            // Messages name members, types and limits, never the value.
            let problem = match &v.kind {
                Kind::AdditionalProperties { unexpected, .. } => format!(
                    "{at} has members the ECS API does not know: {}",
                    unexpected.join(", ")
                ),
                Kind::Required(member) => format!("{at} lacks the required member \"{member}\""),
                Kind::AnyOf(_) | Kind::OneOfNone(_) | Kind::OneOfMany if path.is_empty() => {
                    "`cpu`/`memory` is not a FARGATE task size".to_owned()
                }
                Kind::Const(expected) => format!("{at} must be \"{expected}\""),
                Kind::Type(bits) => {
                    format!("{at} must be of type {}", type_names(*bits).join(" or "))
                }
                Kind::Enum(options) => format!("{at} must be one of {}", options.join(", ")),
                Kind::Pattern(p) => format!("{at} must match `{}`", p.source()),
                Kind::MinLength(n) => format!("{at} is shorter than {n} characters"),
                Kind::MaxLength(n) => format!("{at} is longer than {n} characters"),
                Kind::MinItems(n) => format!("{at} has fewer than {n} items"),
                Kind::MaxItems(n) => format!("{at} has more than {n} items"),
                Kind::Minimum(n) => format!("{at} is less than {n}"),
                Kind::Maximum(n) => format!("{at} is greater than {n}"),
                other => format!("{at} fails `{}`", other.keyword()),
            };
            Diagnostic::error(
                Code::OutputSchemaViolation,
                format!("bug: the {what} `{name}` is not valid ECS input: {problem}"),
            )
            .with_path(path)
            .with_help("this is a bug in compose2ecs; please report it with the compose file")
        })
        .collect()
}

/// Checks an output other than a task definition (as JSON) against the
/// schema of the call that takes it.
pub(crate) fn output<I: Instance>(kind: OutputKind, json: &I, sink: &mut Sink) {
    for d in violations(kind, json) {
        sink.push(d);
    }
}

/// Checks one task definition (and its JSON): the schema, then the rules
/// across members. Anything reported here that the input could not have
/// caused is a bug of compose2ecs, and says so.
pub(crate) fn task_definition<I: Instance>(td: &TaskDefinition, json: &I, sink: &mut Sink) {
    output(OutputKind::Task, json, sink);
    let task_cpu = td.cpu.as_deref().and_then(|c| c.parse::<u64>().ok());
    let task_mem = td.memory.as_deref().and_then(|m| m.parse::<u64>().ok());
    let cpu_sum: u64 = td
        .container_definitions
        .iter()
        .filter_map(|c| c.cpu)
        .map(u64::from)
        .sum();
    let mem_sum: u64 = td
        .container_definitions
        .iter()
        .filter_map(|c| c.memory)
        .sum();
    if task_cpu.is_some_and(|t| cpu_sum > t) || task_mem.is_some_and(|t| mem_sum > t) {
        sink.push(Diagnostic::error(
            Code::TaskSizeExceeded,
            format!(
                "task `{}`: its containers ask for cpu {cpu_sum} / memory {mem_sum} MiB, more than the task's {:?} / {:?}",
                td.family, td.cpu, td.memory
            ),
        ));
    }
    let mut port_names: Vec<&str> = Vec::new();
    for c in &td.container_definitions {
        if let (Some(limit), Some(res)) = (c.memory, c.memory_reservation) {
            if res > limit {
                sink.push(Diagnostic::error(
                    Code::ReservationExceedsLimit,
                    format!(
                        "container `{}` of `{}` reserves {res} MiB over its {limit} MiB limit",
                        c.name, td.family
                    ),
                ));
            }
        }
        for d in &c.depends_on {
            if !td
                .container_definitions
                .iter()
                .any(|o| o.name == d.container_name)
            {
                sink.push(Diagnostic::error(
                    Code::UnknownDependency,
                    format!(
                        "bug: container `{}` of `{}` depends on `{}`, which is not in the task",
                        c.name, td.family, d.container_name
                    ),
                ));
            }
        }
        for p in &c.port_mappings {
            if let Some(name) = &p.name {
                if port_names.contains(&name.as_str()) {
                    sink.push(Diagnostic::error(
                        Code::InvalidName,
                        format!("task `{}` names two ports `{name}`; ECS needs port names unique in a task", td.family),
                    ).with_help("give each `ports[].name` of the task's services a different name"));
                }
                port_names.push(name);
            }
        }
    }
    // Essential containers, unique names and ports, Fargate sizes and the
    // other server-side rules: `crate::check::rules`, checked with locations
    // by the pipeline.
}
