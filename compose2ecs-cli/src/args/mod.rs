//! The command line: every command and flag (`help.rs`: the long help).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod help;

use help::{
    AFTER_HELP, BUILD_HELP, CONVERT_HELP, DEPLOY_HELP, DOWN_HELP, EXEC_HELP, INIT_HELP, LOGS_HELP,
    PLAN_HELP, PS_HELP, PUSH_HELP, REGISTER_HELP, RUN_HELP, SCALE_HELP,
};

/// Convert Docker Compose files into Amazon ECS task definitions that
/// `aws ecs register-task-definition --cli-input-json` accepts.
#[derive(Debug, Parser)]
#[command(name = "compose2ecs", version, about, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write `<family>.task-definition.json` (register-task-definition input)
    /// and `<family>.service.json` (create-service input) per ECS task, or
    /// `<family>.run-task.json` (run-task input) for a one-shot job.
    #[command(after_help = CONVERT_HELP)]
    Convert(ConvertArgs),
    /// Convert, then register each task definition with `aws ecs
    /// register-task-definition`; prints each registered task definition's
    /// ARN (`…:task-definition/<family>:<revision>`).
    #[command(after_help = REGISTER_HELP)]
    Register(RegisterArgs),
    /// Build the images of the services compose builds, with `docker buildx
    /// bake`: tagged as the task definitions run them, for the tasks'
    /// platform.
    #[command(after_help = BUILD_HELP)]
    Build(BuildArgs),
    /// Push the built images: create the ECR repositories that are missing,
    /// log Docker in, push, and record each image's digest.
    #[command(after_help = PUSH_HELP)]
    Push(PushArgs),
    /// Register each task definition, create its ECS service or update it to
    /// the new revision, and watch the rollout until it completes.
    #[command(after_help = DEPLOY_HELP)]
    Deploy(DeployArgs),
    /// Run one task of a compose service to completion, as `docker compose
    /// run` does: register its task definition, `aws ecs run-task` (with the
    /// command given after `--`), wait for it to stop, and exit with the
    /// container's exit code.
    #[command(after_help = RUN_HELP)]
    Run(RunArgs),
    /// Show what `deploy` would change against the live account: per
    /// family, the task definition's changed members, the service settings,
    /// jobs and schedules, and the monthly cost. Exit status 3 when
    /// something would change.
    #[command(after_help = PLAN_HELP)]
    Plan(PlanArgs),
    /// Print the CloudWatch log lines of the project's services, as `docker
    /// compose logs` does: interleaved by time, each prefixed with its
    /// service; `--follow` keeps printing new lines.
    #[command(after_help = LOGS_HELP)]
    Logs(LogsArgs),
    /// List the project's services on ECS, as `docker compose ps` does:
    /// desired, running and pending tasks, rollout, revision, image and
    /// health; then the jobs' and scheduled tasks' last runs.
    #[command(after_help = PS_HELP)]
    Ps(PsArgs),
    /// Open a shell (or run a command) in a running task of a service, with
    /// ECS Exec (`aws ecs execute-command --interactive`).
    #[command(after_help = EXEC_HELP)]
    Exec(ExecArgs),
    /// Set services' desired counts (`web=3 worker=1`), within their
    /// scaling limits.
    #[command(after_help = SCALE_HELP)]
    Scale(ScaleArgs),
    /// Remove what `deploy` created for this project, and only what carries
    /// its `compose2ecs:project` tag: services (drained), scalable targets
    /// and policies, schedules; with --deregister, task definition
    /// revisions.
    #[command(after_help = DOWN_HELP)]
    Down(DownArgs),
    /// Print the IAM policy the task execution role needs for exactly this
    /// project: image pulls, log writes, secret reads (`--scheduler`: the
    /// policy of `roles.scheduler`, which starts the scheduled tasks;
    /// `--task-role`: what the task role needs for ECS Exec).
    Policy(PolicyArgs),
    /// Write a commented compose2ecs.yaml for this project, pre-filled from
    /// it: the region from the environment, a placeholder for every AWS fact
    /// it needs (roles, network, registry, secret ARNs) and its services.
    /// Never overwrites a file.
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Print the compose project as compose2ecs reads it, like `docker
    /// compose config`: files merged, includes and extends resolved,
    /// variables interpolated, anchors expanded, inactive profiles left out.
    Config(ConfigArgs),
    /// Print a shell completion script: `compose2ecs completions bash >
    /// /etc/bash_completion.d/compose2ecs`, or `… zsh > "${fpath[1]}/_compose2ecs"`,
    /// `… fish > ~/.config/fish/completions/compose2ecs.fish`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (roff) into DIR, one per command, as committed
    /// in docs/man/: `compose2ecs man ~/.local/share/man/man1`.
    Man {
        /// The directory (created when missing).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print a JSON Schema: `task-definition`, `service`, `run-task`,
    /// `scaling` and `schedule` (the API inputs every output is checked
    /// against), `overlay` (compose2ecs.yaml, for editors) or `compose` (the
    /// pinned Compose Specification schema).
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
}

