//! Tests of the crate as a whole that need its private items: built only
//! for `cargo test`.

// The schema tables against the jsonschema crate.
mod differential;
// One core against two, on a large project.
mod two_cores;
