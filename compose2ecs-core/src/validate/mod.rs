//! The checks at both ends of the pipeline: the merged compose tree against
//! the Compose Specification's schema (before the model reads it), and every
//! output against the JSON Schemas derived from the ECS API model (before
//! anything is returned).

pub(crate) mod compose;
pub(crate) mod ecs;
pub(crate) mod instance;
pub(crate) mod pattern;
pub(crate) mod schema;
// Generated (scripts/schema-tables.py): formatted by the script, not rustfmt.
#[rustfmt::skip]
pub(crate) mod tables;
