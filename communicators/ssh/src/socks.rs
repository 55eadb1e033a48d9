//! Reaching the target through a SOCKS5 proxy (`ssh_proxy_host`): RFC 1928
//! CONNECT, with RFC 1929 username/password when a username is set.

use crate::config::Proxy;
use crate::connect::{tcp_connect, OpenError};
use kiln_core::Cancel;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream};
use std::time::Duration;

/// How long the proxy may take to answer one step.
const STEP: Duration = Duration::from_secs(10);

pub(crate) fn connect(
    p: &Proxy,
    host: &str,
    port: u16,
    cancel: &Cancel,
) -> Result<TcpStream, OpenError> {
    let mut tcp = tcp_connect(&p.host, p.port, cancel)?;
    let fail = |what: &str, e: std::io::Error| {
        OpenError::Retry(format!(
            "socks connect tcp {}:{} -> {host}:{port}: {what}: {e}",
            p.host, p.port
        ))
    };
    tcp.set_read_timeout(Some(STEP))
        .map_err(|e| fail("setting up", e))?;
    tcp.set_write_timeout(Some(STEP))
        .map_err(|e| fail("setting up", e))?;
    handshake(&mut tcp, p, host, port).map_err(|e| fail("proxy", e))?;
    tcp.set_read_timeout(None)
        .map_err(|e| fail("setting up", e))?;
    tcp.set_write_timeout(None)
        .map_err(|e| fail("setting up", e))?;
    Ok(tcp)
}

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::other(msg.into())
}

/// The SOCKS5 conversation over any stream.
pub(crate) fn handshake(
    s: &mut (impl Read + Write),
    p: &Proxy,
    host: &str,
    port: u16,
) -> std::io::Result<()> {
    let with_password = p.username.is_some();
    if with_password {
        s.write_all(&[5, 2, 0, 2])?;
    } else {
        s.write_all(&[5, 1, 0])?;
    }
    let mut reply = [0u8; 2];
    s.read_exact(&mut reply)?;
    if reply[0] != 5 {
        return Err(bad("not a SOCKS5 proxy"));
    }
    match reply[1] {
        0 => {}
        2 if with_password => {
            let user = p.username.as_deref().unwrap_or_default().as_bytes();
            let pass = p.password.as_deref().unwrap_or_default().as_bytes();
            let (Ok(ul), Ok(pl)) = (u8::try_from(user.len()), u8::try_from(pass.len())) else {
                return Err(bad("username or password too long for SOCKS5"));
            };
            let mut msg = vec![1, ul];
            msg.extend_from_slice(user);
            msg.push(pl);
            msg.extend_from_slice(pass);
            s.write_all(&msg)?;
            s.read_exact(&mut reply)?;
            if reply[1] != 0 {
                return Err(bad("username/password authentication failed"));
            }
        }
        _ => return Err(bad("no acceptable authentication methods")),
    }
    let mut req = vec![5, 1, 0];
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            req.push(1);
            req.extend_from_slice(&ip.octets());
        }
        Ok(IpAddr::V6(ip)) => {
            req.push(4);
            req.extend_from_slice(&ip.octets());
        }
        Err(_) => {
            let name = host.as_bytes();
            let len = u8::try_from(name.len()).map_err(|_| bad("host name too long for SOCKS5"))?;
            req.push(3);
            req.push(len);
            req.extend_from_slice(name);
        }
    }
    req.extend_from_slice(&port.to_be_bytes());
    s.write_all(&req)?;
    let mut head = [0u8; 4];
    s.read_exact(&mut head)?;
    if head[1] != 0 {
        return Err(bad(match head[1] {
            1 => "general failure",
            2 => "connection not allowed by ruleset",
            3 => "network unreachable",
            4 => "host unreachable",
            5 => "connection refused",
            6 => "TTL expired",
            7 => "command not supported",
            8 => "address type not supported",
            _ => "unknown error",
        }));
    }
    // The bound address, which nobody needs.
    let skip = match head[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            s.read_exact(&mut len)?;
            usize::from(len[0])
        }
        _ => return Err(bad("address type not supported")),
    };
    let mut rest = vec![0u8; skip + 2];
    s.read_exact(&mut rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted proxy: its answers, and what it was sent.
    struct Script {
        answers: std::io::Cursor<Vec<u8>>,
        sent: Vec<u8>,
    }
    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.answers.read(buf)
        }
    }
    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.sent.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn proxy(user: Option<&str>) -> Proxy {
        Proxy {
            host: "p".into(),
            port: 1080,
            username: user.map(str::to_owned),
            password: user.map(|_| "pw".to_owned()),
        }
    }

    #[test]
    fn connect_by_name_with_a_password() {
        let mut s = Script {
            answers: std::io::Cursor::new(vec![5, 2, 1, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0, 22]),
            sent: Vec::new(),
        };
        handshake(&mut s, &proxy(Some("u")), "vm", 22).unwrap();
        assert_eq!(
            s.sent,
            [5, 2, 0, 2, 1, 1, b'u', 2, b'p', b'w', 5, 1, 0, 3, 2, b'v', b'm', 0, 22]
        );
    }

    #[test]
    fn refusals_are_named() {
        let mut s = Script {
            answers: std::io::Cursor::new(vec![5, 0, 5, 5, 0, 1]),
            sent: Vec::new(),
        };
        let err = handshake(&mut s, &proxy(None), "10.0.0.1", 22).unwrap_err();
        assert_eq!(err.to_string(), "connection refused");
        assert_eq!(s.sent[..3], [5, 1, 0]);
        assert_eq!(s.sent[3..8], [5, 1, 0, 1, 10]);
    }
}
