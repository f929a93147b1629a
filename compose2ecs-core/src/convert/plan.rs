//! Which compose services share a task.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Sink, closest};
use crate::ecs::Placement;
use crate::ecs::TaskDefinition;
use crate::model::{Project, Service, Setting};
use crate::overlay::{LoadedOverlay, ServiceOverlay};

/// One task to build: the compose service it is named after, and its containers.
#[derive(Debug)]
pub(super) struct TaskPlan<'a> {
    pub owner: &'a Service,
    pub settings: Option<&'a ServiceOverlay>,
    pub members: Vec<&'a Service>,
}

/// Decides which compose services share a task: `services.<name>.containers`
/// in the overlay folds services into `<name>`'s task; every other service
/// gets a task of its own.
pub(super) fn plan_tasks<'a>(
    project: &'a Project,
    overlay: &'a LoadedOverlay,
    sink: &mut Sink,
) -> Vec<TaskPlan<'a>> {
    let o = &overlay.overlay;
    for name in o.services.keys() {
        if !project.services.contains_key(name) {
            let mut d = Diagnostic::error(
                Code::OverlayUnknownService,
                if project.inactive_services.contains(name) {
                    format!("the overlay configures service `{name}`, whose profiles are not active")
                } else {
                    format!("the overlay configures service `{name}`, which the compose project does not define")
                },
            )
            .with_path(format!("services.{name}"))
            .at(overlay.service_locs.get(name));
            if let Some(best) = closest(name, project.services.keys().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{best}`?"));
            } else if !project.inactive_services.contains(name) {
                let names: Vec<&str> = project.services.keys().map(String::as_str).collect();
                d = d.with_help(format!("the project's services: {}", names.join(", ")));
            }
            sink.push(d);
        }
    }

    // member -> owner
    let mut owner_of: BTreeMap<&str, &str> = BTreeMap::new();
    // `network_mode: service:<owner>` shares the owner's network namespace:
    // on ECS, a container of the owner's task.
    for (name, service) in &project.services {
        let Some(target) = service.others.iter().find_map(|o| match &o.setting {
            Setting::NetworkMode(v) => v.strip_prefix("service:"),
            _ => None,
        }) else {
            continue;
        };
        if let Some((owner, _)) = project.services.get_key_value(target) {
            if owner != name {
                owner_of.insert(name.as_str(), owner.as_str());
            }
        }
    }
    for (owner, settings) in &o.services {
        let Some(containers) = &settings.containers else {
            continue;
        };
        for member in containers {
            let path = format!("services.{owner}.containers");
            if !project.services.contains_key(member) {
                sink.push(
                    Diagnostic::error(
                        Code::OverlayUnknownService,
                        format!("`{owner}` groups `{member}`, which the compose project does not define (or whose profiles are not active)"),
                    )
                    .with_path(path)
                    .at(overlay.service_locs.get(owner)),
                );
                continue;
            }
            if member == owner {
                continue;
            }
            if let Some(previous) = owner_of.insert(member, owner) {
                sink.push(
                    Diagnostic::error(
                        Code::IncompatibleSetting,
                        format!("`{member}` is grouped into both `{previous}` and `{owner}`; a container belongs to one task"),
                    )
                    .with_path(path)
                    .at(overlay.service_locs.get(owner)),
                );
            }
        }
    }
    for (member, owner) in &owner_of {
        if owner_of.contains_key(owner) {
            sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("`{owner}` groups `{member}` but is itself grouped into another task"),
                )
                .with_path(format!("services.{owner}.containers"))
                .at(overlay.service_locs.get(*owner)),
            );
        }
        if o.services
            .get(*member)
            .is_some_and(|s| s.family.is_some() || s.cpu.is_some() || s.memory.is_some())
        {
            sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("`{member}` runs inside `{owner}`'s task, so its own family, cpu and memory settings have no task to apply to"),
                )
                .with_path(format!("services.{member}"))
                .at(overlay.service_locs.get(*member))
                .with_help(format!("set them on `services.{owner}` instead")),
            );
        }
    }

    let mut plans = Vec::new();
    for (name, service) in &project.services {
        if owner_of.contains_key(name.as_str()) {
            continue;
        }
        let settings = o.services.get(name);
        let mut members: Vec<&Service> = vec![service];
        if let Some(containers) = settings.and_then(|s| s.containers.as_ref()) {
            // The listed order, with the owner where it is listed (first otherwise).
            if containers.iter().any(|c| c == name) {
                members.clear();
            }
            for c in containers {
                if let Some(s) = project.services.get(c) {
                    if !members.iter().any(|m| m.name == s.name) {
                        members.push(s);
                    }
                }
            }
        }
        // Services grouped by `network_mode: service:<name>` join too.
        for (member, owner) in &owner_of {
            if *owner == name.as_str() && !members.iter().any(|m| m.name == *member) {
                if let Some(s) = project.services.get(*member) {
                    members.push(s);
                }
            }
        }
        plans.push(TaskPlan {
            owner: service,
            settings,
            members,
        });
    }
    plans
}

impl TaskPlan<'_> {
    /// The task's family: the overlay's `family`, else `<project>-<owner>`.
    pub(super) fn family(&self, project: &Project) -> String {
        self.settings
            .and_then(|s| s.family.clone())
            .unwrap_or_else(|| format!("{}-{}", project.name, self.owner.name))
    }
}

/// Compose service → the owner of the task it runs in.
pub(super) fn task_of<'a>(plans: &[TaskPlan<'a>]) -> BTreeMap<&'a str, &'a str> {
    plans
        .iter()
        .flat_map(|p| {
            p.members
                .iter()
                .map(move |m| (m.name.as_str(), p.owner.name.as_str()))
        })
        .collect()
}

/// Where each compose service runs (family and container), and the families
/// each family waits for: the tasks of what its services depend on
/// (`required` dependencies, explicit or implied), in the order written.
pub(super) fn placements(
    built: &[TaskPlan<'_>],
    tasks: &super::Tasks<'_>,
    family_of: &BTreeMap<&str, String>,
    out: &IndexMap<String, TaskDefinition>,
) -> (IndexMap<String, Placement>, IndexMap<String, Vec<String>>) {
    let mut placements = IndexMap::new();
    let mut dependencies: IndexMap<String, Vec<String>> = IndexMap::new();
    for plan in built {
        let Some(family) = family_of.get(plan.owner.name.as_str()) else {
            continue;
        };
        let td = &out[family];
        let mut after: Vec<String> = Vec::new();
        for (member, c) in plan.members.iter().zip(&td.container_definitions) {
            placements.insert(
                member.name.clone(),
                Placement {
                    family: family.clone(),
                    container: c.name.clone(),
                },
            );
            for dep in member.depends_on.iter().filter(|d| d.required) {
                let other = tasks
                    .task_of
                    .get(dep.service.as_str())
                    .and_then(|owner| family_of.get(owner));
                if let Some(other) = other.filter(|o| *o != family && !after.contains(o)) {
                    after.push(other.clone());
                }
            }
        }
        dependencies.insert(family.clone(), after);
    }
    (placements, dependencies)
}
