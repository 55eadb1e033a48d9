//! The build's HTTP server (`http_directory`, `http_content`), from which
//! installers fetch their preseed/kickstart files.
//!
//! API:
//! - [`HttpConfig`] (`directory`, `content`, `bind_address` default
//!   `0.0.0.0`, `port_min`/`port_max` default 8000/9000, both inclusive as
//!   in Packer) → [`HttpServer::start`], `Ok(None)` when there is nothing
//!   to serve (Packer then leaves `HTTPPort` at 0).
//! - [`HttpServer::port`], [`HttpServer::addr`]`(ip)` (`ip:port` for
//!   `PACKER_HTTP_ADDR`), [`HttpServer::template_vars`] (`HTTPIP`,
//!   `HTTPPort` for `{{ .HTTPIP }}:{{ .HTTPPort }}`); [`QEMU_HOST_IP`] is
//!   the host as a guest on QEMU's user network sees it.
//! - The server stops on [`HttpServer::stop`] or drop (its step's cleanup).
//!
//! Semantics: a path in `content` (keys with or without their leading `/`)
//! is served from memory; anything else comes from `directory` like Go's
//! `http.FileServer` (index.html, directory listings, a redirect to add the
//! trailing slash of a directory, single byte ranges); else 404.
//!
//! Our own server on std threads rather than a crate: it only ever serves
//! GET/HEAD of files to one VM, one request per connection, and stopping
//! it must be immediate and certain.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The host's address on QEMU's user-mode network (SLIRP's gateway).
pub const QEMU_HOST_IP: &str = "10.0.2.2";

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub directory: Option<PathBuf>,
    /// URL path → file content.
    pub content: BTreeMap<String, String>,
    pub bind_address: String,
    pub port_min: u16,
    pub port_max: u16,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            directory: None,
            content: BTreeMap::new(),
            bind_address: "0.0.0.0".into(),
            port_min: 8000,
            port_max: 9000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// No port of the range could be bound.
    #[error("could not find an available port in {min}-{max} on {address}: {last}")]
    NoPort {
        address: String,
        min: u16,
        max: u16,
        last: String,
    },
    /// `http_port_min` is above `http_port_max`.
    #[error("http_port_min must be less than http_port_max")]
    BadRange,
    /// The listener could not be set up.
    #[error("HTTP server: {0}")]
    Io(#[from] std::io::Error),
}

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct HttpServer {
    local: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How often the accept loop looks at the stop flag.
const POLL: Duration = Duration::from_millis(20);
/// A client that sends nothing for this long is dropped.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests larger than this are refused.
const MAX_HEAD: usize = 16 * 1024;

struct Site {
    directory: Option<PathBuf>,
    content: BTreeMap<String, String>,
}

impl HttpServer {
    /// Bind a free port of the range and serve in the background.
    pub fn start(config: &HttpConfig) -> Result<Option<HttpServer>, HttpError> {
        if config.directory.is_none() && config.content.is_empty() {
            return Ok(None);
        }
        if config.port_min > config.port_max {
            return Err(HttpError::BadRange);
        }
        let listener = bind_in_range(&config.bind_address, config.port_min, config.port_max)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let site = Arc::new(Site {
            directory: config.directory.clone(),
            content: config
                .content
                .iter()
                .map(|(k, v)| (clean_path(k), v.clone()))
                .collect(),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("kiln-http".into())
                .spawn(move || accept_loop(&listener, &site, &stop))?
        };
        tracing::debug!(%local, "HTTP server started");
        Ok(Some(HttpServer {
            local,
            stop,
            thread: Some(thread),
        }))
    }

    pub fn port(&self) -> u16 {
        self.local.port()
    }

    /// `ip:port`, the value of `PACKER_HTTP_ADDR`.
    pub fn addr(&self, ip: &str) -> String {
        format!("{ip}:{}", self.port())
    }

    /// `HTTPIP` and `HTTPPort` for boot commands and `qemuargs`.
    pub fn template_vars(&self, ip: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("HTTPIP".to_owned(), ip.to_owned()),
            ("HTTPPort".to_owned(), self.port().to_string()),
        ])
    }

    /// Stop accepting and wait for the accept loop to end. Transfers in
    /// flight end at their next write.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Ports of the range in an order that starts at a random place, so that
/// parallel builds rarely race for the same port.
fn bind_in_range(address: &str, min: u16, max: u16) -> Result<TcpListener, HttpError> {
    let span = u32::from(max - min) + 1;
    let start = random_u32() % span;
    let mut last = String::from("no port tried");
    for i in 0..span {
        let Ok(port) = u16::try_from(u32::from(min) + (start + i) % span) else {
            continue;
        };
        match TcpListener::bind((address, port)) {
            Ok(l) => return Ok(l),
            Err(e) => last = e.to_string(),
        }
    }
    Err(HttpError::NoPort {
        address: address.to_owned(),
        min,
        max,
        last,
    })
}

fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish() as u32
}

