//! `compose2ecs exec SERVICE [-- CMD…]`: a shell (or a command) in a
//! running task of a service, through ECS Exec — `aws ecs execute-command
//! --interactive`, which hands the session to the Session Manager plugin.
//! What ECS Exec needs and is missing is said before anything starts.

use std::process::Command;

use crate::args::ExecArgs;
use crate::context::Context;
use crate::outcome::{Ended, Outcome};
use crate::steps::family::{cluster_of, owner};

pub(crate) fn run(args: &ExecArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &[], None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let Some(placement) = conversion.placements.get(&args.service) else {
        let all: Vec<&str> = conversion.placements.keys().map(String::as_str).collect();
        return Err(reporter.fail(&format!(
            "no service `{}` in this project; it has: {}",
            args.service,
            all.join(", ")
        )));
    };
    let family = placement.family.clone();
    let Some(svc) = conversion.services.get(&family) else {
        return Err(reporter.fail(&format!(
                "`{}` runs as a job or on a schedule, not as an ECS service: there is no running task to enter (`compose2ecs run {} -- sh` starts one)",
                args.service, args.service
            ),
        ));
    };
    let name = owner(&conversion.task_definitions[&family]).to_owned();
    if svc.enable_execute_command != Some(true) {
        return Err(reporter.fail(&format!(
                "ECS Exec is not on for `{name}`: set `services.{name}.exec: true` in compose2ecs.yaml and deploy (new tasks get the agent), and give the task role what `compose2ecs policy --task-role` prints"
            ),
        ));
    }
    // The AWS CLI hands the session to the plugin: without it, it fails
    // only after the task's session has been opened.
    let plugin = Command::new(&args.session_manager_plugin)
        .arg("--version")
        .output();
    if plugin.is_err() {
        return Err(reporter.fail(&format!(
                "the Session Manager plugin (`{}`) was not found; ECS Exec needs it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
                args.session_manager_plugin.display()
            ),
        ));
    }
    let aws = ctx.aws(&args.cli.aws_cli, false);
    let cluster = cluster_of(conversion, &family);
    let task = match &args.task {
        Some(t) => t.clone(),
        None => {
            let listed = aws.json(&[
                "ecs",
                "list-tasks",
                "--cluster",
                &cluster,
                "--service-name",
                &svc.service_name,
                "--desired-status",
                "RUNNING",
            ]);
            match listed.map(|l| l["taskArns"][0].as_str().map(str::to_owned)) {
                Ok(Some(t)) => t,
                Ok(None) => {
                    return Err(reporter.fail(&format!(
                        "`{name}` has no running task ({}); `compose2ecs ps` shows its state",
                        svc.service_name
                    )));
                }
                Err(e) => {
                    return Err(reporter.fail(&format!("listing the tasks of {name} failed: {e}")));
                }
            }
        }
    };
    let container = args
        .container
        .clone()
        .unwrap_or_else(|| placement.container.clone());
    let command = if args.command.is_empty() {
        "sh".to_owned()
    } else {
        shell_words::join(&args.command)
    };
    let argv = aws.argv(&[
        "ecs",
        "execute-command",
        "--cluster",
        &cluster,
        "--task",
        &task,
        "--container",
        &container,
        "--interactive",
        "--command",
        &command,
    ]);
    reporter.progress(&format!(
        "exec in {container} of task {}",
        task.rsplit('/').next().unwrap_or(&task)
    ));
    // The session is the user's: the terminal is handed over as it is.
    match crate::aws::interactive(&argv) {
        Ok(s) => Ok(match s.code() {
            Some(0) => Outcome::Success,
            Some(code) => Outcome::Exit(u8::try_from(code).unwrap_or(1)),
            None => Outcome::Exit(1),
        }),
        Err(e) => Err(reporter.fail(&format!("cannot run `{}`: {e}", argv[0]))),
    }
}
