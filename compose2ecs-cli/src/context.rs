//! What the command line resolves to, once: the project read as docker
//! compose would find it for these flags in this environment, the region,
//! the images `--image-digests` pins, the conversion and its report, and
//! the AWS CLI every call goes through. Verbs start from a [`Context`];
//! the steps they share read it; nothing reads the flags or the
//! environment again.

use std::path::{Path, PathBuf};

use compose2ecs_core::{Conversion, Environment, IndexMap, Input, Options, Severity};

use crate::args::{ConversionArgs, MessageFormat, ProjectArgs};
use crate::aws::Aws;
use crate::outcome::Outcome;
use crate::report::Reporter;

/// A converting command's resolved state.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) reporter: Reporter,
    /// The project as read: files, overlays, environment.
    pub(crate) input: Input,
    /// The options it was converted with: region and pinned images applied.
    pub(crate) options: Options,
    pub(crate) conversion: Conversion,
}

/// The reporter the flags ask for.
pub(crate) fn reporter(args: &ConversionArgs) -> Reporter {
    Reporter {
        json: args.format == MessageFormat::Json,
        quiet: args.quiet,
    }
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
    let mut discovery = compose2ecs_core::Discovery::new(".").with_environment(environment);
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

impl Context {
    /// Loads, converts and reports: what every converting command starts
    /// from. With `families`, only their diagnostics are shown (errors
    /// always are: any of them stops the conversion); a summary line closes
    /// the report, with `next` as the step to take.
    pub(crate) fn resolve(
        args: &ConversionArgs,
        families: &[String],
        next: Option<&str>,
    ) -> Result<Context, Outcome> {
        let reporter = reporter(args);
        let (input, options) =
            load_input(reporter, &args.project, &args.overlays, args.env.as_deref())?;
        // The core reads no environment: the region fallback is handed over.
        let options = match environment_region() {
            Some((region, _)) => options.with_region(region),
            None => options,
        };
        // `--image-digests`: the images `push` recorded, by digest.
        let options = match args.image_digests.as_deref().map(crate::digests::read) {
            Some(Ok(pinned)) => options.with_images(pinned),
            Some(Err(m)) => return Err(reporter.fail(&m)),
            None => options,
        };
        let conversion = match compose2ecs_core::convert(&input, &options) {
            Ok(c) => c,
            Err(e) => {
                reporter.diagnostics(Some(e.sources()), e.diagnostics());
                reporter.rejected(e.errors().count());
                reporter.rejected_document(e.diagnostics(), false);
                return Err(Outcome::Rejected);
            }
        };
        let warnings = conversion
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        let (shown, elsewhere): (Vec<_>, Vec<_>) = conversion
            .diagnostics
            .iter()
            .partition(|d| for_families(&conversion, families, d));
        reporter.diagnostics(Some(&conversion.sources), shown.iter().copied());
        if args.strict && warnings > 0 {
            // Refused: no "converted … next:" line before the refusal.
            reporter.strict(warnings);
            reporter.rejected_document(&conversion.diagnostics, true);
            return Err(Outcome::Rejected);
        }
        let count = |s: Severity| shown.iter().filter(|d| d.severity == s).count();
        reporter.summary(
            count(Severity::Warning),
            count(Severity::Note),
            elsewhere.len(),
            next,
        );
        Ok(Context {
            reporter,
            input,
            options,
            conversion,
        })
    }

    /// The project converted again, as it was read, running the `pinned`
    /// images (none: those it ran) in `subnets` (none: those it had): its
    /// warnings and notes were shown with the first conversion, so only
    /// errors are.
    pub(crate) fn reconvert(
        &self,
        pinned: Option<IndexMap<String, String>>,
        subnets: &[String],
    ) -> Result<Conversion, Outcome> {
        let mut options = self.options.clone();
        if let Some(pinned) = pinned {
            options = options.with_images(pinned);
        }
        if !subnets.is_empty() {
            options = options.with_subnets(subnets);
        }
        compose2ecs_core::convert(&self.input, &options).map_err(|e| {
            self.reporter
                .diagnostics(Some(e.sources()), e.diagnostics());
            self.reporter.rejected(e.errors().count());
            Outcome::Rejected
        })
    }

    /// The families to work on, in project order; an unknown `--family` is
    /// reported with the families there are.
    pub(crate) fn chosen(&self, families: &[String]) -> Result<Vec<String>, Outcome> {
        let conversion = &self.conversion;
        let all: Vec<&String> = conversion.task_definitions.keys().collect();
        if let Some(f) = families
            .iter()
            .find(|f| !conversion.task_definitions.contains_key(*f))
        {
            let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
            return Err(self.reporter.fail(&unknown_family(f, &names)));
        }
        Ok(all
            .into_iter()
            .filter(|f| families.is_empty() || families.contains(f))
            .cloned()
            .collect())
    }

    /// The AWS CLI at `bin` for this project, its region said once (not for
    /// a dry run, which calls nothing).
    pub(crate) fn aws(&self, bin: &Path, dry_run: bool) -> Aws {
        let region = region(&self.conversion);
        if !dry_run {
            match &region {
                Some((r, from)) => self.reporter.progress(&format!("region {r} (from {from})")),
                None => self.reporter.progress(
                    "region: the AWS CLI's default (set `region:` in compose2ecs.yaml to pin it)",
                ),
            }
        }
        self.quiet_aws(bin)
    }

    /// The AWS CLI at `bin` for this project, its region not said.
    pub(crate) fn quiet_aws(&self, bin: &Path) -> Aws {
        Aws {
            bin: bin.to_path_buf(),
            region: region(&self.conversion).map(|(r, _)| r),
        }
    }
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

/// A directory for the JSON handed to `aws`, removed when dropped
/// ([`crate::write::private_dir`]).
pub(crate) fn scratch(reporter: Reporter) -> Result<tempfile::TempDir, Outcome> {
    crate::write::private_dir()
        .map_err(|e| reporter.fail(&format!("cannot create a temporary directory: {e}")))
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn the_scratch_directory_is_the_users_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = super::scratch(crate::report::Reporter::default()).unwrap();
        let meta = std::fs::metadata(dir.path()).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        assert!(
            dir.path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("compose2ecs-")
        );
    }
}
