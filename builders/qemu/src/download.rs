//! `iso_url`/`iso_urls` + `iso_checksum`: the source image, from a local
//! path or http(s), verified, cached like Packer's `StepDownload`.
//!
//! API: [`fetch`]`(&`[`Source`]`, ui, cancel, cwd)` → [`Fetched`] (`path`,
//! the URL that worked, the checksum). [`Source::iso`] fills Packer's
//! defaults (`iso_target_extension` `iso`, description `ISO`).
//!
//! - URLs are tried in order; each failure is reported (`Download failed
//!   …`) and the next one tried; when all fail the error lists them all
//!   (`error downloading ISO: [...]`), as Packer does.
//! - `iso_checksum`: `md5:`/`sha1:`/`sha256:`/`sha512:` + hex, bare hex
//!   (type from its length), `file:URL`/`file:PATH` (a GNU or BSD checksum
//!   file, looked up by the source's file name), or `none`.
//! - A local path or `file://` URL is verified and used in place, never
//!   copied.
//! - http(s) downloads go to the cache (`KILN_CACHE_DIR`,
//!   `PACKER_CACHE_DIR`, default `./packer_cache`) under Packer's name
//!   (`sha1("sha256:…")` or, with `none`, `sha1(URL)`, plus `.iso`), or to
//!   `iso_target_path`. A cached file that verifies is used without a
//!   download (with `none`, any cached file is). Downloads are written to
//!   `<name>.part`, resumed with a `Range` request after an interruption
//!   (also across runs and after Ctrl-C), verified, then renamed into place.
//!   A lock file (`<name>.lock`, `flock`) keeps parallel builds from
//!   downloading the same file twice.

mod cache;
mod checksum;
mod transfer;

pub use cache::cache_dir;
pub use checksum::{Checksum, Kind, Spec};

use kiln_core::cancel::Reason;
use kiln_core::{Cancel, Ui};
use std::path::{Path, PathBuf};

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Source {
    pub urls: Vec<String>,
    /// `iso_checksum` as written.
    pub checksum: String,
    pub target_path: Option<PathBuf>,
    pub target_extension: String,
    /// For messages: `Retrieving ISO`.
    pub description: String,
    /// Overrides the cache directory from the environment.
    pub cache_dir: Option<PathBuf>,
}

impl Source {
    pub fn iso(urls: Vec<String>, checksum: impl Into<String>) -> Source {
        Source {
            urls,
            checksum: checksum.into(),
            target_path: None,
            target_extension: "iso".into(),
            description: "ISO".into(),
            cache_dir: None,
        }
    }
}

/// The verified file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub path: PathBuf,
    /// The URL it came from.
    pub url: String,
    /// `None` for `iso_checksum = "none"`.
    pub checksum: Option<Checksum>,
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// `iso_checksum` cannot be understood.
    #[error("invalid iso_checksum: {0}")]
    BadChecksum(String),
    /// The checksum file has no line for the source.
    #[error("no checksum found in: {0}")]
    NotInChecksumFile(String),
    /// go-getter's message for a mismatch.
    #[error("Checksums did not match for {}.\nExpected: {expected}\nGot: {got}", path.display())]
    Mismatch {
        path: PathBuf,
        expected: String,
        got: String,
    },
    /// The server answered with an error status.
    #[error("bad response code: {status}")]
    Status { url: String, status: u16 },
    /// No answer from the server.
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
    /// The connection broke during the body; the `.part` file is kept.
    #[error("{url}: transfer interrupted: {message}")]
    Interrupted { url: String, message: String },
    /// A scheme kiln does not fetch.
    #[error("unsupported URL scheme: {0}")]
    Unsupported(String),
    /// A local file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The token fired.
    #[error("Download cancelled: {0:?}")]
    Cancelled(Reason),
    /// Every URL failed.
    #[error("error downloading {description}: [{}]", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(" "))]
    AllFailed {
        description: String,
        errors: Vec<DownloadError>,
    },
}

