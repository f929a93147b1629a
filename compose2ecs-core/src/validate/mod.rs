//! Stage 2: the merged compose tree against the Compose Specification's
//! schema (before the model reads it); and the schema interpreter the check
//! stage uses too, to hold every output against the JSON Schemas derived
//! from the ECS API model (`check/api.rs`).

pub(crate) mod compose;
pub(crate) mod instance;
pub(crate) mod pattern;
pub(crate) mod schema;
// Generated (scripts/schema-tables.py): formatted by the script, not rustfmt.
#[rustfmt::skip]
pub(crate) mod tables;
