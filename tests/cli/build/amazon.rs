//! `source "amazon-ebs"` against moto (an EC2 emulator the tests start):
//! full builds with and without SSH, source AMI filters, region copies,
//! failures and Ctrl-C at every step, each followed by Describe* calls
//! proving nothing was left in the account.

use super::{build, messages};
use crate::project;
use kiln_builder_amazon::testing::{Inventory, Moto, ACCESS_KEY, SECRET_KEY};
use kiln_communicator_ssh::testing::TestSshd;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// moto's built-in Ubuntu 14.04 image (owner 099720109477).
const SOURCE_AMI: &str = "ami-1e749f67";
const BUILD: &str = "amazon-ebs.ami";

fn moto() -> Moto {
    Moto::start().expect("moto_server must start (run scripts/setup.sh)")
}

fn template(m: &Moto, source: &str, build_extra: &str) -> String {
    format!(
        r#"
source "amazon-ebs" "ami" {{
  access_key                 = "{ACCESS_KEY}"
  secret_key                 = "{SECRET_KEY}"
  region                     = "us-east-1"
  custom_endpoint_ec2        = "{endpoint}"
  skip_credential_validation = true
  skip_metadata_api_check    = true
  instance_type              = "t2.micro"
  ami_name                   = "kiln-test-{{{{timestamp}}}}"
  aws_polling {{
    delay_seconds = 1
    max_attempts  = 30
  }}
{source}
}}
build {{
  sources = ["source.amazon-ebs.ami"]
{build_extra}
}}
"#,
        endpoint = m.endpoint(),
    )
}

/// Nothing in `region` but what `keep` lists.
fn assert_clean(m: &Moto, region: &str, out: &str) {
    let inv = m.inventory(region).expect("inventory");
    assert_eq!(inv, Inventory::default(), "left behind in {region}\n{out}");
}

/// The `==> ` lines of the build with ids and generated names replaced.
fn says(stdout: &str) -> Vec<String> {
    let ids = regex::Regex::new(r"\b(ami|i|snap|sg|vol)-[0-9a-f]{8,}\b").expect("regex");
    let uuids = regex::Regex::new(r"packer_[0-9a-f-]{36}").expect("regex");
    let names = regex::Regex::new(r"kiln-test-\d+").expect("regex");
    let prefix = format!("==> {BUILD}: ");
    let detail = format!("    {BUILD}: ");
    stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix(&prefix)
                .map(str::to_owned)
                .or_else(|| l.strip_prefix(&detail).map(|d| format!("  {d}")))
        })
        .map(|l| {
            let l = ids.replace_all(&l, "$1-X");
            let l = uuids.replace_all(&l, "packer_UUID");
            names.replace_all(&l, "NAME").into_owned()
        })
        .collect()
}

