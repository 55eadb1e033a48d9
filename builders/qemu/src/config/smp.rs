//! `-smp` from `cpus`, `sockets`, `cores` and `threads`, by the current
//! plugin's rules (`QemuSMPConfig`): the topology's product caps the CPU
//! count, and a missing CPU count is that product.
//!
//! Without any topology field kiln keeps Packer 1.6.6's line
//! (`cpus=N,sockets=N`, only for more than one CPU), which every existing
//! template was written against.

/// The CPU counts as configured (0: unset; negatives were reported by
/// `validate` and count as unset here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Smp {
    pub cpus: u32,
    pub sockets: u32,
    pub cores: u32,
    pub threads: u32,
}

impl Smp {
    /// The product of the topology's non-zero terms, 0 when none is set.
    pub fn topology_cpus(&self) -> u32 {
        [self.sockets, self.cores, self.threads]
            .iter()
            .filter(|n| **n > 0)
            .fold(
                0u32,
                |acc, n| {
                    if acc == 0 {
                        *n
                    } else {
                        acc.saturating_mul(*n)
                    }
                },
            )
    }

    /// The `-smp` value, or `None` for qemu's default (one CPU).
    pub fn arg(&self) -> Option<String> {
        let total = self.topology_cpus();
        if total == 0 {
            return (self.cpus > 1).then(|| format!("cpus={0},sockets={0}", self.cpus));
        }
        let cpus = if self.cpus == 0 {
            total
        } else {
            self.cpus.min(total)
        };
        let mut out = cpus.to_string();
        for (name, n) in [
            ("sockets", self.sockets),
            ("cores", self.cores),
            ("threads", self.threads),
        ] {
            if n > 0 {
                out.push_str(&format!(",{name}={n}"));
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smp(cpus: u32, sockets: u32, cores: u32, threads: u32) -> Option<String> {
        Smp {
            cpus,
            sockets,
            cores,
            threads,
        }
        .arg()
    }

    #[test]
    fn packer_1_6_6_line_without_a_topology() {
        assert_eq!(smp(0, 0, 0, 0), None);
        assert_eq!(smp(1, 0, 0, 0), None);
        assert_eq!(smp(4, 0, 0, 0).as_deref(), Some("cpus=4,sockets=4"));
    }

    #[test]
    fn topology_sets_or_caps_the_cpu_count() {
        assert_eq!(smp(0, 2, 0, 0).as_deref(), Some("2,sockets=2"));
        assert_eq!(
            smp(0, 2, 3, 2).as_deref(),
            Some("12,sockets=2,cores=3,threads=2")
        );
        assert_eq!(smp(0, 0, 4, 2).as_deref(), Some("8,cores=4,threads=2"));
        assert_eq!(smp(0, 0, 0, 2).as_deref(), Some("2,threads=2"));
        // More CPUs than the topology holds: the topology's maximum.
        assert_eq!(smp(16, 2, 2, 0).as_deref(), Some("4,sockets=2,cores=2"));
        // Fewer: kept (Packer only logs that it is slower).
        assert_eq!(smp(3, 2, 2, 0).as_deref(), Some("3,sockets=2,cores=2"));
    }
}
