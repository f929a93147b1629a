//! Diagnostics and errors: data with a stable code, a key path and a location.
//!
//! Warnings are returned with a successful [`Conversion`](crate::Conversion); a
//! hard error is an [`Error`], which carries every problem found in the same pass
//! (and the warnings seen before them), so a user can fix them all at once.

mod group;
pub(crate) mod redact;
mod sources;
pub(crate) mod tokens;

pub use group::Place;
pub use sources::Sources;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

/// Where a problem is: a file, a 1-based line and a 1-based column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the caller named it.
    pub file: Arc<Path>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Location", 3)?;
        st.serialize_field("file", &self.file.display().to_string())?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("column", &self.column)?;
        st.end()
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; nothing was lost (for example, `restart:` is handled by the
    /// ECS service scheduler).
    Note,
    /// Something in the input has no ECS equivalent or was changed to fit ECS.
    Warning,
    /// The input cannot be converted as the user meant it; no output is produced.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// The stable code of a diagnostic. The string form ([`Code::as_str`]) is
        /// part of the public contract: scripts may match on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable, kebab-case name of the code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// What the code means, with an input that triggers it (its doc
            /// comment, one line per source line).
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc, "\n",)*),)*
                }
            }
        }
    };
}

codes! {
    /// A file could not be read. Example: `-f missing.yaml`.
    Io => "io",
    /// The text is not valid YAML. Example: `services: [`.
    YamlSyntax => "yaml-syntax",
    /// The YAML is valid but outside what compose2ecs accepts: more than one
    /// document, nesting deeper than the limit, an alias that expands too far,
    /// or a file larger than the size limit. Example: a "billion laughs" file
    /// of aliases of aliases.
    YamlLimit => "yaml-limit",
    /// The same key appears twice in one mapping. Example: `image: a` twice.
    DuplicateKey => "duplicate-key",
    /// A value has the wrong type. Example: `ports: 8080` (a list is expected).
    InvalidType => "invalid-type",
    /// A value has the right type but cannot be used. Example: `mem_limit: 12zb`.
    InvalidValue => "invalid-value",
    /// `${VAR:?message}` or `${VAR?message}` with the variable unset.
    /// Example: `image: "app:${TAG:?set TAG}"` with TAG unset.
    RequiredVariable => "required-variable",
    /// `${VAR}` with `VAR` unset and no default; it is replaced by an empty string.
    /// Example: `image: "app:${TAG}"` with TAG unset.
    UnsetVariable => "unset-variable",
    /// A `${` without its closing `}`, or an invalid variable name.
    /// Example: `image: "app:${TAG"`.
    InvalidInterpolation => "invalid-interpolation",
    /// The compose file defines no service. Example: `services: {}`.
    NoServices => "no-services",
    /// A file that `extends`, `include` or `-f` names cannot be found.
    /// Example: `extends: {file: missing.yaml, service: base}`.
    FileNotFound => "file-not-found",
    /// `extends` names a service that does not exist. Example:
    /// `extends: {service: nope}`.
    ExtendsUnknownService => "extends-unknown-service",
    /// `extends`, `include` or `depends_on` loops back on itself. Example: a
    /// service that extends itself.
    Cycle => "cycle",
    /// Two compose files define the same resource differently through
    /// `include`. Example: a service `db` in the file and in the included file.
    IncludeConflict => "include-conflict",
    /// A file or build context that lives at a URL (`git@…`, `oci://…`), which
    /// compose2ecs does not fetch. Example: `include: [oci://registry/app]`.
    RemoteResource => "remote-resource",
    /// A key (with this value) that the launch type cannot honour. Example:
    /// `privileged: true`, or `cap_add: [NET_ADMIN]`, on FARGATE.
    LaunchTypeUnsupported => "launch-type-unsupported",
    /// A key that ECS refuses on awsvpc tasks, dropped. Example: `hostname:`
    /// or `extra_hosts:` on FARGATE.
    NotOnAwsvpc => "not-on-awsvpc",
    /// A named or anonymous volume becomes storage that lives as long as the
    /// task. Example: `volumes: [data:/var/lib/data]`.
    VolumeNotPersistent => "volume-not-persistent",
    /// A named volume mounted by services that run in different tasks: each
    /// task gets its own, so the sharing is lost. Example: `uploads` in both
    /// `web` and `worker`, each its own task, without EFS in the overlay.
    VolumeNotShared => "volume-not-shared",
    /// A bind mount that cannot be honoured, dropped. Example: `./src:/app`
    /// on FARGATE, or a relative path on EC2.
    BindMountDropped => "bind-mount-dropped",
    /// A tmpfs mount without a size, which ECS requires. Example:
    /// `tmpfs: [/run]`.
    TmpfsWithoutSize => "tmpfs-without-size",
    /// A service uses a compose secret that the top-level `secrets` does not
    /// define. Example: `secrets: [db_pasword]` with `db_password` defined.
    UnknownSecret => "unknown-secret",
    /// A service names a network, volume or config that the top-level key
    /// does not define; docker compose refuses the project. Example:
    /// `networks: [backend]` without a top-level `networks: {backend: {}}`.
    UndefinedResource => "undefined-resource",
    /// A compose secret (or a secret the overlay must supply) has no ARN in
    /// the overlay. Example: `secrets: [db_password]` without
    /// `secrets: {db_password: arn:…}` in compose2ecs.yaml.
    SecretWithoutSource => "secret-without-source",
    /// A secret reference that is neither a Secrets Manager secret ARN nor an
    /// SSM parameter ARN or name. Example: `DB_PASSWORD: hunter2` in the
    /// overlay's `secrets`.
    InvalidSecretReference => "invalid-secret-reference",
    /// A secret ARN in another region than the overlay's. Example: an
    /// `arn:aws:secretsmanager:eu-west-1:…` with `region: us-east-1`.
    SecretRegionMismatch => "secret-region-mismatch",
    /// A literal value for a variable whose name looks secret, written into
    /// the task definition. Example: `environment: {DB_PASSWORD: hunter2}`
    /// without a mapping in the overlay's `secrets`.
    PlaintextSecret => "plaintext-secret",
    /// ECS hands secrets to the container as environment variables, where
    /// compose mounts files under /run/secrets. Example: `secrets:
    /// [db_password]` becomes `$DB_PASSWORD`.
    SecretAsEnvironment => "secret-as-environment",
    /// A compose secret the container reads as a file: an init container
    /// writes it to /run/secrets when the task starts. Example: `secrets:
    /// [db-password]` read through `POSTGRES_PASSWORD_FILE`.
    SecretAsFile => "secret-as-file",
    /// A variable set in `environment` that is also a compose secret's
    /// variable: ECS refuses a name in both, so the secret is kept and the
    /// plain value left out. Example: `environment: {STRIPE_KEY: sk_test_…}`
    /// with `secrets: [{source: stripe, target: STRIPE_KEY}]`.
    SecretOverridesVariable => "secret-overrides-variable",
    /// The local value of a variable mapped to a secret would reach the
    /// output through another value. Example: `POSTGRES_PASSWORD:
    /// ${DB_PASSWORD}` with only `DB_PASSWORD` mapped.
    SecretValueInOutput => "secret-value-in-output",
    /// A credential-like variable (`*TOKEN*`, `*SECRET*`, `AWS_ACCESS_KEY_ID`,
    /// …) takes its value from the environment compose2ecs runs in, not
    /// from the project's files, and that value would be written into the
    /// output. Example: `environment: [AWS_SECRET_ACCESS_KEY]` in a CI job
    /// that has the deployer's AWS keys.
    CredentialFromEnvironment => "credential-from-environment",
    /// A value shaped like a well-known credential (an AWS access key, a
    /// GitHub, GitLab, Slack, Stripe, Google, npm or PyPI token, a JWT, a
    /// PEM private key, a password in a URL) would be written into the
    /// output, whatever the key that holds it. Example: `UPSTREAM:
    /// https://app:s3cret@api.internal`.
    CredentialInOutput => "credential-in-output",
    /// A top-level overlay secret that no service uses. Example: `secrets:
    /// {DB_PASSWORD: arn:…}` with no service using `DB_PASSWORD`.
    UnusedSecretMapping => "unused-secret-mapping",
    /// The overlay configures a compose volume that does not exist. Example:
    /// `volumes: {dta: {efs: …}}` with the volume `data`.
    OverlayUnknownVolume => "overlay-unknown-volume",
    /// A task that needs an execution role and has none: an error for
    /// secrets (any launch type) and, on FARGATE and EXTERNAL, for awslogs
    /// logs and private ECR images, which ECS cannot serve without one; a
    /// note for awslogs on EC2, where the container instance role sends the
    /// logs. Example: an overlay with `region:` but no `roles.execution`.
    MissingExecutionRole => "missing-execution-role",
    /// A generated awsvpc service without subnets to run in. Example: an
    /// overlay without `network.subnets`.
    MissingNetwork => "missing-network",
    /// An output that does not follow the ECS API model: a bug of
    /// compose2ecs. Example: a task definition with `"cpu": "300"` on
    /// FARGATE, fed to `validate::task_definition_json`.
    OutputSchemaViolation => "output-schema-violation",
    /// How compose service names resolve on ECS. Example: several services
    /// without `service_connect` in the overlay.
    ServiceDiscovery => "service-discovery",
    /// The merged compose file does not follow the Compose Specification's
    /// JSON Schema. Example: `ports: 80` (a number, not a list).
    SchemaViolation => "schema-violation",
    /// A service key of the Compose Specification that compose2ecs does not map
    /// (yet). Example: `blkio_config:`.
    UnsupportedKey => "unsupported-key",
    /// A key that compose2ecs reads and deliberately leaves out, because ECS
    /// does the job another way. Example: `restart:` (the ECS service scheduler
    /// restarts tasks).
    IgnoredKey => "ignored-key",
    /// A service built locally whose image exists only where it was built (no
    /// `image`, `pull_policy: build` or `never`, or a bare name like
    /// `myapp`), with neither `images.registry` nor `services.<name>.image`
    /// in the overlay. Example: `build: .` with `image: myapp-local`.
    BuildWithoutImage => "build-without-image",
    /// A service has no `image` and no `build`.
    /// Example: `services: {web: {ports: ["80"]}}`.
    MissingImage => "missing-image",
    /// A published port differs from the container port on `awsvpc`, where the
    /// host port always equals the container port. Example: `"8000:8080"`.
    HostPortDropped => "host-port-dropped",
    /// A port is bound to a host IP, which ECS cannot honour. Example:
    /// `"127.0.0.1:8080:8080"`.
    HostIpDropped => "host-ip-dropped",
    /// A value was moved into the range ECS accepts. Example:
    /// `healthcheck.interval: 1s` becomes 5 seconds.
    ValueClamped => "value-clamped",
    /// A health check setting ECS has no equivalent for. Example:
    /// `healthcheck.start_interval`.
    HealthcheckOptionDropped => "healthcheck-option-dropped",
    /// An output would break a rule ECS enforces when it registers a task
    /// definition, creates a service or runs a task (`docs/ecs-rules.md`),
    /// which nothing earlier reported. Example: two grouped services whose
    /// containers both map port 8080 in one awsvpc task.
    EcsRule => "ecs-rule",
    /// A service that runs once becomes a job: its `run-task` input
    /// (`<family>.run-task.json`) instead of an ECS service, and `deploy` runs
    /// it to completion before what depends on it. Example: `migrate` with
    /// `restart: "no"`, or one that `web` waits for with `condition:
    /// service_completed_successfully`.
    OneShotJob => "one-shot-job",
    /// A `schedule` of the overlay that EventBridge Scheduler cannot run as
    /// the compose project means: not a schedule expression, no
    /// `roles.scheduler`, or a `depends_on` to or from another task (the
    /// schedule starts the task alone, on its clock). Example:
    /// `services: {backup: {schedule: "0 3 * * *"}}` (crontab's five
    /// fields; EventBridge has six: `cron(0 3 * * ? *)`).
    InvalidSchedule => "invalid-schedule",
    /// A `scaling` of the overlay that Application Auto Scaling cannot apply:
    /// `min` above `max`, a target outside 1–100 %, `requests_per_target`
    /// without the load balancer's ARN, or scaling of a job. Example:
    /// `scaling: {min: 4, max: 2}`.
    InvalidScaling => "invalid-scaling",
    /// An `x-aws-*` extension of Docker's retired ECS integration: read into
    /// the overlay (a note), or not honoured, with the overlay key to use (a
    /// warning). Example: `x-aws-loadbalancer: arn:…` (compose2ecs creates
    /// no listeners or target groups).
    DockerEcsExtension => "docker-ecs-extension",
    /// A part of the overlay's `cloudformation` patch of the template (or of
    /// Docker's `x-aws-cloudformation`) worth knowing about: a resource
    /// named as Docker named it, read as the template's (a note), or one the
    /// template does not have and the patch gives no `Type`, left out (a
    /// warning). Example: `Resources: {WebTCP80TargetGroup: {Properties: …}}`.
    TemplatePatch => "template-patch",
    /// `depends_on` names a service that runs in another task definition; ECS
    /// can only order containers of one task.
    /// Example: `web` `depends_on: [db]`, each in its own task.
    CrossTaskDependency => "cross-task-dependency",
    /// `depends_on` names a service that does not exist or is not active.
    /// Example: `depends_on: [db]` where `db` is only in an inactive profile.
    UnknownDependency => "unknown-dependency",
    /// `condition: service_healthy` on a service without a health check.
    /// Example: `depends_on: {db: {condition: service_healthy}}`, `db` without `healthcheck`.
    DependencyWithoutHealthcheck => "dependency-without-healthcheck",
    /// A `logging.driver` other than awslogs; the overlay's awslogs settings are
    /// used instead.
    /// Example: `logging: {driver: json-file}`.
    LoggingDriverReplaced => "logging-driver-replaced",
    /// An environment variable written as a bare `KEY` that is not set in the
    /// interpolation environment; it is left out.
    /// Example: `environment: [API_KEY]` with API_KEY unset.
    UnresolvedEnvironment => "unresolved-environment",
    /// Logs are sent to CloudWatch but no region is known. Example: an overlay
    /// without `region:` or `logs.region`.
    MissingRegion => "missing-region",
    /// The reservation is larger than the limit. Example: `mem_limit: 256m`
    /// with `mem_reservation: 512m`.
    ReservationExceedsLimit => "reservation-exceeds-limit",
    /// The task needs more cpu or memory than any valid Fargate size, or the
    /// overlay's cpu/memory is not a valid Fargate pair.
    /// Example: `services: {web: {cpu: 300}}` in the overlay on FARGATE.
    InvalidTaskSize => "invalid-task-size",
    /// The containers together ask for more than the task provides.
    /// Example: two containers of 3 GiB each in a task of 4 GiB.
    TaskSizeExceeded => "task-size-exceeded",
    /// A task-size value was rounded up to the next valid Fargate pair.
    /// Example: containers summing to 700 MiB on FARGATE (memory 1024).
    TaskSizeRounded => "task-size-rounded",
    /// The task size compose2ecs chose because neither compose nor the
    /// overlay gives one. Example: a service without `cpus`, `mem_limit` or
    /// `deploy.resources`, sized cpu 256 / memory 512 MiB on FARGATE.
    TaskSizeChosen => "task-size-chosen",
    /// A name ECS does not accept. Example: a family `my.app`.
    InvalidName => "invalid-name",
    /// The top-level `name:` is not a valid project name, and is read
    /// normalised, as docker compose reads it. Example: `name: My App`, read
    /// as `myapp`.
    ProjectNameNormalized => "project-name-normalized",
    /// A key of the overlay that does not exist. Example: `roles: {exec: …}`.
    OverlayUnknownKey => "overlay-unknown-key",
    /// The overlay names a compose service that does not exist.
    /// Example: `services: {wbe: {cpu: 512}}` in the overlay.
    OverlayUnknownService => "overlay-unknown-service",
    /// A combination the launch type or network mode cannot run. Example:
    /// `launch_type: FARGATE` with `network_mode: bridge`.
    IncompatibleSetting => "incompatible-setting",
    /// Two compose services produce the same task definition family.
    /// Example: two services with `family: shared` in the overlay.
    DuplicateFamily => "duplicate-family",
    /// A service is left out because its profiles are not active.
    /// Example: `profiles: [debug]` without `--profile debug`.
    InactiveProfile => "inactive-profile",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding about the input: what, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// A lowercase sentence without a trailing period.
    pub message: String,
    /// The key path, such as `services.web.ports[1]`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where in which file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// What to do instead, when there is advice to give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The other places with the same cause: one diagnostic per cause,
    /// however many places show it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Place>,
}

