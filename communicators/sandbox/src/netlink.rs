//! `ip link set lo up` over rtnetlink, for `network = "none"`: a new network
//! namespace starts with its loopback down, and programs expect
//! 127.0.0.1 to answer. Written by hand (two fixed-size structs) because it
//! runs between `fork` and `exec`, where no allocation is allowed.

use rustix::io::Errno;
use rustix::net::{AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType};

const RTM_NEWLINK: u16 = 16;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLMSG_ERROR: u16 = 2;
const IFF_UP: u32 = 1;
/// The loopback device is the first of every network namespace.
const LOOPBACK_IFINDEX: i32 = 1;
const MESSAGE_LEN: usize = 32;

/// `nlmsghdr` + `ifinfomsg` asking to set `IFF_UP` on the loopback device.
pub fn loopback_up_message() -> [u8; MESSAGE_LEN] {
    let mut m = [0u8; MESSAGE_LEN];
    // nlmsghdr: len, type, flags, seq, pid (the kernel's port is 0).
    m[0..4].copy_from_slice(&(MESSAGE_LEN as u32).to_ne_bytes());
    m[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
    m[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    m[8..12].copy_from_slice(&1u32.to_ne_bytes());
    // ifinfomsg: family (AF_UNSPEC), pad, type, index, flags, change.
    m[20..24].copy_from_slice(&LOOPBACK_IFINDEX.to_ne_bytes());
    m[24..28].copy_from_slice(&IFF_UP.to_ne_bytes());
    m[28..32].copy_from_slice(&IFF_UP.to_ne_bytes());
    m
}

/// The kernel's answer to a request with `NLM_F_ACK`: an `NLMSG_ERROR`
/// whose error is 0 on success or a negative errno.
pub fn parse_ack(reply: &[u8]) -> Result<(), Errno> {
    let kind = reply
        .get(4..6)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map(u16::from_ne_bytes)
        .ok_or(Errno::PROTO)?;
    if kind != NLMSG_ERROR {
        return Err(Errno::PROTO);
    }
    let error = reply
        .get(16..20)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(i32::from_ne_bytes)
        .ok_or(Errno::PROTO)?;
    match error {
        0 => Ok(()),
        e => Err(Errno::from_raw_os_error(e.saturating_neg())),
    }
}

pub fn loopback_up() -> Result<(), Errno> {
    let sock = rustix::net::socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        None, // NETLINK_ROUTE
    )?;
    let kernel = rustix::net::netlink::SocketAddrNetlink::new(0, 0);
    rustix::net::sendto(&sock, &loopback_up_message(), SendFlags::empty(), &kernel)?;
    let mut reply = [0u8; 256];
    let (n, _) = rustix::net::recv(&sock, &mut reply[..], RecvFlags::empty())?;
    parse_ack(reply.get(..n).ok_or(Errno::PROTO)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_a_newlink_for_index_one_with_iff_up() {
        let m = loopback_up_message();
        assert_eq!(u32::from_ne_bytes(m[0..4].try_into().unwrap()), 32);
        assert_eq!(u16::from_ne_bytes(m[4..6].try_into().unwrap()), 16);
        assert_eq!(u16::from_ne_bytes(m[6..8].try_into().unwrap()), 5);
        assert_eq!(i32::from_ne_bytes(m[20..24].try_into().unwrap()), 1);
        assert_eq!(&m[24..32], &[1, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn acks_carry_the_negated_errno() {
        let mut ack = [0u8; 36];
        ack[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        assert_eq!(parse_ack(&ack), Ok(()));
        ack[16..20].copy_from_slice(&(-1i32).to_ne_bytes());
        assert_eq!(parse_ack(&ack), Err(Errno::PERM));
        assert_eq!(parse_ack(&ack[..8]), Err(Errno::PROTO));
    }
}
