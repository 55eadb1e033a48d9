//! A free TCP port in a range (`host_port_min..max`, `vnc_port_min..max`):
//! a random start, then every port in turn, as Packer's `net.ListenRangeConfig`
//! does, so parallel builds rarely collide.

use crate::error::QemuError;
use std::net::TcpListener;

/// A port in `min..=max` that `address` can listen on right now. The
/// listener is closed again: qemu binds it a moment later, and the run
/// step tries another port when qemu loses that race.
pub fn free_port(address: &str, min: u16, max: u16, what: &'static str) -> Result<u16, QemuError> {
    let (lo, hi) = (min.min(max), min.max(max));
    let span = u32::from(hi - lo) + 1;
    let mut seed = [0u8; 4];
    let start = match getrandom::fill(&mut seed) {
        Ok(()) => u32::from_le_bytes(seed) % span,
        Err(_) => 0,
    };
    for i in 0..span {
        let offset = (start + i) % span;
        let Ok(port) = u16::try_from(u32::from(lo) + offset) else {
            continue;
        };
        if TcpListener::bind((address, port)).is_ok() {
            return Ok(port);
        }
    }
    Err(QemuError::NoFreePort { what, min, max })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_ports_in_use_and_reports_a_full_range() {
        let held = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = held.local_addr().unwrap().port();
        assert!(matches!(
            free_port("127.0.0.1", port, port, "SSH"),
            Err(QemuError::NoFreePort { .. })
        ));
        let got = free_port("127.0.0.1", 20000, 20100, "SSH").unwrap();
        assert!((20000..=20100).contains(&got));
    }
}
