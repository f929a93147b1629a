//! `compose2ecs`: Docker Compose files in, Amazon ECS task definitions out.

mod aws;
mod check;
mod deploy;
mod register;
mod render;
mod write;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use compose2ecs_core::{Conversion, Environment, Input, Options, Severity};
use render::Reporter;

const AFTER_HELP: &str = "\
Examples:
  compose2ecs convert                  # compose.yaml + compose2ecs.yaml -> ecs/
  compose2ecs convert -f compose.yaml -f compose.prod.yaml -o deploy/
  compose2ecs convert --check -o ecs   # CI: fail when ecs/ is stale
  compose2ecs convert --stdout --family shop-web \\
      | aws ecs register-task-definition --cli-input-json file:///dev/stdin
  compose2ecs deploy                   # register, create or update, watch
  compose2ecs policy                   # the execution role's IAM policy
  compose2ecs config --format json     # the merged, interpolated project
  compose2ecs schema overlay           # for editors (yaml-language-server)

Exit status: 0 success, 1 input rejected (nothing written) or an AWS call
failed, 2 usage error.";

const REGISTER_HELP: &str = "\
Examples:
  compose2ecs register               # every family, with your `aws`
  AWS_PROFILE=prod compose2ecs register --family shop-web
  compose2ecs register --dry-run     # the aws commands, nothing run

Exit status: 0 all registered, 1 input rejected or a registration failed (the others are still reported).";

const DEPLOY_HELP: &str = "\
Examples:
  compose2ecs deploy                 # register, create or update, watch
  compose2ecs deploy --family shop-web --timeout 900
  compose2ecs deploy --no-wait       # return once the services are updated
  compose2ecs deploy --dry-run       # the aws commands, nothing run

Exit status: 0 every deployment completed (or, with --no-wait, was started), 1 input rejected,
a call failed, a deployment FAILED, or the timeout passed.";

/// Convert Docker Compose files into Amazon ECS task definitions that
/// `aws ecs register-task-definition --cli-input-json` accepts.
#[derive(Debug, Parser)]
#[command(name = "compose2ecs", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write `<family>.task-definition.json` (register-task-definition input)
    /// and `<family>.service.json` (create-service input) per ECS task.
    #[command(after_help = AFTER_HELP)]
    Convert(ConvertArgs),
    /// Convert, then register each task definition with `aws ecs
    /// register-task-definition`; prints each registered task definition's
    /// ARN (`…:task-definition/<family>:<revision>`).
    #[command(after_help = REGISTER_HELP)]
    Register(RegisterArgs),
    /// Register each task definition, create its ECS service or update it to
    /// the new revision, and watch the rollout until it completes.
    #[command(after_help = DEPLOY_HELP)]
    Deploy(DeployArgs),
    /// Print the IAM policy the task execution role needs for exactly this
    /// project: image pulls, log writes, secret reads.
    Policy(PolicyArgs),
    /// Print the compose project as compose2ecs reads it, like `docker
    /// compose config`: files merged, includes and extends resolved,
    /// variables interpolated, anchors expanded, inactive profiles left out.
    Config(ConfigArgs),
    /// Print a JSON Schema: `task-definition` and `service` (the ECS inputs
    /// every output is checked against), `overlay` (compose2ecs.yaml, for
    /// editors) or `compose` (the pinned Compose Specification schema).
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SchemaKind {
    TaskDefinition,
    Service,
    Overlay,
    Compose,
}

#[derive(Debug, Args)]
struct ConfigArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ConfigFormat::Yaml)]
    format: ConfigFormat,
    /// Hide notes; show only warnings and errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ConfigFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
struct ProjectArgs {
    /// Compose file; repeat to merge several, later ones winning. Default:
    /// the files of COMPOSE_FILE, else the first of compose.yaml,
    /// compose.yml, docker-compose.yaml, docker-compose.yml in the current
    /// directory, with its override file (compose.override.yaml, …) when
    /// there is one.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Project name (default: `name:` in the compose file, else the
    /// directory's name).
    #[arg(short = 'p', long = "project-name", value_name = "NAME")]
    project_name: Option<String>,
    /// Read variables from this file instead of `.env`; repeatable.
    #[arg(long = "env-file", value_name = "FILE")]
    env_files: Vec<PathBuf>,
    /// Activate a profile; repeatable; `*` activates all. Services with
    /// profiles run only when one of theirs is active. Default: the
    /// comma-separated COMPOSE_PROFILES.
    #[arg(long = "profile", value_name = "NAME")]
    profiles: Vec<String>,
}

