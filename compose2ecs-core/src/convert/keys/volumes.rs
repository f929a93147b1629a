//! `volumes`, `volumes_from` and tmpfs sizes: task volumes, mount points,
//! and what ECS cannot mount.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{
    ContainerDefinition, EfsAuthorizationConfig, EfsVolumeConfiguration, HostVolume, MountPoint,
    Tmpfs, Volume, VolumeFrom,
};
use crate::model::support;
use crate::model::{OtherKey, VolumeMount, VolumesFrom};
use crate::overlay::{Efs, LaunchType};

use super::{Cx, TaskExtras};

/// tmpfs size when compose gives none (ECS requires one).
const DEFAULT_TMPFS_MIB: u64 = 64;

/// An overlay `efs` block as ECS wants it: transit encryption on unless
/// turned off, the access point and IAM authorisation when given.
fn efs_configuration(efs: &Efs) -> EfsVolumeConfiguration {
    let auth = (efs.access_point.is_some() || efs.iam.is_some()).then(|| EfsAuthorizationConfig {
        access_point_id: efs.access_point.clone(),
        iam: efs
            .iam
            .map(|on| if on { "ENABLED" } else { "DISABLED" }.to_owned()),
    });
    EfsVolumeConfiguration {
        file_system_id: efs.file_system_id.clone(),
        root_directory: efs.root_directory.clone(),
        transit_encryption: Some(
            if efs.transit_encryption.unwrap_or(true) {
                "ENABLED"
            } else {
                "DISABLED"
            }
            .to_owned(),
        ),
        authorization_config: auth,
    }
}

/// A volume name ECS accepts: letters, digits, `-`, `_`.
fn volume_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut collapsed = String::with_capacity(cleaned.len());
    for ch in cleaned.chars() {
        if !(ch == '-' && collapsed.ends_with('-')) {
            collapsed.push(ch);
        }
    }
    let trimmed = collapsed.trim_matches('-');
    let name = if trimmed.is_empty() {
        "volume"
    } else {
        trimmed
    };
    name.chars().take(255).collect()
}

impl Cx<'_> {
    pub(super) fn default_tmpfs_size(
        &self,
        target: &str,
        path: &str,
        at: &crate::diagnostic::Location,
        sink: &mut Sink,
    ) -> u64 {
        sink.push(
            Diagnostic::warning(
                Code::TmpfsWithoutSize,
                format!("tmpfs `{target}` has no size, which ECS requires; using {DEFAULT_TMPFS_MIB} MiB"),
            )
            .with_path(path)
            .at(Some(at))
            .with_help(format!("give it one: `{target}:size=64m`, or `tmpfs: {{size: 64m}}` in the long syntax")),
        );
        DEFAULT_TMPFS_MIB
    }

    pub(super) fn volumes(
        &self,
        mounts: &[VolumeMount],
        c: &mut ContainerDefinition,
        task: &mut TaskExtras,
        sink: &mut Sink,
    ) {
        for m in mounts {
            for (k, key_loc) in &m.unconverted {
                if let Some(row) = support::nested_key(&format!("volumes[].{k}")) {
                    sink.push(
                        Diagnostic::warning(
                            Code::UnsupportedKey,
                            format!("`{k}` is not converted: {}", row.note),
                        )
                        .with_path(format!("{}.{k}", m.path))
                        .at(Some(key_loc)),
                    );
                }
            }
            match m.kind.as_str() {
                "tmpfs" => {
                    let size = m.tmpfs_size.unwrap_or_else(|| {
                        self.default_tmpfs_size(&m.target, &m.path, &m.loc, sink)
                    });
                    c.linux_parameters.tmpfs.push(Tmpfs {
                        container_path: m.target.clone(),
                        size,
                        mount_options: Vec::new(),
                    });
                }
                "volume" => self.named_volume(m, c, task, sink),
                "bind" => self.bind_mount(m, c, task, sink),
                other => sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!("a volume of type `{other}` has no ECS equivalent and is dropped"),
                    )
                    .with_path(&m.path)
                    .at(Some(&m.loc)),
                ),
            }
        }
    }

    fn named_volume(
        &self,
        m: &VolumeMount,
        c: &mut ContainerDefinition,
        task: &mut TaskExtras,
        sink: &mut Sink,
    ) {
        let efs = m
            .source
            .as_ref()
            .and_then(|src| self.overlay.volumes.get(src))
            .and_then(|v| v.efs.as_ref());
        let name = match &m.source {
            Some(src) if efs.is_some() => volume_name(src),
            Some(src) => {
                let name = volume_name(src);
                if task.warned_volumes.insert(name.clone()) {
                    sink.push(
                        Diagnostic::warning(
                            Code::VolumeNotPersistent,
                            format!("volume `{src}` becomes task storage: its data is lost when the task stops"),
                        )
                        .with_path(&m.path)
                        .at(Some(&m.loc))
                        .with_help("for data that must outlive the task, back the volume with EFS in the overlay, or keep the data in a managed service"),
                    );
                }
                name
            }
            None => volume_name(&format!("{}-{}", self.s.name, m.target)),
        };
        task.volumes.entry(name.clone()).or_insert(Volume {
            name: name.clone(),
            host: None,
            efs_volume_configuration: efs.map(efs_configuration),
        });
        c.mount_points.push(MountPoint {
            source_volume: name,
            container_path: m.target.clone(),
            read_only: m.read_only,
        });
    }

    fn bind_mount(
        &self,
        m: &VolumeMount,
        c: &mut ContainerDefinition,
        task: &mut TaskExtras,
        sink: &mut Sink,
    ) {
        let src = m.source.clone().unwrap_or_default();
        let fargate = self.platform.launch_type == LaunchType::Fargate;
        if fargate && src.ends_with("/docker.sock") {
            // Not a file to bake in: the service talks to the Docker daemon
            // (a proxy, a CI runner, a log shipper), and FARGATE has none.
            sink.push(
                Diagnostic::error(
                    Code::LaunchTypeUnsupported,
                    format!("`{}` mounts the Docker daemon's socket (`{src}`), and FARGATE has no Docker daemon to share: what it does with Docker cannot work there", self.s.name),
                )
                .with_path(&m.path)
                .at(Some(&m.loc))
                .with_help(format!("run it on EC2 (`launch_type: EC2` in compose2ecs.yaml), whose container instances have a daemon to mount; if it does not need Docker on ECS, drop the mount in an override file for ECS (`services: {{{}: {{volumes: !reset []}}}}`, passed with -f)", self.s.name)),
            );
            return;
        }
        if fargate || !src.starts_with('/') {
            let why = if fargate {
                "FARGATE tasks cannot mount host paths".to_owned()
            } else {
                format!("`{src}` is not an absolute path on the container instance")
            };
            sink.push(
                Diagnostic::warning(
                    Code::BindMountDropped,
                    format!("bind mount `{src}:{}` is dropped: {why}", m.target),
                )
                .with_path(&m.path)
                .at(Some(&m.loc))
                .with_help(
                    "bake the files into the image, or use a named volume (EFS in the overlay)",
                ),
            );
            return;
        }
        let name = volume_name(&format!("host{src}"));
        task.volumes.entry(name.clone()).or_insert(Volume {
            name: name.clone(),
            host: Some(HostVolume { source_path: src }),
            efs_volume_configuration: None,
        });
        c.mount_points.push(MountPoint {
            source_volume: name,
            container_path: m.target.clone(),
            read_only: m.read_only,
        });
    }

    pub(super) fn volumes_from(
        &self,
        o: &OtherKey,
        from: &[VolumesFrom],
        c: &mut ContainerDefinition,
        containers: &BTreeMap<&str, String>,
        sink: &mut Sink,
    ) {
        for VolumesFrom {
            source: from,
            read_only,
            ..
        } in from
        {
            let container = containers
                .get(from.as_str())
                .cloned()
                .or_else(|| containers.values().find(|c| *c == from).cloned());
            match container {
                Some(source_container) => c.volumes_from.push(VolumeFrom {
                    source_container,
                    read_only: *read_only,
                }),
                None => sink.push(
                    Diagnostic::warning(
                        Code::CrossTaskDependency,
                        format!("`volumes_from: {from}` is dropped: `{from}` does not run in this task, and ECS shares volumes only inside a task"),
                    )
                    .with_path(&o.path)
                    .at(Some(&o.loc))
                    .with_help(format!("run both in one task: `services.{from}.containers: [{from}, {}]` in the overlay", self.s.name)),
                ),
            }
        }
    }
}

