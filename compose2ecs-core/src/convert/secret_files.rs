//! Compose secrets as files. ECS hands secrets to a container only as
//! environment variables, while compose mounts them as files under
//! /run/secrets, where the applications (`POSTGRES_PASSWORD_FILE`, a health
//! check's `$(cat /run/secrets/db-password)`) read them. So a small init
//! container receives the task's file secrets as ECS `secrets` and writes
//! each to a task volume; the containers that use them mount it read-only at
//! /run/secrets and start once it has exited 0. No value is ever in the
//! task definition: only the ARNs, and a script that names variables.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{ContainerDefinition, ContainerDependency, MountPoint, Secret, Volume};
use crate::model::{SecretRef, Service};
use crate::overlay::Overlay;

/// Where the secret files are, as compose mounts them.
pub(super) const SECRETS_DIR: &str = "/run/secrets";
/// The init container's name (another, when a service already has it).
pub(super) const INIT_CONTAINER: &str = "compose2ecs-secrets";
/// The task volume the files are written to.
const VOLUME: &str = "compose2ecs-secrets";
/// The init container's image by default: public, so pulling it needs no
/// credentials, and small.
pub(super) const DEFAULT_IMAGE: &str = "public.ecr.aws/docker/library/busybox:1.37";

/// A compose secret a container reads as a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SecretFile {
    /// The compose secret.
    pub source: String,
    /// Its ARN or parameter.
    pub value_from: String,
    /// The file, under [`SECRETS_DIR`].
    pub path: String,
    /// Octal permissions; default 0444, as compose's.
    pub mode: String,
    pub uid: Option<String>,
    pub gid: Option<String>,
}

/// `0440`, `0o440` (octal) or `288` (decimal, as YAML reads a bare number)
/// as the octal digits `chmod` takes; `None` when it is neither.
fn octal_mode(written: &str) -> Option<String> {
    let w = written.trim();
    let value = match w
        .strip_prefix("0o")
        .or_else(|| w.strip_prefix('0').filter(|r| !r.is_empty()))
    {
        Some(octal) => u32::from_str_radix(octal, 8).ok()?,
        None => w.parse::<u32>().ok()?,
    };
    (value <= 0o7777).then(|| format!("0{value:o}"))
}

/// How a mapped compose secret reaches the container: `None` as an
/// environment variable (its long-syntax `target` is a variable name, or
/// the overlay lists it in `secret_files.as_environment`), else as a file
/// under /run/secrets (`Err` when that cannot be: reported).
pub(super) fn as_file(
    overlay: &Overlay,
    r: &SecretRef,
    value_from: &str,
    is_env_name: impl Fn(&str) -> bool,
    sink: &mut Sink,
) -> Option<Result<SecretFile, ()>> {
    if overlay.secret_files.as_environment.contains(&r.source) {
        return None;
    }
    let path = match r.target.as_deref() {
        Some(t) if is_env_name(t) => return None,
        None => format!("{SECRETS_DIR}/{}", r.source),
        Some(t) if t.starts_with(&format!("{SECRETS_DIR}/")) => t.to_owned(),
        Some(t) if !t.starts_with('/') => format!("{SECRETS_DIR}/{t}"),
        Some(t) => {
            sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("secret `{}` is mounted at `{t}`; on ECS the secret files are written to a volume mounted at {SECRETS_DIR}, and mounting it elsewhere would hide what that directory holds", r.source),
                )
                .with_path(&r.path)
                .at(Some(&r.loc))
                .with_help(format!("use a target under {SECRETS_DIR} (`target: {}`), or hand it over as an environment variable: `secret_files: {{as_environment: [{}]}}` in compose2ecs.yaml", t.rsplit('/').next().unwrap_or(t), r.source)),
            );
            return Some(Err(()));
        }
    };
    let get = |k: &str| r.owner.iter().find(|(key, ..)| key == k);
    let mode = match get("mode") {
        None => "0444".to_owned(),
        Some((_, written, loc)) => match octal_mode(written) {
            Some(m) => m,
            None => {
                sink.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`mode: {written}` is not a file mode"),
                    )
                    .with_path(format!("{}.mode", r.path))
                    .at(Some(loc))
                    .with_help("give it in octal, as `mode: 0440`"),
                );
                return Some(Err(()));
            }
        },
    };
    let id = |k: &str| {
        get(k)
            .map(|(_, v, _)| v.clone())
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
    };
    Some(Ok(SecretFile {
        source: r.source.clone(),
        value_from: value_from.to_owned(),
        path,
        mode,
        uid: id("uid"),
        gid: id("gid"),
    }))
}