impl Command {
    /// The conversion options of a command that converts the project
    /// (`--format`, `--strict`, the files); `None` for the others.
    pub(crate) fn conversion(&self) -> Option<&ConversionArgs> {
        Some(match self {
            Command::Convert(a) => &a.conversion,
            Command::Register(a) => &a.conversion,
            Command::Deploy(a) => &a.conversion,
            Command::Run(a) => &a.conversion,
            Command::Logs(a) => &a.conversion,
            Command::Plan(a) => &a.conversion,
            Command::Build(a) => &a.conversion,
            Command::Push(a) => &a.conversion,
            Command::Policy(a) => &a.conversion,
            Command::Ps(a) => &a.conversion,
            Command::Exec(a) => &a.conversion,
            Command::Scale(a) => &a.conversion,
            Command::Down(a) => &a.conversion,
            Command::Config(_)
            | Command::Init(_)
            | Command::Schema { .. }
            | Command::Completions { .. }
            | Command::Man { .. } => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SchemaKind {
    TaskDefinition,
    Service,
    RunTask,
    Scaling,
    Schedule,
    Overlay,
    Compose,
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    #[command(flatten)]
    pub(crate) project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ConfigFormat::Yaml)]
    pub(crate) format: ConfigFormat,
    /// Hide notes; show only warnings and errors.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Target {
    /// The ECS API inputs, a JSON file per call.
    Ecs,
    /// One CloudFormation template.
    Cloudformation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ConfigFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ProjectArgs {
    /// Compose file; repeat to merge several, later ones winning. Default:
    /// the files of COMPOSE_FILE, else the first of compose.yaml,
    /// compose.yml, docker-compose.yaml, docker-compose.yml in the current
    /// directory, with its override file (compose.override.yaml, …) when
    /// there is one.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Project name (default: COMPOSE_PROJECT_NAME, else `name:` in the
    /// compose file, else the directory's name).
    #[arg(short = 'p', long = "project-name", value_name = "NAME")]
    pub(crate) project_name: Option<String>,
    /// Read variables from this file instead of `.env`; repeatable.
    #[arg(long = "env-file", value_name = "FILE")]
    pub(crate) env_files: Vec<PathBuf>,
    /// Activate a profile; repeatable; `*` activates all. Services with
    /// profiles run only when one of theirs is active. Default: the
    /// comma-separated COMPOSE_PROFILES.
    #[arg(long = "profile", value_name = "NAME")]
    pub(crate) profiles: Vec<String>,
}

/// What `convert` and `register` share: the inputs and how to report.
#[derive(Debug, Args)]
pub(crate) struct ConversionArgs {
    #[command(flatten)]
    pub(crate) project: ProjectArgs,
    /// The AWS overlay (roles, network, secrets, sizes); repeat to merge
    /// several, later ones winning (mappings by key, as compose files).
    /// Default: compose2ecs.yaml beside the first compose file, when it
    /// exists.
    #[arg(long = "overlay", value_name = "FILE")]
    pub(crate) overlays: Vec<PathBuf>,
    /// The environment: compose2ecs.NAME.yaml, beside the (first) overlay,
    /// merged over it (`init --env NAME` writes one).
    #[arg(short = 'e', long = "env", value_name = "NAME")]
    pub(crate) env: Option<String>,
    /// Treat warnings as errors: exit 1 and write (or register) nothing.
    #[arg(long)]
    pub(crate) strict: bool,
    /// How diagnostics are printed on stderr: `human` (rustc-style, with the
    /// source line) or `json` (one JSON object per line, for CI).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub(crate) format: MessageFormat,
    /// Hide notes; show only warnings and errors.
    #[arg(short, long)]
    pub(crate) quiet: bool,
    /// Run the images recorded here by digest (`compose2ecs push` writes
    /// it: `{"web": "<repository>@sha256:…"}`), over `image:` and the
    /// overlay.
    #[arg(long, value_name = "FILE")]
    pub(crate) image_digests: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    /// Directory for the output files.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "ecs"
    )]
    pub(crate) output: PathBuf,
    /// What to write: the ECS API inputs (`ecs`: a JSON file per call,
    /// for `deploy` and `aws … --cli-input-json`), or one CloudFormation
    /// template of the whole project (`cloudformation`:
    /// `<project>.cloudformation.yaml`, for `aws cloudformation deploy` or a
    /// CDK app's `CfnInclude`).
    #[arg(long, value_enum, default_value_t = Target::Ecs)]
    pub(crate) target: Target,
    /// With --target cloudformation: the template as YAML
    /// (`<project>.cloudformation.yaml`) or JSON
    /// (`<project>.cloudformation.json`). (`--format` is the format of the
    /// messages, as for every command.)
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ConfigFormat::Yaml)]
    pub(crate) template_format: ConfigFormat,
    /// Print one task definition (with --target cloudformation: the
    /// template) to stdout instead of writing files.
    #[arg(long, conflicts_with = "check")]
    pub(crate) stdout: bool,
    /// Write nothing; compare with the files already in the output
    /// directory and exit 1 with a diff when they differ (for CI).
    #[arg(long)]
    pub(crate) check: bool,
    /// With --stdout: the family to print (needed when there are several).
    #[arg(long, value_name = "NAME")]
    pub(crate) family: Option<String>,
    /// Also print what each task costs on FARGATE: a service's month, a
    /// job's or scheduled task's task-hour (the shipped us-east-1 prices,
    /// or the overlay's `pricing`).
    #[arg(long)]
    pub(crate) cost: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
    /// Show the plan first (as `compose2ecs plan` does), and run the live
    /// revision of a task definition that would not change instead of
    /// registering an equal one.
    #[arg(long)]
    pub(crate) plan: bool,
    /// Build and push the images first (`compose2ecs build`, `push`), and
    /// deploy them by digest (unless `images.pin_digests: false`).
    #[arg(long)]
    pub(crate) build: bool,
    /// With --build: the Docker CLI to run.
    #[arg(long, value_name = "PATH", default_value = "docker")]
    pub(crate) docker: PathBuf,
    /// Take over services of the same name that this project did not
    /// create (no `compose2ecs:project` tag of its own): update them and tag
    /// them as this project's. Without it, deploy refuses before any change.
    #[arg(long)]
    pub(crate) adopt: bool,
    /// Return once the services are created or updated; do not watch.
    #[arg(long)]
    pub(crate) no_wait: bool,
    /// Seconds to watch the rollout before giving up (exit 1).
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    pub(crate) timeout: f64,
    /// Seconds between two looks at the rollout.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub(crate) interval: f64,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    /// The compose service to run.
    #[arg(value_name = "SERVICE")]
    pub(crate) service: String,
    /// The command instead of the service's `command`, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<String>,
    /// The AWS CLI to run. It runs in your AWS environment as it is
    /// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
    /// Print the `aws` commands (with the JSON inline) instead of running
    /// them.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Seconds to wait for the task to stop before giving up (exit 1; the
    /// task goes on running).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600.0)]
    pub(crate) timeout: f64,
    /// Seconds between two looks at the task.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub(crate) interval: f64,
}