/// A named volume mounted by services of different tasks: on ECS each task
/// gets a volume of its own, so what one writes the others never see (an app
/// and its worker sharing uploads). One warning per volume, naming every
/// service and its task; EFS keeps the sharing.
pub(in crate::convert) fn shared_across_tasks(
    plans: &[crate::convert::plan::TaskPlan<'_>],
    overlay: &crate::overlay::Overlay,
    sink: &mut Sink,
) {
    // volume -> (task owner, service, where) in compose order.
    let mut users: BTreeMap<&str, Vec<(&str, &str, &crate::diagnostic::Location, &str)>> =
        BTreeMap::new();
    for plan in plans {
        for member in &plan.members {
            for o in &member.others {
                let crate::model::Setting::Volumes(mounts) = &o.setting else {
                    continue;
                };
                for m in mounts.iter().filter(|m| m.kind == "volume") {
                    let Some(src) = m.source.as_deref() else {
                        continue;
                    };
                    if overlay.volumes.get(src).is_some_and(|v| v.efs.is_some()) {
                        continue;
                    }
                    users.entry(src).or_default().push((
                        plan.owner.name.as_str(),
                        member.name.as_str(),
                        &m.loc,
                        &m.path,
                    ));
                }
            }
        }
    }
    for (volume, list) in users {
        let mut tasks: Vec<&str> = list.iter().map(|(t, ..)| *t).collect();
        tasks.dedup();
        tasks.sort_unstable();
        tasks.dedup();
        if tasks.len() < 2 {
            continue;
        }
        let mut services: Vec<String> = Vec::new();
        for (task, service, ..) in &list {
            let shown = if task == service {
                format!("`{service}`")
            } else {
                format!("`{service}` (in `{task}`'s task)")
            };
            if !services.contains(&shown) {
                services.push(shown);
            }
        }
        let (_, _, loc, path) = list[0];
        sink.push(
            Diagnostic::warning(
                Code::VolumeNotShared,
                format!(
                    "volume `{volume}` is shared by {} in {} tasks, but each ECS task gets a volume of its own: what one writes, the others never see",
                    services.join(", "),
                    tasks.len()
                ),
            )
            .with_path(path)
            .at(Some(loc))
            .with_help(format!(
                "back it with EFS, which every task mounts: `volumes: {{{volume}: {{efs: {{file_system_id: fs-…}}}}}}` in compose2ecs.yaml; or run the services in one task (`services.<name>.containers`)"
            )),
        );
    }
}