fn accept_loop(listener: &TcpListener, site: &Arc<Site>, stop: &Arc<AtomicBool>) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => {
                let site = site.clone();
                let stop = stop.clone();
                let spawned = std::thread::Builder::new()
                    .name("kiln-http-conn".into())
                    .spawn(move || {
                        if let Err(e) = serve(stream, &site, &stop) {
                            tracing::debug!(%peer, error = %e, "HTTP connection ended");
                        }
                    });
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "HTTP server cannot start a thread");
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Err(e) => {
                tracing::debug!(error = %e, "HTTP accept failed");
                std::thread::sleep(POLL);
            }
        }
    }
}

/// What a request asked for.
struct Request {
    head_only: bool,
    path: String,
    /// The raw path, for redirects.
    raw_path: String,
    range: Option<String>,
}

fn serve(stream: TcpStream, site: &Site, stop: &AtomicBool) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(CLIENT_TIMEOUT))?;
    stream.set_write_timeout(Some(CLIENT_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    let req = match read_request(&mut reader) {
        Ok(r) => r,
        Err(status) => return respond_text(&mut out, status, "", false),
    };
    tracing::debug!(path = %req.path, "HTTP request");
    if let Some(body) = site.content.get(&req.path) {
        return send_bytes(&mut out, &req, body.as_bytes(), "text/plain; charset=utf-8");
    }
    let Some(dir) = &site.directory else {
        let msg = format!("{} not found.\n", req.path);
        return respond_text(&mut out, 404, &msg, req.head_only);
    };
    serve_from_dir(&mut out, dir, &req, stop)
}

fn read_request(reader: &mut impl BufRead) -> Result<Request, u16> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader
            .by_ref()
            .take((MAX_HEAD + 1 - head.len().min(MAX_HEAD)) as u64)
            .read_until(b'\n', &mut line)
            .map_err(|_| 400u16)?;
        if n == 0 {
            return Err(400);
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD {
            return Err(431);
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let (method, target) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(405),
    };
    let raw_path = target.split(['?', '#']).next().unwrap_or("").to_owned();
    if !raw_path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode(&raw_path).ok_or(400u16)?;
    let range = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("range"))
        .map(|(_, v)| v.trim().to_owned());
    Ok(Request {
        head_only,
        path: clean_path(&decoded),
        raw_path,
        range,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Go's `path.Clean` of the path made rooted (as `FileServer` does): no
/// `.`/`..`/empty segments, so a request never leaves the served directory.
fn clean_path(p: &str) -> String {
    kiln_gocompat::path::clean(&format!("/{p}"))
}

fn serve_from_dir(
    out: &mut TcpStream,
    dir: &Path,
    req: &Request,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let rel = req.path.trim_start_matches('/');
    let mut target = dir.join(rel);
    let Ok(meta) = std::fs::metadata(&target) else {
        return respond_text(out, 404, "404 page not found\n", req.head_only);
    };
    if meta.is_dir() {
        if !req.raw_path.ends_with('/') {
            let location = format!("{}/", req.raw_path);
            return respond(out, 301, &[("Location", &location)], b"", true);
        }
        let index = target.join("index.html");
        if index.is_file() {
            target = index;
        } else {
            let listing = listing(&target)?;
            return send_bytes(out, req, listing.as_bytes(), "text/html; charset=utf-8");
        }
    }
    let mut file = std::fs::File::open(&target)?;
    let len = file.metadata()?.len();
    let ctype = content_type(&target);
    let (status, start, end) = match req.range.as_deref().map(|r| byte_range(r, len)) {
        None => (200, 0, len),
        Some(Some((s, e))) => (206, s, e),
        Some(None) => {
            let cr = format!("bytes */{len}");
            return respond(out, 416, &[("Content-Range", &cr)], b"", req.head_only);
        }
    };
    let content_range = format!("bytes {start}-{}/{len}", end.saturating_sub(1));
    let length = (end - start).to_string();
    let mut headers = vec![
        ("Content-Type", ctype),
        ("Content-Length", length.as_str()),
        ("Accept-Ranges", "bytes"),
    ];
    if status == 206 {
        headers.push(("Content-Range", &content_range));
    }
    write_head(out, status, &headers)?;
    if req.head_only {
        return out.flush();
    }
    file.seek(SeekFrom::Start(start))?;
    let mut left = end - start;
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let n = file.read(chunk)?;
        if n == 0 {
            break;
        }
        out.write_all(chunk.get(..n).unwrap_or_default())?;
        left -= n as u64;
    }
    out.flush()
}

/// A single `bytes=` range as `[start, end)`; `None` when unsatisfiable.
fn byte_range(spec: &str, len: u64) -> Option<(u64, u64)> {
    let r = spec.strip_prefix("bytes=")?.trim();
    if r.contains(',') {
        return None;
    }
    let (a, b) = r.split_once('-')?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len)
    } else {
        let s: u64 = a.parse().ok()?;
        let e = if b.is_empty() {
            len
        } else {
            b.parse::<u64>().ok()?.saturating_add(1).min(len)
        };
        (s, e)
    };
    (start < end || (start == 0 && len == 0)).then_some((start, end))
}

