//! Pushing to and pulling from a real registry: Debian's
//! `docker-registry` on a loopback port, checked with skopeo.

// Tests may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use super::build;
use super::oci::{busybox_rootfs, tool};
use crate::project;
use serde_json::Value;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A throwaway registry; stopped when dropped.
pub struct Registry {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn start(users: &[(&str, &str)]) -> Registry {
        Registry::start_with(users, None)
    }

    /// `token`: the bearer-token section of the registry's config.
    fn start_with(users: &[(&str, &str)], token: Option<String>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = format!(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if !users.is_empty() {
            let lines: Vec<String> = users
                .iter()
                .map(|(u, p)| format!("{u}:{}", bcrypt::hash(p, 5).unwrap()))
                .collect();
            std::fs::write(dir.path().join("htpasswd"), lines.join("\n") + "\n").unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: kiln-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            ));
        }
        if let Some(t) = token {
            config.push_str(&t);
        }
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("docker-registry cannot run ({e}): run scripts/setup.sh"));
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the registry did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Registry {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn inspect(dir: &Path, image: &str, creds: Option<&str>) -> Value {
    let mut args = vec!["inspect", "--tls-verify=false"];
    if let Some(c) = creds {
        args.extend(["--creds", c]);
    }
    args.push(image);
    serde_json::from_str(&tool(dir, "skopeo", &args)).unwrap()
}

fn kiln_build(dir: &Path, file: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let r = build(dir, tmp.path(), &["-force", file]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    r.stdout
}

#[test]
fn push_with_several_tags_then_pull_as_a_base_with_mounts() {
    let reg = Registry::start(&[]);
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let repo = format!("localhost:{}/app", reg.port);
    let t = format!(
        r#"
source "oci" "app" {{
  image      = "rootfs:{}"
  repository = "{repo}"
  tags       = ["1.0", "blue"]
  changes    = ["CMD [\"/bin/cat\", \"/app/hello\"]"]
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["mkdir /app", "echo hello > /app/hello"]
  }}
  post-processor "oci-push" {{}}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("push.pkr.hcl"), t).unwrap();
    let out = kiln_build(d, "push.pkr.hcl");
    assert!(out.contains(&format!("Pushing: {repo}:blue")), "{out}");
    let local = inspect(d, "oci:output-app:1.0", None);
    for tag in ["1.0", "blue"] {
        let remote = inspect(d, &format!("docker://{repo}:{tag}"), None);
        assert_eq!(remote["Digest"], local["Digest"], "{tag}");
    }

    // The pushed image is the next build's base, pulled over HTTP; its
    // blobs are mounted into the new repository, not uploaded again.
    let repo2 = format!("localhost:{}/app2", reg.port);
    let t = format!(
        r#"
source "docker" "next" {{
  image  = "{repo}:1.0"
  commit = true
}}
build {{
  sources = ["source.docker.next"]
  provisioner "shell" {{
    inline = ["echo two > /app/two"]
  }}
  post-processors {{
    post-processor "docker-tag" {{
      repository = "{repo2}"
      tags       = ["2.0", "green"]
    }}
    post-processor "docker-push" {{}}
  }}
}}
"#
    );
    std::fs::write(d.join("pull.pkr.hcl"), t).unwrap();
    let out = kiln_build(d, "pull.pkr.hcl");
    assert!(out.contains("mounted from app"), "{out}");
    let pushed = inspect(d, &format!("docker://{repo2}:green"), None);
    assert_eq!(pushed["Layers"].as_array().unwrap().len(), 3);
    let local = inspect(d, "oci:output-next:green", None);
    assert_eq!(pushed["Digest"], local["Digest"]);

    // Pushing again finds every blob in place.
    let out = kiln_build(d, "push.pkr.hcl");
    assert!(out.contains("already exists"), "{out}");
}

#[test]
fn basic_auth_is_required_and_used() {
    let reg = Registry::start(&[("kiln", "s3cret")]);
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let repo = format!("localhost:{}/private", reg.port);
    let t = |user: &str| {
        format!(
            r#"
source "oci" "app" {{
  image      = "rootfs:{}"
  repository = "{repo}"
  tags       = ["1"]
}}
build {{
  sources = ["source.oci.app"]
  post-processor "docker-push" {{
    login          = true
    login_username = "{user}"
    login_password = "s3cret"
  }}
}}
"#,
            rootfs.display()
        )
    };
    std::fs::write(d.join("bad.pkr.hcl"), t("nobody")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["bad.pkr.hcl"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    std::fs::write(d.join("good.pkr.hcl"), t("kiln")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["-force", "good.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let remote = inspect(d, &format!("docker://{repo}:1"), Some("kiln:s3cret"));
    assert_eq!(remote["Layers"].as_array().unwrap().len(), 1);
}

/// Every output form the builder writes is pushed: an oci-archive keeps
/// its manifest (the same digest as the local image), a docker-archive
/// gets one for its config (unchanged, so the image ID stays) and its
/// uncompressed layers.
#[test]
fn oci_and_docker_archives_are_pushed() {
    let reg = Registry::start(&[]);
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    for format in ["oci-archive", "docker-archive"] {
        let repo = format!("localhost:{}/{format}", reg.port);
        let file = format!("{format}.tar");
        let t = format!(
            r#"
source "oci" "app" {{
  image         = "rootfs:{}"
  repository    = "{repo}"
  tags          = ["1.0", "blue"]
  output_format = "{format}"
  output_file   = "{file}"
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{
    inline = ["echo {format} > /marker"]
  }}
  post-processor "oci-push" {{}}
}}
"#,
            rootfs.display()
        );
        let out = kiln_build(d, written(d, "archive.pkr.hcl", &t));
        assert!(out.contains(&format!("Pushing: {repo}:blue")), "{out}");
        let local = match format {
            "oci-archive" => format!("oci-archive:{file}:1.0"),
            _ => format!("docker-archive:{file}"),
        };
        let local_info = inspect(d, &local, None);
        let remote_raw: Value = serde_json::from_str(&tool(
            d,
            "skopeo",
            &[
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{repo}:1.0"),
            ],
        ))
        .unwrap();
        for tag in ["1.0", "blue"] {
            let remote = inspect(d, &format!("docker://{repo}:{tag}"), None);
            assert_eq!(remote["Layers"].as_array().unwrap().len(), 2, "{format}");
            assert_eq!(remote["Layers"], local_info["Layers"], "{format} {tag}");
            if format == "oci-archive" {
                assert_eq!(remote["Digest"], local_info["Digest"], "{format} {tag}");
            }
        }
        if format == "docker-archive" {
            // The config is the archive's own member, byte for byte.
            let saved: Value =
                serde_json::from_str(&tool(d, "tar", &["-xOf", &file, "manifest.json"])).unwrap();
            let config_name = saved[0]["Config"].as_str().unwrap();
            assert_eq!(
                remote_raw["config"]["digest"],
                format!("sha256:{}", config_name.trim_end_matches(".json")).as_str()
            );
            assert_eq!(
                remote_raw["layers"][0]["mediaType"],
                "application/vnd.oci.image.layer.v1.tar"
            );
        }
        // What was pushed runs: its files come back from the registry.
        let copy = format!("oci:pulled-{format}:x");
        tool(
            d,
            "skopeo",
            &[
                "copy",
                "--src-tls-verify=false",
                &format!("docker://{repo}:blue"),
                &copy,
            ],
        );
        tool(
            d,
            "umoci",
            &[
                "unpack",
                "--image",
                &format!("pulled-{format}:x"),
                &format!("b-{format}"),
            ],
        );
        assert_eq!(
            std::fs::read_to_string(d.join(format!("b-{format}/rootfs/marker"))).unwrap(),
            format!("{format}\n")
        );
    }
}

/// The example template end to end: a Debian 12 base (the cached fixture),
/// busybox installed with apt inside the sandbox, pushed with two tags;
/// buildah runs the pushed image.
#[test]
fn the_example_template_builds_pushes_and_runs() {
    let out = Command::new("bash")
        .arg(crate::repo_root().join("tests/fixtures/debian-rootfs.sh"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "tests/fixtures/debian-rootfs.sh failed (run scripts/setup.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    let reg = Registry::start(&[]);
    let dir = project(&[]);
    let d = dir.path();
    let template = crate::repo_root().join("templates/oci-app.pkr.hcl");
    let tmp = tempfile::tempdir().unwrap();
    let registry = format!("registry=localhost:{}", reg.port);
    let base_var = format!("base={base}");
    let r = build(
        d,
        tmp.path(),
        &[
            "-var",
            &registry,
            "-var",
            &base_var,
            "-var",
            "version=2.0.0",
            template.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The example's test stage ran against the fresh image before the push.
    assert!(r.stdout.contains("Check 'page' passed"), "{}", r.stdout);
    assert!(r.stdout.contains("Test 'serves' passed"), "{}", r.stdout);
    // debootstrap's /dev/null and friends are in the tarball (the fixture
    // checks that); the build skips them and keeps the layer as it is.
    let skipped = regex::Regex::new(
        r"Skipped (\d+) device nodes under /dev in the base image \(the sandbox mounts its own /dev; the layers keep them\)",
    )
    .unwrap();
    let n: usize = skipped
        .captures(&r.stdout)
        .unwrap_or_else(|| panic!("no skip line: {}", r.stdout))[1]
        .parse()
        .unwrap();
    assert!(n >= 6, "{}", r.stdout);
    let image = format!("docker://localhost:{}/hello:blue", reg.port);
    let remote = inspect(d, &image, None);
    assert_eq!(
        remote["Labels"]["org.opencontainers.image.version"],
        "2.0.0"
    );
    assert_eq!(
        remote["Layers"][0],
        super::oci::file_digest(Path::new(&base)).as_str(),
        "the base layer is the tarball byte for byte"
    );
    let storage = d.join("containers");
    let store = [
        "--storage-driver".to_owned(),
        "vfs".to_owned(),
        "--root".to_owned(),
        storage.join("root").display().to_string(),
        "--runroot".to_owned(),
        storage.join("run").display().to_string(),
    ];
    let buildah = |args: &[&str]| {
        let mut all: Vec<&str> = store.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        tool(d, "buildah", &all)
    };
    buildah(&["from", "--tls-verify=false", "--name", "web", &image]);
    let page = buildah(&[
        "run",
        "--isolation",
        "chroot",
        "web",
        "cat",
        "/srv/index.html",
    ]);
    assert_eq!(page, "hello from kiln 2.0.0\n");
    let who = buildah(&["run", "--isolation", "chroot", "web", "id", "-un"]);
    assert_eq!(who, "www-data\n");
    buildah(&["rm", "web"]);
    let _ = std::fs::remove_dir_all(&storage);
}

/// A token service as Docker Hub runs one: Basic credentials in, a JWT
/// (RS256, its certificate in `x5c`) granting the asked scope out. Signed
/// with the openssl tool; stops when dropped.
struct TokenService {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    dir: tempfile::TempDir,
}

impl TokenService {
    fn start(user: &'static str, pass: &'static str) -> TokenService {
        use std::io::{Read, Write};
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        tool(
            &d,
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-subj",
                "/CN=kiln-token",
                "-days",
                "1",
            ],
        );
        tool(
            &d,
            "openssl",
            &[
                "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
            ],
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = conn.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    req.extend_from_slice(&buf[..n]);
                }
                let req = String::from_utf8_lossy(&req).into_owned();
                let reply = token_reply(&d, &req, user, pass);
                let _ = conn.write_all(reply.as_bytes());
            }
        });
        TokenService {
            port,
            stop,
            thread: Some(thread),
            dir,
        }
    }

    fn registry_config(&self) -> String {
        format!(
            "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: kiln-registry\n    issuer: kiln-test\n    rootcertbundle: {}\n",
            self.port,
            self.dir.path().join("cert.pem").display()
        )
    }
}

impl Drop for TokenService {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn token_reply(dir: &Path, req: &str, user: &str, pass: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let want = format!("Basic {}", b64.encode(format!("{user}:{pass}")));
    let authorised = req
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization:") && l[14..].trim() == want);
    if !authorised {
        return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .into();
    }
    let target = req.split_whitespace().nth(1).unwrap_or_default();
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let mut access = Vec::new();
    for kv in query.split('&') {
        if let Some(scope) = kv.strip_prefix("scope=") {
            let scope = scope
                .replace("%3A", ":")
                .replace("%3a", ":")
                .replace("%2C", ",")
                .replace("%2c", ",")
                .replace("%2F", "/")
                .replace("%2f", "/");
            let parts: Vec<&str> = scope.splitn(3, ':').collect();
            if let [kind, name, actions] = parts.as_slice() {
                access.push(serde_json::json!({
                    "type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()
                }));
            }
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cert = b64.encode(std::fs::read(dir.join("cert.der")).unwrap());
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5c": [cert]});
    let claims = serde_json::json!({
        "iss": "kiln-test", "sub": user, "aud": "kiln-registry",
        "exp": now + 600, "nbf": now - 60, "iat": now, "jti": format!("{now}-{}", access.len()),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        url.encode(header.to_string()),
        url.encode(claims.to_string())
    );
    std::fs::write(dir.join("input"), &signing_input).unwrap();
    let sig = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign", "key.pem", "input"])
        .current_dir(dir)
        .output()
        .unwrap()
        .stdout;
    let token = format!("{signing_input}.{}", url.encode(sig));
    let body =
        serde_json::json!({"token": token, "access_token": token, "expires_in": 600}).to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn bearer_tokens_from_a_token_service() {
    let tokens = TokenService::start("kiln", "t0ken");
    let reg = Registry::start_with(&[], Some(tokens.registry_config()));
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let repo = format!("localhost:{}/guarded", reg.port);
    let t = |user: &str| {
        format!(
            r#"
source "oci" "app" {{
  image      = "rootfs:{}"
  repository = "{repo}"
  tags       = ["1", "stable"]
}}
build {{
  sources = ["source.oci.app"]
  post-processor "docker-push" {{
    login_username = "{user}"
    login_password = "t0ken"
  }}
}}
"#,
            rootfs.display()
        )
    };
    std::fs::write(d.join("bad.pkr.hcl"), t("mallory")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["-force", "bad.pkr.hcl"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    kiln_build(d, written(d, "good.pkr.hcl", &t("kiln")));
    let remote = inspect(d, &format!("docker://{repo}:stable"), Some("kiln:t0ken"));
    let local = inspect(d, "oci:output-app:stable", None);
    assert_eq!(remote["Digest"], local["Digest"]);

    // Pulling it back as a base needs the token too.
    let pull = format!(
        r#"
source "oci" "again" {{
  image          = "docker://{repo}:1"
  login_username = "kiln"
  login_password = "t0ken"
}}
build {{ sources = ["source.oci.again"] }}
"#
    );
    kiln_build(d, written(d, "pull.pkr.hcl", &pull));
    assert!(d.join("output-again/index.json").exists());
}

/// Write `text` to `name` in `dir` and hand the name back.
fn written<'a>(dir: &Path, name: &'a str, text: &str) -> &'a str {
    std::fs::write(dir.join(name), text).unwrap();
    name
}

#[test]
fn a_failing_test_pushes_nothing_and_leaves_no_layout() {
    let reg = Registry::start(&[]);
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let repo = format!("localhost:{}/gated", reg.port);
    let t = format!(
        r#"
source "oci" "app" {{
  image      = "rootfs:{}"
  repository = "{repo}"
  tags       = ["1.0"]
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{ inline = ["echo hello > /hello"] }}
  test "web" {{
    check "served" {{ command = "cat /srv/index.html" }}
  }}
  post-processor "oci-push" {{}}
}}
"#,
        rootfs.display()
    );
    std::fs::write(d.join("gated.pkr.hcl"), t).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = build(d, tmp.path(), &["gated.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Test 'web' failed"), "{}", r.stdout);
    assert!(!r.stdout.contains("Pushing:"), "{}", r.stdout);
    assert!(!d.join("output-app").exists(), "the layout was kept");
    // The registry never saw the repository.
    let out = Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            &format!("docker://{repo}:1.0"),
        ])
        .current_dir(d)
        .output()
        .expect("skopeo (scripts/setup.sh installs it)");
    assert!(!out.status.success(), "the image was pushed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("manifest unknown") || err.contains("name unknown"),
        "{err}"
    );
}

#[test]
fn a_cached_rebuild_pushes_only_the_changed_layer() {
    let reg = Registry::start(&[]);
    let dir = project(&[]);
    let d = dir.path();
    let rootfs = busybox_rootfs(d);
    let repo = format!("localhost:{}/cached", reg.port);
    let template = |last: &str| {
        format!(
            r#"
source "oci" "app" {{
  image                 = "rootfs:{}"
  repository            = "{repo}"
  tags                  = ["latest"]
  layer_per_provisioner = true
}}
build {{
  sources = ["source.oci.app"]
  provisioner "shell" {{ inline = ["echo one > /one"] }}
  provisioner "shell" {{ inline = ["echo two > /two"] }}
  provisioner "shell" {{ inline = ["echo {last} > /three"] }}
  post-processor "oci-push" {{}}
}}
"#,
            rootfs.display()
        )
    };
    let push = |last: &str| {
        std::fs::write(d.join("cached.pkr.hcl"), template(last)).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let r = crate::kiln_env(
            d,
            &["build", "-color=false", "-force", "cached.pkr.hcl"],
            "",
            &[
                ("TMPDIR".to_owned(), tmp.path().display().to_string()),
                ("SOURCE_DATE_EPOCH".to_owned(), "1700000000".to_owned()),
            ],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        r.stdout
    };
    let first = push("three");
    // The base layer and three new layers (the config is pushed without
    // a byte count).
    assert_eq!(first.matches(": pushing ").count(), 4, "{first}");
    let second = push("changed");
    assert!(second.contains("Using cached step 2/3"), "{second}");
    // Only the changed step's layer goes up (and the new config).
    assert_eq!(second.matches(": pushing ").count(), 1, "{second}");
    assert_eq!(second.matches(": already exists").count(), 3, "{second}");
    let remote = inspect(d, &format!("docker://{repo}:latest"), None);
    assert_eq!(remote["Layers"].as_array().map(Vec::len), Some(4));
}
