//! Where amazon-ebs's credentials come from beyond the default chain:
//! `assume_role`, `shared_credentials_file` with `profile`, `mfa_code`
//! and `vault_aws_engine`, each end to end against moto (with its
//! request recording, to see what reached STS and which keys signed the
//! EC2 calls). Vault cannot be installed here: its part runs against a
//! loopback server answering as Vault's documented HTTP API does
//! (`/v1/<engine>/creds/<name>`, `/v1/<engine>/sts/<name>`), a test double
//! of that API, not a real Vault.

use crate::{kiln_env, project};
use kiln_builder_amazon::testing::{Moto, Recorded, ACCESS_KEY, SECRET_KEY};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

const SOURCE_AMI: &str = "ami-1e749f67";

/// An amazon-ebs source against moto with `access` (credential fields)
/// and `extra` lines.
fn template(m: &Moto, access: &str) -> String {
    format!(
        r#"
source "amazon-ebs" "ami" {{
{access}
  region                  = "us-east-1"
  custom_endpoint_ec2     = "{endpoint}"
  skip_metadata_api_check = true
  ami_name                = "kiln-access-{{{{timestamp}}}}"
  source_ami              = "{SOURCE_AMI}"
  instance_type           = "t3.micro"
  communicator            = "none"
  aws_polling {{
    delay_seconds = 1
    max_attempts  = 30
  }}
}}
build {{
  sources = ["source.amazon-ebs.ami"]
}}
"#,
        endpoint = m.endpoint(),
    )
}

/// The build's environment: STS and IAM at moto, no profile files of the
/// user's.
fn env(m: &Moto, tmp: &std::path::Path) -> Vec<(String, String)> {
    vec![
        ("TMPDIR".to_owned(), tmp.display().to_string()),
        ("HOME".to_owned(), tmp.display().to_string()),
        ("AWS_ENDPOINT_URL".to_owned(), m.endpoint()),
        (
            "AWS_CONFIG_FILE".to_owned(),
            tmp.join("no-config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            tmp.join("no-credentials").display().to_string(),
        ),
    ]
}

fn signed_by(calls: &[Recorded]) -> Vec<String> {
    calls.iter().filter_map(Recorded::access_key).collect()
}

#[test]
fn assume_role_credentials_sign_the_builds_ec2_calls() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let access = format!(
        r#"
  access_key = "{ACCESS_KEY}"
  secret_key = "{SECRET_KEY}"
  assume_role {{
    role_arn            = "arn:aws:iam::111111111111:role/kiln-build"
    session_name        = "kiln-session"
    external_id         = "ext-42"
    duration_seconds    = 1800
    policy              = "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}}]}}"
    policy_arns         = ["arn:aws:iam::aws:policy/AmazonEC2FullAccess"]
    tags                = {{ Project = "kiln" }}
    transitive_tag_keys = ["Project"]
  }}"#
    );
    let dir = project(&[("t.pkr.hcl", &template(&m, &access))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(&m, tmp.path()),
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());

    // One AssumeRole (the credential check and the build share it), with
    // every field, signed with the template's keys.
    let assumed = m.recorded_action("AssumeRole");
    assert_eq!(assumed.len(), 1, "{assumed:?}");
    let f = assumed[0].form();
    let want: BTreeMap<&str, &str> = [
        ("RoleArn", "arn:aws:iam::111111111111:role/kiln-build"),
        ("RoleSessionName", "kiln-session"),
        ("ExternalId", "ext-42"),
        ("DurationSeconds", "1800"),
        (
            "PolicyArns.member.1.arn",
            "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
        ),
        ("Tags.member.1.Key", "Project"),
        ("Tags.member.1.Value", "kiln"),
        ("TransitiveTagKeys.member.1", "Project"),
    ]
    .into();
    for (k, v) in want {
        assert_eq!(f.get(k).map(String::as_str), Some(v), "{k} in {f:?}");
    }
    assert!(
        f.get("Policy").is_some_and(|p| p.contains("ec2:*")),
        "{f:?}"
    );
    assert_eq!(signed_by(&assumed), [ACCESS_KEY]);

    // Every EC2 call of the build was signed with the role's temporary
    // keys (moto's start with ASIA), none with the template's.
    let runs = m.recorded_action("RunInstances");
    assert_eq!(runs.len(), 1, "{runs:?}");
    let ec2_keys: Vec<String> = m
        .recorded()
        .iter()
        .filter(|c| c.url.contains(&m.endpoint()) && c.action().is_some_and(|a| a != "AssumeRole"))
        .filter_map(Recorded::access_key)
        .collect();
    assert!(!ec2_keys.is_empty());
    assert!(
        ec2_keys.iter().all(|k| k.starts_with("ASIA")),
        "{ec2_keys:?}"
    );
    // moto serves the role's keys from the role's account: the AMI is
    // 111111111111's, not the base account's.
    assert!(m.own_images("us-east-1").expect("images").is_empty());
    assert!(r.stdout.contains("us-east-1: ami-"), "{}", r.stdout);
}

/// A credentials file outside `~/.aws` with a profile that has an MFA
/// device.
fn credentials_file(dir: &std::path::Path) -> String {
    let path = dir.join("kiln-credentials");
    std::fs::write(
        &path,
        "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = x\n\n[kiln]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = file-secret\nmfa_serial = arn:aws:iam::123456789012:mfa/kiln\n",
    )
    .expect("write credentials");
    path.display().to_string()
}

#[test]
fn shared_credentials_file_and_mfa_code_get_a_session_token() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let tmp = tempfile::tempdir().expect("tmp");
    let file = credentials_file(tmp.path());
    let access = format!(
        r#"
  shared_credentials_file = "{file}"
  profile                 = "kiln"
  mfa_code                = "123456""#
    );
    let dir = project(&[("t.pkr.hcl", &template(&m, &access))]);
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(&m, tmp.path()),
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    // The profile's keys (from the file at the template's path) asked for
    // a session token with the MFA device and code ...
    let tokens = m.recorded_action("GetSessionToken");
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let f = tokens[0].form();
    assert_eq!(
        f.get("SerialNumber").map(String::as_str),
        Some("arn:aws:iam::123456789012:mfa/kiln")
    );
    assert_eq!(f.get("TokenCode").map(String::as_str), Some("123456"));
    assert_eq!(signed_by(&tokens), ["AKIDFROMFILE"]);
    // ... and the session's keys signed the build.
    let runs = m.recorded_action("RunInstances");
    assert_eq!(signed_by(&runs), ["AKIAIOSFODNN7EXAMPLE"], "{runs:?}");
    assert!(m.recorded_action("AssumeRole").is_empty());
}