/// Go's directory listing.
fn listing(dir: &Path) -> std::io::Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| {
            let mut n = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                n.push('/');
            }
            n
        })
        .collect();
    names.sort();
    let mut out = String::from("<pre>\n");
    for n in names {
        let href = n
            .replace('%', "%25")
            .replace('#', "%23")
            .replace('?', "%3F")
            .replace(' ', "%20");
        let text = n
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;");
        out.push_str(&format!("<a href=\"{href}\">{text}</a>\n"));
    }
    out.push_str("</pre>\n");
    Ok(out)
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("txt" | "cfg" | "seed" | "ks" | "sh" | "conf") => "text/plain; charset=utf-8",
        Some("xml") => "text/xml; charset=utf-8",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "application/yaml",
        _ => "application/octet-stream",
    }
}

fn send_bytes(out: &mut TcpStream, req: &Request, body: &[u8], ctype: &str) -> std::io::Result<()> {
    respond(out, 200, &[("Content-Type", ctype)], body, req.head_only)
}

fn respond_text(
    out: &mut TcpStream,
    status: u16,
    body: &str,
    head_only: bool,
) -> std::io::Result<()> {
    respond(
        out,
        status,
        &[("Content-Type", "text/plain; charset=utf-8")],
        body.as_bytes(),
        head_only,
    )
}

fn respond(
    out: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let len = body.len().to_string();
    let mut all = headers.to_vec();
    all.push(("Content-Length", &len));
    write_head(out, status, &all)?;
    if !head_only {
        out.write_all(body)?;
    }
    out.flush()
}

