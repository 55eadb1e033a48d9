//! The amazon data sources end to end: `kiln build` runs them against
//! moto (amazon-ami through `custom_endpoint_ec2`, Parameter Store and
//! Secrets Manager through `AWS_ENDPOINT_URL`), and `kiln validate`
//! leaves them unknown without credentials.

use crate::{kiln_env, project};
use kiln_builder_amazon::testing::{Moto, ACCESS_KEY, SECRET_KEY};
use std::time::Duration;

const REGION: &str = "us-east-1";

fn template(endpoint: &str) -> String {
    format!(
        r#"
data "amazon-ami" "base" {{
  access_key          = "{ACCESS_KEY}"
  secret_key          = "{SECRET_KEY}"
  region              = "{REGION}"
  custom_endpoint_ec2 = "{endpoint}"
  filters = {{
    name = "kiln-base-*"
  }}
  owners      = ["self"]
  most_recent = true
}}
data "amazon-parameterstore" "p" {{
  region          = "{REGION}"
  name            = "/kiln/greeting"
  with_decryption = true
}}
data "amazon-secretsmanager" "s" {{
  region = "{REGION}"
  name   = "kiln/db"
  key    = "user"
}}
locals {{
  ami = data.amazon-ami.base.id
}}
source "null" "n" {{
  communicator = "none"
}}
build {{
  sources = ["source.null.n"]
  provisioner "shell-local" {{
    inline = ["echo ami=${{local.ami}} name=${{data.amazon-ami.base.name}} os=${{data.amazon-ami.base.tags["Os"]}} param=${{data.amazon-parameterstore.p.value}} user=${{data.amazon-secretsmanager.s.value}}"]
  }}
}}
"#
    )
}

