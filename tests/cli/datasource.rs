//! Data sources run as components: `validate` leaves them unknown unless
//! `-evaluate-datasources`, `build` runs them. The `http` data source
//! talks to a loopback HTTP peer the test starts.

use super::kiln;

#[cfg(feature = "amazon")]
mod amazon;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A loopback HTTP/1.1 peer answering every request with `status` and
/// `body`; `requests` holds each request's head.
struct Peer {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

fn peer(status: u16, body: &'static str) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let Ok(clone) = stream.try_clone() else {
                return;
            };
            let mut reader = BufReader::new(clone);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            log.lock().expect("lock").push(head);
            let answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nX-Served-By: peer\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    Peer { base, requests }
}

impl Peer {
    fn seen(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

fn template(dir: &std::path::Path, url: &str) {
    std::fs::write(
        dir.join("t.pkr.hcl"),
        format!(
            r#"
data "http" "x" {{
  url             = "{url}"
  request_headers = {{ X-Asked = "by-kiln" }}
}}
locals {{
  greeting = data.http.x.body
}}
source "null" "n" {{ communicator = "none" }}
build {{
  sources = ["source.null.n"]
  provisioner "shell-local" {{
    inline = ["echo fetched=${{local.greeting}} served-by=${{data.http.x.request_headers["X-Served-By"]}}"]
  }}
}}
"#
        ),
    )
    .expect("write template");
}

#[test]
fn validate_leaves_data_sources_unknown_without_a_request() {
    let p = peer(200, "hello");
    let dir = tempfile::tempdir().expect("tempdir");
    template(dir.path(), &format!("{}/greeting", p.base));
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("The configuration is valid."),
        "{}",
        r.stdout
    );
    assert!(
        p.seen().is_empty(),
        "validate made a request: {:?}",
        p.seen()
    );
}

#[test]
fn validate_type_checks_references_to_unknown_outputs() {
    let p = peer(200, "hello");
    let dir = tempfile::tempdir().expect("tempdir");
    template(dir.path(), &format!("{}/greeting", p.base));
    let path = dir.path().join("t.pkr.hcl");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("data.http.x.body", "data.http.x.bodyy")).expect("write");
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("This object does not have an attribute named \"bodyy\"."),
        "{}",
        r.stderr
    );
    assert!(p.seen().is_empty(), "{:?}", p.seen());
}

#[test]
fn validate_evaluate_datasources_makes_the_request() {
    let p = peer(200, "hello");
    let dir = tempfile::tempdir().expect("tempdir");
    template(dir.path(), &format!("{}/greeting", p.base));
    let r = kiln(
        dir.path(),
        &["validate", "-evaluate-datasources", "t.pkr.hcl"],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = p.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("GET /greeting "), "{seen:?}");
}

#[test]
fn validate_evaluate_datasources_reports_a_non_2xx_answer() {
    let p = peer(404, "missing");
    let dir = tempfile::tempdir().expect("tempdir");
    template(dir.path(), &format!("{}/greeting", p.base));
    let r = kiln(
        dir.path(),
        &["validate", "-evaluate-datasources", "t.pkr.hcl"],
        "",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("HTTP request error. Response code: 404"),
        "{}",
        r.stderr
    );
}

#[test]
fn build_runs_the_data_source_and_its_body_reaches_a_provisioner() {
    let p = peer(200, "hello-from-peer");
    let dir = tempfile::tempdir().expect("tempdir");
    template(dir.path(), &format!("{}/greeting", p.base));
    let r = kiln(dir.path(), &["build", "t.pkr.hcl"], "");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("fetched=hello-from-peer served-by=peer"),
        "{}",
        r.stdout
    );
    let seen = p.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].to_ascii_lowercase().contains("x-asked: by-kiln"),
        "{seen:?}"
    );
}

#[test]
fn build_fails_on_a_404_before_any_build_starts() {
    let p = peer(404, "missing");
    let dir = tempfile::tempdir().expect("tempdir");
    template(dir.path(), &format!("{}/greeting", p.base));
    let r = kiln(dir.path(), &["build", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("HTTP request error. Response code: 404"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("fetched="), "{}", r.stdout);
}

#[test]
fn references_to_an_unsupported_data_source_are_unknown_not_more_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("t.pkr.hcl"),
        r#"
data "hcp-packer-image" "base" {
  bucket_name = "debian"
}
locals {
  ami  = data.hcp-packer-image.base.id
  tags = data.hcp-packer-image.base.labels["Name"]
}
source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  provisioner "shell-local" { inline = ["echo ${data.hcp-packer-image.base.id} ${local.ami}"] }
}
"#,
    )
    .expect("write");
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches("Error: ").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("The data source type \"hcp-packer-image\" is not supported by kiln."),
        "{}",
        r.stderr
    );
}

#[cfg(not(feature = "amazon"))]
#[test]
fn an_amazon_data_source_without_the_feature_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("t.pkr.hcl"),
        r#"
data "amazon-parameterstore" "p" {
  name = "/x"
}
source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  provisioner "shell-local" { inline = ["echo ${data.amazon-parameterstore.p.value}"] }
}
"#,
    )
    .expect("write");
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.matches("Error: ").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "The data source type \"amazon-parameterstore\" is not supported by kiln: this kiln binary was built without Amazon support"
        ),
        "{}",
        r.stderr
    );
}