/// What `build` and `push` share: which services, and which Docker.
#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// The compose services. Default: every service with `build:`.
    #[arg(value_name = "SERVICE")]
    pub(crate) services: Vec<String>,
    /// The Docker CLI to run (with Buildx).
    #[arg(long, value_name = "PATH", default_value = "docker")]
    pub(crate) docker: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) images: ImageArgs,
    /// Print the bake override and the command instead of running it.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) images: ImageArgs,
    /// The AWS CLI to run (ECR repositories and login).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
    /// Where to record the pushed images by digest.
    #[arg(long, value_name = "FILE", default_value = "ecs/image-digests.json")]
    pub(crate) digests: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    /// Only this family; repeatable. Default: every family.
    #[arg(long = "family", value_name = "NAME")]
    pub(crate) families: Vec<String>,
    /// The AWS CLI to run. It runs in your AWS environment as it is
    /// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct LogsArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    /// The compose services whose lines to print. Default: every service.
    #[arg(value_name = "SERVICE")]
    pub(crate) services: Vec<String>,
    /// Keep printing new lines as they arrive (`-f` is `--file` here).
    #[arg(long)]
    pub(crate) follow: bool,
    /// Only lines since this long ago (`30s`, `10m`, `2h`, `7d`) or this UTC
    /// time (`2026-12-03T08:00:00Z`).
    #[arg(long, value_name = "WHEN")]
    pub(crate) since: Option<String>,
    /// Print each line's time (UTC).
    #[arg(short, long)]
    pub(crate) timestamps: bool,
    /// With --follow: seconds between two looks.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0)]
    pub(crate) interval: f64,
    /// The AWS CLI to run. It runs in your AWS environment as it is
    /// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    #[command(flatten)]
    pub(crate) project: ProjectArgs,
    /// Where to write it. Default: compose2ecs.yaml beside the first compose
    /// file.
    #[arg(long, value_name = "FILE")]
    pub(crate) overlay: Option<PathBuf>,
    /// Write an environment's overlay instead, compose2ecs.NAME.yaml beside
    /// the base one: what differs there (subnets, sizes, counts, secret
    /// ARNs), for `--env NAME`.
    #[arg(short = 'e', long = "env", value_name = "NAME")]
    pub(crate) env: Option<String>,
    /// The AWS CLI that looks up the subnets of Docker's `x-aws-vpc`, when
    /// the compose file has one (`aws ec2 describe-subnets`).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    /// The policy of the role EventBridge Scheduler starts the scheduled
    /// tasks with (`roles.scheduler`; its trust policy names
    /// `scheduler.amazonaws.com`), instead of the execution role's.
    #[arg(long, conflicts_with = "task_role")]
    pub(crate) scheduler: bool,
    /// What the task role needs besides the application's own permissions:
    /// the Session Manager channels of ECS Exec (`exec: true`).
    #[arg(long)]
    pub(crate) task_role: bool,
}

