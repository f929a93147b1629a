//! `compose2ecs convert`: write `<family>.task-definition.json` and
//! `<family>.service.json` per task (`<family>.run-task.json` for a job,
//! `<family>.schedule.json` for a scheduled task, `<family>.scaling.json`
//! for a service that scales), print one, or check them (`--check`); with
//! `--target cloudformation`, the same as one template,
//! `<project>.cloudformation.yaml`.

use std::path::{Path, PathBuf};

use compose2ecs_core::Conversion;
use serde_json::Value;

use crate::args::{ConfigFormat, ConvertArgs, Target};
use crate::context::{Context, unknown_family};
use crate::outcome::{Ended, Outcome};
use crate::report::{self, Reporter};
use crate::steps::drift;
use crate::write;

/// What the target makes: the files' names and text, the `--format json`
/// entry per family, and which files in the folder are the target's own.
struct Made {
    files: Vec<(String, String)>,
    families: Vec<Value>,
    is_ours: fn(&str) -> bool,
}

pub(crate) fn run(args: &ConvertArgs) -> Ended {
    refuse_family_without_stdout(args);
    let families: Vec<String> = args.family.iter().cloned().collect();
    let next = (!args.check && !args.stdout).then_some(match args.target {
        Target::Ecs => "`compose2ecs deploy` (or `aws ecs register-task-definition --cli-input-json file://<dir>/<family>.task-definition.json`)",
        Target::Cloudformation => "`aws cloudformation deploy --template-file <dir>/<project>.cloudformation.yaml --stack-name <project>`",
    });
    let is_ours = match args.target {
        Target::Ecs => drift::is_ours as fn(&str) -> bool,
        Target::Cloudformation => drift::is_template,
    };
    // What the output folder holds, read on another core while this one
    // converts (only when the files are written).
    let existing =
        (!args.stdout && !args.check).then(|| write::Existing::read(&args.output, is_ours));
    let ctx = Context::resolve(&args.conversion, &families, next)?;
    let reporter = ctx.reporter;
    // The process ends with this command: the operating system takes the
    // conversion back at once, where freeing it piece by piece would cost a
    // tenth of a 1,000-service run (BENCHMARKS.md).
    let conversion = std::mem::ManuallyDrop::new(ctx.conversion);

    if args.cost {
        report_cost(reporter, &conversion);
    }
    let made = match args.target {
        Target::Ecs => ecs_target(args, reporter, &conversion)?,
        Target::Cloudformation => cloudformation_target(args, reporter, &conversion)?,
    };
    if args.check {
        return check(args, reporter, &conversion, made);
    }
    let existing = existing.unwrap_or_else(|| write::Existing::read(&args.output, is_ours));
    let written = write::files_atomically(&args.output, &made.files, made.is_ours, existing)
        .map_err(|m| reporter.fail(&m))?;
    reporter.written(&written.wrote, &written.unchanged, &written.removed);
    if !reporter.json {
        return Ok(Outcome::Success);
    }
    let shown = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    let doc = serde_json::json!({
        "status": "written",
        "families": made.families,
        "written": shown(&written.wrote),
        "unchanged": shown(&written.unchanged),
        "removed": shown(&written.removed),
        "diagnostics": diagnostics(&conversion),
    });
    Ok(report::document(&doc))
}

/// `--family` without `--stdout` (or with the template): a usage error
/// (exit 2), with what to do rather than clap's bare "required arguments
/// were not provided".
fn refuse_family_without_stdout(args: &ConvertArgs) {
    if args.family.is_none() || (args.stdout && args.target != Target::Cloudformation) {
        return;
    }
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

/// The ECS target: the JSON inputs of each family (`Err` ends the command
/// when `--stdout` printed the one asked for).
fn ecs_target(
    args: &ConvertArgs,
    reporter: Reporter,
    conversion: &Conversion,
) -> Result<Made, Outcome> {
    if conversion.overlay.cloudformation.is_some() {
        reporter.progress("the overlay's `cloudformation` (or `x-aws-cloudformation`) patches the template of `--target cloudformation`; these ECS JSON files do not carry it");
    }
    if args.stdout {
        return Err(print_one(args, reporter, conversion).unwrap_or_else(|o| o));
    }
    let files = ecs_files(conversion);
    // The entries are only for the `--format json` result.
    let families = if reporter.json {
        ecs_families(&args.output, &files)
    } else {
        Vec::new()
    };
    Ok(Made {
        files,
        families,
        is_ours: drift::is_ours,
    })
}

/// The CloudFormation target: one template (`Err` ends the command when
/// `--stdout` printed it).
fn cloudformation_target(
    args: &ConvertArgs,
    reporter: Reporter,
    conversion: &Conversion,
) -> Result<Made, Outcome> {
    let template =
        compose2ecs_core::cloudformation::template(conversion).map_err(|m| reporter.fail(&m))?;
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
        return Err(report::stdout(text.as_bytes()));
    }
    for (service, job) in template.jobs_first() {
        // `run` takes the compose service, not the family.
        let runs = conversion
            .task_definitions
            .get(job.as_str())
            .map_or(job.as_str(), crate::steps::family::owner);
        reporter.progress(&format!(
            "{service} waits for the job {job}, and a stack does not run jobs: `compose2ecs run {runs}` (or `deploy`) before `aws cloudformation deploy`"
        ));
    }
    // The entries are only for the `--format json` result.
    let template = args.output.join(&name).display().to_string();
    let families: Vec<Value> = if reporter.json {
        conversion
            .task_definitions
            .keys()
            .map(|f| serde_json::json!({"family": f, "template": template}))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Made {
        files: vec![(name, text)],
        families,
        is_ours: drift::is_template,
    })
}