#[test]
fn mfa_code_goes_with_assume_role() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let tmp = tempfile::tempdir().expect("tmp");
    let file = credentials_file(tmp.path());
    let access = format!(
        r#"
  shared_credentials_file = "{file}"
  profile                 = "kiln"
  mfa_code                = "654321"
  assume_role {{
    role_arn = "arn:aws:iam::123456789012:role/kiln-mfa"
  }}"#
    );
    let dir = project(&[("t.pkr.hcl", &template(&m, &access))]);
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(&m, tmp.path()),
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    let assumed = m.recorded_action("AssumeRole");
    assert_eq!(assumed.len(), 1, "{assumed:?}");
    let f = assumed[0].form();
    assert_eq!(
        f.get("RoleArn").map(String::as_str),
        Some("arn:aws:iam::123456789012:role/kiln-mfa")
    );
    assert_eq!(
        f.get("SerialNumber").map(String::as_str),
        Some("arn:aws:iam::123456789012:mfa/kiln")
    );
    assert_eq!(f.get("TokenCode").map(String::as_str), Some("654321"));
    // Without session_name, a timestamp (aws-sdk-go's default).
    assert!(
        f.get("RoleSessionName")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        "{f:?}"
    );
    assert_eq!(signed_by(&assumed), ["AKIDFROMFILE"]);
    let runs = m.recorded_action("RunInstances");
    assert!(
        signed_by(&runs).iter().all(|k| k.starts_with("ASIA")),
        "{runs:?}"
    );
    assert!(m.recorded_action("GetSessionToken").is_empty());
}

