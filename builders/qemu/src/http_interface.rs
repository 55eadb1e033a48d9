//! `http_interface`: the HTTP server listens on that host interface's
//! (first) IPv4 address instead of `http_bind_address`.

use std::net::Ipv4Addr;

#[derive(Debug, thiserror::Error)]
pub enum InterfaceError {
    #[error("http_interface: cannot list the host's interfaces: {0}")]
    List(#[source] nix::Error),
    #[error("http_interface: no interface named {0:?}")]
    NoSuchInterface(String),
    #[error("http_interface: interface {0:?} has no IPv4 address")]
    NoIpv4(String),
}

/// The first IPv4 address of interface `name`.
pub fn ipv4_of(name: &str) -> Result<Ipv4Addr, InterfaceError> {
    let mut seen = false;
    for a in nix::ifaddrs::getifaddrs().map_err(InterfaceError::List)? {
        if a.interface_name != name {
            continue;
        }
        seen = true;
        if let Some(v4) = a.address.as_ref().and_then(|s| s.as_sockaddr_in()) {
            return Ok(v4.ip());
        }
    }
    Err(if seen {
        InterfaceError::NoIpv4(name.to_owned())
    } else {
        InterfaceError::NoSuchInterface(name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_unknown_interfaces() {
        assert_eq!(ipv4_of("lo").unwrap(), Ipv4Addr::LOCALHOST);
        let e = ipv4_of("kiln-no-such0").expect_err("an error");
        assert_eq!(
            e.to_string(),
            "http_interface: no interface named \"kiln-no-such0\""
        );
    }
}
