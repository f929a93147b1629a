//! Scheduled tasks: `services.<name>.schedule` in the overlay makes a task
//! an EventBridge Scheduler schedule (`<family>.schedule.json`) that starts
//! it on its clock, instead of an ECS service.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::arn::{self, Arn};
use crate::ecs::schedule::{
    EcsParameters, FlexibleTimeWindow, ScheduleAwsVpc, ScheduleNetwork, ScheduleTarget,
    expression_problem,
};
use crate::ecs::{Schedule, TaskDefinition};
use crate::model::Project;
use crate::overlay::LoadedOverlay;

use super::plan::TaskPlan;
use super::{Platform, Tasks};

/// `EcsParameters.TaskCount`: "The number of tasks to create … The default
/// value is 1. Valid Range: Minimum value of 1. Maximum value of 10."
const MAX_COUNT: u32 = 10;

/// The schedule of a task whose owner has `schedule` in the overlay; `None`
/// (with the reasons in `sink`) when it cannot run as one.
pub(super) fn schedule(
    project: &Project,
    overlay: &LoadedOverlay,
    platform: Platform,
    plan: &TaskPlan<'_>,
    tasks: &Tasks<'_>,
    td: &TaskDefinition,
    sink: &mut Sink,
) -> Option<Schedule> {
    let owner = &plan.owner.name;
    let settings = plan.settings?;
    let expression = settings.schedule.as_ref()?;
    let o = &overlay.overlay;
    let at = overlay.value_loc(&["services", owner, "schedule"]);
    let path = format!("services.{owner}.schedule");
    let error = |message: String, help: String| {
        Diagnostic::error(Code::InvalidSchedule, message)
            .with_path(&path)
            .at(at)
            .with_help(help)
    };
    let before = sink.error_count();
    if let Some(problem) = expression_problem(expression) {
        sink.push(error(
            format!("`{expression}` is not a schedule expression: {problem}"),
            "see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"
                .to_owned(),
        ));
    }
    // Scheduler starts the task alone, on its clock: nothing is started
    // first, and nothing can wait for it.
    for member in &plan.members {
        for dep in member.depends_on.iter().filter(|d| !d.implied) {
            if tasks.task_of.get(dep.service.as_str()) == Some(&owner.as_str()) {
                continue;
            }
            sink.push(
                Diagnostic::error(
                    Code::InvalidSchedule,
                    format!(
                        "`{owner}` runs on a schedule, and EventBridge Scheduler starts it alone on its clock: it cannot wait for `{}` (`depends_on`)",
                        dep.service
                    ),
                )
                .with_path(&dep.path)
                .at(Some(&dep.loc))
                .with_help(format!(
                    "move `depends_on` into a compose file only your laptop reads (`docker compose -f compose.yaml -f compose.dev.yaml up`), or drop `services.{owner}.schedule`"
                )),
            );
        }
    }
    for service in project.services.values() {
        if tasks.task_of.get(service.name.as_str()) == Some(&owner.as_str()) {
            continue;
        }
        if let Some(dep) = service
            .depends_on
            .iter()
            .find(|d| tasks.task_of.get(d.service.as_str()) == Some(&owner.as_str()))
        {
            sink.push(error(
                format!(
                    "`{}` depends on `{}`, which runs on a schedule only: at deploy time nothing would start it for `{}` to wait for",
                    service.name, dep.service, service.name
                ),
                if dep.condition == "service_completed_successfully" {
                    format!("a job others wait for stays a job: drop `services.{owner}.schedule`, or give the schedule a service of its own")
                } else {
                    format!("drop `services.{owner}.schedule`, or the dependency (`{}`)", dep.path)
                },
            ));
        }
    }
    for (key, what) in [
        ("desired_count", "keeps no tasks running"),
        ("load_balancer", "registers with no target group"),
        ("scaling", "has no ECS service to scale"),
        ("deployment", "has no ECS service to deploy"),
        ("job", "is started by its schedule, not run once by deploy"),
    ] {
        let set = match key {
            "job" => settings.job == Some(true),
            _ => overlay.key_loc(&["services", owner, key]).is_some(),
        };
        if set {
            sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("`{owner}` runs on a schedule: it {what}"),
                )
                .with_path(format!("services.{owner}.{key}"))
                .at(overlay.key_loc(&["services", owner, key]))
                .with_help(format!("remove `{key}`, or `schedule`")),
            );
        }
    }
    let region = o.region.as_deref();
    let role = settings
        .roles
        .as_ref()
        .and_then(|r| r.scheduler.as_deref())
        .or(o.roles.scheduler.as_deref());
    let role_arn = role
        .and_then(Arn::parse)
        .filter(|a| a.service == "iam" && a.has_account_id() && a.resource.starts_with("role/"));
    match (role, role_arn) {
        (None, _) => sink.push(error(
            format!("`{owner}` runs on a schedule, and EventBridge Scheduler needs a role to start it with"),
            "set `roles.scheduler: arn:aws:iam::<account>:role/<name>` in compose2ecs.yaml: a role Scheduler may assume (`scheduler.amazonaws.com`) with `ecs:RunTask` and `iam:PassRole` on the task's roles (`compose2ecs policy --scheduler` prints it)".to_owned(),
        )),
        (Some(r), None) => sink.push(error(
            format!("`roles.scheduler` is `{r}`, not the ARN of an IAM role"),
            "`arn:aws:iam::123456789012:role/ecsSchedulerRole`".to_owned(),
        )),
        _ => {}
    }
    if region.is_none() {
        sink.push(error(
            format!("`{owner}` runs on a schedule, whose target is the cluster's ARN, and no region is known"),
            "set `region:` in compose2ecs.yaml".to_owned(),
        ));
    }
    if sink.error_count() > before {
        return None;
    }
    let (region, role_arn) = (region?, role_arn?);
    let cluster = o.cluster.as_deref().unwrap_or("default");
    let cluster_arn = if Arn::parse(cluster).is_some() {
        cluster.to_owned()
    } else {
        arn::format(
            "ecs",
            region,
            role_arn.account,
            &format!("cluster/{cluster}"),
        )
    };
    let count = plan
        .owner
        .replicas
        .as_ref()
        .map_or(1, |r| r.value.clamp(1, MAX_COUNT));
    let network = super::service::network_configuration(o, platform).map(|n| ScheduleNetwork {
        awsvpc_configuration: ScheduleAwsVpc {
            subnets: n.awsvpc_configuration.subnets,
            security_groups: n.awsvpc_configuration.security_groups,
            assign_public_ip: n.awsvpc_configuration.assign_public_ip,
        },
    });
    Some(Schedule {
        name: td.family.clone(),
        schedule_expression: expression.clone(),
        schedule_expression_timezone: settings.schedule_timezone.clone(),
        flexible_time_window: FlexibleTimeWindow {
            mode: "OFF".to_owned(),
        },
        target: ScheduleTarget {
            arn: cluster_arn,
            role_arn: role.unwrap_or_default().to_owned(),
            ecs_parameters: EcsParameters {
                task_definition_arn: arn::format(
                    "ecs",
                    region,
                    role_arn.account,
                    &format!("task-definition/{}", td.family),
                ),
                task_count: count,
                launch_type: platform.launch_type.as_str().to_owned(),
                network_configuration: network,
                propagate_tags: None,
                tags: Vec::new(),
                ..EcsParameters::default()
            },
        },
        state: "ENABLED".to_owned(),
        description: format!(
            "compose2ecs: service `{owner}` of the compose project `{}`",
            project.name
        ),
    })
}
