//! `compose2ecs deploy`: in the order the compose services depend on each
//! other, register each task definition; run each job to completion
//! (`steps/jobs.rs`), or create its ECS service or make the existing one
//! match the service definition (`steps/service.rs`); and watch the
//! rollouts until every deployment is COMPLETED, one FAILED, or the timeout
//! passes (`steps/rollout.rs`). The log groups come first when the overlay
//! gives them a retention (`steps/retention.rs`). Everything goes through
//! the real `aws` CLI, with the project's region, as `register` does.

use std::path::Path;
use std::time::{Duration, Instant};

use compose2ecs_core::Conversion;
use serde_json::Value;

use crate::args::DeployArgs;
use crate::aws::{Aws, AwsError};
use crate::context::{Context, scratch};
use crate::outcome::{Ended, Outcome};
use crate::report::Reporter;
use crate::steps::jobs;
use crate::steps::rollout::{Clock, Rollout, State, watch};
use crate::steps::service::{Reuse, deploy_one, register, said_registered};
use crate::steps::{calls, scaling};

/// What the `--format json` dry run says of the order of the calls.
const DRY_RUN_NOTE: &str = "update-service runs when describe-services finds the service ACTIVE, else create-service; each stage starts when the jobs of the one before have succeeded and its services have completed their rollout";

