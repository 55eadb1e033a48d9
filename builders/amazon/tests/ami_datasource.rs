//! `data "amazon-ami"` against moto: filters, owners and most_recent
//! pick the image, with Packer's errors for none and for several.

use kiln_builder_amazon::datasource::ami::{AmiData, AmiDataConfig};
use kiln_builder_amazon::testing::{Moto, ACCESS_KEY, MOTO_ACCOUNT, SECRET_KEY};
use kiln_core::datasource::DataSourceError;
use kiln_core::{Cancel, DataSource};
use std::time::Duration;

fn moto() -> Moto {
    Moto::start().expect("moto_server must start (run scripts/setup.sh)")
}

fn config(m: &Moto, name: &str, most_recent: bool) -> AmiDataConfig {
    AmiDataConfig {
        access_key: Some(ACCESS_KEY.into()),
        secret_key: Some(SECRET_KEY.into()),
        region: Some("us-east-1".into()),
        custom_endpoint_ec2: Some(m.endpoint()),
        filters: Some([("name".to_owned(), name.to_owned())].into()),
        owners: Some(vec!["self".into()]),
        most_recent: Some(most_recent),
        ..AmiDataConfig::default()
    }
}

fn run(c: AmiDataConfig) -> Result<kiln_core::datasource::Outputs, DataSourceError> {
    AmiData::from(c).execute(&Cancel::new())
}

/// Two AMIs whose names match `kiln-base-*`, the second a second later.
fn two_images(m: &Moto) -> (String, String) {
    let old = m
        .register_image("us-east-1", "kiln-base-1", &[("Name", "old")])
        .expect("register");
    // moto's CreationDate has whole seconds.
    std::thread::sleep(Duration::from_millis(1100));
    let new = m
        .register_image(
            "us-east-1",
            "kiln-base-2",
            &[("Name", "new"), ("Os", "debian")],
        )
        .expect("register");
    (old, new)
}

#[test]
fn most_recent_picks_the_newest_match_and_reports_its_fields() {
    let m = moto();
    let (_, new) = two_images(&m);
    let out = run(config(&m, "kiln-base-*", true)).expect("execute");
    assert_eq!(out["id"], new.as_str());
    assert_eq!(out["name"], "kiln-base-2");
    assert_eq!(out["owner"], MOTO_ACCOUNT);
    assert!(
        out["creation_date"]
            .as_str()
            .is_some_and(|d| d.starts_with("20")),
        "{out:?}"
    );
    assert_eq!(
        out["tags"],
        serde_json::json!({"Name": "new", "Os": "debian"})
    );
    assert!(out.contains_key("owner_name"));
}

#[test]
fn several_matches_without_most_recent_is_packers_error() {
    let m = moto();
    two_images(&m);
    let e = run(config(&m, "kiln-base-*", false))
        .expect_err("an error")
        .to_string();
    assert_eq!(
        e,
        "Your query returned more than one result. Please try a more specific search, or set most_recent to true."
    );
    // One match is fine without most_recent.
    let one = run(config(&m, "kiln-base-1", false)).expect("one match");
    assert_eq!(one["name"], "kiln-base-1");
}

#[test]
fn no_match_is_an_error_naming_the_query() {
    let m = moto();
    two_images(&m);
    let e = run(config(&m, "nothing-*", true))
        .expect_err("an error")
        .to_string();
    assert!(
        e.starts_with("No AMI was found matching filters: ")
            && e.contains("Filter name=nothing-*")
            && e.contains("Owners: [self]"),
        "{e}"
    );
}

#[test]
fn owners_narrow_the_search() {
    let m = moto();
    two_images(&m);
    // moto's built-in images belong to other accounts.
    let mut c = config(&m, "kiln-base-*", true);
    c.owners = Some(vec!["099720109477".into()]);
    let e = run(c).expect_err("an error").to_string();
    assert!(e.starts_with("No AMI was found"), "{e}");
}
