//! Task `cpu` and `memory` (see MAPPING.md, "Task size").

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::ContainerDefinition;
use crate::model::Service;
use crate::overlay::{LaunchType, LoadedOverlay, ServiceOverlay};

use super::Platform;

/// Valid Fargate sizes: (cpu units, memory MiB options).
pub const FARGATE_SIZES: &[(u32, &[u32])] = &[
    (256, &[512, 1024, 2048]),
    (512, &[1024, 2048, 3072, 4096]),
    (1024, &[2048, 3072, 4096, 5120, 6144, 7168, 8192]),
    (
        2048,
        &[
            4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384,
        ],
    ),
    (
        4096,
        &[
            8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456,
            20480, 21504, 22528, 23552, 24576, 25600, 26624, 27648, 28672, 29696, 30720,
        ],
    ),
    (
        8192,
        &[
            16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440,
        ],
    ),
    (
        16384,
        &[
            32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880,
        ],
    ),
];

/// The smallest valid Fargate pair with at least `cpu` units and `memory` MiB.
pub fn fargate_size(cpu: u64, memory: u64) -> Option<(u32, u32)> {
    FARGATE_SIZES.iter().find_map(|(c, mems)| {
        if u64::from(*c) < cpu {
            return None;
        }
        mems.iter()
            .find(|m| u64::from(**m) >= memory)
            .map(|m| (*c, *m))
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_to_the_smallest_pair() {
        assert_eq!(fargate_size(0, 0), Some((256, 512)));
        assert_eq!(fargate_size(256, 512), Some((256, 512)));
        assert_eq!(fargate_size(300, 512), Some((512, 1024)));
        assert_eq!(fargate_size(256, 4096), Some((512, 4096)));
        assert_eq!(fargate_size(1024, 1000), Some((1024, 2048)));
        assert_eq!(fargate_size(2048, 16385), Some((4096, 17408)));
        assert_eq!(fargate_size(8192, 61441), Some((16384, 65536)));
        assert_eq!(fargate_size(16384, 122880), Some((16384, 122880)));
        assert_eq!(fargate_size(16385, 1), None);
        assert_eq!(fargate_size(1, 122881), None);
    }

    #[test]
    fn the_table_matches_the_documented_steps() {
        for (cpu, mems) in FARGATE_SIZES {
            let step = match cpu {
                8192 => 4096,
                16384 => 8192,
                _ => 1024,
            };
            for pair in mems.windows(2) {
                if *cpu != 256 {
                    assert_eq!(pair[1] - pair[0], step, "cpu {cpu}");
                }
            }
        }
    }
}
