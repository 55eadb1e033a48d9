//! `temporary_security_group_source_public_ip`: the public IP of the
//! machine kiln runs on, asked of checkip.amazonaws.com as Packer does.
//! `KILN_CHECKIP_URL` points elsewhere (an `http://` URL answering with
//! the address), for networks where that service is out of reach.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

pub const CHECKIP_URL: &str = "http://checkip.amazonaws.com/";
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PublicIpError {
    #[error("temporary_security_group_source_public_ip: cannot reach {url} to find this host's public IP: {detail}")]
    Unreachable { url: String, detail: String },
    #[error(
        "temporary_security_group_source_public_ip: {url} answered {answer:?}, not an IP address"
    )]
    NotAnAddress { url: String, answer: String },
    #[error("temporary_security_group_source_public_ip: {0:?} is not an http:// URL")]
    BadUrl(String),
}

pub fn checkip_url() -> String {
    std::env::var("KILN_CHECKIP_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| CHECKIP_URL.to_owned())
}

/// The host's public address as a one-address CIDR (`/32`, `/128`).
pub fn public_cidr(url: &str) -> Result<String, PublicIpError> {
    let ip = public_ip(url)?;
    Ok(match ip {
        IpAddr::V4(v4) => format!("{v4}/32"),
        IpAddr::V6(v6) => format!("{v6}/128"),
    })
}

pub fn public_ip(url: &str) -> Result<IpAddr, PublicIpError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| PublicIpError::BadUrl(url.to_owned()))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let addr = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let unreachable = |detail: String| PublicIpError::Unreachable {
        url: url.to_owned(),
        detail,
    };
    let sock = addr
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable("no address".to_owned()))?;
    let mut stream =
        TcpStream::connect_timeout(&sock, TIMEOUT).map_err(|e| unreachable(e.to_string()))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| unreachable(e.to_string()))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: kiln\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| unreachable(e.to_string()))?;
    let mut raw = String::new();
    stream
        .take(64 * 1024)
        .read_to_string(&mut raw)
        .map_err(|e| unreachable(e.to_string()))?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw.as_str(), ""));
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(unreachable(format!("HTTP status {status:?}")));
    }
    let answer = body.trim();
    answer.parse().map_err(|_| PublicIpError::NotAnAddress {
        url: url.to_owned(),
        answer: answer.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn serve(reply: &'static str) -> String {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = l.accept() {
                // The whole request first: closing with unread bytes
                // resets the connection, and the client would see a reset
                // instead of the reply.
                let mut seen = Vec::new();
                let mut buf = [0u8; 1024];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = s.write_all(reply.as_bytes());
                let _ = s.shutdown(std::net::Shutdown::Write);
                // Until the client is done reading and hangs up.
                let _ = s.read(&mut buf);
            }
        });
        format!("http://127.0.0.1:{port}/")
    }

    #[test]
    fn the_answer_becomes_a_one_address_cidr() {
        let url = serve("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n203.0.113.7\n");
        assert_eq!(public_cidr(&url).unwrap(), "203.0.113.7/32");
    }

    #[test]
    fn a_bad_answer_or_no_server_is_a_clear_error() {
        let url = serve("HTTP/1.1 200 OK\r\n\r\n<html>captive portal</html>");
        assert!(matches!(
            public_ip(&url),
            Err(PublicIpError::NotAnAddress { .. })
        ));
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let e = public_ip(&format!("http://127.0.0.1:{port}/")).expect_err("an error");
        assert!(e.to_string().contains("cannot reach"), "{e}");
        assert!(matches!(
            public_ip("https://x/"),
            Err(PublicIpError::BadUrl(_))
        ));
    }
}