pub(crate) fn run(args: &DeployArgs) -> Ended {
    let mut ctx = Context::resolve(&args.conversion, &args.aws.families, None)?;
    let reporter = ctx.reporter;
    let dry_run = args.aws.dry_run;
    // Docker's `x-aws-vpc`: the subnets of `network.vpc`, looked up.
    let subnets = crate::steps::vpc::subnets(&ctx, &args.aws.aws_cli, dry_run)?;
    crate::steps::vpc::place(&mut ctx, &subnets)?;
    let chosen = ctx.chosen(&args.aws.families)?;
    placed_or_refused(&ctx, &chosen)?;
    if !dry_run {
        // Before anything changes, images included.
        let names: Vec<&str> = chosen.iter().map(String::as_str).collect();
        let aws = ctx.quiet_aws(&args.aws.aws_cli);
        strangers_or_refused(&aws, &ctx.conversion, &names, args.adopt, reporter)?;
    }
    if args.build && !dry_run {
        build_and_push(args, &mut ctx, &subnets)?;
    }
    let aws = ctx.aws(&args.aws.aws_cli, dry_run);
    let conversion = &ctx.conversion;
    let families: Vec<&str> = chosen.iter().map(String::as_str).collect();
    let stages = conversion.stages(&families);
    if dry_run {
        if args.build {
            reporter.progress("--build with --dry-run: `compose2ecs build --dry-run` shows the build; the calls below run the tags, which a real --build replaces by the pushed digests");
        }
        let calls = calls::deploy(conversion, &stages);
        return Ok(calls::show(&aws, &calls, reporter, Some(DRY_RUN_NOTE)));
    }
    crate::steps::capability::check(&aws, conversion, &families, false)
        .map_err(|m| reporter.fail(&m))?;
    let reuse = if args.plan {
        crate::steps::plan::show(&aws, conversion, &families, reporter)
            .map_err(|e| reporter.fail(&format!("reading the live state failed: {e}")))?
    } else {
        Reuse::new()
    };
    let dir = scratch(reporter)?;
    let lines = crate::steps::retention::apply(&aws, conversion, &families)
        .map_err(|e| reporter.fail(&format!("setting the log groups' retention failed: {e}")))?;
    lines.iter().for_each(|l| reporter.progress(l));
    let mut d = Deployment {
        aws: &aws,
        dir: dir.path(),
        conversion,
        reuse,
        reporter,
        clock: Clock {
            deadline: Instant::now() + Duration::from_secs_f64(args.timeout),
            timeout: args.timeout,
            interval: Duration::from_secs_f64(args.interval),
        },
        rollouts: Vec::new(),
        ran: Vec::new(),
        scheduled: Vec::new(),
        changed: lines,
        ok: true,
    };
    let all = d.all(&stages, args.no_wait);
    if all.is_err() || !d.ok {
        d.say_changed();
    }
    all?;
    if reporter.json {
        let _ = crate::report::document(&d.document(args.no_wait));
    }
    Ok(if d.ok {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}

/// A service of the same name that this project did not create is left
/// alone, before any change: refused, or with `--adopt` taken over (the
/// update tags it as this project's), each said.
fn strangers_or_refused(
    aws: &Aws,
    conversion: &Conversion,
    families: &[&str],
    adopt: bool,
    reporter: Reporter,
) -> Result<(), Outcome> {
    let strangers = crate::steps::service::strangers(aws, conversion, families).map_err(|e| {
        reporter.fail(&format!(
            "reading the live services failed: {e}; nothing was changed"
        ))
    })?;
    if strangers.is_empty() {
        return Ok(());
    }
    if adopt {
        for s in &strangers {
            reporter.progress(&format!(
                "adopting {s}: deploy updates it and tags it as this project's"
            ));
        }
        return Ok(());
    }
    Err(reporter.fail(&format!(
        "{}; deploy changes no service it did not create, and nothing was changed. To take it over, deploy with --adopt (it updates the service and tags it as this project's); or remove or rename the other service",
        strangers.join("; ")
    )))
}

/// ECS refuses an awsvpc service or task without subnets (create-service,
/// run-task): said before any call.
fn placed_or_refused(ctx: &Context, chosen: &[String]) -> Result<(), Outcome> {
    let conversion = &ctx.conversion;
    let unplaced: Vec<&str> = chosen
        .iter()
        .filter(|f| {
            conversion.task_definitions[*f].network_mode == "awsvpc"
                && conversion
                    .run_task(f)
                    .is_some_and(|r| r.network_configuration.is_none())
        })
        .map(String::as_str)
        .collect();
    if unplaced.is_empty() {
        return Ok(());
    }
    Err(ctx.reporter.fail(&format!(
            "{} use the awsvpc network mode and have no network configuration, which ECS requires to create a service or run a task; set `network: {{subnets: [subnet-…], security_groups: [sg-…]}}` in compose2ecs.yaml",
            unplaced.join(", ")
        ),
    ))
}

/// `--build`: the images built and pushed, then the project converted
/// again to run them by digest (unless `images.pin_digests: false`).
fn build_and_push(args: &DeployArgs, ctx: &mut Context, subnets: &[String]) -> Result<(), Outcome> {
    use crate::steps::images;
    let reporter = ctx.reporter;
    let (targets, files) = images::targets(ctx, &[])?;
    let docker = crate::docker::Docker {
        bin: args.docker.clone(),
    };
    let digests = images::build(&docker, &files, &targets, reporter)
        .and_then(|()| {
            images::push(
                &docker,
                &args.aws.aws_cli,
                &targets,
                &ctx.conversion,
                reporter,
            )
        })
        .map_err(|m| reporter.fail(&m))?;
    if ctx.conversion.overlay.images.pin_digests == Some(false) {
        reporter.progress("images.pin_digests is false: the task definitions run the tags");
        return Ok(());
    }
    ctx.conversion = ctx.reconvert(Some(digests), subnets)?;
    Ok(())
}

/// A deployment under way: what it has started, and whether all went well.
struct Deployment<'a> {
    aws: &'a Aws,
    dir: &'a Path,
    conversion: &'a Conversion,
    reuse: Reuse,
    reporter: Reporter,
    clock: Clock,
    rollouts: Vec<Rollout>,
    /// The jobs run, for the `--format json` result.
    ran: Vec<Value>,
    /// The schedules applied, likewise.
    scheduled: Vec<Value>,
    /// What it changed so far, in order: said when it fails.
    changed: Vec<String>,
    ok: bool,
}

impl Deployment<'_> {
    /// Every stage in order, each started when the one before is up; then,
    /// unless `no_wait`, the last rollouts watched to their end. `Err`: the
    /// AWS CLI is not there at all.
    fn all(&mut self, stages: &[Vec<&str>], no_wait: bool) -> Result<(), Outcome> {
        for (i, stage) in stages.iter().enumerate() {
            let first = self.rollouts.len();
            let mut started = Vec::new();
            for family in stage {
                if let Err(e) = self.family(family, &mut started) {
                    self.ok = false;
                    self.reporter
                        .error(&format!("deploying `{family}` failed: {e}"));
                    if matches!(e, AwsError::Missing(_)) {
                        return Err(Outcome::Rejected);
                    }
                }
            }
            self.wait_for_jobs(&started);
            let last = i + 1 == stages.len();
            // What later stages depend on must be up first, --no-wait or not.
            if self.ok && !last && self.rollouts.len() > first {
                self.ok = watch(
                    self.aws,
                    &mut self.rollouts[first..],
                    &self.clock,
                    self.reporter,
                );
            }
            if !self.ok {
                let left: Vec<&str> = stages[i + 1..].iter().flatten().copied().collect();
                if !left.is_empty() {
                    self.reporter.error(&format!(
                        "nothing after it was deployed: {}",
                        left.join(", ")
                    ));
                }
                return Ok(());
            }
        }
        if self.ok && !no_wait && self.rollouts.iter().any(|r| r.state == State::InProgress) {
            self.ok = watch(self.aws, &mut self.rollouts, &self.clock, self.reporter);
        }
        if self.ok && !no_wait {
            self.reporter.done(if self.rollouts.is_empty() {
                "every job succeeded"
            } else {
                "every deployment completed"
            });
        }
        Ok(())
    }

    /// One family: its schedule applied, its job started (into `started`),
    /// or its service created or updated (and its scaling applied).
    fn family(
        &mut self,
        family: &str,
        started: &mut Vec<(String, jobs::Started)>,
    ) -> Result<(), AwsError> {
        let (aws, dir, conversion, reporter) = (self.aws, self.dir, self.conversion, self.reporter);
        let (arn, revision) = register(aws, dir, conversion, family, &self.reuse)?;
        said_registered(reporter, &self.reuse, family, &revision, &arn);
        if !self.reuse.contains_key(family) {
            self.changed.push(format!("registered {revision}"));
        }
        if let Some(schedule) = conversion.schedules.get(family) {
            let line = scaling::apply_schedule(aws, dir, schedule, &arn)?;
            reporter.progress(&line);
            self.changed.push(line);
            self.scheduled.push(serde_json::json!({
                "family": family, "revision": revision, "schedule": schedule.name,
                "expression": schedule.schedule_expression,
            }));
        } else if let Some(input) = conversion.jobs.get(family) {
            let s = jobs::start(aws, dir, input, &revision, None)?;
            reporter.progress(&format!("started job {revision}: {}", s.tasks.join(", ")));
            self.changed.push(format!("started job {revision}"));
            started.push((revision, s));
        } else {
            let r = deploy_one(aws, dir, family, conversion, (arn, revision))?;
            reporter.progress(&r.line);
            self.changed.push(r.line.clone());
            self.rollouts.push(r);
            // After the service exists: its scalable target needs it.
            if let Some(s) = conversion.scaling.get(family) {
                let line = scaling::apply_scaling(aws, dir, family, s)?;
                reporter.progress(&line);
                self.changed.push(line);
            }
        }
        Ok(())
    }

    /// When it failed: what it had already changed, in its region, so that
    /// nothing it did goes unsaid (a revision registered before a later
    /// call failed, a service updated before its tagging was refused).
    fn say_changed(&self) {
        let region = self
            .aws
            .region
            .as_deref()
            .unwrap_or("the AWS CLI's default region");
        self.reporter.error(&if self.changed.is_empty() {
            format!("deploy changed nothing in {region}")
        } else {
            format!(
                "what deploy had already changed in {region}: {}",
                self.changed.join("; ")
            )
        });
    }

    /// The jobs of a stage, each waited for and judged by its essential
    /// containers' exit codes.
    fn wait_for_jobs(&mut self, started: &[(String, jobs::Started)]) {
        let (aws, reporter, clock) = (self.aws, self.reporter, &self.clock);
        for (revision, s) in started {
            let td = &self.conversion.task_definitions[&s.family];
            let (state, code) = match jobs::wait(aws, s, clock.deadline, clock.interval, reporter) {
                Err(m) => {
                    reporter.error(&m);
                    ("timed-out", None)
                }
                Ok(stopped) if jobs::failures(td, &stopped).is_empty() => {
                    reporter.progress(&format!("job {revision} succeeded"));
                    ("succeeded", Some(0))
                }
                Ok(stopped) => {
                    let what = format!("the job {revision}");
                    jobs::report_failure(aws, td, &stopped, &what, reporter);
                    let code = td
                        .container_definitions
                        .iter()
                        .filter(|c| c.essential)
                        .find_map(|c| jobs::exit_code(&stopped, &c.name).filter(|c| *c != 0));
                    ("failed", code)
                }
            };
            self.ok &= state == "succeeded";
            self.ran.push(serde_json::json!({
                "family": s.family, "revision": revision, "tasks": s.tasks,
                "state": state, "exitCode": code,
            }));
        }
    }

    /// The `--format json` result.
    fn document(&self, no_wait: bool) -> Value {
        let services: Vec<Value> = self
            .rollouts
            .iter()
            .map(|r| {
                let state = match &r.state {
                    State::InProgress if no_wait => "started".to_owned(),
                    State::InProgress => "in-progress".to_owned(),
                    State::Completed => "completed".to_owned(),
                    State::Failed(reason) => format!("failed: {reason}"),
                };
                serde_json::json!({
                    "cluster": r.cluster, "service": r.service, "revision": r.revision,
                    "arn": r.arn, "state": state,
                })
            })
            .collect();
        let status = match (self.ok, no_wait) {
            (false, _) => "failed",
            (true, true) => "started",
            (true, false) => "completed",
        };
        serde_json::json!({
            "status": status,
            "region": self.aws.region,
            "jobs": self.ran,
            "schedules": self.scheduled,
            "services": services,
            "errors": crate::report::errors(),
        })
    }
}