/// `--check`: the folder compared with what would be written.
fn check(args: &ConvertArgs, reporter: Reporter, conversion: &Conversion, made: Made) -> Ended {
    let mut drift =
        drift::compare(&args.output, &made.files, made.is_ours).map_err(|m| reporter.fail(&m))?;
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
        doc["families"] = made.families.into();
        doc["diagnostics"] = diagnostics(conversion).into();
        let _ = report::document(&doc);
    }
    let again = match args.target {
        Target::Ecs => "",
        Target::Cloudformation => " --target cloudformation",
    };
    Ok(drift::report(&drift, &args.output, again, reporter))
}

/// The result document's diagnostics (`--format json` only).
fn diagnostics(conversion: &Conversion) -> Vec<Value> {
    conversion
        .diagnostics
        .iter()
        .map(report::diagnostic_json)
        .collect()
}

/// `--cost`: a line per family, then the services' month together.
fn report_cost(reporter: Reporter, conversion: &Conversion) {
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
    // Folded from +0.0: an empty f64 sum is -0.0, printed `$-0.00`.
    let total: f64 = costs
        .iter()
        .filter_map(|c| c.monthly)
        .fold(0.0, |a, b| a + b);
    reporter.progress(&format!("  services together: ${total:.2} a month"));
}

/// `--stdout`: the one task definition asked for.
fn print_one(args: &ConvertArgs, reporter: Reporter, conversion: &Conversion) -> Ended {
    let families: Vec<&String> = conversion.task_definitions.keys().collect();
    let chosen = match (&args.family, families.as_slice()) {
        (Some(f), _) => conversion.task_definitions.get(f).ok_or_else(|| {
            let names: Vec<&str> = families.iter().map(|s| s.as_str()).collect();
            unknown_family(f, &names)
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
    let td = chosen.map_err(|m| reporter.fail(&m))?;
    Ok(report::stdout(compose2ecs_core::to_json(td).as_bytes()))
}

/// The ECS target's files: for each family, its task definition, then its
/// service, run-task, scaling and schedule inputs ([`drift::ECS_FILES`]). A
/// large project's are made JSON on two cores, each taking half of the
/// families, in order.
fn ecs_files(conversion: &Conversion) -> Vec<(String, String)> {
    use compose2ecs_core::to_json;
    let families: Vec<(&String, _)> = conversion.task_definitions.iter().collect();
    let of = |part: &[(&String, &compose2ecs_core::TaskDefinition)]| {
        let mut files = Vec::with_capacity(part.len() * 2);
        for (family, td) in part {
            let texts = [
                Some(to_json(*td)),
                conversion.services.get(*family).map(to_json),
                conversion.jobs.get(*family).map(to_json),
                conversion.scaling.get(*family).map(to_json),
                conversion.schedules.get(*family).map(to_json),
            ];
            for ((_, suffix), text) in drift::ECS_FILES.iter().zip(texts) {
                if let Some(text) = text {
                    files.push((format!("{family}{suffix}"), text));
                }
            }
        }
        files
    };
    compose2ecs_core::halves::in_halves(&families, of)
        .into_iter()
        .collect()
}

/// The report's entry per family: the paths of its `files` (as
/// [`ecs_files`] made them, family by family).
fn ecs_families(output: &Path, files: &[(String, String)]) -> Vec<Value> {
    let mut families: Vec<(&str, Value)> = Vec::new();
    for (name, _) in files {
        let Some((key, family)) = drift::ECS_FILES
            .iter()
            .find_map(|(key, suffix)| Some((*key, name.strip_suffix(suffix)?)))
        else {
            continue;
        };
        if families.last().is_none_or(|(f, _)| *f != family) {
            families.push((family, serde_json::json!({"family": family})));
        }
        if let Some((_, entry)) = families.last_mut() {
            entry[key] = output.join(name).display().to_string().into();
        }
    }
    families.into_iter().map(|(_, entry)| entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project large enough to be made JSON on two cores gives its files
    /// family by family, in order, each family's task definition first.
    #[test]
    fn a_large_project_files_come_in_family_order() {
        let mut compose = String::from("name: big\nservices:\n");
        for i in 0..150 {
            compose.push_str(&format!("  s{i}:\n    image: app:{i}\n"));
        }
        compose.push_str("  migrate:\n    image: app\n    restart: \"no\"\n");
        let input = compose2ecs_core::Input::from_yaml(&compose).without_disk();
        let conversion =
            compose2ecs_core::convert(&input, &compose2ecs_core::Options::default()).unwrap();
        let names: Vec<String> = ecs_files(&conversion).into_iter().map(|(n, _)| n).collect();
        let mut expected = Vec::new();
        for i in 0..150 {
            expected.push(format!("big-s{i}.task-definition.json"));
            expected.push(format!("big-s{i}.service.json"));
        }
        expected.push("big-migrate.task-definition.json".to_owned());
        expected.push("big-migrate.run-task.json".to_owned());
        assert_eq!(names, expected);
        let (name, text) = &ecs_files(&conversion)[298];
        assert_eq!(name, "big-s149.task-definition.json");
        assert_eq!(
            text,
            &compose2ecs_core::to_json(&conversion.task_definitions["big-s149"])
        );
    }
}