/// The AWS CLI, as the commands that call it take it.
#[derive(Debug, Args)]
pub(crate) struct CliArgs {
    /// The AWS CLI to run. It runs in your AWS environment as it is
    /// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct PsArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) cli: CliArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) cli: CliArgs,
    /// The compose service whose task to enter.
    #[arg(value_name = "SERVICE")]
    pub(crate) service: String,
    /// The task (its ID or ARN). Default: the first running task.
    #[arg(long, value_name = "TASK")]
    pub(crate) task: Option<String>,
    /// The container. Default: the compose service's own.
    #[arg(long, value_name = "NAME")]
    pub(crate) container: Option<String>,
    /// The command, after `--`. Default: `sh`.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<String>,
    /// The Session Manager plugin `aws` starts the session with.
    #[arg(long, value_name = "PATH", default_value = "session-manager-plugin")]
    pub(crate) session_manager_plugin: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ScaleArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) cli: CliArgs,
    /// `SERVICE=COUNT`, one or more.
    #[arg(value_name = "SERVICE=N", required = true)]
    pub(crate) counts: Vec<String>,
    /// Print the `aws` commands instead of running them.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DownArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) cli: CliArgs,
    /// Do not ask: remove at once (needed when stdin is not a terminal).
    #[arg(short, long)]
    pub(crate) yes: bool,
    /// Say what would be removed, and remove nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Also deregister the families' task definition revisions.
    #[arg(long)]
    pub(crate) deregister: bool,
    /// Seconds to wait for the services to drain.
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    pub(crate) timeout: f64,
}

#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    #[command(flatten)]
    pub(crate) conversion: ConversionArgs,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
}

/// What `register` and `deploy` share: which families, which `aws`, or
/// only print the commands.
#[derive(Debug, Args)]
pub(crate) struct AwsArgs {
    /// Only this family; repeatable. Default: every family.
    #[arg(long = "family", value_name = "NAME")]
    pub(crate) families: Vec<String>,
    /// The AWS CLI to run. It runs in your AWS environment as it is
    /// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    pub(crate) aws_cli: PathBuf,
    /// Print the `aws` commands (with the JSON inline) instead of running
    /// them.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    Human,
    Json,
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_line_is_consistent() {
        // clap checks names, short options and conflicts only when asked
        // (or when the command runs): every subcommand, here.
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }
}
