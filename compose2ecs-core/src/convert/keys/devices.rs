//! `devices`, `gpus` and GPU reservations.

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::ecs::{ContainerDefinition, Device, ResourceRequirement};
use crate::model::{DeviceMapping, DeviceRequest, GpuCount, OtherKey, Spanned};

use super::Cx;

/// More GPUs than this per container is a mistake (the largest instances
/// have 16).
const MAX_GPUS: u64 = 64;

impl Cx<'_> {
    pub(super) fn devices(
        &self,
        o: &OtherKey,
        devices: &[DeviceMapping],
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        if devices.is_empty() {
            return;
        }
        let shown: Vec<&str> = devices.iter().map(|d| d.host.as_str()).collect();
        if self.refused(o, &format!("devices: {}", shown.join(", ")), "", sink) {
            return;
        }
        for d in devices {
            if d.target.is_none() && d.host.contains('=') {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!(
                            "CDI device `{}` is not converted: ECS maps host paths only",
                            d.host
                        ),
                    )
                    .with_path(&o.path)
                    .at(Some(&d.loc)),
                );
                continue;
            }
            // Omitted, ECS gives "read, write, and mknod for the device"
            // (Device.permissions), as compose's default `rwm` does.
            let all = d.permissions.is_empty()
                || ['r', 'w', 'm'].iter().all(|p| d.permissions.contains(*p));
            let permissions = if all { "" } else { d.permissions.as_str() }
                .chars()
                .filter_map(|ch| match ch {
                    'r' => Some("read".to_owned()),
                    'w' => Some("write".to_owned()),
                    'm' => Some("mknod".to_owned()),
                    _ => None,
                })
                .collect();
            c.linux_parameters.devices.push(Device {
                container_path: Some(d.target.clone().unwrap_or_else(|| d.host.clone())),
                host_path: d.host.clone(),
                permissions,
            });
        }
    }

    /// Adds one request's GPUs to the container's.
    /// `path` and `loc` are the request's.
    fn add_gpus(
        &self,
        o: &OtherKey,
        count: GpuCount,
        (path, loc): (&str, &Location),
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        let GpuCount::Count(count) = count else {
            sink.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "a GPU count of `all` has no ECS equivalent: ECS reserves a number of GPUs",
                )
                .with_path(path)
                .at(Some(loc)),
            );
            return;
        };
        let before = c
            .resource_requirements
            .iter()
            .find(|r| r.kind == "GPU")
            .and_then(|r| r.value.parse::<u64>().ok())
            .unwrap_or(0);
        // More GPUs than any instance has is a mistake, not a request (and
        // the sum must not overflow: found by fuzzing).
        let Some(total) = before.checked_add(count).filter(|t| *t <= MAX_GPUS) else {
            self.value_error(
                o,
                format!("a GPU count above {MAX_GPUS} is not one ECS can place"),
                sink,
            );
            return;
        };
        c.resource_requirements.retain(|r| r.kind != "GPU");
        c.resource_requirements.push(ResourceRequirement {
            kind: "GPU".to_owned(),
            value: total.to_string(),
        });
    }

    pub(super) fn gpus(
        &self,
        o: &OtherKey,
        written: &str,
        counts: &[Spanned<GpuCount>],
        all: bool,
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        if self.refused(o, &format!("gpus: {written}"), ", which has no GPUs", sink) {
            return;
        }
        if all {
            self.value_error(
                o,
                "`gpus: all` has no ECS equivalent: ECS reserves a number of GPUs; write `gpus: [{count: 1}]`".to_owned(),
                sink,
            );
        }
        for n in counts {
            self.add_gpus(o, n.value, (&n.path, &n.loc), c, sink);
        }
    }

    pub(super) fn device_requests(
        &self,
        o: &OtherKey,
        requests: &[DeviceRequest],
        c: &mut ContainerDefinition,
        sink: &mut Sink,
    ) {
        for r in requests {
            if !r.capabilities.iter().any(|c| c == "gpu") {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!(
                            "a device request for `{}` is dropped: ECS reserves GPUs only",
                            r.capabilities.join(", ")
                        ),
                    )
                    .with_path(&r.path)
                    .at(Some(&r.loc)),
                );
                continue;
            }
            if self.refused(o, "a GPU reservation", ", which has no GPUs", sink) {
                return;
            }
            if let Some(n) = r.count {
                self.add_gpus(o, n, (&r.path, &r.loc), c, sink);
            }
        }
    }
}