/// What `convert` and `register` share: the inputs and how to report.
#[derive(Debug, Args)]
struct ConversionArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The AWS overlay (roles, network, secrets, sizes). Default:
    /// compose2ecs.yaml beside the first compose file, when it exists.
    #[arg(long, value_name = "FILE")]
    overlay: Option<PathBuf>,
    /// Treat warnings as errors: exit 1 and write (or register) nothing.
    #[arg(long)]
    strict: bool,
    /// How diagnostics are printed on stderr: `human` (rustc-style, with the
    /// source line) or `json` (one JSON object per line, for CI).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    format: MessageFormat,
    /// Hide notes; show only warnings and errors.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct ConvertArgs {
    #[command(flatten)]
    conversion: ConversionArgs,
    /// Directory for the output files.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "ecs"
    )]
    output: PathBuf,
    /// Print one task definition to stdout instead of writing files.
    #[arg(long, conflicts_with = "check")]
    stdout: bool,
    /// Write nothing; compare with the files already in the output
    /// directory and exit 1 with a diff when they differ (for CI).
    #[arg(long)]
    check: bool,
    /// With --stdout: the family to print (needed when there are several).
    #[arg(long, value_name = "NAME", requires = "stdout")]
    family: Option<String>,
}

#[derive(Debug, Args)]
struct DeployArgs {
    #[command(flatten)]
    conversion: ConversionArgs,
    #[command(flatten)]
    aws: AwsArgs,
    /// Return once the services are created or updated; do not watch.
    #[arg(long)]
    no_wait: bool,
    /// Seconds to watch the rollout before giving up (exit 1).
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    timeout: f64,
    /// Seconds between two looks at the rollout.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    interval: f64,
}

#[derive(Debug, Args)]
struct PolicyArgs {
    #[command(flatten)]
    conversion: ConversionArgs,
}

#[derive(Debug, Args)]
struct RegisterArgs {
    #[command(flatten)]
    conversion: ConversionArgs,
    #[command(flatten)]
    aws: AwsArgs,
}

/// What `register` and `deploy` share: which families, which `aws`, or
/// only print the commands.
#[derive(Debug, Args)]
struct AwsArgs {
    /// Only this family; repeatable. Default: every family.
    #[arg(long = "family", value_name = "NAME")]
    families: Vec<String>,
    /// The AWS CLI to run. It runs in your AWS environment as it is
    /// (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, …).
    #[arg(long, value_name = "PATH", default_value = "aws")]
    aws_cli: PathBuf,
    /// Print the `aws` commands (with the JSON inline) instead of running
    /// them.
    #[arg(long)]
    dry_run: bool,
}

