//! Deterministic JSON: the last step of every output.

use serde::Serialize;

/// Pretty JSON with a trailing newline: two-space indent, fields in the order
/// of the output types, maps sorted. The same value gives the same bytes.
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising these types cannot fail: no non-string map keys, no floats.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
