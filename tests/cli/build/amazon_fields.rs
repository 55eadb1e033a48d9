//! The amazon-ebs fields newer Packer added: every block and attribute
//! decodes, bad values get Packer's messages, fields kiln cannot carry
//! out stop the build with the field's name, and one build against moto
//! shows the new fields reached EC2.

use super::build;
use crate::{kiln, kiln_env, project};
use kiln_builder_amazon::testing::{Moto, ACCESS_KEY, SECRET_KEY};
use kiln_core::Cancel;
use std::io::{Read, Write};

const SOURCE_AMI: &str = "ami-1e749f67";

/// Every attribute and block of the current amazon-ebs spec that
/// kiln 1.6.6-era configs lacked.
const ALL_NEW_FIELDS: &str = r#"
  ami_org_arns                   = ["arn:aws:organizations::123456789012:organization/o-abcdefghij"]
  ami_ou_arns                    = ["arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-abcdefgh"]
  snapshot_copy_duration_minutes = 15
  ena_support                    = true
  sriov_support                  = true
  imds_support                   = "v2.0"
  skip_ami_run_tags              = true
  elastic_ip_allocation_id       = "eipalloc-1"
  skip_profile_validation        = true
  capacity_reservation_preference = "open"
  enable_unlimited_credits       = true
  enable_t2_unlimited            = false
  block_duration_minutes         = 0
  no_ephemeral                   = true
  windows_password_timeout       = "10m"
  pause_before_ssm               = "5s"
  session_manager_port           = 8022
  temporary_security_group_source_public_ip = true
  tag {
    key   = "with space"
    value = "1"
  }
  snapshot_tag {
    key   = "s"
    value = "2"
  }
  run_tag {
    key   = "r"
    value = "3"
  }
  run_volume_tag {
    name  = "v"
    value = "4"
  }
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "enabled"
  }
  placement {
    host_resource_group_arn = ""
    host_id                 = ""
    tenancy                 = "default"
  }
  license_specifications {
    license_configuration_request {
      license_configuration_arn = "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-1"
    }
  }
  vpc_filter {
    filters = { "tag:Name" = "main" }
  }
  subnet_filter {
    filter {
      name  = "tag:Tier"
      value = "build"
    }
    most_free = true
  }
  deregistration_protection {
    enabled       = true
    with_cooldown = false
  }
  fast_launch {
    enable_fast_launch    = false
    template_name         = "t"
    template_version      = 1
    max_parallel_launches = 6
    target_resource_count = 5
    region_launch_templates {
      region        = "us-west-2"
      template_id   = "lt-1"
    }
  }
"#;

fn source(body: &str) -> String {
    format!(
        r#"
source "amazon-ebs" "ami" {{
  access_key    = "{ACCESS_KEY}"
  secret_key    = "{SECRET_KEY}"
  region        = "us-east-1"
  ami_name      = "kiln-fields-{{{{timestamp}}}}"
  source_ami    = "{SOURCE_AMI}"
  communicator  = "none"
{body}
}}
build {{
  sources = ["source.amazon-ebs.ami"]
}}
"#
    )
}

