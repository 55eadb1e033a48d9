//! `data "amazon-parameterstore"` and `data "amazon-secretsmanager"`
//! against moto. Neither has an endpoint field: they reach moto through
//! the SDK's `AWS_ENDPOINT_URL*` variables, which are process-wide, so
//! this binary holds one test that sets them and runs every case in turn.

use kiln_builder_amazon::datasource::parameterstore::{ParameterStore, ParameterStoreConfig};
use kiln_builder_amazon::datasource::secretsmanager::{SecretsManager, SecretsManagerConfig};
use kiln_builder_amazon::testing::{Moto, ACCESS_KEY, SECRET_KEY};
use kiln_core::datasource::{DataSourceError, Outputs};
use kiln_core::{Cancel, DataSource};
use std::net::TcpListener;

const REGION: &str = "us-east-1";

fn parameter(name: &str, decrypt: bool) -> Result<Outputs, DataSourceError> {
    ParameterStore::from(ParameterStoreConfig {
        access_key: Some(ACCESS_KEY.into()),
        secret_key: Some(SECRET_KEY.into()),
        region: Some(REGION.into()),
        name: Some(name.into()),
        with_decryption: Some(decrypt),
        ..ParameterStoreConfig::default()
    })
    .execute(&Cancel::new())
}

fn secret(name: &str, key: Option<&str>) -> Result<Outputs, DataSourceError> {
    SecretsManager::from(SecretsManagerConfig {
        access_key: Some(ACCESS_KEY.into()),
        secret_key: Some(SECRET_KEY.into()),
        region: Some(REGION.into()),
        name: Some(name.into()),
        key: key.map(str::to_owned),
        ..SecretsManagerConfig::default()
    })
    .execute(&Cancel::new())
}

/// An endpoint nothing listens on.
fn dead_endpoint() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    format!("http://127.0.0.1:{port}")
}

const VARS: [&str; 3] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SSM",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
];

fn set_endpoints(global: Option<&str>, ssm: Option<&str>, secrets: Option<&str>) {
    for (var, v) in VARS.iter().zip([global, ssm, secrets]) {
        match v {
            Some(v) => std::env::set_var(var, v),
            None => std::env::remove_var(var),
        }
    }
}

#[test]
fn parameters_and_secrets_through_the_sdk_endpoint_variables() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    m.put_parameter(REGION, "/kiln/plain", "hello", false)
        .expect("put");
    m.put_parameter(REGION, "/kiln/secure", "s3cret", true)
        .expect("put");
    let plain_version = m
        .create_secret(REGION, "kiln/plain", "just text")
        .expect("secret");
    m.create_secret(REGION, "kiln/json", r#"{"user":"admin","password":"pw"}"#)
        .expect("secret");
    let dead = dead_endpoint();

    // The service's own variable wins over AWS_ENDPOINT_URL.
    set_endpoints(Some(&dead), Some(&m.endpoint()), Some(&m.endpoint()));

    let p = parameter("/kiln/plain", false).expect("plain parameter");
    assert_eq!(p["value"], "hello");
    assert_eq!(p["version"], "1");
    assert!(
        p["arn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:ssm:us-east-1:") && a.ends_with("/kiln/plain")),
        "{p:?}"
    );
    let s = parameter("/kiln/secure", true).expect("secure parameter");
    assert_eq!(s["value"], "s3cret");
    let enc = parameter("/kiln/secure", false).expect("secure, not decrypted");
    assert_ne!(enc["value"], "s3cret", "{enc:?}");
    let e = parameter("/kiln/none", false)
        .expect_err("an error")
        .to_string();
    assert_eq!(e, "The parameter name \"/kiln/none\" not found");

    let whole = secret("kiln/plain", None).expect("plain secret");
    assert_eq!(whole["value"], "just text");
    assert_eq!(whole["secret_string"], "just text");
    assert_eq!(whole["version_id"], plain_version.as_str());
    assert_eq!(whole["secret_binary"], "");
    let key = secret("kiln/json", Some("password")).expect("json secret");
    assert_eq!(key["value"], "pw");
    assert_eq!(key["secret_string"], r#"{"user":"admin","password":"pw"}"#);
    let e = secret("kiln/none", None).expect_err("an error").to_string();
    assert_eq!(
        e,
        "Secrets Manager Secret \"kiln/none\" Version \"AWSCURRENT\" not found"
    );
    let e = secret("kiln/json", Some("nope"))
        .expect_err("an error")
        .to_string();
    assert!(e.contains("has no key \"nope\""), "{e}");

    // AWS_ENDPOINT_URL alone serves both.
    set_endpoints(Some(&m.endpoint()), None, None);
    assert_eq!(
        parameter("/kiln/plain", false).expect("global")["value"],
        "hello"
    );
    assert_eq!(
        secret("kiln/plain", None).expect("global")["value"],
        "just text"
    );

    // And a service variable aimed elsewhere is really used: the call
    // goes there and fails, instead of reaching moto.
    set_endpoints(Some(&m.endpoint()), Some(&dead), Some(&dead));
    let e = parameter("/kiln/plain", false)
        .expect_err("an error")
        .to_string();
    assert!(
        e.starts_with("error to get parameter value: GetParameter: "),
        "{e}"
    );
    let e = secret("kiln/plain", None)
        .expect_err("an error")
        .to_string();
    assert!(
        e.starts_with("error reading Secrets Manager Secret Version: GetSecretValue: "),
        "{e}"
    );
    set_endpoints(None, None, None);
}
