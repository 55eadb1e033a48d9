//! The amazon-ebs fields newer Packer added: every block and attribute
//! decodes, bad values get Packer's messages, and builds against moto
//! show the new fields reached EC2 (the IAM instance profiles, the spot
//! fleet, the run tags on the AMI).

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

/// A one-shot stand-in for checkip.amazonaws.com.
fn checkip(answer: &'static str) -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            // The whole request first: answering and closing while the
            // client still writes makes its write fail (EPIPE).
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{answer}\n",
                answer.len() + 1
            );
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

    // The (terminated) instance moto recorded: metadata options, the
    // run_tag block.
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
    // The AMI tags, and the run tags Packer copies onto the AMI at
    // CreateImage (skip_ami_run_tags is false).
    let tags = m.tags("us-east-1", ami).expect("tags");
    for t in ["Ami Tag=block", "Run Tag=block", "Name=Packer Builder"] {
        assert!(tags.contains(&t.to_owned()), "{t} in {tags:?}");
    }
    assert!(
        r.stdout.contains("Attaching run tags to AMI..."),
        "{}",
        r.stdout
    );
}

/// A moto build of `body` (more source lines) with `build_body` in the
/// build block; the run.
fn moto_build(m: &Moto, body: &str, build_body: &str) -> crate::Run {
    let t = format!(
        r#"
source "amazon-ebs" "ami" {{
  access_key                 = "{ACCESS_KEY}"
  secret_key                 = "{SECRET_KEY}"
  region                     = "us-east-1"
  custom_endpoint_ec2        = "{endpoint}"
  skip_metadata_api_check    = true
  ami_name                   = "kiln-fields-{{{{timestamp}}}}"
  source_ami                 = "{SOURCE_AMI}"
  communicator               = "none"
  aws_polling {{
    delay_seconds = 1
    max_attempts  = 30
  }}
{body}
}}
build {{
  sources = ["source.amazon-ebs.ami"]
{build_body}
}}
"#,
        endpoint = m.endpoint(),
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let env = [
        ("TMPDIR".to_owned(), tmp.path().display().to_string()),
        // IAM at moto too.
        ("AWS_ENDPOINT_URL".to_owned(), m.endpoint()),
    ];
    kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &env,
    )
}

/// What moto recorded of an instance.
#[derive(Debug)]
struct Seen {
    lifecycle: String,
    tags: Vec<String>,
}

fn instances(m: &Moto) -> Vec<Seen> {
    let ec2 = m.ec2("us-east-1").expect("ec2");
    let out = ec2
        .call(
            &Cancel::new(),
            "DescribeInstances",
            ec2.client.describe_instances().send(),
        )
        .expect("describe");
    out.reservations()
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| Seen {
            lifecycle: i
                .instance_lifecycle()
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            tags: i
                .tags()
                .iter()
                .map(|t| {
                    format!(
                        "{}={}",
                        t.key().unwrap_or_default(),
                        t.value().unwrap_or_default()
                    )
                })
                .collect(),
        })
        .collect()
}

/// `IamInstanceProfile.Name` of every RunInstances moto recorded.
fn launch_profiles(m: &Moto) -> Vec<String> {
    m.recorded_action("RunInstances")
        .iter()
        .filter_map(|r| r.form().get("IamInstanceProfile.Name").cloned())
        .collect()
}

const POLICY: &str = r#"
  temporary_iam_instance_profile_policy_document {
    Version = "2012-10-17"
    Statement {
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["*"]
    }
  }
"#;

#[test]
fn a_temporary_instance_profile_is_attached_and_removed_again() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let r = moto_build(
        &m,
        &format!("  instance_type = \"t3.micro\"\n  run_tags = {{ Team = \"images\" }}\n{POLICY}"),
        "",
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    for line in [
        "Creating temporary instance profile for this instance: packer-",
        "Creating temporary role for this instance: packer-",
        "Attaching policy to the temporary role: packer-",
        "Detaching temporary role from instance profile...",
        "Removing policy from temporary role...",
        "Deleting temporary role...",
        "Deleting temporary instance profile...",
    ] {
        assert!(r.stdout.contains(line), "{line:?} in {}", r.stdout);
    }
    // The instance launched with it (moto drops the association when
    // the instance terminates, so the launch request is what shows it).
    let p = launch_profiles(&m);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("packer-"), "{p:?}");
    // Role, inline policy and profile are gone.
    let (roles, profiles) = m.iam_inventory().expect("iam");
    assert!(roles.iter().all(|r| !r.starts_with("packer-")), "{roles:?}");
    assert!(profiles.is_empty(), "{profiles:?}");
}

#[test]
fn a_failed_build_removes_the_temporary_profile_too() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    // The instance runs with the profile, then a provisioner fails.
    let r = moto_build(
        &m,
        &format!("  instance_type = \"t3.micro\"\n{POLICY}"),
        "  provisioner \"shell-local\" {\n    inline = [\"exit 3\"]\n  }\n",
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("Deleting temporary instance profile..."),
        "{}{}",
        r.stdout,
        r.stderr
    );
    // The instance launched with it (moto drops the association when
    // the instance terminates, so the launch request is what shows it).
    let p = launch_profiles(&m);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("packer-"), "{p:?}");
    let (roles, profiles) = m.iam_inventory().expect("iam");
    assert!(roles.iter().all(|r| !r.starts_with("packer-")), "{roles:?}");
    assert!(profiles.is_empty(), "{profiles:?}");
    assert!(m.inventory("us-east-1").expect("inventory").is_empty());
}