#[test]
fn every_new_amazon_ebs_field_and_block_decodes_and_validates() {
    let t = source(&format!("  instance_type = \"t3.micro\"\n{ALL_NEW_FIELDS}"));
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // The spot group and the IAM policy document (which excludes
    // iam_instance_profile, so it gets its own template).
    let spot = source(
        r#"
  spot_instance_types      = ["t3.micro", "t3a.micro"]
  spot_price               = "auto"
  spot_price_auto_product  = "Linux/UNIX"
  spot_allocation_strategy = "capacity-optimized"
  spot_tags                = { a = "b" }
  spot_tag {
    key   = "c"
    value = "d"
  }
  fleet_tags = { e = "f" }
  fleet_tag {
    key   = "g"
    value = "h"
  }
  security_group_filter {
    filters = { "group-name" = "build" }
  }
  temporary_iam_instance_profile_policy_document {
    Version = "2012-10-17"
    Statement {
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["*"]
    }
  }
  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/build"
    session_name = "kiln"
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &spot)]);
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn bad_new_fields_get_packers_messages() {
    let t = source(
        r#"
  instance_type            = "m5.large"
  enable_unlimited_credits = true
  spot_tags                = { a = "b" }
  imds_support             = "v1"
  metadata_options {
    http_tokens                 = "sometimes"
    http_put_response_hop_limit = 100
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    for msg in [
        "imds_support only accepts \"v2.0\", not \"v1\"",
        "spot_tags should not be set when not requesting a spot instance",
        "http_tokens requires either optional or required as its value",
        "http_put_response_hop_limit requires a number between 1 and 64",
        "Error: Instance Type: m5.large is not within the supported types for Unlimited credits.",
    ] {
        assert!(all.contains(msg), "missing {msg:?} in\n{all}");
    }
    // A block where an attribute belongs, and an unknown field in a block.
    let t = source("  instance_type = \"t3.micro\"\n  metadata_options {\n    http_tokenz = \"required\"\n  }\n");
    let dir = project(&[("t.pkr.hcl", &t)]);
    let r = kiln(dir.path(), &["validate", "t.pkr.hcl"], "");
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("http_tokenz"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn a_temporary_iam_profile_stops_the_build_before_anything_is_created() {
    let t = source(
        r#"
  instance_type = "t3.micro"
  skip_credential_validation = true
  custom_endpoint_ec2 = "http://127.0.0.1:9"
  temporary_iam_instance_profile_policy_document {
    Version = "2012-10-17"
    Statement {
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["*"]
    }
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains(
            "temporary_iam_instance_profile_policy_document is not supported by kiln yet"
        ),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

/// A one-shot stand-in for checkip.amazonaws.com.
fn checkip(answer: &'static str) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = write!(s, "HTTP/1.1 200 OK\r\n\r\n{answer}\n");
        }
    });
    format!("http://127.0.0.1:{port}/")
}

#[test]
fn new_fields_reach_ec2() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    let ec2 = m.ec2("us-east-1").expect("ec2");
    let cancel = Cancel::new();
    let eip = ec2
        .call(
            &cancel,
            "AllocateAddress",
            ec2.client.allocate_address().send(),
        )
        .expect("allocate");
    let alloc = eip.allocation_id().expect("allocation id").to_owned();
    let public_ip = eip.public_ip().expect("public ip").to_owned();
    let t = format!(
        r#"
source "amazon-ebs" "ami" {{
  access_key                 = "{ACCESS_KEY}"
  secret_key                 = "{SECRET_KEY}"
  region                     = "us-east-1"
  custom_endpoint_ec2        = "{endpoint}"
  skip_credential_validation = true
  skip_metadata_api_check    = true
  ami_name                   = "kiln-fields-{{{{timestamp}}}}"
  source_ami                 = "{SOURCE_AMI}"
  communicator               = "none"
  instance_type              = "t3.micro"
  spot_price                 = "auto"
  spot_tags                  = {{ Spot = "yes" }}
  elastic_ip_allocation_id   = "{alloc}"
  temporary_security_group_source_public_ip = true
  ami_org_arns = ["arn:aws:organizations::123456789012:organization/o-abcdefghij"]
  ami_ou_arns  = ["arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-abcdefgh"]
  run_tag {{
    key   = "Run Tag"
    value = "block"
  }}
  tag {{
    key   = "Ami Tag"
    value = "block"
  }}
  metadata_options {{
    http_tokens                 = "required"
    http_put_response_hop_limit = 3
    instance_metadata_tags      = "enabled"
  }}
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
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let env = [
        ("TMPDIR".to_owned(), tmp.path().display().to_string()),
        ("KILN_CHECKIP_URL".to_owned(), checkip("198.51.100.23")),
    ];
    let r = kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env,
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    assert!(
        r.stdout
            .contains("from [198.51.100.23/32] in the temporary security groups"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("Associating Elastic IP {alloc} with instance i-")),
        "{}",
        r.stdout
    );

    // The (terminated) instance moto recorded: metadata options, spot
    // lifecycle, the run_tag block.
    let out = ec2
        .call(
            &cancel,
            "DescribeInstances",
            ec2.client.describe_instances().send(),
        )
        .expect("describe");
    let instances: Vec<_> = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .collect();
    assert_eq!(instances.len(), 1, "{instances:?}");
    let i = instances[0];
    let md = i.metadata_options().expect("metadata options");
    assert_eq!(md.http_tokens().map(|t| t.as_str()), Some("required"));
    assert_eq!(md.http_put_response_hop_limit(), Some(3));
    assert_eq!(
        md.instance_metadata_tags().map(|t| t.as_str()),
        Some("enabled")
    );
    assert_eq!(i.instance_lifecycle().map(|l| l.as_str()), Some("spot"));
    assert!(
        i.tags()
            .iter()
            .any(|t| t.key() == Some("Run Tag") && t.value() == Some("block")),
        "{:?}",
        i.tags()
    );
    // The address was handed back.
    let addr = ec2
        .call(
            &cancel,
            "DescribeAddresses",
            ec2.client
                .describe_addresses()
                .public_ips(&public_ip)
                .send(),
        )
        .expect("addresses");
    // moto reports a released address with an empty instance id.
    assert_eq!(
        addr.addresses()[0].instance_id().filter(|i| !i.is_empty()),
        None,
        "{addr:?}"
    );

    // The AMI: shared with the organization and the OU, tagged by block.
    let images = m.own_images("us-east-1").expect("images");
    assert_eq!(images.len(), 1, "{images:?}");
    let ami = &images[0].0;
    let perms = ec2
        .call(
            &cancel,
            "DescribeImageAttribute",
            ec2.client
                .describe_image_attribute()
                .image_id(ami)
                .attribute("launchPermission".into())
                .send(),
        )
        .expect("launch permissions");
    let perms = perms.launch_permissions();
    assert!(
        perms.iter().any(|p| p.organization_arn()
            == Some("arn:aws:organizations::123456789012:organization/o-abcdefghij")),
        "{perms:?}"
    );
    assert!(
        perms.iter().any(|p| p.organizational_unit_arn()
            == Some("arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-abcdefgh")),
        "{perms:?}"
    );
    assert!(
        m.tags("us-east-1", ami)
            .expect("tags")
            .contains(&"Ami Tag=block".to_owned()),
        "{:?}",
        m.tags("us-east-1", ami)
    );
}