impl AwsArgs {
    /// The families to work on, in project order; an unknown `--family` is
    /// reported with the families there are.
    fn chosen<'c>(
        &self,
        reporter: Reporter,
        conversion: &'c Conversion,
    ) -> Result<Vec<&'c String>, Outcome> {
        let all: Vec<&String> = conversion.task_definitions.keys().collect();
        if let Some(f) = self
            .families
            .iter()
            .find(|f| !conversion.task_definitions.contains_key(*f))
        {
            let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
            reporter.error(&format!(
                "no family `{f}`; this project has: {}",
                names.join(", ")
            ));
            return Err(Outcome::Rejected);
        }
        Ok(all
            .into_iter()
            .filter(|f| self.families.is_empty() || self.families.contains(f))
            .collect())
    }

    /// A directory for the JSON handed to `aws`, removed when dropped.
    fn scratch(reporter: Reporter) -> Result<tempfile::TempDir, Outcome> {
        tempfile::tempdir().map_err(|e| {
            reporter.error(&format!("cannot create a temporary directory: {e}"));
            Outcome::Rejected
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

/// Every way the program ends; the one place exit codes are decided.
enum Outcome {
    Success,
    Rejected,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Rejected => ExitCode::from(1),
        }
    }
}

fn main() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Convert(args) => run_convert(&args),
        Command::Register(args) => register::run(&args),
        Command::Deploy(args) => deploy::run(&args),
        Command::Policy(args) => match converted(&args.conversion) {
            Ok((_, _, conversion)) => {
                let policy = compose2ecs_core::policy::execution_role_policy(
                    conversion.task_definitions.values(),
                    conversion.overlay.kms_key.as_deref(),
                );
                write::stdout(format!("{policy:#}\n").as_bytes())
            }
            Err(o) => o,
        },
        Command::Config(args) => run_config(&args),
        Command::Schema { which } => write::stdout(
            match which {
                SchemaKind::TaskDefinition => {
                    compose2ecs_core::validate::TASK_DEFINITION_SCHEMA.to_owned()
                }
                SchemaKind::Service => compose2ecs_core::validate::SERVICE_SCHEMA.to_owned(),
                SchemaKind::Overlay => compose2ecs_core::overlay::json_schema(),
                SchemaKind::Compose => compose2ecs_core::schema::COMPOSE_SPEC_SCHEMA.to_owned(),
            }
            .as_bytes(),
        ),
    };
    outcome.into()
}

const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The compose files to read: `-f`, else COMPOSE_FILE, else the default
/// file of the current directory and its override file, as docker compose
/// finds them.
fn discover(files: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if !files.is_empty() {
        return Ok(files.to_vec());
    }
    if let Some(list) = std::env::var_os("COMPOSE_FILE").filter(|v| !v.is_empty()) {
        let list = list.to_string_lossy().into_owned();
        let separator = std::env::var("COMPOSE_PATH_SEPARATOR")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                if cfg!(windows) {
                    ";".into()
                } else {
                    ":".into()
                }
            });
        return Ok(list
            .split(separator.as_str())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect());
    }
    let base = DEFAULT_FILES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "no compose file given and none found here (looked for {}); pass one with -f",
                DEFAULT_FILES.join(", ")
            )
        })?;
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let override_file = ["yaml", "yml"]
        .iter()
        .map(|ext| PathBuf::from(format!("{stem}.override.{ext}")))
        .find(|p| p.is_file());
    Ok(std::iter::once(base).chain(override_file).collect())
}

fn fail(reporter: Reporter, message: &str) -> Outcome {
    reporter.error(message);
    Outcome::Rejected
}

fn load_input(
    reporter: Reporter,
    project: &ProjectArgs,
    overlay: Option<&Path>,
) -> Result<Input, Outcome> {
    let files = discover(&project.files).map_err(|m| fail(reporter, &m))?;
    let env: Environment = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    match Input::from_files(&files, overlay, env, &project.env_files) {
        Ok(mut input) => {
            input.project_name = project.project_name.clone();
            Ok(input)
        }
        Err(e) => {
            reporter.diagnostics(None, e.diagnostics());
            reporter.rejected(e.errors().count());
            Err(Outcome::Rejected)
        }
    }
}

fn default_overlay(project: &ProjectArgs) -> Option<PathBuf> {
    let first = discover(&project.files).ok()?.into_iter().next()?;
    let candidate = first
        .parent()
        .unwrap_or(Path::new(""))
        .join("compose2ecs.yaml");
    candidate.is_file().then_some(candidate)
}

fn run_config(args: &ConfigArgs) -> Outcome {
    let reporter = Reporter {
        json: false,
        quiet: args.quiet,
    };
    let input = match load_input(reporter, &args.project, None) {
        Ok(i) => i,
        Err(o) => return o,
    };
    let options = Options::default().with_profiles(args.project.profiles.iter().cloned());
    match compose2ecs_core::config(&input, &options) {
        Ok((tree, diagnostics)) => {
            reporter.diagnostics(Some(&input), &diagnostics);
            let text = match args.format {
                ConfigFormat::Yaml => serde_norway::to_string(&tree.to_yaml()).unwrap_or_default(),
                ConfigFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&tree.to_json()).unwrap_or_default();
                    s.push('\n');
                    s
                }
            };
            write::stdout(text.as_bytes())
        }
        Err(e) => {
            reporter.diagnostics(Some(&input), e.diagnostics());
            Outcome::Rejected
        }
    }
}