#[test]
fn iam_instance_profile_is_checked_unless_skip_profile_validation() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    // Missing: Packer's error from GetInstanceProfile, before any launch.
    let r = moto_build(
        &m,
        "  instance_type = \"t3.micro\"\n  iam_instance_profile = \"kiln-missing\"\n",
        "",
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Couldn't find specified instance profile: GetInstanceProfile: NoSuchEntity"),
        "{all}"
    );
    assert!(!all.contains("Launching a source AWS instance"), "{all}");
    assert!(instances(&m).is_empty());
    // Skipped: the launch itself is what fails (moto checks the name).
    let r = moto_build(
        &m,
        "  instance_type = \"t3.micro\"\n  iam_instance_profile = \"kiln-missing\"\n  skip_profile_validation = true\n",
        "",
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        !all.contains("Couldn't find specified instance profile"),
        "{all}"
    );
    assert!(all.contains("Error launching source instance"), "{all}");
    // Present: the instance gets it.
    m.create_instance_profile("kiln-present").expect("profile");
    let r = moto_build(
        &m,
        "  instance_type = \"t3.micro\"\n  iam_instance_profile = \"kiln-present\"\n",
        "",
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    // Two launches: the skipped check's (refused by moto) and this one.
    assert_eq!(launch_profiles(&m), ["kiln-missing", "kiln-present"]);
}

#[test]
fn skip_ami_run_tags_keeps_run_tags_off_the_ami() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    let r = moto_build(
        &m,
        "  instance_type = \"t3.micro\"\n  run_tags = { Stage = \"build\" }\n  tags = { Release = \"1\" }\n  skip_ami_run_tags = true\n",
        "",
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    assert!(
        r.stdout.contains("Skipping attaching run tags to AMI..."),
        "{}",
        r.stdout
    );
    let images = m.own_images("us-east-1").expect("images");
    assert_eq!(images.len(), 1, "{images:?}");
    let tags = m.tags("us-east-1", &images[0].0).expect("tags");
    assert_eq!(tags, ["Release=1"]);
    // The instance had them.
    assert!(instances(&m)[0].tags.contains(&"Stage=build".to_owned()));
}

#[test]
fn spot_builds_go_through_a_launch_template_and_an_instant_fleet() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let r = moto_build(
        &m,
        r#"
  spot_price               = "auto"
  spot_instance_types      = ["t3.micro", "t3a.micro"]
  spot_allocation_strategy = "capacity-optimized"
  spot_tags                = { Spot = "yes" }
  fleet_tags               = { Fleet = "kiln" }
  fleet_tag {
    key   = "Fleet Block"
    value = "b"
  }
  run_tags = { Role = "builder" }
"#,
        "",
    );
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    assert!(
        r.stdout.contains("Launching a spot AWS instance..."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Created Spot Fleet launch template: lt-"),
        "{}",
        r.stdout
    );

    // The launch template: spot market options, the instance's tags.
    let lt = m.recorded_action("CreateLaunchTemplate");
    assert_eq!(lt.len(), 1, "{lt:?}");
    let f = lt[0].form();
    let name = f.get("LaunchTemplateName").cloned().unwrap_or_default();
    assert!(name.starts_with("packer-fleet-launch-template-"), "{f:?}");
    assert_eq!(
        f.get("LaunchTemplateData.InstanceMarketOptions.MarketType")
            .map(String::as_str),
        Some("spot")
    );
    assert_eq!(
        f.get("LaunchTemplateData.ImageId").map(String::as_str),
        Some(SOURCE_AMI)
    );
    assert_eq!(
        f.get("TagSpecification.1.ResourceType").map(String::as_str),
        Some("launch-template")
    );
    assert!(
        f.values().any(|v| v == "Role") && f.values().any(|v| v == "builder"),
        "{f:?}"
    );

    // The fleet: instant, one spot instance, the types as overrides.
    let fleets = m.recorded_action("CreateFleet");
    assert_eq!(fleets.len(), 1, "{fleets:?}");
    let f = fleets[0].form();
    for (k, v) in [
        ("Type", "instant"),
        ("TargetCapacitySpecification.TotalTargetCapacity", "1"),
        (
            "TargetCapacitySpecification.DefaultTargetCapacityType",
            "spot",
        ),
        ("SpotOptions.AllocationStrategy", "capacity-optimized"),
        (
            "LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName",
            name.as_str(),
        ),
        (
            "LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version",
            "1",
        ),
        (
            "LaunchTemplateConfigs.1.Overrides.1.InstanceType",
            "t3.micro",
        ),
        (
            "LaunchTemplateConfigs.1.Overrides.2.InstanceType",
            "t3a.micro",
        ),
        ("TagSpecification.1.ResourceType", "fleet"),
    ] {
        assert_eq!(f.get(k).map(String::as_str), Some(v), "{k} in {f:?}");
    }
    for v in ["Fleet", "kiln", "Fleet Block", "b"] {
        assert!(f.values().any(|x| x == v), "{v} in {f:?}");
    }

    // A spot instance, tagged; terminated, and the template deleted.
    let i = instances(&m);
    assert_eq!(i.len(), 1, "{i:?}");
    assert_eq!(i[0].lifecycle, "spot", "{i:?}");
    assert!(i[0].tags.contains(&"Role=builder".to_owned()), "{i:?}");
    assert_eq!(m.recorded_action("DeleteLaunchTemplate").len(), 1);
    let ec2 = m.ec2("us-east-1").expect("ec2");
    let left = ec2
        .call(
            &Cancel::new(),
            "DescribeLaunchTemplates",
            ec2.client.describe_launch_templates().send(),
        )
        .expect("templates");
    assert!(left.launch_templates().is_empty(), "{left:?}");
    assert!(m
        .inventory("us-east-1")
        .expect("inventory")
        .instances
        .is_empty());
    assert_eq!(m.own_images("us-east-1").expect("images").len(), 1);
}
