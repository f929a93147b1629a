//! Each task plan into its task definition and its service, job or
//! schedule. The family names are checked first, in order (unique, valid);
//! then the plans are built independently of each other, a large project's
//! on two cores, each keeping what it found apart; the caller puts it all
//! back in the order of the plans, so the diagnostics are those one core
//! gives, in the same order.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{RunTask, Scaling, Schedule, ServiceDefinition, TaskDefinition};
use crate::model::Project;
use crate::overlay::LoadedOverlay;

use super::plan::TaskPlan;
use super::{Platform, Tasks, build_task, jobs, scaling, schedule, scheduled, service};

/// What a plan becomes besides its task definition.
#[derive(Debug)]
pub(super) enum Made {
    Schedule(Option<Schedule>),
    Job(RunTask),
    Service(Box<ServiceDefinition>, Option<Scaling>),
}

/// One plan built, with what building it found.
#[derive(Debug)]
pub(super) struct Built {
    pub td: TaskDefinition,
    pub made: Made,
    pub found: Sink,
}

/// One plan, what checking its family found, and what it became (none
/// when its family is refused).
pub(super) type Each<'p> = (TaskPlan<'p>, Sink, Option<Built>);

/// Every plan, in order ([`Each`], taken one by one), and the families, each with the service
/// that owns it.
pub(super) fn build<'p>(
    project: &Project,
    overlay: &LoadedOverlay,
    platform: Platform,
    plans: Vec<TaskPlan<'p>>,
    tasks: &Tasks<'_>,
) -> (impl Iterator<Item = Each<'p>>, BTreeMap<String, String>) {
    let mut families: BTreeMap<String, String> = BTreeMap::new();
    let checked: Vec<(Sink, Option<String>)> = plans
        .iter()
        .map(|plan| {
            let mut sink = Sink::default();
            let family = family(project, overlay, plan, &mut families, &mut sink);
            (sink, family)
        })
        .collect();
    let one = |(plan, (_, family)): (&TaskPlan<'_>, &(Sink, Option<String>))| {
        family
            .as_ref()
            .map(|f| one(project, overlay, platform, plan, tasks, f.clone()))
    };
    let pairs: Vec<_> = plans.iter().zip(&checked).collect();
    let made = crate::halves::in_halves(&pairs, |share| share.iter().map(|p| one(*p)).collect());
    let each = plans
        .into_iter()
        .zip(checked)
        .zip(made)
        .map(|((plan, (sink, _)), made)| (plan, sink, made));
    (each, families)
}

/// The plan's family, when it is a valid ECS name no other plan has taken.
fn family(
    project: &Project,
    overlay: &LoadedOverlay,
    plan: &TaskPlan<'_>,
    families: &mut BTreeMap<String, String>,
    sink: &mut Sink,
) -> Option<String> {
    let family = plan.family(project);
    if !crate::ecs::is_ecs_name(&family) {
        sink.push(
            Diagnostic::error(
                Code::InvalidName,
                format!("family `{family}` is not a valid ECS name: up to 255 letters, digits, `-` and `_`"),
            )
            .with_path(format!("services.{}", plan.owner.name))
            .at(overlay
                .service_locs
                .get(&plan.owner.name)
                .or(Some(&plan.owner.loc)))
            .with_help("set `services.<name>.family` in the overlay"),
        );
        return None;
    }
    if let Some(other) = families.insert(family.clone(), plan.owner.name.clone()) {
        sink.push(
            Diagnostic::error(
                Code::DuplicateFamily,
                format!(
                    "services `{other}` and `{}` both produce the family `{family}`",
                    plan.owner.name
                ),
            )
            .at(overlay
                .service_locs
                .get(&plan.owner.name)
                .or(Some(&plan.owner.loc))),
        );
        return None;
    }
    Some(family)
}

/// One plan: its task definition, then its schedule, job or service.
fn one(
    project: &Project,
    overlay: &LoadedOverlay,
    platform: Platform,
    plan: &TaskPlan<'_>,
    tasks: &Tasks<'_>,
    family: String,
) -> Built {
    let o = &overlay.overlay;
    let mut found = Sink::default();
    let sink = &mut found;
    let (td, owner_container) = build_task(project, overlay, platform, plan, tasks, family, sink);
    let made = if scheduled(o, &plan.owner.name) {
        Made::Schedule(schedule::schedule(
            project, overlay, platform, plan, tasks, &td, sink,
        ))
    } else if tasks.jobs.contains(plan.owner.name.as_str()) {
        if overlay
            .key_loc(&["services", &plan.owner.name, "scaling"])
            .is_some()
        {
            sink.push(
                Diagnostic::error(
                    Code::InvalidScaling,
                    format!(
                        "`{}` is a job: it runs to completion, and has no ECS service to scale",
                        plan.owner.name
                    ),
                )
                .with_path(format!("services.{}.scaling", plan.owner.name))
                .at(overlay.key_loc(&["services", &plan.owner.name, "scaling"]))
                .with_help("remove `scaling`, or set `job: false` to run it as an ECS service"),
            );
        }
        Made::Job(jobs::run_task(overlay, platform, plan, &td, sink))
    } else {
        let svc = service::service_definition(
            overlay,
            platform,
            plan.owner,
            &owner_container,
            plan.settings,
            &td,
            sink,
        );
        let scaling = scaling::scaling(overlay, &plan.owner.name, plan.settings, &svc, sink);
        Made::Service(Box::new(svc), scaling)
    };
    Built { td, made, found }
}
