//! One-shot services: which tasks are jobs (`<family>.run-task.json`, run to
//! completion) rather than ECS services, which ECS would restart forever.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::ecs::{RunTask, STARTED_BY, TaskDefinition};
use crate::model::{Project, Service};
use crate::overlay::LoadedOverlay;

use super::Platform;
use super::plan::TaskPlan;

/// `RunTask` starts at most this many tasks per call ("You can specify up to
/// 10 tasks for each call", `RunTaskRequest.count`).
const MAX_COUNT: u32 = 10;

/// Why a task is a job.
enum Why<'a> {
    /// `services.<name>.job: true` in the overlay.
    Overlay,
    /// `restart: "no"` or `deploy.restart_policy.condition: none`.
    RunsOnce,
    /// A service of another task waits for it to complete.
    Awaited(&'a Service, &'a Location, &'a str),
}

/// The owners (compose service names) of the tasks that are jobs. Says why
/// for each, once; notes `restart` where it is not what makes a job.
pub(super) fn jobs<'a>(
    project: &'a Project,
    overlay: &LoadedOverlay,
    plans: &[TaskPlan<'a>],
    task_of: &BTreeMap<&'a str, &'a str>,
    sink: &mut Sink,
) -> BTreeSet<&'a str> {
    let mut jobs = BTreeSet::new();
    for plan in plans {
        let owner = plan.owner;
        // Its schedule starts it, once per run (`convert/schedule.rs`).
        if plan.settings.is_some_and(|s| s.schedule.is_some()) {
            continue;
        }
        let awaited =
            project.services.values().find_map(|s| {
                let dep = s.depends_on.iter().find(|d| {
                    d.service == owner.name && d.condition == "service_completed_successfully"
                })?;
                (task_of.get(s.name.as_str()) != Some(&owner.name.as_str()))
                    .then_some(Why::Awaited(s, &dep.loc, dep.path.as_str()))
            });
        // `restart: "no"` is also how a laptop project says "don't restart
        // my dev server" (awesome-compose's fastapi): a service that
        // publishes ports or has a health check serves, so it stays one.
        let serves =
            !owner.ports.is_empty() || owner.healthcheck.as_ref().is_some_and(|h| h.test.is_some());
        let why = match plan.settings.and_then(|s| s.job) {
            Some(true) => Some(Why::Overlay),
            Some(false) => None,
            None if awaited.is_some() => awaited,
            None if owner.runs_once() && !serves => Some(Why::RunsOnce),
            None => None,
        };
        let taken_for_server = why.is_none()
            && owner.runs_once()
            && serves
            && plan.settings.and_then(|s| s.job).is_none();
        if taken_for_server {
            if let Some(r) = &owner.restart {
                sink.push(
                    Diagnostic::note(
                        Code::OneShotJob,
                        format!("`{}` says it runs once (`{}: {}`), but it publishes ports or has a health check, so it is taken for a server: an ECS service, which restarts it when it stops", owner.name, r.path.rsplit('.').next().unwrap_or("restart"), r.value),
                    )
                    .with_path(&r.path)
                    .at(Some(&r.loc))
                    .with_help(format!("if it is a one-shot job, set `services.{}.job: true` in compose2ecs.yaml", owner.name)),
                );
            }
        }
        for member in &plan.members {
            // (`deploy.restart_policy` is noted with the other keys.)
            let Some(restart) = member
                .restart
                .as_ref()
                .filter(|r| r.path.ends_with(".restart"))
            else {
                continue;
            };
            if (why.is_some() || taken_for_server) && member.name == owner.name {
                continue;
            }
            sink.push(
                Diagnostic::note(
                    Code::IgnoredKey,
                    format!("`restart: {}` is not converted: the ECS service scheduler restarts stopped tasks", restart.value),
                )
                .with_path(&restart.path)
                .at(Some(&restart.loc)),
            );
        }
        let Some(why) = why else {
            continue;
        };
        let family = plan.family(project);
        let (because, path, at) = match &why {
            Why::Overlay => (
                "the overlay says so (`job: true`)".to_owned(),
                format!("services.{}.job", owner.name),
                overlay.value_loc(&["services", &owner.name, "job"]),
            ),
            Why::RunsOnce => {
                let r = owner.restart.as_ref();
                (
                    format!(
                        "it runs once (`{}: {}`)",
                        r.map_or("restart", |r| r
                            .path
                            .rsplit('.')
                            .next()
                            .unwrap_or("restart")),
                        r.map_or("no", |r| r.value.as_str())
                    ),
                    r.map_or_else(String::new, |r| r.path.clone()),
                    r.map(|r| &r.loc),
                )
            }
            Why::Awaited(waiter, loc, path) => (
                format!(
                    "`{}` waits for it to complete (`service_completed_successfully`)",
                    waiter.name
                ),
                (*path).to_owned(),
                Some(*loc),
            ),
        };
        let help = match why {
            Why::Overlay => "remove `job: true` to make it an ECS service".to_owned(),
            _ => format!(
                "to keep it an ECS service, set `services.{}.job: false` in compose2ecs.yaml",
                owner.name
            ),
        };
        sink.push(
            Diagnostic::note(
                Code::OneShotJob,
                format!(
                    "`{}` is a job, because {because}: it becomes `{family}.run-task.json` (the `aws ecs run-task` input) and no ECS service, which would restart it whenever it exits; `compose2ecs deploy` runs it to completion before what depends on it",
                    owner.name
                ),
            )
            .with_path(path)
            .at(at)
            .with_help(help),
        );
        jobs.insert(owner.name.as_str());
    }
    jobs
}