impl Diagnostic {
    /// A new diagnostic without path, location or help.
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            path: None,
            location: None,
            help: None,
            also: Vec::new(),
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// A note.
    pub fn note(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }

    /// Sets the key path.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the location.
    #[must_use]
    pub fn at(mut self, location: Option<&Location>) -> Self {
        self.location = location.cloned();
        self
    }

    /// Sets the advice.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic stops the conversion.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `error[code]: message (path) at file:line:column`, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.severity, self.code, self.message)?;
        if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        if let Some(location) = &self.location {
            write!(f, " at {location}")?;
        }
        if !self.also.is_empty() {
            write!(f, "; and {} more:", self.also.len())?;
            for p in &self.also {
                if let Some(path) = &p.path {
                    write!(f, " ({path})")?;
                }
                if let Some(location) = &p.location {
                    write!(f, " at {location}")?;
                }
            }
        }
        Ok(())
    }
}

/// The input was rejected: at least one error, and no output.
///
/// It holds every error found in the pass, plus the warnings and notes seen
/// before the conversion stopped, in the order they were found.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    diagnostics: Vec<Diagnostic>,
    sources: Sources,
}

impl Error {
    /// Builds an error from diagnostics; at least one must be an error.
    pub(crate) fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> Self {
        debug_assert!(diagnostics.iter().any(Diagnostic::is_error));
        Error {
            diagnostics,
            sources: Sources::default(),
        }
    }

