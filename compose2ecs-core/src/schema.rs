//! The JSON Schemas compose2ecs reads and writes against, and the checks of
//! ECS input by them.
//!
//! ```
//! use compose2ecs_core::schema;
//!
//! let td: serde_json::Value = serde_json::from_str(schema::TASK_DEFINITION_SCHEMA)?;
//! assert_eq!(td["type"], "object");
//! let bad = serde_json::json!({"family": "web", "containerDefinitions": "no"});
//! assert!(!schema::task_definition_json(&bad).is_empty());
//! # Ok::<(), serde_json::Error>(())
//! ```

pub use crate::check::api::{
    RUN_TASK_SCHEMA, SCALING_SCHEMA, SCHEDULE_SCHEMA, SERVICE_SCHEMA, TASK_DEFINITION_SCHEMA,
    run_task_json, scaling_json, schedule_json, service_json, task_definition_json,
};
pub use crate::validate::compose::COMPOSE_SPEC_SCHEMA;

/// The JSON Schema of `compose2ecs.yaml`, for editors (yaml-language-server).
pub fn overlay() -> String {
    crate::overlay::json_schema()
}
