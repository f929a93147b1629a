//! One module per command; what several share is here: reading the project
//! as the flags and the environment say, converting it, choosing families.

pub(crate) mod capability;
pub(crate) mod check;
pub(crate) mod config;
pub(crate) mod convert;
pub(crate) mod deploy;
pub(crate) mod down;
pub(crate) mod exec;
pub(crate) mod images;
pub(crate) mod init;
pub(crate) mod jobs;
pub(crate) mod logs;
pub(crate) mod members;
pub(crate) mod plan;
pub(crate) mod policy;
pub(crate) mod ps;
pub(crate) mod register;
pub(crate) mod retention;
pub(crate) mod rollout;
pub(crate) mod run;
pub(crate) mod scale;
pub(crate) mod scaling;
pub(crate) mod schema;
pub(crate) mod shell;
pub(crate) mod vpc;

use std::path::PathBuf;

use compose2ecs_core::{Conversion, Discovery, Environment, Input, Options, Severity};

use crate::args::{AwsArgs, ConversionArgs, MessageFormat, ProjectArgs};
use crate::aws::Aws;
use crate::outcome::Outcome;
use crate::report::{self, Reporter};

pub(crate) fn fail(reporter: Reporter, message: &str) -> Outcome {
    reporter.error(message);
    Outcome::Rejected
}

/// The project as docker compose would find it for these flags, in this
/// process's environment.
pub(crate) fn load_input(
    reporter: Reporter,
    project: &ProjectArgs,
    overlays: &[PathBuf],
    env: Option<&str>,
) -> Result<(Input, Options), Outcome> {
    let environment: Environment = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let mut discovery = Discovery::new(".").with_environment(environment);
    discovery.files.clone_from(&project.files);
    discovery.overlays = overlays.to_vec();
    discovery.env = env.map(str::to_owned);
    discovery.env_files.clone_from(&project.env_files);
    discovery.project_name.clone_from(&project.project_name);
    discovery.profiles.clone_from(&project.profiles);
    compose2ecs_core::discover(&discovery).map_err(|e| {
        reporter.diagnostics(Some(e.sources()), e.diagnostics());
        reporter.rejected(e.errors().count());
        Outcome::Rejected
    })
}

/// Loads, converts and reports: the part every converting command shares.
/// With `families`, only their diagnostics are shown (errors always are:
/// any of them stops the conversion); a summary line closes the report,
/// with `next` as the step to take.
pub(crate) fn converted(
    args: &ConversionArgs,
    families: &[String],
    next: Option<&str>,
) -> Result<(Reporter, Conversion), Outcome> {
    let reporter = Reporter {
        json: args.format == MessageFormat::Json,
        quiet: args.quiet,
    };
    let (input, options) =
        load_input(reporter, &args.project, &args.overlays, args.env.as_deref())?;
    // The core reads no environment: the region fallback is handed over.
    let options = match environment_region() {
        Some((region, _)) => options.with_region(region),
        None => options,
    };
    // `--image-digests`: the images `push` recorded, by digest.
    let options = match args.image_digests.as_deref().map(images::read_digests) {
        Some(Ok(pinned)) => options.with_images(pinned),
        Some(Err(m)) => {
            reporter.error(&m);
            return Err(Outcome::Rejected);
        }
        None => options,
    };
    let conversion = match compose2ecs_core::convert(&input, &options) {
        Ok(c) => c,
        Err(e) => {
            reporter.diagnostics(Some(e.sources()), e.diagnostics());
            reporter.rejected(e.errors().count());
            rejected_document(reporter, e.diagnostics(), false);
            return Err(Outcome::Rejected);
        }
    };
    let (shown, elsewhere): (Vec<_>, Vec<_>) = conversion
        .diagnostics
        .iter()
        .partition(|d| for_families(&conversion, families, d));
    reporter.diagnostics(Some(&conversion.sources), shown.iter().copied());
    let count = |s: Severity| shown.iter().filter(|d| d.severity == s).count();
    reporter.summary(
        count(Severity::Warning),
        count(Severity::Note),
        elsewhere.len(),
        next,
    );
    let warnings = conversion
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if args.strict && warnings > 0 {
        reporter.strict(warnings);
        rejected_document(reporter, &conversion.diagnostics, true);
        return Err(Outcome::Rejected);
    }
    Ok((reporter, conversion))
}

/// The project converted again, running the `pinned` images in the
/// `subnets` looked up for `network.vpc` (`cmd/vpc.rs`): its warnings and
/// notes were shown with the first conversion, so only errors are.
pub(crate) fn reconverted(
    args: &ConversionArgs,
    reporter: Reporter,
    pinned: compose2ecs_core::IndexMap<String, String>,
    subnets: &[String],
) -> Result<Conversion, Outcome> {
    let (input, options) =
        load_input(reporter, &args.project, &args.overlays, args.env.as_deref())?;
    let options = match environment_region() {
        Some((region, _)) => options.with_region(region),
        None => options,
    };
    let options = options.with_images(pinned).with_subnets(subnets);
    compose2ecs_core::convert(&input, &options).map_err(|e| {
        reporter.diagnostics(Some(e.sources()), e.diagnostics());
        reporter.rejected(e.errors().count());
        Outcome::Rejected
    })
}