#[test]
fn a_build_without_a_communicator_makes_a_tagged_ami_and_removes_the_rest() {
    let m = moto();
    let t = template(
        &m,
        &format!(
            r#"
  source_ami    = "{SOURCE_AMI}"
  communicator  = "none"
  tags          = {{ Name = "kiln", Base = "{{{{ .SourceAMIName }}}}" }}
  snapshot_tags = {{ Snap = "yes" }}
  run_tags      = {{ Purpose = "test" }}
"#
        ),
        r#"
  provisioner "shell-local" {
    inline = ["echo id=${build.ID} name=${build.SourceAMIName} source=${build.SourceAMI} region=${build.BuildRegion}"]
  }
  post-processor "manifest" {
    output = "manifest.json"
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}\nmoto: {}", r.stdout, r.stderr, m.log());
    // Packer 1.6.6's lines for the same template against moto.
    let expected = [
        "Prevalidating any provided VPC information",
        "Prevalidating AMI Name: NAME",
        "  Found Image ID: ami-X",
        "Creating temporary keypair: packer_UUID",
        "Creating temporary security group for this instance: packer_UUID",
        "Authorizing access to port 0 from [0.0.0.0/0] in the temporary security groups...",
        "Launching a source AWS instance...",
        "Adding tags to source instance",
        "  Adding tag: \"Name\": \"Packer Builder\"",
        "  Adding tag: \"Purpose\": \"test\"",
        "  Instance ID: i-X",
        "Waiting for instance (i-X) to become ready...",
        "Running local shell script: ",
    ];
    let got = says(&r.stdout);
    for (i, e) in expected.iter().enumerate() {
        assert!(
            got.get(i).is_some_and(|g| g.starts_with(e)),
            "line {i}: expected {e:?}\n{got:#?}"
        );
    }
    let tail = [
        "Stopping the source instance...",
        "  Stopping instance",
        "Waiting for the instance to stop...",
        "Creating AMI NAME from instance i-X",
        // The current plugin copies the run tags onto the AMI (not 1.6.6).
        "Attaching run tags to AMI...",
        "  AMI: ami-X",
        "Waiting for AMI to become ready...",
        "Adding tags to AMI (ami-X)...",
        "Tagging snapshot: snap-X",
        "Creating AMI tags",
        "  Adding tag: \"Base\": \"ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-20170727\"",
        "  Adding tag: \"Name\": \"kiln\"",
        "Creating snapshot tags",
        "  Adding tag: \"Snap\": \"yes\"",
        "Terminating the source AWS instance...",
        "Cleaning up any extra volumes...",
    ];
    let start = got
        .iter()
        .position(|l| l == "Stopping the source instance...")
        .unwrap_or_else(|| panic!("{got:#?}"));
    assert_eq!(got[start..start + tail.len()], tail, "{got:#?}");
    assert_eq!(
        got[got.len() - 5..],
        [
            "No volumes to clean up, skipping",
            "Deleting temporary security group...",
            "Deleting temporary keypair...",
            // kiln's own: the AMI's provenance (Packer writes none).
            "Provenance: ami-X.intoto.jsonl (unsigned: no sign key)",
            "Running post-processor: manifest (type manifest)"
        ],
        "{got:#?}"
    );
    // The provisioner saw the instance and the source AMI.
    let line = messages(&r.stdout, BUILD)
        .into_iter()
        .find(|l| l.starts_with("id="))
        .expect("provisioner output");
    assert!(
        line.starts_with("id=i-")
            && line.ends_with(&format!(
                "name=ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-20170727 source={SOURCE_AMI} region=us-east-1"
            )),
        "{line}"
    );

    // One AMI with its snapshot; nothing else.
    let images = m.own_images("us-east-1").expect("images");
    assert_eq!(images.len(), 1, "{images:?}");
    let (ami, name) = &images[0];
    assert!(name.starts_with("kiln-test-"), "{name}");
    let inv = m.inventory("us-east-1").expect("inventory");
    assert_eq!(inv.instances, Vec::<String>::new(), "{inv:?}");
    assert_eq!(inv.key_pairs, Vec::<String>::new(), "{inv:?}");
    assert_eq!(inv.security_groups, Vec::<String>::new(), "{inv:?}");
    assert_eq!(inv.volumes, Vec::<String>::new(), "{inv:?}");
    assert_eq!(inv.snapshots.len(), 1, "{inv:?}");
    // The run tags come first (CreateImage), the AMI tags after them
    // (`Name` wins).
    assert_eq!(
        m.tags("us-east-1", ami).expect("tags"),
        [
            "Base=ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-20170727",
            "Name=kiln",
            "Purpose=test"
        ]
    );
    assert_eq!(
        m.tags("us-east-1", &inv.snapshots[0]).expect("tags"),
        [
            "Base=ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-20170727",
            "Name=kiln",
            "Purpose=test",
            "Snap=yes"
        ]
    );

    // Packer's artifact: summary and manifest.
    assert!(
        r.stdout.contains(&format!(
            "--> {BUILD}: AMIs were created:\nus-east-1: {ami}\n\n"
        )),
        "{}",
        r.stdout
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    let b = &manifest["builds"][0];
    assert_eq!(b["artifact_id"], format!("us-east-1:{ami}"));
    assert_eq!(b["builder_type"], "amazon-ebs");
}

#[test]
fn ssh_provisioning_uses_the_imported_key_pair_and_the_given_host() {
    let m = moto();
    let d = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    m.import_key_pair("us-east-1", "kiln-test-key", d.key.public_line())
        .expect("import key pair");
    let t = template(
        &m,
        &format!(
            r#"
  source_ami           = "{SOURCE_AMI}"
  ssh_host             = "127.0.0.1"
  ssh_port             = {port}
  ssh_username         = "root"
  ssh_keypair_name     = "kiln-test-key"
  ssh_private_key_file = "{key}"
  ssh_timeout          = "20s"
  sbom                 = ["spdx-json", "cyclonedx-json"]
  sign {{ key = "cosign.key" }}
"#,
            port = d.port,
            key = d.key_file.display(),
        ),
        r#"
  provisioner "shell" {
    inline = [
      "echo remote user=$(id -un) instance=${build.ID} port=${build.Port}",
      "dpkg-query -W -f '$${Package}\t$${Version}\n' > /tmp/kiln-ami-dpkg.txt",
    ]
  }
  provisioner "file" {
    direction   = "download"
    source      = "/tmp/kiln-ami-dpkg.txt"
    destination = "dpkg.txt"
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    super::supply_chain::keygen(dir.path(), "");
    let r = crate::kiln_env(
        dir.path(),
        &["build", "-color=false", "t.pkr.hcl"],
        "",
        &[
            ("TMPDIR".to_owned(), tmp.path().display().to_string()),
            ("COSIGN_PASSWORD".to_owned(), String::new()),
        ],
    );
    assert_eq!(r.code, 0, "{}{}\nsshd: {}", r.stdout, r.stderr, d.log());
    let got = says(&r.stdout);
    for e in [
        "Using existing SSH private key".to_owned(),
        format!(
            "Authorizing access to port {} from [0.0.0.0/0] in the temporary security groups...",
            d.port
        ),
        "Using ssh communicator to connect: 127.0.0.1".to_owned(),
        "Connected to SSH!".to_owned(),
    ] {
        assert!(got.contains(&e), "{e:?} missing\n{got:#?}");
    }
    assert!(
        !got.iter().any(|l| l.contains("temporary keypair")),
        "{got:#?}"
    );
    let line = messages(&r.stdout, BUILD)
        .into_iter()
        .find(|l| l.starts_with("remote "))
        .expect("shell output");
    assert!(
        line.starts_with("remote user=root instance=i-")
            && line.ends_with(&format!("port={}", d.port)),
        "{line}"
    );
    assert!(
        d.log().contains("Accepted publickey for root"),
        "{}",
        d.log()
    );
    // The user's key pair stays; nothing of the build's does.
    let inv = m.inventory("us-east-1").expect("inventory");
    assert_eq!(inv.key_pairs, ["kiln-test-key"]);
    assert!(
        inv.instances.is_empty() && inv.security_groups.is_empty(),
        "{inv:?}"
    );
    assert_eq!(m.own_images("us-east-1").expect("images").len(), 1);

    // The AMI's record (id, region, snapshots) is the provenance's
    // subject; the SBOMs were read over SSH from the machine.
    let ami = regex::Regex::new(r"us-east-1: (ami-[0-9a-f]+)")
        .expect("regex")
        .captures(&r.stdout)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("no AMI in {}", r.stdout));
    let d = dir.path();
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.join(format!("{ami}.ami.json"))).expect("AMI record"),
    )
    .expect("JSON");
    let entry = &record["amis"][0];
    assert_eq!(entry["region"], "us-east-1");
    assert_eq!(entry["id"], ami.as_str());
    assert!(
        entry["snapshots"][0]
            .as_str()
            .is_some_and(|s| s.starts_with("snap-")),
        "{record}"
    );
    let spdx = d.join(format!("{ami}.spdx.json"));
    super::supply_chain::validate_sboms(&spdx, &d.join(format!("{ami}.cdx.json")));
    assert_eq!(
        super::supply_chain::spdx_packages(&spdx),
        super::supply_chain::sorted_lines(&d.join("dpkg.txt"))
    );
    let digest = super::supply_chain::sha256_hex(&d.join(format!("{ami}.ami.json")));
    super::supply_chain::checked(
        d,
        &[
            "dsse",
            &format!("{ami}.intoto.jsonl"),
            "cosign.pub",
            &digest,
        ],
    );
    // kiln verify: the signed record, then EC2 (moto) for the AMI itself.
    let aws = [
        ("AWS_ENDPOINT_URL".to_owned(), m.endpoint()),
        ("AWS_ACCESS_KEY_ID".to_owned(), ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), SECRET_KEY.to_owned()),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
    ];
    let target = format!("us-east-1:{ami}");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", target.as_str(), "-key", "cosign.pub"];
        args.extend_from_slice(extra);
        crate::kiln_env(d, &args, "", &aws)
    };
    let v = verify(&[]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    let snapshot = entry["snapshots"][0].as_str().unwrap_or_default();
    assert!(
        v.stdout.contains(&format!(
            "✓ ec2: {ami} is in us-east-1 (available), made of the recorded snapshots ({snapshot})"
        )),
        "{}",
        v.stdout
    );
    // Deregistered: the record still verifies, EC2 says it is gone.
    let ec2 = m.ec2("us-east-1").expect("ec2");
    ec2.call(
        &kiln_core::Cancel::new(),
        "DeregisterImage",
        ec2.client.deregister_image().image_id(&ami).send(),
    )
    .expect("deregister");
    let gone = verify(&[]);
    assert_eq!(gone.code, 1, "{}{}", gone.stdout, gone.stderr);
    assert!(
        gone.stdout.contains("✓ subject:")
            && gone.stderr.contains(&format!(
                "✗ ec2: {ami} does not exist in us-east-1: deregistered"
            )),
        "{}{}",
        gone.stdout,
        gone.stderr
    );
    let offline = verify(&["-offline"]);
    assert_eq!(offline.code, 0, "{}{}", offline.stdout, offline.stderr);
    assert!(
        offline.stdout.contains("EC2 was not asked") && !offline.stdout.contains("✓ ec2:"),
        "{}",
        offline.stdout
    );
    let other = crate::kiln(
        d,
        &["verify", "us-east-1:ami-12345678", "-key", "cosign.pub"],
        "",
    );
    assert_eq!(other.code, 1);
    assert!(
        other.stderr.contains("ami-12345678.ami.json"),
        "{}",
        other.stderr
    );
}

