//! Stages 6 and 7 over the outputs: each made JSON, searched by the guard
//! (nothing secret is written) and checked against the API model's schema.
//! Every output is independent of the others, so a large project's outputs
//! are shared between two cores, each making, searching, checking and
//! dropping its half; what each finds is put back in the outputs' order, so
//! the diagnostics are the same, in the same order, as on one core.

use indexmap::IndexMap;

use crate::diagnostic::Sink;
use crate::ecs::{OutputKind, Pending, TaskDefinition};
use crate::guard::{self, Guard};
use crate::validate;

/// What the outputs gave: the guard's findings, then the schema checks'.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub guard: Sink,
    pub schema: Sink,
}

/// Searches and checks `outputs` (on two cores when there are many).
pub(crate) fn outputs(
    outputs: &[Pending<'_>],
    g: &Guard<'_>,
    task_definitions: &IndexMap<String, TaskDefinition>,
) -> Found {
    let mut halves = crate::halves::in_halves(outputs, |share| {
        vec![self::share(share, g, task_definitions)]
    })
    .into_iter();
    let mut found = halves.next().unwrap_or_default();
    for later in halves {
        found.guard.append(later.guard);
        found.schema.append(later.schema);
    }
    found
}

/// One share of the outputs, made JSON (in one arena, freed at once),
/// searched and checked in order.
fn share(
    outputs: &[Pending<'_>],
    g: &Guard<'_>,
    task_definitions: &IndexMap<String, TaskDefinition>,
) -> Found {
    let bump = bumpalo::Bump::new();
    let json: Vec<_> = outputs.iter().map(|p| p.json(&bump)).collect();
    let mut found = Found::default();
    guard::scan(g, &json, &mut found.guard);
    for out in &json {
        match task_definitions.get(out.family) {
            Some(td) if out.kind == OutputKind::Task => {
                validate::ecs::task_definition(td, &out.json, &mut found.schema);
            }
            _ => validate::ecs::output(out.kind, &out.json, &mut found.schema),
        }
    }
    found
}
