//! Finding a project as docker compose finds it: the compose files (`-f`,
//! else `COMPOSE_FILE`, else the default file of the working directory and
//! its override file), the overlay (`compose2ecs.yaml` beside the first
//! compose file), the env files, the project name (`-p`, else
//! `COMPOSE_PROJECT_NAME`) and the active profiles (`--profile`, else
//! `COMPOSE_PROFILES`).
//!
//! The environment is always passed in: the core never reads the process's.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Error};
use crate::load::input::Input;
use crate::load::interpolate::Environment;

/// How to convert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Active profiles: services with `profiles:` run only when one of theirs
    /// is listed here (or `*` is), as with `docker compose --profile`. When
    /// empty, `COMPOSE_PROFILES` from the environment decides.
    pub profiles: Vec<String>,
    /// Skips the project-wide checks docker compose makes when it loads a
    /// project (undefined networks, volumes, configs and dependencies, a
    /// service without an image), as compose-go's `SkipConsistencyCheck`
    /// does. For reading fragments of a project; a conversion with it can
    /// produce output ECS will refuse.
    pub skip_consistency_check: bool,
    /// The AWS region when the overlay gives none (`region:` or
    /// `logs.region`): a CLI passes `AWS_REGION` or `AWS_DEFAULT_REGION`
    /// here, since the core reads no environment of its own. With it, the
    /// containers get awslogs and a note says where the region came from.
    pub region: Option<String>,
    /// Images pinned by compose service, over the overlay's
    /// `services.<name>.image` and compose's `image`: what a CLI pushed,
    /// by digest (`<repository>@sha256:…`), so that a deployment runs
    /// exactly what was built.
    pub images: indexmap::IndexMap<String, String>,
    /// The subnets of the overlay's `network.vpc`, as a CLI looked them up
    /// (`aws ec2 describe-subnets --filters Name=vpc-id,Values=…`): the
    /// tasks' subnets when the overlay gives a VPC and lists none.
    pub subnets: Vec<String>,
}

impl Options {
    /// Options that skip the project-wide checks (see
    /// [`skip_consistency_check`](Self::skip_consistency_check)).
    #[must_use]
    pub fn without_consistency_check(mut self) -> Self {
        self.skip_consistency_check = true;
        self
    }

    /// Options with this fallback region (see [`region`](Self::region)).
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Options with these pinned images (see [`images`](Self::images)).
    #[must_use]
    pub fn with_images(mut self, images: indexmap::IndexMap<String, String>) -> Self {
        self.images = images;
        self
    }

    /// Options with the subnets looked up for `network.vpc` (see
    /// [`subnets`](Self::subnets)).
    #[must_use]
    pub fn with_subnets(mut self, subnets: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.subnets = subnets.into_iter().map(Into::into).collect();
        self
    }

    /// Options with these active profiles.
    #[must_use]
    pub fn with_profiles(mut self, profiles: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.profiles = profiles.into_iter().map(Into::into).collect();
        self
    }
}

/// The default compose files, in the order docker compose looks for them.
pub(crate) const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The overlay looked for beside the first compose file.
pub(crate) const DEFAULT_OVERLAY: &str = "compose2ecs.yaml";

/// What the caller chose, as `docker compose` flags do, and the environment
/// to read the rest from. Everything left empty is discovered.
///
/// ```
/// use compose2ecs_core::{Discovery, Environment, discover, load};
///
/// let dir = std::env::temp_dir().join("compose2ecs-discover-doc");
/// std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("compose.yaml"), "services:\n  web:\n    image: nginx\n")?;
/// std::fs::write(dir.join("compose.override.yaml"), "services:\n  web:\n    ports: ['80']\n")?;
///
/// let env = Environment::from([("COMPOSE_PROJECT_NAME".to_owned(), "shop".to_owned())]);
/// let (input, options) = discover(&Discovery::new(&dir).with_environment(env))?;
/// assert_eq!(input.compose.len(), 2); // compose.yaml and its override file
/// let (project, _) = load(&input, &options)?;
/// assert_eq!(project.name, "shop");
/// assert_eq!(project.services["web"].ports.len(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Discovery {
    /// Where default files are looked for (a CLI passes its current
    /// directory).
    pub working_dir: PathBuf,
    /// The compose files (`-f`); empty: `COMPOSE_FILE`, else the default file
    /// of `working_dir` and its override file.
    pub files: Vec<PathBuf>,
    /// The overlays (`--overlay`), merged in order, later ones winning;
    /// empty: `compose2ecs.yaml` beside the first compose file, when it
    /// exists.
    pub overlays: Vec<PathBuf>,
    /// The environment (`--env NAME`): `compose2ecs.NAME.yaml` beside the
    /// first overlay is merged over the overlays, and must exist.
    pub env: Option<String>,
    /// Env files (`--env-file`); empty: `.env` of the project directory.
    pub env_files: Vec<PathBuf>,
    /// The project name (`-p`); `None`: `COMPOSE_PROJECT_NAME`, else `name:`,
    /// else the project directory's name.
    pub project_name: Option<String>,
    /// Active profiles (`--profile`); empty: `COMPOSE_PROFILES`.
    pub profiles: Vec<String>,
    /// The caller's environment: interpolation reads it, over `.env`.
    pub environment: Environment,
}

impl Discovery {
    /// Discovery from `working_dir`, with an empty environment.
    pub fn new(working_dir: impl Into<PathBuf>) -> Self {
        Discovery {
            working_dir: working_dir.into(),
            ..Discovery::default()
        }
    }