/// Loads, converts and reports: the part `convert` and `register` share.
fn converted(args: &ConversionArgs) -> Result<(Reporter, Input, Conversion), Outcome> {
    let reporter = Reporter {
        json: args.format == MessageFormat::Json,
        quiet: args.quiet,
    };
    let overlay = args
        .overlay
        .clone()
        .or_else(|| default_overlay(&args.project));
    let input = load_input(reporter, &args.project, overlay.as_deref())?;
    let options = Options::default().with_profiles(args.project.profiles.iter().cloned());
    let conversion = match compose2ecs_core::convert(&input, &options) {
        Ok(c) => c,
        Err(e) => {
            reporter.diagnostics(Some(&input), e.diagnostics());
            reporter.rejected(e.errors().count());
            if reporter.json {
                let doc = serde_json::json!({
                    "status": "rejected",
                    "families": [],
                    "diagnostics": e.diagnostics().iter().map(render::diagnostic_json).collect::<Vec<_>>(),
                });
                let _ = write::stdout(format!("{doc:#}\n").as_bytes());
            }
            return Err(Outcome::Rejected);
        }
    };
    reporter.diagnostics(Some(&input), &conversion.diagnostics);
    let warnings = conversion
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if args.strict && warnings > 0 {
        reporter.strict(warnings);
        return Err(Outcome::Rejected);
    }
    Ok((reporter, input, conversion))
}

fn run_convert(args: &ConvertArgs) -> Outcome {
    let (reporter, _input, conversion) = match converted(&args.conversion) {
        Ok(c) => c,
        Err(o) => return o,
    };

    if args.stdout {
        let families: Vec<&String> = conversion.task_definitions.keys().collect();
        let chosen = match (&args.family, families.as_slice()) {
            (Some(f), _) => conversion.task_definitions.get(f).ok_or_else(|| {
                format!(
                    "no family `{f}`; this project has: {}",
                    families
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
            (None, [only]) => Ok(&conversion.task_definitions[*only]),
            (None, many) => Err(format!(
                "--stdout prints one task definition, and there are {}: {}; choose one with --family",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        return match chosen {
            Ok(td) => write::stdout(compose2ecs_core::to_json(td).as_bytes()),
            Err(m) => fail(reporter, &m),
        };
    }

    let mut files: Vec<(String, String)> = Vec::new();
    let mut families = Vec::new();
    for (family, td) in &conversion.task_definitions {
        let td_name = format!("{family}.task-definition.json");
        files.push((td_name.clone(), compose2ecs_core::to_json(td)));
        let mut entry = serde_json::json!({
            "family": family,
            "taskDefinition": args.output.join(&td_name).display().to_string(),
        });
        if let Some(service) = conversion.services.get(family) {
            let name = format!("{family}.service.json");
            entry["service"] = args.output.join(&name).display().to_string().into();
            files.push((name, compose2ecs_core::to_json(service)));
        }
        families.push(entry);
    }
    let diagnostics: Vec<serde_json::Value> = conversion
        .diagnostics
        .iter()
        .map(render::diagnostic_json)
        .collect();
    if args.check {
        let drift = check::compare(&args.output, &files);
        if reporter.json {
            let mut doc = drift.to_json();
            doc["status"] = if drift.is_clean() {
                "up-to-date"
            } else {
                "drift"
            }
            .into();
            doc["families"] = families.into();
            doc["diagnostics"] = diagnostics.into();
            let _ = write::stdout(format!("{doc:#}\n").as_bytes());
        }
        return check::report(&drift, &args.output, reporter);
    }
    match write::files_atomically(&args.output, &files) {
        Ok(paths) => {
            reporter.written(&paths);
            if reporter.json {
                let doc = serde_json::json!({
                    "status": "written",
                    "families": families,
                    "diagnostics": diagnostics,
                });
                return write::stdout(format!("{doc:#}\n").as_bytes());
            }
            Outcome::Success
        }
        Err(m) => fail(reporter, &m),
    }
}