#[test]
fn credential_sources_fail_with_packers_messages() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    let tmp = tempfile::tempdir().expect("tmp");
    // A credentials file that is not there.
    let t = template(
        &m,
        "  shared_credentials_file = \"/nonexistent/kiln/creds\"",
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(&m, tmp.path()),
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr.contains("shared_credentials_file /nonexistent/kiln/creds: stat /nonexistent/kiln/creds: no such file or directory")
            || r.stdout.contains("shared_credentials_file /nonexistent/kiln/creds: stat /nonexistent/kiln/creds: no such file or directory"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    // mfa_code with a profile that names no device.
    let file = tmp.path().join("plain");
    std::fs::write(
        &file,
        "[default]\naws_access_key_id = A\naws_secret_access_key = B\n",
    )
    .expect("write");
    let t = template(
        &m,
        &format!(
            "  shared_credentials_file = \"{}\"\n  mfa_code = \"1\"",
            file.display()
        ),
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(&m, tmp.path()),
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("mfa_code is set, but profile \"default\" names no mfa_serial"),
        "{all}"
    );
    // Nothing was created either time.
    assert!(m.inventory("us-east-1").expect("inventory").is_empty());
}

/// What the Vault stand-in saw: method, path, token header, body.
type Seen = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A loopback HTTP server answering as Vault's AWS secrets engine does
/// (a test double of Vault's documented API; Vault itself cannot be
/// installed here): `creds/build` gives an IAM user's keys,
/// `sts/build` temporary ones, anything else Vault's 404.
fn vault_double() -> (String, Seen) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = format!("http://{}", l.local_addr().expect("addr"));
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let mut reader = BufReader::new(s.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let path = parts.next().unwrap_or_default().to_owned();
            let (mut token, mut len) = (String::new(), 0usize);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                match k.trim().to_ascii_lowercase().as_str() {
                    "x-vault-token" => token = v.trim().to_owned(),
                    "content-length" => len = v.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            let body = String::from_utf8_lossy(&body).into_owned();
            log.lock()
                .expect("lock")
                .push((method.clone(), path.clone(), token, body));
            let (status, answer) = match (method.as_str(), path.as_str()) {
                ("GET", "/v1/aws/creds/build") => (
                    "200 OK",
                    r#"{"request_id":"1","lease_id":"aws/creds/build/abc","renewable":true,"lease_duration":3600,"data":{"access_key":"AKIDFROMVAULT","secret_key":"vault-secret","security_token":null},"warnings":null}"#,
                ),
                ("PUT", "/v1/aws-prod/sts/build") => (
                    "200 OK",
                    r#"{"request_id":"2","lease_id":"","renewable":false,"lease_duration":900,"data":{"access_key":"ASIAFROMVAULT","secret_key":"vault-secret","security_token":"vault-token"},"warnings":null}"#,
                ),
                _ => ("404 Not Found", r#"{"errors":[]}"#),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (addr, seen)
}

#[test]
fn vault_aws_engine_credentials_sign_the_build() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let tmp = tempfile::tempdir().expect("tmp");
    let (addr, seen) = vault_double();
    let mut e = env(&m, tmp.path());
    e.push(("VAULT_ADDR".to_owned(), addr));
    e.push(("VAULT_TOKEN".to_owned(), "s.kiln-test".to_owned()));

    // creds/<name>: an IAM user's keys.
    let t = template(&m, "  vault_aws_engine {\n    name = \"build\"\n  }");
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln_env(dir.path(), &["build", "-color=false", "t.pkr.hcl"], "", &e);
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    assert_eq!(
        signed_by(&m.recorded_action("RunInstances")),
        ["AKIDFROMVAULT"]
    );

    // sts/<name> of another engine, with role_arn and ttl: temporary keys.
    let t = template(
        &m,
        "  vault_aws_engine {\n    name        = \"build\"\n    engine_name = \"aws-prod\"\n    role_arn    = \"arn:aws:iam::123456789012:role/vault\"\n    ttl         = \"900s\"\n  }",
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln_env(dir.path(), &["build", "-color=false", "t.pkr.hcl"], "", &e);
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    let runs = m.recorded_action("RunInstances");
    assert_eq!(signed_by(&runs), ["AKIDFROMVAULT", "ASIAFROMVAULT"]);
    let token = runs[1]
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, v)| v.clone());
    assert_eq!(token.as_deref(), Some("vault-token"));

    // A role Vault does not have: Packer's message, nothing created.
    let t = template(&m, "  vault_aws_engine {\n    name = \"nobody\"\n  }");
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln_env(dir.path(), &["build", "-color=false", "t.pkr.hcl"], "", &e);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Vault Secret does not exist at the given path."),
        "{all}"
    );

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        (seen[0].0.as_str(), seen[0].1.as_str()),
        ("GET", "/v1/aws/creds/build")
    );
    assert_eq!(
        (seen[1].0.as_str(), seen[1].1.as_str()),
        ("PUT", "/v1/aws-prod/sts/build")
    );
    let body: serde_json::Value = serde_json::from_str(&seen[1].3).expect("json body");
    assert_eq!(
        body,
        serde_json::json!({"role_arn": "arn:aws:iam::123456789012:role/vault", "ttl": "900s"})
    );
    assert!(seen.iter().all(|s| s.2 == "s.kiln-test"), "{seen:?}");
}
