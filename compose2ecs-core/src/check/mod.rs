//! Stages 6 and 7, the checks of the outputs before anything is returned:
//! each made JSON, searched by the guard (`guard/`: nothing secret is
//! written), checked against the API model's schema (`api.rs`) and against
//! the rules ECS enforces server-side (`rules.rs`, the table itself is data
//! in `ecs/rules.rs`). Every output is independent of the others, so a
//! large project's outputs are shared between two cores, each making,
//! searching, checking and dropping its half; what each finds is put back
//! in the outputs' order, so the diagnostics are the same, in the same
//! order, as on one core.

pub(crate) mod api;
pub(crate) mod guard;
pub(crate) mod rules;

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{OutputKind, Pending, Placement, RunTask, ServiceDefinition, TaskDefinition};
use crate::model::Project;
use crate::overlay::LoadedOverlay;
use guard::Guard;

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
                api::task_definition(td, &out.json, &mut found.schema);
            }
            _ => api::output(out.kind, &out.json, &mut found.schema),
        }
    }
    found
}

/// Every output against the rules ECS enforces server-side
/// ([`crate::ecs::rules`]): an error for each broken one, at the service
/// whose container breaks it (its overlay entry, where grouping is said,
/// else its compose definition).
pub(crate) fn rules_broken(
    task_definitions: &IndexMap<String, TaskDefinition>,
    services: &IndexMap<String, ServiceDefinition>,
    jobs: &IndexMap<String, RunTask>,
    placements: &IndexMap<String, Placement>,
    project: &Project,
    overlay: &LoadedOverlay,
    sink: &mut Sink,
) {
    for (family, td) in task_definitions {
        let mut found = rules::task_definition(td);
        found.extend(rules::started(td, services.get(family), jobs.get(family)));
        for b in found {
            // `started` rules are the CLI's to refuse (a task definition
            // alone is a normal output); the missing-network note says so.
            if b.rule == "awsvpc-network-configuration" {
                continue;
            }
            let index: usize = b
                .path
                .strip_prefix("containerDefinitions[")
                .and_then(|r| r.split(']').next())
                .and_then(|i| i.parse().ok())
                .unwrap_or(0);
            let container = td.container_definitions.get(index).map(|c| c.name.as_str());
            let service = placements
                .iter()
                .find(|(_, p)| p.family == *family && Some(p.container.as_str()) == container)
                .map(|(s, _)| s.as_str());
            let at = service.and_then(|s| {
                overlay
                    .service_locs
                    .get(s)
                    .or_else(|| project.services.get(s).map(|s| &s.loc))
            });
            let rule = crate::ecs::rules::rule(b.rule);
            sink.push(
                Diagnostic::error(
                    Code::EcsRule,
                    format!(
                        "ECS would refuse `{family}`: {} (the rule: {})",
                        b.what,
                        rule.map_or("", |r| r.rule)
                    ),
                )
                .with_path(service.map_or_else(|| b.path.clone(), |s| format!("services.{s}")))
                .at(at)
                .with_help(format!(
                    "{} (rule `{}` in docs/ecs-rules.md)",
                    rule.map_or("", |r| r.source),
                    b.rule
                )),
            );
        }
    }
}