#[test]
fn source_ami_filter_resolves_and_ambiguity_stops_before_creating_anything() {
    let m = moto();
    let exact = template(
        &m,
        r#"
  communicator = "none"
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-*"
      virtualization-type = "hvm"
    }
    owners      = ["099720109477"]
    most_recent = true
  }
"#,
        "",
    );
    let dir = project(&[("t.pkr.hcl", &exact)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("    {BUILD}: Found Image ID: {SOURCE_AMI}\n")),
        "{}",
        r.stdout
    );

    let m = moto();
    let ambiguous = template(
        &m,
        r#"
  communicator = "none"
  source_ami_filter {
    filters = { name = "ubuntu/*" }
    owners  = ["099720109477"]
  }
"#,
        "",
    );
    let dir = project(&[("t.pkr.hcl", &ambiguous)]);
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Your query returned more than one result. Please try a more specific search, or set most_recent to true."),
        "{}",
        r.stdout
    );
    assert_clean(&m, "us-east-1", &r.stdout);
}

#[test]
fn ami_regions_get_copies_listed_in_the_artifact() {
    let m = moto();
    let t = template(
        &m,
        &format!(
            r#"
  source_ami   = "{SOURCE_AMI}"
  communicator = "none"
  ami_regions  = ["us-west-2", "us-east-1", "us-west-2"]
  tags         = {{ Region = "{{{{ .BuildRegion }}}}" }}
"#
        ),
        "",
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["-machine-readable", "t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let east = m.own_images("us-east-1").expect("images");
    let west = m.own_images("us-west-2").expect("images");
    assert_eq!((east.len(), west.len()), (1, 1), "{east:?} {west:?}");
    assert_eq!(east[0].1, west[0].1, "copies keep the name");
    // Machine-readable output escapes the comma as Packer does.
    let id = format!(
        "us-east-1:{}%!(PACKER_COMMA)us-west-2:{}",
        east[0].0, west[0].0
    );
    assert!(
        r.stdout.contains(&format!(",{BUILD},artifact,0,id,{id}\n")),
        "{}",
        r.stdout
    );
    assert_eq!(
        m.tags("us-west-2", &west[0].0).expect("tags"),
        ["Region=us-west-2"]
    );
    let west_inv = m.inventory("us-west-2").expect("inventory");
    assert!(
        west_inv.instances.is_empty() && west_inv.key_pairs.is_empty(),
        "{west_inv:?}"
    );
}

#[test]
fn a_failing_provisioner_leaves_nothing_behind() {
    let m = moto();
    let t = template(
        &m,
        &format!("  source_ami = \"{SOURCE_AMI}\"\n  communicator = \"none\"\n"),
        r#"
  provisioner "shell-local" {
    inline = ["exit 3"]
  }
"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let got = says(&r.stdout);
    assert!(
        got.contains(&"Terminating the source AWS instance...".to_owned()),
        "{got:#?}"
    );
    assert_clean(&m, "us-east-1", &r.stdout);
}

/// `encrypt_boot`: the AMI is copied (encrypted) within the build region
/// and the unencrypted intermediary image is removed.
#[test]
fn encrypt_boot_keeps_only_the_encrypted_copy() {
    let m = moto();
    let t = template(
        &m,
        &format!(
            r#"
  source_ami   = "{SOURCE_AMI}"
  communicator = "none"
  encrypt_boot = true
  kms_key_id   = "alias/kiln-test"
"#
        ),
        "",
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let got = says(&r.stdout);
    for e in [
        "Copying/Encrypting AMI (ami-X) to other regions...",
        "  Copying to: us-east-1",
        "Deregistering the AMI and deleting unencrypted temporary AMIs and snapshots",
    ] {
        assert!(got.iter().any(|l| l == e), "{e:?} missing\n{got:#?}");
    }
    let images = m.own_images("us-east-1").expect("images");
    assert_eq!(images.len(), 1, "{images:?}");
    assert!(
        r.stdout
            .contains(&format!("AMIs were created:\nus-east-1: {}\n", images[0].0)),
        "{}",
        r.stdout
    );
    assert_eq!(
        m.inventory("us-east-1").expect("inventory").snapshots.len(),
        1
    );
}

/// moto has no EnableImageDeprecation (it answers 500), which makes
/// `deprecate_at` a failure after the AMI and its copy exist: both must
/// go, with their snapshots.
#[test]
fn a_failure_after_the_amis_exist_removes_them_in_every_region() {
    let m = moto();
    let t = template(
        &m,
        &format!(
            r#"
  source_ami   = "{SOURCE_AMI}"
  communicator = "none"
  ami_regions  = ["us-west-2"]
  deprecate_at = "2030-01-01T00:00:00Z"
  max_retries  = 1
"#
        ),
        "",
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let got = says(&r.stdout);
    for e in [
        "Enabling deprecation on AMI (ami-X) in region \"us-east-1\" ...",
        "Deregistering the AMI copies and deleting their snapshots because of cancellation, or error...",
        "Deregistering the AMI and deleting associated snapshots because of cancellation, or error...",
    ] {
        assert!(got.iter().any(|l| l == e), "{e:?} missing\n{got:#?}");
    }
    assert!(
        r.stdout.contains("Error enable AMI deprecation for ami-"),
        "{}",
        r.stdout
    );
    assert_clean(&m, "us-east-1", &r.stdout);
    assert_clean(&m, "us-west-2", &r.stdout);
}

#[test]
fn a_taken_ami_name_fails_before_anything_is_created_and_force_replaces_it() {
    let m = moto();
    let t = template(
        &m,
        &format!("  source_ami = \"{SOURCE_AMI}\"\n  communicator = \"none\"\n"),
        "",
    )
    .replace("kiln-test-{{timestamp}}", "kiln-test-fixed");
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let first = m.own_images("us-east-1").expect("images");
    let before = m.inventory("us-east-1").expect("inventory");

    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "Error: AMI Name: 'kiln-test-fixed' is used by an existing AMI: {}",
            first[0].0
        )),
        "{}",
        r.stdout
    );
    assert_eq!(m.inventory("us-east-1").expect("inventory"), before);

    let r = build(dir.path(), tmp.path(), &["-force", "t.pkr.hcl"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Force Deregister flag found, skipping prevalidating AMI Name")
            && r.stdout
                .contains(&format!("Deregistered AMI id: {}", first[0].0)),
        "{}",
        r.stdout
    );
    let after = m.own_images("us-east-1").expect("images");
    assert_eq!(after.len(), 1);
    assert_ne!(after[0].0, first[0].0);
}

/// Start a build, wait until stdout has a line containing `marker`, send
/// SIGINT, and return (exit code, output).
fn interrupted_at(dir: &std::path::Path, marker: &str) -> (i32, String) {
    let mut child = crate::kiln_command()
        .args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiln");
    let seen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let seen = Arc::clone(&seen);
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut s = seen.lock().expect("lock");
                s.push_str(&line);
                s.push('\n');
            }
        })
    };
    let start = Instant::now();
    while !seen.lock().expect("lock").contains(marker) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never saw {marker:?}:\n{}",
            seen.lock().expect("lock")
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    reader.join().expect("reader");
    let text = seen.lock().expect("lock").clone() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn ctrl_c_at_every_step_leaves_nothing_behind() {
    let markers = [
        "Prevalidating AMI Name",
        "Creating temporary keypair",
        "Creating temporary security group",
        "Authorizing access",
        "Launching a source AWS instance",
        "Waiting for instance (",
        "Running local shell script",
        "Stopping the source instance",
        "Waiting for the instance to stop",
        "Creating AMI ",
        "Waiting for AMI to become ready",
        "Copying to: us-west-2",
        "Waiting for all copies to complete",
        "Adding tags to AMI",
    ];
    for marker in markers {
        let m = moto();
        let t = template(
            &m,
            &format!(
                r#"
  source_ami   = "{SOURCE_AMI}"
  communicator = "none"
  ami_regions  = ["us-west-2"]
  tags         = {{ Name = "kiln" }}
"#
            ),
            r#"
  provisioner "shell-local" {
    inline = ["sleep 2"]
  }
"#,
        );
        let dir = project(&[("t.pkr.hcl", &t)]);
        let (code, out) = interrupted_at(dir.path(), marker);
        assert_eq!(code, 1, "interrupted at {marker:?}:\n{out}");
        assert!(
            out.contains("Cleanly cancelled builds after being interrupted."),
            "interrupted at {marker:?}:\n{out}"
        );
        // On a loaded machine the signal can land after the last step,
        // during cleanup: then, as in Packer, the build has finished and
        // keeps its AMIs (and their snapshots), and only they are left.
        let finished = out.contains("AMIs were created:");
        for region in ["us-east-1", "us-west-2"] {
            let inv = m.inventory(region).expect("inventory");
            if finished {
                assert!(
                    inv.instances.is_empty()
                        && inv.key_pairs.is_empty()
                        && inv.security_groups.is_empty()
                        && inv.volumes.is_empty()
                        && inv
                            .images
                            .iter()
                            .all(|ami| out.contains(&format!("{region}: {ami}"))),
                    "interrupted after {marker:?}, left in {region}: {inv:?}\n{out}"
                );
            } else {
                assert!(
                    inv.is_empty(),
                    "interrupted at {marker:?}, left in {region}: {inv:?}\n{out}"
                );
            }
        }
    }
}
