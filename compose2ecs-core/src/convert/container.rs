//! One compose service → one container definition.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{ContainerDefinition, KeyValuePair};
use crate::model::{Service, Setting};

use super::{Context, health, logs, ports, secrets};

/// The container, and the secrets it reads as files (for the task's init
/// container).
pub(super) fn build(
    ctx: &Context<'_>,
    s: &Service,
    sink: &mut Sink,
) -> (ContainerDefinition, Vec<super::secret_files::SecretFile>) {
    let name = match &s.container_name {
        Some(cn) if crate::ecs::is_ecs_name(&cn.value) => cn.value.clone(),
        Some(cn) => {
            sink.push(
                Diagnostic::warning(
                    Code::InvalidName,
                    format!(
                        "container_name `{}` is not a valid ECS container name; the container is named `{}`",
                        cn.value, s.name
                    ),
                )
                .with_path(&cn.path)
                .at(Some(&cn.loc)),
            );
            s.name.clone()
        }
        None => s.name.clone(),
    };

    // Secrets first: a variable mapped to a secret never reaches `environment`.
    let secrets::ContainerSecrets {
        secrets,
        replaced,
        files,
    } = secrets::container_secrets(ctx.overlay, s, sink);
    let mut env: BTreeMap<String, String> = s
        .environment
        .iter()
        .filter(|(k, _)| !replaced.contains(*k))
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    if let Some(extra) = ctx.task_env.filter(|_| ctx.task_owner == s.name) {
        env.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    // "The Docker daemon reserves a minimum of 6 MiB of memory for a
    // container, so you should not specify fewer than 6 MiB of memory for
    // your containers." (ContainerDefinition.memory)
    for m in [&s.memory_limit, &s.memory_reservation]
        .into_iter()
        .flatten()
    {
        if m.value < 6 {
            sink.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("{} MiB is below the 6 MiB ECS allows a container", m.value),
                )
                .with_path(&m.path)
                .at(Some(&m.loc))
                .with_help("give the container at least 6m"),
            );
        }
    }
    let (memory, memory_reservation) = match (&s.memory_limit, &s.memory_reservation) {
        (Some(limit), Some(res)) if res.value > limit.value => {
            sink.push(
                Diagnostic::error(
                    Code::ReservationExceedsLimit,
                    format!(
                        "`{}` reserves {} MiB but is limited to {} MiB",
                        s.name, res.value, limit.value
                    ),
                )
                .with_path(&res.path)
                .at(Some(&res.loc))
                .with_help("lower the reservation or raise the limit"),
            );
            (Some(limit.value), None)
        }
        (limit, res) => (
            limit.as_ref().map(|l| l.value),
            res.as_ref().map(|r| r.value),
        ),
    };

    let container = ContainerDefinition {
        name,
        image: image(ctx, s, sink),
        essential: true,
        cpu: s
            .cpu_limit
            .as_ref()
            .or(s.cpu_reservation.as_ref())
            .or(s.cpu_shares.as_ref())
            .map(|c| c.value),
        memory,
        memory_reservation,
        entry_point: s.entrypoint.clone(),
        command: s.command.clone(),
        working_directory: s.working_dir.clone(),
        user: s.user.clone(),
        environment: env
            .into_iter()
            .map(|(k, v)| KeyValuePair::new(k, v))
            .collect(),
        secrets,
        port_mappings: ports::port_mappings(ctx.platform, &s.ports, sink),
        health_check: s
            .healthcheck
            .as_ref()
            .and_then(|h| health::health_check(s, h, sink)),
        depends_on: Vec::new(),
        docker_labels: s.labels.clone(),
        log_configuration: logs::log_configuration(ctx, s, sink),
        ..ContainerDefinition::default()
    };
    (container, files)
}

/// The image a container runs. A pushed image the overlay names wins; a
/// service built here whose image exists only where it was built (no
/// `image:`, `pull_policy: build|never`, or a bare name such as `myapp`,
/// which no one can push to Docker Hub's official namespace) runs
/// `<images.registry>/<project>-<service>:<images.tag>`, and without a
/// registry is an error; any other `image:` is taken as pushed.
fn image(ctx: &Context<'_>, s: &Service, sink: &mut Sink) -> String {
    if let Some(image) = ctx
        .overlay
        .services
        .get(&s.name)
        .and_then(|o| o.image.clone())
    {
        return image;
    }
    let Some(build_loc) = &s.build else {
        // Neither `image:` nor `build:`: the model has refused the project.
        return s
            .image
            .as_ref()
            .map(|i| i.value.clone())
            .unwrap_or_default();
    };
    let pull_policy = s.others.iter().find_map(|o| match &o.setting {
        Setting::PullPolicy(p) => Some(p.as_str()),
        _ => None,
    });
    let local_only = match &s.image {
        None => Some("it has no `image:`".to_owned()),
        Some(i) if matches!(pull_policy, Some("build" | "never")) => Some(format!(
            "its image `{}` is built here (`pull_policy: {}`)",
            i.value,
            pull_policy.unwrap_or_default()
        )),
        Some(i) if !i.value.contains('/') => Some(format!(
            "its image `{}` is a bare name, which only the local build produces",
            i.value
        )),
        Some(i) => return i.value.clone(),
    };
    if let Some(registry) = &ctx.overlay.images.registry {
        let tag = ctx.overlay.images.tag.as_deref().unwrap_or("latest");
        return format!(
            "{}/{}-{}:{tag}",
            registry.trim_end_matches('/'),
            ctx.project.name,
            s.name
        );
    }
    let (path, at) = match &s.image {
        Some(i) => (i.path.clone(), &i.loc),
        None => (format!("services.{}.build", s.name), build_loc),
    };
    sink.push(
        Diagnostic::error(
            Code::BuildWithoutImage,
            format!(
                "`{}` is built locally and {}; ECS pulls every image from a registry",
                s.name,
                local_only.unwrap_or_default()
            ),
        )
        .with_path(path)
        .at(Some(at))
        .with_help(format!(
            "set `images.registry` in compose2ecs.yaml to run `<registry>/{}-{}:<tag>` (push it there), or `services.{}.image` to the image you pushed",
            ctx.project.name, s.name, s.name
        )),
    );
    s.image
        .as_ref()
        .map(|i| i.value.clone())
        .unwrap_or_default()
}
