//! One compose service → one container definition.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{ContainerDefinition, KeyValuePair};
use crate::model::Service;

use super::{Context, health, logs, ports, secrets};

pub(super) fn build(ctx: &Context<'_>, s: &Service, sink: &mut Sink) -> ContainerDefinition {
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
    let (secrets, replaced) = secrets::container_secrets(ctx.overlay, s, sink);
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

    ContainerDefinition {
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
    }
}

fn image(ctx: &Context<'_>, s: &Service, sink: &mut Sink) -> String {
    if let Some(image) = &s.image {
        return image.value.clone();
    }
    if let Some(build_loc) = &s.build {
        if let Some(registry) = &ctx.overlay.images.registry {
            let tag = ctx.overlay.images.tag.as_deref().unwrap_or("latest");
            return format!(
                "{}/{}-{}:{tag}",
                registry.trim_end_matches('/'),
                ctx.project.name,
                s.name
            );
        }
        sink.push(
            Diagnostic::error(
                Code::BuildWithoutImage,
                format!("`{}` is built locally (`build:`) and has no `image:`; ECS needs an image in a registry", s.name),
            )
            .with_path(format!("services.{}.build", s.name))
            .at(Some(build_loc))
            .with_help(format!(
                "set `image:` to the pushed image, or set `images.registry` in the overlay to use `<registry>/{}-{}:<tag>`",
                ctx.project.name, s.name
            )),
        );
    }
    // Neither `image:` nor `build:`: the model has refused the project.
    String::new()
}
