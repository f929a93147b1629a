//! Task `cpu` and `memory` (see MAPPING.md, "Task size").

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::ContainerDefinition;
use crate::model::Service;
use crate::overlay::{LaunchType, LoadedOverlay, ServiceOverlay};

use super::Platform;
use crate::ecs::fargate_size;

/// Overlay cpu/memory, else the containers' sums, else 256/512; rounded up
/// to a valid pair on Fargate.
pub(super) fn task_size(
    platform: Platform,
    owner: &Service,
    settings: Option<&ServiceOverlay>,
    containers: &[ContainerDefinition],
    overlay: &LoadedOverlay,
    sink: &mut Sink,
) -> (Option<String>, Option<String>) {
    let cpu_sum: u64 = containers.iter().filter_map(|c| c.cpu).map(u64::from).sum();
    let mem_sum: u64 = containers
        .iter()
        .filter_map(|c| c.memory.or(c.memory_reservation))
        .sum();
    let hard_mem_sum: u64 = containers.iter().filter_map(|c| c.memory).sum();
    let wanted_cpu = settings.and_then(|s| s.cpu).map(u64::from);
    let wanted_mem = settings.and_then(|s| s.memory).map(u64::from);
    let loc = overlay.service_locs.get(&owner.name).or(Some(&owner.loc));
    let path = format!("services.{}", owner.name);

    let (mut cpu, mut mem) = match (wanted_cpu.unwrap_or(cpu_sum), wanted_mem.unwrap_or(mem_sum)) {
        (0, 0) => (256, 512),
        pair => pair,
    };
    if platform.launch_type == LaunchType::Fargate {
        match fargate_size(cpu, mem) {
            Some((c, m)) => {
                let given = wanted_cpu.is_some() || wanted_mem.is_some();
                let changed = wanted_cpu.is_some_and(|w| w != u64::from(c))
                    || wanted_mem.is_some_and(|w| w != u64::from(m));
                if given && changed {
                    sink.push(
                        Diagnostic::warning(
                            Code::TaskSizeRounded,
                            format!("cpu {cpu} / memory {mem} is not a Fargate size; using cpu {c} / memory {m}, the next valid pair"),
                        )
                        .with_path(path.clone())
                        .at(loc),
                    );
                }
                cpu = u64::from(c);
                mem = u64::from(m);
            }
            None => {
                sink.push(
                    Diagnostic::error(
                        Code::InvalidTaskSize,
                        format!("the task `{}` needs cpu {cpu} / memory {mem} MiB, more than the largest Fargate size (16384 / 122880)", owner.name),
                    )
                    .with_path(path)
                    .at(loc)
                    .with_help("lower the containers' limits, or use `launch_type: EC2`"),
                );
                return (None, None);
            }
        }
    }
    if cpu_sum > cpu {
        sink.push(
            Diagnostic::error(
                Code::TaskSizeExceeded,
                format!("the containers of `{}` reserve {cpu_sum} CPU units, more than the task's {cpu}", owner.name),
            )
            .with_path(path.clone())
            .at(loc)
            .with_help("raise the task's `cpu` in the overlay or lower the containers' `cpus`"),
        );
    }
    if hard_mem_sum > mem {
        sink.push(
            Diagnostic::error(
                Code::TaskSizeExceeded,
                format!("the containers of `{}` are limited to {hard_mem_sum} MiB together, more than the task's {mem} MiB", owner.name),
            )
            .with_path(path)
            .at(loc)
            .with_help("raise the task's `memory` in the overlay or lower the containers' memory limits"),
        );
    }
    // Off Fargate the task size is optional: write only what is known, and
    // only a task cpu ECS accepts (128 to 196608 units); below that the
    // containers' own cpu reservations are enough.
    let cpu = (128..=196_608).contains(&cpu).then(|| cpu.to_string());
    let mem = (mem > 0).then(|| mem.to_string());
    (cpu, mem)
}
