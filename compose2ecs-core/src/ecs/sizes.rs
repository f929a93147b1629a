//! The CPU and memory pairs Fargate accepts.

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
