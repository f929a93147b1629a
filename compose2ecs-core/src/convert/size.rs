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
    let unset: Vec<&str> = [
        ("cpu", wanted_cpu.is_none() && cpu_sum == 0),
        ("memory", wanted_mem.is_none() && mem_sum == 0),
    ]
    .into_iter()
    .filter_map(|(what, unset)| unset.then_some(what))
    .collect();
    let mut rounded = false;
    if platform.launch_type == LaunchType::Fargate {
        match fargate_size(cpu, mem) {
            Some((c, m)) => {
                let given = wanted_cpu.is_some() || wanted_mem.is_some();
                let changed = wanted_cpu.is_some_and(|w| w != u64::from(c))
                    || wanted_mem.is_some_and(|w| w != u64::from(m));
                // From the containers' own sizes: raised is a warning too.
                let raised = !given
                    && ((cpu_sum > 0 && u64::from(c) > cpu_sum)
                        || (mem_sum > 0 && u64::from(m) > mem_sum));
                if (given && changed) || raised {
                    let asked = match (cpu, mem) {
                        (0, m) => format!("memory {m} MiB (and no cpu)"),
                        (c, 0) => format!("cpu {c} (and no memory)"),
                        (c, m) => format!("cpu {c} / memory {m} MiB"),
                    };
                    let whose = if given {
                        asked
                    } else {
                        format!("the containers of `{}` ask for {asked}", owner.name)
                    };
                    rounded = true;
                    sink.push(
                        Diagnostic::warning(
                            Code::TaskSizeRounded,
                            format!("{whose}, which is not a Fargate size; the task gets cpu {c} / memory {m} MiB, the next valid pair (and is billed for it)"),
                        )
                        .with_path(path.clone())
                        .at(loc)
                        .with_help(format!("give a Fargate pair yourself: `services.{}: {{cpu: {c}, memory: {m}}}` in compose2ecs.yaml, or limits in compose that add up to one", owner.name)),
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
            .with_path(path.clone())
            .at(loc)
            .with_help("raise the task's `memory` in the overlay or lower the containers' memory limits"),
        );
    }
    if !unset.is_empty() && !rounded {
        let shown = |v: u64, unit: &str| {
            if v == 0 {
                "none".to_owned()
            } else {
                format!("{v}{unit}")
            }
        };
        sink.push(
            Diagnostic::note(
                Code::TaskSizeChosen,
                format!(
                    "task `{}` is sized cpu {} / memory {}: neither compose nor the overlay gives its {}",
                    owner.name,
                    shown(cpu, ""),
                    shown(mem, " MiB"),
                    unset.join(" or ")
                ),
            )
            .with_path(path)
            .at(loc)
            .with_help(format!("size it for its load: `deploy.resources.limits` in compose, or `services.{}: {{cpu: …, memory: …}}` in compose2ecs.yaml", owner.name)),
        );
    }
    // Off Fargate the task size is optional: write only what is known, and
    // only a task cpu ECS accepts (128 to 196608 units); below that the
    // containers' own cpu reservations are enough.
    let cpu = (128..=196_608).contains(&cpu).then(|| cpu.to_string());
    let mem = (mem > 0).then(|| mem.to_string());
    (cpu, mem)
}
