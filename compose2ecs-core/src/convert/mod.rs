//! Stage 5, **convert**: the typed project and the overlay into ECS task
//! definitions. One submodule per concern.

mod capacity;
mod container;
mod each;
mod health;
mod jobs;
mod keys;
mod logs;
mod plan;
mod ports;
mod registry;
mod roles;
mod scaling;
mod schedule;
mod secret_files;
pub(crate) mod secrets;
mod service;
mod size;
mod strategy;
mod tags;

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Sink, closest};
use crate::ecs::{
    ContainerDependency, RunTask, Scaling, Schedule, ServiceDefinition, TaskDefinition,
};
use crate::model::Project;
use plan::{TaskPlan, plan_tasks};

use crate::overlay::{LaunchType, LoadedOverlay, NetworkMode, Overlay};

/// What every container of a task shares.
#[derive(Debug)]
pub(super) struct Context<'a> {
    pub project: &'a Project,
    pub overlay: &'a Overlay,
    pub platform: Platform,
    pub family: &'a str,
    /// The compose service the task is named after.
    pub task_owner: &'a str,
    /// `services.<owner>.environment` of the overlay.
    pub task_env: Option<&'a BTreeMap<String, String>>,
}

/// The resolved platform settings every task shares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Platform {
    pub launch_type: LaunchType,
    pub network_mode: NetworkMode,
}

/// Converts a project; problems go to `sink`.
pub(crate) fn convert(project: &Project, overlay: &LoadedOverlay, sink: &mut Sink) -> Converted {
    if project.services.is_empty() {
        // docker compose reads such a project (`config` prints it); there is
        // nothing to run on ECS.
        sink.push(
            Diagnostic::error(
                Code::NoServices,
                "the project has no active service to convert",
            )
            .at(Some(&project.services_loc)),
        );
        return Converted::default();
    }
    let o = &overlay.overlay;
    let platform = Platform {
        launch_type: o.launch_type.unwrap_or_default(),
        network_mode: o.network_mode.unwrap_or_default(),
    };
    if platform.launch_type == LaunchType::Fargate && platform.network_mode != NetworkMode::Awsvpc {
        sink.push(
            Diagnostic::error(
                Code::IncompatibleSetting,
                format!(
                    "network_mode `{}` is not available on FARGATE, which only runs awsvpc tasks",
                    platform.network_mode.as_str()
                ),
            )
            .with_path("network_mode")
            .at(overlay.root_loc.as_ref())
            .with_help("remove `network_mode` from the overlay, or set `launch_type: EC2`"),
        );
        return Converted::default();
    }

    if o.logs.region.is_none() && o.region.is_none() {
        sink.push(
            Diagnostic::warning(
                Code::MissingRegion,
                "no AWS region is known, so containers get no awslogs log configuration",
            )
            .with_path("region")
            .at(overlay.root_loc.as_ref())
            .with_help("set `region:` (or `logs.region`) in compose2ecs.yaml"),
        );
    }

    check_overlay_entries(overlay, project, platform, sink);
    let plans = plan_tasks(project, overlay, sink);
    keys::shared_across_tasks(&plans, o, sink);
    let task_of = plan::task_of(&plans);
    let tasks = Tasks {
        jobs: jobs::jobs(project, overlay, &plans, &task_of, sink),
        task_of,
    };
    let n = plans.len();
    let mut out = IndexMap::with_capacity(n);
    let mut services = IndexMap::with_capacity(n);
    let mut run_tasks = IndexMap::new();
    let mut scaled = IndexMap::new();
    let mut schedules = IndexMap::new();
    let mut family_of: BTreeMap<&str, String> = BTreeMap::new();
    let mut built = Vec::with_capacity(n);
    let (each, families) = each::build(project, overlay, platform, plans, &tasks);
    for (plan, checked, made) in each {
        sink.append(checked);
        let Some(made) = made else {
            continue;
        };
        sink.append(made.found);
        let family = made.td.family.clone();
        match made.made {
            each::Made::Schedule(s) => {
                if let Some(s) = s {
                    schedules.insert(family.clone(), s);
                }
            }
            each::Made::Job(job) => {
                run_tasks.insert(family.clone(), job);
            }
            each::Made::Service(svc, scaling) => {
                if let Some(s) = scaling {
                    scaled.insert(family.clone(), s);
                }
                services.insert(family.clone(), *svc);
            }
        }
        family_of.insert(plan.owner.name.as_str(), family.clone());
        out.insert(family, made.td);
        built.push(plan);
    }
    let (placements, dependencies) = plan::placements(&built, &tasks, &family_of, &out);
    jobs::standalone_discovery(project, overlay, &built, &tasks, sink);
    if platform.network_mode == NetworkMode::Awsvpc
        && o.network.subnets.is_empty()
        && !out.is_empty()
    {
        let note = match &o.network.vpc {
            Some(vpc) => Diagnostic::note(
                Code::MissingNetwork,
                format!("the service definitions have no networkConfiguration: `compose2ecs deploy` looks up the subnets of `network.vpc` ({vpc}) and starts the tasks there"),
            )
            .with_help(format!("to use these files with `aws ecs create-service`, list the subnets (`aws ec2 describe-subnets --filters Name=vpc-id,Values={vpc}`) in `network.subnets`")),
            None => Diagnostic::note(
                Code::MissingNetwork,
                "the service definitions have no networkConfiguration: awsvpc services need subnets to run in",
            )
            .with_help("set `network: {subnets: [subnet-…], security_groups: [sg-…]}` in compose2ecs.yaml before `aws ecs create-service`"),
        };
        sink.push(note.with_path("network").at(overlay.root_loc.as_ref()));
    }
    if o.service_connect.is_none() && out.len() > 1 {
        sink.push(
            Diagnostic::note(
                Code::ServiceDiscovery,
                format!(
                    "{} tasks, and no `service_connect`: on ECS, compose service names such as `{}` do not resolve between tasks",
                    out.len(),
                    project.services.keys().next().map_or("db", String::as_str)
                ),
            )
            .with_path("service_connect")
            .at(overlay.root_loc.as_ref())
            .with_help("set `service_connect: {namespace: <Cloud Map namespace>}` in compose2ecs.yaml and give the ports a `name`: each service is then reachable by its compose name and port"),
        );
    } else if o.service_connect.is_some()
        && !services.values().any(|s: &ServiceDefinition| {
            s.service_connect_configuration
                .as_ref()
                .is_some_and(|c| !c.services.is_empty())
        })
    {
        sink.push(
            Diagnostic::note(
                Code::ServiceDiscovery,
                "`service_connect` is set, but no port has a `name`, so no service is published in the namespace (clients still join it)",
            )
            .with_path("service_connect")
            .at(overlay.key_loc(&["service_connect"]))
            .with_help("use the long port syntax with a name: ports: [{name: http, target: 8080}]"),
        );
    }
    let mut converted = Converted {
        task_definitions: out,
        services,
        jobs: run_tasks,
        scaling: scaled,
        schedules,
        dependencies,
        placements,
    };
    tags::apply(&project.name, overlay, &families, &mut converted, sink);
    capacity::apply(overlay, platform, &families, &mut converted, sink);
    converted
}