impl DownloadError {
    fn io(path: &Path, source: std::io::Error) -> DownloadError {
        DownloadError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Fetch and verify the first URL of `src` that works. Relative paths
/// (and the default cache directory) are taken against `cwd`.
pub fn fetch(
    src: &Source,
    ui: &dyn Ui,
    cancel: &Cancel,
    cwd: &Path,
) -> Result<Fetched, DownloadError> {
    let spec = Spec::parse(&src.checksum)?;
    let agent = transfer::agent();
    let cache = src.cache_dir.clone().unwrap_or_else(|| cache_dir(cwd));
    ui.say(&format!("Retrieving {}", src.description));
    let mut errors = Vec::new();
    for url in &src.urls {
        if let Some(r) = cancel.reason() {
            return Err(DownloadError::Cancelled(r));
        }
        match fetch_one(src, &spec, url, &agent, &cache, ui, cancel, cwd) {
            Ok(f) => return Ok(f),
            Err(e @ DownloadError::Cancelled(_)) => return Err(e),
            Err(e) => {
                if !matches!(e, DownloadError::Mismatch { .. }) {
                    ui.say(&format!("Download failed {e}"));
                }
                errors.push(e);
            }
        }
    }
    let err = DownloadError::AllFailed {
        description: src.description.clone(),
        errors,
    };
    ui.error(&err.to_string());
    Err(err)
}

/// Where a URL points.
enum Location {
    Local(PathBuf),
    Remote,
}

fn locate(url: &str, cwd: &Path) -> Result<Location, DownloadError> {
    if let Some(rest) = url.strip_prefix("file://") {
        return Ok(Location::Local(cwd.join(without_query(rest))));
    }
    match url.split_once("://") {
        Some((scheme, _))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            Ok(Location::Remote)
        }
        Some(_) => Err(DownloadError::Unsupported(url.to_owned())),
        None => Ok(Location::Local(cwd.join(without_query(url)))),
    }
}

fn without_query(s: &str) -> &str {
    s.split('?').next().unwrap_or(s)
}

/// The file name a checksum file lists the source under.
fn file_name(url: &str) -> &str {
    without_query(url).rsplit('/').next().unwrap_or(url)
}

/// Resolve `file:` checksums for this URL.
fn checksum_for(
    spec: &Spec,
    url: &str,
    agent: &ureq::Agent,
    cwd: &Path,
) -> Result<Option<Checksum>, DownloadError> {
    match spec {
        Spec::None => Ok(None),
        Spec::Value(c) => Ok(Some(c.clone())),
        Spec::File(sums_url) => {
            let text = match locate(sums_url, cwd)? {
                Location::Remote => transfer::get_text(agent, sums_url)?,
                Location::Local(p) => {
                    std::fs::read_to_string(&p).map_err(|e| DownloadError::io(&p, e))?
                }
            };
            match checksum::from_checksum_file(&text, file_name(url)) {
                Some(c) => c.map(Some),
                None => Err(DownloadError::NotInChecksumFile(sums_url.clone())),
            }
        }
    }
}

/// `URL?checksum=sha256%3A…`, as Packer prints it.
fn display_url(url: &str, sum: Option<&Checksum>) -> String {
    match sum {
        None => url.to_owned(),
        Some(c) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}checksum={}%3A{}", c.kind.name(), c.hex)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn fetch_one(
    src: &Source,
    spec: &Spec,
    url: &str,
    agent: &ureq::Agent,
    cache: &Path,
    ui: &dyn Ui,
    cancel: &Cancel,
    cwd: &Path,
) -> Result<Fetched, DownloadError> {
    // One "Trying" line per URL (Packer prints two: the bare URL, then
    // the one with its checksum): with the checksum once it is known,
    // bare when finding it (or the URL's scheme) failed.
    let prepared = locate(url, cwd).and_then(|l| Ok((l, checksum_for(spec, url, agent, cwd)?)));
    let (location, sum) = match prepared {
        Ok(p) => p,
        Err(e) => {
            ui.say(&format!("Trying {url}"));
            return Err(e);
        }
    };
    let shown = display_url(url, sum.as_ref());
    ui.say(&format!("Trying {shown}"));
    let expected = sum.as_ref().map(|c| c.hex.as_str());
    let kind = sum.as_ref().map(|c| c.kind);
    let path = match location {
        Location::Local(path) => {
            if !path.is_file() {
                return Err(DownloadError::io(
                    &path,
                    std::io::Error::from(std::io::ErrorKind::NotFound),
                ));
            }
            verify(&path, kind, expected, cancel)?;
            path
        }
        Location::Remote => {
            let key = match &sum {
                Some(c) => c.to_string(),
                None => url.to_owned(),
            };
            let target = cache::target_path(
                cache,
                src.target_path.as_deref().map(|p| cwd.join(p)).as_deref(),
                &key,
                &src.target_extension,
            );
            let _lock = cache::lock(&target)?;
            download_to(&target, url, agent, kind, expected, ui, cancel)?;
            target
        }
    };
    ui.say(&format!("{shown} => {}", path.display()));
    Ok(Fetched {
        path,
        url: url.to_owned(),
        checksum: sum,
    })
}

fn verify(
    path: &Path,
    kind: Option<Kind>,
    expected: Option<&str>,
    cancel: &Cancel,
) -> Result<(), DownloadError> {
    match (transfer::hash_file(path, kind, cancel)?, expected) {
        (Some(got), Some(want)) if got != want => Err(DownloadError::Mismatch {
            path: path.to_owned(),
            expected: want.to_owned(),
            got,
        }),
        _ => Ok(()),
    }
}

fn download_to(
    target: &Path,
    url: &str,
    agent: &ureq::Agent,
    kind: Option<Kind>,
    expected: Option<&str>,
    ui: &dyn Ui,
    cancel: &Cancel,
) -> Result<(), DownloadError> {
    if target.is_file() {
        match verify(target, kind, expected, cancel) {
            Ok(()) => return Ok(()),
            Err(DownloadError::Mismatch { .. }) => {
                tracing::info!(path = %target.display(), "cached file does not verify; downloading again");
                std::fs::remove_file(target).map_err(|e| DownloadError::io(target, e))?;
            }
            Err(e) => return Err(e),
        }
    }
    let mut part = target.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let got = transfer::download(agent, url, &part, kind, ui, cancel)?;
    if let (Some(got), Some(want)) = (got, expected) {
        if got != want {
            ui.say(&format!(
                "Checksum did not match, removing {}",
                target.display()
            ));
            let _ = std::fs::remove_file(&part);
            return Err(DownloadError::Mismatch {
                path: target.to_owned(),
                expected: want.to_owned(),
                got,
            });
        }
    }
    std::fs::rename(&part, target).map_err(|e| DownloadError::io(target, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{HttpConfig, HttpServer};
    use kiln_core::ui::RecordingUi;
    use std::collections::BTreeMap;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    fn sha256(data: &[u8]) -> String {
        kiln_gocompat::hash::HashKind::Sha256.hex_digest(data)
    }

    fn data() -> Vec<u8> {
        (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect()
    }

    struct Env {
        dir: tempfile::TempDir,
        server: HttpServer,
    }

    impl Env {
        fn url(&self, p: &str) -> String {
            format!("http://127.0.0.1:{}/{p}", self.server.port())
        }
        fn cache(&self) -> PathBuf {
            self.dir.path().join("cache")
        }
        fn source(&self, urls: &[String], sum: &str) -> Source {
            Source {
                cache_dir: Some(self.cache()),
                ..Source::iso(urls.to_vec(), sum)
            }
        }
    }

    fn env() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let www = dir.path().join("www");
        std::fs::create_dir(&www).unwrap();
        std::fs::write(www.join("disk.img"), data()).unwrap();
        let sums = format!(
            "{}  disk.img\n{}  other.img\n",
            sha256(&data()),
            sha256(b"x")
        );
        let server = HttpServer::start(&HttpConfig {
            directory: Some(www),
            content: BTreeMap::from([("/SHA256SUMS".to_owned(), sums)]),
            bind_address: "127.0.0.1".into(),
            port_min: 20000,
            port_max: 30000,
        })
        .unwrap()
        .unwrap();
        Env { dir, server }
    }

    #[test]
    fn local_files_are_verified_and_used_in_place() {
        let e = env();
        let ui = RecordingUi::default();
        let sum = format!("sha256:{}", sha256(&data()));
        let src = e.source(&["www/disk.img".into()], &sum);
        let got = fetch(&src, &ui, &Cancel::new(), e.dir.path()).unwrap();
        assert_eq!(got.path, e.dir.path().join("www/disk.img"));
        assert!(!e.cache().exists(), "nothing is copied");
        assert_eq!(
            ui.of("say"),
            [
                "Retrieving ISO".to_owned(),
                format!("Trying www/disk.img?checksum=sha256%3A{}", sha256(&data())),
                format!(
                    "www/disk.img?checksum=sha256%3A{} => {}",
                    sha256(&data()),
                    got.path.display()
                ),
            ]
        );
        let file_url = format!("file://{}", e.dir.path().join("www/disk.img").display());
        let got = fetch(
            &e.source(&[file_url], "none"),
            &ui,
            &Cancel::new(),
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(got.path, e.dir.path().join("www/disk.img"));
        assert_eq!(got.checksum, None);
        let trying: Vec<_> = ui
            .of("say")
            .into_iter()
            .filter(|l| l.starts_with("Trying file://"))
            .collect();
        assert_eq!(trying.len(), 1, "one line per URL: {trying:?}");

        let bad = "md5:0123456789abcdef0123456789abcdef";
        let err = fetch(
            &e.source(&["www/disk.img".into()], bad),
            &ui,
            &Cancel::new(),
            e.dir.path(),
        )
        .expect_err("an error");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!(
                "error downloading ISO: [Checksums did not match for {}.\nExpected: 0123456789abcdef0123456789abcdef\nGot: ",
                e.dir.path().join("www/disk.img").display()
            )),
            "{msg}"
        );
    }

    #[test]
    fn http_downloads_are_cached_under_packers_name() {
        let e = env();
        let ui = RecordingUi::default();
        let urls = [e.url("missing.img"), e.url("disk.img")];
        let sum = sha256(&data());
        let got = fetch(&e.source(&urls, &sum), &ui, &Cancel::new(), e.dir.path()).unwrap();
        let expect = cache::target_path(&e.cache(), None, &format!("sha256:{sum}"), "iso");
        assert_eq!(got.path, expect);
        assert_eq!(got.url, urls[1]);
        assert_eq!(std::fs::read(&got.path).unwrap(), data());
        assert!(ui
            .of("say")
            .contains(&"Download failed bad response code: 404".to_owned()));
        let leftovers: Vec<_> = std::fs::read_dir(e.cache())
            .unwrap()
            .map(|d| d.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".part"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        // Once cached, no server is needed.
        let Env { dir, server } = e;
        server.stop();
        let e2 = Env {
            dir,
            server: HttpServer::start(&HttpConfig {
                content: BTreeMap::from([("/x".to_owned(), String::new())]),
                bind_address: "127.0.0.1".into(),
                port_min: 20000,
                port_max: 30000,
                ..HttpConfig::default()
            })
            .unwrap()
            .unwrap(),
        };
        let again = fetch(
            &e2.source(&urls[1..], &sum),
            &ui,
            &Cancel::new(),
            e2.dir.path(),
        )
        .unwrap();
        assert_eq!(again.path, got.path);
    }

    #[test]
    fn checksum_files_and_mismatches() {
        let e = env();
        let ui = RecordingUi::default();
        let url = e.url("disk.img");
        let spec = format!("file:{}", e.url("SHA256SUMS"));
        let got = fetch(
            &e.source(std::slice::from_ref(&url), &spec),
            &ui,
            &Cancel::new(),
            e.dir.path(),
        )
        .unwrap();
        assert_eq!(got.checksum.unwrap().hex, sha256(&data()));

        let missing = format!("file:{}", e.url("NOPE"));
        let err = fetch(
            &e.source(std::slice::from_ref(&url), &missing),
            &ui,
            &Cancel::new(),
            e.dir.path(),
        )
        .expect_err("an error");
        assert_eq!(
            err.to_string(),
            "error downloading ISO: [bad response code: 404]"
        );

        // A wrong checksum: the download is removed, nothing is cached.
        let wrong = format!("sha256:{}", sha256(b"something else"));
        let cache = e.dir.path().join("cache2");
        let src = Source {
            cache_dir: Some(cache.clone()),
            ..Source::iso(vec![url], wrong.clone())
        };
        let err = fetch(&src, &ui, &Cancel::new(), e.dir.path()).expect_err("an error");
        let target = cache::target_path(&cache, None, &wrong, "iso");
        assert!(err.to_string().contains(&format!(
            "Checksums did not match for {}.\nExpected: {}\nGot: {}",
            target.display(),
            sha256(b"something else"),
            sha256(&data())
        )));
        assert!(ui.of("say").contains(&format!(
            "Checksum did not match, removing {}",
            target.display()
        )));
        let names: Vec<_> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|d| d.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 1, "only the lock file: {names:?}");
        assert!(names[0].ends_with(".iso.lock"));
    }

    #[test]
    fn a_part_file_from_an_earlier_run_is_resumed() {
        let e = env();
        let sum = sha256(&data());
        let target = cache::target_path(&e.cache(), None, &format!("sha256:{sum}"), "iso");
        std::fs::create_dir_all(e.cache()).unwrap();
        let mut part = target.as_os_str().to_owned();
        part.push(".part");
        std::fs::write(&part, &data()[..300_000]).unwrap();
        let got = fetch(
            &e.source(&[e.url("disk.img")], &sum),
            &RecordingUi::default(),
            &Cancel::new(),
            e.dir.path(),
        )
        .unwrap();
        assert_eq!(std::fs::read(got.path).unwrap(), data());
        assert!(!Path::new(&part).exists());
    }

    /// A server whose first answer breaks off halfway; it records the
    /// `Range` header of every request.
    fn flaky_server(body: Vec<u8>) -> (u16, Arc<Mutex<Vec<Option<String>>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let ranges = Arc::new(Mutex::new(Vec::new()));
        let seen = ranges.clone();
        std::thread::spawn(move || {
            for (n, conn) in listener.incoming().enumerate() {
                let mut conn = conn.unwrap();
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut range = None;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line
                        .strip_prefix("Range: ")
                        .or(line.strip_prefix("range: "))
                    {
                        range = Some(v.trim().to_owned());
                    }
                }
                seen.lock().unwrap().push(range.clone());
                let len = body.len();
                if n == 0 {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n");
                    conn.write_all(head.as_bytes()).unwrap();
                    conn.write_all(&body[..len / 2]).unwrap();
                    // Dropped: the client sees the connection close early.
                } else {
                    let start: usize = range
                        .as_deref()
                        .and_then(|r| r.strip_prefix("bytes="))
                        .and_then(|r| r.trim_end_matches('-').parse().ok())
                        .unwrap();
                    let head = format!(
                        "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{len}\r\n\r\n",
                        len - start,
                        len - 1
                    );
                    conn.write_all(head.as_bytes()).unwrap();
                    conn.write_all(&body[start..]).unwrap();
                }
            }
        });
        (port, ranges)
    }

    #[test]
    fn an_interrupted_transfer_resumes_with_a_range_request() {
        let body = data();
        let (port, ranges) = flaky_server(body.clone());
        let dir = tempfile::tempdir().unwrap();
        let src = Source {
            cache_dir: Some(dir.path().to_owned()),
            ..Source::iso(
                vec![format!("http://127.0.0.1:{port}/disk.img")],
                format!("sha256:{}", sha256(&body)),
            )
        };
        let got = fetch(&src, &RecordingUi::default(), &Cancel::new(), dir.path()).unwrap();
        assert_eq!(std::fs::read(&got.path).unwrap(), body);
        let ranges = ranges.lock().unwrap().clone();
        assert_eq!(ranges, [None, Some(format!("bytes={}-", body.len() / 2))]);
    }

    #[test]
    fn cancel_and_bad_input() {
        let e = env();
        let c = Cancel::new();
        c.cancel();
        let err = fetch(
            &e.source(&[e.url("disk.img")], "none"),
            &RecordingUi::default(),
            &c,
            e.dir.path(),
        )
        .expect_err("an error");
        assert!(matches!(err, DownloadError::Cancelled(Reason::Cancelled)));
        let err = fetch(
            &e.source(&["s3://bucket/x.iso".into()], "none"),
            &RecordingUi::default(),
            &Cancel::new(),
            e.dir.path(),
        )
        .expect_err("an error");
        assert_eq!(
            err.to_string(),
            "error downloading ISO: [unsupported URL scheme: s3://bucket/x.iso]"
        );
        assert!(matches!(
            fetch(
                &e.source(&[], "sha256:zz"),
                &RecordingUi::default(),
                &Cancel::new(),
                e.dir.path()
            ),
            Err(DownloadError::BadChecksum(_))
        ));
    }
}