/// The SDK's environment for a kiln run against `endpoint` (or none):
/// moto's dummy credentials, no shared files, no metadata service.
fn env(endpoint: Option<&str>, credentials: bool) -> Vec<(String, String)> {
    let mut e = vec![
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/kiln".to_owned(),
        ),
        ("AWS_CONFIG_FILE", "/nonexistent/kiln".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ];
    if credentials {
        e.push(("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()));
        e.push(("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()));
    }
    if let Some(ep) = endpoint {
        e.push(("AWS_ENDPOINT_URL", ep.to_owned()));
    }
    e.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn build_feeds_the_newest_ami_a_parameter_and_a_secret_to_a_provisioner() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    m.register_image(REGION, "kiln-base-1", &[("Os", "old")])
        .expect("register");
    std::thread::sleep(Duration::from_millis(1100));
    let newest = m
        .register_image(REGION, "kiln-base-2", &[("Os", "debian")])
        .expect("register");
    m.put_parameter(REGION, "/kiln/greeting", "hello", true)
        .expect("parameter");
    m.create_secret(REGION, "kiln/db", r#"{"user":"admin","password":"pw"}"#)
        .expect("secret");
    let dir = project(&[("t.pkr.hcl", &template(&m.endpoint()))]);
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(Some(&m.endpoint()), true),
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    assert!(
        r.stdout.contains(&format!(
            "ami={newest} name=kiln-base-2 os=debian param=hello user=admin"
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn build_stops_on_packers_error_when_the_filter_matches_several() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    m.register_image(REGION, "kiln-base-1", &[])
        .expect("register");
    m.register_image(REGION, "kiln-base-2", &[])
        .expect("register");
    let t = template(&m.endpoint()).replace("most_recent = true", "most_recent = false");
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env(Some(&m.endpoint()), true),
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("Your query returned more than one result. Please try a more specific search, or set most_recent to true."),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("ami="), "{}", r.stdout);
}

#[test]
fn validate_leaves_them_unknown_without_credentials() {
    // No endpoint, no credentials: nothing may be called.
    let dir = project(&[("t.pkr.hcl", &template("http://127.0.0.1:9"))]);
    let t = std::fs::read_to_string(dir.path().join("t.pkr.hcl")).expect("read");
    let t = t
        .replace(&format!("access_key          = \"{ACCESS_KEY}\""), "")
        .replace(&format!("secret_key          = \"{SECRET_KEY}\""), "");
    std::fs::write(dir.path().join("t.pkr.hcl"), t).expect("write");
    let r = kiln_env(
        dir.path(),
        &["validate", "t.pkr.hcl"],
        "",
        &env(None, false),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("The configuration is valid."),
        "{}",
        r.stdout
    );

    // Running them needs credentials: Packer's message.
    let r = kiln_env(
        dir.path(),
        &["validate", "-evaluate-datasources", "t.pkr.hcl"],
        "",
        &env(None, false),
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("No valid credential sources found"),
        "{}",
        r.stderr
    );
}

#[test]
fn validate_checks_the_amazon_ami_config_like_packer() {
    let dir = project(&[(
        "t.pkr.hcl",
        "data \"amazon-ami\" \"x\" {\n  region = \"us-east-1\"\n  filters = { name = \"a\" }\n}\n",
    )]);
    let r = kiln_env(
        dir.path(),
        &["validate", "t.pkr.hcl"],
        "",
        &env(None, false),
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("For security reasons, you must declare an owner."),
        "{}",
        r.stderr
    );
}

#[test]
fn no_credentials_with_skip_metadata_api_check_is_an_error_not_a_panic() {
    // The chain without the metadata service reads the shared files,
    // whose provider needs an HTTP client (the SDK panicked without one).
    let dir = project(&[("t.pkr.hcl", &template("http://127.0.0.1:9"))]);
    let t = std::fs::read_to_string(dir.path().join("t.pkr.hcl")).expect("read");
    let t = t
        .replace(&format!("access_key          = \"{ACCESS_KEY}\""), "")
        .replace(&format!("secret_key          = \"{SECRET_KEY}\""), "")
        .replacen(
            "data \"amazon-ami\" \"base\" {",
            "data \"amazon-ami\" \"base\" {\n  skip_metadata_api_check = true",
            1,
        );
    std::fs::write(dir.path().join("t.pkr.hcl"), t).expect("write");
    let r = kiln_env(
        dir.path(),
        &["validate", "-evaluate-datasources", "t.pkr.hcl"],
        "",
        &env(None, false),
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(!r.stderr.contains("internal error"), "{}", r.stderr);
    assert!(
        r.stderr.contains("No valid credential sources found"),
        "{}",
        r.stderr
    );
}

/// The credential sources amazon-ebs has (a shared credentials file and
/// profile, `assume_role`) work in the data sources too.
#[test]
fn the_data_sources_take_amazon_ebs_credential_sources() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    let image = m
        .register_image(REGION, "kiln-base-1", &[("Os", "debian")])
        .expect("register");
    m.put_parameter(REGION, "/kiln/greeting", "hello", true)
        .expect("parameter");
    m.create_secret(REGION, "kiln/db", r#"{"user":"admin","password":"pw"}"#)
        .expect("secret");
    let creds =
        format!("[kiln]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n");
    let t = template(&m.endpoint())
        .replace(
            &format!("  access_key          = \"{ACCESS_KEY}\"\n  secret_key          = \"{SECRET_KEY}\"\n"),
            "  shared_credentials_file = \"creds\"\n  profile                 = \"kiln\"\n  assume_role {\n    role_arn     = \"arn:aws:iam::123456789012:role/kiln-data\"\n    session_name = \"kiln-data\"\n  }\n",
        )
        .replace(
            "  name            = \"/kiln/greeting\"\n",
            "  name            = \"/kiln/greeting\"\n  shared_credentials_file = \"creds\"\n  profile                 = \"kiln\"\n",
        );
    assert!(t.contains("assume_role"), "{t}");
    let dir = project(&[("t.pkr.hcl", &t), ("creds", &creds)]);
    // No credentials in the environment: they come from the fields. The
    // secret's data source has none of its own, so it gets the profile
    // from AWS_PROFILE and the file from AWS_SHARED_CREDENTIALS_FILE.
    let mut e = env(Some(&m.endpoint()), false);
    e.retain(|(k, _)| k != "AWS_SHARED_CREDENTIALS_FILE");
    e.push((
        "AWS_SHARED_CREDENTIALS_FILE".into(),
        dir.path().join("creds").display().to_string(),
    ));
    e.push(("AWS_PROFILE".into(), "kiln".into()));
    let r = kiln_env(dir.path(), &["build", "-color=false", "t.pkr.hcl"], "", &e);
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    assert!(
        r.stdout.contains(&format!(
            "ami={image} name=kiln-base-1 os=debian param=hello user=admin"
        )),
        "{}",
        r.stdout
    );
    // The role really is assumed: with STS unreachable the build fails.
    let mut no_sts = e.clone();
    no_sts.push(("AWS_ENDPOINT_URL_STS".into(), "http://127.0.0.1:9".into()));
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &no_sts,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);

    // Their checks are amazon-ebs's, located at the data source.
    let bad = project(&[(
        "t.pkr.hcl",
        "data \"amazon-ami\" \"b\" {\n  region = \"us-east-1\"\n  filters = { name = \"x\" }\n  assume_role {\n    duration_seconds = 60\n  }\n}\nsource \"null\" \"n\" { communicator = \"none\" }\nbuild { sources = [\"source.null.n\"] }\n",
    )]);
    let r = kiln_env(
        bad.path(),
        &["validate", "t.pkr.hcl"],
        "",
        &env(None, false),
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("assume_role needs a role_arn"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("assume_role duration_seconds must be between 900 and 43200, not 60"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:"), "{}", r.stderr);
}
