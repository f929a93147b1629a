//! `compose2ecs schema`: the JSON Schemas of the inputs and outputs.

use compose2ecs_core::schema;

use crate::args::SchemaKind;
use crate::outcome::Ended;

pub(crate) fn run(which: SchemaKind) -> Ended {
    let text = match which {
        SchemaKind::TaskDefinition => schema::TASK_DEFINITION_SCHEMA.to_owned(),
        SchemaKind::Service => schema::SERVICE_SCHEMA.to_owned(),
        SchemaKind::RunTask => schema::RUN_TASK_SCHEMA.to_owned(),
        SchemaKind::Scaling => schema::SCALING_SCHEMA.to_owned(),
        SchemaKind::Schedule => schema::SCHEDULE_SCHEMA.to_owned(),
        SchemaKind::Overlay => schema::overlay(),
        SchemaKind::Compose => schema::COMPOSE_SPEC_SCHEMA.to_owned(),
    };
    Ok(crate::report::stdout(text.as_bytes()))
}
