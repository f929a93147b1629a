//! [`Conversion`]: what a successful conversion hands back — the ECS
//! inputs by family, their order of deployment, and the diagnostics — apart
//! from the pipeline that makes it, so that what reads a conversion (the
//! CloudFormation target, the cost estimate) does not depend on the
//! pipeline, which calls them.

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, Sources};
use crate::ecs::{Placement, RunTask, Scaling, Schedule, ServiceDefinition, TaskDefinition};
use crate::overlay::Overlay;

/// A successful conversion.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Conversion {
    /// The compose project's name.
    pub project: String,
    /// The task definitions by family, in compose file order.
    pub task_definitions: IndexMap<String, TaskDefinition>,
    /// The ECS service of each task definition that is not a job, by
    /// family: the `aws ecs create-service --cli-input-json` input.
    pub services: IndexMap<String, ServiceDefinition>,
    /// The one-shot jobs, by family: the `aws ecs run-task --cli-input-json`
    /// input of each task definition that runs to completion instead of as
    /// an ECS service (`restart: "no"`, and what others wait for with
    /// `condition: service_completed_successfully`).
    pub jobs: IndexMap<String, RunTask>,
    /// The Application Auto Scaling of services, by family
    /// (`<family>.scaling.json`, from `services.<name>.scaling`): applied
    /// after the service exists.
    pub scaling: IndexMap<String, Scaling>,
    /// The scheduled tasks, by family: the EventBridge Scheduler
    /// `create-schedule` input of each task definition that runs on a
    /// schedule (`services.<name>.schedule`) rather than as an ECS service
    /// or a job.
    pub schedules: IndexMap<String, Schedule>,
    /// The families each family waits for: the tasks of what its compose
    /// services depend on. [`Conversion::stages`] orders a deployment by it.
    pub dependencies: IndexMap<String, Vec<String>>,
    /// Where each compose service runs: its family and its container.
    pub placements: IndexMap<String, Placement>,
    /// Warnings and notes, in the order they were found.
    pub diagnostics: Vec<Diagnostic>,
    /// The overlay the conversion used (all defaults when there was none).
    pub overlay: Overlay,
    /// The files read, to quote the lines the diagnostics point at.
    pub sources: Sources,
}

impl Conversion {
    /// `families` in the order a deployment starts them: each stage holds
    /// the families whose dependencies (among `families`) are all in earlier
    /// stages, in compose order. Families that wait for each other (tasks
    /// whose services depend on one another both ways) share the last
    /// stage.
    ///
    /// ```
    /// use compose2ecs_core::{Input, Options, convert};
    ///
    /// let input = Input::from_yaml(
    ///     "name: shop\nservices:\n  web:\n    image: app\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n  migrate:\n    image: app\n    command: [migrate]\n    depends_on: [db]\n  db:\n    image: postgres\n",
    /// );
    /// let conversion = convert(&input, &Options::default()).unwrap();
    /// let all: Vec<&str> = conversion.task_definitions.keys().map(String::as_str).collect();
    /// assert_eq!(
    ///     conversion.stages(&all),
    ///     [vec!["shop-db"], vec!["shop-migrate"], vec!["shop-web"]],
    /// );
    /// assert!(conversion.jobs.contains_key("shop-migrate"));
    /// assert!(!conversion.services.contains_key("shop-migrate"));
    /// ```
    pub fn stages<'a>(&self, families: &[&'a str]) -> Vec<Vec<&'a str>> {
        let mut left: Vec<&'a str> = families.to_vec();
        let mut done: Vec<&str> = Vec::new();
        let mut stages = Vec::new();
        while !left.is_empty() {
            let ready: Vec<&'a str> = left
                .iter()
                .copied()
                .filter(|f| {
                    self.dependencies.get(*f).is_none_or(|deps| {
                        deps.iter()
                            .all(|d| done.contains(&d.as_str()) || !families.contains(&d.as_str()))
                    })
                })
                .collect();
            let stage = if ready.is_empty() {
                std::mem::take(&mut left)
            } else {
                left.retain(|f| !ready.contains(f));
                ready
            };
            done.extend(stage.iter().copied());
            stages.push(stage);
        }
        stages
    }

    /// The log groups the tasks of `families` have created: those of their
    /// awslogs containers with `awslogs-create-group` (the overlay's
    /// `logs.create_group`), each once, in compose order. `deploy` creates
    /// them first when the overlay gives them a `logs.retention_days`; the
    /// CloudFormation target makes them resources of the stack.
    pub fn created_log_groups(&self, families: &[&str]) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        let containers = families
            .iter()
            .filter_map(|f| self.task_definitions.get(*f))
            .flat_map(|td| &td.container_definitions);
        for log in containers.filter_map(|c| c.log_configuration.as_ref()) {
            let created = log.options.get("awslogs-create-group").map(String::as_str);
            if log.log_driver == "awslogs" && created == Some("true") {
                if let Some(group) = log.options.get("awslogs-group") {
                    if !groups.contains(&group.as_str()) {
                        groups.push(group);
                    }
                }
            }
        }
        groups
    }

    /// The `run-task` input that starts one task of `family`: the job's
    /// own, or one where the family's ECS service runs its tasks (cluster,
    /// launch type, network), for a one-off task as `docker compose run`
    /// starts.
    pub fn run_task(&self, family: &str) -> Option<RunTask> {
        self.jobs
            .get(family)
            .map(|j| RunTask {
                count: 1,
                ..j.clone()
            })
            .or_else(|| self.services.get(family).map(RunTask::like))
            .or_else(|| self.schedules.get(family).map(RunTask::scheduled))
    }
}
