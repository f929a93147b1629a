//! `compose2ecs convert`: write `<family>.task-definition.json` and
//! `<family>.service.json` per task (`<family>.run-task.json` for a job,
//! `<family>.schedule.json` for a scheduled task, `<family>.scaling.json`
//! for a service that scales), print one, or check them (`--check`); with
//! `--target cloudformation`, the same as one template,
//! `<project>.cloudformation.yaml`.

use crate::args::{ConfigFormat, ConvertArgs, Target};
use crate::cmd::{check, converted, fail};
use crate::outcome::Outcome;
use crate::report;
use crate::write;

pub(crate) fn run(args: &ConvertArgs) -> Outcome {
    if args.family.is_some() && (!args.stdout || args.target == Target::Cloudformation) {
        // A usage error (exit 2), with what to do rather than clap's bare
        // "required arguments were not provided".
        use clap::CommandFactory as _;
        let mut cli = crate::args::Cli::command();
        cli.build();
        let convert = cli.find_subcommand_mut("convert").map(|c| c.clone());
        convert
            .unwrap_or(cli)
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                if args.target == Target::Cloudformation {
                    "--family chooses one task definition, and the template holds every family: leave --family out"
                } else {
                    "--family chooses the task definition that --stdout prints: add --stdout, or leave --family out to write every family"
                },
            )
            .exit();
    }
    let families: Vec<String> = args.family.iter().cloned().collect();
    let next = (!args.check && !args.stdout).then_some(match args.target {
        Target::Ecs => "`compose2ecs deploy` (or `aws ecs register-task-definition --cli-input-json file://<dir>/<family>.task-definition.json`)",
        Target::Cloudformation => "`aws cloudformation deploy --template-file <dir>/<project>.cloudformation.yaml --stack-name <project>`",
    });
    // What the output folder holds, read on another core while this one
    // converts (only when the files are written).
    let existing = (!args.stdout && !args.check).then(|| {
        let is_ours = match args.target {
            Target::Ecs => check::is_ours as fn(&str) -> bool,
            Target::Cloudformation => check::is_template,
        };
        write::Existing::read(&args.output, is_ours)
    });
    let (reporter, conversion) = match converted(&args.conversion, &families, next) {
        Ok(c) => c,
        Err(o) => return o,
    };
    // The process ends with this command: the operating system takes the
    // conversion back at once, where freeing it piece by piece would cost a
    // tenth of a 1,000-service run (BENCHMARKS.md).
    let conversion = std::mem::ManuallyDrop::new(conversion);

    if args.cost {
        report_cost(reporter, &conversion);
    }

    let (files, families, is_ours) = match args.target {
        Target::Ecs => {
            if conversion.overlay.cloudformation.is_some() {
                reporter.progress("the overlay's `cloudformation` (or `x-aws-cloudformation`) patches the template of `--target cloudformation`; these ECS JSON files do not carry it");
            }
            if args.stdout {
                return print_one(args, reporter, &conversion);
            }
            let (files, families) = ecs_files(args, &conversion);
            (files, families, check::is_ours as fn(&str) -> bool)
        }
        Target::Cloudformation => {
            let template = match compose2ecs_core::cloudformation::template(&conversion) {
                Ok(t) => t,
                Err(m) => return fail(reporter, &m),
            };
            let (name, text) = match args.template_format {
                ConfigFormat::Yaml => (
                    format!("{}.cloudformation.yaml", conversion.project),
                    template.to_yaml(),
                ),
                ConfigFormat::Json => (
                    format!("{}.cloudformation.json", conversion.project),
                    template.to_json(),
                ),
            };
            if args.stdout {
                return write::stdout(text.as_bytes());
            }
            for (service, job) in template.jobs_first() {
                reporter.progress(&format!(
                    "{service} waits for the job {job}, and a stack does not run jobs: `compose2ecs run {job}` (or `deploy`) before `aws cloudformation deploy`"
                ));
            }
            let families: Vec<serde_json::Value> = conversion
                .task_definitions
                .keys()
                .map(|f| {
                    serde_json::json!({
                        "family": f,
                        "template": args.output.join(&name).display().to_string(),
                    })
                })
                .collect();
            (
                vec![(name, text)],
                families,
                check::is_template as fn(&str) -> bool,
            )
        }
    };
    let diagnostics: Vec<serde_json::Value> = conversion
        .diagnostics
        .iter()
        .map(report::diagnostic_json)
        .collect();
    if args.check {
        let mut drift = check::compare(&args.output, &files, is_ours);
        // The committed side of a diff may hold anything an older version
        // wrote: it is shown masked, as quoted source lines are.
        for (_, diff) in &mut drift.diffs {
            *diff = conversion.sources.redact(diff);
        }
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
        let again = match args.target {
            Target::Ecs => "",
            Target::Cloudformation => " --target cloudformation",
        };
        return check::report(&drift, &args.output, again, reporter);
    }
    let existing = existing.unwrap_or_else(|| write::Existing::read(&args.output, is_ours));
    match write::files_atomically(&args.output, &files, is_ours, existing) {
        Ok(written) => {
            reporter.written(&written.wrote, &written.unchanged, &written.removed);
            if reporter.json {
                let shown = |v: &[std::path::PathBuf]| {
                    v.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                };
                let doc = serde_json::json!({
                    "status": "written",
                    "families": families,
                    "written": shown(&written.wrote),
                    "unchanged": shown(&written.unchanged),
                    "removed": shown(&written.removed),
                    "diagnostics": diagnostics,
                });
                return write::stdout(format!("{doc:#}\n").as_bytes());
            }
            Outcome::Success
        }
        Err(m) => fail(reporter, &m),
    }
}