/// The job's `run-task` input, with what the overlay says of it that a job
/// cannot honour.
pub(super) fn run_task(
    overlay: &LoadedOverlay,
    platform: Platform,
    plan: &TaskPlan<'_>,
    td: &TaskDefinition,
    sink: &mut Sink,
) -> RunTask {
    let owner = plan.owner;
    let settings = plan.settings;
    let for_service = |key: &str, what: &str| {
        Diagnostic::error(
            Code::IncompatibleSetting,
            format!(
                "`{}` is a job: it runs to completion and has no ECS service {what}",
                owner.name
            ),
        )
        .with_path(format!("services.{}.{key}", owner.name))
        .at(overlay.key_loc(&["services", &owner.name, key]))
        .with_help(format!(
            "remove `{key}`, or set `services.{}.job: false` to run it as an ECS service",
            owner.name
        ))
    };
    if settings.is_some_and(|s| s.desired_count.is_some()) {
        sink.push(for_service("desired_count", "to keep tasks running"));
    }
    if settings.is_some_and(|s| s.deployment.is_some()) {
        sink.push(for_service("deployment", "to deploy tasks of"));
    }
    if settings.is_some_and(|s| s.load_balancer.is_some()) {
        sink.push(for_service(
            "load_balancer",
            "to register with a target group",
        ));
    }
    let mut count = owner.replicas.as_ref().map_or(1, |r| r.value.max(1));
    if count > MAX_COUNT {
        if let Some(r) = &owner.replicas {
            sink.push(
                Diagnostic::warning(
                    Code::ValueClamped,
                    format!("the job `{}` asks for {count} replicas; `run-task` starts at most {MAX_COUNT} tasks per call, so it starts {MAX_COUNT}", owner.name),
                )
                .with_path(&r.path)
                .at(Some(&r.loc)),
            );
        }
        count = MAX_COUNT;
    }
    RunTask {
        cluster: overlay.overlay.cluster.clone(),
        task_definition: td.family.clone(),
        count,
        launch_type: platform.launch_type.as_str().to_owned(),
        network_configuration: super::service::network_configuration(&overlay.overlay, platform),
        started_by: STARTED_BY.to_owned(),
        tags: Vec::new(),
        propagate_tags: None,
        capacity_provider_strategy: Vec::new(),
        platform_version: None,
    }
}

/// A job is a standalone task, and "only the tasks that Amazon ECS services
/// create are supported with Service Connect" (ECS API reference,
/// `ServiceConnectConfiguration`): a job that reaches another task's service
/// by its compose name cannot resolve it through the namespace.
pub(super) fn standalone_discovery(
    project: &Project,
    overlay: &LoadedOverlay,
    built: &[TaskPlan<'_>],
    tasks: &super::Tasks<'_>,
    sink: &mut Sink,
) {
    if overlay.overlay.service_connect.is_none() {
        return;
    }
    // A job the overlay gives an environment of its own (what the help
    // below asks for: the addresses it can resolve) is taken as answered.
    let addressed = |p: &&TaskPlan<'_>| p.settings.is_some_and(|s| !s.environment.is_empty());
    for plan in built
        .iter()
        .filter(|p| tasks.jobs.contains(p.owner.name.as_str()))
        .filter(|p| !addressed(p))
    {
        for member in &plan.members {
            for dep in &member.depends_on {
                let Some(owner) = tasks.task_of.get(dep.service.as_str()) else {
                    continue;
                };
                if *owner == plan.owner.name || tasks.jobs.contains(owner) {
                    continue;
                }
                if !project.services.contains_key(&dep.service) {
                    continue;
                }
                sink.push(
                    Diagnostic::warning(
                        Code::ServiceDiscovery,
                        format!(
                            "the job `{}` depends on `{}`, but a job is a standalone task and Service Connect serves only the tasks of ECS services: the name `{}` does not resolve in it",
                            plan.owner.name, dep.service, dep.service
                        ),
                    )
                    .with_path(&dep.path)
                    .at(Some(&dep.loc))
                    .with_help(format!(
                        "give the job an address it can resolve (a load balancer or a DNS name) in `services.{}.environment` of compose2ecs.yaml, or run it in `{}`'s task as a container that is not essential: `services.{}: {{containers: [{}, {}], essential: [{}]}}`",
                        plan.owner.name, dep.service, owner, owner, plan.owner.name, owner
                    )),
                );
            }
        }
    }
}
