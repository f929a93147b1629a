//! Stage 7, **validate output**: every output against the JSON Schema
//! derived from the API model of the call that takes it (`schemas/*.schema.json`,
//! made by `scripts/ecs-schemas.py`), plus the
//! rules ECS applies that a schema cannot say (sums, references).
//!
//! A violation here is a bug of compose2ecs — the converter should never
//! produce it — and fails the conversion with the JSON path.

use std::sync::OnceLock;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde_json::Value as Json;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{OutputKind, TaskDefinition};

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

fn compiled(
    text: &'static str,
    slot: &'static OnceLock<Option<Validator>>,
) -> Option<&'static Validator> {
    slot.get_or_init(|| {
        let schema: Json = serde_json::from_str(text).ok()?;
        jsonschema::validator_for(&schema).ok()
    })
    .as_ref()
}

static TASK_DEFINITION: OnceLock<Option<Validator>> = OnceLock::new();
static SERVICE: OnceLock<Option<Validator>> = OnceLock::new();
static RUN_TASK: OnceLock<Option<Validator>> = OnceLock::new();
static SCALING: OnceLock<Option<Validator>> = OnceLock::new();
static SCHEDULE: OnceLock<Option<Validator>> = OnceLock::new();

/// Violations of the `RegisterTaskDefinition` schema, each with its JSON
/// path (`containerDefinitions[0].cpu`).
pub fn task_definition_json(value: &Json) -> Vec<Diagnostic> {
    let validator = compiled(TASK_DEFINITION_SCHEMA, &TASK_DEFINITION);
    violations(validator, value, "task definition")
}

/// Violations of the `CreateService` schema.
pub fn service_json(value: &Json) -> Vec<Diagnostic> {
    violations(
        compiled(SERVICE_SCHEMA, &SERVICE),
        value,
        "service definition",
    )
}

/// Violations of the `RunTask` schema.
pub fn run_task_json(value: &Json) -> Vec<Diagnostic> {
    violations(
        compiled(RUN_TASK_SCHEMA, &RUN_TASK),
        value,
        "run-task input",
    )
}

/// Violations of the `<family>.scaling.json` schema.
pub fn scaling_json(value: &Json) -> Vec<Diagnostic> {
    violations(compiled(SCALING_SCHEMA, &SCALING), value, "scaling input")
}

/// Violations of the `CreateSchedule` schema.
pub fn schedule_json(value: &Json) -> Vec<Diagnostic> {
    violations(
        compiled(SCHEDULE_SCHEMA, &SCHEDULE),
        value,
        "schedule input",
    )
}

fn violations(validator: Option<&Validator>, value: &Json, what: &str) -> Vec<Diagnostic> {
    let Some(validator) = validator else {
        return vec![Diagnostic::error(
            Code::OutputSchemaViolation,
            format!("bug: the {what} schema does not compile"),
        )];
    };
    let name = value
        .get("family")
        .or_else(|| value.get("serviceName"))
        .or_else(|| value.get("taskDefinition"))
        .or_else(|| value.get("Name"))
        .or_else(|| value.pointer("/scalableTarget/ResourceId"))
        .and_then(Json::as_str)
        .unwrap_or("?");
    validator
        .iter_errors(value)
        .map(|e| {
            let segments: Vec<LocationSegment<'_>> = e.instance_path().segments().collect();
            let mut path = String::new();
            for s in &segments {
                match s {
                    LocationSegment::Property(k) => {
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(k);
                    }
                    LocationSegment::Index(i) => path.push_str(&format!("[{i}]")),
                }
            }
            let at = if path.is_empty() {
                "the root".to_owned()
            } else {
                format!("`{path}`")
            };
            let problem = match e.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    format!(
                        "{at} has members the ECS API does not know: {}",
                        unexpected.join(", ")
                    )
                }
                ValidationErrorKind::Required { property } => {
                    format!("{at} lacks the required member {property}")
                }
                ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
                    if path.is_empty() =>
                {
                    "`cpu`/`memory` is not a FARGATE task size".to_owned()
                }
                ValidationErrorKind::Constant { expected_value } => {
                    format!("{at} must be {expected_value}")
                }
                _ => format!("{at}: {e}"),
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
pub(crate) fn output(kind: OutputKind, json: &Json, sink: &mut Sink) {
    let found = match kind {
        OutputKind::Task => task_definition_json(json),
        OutputKind::Service => service_json(json),
        OutputKind::Job => run_task_json(json),
        OutputKind::Scaling => scaling_json(json),
        OutputKind::Schedule => schedule_json(json),
    };
    for d in found {
        sink.push(d);
    }
}

/// Checks one task definition (and its JSON): the schema, then the rules
/// across members. Anything reported here that the input could not have
/// caused is a bug of compose2ecs, and says so.
pub(crate) fn task_definition(td: &TaskDefinition, json: &Json, sink: &mut Sink) {
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
    // other server-side rules: `crate::ecs::rules`, checked with locations
    // by the pipeline.
}