/// Whether the task `owner` names runs on a schedule.
fn scheduled(o: &Overlay, owner: &str) -> bool {
    o.services.get(owner).is_some_and(|s| s.schedule.is_some())
}

/// Which task each compose service runs in, and which tasks are jobs.
pub(super) struct Tasks<'a> {
    /// Compose service → the owner of its task.
    pub task_of: BTreeMap<&'a str, &'a str>,
    /// The owners of the tasks that are jobs.
    pub jobs: BTreeSet<&'a str>,
}

/// What [`convert`] produces: a task definition per task, and its ECS
/// service or, for a job, its `run-task` input.
#[derive(Debug, Default)]
pub(crate) struct Converted {
    pub task_definitions: IndexMap<String, TaskDefinition>,
    pub services: IndexMap<String, ServiceDefinition>,
    pub jobs: IndexMap<String, RunTask>,
    pub scaling: IndexMap<String, Scaling>,
    pub schedules: IndexMap<String, Schedule>,
    /// Family → the families it waits for.
    pub dependencies: IndexMap<String, Vec<String>>,
    /// Compose service → where it runs.
    pub placements: IndexMap<String, crate::ecs::Placement>,
}

/// Overlay entries that must name something of the project, and settings
/// that contradict each other.
fn check_overlay_entries(
    overlay: &LoadedOverlay,
    project: &Project,
    platform: Platform,
    sink: &mut Sink,
) {
    let o = &overlay.overlay;
    secrets::check_overlay(overlay, project, sink);
    logs::check_overlay(overlay, sink);
    for (name, v) in &o.volumes {
        let path = format!("volumes.{name}");
        if !project.volumes.contains_key(name) {
            let mut d = Diagnostic::error(
                Code::OverlayUnknownVolume,
                format!("the overlay configures volume `{name}`, which the compose file's top-level `volumes` does not define"),
            )
            .with_path(&path)
            .at(overlay.key_loc(&["volumes", name]));
            if let Some(best) = closest(name, project.volumes.keys().map(String::as_str)) {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
            sink.push(d);
        }
        if let Some(efs) = &v.efs {
            let needs_tls = efs.access_point.is_some() || efs.iam == Some(true);
            if needs_tls && efs.transit_encryption == Some(false) {
                sink.push(
                    Diagnostic::error(
                        Code::IncompatibleSetting,
                        "an EFS access point or IAM authorisation needs transit encryption",
                    )
                    .with_path(format!("{path}.efs.transit_encryption"))
                    .at(overlay.value_loc(&["volumes", name, "efs", "transit_encryption"]))
                    .with_help("remove `transit_encryption: false`"),
                );
            }
            if efs.access_point.is_some() && efs.root_directory.as_deref().is_some_and(|r| r != "/")
            {
                sink.push(
                    Diagnostic::error(
                        Code::IncompatibleSetting,
                        "with an EFS access point, the root directory is the access point's; `root_directory` must be `/` or left out",
                    )
                    .with_path(format!("{path}.efs.root_directory"))
                    .at(overlay.value_loc(&["volumes", name, "efs", "root_directory"])),
                );
            }
        }
    }
    if platform.network_mode != NetworkMode::Awsvpc
        && (!o.network.subnets.is_empty() || !o.network.security_groups.is_empty())
    {
        sink.push(
            Diagnostic::warning(
                Code::IncompatibleSetting,
                format!("`network` applies to awsvpc services only; with `network_mode: {}` it is not used", platform.network_mode.as_str()),
            )
            .with_path("network")
            .at(overlay.key_loc(&["network"])),
        );
    }
}

fn build_task(
    project: &Project,
    overlay: &LoadedOverlay,
    platform: Platform,
    plan: &TaskPlan<'_>,
    tasks: &Tasks<'_>,
    family: String,
    sink: &mut Sink,
) -> (TaskDefinition, String) {
    let o = &overlay.overlay;
    let essential: Option<BTreeSet<&str>> = plan
        .settings
        .and_then(|s| s.essential.as_ref())
        .map(|list| list.iter().map(String::as_str).collect());
    if let Some(list) = &essential {
        for name in list {
            if !plan.members.iter().any(|m| m.name == *name) {
                sink.push(
                    Diagnostic::error(
                        Code::OverlayUnknownService,
                        format!(
                            "`{name}` is listed as essential but is not a container of this task"
                        ),
                    )
                    .with_path(format!("services.{}.essential", plan.owner.name))
                    .at(overlay.service_locs.get(&plan.owner.name)),
                );
            }
        }
    }

    let ctx = Context {
        project,
        overlay: o,
        platform,
        family: &family,
        task_owner: &plan.owner.name,
        task_env: plan.settings.map(|s| &s.environment),
    };
    let mut containers = Vec::with_capacity(plan.members.len());
    let mut files = Vec::with_capacity(plan.members.len());
    for member in &plan.members {
        let (mut c, f) = container::build(&ctx, member, sink);
        files.push(f);
        c.essential = essential
            .as_ref()
            .is_none_or(|list| list.contains(member.name.as_str()));
        containers.push(c);
    }
    let names: BTreeMap<&str, String> = plan
        .members
        .iter()
        .zip(&containers)
        .map(|(m, c)| (m.name.as_str(), c.name.clone()))
        .collect();
    let mut extras = keys::TaskExtras::default();
    for (member, c) in plan.members.iter().zip(containers.iter_mut()) {
        let is_owner = member.name == plan.owner.name;
        keys::apply(platform, o, is_owner, member, c, &names, &mut extras, sink);
    }

    // depends_on: inside the task → dependsOn; elsewhere → a warning.
    for (i, member) in plan.members.iter().enumerate() {
        let mut deps = Vec::new();
        for dep in &member.depends_on {
            let target = plan.members.iter().position(|m| m.name == dep.service);
            match target {
                Some(t) => {
                    let target_service = plan.members[t];
                    let condition = match dep.condition.as_str() {
                        "service_healthy" => {
                            let has_check = target_service
                                .healthcheck
                                .as_ref()
                                .is_some_and(|h| h.test.is_some());
                            if !has_check {
                                sink.push(
                                    Diagnostic::error(
                                        Code::DependencyWithoutHealthcheck,
                                        format!("`{}` waits for `{}` to be healthy, but `{}` has no health check", member.name, dep.service, dep.service),
                                    )
                                    .with_path(&dep.path)
                                    .at(Some(&dep.loc))
                                    .with_help(format!("add a `healthcheck` to `{}`, or use `condition: service_started`", dep.service)),
                                );
                            }
                            "HEALTHY"
                        }
                        "service_completed_successfully" => {
                            if containers[t].essential {
                                sink.push(
                                    Diagnostic::error(
                                        Code::IncompatibleSetting,
                                        format!("`{}` waits for `{}` to complete, but ECS stops the task when an essential container exits", member.name, dep.service),
                                    )
                                    .with_path(&dep.path)
                                    .at(Some(&dep.loc))
                                    .with_help(format!("list the essential containers in the overlay without `{}`: services.{}.essential", dep.service, plan.owner.name)),
                                );
                            }
                            "SUCCESS"
                        }
                        _ => "START",
                    };
                    deps.push(ContainerDependency {
                        container_name: containers[t].name.clone(),
                        condition: condition.to_owned(),
                    });
                }
                // The key that implies it says what ECS does with it.
                None if dep.implied && project.services.contains_key(&dep.service) => {}
                // To or from a job: `deploy` runs the job to completion
                // after what it depends on, before what depends on it.
                None if tasks.jobs.contains(plan.owner.name.as_str())
                    || tasks
                        .task_of
                        .get(dep.service.as_str())
                        .is_some_and(|owner| tasks.jobs.contains(owner)) => {}
                // To or from a scheduled task: refused (`convert/schedule.rs`).
                None if scheduled(o, plan.owner.name.as_str())
                    || tasks
                        .task_of
                        .get(dep.service.as_str())
                        .is_some_and(|owner| scheduled(o, owner)) => {}
                None if project.services.contains_key(&dep.service) => sink.push(
                    Diagnostic::warning(
                        Code::CrossTaskDependency,
                        format!("`{}` depends on `{}`, which runs in another task: `compose2ecs deploy` starts `{}` first and waits for its rollout, but ECS does not order tasks after that, so `{}` is not held back when `{}` restarts", member.name, dep.service, dep.service, member.name, dep.service),
                    )
                    .with_path(&dep.path)
                    .at(Some(&dep.loc))
                    .with_help(format!("make `{}` retry while `{}` is unreachable, or run both in one task: `services.{}.containers: [{}, {}]` in the overlay", member.name, dep.service, plan.owner.name, plan.owner.name, dep.service)),
                ),
                // Not a service of the project: optional (`required:
                // false`), or the model has refused the project.
                None => {}
            }
        }
        containers[i].depends_on = deps;
    }
    registry::apply(
        overlay,
        plan.members.iter().map(|m| m.name.as_str()),
        &mut containers,
        sink,
    );
    secret_files::add_init_container(o, &mut containers, &files, &mut extras.volumes);

    // The owner's replicas are its ECS service's desiredCount; a member's
    // have nothing to apply to.
    for member in plan.members.iter().filter(|m| m.name != plan.owner.name) {
        if let Some(replicas) = &member.replicas {
            sink.push(
                Diagnostic::note(
                    Code::IgnoredKey,
                    format!(
                        "{} replica(s) of `{}` are not converted: it runs inside `{}`'s task, whose ECS service runs `{}`'s count",
                        replicas.value, member.name, plan.owner.name, plan.owner.name
                    ),
                )
                .with_path(&replicas.path)
                .at(Some(&replicas.loc)),
            );
        }
    }

    let (cpu, memory) = size::task_size(
        platform,
        plan.owner,
        plan.settings,
        &containers,
        overlay,
        sink,
    );

    let roles = plan.settings.and_then(|s| s.roles.as_ref());
    let execution_role_arn = roles
        .and_then(|r| r.execution.clone())
        .or_else(|| o.roles.execution.clone());
    roles::execution_role_needs(
        &family,
        platform,
        &containers,
        execution_role_arn.is_some(),
        overlay.root_loc.as_ref().unwrap_or(&plan.owner.loc),
        sink,
    );
    let owner_container = plan
        .members
        .iter()
        .zip(&containers)
        .find(|(m, _)| m.name == plan.owner.name)
        .map(|(_, c)| c.name.clone())
        .unwrap_or_default();
    let td = TaskDefinition {
        family,
        network_mode: platform.network_mode.as_str().to_owned(),
        requires_compatibilities: vec![platform.launch_type.as_str().to_owned()],
        cpu,
        memory,
        execution_role_arn,
        task_role_arn: roles
            .and_then(|r| r.task.clone())
            .or_else(|| o.roles.task.clone()),
        container_definitions: containers,
        pid_mode: extras.pid_mode,
        ipc_mode: extras.ipc_mode,
        runtime_platform: extras.runtime_platform,
        volumes: extras.volumes.into_values().collect(),
        tags: Vec::new(),
        ephemeral_storage: None,
    };
    (td, owner_container)
}