    /// Sets the environment.
    #[must_use]
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Adds a compose file, as `-f` does.
    #[must_use]
    pub fn with_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.files.push(file.into());
        self
    }

    /// Adds an overlay file, merged over the ones before it.
    #[must_use]
    pub fn with_overlay(mut self, overlay: impl Into<PathBuf>) -> Self {
        self.overlays.push(overlay.into());
        self
    }

    /// Picks an environment: `compose2ecs.NAME.yaml` over the overlays.
    #[must_use]
    pub fn with_env(mut self, name: impl Into<String>) -> Self {
        self.env = Some(name.into());
        self
    }
}

/// Finds and reads the project: the [`Input`] to convert and the
/// [`Options`] (active profiles) docker compose would use for the same
/// flags and environment.
pub fn discover(d: &Discovery) -> Result<(Input, Options), Error> {
    let files = compose_files(d)?;
    let overlays = overlays(d, &files)?;
    let mut input = Input::from_files(&files, &overlays, d.environment.clone(), &d.env_files)?;
    input.project_name.clone_from(&d.project_name);
    let options = Options::default().with_profiles(d.profiles.iter().cloned());
    Ok((input, options))
}

/// The compose files: `-f`, else `COMPOSE_FILE` (split on
/// `COMPOSE_PATH_SEPARATOR`, default `:`; `;` on Windows), else the first
/// default file of the working directory and its override file.
fn compose_files(d: &Discovery) -> Result<Vec<PathBuf>, Error> {
    if !d.files.is_empty() {
        return Ok(d.files.iter().map(|f| join(&d.working_dir, f)).collect());
    }
    if let Some(list) = d.environment.get("COMPOSE_FILE").filter(|v| !v.is_empty()) {
        let separator = d
            .environment
            .get("COMPOSE_PATH_SEPARATOR")
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(if cfg!(windows) { ";" } else { ":" });
        return Ok(list
            .split(separator)
            .filter(|f| !f.is_empty())
            .map(|f| join(&d.working_dir, Path::new(f)))
            .collect());
    }
    let base = DEFAULT_FILES
        .iter()
        .map(|f| join(&d.working_dir, Path::new(f)))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::single(Diagnostic::error(
                Code::Io,
                format!(
                    "no compose file given and none found here (looked for {}); pass one with -f",
                    DEFAULT_FILES.join(", ")
                ),
            ))
        })?;
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = base.parent().unwrap_or(Path::new("")).to_path_buf();
    let override_file = ["yaml", "yml"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.override.{ext}")))
        .find(|p| p.is_file());
    Ok(std::iter::once(base).chain(override_file).collect())
}

/// `compose2ecs.yaml` beside the first compose file, when it exists.
/// The overlays to read: `--overlay`s, else the default one, then the
/// environment's beside the first (`compose2ecs.NAME.yaml`).
fn overlays(d: &Discovery, files: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out: Vec<PathBuf> = if d.overlays.is_empty() {
        default_overlay(files).into_iter().collect()
    } else {
        d.overlays.iter().map(|f| join(&d.working_dir, f)).collect()
    };
    if let Some(env) = &d.env {
        if env.is_empty()
            || !env
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::single(Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "environment `{env}`: a name of letters, digits, `-` and `_` (it names compose2ecs.<name>.yaml)"
                ),
            )));
        }
        let beside = out.first().map_or_else(
            || {
                files
                    .first()
                    .and_then(|f| f.parent())
                    .unwrap_or(Path::new(""))
                    .to_path_buf()
            },
            |o| o.parent().unwrap_or(Path::new("")).to_path_buf(),
        );
        let file = beside.join(env_overlay_name(env));
        if !file.is_file() {
            return Err(Error::single(Diagnostic::error(
                Code::Io,
                format!(
                    "environment `{env}`: `{}` does not exist (`compose2ecs init --env {env}` writes one)",
                    file.display()
                ),
            )));
        }
        out.push(file);
    }
    Ok(out)
}

/// The overlay file of an environment: `compose2ecs.<name>.yaml`.
pub fn env_overlay_name(env: &str) -> String {
    format!("compose2ecs.{env}.yaml")
}

fn default_overlay(files: &[PathBuf]) -> Option<PathBuf> {
    let candidate = files
        .first()?
        .parent()
        .unwrap_or(Path::new(""))
        .join(DEFAULT_OVERLAY);
    candidate.is_file().then_some(candidate)
}

/// `file` relative to `dir`, left as given when `dir` is empty or `.` (so
/// that messages show the paths the user typed).
fn join(dir: &Path, file: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        file.to_path_buf()
    } else {
        dir.join(file)
    }
}

/// The active profiles: the options', else `COMPOSE_PROFILES` (comma
/// separated) from the input's environment, `.env` included.
pub(crate) fn profiles(input: &Input, options: &Options) -> Vec<String> {
    if !options.profiles.is_empty() {
        return options.profiles.clone();
    }
    input
        .environment
        .get("COMPOSE_PROFILES")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The project name the caller fixed: `-p`, else `COMPOSE_PROJECT_NAME` from
/// the input's environment (`.env` included). `None`: `name:` decides.
pub(crate) fn project_name(input: &Input) -> Option<&str> {
    input.project_name.as_deref().or_else(|| {
        input
            .environment
            .get("COMPOSE_PROJECT_NAME")
            .map(String::as_str)
            .filter(|p| !p.is_empty())
    })
}

/// Normalises a directory name into a project name, as compose does:
/// lowercase, only `[a-z0-9_-]`, no leading `_` or `-`.
pub fn normalize_project_name(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect();
    lowered.trim_start_matches(['_', '-']).to_owned()
}