/// `X_FILE` pointing at a secret file, in an image that also reads `X`
/// (the official postgres, mysql and mariadb images): a note that mapping
/// `X` to the secret does without the init container.
pub(super) fn file_variables(s: &Service, files: &[SecretFile], sink: &mut Sink) {
    let image = s.image.as_ref().map_or("", |i| i.value.as_str());
    let repo = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .split([':', '@'])
        .next()
        .unwrap_or("");
    if !matches!(repo, "postgres" | "mysql" | "mariadb") {
        return;
    }
    for (name, var) in &s.environment {
        let Some(plain) = name.strip_suffix("_FILE") else {
            continue;
        };
        let Some(file) = files.iter().find(|f| f.path == var.value) else {
            continue;
        };
        sink.push(
            Diagnostic::note(
                Code::SecretAsFile,
                format!(
                    "`{name}` points at the secret file {}, which the init container writes; the {repo} image also reads `{plain}` from the environment",
                    file.path
                ),
            )
            .with_path(format!("services.{}.environment.{name}", s.name))
            .at(Some(&var.loc))
            .with_help(format!(
                "to do without the init container, map `{plain}` to the secret in compose2ecs.yaml (`services: {{{}: {{secrets: {{{plain}: {}}}}}}}`) and list `{}` in `secret_files.as_environment`",
                s.name, file.value_from, file.source
            )),
        );
    }
}

/// Adds the init container and the volume to a task whose containers read
/// secret files (`files[i]` for `containers[i]`): it writes every file, each
/// reader mounts the volume read-only at /run/secrets and waits for it.
pub(super) fn add_init_container(
    overlay: &Overlay,
    containers: &mut Vec<ContainerDefinition>,
    files: &[Vec<SecretFile>],
    volumes: &mut std::collections::BTreeMap<String, Volume>,
) {
    let mut all: Vec<&SecretFile> = Vec::new();
    for f in files.iter().flatten() {
        if !all.iter().any(|g| g.path == f.path) {
            all.push(f);
        }
    }
    if all.is_empty() {
        return;
    }
    let mut name = INIT_CONTAINER.to_owned();
    while containers.iter().any(|c| c.name == name) {
        name.push_str("-init");
    }
    let mut secrets = Vec::new();
    let mut script = vec![format!("set -eu; umask 077; mkdir -p {SECRETS_DIR}")];
    for (i, f) in all.iter().enumerate() {
        let var = format!("COMPOSE2ECS_SECRET_{i}");
        let path = shell_words::quote(&f.path).into_owned();
        if let Some(dir) = f
            .path
            .rsplit_once('/')
            .map(|(d, _)| d)
            .filter(|d| *d != SECRETS_DIR)
        {
            script.push(format!("mkdir -p {}", shell_words::quote(dir)));
        }
        script.push(format!("printf '%s' \"${var}\" > {path}"));
        script.push(format!("chmod {} {path}", f.mode));
        if f.uid.is_some() || f.gid.is_some() {
            script.push(format!(
                "chown {}:{} {path}",
                f.uid.as_deref().unwrap_or("0"),
                f.gid.as_deref().unwrap_or("0")
            ));
        }
        secrets.push(Secret {
            name: var,
            value_from: f.value_from.clone(),
        });
    }
    let log_configuration = containers.first().and_then(|c| c.log_configuration.clone());
    let mut init = ContainerDefinition {
        name: name.clone(),
        image: overlay
            .secret_files
            .image
            .clone()
            .unwrap_or_else(|| DEFAULT_IMAGE.to_owned()),
        essential: false,
        entry_point: Some(vec!["sh".to_owned(), "-c".to_owned()]),
        command: Some(vec![script.join("; ")]),
        secrets,
        log_configuration,
        ..ContainerDefinition::default()
    };
    init.mount_points.push(MountPoint {
        source_volume: VOLUME.to_owned(),
        container_path: SECRETS_DIR.to_owned(),
        read_only: false,
    });
    for (c, f) in containers.iter_mut().zip(files) {
        if f.is_empty() {
            continue;
        }
        c.mount_points.push(MountPoint {
            source_volume: VOLUME.to_owned(),
            container_path: SECRETS_DIR.to_owned(),
            read_only: true,
        });
        c.depends_on.push(ContainerDependency {
            container_name: name.clone(),
            condition: "SUCCESS".to_owned(),
        });
    }
    volumes.insert(
        VOLUME.to_owned(),
        Volume {
            name: VOLUME.to_owned(),
            host: None,
            efs_volume_configuration: None,
        },
    );
    containers.push(init);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_as_compose_writes_them() {
        assert_eq!(octal_mode("0440").as_deref(), Some("0440"));
        assert_eq!(octal_mode("0o400").as_deref(), Some("0400"));
        assert_eq!(
            octal_mode("288").as_deref(),
            Some("0440"),
            "decimal 288 is 0440"
        );
        assert!(octal_mode("rw-r--r--").is_none());
        assert!(octal_mode("0999").is_none());
    }
}
