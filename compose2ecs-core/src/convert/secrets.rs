//! Compose secrets and overlay-mapped variables → ECS `secrets`.
//!
//! What is never done here: reading a secret's file or value, or putting a
//! value of a mapped variable anywhere. A mapped variable is taken out of the
//! environment before it is written, and no message quotes a value.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::redact::{has_connection_password, looks_secret};
use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::ecs::Secret;
use crate::ecs::arn::Arn;
use crate::model::Service;
use crate::overlay::{LoadedOverlay, Overlay};

use super::secret_files::{INIT_CONTAINER, SecretFile, as_file, file_variables};

/// The ARN (or parameter name) a name is mapped to: the service's own
/// overlay entry, else the top-level one.
fn lookup<'o>(overlay: &'o Overlay, service: &str, name: &str) -> Option<&'o String> {
    overlay
        .services
        .get(service)
        .and_then(|s| s.secrets.get(name))
        .or_else(|| overlay.secrets.get(name))
}

/// The environment variable a secret named `secret` is given as, when
/// nothing names one: `db-password` → `DB_PASSWORD` (every character that
/// is not an ASCII letter or digit becomes `_`). `init` names its overlay
/// placeholders by the same rule.
pub(crate) fn env_name(secret: &str) -> String {
    secret
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What a container gets of its secrets.
#[derive(Debug, Default)]
pub(super) struct ContainerSecrets {
    /// ECS `secrets`: environment variables.
    pub secrets: Vec<Secret>,
    /// The environment variables they replace.
    pub replaced: BTreeSet<String>,
    /// The compose secrets it reads as files.
    pub files: Vec<SecretFile>,
}

/// The container's `secrets`, the environment variables they replace, and
/// the compose secrets it reads as files.
pub(super) fn container_secrets(
    overlay: &Overlay,
    s: &Service,
    sink: &mut Sink,
) -> ContainerSecrets {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut replaced = BTreeSet::new();
    let mut files = Vec::new();

    for r in &s.secrets {
        let name = match &r.target {
            Some(t) if is_env_name(t) => t.clone(),
            _ => env_name(&r.source),
        };
        let Some(arn) = lookup(overlay, &s.name, &r.source) else {
            sink.push(
                Diagnostic::error(
                    Code::SecretWithoutSource,
                    format!("secret `{}` of `{}` has no source on AWS", r.source, s.name),
                )
                .with_path(&r.path)
                .at(Some(&r.loc))
                .with_help(format!(
                    "map it in compose2ecs.yaml: `secrets: {{{}: arn:aws:secretsmanager:<region>:<account>:secret:<name>}}` (or an SSM parameter)",
                    r.source
                )),
            );
            continue;
        };
        match as_file(overlay, r, arn, is_env_name, sink) {
            Some(Ok(file)) => {
                sink.push(
                    Diagnostic::note(
                        Code::SecretAsFile,
                        format!(
                            "secret `{}` is the file {} of `{}`, written when the task starts by the init container `{INIT_CONTAINER}`, which receives it as an ECS secret",
                            r.source, file.path, s.name
                        ),
                    )
                    .with_path(&r.path)
                    .at(Some(&r.loc))
                    .with_help(format!("to hand it over as the environment variable {name} instead, list it in compose2ecs.yaml: `secret_files: {{as_environment: [{}]}}`", r.source)),
                );
                files.push(file);
                continue;
            }
            Some(Err(())) => continue,
            None => {
                for (k, _, loc) in &r.owner {
                    sink.push(
                        Diagnostic::note(
                            Code::IgnoredKey,
                            format!("`{k}` is not converted: secret `{}` reaches the container as an environment variable, not a file", r.source),
                        )
                        .with_path(format!("{}.{k}", r.path))
                        .at(Some(loc)),
                    );
                }
            }
        }
        sink.push(
            Diagnostic::note(
                Code::SecretAsEnvironment,
                format!(
                    "secret `{}` reaches the container as the environment variable `{name}`, not as the file /run/secrets/{}",
                    r.source,
                    r.target.as_deref().unwrap_or(&r.source)
                ),
            )
            .with_path(&r.path)
            .at(Some(&r.loc))
            .with_help("the application reads it from the environment; for a file instead, give the secret a `target` that is a file name (`target: stripe_key`) and leave it out of `secret_files.as_environment`"),
        );
        // ECS refuses a name that is both a variable and a secret:
        // the secret wins, and its local value is left out.
        if let Some(var) = s.environment.get(&name) {
            sink.push(
                Diagnostic::warning(
                    Code::SecretOverridesVariable,
                    format!(
                        "`{name}` is set in `environment` and is also the secret `{}`: only the secret is kept, and the plain value is left out",
                        r.source
                    ),
                )
                .with_path(format!("services.{}.environment.{name}", s.name))
                .at(Some(&var.loc))
                .with_help(format!("remove `{name}` from `environment` (the container reads it from the secret)")),
            );
            replaced.insert(name.clone());
        }
        out.insert(name, arn.clone());
    }

    for name in s.environment.keys() {
        if let Some(arn) = lookup(overlay, &s.name, name) {
            out.insert(name.clone(), arn.clone());
            replaced.insert(name.clone());
        }
    }
    if let Some(own) = overlay.services.get(&s.name) {
        for (name, arn) in &own.secrets {
            let is_compose_secret = s.secrets.iter().any(|r| r.source == *name);
            if !is_compose_secret && !out.contains_key(name) {
                out.insert(name.clone(), arn.clone());
            }
        }
    }

    file_variables(s, &files, sink);
    for (name, var) in &s.environment {
        if replaced.contains(name) || var.value.is_empty() {
            continue;
        }
        // `POSTGRES_PASSWORD_FILE: /run/secrets/db` names a file, not a
        // secret; an ARN or `${…}` is a reference.
        let reference = (name.to_ascii_uppercase().ends_with("_FILE")
            && var.value.starts_with('/'))
            || var.value.starts_with("arn:");
        let by_name = looks_secret(name) && !reference;
        if by_name || has_connection_password(&var.value) {
            let what = if by_name {
                format!("`{name}` looks like a secret")
            } else {
                format!("`{name}` holds a connection string with a password")
            };
            sink.push(
                Diagnostic::warning(
                    Code::PlaintextSecret,
                    format!("{what}, and its value would be written into the task definition in plain text"),
                )
                .with_path(format!("services.{}.environment.{name}", s.name))
                .at(Some(&var.loc))
                .with_help(format!(
                    "map it to Secrets Manager or SSM in compose2ecs.yaml: `secrets: {{{name}: arn:aws:secretsmanager:…}}`; its local value is then left out"
                )),
            );
        }
    }

    let secrets = out
        .into_iter()
        .map(|(name, value_from)| Secret { name, value_from })
        .collect();
    ContainerSecrets {
        secrets,
        replaced,
        files,
    }
}

/// The region of a Secrets Manager or SSM ARN, or `Err` when the reference
/// is neither such an ARN nor an SSM parameter name. `Ok(None)`: a
/// parameter name (in the task's own region).
pub(crate) fn reference_region(reference: &str) -> Result<Option<&str>, ()> {
    if reference.starts_with("arn:") {
        let a = Arn::parse(reference).filter(|a| !a.region.is_empty() && a.has_account_id());
        let Some(a) = a else {
            return Err(());
        };
        let fields = a.resource_fields();
        let ok = match a.service {
            "secretsmanager" => {
                fields[0] == "secret"
                    && fields.get(1).is_some_and(|n| !n.is_empty())
                    && (fields.len() == 2 || fields.len() == 5)
            }
            "ssm" => {
                fields.len() == 1
                    && fields[0]
                        .strip_prefix("parameter")
                        .is_some_and(|p| p.len() > 1)
            }
            _ => false,
        };
        return if ok { Ok(Some(a.region)) } else { Err(()) };
    }
    let name_ok = !reference.is_empty()
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-/".contains(&b));
    if name_ok { Ok(None) } else { Err(()) }
}

/// Checks every secret mapping of the overlay once: the reference's shape,
/// its region, and that something uses it.
pub(super) fn check_overlay(
    loaded: &LoadedOverlay,
    project: &crate::model::Project,
    sink: &mut Sink,
) {
    let o = &loaded.overlay;
    let mut entries: Vec<(Vec<&str>, &String, &String)> = o
        .secrets
        .iter()
        .map(|(k, v)| (vec!["secrets", k.as_str()], k, v))
        .collect();
    for (svc, settings) in &o.services {
        for (k, v) in &settings.secrets {
            entries.push((vec!["services", svc.as_str(), "secrets", k.as_str()], k, v));
        }
    }
    for (path, name, value) in entries {
        let at: Option<&Location> = loaded.value_loc(&path).or(loaded.root_loc.as_ref());
        let dotted = path.join(".");
        match reference_region(value) {
            Err(()) => sink.push(
                Diagnostic::error(
                    Code::InvalidSecretReference,
                    format!("`{dotted}` is not a Secrets Manager secret ARN, nor an SSM parameter ARN or name"),
                )
                .with_path(&dotted)
                .at(at)
                .with_help("write `arn:aws:secretsmanager:<region>:<account>:secret:<name>` (optionally `:<json-key>::`), `arn:aws:ssm:<region>:<account>:parameter/<name>`, or a parameter name; never the secret itself"),
            ),
            Ok(Some(region)) => {
                if let Some(expected) = &o.region {
                    if region != expected {
                        sink.push(
                            Diagnostic::warning(
                                Code::SecretRegionMismatch,
                                format!("`{dotted}` is in {region}, but the tasks run in {expected}"),
                            )
                            .with_path(&dotted)
                            .at(at)
                            .with_help("ECS reads secrets across regions only by full ARN and with an execution role allowed to; check it is meant"),
                        );
                    }
                }
            }
            Ok(None) => {}
        }
        // A top-level entry should be used by some service.
        if path[0] == "secrets" {
            let used = project.secrets.contains_key(name)
                || project
                    .services
                    .values()
                    .any(|s| s.environment.contains_key(name));
            if !used {
                let known = project
                    .secrets
                    .keys()
                    .chain(project.services.values().flat_map(|s| s.environment.keys()));
                let help = match crate::diagnostic::closest(name, known.map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "remove it, or add the variable to a service's `environment` (per-service secrets go under `services.<name>.secrets`)".to_owned(),
                };
                sink.push(
                    Diagnostic::warning(
                        Code::UnusedSecretMapping,
                        format!("the overlay maps secret `{name}`, which no service uses as an environment variable or a compose secret"),
                    )
                    .with_path(&dotted)
                    .at(loaded.key_loc(&path))
                    .with_help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_references() {
        let ok = |r: &str| reference_region(r).is_ok();
        assert_eq!(
            reference_region("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"),
            Ok(Some("us-east-1"))
        );
        assert!(ok(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"
        ));
        assert!(ok(
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x"
        ));
        assert_eq!(
            reference_region("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/api-key"),
            Ok(Some("eu-west-1"))
        );
        assert_eq!(reference_region("/prod/api-key"), Ok(None));
        assert!(!ok("arn:aws:s3:::bucket"));
        assert!(!ok("arn:aws:secretsmanager:us-east-1:1234:secret:x"));
        assert!(!ok(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:x:only-a-key"
        ));
        assert!(!ok("hunter 2!"));
    }

    #[test]
    fn secret_looking_names() {
        for n in [
            "DB_PASSWORD",
            "api_key",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "JWT_KEY",
        ] {
            assert!(looks_secret(n), "{n}");
        }
        for n in ["LOG_LEVEL", "KEYBOARD", "PORT"] {
            assert!(!looks_secret(n), "{n}");
        }
        assert_eq!(env_name("db-password"), "DB_PASSWORD");
    }
}