/// `--cost`: a line per family, then the services' month together.
fn report_cost(reporter: report::Reporter, conversion: &compose2ecs_core::Conversion) {
    let costs = compose2ecs_core::cost::of(conversion);
    let width = costs.iter().map(|c| c.family.len()).max().unwrap_or(0);
    let table = compose2ecs_core::cost::table();
    reporter.progress(&format!("cost in USD ({})", table.as_of));
    for c in &costs {
        let figure = match (c.monthly, c.task_hour) {
            (Some(m), _) => format!(
                "${m:.2} a month ({} task{} × 730 h)",
                c.tasks,
                if c.tasks == 1 { "" } else { "s" }
            ),
            (None, Some(h)) => format!("${h:.4} per task-hour (runs as long as it runs)"),
            (None, None) => "not priced per task".to_owned(),
        };
        reporter.progress(&format!("  {:width$}  {figure}; {}", c.family, c.basis));
    }
    let total: f64 = costs.iter().filter_map(|c| c.monthly).sum();
    reporter.progress(&format!("  services together: ${total:.2} a month"));
}

/// `--stdout`: the one task definition asked for.
fn print_one(
    args: &ConvertArgs,
    reporter: report::Reporter,
    conversion: &compose2ecs_core::Conversion,
) -> Outcome {
    let families: Vec<&String> = conversion.task_definitions.keys().collect();
    let chosen = match (&args.family, families.as_slice()) {
        (Some(f), _) => conversion.task_definitions.get(f).ok_or_else(|| {
            let names: Vec<&str> = families.iter().map(|s| s.as_str()).collect();
            crate::cmd::unknown_family(f, &names)
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
    match chosen {
        Ok(td) => write::stdout(compose2ecs_core::to_json(td).as_bytes()),
        Err(m) => fail(reporter, &m),
    }
}

/// The ECS target's files, and the report's entry per family.
fn ecs_files(
    args: &ConvertArgs,
    conversion: &compose2ecs_core::Conversion,
) -> (Vec<(String, String)>, Vec<serde_json::Value>) {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut families = Vec::new();
    for (family, td) in &conversion.task_definitions {
        let td_name = format!("{family}.task-definition.json");
        files.push((td_name.clone(), compose2ecs_core::to_json(td)));
        let mut entry = serde_json::json!({
            "family": family,
            "taskDefinition": args.output.join(&td_name).display().to_string(),
        });
        // One file per call: its name, and its path in the report.
        let mut add = |key: &str, suffix: &str, text: String| {
            let name = format!("{family}.{suffix}");
            entry[key] = args.output.join(&name).display().to_string().into();
            files.push((name, text));
        };
        use compose2ecs_core::to_json;
        if let Some(service) = conversion.services.get(family) {
            add("service", "service.json", to_json(service));
        }
        if let Some(job) = conversion.jobs.get(family) {
            add("runTask", "run-task.json", to_json(job));
        }
        if let Some(scaling) = conversion.scaling.get(family) {
            add("scaling", "scaling.json", to_json(scaling));
        }
        if let Some(schedule) = conversion.schedules.get(family) {
            add("schedule", "schedule.json", to_json(schedule));
        }
        families.push(entry);
    }
    (files, families)
}
