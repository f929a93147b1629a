//! Images outside ECR from private registries (Docker Hub, GHCR, Quay):
//! `repositoryCredentials`, the Secrets Manager secret ECS logs in with,
//! from the overlay's `pull_credentials` — the service's own, else the
//! one for the image's registry host, else the one for every such image.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::arn::Arn;
use crate::ecs::{RepositoryCredentials, registry_host};
use crate::overlay::{LoadedOverlay, PullCredentials};

/// Sets the `repositoryCredentials` of the task's containers, the compose
/// services `members` in their order.
pub(super) fn apply<'m>(
    overlay: &LoadedOverlay,
    members: impl Iterator<Item = &'m str>,
    containers: &mut [crate::ecs::ContainerDefinition],
    sink: &mut Sink,
) {
    for (service, c) in members.zip(containers.iter_mut()) {
        c.repository_credentials = credentials(overlay, service, &c.image, sink);
    }
}

/// The credentials `service`'s container pulls `image` with, if any.
fn credentials(
    overlay: &LoadedOverlay,
    service: &str,
    image: &str,
    sink: &mut Sink,
) -> Option<RepositoryCredentials> {
    // ECR pulls with the execution role, never with a login.
    if crate::ecs::arn::ecr_image(image).is_some() {
        return None;
    }
    let o = &overlay.overlay;
    let host = registry_host(image);
    let own = o
        .services
        .get(service)
        .and_then(|s| s.pull_credentials.as_ref())
        .map(|a| (a, vec!["services", service, "pull_credentials"]));
    let shared = match &o.pull_credentials {
        Some(PullCredentials::All(a)) => Some((a, vec!["pull_credentials"])),
        Some(PullCredentials::ByHost(m)) => {
            m.get(host).map(|a| (a, vec!["pull_credentials", host]))
        }
        None => None,
    };
    let (arn, path) = own.or(shared)?;
    // "credentialsParameter: The Amazon Resource Name (ARN) of the secret
    // containing the private repository credentials" (API reference,
    // RepositoryCredentials).
    if Arn::parse(arn).is_none_or(|a| a.service != "secretsmanager") {
        sink.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("`{arn}` is not a Secrets Manager ARN; ECS reads a private registry's login only from a Secrets Manager secret"),
            )
            .with_path(path.join("."))
            .at(overlay.value_loc(&path))
            .with_help("store `{\"username\": …, \"password\": …}` as a secret and give its ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>"),
        );
        return None;
    }
    Some(RepositoryCredentials {
        credentials_parameter: arn.clone(),
    })
}