/// Whether `d` is about one of `families` (all when empty): a diagnostic
/// about a compose service (or its overlay entry) belongs to the family the
/// service runs in; one about the project as a whole, to every family.
fn for_families(
    conversion: &Conversion,
    families: &[String],
    d: &compose2ecs_core::Diagnostic,
) -> bool {
    if families.is_empty() {
        return true;
    }
    let about = |path: Option<&str>| {
        let service = path
            .and_then(|p| p.strip_prefix("services."))
            .map(|rest| rest.split(['.', '[']).next().unwrap_or(rest));
        match service.and_then(|s| conversion.placements.get(s)) {
            Some(placement) => families.contains(&placement.family),
            None => true,
        }
    };
    // A cause shown in several places is about each of them.
    about(d.path.as_deref()) || d.also.iter().any(|p| about(p.path.as_deref()))
}

/// The `--format json` result of a refused conversion.
fn rejected_document(
    reporter: Reporter,
    diagnostics: &[compose2ecs_core::Diagnostic],
    strict: bool,
) {
    if reporter.json {
        let mut doc = serde_json::json!({
            "status": "rejected",
            "families": [],
            "diagnostics": diagnostics.iter().map(report::diagnostic_json).collect::<Vec<_>>(),
        });
        if strict {
            doc["strict"] = true.into();
        }
        let _ = crate::write::document(&doc);
    }
}

/// The families to work on, in project order; an unknown `--family` is
/// reported with the families there are.
pub(crate) fn chosen<'c>(
    args: &AwsArgs,
    reporter: Reporter,
    conversion: &'c Conversion,
) -> Result<Vec<&'c String>, Outcome> {
    let all: Vec<&String> = conversion.task_definitions.keys().collect();
    if let Some(f) = args
        .families
        .iter()
        .find(|f| !conversion.task_definitions.contains_key(*f))
    {
        let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
        reporter.error(&unknown_family(f, &names));
        return Err(Outcome::Rejected);
    }
    Ok(all
        .into_iter()
        .filter(|f| args.families.is_empty() || args.families.contains(f))
        .collect())
}

/// "No such family", with the one meant when it can be told: a family is
/// `<project>-<service>`, so `api` most likely means `shop-api`.
pub(crate) fn unknown_family(f: &str, families: &[&str]) -> String {
    let suffix = format!("-{f}");
    let meant: Vec<&str> = families
        .iter()
        .copied()
        .filter(|name| name.ends_with(&suffix) || name.eq_ignore_ascii_case(f))
        .collect();
    let mut message = format!("no family `{f}`");
    if let [one] = meant.as_slice() {
        message.push_str(&format!("; did you mean `{one}`?"));
    }
    message.push_str(&format!("; this project has: {}", families.join(", ")));
    message
}

/// The region the project's tasks go to: the overlay's `region`, else its
/// `logs.region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`; with where
/// it came from. `None`: the AWS CLI's own configuration decides.
pub(crate) fn region(conversion: &Conversion) -> Option<(String, &'static str)> {
    let overlay = &conversion.overlay;
    overlay
        .region
        .clone()
        .map(|r| (r, "compose2ecs.yaml `region`"))
        .or_else(|| {
            overlay
                .logs
                .region
                .clone()
                .map(|r| (r, "compose2ecs.yaml `logs.region`"))
        })
        .or_else(environment_region)
}

/// The region of the process environment (`AWS_REGION`, else
/// `AWS_DEFAULT_REGION`), and which variable gave it.
pub(crate) fn environment_region() -> Option<(String, &'static str)> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|k| {
            std::env::var(k)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| (v, k))
        })
}

/// The AWS CLI for these flags and this project, its region said once.
/// [`aws`] for the commands that take only `--aws-cli` (and `--dry-run`).
pub(crate) fn aws_at(
    aws_cli: &std::path::Path,
    dry_run: bool,
    reporter: Reporter,
    conversion: &Conversion,
) -> Aws {
    aws(
        &AwsArgs {
            families: Vec::new(),
            aws_cli: aws_cli.to_path_buf(),
            dry_run,
        },
        reporter,
        conversion,
    )
}

pub(crate) fn aws(args: &AwsArgs, reporter: Reporter, conversion: &Conversion) -> Aws {
    let region = region(conversion);
    if !args.dry_run {
        match &region {
            Some((r, from)) => reporter.progress(&format!("region {r} (from {from})")),
            None => reporter.progress(
                "region: the AWS CLI's default (set `region:` in compose2ecs.yaml to pin it)",
            ),
        }
    }
    Aws {
        bin: args.aws_cli.clone(),
        region: region.map(|(r, _)| r),
    }
}

/// A directory for the JSON handed to `aws`, removed when dropped.
pub(crate) fn scratch(reporter: Reporter) -> Result<tempfile::TempDir, Outcome> {
    tempfile::tempdir().map_err(|e| {
        reporter.error(&format!("cannot create a temporary directory: {e}"));
        Outcome::Rejected
    })
}