    /// One error.
    pub(crate) fn single(diagnostic: Diagnostic) -> Self {
        Error {
            diagnostics: vec![diagnostic],
            sources: Sources::default(),
        }
    }

    /// The files the pass read, to quote the lines the diagnostics point at.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Adds to the files and sensitive values the error carries.
    /// Keeps the errors and the diagnostics `keep` wants.
    pub(crate) fn retain(mut self, keep: impl Fn(&Diagnostic) -> bool) -> Self {
        self.diagnostics.retain(|d| d.is_error() || keep(d));
        self
    }

    pub(crate) fn with_sources(mut self, sources: Sources) -> Self {
        self.sources.merge(sources);
        self
    }

    /// Every diagnostic: the errors and the warnings found with them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The code of the first error.
    pub fn code(&self) -> Code {
        self.errors().next().map_or(Code::Io, |d| d.code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in self.errors() {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The candidate closest to `name`, if one is close enough to be the likely
/// intent (Jaro–Winkler similarity above 0.8): the "did you mean" of every
/// unknown-key message.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
        // Short names with two letters swapped (`wbe` for `web`) or in
        // another case score low on Jaro-Winkler: one edit, or the same
        // letters, is still a likely slip.
        .or_else(|| {
            candidates
                .iter()
                .map(|c| {
                    (
                        strsim::osa_distance(&name.to_lowercase(), &c.to_lowercase()),
                        *c,
                    )
                })
                .filter(|(edits, _)| *edits <= 1 + name.chars().count() / 8)
                .min_by_key(|(edits, _)| *edits)
                .map(|(_, c)| c)
        })
}

/// Collects diagnostics during a pass.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    items: Vec<Diagnostic>,
    /// The files read on the way (`include`, `extends`).
    pub(crate) sources: Sources,
}

impl Sink {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// What another sink gathered, after this one's.
    pub(crate) fn append(&mut self, other: Sink) {
        self.items.extend(other.items);
        self.sources.merge(other.sources);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// How many errors were pushed: a pass compares it before and after.
    pub(crate) fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// `Err` with everything when any error was pushed.
    pub(crate) fn check(&mut self) -> Result<(), Error> {
        if self.has_errors() {
            Err(
                Error::from_diagnostics(group::by_cause(std::mem::take(&mut self.items)))
                    .with_sources(self.sources.clone()),
            )
        } else {
            Ok(())
        }
    }

    pub(crate) fn extend_from_error(&mut self, e: Error) {
        self.items.extend(e.diagnostics);
        self.sources.merge(e.sources);
    }

    pub(crate) fn into_vec(self) -> Vec<Diagnostic> {
        group::by_cause(self.items)
    }
}
