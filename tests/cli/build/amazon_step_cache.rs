//! The step cache on amazon-ebs (`cache = true`), against moto: a build
//! saves the machine after every provisioner but the last as an
//! intermediate AMI, a rebuild whose last step alone changed launches from
//! it and runs only that step, and a rebuild with an earlier change saves
//! a new intermediate AMI and deletes the one it supersedes.

use super::build;
use crate::project;
use kiln_builder_amazon::testing::{Moto, ACCESS_KEY, SECRET_KEY};
use kiln_communicator_ssh::testing::TestSshd;

/// moto's built-in Ubuntu 14.04 image.
const SOURCE_AMI: &str = "ami-1e749f67";

/// The "instance" is the test sshd on this machine.
struct Machine {
    moto: Moto,
    sshd: TestSshd,
    ran: std::path::PathBuf,
}

/// Three shell steps over SSH, each appending its name to `ran.txt` so
/// the test sees which ran; `second` and `third` are their texts.
fn template(h: &Machine, second: &str, third: &str, cache: bool) -> String {
    let m = &h.moto;
    let ran = h.ran.display();
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
  source_ami                 = "{SOURCE_AMI}"
  ssh_host                   = "127.0.0.1"
  ssh_port                   = {port}
  ssh_username               = "root"
  ssh_keypair_name           = "kiln-test-key"
  ssh_private_key_file       = "{key}"
  ssh_timeout                = "20s"
  # {{timestamp}} can repeat when two builds run within one second.
  ami_name                   = "kiln-cache-test-${{uuidv4()}}"
  cache                      = {cache}
  aws_polling {{
    delay_seconds = 1
    max_attempts  = 30
  }}
}}
build {{
  sources = ["source.amazon-ebs.ami"]
  provisioner "shell" {{ inline = ["echo first >> {ran}"] }}
  provisioner "shell" {{ inline = ["echo {second} >> {ran}"] }}
  provisioner "shell" {{ inline = ["echo {third} >> {ran}"] }}
  post-processor "manifest" {{ output = "manifest.json" }}
}}
"#,
        endpoint = m.endpoint(),
        port = h.sshd.port,
        key = h.sshd.key_file.display(),
    )
}

/// The account's AMIs named like intermediate ones.
fn intermediates(m: &Moto) -> Vec<String> {
    m.own_images("us-east-1")
        .expect("images")
        .into_iter()
        .filter(|(_, name)| name.starts_with("kiln-step-cache-"))
        .map(|(id, _)| id)
        .collect()
}

/// The image ids the build's RunInstances calls launched, in order.
fn launched(m: &Moto) -> Vec<String> {
    m.recorded_action("RunInstances")
        .iter()
        .filter_map(|r| r.form().get("ImageId").cloned())
        .collect()
}

fn ran(h: &Machine) -> String {
    let text = std::fs::read_to_string(&h.ran).unwrap_or_default();
    let _ = std::fs::remove_file(&h.ran);
    text
}

#[test]
fn an_amazon_rebuild_launches_from_the_intermediate_ami_and_replaces_superseded_ones() {
    let moto = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let sshd = TestSshd::start().expect("the test sshd must start (run scripts/setup.sh as root)");
    moto.import_key_pair("us-east-1", "kiln-test-key", sshd.key.public_line())
        .expect("import key pair");
    let p = project(&[]);
    let d = p.path();
    let h = Machine {
        moto,
        sshd,
        ran: d.join("ran.txt"),
    };
    let m = &h.moto;
    std::fs::write(d.join("t.pkr.hcl"), template(&h, "second", "third", true)).expect("write");
    let tmp = tempfile::tempdir().expect("tmp");
    let args = ["-explain-cache", "t.pkr.hcl"];

    // Cold: every step runs, the machine after step 2 becomes an
    // intermediate AMI tagged with its key.
    let r = build(d, tmp.path(), &args);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}\nmoto: {}", m.log());
    assert_eq!(ran(&h), "first\nsecond\nthird\n");
    assert!(
        out.contains("Saving the machine after step 2 as an intermediate AMI"),
        "{out}"
    );
    let first = intermediates(m);
    assert_eq!(first.len(), 1, "{first:?}\n{out}");
    let tags = m.tags("us-east-1", &first[0]).expect("tags");
    assert!(
        tags.iter().any(|t| t.starts_with("kiln:step-cache-key=")),
        "{tags:?}"
    );
    assert_eq!(launched(m), [SOURCE_AMI]);

    // Only the last step changed: the instance starts from the
    // intermediate AMI and step 3 alone runs.
    std::fs::write(d.join("t.pkr.hcl"), template(&h, "second", "changed", true)).expect("write");
    let r = build(d, tmp.path(), &args);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}\nmoto: {}", m.log());
    assert_eq!(ran(&h), "changed\n", "{out}");
    assert!(
        out.contains("Step cache 3/3 (provisioner shell): miss: inline changed"),
        "{out}"
    );
    assert!(
        out.contains("Using cached step 2/3 (provisioner shell"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Launching from the step cache's intermediate AMI {}",
            first[0]
        )),
        "{out}"
    );
    assert_eq!(launched(m), [SOURCE_AMI, first[0].as_str()]);
    assert!(!out.contains("Saving the machine"), "saved again: {out}");
    // The source the artifact records is still the template's.
    let manifest = std::fs::read_to_string(d.join("manifest.json")).expect("manifest");
    assert!(manifest.contains("us-east-1:ami-"), "{manifest}");

    // Step 2 changed: steps 2 and 3 run on the source AMI, a new
    // intermediate AMI replaces the old one.
    std::fs::write(d.join("t.pkr.hcl"), template(&h, "new", "changed", true)).expect("write");
    let r = build(d, tmp.path(), &args);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}\nmoto: {}", m.log());
    assert_eq!(ran(&h), "first\nnew\nchanged\n", "{out}");
    assert!(
        out.contains("Step cache 2/3 (provisioner shell): miss: inline changed"),
        "{out}"
    );
    let second = intermediates(m);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(second, first);
    assert!(
        out.contains(&format!(
            "Deleted the superseded intermediate AMI {}",
            first[0]
        )),
        "{out}"
    );
    assert_eq!(launched(m).last().map(String::as_str), Some(SOURCE_AMI));

    // The intermediate AMI was deleted behind the cache's back: the entry
    // is dropped and the build runs every step.
    let ec2 = m.ec2("us-east-1").expect("ec2");
    ec2.call(
        &kiln_core::Cancel::new(),
        "DeregisterImage",
        ec2.client.deregister_image().image_id(&second[0]).send(),
    )
    .expect("deregister");
    std::fs::write(d.join("t.pkr.hcl"), template(&h, "new", "again", true)).expect("write");
    let r = build(d, tmp.path(), &args);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}\nmoto: {}", m.log());
    assert!(
        out.contains(&format!(
            "Step cache: the intermediate AMI {} of step 2 is gone",
            second[0]
        )),
        "{out}"
    );
    assert_eq!(ran(&h), "first\nnew\nagain\n", "{out}");

    // Without `cache = true` nothing is saved or looked up.
    let before = intermediates(m);
    std::fs::write(d.join("t.pkr.hcl"), template(&h, "x", "y", false)).expect("write");
    let r = build(d, tmp.path(), &args);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}");
    assert!(!out.contains("Step cache"), "{out}");
    assert_eq!(intermediates(m), before);
}