fn write_head(out: &mut TcpStream, status: u16, headers: &[(&str, &str)]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Requested Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        _ => "",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A raw HTTP/1.1 exchange: status, headers (lower-case names), body.
    fn get(port: u16, request: &str) -> (u16, BTreeMap<String, String>, Vec<u8>) {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        (status, headers, raw[split + 4..].to_vec())
    }

    fn path(port: u16, p: &str) -> (u16, BTreeMap<String, String>, Vec<u8>) {
        get(port, &format!("GET {p} HTTP/1.1\r\nHost: x\r\n\r\n"))
    }

    fn site() -> (tempfile::TempDir, HttpServer) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("preseed.cfg"), "d-i from disk\n").unwrap();
        std::fs::write(dir.path().join("both.cfg"), "from disk\n").unwrap();
        std::fs::create_dir(dir.path().join("sub dir")).unwrap();
        std::fs::write(dir.path().join("sub dir/a&b.txt"), "0123456789").unwrap();
        std::fs::create_dir(dir.path().join("web")).unwrap();
        std::fs::write(dir.path().join("web/index.html"), "<h1>hi</h1>").unwrap();
        let config = HttpConfig {
            directory: Some(dir.path().to_owned()),
            content: BTreeMap::from([
                ("both.cfg".to_owned(), "from content\n".to_owned()),
                ("/mem/user-data".to_owned(), "#cloud-config\n".to_owned()),
            ]),
            bind_address: "127.0.0.1".into(),
            ..HttpConfig::default()
        };
        let server = HttpServer::start(&config).unwrap().unwrap();
        (dir, server)
    }

    #[test]
    fn content_overrides_the_directory_and_404_otherwise() {
        let (_dir, server) = site();
        let port = server.port();
        assert!((8000..=9000).contains(&port));
        assert_eq!(path(port, "/preseed.cfg").2, b"d-i from disk\n");
        assert_eq!(path(port, "/both.cfg").2, b"from content\n");
        assert_eq!(path(port, "/mem/user-data").2, b"#cloud-config\n");
        assert_eq!(
            path(port, "/mem/./../mem//user-data?x=1").2,
            b"#cloud-config\n"
        );
        let (status, _, body) = path(port, "/missing.cfg");
        assert_eq!(
            (status, body.as_slice()),
            (404, &b"404 page not found\n"[..])
        );
        // Nothing escapes the directory.
        assert_eq!(path(port, "/../../etc/passwd").0, 404);
        assert_eq!(path(port, "/%2e%2e/%2e%2e/etc/passwd").0, 404);
    }

    #[test]
    fn directories_like_go_file_server() {
        let (_dir, server) = site();
        let port = server.port();
        let (status, headers, _) = path(port, "/sub%20dir");
        assert_eq!(status, 301);
        assert_eq!(headers["location"], "/sub%20dir/");
        let (status, _, body) = path(port, "/sub%20dir/");
        assert_eq!(status, 200);
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "<pre>\n<a href=\"a&b.txt\">a&amp;b.txt</a>\n</pre>\n"
        );
        assert_eq!(path(port, "/web/").2, b"<h1>hi</h1>");
        let (_, headers, body) = path(port, "/");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert!(String::from_utf8(body)
            .unwrap()
            .contains("<a href=\"sub%20dir/\">sub dir/</a>"));
    }

    #[test]
    fn ranges_head_and_methods() {
        let (_dir, server) = site();
        let port = server.port();
        let range = |r: &str| {
            get(
                port,
                &format!("GET /sub%20dir/a&b.txt HTTP/1.1\r\nRange: {r}\r\n\r\n"),
            )
        };
        let (status, headers, body) = range("bytes=4-");
        assert_eq!((status, body.as_slice()), (206, &b"456789"[..]));
        assert_eq!(headers["content-range"], "bytes 4-9/10");
        assert_eq!(range("bytes=2-3").2, b"23");
        assert_eq!(range("bytes=-3").2, b"789");
        assert_eq!(range("bytes=10-").0, 416);
        let (status, headers, body) = get(port, "HEAD /preseed.cfg HTTP/1.1\r\n\r\n");
        assert_eq!((status, body.len()), (200, 0));
        assert_eq!(headers["content-length"], "14");
        assert_eq!(get(port, "POST /preseed.cfg HTTP/1.1\r\n\r\n").0, 405);
    }

    #[test]
    fn content_only_and_nothing_to_serve() {
        assert!(HttpServer::start(&HttpConfig::default()).unwrap().is_none());
        let server = HttpServer::start(&HttpConfig {
            content: BTreeMap::from([("/ks.cfg".to_owned(), "text".to_owned())]),
            bind_address: "127.0.0.1".into(),
            ..HttpConfig::default()
        })
        .unwrap()
        .unwrap();
        let (status, _, body) = path(server.port(), "/other");
        assert_eq!(
            (status, body.as_slice()),
            (404, &b"/other not found.\n"[..])
        );
        assert_eq!(
            server.addr(QEMU_HOST_IP),
            format!("10.0.2.2:{}", server.port())
        );
        let vars = server.template_vars(QEMU_HOST_IP);
        assert_eq!(vars["HTTPIP"], "10.0.2.2");
        assert_eq!(vars["HTTPPort"], server.port().to_string());
    }

    #[test]
    fn ports_come_from_the_range_and_stop_frees_them() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let config = |min, max| HttpConfig {
            content: BTreeMap::from([("/a".to_owned(), "a".to_owned())]),
            bind_address: "127.0.0.1".into(),
            port_min: min,
            port_max: max,
            ..HttpConfig::default()
        };
        let err = HttpServer::start(&config(port, port)).expect_err("an error");
        assert!(
            err.to_string().starts_with(&format!(
                "could not find an available port in {port}-{port}"
            )),
            "{err}"
        );
        drop(taken);
        let server = HttpServer::start(&config(port, port)).unwrap().unwrap();
        assert_eq!(server.port(), port);
        server.stop();
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
        assert!(matches!(
            HttpServer::start(&config(9000, 8000)),
            Err(HttpError::BadRange)
        ));
    }
}
