//! IP prefixes as Go's `net.ParseCIDR` reads them and `net.IPNet` prints
//! them, with the address arithmetic of `go-cidr` that Packer's cidr
//! functions use. Addresses of both families are held in a `u128`.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A network: its address with the host bits cleared, its prefix length
/// and the address width (32 or 128).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Net {
    pub(super) addr: u128,
    pub(super) prefix: u32,
    pub(super) bits: u32,
}

/// The mask with the top `len` bits of a `bits`-wide address set.
pub(super) fn mask(len: u32, bits: u32) -> u128 {
    all_ones(bits) & !all_ones(bits.saturating_sub(len))
}

/// The low `n` bits set.
pub(super) fn all_ones(n: u32) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

/// Go's `net.ParseCIDR`, with its error text.
pub(super) fn parse(s: &str) -> Result<Net, String> {
    let bad = || format!("invalid CIDR address: {s}");
    let (addr, len) = s.split_once('/').ok_or_else(bad)?;
    let (addr, bits) = if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        (u128::from(u32::from(v4)), 32)
    } else if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        (u128::from(v6), 128)
    } else {
        return Err(bad());
    };
    // Decimal digits only: no sign, no spaces.
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let prefix: u32 = len.parse().map_err(|_| bad())?;
    if prefix > bits {
        return Err(bad());
    }
    Ok(Net {
        addr: addr & mask(prefix, bits),
        prefix,
        bits,
    })
}

/// An address as Go prints it (RFC 5952 for IPv6).
pub(super) fn format_addr(addr: u128, bits: u32) -> String {
    if bits == 32 {
        Ipv4Addr::from(u32::try_from(addr).unwrap_or(u32::MAX)).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

impl Net {
    pub(super) fn last(&self) -> u128 {
        self.addr | (all_ones(self.bits) & !mask(self.prefix, self.bits))
    }

    pub(super) fn contains(&self, addr: u128) -> bool {
        addr & mask(self.prefix, self.bits) == self.addr
    }

    /// go-cidr's `PreviousSubnet`: the `len`-bit network just below this
    /// one's start (wrapping around at zero).
    pub(super) fn previous_subnet(&self, len: u32) -> Net {
        let below = self.addr.wrapping_sub(1) & all_ones(self.bits);
        Net {
            addr: below & mask(len, self.bits),
            prefix: len,
            bits: self.bits,
        }
    }

    /// go-cidr's `NextSubnet`: the `len`-bit network just after this one's
    /// end, and whether the address space wrapped around.
    pub(super) fn next_subnet(&self, len: u32) -> (Net, bool) {
        let containing = Net {
            addr: self.last() & mask(len, self.bits),
            prefix: len,
            bits: self.bits,
        };
        let next = containing.last().wrapping_add(1) & all_ones(self.bits);
        (
            Net {
                addr: next & mask(len, self.bits),
                prefix: len,
                bits: self.bits,
            },
            next == 0,
        )
    }
}

impl std::fmt::Display for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", format_addr(self.addr, self.bits), self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_masks() {
        let n = parse("10.1.2.3/16").expect("parses");
        assert_eq!(n.to_string(), "10.1.0.0/16");
        let n = parse("fd00:fd12:3456:7890:00a2::/72").expect("parses");
        assert_eq!(n.to_string(), "fd00:fd12:3456:7890::/72");
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "10.0.0.0",
            "10.256.0.0/8",
            "10.0.0.0/33",
            "10.0.0.0/+8",
            "10.0.0.0/",
            "010.0.0.0/8",
            "fe80::1%eth0/64",
            "not-a-cidr",
        ] {
            assert_eq!(
                parse(bad),
                Err(format!("invalid CIDR address: {bad}")),
                "{bad}"
            );
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask(0, 32), 0);
        assert_eq!(mask(32, 32), 0xffff_ffff);
        assert_eq!(mask(12, 32), 0xfff0_0000);
        assert_eq!(mask(128, 128), u128::MAX);
    }
}
